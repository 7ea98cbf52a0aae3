//! The loopback preview server: serves the last good build from memory on
//! 127.0.0.1, and makes browsers reload when the site is rebuilt.
//!
//! Pages get two things added as they are served, never on disk: a tiny
//! script that long-polls [`WAIT_PATH`] and reloads the page when the build
//! version changes, and, while the latest build failed, a banner with the
//! error over the last good page. HTTP/1.1 with one request per connection
//! and a thread per connection is all a preview for one author needs.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::render::Output;
use crate::watch::Rebuilt;

/// Where the reload script waits for the next build.
pub const WAIT_PATH: &str = "/__statuspost/wait";

/// How long a wait is held open: under the ~30 s at which proxies and
/// browsers start giving up on a quiet request.
const LONG_POLL: Duration = Duration::from_secs(25);

/// How long a page request waits for the first build to finish.
const FIRST_BUILD: Duration = Duration::from_secs(60);

/// How often a held request checks whether its browser has gone away, so a
/// tab that navigated elsewhere does not hold a thread for the whole wait.
const PEER_CHECK: Duration = Duration::from_secs(1);

/// Enough for a few tabs each holding a wait, with room for their page loads.
const MAX_CONNECTIONS: usize = 64;

/// A request head larger than this is not from a browser previewing a site.
const MAX_HEAD: usize = 16 * 1024;

const IO_TIMEOUT: Duration = Duration::from_secs(10);

const HTML: &str = "text/html; charset=utf-8";

/// The names a browser on this machine uses for the server. Any other `Host`
/// is a page elsewhere reaching in through DNS rebinding, and the preview
/// shows incidents that are not published yet.
const LOCAL_HOSTS: &[&str] = &["127.0.0.1", "localhost", "[::1]"];

/// The files of the last good build.
pub enum Files {
    /// The output folder. A failed build never touches it, so it always holds the last good site.
    Disk(std::path::PathBuf),
    /// A site rendered in memory (for tests).
    Memory(Output),
}

impl Files {
    fn get(&self, key: &str) -> Option<Vec<u8>> {
        match self {
            Files::Disk(dir) => {
                let path = dir.join(key);
                // Staged files and the output marker are dotfiles; they are never part of the site.
                let hidden = key.split('/').any(|part| part.starts_with('.'));
                if hidden || !path.is_file() {
                    return None;
                }
                std::fs::read(path).ok()
            }
            Files::Memory(output) => output.files.get(key).cloned(),
        }
    }

    fn contains(&self, key: &str) -> bool {
        match self {
            Files::Disk(dir) => {
                !key.split('/').any(|part| part.starts_with('.')) && dir.join(key).is_file()
            }
            Files::Memory(output) => output.files.contains_key(key),
        }
    }
}

/// What the server serves: shared between the rebuild loop and the connections.
#[derive(Default)]
pub struct Live {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    /// Counts build attempts, good or failed; 0 until the first one ends.
    version: u64,
    /// The last good build.
    site: Option<Arc<Files>>,
    /// Why the latest build failed, as the terminal showed it.
    problem: Option<Arc<str>>,
}

/// A copy of the state for one response, so no lock is held while writing.
struct Snapshot {
    version: u64,
    site: Option<Arc<Files>>,
    problem: Option<Arc<str>>,
}

