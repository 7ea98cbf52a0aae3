//! The `[publish]` table of `statuspost.toml`: where the built site is
//! published, and how `new`/`update`/`postmortem --publish` reach readers.

use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::fields::Fields;
use crate::model::{Publish, PublishVia};

const KEYS: &[&str] = &["git", "branch", "via"];
const VIA: &[&str] = &["push", "direct"];

/// The `[publish]` table, or the defaults when there is none.
pub(crate) fn parse(f: &Fields<'_>, diags: &mut Vec<Diagnostic>) -> Publish {
    let Some(t) = f.table("publish", "[publish] table", diags) else {
        return Publish::default();
    };
    t.deny_unknown(KEYS, diags);
    let git = t.string("git", diags).and_then(|(git, span)| {
        if git.trim().is_empty() {
            diags.push(
                Diagnostic::error(t.source(), span, "`git` is empty")
                    .with_help("name the repository the host deploys from, as `git push` takes it, e.g. \"git@github.com:acme/status-pages.git\""),
            );
            None
        } else {
            Some(git)
        }
    });
    let branch = t
        .string("branch", diags)
        .map_or_else(|| Publish::default().branch, |(b, _)| b);
    let via = match t.string("via", diags) {
        None => PublishVia::Push,
        Some((v, _)) if v == "push" => PublishVia::Push,
        Some((v, span)) if v == "direct" => {
            if git.is_none() {
                diags.push(
                    Diagnostic::error(
                        t.source(),
                        span,
                        "`via = \"direct\"` needs `git`, the repository to publish the site to",
                    )
                    .with_help(
                        "add e.g. `git = \"git@github.com:acme/status-pages.git\"` to [publish]",
                    ),
                );
            }
            PublishVia::Direct
        }
        Some((v, span)) => {
            diags.push(
                Diagnostic::error(t.source(), span, format!("unknown `via` \"{v}\""))
                    .with_help(did_you_mean(&v, VIA)),
            );
            PublishVia::Push
        }
    };
    Publish { git, branch, via }
}
