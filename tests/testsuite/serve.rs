//! `serve` and `watch`: the real binary, a real socket and real file changes.
//!
//! Every wait is a bounded poll, so a slow machine makes these tests slower,
//! not flaky; every child process is killed when its test ends, pass or fail.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{assert_inert, TestSite};

const NOW: &str = "2026-11-22T12:00:00Z";

/// How long anything may take on a loaded machine before a test gives up.
const PATIENCE: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(50);

const SLUG: &str = "2026-11-22-api-errors";

/// An open incident whose latest update is at `at` and promises the next after `next`.
fn incident(title: &str, at: &str, next: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\nimpact = \"major\"\ncomponents = [\"api\"]\n+++\n\n\
         +++\nstate = \"investigating\"\nat = {at}\nnext_update = \"{next}\"\n+++\n\
         We are looking into it.\n"
    )
}

/// A site with one incident, open, whose next update is not due for a while.
fn site_with(title: &str) -> TestSite {
    let site = TestSite::new();
    site.incident(SLUG, &incident(title, "2026-11-22T11:50:00Z", "1h"));
    site
}

/// A running `statuspost` child, killed when dropped.
struct Running {
    child: Child,
    stderr: Arc<Mutex<String>>,
    stdout: mpsc::Receiver<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    fn start(site: &TestSite, args: &[&str]) -> Running {
        Running::start_with_env(site, args, &[])
    }

    fn start_with_env(site: &TestSite, args: &[&str], env: &[(&str, &str)]) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_statuspost"))
            .args(args)
            .envs(env.iter().copied())
            .current_dir(site.root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start statuspost");
        // Both pipes are drained for the whole run: a full pipe would block the child.
        let stderr = Arc::new(Mutex::new(String::new()));
        if let Some(pipe) = child.stderr.take() {
            let stderr = Arc::clone(&stderr);
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    let mut text = stderr.lock().unwrap_or_else(|e| e.into_inner());
                    text.push_str(&line);
                    text.push('\n');
                }
            });
        }
        let (tx, stdout) = mpsc::channel();
        if let Some(pipe) = child.stdout.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    let _ = tx.send(line);
                }
            });
        }
        Running {
            child,
            stderr,
            stdout,
        }
    }

    fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Polls `check` until it gives a value; fails the test after [`PATIENCE`].
    fn eventually<T>(&self, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(value) = check() {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}\nstderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(POLL);
        }
    }
}

/// `serve --port 0 --now NOW` in the site, and the port it printed.
fn serve(site: &TestSite) -> (Running, u16) {
    serve_with_env(site, &[])
}

fn serve_with_env(site: &TestSite, env: &[(&str, &str)]) -> (Running, u16) {
    let running = Running::start_with_env(site, &["serve", "--port", "0", "--now", NOW], env);
    let line = running
        .stdout
        .recv_timeout(PATIENCE)
        .unwrap_or_else(|e| panic!("no line on stdout ({e})\nstderr:\n{}", running.stderr()));
    let port = line
        .strip_prefix("Serving http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix('/'))
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
    (running, port)
}

struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// One HTTP/1.1 request over a fresh connection.
fn request(port: u16, method: &str, target: &str) -> Reply {
    exchange(
        port,
        &format!(
            "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
        ),
    )
}

/// Sends `raw` as the whole request and reads the whole response.
fn exchange(port: u16, raw: &str) -> Reply {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, PATIENCE).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    stream.write_all(raw.as_bytes()).expect("send request");
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).expect("read response");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of head in {text:?}"));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    Reply {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

fn get(port: u16, target: &str) -> Reply {
    request(port, "GET", target)
}

/// The served home page, once it satisfies `ready`.
fn home_when(running: &Running, port: u16, what: &str, ready: impl Fn(&str) -> bool) -> String {
    running.eventually(what, || {
        let reply = get(port, "/");
        (reply.status == 200 && ready(&reply.body)).then_some(reply.body)
    })
}

