//! What readers see on issue 17's list: promises that lapsed, updates not yet
//! due, the tab, the incident card, the API, hosting headers, the sitemap,
//! the history and subscribing. Each test names the bug it pins.

use crate::support::{between, text, TestSite};

fn open_incident(title: &str, impact: &str, components: &str, at: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\nimpact = \"{impact}\"\ncomponents = {components}\n+++\n\n+++\nstate = \"investigating\"\nat = {at}\nnext_update = \"30m\"\n+++\nWe are investigating {title}.\n"
    )
}

#[test]
fn a_missed_promise_is_called_overdue() {
    // Issue 17: at 10:12 the page still said "Next update by 10:00", as if nothing were late.
    let site = TestSite::new();
    site.incident(
        "slow",
        &open_incident("Slow API", "major", "[\"api\"]", "2026-11-22T09:30:00Z"),
    );
    site.build("2026-11-22T09:45:00Z");
    let home = text(&site.read("site/index.html"));
    assert!(!home.contains("overdue"), "{home}");
    assert!(
        home.contains("Next update by 22 Nov 2026, 10:00 GMT."),
        "{home}"
    );

    site.build("2026-11-22T10:12:00Z");
    let overdue = "Update overdue: the next update was promised for 22 Nov 2026, 10:00 GMT.";
    let home = site.read("site/index.html");
    let card = text(between(&home, "id=active", "</section>"));
    assert!(card.contains(overdue), "{card}");
    assert!(!card.contains("Next update by"), "{card}");
    let page = text(&site.read("site/incidents/slow/index.html"));
    assert!(page.contains(overdue), "{page}");

    // In every built-in language.
    site.write(
        "statuspost.toml",
        format!("language = \"de\"\n{}", crate::support::CONFIG),
    );
    site.build("2026-11-22T10:12:00Z");
    let page = text(&site.read("site/incidents/slow/index.html"));
    assert!(
        page.contains("Meldung überfällig: Die nächste Meldung war für 22. Nov. 2026"),
        "{page}"
    );
}

#[test]
fn an_update_dated_after_now_waits_for_its_time() {
    // Issue 17: an update whose `at` was after the build's now was published as current.
    let site = TestSite::new();
    site.incident(
        "slow",
        "+++\ntitle = \"Slow API\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n\n\
         +++\nstate = \"investigating\"\nat = 2026-11-22T10:00:00Z\nnext_update = \"2h\"\n+++\nWe are looking.\n\n\
         +++\nstate = \"resolved\"\nat = 2026-11-22T11:00:00Z\n+++\nWords from the future.\n",
    );
    site.incident(
        "later",
        &open_incident(
            "Tomorrow's outage",
            "critical",
            "[\"db\"]",
            "2026-11-22T12:00:00Z",
        ),
    );
    site.build("2026-11-22T10:30:00Z");
    for file in [
        "index.html",
        "incidents/slow/index.html",
        "history/index.html",
        "history/2026-11/index.html",
        "feed.xml",
        "feed.atom",
        "components/api/feed.xml",
        "components/db/feed.xml",
        "api/v2/incidents.json",
        "api/v2/incidents/unresolved.json",
        "api/v2/summary.json",
        "api/v2/status.json",
        "sitemap.xml",
    ] {
        let body = site.read(&format!("site/{file}"));
        assert!(!body.contains("Words from the future"), "{file}: {body}");
        assert!(!body.contains("Tomorrow"), "{file}: {body}");
        assert!(!body.contains("2026-11-22T11:00"), "{file}: {body}");
    }
    assert!(!site.exists("site/incidents/later"));
    let home = text(&site.read("site/index.html"));
    assert!(home.contains("Degraded performance"), "{home}");
    let summary = site.read("site/api/v2/summary.json");
    assert!(summary.contains("\"indicator\": \"minor\""), "{summary}");

    // Once their time has come, they are published.
    site.build("2026-11-22T12:05:00Z");
    let page = text(&site.read("site/incidents/slow/index.html"));
    assert!(page.contains("Words from the future"), "{page}");
    assert!(site.read("site/index.html").contains("Tomorrow"));
    assert!(site.read("site/feed.xml").contains("Words from the future"));
    assert!(site.read("site/api/v2/incidents.json").contains("Tomorrow"));
}

