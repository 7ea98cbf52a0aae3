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
        if text(&["rev-parse", "--verify", "-q", "@{upstream}"]).is_none() {
            return Err(format!(
                "the branch `{local}` tracks `{remote}/{branch}`, which this repository no longer has (deleted on the remote, then pruned?)\n  = help: `git fetch {remote}`, then `git branch -u {remote}/BRANCH` to the branch CI builds from"
            ));
        }
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

    /// Tracked files with changes not committed (staged or not), as `git status` names them.
    ///
    /// `--publish` needs none: CI builds what is committed, so the site that
    /// is validated must be the one that is pushed, and a rebase must never
    /// have to set the author's work aside.
    pub(crate) fn uncommitted(&self) -> anyhow::Result<Vec<String>> {
        let status = git::run(
            Some(&self.top),
            &["status", "--porcelain", "--untracked-files=no"],
        )?;
        Ok(status
            .lines()
            .filter_map(|l| l.get(3..))
            .map(str::to_string)
            .collect())
    }

    /// Files in `dirs` (under the site folder `root`) that git does not track:
    /// a build would read them, but CI, which builds what is committed, would not.
    pub(crate) fn untracked(&self, root: &Path, dirs: &[&str]) -> anyhow::Result<Vec<String>> {
        let mut args = vec!["status", "--porcelain", "--untracked-files=all", "--"];
        let paths: Vec<String> = dirs
            .iter()
            .filter_map(|d| self.relative(&root.join(d)).ok())
            .collect();
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        args.extend(paths.iter().map(String::as_str));
        Ok(git::run(Some(&self.top), &args)?
            .lines()
            .filter_map(|l| l.strip_prefix("?? "))
            .map(str::to_string)
            .collect())
    }

    /// Whether the remote still has the branch, or `Err` with why it cannot be asked.
    pub(crate) fn remote_has_branch(&self) -> Result<bool, String> {
        let heads = git::output(
            Some(&self.top),
            &["ls-remote", "--heads", &self.remote, &self.branch],
        )
        .map_err(|e| format!("{e:#}"))?;
        if !heads.status.success() {
            let stderr = String::from_utf8_lossy(&heads.stderr);
            return Err(stderr.lines().next().unwrap_or_default().to_string());
        }
        Ok(!heads.stdout.is_empty())
    }

    /// Commits on the branch that its upstream does not have and statuspost
    /// did not make: `--publish` would push them too.
    pub(crate) fn unpushed_of_others(&self) -> anyhow::Result<Vec<String>> {
        let log = git::run(
            Some(&self.top),
            &[
                "log",
                "--format=%h %s%x1f%(trailers:key=Posted-with,valueonly,separator=)%x1e",
                "@{upstream}..HEAD",
            ],
        )?;
        Ok(log
            .split('\x1e')
            .filter_map(|c| c.trim_start_matches('\n').split_once('\x1f'))
            .filter(|(_, trailer)| trailer.trim() != TRAILER_VALUE)
            .map(|(line, _)| line.to_string())
            .filter(|l| !l.is_empty())
            .collect())
    }

    /// Commits exactly `files` with `message`, marked as statuspost's; returns the commit's id.
    pub(crate) fn commit(&self, files: &[PathBuf], message: &str) -> anyhow::Result<String> {
        let rel: Vec<String> = files
            .iter()
            .map(|f| self.relative(f))
            .collect::<anyhow::Result<_>>()?;
        let mut add = vec!["add", "--"];
        add.extend(rel.iter().map(String::as_str));
        git::run(Some(&self.top), &add)?;
        let trailer = format!("{TRAILER_KEY}: {TRAILER_VALUE}");
        let mut commit = git::identity(&self.top);
        commit.extend(["commit", "-q", "-m", message, "-m", &trailer, "--"]);
        commit.extend(rel.iter().map(String::as_str));
        git::run(Some(&self.top), &commit)?;
        Ok(git::run(Some(&self.top), &["rev-parse", "HEAD"])?
            .trim()
            .to_string())
    }

    /// Pushes the branch to its upstream, once.
    pub(crate) fn push(&self) -> Result<(), Refused> {
        let refspec = format!("HEAD:refs/heads/{}", self.branch);
        let out = git::output(Some(&self.top), &["push", "-q", &self.remote, &refspec])
            .map_err(|e| Refused::Failed(format!("{e:#}")))?;
        if out.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        // git's first line says what failed; the rest is advice for its own commands.
        let first = stderr.lines().next().unwrap_or_default().to_string();
        let moved = ["[rejected]", "non-fast-forward", "fetch first"]
            .iter()
            .any(|s| stderr.contains(s));
        Err(if moved {
            Refused::Moved
        } else {
            Refused::Failed(first)
        })
    }

    /// Rebases the local commits onto the remote branch as it is now. `Ok(true)`
    /// when the last commit's conflict was resolved with `again` (see [`Again`]).
    /// Any other conflict aborts the rebase, leaving the commits as they were.
    pub(crate) fn rebase(&self, again: Option<&Again<'_>>) -> Result<bool, PushError> {
        let failed = |e: anyhow::Error| PushError::Failed(format!("{e:#}"));
        git::run(
            Some(&self.top),
            &["fetch", "-q", &self.remote, &self.branch],
        )
        .map_err(failed)?;
        let own = git::run(Some(&self.top), &["rev-parse", "HEAD"]).map_err(failed)?;
        let mut rebase = git::identity(&self.top);
        rebase.extend(["rebase", "-q", "FETCH_HEAD"]);
        let rebased = git::output(Some(&self.top), &rebase).map_err(failed)?;
        if rebased.status.success() {
            return Ok(false);
        }
        let files: Vec<String> =
            git::run(Some(&self.top), &["diff", "--name-only", "--diff-filter=U"])
                .unwrap_or_default()
                .lines()
                .map(str::to_string)
                .collect();
        let resolved =
            !files.is_empty() && again.is_some_and(|again| self.append_again(&own, &files, again));
        if resolved {
            return Ok(true);
        }
        // Back to exactly the commits made here: nothing is lost, nothing half-merged.
        let _ = git::output(Some(&self.top), &["rebase", "--abort"]);
        Err(if files.is_empty() {
            PushError::Failed(String::from_utf8_lossy(&rebased.stderr).trim().to_string())
        } else {
            PushError::Conflict { files }
        })
    }

    /// Resolves a rebase stopped on the `own` commit's conflict in the file of
    /// `again` alone, by appending its text to the file as the rebased branch
    /// has it, if `again.accept` takes the result.
    fn append_again(&self, own: &str, conflicted: &[String], again: &Again<'_>) -> bool {
        let Ok(rel) = self.relative(again.file) else {
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
        let merged = crate::edit::appended_as_is(&theirs, again.text);
        if !(again.accept)(&theirs, &merged) {
            return false;
        }
        let mut resume = git::identity(&self.top);
        resume.extend(["rebase", "--continue"]);
        std::fs::write(self.top.join(&rel), merged).is_ok()
            && git::run(Some(&self.top), &["add", "--", &rel]).is_ok()
            && git::output(Some(&self.top), &resume).is_ok_and(|o| o.status.success())
    }
}

/// What a commit appended to a file, to append again after someone else's
/// append to the same file (two people updating one incident at once).
pub(crate) struct Again<'a> {
    pub file: &'a Path,
    /// The appended bytes, in the file's own line endings.
    pub text: &'a [u8],
    /// Whether the file as they left it may take the text, and the result reads as it should.
    pub accept: &'a dyn Fn(&[u8], &[u8]) -> bool,
}

/// Why a push did not land.
#[derive(Debug)]
pub(crate) enum Refused {
    /// The remote has commits this branch does not: rebase, then push again.
    Moved,
    Failed(String),
}

/// The trailer on every commit statuspost makes, so that `--publish` can tell
/// its own unpushed commits (from a post while the git host was down) from an
/// author's work in progress.
const TRAILER_KEY: &str = "Posted-with";
const TRAILER_VALUE: &str = "statuspost";
