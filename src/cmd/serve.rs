//! `statuspost serve`: preview the site on 127.0.0.1, rebuilt and reloaded on every change.

use std::io::Write;
use std::sync::Arc;

use anyhow::Context;

use crate::cli::ServeArgs;
use crate::cmd::{self, Outcome};
use crate::live::serve::{Live, Server};
use crate::live::watch;

pub(super) fn run(args: ServeArgs) -> anyhow::Result<Outcome> {
    cmd::check_now(&args.site)?;
    let root = &args.site.root;
    let out_dir = args.output_dir.clone().unwrap_or_else(|| root.join("site"));
    let live = Arc::new(Live::default());
    // Listen before the first build, so a port in use fails at once; pages
    // requested meanwhile wait for that build.
    let server = Server::bind(args.port, Arc::clone(&live))?;
    let url = server.url()?;
    server.spawn()?;
    {
        // The one line on stdout, for scripts and tests to find the port.
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "Serving {url}").context("cannot write to stdout")?;
        stdout.flush().context("cannot write to stdout")?;
    }
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
    match watch::rebuild_on_change(&options, &mut |rebuilt| live.publish(rebuilt))? {}
}
