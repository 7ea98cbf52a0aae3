//! From a loaded site to the bytes of every output file, in memory. Nothing
//! here touches the disk or reads the clock: the same site, templates and
//! "now" give the same bytes.

mod feed;
mod pages;

use std::collections::BTreeMap;

use crate::clock::Now;
use crate::model::Site;
use crate::templates::Templates;

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

pub fn render(site: &Site, now: Now, templates: &Templates) -> anyhow::Result<Output> {
    let mut output = Output::default();
    pages::render(site, now, templates, &mut output)?;
    output.add("feed.xml", feed::rss(site));
    Ok(output)
}
