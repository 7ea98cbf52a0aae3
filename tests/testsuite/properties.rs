//! Property tests: no input makes statuspost panic or lose words.
//!
//! Every property runs a fixed number of cases from a fixed seed, so a run is
//! deterministic, bounded in time and writes nothing into the repository. To
//! explore further on your own machine, raise the count or change the seed:
//!
//! ```sh
//! PROPTEST_CASES=20000 PROPTEST_BUILD_CASES=200 PROPTEST_RNG_SEED=$RANDOM \
//!     cargo test --test testsuite properties
//! ```
//!
//! A failure prints the shrunk input. Keep it as a plain `#[test]` in the
//! regressions section at the end of this file (marked `#[ignore = "bug: ..."]`
//! until the fix lands), so every crash found stays found. The fuzz targets in
//! `fuzz/` cover the same functions with coverage guidance.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::RngSeed;
use statuspost::clock;
use statuspost::diagnostic::{Diagnostic, Severity};
use statuspost::incident_file;
use statuspost::lint;
use statuspost::maintenance_file;
use statuspost::markdown;
use statuspost::model::{Config, Incident};
use statuspost::source::Source;

use crate::support::{assert_balanced, tags, text, TestSite, CONFIG};

// ---------------------------------------------------------------------------
// Runner configuration
// ---------------------------------------------------------------------------

/// The seed every property starts from unless `PROPTEST_RNG_SEED` is set.
const SEED: u64 = 0x5747_5057_0001;

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// `cases` cases from a fixed seed; no failure files are written.
/// `PROPTEST_CASES` overrides the count of the in-process properties only.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: env_u64("PROPTEST_CASES").map_or(cases, |n| n as u32),
        ..process_config(cases)
    }
}

/// As [`config`], for properties that start processes: `PROPTEST_BUILD_CASES`
/// overrides the count.
fn process_config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: env_u64("PROPTEST_BUILD_CASES").map_or(cases, |n| n as u32),
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(env_u64("PROPTEST_RNG_SEED").unwrap_or(SEED)),
        // Shrinking a failure must not take longer than finding it.
        max_shrink_time: 60_000,
        ..ProptestConfig::default()
    }
}

/// The standard test config (`support::CONFIG`), parsed once.
fn site_config() -> &'static Config {
    static PARSED: OnceLock<Config> = OnceLock::new();
    PARSED.get_or_init(|| {
        let source = Source::new(Path::new("statuspost.toml"), CONFIG.to_string());
        let mut diags = Vec::new();
        let config = statuspost::config::parse(&source, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        config.expect("the test config parses")
    })
}

// ---------------------------------------------------------------------------
// Invariants
// ---------------------------------------------------------------------------

/// The raw text of 1-based line `line`, with its line ending.
fn raw_line(text: &str, line: usize) -> &str {
    text.split_inclusive('\n').nth(line - 1).unwrap_or("")
}

/// Every diagnostic points into the file it came from: line 0 for the file as
/// a whole, else a line of the file and a column on it (one past its last
/// character at most), and it renders without panicking.
fn check_diagnostics(source: &Source, diags: &[Diagnostic]) {
    let lines = source.text.matches('\n').count() + 1;
    for d in diags {
        let rendered = d.to_string();
        assert_eq!(d.path, source.path, "{rendered}");
        assert!(!d.message.trim().is_empty(), "{rendered}");
        if d.line == 0 {
            continue;
        }
        assert!(
            d.line <= lines,
            "line {} of a {lines}-line file: {rendered}",
            d.line
        );
        let raw = raw_line(&source.text, d.line);
        assert!(
            d.col >= 1 && d.col <= raw.chars().count() + 1,
            "column {} on a line of {} characters: {rendered}",
            d.col,
            raw.chars().count()
        );
        assert!(d.width >= 1, "{rendered}");
        if let Some(snippet) = &d.snippet {
            assert_eq!(snippet, source.line_text(d.line), "{rendered}");
        }
    }
}

fn check_span(text: &str, span: &Range<usize>, what: &str) {
    assert!(
        span.start <= span.end
            && span.end <= text.len()
            && text.is_char_boundary(span.start)
            && text.is_char_boundary(span.end),
        "{what} {span:?} in a text of {} bytes",
        text.len()
    );
}

/// `split` returns blocks in order, inside the text, on character boundaries.
fn check_split(text: &str) {
    match incident_file::split(text) {
        Ok(blocks) => {
            assert!(!blocks.is_empty());
            let mut last = 0;
            for b in &blocks {
                for (what, span) in [
                    ("open", &b.open),
                    ("settings", &b.settings),
                    ("body", &b.body),
                ] {
                    check_span(text, span, what);
                }
                assert_eq!(text[b.open.clone()].trim_end(), "+++");
                assert!(last <= b.open.start && b.open.end <= b.settings.start);
                assert!(b.settings.end <= b.body.start);
                last = b.body.end;
            }
            assert_eq!(last, text.len());
        }
        Err(e) => check_span(text, &e.span, "error span"),
    }
}

/// Lint findings point at the body's text: the underlined characters are on
/// the line and are what the message quotes.
fn check_lint(incident: &Incident, config: &Config) {
    for update in &incident.updates {
        let body = &update.body;
        let findings = lint::lint_update(update, incident, config);
        let lines: Vec<&str> = body.split('\n').collect();
        for f in findings {
            assert!(f.col >= 1, "{f:?}");
            assert!(f.line < lines.len(), "{f:?} in {body:?}");
            if f.code == "no-impact" {
                continue;
            }
            let line: Vec<char> = lines[f.line].chars().collect();
            let len = f.len;
            assert!(
                f.col - 1 + len <= line.len(),
                "{f:?} underlines past the end of {:?}",
                lines[f.line]
            );
            let underlined: String = line[f.col - 1..f.col - 1 + len].iter().collect();
            match f.code {
                "speculation" | "eta" | "handle" => {
                    assert!(f.message.contains(&underlined), "{f:?} vs {underlined:?}")
                }
                "template-note" | "unclosed-comment" => assert_eq!(underlined, "<!--", "{f:?}"),
                _ => {}
            }
        }
    }
    for f in lint::template_notes(&incident.summary) {
        assert!(f.col >= 1, "{f:?}");
    }
}

/// The demo site's config (`statuspost.toml` at the root), which the fuzz
/// targets use, parsed once.
fn demo_config() -> &'static Config {
    static PARSED: OnceLock<Config> = OnceLock::new();
    PARSED.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("statuspost.toml");
        let text = std::fs::read_to_string(path).expect("the demo config");
        let source = Source::new(Path::new("statuspost.toml"), text);
        statuspost::config::parse(&source, &mut Vec::new()).expect("the demo config parses")
    })
}

/// Runs everything that reads an incident or maintenance file over `source`.
fn parse_everything(source: &Source) {
    parse_everything_with(source, site_config());
}

fn parse_everything_with(source: &Source, config: &Config) {
    check_split(&source.text);
    let mut diags = Vec::new();
    let incident = statuspost::incident_file::parse(source, "x".into(), config, &mut diags);
    check_diagnostics(source, &diags);
    let errors = diags.iter().any(Diagnostic::is_error);
    assert_eq!(incident.is_some(), !errors, "{diags:#?}");
    if let Some(incident) = &incident {
        assert!(!incident.updates.is_empty());
        assert!(incident.updates.windows(2).all(|w| w[0].at <= w[1].at));
        for u in &incident.updates {
            assert!((1..=9999).contains(&u.at.year()));
            if let Some(next) = u.next_update {
                assert!(next > u.at);
            }
            assert_markdown_inert(&markdown::to_html(&u.body, 3));
        }
        check_lint(incident, config);
    }
    let mut diags = Vec::new();
    let maintenance = maintenance_file::parse(source, "x".into(), config, &mut diags);
    check_diagnostics(source, &diags);
    assert_eq!(
        maintenance.is_some(),
        !diags.iter().any(Diagnostic::is_error),
        "{diags:#?}"
    );
}

/// Decodes bytes as `load` does, then parses them.
fn parse_bytes(bytes: Vec<u8>) {
    parse_bytes_with(bytes, site_config());
}

fn parse_bytes_with(bytes: Vec<u8>, config: &Config) {
    let len = bytes.len();
    match Source::decode(Path::new("incidents/x.md"), bytes) {
        Ok(source) => parse_everything_with(&source, config),
        Err(e) => {
            assert!(e.line >= 1 && e.col >= 1 && e.col <= len + 1, "{e:?}");
        }
    }
}

/// Parses a config and, when it is valid, an incident against it.
fn parse_config_text(source: &Source) {
    let mut diags = Vec::new();
    let config = statuspost::config::parse(source, &mut diags);
    check_diagnostics(source, &diags);
    assert_eq!(
        config.is_some(),
        !diags.iter().any(Diagnostic::is_error),
        "{diags:#?}"
    );
    let Some(config) = config else { return };
    assert!(!config.title.trim().is_empty());
    assert!(config.base_url.starts_with("http") && !config.base_url.ends_with('/'));
    let mut ids: Vec<&str> = config.components.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(
        ids.len(),
        config.components.len(),
        "duplicate component ids"
    );
    // The config is used: component hints and time zones work with whatever it holds.
    let incident = Source::new(
        Path::new("incidents/x.md"),
        "+++\ntitle = \"T\"\nimpact = \"minor\"\ncomponents = [\"api\", \"nope\"]\n+++\n\n+++\nstate = \"investigating\"\nat = 2026-03-29T01:30:00\nnext_update = \"30m\"\n+++\nErrors.\n"
            .to_string(),
    );
    let mut diags = Vec::new();
    let parsed = statuspost::incident_file::parse(&incident, "x".into(), &config, &mut diags);
    check_diagnostics(&incident, &diags);
    if config.component_index("nope").is_none() {
        assert!(parsed.is_none(), "`nope` is not a component");
    }
}

