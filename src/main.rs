//! The `portico` binary: parse the command line, run, exit.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = portico::cli::Cli::parse();
    ExitCode::from(portico::commands::run(cli))
}
