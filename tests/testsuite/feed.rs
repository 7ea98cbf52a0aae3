//! The RSS feed, read by an independent parser as a feed reader would.

use crate::support::TestSite;

fn update(state: &str, at: &str, text: &str) -> String {
    format!("+++\nstate = \"{state}\"\nat = {at}\n+++\n{text}\n\n")
}

#[test]
fn one_item_per_update_newest_first_with_stable_guids() {
    let site = TestSite::new();
    let head = "+++\ntitle = \"Elevated error rates on the Public API\"\nimpact = \"major\"\ncomponents = [\"api\"]\n+++\n\n";
    site.incident(
        "api-errors",
        &format!(
            "{head}{}{}",
            update(
                "investigating",
                "2026-11-22T14:05:00Z",
                "We are investigating <b>errors</b>."
            ),
            update(
                "identified",
                "2026-11-22T14:30:00Z",
                "The cause is identified."
            )
        ),
    );
    site.build("2026-11-22T14:40:00Z");
    let feed = feed_rs::parser::parse(site.read("site/feed.xml").as_bytes()).expect("valid feed");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::RSS2);
    assert_eq!(feed.title.unwrap().content, "Acme Cloud Status");
    let titles: Vec<_> = feed
        .entries
        .iter()
        .map(|e| e.title.clone().unwrap().content)
        .collect();
    assert_eq!(
        titles,
        [
            "[Identified] Elevated error rates on the Public API",
            "[Investigating] Elevated error rates on the Public API"
        ]
    );
    let first = &feed.entries[0];
    assert_eq!(
        first.links[0].href,
        "https://status.acme-status.net/incidents/api-errors/#identified-20261122T1430Z"
    );
    assert_eq!(
        first.published.unwrap().to_rfc3339(),
        "2026-11-22T14:30:00+00:00"
    );
    let body = first.summary.clone().unwrap().content;
    assert!(body.contains("The cause is identified."), "{body}");
    assert!(
        body.contains("Next update by 22 Nov 2026, 15:00 GMT"),
        "{body}"
    );
    let second_body = feed.entries[1].summary.clone().unwrap().content;
    assert!(
        second_body.contains("&lt;b&gt;errors&lt;/b&gt;"),
        "raw HTML is shown, not run: {second_body}"
    );
    let guids: Vec<_> = feed.entries.iter().map(|e| e.id.clone()).collect();

    // A new update adds one item and changes no existing guid.
    let path = "incidents/api-errors.md";
    site.write(
        path,
        site.read(path) + &update("resolved", "2026-11-22T15:10:00Z", "Resolved."),
    );
    site.build("2026-11-22T15:20:00Z");
    let feed = feed_rs::parser::parse(site.read("site/feed.xml").as_bytes()).unwrap();
    assert_eq!(
        feed.entries[0].title.clone().unwrap().content,
        "[Resolved] Elevated error rates on the Public API"
    );
    let later: Vec<_> = feed.entries[1..].iter().map(|e| e.id.clone()).collect();
    assert_eq!(guids, later);
}

#[test]
fn the_feed_is_bounded() {
    let site = TestSite::new();
    for i in 0..30 {
        site.incident(
            &format!("i{i:02}"),
            &format!(
                "+++\ntitle = \"Incident {i}\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n{}{}",
                update("investigating", &format!("2026-11-{:02}T10:00:00Z", i % 28 + 1), "Looking."),
                update("resolved", &format!("2026-11-{:02}T11:00:00Z", i % 28 + 1), "Fixed.")
            ),
        );
    }
    site.build("2026-11-30T12:00:00Z");
    let feed = feed_rs::parser::parse(site.read("site/feed.xml").as_bytes()).unwrap();
    assert_eq!(feed.entries.len(), 50);
    let dates: Vec<_> = feed.entries.iter().map(|e| e.published.unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
}

#[test]
fn each_item_names_the_components_affected_when_it_was_posted() {
    // Regression: every item showed the incident's current components, rewriting old items.
    let site = TestSite::new();
    site.incident(
        "moving",
        "+++\ntitle = \"Moving\"\nimpact = \"critical\"\ncomponents = [\"api\"]\n+++\n\
         +++\nstate = \"investigating\"\nat = 2026-11-22T10:00:00Z\n+++\nAPI down.\n\n\
         +++\nstate = \"identified\"\nat = 2026-11-22T10:30:00Z\nimpact = \"minor\"\ncomponents = [\"dashboard\"]\n+++\nNow only the dashboard is slow.\n",
    );
    site.build("2026-11-22T10:40:00Z");
    let feed = feed_rs::parser::parse(site.read("site/feed.xml").as_bytes()).unwrap();
    let body = |i: usize| feed.entries[i].summary.clone().unwrap().content;
    assert!(body(0).contains("Affected: Dashboard"), "{}", body(0));
    assert!(body(1).contains("Affected: Public API"), "{}", body(1));
    // The home page shows what is affected now, not the worst it was.
    let index = crate::support::text(&site.read("site/index.html"));
    assert!(
        index.contains("Degraded performance · Affects Dashboard"),
        "{index}"
    );
}
