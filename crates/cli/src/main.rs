//! `mtd`: Making Tax Digital for Income Tax from the command line. This file only parses,
//! runs and maps the outcome to an exit code; the work lives in `commands/`.
#![expect(
    clippy::print_stderr,
    reason = "the CLI is the one crate that owns the terminal"
)]

mod args;
mod commands;
mod context;
mod data_dir;
mod output;
mod register;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = match args::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() {
                output::Exit::Usage
            } else {
                output::Exit::Done
            };
            let _ = e.print();
            return code.into();
        }
    };
    // The local HMRC run on its own says where it listens and what it serves.
    if matches!(
        args.command,
        args::Command::Sandbox(args::SandboxCommand::Serve(_))
    ) {
        mtd_sandbox::cli::init_logging();
    } else {
        output::init_logging(args.global.verbose);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return output::Exit::Failed.into();
        }
    };
    let json = args.global.json;
    match runtime.block_on(commands::run(args)) {
        Ok(exit) => exit.into(),
        Err(e) => output::report_error(&e, json).into(),
    }
}
