//! Reading a site from disk: the config, then every incident and maintenance
//! file (parsed by `incident_file` and `maintenance_file`), validated as a
//! whole, with every problem in every file collected as a diagnostic.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config;
use crate::diagnostic::{self, Diagnostic, Severity};
use crate::fs;
use crate::fs::display_path;
use crate::incident_file;
use crate::model::{Config, Incident, Maintenance, Site};
use crate::source::Source;

/// Folder of incident files, relative to the site root.
pub(crate) const INCIDENTS_DIR: &str = "incidents";

/// The result of loading: a site when there were no errors, and every diagnostic.
pub(crate) struct Loaded {
    pub site: Option<Site>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the site's config alone.
pub(crate) fn load_config(root: &Path, diags: &mut Vec<Diagnostic>) -> Option<Config> {
    load_config_lenient(root, diags)
        .filter(|(_, valid)| *valid)
        .map(|(config, _)| config)
}

/// As [`load_config`], with a config that has errors too, if its TOML could
/// be read (see [`config::parse_lenient`]), and whether it is valid.
fn load_config_lenient(root: &Path, diags: &mut Vec<Diagnostic>) -> Option<(Config, bool)> {
    let path = display_path(root, Path::new(config::FILE_NAME));
    let bytes = match fs::read(&root.join(config::FILE_NAME), fs::MAX_FILE_BYTES) {
        Ok(contents) => contents.bytes,
        Err(fs::ReadError::Io(err)) => {
            let message = if err.kind() == std::io::ErrorKind::NotFound {
                format!("no {} in `{}`", config::FILE_NAME, root.display())
            } else {
                format!("cannot read {}: {err}", config::FILE_NAME)
            };
            diags.push(
                Diagnostic::file(Severity::Error, path, 0, 0, message)
                    .with_help("run `statuspost init` to create a site here, or pass `--root DIR` to point at one"),
            );
            return None;
        }
        Err(err) => {
            diags.push(Diagnostic::file(
                Severity::Error,
                path,
                0,
                0,
                err.to_string(),
            ));
            return None;
        }
    };
    let source = decode(path, bytes, diags)?;
    let mut site_strings = |lang: &str| {
        let rel = Path::new(crate::i18n::DIR).join(format!("{lang}.toml"));
        // Anything by that name is read, so that a folder or a pipe there is an error, not no file.
        root.join(&rel)
            .exists()
            .then(|| read_source(root, &rel, diags))
            .flatten()
    };
    let mut file_diags = Vec::new();
    let config = config::parse_lenient(&source, &mut site_strings, &mut file_diags);
    diags.extend(file_diags);
    config
}

/// Loads and validates the whole site under `root`.
pub(crate) fn load(root: &Path) -> Loaded {
    load_cached(root, &mut Cache::default())
}

/// Parsed incident files kept between builds by `watch` and `serve`, so a
/// rebuild re-reads only the files whose size or modification time changed.
#[derive(Default)]
pub(crate) struct Cache {
    files: HashMap<PathBuf, Cached>,
}

struct Cached {
    stamp: (u64, Option<std::time::SystemTime>),
    /// Parsing depends on the config (component ids, time zone).
    config: u64,
    item: Option<Item>,
    diagnostics: Vec<Diagnostic>,
}

#[derive(Clone)]
enum Item {
    Incident(std::sync::Arc<Incident>),
    Maintenance(Maintenance),
}

/// A stamp no file has, so that the next build reads the file again.
const UNTRUSTED: (u64, Option<std::time::SystemTime>) = (u64::MAX, None);

/// Modified within the last two seconds, the coarsest common mtime resolution
/// (FAT; one second on ext3 and HFS+). This is the wall clock of the file
/// system, not the site's "now": it decides only what to read again.
fn recently(modified: std::time::SystemTime) -> bool {
    std::time::SystemTime::now()
        .duration_since(modified)
        .map_or(true, |age| age < std::time::Duration::from_secs(2))
}

type Stamp = fs::Stamp;

fn stamp(path: &Path) -> Option<Stamp> {
    std::fs::metadata(path)
        .ok()
        .map(|m| (m.len(), m.modified().ok()))
}

/// As [`load`], reusing what `cache` holds for files that have not changed.
pub(crate) fn load_cached(root: &Path, cache: &mut Cache) -> Loaded {
    let mut diagnostics = Vec::new();
    // A config with errors is still used to check the content, so that one run
    // reports every problem; the site is built only from a valid one.
    let config = load_config_lenient(root, &mut diagnostics);
    let config_valid = config.as_ref().is_some_and(|(_, valid)| *valid);
    let config = config.map(|(config, _)| config);
    let incident_list = incident_files(root, &mut diagnostics);
    let maintenance_list = content_files(
        root,
        Path::new(crate::maintenance_file::DIR),
        &mut diagnostics,
    );
    let files: Vec<PathBuf> = incident_list
        .iter()
        .chain(&maintenance_list)
        .cloned()
        .collect();
    let mut incidents = Vec::with_capacity(files.len());
    let mut maintenance = Vec::new();
    if let Some(config) = &config {
        // Files are independent until the slug check: read and parse them on every core.
        let parsed: Vec<(PathBuf, Cached)> = files
            .par_iter()
            .filter_map(|rel| {
                // Only a file read before has a stamp to compare; the others are read at once.
                let known = cache
                    .files
                    .get(rel)
                    .filter(|c| c.config == config.fingerprint);
                if known.is_some_and(|c| Some(c.stamp) == stamp(&root.join(rel))) {
                    return None;
                }
                let mut diags = Vec::new();
                let is_maintenance = rel.starts_with(crate::maintenance_file::DIR);
                let (source, stamp) = read_source_stamped(root, rel, &mut diags);
                if let Some(source) = &source {
                    for span in crate::markdown::hidden_characters(&source.text) {
                        diags.push(crate::fields::hidden_warning(source, span));
                    }
                }
                let item = source.and_then(|source| {
                    if is_maintenance {
                        crate::maintenance_file::parse(&source, slug_of(rel), config, &mut diags)
                            .map(Item::Maintenance)
                    } else {
                        incident_file::parse(&source, slug_of(rel), config, &mut diags)
                            .map(|i| Item::Incident(std::sync::Arc::new(i)))
                    }
                });
                let stamp = match stamp {
                    // Size and time say nothing of an edit made within the same tick of
                    // the file system's clock as this read: trust them only for files
                    // that have been still for a while, and read the others again.
                    Some((_, Some(modified))) if recently(modified) => UNTRUSTED,
                    Some(stamp) => stamp,
                    None => (0, None),
                };
                Some((
                    rel.clone(),
                    Cached {
                        stamp,
                        config: config.fingerprint,
                        item,
                        diagnostics: diags,
                    },
                ))
            })
            .collect();
        cache.files.extend(parsed);
        let present: std::collections::HashSet<&PathBuf> = files.iter().collect();
        cache.files.retain(|rel, _| present.contains(rel));
        for rel in &files {
            if let Some(cached) = cache.files.get(rel) {
                match cached.item.clone() {
                    Some(Item::Incident(i)) => incidents.push(i),
                    Some(Item::Maintenance(m)) => maintenance.push(m),
                    None => {}
                }
                diagnostics.extend(cached.diagnostics.iter().cloned());
            }
        }
        check_slugs(root, &incident_list, &mut diagnostics);
        check_slugs(root, &maintenance_list, &mut diagnostics);
    }
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    if has_errors {
        // The build and `check` stop at content errors before they compile the
        // templates, and a template's problems are the author's too: report them
        // in the same run rather than after the content is fixed.
        if let Err(err) = crate::templates::Templates::load(root) {
            if let Some(e) = err.downcast_ref::<crate::templates::TemplateError>() {
                diagnostics.extend(e.0.iter().cloned());
            }
        }
    }
    diagnostic::sort(&mut diagnostics);
    let site = match config {
        Some(config) if !has_errors && config_valid => {
            Some(Site::new(config, incidents, maintenance))
        }
        _ => None,
    };
    Loaded { site, diagnostics }
}

fn slug_of(rel: &Path) -> String {
    rel.file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// Every `*.md` under `incidents/`, sorted, relative to the root. Hidden files
/// (editor swap and lock files) are skipped.
pub(crate) fn incident_files(root: &Path, diags: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    content_files(root, Path::new(INCIDENTS_DIR), diags)
}

/// Every `*.md` under `dir` (relative to the root, the extension in any
/// case), sorted, relative to the root. Any other file there, bar editors'
/// files, gets a warning: an author who put it there expected it to be read.
pub(crate) fn content_files(root: &Path, dir: &Path, diags: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let walked = fs::walk(&root.join(dir), Some(root));
    let not_read = |rel: &Path| {
        Diagnostic::file(
            Severity::Warning,
            display_path(root, rel),
            0,
            0,
            "this file is not read: its name does not end in `.md`",
        )
        .with_code("not-read")
        .with_help(format!(
            "only `.md` files in `{}` are read: rename it, or move it out of the folder",
            dir.display()
        ))
    };
    for skipped in walked.skipped {
        let rel = dir.join(&skipped.rel);
        let error = |message: String| {
            Diagnostic::file(Severity::Error, display_path(root, &rel), 0, 0, message)
        };
        match skipped.reason {
            fs::SkipReason::Unreadable(err) => {
                diags.push(error(format!("cannot read the folder: {err}")))
            }
            fs::SkipReason::Dangling => {
                diags.push(error("this symlink points to nothing".to_string()))
            }
            fs::SkipReason::Escapes { target, is_dir } => {
                if is_dir || is_markdown(&rel) {
                    diags.push(error(format!("this symlink points outside the site, to `{}`", target.display()))
                        .with_help("copy the file into the site instead: a build reads only files inside the site folder"));
                } else {
                    diags.push(not_read(&rel));
                }
            }
        }
    }
    let mut files = Vec::with_capacity(walked.files.len());
    for found in walked.files {
        let rel = dir.join(found.rel);
        if is_markdown(&rel) {
            files.push(rel);
        } else {
            diags.push(not_read(&rel));
        }
    }
    files
}

/// `.md` in any case: some editors and older systems save `X.MD`.
fn is_markdown(rel: &Path) -> bool {
    rel.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"))
}

/// Reads and decodes one file; problems become diagnostics.
pub(crate) fn read_source(root: &Path, rel: &Path, diags: &mut Vec<Diagnostic>) -> Option<Source> {
    read_source_stamped(root, rel, diags).0
}

/// As [`read_source`], with the file's size and modification time as they were
/// when it was opened.
fn read_source_stamped(
    root: &Path,
    rel: &Path,
    diags: &mut Vec<Diagnostic>,
) -> (Option<Source>, Option<Stamp>) {
    let path = display_path(root, rel);
    let error = |message: String| Diagnostic::file(Severity::Error, path.clone(), 0, 0, message);
    let contents = match fs::read(&root.join(rel), fs::MAX_FILE_BYTES) {
        Ok(contents) => contents,
        Err(fs::ReadError::TooLarge { len, cap, stamp }) => {
            diags.push(error(format!(
                "the file is {:.1} MB; incident files are limited to {} MB",
                len as f64 / 1e6,
                cap / 1024 / 1024
            )));
            return (None, Some(stamp));
        }
        Err(err @ fs::ReadError::NotRegular { .. }) => {
            diags.push(error(err.to_string()).with_help(
                "a build reads only regular files: remove it, or move it out of the site folder",
            ));
            return (None, None);
        }
        Err(err) => {
            diags.push(error(err.to_string()));
            return (None, None);
        }
    };
    (decode(path, contents.bytes, diags), Some(contents.stamp))
}

/// A file's bytes as text, or a diagnostic at the first byte that is not UTF-8.
fn decode(path: PathBuf, bytes: Vec<u8>, diags: &mut Vec<Diagnostic>) -> Option<Source> {
    match Source::decode(&path, bytes) {
        Ok(source) => Some(source),
        Err(e) => {
            diags.push(Diagnostic::file(
                Severity::Error,
                path,
                e.line,
                e.col,
                e.message,
            ));
            None
        }
    }
}

/// A slug becomes a folder name on every host, so it must be a plain, safe name.
fn check_slug(slug: &str) -> Result<(), String> {
    let ok = !slug.is_empty()
        && !slug.starts_with(['.', '-'])
        && slug
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if ok {
        return Ok(());
    }
    let suggestion: String = slug
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    Err(suggestion)
}

/// Slugs must be unique even on hosts whose file names ignore case.
fn check_slugs(root: &Path, files: &[PathBuf], diags: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<String, &PathBuf> = HashMap::with_capacity(files.len());
    for rel in files {
        let slug = slug_of(rel);
        if let Err(suggestion) = check_slug(&slug) {
            diags.push(
                Diagnostic::file(
                    Severity::Error,
                    display_path(root, rel),
                    0,
                    0,
                    format!("the file name `{slug}.md` cannot be a web address"),
                )
                .with_help(format!(
                    "use letters, digits and `-` only, e.g. rename it to `{suggestion}.md`"
                )),
            );
        }
        if let Some(first) = seen.get(&slug.to_lowercase()).copied() {
            let same_case = slug_of(first) == slug;
            diags.push(
                Diagnostic::file(Severity::Error, display_path(root, rel), 0, 0, format!("duplicate incident slug `{slug}`"))
                    .with_help(format!(
                        "`{}` has the same name{}; each incident's file name is its address, so rename one",
                        display_path(root, first).display(),
                        if same_case { "" } else { " apart from letter case, and case-insensitive hosts would mix them up" }
                    )),
            );
        } else {
            seen.insert(slug.to_lowercase(), rel);
        }
    }
}
