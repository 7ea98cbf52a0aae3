//! Languages: German and Japanese sites built end to end, a site's own
//! strings and right-to-left language, and mistakes in strings files.

use crate::support::{between, tags, text, TestSite, CONFIG};

/// Open since 14:05 GMT, with a promise; a second, resolved incident the day before.
const OPEN: &str = r#"+++
title = "Fehlerraten der API"
impact = "major"
components = ["api", "dashboard"]
+++

+++
state = "investigating"
at = 2026-03-05T14:05:00Z
next_update = "30m"
+++
Wir untersuchen erhöhte Fehlerraten.
"#;

const RESOLVED: &str = r#"+++
title = "Langsame Datenbank"
impact = "minor"
components = ["db"]
+++
Die Ursache war ein voller Datenträger.

+++
state = "investigating"
at = 2026-03-04T09:00:00Z
+++
Wir untersuchen langsame Abfragen.

+++
state = "resolved"
at = 2026-03-04T11:05:00Z
+++
Behoben.
"#;

fn site(language: &str) -> TestSite {
    let site = TestSite::empty();
    site.write(
        "statuspost.toml",
        format!("language = \"{language}\"\n{CONFIG}"),
    );
    site.incident("2026-03-05-api", OPEN);
    site.incident("2026-03-04-db", RESOLVED);
    site.build("2026-03-05T14:20:00Z");
    site
}

fn html_attr(html: &str, name: &str) -> Option<String> {
    tags(html)
        .into_iter()
        .find(|(tag, _)| tag == "html")
        .and_then(|(_, attrs)| attrs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v))
}

#[test]
fn a_german_site_speaks_german_everywhere_a_reader_looks() {
    let site = site("de");
    let index = site.read("site/index.html");
    assert_eq!(html_attr(&index, "lang").as_deref(), Some("de"));
    assert_eq!(html_attr(&index, "dir").as_deref(), Some("ltr"));
    // The days in words are on each component's page, which the bars link to.
    let words = text(&index) + &text(&site.read("site/components/db/index.html"));
    for expected in [
        "Teilweiser Ausfall",
        "Stand: 5. März 2026, 14:20 GMT",
        "Aktuelle Störungen",
        "Betrifft Public API, Dashboard",
        "Nächste Meldung bis 5. März 2026, 14:35 GMT.",
        "Wird untersucht",
        "Komponenten",
        "Betriebsbereit",
        "Letzte 14 Tage",
        "Behoben am 4. März 2026, 11:05 GMT nach 2 Std. 5 Min.",
        "Vollständiger Störungsverlauf",
        "Zum Inhalt springen",
        "Alle Zeiten in der Zeitzone Europe/London.",
        "Brauchen Sie Hilfe? Schreiben Sie uns an support@acme.example oder über support.acme.example.",
        "4. März 2026: 1 Störung, 2 Std. 5 Min. eingeschränkte Leistung",
        "100,00 % Verfügbarkeit",
    ] {
        assert!(words.contains(expected), "missing {expected:?} in {words}");
    }
    for english in [
        "Partial outage",
        "Operational",
        "As of",
        "Next update by",
        "Investigating",
    ] {
        assert!(
            !words.contains(english),
            "English {english:?} left in {words}"
        );
    }
    // The translated sentence keeps its markup: the time is a <time> element and the contact a link.
    assert!(
        index.contains(
            r#"Stand: <time datetime="2026-03-05T14:20:00Z">5. März 2026, 14:20 GMT</time>"#
        ),
        "{index}"
    );
    assert!(index.contains(r#"<a href="mailto:support@acme.example">support@acme.example</a>"#));

    let page = text(&site.read("site/incidents/2026-03-04-db/index.html"));
    for expected in [
        "Nachbetrachtung",
        "Die Ursache war ein voller Datenträger.",
        "Beginn",
        "Dauer",
        "2 Std. 5 Min.",
        "Behoben",
    ] {
        assert!(page.contains(expected), "missing {expected:?} in {page}");
    }
    let history = text(&site.read("site/history/index.html"));
    assert!(history.contains("März 2026 2 Störungen"), "{history}");
    let month = text(&site.read("site/history/2026-03/index.html"));
    assert!(
        month.contains("Andauernd seit 5. März 2026, 14:05 GMT"),
        "{month}"
    );

    let feed = feed_rs::parser::parse(site.read("site/feed.xml").as_bytes()).unwrap();
    assert_eq!(feed.language.as_deref(), Some("de"));
    let titles: Vec<String> = feed
        .entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.clone())
        .collect();
    assert!(
        titles.contains(&"[Wird untersucht] Fehlerraten der API".to_string()),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"[Behoben] Langsame Datenbank".to_string()),
        "{titles:?}"
    );
    let atom = feed_rs::parser::parse(site.read("site/feed.atom").as_bytes()).unwrap();
    assert_eq!(atom.language.as_deref(), Some("de"));
    // The API is a machine contract: Statuspage's English values, whatever the language.
    let status: serde_json::Value =
        serde_json::from_str(&site.read("site/api/v2/status.json")).unwrap();
    assert_eq!(status["status"]["description"], "Partial System Outage");
}

