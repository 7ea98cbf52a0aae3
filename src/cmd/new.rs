use crate::cli::NewArgs;
use crate::cmd::Outcome;

pub fn run(_args: NewArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("not yet implemented")
}