// ---------------------------------------------------------------------------
// HTML checks
// ---------------------------------------------------------------------------

/// The elements markdown may produce. Anything else came from the author's text.
const MARKDOWN_ELEMENTS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "code",
    "em",
    "strong",
    "del",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "br",
];

const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "srcset",
    "action",
    "formaction",
    "poster",
    "background",
    "cite",
    "data",
    "xlink:href",
];

/// Decodes the character references a browser would in an attribute value.
fn decode_entities(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let decoded = rest.find(';').filter(|&e| e <= 12).and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "colon" => Some(':'),
                "Tab" => Some('\t'),
                "NewLine" => Some('\n'),
                _ => match name.strip_prefix('#') {
                    Some(hex) if hex.starts_with(['x', 'X']) => u32::from_str_radix(&hex[1..], 16)
                        .ok()
                        .and_then(char::from_u32),
                    Some(dec) => dec.parse().ok().and_then(char::from_u32),
                    None => None,
                },
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// An attribute's URL as a browser's URL parser reads it: references decoded,
/// leading and trailing controls and spaces dropped, tabs and newlines removed
/// anywhere, `\` read as `/`.
fn browser_url(value: &str) -> String {
    decode_entities(value)
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .map(|c| if c == '\\' { '/' } else { c })
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The URL's scheme, if it has one.
fn scheme(url: &str) -> Option<&str> {
    let end = url.find(':')?;
    let s = &url[..end];
    let valid = s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(s)
}

/// What may be wrong with one start tag of a page or fragment.
fn active_content(name: &str, attrs: &[(String, String)], page: bool) -> Option<String> {
    if !page && !MARKDOWN_ELEMENTS.contains(&name) {
        return Some(format!("<{name}> element"));
    }
    if matches!(
        name,
        "script"
            | "iframe"
            | "object"
            | "embed"
            | "frame"
            | "frameset"
            | "base"
            | "form"
            | "applet"
    ) {
        return Some(format!("<{name}> element"));
    }
    for (key, value) in attrs {
        if key.starts_with("on") {
            return Some(format!("event handler {key}={value:?} on <{name}>"));
        }
        if !URL_ATTRIBUTES.contains(&key.as_str()) {
            continue;
        }
        let url = browser_url(value);
        if page && name == "link" && url.starts_with("data:image/svg+xml") {
            continue;
        }
        match scheme(&url) {
            None | Some("http" | "https" | "mailto" | "tel") => {}
            Some(other) => return Some(format!("{key}={value:?} ({other}:) on <{name}>")),
        }
        if name == "img" && (scheme(&url).is_some() || url.starts_with("//")) {
            return Some(format!("<img {key}={value:?}> loads from another origin"));
        }
    }
    None
}

/// A markdown fragment can show text, links and local images, and nothing else.
fn assert_markdown_inert(html: &str) {
    for (name, attrs) in tags(html) {
        if let Some(problem) = active_content(&name, &attrs, false) {
            panic!("{problem} in:\n{html}");
        }
    }
}

/// A built page runs nothing and loads nothing from elsewhere.
fn assert_page_inert(page: &str, html: &str) {
    for (name, attrs) in tags(html) {
        if let Some(problem) = active_content(&name, &attrs, true) {
            panic!("{page}: {problem}");
        }
    }
}

/// Maximal runs of alphanumeric characters, counted.
fn word_runs(text: &str) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for run in text.split(|c: char| !c.is_alphanumeric()) {
        if !run.is_empty() {
            *out.entry(run.to_string()).or_insert(0) += 1;
        }
    }
    out
}

/// Asserts that every word in `expected` shows at least as often in `html`'s
/// visible text (and image descriptions) as it was written.
fn assert_words_kept(markdown_in: &str, expected: &[String], html: &str) {
    let mut shown = text(html);
    for (name, attrs) in tags(html) {
        if name == "img" {
            for (key, value) in attrs {
                if key == "alt" {
                    shown.push(' ');
                    shown.push_str(&decode_entities(&value));
                }
            }
        }
    }
    let have = word_runs(&shown);
    let mut want: HashMap<&str, usize> = HashMap::new();
    for w in expected {
        *want.entry(w.as_str()).or_insert(0) += 1;
    }
    for (word, n) in want {
        let got = have.get(word).copied().unwrap_or(0);
        assert!(
            got >= n,
            "`{word}` written {n} times, shown {got} times\ninput: {markdown_in:?}\nhtml: {html}"
        );
    }
}

/// The whitespace-separated words of plain text that a reader must see:
/// unfilled template sections and comments removed first, as they are never published, and fenced code's
/// opening lines skipped (their info string is metadata, not text).
fn plain_words(markdown_in: &str) -> Vec<String> {
    // A template's section that holds only its note is not published until written (issue 14).
    let visible = markdown::strip_comments(&markdown::without_unfilled(markdown_in));
    visible
        .lines()
        .filter(|line| !line.contains("```") && !line.contains("~~~"))
        .flat_map(str::split_whitespace)
        .filter(|w| w.chars().all(char::is_alphanumeric))
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------------------
// Grammar fragments
// ---------------------------------------------------------------------------

const FENCES: &[&str] = &[
    "+++", "+++", "+++", "+++ ", "+++\t", "+++ \r", " +++", "++++", "+++ x", "++", "+++++",
];

const KEYS: &[&str] = &[
    "title",
    "impact",
    "components",
    "state",
    "at",
    "next_update",
    "starts",
    "ends",
    "summary",
    "Title",
    "titel",
    "stat",
    "next-update",
    "nextupdate",
    "\"title\"",
    "'at'",
    "title.x",
    "a.b.c",
    "\"\"",
    "é",
    "1",
    "true",
    "\"key with spaces\"",
];

const VALUES: &[&str] = &[
    "\"minor\"",
    "\"major\"",
    "\"critical\"",
    "\"Major\"",
    "\"investigating\"",
    "\"identified\"",
    "\"verifying\"",
    "\"monitoring\"",
    "\"resolved\"",
    "\"Resolved\"",
    "\"scheduled\"",
    "\"in_progress\"",
    "\"completed\"",
    "\"cancelled\"",
    "\"\"",
    "\" \"",
    "[\"api\"]",
    "[\"api\", \"db\", \"api\"]",
    "[\"dashboard\",]",
    "[\"nope\"]",
    "[\"API\"]",
    "[]",
    "[\"api\", 1]",
    "[[\"api\"]]",
    "[\n\"api\",\n\"db\"\n]",
    "\"api\"",
    "99999999999999999999",
    "-9223372036854775808",
    "9223372036854775807",
    "0x7FFFFFFFFFFFFFFF",
    "1e400",
    "-0.0",
    "nan",
    "inf",
    "true",
    "{ a = 1 }",
    "{ state = \"resolved\" }",
    "{",
    "[",
    "\"unterminated",
    "\"\"\"\nmulti\nline\n\"\"\"",
    "'''\nliteral\n'''",
    "\"\\q\"",
    "\"\\uD800\"",
    "\"\\U0010FFFF\"",
    "\"\\UFFFFFFFF\"",
    "\"\\u0000\"",
    "'literal'",
    "\"2026-11-22T14:05:00Z\"",
    "\"2026-11-22 14:05\"",
    "\"yesterday\"",
    "= =",
    "",
];

const DATES: &[&str] = &[
    "9999-12-31T23:59:59-23:59",
    "9999-12-31T23:59:59+23:59",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59",
    "9999-12-31T23:59:59.999999999Z",
    "0000-01-01",
    "0000-01-01T00:00:00Z",
    "0000-01-01T00:00:00+23:59",
    "0001-01-01T00:00:00+23:59",
    "0001-01-01T00:00:00-23:59",
    "0001-01-01T00:00:00",
    "2026-02-29T00:00:00Z",
    "2024-02-29T12:00:00Z",
    "2026-03-29T01:30:00",
    "2026-10-25T01:30:00",
    "2026-11-22T14:05:00",
    "2026-11-22T14:05:00Z",
    "2026-11-22t14:05:00z",
    "2026-11-22 14:05:00Z",
    "2026-11-22T14:05Z",
    "2026-11-22T24:00:00Z",
    "2026-11-22T23:59:60Z",
    "2026-11-22T14:05:00.123456789123Z",
    "1979-05-27T07:32:00.999999-07:00",
    "2026-11-22",
    "14:05:00",
    "23:59:60",
    "2026-13-01T00:00:00Z",
    "2026-00-10T00:00:00Z",
];

const DURATIONS: &[&str] = &[
    "30m",
    "1h30m",
    "1 h 30 m",
    "2 hours",
    "90s",
    "999999999d",
    "99999999999999999999d",
    "9223372036854775807s",
    "9223372036854775808s",
    "366d",
    "367d",
    "31622400s",
    "31622401s",
    "0m",
    "30",
    "-5m",
    "m",
    "",
    " ",
    "30m30m30m",
    "1 year",
    "１m",
    "1ｍ",
    "30µs",
    "1d-1h",
];

const MARKDOWN: &[&str] = &[
    "We are investigating elevated error rates on the Public API.",
    "word",
    "# Heading",
    "## Sub heading",
    "###### deep",
    "Setext",
    "===",
    "---",
    "***",
    "> quoted",
    "- item",
    "* item",
    "1. item",
    "3) item",
    "```",
    "```rust words",
    "~~~",
    "    indented code",
    "\tcode",
    "<!-- note -->",
    "<!-- fill in: what customers see -->",
    "<!--",
    "-->",
    "<!-->",
    "<!--->",
    "<script>alert(1)</script>",
    "<script>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<svg onload=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](<java script:alert(1)>)",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html,<script>alert(1)</script>)",
    "[ok](https://example.com \"title\")",
    "[mail](mailto:a@b.example)",
    "![img](https://evil.example/x.png)",
    "![img](//evil.example/x.png)",
    "![img](/\\\\evil.example/x.png)",
    "![img](x.png)",
    "![img](data:image/png;base64,AA)",
    "![a [b](javascript:x)](y.png)",
    "![a [b](https://a.example)](javascript:x)",
    "[a ![b](x.png)](javascript:x)",
    "<https://example.com>",
    "<javascript:alert(1)>",
    "<a@b.example>",
    "| a | b |",
    "|---|---|",
    "| c | d |",
    "\\",
    "&amp; &lt; &#106; &#0; &#x110000;",
    "@alice",
    "we think it should be fixed shortly, ETA 5 min",
    "Ⱥ errors, we think",
    "İ",
    "ß",
    "中文",
    "🙂",
    "\u{200B}",
    "\u{FEFF}",
    "\u{202E}",
    "  ",
    "<div onclick=\"x()\">",
    "</div>",
    "<pre>",
    "</pre>",
    "<style>",
    "<![CDATA[",
    "]]>",
    "<?php",
    "?>",
    "<!DOCTYPE html>",
    "++++",
    " +++",
    "+++ x",
    "\\+++",
    "[ref]: javascript:alert(1)",
    "[ref]",
    "~~strike~~",
    "*em*",
    "**strong**",
    "`code`",
    "``",
    "_",
];

fn select(items: &'static [&'static str]) -> BoxedStrategy<String> {
    prop::sample::select(items).prop_map(str::to_string).boxed()
}

