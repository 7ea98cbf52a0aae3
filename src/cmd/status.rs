//! `statuspost status`: what is open, what was promised, and whether the
//! published site already serves the latest update. The comms lead's first
//! question after posting is "can customers see it yet?".
//!
//! The proof is the published `api/v2/status.json`: its `page.updated_at` is
//! the time of the latest update the build saw, so a site that serves a stamp
//! at least as new as the local content's serves the latest update.

use std::io::Write;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::cli::{Format, StatusArgs};
use crate::clock::{self, Now};
use crate::cmd::{self, Outcome};
use crate::model::{MaintenanceState, Site};

/// The path of the stamp on the published site.
const STAMP_PATH: &str = "api/v2/status.json";

/// How often `--wait` asks the site again.
const POLL: Duration = Duration::from_secs(2);

#[derive(Serialize)]
struct Report {
    url: String,
    /// The time of the latest update in the content here.
    latest_update: String,
    /// What the published site says its latest update is; `None` when it could not be read.
    published_update: Option<String>,
    live: bool,
    /// Why the published site could not be read.
    error: Option<String>,
    open: Vec<Open>,
}

#[derive(Serialize)]
struct Open {
    kind: &'static str,
    slug: String,
    state: &'static str,
    last_update: String,
    last_update_seconds_ago: i64,
    next_update_due: Option<String>,
    /// Negative when the promise is overdue.
    next_update_in_seconds: Option<i64>,
}

pub(super) fn run(args: StatusArgs) -> anyhow::Result<Outcome> {
    let loaded = crate::load::load(&args.site.root);
    let Some(site) = loaded.site else {
        cmd::report(&loaded.diagnostics);
        return Ok(Outcome::Invalid);
    };
    cmd::refuse_demo_now(&site.config, "status")?;
    let now = cmd::now(&args.site, site.config.timezone)?;
    // What readers may see now: an update dated later is not published yet.
    let site = crate::render::as_of(&site, now);
    let url = args
        .url
        .clone()
        .unwrap_or_else(|| site.config.base_url.clone());
    let latest = crate::render::api::live_stamp(&site, now);
    let wait = match args.wait.as_deref().map(clock::parse_duration) {
        Some(Ok(d)) => d.to_std().unwrap_or_default(),
        Some(Err(e)) => return Ok(cmd::refuse(&format!("error: --wait: {e}"))),
        None => Duration::ZERO,
    };
    let polled = poll(&url, latest, wait);
    let (published, error) = (polled.published, polled.error);
    let report = Report {
        url: url.clone(),
        latest_update: clock::iso(latest),
        published_update: published.map(clock::iso),
        live: published.is_some_and(|p| p >= latest),
        error,
        open: open_items(&site, now),
    };
    match args.format {
        Format::Json => {
            let mut stdout = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut stdout, &report)?;
            writeln!(stdout)?;
        }
        Format::Text => print_text(&site, &report, latest, published, wait, polled.waited),
    }
    Ok(match (&report.error, report.live) {
        (_, true) => Outcome::Ok,
        (Some(_), false) => Outcome::Failed,
        (None, false) => Outcome::Lapsed,
    })
}

/// What the published site said when polling stopped.
pub(super) struct Polled {
    /// Its `page.updated_at`; `None` when it could not be read.
    pub published: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// How long it took to serve the latest update, or how long was waited.
    pub waited: Duration,
}

impl Polled {
    pub(super) fn live(&self, latest: DateTime<Utc>) -> bool {
        self.published.is_some_and(|p| p >= latest)
    }
}

/// Asks the site at `url` for its stamp until it is at least `latest`, for at most `wait`.
pub(super) fn poll(url: &str, latest: DateTime<Utc>, wait: Duration) -> Polled {
    let stamp_url = format!("{}/{STAMP_PATH}", url.trim_end_matches('/'));
    let start = Instant::now();
    let deadline = start + wait;
    loop {
        let answer = published_stamp(&stamp_url);
        let live = matches!(&answer, Ok(p) if *p >= latest);
        if live || Instant::now() + POLL > deadline {
            let (published, error) = match answer {
                Ok(p) => (Some(p), None),
                Err(e) => (None, Some(e)),
            };
            return Polled {
                published,
                error,
                waited: start.elapsed(),
            };
        }
        std::thread::sleep(POLL);
    }
}

