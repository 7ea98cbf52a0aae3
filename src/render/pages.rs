//! The HTML pages: home, one per incident, and history by month.

use std::collections::BTreeMap;

use chrono::Duration;
use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use super::RECENT_DAYS;
use crate::clock::Now;
use crate::model::Site;
use crate::output::Sink;
use crate::templates::Templates;
use crate::view::{self, GroupView, IncidentView, SiteView, StatusView};

#[derive(Serialize)]
struct IndexPage<'a> {
    site: &'a SiteView,
    root: &'static str,
    banner: StatusView,
    groups: Vec<GroupView>,
    open: Vec<&'a IncidentView>,
    recent: Vec<&'a IncidentView>,
    recent_days: i64,
}

#[derive(Serialize)]
struct IncidentPage<'a> {
    site: &'a SiteView,
    root: &'static str,
    incident: &'a IncidentView,
}

#[derive(Serialize)]
struct MonthLink {
    label: String,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct HistoryPage<'a> {
    site: &'a SiteView,
    root: &'static str,
    months: &'a [MonthLink],
}

#[derive(Serialize)]
struct MonthPage<'a> {
    site: &'a SiteView,
    root: &'static str,
    month: &'a str,
    incidents: Vec<&'a IncidentView>,
    newer: Option<&'a MonthLink>,
    older: Option<&'a MonthLink>,
}

fn page<T: Serialize>(templates: &Templates, name: &str, data: &T) -> anyhow::Result<Vec<u8>> {
    let context = Context::from_serialize(data)?;
    Ok(templates.render(name, &context)?.into_bytes())
}

pub fn render(
    site: &Site,
    incidents: &[IncidentView],
    now: Now,
    templates: &Templates,
    stale: &(dyn Fn(&str) -> bool + Sync),
    sink: &dyn Sink,
) -> anyhow::Result<()> {
    let site_view = SiteView::new(site, now);
    // Pages of different incidents are independent: render them on every core,
    // each handed to the sink as soon as it is ready, so memory stays flat.
    incidents.par_iter().try_for_each(|view| {
        let path = format!("incidents/{}/index.html", view.slug);
        if !stale(&view.slug) {
            sink.keep(&path);
            return Ok(());
        }
        let data = IncidentPage {
            site: &site_view,
            root: "../../",
            incident: view,
        };
        sink.put(&path, page(templates, "incident.html", &data)?)
    })?;

    // Incidents are newest first, so each month's list is too.
    let tz = site.config.timezone;
    let mut months: BTreeMap<(i32, u32), Vec<&IncidentView>> = BTreeMap::new();
    for (incident, view) in site.incidents.iter().zip(incidents) {
        months
            .entry(view::month_key(incident.started_at(), tz))
            .or_default()
            .push(view);
    }
    let links: Vec<MonthLink> = months
        .iter()
        .rev()
        .map(|(&(y, m), list)| MonthLink {
            label: view::month_label(y, m),
            url: format!("history/{y:04}-{m:02}/"),
            count: list.len(),
        })
        .collect();
    let month_lists: Vec<Vec<&IncidentView>> = months.into_values().rev().collect();
    month_lists
        .into_par_iter()
        .enumerate()
        .try_for_each(|(i, list)| {
            let link = &links[i];
            let data = MonthPage {
                site: &site_view,
                root: "../../",
                month: &link.label,
                incidents: list,
                newer: i.checked_sub(1).map(|j| &links[j]),
                older: links.get(i + 1),
            };
            sink.put(
                &format!("{}index.html", link.url),
                page(templates, "history_month.html", &data)?,
            )
        })?;
    let data = HistoryPage {
        site: &site_view,
        root: "../",
        months: &links,
    };
    sink.put(
        "history/index.html",
        page(templates, "history.html", &data)?,
    )?;

    let since = now - Duration::days(RECENT_DAYS);
    let (open, recent): (Vec<_>, Vec<_>) = site
        .incidents
        .iter()
        .zip(incidents)
        .filter(|(incident, _)| {
            incident.is_open() || incident.resolved_at().is_some_and(|t| t >= since)
        })
        .partition(|(incident, _)| incident.is_open());
    let data = IndexPage {
        site: &site_view,
        root: "",
        banner: site.overall_status().into(),
        groups: view::groups(site),
        open: open.into_iter().map(|(_, v)| v).collect(),
        recent: recent.into_iter().map(|(_, v)| v).collect(),
        recent_days: RECENT_DAYS,
    };
    sink.put("index.html", page(templates, "index.html", &data)?)
}
