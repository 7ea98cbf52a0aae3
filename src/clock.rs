//! Time as authors write it and readers see it: durations like `30m`, TOML
//! datetimes with or without an offset, and the site's zone.
//!
//! Nothing here reads the system clock: "now" is always passed in, which is
//! what makes `--now` builds byte-identical.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The instant a build or check treats as "now".
pub type Now = DateTime<Utc>;

/// Parses a duration such as `30m`, `1h30m`, `90s`, `2h` or `1d`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let expected = "expected a duration such as `30m`, `1h`, `1h30m` or `2d` (units: s, m, h, d)";
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(format!("empty duration; {expected}"));
    }
    let mut total: i64 = 0;
    let mut rest = trimmed;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!("`{text}` is not a duration; {expected}"));
        }
        let n: i64 = rest[..digits]
            .parse()
            .map_err(|_| format!("`{text}` is too large; {expected}"))?;
        rest = rest[digits..].trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "s" | "sec" | "secs" | "second" | "seconds" => 1,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
            "d" | "day" | "days" => 86_400,
            "" => return Err(format!("`{text}` has a number without a unit; {expected}")),
            unit => return Err(format!("unknown unit `{unit}` in `{text}`; {expected}")),
        };
        total = n
            .checked_mul(seconds)
            .and_then(|s| total.checked_add(s))
            .filter(|&s| s <= 366 * 86_400)
            .ok_or_else(|| format!("`{text}` is longer than a year; {expected}"))?;
        rest = rest[unit_len..].trim_start();
    }
    if total == 0 {
        return Err(format!("`{text}` is zero; {expected}"));
    }
    Ok(Duration::seconds(total))
}

/// Writes a duration the way `parse_duration` reads it back: `30m`, `1h30m`, `2d`.
pub fn duration_spec(d: Duration) -> String {
    let mut s = d.num_seconds().max(0);
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if s >= size {
            out.push_str(&format!("{}{unit}", s / size));
            s %= size;
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

/// Writes a duration in words, for messages: "12 minutes", "1 hour 5 minutes", "2 days 3 hours".
pub fn duration_words(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    let unit = |n: i64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if minutes == 0 {
        return unit(d.num_seconds().max(0), "second");
    }
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (days, hours, mins) {
        (0, 0, m) => unit(m, "minute"),
        (0, h, 0) => unit(h, "hour"),
        (0, h, m) => format!("{} {}", unit(h, "hour"), unit(m, "minute")),
        (d, 0, _) => unit(d, "day"),
        (d, h, _) => format!("{} {}", unit(d, "day"), unit(h, "hour")),
    }
}

/// Why a written datetime does not name one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeError {
    pub message: String,
    pub help: Option<String>,
}

impl TimeError {
    fn new(message: String, help: Option<String>) -> Self {
        TimeError { message, help }
    }
}

/// Turns a TOML datetime into an instant. Times without an offset are in the
/// site's zone; a local time that happens twice or never (daylight saving) is
/// refused rather than guessed, since a wrong guess moves the update by an hour.
pub fn resolve(dt: &toml::value::Datetime, tz: Tz) -> Result<DateTime<Utc>, TimeError> {
    let t = resolve_any(dt, tz)?;
    check_range(t).map_err(|m| TimeError::new(m, None))
}

/// Feeds, calendars and JSON all need four-digit years.
pub fn check_range(t: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    use chrono::Datelike;
    if (1..=9999).contains(&t.year()) {
        Ok(t)
    } else {
        Err(format!(
            "this time falls in the year {} in UTC; expected a year from 1 to 9999",
            t.year()
        ))
    }
}

fn resolve_any(dt: &toml::value::Datetime, tz: Tz) -> Result<DateTime<Utc>, TimeError> {
    let example =
        "a date and time such as 2026-11-22T14:05:00Z, or 2026-11-22T14:05:00 in the site's zone";
    let (Some(date), Some(time)) = (dt.date, dt.time) else {
        let found = if dt.date.is_some() {
            "a date without a time"
        } else {
            "a time without a date"
        };
        return Err(TimeError::new(
            format!("expected {example}, found {found}"),
            None,
        ));
    };
    let naive_date = NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())
        .ok_or_else(|| {
            TimeError::new(
                format!(
                    "{:04}-{:02}-{:02} is not a date in the calendar",
                    date.year, date.month, date.day
                ),
                None,
            )
        })?;
    let naive = naive_date
        .and_hms_nano_opt(
            time.hour.into(),
            time.minute.into(),
            time.second.unwrap_or(0).into(),
            time.nanosecond.unwrap_or(0),
        )
        .ok_or_else(|| TimeError::new(format!("{dt} is not a valid time of day"), None))?;
    match dt.offset {
        Some(toml::value::Offset::Z) => Ok(Utc.from_utc_datetime(&naive)),
        Some(toml::value::Offset::Custom { minutes }) => {
            Ok(Utc.from_utc_datetime(&(naive - Duration::minutes(minutes.into()))))
        }
        None => local_to_utc(naive, tz),
    }
}