/// The `href` of the page's icon.
fn icon(html: &str) -> String {
    crate::support::tags(html)
        .into_iter()
        .find(|(tag, attrs)| tag == "link" && attrs.iter().any(|(k, v)| k == "rel" && v == "icon"))
        .and_then(|(_, attrs)| attrs.into_iter().find(|(k, _)| k == "href"))
        .map(|(_, v)| v)
        .expect("an icon")
}

#[test]
fn the_tab_shows_the_overall_status() {
    // Issue 17: the tab's title and icon said all was well during an outage.
    let site = TestSite::new();
    site.build("2026-11-22T09:45:00Z");
    let home = site.read("site/index.html");
    assert!(
        home.contains("<title>All systems operational · Acme Cloud Status</title>"),
        "{home}"
    );
    assert!(icon(&home).starts_with("data:image/svg+xml,"));
    assert!(icon(&home).contains("%231a7f37"), "{}", icon(&home));

    site.incident(
        "slow",
        &open_incident("Slow API", "major", "[\"api\"]", "2026-11-22T09:30:00Z"),
    );
    site.build("2026-11-22T09:45:00Z");
    let home = site.read("site/index.html");
    assert!(
        home.contains("<title>Partial outage · Acme Cloud Status</title>"),
        "{home}"
    );
    assert!(icon(&home).contains("%23bc4c00"), "{}", icon(&home));
    // The open incident's page shows its own impact; pages that do not follow the clock claim nothing.
    let page = site.read("site/incidents/slow/index.html");
    assert!(icon(&page).contains("%23bc4c00"), "{}", icon(&page));
    let history = site.read("site/history/index.html");
    assert!(!icon(&history).contains("%231a7f37"), "{}", icon(&history));
}

/// The `class` of every element with one, in order.
fn classes(html: &str) -> Vec<String> {
    crate::support::tags(html)
        .into_iter()
        .filter_map(|(_, attrs)| attrs.into_iter().find(|(k, _)| k == "class"))
        .map(|(_, v)| v)
        .collect()
}

#[test]
fn the_incident_card_says_when_how_long_how_bad_and_what() {
    // Issue 17: the card lacked when it started, how long it had lasted, its
    // impact and components; the banner did not name what was affected; every
    // update's old promise was as prominent as the current one; the stripe was
    // always orange.
    let site = TestSite::new();
    site.incident(
        "slow",
        "+++\ntitle = \"Slow dashboard\"\nimpact = \"minor\"\ncomponents = [\"dashboard\"]\n+++\n\n\
         +++\nstate = \"investigating\"\nat = 2026-11-22T10:00:00Z\nnext_update = \"30m\"\n+++\nLooking.\n\n\
         +++\nstate = \"identified\"\nat = 2026-11-22T10:25:00Z\nnext_update = \"1h\"\n+++\nFound it.\n",
    );
    site.build("2026-11-22T11:05:00Z");
    let home = site.read("site/index.html");
    assert_eq!(
        text(between(&home, "<h1", "</h1>")),
        "Degraded performance: Dashboard"
    );
    let card = between(&home, "id=active", "</section>");
    let words = text(card);
    for expected in [
        "Started 22 Nov 2026, 10:00 GMT, ongoing for 1h 5m",
        "Degraded performance",
        "Affects Dashboard",
        "Next update by 22 Nov 2026, 11:25 GMT.",
    ] {
        assert!(words.contains(expected), "missing {expected:?} in {words}");
    }
    assert!(
        classes(card).iter().any(|c| c == "incident open s-minor"),
        "{:?}",
        classes(card)
    );
    // On the incident page only the latest promise stands out.
    let page = site.read("site/incidents/slow/index.html");
    let promises: Vec<String> = classes(&page)
        .into_iter()
        .filter(|c| c.starts_with("next"))
        .collect();
    assert_eq!(promises, ["next", "next past"], "{page}");
}

