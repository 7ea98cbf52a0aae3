//! Problems in an author's content, collected rather than returned at the
//! first one, so that one run reports every problem in every file.
//!
//! Rendered the way rustc does: a headline, the file and position, the source
//! line with a caret under the offending text, and a hint when there is one.

use std::fmt;
use std::path::PathBuf;

use unicode_width::UnicodeWidthChar;

use crate::source::Source;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem at one place in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A short name for the kind of finding (`lapsed`, `speculation`), for filtering and JSON.
    pub code: Option<&'static str>,
    pub path: PathBuf,
    /// 1-based; 0 when the problem is about the file as a whole.
    pub line: usize,
    pub col: usize,
    pub message: String,
    /// What would have been accepted, or how to fix it.
    pub help: Option<String>,
    /// The source line, for the caret display.
    pub snippet: Option<String>,
    /// How many characters the caret underlines (it is drawn by their display width).
    pub width: usize,
}

impl Diagnostic {
    /// A problem spanning `span` (byte offsets into `source.text`).
    pub fn at(
        severity: Severity,
        source: &Source,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let (line, col) = source.line_col(span.start);
        let snippet = source.line_text(line).to_string();
        let (end_line, end_col) = source.line_col(span.end);
        let width = if end_line == line && end_col > col {
            end_col - col
        } else {
            1
        };
        Diagnostic {
            severity,
            code: None,
            path: source.path.clone(),
            line,
            col,
            message: message.into(),
            help: None,
            snippet: Some(snippet),
            width,
        }
    }

    pub fn error(
        source: &Source,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic::at(Severity::Error, source, span, message)
    }

    pub fn warning(
        source: &Source,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic::at(Severity::Warning, source, span, message)
    }

