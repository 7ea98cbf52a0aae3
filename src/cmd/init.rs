//! `statuspost init`: a new site that builds at once and shows the author every key.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{Duration, DurationRound, TimeDelta};

use crate::cli::InitArgs;
use crate::cmd::Outcome;
use crate::edit;
use crate::lint;
use crate::templates;

const CONFIG: &str = r#"# statuspost site configuration. Every key is checked: a misspelt one is an error.

title = "Example Status"                       # shown in every page title and the feed
base_url = "https://status.example.com"        # where the site is published: host it away from your product,
                                               # on another provider and DNS zone, so it stays up when the product is down
timezone = "UTC"                               # IANA zone, e.g. "Europe/London": times are shown in it, and
                                               # times written without an offset are read in it
description = "Live and historical status of Example"
default_next_update = "30m"                    # what an open update promises when it names no `next_update`
language = "en"                                # the readers' language: en, de, es, fr, ja built in; any string
                                               # can be changed in i18n/<language>.toml (README: Languages)
# primary_domains = ["example.com"]            # domains your product runs on: `check` warns if the page shares one

[contact]                                      # shown at the foot of every page
email = "support@example.com"
url = "https://support.example.com"

# One [[components]] entry per thing customers use. `id` is what incidents name;
# `group` and `description` are optional. So are `url` (where the component lives:
# `check` warns if the status page shares its domain) and `since` (a date: days
# before it are not counted in the component's 90-day uptime).
[[components]]
id = "api"
name = "API"
group = "Platform"
description = "Public REST API"
# url = "https://api.example.com"
# since = 2026-01-15

[[components]]
id = "dashboard"
name = "Dashboard"
group = "Platform"

[[components]]
id = "db"
name = "Databases"
group = "Data"

# `statuspost announce` sends each new update to chat, webhooks and e-mail
# (see README, "Announcing updates"). Addresses and passwords are secrets: name
# the environment variables that hold them, never write them here.
# [[announce]]
# kind = "slack"                               # slack | mattermost | teams | discord | webhook | email
# url_env = "SLACK_WEBHOOK_URL"
# states = ["investigating", "resolved"]       # optional: only updates in these states
"#;

pub(super) fn run(args: InitArgs) -> anyhow::Result<Outcome> {
    let dir = &args.dir;
    let now = match &args.now {
        Some(text) => crate::clock::parse_now(text, chrono_tz::UTC)
            .map_err(|e| anyhow::anyhow!("--now: {e}"))?,
        None => chrono::Utc::now(),
    };
    let started = (now - Duration::days(7))
        .duration_trunc(TimeDelta::hours(1))
        .unwrap_or(now);
    // `check` recognises the example by these, to warn until it is gone.
    let slug = format!("{}-{}", started.format("%Y-%m-%d"), lint::EXAMPLE_SLUG);
    let mut files: Vec<(PathBuf, String)> = vec![
        (PathBuf::from(CONFIG_FILE), CONFIG.to_string()),
        (
            PathBuf::from(format!("incidents/{slug}.md")),
            example_incident(started),
        ),
        (
            PathBuf::from(".gitignore"),
            "# Build output: published by CI, never committed with the content.\n/site/\n"
                .to_string(),
        ),
    ];
    if args.templates {
        if dir.join(CONFIG_FILE).exists() {
            // The site's language picks the update texts; a config that does not load says why.
            let language = crate::cmd::config(dir)
                .map_or_else(|| "en".to_string(), |c| c.strings.lang.clone());
            return add_templates(dir, &language);
        }
        files.extend(template_files("en"));
    }
    let existing: Vec<String> = files
        .iter()
        .filter(|(rel, _)| dir.join(rel).exists())
        .map(|(rel, _)| format!("  {}", dir.join(rel).display()))
        .collect();
    if !existing.is_empty() {
        eprintln!(
            "error: refusing to overwrite files that exist:\n{}",
            existing.join("\n")
        );
        eprintln!(
            "  = help: run `statuspost init` in an empty folder, or `statuspost init NEW-FOLDER`"
        );
        return Ok(Outcome::Invalid);
    }
    for (rel, text) in &files {
        edit::create(&dir.join(rel), text)?;
    }
    std::fs::create_dir_all(dir.join("incidents"))?;
    eprintln!("created a status site in {}:", dir.display());
    for (rel, _) in &files {
        eprintln!("  {}", rel.display());
    }
    let root = if dir == Path::new(".") {
        String::new()
    } else {
        format!(" --root {}", dir.display())
    };
    eprintln!("next: edit statuspost.toml, then `statuspost build{root}` or `statuspost serve{root}` to preview");
    Ok(Outcome::Ok)
}

