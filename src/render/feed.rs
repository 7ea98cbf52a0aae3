//! The feeds: RSS 2.0 (`feed.xml`) and Atom (`feed.atom`) for the whole site,
//! and RSS per component (`components/<id>/feed.xml`) for customers who use only
//! some of it. One item per update, so a reader notices every new update.

use atom_syndication as atom;
use rss::extension::atom::{AtomExtensionBuilder, Link};
use rss::{ChannelBuilder, GuidBuilder, ItemBuilder};

use super::FEED_ITEMS;
use crate::markdown;
use crate::model::{Incident, Site, Update};
use crate::view::TimeView;

/// Which updates a feed carries, and what it is called.
pub struct FeedSpec<'a> {
    pub title: String,
    pub description: String,
    /// The feed's own path, for its self link.
    pub path: String,
    pub include: &'a dyn Fn(&Incident) -> bool,
}

/// The newest updates of the incidents `spec` includes, newest first, bounded.
fn items<'s>(site: &'s Site, spec: &FeedSpec<'_>) -> Vec<(&'s Incident, &'s Update)> {
    let mut updates: Vec<(&Incident, &Update)> = site
        .incidents
        .iter()
        .filter(|i| (spec.include)(i))
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
    updates
}

fn link(site: &Site, incident: &Incident, update: &Update) -> String {
    format!(
        "{}/incidents/{}/#{}",
        site.config.base_url, incident.slug, update.anchor
    )
}

fn title(incident: &Incident, update: &Update) -> String {
    format!("[{}] {}", update.state.label(), incident.title)
}

/// The update's text as HTML, with the promise and the affected components.
fn body(site: &Site, incident: &Incident, update: &Update) -> String {
    let config = &site.config;
    let mut html = markdown::to_html(&update.body, 3);
    if let Some(next) = update.promise(config.default_next_update) {
        let t = TimeView::new(next, config.timezone);
        html.push_str(&format!("<p><em>Next update by {}.</em></p>", t.full));
    }
    // The components when this update was posted: a later change must not rewrite old items.
    let index = incident
        .updates
        .iter()
        .position(|u| std::ptr::eq(u, update))
        .unwrap_or(0);
    let names: Vec<&str> = incident
        .components_after(index)
        .iter()
        .map(|&c| config.components[c].name.as_str())
        .collect();
    if !names.is_empty() {
        html.push_str(&format!("<p>Affected: {}</p>", escape(&names.join(", "))));
    }
    html
}

pub fn rss(site: &Site, spec: &FeedSpec<'_>) -> Vec<u8> {
    let base = &site.config.base_url;
    let updates = items(site, spec);
    let items = updates
        .iter()
        .map(|(incident, update)| {
            let link = link(site, incident, update);
            ItemBuilder::default()
                .title(Some(title(incident, update)))
                .link(Some(link.clone()))
                .guid(Some(
                    GuidBuilder::default().value(link).permalink(true).build(),
                ))
                .pub_date(Some(update.at.to_rfc2822()))
                .description(Some(body(site, incident, update)))
                .build()
        })
        .collect::<Vec<_>>();
    // Derived from content, not the clock, so an unchanged site gives an unchanged feed.
    let last = updates.first().map(|(_, u)| u.at.to_rfc2822());
    let self_link = Link {
        href: format!("{base}/{}", spec.path),
        rel: "self".into(),
        mime_type: Some("application/rss+xml".into()),
        ..Default::default()
    };
    let channel = ChannelBuilder::default()
        .title(spec.title.clone())
        .link(format!("{base}/"))
        .description(spec.description.clone())
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

pub fn atom(site: &Site, spec: &FeedSpec<'_>) -> Vec<u8> {
    let base = &site.config.base_url;
    let updates = items(site, spec);
    let entries: Vec<atom::Entry> = updates
        .iter()
        .map(|(incident, update)| {
            let link = link(site, incident, update);
            let mut entry = atom::Entry::default();
            entry.set_title(atom::Text::plain(title(incident, update)));
            // A tag URI would survive a change of base_url, but readers already follow this link.
            entry.set_id(link.clone());
            entry.set_updated(update.at.fixed_offset());
            entry.set_published(Some(update.at.fixed_offset()));
            let mut l = atom::Link::default();
            l.set_href(link);
            l.set_rel("alternate");
            entry.set_links(vec![l]);
            let mut content = atom::Content::default();
            content.set_content_type(Some("html".to_string()));
            content.set_value(Some(body(site, incident, update)));
            entry.set_content(Some(content));
            entry
        })
        .collect();
    let mut feed = atom::Feed::default();
    feed.set_title(atom::Text::plain(spec.title.clone()));
    feed.set_subtitle(Some(atom::Text::plain(spec.description.clone())));
    feed.set_id(format!("{base}/{}", spec.path));
    let updated = updates
        .first()
        .map(|(_, u)| u.at)
        .or_else(|| site.incidents.iter().map(|i| i.latest().at).max())
        .unwrap_or_default();
    feed.set_updated(updated.fixed_offset());
    let mut author = atom::Person::default();
    author.set_name(site.config.title.clone());
    author.set_uri(Some(format!("{base}/")));
    feed.set_authors(vec![author]);
    let mut self_link = atom::Link::default();
    self_link.set_href(format!("{base}/{}", spec.path));
    self_link.set_rel("self");
    self_link.set_mime_type(Some("application/atom+xml".to_string()));
    let mut alternate = atom::Link::default();
    alternate.set_href(format!("{base}/"));
    alternate.set_rel("alternate");
    feed.set_links(vec![self_link, alternate]);
    feed.set_lang(Some("en".to_string()));
    feed.set_entries(entries);
    let mut out = feed.to_string().into_bytes();
    out.push(b'\n');
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
