//! Running the `git` command-line client, so that authentication, hooks and
//! configuration work exactly as they do for the author's own commands.

use std::path::Path;
use std::process::{Command, Output};

use anyhow::{bail, Context};

/// Runs git in `dir` (or the current folder) and returns its output, whatever its status.
pub(crate) fn output(dir: Option<&Path>, args: &[&str]) -> anyhow::Result<Output> {
    let mut command = Command::new("git");
    if let Some(dir) = dir {
        command.arg("-C").arg(dir);
    }
    // Never stop to ask for a password in CI or mid-incident; fail with git's message instead.
    // Nor for an editor: no command statuspost runs needs one, and an author's
    // GIT_EDITOR would otherwise be started with its screen hidden.
    command
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_EDITOR", "true")
        .stdin(std::process::Stdio::null());
    command
        .output()
        .with_context(|| "failed to run `git`: is git installed and on the PATH?".to_string())
}

/// Runs git and returns its standard output, or an error with git's own message.
pub(crate) fn run(dir: Option<&Path>, args: &[&str]) -> anyhow::Result<String> {
    let out = output(dir, args)?;
    if !out.status.success() {
        bail!(
            "`git {}` failed: {}",
            subcommand(args),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `-c` options naming statuspost as the committer where no identity is
/// configured: CI runners often have none, and a publish must not fail for it.
pub(crate) fn identity(dir: &Path) -> Vec<&'static str> {
    let configured = output(Some(dir), &["config", "user.email"]).is_ok_and(|o| o.status.success());
    if configured {
        Vec::new()
    } else {
        vec![
            "-c",
            "user.name=statuspost",
            "-c",
            "user.email=statuspost@localhost",
        ]
    }
}

/// The subcommand of a git command line (`commit`), past `-c NAME=VALUE` and
/// other options: the rest can be a message or paths, which read as noise.
fn subcommand<'a>(args: &[&'a str]) -> &'a str {
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        match *arg {
            "-c" | "-C" => i += 2,
            a if a.starts_with('-') => i += 1,
            a => return a,
        }
    }
    ""
}
