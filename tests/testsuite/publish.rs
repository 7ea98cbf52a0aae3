//! `publish` against a local bare repository: the same git a CI runner uses, no network.

use crate::support::{git, TestSite};

const INCIDENT: &str = "+++\ntitle = \"API errors\"\nimpact = \"major\"\ncomponents = [\"api\"]\n+++\n+++\nstate = \"investigating\"\nat = 2026-11-22T10:00:00Z\n+++\nSome requests to the Public API fail.\n";

#[test]
fn publish_commits_on_top_pushes_and_skips_no_ops() {
    let site = TestSite::new();
    site.incident("2026-11-22-api-errors", INCIDENT);
    let remote = site.path("remote.git");
    git(
        site.root(),
        &["init", "-q", "--bare", remote.to_str().unwrap()],
    );
    let remote_arg = remote.to_str().unwrap();

    // First publish: starts the branch.
    let run = site
        .run(&[
            "publish",
            "--git",
            remote_arg,
            "--now",
            "2026-11-22T10:05:00Z",
        ])
        .success();
    assert!(run.stderr().contains("published "), "{}", run.stderr());
    assert!(
        run.stdout().contains("added    index.html"),
        "{}",
        run.stdout()
    );
    assert_eq!(
        git(&remote, &["rev-list", "--count", "gh-pages"]).trim(),
        "1"
    );
    let files = git(&remote, &["ls-tree", "-r", "--name-only", "gh-pages"]);
    for expected in [
        "index.html",
        "feed.xml",
        "incidents/2026-11-22-api-errors/index.html",
        ".nojekyll",
        "api/v2/status.json",
    ] {
        assert!(
            files.lines().any(|l| l == expected),
            "{expected} missing from:\n{files}"
        );
    }
    assert!(
        !files.contains(".statuspost"),
        "bookkeeping files stay local:\n{files}"
    );

    // An update: one more commit on top, the history kept.
    site.write(
        "incidents/2026-11-22-api-errors.md",
        site.read("incidents/2026-11-22-api-errors.md")
            + "\n+++\nstate = \"resolved\"\nat = 2026-11-22T10:30:00Z\n+++\nResolved.\n",
    );
    let run = site
        .run(&[
            "publish",
            "--git",
            remote_arg,
            "--now",
            "2026-11-22T10:35:00Z",
            "--message",
            "api-errors: resolved",
        ])
        .success();
    assert!(
        run.stdout()
            .contains("changed  incidents/2026-11-22-api-errors/index.html"),
        "{}",
        run.stdout()
    );
    assert_eq!(
        git(&remote, &["rev-list", "--count", "gh-pages"]).trim(),
        "2"
    );
    assert_eq!(
        git(&remote, &["log", "-1", "--format=%s", "gh-pages"]).trim(),
        "api-errors: resolved"
    );
    let index = git(
        &remote,
        &[
            "show",
            "gh-pages:incidents/2026-11-22-api-errors/index.html",
        ],
    );
    assert!(index.contains("Resolved."));

    // Nothing changed: no commit.
    site.run(&[
        "publish",
        "--git",
        remote_arg,
        "--now",
        "2026-11-22T10:35:00Z",
    ])
    .success()
    .expect_stderr("nothing to publish");
    assert_eq!(
        git(&remote, &["rev-list", "--count", "gh-pages"]).trim(),
        "2"
    );

    // A removed incident is removed from the branch too.
    std::fs::remove_file(site.path("incidents/2026-11-22-api-errors.md")).unwrap();
    let run = site
        .run(&[
            "publish",
            "--git",
            remote_arg,
            "--now",
            "2026-11-22T10:40:00Z",
        ])
        .success();
    assert!(
        run.stdout()
            .contains("removed  incidents/2026-11-22-api-errors/index.html"),
        "{}",
        run.stdout()
    );
}

#[test]
fn publish_refuses_an_invalid_site() {
    let site = TestSite::new();
    site.incident("2026-11-22-api-errors", INCIDENT);
    let remote = site.path("remote.git");
    git(
        site.root(),
        &["init", "-q", "--bare", remote.to_str().unwrap()],
    );
    let remote_arg = remote.to_str().unwrap();
    site.run(&[
        "publish",
        "--git",
        remote_arg,
        "--branch",
        "pages",
        "--now",
        "2026-11-22T10:05:00Z",
    ])
    .success();
    site.incident("broken", "+++\ntitle = \"x\"\n");
    site.run(&[
        "publish",
        "--git",
        remote_arg,
        "--branch",
        "pages",
        "--now",
        "2026-11-22T10:05:00Z",
    ])
    .expect_code(2)
    .expect_stderr("nothing was published");
    assert_eq!(git(&remote, &["rev-list", "--count", "pages"]).trim(), "1");
}

