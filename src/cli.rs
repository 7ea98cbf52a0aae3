//! The command line, as clap types. The doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Static status pages from incidents written in markdown.
#[derive(Debug, Parser)]
#[command(name = "statuspost", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Build the status page, its incident pages, history and feed into the output folder.
    Build(BuildArgs),
    /// Validate the content and report lapsed promises and wording problems (for scheduled CI).
    Check(CheckArgs),
    /// Create a new status site: config, an example incident, an empty incidents/ folder.
    Init(InitArgs),
    /// Start a new incident with its first `investigating` update.
    New(NewArgs),
    /// Append an update to an incident.
    Update(UpdateArgs),
    /// Add the postmortem to a resolved incident's summary, or edit it, without a new update.
    Postmortem(PostmortemArgs),
    /// Build, then commit the site as the tip of a branch of a separate git repository and push it.
    Publish(PublishArgs),
    /// Send every update not yet announced to the channels of `[[announce]]`: chat, webhooks, e-mail.
    Announce(AnnounceArgs),
    /// Preview the site on 127.0.0.1, rebuilding and reloading the browser on every change.
    Serve(ServeArgs),
    /// Rebuild on every change and warn when a promised update lapses, without a server.
    Watch(WatchArgs),
    /// What is open and promised, and whether the published site already serves the latest update.
    Status(StatusArgs),
}

/// Options every command shares.
#[derive(Debug, Args, Clone)]
pub(crate) struct SiteArgs {
    /// The site folder: where statuspost.toml and incidents/ are; else the nearest folder above it that has one.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Treat this instant as "now" (RFC 3339, or local time in the site's zone), for reproducible runs; overrides `demo_now`.
    #[arg(long, value_name = "DATETIME", value_parser = datetime)]
    pub now: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Where to write the site (default: `site/` in the site folder).
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Print how long loading, rendering and writing took.
    #[arg(long)]
    pub timings: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// How to print findings.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Exit 1 on any warning, not only on a lapsed promise.
    #[arg(long)]
    pub deny_warnings: bool,
}

/// Exit codes: 0 the published site serves the latest update, 1 it does not
/// (yet), 3 it could not be read.
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Read the published site here instead of the config's `base_url`.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Ask again every 2 seconds until the site serves the latest update, for at most this long (`2m`).
    #[arg(long, value_name = "DURATION")]
    pub wait: Option<String>,
    /// How to print.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// The folder to create the site in (default: the current folder).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Also copy the default page and update templates into templates/ for editing.
    #[arg(long)]
    pub templates: bool,
    /// Date the example incident relative to this instant instead of the clock.
    #[arg(long, value_name = "DATETIME", value_parser = datetime)]
    pub now: Option<String>,
}

#[derive(Debug, Args)]
#[command(after_help = with_impacts(NEW_EXAMPLES))]
pub(crate) struct NewArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// The incident's title, as customers will read it.
    #[arg(value_name = "TITLE")]
    pub title: String,
    /// How badly customers are affected (for an incident).
    #[arg(short, long, value_enum, required_unless_present = "maintenance")]
    pub impact: Option<ImpactArg>,
    /// Schedule maintenance instead of starting an incident: needs --starts and --ends.
    #[arg(long, requires_all = ["starts", "ends"], conflicts_with = "impact")]
    pub maintenance: bool,
    /// When the maintenance window starts (RFC 3339, or local time in the site's zone).
    #[arg(long, value_name = "DATETIME", requires = "maintenance")]
    pub starts: Option<String>,
    /// When the maintenance window ends.
    #[arg(long, value_name = "DATETIME", requires = "maintenance")]
    pub ends: Option<String>,
    /// An affected component's id; repeat, or separate with commas, for several.
    #[arg(
        short,
        long = "component",
        value_name = "ID",
        required = true,
        value_delimiter = ','
    )]
    pub components: Vec<String>,
    /// When the next update will come: a duration after now (30m), a time today (15:00) or a date
    /// and time (2026-12-02T15:00), in the site's zone; default: the site's `default_next_update`.
    #[arg(long, value_name = "WHEN")]
    pub next: Option<String>,
    /// The update's text, instead of the `investigating` template; `-` reads it from stdin.
    #[arg(short, long, value_name = "TEXT", allow_hyphen_values = true)]
    pub message: Option<String>,
    /// Read the update's text from this file.
    #[arg(long, value_name = "FILE", conflicts_with = "message")]
    pub message_file: Option<PathBuf>,
    /// Open the new file in $VISUAL or $EDITOR.
    #[arg(long)]
    pub edit: bool,
    #[command(flatten)]
    pub post: PostArgs,
}

#[derive(Debug, Args)]
#[command(after_help = with_impacts(UPDATE_EXAMPLES))]
pub(crate) struct UpdateArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// The incident or maintenance: its file name without `.md`, or the start or any other part of
    /// it (the start wins). Where several match, the one still open; a typo gets the nearest name.
    #[arg(value_name = "INCIDENT")]
    pub incident: String,
    /// The new state: investigating, identified, verifying (monitoring), resolved; for
    /// maintenance scheduled, in_progress, verifying, completed, cancelled.
    #[arg(value_name = "STATE")]
    pub state: String,
    /// When the next update will come: a duration after now (30m), a time today (15:00) or a date
    /// and time (2026-12-02T15:00), in the site's zone; default: the site's `default_next_update`.
    #[arg(long, value_name = "WHEN")]
    pub next: Option<String>,
    /// The update's text, instead of the state's template; `-` reads it from stdin.
    #[arg(short, long, value_name = "TEXT", allow_hyphen_values = true)]
    pub message: Option<String>,
    /// Read the update's text from this file.
    #[arg(long, value_name = "FILE", conflicts_with = "message")]
    pub message_file: Option<PathBuf>,
    /// Change the incident's impact from this update on.
    #[arg(short, long, value_enum)]
    pub impact: Option<ImpactArg>,
    /// Change the affected components from this update on; repeat, or separate with commas, for several.
    #[arg(short, long = "component", value_name = "ID", value_delimiter = ',')]
    pub components: Vec<String>,
    /// Reopen a resolved incident with this update (not with `resolved`: a postmortem is `statuspost postmortem`).
    #[arg(long)]
    pub reopen: bool,
    /// Also add the postmortem skeleton to the incident's summary (with `resolved`).
    #[arg(long)]
    pub postmortem: bool,
    /// Open the file in $VISUAL or $EDITOR afterwards.
    #[arg(long)]
    pub edit: bool,
    #[command(flatten)]
    pub post: PostArgs,
}

