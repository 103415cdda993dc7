//! `mtd-sandbox`: the local HMRC on its own. `mtd sandbox serve` runs the same thing.

use std::process::ExitCode;

use clap::Parser;

/// A stateful local HMRC for Making Tax Digital for Income Tax.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    serve: mtd_sandbox::cli::ServeArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    mtd_sandbox::cli::init_logging();
    match mtd_sandbox::cli::serve(args.serve).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}
