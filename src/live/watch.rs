//! Watching the site folder: the one rebuild loop that `watch` and `serve`
//! share (mdBook's `rebuild_on_change`), and the promise warnings printed while it runs.
//!
//! Raw file events are sorted into a few kinds ([`ChangeKind`]). Events that
//! cannot change the site are dropped: the output folder, `target/`, `.git/`,
//! hidden files, editor swap and backup files, and the reads a build itself
//! makes. The first event that matters starts a wait for [`QUIET`] without
//! another one (at most [`MAX_WAIT`] in all), so an editor's save (temp file,
//! rename, chmod) or a `git checkout` of many files becomes one rebuild. The
//! rebuild always reads everything from disk, so whatever state a burst of
//! changes left is the state that gets built.
//!
//! The root itself is watched alone, and only `incidents/` and `templates/`
//! recursively: a site kept in a code repository would otherwise put an
//! inotify watch on every folder of `target/` or `node_modules/`, and could run
//! out of them. Either folder appearing, vanishing or being replaced shows up
//! as an event in the root, and is watched again.
//!
//! This module prints progress to stderr. It reads only the monotonic clock
//! (for debouncing and the promise check's period): "now" comes from the caller.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::ffi::OsStr;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono_tz::Tz;
use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::build::{self, Built, Outcome};
use crate::clock::{self, Now};
use crate::config;
use crate::lapse::{self, Promise};
use crate::load::INCIDENTS_DIR;
use crate::maintenance_file::DIR as MAINTENANCE_DIR;
use crate::model::Site;
use crate::report;
use crate::templates;

use super::Rebuilt;

/// The folders a build reads, watched recursively when they exist.
const WATCHED_DIRS: [&str; 4] = [
    INCIDENTS_DIR,
    MAINTENANCE_DIR,
    templates::DIR,
    crate::i18n::DIR,
];

/// How long without a relevant event before rebuilding: an editor's save
/// (write a temporary file, rename it over) raises its events within a
/// millisecond or two, and a burst split in two only costs a second, cheap
/// rebuild whose result is the final state anyway. Short, because it is part
/// of every change's wait: on a site of 1,000 incidents the rebuild itself
/// takes 20 to 30 ms, and the change must be on disk within 50.
pub(crate) const QUIET: Duration = Duration::from_millis(10);

/// The longest a rebuild waits for quiet, so a file written continuously
/// (a log, a slow copy) still gets built.
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(1);

/// How often open incidents' promises are checked when nothing changes.
pub(crate) const PROMISE_CHECK: Duration = Duration::from_secs(30);

/// How often a promise still lapsed is reported again, with how late it now
/// is: said once, a warning scrolls away while the author is busy elsewhere.
const LAPSE_REPEAT: Duration = Duration::from_secs(5 * 60);

/// For tests only, and only in debug builds: `STATUSPOST_TEST_LAPSE_REPEAT_MS=N`
/// replaces [`LAPSE_REPEAT`], so the test of the repeat takes seconds.
fn lapse_repeat() -> Duration {
    #[cfg(debug_assertions)]
    if let Some(ms) = std::env::var("STATUSPOST_TEST_LAPSE_REPEAT_MS")
        .ok()
        .and_then(|ms| ms.parse::<u64>().ok())
        .filter(|&ms| ms > 0)
    {
        return Duration::from_millis(ms);
    }
    LAPSE_REPEAT
}

/// What the loop builds, and where.
pub(crate) struct Options<'a> {
    /// The site folder, as the author named it: diagnostics show paths under it.
    pub root: &'a Path,
    pub out_dir: &'a Path,
    /// Turns the site's config into "now"; asked on every build and every promise check.
    pub now: &'a dyn Fn(&crate::model::Config) -> anyhow::Result<Now>,
}

