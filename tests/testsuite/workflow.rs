//! The comms lead's commands: init, new, update and check, on temporary sites.

use crate::support::{text, TestSite};

fn hand_written() -> &'static str {
    // Odd spacing, comments, CRLF, a BOM and no final newline: all must survive an update byte for byte.
    "\u{feff}+++\r\ntitle   =   \"Webhook delays\"   # written by hand\r\nimpact = \"minor\"\r\ncomponents = [ \"api\" ]\r\n+++\r\n\r\n+++\r\nstate = \"investigating\"\r\nat = 2026-11-22T10:00:00Z\r\nnext_update = \"30m\"\r\n+++\r\nSince 09:50 GMT, webhooks   arrive late.  \r\n<!-- internal: ticket 123 -->\r\n\r\n\r\n* one\r\n*   two"
}

#[test]
fn init_makes_a_site_that_builds_and_never_overwrites() {
    let site = TestSite::empty();
    site.run(&["init", "--now", "2026-11-22T12:00:00Z"])
        .success();
    assert!(site.exists("statuspost.toml") && site.exists(".gitignore"));
    assert!(site.exists("incidents/2026-11-15-example-api-errors.md"));
    site.build("2026-11-22T12:00:00Z");
    assert!(text(&site.read("site/index.html")).contains("All systems operational"));
    site.run(&["check", "--now", "2026-11-22T12:00:00Z"])
        .success();

    // A second init refuses and changes nothing (`--templates` adds only templates: see templates.rs).
    site.write("statuspost.toml", "# mine\n");
    site.run(&["init"])
        .expect_code(2)
        .expect_stderr("refusing to overwrite");
    assert_eq!(site.read("statuspost.toml"), "# mine\n");
    assert!(!site.exists("templates"));

    let other = TestSite::empty();
    other
        .run(&[
            "init",
            "new-site",
            "--templates",
            "--now",
            "2026-11-22T12:00:00Z",
        ])
        .success();
    for name in [
        "index.html",
        "style.css",
        "updates/investigating.md",
        "updates/postmortem.md",
    ] {
        assert!(
            other.exists(&format!("new-site/templates/{name}")),
            "{name}"
        );
    }
    other
        .run(&[
            "build",
            "--root",
            "new-site",
            "--now",
            "2026-11-22T12:00:00Z",
        ])
        .success();
}

#[test]
fn new_writes_an_incident_that_reads_back() {
    let site = TestSite::new();
    let run = site
        .run(&[
            "new",
            "Elevated error rates on the Public API",
            "--impact",
            "major",
            "--component",
            "api",
            "--now",
            "2026-07-01T14:05:42+01:00",
        ])
        .success();
    let path = "incidents/2026-07-01-elevated-error-rates-on-the-public-api.md";
    assert_eq!(run.stdout().trim(), path);
    let file = site.read(path);
    assert!(file.starts_with("+++\ntitle = \"Elevated error rates on the Public API\"\nimpact = \"major\"\ncomponents = [\"api\"]\n+++\n"), "{file}");
    // Rounded to the minute, in the site's zone with its offset; the site default cadence,
    // from 14:05:42 rounded up, so that it is never shorter than promised.
    assert!(file.contains("state = \"investigating\"\nat = 2026-07-01T14:05:00+01:00\nnext_update = \"31m\"\n+++\n"), "{file}");
    // From the investigating template, with the promise in the site's zone.
    assert!(
        file.contains("We are investigating a partial outage affecting Public API."),
        "{file}"
    );
    assert!(
        file.contains("We will post an update by 14:36 BST."),
        "{file}"
    );
    site.build("2026-07-01T13:10:00Z");
    let page = text(
        &site.read("site/incidents/2026-07-01-elevated-error-rates-on-the-public-api/index.html"),
    );
    assert!(
        page.contains("Investigating 1 Jul 2026, 14:05 BST"),
        "{page}"
    );
    assert!(
        !page.contains("fill in"),
        "template notes are never published: {page}"
    );

    // Once resolved, the same title again gets its own slug; --message replaces the template; --next sets the promise.
    site.run(&[
        "update",
        "2026-07-01-elevated-error-rates-on-the-public-api",
        "resolved",
        "--now",
        "2026-07-01T14:50:00Z",
    ])
    .success();
    let run = site
        .run(&[
            "new",
            "Elevated error rates on the Public API",
            "--impact",
            "minor",
            "--component",
            "api",
            "--component",
            "db",
            "--next",
            "1h",
            "--message",
            "Some requests fail.",
            "--now",
            "2026-07-01T15:00:00Z",
        ])
        .success();
    let second = run.stdout().trim().to_string();
    assert_eq!(
        second,
        "incidents/2026-07-01-elevated-error-rates-on-the-public-api-2.md"
    );
    let file = site.read(&second);
    assert!(
        file.contains("components = [\"api\", \"db\"]")
            && file.contains("next_update = \"1h\"\n+++\nSome requests fail.\n"),
        "{file}"
    );
}

