//! The Statuspage public API (v2) as static JSON files, with its field names
//! and enum values, so that chat bots, aggregators and dashboards that read a
//! Statuspage page read this one unchanged. README documents the mapping.

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::markdown;
use crate::model::{
    ComponentStatus, Impact, Incident, Maintenance, MaintenanceState, Site, State, Subject,
};

/// As Statuspage's `incidents.json`: the most recent 50.
const INCIDENTS: usize = 50;

#[derive(Serialize)]
struct Page<'a> {
    id: String,
    name: &'a str,
    url: String,
    time_zone: &'a str,
    updated_at: String,
}

#[derive(Serialize)]
struct Status {
    indicator: &'static str,
    description: &'static str,
}

#[derive(Serialize)]
struct Component<'a> {
    id: String,
    name: &'a str,
    status: &'static str,
    created_at: Option<String>,
    updated_at: Option<String>,
    position: usize,
    description: Option<&'a str>,
    showcase: bool,
    start_date: Option<String>,
    group_id: Option<String>,
    page_id: &'a str,
    group: bool,
    only_show_if_degraded: bool,
    /// Only on groups: the ids of their components.
    #[serde(skip_serializing_if = "Option::is_none")]
    components: Option<Vec<&'a str>>,
}

#[derive(Serialize)]
struct AffectedComponent<'a> {
    code: &'a str,
    name: &'a str,
    old_status: &'static str,
    new_status: &'static str,
}

#[derive(Serialize)]
struct IncidentUpdate<'a> {
    id: String,
    status: &'static str,
    body: String,
    incident_id: &'a str,
    created_at: String,
    updated_at: String,
    display_at: String,
    affected_components: Option<Vec<AffectedComponent<'a>>>,
    deliver_notifications: bool,
    custom_tweet: Option<String>,
    tweet_id: Option<String>,
}

#[derive(Serialize)]
struct ApiIncident<'a> {
    id: &'a str,
    name: &'a str,
    status: &'static str,
    created_at: String,
    updated_at: String,
    monitoring_at: Option<String>,
    resolved_at: Option<String>,
    impact: &'static str,
    shortlink: String,
    started_at: String,
    page_id: &'a str,
    incident_updates: Vec<IncidentUpdate<'a>>,
    components: Vec<Component<'a>>,
}

/// The newest update of any incident or maintenance: what `statuspost status`
/// asks the published site for, comparing it with the site's `page.updated_at`.
pub(crate) fn latest_update(site: &Site) -> Option<DateTime<Utc>> {
    site.incidents
        .iter()
        .map(|i| i.latest().at)
        .chain(
            site.maintenance
                .iter()
                .flat_map(|m| m.updates.last().map(|u| u.at)),
        )
        .max()
}

/// What `statuspost status` (and `--wait`) asks the published site to serve
/// at least: the newest update; for a site with none, its [`updated_at`].
pub(crate) fn live_stamp(site: &Site, now: DateTime<Utc>) -> DateTime<Utc> {
    latest_update(site).unwrap_or_else(|| updated_at(site, now))
}

/// The API's `page.updated_at`: when its data last changed, as of `now`: the
/// newest update, or a maintenance window starting or ending; for a site with
/// no content yet, midnight today in the site's zone. It moves only with the
/// content, never with the build's clock, so a host that serves a stamp at
/// least as new as an update's time serves that update.
pub(crate) fn updated_at(site: &Site, now: DateTime<Utc>) -> DateTime<Utc> {
    let windows = site
        .maintenance
        .iter()
        .flat_map(|m| [m.starts, m.ends])
        .filter(|&t| t <= now);
    latest_update(site)
        .into_iter()
        .chain(windows)
        .max()
        .unwrap_or_else(|| start_of_day(site, now))
}

