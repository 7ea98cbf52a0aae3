//! What the terminal shows of a build: diagnostics with their count, errors
//! with their causes, and the one-line summary of a good build.
//!
//! Shared by `cmd` and `live`, so that a rebuild in `watch` or `serve` reads
//! exactly like `build`. Writes to stderr only; picks no exit code.

use std::io::Write;
use std::path::Path;

use crate::build::Built;
use crate::diagnostic::Diagnostic;

/// Prints diagnostics to stderr with a summary line; returns whether any is an error.
pub(crate) fn diagnostics(diagnostics: &[Diagnostic]) -> bool {
    let mut stderr = std::io::stderr().lock();
    for d in diagnostics {
        let _ = writeln!(stderr, "{d}");
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    if errors > 0 {
        let _ = writeln!(
            stderr,
            "error: {errors} error{} and {warnings} warning{} in the site's content; nothing was written",
            plural(errors),
            plural(warnings)
        );
    }
    errors > 0
}

/// Prints an operational failure as [`error_text`] words it.
pub(crate) fn error(err: &anyhow::Error) {
    let _ = std::io::stderr()
        .lock()
        .write_all(error_text(err).as_bytes());
}

/// `error: ...` and a `caused by: ...` line per cause; a template's mistakes
/// as diagnostics, each at its place.
pub(crate) fn error_text(err: &anyhow::Error) -> String {
    if let Some(e) = err.downcast_ref::<crate::templates::TemplateError>() {
        return e
            .0
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n");
    }
    // Errors name paths, and a path may hold a terminal escape.
    let escape =
        |e: &dyn std::fmt::Display| crate::diagnostic::escape_controls(&e.to_string()).into_owned();
    let mut text = format!("error: {}\n", escape(err));
    for cause in err.chain().skip(1) {
        text.push_str(&format!("  caused by: {}\n", escape(cause)));
    }
    text
}

pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// "built 9 incidents into site: 3 files written, 14 unchanged, 0 removed"
pub(crate) fn summary(built: &Built, dir: &Path) -> String {
    let n = built.site.incidents.len();
    let w = &built.written;
    let written = w.added.len() + w.changed.len();
    let t = built.timings;
    format!(
        "built {n} incident{} into {}: {written} file{} written, {} unchanged, {} removed, in {} ms",
        plural(n),
        dir.display(),
        plural(written),
        w.unchanged,
        w.removed.len(),
        (t.load + t.render + t.write).as_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_list_their_causes() {
        let err = anyhow::anyhow!("disk full").context("failed to write `site/index.html`");
        assert_eq!(
            error_text(&err),
            "error: failed to write `site/index.html`\n  caused by: disk full\n"
        );
        assert_eq!(plural(1), "");
        assert_eq!(plural(0), "s");
    }
}
