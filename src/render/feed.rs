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
#[derive(Clone)]
pub(super) struct FeedSpec {
    pub title: String,
    pub description: String,
    /// The feed's own path, for its self link.
    pub path: String,
    /// Whether a component index is one the feed follows (`None`: every component).
    pub component: Option<usize>,
}

/// One feed item: an incident update or a maintenance update.
struct Item {
    at: chrono::DateTime<chrono::Utc>,
    title: String,
    link: String,
    html: String,
}

type Entry<'a> = (chrono::DateTime<chrono::Utc>, (&'a str, &'a str), Ref<'a>);

/// The updates one feed carries: the newest, bounded, newest first.
pub(super) struct Selection<'a> {
    refs: Vec<Entry<'a>>,
}

impl Selection<'_> {
    /// Everything the feed is made from: when it has not changed, neither has
    /// the feed, and a rebuild after one edit need not render it again.
    pub(super) fn fingerprint(&self, base: u64, spec: &FeedSpec, site: &Site) -> u64 {
        let mut parts: Vec<Vec<u8>> = vec![
            base.to_le_bytes().to_vec(),
            spec.title.as_bytes().to_vec(),
            spec.description.as_bytes().to_vec(),
            spec.path.as_bytes().to_vec(),
        ];
        for (_, _, r) in &self.refs {
            let (print, index) = match r {
                Ref::Incident(i, index) => (i.fingerprint, *index),
                Ref::Maintenance(m, index) => (m.fingerprint, *index),
            };
            parts.push([print.to_le_bytes(), (index as u64).to_le_bytes()].concat());
        }
        if self.refs.is_empty() {
            // An empty Atom feed is dated by the newest update anywhere.
            let newest = site.incidents.iter().map(|i| i.latest().at).max();
            parts.push(format!("{newest:?}").into_bytes());
        }
        crate::model::fingerprint(&parts.iter().map(Vec::as_slice).collect::<Vec<_>>())
    }
}

/// Picks the newest updates the feed carries.
pub(super) fn select<'a>(site: &'a Site, spec: &FeedSpec) -> Selection<'a> {
    let wanted = |components: &[usize]| spec.component.is_none_or(|c| components.contains(&c));
    // Ties at the same minute are ordered by slug and anchor, so order never depends on load order.
    // Borrowed keys: twelve feeds over every update of a large site must not allocate per update.
    let mut refs: Vec<Entry<'a>> = Vec::new();
    for incident in site
        .incidents
        .iter()
        .filter(|i| spec.component.is_none_or(|c| i.touches(c)))
    {
        for (index, update) in incident.updates.iter().enumerate() {
            refs.push((
                update.at,
                (incident.slug.as_str(), update.anchor.as_str()),
                Ref::Incident(incident, index),
            ));
        }
    }
    for m in site.maintenance.iter().filter(|m| wanted(&m.components)) {
        for (index, update) in m.updates.iter().enumerate() {
            refs.push((
                update.at,
                (m.slug.as_str(), update.anchor.as_str()),
                Ref::Maintenance(m, index),
            ));
        }
    }
    let order = |a: &Entry<'_>, b: &Entry<'_>| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1));
    // Only the newest few are kept: find them, then sort those alone.
    if refs.len() > FEED_ITEMS {
        refs.select_nth_unstable_by(FEED_ITEMS - 1, order);
        refs.truncate(FEED_ITEMS);
    }
    refs.sort_by(order);
    Selection { refs }
}

/// The selected updates as feed items.
fn items(site: &Site, selection: &Selection<'_>) -> Vec<Item> {
    let config = &site.config;
    let strings = &config.strings;
    selection
        .refs
        .iter()
        .map(|&(at, _, ref r)| match *r {
            Ref::Incident(incident, index) => {
                let update = &incident.updates[index];
                Item {
                    at,
                    title: strings.text(
                        "feed_item",
                        &[
                            ("state", &crate::view::state_label(update.state, strings)),
                            ("title", &incident.title),
                        ],
                    ),
                    link: format!(
                        "{}/incidents/{}/#{}",
                        config.base_url, incident.slug, update.anchor
                    ),
                    html: body(site, incident, update, index),
                }
            }
            Ref::Maintenance(m, index) => {
                let update = &m.updates[index];
                let names: Vec<String> = m
                    .components
                    .iter()
                    .map(|&c| config.components[c].name.clone())
                    .collect();
                let starts = TimeView::new(m.starts, config.timezone, strings).full;
                let ends = TimeView::new(m.ends, config.timezone, strings).full;
                let window = format!(
                    "<p>{}</p><p>{}</p>",
                    escape(&strings.text("feed_window", &[("starts", &starts), ("ends", &ends)])),
                    escape(
                        &strings.text("feed_affected", &[("components", &strings.list(&names))])
                    )
                );
                let state = crate::view::maintenance_state_label(update.state, strings);
                Item {
                    at,
                    title: strings.text(
                        "feed_maintenance_item",
                        &[("state", &state.to_lowercase()), ("title", &m.title)],
                    ),
                    link: format!(
                        "{}/maintenance/{}/#{}",
                        config.base_url, m.slug, update.anchor
                    ),
                    html: markdown::to_html(&update.body, 3) + &window,
                }
            }
        })
        .collect()
}

