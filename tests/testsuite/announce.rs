//! `statuspost announce` against real receivers on loopback: an HTTP server
//! that records every webhook request (and fails or hangs on request), and a
//! real SMTP server (Python's aiosmtpd) that keeps every message it accepts.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::support::{TestSite, CONFIG};

/// One request as the recorder received it.
#[derive(Debug, Clone)]
struct Request {
    path: String,
    content_type: String,
    body: Vec<u8>,
    /// The state file as it was when this request arrived.
    state_before: String,
}

impl Request {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{}: {e}: {}",
                self.path,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

#[derive(Default)]
struct Shared {
    /// Requests answered with 200, in order.
    accepted: Vec<Request>,
    /// Every request, answered or not.
    seen: usize,
    /// Paths answered with a 500 whose body repeats the path, as some servers do.
    failing: Vec<String>,
    /// Paths never answered: the client's timeout must end the wait.
    hanging: Vec<String>,
    /// A file to read as each request arrives: the state file, to see when it is written.
    watch: Option<std::path::PathBuf>,
}

/// An HTTP/1.1 server on 127.0.0.1 that records requests, one thread per connection.
struct Recorder {
    port: u16,
    shared: Arc<Mutex<Shared>>,
}

impl Recorder {
    fn start() -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let state = Arc::clone(&shared);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&state);
                std::thread::spawn(move || {
                    let _ = serve(stream, &state);
                });
            }
        });
        Recorder { port, shared }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn fail(&self, path: &str, failing: bool) {
        let mut s = self.shared.lock().unwrap();
        s.failing.retain(|p| p != path);
        if failing {
            s.failing.push(path.to_string());
        }
    }

    fn watch(&self, file: std::path::PathBuf) {
        self.shared.lock().unwrap().watch = Some(file);
    }

    fn hang(&self, path: &str) {
        self.shared.lock().unwrap().hanging.push(path.to_string());
    }

    /// The accepted requests since the last call.
    fn take(&self) -> Vec<Request> {
        std::mem::take(&mut self.shared.lock().unwrap().accepted)
    }

    fn seen(&self) -> usize {
        self.shared.lock().unwrap().seen
    }

    fn take_path(&self, requests: &[Request], path: &str) -> Vec<Value> {
        requests
            .iter()
            .filter(|r| r.path == path)
            .map(Request::json)
            .collect()
    }
}

fn serve(stream: TcpStream, state: &Mutex<Shared>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let (mut length, mut content_type) = (0usize, String::new());
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "content-type" => content_type = value.trim().to_string(),
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let (failing, hanging) = {
        let mut s = state.lock().unwrap();
        s.seen += 1;
        (s.failing.contains(&path), s.hanging.contains(&path))
    };
    if hanging {
        std::thread::sleep(Duration::from_secs(8));
        return Ok(());
    }
    let (status, text) = if failing {
        (
            "500 Internal Server Error",
            format!("no handler for {path}"),
        )
    } else {
        let mut s = state.lock().unwrap();
        let state_before = s
            .watch
            .as_ref()
            .and_then(|f| std::fs::read_to_string(f).ok())
            .unwrap_or_default();
        s.accepted.push(Request {
            path,
            content_type,
            body,
            state_before,
        });
        ("200 OK", "ok".to_string())
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    )?;
    stream.flush()
}

/// A path with a token in it, standing for a webhook address that is a secret.
const SECRET: &str = "T0KEN-s3cr3t-7f9c2a";

const INCIDENT: &str = "+++\ntitle = \"API errors & <timeouts>\"\nimpact = \"major\"\ncomponents = [\"api\"]\n+++\n\n+++\nstate = \"investigating\"\nat = 2026-11-22T10:00:00Z\nnext_update = \"30m\"\n+++\nSome requests to the **Public API** fail. <!-- internal: db-7 is down -->\n\n+++\nstate = \"identified\"\nat = 2026-11-22T10:20:00Z\n+++\nA faulty deploy; rolling back.\n";

const RESOLVED: &str =
    "\n+++\nstate = \"resolved\"\nat = 2026-11-22T10:40:00Z\n+++\nError rates are back to normal.\n";

fn site_with(channels: &str) -> TestSite {
    let site = TestSite::empty();
    site.write("statuspost.toml", format!("{CONFIG}\n{channels}"));
    site.incident("2026-11-22-api-errors", INCIDENT);
    site
}

fn state_file(site: &TestSite) -> String {
    site.read(".statuspost/announced.toml")
}

fn assert_no_secret(what: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !text.contains(secret),
            "{what} contains {secret:?}:\n{text}"
        );
    }
}

