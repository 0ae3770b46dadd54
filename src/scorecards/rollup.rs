//! Rollups: how the entities of one owner (or any set of entities) stand
//! on a scorecard: how many at each level, and the rules failing most.

use super::Status;
use super::evaluate::{CardResult, EntityResult};
use crate::catalog::Catalog;
use crate::catalog::entity_ref::EntityRef;
use std::collections::{BTreeMap, HashMap};

/// A set of entities on one scorecard.
#[derive(Clone, Debug, PartialEq)]
pub struct Rollup {
    /// The owner's (or System's, Domain's) ref, or `""` for entities
    /// without one.
    pub owner: String,
    pub entities: usize,
    /// `[below the first level, level 0, level 1, ...]`.
    pub per_level: Vec<usize>,
    /// `(rule id, rule title, entities failing it)`, most failing first.
    pub failing: Vec<(String, String, usize)>,
}

/// Entities per level: index 0 counts those below the first level.
pub fn distribution(levels: usize, entities: &[&EntityResult]) -> Vec<usize> {
    let mut counts = vec![0; levels + 1];
    for e in entities {
        counts[e.level_index.map_or(0, |i| (i + 1).min(levels))] += 1;
    }
    counts
}

/// Rules by how many of `entities` fail them, most first (ties by id).
pub fn most_failing(entities: &[&EntityResult]) -> Vec<(String, String, usize)> {
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for result in entities.iter().flat_map(|e| &e.results) {
        if result.status == Status::Fail {
            *counts.entry((&result.rule, &result.title)).or_default() += 1;
        }
    }
    let mut failing: Vec<(String, String, usize)> = counts
        .into_iter()
        .map(|((id, title), n)| (id.to_string(), title.to_string(), n))
        .collect();
    failing.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    failing
}

/// One scorecard's results by entity, owner, System and Domain, made once
/// per site: looking each up with a scan would make the pages quadratic in
/// the organisation's size (13,000 entity pages each scanning 13,000
/// results).
pub struct CardIndex<'a> {
    pub card: &'a CardResult,
    by_entity: HashMap<&'a str, &'a EntityResult>,
    /// `""` for entities without an owner.
    by_owner: BTreeMap<&'a str, Vec<&'a EntityResult>>,
    by_system: BTreeMap<String, Vec<&'a EntityResult>>,
    by_domain: BTreeMap<String, Vec<&'a EntityResult>>,
}

impl<'a> CardIndex<'a> {
    pub fn new(card: &'a CardResult, catalog: &Catalog) -> CardIndex<'a> {
        let mut index = CardIndex {
            card,
            by_entity: HashMap::with_capacity(card.entities.len()),
            by_owner: BTreeMap::new(),
            by_system: BTreeMap::new(),
            by_domain: BTreeMap::new(),
        };
        for e in &card.entities {
            index.by_entity.insert(e.entity.as_str(), e);
            index
                .by_owner
                .entry(e.owner.as_deref().unwrap_or(""))
                .or_default()
                .push(e);
            for key in part_of(&e.entity, catalog, "system") {
                index.by_system.entry(key).or_default().push(e);
            }
            for key in part_of(&e.entity, catalog, "domain") {
                index.by_domain.entry(key).or_default().push(e);
            }
        }
        index
    }

    /// The result of the entity with ref `entity` (`kind:namespace/name`).
    pub fn entity(&self, entity: &str) -> Option<&'a EntityResult> {
        self.by_entity.get(entity).copied()
    }

    /// The entities of one rollup: `kind` is `owner`, `system` or `domain`.
    pub fn members(&self, kind: &str, key: &str) -> &[&'a EntityResult] {
        let found = match kind {
            "owner" => self.by_owner.get(key),
            "system" => self.by_system.get(key),
            "domain" => self.by_domain.get(key),
            _ => None,
        };
        found.map(Vec::as_slice).unwrap_or_default()
    }

