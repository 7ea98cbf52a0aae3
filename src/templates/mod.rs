//! The templates: defaults compiled into the binary, overridden by name by a
//! site's own `templates/` folder, compiled once per build by Tera 2, the one
//! engine that renders them.
//!
//! Nothing outside this module sees Tera: pages hand over their values as
//! [`Vars`] (or any serializable view) and get bytes back. HTML templates are
//! minified once, as templates (minify-html keeps Tera's `{{ }}`, `{% %}` and
//! `{# #}` intact), rather than minifying every rendered page: the output is
//! the same, at a fraction of the cost for a large site. Errors are located in
//! the text the author wrote, not the minified one (see [`Templates::explain`]).

mod migrate;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Serialize;
use tera::{Kwargs, State, Tera, TeraResult};

use crate::diagnostic::{Diagnostic, Severity};

/// The default templates, in `templates/` of this repository.
pub(crate) const BUILTIN: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    (
        "components.html",
        include_str!("../../templates/components.html"),
    ),
    ("index.html", include_str!("../../templates/index.html")),
    (
        "subscribe.html",
        include_str!("../../templates/subscribe.html"),
    ),
    (
        "component.html",
        include_str!("../../templates/component.html"),
    ),
    (
        "incident.html",
        include_str!("../../templates/incident.html"),
    ),
    ("history.html", include_str!("../../templates/history.html")),
    (
        "history_month.html",
        include_str!("../../templates/history_month.html"),
    ),
    ("404.html", include_str!("../../templates/404.html")),
    (
        "maintenance.html",
        include_str!("../../templates/maintenance.html"),
    ),
    ("style.css", include_str!("../../templates/style.css")),
    (
        "updates/investigating.md",
        include_str!("../../templates/updates/investigating.md"),
    ),
    (
        "updates/identified.md",
        include_str!("../../templates/updates/identified.md"),
    ),
    (
        "updates/verifying.md",
        include_str!("../../templates/updates/verifying.md"),
    ),
    (
        "updates/resolved.md",
        include_str!("../../templates/updates/resolved.md"),
    ),
    (
        "updates/postmortem.md",
        include_str!("../../templates/updates/postmortem.md"),
    ),
    (
        "updates/maintenance/scheduled.md",
        include_str!("../../templates/updates/maintenance/scheduled.md"),
    ),
    (
        "updates/maintenance/in_progress.md",
        include_str!("../../templates/updates/maintenance/in_progress.md"),
    ),
    (
        "updates/maintenance/verifying.md",
        include_str!("../../templates/updates/maintenance/verifying.md"),
    ),
    (
        "updates/maintenance/completed.md",
        include_str!("../../templates/updates/maintenance/completed.md"),
    ),
    (
        "updates/maintenance/cancelled.md",
        include_str!("../../templates/updates/maintenance/cancelled.md"),
    ),
    (
        "announce/slack.txt",
        include_str!("../../templates/announce/slack.txt"),
    ),
    (
        "announce/mattermost.md",
        include_str!("../../templates/announce/mattermost.md"),
    ),
    (
        "announce/teams.md",
        include_str!("../../templates/announce/teams.md"),
    ),
    (
        "announce/discord.md",
        include_str!("../../templates/announce/discord.md"),
    ),
    (
        "announce/email.txt",
        include_str!("../../templates/announce/email.txt"),
    ),
    (
        "announce/email-subject.txt",
        include_str!("../../templates/announce/email-subject.txt"),
    ),
];

