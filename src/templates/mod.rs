//! The page templates: defaults compiled into the binary, overridden by name
//! by a site's own `templates/` folder. Compiled once per build.
//!
//! HTML templates are minified once, as templates (minify-html keeps Tera's
//! `{{ }}`, `{% %}` and `{# #}` intact), rather than minifying every rendered
//! page: the output is the same, at a fraction of the cost for a large site.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use anyhow::Context as _;
use tera::Tera;

/// The default templates, in `templates/` of this repository.
pub const BUILTIN: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("index.html", include_str!("../../templates/index.html")),
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

/// Folder of a site's own templates, relative to the site root.
pub const DIR: &str = "templates";

/// A template problem: the author's to fix, like invalid content.
#[derive(Debug)]
pub struct TemplateError(pub String);

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TemplateError {}

mod eval;

pub struct Templates {
    tera: Tera,
    /// Renders the pages Tera would, several times faster (see [`eval`]).
    evaluator: eval::Evaluator,
    /// The strings-table keys the templates name (`t.key`), or `None` when a
    /// template looks keys up by value (`t[...]`): pages carry only these,
    /// because every page copies what it carries.
    pub strings_used: Option<std::collections::BTreeSet<String>>,
    /// A hash of every template's text: pages from the same templates and content are the same.
    pub fingerprint: u64,
}

impl Templates {
    /// Compiles the built-in templates with the site's overrides in place.
    pub fn load(root: &Path) -> anyhow::Result<Templates> {
        let mut sources: Vec<(String, String)> = BUILTIN
            .iter()
            .map(|(name, text)| (name.to_string(), text.to_string()))
            .collect();
        let dir = root.join(DIR);
        if dir.is_dir() {
            let mut overrides = Vec::new();
            collect(&dir, "", &mut overrides)?;
            for (name, text) in overrides {
                match sources.iter_mut().find(|(n, _)| *n == name) {
                    Some(slot) => slot.1 = text,
                    None => sources.push((name, text)),
                }
            }
        }
        for (name, text) in &mut sources {
            if name.ends_with(".html") {
                *text = minify_template(text);
            } else if name.ends_with(".css") {
                *text = minify_css(text);
            }
        }
        let parts: Vec<&[u8]> = sources
            .iter()
            .flat_map(|(n, t)| [n.as_bytes(), t.as_bytes()])
            .collect();
        let fingerprint = crate::model::fingerprint(&parts);
        let mut tera = Tera::default();
        tera.register_filter("fill", fill);
        tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| TemplateError(format!("a template does not compile: {}", chain(&e))))?;
        let strings_used = strings_used(sources.iter().map(|(_, t)| t.as_str()));
        Ok(Templates {
            evaluator: eval::Evaluator::new(&tera),
            tera,
            fingerprint,
            strings_used,
        })
    }

    /// The text of a new update (or the postmortem skeleton), from `updates/<name>.md`.
    pub fn render_update(&self, name: &str, context: &tera::Context) -> anyhow::Result<String> {
        let text = self.render(&format!("updates/{name}.md"), context)?;
        // Templates end with a newline and may leave blank lines where a condition was false.
        Ok(text.trim().to_string())
    }

    pub fn render(&self, name: &str, context: &tera::Context) -> anyhow::Result<String> {
        self.render_scope(name, context, || Cow::Borrowed(context))
    }

    /// As [`Templates::render`], with the page's values borrowed rather than copied into a context.
    pub fn render_values(
        &self,
        name: &str,
        values: &[(&str, &tera::Value)],
    ) -> anyhow::Result<String> {
        self.render_scope(name, &values, || {
            let mut context = tera::Context::new();
            for (key, value) in values {
                context.insert(*key, value);
            }
            Cow::Owned(context)
        })
    }

    fn render_scope<'s>(
        &self,
        name: &str,
        scope: &dyn eval::Scope,
        // Only Tera needs a context: made (or borrowed) when it renders.
        context: impl FnOnce() -> Cow<'s, tera::Context>,
    ) -> anyhow::Result<String> {
        if self.evaluator.supports(name) {
            if let Ok(page) = self.evaluator.render(&self.tera, name, scope) {
                // Every test build proves the evaluator against Tera, page by page.
                #[cfg(debug_assertions)]
                self.same_as_tera(name, &context(), &page)?;
                return Ok(page);
            }
        }
        self.render_by_tera(name, &context())
    }

    fn render_by_tera(&self, name: &str, context: &tera::Context) -> anyhow::Result<String> {
        self.tera
            .render(name, context)
            .map_err(|e| TemplateError(format!("template `{name}` failed: {}", chain(&e))).into())
    }

    #[cfg(debug_assertions)]
    fn same_as_tera(&self, name: &str, context: &tera::Context, page: &str) -> anyhow::Result<()> {
        let tera = self.render_by_tera(name, context)?;
        if tera != page {
            let at = tera
                .bytes()
                .zip(page.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            let around = |s: &str| {
                let (mut start, mut end) = (at.saturating_sub(60), (at + 60).min(s.len()));
                while !s.is_char_boundary(start) {
                    start -= 1;
                }
                while !s.is_char_boundary(end) {
                    end += 1;
                }
                s[start..end].to_string()
            };
            anyhow::bail!(
                "template `{name}`: the evaluator and Tera disagree at byte {at}:\n  evaluator: {:?}\n  Tera:      {:?}",
                around(page),
                around(&tera)
            );
        }
        Ok(())
    }
}

