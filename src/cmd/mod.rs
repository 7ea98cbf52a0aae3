//! One file per subcommand. The only code that sees CLI types or picks an exit code.

mod announce;
mod build;
mod check;
mod init;
mod new;
mod post;
mod postmortem;
mod publish;
mod serve;
mod status;
mod update;
mod watch;

use std::io::Write;

use crate::cli::{Cli, Command, SiteArgs};
use crate::clock::{self, Now};
use crate::templates::TemplateError;

// The subcommands' files reach these through `cmd`, as they did before the
// helpers moved down to `report` for `live` to share.
pub(crate) use crate::report::diagnostics as report;
pub(crate) use crate::report::{plural, summary};

/// How a command ended; the one place that becomes an exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok,
    /// A promised update is overdue, or `--deny-warnings` met a warning (`check`).
    Lapsed,
    /// The site's content or templates are invalid.
    Invalid,
    /// Something outside the content failed: I/O, a port in use.
    Failed,
}

impl Outcome {
    pub(crate) fn code(self) -> i32 {
        match self {
            Outcome::Ok => 0,
            Outcome::Lapsed => 1,
            Outcome::Invalid => 2,
            Outcome::Failed => 3,
        }
    }
}

pub(crate) fn run(mut cli: Cli) -> Outcome {
    if let Some(site) = cli.command.site_mut() {
        match site_root(&site.root) {
            Some(root) => site.root = root,
            // Commands that read the site explain a missing config themselves, with
            // its place; these two would otherwise watch an empty folder for ever.
            None if matches!(cli.command, Command::Serve(_) | Command::Watch(_)) => {
                return refuse(
                    "error: no statuspost.toml here or in any parent folder; run `statuspost init`",
                )
            }
            None => {}
        }
    }
    let result = match cli.command {
        Command::Build(args) => build::run(args),
        Command::Check(args) => check::run(args),
        Command::Init(args) => init::run(args),
        Command::New(args) => new::run(args),
        Command::Update(args) => update::run(args),
        Command::Postmortem(args) => postmortem::run(args),
        Command::Publish(args) => publish::run(args),
        Command::Announce(args) => announce::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Watch(args) => watch::run(args),
        Command::Status(args) => status::run(args),
    };
    match result {
        Ok(outcome) => outcome,
        // Templates are the author's, like content: located and explained.
        Err(err) => match err.downcast_ref::<TemplateError>() {
            Some(e) => {
                report(&e.0);
                Outcome::Invalid
            }
            None if err.is::<DemoNowRefused>() => Outcome::Invalid,
            // The user's own input, like content: not a failure of the machine.
            None if err.downcast_ref::<InvalidNow>().is_some() => {
                crate::report::error(&err);
                Outcome::Invalid
            }
            None => {
                crate::report::error(&err);
                Outcome::Failed
            }
        },
    }
}

/// The site folder `root` is in: itself or the nearest folder above it with a
/// statuspost.toml, as git and cargo find theirs. Written relative when `root`
/// is, so the paths commands print still open from the current folder.
fn site_root(root: &std::path::Path) -> Option<std::path::PathBuf> {
    use std::path::{Component, PathBuf};
    let levels = std::fs::canonicalize(root).ok()?.ancestors().count();
    let mut dir: PathBuf = root
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    for _ in 0..levels {
        let here = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir.clone()
        };
        if here.join("statuspost.toml").is_file() {
            return Some(here);
        }
        match dir.components().next_back() {
            Some(Component::Normal(_)) => {
                dir.pop();
            }
            _ => dir.push(".."),
        }
    }
    None
}

/// A `--now` that is not a time: invalid input, so it exits 2 as bad content does.
#[derive(Debug)]
pub(crate) struct InvalidNow(String);

impl std::fmt::Display for InvalidNow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "--now: {}", self.0)
    }
}

impl std::error::Error for InvalidNow {}

/// "Now": the `--now` flag in the site's zone, or the system clock. Only commands read the clock.
pub(crate) fn now(args: &SiteArgs, tz: chrono_tz::Tz) -> anyhow::Result<Now> {
    match &args.now {
        Some(text) => clock::parse_now(text, tz).map_err(|e| InvalidNow(e).into()),
        None => Ok(chrono::Utc::now()),
    }
}

