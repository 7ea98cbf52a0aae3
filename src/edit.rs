//! Writing authors' files for them (`new`, `update`), without touching a byte
//! they wrote: new text is only ever appended or inserted, and every file is
//! replaced atomically, so a crash never leaves half an incident.

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::model::Impact;
use crate::output::write_atomic;

/// The settings of a new update block.
pub(crate) struct NewUpdate<'a> {
    /// `investigating`, `in_progress`...: an incident's or a maintenance window's state.
    pub state: &'a str,
    pub at: DateTime<Utc>,
    pub next_update: Option<&'a str>,
    pub impact: Option<Impact>,
    pub components: Option<&'a [String]>,
    pub body: &'a str,
}

/// A TOML basic string, quoted and escaped.
fn quote(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A datetime as authors read it: wall-clock time in the site's zone, with its offset.
pub(crate) fn format_at(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| quote(i)).collect();
    format!("[{}]", quoted.join(", "))
}

/// One update block and its text, ending with a newline.
pub(crate) fn update_block(update: &NewUpdate<'_>, tz: Tz) -> String {
    let mut out = String::from("+++\n");
    out.push_str(&format!("state = {}\n", quote(update.state)));
    out.push_str(&format!("at = {}\n", format_at(update.at, tz)));
    if let Some(next) = update.next_update {
        out.push_str(&format!("next_update = {}\n", quote(next)));
    }
    if let Some(impact) = update.impact {
        out.push_str(&format!("impact = {}\n", quote(impact.as_str())));
    }
    if let Some(components) = update.components {
        out.push_str(&format!("components = {}\n", list(components)));
    }
    out.push_str("+++\n");
    out.push_str(update.body.trim_end());
    out.push('\n');
    out
}

/// The whole text of a new incident file.
pub(crate) fn new_incident(
    title: &str,
    impact: Impact,
    components: &[String],
    first: &NewUpdate<'_>,
    tz: Tz,
) -> String {
    format!(
        "+++\ntitle = {}\nimpact = {}\ncomponents = {}\n+++\n\n{}",
        quote(title),
        quote(impact.as_str()),
        list(components),
        update_block(first, tz)
    )
}

/// The whole text of a new maintenance file.
pub(crate) fn new_maintenance(
    title: &str,
    components: &[String],
    window: (DateTime<Utc>, DateTime<Utc>),
    first: &NewUpdate<'_>,
    tz: Tz,
) -> String {
    format!(
        "+++\ntitle = {}\ncomponents = {}\nstarts = {}\nends = {}\n+++\n\n{}",
        quote(title),
        list(components),
        format_at(window.0, tz),
        format_at(window.1, tz),
        update_block(first, tz)
    )
}

/// Makes a slug from a title: lowercase ASCII letters and digits joined by `-`, at most 60 characters.
pub(crate) fn slugify(title: &str) -> String {
    // Transliterated first, so `Störung` is `storung` rather than `st-rung`, and a
    // title in Japanese gets a name an author can still read and type.
    let ascii = deunicode::deunicode_with_tofu(title, " ");
    let mut slug = String::new();
    for word in ascii
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if slug.len() + word.len() + 1 > 60 && !slug.is_empty() {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(word);
    }
    if slug.is_empty() {
        slug.push_str("incident");
    }
    slug.truncate(60);
    slug
}

/// Creates `path` with `text`, refusing to replace a file that exists.
pub(crate) fn create(path: &Path, text: &str) -> anyhow::Result<()> {
    match try_create(path, text)? {
        Created::Yes => Ok(()),
        Created::Taken => anyhow::bail!(
            "`{}` already exists; statuspost never overwrites a file",
            path.display()
        ),
    }
}

/// Whether [`try_create`] made the file.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Created {
    Yes,
    /// Another file took the name first; nothing was written.
    Taken,
}

/// Creates `path` with `text`, never replacing a file that exists, even one
/// made by another process a moment ago: the text goes to a temporary file
/// that is then hard-linked to its name, which fails rather than replaces.
pub(crate) fn try_create(path: &Path, text: &str) -> anyhow::Result<Created> {
    let tmp = crate::output::write_tmp_durable(path, text.as_bytes())?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(Created::Yes),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(Created::Taken),
        // A file system without hard links: `create_new` still never replaces,
        // at the cost of a file cut short should the process die mid-write.
        Err(_) => match std::fs::File::create_new(path) {
            Ok(mut file) => {
                use std::io::Write;
                file.write_all(text.as_bytes())
                    .and_then(|()| file.sync_data())
                    .with_context(|| format!("failed to write `{}`", path.display()))?;
                Ok(Created::Yes)
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(Created::Taken),
            Err(err) => Err(err).with_context(|| format!("failed to write `{}`", path.display())),
        },
    }
}

/// An author's file held for one read-modify-write: other statuspost
/// processes wait at [`lock`] until it is dropped, so no update is lost.
pub(crate) struct Locked {
    _file: std::fs::File,
    /// Where the file really lives (a symlinked incident is locked and replaced there).
    target: std::path::PathBuf,
}