/// What a changed path can affect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChangeKind {
    /// Under `incidents/` or `maintenance/` (the folders themselves included).
    Incident,
    /// `statuspost.toml`, or the site's strings under `i18n/`.
    Config,
    /// Under `templates/`.
    Templates,
    /// Nothing a build reads: the output, `target/`, `.git/`, swap files, other files.
    Ignored,
}

/// Sorts one path from the watcher. `root` and `out_dir` must be absolute and
/// canonical, as the watcher's paths are.
pub(crate) fn classify(root: &Path, out_dir: &Path, path: &Path) -> ChangeKind {
    if path.starts_with(out_dir) {
        return ChangeKind::Ignored;
    }
    let Ok(rel) = path.strip_prefix(root) else {
        return ChangeKind::Ignored;
    };
    let mut names = Vec::new();
    for component in rel.components() {
        match component {
            Component::Normal(name) => names.push(name),
            // Not a path under the root after all.
            _ => return ChangeKind::Ignored,
        }
    }
    let (Some(first), Some(last)) = (names.first(), names.last()) else {
        return ChangeKind::Ignored;
    };
    // The loader skips hidden files and folders at every level (`.git` among them),
    // so a change there cannot change the site.
    if names[..names.len() - 1].iter().any(|n| is_hidden(n)) || is_scratch(last) {
        return ChangeKind::Ignored;
    }
    if (names.len() == 1 && *first == OsStr::new(config::FILE_NAME))
        || *first == OsStr::new(crate::i18n::DIR)
    {
        ChangeKind::Config
    } else if *first == OsStr::new(INCIDENTS_DIR) || *first == OsStr::new(MAINTENANCE_DIR) {
        ChangeKind::Incident
    } else if *first == OsStr::new(templates::DIR) {
        ChangeKind::Templates
    } else {
        // `target/`, the default `site/`, READMEs: nothing a build reads.
        ChangeKind::Ignored
    }
}

fn is_hidden(name: &OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// Files editors write beside the one being edited, which the loader never reads.
fn is_scratch(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    const SUFFIXES: &[&str] = &[
        "~",            // backups (vim, emacs)
        ".swp",         // vim swap files, when not hidden
        ".swo",         //
        ".swx",         //
        ".tmp",         // many editors' save-then-rename temp files
        ".bak",         //
        "___jb_tmp___", // JetBrains safe write
        "___jb_old___", //
    ];
    name.starts_with('.') // vim `.x.swp`, emacs `.#x` locks, our own `.x.tmp-PID`
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#')) // emacs auto-save
        || SUFFIXES.iter().any(|s| name.ends_with(s))
        || is_vim_probe(&name)
}

/// Vim checks it may write in a folder by creating `4913`, then `5036` and on
/// in steps of 123 while the name is taken. Folders named for a year stay relevant.
fn is_vim_probe(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_digit())
        && name
            .parse::<u64>()
            .is_ok_and(|n| n >= 4913 && (n - 4913) % 123 == 0)
}

/// Whether an event's kind says a file's content, name or existence changed.
/// Opens and closes-after-reading are the build's own reads: taking them would rebuild forever.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        // chmod, and timestamps: not content.
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) => true,
        EventKind::Any | EventKind::Other => true,
    }
}

/// The relevant changes gathered between two rebuilds.
#[derive(Debug, Default)]
struct Batch {
    /// Each changed path, relative to the root, with its kind.
    changes: BTreeMap<PathBuf, ChangeKind>,
    /// The watcher lost events or failed: anything may have changed.
    rescan: bool,
}

impl Batch {
    /// Adds one raw event; returns whether it can change the site.
    fn add(&mut self, event: notify::Result<notify::Event>, root: &Path, out_dir: &Path) -> bool {
        let event = match event {
            Ok(event) => event,
            Err(err) => {
                warn(&format!(
                    "the file watcher reported a problem: {err}; rebuilding in case a change was missed"
                ));
                self.rescan = true;
                return true;
            }
        };
        if event.need_rescan() {
            self.rescan = true;
            return true;
        }
        if !is_change(&event.kind) {
            return false;
        }
        let mut relevant = false;
        for path in &event.paths {
            let kind = classify(root, out_dir, path);
            if kind != ChangeKind::Ignored {
                let rel = path.strip_prefix(root).unwrap_or(path).to_path_buf();
                self.changes.insert(rel, kind);
                relevant = true;
            }
        }
        relevant
    }

