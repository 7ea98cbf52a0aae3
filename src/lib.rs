//! statuspost: a static site generator for public status pages.
//!
//! Data flows one way: [`load`] reads and validates the site into a
//! [`model::Site`], [`render`] turns it into an in-memory [`render::Output`],
//! and [`output`] writes that to disk. Only [`cmd`] reads the clock or picks
//! an exit code.

pub mod announce;
pub mod build;
pub mod check;
pub mod cli;
pub mod clock;
mod cmd;
pub mod config;
pub mod diagnostic;
pub mod edit;
pub mod fields;
pub mod fs;
pub mod i18n;
pub mod incident_file;
pub mod independence;
pub mod lapse;
pub mod lint;
mod live;
pub mod load;
pub mod maintenance_file;
pub mod markdown;
pub mod model;
pub mod output;
pub mod publish;
pub mod render;
mod report;
pub mod source;
pub mod templates;
pub mod uptime;
pub mod view;

use clap::Parser;

/// Runs the command line and returns the process exit code.
pub fn run() -> i32 {
    let cli = cli::Cli::parse();
    cmd::run(cli).code()
}
