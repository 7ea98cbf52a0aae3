//! Incident files: splitting a file into its `+++` blocks, and parsing the
//! blocks into an [`Incident`]. Maintenance files share the block format and
//! the update fields, so `maintenance_file` reads them with the helpers here.
//!
//! A file is a sequence of blocks: a line of exactly `+++`, TOML settings, a
//! closing `+++`, then markdown up to the next opening `+++`. Fences alternate
//! open, close, open, close; that is the whole grammar.

use std::collections::HashMap;
use std::ops::Range;

use crate::clock;
use crate::config;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::fields::{self, DateOrText, Fields};
use crate::model::{Config, Impact, Incident, State, Update};
use crate::source::Source;

const INCIDENT_KEYS: &[&str] = &["title", "impact", "components"];
const UPDATE_KEYS: &[&str] = &["state", "at", "next_update", "impact", "components"];

/// One block: its settings and the markdown after them, as byte ranges into the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The opening `+++` line.
    pub open: Range<usize>,
    pub settings: Range<usize>,
    pub body: Range<usize>,
}

impl Block {
    /// The block's settings as TOML fields; `what` names it in diagnostics ("update block").
    pub(crate) fn fields<'a>(
        &self,
        source: &'a Source,
        what: &'static str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<fields::Fields<'a>> {
        fields::parse(
            source,
            self.settings.clone(),
            self.open.clone(),
            what,
            diags,
        )
    }
}

/// A file whose fences do not pair up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    pub span: Range<usize>,
    pub message: String,
    pub help: Option<String>,
}

/// Returns the byte range of every line that is a fence. Trailing spaces and a
/// CR are tolerated because an author cannot see them.
fn fences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim_end() == "+++" {
            out.push(start..start + content.len());
        }
        start += line.len();
    }
    out
}

/// At most this many lines in an incident or maintenance file. Parsing a
/// 10 MB file of 5 million short lines took 9.5 s and 4.3 GB of memory; no
/// incident is that long, so such a file is refused before any work is done.
pub(crate) const MAX_LINES: usize = 50_000;

/// At most this many updates in one incident or maintenance file. Pages show
/// each update with what it changed since the start, work that grows with the
/// square of the count (20,000 updates took 2 s, 40,000 took 7.6 s).
pub(crate) const MAX_UPDATES: usize = 1_000;

pub fn split(text: &str) -> Result<Vec<Block>, SplitError> {
    if let Some((at, _)) = text.match_indices('\n').nth(MAX_LINES - 1) {
        if at + 1 < text.len() {
            return Err(SplitError {
                span: at + 1..at + 2,
                message: format!(
                    "the file has more than {MAX_LINES} lines, the most one incident file may have"
                ),
                help: Some(
                    "split it: an incident this long is better told as several, or in fewer words"
                        .into(),
                ),
            });
        }
    }
    let fences = fences(text);
    let Some(first) = fences.first() else {
        return Err(if text.trim().is_empty() {
            SplitError {
                span: 0..0,
                message: "the file is empty; expected an incident block opened by a line of `+++`".into(),
                help: Some("start the file with `+++`, then `title = \"...\"`, `impact = \"minor\"`, `components = [...]`, then `+++`".into()),
            }
        } else {
            let start = text.len() - text.trim_start().len();
            SplitError {
                span: start..start + text[start..].chars().next().map_or(0, char::len_utf8),
                message: "expected a line of `+++` opening the incident block".into(),
                help: Some("every incident file starts with a `+++` block of settings".into()),
            }
        });
    };
    let lead = &text[..first.start];
    if !lead.trim().is_empty() {
        let start = lead.len() - lead.trim_start().len();
        return Err(SplitError {
            span: start..start + text[start..].chars().next().map_or(0, char::len_utf8),
            message: "text before the first `+++`; expected the file to start with the incident block".into(),
            help: Some("move this text after the incident block's closing `+++`, where it becomes the incident's summary".into()),
        });
    }
    if fences.len() % 2 == 1 {
        return Err(unclosed(text, &fences));
    }
    let mut blocks = Vec::with_capacity(fences.len() / 2);
    for (i, pair) in fences.chunks(2).enumerate() {
        let (open, close) = (pair[0].clone(), &pair[1]);
        if i > MAX_UPDATES {
            return Err(SplitError {
                span: open,
                message: format!(
                    "this is update {i}; one incident file may have at most {MAX_UPDATES}"
                ),
                help: Some("start a new incident for what follows, and link to this one".into()),
            });
        }
        let body_end = fences.get(2 * i + 2).map_or(text.len(), |next| next.start);
        blocks.push(Block {
            settings: line_after(text, open.end)..close.start,
            body: line_after(text, close.end)..body_end,
            open,
        });
    }
    Ok(blocks)
}