impl Live {
    /// Records a build attempt and wakes every waiting browser. A failed build
    /// keeps the last good site and shows why over it.
    pub fn publish(&self, rebuilt: &Rebuilt<'_>) {
        let mut state = self.lock();
        state.version += 1;
        match rebuilt {
            Rebuilt::Built(built) => {
                state.site = Some(Arc::new(Files::Disk(built.out_dir.clone())));
                state.problem = None;
            }
            failed => state.problem = failed.problem().map(Arc::from),
        }
        drop(state);
        self.changed.notify_all();
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere cannot leave the state half-updated: every field is replaced whole.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until `done` holds, `timeout` passes, or `gone` says nobody is waiting any more.
    fn wait_until(
        &self,
        timeout: Duration,
        gone: &dyn Fn() -> bool,
        done: impl Fn(&State) -> bool,
    ) -> Snapshot {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        loop {
            let now = Instant::now();
            if done(&state) || now >= deadline {
                break;
            }
            let slice = PEER_CHECK.min(deadline - now);
            state = self
                .changed
                .wait_timeout(state, slice)
                .unwrap_or_else(|e| e.into_inner())
                .0;
            if !done(&state) && gone() {
                break;
            }
        }
        Snapshot {
            version: state.version,
            site: state.site.clone(),
            problem: state.problem.clone(),
        }
    }
}

/// A listening socket on 127.0.0.1, not yet accepting.
pub struct Server {
    listener: TcpListener,
    live: Arc<Live>,
}

impl Server {
    /// Listens on 127.0.0.1:`port` (0 picks a free port). Only the loopback
    /// address: the preview shows unpublished incidents.
    pub fn bind(port: u16, live: Arc<Live>) -> anyhow::Result<Server> {
        let listener = match TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
            Ok(listener) => listener,
            Err(err) if err.kind() == std::io::ErrorKind::AddrInUse => anyhow::bail!(
                "port {port} on 127.0.0.1 is already in use; choose another with `--port N`, \
                 or `--port 0` for any free port"
            ),
            Err(err) => {
                return Err(err).with_context(|| format!("cannot listen on 127.0.0.1:{port}"))
            }
        };
        Ok(Server { listener, live })
    }

    /// `http://127.0.0.1:PORT/`
    pub fn url(&self) -> anyhow::Result<String> {
        let addr: SocketAddr = self
            .listener
            .local_addr()
            .context("cannot read the listening address")?;
        Ok(format!("http://{addr}/"))
    }

    /// Accepts connections on a thread of its own, for as long as the process runs.
    pub fn spawn(self) -> anyhow::Result<()> {
        std::thread::Builder::new()
            .name("statuspost-http".into())
            .spawn(move || self.accept())
            .context("cannot start the server thread")?;
        Ok(())
    }

    fn accept(self) {
        let active = Arc::new(AtomicUsize::new(0));
        for stream in self.listener.incoming() {
            let mut stream = match stream {
                Ok(stream) => stream,
                Err(err) => {
                    // Usually out of file descriptors: give connections time to close.
                    eprintln!("warning: cannot accept a connection: {err}");
                    std::thread::sleep(Duration::from_millis(100));
                    continue;
                }
            };
            if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                active.fetch_sub(1, Ordering::SeqCst);
                let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
                let _ = Response::text(503, "Too many connections; try again.\n")
                    .write_to(&mut stream, false);
                continue;
            }
            let slot = Slot(Arc::clone(&active));
            let live = Arc::clone(&self.live);
            let spawned = std::thread::Builder::new()
                .name("statuspost-conn".into())
                .spawn(move || {
                    let _slot = slot;
                    handle(stream, &live);
                });
            if let Err(err) = spawned {
                eprintln!("warning: cannot start a connection thread: {err}");
            }
        }
    }
}

/// Frees a connection's place when its thread ends, however it ends.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn handle(mut stream: TcpStream, live: &Live) {
    let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let head = match read_head(&mut stream) {
        Ok(Some(head)) => head,
        // The browser opened a connection and closed it unused, or went quiet.
        Ok(None) | Err(_) => return,
    };
    let request = Request::parse(&head);
    let head_only = matches!(&request, Ok(r) if r.method == "HEAD");
    let response = match request {
        Ok(request) => route(&request, live, &|| peer_closed(&stream)),
        Err(response) => response,
    };
    let _ = response.write_to(&mut stream, head_only);
}

/// Reads up to the blank line that ends a request's head. `None` if the peer
/// closed first; a head that is too long reads as a bad request.
fn read_head(stream: &mut impl Read) -> std::io::Result<Option<Vec<u8>>> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        if let Some(end) = head_end(&head) {
            head.truncate(end);
            return Ok(Some(head));
        }
        if head.len() > MAX_HEAD {
            return Ok(Some(head));
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(None);
        }
        head.extend_from_slice(&chunk[..n]);
    }
}

