//! `feed.xml`: RSS 2.0, one item per update, so a reader notices every new update.

use rss::extension::atom::{AtomExtensionBuilder, Link};
use rss::{ChannelBuilder, GuidBuilder, ItemBuilder};

use super::FEED_ITEMS;
use crate::markdown;
use crate::model::Site;
use crate::view::TimeView;

pub fn rss(site: &Site) -> Vec<u8> {
    let config = &site.config;
    let base = &config.base_url;
    let mut updates: Vec<(&crate::model::Incident, &crate::model::Update)> = site
        .incidents
        .iter()
        .flat_map(|i| i.updates.iter().map(move |u| (i, u)))
        .collect();
    // Newest first; ties broken by slug and anchor so the order never depends on load order.
    updates.sort_by(|a, b| {
        b.1.at
            .cmp(&a.1.at)
            .then_with(|| a.0.slug.cmp(&b.0.slug))
            .then_with(|| a.1.anchor.cmp(&b.1.anchor))
    });
    updates.truncate(FEED_ITEMS);

    let items = updates
        .iter()
        .map(|(incident, update)| {
            let link = format!("{base}/incidents/{}/#{}", incident.slug, update.anchor);
            let mut html = markdown::to_html(&update.body, 3);
            if let Some(next) = update.promise(config.default_next_update) {
                let t = TimeView::new(next, config.timezone);
                html.push_str(&format!("<p><em>Next update by {}.</em></p>", t.full));
            }
            let names: Vec<&str> = incident
                .current_components()
                .iter()
                .map(|&c| config.components[c].name.as_str())
                .collect();
            if !names.is_empty() {
                html.push_str(&format!("<p>Affected: {}</p>", escape(&names.join(", "))));
            }
            ItemBuilder::default()
                .title(Some(format!(
                    "[{}] {}",
                    update.state.label(),
                    incident.title
                )))
                .link(Some(link.clone()))
                .guid(Some(
                    GuidBuilder::default().value(link).permalink(true).build(),
                ))
                .pub_date(Some(update.at.to_rfc2822()))
                .description(Some(html))
                .build()
        })
        .collect::<Vec<_>>();

    // Derived from content, not the clock, so an unchanged site gives an unchanged feed.
    let last = updates.first().map(|(_, u)| u.at.to_rfc2822());
    let self_link = Link {
        href: format!("{base}/feed.xml"),
        rel: "self".into(),
        mime_type: Some("application/rss+xml".into()),
        ..Default::default()
    };
    let channel = ChannelBuilder::default()
        .title(config.title.clone())
        .link(format!("{base}/"))
        .description(
            config
                .description
                .clone()
                .unwrap_or_else(|| format!("Incidents and updates from {}", config.title)),
        )
        .language(Some("en".to_string()))
        .ttl(Some("5".to_string()))
        .last_build_date(last.clone())
        .pub_date(last)
        .atom_ext(Some(
            AtomExtensionBuilder::default()
                .links(vec![self_link])
                .build(),
        ))
        .items(items)
        .build();
    let mut out = channel.to_string().into_bytes();
    out.push(b'\n');
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
