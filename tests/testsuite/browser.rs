//! The demo site as its readers get it: built by the real binary, served on loopback and read in
//! headless Chromium, driven over WebDriver (W3C) by a small synchronous client.
//!
//! Without Chromium, ChromeDriver or axe-core the test says what is missing and passes as skipped,
//! unless `STATUSPOST_REQUIRE_BROWSER=1` (set by `.ci/run`), which makes a missing browser a failure.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::TestSite;

/// The pages a reader in an outage lands on, each with a selector that shows it is the page meant,
/// so that a change to the demo cannot quietly turn a case into another.
const PAGES: &[(&str, &str, &str)] = &[
    ("index", "", ".banner ~ section a.bars"),
    ("component", "components/webhooks/", ".days .mark.d3"),
    (
        "incident-open",
        "incidents/2026-11-22-webhooks-delivery-delays/",
        ".meta .st-identified",
    ),
    (
        "incident-postmortem",
        "incidents/2026-11-12-api-graphql-errors/",
        "#summary",
    ),
    ("history", "history/", ".month .history .status"),
    ("subscribe", "subscribe/", "a[href$='maintenance.ics']"),
    ("history-month", "history/2026-11/", ".pager"),
    (
        "maintenance",
        "maintenance/2026-11-28-database-upgrade/",
        ".meta .mt-scheduled",
    ),
];

const PHONE: (u32, u32, f64, bool) = (360, 780, 2.0, true);
const DESKTOP: (u32, u32, f64, bool) = (1280, 900, 1.0, false);

