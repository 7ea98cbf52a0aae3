//! Building sites: what a reader sees on the home page, incident pages and history.

use crate::support::{assert_balanced, assert_inert, between, tags, text, TestSite};

const API_ERRORS: &str = r#"+++
title = "Elevated error rates on the Public API"
impact = "major"            # minor | major | critical
components = ["api"]
+++

+++
state = "investigating"     # investigating | identified | verifying | resolved
at = 2026-11-22T14:05:00Z   # TOML datetime; without offset = site timezone
next_update = "30m"         # duration after `at`, or a datetime
+++
We are investigating elevated error rates on the Public API.

+++
state = "resolved"
at = 2026-11-22T15:10:00Z
+++
This incident has been resolved.
"#;

fn open_incident(title: &str, impact: &str, components: &str, at: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\nimpact = \"{impact}\"\ncomponents = {components}\n+++\n\n+++\nstate = \"investigating\"\nat = {at}\nnext_update = \"30m\"\n+++\nWe are investigating {title}.\n"
    )
}

/// The status text shown beside a component on the home page.
fn component_status(index: &str, name: &str) -> String {
    let components = between(index, "id=components", "</section>");
    let from = components
        .find(name)
        .unwrap_or_else(|| panic!("{name} not listed"));
    let item = &components[from..];
    // The status comes before the component's 90-day bars.
    let item = &item[..item.find("class=uptime").unwrap()];
    text(item).trim_start_matches(name).trim().to_string()
}

#[test]
fn the_contract_example_builds_as_written() {
    let site = TestSite::new();
    site.incident("2026-11-22-api-errors", API_ERRORS);
    site.build("2026-11-22T16:00:00Z");
    let index = site.read("site/index.html");
    assert!(
        text(&index).contains("All systems operational"),
        "{}",
        text(&index)
    );
    assert_eq!(
        component_status(&index, "Public API"),
        "REST and GraphQL endpoints Operational"
    );
    // Resolved in the past 14 days: listed with its resolution.
    let recent = text(between(&index, "id=recent", "</section>"));
    assert!(
        recent.contains("Elevated error rates on the Public API"),
        "{recent}"
    );
    assert!(
        recent.contains("Resolved 22 Nov 2026, 15:10 GMT after 1h 5m"),
        "{recent}"
    );

    let page = site.read("site/incidents/2026-11-22-api-errors/index.html");
    let page_text = text(&page);
    assert!(page_text.contains("Duration 1h 5m"), "{page_text}");
    assert!(page_text.contains("Affected Public API"), "{page_text}");
    // Newest first, each with its state and time.
    let resolved = page_text
        .find("Resolved 22 Nov 2026, 15:10 GMT This incident has been resolved.")
        .expect(&page_text);
    let investigating = page_text
        .find("Investigating 22 Nov 2026, 14:05 GMT We are investigating elevated error rates on the Public API. Next update by 22 Nov 2026, 14:35 GMT.")
        .expect(&page_text);
    assert!(resolved < investigating);
    assert!(
        page.contains("<time datetime=2026-11-22T14:05:00Z>")
            || page.contains("<time datetime=\"2026-11-22T14:05:00Z\">"),
        "{page}"
    );
}

#[test]
fn open_incidents_set_component_status_and_the_banner() {
    let site = TestSite::new();
    site.incident(
        "a",
        &open_incident(
            "Slow dashboard",
            "minor",
            "[\"dashboard\"]",
            "2026-11-22T10:00:00Z",
        ),
    );
    site.incident(
        "b",
        &open_incident(
            "Database outage",
            "critical",
            "[\"db\"]",
            "2026-11-22T11:00:00Z",
        ),
    );
    site.incident(
        "c",
        &open_incident(
            "API errors",
            "major",
            "[\"api\", \"dashboard\"]",
            "2026-11-22T12:00:00Z",
        ),
    );
    site.build("2026-11-22T12:10:00Z");
    let index = site.read("site/index.html");
    assert!(text(between(&index, "<h1", "</h1>")).contains("Major outage"));
    assert_eq!(
        component_status(&index, "Public API"),
        "REST and GraphQL endpoints Partial outage"
    );
    // The worst of two incidents wins.
    assert_eq!(component_status(&index, "Dashboard"), "Partial outage");
    assert_eq!(component_status(&index, "Databases"), "Major outage");
    // Open incidents are listed newest first, with their promised next update.
    let active = text(between(&index, "id=active", "</section>"));
    let (c, b, a) = (
        active.find("API errors").unwrap(),
        active.find("Database outage").unwrap(),
        active.find("Slow dashboard").unwrap(),
    );
    assert!(c < b && b < a, "{active}");
    assert!(
        active.contains("Next update by 22 Nov 2026, 12:30 GMT."),
        "{active}"
    );
}

