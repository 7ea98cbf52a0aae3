//! The HTML pages: home, one per incident, and history by month.

use std::collections::BTreeMap;

use chrono::Duration;
use rayon::prelude::*;
use serde::Serialize;

use super::{RECENT_DAYS, RECENT_LIMIT};
use crate::clock::Now;
use crate::model::fingerprint;
use crate::model::Site;
use crate::model::{ComponentStatus, MaintenanceState};
use crate::output::Sink;
use crate::templates::{Templates, Value, Vars};
use crate::view::{
    self, GroupView, IncidentView, LinkView, MaintenanceView, SiteView, StatusView, TimeView,
};

/// How far ahead the home page announces maintenance.
const UPCOMING_DAYS: i64 = 30;

#[derive(Serialize)]
struct IndexPage<'a> {
    site: &'a SiteView,
    root: &'static str,
    /// When the page as shown last changed (`api::shown_at`).
    generated: TimeView,
    active_maintenance: Vec<&'a MaintenanceView>,
    upcoming_maintenance: Vec<&'a MaintenanceView>,
    banner: StatusView,
    /// The colour of the icon in the tab (`rrggbb`): the overall status's.
    icon: &'static str,
    /// The banner's sentence, naming what is affected: "Partial outage: Payouts".
    banner_text: String,
    groups: Vec<GroupView>,
    open: Vec<&'a IncidentView>,
    recent: Vec<&'a IncidentView>,
    /// Resolved in the window but not listed, beyond [`RECENT_LIMIT`].
    recent_more: usize,
    recent_days: i64,
}

/// `components/<id>/index.html`: one component's days in words, which the home page's bars link to.
/// It says nothing of when it was built: it changes only when its days do.
#[derive(Serialize)]
struct ComponentPage<'a> {
    site: &'a SiteView,
    root: &'static str,
    icon: &'static str,
    component: &'a view::ComponentView,
}

/// `subscribe/index.html`: every way to follow the site. Links are relative, and their
/// words the full address, for readers to copy into a feed reader or calendar.
#[derive(Serialize)]
struct SubscribePage<'a> {
    site: &'a SiteView,
    root: &'static str,
    rss: LinkView,
    atom: LinkView,
    calendar: LinkView,
    badge: LinkView,
    api: LinkView,
    /// Each component, whose feed is `components/<id>/feed.xml`.
    components: Vec<view::ComponentRef>,
}

#[derive(Serialize)]
struct MonthLink {
    label: String,
    url: String,
    count: usize,
    maintenance: usize,
}

/// How many months the history page names the incidents of, and at most how many for each:
/// the rest are on the month's page, so that the page stays light at any density.
const HISTORY_MONTHS: usize = 6;
const HISTORY_PER_MONTH: usize = 20;

/// A month on the history page, whether or not anything happened in it.
#[derive(Serialize)]
struct MonthEntry<'a> {
    label: String,
    /// `None` for a month with nothing in it: it has no page.
    link: Option<&'a MonthLink>,
    /// Newest first, for the latest [`HISTORY_MONTHS`] months only.
    incidents: Vec<IncidentView>,
    /// Those of the month not in `incidents`.
    more: usize,
    /// One of the latest months, whose incidents are named.
    detailed: bool,
}

#[derive(Serialize)]
struct HistoryPage<'a> {
    site: &'a SiteView,
    root: &'static str,
    /// The months with a page, newest first (what templates of earlier versions list).
    months: &'a [MonthLink],
    /// Every month from this one (or the latest with maintenance planned) back to the first, newest first.
    calendar: Vec<MonthEntry<'a>>,
}

#[derive(Serialize)]
struct MaintenancePage<'a> {
    site: &'a SiteView,
    root: &'static str,
    maintenance: &'a MaintenanceView,
}

/// `404.html`: served by static hosts at any missing path, so its links are absolute.
#[derive(Serialize)]
pub(super) struct NotFound<'a> {
    pub site: &'a SiteView,
    pub root: String,
}

/// Renders one page; templates see the fields of `data` and the site's strings as `t`.
pub(super) fn page<T: Serialize>(
    templates: &Templates,
    name: &str,
    data: &T,
    strings: &Value,
) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    templates.render(name, &Vars::of(data)?.set("t", strings), &mut out)?;
    Ok(out)
}

