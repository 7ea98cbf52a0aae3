//! What templates see: times already formatted in the site's zone, statuses
//! already in words, markdown already rendered. Templates hold no logic.

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::clock;
use crate::i18n::Strings;
use crate::markdown;
use crate::model::{ComponentStatus, Incident, Site};

/// An instant, ready for `<time datetime="{{ t.iso }}">{{ t.full }}</time>`.
#[derive(Serialize, Clone)]
pub(crate) struct TimeView {
    /// UTC, RFC 3339: what `datetime` attributes and machines read.
    pub iso: String,
    /// `22 Nov 2026`
    pub date: String,
    /// `14:05 GMT`
    pub time: String,
    /// `22 Nov 2026, 14:05 GMT`
    pub full: String,
}

impl TimeView {
    pub(crate) fn new(t: DateTime<Utc>, tz: Tz, strings: &Strings) -> TimeView {
        let local = clock::local(t, tz);
        let date = strings.format("date", &local);
        let time = strings.format("time", &local);
        TimeView {
            iso: clock::iso(t),
            full: strings.text("datetime", &[("date", &date), ("time", &time)]),
            date,
            time,
        }
    }
}

#[derive(Serialize)]
pub(crate) struct SiteView {
    pub title: String,
    pub description: Option<String>,
    pub base_url: String,
    pub contact_email: Option<String>,
    pub contact_url: Option<String>,
    pub timezone: String,
    /// Where the contact URL points, shown without its scheme.
    pub contact_label: Option<String>,
    /// For `<html lang>` and `<html dir>`.
    pub lang: String,
    pub dir: &'static str,
    /// The contact details as links, for the strings that name them.
    pub contact_email_link: Option<LinkView>,
    pub contact_url_link: Option<LinkView>,
    /// `[subscribe]`: where else readers can follow the site.
    pub subscribe: SubscribeView,
}

#[derive(Serialize)]
pub(crate) struct SubscribeView {
    pub mailing_list: Option<String>,
    pub chat: Option<String>,
}

/// A component by id and name.
#[derive(Serialize, Clone)]
pub(crate) struct ComponentRef {
    pub id: String,
    pub name: String,
}

/// A link a translated sentence puts where its language wants it.
#[derive(Serialize)]
pub(crate) struct LinkView {
    pub href: String,
    pub text: String,
}

#[derive(Serialize, Clone)]
pub(crate) struct StatusView {
    /// `operational`, `degraded_performance`, ...: for CSS classes.
    pub key: &'static str,
    pub label: String,
    /// The sentence for the banner: "All systems operational".
    pub banner: String,
    /// `rrggbb`, for the icon in the browser's tab.
    pub colour: &'static str,
}

impl StatusView {
    pub(crate) fn new(s: ComponentStatus, strings: &Strings) -> Self {
        StatusView {
            key: s.as_str(),
            label: status_label(s, strings),
            banner: strings.text(&format!("banner_{}", s.as_str()), &[]),
            colour: s.colour(),
        }
    }
}

/// An incident state's words: "Investigating".
pub(crate) fn state_label(state: crate::model::State, strings: &Strings) -> String {
    strings.text(&format!("state_{}", state.as_str()), &[])
}

/// A maintenance state's words: "In progress".
pub(crate) fn maintenance_state_label(
    state: crate::model::MaintenanceState,
    strings: &Strings,
) -> String {
    strings.text(&format!("maintenance_{}", state.as_str()), &[])
}

/// What a component's status is called, for "Impact is now: Partial outage".
pub(crate) fn status_label(s: ComponentStatus, strings: &Strings) -> String {
    strings.text(&format!("status_{}", s.as_str()), &[])
}

#[derive(Serialize)]
pub(crate) struct ComponentView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub status: StatusView,
    /// The last 90 days, oldest first.
    pub days: Vec<DayView>,
    /// "99.95%", or `None` when no day is counted yet.
    pub uptime: Option<String>,
    /// How many of the days had an incident.
    pub incident_days: usize,
    /// The bars in words, for readers who cannot see them: "99.95% uptime, 3 days with incidents".
    pub summary: String,
    /// The same of the last 30 days, which a phone shows.
    pub summary_30: String,
    /// Its page of the days in words, relative to the site root: `components/<id>/`.
    pub url: String,
}

/// One day of a component's history bar.
#[derive(Serialize)]
pub(crate) struct DayView {
    /// 0 no data, 1 operational, 2 maintenance, 3 degraded, 4 partial outage, 5 major outage: the CSS class.
    pub k: u8,
    /// What a screen reader says, and a tooltip shows: "22 Nov 2026: 35m partial outage".
    pub text: String,
    /// That day's incident, or the month's page when it had several, relative to the site root.
    pub link: Option<String>,
    /// `2026-11-22`: the day's anchor on its component's page.
    pub iso: String,
}

