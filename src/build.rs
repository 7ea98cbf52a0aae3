//! One build: load and validate the site, render it in memory, write what changed.
//! Shared by `build`, `watch` and `serve`.

use std::path::Path;

use chrono_tz::Tz;

use crate::clock::Now;
use crate::diagnostic::Diagnostic;
use crate::load;
use crate::model::Site;
use crate::output::{self, Written};
use crate::render::{self, Output};
use crate::templates::Templates;

/// A build that wrote the site.
pub struct Built {
    pub site: Site,
    pub now: Now,
    pub output: Output,
    pub written: Written,
    /// Warnings from loading (errors stop the build).
    pub warnings: Vec<Diagnostic>,
}

pub enum Outcome {
    Built(Box<Built>),
    /// The content has errors; nothing was written. Holds every diagnostic.
    Invalid(Vec<Diagnostic>),
}

/// Runs one build of the site at `root` into `out_dir`. `now` turns the
/// `--now` setting into an instant once the site's zone is known.
pub fn build(
    root: &Path,
    out_dir: &Path,
    now: &dyn Fn(Tz) -> anyhow::Result<Now>,
) -> anyhow::Result<Outcome> {
    let loaded = load::load(root);
    let Some(site) = loaded.site else {
        return Ok(Outcome::Invalid(loaded.diagnostics));
    };
    let now = now(site.config.timezone)?;
    let templates = Templates::load(root)?;
    let output = render::render(&site, now, &templates)?;
    let written = output::write(out_dir, &output)?;
    Ok(Outcome::Built(Box::new(Built {
        site,
        now,
        output,
        written,
        warnings: loaded.diagnostics,
    })))
}