/// Resolves a wall-clock time in `tz`, refusing times that are ambiguous or skipped.
pub fn local_to_utc(naive: NaiveDateTime, tz: Tz) -> Result<DateTime<Utc>, TimeError> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Err(TimeError::new(
            format!(
                "{} happens twice in {tz} (the clocks go back), so it is ambiguous",
                naive.format("%Y-%m-%dT%H:%M")
            ),
            Some(format!(
                "add the offset: {} for the first ({}), {} for the second ({})",
                a.format("%Y-%m-%dT%H:%M:%S%:z"),
                a.format("%Z"),
                b.format("%Y-%m-%dT%H:%M:%S%:z"),
                b.format("%Z")
            )),
        )),
        LocalResult::None => Err(TimeError::new(
            format!(
                "{} does not exist in {tz}: the clocks go forward over it",
                naive.format("%Y-%m-%dT%H:%M")
            ),
            Some(
                "write the time with an offset, e.g. `Z` for UTC, or a time outside the gap".into(),
            ),
        )),
    }
}

/// Parses a `--now` value: RFC 3339, or a wall-clock time in the site's zone.
pub fn parse_now(text: &str, tz: Tz) -> Result<Now, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return check_range(t.with_timezone(&Utc));
    }
    // `2026-11-22T14:05Z`: RFC 3339 without seconds, as people type it.
    if text.len() > 16 && text.is_char_boundary(16) {
        let with_seconds = format!("{}:00{}", &text[..16], &text[16..]);
        if let Ok(t) = DateTime::parse_from_rfc3339(&with_seconds) {
            return check_range(t.with_timezone(&Utc));
        }
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return local_to_utc(naive, tz)
                .map_err(|e| e.message)
                .and_then(check_range);
        }
    }
    Err(format!(
        "`{text}` is not a date and time; expected e.g. 2026-11-22T14:05:00Z, or 2026-11-22T14:05 in the site's zone"
    ))
}

/// Parses a `--next` value into the instant promised: a duration after `now`
/// (`30m`), a clock time today in the site's zone (`15:00`), or a date and time
/// as [`parse_now`] reads it. A time already past is refused rather than taken
/// to mean tomorrow: a promise a day late is worse than a question.
pub fn parse_next(text: &str, now: Now, tz: Tz) -> Result<Now, String> {
    let text = text.trim();
    let expected = "expected a duration (30m, 1h30m), a time today (15:00) or a date and time (2026-11-22T15:00), in the site's zone";
    let promised = if text.starts_with(|c: char| c.is_ascii_digit()) && !text.contains([':', 'T']) {
        now + parse_duration(text).map_err(|e| {
            format!("{e}; or a time such as 15:00 or 2026-11-22T15:00 in the site's zone")
        })?
    } else if let Some(time) = ["%H:%M", "%H:%M:%S"]
        .iter()
        .find_map(|f| chrono::NaiveTime::parse_from_str(text, f).ok())
    {
        let today = local(now, tz).date_naive();
        local_to_utc(today.and_time(time), tz).map_err(|e| e.message)?
    } else {
        parse_now(text, tz).map_err(|_| format!("`{text}` is not a time; {expected}"))?
    };
    if promised <= now {
        return Err(format!(
            "{text} is not after now ({}); give a later time, or a duration such as 30m",
            local(now, tz).format("%H:%M %Z")
        ));
    }
    Ok(promised)
}

