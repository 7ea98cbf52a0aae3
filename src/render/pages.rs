//! The HTML pages: home, one per incident, and history by month.

use std::collections::BTreeMap;

use chrono::Duration;
use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use super::{Output, RECENT_DAYS};
use crate::clock::Now;
use crate::model::Site;
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
    now: Now,
    templates: &Templates,
    output: &mut Output,
) -> anyhow::Result<()> {
    let site_view = SiteView::new(site, now);
    // Views and pages of different incidents are independent: render them on every core.
    let incidents: Vec<IncidentView> = site
        .incidents
        .par_iter()
        .map(|i| IncidentView::new(i, site))
        .collect();
    let pages: Vec<(String, Vec<u8>)> = incidents
        .par_iter()
        .map(|view| {
            let data = IncidentPage {
                site: &site_view,
                root: "../../",
                incident: view,
            };
            Ok((
                format!("incidents/{}/index.html", view.slug),
                page(templates, "incident.html", &data)?,
            ))
        })
        .collect::<anyhow::Result<_>>()?;
    for (path, bytes) in pages {
        output.add(path, bytes);
    }

    // Incidents are newest first, so each month's list is too.
    let tz = site.config.timezone;
    let mut months: BTreeMap<(i32, u32), Vec<&IncidentView>> = BTreeMap::new();
    for (incident, view) in site.incidents.iter().zip(&incidents) {
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
    let month_pages: Vec<(String, Vec<u8>)> = month_lists
        .into_par_iter()
        .enumerate()
        .map(|(i, list)| {
            let link = &links[i];
            let data = MonthPage {
                site: &site_view,
                root: "../../",
                month: &link.label,
                incidents: list,
                newer: i.checked_sub(1).map(|j| &links[j]),
                older: links.get(i + 1),
            };
            Ok((
                format!("{}index.html", link.url),
                page(templates, "history_month.html", &data)?,
            ))
        })
        .collect::<anyhow::Result<_>>()?;
    for (path, bytes) in month_pages {
        output.add(path, bytes);
    }
    let data = HistoryPage {
        site: &site_view,
        root: "../",
        months: &links,
    };
    output.add(
        "history/index.html",
        page(templates, "history.html", &data)?,
    );

    let since = now - Duration::days(RECENT_DAYS);
    let (open, recent): (Vec<_>, Vec<_>) = site
        .incidents
        .iter()
        .zip(&incidents)
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
    output.add("index.html", page(templates, "index.html", &data)?);
    Ok(())
}