#[test]
fn a_minor_incident_alone_reads_as_degraded() {
    let site = TestSite::new();
    site.incident(
        "a",
        &open_incident(
            "Slow dashboard",
            "minor",
            "[\"dashboard\"]",
            "2026-11-22T10:00:00Z",
        ),
    );
    site.build("2026-11-22T10:10:00Z");
    let index = site.read("site/index.html");
    assert_eq!(
        text(between(&index, "<h1", "</h1>")),
        "Degraded performance: Dashboard"
    );
    assert_eq!(
        component_status(&index, "Dashboard"),
        "Degraded performance"
    );
    assert_eq!(component_status(&index, "Databases"), "Operational");
}

#[test]
fn impact_and_components_can_change_mid_incident() {
    let site = TestSite::new();
    site.incident(
        "escalating",
        "+++\ntitle = \"Sign-in failures\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n\n\
         +++\nstate = \"investigating\"\nat = 2026-11-22T10:00:00Z\n+++\nSome sign-ins fail.\n\n\
         +++\nstate = \"identified\"\nat = 2026-11-22T10:20:00Z\nimpact = \"critical\"\ncomponents = [\"api\", \"db\"]\n+++\nAll sign-ins fail.\n",
    );
    site.build("2026-11-22T10:30:00Z");
    let index = site.read("site/index.html");
    assert_eq!(
        text(between(&index, "<h1", "</h1>")),
        "Major outage: Public API, Databases"
    );
    assert_eq!(component_status(&index, "Databases"), "Major outage");
    assert_eq!(component_status(&index, "Dashboard"), "Operational");
    let page = text(&site.read("site/incidents/escalating/index.html"));
    assert!(page.contains("Impact is now: Major outage."), "{page}");
    assert!(
        page.contains("Affected components are now: Public API, Databases."),
        "{page}"
    );
    // The default cadence applies when an update names none.
    assert!(
        page.contains("Next update by 22 Nov 2026, 10:50 GMT"),
        "{page}"
    );

    // Once resolved, the components recover.
    site.write(
        "incidents/escalating.md",
        site.read("incidents/escalating.md")
            + "\n+++\nstate = \"resolved\"\nat = 2026-11-22T11:00:00Z\n+++\nFixed.\n",
    );
    site.build("2026-11-22T11:05:00Z");
    let index = site.read("site/index.html");
    assert_eq!(component_status(&index, "Databases"), "Operational");
    assert!(text(&index).contains("All systems operational"));
}

#[test]
fn monitoring_is_another_name_for_verifying() {
    let site = TestSite::new();
    site.incident(
        "fix",
        "+++\ntitle = \"Queue delays\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n\n\
         +++\nstate = \"monitoring\"\nat = 2026-11-22T10:00:00Z\nnext_update = 2026-11-22T11:00:00Z\n+++\nA fix is in place and we are monitoring.\n",
    );
    site.build("2026-11-22T10:05:00Z");
    let page = text(&site.read("site/incidents/fix/index.html"));
    assert!(
        page.contains("Verifying 22 Nov 2026, 10:00 GMT A fix is in place"),
        "{page}"
    );
    assert!(
        page.contains("Next update by 22 Nov 2026, 11:00 GMT"),
        "{page}"
    );
}

