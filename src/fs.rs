//! The one way statuspost finds and reads files: a walk with one rule for
//! hidden and editor files, size-capped reads of regular files only, and the
//! paths authors see.
//!
//! Reading only: writing is `output`'s and `edit`'s. Nothing here makes a
//! diagnostic; callers decide what a skipped entry or a refused file means.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{bail, Context};
use walkdir::WalkDir;

/// Larger than any incident a person writes, small enough that a stray dump cannot exhaust memory.
pub(crate) const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// The path an author should see for a file under the root.
pub(crate) fn display_path(root: &Path, rel: &Path) -> PathBuf {
    if root == Path::new(".") || root.as_os_str().is_empty() {
        rel.to_path_buf()
    } else {
        root.join(rel)
    }
}

/// Whether a name is one no build reads: hidden files (`.git`, `.DS_Store`,
/// Emacs's `.#lock`, Vim's `.x.swp`), backups (`x~`), Vim's swap files and
/// Emacs's auto-saves (`#x#`). Editors create these beside the file being
/// edited, so they turn up in every folder an author works in.
pub(crate) fn is_ignored(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
}

/// A file found by [`walk`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// Relative to the walked folder.
    pub rel: PathBuf,
    /// The walked folder joined with `rel`: the path to open.
    pub path: PathBuf,
}

/// Something [`walk`] passed over other than by the name rule.
#[derive(Debug)]
pub(crate) struct Skipped {
    /// Relative to the walked folder.
    pub rel: PathBuf,
    pub reason: SkipReason,
}

#[derive(Debug)]
pub(crate) enum SkipReason {
    /// A folder or entry that could not be read.
    Unreadable(std::io::Error),
    /// A symlink leading out of the folder the walk is confined to, to `target`.
    Escapes { target: PathBuf, is_dir: bool },
    /// A symlink to nothing.
    Dangling,
}

/// What [`walk`] found.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    /// Every file (anything that is not a folder: FIFOs too, for the reader
    /// to refuse by name), in the order `Path` sorts.
    pub files: Vec<Found>,
    pub skipped: Vec<Skipped>,
}

/// Every file under `dir`, passing over the names [`is_ignored`] gives.
/// Symlinks are followed, each folder is walked once however many links lead
/// to it, and with `within`, a symlink whose target is outside that folder is
/// not followed but reported. A missing `dir` is an empty one.
pub(crate) fn walk(dir: &Path, within: Option<&Path>) -> Walked {
    let within = within.map(|w| w.canonicalize().unwrap_or_else(|_| w.to_path_buf()));
    let rel_of = |path: &Path| path.strip_prefix(dir).unwrap_or(path).to_path_buf();
    let mut visited = HashSet::new();
    let mut escapes = Vec::new();
    let mut out = Walked::default();
    let entries = WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|entry| {
            let canonical = || {
                entry
                    .path()
                    .canonicalize()
                    .unwrap_or_else(|_| entry.path().to_path_buf())
            };
            if entry.depth() == 0 {
                // The walked folder itself may be a link anywhere; only what is inside it is confined.
                visited.insert(canonical());
                return true;
            }
            if is_ignored(entry.file_name()) {
                return false;
            }
            let is_dir = entry.file_type().is_dir();
            // Only links and folders are resolved: a site of thousands of plain files
            // is walked on every rebuild, and resolving a path costs a call per component.
            let target = (is_dir || entry.path_is_symlink()).then(canonical);
            if let (Some(root), Some(target), true) = (&within, &target, entry.path_is_symlink()) {
                if !target.starts_with(root) {
                    escapes.push(Skipped {
                        rel: rel_of(entry.path()),
                        reason: SkipReason::Escapes {
                            target: target.clone(),
                            is_dir,
                        },
                    });
                    return false;
                }
            }
            // A link to a folder already walked (or to an ancestor) would list its files twice.
            match target {
                Some(target) if is_dir => visited.insert(target),
                _ => true,
            }
        });
    for entry in entries {
        match entry {
            Ok(entry) if entry.file_type().is_dir() => {}
            Ok(entry) => out.files.push(Found {
                rel: rel_of(entry.path()),
                path: entry.into_path(),
            }),
            // Walked once already, by the visited set's rule.
            Err(err) if err.loop_ancestor().is_some() => {}
            Err(err) => {
                let path = err.path().unwrap_or(dir).to_path_buf();
                // A link walkdir could not follow is reported before the name rule sees it,
                // and an editor's lock file (Emacs's `.#x`) is exactly such a link.
                if path != dir && path.file_name().is_some_and(is_ignored) {
                    continue;
                }
                let io = err.into_io_error();
                if path == dir
                    && io.as_ref().map(|e| e.kind()) == Some(std::io::ErrorKind::NotFound)
                {
                    continue;
                }
                let dangling = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_symlink())
                    && std::fs::metadata(&path).is_err();
                out.skipped.push(Skipped {
                    rel: rel_of(&path),
                    reason: if dangling {
                        SkipReason::Dangling
                    } else {
                        SkipReason::Unreadable(
                            io.unwrap_or_else(|| std::io::Error::other("cannot be walked")),
                        )
                    },
                });
            }
        }
    }
    out.skipped.extend(escapes);
    out.skipped.sort_by(|a, b| a.rel.cmp(&b.rel));
    out.files.sort_by_cached_key(|f| path_key(&f.rel));
    out
}