#[test]
fn the_demo_site_works_in_a_real_browser() {
    let Some(tools) = Tools::find() else {
        return;
    };
    let started = Instant::now();
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build_demo(&site);
    let server = Server::start(&site);
    let artifacts = artifacts_dir();
    let browser = Browser::start(&tools);

    let mut problems = Vec::new();
    let mut links = BTreeSet::new();
    for (name, path, proof) in PAGES {
        let url = format!("{}{path}", server.origin());
        let visit = browser.visit(&url, proof, &tools.axe, Some((&artifacts, *name)));
        problems.extend(
            visit
                .problems
                .iter()
                .map(|p| format!("{name} (/{path}): {p}")),
        );
        links.extend(visit.links);
    }
    for link in &links {
        if let Some(p) = server.check_link(link) {
            problems.push(p);
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems in the browser:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(links.len() > 20, "only {} internal links seen", links.len());

    // Readers in other languages: German's long words must still fit a phone,
    // Japanese must wrap without spaces, and axe checks each page's `lang`.
    for lang in ["de", "ja"] {
        let root = out.path().join(format!("demo-{lang}"));
        let site = root.join("site");
        build_demo_in(lang, &root, &site);
        let server = Server::start(&site);
        for (name, path, proof) in PAGES.iter().filter(|(name, _, _)| name.starts_with("in")) {
            let url = format!("{}{path}", server.origin());
            let name = format!("{lang}-{name}");
            let visit = browser.visit(&url, proof, &tools.axe, Some((&artifacts, &name)));
            problems.extend(
                visit
                    .problems
                    .iter()
                    .map(|p| format!("{name} (/{path}): {p}")),
            );
            for link in &visit.links {
                problems.extend(server.check_link(link));
            }
        }
        let index = std::fs::read_to_string(site.join("index.html")).unwrap();
        assert!(
            index.contains(&format!("lang={lang}")) || index.contains(&format!("lang=\"{lang}\""))
        );
    }
    assert!(
        problems.is_empty(),
        "{} problems in the browser, in other languages:\n{}",
        problems.len(),
        problems.join("\n")
    );

    // A test that never fails proves nothing: a page made to break every rule must be caught.
    let probe = PROBE.replace("{ninety}", &"<span style=\"flex: 1\"></span>".repeat(90));
    std::fs::write(site.join("probe.html"), probe).unwrap();
    let probe = browser.visit(
        &format!("{}probe.html", server.origin()),
        "h1",
        &tools.axe,
        None,
    );
    for kind in [
        "left loopback",
        "console error",
        "horizontal scroll",
        "dark mode",
        "headings",
        "no text equivalent",
        "under 3:1",
        "axe (light)",
        "keyboard",
        "missing fragment",
        "bars on a phone",
    ] {
        assert!(
            probe.problems.iter().any(|p| p.contains(kind)),
            "the probe page's `{kind}` problem went unnoticed; found only:\n{}",
            probe.problems.join("\n")
        );
    }
    let dead = format!("{}no-such-page/", server.origin());
    assert!(server.check_link(&dead).is_some(), "a dead link passed");
    drop(browser);
    eprintln!("browser test: {:.1?}", started.elapsed());
}

/// Breaks each rule once, so that each check is seen to fire.
const PROBE: &str = r##"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="script-src 'none'; style-src 'unsafe-inline'">
<title>Probe</title><style>.wide { width: 500px; } .faint { background: #eee; }</style></head>
<body><main><h1>Probe</h1><h3>A level skipped</h3>
<p class="wide">Wider than a phone.</p>
<p><span class="status s-major"><span class="dot"></span></span></p>
<ol class="bars" aria-label="Days"><li class="faint">1 Nov: no data</li></ol>
<a class="bars" href="#main" aria-label="Ninety hairlines" style="display: flex; width: 300px">{ninety}</a>
<p><a href="#nowhere">A link to nothing</a> <a href="#main" tabindex="-1">Not reachable by keyboard</a></p>
<img src="http://outside.invalid/pixel.png">
<script>document.title = "ran";</script>
</main></body></html>
"##;

fn build_demo(site: &Path) {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR"));
    TestSite::empty()
        .run(&[
            "build",
            "--root",
            demo.to_str().unwrap(),
            "--output-dir",
            site.to_str().unwrap(),
        ])
        .success();
}

/// The demo site in another language: its content, with `language` set.
fn build_demo_in(lang: &str, root: &Path, site: &Path) {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = std::fs::read_to_string(demo.join("statuspost.toml")).unwrap();
    std::fs::create_dir_all(root).unwrap();
    std::fs::write(
        root.join("statuspost.toml"),
        format!("language = \"{lang}\"\n{config}"),
    )
    .unwrap();
    for dir in ["incidents", "maintenance"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
        for entry in std::fs::read_dir(demo.join(dir)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), root.join(dir).join(entry.file_name())).unwrap();
        }
    }
    TestSite::empty()
        .run(&[
            "build",
            "--root",
            root.to_str().unwrap(),
            "--output-dir",
            site.to_str().unwrap(),
        ])
        .success();
}

/// `target/browser-artifacts/`: screenshots a person can look at after the run.
fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("browser-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
    /// The text of `axe.min.js`.
    axe: String,
}

impl Tools {
    /// The browser, its driver and axe-core, or `None` (after saying what is missing and how to
    /// install it) when the test is to be skipped.
    fn find() -> Option<Tools> {
        let chromium = std::env::var_os("STATUSPOST_CHROMIUM")
            .map(PathBuf::from)
            .filter(|p| p.is_file())
            .or_else(|| {
                ["chromium", "chromium-browser"]
                    .iter()
                    .find_map(|n| on_path(n))
            });
        let chromedriver = std::env::var_os("STATUSPOST_CHROMEDRIVER")
            .map(PathBuf::from)
            .filter(|p| p.is_file())
            .or_else(|| on_path("chromedriver"));
        let axe_path = std::env::var_os("STATUSPOST_AXE")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(env!("CARGO_TARGET_TMPDIR"))
                    .parent()
                    .unwrap()
                    .join("axe/node_modules/axe-core/axe.min.js")
            });
        let axe = std::fs::read_to_string(&axe_path).ok();
        let mut missing = Vec::new();
        if chromium.is_none() {
            missing.push("Chromium (`apt-get install chromium`)".to_string());
        }
        if chromedriver.is_none() {
            missing.push("ChromeDriver (`apt-get install chromium-driver`)".to_string());
        }
        if axe.is_none() {
            missing.push(format!(
                "axe-core at {} (`npm install --prefix target/axe axe-core@4.14.1`, or set STATUSPOST_AXE to an axe.min.js)",
                axe_path.display()
            ));
        }
        if missing.is_empty() {
            return Some(Tools {
                chromium: chromium.unwrap(),
                chromedriver: chromedriver.unwrap(),
                axe: axe.unwrap(),
            });
        }
        let message = format!(
            "the browser test needs {}; `bash .ci/run` installs them all",
            missing.join(", ")
        );
        if std::env::var_os("STATUSPOST_REQUIRE_BROWSER").is_some_and(|v| v == "1") {
            panic!("STATUSPOST_REQUIRE_BROWSER=1 and {message}");
        }
        // Straight to stderr: libtest captures `eprintln!` of a passing test, and a skip nobody
        // sees is a test nobody knows is not running.
        let _ = writeln!(std::io::stderr(), "skipped: {message}");
        None
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Everything that goes through the test's own HTTP: loopback only, never a proxy, a redirect
/// returned rather than followed (a link should answer 200 itself).
fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .proxy(None)
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .timeout_global(Some(timeout))
        .build()
        .into()
}

