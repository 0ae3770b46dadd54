//! External facts: a JSON file another system writes (incident counts, a
//! security scanner's grade, ...), joined to entities by ref and named in
//! `portico.toml` (`[scorecards] facts`).
//!
//! ```json
//! { "component:default/payment-gateway": {
//!     "open_incidents": { "value": 2, "at": "2025-06-01" } } }
//! ```

use super::check::ValueTest;
use super::dates::Day;
use super::{Evidence, Verdict};
use crate::catalog::entity_ref::EntityRef;
use serde_json::Value as Json;
use std::collections::HashMap;

/// One fact: its value and the day it was taken.
#[derive(Clone, Debug, PartialEq)]
pub struct Fact {
    pub value: Json,
    pub at: Option<Day>,
}

/// Every fact, by entity key (`component:default/name`, lower-case).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExternalFacts {
    /// The file they were read from; `None` when none is configured.
    pub origin: Option<String>,
    pub by_entity: HashMap<String, HashMap<String, Fact>>,
}

/// Why a facts file was refused: a message and the 1-based line and column.
#[derive(Debug, PartialEq)]
pub struct FactsError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl ExternalFacts {
    pub fn parse(text: &str, origin: &str) -> Result<ExternalFacts, FactsError> {
        let json: Json = serde_json::from_str(text).map_err(|e| FactsError {
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        })?;
        // At the place of the keys named, found in turn in the text.
        let refused_at = |keys: &[&str], message: String| {
            let (line, column) = place_of(text, keys);
            FactsError {
                message,
                line,
                column,
            }
        };
        let refused = |message: String| refused_at(&[], message);
        let Json::Object(entities) = json else {
            return Err(refused(
                "expected an object of entity refs, e.g. {\"component:default/x\": {\"fact\": {\"value\": 1, \"at\": \"2025-01-01\"}}}".into(),
            ));
        };
        let mut by_entity = HashMap::new();
        for (key, facts) in entities {
            let entity = EntityRef::parse(&key, Some("component"), "default")
                .map_err(|e| refused_at(&[&key], e.to_string()))?;
            let Json::Object(facts) = facts else {
                return Err(refused_at(
                    &[&key],
                    format!("`{key}`: expected an object of facts"),
                ));
            };
            let mut parsed = HashMap::new();
            for (name, fact) in facts {
                let (value, at) = match fact {
                    Json::Object(mut o) if o.contains_key("value") => {
                        let at = match o.remove("at") {
                            None => None,
                            Some(Json::String(s)) => Some(Day::parse(&s).ok_or_else(|| {
                                refused_at(
                                    &[&key, &name, "at"],
                                    format!("`{key}` `{name}`: `at` is not a YYYY-MM-DD date"),
                                )
                            })?),
                            Some(_) => {
                                return Err(refused_at(
                                    &[&key, &name, "at"],
                                    format!("`{key}` `{name}`: `at` must be a date string"),
                                ));
                            }
                        };
                        (o.remove("value").unwrap_or(Json::Null), at)
                    }
                    _ => {
                        return Err(refused_at(
                            &[&key, &name],
                            format!(
                                "`{key}` `{name}`: expected {{\"value\": ..., \"at\": \"YYYY-MM-DD\"}}"
                            ),
                        ));
                    }
                };
                parsed.insert(name, Fact { value, at });
            }
            by_entity.insert(entity.key(), parsed);
        }
        Ok(ExternalFacts {
            origin: Some(origin.to_string()),
            by_entity,
        })
    }
}

/// The 1-based line and column of the last of `keys`, each looked for as a
/// JSON key after the one before it (the first object's place when there
/// are none: line 1, column 1).
fn place_of(text: &str, keys: &[&str]) -> (usize, usize) {
    let (mut start, mut after) = (0, 0);
    for key in keys {
        let quoted = serde_json::to_string(key).unwrap_or_default();
        match text[after..].find(&quoted) {
            Some(found) => {
                start = after + found;
                after = start + quoted.len();
            }
            None => break,
        }
    }
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

pub fn check(
    facts: &ExternalFacts,
    entity: &EntityRef,
    today: Day,
    name: &str,
    test: &ValueTest,
    max_age_days: Option<u32>,
) -> Verdict {
    let Some(origin) = &facts.origin else {
        return Verdict::not_applicable(Evidence::says(
            "no facts file is configured (`[scorecards] facts` in portico.toml)",
        ));
    };
    let Some(fact) = facts.by_entity.get(&entity.key()).and_then(|f| f.get(name)) else {
        return Verdict::fail(
            Evidence::says(format!("`{origin}` has no `{name}` fact for `{entity}`"))
                .at(origin.clone(), None),
        );
    };
    let (ok, summary) =
        super::fields::test_value(test, Some(&fact.value), &format!("fact `{name}`"));
    let mut evidence = Evidence::says(summary)
        .value(super::fields::shown(&fact.value))
        .at(origin.clone(), None);
    if let Some(at) = fact.at {
        evidence = evidence.dated(at.label());
    }
    if let Some(max) = max_age_days {
        let stale = fact
            .at
            .is_none_or(|at| at.days_until(today) > i64::from(max));
        if stale {
            evidence.summary.push_str(&format!(
                "; the fact is older than {max} days (or has no `at` date)"
            ));
            return Verdict::fail(evidence);
        }
    }
    Verdict::when(ok, evidence)
}
