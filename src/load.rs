//! Reading a site from disk: the config, then every incident file, validated,
//! with every problem in every file collected as a diagnostic.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::clock;
use crate::config;
use crate::diagnostic::{self, did_you_mean, Diagnostic, Severity};
use crate::fields::{self, DateOrText, Fields};
use crate::fs;
use crate::incident_file;
use crate::model::{Config, Impact, Incident, Maintenance, Site, State, Update};
use crate::source::Source;

/// Folder of incident files, relative to the site root.
pub const INCIDENTS_DIR: &str = "incidents";

pub use crate::fs::{display_path, MAX_FILE_BYTES};

const INCIDENT_KEYS: &[&str] = &["title", "impact", "components"];
const UPDATE_KEYS: &[&str] = &["state", "at", "next_update", "impact", "components"];

/// The result of loading: a site when there were no errors, and every diagnostic.
pub struct Loaded {
    pub site: Option<Site>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Reads the site's config alone.
pub fn load_config(root: &Path, diags: &mut Vec<Diagnostic>) -> Option<Config> {
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
    let source = match Source::decode(&path, bytes) {
        Ok(source) => source,
        Err(e) => {
            diags.push(Diagnostic::file(
                Severity::Error,
                path,
                e.line,
                e.col,
                e.message,
            ));
            return None;
        }
    };
    let mut site_strings = |lang: &str| {
        let rel = Path::new(crate::i18n::DIR).join(format!("{lang}.toml"));
        // Anything by that name is read, so that a folder or a pipe there is an error, not no file.
        root.join(&rel)
            .exists()
            .then(|| read_source(root, &rel, diags))
            .flatten()
    };
    let mut file_diags = Vec::new();
    let config = config::parse_with(&source, &mut site_strings, &mut file_diags);
    diags.extend(file_diags);
    config
}

/// Loads and validates the whole site under `root`.
pub fn load(root: &Path) -> Loaded {
    load_cached(root, &mut Cache::default())
}

/// Parsed incident files kept between builds by `watch` and `serve`, so a
/// rebuild re-reads only the files whose size or modification time changed.
#[derive(Default)]
pub struct Cache {
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
pub fn load_cached(root: &Path, cache: &mut Cache) -> Loaded {
    let mut diagnostics = Vec::new();
    let config = load_config(root, &mut diagnostics);
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
                let item = source.and_then(|source| {
                    if is_maintenance {
                        crate::maintenance_file::parse(&source, slug_of(rel), config, &mut diags)
                            .map(Item::Maintenance)
                    } else {
                        parse_incident(&source, slug_of(rel), config, &mut diags)
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
    diagnostic::sort(&mut diagnostics);
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    let site = match config {
        Some(config) if !has_errors => Some(Site::new(config, incidents, maintenance)),
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
pub fn incident_files(root: &Path, diags: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    content_files(root, Path::new(INCIDENTS_DIR), diags)
}

/// Every `*.md` under `dir` (relative to the root), sorted, relative to the root.
pub fn content_files(root: &Path, dir: &Path, diags: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let walked = fs::walk(&root.join(dir), Some(root));
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
                }
            }
        }
    }
    walked
        .files
        .into_iter()
        .map(|f| dir.join(f.rel))
        .filter(|rel| is_markdown(rel))
        .collect()
}

fn is_markdown(rel: &Path) -> bool {
    rel.as_os_str().to_string_lossy().ends_with(".md")
}

/// Reads and decodes one file; problems become diagnostics.
pub fn read_source(root: &Path, rel: &Path, diags: &mut Vec<Diagnostic>) -> Option<Source> {
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
    let source = match Source::decode(&path, contents.bytes) {
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
    };
    (source, Some(contents.stamp))
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

/// Parses one incident file. Problems go to `diags`; `None` when any is an error.
pub fn parse_incident(
    source: &Source,
    slug: String,
    config: &Config,
    diags: &mut Vec<Diagnostic>,
) -> Option<Incident> {
    let before = diags.len();
    let blocks = match incident_file::split(&source.text) {
        Ok(blocks) => blocks,
        Err(e) => {
            let mut d = Diagnostic::error(source, e.span, e.message);
            d.help = e.help;
            diags.push(d);
            return None;
        }
    };
    let tz = config.timezone;
    let head = &blocks[0];
    let header = fields::parse(
        source,
        head.settings.clone(),
        head.open.clone(),
        "incident block",
        diags,
    );
    let mut title = None;
    let mut impact = None;
    let mut components = None;
    if let Some(f) = &header {
        f.deny_unknown(INCIDENT_KEYS, diags);
        if f.has("state") || f.has("at") {
            diags.push(Diagnostic::error(source, head.open.clone(), "the first block describes the incident, but this one looks like an update")
                .with_help("start the file with a block of `title`, `impact` and `components`; updates follow it"));
        }
        title = f
            .required_string("title", "\"Elevated error rates on the Public API\"", diags)
            .map(|(t, _)| t);
        impact = if f.has("impact") {
            read_impact(f, diags)
        } else {
            diags.push(
                f.missing("impact", "\"major\"")
                    .with_help("add `impact = \"minor\"`, `\"major\"` or `\"critical\"`"),
            );
            None
        };
        components = if f.has("components") {
            read_components(f, config, diags)
        } else {
            diags.push(f.missing("components", "[\"api\"]"));
            None
        };
    }

    if blocks.len() == 1 {
        diags.push(
            Diagnostic::error(source, head.open.clone(), "this incident has no updates")
                .with_help("add an update after the incident block: `+++`, `state = \"investigating\"`, `at = 2026-11-22T14:05:00Z`, `+++`, then what customers should know"),
        );
    }

    let mut updates = Vec::with_capacity(blocks.len() - 1);
    for block in &blocks[1..] {
        if let Some(update) = parse_update(source, block, config, tz, diags) {
            updates.push(update);
        }
    }
    if diags[before..].iter().any(Diagnostic::is_error) {
        return None;
    }
    // Stable: updates written at the same minute keep their order in the file.
    updates.sort_by_key(|u| u.at);
    assign_anchors(&mut updates);
    let summary_text = &source.text[head.body.clone()];
    let summary = trim_blank_lines(summary_text);
    let (summary_line, _) =
        source.line_col(head.body.start + summary_text.find(summary).unwrap_or(0));
    Some(Incident {
        slug,
        path: source.path.clone(),
        title: title?,
        impact: impact?,
        components: components?,
        summary: summary.to_string(),
        summary_line,
        fingerprint: crate::model::fingerprint(&[source.text.as_bytes()]),
        updates,
    })
}

fn parse_update(
    source: &Source,
    block: &incident_file::Block,
    config: &Config,
    tz: chrono_tz::Tz,
    diags: &mut Vec<Diagnostic>,
) -> Option<Update> {
    let f = fields::parse(
        source,
        block.settings.clone(),
        block.open.clone(),
        "update block",
        diags,
    )?;
    f.deny_unknown(UPDATE_KEYS, diags);
    if f.has("title") {
        diags.push(Diagnostic::error(source, block.open.clone(), "this block has a `title`, but only the first block of a file describes the incident")
            .with_help("each incident is one file: start a new file for a new incident"));
    }
    let state = match f.string("state", diags) {
        Some((name, span)) => match State::parse(&name) {
            Some(state) => Some(state),
            None => {
                let mut names = State::NAMES.to_vec();
                names.push("monitoring");
                diags.push(
                    Diagnostic::error(source, span, format!("unknown state `{name}`")).with_help(
                        did_you_mean(&name, &names).replace("expected one of", "expected"),
                    ),
                );
                None
            }
        },
        None if !f.has("state") => {
            diags.push(f.missing("state", "\"investigating\"").with_help("add `state = \"investigating\"`, `\"identified\"`, `\"verifying\"` or `\"resolved\"`"));
            None
        }
        None => None,
    };
    let at = read_at(&f, tz, diags);
    let next_update = read_next_update(&f, at, tz, diags);
    let impact = if f.has("impact") {
        read_impact(&f, diags)
    } else {
        None
    };
    let components = if f.has("components") {
        read_components(&f, config, diags)
    } else {
        None
    };

    let (state, at) = (state?, at?);
    let next_update = match next_update {
        Some((next, span)) if next <= at => {
            diags.push(Diagnostic::error(source, span, "`next_update` is not after `at`")
                .with_help("promise the next update for a time after this one was published, e.g. `next_update = \"30m\"`"));
            return None;
        }
        Some((_, span)) if state == State::Resolved => {
            diags.push(
                Diagnostic::warning(
                    source,
                    span,
                    "a resolved update promises a next update; it is ignored",
                )
                .with_help(
                    "remove `next_update`, or use another state if more updates will follow",
                ),
            );
            None
        }
        other => other.map(|(t, _)| t),
    };
    let (line, _) = source.line_col(block.open.start);
    let (body, body_line) = body_of(source, block);
    Some(Update {
        state,
        at,
        next_update,
        impact,
        components,
        body,
        line,
        body_line,
        anchor: String::new(),
    })
}

pub(crate) fn resolve_time(
    source: &Source,
    value: &DateOrText,
    span: Range<usize>,
    tz: chrono_tz::Tz,
    diags: &mut Vec<Diagnostic>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    let parsed = match value {
        DateOrText::Date(d) => Ok(*d),
        // A quoted datetime is a common slip; accept it when it is one.
        DateOrText::Text(text) => text.parse::<toml::value::Datetime>().map_err(|_| text),
    };
    match parsed {
        Ok(dt) => match clock::resolve(&dt, tz) {
            Ok(t) => Some(t),
            Err(e) => {
                let mut d = Diagnostic::error(source, span, e.message);
                d.help = e.help;
                diags.push(d);
                None
            }
        },
        Err(text) => {
            diags.push(Diagnostic::error(source, span, format!("\"{text}\" is not a date and time"))
                .with_help("write it without quotes, e.g. `at = 2026-11-22T14:05:00Z` (or without `Z` for the site's time zone)"));
            None
        }
    }
}

fn read_impact(f: &Fields<'_>, diags: &mut Vec<Diagnostic>) -> Option<Impact> {
    let (name, span) = f.string("impact", diags)?;
    match Impact::parse(&name) {
        Some(impact) => Some(impact),
        None => {
            diags.push(
                Diagnostic::error(f.source(), span, format!("unknown impact `{name}`")).with_help(
                    did_you_mean(&name, &Impact::NAMES).replace("expected one of", "expected"),
                ),
            );
            None
        }
    }
}

pub(crate) fn read_components(
    f: &Fields<'_>,
    config: &Config,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<usize>> {
    let ids = f.string_list("components", diags)?;
    let mut out = Vec::with_capacity(ids.len());
    let mut ok = true;
    for (id, span) in ids {
        match config.component_index(&id) {
            Some(i) if !out.contains(&i) => out.push(i),
            Some(_) => {}
            None => {
                ok = false;
                diags.push(
                    Diagnostic::error(f.source(), span, format!("unknown component `{id}`"))
                        .with_help(config::component_hint(config, &id)),
                );
            }
        }
    }
    ok.then_some(out)
}

/// Gives each update a fragment id that depends only on its own state and
/// time, so feed guids and links stay the same when other updates are added.
/// `at`: when an update was published. Required.
pub(crate) fn read_at(
    f: &Fields<'_>,
    tz: chrono_tz::Tz,
    diags: &mut Vec<Diagnostic>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    match f.datetime_or_string("at", diags) {
        Some((value, span)) => resolve_time(f.source(), &value, span, tz, diags),
        None if !f.has("at") => {
            diags.push(f.missing("at", "2026-11-22T14:05:00Z").with_help(
                "add when this update was published, e.g. `at = 2026-11-22T14:05:00Z` (without `Z`, the site's time zone)",
            ));
            None
        }
        None => None,
    }
}

/// `next_update`: a duration after `at`, or a datetime.
pub(crate) fn read_next_update(
    f: &Fields<'_>,
    at: Option<chrono::DateTime<chrono::Utc>>,
    tz: chrono_tz::Tz,
    diags: &mut Vec<Diagnostic>,
) -> Option<(chrono::DateTime<chrono::Utc>, Range<usize>)> {
    let source = f.source();
    match f.datetime_or_string("next_update", diags)? {
        (DateOrText::Text(text), span) => {
            match clock::parse_duration(&text) {
                Ok(d) => match clock::check_range(at? + d) {
                    Ok(t) => Some((t, span)),
                    Err(message) => {
                        diags.push(Diagnostic::error(source, span, message));
                        None
                    }
                },
                Err(message) => {
                    diags.push(Diagnostic::error(source, span, message).with_help(
                        "or write a datetime, e.g. `next_update = 2026-11-22T15:00:00Z`",
                    ));
                    None
                }
            }
        }
        (value, span) => resolve_time(source, &value, span.clone(), tz, diags).map(|t| (t, span)),
    }
}

/// A block's markdown with blank lines around it trimmed, and the line it starts on.
pub(crate) fn body_of(source: &Source, block: &incident_file::Block) -> (String, usize) {
    let body_text = &source.text[block.body.clone()];
    let body = trim_blank_lines(body_text);
    let body_start = block.body.start + (body_text.len() - body_text.trim_start().len());
    let body_start = source.text[..body_start]
        .rfind('\n')
        .map_or(0, |i| i + 1)
        .max(block.body.start);
    (body.to_string(), source.line_col(body_start).0)
}

fn assign_anchors(updates: &mut [Update]) {
    let mut used: HashMap<String, usize> = HashMap::new();
    for u in updates.iter_mut() {
        let base = format!("{}-{}", u.state.as_str(), u.at.format("%Y%m%dT%H%MZ"));
        let n = used.entry(base.clone()).or_insert(0);
        *n += 1;
        u.anchor = if *n == 1 { base } else { format!("{base}-{n}") };
    }
}

/// Drops blank lines around a body but keeps the first line's indentation,
/// which is meaningful in markdown.
pub(crate) fn trim_blank_lines(text: &str) -> &str {
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        if line.trim().is_empty() {
            start += line.len();
        } else {
            break;
        }
    }
    text[start..].trim_end()
}