#[test]
fn times_show_in_the_site_zone_across_daylight_saving() {
    let site = TestSite::new();
    // Written without offsets: read in Europe/London, BST before 25 October and GMT after.
    site.incident(
        "dst",
        "+++\ntitle = \"Long migration\"\nimpact = \"minor\"\ncomponents = [\"db\"]\n+++\n\n\
         +++\nstate = \"investigating\"\nat = 2026-10-24T23:30:00\nnext_update = \"4h\"\n+++\nStarted.\n\n\
         +++\nstate = \"resolved\"\nat = 2026-10-25T03:30:00\n+++\nDone.\n",
    );
    site.build("2026-10-26T00:00:00Z");
    let page = site.read("site/incidents/dst/index.html");
    let t = text(&page);
    assert!(t.contains("Investigating 24 Oct 2026, 23:30 BST"), "{t}");
    assert!(t.contains("Resolved 25 Oct 2026, 03:30 GMT"), "{t}");
    // 23:30 BST is 22:30 UTC; 03:30 GMT is 03:30 UTC: five hours, not four.
    assert!(t.contains("Duration 5h"), "{t}");
    assert!(
        page.contains("2026-10-24T22:30:00Z"),
        "machine-readable time is UTC"
    );
    // The promise of 4h after 23:30 BST lands at 02:30 GMT.
    assert!(t.contains("Next update by 25 Oct 2026, 02:30 GMT"), "{t}");
}

#[test]
fn updates_are_ordered_by_time_not_by_position_in_the_file() {
    let site = TestSite::new();
    site.incident(
        "order",
        "+++\ntitle = \"Out of order\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n\n\
         +++\nstate = \"resolved\"\nat = 2026-11-22T12:00:00Z\n+++\nThird.\n\n\
         +++\nstate = \"investigating\"\nat = 2026-11-22T10:00:00Z\n+++\nFirst.\n\n\
         +++\nstate = \"identified\"\nat = 2026-11-22T11:00:00Z\n+++\nSecond.\n",
    );
    site.build("2026-11-22T13:00:00Z");
    let t = text(&site.read("site/incidents/order/index.html"));
    let (a, b, c) = (
        t.find("Third.").unwrap(),
        t.find("Second.").unwrap(),
        t.find("First.").unwrap(),
    );
    assert!(a < b && b < c, "{t}");
    // The latest update decides the state: resolved, so nothing is open.
    assert!(text(&site.read("site/index.html")).contains("All systems operational"));
}

#[test]
fn raw_html_and_script_urls_never_reach_the_page() {
    let site = TestSite::new();
    site.incident(
        "xss",
        "+++\ntitle = \"<script>alert('title')</script> \\\" onmouseover=\\\"alert(1)\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n\n\
         +++\nstate = \"investigating\"\nat = 2026-11-22T10:00:00Z\n+++\n\
         Hello <script>alert(1)</script> <img src=x onerror=alert(2)>\n\n\
         [click](javascript:alert(3)) <a href=\"javascript:alert(4)\">x</a> ![i](https://evil.example/t.png)\n\n\
         <iframe src=\"https://evil.example\"></iframe>\n",
    );
    site.build("2026-11-22T10:05:00Z");
    for page in [
        "site/index.html",
        "site/incidents/xss/index.html",
        "site/history/2026-11/index.html",
    ] {
        assert_inert(page, &site.read(page));
    }
    // The author's words are all still there, as text.
    let t = text(&site.read("site/incidents/xss/index.html"));
    assert!(
        t.contains("Hello <script>alert(1)</script> <img src=x onerror=alert(2)>"),
        "{t}"
    );
    assert!(t.contains("click"), "{t}");
    assert!(
        t.contains("<iframe src=\"https://evil.example\"></iframe>"),
        "{t}"
    );
    // Feed readers render the description as HTML: it must be as inert as the page.
    let feed = feed_rs::parser::parse(site.read("site/feed.xml").as_bytes()).unwrap();
    for entry in feed.entries {
        assert_inert("feed.xml", &entry.summary.unwrap().content);
    }
}

