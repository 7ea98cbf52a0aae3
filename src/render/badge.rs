//! `badge.svg`: the current overall status as a small badge for READMEs and intranets,
//! in the site's language.

use crate::i18n::Strings;
use crate::model::ComponentStatus;

/// Widths from character counts: the badge must not load a font to measure text.
const CHAR_WIDTH: usize = 7;

/// Roughly how wide `text` is: a wide (CJK) character takes two columns.
fn width(text: &str) -> usize {
    text.chars()
        .map(|c| {
            if c >= '\u{1100}' {
                2 * CHAR_WIDTH
            } else {
                CHAR_WIDTH
            }
        })
        .sum()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(super) fn svg(status: ComponentStatus, strings: &Strings) -> Vec<u8> {
    let label_text = strings.text("badge_label", &[]);
    let message_text = strings.text(&format!("badge_{}", status.as_str()), &[]);
    let colour = status.colour();
    let left = width(&label_text) + 12;
    let right = width(&message_text) + 12;
    let width = left + right;
    let (label, message) = (escape(&label_text), escape(&message_text));
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{label}: {message}"><title>{label}: {message}</title><rect width="{left}" height="20" fill="#555"/><rect x="{left}" width="{right}" height="20" fill="#{colour}"/><g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle"><text x="{lx}" y="14">{label}</text><text x="{rx}" y="14">{message}</text></g></svg>
"##,
        lx = left / 2,
        rx = left + right / 2,
    )
    .into_bytes()
}
