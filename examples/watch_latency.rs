//! Measures how long `statuspost watch` takes to put a changed incident on disk:
//! `cargo run --release --example watch_latency -- SITE_DIR [EDITS] [middle|newest]`.
//!
//! Starts the release binary's `watch` on SITE_DIR (made by the `corpus`
//! example), edits one incident file EDITS times, and for each edit reports the
//! time from the write to the moment the incident's page on disk shows the
//! change. Prints the median and the worst. `middle` (the default) edits an old,
//! resolved incident, whose change reaches only its own page; `newest` edits
//! the open incident an author is most likely updating, which also changes the
//! home page, the feeds and the API.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(root) = args.first().map(PathBuf::from) else {
        eprintln!("usage: watch_latency SITE_DIR [EDITS]");
        std::process::exit(2);
    };
    let edits: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(20);
    let newest = args.get(2).is_some_and(|w| w == "newest");
    let binary = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/statuspost");
    let out = std::env::temp_dir().join(format!("statuspost-watch-latency-{}", std::process::id()));
    let mut child = Command::new(&binary)
        .args(["watch", "--now", "2026-11-22T12:00:00Z", "--root"])
        .arg(&root)
        .arg("--output-dir")
        .arg(&out)
        .stderr(Stdio::piped())
        .spawn()
        .expect("start statuspost watch (build it first: cargo build --release)");
    // The first build is done when watch reports it.
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    while stderr.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
        if line.contains("built ") {
            break;
        }
        line.clear();
    }
    std::thread::spawn(move || for _ in stderr.lines() {});

    let mut incidents: Vec<PathBuf> = std::fs::read_dir(root.join("incidents"))
        .expect("incidents/")
        .flatten()
        .map(|e| e.path())
        .collect();
    incidents.sort();
    // File names start with the date, so the last is the newest.
    let file = if newest {
        &incidents[incidents.len() - 1]
    } else {
        &incidents[incidents.len() / 2]
    };
    let slug = file.file_stem().unwrap().to_string_lossy().into_owned();
    let page = out.join("incidents").join(&slug).join("index.html");
    let original = std::fs::read_to_string(file).expect("read incident");

    let mut times = Vec::with_capacity(edits);
    for i in 0..edits {
        let marker = format!("Latency probe {i}.");
        std::thread::sleep(Duration::from_millis(300));
        let start = Instant::now();
        std::fs::write(file, format!("{original}\n{marker}\n")).expect("edit");
        loop {
            if std::fs::read_to_string(&page).is_ok_and(|p| p.contains(&marker)) {
                times.push(start.elapsed());
                break;
            }
            if start.elapsed() > Duration::from_secs(10) {
                eprintln!("edit {i}: not on disk after 10 s");
                break;
            }
            std::thread::sleep(Duration::from_micros(500));
        }
    }
    std::fs::write(file, &original).expect("restore");
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&out);
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "watch latency, {} edits of {slug}: median {:.1} ms, worst {:.1} ms",
        times.len(),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    );
}