/// Text that may hold anything: any printable character, or any ASCII byte
/// including controls.
fn any_text(max: usize) -> BoxedStrategy<String> {
    prop_oneof![
        proptest::string::string_regex(&format!("\\PC{{0,{max}}}")).unwrap(),
        proptest::string::string_regex(&format!("[\\x00-\\x7f]{{0,{max}}}")).unwrap(),
        proptest::string::string_regex(&format!("[a-z \"\\\\'#=+\\[\\]{{}}.,:é中🙂\t]{{0,{max}}}"))
            .unwrap(),
    ]
    .boxed()
}

/// A TOML basic string holding `s`.
fn toml_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A datetime as an author might write it, valid or not.
fn datetime() -> BoxedStrategy<String> {
    let offset = prop_oneof![
        Just(String::new()),
        Just("Z".to_string()),
        Just("z".to_string()),
        (any::<bool>(), 0u32..=25, 0u32..=60)
            .prop_map(|(plus, h, m)| format!("{}{h:02}:{m:02}", if plus { '+' } else { '-' })),
    ];
    let parts = (
        0u32..=9999,
        0u32..=13,
        0u32..=32,
        prop::sample::select(&["T", "t", " "][..]),
        0u32..=24,
        0u32..=60,
        0u32..=61,
        prop::option::of(0u32..=999_999_999),
        offset,
    )
        .prop_map(|(y, mo, d, sep, h, mi, s, frac, off)| {
            let frac = frac.map_or(String::new(), |f| format!(".{f}"));
            format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}{frac}{off}")
        });
    prop_oneof![1 => parts, 1 => select(DATES)].boxed()
}

/// A duration as an author might write it, valid or not.
fn duration() -> BoxedStrategy<String> {
    let unit = prop::sample::select(
        &[
            "s", "m", "h", "d", "sec", "mins", "hour", "days", "", "x", "y", "M", " m",
        ][..],
    );
    let generated = prop::collection::vec((any::<u64>(), unit), 1..4).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(n, u)| format!("{}{u}", n >> (n % 64)))
            .collect::<String>()
    });
    prop_oneof![select(DURATIONS), generated].boxed()
}

fn toml_value() -> BoxedStrategy<String> {
    prop_oneof![
        4 => select(VALUES),
        2 => datetime(),
        2 => duration().prop_map(|d| toml_quote(&d)),
        1 => any_text(20).prop_map(|s| toml_quote(&s)),
        1 => any_text(10),
    ]
    .boxed()
}

/// A line of markdown built from fragments.
fn markdown_line() -> BoxedStrategy<String> {
    (
        prop::collection::vec(select(MARKDOWN), 1..4),
        prop::sample::select(&[" ", "", "  "][..]),
    )
        .prop_map(|(parts, sep)| parts.join(sep))
        .boxed()
}

/// A line of an incident or maintenance file.
fn file_line() -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(FENCES),
        4 => (select(KEYS), select(&[" = ", "=", " =  ", " : "]), toml_value(), prop::bool::weighted(0.1))
            .prop_map(|(k, eq, v, comment)| format!("{k}{eq}{v}{}", if comment { " # note" } else { "" })),
        1 => select(&["[contact]", "[[components]]", "[table", "[a.b]", "# comment", "[[x]]"]),
        2 => markdown_line(),
        1 => any_text(30),
        1 => Just(String::new()),
    ]
    .boxed()
}

/// Joins lines with line endings chosen per line, as a file edited on two systems has.
fn join_lines(lines: &[(String, &str)]) -> String {
    lines.iter().map(|(l, eol)| format!("{l}{eol}")).collect()
}

fn line_ending() -> BoxedStrategy<&'static str> {
    prop_oneof![8 => Just("\n"), 2 => Just("\r\n"), 1 => Just("\r"), 1 => Just("")].boxed()
}

/// A file made of random lines from the grammar.
fn random_file() -> BoxedStrategy<String> {
    prop::collection::vec((file_line(), line_ending()), 0..30)
        .prop_map(|lines| join_lines(&lines))
        .boxed()
}

/// One edit to a file's lines.
#[derive(Debug, Clone)]
enum Edit {
    Delete(Index),
    Insert(Index, String),
    Replace(Index, String),
    Duplicate(Index),
    Truncate(Index, Index),
    Swap(Index, Index),
    InsertChar(Index, Index, char),
}

fn edit() -> BoxedStrategy<Edit> {
    let char_ = prop_oneof![
        select(&["\"", "'", "\\", "[", "]", "=", "#", "\n", "\r", "\0", "+", "\u{FEFF}", "é"])
            .prop_map(|s| s.chars().next().unwrap()),
        any::<char>(),
    ];
    prop_oneof![
        any::<Index>().prop_map(Edit::Delete),
        (any::<Index>(), file_line()).prop_map(|(i, l)| Edit::Insert(i, l)),
        (any::<Index>(), file_line()).prop_map(|(i, l)| Edit::Replace(i, l)),
        any::<Index>().prop_map(Edit::Duplicate),
        (any::<Index>(), any::<Index>()).prop_map(|(i, j)| Edit::Truncate(i, j)),
        (any::<Index>(), any::<Index>()).prop_map(|(i, j)| Edit::Swap(i, j)),
        (any::<Index>(), any::<Index>(), char_).prop_map(|(i, j, c)| Edit::InsertChar(i, j, c)),
    ]
    .boxed()
}

/// Applies edits to the lines of `text`, keeping its line endings.
fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    for e in edits {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let n = lines.len();
        match e {
            Edit::Delete(i) => {
                lines.remove(i.index(n));
            }
            Edit::Insert(i, l) => lines.insert(i.index(n + 1), format!("{l}\n")),
            Edit::Replace(i, l) => lines[i.index(n)] = format!("{l}\n"),
            Edit::Duplicate(i) => {
                let l = lines[i.index(n)].clone();
                lines.insert(i.index(n), l);
            }
            Edit::Truncate(i, j) => {
                let line = &mut lines[i.index(n)];
                let chars: Vec<char> = line.chars().collect();
                *line = chars[..j.index(chars.len() + 1)].iter().collect();
            }
            Edit::Swap(i, j) => lines.swap(i.index(n), j.index(n)),
            Edit::InsertChar(i, j, c) => {
                let line = &mut lines[i.index(n)];
                let mut chars: Vec<char> = line.chars().collect();
                chars.insert(j.index(chars.len() + 1), *c);
                *line = chars.into_iter().collect();
            }
        }
    }
    lines.concat()
}

