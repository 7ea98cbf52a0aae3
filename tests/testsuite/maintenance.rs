//! Scheduled maintenance (state by the clock, pages, calendar, API, check) and
//! the 90-day uptime bars.

use std::io::Write;

use icalendar::Component;

use crate::support::{between, text, TestSite};

/// A window that crosses the spring-forward gap in Europe/London: 00:30 GMT
/// to 03:00 BST, that is 00:30 to 02:00 UTC.
const ACROSS_DST: &str = "+++\ntitle = \"Database upgrade\"\ncomponents = [\"db\"]\nstarts = 2026-03-29T00:30:00\nends = 2026-03-29T03:00:00\n+++\nClusters fail over once.\n\n+++\nstate = \"scheduled\"\nat = 2026-03-20T09:00:00Z\n+++\nThe upgrade is scheduled.\n";

fn db_status(site: &TestSite) -> String {
    let index = site.read("site/index.html");
    let components = between(&index, "id=components", "</section>");
    let from = components.find("Databases").unwrap();
    let item = &components[from..];
    text(&item[..item.find("class=uptime").unwrap()])
        .trim_start_matches("Databases")
        .trim()
        .to_string()
}

#[test]
fn state_follows_the_clock_at_and_around_the_window_across_daylight_saving() {
    let site = TestSite::new();
    site.write("maintenance/2026-03-29-db-upgrade.md", ACROSS_DST);
    let cases = [
        ("2026-03-29T00:29:00Z", "Scheduled", "Operational"),
        ("2026-03-29T00:30:00Z", "In progress", "Under maintenance"),
        // 01:59 UTC is 02:59 BST: still inside a window that ends at 03:00 local.
        ("2026-03-29T01:59:00Z", "In progress", "Under maintenance"),
        ("2026-03-29T02:00:00Z", "Completed", "Operational"),
    ];
    for (now, state, status) in cases {
        site.build(now);
        let page = text(&site.read("site/maintenance/2026-03-29-db-upgrade/index.html"));
        assert!(
            page.contains(&format!("Database upgrade {state} · Scheduled maintenance")),
            "{now}: {page}"
        );
        assert_eq!(db_status(&site), status, "{now}");
    }
    site.build("2026-03-29T00:30:00Z");
    let page = text(&site.read("site/maintenance/2026-03-29-db-upgrade/index.html"));
    assert!(
        page.contains("Starts 29 Mar 2026, 00:30 GMT Ends 29 Mar 2026, 03:00 BST"),
        "{page}"
    );
    let index = text(&site.read("site/index.html"));
    assert!(
        index.contains("Maintenance in progress"),
        "banner and section: {index}"
    );

    // Announced on the home page while upcoming (next 30 days).
    site.build("2026-03-10T12:00:00Z");
    let index = text(&site.read("site/index.html"));
    assert!(index.contains("Scheduled maintenance Database upgrade Scheduled · 29 Mar 2026, 00:30 GMT to 29 Mar 2026, 03:00 BST · Databases"), "{index}");
    site.build("2026-02-01T12:00:00Z");
    assert!(
        !text(&site.read("site/index.html")).contains("Database upgrade"),
        "more than 30 days ahead"
    );
}

#[test]
fn updates_override_the_clock_and_incidents_outrank_maintenance() {
    let site = TestSite::new();
    site.write(
        "maintenance/early.md",
        format!("{ACROSS_DST}\n+++\nstate = \"completed\"\nat = 2026-03-29T01:00:00Z\n+++\nDone early.\n"),
    );
    site.build("2026-03-29T01:30:00Z");
    assert_eq!(db_status(&site), "Operational", "completed early");
    site.write("maintenance/early.md", format!("{ACROSS_DST}\n+++\nstate = \"cancelled\"\nat = 2026-03-25T10:00:00Z\n+++\nPostponed.\n"));
    site.build("2026-03-29T01:30:00Z");
    assert_eq!(db_status(&site), "Operational", "cancelled");
    assert!(text(&site.read("site/maintenance/early/index.html")).contains("Cancelled"));

    site.write("maintenance/early.md", ACROSS_DST);
    site.incident(
        "slow",
        "+++\ntitle = \"Slow queries\"\nimpact = \"minor\"\ncomponents = [\"db\"]\n+++\n+++\nstate = \"investigating\"\nat = 2026-03-29T01:00:00Z\n+++\nQueries to Databases are slow.\n",
    );
    site.build("2026-03-29T01:30:00Z");
    assert_eq!(
        db_status(&site),
        "Degraded performance",
        "an incident outranks maintenance"
    );
}

