//! `--publish` and `--edit` of `new`, `update` and `postmortem`: everything
//! that can fail is checked before the file is written, and what was written
//! reaches readers, or is undone, or is kept with the exact next command.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::announce::ledger;
use crate::cli::{AnnounceArgs, PostArgs, SiteArgs, ViaArg};
use crate::clock::{self, Now};
use crate::cmd::{self, Outcome};
use crate::edit;
use crate::model::{Config, PublishVia};
use crate::post::{Again, PushError, Refused, Repo};
use crate::publish::{self, Options};

/// What was checked before writing.
pub(super) struct Plan {
    editor: Option<Vec<String>>,
    publish: Option<(PublishVia, Repo)>,
    wait: Option<Duration>,
}

/// A file a command wrote, and what it was before.
pub(super) struct Written {
    /// As the author should read it, relative to the current folder.
    pub display: PathBuf,
    /// `None` for a file the command created.
    pub before: Option<Vec<u8>>,
    /// What the command wrote; once the editor has closed, what the author saved.
    pub bytes: Vec<u8>,
    /// The commit message: `payouts-delayed: identified`.
    pub subject: String,
    /// One line: state, time, the promised next update.
    pub summary: String,
    /// For an appended update: whether the file as another author left it
    /// (first argument) may take it again on top, and the result (second)
    /// reads back with it as the one new update. `None`: never re-appended.
    pub accept: Option<Box<Accept>>,
}

/// Whether the file as another author left it may take our update again, and the result reads back.
pub(super) type Accept = dyn Fn(&[u8], &[u8]) -> bool;

impl Written {
    /// The bytes this command appended, when all it did was append.
    fn appended(&self) -> Option<&[u8]> {
        let added = self.bytes.strip_prefix(self.before.as_deref()?)?;
        let start = added.iter().position(|b| !matches!(b, b'\r' | b'\n'))?;
        // Only whole update blocks move: text added to the end of the update
        // before (a correction made in the editor) belongs to that update.
        added[start..]
            .starts_with(b"+++")
            .then_some(&added[start..])
    }
}

/// Checks the editor, the repository and the site before anything is written.
pub(super) fn prepare(
    args: &PostArgs,
    edit: bool,
    site: &SiteArgs,
    config: &Config,
) -> Result<Plan, Outcome> {
    let editor = if edit {
        Some(
            editor()
                .map_err(|m| cmd::refuse(&format!("error: {m}\n  = help: nothing was written"))),
        )
        .transpose()?
    } else {
        None
    };
    let wait = match args.wait.as_deref().map(clock::parse_duration) {
        Some(Ok(d)) => Some(d.to_std().unwrap_or_default()),
        Some(Err(e)) => return Err(cmd::refuse(&format!("error: --wait: {e}"))),
        None => None,
    };
    let via = args.publish.map(|v| match v {
        Some(ViaArg::Push) => PublishVia::Push,
        Some(ViaArg::Direct) => PublishVia::Direct,
        None => config.publish.via,
    });
    let publish = match via {
        None => None,
        Some(via) => {
            if via == PublishVia::Direct && config.publish.git.is_none() {
                return Err(cmd::refuse(
                    "error: --publish=direct needs the repository the host deploys from\n  = help: add `[publish]` with `git = \"...\"` (and `branch`) to statuspost.toml; nothing was written",
                ));
            }
            let repo = Repo::open(&site.root)
                .map_err(|m| cmd::refuse(&format!("error: {m}\n  = help: nothing was written")))?;
            let list = |items: Vec<String>| {
                let more = items.len().saturating_sub(10);
                let mut lines: Vec<String> = items
                    .into_iter()
                    .take(10)
                    .map(|i| format!("  {i}"))
                    .collect();
                if more > 0 {
                    lines.push(format!("  and {more} more"));
                }
                lines.join("\n")
            };
            let uncommitted = repo
                .uncommitted()
                .map_err(|e| cmd::refuse(&format!("error: {e:#}")))?;
            if !uncommitted.is_empty() {
                return Err(cmd::refuse(&format!(
                    "error: --publish needs your changes committed first; these are not:\n{}\n  = help: CI builds what is committed, so the site checked here must be the one pushed; commit them, or `git stash` now and `git stash pop` after posting. Nothing was written",
                    list(uncommitted)
                )));
            }
            let untracked = repo
                .untracked(&site.root, &site_files())
                .map_err(|e| cmd::refuse(&format!("error: {e:#}")))?;
            if !untracked.is_empty() {
                return Err(cmd::refuse(&format!(
                    "error: the site has files git does not track, which a build here would publish and CI's would not:\n{}\n  = help: commit them, or move them out of the site (a draft can wait in another folder). Nothing was written",
                    list(untracked)
                )));
            }
            let unpushed = repo
                .unpushed_of_others()
                .map_err(|e| cmd::refuse(&format!("error: {e:#}")))?;
            if !unpushed.is_empty() {
                return Err(cmd::refuse(&format!(
                    "error: --publish would also push these commits of yours:\n{}\n  = help: push them first (`git push`), or move them to a branch of their own. Nothing was written",
                    list(unpushed)
                )));
            }
            // Someone else's broken file would stop CI from publishing this update too.
            let loaded = crate::load::load(&site.root);
            if loaded.site.is_none() {
                cmd::report(&loaded.diagnostics);
                return Err(cmd::refuse(
                    "error: the site does not build as it is; fix the errors above, then post again\n  = help: nothing was written",
                ));
            }
            Some((via, repo))
        }
    };
    Ok(Plan {
        editor,
        publish,
        wait,
    })
}