#[test]
fn publish_builds_on_commits_made_elsewhere_and_fails_clearly_when_unreachable() {
    let site = TestSite::new();
    site.incident("2026-11-22-api-errors", INCIDENT);
    let remote = site.path("remote.git");
    git(
        site.root(),
        &["init", "-q", "--bare", remote.to_str().unwrap()],
    );
    let remote_arg = remote.to_str().unwrap();
    site.run(&[
        "publish",
        "--git",
        remote_arg,
        "--now",
        "2026-11-22T10:05:00Z",
    ])
    .success();
    // Someone else adds a file to the branch (a verification file for a host, say).
    let other = site.path("other");
    git(
        site.root(),
        &[
            "clone",
            "-q",
            "--branch",
            "gh-pages",
            remote_arg,
            other.to_str().unwrap(),
        ],
    );
    std::fs::write(other.join("google1234.html"), "verification").unwrap();
    git(&other, &["add", "-A"]);
    git(
        &other,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-q",
            "-m",
            "verify",
        ],
    );
    git(&other, &["push", "-q", "origin", "gh-pages"]);
    // The next publish starts from that commit: history kept, nothing force-pushed.
    site.write(
        "incidents/2026-11-22-api-errors.md",
        site.read("incidents/2026-11-22-api-errors.md")
            + "\n+++\nstate = \"identified\"\nat = 2026-11-22T10:20:00Z\n+++\nFound it.\n",
    );
    site.run(&[
        "publish",
        "--git",
        remote_arg,
        "--now",
        "2026-11-22T10:25:00Z",
    ])
    .success();
    let log = git(&remote, &["log", "--format=%s", "gh-pages"]);
    assert_eq!(log.lines().count(), 3, "{log}");
    assert!(log.contains("verify"), "{log}");
    // An unreachable remote fails clearly, without publishing anything.
    site.run(&[
        "publish",
        "--git",
        site.path("nowhere.git").to_str().unwrap(),
        "--now",
        "2026-11-22T10:05:00Z",
    ])
    .expect_code(3)
    .expect_stderr("cannot reach");
}

/// Issue 13 (one check module) and 14.7: `publish` hid the warnings `build`
/// prints; every command that builds now reports what `check` finds, with a
/// lapsed promise a warning where it does not stop the command.
#[test]
fn build_and_publish_report_what_check_finds() {
    let site = TestSite::new();
    site.incident(
        "2026-11-22-api-errors",
        "+++\ntitle = \"API errors\"\nimpact = \"major\"\ncomponents = [\"api\"]\n+++\n+++\nstate = \"identified\"\nat = 2026-11-22T10:00:00Z\nnext_update = \"30m\"\n+++\nWe think the cache is full.\n",
    );
    let remote = site.path("remote.git");
    git(
        site.root(),
        &["init", "-q", "--bare", remote.to_str().unwrap()],
    );
    let now = "2026-11-22T11:00:00Z";
    let lapsed = "api-errors: the next update was promised for 10:30 GMT, 30 minutes ago\n  --> incidents/2026-11-22-api-errors.md:6:1";
    let speculation = "warning[speculation]: \"We think\" is speculation\n   --> incidents/2026-11-22-api-errors.md:11:1";
    site.run(&["check", "--now", now])
        .expect_code(1)
        .expect_stderr(&format!("error[lapsed]: 2026-11-22-{lapsed}"))
        .expect_stderr(speculation);
    site.run(&["build", "--now", now])
        .success()
        .expect_stderr(&format!("warning[lapsed]: 2026-11-22-{lapsed}"))
        .expect_stderr(speculation);
    site.run(&["publish", "--git", remote.to_str().unwrap(), "--now", now])
        .success()
        .expect_stderr(&format!("warning[lapsed]: 2026-11-22-{lapsed}"))
        .expect_stderr(speculation);
}

/// An incident resolved at 10:20 and a maintenance window from 12:00 to 13:00:
/// nothing changes between 10:20 and 12:00 but the clock.
fn quiet_site() -> TestSite {
    let site = TestSite::new();
    site.incident(
        "2026-11-22-api-errors",
        &format!("{INCIDENT}\n+++\nstate = \"resolved\"\nat = 2026-11-22T10:20:00Z\n+++\nFixed.\n"),
    );
    site.write(
        "maintenance/2026-11-22-db-upgrade.md",
        "+++\ntitle = \"Database upgrade\"\ncomponents = [\"db\"]\nstarts = 2026-11-22T12:00:00Z\nends = 2026-11-22T13:00:00Z\n+++\nUpgrade.\n\n+++\nstate = \"scheduled\"\nat = 2026-11-22T09:00:00Z\n+++\nPlanned.\n",
    );
    site
}

