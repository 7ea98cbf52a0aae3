//! Writing a rendered site to disk so readers never see a half-built one.
//!
//! A build *stages* each file: bytes equal to the file on disk are left alone
//! (keeping its modification time, so publishing uploads only what changed);
//! a file the last build did not produce is created in its place (nothing links
//! to it yet); others go to a temporary file beside their target. Only when
//! every page has rendered does the build *commit*: temporary files are renamed into place,
//! the feed and then the home page last, so a reader arriving at any moment
//! finds only links that work; stale files are removed after that. A build that
//! fails before committing removes its temporary and new files and leaves the
//! site as it was. Pages are staged as they render, so memory does not grow with the site.
//!
//! The output folder's marker file lists what the last build produced, with a
//! fingerprint of each page's inputs, so that a page whose inputs have not
//! changed is neither rendered nor read again, and stale files are found
//! without walking the folder. A build in progress journals each file it may
//! add before writing it, so that a build killed half way leaves a record of
//! what it wrote: a build removes only files it can prove a build wrote, and
//! never a file someone put in the output folder by hand.
//!
//! One build at a time writes a folder: the others wait on its lock file.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context};

/// Marks a folder as statuspost's output (so that pruning never deletes files
/// from a folder someone pointed `--output-dir` at by mistake) and lists what
/// the last build produced.
pub(crate) const MARKER: &str = ".statuspost-output";

/// Present while a build is staging, with the pid of the build and the paths
/// it may add; found at the start of a build, it means the last one was
/// killed: what it lists is the build's own, and fingerprints are not trusted.
const BUILDING: &str = ".statuspost-building";

/// Held (with `File::lock`) by the build writing the folder. Never rewritten,
/// so that builds from the same inputs leave byte-identical folders.
const LOCK: &str = ".statuspost-lock";

/// How long a build waits for another one writing the same folder: far more
/// than a build takes, so only a stuck process makes it give up.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(600);

use crate::fs::{is_temp, TMP_SUFFIX};

const MANIFEST_HEADER: &str =
    "# This folder is written by `statuspost build`; files a build no longer produces are removed.\n\
# Each line: a fingerprint of what the file was made from, and its path.\n";

/// Where rendered files go: a [`Stage`] on disk, or a check that only reads them.
pub(crate) trait Sink: Sync {
    /// A file this build produced. `fingerprint` identifies everything its
    /// bytes were made from, when that is known.
    fn put(&self, path: &str, bytes: Vec<u8>, fingerprint: Option<u64>) -> anyhow::Result<()>;
    /// Whether `path` is on disk exactly as a build from the same inputs left
    /// it; if so, it is kept and need not be rendered again.
    fn reuse(&self, path: &str, fingerprint: u64) -> bool;
}

/// What a write changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Written {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: usize,
}

