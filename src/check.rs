//! Every finding about a loaded site, in one place for every command: promises
//! (lapsed, due soon, never made), updates dated in the future, the wording of
//! updates, maintenance windows the clock has overtaken, independence of the
//! hosting, and what the pages themselves carry. Commands only print them and
//! choose the exit code from their [`Class`].

use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::clock::Now;
use crate::diagnostic::{Diagnostic, Severity};
use crate::lapse::{self, Promise};
use crate::lint;
use crate::model::Site;
use crate::templates::{TemplateError, Templates};

/// What a finding means for the command that meets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Class {
    /// The content or templates are wrong: nothing may be built from them.
    Invalid,
    /// A promised update is overdue: the site builds, and the author must post.
    Lapsed,
    /// Worth the author's attention; nothing is wrong for readers yet.
    Warning,
}

/// A diagnostic and its class; every finding has a code (`lapsed`, `speculation`...).
#[derive(Debug, Clone)]
pub(crate) struct Finding {
    pub class: Class,
    pub diagnostic: Diagnostic,
    /// For a promise: which incident, and when the update is due.
    pub promise: Option<PromiseFacts>,
}

/// What a script alerting on a promise needs without parsing the message.
#[derive(Debug, Clone)]
pub(crate) struct PromiseFacts {
    pub slug: String,
    pub due: Option<DateTime<Utc>>,
    /// How long ago the promised time passed, for a lapsed promise.
    pub overdue_seconds: Option<i64>,
}

impl Finding {
    fn new(class: Class, diagnostic: Diagnostic) -> Finding {
        Finding {
            class,
            diagnostic,
            promise: None,
        }
    }

    /// The finding's code: its diagnostic's, or for a diagnostic of loading
    /// that names none, `invalid` (an error) or `warning`, so JSON readers
    /// can always filter on it.
    pub(crate) fn code(&self) -> &'static str {
        self.diagnostic.code.unwrap_or(match self.class {
            Class::Invalid => "invalid",
            Class::Lapsed => "lapsed",
            Class::Warning => "warning",
        })
    }

    /// Diagnostics of loading (invalid content) or of templates, as findings.
    pub(crate) fn of(diagnostic: Diagnostic) -> Finding {
        let class = if diagnostic.is_error() {
            Class::Invalid
        } else {
            Class::Warning
        };
        Finding::new(class, diagnostic)
    }
}

/// The findings about `site` at `now` that need no rendering, sorted by file and position.
pub(crate) fn findings(site: &Site, now: Now, root: &Path) -> Vec<Finding> {
    let mut out: Vec<Finding> = promises(site, now);
    out.extend(
        lapse::future_dated(site, now)
            .into_iter()
            .chain(wording(site, now))
            .chain(crate::independence::findings(site, root))
            .chain(maintenance(site, now))
            .chain(examples(site))
            .map(Finding::of),
    );
    sort(&mut out);
    out
}

/// What rendering every page in memory finds: templates that fail (invalid),
/// and pages that carry no Content-Security-Policy (a site's own `base.html`
/// may have dropped it). Nothing is written.
pub(crate) fn pages(site: &Site, now: Now, templates: &Templates) -> anyhow::Result<Vec<Finding>> {
    let sink = PolicyCheck::default();
    if let Err(err) = crate::render::render_into(site, now, templates, &sink) {
        return match err.downcast::<TemplateError>() {
            Ok(e) => Ok(e.0.into_iter().map(Finding::of).collect()),
            Err(err) => Err(err),
        };
    }
    let mut missing = sink.missing.into_inner().unwrap_or_else(|e| e.into_inner());
    missing.sort();
    let Some(first) = missing.first() else {
        return Ok(Vec::new());
    };
    Ok(vec![Finding::new(
        Class::Warning,
        Diagnostic::file(
            Severity::Warning,
            crate::templates::DIR,
            0,
            0,
            format!(
                "{} page{} no Content-Security-Policy, so nothing forbids scripts in them (first: {first})",
                missing.len(),
                if missing.len() == 1 { " carries" } else { "s carry" },
            ),
        )
        .with_code("no-policy")
        .with_help("keep the `<meta http-equiv=\"Content-Security-Policy\" ...>` line of the built-in base.html in your own"),
    )])
}

