//! The site as data: configuration, components, incidents and their updates.
//! Pure data and the facts derived from it; no I/O, no clock.

pub mod channel;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

/// Where an incident stands. The incident's state is its latest update's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    Investigating,
    Identified,
    Verifying,
    Resolved,
}

impl State {
    /// The names authors write; `monitoring` is Statuspage's name for `verifying`.
    pub const NAMES: [&'static str; 4] = ["investigating", "identified", "verifying", "resolved"];

    pub fn parse(name: &str) -> Option<State> {
        Some(match name {
            "investigating" => State::Investigating,
            "identified" => State::Identified,
            "verifying" | "monitoring" => State::Verifying,
            "resolved" => State::Resolved,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::Investigating => "investigating",
            State::Identified => "identified",
            State::Verifying => "verifying",
            State::Resolved => "resolved",
        }
    }

    /// How readers see it, in a feed title or a page label.
    pub fn label(self) -> &'static str {
        match self {
            State::Investigating => "Investigating",
            State::Identified => "Identified",
            State::Verifying => "Verifying",
            State::Resolved => "Resolved",
        }
    }
}

/// How badly customers are affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Impact {
    Minor,
    Major,
    Critical,
}

impl Impact {
    pub const NAMES: [&'static str; 3] = ["minor", "major", "critical"];

    pub fn parse(name: &str) -> Option<Impact> {
        Some(match name {
            "minor" => Impact::Minor,
            "major" => Impact::Major,
            "critical" => Impact::Critical,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Impact::Minor => "minor",
            Impact::Major => "major",
            Impact::Critical => "critical",
        }
    }

    /// What an open incident of this impact does to the components it names.
    pub fn component_status(self) -> ComponentStatus {
        match self {
            Impact::Minor => ComponentStatus::DegradedPerformance,
            Impact::Major => ComponentStatus::PartialOutage,
            Impact::Critical => ComponentStatus::MajorOutage,
        }
    }
}

/// A component's current status, worst last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ComponentStatus {
    Operational,
    /// A maintenance window naming it is in progress; any incident outranks it.
    UnderMaintenance,
    DegradedPerformance,
    PartialOutage,
    MajorOutage,
}

impl ComponentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentStatus::Operational => "operational",
            ComponentStatus::UnderMaintenance => "under_maintenance",
            ComponentStatus::DegradedPerformance => "degraded_performance",
            ComponentStatus::PartialOutage => "partial_outage",
            ComponentStatus::MajorOutage => "major_outage",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ComponentStatus::Operational => "Operational",
            ComponentStatus::UnderMaintenance => "Under maintenance",
            ComponentStatus::DegradedPerformance => "Degraded performance",
            ComponentStatus::PartialOutage => "Partial outage",
            ComponentStatus::MajorOutage => "Major outage",
        }
    }

    /// Its colour, as `rrggbb`: the badge's and the home page icon's (the
    /// light theme's colours of `templates/style.css`).
    pub fn colour(self) -> &'static str {
        match self {
            ComponentStatus::Operational => "1a7f37",
            ComponentStatus::UnderMaintenance => "0969da",
            ComponentStatus::DegradedPerformance => "9a6700",
            ComponentStatus::PartialOutage => "bc4c00",
            ComponentStatus::MajorOutage => "cf222e",
        }
    }

    /// The banner across the top of the page, for the worst status anywhere.
    pub fn banner(self) -> &'static str {
        match self {
            ComponentStatus::Operational => "All systems operational",
            ComponentStatus::UnderMaintenance => "Maintenance in progress",
            ComponentStatus::DegradedPerformance => "Degraded performance",
            ComponentStatus::PartialOutage => "Partial outage",
            ComponentStatus::MajorOutage => "Major outage",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Contact {
    pub email: Option<String>,
    pub url: Option<String>,
}

/// `[subscribe]`: where else readers can follow the site.
#[derive(Debug, Clone, Default)]
pub struct Subscribe {
    pub mailing_list: Option<String>,
    pub chat: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Component {
    pub id: String,
    pub name: String,
    pub group: Option<String>,
    pub description: Option<String>,
    /// Where the component itself lives, so `check` can tell whether the
    /// status page depends on the same domain.
    pub url: Option<String>,
    /// The first day the component existed: earlier days are not counted in its uptime.
    pub since: Option<chrono::NaiveDate>,
}

/// `statuspost.toml`.
#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    /// Without a trailing slash.
    pub base_url: String,
    pub timezone: Tz,
    pub description: Option<String>,
    pub default_next_update: Option<Duration>,
    pub contact: Contact,
    pub components: Vec<Component>,
    /// Domains the product runs on, which the status page must not depend on.
    pub primary_domains: Vec<String>,
    /// The words readers see, in the site's `language`.
    pub strings: std::sync::Arc<crate::i18n::Strings>,
    /// Where `statuspost announce` sends updates: `[[announce]]` entries.
    pub announce: Vec<channel::Channel>,
    /// Where the site is published and how `--publish` reaches readers: `[publish]`.
    pub publish: Publish,
    pub subscribe: Subscribe,
    /// A hash of the config file's text: pages built from the same config and content are the same.
    pub fingerprint: u64,
    /// The moment a demo site depicts (`demo_now`): "now" for previews, refused by every
    /// command that reaches customers or stamps real times.
    pub demo_now: Option<DateTime<Utc>>,
    /// Where values are written in the config file, for findings made after loading.
    pub spans: Spans,
}

/// The `[publish]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publish {
    /// The repository the host deploys from, as `git push` takes it.
    pub git: Option<String>,
    pub branch: String,
    /// How `--publish` reaches readers when the command line does not say.
    pub via: PublishVia,
}

