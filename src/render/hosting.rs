//! The files static hosts look for, so the output runs on any of them with no
//! server configuration: `.nojekyll` and `CNAME` (GitHub Pages), `_headers`
//! (Netlify, Cloudflare Pages), `robots.txt` and `sitemap.xml`.

use crate::model::Site;

/// How long readers' browsers and CDNs may keep a page, feed or JSON file:
/// short, so a new update reaches them within a minute of publishing on hosts
/// that read `_headers` (GitHub Pages does not, and keeps every file for 10
/// minutes). The site has no content-addressed files (CSS is inlined), so
/// nothing gets longer.
pub(crate) const MAX_AGE_SECONDS: u32 = 60;

/// Pages run no script and load nothing from elsewhere; the policy says so, so
/// that even injected markup could not. (`connect-src 'self'` lets auditing
/// tools fetch robots.txt from the page; with no script allowed, nothing else can.)
pub(crate) const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Pages: `serve` adds its reload script to files of this type and no others.
pub(crate) const HTML: &str = "text/html; charset=utf-8";

/// Types that go by a file's whole path: the two feeds share an extension
/// with the sitemap, and readers pick a parser by the type.
const BY_PATH: &[(&str, &str)] = &[("feed.xml", "application/rss+xml; charset=utf-8")];

const BY_EXTENSION: &[(&str, &str)] = &[
    ("html", HTML),
    ("htm", HTML),
    ("atom", "application/atom+xml; charset=utf-8"),
    ("xml", "application/xml; charset=utf-8"),
    ("css", "text/css; charset=utf-8"),
    ("js", "text/javascript; charset=utf-8"),
    ("json", "application/json"),
    ("svg", "image/svg+xml"),
    ("txt", "text/plain; charset=utf-8"),
    ("ics", "text/calendar; charset=utf-8"),
    ("png", "image/png"),
    ("ico", "image/x-icon"),
];

/// The files static hosts would send with the wrong type if `_headers` did not
/// name it: an RSS feed as plain XML, an Atom feed as a download.
const TYPED_IN_HEADERS: [&str; 2] = ["feed.xml", "feed.atom"];

/// What machines read: any origin may fetch it (a dashboard, a chat bot, a
/// browser extension). Pages stay same-origin. `*` ends a path, as hosts expect.
const READ_FROM_ANY_ORIGIN: [&str; 6] = [
    "api/v2/*",
    "feed.xml",
    "feed.atom",
    "components/*",
    "maintenance.ics",
    "badge.svg",
];

/// The `Content-Type` of an output file, by its path in the output folder.
/// The one table: `serve` sends it and `_headers` tells hosts to, so the
/// preview and the published site agree.
pub(crate) fn content_type(path: &str) -> &'static str {
    if let Some((_, content_type)) = BY_PATH.iter().find(|(p, _)| *p == path) {
        return content_type;
    }
    let extension = path.rsplit_once('.').map_or("", |(_, ext)| ext);
    BY_EXTENSION
        .iter()
        .find(|(ext, _)| ext.eq_ignore_ascii_case(extension))
        .map_or("application/octet-stream", |(_, content_type)| content_type)
}

/// The path of `base_url` (`/status` for `https://acme.github.io/status`), without a trailing slash.
fn base_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/')
        .map_or("", |i| &rest[i..])
        .trim_end_matches('/')
}

