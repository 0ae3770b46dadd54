//! `portico check ROOT... [--strict] [--format human|json|github|sarif]
//! [--scorecard NAME --min-level LEVEL [--entity REF]]
//! [--changed-since REF] [--site DIR]`: the same pipeline as build (docs
//! rendered in memory so every link can be checked, every scorecard
//! evaluated), without writing anything. With a scorecard, every entity
//! below the level is an error (the CI gate). With `--changed-since`, only
//! the problems the change is responsible for are reported; with `--site`,
//! a built site's entities resolve refs (see `book/docs/ci.md`).

use super::{EXIT_PROBLEMS, exit_code, fail, load_config, print_human, report};
use crate::cli::{CheckArgs, Format};
use crate::diagnostics;
use crate::pipeline;
use crate::scorecards::gate;

pub fn run(args: CheckArgs) -> u8 {
    let config = match load_config(&args.source) {
        // The gate judges the present: history is for the portal.
        Ok(mut config) => {
            config.scorecards.history = None;
            config
        }
        Err(code) => return code,
    };
    // The theme and logo `build` would use (the default theme is
    // Portico's own): a settings mistake `build` stops at is one `check`
    // reports too, before CI publishes.
    if config.theme.is_some() || config.logo.is_some() {
        let look = crate::render::Look::load(config.theme.as_deref(), config.logo.as_deref());
        if let Err(e) = look {
            return fail(&e);
        }
    }
    let scope = pipeline::Scope {
        changed_since: args.changed_since.as_deref(),
        site: args.site.as_deref(),
        gate: args.scorecard.is_some(),
    };
    let progress = super::progress::Progress::start("Checking");
    let checked = pipeline::check_scoped(&config, &scope);
    progress.done();
    let (mut outcome, facts) = match checked {
        Ok(checked) => checked,
        Err(e) => return fail(&e.0),
    };
    // The whole organisation was read and checked; only what the change
    // touched is reported.
    if let Some(changes) = &facts.changes {
        outcome.diagnostics.retain(|d| changes.reports(d));
    }
    let mut gated = None;
    if let (Some(scorecard), Some(min_level)) = (&args.scorecard, &args.min_level) {
        let asked = gate::Gate {
            scorecard,
            min_level,
            entity: args.entity.as_deref(),
        };
        match gate::judge(&outcome.portal.scorecards, &outcome.portal.catalog, &asked) {
            Ok(verdict) => {
                outcome.diagnostics.extend(verdict.diagnostics);
                diagnostics::sort(&mut outcome.diagnostics);
                gated = Some((verdict.checked, verdict.below, scorecard, min_level));
            }
            Err(message) => {
                // The content problems first: a broken definition explains why.
                let mut stderr = std::io::stderr().lock();
                print_human(&mut stderr, &outcome.diagnostics, args.source.verbose);
                return fail(&message);
            }
        }
    }
    let counts = report(args.format, &outcome, args.source.verbose);
    if args.format == Format::Human {
        if let Some((checked, below, name, level)) = gated {
            eprintln!(
                "Scorecard `{name}`: {below} of {} below `{level}`",
                diagnostics::plural(checked, "entity")
            );
        }
        if let (Some(changes), Some(rev)) = (&facts.changes, &args.changed_since) {
            eprintln!(
                "Changed since `{rev}`: {} (problems elsewhere are not reported)",
                diagnostics::plural(changes.len(), "file")
            );
        }
        if let Some(site) = &facts.site {
            eprintln!(
                "From the site: {} known for refs",
                diagnostics::plural(site.keys.len(), "entity")
            );
        }
        eprintln!(
            "Checked {} from {}: {}",
            diagnostics::plural(outcome.portal.catalog.entities.len(), "entity"),
            diagnostics::plural(outcome.portal.repos.len(), "repository"),
            diagnostics::summary(counts)
        );
    }
    let below = gated.is_some_and(|(_, below, _, _)| below > 0);
    // The process ends next: skip freeing the whole catalog one value at a time.
    std::mem::forget(outcome);
    if below {
        EXIT_PROBLEMS
    } else {
        exit_code(counts, args.strict)
    }
}
