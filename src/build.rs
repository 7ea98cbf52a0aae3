//! One build: load and validate the site, render it in memory, write what changed.
//! Shared by `build`, `watch` and `serve`.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::clock::Now;
use crate::diagnostic::Diagnostic;
use crate::load;
use crate::model::{Config, Site};
use crate::output::{Stage, Written};
use crate::render;
use crate::templates::Templates;

/// A build that wrote the site.
pub struct Built {
    pub site: Site,
    pub now: Now,
    /// Where the site was written.
    pub out_dir: std::path::PathBuf,
    pub written: Written,
    /// Warnings from loading (errors stop the build).
    pub warnings: Vec<Diagnostic>,
    pub timings: Timings,
}

/// Where a build's time went, for `build --timings` and the benchmark.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    pub load: std::time::Duration,
    pub render: std::time::Duration,
    pub write: std::time::Duration,
}

pub enum Outcome {
    Built(Box<Built>),
    /// The content has errors; nothing was written. Holds every diagnostic.
    Invalid(Vec<Diagnostic>),
}

/// Runs one build of the site at `root` into `out_dir`. `now` turns the
/// `--now` setting into an instant once the site's config (its zone, its
/// `demo_now`) is known.
pub fn build(
    root: &Path,
    out_dir: &Path,
    now: &dyn Fn(&Config) -> anyhow::Result<Now>,
) -> anyhow::Result<Outcome> {
    Session::default().build(root, out_dir, now)
}

/// What `watch` and `serve` keep between rebuilds: parsed incident files and
/// compiled templates, each reused until its files change on disk.
#[derive(Default)]
pub struct Session {
    files: load::Cache,
    templates: Option<(u64, Templates)>,
}

impl Session {
    /// One build, reusing what has not changed since the last one.
    pub fn build(
        &mut self,
        root: &Path,
        out_dir: &Path,
        now: &dyn Fn(&Config) -> anyhow::Result<Now>,
    ) -> anyhow::Result<Outcome> {
        // Measuring is not reading the clock for content: nothing rendered depends on it.
        let t0 = std::time::Instant::now();
        let stamp = templates_stamp(root);
        let recompile = self.templates.as_ref().is_none_or(|(s, _)| *s != stamp);
        // Compiling the templates takes one core about as long as a thousand
        // incidents take to load on the other: do both at once.
        let files = &mut self.files;
        let (loaded, compiled) = rayon::join(
            || load::load_cached(root, files),
            || recompile.then(|| Templates::load(root)),
        );
        let t_load = t0.elapsed();
        let Some(site) = loaded.site else {
            if let Some(Ok(templates)) = compiled {
                self.templates = Some((stamp, templates));
            }
            return Ok(Outcome::Invalid(loaded.diagnostics));
        };
        let now = now(&site.config)?;
        if let Some(compiled) = compiled {
            self.templates = Some((stamp, compiled?));
        }
        let templates = &self
            .templates
            .as_ref()
            .expect("templates were just loaded")
            .1;
        if let Some(read) = reads(root, out_dir) {
            anyhow::bail!(
                "refusing to build into `{}`: it is inside `{}`, which the site reads",
                out_dir.display(),
                read.display()
            );
        }
        // Rendering and staging overlap: each page is compared and staged as it is rendered.
        let stage = Stage::open(out_dir)?;
        render::render_into(&site, now, templates, &stage)?;
        copy_static(root, &stage)?;
        let t_render = t0.elapsed();
        let written = stage.commit()?;
        let timings = Timings {
            load: t_load,
            render: t_render - t_load,
            write: t0.elapsed() - t_render,
        };
        Ok(Outcome::Built(Box::new(Built {
            site,
            now,
            out_dir: out_dir.to_path_buf(),
            written,
            warnings: loaded.diagnostics,
            timings,
        })))
    }
}

/// The folders of a site that a build reads, beside `statuspost.toml`.
pub(crate) const READ_DIRS: [&str; 5] = [
    load::INCIDENTS_DIR,
    crate::maintenance_file::DIR,
    crate::templates::DIR,
    crate::i18n::DIR,
    STATIC_DIR,
];

/// The folder the site reads that `out_dir` is (or is inside), if any: the
/// root itself or one of its source folders. Writing there, a build would
/// read its own output back (as templates, incidents, static files).
pub(crate) fn reads(root: &Path, out_dir: &Path) -> Option<PathBuf> {
    let root = absolute(root);
    let out = absolute(out_dir);
    if out == root {
        return Some(root);
    }
    READ_DIRS
        .into_iter()
        .map(|d| root.join(d))
        .find(|d| out.starts_with(d))
}

/// `path` made absolute with links resolved, as far as it exists: an output
/// folder not made yet is compared by where it would be.
fn absolute(path: &Path) -> PathBuf {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut missing = Vec::new();
    let mut existing = path.as_path();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return missing.iter().rev().fold(real, |p, part| p.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name.to_os_string());
                existing = parent;
            }
            _ => return path,
        }
    }
}

/// The site's own files, copied verbatim to the same paths in the output.
pub(crate) const STATIC_DIR: &str = "static";

/// Copies `static/` into the output after every page is staged, so that a
/// static file where a page is generated is found and refused, not silently
/// replaced or replacing. Copied files are the build's own: one removed from
/// `static/` is removed from the output.
fn copy_static(root: &Path, stage: &Stage) -> anyhow::Result<()> {
    let dir = root.join(STATIC_DIR);
    let files = crate::fs::walk_static(&dir, root)?;
    if files.is_empty() {
        return Ok(());
    }
    let generated: std::collections::HashSet<String> = stage
        .produced()
        .into_iter()
        .map(|p| p.to_ascii_lowercase())
        .collect();
    for (rel, path) in files {
        let shown = crate::fs::display_path(root, Path::new(STATIC_DIR)).join(&rel);
        // Case-insensitive hosts would serve one for the other.
        if generated.contains(&rel.to_ascii_lowercase()) {
            anyhow::bail!(
                "`{}` would replace the page statuspost generates at `{rel}`; rename or remove it",
                shown.display()
            );
        }
        let contents = crate::fs::read(&path, crate::fs::MAX_FILE_BYTES)
            .map_err(anyhow::Error::new)
            .with_context(|| format!("failed to read `{}`", shown.display()))?;
        crate::output::Sink::put(stage, &rel, contents.bytes, None)?;
    }
    Ok(())
}

/// Sizes and times of the site's template files: when they change, templates are compiled again.
fn templates_stamp(root: &Path) -> u64 {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, u64, Option<std::time::SystemTime>)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.metadata() {
                Ok(m) if m.is_dir() => walk(&path, out),
                Ok(m) => out.push((path, m.len(), m.modified().ok())),
                Err(_) => {}
            }
        }
    }
    use std::hash::{Hash, Hasher};
    let mut files = Vec::new();
    walk(&root.join(crate::templates::DIR), &mut files);
    files.sort();
    let mut h = std::hash::DefaultHasher::new();
    files.hash(&mut h);
    h.finish()
}
