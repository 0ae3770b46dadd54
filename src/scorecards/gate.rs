//! The CI gate: `portico check --scorecard NAME --min-level LEVEL
//! [--entity REF]`. Every entity below the level becomes diagnostics at its
//! catalog file, one per failing rule up to that level, with the evidence
//! and the rule's hint, so the formats `check` already prints carry them.

use super::Status;
use super::evaluate::Results;
use crate::catalog::Catalog;
use crate::catalog::entity_ref::EntityRef;
use crate::diagnostics::Diagnostic;

pub const CODE: &str = "scorecard-below-level";

/// What the gate asks for.
pub struct Gate<'a> {
    pub scorecard: &'a str,
    pub min_level: &'a str,
    pub entity: Option<&'a str>,
}

/// What the gate found.
#[derive(Debug, Default)]
pub struct Verdict {
    pub checked: usize,
    pub below: usize,
    pub diagnostics: Vec<Diagnostic>,
}

/// Judges the entities; `Err` is a usage error (unknown scorecard, level or
/// entity), with a message naming what exists.
pub fn judge(results: &Results, catalog: &Catalog, gate: &Gate<'_>) -> Result<Verdict, String> {
    let Some(card) = results.scorecards.iter().find(|c| c.name == gate.scorecard) else {
        if results.invalid.iter().any(|n| n == gate.scorecard) {
            return Err(format!(
                "scorecard `{}` has mistakes (see the diagnostics above) and was not evaluated",
                gate.scorecard
            ));
        }
        let names: Vec<&str> = results.scorecards.iter().map(|c| c.name.as_str()).collect();
        return Err(format!(
            "unknown scorecard `{}`; the scorecards are: {}",
            gate.scorecard,
            if names.is_empty() {
                "(none)".to_string()
            } else {
                names.join(", ")
            }
        ));
    };
    let Some(min) = card
        .levels
        .iter()
        .position(|l| l.eq_ignore_ascii_case(gate.min_level))
    else {
        return Err(format!(
            "scorecard `{}` has no level `{}`; its levels are: {}",
            card.name,
            gate.min_level,
            card.levels.join(", ")
        ));
    };
    let wanted = match gate.entity {
        Some(text) => Some(
            EntityRef::parse(text, Some("component"), "default")
                .map_err(|e| format!("--entity: {e}"))?
                .key(),
        ),
        None => None,
    };
    let entities: Vec<_> = card
        .entities
        .iter()
        .filter(|e| {
            wanted
                .as_ref()
                .is_none_or(|w| e.entity.to_lowercase() == *w)
        })
        .collect();
    if let (Some(text), true) = (gate.entity, entities.is_empty()) {
        return Err(format!(
            "entity `{text}` is not scored by `{}` (not in the catalog, or its filter leaves it out)",
            card.name
        ));
    }
    let mut verdict = Verdict {
        checked: entities.len(),
        ..Verdict::default()
    };
    let level = &card.levels[min];
    for e in entities
        .into_iter()
        .filter(|e| e.level_index.is_none_or(|i| i < min))
    {
        verdict.below += 1;
        let at = EntityRef::parse(&e.entity, None, "default")
            .ok()
            .and_then(|r| catalog.get(&r));
        let reached = e
            .level
            .as_deref()
            .map_or("no level".to_string(), |l| format!("`{l}`"));
        for r in e
            .results
            .iter()
            .filter(|r| r.status == Status::Fail && r.level_index <= min)
        {
            let mut message = format!(
                "`{}` is below `{level}` on scorecard `{}` (at {reached}, score {:.0}%): rule `{}` ({}, {}) fails: {}",
                e.entity,
                card.name,
                e.score * 100.0,
                r.rule,
                r.title,
                r.level,
                r.evidence.summary
            );
            if let Some(place) = r.evidence.place() {
                message.push_str(&format!(" [{place}]"));
            }
            let mut d = Diagnostic::error(CODE, message);
            if !r.hint.is_empty() {
                d = d.with_hint(r.hint.trim().to_string());
            }
            if let Some(entity) = at {
                d = d.in_file(&entity.source_file(), entity.source.line, 1);
            }
            verdict.diagnostics.push(d);
        }
    }
    Ok(verdict)
}
