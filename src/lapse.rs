//! Promises: every open incident's latest update says when the next one will
//! come. This finds the promises that have lapsed, are about to, or were never made.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use crate::clock::{self, Now};
use crate::model::{Incident, Site};

/// An update dated this far past "now" is probably a typo in its date.
const FUTURE_GRACE_MINUTES: i64 = 2;

/// Updates dated after `now` (beyond a little clock skew): readers would see
/// a time that has not happened yet, so `build` and `check` both warn.
pub(crate) fn future_dated(site: &Site, now: Now) -> Vec<crate::diagnostic::Diagnostic> {
    use crate::diagnostic::{Diagnostic, Severity};
    let mut out = Vec::new();
    for incident in &site.incidents {
        for update in &incident.updates {
            if update.at > now + Duration::minutes(FUTURE_GRACE_MINUTES) {
                out.push(
                    Diagnostic::file(
                        Severity::Warning,
                        incident.path.clone(),
                        update.line,
                        1,
                        format!(
                            "{}: this update is dated {} in the future",
                            incident.slug,
                            clock::duration_words(update.at - now)
                        ),
                    )
                    .with_code("future")
                    .with_help("check the date and time in `at`; a time without an offset is in the site's zone"),
                );
            }
        }
    }
    out
}

/// How soon before a promised update the author is warned.
pub(crate) const DUE_SOON_MINUTES: i64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Promise {
    /// The promised time is past.
    Lapsed { due: DateTime<Utc> },
    /// The promised time is within [`DUE_SOON_MINUTES`].
    DueSoon { due: DateTime<Utc> },
    /// The latest update promised nothing and the site sets no default.
    Missing,
}

impl Promise {
    /// A stable name, for JSON and for noticing when a promise changes state.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Promise::Lapsed { .. } => "lapsed",
            Promise::DueSoon { .. } => "due-soon",
            Promise::Missing => "no-promise",
        }
    }
}

/// One open incident's promise, when it needs the author's attention.
#[derive(Debug, Clone)]
pub(crate) struct Finding<'a> {
    pub incident: &'a Incident,
    pub promise: Promise,
    pub now: Now,
}

impl Finding<'_> {
    /// "api-errors: the next update was promised for 14:50 BST, 12 minutes ago"
    pub(crate) fn message(&self, tz: Tz) -> String {
        let slug = &self.incident.slug;
        let at = |t: DateTime<Utc>| {
            let local = clock::local(t, tz);
            if local.date_naive() == clock::local(self.now, tz).date_naive() {
                local.format("%H:%M %Z").to_string()
            } else {
                local.format("%H:%M %Z on %-d %b").to_string()
            }
        };
        match self.promise {
            Promise::Lapsed { due } => format!(
                "{slug}: the next update was promised for {}, {} ago",
                at(due),
                clock::duration_words(self.now - due)
            ),
            Promise::DueSoon { due } => format!(
                "{slug}: the next update is due at {}, in {}",
                at(due),
                clock::duration_words(due - self.now)
            ),
            Promise::Missing => {
                format!("{slug}: the latest update does not say when the next one will come")
            }
        }
    }

    pub(crate) fn help(&self) -> &'static str {
        match self.promise {
            Promise::Lapsed { .. } => "post an update now, even if nothing has changed: say so, and when the next one will come",
            Promise::DueSoon { .. } => "prepare the next update: `statuspost update <incident> <state>`",
            Promise::Missing => "add `next_update = \"30m\"` to the latest update, or set `default_next_update` in statuspost.toml",
        }
    }
}

/// Every open incident whose promise is lapsed, due soon, or missing.
pub(crate) fn evaluate(site: &Site, now: Now) -> Vec<Finding<'_>> {
    let default = site.config.default_next_update;
    let mut findings = Vec::new();
    for incident in site.open_incidents() {
        let promise = match incident.next_update_due(default) {
            None => Promise::Missing,
            Some(due) if due <= now => Promise::Lapsed { due },
            Some(due) if due - now <= Duration::minutes(DUE_SOON_MINUTES) => {
                Promise::DueSoon { due }
            }
            Some(_) => continue,
        };
        findings.push(Finding {
            incident,
            promise,
            now,
        });
    }
    findings
}