#[test]
fn machines_may_read_the_api_feeds_calendar_and_badge_from_any_origin() {
    // Issue 17: dashboards on other origins could not fetch the API or feeds.
    let site = TestSite::new();
    site.build("2026-11-22T09:45:00Z");
    let headers = site.read("site/_headers");
    for path in [
        "/api/v2/*",
        "/feed.xml",
        "/feed.atom",
        "/components/*",
        "/maintenance.ics",
        "/badge.svg",
    ] {
        let block = headers
            .split("\n\n")
            .find(|b| b.lines().next() == Some(path))
            .unwrap_or_else(|| panic!("no block for {path} in {headers}"));
        assert!(
            block.contains("\n  Access-Control-Allow-Origin: *"),
            "{path}: {block}"
        );
    }
    // Pages stay same-origin.
    assert_eq!(
        headers.matches("Access-Control-Allow-Origin").count(),
        6,
        "{headers}"
    );
}

#[test]
fn the_sitemap_lists_every_page() {
    // Issue 17: monthly history pages and maintenance pages were missing from sitemap.xml.
    let site = TestSite::new();
    site.incident(
        "slow",
        &open_incident("Slow API", "major", "[\"api\"]", "2026-10-22T09:30:00Z"),
    );
    site.write(
        "maintenance/upgrade.md",
        "+++\ntitle = \"Upgrade\"\ncomponents = [\"db\"]\nstarts = 2026-11-28T22:00:00Z\nends = 2026-11-29T01:00:00Z\n+++\nWork.\n",
    );
    site.build("2026-11-22T09:45:00Z");
    let sitemap = site.read("site/sitemap.xml");
    let base = "https://status.acme-status.net/";
    let mut pages: Vec<String> = Vec::new();
    collect_pages(&site.path("site"), &site.path("site"), &mut pages);
    assert!(pages.len() >= 6, "{pages:?}");
    for page in pages {
        let loc = format!("<loc>{base}{page}</loc>");
        assert!(sitemap.contains(&loc), "{loc} missing in {sitemap}");
    }
}

/// Every `index.html` under `dir`, as its folder's path relative to `root` with a trailing slash.
fn collect_pages(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_pages(root, &path, out);
        } else if path.file_name().is_some_and(|n| n == "index.html") {
            let rel = path.parent().unwrap().strip_prefix(root).unwrap();
            let rel = rel.to_str().unwrap().replace('\\', "/");
            out.push(if rel.is_empty() {
                rel
            } else {
                format!("{rel}/")
            });
        }
    }
}

fn json(site: &TestSite, file: &str) -> serde_json::Value {
    serde_json::from_str(&site.read(&format!("site/api/v2/{file}"))).unwrap()
}

