//! Source text as authors wrote it: decoding bytes (UTF-8 BOM, CRLF) and turning
//! byte offsets into the line and column an editor shows.
//!
//! Every diagnostic points into a [`Source`], so this is the only place that
//! knows how lines are counted.

use std::path::{Path, PathBuf};

/// A file's text with the index needed to report positions in it.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as shown to the author: relative to the site root where possible.
    pub path: PathBuf,
    /// The text with any UTF-8 byte order mark removed. Line endings are kept.
    pub text: String,
    /// Byte offset of the start of every line.
    line_starts: Vec<usize>,
}

/// Why a file's bytes are not text we can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl Source {
    /// Decodes a file's bytes. Authors on Windows save with a BOM and CRLF; both are fine.
    pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<Source, DecodeError> {
        let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => rest.to_vec(),
            None => bytes,
        };
        match String::from_utf8(bytes) {
            Ok(text) => {
                if let Some(pos) = text.find('\0') {
                    let source = Source::new(path, text.clone());
                    let (line, col) = source.line_col(pos);
                    return Err(DecodeError {
                        line,
                        col,
                        message: "this looks like a binary file (it contains a NUL byte); expected UTF-8 text".into(),
                    });
                }
                Ok(Source::new(path, text))
            }
            Err(err) => {
                let valid = err.utf8_error().valid_up_to();
                let bytes = err.into_bytes();
                // The prefix is valid UTF-8 by construction, so positions are exact.
                let prefix = String::from_utf8_lossy(&bytes[..valid]).into_owned();
                let source = Source::new(path, prefix);
                let (line, col) = source.line_col(valid);
                Err(DecodeError {
                    line,
                    col,
                    message: format!(
                        "invalid UTF-8 (byte 0x{:02X} at offset {valid}); expected UTF-8 text: re-save the file as UTF-8",
                        bytes[valid]
                    ),
                })
            }
        }
    }

    pub fn new(path: &Path, text: String) -> Source {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Source {
            path: path.to_path_buf(),
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let col = self.text[start..floor_char_boundary(&self.text, offset)]
            .chars()
            .count();
        (line + 1, col + 1)
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> Source {
        Source::new(Path::new("x.md"), text.to_string())
    }

    #[test]
    fn offsets_map_to_lines_and_columns() {
        let s = src("ab\ncd\r\néf\n");
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(1), (1, 2));
        assert_eq!(s.line_col(3), (2, 1));
        // Columns count characters, not bytes: `é` is two bytes.
        assert_eq!(s.line_col(9), (3, 2));
        assert_eq!(s.line_text(2), "cd");
        assert_eq!(s.line_text(3), "éf");
        assert_eq!(s.line_text(9), "");
    }

    #[test]
    fn bom_is_removed_and_bad_utf8_is_located() {
        let s = Source::decode(Path::new("x"), b"\xEF\xBB\xBFhi".to_vec()).unwrap();
        assert_eq!(s.text, "hi");
        let err = Source::decode(Path::new("x"), b"ok\nab\xFFc".to_vec()).unwrap_err();
        assert_eq!((err.line, err.col), (2, 3));
        assert!(err.message.contains("0xFF"));
        let err = Source::decode(Path::new("x"), b"a\0b".to_vec()).unwrap_err();
        assert!(err.message.contains("binary"));
    }
}