    /// Whether `incidents/` or `templates/` itself appeared, vanished or was replaced.
    fn touches_watched_dir(&self) -> bool {
        self.rescan
            || self
                .changes
                .keys()
                .any(|rel| WATCHED_DIRS.iter().any(|d| rel == Path::new(d)))
    }

    /// "incidents/a.md, statuspost.toml and 3 more"
    fn describe(&self) -> String {
        const SHOWN: usize = 3;
        if self.changes.is_empty() {
            return "files".into();
        }
        let names: Vec<String> = self
            .changes
            .keys()
            .take(SHOWN)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .collect();
        let rest = self.changes.len().saturating_sub(SHOWN);
        if rest == 0 {
            names.join(", ")
        } else {
            format!("{} and {rest} more", names.join(", "))
        }
    }
}

/// Takes events until `quiet` has passed without a relevant one, or `max` since
/// the call. `take` sees every event and says whether it was relevant.
/// Returns false if the watcher has gone away.
fn settle<T>(
    rx: &Receiver<T>,
    quiet: Duration,
    max: Duration,
    mut take: impl FnMut(T) -> bool,
) -> bool {
    let start = Instant::now();
    let deadline = start + max;
    let mut quiet_at = start + quiet;
    loop {
        let until = quiet_at.min(deadline);
        let now = Instant::now();
        if now >= until {
            return true;
        }
        match rx.recv_timeout(until - now) {
            Ok(item) => {
                // An irrelevant event (the build's own output) must not hold the rebuild back.
                if take(item) {
                    quiet_at = Instant::now() + quiet;
                }
            }
            Err(RecvTimeoutError::Timeout) => return true,
            Err(RecvTimeoutError::Disconnected) => return false,
        }
    }
}

/// How close an incident is to breaking its promise of a next update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    DueSoon,
    Lapsed,
}

/// Remembers each open incident's [`Level`] and when it was last reported, so
/// a warning is printed when a promise gets worse (none, due soon, lapsed),
/// and again every `repeat` while it stays lapsed, not on every check.
#[derive(Debug)]
struct Promises {
    levels: HashMap<String, (Level, Instant)>,
    repeat: Duration,
}

impl Promises {
    fn new(repeat: Duration) -> Promises {
        Promises {
            levels: HashMap::new(),
            repeat,
        }
    }

    /// The indices of `current` to report at `now`: worse than last time, or
    /// lapsed and last reported `repeat` ago. Incidents missing from `current`
    /// are forgotten, so that after a new update a later lapse is reported again.
    fn escalated(&mut self, current: &[(&str, Level)], now: Instant) -> Vec<usize> {
        let mut escalated = Vec::new();
        let mut levels = HashMap::with_capacity(current.len());
        for (i, &(slug, level)) in current.iter().enumerate() {
            let report = match self.levels.get(slug) {
                Some(&(was, at)) => {
                    level > was || (level == Level::Lapsed && now - at >= self.repeat)
                }
                None => true,
            };
            let reported = if report {
                escalated.push(i);
                now
            } else {
                self.levels[slug].1
            };
            levels.insert(slug.to_string(), (level, reported));
        }
        self.levels = levels;
        escalated
    }
}

/// What the loop remembers between rebuilds.
struct Session<'a> {
    options: &'a Options<'a>,
    /// The last site that loaded, for promise checks while the content is broken.
    site: Option<Site>,
    promises: Promises,
    /// Parsed files and compiled templates, reused while unchanged.
    build: build::Session,
}

