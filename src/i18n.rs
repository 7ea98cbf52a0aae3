//! The words readers see: a strings table per language. English is built in
//! and lists every key; German, French, Spanish and Japanese are built in
//! too; a site may override any string, or supply a whole language, in
//! `i18n/<language>.toml`.
//!
//! Strings carry `{name}` placeholders rather than being split around the
//! values, because word order differs between languages ("As of 14:05" is
//! "14:05 現在" in Japanese). Every string is checked when loaded: an unknown
//! key, a placeholder its English original does not have, or a date format
//! chrono cannot format is a diagnostic, never a failed or garbled page.

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::format::{Item, StrftimeItems};
use chrono::{Datelike, TimeZone};

use crate::diagnostic::{self, Diagnostic};
use crate::fields::{self, Fields};
use crate::source::Source;

/// Folder of a site's own strings, relative to the site root.
pub const DIR: &str = "i18n";

/// The built-in languages, by tag; English first, as the fallback for every key.
pub const BUILTIN: &[(&str, &str)] = &[
    ("en", include_str!("../i18n/en.toml")),
    ("de", include_str!("../i18n/de.toml")),
    ("es", include_str!("../i18n/es.toml")),
    ("fr", include_str!("../i18n/fr.toml")),
    ("ja", include_str!("../i18n/ja.toml")),
];

/// Keys that are not strings shown as they are.
const MONTHS: &str = "months";
const MONTHS_SHORT: &str = "months_short";
const DATE_FORMATS: &[&str] = &["date", "time", "month_year"];

/// How a language picks between `one` and `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluralRule {
    /// `one` for exactly 1 (English, German, Spanish).
    One,
    /// `one` for 0 and 1 (French).
    ZeroOne,
    /// No plural forms: always `other` (Japanese, Chinese).
    None,
}

impl PluralRule {
    const NAMES: &'static [&'static str] = &["one", "zero-one", "none"];

    pub(crate) fn parse(s: &str) -> Option<PluralRule> {
        match s {
            "one" => Some(PluralRule::One),
            "zero-one" => Some(PluralRule::ZeroOne),
            "none" => Some(PluralRule::None),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            PluralRule::One => "one",
            PluralRule::ZeroOne => "zero-one",
            PluralRule::None => "none",
        }
    }
}

/// One entry of the table.
#[derive(Debug, Clone, PartialEq)]
enum Text {
    Plain(String),
    Plural {
        zero: Option<String>,
        one: String,
        other: String,
    },
    List(Vec<String>),
}

/// The strings of one language, complete: every key has a value.
#[derive(Debug, Clone)]
pub struct Strings {
    /// The language tag, for `<html lang>` and the feeds: `en`, `de`, `pt-BR`.
    pub lang: String,
    /// `ltr` or `rtl`, for `<html dir>`.
    pub dir: &'static str,
    plural: PluralRule,
    table: BTreeMap<String, Text>,
    /// Each of [`DATE_FORMATS`] with the month names of each month filled in,
    /// checked and parsed once: formatting a date is then one chrono call.
    formats: Vec<[Vec<Item<'static>>; 12]>,
}

/// What a date is shown as should a language's format be unusable.
fn fallback_format() -> Vec<Item<'static>> {
    StrftimeItems::new("%Y-%m-%d %H:%M")
        .parse_to_owned()
        .unwrap_or_default()
}

