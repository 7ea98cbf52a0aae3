//! The last 90 days of each component, computed at build time: for every day,
//! the worst impact that touched it, the minutes of each impact, whether it
//! was under maintenance; and an uptime percentage over the days counted.
//!
//! Weighting (README states it): a major outage (impact `critical`) counts
//! fully as downtime, a partial outage (`major`) at 30 %, degraded performance
//! (`minor`) and maintenance not at all. Days before a component's `since`
//! are not counted.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::model::{Impact, Site, State};

pub(crate) const DAYS: usize = 90;

/// How much of a partial outage counts as downtime.
pub(crate) const PARTIAL_WEIGHT: f64 = 0.3;

/// What a day looked like for one component, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum DayKind {
    NoData,
    Operational,
    Maintenance,
    Degraded,
    Partial,
    Major,
}

#[derive(Debug, Clone)]
pub(crate) struct Day {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// Minutes of degraded performance, partial outage and major outage.
    pub minutes: [i64; 3],
    pub maintenance_minutes: i64,
    /// Incidents that touched the component that day (indexes into `site.incidents`), worst first.
    pub incidents: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct ComponentUptime {
    pub days: Vec<Day>,
    /// Over the counted days, from 0 to 100; `None` when no day is counted.
    pub percent: Option<f64>,
    /// The same over the last 30 days, which is what a phone shows.
    pub percent_30: Option<f64>,
}

fn impact_slot(impact: Impact) -> usize {
    match impact {
        Impact::Minor => 0,
        Impact::Major => 1,
        Impact::Critical => 2,
    }
}

/// A stretch of time at one impact slot: from, to, slot.
type Span = (DateTime<Utc>, DateTime<Utc>, usize);

pub(crate) fn compute(site: &Site, now: DateTime<Utc>) -> Vec<ComponentUptime> {
    let tz = site.config.timezone;
    let today = now.with_timezone(&tz).date_naive();
    let first = today - Duration::days(DAYS as i64 - 1);
    let dates: Vec<NaiveDate> = (0..DAYS as i64)
        .map(|i| first + Duration::days(i))
        .collect();
    let starts: Vec<DateTime<Utc>> = dates
        .iter()
        .map(|&d| crate::clock::day_start(d, tz))
        .collect();
    let window_start = starts[0];
    let n = site.config.components.len();
    let mut out: Vec<ComponentUptime> = (0..n)
        .map(|_| ComponentUptime {
            days: dates
                .iter()
                .map(|&date| Day {
                    date,
                    kind: DayKind::Operational,
                    minutes: [0; 3],
                    maintenance_minutes: 0,
                    incidents: Vec::new(),
                })
                .collect(),
            percent: None,
            percent_30: None,
        })
        .collect();

    // Spreads [from, to) over the days it covers, calling `add(day, minutes)`.
    let spread = |from: DateTime<Utc>, to: DateTime<Utc>, add: &mut dyn FnMut(usize, i64)| {
        let (from, to) = (from.max(window_start), to.min(now));
        if from >= to {
            return;
        }
        let mut day = starts.partition_point(|&s| s <= from).saturating_sub(1);
        let mut cursor = from;
        while cursor < to && day < DAYS {
            let end = starts.get(day + 1).copied().unwrap_or(now).min(to);
            let minutes = (end - cursor)
                .num_seconds()
                .div_euclid(60)
                .max(if end > cursor { 1 } else { 0 });
            add(day, minutes);
            cursor = end;
            day += 1;
        }
    };

    // Each component's stretches of impact, from every incident; overlapping
    // incidents must not count the same minute twice.
    let mut spans: Vec<Vec<Span>> = vec![Vec::new(); n];
    for (index, incident) in site.incidents.iter().enumerate() {
        let end = incident.resolved_at().unwrap_or(now);
        if end < window_start {
            continue;
        }
        let updates = &incident.updates;
        for (i, update) in updates.iter().enumerate() {
            if update.state == State::Resolved {
                continue;
            }
            let until = updates.get(i + 1).map_or(now, |next| next.at);
            let slot = impact_slot(incident.impact_after(i));
            for &c in incident.components_after(i) {
                spans[c].push((update.at, until, slot));
                let days = &mut out[c].days;
                spread(update.at, until, &mut |d, _| {
                    if !days[d].incidents.contains(&index) {
                        days[d].incidents.push(index);
                    }
                });
            }
        }
    }
    for (c, spans) in spans.iter().enumerate() {
        let days = &mut out[c].days;
        for (from, to, slot) in worst_over_time(spans) {
            spread(from, to, &mut |d, minutes| days[d].minutes[slot] += minutes);
        }
    }
    for m in &site.maintenance {
        let Some((from, to)) = m.worked(now) else {
            continue;
        };
        for &c in &m.components {
            let days = &mut out[c].days;
            spread(from, to, &mut |d, minutes| {
                days[d].maintenance_minutes += minutes
            });
        }
    }

    for (c, uptime) in out.iter_mut().enumerate() {
        let since = site.config.components[c].since;
        let mut counted = 0i64;
        let mut down = 0f64;
        let (mut counted_30, mut down_30) = (0i64, 0f64);
        let recent = uptime.days.len().saturating_sub(30);
        for (d, day) in uptime.days.iter_mut().enumerate() {
            if since.is_some_and(|s| day.date < s) {
                day.kind = DayKind::NoData;
                continue;
            }
            day.kind = if day.minutes[2] > 0 {
                DayKind::Major
            } else if day.minutes[1] > 0 {
                DayKind::Partial
            } else if day.minutes[0] > 0 {
                DayKind::Degraded
            } else if day.maintenance_minutes > 0 {
                DayKind::Maintenance
            } else {
                DayKind::Operational
            };
            let day_end = starts.get(d + 1).copied().unwrap_or(now).min(now);
            let minutes = (day_end - starts[d]).num_minutes().max(0);
            let lost = day.minutes[2] as f64 + PARTIAL_WEIGHT * day.minutes[1] as f64;
            counted += minutes;
            down += lost;
            if d >= recent {
                counted_30 += minutes;
                down_30 += lost;
            }
            let worst = |&i: &usize| std::cmp::Reverse(site.incidents[i].peak_impact());
            day.incidents.sort_by_key(worst);
        }
        let percent = |counted: i64, down: f64| {
            (counted > 0).then(|| (100.0 * (1.0 - down / counted as f64)).clamp(0.0, 100.0))
        };
        uptime.percent = percent(counted, down);
        uptime.percent_30 = percent(counted_30, down_30);
    }
    out
}

/// Splits overlapping stretches of impact into disjoint ones, each at the
/// worst impact in force then: two outages at once are one outage.
fn worst_over_time(spans: &[Span]) -> Vec<Span> {
    let mut events: Vec<(DateTime<Utc>, i32, usize)> = Vec::with_capacity(spans.len() * 2);
    for &(from, to, slot) in spans {
        if from < to {
            events.push((from, 1, slot));
            events.push((to, -1, slot));
        }
    }
    events.sort_by_key(|e| e.0);
    let mut active = [0i32; 3];
    let mut out: Vec<Span> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let t = events[i].0;
        while i < events.len() && events[i].0 == t {
            active[events[i].2] += events[i].1;
            i += 1;
        }
        let Some(&(next, _, _)) = events.get(i) else {
            break;
        };
        if let Some(slot) = (0..3).rev().find(|&s| active[s] > 0) {
            match out.last_mut() {
                Some(last) if last.1 == t && last.2 == slot => last.1 = next,
                _ => out.push((t, next, slot)),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, h, 0, 0).unwrap()
    }

    #[test]
    fn overlapping_outages_count_once_at_the_worst_impact() {
        // Two major outages 10-12 and 11-13, a partial one 9-14: 10-13 is one
        // major outage; only 9-10 and 13-14 are partial.
        let spans = [(at(10), at(12), 2), (at(11), at(13), 2), (at(9), at(14), 1)];
        assert_eq!(
            worst_over_time(&spans),
            vec![(at(9), at(10), 1), (at(10), at(13), 2), (at(13), at(14), 1)]
        );
        assert_eq!(worst_over_time(&[(at(9), at(9), 2)]), vec![]);
    }
}
