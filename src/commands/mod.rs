//! One file per subcommand: arguments → config → pipeline → report.
//! The exit code is decided here, once.

mod build;
mod check;
mod merge;
mod mirror;
mod progress;
mod scorecards;
mod search;
mod serve;

use crate::cli::{Cli, Command, Format, SourceArgs};
use crate::config::{self, CliSettings, Config};
pub(crate) use crate::diagnostics::print_human;
use crate::diagnostics::{self, Counts, Diagnostic};
use crate::read::RepoSource;
use crate::sarif;
use std::io::Write;

/// Exit statuses: 0 clean, 1 content errors (or warnings with --strict), 2 usage or I/O failure.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_PROBLEMS: u8 = 1;
pub const EXIT_FAILURE: u8 = 2;

pub fn run(cli: Cli) -> u8 {
    crate::threads::build_pool();
    match cli.command {
        Command::Build(args) => crate::threads::on_pool(|| build::run(args)),
        Command::Check(args) => crate::threads::on_pool(|| check::run(args)),
        Command::Search(args) => search::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Scorecards(args) => crate::threads::on_pool(|| scorecards::run(args)),
        Command::Mirror(args) => mirror::run(args),
        Command::Merge(args) => crate::threads::on_pool(|| merge::run(args)),
    }
}

fn load_config(source: &SourceArgs) -> Result<Config, u8> {
    load_settings(&cli_settings(source))
}

fn cli_settings(source: &SourceArgs) -> CliSettings {
    CliSettings {
        config: source.config.clone(),
        roots: source.roots.clone(),
        locations: source.locations.clone(),
        catalog_paths: source.catalog_paths.clone(),
        max_depth: source.max_depth,
        git_ref: source.git_ref.clone(),
        backstage_exact: source.backstage_exact,
    }
}

fn load_settings(settings: &CliSettings) -> Result<Config, u8> {
    config::load(settings).map_err(|e| fail(&e.0))
}

/// Prints a build's or check's problems in `format` and counts them.
fn report(format: Format, outcome: &crate::pipeline::Outcome, verbose: bool) -> Counts {
    print_diagnostics(format, &outcome.diagnostics, &outcome.portal.repos, verbose);
    diagnostics::count(&outcome.diagnostics)
}

/// Prints the diagnostics of `build` and `check` the one way both do it:
/// `human` on standard error (with the summary line the caller adds after
/// it), the machine formats on standard output so they can be redirected.
fn print_diagnostics(
    format: Format,
    diagnostics: &[Diagnostic],
    repos: &[RepoSource],
    verbose: bool,
) {
    let mut stdout = std::io::stdout().lock();
    match format {
        Format::Human => print_human(&mut std::io::stderr().lock(), diagnostics, verbose),
        Format::Json => {
            let json = serde_json::to_string_pretty(diagnostics).unwrap_or_else(|_| "[]".into());
            let _ = writeln!(stdout, "{json}");
        }
        Format::Github => {
            for d in diagnostics::shown(diagnostics, verbose) {
                let _ = writeln!(stdout, "{}", diagnostics::render_github(&d));
            }
        }
        Format::Sarif => {
            let cwd = std::env::current_dir().unwrap_or_default();
            let log = sarif::log(&sarif::Input {
                diagnostics,
                repos,
                cwd: &cwd,
                include_notes: verbose,
            });
            let json = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".into());
            let _ = writeln!(stdout, "{json}");
        }
    }
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
