//! Keeps README.md honest: its config and incident examples build exactly as written.

use crate::support::{text, TestSite};

/// The fenced blocks in README.md that follow a line naming a file, e.g. "`statuspost.toml`:".
fn example(readme: &str, marker: &str) -> String {
    let from = readme
        .find(marker)
        .unwrap_or_else(|| panic!("README has no {marker}"));
    let rest = &readme[from..];
    let start = rest.find("```").unwrap();
    let rest = &rest[start..];
    let body_start = rest.find('\n').unwrap() + 1;
    let body = &rest[body_start..];
    body[..body.find("\n```").unwrap() + 1].to_string()
}

#[test]
fn readme_examples_build_as_written() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let config = example(&readme, "<!-- example: statuspost.toml -->");
    let incident = example(
        &readme,
        "<!-- example: incidents/2026-11-22-api-errors.md -->",
    );
    let site = TestSite::empty();
    site.write("statuspost.toml", &config);
    site.write("incidents/2026-11-22-api-errors.md", &incident);
    site.build("2026-11-22T16:00:00Z");
    let page = text(&site.read("site/incidents/2026-11-22-api-errors/index.html"));
    assert!(
        page.contains("Elevated error rates on the Public API"),
        "{page}"
    );
}

#[test]
fn readme_announce_example_is_a_valid_config() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let config = example(&readme, "<!-- example: statuspost.toml -->");
    let announce = example(&readme, "<!-- example: announce -->");
    let incident = example(
        &readme,
        "<!-- example: incidents/2026-11-22-api-errors.md -->",
    );
    let site = TestSite::empty();
    site.write("statuspost.toml", format!("{config}\n{announce}"));
    site.write("incidents/2026-11-22-api-errors.md", &incident);
    let run = site
        .run(&["announce", "--dry-run", "--now", "2026-11-22T14:30:00Z"])
        .success();
    let out = run.stdout();
    assert!(out.contains("would send to `slack`: incidents/2026-11-22-api-errors#investigating-20261122T1405Z\nPOST $SLACK_WEBHOOK_URL (`SLACK_WEBHOOK_URL` is not set: this send would fail)"), "{out}");
    assert!(out.contains("would send to `partners` (webhook)"), "{out}");
    assert!(
        out.contains(
            "Subject: [Acme Cloud Status] Investigating: Elevated error rates on the Public API"
        ),
        "{out}"
    );
}

fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
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

/// Issue 14: README's incident flow ended with one `git commit -am`, which
/// skips the file `new` created and publishes nothing until the incident is
/// over. The flow is run here as written, line by line, in a git repository
/// with a bare remote, and each update must be in the remote after its own step.
#[test]
fn readme_incident_flow_publishes_every_update_as_written() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let flow = example(&readme, "<!-- example: incident flow -->");
    let site = TestSite::new();
    let remote = site.path("remote.git");
    let repo = site.root();
    git(repo, &["init", "-q", "-b", "main"]);
    git(
        repo,
        &[
            "init",
            "-q",
            "--bare",
            "-b",
            "main",
            remote.to_str().unwrap(),
        ],
    );
    git(repo, &["remote", "add", "origin", remote.to_str().unwrap()]);
    git(repo, &["add", "statuspost.toml"]);
    git(
        repo,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-qm",
            "site",
        ],
    );
    git(repo, &["push", "-q", "-u", "origin", "main"]);

    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_statuspost"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut states = Vec::new();
    for line in flow.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let out = std::process::Command::new("sh")
            .args(["-c", line])
            .current_dir(repo)
            .env("PATH", &path)
            // The author's editor: one that saves the draft as it is.
            .env("EDITOR", "true")
            .env_remove("VISUAL")
            .env("GIT_AUTHOR_NAME", "Comms Lead")
            .env("GIT_AUTHOR_EMAIL", "comms@example.com")
            .env("GIT_COMMITTER_NAME", "Comms Lead")
            .env("GIT_COMMITTER_EMAIL", "comms@example.com")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "`{line}` failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some(state) = line
            .strip_prefix("statuspost update error-rates ")
            .and_then(|rest| rest.split_whitespace().next())
        {
            states.push(state.to_string());
        } else if line.starts_with("statuspost new ") {
            states.push("investigating".to_string());
        } else if line.contains("git push") {
            // What the remote holds now: every update so far, and the newest.
            let files = git(&remote, &["ls-tree", "--name-only", "main", "incidents/"]);
            let file = files
                .lines()
                .next()
                .unwrap_or_else(|| panic!("after `{line}` the remote has no incident file"));
            let text = git(&remote, &["show", &format!("main:{file}")]);
            for state in &states {
                assert!(
                    text.contains(&format!("state = \"{state}\"")),
                    "after `{line}` the remote lacks the {state} update:\n{text}"
                );
            }
        }
    }
    assert_eq!(
        states,
        ["investigating", "identified", "verifying", "resolved"]
    );
}
