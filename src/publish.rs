//! Publishing the built site as the tip of a branch in a separate git
//! repository (GitHub Pages' `gh-pages`, a GitLab Pages repository, anything
//! a static host deploys from), using the `git` command-line client, so that
//! authentication works exactly as it does for the author's own pushes.
//!
//! The branch's history is kept: each publish is one commit on top of the
//! last, and a publish that changes nothing makes no commit.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::git::{self, run};

use crate::output::MARKER;

pub(crate) struct Options<'a> {
    pub remote: &'a str,
    pub branch: &'a str,
    pub message: &'a str,
    /// Replace the branch even when someone else moved it since.
    pub force: bool,
}

/// What one publish changed on the branch.
#[derive(Debug, Default)]
pub(crate) struct Published {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    /// The new commit, or `None` when there was nothing to publish.
    pub commit: Option<String>,
}

/// A temporary checkout, removed when dropped.
struct Checkout(PathBuf);

impl Drop for Checkout {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Commits the contents of `site` as the new tip of `options.branch` of `options.remote` and pushes it.
pub(crate) fn publish(site: &Path, options: &Options<'_>) -> anyhow::Result<Published> {
    let work = Checkout(std::env::temp_dir().join(format!(
        "statuspost-publish-{}-{}",
        std::process::id(),
        nanos()
    )));
    let dir = work.0.as_path();
    let dir_str = dir.to_string_lossy().into_owned();
    let heads = run(
        None,
        &["ls-remote", "--heads", options.remote, options.branch],
    )
    .with_context(|| format!("cannot reach `{}`", options.remote))?;
    if heads.trim().is_empty() {
        // The first publish starts the branch with no history of its own.
        run(None, &["init", "-q", &dir_str])?;
        run(Some(dir), &["checkout", "-q", "--orphan", options.branch])?;
        run(Some(dir), &["remote", "add", "origin", options.remote])?;
    } else {
        run(
            None,
            &[
                "clone",
                "-q",
                "--depth",
                "1",
                "--branch",
                options.branch,
                options.remote,
                &dir_str,
            ],
        )?;
    }

    clear(dir)?;
    copy(site, dir)?;
    run(Some(dir), &["add", "-A"])?;
    let status = run(Some(dir), &["status", "--porcelain", "--no-renames"])?;
    let mut published = Published::default();
    for line in status.lines() {
        let (code, path) = line.split_at(line.len().min(3));
        let path = path.trim().trim_matches('"').to_string();
        match code.trim() {
            "A" => published.added.push(path),
            "D" => published.removed.push(path),
            _ => published.changed.push(path),
        }
    }
    if status.trim().is_empty() {
        return Ok(published);
    }

    let mut commit = git::identity(dir);
    commit.extend(["commit", "-q", "-m", options.message]);
    run(Some(dir), &commit)?;
    let refspec = format!("HEAD:refs/heads/{}", options.branch);
    let mut push = vec!["push", "-q", "origin", refspec.as_str()];
    if options.force {
        push.push("--force");
    }
    run(Some(dir), &push).map_err(|e| {
        e.context(format!(
            "pushing to `{}` was refused; if the branch moved since this publish began, publish again (or pass --force to replace it)",
            options.remote
        ))
    })?;
    published.commit = Some(run(Some(dir), &["rev-parse", "HEAD"])?.trim().to_string());
    Ok(published)
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// Removes everything but `.git` from the checkout, so deleted pages are deleted on the branch too.
fn clear(dir: &Path) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == ".git" {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

/// Copies the built site, without statuspost's own bookkeeping files.
fn copy(from: &Path, to: &Path) -> anyhow::Result<()> {
    for entry in
        std::fs::read_dir(from).with_context(|| format!("failed to read `{}`", from.display()))?
    {
        let entry = entry?;
        let name = entry.file_name();
        let name_str = name.to_string_lossy();
        // A temporary file is half a page, whoever left it.
        if name == ".git"
            || name_str.starts_with(".statuspost")
            || name_str == MARKER
            || crate::fs::is_temp(&name)
        {
            continue;
        }
        let source = entry.path();
        let target = to.join(source.strip_prefix(from).unwrap_or(&source));
        if entry.file_type()?.is_dir() {
            std::fs::create_dir_all(&target)?;
            copy(&source, &target)?;
        } else {
            std::fs::copy(&source, &target)
                .with_context(|| format!("failed to copy `{}`", source.display()))?;
        }
    }
    Ok(())
}
