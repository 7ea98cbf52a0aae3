//! `badge.svg`: the current overall status as a small badge for READMEs and intranets.

use crate::model::ComponentStatus;

/// Widths from character counts: the badge must not load a font to measure text.
const CHAR_WIDTH: usize = 7;

pub(super) fn svg(status: ComponentStatus) -> Vec<u8> {
    let label = "status";
    let colour = status.colour();
    let message = match status {
        ComponentStatus::Operational => "operational",
        ComponentStatus::UnderMaintenance => "maintenance",
        ComponentStatus::DegradedPerformance => "degraded performance",
        ComponentStatus::PartialOutage => "partial outage",
        ComponentStatus::MajorOutage => "major outage",
    };
    let left = label.len() * CHAR_WIDTH + 12;
    let right = message.len() * CHAR_WIDTH + 12;
    let width = left + right;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{label}: {message}"><title>{label}: {message}</title><rect width="{left}" height="20" fill="#555"/><rect x="{left}" width="{right}" height="20" fill="#{colour}"/><g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle"><text x="{lx}" y="14">{label}</text><text x="{rx}" y="14">{message}</text></g></svg>
"##,
        lx = left / 2,
        rx = left + right / 2,
    )
    .into_bytes()
}
