//! Nothing lost when a process dies half way: a build, `new` or `update`
//! killed at arbitrary points leaves complete files, a site whose links all
//! work, and the author's files either as they were or with the whole update.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::{assert_balanced, TestSite};

fn incident(i: usize, title: &str) -> String {
    format!(
        "+++\ntitle = \"{title} {i}\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n+++\nstate = \"resolved\"\nat = 2026-{:02}-{:02}T10:00:00Z\n+++\nSome requests to the Public API failed for a while; the cause is fixed.\n",
        if i < 30 { 11 } else { 1 + i % 10 },
        if i < 30 { 10 + i % 12 } else { 1 + i % 27 }
    )
}

/// Every page on disk is whole, and every page the home page links to exists.
fn assert_consistent(site: &TestSite, when: &str) {
    let index = site.read("site/index.html");
    assert_balanced(&format!("index.html {when}"), &index);
    for (path, bytes) in site.snapshot() {
        let name = path.display().to_string();
        if name.ends_with(".html") && !name.split('/').any(|p| p.starts_with('.')) {
            let html =
                String::from_utf8(bytes).unwrap_or_else(|_| panic!("{name} {when}: not UTF-8"));
            assert!(
                html.trim_end().ends_with("</html>"),
                "{name} {when}: cut short"
            );
        }
    }
    // Every page's links, not only the home page's: history months and
    // incident pages must never point at a page that is not there yet.
    let out = site.path("site");
    for (path, bytes) in site.snapshot() {
        let name = path.display().to_string();
        if !name.ends_with(".html") || name.split('/').any(|p| p.starts_with('.')) {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        let dir = path.parent().unwrap_or(std::path::Path::new(""));
        for (_, attrs) in crate::support::tags(&html) {
            for (key, value) in attrs {
                let value = value.split('#').next().unwrap_or_default();
                if key != "href" || value.is_empty() || value.contains(':') {
                    continue;
                }
                let mut target = std::path::PathBuf::new();
                for part in dir.join(value).components() {
                    match part {
                        std::path::Component::ParentDir => {
                            target.pop();
                        }
                        std::path::Component::Normal(p) => target.push(p),
                        _ => {}
                    }
                }
                let file = if value.ends_with('/') || value.ends_with("./") || value == "." {
                    out.join(&target).join("index.html")
                } else {
                    out.join(&target)
                };
                assert!(
                    file.exists(),
                    "{when}: {name} links to {value}, which is missing"
                );
            }
        }
    }
}

#[test]
fn a_build_killed_at_any_point_leaves_a_working_site() {
    let site = TestSite::new();
    for i in 0..150 {
        site.incident(&format!("i{i:03}"), &incident(i, "First"));
    }
    site.build("2026-11-22T12:00:00Z");
    for (round, delay_ms) in [1u64, 3, 6, 10, 15, 25, 40, 60, 90].into_iter().enumerate() {
        // Every incident moves to a new address, and the home page links to the
        // newest: had it been written before their pages, a kill would leave it
        // pointing at pages that do not exist.
        for i in 0..150 {
            let old = if round == 0 {
                format!("incidents/i{i:03}.md")
            } else {
                format!("incidents/r{}-i{i:03}.md", round - 1)
            };
            let _ = std::fs::remove_file(site.path(&old));
            site.incident(
                &format!("r{round}-i{i:03}"),
                &incident(i, &format!("Round {round}")),
            );
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_statuspost"))
            .args(["build", "--now", "2026-11-22T12:00:00Z"])
            .current_dir(site.root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        assert_consistent(&site, &format!("after a kill at {delay_ms} ms"));
    }
    // The next build finishes the job and leaves nothing behind.
    site.build("2026-11-22T12:00:00Z");
    assert_consistent(&site, "after the final build");
    let leftovers: Vec<String> = site
        .snapshot()
        .into_iter()
        .map(|(p, _)| p.display().to_string())
        .filter(|p| p.contains("statuspost-tmp") || p.contains("statuspost-building"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert!(site
        .read("site/incidents/r8-i007/index.html")
        .contains("Round 8 7"));
    assert!(
        !site.exists("site/incidents/r7-i007"),
        "the last round's pages are pruned"
    );
}

#[test]
fn a_build_that_dies_at_every_point_of_its_commit_leaves_a_working_site() {
    // Deterministic: the build aborts after moving N files into place, for N
    // across the whole commit, so the order of the commit itself is tested.
    let site = TestSite::new();
    for i in 0..40 {
        site.incident(&format!("a-i{i:03}"), &incident(i, "First"));
    }
    site.build("2026-11-22T12:00:00Z");
    for (round, n) in (0..200).step_by(11).enumerate() {
        for i in 0..40 {
            let old = if round == 0 {
                format!("incidents/a-i{i:03}.md")
            } else {
                format!("incidents/b{}-i{i:03}.md", round - 1)
            };
            let _ = std::fs::remove_file(site.path(&old));
            site.incident(
                &format!("b{round}-i{i:03}"),
                &incident(i, &format!("Round {round}")),
            );
        }
        let status = Command::new(env!("CARGO_BIN_EXE_statuspost"))
            .args(["build", "--now", "2026-11-22T12:00:00Z"])
            .current_dir(site.root())
            .env("STATUSPOST_TEST_CRASH_AFTER_RENAMES", n.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert_consistent(&site, &format!("after dying at rename {n} (exit {status})"));
    }
}

/// Runs `statuspost ARGS` in the site and kills it `delay_us` microseconds in.
fn run_killed_after(site: &TestSite, args: &[&str], delay_us: u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_statuspost"))
        .args(args)
        .current_dir(site.root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_micros(delay_us));
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn an_update_killed_at_any_point_leaves_the_file_whole() {
    let site = TestSite::new();
    let original = "+++\ntitle = \"Webhook delays\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n\n+++\nstate = \"investigating\"\nat = 2026-11-22T10:00:00Z\n+++\nWebhooks to the Public API arrive late.\n";
    site.incident("w", original);
    for delay_us in [0u64, 200, 500, 1000, 2000, 4000, 8000] {
        let before = std::fs::read(site.path("incidents/w.md")).unwrap();
        run_killed_after(
            &site,
            &[
                "update",
                "w",
                "identified",
                "--message",
                "The cause is known.",
                "--now",
                "2026-11-22T10:20:00Z",
            ],
            delay_us,
        );
        let after = std::fs::read(site.path("incidents/w.md")).unwrap();
        assert!(
            after.starts_with(&before),
            "killed at {delay_us} µs: the author's bytes changed"
        );
        let added = String::from_utf8(after[before.len()..].to_vec()).unwrap();
        assert!(
            added.is_empty() || added.ends_with("+++\nThe cause is known.\n"),
            "killed at {delay_us} µs: half an update: {added:?}"
        );
        let stray: Vec<_> = std::fs::read_dir(site.path("incidents"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name() != "w.md")
            .collect();
        // A temporary file may survive a kill, but it is hidden and never read as an incident.
        assert!(
            stray
                .iter()
                .all(|e| e.file_name().to_string_lossy().starts_with('.')),
            "{stray:?}"
        );
    }
    site.build("2026-11-22T11:00:00Z");
}

#[test]
fn a_new_incident_killed_at_any_point_is_whole_or_absent() {
    let site = TestSite::new();
    for delay_us in [0u64, 200, 500, 1000, 2000, 4000, 8000] {
        run_killed_after(
            &site,
            &[
                "new",
                &format!("Slow dashboard {delay_us}"),
                "--impact",
                "minor",
                "--component",
                "dashboard",
                "--message",
                "We are investigating slow page loads on the Dashboard.",
                "--now",
                "2026-11-22T10:20:00Z",
            ],
            delay_us,
        );
        let Ok(entries) = std::fs::read_dir(site.path("incidents")) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                // A temporary file may survive a kill; hidden, it is never read as an incident.
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap();
            assert!(
                text.ends_with("We are investigating slow page loads on the Dashboard.\n"),
                "killed at {delay_us} µs: {name} is cut short: {text:?}"
            );
        }
    }
    // Whatever survived builds.
    site.build("2026-11-22T11:00:00Z");
}

const WEBHOOKS: &str = "+++\ntitle = \"Webhook delays\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n\n+++\nstate = \"investigating\"\nat = 2026-11-22T10:00:00Z\n+++\nWebhooks to the Public API arrive late.\n";

// Issue 15: `update` renamed its new file over a read-only incident (mode
// 444, as its owner), so the protection did nothing.
#[cfg(unix)]
#[test]
fn update_refuses_a_read_only_incident() {
    use std::os::unix::fs::PermissionsExt;
    let site = TestSite::new();
    site.incident("w", WEBHOOKS);
    let path = site.path("incidents/w.md");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    site.run(&[
        "update",
        "w",
        "identified",
        "--message",
        "Found it.",
        "--now",
        "2026-11-22T10:20:00Z",
    ])
    .expect_code(3)
    .expect_stderr("`incidents/w.md` is read-only");
    assert_eq!(site.read("incidents/w.md"), WEBHOOKS);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o444);
}

/// Files a user put in the output folder by hand, as hosts ask for them.
const USERS_FILES: [&str; 2] = ["site/google123.html", "site/.well-known/security.txt"];

fn add_users_files(site: &TestSite) {
    for rel in USERS_FILES {
        site.write(rel, "the user's own");
    }
}

fn assert_users_files(site: &TestSite, when: &str) {
    for rel in USERS_FILES {
        assert!(site.exists(rel), "{when}: {rel} was deleted");
        assert_eq!(site.read(rel), "the user's own", "{when}: {rel}");
    }
}

// Issue 15: files a user added to the output folder survived normal builds
// but were deleted by the first build after an interrupted one, or after the
// manifest was lost.
#[test]
fn a_users_files_in_the_output_survive_interrupted_builds_and_a_lost_manifest() {
    let site = TestSite::new();
    for i in 0..20 {
        site.incident(&format!("a{i:02}"), &incident(i, "First"));
    }
    site.build("2026-11-22T12:00:00Z");
    add_users_files(&site);
    site.build("2026-11-22T12:00:00Z");
    assert_users_files(&site, "after a normal build");
    for (round, n) in [0usize, 2, 4].into_iter().enumerate() {
        site.incident(&format!("r{round}"), &incident(round, "Round"));
        let status = Command::new(env!("CARGO_BIN_EXE_statuspost"))
            .args(["build", "--now", "2026-11-22T12:00:00Z"])
            .current_dir(site.root())
            .env("STATUSPOST_TEST_CRASH_AFTER_RENAMES", n.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(86), "the crash hook fired");
        site.build("2026-11-22T12:00:00Z");
        assert_users_files(&site, &format!("after a build died at rename {n}"));
    }
    // What a killed build wrote is still its own: a page it made for an
    // incident since deleted is pruned by the build after the next.
    std::fs::remove_file(site.path("incidents/r2.md")).unwrap();
    site.build("2026-11-22T12:00:00Z");
    assert!(!site.exists("site/incidents/r2"));

    for manifest in ["", "# only a header\n", "not a manifest at all\n"] {
        site.write("site/.statuspost-output", manifest);
        site.build("2026-11-22T12:00:00Z");
        assert_users_files(&site, &format!("after the manifest became {manifest:?}"));
        assert!(site.exists("site/incidents/a00/index.html"));
    }
}

// Issue 15: a build that failed writing a temporary file (a full disk) left
// it behind, later builds kept it, and `publish` copied it.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_leaves_no_temporary_file_for_later_builds() {
    let site = TestSite::new();
    site.incident("a", &incident(1, "First"));
    site.build("2026-11-22T12:00:00Z");
    site.incident("b", &incident(2, "Second"));
    // Writing the feed's temporary file fails as a full disk does.
    std::os::unix::fs::symlink("/dev/full", site.path("site/.feed.xml.statuspost-tmp")).unwrap();
    site.run(&["build", "--now", "2026-11-22T12:00:00Z"])
        .expect_code(3)
        .expect_stderr("No space left on device");
    assert!(
        std::fs::symlink_metadata(site.path("site/.feed.xml.statuspost-tmp")).is_err(),
        "the failed build removed its temporary file"
    );
    site.build("2026-11-22T12:00:00Z");
    assert!(site.read("site/feed.xml").contains("Second 2"));
}

// Issue 15: leftovers of killed runs were kept for ever: a build's
// `.NAME.statuspost-tmp` files, and `update`'s `.NAME.md.tmp-PID` beside the incident.
#[test]
fn later_runs_remove_what_killed_runs_left_and_publish_never_copies_it() {
    let site = TestSite::new();
    site.incident("w", WEBHOOKS);
    site.build("2026-11-22T12:00:00Z");
    // As a build killed while staging leaves the folder.
    site.write("site/.statuspost-building", "");
    site.write("site/.index.html.statuspost-tmp", "half a page");
    site.write("site/.feed.xml.statuspost-tmp", "half a feed");
    site.write("site/incidents/w/.index.html.statuspost-tmp", "half");
    site.write("site/.statuspost-output.tmp-4242", "half a manifest");
    site.write("incidents/.w.md.tmp-4242", "half an incident");
    site.build("2026-11-22T12:00:00Z");
    let leftovers: Vec<String> = site
        .snapshot()
        .into_iter()
        .map(|(p, _)| p.display().to_string())
        .filter(|p| p.contains("statuspost-tmp") || p.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    site.run(&[
        "update",
        "w",
        "identified",
        "--message",
        "Found it.",
        "--now",
        "2026-11-22T10:20:00Z",
    ])
    .success();
    assert!(!site.exists("incidents/.w.md.tmp-4242"), "update tidied up");

    // Publishing never copies a temporary file, however it got there.
    site.write("site/.about.html.statuspost-tmp", "half a page");
    site.write("site/incidents/.x.md.tmp-4242", "half");
    let remote = site.path("remote.git");
    let init = Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(&remote)
        .status()
        .unwrap();
    assert!(init.success());
    site.run(&[
        "publish",
        "--git",
        remote.to_str().unwrap(),
        "--now",
        "2026-11-22T12:00:00Z",
    ])
    .success();
    let tree = Command::new("git")
        .arg("-C")
        .arg(&remote)
        .args(["ls-tree", "-r", "--name-only", "gh-pages"])
        .output()
        .unwrap();
    let tree = String::from_utf8_lossy(&tree.stdout);
    assert!(tree.contains("index.html"), "{tree}");
    assert!(
        !tree.contains("statuspost-tmp") && !tree.contains(".tmp-"),
        "{tree}"
    );
}

// Issue 15: `build --output-dir templates` was accepted, and from the second
// build on the output was read back as template overrides.
#[test]
fn an_output_folder_inside_what_the_site_reads_is_refused() {
    let site = TestSite::new();
    site.incident("w", WEBHOOKS);
    site.write("templates/.keep", "");
    for dir in [
        "templates",
        "templates/out",
        "incidents",
        "maintenance",
        "i18n",
        "static",
        ".",
    ] {
        site.run(&["build", "--output-dir", dir])
            .expect_code(2)
            .expect_stderr("is inside a folder the site reads");
    }
    assert!(!site.exists("templates/index.html"));
    assert!(!site.exists("templates/out"));
    assert!(!site.exists("static"));
    site.run(&["build", "--output-dir", "public"]).success();
}

// Issue 15: the way to keep a file in the output is `static/`, which the
// build copies and then counts as its own.
#[test]
fn static_files_are_copied_validated_and_pruned_as_the_builds_own() {
    let site = TestSite::new();
    site.incident("w", WEBHOOKS);
    site.write("static/google123.html", "google-site-verification");
    site.write(
        "static/.well-known/security.txt",
        "Contact: mailto:s@acme.example\n",
    );
    site.write("static/.well-known/.security.txt.swp", "editor swap");
    site.build("2026-11-22T12:00:00Z");
    assert_eq!(site.read("site/google123.html"), "google-site-verification");
    assert_eq!(
        site.read("site/.well-known/security.txt"),
        "Contact: mailto:s@acme.example\n"
    );
    assert!(!site.exists("site/.well-known/.security.txt.swp"));
    assert!(site
        .read("site/.statuspost-output")
        .contains(" google123.html\n"));

    // Removed from `static/`, it is removed from the output: it was the build's.
    std::fs::remove_file(site.path("static/google123.html")).unwrap();
    site.build("2026-11-22T12:00:00Z");
    assert!(!site.exists("site/google123.html"));

    // A static file where a page is generated is an error that names both.
    site.write("static/feed.xml", "<rss/>");
    site.run(&["build", "--now", "2026-11-22T12:00:00Z"])
        .expect_code(3)
        .expect_stderr(
            "`static/feed.xml` would replace the page statuspost generates at `feed.xml`",
        );
    std::fs::remove_file(site.path("static/feed.xml")).unwrap();
    #[cfg(unix)]
    {
        let made = Command::new("mkfifo")
            .arg(site.path("static/pipe"))
            .status()
            .unwrap();
        assert!(made.success());
        site.run(&["build", "--now", "2026-11-22T12:00:00Z"])
            .expect_code(3)
            .expect_stderr("static/pipe");
    }
}
