//! `statuspost publish`: build, then push the site to a separate repository.

use crate::cli::PublishArgs;
use crate::cmd::{self, Outcome};
use crate::publish::{self, Options};

pub(super) fn run(args: PublishArgs) -> anyhow::Result<Outcome> {
    // Refused before building; a config that does not load is the build's to report.
    if let Some(config) = crate::load::load_config(&args.site.root, &mut Vec::new()) {
        cmd::refuse_demo_now(&config, "publish")?;
    }
    // Never publish a site that does not validate or did not build: the old one stays up.
    let Some((built, dir)) =
        super::build::build_and_report(&args.site, args.output_dir.as_deref())?
    else {
        eprintln!("error: nothing was published");
        return Ok(Outcome::Invalid);
    };
    eprintln!("{}", cmd::summary(&built, &dir));
    let default_message = format!(
        "Publish the status page: {} incident{}",
        built.site.incidents.len(),
        cmd::plural(built.site.incidents.len())
    );
    let config = &built.site.config;
    let Some(remote) = args.remote.as_ref().or(config.publish.git.as_ref()) else {
        return Ok(cmd::refuse(
            "error: publish where? pass --git REMOTE, or set `git` in `[publish]` of statuspost.toml\n  = help: nothing was published",
        ));
    };
    let branch = args.branch.as_ref().unwrap_or(&config.publish.branch);
    let options = Options {
        remote,
        branch,
        message: args.message.as_deref().unwrap_or(&default_message),
        force: args.force,
    };
    let published = publish::publish(&dir, &options)?;
    let Some(commit) = &published.commit else {
        eprintln!("nothing to publish: `{remote}` {branch} is up to date");
        return Ok(Outcome::Ok);
    };
    for (mark, list) in [
        ("added", &published.added),
        ("changed", &published.changed),
        ("removed", &published.removed),
    ] {
        for path in list {
            println!("{mark:8} {path}");
        }
    }
    eprintln!(
        "published {} to `{}` {}: {} added, {} changed, {} removed",
        &commit[..commit.len().min(12)],
        remote,
        branch,
        published.added.len(),
        published.changed.len(),
        published.removed.len()
    );
    Ok(Outcome::Ok)
}