/// The pre-written update texts in one language, by name under `updates/`.
macro_rules! updates_in {
    ($lang:literal) => {
        &[
            (
                "investigating.md",
                include_str!(concat!(
                    "../../templates/updates/",
                    $lang,
                    "/investigating.md"
                )),
            ),
            (
                "identified.md",
                include_str!(concat!("../../templates/updates/", $lang, "/identified.md")),
            ),
            (
                "verifying.md",
                include_str!(concat!("../../templates/updates/", $lang, "/verifying.md")),
            ),
            (
                "resolved.md",
                include_str!(concat!("../../templates/updates/", $lang, "/resolved.md")),
            ),
            (
                "postmortem.md",
                include_str!(concat!("../../templates/updates/", $lang, "/postmortem.md")),
            ),
            (
                "maintenance/scheduled.md",
                include_str!(concat!(
                    "../../templates/updates/",
                    $lang,
                    "/maintenance/scheduled.md"
                )),
            ),
            (
                "maintenance/in_progress.md",
                include_str!(concat!(
                    "../../templates/updates/",
                    $lang,
                    "/maintenance/in_progress.md"
                )),
            ),
            (
                "maintenance/verifying.md",
                include_str!(concat!(
                    "../../templates/updates/",
                    $lang,
                    "/maintenance/verifying.md"
                )),
            ),
            (
                "maintenance/completed.md",
                include_str!(concat!(
                    "../../templates/updates/",
                    $lang,
                    "/maintenance/completed.md"
                )),
            ),
            (
                "maintenance/cancelled.md",
                include_str!(concat!(
                    "../../templates/updates/",
                    $lang,
                    "/maintenance/cancelled.md"
                )),
            ),
        ]
    };
}

/// The pre-written update texts of each built-in language but English (whose
/// are `updates/NAME` in [`BUILTIN`]), compiled as `updates/<tag>/NAME`.
pub(crate) const BUILTIN_UPDATES: &[(&str, &[(&str, &str)])] = &[
    ("de", updates_in!("de")),
    ("es", updates_in!("es")),
    ("fr", updates_in!("fr")),
    ("ja", updates_in!("ja")),
];

fn builtin_updates(language: &str) -> Option<&'static [(&'static str, &'static str)]> {
    let primary = language.split('-').next().unwrap_or(language);
    BUILTIN_UPDATES
        .iter()
        .find(|(tag, _)| *tag == language || *tag == primary)
        .map(|(_, texts)| *texts)
}

/// Whether update texts in `language` are built in (English is not counted).
pub(crate) fn has_update_texts(language: &str) -> bool {
    builtin_updates(language).is_some()
}

/// The built-in update texts for `language` (`de-AT` uses `de`), by name
/// under `updates/`: English for English and for a language with none built in.
pub(crate) fn update_texts(language: &str) -> Vec<(&'static str, &'static str)> {
    match builtin_updates(language) {
        Some(texts) => texts.to_vec(),
        None => BUILTIN
            .iter()
            .filter_map(|(name, text)| Some((name.strip_prefix("updates/")?, *text)))
            .collect(),
    }
}

/// Words that several of any English sentence has, and German, French,
/// Spanish and Japanese sentences do not: how a site's own update template is
/// told to be English.
const ENGLISH_WORDS: &[&str] = &[
    "the", "we", "and", "is", "are", "our", "will", "to", "of", "has", "been", "on",
];

/// Whether an update template's text (its notes and Tera tags aside) is English.
fn looks_english(text: &str) -> bool {
    let mut visible = crate::markdown::strip_comments(text);
    for (open, close) in [("{%", "%}"), ("{{", "}}")] {
        while let Some(start) = visible.find(open) {
            let end = visible[start..]
                .find(close)
                .map_or(visible.len(), |e| start + e + 2);
            visible.replace_range(start..end, " ");
        }
    }
    let lower = visible.to_lowercase();
    let words: std::collections::HashSet<&str> =
        lower.split(|c: char| !c.is_alphanumeric()).collect();
    ENGLISH_WORDS.iter().filter(|w| words.contains(*w)).count() >= 3
}

/// Folder of a site's own templates, relative to the site root.
pub(crate) const DIR: &str = "templates";

/// The most a template may write for one page: a template that loops without
/// end fails with its name instead of filling the disk or the memory.
const PAGE_BUDGET: usize = 64 * 1024 * 1024;

