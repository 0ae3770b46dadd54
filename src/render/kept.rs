//! The keys of entity pages kept between builds of one process
//! (`portico serve`): a hash of everything a page shows, so an edit draws
//! again only the pages it changes.
//!
//! Also the keys `portico build` records in the site's manifest (with the
//! theme's key: `render::site_carrying`), to carry unchanged pages over.
//!
//! An entity page shows the entity itself (its JSON, relations, source file
//! and commit, the problems in its YAML document, its docs site: its own
//! key), each entity it relates to as tables, graphs and links show it
//! (name as shown, kind, type, lifecycle, description, avatar and email,
//! and its relations: its summary key), and what lies two hops out only as
//! a graph's or a table's node (address, name as shown, kind: its node
//! key, inside the neighbour's summary). So a description edit draws the
//! edited entity's page and its neighbours', not every page two hops out.
//! Location pages list entities by the files they were read from, not by
//! relations: they are always drawn.

use super::pages::ProblemsByFile;
use crate::catalog::Entity;
use crate::catalog::entity_ref::EntityRef;
use crate::catalog::relations::Relation;
use crate::docs::DocSiteSummary;
use crate::memo::{ArcKeys, ByArc, Key, hasher, part};
use crate::portal::Portal;
use rayon::prelude::*;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::Write as _;
use std::sync::Arc;
use xxhash_rust::xxh3::Xxh3;

/// The keys of entities' JSON and source files, kept between builds of one
/// process (`portico serve`) by their allocations: the catalog hands an
/// unchanged entity the same JSON again (`catalog::AssembleMemo`), so an
/// edit hashes only the JSON it changed.
#[derive(Debug, Default)]
pub(super) struct KeyMemo {
    json: ByArc<Map<String, Value>, JsonKeys>,
    text: ArcKeys<str>,
    /// The catalog hands unchanged relations out again too
    /// (`catalog::relations::RelationsMemo`).
    relations: ByArc<[Relation], RelationKeys>,
}

impl KeyMemo {
    pub(super) fn start(&self) {
        self.json.start();
        self.text.start();
        self.relations.start();
    }

    pub(super) fn finish(&self) {
        self.json.finish();
        self.text.finish();
        self.relations.finish();
    }
}

/// What the keys take of an entity's relations: their key
/// ([`relations_key`]), and their targets' places in the catalog whose
/// entities' key is `places` (looked up again in another catalog).
#[derive(Clone, Debug)]
struct RelationKeys {
    key: Key,
    places: Option<(Key, Arc<[Option<u32>]>)>,
}

/// A key of an entity's relations: each one's kind and target as spelled.
fn relations_key(relations: &[Relation]) -> Key {
    let mut key = hasher();
    key.update(&(relations.len() as u64).to_le_bytes());
    for relation in relations {
        part(&mut key, relation.kind.as_bytes());
        ref_parts(&mut key, &relation.target);
    }
    key.digest128()
}

/// What pages show of an entity's JSON: all of it (its own page), and the
/// fields a page relating to it shows (in [`summary_key`]).
#[derive(Clone, Copy, Debug)]
struct JsonKeys {
    whole: Key,
    shown: Key,
    /// The fields a name as shown may come from (`metadata.title`,
    /// `spec.profile.displayName`), for [`node_key`].
    names: Key,
}

fn json_keys(json: &Map<String, Value>) -> JsonKeys {
    let mut whole = hasher();
    object_hash(&mut whole, json);
    let mut shown = hasher();
    let spec = json.get("spec");
    json_part(&mut shown, spec.and_then(|s| s.get("type")));
    json_part(&mut shown, spec.and_then(|s| s.get("lifecycle")));
    json_part(&mut shown, spec.and_then(|s| s.get("profile")));
    json_part(
        &mut shown,
        json.get("metadata").and_then(|m| m.get("description")),
    );
    let mut names = hasher();
    json_part(
        &mut names,
        json.get("metadata").and_then(|m| m.get("title")),
    );
    json_part(
        &mut names,
        spec.and_then(|s| s.get("profile"))
            .and_then(|p| p.get("displayName")),
    );
    JsonKeys {
        whole: whole.digest128(),
        shown: shown.digest128(),
        names: names.digest128(),
    }
}

fn text_key(text: &str) -> Key {
    let mut key = hasher();
    part(&mut key, text.as_bytes());
    key.digest128()
}

/// The keys of what an entity's pages read of it by allocation: its
/// JSON, its source file's text and its relations.
#[derive(Clone, Copy, Debug)]
struct Inputs {
    json: JsonKeys,
    text: Key,
    relations: Key,
}