/// Issue 14.8: a scheduled publish committed on every run, because the home
/// page said when it was generated, to the second.
#[test]
fn a_publish_that_changes_no_content_makes_no_commit() {
    let site = quiet_site();
    let remote = site.path("remote.git");
    git(
        site.root(),
        &["init", "-q", "--bare", remote.to_str().unwrap()],
    );
    let publish = |now: &str| {
        site.run(&["publish", "--git", remote.to_str().unwrap(), "--now", now])
            .success()
    };
    let commits = || {
        git(&remote, &["rev-list", "--count", "gh-pages"])
            .trim()
            .to_string()
    };
    publish("2026-11-22T10:35:00Z");
    assert_eq!(commits(), "1");
    // Half an hour later, nothing new: the page is the same, and so is the branch.
    publish("2026-11-22T11:07:13Z").expect_stderr("nothing to publish");
    assert_eq!(commits(), "1");
    let index = git(&remote, &["show", "gh-pages:index.html"]);
    assert!(
        index.contains("Last updated <time datetime=\"2026-11-22T10:20:00Z\">"),
        "the time of the latest change, not of the build: {}",
        crate::support::text(&index)
    );
    // The window starts: the page changes without an edit, and says when.
    let run = publish("2026-11-22T12:01:00Z");
    assert!(
        run.stdout().contains("changed  index.html"),
        "{}",
        run.stdout()
    );
    assert_eq!(commits(), "2");
    let index = git(&remote, &["show", "gh-pages:index.html"]);
    assert!(
        index.contains("Last updated <time datetime=\"2026-11-22T12:00:00Z\">"),
        "{}",
        crate::support::text(&index)
    );
}

#[test]
fn builds_of_unchanged_content_are_byte_identical() {
    let site = quiet_site();
    site.build("2026-11-22T10:35:00Z");
    let first = site.snapshot();
    site.build("2026-11-22T11:59:59Z");
    let second = site.snapshot();
    let differ: Vec<_> = first
        .iter()
        .zip(&second)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.0.display().to_string())
        .collect();
    assert_eq!(first.len(), second.len());
    assert!(
        differ.is_empty(),
        "changed without a content change: {differ:?}"
    );
    // A window that starts is a change of content: the page and its time say so.
    site.build("2026-11-22T12:00:30Z");
    assert_ne!(site.snapshot(), second);
    assert!(site
        .read("site/index.html")
        .contains("<time datetime=\"2026-11-22T12:00:00Z\">"));
}

/// A new site without incidents has no content time: its page changes when
/// its uptime bars move on to a new day, and not between.
#[test]
fn an_empty_site_builds_the_same_all_day() {
    let site = TestSite::new();
    site.build("2026-11-22T10:35:00Z");
    let first = site.snapshot();
    site.build("2026-11-22T23:59:00Z");
    assert!(first == site.snapshot(), "changed within the day");
    assert!(site
        .read("site/index.html")
        .contains("Last updated <time datetime=\"2026-11-22T00:00:00Z\">"));
}

/// `[publish]` names the pages repository once, for `publish` and `--publish=direct`.
#[test]
fn publish_takes_its_repository_and_branch_from_the_config() {
    let site = TestSite::new();
    site.incident("2026-11-22-api-errors", INCIDENT);
    site.run(&["publish", "--now", "2026-11-22T10:05:00Z"])
        .expect_code(2)
        .expect_stderr("pass --git REMOTE, or set `git` in `[publish]`");
    let remote = site.path("pages.git");
    git(
        site.root(),
        &["init", "-q", "--bare", remote.to_str().unwrap()],
    );
    site.write(
        "statuspost.toml",
        format!(
            "{}\n[publish]\ngit = \"{}\"\nbranch = \"pages\"\n",
            crate::support::CONFIG,
            remote.display()
        ),
    );
    site.run(&["publish", "--now", "2026-11-22T10:05:00Z"])
        .success();
    assert!(git(&remote, &["ls-tree", "--name-only", "pages"]).contains("index.html"));
    // A typo in the table is located like any config mistake.
    site.write(
        "statuspost.toml",
        format!("{}\n[publish]\nvia = \"drect\"\n", crate::support::CONFIG),
    );
    site.run(&["check", "--now", "2026-11-22T10:05:00Z"])
        .expect_code(2)
        .expect_stderr("did you mean `direct`?");
}
