//! Each entity's scorecard results kept between builds of one process
//! (`portico serve`), reused while everything its rules read is unchanged.
//! A catalog edit used to judge every rule of every entity again (about
//! 50 ms of CPU for 2,000 Components); with this, only the entities whose
//! inputs changed are judged.
//!
//! What the rules read of an entity, and so what a kept result is checked
//! against ([`Inputs`]):
//!
//! - the entity itself: its document (positions: evidence lines), JSON and
//!   relations, by allocation (the catalog hands an unchanged entity the
//!   same ones again: `catalog::AssembleMemo`, `RelationsMemo`), its ref,
//!   kind and source (repository, file, lines, commit);
//! - each relation's target as the relation rules read it: whether the
//!   catalog has it, its kind (as written and in its ref) and its
//!   `spec.lifecycle`;
//! - its repository's files: the repository's version (`memo::Versions`,
//!   what `kept_files::FilesMemo` keeps its answers under);
//! - its docs site as the docs rules read it (address, name, each page's
//!   date) and the broken links reported in it;
//! - its repository's git activity, by allocation (`kept_activity` hands
//!   out the same one while it holds);
//! - the facts about it and the facts file's name;
//! - the scorecards' definitions, the day, the release tag pattern and
//!   `--ref`.

use super::evaluate::EntityResult;
use super::facts::ExternalFacts;
use crate::catalog::{Catalog, Entity, relations::Relation};
use crate::diagnostics::Diagnostic;
use crate::docs::DocSiteSummary;
use crate::memo::{ByArc, Key, hasher, part};
use crate::read::activity::Activity;
use crate::yaml::Node;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use xxhash_rust::xxh3::Xxh3;

/// Each entity's last results, by its document's allocation.
#[derive(Debug, Default)]
pub struct ResultsMemo {
    kept: ByArc<Node, Arc<Kept>>,
    /// This build's entities whose results were kept, and judged.
    hits: AtomicUsize,
    misses: AtomicUsize,
}

/// One entity's results and what they were judged from.
#[derive(Debug)]
struct Kept {
    json: Arc<Map<String, Value>>,
    relations: Arc<[Relation]>,
    activity: Option<Arc<Activity>>,
    /// The rest of its inputs ([`Inputs::key`]).
    key: Key,
    /// Its result on each scorecard that applies to it (by the scorecard's
    /// place among the definitions).
    results: Vec<(usize, EntityResult)>,
}

/// What one entity's rules read, besides what is kept by allocation.
pub struct Inputs<'a> {
    pub entity: &'a Entity,
    pub activity: Option<&'a Arc<Activity>>,
    /// The rest, hashed ([`Inputs::key`]).
    pub key: Key,
}

/// What every entity's rules read alike: made once per build.
pub struct Shared<'a> {
    pub catalog: &'a Catalog,
    pub facts: &'a ExternalFacts,
    /// The definitions, the day, the tag pattern and `--ref`.
    pub build: Key,
    /// Whether any rule is a relation rule (else no target is read).
    pub relation_rules: bool,
}

/// Whether any rule of `cards` reads the catalog through relations.
pub fn any_relation_rule(cards: &[super::Scorecard]) -> bool {
    let mut any = false;
    for rule in cards.iter().flat_map(|c| &c.rules) {
        rule.check
            .walk(&mut |c| any |= matches!(c, super::Check::Relation(_)));
    }
    any
}

/// The key of what every entity's rules read alike.
pub fn build_key(
    cards: &[super::Scorecard],
    today: super::dates::Day,
    release_tags: &str,
    git_ref: Option<&str>,
) -> Key {
    let mut key = hasher();
    // `Debug` shows every field of a definition (filters, rules, checks).
    part(&mut key, format!("{cards:?}").as_bytes());
    key.update(&today.0.to_le_bytes());
    part(&mut key, release_tags.as_bytes());
    part(&mut key, git_ref.unwrap_or("\0").as_bytes());
    key.digest128()
}

impl<'a> Inputs<'a> {
    /// `version`: the version of the entity's repository (`None`: the
    /// repository was not found, or cannot be resolved; its results are
    /// never kept then: see [`ResultsMemo::get`]).
    pub fn of(
        entity: &'a Entity,
        shared: &Shared<'_>,
        version: Option<u64>,
        site: Option<&DocSiteSummary>,
        broken: &[&Diagnostic],
        activity: Option<&'a Arc<Activity>>,
    ) -> Inputs<'a> {
        let mut key = hasher();
        key.update(&shared.build.to_le_bytes());
        key.update(&version.unwrap_or(u64::MAX).to_le_bytes());
        entity_part(&mut key, entity);
        if shared.relation_rules {
            targets_part(&mut key, entity, shared.catalog);
        }
        docs_part(&mut key, site, broken);
        facts_part(&mut key, entity, shared.facts);
        Inputs {
            entity,
            activity,
            key: key.digest128(),
        }
    }
}