    /// One rollup per owner, System or Domain (`kind`), by ref. For Systems
    /// and Domains, entities part of none are left out.
    pub fn rollups(&self, kind: &str) -> Vec<Rollup> {
        let levels = self.card.levels.len();
        let rollup = |key: &str, entities: &[&EntityResult]| rollup_of(levels, key, entities);
        match kind {
            "owner" => self.by_owner.iter().map(|(k, e)| rollup(k, e)).collect(),
            "system" => self.by_system.iter().map(|(k, e)| rollup(k, e)).collect(),
            "domain" => self.by_domain.iter().map(|(k, e)| rollup(k, e)).collect(),
            _ => Vec::new(),
        }
    }
}

/// One rollup per owner, by owner ref.
pub fn by_owner(card: &CardResult) -> Vec<Rollup> {
    let mut owners: BTreeMap<&str, Vec<&EntityResult>> = BTreeMap::new();
    for e in &card.entities {
        owners
            .entry(e.owner.as_deref().unwrap_or(""))
            .or_default()
            .push(e);
    }
    owners
        .into_iter()
        .map(|(owner, entities)| rollup_of(card.levels.len(), owner, &entities))
        .collect()
}

/// The rollup of `entities` under `key`, on a scorecard with `levels` levels.
fn rollup_of(levels: usize, key: &str, entities: &[&EntityResult]) -> Rollup {
    Rollup {
        owner: key.to_string(),
        entities: entities.len(),
        per_level: distribution(levels, entities),
        failing: most_failing(entities),
    }
}

/// The Systems (`kind == "system"`) or Domains (`"domain"`) an entity is
/// part of, by ref; for Domains also through its Systems.
pub fn part_of(entity: &str, catalog: &Catalog, kind: &str) -> Vec<String> {
    let targets = |r: &EntityRef| -> Vec<EntityRef> {
        catalog.get(r).map_or_else(Vec::new, |e| {
            e.relations
                .iter()
                .filter(|rel| rel.kind == "partOf")
                .map(|rel| rel.target.clone())
                .collect()
        })
    };
    let Ok(own) = EntityRef::parse(entity, None, "default") else {
        return Vec::new();
    };
    let mut found = targets(&own);
    if kind == "domain" {
        let systems: Vec<EntityRef> = found
            .iter()
            .filter(|t| t.kind == "system")
            .cloned()
            .collect();
        found.extend(systems.iter().flat_map(targets));
    }
    let mut keys: Vec<String> = found
        .iter()
        .filter(|t| t.kind == kind)
        .map(|t| catalog.named(t))
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// One rollup per System or Domain (see [`part_of`]), by ref. Entities
/// part of none are left out.
pub fn by_part_of(card: &CardResult, catalog: &Catalog, kind: &str) -> Vec<Rollup> {
    CardIndex::new(card, catalog).rollups(kind)
}

/// The entities of one rollup: `kind` is `owner`, `system` or `domain`.
/// (Pages use a [`CardIndex`], made once.)
pub fn members<'a>(
    card: &'a CardResult,
    catalog: &Catalog,
    kind: &str,
    key: &str,
) -> Vec<&'a EntityResult> {
    CardIndex::new(card, catalog).members(kind, key).to_vec()
}

/// Worst first: lowest level, then lowest score, then by ref.
pub fn worst_first(entities: &[EntityResult]) -> Vec<&EntityResult> {
    let all: Vec<&EntityResult> = entities.iter().collect();
    worst_first_of(&all)
}

/// [`worst_first`] of a selection.
pub fn worst_first_of<'a>(entities: &[&'a EntityResult]) -> Vec<&'a EntityResult> {
    let mut sorted: Vec<&EntityResult> = entities.to_vec();
    sorted.sort_by(|a, b| {
        let rank = |e: &EntityResult| e.level_index.map_or(0, |i| i + 1);
        rank(a)
            .cmp(&rank(b))
            .then(a.score.total_cmp(&b.score))
            .then_with(|| a.entity.cmp(&b.entity))
    });
    sorted
}
