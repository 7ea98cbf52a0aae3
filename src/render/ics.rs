//! `maintenance.ics`: an iCalendar (RFC 5545) feed of upcoming and recent
//! maintenance windows, so customers can subscribe from their calendar.
//! UIDs are stable across builds; times are UTC; lines are folded at 75 octets.

use chrono::{DateTime, Duration, Utc};

use crate::independence::host;
use crate::markdown;
use crate::model::{MaintenanceState, Site};

/// Windows that ended longer ago than this drop out of the calendar.
const RECENT_DAYS: i64 = 30;

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT values escape backslash, semicolon, comma and newline (RFC 5545 3.3.11).
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            // RFC 5545 allows no control character in TEXT but tab.
            c if crate::markdown::is_hidden(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line, folded so no line exceeds 75 octets, never splitting a character.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

pub(super) fn calendar(site: &Site, now: DateTime<Utc>) -> Vec<u8> {
    let config = &site.config;
    let strings = &config.strings;
    let domain = host(&config.base_url).unwrap_or_else(|| "statuspost".into());
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//statuspost//maintenance//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(
        &mut out,
        &format!(
            "X-WR-CALNAME:{}",
            text(&strings.text("calendar_name", &[("site", &config.title)]))
        ),
    );
    line(&mut out, "REFRESH-INTERVAL;VALUE=DURATION:PT1H");
    let since = now - Duration::days(RECENT_DAYS);
    // Soonest first, as calendar files usually are.
    for m in site.maintenance.iter().rev().filter(|m| m.ends >= since) {
        let state = m.state_at(now);
        let names: Vec<String> = m
            .components
            .iter()
            .map(|&c| config.components[c].name.clone())
            .collect();
        let mut description =
            strings.text("calendar_affects", &[("components", &strings.list(&names))]);
        if let Some(latest) = m.updates.last() {
            description.push_str(&format!(
                "\n\n{}: {}",
                crate::view::maintenance_state_label(latest.state, strings),
                markdown::to_text(&latest.body)
            ));
        } else {
            // A summary that is all unfilled template sections renders to nothing.
            let summary = markdown::to_text(&m.summary);
            if !summary.trim().is_empty() {
                description.push_str(&format!("\n\n{}", summary.trim()));
            }
        }
        let url = format!("{}/maintenance/{}/", config.base_url, m.slug);
        description.push_str(&format!("\n\n{url}"));
        // DTSTAMP and SEQUENCE come from the content, so an unchanged window is an unchanged event.
        let changed = m.updates.last().map_or(m.starts, |u| u.at);
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}@{}", m.slug, domain));
        line(&mut out, &format!("DTSTAMP:{}", stamp(changed)));
        line(&mut out, &format!("SEQUENCE:{}", m.updates.len()));
        line(&mut out, &format!("DTSTART:{}", stamp(m.starts)));
        line(&mut out, &format!("DTEND:{}", stamp(m.ends)));
        line(
            &mut out,
            &format!(
                "SUMMARY:{}",
                text(&strings.text("calendar_event", &[("title", &m.title)]))
            ),
        );
        line(&mut out, &format!("DESCRIPTION:{}", text(&description)));
        line(&mut out, &format!("URL:{url}"));
        let status = if state == MaintenanceState::Cancelled {
            "CANCELLED"
        } else {
            "CONFIRMED"
        };
        line(&mut out, &format!("STATUS:{status}"));
        line(&mut out, "TRANSP:TRANSPARENT");
        line(&mut out, "END:VEVENT");
    }
    if !site.maintenance.iter().any(|m| m.ends >= since) {
        // RFC 5545 requires a component in every calendar, and strict readers
        // refuse an empty one: UTC's time zone is one that changes nothing.
        for l in [
            "BEGIN:VTIMEZONE",
            "TZID:UTC",
            "BEGIN:STANDARD",
            "DTSTART:19700101T000000",
            "TZOFFSETFROM:+0000",
            "TZOFFSETTO:+0000",
            "TZNAME:UTC",
            "END:STANDARD",
            "END:VTIMEZONE",
        ] {
            line(&mut out, l);
        }
    }
    line(&mut out, "END:VCALENDAR");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_long_lines_without_splitting_characters() {
        let mut out = String::new();
        line(&mut out, &format!("DESCRIPTION:{}", "é".repeat(60)));
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        assert_eq!(
            out.replace("\r\n ", "").trim_end(),
            format!("DESCRIPTION:{}", "é".repeat(60))
        );
        assert_eq!(text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}