/// The one-line summary of a new update.
pub(super) fn summary(state: &str, at: Now, next: Option<Now>, tz: chrono_tz::Tz) -> String {
    let time = |t: Now| clock::local(t, tz).format("%H:%M %Z on %-d %b").to_string();
    match next {
        Some(n) => format!(
            "{state} at {}; next update promised by {}",
            time(at),
            time(n)
        ),
        None => format!("{state} at {}; no next update promised", time(at)),
    }
}

/// Edits, then publishes, what a command wrote.
pub(super) fn finish(site: &SiteArgs, plan: Plan, mut written: Written) -> anyhow::Result<Outcome> {
    let mut edited = false;
    if let Some(editor) = &plan.editor {
        match run_editor(editor, &written.display) {
            Ok(()) => {
                let saved = std::fs::read(&written.display)?;
                edited = saved != written.bytes;
                written.bytes = saved;
            }
            Err(why) => {
                undo(&written, true)?;
                return Ok(cmd::refuse(&format!(
                    "cancelled: {why}; `{}` is as it was before",
                    written.display.display()
                )));
            }
        }
    }
    let file = written.display.display().to_string();
    if written.before.as_ref() == Some(&written.bytes) {
        eprintln!("nothing changed in `{file}`; nothing to publish");
        return Ok(Outcome::Ok);
    }
    eprintln!("{file}: {}", written.summary);
    let Some((via, repo)) = plan.publish else {
        eprintln!("next: {}", publish_command(&written));
        return Ok(Outcome::Ok);
    };

    // Exactly what `build` does, into the same folder: CI will build the same.
    let Some(mut built) = validate(site)? else {
        if edited {
            eprintln!(
                "error: nothing was committed; `{file}` keeps your edits: fix it, then `{}`",
                publish_command(&written)
            );
        } else {
            undo(&written, false)?;
            eprintln!("error: nothing was committed, and `{file}` is as it was before");
        }
        return Ok(Outcome::Invalid);
    };
    let commit = match repo.commit(std::slice::from_ref(&written.display), &written.subject) {
        Ok(commit) => commit,
        Err(e) => {
            eprintln!(
                "error: {e:#}\n  = help: `{file}` is written and staged, not committed; once that is fixed: `git commit -m {} -- {} && git push`",
                sh(&written.subject),
                sh(&file)
            );
            return Ok(Outcome::Failed);
        }
    };
    let short = short_id(&commit).to_string();
    eprintln!("committed {short} {}", written.subject);

    let synced = match sync(&repo, &written, site, &short, via, &mut built)? {
        Ok(synced) => synced,
        Err(outcome) => return Ok(outcome),
    };
    match (via, &synced) {
        (PublishVia::Push, Synced::Pushed { rebased }) => eprintln!(
            "pushed to {} {}{}: CI publishes and announces it",
            repo.remote,
            repo.branch,
            if *rebased {
                ", on top of what others pushed meanwhile"
            } else {
                ""
            }
        ),
        (PublishVia::Push, Synced::Unreachable(why)) => {
            eprintln!(
                "error: pushing to {} {} failed: {why}\n  = help: your update is committed here as {short}; `git push` when the git host is back, or publish it from here with `statuspost publish` (see `[publish]` in README)",
                repo.remote, repo.branch
            );
            return Ok(Outcome::Failed);
        }
        (PublishVia::Direct, _) => {
            let outcome = direct(site, &repo, &written, &built, &synced, &short)?;
            if outcome != Outcome::Ok {
                return Ok(outcome);
            }
        }
    }
    match plan.wait {
        Some(wait) => Ok(wait_live(&built.0, wait)),
        None => Ok(Outcome::Ok),
    }
}