/// Templates that are wrong: the author's to fix, like invalid content, each
/// located in the file the author wrote.
#[derive(Debug)]
pub(crate) struct TemplateError(pub Vec<Diagnostic>);

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}: {}", d.location(), d.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for TemplateError {}

/// A value converted for templates once and shared by every page that shows
/// it: cloning one is a reference count, not a copy.
#[derive(Clone)]
pub(crate) struct Value(tera::Value);

impl Value {
    pub(crate) fn new(value: &(impl Serialize + ?Sized)) -> anyhow::Result<Value> {
        Ok(Value(tera::Value::try_from_serializable(value)?))
    }

    pub(crate) fn list(items: Vec<Value>) -> Value {
        Value(tera::Value::from(
            items.into_iter().map(|v| v.0).collect::<Vec<_>>(),
        ))
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value(tera::Value::from(text))
    }
}

/// The names one template sees, each bound to a [`Value`].
#[derive(Clone, Default)]
pub(crate) struct Vars(tera::Context);

impl Vars {
    pub(crate) fn new() -> Vars {
        Vars::default()
    }

    /// Each field of `view` (a struct or map) as a name of its own.
    pub(crate) fn of(view: &(impl Serialize + ?Sized)) -> anyhow::Result<Vars> {
        Ok(Vars(tera::Context::from_serialize(view)?))
    }

    pub(crate) fn set(mut self, name: &'static str, value: &Value) -> Vars {
        self.0.insert_value(name, value.0.clone());
        self
    }
}

/// One template's text as the author wrote it, and where it came from.
struct Source {
    name: String,
    text: String,
    /// `templates/NAME` for a site's own; `None` for a built-in.
    path: Option<PathBuf>,
}

pub(crate) struct Templates {
    tera: Tera,
    sources: Vec<Source>,
    /// A hash of every template's text: pages from the same templates and content are the same.
    pub fingerprint: u64,
}

impl Templates {
    /// Compiles the built-in templates with the site's overrides in place.
    pub(crate) fn load(root: &Path) -> anyhow::Result<Templates> {
        let mut sources: Vec<Source> = BUILTIN
            .iter()
            .map(|(name, text)| Source {
                name: name.to_string(),
                text: text.to_string(),
                path: None,
            })
            .collect();
        for (tag, texts) in BUILTIN_UPDATES {
            sources.extend(texts.iter().map(|(name, text)| Source {
                name: format!("updates/{tag}/{name}"),
                text: text.to_string(),
                path: None,
            }));
        }
        let dir = root.join(DIR);
        if dir.is_dir() {
            for (name, text) in collect(&dir)? {
                let path = Some(Path::new(DIR).join(&name));
                match sources.iter_mut().find(|s| s.name == name) {
                    Some(slot) => {
                        slot.text = text;
                        slot.path = path;
                    }
                    None => sources.push(Source { name, text, path }),
                }
            }
        }
        // A site's template written for Tera 1 gets told what changed, line by
        // line, before Tera 2 reports the first thing it cannot parse.
        let old: Vec<Diagnostic> = sources
            .iter()
            .filter_map(|s| s.path.as_ref().map(|p| migrate::findings(p, &s.text)))
            .flatten()
            .collect();
        if !old.is_empty() {
            return Err(TemplateError(old).into());
        }
        let minified: Vec<(&str, String)> = sources
            .iter()
            .map(|s| (s.name.as_str(), minify(&s.name, &s.text)))
            .collect();
        let parts: Vec<&[u8]> = minified
            .iter()
            .flat_map(|(n, t)| [n.as_bytes(), t.as_bytes()])
            .collect();
        let fingerprint = crate::model::fingerprint(&parts);
        let tera = match compile(minified.iter().map(|(n, t)| (*n, t.as_str()))) {
            Ok(tera) => tera,
            // Locate the error in the text as written, not as minified.
            Err(_) => {
                let err = compile(sources.iter().map(|s| (s.name.as_str(), s.text.as_str())))
                    .err()
                    .unwrap_or_else(|| tera::Error::message("a template does not compile"));
                return Err(TemplateError(diagnose(&sources, &err)).into());
            }
        };
        Ok(Templates {
            tera,
            sources,
            fingerprint,
        })
    }

