//! Markdown to HTML that cannot run anything and loses none of the author's words.
//!
//! Raw HTML in an update is shown as text rather than interpreted: nothing an
//! author pastes can become a script, and nothing they typed disappears. HTML
//! comments are the exception: they are invisible in any browser, so authors
//! use them for notes that must not be published, and they are dropped.
//! Links keep only schemes that cannot execute; images from other origins
//! become links, because a status page must load nothing from elsewhere.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

// No tables: GitHub-style tables drop cells beyond the header's count, and a
// status page must never drop an author's words. Pipes show as written.
const OPTIONS: Options = Options::ENABLE_STRIKETHROUGH;

/// Whether `c` is invisible and has no place in a page: a control character
/// other than tab and line breaks (a pasted terminal colour's ESC), or a
/// character XML forbids outright. One of them makes a feed not well-formed,
/// and a reader then rejects the whole feed.
pub(crate) fn is_hidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// `text` without [`is_hidden`] characters. They are invisible, so no word an
/// author can see is lost; one that separates words (a vertical tab, a form
/// feed) becomes a space, so that the words on either side stay two.
pub(crate) fn without_hidden(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(is_hidden) {
        std::borrow::Cow::Owned(
            text.chars()
                .filter_map(|c| match c {
                    c if !is_hidden(c) => Some(c),
                    c if c.is_whitespace() => Some(' '),
                    _ => None,
                })
                .collect(),
        )
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Where `text` holds a hidden character, written raw or as a numeric
/// reference such as `&#1;` (which markdown turns into the character itself).
pub(crate) fn hidden_characters(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut found = Vec::new();
    for (at, c) in text.char_indices() {
        if is_hidden(c) {
            found.push(at..at + c.len_utf8());
        } else if c == '&' && text[at..].starts_with("&#") {
            let rest = &text[at + 2..];
            let Some(end) = rest.find(';').filter(|&e| e <= 9) else {
                continue;
            };
            let number = &rest[..end];
            let value = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => number.parse().ok(),
            };
            // `&#0;` is shown as U+FFFD by every markdown reader, so it hides nothing.
            if value.and_then(char::from_u32).is_some_and(is_hidden) && value != Some(0) {
                found.push(at..at + 2 + end + 1);
            }
        }
    }
    found
}

/// Renders `markdown` with its top heading level at `base_level`: whether the
/// author starts at `#` or `##`, the body's headings continue the page's
/// outline without skipping a level.
pub fn to_html(markdown: &str, base_level: u8) -> String {
    let filled = without_unfilled(markdown);
    // Comments go before parsing: a note may span paragraphs or start a line,
    // and markdown would then treat it as text or swallow what follows it.
    let without_notes = show_unused_definitions(&strip_comments(&filled));
    let markdown = without_notes.as_str();
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    let options = OPTIONS;
    let base_level = base_level.clamp(1, 6);
    let mut events = Vec::new();
    // What became of each open link or image, so its end tag matches.
    let mut open: Vec<Open> = Vec::new();
    let mut in_html_block: Option<String> = None;
    let mut top = u8::MAX;
    for event in Parser::new_ext(markdown, options) {
        if let Some(block) = in_html_block.as_mut() {
            match event {
                Event::Html(text) | Event::Text(text) => block.push_str(&text),
                Event::End(TagEnd::HtmlBlock) => {
                    let visible = in_html_block.take().unwrap_or_default();
                    let visible = visible.trim_end();
                    if !visible.trim().is_empty() {
                        events.push(Event::Start(Tag::Paragraph));
                        events.push(Event::Text(CowStr::from(visible.to_string())));
                        events.push(Event::End(TagEnd::Paragraph));
                    }
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::HtmlBlock) => in_html_block = Some(String::new()),
            Event::Html(text) | Event::InlineHtml(text) => events.push(Event::Text(text)),
            Event::Start(Tag::Heading { level, .. }) => {
                // Levels are fixed up once the whole body is seen; `{#id}` syntax is not enabled.
                top = top.min(level as u8);
                events.push(Event::Start(Tag::Heading {
                    level,
                    id: None,
                    classes: Vec::new(),
                    attrs: Vec::new(),
                }));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                if safe_link(&dest_url) {
                    open.push(Open::Kept);
                    events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                } else {
                    open.push(Open::Dropped);
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => match url_kind(&dest_url) {
                UrlKind::Relative => {
                    open.push(Open::Kept);
                    events.push(Event::Start(Tag::Image {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
                UrlKind::Web => {
                    open.push(Open::ImageAsLink);
                    events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
                UrlKind::Unsafe => open.push(Open::Dropped),
            },
            Event::End(end @ (TagEnd::Link | TagEnd::Image)) => match open.pop() {
                Some(Open::Kept) => events.push(Event::End(end)),
                Some(Open::ImageAsLink) => events.push(Event::End(TagEnd::Link)),
                Some(Open::Dropped) | None => {}
            },
            other => events.push(other),
        }
    }
    if top != u8::MAX {
        let shift = i16::from(base_level) - i16::from(top);
        for event in &mut events {
            match event {
                Event::Start(Tag::Heading { level, .. }) | Event::End(TagEnd::Heading(level)) => {
                    *level = shift_heading(*level, shift);
                }
                _ => {}
            }
        }
    }
    pulldown_cmark::html::push_html(&mut out, events.into_iter());
    // `&#1;` becomes the character itself only here, so this is where it goes.
    match without_hidden(&out) {
        std::borrow::Cow::Borrowed(_) => out,
        std::borrow::Cow::Owned(clean) => clean,
    }
}

enum Open {
    Kept,
    Dropped,
    ImageAsLink,
}

fn shift_heading(level: HeadingLevel, shift: i16) -> HeadingLevel {
    let n = (level as i16 + shift).clamp(1, 6);
    HeadingLevel::try_from(n as usize).unwrap_or(HeadingLevel::H6)
}

/// A line such as `[UPDATE]: Resolved` is a link reference definition to
/// markdown and vanishes from the output. Authors who write one without using
/// it as a link meant it as text: escape its bracket so it shows. Which text a
/// parse consumed is read from the parser itself (the bytes no text event
/// covers), so quotes, lists, multi-line labels and code blocks are handled
/// as markdown handles them.
fn show_unused_definitions(text: &str) -> String {
    use pulldown_cmark::LinkType;
    if !text.contains("]:") {
        return text.to_string();
    }
    let mut covered = vec![false; text.len()];
    let mut used = std::collections::HashSet::new();
    for (event, range) in Parser::new_ext(text, OPTIONS).into_offset_iter() {
        match &event {
            Event::Start(Tag::Link { link_type, id, .. } | Tag::Image { link_type, id, .. })
                if matches!(
                    link_type,
                    LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut
                ) =>
            {
                used.insert(normalize_label(id));
            }
            Event::Text(_) | Event::Code(_) | Event::Html(_) | Event::InlineHtml(_) => {
                covered[range].iter_mut().for_each(|c| *c = true);
            }
            _ => {}
        }
    }
    let mut escapes = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    // The first covered byte at or after `i`, found once per uncovered run: looked
    // up afresh for each `[`, 10,000 definitions in a row took seconds.
    let mut end = 0;
    while i < bytes.len() {
        if bytes[i] == b'[' && !covered[i] {
            // A definition's whole text is uncovered, through its `]:`.
            if end <= i {
                end = (i..bytes.len())
                    .find(|&j| covered[j])
                    .unwrap_or(bytes.len());
            }
            if let Some(close) = text[i..end].find("]:") {
                let label = normalize_label(&text[i + 1..i + close]);
                let first = seen.insert(label.clone());
                if !(first && used.contains(&label)) {
                    escapes.push(i);
                }
                i += close + 2;
                continue;
            }
        }
        i += 1;
    }
    let mut out = String::with_capacity(text.len() + escapes.len());
    let mut last = 0;
    for at in escapes {
        out.push_str(&text[last..at]);
        out.push('\\');
        last = at;
    }
    out.push_str(&text[last..]);
    out
}

fn normalize_label(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The text a reader sees, without markup: for the JSON API and calendars,
/// which carry plain text. Rendered first, so it is exactly what the page shows.
pub fn to_text(markdown: &str) -> String {
    let html = to_html(markdown, 1);
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// Whether the text may contain a heading (`#` lines or setext underlines);
/// a cheap test that may say yes when there is none, never no when there is one.
pub fn has_heading(markdown: &str) -> bool {
    markdown.lines().any(|line| {
        let t = line.trim();
        t.starts_with('#')
            || (!t.is_empty() && (t.chars().all(|c| c == '=') || t.chars().all(|c| c == '-')))
    })
}

/// Marks the notes in pre-written templates that the author is meant to replace.
pub const TEMPLATE_NOTE: &str = "fill in:";

/// The start of the closing sentence of the built-in postmortem skeletons,
/// in each language (and in a site's copy of the English one): text of the
/// template, not of the author, so it does not make its section written.
/// Keep in step with `templates/updates/**/postmortem.md`.
pub(crate) const CLOSINGS: &[&str] = &[
    "We are sorry for the disruption this caused",
    "Wir entschuldigen uns für die Beeinträchtigung",
    "Nous vous prions de nous excuser pour la gêne",
    "Lamentamos las molestias",
    "ご迷惑をおかけしましたことを",
];

/// A section of a pre-written template (a postmortem's `## Root cause`) that
/// holds nothing but its template note: it is not shown until it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfilled {
    /// The heading's text, as a reader would see it.
    pub heading: String,
    /// 0-based line of the heading in the text.
    pub line: usize,
    /// 0-based line where the section's text ends.
    last_line: usize,
    /// The heading and its section, up to the next heading of its level or above.
    range: Range<usize>,
    /// The skeleton's closing sentence at the section's end, if there.
    closing: Option<Range<usize>>,
}

impl Unfilled {
    /// Whether 0-based `line` is in the section.
    pub fn covers_line(&self, line: usize) -> bool {
        (self.line..=self.last_line).contains(&line)
    }
}

/// The sections of `markdown` that are still a template's: a heading whose
/// section holds a template note (`<!-- fill in: ... -->`) and nothing else
/// but whitespace and unfilled sections of its own. A heading the author left
/// empty without such a note is the author's, and not one of these.
pub fn unfilled_sections(markdown: &str) -> Vec<Unfilled> {
    if !markdown.contains(TEMPLATE_NOTE) {
        return Vec::new();
    }
    let (visible, notes) = blank_comments(markdown);
    // (level, range of the heading line, text)
    let mut headings: Vec<(HeadingLevel, Range<usize>, String)> = Vec::new();
    let mut current: Option<(HeadingLevel, Range<usize>, String)> = None;
    for (event, range) in Parser::new_ext(&visible, OPTIONS).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                current = Some((level, range, String::new()))
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text)) = current.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => headings.extend(current.take()),
            _ => {}
        }
    }
    let newlines: Vec<usize> = markdown.match_indices('\n').map(|(at, _)| at).collect();
    // Pushed in the reverse order of the text: a section's unfilled subsections are the last pushed.
    let mut found: Vec<Unfilled> = Vec::new();
    // Innermost first: a section whose subsections are all unfilled is unfilled too.
    for (i, (level, heading, text)) in headings.iter().enumerate().rev() {
        let end = headings[i + 1..]
            .iter()
            .find(|(l, _, _)| l <= level)
            .map_or(markdown.len(), |(_, r, _)| r.start);
        let body = heading.end.min(end)..end;
        let first_note = notes.partition_point(|(at, _)| *at < body.start);
        let has_note = notes[first_note..]
            .iter()
            .take_while(|(at, _)| *at < body.end)
            .any(|(_, note)| note.contains(TEMPLATE_NOTE));
        let inner = found
            .iter()
            .rev()
            .take_while(|u| body.contains(&u.range.start))
            .count();
        // The section's visible text without its unfilled subsections.
        let mut rest = String::with_capacity(body.len());
        let mut at = body.start;
        for u in found[found.len() - inner..].iter().rev() {
            if u.range.start >= at {
                rest.push_str(&visible[at..u.range.start]);
                at = u.range.end;
            }
        }
        rest.push_str(&visible[at.min(body.end)..body.end]);
        // Only a closing at the very end of the section counts, found in its own text.
        let closing = closing_in(&visible[body.clone()])
            .map(|r| body.start + r.start..body.start + r.end)
            .filter(|c| c.start >= at);
        if let Some(c) = &closing {
            rest.truncate(rest.len() - (body.end - c.start));
        }
        if (has_note || inner > 0) && rest.trim().is_empty() {
            found.truncate(found.len() - inner);
            found.push(Unfilled {
                heading: text.trim().to_string(),
                line: newlines.partition_point(|&n| n < heading.start),
                last_line: newlines.partition_point(|&n| n < markdown[..end].trim_end().len()),
                range: heading.start..end,
                closing,
            });
        }
    }
    // Each kept section holds none of another, so this is the outermost, in the order of the text.
    found.reverse();
    found
}

/// Where a skeleton's closing sentence is, when it is the last paragraph of `section`.
fn closing_in(section: &str) -> Option<Range<usize>> {
    let start = CLOSINGS.iter().filter_map(|c| section.rfind(c)).max()?;
    let paragraph = &section[start..];
    let line_start = section[..start].rfind('\n').map_or(0, |i| i + 1);
    (section[line_start..start].trim().is_empty() && !paragraph.trim_end().contains("\n\n"))
        .then_some(start..section.len())
}

/// `markdown` without its [`unfilled_sections`]. When nothing the author
/// wrote is left, nothing is published: not even the skeleton's closing
/// sentence, which under a "Postmortem" heading would read as the whole postmortem.
pub fn without_unfilled(markdown: &str) -> std::borrow::Cow<'_, str> {
    let unfilled = unfilled_sections(markdown);
    if unfilled.is_empty() {
        return std::borrow::Cow::Borrowed(markdown);
    }
    let mut out = String::with_capacity(markdown.len());
    let mut closings = String::new();
    let mut last = 0;
    for u in &unfilled {
        out.push_str(&markdown[last..u.range.start]);
        if let Some(c) = &u.closing {
            closings.push_str("\n\n");
            closings.push_str(&markdown[c.clone()]);
        }
        last = u.range.end;
    }
    out.push_str(&markdown[last..]);
    if strip_comments(&out).trim().is_empty() {
        return std::borrow::Cow::Owned(String::new());
    }
    out.push_str(&closings);
    std::borrow::Cow::Owned(out)
}

/// Replaces each `<!-- ... -->` with spaces (keeping newlines, so offsets and
/// lines still match) and returns the comments' offsets and text.
pub(crate) fn blank_comments(body: &str) -> (String, Vec<(usize, String)>) {
    let mut visible = String::with_capacity(body.len());
    let mut notes = Vec::new();
    let mut rest = body;
    let mut offset = 0;
    while let Some((start, end)) = next_comment(rest) {
        visible.push_str(&rest[..start]);
        let comment = &rest[start..end];
        notes.push((offset + start, comment.to_string()));
        visible.extend(comment.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
        // Multi-byte characters became single spaces: pad so byte offsets still line up.
        let pad = comment.len() - comment.chars().count();
        visible.extend(std::iter::repeat_n(' ', pad));
        offset += end;
        rest = &rest[end..];
    }
    visible.push_str(rest);
    (visible, notes)
}

/// Removes `<!-- ... -->` comments as a browser ends them: `<!-->` and
/// `<!--->` are complete (empty) comments, and an unclosed one runs to the end
/// (so a note meant to be hidden stays hidden; `check` warns about it).
pub fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((start, end)) = next_comment(rest) {
        out.push_str(&rest[..start]);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Byte range of the first comment in `text`; an unclosed one ends with the text.
pub fn next_comment(text: &str) -> Option<(usize, usize)> {
    let start = text.find("<!--")?;
    let body = &text[start + 4..];
    let end = if body.starts_with('>') {
        start + 5
    } else if body.starts_with("->") {
        start + 6
    } else {
        body.find("-->").map_or(text.len(), |e| start + 4 + e + 3)
    };
    Some((start, end))
}

enum UrlKind {
    /// A path on this site, or a fragment.
    Relative,
    /// http(s), mailto or tel: safe to link to.
    Web,
    /// Anything that could execute or embed content: javascript:, data:, vbscript:, ...
    Unsafe,
}

fn url_kind(url: &str) -> UrlKind {
    // Browsers ignore whitespace and control characters inside a scheme, so `java\tscript:` is javascript:.
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    if cleaned.starts_with("//") {
        return UrlKind::Web;
    }
    match cleaned.find([':', '/', '?', '#']) {
        Some(i) if cleaned.as_bytes()[i] == b':' => match &cleaned[..i] {
            "http" | "https" | "mailto" | "tel" => UrlKind::Web,
            _ => UrlKind::Unsafe,
        },
        _ => UrlKind::Relative,
    }
}

fn safe_link(url: &str) -> bool {
    !matches!(url_kind(url), UrlKind::Unsafe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hidden_character_between_words_leaves_them_two_words() {
        assert_eq!(without_hidden("0\u{b}A"), "0 A");
        assert_eq!(without_hidden("a\u{c}b\u{1b}[31mc"), "a b[31mc");
        assert_eq!(without_hidden("plain"), "plain");
    }

    #[test]
    fn raw_html_is_shown_as_text_and_comments_are_dropped() {
        let html = to_html(
            "Hi <script>alert(1)</script> there <!-- internal note -->",
            1,
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(!html.contains("internal note"), "{html}");
        let block = to_html(
            "<div onclick=\"x()\">\nhello\n</div>\n\n<!--\nsecret\n-->\n",
            1,
        );
        assert!(block.contains("&lt;div onclick=\"x()\"&gt;"), "{block}");
        assert!(!block.contains("<div"), "{block}");
        assert!(!block.contains("secret"), "{block}");
    }

    #[test]
    fn unused_link_definitions_and_table_cells_keep_their_words() {
        // Found by the property tests: both used to vanish from the output.
        let html = to_html("[UPDATE]: Resolved\n\nThe database is back.", 1);
        assert!(html.contains("[UPDATE]: Resolved"), "{html}");
        let html = to_html("See [the runbook][rb].\n\n[rb]: https://example.com/rb", 1);
        assert!(
            html.contains("<a href=\"https://example.com/rb\">the runbook</a>"),
            "{html}"
        );
        let html = to_html("a | b\n--|--\nc | d | kept", 1);
        assert!(html.contains("kept"), "{html}");
    }

    #[test]
    fn comments_hide_only_themselves() {
        // Regression: `<!-->` is a complete comment; the text after it was dropped.
        assert_eq!(
            to_html("<!-->visible after empty comment", 1),
            "<p>visible after empty comment</p>\n"
        );
        assert_eq!(to_html("a <!--->b", 1), "<p>a b</p>\n");
        // Regression: a note at the start of a line left the rest of the line unrendered.
        assert_eq!(
            to_html("<!-- note --> **bold** same line", 1),
            "<p><strong>bold</strong> same line</p>\n"
        );
        // Regression: a note spanning a blank line was published as text.
        let html = to_html("Hello <!-- secret\n\nnote --> world", 1);
        assert!(!html.contains("secret") && !html.contains("note"), "{html}");
        assert!(html.contains("Hello") && html.contains("world"), "{html}");
    }

    #[test]
    fn unsafe_links_lose_their_link_but_keep_their_words() {
        let html = to_html(
            "[click me](javascript:alert(1)) and [ok](https://example.com) <java\tscript:x>",
            1,
        );
        assert!(!html.contains("javascript"), "{html}");
        assert!(html.contains("click me"));
        assert!(
            html.contains("<a href=\"https://example.com\">ok</a>"),
            "{html}"
        );
        let html = to_html(
            "[x](JaVaScRiPt:alert(1)) [y](data:text/html,hi) [z](/incidents/a/) [m](mailto:a@b.c)",
            1,
        );
        assert!(!html.to_lowercase().contains("javascript"), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert!(html.contains("href=\"/incidents/a/\""));
        assert!(html.contains("href=\"mailto:a@b.c\""));
    }

    #[test]
    fn remote_images_become_links() {
        let html = to_html("![graph](https://cdn.example.com/g.png) ![local](g.png) ![bad](data:image/png;base64,AA)", 1);
        assert!(
            html.contains("<a href=\"https://cdn.example.com/g.png\">graph</a>"),
            "{html}"
        );
        assert!(html.contains("<img src=\"g.png\" alt=\"local\""), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert!(html.contains("bad"), "{html}");
    }

    const SKELETON: &str = "## What happened\n\n<!-- fill in: a -->\n\n## Root cause\n\n<!-- fill in: b -->\n\n## What we are changing\n\n<!-- fill in: c -->\n\nWe are sorry for the disruption this caused.\n";

    #[test]
    fn an_unfilled_skeleton_is_not_published_and_a_written_section_is() {
        let found = unfilled_sections(SKELETON);
        let names: Vec<(&str, usize)> =
            found.iter().map(|u| (u.heading.as_str(), u.line)).collect();
        assert_eq!(
            names,
            [
                ("What happened", 0),
                ("Root cause", 4),
                ("What we are changing", 8)
            ]
        );
        assert_eq!(to_html(SKELETON, 3), "");
        assert_eq!(to_text(SKELETON), "");
        let written = SKELETON.replace("<!-- fill in: b -->", "A disk filled up.");
        assert_eq!(
            to_html(&written, 3),
            "<h3>Root cause</h3>\n<p>A disk filled up.</p>\n<p>We are sorry for the disruption this caused.</p>\n"
        );
        // Written below the note that is left in place: still written, and the note still hidden.
        let below = SKELETON.replace("<!-- fill in: a -->", "<!-- fill in: a -->\nAt 14:02.");
        assert!(to_html(&below, 3).starts_with("<h3>What happened</h3>\n<p>At 14:02.</p>"));
    }

    #[test]
    fn many_template_sections_take_linear_time() {
        let mut text = String::from("# All\n");
        for i in 0..20_000 {
            text.push_str(&format!("## S{i}\n<!-- fill in: x -->\n"));
        }
        text.push_str("## Last\nwritten\n");
        let started = std::time::Instant::now();
        assert_eq!(unfilled_sections(&text).len(), 20_000);
        assert_eq!(to_text(&text), "All\nLast\nwritten");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn only_template_sections_are_hidden() {
        // A heading the author left empty has no template note: it is the author's.
        assert_eq!(
            to_html("## Timeline\n\n## Notes\nx", 2),
            "<h2>Timeline</h2>\n<h2>Notes</h2>\n<p>x</p>\n"
        );
        // A section whose subsections are all unfilled is unfilled; one with a written one is not.
        let nested = "# A\n## B\n<!-- fill in: b -->\n## C\n<!-- fill in: c -->\n# D\nd";
        assert_eq!(to_html(nested, 1), "<h1>D</h1>\n<p>d</p>\n");
        let nested = nested.replace("<!-- fill in: c -->", "c");
        assert_eq!(
            to_html(&nested, 1),
            "<h1>A</h1>\n<h2>C</h2>\n<p>c</p>\n<h1>D</h1>\n<p>d</p>\n"
        );
        // A note in text with no heading is hidden as every comment is; the text stays.
        assert_eq!(to_html("Text. <!-- fill in: more -->", 1), "<p>Text.</p>\n");
    }

    #[test]
    fn headings_shift_to_the_base_level() {
        assert_eq!(to_html("# A\n### B", 3), "<h3>A</h3>\n<h5>B</h5>\n");
        // Authors who start at `##` get the same outline.
        assert_eq!(to_html("## A\n### B", 3), "<h3>A</h3>\n<h4>B</h4>\n");
        assert_eq!(to_html("###### deep", 4), "<h4>deep</h4>\n");
        assert_eq!(
            to_html("# A\n###### deep", 4),
            "<h4>A</h4>\n<h6>deep</h6>\n"
        );
    }
}