const CONFIG_FILE: &str = "statuspost.toml";

/// What `--templates` copies, relative to the site root: the update texts
/// in the site's `language`, as the site's own `updates/NAME`.
fn template_files(language: &str) -> Vec<(PathBuf, String)> {
    let dir = Path::new(templates::DIR);
    let mut files: Vec<(PathBuf, String)> = templates::BUILTIN
        .iter()
        .filter(|(name, _)| !name.starts_with("updates/"))
        .map(|(name, text)| (dir.join(name), text.to_string()))
        .collect();
    files.extend(
        templates::update_texts(language)
            .into_iter()
            .map(|(name, text)| (dir.join("updates").join(name), text.to_string())),
    );
    // The strings the site reads, in its language (every key, for a site that
    // rewords them); English for a language that is not built in, to translate.
    let text = crate::i18n::BUILTIN
        .iter()
        .find(|(tag, _)| *tag == language)
        .unwrap_or(&crate::i18n::BUILTIN[0])
        .1;
    files.push((
        Path::new(crate::i18n::DIR).join(format!("{language}.toml")),
        text.to_string(),
    ));
    files
}

/// `init --templates` in a site that exists: the templates it lacks, and
/// nothing else. A file of the site's own is the author's work, so it is kept.
fn add_templates(dir: &Path, language: &str) -> anyhow::Result<Outcome> {
    let (mut missing, mut kept) = (Vec::new(), Vec::new());
    for (rel, text) in template_files(language) {
        // Created only when absent, even should the author save one this instant.
        match edit::try_create(&dir.join(&rel), &text)? {
            edit::Created::Yes => missing.push(rel),
            edit::Created::Taken => kept.push(rel),
        }
    }
    let mut stderr = std::io::stderr().lock();
    if missing.is_empty() {
        let _ = writeln!(
            stderr,
            "the site has every template already: nothing to copy"
        );
    } else {
        let _ = writeln!(
            stderr,
            "copied {} template{} into {}:",
            missing.len(),
            crate::report::plural(missing.len()),
            dir.display()
        );
    }
    for rel in &missing {
        let _ = writeln!(stderr, "  copied {}", rel.display());
    }
    for rel in &kept {
        let _ = writeln!(stderr, "  kept {} (the site's own)", rel.display());
    }
    Ok(Outcome::Ok)
}

fn example_incident(started: chrono::DateTime<chrono::Utc>) -> String {
    let at = |minutes: i64| edit::format_at(started + Duration::minutes(minutes), chrono_tz::UTC);
    format!(
        r#"+++
title = "{title}"
impact = "major"            # minor | major | critical
components = ["api"]        # ids from statuspost.toml
+++
{summary} once you have written your own.

+++
# state: investigating | identified | verifying | resolved; `at`: when this update was
# published; `next_update`: when the next will come (a duration after `at`, or a datetime).
state = "investigating"
at = {}
next_update = "30m"
+++
Since {} UTC, about 5% of requests to the API fail with error 503. We are investigating.

+++
state = "identified"
at = {}
next_update = "30m"
+++
The errors come from one overloaded database replica. We are moving its traffic to the other replicas.

+++
state = "resolved"
at = {}
+++
Since {} UTC, the API has been working normally. We apologise for the disruption.
"#,
        at(5),
        (started).format("%H:%M"),
        at(30),
        at(50),
        (started + Duration::minutes(48)).format("%H:%M"),
        title = lint::EXAMPLE_TITLE,
        summary = lint::EXAMPLE_SUMMARY,
    )
}