    /// Renders template `name` with `vars`, appended to `out`.
    pub(crate) fn render(&self, name: &str, vars: &Vars, out: &mut Vec<u8>) -> anyhow::Result<()> {
        let start = out.len();
        let mut budget = Budget {
            out,
            left: PAGE_BUDGET,
            spent: false,
        };
        let result = self.tera.render_to(name, &vars.0, &mut budget);
        let spent = budget.spent;
        if let Err(err) = result {
            out.truncate(start);
            return Err(if spent {
                self.overrun(name)
            } else {
                self.explain(name, vars, err)
            });
        }
        Ok(())
    }

    /// Renders template `name` with each field of `view` as a name.
    pub(crate) fn render_view(&self, name: &str, view: &impl Serialize) -> anyhow::Result<String> {
        let mut out = Vec::new();
        self.render(name, &Vars::of(view)?, &mut out)?;
        String::from_utf8(out).context("a template wrote text that is not UTF-8")
    }

    /// The text of a new update (or the postmortem skeleton), from
    /// `updates/<name>.md` in the site's language (see [`Templates::update_source`]).
    pub(crate) fn render_update(
        &self,
        name: &str,
        view: &crate::view::UpdateTemplateView,
    ) -> anyhow::Result<String> {
        let template = self
            .update_source(&format!("{name}.md"), &view.language)
            .name
            .clone();
        let text = self.render_view(&template, view)?;
        // Templates end with a newline and may leave blank lines where a condition was false.
        Ok(text.trim().to_string())
    }

    /// The template that drafts update `name` (`resolved.md`) in `language`:
    /// the site's own in that language (`updates/de/resolved.md`), the site's
    /// own (`updates/resolved.md`, as before there were languages, so a site's
    /// voice is kept), the built-in one in that language, the built-in English.
    fn update_source(&self, name: &str, language: &str) -> &Source {
        let primary = language.split('-').next().unwrap_or(language);
        let find = |name: &str, own: bool| {
            self.sources
                .iter()
                .find(|s| s.name == name && s.path.is_some() == own)
        };
        let localized = [
            format!("updates/{language}/{name}"),
            format!("updates/{primary}/{name}"),
        ];
        let plain = format!("updates/{name}");
        localized
            .iter()
            .find_map(|n| find(n, true))
            .or_else(|| find(&plain, true))
            .or_else(|| localized.iter().find_map(|n| find(n, false)))
            .or_else(|| find(&plain, false))
            .unwrap_or(&self.sources[0])
    }

    /// For a site whose language is not English, the update templates that
    /// would draft its updates in English: the site's own that read as
    /// English (copied by an older `init --templates`), by path, and whether
    /// the built-in English ones are used for want of any in the language.
    pub(crate) fn english_updates(&self, language: &str) -> (Vec<PathBuf>, bool) {
        let mut own = Vec::new();
        let mut builtin = false;
        if language.split('-').next() == Some("en") {
            return (own, builtin);
        }
        for (name, _) in update_texts("en") {
            let source = self.update_source(name, language);
            if source.name != format!("updates/{name}") {
                continue;
            }
            match &source.path {
                Some(path) if looks_english(&source.text) => own.push(path.clone()),
                Some(_) => {}
                None => builtin = true,
            }
        }
        (own, builtin)
    }

    /// A rendering error located in the template the author wrote: the same
    /// page rendered again by templates compiled unminified. Errors are rare,
    /// so they pay for the second compile rather than every build.
    fn explain(&self, name: &str, vars: &Vars, err: tera::Error) -> anyhow::Error {
        let plain = compile(
            self.sources
                .iter()
                .map(|s| (s.name.as_str(), s.text.as_str())),
        );
        let located = plain
            .ok()
            .and_then(|tera| tera.render(name, &vars.0).err())
            .unwrap_or(err);
        let mut found = diagnose(&self.sources, &located);
        // An error Tera cannot place (recursion too deep, a filter's own
        // failure) is at least named after the page it stopped.
        for d in &mut found {
            if d.path == Path::new(DIR) {
                d.path = self.path_of(name);
                d.message = format!("rendering `{name}`: {}", d.message);
            }
        }
        TemplateError(found).into()
    }