/// A site that built, and the folder it was built into.
type Built = (Box<crate::build::Built>, PathBuf);

/// Where the content repository stands after pushing.
enum Synced {
    Pushed {
        rebased: bool,
    },
    /// The remote could not be reached, or refused for a reason other than moving on.
    Unreachable(String),
}

/// Pushes the commit; if the remote moved on, rebases onto it once (another
/// author's update to the same incident is kept: ours goes after it),
/// validates the result as `build` does (which replaces `built`), and pushes again.
fn sync(
    repo: &Repo,
    written: &Written,
    site: &SiteArgs,
    short: &str,
    via: PublishVia,
    built: &mut Built,
) -> anyhow::Result<Result<Synced, Outcome>> {
    let head = format!("{} {}", repo.remote, repo.branch);
    // Where CI builds from must still exist: a push would quietly make a branch nothing builds.
    match repo.remote_has_branch() {
        Ok(true) => {}
        Ok(false) => {
            eprintln!(
                "error: {} has no branch `{}` any more; your update is committed here as {short} and was not pushed\n  = help: push it to the branch CI builds from: `git push {} HEAD:BRANCH`, and `git branch -u {}/BRANCH`",
                repo.remote, repo.branch, repo.remote, repo.remote
            );
            return Ok(Err(Outcome::Failed));
        }
        Err(why) => return Ok(Ok(Synced::Unreachable(why))),
    }
    // With CI down, pushing is not publishing: say what else finishes the job.
    let then = if via == PublishVia::Direct {
        "; readers do not see it yet: then `statuspost publish` and `statuspost announce`"
    } else {
        ""
    };
    match repo.push() {
        Ok(()) => return Ok(Ok(Synced::Pushed { rebased: false })),
        Err(Refused::Failed(why)) => return Ok(Ok(Synced::Unreachable(why))),
        Err(Refused::Moved) => {}
    }
    let again = match (&written.accept, written.appended()) {
        (Some(accept), Some(text)) => Some(Again {
            file: &written.display,
            text,
            accept: accept.as_ref(),
        }),
        _ => None,
    };
    match repo.rebase(again.as_ref()) {
        Ok(_) => {}
        Err(PushError::Conflict { files }) if written.before.is_none() => {
            let stem = written
                .display
                .file_stem()
                .map_or(String::new(), |s| s.to_string_lossy().into_owned());
            eprintln!(
                "error: another author opened `{}` on {head} meanwhile; yours is committed here as {short} and was not pushed\n  = help: your text stays in that commit (`git show {short}`); to post it to their incident instead: `git reset -q --hard @{{upstream}} && git pull -q`, then `statuspost update {stem} STATE -m TEXT --publish`",
                files.join(", ")
            );
            return Ok(Err(Outcome::Failed));
        }
        Err(PushError::Conflict { files }) => {
            eprintln!(
                "error: {head} has other changes to {}; your update is committed here as {short} and was not pushed\n  = help: `git pull --rebase`, keep both sides, then `git push`{then}",
                files.join(", ")
            );
            return Ok(Err(Outcome::Failed));
        }
        Err(PushError::Failed(why)) => {
            eprintln!(
                "error: {head} moved on, and rebasing onto it failed: {why}\n  = help: your update is committed here as {short} and was not pushed: `git pull --rebase && git push`{then}"
            );
            return Ok(Err(Outcome::Failed));
        }
    }
    // What others pushed is part of the site now: check what will be pushed.
    match validate(site)? {
        Some(rebuilt) => *built = rebuilt,
        None => {
            eprintln!(
                "error: with what others pushed meanwhile, the site does not build (above); your update is committed here, on top of theirs, and was not pushed\n  = help: fix it, commit, then `git push`{then}"
            );
            return Ok(Err(Outcome::Invalid));
        }
    }
    match repo.push() {
        Ok(()) => Ok(Ok(Synced::Pushed { rebased: true })),
        Err(Refused::Moved) => {
            eprintln!(
                "error: {head} moved on again while this update was being rebased; it is committed here\n  = help: `git pull --rebase && git push`{then}"
            );
            Ok(Err(Outcome::Failed))
        }
        Err(Refused::Failed(why)) => Ok(Ok(Synced::Unreachable(why))),
    }
}

