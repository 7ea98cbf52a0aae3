//! Posting an update to the content repository: committing exactly the files
//! a command wrote and pushing them to the branch's upstream, from which CI
//! builds, publishes and announces.
//!
//! Only the files named are ever staged or committed: `git commit -- PATHS`
//! leaves whatever else the author has staged or changed exactly as it was.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::git;

/// The content repository, checked before anything is written.
#[derive(Debug)]
pub(crate) struct Repo {
    top: PathBuf,
    /// Where the branch pushes: `origin` and `main`.
    pub remote: String,
    pub branch: String,
}

/// Why pushing did not put the commit on the remote.
#[derive(Debug)]
pub(crate) enum PushError {
    /// The remote has a change to the same lines: the local commit is kept.
    Conflict { files: Vec<String> },
    /// The remote could not be reached or refused for another reason.
    Failed(String),
}

impl Repo {
    /// The repository holding `root`, with a branch that has an upstream to push to.
    pub(crate) fn open(root: &Path) -> Result<Repo, String> {
        let top = git::output(Some(root), &["rev-parse", "--show-toplevel"])
            .map_err(|e| format!("{e:#}"))?;
        if !top.status.success() {
            return Err(format!(
                "`{}` is not in a git repository; --publish commits the update and pushes it\n  = help: `git init` and add a remote, or post without --publish",
                root.display()
            ));
        }
        let top = PathBuf::from(String::from_utf8_lossy(&top.stdout).trim());
        let text = |args: &[&str]| {
            git::output(Some(&top), args)
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let Some(local) = text(&["symbolic-ref", "--short", "-q", "HEAD"]) else {
            return Err("the repository is not on a branch (a detached HEAD); --publish pushes the current branch\n  = help: `git switch main` first".into());
        };
        for (what, path) in [
            ("a merge", "MERGE_HEAD"),
            ("a rebase", "rebase-merge"),
            ("a rebase", "rebase-apply"),
        ] {
            if let Some(p) = text(&["rev-parse", "--git-path", path]) {
                if top.join(&p).exists() || Path::new(&p).exists() {
                    return Err(format!(
                        "the repository is in the middle of {what}; finish or abort it first, then post again"
                    ));
                }
            }
        }
        let remote = text(&["config", &format!("branch.{local}.remote")]);
        let merge = text(&["config", &format!("branch.{local}.merge")]);
        let (Some(remote), Some(merge)) = (remote, merge) else {
            return Err(format!(
                "the branch `{local}` has no upstream to push to\n  = help: push it once with `git push -u origin {local}`, then post again"
            ));
        };
        let branch = merge
            .strip_prefix("refs/heads/")
            .unwrap_or(&merge)
            .to_string();
        Ok(Repo {
            top,
            remote,
            branch,
        })
    }

    fn relative(&self, file: &Path) -> anyhow::Result<String> {
        let file = file
            .canonicalize()
            .with_context(|| format!("`{}` is not there to commit", file.display()))?;
        let top = self.top.canonicalize().unwrap_or_else(|_| self.top.clone());
        let rel = file
            .strip_prefix(&top)
            .with_context(|| format!("`{}` is outside the repository", file.display()))?;
        Ok(rel.to_string_lossy().into_owned())
    }

    /// Whether `file` differs from what the last commit holds (or is new).
    pub(crate) fn changed(&self, file: &Path) -> anyhow::Result<bool> {
        let rel = self.relative(file)?;
        let status = git::run(
            Some(&self.top),
            &["status", "--porcelain", "--untracked-files=all", "--", &rel],
        )?;
        Ok(!status.trim().is_empty())
    }

    /// Commits exactly `files` with `message`; returns the commit's id.
    pub(crate) fn commit(&self, files: &[PathBuf], message: &str) -> anyhow::Result<String> {
        let rel: Vec<String> = files
            .iter()
            .map(|f| self.relative(f))
            .collect::<anyhow::Result<_>>()?;
        let mut add = vec!["add", "--"];
        add.extend(rel.iter().map(String::as_str));
        git::run(Some(&self.top), &add)?;
        let mut commit = git::identity(&self.top);
        commit.extend(["commit", "-q", "-m", message, "--"]);
        commit.extend(rel.iter().map(String::as_str));
        git::run(Some(&self.top), &commit)?;
        Ok(git::run(Some(&self.top), &["rev-parse", "HEAD"])?
            .trim()
            .to_string())
    }

    /// Pushes the branch to its upstream. If the remote moved on, the local
    /// commits are rebased onto it once and pushed again; `Ok(true)` says so.
    ///
    /// `appended` is the text the last commit appended to a file: when
    /// someone else appended to the same file meanwhile (two people updating
    /// one incident), that commit's conflict is resolved by appending the
    /// text again after theirs, so both updates are kept. Any other conflict
    /// stops the rebase and leaves the local commits as they were.
    pub(crate) fn push(&self, appended: Option<(&Path, &str)>) -> Result<bool, PushError> {
        let refspec = format!("HEAD:refs/heads/{}", self.branch);
        let push = || git::output(Some(&self.top), &["push", "-q", &self.remote, &refspec]);
        let first = push().map_err(|e| PushError::Failed(format!("{e:#}")))?;
        if first.status.success() {
            return Ok(false);
        }
        let stderr = String::from_utf8_lossy(&first.stderr).into_owned();
        let moved = ["[rejected]", "non-fast-forward", "fetch first"]
            .iter()
            .any(|s| stderr.contains(s));
        if !moved {
            return Err(PushError::Failed(stderr.trim().to_string()));
        }
        git::run(
            Some(&self.top),
            &["fetch", "-q", &self.remote, &self.branch],
        )
        .map_err(|e| PushError::Failed(format!("{e:#}")))?;
        let own = git::run(Some(&self.top), &["rev-parse", "HEAD"])
            .map_err(|e| PushError::Failed(format!("{e:#}")))?;
        let mut rebase = git::identity(&self.top);
        rebase.extend(["rebase", "-q", "--autostash", "FETCH_HEAD"]);
        let rebased = git::output(Some(&self.top), &rebase)
            .map_err(|e| PushError::Failed(format!("{e:#}")))?;
        if !rebased.status.success() {
            let files: Vec<String> =
                git::run(Some(&self.top), &["diff", "--name-only", "--diff-filter=U"])
                    .unwrap_or_default()
                    .lines()
                    .map(str::to_string)
                    .collect();
            let resolved =
                appended.is_some_and(|(file, text)| self.append_again(&own, &files, file, text));
            if !resolved {
                // Back to exactly the commits made here: nothing is lost, nothing half-merged.
                let _ = git::output(Some(&self.top), &["rebase", "--abort"]);
                return Err(PushError::Conflict { files });
            }
        }
        let second = push().map_err(|e| PushError::Failed(format!("{e:#}")))?;
        if second.status.success() {
            Ok(true)
        } else {
            Err(PushError::Failed(
                String::from_utf8_lossy(&second.stderr).trim().to_string(),
            ))
        }
    }
    /// Resolves a rebase stopped on the `own` commit's conflict in `file`
    /// alone, by appending `text` to the file as the rebased branch has it.
    fn append_again(&self, own: &str, conflicted: &[String], file: &Path, text: &str) -> bool {
        let Ok(rel) = self.relative(file) else {
            return false;
        };
        let stopped_on =
            git::run(Some(&self.top), &["rev-parse", "REBASE_HEAD"]).unwrap_or_default();
        if conflicted != std::slice::from_ref(&rel) || stopped_on.trim() != own.trim() {
            return false;
        }
        let theirs = match git::output(Some(&self.top), &["show", &format!("HEAD:{rel}")]) {
            Ok(out) if out.status.success() => out.stdout,
            _ => return false,
        };
        let merged = crate::edit::appended(&theirs, text);
        let mut resume = git::identity(&self.top);
        resume.extend(["-c", "core.editor=true", "rebase", "--continue"]);
        std::fs::write(self.top.join(&rel), merged).is_ok()
            && git::run(Some(&self.top), &["add", "--", &rel]).is_ok()
            && git::output(Some(&self.top), &resume).is_ok_and(|o| o.status.success())
    }
}
