use crate::cli::InitArgs;
use crate::cmd::Outcome;

pub fn run(_args: InitArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("not yet implemented")
}