fn head_end(bytes: &[u8]) -> Option<usize> {
    let crlf = bytes.windows(4).position(|w| w == b"\r\n\r\n");
    let lf = bytes.windows(2).position(|w| w == b"\n\n");
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Whether the browser has closed its end (a tab closed or navigated away).
fn peer_closed(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let mut byte = [0u8; 1];
    let closed = match stream.peek(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(err) => err.kind() != std::io::ErrorKind::WouldBlock,
    };
    let _ = stream.set_nonblocking(false);
    closed
}

/// The parts of a request the preview uses.
#[derive(Debug)]
struct Request {
    method: String,
    /// As sent, with the query string.
    target: String,
    /// The `Host` header, when there is one.
    host: Option<String>,
}

impl Request {
    fn parse(head: &[u8]) -> Result<Request, Response> {
        let bad = || Response::text(400, "Bad request.\n");
        let line_end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
        let line = std::str::from_utf8(&head[..line_end]).map_err(|_| bad())?;
        let mut parts = line.trim_end_matches('\r').split(' ');
        let (Some(method), Some(target), Some(version), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if method.is_empty() || !version.starts_with("HTTP/1.") {
            return Err(bad());
        }
        let host = head[line_end..]
            .split(|&b| b == b'\n')
            .filter_map(|line| std::str::from_utf8(line).ok())
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("host"))
            .map(|(_, value)| value.trim().to_string());
        Ok(Request {
            method: method.to_string(),
            target: target.to_string(),
            host,
        })
    }

    /// Whether the request names this machine (or nothing, as HTTP/1.0 may).
    fn is_local(&self) -> bool {
        let Some(host) = &self.host else {
            return true;
        };
        let name = match host.rsplit_once(':') {
            // `[::1]` alone has colons but no port.
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host.as_str(),
        };
        LOCAL_HOSTS
            .iter()
            .any(|local| name.eq_ignore_ascii_case(local))
    }
}

/// A whole response: the preview never streams.
#[derive(Debug)]
struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
}

impl Response {
    fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            content_type,
            body: body.into(),
            headers: Vec::new(),
        }
    }

    fn text(status: u16, body: &str) -> Response {
        Response::new(status, "text/plain; charset=utf-8", body)
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }

    fn write_to(&self, out: &mut impl Write, head_only: bool) -> std::io::Result<()> {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
             Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.body.len()
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        out.write_all(head.as_bytes())?;
        if !head_only {
            out.write_all(&self.body)?;
        }
        out.flush()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Answers one request. `gone` says whether the browser has stopped waiting.
fn route(request: &Request, live: &Live, gone: &dyn Fn() -> bool) -> Response {
    if !request.is_local() {
        return Response::text(
            403,
            "This preview answers only to 127.0.0.1 and localhost.\n",
        );
    }
    if request.method != "GET" && request.method != "HEAD" {
        return Response::text(405, "Only GET and HEAD are served.\n").header("Allow", "GET, HEAD");
    }
    let (raw_path, query) = match request.target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (request.target.as_str(), None),
    };
    let path = match clean_path(raw_path) {
        Ok(path) => path,
        Err(why) => return Response::text(400, &format!("Bad request: {why}.\n")),
    };
    if path == WAIT_PATH {
        return wait(query, live, gone);
    }
    let snapshot = live.wait_until(FIRST_BUILD, gone, |s| s.version > 0);
    let Some(site) = &snapshot.site else {
        let status = if snapshot.version == 0 {
            "still building"
        } else {
            "has no good build yet"
        };
        let page = page(&format!("The site {status}"), "");
        return Response::new(503, HTML, decorate(&page, &snapshot));
    };
    let key = &path[1..];
    let key = if key.is_empty() || key.ends_with('/') {
        format!("{key}index.html")
    } else {
        key.to_string()
    };
    if let Some(bytes) = site.get(&key) {
        let content_type = content_type(&key);
        let body = if content_type == HTML {
            decorate(&bytes, &snapshot)
        } else {
            bytes
        };
        return Response::new(200, content_type, body);
    }
    if site.contains(&format!("{key}/index.html")) {
        // Pages link relatively: `/history` must become `/history/` for their links to work.
        let location = match query {
            Some(query) => format!("{raw_path}/?{query}"),
            None => format!("{raw_path}/"),
        };
        return Response::text(301, "Moved.\n").header("Location", location);
    }
    let page = page(
        "Not found",
        &format!(
            "<p>Nothing is built at <code>{}</code>. <a href=\"/\">Home</a></p>",
            escape(&path)
        ),
    );
    Response::new(404, HTML, decorate(&page, &snapshot))
}