/// Midnight at the start of `date` in `tz`; where midnight does not exist
/// (a daylight-saving jump at 00:00), the first instant of the day.
pub fn day_start(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let mut t = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    for _ in 0..4 {
        if let Some(s) = tz.from_local_datetime(&t).earliest() {
            return s.with_timezone(&Utc);
        }
        t += Duration::minutes(30);
    }
    Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// The same instant, as the site's readers see it on a wall clock.
pub fn local(t: DateTime<Utc>, tz: Tz) -> DateTime<Tz> {
    t.with_timezone(&tz)
}

/// `2026-11-22T14:05:00Z`, as `%Y-%m-%dT%H:%M:%SZ` writes it: pages, feeds
/// and the sitemap write thousands, and strftime parses its pattern each time.
pub fn iso(t: DateTime<Utc>) -> String {
    iso_with(t, false)
}

/// `2026-11-22T14:05:00.000Z`, as `%Y-%m-%dT%H:%M:%S%.3fZ` writes it.
pub fn iso_millis(t: DateTime<Utc>) -> String {
    iso_with(t, true)
}

fn iso_with(t: DateTime<Utc>, millis: bool) -> String {
    use chrono::{Datelike, Timelike};
    // Years strftime signs, and leap seconds, are rare enough to leave to chrono.
    if !(0..=9999).contains(&t.year()) || t.nanosecond() >= 1_000_000_000 {
        let pattern = if millis {
            "%Y-%m-%dT%H:%M:%S%.3fZ"
        } else {
            "%Y-%m-%dT%H:%M:%SZ"
        };
        return t.format(pattern).to_string();
    }
    // Digit by digit: `format!` costs more than the rest of the work together.
    let mut out = String::with_capacity(24);
    let mut digits = |n: u32, width: u32, sep: char| {
        for i in (0..width).rev() {
            out.push(char::from(b'0' + (n / 10u32.pow(i) % 10) as u8));
        }
        out.push(sep);
    };
    digits(t.year() as u32, 4, '-');
    digits(t.month(), 2, '-');
    digits(t.day(), 2, 'T');
    digits(t.hour(), 2, ':');
    digits(t.minute(), 2, ':');
    if millis {
        digits(t.second(), 2, '.');
        digits(t.nanosecond() / 1_000_000, 3, 'Z');
    } else {
        digits(t.second(), 2, 'Z');
    }
    out
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        #[test]
        fn iso_times_are_what_strftime_writes(
            secs in -70_000_000_000i64..300_000_000_000i64,
            nanos in 0u32..1_000_000_000,
        ) {
            let t = DateTime::<Utc>::from_timestamp(secs, nanos).unwrap();
            proptest::prop_assert_eq!(super::iso(t), t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
            proptest::prop_assert_eq!(super::iso_millis(t), t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string());
        }
    }

    use super::*;

    fn dt(s: &str) -> toml::value::Datetime {
        s.parse().unwrap()
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m").unwrap(), Duration::minutes(30));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::minutes(90));
        assert_eq!(parse_duration("1h 30m").unwrap(), Duration::minutes(90));
        assert_eq!(parse_duration("2 hours").unwrap(), Duration::hours(2));
        assert_eq!(parse_duration("90s").unwrap(), Duration::seconds(90));
        assert!(parse_duration("30").unwrap_err().contains("without a unit"));
        assert!(parse_duration("30x")
            .unwrap_err()
            .contains("unknown unit `x`"));
        assert!(parse_duration("0m").is_err());
        assert!(parse_duration("99999999999999999d").is_err());
        assert_eq!(duration_spec(Duration::minutes(90)), "1h30m");
        assert_eq!(
            parse_duration(&duration_spec(Duration::seconds(93_784))).unwrap(),
            Duration::seconds(93_784)
        );
        assert_eq!(duration_words(Duration::minutes(12)), "12 minutes");
        assert_eq!(duration_words(Duration::minutes(65)), "1 hour 5 minutes");
        assert_eq!(duration_words(Duration::minutes(60)), "1 hour");
        assert_eq!(duration_words(Duration::seconds(30)), "30 seconds");
    }

    #[test]
    fn local_times_follow_the_zone_across_daylight_saving() {
        let tz: Tz = "Europe/London".parse().unwrap();
        // Summer: BST is UTC+1.
        assert_eq!(
            resolve(&dt("2026-07-03T09:15:00"), tz)
                .unwrap()
                .to_rfc3339(),
            "2026-07-03T08:15:00+00:00"
        );
        // Winter: GMT.
        assert_eq!(
            resolve(&dt("2026-11-22T14:05:00"), tz)
                .unwrap()
                .to_rfc3339(),
            "2026-11-22T14:05:00+00:00"
        );
        // Offsets win over the zone.
        assert_eq!(
            resolve(&dt("2026-07-03T09:15:00-05:00"), tz)
                .unwrap()
                .to_rfc3339(),
            "2026-07-03T14:15:00+00:00"
        );
        let ambiguous = resolve(&dt("2026-10-25T01:30:00"), tz).unwrap_err();
        assert!(ambiguous.message.contains("happens twice"), "{ambiguous:?}");
        assert!(ambiguous
            .help
            .unwrap()
            .contains("2026-10-25T01:30:00+01:00"));
        let skipped = resolve(&dt("2026-03-29T01:30:00"), tz).unwrap_err();
        assert!(skipped.message.contains("does not exist"), "{skipped:?}");
        assert!(resolve(&dt("2026-11-22"), tz)
            .unwrap_err()
            .message
            .contains("date without a time"));
        // Regression: a time in year 9999 with a negative offset is year 10000 in UTC, which feeds cannot carry.
        assert!(resolve(&dt("9999-12-31T23:00:00-05:00"), tz)
            .unwrap_err()
            .message
            .contains("year 10000 in UTC"));
        assert!(resolve(&dt("0000-01-01T00:30:00+01:00"), tz).is_err());
    }

    #[test]
    fn now_accepts_rfc3339_and_local() {
        let tz: Tz = "Europe/London".parse().unwrap();
        assert_eq!(
            parse_now("2026-07-01T12:00:00Z", tz).unwrap().to_rfc3339(),
            "2026-07-01T12:00:00+00:00"
        );
        assert_eq!(
            parse_now("2026-07-01T12:00", tz).unwrap().to_rfc3339(),
            "2026-07-01T11:00:00+00:00"
        );
        assert_eq!(
            parse_now("2026-07-01T12:00Z", tz).unwrap().to_rfc3339(),
            "2026-07-01T12:00:00+00:00"
        );
        assert_eq!(
            parse_now("2026-07-01T12:00+02:00", tz)
                .unwrap()
                .to_rfc3339(),
            "2026-07-01T10:00:00+00:00"
        );
        assert!(parse_now("yesterday", tz).is_err());
    }
}