/// Refuses a `--now` the site's zone cannot resolve (a local time its clocks
/// skip or repeat) before a command that runs until stopped starts; a config
/// that cannot be read is left for that command to report, with its place.
pub(crate) fn check_now(args: &SiteArgs) -> anyhow::Result<()> {
    if args.now.is_some() {
        if let Some(config) = crate::load::load_config(&args.root, &mut Vec::new()) {
            now(args, config.timezone)?;
        }
    }
    Ok(())
}

/// The site's config, or `None` after reporting why it cannot be read.
pub(crate) fn config(root: &std::path::Path) -> Option<crate::model::Config> {
    let mut diagnostics = Vec::new();
    let config = crate::load::load_config(root, &mut diagnostics);
    report(&diagnostics);
    config
}

/// Component ids from the command line as indexes, or a message listing the valid ones.
pub(crate) fn component_ids(
    config: &crate::model::Config,
    ids: &[String],
) -> Result<Vec<usize>, String> {
    let mut out = Vec::with_capacity(ids.len());
    // `-c api,` or `-c api, db`: what is between the commas, trimmed.
    for id in ids.iter().map(|id| id.trim()).filter(|id| !id.is_empty()) {
        match config.component_index(id) {
            Some(i) if !out.contains(&i) => out.push(i),
            Some(_) => {}
            None => {
                return Err(format!(
                    "error: unknown component `{id}`\n  = help: {}",
                    crate::config::component_hint(config, id)
                ))
            }
        }
    }
    Ok(out)
}

/// The promised next update, `--next` or else the site's default, as the file
/// stores it: a duration after `at`, the update's time as shown (`now` to the
/// minute). Rounded up, so the promise is never earlier than the author asked.
pub(crate) fn next_update(
    next: Option<&str>,
    config: &crate::model::Config,
    now: Now,
    at: Now,
) -> Result<Option<String>, String> {
    let promised = match next {
        Some(text) => clock::parse_next(text, now, config.timezone),
        None => match config.default_next_update {
            Some(d) => Ok(now + d),
            None => return Ok(None),
        },
    };
    promised
        .and_then(|t| {
            use chrono::DurationRound;
            let t = t
                .duration_round_up(chrono::TimeDelta::minutes(1))
                .unwrap_or(t);
            // The file's reader takes durations of up to a year.
            if t - at > chrono::TimeDelta::days(366) {
                return Err(format!(
                    "{} is more than a year away",
                    next.unwrap_or("the site's `default_next_update`")
                ));
            }
            Ok(Some(clock::duration_spec(t - at)))
        })
        .map_err(|e| format!("error: --next: {e}"))
}

/// When an update at `at` promises the next one, from its `--next` (already checked).
pub(crate) fn promised_at(next: Option<&str>, at: clock::Now) -> Option<clock::Now> {
    next.and_then(|n| clock::parse_duration(n).ok())
        .map(|d| at + d)
}

/// The update's text from `--message` (`-` for stdin) or `--message-file`, or
/// `None` for the state's template; an empty text is refused, as an update that
/// says nothing would be published as one.
pub(crate) fn message(
    message: Option<&str>,
    file: Option<&std::path::Path>,
) -> Result<Option<String>, String> {
    use std::io::Read;
    let limit = crate::fs::MAX_FILE_BYTES;
    let read = |from: &mut dyn Read, name: &str| {
        let mut bytes = Vec::new();
        from.take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("error: cannot read {name}: {e}"))?;
        if bytes.len() as u64 > limit {
            return Err(format!("error: {name} is larger than 10 MB"));
        }
        String::from_utf8(bytes).map_err(|_| format!("error: {name} is not UTF-8 text"))
    };
    let text = match (message, file) {
        (Some("-"), _) => {
            use std::io::IsTerminal;
            if std::io::stdin().is_terminal() {
                // Otherwise a stressed author faces a silent wait and thinks it hung.
                eprintln!("reading the update's text from the terminal; end it with Ctrl-D on a line of its own");
            }
            read(&mut std::io::stdin().lock(), "the message from stdin")?
        }
        (Some(text), _) => text.to_string(),
        (None, Some(path)) => {
            let name = format!("--message-file `{}`", path.display());
            let mut f =
                std::fs::File::open(path).map_err(|e| format!("error: cannot read {name}: {e}"))?;
            read(&mut f, &name)?
        }
        (None, None) => return Ok(None),
    };
    if text.trim().is_empty() {
        return Err("error: the message is empty; write what customers should read, or leave out --message for the state's template".into());
    }
    // One pasted Windows line ending would make the file's line endings mixed;
    // the file's own are applied when the text is written into it.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if let Some(line) = text.lines().position(|l| l.trim_end() == "+++") {
        return Err(format!(
            "error: line {} of the message is `+++`, which would end the update's block and start another\n  = help: write it differently, e.g. indent it or put it in `code`; nothing was written",
            line + 1
        ));
    }
    Ok(Some(text))
}

