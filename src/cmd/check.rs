//! `statuspost check`: everything `build` validates, plus the promises and the
//! wording, with an exit code a scheduled CI job can alert on.

use std::io::Write;

use chrono::Duration;
use serde::Serialize;

use crate::cli::{CheckArgs, Format};
use crate::cmd::{self, Outcome};
use crate::diagnostic::{self, Diagnostic, Severity};
use crate::lapse::{self, Promise};
use crate::lint;
use crate::load;
use crate::model::Site;

pub fn run(args: CheckArgs) -> anyhow::Result<Outcome> {
    let loaded = load::load(&args.site.root);
    let mut findings = loaded.diagnostics;
    let mut lapsed = 0;
    if let Some(site) = &loaded.site {
        let now = cmd::now(&args.site, site.config.timezone)?;
        for finding in lapse::evaluate(site, now) {
            let severity = match finding.promise {
                Promise::Lapsed { .. } => {
                    lapsed += 1;
                    Severity::Error
                }
                _ => Severity::Warning,
            };
            let latest = finding.incident.latest();
            findings.push(
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
        }
        findings.extend(lapse::future_dated(site, now));
        findings.extend(wording(site, now));
        // Validating "exactly as build does" includes the templates: a page
        // that fails to render must fail the scheduled check, not the next publish.
        match render_in_memory(site, now, &args.site.root) {
            Ok(missing) if !missing.is_empty() => findings.push(
                Diagnostic::file(
                    Severity::Warning,
                    crate::templates::DIR,
                    0,
                    0,
                    format!(
                        "{} page{} no Content-Security-Policy, so nothing forbids scripts in them (first: {})",
                        missing.len(),
                        if missing.len() == 1 { " carries" } else { "s carry" },
                        missing[0]
                    ),
                )
                .with_code("no-policy")
                .with_help("keep the `<meta http-equiv=\"Content-Security-Policy\" ...>` line of the built-in base.html in your own"),
            ),
            Ok(_) => {}
            Err(err) => match err.downcast_ref::<crate::templates::TemplateError>() {
                Some(e) => findings.extend(e.0.iter().cloned()),
                None => return Err(err),
            },
        }
        findings.extend(crate::independence::findings(site, &args.site.root));
        findings.extend(maintenance(site, now));
        diagnostic::sort(&mut findings);
    }
    let errors = findings
        .iter()
        .filter(|d| d.is_error() && d.code.is_none())
        .count();
    let warnings = findings.iter().filter(|d| !d.is_error()).count();
    let outcome = if errors > 0 {
        Outcome::Invalid
    } else if lapsed > 0 || (args.deny_warnings && warnings > 0) {
        Outcome::Lapsed
    } else {
        Outcome::Ok
    };
    match args.format {
        Format::Text => print_text(&findings, errors, lapsed, warnings),
        Format::Json => print_json(&findings, errors, lapsed, warnings, outcome)?,
    }
    Ok(outcome)
}

/// Renders every page, keeping nothing; returns the pages that carry no
/// Content-Security-Policy (a site's own `base.html` may have dropped it).
fn render_in_memory(
    site: &Site,
    now: crate::clock::Now,
    root: &std::path::Path,
) -> anyhow::Result<Vec<String>> {
    let templates = crate::templates::Templates::load(root)?;
    let sink = PolicyCheck::default();
    crate::render::render_into(site, now, &templates, &sink)?;
    let mut missing = sink.missing.into_inner().unwrap_or_else(|e| e.into_inner());
    missing.sort();
    Ok(missing)
}

/// A sink that discards pages after looking for the script-forbidding policy in each.
#[derive(Default)]
struct PolicyCheck {
    missing: std::sync::Mutex<Vec<String>>,
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
fn wording(site: &Site, now: crate::clock::Now) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let recent = now - Duration::days(7);
    for incident in &site.incidents {
        if !incident.is_open() && incident.latest().at < recent {
            continue;
        }
        let summary_lines: Vec<&str> = incident.summary.lines().collect();
        for f in lint::template_notes(&incident.summary) {
            out.push(
                Diagnostic::file(
                    Severity::Warning,
                    incident.path.clone(),
                    incident.summary_line + f.line,
                    f.col,
                    f.message,
                )
                .with_snippet(
                    summary_lines.get(f.line).copied().unwrap_or_default(),
                    f.len,
                )
                .with_code(f.code)
                .with_help(f.help),
            );
        }
        for update in &incident.updates {
            let lines: Vec<&str> = update.body.lines().collect();
            for f in lint::lint_update(update, incident, &site.config) {
                let snippet = lines.get(f.line).copied().unwrap_or_default();
                out.push(
                    Diagnostic::file(
                        Severity::Warning,
                        incident.path.clone(),
                        update.body_line + f.line,
                        f.col,
                        f.message,
                    )
                    .with_snippet(snippet, f.len)
                    .with_code(f.code)
                    .with_help(f.help),
                );
            }
        }
    }
    out
}

/// Windows whose updates have not kept up with the clock.
fn maintenance(site: &Site, now: crate::clock::Now) -> Vec<Diagnostic> {
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

fn print_text(findings: &[Diagnostic], errors: usize, lapsed: usize, warnings: usize) {
    let mut stderr = std::io::stderr().lock();
    for d in findings {
        let _ = writeln!(stderr, "{d}");
    }
    let summary = if errors > 0 {
        format!(
            "error: {errors} error{} in the site's content",
            cmd::plural(errors)
        )
    } else if lapsed > 0 {
        format!(
            "error: {lapsed} promised update{} lapsed",
            cmd::plural(lapsed)
        )
    } else if warnings > 0 {
        format!("ok, with {warnings} warning{}", cmd::plural(warnings))
    } else {
        "ok: all content is valid and every promise is kept".to_string()
    };
    let _ = writeln!(stderr, "{summary}");
}

#[derive(Serialize)]
struct Report<'a> {
    ok: bool,
    exit_code: i32,
    errors: usize,
    lapsed: usize,
    warnings: usize,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    severity: &'static str,
    code: Option<&'static str>,
    path: String,
    line: usize,
    col: usize,
    message: &'a str,
    help: Option<&'a str>,
}

fn print_json(
    findings: &[Diagnostic],
    errors: usize,
    lapsed: usize,
    warnings: usize,
    outcome: Outcome,
) -> anyhow::Result<()> {
    let report = Report {
        ok: outcome == Outcome::Ok,
        exit_code: outcome.code(),
        errors,
        lapsed,
        warnings,
        findings: findings
            .iter()
            .map(|d| JsonFinding {
                severity: if d.is_error() { "error" } else { "warning" },
                code: d.code,
                path: d.path.display().to_string(),
                line: d.line,
                col: d.col,
                message: &d.message,
                help: d.help.as_deref(),
            })
            .collect(),
    };
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &report)?;
    writeln!(stdout)?;
    Ok(())
}
