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
//! without walking the folder.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context};

/// Marks a folder as statuspost's output (so that pruning never deletes files
/// from a folder someone pointed `--output-dir` at by mistake) and lists what
/// the last build produced.
pub(crate) const MARKER: &str = ".statuspost-output";

/// Present while a build is staging; found at the start of a build, it means
/// the last one was killed, and the whole folder is checked for stale files.
const BUILDING: &str = ".statuspost-building";

const TMP_SUFFIX: &str = ".statuspost-tmp";

const MANIFEST_HEADER: &str =
    "# This folder is written by `statuspost build`; files not produced by a build are removed.\n\
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
    /// Written in place: it did not exist (see [`Stage::put`]).
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
    committed: bool,
}

impl Stage {
    /// Opens `dir`, which must be missing, empty, or an earlier output.
    pub(crate) fn open(dir: &Path) -> anyhow::Result<Stage> {
        let fresh = prepare(dir)?;
        // A folder just made has nothing stale in it, so nothing to walk.
        let previous = if fresh {
            Some(HashMap::new())
        } else {
            read_manifest(dir)
        };
        // Until this build commits, the manifest cannot be trusted: a build
        // killed half way may leave temporary files that it does not list.
        write_atomic_fast(&dir.join(BUILDING), b"")?;
        Ok(Stage {
            dir: dir.to_path_buf(),
            previous,
            files: Mutex::new(Vec::new()),
            committed: false,
        })
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
        create_parent(target)?;
        let mut file = match std::fs::File::create_new(target) {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => return Ok(None),
            Err(err) => {
                return Err(err).with_context(|| format!("failed to write `{}`", target.display()))
            }
        };
        if let Err(err) = file.write_all(bytes) {
            drop(file);
            let _ = std::fs::remove_file(target);
            return Err(err).with_context(|| format!("failed to write `{}`", target.display()));
        }
        Ok(Some(target.to_path_buf()))
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
        written.removed = match &self.previous {
            Some(previous) => prune_listed(&self.dir, previous, &produced)?,
            None => prune(&self.dir, &produced)?,
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
        // A file the last build did not produce is (nearly always) not there:
        // written straight to its place, with no read, temporary file or rename.
        // Nothing links to it until the pages that do are committed, and a failed
        // build removes it. `create_new` never replaces a file that is there after
        // all (one put by hand, or another spelling on a case-insensitive disk).
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
            }
        }
        // Folders made for new pages would otherwise outlive a failed build.
        remove_empty_dirs(&self.dir);
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
    std::fs::write(&tmp, bytes).with_context(|| format!("failed to write `{}`", tmp.display()))?;
    Ok(tmp)
}

/// Makes sure `dir` is ours to write; returns whether it was empty or missing.
fn prepare(dir: &Path) -> anyhow::Result<bool> {
    let marker = dir.join(MARKER);
    if marker.exists() {
        return Ok(false);
    }
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
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

/// The last complete build's files and fingerprints, unless a build was
/// interrupted since, in which case nothing is known for sure.
fn read_manifest(dir: &Path) -> Option<HashMap<String, u64>> {
    if dir.join(BUILDING).exists() {
        return None;
    }
    let text = std::fs::read_to_string(dir.join(MARKER)).ok()?;
    let mut out = HashMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (fingerprint, path) = line.split_once(' ')?;
        out.insert(path.to_string(), u64::from_str_radix(fingerprint, 16).ok()?);
    }
    // A marker without a list (a fresh folder) leaves nothing to compare: walk the folder once.
    (!out.is_empty()).then_some(out)
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

/// Removes files (and then empty folders) that this build did not produce.
fn prune(dir: &Path, produced: &HashSet<String>) -> anyhow::Result<Vec<String>> {
    let files = list(dir)?;
    let mut removed = Vec::new();
    for rel in files {
        let rel_str = rel.to_string_lossy().replace('\\', "/");
        if rel_str == MARKER || rel_str == BUILDING || produced.contains(&rel_str) {
            continue;
        }
        std::fs::remove_file(dir.join(&rel))
            .with_context(|| format!("failed to remove stale `{}`", dir.join(&rel).display()))?;
        removed.push(rel_str);
    }
    removed.sort();
    remove_empty_dirs(dir);
    Ok(removed)
}

/// Every file in the output folder but a publishing checkout's (`.git`), whose history is not ours to prune.
fn list(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    Ok(crate::fs::walk_output(dir)?
        .into_iter()
        .filter(|(_, is_dir)| !is_dir)
        .map(|(rel, _)| rel)
        .collect())
}

/// Removes the folders under `dir` that are empty, innermost first, so that
/// a folder holding only empty folders goes too.
fn remove_empty_dirs(dir: &Path) {
    let Ok(entries) = crate::fs::walk_output(dir) else {
        return;
    };
    for (rel, _) in entries.iter().rev().filter(|(_, is_dir)| *is_dir) {
        // Fails when not empty, which is what we want.
        let _ = std::fs::remove_dir(dir.join(rel));
    }
}