#[test]
fn new_refuses_unknown_components_with_the_list() {
    let site = TestSite::new();
    site.run(&["new", "X", "--impact", "major", "--component", "apii"])
        .expect_code(2)
        .expect_stderr("error: unknown component `apii`")
        .expect_stderr("did you mean `api`? (components: `api`, `dashboard` or `db`)");
    assert!(!site.exists("incidents"));
}

#[test]
fn update_appends_without_touching_the_authors_bytes() {
    let site = TestSite::new();
    site.incident("2026-11-22-webhook-delays", hand_written());
    let before = std::fs::read(site.path("incidents/2026-11-22-webhook-delays.md")).unwrap();
    site.run(&[
        "update",
        "2026-11-22-webhook",
        "identified",
        "--now",
        "2026-11-22T10:25:10Z",
    ])
    .success();
    let after = std::fs::read(site.path("incidents/2026-11-22-webhook-delays.md")).unwrap();
    assert!(
        after.starts_with(&before),
        "the author's bytes are a prefix of the new file"
    );
    let added = String::from_utf8(after[before.len()..].to_vec()).unwrap();
    assert!(added.starts_with("\r\n\r\n+++\r\nstate = \"identified\"\r\nat = 2026-11-22T10:25:00+00:00\r\nnext_update = \"31m\"\r\n+++\r\n"), "{added:?}");
    assert!(
        !added.replace("\r\n", "").contains('\n'),
        "the file's CRLF line endings are kept: {added:?}"
    );
    assert!(
        added.contains(
            "We have identified the cause of the degraded performance affecting Public API"
        ),
        "{added}"
    );
    site.build("2026-11-22T10:30:00Z");
    let page = text(&site.read("site/incidents/2026-11-22-webhook-delays/index.html"));
    assert!(page.contains("Identified 22 Nov 2026, 10:25 GMT"), "{page}");
    assert!(
        page.contains("Since 09:50 GMT, webhooks arrive late."),
        "{page}"
    );
}