/// What the home page's "As of" and "Last updated" say: when the page as
/// shown last changed. That is [`updated_at`], or later: a promised update
/// coming due (the page then says it is overdue), the uptime bars moving on at
/// midnight, and, while an incident is open, its "ongoing for" growing by the
/// minute. So a quiet site never reads as months old above today's bars, an
/// outage's page never contradicts its own durations, and unchanged content
/// on a quiet day builds byte-identical files.
pub(crate) fn shown_at(site: &Site, now: DateTime<Utc>) -> DateTime<Utc> {
    let default = site.config.default_next_update;
    let lapses = site
        .open_incidents()
        .filter_map(|i| i.next_update_due(default))
        .filter(|&t| t <= now);
    let changed = lapses
        .chain([updated_at(site, now), start_of_day(site, now)])
        .max()
        .unwrap_or(now);
    if site.open_incidents().next().is_some() {
        use chrono::DurationRound;
        changed.max(
            now.duration_trunc(chrono::TimeDelta::minutes(1))
                .unwrap_or(now),
        )
    } else {
        changed
    }
}

/// Midnight of `now`'s day in the site's zone.
fn start_of_day(site: &Site, now: DateTime<Utc>) -> DateTime<Utc> {
    let tz = site.config.timezone;
    crate::clock::day_start(crate::clock::local(now, tz).date_naive(), tz)
}

fn time(t: DateTime<Utc>) -> String {
    crate::clock::iso_millis(t)
}

/// Statuspage's names for an incident's state; `verifying` is its `monitoring`.
pub(crate) fn state_name(state: State) -> &'static str {
    match state {
        State::Investigating => "investigating",
        State::Identified => "identified",
        State::Verifying => "monitoring",
        State::Resolved => "resolved",
    }
}

/// The overall indicator and its wording, from the worst open impact.
fn status(site: &Site, now: DateTime<Utc>) -> Status {
    match site.open_incidents().map(Incident::current_impact).max() {
        None if site.overall_status(now) == ComponentStatus::UnderMaintenance => Status {
            indicator: "maintenance",
            description: "Service Under Maintenance",
        },
        None => Status {
            indicator: "none",
            description: "All Systems Operational",
        },
        Some(Impact::Minor) => Status {
            indicator: "minor",
            description: "Partially Degraded Service",
        },
        Some(Impact::Major) => Status {
            indicator: "major",
            description: "Partial System Outage",
        },
        Some(Impact::Critical) => Status {
            indicator: "critical",
            description: "Major System Outage",
        },
    }
}

struct Api<'a> {
    site: &'a Site,
    page_id: String,
    statuses: Vec<ComponentStatus>,
    /// Each component's `created_at` and `updated_at`, from the content.
    dates: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// The page's `updated_at`: see [`updated_at`].
    updated: DateTime<Utc>,
}

/// Statuspage's maintenance statuses have no `cancelled`: a cancelled window
/// is `completed`, and its update's text says it was cancelled.
fn maintenance_status(state: MaintenanceState) -> &'static str {
    match state {
        MaintenanceState::Cancelled => MaintenanceState::Completed.as_str(),
        other => other.as_str(),
    }
}

/// When each component was created (its `since`, else the oldest time in the
/// content) and last changed (the newest update of an incident or window that
/// names it, or a window's start or end that has passed). Content times, never
/// the clock, so unchanged content gives unchanged files.
fn component_dates(site: &Site, now: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let config = &site.config;
    let oldest = site
        .incidents
        .iter()
        .map(|i| i.started_at())
        .chain(
            site.maintenance
                .iter()
                .flat_map(|m| m.updates.first().map(|u| u.at)),
        )
        .min()
        // No content and no `since`: the page's own stamp, never 1970.
        .unwrap_or_else(|| updated_at(site, now));
    (0..config.components.len())
        .map(|c| {
            let created = config.components[c]
                .since
                .map_or(oldest, |day| crate::clock::day_start(day, config.timezone));
            let updated = site
                .incidents
                .iter()
                .filter(|i| i.touches(c))
                .map(|i| i.latest().at)
                .chain(
                    site.maintenance
                        .iter()
                        .filter(|m| m.components.contains(&c))
                        .flat_map(|m| {
                            m.updates
                                .last()
                                .map(|u| u.at)
                                .into_iter()
                                .chain([m.starts, m.ends].into_iter().filter(|&t| t <= now))
                        }),
                )
                .max()
                .map_or(created, |t| t.max(created));
            (created, updated)
        })
        .collect()
}

