//! `statuspost watch`: rebuild on every change and warn about promises, without a server.

use crate::cli::WatchArgs;
use crate::cmd::{self, Outcome};
use crate::live::watch;

pub(super) fn run(args: WatchArgs) -> anyhow::Result<Outcome> {
    cmd::check_now(&args.site)?;
    let root = &args.site.root;
    let out_dir = args.output_dir.clone().unwrap_or_else(|| root.join("site"));
    // With `--now` or `demo_now`, every build and check in the session sees that same instant.
    let noted = std::cell::Cell::new(false);
    let now = |config: &_| {
        cmd::note_demo_once(&args.site, config, &noted);
        cmd::preview_now(&args.site, config)
    };
    let options = watch::Options {
        root,
        out_dir: &out_dir,
        now: &now,
    };
    match watch::rebuild_on_change(&options, &mut |_| {})? {}
}
