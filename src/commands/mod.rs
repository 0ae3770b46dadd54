//! One file per subcommand: arguments → config → pipeline → report.
//! The exit code is decided here, once.

mod build;
mod check;
mod mirror;
mod scorecards;
mod search;
mod serve;

use crate::cli::{Cli, Command, SourceArgs};
use crate::config::{self, CliSettings, Config};
use crate::diagnostics::Counts;
pub(crate) use crate::diagnostics::print_human;

/// Exit statuses: 0 clean, 1 content errors (or warnings with --strict), 2 usage or I/O failure.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_PROBLEMS: u8 = 1;
pub const EXIT_FAILURE: u8 = 2;

pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Build(args) => build::run(args),
        Command::Check(args) => check::run(args),
        Command::Search(args) => search::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Scorecards(args) => scorecards::run(args),
        Command::Mirror(args) => mirror::run(args),
    }
}

fn load_config(source: &SourceArgs) -> Result<Config, u8> {
    let settings = CliSettings {
        config: source.config.clone(),
        roots: source.roots.clone(),
        locations: source.locations.clone(),
        catalog_paths: source.catalog_paths.clone(),
        max_depth: source.max_depth,
        git_ref: source.git_ref.clone(),
        backstage_exact: source.backstage_exact,
    };
    config::load(&settings).map_err(|e| fail(&e.0))
}

/// Prints a fatal error and gives the failure status.
fn fail(message: &str) -> u8 {
    eprintln!("error: {message}");
    EXIT_FAILURE
}

fn exit_code(counts: Counts, strict: bool) -> u8 {
    if counts.errors > 0 || (strict && counts.warnings > 0) {
        EXIT_PROBLEMS
    } else {
        EXIT_CLEAN
    }
}
