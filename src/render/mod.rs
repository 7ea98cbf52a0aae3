//! From a loaded site to the bytes of every output file. Nothing here reads
//! the clock or the disk: the same site, templates and "now" give the same
//! bytes, handed to a [`Sink`] as each page is ready.

pub(crate) mod api;
mod badge;
mod feed;
pub(crate) mod hosting;
mod ics;
mod pages;

use std::borrow::Cow;
use std::sync::Arc;

use rayon::prelude::*;

use crate::clock::Now;
use crate::model::{Incident, Site};
use crate::output::Sink;
use crate::templates::Templates;

/// How many updates the feed carries: enough for any reader polling hourly
/// through a busy incident, without the feed growing with the site's age.
pub(crate) const FEED_ITEMS: usize = 50;

/// How far back the home page lists resolved incidents.
pub(crate) const RECENT_DAYS: i64 = 14;

/// At most this many of them, so a bad fortnight cannot make the home page
/// heavy when it is read the most; the rest are a click away in the history.
pub(crate) const RECENT_LIMIT: usize = 20;

/// What every fingerprinted file is made from besides its own content: the
/// templates and the config (with its strings).
fn base_fingerprint(site: &Site, templates: &Templates) -> u64 {
    crate::model::fingerprint(&[
        &templates.fingerprint.to_le_bytes(),
        &site.config.fingerprint.to_le_bytes(),
    ])
}

/// Renders the site into `sink`. Pages whose inputs are unchanged since the
/// sink's last build are not rendered again (see [`Sink::reuse`]).
pub(crate) fn render_into(
    site: &Site,
    now: Now,
    templates: &Templates,
    sink: &dyn Sink,
) -> anyhow::Result<()> {
    let site = &*as_of(site, now);
    // The pages and the rest (feeds, API, calendar, sitemap) share nothing but
    // the sink: on a rebuild that renders a handful of pages, each gets a core.
    let (pages, rest) = rayon::join(
        || pages::render(site, now, templates, sink),
        || render_the_rest(site, now, templates, sink),
    );
    pages?;
    rest
}

/// The site as readers may see it at `now`: an update dated after it waits
/// for a build at or after its time (on pages, feeds, API and calendar alike),
/// and so does an incident whose first update is. `check` warns about them.
pub(crate) fn as_of(site: &Site, now: Now) -> Cow<'_, Site> {
    // Updates are ordered by `at`: the ones to keep are a prefix.
    let kept = |times: &mut dyn Iterator<Item = chrono::DateTime<chrono::Utc>>| {
        times.take_while(|&at| at <= now).count()
    };
    // A trimmed file is not the file on disk: its pages must not be taken for
    // the ones built from all of it, nor for those built from less of it.
    let print = |fingerprint: u64, kept: usize| {
        crate::model::fingerprint(&[&fingerprint.to_le_bytes(), &(kept as u64).to_le_bytes()])
    };
    let future = site.incidents.iter().any(|i| i.latest().at > now)
        || site
            .maintenance
            .iter()
            .any(|m| m.updates.last().is_some_and(|u| u.at > now));
    if !future {
        return Cow::Borrowed(site);
    }
    let incidents = site
        .incidents
        .iter()
        .filter_map(|i| match kept(&mut i.updates.iter().map(|u| u.at)) {
            0 => None,
            n if n == i.updates.len() => Some(Arc::clone(i)),
            n => {
                let mut trimmed = Incident::clone(i);
                trimmed.updates.truncate(n);
                trimmed.fingerprint = print(i.fingerprint, n);
                Some(Arc::new(trimmed))
            }
        })
        .collect();
    let maintenance = site
        .maintenance
        .iter()
        .map(|m| {
            let n = kept(&mut m.updates.iter().map(|u| u.at));
            let mut m = m.clone();
            if n < m.updates.len() {
                m.updates.truncate(n);
                m.fingerprint = print(m.fingerprint, n);
            }
            m
        })
        .collect();
    Cow::Owned(Site {
        config: site.config.clone(),
        incidents,
        maintenance,
    })
}

/// Everything but the HTML pages of [`pages::render`].
fn render_the_rest(
    site: &Site,
    now: Now,
    templates: &Templates,
    sink: &dyn Sink,
) -> anyhow::Result<()> {
    let config = &site.config;
    let strings = &config.strings;
    let all = feed::FeedSpec {
        title: config.title.clone(),
        description: config
            .description
            .clone()
            .unwrap_or_else(|| strings.text("feed_description", &[("site", &config.title)])),
        path: "feed.xml".into(),
        component: None,
    };
    let base = base_fingerprint(site, templates);
    // A feed whose updates have not changed is kept as it is on disk, unrendered.
    let put_feed = |spec: &feed::FeedSpec, atom: bool| -> anyhow::Result<()> {
        let selection = feed::select(site, spec);
        let print = selection.fingerprint(base, spec, site) ^ u64::from(atom);
        if sink.reuse(&spec.path, print) {
            return Ok(());
        }
        let bytes = if atom {
            feed::atom(site, spec, &selection)
        } else {
            feed::rss(site, spec, &selection)
        };
        sink.put(&spec.path, bytes, Some(print))
    };
    let atom = feed::FeedSpec {
        path: "feed.atom".into(),
        ..all.clone()
    };
    let mut feeds = vec![(all, false), (atom, true)];
    for (index, component) in config.components.iter().enumerate() {
        let spec = feed::FeedSpec {
            title: strings.text(
                "feed_component_title",
                &[("site", &config.title), ("component", &component.name)],
            ),
            description: strings.text(
                "feed_component_description",
                &[("component", &component.name)],
            ),
            path: format!("components/{}/feed.xml", component.id),
            component: Some(index),
        };
        feeds.push((spec, false));
    }
    feeds
        .par_iter()
        .try_for_each(|(spec, atom)| put_feed(spec, *atom))?;
    for (path, bytes) in api::files(site, now)? {
        sink.put(&path, bytes, None)?;
    }
    sink.put(
        "badge.svg",
        badge::svg(site.overall_status(now), strings),
        None,
    )?;
    sink.put("maintenance.ics", ics::calendar(site, now), None)?;
    for (path, bytes) in hosting::files(site) {
        sink.put(&path, bytes, None)?;
    }
    let data = pages::NotFound {
        site: &crate::view::SiteView::new(site),
        root: format!("{}/", config.base_url),
    };
    sink.put(
        "404.html",
        pages::page(
            templates,
            "404.html",
            &data,
            &crate::templates::Value::new(&strings.to_value())?,
        )?,
        None,
    )
}