    /// `templates/NAME` for a site's own template, `(built-in) NAME` for ours.
    fn path_of(&self, name: &str) -> PathBuf {
        self.sources
            .iter()
            .find(|s| s.name == name)
            .and_then(|s| s.path.clone())
            .unwrap_or_else(|| PathBuf::from(format!("(built-in) {name}")))
    }

    fn overrun(&self, name: &str) -> anyhow::Error {
        TemplateError(vec![Diagnostic::file(
            Severity::Error,
            self.path_of(name),
            0,
            0,
            format!(
                "rendering `{name}` wrote more than {} MB for one page; does a loop never end?",
                PAGE_BUDGET / (1024 * 1024)
            ),
        )])
        .into()
    }
}

/// A page's output, which refuses to grow past its budget.
struct Budget<'a> {
    out: &'a mut Vec<u8>,
    left: usize,
    spent: bool,
}

impl std::io::Write for Budget<'_> {
    // Tera writes a page in many small pieces: one call each, not a loop of `write`s.
    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.write(bytes).map(|_| ())
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if bytes.len() > self.left {
            self.spent = true;
            return Err(std::io::Error::other("the page's budget is spent"));
        }
        self.left -= bytes.len();
        self.out.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn compile<'a>(sources: impl Iterator<Item = (&'a str, &'a str)>) -> TeraResult<Tera> {
    let mut tera = Tera::new();
    tera.register_filter("fill", fill);
    tera.add_raw_templates(sources.collect::<Vec<_>>())?;
    Ok(tera)
}

/// Tera's error as diagnostics at the file, line and column the author wrote.
fn diagnose(sources: &[Source], err: &tera::Error) -> Vec<Diagnostic> {
    match err.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            let span = r.span();
            let width = if span.end_line == span.start_line {
                span.end_col.saturating_sub(span.start_col)
            } else {
                usize::MAX
            };
            vec![located(
                sources,
                r.filename(),
                (span.start_line, span.start_col + 1, width),
                r.message(),
            )]
        }
        // Checks across templates (unknown filters, blocks a parent lacks) come
        // as one message of reports, each `error: ...` then ` --> name:line:col`.
        _ => {
            let text = chain(err);
            let found: Vec<Diagnostic> = text
                .split("error: ")
                .filter_map(|report| {
                    let (message, rest) = report.split_once('\n')?;
                    let place = rest.trim_start().strip_prefix("--> ")?;
                    let place = place.lines().next()?;
                    let mut parts = place.rsplitn(3, ':');
                    let col: usize = parts.next()?.trim().parse().ok()?;
                    let line: usize = parts.next()?.parse().ok()?;
                    let name = parts.next()?;
                    let width = message
                        .split('`')
                        .nth(1)
                        .map_or(1, |quoted| quoted.chars().count());
                    Some(located(sources, name, (line, col, width), message.trim()))
                })
                .collect();
            if found.is_empty() {
                vec![Diagnostic::file(Severity::Error, DIR, 0, 0, text)]
            } else {
                found
            }
        }
    }
}

/// A diagnostic at `(line, col, width)` of template `name`, with its line shown.
fn located(
    sources: &[Source],
    name: &str,
    (line, col, width): (usize, usize, usize),
    message: &str,
) -> Diagnostic {
    let source = sources.iter().find(|s| s.name == name);
    let path = source
        .and_then(|s| s.path.clone())
        .unwrap_or_else(|| PathBuf::from(format!("(built-in) {name}")));
    let mut d = Diagnostic::file(Severity::Error, path, line, col, message.to_string());
    if let Some(text) = source.and_then(|s| s.text.lines().nth(line.saturating_sub(1))) {
        let rest = text.chars().count().saturating_sub(col.saturating_sub(1));
        d = d.with_snippet(text, width.min(rest));
    }
    if let Some(help) = migrate::help_for(message) {
        d = d.with_help(help);
    }
    d
}