/// `--publish=direct`, after the content is committed and, when the git host
/// answers, pushed: the site as built here goes to the pages repository, the
/// update is announced, and the record of what was sent is committed.
fn direct(
    site: &SiteArgs,
    repo: &Repo,
    written: &Written,
    built: &Built,
    synced: &Synced,
    short: &str,
) -> anyhow::Result<Outcome> {
    let (pushed, state) = match synced {
        Synced::Pushed { .. } => (true, format!("committed as {short} and pushed")),
        Synced::Unreachable(why) => {
            eprintln!(
                "warning: cannot push to {} {}: {why}\n  = help: publishing from this machine's copy; updates others pushed since your last pull are not in it",
                repo.remote, repo.branch
            );
            (false, format!("committed here as {short}, not pushed"))
        }
    };
    let (built, dir) = built;
    let config = &built.site.config;
    let remote = config.publish.git.clone().unwrap_or_default();
    let options = Options {
        remote: &remote,
        branch: &config.publish.branch,
        message: &written.subject,
        force: false,
    };
    match publish::publish(dir, &options) {
        Ok(published) => eprintln!(
            "published {} to `{remote}` {}",
            published.commit.as_deref().map_or("nothing new", short_id),
            config.publish.branch
        ),
        Err(e) => {
            eprintln!(
                "error: publishing the site failed: {e:#}\n  = help: your update is {state}; readers do not see it yet: `statuspost publish` once `{remote}` answers{}",
                if pushed { " (or let CI publish it)" } else { "" }
            );
            return Ok(Outcome::Failed);
        }
    }
    let announced = match super::announce::run(AnnounceArgs {
        site: site.clone(),
        dry_run: false,
    }) {
        Ok(outcome) => outcome,
        Err(e) => {
            eprintln!(
                "error: the site is published, but announcing failed: {e:#}\n  = help: your update is {state}; `statuspost announce` sends what was not sent (it is recorded in {})",
                ledger::PATH
            );
            Outcome::Failed
        }
    };
    let record = site.root.join(ledger::PATH);
    if record.exists() && repo.changed(&record)? {
        let c = repo.commit(&[record], &format!("announce: {}", written.subject))?;
        eprintln!(
            "committed {} the record of what was announced",
            short_id(&c)
        );
        // The git host may be the thing that is down: readers have the update already.
        let landed = match repo.push() {
            Ok(()) => Ok(()),
            Err(Refused::Moved) => match repo.rebase(None) {
                Ok(_) => repo.push().map_err(|e| match e {
                    Refused::Moved => "the remote moved on again".to_string(),
                    Refused::Failed(why) => why,
                }),
                Err(PushError::Conflict { files }) => Err(format!(
                    "the remote has other changes to {}",
                    files.join(", ")
                )),
                Err(PushError::Failed(why)) => Err(why),
            },
            Err(Refused::Failed(why)) => Err(why),
        };
        match landed {
            Ok(()) => eprintln!("pushed to {} {}", repo.remote, repo.branch),
            Err(why) => eprintln!(
                "warning: the site is published, but pushing to {} {} failed: {why}\n  = help: your commits are here; `git pull --rebase && git push` when the git host is back, so that CI does not announce the update again",
                repo.remote, repo.branch
            ),
        }
    }
    Ok(announced)
}

/// Builds the site as `build` does, reporting what it finds; `None` when it is
/// invalid. A site template that fails on this content is as invalid as the content.
fn validate(site: &SiteArgs) -> anyhow::Result<Option<Built>> {
    match super::build::build_and_report(site, None) {
        Ok(built) => Ok(built),
        Err(e) => match e.downcast::<crate::templates::TemplateError>() {
            Ok(t) => {
                cmd::report(&t.0);
                Ok(None)
            }
            Err(e) => Err(e),
        },
    }
}

