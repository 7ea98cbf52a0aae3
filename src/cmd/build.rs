use std::io::Write;

use crate::build::{self, Outcome as BuildOutcome};
use crate::cli::BuildArgs;
use crate::cmd::{self, Outcome};
use crate::lapse;

pub fn run(args: BuildArgs) -> anyhow::Result<Outcome> {
    let root = &args.site.root;
    let dir = args.output_dir.clone().unwrap_or_else(|| root.join("site"));
    let built = match build::build(root, &dir, &|tz| cmd::now(&args.site, tz))? {
        BuildOutcome::Invalid(diagnostics) => {
            cmd::report(&diagnostics);
            return Ok(Outcome::Invalid);
        }
        BuildOutcome::Built(built) => built,
    };
    let mut warnings = built.warnings.clone();
    warnings.extend(lapse::future_dated(&built.site, built.now));
    crate::diagnostic::sort(&mut warnings);
    cmd::report(&warnings);
    let mut stderr = std::io::stderr().lock();
    for finding in lapse::evaluate(&built.site, built.now) {
        if matches!(finding.promise, lapse::Promise::Lapsed { .. }) {
            let _ = writeln!(
                stderr,
                "warning: {}",
                finding.message(built.site.config.timezone)
            );
        }
    }
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