/// An entity's [`Inputs`], from `memo` when one is kept.
fn entity_inputs(entity: &Entity, memo: Option<&KeyMemo>) -> Inputs {
    match memo {
        Some(memo) => Inputs {
            json: memo.json.get_or_make(&entity.json, json_keys),
            text: memo.text.get_or_make(&entity.source.text, text_key),
            relations: memo
                .relations
                .get_or_make(&entity.relations, |r| RelationKeys {
                    key: relations_key(r),
                    places: None,
                })
                .key,
        },
        None => Inputs {
            json: json_keys(&entity.json),
            text: text_key(&entity.source.text),
            relations: relations_key(&entity.relations),
        },
    }
}

pub(super) struct EntityKeys<'p> {
    portal: &'p Portal,
    /// What a page shows of its own entity ([`own_key`]), by the entity's
    /// place in the catalog.
    own: Vec<Key>,
    /// What a page shows of an entity it relates to ([`summary_key`]).
    summary: Vec<Key>,
    /// Each entity's relations' targets, by their place in the catalog
    /// (`None`: a ref to no entity), looked up once for both keys.
    targets: Vec<Arc<[Option<u32>]>>,
    /// Each entity's [`relations_key`].
    relations: Vec<Key>,
    /// The site's settings every page shows.
    global: Key,
}

/// A writer feeding a hasher (JSON is hashed as it is written out).
struct HashWriter<'h>(&'h mut Xxh3);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What pages show of each entity itself ([`own_key`]), and the keys of
/// its JSON and source file: the first part of [`EntityKeys`], enough for
/// [`OwnKeys::catalog_key`].
#[derive(Clone)]
pub(super) struct OwnKeys {
    inputs: Vec<Inputs>,
    own: Vec<Key>,
    /// The site's settings every page shows.
    global: Key,
}

impl OwnKeys {
    pub(super) fn new(
        portal: &Portal,
        problems: &ProblemsByFile<'_>,
        docs: &HashMap<&EntityRef, &DocSiteSummary>,
        memo: Option<&KeyMemo>,
    ) -> OwnKeys {
        let entities = &portal.catalog.entities;
        let inputs: Vec<Inputs> = entities
            .par_iter()
            .map(|e| entity_inputs(e, memo))
            .collect();
        let own = entities
            .par_iter()
            .zip(&inputs)
            .map(|(e, inputs)| {
                let docs = docs.get(&e.entity_ref).copied();
                own_key(e, inputs, problems, docs)
            })
            .collect();
        let mut global = hasher();
        part(&mut global, portal.title.as_bytes());
        part(
            &mut global,
            portal.base_url.as_deref().unwrap_or("").as_bytes(),
        );
        part(&mut global, &[u8::from(portal.search)]);
        part(
            &mut global,
            format!("{:?}", portal.annotation_links).as_bytes(),
        );
        OwnKeys {
            inputs,
            own,
            global: global.digest128(),
        }
    }

    /// A key of every entity's own key, in the catalog's order: all the
    /// catalog shows of its entities (their data, relations, sources,
    /// problems and docs sites) and which entities there are; and the
    /// site's settings.
    pub(super) fn catalog_key(&self) -> Key {
        let mut key = hasher();
        key.update(&(self.own.len() as u64).to_le_bytes());
        for own in &self.own {
            key.update(&own.to_le_bytes());
        }
        key.update(&self.global.to_le_bytes());
        key.digest128()
    }
}

