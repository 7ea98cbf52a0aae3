use std::io::Write;

use crate::cli::BuildArgs;
use crate::cmd::{self, Outcome};
use crate::{lapse, load, output, render, templates::Templates};

pub fn run(args: BuildArgs) -> anyhow::Result<Outcome> {
    let root = &args.site.root;
    let loaded = load::load(root);
    if cmd::report(&loaded.diagnostics) {
        return Ok(Outcome::Invalid);
    }
    let Some(site) = loaded.site else {
        return Ok(Outcome::Invalid);
    };
    let now = cmd::now(&args.site, site.config.timezone)?;
    let templates = Templates::load(root)?;
    let rendered = render::render(&site, now, &templates)?;
    let dir = args.output_dir.clone().unwrap_or_else(|| root.join("site"));
    let written = output::write(&dir, &rendered)?;

    let mut stderr = std::io::stderr().lock();
    for finding in lapse::evaluate(&site, now) {
        if matches!(finding.promise, lapse::Promise::Lapsed { .. }) {
            let _ = writeln!(stderr, "warning: {}", finding.message(site.config.timezone));
        }
    }
    let _ = writeln!(
        stderr,
        "built {} incident{} into {}: {} file{} written, {} unchanged, {} removed",
        site.incidents.len(),
        cmd::plural(site.incidents.len()),
        dir.display(),
        written.added.len() + written.changed.len(),
        cmd::plural(written.added.len() + written.changed.len()),
        written.unchanged,
        written.removed.len()
    );
    Ok(Outcome::Ok)
}