#[test]
fn a_japanese_site_puts_words_in_japanese_order() {
    let site = site("ja");
    let index = site.read("site/index.html");
    assert_eq!(html_attr(&index, "lang").as_deref(), Some("ja"));
    let words = text(&index) + &text(&site.read("site/components/db/index.html"));
    for expected in [
        "一部で障害が発生しています",
        // The time comes before "as of" in Japanese.
        "2026年3月5日 14:20 GMT 現在",
        "発生中の障害",
        "影響範囲：Public API、Dashboard",
        "次回の更新は 2026年3月5日 14:35 GMT までに行います。",
        "調査中",
        "正常",
        "過去14日間",
        "2026年3月4日 11:05 GMT に解決（継続時間 2時間5分）",
        "2026年3月4日：障害1件、パフォーマンス低下 2時間5分",
        "稼働率 100.00%",
    ] {
        assert!(words.contains(expected), "missing {expected:?} in {words}");
    }
    assert!(
        index.contains(
            r#"<time datetime="2026-03-05T14:20:00Z">2026年3月5日 14:20 GMT</time> 現在"#
        ),
        "{index}"
    );
    let history = text(&site.read("site/history/index.html"));
    assert!(history.contains("2026年3月 障害2件"), "{history}");
    let page = text(&site.read("site/incidents/2026-03-04-db/index.html"));
    assert!(
        page.contains("事後報告") && page.contains("継続時間"),
        "{page}"
    );
    let feed = feed_rs::parser::parse(site.read("site/feed.xml").as_bytes()).unwrap();
    assert_eq!(feed.language.as_deref(), Some("ja"));
    assert!(feed
        .entries
        .iter()
        .any(|e| e.title.as_ref().unwrap().content == "[解決済み] Langsame Datenbank"));
    let calendar = site.read("site/maintenance.ics");
    assert!(
        calendar.contains("X-WR-CALNAME:Acme Cloud Status：メンテナンス"),
        "{calendar}"
    );
}

#[test]
fn french_and_spanish_are_built_in_with_their_plural_rules() {
    let fr = site("fr");
    let words = text(&fr.read("site/index.html"));
    assert!(
        words.contains("Panne partielle") && words.contains("État au 5 mars 2026 à 14:20 GMT"),
        "{words}"
    );
    assert!(text(&fr.read("site/history/index.html")).contains("mars 2026 2 incidents"));
    let es = site("es");
    let words = text(&es.read("site/index.html"));
    assert!(
        words.contains("Interrupción parcial") && words.contains("Incidentes activos"),
        "{words}"
    );
    assert!(text(&es.read("site/history/index.html")).contains("marzo de 2026 2 incidentes"));
}

#[test]
fn a_site_overrides_any_string_and_the_rest_stay_built_in() {
    let site = TestSite::empty();
    site.write("statuspost.toml", format!("language = \"de\"\n{CONFIG}"));
    site.write(
        "i18n/de.toml",
        "banner_operational = \"Alles läuft\"\nas_of = \"Zuletzt geprüft: {time}\"\n",
    );
    site.build("2026-03-05T14:20:00Z");
    let words = text(&site.read("site/index.html"));
    assert!(words.contains("Alles läuft"), "{words}");
    assert!(
        words.contains("Zuletzt geprüft: 5. März 2026, 00:00 GMT"),
        "{words}"
    );
    assert!(words.contains("Komponenten"), "{words}");
    // Changing the strings rebuilds every page that shows them.
    site.write("i18n/de.toml", "nav_history = \"Archiv\"\n");
    site.build("2026-03-05T14:20:00Z");
    assert!(text(&site.read("site/history/index.html")).contains("Archiv"));
}