/// The block that is never closed, in a file of an odd number of fences.
///
/// From a forgotten closing `+++` on, the fences pair up wrongly, and only
/// the last one is left over, possibly many blocks further on. The fence
/// to blame is the first opening one whose text up to the next fence is not
/// all settings (it runs into the block's markdown), such that every other
/// block's settings are valid once it is taken out. When none fits, the last
/// fence is the one left open.
fn unclosed(text: &str, fences: &[Range<usize>]) -> SplitError {
    let upto = |i: usize| fences.get(i + 1).map_or(text.len(), |f| f.start);
    // What TOML finds wrong in the text after each fence, if anything: where it stops being settings.
    let errors: Vec<Option<usize>> = (0..fences.len())
        .map(|i| {
            let start = line_after(text, fences[i].end).min(upto(i));
            let (_, errors) = toml::de::DeTable::parse_recoverable(&text[start..upto(i)]);
            errors
                .first()
                .map(|e| start + e.span().map_or(0, |s| s.start))
        })
        .collect();
    // Linear, not a check of every block per candidate: a file may have thousands of fences.
    // `after[k]`: every block opened by an odd fence from `k` on has valid settings.
    let mut after = vec![true; fences.len() + 1];
    for k in (0..fences.len()).rev() {
        after[k] = after[k + 1] && (k % 2 == 0 || errors[k].is_none());
    }
    let mut before = true;
    let mut blamed = None;
    for open in (0..fences.len()).step_by(2) {
        if let Some(end) = errors[open] {
            if before && after[open + 1] {
                blamed = Some((open, end));
                break;
            }
        }
        before &= errors[open].is_none();
    }
    let Some((open, end)) = blamed else {
        return SplitError {
            span: fences[fences.len() - 1].clone(),
            message: "this `+++` block is never closed".into(),
            help: Some("add a line of exactly `+++` after the block's settings".into()),
        };
    };
    // The settings end at the blank lines before the first line that is not one.
    let mut line_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
    while let Some(prev) = text[..line_start.saturating_sub(1)].rfind('\n') {
        if line_start <= fences[open].end || !text[prev + 1..line_start].trim().is_empty() {
            break;
        }
        line_start = prev + 1;
    }
    let line = text[..line_start].matches('\n').count() + 1;
    SplitError {
        span: fences[open].clone(),
        message: "this `+++` block is never closed".into(),
        help: Some(format!(
            "the block's settings seem to end before line {line}: add a line of exactly `+++` there"
        )),
    }
}

/// The offset just past the line ending at `end`.
fn line_after(text: &str, end: usize) -> usize {
    match text[end..].find('\n') {
        Some(i) => end + i + 1,
        None => text.len(),
    }
}

