//! `statuspost update`: append an update to an incident, from the state's template.

use std::io::Write;
use std::path::PathBuf;

use chrono::{DurationRound, TimeDelta};

use crate::cli::UpdateArgs;
use crate::cmd::{self, post, Outcome};
use crate::edit::{self, NewUpdate};
use crate::incident_file;
use crate::load;
use crate::model::{Incident, State};
use crate::source::Source;
use crate::templates::Templates;
use crate::view::UpdateTemplateView;

pub(super) fn run(mut args: UpdateArgs) -> anyhow::Result<Outcome> {
    args.message = match cmd::message(args.message.as_deref(), args.message_file.as_deref()) {
        Ok(m) => m,
        Err(message) => return Ok(cmd::refuse(&message)),
    };
    let root = &args.site.root;
    let Some(config) = cmd::config(root) else {
        return Ok(Outcome::Invalid);
    };
    cmd::refuse_demo_now(&config, "update")?;
    let tz = config.timezone;
    let rel = match find(root, &config, &args.incident) {
        Ok(rel) => rel,
        Err(message) => return Ok(cmd::refuse(&message)),
    };
    let full = root.join(&rel);
    let display = crate::fs::display_path(root, &rel);
    // Held until the new bytes are in place: another `update` of this incident
    // started at the same moment appends to what this one writes, not to what it read.
    let locked = edit::lock(&display)?;
    let original = std::fs::read(&full)
        .map_err(|e| anyhow::anyhow!("failed to read `{}`: {e}", display.display()))?;
    let mut diagnostics = Vec::new();
    let Some(source) = load::read_source(root, &rel, &mut diagnostics) else {
        cmd::report(&diagnostics);
        return Ok(Outcome::Invalid);
    };
    let slug = rel
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    if rel.starts_with(crate::maintenance_file::DIR) {
        return maintenance(&args, &config, &locked, &rel, &source, &original, slug);
    }
    let Some(state) = State::parse(&args.state) else {
        let mut names = State::NAMES.to_vec();
        names.push("monitoring");
        return Ok(cmd::refuse(&format!(
            "error: unknown state `{}` for an incident\n  = help: {}",
            args.state,
            crate::diagnostic::did_you_mean(&args.state, &names)
                .replace("expected one of", "expected")
        )));
    };
    let Some(incident) =
        crate::incident_file::parse(&source, slug.clone(), &config, &mut diagnostics)
    else {
        cmd::report(&diagnostics);
        let _ = writeln!(
            std::io::stderr(),
            "error: fix `{}` before adding an update to it",
            display.display()
        );
        return Ok(Outcome::Invalid);
    };

    if !incident.is_open() && state == State::Resolved {
        return Ok(cmd::refuse(&format!(
            "error: `{slug}` is already resolved\n  = help: to add or edit its postmortem, `statuspost postmortem {slug}`; --reopen is for reopening it with another state"
        )));
    }
    if !incident.is_open() && !args.reopen {
        return Ok(cmd::refuse(&format!(
            "error: `{slug}` is resolved\n  = help: pass --reopen to add a `{}` update to a resolved incident",
            state.as_str()
        )));
    }
    if args.postmortem && state != State::Resolved {
        return Ok(cmd::refuse(
            "error: --postmortem goes with a `resolved` update",
        ));
    }
    if args.postmortem && !incident.summary.is_empty() {
        return Ok(cmd::refuse(&format!(
            "error: `{slug}` already has a summary; add the postmortem to it by hand\n  = help: the summary is the text after the incident block, before the first update"
        )));
    }
    let mut warnings = Vec::new();
    if state < incident.state() && incident.is_open() {
        warnings.push(format!(
            "warning: the state moves back from `{}` to `{}`; say why in the update",
            incident.state().as_str(),
            state.as_str()
        ));
    }
    let now = cmd::now(&args.site, tz)?;
    let at = now.duration_trunc(TimeDelta::minutes(1)).unwrap_or(now);
    if at < incident.latest().at {
        warnings.push(format!(
            "warning: the latest update is dated after now ({}); the new one will be listed before it",
            edit::format_at(incident.latest().at, tz)
        ));
    }
    let components = if args.components.is_empty() {
        None
    } else {
        match cmd::component_ids(&config, &args.components) {
            Ok(c) => Some(c),
            Err(message) => return Ok(cmd::refuse(&message)),
        }
    };
    let next = if state == State::Resolved {
        None
    } else {
        match cmd::next_update(args.next.as_deref(), &config, now, at) {
            Ok(n) => n,
            Err(message) => return Ok(cmd::refuse(&message)),
        }
    };
    let impact = args.impact.map(|i| i.to_model());
    let next_at = cmd::promised_at(next.as_deref(), at);

    let templates = Templates::load(root)?;
    let view = |state: State| {
        UpdateTemplateView::new(
            &config,
            &incident.title,
            state,
            impact.unwrap_or_else(|| incident.current_impact()),
            components
                .as_deref()
                .unwrap_or_else(|| incident.current_components()),
            at,
            next_at,
        )
    };
    let body = match &args.message {
        Some(message) => message.clone(),
        None => templates.render_update(state.as_str(), &view(state))?,
    };
    let ids: Option<Vec<String>> = components
        .as_ref()
        .map(|c| c.iter().map(|&i| config.components[i].id.clone()).collect());
    let block = edit::update_block(
        &NewUpdate {
            state: state.as_str(),
            at,
            next_update: next.as_deref(),
            impact,
            components: ids.as_deref(),
            body: &body,
        },
        tz,
    );
    let mut bytes = edit::appended(&original, &block);
    if args.postmortem {
        let skeleton = templates.render_update("postmortem", &view(state))?;
        bytes = insert_summary(&original, &source, &bytes, &skeleton)?;
    }

    if let Some(refused) = too_large(&bytes, &display) {
        return Ok(refused);
    }
    // What we write must read back, with the new update as the latest.
    check_reads_back(&bytes, &display, &slug, &config, &incident)?;
    let plan = match post::prepare(&args.post, args.edit, &args.site, &config) {
        Ok(plan) => plan,
        Err(outcome) => return Ok(outcome),
    };
    edit::replace(&locked, &display, &bytes)?;
    drop(locked);
    let mut stderr = std::io::stderr().lock();
    for w in warnings {
        let _ = writeln!(stderr, "{w}");
    }
    drop(stderr);
    println!("{}", display.display());
    // Another author's update to this incident, pushed meanwhile: ours goes
    // after it if the incident is still open to it (or this reopens it).
    let accept = {
        let (config, slug) = (config.clone(), slug.clone());
        accept_again(
            display.clone(),
            args.reopen,
            move |s| crate::incident_file::parse(s, slug.clone(), &config, &mut Vec::new()),
            Incident::is_open,
            |i| i.updates.len(),
        )
    };
    let written = post::Written {
        display: display.clone(),
        before: Some(original),
        bytes,
        subject: post::subject(&slug, state.as_str()),
        summary: post::summary(state.as_str(), at, next_at, tz),
        accept: (!args.postmortem).then_some(accept),
    };
    post::finish(&args.site, plan, written)
}