impl Session<'_> {
    /// `[23:10:04 GMT] `, or nothing when "now" cannot be had or no build has
    /// read a config to take it from.
    fn stamp(&self) -> String {
        let Some(site) = &self.site else {
            return String::new();
        };
        (self.options.now)(&site.config)
            .map(|now| stamp(now, site.config.timezone))
            .unwrap_or_default()
    }

    fn rebuild(&mut self, on_built: &mut dyn FnMut(&Rebuilt<'_>)) {
        let options = self.options;
        match self.build.build(options.root, options.out_dir, options.now) {
            Ok(Outcome::Built(built)) => {
                report::diagnostics(&built.warnings);
                let tz = built.site.config.timezone;
                eprintln!(
                    "{}{}",
                    stamp(built.now, tz),
                    report::summary(&built, options.out_dir)
                );
                on_built(&Rebuilt::Built(&built));
                let Built { site, now, .. } = *built;
                self.site = Some(site);
                self.check_promises_at(now);
            }
            Ok(Outcome::Invalid(diagnostics)) => {
                report::diagnostics(&diagnostics);
                self.keeping_last_good();
                on_built(&Rebuilt::Invalid(&diagnostics));
            }
            Err(err) => {
                report::error(&err);
                self.keeping_last_good();
                on_built(&Rebuilt::Failed(&err));
            }
        }
    }

    fn keeping_last_good(&self) {
        eprintln!(
            "{}the build failed; the last good build stays in `{}` until it is fixed",
            self.stamp(),
            self.options.out_dir.display()
        );
    }

    fn check_promises(&mut self) {
        let Some(site) = &self.site else {
            return;
        };
        match (self.options.now)(&site.config) {
            Ok(now) => self.check_promises_at(now),
            Err(err) => warn(&format!("cannot check promises: {err}")),
        }
    }

    fn check_promises_at(&mut self, now: Now) {
        let Some(site) = &self.site else {
            return;
        };
        let tz = site.config.timezone;
        let findings = lapse::evaluate(site, now);
        // Only a late or nearly late promise is news; a missing one is `check`'s to report.
        let (findings, levels): (Vec<_>, Vec<_>) = findings
            .iter()
            .filter_map(|f| {
                let level = match f.promise {
                    Promise::Lapsed { .. } => Level::Lapsed,
                    Promise::DueSoon { .. } => Level::DueSoon,
                    Promise::Missing => return None,
                };
                Some((f, (f.incident.slug.as_str(), level)))
            })
            .unzip();
        let mut stderr = std::io::stderr().lock();
        for i in self.promises.escalated(&levels, Instant::now()) {
            let _ = writeln!(
                stderr,
                "{}warning: {}",
                stamp(now, tz),
                findings[i].message(tz)
            );
        }
    }
}

/// `[23:10:04 GMT] `
fn stamp(now: Now, tz: Tz) -> String {
    clock::local(now, tz).format("[%H:%M:%S %Z] ").to_string()
}

fn warn(message: &str) {
    eprintln!("warning: {message}");
}

/// The watcher, and the folders it watches recursively.
struct Watch {
    watcher: RecommendedWatcher,
    /// Canonical, as the watcher reports paths.
    root: PathBuf,
}

impl Watch {
    fn start(
        root: PathBuf,
        tx: mpsc::Sender<notify::Result<notify::Event>>,
    ) -> anyhow::Result<Watch> {
        let mut watcher = notify::recommended_watcher(tx).context("cannot start watching files")?;
        watcher
            .watch(&root, RecursiveMode::NonRecursive)
            .with_context(|| format!("cannot watch `{}`", root.display()))?;
        let mut watch = Watch { watcher, root };
        watch.watch_dirs();
        Ok(watch)
    }

    /// (Re)watches `incidents/` and `templates/` when they exist.
    fn watch_dirs(&mut self) {
        for name in WATCHED_DIRS {
            let dir = self.root.join(name);
            if !dir.is_dir() {
                continue;
            }
            if let Err(err) = self.watcher.watch(&dir, RecursiveMode::Recursive) {
                warn(&format!(
                    "cannot watch `{}`: {err}; changes in it will not be seen until statuspost is restarted",
                    dir.display()
                ));
            }
        }
    }
}