/// Reports every line git writes around an unresolved merge conflict, and
/// whether there was one. Both versions between them are valid markdown, so
/// nothing else would stop the markers and both versions being published.
/// `=======` alone is also a markdown heading underline: it counts only in a
/// file that has a `<<<<<<<` or `>>>>>>>` line.
pub(crate) fn conflict_markers(source: &Source, diags: &mut Vec<Diagnostic>) -> bool {
    const MARKERS: [&str; 4] = ["<<<<<<<", "|||||||", "=======", ">>>>>>>"];
    let mut found = Vec::new();
    let mut start = 0;
    for line in source.text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let is_marker = MARKERS.iter().any(|m| {
            content
                .strip_prefix(m)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
        });
        if is_marker {
            found.push((start, &content[..7]));
        }
        start += line.len();
    }
    if !found
        .iter()
        .any(|(_, m)| *m == "<<<<<<<" || *m == ">>>>>>>")
    {
        return false;
    }
    for (n, (at, _)) in found.into_iter().enumerate() {
        let d = Diagnostic::error(source, at..at + 7, "unresolved git merge conflict marker");
        // Once per file: the advice is the same for every marker.
        diags.push(if n == 0 {
            d.with_help("keep the version you want, then delete the `<<<<<<<`, `=======` and `>>>>>>>` lines")
        } else {
            d
        });
    }
    true
}

/// Parses one incident file. Problems go to `diags`; `None` when any is an error.
pub fn parse(
    source: &Source,
    slug: String,
    config: &Config,
    diags: &mut Vec<Diagnostic>,
) -> Option<Incident> {
    let before = diags.len();
    if conflict_markers(source, diags) {
        return None;
    }
    let blocks = match split(&source.text) {
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
    let header = head.fields(source, "incident block", diags);
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
    block: &Block,
    config: &Config,
    tz: chrono_tz::Tz,
    diags: &mut Vec<Diagnostic>,
) -> Option<Update> {
    let f = block.fields(source, "update block", diags)?;
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
                .with_code("resolved-promise")
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
pub(crate) fn body_of(source: &Source, block: &Block) -> (String, usize) {
    let body_text = &source.text[block.body.clone()];
    let body = trim_blank_lines(body_text);
    let body_start = block.body.start + (body_text.len() - body_text.trim_start().len());
    let body_start = source.text[..body_start]
        .rfind('\n')
        .map_or(0, |i| i + 1)
        .max(block.body.start);
    (body.to_string(), source.line_col(body_start).0)
}

/// Gives each update a fragment id that depends only on its own state and
/// time, so feed guids and links stay the same when other updates are added.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_blocks_and_bodies() {
        let text = "+++\ntitle = \"t\"\n+++\nsummary\n\n+++\nstate = \"resolved\"\n+++\nDone.\n";
        let blocks = split(text).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(&text[blocks[0].settings.clone()], "title = \"t\"\n");
        assert_eq!(&text[blocks[0].body.clone()], "summary\n\n");
        assert_eq!(&text[blocks[1].settings.clone()], "state = \"resolved\"\n");
        assert_eq!(&text[blocks[1].body.clone()], "Done.\n");
    }

    #[test]
    fn crlf_and_trailing_spaces_still_fence() {
        let text = "+++ \r\na = 1\r\n+++\r\nbody\r\n";
        let blocks = split(text).unwrap();
        assert_eq!(&text[blocks[0].settings.clone()], "a = 1\r\n");
        assert_eq!(&text[blocks[0].body.clone()], "body\r\n");
    }

    #[test]
    fn reports_unclosed_and_missing_blocks() {
        let err = split("+++\na = 1\n").unwrap_err();
        assert_eq!(err.span, 0..3);
        assert!(err.message.contains("never closed"));
        assert!(split("").unwrap_err().message.contains("empty"));
        assert!(split("hello\n+++\n+++\n")
            .unwrap_err()
            .message
            .contains("before the first"));
        assert!(split("just text")
            .unwrap_err()
            .message
            .contains("expected a line of `+++`"));
        // A forgotten close in the middle is blamed where it opens, not at the last fence.
        let text = "+++\na = 1\n+++\n+++\nb = 2\n\n\nWords.\n+++\nc = 3\n+++\nMore.\n";
        let err = split(text).unwrap_err();
        assert_eq!(err.span, 14..17);
        assert!(err.help.unwrap().contains("before line 6"));
        // A fence needs the whole line: `++++` and `+++ x` are text.
        assert!(split("++++\n").is_err());
    }
}
