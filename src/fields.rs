//! Typed reading of one TOML table, with every problem recorded as a
//! diagnostic at the key or value the author wrote.
//!
//! Content and config are read through this rather than serde derive so that
//! one pass reports *all* problems in a block (serde stops at the first), an
//! unknown key gets a "did you mean", and every value keeps its position.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::source::Source;

/// A table being read; records which keys were used so the rest can be reported.
pub struct Fields<'a> {
    source: &'a Source,
    /// Offset of the TOML text within the file.
    base: usize,
    table: DeTable<'a>,
    /// Where "missing key" errors point: the block's opening line or the table header.
    anchor: Range<usize>,
    /// What this table is, for messages: "incident block", "[contact]".
    pub what: &'static str,
}

/// Parses TOML text found at `base` in `source`. Syntax errors become diagnostics.
pub(crate) fn parse<'a>(
    source: &'a Source,
    range: Range<usize>,
    anchor: Range<usize>,
    what: &'static str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Fields<'a>> {
    let text = &source.text[range.clone()];
    let (table, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for e in errors {
            let mut span = e.span().unwrap_or(0..0);
            if span.is_empty() && e.message().contains("recursion limit") {
                // toml gives no place for nesting too deep; the line that nests
                // most is where the author's problem is.
                span = deepest_line(text);
            }
            let span = range.start + span.start..range.start + span.end;
            diags.push(Diagnostic::error(
                source,
                span,
                toml_message(e.message(), what),
            ));
        }
        return None;
    }
    Some(Fields {
        source,
        base: range.start,
        table: table.into_inner(),
        anchor,
        what,
    })
}

/// The line of `text` with the most dots and brackets, where a key or value
/// nests deepest.
fn deepest_line(text: &str) -> Range<usize> {
    let mut start = 0;
    let mut best = (0, 0..0);
    for line in text.split_inclusive('\n') {
        let depth = line
            .bytes()
            .filter(|b| matches!(b, b'.' | b'[' | b'{'))
            .count();
        if depth > best.0 {
            best = (depth, start..start + 1);
        }
        start += line.len();
    }
    best.1
}

/// toml's messages are written for TOML experts; most are fine, a few deserve words an author knows.
fn toml_message(message: &str, what: &str) -> String {
    let message = message.trim_end_matches('\n');
    format!("invalid TOML in the {what}: {message}")
}

impl<'a> Fields<'a> {
    pub fn span_of<T>(&self, spanned: &Spanned<T>) -> Range<usize> {
        let s = spanned.span();
        self.base + s.start..self.base + s.end
    }

    pub fn anchor(&self) -> Range<usize> {
        self.anchor.clone()
    }

