//! The files of the last good build, and the only code in the server that
//! turns a request's path into a file on disk.
//!
//! A key is `/`-separated plain names. Nothing from a request is ever joined
//! whole onto the output folder: `Path::join` with an absolute path replaces
//! the folder, which is how `GET //etc/passwd` once served that file.

use std::path::{Component, Path, PathBuf};

/// The files of the last good build.
pub(super) enum Files {
    /// The output folder. A failed build never touches it, so it always holds the last good site.
    Disk(PathBuf),
    /// A folder that lives as long as the server (for tests).
    #[cfg(test)]
    Temp(tempfile::TempDir),
}

impl Files {
    pub(super) fn get(&self, key: &str) -> Option<Vec<u8>> {
        match self {
            Files::Disk(dir) => std::fs::read(locate(dir, key)?).ok(),
            #[cfg(test)]
            Files::Temp(dir) => std::fs::read(locate(dir.path(), key)?).ok(),
        }
    }

    pub(super) fn contains(&self, key: &str) -> bool {
        match self {
            Files::Disk(dir) => locate(dir, key).is_some(),
            #[cfg(test)]
            Files::Temp(dir) => locate(dir.path(), key).is_some(),
        }
    }
}

/// Whether `name` can only ever name something inside the folder it is
/// looked up in; if not, why.
pub(super) fn plain_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        // `//etc/passwd`, or an encoded `/` decoded to nothing around it.
        return Err("an empty name in the path");
    }
    if name == ".." || name == "." {
        return Err("`..` or `.` in the path");
    }
    if name.contains('/') {
        return Err("an encoded `/` in the path");
    }
    if name.contains('\\') {
        return Err("a backslash in the path");
    }
    if name.contains('\0') {
        return Err("NUL in the path");
    }
    if name.chars().any(char::is_control) {
        return Err("control characters in the path");
    }
    if name.contains(':') {
        // On Windows `C:` starts a drive path and `name:stream` opens a hidden stream.
        return Err("`:` in the path");
    }
    // Whatever else this platform's paths treat specially (a Windows prefix, a root).
    let mut components = Path::new(name).components();
    match (components.next(), components.next()) {
        (Some(Component::Normal(_)), None) => Ok(()),
        _ => Err("not a plain name in the path"),
    }
}

/// The regular file `key` names inside `dir`, if it is there and is part of the site.
fn locate(dir: &Path, key: &str) -> Option<PathBuf> {
    let mut path = dir.to_path_buf();
    for name in key.split('/') {
        // Staged files and the output marker are dotfiles; they are never part of the site.
        if plain_name(name).is_err() || name.starts_with('.') {
            return None;
        }
        path.push(name);
    }
    // A symlink in the folder may point anywhere; what it leads to must be inside too.
    let root = dir.canonicalize().ok()?;
    let real = path.canonicalize().ok()?;
    let inside = real.strip_prefix(&root).ok()?;
    let hidden = inside
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
    (!hidden && real.is_file()).then_some(real)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_pass() {
        for name in [
            "index.html",
            "2026-11-22-api-errors",
            "feed.atom",
            "é",
            "a b",
        ] {
            assert_eq!(plain_name(name), Ok(()), "{name}");
        }
        for name in [
            "", ".", "..", "/", "/etc", "a/b", "\\", "..\\..", "a\0", "a\n", "C:", "c:x",
            "x:stream",
        ] {
            assert!(plain_name(name).is_err(), "{name:?}");
        }
    }

    #[test]
    fn serves_only_what_is_inside_the_folder() {
        let temp = tempfile::tempdir().expect("temp dir");
        let site = temp.path().join("site");
        std::fs::create_dir_all(site.join("history")).expect("mkdir");
        std::fs::write(site.join("index.html"), "home").expect("write");
        std::fs::write(site.join("history/index.html"), "history").expect("write");
        std::fs::write(site.join(".statuspost-output"), "marker").expect("write");
        std::fs::write(temp.path().join("secret.txt"), "root:").expect("write");
        let files = Files::Disk(site.clone());
        assert_eq!(files.get("index.html").as_deref(), Some(&b"home"[..]));
        assert!(files.contains("history/index.html"));
        assert!(!files.contains("history"), "a folder is not a file");
        for key in [
            "",
            ".statuspost-output",
            "../secret.txt",
            "/etc/passwd",
            "history/../../secret.txt",
            "history//index.html",
        ] {
            assert_eq!(files.get(key), None, "{key}");
        }
        let secret = temp.path().join("secret.txt");
        let absolute = secret.to_str().expect("UTF-8 temp path");
        assert_eq!(files.get(absolute), None);
        assert_eq!(files.get(&absolute[1..]), None);
    }

    #[cfg(unix)]
    #[test]
    fn follows_symlinks_only_within_the_folder() {
        use std::os::unix::fs::symlink;
        let temp = tempfile::tempdir().expect("temp dir");
        let site = temp.path().join("site");
        std::fs::create_dir_all(&site).expect("mkdir");
        std::fs::write(site.join("index.html"), "home").expect("write");
        std::fs::write(temp.path().join("secret.txt"), "root:").expect("write");
        symlink(temp.path().join("secret.txt"), site.join("leak.txt")).expect("symlink");
        symlink(temp.path(), site.join("up")).expect("symlink");
        symlink("index.html", site.join("home.html")).expect("symlink");
        let files = Files::Disk(site);
        assert_eq!(files.get("leak.txt"), None);
        assert_eq!(files.get("up/secret.txt"), None);
        assert_eq!(files.get("home.html").as_deref(), Some(&b"home"[..]));
    }
}