/// On a site whose language is not English, one warning naming the update
/// templates that would draft its updates in English.
pub(crate) fn update_templates(site: &Site, templates: &Templates) -> Vec<Finding> {
    let lang = &site.config.strings.lang;
    let (own, builtin) = templates.english_updates(lang);
    let (path, message, help) = if let Some(first) = own.first() {
        let names: Vec<String> = own.iter().map(|p| p.display().to_string()).collect();
        (
            first.clone(),
            format!(
                "the site's language is `{lang}`, but {} of its own update template{} English, so `new` and `update` draft updates in English: {}",
                own.len(),
                if own.len() == 1 { " is" } else { "s are" },
                names.join(", ")
            ),
            if crate::templates::has_update_texts(lang) {
                "translate them, or delete them to draft from the built-in ones in the site's language (`statuspost init --templates` copies those for editing)"
            } else {
                "translate them into the site's language"
            },
        )
    } else if builtin {
        (
            std::path::PathBuf::from(crate::templates::DIR).join("updates"),
            format!("there are no built-in update templates in `{lang}`, so `new` and `update` draft updates in English"),
            "write the site's own in templates/updates/ (`statuspost init --templates` copies the English ones to start from)",
        )
    } else {
        return Vec::new();
    };
    vec![Finding::new(
        Class::Warning,
        Diagnostic::file(Severity::Warning, path, 0, 0, message)
            .with_code("english-update-templates")
            .with_help(help),
    )]
}

/// Sorts findings by file and position so output is stable and readable.
pub(crate) fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (
            &a.diagnostic.path,
            a.diagnostic.line,
            a.diagnostic.col,
            a.class,
        )
            .cmp(&(
                &b.diagnostic.path,
                b.diagnostic.line,
                b.diagnostic.col,
                b.class,
            ))
    });
}

/// Open incidents whose promise lapsed, is due soon, or was never made.
fn promises(site: &Site, now: Now) -> Vec<Finding> {
    lapse::evaluate(site, now)
        .into_iter()
        .map(|finding| {
            let (class, severity) = match finding.promise {
                Promise::Lapsed { .. } => (Class::Lapsed, Severity::Error),
                _ => (Class::Warning, Severity::Warning),
            };
            let latest = finding.incident.latest();
            let (due, overdue_seconds) = match finding.promise {
                Promise::Lapsed { due } => (Some(due), Some((now - due).num_seconds())),
                Promise::DueSoon { due } => (Some(due), None),
                Promise::Missing => (None, None),
            };
            let facts = PromiseFacts {
                slug: finding.incident.slug.clone(),
                due,
                overdue_seconds,
            };
            let mut out = Finding::new(
                class,
                Diagnostic::file(
                    severity,
                    finding.incident.path.clone(),
                    latest.line,
                    1,
                    finding.message(site.config.timezone),
                )
                .with_code(finding.promise.code())
                .with_help(finding.help()),
            );
            out.promise = Some(facts);
            out
        })
        .collect()
}

/// A sink that discards pages after looking for the script-forbidding policy in each.
#[derive(Default)]
struct PolicyCheck {
    missing: Mutex<Vec<String>>,
}

impl crate::output::Sink for PolicyCheck {
    fn put(&self, path: &str, bytes: Vec<u8>, _fingerprint: Option<u64>) -> anyhow::Result<()> {
        let has_policy = |b: &[u8]| {
            b.windows(23)
                .any(|w| w.eq_ignore_ascii_case(b"Content-Security-Policy"))
        };
        if path.ends_with(".html") && !has_policy(&bytes) {
            self.missing
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(path.to_string());
        }
        Ok(())
    }

    fn reuse(&self, _path: &str, _fingerprint: u64) -> bool {
        false
    }
}

/// Style findings of every open incident, and of
/// resolved ones from the past week (a postmortem is still being read).
fn wording(site: &Site, now: Now) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let recent = now - Duration::days(7);
    for incident in &site.incidents {
        if !incident.is_open() && incident.latest().at < recent {
            continue;
        }
        // A finding's line counts from the start of the text it was found in.
        let mut add = |text: &str, first_line: usize, findings: Vec<lint::Finding>| {
            out.extend(lint::to_diagnostics(
                &incident.path,
                text,
                first_line,
                findings,
            ));
        };
        add(
            &incident.summary,
            incident.summary_line,
            lint::lint_summary(
                &incident.summary,
                if incident.is_open() {
                    "summary"
                } else {
                    "postmortem"
                },
            ),
        );
        for update in &incident.updates {
            let findings = lint::lint_update(update, incident, &site.config);
            add(&update.body, update.body_line, findings);
        }
    }
    out
}

/// Work may start a little before its window; this much earlier is a wrong date.
const EARLY_START_MINUTES: i64 = 60;

