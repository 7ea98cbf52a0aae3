//! The catalogue of bad input: each case gives its exact message at the right
//! file, line and column, exits 2, and leaves the previously built site exactly as it was.

use crate::support::TestSite;

const GOOD: &str = "+++\ntitle = \"Fine\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n\n+++\nstate = \"resolved\"\nat = 2026-11-20T10:00:00Z\n+++\nDone.\n";

/// Builds a good site, then adds `files` and expects the build to fail with every one of `expected` in stderr.
fn assert_rejected(files: &[(&str, &[u8])], expected: &[&str]) {
    let site = TestSite::new();
    site.incident("good", GOOD);
    site.build("2026-11-22T12:00:00Z");
    let before = site.snapshot();
    for (path, bytes) in files {
        site.write(path, bytes);
    }
    let run = site
        .run(&["build", "--now", "2026-11-22T12:00:00Z"])
        .expect_code(2);
    let stderr = run.stderr();
    for needle in expected {
        assert!(stderr.contains(needle), "expected {needle:?} in:\n{stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        before,
        site.snapshot(),
        "a failed build must leave the old site untouched"
    );
}

fn incident(body: &str) -> Vec<u8> {
    body.as_bytes().to_vec()
}

const HEAD: &str = "+++\ntitle = \"T\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n\n";

fn with_update(update: &str) -> Vec<u8> {
    incident(&format!("{HEAD}+++\n{update}\n+++\nText.\n"))
}

#[test]
fn unknown_state_suggests_the_nearest() {
    assert_rejected(
        &[("incidents/x.md", &with_update("state = \"investigatng\"\nat = 2026-11-22T10:00:00Z"))],
        &[
            "error: unknown state `investigatng`\n  --> incidents/x.md:8:9\n  |\n8 | state = \"investigatng\"\n  |         ^^^^^^^^^^^^^^\n  = help: did you mean `investigating`?",
        ],
    );
}

#[test]
fn unknown_state_without_a_near_name_lists_the_states() {
    assert_rejected(
        &[(
            "incidents/x.md",
            &with_update("state = \"fixed\"\nat = 2026-11-22T10:00:00Z"),
        )],
        &[
            "unknown state `fixed`",
            "help: expected `investigating`, `identified`, `verifying`, `resolved` or `monitoring`",
        ],
    );
}

#[test]
fn unknown_impact() {
    assert_rejected(
        &[("incidents/x.md", &incident("+++\ntitle = \"T\"\nimpact = \"majr\"\ncomponents = [\"api\"]\n+++\n+++\nstate = \"resolved\"\nat = 2026-11-22T10:00:00Z\n+++\n"))],
        &["error: unknown impact `majr`\n  --> incidents/x.md:3:10", "help: did you mean `major`?"],
    );
}

#[test]
fn unknown_component_suggests_the_nearest_and_lists_them() {
    assert_rejected(
        &[("incidents/x.md", &incident("+++\ntitle = \"T\"\nimpact = \"minor\"\ncomponents = [\"api\", \"dashbord\"]\n+++\n+++\nstate = \"resolved\"\nat = 2026-11-22T10:00:00Z\n+++\n"))],
        &[
            "error: unknown component `dashbord`\n  --> incidents/x.md:4:22",
            "help: did you mean `dashboard`? (components: `api`, `dashboard` or `db`)",
        ],
    );
}

#[test]
fn unknown_key_suggests_the_nearest() {
    assert_rejected(
        &[(
            "incidents/x.md",
            &with_update("state = \"identified\"\nat = 2026-11-22T10:00:00Z\nnext_updte = \"30m\""),
        )],
        &[
            "error: unknown key `next_updte` in the update block\n   --> incidents/x.md:10:1",
            "help: did you mean `next_update`?",
        ],
    );
}

#[test]
fn missing_title() {
    assert_rejected(
        &[("incidents/x.md", &incident("+++\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n+++\nstate = \"resolved\"\nat = 2026-11-22T10:00:00Z\n+++\n"))],
        &["error: the incident block has no `title`\n  --> incidents/x.md:1:1", "help: add a line such as `title = \"Elevated error rates on the Public API\"`"],
    );
}

#[test]
fn missing_state_and_at_are_both_reported() {
    assert_rejected(
        &[("incidents/x.md", &with_update("next_update = \"30m\""))],
        &[
            "error: the update block has no `state`\n  --> incidents/x.md:7:1",
            "error: the update block has no `at`\n  --> incidents/x.md:7:1",
        ],
    );
}

#[test]
fn a_date_that_does_not_exist() {
    assert_rejected(
        &[(
            "incidents/x.md",
            &with_update("state = \"resolved\"\nat = 2026-02-30T10:00:00Z"),
        )],
        &["--> incidents/x.md:9:6", "invalid TOML in the update block"],
    );
}

#[test]
fn a_date_without_a_time() {
    assert_rejected(
        &[("incidents/x.md", &with_update("state = \"resolved\"\nat = 2026-11-22"))],
        &["error: expected a date and time such as 2026-11-22T14:05:00Z, or 2026-11-22T14:05:00 in the site's zone, found a date without a time\n  --> incidents/x.md:9:6"],
    );
}

#[test]
fn a_quoted_word_instead_of_a_date() {
    assert_rejected(
        &[(
            "incidents/x.md",
            &with_update("state = \"resolved\"\nat = \"yesterday\""),
        )],
        &[
            "error: \"yesterday\" is not a date and time\n  --> incidents/x.md:9:6",
            "help: write it without quotes",
        ],
    );
}

#[test]
fn local_times_that_are_ambiguous_or_skipped_by_daylight_saving() {
    assert_rejected(
        &[
            ("incidents/x.md", &with_update("state = \"resolved\"\nat = 2026-10-25T01:30:00")),
            ("incidents/y.md", &with_update("state = \"resolved\"\nat = 2026-03-29T01:30:00")),
        ],
        &[
            "error: 2026-10-25T01:30 happens twice in Europe/London (the clocks go back), so it is ambiguous\n  --> incidents/x.md:9:6",
            "help: add the offset: 2026-10-25T01:30:00+01:00 for the first (BST), 2026-10-25T01:30:00+00:00 for the second (GMT)",
            "error: 2026-03-29T01:30 does not exist in Europe/London: the clocks go forward over it\n  --> incidents/y.md:9:6",
        ],
    );
}

#[test]
fn next_update_before_at() {
    assert_rejected(
        &[("incidents/x.md", &with_update("state = \"identified\"\nat = 2026-11-22T10:00:00Z\nnext_update = 2026-11-22T09:00:00Z"))],
        &["error: `next_update` is not after `at`\n   --> incidents/x.md:10:15"],
    );
}

#[test]
fn a_duration_without_a_unit() {
    assert_rejected(
        &[("incidents/x.md", &with_update("state = \"identified\"\nat = 2026-11-22T10:00:00Z\nnext_update = \"30\""))],
        &["error: `30` has a number without a unit; expected a duration such as `30m`, `1h`, `1h30m` or `2d` (units: s, m, h, d)\n   --> incidents/x.md:10:15"],
    );
}

#[test]
fn wrong_types() {
    assert_rejected(
        &[("incidents/x.md", &incident("+++\ntitle = 42\nimpact = \"minor\"\ncomponents = \"api\"\n+++\n+++\nstate = \"resolved\"\nat = 2026-11-22T10:00:00Z\n+++\n"))],
        &[
            "error: `title` must be a string in quotes, found the number 42\n  --> incidents/x.md:2:9",
            "error: `components` must be a list of strings, like [\"api\"], found the string \"api\"\n  --> incidents/x.md:4:14",
        ],
    );
}

#[test]
fn malformed_toml() {
    assert_rejected(
        &[("incidents/x.md", &incident("+++\ntitle = \"unclosed\nimpact = \"minor\"\n+++\n+++\nstate = \"resolved\"\nat = 2026-11-22T10:00:00Z\n+++\n"))],
        &["invalid TOML in the incident block", "--> incidents/x.md:2:"],
    );
}

#[test]
fn an_unclosed_block() {
    assert_rejected(
        &[(
            "incidents/x.md",
            &incident(&format!(
                "{HEAD}+++\nstate = \"resolved\"\nat = 2026-11-22T10:00:00Z\n"
            )),
        )],
        &[
            "error: this `+++` block is never closed\n  --> incidents/x.md:7:1",
            "help: add a line of exactly `+++`",
        ],
    );
}

/// The closing `+++` of the incident block forgotten: the fences pair up wrongly
/// from there, and the error was reported at the last one, far from the mistake.
#[test]
fn an_unclosed_block_is_reported_where_it_opens_and_should_close() {
    assert_rejected(
        &[(
            "incidents/x.md",
            b"+++\ntitle = \"T\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n\nThe summary.\n\n+++\nstate = \"investigating\"\nat = 2026-11-22T09:00:00Z\n+++\nLooking.\n\n+++\nstate = \"resolved\"\nat = 2026-11-22T10:00:00Z\n+++\nDone.\n",
        ),
        (
            "maintenance/m.md",
            b"+++\ntitle = \"Upgrade\"\ncomponents = [\"db\"]\nstarts = 2026-11-25T22:00:00Z\nends = 2026-11-25T23:00:00Z\n+++\nWe upgrade.\n\n+++\nstate = \"scheduled\"\nat = 2026-11-20T10:00:00Z\nPlanned.\n\n+++\nstate = \"cancelled\"\nat = 2026-11-21T10:00:00Z\n+++\nNot needed.\n",
        )],
        &[
            "error: this `+++` block is never closed\n  --> incidents/x.md:1:1",
            "help: the block's settings seem to end before line 5: add a line of exactly `+++` there",
            "error: this `+++` block is never closed\n  --> maintenance/m.md:9:1",
            "help: the block's settings seem to end before line 12: add a line of exactly `+++` there",
        ],
    );
}

#[test]
fn text_before_the_first_block() {
    assert_rejected(
        &[("incidents/x.md", &incident(&format!("Oops\n{HEAD}")))],
        &["error: text before the first `+++`; expected the file to start with the incident block\n  --> incidents/x.md:1:1"],
    );
}

#[test]
fn an_empty_file_and_a_file_of_only_front_matter() {
    assert_rejected(
        &[("incidents/empty.md", b""), ("incidents/only.md", HEAD.as_bytes())],
        &[
            "error: the file is empty; expected an incident block opened by a line of `+++`\n  --> incidents/empty.md:1:1",
            "error: this incident has no updates\n  --> incidents/only.md:1:1",
        ],
    );
}

#[test]
fn an_update_first() {
    assert_rejected(
        &[(
            "incidents/x.md",
            &incident("+++\nstate = \"resolved\"\nat = 2026-11-22T10:00:00Z\n+++\nText\n"),
        )],
        &[
            "the first block describes the incident, but this one looks like an update",
            "--> incidents/x.md:1:1",
        ],
    );
}

#[test]
fn invalid_utf8_and_binary_files() {
    assert_rejected(
        &[("incidents/latin1.md", b"+++\ntitle = \"Caf\xe9\"\n+++\n"), ("incidents/binary.md", b"\x00\x01\x02+++")],
        &[
            "error: invalid UTF-8 (byte 0xE9 at offset 16); expected UTF-8 text: re-save the file as UTF-8\n  --> incidents/latin1.md:2:13",
            "this looks like a binary file (it contains a NUL byte); expected UTF-8 text\n  --> incidents/binary.md:1:1",
        ],
    );
}

#[test]
fn duplicate_slugs_even_in_other_folders_or_other_case() {
    assert_rejected(
        &[("incidents/2026/good.md", GOOD.as_bytes()), ("incidents/Good.md", GOOD.as_bytes())],
        &[
            "error: duplicate incident slug `good`\n  --> incidents/good.md",
            "help: `incidents/2026/good.md` has the same name; each incident's file name is its address, so rename one",
            "error: duplicate incident slug `Good`",
            "apart from letter case",
        ],
    );
}

#[test]
fn a_slug_that_cannot_be_an_address() {
    assert_rejected(
        &[("incidents/API outage (EU).md", GOOD.as_bytes())],
        &[
            "error: the file name `API outage (EU).md` cannot be a web address",
            "rename it to `api-outage-eu.md`",
        ],
    );
}

#[test]
fn every_error_in_every_file_in_one_run() {
    assert_rejected(
        &[
            ("incidents/a.md", &with_update("state = \"investigatng\"\nat = 2026-11-22T10:00:00Z")),
            ("incidents/b.md", &incident("+++\ntitle = \"T\"\nimpact = \"huge\"\ncomponents = [\"nope\"]\n+++\n+++\nstate = \"resolved\"\nat = 2026-11-22T10:00:00Z\n+++\n")),
        ],
        &["incidents/a.md:8:9", "incidents/b.md:3:10", "incidents/b.md:4:15", "error: 3 errors and 0 warnings in the site's content; nothing was written"],
    );
}

#[test]
fn config_errors() {
    let site = TestSite::empty();
    site.write(
        "statuspost.toml",
        "title = \"S\"\nbase_url = \"status.example.com\"\ntimezone = \"Europe/Londn\"\ndefault_next_updat = \"30m\"\n\n[[components]]\nid = \"API\"\nname = \"x\"\n\n[[components]]\nid = \"db\"\n",
    );
    site.run(&["build"])
        .expect_code(2)
        .expect_stderr("error: `base_url` must start with https:// or http://, found \"status.example.com\"\n  --> statuspost.toml:2:12")
        .expect_stderr("error: unknown time zone `Europe/Londn`\n  --> statuspost.toml:3:12")
        .expect_stderr("help: did you mean `Europe/London`?")
        .expect_stderr("error: unknown key `default_next_updat` in the site configuration\n  --> statuspost.toml:4:1")
        .expect_stderr("help: did you mean `default_next_update`?")
        .expect_stderr("error: component id `API` has characters that cannot appear in an address\n  --> statuspost.toml:7:6")
        .expect_stderr("error: the [[components]] entry has no `name`\n   --> statuspost.toml:10:1");
}

#[test]
fn a_missing_config() {
    TestSite::empty()
        .run(&["build"])
        .expect_code(2)
        .expect_stderr("error: no statuspost.toml in `.`")
        .expect_stderr("help: run `statuspost init`");
}

#[test]
fn times_beyond_year_9999_in_utc() {
    // Regression: a legal TOML time that is year 10000 in UTC panicked while writing the feed.
    assert_rejected(
        &[("incidents/x.md", &with_update("state = \"investigating\"\nat = 9999-12-31T23:00:00-05:00"))],
        &["error: this time falls in the year 10000 in UTC; expected a year from 1 to 9999\n  --> incidents/x.md:9:6"],
    );
}

#[test]
fn a_contact_url_that_is_not_a_web_address() {
    // Regression: `javascript:` here became a link on every page.
    let site = TestSite::empty();
    site.write(
        "statuspost.toml",
        crate::support::CONFIG.replace(
            "url = \"https://support.acme.example\"",
            "url = \"javascript:alert(1)\"",
        ),
    );
    site.run(&["build"]).expect_code(2).expect_stderr(
        "error: the contact `url` must be an http(s) address, found \"javascript:alert(1)\"",
    );
}

#[test]
fn a_symlink_loop_is_walked_once() {
    // Regression: `ln -s . incidents/loop` was followed 40 levels deep.
    let site = TestSite::new();
    site.incident("good", GOOD);
    #[cfg(unix)]
    std::os::unix::fs::symlink(".", site.path("incidents/loop")).unwrap();
    let run = site
        .run(&["build", "--now", "2026-11-22T12:00:00Z"])
        .success();
    assert!(!run.stderr().contains("duplicate"), "{}", run.stderr());
}

#[test]
fn a_file_too_large_to_be_an_incident() {
    let huge = vec![b'a'; 50 * 1024 * 1024];
    assert_rejected(
        &[("incidents/dump.md", &huge)],
        &["error: the file is 52.4 MB; incident files are limited to 10 MB\n  --> incidents/dump.md"],
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_pointing_outside_the_site() {
    let site = TestSite::new();
    site.incident("good", GOOD);
    site.build("2026-11-22T12:00:00Z");
    let before = site.snapshot();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.md"), GOOD).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.md"),
        site.path("incidents/secret.md"),
    )
    .unwrap();
    site.run(&["build", "--now", "2026-11-22T12:00:00Z"])
        .expect_code(2)
        .expect_stderr("error: this symlink points outside the site")
        .expect_stderr("--> incidents/secret.md");
    assert_eq!(before, site.snapshot());
}

#[test]
fn names_with_quotes_cannot_break_out_of_attributes() {
    let site = TestSite::empty();
    site.write(
        "statuspost.toml",
        crate::support::CONFIG.replace(
            "name = \"Public API\"",
            "name = \"API\\\" onmouseover=\\\"alert(1)\\\" x=\\\"<script>\"",
        ),
    );
    site.incident("x", "+++\ntitle = \"a\\\" onfocus=\\\"alert(2)\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n+++\nstate = \"investigating\"\nat = 2026-11-22T10:00:00Z\n+++\nRequests to the API fail.\n");
    site.build("2026-11-22T10:05:00Z");
    for page in [
        "site/index.html",
        "site/incidents/x/index.html",
        "site/history/2026-11/index.html",
    ] {
        crate::support::assert_inert(page, &site.read(page));
    }
    let json = site.read("site/api/v2/components.json");
    assert!(
        serde_json::from_str::<serde_json::Value>(&json).is_ok(),
        "the API stays valid JSON"
    );
}

/// Runs `statuspost ARGS` in `site`, failing the test rather than waiting past `limit`.
#[cfg(unix)]
fn run_within(site: &TestSite, args: &[&str], limit: std::time::Duration) -> std::process::Output {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_statuspost"))
        .args(args)
        .current_dir(site.root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run statuspost");
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait for statuspost").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("statuspost {args:?} was still running after {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child
        .wait_with_output()
        .expect("collect statuspost's output")
}

#[cfg(unix)]
fn mkfifo(path: &std::path::Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

#[cfg(unix)]
#[test]
fn a_named_pipe_among_the_incidents_is_refused_not_waited_on() {
    // Regression: opening a FIFO blocks until something writes to it, so a
    // build that met `incidents/x.md` as a pipe hung forever.
    let site = TestSite::new();
    site.incident("good", GOOD);
    mkfifo(&site.path("incidents/pipe.md"));
    let out = run_within(
        &site,
        &["build", "--now", "2026-11-22T12:00:00Z"],
        std::time::Duration::from_secs(30),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "error: this is a named pipe (FIFO), not a regular file\n  --> incidents/pipe.md\n"
        ),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn a_named_pipe_among_the_templates_is_refused_not_waited_on() {
    // Regression: as with incidents, a FIFO in `templates/` made a build wait forever.
    let site = TestSite::new();
    site.incident("good", GOOD);
    std::fs::create_dir_all(site.path("templates")).unwrap();
    mkfifo(&site.path("templates/pipe.html"));
    let out = run_within(
        &site,
        &["build", "--now", "2026-11-22T12:00:00Z"],
        std::time::Duration::from_secs(30),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("templates/pipe.html"), "{stderr}");
    assert!(
        stderr.contains("this is a named pipe (FIFO), not a regular file"),
        "{stderr}"
    );
}

/// Issue 14.4: a merge left half done was published, markers and both versions.
#[test]
fn git_conflict_markers_are_errors_at_each_marker() {
    assert_rejected(
        &[
            (
                "incidents/x.md",
                &incident(&format!("{HEAD}+++\nstate = \"identified\"\nat = 2026-11-22T10:00:00Z\n+++\n<<<<<<< HEAD\nThe cache is full.\n=======\nThe database is slow.\n>>>>>>> 1a2b3c4 (api-errors: identified)\n")),
            ),
            (
                "maintenance/m.md",
                b"+++\ntitle = \"Upgrade\"\ncomponents = [\"db\"]\nstarts = 2026-11-25T22:00:00Z\nends = 2026-11-25T23:00:00Z\n+++\n<<<<<<< ours\r\nWe upgrade the database.\r\n||||||| base\r\nWe upgrade.\r\n======= \r\nWe upgrade the databases.\r\n>>>>>>>\r\n+++\nstate = \"scheduled\"\nat = 2026-11-20T10:00:00Z\n+++\nPlanned.\n",
            ),
        ],
        &[
            "error: unresolved git merge conflict marker\n   --> incidents/x.md:11:1\n   |\n11 | <<<<<<< HEAD\n   | ^^^^^^^\n   = help: keep the version you want, then delete the `<<<<<<<`, `=======` and `>>>>>>>` lines\n",
            "--> incidents/x.md:13:1",
            "--> incidents/x.md:15:1",
            "error: unresolved git merge conflict marker\n  --> maintenance/m.md:7:1",
            "--> maintenance/m.md:9:1",
            "--> maintenance/m.md:11:1",
            "--> maintenance/m.md:13:1",
        ],
    );
}

/// `=======` under a line is also a markdown heading: without the other markers, it is one.
#[test]
fn a_heading_underline_is_not_a_conflict_marker() {
    let site = TestSite::new();
    site.incident(
        "x",
        &format!("{HEAD}+++\nstate = \"resolved\"\nat = 2026-11-22T10:00:00Z\n+++\nWhat happened\n=======\n\nA disk filled up.\n"),
    );
    site.build("2026-11-22T12:00:00Z");
    assert!(site
        .read("site/incidents/x/index.html")
        .contains("What happened</h4>"));
}
