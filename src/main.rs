//! The `portico` binary: parse the command line, run, exit.

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = portico::cli::Cli::parse_args();
    ExitCode::from(portico::commands::run(cli))
}