impl Default for Publish {
    fn default() -> Self {
        Publish {
            git: None,
            branch: "gh-pages".to_string(),
            via: PublishVia::Push,
        }
    }
}

/// How an update posted with `--publish` reaches readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishVia {
    /// Commit and push the content; CI builds, publishes and announces.
    Push,
    /// Also build, publish and announce from this machine, for when CI or the git host is down.
    Direct,
}

impl Config {
    pub fn component_index(&self, id: &str) -> Option<usize> {
        self.components.iter().position(|c| c.id == id)
    }
}

/// One update block of an incident file.
#[derive(Debug, Clone)]
pub struct Update {
    pub state: State,
    pub at: DateTime<Utc>,
    /// When the next update was promised, if this update promised one.
    pub next_update: Option<DateTime<Utc>>,
    /// Set when this update changes the incident's impact from here on.
    pub impact: Option<Impact>,
    /// Set when this update changes the affected components from here on (indexes into `Config::components`).
    pub components: Option<Vec<usize>>,
    /// The author's markdown, exactly as written (surrounding blank lines trimmed).
    pub body: String,
    /// 1-based line of the block's opening `+++`.
    pub line: usize,
    /// 1-based line where `body` starts in the file.
    pub body_line: usize,
    /// A fragment id unique within the incident that does not change when other updates are added.
    pub anchor: String,
}

impl Update {
    /// When this update said the next would come: its own `next_update`, else
    /// the site's default cadence. A resolved update promises nothing.
    pub fn promise(&self, default: Option<Duration>) -> Option<DateTime<Utc>> {
        if self.state == State::Resolved {
            return None;
        }
        self.next_update.or_else(|| default.map(|d| self.at + d))
    }
}

/// One incident file.
#[derive(Debug, Clone)]
pub struct Incident {
    /// The file name without `.md`: the permalink.
    pub slug: String,
    /// The file, relative to the site root, for messages.
    pub path: std::path::PathBuf,
    pub title: String,
    /// Impact as declared in the incident block.
    pub impact: Impact,
    /// Components as declared in the incident block (indexes into `Config::components`).
    pub components: Vec<usize>,
    /// Markdown after the incident block: a summary or postmortem.
    pub summary: String,
    /// 1-based line where `summary` starts in the file.
    pub summary_line: usize,
    /// Never empty; ordered by `at`, ties kept in file order.
    pub updates: Vec<Update>,
    /// A hash of the file's text, to know when its page must be rendered again.
    pub fingerprint: u64,
}

impl Incident {
    pub fn latest(&self) -> &Update {
        self.updates
            .last()
            .expect("an incident always has an update")
    }

    pub fn state(&self) -> State {
        self.latest().state
    }

    pub fn is_open(&self) -> bool {
        self.state() != State::Resolved
    }

    pub fn started_at(&self) -> DateTime<Utc> {
        self.updates[0].at
    }

    pub fn resolved_at(&self) -> Option<DateTime<Utc>> {
        (!self.is_open()).then(|| self.latest().at)
    }

    pub fn duration(&self) -> Option<Duration> {
        self.resolved_at().map(|end| end - self.started_at())
    }

    /// Impact in force after the update at `index`: the last one set at or before it.
    pub fn impact_after(&self, index: usize) -> Impact {
        self.updates[..=index]
            .iter()
            .rev()
            .find_map(|u| u.impact)
            .unwrap_or(self.impact)
    }

    pub fn components_after(&self, index: usize) -> &[usize] {
        self.updates[..=index]
            .iter()
            .rev()
            .find_map(|u| u.components.as_deref())
            .unwrap_or(&self.components)
    }

    pub fn current_impact(&self) -> Impact {
        self.impact_after(self.updates.len() - 1)
    }

    pub fn current_components(&self) -> &[usize] {
        self.components_after(self.updates.len() - 1)
    }

