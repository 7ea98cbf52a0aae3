//! What changed from Tera 1 to Tera 2, told to the author of a site's own
//! template at the line that needs it. Tera 2 would stop at the first thing it
//! cannot parse with a message about syntax; a site upgraded from an earlier
//! statuspost deserves every change at once, and what to write instead.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::source::Source;

/// Filters and tests Tera 2 renamed or removed, and what to write instead.
const FILTERS: &[(&str, &str)] = &[
    ("escape", "the `escape` filter is `escape_html` in Tera 2"),
    (
        "linebreaksbr",
        "the `linebreaksbr` filter is `newlines_to_br` in Tera 2",
    ),
    ("as_str", "the `as_str` filter is `str` in Tera 2"),
    (
        "divisibleby",
        "`divisibleby` is `divisible_by` in Tera 2",
    ),
    (
        "trim_start_matches",
        "`trim_start_matches(pat=...)` is `trim_start(pat=...)` in Tera 2",
    ),
    (
        "trim_end_matches",
        "`trim_end_matches(pat=...)` is `trim_end(pat=...)` in Tera 2",
    ),
    (
        "concat",
        "the `concat` filter is gone in Tera 2: write `[...a, ...b]`",
    ),
    (
        "slice",
        "the `slice` filter is gone in Tera 2: write `items[start:end]`",
    ),
    (
        "date",
        "the `date` filter is not available: times come formatted in the site's zone as `.full`, `.date`, `.time` and `.iso`",
    ),
    ("addslashes", "the `addslashes` filter is gone in Tera 2"),
    ("spaceless", "the `spaceless` filter is gone in Tera 2"),
    ("get_env", "`get_env` is gone in Tera 2"),
];

const COMPONENT_CALL: &str = "`{{ <NAME ARG={value} /> }}`";

/// Every Tera 1 construct in `text`, each at its line and column.
pub(super) fn findings(path: &Path, text: &str) -> Vec<Diagnostic> {
    let source = Source::new(path, text.to_string());
    let mut out = Vec::new();
    let mut flag = |span: std::ops::Range<usize>, message: String, help: String| {
        out.push(Diagnostic::error(&source, span, message).with_help(help));
    };
    for (start, inner) in tags(text) {
        let words = inner.trim_start_matches(['-', ' ', '\t', '\n', '\r']);
        let at = start + (inner.len() - words.len());
        let first = words.split_whitespace().next().unwrap_or("");
        match first {
            "macro" => flag(
                at..at + 5,
                "macros are components in Tera 2".into(),
                format!(
                    "define it as `{{% component NAME(ARG, ...) %}}` ... `{{% endcomponent NAME %}}` and call it as {COMPONENT_CALL}"
                ),
            ),
            "endmacro" => flag(
                at..at + 8,
                "`endmacro` is `endcomponent` in Tera 2".into(),
                "close the component with `{% endcomponent NAME %}`".into(),
            ),
            "import" => flag(
                at..at + 6,
                "`import` is gone in Tera 2: components are available in every template".into(),
                format!("delete this line and call the component as {COMPONENT_CALL}"),
            ),
            "set_global" => flag(
                at..at + 10,
                "`set_global` is gone in Tera 2".into(),
                "build the value with `set` and a list comprehension: `{% set xs = [f(x) for x in items] %}`".into(),
            ),
            _ => {}
        }
        for (offset, word) in words_in(words) {
            let pos = at + offset;
            if let Some(rest) = words[offset + word.len()..].strip_prefix("::") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                flag(
                    pos..pos + word.len() + 2 + name.len(),
                    format!(
                        "`{word}::{name}(...)` calls a macro, and Tera 2 has components instead"
                    ),
                    format!("call it as {}", COMPONENT_CALL.replace("NAME", &name)),
                );
            }
            let before = words[..offset].trim_end();
            let is_filter = before.ends_with('|');
            let is_test = before.ends_with(" is") || before.ends_with(" is not");
            if is_filter {
                if let Some((_, why)) = FILTERS.iter().find(|(f, _)| *f == word) {
                    flag(
                        pos..pos + word.len(),
                        why.to_string(),
                        "see the Tera 2 section of README".into(),
                    );
                }
            } else if is_test && word == "object" {
                flag(
                    pos..pos + word.len(),
                    "the `object` test is `map` in Tera 2".into(),
                    "write `is map`".into(),
                );
            }
        }
    }
    out
}

/// A hint for a message of Tera 2's that a Tera 1 template is likely to meet.
pub(super) fn help_for(message: &str) -> Option<String> {
    if message.contains("is not defined in any parent template") {
        Some(
            "in Tera 2 a page may fill only the blocks its parent defines: add \
             `{% block NAME %}{% endblock NAME %}` where it belongs in your base.html"
                .into(),
        )
    } else if message.contains("is not defined") {
        Some(
            "Tera 2 refuses values that are not there, where Tera 1 printed nothing: \
             test with `{% if x is defined %}` or write `x?.field` or `x or \"\"`"
                .into(),
        )
    } else {
        None
    }
}

/// The inside of every `{% %}` and `{{ }}`, with its byte offset; comments skipped.
fn tags(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(found) = text[i..].find('{') {
        let open = i + found;
        let close = match text.as_bytes().get(open + 1) {
            Some(b'%') => "%}",
            Some(b'{') => "}}",
            Some(b'#') => "#}",
            _ => {
                i = open + 1;
                continue;
            }
        };
        let Some(len) = text[open + 2..].find(close) else {
            break;
        };
        if close != "#}" {
            out.push((open + 2, &text[open + 2..open + 2 + len]));
        }
        i = open + 2 + len + 2;
    }
    out
}

/// The identifiers in an expression, with their offsets, outside string literals.
fn words_in(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == q {
                quote = None;
            }
            i += 1;
        } else if b == b'"' || b == b'\'' || b == b'`' {
            quote = Some(b);
            i += 1;
        } else if b.is_ascii_alphabetic() || b == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            // `a.b` names a field, never a filter or macro namespace.
            if start == 0 || bytes[start - 1] != b'.' {
                out.push((start, &text[start..i]));
            }
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<(usize, usize, String)> {
        findings(Path::new("templates/index.html"), text)
            .into_iter()
            .map(|d| (d.line, d.col, d.message))
            .collect()
    }

    #[test]
    fn names_each_tera_1_construct_where_it_is() {
        let found = messages(
            "{% import \"macros.html\" as m %}\n\
             {% macro x(a) %}{{ a | escape }}{% endmacro x %}\n\
             <p>{{ m::time(t=at) }} {{ \"| escape\" }} {{ site.date }}</p>\n\
             {% if v is object %}{{ v | date(format=\"%Y\") }}{% endif %}\n",
        );
        let at: Vec<(usize, usize)> = found.iter().map(|(l, c, _)| (*l, *c)).collect();
        assert_eq!(
            at,
            [(1, 4), (2, 4), (2, 24), (2, 36), (3, 7), (4, 12), (4, 28)],
            "{found:?}"
        );
        assert!(found[0]
            .2
            .contains("components are available in every template"));
        assert!(found[1].2.contains("macros are components"));
        assert!(found[3].2.contains("endcomponent"));
        assert!(found[4].2.contains("`m::time(...)` calls a macro"));
    }

    #[test]
    fn tera_2_templates_pass() {
        for (name, text) in super::super::BUILTIN {
            assert!(messages(text).is_empty(), "{name}: {:?}", messages(text));
        }
    }
}
