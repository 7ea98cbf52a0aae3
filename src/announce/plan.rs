//! What a run of `announce` has to do: for each channel, the updates it has
//! not had yet that pass its filters. Pure: the site, the state file and "now".

use chrono::{DateTime, Utc};

use super::ledger::{Ledger, Mark};
use crate::model::channel::Channel;
use crate::model::{Site, Subject};

/// One update of an incident or a maintenance window.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item<'a> {
    pub subject: Subject<'a>,
    /// Index into the subject's `updates`.
    pub index: usize,
}

impl<'a> Item<'a> {
    /// The id the state file keeps: `incidents/<slug>#<anchor>`; stable while the update's state and time are.
    pub(crate) fn id(&self) -> String {
        match self.subject {
            Subject::Incident(i) => {
                format!("incidents/{}#{}", i.slug, i.updates[self.index].anchor)
            }
            Subject::Maintenance(m) => {
                format!("maintenance/{}#{}", m.slug, m.updates[self.index].anchor)
            }
        }
    }

    pub(crate) fn at(&self) -> DateTime<Utc> {
        match self.subject {
            Subject::Incident(i) => i.updates[self.index].at,
            Subject::Maintenance(m) => m.updates[self.index].at,
        }
    }

    /// The update's state as `states` filters name it.
    pub(crate) fn state_name(&self) -> &'static str {
        match self.subject {
            Subject::Incident(i) => i.updates[self.index].state.as_str(),
            Subject::Maintenance(m) => m.updates[self.index].state.as_str(),
        }
    }

    /// Every component the subject has touched up to this update: whoever was
    /// told a component is down is also told when it is back.
    pub(crate) fn components(&self) -> Vec<usize> {
        match self.subject {
            Subject::Incident(i) => {
                let mut all: Vec<usize> = (0..=self.index)
                    .flat_map(|n| i.components_after(n).iter().copied())
                    .collect();
                all.sort_unstable();
                all.dedup();
                all
            }
            Subject::Maintenance(m) => m.components.clone(),
        }
    }

    pub(crate) fn body(&self) -> &'a str {
        match self.subject {
            Subject::Incident(i) => &i.updates[self.index].body,
            Subject::Maintenance(m) => &m.updates[self.index].body,
        }
    }
}

/// What to do with one update on one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Send,
    /// Older than the channel's window, never announced: record it without sending.
    Skip,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Planned<'a> {
    /// Index into `Config::announce`.
    pub channel: usize,
    pub item: Item<'a>,
    pub action: Action,
}

/// Every update of the site, oldest first. Updates of the same minute go out
/// in the order of their file, as the page lists them (a subject's `updates`
/// already are); between subjects, by path, so every run sends in one order.
fn items(site: &Site) -> Vec<Item<'_>> {
    let mut out: Vec<Item<'_>> = Vec::new();
    for i in &site.incidents {
        out.extend((0..i.updates.len()).map(|index| Item {
            subject: Subject::Incident(i),
            index,
        }));
    }
    for m in &site.maintenance {
        out.extend((0..m.updates.len()).map(|index| Item {
            subject: Subject::Maintenance(m),
            index,
        }));
    }
    fn subject<'a>(it: &Item<'a>) -> (u8, &'a str) {
        match it.subject {
            Subject::Incident(i) => (0, &i.slug),
            Subject::Maintenance(m) => (1, &m.slug),
        }
    }
    out.sort_by(|a, b| (a.at(), subject(a), a.index).cmp(&(b.at(), subject(b), b.index)));
    out
}

pub(crate) fn wants(channel: &Channel, item: &Item<'_>) -> bool {
    let state = item.state_name();
    channel.states.as_ref().is_none_or(|s| s.contains(&state))
        && channel
            .components
            .as_ref()
            .is_none_or(|wanted| item.components().iter().any(|c| wanted.contains(c)))
}

/// For each channel in order, its updates oldest first. Updates dated after
/// `now` wait for a later run; filtered-out updates are not recorded at all.
pub(crate) fn plan<'a>(site: &'a Site, ledger: &Ledger, now: DateTime<Utc>) -> Vec<Planned<'a>> {
    let items = items(site);
    let mut out = Vec::new();
    for (n, channel) in site.config.announce.iter().enumerate() {
        for item in items.iter().filter(|it| it.at() <= now) {
            if !wants(channel, item) {
                continue;
            }
            let action = match ledger.get(&channel.name, &item.id()) {
                Some(mark) if mark.is_final() => continue,
                Some(Mark::Retry(_)) => Action::Send,
                _ if now - item.at() > channel.window => Action::Skip,
                _ => Action::Send,
            };
            out.push(Planned {
                channel: n,
                item: *item,
                action,
            });
        }
    }
    out
}
