//! `statuspost postmortem`: the incident's summary, written after it is
//! resolved, without an update: the resolved time, the duration and the
//! announcements stay as they were.

use crate::cli::PostmortemArgs;
use crate::cmd::{self, post, update, Outcome};
use crate::edit;
use crate::load;
use crate::model::State;
use crate::templates::Templates;
use crate::view::UpdateTemplateView;

pub(super) fn run(args: PostmortemArgs) -> anyhow::Result<Outcome> {
    let root = &args.site.root;
    let Some(config) = cmd::config(root) else {
        return Ok(Outcome::Invalid);
    };
    let rel = match update::find(root, &config, &args.incident) {
        Ok(rel) => rel,
        Err(message) => return Ok(cmd::refuse(&message)),
    };
    if rel.starts_with(crate::maintenance_file::DIR) {
        return Ok(cmd::refuse(
            "error: a postmortem is for an incident, not maintenance",
        ));
    }
    let display = crate::fs::display_path(root, &rel);
    let slug = rel
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let locked = edit::lock(&display)?;
    let original = std::fs::read(&display)
        .map_err(|e| anyhow::anyhow!("failed to read `{}`: {e}", display.display()))?;
    let mut diagnostics = Vec::new();
    let incident = load::read_source(root, &rel, &mut diagnostics).and_then(|source| {
        crate::incident_file::parse(&source, slug.clone(), &config, &mut diagnostics)
            .map(|i| (source, i))
    });
    let Some((source, incident)) = incident else {
        cmd::report(&diagnostics);
        return Ok(cmd::refuse(&format!(
            "error: fix `{}` before adding its postmortem",
            display.display()
        )));
    };
    let has_summary = !incident.summary.trim().is_empty();
    if has_summary && !args.edit {
        return Ok(cmd::refuse(&format!(
            "error: `{slug}` already has a postmortem (the summary after its incident block)\n  = help: `statuspost postmortem {slug} --edit` opens it in your editor"
        )));
    }
    if incident.is_open() {
        eprintln!(
            "warning: `{slug}` is still {}; readers see the postmortem with it, so resolve it first: `statuspost update {slug} resolved`",
            incident.state().as_str()
        );
    }
    let plan = match post::prepare(&args.post, args.edit, &args.site, &config) {
        Ok(plan) => plan,
        Err(outcome) => return Ok(outcome),
    };
    let bytes = if has_summary {
        original.clone()
    } else {
        let view = UpdateTemplateView::new(
            &config,
            &incident.title,
            State::Resolved,
            incident.current_impact(),
            incident.current_components(),
            incident.latest().at,
            None,
        );
        let skeleton = Templates::load(root)?.render_update("postmortem", &view)?;
        let bytes = update::insert_summary(&original, &source, &original, &skeleton)?;
        edit::replace(&locked, &display, &bytes)?;
        bytes
    };
    drop(locked);
    println!("{}", display.display());
    let written = post::Written {
        display,
        before: Some(original),
        bytes,
        subject: post::subject(&slug, "postmortem"),
        summary: if args.edit {
            "the postmortem, as you saved it".to_string()
        } else {
            "the postmortem skeleton, added to the summary: fill in each section".to_string()
        },
        accept: None,
    };
    post::finish(&args.site, plan, written)
}
