//! Whether the status page stands apart from what it reports on: a page
//! hosted under the product's own domain, or one that loads a stylesheet,
//! script, font, frame or image from another host, goes down with them.

use std::path::Path;

use pulldown_cmark::{Event, Parser, Tag};

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Site;

/// The host of an absolute URL as the browser resolves it: lowercased, in
/// ASCII (IDNA) for http(s), an IPv6 address in brackets.
pub(crate) fn host(url: &str) -> Option<String> {
    let url = url::Url::parse(url.trim()).ok()?;
    url.host_str().filter(|h| !h.is_empty()).map(str::to_string)
}

/// The domain someone registered, by the Public Suffix List: `status.acme.co.uk`
/// -> `acme.co.uk`, and `status.acme.github.io` -> `acme.github.io`, since
/// github.io hands out names as a registry does. An IP address, or a name
/// with nothing registrable in it (`localhost`), is its own domain.
pub(crate) fn registrable(host: &str) -> String {
    let host = host.trim_end_matches('.');
    match url::Host::parse(host) {
        Ok(url::Host::Domain(domain)) => {
            psl::domain_str(&domain).map_or_else(|| domain.clone(), str::to_string)
        }
        Ok(ip) => ip.to_string(),
        Err(_) => host.to_lowercase(),
    }
}

/// Every way the site depends on something it should stand apart from.
pub(crate) fn findings(site: &Site, root: &Path) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let config = &site.config;
    let spans = &config.spans;
    if let Some(site_host) = host(&config.base_url) {
        let ours = registrable(&site_host);
        let mut clash = |what: String, span: &std::ops::Range<usize>| {
            out.push(
                Diagnostic::warning(
                    &spans.source,
                    span.clone(),
                    format!("the status page is published under `{ours}`, the same domain as {what}"),
                )
                .with_code("not-independent")
                .with_help("publish the status page on a domain of its own, with DNS at another provider: when the product's domain or DNS fails, the status page must stay up"),
            );
        };
        for (domain, span) in config.primary_domains.iter().zip(&spans.primary_domains) {
            if registrable(domain) == ours {
                clash(format!("the primary domain `{domain}`"), span);
            }
        }
        for (component, span) in config.components.iter().zip(&spans.component_urls) {
            let url = component.url.as_deref().zip(span.as_ref());
            if let Some((h, span)) = url.and_then(|(url, span)| Some((host(url)?, span))) {
                if registrable(&h) == ours {
                    clash(format!("the component `{}` ({h})", component.id), span);
                }
            }
        }
    }
    out.extend(template_findings(root));
    for incident in &site.incidents {
        for update in &incident.updates {
            for url in remote_images(&update.body) {
                let (line, col) = position(&update.body, &url);
                out.push(
                    Diagnostic::file(Severity::Warning, incident.path.clone(), update.body_line + line, col, format!("this image is on another host: {url}"))
                        .with_code("other-origin")
                        .with_help("a status page loads nothing from other hosts, so the image is shown as a link; put the information in words"),
                );
            }
        }
    }
    out
}

fn remote_images(markdown: &str) -> Vec<String> {
    // Every image in markdown starts `![`: most updates have none, and parsing
    // every update of a large site's history costs more than rendering a page.
    if !markdown.contains("![") {
        return Vec::new();
    }
    Parser::new(markdown)
        .filter_map(|event| match event {
            Event::Start(Tag::Image { dest_url, .. }) if is_remote(&dest_url) => {
                Some(dest_url.to_string())
            }
            _ => None,
        })
        .collect()
}

fn is_remote(url: &str) -> bool {
    let u = url.trim().to_ascii_lowercase();
    u.starts_with("http://") || u.starts_with("https://") || u.starts_with("//")
}

fn position(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).unwrap_or(0);
    let before = &text[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count(),
        before[line_start..].chars().count() + 1,
    )
}

/// References in the site's own templates that make a browser fetch from another host.
fn template_findings(root: &Path) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // A template that cannot be read fails the build, which says so; here it has nothing to report.
    let files = crate::fs::walk_files(&root.join(crate::templates::DIR)).unwrap_or_default();
    for (rel, path) in files {
        let Ok(text) = crate::fs::read_text(&path, crate::fs::MAX_FILE_BYTES) else {
            continue;
        };
        let display = crate::fs::display_path(root, &Path::new(crate::templates::DIR).join(rel));
        for (at, url) in fetched_urls(&text) {
            let before = &text[..at];
            let line = before.matches('\n').count();
            let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
                .chars()
                .count()
                + 1;
            out.push(
                Diagnostic::file(Severity::Warning, display.clone(), line + 1, col, format!("this template loads {url} from another host"))
                    .with_code("other-origin")
                    .with_help("inline it, or serve it from the status site itself: the page must render with every other host down"),
            );
        }
    }
    out
}