#[test]
fn the_api_dates_components_and_maps_maintenance_as_statuspage_does() {
    // Issue 17: components had null `created_at`/`updated_at`; a cancelled window
    // had a status Statuspage does not have; `page.updated_at` ignored maintenance;
    // a window's `started_at` was its start, not when it was first posted.
    let site = TestSite::new();
    site.incident(
        "slow",
        "+++\ntitle = \"Slow API\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n\n\
         +++\nstate = \"investigating\"\nat = 2026-11-20T10:00:00Z\n+++\nLooking.\n\n\
         +++\nstate = \"resolved\"\nat = 2026-11-20T11:00:00Z\n+++\nFixed.\n",
    );
    site.write(
        "maintenance/upgrade.md",
        "+++\ntitle = \"Upgrade\"\ncomponents = [\"db\"]\nstarts = 2026-11-28T22:00:00Z\nends = 2026-11-29T01:00:00Z\n+++\nWork.\n\n\
         +++\nstate = \"scheduled\"\nat = 2026-11-21T10:00:00Z\n+++\nPlanned.\n\n\
         +++\nstate = \"cancelled\"\nat = 2026-11-22T09:00:00Z\n+++\nWe will not do this work.\n",
    );
    site.build("2026-11-22T09:45:00Z");
    let components = json(&site, "components.json");
    for c in components["components"].as_array().unwrap() {
        for key in ["created_at", "updated_at"] {
            assert!(c[key].is_string(), "{key} of {c}");
        }
    }
    let api = components["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "api")
        .unwrap();
    assert_eq!(api["updated_at"], "2026-11-20T11:00:00.000Z");
    assert_eq!(components["page"]["updated_at"], "2026-11-22T09:00:00.000Z");

    let windows = json(&site, "scheduled-maintenances.json");
    let window = &windows["scheduled_maintenances"][0];
    assert_eq!(window["status"], "completed", "{window}");
    assert_eq!(window["started_at"], "2026-11-21T10:00:00.000Z", "{window}");
    let latest = &window["incident_updates"][0];
    assert_eq!(latest["status"], "completed", "{latest}");
    assert!(
        latest["body"].as_str().unwrap().contains("Cancelled"),
        "{latest}"
    );
}

#[test]
fn author_text_takes_its_own_direction_and_the_badge_speaks_the_sites_language() {
    // Issue 17: a title in Arabic or Hebrew on an English page was laid out left to
    // right; the badge said "status: partial outage" on a German site.
    let site = TestSite::new();
    site.incident(
        "slow",
        &open_incident("Slow API", "major", "[\"api\"]", "2026-11-22T09:30:00Z"),
    );
    site.build("2026-11-22T09:45:00Z");
    for page in ["site/index.html", "site/incidents/slow/index.html"] {
        let html = site.read(page);
        let tags = crate::support::tags(&html);
        let bodies: Vec<_> = tags
            .iter()
            .filter(|(_, a)| a.iter().any(|(k, v)| k == "class" && v == "body"))
            .collect();
        assert!(!bodies.is_empty(), "{page}");
        for (_, attrs) in bodies {
            assert!(
                attrs.iter().any(|(k, v)| k == "dir" && v == "auto"),
                "{page}: {attrs:?}"
            );
        }
    }
    let page = site.read("site/incidents/slow/index.html");
    assert!(
        crate::support::tags(&page)
            .iter()
            .any(|(t, a)| t == "h1" && a.iter().any(|(k, v)| k == "dir" && v == "auto")),
        "{page}"
    );

    site.write(
        "statuspost.toml",
        format!("language = \"de\"\n{}", crate::support::CONFIG),
    );
    site.build("2026-11-22T09:45:00Z");
    let badge = site.read("site/badge.svg");
    assert!(badge.contains(">Status</text>"), "{badge}");
    assert!(badge.contains(">Teilweiser Ausfall</text>"), "{badge}");
}

/// Gzip at the level servers use by default, as a reader's first round trip carries it.
fn gzipped(bytes: &[u8]) -> usize {
    use std::io::Write as _;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap().len()
}

/// Ten components and `per_day` incidents a day (25 is denser than the 9) over the 100 days before 2026-11-22T12:00Z,
/// each with a title, a postmortem and three updates; the newest two still open.
fn dense_site(per_day: usize) -> TestSite {
    let site = TestSite::empty();
    let mut config = crate::support::CONFIG
        .split("[[components]]")
        .next()
        .unwrap()
        .to_string();
    let components = [
        "api",
        "dashboard",
        "auth",
        "webhooks",
        "db",
        "storage",
        "backups",
        "cdn",
        "dns",
        "lb",
    ];
    for id in components {
        config.push_str(&format!(
            "[[components]]\nid = \"{id}\"\nname = \"The {id} service\"\n\n"
        ));
    }
    site.write("statuspost.toml", config);
    let end = chrono::DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z").unwrap();
    let n = per_day * 100;
    for i in 0..n {
        let start = end - chrono::Duration::minutes((i * 24 * 60 / per_day) as i64 + 30);
        let at = |m: i64| (start + chrono::Duration::minutes(m)).format("%Y-%m-%dT%H:%M:%SZ");
        let component = components[i * 7 % 10];
        let impact = ["minor", "major", "critical"][i % 3];
        let last = if i < 2 {
            format!("+++\nstate = \"identified\"\nat = {}\nnext_update = \"2h\"\n+++\nWe found the cause {i}.\n", at(10))
        } else {
            format!("+++\nstate = \"resolved\"\nat = {}\n+++\nResolved: incident {i} is over and everything works again.\n", at(40 + i as i64 % 50))
        };
        site.incident(
            &format!("{}-intermittent-errors-on-{component}-{i}", at(0).to_string().get(..10).unwrap()),
            &format!(
                "+++\ntitle = \"Errors number {i} on the {component} service\"\nimpact = \"{impact}\"\ncomponents = [\"{component}\"]\n+++\n\
                 ## What happened\n\nIncident {i}: requests to {component} failed for some customers.\n\n\
                 +++\nstate = \"investigating\"\nat = {}\n+++\nWe are looking into errors {i} on {component}.\n\n{last}",
                at(0)
            ),
        );
    }
    site
}

#[test]
fn the_home_page_fits_one_round_trip_at_any_incident_density() {
    // Issue 17.8: with about 9 incidents a day the home page was 15.9 KB gzip, over the
    // 14 KB of a first round trip, as every incident of the past 14 days and every day's
    // bar text were on it.
    for per_day in [25, 1] {
        let site = dense_site(per_day);
        site.build("2026-11-22T12:00:00Z");
        let home = site.read("site/index.html");
        assert_eq!(home.matches("incident open").count(), 2, "{per_day} a day");
        let size = gzipped(home.as_bytes());
        assert!(
            size <= 14 * 1000,
            "{per_day} incidents a day: the home page is {} bytes raw, {size} gzip",
            home.len()
        );
    }
}

#[test]
fn the_bars_are_summed_up_in_words_and_each_day_is_one_tap_away() {
    // Issue 17.5: screen readers heard 90 list items per component, and each day was a
    // hairline link. Now the bars are one link to the component's page of days in words,
    // with a summary beside them; incident days are taller as well as coloured.
    let site = TestSite::new();
    site.incident(
        "slow",
        "+++\ntitle = \"Slow API\"\nimpact = \"major\"\ncomponents = [\"api\"]\n+++\n\n\
         +++\nstate = \"investigating\"\nat = 2026-11-20T10:00:00Z\n+++\nLooking.\n\n\
         +++\nstate = \"resolved\"\nat = 2026-11-20T11:00:00Z\n+++\nFixed.\n",
    );
    site.build("2026-11-22T09:45:00Z");
    let home = site.read("site/index.html");
    let components = between(&home, "id=components", "</section>");
    assert_eq!(components.matches("<li").count(), 3, "{components}");
    assert!(!components.contains("20 Nov 2026"), "{components}");
    let links: Vec<String> = crate::support::tags(components)
        .into_iter()
        .filter(|(tag, _)| tag == "a")
        .map(|(_, attrs)| format!("{attrs:?}"))
        .collect();
    assert_eq!(links.len(), 3, "{links:?}");
    assert!(
        links[0].contains("components/api/") && links[0].contains("Public API, the last 90 days"),
        "{links:?}"
    );
    let words = text(components);
    assert!(
        words.contains("Last 90 days: 99.98% uptime, 1 day with incidents"),
        "{words}"
    );
    assert!(
        words.contains("Last 90 days: 100.00% uptime, 0 days with incidents"),
        "{words}"
    );
    // The days in words, newest first, each with an anchor and the worst incident linked.
    let page = site.read("site/components/api/index.html");
    let days = between(&page, "class=days", "</ol>");
    assert_eq!(days.matches("<li").count(), 90, "{days}");
    assert!(days.find("22 Nov 2026").unwrap() < days.find("21 Nov 2026").unwrap());
    assert!(
        text(days).contains("20 Nov 2026: 1 incident, 1h partial outage"),
        "{days}"
    );
    assert!(days.contains("incidents/slow/"), "{days}");
    assert!(
        days.contains("id=d2026-11-20") || days.contains("id=\"d2026-11-20\""),
        "{days}"
    );
    // Phones see 30 days; a day with an incident stands taller than one without.
    let css = between(&home, "<style>", "</style>");
    let phone = between(css, "@media (width<=600px)", "}}");
    assert!(phone.contains("a.bars>:nth-child(-n+60)"), "{css}");
    for (day, height) in [("d1", "55%"), ("d3", "80%"), ("d5", "100%")] {
        let rule = if day == "d1" { ".bars>*" } else { day };
        let at = css.find(rule).unwrap_or_else(|| panic!("{day} in {css}"));
        assert!(
            css[at..]
                .split('}')
                .next()
                .unwrap()
                .contains(&format!("height:{height}")),
            "{day}: {css}"
        );
    }
}

fn resolved_incident(title: &str, at: &str, until: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\nimpact = \"critical\"\ncomponents = [\"db\"]\n+++\n\n\
         +++\nstate = \"investigating\"\nat = {at}\n+++\nLooking.\n\n\
         +++\nstate = \"resolved\"\nat = {until}\n+++\nFixed.\n"
    )
}