    /// The worst impact the incident ever had: what history shows.
    pub fn peak_impact(&self) -> Impact {
        (0..self.updates.len())
            .map(|i| self.impact_after(i))
            .max()
            .unwrap_or(self.impact)
    }

    /// Whether the incident ever named component `c`: [`Incident::all_components`]
    /// without the list, for the feeds' filter over every incident.
    pub fn touches(&self, c: usize) -> bool {
        self.components.contains(&c)
            || self
                .updates
                .iter()
                .any(|u| u.components.as_ref().is_some_and(|ids| ids.contains(&c)))
    }

    /// Every component the incident touched at any point.
    pub fn all_components(&self) -> Vec<usize> {
        let mut all: Vec<usize> = self.components.clone();
        for u in &self.updates {
            if let Some(c) = &u.components {
                all.extend(c);
            }
        }
        all.sort_unstable();
        all.dedup();
        all
    }

    /// When the next update is due: the latest update's promise, else the
    /// site's default cadence. `None` once resolved or when nothing was promised.
    pub fn next_update_due(&self, default: Option<Duration>) -> Option<DateTime<Utc>> {
        self.latest().promise(default)
    }

    /// The promised time of the next update when it has come (as `check`
    /// counts a lapse: at or after it) and no newer update exists.
    pub fn overdue(&self, default: Option<Duration>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.next_update_due(default).filter(|&due| due <= now)
    }
}

/// Everything a build needs, loaded and validated.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: Config,
    /// Newest first: by start time, then slug. Shared with `watch`'s cache of
    /// parsed files, so that a rebuild does not copy every incident.
    pub incidents: Vec<std::sync::Arc<Incident>>,
    /// Latest window first: by start, then slug.
    pub maintenance: Vec<Maintenance>,
}

impl Site {
    /// Sorts incidents newest first; one sort, so ten thousand incidents stay cheap.
    pub fn new(
        config: Config,
        mut incidents: Vec<std::sync::Arc<Incident>>,
        mut maintenance: Vec<Maintenance>,
    ) -> Site {
        incidents.sort_by(|a, b| {
            b.started_at()
                .cmp(&a.started_at())
                .then_with(|| a.slug.cmp(&b.slug))
        });
        maintenance.sort_by(|a, b| b.starts.cmp(&a.starts).then_with(|| a.slug.cmp(&b.slug)));
        Site {
            config,
            incidents,
            maintenance,
        }
    }

    /// Each component's status from the open incidents that name it, and the
    /// maintenance windows in progress at `now`.
    pub fn component_statuses(&self, now: DateTime<Utc>) -> Vec<ComponentStatus> {
        let mut statuses = vec![ComponentStatus::Operational; self.config.components.len()];
        for m in self
            .maintenance
            .iter()
            .filter(|m| m.state_at(now).is_active())
        {
            for &c in &m.components {
                statuses[c] = statuses[c].max(ComponentStatus::UnderMaintenance);
            }
        }
        for incident in self.incidents.iter().filter(|i| i.is_open()) {
            let status = incident.current_impact().component_status();
            for &c in incident.current_components() {
                statuses[c] = statuses[c].max(status);
            }
        }
        statuses
    }

    /// The banner's status: the worst impact of any open incident, else
    /// maintenance in progress, else all operational.
    pub fn overall_status(&self, now: DateTime<Utc>) -> ComponentStatus {
        let maintenance = self
            .maintenance
            .iter()
            .any(|m| m.state_at(now).is_active())
            .then_some(ComponentStatus::UnderMaintenance);
        self.incidents
            .iter()
            .filter(|i| i.is_open())
            .map(|i| i.current_impact().component_status())
            .chain(maintenance)
            .max()
            .unwrap_or(ComponentStatus::Operational)
    }

    pub fn open_incidents(&self) -> impl Iterator<Item = &Incident> {
        self.incidents.iter().map(|i| &**i).filter(|i| i.is_open())
    }
}

/// A stable hash for build fingerprints. `DefaultHasher::new()` uses fixed
/// keys; fingerprints also include the version and the executable's size and
/// time, so a different build of statuspost never trusts pages another wrote.
pub fn fingerprint(parts: &[&[u8]]) -> u64 {
    use std::hash::{Hash, Hasher};
    static EXECUTABLE: std::sync::OnceLock<(u64, Option<std::time::SystemTime>)> =
        std::sync::OnceLock::new();
    let executable = EXECUTABLE.get_or_init(|| {
        std::env::current_exe()
            .and_then(std::fs::metadata)
            .map(|m| (m.len(), m.modified().ok()))
            .unwrap_or((0, None))
    });
    let mut h = std::hash::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    executable.hash(&mut h);
    for part in parts {
        part.hash(&mut h);
    }
    h.finish()
}

