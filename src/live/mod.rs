//! Live preview: [`watch`] rebuilds the site on every change, and [`serve`]
//! shows the last good build on 127.0.0.1 and reloads open pages.
//!
//! Both sit below `cmd` and import nothing from it; `serve` does not import
//! `watch` either. What a rebuild tells the server is [`Rebuilt`], defined
//! here so that the two only meet in `cmd::serve`, which connects them.

pub(crate) mod serve;
pub(crate) mod watch;

use crate::build::Built;
use crate::diagnostic::Diagnostic;
use crate::report;

/// One build attempt, as `on_built` sees it.
pub(crate) enum Rebuilt<'a> {
    Built(&'a Built),
    /// The content is invalid; nothing was written.
    Invalid(&'a [Diagnostic]),
    /// A template error or an operational failure.
    Failed(&'a anyhow::Error),
}

impl Rebuilt<'_> {
    /// What went wrong, worded as in the terminal; `None` for a good build.
    pub(crate) fn problem(&self) -> Option<String> {
        match self {
            Rebuilt::Built(_) => None,
            Rebuilt::Invalid(diagnostics) => {
                Some(diagnostics.iter().map(ToString::to_string).collect())
            }
            Rebuilt::Failed(err) => Some(report::error_text(err)),
        }
    }
}
