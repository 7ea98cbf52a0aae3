//! Wording checks on update text, following incident-communication practice:
//! be declarative (no speculation), promise the next update rather than an
//! end time (no ETAs), name no individuals, and say from the first
//! `investigating` update what customers are seeing.

use crate::markdown::blank_comments;
use crate::model::{Config, Incident, State, Update};

/// One wording problem in an update's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    /// 0-based line within the body.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// Characters to underline.
    pub len: usize,
    pub message: String,
    pub help: &'static str,
}

const SPECULATION: &[&str] = &[
    "we think",
    "we believe",
    "we hope",
    "hopefully",
    "probably",
    "possibly",
    "maybe",
    "perhaps",
    "might be",
    "may be caused",
    "should be fixed",
    "should be resolved",
    "should be back",
    "should be working",
    "should now be",
    "seems to",
    "appears to be fixed",
    "fingers crossed",
    "we suspect",
    "we assume",
];
const SPECULATION_HELP: &str =
    "state what you know: \"verification of the fix is underway\", not \"we think we fixed it\"";

const ETA: &[&str] = &[
    "eta",
    "estimated time",
    "expected to be resolved",
    "expected to be fixed",
    "expect to resolve",
    "expect this to be",
    "within the hour",
    "in the next hour",
    "in a few minutes",
    "in the next few minutes",
    "by end of day",
    "by the end of the day",
    "shortly",
    "very soon",
    "any minute",
    "back up soon",
    "resolved soon",
    "fixed soon",
];
const ETA_HELP: &str =
    "promise the time of the next update (`next_update`), not when the problem will end";

const HANDLE_HELP: &str = "name teams or systems, never individuals";

/// Words that say what customers see; an `investigating` update needs at least one (or a component's name).
const IMPACT_WORDS: &[&str] = &[
    "error",
    "fail",
    "unavailable",
    "down",
    "outage",
    "slow",
    "latency",
    "delay",
    "degraded",
    "timeout",
    "timing out",
    "time out",
    "cannot",
    "can't",
    "unable",
    "affect",
    "impact",
    "intermittent",
    "elevated",
    "increased",
    "disruption",
    "not loading",
    "unreachable",
    "offline",
    "interrupt",
    "broken",
    "missing",
    "lost",
    "issue",
    "problem",
];

/// Marks the notes in pre-written templates that the author is meant to replace.
pub const TEMPLATE_NOTE: &str = crate::markdown::TEMPLATE_NOTE;

/// Unfilled template notes in any text, such as a postmortem skeleton, and
/// comments never closed, which hide everything after them.
pub fn template_notes(text: &str) -> Vec<Finding> {
    let (_, notes) = blank_comments(text);
    let unclosed = notes
        .iter()
        .filter(|(_, note)| !note.ends_with("-->"))
        .map(|(start, _)| {
            finding(
                text,
                *start,
                4,
                "unclosed-comment",
                "this comment is never closed, so everything after it is hidden from readers"
                    .into(),
                "end the note with `-->`",
            )
        });
    let unfilled: Vec<Finding> = notes
        .iter()
        .filter(|(_, note)| note.contains(TEMPLATE_NOTE))
        .map(|(start, _)| {
            finding(text, *start, 4, "template-note", "this text still has a template note to fill in".into(),
                "write the details the note asks for, then delete the note (notes are never published)")
        })
        .collect();
    unclosed.chain(unfilled).collect()
}

/// Findings in an incident's summary, `what` being "postmortem" or "summary":
/// each section of a template still to write (it is hidden from readers until
/// it is written), and any other template note.
pub fn lint_summary(text: &str, what: &str) -> Vec<Finding> {
    let unfilled = crate::markdown::unfilled_sections(text);
    let mut findings: Vec<Finding> = template_notes(text)
        .into_iter()
        .filter(|f| {
            // Sections are in the order of the text and hold none of each other.
            let i = unfilled.partition_point(|u| u.line <= f.line);
            f.code != "template-note" || i == 0 || !unfilled[i - 1].covers_line(f.line)
        })
        .collect();
    findings.extend(unfilled.into_iter().map(|u| Finding {
        code: "unfilled-section",
        line: u.line,
        col: 1,
        len: text.lines().nth(u.line).map_or(1, |l| l.chars().count()),
        message: format!(
            "{what} section `{}` is not filled in; it is hidden from readers until it is",
            u.heading
        ),
        help: "write the section in place of its note, or delete the heading if it does not apply",
    }));
    findings.sort_by_key(|f| (f.line, f.col));
    findings
}