/// The script served pages get; the page on disk must not have it.
fn reload_snippet(page: &str) -> &str {
    let start = page
        .find("<script>")
        .expect("no reload script in the served page");
    let end = page[start..]
        .find("</script>")
        .expect("script never closed")
        + start;
    &page[start..end + "</script>".len()]
}

#[test]
fn serves_the_built_site_with_a_reload_script_only_when_served() {
    let site = site_with("Elevated error rates");
    let (_running, port) = serve(&site);

    let home = get(port, "/");
    assert_eq!(home.status, 200, "{}", home.body);
    assert_eq!(
        home.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(home.header("Cache-Control"), Some("no-store"));
    assert!(home.body.contains("Elevated error rates"), "{}", home.body);
    let snippet = reload_snippet(&home.body);
    assert!(snippet.contains("/__statuspost/wait?version="), "{snippet}");
    assert!(snippet.contains("location.reload()"), "{snippet}");

    // The same page on disk: byte for byte what was served, less the script and
    // the policy that forbids scripts in published pages (lifted only for the preview).
    let on_disk = site.read("site/index.html");
    assert!(!on_disk.contains("<script"), "{on_disk}");
    assert_inert("site/index.html", &on_disk);
    let policy_at = on_disk
        .find("<meta content=\"default-src 'none'")
        .expect("the published page carries a CSP");
    let policy_end = policy_at + on_disk[policy_at..].find('>').unwrap() + 1;
    let without_policy = format!("{}{}", &on_disk[..policy_at], &on_disk[policy_end..]);
    assert!(
        !home.body.contains("Content-Security-Policy"),
        "the preview lifts it"
    );
    assert!(
        home.body.replace(snippet, "") == without_policy,
        "served page differs from the one on disk"
    );

    let page = get(port, &format!("/incidents/{SLUG}/"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Elevated error rates"));
    assert!(page.body.contains("<script>"));

    let moved = get(port, &format!("/incidents/{SLUG}"));
    assert_eq!(moved.status, 301);
    assert_eq!(
        moved.header("Location"),
        Some(format!("/incidents/{SLUG}/").as_str())
    );

    let feed = get(port, "/feed.xml");
    assert_eq!(feed.status, 200);
    assert_eq!(
        feed.header("Content-Type"),
        Some("application/rss+xml; charset=utf-8")
    );
    assert_eq!(
        feed.body,
        site.read("site/feed.xml"),
        "feeds are served as built"
    );

    let head = request(port, "HEAD", "/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("Content-Length"),
        Some(home.body.len().to_string().as_str())
    );

    let missing = get(port, "/no-such-page/");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );

    for target in [
        "/../statuspost.toml",
        "/incidents/%2e%2e/%2e%2e/statuspost.toml",
        "/%00",
    ] {
        assert_eq!(get(port, target).status, 400, "{target}");
    }
    assert_eq!(request(port, "POST", "/").status, 405);
    // A page on another site reaching in through DNS rebinding sees nothing.
    let rebound = exchange(port, "GET / HTTP/1.1\r\nHost: rebind.example:80\r\n\r\n");
    assert_eq!(rebound.status, 403);
    assert!(!rebound.body.contains("Elevated error rates"));
    // Nothing after all that took the server down.
    assert_eq!(get(port, "/").status, 200);
}

/// A regression: the preview sent `feed.atom` as `application/octet-stream`
/// (a browser downloads it rather than showing it), while `_headers` told hosts
/// `application/atom+xml`. Both now read one table.
#[test]
fn files_are_served_with_the_types_hosts_are_told() {
    let site = site_with("Elevated error rates");
    let (running, port) = serve(&site);
    home_when(&running, port, "the first build", |_| true);
    for (target, content_type) in [
        ("/feed.atom", "application/atom+xml; charset=utf-8"),
        ("/feed.xml", "application/rss+xml; charset=utf-8"),
        ("/maintenance.ics", "text/calendar; charset=utf-8"),
        ("/badge.svg", "image/svg+xml"),
        ("/api/v2/status.json", "application/json"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/history/", "text/html; charset=utf-8"),
    ] {
        let reply = get(port, target);
        assert_eq!(reply.status, 200, "{target}: {}", reply.body);
        assert_eq!(reply.header("Content-Type"), Some(content_type), "{target}");
    }
    let headers = site.read("site/_headers");
    for (file, content_type) in [
        ("feed.xml", "application/rss+xml; charset=utf-8"),
        ("feed.atom", "application/atom+xml; charset=utf-8"),
    ] {
        let rule = format!("/{file}\n  Content-Type: {content_type}\n");
        assert!(headers.contains(&rule), "{rule:?} not in {headers}");
    }
}

/// Fails unless `target` was refused without a byte of a file from outside
/// the output folder: the secret below and `/etc/passwd` both hold `root:`.
fn assert_refused(target: &str, reply: &Reply) {
    assert!(
        matches!(reply.status, 400 | 404),
        "{target}: {} {}",
        reply.status,
        reply.body
    );
    assert!(
        !reply.body.contains("root:"),
        "{target} served a file from outside the output folder: {}",
        reply.body
    );
}

/// The text of a file beside the output folder, which must never be served.
const SECRET: &str = "root:x:0:0:a file outside the output folder\n";

/// A regression: a request path that was absolute once decoded (`//etc/passwd`,
/// `/%2Fetc/hostname`) was joined onto the output folder, and `Path::join`
/// replaced the folder with it: the preview served any file on the machine.
#[test]
fn serves_nothing_from_outside_the_output_folder() {
    let site = site_with("Elevated error rates");
    // Not under the site's own temp folder: its name starts with a dot, and
    // dotted names are refused for another reason.
    let outside = tempfile::Builder::new()
        .prefix("statuspost-secret-")
        .tempdir()
        .expect("temp dir");
    std::fs::write(outside.path().join("secret.txt"), SECRET).expect("write");
    let secret = outside
        .path()
        .join("secret.txt")
        .canonicalize()
        .expect("canonical path");
    let secret = secret.to_str().expect("a UTF-8 temp path");
    let (running, port) = serve(&site);
    home_when(&running, port, "the first build", |_| true);
    let mut targets: Vec<String> = [
        "//etc/passwd",
        "//etc/hostname",
        "/%2Fetc/passwd",
        "/%2fetc/passwd",
        "/%2Fetc/hostname",
        "/..%2f..%2fetc/passwd",
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..\\..\\etc\\passwd",
        "/%5c..%5c..%5cetc%5cpasswd",
        "/%5cetc%5cpasswd",
        "/%00",
        "/index.html%00",
        "/%00/etc/passwd",
        "/../secret.txt",
        "/..%2fsecret.txt",
        "/.%2e/secret.txt",
        "/./index.html/../../secret.txt",
        "/C:/Windows/win.ini",
        "/c%3a%5cwindows%5cwin.ini",
    ]
    .map(String::from)
    .to_vec();
    targets.push(format!("/{secret}"));
    targets.push(format!("/{}", secret.replace('/', "%2F")));
    targets.push(format!("http://127.0.0.1:{port}/{secret}"));
    for target in &targets {
        assert_refused(target, &get(port, target));
    }
    // Still serving, and still serving what is inside.
    assert_eq!(get(port, "/index.html").status, 200);
}

/// A symlink someone left in the output folder is followed only as far as the
/// folder's edge: the preview serves the site, not what a link points at.
#[cfg(unix)]
#[test]
fn a_symlink_in_the_output_folder_is_not_followed_out_of_it() {
    use std::os::unix::fs::symlink;
    let site = site_with("Elevated error rates");
    site.write("secret.txt", SECRET);
    let (running, port) = serve(&site);
    home_when(&running, port, "the first build", |_| true);
    symlink(site.path("secret.txt"), site.path("site/leak.txt")).expect("symlink");
    symlink(site.root(), site.path("site/up")).expect("symlink");
    symlink("/etc/passwd", site.path("site/passwd")).expect("symlink");
    for target in ["/leak.txt", "/up/secret.txt", "/passwd"] {
        let reply = get(port, target);
        assert_eq!(reply.status, 404, "{target}: {}", reply.body);
        assert_refused(target, &reply);
    }
    // A link that stays inside the folder names a file of the site.
    symlink("index.html", site.path("site/home.html")).expect("symlink");
    assert_eq!(get(port, "/home.html").status, 200);
}

/// A regression: 80 local connections each sending a byte every 4 s held
/// every connection slot, and `serve` answered 503 to every browser for as
/// long as they kept trickling. The head deadline is shortened (through the
/// test-only variable) so that this takes seconds, not the real deadline.
#[test]
fn slow_connections_do_not_lock_out_a_browser() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let site = site_with("Elevated error rates");
    let (running, port) = serve_with_env(&site, &[("STATUSPOST_TEST_HEAD_DEADLINE_MS", "1000")]);
    home_when(&running, port, "the first build", |_| true);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut slow: Vec<TcpStream> = (0..70)
        .map(|_| TcpStream::connect_timeout(&addr, PATIENCE).expect("connect"))
        .collect();
    for stream in &mut slow {
        // The server may already have dropped it: that is the point.
        let _ = stream.write_all(b"GET / HTTP/1.1\r\nX-Slow: ");
    }
    let stop = Arc::new(AtomicBool::new(false));
    let trickler = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                for stream in &mut slow {
                    let _ = stream.write_all(b"a");
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    // Let the server take them all in before the browser arrives.
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    let home = get(port, "/");
    let waited = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    let _ = trickler.join();
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(home.body.contains("Elevated error rates"));
    assert!(waited < Duration::from_secs(5), "{waited:?}");
}

#[test]
fn a_change_is_served_and_an_error_shown_over_the_last_good_site() {
    let site = site_with("Elevated error rates");
    let (running, port) = serve(&site);
    home_when(&running, port, "the first build", |p| {
        p.contains("Elevated error rates")
    });

    site.incident(
        SLUG,
        &incident("Slow API responses", "2026-11-22T11:50:00Z", "1h"),
    );
    home_when(&running, port, "the changed title", |p| {
        p.contains("Slow API responses")
    });

    // A broken file: the last good page stays, with the error over it.
    site.incident("2026-11-22-broken", "+++\ntitle = \"Unfinished\"\n");
    let page = home_when(&running, port, "the error overlay", |p| {
        p.contains("statuspost-error")
    });
    let overlay = &page[page.find("statuspost-error").expect("overlay")..];
    assert!(
        overlay.contains("incidents/2026-11-22-broken.md"),
        "{overlay}"
    );
    assert!(
        page.contains("Slow API responses"),
        "last good content kept"
    );
    assert!(!page.contains("Unfinished"));
    assert!(running.stderr().contains("incidents/2026-11-22-broken.md"));
    // The site on disk is the last good build too.
    assert!(!site.read("site/index.html").contains("statuspost-error"));

    site.incident(
        "2026-11-22-broken",
        &incident("Dashboard errors", "2026-11-22T11:55:00Z", "1h"),
    );
    let page = home_when(&running, port, "the overlay to go", |p| {
        !p.contains("statuspost-error") && p.contains("Dashboard errors")
    });
    assert!(page.contains("Slow API responses"));
}

#[test]
fn a_site_broken_from_the_start_shows_why_until_it_is_fixed() {
    let site = TestSite::new();
    site.incident(SLUG, "+++\ntitle = \"Unfinished\"\n");
    let (running, port) = serve(&site);
    let first = get(port, "/");
    assert_eq!(first.status, 503, "no good build to show yet");
    assert!(first.body.contains("statuspost-error"), "{}", first.body);
    assert!(first.body.contains(&format!("incidents/{SLUG}.md")));
    assert!(first.body.contains("<script>"), "reloads once fixed");

    site.incident(SLUG, &incident("Fixed now", "2026-11-22T11:50:00Z", "1h"));
    let page = home_when(&running, port, "the fixed site", |p| {
        p.contains("Fixed now")
    });
    assert!(!page.contains("statuspost-error"));
}

#[test]
fn a_waiting_browser_is_told_of_each_rebuild() {
    let site = site_with("Elevated error rates");
    let (running, port) = serve(&site);
    home_when(&running, port, "the first build", |_| true);
    let version: u64 = get(port, "/__statuspost/wait")
        .body
        .parse()
        .expect("version");

    let waiter =
        std::thread::spawn(move || get(port, &format!("/__statuspost/wait?version={version}")));
    site.incident(
        SLUG,
        &incident("Slow API responses", "2026-11-22T11:50:00Z", "1h"),
    );
    let reply = waiter.join().expect("waiter");
    assert_eq!(reply.status, 200);
    let next: u64 = reply.body.parse().expect("version");
    assert!(next > version, "{next} after {version}");

    // A failed build is news too: the page must reload to show the error.
    site.incident(SLUG, "+++\n");
    running.eventually("a version for the failed build", || {
        let now: u64 = get(port, "/__statuspost/wait").body.parse().ok()?;
        (now > next).then_some(())
    });
}

#[test]
fn survives_atomic_saves_deletions_and_bursts_of_changes() {
    let site = site_with("First");
    let (running, port) = serve(&site);
    home_when(&running, port, "the first build", |p| p.contains("First"));
    let file = site.path(&format!("incidents/{SLUG}.md"));

    // An editor's atomic save: write a temporary file, rename it over the real one.
    let tmp = site.path(&format!("incidents/.{SLUG}.md.tmp"));
    std::fs::write(
        &tmp,
        incident("Saved atomically", "2026-11-22T11:50:00Z", "1h"),
    )
    .expect("write");
    std::fs::rename(&tmp, &file).expect("rename");
    home_when(&running, port, "the atomic save", |p| {
        p.contains("Saved atomically")
    });

    // Deleted, built without it, then created again.
    std::fs::remove_file(&file).expect("remove");
    home_when(&running, port, "the deletion", |p| {
        !p.contains("Saved atomically")
    });
    site.incident(SLUG, &incident("Back again", "2026-11-22T11:50:00Z", "1h"));
    home_when(&running, port, "the re-creation", |p| {
        p.contains("Back again")
    });

    // A burst: whatever is built in between, the last state is what stays served.
    for i in 1..=100 {
        site.incident(
            SLUG,
            &incident(&format!("Burst {i:02}"), "2026-11-22T11:50:00Z", "1h"),
        );
    }
    home_when(&running, port, "the last of the burst", |p| {
        p.contains("Burst 100")
    });

    // The whole incidents folder replaced, as a branch switch might.
    let old = site.path("incidents-old");
    std::fs::rename(site.path("incidents"), &old).expect("move folder");
    home_when(&running, port, "the folder's removal", |p| {
        !p.contains("Burst 100")
    });
    site.incident(
        SLUG,
        &incident("In a new folder", "2026-11-22T11:50:00Z", "1h"),
    );
    home_when(&running, port, "the new folder", |p| {
        p.contains("In a new folder")
    });
    site.incident(
        SLUG,
        &incident("Edited in the new folder", "2026-11-22T11:50:00Z", "1h"),
    );
    home_when(&running, port, "an edit in the new folder", |p| {
        p.contains("Edited in the new folder")
    });

    // Swap and backup files are not content: no rebuild, so no new version.
    // First let any rebuild still queued from the edits above finish, so that
    // only the files below could move the version.
    let mut version = get(port, "/__statuspost/wait").body;
    for _ in 0..20 {
        std::thread::sleep(Duration::from_millis(700));
        let now = get(port, "/__statuspost/wait").body;
        if now == version {
            break;
        }
        version = now;
    }
    for name in [".api.md.swp", "api.md~", ".#api.md", "4913"] {
        site.write(&format!("incidents/{name}"), "not an incident");
    }
    site.write("site-notes.txt", "outside what a build reads");
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(
        get(port, "/__statuspost/wait").body,
        version,
        "{}",
        running.stderr()
    );
}

#[test]
fn watch_rebuilds_the_site_on_disk_and_warns_as_promises_lapse() {
    let site = TestSite::new();
    // Due at 12:03, three minutes after NOW.
    site.incident(
        SLUG,
        &incident("Elevated error rates", "2026-11-22T11:30:00Z", "33m"),
    );
    let running = Running::start(&site, &["watch", "--now", NOW]);
    running.eventually("the first build", || {
        std::fs::read_to_string(site.path("site/index.html"))
            .ok()
            .filter(|p| p.contains("Elevated error rates"))
    });
    let due_soon = format!("[12:00:00 GMT] warning: {SLUG}: the next update is due at");
    running.eventually("the due-soon warning", || {
        running.stderr().contains(&due_soon).then_some(())
    });

    // Now due at 11:50: lapsed ten minutes ago.
    site.incident(
        SLUG,
        &incident("Slow API responses", "2026-11-22T11:30:00Z", "20m"),
    );
    running.eventually("the rebuilt page on disk", || {
        std::fs::read_to_string(site.path("site/index.html"))
            .ok()
            .filter(|p| p.contains("Slow API responses"))
    });
    let lapsed = format!("[12:00:00 GMT] warning: {SLUG}: the next update was promised for");
    running.eventually("the lapse warning", || {
        running.stderr().contains(&lapsed).then_some(())
    });
    assert!(!site.read("site/index.html").contains("<script"));

    // Another rebuild with the promise still lapsed: no repeated warning.
    site.incident(
        "2026-11-22-db",
        &incident("Database latency", "2026-11-22T11:59:00Z", "1h"),
    );
    running.eventually("the second incident on disk", || {
        std::fs::read_to_string(site.path("site/index.html"))
            .ok()
            .filter(|p| p.contains("Database latency"))
    });
    let stderr = running.stderr();
    assert_eq!(stderr.matches(&due_soon).count(), 1, "{stderr}");
    assert_eq!(stderr.matches(&lapsed).count(), 1, "{stderr}");
}

/// Issue 14: a lapsed promise was warned about once, then never again however
/// late it got. It is repeated (every five minutes; a second here) with how late it now is.
#[test]
fn watch_repeats_a_lapse_warning_with_the_growing_delay() {
    let site = TestSite::new();
    // The real clock: the delay must grow. Lapsed two seconds before the start.
    let now = chrono::Utc::now();
    let format = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    site.incident(
        SLUG,
        &format!(
            "+++\ntitle = \"API errors\"\nimpact = \"major\"\ncomponents = [\"api\"]\n+++\n\n\
             +++\nstate = \"investigating\"\nat = {}\nnext_update = {}\n+++\nLooking.\n",
            format(now - chrono::Duration::minutes(10)),
            format(now - chrono::Duration::seconds(2)),
        ),
    );
    let running = Running::start_with_env(
        &site,
        &["watch"],
        &[("STATUSPOST_TEST_LAPSE_REPEAT_MS", "1000")],
    );
    let marker = format!("] warning: {SLUG}: the next update was promised for ");
    let delays = running.eventually("three lapse warnings", || {
        let stderr = running.stderr();
        let delays: Vec<i64> = stderr
            .lines()
            .filter(|l| l.contains(&marker))
            .map(|l| {
                let words = l.rsplit(", ").next().unwrap();
                words
                    .strip_suffix(" seconds ago")
                    .unwrap_or_else(|| panic!("{l}"))
                    .parse()
                    .unwrap()
            })
            .collect();
        (delays.len() >= 3).then_some(delays)
    });
    assert!(
        delays.windows(2).all(|w| w[0] < w[1]),
        "each warning says how late it is now: {delays:?}\n{}",
        running.stderr()
    );
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let site = TestSite::new();
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("address").port().to_string();
    let mut running = Running::start(&site, &["serve", "--port", &port, "--now", NOW]);
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = running.child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "serve kept running on a port in use"
        );
        std::thread::sleep(POLL);
    };
    assert_eq!(status.code(), Some(3), "{}", running.stderr());
    // The pipe is read on another thread: the message may land just after the exit.
    let stderr = running.eventually("the error message", || {
        let stderr = running.stderr();
        stderr.contains("--port").then_some(stderr)
    });
    assert!(stderr.contains(&format!("port {port} ")), "{stderr}");
    drop(taken);
}