impl DayView {
    fn new(day: &crate::uptime::Day, site: &Site) -> DayView {
        use crate::uptime::DayKind;
        let strings = &site.config.strings;
        let date = strings.format_date(day.date);
        let mut parts: Vec<String> = Vec::new();
        for (minutes, what) in
            day.minutes
                .iter()
                .rev()
                .zip(["outage_major", "outage_partial", "outage_degraded"])
        {
            if *minutes > 0 {
                let duration = strings.duration(chrono::Duration::minutes(*minutes));
                parts.push(strings.text(what, &[("duration", &duration)]));
            }
        }
        let n = day.incidents.len();
        let date = [("date", date.as_str())];
        let text = match day.kind {
            DayKind::NoData => strings.text("day_no_data", &date),
            DayKind::Operational => strings.text("day_no_incidents", &date),
            DayKind::Maintenance => strings.text("day_maintenance", &date),
            _ => {
                let key = if day.maintenance_minutes > 0 {
                    "day_incidents_and_maintenance"
                } else {
                    "day_incidents"
                };
                let outages = strings.list(&parts);
                strings.count(key, n, &[date[0], ("outages", &outages)])
            }
        };
        DayView {
            k: day.kind as u8,
            iso: day.date.format("%Y-%m-%d").to_string(),
            text,
            // One incident: its page. Several: the month's page, which lists them all.
            link: match day.incidents.as_slice() {
                [] => None,
                [one] => Some(format!("incidents/{}/", site.incidents[*one].slug)),
                _ => Some(day.date.format("history/%Y-%m/").to_string()),
            },
        }
    }
}

#[derive(Serialize)]
pub(crate) struct GroupView {
    /// `None` for components configured without a group.
    pub name: Option<String>,
    pub status: StatusView,
    pub components: Vec<ComponentView>,
}

#[derive(Serialize, Clone)]
pub(crate) struct UpdateView {
    pub anchor: String,
    pub state: &'static str,
    pub state_label: String,
    pub at: TimeView,
    pub body_html: String,
    /// The same one heading level deeper, for the home page where updates sit
    /// under h4 headings; only made when the text has headings at all.
    pub body_html_nested: Option<String>,
    pub next_update: Option<TimeView>,
    /// Set when this update changed the impact: the new impact's wording.
    pub impact_change: Option<String>,
    /// Set when this update changed the affected components.
    /// Joined in the site's language: "Public API, Dashboard".
    pub components_change: Option<String>,
}

#[derive(Serialize, Clone)]
pub(crate) struct IncidentView {
    pub slug: String,
    /// Relative to the site root: `incidents/<slug>/`.
    pub url: String,
    pub title: String,
    pub impact: &'static str,
    /// What the impact means for components: "Partial outage".
    pub impact_label: String,
    pub state: &'static str,
    pub state_label: String,
    pub open: bool,
    pub started: TimeView,
    pub resolved: Option<TimeView>,
    pub duration: Option<String>,
    /// While open: how long it has lasted as of the build ("1h 5m"), for the home page.
    pub lasted: Option<String>,
    /// Joined in the site's language: "Public API, Dashboard".
    pub components: String,
    /// Every component the incident touched, for links to their feeds.
    pub component_feeds: Vec<ComponentRef>,
    pub summary_html: String,
    /// Newest first, as readers scan them.
    pub updates: Vec<UpdateView>,
    /// The promised time of the next update, while open and not yet past.
    pub next_update: Option<TimeView>,
    /// The promised time of the next update, once it has passed with no newer
    /// update: readers are told plainly that the promise was missed.
    pub overdue: Option<TimeView>,
    pub latest: UpdateView,
}

/// Heading level of `#` inside update text on incident pages: below the page's h1, h2 and the update's h3.
const BODY_HEADING_BASE: u8 = 4;

