use crate::cli::CheckArgs;
use crate::cmd::Outcome;

pub fn run(_args: CheckArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("not yet implemented")
}