#[test]
fn the_history_names_the_incidents_and_says_when_a_month_had_none() {
    // Issue 17.7: the history page was a bare list of months, and a month with no
    // incidents vanished from it.
    let site = TestSite::new();
    site.incident(
        "db-down",
        &resolved_incident(
            "Database down",
            "2026-11-03T10:00:00Z",
            "2026-11-03T11:30:00Z",
        ),
    );
    site.incident(
        "old",
        &resolved_incident(
            "An old outage",
            "2026-08-10T10:00:00Z",
            "2026-08-10T10:20:00Z",
        ),
    );
    site.build("2026-11-22T09:45:00Z");
    let history = site.read("site/history/index.html");
    let words = text(&history);
    for expected in [
        "November 2026",
        "Database down Major outage · 3 Nov 2026, 10:00 GMT, resolved after 1h 30m",
        "October 2026 No incidents",
        "September 2026 No incidents",
        "August 2026",
        "An old outage Major outage · 10 Aug 2026, 11:00 BST, resolved after 20m",
        "October 2026 No incidents",
    ] {
        assert!(words.contains(expected), "missing {expected:?} in {words}");
    }
    assert!(history.contains("incidents/db-down/"), "{history}");
    assert!(history.contains("history/2026-11/"), "{history}");
    assert!(!history.contains("history/2026-10/"), "{history}");

    // A busy month names its latest twenty and links to the rest.
    for day in 1..=25 {
        site.incident(
            &format!("busy-{day}"),
            &resolved_incident(
                &format!("Busy day {day}"),
                &format!("2026-09-{day:02}T10:00:00Z"),
                &format!("2026-09-{day:02}T10:10:00Z"),
            ),
        );
    }
    site.build("2026-11-22T09:45:00Z");
    let words = text(&site.read("site/history/index.html"));
    assert!(words.contains("Busy day 25"), "{words}");
    assert!(!words.contains("Busy day 5 "), "{words}");
    assert!(words.contains("and 5 more incidents"), "{words}");
}

