//! What the output offers other clients: Atom and per-component feeds, the
//! Statuspage-compatible JSON API, the badge, and the files static hosts read.

use crate::support::{assert_inert, text, TestSite};

fn site_with_incidents() -> TestSite {
    let site = TestSite::new();
    site.incident(
        "2026-11-22-api-errors",
        "+++\ntitle = \"Elevated error rates on the Public API\"\nimpact = \"major\"\ncomponents = [\"api\"]\n+++\n\n\
         +++\nstate = \"investigating\"\nat = 2026-11-22T14:05:00Z\nnext_update = \"30m\"\n+++\nSome requests to the Public API fail with <b>503</b>.\n\n\
         +++\nstate = \"monitoring\"\nat = 2026-11-22T14:30:00Z\ncomponents = [\"api\", \"db\"]\nimpact = \"critical\"\n+++\nA fix is in place.\n",
    );
    site.incident(
        "2026-11-01-slow-dashboard",
        "+++\ntitle = \"Slow dashboard\"\nimpact = \"minor\"\ncomponents = [\"dashboard\"]\n+++\n\n\
         +++\nstate = \"investigating\"\nat = 2026-11-01T09:00:00Z\n+++\nThe dashboard is slow.\n\n\
         +++\nstate = \"resolved\"\nat = 2026-11-01T10:00:00Z\n+++\nResolved.\n",
    );
    site.build("2026-11-22T14:40:00Z");
    site
}

