//! What every target shares: a fixed config and the checks
//! that every diagnostic points inside its file.
#![allow(dead_code)]

use std::path::Path;
use std::sync::OnceLock;

use statuspost::diagnostic::Diagnostic;
use statuspost::model::Config;
use statuspost::source::Source;

/// The demo site's config: it names every component the demo incidents in
/// the seed corpus refer to, so those seeds reach the code past validation.
pub const CONFIG: &str = include_str!("../../statuspost.toml");

/// [`CONFIG`], parsed once.
pub fn site_config() -> &'static Config {
    static PARSED: OnceLock<Config> = OnceLock::new();
    PARSED.get_or_init(|| {
        let source = Source::new(Path::new("statuspost.toml"), CONFIG.to_string());
        let mut diags = Vec::new();
        statuspost::config::parse(&source, &mut diags).expect("the demo config parses")
    })
}

/// Every diagnostic is about the whole file (line 0) or points at a line of
/// the file and a column on it, and renders.
pub fn check_diagnostics(source: &Source, diags: &[Diagnostic]) {
    let lines = source.text.matches('\n').count() + 1;
    for d in diags {
        let rendered = d.to_string();
        if d.line == 0 {
            continue;
        }
        assert!(d.line <= lines, "line {} of {lines}: {rendered}", d.line);
        let raw = source
            .text
            .split_inclusive('\n')
            .nth(d.line - 1)
            .unwrap_or("");
        assert!(
            d.col >= 1 && d.col <= raw.chars().count() + 1,
            "column {} of a line of {} characters: {rendered}",
            d.col,
            raw.chars().count()
        );
        if let Some(snippet) = &d.snippet {
            assert_eq!(snippet, source.line_text(d.line), "{rendered}");
        }
    }
}

/// The elements markdown writes; any other tag came from the author.
const ELEMENTS: &[&str] = &[
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

/// The scheme of a URL as a browser reads it, if it has one.
fn scheme(url: &str) -> Option<String> {
    let url: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_ascii_lowercase();
    let end = url.find(':')?;
    let s = &url[..end];
    let valid = s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| s.to_string())
}

/// Nothing in rendered markdown can run or load from elsewhere. Text is
/// escaped, so every raw `<` starts a tag markdown wrote; those tags and their
/// attributes are checked, not the text (where `<script` shows as `&lt;script`).
pub fn check_inert(html: &str) {
    for (i, _) in html.match_indices('<') {
        let rest = &html[i + 1..];
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        assert!(ELEMENTS.contains(&name.as_str()), "<{name}> in {html}");
        // Attributes: name="value", values escaped and always double-quoted.
        let mut attrs = &tag[tag.find(char::is_whitespace).unwrap_or(tag.len())..];
        loop {
            attrs = attrs.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
            if attrs.is_empty() {
                break;
            }
            let key_end = attrs.find(['=', ' ']).unwrap_or(attrs.len());
            let key = attrs[..key_end].to_ascii_lowercase();
            attrs = &attrs[key_end..];
            let mut value = "";
            if let Some(quoted) = attrs.strip_prefix("=\"") {
                let end = quoted.find('"').unwrap_or(quoted.len());
                value = &quoted[..end];
                attrs = quoted.get(end + 1..).unwrap_or("");
            } else if key_end == 0 {
                // Not an attribute markdown writes (`=` without a quote): skip a character.
                let skip = attrs.chars().next().map_or(0, char::len_utf8);
                attrs = &attrs[skip..];
            }
            assert!(!key.starts_with("on"), "an event handler in <{tag}>");
            if key == "href" || key == "src" {
                let value = value.replace("&amp;", "&");
                match scheme(&value).as_deref() {
                    None | Some("http" | "https" | "mailto" | "tel") => {}
                    Some(other) => panic!("a {other}: URL in <{tag}>"),
                }
                if name == "img" {
                    let local = scheme(&value).is_none()
                        && !value.trim_start().starts_with("//")
                        && !value.trim_start().starts_with("\\\\");
                    assert!(local, "an image from another host in <{tag}>");
                }
            }
        }
    }
}