#[test]
fn update_resolves_with_a_postmortem_and_refuses_to_touch_resolved_incidents() {
    let site = TestSite::new();
    site.incident("2026-11-22-webhook-delays", hand_written());
    site.run(&[
        "update",
        "webhook",
        "resolved",
        "--postmortem",
        "--impact",
        "major",
        "--now",
        "2026-11-22T11:00:00Z",
    ])
    .success();
    let file = site.read("incidents/2026-11-22-webhook-delays.md");
    // The skeleton goes where the summary belongs, before the first update; everything else is kept.
    let skeleton = file.find("## What happened").unwrap();
    assert!(skeleton < file.find("state = \"investigating\"").unwrap());
    assert!(file.contains("impact = \"major\"\r\n+++\r\nThis incident has been resolved: Public API is working normally."), "{file}");
    assert!(
        !file.contains("state = \"resolved\"\r\nat = 2026-11-22T11:00:00+00:00\r\nnext_update"),
        "a resolved update promises nothing"
    );
    // Issue 14: the skeleton is not a postmortem. Until a section is written, readers see none
    // of it, and `check` and `build` name each section still to write.
    let built = site.build("2026-11-22T11:05:00Z");
    let page = text(&site.read("site/incidents/2026-11-22-webhook-delays/index.html"));
    for hidden in [
        "Postmortem",
        "What happened",
        "Root cause",
        "What we are changing",
    ] {
        assert!(!page.contains(hidden), "{hidden}: {page}");
    }
    for run in [
        built,
        site.run(&["check", "--now", "2026-11-22T11:05:00Z"])
            .success(),
    ] {
        let stderr = run.stderr();
        for section in ["What happened", "Root cause", "What we are changing"] {
            assert!(stderr.contains(&format!("warning[unfilled-section]: postmortem section `{section}` is not filled in; it is hidden from readers until it is\n")) && stderr.contains("-> incidents/2026-11-22-webhook-delays.md:"), "{section}: {stderr}");
        }
        // One warning per section, not one more for its note; the other note is the resolved update's.
        assert_eq!(
            stderr.matches("warning[template-note]").count(),
            1,
            "{stderr}"
        );
    }

    // Resolved is final unless reopened.
    site.run(&[
        "update",
        "webhook",
        "investigating",
        "--now",
        "2026-11-22T12:00:00Z",
    ])
    .expect_code(2)
    .expect_stderr("error: `2026-11-22-webhook-delays` is resolved")
    .expect_stderr("pass --reopen");
    site.run(&[
        "update",
        "webhook",
        "investigating",
        "--reopen",
        "--message",
        "Delays are back: webhooks arrive up to 5 minutes late.",
        "--now",
        "2026-11-22T12:00:00Z",
    ])
    .success();
    site.build("2026-11-22T12:05:00Z");
    assert!(text(&site.read("site/index.html")).contains("Active incidents"));
}

#[test]
fn update_warns_when_the_state_moves_back_and_names_ambiguous_prefixes() {
    let site = TestSite::new();
    site.incident("2026-11-22-webhook-delays", hand_written());
    site.incident(
        "2026-11-22-webhook-errors",
        &hand_written().replace("Webhook delays", "Webhook errors"),
    );
    site.run(&["update", "2026-11-22-webhook", "identified"])
        .expect_code(2)
        .expect_stderr("error: `2026-11-22-webhook` matches 2 incidents:\n  2026-11-22-webhook-delays\n  2026-11-22-webhook-errors");
    site.run(&["update", "nothing-like-it", "identified"])
        .expect_code(2)
        .expect_stderr("no incident matches `nothing-like-it`");
    site.run(&[
        "update",
        "webhook-errors",
        "verifying",
        "--now",
        "2026-11-22T10:20:00Z",
    ])
    .success();
    site.run(&[
        "update",
        "incidents/2026-11-22-webhook-errors.md",
        "investigating",
        "--message",
        "The fix did not hold; errors are back for some webhooks.",
        "--now",
        "2026-11-22T10:40:00Z",
    ])
    .success()
    .expect_stderr("warning: the state moves back from `verifying` to `investigating`");
}

#[test]
fn update_refuses_unknown_components_and_broken_files() {
    let site = TestSite::new();
    site.incident("2026-11-22-webhook-delays", hand_written());
    let before = site.read("incidents/2026-11-22-webhook-delays.md");
    site.run(&[
        "update",
        "webhook",
        "identified",
        "--component",
        "dashbaord",
    ])
    .expect_code(2)
    .expect_stderr("did you mean `dashboard`?");
    site.incident("2026-11-22-broken", "+++\ntitle = \"x\"\n");
    site.run(&["update", "broken", "identified"])
        .expect_code(2)
        .expect_stderr("fix `incidents/2026-11-22-broken.md` before adding an update");
    assert_eq!(site.read("incidents/2026-11-22-webhook-delays.md"), before);
}

fn open_site(next: &str) -> TestSite {
    let site = TestSite::new();
    site.incident(
        "api-errors",
        &format!("+++\ntitle = \"API errors\"\nimpact = \"major\"\ncomponents = [\"api\"]\n+++\n+++\nstate = \"investigating\"\nat = 2026-10-25T00:20:00+01:00\n{next}+++\nSince 00:10 BST, some requests to the Public API fail.\n"),
    );
    site
}