pub(super) fn render(
    site: &Site,
    now: Now,
    templates: &Templates,
    sink: &dyn Sink,
) -> anyhow::Result<()> {
    let site_view = SiteView::new(site);
    let t_table = site.config.strings.to_value();
    let t = Value::new(&t_table)?;
    let strings = &site.config.strings;
    let tz = site.config.timezone;
    let base = super::base_fingerprint(site, templates);
    let n = site.incidents.len();

    // Which pages must be rendered: those whose inputs changed since the last build.
    // An open incident's page also changes once its promised update is overdue.
    let default_next = site.config.default_next_update;
    let page_prints: Vec<u64> = site
        .incidents
        .iter()
        .map(|i| {
            let overdue = [u8::from(i.overdue(default_next, now).is_some())];
            fingerprint(&[&base.to_le_bytes(), &i.fingerprint.to_le_bytes(), &overdue])
        })
        .collect();
    let stale: Vec<bool> = site
        .incidents
        .par_iter()
        .zip(&page_prints)
        .map(|(i, &print)| !sink.reuse(&format!("incidents/{}/index.html", i.slug), print))
        .collect();

    // Maintenance pages show a state that follows the clock: always rendered (there are few).
    let maintenance_views: Vec<MaintenanceView> = site
        .maintenance
        .iter()
        .map(|m| MaintenanceView::new(m, site, now))
        .collect();
    for view in &maintenance_views {
        let data = MaintenancePage {
            site: &site_view,
            root: "../../",
            maintenance: view,
        };
        sink.put(
            &format!("maintenance/{}/index.html", view.slug),
            page(templates, "maintenance.html", &data, &t)?,
            None,
        )?;
    }
    let mut month_maintenance: Vec<Vec<usize>> = Vec::new();

    // Months, newest first; incidents are newest first, so each month's list is too.
    let mut months: BTreeMap<(i32, u32), (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for (index, incident) in site.incidents.iter().enumerate() {
        months
            .entry(view::month_key(incident.started_at(), tz))
            .or_default()
            .0
            .push(index);
    }
    for (index, m) in site.maintenance.iter().enumerate() {
        months
            .entry(view::month_key(m.starts, tz))
            .or_default()
            .1
            .push(index);
    }
    let months: Vec<((i32, u32), Vec<usize>)> = months
        .into_iter()
        .rev()
        .map(|(k, (incidents, maintenance))| {
            month_maintenance.push(maintenance);
            (k, incidents)
        })
        .collect();
    let links: Vec<MonthLink> = months
        .iter()
        .enumerate()
        .map(|(i, ((y, m), list))| MonthLink {
            label: view::month_label(*y, *m, strings),
            url: format!("history/{y:04}-{m:02}/"),
            count: list.len(),
            maintenance: month_maintenance[i].len(),
        })
        .collect();
    // A month page shows its incidents and links to its neighbours.
    let month_prints: Vec<u64> = months
        .iter()
        .enumerate()
        .map(|(i, (_, list))| {
            let mut parts: Vec<Vec<u8>> = vec![
                base.to_le_bytes().to_vec(),
                links[i].url.clone().into_bytes(),
            ];
            parts.extend(list.iter().map(|&j| page_prints[j].to_le_bytes().to_vec()));
            // Maintenance shows its state, which the clock moves.
            parts.extend(month_maintenance[i].iter().map(|&j| {
                let m = &site.maintenance[j];
                let mut p = m.fingerprint.to_le_bytes().to_vec();
                p.extend_from_slice(m.state_at(now).as_str().as_bytes());
                p
            }));
            parts.extend(i.checked_sub(1).map(|j| links[j].url.clone().into_bytes()));
            parts.extend(links.get(i + 1).map(|l| l.url.clone().into_bytes()));
            fingerprint(&parts.iter().map(Vec::as_slice).collect::<Vec<_>>())
        })
        .collect();
    let stale_months: Vec<bool> = links
        .iter()
        .zip(&month_prints)
        .map(|(link, &print)| !sink.reuse(&format!("{}index.html", link.url), print))
        .collect();

    // `incident.html` sees `t`, `site`, `root` and `incident` (an [`IncidentView`]);
    // `history_month.html` sees `t`, `site`, `root`, `month` (its label), `incidents`,
    // `maintenance`, and the `newer` and `older` [`MonthLink`]s.
    //
    // Month by month, each incident's view becomes template values once, serves
    // its own page and then its month's, and is dropped: memory stays flat, and
    // a rebuild after one edit makes the values of a handful of incidents.
    // Every page reads the strings and the site: each thread gets values of its
    // own, since sharing one between cores makes them contend for its reference count.
    let shared = || -> anyhow::Result<(Value, Value)> {
        Ok((Value::new(&t_table)?, Value::new(&site_view)?))
    };
    let up_two = Value::from("../../");
    // What every incident and month page sees besides its own values.
    let page_vars = |t: &Value, site: &Value| {
        Vars::new()
            .set("t", t)
            .set("site", site)
            .set("root", &up_two)
    };
    let maintenance_values = maintenance_views
        .iter()
        .map(Value::new)
        .collect::<anyhow::Result<Vec<Value>>>()?;
    months.par_iter().enumerate().try_for_each_init(
        shared,
        |mine, (i, (_, list))| -> anyhow::Result<()> {
            let (t, site_value) = mine.as_ref().map_err(|e| anyhow::anyhow!("{e}"))?;
            let values = list
                .par_iter()
                .filter(|&&j| stale[j] || stale_months[i])
                .map_init(shared, |mine, &j| -> anyhow::Result<Value> {
                    let (t, site_value) = mine.as_ref().map_err(|e| anyhow::anyhow!("{e}"))?;
                    let incident = &site.incidents[j];
                    let value = Value::new(&IncidentView::new(incident, site, now))?;
                    if stale[j] {
                        let icon = Value::from(IncidentView::icon(incident));
                        let vars = page_vars(t, site_value)
                            .set("incident", &value)
                            .set("icon", &icon);
                        let mut page = Vec::new();
                        templates.render("incident.html", &vars, &mut page)?;
                        sink.put(
                            &format!("incidents/{}/index.html", incident.slug),
                            page,
                            Some(page_prints[j]),
                        )?;
                    }
                    Ok(value)
                })
                .collect::<anyhow::Result<Vec<Value>>>()?;
            if !stale_months[i] {
                return Ok(());
            }
            let link = &links[i];
            let maintenance = Value::list(
                month_maintenance[i]
                    .iter()
                    .map(|&j| maintenance_values[j].clone())
                    .collect(),
            );
            let vars = page_vars(t, site_value)
                .set("month", &Value::from(link.label.as_str()))
                .set("incidents", &Value::list(values))
                .set("maintenance", &maintenance)
                .set("newer", &Value::new(&i.checked_sub(1).map(|j| &links[j]))?)
                .set("older", &Value::new(&links.get(i + 1))?);
            let mut page = Vec::new();
            templates.render("history_month.html", &vars, &mut page)?;
            sink.put(
                &format!("{}index.html", link.url),
                page,
                Some(month_prints[i]),
            )
        },
    )?;

    // The home page's incidents: the open ones and those resolved in the window.
    let since = now - Duration::days(RECENT_DAYS);
    let on_home =
        |i: &crate::model::Incident| i.is_open() || i.resolved_at().is_some_and(|t| t >= since);
    let views: BTreeMap<usize, IncidentView> = (0..n)
        .filter(|&j| on_home(&site.incidents[j]))
        .map(|j| (j, IncidentView::new(&site.incidents[j], site, now)))
        .collect();
    let view = |j: usize| &views[&j];

    // Months with nothing in them are listed too, saying so, rather than left out.
    let mut calendar = Vec::new();
    if let (Some(&(newest, _)), Some(&(oldest, _))) = (months.first(), months.last()) {
        let mut month = newest.max(view::month_key(now, tz));
        let mut i = 0;
        while month >= oldest {
            let found = months.get(i).filter(|(key, _)| *key == month);
            let list = found.map_or(&[][..], |(_, list)| list.as_slice());
            let detailed = calendar.len() < HISTORY_MONTHS;
            // A site whose first incident is centuries old still gets a page of bounded length.
            if found.is_some() || calendar.len() < 120 {
                calendar.push(MonthEntry {
                    label: view::month_label(month.0, month.1, strings),
                    link: found.map(|_| &links[i]),
                    incidents: list
                        .iter()
                        .take(if detailed { HISTORY_PER_MONTH } else { 0 })
                        .map(|&j| IncidentView::new(&site.incidents[j], site, now))
                        .collect(),
                    more: if detailed {
                        list.len().saturating_sub(HISTORY_PER_MONTH)
                    } else {
                        list.len()
                    },
                    detailed,
                });
            }
            i += usize::from(found.is_some());
            month = if month.1 == 1 {
                (month.0 - 1, 12)
            } else {
                (month.0, month.1 - 1)
            };
        }
    }
    let data = HistoryPage {
        site: &site_view,
        root: "../",
        months: &links,
        calendar,
    };
    sink.put(
        "history/index.html",
        page(templates, "history.html", &data, &t)?,
        None,
    )?;

    let link = |path: &str, text: Option<&str>| LinkView {
        href: format!("../{path}"),
        text: text.map_or_else(
            || format!("{}/{path}", site.config.base_url),
            str::to_string,
        ),
    };
    let data = SubscribePage {
        site: &site_view,
        root: "../",
        rss: link("feed.xml", Some("RSS")),
        atom: link("feed.atom", Some("Atom")),
        calendar: link("maintenance.ics", None),
        badge: link("badge.svg", None),
        api: link("api/v2/summary.json", None),
        components: site
            .config
            .components
            .iter()
            .map(|c| view::ComponentRef {
                id: c.id.clone(),
                name: c.name.clone(),
            })
            .collect(),
    };
    sink.put(
        "subscribe/index.html",
        page(templates, "subscribe.html", &data, &t)?,
        None,
    )?;

    let (open, recent): (Vec<usize>, Vec<usize>) =
        views.keys().partition(|&&j| site.incidents[j].is_open());
    let banner = StatusView::new(site.overall_status(now), strings);
    // The components the banner's word is about: those at the worst status.
    let worst: Vec<String> = site
        .component_statuses(now)
        .iter()
        .zip(&site.config.components)
        .filter(|(&s, _)| s != ComponentStatus::Operational && s.as_str() == banner.key)
        .map(|(_, c)| c.name.clone())
        .collect();
    let banner_text = if worst.is_empty() {
        banner.banner.clone()
    } else {
        strings.text(
            "banner_affected",
            &[
                ("status", &banner.banner),
                ("components", &strings.list(&worst)),
            ],
        )
    };
    let groups = view::groups(site, now);
    for component in groups.iter().flat_map(|g| &g.components) {
        let data = ComponentPage {
            site: &site_view,
            root: "../../",
            icon: component.status.colour,
            component,
        };
        sink.put(
            &format!("{}index.html", component.url),
            page(templates, "component.html", &data, &t)?,
            None,
        )?;
    }
    let data = IndexPage {
        site: &site_view,
        root: "",
        generated: TimeView::new(super::api::shown_at(site, now), tz, strings),
        icon: banner.colour,
        banner,
        banner_text,
        groups,
        active_maintenance: maintenance_views
            .iter()
            .zip(&site.maintenance)
            .filter(|(_, m)| m.state_at(now).is_active())
            .map(|(v, _)| v)
            .collect(),
        // Soonest first, as readers plan around them.
        upcoming_maintenance: maintenance_views
            .iter()
            .zip(&site.maintenance)
            .rev()
            .filter(|(_, m)| {
                m.state_at(now) == MaintenanceState::Scheduled
                    && m.starts <= now + Duration::days(UPCOMING_DAYS)
            })
            .map(|(v, _)| v)
            .collect(),
        open: open.into_iter().map(view).collect(),
        recent_more: recent.len().saturating_sub(RECENT_LIMIT),
        recent: recent.into_iter().take(RECENT_LIMIT).map(view).collect(),
        recent_days: RECENT_DAYS,
    };
    sink.put(
        "index.html",
        page(templates, "index.html", &data, &t)?,
        None,
    )
}