/// Prints a one-line refusal to stderr and returns the invalid-input outcome.
pub(crate) fn refuse(message: &str) -> Outcome {
    let _ = writeln!(std::io::stderr().lock(), "{message}");
    Outcome::Invalid
}

/// "Now" for the commands that show a site to its author (build, check, serve,
/// watch): `--now`, else the config's `demo_now`, else the clock.
///
/// In CI (`CI` set, as GitHub Actions, GitLab CI and the others set it) a
/// build is on its way to customers, whatever deploys it: `demo_now` is
/// refused there unless `--now` says the moment on purpose.
pub(crate) fn preview_now(args: &SiteArgs, config: &crate::model::Config) -> anyhow::Result<Now> {
    match config.demo_now {
        Some(_) if args.now.is_none() && in_ci() => {
            refuse_frozen(config, "a build in CI (`CI` is set)".into())?;
            now(args, config.timezone)
        }
        Some(at) if args.now.is_none() => Ok(at),
        _ => now(args, config.timezone),
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// What `demo_now` freezes the clock at, as readers see it (`22 Nov 2026 22:50 GMT`), and where it is written.
pub(crate) fn demo_now(config: &crate::model::Config) -> Option<(String, std::ops::Range<usize>)> {
    let (at, span) = config.demo_now.zip(config.spans.demo_now.clone())?;
    let when = clock::local(at, config.timezone).format("%-d %b %Y %H:%M %Z");
    Some((when.to_string(), span))
}

/// "This demo site depicts ...", when `demo_now` is "now" for this run: said
/// plainly, since the author chose it, but said, since no clock moves the page.
pub(crate) fn demo_note(args: &SiteArgs, config: &crate::model::Config) -> Option<String> {
    let (when, span) = demo_now(config).filter(|_| args.now.is_none())?;
    let source = &config.spans.source;
    let (line, _) = source.line_col(span.start);
    Some(format!(
        "This demo site depicts {when} (`demo_now` in {}, line {line}).",
        source.path.display()
    ))
}

/// [`demo_note`] on stderr, the first time a session asks for "now".
pub(crate) fn note_demo_once(
    args: &SiteArgs,
    config: &crate::model::Config,
    noted: &std::cell::Cell<bool>,
) {
    if !noted.get() {
        if let Some(note) = demo_note(args, config) {
            noted.set(true);
            let _ = writeln!(std::io::stderr().lock(), "{note}");
        }
    }
}

/// Refuses `command` on a site whose clock `demo_now` freezes: it would put the
/// frozen moment in front of customers, or stamp real times onto a page that
/// depicts another.
pub(crate) fn refuse_demo_now(config: &crate::model::Config, command: &str) -> anyhow::Result<()> {
    refuse_frozen(config, format!("`statuspost {command}`"))
}

fn refuse_frozen(config: &crate::model::Config, subject: String) -> anyhow::Result<()> {
    let Some((when, span)) = demo_now(config) else {
        return Ok(());
    };
    let diagnostic = crate::diagnostic::Diagnostic::error(
        &config.spans.source,
        span,
        format!("{subject} refuses a demo site: `demo_now` freezes this site's clock at {when}"),
    )
    .with_help(
        "`demo_now` is for previewing a demo with build and serve: delete this line from statuspost.toml so that the site runs on the real clock",
    );
    // The error alone: `report` would add "in the site's content", which reads as a mistake in it.
    let _ = writeln!(std::io::stderr().lock(), "{diagnostic}");
    Err(DemoNowRefused.into())
}

/// A command refused by [`refuse_demo_now`], which has said why: it exits 2, as invalid input does.
#[derive(Debug)]
pub(crate) struct DemoNowRefused;

impl std::fmt::Display for DemoNowRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("refused: the site sets `demo_now`")
    }
}

impl std::error::Error for DemoNowRefused {}