/// Inserts the postmortem skeleton where the incident's summary goes: after
/// the incident block, before the first update.
pub(super) fn insert_summary(
    original: &[u8],
    source: &Source,
    appended: &[u8],
    skeleton: &str,
) -> anyhow::Result<Vec<u8>> {
    let blocks = incident_file::split(&source.text).map_err(|e| anyhow::anyhow!(e.message))?;
    let first_update = blocks.get(1).map_or(source.text.len(), |b| b.open.start);
    // Offsets are into the decoded text; the file may start with a byte order mark.
    let bom = if original.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    Ok(edit::inserted(
        appended,
        first_update + bom,
        &format!("{skeleton}\n\n"),
    ))
}

fn check_reads_back(
    bytes: &[u8],
    display: &std::path::Path,
    slug: &str,
    config: &crate::model::Config,
    before: &Incident,
) -> anyhow::Result<()> {
    let mut diagnostics = Vec::new();
    let readable = Source::decode(display, bytes.to_vec())
        .ok()
        .and_then(|s| crate::incident_file::parse(&s, slug.to_string(), config, &mut diagnostics));
    match readable {
        Some(after) if after.updates.len() == before.updates.len() + 1 => Ok(()),
        _ => {
            cmd::report(&diagnostics);
            anyhow::bail!(
                "the updated incident would not be valid; `{}` was not changed",
                display.display()
            )
        }
    }
}

