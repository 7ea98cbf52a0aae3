//! From a loaded site to the bytes of every output file. Nothing here reads
//! the clock or the disk: the same site, templates and "now" give the same
//! bytes, handed to a [`Sink`] as each page is ready.

mod feed;
mod pages;

use std::collections::BTreeMap;

use crate::clock::Now;
use crate::model::Site;
use crate::output::{Memory, Sink};
use crate::templates::Templates;
use crate::view::IncidentView;

/// Every file of the built site: path relative to the output folder (with `/`) to bytes.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Output {
    pub fn add(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), bytes.into());
    }
}

/// How many updates the feed carries: enough for any reader polling hourly
/// through a busy incident, without the feed growing with the site's age.
pub const FEED_ITEMS: usize = 50;

/// How far back the home page lists resolved incidents.
pub const RECENT_DAYS: i64 = 14;

/// Renders the whole site in memory.
pub fn render(site: &Site, now: Now, templates: &Templates) -> anyhow::Result<Output> {
    let views = crate::view::incident_views(site);
    let memory = Memory::default();
    render_into(site, &views, now, templates, &|_| true, &memory)?;
    Ok(Output {
        files: memory.into_files(),
    })
}

/// Renders the site into `sink`. `views` are the incidents' views, in the
/// site's order. An incident page is rendered only when `stale(slug)` says
/// so; otherwise the sink is told the page from the last build still stands.
pub fn render_into(
    site: &Site,
    views: &[IncidentView],
    now: Now,
    templates: &Templates,
    stale: &(dyn Fn(&str) -> bool + Sync),
    sink: &dyn Sink,
) -> anyhow::Result<()> {
    pages::render(site, views, now, templates, stale, sink)?;
    sink.put("feed.xml", feed::rss(site))
}
