//! `statuspost check`: everything `build` validates, plus the promises and the
//! wording, with an exit code a scheduled CI job can alert on.

use std::io::Write;

use serde::Serialize;

use crate::check::{self, Class, Finding};
use crate::cli::{CheckArgs, Format};
use crate::cmd::{self, Outcome};
use crate::diagnostic::Diagnostic;
use crate::load;

pub(super) fn run(args: CheckArgs) -> anyhow::Result<Outcome> {
    let root = &args.site.root;
    let loaded = load::load(root);
    let mut findings: Vec<Finding> = loaded.diagnostics.into_iter().map(Finding::of).collect();
    if let Some(site) = &loaded.site {
        let now = cmd::preview_now(&args.site, &site.config)?;
        findings.extend(check::findings(site, now, root));
        if let Some((when, span)) = cmd::demo_now(&site.config) {
            findings.push(Finding::of(
                Diagnostic::warning(&site.config.spans.source, span, format!("the clock is frozen at {when} by `demo_now`: without `--now`, promises are checked against that moment, never the real time"))
                    .with_code("frozen-clock")
                    .with_help("`demo_now` is for the demo site: delete this line in a site of your own, or no promise will ever be seen to lapse"),
            ));
        }
        // Validating "exactly as build does" includes the templates: a page
        // that fails to render must fail the scheduled check, not the next publish.
        match crate::templates::Templates::load(root) {
            Ok(templates) => {
                findings.extend(check::update_templates(site, &templates));
                findings.extend(check::pages(site, now, &templates)?);
            }
            Err(err) => match err.downcast::<crate::templates::TemplateError>() {
                Ok(e) => findings.extend(e.0.into_iter().map(Finding::of)),
                Err(err) => return Err(err),
            },
        }
        check::sort(&mut findings);
    }
    let count = |class| findings.iter().filter(|f| f.class == class).count();
    let (errors, lapsed, warnings) = (
        count(Class::Invalid),
        count(Class::Lapsed),
        count(Class::Warning),
    );
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

fn print_text(findings: &[Finding], errors: usize, lapsed: usize, warnings: usize) {
    let mut stderr = std::io::stderr().lock();
    for f in findings {
        let _ = writeln!(stderr, "{}", f.diagnostic);
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
    code: &'static str,
    path: String,
    line: usize,
    col: usize,
    message: &'a str,
    help: Option<&'a str>,
    /// The incident a promise finding is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    slug: Option<&'a str>,
    /// When the promised update is (or was) due, RFC 3339 in UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    due_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    overdue_seconds: Option<i64>,
}

fn print_json(
    findings: &[Finding],
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
            .map(|f| {
                let d = &f.diagnostic;
                let promise = f.promise.as_ref();
                JsonFinding {
                    severity: if d.is_error() { "error" } else { "warning" },
                    code: f.code(),
                    path: d.path.display().to_string(),
                    line: d.line,
                    col: d.col,
                    message: &d.message,
                    help: d.help.as_deref(),
                    slug: promise.map(|p| p.slug.as_str()),
                    due_at: promise
                        .and_then(|p| p.due)
                        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                    overdue_seconds: promise.and_then(|p| p.overdue_seconds),
                }
            })
            .collect(),
    };
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &report)?;
    writeln!(stdout)?;
    Ok(())
}