/// The entity's ref, kind and source (its JSON, document and relations
/// are compared by allocation).
fn entity_part(key: &mut Xxh3, entity: &Entity) {
    for text in [
        &entity.entity_ref.kind,
        &entity.entity_ref.namespace,
        &entity.entity_ref.name,
        &entity.kind,
        &entity.namespace,
        &entity.name,
    ] {
        part(key, text.as_bytes());
    }
    entity.source.key_part(key);
}

/// Each relation's target as the relation rules read it
/// ([`super::relations::TARGETS_READ`]): whether the catalog has it, its
/// kind (as written and in its ref) and its `spec.lifecycle`.
fn targets_part(key: &mut Xxh3, entity: &Entity, catalog: &Catalog) {
    use super::relations::TARGETS_READ;
    for relation in entity.relations.iter() {
        if !TARGETS_READ.contains(&relation.kind) {
            continue;
        }
        part(key, relation.kind.as_bytes());
        match catalog.get(&relation.target) {
            None => key.update(b"-"),
            Some(target) => {
                key.update(b"+");
                part(key, target.entity_ref.kind.as_bytes());
                part(key, target.kind.as_bytes());
                if relation.kind == "dependsOn" {
                    match target.spec_str("lifecycle") {
                        Some(lifecycle) => part(key, lifecycle.as_bytes()),
                        None => key.update(b"-"),
                    }
                }
            }
        }
    }
}

/// The docs site as the docs rules read it, and its broken links.
fn docs_part(key: &mut Xxh3, site: Option<&DocSiteSummary>, broken: &[&Diagnostic]) {
    match site {
        None => key.update(b"no site"),
        Some(site) => {
            part(key, site.url.as_bytes());
            part(key, site.site_name.as_bytes());
            key.update(&(site.pages.len() as u64).to_le_bytes());
            for page in &site.pages {
                key.update(&[u8::from(page.draft)]);
                match &page.last_updated {
                    Some(date) => part(key, date.as_bytes()),
                    None => key.update(b"-"),
                }
            }
        }
    }
    key.update(&(broken.len() as u64).to_le_bytes());
    for d in broken {
        part(key, d.message.as_bytes());
        part(key, d.file.as_bytes());
        key.update(&(d.line as u64).to_le_bytes());
    }
}

/// The facts file's name and the facts about the entity, by name.
fn facts_part(key: &mut Xxh3, entity: &Entity, facts: &ExternalFacts) {
    part(key, format!("{:?}", facts.origin).as_bytes());
    if facts.by_entity.is_empty() {
        return;
    }
    match facts.by_entity.get(&entity.entity_ref.key()) {
        None => key.update(b"no facts"),
        Some(mine) => {
            let mut names: Vec<&String> = mine.keys().collect();
            names.sort();
            for name in names {
                part(key, name.as_bytes());
                part(key, format!("{:?}", mine[name]).as_bytes());
            }
        }
    }
}

impl ResultsMemo {
    /// Starts a build.
    pub fn start(&self) {
        self.kept.start();
        self.hits.store(0, Ordering::Relaxed);
        self.misses.store(0, Ordering::Relaxed);
    }

    /// Ends a build: drops the results of entities no recent build had.
    /// Returns how many entities' results were (kept, judged).
    pub fn finish(&self) -> (usize, usize) {
        self.kept.finish();
        self.counts()
    }

    /// How many entities' results the last build (or the one under way)
    /// kept, and judged.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    /// The results kept for an entity whose inputs are all as they were.
    pub fn get(
        &self,
        inputs: &Inputs<'_>,
        version: Option<u64>,
    ) -> Option<Vec<(usize, EntityResult)>> {
        let found = self.find(inputs, version);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    fn find(
        &self,
        inputs: &Inputs<'_>,
        version: Option<u64>,
    ) -> Option<Vec<(usize, EntityResult)>> {
        version?;
        let kept = self.kept.get(&inputs.entity.doc)?;
        let same = Arc::ptr_eq(&kept.json, &inputs.entity.json)
            && Arc::ptr_eq(&kept.relations, &inputs.entity.relations)
            && match (&kept.activity, inputs.activity) {
                (None, None) => true,
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                _ => false,
            }
            && kept.key == inputs.key;
        same.then(|| kept.results.clone())
    }

    /// Keeps an entity's results, judged from `inputs` (never when its
    /// repository has no version: nothing would say when its files change).
    pub fn keep(
        &self,
        inputs: &Inputs<'_>,
        version: Option<u64>,
        results: Vec<(usize, EntityResult)>,
    ) {
        if version.is_none() {
            return;
        }
        let entity = inputs.entity;
        self.kept.insert(
            &entity.doc,
            Arc::new(Kept {
                json: Arc::clone(&entity.json),
                relations: Arc::clone(&entity.relations),
                activity: inputs.activity.cloned(),
                key: inputs.key,
                results,
            }),
        );
    }
}
