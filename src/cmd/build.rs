use std::io::Write;

use crate::build::{self, Outcome as BuildOutcome};
use crate::check::{self, Class};
use crate::cli::BuildArgs;
use crate::cmd::{self, Outcome};
use crate::diagnostic::Severity;

pub(super) fn run(args: BuildArgs) -> anyhow::Result<Outcome> {
    let root = &args.site.root;
    let dir = args.output_dir.clone().unwrap_or_else(|| root.join("site"));
    let built = match build::build(root, &dir, &|tz| cmd::now(&args.site, tz))? {
        BuildOutcome::Invalid(diagnostics) => {
            cmd::report(&diagnostics);
            return Ok(Outcome::Invalid);
        }
        BuildOutcome::Built(built) => built,
    };
    report_findings(&built, root);
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{}", cmd::summary(&built, &dir));
    if args.timings {
        let t = built.timings;
        let _ = writeln!(
            stderr,
            "timings: load {:.1} ms, render {:.1} ms, write {:.1} ms",
            t.load.as_secs_f64() * 1e3,
            t.render.as_secs_f64() * 1e3,
            t.write.as_secs_f64() * 1e3
        );
    }
    Ok(Outcome::Ok)
}

/// What `check` would say of a site that built: a lapsed promise does not stop
/// a build, so here it is a warning, but it is never left unsaid.
pub(super) fn report_findings(built: &build::Built, root: &std::path::Path) {
    let root_findings = check::findings(&built.site, built.now, root);
    let mut diagnostics = built.warnings.clone();
    diagnostics.extend(root_findings.into_iter().map(|f| {
        let mut d = f.diagnostic;
        if f.class == Class::Lapsed {
            d.severity = Severity::Warning;
        }
        d
    }));
    crate::diagnostic::sort(&mut diagnostics);
    cmd::report(&diagnostics);
}
