//! One module per command.

mod journey;
mod sandbox;

use crate::args::{Cli, Command};
use crate::context::Context;
use crate::output::{CliError, Exit};

pub async fn run(cli: Cli) -> Result<Exit, CliError> {
    match cli.command {
        Command::Journey => journey::run(&cli.global).await,
        Command::Sandbox(cmd) => sandbox::run(&cli.global, cmd).await,
    }
}

/// Opens the context for commands that talk to an HMRC.
async fn open(global: &crate::args::Global) -> Result<Context, CliError> {
    Context::open(global).await
}
