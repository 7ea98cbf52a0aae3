//! Keeps README.md honest: its config and incident examples build exactly as written.

use crate::support::{git, text, TestSite};

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

/// The lines of the fenced block after `marker`, which may be indented (in a list item).
fn indented_block(readme: &str, marker: &str) -> String {
    let from = readme
        .find(marker)
        .unwrap_or_else(|| panic!("README has no {marker}"));
    let mut lines = readme[from..]
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("```"));
    let fence = lines.next().unwrap();
    let indent = fence.len() - fence.trim_start().len();
    lines
        .take_while(|l| l.trim() != "```")
        .map(|l| format!("{}\n", l.get(indent..).unwrap_or("")))
        .collect()
}

#[test]
fn readme_installer_commands_run_as_written() {
    use crate::install::{
        genuine, host_target, missing_installer_tools, on_path, repo_file, serve_release, Dist,
        Server, VERSION,
    };
    if let Some(why) = missing_installer_tools().or_else(|| {
        on_path("curl")
            .is_none()
            .then(|| "the README's installer line needs curl".to_string())
    }) {
        eprintln!("skipped: {why}");
        return;
    }
    let dist = Dist::load();
    let Some(target) = host_target(&dist) else {
        eprintln!("skipped: no prebuilt target for this machine");
        return;
    };
    let readme = repo_file("README.md");
    let block = indented_block(&readme, "<!-- install: installer -->");
    // The release, as GitHub would serve it, on loopback: install.sh itself, then the
    // checksums and this machine's archive that it fetches.
    let server = Server::start();
    serve_release(&server, &dist, genuine(&dist, &target));
    server.put(&format!("/v{VERSION}/install.sh"), repo_file("install.sh"));
    let github = "https://github.com/statuspost_owner/statuspost/releases/download";
    assert!(block.contains(github), "{block}");
    let script = block.replace(github, &server.url());

    let home = tempfile::tempdir().unwrap();
    let bin = home.path().join(".local/bin");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = std::process::Command::new("sh")
        .arg("-ec")
        .arg(&script)
        .env("HOME", home.path())
        .env("PATH", path)
        .env("STATUSPOST_DOWNLOAD_URL", server.url())
        .env_remove("STATUSPOST_VERSION")
        .env_remove("STATUSPOST_INSTALL_DIR")
        .env_remove("STATUSPOST_TARGET")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{script}\n{stdout}\n{stderr}");
    assert_eq!(stdout.trim(), format!("statuspost {VERSION}"), "{stderr}");
    assert!(bin.join("statuspost").is_file());
    assert!(server
        .requests()
        .contains(&format!("/v{VERSION}/{}", dist.archive(VERSION, &target))));
}

#[test]
fn readme_action_example_uses_the_actions_inputs() {
    use crate::install::{repo_file, VERSION};
    let readme = repo_file("README.md");
    let action = repo_file("action.yml");
    let inputs: Vec<&str> = action
        .split("\ninputs:\n")
        .nth(1)
        .and_then(|rest| rest.split("\noutputs:\n").next())
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   ") && l.ends_with(':'))
        .map(|l| l.trim().trim_end_matches(':'))
        .collect();
    assert_eq!(inputs, ["version", "command"]);
    let mut uses = 0;
    for (i, _) in readme.match_indices("- uses: statuspost_owner/statuspost@v0\n") {
        uses += 1;
        let rest = &readme[i..];
        let step: Vec<&str> = rest
            .lines()
            .take_while(|l| !l.trim().starts_with("```"))
            .collect();
        let with: Vec<(&str, &str)> = step
            .iter()
            .skip_while(|l| l.trim() != "with:")
            .skip(1)
            .filter_map(|l| l.trim().split_once(':'))
            .collect();
        assert!(!with.is_empty(), "{step:?}");
        for (key, value) in with {
            assert!(inputs.contains(&key), "the action has no input {key}");
            if key == "version" {
                let value = value.split('#').next().unwrap().trim();
                assert_eq!(value, VERSION);
            }
        }
    }
    assert_eq!(
        uses, 2,
        "README's action examples: Install and Keeping the promise"
    );
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
            .env_remove("CI")
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
        } else if line.starts_with("statuspost postmortem ") {
            let files = git(&remote, &["ls-tree", "--name-only", "main", "incidents/"]);
            let text = git(&remote, &["show", &format!("main:{}", files.trim())]);
            assert!(text.contains("## Root cause"), "after `{line}`: {text}");
        }
        if line.contains("--publish") && !line.starts_with("statuspost postmortem ") {
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
