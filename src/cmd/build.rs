use std::io::Write;

use crate::build::{self, Outcome as BuildOutcome};
use crate::check::{self, Class};
use std::path::{Path, PathBuf};

use crate::cli::{BuildArgs, SiteArgs};
use crate::cmd::{self, Outcome};
use crate::diagnostic::Severity;

pub(super) fn run(args: BuildArgs) -> anyhow::Result<Outcome> {
    let Some((built, dir)) = build_and_report(&args.site, args.output_dir.as_deref())? else {
        return Ok(Outcome::Invalid);
    };
    let mut stderr = std::io::stderr().lock();
    if let Some(note) = cmd::demo_note(&args.site, &built.site.config) {
        let _ = writeln!(stderr, "{note}");
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
    // Last, for the newcomer whose first command this was.
    let mut serve = String::from("statuspost serve");
    if args.site.root != Path::new(".") {
        serve.push_str(&format!(" --root {}", args.site.root.display()));
    }
    if let Some(out) = &args.output_dir {
        serve.push_str(&format!(" --output-dir {}", out.display()));
    }
    let _ = writeln!(
        stderr,
        "open {} in a browser, or preview it with live reload: {serve}",
        dir.strip_prefix(".")
            .unwrap_or(&dir)
            .join("index.html")
            .display()
    );
    Ok(Outcome::Ok)
}

/// Builds the site into `output_dir` (default `site/`) and reports what
/// `check` would say of it; `None` when the content is invalid, which is
/// reported and leaves the output folder as it was.
pub(super) fn build_and_report(
    site: &SiteArgs,
    output_dir: Option<&Path>,
) -> anyhow::Result<Option<(Box<build::Built>, PathBuf)>> {
    let root = &site.root;
    let dir = output_dir.map_or_else(|| root.join("site"), Path::to_path_buf);
    if let Some(read) = build::reads(root, &dir) {
        cmd::refuse(&format!(
            "error: the output folder `{}` is inside a folder the site reads (`{}`); a build would read its own output back\n  = help: choose another --output-dir, such as `site`",
            dir.display(),
            read.display()
        ));
        return Ok(None);
    }
    match build::build(root, &dir, &|config| cmd::preview_now(site, config))? {
        BuildOutcome::Invalid(diagnostics) => {
            cmd::report(&diagnostics);
            Ok(None)
        }
        BuildOutcome::Built(built) => {
            report_findings(&built, root);
            Ok(Some((built, dir)))
        }
    }
}

/// What `check` would say of a site that built: a lapsed promise does not stop
/// a build, so here it is a warning, but it is never left unsaid.
fn report_findings(built: &build::Built, root: &Path) {
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