/// The name `statuspost init` gives its example incident, after the date.
pub const EXAMPLE_SLUG: &str = "example-api-errors";
/// The example incident's title, as `init` writes it.
pub const EXAMPLE_TITLE: &str = "Elevated error rates on the API";
/// The first words of the example incident's summary.
pub const EXAMPLE_SUMMARY: &str = "An example incident: delete this file";

/// Whether `incident` is still the example `init` wrote: its file name and
/// title unchanged, or its summary still telling the author to delete it.
pub fn is_example_incident(incident: &Incident) -> bool {
    (incident.slug.ends_with(EXAMPLE_SLUG) && incident.title == EXAMPLE_TITLE)
        || incident.summary.contains(EXAMPLE_SUMMARY)
}

/// The domain reserved for examples (RFC 2606) that `host` is, or is under.
pub fn example_domain(host: &str) -> Option<&'static str> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    ["example.com", "example.org", "example.net"]
        .into_iter()
        .find(|d| host == *d || host.ends_with(&format!(".{d}")))
}

/// Checks one update's body.
pub fn lint_update(update: &Update, incident: &Incident, config: &Config) -> Vec<Finding> {
    let must_say_impact = (update.state == State::Investigating).then(|| incident.all_components());
    lint_text(&update.body, must_say_impact.as_deref(), config)
}

/// The wording findings for one update's text, as `check` reports them, for
/// a command to show before it publishes a new update (see [`to_diagnostics`]):
/// unfilled template notes, speculation, estimates, names of individuals and,
/// when `must_say_impact` holds the incident's components (an `investigating`
/// update), an update that does not say what customers see.
pub fn lint_text(body: &str, must_say_impact: Option<&[usize]>, config: &Config) -> Vec<Finding> {
    let mut findings = Vec::new();
    // Comments are never published, so they are not checked, except for unfilled template notes.
    let (visible, _) = blank_comments(body);
    // ASCII-only, so byte offsets in `lower` are offsets in `visible` (every phrase is ASCII).
    let lower = visible.to_ascii_lowercase();
    findings.extend(template_notes(body));
    for phrase in SPECULATION {
        for at in find_words(&lower, phrase) {
            findings.push(finding(
                body,
                at,
                phrase.chars().count(),
                "speculation",
                format!("\"{}\" is speculation", &visible[at..at + phrase.len()]),
                SPECULATION_HELP,
            ));
        }
    }
    for phrase in ETA {
        for at in find_words(&lower, phrase) {
            findings.push(finding(
                body,
                at,
                phrase.chars().count(),
                "eta",
                format!(
                    "\"{}\" sounds like an estimate of when the problem will end",
                    &visible[at..at + phrase.len()]
                ),
                ETA_HELP,
            ));
        }
    }
    for (at, len) in handles(&visible) {
        findings.push(finding(
            body,
            at,
            // The caret is measured in characters; `len` is bytes.
            visible[at..at + len].chars().count(),
            "handle",
            format!("`{}` names an individual", &visible[at..at + len]),
            HANDLE_HELP,
        ));
    }
    if must_say_impact.is_some_and(|components| !says_impact(&lower, components, config)) {
        findings.push(Finding {
            code: "no-impact",
            line: 0,
            col: 1,
            len: body.lines().next().map_or(1, |l| l.chars().count()),
            message: "this investigating update does not say what customers are seeing".into(),
            help: "say which component is affected and how, e.g. \"Since 14:02 GMT, some requests to the Public API fail with error 503.\"",
        });
    }
    findings.sort_by_key(|f| (f.line, f.col));
    findings
}

fn says_impact(lower: &str, components: &[usize], config: &Config) -> bool {
    IMPACT_WORDS.iter().any(|w| lower.contains(w))
        || components.iter().any(|&c| {
            let component = &config.components[c];
            lower.contains(&component.name.to_ascii_lowercase())
                || !find_words(lower, &component.id).is_empty()
        })
}

