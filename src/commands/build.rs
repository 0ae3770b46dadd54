//! `portico build ROOT... [--out DIR] [--strict] [--format F] [--cache DIR | --no-cache] [--shard I/N]`

use super::{cli_settings, exit_code, fail, load_settings, report};
use crate::cli::BuildArgs;
use crate::diagnostics;
use crate::pipeline;
use crate::shard::part::Settings;
use std::time::Instant;

/// The configuration a build runs with: `portico.toml` and the command
/// line, as `settings` (which a shard's part keeps for `merge`) hold them.
pub(super) fn build_config(settings: &Settings) -> Result<crate::config::Config, u8> {
    let mut config = load_settings(&settings.cli())?;
    config.scorecards.history = settings.history.or(config.scorecards.history);
    Ok(crate::config::Config {
        search: !settings.no_search,
        theme: settings.theme.clone().or(config.theme.clone()),
        ..config
    })
}

pub fn run(args: BuildArgs) -> u8 {
    let started = Instant::now();
    let source = cli_settings(&args.source);
    let settings = Settings {
        config: source.config,
        roots: source.roots,
        locations: source.locations,
        catalog_paths: source.catalog_paths,
        max_depth: source.max_depth,
        git_ref: source.git_ref,
        backstage_exact: source.backstage_exact,
        no_search: args.no_search,
        theme: args.theme.clone(),
        history: args.history,
    };
    let config = match build_config(&settings) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let cache_dir = if args.no_cache {
        None
    } else {
        Some(args.cache.clone().unwrap_or_else(|| {
            let parent = args.out.parent().unwrap_or(std::path::Path::new(""));
            parent.join(crate::cache::DEFAULT_NAME)
        }))
    };
    if let Some(shard) = args.shard {
        return run_shard(
            &args,
            &config,
            shard,
            settings,
            cache_dir.as_deref(),
            started,
        );
    }
    let progress = super::progress::Progress::start(&format!("Building {}", args.out.display()));
    let built = pipeline::build(&config, &args.out, cache_dir.as_deref());
    progress.done();
    let outcome = match built {
        Ok(outcome) => outcome,
        Err(e) => return fail(&e.0),
    };
    let counts = report(args.format, &outcome, args.source.verbose);
    // The summary goes to standard error whatever the format, so that
    // standard output holds only the JSON, SARIF or workflow commands.
    // (A build that had nothing to do prints the last one's figures.)
    let (entities, relations) = outcome.figures();
    eprintln!(
        "Built {} ({}) from {} into {} in {:.2} s: {}",
        diagnostics::plural(entities, "entity"),
        diagnostics::plural(relations, "relation"),
        diagnostics::plural(outcome.portal.repos.len(), "repository"),
        args.out.display(),
        started.elapsed().as_secs_f64(),
        diagnostics::summary(counts)
    );
    eprintln!("Open {}", args.out.join("index.html").display());
    // The process ends next: nothing is freed, the last site's deletion
    // (running since the swap) is waited for.
    outcome.end();
    exit_code(counts, args.strict)
}

/// `build --shard I/N`: this shard's docs into a part in `--out`.
fn run_shard(
    args: &BuildArgs,
    config: &crate::config::Config,
    shard: crate::shard::Shard,
    settings: Settings,
    cache_dir: Option<&std::path::Path>,
    started: Instant,
) -> u8 {
    let progress = super::progress::Progress::start(&format!("Building shard {shard}"));
    let built = pipeline::build_part(config, shard, settings, &args.out, cache_dir);
    progress.done();
    let outcome = match built {
        Ok(outcome) => outcome,
        Err(e) => return fail(&e.0),
    };
    let counts = report(args.format, &outcome, args.source.verbose);
    eprintln!(
        "Built shard {shard}: the docs of {} into the part {} in {:.2} s: {} (the catalog's problems and broken links are reported by `portico merge`)",
        diagnostics::plural(outcome.portal.repos.len(), "repository"),
        args.out.display(),
        started.elapsed().as_secs_f64(),
        diagnostics::summary(counts)
    );
    outcome.end();
    exit_code(counts, args.strict)
}
