//! The optional `[subscribe]` table of `statuspost.toml`: where else readers can
//! follow the site, shown on its Subscribe page beside the feeds and the calendar.
//!
//! ```toml
//! [subscribe]
//! mailing_list = "https://groups.example.com/g/acme-status"
//! chat = "https://chat.example.com/acme/status"
//! ```

use crate::diagnostic::Diagnostic;
use crate::fields::Fields;
use crate::model::Subscribe;

const KEYS: &[&str] = &["mailing_list", "chat"];

/// The `[subscribe]` table; an empty [`Subscribe`] when there is none or it has errors (in `diags`).
pub(super) fn parse(f: &Fields<'_>, diags: &mut Vec<Diagnostic>) -> Subscribe {
    let Some(table) = f.table("subscribe", "[subscribe] table", diags) else {
        return Subscribe::default();
    };
    table.deny_unknown(KEYS, diags);
    let mut link = |key: &str| {
        let (text, span) = table.string(key, diags)?;
        match check(&text, key == "mailing_list") {
            Ok(url) => Some(url),
            Err(found) => {
                diags.push(
                    Diagnostic::error(
                        table.source(),
                        span,
                        format!("`{key}` in [subscribe] must be a web address, {found}"),
                    )
                    .with_help(if key == "mailing_list" {
                        "write where readers sign up, e.g. \"https://groups.example.com/g/status\" or \"mailto:status-subscribe@example.com\""
                    } else {
                        "write where readers join, e.g. \"https://chat.example.com/status\""
                    }),
                );
                None
            }
        }
    };
    Subscribe {
        mailing_list: link("mailing_list"),
        chat: link("chat"),
    }
}

/// An absolute http(s) address (or, for a mailing list, a mailto: one), as written.
fn check(text: &str, mailto: bool) -> Result<String, String> {
    let text = text.trim();
    if let Some(c) = text.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("with no space or control character; found {c:?}"));
    }
    let url = url::Url::parse(text).map_err(|e| format!("found \"{text}\" ({e})"))?;
    match url.scheme() {
        "https" | "http" if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(text.to_string()),
        "mailto" if mailto && url.path().contains('@') => Ok(text.to_string()),
        _ => Err(format!(
            "starting with https://{}; found \"{text}\"",
            if mailto { " or mailto:" } else { "" }
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn addresses_readers_can_follow() {
        assert!(check("https://groups.example.com/g/status", true).is_ok());
        assert!(check("mailto:status@example.com", true).is_ok());
        assert!(check("mailto:status@example.com", false).is_err());
        assert!(check("javascript:alert(1)", true).is_err());
        assert!(check("groups.example.com", true).is_err());
        assert!(check("https://exa mple.com", false).is_err());
        assert!(check("https://", false).is_err());
    }
}