#[derive(Debug, Args)]
pub(crate) struct PostmortemArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// The incident: its file name without `.md`, or a part of it.
    #[arg(value_name = "INCIDENT")]
    pub incident: String,
    /// Open the file in $VISUAL or $EDITOR (needed to edit a postmortem that is already there).
    #[arg(long)]
    pub edit: bool,
    #[command(flatten)]
    pub post: PostArgs,
}

/// Taking what a command wrote to readers.
#[derive(Debug, Args, Clone)]
pub(crate) struct PostArgs {
    /// Validate the site, commit exactly the file written and push it (`--publish`, or
    /// `--publish=push`: CI builds, publishes and announces); `--publish=direct` also builds,
    /// publishes to `[publish] git` and announces from here. Default: `[publish] via`, else push.
    #[arg(long, value_enum, num_args = 0..=1, require_equals = true, value_name = "VIA")]
    pub publish: Option<Option<ViaArg>>,
    /// With --publish: wait until the site at `base_url` serves the update, for at most this long.
    #[arg(
        long,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "10m",
        value_name = "DURATION",
        requires = "publish"
    )]
    pub wait: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ViaArg {
    Push,
    Direct,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ImpactArg {
    Minor,
    Major,
    Critical,
}

#[derive(Debug, Args)]
pub(crate) struct PublishArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// The repository to publish to: a URL or path, as `git push` takes it (default: `[publish] git`).
    #[arg(long = "git", value_name = "REMOTE")]
    pub remote: Option<String>,
    /// The branch the host deploys from (default: `[publish] branch`, else gh-pages).
    #[arg(long)]
    pub branch: Option<String>,
    /// The commit message (default: what changed).
    #[arg(long, value_name = "TEXT")]
    pub message: Option<String>,
    /// Replace the branch even if it has commits this publish did not start from.
    #[arg(long)]
    pub force: bool,
    /// Where to build the site before publishing (default: `site/` in the site folder).
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct AnnounceArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Print exactly what would be sent where, and send nothing (the state file is not written).
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// The port on 127.0.0.1 to serve on; 0 picks a free one.
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Where to write the site (default: `site/` in the site folder).
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct WatchArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Where to write the site (default: `site/` in the site folder).
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

/// A `--now` that reads as a time, refused as a usage error (exit 2) before any
/// command starts. Only the site's zone can tell a local time its clocks skip,
/// so commands still resolve it; this catches the typo a long-running `serve`
/// would otherwise repeat on every rebuild.
fn datetime(text: &str) -> Result<String, String> {
    crate::clock::parse_now(text, chrono_tz::UTC).map(|_| text.to_string())
}

// A test runs every example here, in order, on one site.
const NEW_EXAMPLES: &str = r#"Examples:
  statuspost new "Elevated error rates on the Public API" -i major -c api
  statuspost new "Slow dashboard" -i minor -c dashboard,api --next 15:00 -m "Pages take up to 10 seconds to load. We are investigating."
  statuspost new --maintenance "Database upgrade" -c db --starts 2026-12-05T22:00 --ends 2026-12-05T23:00"#;

const UPDATE_EXAMPLES: &str = r#"Examples:
  statuspost update error-rates identified --next 30m
  statuspost update error-rates verifying -m "A fix is in place. We are verifying that error rates are back to normal."
  statuspost update error-rates resolved --postmortem
  statuspost update database-upgrade cancelled -m "We have postponed this upgrade; a new date will follow.""#;

/// The examples, then what each `--impact` shows readers, in the pages' own words.
fn with_impacts(examples: &str) -> String {
    let mut out = format!(
        "{examples}

What readers see on the affected components, by impact:"
    );
    for name in crate::model::Impact::NAMES {
        if let Some(impact) = crate::model::Impact::parse(name) {
            out.push_str(&format!(
                "\n  {name:<9} {}",
                impact.component_status().label()
            ));
        }
    }
    out
}

impl Command {
    /// The options of every command that works on a site (all but `init`).
    pub(crate) fn site_mut(&mut self) -> Option<&mut SiteArgs> {
        match self {
            Command::Build(a) => Some(&mut a.site),
            Command::Check(a) => Some(&mut a.site),
            Command::Init(_) => None,
            Command::New(a) => Some(&mut a.site),
            Command::Update(a) => Some(&mut a.site),
            Command::Postmortem(a) => Some(&mut a.site),
            Command::Publish(a) => Some(&mut a.site),
            Command::Announce(a) => Some(&mut a.site),
            Command::Serve(a) => Some(&mut a.site),
            Command::Watch(a) => Some(&mut a.site),
            Command::Status(a) => Some(&mut a.site),
        }
    }
}

impl ImpactArg {
    pub(crate) fn to_model(self) -> crate::model::Impact {
        match self {
            ImpactArg::Minor => crate::model::Impact::Minor,
            ImpactArg::Major => crate::model::Impact::Major,
            ImpactArg::Critical => crate::model::Impact::Critical,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn verify_cli() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