impl<'p> EntityKeys<'p> {
    pub(super) fn new(
        portal: &'p Portal,
        problems: &ProblemsByFile<'_>,
        docs: &HashMap<&EntityRef, &DocSiteSummary>,
        memo: Option<&KeyMemo>,
    ) -> EntityKeys<'p> {
        EntityKeys::from_own(portal, OwnKeys::new(portal, problems, docs, memo), memo)
    }

    /// The rest of the keys, after `own`.
    pub(super) fn from_own(
        portal: &'p Portal,
        own: OwnKeys,
        memo: Option<&KeyMemo>,
    ) -> EntityKeys<'p> {
        let entities = &portal.catalog.entities;
        let OwnKeys {
            inputs,
            own,
            global,
        } = own;
        let places: HashMap<&EntityRef, u32, foldhash::fast::RandomState> = entities
            .iter()
            .zip(0u32..)
            .map(|(e, i)| (&e.entity_ref, i))
            .collect();
        let look_up = |e: &Entity| -> Arc<[Option<u32>]> {
            e.relations
                .iter()
                .map(|r| place_of(portal, &places, &r.target))
                .collect()
        };
        let targets: Vec<Arc<[Option<u32>]>> = match memo {
            // The same relations in a catalog of the same entities, in the
            // same order, have their targets at the same places.
            Some(memo) => {
                let catalog = places_key(entities);
                entities
                    .par_iter()
                    .zip(&inputs)
                    .map(|(e, inputs)| {
                        let kept = memo.relations.get(&e.relations);
                        if let Some((_, targets)) = kept
                            .as_ref()
                            .and_then(|k| k.places.as_ref())
                            .filter(|(key, _)| *key == catalog)
                        {
                            return targets.clone();
                        }
                        let targets = look_up(e);
                        memo.relations.insert(
                            &e.relations,
                            RelationKeys {
                                key: inputs.relations,
                                places: Some((catalog, targets.clone())),
                            },
                        );
                        targets
                    })
                    .collect()
            }
            None => entities.par_iter().map(look_up).collect(),
        };
        let relations: Vec<Key> = inputs.iter().map(|i| i.relations).collect();
        let nodes: Vec<Key> = entities
            .par_iter()
            .zip(&inputs)
            .map(|(e, inputs)| node_key(e, inputs.json.names))
            .collect();
        // Computed once per entity, so a page relating to a Group that
        // owns hundreds of entities costs one lookup for it, not hundreds.
        let summary = inputs
            .par_iter()
            .zip(nodes.par_iter().zip(&targets))
            .map(|(inputs, (&node, targets))| summary_key(&nodes, inputs, node, targets))
            .collect();
        EntityKeys {
            portal,
            own,
            summary,
            targets,
            relations,
            global,
        }
    }

    /// The key of the page of the catalog's entity at `place`, or `None`
    /// for a page that is always drawn.
    pub(super) fn page_key(&self, place: usize) -> Option<Key> {
        let entity = self.portal.catalog.entities.get(place)?;
        if entity.entity_ref.kind == "location" {
            return None;
        }
        let mut key = hasher();
        key.update(&self.global.to_le_bytes());
        key.update(&self.own[place].to_le_bytes());
        // Each neighbour as the page shows it; what lies two hops out is
        // in the neighbours' summaries as graph nodes.
        related(
            &mut key,
            &self.summary,
            self.relations[place],
            &self.targets[place],
        );
        Some(key.digest128())
    }
}

/// Where the entity `target` names is in the catalog: a ref spelled as
/// its entity's is found without making the catalog's lookup key; another
/// spelling is looked up as pages look it up.
fn place_of(
    portal: &Portal,
    places: &HashMap<&EntityRef, u32, foldhash::fast::RandomState>,
    target: &EntityRef,
) -> Option<u32> {
    places.get(target).copied().or_else(|| {
        let entity = portal.catalog.get(target)?;
        places.get(&entity.entity_ref).copied()
    })
}

/// An entity's relations (their [`relations_key`]) and each target's key
/// in `keys` (zero for a ref to no entity, which pages show as a missing
/// ref), written into the hasher at once.
fn related(key: &mut Xxh3, keys: &[Key], relations: Key, places: &[Option<u32>]) {
    key.update(&relations.to_le_bytes());
    let mut known = Vec::with_capacity(places.len() * 16);
    for place in places {
        let target = place.map_or(0, |i| keys[i as usize]);
        known.extend_from_slice(&target.to_le_bytes());
    }
    key.update(&known);
}

/// A key of which entities a catalog holds, in order: where each ref's
/// target is.
fn places_key(entities: &[Entity]) -> Key {
    let mut key = hasher();
    key.update(&(entities.len() as u64).to_le_bytes());
    for entity in entities {
        ref_parts(&mut key, &entity.entity_ref);
    }
    key.digest128()
}

/// A ref's parts, each with its length (no string made for it).
fn ref_parts(key: &mut Xxh3, target: &EntityRef) {
    part(key, target.kind.as_bytes());
    part(key, target.namespace.as_bytes());
    part(key, target.name.as_bytes());
}

/// A JSON value that may be absent ([`value_hash`]).
fn json_part(key: &mut Xxh3, value: Option<&Value>) {
    match value {
        Some(value) => value_hash(key, value),
        None => key.update(b"-"),
    }
}

