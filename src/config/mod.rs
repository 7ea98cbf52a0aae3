//! Reading `statuspost.toml`.

pub mod channel;
mod publish;
mod subscribe;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use chrono_tz::Tz;

use crate::clock;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::fields::{self, Fields};
use crate::model::{Component, Config, Contact};
use crate::source::Source;

pub const FILE_NAME: &str = "statuspost.toml";

const KEYS: &[&str] = &[
    "title",
    "base_url",
    "timezone",
    "description",
    "default_next_update",
    "contact",
    "components",
    "primary_domains",
    "language",
    "announce",
    "publish",
    "demo_now",
    "subscribe",
];
const CONTACT_KEYS: &[&str] = &["email", "url"];
const COMPONENT_KEYS: &[&str] = &["id", "name", "group", "description", "url", "since"];

/// Parses the config. Returns `None` when it has errors, all of which are in `diags`.
/// Only built-in languages: a site's own `i18n/` files are read by [`parse_with`].
pub fn parse(source: &Source, diags: &mut Vec<Diagnostic>) -> Option<Config> {
    parse_with(source, &mut |_| None, diags)
}

/// As [`parse`], with `site_strings(lang)` giving the site's `i18n/<lang>.toml` if it has one.
pub fn parse_with(
    source: &Source,
    site_strings: &mut dyn FnMut(&str) -> Option<Source>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Config> {
    parse_lenient(source, site_strings, diags)
        .filter(|(_, valid)| *valid)
        .map(|(config, _)| config)
}

/// As [`parse_with`], but a config with errors is still returned (with
/// `false`) wherever its TOML could be read, with a stand-in for each value
/// that is wrong (UTC for a bad zone, English for bad strings): enough to check
/// the incident files against it, so one run reports the config's problems and
/// theirs. Such a config must never be built from.
pub(crate) fn parse_lenient(
    source: &Source,
    site_strings: &mut dyn FnMut(&str) -> Option<Source>,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Config, bool)> {
    let before = diags.len();
    let whole = 0..source.text.len();
    let f = fields::parse(source, whole, 0..0, "site configuration", diags)?;
    f.deny_unknown(KEYS, diags);

    let title = f.required_string("title", "\"Acme Cloud Status\"", diags);
    let base_url = f
        .required_string("base_url", "\"https://status.example.com\"", diags)
        .and_then(|(url, span)| match check_base_url(&url) {
            Ok(url) => Some((url, span)),
            Err(message) => {
                diags.push(Diagnostic::error(source, span, message).with_help(
                    "write the absolute address the site is published at, e.g. \"https://status.example.com\"",
                ));
                None
            }
        });
    let timezone = f
        .required_string("timezone", "\"Europe/London\"", diags)
        .and_then(|(name, span)| match name.parse::<Tz>() {
            Ok(tz) => Some(tz),
            Err(_) => {
                let names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|t| t.name()).collect();
                diags.push(
                    Diagnostic::error(source, span, format!("unknown time zone `{name}`"))
                        .with_help(match crate::diagnostic::suggest(&name, names.iter().copied()) {
                            Some(best) => format!("did you mean `{best}`? (an IANA zone name)"),
                            None => "expected an IANA zone name such as \"Europe/London\", \"America/New_York\" or \"UTC\"".into(),
                        }),
                );
                None
            }
        });
    let description = f.string("description", diags).map(|(s, _)| s);
    let default_next_update = f
        .string("default_next_update", diags)
        .and_then(|(text, span)| match clock::parse_duration(&text) {
            Ok(d) => Some(d),
            Err(message) => {
                diags.push(Diagnostic::error(source, span, message));
                None
            }
        });

    let (demo_now, demo_now_span) = demo_now(&f, timezone.unwrap_or(chrono_tz::UTC), diags).unzip();

    let (contact, contact_email, contact_url) = f
        .table("contact", "[contact] table", diags)
        .map(|c| {
            c.deny_unknown(CONTACT_KEYS, diags);
            let email = c.string("email", diags);
            let url = c.string("url", diags).and_then(|(url, span)| match check_base_url(&url) {
                Ok(_) => Some((url, span)),
                Err(_) => {
                    diags.push(
                        Diagnostic::error(source, span, format!("the contact `url` must be an http(s) address, found \"{url}\""))
                            .with_help("write the address of your support site, e.g. \"https://support.example.com\""),
                    );
                    None
                }
            });
            let (email, email_span) = email.unzip();
            let (url, url_span) = url.unzip();
            (Contact { email, url }, email_span, url_span)
        })
        .unwrap_or_default();

    let (components, component_urls): (Vec<Component>, Vec<_>) =
        parse_components(&f, diags).into_iter().unzip();
    let announce = channel::parse(&f, &components, diags);
    let publish = publish::parse(&f, diags);
    let subscribe = subscribe::parse(&f, diags);
    let (primary_domains, primary_domain_spans) = f
        .string_list("primary_domains", diags)
        .unwrap_or_default()
        .into_iter()
        .map(|(d, span)| (d.trim().to_lowercase(), span))
        .unzip();

    let (language, language_span) = match f.string("language", diags) {
        Some((tag, span)) if valid_language_tag(&tag) => (tag, Some(span)),
        Some((tag, span)) => {
            diags.push(
                Diagnostic::error(source, span, format!("`language` must be a language tag such as \"de\" or \"pt-BR\", found \"{tag}\""))
                    .with_help(format!("built in: {}", crate::diagnostic::list(&crate::i18n::BUILTIN.iter().map(|(t, _)| *t).collect::<Vec<_>>()))),
            );
            ("en".to_string(), None)
        }
        None => ("en".to_string(), None),
    };
    let site_file = site_strings(&language);
    let strings = crate::i18n::Strings::load(
        &language,
        language_span.map(|span| (source, span)),
        site_file.as_ref(),
        diags,
    );

    let valid = !diags[before..].iter().any(Diagnostic::is_error);
    let mut printed: Vec<&[u8]> = vec![source.text.as_bytes()];
    if let Some(file) = &site_file {
        printed.push(file.text.as_bytes());
    }
    let (base_url, base_url_span) =
        base_url.unwrap_or_else(|| ("https://invalid.invalid".to_string(), 0..0));
    let strings = strings.unwrap_or_else(|| {
        crate::i18n::Strings::load("en", None, None, &mut Vec::new())
            .expect("English is built in and valid")
    });
    let config = Config {
        title: title.map(|(t, _)| t).unwrap_or_default(),
        base_url,
        timezone: timezone.unwrap_or(chrono_tz::UTC),
        description,
        default_next_update,
        contact,
        components,
        primary_domains,
        strings: std::sync::Arc::new(strings),
        announce,
        publish,
        subscribe,
        fingerprint: crate::model::fingerprint(&printed),
        demo_now,
        spans: crate::model::Spans {
            source: Arc::new(source.clone()),
            base_url: base_url_span,
            contact_email,
            contact_url,
            primary_domains: primary_domain_spans,
            component_urls,
            demo_now: demo_now_span,
        },
    };
    Some((config, valid))
}

