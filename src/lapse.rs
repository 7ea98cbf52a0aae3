//! Promises: every open incident's latest update says when the next one will
//! come. This finds the promises that have lapsed, are about to, or were never made.

use chrono::{DateTime, Duration, Utc};

use crate::clock::{self, Now};
use crate::model::{Incident, Site};

/// How soon before a promised update the author is warned.
pub const DUE_SOON: i64 = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Promise {
    /// The promised time is past.
    Lapsed { due: DateTime<Utc>, ago: Duration },
    /// The promised time is within [`DUE_SOON`] minutes.
    DueSoon { due: DateTime<Utc>, in_: Duration },
    /// The latest update promised nothing and the site sets no default.
    Missing,
}

/// One open incident's promise, when it needs the author's attention.
#[derive(Debug, Clone)]
pub struct Finding<'a> {
    pub incident: &'a Incident,
    pub promise: Promise,
}

impl Finding<'_> {
    /// "api-errors: the next update was promised for 14:50 BST, 12 minutes ago"
    pub fn message(&self, tz: chrono_tz::Tz) -> String {
        let slug = &self.incident.slug;
        let at = |t: DateTime<Utc>| clock::local(t, tz).format("%H:%M %Z on %-d %b").to_string();
        match &self.promise {
            Promise::Lapsed { due, ago } => format!(
                "{slug}: the next update was promised for {}, {} ago",
                at(*due),
                clock::format_duration(*ago)
            ),
            Promise::DueSoon { due, in_ } => format!(
                "{slug}: the next update is due at {}, in {}",
                at(*due),
                clock::format_duration(*in_)
            ),
            Promise::Missing => {
                format!("{slug}: the latest update does not say when the next one will come")
            }
        }
    }
}

/// Every open incident whose promise is lapsed, due soon, or missing.
pub fn evaluate(site: &Site, now: Now) -> Vec<Finding<'_>> {
    let default = site.config.default_next_update;
    let mut findings = Vec::new();
    for incident in site.open_incidents() {
        let promise = match incident.next_update_due(default) {
            None => Promise::Missing,
            Some(due) if due <= now => Promise::Lapsed {
                due,
                ago: now - due,
            },
            Some(due) if due - now <= Duration::minutes(DUE_SOON) => Promise::DueSoon {
                due,
                in_: due - now,
            },
            Some(_) => continue,
        };
        findings.push(Finding { incident, promise });
    }
    findings
}
