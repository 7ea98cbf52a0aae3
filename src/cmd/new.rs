//! `statuspost new`: start an incident with its first `investigating` update,
//! or schedule maintenance with a first `scheduled` update.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

use crate::cli::NewArgs;
use crate::cmd::{self, post, Outcome};
use crate::edit::{self, NewUpdate};
use crate::load;
use crate::maintenance_file;
use crate::source::Source;
use crate::templates::Templates;
use crate::view::UpdateTemplateView;

pub(super) fn run(mut args: NewArgs) -> anyhow::Result<Outcome> {
    args.message = match cmd::message(args.message.as_deref(), args.message_file.as_deref()) {
        Ok(m) => m,
        Err(message) => return Ok(cmd::refuse(&message)),
    };
    let root = &args.site.root;
    let Some(config) = cmd::config(root) else {
        return Ok(Outcome::Invalid);
    };
    cmd::refuse_demo_now(&config, "new")?;
    let tz = config.timezone;
    if args.title.trim().is_empty() {
        return Ok(cmd::refuse(
            "error: the title is empty; write what customers would recognise, e.g. \"Elevated error rates on the Public API\"",
        ));
    }
    let components = match cmd::component_ids(&config, &args.components) {
        Ok(c) => c,
        Err(message) => return Ok(cmd::refuse(&message)),
    };
    // Minutes are what authors and readers use; seconds would only look like false precision.
    let now = cmd::now(&args.site, tz)?;
    let at = now.duration_trunc(TimeDelta::minutes(1)).unwrap_or(now);
    let next = match cmd::next_update(args.next.as_deref(), &config, now, at) {
        Ok(n) => n,
        Err(message) => return Ok(cmd::refuse(&message)),
    };
    let ids: Vec<String> = components
        .iter()
        .map(|&c| config.components[c].id.clone())
        .collect();
    let templates = Templates::load(root)?;

    let window = match (args.maintenance, &args.starts, &args.ends) {
        (true, Some(starts), Some(ends)) => {
            let parse = |flag: &str, text: &str| {
                crate::clock::parse_now(text, tz).map_err(|e| format!("error: --{flag}: {e}"))
            };
            let (starts, ends) = match (parse("starts", starts), parse("ends", ends)) {
                (Ok(s), Ok(e)) => (s, e),
                (Err(m), _) | (_, Err(m)) => return Ok(cmd::refuse(&m)),
            };
            if ends <= starts {
                return Ok(cmd::refuse("error: --ends is not after --starts"));
            }
            Some((starts, ends))
        }
        _ => None,
    };

    // The author's words, or the state's template as a first draft.
    let body = |template: &str, view: &dyn Fn() -> UpdateTemplateView| match &args.message {
        Some(message) => Ok(message.clone()),
        None => templates.render_update(template, &view()),
    };
    let (dir, date, text) = match window {
        Some(window) => {
            // Announcing a window promises nothing until the work starts.
            let body = body("maintenance/scheduled", &|| {
                UpdateTemplateView::maintenance(&config, &args.title, &components, window, at, None)
            })?;
            let first = NewUpdate {
                state: "scheduled",
                at,
                next_update: None,
                impact: None,
                components: None,
                body: &body,
            };
            (
                maintenance_file::DIR,
                window.0,
                edit::new_maintenance(args.title.trim(), &ids, window, &first, tz),
            )
        }
        None => {
            let Some(impact) = args.impact.map(|i| i.to_model()) else {
                return Ok(cmd::refuse(
                    "error: a new incident needs --impact minor, major or critical",
                ));
            };
            let next_at = cmd::promised_at(next.as_deref(), at);
            let body = body("investigating", &|| {
                UpdateTemplateView::new(
                    &config,
                    &args.title,
                    crate::model::State::Investigating,
                    impact,
                    &components,
                    at,
                    next_at,
                )
            })?;
            let first = NewUpdate {
                state: "investigating",
                at,
                next_update: next.as_deref(),
                impact: None,
                components: None,
                body: &body,
            };
            (
                load::INCIDENTS_DIR,
                at,
                edit::new_incident(args.title.trim(), impact, &ids, &first, tz),
            )
        }
    };

    let stem = format!("{}-{}", local_date(date, tz), edit::slugify(&args.title));
    let mut rel = free_path(root, dir, &stem);
    let display = crate::fs::display_path(root, &rel);
    // What we write must read back: never leave the author a file the build rejects.
    let mut diagnostics = Vec::new();
    let source = Source::new(&display, text.clone());
    let slug = rel
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let reads_back = if window.is_some() {
        maintenance_file::parse(&source, slug, &config, &mut diagnostics).is_some()
    } else {
        crate::incident_file::parse(&source, slug, &config, &mut diagnostics).is_some()
    };
    if !reads_back {
        cmd::report(&diagnostics);
        anyhow::bail!("the new file would not be valid; nothing was written");
    }
    if window.is_none() {
        if let Some(open) = open_with_title(root, &args.title) {
            return Ok(cmd::refuse(&format!(
                "error: `{open}` is an open incident with this title; a second one would show customers the same incident twice\n  = help: post an update to it: `statuspost update {open} identified` (or another state)"
            )));
        }
    }
    let plan = match post::prepare(&args.post, args.edit, &args.site, &config) {
        Ok(plan) => plan,
        Err(outcome) => return Ok(outcome),
    };
    // Another `new` with the same title may take the name between looking and
    // writing: then the next free name, a bounded number of times.
    let mut tries = 0;
    while edit::try_create(&root.join(&rel), &text)? == edit::Created::Taken {
        tries += 1;
        if tries == 100 {
            anyhow::bail!(
                "`{}` and the next 100 names are taken; nothing was written",
                display.display()
            );
        }
        rel = free_path(root, dir, &stem);
    }
    let display = crate::fs::display_path(root, &rel);
    println!("{}", display.display());
    let (state, next_at) = match window {
        Some(_) => ("scheduled", None),
        None => ("investigating", cmd::promised_at(next.as_deref(), at)),
    };
    let slug = rel
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let written = post::Written {
        display,
        before: None,
        bytes: text.into_bytes(),
        subject: post::subject(&slug, state),
        summary: post::summary(state, at, next_at, tz),
        accept: None,
    };
    post::finish(&args.site, plan, written)
}

/// The slug of an open incident whose title is `title`, ignoring case and spacing.
fn open_with_title(root: &Path, title: &str) -> Option<String> {
    let loaded = load::load(root);
    let key = |t: &str| {
        t.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let wanted = key(title);
    loaded
        .site?
        .incidents
        .iter()
        .find(|i| i.is_open() && key(&i.title) == wanted)
        .map(|i| i.slug.clone())
}

fn local_date(t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d").to_string()
}

/// `<dir>/<stem>.md`, with `-2`, `-3`... when the slug is taken, ignoring case
/// as case-insensitive hosts would.
fn free_path(root: &Path, dir: &str, stem: &str) -> PathBuf {
    let mut ignored = Vec::new();
    let taken: HashSet<String> = load::content_files(root, Path::new(dir), &mut ignored)
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().to_lowercase()))
        .collect();
    let mut candidate = stem.to_string();
    let mut n = 1;
    while taken.contains(&candidate.to_lowercase()) {
        n += 1;
        candidate = format!("{stem}-{n}");
    }
    Path::new(dir).join(format!("{candidate}.md"))
}
