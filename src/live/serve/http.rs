//! Reading a request's head off a connection and writing a whole response:
//! the only HTTP the preview speaks.

use std::io::{Read, Write};

/// A request head larger than this is not from a browser previewing a site.
const MAX_HEAD: usize = 16 * 1024;

/// Reads up to the blank line that ends a request's head. `None` if the peer
/// closed first; a head that is too long reads as a bad request.
pub(super) fn read_head(stream: &mut impl Read) -> std::io::Result<Option<Vec<u8>>> {
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
    pub(super) fn parse(head: &[u8]) -> Result<Request, Response> {
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
    fn finds_the_host_header_whatever_its_case() {
        let request =
            Request::parse(b"GET / HTTP/1.1\r\nAccept: */*\r\nhOST: Rebind.Example:80\r\n")
                .expect("parses");
        assert_eq!(request.host.as_deref(), Some("Rebind.Example:80"));
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