/// Windows whose updates have not kept up with the clock, or whose dates
/// contradict their updates.
fn maintenance(site: &Site, now: Now) -> Vec<Diagnostic> {
    use crate::model::MaintenanceState;
    let tz = site.config.timezone;
    let mut out = Vec::new();
    for m in &site.maintenance {
        let latest = m.updates.last();
        let line = latest.map_or(1, |u| u.line);
        let explicit = latest.map(|u| u.state);
        let ends = crate::clock::local(m.ends, tz).format("%H:%M %Z on %-d %b");
        let ago = crate::clock::duration_words(now - m.ends);
        if now >= m.ends && explicit.is_some_and(MaintenanceState::is_active) {
            out.push(
                Diagnostic::file(Severity::Warning, m.path.clone(), line, 1, format!("{}: the window ended at {ends}, {ago} ago, and the work is still in progress", m.slug))
                    .with_code("maintenance-overrun")
                    .with_help("post an update: say the work is taking longer and when the next update comes, or that it is completed"),
            );
        } else if now >= m.ends && !explicit.is_some_and(MaintenanceState::is_final) {
            out.push(
                Diagnostic::file(Severity::Warning, m.path.clone(), line, 1, format!("{}: the window ended at {ends}, {ago} ago, but no update says it is completed", m.slug))
                    .with_code("maintenance-not-closed")
                    .with_help("add a `completed` update (or `cancelled`), so readers know the work is done"),
            );
        }
        let when = |t| crate::clock::local(t, tz).format("%H:%M %Z on %-d %b");
        for u in &m.updates {
            if u.state == MaintenanceState::InProgress
                && m.starts - u.at > Duration::minutes(EARLY_START_MINUTES)
            {
                out.push(
                    Diagnostic::file(Severity::Warning, m.path.clone(), u.line, 1, format!("{}: this update says the work is in progress {} before the window starts ({})", m.slug, crate::clock::duration_words(m.starts - u.at), when(m.starts)))
                        .with_code("maintenance-early")
                        .with_help("check the dates in `at` and `starts`; if the work really started early, move `starts` so readers see the real window"),
                );
            }
        }
        if let Some(first) = m
            .updates
            .first()
            .filter(|u| u.state == MaintenanceState::Scheduled && u.at > m.ends)
        {
            out.push(
                Diagnostic::file(Severity::Warning, m.path.clone(), first.line, 1, format!("{}: this window ended at {}, before it was announced", m.slug, when(m.ends)))
                    .with_code("maintenance-past-window")
                    .with_help("check the dates in `starts` and `ends` (the year, the month): a new window is in the future"),
            );
        }
        if m.updates.is_empty() && now < m.ends {
            out.push(
                Diagnostic::file(Severity::Warning, m.path.clone(), 1, 1, format!("{}: this maintenance has no update, so feed and calendar readers are not told of it", m.slug))
                    .with_code("maintenance-unannounced")
                    .with_help("add a `scheduled` update announcing the window: `statuspost update <maintenance> scheduled`"),
            );
        }
    }
    out
}

/// What `init` wrote as an example and the author has not replaced yet: an
/// incident that never happened, and addresses that reach nobody.
fn examples(site: &Site) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = site
        .incidents
        .iter()
        .filter(|i| lint::is_example_incident(i))
        .map(|i| {
            Diagnostic::file(
                Severity::Warning,
                i.path.clone(),
                0,
                0,
                format!("{}: this is the example incident from `statuspost init`", i.slug),
            )
            .with_code("example-incident")
            .with_help("delete this file before publishing: readers would see an incident that never happened")
        })
        .collect();
    let config = &site.config;
    let spans = &config.spans;
    let email_host = |e: &str| e.rsplit_once('@').map(|(_, h)| h.to_string());
    let addresses = [
        (
            "the contact e-mail",
            config
                .contact
                .email
                .as_deref()
                .and_then(|e| email_host(e).map(|h| (e, h))),
            spans.contact_email.clone(),
        ),
        (
            "the contact url",
            config
                .contact
                .url
                .as_deref()
                .and_then(|u| crate::independence::host(u).map(|h| (u, h))),
            spans.contact_url.clone(),
        ),
        (
            "`base_url`",
            crate::independence::host(&config.base_url).map(|h| (config.base_url.as_str(), h)),
            Some(spans.base_url.clone()),
        ),
    ];
    for (what, value, span) in addresses {
        let (Some((value, host)), Some(span)) = (value, span) else {
            continue;
        };
        if let Some(domain) = lint::example_domain(&host) {
            out.push(
                Diagnostic::warning(&spans.source, span, format!("{what} `{value}` is at {domain}, a domain reserved for examples"))
                    .with_code("example-address")
                    .with_help("write your own address in statuspost.toml: readers who follow this one reach nobody"),
            );
        }
    }
    out
}