impl Written {
    pub fn is_noop(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

enum Staged {
    Unchanged,
    /// Put in place at once: it did not exist (see [`Stage::put`]).
    Created(PathBuf),
    New(PathBuf),
    Changed(PathBuf),
}

/// A build in progress in an output folder. Dropped without [`Stage::commit`], it cleans up.
pub(crate) struct Stage {
    dir: PathBuf,
    /// What the last complete build produced, with each file's fingerprint (0 when unknown).
    previous: Option<HashMap<String, u64>>,
    files: Mutex<Vec<(String, Staged, u64)>>,
    /// The open [`BUILDING`] file, appended to before a file not in `previous`
    /// is written. Opened to append, so that threads write their lines whole
    /// without a lock of ours: one around a write per page made two cores
    /// queue for it on every page.
    journal: std::fs::File,
    committed: bool,
    /// Released when the stage is dropped.
    _lock: std::fs::File,
}

impl Stage {
    /// Opens `dir`, which must be missing, empty, or an earlier output.
    pub(crate) fn open(dir: &Path) -> anyhow::Result<Stage> {
        let fresh = prepare(dir)?;
        let lock = lock(dir)?;
        let interrupted = dir.join(BUILDING).exists();
        // A folder just made has nothing stale in it.
        let previous = if fresh {
            Some(HashMap::new())
        } else {
            read_manifest(dir, interrupted)
        };
        if interrupted {
            sweep(dir)?;
        }
        let journal_path = dir.join(BUILDING);
        // What an interrupted build journaled stays journaled: should this
        // build be killed too, before it commits, the next one must still
        // know those files are a build's own.
        let mut start = format!("# pid {}\n", std::process::id());
        if interrupted {
            start.push_str(&journaled(dir));
        }
        std::fs::write(&journal_path, start)
            .with_context(|| format!("failed to write `{}`", journal_path.display()))?;
        let journal = std::fs::OpenOptions::new()
            .append(true)
            .open(&journal_path)
            .with_context(|| format!("failed to write `{}`", journal_path.display()))?;
        Ok(Stage {
            dir: dir.to_path_buf(),
            previous,
            files: Mutex::new(Vec::new()),
            journal,
            committed: false,
            _lock: lock,
        })
    }

    /// Records that this build may write `path`, before it does: should the
    /// build be killed, the next one knows the file is a build's own.
    fn journal(&self, path: &str) -> anyhow::Result<()> {
        if self.previous.as_ref().is_some_and(|p| p.contains_key(path)) {
            return Ok(());
        }
        // One write per line, unbuffered: a kill leaves whole lines and at most one cut short.
        (&self.journal)
            .write_all(format!("{path}\n").as_bytes())
            .with_context(|| format!("failed to write `{}`", self.dir.join(BUILDING).display()))
    }

    /// Every path this build has produced so far.
    pub(crate) fn produced(&self) -> HashSet<String> {
        let files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.iter().map(|(path, _, _)| path.clone()).collect()
    }

    fn record(&self, path: &str, staged: Staged, fingerprint: u64) {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).push((
            path.to_string(),
            staged,
            fingerprint,
        ));
    }

    /// Writes a file that must not exist yet; `None` when it does.
    fn write_new(&self, target: &Path, bytes: &[u8]) -> anyhow::Result<Option<PathBuf>> {
        // Written whole under a hidden name, then linked to its own: a build
        // killed mid-write leaves no visible page cut short, and a link, unlike
        // a rename, never replaces a file that is there after all.
        let tmp = write_tmp(target, bytes)?;
        let linked = std::fs::hard_link(&tmp, target);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(Some(target.to_path_buf())),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(None),
            Err(err) => Err(err).with_context(|| format!("failed to write `{}`", target.display())),
        }
    }

    /// Moves every staged file into place and removes files no longer produced.
    pub(crate) fn commit(mut self) -> anyhow::Result<Written> {
        let mut files = std::mem::take(self.files.get_mut().unwrap_or_else(|e| e.into_inner()));
        // Pages before what links to them, so that a build killed half way
        // never leaves a link to a page that is not there yet.
        files.sort_by_key(|(path, _, _)| commit_order(path));
        let mut written = Written::default();
        let mut produced = HashSet::with_capacity(files.len());
        let mut result = Ok(());
        let crash_after = crash_point();
        let mut renamed = 0;
        for (path, staged, _) in &files {
            produced.insert(path.clone());
            let (tmp, list) = match staged {
                Staged::Unchanged => {
                    written.unchanged += 1;
                    continue;
                }
                Staged::Created(_) => {
                    written.added.push(path.clone());
                    continue;
                }
                Staged::New(tmp) => (tmp, &mut written.added),
                Staged::Changed(tmp) => (tmp, &mut written.changed),
            };
            if result.is_ok() {
                if crash_after == Some(renamed) {
                    // Exits without unwinding, so no destructor tidies up: as a kill would leave it.
                    std::process::exit(86);
                }
                result = std::fs::rename(tmp, self.dir.join(path)).with_context(|| {
                    format!("failed to write `{}`", self.dir.join(path).display())
                });
                list.push(path.clone());
                renamed += 1;
            }
        }
        self.committed = true;
        if let Err(err) = result {
            // Leave no temporary files behind; the files already renamed are complete pages.
            for (_, staged, _) in &files {
                if let Staged::New(tmp) | Staged::Changed(tmp) = staged {
                    let _ = std::fs::remove_file(tmp);
                }
            }
            return Err(err);
        }
        // Without a list of what the last build wrote, nothing can be proved
        // stale: stale pages stay until a later build lists them.
        written.removed = match &self.previous {
            Some(previous) => prune_listed(&self.dir, previous, &produced)?,
            None => Vec::new(),
        };
        let mut manifest = String::from(MANIFEST_HEADER);
        files.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, _, fingerprint) in &files {
            manifest.push_str(&format!("{fingerprint:016x} {path}\n"));
        }
        if std::fs::read(self.dir.join(MARKER)).ok().as_deref() != Some(manifest.as_bytes()) {
            write_atomic_fast(&self.dir.join(MARKER), manifest.as_bytes())?;
        }
        let _ = std::fs::remove_file(self.dir.join(BUILDING));
        Ok(written)
    }
}