impl Strings {
    /// The language `lang`: English, overlaid with the built-in language of
    /// that tag (or its primary subtag: `de-AT` uses `de`), overlaid with the
    /// site's own `i18n/<lang>.toml` when there is one (`site_file`).
    /// `None` when there were errors, all of which are in `diags`.
    pub fn load(
        lang: &str,
        lang_span: Option<(&Source, Range<usize>)>,
        site_file: Option<&Source>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Strings> {
        let mut table = english_table();
        let primary = lang.split('-').next().unwrap_or(lang);
        let builtin = BUILTIN
            .iter()
            .find(|(tag, _)| *tag == lang)
            .or_else(|| BUILTIN.iter().find(|(tag, _)| *tag == primary));
        if let Some((tag, text)) = builtin {
            if *tag != "en" {
                let source = builtin_source(tag, text);
                let parsed = parse(&source, &table, diags)?;
                table.extend(parsed);
            }
        } else if site_file.is_none() {
            let tags: Vec<&str> = BUILTIN.iter().map(|(t, _)| *t).collect();
            let message =
                format!("the language `{lang}` is not built in, and there is no {DIR}/{lang}.toml");
            let help = format!(
                "built in: {}; for another language, write its strings in {DIR}/{lang}.toml (README: Languages)",
                diagnostic::list(&tags)
            );
            match lang_span {
                Some((source, span)) => {
                    diags.push(Diagnostic::error(source, span, message).with_help(help))
                }
                None => diags.push(
                    Diagnostic::file(diagnostic::Severity::Error, DIR, 0, 0, message)
                        .with_help(help),
                ),
            }
            return None;
        }
        if let Some(source) = site_file {
            let english = english_table();
            let parsed = parse(source, &english, diags)?;
            if builtin.is_none() {
                // A language of the site's own: every string English would otherwise show is
                // a string its readers cannot read, so name them.
                let missing: Vec<&str> = english
                    .keys()
                    .filter(|k| !parsed.contains_key(*k) && !is_meta(k))
                    .map(String::as_str)
                    .collect();
                if !missing.is_empty() {
                    diags.push(
                        Diagnostic::file(
                            diagnostic::Severity::Warning,
                            source.path.clone(),
                            1,
                            1,
                            format!(
                                "{} string{} not translated, shown in English: {}",
                                missing.len(),
                                if missing.len() == 1 { " is" } else { "s are" },
                                missing.join(", ")
                            ),
                        )
                        .with_code("untranslated"),
                    );
                }
            }
            table.extend(parsed);
        }
        Some(Strings::from_table(lang, table))
    }

    fn from_table(lang: &str, table: BTreeMap<String, Text>) -> Strings {
        let plain = |key: &str| match table.get(key) {
            Some(Text::Plain(s)) => s.as_str(),
            _ => "",
        };
        let dir = if plain("dir") == "rtl" { "rtl" } else { "ltr" };
        let plural = PluralRule::parse(plain("plural")).unwrap_or(PluralRule::One);
        let names = |key: &str| match table.get(key) {
            Some(Text::List(names)) => names.clone(),
            _ => Vec::new(),
        };
        let (long, short) = (names(MONTHS), names(MONTHS_SHORT));
        let formats = DATE_FORMATS
            .iter()
            .map(|key| {
                std::array::from_fn(|month| {
                    let name = |list: &[String]| list.get(month).cloned().unwrap_or_default();
                    let pattern = with_month_names(plain(key), &name(&long), &name(&short));
                    // A format chrono rejects would panic in `to_string`.
                    StrftimeItems::new(&pattern)
                        .parse_to_owned()
                        .unwrap_or_else(|_| fallback_format())
                })
            })
            .collect();
        Strings {
            lang: lang.to_string(),
            dir,
            plural,
            table,
            formats,
        }
    }

    /// The string for `key`, with `{name}` placeholders filled from `args`.
    /// Plain text: whoever puts it in HTML escapes it.
    pub fn text(&self, key: &str, args: &[(&str, &str)]) -> String {
        let pattern = match self.table.get(key) {
            Some(Text::Plain(s)) => s.as_str(),
            Some(Text::Plural { other, .. }) => other.as_str(),
            _ => key,
        };
        fill(pattern, |name| {
            args.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
        })
    }

    /// The plural form of `key` for `n`, filled in; `{n}` is `n`.
    pub fn count(&self, key: &str, n: usize, args: &[(&str, &str)]) -> String {
        let pattern = match self.table.get(key) {
            Some(Text::Plural { zero, one, other }) => {
                choose(self.plural, n, zero.as_deref(), one, other)
            }
            Some(Text::Plain(s)) => s.as_str(),
            _ => key,
        };
        let n = n.to_string();
        fill(pattern, |name| {
            if name == "n" {
                Some(n.as_str())
            } else {
                args.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
            }
        })
    }

    /// A date or time in the language's format for `key` (`date`, `time`, `month_year`).
    pub fn format<Tz: TimeZone>(&self, key: &str, t: &chrono::DateTime<Tz>) -> String
    where
        Tz::Offset: std::fmt::Display,
    {
        match self.pattern(key, t.month0()) {
            Some(items) => t.format_with_items(items.iter()).to_string(),
            None => t.format_with_items(fallback_format().iter()).to_string(),
        }
    }

    /// A day's date, in the language's `date` format.
    pub fn format_date(&self, date: chrono::NaiveDate) -> String {
        match self.pattern("date", date.month0()) {
            Some(items) => date.format_with_items(items.iter()).to_string(),
            None => date.format_with_items(fallback_format().iter()).to_string(),
        }
    }

    fn pattern(&self, key: &str, month0: u32) -> Option<&[Item<'static>]> {
        DATE_FORMATS
            .iter()
            .position(|k| *k == key)
            .and_then(|i| self.formats.get(i))
            .and_then(|months| months.get(month0 as usize))
            .map(Vec::as_slice)
    }

    /// A duration as readers read it: `2h 5m`, `3d 1h`, `under a minute`.
    pub fn duration(&self, d: chrono::Duration) -> String {
        let total = d.num_minutes().max(0);
        if total == 0 {
            return self.text("duration_under_a_minute", &[]);
        }
        let (days, hours, minutes) = (total / 1440, total % 1440 / 60, total % 60);
        let mut parts = Vec::new();
        if days > 0 {
            parts.push(self.text("duration_days", &[("n", &days.to_string())]));
        }
        if hours > 0 {
            parts.push(self.text("duration_hours", &[("n", &hours.to_string())]));
        }
        // Minutes stop mattering once an incident has lasted days.
        if minutes > 0 && days == 0 {
            parts.push(self.text("duration_minutes", &[("n", &minutes.to_string())]));
        }
        parts.join(&self.text("duration_separator", &[]))
    }

    /// A percentage with two decimals, rounded down so that 99.999 % never shows as 100 %.
    pub fn percent(&self, p: f64) -> String {
        let floored = (p * 100.0).floor() / 100.0;
        let number = format!("{floored:.2}").replace('.', &self.text("decimal", &[]));
        self.text("percent", &[("n", &number)])
    }

    /// Names joined by the language's list separator.
    pub fn list(&self, names: &[String]) -> String {
        names.join(&self.text("list_separator", &[]))
    }

    /// The table as templates see it (`t.key`): plurals as objects that the
    /// `fill` filter picks a form from.
    /// `only`: the keys to include (all when `None`).
    pub fn to_value(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for (key, text) in &self.table {
            let value = match text {
                Text::Plain(s) => serde_json::Value::String(s.clone()),
                Text::List(items) => serde_json::json!(items),
                Text::Plural { zero, one, other } => {
                    let mut forms = serde_json::Map::new();
                    if let Some(zero) = zero {
                        forms.insert("zero".into(), zero.clone().into());
                    }
                    forms.insert("one".into(), one.clone().into());
                    forms.insert("other".into(), other.clone().into());
                    forms.insert(PLURAL_RULE_KEY.into(), self.plural.as_str().into());
                    serde_json::Value::Object(forms)
                }
            };
            map.insert(key.clone(), value);
        }
        map.insert("lang".into(), self.lang.clone().into());
        map.insert("dir".into(), self.dir.into());
        serde_json::Value::Object(map)
    }
}

/// A date format with `%B` and `%b` replaced by a month's names; a `%` in a
/// name must not start a format code.
fn with_month_names(pattern: &str, long: &str, short: &str) -> String {
    pattern
        .replace("%%", "\u{0}")
        .replace("%B", &long.replace('%', "%%"))
        .replace("%b", &short.replace('%', "%%"))
        .replace('\u{0}', "%%")
}

/// Where a plural object in `t` carries its language's rule, for the `fill` filter.
pub const PLURAL_RULE_KEY: &str = "_plural";

pub(crate) fn choose<'a>(
    rule: PluralRule,
    n: usize,
    zero: Option<&'a str>,
    one: &'a str,
    other: &'a str,
) -> &'a str {
    if n == 0 {
        if let Some(zero) = zero {
            return zero;
        }
    }
    match rule {
        PluralRule::One if n == 1 => one,
        PluralRule::ZeroOne if n <= 1 => one,
        _ => other,
    }
}