/// Every file under `dir` as (path relative to `dir` with `/` separators, path
/// to open), for callers that treat anything unreadable as a failure: the
/// name rule and symlinks as in [`walk`], unconfined.
pub(crate) fn walk_files(dir: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let walked = walk(dir, None);
    if let Some(skipped) = walked.skipped.into_iter().next() {
        let path = dir.join(&skipped.rel);
        return Err(match skipped.reason {
            SkipReason::Unreadable(err) => anyhow::Error::new(err),
            SkipReason::Dangling => anyhow::anyhow!("it is a symlink to nothing"),
            SkipReason::Escapes { target, .. } => {
                anyhow::anyhow!("it is a symlink to `{}`", target.display())
            }
        })
        .with_context(|| format!("failed to read `{}`", path.display()));
    }
    Ok(walked
        .files
        .into_iter()
        .map(|f| (slashed(&f.rel), f.path))
        .collect())
}

/// Everything under `dir` (a folder statuspost writes) as (path relative to
/// `dir`, whether it is a folder), in the order `Path` sorts. Hidden files
/// are listed, as a killed build leaves its temporary files hidden; `.git` is
/// not, as a publishing checkout inside the output is not statuspost's.
/// Symlinks are listed, not followed.
pub(crate) fn walk_output(dir: &Path) -> anyhow::Result<Vec<(PathBuf, bool)>> {
    let mut out = Vec::new();
    let entries = WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git");
    for entry in entries {
        let entry = entry.map_err(|err| {
            let path = err.path().unwrap_or(dir).display().to_string();
            anyhow::Error::new(err).context(format!("failed to read `{path}`"))
        })?;
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        out.push((rel.to_path_buf(), entry.file_type().is_dir()));
    }
    out.sort_by_cached_key(|(rel, _)| path_key(rel));
    Ok(out)
}

/// Every file under `dir` (the site's `static/`), as (path relative to `dir`
/// with `/` separators, path to open), for copying as they are: hidden files
/// are kept (`.well-known/`), editor files and `.git` are not. Symlinks are
/// followed only within `root`, as a link out of the site would publish
/// whatever it points at. A missing `dir` is an empty one.
pub(crate) fn walk_static(dir: &Path, root: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut out = Vec::new();
    let entries = WalkDir::new(dir)
        .min_depth(1)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| {
            // The name rule of `is_ignored`, but for the leading dot alone.
            let name = e.file_name().to_string_lossy();
            let editors = match name.strip_prefix('.') {
                Some(rest) if !rest.is_empty() => {
                    is_ignored(OsStr::new(rest)) || rest.starts_with('#')
                }
                _ => is_ignored(e.file_name()),
            };
            !(editors || name == ".git" || name == ".DS_Store" || is_temp(e.file_name()))
        });
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err)
                if err.io_error().map(|e| e.kind()) == Some(std::io::ErrorKind::NotFound)
                    && err.path() == Some(dir) =>
            {
                return Ok(Vec::new())
            }
            Err(err) => {
                let path = err.path().unwrap_or(dir).display().to_string();
                return Err(anyhow::Error::new(err).context(format!("failed to read `{path}`")));
            }
        };
        if entry.path_is_symlink() {
            let target = entry.path().canonicalize()?;
            if !target.starts_with(&root) {
                bail!(
                    "`{}` is a symlink to `{}`, outside the site",
                    entry.path().display(),
                    target.display()
                );
            }
        }
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        out.push((slashed(rel), entry.into_path()));
    }
    out.sort();
    Ok(out)
}

