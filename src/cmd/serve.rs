use crate::cli::ServeArgs;
use crate::cmd::Outcome;

pub fn run(_args: ServeArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("not yet implemented")
}