/// Takes the file at `path` for one update. A lock on the file itself, not a
/// lock file beside it, so nothing is left behind; as each update renames a
/// new file into place, a process that waited for the lock checks that it
/// holds the file now at `path` and otherwise waits again on that one.
pub(crate) fn lock(path: &Path) -> anyhow::Result<Locked> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    // A bounded number of tries: each one is another process's whole update.
    for _ in 0..1000 {
        let file = std::fs::File::open(&target)
            .with_context(|| format!("failed to read `{}`", path.display()))?;
        file.lock()
            .with_context(|| format!("failed to lock `{}`", path.display()))?;
        let held = file.metadata()?;
        let now = std::fs::metadata(&target)
            .with_context(|| format!("failed to read `{}`", path.display()))?;
        if same_file(&held, &now) {
            if now.permissions().readonly() {
                // Renaming over it would succeed and make the protection mean nothing.
                anyhow::bail!(
                    "`{}` is read-only; statuspost does not change a protected file (make it writable to update it)",
                    path.display()
                );
            }
            remove_leftovers(&target);
            return Ok(Locked {
                _file: file,
                target,
            });
        }
    }
    anyhow::bail!("`{}` kept changing; try again", path.display())
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

/// Removes the temporary files (`.NAME.tmp-PID`) a killed update of this file
/// left beside it: with the lock held, no live update of it has one.
fn remove_leftovers(target: &Path) {
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
        return;
    };
    let prefix = format!(".{}.tmp-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let entry_name = entry.file_name();
        let entry_name = entry_name.to_string_lossy();
        if entry_name
            .strip_prefix(&prefix)
            .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The bytes of an existing file with `addition` appended, in the file's own line endings.
pub(crate) fn appended(original: &[u8], addition: &str) -> Vec<u8> {
    let crlf = original.windows(2).any(|w| w == b"\r\n");
    appended_as_is(original, &line_endings(addition, crlf))
}

/// As [`appended`], for an addition already in the file's line endings.
pub(crate) fn appended_as_is(original: &[u8], addition: &[u8]) -> Vec<u8> {
    let nl: &[u8] = if original.windows(2).any(|w| w == b"\r\n") {
        b"\r\n"
    } else {
        b"\n"
    };
    let mut out = original.to_vec();
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.extend_from_slice(nl);
    }
    // A blank line between blocks, as authors write them.
    if !out.is_empty() && !out.ends_with(b"\n\n") && !out.ends_with(b"\r\n\r\n") {
        out.extend_from_slice(nl);
    }
    out.extend_from_slice(addition);
    out
}

/// The bytes of a file with `addition` inserted at byte `at` of the original.
pub(crate) fn inserted(original: &[u8], at: usize, addition: &str) -> Vec<u8> {
    let crlf = original.windows(2).any(|w| w == b"\r\n");
    let mut out = Vec::with_capacity(original.len() + addition.len() + 2);
    out.extend_from_slice(&original[..at]);
    out.extend_from_slice(&line_endings(addition, crlf));
    out.extend_from_slice(&original[at..]);
    out
}

fn line_endings(text: &str, crlf: bool) -> Vec<u8> {
    // Whatever the text came with (a template saved on Windows), the file's own.
    let lf = text.replace("\r\n", "\n");
    if crlf {
        lf.replace('\n', "\r\n").into_bytes()
    } else {
        lf.into_bytes()
    }
}

/// Replaces an author's file, held with [`lock`], with new bytes atomically.
pub(crate) fn replace(locked: &Locked, path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let target = &locked.target;
    let permissions = std::fs::metadata(target).map(|m| m.permissions()).ok();
    write_atomic(target, bytes)
        .with_context(|| format!("failed to update `{}`", path.display()))?;
    if let Some(permissions) = permissions {
        let _ = std::fs::set_permissions(target, permissions);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            slugify("Elevated error rates on the Public API"),
            "elevated-error-rates-on-the-public-api"
        );
        assert_eq!(slugify("  API: 5xx (EU) — résumé  "), "api-5xx-eu-resume");
        assert_eq!(slugify("Störung"), "storung");
        assert_eq!(slugify("?!"), "incident");
        assert!(slugify(&"word ".repeat(40)).len() <= 60);
    }

    #[test]
    fn appending_keeps_every_original_byte_and_line_ending() {
        let original = b"\xEF\xBB\xBF+++\r\ntitle = \"x\"\r\n+++\r\nno newline at end";
        let out = appended(original, "+++\nstate = \"resolved\"\n+++\nDone.\n");
        assert!(out.starts_with(original));
        assert!(out.ends_with(b"\r\n\r\n+++\r\nstate = \"resolved\"\r\n+++\r\nDone.\r\n"));
        let out = appended(b"a\n", "b\n");
        assert_eq!(out, b"a\n\nb\n");
        // An addition with Windows line endings takes the file's, whichever they are.
        assert_eq!(appended(b"a\r\n", "b\r\nc\r\n"), b"a\r\n\r\nb\r\nc\r\n");
        assert_eq!(appended(b"a\n", "b\r\nc\r\n"), b"a\n\nb\nc\n");
    }

    #[test]
    fn titles_are_escaped_as_toml() {
        let text = new_incident(
            "He said \"down\" \\ again",
            Impact::Minor,
            &["api".into()],
            &NewUpdate {
                state: "investigating",
                at: Utc::now(),
                next_update: Some("30m"),
                impact: None,
                components: None,
                body: "x",
            },
            chrono_tz::UTC,
        );
        let header = text.split("+++\n").nth(1).unwrap();
        let table: toml::Table = toml::from_str(header).unwrap();
        assert_eq!(
            table["title"].as_str(),
            Some("He said \"down\" \\ again"),
            "{text}"
        );
    }
}