/// `findings` in `text` (which starts at 1-based line `first_line` of `path`)
/// as warnings with their place and the line shown, as `check` prints them.
pub fn to_diagnostics(
    path: &std::path::Path,
    text: &str,
    first_line: usize,
    findings: Vec<Finding>,
) -> Vec<crate::diagnostic::Diagnostic> {
    use crate::diagnostic::{Diagnostic, Severity};
    let lines: Vec<&str> = text.lines().collect();
    findings
        .into_iter()
        .map(|f| {
            let snippet = lines.get(f.line).copied().unwrap_or_default();
            Diagnostic::file(
                Severity::Warning,
                path,
                first_line + f.line,
                f.col,
                f.message,
            )
            .with_snippet(snippet, f.len)
            .with_code(f.code)
            .with_help(f.help)
        })
        .collect()
}

fn finding(
    body: &str,
    at: usize,
    len: usize,
    code: &'static str,
    message: String,
    help: &'static str,
) -> Finding {
    let before = &body[..at];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Finding {
        code,
        line,
        col: body[line_start..at].chars().count() + 1,
        len,
        message,
        help,
    }
}

/// Byte offsets where `phrase` occurs as whole words.
fn find_words(text: &str, phrase: &str) -> Vec<usize> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(phrase) {
        let at = from + i;
        let end = at + phrase.len();
        let before_ok = text[..at].chars().next_back().is_none_or(|c| !is_word(c));
        let after_ok = text[end..].chars().next().is_none_or(|c| !is_word(c));
        if before_ok && after_ok {
            out.push(at);
        }
        from = end;
    }
    out
}

/// `@name` mentions (not e-mail addresses): byte offset and length.
fn handles(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices('@') {
        let after_word = text[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '.' || c == '_');
        let len = text[i + 1..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(text.len() - i - 1);
        if !after_word && len > 0 {
            out.push((i, len + 1));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_survive_characters_whose_case_changes_length() {
        // Regression: lowercasing `Ⱥ` (2 bytes) gives 3 bytes, and slicing by those offsets panicked.
        let text = "Ⱥ errors, we think";
        let lower = text.to_ascii_lowercase();
        let at = find_words(&lower, "we think")[0];
        assert_eq!(&text[at..at + 8], "we think");
        let f = finding(text, at, 8, "x", String::new(), "");
        assert_eq!((f.line, f.col), (0, 11));
    }

    #[test]
    fn unclosed_comments_are_flagged() {
        let found = template_notes("Fine. <!-- hidden for ever");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, "unclosed-comment");
        assert!(template_notes("Fine. <!-- closed --> <!-->").is_empty());
    }

    #[test]
    fn a_summary_s_unfilled_sections_are_one_finding_each() {
        let text = "Intro <!-- fill in: intro -->\n\n## A\n\n<!-- fill in: a -->\n\n## B\n\nb <!-- fill in: b -->\n";
        let found: Vec<(&str, usize)> = lint_summary(text, "postmortem")
            .iter()
            .map(|f| (f.code, f.line))
            .collect();
        assert_eq!(
            found,
            [
                ("template-note", 0),
                ("unfilled-section", 2),
                ("template-note", 8)
            ]
        );
    }

    #[test]
    fn whole_words_only() {
        assert_eq!(find_words("the eta is", "eta"), vec![4]);
        assert!(find_words("beta metadata", "eta").is_empty());
        assert_eq!(find_words("maybe. Maybe", "maybe"), vec![0]);
    }

    #[test]
    fn handles_but_not_emails() {
        let text = "Thanks @alice and (@bob-ops); mail support@acme.example";
        let found: Vec<&str> = handles(text)
            .into_iter()
            .map(|(a, l)| &text[a..a + l])
            .collect();
        assert_eq!(found, ["@alice", "@bob-ops"]);
    }

    #[test]
    fn comments_are_blanked_in_place() {
        let (visible, notes) = blank_comments("a <!-- é\nx --> b");
        assert_eq!(visible.len(), "a <!-- é\nx --> b".len());
        assert!(visible.starts_with("a ") && visible.ends_with(" b"));
        assert_eq!(visible.matches('\n').count(), 1);
        assert_eq!(notes[0].0, 2);
    }
}