/// A key that sorts paths as `Path` does (a folder's files right after it,
/// siblings in byte order of their names), so a file's place never depends on
/// the file system's order. Made once per file: comparing `Path`s or walkdir's
/// per-folder sort parses every path again at each comparison, which for a site
/// of 10,000 incidents cost more than reading them.
fn path_key(rel: &Path) -> Vec<u8> {
    rel.as_os_str()
        .as_encoded_bytes()
        .iter()
        .map(|&b| if b == b'/' { 0 } else { b })
        .collect()
}

fn slashed(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// A file's size and modification time.
pub(crate) type Stamp = (u64, Option<SystemTime>);

/// A file's bytes, with its size and modification time as they were when it was opened.
#[derive(Debug)]
pub(crate) struct Contents {
    pub bytes: Vec<u8>,
    pub stamp: Stamp,
}

/// Why [`read`] gave no bytes.
#[derive(Debug)]
pub(crate) enum ReadError {
    Io(std::io::Error),
    /// A FIFO, socket or device: opening a FIFO waits for a writer, reading a
    /// device may never end. `kind` is what it is, in words.
    NotRegular {
        kind: &'static str,
    },
    /// Larger than the cap: `len` bytes, or at least that many for a file that grew while read.
    TooLarge {
        len: u64,
        cap: u64,
        stamp: Stamp,
    },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(err) => write!(f, "cannot read the file: {err}"),
            ReadError::NotRegular { kind } => write!(f, "this is {kind}, not a regular file"),
            ReadError::TooLarge { len, cap, .. } => write!(
                f,
                "the file is {:.1} MB; statuspost reads files of at most {} MB",
                *len as f64 / 1e6,
                cap / 1024 / 1024
            ),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Io(err) => Some(err),
            _ => None,
        }
    }
}

/// Reads a regular file (through symlinks) of at most `cap` bytes. Anything
/// else is refused once opened; it is opened without waiting, so a FIFO cannot
/// stall a build. One open, one `fstat` and the reads: a site of thousands of
/// files is read on every build, and a `stat` before the open cost a tenth of
/// a build that changed nothing.
pub(crate) fn read(path: &Path, cap: u64) -> Result<Contents, ReadError> {
    let file = open_without_waiting(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    check_regular(&meta)?;
    let stamp = (meta.len(), meta.modified().ok());
    if meta.len() > cap {
        return Err(ReadError::TooLarge {
            len: meta.len(),
            cap,
            stamp,
        });
    }
    // A file that grows while it is read stops just past the cap, not at the end of memory.
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge {
            len: bytes.len() as u64,
            cap,
            stamp,
        });
    }
    Ok(Contents { bytes, stamp })
}

/// As [`read`], as UTF-8 text, with an error that names the file.
pub(crate) fn read_text(path: &Path, cap: u64) -> anyhow::Result<String> {
    let contents =
        read(path, cap).with_context(|| format!("failed to read `{}`", path.display()))?;
    String::from_utf8(contents.bytes)
        .with_context(|| format!("failed to read `{}`: not UTF-8 text", path.display()))
}

/// Opens `path` for reading. On Unix, without blocking: opening a FIFO with no
/// writer would otherwise wait for one for ever. Reads of a regular file are
/// the same either way.
fn open_without_waiting(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

fn check_regular(meta: &std::fs::Metadata) -> Result<(), ReadError> {
    let t = meta.file_type();
    if t.is_file() {
        return Ok(());
    }
    let kind = if t.is_dir() {
        "a folder"
    } else {
        special_kind(&t)
    };
    Err(ReadError::NotRegular { kind })
}

#[cfg(unix)]
fn special_kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "a named pipe (FIFO)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "a special file"
}

/// The suffix of a build's temporary files: `.NAME.statuspost-tmp`.
pub(crate) const TMP_SUFFIX: &str = ".statuspost-tmp";