impl<'a> Api<'a> {
    fn page(&self) -> Page<'a> {
        let c = &self.site.config;
        Page {
            id: self.page_id.clone(),
            name: &c.title,
            url: c.base_url.clone(),
            time_zone: c.timezone.name(),
            updated_at: time(self.updated),
        }
    }

    /// Components and, as Statuspage does, one entry per group listing its members.
    fn components(&'a self) -> Vec<Component<'a>> {
        let config = &self.site.config;
        let mut out = Vec::new();
        let mut groups: Vec<&str> = Vec::new();
        for c in &config.components {
            if let Some(g) = c.group.as_deref() {
                if !groups.contains(&g) {
                    groups.push(g);
                }
            }
        }
        for (i, c) in config.components.iter().enumerate() {
            out.push(self.component(i, c.group.as_deref().map(crate::config::group_id)));
        }
        for (n, g) in groups.iter().enumerate() {
            let members: Vec<usize> = (0..config.components.len())
                .filter(|&i| config.components[i].group.as_deref() == Some(*g))
                .collect();
            let worst = members
                .iter()
                .map(|&i| self.statuses[i])
                .max()
                .unwrap_or(ComponentStatus::Operational);
            let created = members.iter().map(|&i| self.dates[i].0).min();
            let updated = members.iter().map(|&i| self.dates[i].1).max();
            out.push(Component {
                id: crate::config::group_id(g),
                name: g,
                status: worst.as_str(),
                created_at: created.map(time),
                updated_at: updated.map(time),
                position: config.components.len() + n + 1,
                description: None,
                showcase: false,
                start_date: None,
                group_id: None,
                page_id: &self.page_id,
                group: true,
                only_show_if_degraded: false,
                components: Some(
                    members
                        .iter()
                        .map(|&i| config.components[i].id.as_str())
                        .collect(),
                ),
            });
        }
        out
    }

    fn component(&'a self, i: usize, group: Option<String>) -> Component<'a> {
        let c = &self.site.config.components[i];
        Component {
            id: c.id.clone(),
            name: &c.name,
            status: self.statuses[i].as_str(),
            created_at: Some(time(self.dates[i].0)),
            updated_at: Some(time(self.dates[i].1)),
            position: i + 1,
            description: c.description.as_deref(),
            showcase: true,
            start_date: None,
            group_id: group,
            page_id: &self.page_id,
            group: false,
            only_show_if_degraded: false,
            components: None,
        }
    }

    fn incident(&'a self, incident: &'a Incident) -> ApiIncident<'a> {
        let config = &self.site.config;
        let mut updates: Vec<IncidentUpdate<'a>> = incident
            .updates
            .iter()
            .enumerate()
            .map(|(i, u)| {
                let affected = u.components.as_ref().map(|ids| {
                    ids.iter()
                        .map(|&c| AffectedComponent {
                            code: &config.components[c].id,
                            name: &config.components[c].name,
                            old_status: "operational",
                            new_status: if u.state == State::Resolved {
                                "operational"
                            } else {
                                incident.impact_after(i).component_status().as_str()
                            },
                        })
                        .collect()
                });
                IncidentUpdate {
                    id: format!("{}-{}", incident.slug, u.anchor),
                    status: state_name(u.state),
                    body: markdown::to_text(&u.body),
                    incident_id: &incident.slug,
                    created_at: time(u.at),
                    updated_at: time(u.at),
                    display_at: time(u.at),
                    affected_components: affected,
                    deliver_notifications: true,
                    custom_tweet: None,
                    tweet_id: None,
                }
            })
            .collect();
        // Statuspage lists updates newest first.
        updates.reverse();
        let monitoring_at = incident
            .updates
            .iter()
            .find(|u| u.state == State::Verifying)
            .map(|u| time(u.at));
        ApiIncident {
            id: &incident.slug,
            name: &incident.title,
            status: state_name(incident.state()),
            created_at: time(incident.started_at()),
            updated_at: time(incident.latest().at),
            monitoring_at,
            resolved_at: incident.resolved_at().map(time),
            impact: incident.peak_impact().as_str(),
            shortlink: format!("{}/incidents/{}/", config.base_url, incident.slug),
            started_at: time(incident.started_at()),
            page_id: &self.page_id,
            incident_updates: updates,
            components: incident
                .all_components()
                .into_iter()
                .map(|c| {
                    self.component(
                        c,
                        config.components[c]
                            .group
                            .as_deref()
                            .map(crate::config::group_id),
                    )
                })
                .collect(),
        }
    }
}