/// The incident file for a slug, a path to the file, or the start or any other
/// part of its name; where several match, the one still open.
pub(super) fn find(
    root: &std::path::Path,
    config: &crate::model::Config,
    wanted: &str,
) -> Result<PathBuf, String> {
    let wanted = std::path::Path::new(wanted)
        .file_name()
        .map(|n| {
            let n = n.to_string_lossy();
            match n.len().checked_sub(3) {
                Some(i) if n.is_char_boundary(i) && n[i..].eq_ignore_ascii_case(".md") => {
                    n[..i].to_string()
                }
                _ => n.to_string(),
            }
        })
        .unwrap_or_default();
    if wanted.trim().is_empty() {
        return Err(
            "error: name the incident: its file name without `.md`, or a part of it".into(),
        );
    }
    let mut ignored = Vec::new();
    let mut files = load::incident_files(root, &mut ignored);
    files.extend(load::content_files(
        root,
        std::path::Path::new(crate::maintenance_file::DIR),
        &mut ignored,
    ));
    let stem = |p: &PathBuf| {
        p.file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    };
    // Authors type words of the title as they wrote them ("Störung", "API");
    // file names hold them transliterated and in lower case, as `new` wrote them.
    let wanted = match crate::edit::slugify(&wanted) {
        _ if files.iter().any(|p| stem(p) == wanted) => wanted,
        slug if slug == "incident" && !wanted.eq_ignore_ascii_case("incident") => wanted,
        slug => slug,
    };
    if let Some(exact) = files.iter().find(|p| stem(p) == wanted) {
        return Ok(exact.clone());
    }
    let matches: Vec<&PathBuf> = files
        .iter()
        .filter(|p| stem(p).starts_with(&wanted))
        .collect();
    // Authors remember words of the title, not the date prefix: any part will do.
    let matches = if matches.is_empty() {
        files
            .iter()
            .filter(|p| stem(p).contains(wanted.as_str()))
            .collect()
    } else {
        matches
    };
    // A title used again (last month's outage and today's) is today's while it is open.
    let open: Vec<&PathBuf> = if matches.len() > 1 {
        matches
            .iter()
            .copied()
            .filter(|p| is_open(root, config, p))
            .collect()
    } else {
        Vec::new()
    };
    match (matches.as_slice(), open.as_slice()) {
        ([one], _) | (_, [one]) => Ok((*one).clone()),
        ([], _) => {
            let stems: Vec<String> = files.iter().map(stem).collect();
            Err(format!(
                "error: no incident matches `{wanted}`\n  = help: {}",
                nearest(&wanted, &stems, |s| files
                    .iter()
                    .find(|p| stem(p) == s)
                    .is_some_and(|p| is_open(root, config, p)))
                .map_or_else(
                    || format!(
                        "give the file name without `.md`, or any part of it; incidents are in `{}`",
                        crate::fs::display_path(root, std::path::Path::new(load::INCIDENTS_DIR))
                            .display()
                    ),
                    |s| format!("did you mean `{s}`?")
                )
            ))
        }
        (many, _) => {
            let names: Vec<String> = many.iter().map(|p| format!("  {}", stem(p))).collect();
            Err(format!(
                "error: `{wanted}` matches {} incidents:\n{}\n  = help: give more of the name",
                many.len(),
                names.join("\n")
            ))
        }
    }
}

/// The name nearest a misspelt one, by the whole name or by its words after
/// the date; of names equally near, an open one.
fn nearest<'a>(wanted: &str, stems: &'a [String], open: impl Fn(&str) -> bool) -> Option<&'a str> {
    let title = |s: &'a str| -> &'a str {
        match s.get(..11) {
            Some(d) if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d-").is_ok() => &s[11..],
            _ => s,
        }
    };
    let words: Vec<&str> = stems.iter().flat_map(|s| [s.as_str(), title(s)]).collect();
    let best = crate::diagnostic::suggest(wanted, words.iter().copied())?;
    let near: Vec<&str> = stems
        .iter()
        .map(String::as_str)
        .filter(|s| *s == best || title(s) == best)
        .collect();
    near.iter()
        .copied()
        .rev()
        .find(|s| open(s))
        .or(near.last().copied())
}

/// Whether the incident or maintenance in `rel` is still open; a file that
/// does not parse is not, as `update` could not add to it anyway.
fn is_open(root: &std::path::Path, config: &crate::model::Config, rel: &std::path::Path) -> bool {
    let mut diagnostics = Vec::new();
    let Some(source) = load::read_source(root, rel, &mut diagnostics) else {
        return false;
    };
    let slug = rel
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    if rel.starts_with(crate::maintenance_file::DIR) {
        crate::maintenance_file::parse(&source, slug, config, &mut diagnostics)
            .is_some_and(|m| m.updates.last().is_some_and(|u| !u.state.is_final()))
    } else {
        crate::incident_file::parse(&source, slug, config, &mut diagnostics)
            .is_some_and(|i| i.is_open())
    }
}

