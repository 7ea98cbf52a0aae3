//! Hostile and careless input (issue 15): whatever an author pastes or names a
//! file, every output stays well-formed and the terminal shows, not obeys, it.

use crate::support::TestSite;

const NOW: &str = "2026-11-22T14:40:00Z";

/// Characters XML 1.0 forbids anywhere in a document, raw or as a reference:
/// a strict parser (and so a feed reader) rejects the whole feed for one.
fn forbidden_in_xml(c: u32) -> bool {
    !(c == 0x9
        || c == 0xA
        || c == 0xD
        || (0x20..=0xD7FF).contains(&c)
        || (0xE000..=0xFFFD).contains(&c)
        || (0x10000..=0x10FFFF).contains(&c))
}

/// Fails unless `text` holds only characters XML allows, raw and in `&#...;` references.
fn assert_xml_chars(name: &str, text: &str) {
    for (at, c) in text.char_indices() {
        assert!(
            !forbidden_in_xml(c as u32),
            "{name}: raw U+{:04X} at byte {at}",
            c as u32
        );
    }
    let mut rest = text;
    while let Some(i) = rest.find("&#") {
        rest = &rest[i + 2..];
        let end = rest.find(';').unwrap_or(0);
        let number = &rest[..end];
        let value = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16),
            None => number.parse(),
        };
        if let Ok(value) = value {
            assert!(
                !forbidden_in_xml(value),
                "{name}: reference &#{number}; to a character XML forbids"
            );
        }
    }
}

fn no_terminal_controls(name: &str, text: &str) {
    for c in text.chars() {
        assert!(
            !c.is_control() || c == '\n' || c == '\t',
            "{name}: raw U+{:04X} in {text:?}",
            c as u32
        );
    }
}

// Issue 15, item 1: an update with pasted terminal colours (ESC) or a `&#1;`
// reference built fine, but feed.xml, feed.atom and the component feeds were
// not well-formed XML, so feed readers rejected the whole feed.
#[test]
fn control_characters_in_content_keep_every_output_well_formed() {
    let site = TestSite::new();
    site.incident(
        "api-errors",
        "+++\ntitle = \"Errors \\u001b[31mon\\u001b[0m the API\"\nimpact = \"major\"\ncomponents = [\"api\"]\n+++\n\n+++\nstate = \"investigating\"\nat = 2026-11-22T14:05:00Z\n+++\nThe API returns \x1b[31merrors\x1b[0m to some callers &#1; &#x1B; `\x07`.\n",
    );
    site.write(
        "maintenance/2026-11-30-db.md",
        "+++\ntitle = \"Database \\u0001upgrade\"\ncomponents = [\"db\"]\nstarts = 2026-11-30T01:00:00Z\nends = 2026-11-30T02:00:00Z\n+++\nFail\x1b[0mover &#27; once.\n\n+++\nstate = \"scheduled\"\nat = 2026-11-20T09:00:00Z\n+++\nScheduled\x08 upgrade.\n",
    );
    let run = site.build(NOW);
    let err = run.stderr();
    assert!(err.contains("warning[control-character]"), "{err}");
    assert!(err.contains("--> incidents/api-errors.md:2:9"), "{err}");
    assert!(err.contains("--> incidents/api-errors.md:11:17"), "{err}");
    assert!(err.contains("--> incidents/api-errors.md:11:49"), "{err}");
    assert!(
        err.contains("--> maintenance/2026-11-30-db.md:7:5"),
        "{err}"
    );
    no_terminal_controls("stderr", &err);

    for feed in [
        "site/feed.xml",
        "site/feed.atom",
        "site/components/api/feed.xml",
        "site/components/db/feed.xml",
    ] {
        let text = site.read(feed);
        assert_xml_chars(feed, &text);
        let parsed = feed_rs::parser::parse(text.as_bytes()).expect(feed);
        let all: String = parsed
            .entries
            .iter()
            .map(|e| {
                format!(
                    "{} {} {}",
                    e.title.as_ref().map_or("", |t| &t.content),
                    e.summary.as_ref().map_or("", |t| &t.content),
                    e.content
                        .as_ref()
                        .and_then(|c| c.body.as_deref())
                        .unwrap_or("")
                )
            })
            .collect();
        // The author's visible words all survive.
        let words: &[&str] = if feed.contains("/db/") {
            &["Scheduled upgrade"]
        } else {
            &[
                "Errors [31mon[0m the API",
                "returns [31merrors[0m to some callers",
            ]
        };
        for words in words {
            assert!(all.contains(words), "{feed} lost {words:?}: {all}");
        }
    }
    for page in [
        "site/index.html",
        "site/incidents/api-errors/index.html",
        "site/maintenance/2026-11-30-db/index.html",
        "site/maintenance.ics",
        "site/api/v2/incidents.json",
    ] {
        let text = site.read(page);
        assert_xml_chars(page, &text);
        assert!(
            !text.contains("\\u001b") && !text.contains("\\u0001"),
            "{page}"
        );
    }
    let calendar: icalendar::Calendar = site
        .read("site/maintenance.ics")
        .parse()
        .expect("valid iCalendar");
    assert_eq!(calendar.components.len(), 1);
}

