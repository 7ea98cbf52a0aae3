//! `statuspost announce`: every update not yet announced, sent to the channels
//! of `[[announce]]`, each exactly once.
//!
//! The stages, in order: [`channel`] reads the config; [`plan`] decides, from
//! the site, the state file ([`ledger`]) and "now", what each channel is owed;
//! [`message`] renders every message before anything is sent (a template that
//! fails sends nothing); [`deliver`] sends them, and each outcome is written to
//! the state file the moment it is known. A channel that fails stops only
//! itself: its unsent updates are marked for the next run, the others go on.

pub(crate) mod deliver;
pub(crate) mod ledger;
pub(crate) mod message;
pub(crate) mod plan;

use anyhow::Context as _;
use chrono::{DateTime, Utc};

use deliver::{Env, Envelope, Failure};
use ledger::{Ledger, Mark};
use message::Message;
use plan::{Action, Planned};

use crate::model::Site;
use crate::templates::Templates;

/// Renders the message of every planned send (`None` for the updates only recorded).
pub(crate) fn render_all(
    site: &Site,
    planned: &[Planned<'_>],
    templates: &Templates,
) -> anyhow::Result<Vec<Option<Message>>> {
    planned
        .iter()
        .map(|p| match p.action {
            Action::Send => {
                message::render(site, &site.config.announce[p.channel], &p.item, templates)
                    .map(Some)
            }
            Action::Skip => Ok(None),
        })
        .collect()
}

/// What happened to one planned update, as it happens.
pub(crate) enum Event<'a> {
    Sent {
        channel: &'a str,
        update: &'a str,
    },
    /// Updates recorded without sending: older than the channel's window.
    Skipped {
        channel: &'a str,
        count: usize,
        window: chrono::Duration,
    },
    /// Its failure is reported once per channel, at the end of the run.
    Failed {
        channel: &'a str,
        update: &'a str,
    },
    /// Not tried because the channel failed earlier in this run; sent on the next.
    Postponed {
        channel: &'a str,
        update: &'a str,
    },
}

/// A channel that failed in this run.
pub(crate) struct ChannelFailure {
    pub channel: String,
    pub failure: Failure,
    /// Updates left for the next run, the failed one included.
    pub unsent: usize,
}

#[derive(Default)]
pub(crate) struct Report {
    pub sent: usize,
    pub skipped: usize,
    pub failures: Vec<ChannelFailure>,
}

/// Sends what `planned` says with the `messages` from [`render_all`], recording
/// each outcome in `ledger` before the next send. An error is the state file
/// failing to be written: then nothing more is sent.
pub(crate) fn deliver_all(
    site: &Site,
    planned: &[Planned<'_>],
    messages: &[Option<Message>],
    ledger: &mut Ledger,
    now: DateTime<Utc>,
    env: Env<'_>,
    on_event: &mut dyn FnMut(Event<'_>),
) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let host = site
        .config
        .base_url
        .split_once("://")
        .map_or(site.config.base_url.as_str(), |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or("statuspost")
        .to_string();
    // History is recorded in one write: a first run on a large site skips thousands.
    let skipped: Vec<(&str, String)> = planned
        .iter()
        .filter(|p| p.action == Action::Skip)
        .map(|p| (site.config.announce[p.channel].name.as_str(), p.item.id()))
        .collect();
    ledger.record_all(
        skipped
            .iter()
            .map(|(name, update)| (*name, update.as_str(), Mark::Skipped(now))),
    )?;
    report.skipped = skipped.len();
    for channel in &site.config.announce {
        let count = skipped.iter().filter(|(n, _)| *n == channel.name).count();
        if count > 0 {
            on_event(Event::Skipped {
                channel: &channel.name,
                count,
                window: channel.window,
            });
        }
    }
    for (p, message) in planned.iter().zip(messages) {
        let channel = &site.config.announce[p.channel];
        let update = p.item.id();
        let name = channel.name.as_str();
        let failed = report.failures.iter_mut().find(|f| f.channel == name);
        match (p.action, message, failed) {
            (Action::Skip, _, _) => {}
            (Action::Send, _, Some(failure)) => {
                ledger.record(name, &update, Mark::Retry(now))?;
                failure.unsent += 1;
                on_event(Event::Postponed {
                    channel: name,
                    update: &update,
                });
            }
            (Action::Send, Some(message), None) => {
                let envelope = Envelope {
                    channel,
                    message_id: message_id(name, &update, &host),
                    date: now.into(),
                };
                match deliver::send(&envelope, message, env) {
                    Ok(()) => {
                        ledger
                            .record(name, &update, Mark::Sent(now))
                            .with_context(|| {
                                format!(
                                    "{update} was sent to `{name}` but could not be recorded: \
                                     fix the state file's folder before the next run, or it is sent again"
                                )
                            })?;
                        report.sent += 1;
                        on_event(Event::Sent {
                            channel: name,
                            update: &update,
                        });
                    }
                    Err(failure) => {
                        ledger.record(name, &update, Mark::Retry(now))?;
                        on_event(Event::Failed {
                            channel: name,
                            update: &update,
                        });
                        report.failures.push(ChannelFailure {
                            channel: name.to_string(),
                            failure,
                            unsent: 1,
                        });
                    }
                }
            }
            (Action::Send, None, None) => {
                anyhow::bail!("internal error: no message rendered for {update}")
            }
        }
    }
    Ok(report)
}

/// `<slack.incidents.2026-11-22-api-errors.investigating-20261122T1405Z@status.example.com>`
fn message_id(channel: &str, update: &str, host: &str) -> String {
    let local: String = format!("{channel}.{update}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') {
                c
            } else {
                '.'
            }
        })
        .collect();
    let host: String = host
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
        .collect();
    format!("<{local}@{host}>")
}