/// Turns text into the bytes of a file: maybe a BOM, maybe a stray invalid or NUL byte.
fn to_bytes(text: String, bom: bool, stray: Option<(Index, u8)>) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(text.len() + 3);
    if bom {
        bytes.extend_from_slice(b"\xEF\xBB\xBF");
    }
    bytes.extend_from_slice(text.as_bytes());
    if let Some((at, byte)) = stray {
        let at = at.index(bytes.len() + 1);
        bytes.insert(at, byte);
    }
    bytes
}

fn stray_byte() -> BoxedStrategy<Option<(Index, u8)>> {
    prop::option::weighted(
        0.15,
        (
            any::<Index>(),
            prop_oneof![Just(0u8), Just(0xFF), Just(0xC3), Just(0x80), any::<u8>()],
        ),
    )
    .boxed()
}

// ---------------------------------------------------------------------------
// Valid incidents, generated with what they should parse to
// ---------------------------------------------------------------------------

const COMPONENT_IDS: &[&str] = &["api", "dashboard", "db"];
const STATES: &[&str] = &[
    "investigating",
    "identified",
    "verifying",
    "monitoring",
    "resolved",
];
const IMPACTS: &[&str] = &["minor", "major", "critical"];

/// How an update's `at` is written.
#[derive(Debug, Clone, Copy)]
enum TimeForm {
    Utc,
    /// With an offset of this many minutes east of UTC.
    Offset(i32),
    /// Without an offset, in the site's zone (Europe/London).
    Local,
    /// A UTC datetime in quotes, which is accepted as a slip.
    Quoted,
}

#[derive(Debug, Clone)]
enum Next {
    /// A duration, and its length in seconds.
    After(&'static str, i64),
    /// A datetime this many minutes after `at`.
    At(i64),
}

#[derive(Debug, Clone)]
struct GenUpdate {
    state: &'static str,
    at: DateTime<Utc>,
    form: TimeForm,
    next: Option<Next>,
    impact: Option<&'static str>,
    components: Option<Vec<&'static str>>,
    body: String,
    comments: bool,
}

#[derive(Debug, Clone)]
struct GenIncident {
    title: String,
    impact: &'static str,
    components: Vec<&'static str>,
    summary: String,
    updates: Vec<GenUpdate>,
    crlf: bool,
    bom: bool,
    fence_space: bool,
}

/// The incident's file and, for each update, the 1-based lines of its
/// opening fence and of its body's first line.
struct Rendered {
    text: String,
    lines: Vec<(usize, usize)>,
}

fn write_time(t: DateTime<Utc>, form: TimeForm) -> String {
    let london = chrono_tz::Europe::London;
    match form {
        TimeForm::Utc => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        TimeForm::Quoted => format!("\"{}\"", t.format("%Y-%m-%dT%H:%M:%SZ")),
        TimeForm::Offset(minutes) => {
            let local = t + Duration::minutes(minutes.into());
            let sign = if minutes < 0 { '-' } else { '+' };
            let m = minutes.unsigned_abs();
            format!(
                "{}{sign}{:02}:{:02}",
                local.format("%Y-%m-%dT%H:%M:%S"),
                m / 60,
                m % 60
            )
        }
        TimeForm::Local => {
            let naive = t.with_timezone(&london).naive_local();
            match london.from_local_datetime(&naive) {
                chrono::LocalResult::Single(_) => naive.format("%Y-%m-%dT%H:%M:%S").to_string(),
                // Clocks going back: the wall-clock time is ambiguous, so write it in UTC.
                _ => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            }
        }
    }
}

fn toml_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

impl GenIncident {
    fn render(&self) -> Rendered {
        let fence = if self.fence_space { "+++  " } else { "+++" };
        let mut lines: Vec<String> = Vec::new();
        let mut positions = Vec::new();
        lines.push(fence.into());
        lines.push(format!("title = {}", toml_title(&self.title)));
        lines.push(format!("impact = \"{}\"", self.impact));
        lines.push(format!("components = {}", toml_list(&self.components)));
        lines.push(fence.into());
        if !self.summary.is_empty() {
            lines.extend(self.summary.split('\n').map(str::to_string));
        }
        lines.push(String::new());
        for u in &self.updates {
            let open = lines.len() + 1;
            let note = if u.comments { "   # a note" } else { "" };
            lines.push(fence.into());
            if u.comments {
                lines.push("# written during the incident".into());
            }
            lines.push(format!("state = \"{}\"{note}", u.state));
            lines.push(format!("at = {}{note}", write_time(u.at, u.form)));
            match &u.next {
                Some(Next::After(d, _)) => lines.push(format!("next_update = \"{d}\"")),
                Some(Next::At(m)) => lines.push(format!(
                    "next_update = {}",
                    write_time(u.at + Duration::minutes(*m), TimeForm::Utc)
                )),
                None => {}
            }
            if let Some(impact) = u.impact {
                lines.push(format!("impact = \"{impact}\""));
            }
            if let Some(components) = &u.components {
                lines.push(format!("components = {}", toml_list(components)));
            }
            lines.push(fence.into());
            let body_line = lines.len() + 1;
            if !u.body.is_empty() {
                lines.extend(u.body.split('\n').map(str::to_string));
            }
            lines.push(String::new());
            positions.push((open, body_line));
        }
        let eol = if self.crlf { "\r\n" } else { "\n" };
        let mut text = lines.join(eol);
        text.push_str(eol);
        Rendered {
            text,
            lines: positions,
        }
    }

    fn expected_text(&self, markdown: &str) -> String {
        if self.crlf {
            markdown.replace('\n', "\r\n")
        } else {
            markdown.to_string()
        }
    }
}

/// A title as a TOML string: a literal string when it can be one, else a basic string.
fn toml_title(title: &str) -> String {
    if title.len().is_multiple_of(3)
        && !title.contains(['\'', '\n', '\r'])
        && !title.chars().any(char::is_control)
    {
        format!("'{title}'")
    } else {
        toml_quote(title)
    }
}

fn title() -> BoxedStrategy<String> {
    prop_oneof![
        proptest::string::string_regex("[a-zA-Z0-9 \"\\\\'éü中🙂\t#=+\\[\\]{}<>&$]{1,40}").unwrap(),
        proptest::string::string_regex("\\PC{1,30}").unwrap(),
        Just("Elevated error rates on the Public API".to_string()),
        // No control characters: since issue 15 they are warned about and left out.
        Just("\"quoted\" \\ back\\slash \t tab \n newline".to_string()),
    ]
    .prop_filter("a title has words", |t| !t.trim().is_empty())
    .boxed()
}

/// Markdown that does not end with whitespace nor start with a blank line, and
/// whose lines are never a fence.
fn body() -> BoxedStrategy<String> {
    prop::collection::vec(
        prop_oneof![
            8 => markdown_line(),
            1 => Just(String::new()),
            1 => proptest::string::string_regex("[^\\n\\r\\x00]{0,30}").unwrap(),
        ],
        0..6,
    )
    .prop_map(|lines| {
        let text = lines.join("\n");
        let text = text.trim_end();
        let start = text
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(text.len());
        // Blank lines before the text are trimmed away by the parser: drop them.
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        text[line_start..].to_string()
    })
    .prop_filter("no line of the body is a fence", |b| {
        b.split('\n').all(|l| l.trim_end() != "+++")
    })
    .boxed()
}

fn components() -> BoxedStrategy<Vec<&'static str>> {
    prop::collection::vec(prop::sample::select(COMPONENT_IDS), 1..4).boxed()
}

fn time_form() -> BoxedStrategy<TimeForm> {
    prop_oneof![
        Just(TimeForm::Utc),
        (-(23 * 60 + 59)..=(23 * 60 + 59)).prop_map(TimeForm::Offset),
        Just(TimeForm::Local),
        Just(TimeForm::Quoted),
    ]
    .boxed()
}

fn next_update() -> BoxedStrategy<Option<Next>> {
    prop::option::weighted(
        0.6,
        prop_oneof![
            prop::sample::select(
                &[
                    ("30m", 1800),
                    ("1h30m", 5400),
                    ("2 hours", 7200),
                    (" 45m ", 2700),
                    ("90s", 90),
                    ("1d", 86_400),
                    ("366d", 366 * 86_400),
                ][..]
            )
            .prop_map(|(d, s)| Next::After(d, s)),
            (1i64..10_000).prop_map(Next::At),
        ],
    )
    .boxed()
}

fn incident() -> BoxedStrategy<GenIncident> {
    let update = (
        prop::sample::select(STATES),
        0i64..=3_000,
        time_form(),
        next_update(),
        prop::option::weighted(0.2, prop::sample::select(IMPACTS)),
        prop::option::weighted(0.2, components()),
        body(),
        prop::bool::weighted(0.2),
    );
    (
        title(),
        prop::sample::select(IMPACTS),
        components(),
        body(),
        // 1971 to 2099, in minutes: every form of time stays within years 1 to 9999.
        (1_000_000i64..68_000_000),
        prop::collection::vec(update, 1..6),
        (
            any::<bool>(),
            prop::bool::weighted(0.2),
            prop::bool::weighted(0.2),
        ),
    )
        .prop_map(
            |(title, impact, components, summary, start, parts, (crlf, bom, fence_space))| {
                let mut at = Utc.timestamp_opt(start * 60, 0).unwrap();
                let updates = parts
                    .into_iter()
                    .map(
                        |(state, step, form, next, impact, components, body, comments)| {
                            at += Duration::minutes(step);
                            GenUpdate {
                                state,
                                at,
                                form,
                                next,
                                impact,
                                components,
                                body,
                                comments,
                            }
                        },
                    )
                    .collect();
                GenIncident {
                    title,
                    impact,
                    components,
                    summary,
                    updates,
                    crlf,
                    bom,
                    fence_space,
                }
            },
        )
        .boxed()
}

