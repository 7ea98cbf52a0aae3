//! `statuspost status`: whether the published site serves the latest update,
//! read from a "published" folder served on loopback as a static host would.

use std::net::TcpListener;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::support::TestSite;

/// Serves the files of `dir` as a static host does, until the test ends.
fn host(dir: PathBuf) -> String {
    crate::support::host(move |path| std::fs::read(dir.join(path)).ok())
}

const OPEN: &str = "+++\ntitle = \"Payouts delayed\"\nimpact = \"major\"\ncomponents = [\"api\"]\n+++\n+++\nstate = \"investigating\"\nat = 2026-11-22T10:00:00Z\nnext_update = \"30m\"\n+++\nPayouts are delayed.\n";
const IDENTIFIED: &str = "\n+++\nstate = \"identified\"\nat = 2026-11-22T10:20:00Z\nnext_update = \"30m\"\n+++\nA queue is stuck; we are draining it.\n";

/// A site with one open incident, built into `published/` and served on loopback.
fn published_site() -> (TestSite, PathBuf, String) {
    let site = TestSite::new();
    site.incident("2026-11-22-payouts", OPEN);
    let published = site.path("published");
    site.run(&[
        "build",
        "--output-dir",
        published.to_str().unwrap(),
        "--now",
        "2026-11-22T10:05:00Z",
    ])
    .success();
    let url = host(published.clone());
    (site, published, url)
}

#[test]
fn status_says_whether_the_published_site_serves_the_latest_update() {
    let (site, published, url) = published_site();
    let now = "2026-11-22T10:25:00Z";

    // Live: the host serves what the content says.
    let run = site.run(&["status", "--url", &url, "--now", now]).success();
    let out = run.stdout();
    assert!(out.contains("incident 2026-11-22-payouts: investigating, last update 25 minutes ago; next update due in 5 minutes"), "{out}");
    assert!(
        out.contains(&format!(
            "live: {url} serves the latest update (10:00 GMT on 22 Nov)"
        )),
        "{out}"
    );

    // A new update, not yet published: not live, exit 1.
    let file = site.path("incidents/2026-11-22-payouts.md");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str(IDENTIFIED);
    std::fs::write(&file, text).unwrap();
    let run = site
        .run(&["status", "--url", &url, "--now", now])
        .expect_code(1);
    assert!(run.stdout().contains(&format!("not yet live: {url} serves content as of 10:00 GMT on 22 Nov; the latest update is 10:20 GMT on 22 Nov")), "{}", run.stdout());

    // Waiting, and the host never catches up: bounded by --wait.
    let started = Instant::now();
    let run = site
        .run(&["status", "--url", &url, "--now", now, "--wait", "3s"])
        .expect_code(1);
    assert!(
        run.stdout().contains("not yet live after waiting up to 3s"),
        "{}",
        run.stdout()
    );
    assert!(started.elapsed() < Duration::from_secs(20));

    // Waiting while CI publishes: live as soon as the host serves it.
    let publisher = {
        let root = site.root().to_path_buf();
        let published = published.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(500));
            let status = std::process::Command::new(env!("CARGO_BIN_EXE_statuspost"))
                .args([
                    "build",
                    "--output-dir",
                    published.to_str().unwrap(),
                    "--now",
                    "2026-11-22T10:21:00Z",
                ])
                .current_dir(root)
                .output()
                .unwrap();
            assert!(status.status.success());
        })
    };
    let run = site
        .run(&[
            "status", "--url", &url, "--now", now, "--wait", "1m", "--format", "json",
        ])
        .success();
    publisher.join().unwrap();
    let json: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(json["live"], true, "{json}");
    assert_eq!(json["latest_update"], "2026-11-22T10:20:00Z", "{json}");
    assert_eq!(json["open"][0]["state"], "identified", "{json}");
    assert_eq!(json["open"][0]["next_update_in_seconds"], 1500, "{json}");

    // No host at all: exit 3, and says why.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let run = site
        .run(&["status", "--url", &closed, "--now", now])
        .expect_code(3);
    assert!(
        run.stdout().contains("unknown: cannot read"),
        "{}",
        run.stdout()
    );
}

/// README's `statuspost status` example, as written, against a site whose
/// `base_url` is the loopback host.
#[test]
fn readme_status_example_runs_as_written() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let at = readme
        .find("<!-- example: status -->")
        .expect("README's status example");
    let block = &readme[at..];
    let command = block[block.find("```sh\n").unwrap() + 6..]
        .lines()
        .next()
        .unwrap()
        .to_string();
    let (site, _, url) = published_site();
    site.set_base_url(&url);
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
    let run = site.run(&args).success();
    assert!(
        run.stdout().contains(&format!(
            "live at {url} after 0 s: it serves the latest update"
        )),
        "{}",
        run.stdout()
    );
}
