//! Deciding the answer to one request: who may ask, which file a path names,
//! and the server's own answers (the long poll, not found, still building).

use std::time::Duration;

use crate::render::hosting::{content_type, HTML};
use crate::templates::escape;

use super::files;
use super::http::{Request, Response};
use super::reload::{decorate, WAIT_PATH};
use super::Live;

/// How long a wait is held open: under the ~30 s at which proxies and
/// browsers start giving up on a quiet request.
const LONG_POLL: Duration = Duration::from_secs(25);

/// How long a page request waits for the first build to finish.
const FIRST_BUILD: Duration = Duration::from_secs(60);

/// The names a browser on this machine uses for the server. Any other `Host`
/// is a page elsewhere reaching in through DNS rebinding, and the preview
/// shows incidents that are not published yet.
const LOCAL_HOSTS: &[&str] = &["127.0.0.1", "localhost", "[::1]"];

/// Answers one request. `gone` says whether the browser has stopped waiting.
pub(super) fn route(request: &Request, live: &Live, gone: &dyn Fn() -> bool) -> Response {
    if !is_local(request.host.as_deref()) {
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
    let path = match SitePath::parse(raw_path) {
        Ok(path) => path,
        Err(why) => return Response::text(400, &format!("Bad request: {why}.\n")),
    };
    if path.is(WAIT_PATH) {
        return wait(query, live, gone);
    }
    let snapshot = live.wait_until(FIRST_BUILD, gone, |s| s.version > 0);
    let decorate = |html: &[u8]| decorate(html, snapshot.version, snapshot.problem.as_deref());
    let Some(site) = &snapshot.site else {
        let status = if snapshot.version == 0 {
            "still building"
        } else {
            "has no good build yet"
        };
        let page = page(&format!("The site {status}"), "");
        return Response::new(503, HTML, decorate(&page));
    };
    let key = path.key();
    if let Some(bytes) = site.get(&key) {
        let content_type = content_type(&key);
        let body = if content_type == HTML {
            decorate(&bytes)
        } else {
            bytes
        };
        return Response::new(200, content_type, body);
    }
    if !path.folder && site.contains(&format!("{key}/index.html")) {
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
            escape(&path.to_string())
        ),
    );
    Response::new(404, HTML, decorate(&page))
}

/// Whether the request names this machine (or nothing, as HTTP/1.0 may).
fn is_local(host: Option<&str>) -> bool {
    let Some(host) = host else {
        return true;
    };
    let name = match host.rsplit_once(':') {
        // `[::1]` alone has colons but no port.
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    LOCAL_HOSTS
        .iter()
        .any(|local| name.eq_ignore_ascii_case(local))
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

/// A request path, percent-decoded and checked name by name: each is a plain
/// file or folder name, so no path can climb out of the output folder or,
/// being absolute once decoded, replace it.
#[derive(Debug, PartialEq, Eq)]
struct SitePath {
    names: Vec<String>,
    /// It ends in `/` (or is `/`): a folder, whose page is its `index.html`.
    folder: bool,
}

impl SitePath {
    fn parse(raw: &str) -> Result<SitePath, &'static str> {
        if raw.bytes().any(|b| b.is_ascii_control() || b == b' ') {
            return Err("control characters in the path");
        }
        // A proxy-style absolute target names the same path.
        let raw = match raw.strip_prefix("http://") {
            Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]),
            None => raw,
        };
        let Some(raw) = raw.strip_prefix('/') else {
            return Err("the path must start with `/`");
        };
        let mut raw_names: Vec<&str> = raw.split('/').collect();
        // `/` and `/history/` end in an empty name: the folder's own page.
        let folder = raw_names.last() == Some(&"");
        if folder {
            raw_names.pop();
        }
        let mut names = Vec::with_capacity(raw_names.len());
        // Split before decoding, so an encoded `/` stays inside one name and is refused there.
        for raw_name in raw_names {
            let decoded = percent_decode(raw_name).ok_or("invalid percent-encoding")?;
            let name = String::from_utf8(decoded).map_err(|_| "the path is not UTF-8")?;
            files::plain_name(&name)?;
            names.push(name);
        }
        Ok(SitePath { names, folder })
    }

    fn is(&self, path: &str) -> bool {
        self.to_string() == path
    }

    /// The output file it names.
    fn key(&self) -> String {
        let mut key = self.names.join("/");
        if self.folder {
            if !key.is_empty() {
                key.push('/');
            }
            key.push_str("index.html");
        }
        key
    }
}

impl std::fmt::Display for SitePath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for name in &self.names {
            write!(f, "/{name}")?;
        }
        if self.folder {
            f.write_str("/")?;
        }
        Ok(())
    }
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            // `from_str_radix` alone would take `%+f`.
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Instant;

    use super::*;
    fn live_with(files: &[(&str, &str)], problem: Option<&str>) -> Live {
        Live::with_files(files, problem)
    }

    fn get(live: &Live, target: &str) -> Response {
        route(
            &Request::new("GET", target, Some("127.0.0.1:8000")),
            live,
            &|| false,
        )
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
    fn paths_name_files_by_plain_names() {
        let path = |raw: &str| SitePath::parse(raw).map(|p| (p.key(), p.to_string()));
        let ok = |key: &str, shown: &str| Ok((key.to_string(), shown.to_string()));
        assert_eq!(path("/"), ok("index.html", "/"));
        assert_eq!(path("/history/"), ok("history/index.html", "/history/"));
        assert_eq!(path("/history"), ok("history", "/history"));
        assert_eq!(
            path("/%68istory/2026%2D11"),
            ok("history/2026-11", "/history/2026-11")
        );
        assert_eq!(
            path("http://localhost:8000/feed.atom"),
            ok("feed.atom", "/feed.atom")
        );
        assert_eq!(path("http://localhost:8000"), ok("index.html", "/"));
        assert!(path("//").is_err());
        assert!(path("/a%2Fb").is_err(), "an encoded `/` is not a separator");
        assert!(path("/%2e%2e").is_err());
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
            "/%+f",
            "relative",
            "//etc/passwd",
            "/%2Fetc/passwd",
            "/history%2f..%2f..%2fetc",
            "/history//index.html",
            "/./index.html",
            "/C:/Windows/win.ini",
            "/c%3a%5cwindows",
            "/index.html%00",
        ] {
            assert_eq!(get(&live, target).status, 400, "{target}");
        }
        let post = route(&Request::new("POST", "/", None), &live, &|| false);
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
        let request = Request::new("GET", "/__statuspost/wait?version=3", Some("localhost"));
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
        live.bump();
        assert_eq!(waiter.join().ok(), Some("4".to_string()));
    }

    #[test]
    fn answers_only_to_local_names() {
        let live = site();
        let status =
            |host: Option<&str>| route(&Request::new("GET", "/", host), &live, &|| false).status;
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
    }
}