/// `{{ t.as_of | fill(time=generated) | safe }}`: a string of the strings
/// table (`t`) with its `{name}`s filled in, as HTML. The string and text
/// values are escaped; a time (an object with `iso` and `full`) becomes a
/// `<time>` element and a link (`href` and `text`) an `<a>`, so translated
/// sentences keep their markup wherever their language puts the value. A
/// plural picks its form by the `n` value.
fn fill(value: &tera::Value, args: Kwargs, _: &State) -> TeraResult<tera::Value> {
    let pattern = if let Some(s) = value.as_str() {
        s
    } else if let Some(forms) = value.as_map() {
        let n = args
            .get::<u64>("n")?
            .ok_or_else(|| tera::Error::message("`fill` on a plural needs a count: fill(n=...)"))?;
        let form = |key: &'static str| {
            forms
                .get(&tera::value::Key::Str(key))
                .and_then(tera::Value::as_str)
        };
        let rule = form(crate::i18n::PLURAL_RULE_KEY)
            .and_then(crate::i18n::PluralRule::parse)
            .unwrap_or(crate::i18n::PluralRule::One);
        let (Some(one), Some(other)) = (form("one"), form("other")) else {
            return Err(tera::Error::message(
                "`fill`: a plural without `one` and `other`",
            ));
        };
        crate::i18n::choose(
            rule,
            usize::try_from(n).unwrap_or(usize::MAX),
            form("zero"),
            one,
            other,
        )
    } else if value.is_none() || value.is_undefined() {
        return Err(tera::Error::message(
            "`fill` on a string that is not in the strings table",
        ));
    } else {
        return Err(tera::Error::message(
            "`fill` expects a string of the strings table (`t.key`)",
        ));
    };
    let mut out = String::with_capacity(pattern.len() + 32);
    // Splitting the pattern and then escaping its words is escaping it and then
    // splitting: escapes never make or break a `{name}`.
    crate::i18n::fill_into(pattern, &mut out, escape_into, |name, out| match args
        .get::<&tera::Value>(name)
    {
        Ok(Some(value)) => {
            fill_value(value, out);
            true
        }
        _ => false,
    });
    Ok(tera::Value::safe_string(&out))
}

fn fill_value(value: &tera::Value, out: &mut String) {
    let field = |key: &'static str| value.get_from_path(key).and_then(tera::Value::as_str);
    if let Some(s) = value.as_str() {
        escape_into(s, out);
    } else if value.is_number() {
        out.push_str(&value.to_string());
    } else if value.as_map().is_some() {
        match (field("iso"), field("full"), field("href"), field("text")) {
            (Some(iso), Some(full), _, _) => {
                out.push_str("<time datetime=\"");
                escape_into(iso, out);
                out.push_str("\">");
                escape_into(full, out);
                out.push_str("</time>");
            }
            (_, _, Some(href), Some(text)) => {
                out.push_str("<a href=\"");
                escape_into(href, out);
                out.push_str("\">");
                escape_into(text, out);
                out.push_str("</a>");
            }
            _ => {}
        }
    } else if let Some(items) = value.as_array() {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            fill_value(item, out);
        }
    }
}

/// HTML-escapes `text` exactly as the pages' templates escape every value:
/// Tera's `fast_escape` is this same function.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_into(text, &mut out);
    out
}

fn escape_into(text: &str, out: &mut String) {
    // Writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(out, text);
}

/// Minifies HTML templates and the stylesheet; other templates are text.
fn minify(name: &str, text: &str) -> String {
    if name.ends_with(".html") {
        minify_template(text)
    } else if name.ends_with(".css") {
        minify_css(text)
    } else {
        text.to_string()
    }
}

