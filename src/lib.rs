//! statuspost: a static site generator for public status pages.
//!
//! Data flows one way, and the modules are named after its stages: `load`
//! reads and validates the site into a [`model::Site`]; `check` evaluates it
//! (promises, wording, hosting); `render` turns it into bytes through the
//! `templates`; `output` writes them to disk, changing only what changed;
//! `live` rebuilds and serves a preview. Only `cmd` reads the clock or picks
//! an exit code. The modules that are public are those the fuzz targets,
//! benchmarks and tests drive directly; the rest are the crate's own.

pub(crate) mod announce;
pub mod build;
pub(crate) mod check;
pub(crate) mod cli;
pub mod clock;
mod cmd;
pub mod config;
pub mod diagnostic;
pub(crate) mod edit;
pub(crate) mod fields;
pub(crate) mod fs;
pub(crate) mod git;
pub mod i18n;
pub mod incident_file;
pub(crate) mod independence;
pub(crate) mod lapse;
pub mod lint;
pub(crate) mod live;
pub(crate) mod load;
pub mod maintenance_file;
pub mod markdown;
pub mod model;
pub(crate) mod output;
pub(crate) mod post;
pub(crate) mod publish;
pub(crate) mod render;
pub(crate) mod report;
pub mod source;
pub(crate) mod templates;
pub(crate) mod uptime;
pub(crate) mod view;

use clap::Parser;

/// Runs the command line and returns the process exit code.
pub fn run() -> i32 {
    let cli = cli::Cli::parse();
    cmd::run(cli).code()
}