/// When a file moves into place: incident and maintenance pages first, then
/// the history that lists them, then the feeds, API and sitemap that point at
/// both, and the home page, which links to everything, last.
fn commit_order(path: &str) -> u8 {
    if path.starts_with("incidents/") || path.starts_with("maintenance/") {
        0
    } else if path.starts_with("history/") {
        1
    } else if path == "index.html" {
        4
    } else if path == "feed.xml" || path == "feed.atom" {
        3
    } else {
        2
    }
}

impl Sink for Stage {
    fn put(&self, path: &str, bytes: Vec<u8>, fingerprint: Option<u64>) -> anyhow::Result<()> {
        let fingerprint = fingerprint.unwrap_or(0);
        let target = self.dir.join(safe_relative(path)?);
        self.journal(path)?;
        // A file the last build did not produce is (nearly always) not there:
        // put in its place at once, with no read of an old one. Nothing links to
        // it until the pages that do are committed, and a failed build removes
        // it. It never replaces a file that is there after all (one put by hand,
        // or another spelling on a case-insensitive disk).
        if self
            .previous
            .as_ref()
            .is_some_and(|p| !p.contains_key(path))
        {
            if let Some(written) = self.write_new(&target, &bytes)? {
                self.record(path, Staged::Created(written), fingerprint);
                return Ok(());
            }
        }
        // Read no more than the new bytes: a longer file differs, and a pipe or
        // device put there is replaced rather than waited on.
        match crate::fs::read(&target, bytes.len() as u64) {
            Ok(existing) if existing.bytes == bytes => {
                self.record(path, Staged::Unchanged, fingerprint)
            }
            Ok(_) | Err(crate::fs::ReadError::TooLarge { .. }) => {
                let tmp = write_tmp(&target, &bytes)?;
                self.record(path, Staged::Changed(tmp), fingerprint);
            }
            Err(_) => {
                let tmp = write_tmp(&target, &bytes)?;
                self.record(path, Staged::New(tmp), fingerprint);
            }
        }
        Ok(())
    }

    fn reuse(&self, path: &str, fingerprint: u64) -> bool {
        let same = fingerprint != 0
            && self.previous.as_ref().and_then(|p| p.get(path)) == Some(&fingerprint)
            && self.dir.join(path).is_file();
        if same {
            self.record(path, Staged::Unchanged, fingerprint);
        }
        same
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        let files = self.files.get_mut().unwrap_or_else(|e| e.into_inner());
        for (_, staged, _) in files.iter() {
            if let Staged::Created(tmp) | Staged::New(tmp) | Staged::Changed(tmp) = staged {
                let _ = std::fs::remove_file(tmp);
                // Folders made for new pages would otherwise outlive a failed build.
                remove_empty_parents(&self.dir, tmp);
            }
        }
        let _ = std::fs::remove_file(self.dir.join(BUILDING));
    }
}

/// For the crash tests only, and only in the debug builds the tests run:
/// `STATUSPOST_TEST_CRASH_AFTER_RENAMES=N` makes a build die (as if killed)
/// after moving N files into place, so tests can check the site at every point
/// of a commit rather than at points a timer happens to hit. A release binary
/// has no such switch.
#[cfg(debug_assertions)]
fn crash_point() -> Option<usize> {
    std::env::var("STATUSPOST_TEST_CRASH_AFTER_RENAMES")
        .ok()?
        .parse()
        .ok()
}

#[cfg(not(debug_assertions))]
fn crash_point() -> Option<usize> {
    None
}

