//! A small builder for test sites: write files into a temporary folder, run the
//! binary on it, and look at what a reader would get.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const CONFIG: &str = r#"title = "Acme Cloud Status"
base_url = "https://status.acme-status.net"
timezone = "Europe/London"
description = "Live and historical status of Acme Cloud"
default_next_update = "30m"

[contact]
email = "support@acme.example"
url = "https://support.acme.example"

[[components]]
id = "api"
name = "Public API"
group = "Platform"
description = "REST and GraphQL endpoints"

[[components]]
id = "dashboard"
name = "Dashboard"
group = "Platform"

[[components]]
id = "db"
name = "Databases"
group = "Data"
"#;

pub struct TestSite {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub output: Output,
}

impl TestSite {
    /// A site with the standard test config and no incidents.
    pub fn new() -> TestSite {
        let site = TestSite::empty();
        site.write("statuspost.toml", CONFIG);
        site
    }

    pub fn empty() -> TestSite {
        TestSite {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> &Self {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    pub fn incident(&self, slug: &str, text: &str) -> &Self {
        self.write(&format!("incidents/{slug}.md"), text)
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.path(rel).exists()
    }

    /// Runs `statuspost ARGS` with the site as the working directory.
    pub fn run(&self, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_statuspost"))
            .args(args)
            .current_dir(self.root())
            .env_remove("EDITOR")
            // Tests say "now" themselves; CI's own `CI=true` must not change what they see.
            .env_remove("CI")
            .output()
            .expect("run statuspost");
        Run { output }
    }

    /// As [`TestSite::run`], with these environment variables set.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_statuspost"))
            .args(args)
            .current_dir(self.root())
            .env_remove("EDITOR")
            .env_remove("CI")
            .envs(env.iter().copied())
            .output()
            .expect("run statuspost");
        Run { output }
    }

    /// `build --now NOW`, expected to succeed.
    pub fn build(&self, now: &str) -> Run {
        self.run(&["build", "--now", now]).success()
    }

    /// Every file under `site/` with its bytes, for before/after comparisons.
    pub fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        collect(&self.path("site"), &self.path("site"), &mut out);
        out.sort();
        out
    }
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(base, &path, out);
        } else {
            out.push((
                path.strip_prefix(base).unwrap().to_path_buf(),
                std::fs::read(&path).unwrap(),
            ));
        }
    }
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn success(self) -> Self {
        assert_eq!(
            self.code(),
            0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }

    pub fn expect_code(self, code: i32) -> Self {
        assert_eq!(
            self.code(),
            code,
            "unexpected exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }

    pub fn expect_stderr(self, needle: &str) -> Self {
        let stderr = self.stderr();
        assert!(
            stderr.contains(needle),
            "stderr lacks {needle:?}:\n{stderr}"
        );
        self
    }
}

/// The visible text of an HTML fragment: tags removed, entities for `&<>"'` decoded, whitespace collapsed.
pub fn text(html: &str) -> String {
    // What is in <head> (title, inlined CSS) is not on the page.
    let html = match (html.find("<head>"), html.find("</head>")) {
        (Some(a), Some(b)) => format!("{}{}", &html[..a], &html[b..]),
        _ => html.to_string(),
    };
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&");
    // Tags become spaces, so punctuation right after an inline element gets one too.
    decoded
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" .", ".")
        .replace(" ,", ",")
}

/// The part of a page between the first `start` and the next `end` after it.
pub fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in page"));
    let rest = &html[from..];
    let to = rest.find(end).map_or(rest.len(), |i| i + end.len());
    &rest[..to]
}

