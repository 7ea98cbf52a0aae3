//! The state file, `.statuspost/announced.toml`: what has been sent where.
//!
//! One line per update and channel, sorted, so that it reads well in a diff
//! and two branches that announced different updates merge without conflict:
//!
//! ```toml
//! "slack incidents/2026-11-22-api-errors#investigating-20261122T1405Z" = "sent 2026-11-22T14:06:12Z"
//! ```
//!
//! It holds channel names and update ids only: never an address or a credential.
//! Every change is written at once, through a temporary file and a rename, so a
//! run that dies mid-way has recorded every send that finished before it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Source;

/// Relative to the site root.
pub(crate) const PATH: &str = ".statuspost/announced.toml";

const HEADER: &str = "\
# Written by `statuspost announce`: the updates already announced, one line per
# update and channel. Commit it with the content: an update listed here is never
# sent to that channel again. `retry` lines are sent on the next run.
";

/// What happened to one update on one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// Delivered: the receiver accepted it.
    Sent(DateTime<Utc>),
    /// Older than the channel's window when first seen: recorded so it is never sent.
    Skipped(DateTime<Utc>),
    /// A send failed (or was not tried after one did): sent on the next run whatever its age.
    Retry(DateTime<Utc>),
}

impl Mark {
    fn word(self) -> &'static str {
        match self {
            Mark::Sent(_) => "sent",
            Mark::Skipped(_) => "skipped",
            Mark::Retry(_) => "retry",
        }
    }

    fn time(self) -> DateTime<Utc> {
        match self {
            Mark::Sent(t) | Mark::Skipped(t) | Mark::Retry(t) => t,
        }
    }

    /// Whether the update is done with on that channel.
    pub(crate) fn is_final(self) -> bool {
        !matches!(self, Mark::Retry(_))
    }

    fn parse(text: &str) -> Option<Mark> {
        let (word, time) = text.split_once(' ')?;
        let time = DateTime::parse_from_rfc3339(time.trim()).ok()?.to_utc();
        Some(match word {
            "sent" => Mark::Sent(time),
            "skipped" => Mark::Skipped(time),
            "retry" => Mark::Retry(time),
            _ => return None,
        })
    }
}

impl std::fmt::Display for Mark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}",
            self.word(),
            self.time().to_rfc3339_opts(SecondsFormat::Secs, true)
        )
    }
}

/// The state file, in memory; [`Ledger::record`] writes it back.
#[derive(Debug)]
pub(crate) struct Ledger {
    path: PathBuf,
    marks: BTreeMap<String, Mark>,
}

fn key(channel: &str, update: &str) -> String {
    format!("{channel} {update}")
}

impl Ledger {
    /// Reads the state file under `root`; a missing one is empty. A file that
    /// is not what this writes (a merge conflict left in it, a hand edit) is
    /// reported with its line and column.
    pub(crate) fn load(root: &Path) -> Result<Ledger, Vec<Diagnostic>> {
        let path = root.join(PATH);
        let shown = crate::fs::display_path(root, Path::new(PATH));
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Ledger {
                    path,
                    marks: BTreeMap::new(),
                })
            }
            Err(e) => {
                return Err(vec![Diagnostic::file(
                    Severity::Error,
                    shown,
                    0,
                    0,
                    format!("cannot read the announce state file: {e}"),
                )])
            }
        };
        let source = Source::decode(&shown, bytes).map_err(|e| {
            vec![Diagnostic::file(
                Severity::Error,
                shown.clone(),
                e.line,
                e.col,
                e.message,
            )]
        })?;
        let help = "each line is `\"CHANNEL UPDATE\" = \"sent|skipped|retry TIME\"`; after a merge conflict keep the lines of both sides";
        let table: toml::de::DeTable<'_> = toml::de::DeTable::parse(&source.text)
            .map_err(|e| {
                vec![Diagnostic::error(
                    &source,
                    e.span().unwrap_or(0..0),
                    format!(
                        "the announce state file is not valid TOML: {}",
                        e.message().trim_end()
                    ),
                )
                .with_help(help)]
            })?
            .into_inner();
        let mut marks = BTreeMap::new();
        let mut diags = Vec::new();
        for (k, v) in table.iter() {
            let mark = match v.as_ref() {
                toml::de::DeValue::String(s) => Mark::parse(s),
                _ => None,
            };
            match mark {
                Some(mark) if k.as_ref().contains(' ') => {
                    marks.insert(k.as_ref().to_string(), mark);
                }
                _ => diags.push(
                    Diagnostic::error(
                        &source,
                        k.span(),
                        "a line the announce state file does not hold",
                    )
                    .with_help(help),
                ),
            }
        }
        if diags.is_empty() {
            Ok(Ledger { path, marks })
        } else {
            Err(diags)
        }
    }

    pub(crate) fn get(&self, channel: &str, update: &str) -> Option<Mark> {
        self.marks.get(&key(channel, update)).copied()
    }

    /// Records one mark and writes the file, before anything else is sent.
    pub(crate) fn record(&mut self, channel: &str, update: &str, mark: Mark) -> anyhow::Result<()> {
        self.record_all([(channel, update, mark)])
    }

    /// Records marks and writes the file once; nothing is written for none.
    pub(crate) fn record_all<'a>(
        &mut self,
        marks: impl IntoIterator<Item = (&'a str, &'a str, Mark)>,
    ) -> anyhow::Result<()> {
        let mut any = false;
        for (channel, update, mark) in marks {
            self.marks.insert(key(channel, update), mark);
            any = true;
        }
        if !any {
            return Ok(());
        }
        crate::output::write_atomic(&self.path, self.to_text().as_bytes())
    }

    fn to_text(&self) -> String {
        let mut out = String::from(HEADER);
        for (k, mark) in &self.marks {
            // Slugs are file names: quotes and backslashes are possible, so toml quotes the key.
            out.push_str(&toml::Value::String(k.clone()).to_string());
            out.push_str(" = \"");
            out.push_str(&mark.to_string());
            out.push_str("\"\n");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::load(dir.path()).unwrap();
        let t = DateTime::parse_from_rfc3339("2026-11-22T14:06:12Z")
            .unwrap()
            .to_utc();
        ledger
            .record("slack", "incidents/a \"b\"#investigating-1", Mark::Sent(t))
            .unwrap();
        ledger
            .record("email", "maintenance/x#scheduled-2", Mark::Retry(t))
            .unwrap();
        let again = Ledger::load(dir.path()).unwrap();
        assert_eq!(
            again.get("slack", "incidents/a \"b\"#investigating-1"),
            Some(Mark::Sent(t))
        );
        assert_eq!(
            again.get("email", "maintenance/x#scheduled-2"),
            Some(Mark::Retry(t))
        );
        let text = std::fs::read_to_string(dir.path().join(PATH)).unwrap();
        assert!(
            text.lines()
                .last()
                .unwrap()
                .contains("slack incidents/a \"b\"#investigating-1"),
            "sorted, one line each: {text}"
        );
    }

    #[test]
    fn a_merge_conflict_is_reported_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".statuspost")).unwrap();
        std::fs::write(
            dir.path().join(PATH),
            "\"slack a#b\" = \"sent 2026-11-22T14:06:12Z\"\n<<<<<<< HEAD\n",
        )
        .unwrap();
        let diags = Ledger::load(dir.path()).unwrap_err();
        assert_eq!(diags[0].line, 2, "{diags:?}");
    }
}