/// Replaces each `{name}` in `pattern` with `value(name)`; a name with no
/// value is left as written, so a mistake shows rather than vanishes.
pub fn fill<'a>(pattern: &str, value: impl Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    fill_into(
        pattern,
        &mut out,
        |text, out| out.push_str(text),
        |name, out| value(name).map(|v| out.push_str(v)).is_some(),
    );
    out
}

/// [`fill`] at the end of `out`, with the words written by `text` and each
/// value by `value`, which says whether the name had one.
pub(crate) fn fill_into(
    pattern: &str,
    out: &mut String,
    mut text: impl FnMut(&str, &mut String),
    mut value: impl FnMut(&str, &mut String) -> bool,
) {
    for part in parts(pattern) {
        match part {
            Part::Text(words) => text(words, out),
            Part::Name(name) => {
                if !value(name, out) {
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                }
            }
        }
    }
}

/// A piece of a pattern: words as written, or a `{name}` to fill in.
enum Part<'a> {
    Text(&'a str),
    Name(&'a str),
}

/// Splits a pattern into its words and its `{name}`s, in order; a brace that
/// does not close a name is a word like any other.
fn parts(pattern: &str) -> impl Iterator<Item = Part<'_>> {
    let mut rest = pattern;
    let mut name_next = None;
    std::iter::from_fn(move || {
        if let Some(name) = name_next.take() {
            return Some(Part::Name(name));
        }
        if rest.is_empty() {
            return None;
        }
        let mut from = 0;
        while let Some(open) = rest[from..].find('{').map(|i| from + i) {
            let after = &rest[open + 1..];
            if let Some(close) = after.find('}').filter(|&close| is_name(&after[..close])) {
                let (text, name) = (&rest[..open], &after[..close]);
                rest = &after[close + 1..];
                if text.is_empty() {
                    return Some(Part::Name(name));
                }
                name_next = Some(name);
                return Some(Part::Text(text));
            }
            from = open + 1;
        }
        Some(Part::Text(std::mem::take(&mut rest)))
    })
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// The `{name}`s a pattern uses.
fn placeholders(pattern: &str) -> Vec<&str> {
    parts(pattern)
        .filter_map(|part| match part {
            Part::Name(name) => Some(name),
            Part::Text(_) => None,
        })
        .collect()
}

/// Keys about the language rather than words shown.
fn is_meta(key: &str) -> bool {
    matches!(key, "name" | "dir" | "plural")
}

fn builtin_source(tag: &str, text: &str) -> Source {
    Source::new(
        std::path::Path::new(&format!("<built-in {DIR}/{tag}.toml>")),
        text.to_string(),
    )
}

/// The built-in English table, read once: every language starts from it.
fn english_table() -> BTreeMap<String, Text> {
    static ENGLISH: std::sync::OnceLock<BTreeMap<String, Text>> = std::sync::OnceLock::new();
    ENGLISH
        .get_or_init(|| {
            let (_, text) = BUILTIN[0];
            let source = builtin_source("en", text);
            let mut diags = Vec::new();
            let f = fields::parse(&source, 0..source.text.len(), 0..0, "strings", &mut diags)
                .expect("the built-in English strings are valid TOML");
            let table = read_all(&f, None, &mut diags);
            debug_assert!(diags.is_empty(), "built-in English strings: {diags:?}");
            table
        })
        .clone()
}

/// Reads a strings file against the English table, which says which keys
/// exist, which are plurals or lists, and which placeholders each may use.
fn parse(
    source: &Source,
    english: &BTreeMap<String, Text>,
    diags: &mut Vec<Diagnostic>,
) -> Option<BTreeMap<String, Text>> {
    let before = diags.len();
    let f = fields::parse(source, 0..source.text.len(), 0..0, "strings", diags)?;
    let keys: Vec<&str> = english.keys().map(String::as_str).collect();
    f.deny_unknown(&keys, diags);
    let table = read_all(&f, Some(english), diags);
    if diags[before..].iter().any(Diagnostic::is_error) {
        return None;
    }
    Some(table)
}

/// Reads every key of `f`; with `english`, only its keys, each checked against it.
fn read_all(
    f: &Fields<'_>,
    english: Option<&BTreeMap<String, Text>>,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Text> {
    let source = f.source();
    let mut table = BTreeMap::new();
    let keys: Vec<String> = match english {
        Some(english) => english.keys().filter(|k| f.has(k)).cloned().collect(),
        None => f.keys(),
    };
    for key in keys {
        let model = english.and_then(|e| e.get(&key));
        let text = match model {
            Some(Text::List(_)) => read_months(f, &key, diags),
            Some(Text::Plural { .. }) => read_plural(f, &key, diags),
            Some(Text::Plain(_)) => f.string(&key, diags).map(|s| (Text::Plain(s.0), s.1)),
            // English itself: the shape written is the shape of the key.
            None => f
                .string(&key, &mut Vec::new())
                .map(|s| (Text::Plain(s.0), s.1))
                .or_else(|| read_plural(f, &key, &mut Vec::new()))
                .or_else(|| read_months(f, &key, diags)),
        };
        let Some((text, span)) = text else { continue };
        check(source, &key, &text, model, span, diags);
        table.insert(key, text);
    }
    table
}

fn read_months(
    f: &Fields<'_>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Text, Range<usize>)> {
    let list = f.string_list(key, diags)?;
    let span = list
        .first()
        .map(|(_, s)| s.start..list.last().map_or(s.end, |l| l.1.end))
        .unwrap_or(f.anchor());
    if list.len() != 12 {
        diags.push(Diagnostic::error(
            f.source(),
            span,
            format!(
                "`{key}` must list the 12 months, January first; found {}",
                list.len()
            ),
        ));
        return None;
    }
    Some((Text::List(list.into_iter().map(|(s, _)| s).collect()), span))
}

fn read_plural(
    f: &Fields<'_>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Text, Range<usize>)> {
    // A language without plural forms may give one string for every count.
    if let Some((s, span)) = f.string(key, &mut Vec::new()) {
        return Some((
            Text::Plural {
                zero: None,
                one: s.clone(),
                other: s,
            },
            span,
        ));
    }
    let t = f.table(key, "plural table", diags)?;
    t.deny_unknown(&["zero", "one", "other"], diags);
    let span = t.anchor();
    let one = t.string("one", diags);
    let other = t.string("other", diags);
    let zero = t.string("zero", diags).map(|s| s.0);
    match (one, other) {
        (Some(one), Some(other)) => Some((
            Text::Plural {
                zero,
                one: one.0,
                other: other.0,
            },
            span,
        )),
        (one, other) => {
            let missing = if one.is_none() { "one" } else { "other" };
            if one.is_some() || other.is_some() || t.has("zero") {
                diags.push(t.missing(missing, "\"...\""));
            } else {
                diags.push(
                    Diagnostic::error(
                        f.source(),
                        span.clone(),
                        format!("`{key}` must have the forms `one` and `other` (a plural)"),
                    )
                    .with_help(format!(
                        "write `{key} = {{ one = \"...\", other = \"...\" }}`"
                    )),
                );
            }
            None
        }
    }
}

/// Whether chrono can format `pattern` for what `key` is formatted with: a
/// day's date for `date`, a date, time and zone for the others.
fn formats_what_it_is_given(key: &str, pattern: &str) -> bool {
    use std::fmt::Write;
    let mut out = String::new();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 5).unwrap_or_default();
    let moment = day
        .and_hms_opt(14, 20, 0)
        .unwrap_or_default()
        .and_utc()
        .with_timezone(&chrono_tz::Europe::London);
    let items = StrftimeItems::new(pattern);
    let ok = write!(out, "{}", moment.format_with_items(items.clone())).is_ok();
    ok && (key != "date" || write!(out, "{}", day.format_with_items(items)).is_ok())
}

/// A value is checked against its English original: the same placeholders at
/// most, a date format chrono can format, a known direction and plural rule.
fn check(
    source: &Source,
    key: &str,
    text: &Text,
    english: Option<&Text>,
    span: Range<usize>,
    diags: &mut Vec<Diagnostic>,
) {
    let patterns: Vec<&str> = match text {
        Text::Plain(s) => vec![s],
        Text::Plural { zero, one, other } => {
            let mut v = vec![one.as_str(), other.as_str()];
            v.extend(zero.as_deref());
            v
        }
        Text::List(_) => Vec::new(),
    };
    if let Some(english) = english {
        let allowed: Vec<&str> = match english {
            Text::Plain(s) => placeholders(s),
            Text::Plural { one, other, .. } => {
                let mut v = placeholders(one);
                v.extend(placeholders(other));
                v
            }
            Text::List(_) => Vec::new(),
        };
        for pattern in &patterns {
            for name in placeholders(pattern) {
                if !allowed.contains(&name) {
                    diags.push(
                        Diagnostic::error(
                            source,
                            span.clone(),
                            format!("`{key}` has no value `{{{name}}}`"),
                        )
                        .with_help(if allowed.is_empty() {
                            format!("`{key}` takes no values")
                        } else {
                            let names: Vec<String> =
                                allowed.iter().map(|n| format!("{{{n}}}")).collect();
                            format!(
                                "`{key}` may use {}",
                                diagnostic::list(
                                    &names.iter().map(String::as_str).collect::<Vec<_>>()
                                )
                            )
                        }),
                    );
                }
            }
        }
    }
    if let Text::Plain(s) = text {
        if DATE_FORMATS.contains(&key) && StrftimeItems::new(s).any(|i| matches!(i, Item::Error)) {
            diags.push(
                Diagnostic::error(source, span.clone(), format!("`{key}` is not a date format chrono understands: \"{s}\""))
                    .with_help("use strftime codes such as %-d (day), %b (month name), %Y (year), %H:%M (time), %Z (zone)"),
            );
        } else if DATE_FORMATS.contains(&key) && !formats_what_it_is_given(key, s) {
            // `date` also dates a day of the uptime bars, which has no time or
            // zone: chrono fails there (and `to_string` panics) on `%H`, `%z`, `%s`...
            diags.push(
                Diagnostic::error(source, span.clone(), format!("`{key}` needs more than a day's date to show: \"{s}\""))
                    .with_help("`date` shows a day alone: use only %-d, %d, %e, %a, %A, %b, %B, %m, %y and %Y, and put the time and zone in `time`"),
            );
        }
        if key == "dir" && s != "ltr" && s != "rtl" {
            diags.push(Diagnostic::error(
                source,
                span.clone(),
                format!("`dir` must be \"ltr\" or \"rtl\", found \"{s}\""),
            ));
        }
        if key == "plural" && PluralRule::parse(s).is_none() {
            diags.push(
                Diagnostic::error(source, span, format!("unknown plural rule \"{s}\""))
                    .with_help(format!("expected {}", diagnostic::list(PluralRule::NAMES))),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(tag: &str) -> Strings {
        let mut diags = Vec::new();
        let s = Strings::load(tag, None, None, &mut diags);
        assert!(diags.is_empty(), "{tag}: {diags:?}");
        s.unwrap()
    }

    #[test]
    fn every_builtin_language_is_valid_and_complete() {
        let english = english_table();
        for (tag, text) in BUILTIN {
            let source = builtin_source(tag, text);
            let mut diags = Vec::new();
            let parsed = parse(&source, &english, &mut diags).expect(tag);
            assert!(diags.is_empty(), "{tag}: {diags:?}");
            let missing: Vec<&String> = english
                .keys()
                .filter(|k| !parsed.contains_key(*k))
                .collect();
            assert!(missing.is_empty(), "{tag} lacks {missing:?}");
            for (key, value) in &parsed {
                let same_shape = matches!(
                    (value, &english[key]),
                    (Text::Plain(_), Text::Plain(_))
                        | (Text::Plural { .. }, Text::Plural { .. })
                        | (Text::List(_), Text::List(_))
                );
                assert!(
                    same_shape,
                    "{tag}: `{key}` has another shape than in English"
                );
            }
        }
    }

    #[test]
    fn plurals_follow_the_language() {
        let en = load("en");
        assert_eq!(en.count("incident_count", 1, &[]), "1 incident");
        assert_eq!(en.count("incident_count", 0, &[]), "0 incidents");
        let fr = load("fr");
        assert_eq!(fr.count("incident_count", 0, &[]), "0 incident");
        assert_eq!(fr.count("incident_count", 2, &[]), "2 incidents");
        let ja = load("ja");
        assert_eq!(ja.count("incident_count", 1, &[]), "障害1件");
        assert_eq!(ja.count("incident_count", 2, &[]), "障害2件");
    }

    #[test]
    fn dates_durations_and_percentages_follow_the_language() {
        let t = chrono::Utc.with_ymd_and_hms(2026, 3, 5, 14, 5, 0).unwrap();
        assert_eq!(load("en").format("date", &t), "5 Mar 2026");
        assert_eq!(load("de").format("date", &t), "5. März 2026");
        assert_eq!(load("ja").format("date", &t), "2026年3月5日");
        assert_eq!(load("de").percent(99.956), "99,95 %");
        assert_eq!(load("en").percent(99.956), "99.95%");
        assert_eq!(load("en").duration(chrono::Duration::minutes(125)), "2h 5m");
        assert_eq!(load("en").duration(chrono::Duration::minutes(45)), "45m");
        assert_eq!(
            load("en").duration(chrono::Duration::minutes(3 * 1440 + 61)),
            "3d 1h"
        );
        assert_eq!(
            load("ja").duration(chrono::Duration::minutes(125)),
            "2時間5分"
        );
    }

    #[test]
    fn fill_leaves_unknown_names_and_stray_braces_as_written() {
        let v = |n: &str| (n == "a").then_some("A");
        assert_eq!(fill("{a} {b} { {a", v), "A {b} { {a");
        assert_eq!(fill("}{a}{", v), "}A{");
    }

    #[test]
    fn a_percent_sign_in_a_month_name_is_not_a_format_code() {
        let mut table = english_table();
        table.insert(
            MONTHS_SHORT.into(),
            Text::List((0..12).map(|_| "50%Y".to_string()).collect()),
        );
        let s = Strings::from_table("en", table);
        let t = chrono::Utc.with_ymd_and_hms(2026, 3, 5, 14, 5, 0).unwrap();
        assert_eq!(s.format("date", &t), "5 50%Y 2026");
    }
}
