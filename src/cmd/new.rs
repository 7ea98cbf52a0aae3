//! `statuspost new`: start an incident with its first `investigating` update.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DurationRound, TimeDelta};
use tera::Context;

use crate::cli::NewArgs;
use crate::cmd::{self, Outcome};
use crate::edit::{self, NewUpdate};
use crate::load;
use crate::model::State;
use crate::source::Source;
use crate::templates::Templates;
use crate::view::UpdateTemplateView;

pub fn run(args: NewArgs) -> anyhow::Result<Outcome> {
    let root = &args.site.root;
    let Some(config) = cmd::config(root) else {
        return Ok(Outcome::Invalid);
    };
    let tz = config.timezone;
    if args.title.trim().is_empty() {
        return Ok(cmd::refuse("error: the title is empty; write what customers would recognise, e.g. \"Elevated error rates on the Public API\""));
    }
    let components = match cmd::component_ids(&config, &args.components) {
        Ok(c) => c,
        Err(message) => return Ok(cmd::refuse(&message)),
    };
    let next = match cmd::next_update(args.next.as_deref(), &config) {
        Ok(n) => n,
        Err(message) => return Ok(cmd::refuse(&message)),
    };
    // Minutes are what authors and readers use; seconds would only look like false precision.
    let now = cmd::now(&args.site, tz)?;
    let at = now.duration_trunc(TimeDelta::minutes(1)).unwrap_or(now);
    let impact = args.impact.to_model();
    let next_at = next
        .as_deref()
        .and_then(|n| crate::clock::parse_duration(n).ok())
        .map(|d| at + d);

    let body = match &args.message {
        Some(message) => message.clone(),
        None => {
            let templates = Templates::load(root)?;
            let view = UpdateTemplateView::new(
                &config,
                &args.title,
                State::Investigating,
                impact,
                &components,
                at,
                next_at,
            );
            templates.render_update("investigating", &Context::from_serialize(&view)?)?
        }
    };
    let ids: Vec<String> = components
        .iter()
        .map(|&c| config.components[c].id.clone())
        .collect();
    let first = NewUpdate {
        state: State::Investigating,
        at,
        next_update: next.as_deref(),
        impact: None,
        components: None,
        body: &body,
    };
    let text = edit::new_incident(args.title.trim(), impact, &ids, &first, tz);

    let rel = free_path(
        root,
        &format!(
            "{}-{}",
            at.with_timezone(&tz).format("%Y-%m-%d"),
            edit::slugify(&args.title)
        ),
    );
    let display = load::display_path(root, &rel);
    // What we write must read back: never leave the author a file the build rejects.
    let mut diagnostics = Vec::new();
    let source = Source::new(&display, text.clone());
    let slug = rel
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    if load::parse_incident(&source, slug, &config, &mut diagnostics).is_none() {
        cmd::report(&diagnostics);
        anyhow::bail!("the new incident would not be valid; nothing was written");
    }
    edit::create(&root.join(&rel), &text)?;
    println!("{}", display.display());
    if args.edit {
        cmd::open_editor(&root.join(&rel))?;
    }
    Ok(Outcome::Ok)
}

/// `incidents/<stem>.md`, with `-2`, `-3`... when the slug is taken, ignoring case
/// as case-insensitive hosts would.
fn free_path(root: &Path, stem: &str) -> PathBuf {
    let mut ignored = Vec::new();
    let taken: HashSet<String> = load::incident_files(root, &mut ignored)
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().to_lowercase()))
        .collect();
    let mut candidate = stem.to_string();
    let mut n = 1;
    while taken.contains(&candidate.to_lowercase()) {
        n += 1;
        candidate = format!("{stem}-{n}");
    }
    Path::new(load::INCIDENTS_DIR).join(format!("{candidate}.md"))
}