#[test]
fn check_exit_codes_and_lapse_messages_across_daylight_saving() {
    // Published 00:20 BST, promising 2h: the clocks go back at 02:00 BST, so the promise
    // falls at 01:20 GMT, not at the 02:20 that wall-clock arithmetic would give.
    let site = open_site("next_update = \"2h\"\n");
    site.run(&["check", "--now", "2026-10-24T23:40:00Z"])
        .success()
        .expect_stderr("ok: all content is valid");
    site.run(&["check", "--now", "2026-10-25T01:16:00Z"])
        .success()
        .expect_stderr(
            "warning[due-soon]: api-errors: the next update is due at 01:20 GMT, in 4 minutes",
        );
    site.run(&["check", "--now", "2026-10-25T01:32:00Z"])
        .expect_code(1)
        .expect_stderr("error[lapsed]: api-errors: the next update was promised for 01:20 GMT, 12 minutes ago\n  --> incidents/api-errors.md:6:1")
        .expect_stderr("error: 1 promised update lapsed");
    // --now in the site's zone: 01:30 happens twice on this day, so it is refused as ambiguous,
    // as invalid input (issue 15).
    site.run(&["check", "--now", "2026-10-25T01:30"])
        .expect_code(2)
        .expect_stderr("ambiguous");
    site.run(&["check", "--now", "2026-10-25T03:00"])
        .expect_code(1)
        .expect_stderr("1 hour 40 minutes ago");
    // Invalid content wins over everything.
    site.incident("bad", "+++\n");
    site.run(&["check", "--now", "2026-10-25T01:32:00Z"])
        .expect_code(2);
}

#[test]
fn check_warns_when_nothing_is_promised_and_deny_warnings_fails() {
    let site = TestSite::new();
    site.write(
        "statuspost.toml",
        crate::support::CONFIG.replace("default_next_update = \"30m\"\n", ""),
    );
    site.incident(
        "quiet",
        "+++\ntitle = \"Quiet\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n+++\nstate = \"identified\"\nat = 2026-11-22T10:00:00Z\n+++\nRequests to the Public API are slow.\n",
    );
    site.run(&["check", "--now", "2026-11-22T10:05:00Z"])
        .success()
        .expect_stderr("warning[no-promise]: quiet: the latest update does not say when the next one will come");
    site.run(&["check", "--deny-warnings", "--now", "2026-11-22T10:05:00Z"])
        .expect_code(1);
}

#[test]
fn check_flags_speculation_etas_handles_and_silent_first_updates() {
    let site = TestSite::new();
    site.incident(
        "wording",
        "+++\ntitle = \"Wording\"\nimpact = \"minor\"\ncomponents = [\"dashboard\"]\n+++\n\
         +++\nstate = \"investigating\"\nat = 2026-11-22T10:00:00Z\n+++\nWe are looking into it.\n\n\
         +++\nstate = \"identified\"\nat = 2026-11-22T10:20:00Z\n+++\nWe think the cache is full.\n@alice is on it and it will be fixed shortly.\n<!-- we think this is unfair: comments are not checked -->\nMail support@acme.example.\n",
    );
    let run = site
        .run(&["check", "--now", "2026-11-22T10:30:00Z"])
        .success();
    let stderr = run.stderr();
    for expected in [
        "warning[no-impact]: this investigating update does not say what customers are seeing\n   --> incidents/wording.md:10:1",
        "warning[speculation]: \"We think\" is speculation\n   --> incidents/wording.md:16:1\n   |\n16 | We think the cache is full.\n   | ^^^^^^^^",
        "warning[handle]: `@alice` names an individual\n   --> incidents/wording.md:17:1",
        "warning[eta]: \"shortly\" sounds like an estimate of when the problem will end\n   --> incidents/wording.md:17:38",
        "ok, with 4 warnings",
    ] {
        assert!(stderr.contains(expected), "expected {expected:?} in:\n{stderr}");
    }
}

#[test]
fn check_warns_about_updates_dated_in_the_future() {
    let site = open_site("next_update = \"30m\"\n");
    site.run(&["check", "--now", "2026-10-24T22:00:00Z"])
        .success()
        .expect_stderr(
            "warning[future]: api-errors: this update is dated 1 hour 20 minutes in the future",
        );
    // `build` says so too: the page would show a time that has not happened yet.
    site.run(&["build", "--now", "2026-10-24T22:00:00Z"])
        .success()
        .expect_stderr(
            "warning[future]: api-errors: this update is dated 1 hour 20 minutes in the future",
        );
}