impl IncidentView {
    /// The colour of the icon in the tab on its page (`rrggbb`): its impact's
    /// while open, operational once resolved.
    pub(crate) fn icon(incident: &Incident) -> &'static str {
        if incident.is_open() {
            incident.current_impact().component_status().colour()
        } else {
            ComponentStatus::Operational.colour()
        }
    }

    /// `now` decides one thing only: whether the promised update is overdue
    /// (see [`Incident::overdue`]), which is part of the page's fingerprint.
    pub(crate) fn new(incident: &Incident, site: &Site, now: DateTime<Utc>) -> IncidentView {
        let config = &site.config;
        let tz = config.timezone;
        let strings = &config.strings;
        let names = |ids: &[usize]| -> Vec<String> {
            ids.iter()
                .map(|&i| config.components[i].name.clone())
                .collect()
        };
        let mut updates: Vec<UpdateView> = incident
            .updates
            .iter()
            .enumerate()
            .map(|(i, u)| {
                let impact_before = if i == 0 {
                    incident.impact
                } else {
                    incident.impact_after(i - 1)
                };
                let impact_now = incident.impact_after(i);
                UpdateView {
                    anchor: u.anchor.clone(),
                    state: u.state.as_str(),
                    state_label: state_label(u.state, strings),
                    at: TimeView::new(u.at, tz, strings),
                    body_html: markdown::to_html(&u.body, BODY_HEADING_BASE),
                    body_html_nested: markdown::has_heading(&u.body)
                        .then(|| markdown::to_html(&u.body, BODY_HEADING_BASE + 1)),
                    next_update: u
                        .promise(config.default_next_update)
                        .map(|t| TimeView::new(t, tz, strings)),
                    impact_change: (impact_now != impact_before)
                        .then(|| status_label(impact_now.component_status(), strings)),
                    components_change: u.components.as_deref().map(|ids| strings.list(&names(ids))),
                }
            })
            .collect();
        updates.reverse();
        // While open, readers need what is affected now; once resolved, history shows the worst it got.
        let (impact, components) = if incident.is_open() {
            (
                incident.current_impact(),
                incident.current_components().to_vec(),
            )
        } else {
            (incident.peak_impact(), incident.all_components())
        };
        IncidentView {
            slug: incident.slug.clone(),
            url: format!("incidents/{}/", incident.slug),
            title: incident.title.clone(),
            impact: impact.as_str(),
            impact_label: status_label(impact.component_status(), strings),
            state: incident.state().as_str(),
            state_label: state_label(incident.state(), strings),
            open: incident.is_open(),
            started: TimeView::new(incident.started_at(), tz, strings),
            resolved: incident
                .resolved_at()
                .map(|t| TimeView::new(t, tz, strings)),
            duration: incident.duration().map(|d| strings.duration(d)),
            lasted: incident.is_open().then(|| {
                strings.duration((now - incident.started_at()).max(chrono::Duration::zero()))
            }),
            components: strings.list(&names(&components)),
            component_feeds: incident
                .all_components()
                .iter()
                .map(|&c| ComponentRef {
                    id: config.components[c].id.clone(),
                    name: config.components[c].name.clone(),
                })
                .collect(),
            summary_html: markdown::to_html(&incident.summary, 3),
            latest: updates[0].clone(),
            updates,
            next_update: incident
                .next_update_due(config.default_next_update)
                .filter(|_| incident.overdue(config.default_next_update, now).is_none())
                .map(|t| TimeView::new(t, tz, strings)),
            overdue: incident
                .overdue(config.default_next_update, now)
                .map(|t| TimeView::new(t, tz, strings)),
        }
    }
}

impl SiteView {
    /// What every page shares. It holds nothing that depends on the clock, so
    /// that pages other than the home page change only when their content does.
    pub(crate) fn new(site: &Site) -> SiteView {
        let c = &site.config;
        let contact_label = c.contact.url.as_deref().map(|u| {
            u.trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_string()
        });
        SiteView {
            title: c.title.clone(),
            description: c.description.clone(),
            base_url: c.base_url.clone(),
            contact_email: c.contact.email.clone(),
            contact_url: c.contact.url.clone(),
            timezone: c.timezone.name().to_string(),
            contact_url_link: c
                .contact
                .url
                .clone()
                .zip(contact_label.clone())
                .map(|(href, text)| LinkView { href, text }),
            contact_label,
            lang: c.strings.lang.clone(),
            dir: c.strings.dir,
            contact_email_link: c.contact.email.as_ref().map(|e| LinkView {
                href: format!("mailto:{e}"),
                text: e.clone(),
            }),
            subscribe: SubscribeView {
                mailing_list: c.subscribe.mailing_list.clone(),
                chat: c.subscribe.chat.clone(),
            },
        }
    }
}

