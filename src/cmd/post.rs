//! `--publish` and `--edit` of `new`, `update` and `postmortem`: everything
//! that can fail is checked before the file is written, and what was written
//! reaches readers, or is undone, or is kept with the exact next command.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::announce::ledger;
use crate::cli::{AnnounceArgs, PostArgs, SiteArgs, ViaArg};
use crate::clock::{self, Now};
use crate::cmd::{self, Outcome};
use crate::edit;
use crate::model::{Config, PublishVia};
use crate::post::{PushError, Repo};
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
    pub bytes: Vec<u8>,
    /// The commit message: `payouts-delayed: identified`.
    pub subject: String,
    /// One line: state, time, the promised next update.
    pub summary: String,
}

impl Written {
    /// The update block this command appended, when all it did was append one.
    fn appended(&self) -> Option<&str> {
        let before = self.before.as_deref()?;
        let added = self.bytes.strip_prefix(before)?;
        std::str::from_utf8(added)
            .ok()
            .map(|t| t.trim_start_matches(['\r', '\n']))
            .filter(|t| !t.is_empty())
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
pub(super) fn finish(site: &SiteArgs, plan: Plan, written: Written) -> anyhow::Result<Outcome> {
    let mut edited = false;
    if let Some(editor) = &plan.editor {
        match run_editor(editor, &written.display) {
            Ok(()) => {
                edited = std::fs::read(&written.display).ok().as_ref() != Some(&written.bytes);
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
    eprintln!("{}: {}", file, written.summary);
    let Some((via, repo)) = plan.publish else {
        eprintln!(
            "next: git add {file} && git commit -m \"{}\" && git push",
            written.subject
        );
        return Ok(Outcome::Ok);
    };

    if !repo.changed(&written.display)? {
        eprintln!("nothing changed in `{file}`; nothing to publish");
        return Ok(Outcome::Ok);
    }
    // Exactly what `build` does, into the same folder: CI will build the same.
    let built = match super::build::build_and_report(site, None) {
        Ok(built) => built,
        // A site template that fails on this content is as invalid as the content.
        Err(e) => match e.downcast::<crate::templates::TemplateError>() {
            Ok(t) => {
                cmd::report(&t.0);
                None
            }
            Err(e) => return Err(e),
        },
    };
    let Some((built, dir)) = built else {
        if edited {
            eprintln!("error: nothing was committed; `{file}` keeps your edits: fix it, then `git add {file} && git commit -m \"{}\" && git push`", written.subject);
        } else {
            undo(&written, false)?;
            eprintln!("error: nothing was committed, and `{file}` is as it was before");
        }
        return Ok(Outcome::Invalid);
    };
    let commit = repo.commit(std::slice::from_ref(&written.display), &written.subject)?;
    let short = &commit[..commit.len().min(12)];
    eprintln!("committed {short} {}", written.subject);

    let pushed = match via {
        PublishVia::Push => {
            match repo.push(written.appended().map(|t| (written.display.as_path(), t))) {
                Ok(rebased) => {
                    eprintln!(
                        "pushed to {} {}{}: CI publishes and announces it",
                        repo.remote,
                        repo.branch,
                        if rebased {
                            ", on top of what others pushed meanwhile"
                        } else {
                            ""
                        }
                    );
                    true
                }
                Err(e) => {
                    push_failed(&e, &repo, short);
                    return Ok(Outcome::Failed);
                }
            }
        }
        PublishVia::Direct => {
            let config = &built.site.config;
            let remote = config.publish.git.clone().unwrap_or_default();
            let published = publish::publish(
                &dir,
                &Options {
                    remote: &remote,
                    branch: &config.publish.branch,
                    message: &written.subject,
                    force: false,
                },
            )?;
            eprintln!(
                "published {} to `{remote}` {}",
                published
                    .commit
                    .as_deref()
                    .map_or("nothing new", |c| &c[..c.len().min(12)]),
                config.publish.branch
            );
            let announced = super::announce::run(AnnounceArgs {
                site: site.clone(),
                dry_run: false,
            })?;
            let state = site.root.join(ledger::PATH);
            if state.exists() && repo.changed(&state)? {
                let c = repo.commit(&[state], &format!("announce: {}", written.subject))?;
                eprintln!(
                    "committed {} the record of what was announced",
                    &c[..c.len().min(12)]
                );
            }
            // The git host may be the thing that is down: readers have the update already.
            match repo.push(written.appended().map(|t| (written.display.as_path(), t))) {
                Ok(_) => eprintln!("pushed to {} {}", repo.remote, repo.branch),
                Err(e) => {
                    let why = match e {
                        PushError::Conflict { files } => {
                            format!("the remote has other changes to {}", files.join(", "))
                        }
                        PushError::Failed(m) => m,
                    };
                    eprintln!("warning: the site is published, but pushing the content failed: {why}\n  = help: your commits are here; `git pull --rebase && git push` when the git host is back");
                }
            }
            if announced != Outcome::Ok {
                return Ok(announced);
            }
            true
        }
    };
    match plan.wait {
        Some(wait) if pushed => Ok(wait_live(site, wait)),
        _ => Ok(Outcome::Ok),
    }
}

fn push_failed(e: &PushError, repo: &Repo, short: &str) {
    let mut err = std::io::stderr().lock();
    let _ = match e {
        PushError::Conflict { files } => writeln!(
            err,
            "error: {} {} has other changes to {}; your update is committed here as {short} and was not pushed\n  = help: `git pull --rebase`, keep both sides' updates, then `git push`",
            repo.remote,
            repo.branch,
            if files.is_empty() { "the same files".to_string() } else { files.join(", ") }
        ),
        PushError::Failed(why) => writeln!(
            err,
            "error: pushing to {} {} failed: {why}\n  = help: your update is committed here as {short}; `git push` when the git host is back, or publish from here with `statuspost publish` (see `[publish]` in README)",
            repo.remote, repo.branch
        ),
    };
}

/// Polls the published site until it serves the latest update.
fn wait_live(site: &SiteArgs, wait: Duration) -> Outcome {
    let loaded = crate::load::load(&site.root);
    let Some(s) = loaded.site else {
        return Outcome::Invalid;
    };
    let Ok(now) = cmd::now(site, s.config.timezone) else {
        return Outcome::Invalid;
    };
    let s = crate::render::as_of(&s, now);
    let latest = crate::render::api::updated_at(&s);
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
