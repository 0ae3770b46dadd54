//! `portico check ROOT... [--strict] [--format human|json|github]`: the same
//! pipeline as build (docs rendered in memory so every link can be
//! checked), without writing anything.

use super::{exit_code, fail, load_config, print_human};
use crate::cli::{CheckArgs, Format};
use crate::diagnostics::{self, Severity};
use crate::pipeline;
use std::io::Write;

pub fn run(args: CheckArgs) -> u8 {
    let config = match load_config(&args.source) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let outcome = match pipeline::check(&config) {
        Ok(outcome) => outcome,
        Err(e) => return fail(&e.0),
    };
    let counts = diagnostics::count(&outcome.diagnostics);
    let mut stdout = std::io::stdout().lock();
    match args.format {
        Format::Human => {
            print_human(&mut stdout, &outcome.diagnostics, args.source.verbose);
            let _ = writeln!(
                stdout,
                "Checked {} from {}: {}",
                diagnostics::plural(outcome.portal.catalog.entities.len(), "entity"),
                diagnostics::plural(outcome.portal.repos.len(), "repository"),
                diagnostics::summary(counts)
            );
        }
        Format::Json => {
            let json =
                serde_json::to_string_pretty(&outcome.diagnostics).unwrap_or_else(|_| "[]".into());
            let _ = writeln!(stdout, "{json}");
        }
        Format::Github => {
            for d in outcome
                .diagnostics
                .iter()
                .filter(|d| args.source.verbose || d.severity != Severity::Info)
            {
                let _ = writeln!(stdout, "{}", diagnostics::render_github(d));
            }
        }
    }
    // The process ends next: skip freeing the whole catalog one value at a time.
    std::mem::forget(outcome);
    exit_code(counts, args.strict)
}