/// A JSON value fed to `key` as it is, with no text made for it (writing
/// it out as JSON was most of the cost of an entity's keys): each value's
/// type first, strings and numbers with their lengths, arrays and objects
/// with their counts, so two different values never feed the same bytes.
/// Objects in their order, as the entity's JSON keeps and shows them.
fn value_hash(key: &mut Xxh3, value: &Value) {
    match value {
        Value::Null => key.update(b"n"),
        Value::Bool(false) => key.update(b"f"),
        Value::Bool(true) => key.update(b"t"),
        Value::Number(number) => {
            key.update(b"#");
            // Shown as written out: the number's own text.
            part(key, number.to_string().as_bytes());
        }
        Value::String(text) => {
            key.update(b"s");
            part(key, text.as_bytes());
        }
        Value::Array(items) => {
            key.update(b"[");
            key.update(&(items.len() as u64).to_le_bytes());
            for item in items {
                value_hash(key, item);
            }
        }
        Value::Object(fields) => object_hash(key, fields),
    }
}

/// A JSON object ([`value_hash`]).
fn object_hash(key: &mut Xxh3, fields: &Map<String, Value>) {
    key.update(b"{");
    key.update(&(fields.len() as u64).to_le_bytes());
    for (name, value) in fields {
        part(key, name.as_bytes());
        value_hash(key, value);
    }
}

/// What a graph or a link shows of an entity two hops out: its box (name
/// as shown, kind) and its address. The name as shown
/// (`Entity::display_name`) comes from its kind, its name and two fields of
/// its JSON (`names`: their key, kept with its JSON's other keys), so
/// those are keyed rather than the name looked up again.
fn node_key(entity: &Entity, names: Key) -> Key {
    let mut key = hasher();
    ref_parts(&mut key, &entity.entity_ref);
    part(&mut key, entity.kind.as_bytes());
    part(&mut key, entity.name.as_bytes());
    key.update(&names.to_le_bytes());
    key.digest128()
}

/// What a page shows of an entity it relates to: its node, the columns of
/// the kind sections' tables (type, lifecycle, description), a person's or
/// group's avatar and email, and its relations with the nodes they point
/// at (the graph's second hop, a System's diagram, a member's groups, a
/// group's member count). Nothing else of a neighbour reaches a page.
/// `inputs`: the keys of its JSON (`shown`: those fields) and relations;
/// `node`: its [`node_key`]; `targets`: its relations' places in the
/// catalog.
fn summary_key(nodes: &[Key], inputs: &Inputs, node: Key, targets: &[Option<u32>]) -> Key {
    let mut key = hasher();
    key.update(&node.to_le_bytes());
    key.update(&inputs.json.shown.to_le_bytes());
    related(&mut key, nodes, inputs.relations, targets);
    key.digest128()
}

/// What a page shows of one entity: its data, relations, source and
/// commit, the problems in its document, its docs site. `inputs`: the
/// keys of its JSON, source file and relations ([`entity_inputs`]).
fn own_key(
    entity: &Entity,
    inputs: &Inputs,
    problems: &ProblemsByFile<'_>,
    docs: Option<&DocSiteSummary>,
) -> Key {
    let mut key = hasher();
    ref_parts(&mut key, &entity.entity_ref);
    part(&mut key, entity.kind.as_bytes());
    key.update(&inputs.json.whole.to_le_bytes());
    key.update(&inputs.relations.to_le_bytes());
    entity.source.key_part(&mut key);
    // The page quotes its document's lines (its problems): the file's text.
    key.update(&inputs.text.to_le_bytes());
    for problem in problems.of(entity) {
        part(&mut key, format!("{problem:?}").as_bytes());
    }
    if let Some(docs) = docs {
        let updated = docs
            .pages
            .iter()
            .filter_map(|p| p.last_updated.as_deref())
            .max();
        part(
            &mut key,
            format!(
                "{} {} {} {updated:?}",
                docs.home(),
                docs.site_name,
                docs.pages.len()
            )
            .as_bytes(),
        );
    }
    key.digest128()
}

/// Bumped when what the lists' key takes in changes.
const LISTS_FORMAT: u32 = 1;