/// A scheduled maintenance, as Statuspage's `scheduled_maintenances` entries.
#[derive(Serialize)]
struct ApiMaintenance<'a> {
    id: &'a str,
    name: &'a str,
    status: &'static str,
    created_at: String,
    updated_at: String,
    monitoring_at: Option<String>,
    resolved_at: Option<String>,
    impact: &'static str,
    shortlink: String,
    started_at: String,
    page_id: &'a str,
    scheduled_for: String,
    scheduled_until: String,
    incident_updates: Vec<IncidentUpdate<'a>>,
    components: Vec<Component<'a>>,
}

impl<'a> Api<'a> {
    fn maintenance(&'a self, m: &'a Maintenance, now: DateTime<Utc>) -> ApiMaintenance<'a> {
        let config = &self.site.config;
        let state = m.state_at(now);
        let mut updates: Vec<IncidentUpdate<'a>> = m
            .updates
            .iter()
            .map(|u| IncidentUpdate {
                id: format!("{}-{}", m.slug, u.anchor),
                status: maintenance_status(u.state),
                body: {
                    let body = markdown::to_text(&u.body);
                    if u.state == MaintenanceState::Cancelled
                        && !body.to_lowercase().contains("cancel")
                    {
                        format!("Cancelled: {body}")
                    } else {
                        body
                    }
                },
                incident_id: &m.slug,
                created_at: time(u.at),
                updated_at: time(u.at),
                display_at: time(u.at),
                affected_components: None,
                deliver_notifications: true,
                custom_tweet: None,
                tweet_id: None,
            })
            .collect();
        updates.reverse();
        let announced = m.updates.first().map_or(m.starts, |u| u.at);
        let last = m.updates.last().map_or(m.starts, |u| u.at);
        ApiMaintenance {
            id: &m.slug,
            name: &m.title,
            status: maintenance_status(state),
            created_at: time(announced),
            updated_at: time(last),
            monitoring_at: m
                .updates
                .iter()
                .find(|u| u.state == MaintenanceState::Verifying)
                .map(|u| time(u.at)),
            resolved_at: state
                .is_final()
                .then(|| time(m.worked(now).map_or(last, |(_, end)| end))),
            impact: "maintenance",
            shortlink: format!("{}/maintenance/{}/", config.base_url, m.slug),
            // As Statuspage: when the window was first posted.
            started_at: time(announced),
            page_id: &self.page_id,
            scheduled_for: time(m.starts),
            scheduled_until: time(m.ends),
            incident_updates: updates,
            components: m
                .components
                .iter()
                .map(|&c| {
                    self.component(
                        c,
                        config.components[c]
                            .group
                            .as_deref()
                            .map(crate::config::group_id),
                    )
                })
                .collect(),
        }
    }
}