/// A static file server like the hosts sites are published on: a folder's address serves its
/// `index.html`, a folder without its slash is redirected, anything else missing is `404.html`.
struct Server {
    port: u16,
    agent: ureq::Agent,
}

impl Server {
    fn start(root: &Path) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let root = root.to_path_buf();
        // The thread ends with the test process; each connection gets its own so that a socket
        // Chromium opens ahead of need and never uses cannot hold up the others.
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let root = root.clone();
                std::thread::spawn(move || {
                    let _ = respond(&root, stream);
                });
            }
        });
        Server {
            port,
            agent: agent(Duration::from_secs(10)),
        }
    }

    fn origin(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// `None` if `url` answers 200 and has the element its fragment names, else what is wrong.
    fn check_link(&self, url: &str) -> Option<String> {
        let (page, fragment) = url.split_once('#').unwrap_or((url, ""));
        let mut response = match self.agent.get(page).call() {
            Ok(r) => r,
            Err(e) => return Some(format!("link {url}: {e}")),
        };
        let status = response.status().as_u16();
        if status != 200 {
            return Some(format!("link {url}: HTTP {status}"));
        }
        let body = response.body_mut().read_to_string().unwrap_or_default();
        if !fragment.is_empty() && !has_id(&body, fragment) {
            return Some(format!("link {url}: no element with id {fragment:?}"));
        }
        None
    }
}

/// Whether minified HTML has an element with this id, its value quoted or not.
fn has_id(html: &str, id: &str) -> bool {
    [format!("id=\"{id}\""), format!("id='{id}'")]
        .iter()
        .any(|a| html.contains(a.as_str()))
        || html
            .match_indices(&format!("id={id}"))
            .any(|(at, a)| matches!(html[at + a.len()..].chars().next(), Some(' ' | '>')))
}

