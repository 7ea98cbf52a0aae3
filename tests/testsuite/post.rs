//! `new`, `update` and `postmortem` with `--publish`: from the author's
//! command to the content remote (CI's path), or straight to the pages
//! branch a host serves (`--publish=direct`), checked as a git remote and a
//! loopback web host see it.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use crate::support::{git, TestSite};

/// A fresh `statuspost init` site in a git repository whose `main` tracks a bare remote.
struct Repo {
    site: TestSite,
    remote: PathBuf,
}

impl Repo {
    fn new() -> Repo {
        let site = TestSite::empty();
        site.run(&["init", "--now", "2026-12-02T08:00:00Z"])
            .success();
        let root = site.root();
        git(root, &["init", "-q", "-b", "main"]);
        identity(root);
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "init"]);
        let remote = site.path("remote.git");
        git(
            root,
            &[
                "init",
                "-q",
                "--bare",
                "-b",
                "main",
                remote.to_str().unwrap(),
            ],
        );
        git(root, &["remote", "add", "origin", remote.to_str().unwrap()]);
        git(root, &["push", "-q", "-u", "origin", "main"]);
        // The remote and the pages repository live beside the content, not in it.
        std::fs::write(
            site.path(".git/info/exclude"),
            "remote.git\npages.git\nother\n",
        )
        .unwrap();
        Repo { site, remote }
    }

    /// The file at `path` on the remote's `main`, or `None`.
    fn remote_file(&self, path: &str) -> Option<String> {
        let out = std::process::Command::new("git")
            .arg("--git-dir")
            .arg(&self.remote)
            .args(["show", &format!("main:{path}")])
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn remote_log(&self) -> Vec<String> {
        let out = std::process::Command::new("git")
            .arg("--git-dir")
            .arg(&self.remote)
            .args(["log", "--format=%s", "main"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// A second author's clone of the remote.
    fn other_clone(&self) -> PathBuf {
        let other = self.site.path("other");
        git(
            self.site.root(),
            &[
                "clone",
                "-q",
                self.remote.to_str().unwrap(),
                other.to_str().unwrap(),
            ],
        );
        identity(&other);
        other
    }
}

/// `update payouts STATE -m MESSAGE --now AT --publish`.
fn publish_update(site: &TestSite, state: &str, message: &str, at: &str) -> crate::support::Run {
    site.run(&[
        "update",
        "payouts",
        state,
        "-m",
        message,
        "--now",
        at,
        "--publish",
    ])
}

/// Commits and pushes everything in the site, as an author posting by hand does.
fn commit_and_push(site: &TestSite, message: &str) {
    git(site.root(), &["add", "-A"]);
    git(site.root(), &["commit", "-q", "-m", message]);
    git(site.root(), &["push", "-q"]);
}

fn identity(dir: &Path) {
    git(dir, &["config", "user.name", "Comms Lead"]);
    git(dir, &["config", "user.email", "comms@acme.example"]);
}

/// Serves the files of `branch` of the bare repository `bare` as a static host deploying it would.
fn host_branch(bare: PathBuf, branch: &'static str) -> String {
    crate::support::host(move |path| {
        let out = std::process::Command::new("git")
            .arg("--git-dir")
            .arg(&bare)
            .args(["show", &format!("{branch}:{path}")])
            .output()
            .ok()?;
        out.status.success().then_some(out.stdout)
    })
}

const NOW: &str = "2026-12-02T10:00:00Z";

/// The first update of the incident most tests post to, published.
const NEW_PUBLISHED: [&str; 9] = [
    "new",
    "Payouts delayed",
    "--impact",
    "major",
    "--component",
    "api",
    "--now",
    NOW,
    "--publish",
];

/// The update after it, published.
const IDENTIFIED_PUBLISHED: [&str; 6] = [
    "update",
    "payouts",
    "identified",
    "--now",
    "2026-12-02T10:10:00Z",
    "--publish",
];

#[test]
fn publish_commits_only_the_file_written_and_pushes_each_update() {
    let repo = Repo::new();
    let site = &repo.site;
    // The author's work in progress: a staged change to the config, an
    // untracked note, and a commit of their own not yet pushed.
    site.write("notes.txt", "draft");
    site.write(
        "statuspost.toml",
        site.read("statuspost.toml") + "\n# edited\n",
    );
    git(site.root(), &["add", "statuspost.toml"]);
    // CI builds what is committed: a site with changes not committed is not
    // the one that would be published, so nothing is written.
    let run = site.run(&NEW_PUBLISHED).expect_code(2);
    assert!(run.stderr().contains("statuspost.toml"), "{}", run.stderr());
    assert!(!site.exists("incidents/2026-12-02-payouts-delayed.md"));
    git(site.root(), &["commit", "-q", "-m", "WIP: do not push"]);
    site.run(&NEW_PUBLISHED)
        .expect_code(2)
        .expect_stderr("WIP: do not push");
    assert!(!site.exists("incidents/2026-12-02-payouts-delayed.md"));
    git(site.root(), &["reset", "-q", "--hard", "origin/main"]);
    assert_eq!(site.read("notes.txt"), "draft");

    let run = site
        .run(&[
            "new",
            "Payouts delayed",
            "--impact",
            "major",
            "--component",
            "api",
            "--message",
            "Payouts are delayed.",
            "--now",
            NOW,
            "--publish",
        ])
        .success();
    let file = run.stdout().trim().to_string();
    assert_eq!(file, "incidents/2026-12-02-payouts-delayed.md");
    assert!(
        run.stderr()
            .contains("investigating at 10:00 UTC on 2 Dec; next update promised by"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr().contains("pushed to origin main"),
        "{}",
        run.stderr()
    );
    assert_eq!(repo.remote_log()[0], "payouts-delayed: investigating");
    assert!(repo
        .remote_file(&file)
        .unwrap()
        .contains("Payouts are delayed."));
    // Nothing else reached the remote, and the untracked note is as it was.
    assert!(repo.remote_file("notes.txt").is_none());
    let status = git(site.root(), &["status", "--porcelain"]);
    assert_eq!(status.trim(), "?? notes.txt");

    // The wording findings for the new text are shown at once, before it goes out.
    let run = publish_update(
        site,
        "identified",
        "A queue is stuck; we suspect a bad deploy. Payouts should be back within the hour.",
        "2026-12-02T10:20:00Z",
    )
    .success();
    let stderr = run.stderr();
    for expected in ["speculation", "should be back", "within the hour"] {
        assert!(stderr.contains(expected), "{stderr}");
    }
    assert_eq!(repo.remote_log()[0], "payouts-delayed: identified");
    assert!(repo
        .remote_file(&file)
        .unwrap()
        .contains("A queue is stuck;"));
}

#[test]
fn without_publish_the_author_is_told_the_update_and_the_exact_next_command() {
    let repo = Repo::new();
    let run = repo
        .site
        .run(&[
            "new",
            "Payouts delayed",
            "--impact",
            "major",
            "--component",
            "api",
            "--next",
            "30m",
            "--now",
            NOW,
        ])
        .success();
    let stderr = run.stderr();
    assert!(stderr.contains("incidents/2026-12-02-payouts-delayed.md: investigating at 10:00 UTC on 2 Dec; next update promised by 10:30 UTC on 2 Dec"), "{stderr}");
    let next = stderr
        .lines()
        .find(|l| l.starts_with("next: "))
        .expect("a next command");
    // The next command, run as printed, publishes the update.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(next.trim_start_matches("next: "))
        .current_dir(repo.site.root())
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(repo.remote_log()[0], "payouts-delayed: investigating");
}

#[test]
fn a_push_after_someone_else_pushed_rebases_once_keeps_both_updates_and_stops_at_a_real_conflict() {
    let repo = Repo::new();
    let site = &repo.site;
    site.run(&NEW_PUBLISHED).success();
    // A second author pushes an unrelated change meanwhile.
    let other = repo.other_clone();
    std::fs::write(other.join("README-status.md"), "ops notes\n").unwrap();
    git(&other, &["add", "-A"]);
    git(&other, &["commit", "-q", "-m", "notes"]);
    git(&other, &["push", "-q"]);
    let run = site.run(&IDENTIFIED_PUBLISHED).success();
    assert!(
        run.stderr()
            .contains("on top of what others pushed meanwhile"),
        "{}",
        run.stderr()
    );
    assert_eq!(
        repo.remote_log()[..2],
        ["payouts-delayed: identified", "notes"]
    );

    // The second author posts to the same incident and pushes first: both
    // appended to one file, so each update is kept, theirs first.
    git(&other, &["pull", "-q", "--rebase"]);
    let file = "incidents/2026-12-02-payouts-delayed.md";
    let theirs = std::fs::read_to_string(other.join(file)).unwrap()
        + "\n+++\nstate = \"verifying\"\nat = 2026-12-02T10:15:00Z\nnext_update = \"30m\"\n+++\nA fix is rolling out.\n";
    std::fs::write(other.join(file), theirs).unwrap();
    git(
        &other,
        &["commit", "-q", "-am", "payouts-delayed: verifying"],
    );
    git(&other, &["push", "-q"]);
    publish_update(site, "verifying", "Our words.", "2026-12-02T10:16:00Z").success();
    let remote = repo.remote_file(file).unwrap();
    let (rolling, ours) = (
        remote.find("A fix is rolling out.").expect("their update"),
        remote.find("Our words.").expect("our update"),
    );
    assert!(rolling < ours, "{remote}");
    assert_eq!(
        repo.remote_log()[..2],
        ["payouts-delayed: verifying", "payouts-delayed: verifying"]
    );

    // Both write the postmortem into the summary: the same lines, a real
    // conflict. Nothing is merged for us, nothing is lost, nothing is half-done.
    git(&other, &["pull", "-q", "--rebase"]);
    let theirs = std::fs::read_to_string(other.join(file)).unwrap().replacen(
        "+++\n\n+++\n",
        "+++\n\nTheir summary.\n\n+++\n",
        1,
    );
    std::fs::write(other.join(file), theirs).unwrap();
    git(
        &other,
        &["commit", "-q", "-am", "payouts-delayed: postmortem"],
    );
    git(&other, &["push", "-q"]);
    let run = site
        .run(&["postmortem", "payouts", "--publish"])
        .expect_code(3);
    assert!(
        run.stderr()
            .contains("has other changes to incidents/2026-12-02-payouts-delayed.md"),
        "{}",
        run.stderr()
    );
    assert!(site.read(file).contains("## Root cause"));
    assert_eq!(
        git(site.root(), &["log", "-1", "--format=%s"]).trim(),
        "payouts-delayed: postmortem"
    );
    assert!(git(site.root(), &["status", "--porcelain"])
        .lines()
        .all(|l| !l.starts_with("UU")));
    assert!(repo.remote_file(file).unwrap().contains("Their summary."));
}

#[test]
fn an_invalid_site_writes_and_commits_nothing() {
    let repo = Repo::new();
    let site = &repo.site;
    site.run(&NEW_PUBLISHED).success();
    let file = "incidents/2026-12-02-payouts-delayed.md";
    let before = site.read(file);
    // Someone else pushed a broken file: CI cannot publish anything until it is fixed.
    site.write(
        "incidents/2026-12-01-broken.md",
        "+++\ntitle = \"Broken\"\n",
    );
    commit_and_push(site, "broken");
    let run = site.run(&IDENTIFIED_PUBLISHED).expect_code(2);
    assert!(
        run.stderr().contains("2026-12-01-broken.md"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr().contains("nothing was written"),
        "{}",
        run.stderr()
    );
    assert_eq!(site.read(file), before);
    assert_eq!(repo.remote_log()[0], "broken");
}

#[test]
fn a_site_template_that_fails_undoes_the_update() {
    let repo = Repo::new();
    let site = &repo.site;
    site.run(&NEW_PUBLISHED).success();
    let file = "incidents/2026-12-02-payouts-delayed.md";
    let before = site.read(file);
    site.write(
        "templates/incident.html",
        "{% extends \"base.html\" %}{% block main %}{{ missing.field }}{% endblock main %}",
    );
    commit_and_push(site, "a template");
    let run = site.run(&IDENTIFIED_PUBLISHED).expect_code(2);
    assert!(
        run.stderr().contains("is as it was before"),
        "{}",
        run.stderr()
    );
    assert_eq!(site.read(file), before);
    assert_eq!(repo.remote_log().len(), 3);
}

#[test]
fn the_editor_is_checked_before_writing_and_a_failing_editor_cancels() {
    let repo = Repo::new();
    let site = &repo.site;
    let args = [
        "new",
        "Payouts delayed",
        "--impact",
        "major",
        "--component",
        "api",
        "--now",
        NOW,
        "--edit",
    ];
    // No editor: refused before anything is written, so running it again makes no duplicate.
    for _ in 0..2 {
        site.run_env(&args, &[("VISUAL", ""), ("EDITOR", "")])
            .expect_code(2)
            .expect_stderr("--edit needs $VISUAL or $EDITOR");
        site.run_env(&args, &[("EDITOR", "no-such-editor-here")])
            .expect_code(2)
            .expect_stderr("is not installed or not on the PATH");
    }
    assert!(!site.exists("incidents/2026-12-02-payouts-delayed.md"));
    // An editor that exits non-zero (`:cq`) cancels, as it does for `git commit`.
    site.run_env(&args, &[("EDITOR", "false")])
        .expect_code(2)
        .expect_stderr("cancelled");
    assert!(!site.exists("incidents/2026-12-02-payouts-delayed.md"));

    site.run(&[
        "new",
        "Payouts delayed",
        "--impact",
        "major",
        "--component",
        "api",
        "--now",
        NOW,
    ])
    .success();
    let file = "incidents/2026-12-02-payouts-delayed.md";
    let before = site.read(file);
    site.run_env(
        &[
            "update",
            "payouts",
            "identified",
            "--now",
            "2026-12-02T10:10:00Z",
            "--edit",
        ],
        &[("EDITOR", "false")],
    )
    .expect_code(2)
    .expect_stderr("cancelled");
    assert_eq!(site.read(file), before);

    // An editor that saves and exits 0: the edited text is what is published.
    commit_and_push(site, "payouts-delayed: investigating");
    let script = site.path("append.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\nprintf 'The queue is drained.\\n' >> \"$1\"\n",
    )
    .unwrap();
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&script)
        .status()
        .unwrap();
    site.run_env(
        &[
            "update",
            "payouts",
            "identified",
            "--now",
            "2026-12-02T10:10:00Z",
            "--edit",
            "--publish",
        ],
        &[("EDITOR", script.to_str().unwrap())],
    )
    .success();
    assert!(repo
        .remote_file(file)
        .unwrap()
        .contains("The queue is drained."));
}

#[test]
fn new_refuses_the_title_of_an_open_incident() {
    let repo = Repo::new();
    let site = &repo.site;
    site.run(&[
        "new",
        "Payouts delayed",
        "--impact",
        "major",
        "--component",
        "api",
        "--now",
        NOW,
    ])
    .success();
    site.run(&[
        "new",
        "payouts  DELAYED",
        "--impact",
        "major",
        "--component",
        "api",
        "--now",
        NOW,
    ])
    .expect_code(2)
    .expect_stderr("statuspost update 2026-12-02-payouts-delayed");
    assert!(!site.exists("incidents/2026-12-02-payouts-delayed-2.md"));
}

#[test]
fn postmortem_adds_the_summary_without_an_update() {
    let repo = Repo::new();
    let site = &repo.site;
    site.run(&[
        "new",
        "Payouts delayed",
        "--impact",
        "major",
        "--component",
        "api",
        "--now",
        NOW,
    ])
    .success();
    site.run(&[
        "update",
        "payouts",
        "resolved",
        "--message",
        "Payouts are flowing.",
        "--now",
        "2026-12-02T12:50:00Z",
    ])
    .success();
    site.build("2026-12-05T09:00:00Z");
    let page = "site/incidents/2026-12-02-payouts-delayed/index.html";
    let before = crate::support::text(&site.read(page));
    assert!(
        before.contains("2h 50m") || before.contains("2 hours 50 minutes"),
        "{before}"
    );

    commit_and_push(site, "payouts-delayed");
    // Days later: the postmortem, not another `resolved`.
    site.run(&[
        "update",
        "payouts",
        "resolved",
        "--reopen",
        "--now",
        "2026-12-05T09:00:00Z",
    ])
    .expect_code(2)
    .expect_stderr("statuspost postmortem");
    site.run(&[
        "postmortem",
        "payouts",
        "--now",
        "2026-12-05T09:00:00Z",
        "--publish",
    ])
    .success();
    let file = "incidents/2026-12-02-payouts-delayed.md";
    let text = repo.remote_file(file).unwrap();
    assert!(text.contains("## Root cause"), "{text}");
    assert_eq!(text.matches("state = \"resolved\"").count(), 1);
    assert_eq!(repo.remote_log()[0], "payouts-delayed: postmortem");
    site.build("2026-12-05T09:00:00Z");
    let after = crate::support::text(&site.read(page));
    assert!(
        after.contains("2h 50m") || after.contains("2 hours 50 minutes"),
        "{after}"
    );

    // A second run does not add a second skeleton; --edit opens the one there.
    site.run(&["postmortem", "payouts"])
        .expect_code(2)
        .expect_stderr("--edit");
    let script = site.path("fill.sh");
    std::fs::write(&script, "#!/bin/sh\nsed -i 's/^## Root cause$/## Root cause\\n\\nA full disk on the payout queue./' \"$1\"\n").unwrap();
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&script)
        .status()
        .unwrap();
    site.run_env(
        &["postmortem", "payouts", "--edit", "--publish"],
        &[("EDITOR", script.to_str().unwrap())],
    )
    .success();
    assert!(repo
        .remote_file(file)
        .unwrap()
        .contains("A full disk on the payout queue."));
}

#[test]
fn direct_publishes_the_site_announces_and_commits_the_record_even_when_the_git_host_is_down() {
    let repo = Repo::new();
    let site = &repo.site;
    let pages = site.path("pages.git");
    git(
        site.root(),
        &["init", "-q", "--bare", pages.to_str().unwrap()],
    );
    let url = host_branch(pages.clone(), "gh-pages");
    // A webhook receiver on loopback, counting what it receives.
    let hook = TcpListener::bind("127.0.0.1:0").unwrap();
    let hook_url = format!("http://{}/hook", hook.local_addr().unwrap());
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen = received.clone();
    std::thread::spawn(move || {
        for stream in hook.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut length = 0;
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) <= 2 {
                    break;
                }
                if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = std::io::Read::read_exact(&mut reader, &mut body);
            seen.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&body).into_owned());
            let _ = (&stream)
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    let config = site.set_base_url(&url)
        + &format!(
            "\n[publish]\ngit = \"{}\"\nbranch = \"gh-pages\"\nvia = \"direct\"\n\n[[announce]]\nkind = \"webhook\"\nname = \"hook\"\nurl = \"{hook_url}\"\n",
            pages.display()
        );
    site.write("statuspost.toml", &config);
    git(site.root(), &["commit", "-q", "-am", "publish directly"]);
    git(site.root(), &["push", "-q"]);
    // The git host is down: the content remote cannot be reached.
    git(
        site.root(),
        &[
            "remote",
            "set-url",
            "origin",
            site.path("gone.git").to_str().unwrap(),
        ],
    );

    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let run = site
        .run(&[
            "new",
            "Payouts delayed",
            "--impact",
            "major",
            "--component",
            "api",
            "--message",
            "Payouts are delayed.",
            "--now",
            &now,
            "--publish",
            "--wait=20s",
        ])
        .success();
    let stderr = run.stderr();
    assert!(stderr.contains(&format!("live at {url} after")), "{stderr}");
    assert!(
        stderr.contains("warning: cannot push to origin main: fatal:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the site is published, but pushing to origin main failed"),
        "{stderr}"
    );
    // Readers get it from the pages branch; the channel got it once; the record is committed here.
    let index = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(&pages)
        .args(["show", "gh-pages:index.html"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&index.stdout).contains("Payouts delayed"));
    assert_eq!(received.lock().unwrap().len(), 1);
    let log = git(site.root(), &["log", "--format=%s", "-3"]);
    assert!(
        log.starts_with(
            "announce: payouts-delayed: investigating\npayouts-delayed: investigating\n"
        ),
        "{log}"
    );
    assert!(git(site.root(), &["status", "--porcelain", ".statuspost"])
        .trim()
        .is_empty());
}

#[test]
fn wait_times_out_saying_what_the_host_serves() {
    let repo = Repo::new();
    let site = &repo.site;
    // A host that never gets the update: it serves an empty folder.
    let empty = site.path("pages.git");
    git(
        site.root(),
        &["init", "-q", "--bare", empty.to_str().unwrap()],
    );
    let url = host_branch(empty, "gh-pages");
    site.set_base_url(&url);
    git(site.root(), &["commit", "-q", "-am", "loopback"]);
    git(site.root(), &["push", "-q"]);
    let run = site
        .run(&[
            "new",
            "Payouts delayed",
            "--impact",
            "major",
            "--component",
            "api",
            "--now",
            NOW,
            "--publish",
            "--wait=3s",
        ])
        .expect_code(1);
    assert!(run.stderr().contains("not live after"), "{}", run.stderr());
    assert!(
        run.stderr().contains("api/v2/status.json"),
        "{}",
        run.stderr()
    );
}

/// Push mode end to end: the content remote's hook stands in for CI (it
/// publishes what was pushed to the pages repository), a loopback host serves
/// the pages branch, and `--wait` sees the update go live.
#[test]
fn push_mode_goes_live_through_ci_and_wait_says_when() {
    let repo = Repo::new();
    let site = &repo.site;
    let pages = site.path("pages.git");
    git(
        site.root(),
        &["init", "-q", "--bare", pages.to_str().unwrap()],
    );
    let url = host_branch(pages.clone(), "gh-pages");
    site.set_base_url(&url);
    git(site.root(), &["commit", "-q", "-am", "loopback"]);
    git(site.root(), &["push", "-q"]);
    let ci = site.path("ci");
    let hook = format!(
        "#!/bin/sh\nunset GIT_DIR\nrm -rf '{ci}' && mkdir -p '{ci}' && git --git-dir='{remote}' archive main | tar -x -C '{ci}' && '{bin}' publish --root '{ci}' --git '{pages}' --branch gh-pages >/dev/null 2>&1\n",
        ci = ci.display(),
        remote = repo.remote.display(),
        bin = env!("CARGO_BIN_EXE_statuspost"),
        pages = pages.display()
    );
    let hook_path = repo.remote.join("hooks/post-receive");
    std::fs::write(&hook_path, hook).unwrap();
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&hook_path)
        .status()
        .unwrap();

    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let run = site
        .run(&[
            "new",
            "Payouts delayed",
            "--impact",
            "major",
            "--component",
            "api",
            "--message",
            "Payouts are delayed.",
            "--now",
            &now,
            "--publish",
            "--wait=30s",
        ])
        .success();
    assert!(
        run.stderr().contains(&format!("live at {url} after")),
        "{}",
        run.stderr()
    );
    let index = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(&pages)
        .args(["show", "gh-pages:index.html"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&index.stdout).contains("Payouts delayed"));
}

/// Runs statuspost in `dir` (another author's clone), with `env`.
fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_statuspost"))
        .args(args)
        .current_dir(dir)
        .env_remove("CI")
        .env_remove("EDITOR")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn executable(path: &Path, script: &str) {
    std::fs::write(path, script).unwrap();
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(path)
        .status()
        .unwrap();
}

const FILE: &str = "incidents/2026-12-02-payouts-delayed.md";

/// The second author posts `state` to the incident with `--publish` from their clone.
fn other_posts(other: &Path, state: &str, message: &str, at: &str) {
    git(other, &["pull", "-q", "--rebase"]);
    let out = run_in(
        other,
        &[
            "update",
            "payouts",
            state,
            "-m",
            message,
            "--now",
            at,
            "--publish",
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// Review of issue 14: the words an author typed in the editor were replaced
// by the draft when another author's update had to be merged first.
#[test]
fn words_typed_in_the_editor_survive_another_authors_update() {
    let repo = Repo::new();
    let site = &repo.site;
    site.run(&NEW_PUBLISHED).success();
    let other = repo.other_clone();
    other_posts(&other, "identified", "Their words.", "2026-12-02T10:05:00Z");
    let editor = site.path("editor.sh");
    executable(
        &editor,
        "#!/bin/sh\nsed -i 's/A draft/Our edited words/' \"$1\"\n",
    );
    site.run_env(
        &[
            "update",
            "payouts",
            "identified",
            "-m",
            "A draft",
            "--now",
            "2026-12-02T10:06:00Z",
            "--edit",
            "--publish",
        ],
        &[("EDITOR", editor.to_str().unwrap())],
    )
    .success();
    let remote = repo.remote_file(FILE).unwrap();
    assert!(
        remote.contains("Their words.") && remote.contains("Our edited words"),
        "{remote}"
    );
    assert!(!remote.contains("A draft"), "{remote}");
    assert_eq!(site.read(FILE), remote);
}

// Review of issue 14: a CRLF file got `\r\r\n` line endings when an update
// was appended again after another author's, and the broken site was pushed.
#[test]
fn a_crlf_incident_keeps_its_line_endings_when_two_authors_post() {
    let repo = Repo::new();
    let site = &repo.site;
    site.run(&NEW_PUBLISHED).success();
    let crlf = site.read(FILE).replace('\n', "\r\n");
    site.write(FILE, &crlf);
    git(site.root(), &["commit", "-q", "-am", "crlf"]);
    git(site.root(), &["push", "-q"]);
    let other = repo.other_clone();
    other_posts(&other, "identified", "Their words.", "2026-12-02T10:05:00Z");
    publish_update(
        site,
        "identified",
        "Our first line.\nOur second line.",
        "2026-12-02T10:06:00Z",
    )
    .success();
    let remote = repo.remote_file(FILE).unwrap();
    assert!(!remote.contains("\r\r"), "{remote:?}");
    assert_eq!(
        remote.matches('\n').count(),
        remote.matches("\r\n").count(),
        "{remote:?}"
    );
    assert!(
        remote.contains("Our first line.\r\nOur second line."),
        "{remote:?}"
    );
    site.run(&["check", "--now", "2026-12-02T10:07:00Z"])
        .success();
}

// Review of issue 14: an update appended again after another author's
// skipped the checks of `update`: a stale `identified` reopened an incident
// the other author had resolved.
#[test]
fn an_update_is_not_merged_into_an_incident_resolved_meanwhile() {
    let repo = Repo::new();
    let site = &repo.site;
    site.run(&NEW_PUBLISHED).success();
    let other = repo.other_clone();
    other_posts(
        &other,
        "resolved",
        "Payouts are flowing.",
        "2026-12-02T10:05:00Z",
    );
    let run = publish_update(
        site,
        "identified",
        "A queue is stuck.",
        "2026-12-02T10:06:00Z",
    )
    .expect_code(3);
    assert!(
        run.stderr()
            .contains("has other changes to incidents/2026-12-02-payouts-delayed.md"),
        "{}",
        run.stderr()
    );
    assert!(!repo
        .remote_file(FILE)
        .unwrap()
        .contains("A queue is stuck."));
    // Kept here, committed, with no rebase left half-done.
    assert!(site.read(FILE).contains("A queue is stuck."));
    assert_eq!(
        git(site.root(), &["log", "-1", "--format=%s"]).trim(),
        "payouts-delayed: identified"
    );
    assert!(!site.path(".git/rebase-merge").exists());
}

// Review of issue 14: `--publish=direct` published this machine's stale copy
// over another author's update, already live, and could not merge with it.
#[test]
fn direct_takes_in_what_others_pushed_before_it_publishes() {
    let repo = Repo::new();
    let site = &repo.site;
    let pages = site.path("pages.git");
    git(
        site.root(),
        &["init", "-q", "--bare", pages.to_str().unwrap()],
    );
    let config =
        site.read("statuspost.toml") + &format!("\n[publish]\ngit = \"{}\"\n", pages.display());
    site.write("statuspost.toml", &config);
    git(site.root(), &["commit", "-q", "-am", "pages"]);
    git(site.root(), &["push", "-q"]);
    site.run(&NEW_PUBLISHED).success();
    let other = repo.other_clone();
    other_posts(&other, "identified", "Their words.", "2026-12-02T10:05:00Z");
    site.run(&[
        "update",
        "payouts",
        "verifying",
        "-m",
        "Our words.",
        "--now",
        "2026-12-02T10:06:00Z",
        "--publish=direct",
    ])
    .success();
    let page = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(&pages)
        .args([
            "show",
            "gh-pages:incidents/2026-12-02-payouts-delayed/index.html",
        ])
        .output()
        .unwrap();
    let page = String::from_utf8_lossy(&page.stdout);
    assert!(
        page.contains("Their words.") && page.contains("Our words."),
        "{page}"
    );
    let remote = repo.remote_file(FILE).unwrap();
    assert!(
        remote.contains("Their words.") && remote.contains("Our words."),
        "{remote}"
    );
}

// Review of issue 14: when publishing the pages failed, nothing said that the
// update was committed and pushed, or what to run next.
#[test]
fn direct_says_where_the_update_is_when_publishing_fails() {
    let repo = Repo::new();
    let site = &repo.site;
    let config = site.read("statuspost.toml")
        + &format!(
            "\n[publish]\ngit = \"{}\"\n",
            site.path("no-such-pages.git").display()
        );
    site.write("statuspost.toml", &config);
    git(site.root(), &["commit", "-q", "-am", "pages"]);
    git(site.root(), &["push", "-q"]);
    let run = site
        .run(&[
            "new",
            "Payouts delayed",
            "-i",
            "major",
            "-c",
            "api",
            "--now",
            NOW,
            "--publish=direct",
        ])
        .expect_code(3);
    let stderr = run.stderr();
    assert!(stderr.contains("publishing the site failed"), "{stderr}");
    assert!(
        stderr.contains("pushed; readers do not see it yet: `statuspost publish`"),
        "{stderr}"
    );
    assert!(repo.remote_file(FILE).is_some());
}

// Review of issue 14: a commit hook that refused left the file written and
// staged without saying so; the next command must be one to paste, even with
// a space in the site's path.
#[test]
fn a_refusing_commit_hook_and_a_path_with_a_space_get_commands_to_paste() {
    let repo = Repo::new();
    let site = &repo.site;
    executable(
        &site.path(".git/hooks/pre-commit"),
        "#!/bin/sh\necho 'hook: no' >&2\nexit 1\n",
    );
    let run = site.run(&NEW_PUBLISHED).expect_code(3);
    assert!(run.stderr().contains("hook: no"), "{}", run.stderr());
    assert!(
        run.stderr().contains("is written and staged, not committed; once that is fixed: `git commit -m 'payouts-delayed: investigating' -- incidents/2026-12-02-payouts-delayed.md && git push`"),
        "{}",
        run.stderr()
    );
    std::fs::remove_file(site.path(".git/hooks/pre-commit")).unwrap();
    git(site.root(), &["reset", "-q", "--hard", "origin/main"]);

    let spaced = site.path("status page");
    std::fs::create_dir(&spaced).unwrap();
    site.run(&["init", "--now", NOW, "status page"]).success();
    git(site.root(), &["add", "-A"]);
    git(site.root(), &["commit", "-q", "-m", "a second site"]);
    let out = run_in(
        site.root(),
        &[
            "new",
            "Payouts delayed",
            "-i",
            "major",
            "-c",
            "api",
            "--now",
            NOW,
            "--root",
            "status page",
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let next = stderr
        .lines()
        .find_map(|l| l.strip_prefix("next: "))
        .expect("a next command");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(next)
        .current_dir(site.root())
        .status()
        .unwrap();
    assert!(status.success(), "{next}");
    assert!(repo
        .remote_file("status page/incidents/2026-12-02-payouts-delayed.md")
        .is_some());
}

// Second review of issue 14: `--publish=direct` built, published and
// announced a draft incident that was never committed.
#[test]
fn files_git_does_not_track_are_never_published() {
    let repo = Repo::new();
    let site = &repo.site;
    site.run(&NEW_PUBLISHED).success();
    site.run(&[
        "new",
        "Payments maybe failing",
        "-i",
        "critical",
        "-c",
        "api",
        "-m",
        "DRAFT",
        "--now",
        NOW,
    ])
    .success();
    let run = publish_update(
        site,
        "identified",
        "A queue is stuck.",
        "2026-12-02T10:06:00Z",
    )
    .expect_code(2);
    assert!(
        run.stderr()
            .contains("incidents/2026-12-02-payments-maybe-failing.md"),
        "{}",
        run.stderr()
    );
    assert!(!site.read(FILE).contains("A queue is stuck."));
}

// Second review of issue 14: an author's GIT_EDITOR was started, hidden,
// while an update was appended again after another author's, and hung.
#[test]
fn the_authors_git_editor_is_never_started() {
    let repo = Repo::new();
    let site = &repo.site;
    site.run(&NEW_PUBLISHED).success();
    let other = repo.other_clone();
    other_posts(&other, "identified", "Their words.", "2026-12-02T10:05:00Z");
    site.run_env(
        &[
            "update",
            "payouts",
            "verifying",
            "-m",
            "Our words.",
            "--now",
            "2026-12-02T10:06:00Z",
            "--publish",
        ],
        &[("GIT_EDITOR", "false")],
    )
    .success();
    let remote = repo.remote_file(FILE).unwrap();
    assert!(
        remote.contains("Their words.") && remote.contains("Our words."),
        "{remote}"
    );
}

// Second review of issue 14: with the upstream branch deleted on the remote,
// a push quietly made a branch nothing builds; with it pruned here, the
// error named no next step.
#[test]
fn a_deleted_upstream_branch_is_said_not_recreated() {
    let repo = Repo::new();
    let site = &repo.site;
    git(&repo.remote, &["update-ref", "-d", "refs/heads/main"]);
    let run = site.run(&NEW_PUBLISHED).expect_code(3);
    assert!(
        run.stderr().contains("has no branch `main` any more"),
        "{}",
        run.stderr()
    );
    assert!(repo.remote_file(FILE).is_none());
    git(site.root(), &["reset", "-q", "--hard", "HEAD~1"]);
    git(site.root(), &["fetch", "-q", "--prune"]);
    site.run(&NEW_PUBLISHED)
        .expect_code(2)
        .expect_stderr("git branch -u origin/BRANCH");
    assert!(!site.exists(FILE));
}

// Second review of issue 14: a correction added in the editor to the end of
// the update before was moved into another author's update.
#[test]
fn a_correction_to_the_update_before_is_not_moved_into_theirs() {
    let repo = Repo::new();
    let site = &repo.site;
    site.run(&NEW_PUBLISHED).success();
    let other = repo.other_clone();
    other_posts(&other, "identified", "Their words.", "2026-12-02T10:05:00Z");
    let editor = site.path("correct.sh");
    // The correction goes after the first update's text, before the new block.
    executable(
        &editor,
        "#!/bin/sh\nperl -0pi -e 's/(\\n\\+\\+\\+\\nstate = \"verifying\")/\\nCorrection: EU only.\\n$1/' \"$1\"\n",
    );
    let run = site.run_env(
        &[
            "update",
            "payouts",
            "verifying",
            "-m",
            "Our words.",
            "--now",
            "2026-12-02T10:06:00Z",
            "--edit",
            "--publish",
        ],
        &[("EDITOR", editor.to_str().unwrap())],
    );
    assert!(
        site.read(FILE).contains("Correction: EU only."),
        "the editor ran"
    );
    assert_eq!(run.code(), 3, "{}", run.stderr());
    let remote = repo.remote_file(FILE).unwrap();
    assert!(!remote.contains("Correction"), "{remote}");
}

// Second review of issue 14: two authors opening one incident at once got
// advice to keep both sides, which makes a file with two incident headers.
#[test]
fn two_authors_opening_one_incident_are_told_to_post_to_the_first() {
    let repo = Repo::new();
    let site = &repo.site;
    let other = repo.other_clone();
    let mut theirs = NEW_PUBLISHED.to_vec();
    theirs.extend(["-m", "Their words."]);
    let out = run_in(&other, &theirs, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = site.run(&NEW_PUBLISHED).expect_code(3);
    assert!(
        run.stderr().contains("another author opened"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr()
            .contains("statuspost update 2026-12-02-payouts-delayed STATE"),
        "{}",
        run.stderr()
    );
}