impl<'a> Api<'a> {
    fn new(site: &'a Site, now: DateTime<Utc>) -> Api<'a> {
        // FNV-1a of the address: the same page id from every build, release and machine.
        let page_id = site
            .config
            .base_url
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
        Api {
            site,
            page_id: format!("{page_id:016x}")[..12].to_string(),
            statuses: site.component_statuses(now),
            dates: component_dates(site, now),
            updated: updated_at(site, now),
        }
    }
}

/// `api/v2/*.json`: path and bytes.
pub(crate) fn files(site: &Site, now: DateTime<Utc>) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let api = Api::new(site, now);
    let page = api.page();
    let status = status(site, now);
    let maintenance = |keep: &dyn Fn(MaintenanceState) -> bool| -> Vec<ApiMaintenance<'_>> {
        site.maintenance
            .iter()
            .filter(|m| keep(m.state_at(now)))
            .map(|m| api.maintenance(m, now))
            .collect()
    };
    let upcoming = maintenance(&|s| s == MaintenanceState::Scheduled);
    let active = maintenance(&|s| s.is_active());
    let current = maintenance(&|s| s == MaintenanceState::Scheduled || s.is_active());
    let recent_maintenance: Vec<ApiMaintenance<'_>> = site
        .maintenance
        .iter()
        .take(INCIDENTS)
        .map(|m| api.maintenance(m, now))
        .collect();
    let recent: Vec<ApiIncident<'_>> = site
        .incidents
        .iter()
        .take(INCIDENTS)
        .map(|i| api.incident(i))
        .collect();
    let unresolved: Vec<ApiIncident<'_>> = site.open_incidents().map(|i| api.incident(i)).collect();
    let json = |value: serde_json::Value| -> anyhow::Result<Vec<u8>> {
        let mut out = serde_json::to_vec_pretty(&value)?;
        out.push(b'\n');
        Ok(out)
    };
    Ok(vec![
        (
            "api/v2/status.json".into(),
            json(serde_json::json!({ "page": page, "status": status }))?,
        ),
        (
            "api/v2/components.json".into(),
            json(serde_json::json!({ "page": page, "components": api.components() }))?,
        ),
        (
            "api/v2/incidents.json".into(),
            json(serde_json::json!({ "page": page, "incidents": recent }))?,
        ),
        (
            "api/v2/incidents/unresolved.json".into(),
            json(serde_json::json!({ "page": page, "incidents": unresolved }))?,
        ),
        (
            "api/v2/summary.json".into(),
            json(serde_json::json!({
                "page": page,
                "components": api.components(),
                "incidents": unresolved,
                "scheduled_maintenances": current,
                "status": status,
            }))?,
        ),
        (
            "api/v2/scheduled-maintenances.json".into(),
            json(
                serde_json::json!({ "page": page, "scheduled_maintenances": recent_maintenance }),
            )?,
        ),
        (
            "api/v2/scheduled-maintenances/upcoming.json".into(),
            json(serde_json::json!({ "page": page, "scheduled_maintenances": upcoming }))?,
        ),
        (
            "api/v2/scheduled-maintenances/active.json".into(),
            json(serde_json::json!({ "page": page, "scheduled_maintenances": active }))?,
        ),
    ])
}

/// What one update does to the components its incident or window names: the
/// status each had before it and after it, for those it changed, in config order.
type Changes = Vec<(usize, ComponentStatus, ComponentStatus)>;

fn changes(before: &[(usize, ComponentStatus)], after: &[(usize, ComponentStatus)]) -> Changes {
    let status = |list: &[(usize, ComponentStatus)], c: usize| {
        list.iter()
            .find(|(i, _)| *i == c)
            .map_or(ComponentStatus::Operational, |(_, s)| *s)
    };
    let mut ids: Vec<usize> = before.iter().chain(after).map(|(c, _)| *c).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .map(|c| (c, status(before, c), status(after, c)))
        .filter(|(_, old, new)| old != new)
        .collect()
}

/// The statuses an incident gives its components once the update at `index` is out.
fn incident_statuses(incident: &Incident, index: usize) -> Vec<(usize, ComponentStatus)> {
    let status = if incident.updates[index].state == State::Resolved {
        ComponentStatus::Operational
    } else {
        incident.impact_after(index).component_status()
    };
    incident
        .components_after(index)
        .iter()
        .map(|&c| (c, status))
        .collect()
}

fn maintenance_statuses(m: &Maintenance, index: usize) -> Vec<(usize, ComponentStatus)> {
    let status = if m.updates[index].state.is_active() {
        ComponentStatus::UnderMaintenance
    } else {
        ComponentStatus::Operational
    };
    m.components.iter().map(|&c| (c, status)).collect()
}

