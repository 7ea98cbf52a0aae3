//! The repository's demo site: the first thing a newcomer builds. It must look
//! like a well-run status page on whatever day it is built, and a site copied
//! from it must never publish its frozen clock.

use std::path::Path;

use crate::support::{text, TestSite};

/// The moment `demo_now` in the demo's statuspost.toml depicts.
const DEPICTED: &str = "2026-11-22T22:50:00Z";

/// A copy of the repository's demo site, as a newcomer's clone has it.
fn demo() -> TestSite {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = TestSite::empty();
    for name in [
        "statuspost.toml",
        "incidents",
        "maintenance",
        "static",
        "templates",
        "i18n",
    ] {
        copy(&repo.join(name), &site.path(name));
    }
    site
}

fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else if from.exists() {
        std::fs::copy(from, to).unwrap();
    }
}

/// The line `key` is written on in the demo's statuspost.toml.
fn config_line(site: &TestSite, key: &str) -> usize {
    site.read("statuspost.toml")
        .lines()
        .position(|l| l.starts_with(key))
        .unwrap_or_else(|| panic!("the demo's statuspost.toml has no `{key}`"))
        + 1
}

/// The `datetime` of the first `<time>` after each occurrence of `marker`.
fn times_after<'a>(html: &'a str, marker: &str) -> Vec<&'a str> {
    html.match_indices(marker)
        .map(|(i, _)| {
            let rest = &html[i..];
            let start = rest.find("<time datetime=\"").expect("a time") + 16;
            &rest[start..start + rest[start..].find('"').unwrap()]
        })
        .collect()
}

/// What a newcomer sees on the home page: no warning, no broken promise,
/// nothing dated after the moment the page says it shows.
fn assert_believable(site: &TestSite, stderr: &str) {
    assert!(!stderr.contains("warning"), "{stderr}");
    let html = site.read("site/index.html");
    let page = text(&html);
    assert!(!page.to_lowercase().contains("overdue"), "{page}");
    // With an incident open, the page is as of the moment it depicts: its
    // "ongoing for" counts up to it.
    let as_of = times_after(&html, "As of ");
    assert_eq!(as_of, [DEPICTED], "{page}");
    let updates = times_after(&html, "class=update>");
    assert!(
        !updates.is_empty(),
        "the demo shows an open incident: {page}"
    );
    assert!(updates.iter().all(|&u| u <= DEPICTED), "{page}");
    // ISO times in UTC compare as text.
    for at in updates.iter().chain(&times_after(&html, "Started ")) {
        assert!(
            *at <= DEPICTED,
            "an update dated {at}, after {DEPICTED}: {page}"
        );
    }
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines
            .last()
            .is_some_and(|l| l.contains("site/index.html") && l.contains("statuspost serve")),
        "the build ends by saying where the page is: {stderr}"
    );
}

#[test]
fn the_demo_builds_into_a_well_run_page_on_the_real_clock() {
    let site = demo();
    let run = site.run(&["build"]).success();
    let stderr = run.stderr();
    assert_believable(&site, &stderr);
    let line = config_line(&site, "demo_now");
    assert!(
        stderr.contains(&format!(
            "This demo site depicts 22 Nov 2026 22:50 GMT (`demo_now` in statuspost.toml, line {line})."
        )),
        "{stderr}"
    );
}

#[test]
fn the_demo_looks_the_same_on_any_date() {
    // The real clock cannot be moved from a test: what proves the page is the
    // same a year ago, today and a year from now is that a build on the real
    // clock writes exactly what a build at the depicted moment writes, so the
    // clock is never read.
    let today = demo();
    today.run(&["build"]).success();
    let depicted = demo();
    depicted.build(DEPICTED);
    assert!(
        today.snapshot() == depicted.snapshot(),
        "a build on the real clock differs from one at {DEPICTED}"
    );
}

#[test]
fn now_overrides_demo_now_for_one_run() {
    // `--now` asks what the site looks like at another moment: a year on, the
    // open incident's promise is a year old, and the build says so.
    let site = demo();
    let run = site
        .run(&["build", "--now", "2027-12-02T09:00:00Z"])
        .success();
    let stderr = run.stderr();
    assert!(
        stderr.contains("the next update was promised for"),
        "{stderr}"
    );
    assert!(!stderr.contains("This demo site depicts"), "{stderr}");
    let html = site.read("site/index.html");
    assert_eq!(times_after(&html, "As of "), ["2027-12-02T09:00:00Z"]);
}

#[test]
fn every_build_ends_by_saying_where_the_page_is() {
    let site = TestSite::new();
    let run = site.build("2026-11-22T16:00:00Z");
    let stderr = run.stderr();
    assert!(!stderr.contains("This demo site depicts"), "{stderr}");
    assert_eq!(
        stderr.lines().last(),
        Some("open site/index.html in a browser, or preview it with live reload: statuspost serve"),
        "{stderr}"
    );
    let out = site.path("out");
    let run = site
        .run(&[
            "build",
            "--now",
            "2026-11-22T16:00:00Z",
            "--output-dir",
            out.to_str().unwrap(),
        ])
        .success();
    let stderr = run.stderr();
    assert!(
        stderr.lines().last().unwrap().contains(&format!(
            "open {} in a browser",
            out.join("index.html").display()
        )),
        "{stderr}"
    );
}