/// The start tags of a page as (name, attributes), as a browser's tokenizer would see them:
/// escaped text like `&lt;script&gt;` is not a tag.
pub fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'<' && bytes.get(i + 1).is_some_and(|b| b.is_ascii_alphabetic()) {
            let mut j = i + 1;
            while j < bytes.len()
                && !bytes[j].is_ascii_whitespace()
                && bytes[j] != b'>'
                && bytes[j] != b'/'
            {
                j += 1;
            }
            let name = html[i + 1..j].to_ascii_lowercase();
            let mut attrs = Vec::new();
            loop {
                while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b'/') {
                    j += 1;
                }
                if j >= bytes.len() || bytes[j] == b'>' {
                    break;
                }
                let start = j;
                while j < bytes.len()
                    && !bytes[j].is_ascii_whitespace()
                    && !matches!(bytes[j], b'=' | b'>')
                {
                    j += 1;
                }
                let key = html[start..j].to_ascii_lowercase();
                let mut value = String::new();
                if bytes.get(j) == Some(&b'=') {
                    j += 1;
                    match bytes.get(j) {
                        Some(&q @ (b'"' | b'\'')) => {
                            let end = html[j + 1..]
                                .find(q as char)
                                .map_or(bytes.len(), |e| j + 1 + e);
                            value = html[j + 1..end].to_string();
                            j = end + 1;
                        }
                        _ => {
                            let s = j;
                            while j < bytes.len()
                                && !bytes[j].is_ascii_whitespace()
                                && bytes[j] != b'>'
                            {
                                j += 1;
                            }
                            value = html[s..j].to_string();
                        }
                    }
                }
                attrs.push((key, value));
            }
            // Inside <title>, <textarea> and <style> nothing is a tag until the matching end tag
            // (HTML's RCDATA and RAWTEXT states); the minifier relies on this and so do browsers.
            if matches!(name.as_str(), "title" | "textarea" | "style") {
                let close = format!("</{name}");
                j = html[j..]
                    .to_ascii_lowercase()
                    .find(&close)
                    .map_or(bytes.len(), |e| j + e);
            }
            out.push((name, attrs));
            i = j;
        }
        i += 1;
    }
    out
}

/// Fails if any element could run script or load a resource from another origin.
pub fn assert_inert(page: &str, html: &str) {
    for (name, attrs) in tags(html) {
        assert!(
            !matches!(
                name.as_str(),
                "script" | "iframe" | "object" | "embed" | "img" | "frame" | "base" | "form"
            ),
            "{page}: <{name}> element"
        );
        for (key, value) in attrs {
            assert!(
                !key.starts_with("on"),
                "{page}: event handler {key}={value:?} on <{name}>"
            );
            let v: String = value
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            if matches!(
                key.as_str(),
                "href" | "src" | "action" | "formaction" | "srcset"
            ) {
                assert!(
                    !v.starts_with("javascript:") && !v.starts_with("vbscript:"),
                    "{page}: {key}={value:?}"
                );
                assert!(
                    !v.starts_with("data:")
                        || (name == "link" && v.starts_with("data:image/svg+xml")),
                    "{page}: {key}={value:?}"
                );
            }
        }
    }
}

/// Fails unless every element is closed in order, as the pages are written with
/// every end tag kept. Catches a template whose tags a minifier or an edit unbalanced.
pub fn assert_balanced(page: &str, html: &str) {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr",
    ];
    let bytes = html.as_bytes();
    let mut stack: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(rel) = html[i..].find('<') {
        let at = i + rel;
        let rest = &html[at + 1..];
        let closing = rest.starts_with('/');
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let end = html[at..].find('>').map_or(bytes.len(), |e| at + e + 1);
        i = end;
        if name.is_empty() {
            continue;
        }
        if closing {
            let open = stack.pop();
            assert_eq!(
                open.as_deref(),
                Some(name.as_str()),
                "{page}: </{name}> at byte {at} closes {open:?}"
            );
        } else if !VOID.contains(&name.as_str()) {
            if matches!(name.as_str(), "title" | "style" | "textarea" | "script") {
                let close = format!("</{name}");
                i = html[end..].find(&close).map_or(bytes.len(), |e| end + e);
            }
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "{page}: unclosed {stack:?}");
}

/// Runs git in `dir` and returns its output; a failure fails the test.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Serves on loopback, as a static host does, the bytes `lookup` gives for
/// each path (without its leading `/`), or 404; until the test ends.
pub fn host(lookup: impl Fn(&str) -> Option<Vec<u8>> + Send + 'static) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) <= 2 {
                    break;
                }
            }
            let mut stream = &stream;
            let _ = match lookup(path.trim_start_matches('/')) {
                Some(body) => stream
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .and_then(|_| stream.write_all(&body)),
                None => stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                ),
            };
        }
    });
    url
}

impl TestSite {
    /// Points the site's `base_url` at `url` (a loopback host); returns the new config.
    pub fn set_base_url(&self, url: &str) -> String {
        let config = self.read("statuspost.toml");
        let base = config
            .lines()
            .find(|l| l.starts_with("base_url"))
            .expect("a base_url line")
            .to_string();
        let config = config.replace(&base, &format!("base_url = \"{url}\""));
        self.write("statuspost.toml", &config);
        config
    }
}