/// The body Statuspage POSTs to a webhook subscriber for one update:
/// `meta`, `page` with its status, the `incident` as it stood after this
/// update (so its newest `incident_updates` entry is this one), and, when the
/// update changed a component's status, `component_update` and `component` for
/// the first such component (every change is in the update's
/// `affected_components`). A maintenance update is sent, as Statuspage does,
/// as an `incident` with `impact` "maintenance" and the window's
/// `scheduled_for` and `scheduled_until`.
///
/// Everything in it is as of the update's own time, the page included: a
/// payload sent late (a retry, a delayed run) still tells what that update
/// told, not how the page looks by the time it is sent.
pub(crate) fn webhook(
    site: &Site,
    subject: Subject<'_>,
    index: usize,
) -> anyhow::Result<serde_json::Value> {
    let statuses = |i: usize| match subject {
        Subject::Incident(incident) => incident_statuses(incident, i),
        Subject::Maintenance(m) => maintenance_statuses(m, i),
    };
    let before = if index == 0 {
        Vec::new()
    } else {
        statuses(index - 1)
    };
    let changes = changes(&before, &statuses(index));
    // The site as it stood once this update was out: later updates of the same
    // minute are left out of its own subject too.
    let at = subject_at(subject, index);
    let mut then = super::as_of(site, at).into_owned();
    let slug = match subject {
        Subject::Incident(incident) => {
            let mut upto = Incident::clone(incident);
            upto.updates.truncate(index + 1);
            if let Some(i) = then.incidents.iter_mut().find(|i| i.slug == incident.slug) {
                *i = std::sync::Arc::new(upto);
            }
            &incident.slug
        }
        Subject::Maintenance(m) => {
            let mut upto = m.clone();
            upto.updates.truncate(index + 1);
            if let Some(w) = then.maintenance.iter_mut().find(|w| w.slug == m.slug) {
                *w = upto;
            }
            &m.slug
        }
    };
    let api = Api::new(&then, at);
    let (body, anchor) = match subject {
        Subject::Incident(_) => {
            let i = then.incidents.iter().find(|i| &i.slug == slug);
            let i = i.context("an incident is on its own page")?;
            (serde_json::to_value(api.incident(i))?, &i.latest().anchor)
        }
        Subject::Maintenance(_) => {
            let m = then.maintenance.iter().find(|m| &m.slug == slug);
            let m = m.context("a window is on its own page")?;
            let u = m.updates.last().context("a window has the update sent")?;
            (serde_json::to_value(api.maintenance(m, at))?, &u.anchor)
        }
    };
    webhook_body(&api, body, &format!("{slug}-{anchor}"), at, changes)
}

fn subject_at(subject: Subject<'_>, index: usize) -> DateTime<Utc> {
    match subject {
        Subject::Incident(i) => i.updates[index].at,
        Subject::Maintenance(m) => m.updates[index].at,
    }
}

fn webhook_body(
    api: &Api<'_>,
    incident: serde_json::Value,
    update_id: &str,
    at: DateTime<Utc>,
    changes: Changes,
) -> anyhow::Result<serde_json::Value> {
    let config = &api.site.config;
    let status = status(api.site, at);
    let mut body = serde_json::json!({
        "meta": {
            // There is no per-subscriber address to unsubscribe at: the page is the place.
            "unsubscribe": format!("{}/", config.base_url),
            "documentation": format!("{}/api/v2/summary.json", config.base_url),
        },
        "page": {
            "id": api.page_id,
            "status_indicator": status.indicator,
            "status_description": status.description,
        },
        "incident": incident,
    });
    if let Some(&(c, old, new)) = changes.first() {
        let component = &config.components[c];
        body["component_update"] = serde_json::json!({
            "id": format!("{update_id}-{}", component.id),
            "component_id": component.id,
            "created_at": time(at),
            "old_status": old.as_str(),
            "new_status": new.as_str(),
        });
        body["component"] = serde_json::json!({
            "id": component.id,
            "name": component.name,
            "status": new.as_str(),
            "created_at": serde_json::Value::Null,
        });
    }
    Ok(body)
}