/// Appends an update to a maintenance file.
fn maintenance(
    args: &UpdateArgs,
    config: &crate::model::Config,
    locked: &edit::Locked,
    rel: &std::path::Path,
    source: &Source,
    original: &[u8],
    slug: String,
) -> anyhow::Result<Outcome> {
    use crate::model::MaintenanceState;
    let root = &args.site.root;
    let tz = config.timezone;
    let display = crate::fs::display_path(root, rel);
    let Some(state) = MaintenanceState::parse(&args.state) else {
        return Ok(cmd::refuse(&format!(
            "error: unknown state `{}` for maintenance\n  = help: {}",
            args.state,
            crate::diagnostic::did_you_mean(&args.state, &MaintenanceState::NAMES)
                .replace("expected one of", "expected")
        )));
    };
    if args.impact.is_some() || !args.components.is_empty() || args.postmortem {
        return Ok(cmd::refuse(
            "error: --impact, --component and --postmortem are for incidents, not maintenance",
        ));
    }
    let mut diagnostics = Vec::new();
    let Some(m) = crate::maintenance_file::parse(source, slug.clone(), config, &mut diagnostics)
    else {
        cmd::report(&diagnostics);
        return Ok(cmd::refuse(&format!(
            "error: fix `{}` before adding an update to it",
            display.display()
        )));
    };
    if m.updates.last().is_some_and(|u| u.state.is_final()) && !args.reopen {
        return Ok(cmd::refuse(&format!(
            "error: `{slug}` is {}\n  = help: pass --reopen to add an update anyway",
            m.updates.last().map_or("", |u| u.state.as_str())
        )));
    }
    let now = cmd::now(&args.site, tz)?;
    let at = now.duration_trunc(TimeDelta::minutes(1)).unwrap_or(now);
    let next = if state.is_final() || state == MaintenanceState::Scheduled {
        None
    } else {
        match cmd::next_update(args.next.as_deref(), config, now, at) {
            Ok(n) => n,
            Err(message) => return Ok(cmd::refuse(&message)),
        }
    };
    let next_at = cmd::promised_at(next.as_deref(), at);
    let body = match &args.message {
        Some(message) => message.clone(),
        None => {
            let templates = Templates::load(root)?;
            let view = UpdateTemplateView::maintenance(
                config,
                &m.title,
                &m.components,
                (m.starts, m.ends),
                at,
                next_at,
            );
            templates.render_update(&format!("maintenance/{}", state.as_str()), &view)?
        }
    };
    let block = edit::update_block(
        &NewUpdate {
            state: state.as_str(),
            at,
            next_update: next.as_deref(),
            impact: None,
            components: None,
            body: &body,
        },
        tz,
    );
    let bytes = edit::appended(original, &block);
    if let Some(refused) = too_large(&bytes, &display) {
        return Ok(refused);
    }
    let reads_back = Source::decode(&display, bytes.clone())
        .ok()
        .and_then(|s| crate::maintenance_file::parse(&s, slug.clone(), config, &mut diagnostics))
        .is_some_and(|after| after.updates.len() == m.updates.len() + 1);
    if !reads_back {
        cmd::report(&diagnostics);
        anyhow::bail!(
            "the updated maintenance would not be valid; `{}` was not changed",
            display.display()
        );
    }
    let plan = match post::prepare(&args.post, args.edit, &args.site, config) {
        Ok(plan) => plan,
        Err(outcome) => return Ok(outcome),
    };
    edit::replace(locked, &display, &bytes)?;
    println!("{}", display.display());
    let accept = {
        let (config, slug) = (config.clone(), slug.clone());
        accept_again(
            display.clone(),
            args.reopen,
            move |s| crate::maintenance_file::parse(s, slug.clone(), &config, &mut Vec::new()),
            |m| !m.updates.last().is_some_and(|u| u.state.is_final()),
            |m| m.updates.len(),
        )
    };
    let written = post::Written {
        display: display.clone(),
        before: Some(original.to_vec()),
        bytes,
        subject: post::subject(&slug, state.as_str()),
        summary: post::summary(state.as_str(), at, next_at, tz),
        accept: Some(accept),
    };
    post::finish(&args.site, plan, written)
}

/// For [`post::Written::accept`]: the file as another author pushed it
/// (`theirs`) still takes this update (`open`, or the update reopens it), and
/// the merged file reads back with it as the one new update.
fn accept_again<T: 'static>(
    display: PathBuf,
    reopen: bool,
    parse: impl Fn(&Source) -> Option<T> + 'static,
    open: fn(&T) -> bool,
    updates: fn(&T) -> usize,
) -> Box<post::Accept> {
    Box::new(move |theirs, merged| {
        let read = |bytes: &[u8]| {
            Source::decode(&display, bytes.to_vec())
                .ok()
                .and_then(|s| parse(&s))
        };
        match (read(theirs), read(merged)) {
            (Some(t), Some(m)) => (open(&t) || reopen) && updates(&m) == updates(&t) + 1,
            _ => false,
        }
    })
}

/// A file the build would refuse to read is refused before it is written: an
/// incident that no later command could update.
fn too_large(bytes: &[u8], display: &std::path::Path) -> Option<Outcome> {
    let limit = crate::fs::MAX_FILE_BYTES;
    (bytes.len() as u64 > limit).then(|| {
        cmd::refuse(&format!(
            "error: with this update `{}` would be {:.1} MB, and statuspost reads files of at most {} MB\n  = help: shorten the text, or start a new incident that links to this one; nothing was written",
            display.display(),
            bytes.len() as f64 / 1e6,
            limit / 1_000_000
        ))
    })
}