#[test]
fn check_fails_on_a_template_that_does_not_render_as_build_would() {
    let site = open_site("next_update = \"30m\"\n");
    // Compiles, but fails at render time: a scheduled check must catch it before a publish does.
    site.write(
        "templates/history.html",
        "{% extends \"base.html\" %}{% block main %}{{ no_such_value.field }}{% endblock main %}",
    );
    let run = site
        .run(&["check", "--now", "2026-10-24T23:30:00Z"])
        .expect_code(2);
    assert!(
        run.stderr()
            .contains("Variable `no_such_value` is not defined")
            && run.stderr().contains("--> templates/history.html:1:45"),
        "{}",
        run.stderr()
    );
    // A base.html of the site's own that dropped the policy: scripts are no longer forbidden.
    site.write(
        "templates/history.html",
        "{% extends \"base.html\" %}{% block main %}History{% endblock main %}",
    );
    site.write(
        "templates/base.html",
        "<!DOCTYPE html><html lang=\"en\"><head><title>{% block title %}{% endblock title %}</title>{% block description %}{% endblock description %}{% block feeds %}{% endblock feeds %}</head><body>{% block main %}{% endblock main %}{% block generated %}{% endblock generated %}</body></html>",
    );
    let run = site.run(&["check", "--now", "2026-10-24T23:30:00Z"]);
    assert!(
        run.stderr().contains("warning[no-policy]")
            && run.stderr().contains("carry no Content-Security-Policy"),
        "{}",
        run.stderr()
    );
    site.write("templates/index.html", "{% if %}");
    let run = site
        .run(&["check", "--now", "2026-10-24T23:30:00Z"])
        .expect_code(2);
    assert!(
        run.stderr().contains("but expected one of")
            && run.stderr().contains("--> templates/index.html:1:7"),
        "{}",
        run.stderr()
    );
}

#[test]
fn check_json_is_machine_readable() {
    let site = open_site("next_update = \"30m\"\n");
    let run = site
        .run(&["check", "--format", "json", "--now", "2026-10-25T01:00:00Z"])
        .expect_code(1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout()).expect("JSON on stdout");
    assert_eq!(report["ok"], false);
    assert_eq!(report["exit_code"], 1);
    assert_eq!(report["lapsed"], 1);
    let finding = &report["findings"][0];
    assert_eq!(finding["code"], "lapsed");
    assert_eq!(finding["path"], "incidents/api-errors.md");
    assert_eq!(finding["line"], 6);
    assert_eq!(
        finding["message"],
        "api-errors: the next update was promised for 00:50 BST, 1 hour 10 minutes ago"
    );
}

#[test]
fn update_finds_an_incident_by_any_unique_part_of_its_name() {
    // Regression: the README's own example (`update error-rates`) matched nothing.
    let site = TestSite::new();
    site.run(&[
        "new",
        "Elevated error rates on the Public API",
        "--impact",
        "major",
        "--component",
        "api",
        "--now",
        "2026-11-22T14:05:00Z",
    ])
    .success();
    site.run(&[
        "update",
        "error-rates",
        "identified",
        "--now",
        "2026-11-22T14:30:00Z",
    ])
    .success();
    site.run(&["update", "", "identified"])
        .expect_code(2)
        .expect_stderr("name the incident");
}