pub(crate) fn files(site: &Site) -> Vec<(String, Vec<u8>)> {
    let base = &site.config.base_url;
    let mut out = vec![(".nojekyll".to_string(), Vec::new())];
    // A custom domain on GitHub Pages needs a CNAME file; its own domains and other hosts ignore it.
    if let Some(host) = crate::independence::host(base) {
        if !host.ends_with(".github.io") && base_path(base).is_empty() {
            out.push(("CNAME".into(), format!("{host}\n").into_bytes()));
        }
    }
    let prefix = base_path(base);
    let mut headers = format!(
        "{prefix}/*\n  Cache-Control: public, max-age={MAX_AGE_SECONDS}\n  Content-Security-Policy: {CONTENT_SECURITY_POLICY}\n  X-Content-Type-Options: nosniff\n  Referrer-Policy: no-referrer\n"
    );
    for path in READ_FROM_ANY_ORIGIN {
        headers.push_str(&format!("\n{prefix}/{path}\n"));
        if TYPED_IN_HEADERS.contains(&path) {
            headers.push_str(&format!("  Content-Type: {}\n", content_type(path)));
        }
        headers.push_str("  Access-Control-Allow-Origin: *\n");
    }
    out.push(("_headers".into(), headers.into_bytes()));
    out.push((
        "robots.txt".into(),
        format!("User-agent: *\nAllow: /\n\nSitemap: {base}/sitemap.xml\n").into_bytes(),
    ));
    out.push(("sitemap.xml".into(), sitemap(site)));
    out
}

fn sitemap(site: &Site) -> Vec<u8> {
    let base = &site.config.base_url;
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let url = |xml: &mut String, loc: String, lastmod: Option<chrono::DateTime<chrono::Utc>>| {
        xml.push_str("<url><loc>");
        xml.push_str(&escape(&loc));
        xml.push_str("</loc>");
        if let Some(t) = lastmod {
            xml.push_str("<lastmod>");
            xml.push_str(&crate::clock::iso(t));
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    };
    // The home page changes with the clock; no lastmod rather than a false one.
    url(&mut xml, format!("{base}/"), None);
    url(
        &mut xml,
        format!("{base}/history/"),
        site.incidents.iter().map(|i| i.latest().at).max(),
    );
    for incident in &site.incidents {
        url(
            &mut xml,
            format!("{base}/incidents/{}/", incident.slug),
            Some(incident.latest().at),
        );
    }
    // Month pages show maintenance states that follow the clock: no lastmod.
    let tz = site.config.timezone;
    let mut months: Vec<(i32, u32)> = site
        .incidents
        .iter()
        .map(|i| crate::view::month_key(i.started_at(), tz))
        .chain(
            site.maintenance
                .iter()
                .map(|m| crate::view::month_key(m.starts, tz)),
        )
        .collect();
    months.sort_unstable_by(|a, b| b.cmp(a));
    months.dedup();
    for (y, m) in months {
        url(&mut xml, format!("{base}/history/{y:04}-{m:02}/"), None);
    }
    for m in &site.maintenance {
        url(&mut xml, format!("{base}/maintenance/{}/", m.slug), None);
    }
    url(&mut xml, format!("{base}/subscribe/"), None);
    // Their days follow the clock: no lastmod.
    for c in &site.config.components {
        url(&mut xml, format!("{base}/components/{}/", c.id), None);
    }
    xml.push_str("</urlset>\n");
    xml.into_bytes()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_paths() {
        assert_eq!(base_path("https://acme.github.io/status/"), "/status");
        assert_eq!(base_path("https://status.acme.net"), "");
    }

    #[test]
    fn content_types() {
        for (path, content_type) in [
            ("index.html", HTML),
            ("incidents/x/index.HTML", HTML),
            ("feed.xml", "application/rss+xml; charset=utf-8"),
            ("feed.atom", "application/atom+xml; charset=utf-8"),
            ("sitemap.xml", "application/xml; charset=utf-8"),
            ("maintenance.ics", "text/calendar; charset=utf-8"),
            ("api/v2/status.json", "application/json"),
            ("badge.svg", "image/svg+xml"),
            ("robots.txt", "text/plain; charset=utf-8"),
            ("style.css", "text/css; charset=utf-8"),
            ("CNAME", "application/octet-stream"),
            ("_headers", "application/octet-stream"),
        ] {
            assert_eq!(super::content_type(path), content_type, "{path}");
        }
    }
}