// Issue 15, item 3: a contributor's file name with terminal escapes could clear
// or retitle the maintainer's terminal, because diagnostics echoed it raw.
#[test]
fn terminal_escapes_in_names_and_lines_are_shown_escaped() {
    let site = TestSite::new();
    site.incident(
        "x\x1b]0;pwned\x07\x1b[2J",
        "+++\ntitle = \"T\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n\n+++\nstate = \"investigatng\"\nat = 2026-11-22T14:05:00Z\n+++\nText \x1b[2J.\n",
    );
    let run = site.run(&["build", "--now", NOW]).expect_code(2);
    let err = run.stderr();
    no_terminal_controls("stderr", &err);
    assert!(err.contains("x\\u{1b}]0;pwned\\u{7}\\u{1b}[2J.md"), "{err}");
}

// Issue 15, item 7: an invalid `--now` is the user's mistake, not a failure
// of the machine, and exited 3.
#[test]
fn an_invalid_now_is_invalid_input() {
    let site = TestSite::new();
    site.run(&["build", "--now", "yesterday-ish"])
        .expect_code(2)
        .expect_stderr("--now");
    site.run(&["check", "--now", "2026-13-45T99:00:00Z"])
        .expect_code(2);
}

// Issue 15, item 4: `date = "%H"` (and formats needing a time, a zone or a
// timestamp) panicked with exit 101 when formatting a day.
#[test]
fn date_formats_that_need_more_than_a_date_are_rejected_where_they_are() {
    for format in ["%H", "%s", "%z", "%Z", "%c", "%r", "%+", "%.3f", "%-d %Q"] {
        let site = TestSite::empty();
        site.write(
            "statuspost.toml",
            format!("language = \"de\"\n{}", crate::support::CONFIG),
        );
        site.write("i18n/de.toml", format!("\ndate = \"%-d. %B {format}\"\n"));
        let run = site.run(&["build", "--now", NOW]).expect_code(2);
        let err = run.stderr();
        assert!(err.contains("--> i18n/de.toml:2:8"), "{format}: {err}");
        assert!(err.contains("`date`"), "{format}: {err}");
    }
    // A time format may of course show the time and zone.
    let site = TestSite::empty();
    site.write(
        "statuspost.toml",
        format!("language = \"de\"\n{}", crate::support::CONFIG),
    );
    site.write("i18n/de.toml", "time = \"%H:%M:%S %Z %z\"\n");
    site.build(NOW);
}

// Issue 15, item 2: a `base_url` with a line break was accepted and added
// lines to maintenance.ics (an injected ATTENDEE), robots.txt, _headers and
// sitemap.xml.
#[test]
fn a_base_url_with_a_line_break_is_refused_where_it_is() {
    for url in [
        "https://status.acme.net\\r\\nATTENDEE:mailto:all@acme.net",
        "https://status.acme.net/\\tx",
        "https://status acme.net",
        "ftp://status.acme.net",
        "https://",
    ] {
        let site = TestSite::empty();
        site.write(
            "statuspost.toml",
            crate::support::CONFIG.replace("https://status.acme-status.net", url),
        );
        site.write(
            "maintenance/2026-11-30-db.md",
            "+++\ntitle = \"DB\"\ncomponents = [\"db\"]\nstarts = 2026-11-30T01:00:00Z\nends = 2026-11-30T02:00:00Z\n+++\n",
        );
        let run = site.run(&["build", "--now", NOW]).expect_code(2);
        let err = run.stderr();
        assert!(err.contains("--> statuspost.toml:2:12"), "{url}: {err}");
        assert!(err.contains("`base_url`"), "{url}: {err}");
        assert!(!site.exists("site/maintenance.ics"), "{url}");
    }
}

// Issue 15, item 2: every calendar value is escaped and folded as RFC 5545
// requires, and a calendar with no windows is still a valid one (a VCALENDAR
// needs at least one component).
#[test]
fn calendar_values_are_escaped_and_folded_and_an_empty_calendar_is_valid() {
    let site = TestSite::new();
    site.build(NOW);
    let ics = site.read("site/maintenance.ics");
    let calendar: icalendar::Calendar = ics.parse().expect("valid iCalendar");
    assert!(!calendar.components.is_empty(), "{ics}");
    assert!(ics.contains("\r\nBEGIN:VTIMEZONE\r\n"), "{ics}");

    let title = "Switch; router, \\\\ core\\nATTENDEE:mailto:all@acme.net ".repeat(4);
    site.write(
        "maintenance/2026-11-30-db.md",
        format!("+++\ntitle = \"{title}\"\ncomponents = [\"db\"]\nstarts = 2026-11-30T01:00:00Z\nends = 2026-11-30T02:00:00Z\n+++\n"),
    );
    site.build(NOW);
    let ics = site.read("site/maintenance.ics");
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        assert!(!line.starts_with("ATTENDEE"), "{ics}");
        assert!(!line.contains('\n') && !line.contains('\r'), "{line:?}");
    }
    let unfolded = ics.replace("\r\n ", "");
    assert!(
        unfolded.contains("SUMMARY:Maintenance: Switch\\; router\\, \\\\ core\\nATTENDEE:mailto:all@acme.net Switch"),
        "{unfolded}"
    );
}