/// A rendered path can never leave the output folder, whatever a slug contains.
fn safe_relative(path: &str) -> anyhow::Result<&Path> {
    let p = Path::new(path);
    if path.is_empty() || !p.components().all(|c| matches!(c, Component::Normal(_))) {
        bail!("refusing to write `{path}`: not a plain path inside the output folder");
    }
    Ok(p)
}

/// Makes the folder `path` goes in, and returns it.
fn create_parent(path: &Path) -> anyhow::Result<&Path> {
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .with_context(|| format!("failed to create `{}`", parent.display()))?;
    Ok(parent)
}

fn write_tmp(target: &Path, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    let parent = create_parent(target)?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = parent.join(format!(".{name}{TMP_SUFFIX}"));
    if let Err(err) = std::fs::write(&tmp, bytes) {
        // A full disk must not leave half a file for a later build to keep.
        let _ = std::fs::remove_file(&tmp);
        return Err(err).with_context(|| format!("failed to write `{}`", tmp.display()));
    }
    Ok(tmp)
}

/// Makes sure `dir` is ours to write; returns whether it was empty or missing.
fn prepare(dir: &Path) -> anyhow::Result<bool> {
    let marker = dir.join(MARKER);
    if marker.exists() {
        return Ok(false);
    }
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            // Another build starting at the same moment may have made these already.
            let ours = |name: &std::ffi::OsStr| name == LOCK || is_temp(name);
            if entries.flatten().any(|e| !ours(&e.file_name())) {
                bail!(
                    "refusing to write into `{}`: it has files that statuspost did not write (no `{MARKER}` file); \
                     empty it or choose another --output-dir",
                    dir.display()
                );
            }
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("failed to create `{}`", dir.display()))?;
        }
        Err(err) => return Err(err).with_context(|| format!("failed to read `{}`", dir.display())),
    }
    write_atomic_fast(&marker, MANIFEST_HEADER.as_bytes())?;
    Ok(true)
}

/// Writes `bytes` to `path` through a temporary file and a rename, flushed to
/// the disk first: for authors' files, which exist nowhere else until committed.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic_with(path, bytes, true)
}

/// As [`write_atomic`] without waiting for the disk: for files a build can remake.
fn write_atomic_fast(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic_with(path, bytes, false)
}

fn write_atomic_with(path: &Path, bytes: &[u8], durable: bool) -> anyhow::Result<()> {
    let tmp = write_tmp_pid(path, bytes, durable)?;
    if let Err(err) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(err).with_context(|| format!("failed to write `{}`", path.display()));
    }
    Ok(())
}

/// Writes `bytes`, flushed to the disk, to a temporary file beside `path`
/// (`.NAME.tmp-PID`, hidden so no walk reads it), for the caller to move
/// into place. Nothing is left behind when it fails.
pub(crate) fn write_tmp_durable(path: &Path, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    write_tmp_pid(path, bytes, true)
}

fn write_tmp_pid(path: &Path, bytes: &[u8], durable: bool) -> anyhow::Result<PathBuf> {
    let parent = create_parent(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        if durable {
            file.sync_data()?;
        }
        Ok(())
    })();
    if let Err(err) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(err).with_context(|| format!("failed to write `{}`", path.display()));
    }
    Ok(tmp)
}

/// The paths an interrupted build journaled, a line each. The last line, cut
/// short by a kill, names no file the build wrote.
fn journaled(dir: &Path) -> String {
    let journal = std::fs::read_to_string(dir.join(BUILDING)).unwrap_or_default();
    let whole = journal.rfind('\n').map_or("", |end| &journal[..=end]);
    whole
        .lines()
        .filter(|l| !l.starts_with("# "))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// What builds wrote into `dir`: the last complete build's files and
/// fingerprints, and after an interrupted build also what it journaled, with
/// fingerprints unknown (it may have replaced files since). `None` when the
/// list is lost.
fn read_manifest(dir: &Path, interrupted: bool) -> Option<HashMap<String, u64>> {
    let text = std::fs::read_to_string(dir.join(MARKER)).ok()?;
    let mut out = HashMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        // A line that does not parse proves nothing about its file.
        if let Some((fingerprint, path)) = line.split_once(' ') {
            if let Ok(fingerprint) = u64::from_str_radix(fingerprint, 16) {
                out.insert(path.to_string(), fingerprint);
            }
        }
    }
    if interrupted {
        for fingerprint in out.values_mut() {
            *fingerprint = 0;
        }
        for line in journaled(dir).lines() {
            out.insert(line.to_string(), 0);
        }
    }
    Some(out)
}