/// An update's owner: an incident or a maintenance window.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    Incident(&'a Incident),
    Maintenance(&'a Maintenance),
}

/// Where a maintenance window stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MaintenanceState {
    Scheduled,
    InProgress,
    Verifying,
    Completed,
    Cancelled,
}

impl MaintenanceState {
    pub const NAMES: [&'static str; 5] = [
        "scheduled",
        "in_progress",
        "verifying",
        "completed",
        "cancelled",
    ];

    pub fn parse(name: &str) -> Option<MaintenanceState> {
        Some(match name {
            "scheduled" => MaintenanceState::Scheduled,
            "in_progress" | "in-progress" => MaintenanceState::InProgress,
            "verifying" => MaintenanceState::Verifying,
            "completed" => MaintenanceState::Completed,
            "cancelled" | "canceled" => MaintenanceState::Cancelled,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MaintenanceState::Scheduled => "scheduled",
            MaintenanceState::InProgress => "in_progress",
            MaintenanceState::Verifying => "verifying",
            MaintenanceState::Completed => "completed",
            MaintenanceState::Cancelled => "cancelled",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MaintenanceState::Scheduled => "Scheduled",
            MaintenanceState::InProgress => "In progress",
            MaintenanceState::Verifying => "Verifying",
            MaintenanceState::Completed => "Completed",
            MaintenanceState::Cancelled => "Cancelled",
        }
    }

    /// Whether the work is under way: components show "under maintenance".
    pub fn is_active(self) -> bool {
        matches!(
            self,
            MaintenanceState::InProgress | MaintenanceState::Verifying
        )
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            MaintenanceState::Completed | MaintenanceState::Cancelled
        )
    }
}

/// One update block of a maintenance file.
#[derive(Debug, Clone)]
pub struct MaintenanceUpdate {
    pub state: MaintenanceState,
    pub at: DateTime<Utc>,
    pub next_update: Option<DateTime<Utc>>,
    pub body: String,
    pub line: usize,
    pub body_line: usize,
    pub anchor: String,
}

/// One file in `maintenance/`: planned work in a window.
#[derive(Debug, Clone)]
pub struct Maintenance {
    pub slug: String,
    pub path: std::path::PathBuf,
    pub title: String,
    pub components: Vec<usize>,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    /// Markdown after the first block: what the work is and what customers will notice.
    pub summary: String,
    pub summary_line: usize,
    /// May be empty; ordered by `at`.
    pub updates: Vec<MaintenanceUpdate>,
    pub fingerprint: u64,
}

impl Maintenance {
    /// The state at `now`. A final or in-progress update is the author's word;
    /// otherwise the clock decides: scheduled before `starts`, in progress
    /// inside the window, completed after `ends`.
    pub fn state_at(&self, now: DateTime<Utc>) -> MaintenanceState {
        if let Some(latest) = self.updates.last() {
            if latest.state != MaintenanceState::Scheduled {
                return latest.state;
            }
        }
        if now < self.starts {
            MaintenanceState::Scheduled
        } else if now < self.ends {
            MaintenanceState::InProgress
        } else {
            MaintenanceState::Completed
        }
    }

    /// The interval the components were actually under maintenance (for the
    /// uptime bars): from the start, or an earlier `in_progress` update, to the
    /// end, or a `completed` update; `None` when cancelled.
    pub fn worked(&self, now: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let state = self.state_at(now);
        if state == MaintenanceState::Cancelled {
            return None;
        }
        let start = self
            .updates
            .iter()
            .find(|u| u.state == MaintenanceState::InProgress)
            .map_or(self.starts, |u| u.at.min(self.starts));
        let end = match self
            .updates
            .iter()
            .rev()
            .find(|u| u.state == MaintenanceState::Completed)
        {
            Some(done) => done.at,
            None if state.is_active() => now.max(self.ends),
            None => self.ends,
        };
        Some((start, end.min(now.max(start))))
    }
}

/// Where values were written in the config file, for findings made after
/// loading (`check`'s independence warnings), so that they point at the value
/// without reading the file again. Byte ranges into `source.text`.
#[derive(Debug, Clone)]
pub struct Spans {
    pub source: std::sync::Arc<crate::source::Source>,
    pub base_url: std::ops::Range<usize>,
    pub contact_email: Option<std::ops::Range<usize>>,
    pub contact_url: Option<std::ops::Range<usize>>,
    /// One for each of `Config::primary_domains`, in order.
    pub primary_domains: Vec<std::ops::Range<usize>>,
    /// One for each of `Config::components`, in order: where its `url` is, if it has one.
    pub component_urls: Vec<Option<std::ops::Range<usize>>>,
    pub demo_now: Option<std::ops::Range<usize>>,
}
