//! One file per subcommand. The only code that sees CLI types or picks an exit code.

mod build;
mod check;
mod init;
mod new;
mod serve;
mod update;
mod watch;

use std::io::Write;

use crate::cli::{Cli, Command, SiteArgs};
use crate::clock::{self, Now};
use crate::diagnostic::Diagnostic;
use crate::templates::TemplateError;

/// How a command ended; the one place that becomes an exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// A promised update is overdue, or `--deny-warnings` met a warning (`check`).
    Lapsed,
    /// The site's content or templates are invalid.
    Invalid,
    /// Something outside the content failed: I/O, a port in use.
    Failed,
}

impl Outcome {
    pub fn code(self) -> i32 {
        match self {
            Outcome::Ok => 0,
            Outcome::Lapsed => 1,
            Outcome::Invalid => 2,
            Outcome::Failed => 3,
        }
    }
}

pub fn run(cli: Cli) -> Outcome {
    let result = match cli.command {
        Command::Build(args) => build::run(args),
        Command::Check(args) => check::run(args),
        Command::Init(args) => init::run(args),
        Command::New(args) => new::run(args),
        Command::Update(args) => update::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Watch(args) => watch::run(args),
    };
    match result {
        Ok(outcome) => outcome,
        Err(err) => {
            print_error(&err);
            if err.downcast_ref::<TemplateError>().is_some() {
                Outcome::Invalid
            } else {
                Outcome::Failed
            }
        }
    }
}

fn print_error(err: &anyhow::Error) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "error: {err}");
    for cause in err.chain().skip(1) {
        let _ = writeln!(stderr, "  caused by: {cause}");
    }
}

/// Prints diagnostics to stderr with a summary line; returns whether any is an error.
pub fn report(diagnostics: &[Diagnostic]) -> bool {
    let mut stderr = std::io::stderr().lock();
    for d in diagnostics {
        let _ = writeln!(stderr, "{d}");
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    if errors > 0 {
        let _ = writeln!(
            stderr,
            "error: {errors} error{} and {warnings} warning{} in the site's content; nothing was written",
            plural(errors),
            plural(warnings)
        );
    }
    errors > 0
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// "Now": the `--now` flag in the site's zone, or the system clock. Only commands read the clock.
pub fn now(args: &SiteArgs, tz: chrono_tz::Tz) -> anyhow::Result<Now> {
    match &args.now {
        Some(text) => clock::parse_now(text, tz).map_err(|e| anyhow::anyhow!("--now: {e}")),
        None => Ok(chrono::Utc::now()),
    }
}

/// "built 9 incidents into site: 3 files written, 14 unchanged, 0 removed"
pub fn summary(built: &crate::build::Built, dir: &std::path::Path) -> String {
    let n = built.site.incidents.len();
    let w = &built.written;
    let written = w.added.len() + w.changed.len();
    format!(
        "built {n} incident{} into {}: {written} file{} written, {} unchanged, {} removed",
        plural(n),
        dir.display(),
        plural(written),
        w.unchanged,
        w.removed.len()
    )
}
