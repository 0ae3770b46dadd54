//! `portico merge PART... [--out DIR] [--strict] [--format F]`: the parts
//! of a sharded build made into one site, with the settings the shards
//! were built with (kept in each part).

use super::{exit_code, fail, report};
use crate::cli::MergeArgs;
use crate::diagnostics;
use crate::pipeline;
use crate::shard::part;
use std::time::Instant;

pub fn run(args: MergeArgs) -> u8 {
    let started = Instant::now();
    let parts = match part::open_all(&args.parts) {
        Ok(parts) => parts,
        Err(e) => return fail(&e),
    };
    let manifest = &parts[0].manifest;
    let config = match super::build::build_config(&manifest.settings) {
        Ok(config) => config,
        Err(code) => return code,
    };
    if part::config_fingerprint(&config) != manifest.config {
        return fail(
            "the configuration is not the one the shards were built with (portico.toml, or a file it names, changed, or merge runs in another folder): run merge where the shards ran, with the same files",
        );
    }
    let progress =
        super::progress::Progress::start(&format!("Merging into {}", args.out.display()));
    let merged = pipeline::merge(&config, &args.out, &parts);
    progress.done();
    let outcome = match merged {
        Ok(outcome) => outcome,
        Err(e) => return fail(&e.0),
    };
    let counts = report(args.format, &outcome, args.verbose);
    eprintln!(
        "Merged {} into {} ({}, {}, from {}) in {:.2} s: {}",
        diagnostics::plural(parts.len(), "part"),
        args.out.display(),
        diagnostics::plural(outcome.portal.catalog.entities.len(), "entity"),
        diagnostics::plural(outcome.portal.catalog.relation_count(), "relation"),
        diagnostics::plural(outcome.portal.repos.len(), "repository"),
        started.elapsed().as_secs_f64(),
        diagnostics::summary(counts)
    );
    eprintln!("Open {}", args.out.join("index.html").display());
    // The last site's deletion is waited for; nothing else is freed.
    outcome.end();
    exit_code(counts, args.strict)
}