    /// A problem with a file as a whole, or at a known line and column without source text.
    pub fn file(
        severity: Severity,
        path: impl Into<PathBuf>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity,
            code: None,
            path: path.into(),
            line,
            col,
            message: message.into(),
            help: None,
            snippet: None,
            width: 1,
        }
    }

    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    /// Shows `snippet` (the text of line `self.line`) with a caret of `width` characters.
    pub fn with_snippet(mut self, snippet: impl Into<String>, width: usize) -> Self {
        self.snippet = Some(snippet.into());
        self.width = width.max(1);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:col`, the form editors and CI annotate from.
    pub fn location(&self) -> String {
        if self.line == 0 {
            self.path.display().to_string()
        } else {
            format!("{}:{}:{}", self.path.display(), self.line, self.col)
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // Paths, messages and lines come from contributors: a control character in
        // them would be obeyed by the terminal, so every one is shown escaped.
        let message = escape_controls(&self.message);
        match self.code {
            Some(code) => writeln!(f, "{label}[{code}]: {message}")?,
            None => writeln!(f, "{label}: {message}")?,
        }
        // The arrow, pipes and help line up on the gutter's width, as in rustc.
        let gutter = self.line.to_string();
        let pad = " ".repeat(if self.snippet.is_some() {
            gutter.len()
        } else {
            1
        });
        writeln!(f, "{pad} --> {}", escape_controls(&self.location()))?;
        if let Some(snippet) = &self.snippet {
            // A tab's width depends on the terminal; shown as one space, it is one column
            // on both lines, as `col` counts it.
            let snippet = snippet.replace('\t', " ");
            let shown = escape_controls(&snippet);
            let (before, under) = caret_columns(&snippet, self.col, self.width);
            writeln!(f, "{pad} |")?;
            writeln!(f, "{gutter} | {shown}")?;
            writeln!(f, "{pad} | {}{}", " ".repeat(before), "^".repeat(under))?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "{pad} = help: {}", escape_controls(help))?;
        }
        Ok(())
    }
}

/// The terminal columns before the 1-based character `col` of `line`, and
/// under the `width` characters from there. `col` and `width` count characters
/// (what an editor's column shows), but CJK and emoji take two columns on a
/// terminal and combining marks none, so the caret is placed by display width.
fn caret_columns(line: &str, col: usize, width: usize) -> (usize, usize) {
    // Past the end of the line (a span at its end) every column is one wide; a
    // control character takes the width of its escape.
    let mut widths = line
        .chars()
        .map(|c| {
            if is_shown_escaped(c) {
                c.escape_unicode().count()
            } else {
                UnicodeWidthChar::width(c).unwrap_or(1)
            }
        })
        .chain(std::iter::repeat(1));
    let before = widths.by_ref().take(col.saturating_sub(1)).sum();
    let under: usize = widths.take(width.max(1)).sum();
    (before, under.max(1))
}

/// Whether a terminal would act on `c` rather than show it; a line break is
/// kept, as messages may span lines.
fn is_shown_escaped(c: char) -> bool {
    c.is_control() && c != '\n'
}

/// `text` with every character a terminal would obey written as `\u{1b}`, so
/// that printing a contributor's file name or line can neither clear nor retitle
/// the terminal.
pub(crate) fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_shown_escaped) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_shown_escaped(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Sorts diagnostics by file and position so output is stable and readable.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.path, a.line, a.col, a.severity).cmp(&(&b.path, b.line, b.col, b.severity))
    });
}

/// The nearest of `candidates` to a misspelt `word`, if it is close enough to be
/// what the author meant.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word_lower, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.chars().count().max(3) / 3).max(1) || *d == 0)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// A "did you mean" hint, or the list of what is allowed.
pub fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    match suggest(word, candidates.iter().copied()) {
        Some(best) => format!("did you mean `{best}`?"),
        None => format!("expected one of {}", list(candidates)),
    }
}

/// `` `a`, `b` or `c` ``
pub fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} or {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn suggests_near_names_only() {
        let states = ["investigating", "identified", "verifying", "resolved"];
        assert_eq!(suggest("investigatng", states), Some("investigating"));
        assert_eq!(suggest("Resolved", states), Some("resolved"));
        assert_eq!(suggest("banana", states), None);
        assert_eq!(suggest("ap", ["api", "db"]), Some("api"));
    }

    #[test]
    fn renders_caret_under_the_span() {
        let src = Source::new(Path::new("a.md"), "+++\nstate = \"x\"\n".into());
        let d = Diagnostic::error(&src, 12..15, "unknown state `x`").with_help("expected `y`");
        let text = d.to_string();
        assert!(text.contains("--> a.md:2:9"), "{text}");
        assert!(
            text.contains("2 | state = \"x\"\n  |         ^^^\n"),
            "{text}"
        );
        assert!(text.contains("= help: expected `y`"));
    }

    #[test]
    fn caret_counts_terminal_columns_not_characters() {
        // Regression: Japanese and emoji take two columns, so a caret placed by
        // character count pointed left of the error on such lines.
        let src = Source::new(Path::new("a.md"), "障害 🔥 x = 1\n".into());
        let at = src.text.find('x').unwrap();
        let text = Diagnostic::error(&src, at..at + 1, "m").to_string();
        assert!(text.contains("--> a.md:1:6"), "{text}");
        assert!(
            text.contains("1 | 障害 🔥 x = 1\n  |         ^\n"),
            "{text}"
        );
        let text = Diagnostic::error(&src, 0.."障害".len(), "m").to_string();
        assert!(text.contains("  | ^^^^\n"), "{text}");
    }

    #[test]
    fn a_tab_is_one_column_on_both_lines() {
        let src = Source::new(Path::new("a.md"), "\tk\t= 障\n".into());
        let at = src.text.find('=').unwrap();
        let text = Diagnostic::error(&src, at..src.text.len() - 1, "m").to_string();
        assert!(text.contains("--> a.md:1:4"), "{text}");
        assert!(text.contains("1 |  k = 障\n  |    ^^^^\n"), "{text}");
    }

    #[test]
    fn control_characters_are_escaped_and_the_caret_still_lines_up() {
        // Regression (issue 15): a line or path with ESC was printed raw.
        let src = Source::new(Path::new("a\x1b[2J.md"), "t = \"\x1b[31m\" x\n".into());
        let at = src.text.find('x').unwrap();
        let text = Diagnostic::error(&src, at..at + 1, "m\x07").to_string();
        assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text}");
        assert!(text.contains("error: m\\u{7}\n"), "{text}");
        assert!(text.contains("--> a\\u{1b}[2J.md:1:13"), "{text}");
        assert!(
            text.contains("1 | t = \"\\u{1b}[31m\" x\n  |                  ^\n"),
            "{text}"
        );
    }
}