#[test]
fn a_right_to_left_language_of_the_sites_own_sets_dir() {
    let site = TestSite::empty();
    site.write("statuspost.toml", format!("language = \"ar\"\n{CONFIG}"));
    site.write(
        "i18n/ar.toml",
        "dir = \"rtl\"\nplural = \"none\"\nbanner_operational = \"جميع الأنظمة تعمل\"\ncomponents = \"المكونات\"\n",
    );
    let run = site.build("2026-03-05T14:20:00Z");
    let index = site.read("site/index.html");
    assert_eq!(html_attr(&index, "lang").as_deref(), Some("ar"));
    assert_eq!(html_attr(&index, "dir").as_deref(), Some("rtl"));
    assert!(text(&index).contains("جميع الأنظمة تعمل"));
    // What it did not translate is named, so the author knows what readers see in English.
    assert!(
        run.stderr().contains("not translated, shown in English"),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("skip_to_content"), "{}", run.stderr());
    // The layout mirrors: the stylesheet uses logical properties, never a fixed left or right.
    let style = between(&index, "<style>", "</style>");
    assert!(
        !style.contains("left") && !style.contains("right"),
        "{style}"
    );
}

#[test]
fn mistakes_in_strings_are_reported_where_they_are() {
    let site = TestSite::empty();
    site.write("statuspost.toml", format!("language = \"de\"\n{CONFIG}"));
    site.write(
        "i18n/de.toml",
        "banner_operatonal = \"Alles gut\"\nas_of = \"Stand {zeit}\"\ndate = \"%-d. %Q %Y\"\nincident_count = { one = \"{n} Störung\" }\nmonths = [\"Jan\"]\n",
    );
    let run = site
        .run(&["build", "--now", "2026-03-05T14:20:00Z"])
        .expect_code(2);
    let err = run.stderr();
    for expected in [
        "unknown key `banner_operatonal` in the strings",
        "did you mean `banner_operational`?",
        "i18n/de.toml:1:1",
        "`as_of` has no value `{zeit}`",
        "`as_of` may use `{time}`",
        "i18n/de.toml:2:",
        "`date` is not a date format chrono understands",
        "the plural table has no `other`",
        "`months` must list the 12 months",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in {err}");
    }
    assert!(!site.exists("site/index.html"), "nothing is written");
}

#[test]
fn an_unknown_language_is_refused_with_the_built_in_ones() {
    let site = TestSite::empty();
    site.write("statuspost.toml", format!("language = \"pt\"\n{CONFIG}"));
    let run = site.run(&["build"]).expect_code(2);
    let err = run.stderr();
    assert!(
        err.contains("the language `pt` is not built in, and there is no i18n/pt.toml"),
        "{err}"
    );
    assert!(err.contains("statuspost.toml:1:12"), "{err}");
    assert!(
        err.contains("built in: `en`, `de`, `es`, `fr` or `ja`"),
        "{err}"
    );
    site.write(
        "statuspost.toml",
        format!("language = \"Deutsch\"\n{CONFIG}"),
    );
    let err = site.run(&["build"]).expect_code(2).stderr();
    assert!(
        err.contains("`language` must be a language tag such as \"de\""),
        "{err}"
    );
}

#[test]
fn a_regional_tag_uses_its_language_and_keeps_its_own_name() {
    let site = site("de-AT");
    let index = site.read("site/index.html");
    assert_eq!(html_attr(&index, "lang").as_deref(), Some("de-AT"));
    assert!(text(&index).contains("Teilweiser Ausfall"));
}

#[test]
fn a_sites_strings_are_escaped_like_any_value() {
    let site = TestSite::empty();
    site.write("statuspost.toml", format!("language = \"de\"\n{CONFIG}"));
    site.write(
        "i18n/de.toml",
        "state_investigating = \"Analyse <läuft> & mehr\"\nas_of = \"<b>Stand</b> {time}\"\n",
    );
    site.incident("2026-03-05-api", OPEN);
    site.build("2026-03-05T14:20:00Z");
    for page in [
        "site/index.html",
        "site/incidents/2026-03-05-api/index.html",
    ] {
        let html = site.read(page);
        assert!(
            html.contains("Analyse &lt;läuft> &amp; mehr")
                || html.contains("Analyse &lt;läuft&gt; &amp; mehr"),
            "{page}: {html}"
        );
        assert!(
            !html.contains("<läuft>") && !html.contains("<b>Stand"),
            "{page}"
        );
    }
}