/// URLs a browser would fetch: `src=`, stylesheet and icon `href=`, CSS `url(` and `@import`.
fn fetched_urls(text: &str) -> Vec<(usize, String)> {
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut push = |start: usize| {
        let rest = &text[start..];
        let rest_trim = rest.trim_start_matches(['"', '\'', ' ']);
        let offset = start + (rest.len() - rest_trim.len());
        let end = rest_trim
            .find(['"', '\'', ' ', ')', '>', ';'])
            .unwrap_or(rest_trim.len());
        let url = &rest_trim[..end];
        if is_remote(url) {
            out.push((offset, url.to_string()));
        }
    };
    for attr in ["src=", "srcset=", "url(", "@import "] {
        for (i, _) in lower.match_indices(attr) {
            push(i + attr.len());
        }
    }
    // `href` fetches only on <link> elements that are not plain alternates (feeds).
    for (i, _) in lower.match_indices("<link") {
        let end = lower[i..].find('>').map_or(lower.len(), |e| i + e);
        let tag = &lower[i..end];
        if tag.contains("alternate") {
            continue;
        }
        if let Some(h) = tag.find("href=") {
            push(i + h + 5);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    #[test]
    fn registrable_domains() {
        assert_eq!(registrable("status.acme.com"), "acme.com");
        assert_eq!(registrable("api.eu.acme.co.uk"), "acme.co.uk");
        assert_eq!(registrable("acme.com."), "acme.com");
        assert_eq!(registrable("localhost"), "localhost");
    }

    #[test]
    fn sites_on_shared_hosts_are_their_own_domains() {
        // Regression: with a built-in list of two-part suffixes, every
        // `*.github.io`, `*.netlify.app` and `*.pages.dev` site was one domain.
        assert_eq!(registrable("acme.github.io"), "acme.github.io");
        assert_eq!(registrable("status.acme.github.io"), "acme.github.io");
        assert_ne!(
            registrable("acme.github.io"),
            registrable("other.github.io")
        );
        assert_ne!(
            registrable("acme.netlify.app"),
            registrable("other.netlify.app")
        );
        assert_ne!(
            registrable("acme.pages.dev"),
            registrable("other.pages.dev")
        );
        // Country suffixes the old list lacked.
        assert_eq!(registrable("status.acme.com.ar"), "acme.com.ar");
        assert_eq!(registrable("Status.ACME.co.jp"), "acme.co.jp");
    }

    #[test]
    fn hosts_come_from_a_real_url_parser() {
        // Regression: the hand-rolled parser gave `[` as the host of an IPv6 address.
        assert_eq!(
            host("https://[2001:db8::1]:8443/x").as_deref(),
            Some("[2001:db8::1]")
        );
        assert_eq!(registrable("[2001:db8::1]"), "[2001:db8::1]");
        assert_eq!(registrable("192.0.2.7"), "192.0.2.7");
        assert_eq!(
            host("https://user:pw@Status.Acme.NET:8443/x?y#z").as_deref(),
            Some("status.acme.net")
        );
        assert_eq!(host("mailto:ops@acme.net"), None);
        assert_eq!(host("not a url"), None);
    }

    fn site(config: &str) -> Site {
        let source = Source::new(Path::new("statuspost.toml"), config.into());
        let mut diags = Vec::new();
        let config =
            crate::config::parse(&source, &mut diags).unwrap_or_else(|| panic!("{diags:?}"));
        Site::new(config, Vec::new(), Vec::new())
    }

    #[test]
    fn findings_point_at_the_value_without_reading_the_file() {
        // Regression: positions came from searching the file on disk again for
        // the first line containing the text, and line 0 when it was not there.
        let site = site("title = \"t\"\nbase_url = \"https://status.acme.com\"\ntimezone = \"UTC\"\nprimary_domains = [\"example.org\", \"acme.com\"]\n\n[[components]]\nid = \"api\"\nname = \"API\"\nurl = \"https://api.acme.com\"\n");
        let found = findings(&site, Path::new("/nonexistent"));
        let places: Vec<String> = found.iter().map(Diagnostic::location).collect();
        assert_eq!(places, ["statuspost.toml:4:35", "statuspost.toml:9:7"]);
        assert!(
            found[1]
                .message
                .ends_with("the component `api` (api.acme.com)"),
            "{}",
            found[1]
        );
    }

    #[test]
    fn finds_what_a_browser_would_fetch() {
        let t = r#"<link rel="stylesheet" href="https://cdn.example/x.css"><link rel="alternate" href="https://elsewhere/feed.xml"><script src='//cdn.example/x.js'></script><style>@import "https://f.example/a.css"; body{background:url(https://i.example/b.png)}</style><a href="https://fine.example">ok</a>"#;
        let urls: Vec<String> = fetched_urls(t).into_iter().map(|(_, u)| u).collect();
        assert_eq!(urls.len(), 4, "{urls:?}");
        assert!(urls.contains(&"https://cdn.example/x.css".to_string()));
        assert!(!urls
            .iter()
            .any(|u| u.contains("fine.example") || u.contains("elsewhere")));
    }
}