#[test]
fn rebuilding_is_byte_identical_and_rewrites_nothing() {
    let site = TestSite::new();
    site.incident("2026-11-22-api-errors", API_ERRORS);
    site.incident(
        "open",
        &open_incident(
            "Slow dashboard",
            "minor",
            "[\"dashboard\"]",
            "2026-11-22T15:30:00Z",
        ),
    );
    site.build("2026-11-22T16:00:00Z");
    let first = site.snapshot();
    let mtimes: Vec<_> = first
        .iter()
        .map(|(p, _)| {
            std::fs::metadata(site.path("site").join(p))
                .unwrap()
                .modified()
                .unwrap()
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(20));
    site.build("2026-11-22T16:00:00Z")
        .expect_stderr("0 files written");
    assert_eq!(first, site.snapshot());
    let again: Vec<_> = first
        .iter()
        .map(|(p, _)| {
            std::fs::metadata(site.path("site").join(p))
                .unwrap()
                .modified()
                .unwrap()
        })
        .collect();
    assert_eq!(
        mtimes, again,
        "unchanged files keep their modification times"
    );

    // A later "now" changes only what depends on the clock: the home page, and the days
    // of the component an open incident affects (today's minutes of it).
    site.build("2026-11-22T17:00:00Z")
        .expect_stderr("2 files written");
    let later = site.snapshot();
    let changed: Vec<_> = first
        .iter()
        .zip(&later)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.0.display().to_string())
        .collect();
    assert_eq!(changed, ["components/dashboard/index.html", "index.html"]);
}

#[test]
fn stale_files_are_removed_and_foreign_folders_are_refused() {
    let site = TestSite::new();
    site.incident("2026-11-22-api-errors", API_ERRORS);
    site.incident(
        "other",
        &open_incident(
            "Slow dashboard",
            "minor",
            "[\"dashboard\"]",
            "2026-10-01T15:30:00Z",
        ),
    );
    site.build("2026-11-22T16:00:00Z");
    assert!(site.exists("site/incidents/other/index.html"));
    assert!(site.exists("site/history/2026-10/index.html"));
    std::fs::remove_file(site.path("incidents/other.md")).unwrap();
    site.build("2026-11-22T16:00:00Z");
    assert!(!site.exists("site/incidents/other"));
    assert!(!site.exists("site/history/2026-10"));

    // A folder that statuspost did not make is never pruned.
    site.write("elsewhere/precious.txt", "keep me");
    site.run(&["build", "--output-dir", "elsewhere"])
        .expect_code(3)
        .expect_stderr("refusing to write into `elsewhere`");
    assert_eq!(site.read("elsewhere/precious.txt"), "keep me");
}

#[test]
fn history_is_split_by_month_newest_first() {
    let site = TestSite::new();
    for (slug, at) in [
        ("a", "2026-09-03T10:00:00Z"),
        ("b", "2026-11-01T10:00:00Z"),
        ("c", "2026-11-20T10:00:00Z"),
    ] {
        site.incident(slug, &format!("+++\ntitle = \"Incident {slug}\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n+++\nstate = \"resolved\"\nat = {at}\n+++\nDone.\n"));
    }
    site.build("2026-11-22T16:00:00Z");
    let history = text(&site.read("site/history/index.html"));
    assert!(
        history.contains(
            "November 2026 2 incidents October 2026 No incidents September 2026 1 incident"
        ),
        "{history}"
    );
    let november = text(&site.read("site/history/2026-11/index.html"));
    assert!(
        november.find("Incident c").unwrap() < november.find("Incident b").unwrap(),
        "{november}"
    );
    assert!(!november.contains("Incident a"));
    assert!(november.contains("Older: September 2026"), "{november}");
}