fn respond(root: &Path, stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(&stream);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let target = request.split(' ').nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let rel = path.trim_start_matches('/');
    let file = root.join(rel);
    let (status, location, file) = if rel.split('/').any(|s| s == "..") {
        ("404 Not Found", None, root.join("404.html"))
    } else if path.ends_with('/') {
        ("200 OK", None, file.join("index.html"))
    } else if file.is_dir() {
        ("301 Moved Permanently", Some(format!("{path}/")), file)
    } else {
        ("200 OK", None, file)
    };
    let (status, body, file) = match std::fs::read(&file) {
        Ok(body) => (status, body, file),
        Err(_) if location.is_some() => (status, Vec::new(), file),
        Err(_) => {
            let not_found = root.join("404.html");
            ("404 Not Found", std::fs::read(&not_found)?, not_found)
        }
    };
    let content_type = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("xml") => "application/rss+xml",
        Some("atom") => "application/atom+xml",
        Some("json") => "application/json",
        Some("ics") => "text/calendar",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if let Some(location) = location {
        head.push_str(&format!("Location: {location}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = &stream;
    stream.write_all(head.as_bytes())?;
    if !request.starts_with("HEAD ") {
        stream.write_all(&body)?;
    }
    stream.flush()
}

/// What one page visit found: problems as sentences, and the same-origin links on the page.
struct Visit {
    problems: Vec<String>,
    links: Vec<String>,
}

/// ChromeDriver and the Chromium it starts, ended on drop however the test ends.
struct Browser {
    driver: Child,
    agent: ureq::Agent,
    /// `http://127.0.0.1:PORT/session/ID`, once there is a session.
    session: String,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = agent(Duration::from_secs(5)).delete(&self.session).call();
        }
        // ChromeDriver leads its own process group and Chromium's processes are in it, so this
        // ends them all even when the polite quit above did not.
        #[cfg(unix)]
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    fn start(tools: &Tools) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = Command::new(&tools.chromedriver);
        command
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let driver = command.spawn().expect("start chromedriver");
        let profile = tempfile::tempdir().unwrap();
        let mut browser = Browser {
            driver,
            agent: agent(Duration::from_secs(60)),
            session: String::new(),
            _profile: profile,
        };
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while browser.agent.get(format!("{base}/status")).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let args = [
            // Without these, Chromium reaches for Google's hosts at start and on a closed
            // network misbehaves; the resolver rule means no other host could answer anyway,
            // while the checks below watch for the attempt.
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-proxy-server",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--hide-scrollbars",
            &format!("--user-data-dir={}", browser._profile.path().display()),
        ];
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": tools.chromium, "args": args},
            "goog:loggingPrefs": {"browser": "ALL", "performance": "ALL"},
            "timeouts": {"script": 30_000, "pageLoad": 20_000},
        }}});
        let value = browser.send("POST", &format!("{base}/session"), Some(&capabilities));
        let id = value["sessionId"].as_str().expect("a session id");
        browser.session = format!("{base}/session/{id}");
        // Away from the new-tab page, whose own requests are still arriving.
        browser.call("POST", "url", json!({"url": "about:blank"}));
        browser
    }

    fn send(&self, method: &str, url: &str, body: Option<&Value>) -> Value {
        let result = match method {
            "GET" => self.agent.get(url).call(),
            "DELETE" => self.agent.delete(url).call(),
            _ => self
                .agent
                .post(url)
                .header("Content-Type", "application/json")
                .send(body.map_or_else(String::new, Value::to_string)),
        };
        let mut response = result.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .unwrap();
        let mut value: Value = serde_json::from_str(&text).unwrap();
        assert!(
            status == 200,
            "{method} {url}: HTTP {status}: {}",
            value["value"]["message"]
        );
        value["value"].take()
    }

    /// A WebDriver command on the session.
    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        self.send(method, &format!("{}/{path}", self.session), Some(&body))
    }

    fn cdp(&self, cmd: &str, params: Value) {
        self.call(
            "POST",
            "goog/cdp/execute",
            json!({"cmd": cmd, "params": params}),
        );
    }

    fn script(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "execute/sync",
            json!({"script": script, "args": args}),
        )
    }

    fn viewport(&self, (width, height, scale, mobile): (u32, u32, f64, bool)) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile}),
        );
    }

    fn scheme(&self, dark: bool) {
        let value = if dark { "dark" } else { "light" };
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": value}]}),
        );
    }

    fn log(&self, kind: &str) -> Vec<Value> {
        match self.call("POST", "se/log", json!({ "type": kind })) {
            Value::Array(entries) => entries,
            _ => Vec::new(),
        }
    }

    fn screenshot(&self, to: Option<(&Path, &str)>, how: &str) {
        let Some((dir, page)) = to else {
            return;
        };
        use base64::Engine as _;
        // Tabbing and axe scroll the page and leave a focus ring: show it as a reader first sees it.
        self.script(
            "document.activeElement.blur(); window.scrollTo(0, 0);",
            json!([]),
        );
        let png = self.send("GET", &format!("{}/screenshot", self.session), None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        std::fs::write(dir.join(format!("{page}-{how}.png")), png).unwrap();
    }

    /// Reads one page as a phone and a desktop, light and dark, and reports what is wrong with it.
    fn visit(&self, url: &str, proof: &str, axe: &str, shots: Option<(&Path, &str)>) -> Visit {
        let mut problems = Vec::new();
        self.log("browser");
        self.log("performance");
        self.viewport(PHONE);
        self.scheme(false);
        self.call("POST", "url", json!({ "url": url }));

        let page = self.script(AUDIT, json!([proof]));
        if page["proof"] != true {
            problems.push(format!("not the page meant: nothing matches {proof:?}"));
        }
        let (scroll, client, inner) = (&page["width"][0], &page["width"][1], &page["width"][2]);
        if scroll.as_f64() > client.as_f64() || inner != PHONE.0 {
            problems.push(format!(
                "horizontal scroll at {} px: content {scroll} px wide in a viewport of {client} px (window {inner} px)",
                PHONE.0
            ));
        }
        let levels: Vec<u64> = page["headings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_u64)
            .collect();
        let skipped = levels.windows(2).any(|w| w[1] > w[0] + 1);
        if levels.iter().filter(|&&l| l == 1).count() != 1 || levels.first() != Some(&1) || skipped
        {
            problems.push(format!(
                "headings out of order (one h1 first, no level skipped going down): {levels:?}"
            ));
        }
        for el in page["mute"].as_array().unwrap() {
            problems.push(format!("status indicator with no text equivalent: {el}"));
        }
        // Issue 17.5: on a phone, 30 days, each wide enough to see and to aim at, in a link
        // as tall as a fingertip (WCAG 2.5.8: 24 px).
        for bars in page["bars"].as_array().unwrap() {
            let (days, narrowest, height) = (&bars["days"], &bars["narrowest"], &bars["height"]);
            if days != 30 || narrowest.as_f64() < Some(8.0) || height.as_f64() < Some(24.0) {
                problems.push(format!(
                    "bars on a phone: {days} days, the narrowest {narrowest} px wide, in a link {height} px tall"
                ));
            }
        }
        // A phone shows 30 days of bars, so the summary under them speaks of those 30.
        for summary in page["summaries"].as_array().unwrap() {
            let summary = summary.as_str().unwrap_or_default();
            if !summary.contains("30") || summary.contains("90") {
                problems.push(format!(
                    "a phone's bar summary is not of its 30 days: {summary:?}"
                ));
            }
        }
        for id in page["fragments"].as_array().unwrap() {
            problems.push(format!("missing fragment target {id}"));
        }
        problems.extend(self.keyboard());
        problems.extend(self.axe(axe, "light"));
        self.screenshot(shots, "phone-light");

        self.scheme(true);
        let dark = self.script(AUDIT, json!([proof]));
        if dark["colours"][0] == page["colours"][0] || dark["colours"][1] == page["colours"][1] {
            problems.push(format!(
                "dark mode does not change the colours: background and text {} in light, {} in dark",
                page["colours"], dark["colours"]
            ));
        }
        for (scheme, audit) in [("light", &page), ("dark", &dark)] {
            for el in audit["faint"].as_array().unwrap() {
                problems.push(format!(
                    "status graphic under 3:1 against its background in {scheme} mode: {el}"
                ));
            }
        }
        problems.extend(self.axe(axe, "dark"));
        self.screenshot(shots, "phone-dark");
        self.viewport(DESKTOP);
        self.screenshot(shots, "desktop-dark");
        self.scheme(false);
        self.screenshot(shots, "desktop-light");

        for entry in self.log("browser") {
            if entry["level"] == "SEVERE" {
                problems.push(format!("console error: {}", entry["message"]));
            }
        }
        let origin = url.split('/').take(3).collect::<Vec<_>>().join("/") + "/";
        for entry in self.log("performance") {
            let message: Value =
                serde_json::from_str(entry["message"].as_str().unwrap_or("{}")).unwrap();
            let message = &message["message"];
            if message["method"] == "Network.requestWillBeSent" {
                let request = message["params"]["request"]["url"].as_str().unwrap_or("");
                if !request.starts_with(&origin) && !request.starts_with("data:") {
                    problems.push(format!("a request left loopback: {request}"));
                }
            }
        }
        let links = page["links"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .filter(|l| l.starts_with(&origin))
            .map(String::from)
            .collect();
        Visit { problems, links }
    }

    /// Tabs through the page from the top: every link in document order, each with a visible
    /// focus indicator, and first the skip link, on screen once focused.
    fn keyboard(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let links = self.script(KEYBOARD, json!([])).as_u64().unwrap() as usize;
        let tab = [
            json!({"type": "keyDown", "value": "\u{E004}"}),
            json!({"type": "keyUp", "value": "\u{E004}"}),
        ];
        // Room for a few stops that are not links (a scrolling box is one).
        let keys: Vec<Value> = (0..links + 5).flat_map(|_| tab.clone()).collect();
        self.call(
            "POST",
            "actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": keys}]}),
        );
        self.call("DELETE", "actions", json!({}));
        let stops = self.script("return window.__stops;", json!([]));
        let stops = stops.as_array().unwrap();
        let mut reached = Vec::new();
        for stop in stops {
            let index = stop["index"].as_i64().unwrap_or(-1);
            if index >= 0 && reached.len() < links && reached.last() != Some(&index) {
                reached.push(index);
                if stop["ring"] != true {
                    problems.push(format!("keyboard: focus is invisible on {}", stop["what"]));
                }
            }
        }
        let expected: Vec<i64> = (0..links as i64).collect();
        if reached != expected {
            problems.push(format!(
                "keyboard: tabbing reached links {reached:?} of {links}, not each in order"
            ));
        }
        match stops.first() {
            Some(first) if first["skip"] == true && first["onscreen"] == true => {}
            first => problems.push(format!(
                "keyboard: the first stop is not a visible skip link: {first:?}"
            )),
        }
        problems
    }

    /// axe-core's audit, injected by WebDriver (whose scripts the page's CSP does not govern).
    /// In dark mode only the rules that depend on colour are run again.
    fn axe(&self, axe: &str, scheme: &str) -> Vec<String> {
        if self.script("return typeof axe;", json!([])) != "object" {
            self.script(&format!("{axe}\nreturn typeof axe;"), json!([]));
        }
        let options = if scheme == "dark" {
            json!({"runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]},
                   "resultTypes": ["violations"]})
        } else {
            json!({"resultTypes": ["violations"]})
        };
        let violations = self.call(
            "POST",
            "execute/async",
            json!({"script": AXE_RUN, "args": [options]}),
        );
        let Value::Array(violations) = violations else {
            return vec![format!("axe ({scheme}) failed: {violations}")];
        };
        violations
            .iter()
            .map(|v| {
                format!(
                    "axe ({scheme}): {} ({}): {}: {}",
                    v["id"].as_str().unwrap_or(""),
                    v["impact"].as_str().unwrap_or(""),
                    v["help"].as_str().unwrap_or(""),
                    v["nodes"]
                )
            })
            .collect()
    }
}