/// Removes the temporary files a killed or failed build left, and the
/// folders that leaves empty: with the lock held, no live build has any.
fn sweep(dir: &Path) -> anyhow::Result<()> {
    for (rel, is_dir) in crate::fs::walk_output(dir)? {
        if is_dir || !rel.file_name().is_some_and(is_temp) {
            continue;
        }
        let path = dir.join(&rel);
        match std::fs::remove_file(&path) {
            Ok(()) => remove_empty_parents(dir, &path),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => {
                return Err(err).with_context(|| format!("failed to remove `{}`", path.display()))
            }
        }
    }
    Ok(())
}

/// Takes the output folder's lock, waiting for another build that holds it.
fn lock(dir: &Path) -> anyhow::Result<std::fs::File> {
    let path = dir.join(LOCK);
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("failed to open `{}`", path.display()))?;
    let started = std::time::Instant::now();
    let mut said = false;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(err)) => {
                return Err(err).with_context(|| format!("failed to lock `{}`", path.display()))
            }
        }
        let holder = std::fs::read_to_string(dir.join(BUILDING))
            .ok()
            .and_then(|j| j.lines().next()?.strip_prefix("# pid ").map(str::to_string))
            .map_or_else(String::new, |pid| format!(" (pid {pid})"));
        if started.elapsed() > LOCK_WAIT {
            bail!(
                "another statuspost is still building into `{}`{holder} after {} minutes; stop it, or build into another --output-dir",
                dir.display(),
                LOCK_WAIT.as_secs() / 60
            );
        }
        if !said {
            // The output layer says so itself: a build waiting in silence looks hung.
            eprintln!(
                "another statuspost is building into {}/{holder}; waiting",
                dir.display()
            );
            said = true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Removes the files the last build produced and this one did not, and the
/// folders that leaves empty, without walking the whole output.
fn prune_listed(
    dir: &Path,
    previous: &HashMap<String, u64>,
    produced: &HashSet<String>,
) -> anyhow::Result<Vec<String>> {
    // On a case-insensitive disk `incidents/Foo/` and `incidents/foo/` are one folder:
    // never remove a file that this build wrote under another spelling.
    let produced_folded: HashSet<String> =
        produced.iter().map(|p| p.to_ascii_lowercase()).collect();
    let mut removed: Vec<String> = previous
        .keys()
        .filter(|p| !produced.contains(*p) && !produced_folded.contains(&p.to_ascii_lowercase()))
        .cloned()
        .collect();
    removed.sort();
    for rel in &removed {
        let path = dir.join(safe_relative(rel)?);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => {
                return Err(err)
                    .with_context(|| format!("failed to remove stale `{}`", path.display()))
            }
        }
        let mut parent = path.parent();
        while let Some(p) = parent.filter(|p| *p != dir) {
            if std::fs::remove_dir(p).is_err() {
                break;
            }
            parent = p.parent();
        }
    }
    Ok(removed)
}

/// Removes the folders from `path`'s up to `dir` that are empty.
fn remove_empty_parents(dir: &Path, path: &Path) {
    let mut parent = path.parent();
    while let Some(p) = parent.filter(|p| *p != dir && p.starts_with(dir)) {
        // Fails when not empty, which is what we want.
        if std::fs::remove_dir(p).is_err() {
            break;
        }
        parent = p.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names() {
        for name in [
            ".index.html.statuspost-tmp",
            ".statuspost-output.tmp-4242",
            ".w.md.tmp-1",
        ] {
            assert!(is_temp(std::ffi::OsStr::new(name)), "{name}");
        }
        for name in [
            "index.html",
            "x.statuspost-tmp",
            ".tmp-12",
            ".w.md.tmp-",
            ".w.md.tmp-12a",
            ".well-known",
        ] {
            assert!(!is_temp(std::ffi::OsStr::new(name)), "{name}");
        }
    }
}