fn rejected_config(config: &str, expected: &[&str]) {
    let site = TestSite::empty();
    site.write("statuspost.toml", config);
    for command in ["check", "build"] {
        let run = site.run(&[command, "--now", NOW]).expect_code(2);
        let err = run.stderr();
        for e in expected {
            assert!(err.contains(e), "{command}: missing {e:?} in {err}");
        }
    }
    assert!(!site.exists("site/index.html"));
}

// Issue 15, item 6: a 100,000-part dotted key on line 5 was reported at the
// top of the file, where there is nothing wrong.
#[test]
fn a_key_nested_too_deep_is_reported_on_its_line() {
    let mut lines: Vec<String> = crate::support::CONFIG.lines().map(String::from).collect();
    lines.insert(4, format!("{} = 1", vec!["a"; 100_000].join(".")));
    rejected_config(&lines.join("\n"), &["--> statuspost.toml:5:1"]);
}

// Issue 15, item 6: a 300-character component id passed `check`, then failed
// the build at write time with "File name too long".
#[test]
fn a_component_id_too_long_for_a_file_name_is_refused() {
    let id = "d".repeat(300);
    rejected_config(
        &crate::support::CONFIG.replace("id = \"db\"", &format!("id = \"{id}\"")),
        &["--> statuspost.toml:23:6", "64"],
    );
}

// Issue 15, item 6: groups that differ only in case, or a component whose id
// is a group's, gave duplicate ids in api/v2/components.json.
#[test]
fn ids_the_api_derives_are_unique() {
    rejected_config(
        &crate::support::CONFIG.replace("group = \"Data\"", "group = \"platform\""),
        &["--> statuspost.toml:25:9", "`Platform`", "group-platform"],
    );
    rejected_config(
        &format!(
            "{}\n[[components]]\nid = \"group-data\"\nname = \"X\"\n",
            crate::support::CONFIG
        ),
        &["--> statuspost.toml:28:6", "group-data"],
    );
}

// Issue 15, item 8: one incident with 20,000 updates took 2 s to render (40,000:
// 7.6 s), work that grows with the square of the count; a file is now limited.
#[test]
fn an_incident_with_too_many_updates_is_refused_at_the_first_over_the_limit() {
    let site = TestSite::new();
    let mut text =
        String::from("+++\ntitle = \"T\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n\n");
    for i in 0..1_001 {
        text.push_str(&format!(
            "+++\nstate = \"investigating\"\nat = 2026-11-22T10:00:00Z\n+++\nUpdate {i}.\n\n"
        ));
    }
    site.incident("long", &text);
    // The head is 6 lines and each update 6: update 1,001 opens on line 6,007.
    site.run(&["build", "--now", NOW])
        .expect_code(2)
        .expect_stderr("this is update 1001; one incident file may have at most 1000")
        .expect_stderr("--> incidents/long.md:6007:1");
}

// Issue 15, item 8: a 10 MB file of 5 million short lines took 9.5 s and 4.3 GB.
#[test]
fn a_file_with_too_many_lines_is_refused() {
    let site = TestSite::new();
    let text = format!(
        "+++\ntitle = \"T\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n\n+++\nstate = \"resolved\"\nat = 2026-11-22T10:00:00Z\n+++\n{}",
        "a\n".repeat(60_000)
    );
    site.write("maintenance/long.md", &text);
    site.incident("long", &text);
    site.run(&["build", "--now", NOW])
        .expect_code(2)
        .expect_stderr("the file has more than 50000 lines")
        .expect_stderr("--> incidents/long.md:50001:1")
        .expect_stderr("--> maintenance/long.md:50001:1");
}

// Issue 15, item 5: with a bad time zone in the config, a bad incident and a
// bad template, only the config was reported; fixing it showed the next, and so on.
#[test]
fn problems_in_the_config_content_and_templates_are_reported_in_one_run() {
    let site = TestSite::empty();
    site.write(
        "statuspost.toml",
        crate::support::CONFIG.replace("Europe/London", "Europe/Londn"),
    );
    site.incident(
        "x",
        "+++\ntitle = \"T\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n\n+++\nstate = \"investigatng\"\nat = 2026-11-22T10:00:00Z\n+++\nText.\n",
    );
    site.write(
        "templates/base.html",
        "<!DOCTYPE html>\n<html lang=\"en\"><head><title>{{ site.title }}</title></head>\n<body>{% block main %}{% endblock main %}</body></html>\n",
    );
    for command in ["check", "build"] {
        site.run(&[command, "--now", NOW])
            .expect_code(2)
            .expect_stderr("error: unknown time zone `Europe/Londn`\n  --> statuspost.toml:3:12")
            .expect_stderr("error: unknown state `investigatng`\n  --> incidents/x.md:8:9")
            .expect_stderr("error: Block `title` is not defined in any parent template");
    }
}
