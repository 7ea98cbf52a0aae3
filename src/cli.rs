//! The command line, as clap types. The doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Static status pages from incidents written in markdown.
#[derive(Debug, Parser)]
#[command(name = "statuspost", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the status page, its incident pages, history and feed into the output folder.
    Build(BuildArgs),
}

/// Options every command shares.
#[derive(Debug, Args, Clone)]
pub struct SiteArgs {
    /// The site folder: where statuspost.toml and incidents/ are.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Treat this instant as "now" (RFC 3339, or local time in the site's zone), for reproducible runs.
    #[arg(long, value_name = "DATETIME")]
    pub now: Option<String>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Where to write the site (default: `site/` in the site folder).
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn verify_cli() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
