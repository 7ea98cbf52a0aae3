//! What is sent: each channel's message for one update, rendered from its
//! template (`templates/announce/`, overridable per site like the pages) and
//! wrapped in the JSON the receiver expects. Pure: nothing is sent here.

use serde::Serialize;

use super::plan::Item;
use crate::markdown;
use crate::model::channel::{Channel, Kind};
use crate::model::{Site, Subject};

use crate::templates::Templates;
use crate::view::{self, TimeView};

/// A message ready for its channel.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Message {
    /// POSTed as `application/json`.
    Json(serde_json::Value),
    Email {
        subject: String,
        text: String,
    },
}

/// What the announce templates see.
#[derive(Serialize)]
struct Context {
    site_title: String,
    site_url: String,
    /// `incident` or `maintenance`.
    kind: &'static str,
    title: String,
    /// `investigating`, `in_progress`...
    state: &'static str,
    /// `Investigating`, `In progress`...
    state_label: String,
    /// `minor`, `major`, `critical`, or `maintenance`.
    impact: &'static str,
    /// What it means for the components: `Partial outage`, `Under maintenance`.
    impact_label: String,
    /// `Public API and Dashboard`; empty when the update names none.
    components: String,
    component_list: Vec<String>,
    /// The update as plain text.
    text: String,
    /// The update's markdown as its author wrote it, without `<!-- -->` notes.
    markdown: String,
    at: TimeView,
    next_update: Option<TimeView>,
    /// Maintenance only: `28 Nov 2026, 22:00 GMT to 29 Nov 2026, 01:00 GMT`.
    window: Option<String>,
    /// The incident's or window's page.
    url: String,
    /// The same, at this update.
    update_url: String,
}

/// The default template of each kind; a channel's `template` replaces it.
pub(crate) fn template_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Slack => "announce/slack.txt",
        Kind::Mattermost => "announce/mattermost.md",
        Kind::Teams => "announce/teams.md",
        Kind::Discord => "announce/discord.md",
        Kind::Email => "announce/email.txt",
        // The webhook's body is the Statuspage payload, not a template.
        Kind::Webhook => "",
    }
}

const SUBJECT_TEMPLATE: &str = "announce/email-subject.txt";