/// Components in configured order, grouped by their first appearance.
pub(crate) fn groups(site: &Site, now: DateTime<Utc>) -> Vec<GroupView> {
    let statuses = site.component_statuses(now);
    let uptime = crate::uptime::compute(site, now);
    let strings = &site.config.strings;
    let mut groups: Vec<(Option<String>, ComponentStatus, Vec<ComponentView>)> = Vec::new();
    for (i, c) in site.config.components.iter().enumerate() {
        let uptime_text = uptime[i].percent.map(|p| strings.percent(p));
        let days = &uptime[i].days;
        let bad = |d: &&crate::uptime::Day| d.kind >= crate::uptime::DayKind::Degraded;
        let incident_days = days.iter().filter(bad).count();
        let summarise = |percent: Option<f64>, incident_days: usize| {
            strings.list(
                &percent
                    .map(|p| strings.text("uptime", &[("percent", &strings.percent(p))]))
                    .into_iter()
                    .chain([strings.count("incident_days", incident_days, &[])])
                    .collect::<Vec<_>>(),
            )
        };
        let summary = summarise(uptime[i].percent, incident_days);
        // A phone shows the last 30 days, so its summary speaks of those.
        let summary_30 = summarise(
            uptime[i].percent_30,
            days.iter()
                .skip(days.len().saturating_sub(30))
                .filter(bad)
                .count(),
        );
        let view = ComponentView {
            id: c.id.clone(),
            name: c.name.clone(),
            description: c.description.clone(),
            status: StatusView::new(statuses[i], &site.config.strings),
            days: uptime[i]
                .days
                .iter()
                .map(|d| DayView::new(d, site))
                .collect(),
            uptime: uptime_text,
            incident_days,
            summary,
            summary_30,
            url: format!("components/{}/", c.id),
        };
        match groups.iter_mut().find(|g| g.0 == c.group) {
            Some(g) => {
                g.1 = g.1.max(statuses[i]);
                g.2.push(view);
            }
            None => groups.push((c.group.clone(), statuses[i], vec![view])),
        }
    }
    groups
        .into_iter()
        .map(|(name, status, components)| GroupView {
            name,
            status: StatusView::new(status, &site.config.strings),
            components,
        })
        .collect()
}

/// A month of history: `2026-11`, in the site's zone.
pub(crate) fn month_key(t: DateTime<Utc>, tz: Tz) -> (i32, u32) {
    let local = clock::local(t, tz);
    (local.year(), local.month())
}

/// "November 2026", in the site's language.
pub(crate) fn month_label(year: i32, month: u32, strings: &Strings) -> String {
    match chrono::NaiveDate::from_ymd_opt(year, month, 1) {
        Some(first) => strings.format(
            "month_year",
            &first.and_time(chrono::NaiveTime::MIN).and_utc(),
        ),
        None => format!("{year:04}-{month:02}"),
    }
}

/// What the pre-written update templates (`templates/updates/*.md`) see.
#[derive(Serialize)]
pub(crate) struct UpdateTemplateView {
    pub title: String,
    pub state: &'static str,
    pub impact: &'static str,
    /// "a partial outage"
    pub impact_phrase: &'static str,
    /// "partial outage"
    pub impact_noun: &'static str,
    /// "Public API and Dashboard"
    pub components: String,
    pub component_list: Vec<String>,
    pub component_count: usize,
    /// "14:35 GMT", with the date when it is not the same day: "09:00 GMT on 23 Nov".
    pub next_update: Option<String>,
    pub contact_email: Option<String>,
    pub contact_url: Option<String>,
    pub site_title: String,
    /// For maintenance: the window, "22:00 GMT on 28 Nov".
    pub starts: Option<String>,
    pub ends: Option<String>,
    /// The site's language tag: it picks the built-in update templates.
    pub language: String,
}

impl UpdateTemplateView {
    pub(crate) fn new(
        config: &crate::model::Config,
        title: &str,
        state: crate::model::State,
        impact: crate::model::Impact,
        components: &[usize],
        at: DateTime<Utc>,
        next_update: Option<DateTime<Utc>>,
    ) -> UpdateTemplateView {
        use crate::model::Impact;
        let tz = config.timezone;
        let names: Vec<String> = components
            .iter()
            .map(|&c| config.components[c].name.clone())
            .collect();
        let (impact_phrase, impact_noun) = match impact {
            Impact::Minor => ("degraded performance", "degraded performance"),
            Impact::Major => ("a partial outage", "partial outage"),
            Impact::Critical => ("a major outage", "major outage"),
        };
        let strings = &config.strings;
        let next_update = next_update.map(|t| {
            let local = clock::local(t, tz);
            if local.date_naive() == clock::local(at, tz).date_naive() {
                strings.format("time", &local)
            } else {
                update_time(strings, t, tz, "%H:%M %Z on %-d %b")
            }
        });
        UpdateTemplateView {
            title: title.to_string(),
            state: state.as_str(),
            impact: impact.as_str(),
            impact_phrase,
            impact_noun,
            components: join_names_in(strings, &names),
            component_count: names.len(),
            component_list: names,
            next_update,
            contact_email: config.contact.email.clone(),
            contact_url: config.contact.url.clone(),
            site_title: config.title.clone(),
            starts: None,
            ends: None,
            language: strings.lang.clone(),
        }
    }
}

