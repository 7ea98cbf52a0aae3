//! Reading a request's head off a connection and writing a whole response:
//! the only HTTP the preview speaks.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

/// A request head larger than this is not from a browser previewing a site.
const MAX_HEAD: usize = 16 * 1024;

/// Browsers send a dozen or two; more is not a browser previewing a site either.
const MAX_HEADERS: usize = 64;

/// What came in on a connection.
#[derive(Debug)]
pub(super) enum Incoming {
    Request(Request),
    /// Not a request the preview can read: this answer, then close.
    Bad(Response),
    /// The peer closed, went quiet or failed before a whole head arrived:
    /// nobody is left to answer.
    Gone,
}

/// Reads until a request's head is complete, parsing what has arrived after
/// every read, so a head is never read past its end and no blank line is hunted by hand.
pub(super) fn read_request(stream: &mut impl Read) -> Incoming {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(0) => return Incoming::Gone,
            Ok(n) => n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Incoming::Gone,
        };
        head.extend_from_slice(&chunk[..n]);
        match Request::parse(&head) {
            Ok(Some(request)) => return Incoming::Request(request),
            Ok(None) if head.len() <= MAX_HEAD => {}
            Ok(None) => {
                return Incoming::Bad(Response::text(
                    400,
                    "Bad request: the request head is too large.\n",
                ))
            }
            Err(response) => return Incoming::Bad(response),
        }
    }
}

/// A connection read against one deadline, however its bytes trickle in.
pub(super) struct Deadline<'a> {
    stream: &'a TcpStream,
    at: Instant,
}

impl<'a> Deadline<'a> {
    pub(super) fn new(stream: &'a TcpStream, at: Instant) -> Deadline<'a> {
        Deadline { stream, at }
    }
}

impl Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        // Each read may wait only for what is left of the whole.
        self.stream.set_read_timeout(Some(left))?;
        let mut stream = self.stream;
        stream.read(buf)
    }
}

/// The parts of a request the preview uses.
#[derive(Debug)]
pub(super) struct Request {
    pub(super) method: String,
    /// As sent, with the query string.
    pub(super) target: String,
    /// The `Host` header, when there is one.
    pub(super) host: Option<String>,
}

impl Request {
    /// `None` while the head is incomplete.
    fn parse(head: &[u8]) -> Result<Option<Request>, Response> {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(head) {
            Ok(httparse::Status::Partial) => Ok(None),
            Ok(httparse::Status::Complete(_)) => {
                let (Some(method), Some(target)) = (request.method, request.path) else {
                    // A complete parse always has both; refuse rather than panic if not.
                    return Err(Response::text(400, "Bad request.\n"));
                };
                // A name that is not text cannot be one of ours: kept mangled, it is refused as not local.
                let host = request
                    .headers
                    .iter()
                    .find(|header| header.name.eq_ignore_ascii_case("host"))
                    .map(|header| String::from_utf8_lossy(header.value).trim().to_string());
                Ok(Some(Request {
                    method: method.to_string(),
                    target: target.to_string(),
                    host,
                }))
            }
            Err(err) => Err(Response::text(400, &format!("Bad request: {err}.\n"))),
        }
    }

    /// A request as a test would send it.
    #[cfg(test)]
    pub(super) fn new(method: &str, target: &str, host: Option<&str>) -> Request {
        Request {
            method: method.into(),
            target: target.into(),
            host: host.map(str::to_string),
        }
    }
}

/// A whole response: the preview never streams.
#[derive(Debug)]
pub(super) struct Response {
    pub(super) status: u16,
    pub(super) content_type: &'static str,
    pub(super) body: Vec<u8>,
    pub(super) headers: Vec<(&'static str, String)>,
}

impl Response {
    pub(super) fn new(
        status: u16,
        content_type: &'static str,
        body: impl Into<Vec<u8>>,
    ) -> Response {
        Response {
            status,
            content_type,
            body: body.into(),
            headers: Vec::new(),
        }
    }

    pub(super) fn text(status: u16, body: &str) -> Response {
        Response::new(status, "text/plain; charset=utf-8", body)
    }

    pub(super) fn header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }

    pub(super) fn write_to(&self, out: &mut impl Write, head_only: bool) -> std::io::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(head: &[u8]) -> Option<Request> {
        Request::parse(head).expect("a valid head")
    }

    #[test]
    fn parses_request_lines() {
        let request = parse(b"GET /a?b HTTP/1.1\r\nHost: x\r\n\r\n").expect("complete");
        assert_eq!(
            (request.method.as_str(), request.target.as_str()),
            ("GET", "/a?b")
        );
        assert!(parse(b"GET / HTTP/1.0\n\n").is_some(), "bare newlines");
        assert!(parse(b"GET /a?b HTTP/1.1\r\nHost: x").is_none());
        assert!(parse(b"GET / HTTP/1.1\r\n").is_none());
        for bad in [
            &b"GET /a\r\n\r\n"[..],
            b"GET /a b HTTP/1.1\r\n\r\n",
            b"\xff /a HTTP/1.1\r\n\r\n",
            b"GET /a SPDY/3\r\n\r\n",
            b"GET /a HTTP/1.1\r\nno colon\r\n\r\n",
        ] {
            let answer = Request::parse(bad).expect_err(&String::from_utf8_lossy(bad));
            assert_eq!(answer.status, 400);
        }
    }

    #[test]
    fn finds_the_host_header_whatever_its_case() {
        let request = parse(b"GET / HTTP/1.1\r\nAccept: */*\r\nhOST: Rebind.Example:80\r\n\r\n")
            .expect("complete");
        assert_eq!(request.host.as_deref(), Some("Rebind.Example:80"));
        let request = parse(b"GET / HTTP/1.0\r\n\r\n").expect("complete");
        assert_eq!(request.host, None);
    }

    /// Hands out its bytes a few at a time, as a slow network would.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(3);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn reads_a_head_however_it_arrives() {
        let sent = b"GET /x HTTP/1.1\r\nHost: localhost\r\n\r\nignored body";
        let Incoming::Request(request) = read_request(&mut Trickle(sent)) else {
            panic!("not read");
        };
        assert_eq!(request.target, "/x");
        assert!(matches!(
            read_request(&mut Trickle(b"GET /x HTTP/1.1\r\nHo")),
            Incoming::Gone
        ));
        assert!(matches!(read_request(&mut Trickle(b"")), Incoming::Gone));
        let endless = format!("GET / HTTP/1.1\r\nX: {}", "a".repeat(MAX_HEAD));
        let Incoming::Bad(answer) = read_request(&mut endless.as_bytes()) else {
            panic!("a head too large was read");
        };
        assert_eq!(answer.status, 400);
    }

    #[test]
    fn a_head_that_trickles_in_runs_out_of_time() {
        use std::time::Duration;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("address");
        let client = std::thread::spawn(move || {
            let mut stream = TcpStream::connect(addr).expect("connect");
            let _ = stream.write_all(b"GET / HTTP/1.1\r\nX: ");
            // A byte well inside any per-read timeout, for longer than the deadline.
            for _ in 0..40 {
                if stream.write_all(b"a").is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        let (stream, _) = listener.accept().expect("accept");
        let start = Instant::now();
        let read = read_request(&mut Deadline::new(
            &stream,
            start + Duration::from_millis(300),
        ));
        let took = start.elapsed();
        assert!(matches!(read, Incoming::Gone), "{read:?}");
        assert!(took >= Duration::from_millis(300), "{took:?}");
        assert!(took < Duration::from_millis(1500), "{took:?}");
        drop(stream);
        let _ = client.join();
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