enum Ref<'a> {
    Incident(&'a Incident, usize),
    Maintenance(&'a crate::model::Maintenance, usize),
}

/// The update's text as HTML, with the promise and the components affected when it was posted.
fn body(site: &Site, incident: &Incident, update: &Update, index: usize) -> String {
    let config = &site.config;
    let strings = &config.strings;
    let mut html = markdown::to_html(&update.body, 3);
    if let Some(next) = update.promise(config.default_next_update) {
        let t = TimeView::new(next, config.timezone, strings);
        let line = strings.text("next_update_by", &[("time", &t.full)]);
        html.push_str(&format!("<p><em>{}</em></p>", escape(&line)));
    }
    let names: Vec<String> = incident
        .components_after(index)
        .iter()
        .map(|&c| config.components[c].name.clone())
        .collect();
    if !names.is_empty() {
        let line = strings.text("feed_affected", &[("components", &strings.list(&names))]);
        html.push_str(&format!("<p>{}</p>", escape(&line)));
    }
    html
}

pub(super) fn rss<'a>(site: &'a Site, spec: &FeedSpec, selection: &Selection<'a>) -> Vec<u8> {
    let base = &site.config.base_url;
    let entries = items(site, selection);
    let items = entries
        .iter()
        .map(|item| {
            ItemBuilder::default()
                .title(Some(item.title.clone()))
                .link(Some(item.link.clone()))
                .guid(Some(
                    GuidBuilder::default()
                        .value(item.link.clone())
                        .permalink(true)
                        .build(),
                ))
                .pub_date(Some(item.at.to_rfc2822()))
                .description(Some(item.html.clone()))
                .build()
        })
        .collect::<Vec<_>>();
    // Derived from content, not the clock, so an unchanged site gives an unchanged feed.
    let last = entries.first().map(|item| item.at.to_rfc2822());
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
        .language(Some(site.config.strings.lang.clone()))
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
    // A translation or config value could still hold a character XML forbids,
    // and one such character makes readers reject the whole feed.
    let mut out = crate::markdown::without_hidden(&channel.to_string())
        .into_owned()
        .into_bytes();
    out.push(b'\n');
    out
}

pub(super) fn atom<'a>(site: &'a Site, spec: &FeedSpec, selection: &Selection<'a>) -> Vec<u8> {
    let base = &site.config.base_url;
    let items = items(site, selection);
    let entries: Vec<atom::Entry> = items
        .iter()
        .map(|item| {
            let mut entry = atom::Entry::default();
            entry.set_title(atom::Text::plain(item.title.clone()));
            // A tag URI would survive a change of base_url, but readers already follow this link.
            entry.set_id(item.link.clone());
            entry.set_updated(item.at.fixed_offset());
            entry.set_published(Some(item.at.fixed_offset()));
            let mut l = atom::Link::default();
            l.set_href(item.link.clone());
            l.set_rel("alternate");
            entry.set_links(vec![l]);
            let mut content = atom::Content::default();
            content.set_content_type(Some("html".to_string()));
            content.set_value(Some(item.html.clone()));
            entry.set_content(Some(content));
            entry
        })
        .collect();
    let mut feed = atom::Feed::default();
    feed.set_title(atom::Text::plain(spec.title.clone()));
    feed.set_subtitle(Some(atom::Text::plain(spec.description.clone())));
    feed.set_id(format!("{base}/{}", spec.path));
    let updated = items
        .first()
        .map(|item| item.at)
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
    feed.set_lang(Some(site.config.strings.lang.clone()));
    feed.set_entries(entries);
    // A translation or config value could still hold a character XML forbids,
    // and one such character makes readers reject the whole feed.
    let mut out = crate::markdown::without_hidden(&feed.to_string())
        .into_owned()
        .into_bytes();
    out.push(b'\n');
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