/// Issue 14: the pre-written update texts come in the site's language.
#[test]
fn a_german_site_drafts_its_updates_in_german() {
    let site = site("de");
    let run = site
        .run(&[
            "new",
            "Fehler bei Webhooks",
            "--impact",
            "major",
            "--component",
            "api",
            "--component",
            "dashboard",
            "--now",
            "2026-03-05T15:00:00Z",
        ])
        .success();
    let path = run.stdout().trim().to_string();
    let file = site.read(&path);
    assert!(
        file.contains("Wir untersuchen einen teilweisen Ausfall bei Public API und Dashboard.")
            && file.contains("Die nächste Meldung folgt bis spätestens 15:30 GMT."),
        "{file}"
    );
    site.run(&[
        "update",
        "webhooks",
        "resolved",
        "--postmortem",
        "--now",
        "2026-03-05T16:00:00Z",
    ])
    .success();
    let file = site.read(&path);
    assert!(
        file.contains("## Was ist passiert")
            && file.contains(
                "Die Störung ist behoben: Public API und Dashboard funktionieren wieder normal."
            ),
        "{file}"
    );
    let run = site
        .run(&[
            "new",
            "Datenbank-Upgrade",
            "--maintenance",
            "--starts",
            "2026-03-10T22:00:00Z",
            "--ends",
            "2026-03-10T23:00:00Z",
            "--component",
            "db",
            "--now",
            "2026-03-05T15:00:00Z",
        ])
        .success();
    let file = site.read(run.stdout().trim());
    assert!(
        file.contains("Wir führen vom 10. März 2026, 22:00 GMT bis zum 10. März 2026, 23:00 GMT Wartungsarbeiten an Databases durch."),
        "{file}"
    );
    // The German skeleton is hidden until written, like the English one.
    site.build("2026-03-05T16:05:00Z");
    let page = text(&site.read(&format!(
        "site/incidents/{}/index.html",
        path.trim_start_matches("incidents/").trim_end_matches(".md")
    )));
    assert!(
        !page.contains("Was ist passiert") && !page.contains("Nachbetrachtung"),
        "{page}"
    );
    let run = site.run(&["check", "--now", "2026-03-05T16:05:00Z"]);
    assert!(
        !run.stderr().contains("english-update-templates"),
        "{}",
        run.stderr()
    );
}

/// Issue 14: a German site whose own update templates an older
/// `init --templates` copied in English is told so once, with their names.
#[test]
fn a_site_in_another_language_is_warned_of_english_update_templates() {
    let site = site("de");
    let english = |name: &str| {
        std::fs::read_to_string(format!(
            "{}/templates/updates/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    site.write(
        "templates/updates/investigating.md",
        english("investigating.md"),
    );
    site.write("templates/updates/resolved.md", english("resolved.md"));
    // A site's own template in German is the site's voice: no warning for it.
    site.write(
        "templates/updates/identified.md",
        "Wir kennen die Ursache der Störung bei {{ components }}.\n",
    );
    let run = site
        .run(&["check", "--now", "2026-03-05T14:20:00Z"])
        .success();
    let stderr = run.stderr();
    assert_eq!(
        stderr.matches("english-update-templates").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("warning[english-update-templates]: the site's language is `de`, but 2 of its own update templates are English, so `new` and `update` draft updates in English: templates/updates/investigating.md, templates/updates/resolved.md"),
        "{stderr}"
    );
    // The site's own still override the built-in German ones, as before.
    let run = site
        .run(&[
            "new",
            "Fehler",
            "--impact",
            "minor",
            "--component",
            "api",
            "--now",
            "2026-03-05T15:00:00Z",
        ])
        .success();
    assert!(site
        .read(run.stdout().trim())
        .contains("We are investigating"));

    // `init --templates` in this site adds the German texts it lacks and keeps the site's own.
    site.run(&["init", "--templates"]).success();
    assert!(site
        .read("templates/updates/verifying.md")
        .starts_with("Eine Korrektur ist eingespielt."));
    assert_eq!(
        site.read("templates/updates/resolved.md"),
        english("resolved.md")
    );

    // A language of the site's own, with no update texts built in, is told it drafts in English.
    let other = TestSite::new();
    other.write("statuspost.toml", format!("language = \"pt\"\n{CONFIG}"));
    other.write("i18n/pt.toml", "name = \"Português\"\n");
    let run = other.run(&["check", "--now", "2026-03-05T14:20:00Z"]);
    assert!(
        run.stderr().contains(
            "warning[english-update-templates]: there are no built-in update templates in `pt`"
        ),
        "{}",
        run.stderr()
    );
}
