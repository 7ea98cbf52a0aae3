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

/// Minifies a page; spec-compliant settings only, so every browser reads it the same way.
pub fn minify(html: &str) -> Vec<u8> {
    let mut cfg = minify_html::Cfg::new();
    cfg.keep_html_and_head_opening_tags = true;
    // Omitted end tags are valid HTML but trip simpler parsers (scrapers, old readers) for a few bytes saved.
    cfg.keep_closing_tags = true;
    cfg.minify_css = false;
    minify_html::minify(html.as_bytes(), &cfg)
}

/// Minifies the stylesheet once per build rather than once per page.
pub fn minify_css(css: &str) -> String {
    let mut cfg = minify_html::Cfg::new();
    cfg.minify_css = true;
    let wrapped = format!("<style>{css}</style>");
    let out = String::from_utf8(minify_html::minify(wrapped.as_bytes(), &cfg)).unwrap_or_default();
    out.strip_prefix("<style>")
        .and_then(|s| s.strip_suffix("</style>"))
        .map(str::to_string)
        // Should the minifier ever change its framing, the original CSS is still correct.
        .unwrap_or_else(|| css.to_string())
}