/// `page.updated_at` of the published site.
fn published_stamp(url: &str) -> Result<DateTime<Utc>, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .user_agent(concat!("statuspost/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut response = agent
        .get(url)
        .header("Cache-Control", "no-cache")
        .call()
        .map_err(|e| format!("cannot read {url}: {e}"))?;
    let body = response
        .body_mut()
        .with_config()
        .limit(1024 * 1024)
        .read_to_string()
        .map_err(|e| format!("cannot read {url}: {e}"))?;
    let json: serde_json::Value =
        serde_json::from_str(&body).map_err(|e| format!("{url} is not JSON: {e}"))?;
    let stamp = json
        .pointer("/page/updated_at")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| format!("{url} has no page.updated_at"))?;
    DateTime::parse_from_rfc3339(stamp)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{url}: page.updated_at `{stamp}`: {e}"))
}

/// Open incidents and maintenance in progress, with their promises.
fn open_items(site: &Site, now: Now) -> Vec<Open> {
    let default = site.config.default_next_update;
    let mut out: Vec<Open> = site
        .incidents
        .iter()
        .filter(|i| i.is_open())
        .map(|i| {
            let last = i.latest().at;
            let due = i.next_update_due(default);
            Open {
                kind: "incident",
                slug: i.slug.clone(),
                state: i.state().as_str(),
                last_update: clock::iso(last),
                last_update_seconds_ago: (now - last).num_seconds(),
                next_update_due: due.map(clock::iso),
                next_update_in_seconds: due.map(|d| (d - now).num_seconds()),
            }
        })
        .collect();
    out.extend(
        site.maintenance
            .iter()
            .filter(|m| m.state_at(now) == MaintenanceState::InProgress)
            .map(|m| {
                let last = m.updates.last().map_or(m.starts, |u| u.at);
                Open {
                    kind: "maintenance",
                    slug: m.slug.clone(),
                    state: m.state_at(now).as_str(),
                    last_update: clock::iso(last),
                    last_update_seconds_ago: (now - last).num_seconds(),
                    next_update_due: Some(clock::iso(m.ends)),
                    next_update_in_seconds: Some((m.ends - now).num_seconds()),
                }
            }),
    );
    out
}

fn print_text(
    site: &Site,
    report: &Report,
    latest: DateTime<Utc>,
    published: Option<DateTime<Utc>>,
    wait: Duration,
    took: Duration,
) {
    let tz = site.config.timezone;
    let at = |t: DateTime<Utc>| clock::local(t, tz).format("%H:%M %Z on %-d %b").to_string();
    let mut out = std::io::stdout().lock();
    if report.open.is_empty() {
        let _ = writeln!(out, "nothing open");
    }
    for item in &report.open {
        let ago = clock::duration_words(chrono::Duration::seconds(item.last_update_seconds_ago));
        let promise = match item.next_update_in_seconds {
            Some(s) if s >= 0 => format!(
                "; next update due in {}",
                clock::duration_words(chrono::Duration::seconds(s))
            ),
            Some(s) if item.kind == "maintenance" => format!(
                "; its window ended {} ago",
                clock::duration_words(chrono::Duration::seconds(-s))
            ),
            Some(s) => format!(
                "; the next update is OVERDUE by {}",
                clock::duration_words(chrono::Duration::seconds(-s))
            ),
            None => "; no next update promised".to_string(),
        };
        let _ = writeln!(
            out,
            "{} {}: {}, last update {ago} ago{promise}",
            item.kind, item.slug, item.state
        );
    }
    let waited = if wait.is_zero() {
        String::new()
    } else {
        format!(
            " after waiting up to {}",
            clock::duration_spec(chrono::Duration::from_std(wait).unwrap_or_default())
        )
    };
    let _ = match (&report.error, published) {
        (_, Some(p)) if p >= latest && !wait.is_zero() => writeln!(
            out,
            "live at {} after {} s: it serves the latest update ({})",
            report.url,
            took.as_secs(),
            at(latest)
        ),
        (_, Some(p)) if p >= latest => writeln!(
            out,
            "live: {} serves the latest update ({})",
            report.url,
            at(latest)
        ),
        (_, Some(p)) => writeln!(
            out,
            "not yet live{waited}: {} serves content as of {}; the latest update is {}",
            report.url,
            at(p),
            at(latest)
        ),
        (Some(e), None) => writeln!(out, "unknown{waited}: {e}"),
        (None, None) => writeln!(out, "unknown"),
    };
}