#[test]
fn the_calendar_parses_with_stable_uids_and_utc_times() {
    let site = TestSite::new();
    site.write("maintenance/2026-03-29-db-upgrade.md", ACROSS_DST);
    site.write(
        "maintenance/cancelled.md",
        "+++\ntitle = \"Network work; phase 2, part \\\\1\"\ncomponents = [\"api\"]\nstarts = 2026-04-02T22:00:00Z\nends = 2026-04-03T02:00:00Z\n+++\n+++\nstate = \"cancelled\"\nat = 2026-03-28T10:00:00Z\n+++\nCancelled.\n",
    );
    site.build("2026-03-28T12:00:00Z");
    let first = site.read("site/maintenance.ics");
    assert!(
        first.contains("\r\n") && first.lines().all(|l| l.len() <= 76),
        "CRLF, folded lines"
    );
    let calendar: icalendar::Calendar = first.parse().expect("valid iCalendar");
    let events: Vec<&icalendar::Event> = calendar
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .collect();
    assert_eq!(events.len(), 2);
    let upgrade = events
        .iter()
        .find(|e| e.get_summary() == Some("Maintenance: Database upgrade"))
        .unwrap();
    assert_eq!(
        upgrade.get_uid(),
        Some("2026-03-29-db-upgrade@status.acme-status.net")
    );
    assert_eq!(upgrade.property_value("DTSTART"), Some("20260329T003000Z"));
    assert_eq!(upgrade.property_value("DTEND"), Some("20260329T020000Z"));
    let cancelled = events
        .iter()
        .find(|e| e.get_uid() == Some("cancelled@status.acme-status.net"))
        .unwrap();
    assert_eq!(cancelled.property_value("STATUS"), Some("CANCELLED"));
    assert_eq!(
        cancelled.get_summary(),
        Some("Maintenance: Network work; phase 2, part \\1"),
        "escaped and unescaped"
    );
    // Another build, even later, keeps every UID and stamp.
    site.build("2026-03-28T18:00:00Z");
    assert_eq!(first, site.read("site/maintenance.ics"));
}

