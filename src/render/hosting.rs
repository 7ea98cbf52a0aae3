//! The files static hosts look for, so the output runs on any of them with no
//! server configuration: `.nojekyll` and `CNAME` (GitHub Pages), `_headers`
//! (Netlify, Cloudflare Pages), `robots.txt` and `sitemap.xml`.

use crate::model::Site;

/// How long readers' browsers and CDNs may keep a page, feed or JSON file:
/// short, so a new update reaches them within a minute of publishing on hosts
/// that read `_headers` (GitHub Pages does not, and keeps every file for 10
/// minutes). The site has no content-addressed files (CSS is inlined), so
/// nothing gets longer.
pub const MAX_AGE_SECONDS: u32 = 60;

/// Pages run no script and load nothing from elsewhere; the policy says so, so
/// that even injected markup could not. (`connect-src 'self'` lets auditing
/// tools fetch robots.txt from the page; with no script allowed, nothing else can.)
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The host of an absolute URL, without port.
pub fn host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    Some(host.split(':').next().unwrap_or(host)).filter(|h| !h.is_empty())
}

/// The path of `base_url` (`/status` for `https://acme.github.io/status`), without a trailing slash.
fn base_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/')
        .map_or("", |i| &rest[i..])
        .trim_end_matches('/')
}

pub fn files(site: &Site) -> Vec<(String, Vec<u8>)> {
    let base = &site.config.base_url;
    let mut out = vec![(".nojekyll".to_string(), Vec::new())];
    // A custom domain on GitHub Pages needs a CNAME file; its own domains and other hosts ignore it.
    if let Some(host) = host(base) {
        if !host.ends_with(".github.io") && base_path(base).is_empty() {
            out.push(("CNAME".into(), format!("{host}\n").into_bytes()));
        }
    }
    let prefix = base_path(base);
    out.push((
        "_headers".into(),
        format!(
            "{prefix}/*\n  Cache-Control: public, max-age={MAX_AGE_SECONDS}\n  Content-Security-Policy: {CONTENT_SECURITY_POLICY}\n  X-Content-Type-Options: nosniff\n  Referrer-Policy: no-referrer\n\n\
             {prefix}/feed.xml\n  Content-Type: application/rss+xml; charset=utf-8\n\n\
             {prefix}/feed.atom\n  Content-Type: application/atom+xml; charset=utf-8\n"
        )
        .into_bytes(),
    ));
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
        assert_eq!(host("https://status.acme.net"), Some("status.acme.net"));
        assert_eq!(
            host("https://user@status.acme.net:8443/x"),
            Some("status.acme.net")
        );
        assert_eq!(base_path("https://acme.github.io/status/"), "/status");
        assert_eq!(base_path("https://status.acme.net"), "");
    }
}