fn dedup(ids: &[&'static str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        if !out.iter().any(|o| o == id) {
            out.push(id.to_string());
        }
    }
    out
}

/// Parses a generated incident and checks it against what was generated.
fn check_round_trip(generated: &GenIncident) {
    let config = site_config();
    let rendered = generated.render();
    let bytes = to_bytes(rendered.text.clone(), generated.bom, None);
    let source = Source::decode(Path::new("incidents/x.md"), bytes).expect("valid UTF-8");
    let mut diags = Vec::new();
    let parsed = statuspost::incident_file::parse(&source, "x".into(), config, &mut diags);
    check_diagnostics(&source, &diags);
    let text = &rendered.text;
    let Some(incident) = parsed else {
        panic!("a valid incident was refused: {diags:#?}\n{text}");
    };
    // The only warning a valid file may get: a resolved update that promises a next one.
    let promising_resolved = generated
        .updates
        .iter()
        .filter(|u| u.state == "resolved" && u.next.is_some())
        .count();
    assert_eq!(
        diags.len(),
        promising_resolved,
        "unexpected diagnostics: {diags:#?}\n{text}"
    );
    assert!(diags.iter().all(|d| d.severity == Severity::Warning));

    assert_eq!(incident.title, generated.title, "{text}");
    assert_eq!(incident.impact.as_str(), generated.impact);
    let ids = |indexes: &[usize]| -> Vec<String> {
        indexes
            .iter()
            .map(|&i| config.components[i].id.clone())
            .collect()
    };
    assert_eq!(ids(&incident.components), dedup(&generated.components));
    assert_eq!(
        incident.summary,
        generated.expected_text(&generated.summary),
        "{text}"
    );
    assert_eq!(incident.updates.len(), generated.updates.len(), "{text}");
    // Times never decrease in the file, so the stable sort keeps the file's order.
    for ((u, g), (open, body_line)) in incident
        .updates
        .iter()
        .zip(&generated.updates)
        .zip(&rendered.lines)
    {
        let state = if g.state == "monitoring" {
            "verifying"
        } else {
            g.state
        };
        assert_eq!(u.state.as_str(), state);
        assert_eq!(u.at, g.at, "{text}");
        let next = match (&g.next, g.state) {
            (_, "resolved") | (None, _) => None,
            (Some(Next::After(_, s)), _) => Some(g.at + Duration::seconds(*s)),
            (Some(Next::At(m)), _) => Some(g.at + Duration::minutes(*m)),
        };
        assert_eq!(u.next_update, next, "{text}");
        assert_eq!(u.impact.map(|i| i.as_str()), g.impact);
        assert_eq!(
            u.components.as_deref().map(ids),
            g.components.as_deref().map(dedup)
        );
        assert_eq!(u.body, generated.expected_text(&g.body), "{text}");
        assert_eq!(u.line, *open, "{text}");
        if !g.body.is_empty() {
            assert_eq!(u.body_line, *body_line, "{text}");
        }
    }
    for u in &incident.updates {
        let html = markdown::to_html(&u.body, 3);
        assert_markdown_inert(&html);
    }
    check_lint(&incident, config);
}

// ---------------------------------------------------------------------------
// Markdown generators
// ---------------------------------------------------------------------------

/// Markdown from an alphabet that can make every block and inline construct
/// except links (no brackets: see `definition_lookalikes` and
/// `linked_markdown`) and character references (no `&`), mixed with whole
/// constructs.
fn plain_markdown() -> BoxedStrategy<String> {
    let atom = prop_oneof![
        6 => proptest::string::string_regex(
            "[a-cX-Z0-9éß中 \\t\\n*_#>+.=~!<>/\"'(){}:;,?\\\\@$%^`|-]{1,12}"
        )
        .unwrap(),
        3 => proptest::string::string_regex("[a-z0-9é]{1,8}").unwrap(),
        2 => select(&[
            "\n\n", "\n", "# ", "## ", "> ", "- ", "1. ", "    ", "```\n", "~~~\n", "---\n",
            "===\n", "***", "<!-- hidden -->", "<!--", "-->", "<!-->", "<script>", "</script>",
            "<div>", "</div>", "<pre>", "<style>", "<?php", "?>", "<!DOCTYPE x>", "<![CDATA[",
            "<https://a.example/b>", "<a@b.example>", "`", "**", "~~", "\\", "  \n",
        ]),
        1 => table(),
    ];
    prop::collection::vec(atom, 0..20)
        .prop_map(|parts| parts.concat())
        .boxed()
}

/// A GitHub-style table, its rows longer or shorter than its header.
fn table() -> BoxedStrategy<String> {
    prop::collection::vec(
        prop::collection::vec("[a-z0-9]{1,6}( [a-z]{1,4})?", 1..4),
        2..4,
    )
    .prop_map(|rows| {
        let cols = rows[0].len();
        let mut out = String::from("\n\n");
        for (i, row) in rows.iter().enumerate() {
            out.push_str(&format!("| {} |\n", row.join(" | ")));
            if i == 0 {
                out.push_str(&format!("|{}\n", "---|".repeat(cols)));
            }
        }
        out.push('\n');
        out
    })
    .boxed()
}

/// Markdown with links and images, and the words a reader must see in it.
fn linked_markdown() -> BoxedStrategy<(String, Vec<String>)> {
    let words = proptest::string::string_regex("[a-z0-9é]{1,6}( [a-z0-9]{1,6}){0,2}")
        .unwrap()
        .boxed();
    let url = select(&[
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "&#106;avascript:alert(1)",
        "javascript&colon;alert(1)",
        "java&#x09;script:x",
        "java&Tab;script:x",
        "<java script:x>",
        " javascript:x",
        "data:text/html,x",
        "data:image/png;base64,AA",
        "vbscript:x",
        "%6Aavascript:x",
        "javascript%3Ax",
        "ftp://x.example/",
        "file:///etc/passwd",
        "x:y",
        "//evil.example/x.png",
        "/\\\\evil.example/x.png",
        "\\\\\\\\evil.example/x.png",
        "https://evil.example/x.png",
        "http://a.example/b",
        "mailto:a@b.example",
        "tel:123",
        "x.png",
        "/incidents/a/",
        "#frag",
        "?q=1",
        "<x y.png>",
        "x.png \"title\"",
        "",
    ]);
    let piece = prop_oneof![
        3 => words.clone().prop_map(|w| (w.clone(), w)),
        2 => (words.clone(), url.clone()).prop_map(|(w, u)| (format!("[{w}]({u})"), w)),
        2 => (words.clone(), url.clone()).prop_map(|(w, u)| (format!("![{w}]({u})"), w)),
        1 => (words.clone(), words.clone(), url.clone(), url)
            .prop_map(|(a, b, u, v)| (format!("[{a} ![{b}]({u})]({v})"), format!("{a} {b}"))),
        1 => select(&["\n\n", "\n", "# ", "> ", "- ", "**", "*"]).prop_map(|s| (s, String::new())),
    ];
    // Not ". " between pieces: `1. ` starts a list, whose number the browser draws.
    prop::collection::vec((piece, select(&[" ", "\n", ", "])), 0..10)
        .prop_map(|pieces| {
            let mut markdown_in = String::new();
            let mut words = Vec::new();
            for ((md, visible), sep) in pieces {
                markdown_in.push_str(&md);
                markdown_in.push_str(&sep);
                words.extend(visible.split_whitespace().map(str::to_string));
            }
            (markdown_in, words)
        })
        .boxed()
}

/// Lines that markdown reads as link reference definitions (`[UPDATE]: Resolved`,
/// `[a]: b "c d"`), at the top level, in quotes and list items, with labels
/// over two lines, which no link uses, among plain paragraphs; and every word
/// in them.
fn definition_lookalikes() -> BoxedStrategy<(String, Vec<String>)> {
    let words = |n: std::ops::Range<usize>| {
        prop::collection::vec(
            proptest::string::string_regex("[a-zA-Z0-9é]{1,6}").unwrap(),
            n,
        )
    };
    let definition = (
        select(&["", " ", "   ", "> ", ">> ", "- ", "* ", "1. "]),
        words(1..3),
        select(&[" ", "\n"]),
        select(&[" ", "", "  "]),
        words(1..2),
        prop::option::of(words(1..3)),
    )
        .prop_map(|(prefix, label, label_sep, gap, dest, title)| {
            // A label over two lines only where no container prefix must repeat.
            let label_sep = if prefix.trim().is_empty() {
                label_sep
            } else {
                " ".into()
            };
            let mut line = format!(
                "{prefix}[{}]:{gap}{}",
                label.join(&label_sep),
                dest.join(" ")
            );
            let mut all = [label, dest].concat();
            if let Some(title) = title {
                line.push_str(&format!(" \"{}\"", title.join(" ")));
                all.extend(title);
            }
            (line, all, true)
        });
    let paragraph = words(1..4).prop_map(|w| (w.join(" "), w, false));
    prop::collection::vec(
        (
            prop_oneof![2 => definition, 1 => paragraph],
            select(&["\n", "\n\n"]),
        ),
        1..5,
    )
    .prop_map(|parts| {
        let mut text = String::new();
        let mut words = Vec::new();
        for ((line, w, definition), sep) in parts {
            text.push_str(&line);
            // A line after a paragraph line would continue the paragraph, where
            // `[label]` is a link that uses the definition: keep them apart.
            text.push_str(if definition { &sep } else { "\n\n" });
            words.extend(w);
        }
        (text, words)
    })
    .boxed()
}