/// The long poll: answers with the build version as soon as it differs from
/// the one the page was served with, or after [`LONG_POLL`] with the same one.
fn wait(query: Option<&str>, live: &Live, gone: &dyn Fn() -> bool) -> Response {
    let seen = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("version="))
        .and_then(|v| v.parse::<u64>().ok());
    let snapshot = match seen {
        Some(seen) => live.wait_until(LONG_POLL, gone, |s| s.version != seen),
        // No version to compare with: the current one tells the page what to wait for.
        None => live.wait_until(Duration::ZERO, gone, |_| true),
    };
    Response::text(200, &snapshot.version.to_string())
}

/// Checks and percent-decodes a request path. Paths only name keys of the
/// in-memory site, but `..` and NUL are refused anyway: nothing legitimate uses them.
fn clean_path(raw: &str) -> Result<String, &'static str> {
    if raw.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err("control characters in the path");
    }
    // A proxy-style absolute target names the same path.
    let raw = match raw.strip_prefix("http://") {
        Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => raw,
    };
    if !raw.starts_with('/') {
        return Err("the path must start with `/`");
    }
    let decoded = percent_decode(raw).ok_or("invalid percent-encoding")?;
    let path = String::from_utf8(decoded).map_err(|_| "the path is not UTF-8")?;
    if path.contains('\0') {
        return Err("NUL in the path");
    }
    if path.split(['/', '\\']).any(|segment| segment == "..") {
        return Err("`..` in the path");
    }
    Ok(path)
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

fn content_type(key: &str) -> &'static str {
    if key == "feed.xml" {
        return "application/rss+xml; charset=utf-8";
    }
    let extension = key.rsplit_once('.').map_or("", |(_, ext)| ext);
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => HTML,
        "xml" => "application/xml; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "txt" => "text/plain; charset=utf-8",
        "ics" => "text/calendar; charset=utf-8",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// A bare page for the server's own answers (not found, still building).
fn page(title: &str, body: &str) -> Vec<u8> {
    format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8>\
         <meta content=\"width=device-width,initial-scale=1\" name=viewport>\
         <title>{0}</title></head><body><h1>{0}</h1>{body}</body></html>",
        escape(title)
    )
    .into_bytes()
}

