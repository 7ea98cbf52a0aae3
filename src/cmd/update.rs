use crate::cli::UpdateArgs;
use crate::cmd::Outcome;

pub fn run(_args: UpdateArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("not yet implemented")
}