/// Markdown of any kind: fragments of every construct, or anything at all.
fn any_markdown() -> BoxedStrategy<String> {
    prop_oneof![
        3 => prop::collection::vec((markdown_line(), line_ending()), 0..12)
            .prop_map(|lines| join_lines(&lines)),
        2 => plain_markdown(),
        1 => linked_markdown().prop_map(|(m, _)| m),
        1 => definition_lookalikes().prop_map(|(m, _)| m),
        1 => any::<String>(),
        1 => any_text(60),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------
// Config generators
// ---------------------------------------------------------------------------

/// A line of a config file.
fn config_line() -> BoxedStrategy<String> {
    let key = select(&[
        "title",
        "base_url",
        "timezone",
        "description",
        "default_next_update",
        "primary_domains",
        "contact",
        "components",
        "id",
        "name",
        "group",
        "url",
        "since",
        "email",
        "titel",
        "time_zone",
        "component",
        "contact.email",
        "components.id",
        "\"title\"",
    ]);
    let value = prop_oneof![
        3 => select(&[
            "\"Acme Cloud Status\"",
            "\"https://status.example.com\"",
            "\"https://status.example.com/\"",
            "\"http://x\"",
            "\"https://\"",
            "\"http:///x\"",
            "\"https://a b\"",
            "\"ftp://x\"",
            "\"status.example.com\"",
            "\"Europe/London\"",
            "\"UTC\"",
            "\"europe/london\"",
            "\"Europe/Londn\"",
            "\"Mars/Olympus\"",
            "\"api\"",
            "\"API\"",
            "\"a b\"",
            "\"-\"",
            "\"db\"",
            "[\"acme.example\", \"\"]",
            "2026-01-15",
            "\"2026-01-15\"",
            "2026-01-15T00:00:00Z",
            "0000-01-01",
            "9999-12-31",
            "2026-02-30",
        ]),
        2 => toml_value(),
        1 => duration().prop_map(|d| toml_quote(&d)),
    ];
    prop_oneof![
        5 => (key, value).prop_map(|(k, v)| format!("{k} = {v}")),
        2 => select(&[
            "[contact]", "[[components]]", "[components]", "[[contact]]", "[x.y]", "[[components.x]]",
            "", "# comment", "[contact", "contact = { email = \"a@b.c\" }",
            "components = [{ id = \"api\", name = \"API\" }]", "components = []",
        ]),
        1 => any_text(30),
    ]
    .boxed()
}

/// One edit to a config, mostly with config-shaped lines.
fn edit_config() -> BoxedStrategy<Edit> {
    prop_oneof![
        1 => edit(),
        2 => (any::<Index>(), config_line()).prop_map(|(i, l)| Edit::Replace(i, l)),
        1 => (any::<Index>(), config_line()).prop_map(|(i, l)| Edit::Insert(i, l)),
        1 => any::<Index>().prop_map(Edit::Delete),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------
// Sites for whole builds
// ---------------------------------------------------------------------------

const GOOD: &str = "+++\ntitle = \"Fine\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n\n+++\nstate = \"resolved\"\nat = 2026-11-20T10:00:00Z\n+++\nDone.\n";

/// An open incident whose text has every kind of wording finding, written with
/// a BOM, CRLF, indentation and blank lines: `check` must point at each.
const WORDING: &[u8] = b"\xEF\xBB\xBF+++\r\ntitle = \"Wording\"\r\nimpact = \"minor\"\r\ncomponents = [\"db\"]\r\n+++\r\n\r\n  Summary <!-- fill in: what happened -->\r\n\r\n+++\r\nstate = \"investigating\"\r\nat = 2026-11-22T11:00:00Z\r\nnext_update = \"2h\"\r\n+++\r\n\r\n\r\n   We think \xC8\xBA @alice\xC8\xBA is on it <!-- note\r\n\xC3\xA9 --> and it should be fixed shortly.\r\n\r\n> Maybe; ETA 5 min. <!-- fill in: impact\r\n";

const MAINTENANCE: &str = "+++\ntitle = \"Database upgrade\"\ncomponents = [\"db\"]\nstarts = 2026-12-01T22:00:00\nends = 2026-12-02T01:00:00\n+++\nWe are upgrading the databases.\n\n+++\nstate = \"scheduled\"\nat = 2026-11-21T10:00:00Z\n+++\nThe upgrade is scheduled.\n\n+++\nstate = \"in_progress\"\nat = 2026-12-01T22:00:00Z\nnext_update = \"1h\"\n+++\nStarted.\n";

/// Files at the edges of time, valid and not: (folder, text).
const EXTREMES: &[(&str, &str)] = &[
    ("incidents", "+++\ntitle = \"End of time\"\nimpact = \"critical\"\ncomponents = [\"api\", \"db\"]\n+++\n\n+++\nstate = \"investigating\"\nat = 9999-12-31T23:00:00Z\nnext_update = \"30m\"\n+++\nErrors.\n"),
    ("incidents", "+++\ntitle = \"Start of time\"\nimpact = \"major\"\ncomponents = [\"dashboard\"]\n+++\n\n+++\nstate = \"investigating\"\nat = 0001-01-01T00:00:00\n+++\nErrors.\n\n+++\nstate = \"resolved\"\nat = 0001-01-01T00:30:00Z\n+++\nDone.\n"),
    ("incidents", "+++\ntitle = \"Past the end\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n\n+++\nstate = \"investigating\"\nat = 9999-12-31T23:59:59-23:59\n+++\nErrors.\n"),
    ("incidents", "+++\ntitle = \"Promise past the end\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n\n+++\nstate = \"identified\"\nat = 9999-06-01T00:00:00Z\nnext_update = \"366d\"\n+++\nErrors.\n"),
    ("incidents", "+++\ntitle = \"In the gap\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n\n+++\nstate = \"investigating\"\nat = 2026-03-29T01:30:00\n+++\nErrors.\n"),
    ("maintenance", "+++\ntitle = \"Forever\"\ncomponents = [\"db\"]\nstarts = 0001-01-01T00:00:00Z\nends = 9999-12-31T23:59:59Z\n+++\nLong.\n\n+++\nstate = \"in_progress\"\nat = 0001-01-01T00:00:00Z\nnext_update = \"366d\"\n+++\nStarted.\n"),
];

/// What one file of a generated site holds.
#[derive(Debug, Clone)]
enum Content {
    Extreme(usize),
    Valid(GenIncident),
    Edited(GenIncident, Vec<Edit>),
    Maintenance(Vec<Edit>),
    Random(String),
    Bytes(Vec<u8>),
}

impl Content {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Content::Valid(g) => to_bytes(g.render().text, g.bom, None),
            Content::Edited(g, edits) => apply_edits(&g.render().text, edits).into_bytes(),
            Content::Maintenance(edits) => apply_edits(MAINTENANCE, edits).into_bytes(),
            Content::Extreme(i) => EXTREMES[*i].1.as_bytes().to_vec(),
            Content::Random(text) => text.clone().into_bytes(),
            Content::Bytes(bytes) => bytes.clone(),
        }
    }
}

#[derive(Debug, Clone)]
struct GenSite {
    /// Edits to the standard config; none leaves it valid.
    config: Vec<Edit>,
    files: Vec<(String, Content)>,
    now: String,
}

fn content() -> BoxedStrategy<Content> {
    prop_oneof![
        4 => incident().prop_map(Content::Valid),
        2 => (incident(), prop::collection::vec(edit(), 1..3))
            .prop_map(|(g, e)| Content::Edited(g, e)),
        1 => prop::collection::vec(edit(), 0..2).prop_map(Content::Maintenance),
        1 => (0..EXTREMES.len()).prop_map(Content::Extreme),
        1 => random_file().prop_map(Content::Random),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(Content::Bytes),
    ]
    .boxed()
}

fn file_name() -> BoxedStrategy<String> {
    prop_oneof![
        8 => proptest::string::string_regex("20[0-9]{2}-[01][0-9]-[0-3][0-9]-[a-z]{1,8}").unwrap(),
        1 => select(&["dup", "DUP", "a b", "é", "-dash", "x.y", "_u", "CON", "a%2Fb"]),
    ]
    .boxed()
}

fn gen_site() -> BoxedStrategy<GenSite> {
    let now = prop_oneof![
        select(&[
            "2026-11-22T12:00:00Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2026-03-29T00:59",
            "2026-11-22T14:05",
            "2026-11-22T14:05:00+14:00",
        ]),
        (31_536_000i64..4_102_444_800).prop_map(|s| Utc
            .timestamp_opt(s, 0)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()),
    ];
    (
        prop_oneof![3 => Just(Vec::new()), 1 => prop::collection::vec(edit(), 1..3)],
        prop::collection::vec(
            (
                prop_oneof![4 => Just("incidents"), 1 => Just("maintenance")],
                file_name(),
                content(),
            ),
            0..4,
        ),
        now,
    )
        .prop_map(|(config, files, now)| GenSite {
            config,
            files: files
                .into_iter()
                .map(|(dir, name, content)| {
                    let dir = match content {
                        Content::Maintenance(_) => "maintenance",
                        Content::Extreme(i) => EXTREMES[i].0,
                        _ => dir,
                    };
                    (format!("{dir}/{name}.md"), content)
                })
                .collect(),
            now,
        })
        .boxed()
}

/// The words of an incident that its page must show: title, summary and every
/// update's text.
fn page_words(g: &GenIncident) -> Vec<String> {
    let mut words: Vec<String> = g
        .title
        .split_whitespace()
        .filter(|w| w.chars().all(char::is_alphanumeric))
        .map(str::to_string)
        .collect();
    for text in std::iter::once(&g.summary).chain(g.updates.iter().map(|u| &u.body)) {
        words.extend(plain_words(text));
    }
    words
}

/// `check --format json` reports each finding at a line and column of its
/// file, and a wording finding's column is where the words it quotes are.
fn check_findings(site: &TestSite, json: &str, code: i32) {
    let report: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(report["exit_code"], code, "{json}");
    for f in report["findings"].as_array().expect("findings") {
        let (line, col) = (
            f["line"].as_u64().unwrap() as usize,
            f["col"].as_u64().unwrap() as usize,
        );
        let path = f["path"].as_str().unwrap();
        if line == 0 {
            continue;
        }
        let bytes = std::fs::read(site.path(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let text = String::from_utf8_lossy(bytes);
        let lines = text.matches('\n').count() + 1;
        assert!(line <= lines, "line {line} of a {lines}-line file: {f}");
        let raw: Vec<char> = raw_line(&text, line).chars().collect();
        assert!(
            col >= 1 && col <= raw.len() + 1,
            "column {col} on {raw:?}: {f}"
        );
        let at: String = raw[col - 1..].iter().collect();
        let message = f["message"].as_str().unwrap();
        let quoted = match f["code"].as_str() {
            Some("speculation" | "eta") => message.split('"').nth(1),
            Some("handle") => message.split('`').nth(1),
            Some("template-note" | "unclosed-comment") => Some("<!--"),
            _ => None,
        };
        if let Some(quoted) = quoted {
            assert!(at.starts_with(quoted), "{f} points at {at:?}");
        }
    }
}

/// Every HTML file under `site/`, for the inertness check.
fn html_pages(site: &TestSite) -> Vec<(String, String)> {
    site.snapshot()
        .into_iter()
        .filter(|(path, _)| path.extension().is_some_and(|e| e == "html"))
        .map(|(path, bytes)| {
            (
                path.display().to_string(),
                String::from_utf8(bytes).expect("pages are UTF-8"),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(384))]

    /// Incident and maintenance parsing never panics on any file, and every
    /// diagnostic points inside the file.
    #[test]
    fn incident_files_never_panic(
        text in prop_oneof![
            3 => random_file(),
            3 => (incident(), prop::collection::vec(edit(), 1..5))
                .prop_map(|(g, edits)| apply_edits(&g.render().text, &edits)),
            1 => prop::collection::vec(edit(), 1..5).prop_map(|e| apply_edits(MAINTENANCE, &e)),
            1 => any::<String>(),
        ],
        bom in prop::bool::weighted(0.1),
        stray in stray_byte(),
    ) {
        parse_everything(&Source::new(Path::new("incidents/x.md"), text.clone()));
        parse_bytes(to_bytes(text, bom, stray));
    }

    /// Any bytes at all: decoding and parsing never panic.
    #[test]
    fn incident_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        parse_bytes(bytes);
    }

    /// The config parser never panics, points inside the file, and what it
    /// accepts is a usable config.
    #[test]
    fn config_files_never_panic(
        text in prop_oneof![
            3 => prop::collection::vec(edit_config(), 1..5)
                .prop_map(|edits| apply_edits(CONFIG, &edits)),
            2 => edit_config().prop_map(|edit| apply_edits(CONFIG, &[edit])),
            2 => prop::collection::vec((config_line(), line_ending()), 0..25)
                .prop_map(|lines| join_lines(&lines)),
            1 => any::<String>(),
        ],
        bom in prop::bool::weighted(0.1),
        stray in stray_byte(),
    ) {
        parse_config_text(&Source::new(Path::new("statuspost.toml"), text.clone()));
        match Source::decode(Path::new("statuspost.toml"), to_bytes(text, bom, stray)) {
            Ok(source) => parse_config_text(&source),
            Err(e) => prop_assert!(e.line >= 1 && e.col >= 1),
        }
    }

    /// Durations and `--now` values: no panic, and what is accepted is in range.
    #[test]
    fn times_never_panic(
        d in prop_oneof![duration(), any_text(20)],
        now in prop_oneof![datetime(), any_text(30)],
        tz in prop::sample::select(&[
            "Europe/London", "UTC", "Pacific/Kiritimati", "Pacific/Niue",
            "America/St_Johns", "Asia/Kathmandu", "Australia/Lord_Howe",
        ][..]),
    ) {
        if let Ok(parsed) = clock::parse_duration(&d) {
            prop_assert!(parsed > Duration::zero() && parsed <= Duration::days(366), "{d:?}");
            prop_assert_eq!(clock::parse_duration(&clock::duration_spec(parsed)), Ok(parsed));
            let english = statuspost::i18n::Strings::load("en", None, None, &mut Vec::new()).unwrap();
            let _ = (clock::duration_words(parsed), english.duration(parsed));
        }
        let tz: chrono_tz::Tz = tz.parse().unwrap();
        if let Ok(t) = clock::parse_now(&now, tz) {
prop_assert!((1..=9999).contains(&t.year()), "{now:?} gave {t}");
        }
        if let Ok(dt) = now.trim().parse::<toml::value::Datetime>() {
            if let Ok(t) = clock::resolve(&dt, tz) {
                prop_assert!((1..=9999).contains(&t.year()), "{now:?} gave {t}");
            }
        }
    }

    /// A valid incident, however its title, times and text are written, parses
    /// back to what was written.
    #[test]
    fn generated_incidents_parse_back(generated in incident()) {
        check_round_trip(&generated);
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// Markdown never panics, never yields anything that runs or loads from
    /// elsewhere, keeps its elements balanced, and keeps headings at or below
    /// the base level.
    #[test]
    fn markdown_is_inert(markdown_in in any_markdown(), base in 0u8..=8) {
        let html = markdown::to_html(&markdown_in, base);
        assert_markdown_inert(&html);
        assert_balanced("markdown", &html);
        let base = base.clamp(1, 6);
        for (name, _) in tags(&html) {
            if let Some(level) = name.strip_prefix('h').and_then(|l| l.parse::<u8>().ok()) {
                prop_assert!((base..=6).contains(&level), "<{name}> at base {base}: {html}");
            }
        }
        let _ = markdown::has_heading(&markdown_in);
    }

    /// Every word of plain text outside comments is shown.
    #[test]
    fn markdown_keeps_every_word(markdown_in in plain_markdown()) {
        let html = markdown::to_html(&markdown_in, 2);
        assert_words_kept(&markdown_in, &plain_words(&markdown_in), &html);
    }

    /// The words of a link or image stay when its address is dropped.
    #[test]
    fn links_keep_their_words((markdown_in, words) in linked_markdown()) {
        let html = markdown::to_html(&markdown_in, 2);
        assert_markdown_inert(&html);
        assert_words_kept(&markdown_in, &words, &html);
    }

    /// A line that reads as a link definition, which no link uses, is shown.
    #[test]
    fn unused_link_definitions_keep_their_words((markdown_in, words) in definition_lookalikes()) {
        let html = markdown::to_html(&markdown_in, 2);
        assert_markdown_inert(&html);
        assert_words_kept(&markdown_in, &words, &html);
    }

    /// Wording checks never panic and point at the text they quote.
    #[test]
    fn lint_never_panics(generated in incident(), bodies in prop::collection::vec(any_markdown(), 1..4)) {
        let config = site_config();
        let source = Source::new(Path::new("incidents/x.md"), generated.render().text);
        let mut diags = Vec::new();
        let mut incident = statuspost::incident_file::parse(&source, "x".into(), config, &mut diags)
            .expect("a generated incident parses");
        for (u, body) in incident.updates.iter_mut().zip(bodies.iter().cycle()) {
            u.body = body.clone();
        }
        incident.summary = bodies[0].clone();
        check_lint(&incident, config);
    }
}

proptest! {
    // Each case runs the binary twice: a handful of cases.
    #![proptest_config(process_config(12))]

    /// A whole build of a random site exits 0 or 2, never panics, and a failed
    /// build leaves the previous site exactly as it was; `check` agrees on
    /// whether the content is valid.
    #[test]
    fn builds_succeed_or_fail_cleanly(site in gen_site()) {
        let test = TestSite::new();
        test.incident("good", GOOD);
        test.write("incidents/wording.md", WORDING);
        test.build("2026-11-22T12:00:00Z");
        let before = test.snapshot();
        if !site.config.is_empty() {
            test.write("statuspost.toml", apply_edits(CONFIG, &site.config));
        }
        for (path, content) in &site.files {
            test.write(path, content.bytes());
        }
        let run = test.run(&["build", "--now", &site.now]);
        let stderr = run.stderr();
        prop_assert!(!stderr.contains("panicked"), "{stderr}");
        prop_assert!(matches!(run.code(), 0 | 2), "exit code {}:\n{stderr}", run.code());
        // `check` validates exactly as `build` does, then adds its own findings.
        let check = test.run(&["check", "--now", &site.now, "--format", "json"]);
        let check_stderr = check.stderr();
        prop_assert!(!check_stderr.contains("panicked"), "{check_stderr}");
        prop_assert!(matches!(check.code(), 0..=2), "check exit code {}:\n{check_stderr}", check.code());
        prop_assert_eq!(check.code() == 2, run.code() == 2, "build:\n{}\ncheck:\n{}", stderr, check_stderr);
        check_findings(&test, &check.stdout(), check.code());
        if run.code() == 2 {
            prop_assert!(stderr.contains("error"), "{stderr}");
            prop_assert!(before == test.snapshot(), "a failed build changed the site:\n{stderr}");
        } else {
            let pages = html_pages(&test);
            prop_assert!(pages.iter().any(|(p, _)| p == "index.html"));
            for (page, html) in &pages {
                assert_page_inert(page, html);
            }
            // Every valid incident got its page, with every word its author wrote,
            // as of the build: an update dated later waits for its time. An hour's
            // margin covers updates written in the site's local time.
            let now = statuspost::clock::parse_now(&site.now, chrono_tz::Europe::London).unwrap();
            let shown = |u: &GenUpdate| u.at + chrono::Duration::hours(1) <= now;
            let written: HashMap<&String, &Content> = site.files.iter().map(|(p, c)| (p, c)).collect();
            for (path, content) in written {
                if let (Content::Valid(g), Some(slug)) = (content, path.strip_prefix("incidents/")) {
                    if !g.updates.iter().all(shown) {
                        continue;
                    }
                    let page = format!("site/incidents/{}/index.html", slug.trim_end_matches(".md"));
                    prop_assert!(test.exists(&page), "{page}");
                    assert_words_kept(&page, &page_words(g), &test.read(&page));
                }
            }
        }
    }
}

/// The fuzz targets' seed corpus, and every crash input added to it, passes
/// the same checks in the normal test run.
#[test]
fn the_fuzz_corpus_is_handled() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let files = |target: &str| -> Vec<Vec<u8>> {
        let mut paths: Vec<_> = std::fs::read_dir(corpus.join(target))
            .unwrap_or_else(|e| panic!("fuzz/corpus/{target}: {e}"))
            .map(|entry| entry.unwrap().path())
            .collect();
        paths.sort();
        assert!(!paths.is_empty(), "fuzz/corpus/{target} is empty");
        paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
    };
    for bytes in files("incident") {
        parse_bytes_with(bytes, demo_config());
    }
    for bytes in files("config") {
        if let Ok(source) = Source::decode(Path::new("statuspost.toml"), bytes) {
            parse_config_text(&source);
        }
    }
    for bytes in files("markdown") {
        if let Ok(text) = String::from_utf8(bytes) {
            let html = markdown::to_html(&text, 2);
            assert_markdown_inert(&html);
            assert_balanced("markdown", &html);
        }
    }
}

// ---------------------------------------------------------------------------
// Regressions: inputs the properties found. Each stays a plain test.
// ---------------------------------------------------------------------------

/// The round trip of one fixed incident, so a change to the generator cannot
/// silently stop covering the basics.
#[test]
fn a_quoted_unicode_title_and_crlf_parse_back() {
    let at = Utc.with_ymd_and_hms(2026, 11, 22, 14, 5, 0).unwrap();
    let generated = GenIncident {
        title: "\"Quotes\", back\\slashes, é and 🙂".into(),
        impact: "major",
        components: vec!["api", "db", "api"],
        summary: "Summary <!-- note -->\n\n  indented".into(),
        updates: vec![
            GenUpdate {
                state: "investigating",
                at,
                form: TimeForm::Local,
                next: Some(Next::After(" 45m ", 2700)),
                impact: None,
                components: None,
                body: "We are investigating errors.\n+++ x\n ++++".into(),
                comments: true,
            },
            GenUpdate {
                state: "resolved",
                at,
                form: TimeForm::Offset(-(23 * 60 + 59)),
                next: Some(Next::At(5)),
                impact: Some("minor"),
                components: Some(vec!["dashboard"]),
                body: "Done.".into(),
                comments: false,
            },
        ],
        crlf: true,
        bom: true,
        fence_space: true,
    };
    check_round_trip(&generated);
}

#[test]
fn extreme_dates_and_durations_are_diagnosed() {
    for value in DATES.iter().chain(["\"999999999d\""].iter()) {
        let text = format!(
            "+++\ntitle = \"T\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n\n+++\nstate = \"investigating\"\nat = {value}\nnext_update = \"366d\"\n+++\nErrors.\n"
        );
        parse_everything(&Source::new(Path::new("incidents/x.md"), text));
    }
}

/// GitHub-style tables dropped the cells of a row beyond the header's count,
/// so their words never reached the page. Found by `markdown_keeps_every_word`.
#[test]
fn table_rows_longer_than_the_header_keep_their_words() {
    let input = "a | b\n--|--\nc | d | lost";
    let html = markdown::to_html(input, 2);
    assert_words_kept(input, &plain_words(input), &html);
}

/// `split` reported text before the first fence with a one-byte span, which
/// ended inside a multi-byte character: slicing the text by it panicked.
/// Found by `incident_files_never_panic`.
#[test]
fn split_error_spans_end_on_a_character_boundary() {
    for text in ["\u{cc6}\n", "é\n+++\n+++\n"] {
        let e = incident_file::split(text).unwrap_err();
        check_span(text, &e.span, "error span");
    }
}

/// A handle's underline was measured in bytes: `@aliceȺ` is 7 characters but
/// got 8 carets. Found by `lint_never_panics`.
#[test]
fn a_handle_is_underlined_by_characters() {
    let config = site_config();
    let source = Source::new(Path::new("incidents/x.md"), GOOD.to_string());
    let mut incident =
        statuspost::incident_file::parse(&source, "x".into(), config, &mut Vec::new()).unwrap();
    incident.updates[0].body = "@aliceȺ errors".into();
    let found = lint::lint_update(&incident.updates[0], &incident, config);
    let handle = found
        .iter()
        .find(|f| f.code == "handle")
        .expect("a handle finding");
    assert_eq!((handle.col, handle.len), (1, "@aliceȺ".chars().count()));
}

/// `--now` as a wall-clock time was not range-checked as every other time is:
/// midnight on 1 January of year 1 in a zone east of UTC is in year 0.
/// Found by `times_never_panic`.
#[test]
fn a_local_now_outside_years_1_to_9999_is_refused() {
    let kathmandu: chrono_tz::Tz = "Asia/Kathmandu".parse().unwrap();
    assert!(clock::parse_now("0001-01-01T00:00:00", kathmandu).is_err());
    let st_johns: chrono_tz::Tz = "America/St_Johns".parse().unwrap();
    assert!(clock::parse_now("9999-12-31T23:00", st_johns).is_err());
}

/// A line that happens to parse as a link reference definition, and that no
/// link uses, disappeared from the page with every word on it.
#[test]
fn a_line_that_reads_as_a_link_definition_is_shown() {
    let input = "[UPDATE]: Resolved\n\nThe database is back.";
    let html = markdown::to_html(input, 2);
    let expected: Vec<String> = ["UPDATE", "Resolved", "The", "database", "is", "back"]
        .map(String::from)
        .to_vec();
    assert_words_kept(input, &expected, &html);
}

/// The same shapes inside a block quote or a list item, or with the label
/// over two lines, still vanish: `show_unused_definitions` looks only at
/// lines that start with `[`.
#[test]
fn link_definition_lookalikes_in_quotes_and_lists_are_shown() {
    for (input, words) in [
        ("> [UPDATE]: Resolved", &["UPDATE", "Resolved"][..]),
        ("- [UPDATE]: Resolved", &["UPDATE", "Resolved"][..]),
        ("1. [UPDATE]: Resolved", &["UPDATE", "Resolved"][..]),
        ("[UP\nDATE]: Resolved", &["UP", "DATE", "Resolved"][..]),
    ] {
        let html = markdown::to_html(input, 2);
        let expected: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        assert_words_kept(input, &expected, &html);
    }
}

/// A line in a fenced code block that would be a definition outside it gets
/// a backslash added, so the code shown is not the code written.
#[test]
fn code_blocks_show_definition_lookalikes_as_written() {
    let html = markdown::to_html("```\n[a]: b\n```", 2);
    assert!(html.contains("<code>[a]: b\n</code>"), "{html}");
}