/// The output folder as the watcher would name it. It may not exist yet (the
/// first build failed); then its parent is resolved instead.
fn canonical_out_dir(out_dir: &Path) -> PathBuf {
    if let Ok(dir) = out_dir.canonicalize() {
        return dir;
    }
    let absolute = std::path::absolute(out_dir).unwrap_or_else(|_| out_dir.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => parent
            .canonicalize()
            .map_or_else(|_| absolute.clone(), |p| p.join(name)),
        _ => absolute,
    }
}

/// Builds the site, then rebuilds it after every change until the watcher
/// fails, calling `on_built` after every attempt, good or not. Between changes,
/// checks open incidents' promises every [`PROMISE_CHECK`].
pub(crate) fn rebuild_on_change(
    options: &Options<'_>,
    on_built: &mut dyn FnMut(&Rebuilt<'_>),
) -> anyhow::Result<Infallible> {
    let root = options
        .root
        .canonicalize()
        .with_context(|| format!("cannot watch `{}`", options.root.display()))?;
    let (tx, rx) = mpsc::channel();
    // Watch before the first build, so a change made while it runs is not lost.
    let mut watch = Watch::start(root.clone(), tx)?;
    let mut session = Session {
        options,
        site: None,
        promises: Promises::new(lapse_repeat()),
        build: build::Session::default(),
    };
    session.rebuild(on_built);
    eprintln!(
        "{}watching `{}` for changes; press Ctrl-C to stop",
        session.stamp(),
        options.root.display()
    );
    // Often enough to repeat a lapse warning on time.
    let check_every = PROMISE_CHECK.min(session.promises.repeat);
    let mut next_check = Instant::now() + check_every;
    loop {
        let wait = next_check.saturating_duration_since(Instant::now());
        match rx.recv_timeout(wait) {
            Ok(event) => {
                // Resolved per batch: the folder appears with the first good build.
                let out_dir = canonical_out_dir(options.out_dir);
                let mut batch = Batch::default();
                if !batch.add(event, &root, &out_dir) {
                    continue;
                }
                let alive = settle(&rx, QUIET, MAX_WAIT, |event| {
                    batch.add(event, &root, &out_dir)
                });
                if !alive {
                    break;
                }
                if batch.touches_watched_dir() {
                    watch.watch_dirs();
                }
                eprintln!(
                    "{}changed: {}; rebuilding",
                    session.stamp(),
                    batch.describe()
                );
                session.rebuild(on_built);
            }
            Err(RecvTimeoutError::Timeout) => {
                session.check_promises();
                next_check = Instant::now() + check_every;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    anyhow::bail!("the file watcher stopped unexpectedly")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(path: &str) -> ChangeKind {
        classify(
            Path::new("/site"),
            Path::new("/site/public"),
            &Path::new("/site").join(path),
        )
    }

    #[test]
    fn sorts_paths_into_kinds() {
        assert_eq!(kind("statuspost.toml"), ChangeKind::Config);
        assert_eq!(kind("incidents/2026-11-22-api.md"), ChangeKind::Incident);
        assert_eq!(kind("incidents/2026/11/api.md"), ChangeKind::Incident);
        // A folder created, removed or renamed may hold incidents.
        assert_eq!(kind("incidents"), ChangeKind::Incident);
        assert_eq!(kind("incidents/2026"), ChangeKind::Incident);
        assert_eq!(kind("templates/index.html"), ChangeKind::Templates);
        assert_eq!(kind("templates"), ChangeKind::Templates);
        // Maintenance windows are content like incidents; a regression: edits
        // to them were once ignored until something else changed.
        assert_eq!(kind("maintenance/2026-11-28-db.md"), ChangeKind::Incident);
        assert_eq!(kind("i18n/de.toml"), ChangeKind::Config);
    }

    #[test]
    fn ignores_what_no_build_reads() {
        for path in [
            "public/index.html",
            "public/incidents/x/index.html",
            "target/debug/statuspost",
            ".git/index",
            ".git/objects/ab/cdef",
            "README.md",
            "site/index.html",
            "incidents/.api.md.swp",
            "incidents/.api.md.swx",
            "incidents/api.md.swp",
            "incidents/api.md~",
            "incidents/.#api.md",
            "incidents/#api.md#",
            "incidents/4913",
            "incidents/5036",
            "incidents/api.md___jb_tmp___",
            "incidents/.api.md.tmp-1234",
            "incidents/.drafts/api.md",
            "templates/.index.html.swp",
            "statuspost.toml~",
            ".statuspost.toml.swp",
            "",
        ] {
            assert_eq!(kind(path), ChangeKind::Ignored, "{path}");
        }
        assert_eq!(
            classify(
                Path::new("/site"),
                Path::new("/out"),
                Path::new("/elsewhere/x.md")
            ),
            ChangeKind::Ignored
        );
        // An output folder inside incidents/ is still the output.
        assert_eq!(
            classify(
                Path::new("/site"),
                Path::new("/site/incidents/out"),
                Path::new("/site/incidents/out/index.html")
            ),
            ChangeKind::Ignored
        );
    }

    #[test]
    fn reads_are_not_changes() {
        use notify::event::{CreateKind, DataChange, MetadataKind, RemoveKind, RenameMode};
        assert!(!is_change(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(!is_change(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::Any
        ))));
        assert!(is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
        assert!(is_change(&EventKind::Remove(RemoveKind::File)));
        assert!(is_change(&EventKind::Modify(ModifyKind::Data(
            DataChange::Any
        ))));
        assert!(is_change(&EventKind::Modify(ModifyKind::Name(
            RenameMode::Both
        ))));
    }

    #[test]
    fn an_atomic_save_is_one_relevant_change() {
        use notify::event::{CreateKind, RenameMode};
        let root = Path::new("/site");
        let out = Path::new("/site/site");
        let mut batch = Batch::default();
        let tmp = root.join("incidents/.api.md.tmp");
        let real = root.join("incidents/api.md");
        assert!(!batch.add(
            Ok(notify::Event::new(EventKind::Create(CreateKind::File)).add_path(tmp.clone())),
            root,
            out
        ));
        assert!(batch.add(
            Ok(
                notify::Event::new(EventKind::Modify(ModifyKind::Name(RenameMode::Both)))
                    .add_path(tmp)
                    .add_path(real)
            ),
            root,
            out
        ));
        assert_eq!(batch.describe(), "incidents/api.md");
        assert!(!batch.touches_watched_dir());
    }

    #[test]
    fn a_lost_event_means_rebuild_everything() {
        let mut batch = Batch::default();
        let overflow = notify::Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan);
        assert!(batch.add(Ok(overflow), Path::new("/site"), Path::new("/site/site")));
        assert!(batch.touches_watched_dir());
    }

    #[test]
    fn describes_many_changes_briefly() {
        let mut batch = Batch::default();
        for i in 0..5 {
            batch.changes.insert(
                PathBuf::from(format!("incidents/{i}.md")),
                ChangeKind::Incident,
            );
        }
        assert_eq!(
            batch.describe(),
            "incidents/0.md, incidents/1.md, incidents/2.md and 2 more"
        );
    }

    #[test]
    fn settles_after_a_burst_goes_quiet() {
        let (tx, rx) = mpsc::channel();
        let sender = std::thread::spawn(move || {
            for i in 0..5 {
                let _ = tx.send(i);
                std::thread::sleep(Duration::from_millis(20));
            }
            // Keep the channel open: settling must end on quiet, not on disconnection.
            std::thread::sleep(Duration::from_secs(3));
        });
        let mut seen = Vec::new();
        let start = Instant::now();
        // A quiet period far above the 20 ms gaps, so a loaded machine cannot split the burst.
        let alive = settle(
            &rx,
            Duration::from_millis(500),
            Duration::from_secs(10),
            |i| {
                seen.push(i);
                true
            },
        );
        assert!(alive);
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(seen, vec![0, 1, 2, 3, 4]);
        let _ = sender.join();
    }

    #[test]
    fn settling_gives_up_waiting_for_quiet() {
        let (tx, rx) = mpsc::channel();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop_sender = std::sync::Arc::clone(&stop);
        let sender = std::thread::spawn(move || {
            while !stop_sender.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = tx.send(());
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        let start = Instant::now();
        // The quiet period is long enough that a stalled sender on a loaded machine
        // cannot end the wait early: only the cap can.
        let alive = settle(
            &rx,
            Duration::from_millis(400),
            Duration::from_secs(1),
            |()| true,
        );
        let elapsed = start.elapsed();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = sender.join();
        assert!(alive);
        assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
        assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
    }

    #[test]
    fn irrelevant_events_do_not_delay_the_rebuild() {
        let (tx, rx) = mpsc::channel();
        let sender = std::thread::spawn(move || {
            for _ in 0..200 {
                if tx.send(()).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        let start = Instant::now();
        settle(
            &rx,
            Duration::from_millis(100),
            Duration::from_secs(5),
            |()| false,
        );
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
        drop(rx);
        let _ = sender.join();
    }

    #[test]
    fn settling_notices_the_watcher_is_gone() {
        let (tx, rx) = mpsc::channel::<()>();
        drop(tx);
        assert!(!settle(&rx, QUIET, MAX_WAIT, |()| true));
    }

    #[test]
    fn warns_once_per_step_towards_a_lapse() {
        let mut promises = Promises::new(Duration::from_secs(300));
        let t = Instant::now();
        assert_eq!(promises.escalated(&[("api", Level::DueSoon)], t), vec![0]);
        assert!(promises.escalated(&[("api", Level::DueSoon)], t).is_empty());
        // `api` got worse and `db` is new: both are news.
        let both = [("api", Level::Lapsed), ("db", Level::DueSoon)];
        assert_eq!(promises.escalated(&both, t), vec![0, 1]);
        assert!(promises.escalated(&both, t).is_empty());
        // A late update that promises the next one soon: better, so quiet; `db` was resolved.
        assert!(promises.escalated(&[("api", Level::DueSoon)], t).is_empty());
        assert_eq!(promises.escalated(&[("api", Level::Lapsed)], t), vec![0]);
        // Resolved `db` was forgotten, so a new lapse is news, even straight from fine.
        assert_eq!(promises.escalated(&[("db", Level::Lapsed)], t), vec![0]);
        assert!(promises.escalated(&[], t).is_empty());
        assert_eq!(promises.escalated(&[("api", Level::Lapsed)], t), vec![0]);
    }

    #[test]
    fn repeats_a_lapse_while_it_lasts_but_not_due_soon() {
        let mut promises = Promises::new(Duration::from_secs(300));
        let t = Instant::now();
        let current = [("api", Level::Lapsed), ("db", Level::DueSoon)];
        assert_eq!(promises.escalated(&current, t), vec![0, 1]);
        let later = |s| t + Duration::from_secs(s);
        assert!(promises.escalated(&current, later(299)).is_empty());
        assert_eq!(promises.escalated(&current, later(300)), vec![0]);
        // Counted from the repeat, not from the first warning.
        assert!(promises.escalated(&current, later(599)).is_empty());
        assert_eq!(promises.escalated(&current, later(600)), vec![0]);
    }

    #[test]
    fn vim_probes_but_not_years() {
        assert!(is_vim_probe("4913"));
        assert!(is_vim_probe("5036"));
        assert!(!is_vim_probe("2026"));
        assert!(!is_vim_probe("4914"));
        assert!(!is_vim_probe("+4913"));
        assert!(!is_vim_probe(""));
    }
}