/// `{{ t.as_of | fill(time=generated) | safe }}`: a string of the strings
/// table (`t`) with its `{name}`s filled in, as HTML. The string and text
/// values are escaped; a time (an object with `iso` and `full`) becomes a
/// `<time>` element and a link (`href` and `text`) an `<a>`, so translated
/// sentences keep their markup wherever their language puts the value. A
/// plural picks its form by the `n` value.
fn fill(value: &tera::Value, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let args: Vec<(&str, &tera::Value)> = args.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let mut out = String::new();
    fill_into(value, &args, &mut out)?;
    Ok(tera::Value::String(out))
}

/// [`fill`] with borrowed arguments, as the evaluator passes them, written at the end of `out`.
fn fill_into(
    value: &tera::Value,
    args: &[(&str, &tera::Value)],
    out: &mut String,
) -> tera::Result<()> {
    use tera::Value;
    let pattern = match value {
        Value::String(s) => s.as_str(),
        Value::Object(forms) => {
            let n = args
                .iter()
                .find(|(name, _)| *name == "n")
                .and_then(|(_, v)| v.as_u64())
                .ok_or_else(|| tera::Error::msg("`fill` on a plural needs a count: fill(n=...)"))?;
            crate::i18n::choose_form(forms, usize::try_from(n).unwrap_or(usize::MAX))
                .ok_or_else(|| tera::Error::msg("`fill`: a plural without `one` and `other`"))?
        }
        Value::Null => {
            return Err(tera::Error::msg(
                "`fill` on a string that is not in the strings table",
            ))
        }
        _ => {
            return Err(tera::Error::msg(
                "`fill` expects a string of the strings table (`t.key`)",
            ))
        }
    };
    // Splitting the pattern and then escaping its words is escaping it and then
    // splitting: escapes never make or break a `{name}`.
    crate::i18n::fill_into(pattern, out, escape_into, |name, out| {
        args.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, value)| out.push_str(&fill_value(value)))
            .is_some()
    });
    Ok(())
}

