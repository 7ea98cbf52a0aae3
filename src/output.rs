//! Writing a rendered site to disk so readers never see a half-built one.
//!
//! Each file is written to a temporary file in its own folder and renamed over
//! the old one, so no file is ever half-written. Files whose bytes are unchanged
//! are not touched, keeping their modification time, so publishing uploads only
//! what changed. The home page is written after every page it links to, and
//! stale files are removed last, so an interrupted build leaves a site whose
//! links all still work.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::render::Output;

/// Marks a folder as statuspost's output, so that pruning never deletes files
/// from a folder someone pointed `--output-dir` at by mistake.
pub const MARKER: &str = ".statuspost-output";

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

/// Writes `output` into `dir`, which must be empty, missing, or an earlier output.
pub fn write(dir: &Path, output: &Output) -> anyhow::Result<Written> {
    prepare(dir)?;
    let mut written = Written::default();
    // Pages first, the home page last: readers arrive at the home page.
    let (last, rest): (Vec<_>, Vec<_>) = output
        .files
        .iter()
        .partition(|(path, _)| path.as_str() == "index.html");
    for (path, bytes) in rest.into_iter().chain(last) {
        let full = dir.join(path);
        match std::fs::read(&full) {
            Ok(existing) if existing == *bytes => {
                written.unchanged += 1;
                continue;
            }
            Ok(_) => written.changed.push(path.clone()),
            Err(_) => written.added.push(path.clone()),
        }
        write_atomic_fast(&full, bytes)?;
    }
    written.removed = prune(dir, output)?;
    Ok(written)
}

fn prepare(dir: &Path) -> anyhow::Result<()> {
    let marker = dir.join(MARKER);
    if marker.exists() {
        return Ok(());
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
    write_atomic(&marker, b"This folder is written by `statuspost build`; files not produced by a build are removed.\n")
}

/// Writes `bytes` to `path` through a temporary file and a rename, flushed to
/// the disk first: for authors' files, which exist nowhere else until committed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic_with(path, bytes, true)
}

/// As [`write_atomic`], but without waiting for the disk: the rename alone
/// guarantees readers never see half a file, and built output can be rebuilt.
pub fn write_atomic_fast(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic_with(path, bytes, false)
}

fn write_atomic_with(path: &Path, bytes: &[u8], durable: bool) -> anyhow::Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .with_context(|| format!("failed to create `{}`", parent.display()))?;
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
        std::fs::rename(&tmp, path)
    })();
    if let Err(err) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(err).with_context(|| format!("failed to write `{}`", path.display()));
    }
    Ok(())
}

/// Removes files (and then empty folders) that this build did not produce.
fn prune(dir: &Path, output: &Output) -> anyhow::Result<Vec<String>> {
    let keep: BTreeSet<&str> = output.files.keys().map(String::as_str).collect();
    let mut files = Vec::new();
    list(dir, dir, &mut files)?;
    let mut removed = Vec::new();
    for rel in files {
        let rel_str = rel.to_string_lossy().replace('\\', "/");
        if rel_str == MARKER || keep.contains(rel_str.as_str()) {
            continue;
        }
        std::fs::remove_file(dir.join(&rel))
            .with_context(|| format!("failed to remove stale `{}`", dir.join(&rel).display()))?;
        removed.push(rel_str);
    }
    remove_empty_dirs(dir, true);
    Ok(removed)
}

fn list(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("failed to read `{}`", dir.display()))?
    {
        let entry = entry?;
        // A publishing checkout may live inside the output; its history is not ours to prune.
        if entry.file_name() == ".git" {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            list(base, &path, out)?;
        } else {
            out.push(path.strip_prefix(base).unwrap_or(&path).to_path_buf());
        }
    }
    Ok(())
}

fn remove_empty_dirs(dir: &Path, is_root: bool) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_dir()) && entry.file_name() != ".git" {
            remove_empty_dirs(&entry.path(), false);
        }
    }
    if !is_root {
        // Fails when not empty, which is what we want.
        let _ = std::fs::remove_dir(dir);
    }
}