#[test]
fn crlf_and_bom_files_build_like_any_other() {
    let site = TestSite::new();
    let windows = format!("\u{feff}{}", API_ERRORS.replace('\n', "\r\n"));
    site.incident("2026-11-22-api-errors", &windows);
    site.build("2026-11-22T16:00:00Z");
    let t = text(&site.read("site/incidents/2026-11-22-api-errors/index.html"));
    assert!(
        t.contains("We are investigating elevated error rates on the Public API."),
        "{t}"
    );
}

#[test]
fn pages_are_self_contained() {
    let site = TestSite::new();
    site.incident("2026-11-22-api-errors", API_ERRORS);
    site.build("2026-11-22T16:00:00Z");
    for (path, bytes) in site.snapshot() {
        if path.extension().is_some_and(|e| e == "html") {
            let html = String::from_utf8(bytes).unwrap();
            assert!(
                html.starts_with("<!doctype html>") || html.starts_with("<!DOCTYPE html>"),
                "{}",
                path.display()
            );
            assert!(
                html.contains("<html dir=ltr lang=en>")
                    || html.contains("<html dir=\"ltr\" lang=\"en\">"),
                "{}",
                path.display()
            );
            assert!(
                !html.contains("<script"),
                "no JavaScript: {}",
                path.display()
            );
            assert!(
                !html.contains("<link rel=stylesheet") && !html.contains("@import"),
                "CSS is inlined: {}",
                path.display()
            );
            // Links a reader may follow are fine; nothing may be loaded by the page itself.
            for (name, attrs) in tags(&html) {
                for (key, value) in attrs {
                    let loads = matches!(key.as_str(), "src" | "srcset" | "poster" | "data")
                        || (name == "link"
                            && key == "href"
                            && !value.starts_with("data:")
                            && !value.ends_with("feed.xml")
                            && !value.ends_with("feed.atom"));
                    assert!(
                        !loads,
                        "{} loads {value} via <{name} {key}>",
                        path.display()
                    );
                }
            }
            assert!(
                html.contains("prefers-color-scheme:dark")
                    || html.contains("prefers-color-scheme: dark")
            );
        }
    }
}

#[test]
fn site_templates_override_the_defaults_by_name() {
    let site = TestSite::new();
    site.incident("2026-11-22-api-errors", API_ERRORS);
    site.write("templates/incident.html", "{% extends \"base.html\" %}{% block main %}<h1>Custom: {{ incident.title }}</h1>{% endblock main %}");
    site.build("2026-11-22T16:00:00Z");
    assert!(
        text(&site.read("site/incidents/2026-11-22-api-errors/index.html"))
            .contains("Custom: Elevated error rates")
    );
    // The others still come from the defaults.
    assert!(text(&site.read("site/index.html")).contains("All systems operational"));

    site.write("templates/incident.html", "{% if %}");
    site.run(&["build", "--now", "2026-11-22T16:00:00Z"])
        .expect_code(2)
        .expect_stderr("template");
}