/// The key of everything [`super::lists`] reads: the catalog (`catalog`:
/// [`OwnKeys::catalog_key`], each entity's own key and the site's
/// settings), the theme (`look`), every diagnostic whole, each docs site
/// as the lists show it (entity, address, name, version, and each page's
/// source, address, title, diagram flag and date; old versions the same
/// way), every scorecard result (serialised, and the fields serialising
/// leaves out), the repositories, and the entity pages' paths (the
/// sitemap's).
pub(super) fn lists_key(
    portal: &Portal,
    look: Key,
    diagnostics: &[crate::diagnostics::Diagnostic],
    catalog: Key,
    pages: &[&str],
) -> Key {
    let mut key = hasher();
    key.update(&LISTS_FORMAT.to_le_bytes());
    key.update(&catalog.to_le_bytes());
    key.update(&look.to_le_bytes());
    shell_settings_part(&mut key, portal);
    part(
        &mut key,
        format!("{:?}", portal.annotation_links).as_bytes(),
    );
    #[derive(serde::Serialize)]
    struct Whole<'d>(
        #[serde(with = "crate::diagnostics::whole_list")] &'d [crate::diagnostics::Diagnostic],
    );
    part(
        &mut key,
        &crate::memo::encode(&Whole(diagnostics)).unwrap_or_default(),
    );
    key.update(&(portal.docs.len() as u64).to_le_bytes());
    for site in &portal.docs {
        docs_site_part(&mut key, site);
    }
    results_part(&mut key, &portal.scorecards);
    key.update(&(portal.repos.len() as u64).to_le_bytes());
    for repo in &portal.repos {
        part(&mut key, repo.display.as_bytes());
    }
    key.update(&(pages.len() as u64).to_le_bytes());
    for page in pages {
        part(&mut key, page.as_bytes());
    }
    key.digest128()
}

/// Every scorecard result: serialised (`render::keyed`), and the fields
/// serialising leaves out.
fn results_part(key: &mut Xxh3, results: &crate::scorecards::Results) {
    super::keyed::feed(key, results);
    part(
        key,
        format!("{:?} {:?}", results.invalid, results.history).as_bytes(),
    );
    for card in &results.scorecards {
        for entity in &card.entities {
            let _ = write!(HashWriter(key), "{:?};", entity.level_index);
            for rule in &entity.results {
                let _ = write!(
                    HashWriter(key),
                    "{} {};",
                    rule.level_index,
                    rule.evidence.unreadable
                );
            }
            for point in &entity.history {
                let _ = write!(HashWriter(key), "{:?};", point.level_index);
            }
        }
    }
}

/// What every list page's shell reads of the settings: the site's title,
/// its base URL, and whether search is on (the lists' key and its parts').
fn shell_settings_part(key: &mut Xxh3, portal: &Portal) {
    part(key, portal.title.as_bytes());
    part(key, portal.base_url.as_deref().unwrap_or("").as_bytes());
    part(
        key,
        &[u8::from(portal.search), u8::from(portal.base_url.is_some())],
    );
}

/// The key of the scorecard pages (`render::scorecards::files`: the
/// scorecards' JSON and csv, their index, each scorecard's page and its
/// owner, System and Domain rollups), a part of the lists kept apart: a
/// catalog edit that changes no result leaves them as they were. They
/// read the theme (`look`) and the shell's settings (title, base URL,
/// search), every scorecard result, and of the catalog only each entity's
/// ref as spelled (links go to the entity a result names, or mark it
/// missing) and the targets of its `partOf` relations (the System and
/// Domain rollups), in catalog order.
pub(super) fn scorecard_pages_key(portal: &Portal, look: Key) -> Key {
    let mut key = hasher();
    key.update(&LISTS_FORMAT.to_le_bytes());
    part(&mut key, b"scorecard pages");
    key.update(&look.to_le_bytes());
    shell_settings_part(&mut key, portal);
    results_part(&mut key, &portal.scorecards);
    key.update(&(portal.catalog.entities.len() as u64).to_le_bytes());
    for entity in &portal.catalog.entities {
        ref_parts(&mut key, &entity.entity_ref);
        let part_of = entity.relations.iter().filter(|r| r.kind == "partOf");
        for relation in part_of {
            key.update(b"p");
            ref_parts(&mut key, &relation.target);
        }
        key.update(b";");
    }
    key.digest128()
}