fn json(site: &TestSite, path: &str) -> serde_json::Value {
    serde_json::from_str(&site.read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_statuspage_api_uses_its_field_names_and_enums() {
    let site = site_with_incidents();
    let status = json(&site, "site/api/v2/status.json");
    assert_eq!(status["status"]["indicator"], "critical");
    assert_eq!(status["status"]["description"], "Major System Outage");
    assert_eq!(status["page"]["name"], "Acme Cloud Status");
    assert_eq!(status["page"]["url"], "https://status.acme-status.net");
    assert_eq!(status["page"]["time_zone"], "Europe/London");
    assert_eq!(status["page"]["updated_at"], "2026-11-22T14:30:00.000Z");

    let components = json(&site, "site/api/v2/components.json");
    let list = components["components"].as_array().unwrap();
    let api = list.iter().find(|c| c["id"] == "api").unwrap();
    assert_eq!(api["status"], "major_outage");
    assert_eq!(api["name"], "Public API");
    assert_eq!(api["group"], false);
    assert_eq!(api["group_id"], "group-platform");
    let dashboard = list.iter().find(|c| c["id"] == "dashboard").unwrap();
    assert_eq!(dashboard["status"], "operational");
    let platform = list.iter().find(|c| c["id"] == "group-platform").unwrap();
    assert_eq!(platform["group"], true);
    assert_eq!(platform["status"], "major_outage");
    assert_eq!(
        platform["components"],
        serde_json::json!(["api", "dashboard"])
    );
    let allowed = [
        "operational",
        "degraded_performance",
        "partial_outage",
        "major_outage",
        "under_maintenance",
    ];
    for c in list {
        assert!(allowed.contains(&c["status"].as_str().unwrap()), "{c}");
    }

    let incidents = json(&site, "site/api/v2/incidents.json");
    let first = &incidents["incidents"][0];
    assert_eq!(first["id"], "2026-11-22-api-errors");
    assert_eq!(first["name"], "Elevated error rates on the Public API");
    // `verifying` (written here as `monitoring`) is Statuspage's `monitoring`.
    assert_eq!(first["status"], "monitoring");
    assert_eq!(first["impact"], "critical");
    assert_eq!(first["monitoring_at"], "2026-11-22T14:30:00.000Z");
    assert_eq!(first["resolved_at"], serde_json::Value::Null);
    assert_eq!(
        first["shortlink"],
        "https://status.acme-status.net/incidents/2026-11-22-api-errors/"
    );
    let updates = first["incident_updates"].as_array().unwrap();
    assert_eq!(updates.len(), 2);
    assert_eq!(updates[0]["status"], "monitoring", "newest first");
    assert_eq!(
        updates[1]["body"], "Some requests to the Public API fail with <b>503</b>.",
        "plain text, as written"
    );
    assert_eq!(updates[0]["affected_components"][1]["code"], "db");
    let resolved = &incidents["incidents"][1];
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["resolved_at"], "2026-11-01T10:00:00.000Z");
    for i in incidents["incidents"].as_array().unwrap() {
        assert!([
            "investigating",
            "identified",
            "monitoring",
            "resolved",
            "postmortem"
        ]
        .contains(&i["status"].as_str().unwrap()));
        assert!(["none", "minor", "major", "critical"].contains(&i["impact"].as_str().unwrap()));
    }

    let unresolved = json(&site, "site/api/v2/incidents/unresolved.json");
    assert_eq!(unresolved["incidents"].as_array().unwrap().len(), 1);
    let summary = json(&site, "site/api/v2/summary.json");
    assert_eq!(summary["status"]["indicator"], "critical");
    assert_eq!(summary["incidents"][0]["id"], "2026-11-22-api-errors");
    assert_eq!(summary["scheduled_maintenances"], serde_json::json!([]));
    assert_eq!(summary["components"], components["components"]);
}

#[test]
fn atom_and_component_feeds_parse_and_carry_the_right_updates() {
    let site = site_with_incidents();
    let atom = feed_rs::parser::parse(site.read("site/feed.atom").as_bytes()).expect("valid Atom");
    assert_eq!(atom.feed_type, feed_rs::model::FeedType::Atom);
    let titles: Vec<String> = atom
        .entries
        .iter()
        .map(|e| e.title.clone().unwrap().content)
        .collect();
    assert_eq!(
        titles[0],
        "[Verifying] Elevated error rates on the Public API"
    );
    assert_eq!(titles.len(), 4);
    for entry in &atom.entries {
        assert_inert(
            "feed.atom",
            &entry.content.as_ref().unwrap().body.clone().unwrap(),
        );
    }

    // The dashboard's feed has only the dashboard incident; the database's only the one that spread to it.
    let dashboard =
        feed_rs::parser::parse(site.read("site/components/dashboard/feed.xml").as_bytes()).unwrap();
    let titles: Vec<String> = dashboard
        .entries
        .iter()
        .map(|e| e.title.clone().unwrap().content)
        .collect();
    assert_eq!(
        titles,
        [
            "[Resolved] Slow dashboard",
            "[Investigating] Slow dashboard"
        ]
    );
    let db = feed_rs::parser::parse(site.read("site/components/db/feed.xml").as_bytes()).unwrap();
    assert_eq!(db.entries.len(), 2);
    assert!(db.title.unwrap().content.contains("Databases"));

    // Pages point readers' feed software at all of them.
    let index = site.read("site/index.html");
    for href in [
        "feed.xml",
        "feed.atom",
        "components/api/feed.xml",
        "components/db/feed.xml",
    ] {
        assert!(
            index.contains(&format!("href={href}")) || index.contains(&format!("href=\"{href}\"")),
            "{href}"
        );
    }
}

#[test]
fn static_hosts_get_what_they_look_for() {
    let site = site_with_incidents();
    assert!(site.exists("site/.nojekyll"));
    assert_eq!(site.read("site/CNAME"), "status.acme-status.net\n");
    let headers = site.read("site/_headers");
    assert!(
        headers.starts_with("/*\n  Cache-Control: public, max-age=60\n"),
        "{headers}"
    );
    assert!(
        headers.contains("Content-Security-Policy: default-src 'none'"),
        "{headers}"
    );
    assert_eq!(
        site.read("site/robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://status.acme-status.net/sitemap.xml\n"
    );
    let sitemap = site.read("site/sitemap.xml");
    assert!(sitemap.contains("<loc>https://status.acme-status.net/incidents/2026-11-22-api-errors/</loc><lastmod>2026-11-22T14:30:00Z</lastmod>"), "{sitemap}");
    let not_found = site.read("site/404.html");
    assert!(text(&not_found).contains("Page not found"));
    // Served at any missing path, so its links cannot be relative.
    assert!(
        not_found.contains("href=https://status.acme-status.net/history/")
            || not_found.contains("href=\"https://status.acme-status.net/history/\""),
        "{not_found}"
    );
    let badge = site.read("site/badge.svg");
    assert!(
        badge.contains("aria-label=\"status: major outage\""),
        "{badge}"
    );

    // A GitHub Pages project site (a path under github.io) needs no CNAME, and paths in _headers follow it.
    let project = TestSite::new();
    project.write(
        "statuspost.toml",
        crate::support::CONFIG.replace(
            "https://status.acme-status.net",
            "https://acme.github.io/status",
        ),
    );
    project.build("2026-11-22T14:40:00Z");
    assert!(!project.exists("site/CNAME"));
    assert!(project.read("site/_headers").starts_with("/status/*\n"));
}

#[test]
fn check_warns_when_the_page_depends_on_what_it_reports_on() {
    let site = TestSite::empty();
    site.write(
        "statuspost.toml",
        "primary_domains = [\"acme.example\"]\n".to_string()
            + &crate::support::CONFIG
                .replace(
                    "https://status.acme-status.net",
                    "https://status.acme.co.uk",
                )
                .replace(
                    "description = \"REST and GraphQL endpoints\"",
                    "description = \"REST\"\nurl = \"https://api.acme.co.uk/v1\"",
                ),
    );
    site.write("templates/base.html", "<!DOCTYPE html>\n<html lang=\"en\"><head>\n<link rel=\"stylesheet\" href=\"https://cdn.example.net/theme.css\">\n<title>{% block title %}{% endblock title %}</title>{% block description %}{% endblock description %}{% block feeds %}{% endblock feeds %}\n</head><body>{% block main %}{% endblock main %}{% block generated %}{% endblock generated %}</body></html>\n");
    site.incident(
        "graph",
        "+++\ntitle = \"Latency\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n+++\nstate = \"resolved\"\nat = 2026-11-22T10:00:00Z\n+++\nLatency was high:\n\n![graph](https://grafana.acme.example/render.png)\n",
    );
    site.run(&["check", "--now", "2026-11-22T12:00:00Z"])
        .success()
        .expect_stderr("warning[not-independent]: the status page is published under `acme.co.uk`, the same domain as the component `api` (api.acme.co.uk)")
        .expect_stderr("warning[other-origin]: this template loads https://cdn.example.net/theme.css from another host\n  --> templates/base.html:3:30")
        .expect_stderr("warning[other-origin]: this image is on another host: https://grafana.acme.example/render.png\n  --> incidents/graph.md:12:10");
    // A primary domain elsewhere is fine: only the clash is reported.
    let run = site.run(&["check", "--now", "2026-11-22T12:00:00Z"]);
    assert!(!run.stderr().contains("primary domain"), "{}", run.stderr());
}

#[test]
fn sites_on_a_shared_host_are_not_one_domain() {
    // Regression: `acme.github.io` and `other.github.io` were reported as one
    // domain, as were any two sites on netlify.app or pages.dev.
    let site = TestSite::empty();
    site.write(
        "statuspost.toml",
        crate::support::CONFIG
            .replace(
                "https://status.acme-status.net",
                "https://acme.github.io/status",
            )
            .replace(
                "description = \"REST and GraphQL endpoints\"",
                "description = \"REST\"\nurl = \"https://other.github.io/api\"",
            )
            .replace(
                "name = \"Databases\"",
                "name = \"Databases\"\nurl = \"https://db.acme.github.io\"",
            ),
    );
    let run = site
        .run(&["check", "--now", "2026-11-22T12:00:00Z"])
        .success()
        .expect_stderr("warning[not-independent]: the status page is published under `acme.github.io`, the same domain as the component `db` (db.acme.github.io)");
    assert!(
        !run.stderr().contains("other.github.io"),
        "{}",
        run.stderr()
    );
}