/// `demo_now`: a datetime as incident files write them (or a string as `--now` takes).
fn demo_now(
    f: &Fields<'_>,
    tz: Tz,
    diags: &mut Vec<Diagnostic>,
) -> Option<(clock::Now, Range<usize>)> {
    let (value, span) = f.datetime_or_string("demo_now", diags)?;
    let resolved = match value {
        fields::DateOrText::Date(d) => clock::resolve(&d, tz).map_err(|e| e.message),
        fields::DateOrText::Text(text) => clock::parse_now(&text, tz),
    };
    match resolved {
        Ok(at) => Some((at, span)),
        Err(message) => {
            diags.push(
                Diagnostic::error(f.source(), span, format!("`demo_now`: {message}")).with_help(
                    "write the moment the demo depicts, e.g. `demo_now = 2026-11-22T22:50:00Z`",
                ),
            );
            None
        }
    }
}

/// The components, each with where its `url` is written.
fn parse_components(
    f: &Fields<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(Component, Option<Range<usize>>)> {
    let mut components = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    // Each group's derived id, with the name and place that first gave it.
    let mut groups: HashMap<String, (String, Range<usize>)> = HashMap::new();
    let mut id_spans: Vec<(String, Range<usize>)> = Vec::new();
    for c in f.tables("components", "[[components]] entry", diags) {
        c.deny_unknown(COMPONENT_KEYS, diags);
        let id = c.required_string("id", "\"api\"", diags);
        let name = c.required_string("name", "\"Public API\"", diags);
        let group = c.string("group", diags);
        let description = c.string("description", diags).map(|(s, _)| s);
        let (url, url_span) = c.string("url", diags).unzip();
        let since = match c.datetime_or_string("since", diags) {
            Some((crate::fields::DateOrText::Date(d), span)) => match (d.date, d.time) {
                (Some(date), None) => chrono::NaiveDate::from_ymd_opt(
                    date.year.into(),
                    date.month.into(),
                    date.day.into(),
                ),
                _ => {
                    diags.push(Diagnostic::error(
                        c.source(),
                        span,
                        "`since` must be a date such as 2026-01-15, without a time",
                    ));
                    None
                }
            },
            Some((_, span)) => {
                diags.push(Diagnostic::error(
                    c.source(),
                    span,
                    "`since` must be a date such as 2026-01-15, without quotes",
                ));
                None
            }
            None => None,
        };
        let Some((id, span)) = id else { continue };
        if !valid_id(&id) {
            diags.push(
                Diagnostic::error(
                    c.source(),
                    span,
                    format!("component id `{id}` has characters that cannot appear in an address"),
                )
                .with_help("use lowercase letters, digits, `-` and `_`, e.g. \"object-storage\""),
            );
            continue;
        }
        if id.len() > MAX_ID_LEN {
            diags.push(
                Diagnostic::error(
                    c.source(),
                    span,
                    format!("component id is {} characters long; ids are at most {MAX_ID_LEN}", id.len()),
                )
                .with_help("an id names a folder (`components/<id>/`), and file systems limit names: use a short one, e.g. \"object-storage\""),
            );
            continue;
        }
        id_spans.push((id.clone(), span.clone()));
        if let Some(first) = seen.insert(id.clone(), span.start) {
            let (line, _) = c.source().line_col(first);
            diags.push(
                Diagnostic::error(
                    c.source(),
                    span,
                    format!("component id `{id}` is used twice"),
                )
                .with_help(format!(
                    "it is first defined on line {line}; every component needs its own id"
                )),
            );
            continue;
        }
        let Some((name, _)) = name else { continue };
        if let Some((group_name, group_span)) = &group {
            let derived = group_id(group_name);
            match groups.get(&derived) {
                Some((first, _)) if first != group_name => diags.push(
                    Diagnostic::error(
                        c.source(),
                        group_span.clone(),
                        format!("groups `{first}` and `{group_name}` would share the id `{derived}`"),
                    )
                    .with_help(format!("a group's id in the API is made from its name; write `{first}` here too, or give the group a name of its own")),
                ),
                Some(_) => {}
                None => {
                    groups.insert(derived, (group_name.clone(), group_span.clone()));
                }
            }
        }
        components.push((
            Component {
                id,
                name,
                group: group.map(|(g, _)| g),
                description,
                url,
                since,
            },
            url_span,
        ));
    }
    // Components and groups share the API's list of ids.
    for (id, span) in &id_spans {
        if let Some((group_name, _)) = groups.get(id) {
            diags.push(
                Diagnostic::error(
                    f.source(),
                    span.clone(),
                    format!("component id `{id}` is also the id of the group `{group_name}`"),
                )
                .with_help(
                    "components and groups share one list of ids in the API: choose another id",
                ),
            );
        }
    }
    components
}

/// Ids name folders (`components/<id>/`), which file systems limit to 255 bytes
/// once other parts are added; 64 leaves room and is ample for a name.
pub(crate) const MAX_ID_LEN: usize = 64;

/// Groups have no id of their own in the config; theirs is derived from the name.
pub(crate) fn group_id(name: &str) -> String {
    let slug: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("group-{slug}")
}

/// BCP 47 in shape (`de`, `pt-BR`, `zh-Hant`): it names a file and goes in `<html lang>`.
fn valid_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Component ids name files (`components/<id>/feed.xml`) and appear in URLs.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn check_base_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    // Every address the site writes (links, feeds, the calendar, robots.txt,
    // _headers, sitemap.xml) starts with it: a line break in it would add
    // lines to those files, such as an ATTENDEE to every calendar event.
    if let Some(c) = url.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "`base_url` must be one address, with no space, line break or control character; found {:?}",
            c
        ));
    }
    if url.contains(['"', '<', '>', '\'', '\\', '`']) {
        return Err(format!("`base_url` is not a valid address: \"{url}\""));
    }
    if !url.starts_with("https://") && !url.starts_with("http://") {
        return Err(format!(
            "`base_url` must start with https:// or http://, found \"{url}\""
        ));
    }
    let parsed = url::Url::parse(url)
        .map_err(|e| format!("`base_url` is not a valid address ({e}): \"{url}\""))?;
    if parsed.host_str().is_none_or(str::is_empty)
        || parsed.query().is_some()
        || parsed.fragment().is_some()
        || !parsed.username().is_empty()
        || parsed.password().is_some()
    {
        return Err(format!(
            "`base_url` must be a site's address, with a host and no query, fragment or password: \"{url}\""
        ));
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// The list of configured component ids, for "did you mean" and for listing what is valid.
pub fn component_hint(config: &Config, id: &str) -> String {
    let ids: Vec<&str> = config.components.iter().map(|c| c.id.as_str()).collect();
    if ids.is_empty() {
        return "no components are configured: add `[[components]]` entries to statuspost.toml"
            .into();
    }
    match crate::diagnostic::suggest(id, ids.iter().copied()) {
        Some(best) => format!(
            "did you mean `{best}`? (components: {})",
            crate::diagnostic::list(&ids)
        ),
        None => did_you_mean(id, &ids).replace("expected one of", "configured components are"),
    }
}