/// The key of one kind's list pages (`catalog_list::kind_group_pages`), a
/// part of the lists kept apart: an edit leaves the other kinds' lists as
/// they were. They read the theme (`look`) and the shell's settings, the
/// kind as named (`kind`), the first scorecard's title, and for each of
/// the kind's entities (`places`, in catalog order) its row: its ref and
/// kind, its JSON and relations (`own`'s keys of them), how many problems
/// its document has and how bad the worst is (not their text, nor the
/// file's: an edit elsewhere in its file leaves its row alone), its level
/// on the first scorecard (`levels`, by ref), and the entity its owner and
/// System links find (or none).
pub(super) fn kind_pages_key(
    portal: &Portal,
    look: Key,
    own: &OwnKeys,
    problems: &ProblemsByFile<'_>,
    kind_places: (&str, &[usize]),
    levels: &HashMap<&str, &str>,
) -> Key {
    let (kind, places) = kind_places;
    let mut key = hasher();
    key.update(&LISTS_FORMAT.to_le_bytes());
    part(&mut key, b"kind pages");
    key.update(&look.to_le_bytes());
    shell_settings_part(&mut key, portal);
    let first_card = portal.scorecards.scorecards.first();
    part(
        &mut key,
        first_card
            .map_or("-", |card| card.title.as_str())
            .as_bytes(),
    );
    key.update(&[u8::from(first_card.is_some())]);
    part(&mut key, kind.as_bytes());
    key.update(&(places.len() as u64).to_le_bytes());
    let found = |key: &mut Xxh3, target: Option<&EntityRef>| match target
        .and_then(|r| portal.catalog.get(r))
    {
        Some(e) => ref_parts(key, &e.entity_ref),
        None => key.update(b"-"),
    };
    for &place in places {
        let entity = &portal.catalog.entities[place];
        let inputs = &own.inputs[place];
        ref_parts(&mut key, &entity.entity_ref);
        part(&mut key, entity.kind.as_bytes());
        key.update(&inputs.json.whole.to_le_bytes());
        key.update(&inputs.relations.to_le_bytes());
        match super::catalog_list::worst_problem(problems, entity) {
            Some((worst, count)) => {
                part(&mut key, worst.as_bytes());
                key.update(&(count as u64).to_le_bytes());
            }
            None => key.update(b"-"),
        }
        match levels.get(entity.entity_ref.to_string().as_str()) {
            Some(level) => part(&mut key, level.as_bytes()),
            None => key.update(b"-"),
        }
        found(&mut key, super::pages::first_target(entity, "ownedBy"));
        let system = entity
            .relations
            .iter()
            .find(|r| r.kind == "partOf" && r.target.kind == "system");
        found(&mut key, system.map(|r| &r.target));
    }
    key.digest128()
}