#[cfg(unix)]
#[test]
fn update_writes_through_a_symlinked_incident() {
    // Regression: the rename replaced the link with a plain file and left the real file unchanged.
    let site = TestSite::new();
    site.write("archive/s.md", hand_written());
    std::fs::create_dir_all(site.path("incidents")).unwrap();
    std::os::unix::fs::symlink("../archive/s.md", site.path("incidents/s.md")).unwrap();
    site.run(&[
        "update",
        "s",
        "identified",
        "--message",
        "Found it.",
        "--now",
        "2026-11-22T10:30:00Z",
    ])
    .success();
    assert!(std::fs::symlink_metadata(site.path("incidents/s.md"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(site.read("archive/s.md").ends_with("Found it.\r\n"));
}

#[test]
fn check_json_gives_every_finding_a_code_and_lapsed_ones_their_slug_and_due_time() {
    let site = open_site("next_update = \"30m\"\n");
    // A file that is not read: a warning that used to have no code.
    site.write("incidents/notes.txt", "draft");
    let run = site
        .run(&["check", "--format", "json", "--now", "2026-10-25T01:00:00Z"])
        .expect_code(1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout()).expect("JSON on stdout");
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.len() >= 2, "{report:#}");
    for finding in findings {
        assert!(finding["code"].is_string(), "no code: {finding:#}");
    }
    let lapsed = findings.iter().find(|f| f["code"] == "lapsed").unwrap();
    assert_eq!(lapsed["slug"], "api-errors");
    // Published 00:20 BST (23:20 UTC) promising 30 minutes; now is 01:00 UTC.
    assert_eq!(lapsed["due_at"], "2026-10-24T23:50:00Z");
    assert_eq!(lapsed["overdue_seconds"], 70 * 60);

    // Invalid content: every error has a code too.
    site.incident("bad", "+++\ntitle = 3\n+++\n");
    let run = site
        .run(&["check", "--format", "json", "--now", "2026-10-25T01:00:00Z"])
        .expect_code(2);
    let report: serde_json::Value = serde_json::from_str(&run.stdout()).expect("JSON on stdout");
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings.iter().any(|f| f["severity"] == "error"),
        "{report:#}"
    );
    for finding in findings {
        assert!(finding["code"].is_string(), "no code: {finding:#}");
    }
}

/// Issue 14: a site fresh from `init` still holds the example incident and
/// the reserved example.com addresses; publishing it as is would show readers
/// an incident that never happened and send them to nobody.
#[test]
fn check_warns_while_the_init_examples_are_still_there() {
    let site = TestSite::empty();
    site.run(&["init", "--now", "2026-11-22T12:00:00Z"])
        .success();
    let run = site
        .run(&["check", "--now", "2026-11-22T12:00:00Z"])
        .success();
    let stderr = run.stderr();
    for expected in [
        "warning[example-incident]: 2026-11-15-example-api-errors: this is the example incident from `statuspost init`\n  --> incidents/2026-11-15-example-api-errors.md",
        "warning[example-address]: the contact e-mail `support@example.com` is at example.com, a domain reserved for examples\n   --> statuspost.toml:15:9",
        "warning[example-address]: the contact url `https://support.example.com` is at example.com, a domain reserved for examples\n   --> statuspost.toml:16:7",
        "warning[example-address]: `base_url` `https://status.example.com` is at example.com, a domain reserved for examples\n  --> statuspost.toml:4:12",
    ] {
        assert!(stderr.contains(expected), "expected {expected:?} in:\n{stderr}");
    }

    // The author's own addresses, and the example incident made their own: no warnings.
    let config = site
        .read("statuspost.toml")
        .replace("support@example.com", "support@acme.example")
        .replace("https://support.example.com", "https://help.acme-cloud.io")
        .replace(
            "https://status.example.com",
            "https://status.acme-status.net",
        );
    site.write("statuspost.toml", config);
    let incident = site.read("incidents/2026-11-15-example-api-errors.md");
    site.write(
        "incidents/2026-11-15-example-api-errors.md",
        incident
            .replace(
                "Elevated error rates on the API",
                "API errors after a deploy",
            )
            .replace(
                "An example incident: delete this file once you have written your own.",
                "",
            ),
    );
    let run = site
        .run(&["check", "--now", "2026-11-22T12:00:00Z"])
        .success();
    assert!(!run.stderr().contains("example-"), "{}", run.stderr());
}

/// Issue 14: a postmortem is published section by section as it is written.
/// The skeleton an older `--postmortem` wrote, with its closing apology, is
/// recognised too: an apology under a heading is not a postmortem.
#[test]
fn a_postmortem_shows_only_the_sections_written() {
    let site = TestSite::new();
    let skeleton = "## What happened\n\n<!-- fill in: when it started and ended. This note is never published. -->\n\n## Root cause\n\n<!-- fill in: what failed and why. This note is never published. -->\n\n## What we are changing\n\n<!-- fill in: the concrete changes. This note is never published. -->\n\nWe are sorry for the disruption this caused. If you have questions, contact us at support@acme.example.\n";
    let incident = |summary: &str| {
        format!("+++\ntitle = \"Webhook delays\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n{summary}\n+++\nstate = \"investigating\"\nat = 2026-11-22T10:00:00Z\n+++\nWebhooks arrive late.\n\n+++\nstate = \"resolved\"\nat = 2026-11-22T11:00:00Z\n+++\nWebhooks arrive on time.\n")
    };
    let page = |site: &TestSite| {
        site.build("2026-11-22T12:00:00Z");
        text(&site.read("site/incidents/webhooks/index.html"))
    };
    site.incident("webhooks", &incident(skeleton));
    let shown = page(&site);
    assert!(
        !shown.contains("Postmortem") && !shown.contains("We are sorry"),
        "{shown}"
    );
    let api = site.read("site/api/v2/incidents.json");
    assert!(
        !api.contains("What happened") && !api.contains("We are sorry"),
        "{api}"
    );
    site.run(&["check", "--now", "2026-11-22T12:00:00Z"])
        .success()
        .expect_stderr("warning[unfilled-section]: postmortem section `What happened` is not filled in; it is hidden from readers until it is\n  --> incidents/webhooks.md:6:1")
        .expect_stderr("warning[unfilled-section]: postmortem section `Root cause` is not filled in; it is hidden from readers until it is\n   --> incidents/webhooks.md:10:1")
        .expect_stderr("warning[unfilled-section]: postmortem section `What we are changing` is not filled in; it is hidden from readers until it is\n   --> incidents/webhooks.md:14:1");

    // One section written, below its note: that section and the closing are published.
    site.incident(
        "webhooks",
        &incident(&skeleton.replace(
            "what failed and why. This note is never published. -->\n",
            "what failed and why. This note is never published. -->\nA full disk on the queue host stopped deliveries.\n",
        )),
    );
    let shown = page(&site);
    assert!(
        shown.contains("Postmortem Root cause A full disk on the queue host stopped deliveries. We are sorry for the disruption this caused."),
        "{shown}"
    );
    assert!(
        !shown.contains("What happened") && !shown.contains("What we are changing"),
        "{shown}"
    );
    assert!(
        !shown.contains("fill in") && !shown.contains("never published"),
        "{shown}"
    );

    // A heading the author left empty, with no template note, is the author's: shown as written.
    site.incident(
        "webhooks",
        &incident("## Timeline\n\nAll times GMT.\n\n## Notes\n"),
    );
    assert!(page(&site).contains("Postmortem Timeline All times GMT. Notes"));
}

/// Issue 14: a template note left in an update is never published, in the
/// page, the feeds or the API, and `check` still asks for it to be filled in.
#[test]
fn a_template_note_left_in_an_update_is_never_published() {
    let site = TestSite::new();
    site.incident(
        "webhooks",
        "+++\ntitle = \"Webhook delays\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n+++\nstate = \"investigating\"\nat = 2026-11-22T10:00:00Z\n+++\nWebhooks to the Public API arrive late.\n<!-- fill in: what customers see. This note is never published. -->\n",
    );
    site.build("2026-11-22T10:05:00Z");
    for file in [
        "site/incidents/webhooks/index.html",
        "site/index.html",
        "site/feed.xml",
        "site/feed.atom",
        "site/api/v2/incidents.json",
    ] {
        if site.exists(file) {
            let out = site.read(file);
            assert!(out.contains("arrive late"), "{file}: {out}");
            assert!(
                !out.contains("fill in") && !out.contains("never published"),
                "{file}: {out}"
            );
        }
    }
    site.run(&["check", "--now", "2026-11-22T10:05:00Z"])
        .success()
        .expect_stderr("warning[template-note]: this text still has a template note to fill in\n   --> incidents/webhooks.md:11:1");
}