/// What a build reads: the config and the folders of [`crate::build::READ_DIRS`].
fn site_files() -> Vec<&'static str> {
    let mut files = vec![crate::config::FILE_NAME];
    files.extend(crate::build::READ_DIRS);
    files
}

/// A commit's id as people quote it.
fn short_id(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}

/// The command that publishes what was written, to paste.
fn publish_command(written: &Written) -> String {
    let file = sh(&written.display.display().to_string());
    format!(
        "git add {file} && git commit -m {} -- {file} && git push",
        sh(&written.subject)
    )
}

/// `text` as one word for a POSIX shell.
fn sh(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_./:@%+=,-".contains(&b));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// Polls the published site until it serves the latest update of the site as built.
fn wait_live(built: &crate::build::Built, wait: Duration) -> Outcome {
    let s = crate::render::as_of(&built.site, built.now);
    let latest = crate::render::api::live_stamp(&s, built.now);
    let url = s.config.base_url.clone();
    eprintln!("waiting for {url} to serve it...");
    let polled = super::status::poll(&url, latest, wait);
    if polled.live(latest) {
        eprintln!("live at {url} after {} s", polled.waited.as_secs());
        Outcome::Ok
    } else {
        let serves = match (polled.published, polled.error) {
            (Some(p), _) => format!("it serves content as of {}", clock::iso(p)),
            (None, Some(e)) => e,
            (None, None) => "it did not answer".to_string(),
        };
        eprintln!(
            "not live after {} s: {serves}; the update is {}",
            polled.waited.as_secs(),
            clock::iso(latest)
        );
        Outcome::Lapsed
    }
}

/// The author's editor as program and arguments, checked to exist.
fn editor() -> Result<Vec<String>, String> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|e| !e.trim().is_empty())
        })
        .ok_or("--edit needs $VISUAL or $EDITOR to name your editor")?;
    // EDITOR may carry arguments ("code --wait"); split on whitespace as git does for simple cases.
    let parts: Vec<String> = editor.split_whitespace().map(str::to_string).collect();
    let program = Path::new(&parts[0]);
    let found = if program.components().count() > 1 {
        program.is_file()
    } else {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
    };
    if !found {
        return Err(format!(
            "the editor `{editor}` (from $VISUAL or $EDITOR) is not installed or not on the PATH"
        ));
    }
    Ok(parts)
}

/// Opens `path` in the editor and waits; an editor that exits with an error cancels, as with `git commit`.
fn run_editor(editor: &[String], path: &Path) -> Result<(), String> {
    let status = std::process::Command::new(&editor[0])
        .args(&editor[1..])
        .arg(path)
        .status()
        .map_err(|e| format!("failed to start the editor `{}`: {e}", editor.join(" ")))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "the editor `{}` exited with {status}",
            editor.join(" ")
        ))
    }
}

/// Puts the file back as it was before the command. Text the author typed
/// into it since is kept beside the ledger, never thrown away.
fn undo(written: &Written, keep_edits: bool) -> anyhow::Result<()> {
    let path = &written.display;
    let now = std::fs::read(path).unwrap_or_default();
    if now != written.bytes {
        if !keep_edits {
            anyhow::bail!(
                "`{}` changed since it was written; it is left as it is",
                path.display()
            );
        }
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let kept = std::env::temp_dir().join(format!(
            "statuspost-cancelled-{}-{name}",
            std::process::id()
        ));
        std::fs::write(&kept, &now)?;
        eprintln!("your edited text is kept in `{}`", kept.display());
    }
    match &written.before {
        Some(before) => {
            let locked = edit::lock(path)?;
            edit::replace(&locked, path, before)?;
        }
        None => std::fs::remove_file(path)?,
    }
    Ok(())
}

/// The commit message for an update of `slug` (its date left out, as authors say it).
pub(super) fn subject(slug: &str, what: &str) -> String {
    let b = slug.as_bytes();
    let dated = b.len() > 11
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && b[10] == b'-';
    format!("{}: {what}", if dated { &slug[11..] } else { slug })
}