#[test]
fn maintenance_reaches_the_api_feeds_and_history() {
    let site = TestSite::new();
    site.write("maintenance/2026-03-29-db-upgrade.md", ACROSS_DST);
    site.build("2026-03-29T01:00:00Z");
    let active: serde_json::Value =
        serde_json::from_str(&site.read("site/api/v2/scheduled-maintenances/active.json")).unwrap();
    let m = &active["scheduled_maintenances"][0];
    assert_eq!(m["status"], "in_progress");
    assert_eq!(m["impact"], "maintenance");
    assert_eq!(m["scheduled_for"], "2026-03-29T00:30:00.000Z");
    assert_eq!(m["scheduled_until"], "2026-03-29T02:00:00.000Z");
    let components: serde_json::Value =
        serde_json::from_str(&site.read("site/api/v2/components.json")).unwrap();
    let db = components["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "db")
        .unwrap()
        .clone();
    assert_eq!(db["status"], "under_maintenance");
    let status: serde_json::Value =
        serde_json::from_str(&site.read("site/api/v2/status.json")).unwrap();
    assert_eq!(status["status"]["indicator"], "maintenance");
    let summary: serde_json::Value =
        serde_json::from_str(&site.read("site/api/v2/summary.json")).unwrap();
    assert_eq!(
        summary["scheduled_maintenances"][0]["id"],
        "2026-03-29-db-upgrade"
    );

    let feed = feed_rs::parser::parse(site.read("site/feed.xml").as_bytes()).unwrap();
    assert_eq!(
        feed.entries[0].title.clone().unwrap().content,
        "[Maintenance scheduled] Database upgrade"
    );
    let db_feed =
        feed_rs::parser::parse(site.read("site/components/db/feed.xml").as_bytes()).unwrap();
    assert_eq!(db_feed.entries.len(), 1);
    let history = text(&site.read("site/history/2026-03/index.html"));
    assert!(
        history.contains("Scheduled maintenance Database upgrade"),
        "{history}"
    );
}

#[test]
fn check_warns_about_windows_the_updates_have_not_kept_up_with() {
    let site = TestSite::new();
    site.write(
        "maintenance/overrun.md",
        format!("{ACROSS_DST}\n+++\nstate = \"in_progress\"\nat = 2026-03-29T00:30:00Z\n+++\nStarted.\n"),
    );
    site.write(
        "maintenance/unclosed.md",
        ACROSS_DST.replace("Database upgrade", "Second upgrade"),
    );
    site.write("maintenance/silent.md", "+++\ntitle = \"Quiet\"\ncomponents = [\"api\"]\nstarts = 2026-04-10T22:00:00Z\nends = 2026-04-10T23:00:00Z\n+++\n");
    site.run(&["check", "--now", "2026-03-29T03:00:00Z"])
        .success()
        .expect_stderr("warning[maintenance-overrun]: overrun: the window ended at 03:00 BST on 29 Mar, 1 hour ago, and the work is still in progress")
        .expect_stderr("warning[maintenance-not-closed]: unclosed: the window ended at 03:00 BST on 29 Mar, 1 hour ago, but no update says it is completed")
        .expect_stderr("warning[maintenance-unannounced]: silent: this maintenance has no update");
}

/// Issue 14: an `in_progress` update days before the window, or a window
/// announced after it ended, is almost always a wrong date; readers would see
/// work in progress that has not started, or a notice of work already done.
#[test]
fn check_warns_about_work_started_days_early_and_windows_announced_in_the_past() {
    let site = TestSite::new();
    // The window starts 00:30 GMT on 29 Mar; the update says the work started on the 27th.
    site.write(
        "maintenance/early.md",
        format!("{ACROSS_DST}\n+++\nstate = \"in_progress\"\nat = 2026-03-27T00:30:00Z\n+++\nStarted.\n"),
    );
    // Announced on 20 Mar for a window that ended in February: a wrong month.
    site.write(
        "maintenance/past.md",
        "+++\ntitle = \"Cache flush\"\ncomponents = [\"api\"]\nstarts = 2026-02-10T22:00:00Z\nends = 2026-02-10T23:00:00Z\n+++\n+++\nstate = \"scheduled\"\nat = 2026-03-20T09:00:00Z\n+++\nThe cache is flushed.\n",
    );
    // Started 40 minutes early: ordinary, no warning.
    site.write(
        "maintenance/prompt.md",
        format!(
            "{}\n+++\nstate = \"in_progress\"\nat = 2026-03-28T23:50:00Z\n+++\nStarted.\n",
            ACROSS_DST.replace("Database upgrade", "Prompt upgrade")
        ),
    );
    let run = site
        .run(&["check", "--now", "2026-03-28T12:00:00Z"])
        .success()
        .expect_stderr("warning[maintenance-early]: early: this update says the work is in progress 2 days before the window starts (00:30 GMT on 29 Mar)\n  --> maintenance/early.md:15:1")
        .expect_stderr("warning[maintenance-past-window]: past: this window ended at 23:00 GMT on 10 Feb, before it was announced\n  --> maintenance/past.md:7:1");
    assert!(!run.stderr().contains("prompt:"), "{}", run.stderr());
}

#[test]
fn maintenance_files_get_the_same_careful_errors() {
    let site = TestSite::new();
    site.write("maintenance/bad.md", "+++\ntitle = \"X\"\ncomponents = [\"dbb\"]\nstarts = 2026-04-10T23:00:00Z\nends = 2026-04-10T22:00:00Z\n+++\n+++\nstate = \"in-flight\"\nat = 2026-04-01T10:00:00Z\n+++\n");
    site.run(&["build"])
        .expect_code(2)
        .expect_stderr("error: unknown component `dbb`\n  --> maintenance/bad.md:3:15")
        .expect_stderr("error: `ends` is not after `starts`\n  --> maintenance/bad.md:5:8")
        .expect_stderr("error: unknown maintenance state `in-flight`");
}

/// An incident on `component` from `from` to `to` (UTC), of `impact`.
fn incident(slug: &str, component: &str, impact: &str, from: &str, to: Option<&str>) -> String {
    let _ = slug;
    let mut text = format!(
        "+++\ntitle = \"Trouble {slug}\"\nimpact = \"{impact}\"\ncomponents = [\"{component}\"]\n+++\n+++\nstate = \"investigating\"\nat = {from}\n+++\nRequests fail.\n"
    );
    if let Some(to) = to {
        text.push_str(&format!(
            "\n+++\nstate = \"resolved\"\nat = {to}\n+++\nResolved.\n"
        ));
    }
    text
}

/// The text of each day of one component, oldest first (from its page, which the bars link
/// to), and what its bars on the home page say in words.
fn days(site: &TestSite, name: &str) -> (Vec<String>, String) {
    let index = site.read("site/index.html");
    let from = index
        .find(&format!("aria-label=\"{name}, the last 90 days\""))
        .unwrap_or_else(|| panic!("no bars for {name}"));
    let tag = &index[index[..from].rfind('<').unwrap()..];
    let tag = &tag[..tag.find('>').unwrap()];
    let page = tag.split("href=").nth(1).unwrap();
    let page = page
        .trim_start_matches('"')
        .split(['"', ' '])
        .next()
        .unwrap();
    let page = site.read(&format!("site/{page}index.html"));
    let list = between(&page, "class=days", "</ol>");
    let mut days: Vec<String> = list
        .split("<li")
        .skip(1)
        .map(|li| text(&li[li.find('>').map_or(0, |i| i + 1)..]))
        .collect();
    days.reverse();
    let legend = &index[from..];
    let legend = text(between(legend, "class=sum", "</p>"));
    (days, legend)
}

#[test]
fn uptime_splits_incidents_at_midnight_takes_the_worst_and_counts_open_ones() {
    let site = TestSite::new();
    // Across midnight (local = UTC in November): 23:00 to 01:30, a partial outage.
    site.incident(
        "night",
        &incident(
            "night",
            "api",
            "major",
            "2026-11-20T23:00:00Z",
            Some("2026-11-21T01:30:00Z"),
        ),
    );
    // Overlapping on the same day: a minor incident inside a critical one.
    site.incident(
        "big",
        &incident(
            "big",
            "dashboard",
            "critical",
            "2026-11-18T10:00:00Z",
            Some("2026-11-18T11:00:00Z"),
        ),
    );
    site.incident(
        "small",
        &incident(
            "small",
            "dashboard",
            "minor",
            "2026-11-18T10:30:00Z",
            Some("2026-11-18T12:00:00Z"),
        ),
    );
    // Still open: counted up to now.
    site.incident(
        "open",
        &incident("open", "db", "critical", "2026-11-22T11:00:00Z", None),
    );
    site.build("2026-11-22T12:00:00Z");

    let (api, legend) = days(&site, "Public API");
    assert_eq!(api.len(), 90);
    assert_eq!(api[87], "20 Nov 2026: 1 incident, 1h partial outage");
    assert_eq!(api[88], "21 Nov 2026: 1 incident, 1h 30m partial outage");
    assert_eq!(api[89], "22 Nov 2026: no incidents");
    // 2.5 h of partial outage at 30% over 89.5 days: 1 - 45 / 128,880 minutes.
    assert!(legend.contains("99.96% uptime"), "{legend}");

    let (dashboard, _) = days(&site, "Dashboard");
    // Each minute counts once, at the worst impact then: 10:30 to 11:00 is a
    // major outage, not also degraded performance.
    assert_eq!(
        dashboard[85],
        "18 Nov 2026: 2 incidents, 1h major outage, 1h degraded performance"
    );
    let page = site.read("site/components/dashboard/index.html");
    assert!(
        page.contains("<span class=\"mark d5\"></span></span><a href=\"../../history/2026-11/\">"),
        "a day of two incidents links to the month that lists both: {page}"
    );

    let (db, legend) = days(&site, "Databases");
    assert_eq!(db[89], "22 Nov 2026: 1 incident, 1h major outage");
    // 60 minutes of major outage over the same 128,880 minutes.
    assert!(legend.contains("99.95% uptime"), "{legend}");
}

#[test]
fn overlapping_outages_are_one_outage_in_the_bars_and_the_uptime() {
    // A regression: two major outages at once counted their overlap twice, so
    // the day said "2h major outage" for one hour and uptime fell twice as far.
    let site = TestSite::new();
    for (slug, from, to) in [
        ("a", "2026-11-21T10:00:00Z", "2026-11-21T10:45:00Z"),
        ("b", "2026-11-21T10:15:00Z", "2026-11-21T11:00:00Z"),
    ] {
        site.incident(slug, &incident(slug, "api", "critical", from, Some(to)));
    }
    site.build("2026-11-22T12:00:00Z");
    let (api, legend) = days(&site, "Public API");
    assert_eq!(api[88], "21 Nov 2026: 2 incidents, 1h major outage");
    // 60 minutes over 128,880: the same as one incident of an hour.
    assert!(legend.contains("99.95% uptime"), "{legend}");
}

#[test]
fn uptime_skips_days_before_a_component_existed_and_maintenance_is_not_downtime() {
    let site = TestSite::empty();
    site.write(
        "statuspost.toml",
        crate::support::CONFIG.replace("group = \"Data\"", "group = \"Data\"\nsince = 2026-11-20"),
    );
    site.write(
        "maintenance/m.md",
        "+++\ntitle = \"Work\"\ncomponents = [\"db\"]\nstarts = 2026-11-21T01:00:00Z\nends = 2026-11-21T02:00:00Z\n+++\n",
    );
    site.build("2026-11-22T12:00:00Z");
    let (db, legend) = days(&site, "Databases");
    assert_eq!(db[86], "19 Nov 2026: no data");
    assert_eq!(db[87], "20 Nov 2026: no incidents");
    assert_eq!(db[88], "21 Nov 2026: maintenance, no incidents");
    assert!(legend.contains("100.00% uptime"), "{legend}");
    assert!(site.read("site/index.html").contains("<span class=\"d2\">"));
}

#[test]
fn the_home_page_with_bars_stays_within_one_round_trip() {
    // Ten components, two open incidents, a season of history: the home page
    // must still arrive in the first 14 kB (gzip).
    let site = TestSite::empty();
    let mut config = crate::support::CONFIG
        .split("[[components]]")
        .next()
        .unwrap()
        .to_string();
    for i in 0..10 {
        config.push_str(&format!("[[components]]\nid = \"c{i}\"\nname = \"Component number {i}\"\ngroup = \"Group {}\"\ndescription = \"What component {i} does for customers\"\n\n", i % 3));
    }
    site.write("statuspost.toml", config);
    for day in 0..80 {
        let date =
            chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap() + chrono::Duration::days(day);
        let c = day % 10;
        site.incident(
            &format!("h{day}"),
            &incident(
                &format!("h{day}"),
                &format!("c{c}"),
                ["minor", "major", "critical"][day as usize % 3],
                &format!("{date}T10:00:00Z"),
                Some(&format!("{date}T11:00:00Z")),
            ),
        );
    }
    site.incident(
        "o1",
        &incident("o1", "c1", "major", "2026-11-22T10:00:00Z", None),
    );
    site.incident(
        "o2",
        &incident("o2", "c2", "minor", "2026-11-22T11:00:00Z", None),
    );
    site.build("2026-11-22T12:00:00Z");
    let index = std::fs::read(site.path("site/index.html")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&index).unwrap();
    let size = gz.finish().unwrap().len();
    assert!(size <= 14 * 1024, "home page is {size} bytes gzip");
}

#[test]
fn new_and_update_work_for_maintenance_with_their_own_templates() {
    let site = TestSite::new();
    let run = site
        .run(&[
            "new",
            "--maintenance",
            "Database upgrade",
            "--component",
            "db",
            "--starts",
            "2026-12-01T22:00",
            "--ends",
            "2026-12-02T01:00",
            "--now",
            "2026-11-22T10:00:00Z",
        ])
        .success();
    let path = run.stdout().trim().to_string();
    assert_eq!(path, "maintenance/2026-12-01-database-upgrade.md");
    let file = site.read(&path);
    assert!(file.starts_with("+++\ntitle = \"Database upgrade\"\ncomponents = [\"db\"]\nstarts = 2026-12-01T22:00:00+00:00\nends = 2026-12-02T01:00:00+00:00\n+++\n"), "{file}");
    assert!(file.contains("state = \"scheduled\"\nat = 2026-11-22T10:00:00+00:00\n+++\nWe will carry out maintenance on Databases from 22:00 GMT on 1 Dec 2026 to 01:00 GMT on 2 Dec 2026."), "{file}");

    site.run(&[
        "update",
        "database-upgrade",
        "in_progress",
        "--now",
        "2026-12-01T22:01:00Z",
    ])
    .success();
    site.run(&[
        "update",
        "database-upgrade",
        "completed",
        "--message",
        "Done.",
        "--now",
        "2026-12-02T00:30:00Z",
    ])
    .success();
    let file = site.read(&path);
    assert!(file.contains("state = \"in_progress\"\nat = 2026-12-01T22:01:00+00:00\nnext_update = \"30m\"\n+++\nThe maintenance on Databases has started."), "{file}");
    assert!(
        file.ends_with("state = \"completed\"\nat = 2026-12-02T00:30:00+00:00\n+++\nDone.\n"),
        "{file}"
    );
    site.run(&["update", "database-upgrade", "resolved"])
        .expect_code(2)
        .expect_stderr("unknown state `resolved` for maintenance");
    site.run(&["update", "database-upgrade", "in_progress"])
        .expect_code(2)
        .expect_stderr("is completed");
    site.run(&[
        "new",
        "--maintenance",
        "X",
        "--component",
        "db",
        "--starts",
        "2026-12-01T22:00",
        "--ends",
        "2026-12-01T21:00",
    ])
    .expect_code(2)
    .expect_stderr("--ends is not after --starts");
    site.build("2026-12-02T01:00:00Z");
    let page = text(&site.read("site/maintenance/2026-12-01-database-upgrade/index.html"));
    assert!(
        page.contains("Completed 2 Dec 2026, 00:30 GMT Done."),
        "{page}"
    );
}

// Issue 14 follow-up: a window whose summary is only an unfilled template
// section put an empty paragraph into the calendar event's description.
#[test]
fn an_unfilled_summary_leaves_no_empty_paragraph_in_the_calendar() {
    let site = TestSite::new();
    site.write(
        "maintenance/2026-03-29-db-upgrade.md",
        "+++\ntitle = \"Database upgrade\"\ncomponents = [\"db\"]\nstarts = 2026-03-29T00:30:00Z\nends = 2026-03-29T03:00:00Z\n+++\n## What we are changing\n\n<!-- fill in: the work. This note is never published. -->\n",
    );
    site.build("2026-03-28T12:00:00Z");
    let calendar: icalendar::Calendar = site
        .read("site/maintenance.ics")
        .parse()
        .expect("valid iCalendar");
    let event = calendar
        .components
        .iter()
        .find_map(|c| c.as_event())
        .expect("the window");
    let description = event.get_description().expect("a description");
    assert!(!description.contains("\n\n\n"), "{description:?}");
    assert!(
        description.ends_with("/maintenance/2026-03-29-db-upgrade/"),
        "{description:?}"
    );
}
