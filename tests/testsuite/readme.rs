//! Keeps README.md honest: its config and incident examples build exactly as written.

use crate::support::{text, TestSite};

/// The fenced blocks in README.md that follow a line naming a file, e.g. "`statuspost.toml`:".
fn example(readme: &str, marker: &str) -> String {
    let from = readme
        .find(marker)
        .unwrap_or_else(|| panic!("README has no {marker}"));
    let rest = &readme[from..];
    let start = rest.find("```").unwrap();
    let rest = &rest[start..];
    let body_start = rest.find('\n').unwrap() + 1;
    let body = &rest[body_start..];
    body[..body.find("\n```").unwrap() + 1].to_string()
}

#[test]
fn readme_examples_build_as_written() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let config = example(&readme, "<!-- example: statuspost.toml -->");
    let incident = example(
        &readme,
        "<!-- example: incidents/2026-11-22-api-errors.md -->",
    );
    let site = TestSite::empty();
    site.write("statuspost.toml", &config);
    site.write("incidents/2026-11-22-api-errors.md", &incident);
    site.build("2026-11-22T16:00:00Z");
    let page = text(&site.read("site/incidents/2026-11-22-api-errors/index.html"));
    assert!(
        page.contains("Elevated error rates on the Public API"),
        "{page}"
    );
}

#[test]
fn readme_announce_example_is_a_valid_config() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let config = example(&readme, "<!-- example: statuspost.toml -->");
    let announce = example(&readme, "<!-- example: announce -->");
    let incident = example(
        &readme,
        "<!-- example: incidents/2026-11-22-api-errors.md -->",
    );
    let site = TestSite::empty();
    site.write("statuspost.toml", format!("{config}\n{announce}"));
    site.write("incidents/2026-11-22-api-errors.md", &incident);
    let run = site
        .run(&["announce", "--dry-run", "--now", "2026-11-22T14:30:00Z"])
        .success();
    let out = run.stdout();
    assert!(out.contains("would send to `slack`: incidents/2026-11-22-api-errors#investigating-20261122T1405Z\nPOST $SLACK_WEBHOOK_URL (`SLACK_WEBHOOK_URL` is not set: this send would fail)"), "{out}");
    assert!(out.contains("would send to `partners` (webhook)"), "{out}");
    assert!(
        out.contains(
            "Subject: [Acme Cloud Status] Investigating: Elevated error rates on the Public API"
        ),
        "{out}"
    );
}