#[test]
fn subscribing_is_one_link_away_on_every_page() {
    // Issue 17.6: only "RSS" and "Atom" in the header; nothing said how to follow one
    // component, the maintenance calendar, a mailing list or chat, the badge or the API.
    let site = TestSite::new();
    site.write(
        "statuspost.toml",
        format!(
            "{}\n[subscribe]\nmailing_list = \"https://groups.example.com/g/acme-status\"\nchat = \"https://chat.example.com/acme\"\n",
            crate::support::CONFIG
        ),
    );
    site.incident(
        "slow",
        &open_incident("Slow API", "major", "[\"api\"]", "2026-11-22T09:30:00Z"),
    );
    site.build("2026-11-22T09:45:00Z");
    for (page, root) in [
        ("index.html", ""),
        ("incidents/slow/index.html", "../../"),
        ("history/index.html", "../"),
        ("components/api/index.html", "../../"),
    ] {
        let html = site.read(&format!("site/{page}"));
        let nav = between(&html, "<nav", "</nav>");
        assert!(
            nav.contains(&format!("{root}subscribe/")) && text(nav).contains("Subscribe"),
            "{page}: {nav}"
        );
    }
    let page = site.read("site/subscribe/index.html");
    for href in [
        "../feed.xml",
        "../feed.atom",
        "../components/api/feed.xml",
        "../components/db/feed.xml",
        "../maintenance.ics",
        "../badge.svg",
        "../api/v2/summary.json",
        "https://groups.example.com/g/acme-status",
        "https://chat.example.com/acme",
    ] {
        assert!(page.contains(&format!("href=\"{href}\"")), "{href}: {page}");
    }
    let words = text(&page);
    for expected in [
        "Every incident and update: RSS or Atom",
        "Add https://status.acme-status.net/maintenance.ics to your calendar",
        "Mailing list",
        "Chat",
        "A status badge for READMEs and dashboards: https://status.acme-status.net/badge.svg",
    ] {
        assert!(words.contains(expected), "missing {expected:?} in {words}");
    }
    // Without the table, no "Elsewhere".
    site.write("statuspost.toml", crate::support::CONFIG);
    site.build("2026-11-22T09:45:00Z");
    let words = text(&site.read("site/subscribe/index.html"));
    assert!(!words.contains("Elsewhere"), "{words}");

    // A wrong address is shown where it is written.
    site.write(
        "statuspost.toml",
        format!(
            "{}\n[subscribe]\nchat = \"javascript:alert(1)\"\nmailing_list = \"groups.example.com\"\nemail = \"x\"\n",
            crate::support::CONFIG
        ),
    );
    let line = crate::support::CONFIG.lines().count() + 3;
    site.run(&["build", "--now", "2026-11-22T09:45:00Z"])
        .expect_code(2)
        .expect_stderr(&format!(
            "error: `chat` in [subscribe] must be a web address, starting with https://; found \"javascript:alert(1)\"\n   --> statuspost.toml:{line}:8"
        ))
        .expect_stderr(&format!(
            "error: `mailing_list` in [subscribe] must be a web address, found \"groups.example.com\" (relative URL without a base)\n   --> statuspost.toml:{}:16",
            line + 1
        ))
        .expect_stderr("unknown key `email` in the [subscribe] table");
}