/// Spec-compliant settings only, so every browser and parser reads the pages the same way.
fn html_cfg() -> minify_html::Cfg {
    let mut cfg = minify_html::Cfg::new();
    cfg.keep_html_and_head_opening_tags = true;
    // Omitted end tags are valid HTML but trip simpler parsers (scrapers, old readers) for a few bytes saved.
    cfg.keep_closing_tags = true;
    cfg.minify_css = true;
    cfg.preserve_brace_template_syntax = true;
    cfg
}

fn minify_template(text: &str) -> String {
    let out = minify_html::minify(text.as_bytes(), &html_cfg());
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// Minifies a stylesheet by minifying it as the content of a `<style>` element.
fn minify_css(css: &str) -> String {
    let wrapped = format!("<style>{css}</style>");
    let out =
        String::from_utf8(minify_html::minify(wrapped.as_bytes(), &html_cfg())).unwrap_or_default();
    out.strip_prefix("<style>")
        .and_then(|s| s.strip_suffix("</style>"))
        .map(str::to_string)
        // Should the minifier ever change its framing, the original CSS is still correct.
        .unwrap_or_else(|| css.to_string())
}

/// An error with its causes, for errors without a place in a template.
fn chain(err: &dyn std::error::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

fn collect(dir: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut invalid = Vec::new();
    for (name, path) in crate::fs::walk_files(dir)? {
        let bytes = crate::fs::read(&path, crate::fs::MAX_FILE_BYTES)
            .map_err(|e| anyhow::anyhow!("failed to read `{}`: {e}", path.display()))?
            .bytes;
        let shown = Path::new(DIR).join(&name);
        // Text that is not UTF-8 is the author's to fix, like any invalid content.
        match crate::source::Source::decode(&shown, bytes) {
            Ok(source) => out.push((name, source.text)),
            Err(e) => invalid.push(Diagnostic::file(
                Severity::Error,
                shown,
                e.line,
                e.col,
                e.message,
            )),
        }
    }
    if !invalid.is_empty() {
        return Err(TemplateError(invalid).into());
    }
    Ok(out)
}

/// A map of names to values, for tests of templates in isolation.
#[cfg(test)]
fn vars(pairs: &[(&'static str, serde_json::Value)]) -> Vars {
    let map: std::collections::HashMap<&str, &serde_json::Value> =
        pairs.iter().map(|(k, v)| (*k, v)).collect();
    Vars::of(&map).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(name: &str, text: &str) -> Tera {
        compile([(name, text)].into_iter()).unwrap()
    }

    fn render(tera: &Tera, name: &str, v: &Vars) -> String {
        tera.render(name, &v.0).unwrap()
    }

    #[test]
    fn fill_escapes_words_and_values_and_marks_up_times_and_links() {
        let tera = one(
            "p.html",
            "{{ s | fill(who=who, at=at, link=link) }}|{{ p | fill(n=n) }}",
        );
        let v = vars(&[
            ("s", json!("<{who}> at {at} see {link} {missing}")),
            ("who", json!("A & B")),
            (
                "at",
                json!({"iso": "2026-01-01T00:00:00Z", "full": "1 Jan"}),
            ),
            ("link", json!({"href": "https://x/?a=1&b=2", "text": "x"})),
            (
                "p",
                json!({"one": "{n} item", "other": "{n} items", "_rule": "one"}),
            ),
            ("n", json!(3)),
        ]);
        assert_eq!(
            render(&tera, "p.html", &v),
            "&lt;A &amp; B&gt; at <time datetime=\"2026-01-01T00:00:00Z\">1 Jan</time> see \
             <a href=\"https://x/?a=1&amp;b=2\">x</a> {missing}|3 items"
        );
    }

    #[test]
    fn a_template_error_names_the_line_the_author_wrote() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(DIR)).unwrap();
        std::fs::write(
            dir.path().join(DIR).join("404.html"),
            "<!DOCTYPE html>\n<title>x</title>\n\n<p>\n  {{ nothing_here }}\n</p>\n",
        )
        .unwrap();
        let templates = Templates::load(dir.path()).unwrap();
        let err = templates
            .render("404.html", &Vars::new(), &mut Vec::new())
            .unwrap_err();
        let err = err.downcast::<TemplateError>().unwrap();
        let d = &err.0[0];
        assert_eq!(d.path, Path::new("templates/404.html"));
        assert_eq!((d.line, d.col), (5, 6), "{d:?}");
    }

    #[test]
    fn a_page_that_never_ends_fails_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(DIR)).unwrap();
        std::fs::write(
            dir.path().join(DIR).join("404.html"),
            "{% for i in range(end=100000) %}{% for j in range(end=100000) %}0123456789{% endfor %}{% endfor %}",
        )
        .unwrap();
        let templates = Templates::load(dir.path()).unwrap();
        let err = templates
            .render("404.html", &Vars::new(), &mut Vec::new())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("templates/404.html") && err.contains("loop"),
            "{err}"
        );
    }

    /// Issue 14: every built-in language has every update template English
    /// has, each renders with the variables English uses, reads as its own
    /// language, and its postmortem skeleton is hidden until it is written.
    #[test]
    fn every_language_has_every_update_template() {
        let dir = tempfile::tempdir().unwrap();
        let templates = Templates::load(dir.path()).unwrap();
        let english: Vec<&str> = update_texts("en").iter().map(|(n, _)| *n).collect();
        assert_eq!(english.len(), 10);
        for (tag, texts) in BUILTIN_UPDATES {
            let names: Vec<&str> = texts.iter().map(|(n, _)| *n).collect();
            assert_eq!(names, english, "{tag}");
            let on_disk = crate::fs::walk_files(
                &Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("templates/updates")
                    .join(tag),
            )
            .unwrap();
            assert_eq!(
                on_disk.len(),
                names.len(),
                "{tag}: a file on disk is not compiled in"
            );
            for (name, text) in *texts {
                assert!(!looks_english(text), "{tag}/{name} reads as English");
                assert!(
                    text.contains(crate::markdown::TEMPLATE_NOTE),
                    "{tag}/{name}: no note"
                );
                for count in [1, 2] {
                    let view = serde_json::json!({
                        "title": "T", "state": "investigating", "impact": "major",
                        "impact_phrase": "x", "impact_noun": "x", "components": "A",
                        "component_list": ["A"], "component_count": count,
                        "next_update": "15:30 GMT", "contact_email": "s@x.example",
                        "contact_url": null, "site_title": "S", "starts": "1", "ends": "2",
                        "language": tag,
                    });
                    let out = templates
                        .render_view(&format!("updates/{tag}/{name}"), &view)
                        .unwrap_or_else(|e| panic!("{tag}/{name}: {e}"));
                    assert!(
                        !out.contains("{{") && !out.contains("{%"),
                        "{tag}/{name}: {out}"
                    );
                }
            }
            let postmortem = texts.iter().find(|(n, _)| *n == "postmortem.md").unwrap().1;
            let view = serde_json::json!({"contact_email": "s@x.example"});
            let skeleton = templates
                .render_view(&format!("updates/{tag}/postmortem.md"), &view)
                .unwrap();
            assert_eq!(
                crate::markdown::to_html(&skeleton, 3),
                "",
                "{tag}: {postmortem}"
            );
        }
        for (name, text) in update_texts("en") {
            assert!(looks_english(text), "English {name} is told to be English");
        }
    }

    #[test]
    fn minifying_a_template_keeps_tera_syntax() {
        let t = minify_template("<p class=\"a\">\n  {{ x | safe }}  {% if y %} <b>{{ y }}</b> {% endif %}\n</p>\n{# note #}\n{{ <c a={b} /> }}\n");
        assert!(t.contains("{{ x | safe }}"), "{t}");
        assert!(t.contains("{% if y %}") && t.contains("{% endif %}"), "{t}");
        assert!(t.contains("{{ <c a={b} /> }}"), "{t}");
        assert!(!t.contains('\n'), "{t}");
    }
}