/// What the lists show of a docs site (see [`lists_key`]).
fn docs_site_part(key: &mut Xxh3, site: &DocSiteSummary) {
    part(key, site.entity.to_string().as_bytes());
    part(key, site.url.as_bytes());
    part(key, site.site_name.as_bytes());
    part(
        key,
        format!("{:?} {}", site.version, site.versions_searched).as_bytes(),
    );
    key.update(&(site.pages.len() as u64).to_le_bytes());
    for page in &site.pages {
        for text in [&page.src, &page.url, &page.title] {
            part(key, text.as_bytes());
        }
        part(
            key,
            format!("{} {:?}", page.has_mermaid, page.last_updated).as_bytes(),
        );
    }
    key.update(&(site.versions.len() as u64).to_le_bytes());
    for version in &site.versions {
        docs_site_part(key, version);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Look;
    use crate::render::example_org;
    use crate::render::pages::{SortedRelations, entity as entity_page};
    use serde_json::{Value, json};

    /// Every entity page of `portal` with its key; the keys made with
    /// `memo` (kept between calls, as `portico serve` keeps it) are the
    /// keys made without one.
    fn pages(
        portal: &Portal,
        diagnostics: &[crate::diagnostics::Diagnostic],
        memo: &KeyMemo,
    ) -> Vec<(String, Option<Key>)> {
        let look = Look::default();
        let problems = ProblemsByFile::new(diagnostics);
        let docs: HashMap<&EntityRef, &DocSiteSummary> =
            portal.docs.iter().map(|d| (&d.entity, &**d)).collect();
        let keys = EntityKeys::new(portal, &problems, &docs, None);
        memo.start();
        let kept = EntityKeys::new(portal, &problems, &docs, Some(memo));
        memo.finish();
        for (i, e) in portal.catalog.entities.iter().enumerate() {
            assert_eq!(kept.page_key(i), keys.page_key(i), "{}", e.entity_ref);
        }
        let relations = SortedRelations::new(portal);
        portal
            .catalog
            .entities
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let docs = docs.get(&e.entity_ref).copied();
                let html = entity_page(portal, &look, e, &problems, docs, "", &relations);
                (html, keys.page_key(i))
            })
            .collect()
    }

    /// Sets the string at `path` (`spec.profile.email`) of an entity's JSON.
    fn set(json: &mut serde_json::Map<String, Value>, path: &str, value: &str) {
        let (parents, last) = path.rsplit_once('.').unwrap();
        let mut at = json;
        for part in parents.split('.') {
            let next = at.entry(part).or_insert_with(|| json!({}));
            if !next.is_object() {
                *next = json!({});
            }
            at = next.as_object_mut().unwrap();
        }
        at.insert(last.to_string(), Value::from(value));
    }

    /// Different JSON values feed different bytes: a value's type, where a
    /// string ends, how many items an array or object holds, a field's
    /// place all reach the key (written out as JSON they did too).
    #[test]
    fn different_json_values_have_different_keys() {
        let key = |value: &Value| {
            let mut key = hasher();
            value_hash(&mut key, value);
            key.digest128()
        };
        let values = [
            json!(null),
            json!(false),
            json!(true),
            json!(1),
            json!(1.5),
            json!("1"),
            json!(""),
            json!("ab"),
            json!(["ab"]),
            json!(["a", "b"]),
            json!([["a"], "b"]),
            json!([["a", "b"]]),
            json!([]),
            json!({}),
            json!({"a": "b"}),
            json!({"ab": ""}),
            json!({"a": {"b": "c"}}),
            json!({"a": {}, "b": "c"}),
            json!({"a": 1, "b": 2}),
            json!({"b": 2, "a": 1}),
        ];
        let keys: std::collections::HashSet<Key> = values.iter().map(key).collect();
        assert_eq!(keys.len(), values.len());
        assert_eq!(key(&json!({"a": [1, "x"]})), key(&json!({"a": [1, "x"]})));
        let absent = |value: Option<&Value>| {
            let mut key = hasher();
            json_part(&mut key, value);
            key.digest128()
        };
        assert_ne!(absent(None), absent(Some(&json!(null))));
    }

    /// Over example-org: one field of one entity changed at a time (each
    /// field a page may show of a neighbour, or of an entity two hops out),
    /// every entity page whose bytes change has a new key; and a
    /// description's edit changes only the keys of the edited entity's page
    /// and its neighbours'.
    #[test]
    fn a_page_changes_only_when_its_key_does_over_example_org() {
        let mut outcome = example_org();
        let memo = KeyMemo::default();
        let before = pages(&outcome.portal, &outcome.diagnostics, &memo);
        let count = outcome.portal.catalog.entities.len();
        assert!(count > 20, "example-org has {count} entities");
        let fields = [
            "metadata.description",
            "metadata.title",
            "spec.lifecycle",
            "spec.type",
            "spec.profile.displayName",
            "spec.profile.email",
            "spec.profile.picture",
        ];
        let mut narrowed = 0;
        for i in 0..count {
            let field = fields[i % fields.len()];
            let entity = &mut outcome.portal.catalog.entities[i];
            let old = entity.json.clone();
            // A shared JSON is copied when changed, as the catalog's
            // assembly makes a new one for a changed document: the memo's
            // keys of the old one are not the new one's.
            set(
                std::sync::Arc::make_mut(&mut entity.json),
                field,
                "https://example.com/edited.png",
            );
            let after = pages(&outcome.portal, &outcome.diagnostics, &memo);
            let entity = &outcome.portal.catalog.entities[i];
            let what = format!("{field} of {}", entity.entity_ref);
            let neighbours: Vec<&EntityRef> = entity.relations.iter().map(|r| &r.target).collect();
            for (j, ((html, key), (html_after, key_after))) in before.iter().zip(&after).enumerate()
            {
                let page = &outcome.portal.catalog.entities[j];
                if html != html_after {
                    assert!(
                        key.is_none() || key != key_after,
                        "{what}: {}'s page changed, its key did not",
                        page.entity_ref
                    );
                }
                let near = j == i || neighbours.contains(&&page.entity_ref);
                if field == "metadata.description" && !near && key.is_some() {
                    assert_eq!(key, key_after, "{what}: {}'s key changed", page.entity_ref);
                    narrowed += 1;
                }
            }
            outcome.portal.catalog.entities[i].json = old;
        }
        assert!(narrowed > 0, "no page two hops out was left alone");
    }

    /// Each kind's list pages (their bytes together) and their key.
    fn kind_lists(
        portal: &Portal,
        diagnostics: &[crate::diagnostics::Diagnostic],
    ) -> Vec<(String, Vec<u8>, Key)> {
        let look = Look::default();
        let problems = ProblemsByFile::new(diagnostics);
        let docs: HashMap<&EntityRef, &DocSiteSummary> =
            portal.docs.iter().map(|d| (&d.entity, &**d)).collect();
        let own = OwnKeys::new(portal, &problems, &docs, None);
        let levels = portal.scorecards.first_card_levels();
        super::super::catalog_list::kind_groups(portal)
            .into_iter()
            .map(|(kind, places)| {
                let key = kind_pages_key(portal, 0, &own, &problems, (kind, &places), &levels);
                let entities: Vec<&Entity> = places
                    .iter()
                    .map(|p| &portal.catalog.entities[*p])
                    .collect();
                let bytes = super::super::catalog_list::kind_group_pages(
                    portal, &look, &problems, kind, &entities,
                )
                .iter()
                .flat_map(|f| f.bytes.to_vec())
                .collect();
                (kind.to_string(), bytes, key)
            })
            .collect()
    }

    /// Over example-org: one field of one entity changed at a time, every
    /// kind list whose pages change has a new key, and the other kinds'
    /// keys stay as they were.
    #[test]
    fn a_kind_list_changes_only_when_its_key_does_over_example_org() {
        let mut outcome = example_org();
        let before = kind_lists(&outcome.portal, &outcome.diagnostics);
        assert!(before.len() > 3, "example-org has {} kinds", before.len());
        let fields = [
            "metadata.description",
            "metadata.title",
            "spec.lifecycle",
            "spec.type",
            "spec.profile.displayName",
        ];
        let count = outcome.portal.catalog.entities.len();
        let mut changed = 0;
        for i in 0..count {
            let field = fields[i % fields.len()];
            let entity = &mut outcome.portal.catalog.entities[i];
            let old = entity.json.clone();
            set(std::sync::Arc::make_mut(&mut entity.json), field, "edited");
            let kind = entity.kind.to_lowercase();
            let what = format!("{field} of {}", entity.entity_ref);
            let after = kind_lists(&outcome.portal, &outcome.diagnostics);
            for ((name, bytes, key), (_, bytes_after, key_after)) in before.iter().zip(&after) {
                if bytes != bytes_after {
                    assert_ne!(
                        key, key_after,
                        "{what}: the {name} list changed, its key did not"
                    );
                    changed += 1;
                }
                if name.to_lowercase() != kind {
                    assert_eq!(key, key_after, "{what}: the {name} list's key changed");
                }
            }
            outcome.portal.catalog.entities[i].json = old;
        }
        assert!(changed > count / 2, "edits show in the lists: {changed}");
    }

    /// With a [`KeyMemo`] kept across catalogs that share their entities'
    /// relations (the same allocations), the keys equal keys made without
    /// it after an entity is removed (every later entity's place moves)
    /// and after one is renamed (refs to it dangle): relations' targets
    /// are looked up again in another catalog, not reused.
    #[test]
    fn kept_targets_are_looked_up_again_in_another_catalog() {
        let mut outcome = example_org();
        let memo = KeyMemo::default();
        let keys = |portal: &Portal| {
            let problems = ProblemsByFile::new(&[]);
            let docs = HashMap::new();
            let clean = EntityKeys::new(portal, &problems, &docs, None);
            memo.start();
            let kept = EntityKeys::new(portal, &problems, &docs, Some(&memo));
            memo.finish();
            let count = portal.catalog.entities.len();
            let clean: Vec<_> = (0..count).map(|i| clean.page_key(i)).collect();
            let kept: Vec<_> = (0..count).map(|i| kept.page_key(i)).collect();
            assert_eq!(kept, clean);
            kept
        };
        let first = keys(&outcome.portal);
        // The entity most others point at: removing or renaming it changes
        // their pages.
        let entities = outcome.portal.catalog.entities.clone();
        let pointed_at = |e: &Entity| {
            entities
                .iter()
                .filter(|o| o.relations.iter().any(|r| r.target == e.entity_ref))
                .count()
        };
        let (most, _) = entities
            .iter()
            .enumerate()
            .max_by_key(|(_, e)| pointed_at(e))
            .unwrap();
        let mut fewer = entities.clone();
        fewer.remove(most);
        outcome.portal.catalog = crate::catalog::Catalog::of_entities(fewer);
        let removed = keys(&outcome.portal);
        assert_ne!(removed[most..], first[most + 1..]);
        let mut renamed = entities.clone();
        renamed[most].entity_ref.name.push_str("-renamed");
        outcome.portal.catalog = crate::catalog::Catalog::of_entities(renamed);
        let renamed = keys(&outcome.portal);
        assert_ne!(renamed, first);
        outcome.portal.catalog = crate::catalog::Catalog::of_entities(entities);
        assert_eq!(keys(&outcome.portal), first);
    }
}