/// The `datetime` of the home page's "As of" time.
fn as_of(site: &TestSite) -> String {
    let html = site.read("site/index.html");
    let start = html.find("As of <time datetime=\"").expect("an As of time") + 22;
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

// Review of issue 14 (item 8): "As of" had become the last update's time.
// On a quiet site that was months old above today's bars; during an outage
// it contradicted the incident's own "ongoing for"; and the API's
// `page.updated_at` ignored a window starting, and was 1970 on an empty site.
#[test]
fn as_of_agrees_with_the_bars_the_durations_and_the_api() {
    let site = TestSite::new();
    site.incident(
        "2026-12-01-api-errors",
        "+++\ntitle = \"API errors\"\nimpact = \"major\"\ncomponents = [\"api\"]\n+++\n\n+++\nstate = \"investigating\"\nat = 2026-12-01T10:00:00Z\n+++\nSome requests fail.\n\n+++\nstate = \"resolved\"\nat = 2026-12-01T11:00:00Z\n+++\nAll requests succeed again.\n",
    );
    // Quiet, three months on: the page is as of today, when its bars last moved.
    site.build("2027-03-01T12:00:00Z");
    assert_eq!(as_of(&site), "2027-03-01T00:00:00Z");
    assert_eq!(
        json(&site, "status.json")["page"]["updated_at"],
        "2026-12-01T11:00:00.000Z"
    );
    // An incident open: the page is as of the build's minute, as its "ongoing for" is.
    site.incident(
        "2027-03-01-slow-dashboard",
        &open_incident(
            "Slow dashboard",
            "minor",
            "[\"dashboard\"]",
            "2027-03-01T11:00:00Z",
        ),
    );
    site.build("2027-03-01T11:20:30Z");
    assert_eq!(as_of(&site), "2027-03-01T11:20:00Z");
    assert!(text(&site.read("site/index.html")).contains("20m"));
    // A window that has started moves the API's stamp, as it moves the status.
    site.write(
        "maintenance/2027-03-01-db.md",
        "+++\ntitle = \"Database upgrade\"\ncomponents = [\"db\"]\nstarts = 2027-03-01T11:10:00Z\nends = 2027-03-01T13:00:00Z\n+++\n+++\nstate = \"scheduled\"\nat = 2027-02-20T09:00:00Z\n+++\nThe upgrade is scheduled.\n",
    );
    site.build("2027-03-01T11:20:30Z");
    assert_eq!(
        json(&site, "status.json")["page"]["updated_at"],
        "2027-03-01T11:10:00.000Z"
    );

    // No content at all: today's midnight, never 1970.
    let empty = TestSite::new();
    empty.build("2027-03-01T12:00:00Z");
    let summary = json(&empty, "summary.json");
    assert_eq!(summary["page"]["updated_at"], "2027-03-01T00:00:00.000Z");
    assert!(
        !empty.read("site/api/v2/components.json").contains("1970"),
        "{}",
        empty.read("site/api/v2/components.json")
    );
}

// Review of issue 17 (item 7): a month with maintenance and no incident read
// "No incidents" in one list of the history and "0 incidents" in the other.
#[test]
fn the_history_says_a_month_without_incidents_one_way() {
    let site = TestSite::new();
    site.write(
        "maintenance/2026-10-10-db.md",
        "+++\ntitle = \"Database upgrade\"\ncomponents = [\"db\"]\nstarts = 2026-10-10T22:00:00Z\nends = 2026-10-10T23:00:00Z\n+++\n+++\nstate = \"scheduled\"\nat = 2026-10-01T09:00:00Z\n+++\nThe upgrade is scheduled.\n\n+++\nstate = \"completed\"\nat = 2026-10-10T23:00:00Z\n+++\nDone.\n",
    );
    site.build("2026-11-22T12:00:00Z");
    let history = text(&site.read("site/history/index.html"));
    assert!(!history.contains("0 incidents"), "{history}");
    assert!(history.contains("No incidents"), "{history}");
}

// Review of issue 17 (item 5): a day with several incidents linked only to the
// worst, so the others could not be reached from the component's page.
#[test]
fn a_day_with_several_incidents_links_to_all_of_them() {
    let site = TestSite::new();
    for (slug, title, at) in [
        ("2026-11-20-a", "First outage", "2026-11-20T08:00:00Z"),
        ("2026-11-20-b", "Second outage", "2026-11-20T15:00:00Z"),
    ] {
        site.incident(
            slug,
            &format!("+++\ntitle = \"{title}\"\nimpact = \"major\"\ncomponents = [\"api\"]\n+++\n\n+++\nstate = \"investigating\"\nat = {at}\n+++\nSome requests fail.\n\n+++\nstate = \"resolved\"\nat = {}\n+++\nFixed.\n", at.replace("T08", "T09").replace("T15", "T16")),
        );
    }
    site.build("2026-11-22T12:00:00Z");
    let page = site.read("site/components/api/index.html");
    let day = between(&page, "id=\"d2026-11-20\"", "</li>");
    assert!(day.contains("href=\"../../history/2026-11/\""), "{day}");
    let month = text(&site.read("site/history/2026-11/index.html"));
    assert!(
        month.contains("First outage") && month.contains("Second outage"),
        "{month}"
    );
}

// Review of issue 17 (item 5): a phone shows 30 days of bars, but the summary
// under them spoke of 90, naming an incident day no bar on the screen showed.
#[test]
fn a_phone_reads_a_summary_of_the_days_it_shows() {
    let site = TestSite::new();
    site.incident(
        "2026-10-10-api",
        "+++\ntitle = \"API errors\"\nimpact = \"major\"\ncomponents = [\"api\"]\n+++\n\n+++\nstate = \"investigating\"\nat = 2026-10-10T10:00:00Z\n+++\nSome requests fail.\n\n+++\nstate = \"resolved\"\nat = 2026-10-10T11:00:00Z\n+++\nFixed.\n",
    );
    site.build("2026-11-22T12:00:00Z");
    let html = site.read("site/index.html");
    let api = between(&html, "Public API", "</li>");
    let wide = between(api, "class=s90>", "</span>");
    let phone = between(api, "class=s30>", "</span>");
    assert!(
        wide.contains("Last 90 days") && wide.contains("1 day with incidents"),
        "{wide}"
    );
    assert!(
        phone.contains("Last 30 days: 100.00% uptime, 0 days with incidents"),
        "{phone}"
    );
    assert!(
        html.contains(".n90,.s90{display:none}"),
        "the phone rule hides the 90-day summary"
    );
}