/// What the checks need from the page as laid out, in one round trip.
const AUDIT: &str = r##"
const hidden = el => !!el.closest('[aria-hidden="true"]')
    || getComputedStyle(el).display === 'none' || getComputedStyle(el).visibility === 'hidden';
const text = el => el.textContent.replace(/\s+/g, ' ').trim();
const short = el => el.outerHTML.slice(0, 160);
const mute = [];
// A coloured dot or bar alone says nothing to a screen reader or to a reader who cannot tell the
// colours apart: each needs words beside it or inside it.
for (const el of document.querySelectorAll('.status, .state, .bars li')) {
    if (hidden(el) || text(el) === '') mute.push(short(el));
}
for (const dot of document.querySelectorAll('.dot')) {
    if (dot.getAttribute('aria-hidden') !== 'true' || text(dot.parentElement) === '') mute.push(short(dot.parentElement));
}
for (const bars of document.querySelectorAll('.bars')) {
    if (!(bars.getAttribute('aria-label') || '').trim()) mute.push(short(bars));
}
// WCAG 1.4.11: the dots and bars carry the status, so each needs 3:1 against what is behind it.
const rgb = colour => (colour.match(/[\d.]+/g) || []).map(Number);
const luminance = ([r, g, b]) => {
    const f = v => (v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
};
const backdrop = el => {
    for (let e = el.parentElement; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || c[3] > 0) return c;
    }
    return [255, 255, 255];
};
const faint = new Set();
for (const el of document.querySelectorAll('.dot, .bars > *')) {
    const [a, b] = [luminance(rgb(getComputedStyle(el).backgroundColor)), luminance(backdrop(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 3) faint.add(`${el.tagName.toLowerCase()}.${el.className}: ${ratio.toFixed(2)}:1`);
}
const root = document.documentElement;
const body = getComputedStyle(document.body);
return {
    proof: document.querySelector(arguments[0]) !== null,
    width: [root.scrollWidth, root.clientWidth, window.innerWidth],
    headings: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].filter(h => !hidden(h)).map(h => +h.tagName[1]),
    mute,
    faint: [...faint],
    fragments: [...document.querySelectorAll('a[href^="#"]')].map(a => a.getAttribute('href').slice(1))
        .filter(id => id && !document.getElementById(decodeURIComponent(id))),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    // Each component's bars: how many days show, the narrowest, and the link's height.
    bars: [...document.querySelectorAll('a.bars')].map(a => {
        const days = [...a.children].filter(d => getComputedStyle(d).display !== 'none');
        return { days: days.length, narrowest: Math.min(...days.map(d => d.getBoundingClientRect().width)),
                 height: a.getBoundingClientRect().height };
    }),
    colours: [body.backgroundColor, body.color],
    // What each component's summary says, as shown.
    summaries: [...document.querySelectorAll('.sum')].map(p => p.innerText.trim()),
};
"##;

/// Records each element the keyboard focuses, as it is when focused.
const KEYBOARD: &str = r#"
const links = [...document.querySelectorAll('a[href]')];
window.__stops = [];
document.addEventListener('focusin', event => {
    const el = event.target, style = getComputedStyle(el), box = el.getBoundingClientRect();
    window.__stops.push({
        index: links.indexOf(el),
        what: el.outerHTML.slice(0, 120),
        skip: el.classList.contains('skip'),
        ring: el.matches(':focus-visible') && ((style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none'),
        onscreen: box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0 && box.right <= window.innerWidth,
    });
}, true);
if (document.activeElement) document.activeElement.blur();
return links.length;
"#;

const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, arguments[0])
    .then(result => done(result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ': ' + n.failureSummary.replace(/\s+/g, ' ')),
    }))))
    .catch(error => done('axe failed: ' + error));
"#;