/// Slack reads `&`, `<` and `>` as markup: they must be escaped in every value.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Slugs are file names: anything beyond the unreserved characters is percent-encoded,
/// so that no channel's link syntax (`<url|text>`, `[text](url)`) can be broken by one.
fn encode_slug(slug: &str) -> String {
    let mut out = String::with_capacity(slug.len());
    for b in slug.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn context(site: &Site, item: &Item<'_>) -> Context {
    let config = &site.config;
    let tz = config.timezone;
    // Messages are for the page's readers: in the page's language.
    let strings = &config.strings;
    let status = |s| view::status_label(s, strings);
    let names: Vec<String> = item
        .components()
        .iter()
        .map(|&c| config.components[c].name.clone())
        .collect();
    let (kind, slug, title, state_label, impact, impact_label, next, window, anchor) =
        match item.subject {
            Subject::Incident(i) => {
                let u = &i.updates[item.index];
                let impact = i.impact_after(item.index);
                (
                    "incident",
                    &i.slug,
                    &i.title,
                    view::state_label(u.state, strings),
                    impact.as_str(),
                    status(impact.component_status()),
                    u.promise(config.default_next_update),
                    None,
                    &u.anchor,
                )
            }
            Subject::Maintenance(m) => {
                let u = &m.updates[item.index];
                (
                    "maintenance",
                    &m.slug,
                    &m.title,
                    view::maintenance_state_label(u.state, strings),
                    "maintenance",
                    status(crate::model::ComponentStatus::UnderMaintenance),
                    u.next_update,
                    Some(strings.text(
                        "maintenance_window",
                        &[
                            ("starts", &TimeView::new(m.starts, tz, strings).full),
                            ("ends", &TimeView::new(m.ends, tz, strings).full),
                        ],
                    )),
                    &u.anchor,
                )
            }
        };
    let url = format!(
        "{}/{}/{}/",
        config.base_url,
        if kind == "incident" {
            "incidents"
        } else {
            "maintenance"
        },
        encode_slug(slug)
    );
    Context {
        site_title: config.title.clone(),
        site_url: format!("{}/", config.base_url),
        kind,
        title: title.clone(),
        state: item.state_name(),
        state_label,
        impact,
        impact_label,
        components: if names.is_empty() {
            String::new()
        } else {
            view::join_names(&names)
        },
        component_list: names,
        text: markdown::to_text(item.body()),
        markdown: markdown::strip_comments(item.body()).trim().to_string(),
        at: TimeView::new(item.at(), tz, strings),
        next_update: next.map(|t| TimeView::new(t, tz, strings)),
        window,
        update_url: format!("{url}#{anchor}"),
        url,
    }
}

fn escaped_for_slack(mut c: Context) -> Context {
    for field in [
        &mut c.site_title,
        &mut c.title,
        &mut c.components,
        &mut c.text,
        &mut c.markdown,
    ] {
        *field = slack_escape(field);
    }
    for name in &mut c.component_list {
        *name = slack_escape(name);
    }
    c
}

/// A colour per state for Discord's embed: red while investigating, amber, blue, green.
fn colour(item: &Item<'_>) -> u32 {
    match item.state_name() {
        "investigating" => 0xd9_3025,
        "identified" => 0xe3_8b00,
        "verifying" | "in_progress" | "scheduled" => 0x2f_6fd0,
        "cancelled" => 0x6b_7280,
        _ => 0x1f_9d55,
    }
}

/// Renders `channel`'s message for `item`, as of the update's own time.
pub(crate) fn render(
    site: &Site,
    channel: &Channel,
    item: &Item<'_>,
    templates: &Templates,
) -> anyhow::Result<Message> {
    if channel.kind == Kind::Webhook {
        return Ok(Message::Json(crate::render::api::webhook(
            site,
            item.subject,
            item.index,
        )?));
    }
    let context = context(site, item);
    let context = if channel.kind == Kind::Slack {
        escaped_for_slack(context)
    } else {
        context
    };
    let name = channel
        .template
        .as_deref()
        .unwrap_or(template_name(channel.kind));
    let text = templates.render_view(name, &context)?.trim().to_string();
    Ok(match channel.kind {
        Kind::Slack | Kind::Mattermost => Message::Json(serde_json::json!({ "text": text })),
        Kind::Discord => Message::Json(serde_json::json!({
            "embeds": [{
                "title": truncate(&context.title, 256),
                "url": context.update_url,
                "description": truncate(&text, 4096),
                "color": colour(item),
                "timestamp": context.at.iso,
                "footer": { "text": truncate(&context.site_title, 2048) },
            }],
            // Update text is read by customers, never a way to ping a whole server.
            "allowed_mentions": { "parse": [] },
        })),
        Kind::Teams => Message::Json(teams_card(&context, &text)),
        Kind::Email => Message::Email {
            subject: templates
                .render_view(SUBJECT_TEMPLATE, &context)?
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            text,
        },
        Kind::Webhook => unreachable!("handled above"),
    })
}

/// An Adaptive Card in a `message`: the format Teams Workflows ("Post to a channel
/// when a webhook request is received") take, and the retiring Office 365
/// connectors take too, where the older MessageCard works with connectors only.
fn teams_card(context: &Context, text: &str) -> serde_json::Value {
    serde_json::json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": [
                    {
                        "type": "TextBlock",
                        "text": context.title,
                        "size": "Large",
                        "weight": "Bolder",
                        "wrap": true,
                    },
                    { "type": "TextBlock", "text": text, "wrap": true },
                ],
                "actions": [{
                    "type": "Action.OpenUrl",
                    "title": format!("View on {}", context.site_title),
                    "url": context.update_url,
                }],
            },
        }],
    })
}

/// Receivers refuse an over-long field rather than cut it: cut it here, at a character boundary.
fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max_chars - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_text_cannot_smuggle_markup_or_break_links() {
        assert_eq!(slack_escape("<!channel> & co"), "&lt;!channel&gt; &amp; co");
        assert_eq!(encode_slug("a|b>c d"), "a%7Cb%3Ec%20d");
        assert_eq!(truncate("abcdef", 4), "abc…");
    }
}
