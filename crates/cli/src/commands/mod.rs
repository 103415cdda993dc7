//! One module per command.

mod add_business;
mod agent;
mod businesses;
mod fraud_headers;
mod hello;
mod history;
mod itsa_status;
mod journey;
mod journey_setup;
mod journey_updates;
mod link;
mod obligations;
mod open;
mod period_type;
mod records;
mod sandbox;
mod status;
mod unlink;
mod update;

use crate::args::{Cli, Command};
use crate::context::Context;
use crate::output::{CliError, Exit};

pub async fn run(cli: Cli) -> Result<Exit, CliError> {
    match cli.command {
        Command::Journey => journey::run(&cli.global).await,
        Command::Link(args) => link::run(&open(&cli.global).await?, args).await,
        Command::Status => status::run(&open(&cli.global).await?).await,
        Command::Hello => hello::run(&open(&cli.global).await?).await,
        Command::Unlink => unlink::run(&open(&cli.global).await?).await,
        Command::ItsaStatus {
            tax_year,
            client,
            future_years,
            history,
        } => {
            itsa_status::run(
                &open(&cli.global).await?,
                tax_year,
                client,
                future_years,
                history,
            )
            .await
        }
        Command::Businesses { client } => businesses::run(&open(&cli.global).await?, client).await,
        Command::Obligations {
            open: open_only,
            tax_year,
            client,
        } => obligations::run(&open(&cli.global).await?, open_only, tax_year, client).await,
        Command::Update(args) => update::run(&open(&cli.global).await?, args).await,
        Command::History { business, client } => {
            history::run(&open(&cli.global).await?, business, client)
        }
        Command::Records(cmd) => records::run(&open(&cli.global).await?, cmd).await,
        Command::PeriodType(cmd) => period_type::run(&open(&cli.global).await?, cmd).await,
        Command::Sandbox(cmd) => sandbox::run(&cli.global, cmd).await,
        Command::FraudHeaders(cmd) => fraud_headers::run(&open(&cli.global).await?, cmd).await,
        Command::Agent(cmd) => agent::run(&open(&cli.global).await?, cmd).await,
        Command::Open {
            journey,
            invitation,
        } => open::run(&open(&cli.global).await?, journey, invitation).await,
    }
}

/// Opens the context for commands that talk to an HMRC.
async fn open(global: &crate::args::Global) -> Result<Context, CliError> {
    Context::open(global).await
}