/// A time in an update's text: English as it has always read ("09:00 GMT on
/// 23 Nov"), another language in its own date and time formats.
fn update_time(strings: &Strings, t: DateTime<Utc>, tz: Tz, english: &str) -> String {
    let local = clock::local(t, tz);
    if strings.lang.split('-').next() == Some("en") {
        local.format(english).to_string()
    } else {
        let date = strings.format("date", &local);
        let time = strings.format("time", &local);
        strings.text("datetime", &[("date", &date), ("time", &time)])
    }
}

/// [`join_names`] in the site's language: "A, B and C", "A, B und C".
fn join_names_in(strings: &Strings, names: &[String]) -> String {
    match names {
        [] => strings.text("update_our_services", &[]),
        [one] => one.clone(),
        [rest @ .., last] => strings.text(
            "update_list_last",
            &[("list", &strings.list(rest)), ("last", last)],
        ),
    }
}

impl UpdateTemplateView {
    /// The same for a maintenance window, with its start and end in the site's zone.
    pub(crate) fn maintenance(
        config: &crate::model::Config,
        title: &str,
        components: &[usize],
        window: (DateTime<Utc>, DateTime<Utc>),
        at: DateTime<Utc>,
        next_update: Option<DateTime<Utc>>,
    ) -> UpdateTemplateView {
        let tz = config.timezone;
        let when = |t: DateTime<Utc>| update_time(&config.strings, t, tz, "%H:%M %Z on %-d %b %Y");
        let mut view = UpdateTemplateView::new(
            config,
            title,
            crate::model::State::Investigating,
            crate::model::Impact::Minor,
            components,
            at,
            next_update,
        );
        view.state = "maintenance";
        view.impact = "maintenance";
        view.starts = Some(when(window.0));
        view.ends = Some(when(window.1));
        view
    }
}

/// "A", "A and B", "A, B and C"; "our services" when none are named.
pub(crate) fn join_names(names: &[String]) -> String {
    match names {
        [] => "our services".to_string(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[derive(Serialize, Clone)]
pub(crate) struct MaintenanceUpdateView {
    pub anchor: String,
    pub state: &'static str,
    pub state_label: String,
    pub at: TimeView,
    pub body_html: String,
    pub next_update: Option<TimeView>,
}

#[derive(Serialize, Clone)]
pub(crate) struct MaintenanceView {
    pub slug: String,
    /// Relative to the site root: `maintenance/<slug>/`.
    pub url: String,
    pub title: String,
    /// The state at build time (the clock decides when no update does).
    pub state: &'static str,
    pub state_label: String,
    pub starts: TimeView,
    pub ends: TimeView,
    pub components: String,
    pub summary_html: String,
    /// Newest first.
    pub updates: Vec<MaintenanceUpdateView>,
}

impl MaintenanceView {
    pub(crate) fn new(
        m: &crate::model::Maintenance,
        site: &Site,
        now: DateTime<Utc>,
    ) -> MaintenanceView {
        let config = &site.config;
        let tz = config.timezone;
        let strings = &config.strings;
        let state = m.state_at(now);
        let mut updates: Vec<MaintenanceUpdateView> = m
            .updates
            .iter()
            .map(|u| MaintenanceUpdateView {
                anchor: u.anchor.clone(),
                state: u.state.as_str(),
                state_label: maintenance_state_label(u.state, strings),
                at: TimeView::new(u.at, tz, strings),
                body_html: markdown::to_html(&u.body, BODY_HEADING_BASE),
                next_update: u.next_update.map(|t| TimeView::new(t, tz, strings)),
            })
            .collect();
        updates.reverse();
        MaintenanceView {
            slug: m.slug.clone(),
            url: format!("maintenance/{}/", m.slug),
            title: m.title.clone(),
            state: state.as_str(),
            state_label: maintenance_state_label(state, strings),
            starts: TimeView::new(m.starts, tz, strings),
            ends: TimeView::new(m.ends, tz, strings),
            components: strings.list(
                &m.components
                    .iter()
                    .map(|&c| config.components[c].name.clone())
                    .collect::<Vec<_>>(),
            ),
            summary_html: markdown::to_html(&m.summary, 3),
            updates,
        }
    }
}