fn fill_value(value: &tera::Value) -> String {
    use tera::Value;
    let field = |key: &str| value.get(key).and_then(Value::as_str);
    match value {
        Value::String(s) => escape(s),
        Value::Number(n) => n.to_string(),
        Value::Object(_) => match (field("iso"), field("full"), field("href"), field("text")) {
            (Some(iso), Some(full), _, _) => {
                format!("<time datetime=\"{}\">{}</time>", escape(iso), escape(full))
            }
            (_, _, Some(href), Some(text)) => {
                format!("<a href=\"{}\">{}</a>", escape(href), escape(text))
            }
            _ => String::new(),
        },
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(fill_value).collect();
            items.join(", ")
        }
        Value::Bool(_) | Value::Null => String::new(),
    }
}

/// Every `t.key` the templates name; `None` if any indexes `t` by value.
fn strings_used<'a>(
    sources: impl Iterator<Item = &'a str>,
) -> Option<std::collections::BTreeSet<String>> {
    let mut keys = std::collections::BTreeSet::new();
    for text in sources {
        let bytes = text.as_bytes();
        let mut i = 0;
        while let Some(found) = text[i..].find('t') {
            let at = i + found;
            i = at + 1;
            let starts_word = at == 0
                || !(bytes[at - 1].is_ascii_alphanumeric()
                    || bytes[at - 1] == b'_'
                    || bytes[at - 1] == b'.');
            if !starts_word {
                continue;
            }
            match bytes.get(at + 1) {
                Some(b'[') => return None,
                Some(b'.') => {
                    let key: String = text[at + 2..]
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                        .collect();
                    keys.insert(key);
                }
                _ => {}
            }
        }
    }
    Some(keys)
}

/// The five characters that matter in HTML text and quoted attributes; not
/// `/`, which Tera's escaping also turns into `&#x2F;` for no reader's benefit.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(text, &mut out);
    out
}

fn escape_into(text: &str, out: &mut String) {
    escape_with(text, out, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    });
}

/// Writes `text` to `out` with each ASCII byte that `entity` names replaced.
fn escape_with(text: &str, out: &mut String, entity: impl Fn(u8) -> Option<&'static str>) {
    let mut from = 0;
    for (i, b) in text.bytes().enumerate() {
        if let Some(entity) = entity(b) {
            out.push_str(&text[from..i]);
            out.push_str(entity);
            from = i + 1;
        }
    }
    out.push_str(&text[from..]);
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

/// Tera puts the useful part of an error in its sources.
fn chain(err: &dyn std::error::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

fn collect(dir: &Path, prefix: &str, out: &mut Vec<(String, String)>) -> anyhow::Result<()> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("failed to read `{}`", dir.display()))?;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.ends_with('~') {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            collect(&path, &format!("{prefix}{name}/"), out)?;
        } else {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("failed to read template `{}`", path.display()))?;
            out.push((format!("{prefix}{name}"), text));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_strings_templates_name() {
        let used = strings_used(
            [
                "{{ t.as_of | fill(time=x) }} {{ at.full }} {{ t.components }}",
                "{% if t %}",
            ]
            .into_iter(),
        );
        assert_eq!(
            used.unwrap().into_iter().collect::<Vec<_>>(),
            ["as_of", "components"]
        );
        assert_eq!(strings_used(["{{ t[name] }}"].into_iter()), None);
    }

    #[test]
    fn the_evaluator_renders_every_page() {
        let templates = Templates::load(Path::new("/nonexistent")).unwrap();
        for name in [
            "index.html",
            "incident.html",
            "history_month.html",
            "maintenance.html",
            "history.html",
            "404.html",
        ] {
            assert!(templates.evaluator.supports(name), "{name}");
        }
    }

    #[test]
    fn minifying_a_template_keeps_tera_syntax() {
        let t = minify_template("<p class=\"a\">\n  {{ x | safe }}  {% if y %} <b>{{ y }}</b> {% endif %}\n</p>\n{# note #}\n");
        assert!(t.contains("{{ x | safe }}"), "{t}");
        assert!(t.contains("{% if y %}") && t.contains("{% endif %}"), "{t}");
        assert!(!t.contains('\n'), "{t}");
    }
}