#[test]
fn each_channel_gets_its_payload_once_in_order() {
    let hook = Recorder::start();
    let secret_url = hook.url(&format!("/{SECRET}/hook"));
    let channels = format!(
        r#"
[[announce]]
kind = "slack"
url_env = "TEST_SLACK_URL"

[[announce]]
kind = "mattermost"
url = "{}"

[[announce]]
kind = "teams"
url = "{}"

[[announce]]
kind = "discord"
url = "{}"

[[announce]]
kind = "webhook"
name = "statuspage-subscribers"
url_env = "TEST_HOOK_URL"
"#,
        hook.url("/mattermost"),
        hook.url("/teams"),
        hook.url("/discord"),
    );
    let site = site_with(&channels);
    hook.watch(site.path(".statuspost/announced.toml"));
    let env = [
        ("TEST_SLACK_URL", hook.url("/slack")),
        ("TEST_HOOK_URL", secret_url.clone()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = site
        .run_env(&["announce", "--now", "2026-11-22T10:25:00Z"], &env)
        .success();
    assert!(
        run.stderr().contains("announced: 10 sent, 0 recorded"),
        "{}",
        run.stderr()
    );
    let requests = hook.take();
    assert_eq!(requests.len(), 10, "{requests:#?}");
    assert!(requests
        .iter()
        .all(|r| r.content_type == "application/json"));
    // Each send is recorded before the next one starts: a run killed at any
    // moment has recorded everything it delivered.
    for (n, r) in requests.iter().enumerate() {
        assert_eq!(
            r.state_before.matches(" = \"sent ").count(),
            n,
            "request {n} to {}",
            r.path
        );
    }

    let slack = hook.take_path(&requests, "/slack");
    assert_eq!(slack.len(), 2);
    let text = slack[0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("*API errors &amp; &lt;timeouts&gt;*: Investigating · Public API\n"),
        "{text}"
    );
    assert!(
        text.contains("Some requests to the Public API fail."),
        "{text}"
    );
    assert!(
        !text.contains("db-7"),
        "an HTML comment is never published: {text}"
    );
    assert!(
        text.contains("_Next update by 22 Nov 2026, 10:30 GMT._"),
        "{text}"
    );
    assert!(text.ends_with("<https://status.acme-status.net/incidents/2026-11-22-api-errors/#investigating-20261122T1000Z|Acme Cloud Status>"), "{text}");
    assert!(
        slack[1]["text"].as_str().unwrap().contains("Identified"),
        "oldest first"
    );

    let mattermost = hook.take_path(&requests, "/mattermost");
    let text = mattermost[0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("#### API errors & <timeouts>\n**Investigating** · Public API"),
        "{text}"
    );
    assert!(
        text.contains("Some requests to the **Public API** fail."),
        "{text}"
    );
    assert!(!text.contains("db-7"), "{text}");
    assert!(text.contains("[Acme Cloud Status](https://status.acme-status.net/incidents/2026-11-22-api-errors/#investigating-20261122T1000Z)"), "{text}");

    let teams = hook.take_path(&requests, "/teams");
    let t = &teams[0];
    assert_eq!(t["type"], "message");
    let attachment = &t["attachments"][0];
    assert_eq!(
        attachment["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    let card = &attachment["content"];
    assert_eq!(card["type"], "AdaptiveCard");
    assert_eq!(card["body"][0]["text"], "API errors & <timeouts>");
    assert!(card["body"][1]["text"]
        .as_str()
        .unwrap()
        .starts_with("**Investigating** · Public API"));
    assert_eq!(card["actions"][0]["type"], "Action.OpenUrl");
    assert_eq!(
        card["actions"][0]["url"],
        "https://status.acme-status.net/incidents/2026-11-22-api-errors/#investigating-20261122T1000Z"
    );

    let discord = hook.take_path(&requests, "/discord");
    let embed = &discord[0]["embeds"][0];
    assert_eq!(embed["title"], "API errors & <timeouts>");
    assert_eq!(embed["timestamp"], "2026-11-22T10:00:00Z");
    assert!(embed["description"]
        .as_str()
        .unwrap()
        .contains("Some requests to the **Public API** fail."));
    assert_eq!(
        discord[0]["allowed_mentions"]["parse"],
        serde_json::json!([])
    );

    let hooks = hook.take_path(&requests, &format!("/{SECRET}/hook"));
    assert_eq!(hooks.len(), 2);
    let first = &hooks[0];
    assert_eq!(
        first["meta"]["unsubscribe"],
        "https://status.acme-status.net/"
    );
    assert_eq!(first["page"]["status_indicator"], "major");
    assert_eq!(first["page"]["status_description"], "Partial System Outage");
    assert!(first["page"]["id"]
        .as_str()
        .is_some_and(|id| id.len() == 12));
    let incident = &first["incident"];
    assert_eq!(incident["id"], "2026-11-22-api-errors");
    assert_eq!(incident["name"], "API errors & <timeouts>");
    assert_eq!(incident["status"], "investigating");
    assert_eq!(incident["impact"], "major");
    assert_eq!(
        incident["shortlink"],
        "https://status.acme-status.net/incidents/2026-11-22-api-errors/"
    );
    let updates = incident["incident_updates"].as_array().unwrap();
    assert_eq!(
        updates.len(),
        1,
        "the incident as it stood after this update"
    );
    assert_eq!(updates[0]["status"], "investigating");
    assert_eq!(updates[0]["body"], "Some requests to the Public API fail.");
    assert_eq!(first["component_update"]["component_id"], "api");
    assert_eq!(first["component_update"]["old_status"], "operational");
    assert_eq!(first["component_update"]["new_status"], "partial_outage");
    assert_eq!(first["component"]["name"], "Public API");
    let second = &hooks[1];
    assert_eq!(second["incident"]["status"], "identified");
    let updates = second["incident"]["incident_updates"].as_array().unwrap();
    assert_eq!(updates.len(), 2);
    assert_eq!(updates[0]["status"], "identified", "newest first");
    assert!(
        second.get("component_update").is_none(),
        "identified changes no component: {second}"
    );

    let state = state_file(&site);
    assert_eq!(
        state.lines().filter(|l| l.contains(" = \"sent ")).count(),
        10,
        "{state}"
    );
    assert!(state.contains("\"statuspage-subscribers incidents/2026-11-22-api-errors#investigating-20261122T1000Z\" = \"sent 2026-11-22T10:25:00Z\""), "{state}");
    for (what, text) in [
        ("stdout", run.stdout()),
        ("stderr", run.stderr()),
        ("the state file", state.clone()),
    ] {
        assert_no_secret(what, &text, &[SECRET]);
    }

    // A re-run, a retried job, a second runner: nothing is sent twice.
    for now in ["2026-11-22T10:25:00Z", "2026-11-22T10:35:00Z"] {
        site.run_env(&["announce", "--now", now], &env)
            .success()
            .expect_stderr("announced: 0 sent, 0 recorded");
    }
    assert_eq!(hook.take().len(), 0);
    assert_eq!(state_file(&site), state);

    // The next update goes out once to each channel; it gives the component back.
    site.write(
        "incidents/2026-11-22-api-errors.md",
        format!("{INCIDENT}{RESOLVED}"),
    );
    site.run_env(&["announce", "--now", "2026-11-22T10:45:00Z"], &env)
        .success();
    let requests = hook.take();
    assert_eq!(requests.len(), 5);
    let hooks = hook.take_path(&requests, &format!("/{SECRET}/hook"));
    assert_eq!(hooks[0]["incident"]["status"], "resolved");
    assert_eq!(hooks[0]["page"]["status_indicator"], "none");
    assert_eq!(hooks[0]["component_update"]["old_status"], "partial_outage");
    assert_eq!(hooks[0]["component_update"]["new_status"], "operational");
    let slack = hook.take_path(&requests, "/slack");
    assert!(!slack[0]["text"].as_str().unwrap().contains("Next update"));
}

#[test]
fn a_failed_channel_is_retried_next_run_without_resending_to_the_others() {
    let hook = Recorder::start();
    let secret_path = format!("/{SECRET}/hook");
    let channels = format!(
        r#"
[[announce]]
kind = "slack"
url = "{}"

[[announce]]
kind = "webhook"
url_env = "TEST_HOOK_URL"

[[announce]]
kind = "discord"
url_env = "TEST_NOT_SET_ANYWHERE"
"#,
        hook.url("/slack")
    );
    let site = site_with(&channels);
    let secret_url = hook.url(&secret_path);
    let env = [("TEST_HOOK_URL", secret_url.as_str())];
    hook.fail(&secret_path, true);

    let run = site
        .run_env(&["announce", "--now", "2026-11-22T10:25:00Z"], &env)
        .expect_code(3);
    let stderr = run.stderr();
    assert!(
        stderr.contains(
            "error: channel `webhook` failed: $TEST_HOOK_URL answered 500 Internal Server Error"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: channel `discord` failed: the environment variable `TEST_NOT_SET_ANYWHERE` is not set"),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 updates not sent to `webhook`: retried on the next run"),
        "{stderr}"
    );
    assert!(
        stderr.contains("announced: 2 sent, 0 recorded without sending (older than the window), 2 channels failed (webhook, discord)"),
        "{stderr}"
    );
    // The failing server repeated the secret path in its answer; it is not repeated here.
    assert_no_secret("stderr", &stderr, &[SECRET]);
    assert_no_secret("stdout", &run.stdout(), &[SECRET]);
    assert_eq!(hook.take_path(&hook.take(), "/slack").len(), 2);
    let state = state_file(&site);
    assert_no_secret("the state file", &state, &[SECRET]);
    assert!(state.contains("\"webhook incidents/2026-11-22-api-errors#investigating-20261122T1000Z\" = \"retry 2026-11-22T10:25:00Z\""), "{state}");
    assert_eq!(
        hook.seen(),
        3,
        "the failing channel stops at its first failure"
    );

    // Hours later, beyond the window: what failed is still owed, and only that is sent.
    let run = site
        .run_env(&["announce", "--now", "2026-11-22T14:00:00Z"], &env)
        .expect_code(3);
    assert_eq!(hook.take().len(), 0);
    assert_no_secret("stderr", &run.stderr(), &[SECRET]);

    hook.fail(&secret_path, false);
    let run = site
        .run_env(&["announce", "--now", "2026-11-22T14:05:00Z"], &env)
        .expect_code(3)
        .expect_stderr("announced: 2 sent");
    let requests = hook.take();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    let hooks = hook.take_path(&requests, &secret_path);
    assert_eq!(hooks[0]["incident"]["status"], "investigating");
    assert_eq!(hooks[1]["incident"]["status"], "identified");
    assert!(
        !run.stderr().contains("`webhook` failed"),
        "{}",
        run.stderr()
    );

    // Discord's variable is set at last; then everything has been sent exactly once.
    let discord = hook.url("/discord");
    let env = [
        ("TEST_HOOK_URL", secret_url.as_str()),
        ("TEST_NOT_SET_ANYWHERE", discord.as_str()),
    ];
    site.run_env(&["announce", "--now", "2026-11-22T14:10:00Z"], &env)
        .success();
    assert_eq!(hook.take_path(&hook.take(), "/discord").len(), 2);
    site.run_env(&["announce", "--now", "2026-11-22T14:15:00Z"], &env)
        .success()
        .expect_stderr("announced: 0 sent");
    assert_eq!(hook.take().len(), 0);
}

#[test]
fn a_hung_receiver_times_out_and_the_others_go_on() {
    let hook = Recorder::start();
    hook.hang("/slow");
    let channels = format!(
        "[[announce]]\nkind = \"webhook\"\nname = \"slow\"\nurl = \"{}\"\ntimeout = \"1s\"\n\n[[announce]]\nkind = \"slack\"\nurl = \"{}\"\n",
        hook.url("/slow"),
        hook.url("/slack")
    );
    let site = site_with(&channels);
    let started = std::time::Instant::now();
    let run = site
        .run(&["announce", "--now", "2026-11-22T10:25:00Z"])
        .expect_code(3)
        .expect_stderr("error: channel `slow` failed");
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    assert!(
        run.stderr().to_lowercase().contains("timeout") || run.stderr().contains("timed out"),
        "{}",
        run.stderr()
    );
    assert_eq!(hook.take_path(&hook.take(), "/slack").len(), 2);
}

#[test]
fn history_is_recorded_without_sending_and_future_updates_wait() {
    let hook = Recorder::start();
    let channels = format!(
        "[[announce]]\nkind = \"slack\"\nurl = \"{}\"\n\n[[announce]]\nkind = \"webhook\"\nurl = \"{}\"\nwindow = \"1d\"\n",
        hook.url("/slack"),
        hook.url("/hook")
    );
    let site = site_with(&channels);
    // An update dated ahead of now: written in advance, announced when its time comes.
    site.incident(
        "2026-11-22-db-slow",
        "+++\ntitle = \"Slow queries\"\nimpact = \"minor\"\ncomponents = [\"db\"]\n+++\n\n+++\nstate = \"investigating\"\nat = 2026-11-22T12:30:00Z\n+++\nQueries are slow.\n",
    );
    // At 12:15 the API incident's updates are two hours old: history for the one-hour window.
    let dry = site
        .run(&["announce", "--dry-run", "--now", "2026-11-22T12:15:00Z"])
        .success();
    assert!(
        dry.stdout().contains(
            "would record 2 updates on `slack` without sending: older than its 1h window"
        ),
        "{}",
        dry.stdout()
    );
    assert_eq!(hook.seen(), 0);
    let run = site
        .run(&["announce", "--now", "2026-11-22T12:15:00Z"])
        .success();
    assert!(
        run.stderr()
            .contains("announced: 2 sent, 2 recorded without sending"),
        "{}",
        run.stderr()
    );
    let requests = hook.take();
    assert_eq!(
        hook.take_path(&requests, "/slack").len(),
        0,
        "no flood of history"
    );
    assert_eq!(
        hook.take_path(&requests, "/hook").len(),
        2,
        "within a day's window"
    );
    let state = state_file(&site);
    assert!(state.contains("\"slack incidents/2026-11-22-api-errors#identified-20261122T1020Z\" = \"skipped 2026-11-22T12:15:00Z\""), "{state}");
    assert!(!state.contains("db-slow"), "not yet due: {state}");
    assert!(
        run.stdout()
            .contains("recorded  slack  2 updates older than its 1h window, without sending\n"),
        "{}",
        run.stdout()
    );

    site.run(&["announce", "--now", "2026-11-22T12:31:00Z"])
        .success();
    let requests = hook.take();
    assert_eq!(requests.len(), 2, "the new update, once per channel");
    assert!(String::from_utf8_lossy(&requests[0].body).contains("Slow queries"));
}

#[test]
fn dry_run_prints_every_message_and_sends_nothing() {
    let hook = Recorder::start();
    let secret_url = hook.url(&format!("/{SECRET}/hook"));
    let channels = "[[announce]]\nkind = \"webhook\"\nurl_env = \"TEST_HOOK_URL\"\n\n[[announce]]\nkind = \"discord\"\nname = \"community\"\nurl_env = \"TEST_UNSET_DISCORD\"\n\n[[announce]]\nkind = \"email\"\nsmtp = \"127.0.0.1:1\"\ntls = \"none\"\nfrom = \"Acme Status <status@acme.example>\"\nto = [\"customers@acme.example\"]\nusername_env = \"TEST_SMTP_USER\"\npassword_env = \"TEST_SMTP_PASSWORD\"\n";
    let site = site_with(channels);
    let env = [
        ("TEST_HOOK_URL", secret_url.as_str()),
        ("TEST_SMTP_USER", "status-user-x1"),
        ("TEST_SMTP_PASSWORD", "pa55-w0rd-zz"),
    ];
    let run = site
        .run_env(
            &["announce", "--dry-run", "--now", "2026-11-22T10:25:00Z"],
            &env,
        )
        .success();
    let out = run.stdout();
    assert!(out.contains("would send to `webhook`: incidents/2026-11-22-api-errors#investigating-20261122T1000Z\nPOST $TEST_HOOK_URL\n{"), "{out}");
    assert!(
        out.contains("\"incident_updates\": ["),
        "the whole payload: {out}"
    );
    assert!(out.contains("would send to `community` (discord): incidents/2026-11-22-api-errors#identified-20261122T1020Z\nPOST $TEST_UNSET_DISCORD (`TEST_UNSET_DISCORD` is not set: this send would fail)"), "{out}");
    assert!(out.contains("SMTP 127.0.0.1:1 (none), logging in as $TEST_SMTP_USER with $TEST_SMTP_PASSWORD\nFrom: Acme Status <status@acme.example>\nTo: customers@acme.example\nSubject: [Acme Cloud Status] Investigating: API errors & <timeouts>\n\nAPI errors & <timeouts>\nInvestigating · Public API · 22 Nov 2026, 10:00 GMT\n"), "{out}");
    assert!(
        run.stderr().contains("dry run: 6 messages would be sent, 0 updates recorded without sending; nothing was sent or recorded"),
        "{}",
        run.stderr()
    );
    assert_no_secret("stdout", &out, &[SECRET, "status-user-x1", "pa55-w0rd-zz"]);
    assert_no_secret(
        "stderr",
        &run.stderr(),
        &[SECRET, "status-user-x1", "pa55-w0rd-zz"],
    );
    assert_eq!(hook.seen(), 0);
    assert!(!site.exists(".statuspost/announced.toml"));

    // After the dry run, the real one sends what it showed.
    site.run_env(&["announce", "--now", "2026-11-22T10:25:00Z"], &env)
        .expect_code(3);
    assert_eq!(hook.take().len(), 2);
}

#[test]
fn filters_choose_components_and_states_for_incidents_and_maintenance() {
    let hook = Recorder::start();
    let channels = format!(
        "[[announce]]\nkind = \"webhook\"\nurl = \"{}\"\ncomponents = [\"db\"]\nstates = [\"investigating\", \"monitoring\", \"resolved\", \"scheduled\", \"completed\"]\n",
        hook.url("/hook")
    );
    let site = site_with(&channels);
    site.incident(
        "2026-11-22-db-slow",
        "+++\ntitle = \"Slow queries\"\nimpact = \"minor\"\ncomponents = [\"db\"]\n+++\n\n+++\nstate = \"investigating\"\nat = 2026-11-22T10:01:00Z\n+++\nSlow.\n\n+++\nstate = \"identified\"\nat = 2026-11-22T10:02:00Z\n+++\nFound.\n\n+++\nstate = \"verifying\"\nat = 2026-11-22T10:03:00Z\n+++\nFixed.\n",
    );
    site.write(
        "maintenance/2026-11-22-db-upgrade.md",
        "+++\ntitle = \"Database upgrade\"\ncomponents = [\"db\"]\nstarts = 2026-11-22T10:10:00Z\nends = 2026-11-22T10:20:00Z\n+++\nUpgrade.\n\n+++\nstate = \"scheduled\"\nat = 2026-11-22T10:04:00Z\n+++\nPlanned.\n\n+++\nstate = \"in_progress\"\nat = 2026-11-22T10:10:00Z\n+++\nStarted.\n\n+++\nstate = \"completed\"\nat = 2026-11-22T10:15:00Z\n+++\nDone.\n",
    );
    site.run(&["announce", "--now", "2026-11-22T10:30:00Z"])
        .success();
    let got: Vec<String> = hook
        .take_path(&hook.take(), "/hook")
        .iter()
        .map(|b| {
            format!(
                "{} {}",
                b["incident"]["id"].as_str().unwrap(),
                b["incident"]["incident_updates"][0]["status"]
                    .as_str()
                    .unwrap()
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "2026-11-22-db-slow investigating",
            "2026-11-22-db-slow monitoring",
            "2026-11-22-db-upgrade scheduled",
            "2026-11-22-db-upgrade completed",
        ],
        "the API incident touches no `db`; identified and in_progress are not listed"
    );
}

#[test]
fn announce_config_is_checked_like_the_rest() {
    let cases: &[(&str, &[&str])] = &[
        (
            "[[announce]]\nkind = \"slak\"\nurl_env = \"X\"\n",
            &["unknown channel kind `slak`", "did you mean `slack`?"],
        ),
        (
            "[[announce]]\nkind = \"slack\"\nurl_evn = \"X\"\n",
            &[
                "unknown key `url_evn` in the [[announce]] entry",
                "did you mean `url_env`?",
                "statuspost.toml:",
            ],
        ),
        (
            "[[announce]]\nkind = \"webhook\"\nurl_env = \"X\"\ncomponents = [\"apii\"]\nstates = [\"resolvd\"]\n",
            &[
                "unknown component `apii`",
                "did you mean `api`?",
                "unknown state `resolvd`",
                "did you mean `resolved`?",
            ],
        ),
        (
            "[[announce]]\nkind = \"slack\"\nurl_env = \"X\"\n\n[[announce]]\nkind = \"slack\"\nurl_env = \"Y\"\n",
            &["two [[announce]] entries are both called `slack`", "give this one a `name"],
        ),
        (
            "[[announce]]\nkind = \"email\"\nsmtp = \"smtp.example.com:587\"\nfrom = \"status@example.com\"\nto = [\"not an address\"]\nusername_env = \"U\"\nurl = \"https://x.example\"\n",
            &[
                "`not an address` is not an e-mail address",
                "`username_env` and `password_env` go together",
                "`url` does not apply to an e-mail channel",
            ],
        ),
        (
            "[[announce]]\nkind = \"email\"\nsmtp = \"smtp.example.com\"\ntls = \"starttsl\"\nfrom = \"status@example.com\"\nto = [\"a@example.com\"]\n",
            &["unknown `tls` mode `starttsl`", "did you mean `starttls`?"],
        ),
    ];
    for (channels, expected) in cases {
        let site = site_with(channels);
        let run = site
            .run(&["announce", "--now", "2026-11-22T10:25:00Z"])
            .expect_code(2);
        for e in *expected {
            assert!(
                run.stderr().contains(e),
                "{channels}\nlacks {e:?}:\n{}",
                run.stderr()
            );
        }
        // The same config errors stop a build: one config, checked once.
        site.run(&["build", "--now", "2026-11-22T10:25:00Z"])
            .expect_code(2);
    }

    // A chat webhook's address written in the config is a warning that does not repeat it.
    let site = site_with(&format!(
        "[[announce]]\nkind = \"discord\"\nurl = \"https://discord.example/api/webhooks/{SECRET}\"\n"
    ));
    let run = site
        .run(&["announce", "--dry-run", "--now", "2026-11-22T10:25:00Z"])
        .success()
        .expect_stderr(
            "warning[secret-in-config]: this chat webhook's address is written in the config",
        )
        .expect_stderr("--> statuspost.toml:");
    assert_no_secret("stderr", &run.stderr(), &[SECRET]);
    assert!(
        run.stdout().contains("POST https://discord.example/…\n"),
        "{}",
        run.stdout()
    );
    assert_no_secret("stdout", &run.stdout(), &[SECRET]);

    // A secret pasted where its variable's name belongs is refused without being repeated.
    let site = site_with(&format!(
        "[[announce]]\nkind = \"slack\"\nurl_env = \"https://hooks.example.com/services/{SECRET}\"\n"
    ));
    let run = site
        .run(&["announce", "--now", "2026-11-22T10:25:00Z"])
        .expect_code(2)
        .expect_stderr("it looks like a secret");
    assert_no_secret("stderr", &run.stderr(), &[SECRET]);
}

/// aiosmtpd, started on a free loopback port by the test and stopped when dropped.
struct SmtpServer {
    child: std::process::Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpServer {
    /// `None` (with a message saying why) when aiosmtpd is not installed, unless
    /// STATUSPOST_REQUIRE_SMTP is set, as `.ci/run` does: there it must run.
    fn start(user: &str, password: &str) -> Option<SmtpServer> {
        let available = std::process::Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !available {
            let message = "aiosmtpd is not installed (python3 -m pip install aiosmtpd)";
            assert!(
                std::env::var_os("STATUSPOST_REQUIRE_SMTP").is_none(),
                "{message}, and STATUSPOST_REQUIRE_SMTP is set"
            );
            // Written to stderr itself, which the test harness does not capture, so it is seen.
            let _ = writeln!(std::io::stderr(), "SKIPPED: the SMTP test: {message}");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");
        let mut child = std::process::Command::new("python3")
            .arg(script)
            .arg("127.0.0.1")
            .arg(port.to_string())
            .arg(dir.path())
            .args([user, password])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start the SMTP server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP server did not start");
        Some(SmtpServer { child, port, dir })
    }

    /// Every message received, as (envelope recipients, raw message), in order.
    fn messages(&self) -> Vec<(String, String)> {
        let mut names: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| {
                (
                    std::fs::read_to_string(p.with_extension("rcpt")).unwrap(),
                    std::fs::read_to_string(p).unwrap(),
                )
            })
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The message with its quoted-printable body decoded and CRLF as LF.
fn decode_body(raw: &str) -> String {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    assert!(
        head.contains("Content-Transfer-Encoding: quoted-printable"),
        "{head}"
    );
    let body = body.replace("=\n", "");
    let bytes = body.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    format!("{head}\n\n{}", String::from_utf8_lossy(&out))
}

#[test]
fn email_reaches_a_real_smtp_server_once_with_credentials_from_the_environment() {
    let (user, password) = ("status-sender", "S3cret-Pa55word-q8");
    let Some(smtp) = SmtpServer::start(user, password) else {
        return;
    };
    let channels = format!(
        "[[announce]]\nkind = \"email\"\nsmtp = \"127.0.0.1:{}\"\ntls = \"none\"\nfrom = \"Acme Status <status@acme.example>\"\nto = [\"customers@acme.example\", \"ops@acme.example\"]\nusername_env = \"TEST_SMTP_USER\"\npassword_env = \"TEST_SMTP_PASSWORD\"\nstates = [\"investigating\", \"resolved\"]\n",
        smtp.port
    );
    let site = site_with(&channels);
    let env = [("TEST_SMTP_USER", user), ("TEST_SMTP_PASSWORD", password)];
    let run = site
        .run_env(&["announce", "--now", "2026-11-22T10:25:00Z"], &env)
        .success();
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "only `investigating` of the two updates");
    let (rcpt, raw) = &messages[0];
    assert_eq!(rcpt, "customers@acme.example\nops@acme.example");
    let unfolded = decode_body(raw);
    assert!(
        unfolded.contains("From: \"Acme Status\" <status@acme.example>")
            || unfolded.contains("From: Acme Status <status@acme.example>"),
        "{unfolded}"
    );
    assert!(
        unfolded.contains("Subject: [Acme Cloud Status] Investigating: API errors & <timeouts>"),
        "{unfolded}"
    );
    assert!(unfolded.contains("Message-ID: <email.incidents.2026-11-22-api-errors.investigating-20261122T1000Z@status.acme-status.net>"), "{unfolded}");
    assert!(
        unfolded.contains("Date: Sun, 22 Nov 2026 10:25:00"),
        "{unfolded}"
    );
    assert!(
        unfolded.contains("Content-Type: text/plain; charset=utf-8"),
        "{unfolded}"
    );
    assert!(
        unfolded.contains("Some requests to the Public API fail."),
        "{unfolded}"
    );
    assert!(unfolded.contains("Details: https://status.acme-status.net/incidents/2026-11-22-api-errors/#investigating-20261122T1000Z"), "{unfolded}");
    let logins = std::fs::read_to_string(smtp.dir.path().join("logins.txt")).unwrap();
    assert!(logins.ends_with(&format!("{user} ok\n")), "{logins}");
    for (what, text) in [
        ("stdout", run.stdout()),
        ("stderr", run.stderr()),
        ("the state file", state_file(&site)),
    ] {
        assert_no_secret(what, &text, &[password, user]);
    }

    // Again: nothing new. Then the resolution, once.
    site.run_env(&["announce", "--now", "2026-11-22T10:30:00Z"], &env)
        .success();
    assert_eq!(smtp.messages().len(), 1);
    site.write(
        "incidents/2026-11-22-api-errors.md",
        format!("{INCIDENT}{RESOLVED}"),
    );
    site.run_env(&["announce", "--now", "2026-11-22T10:45:00Z"], &env)
        .success();
    let messages = smtp.messages();
    assert_eq!(messages.len(), 2);
    assert!(
        messages[1].1.contains("Resolved: API errors"),
        "{}",
        messages[1].1
    );

    // A wrong password is a failure of that channel, and the password is not printed.
    site.write(
        "incidents/2026-11-22-api-errors.md",
        format!("{INCIDENT}{RESOLVED}\n+++\nstate = \"investigating\"\nat = 2026-11-22T11:00:00Z\n+++\nIt is back.\n"),
    );
    let wrong = "Wr0ng-pa55-k2";
    let run = site
        .run_env(
            &["announce", "--now", "2026-11-22T11:05:00Z"],
            &[("TEST_SMTP_USER", user), ("TEST_SMTP_PASSWORD", wrong)],
        )
        .expect_code(3)
        .expect_stderr("error: channel `email` failed: sending through 127.0.0.1:")
        .expect_stderr("535");
    assert_no_secret("stderr", &run.stderr(), &[wrong, password]);
    assert_eq!(smtp.messages().len(), 2);
}

#[test]
fn templates_are_the_site_s_and_a_broken_one_or_state_file_sends_nothing() {
    let hook = Recorder::start();
    let channels = format!(
        "[[announce]]\nkind = \"discord\"\nurl = \"{}\"\n\n[[announce]]\nkind = \"slack\"\nurl = \"{}\"\ntemplate = \"announce/ops.txt\"\n",
        hook.url("/discord"),
        hook.url("/slack")
    );
    let site = site_with(&channels);
    site.write(
        "templates/announce/discord.md",
        "{{ state_label | upper }} {{ components }}: {{ text }}",
    );
    site.write("templates/announce/ops.txt", "{{ nope }}");
    site.run(&["announce", "--now", "2026-11-22T10:25:00Z"])
        .expect_code(2)
        .expect_stderr("error: Variable `nope` is not defined")
        .expect_stderr("--> templates/announce/ops.txt:1:4");
    assert_eq!(
        hook.seen(),
        0,
        "every message is rendered before the first is sent"
    );
    assert!(!site.exists(".statuspost/announced.toml"));

    site.write(
        "templates/announce/ops.txt",
        "ops: {{ title }} is {{ state }}",
    );
    site.run(&["announce", "--now", "2026-11-22T10:25:00Z"])
        .success();
    let requests = hook.take();
    let discord = hook.take_path(&requests, "/discord");
    assert_eq!(
        discord[0]["embeds"][0]["description"],
        "INVESTIGATING Public API: Some requests to the Public API fail."
    );
    let slack = hook.take_path(&requests, "/slack");
    assert_eq!(
        slack[1]["text"],
        "ops: API errors &amp; &lt;timeouts&gt; is identified"
    );

    // A merge conflict left in the state file: reported at its line, and nothing is sent.
    let state = state_file(&site);
    site.write(
        ".statuspost/announced.toml",
        format!("<<<<<<< HEAD\n{state}=======\n>>>>>>> other\n"),
    );
    site.write(
        "incidents/2026-11-22-api-errors.md",
        format!("{INCIDENT}{RESOLVED}"),
    );
    site.run(&["announce", "--now", "2026-11-22T10:45:00Z"])
        .expect_code(2)
        .expect_stderr("--> .statuspost/announced.toml:1:")
        .expect_stderr("keep the lines of both sides");
    assert_eq!(hook.take().len(), 0);
}

#[test]
fn updates_of_the_same_minute_go_out_in_file_order() {
    let hook = Recorder::start();
    let channels = format!(
        "[[announce]]\nkind = \"webhook\"\nurl = \"{}\"\n",
        hook.url("/hook")
    );
    let site = site_with(&channels);
    // Written within one minute: by id, `identified` sorts before `investigating`.
    site.incident(
        "2026-11-22-api-errors",
        "+++\ntitle = \"API errors\"\nimpact = \"major\"\ncomponents = [\"api\"]\n+++\n\n+++\nstate = \"investigating\"\nat = 2026-11-22T10:00:00Z\n+++\nLooking.\n\n+++\nstate = \"identified\"\nat = 2026-11-22T10:00:00Z\n+++\nFound it.\n",
    );
    let run = site
        .run(&["announce", "--now", "2026-11-22T10:05:00Z"])
        .success();
    let got: Vec<String> = hook
        .take_path(&hook.take(), "/hook")
        .iter()
        .map(|b| {
            b["incident"]["incident_updates"][0]["status"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(got, ["investigating", "identified"], "as in the file");
    let stdout = run.stdout();
    let sent: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("sent"))
        .map(|l| l.rsplit('#').next().unwrap())
        .collect();
    assert_eq!(
        sent,
        ["investigating-20261122T1000Z", "identified-20261122T1000Z"]
    );
}

#[test]
fn a_late_webhook_describes_the_page_as_of_its_update() {
    let hook = Recorder::start();
    let channels = format!(
        "[[announce]]\nkind = \"webhook\"\nurl = \"{}\"\n",
        hook.url("/hook")
    );
    let site = site_with(&channels);
    site.write(
        "incidents/2026-11-22-api-errors.md",
        format!("{INCIDENT}{RESOLVED}"),
    );
    // A run after the incident is resolved sends all three updates: a CI run that was delayed.
    site.run(&["announce", "--now", "2026-11-22T10:45:00Z"])
        .success();
    let bodies = hook.take_path(&hook.take(), "/hook");
    let got: Vec<String> = bodies
        .iter()
        .map(|b| {
            format!(
                "{} {} / {} {}",
                b["incident"]["incident_updates"][0]["status"]
                    .as_str()
                    .unwrap(),
                b["incident"]["status"].as_str().unwrap(),
                b["page"]["status_indicator"].as_str().unwrap(),
                b["page"]["status_description"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "investigating investigating / major Partial System Outage",
            "identified identified / major Partial System Outage",
            "resolved resolved / none All Systems Operational",
        ]
    );
    assert_eq!(
        bodies[0]["incident"]["components"][0]["status"], "partial_outage",
        "the component as it was then: {:#}",
        bodies[0]
    );
    assert_eq!(
        bodies[2]["incident"]["components"][0]["status"],
        "operational"
    );
}
