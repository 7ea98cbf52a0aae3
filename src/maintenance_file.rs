//! Parsing a maintenance file: the same `+++` block format as incidents. The
//! first block gives `title`, `components`, `starts` and `ends`; later blocks
//! are updates with states `scheduled`, `in_progress`, `verifying`,
//! `completed` or `cancelled`.

use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::incident_file::{
    self, body_of, read_at, read_components, read_next_update, resolve_time,
};
use crate::model::{Config, Maintenance, MaintenanceState, MaintenanceUpdate};
use crate::source::Source;

/// Folder of maintenance files, relative to the site root.
pub const DIR: &str = "maintenance";

const HEAD_KEYS: &[&str] = &["title", "components", "starts", "ends"];
const UPDATE_KEYS: &[&str] = &["state", "at", "next_update"];

pub fn parse(
    source: &Source,
    slug: String,
    config: &Config,
    diags: &mut Vec<Diagnostic>,
) -> Option<Maintenance> {
    let before = diags.len();
    let tz = config.timezone;
    if incident_file::conflict_markers(source, diags) {
        return None;
    }
    let blocks = match incident_file::split(&source.text) {
        Ok(blocks) => blocks,
        Err(e) => {
            let mut d =
                Diagnostic::error(source, e.span, e.message.replace("incident", "maintenance"));
            d.help = e.help.map(|h| h.replace("incident", "maintenance"));
            diags.push(d);
            return None;
        }
    };
    let head = &blocks[0];
    let f = head.fields(source, "maintenance block", diags)?;
    f.deny_unknown(HEAD_KEYS, diags);
    let title = f
        .required_string("title", "\"Database upgrade\"", diags)
        .map(|(t, _)| t);
    let components = if f.has("components") {
        read_components(&f, config, diags)
    } else {
        diags.push(f.missing("components", "[\"db\"]"));
        None
    };
    let mut when = |key: &str| match f.datetime_or_string(key, diags) {
        Some((value, span)) => {
            resolve_time(source, &value, span.clone(), tz, diags).map(|t| (t, span))
        }
        None if !f.has(key) => {
            diags.push(f.missing(key, "2026-12-01T22:00:00Z"));
            None
        }
        None => None,
    };
    let starts = when("starts");
    let ends = when("ends");
    if let (Some((s, _)), Some((e, span))) = (&starts, &ends) {
        if e <= s {
            diags.push(
                Diagnostic::error(source, span.clone(), "`ends` is not after `starts`").with_help(
                    "a window ends after it starts; times without an offset are in the site's zone",
                ),
            );
        }
    }

    let mut updates = Vec::new();
    for block in &blocks[1..] {
        let Some(u) = block.fields(source, "maintenance update block", diags) else {
            continue;
        };
        u.deny_unknown(UPDATE_KEYS, diags);
        let state = match u.string("state", diags) {
            Some((name, span)) => match MaintenanceState::parse(&name) {
                Some(state) => Some(state),
                None => {
                    diags.push(
                        Diagnostic::error(
                            source,
                            span,
                            format!("unknown maintenance state `{name}`"),
                        )
                        .with_help(
                            did_you_mean(&name, &MaintenanceState::NAMES)
                                .replace("expected one of", "expected"),
                        ),
                    );
                    None
                }
            },
            None if !u.has("state") => {
                diags.push(u.missing("state", "\"scheduled\"").with_help(
                    "add `state = \"scheduled\"`, `\"in_progress\"`, `\"verifying\"`, `\"completed\"` or `\"cancelled\"`",
                ));
                None
            }
            None => None,
        };
        let at = read_at(&u, tz, diags);
        let next_update = read_next_update(&u, at, tz, diags);
        let (Some(state), Some(at)) = (state, at) else {
            continue;
        };
        if let Some((next, span)) = &next_update {
            if *next <= at {
                diags.push(Diagnostic::error(
                    source,
                    span.clone(),
                    "`next_update` is not after `at`",
                ));
            }
        }
        let (body, body_line) = body_of(source, block);
        updates.push(MaintenanceUpdate {
            state,
            at,
            next_update: next_update.map(|(t, _)| t).filter(|_| !state.is_final()),
            body,
            line: source.line_col(block.open.start).0,
            body_line,
            anchor: String::new(),
        });
    }
    if diags[before..].iter().any(Diagnostic::is_error) {
        return None;
    }
    updates.sort_by_key(|u| u.at);
    let mut used = std::collections::HashMap::new();
    for u in &mut updates {
        let base = format!("{}-{}", u.state.as_str(), u.at.format("%Y%m%dT%H%MZ"));
        let n = used.entry(base.clone()).or_insert(0);
        *n += 1;
        u.anchor = if *n == 1 { base } else { format!("{base}-{n}") };
    }
    let (summary, summary_line) = body_of(source, head);
    Some(Maintenance {
        slug,
        path: source.path.clone(),
        title: title?,
        components: components?,
        starts: starts?.0,
        ends: ends?.0,
        summary,
        summary_line,
        updates,
        fingerprint: crate::model::fingerprint(&[source.text.as_bytes()]),
    })
}