#[test]
fn commands_that_reach_customers_or_stamp_real_times_refuse_a_demo_site() {
    let site = demo();
    let line = config_line(&site, "demo_now");
    let remote = site.path("remote.git");
    for args in [
        &["publish", "--git", remote.to_str().unwrap()][..],
        &["announce"],
        &["status", "--url", "http://127.0.0.1:9/"],
        &[
            "new",
            "Elevated errors",
            "--impact",
            "minor",
            "--component",
            "api",
        ],
        &["update", "webhooks", "resolved", "--message", "Fixed."],
    ] {
        let run = site.run(args).expect_code(2);
        let stderr = run.stderr();
        let command = args[0];
        assert!(
            stderr.contains(&format!("`statuspost {command}` refuses a demo site"))
                && stderr.contains(&format!("statuspost.toml:{line}:"))
                && stderr.contains("delete this line"),
            "{args:?}: {stderr}"
        );
    }
    // A dry run sends nothing: it previews, as build does.
    site.run(&["announce", "--dry-run"]).success();
    // Nothing was written, stamped or published.
    assert!(!site.exists("site"));
    assert!(!remote.exists());
    assert_eq!(
        std::fs::read_dir(site.path("incidents")).unwrap().count(),
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("incidents"))
            .unwrap()
            .count()
    );
    let webhooks = "incidents/2026-11-22-webhooks-delivery-delays.md";
    assert!(!site.read(webhooks).contains("Fixed."));
}

#[test]
fn check_says_the_demo_clock_is_frozen() {
    let site = demo();
    let line = config_line(&site, "demo_now");
    let run = site.run(&["check"]).success();
    let stderr = run.stderr();
    assert!(
        stderr.contains("the clock is frozen at 22 Nov 2026 22:50 GMT")
            && stderr.contains(&format!("statuspost.toml:{line}:")),
        "{stderr}"
    );
    site.run(&["check", "--deny-warnings"]).expect_code(1);
}

#[test]
fn init_never_freezes_the_clock() {
    let site = TestSite::empty();
    site.run(&["init", "my-status"]).success();
    let config = site.read("my-status/statuspost.toml");
    assert!(!config.contains("demo_now"), "{config}");
    site.run(&["build", "--root", "my-status"]).success();
}

#[test]
fn demo_now_that_is_not_a_time_is_located() {
    let site = TestSite::new();
    site.write(
        "statuspost.toml",
        format!("demo_now = 2026-11-22\n{}", site.read("statuspost.toml")),
    );
    site.run(&["build"])
        .expect_code(2)
        .expect_stderr("statuspost.toml:1:12")
        .expect_stderr("`demo_now`: expected a date and time");
}

#[test]
fn readme_quick_start_builds_the_demo_as_written() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let from = readme
        .find("<!-- example: quick start -->")
        .expect("README has a quick start");
    let block = &readme[from..];
    let block = &block[block.find("```").unwrap()..];
    let block = &block[..block[3..].find("```").unwrap()];
    let build = block
        .lines()
        .find(|l| l.starts_with("statuspost build"))
        .expect("the quick start builds the demo");
    let args: Vec<&str> = build
        .split('#')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    let site = demo();
    let run = site.run(&args[1..]).success();
    assert_believable(&site, &run.stderr());
}

#[test]
fn watch_names_the_depicted_moment_once() {
    use std::io::Read;
    let site = demo();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_statuspost"))
        .arg("watch")
        .current_dir(site.root())
        .env_remove("CI")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stderr.take().unwrap();
    let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = std::sync::Arc::clone(&stderr);
    std::thread::spawn(move || {
        let mut buf = [0; 4096];
        while let Ok(n @ 1..) = pipe.read(&mut buf) {
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let builds = |n: usize| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let text = stderr.lock().unwrap().clone();
            if text.matches("built 9 incidents").count() >= n {
                return text;
            }
            assert!(std::time::Instant::now() < deadline, "{text}");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    };
    builds(1);
    let path = "incidents/2026-11-22-webhooks-delivery-delays.md";
    site.write(
        path,
        site.read(path)
            .replace("15 minutes late", "16 minutes late"),
    );
    let text = builds(2);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        text.matches("This demo site depicts 22 Nov 2026 22:50 GMT")
            .count(),
        1,
        "{text}"
    );
    assert!(!text.contains("warning"), "{text}");
    assert!(text.contains("[22:50:00 GMT] built 9 incidents"), "{text}");
}

/// A real site copied from the demo with `demo_now` left in, built by CI and
/// deployed by whatever path (GitLab's `build --output-dir public`, a Pages
/// upload): the build in CI refuses, so the frozen page never goes out.
#[test]
fn a_build_in_ci_refuses_a_frozen_clock_unless_now_is_given() {
    let site = demo();
    for ci in ["true", "1"] {
        let run = site.run_env(&["build"], &[("CI", ci)]).expect_code(2);
        assert!(
            run.stderr()
                .contains("a build in CI (`CI` is set) refuses a demo site"),
            "{}",
            run.stderr()
        );
        assert!(
            run.stderr().contains("statuspost.toml:15:"),
            "{}",
            run.stderr()
        );
        assert!(!site.exists("site/index.html"));
    }
    site.run_env(
        &["build", "--now", "2026-11-22T22:50:00Z"],
        &[("CI", "true")],
    )
    .success();
    site.run_env(&["build"], &[("CI", "false")]).success();
}
