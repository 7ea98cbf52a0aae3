//! Splitting an incident file into its `+++` blocks.
//!
//! A file is a sequence of blocks: a line of exactly `+++`, TOML settings, a
//! closing `+++`, then markdown up to the next opening `+++`. Fences alternate
//! open, close, open, close; that is the whole grammar.

use std::ops::Range;

/// One block: its settings and the markdown after them, as byte ranges into the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The opening `+++` line.
    pub open: Range<usize>,
    pub settings: Range<usize>,
    pub body: Range<usize>,
}

/// A file whose fences do not pair up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    pub span: Range<usize>,
    pub message: String,
    pub help: Option<String>,
}

/// Returns the byte range of every line that is a fence. Trailing spaces and a
/// CR are tolerated because an author cannot see them.
fn fences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim_end() == "+++" {
            out.push(start..start + content.len());
        }
        start += line.len();
    }
    out
}

pub fn split(text: &str) -> Result<Vec<Block>, SplitError> {
    let fences = fences(text);
    let Some(first) = fences.first() else {
        return Err(if text.trim().is_empty() {
            SplitError {
                span: 0..0,
                message: "the file is empty; expected an incident block opened by a line of `+++`".into(),
                help: Some("start the file with `+++`, then `title = \"...\"`, `impact = \"minor\"`, `components = [...]`, then `+++`".into()),
            }
        } else {
            let start = text.len() - text.trim_start().len();
            SplitError {
                span: start..start + text[start..].chars().next().map_or(0, char::len_utf8),
                message: "expected a line of `+++` opening the incident block".into(),
                help: Some("every incident file starts with a `+++` block of settings".into()),
            }
        });
    };
    let lead = &text[..first.start];
    if !lead.trim().is_empty() {
        let start = lead.len() - lead.trim_start().len();
        return Err(SplitError {
            span: start..start + text[start..].chars().next().map_or(0, char::len_utf8),
            message: "text before the first `+++`; expected the file to start with the incident block".into(),
            help: Some("move this text after the incident block's closing `+++`, where it becomes the incident's summary".into()),
        });
    }
    let mut blocks = Vec::with_capacity(fences.len() / 2);
    for (i, pair) in fences.chunks(2).enumerate() {
        let open = pair[0].clone();
        let Some(close) = pair.get(1) else {
            return Err(SplitError {
                span: open,
                message: "this `+++` block is never closed".into(),
                help: Some("add a line of exactly `+++` after the block's settings".into()),
            });
        };
        let body_end = fences.get(2 * i + 2).map_or(text.len(), |next| next.start);
        blocks.push(Block {
            settings: line_after(text, open.end)..close.start,
            body: line_after(text, close.end)..body_end,
            open,
        });
    }
    Ok(blocks)
}

/// The offset just past the line ending at `end`.
fn line_after(text: &str, end: usize) -> usize {
    match text[end..].find('\n') {
        Some(i) => end + i + 1,
        None => text.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_blocks_and_bodies() {
        let text = "+++\ntitle = \"t\"\n+++\nsummary\n\n+++\nstate = \"resolved\"\n+++\nDone.\n";
        let blocks = split(text).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(&text[blocks[0].settings.clone()], "title = \"t\"\n");
        assert_eq!(&text[blocks[0].body.clone()], "summary\n\n");
        assert_eq!(&text[blocks[1].settings.clone()], "state = \"resolved\"\n");
        assert_eq!(&text[blocks[1].body.clone()], "Done.\n");
    }

    #[test]
    fn crlf_and_trailing_spaces_still_fence() {
        let text = "+++ \r\na = 1\r\n+++\r\nbody\r\n";
        let blocks = split(text).unwrap();
        assert_eq!(&text[blocks[0].settings.clone()], "a = 1\r\n");
        assert_eq!(&text[blocks[0].body.clone()], "body\r\n");
    }

    #[test]
    fn reports_unclosed_and_missing_blocks() {
        let err = split("+++\na = 1\n").unwrap_err();
        assert_eq!(err.span, 0..3);
        assert!(err.message.contains("never closed"));
        assert!(split("").unwrap_err().message.contains("empty"));
        assert!(split("hello\n+++\n+++\n")
            .unwrap_err()
            .message
            .contains("before the first"));
        assert!(split("just text")
            .unwrap_err()
            .message
            .contains("expected a line of `+++`"));
        // A fence needs the whole line: `++++` and `+++ x` are text.
        assert!(split("++++\n").is_err());
    }
}