/// Adds the reload script, and the error banner while the latest build failed,
/// just before `</body>` (or at the end of a page without one).
fn decorate(html: &[u8], snapshot: &Snapshot) -> Vec<u8> {
    // Published pages forbid scripts; the preview's own reload script needs that lifted.
    let without_policy = remove_csp_meta(html);
    let html = without_policy.as_slice();
    let mut extra = String::new();
    if let Some(problem) = &snapshot.problem {
        extra.push_str(&overlay(problem));
    }
    extra.push_str(&reload_script(snapshot.version));
    let at = find_body_end(html).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + extra.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// Removes the `<meta http-equiv="Content-Security-Policy" ...>` element, if any.
fn remove_csp_meta(html: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    let lower = text.to_ascii_lowercase();
    let Some(at) = lower.find("content-security-policy") else {
        return html.to_vec();
    };
    let (Some(start), Some(end)) = (
        lower[..at].rfind("<meta"),
        lower[at..].find('>').map(|e| at + e + 1),
    ) else {
        return html.to_vec();
    };
    let mut out = text[..start].to_string();
    out.push_str(&text[end..]);
    out.into_bytes()
}

fn find_body_end(html: &[u8]) -> Option<usize> {
    const END: &[u8] = b"</body>";
    html.windows(END.len())
        .rposition(|w| w.eq_ignore_ascii_case(END))
}

/// Polls for the next build and reloads when it comes. After losing the server
/// (restarted, say) it reloads on the first answer, whatever the version.
fn reload_script(version: u64) -> String {
    format!(
        "<script>/* statuspost serve: reloads this page after every rebuild */\
         (()=>{{const v=\"{version}\";let lost=false;\
         const poll=()=>fetch(\"{WAIT_PATH}?version=\"+v,{{cache:\"no-store\"}})\
         .then(r=>{{if(!r.ok)throw r;return r.text()}})\
         .then(t=>{{if(lost||t.trim()!==v)location.reload();else poll()}},\
         ()=>{{lost=true;setTimeout(poll,1000)}});poll()}})();</script>"
    )
}

/// The latest build's error, over the last good page, until a build succeeds.
fn overlay(problem: &str) -> String {
    format!(
        "<div id=statuspost-error role=alert style=\"position:fixed;top:0;left:0;right:0;\
         max-height:70vh;overflow:auto;z-index:2147483647;margin:0;padding:1em 1.25em;\
         background:#2b0b0e;color:#ffe5e5;border-bottom:4px solid #e5484d;\
         font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left\">\
         <strong>The site has errors: this is the last good build. \
         It reloads by itself when they are fixed.</strong>\
         <pre style=\"white-space:pre-wrap;margin:.75em 0 0;font:inherit;color:inherit;background:none\">{}</pre></div>",
        escape(problem)
    )
}

use crate::templates::escape;

#[cfg(test)]
mod tests {
    use super::*;

    fn live_with(files: &[(&str, &str)], problem: Option<&str>) -> Live {
        let mut output = Output::default();
        for (path, text) in files {
            output.add(*path, *text);
        }
        let live = Live::default();
        {
            let mut state = live.lock();
            state.version = 3;
            state.site = Some(Arc::new(Files::Memory(output)));
            state.problem = problem.map(Arc::from);
        }
        live
    }

    fn get(live: &Live, target: &str) -> Response {
        let request = Request {
            method: "GET".into(),
            target: target.into(),
            host: Some("127.0.0.1:8000".into()),
        };
        route(&request, live, &|| false)
    }

    fn body(response: &Response) -> String {
        String::from_utf8_lossy(&response.body).into_owned()
    }

    fn site() -> Live {
        live_with(
            &[
                ("index.html", "<html><body><p>home</p></body></html>"),
                ("history/index.html", "<html><body>history</body></html>"),
                ("feed.xml", "<rss/>"),
                ("api/status.json", "{}"),
            ],
            None,
        )
    }

    #[test]
    fn maps_paths_to_files() {
        let live = site();
        let home = get(&live, "/");
        assert_eq!(home.status, 200);
        assert_eq!(home.content_type, HTML);
        assert!(body(&home).starts_with("<html><body><p>home</p><script>"));
        assert!(body(&home).ends_with("</script></body></html>"));
        assert!(body(&home).contains("const v=\"3\""));
        assert_eq!(get(&live, "/index.html").status, 200);
        assert_eq!(get(&live, "/history/").status, 200);
        let feed = get(&live, "/feed.xml");
        assert_eq!(feed.content_type, "application/rss+xml; charset=utf-8");
        assert_eq!(body(&feed), "<rss/>");
        assert_eq!(
            get(&live, "/api/status.json").content_type,
            "application/json"
        );
        assert_eq!(get(&live, "/%68istory/").status, 200);
    }

    #[test]
    fn a_folder_without_its_slash_redirects() {
        let live = site();
        let moved = get(&live, "/history?x=1");
        assert_eq!(moved.status, 301);
        assert_eq!(
            moved.headers,
            vec![("Location", "/history/?x=1".to_string())]
        );
        assert_eq!(get(&live, "/feed.xml/").status, 404);
    }

    #[test]
    fn refuses_what_it_cannot_serve() {
        let live = site();
        let missing = get(&live, "/nope.html");
        assert_eq!(missing.status, 404);
        assert!(
            body(&missing).contains("<script>"),
            "reloads once it exists"
        );
        for target in [
            "/../etc/passwd",
            "/history/%2e%2e/index.html",
            "/a/..%5Cb",
            "/%00",
            "/%zz",
            "/%e9",
            "relative",
        ] {
            assert_eq!(get(&live, target).status, 400, "{target}");
        }
        let post = route(
            &Request {
                method: "POST".into(),
                target: "/".into(),
                host: None,
            },
            &live,
            &|| false,
        );
        assert_eq!(post.status, 405);
        assert_eq!(post.headers, vec![("Allow", "GET, HEAD".to_string())]);
    }

    #[test]
    fn shows_the_latest_error_over_the_last_good_page() {
        let live = live_with(
            &[("index.html", "<html><BODY>home</BODY></html>")],
            Some("error: bad <thing> & \"more\"\n --> incidents/x.md:1:1\n"),
        );
        let page = body(&get(&live, "/"));
        let overlay = page.find("id=statuspost-error").expect(&page);
        assert!(page.find("home").expect(&page) < overlay);
        assert!(page.contains("error: bad &lt;thing&gt; &amp; &quot;more&quot;"));
        assert!(page.contains("incidents/x.md:1:1"));
        assert!(page.ends_with("</script></BODY></html>"));
        assert_eq!(page.matches("<script>").count(), 1);
    }

    #[test]
    fn waits_answer_with_the_version() {
        let live = site();
        let answer = |target: &str| body(&get(&live, target));
        assert_eq!(answer("/__statuspost/wait?version=1"), "3");
        assert_eq!(answer("/__statuspost/wait"), "3");
        assert_eq!(answer("/__statuspost/wait?version=x"), "3");
        // A waiting browser that left is let go at once.
        let start = Instant::now();
        let request = Request {
            method: "GET".into(),
            target: "/__statuspost/wait?version=3".into(),
            host: Some("localhost".into()),
        };
        assert_eq!(body(&route(&request, &live, &|| true)), "3");
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_rebuild_ends_the_wait() {
        let live = Arc::new(site());
        let waiter = {
            let live = Arc::clone(&live);
            std::thread::spawn(move || body(&get(&live, "/__statuspost/wait?version=3")))
        };
        std::thread::sleep(Duration::from_millis(50));
        {
            let mut state = live.lock();
            state.version += 1;
        }
        live.changed.notify_all();
        assert_eq!(waiter.join().ok(), Some("4".to_string()));
    }

    #[test]
    fn answers_only_to_local_names() {
        let live = site();
        let status = |host: Option<&str>| {
            let request = Request {
                method: "GET".into(),
                target: "/".into(),
                host: host.map(str::to_string),
            };
            route(&request, &live, &|| false).status
        };
        for host in [
            "127.0.0.1:8000",
            "localhost:8000",
            "LOCALHOST",
            "[::1]:8000",
            "[::1]",
        ] {
            assert_eq!(status(Some(host)), 200, "{host}");
        }
        assert_eq!(status(None), 200);
        for host in [
            "evil.example:8000",
            "evil.example",
            "127.0.0.1.evil.example",
            "",
        ] {
            assert_eq!(status(Some(host)), 403, "{host}");
        }
        let request =
            Request::parse(b"GET / HTTP/1.1\r\nAccept: */*\r\nhOST: Rebind.Example:80\r\n")
                .expect("parses");
        assert_eq!(request.host.as_deref(), Some("Rebind.Example:80"));
    }

    #[test]
    fn parses_request_lines() {
        let request = Request::parse(b"GET /a?b HTTP/1.1\r\nHost: x").expect("parses");
        assert_eq!(
            (request.method.as_str(), request.target.as_str()),
            ("GET", "/a?b")
        );
        assert!(Request::parse(b"GET /a\r\n").is_err());
        assert!(Request::parse(b"GET /a b HTTP/1.1\r\n").is_err());
        assert!(Request::parse(b"\xff /a HTTP/1.1\r\n").is_err());
        assert!(Request::parse(b"GET /a SPDY/3\r\n").is_err());
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nA: b\r\n\r\nbody"), Some(20));
        assert_eq!(head_end(b"GET / HTTP/1.1\n\n"), Some(14));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n"), None);
    }

    #[test]
    fn head_responses_have_no_body() {
        let mut out = Vec::new();
        Response::text(200, "hello")
            .write_to(&mut out, true)
            .expect("writes");
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(text.contains("Content-Length: 5\r\n"));
        assert!(text.contains("Cache-Control: no-store\r\n"));
        assert!(text.ends_with("\r\n\r\n"));
    }
}