    pub fn source(&self) -> &'a Source {
        self.source
    }

    /// Reports keys not in `allowed`, with the nearest allowed one.
    pub fn deny_unknown(&self, allowed: &[&str], diags: &mut Vec<Diagnostic>) {
        for key in self.table.keys() {
            if !allowed.contains(&key.as_ref().as_ref()) {
                diags.push(
                    Diagnostic::error(
                        self.source,
                        self.span_of(key),
                        format!("unknown key `{}` in the {}", key.as_ref(), self.what),
                    )
                    .with_help(did_you_mean(key.as_ref(), allowed)),
                );
            }
        }
    }

    /// Every key written, in the order written.
    pub fn keys(&self) -> Vec<String> {
        self.table.keys().map(|k| k.as_ref().to_string()).collect()
    }

    /// Where `key` itself is written, if it is.
    pub fn key_span(&self, key: &str) -> Option<Range<usize>> {
        self.table
            .keys()
            .find(|k| k.as_ref().as_ref() == key)
            .map(|k| self.span_of(k))
    }

    pub fn has(&self, key: &str) -> bool {
        self.table.get(key).is_some()
    }

    fn get(&self, key: &str) -> Option<&Spanned<DeValue<'a>>> {
        self.table.get(key)
    }

    fn type_error(&self, key: &str, value: &Spanned<DeValue<'a>>, expected: &str) -> Diagnostic {
        Diagnostic::error(
            self.source,
            self.span_of(value),
            format!(
                "`{key}` must be {expected}, found {}",
                describe(value.as_ref())
            ),
        )
    }

    pub fn missing(&self, key: &str, example: &str) -> Diagnostic {
        Diagnostic::error(
            self.source,
            self.anchor(),
            format!("the {} has no `{key}`", self.what),
        )
        .with_help(format!("add a line such as `{key} = {example}`"))
    }

    /// A string without the hidden characters an escape such as `\u001b` can put
    /// in it, and a warning that it had some.
    fn visible(&self, s: &str, span: Range<usize>, diags: &mut Vec<Diagnostic>) -> String {
        let clean = crate::markdown::without_hidden(s);
        if matches!(clean, std::borrow::Cow::Owned(_)) {
            diags.push(hidden_warning(self.source, span));
        }
        clean.into_owned()
    }

    /// A string value with its span in the file.
    pub fn string(&self, key: &str, diags: &mut Vec<Diagnostic>) -> Option<(String, Range<usize>)> {
        let value = self.get(key)?;
        match value.as_ref() {
            DeValue::String(s) => {
                let span = self.span_of(value);
                Some((self.visible(s, span.clone(), diags), span))
            }
            _ => {
                diags.push(self.type_error(key, value, "a string in quotes"));
                None
            }
        }
    }

    /// A required, non-empty string.
    pub fn required_string(
        &self,
        key: &str,
        example: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<(String, Range<usize>)> {
        if !self.has(key) {
            diags.push(self.missing(key, example));
            return None;
        }
        let (s, span) = self.string(key, diags)?;
        if s.trim().is_empty() {
            diags.push(
                Diagnostic::error(self.source, span, format!("`{key}` is empty"))
                    .with_help(format!("write e.g. `{key} = {example}`")),
            );
            return None;
        }
        Some((s, span))
    }

    /// An array of strings, each with its span.
    pub fn string_list(
        &self,
        key: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Vec<(String, Range<usize>)>> {
        let value = self.get(key)?;
        let DeValue::Array(items) = value.as_ref() else {
            diags.push(self.type_error(key, value, "a list of strings, like [\"api\"]"));
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for item in items.iter() {
            match item.as_ref() {
                DeValue::String(s) => {
                    let span = self.span_of(item);
                    out.push((self.visible(s, span.clone(), diags), span));
                }
                _ => {
                    diags.push(self.type_error(key, item, "a list of strings"));
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// A TOML datetime, or a string the caller interprets (used for `next_update = "30m"`).
    pub fn datetime_or_string(
        &self,
        key: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<(DateOrText, Range<usize>)> {
        let value = self.get(key)?;
        let span = self.span_of(value);
        match value.as_ref() {
            DeValue::Datetime(d) => Some((DateOrText::Date(*d), span)),
            DeValue::String(s) => {
                Some((DateOrText::Text(self.visible(s, span.clone(), diags)), span))
            }
            _ => {
                diags.push(self.type_error(key, value, "a datetime such as 2026-11-22T14:05:00Z"));
                None
            }
        }
    }

    /// A sub-table such as `[contact]`.
    pub fn table(
        &self,
        key: &str,
        what: &'static str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Fields<'a>> {
        let value = self.get(key)?;
        match value.as_ref() {
            DeValue::Table(t) => Some(self.child(t.clone(), self.span_of(value), what)),
            _ => {
                diags.push(self.type_error(key, value, "a table"));
                None
            }
        }
    }

    /// An array of tables such as `[[components]]`.
    pub fn tables(
        &self,
        key: &str,
        what: &'static str,
        diags: &mut Vec<Diagnostic>,
    ) -> Vec<Fields<'a>> {
        let Some(value) = self.get(key) else {
            return Vec::new();
        };
        let DeValue::Array(items) = value.as_ref() else {
            diags.push(self.type_error(
                key,
                value,
                &format!("an array of tables, written `[[{key}]]`"),
            ));
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.as_ref() {
                DeValue::Table(t) => out.push(self.child(t.clone(), self.span_of(item), what)),
                _ => diags.push(self.type_error(key, item, "a table")),
            }
        }
        out
    }

    fn child(&self, table: DeTable<'a>, span: Range<usize>, what: &'static str) -> Fields<'a> {
        // Spans of nested values are relative to the same document, so `base` carries over.
        let anchor = self.header_span(span);
        Fields {
            source: self.source,
            base: self.base,
            table,
            anchor,
            what,
        }
    }

    /// Narrows a table's span to its first line, so a caret does not underline a whole table.
    fn header_span(&self, span: Range<usize>) -> Range<usize> {
        let text = &self.source.text[span.clone()];
        let end = text.find('\n').map_or(span.end, |i| span.start + i);
        span.start..end.max(span.start + 1)
    }
}

/// `next_update` accepts either form.
pub enum DateOrText {
    Date(toml::value::Datetime),
    Text(String),
}

fn describe(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(s) => format!("the string \"{s}\""),
        DeValue::Integer(i) => format!("the number {}", i.as_str()),
        DeValue::Float(f) => format!("the number {}", f.as_str()),
        DeValue::Boolean(b) => format!("`{b}`"),
        DeValue::Datetime(d) => format!("the datetime {d}"),
        DeValue::Array(_) => "a list".into(),
        DeValue::Table(_) => "a table".into(),
    }
}

/// The warning for an invisible control character, which is left out of every output.
pub(crate) fn hidden_warning(source: &Source, span: Range<usize>) -> Diagnostic {
    Diagnostic::warning(
        source,
        span,
        "an invisible control character is left out of the site",
    )
    .with_code("control-character")
    .with_help(
        "it often comes with text pasted from a terminal (colours) or another program: delete it",
    )
}