/// Whether `name` is a temporary file of statuspost's: a build's
/// `.NAME.statuspost-tmp` or an atomic write's `.NAME.tmp-PID`. Such a file
/// is never published, and a later run removes it.
pub(crate) fn is_temp(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    let Some(rest) = name.strip_prefix('.') else {
        return false;
    };
    rest.ends_with(TMP_SUFFIX)
        || rest.rsplit_once(".tmp-").is_some_and(|(stem, pid)| {
            !stem.is_empty() && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(root: &Path, rel: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, rel).unwrap();
    }

    fn rels(walked: &Walked) -> Vec<String> {
        walked.files.iter().map(|f| slashed(&f.rel)).collect()
    }

    #[test]
    fn editor_and_hidden_files_are_one_rule() {
        for name in [
            ".x.md.swp",
            ".#x.md",
            "#x.md#",
            "x.md~",
            ".DS_Store",
            "x.swx",
            "x.swp",
        ] {
            assert!(is_ignored(OsStr::new(name)), "{name}");
        }
        for name in ["x.md", "#x.md", "x#", "a.swp.md", "#"] {
            assert!(!is_ignored(OsStr::new(name)), "{name}");
        }
    }

    #[test]
    fn walks_in_path_order_without_editor_files() {
        let dir = tempfile::tempdir().unwrap();
        for rel in [
            "b.md",
            "a-c.md",
            "a/z.md",
            "a/b/c.md",
            "a/.x.md.swp",
            ".git/x",
            "#a#",
            "a~",
        ] {
            touch(dir.path(), rel);
        }
        let walked = walk(dir.path(), Some(dir.path()));
        assert_eq!(rels(&walked), ["a/b/c.md", "a/z.md", "a-c.md", "b.md"]);
        let mut as_paths: Vec<PathBuf> = walked.files.iter().map(|f| f.rel.clone()).collect();
        as_paths.sort();
        assert_eq!(
            as_paths,
            walked
                .files
                .iter()
                .map(|f| f.rel.clone())
                .collect::<Vec<_>>()
        );
        assert_eq!(walked.files[0].path, dir.path().join("a/b/c.md"));
        assert!(walked.skipped.is_empty(), "{:?}", walked.skipped);
        assert!(walk(&dir.path().join("missing"), None).files.is_empty());
        assert_eq!(
            walk_files(dir.path()).unwrap()[0],
            ("a/b/c.md".to_string(), dir.path().join("a/b/c.md"))
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_followed_once_and_confined() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        touch(dir.path(), "in/a.md");
        touch(outside.path(), "secret.md");
        symlink(".", dir.path().join("in/loop")).unwrap();
        symlink(outside.path().join("secret.md"), dir.path().join("in/s.md")).unwrap();
        symlink(dir.path().join("nothing"), dir.path().join("in/gone.md")).unwrap();
        // Emacs's lock file: a symlink to nothing, which is no one's business.
        symlink("user@host.1234", dir.path().join("in/.#a.md")).unwrap();
        let walked = walk(&dir.path().join("in"), Some(dir.path()));
        assert_eq!(rels(&walked), ["a.md"]);
        let reasons: Vec<String> = walked
            .skipped
            .iter()
            .map(|s| format!("{} {:?}", slashed(&s.rel), s.reason))
            .collect();
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(reasons[0].starts_with("gone.md Dangling"), "{reasons:?}");
        assert!(reasons[1].starts_with("s.md Escapes"), "{reasons:?}");
        // Unconfined, the link outside is an ordinary file.
        let walked = walk(&dir.path().join("in"), None);
        assert_eq!(rels(&walked), ["a.md", "s.md"]);
    }

    #[test]
    fn reads_are_capped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "12345").unwrap();
        assert_eq!(read(&path, 5).unwrap().bytes, b"12345");
        assert_eq!(read(&path, 5).unwrap().stamp.0, 5);
        match read(&path, 4) {
            Err(ReadError::TooLarge { len: 5, cap: 4, .. }) => {}
            other => panic!("{other:?}"),
        }
        match read(dir.path(), 4) {
            Err(ReadError::NotRegular { kind: "a folder" }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_opening_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap();
        assert!(made.success());
        // Were it opened, this would wait for a writer forever.
        let err = read_text(&path, 10).unwrap_err();
        assert_eq!(
            format!("{err:#}"),
            format!(
                "failed to read `{}`: this is a named pipe (FIFO), not a regular file",
                path.display()
            )
        );
    }
}
