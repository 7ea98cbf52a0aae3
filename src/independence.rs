//! Whether the status page stands apart from what it reports on: a page
//! hosted under the product's own domain, or one that loads a stylesheet,
//! script, font, frame or image from another host, goes down with them.

use std::path::Path;

use pulldown_cmark::{Event, Parser, Tag};

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Site;
use crate::render::hosting::host;

/// Second-level suffixes under which registrations happen one level down
/// (`acme.co.uk`). Not the whole Public Suffix List: enough for the common
/// cases, and the cost of a miss is a missed warning, never a wrong build.
const TWO_LEVEL_SUFFIXES: &[&str] = &[
    "co.uk", "org.uk", "ac.uk", "gov.uk", "ltd.uk", "plc.uk", "me.uk", "com.au", "net.au",
    "org.au", "co.nz", "org.nz", "co.jp", "ne.jp", "or.jp", "com.br", "com.cn", "com.mx", "co.in",
    "co.za", "com.sg", "com.tr", "co.kr", "com.hk", "com.tw",
];

/// The domain someone registered: `status.acme.co.uk` -> `acme.co.uk`.
pub fn registrable(host: &str) -> String {
    let host = host.trim_end_matches('.').to_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    let keep = if labels.len() >= 3
        && TWO_LEVEL_SUFFIXES.contains(&labels[labels.len() - 2..].join(".").as_str())
    {
        3
    } else {
        2
    };
    labels[labels.len().saturating_sub(keep)..].join(".")
}

/// Every way the site depends on something it should stand apart from.
pub fn findings(site: &Site, root: &Path) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let config = &site.config;
    let config_path = crate::fs::display_path(root, Path::new(crate::config::FILE_NAME));
    let config_text =
        std::fs::read_to_string(root.join(crate::config::FILE_NAME)).unwrap_or_default();
    let line_of = |needle: &str| {
        config_text
            .lines()
            .position(|l| l.contains(needle))
            .map_or(0, |i| i + 1)
    };
    if let Some(site_host) = host(&config.base_url) {
        let ours = registrable(site_host);
        let mut clash = |what: String, line: usize| {
            out.push(
                Diagnostic::file(
                    Severity::Warning,
                    config_path.clone(),
                    line,
                    1,
                    format!("the status page is published under `{ours}`, the same domain as {what}"),
                )
                .with_code("not-independent")
                .with_help("publish the status page on a domain of its own, with DNS at another provider: when the product's domain or DNS fails, the status page must stay up"),
            );
        };
        for domain in &config.primary_domains {
            if registrable(domain) == ours {
                clash(
                    format!("the primary domain `{domain}`"),
                    line_of("primary_domains"),
                );
            }
        }
        for component in &config.components {
            if let Some(h) = component.url.as_deref().and_then(host) {
                if registrable(h) == ours {
                    clash(
                        format!("the component `{}` ({h})", component.id),
                        line_of(component.url.as_deref().unwrap_or("")),
                    );
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

    #[test]
    fn registrable_domains() {
        assert_eq!(registrable("status.acme.com"), "acme.com");
        assert_eq!(registrable("api.eu.acme.co.uk"), "acme.co.uk");
        assert_eq!(registrable("acme.com."), "acme.com");
        assert_eq!(registrable("localhost"), "localhost");
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
