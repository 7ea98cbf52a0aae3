use crate::cli::WatchArgs;
use crate::cmd::Outcome;

pub fn run(_args: WatchArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("not yet implemented")
}