#[test]
fn the_demo_site_in_this_repository_builds() {
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let site = TestSite::empty();
    let run = site.run(&[
        "build",
        "--root",
        demo.to_str().unwrap(),
        "--output-dir",
        out.path().join("site").to_str().unwrap(),
        "--now",
        "2026-11-22T22:50:00Z",
    ]);
    let run = run.success();
    assert!(
        !run.stderr().contains("warning"),
        "the demo has no warnings: {}",
        run.stderr()
    );
    let index = std::fs::read_to_string(out.path().join("site/index.html")).unwrap();
    assert!(
        text(&index).contains("Active incidents"),
        "the demo shows an open incident"
    );
    // Regression: minifying templates once unbalanced a heading chosen by `{% if %}`.
    let mut pages = 0;
    for entry in walk(&out.path().join("site")) {
        if entry.extension().is_some_and(|e| e == "html") {
            assert_balanced(
                &entry.display().to_string(),
                &std::fs::read_to_string(&entry).unwrap(),
            );
            pages += 1;
        }
    }
    assert!(pages > 10, "{pages} pages");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_title_cannot_break_out_of_the_title_element() {
    let site = TestSite::new();
    site.incident(
        "x",
        "+++\ntitle = \"</title><script>alert(1)</script>\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n+++\nstate = \"resolved\"\nat = 2026-11-22T10:00:00Z\n+++\nx\n",
    );
    site.build("2026-11-22T11:00:00Z");
    let html = site.read("site/incidents/x/index.html");
    assert_inert("incident page", &html);
    let title = between(&html, "<title>", "</title>");
    assert_eq!(title.matches("</title").count(), 1, "{title}");
}

#[test]
fn a_template_that_fails_half_way_leaves_the_old_site_untouched() {
    let site = TestSite::new();
    site.incident("2026-11-22-api-errors", API_ERRORS);
    for i in 0..20 {
        site.incident(
            &format!("other-{i}"),
            &open_incident(
                "Slow dashboard",
                "minor",
                "[\"dashboard\"]",
                "2026-11-01T15:30:00Z",
            ),
        );
    }
    site.build("2026-11-22T16:00:00Z");
    let before = site.snapshot();
    // Fails only for one incident, after other pages have rendered and been staged.
    site.write(
        "templates/incident.html",
        "{% extends \"base.html\" %}{% block main %}{% if incident.slug == \"other-7\" %}{{ missing.value }}{% endif %}<h1>{{ incident.title }}</h1>{% endblock main %}",
    );
    site.incident(
        "new-one",
        &open_incident("New", "minor", "[\"db\"]", "2026-11-22T15:00:00Z"),
    );
    site.run(&["build", "--now", "2026-11-22T16:00:00Z"])
        .expect_code(2)
        .expect_stderr("error: Variable `missing` is not defined")
        .expect_stderr("--> templates/incident.html:1:80");
    assert_eq!(
        before,
        site.snapshot(),
        "no page changed, no staged file left behind"
    );
    assert!(
        !site.exists("site/incidents/new-one"),
        "no folder left behind for a page never published"
    );
}

fn mtimes(site: &TestSite) -> std::collections::BTreeMap<String, std::time::SystemTime> {
    site.snapshot()
        .into_iter()
        .map(|(p, _)| {
            let m = std::fs::metadata(site.path("site").join(&p))
                .unwrap()
                .modified()
                .unwrap();
            (p.display().to_string(), m)
        })
        .collect()
}

#[test]
fn an_edit_rewrites_only_the_pages_it_affects() {
    let site = TestSite::new();
    for (slug, at) in [
        ("a", "2026-09-03T10:00:00Z"),
        ("b", "2026-11-01T10:00:00Z"),
        ("c", "2026-11-20T10:00:00Z"),
    ] {
        site.incident(slug, &format!("+++\ntitle = \"Incident {slug}\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n+++\nstate = \"resolved\"\nat = {at}\n+++\nDone.\n"));
    }
    site.build("2026-11-22T16:00:00Z");
    let before = mtimes(&site);
    std::thread::sleep(std::time::Duration::from_millis(20));
    site.incident("b", "+++\ntitle = \"Incident b, renamed\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n+++\nstate = \"resolved\"\nat = 2026-11-01T10:00:00Z\n+++\nDone.\n");
    site.build("2026-11-22T16:00:00Z");
    let after = mtimes(&site);
    let changed: Vec<&String> = before.keys().filter(|p| before[*p] != after[*p]).collect();
    // The feed and the history name the incident; the home page does not list it (resolved weeks ago).
    assert_eq!(
        changed,
        [
            ".statuspost-output",
            "api/v2/incidents.json",
            "components/api/feed.xml",
            "feed.atom",
            "feed.xml",
            "history/2026-11/index.html",
            "history/index.html",
            "incidents/b/index.html"
        ]
    );
    assert!(text(&site.read("site/incidents/b/index.html")).contains("Incident b, renamed"));
    assert!(text(&site.read("site/history/2026-11/index.html")).contains("Incident b, renamed"));

    // A page removed by hand is rebuilt even though its inputs did not change.
    std::fs::remove_file(site.path("site/incidents/a/index.html")).unwrap();
    site.build("2026-11-22T16:00:00Z");
    assert!(text(&site.read("site/incidents/a/index.html")).contains("Incident a"));
}

#[test]
fn a_build_killed_half_way_is_cleaned_up_by_the_next() {
    let site = TestSite::new();
    site.incident("2026-11-22-api-errors", API_ERRORS);
    site.build("2026-11-22T16:00:00Z");
    // What a build killed while staging leaves: its marker and a temporary file.
    site.write("site/.statuspost-building", "");
    site.write(
        "site/incidents/gone/.index.html.statuspost-tmp",
        "half a page",
    );
    site.build("2026-11-22T16:00:00Z");
    assert!(!site.exists("site/incidents/gone"), "leftovers are pruned");
    assert!(!site.exists("site/.statuspost-building"));
    assert!(site.exists("site/incidents/2026-11-22-api-errors/index.html"));
}

#[test]
fn the_home_page_lists_a_bounded_number_of_recent_incidents() {
    let site = TestSite::new();
    for i in 0..25 {
        site.incident(
            &format!("r{i:02}"),
            &format!("+++\ntitle = \"Recent {i:02}\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n+++\nstate = \"resolved\"\nat = 2026-11-{:02}T10:00:00Z\n+++\nDone.\n", 10 + i % 12),
        );
    }
    site.build("2026-11-22T16:00:00Z");
    let recent = text(between(
        &site.read("site/index.html"),
        "id=recent",
        "</section>",
    ));
    assert_eq!(recent.matches("Recent ").count(), 20, "{recent}");
    assert!(
        recent.contains("5 more incidents in the past 14 days."),
        "{recent}"
    );
}

#[test]
fn an_incident_page_offers_the_feeds_of_its_components() {
    let site = TestSite::new();
    site.incident("2026-11-22-api-errors", API_ERRORS);
    site.build("2026-11-22T16:00:00Z");
    let page = site.read("site/incidents/2026-11-22-api-errors/index.html");
    let feeds: Vec<(String, String)> = tags(&page)
        .into_iter()
        .filter(|(tag, attrs)| {
            tag == "link" && attrs.iter().any(|(k, v)| k == "rel" && v == "alternate")
        })
        .map(|(_, attrs)| {
            let get = |key: &str| {
                attrs
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            (get("href"), get("title"))
        })
        .collect();
    assert!(
        feeds.contains(&(
            "../../components/api/feed.xml".to_string(),
            "Acme Cloud Status: Public API (RSS)".to_string()
        )),
        "{feeds:?}"
    );
    // Only the components it touched: a reader of the API need not follow the database.
    assert!(
        !feeds
            .iter()
            .any(|(href, _)| href.contains("components/db/")),
        "{feeds:?}"
    );
}

#[test]
fn the_home_page_shows_the_latest_three_updates_of_a_long_incident() {
    let site = TestSite::new();
    let mut text_of =
        String::from("+++\ntitle = \"Long\"\nimpact = \"major\"\ncomponents = [\"api\"]\n+++\n");
    for i in 0..7 {
        text_of.push_str(&format!(
            "+++\nstate = \"identified\"\nat = 2026-11-22T1{i}:00:00Z\nnext_update = \"1h\"\n+++\nUpdate number {i}.\n"
        ));
    }
    site.incident("long", &text_of);
    site.build("2026-11-22T17:30:00Z");
    let home = text(&site.read("site/index.html"));
    for i in 4..7 {
        assert!(home.contains(&format!("Update number {i}.")), "{home}");
    }
    assert!(!home.contains("Update number 3."), "{home}");
    assert!(
        home.contains("4 earlier updates on the incident page"),
        "{home}"
    );
    let page = text(&site.read("site/incidents/long/index.html"));
    assert!(
        (0..7).all(|i| page.contains(&format!("Update number {i}."))),
        "every update stays on its page"
    );
}

#[test]
fn a_feed_is_rebuilt_only_when_an_update_it_carries_changes() {
    let site = TestSite::new();
    // 60 incidents, one update each: the oldest ten are beyond the feeds' latest 50.
    for i in 0..60 {
        site.incident(
            &format!("i{i:02}"),
            &format!("+++\ntitle = \"Incident {i}\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n+++\nstate = \"resolved\"\nat = 2026-10-{:02}T{:02}:00:00Z\n+++\nDone {i}.\n", 1 + i / 20, i % 20),
        );
    }
    site.build("2026-11-22T16:00:00Z");
    let before = mtimes(&site);
    std::thread::sleep(std::time::Duration::from_millis(20));
    site.incident("i00", "+++\ntitle = \"Incident 0, reworded\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n+++\nstate = \"resolved\"\nat = 2026-10-01T00:00:00Z\n+++\nDone 0.\n");
    site.build("2026-11-22T16:00:00Z");
    let after = mtimes(&site);
    for feed in ["feed.xml", "feed.atom", "components/api/feed.xml"] {
        assert_eq!(
            before[feed], after[feed],
            "{feed} does not carry the edited update"
        );
    }
    // An edit to an update the feeds carry changes them.
    site.incident("i59", "+++\ntitle = \"Incident 59, reworded\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n+++\nstate = \"resolved\"\nat = 2026-10-03T19:00:00Z\n+++\nDone 59.\n");
    site.build("2026-11-22T16:00:00Z");
    for feed in ["feed.xml", "feed.atom", "components/api/feed.xml"] {
        assert!(
            site.read(&format!("site/{feed}"))
                .contains("Incident 59, reworded"),
            "{feed}"
        );
    }
    assert!(!site
        .read("site/components/db/feed.xml")
        .contains("Incident 59"));
}

#[test]
fn a_rebuild_sees_an_edit_that_kept_the_size_and_the_modification_time() {
    // A regression: watch and serve trusted size and modification time alone, so an
    // edit of the same length within one tick of a coarse file system clock was missed.
    let site = TestSite::new();
    site.incident("2026-11-22-api-errors", API_ERRORS);
    let path = site.path("incidents/2026-11-22-api-errors.md");
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    let mut session = statuspost::build::Session::default();
    let now = |_: &statuspost::model::Config| {
        statuspost::clock::parse_now("2026-11-22T16:00:00Z", chrono_tz::UTC)
            .map_err(anyhow::Error::msg)
    };
    let out = site.path("site");
    assert!(matches!(
        session.build(site.root(), &out, &now).unwrap(),
        statuspost::build::Outcome::Built(_)
    ));
    let edited = API_ERRORS.replace("investigating elevated", "INVESTIGATING ELEVATED");
    assert_eq!(edited.len(), API_ERRORS.len());
    std::fs::write(&path, &edited).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    session.build(site.root(), &out, &now).unwrap();
    let page = text(&site.read("site/incidents/2026-11-22-api-errors/index.html"));
    assert!(page.contains("INVESTIGATING ELEVATED"), "{page}");
}

#[test]
fn an_uppercase_md_is_read_and_every_other_file_is_named() {
    // Regression: `incidents/x.MD` was silently ignored, and so was any other
    // file an author put among the incidents expecting it to be read.
    let site = TestSite::new();
    site.write("incidents/2026-11-22-upper.MD", API_ERRORS);
    site.write("incidents/notes.txt", "to do");
    site.write("maintenance/plan", "to do");
    // Editors' files are never the author's content: not read, not named.
    for name in [".upper.MD.swp", "upper.MD~", "#upper.MD#", ".#upper.MD"] {
        site.write(&format!("incidents/{name}"), "x");
    }
    let run = site
        .build("2026-11-22T16:00:00Z")
        .expect_stderr("warning[not-read]: this file is not read: its name does not end in `.md`\n  --> incidents/notes.txt\n")
        .expect_stderr("  --> maintenance/plan\n");
    assert!(site
        .read("site/incidents/2026-11-22-upper/index.html")
        .contains("Elevated error rates on the Public API"));
    let stderr = run.stderr();
    assert!(!stderr.contains("upper.MD"), "{stderr}");
}
