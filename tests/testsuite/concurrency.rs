//! Two statuspost processes at once: real processes of the real binary,
//! started together a bounded number of times, and nothing either wrote is lost.

use std::process::{Command, Output, Stdio};

use crate::support::TestSite;

const OPEN: &str = "+++\ntitle = \"Webhook delays\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n\n+++\nstate = \"investigating\"\nat = 2026-11-22T10:00:00Z\n+++\nWebhooks to the Public API arrive late.\n";

/// Starts every command at once, then waits for them all.
fn together(site: &TestSite, commands: &[Vec<String>]) -> Vec<Output> {
    let children: Vec<_> = commands
        .iter()
        .map(|args| {
            Command::new(env!("CARGO_BIN_EXE_statuspost"))
                .args(args)
                .current_dir(site.root())
                .env_remove("EDITOR")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

// Issue 15: two `update`s of one incident at the same moment both exited 0
// and one update was silently lost (10 of 10 runs).
#[test]
fn concurrent_updates_of_one_incident_keep_every_update() {
    let site = TestSite::new();
    for round in 0..10 {
        site.incident("w", OPEN);
        let commands: Vec<Vec<String>> = (0..3)
            .map(|n| {
                args(&[
                    "update",
                    "w",
                    "identified",
                    "--message",
                    &format!("Message A{n}."),
                    "--now",
                    "2026-11-22T10:20:00Z",
                ])
            })
            .collect();
        let outputs = together(&site, &commands);
        let text = site.read("incidents/w.md");
        for (n, out) in outputs.iter().enumerate() {
            assert!(
                out.status.success(),
                "round {round}: update {n}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                text.contains(&format!("Message A{n}.")),
                "round {round}: update {n} was lost:\n{text}"
            );
        }
        assert!(text.starts_with(OPEN), "round {round}: {text}");
    }
}

// Issue 15: two `new`s with one title: the second renamed its file over the
// first's (12 of 20 runs), as each checked for the name before writing.
#[test]
fn concurrent_news_with_one_title_lose_nothing() {
    for round in 0..10 {
        let site = TestSite::new();
        let commands: Vec<Vec<String>> = (0..2)
            .map(|n| {
                args(&[
                    "new",
                    "Slow dashboard",
                    "--impact",
                    "minor",
                    "--component",
                    "dashboard",
                    "--message",
                    &format!("Report B{n}."),
                    "--now",
                    "2026-11-22T10:20:00Z",
                ])
            })
            .collect();
        let outputs = together(&site, &commands);
        let mut texts = String::new();
        for entry in std::fs::read_dir(site.path("incidents")).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(!name.starts_with('.'), "round {round}: left {name}");
            texts.push_str(&std::fs::read_to_string(entry.path()).unwrap());
        }
        // Issue 14: a second incident with an open one's title is refused,
        // and says so; whichever came second is told, never silently dropped.
        let mut written = 0;
        for (n, out) in outputs.iter().enumerate() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            if out.status.success() {
                written += 1;
                assert!(
                    texts.contains(&format!("Report B{n}.")),
                    "round {round}: new {n} was lost:\n{texts}"
                );
            } else {
                assert!(
                    stderr.contains("is an open incident with this title"),
                    "round {round}: new {n}: {stderr}"
                );
            }
        }
        assert!(written >= 1, "round {round}: neither was written");
    }
}

fn incident(i: usize) -> String {
    format!(
        "+++\ntitle = \"Incident {i}\"\nimpact = \"minor\"\ncomponents = [\"api\"]\n+++\n+++\nstate = \"resolved\"\nat = 2026-{:02}-{:02}T10:00:00Z\n+++\nSome requests failed for a while; the cause is fixed.\n",
        // January to October: every incident is in the past of the builds' now.
        1 + i % 10,
        1 + i % 27
    )
}

// Issue 15: `serve` and a `build` in another terminal writing one output
// folder failed with "No such file or directory", each renaming the other's
// temporary files away.
#[test]
fn two_builds_into_one_folder_both_finish_and_leave_a_whole_site() {
    let site = TestSite::new();
    for i in 0..300 {
        site.incident(&format!("i{i:03}"), &incident(i));
    }
    let build = args(&["build", "--now", "2026-11-22T12:00:00Z"]);
    for round in 0..4 {
        // Each round changes every page, so both builds have everything to write.
        site.write(
            "statuspost.toml",
            crate::support::CONFIG
                .replace("Acme Cloud Status", &format!("Acme Cloud Status {round}")),
        );
        let outputs = together(&site, &[build.clone(), build.clone()]);
        for out in &outputs {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "round {round}: {stderr}");
            assert!(!stderr.contains("No such file"), "round {round}: {stderr}");
        }
        for i in 0..300 {
            let page = site.read(&format!("site/incidents/i{i:03}/index.html"));
            assert!(
                page.contains(&format!("Acme Cloud Status {round}")),
                "round {round}: i{i:03} is stale"
            );
        }
        let leftovers: Vec<String> = site
            .snapshot()
            .into_iter()
            .map(|(p, _)| p.display().to_string())
            .filter(|p| p.contains("statuspost-tmp") || p.contains("statuspost-building"))
            .collect();
        assert!(leftovers.is_empty(), "round {round}: {leftovers:?}");
    }
}
