//! The Backstage software catalog, with Backstage's own rules.
//!
//! [`load`] reads one repository's catalog files into entity documents
//! (multi-document YAML, Locations, `$text`/`$json`/`$yaml`, validation);
//! [`assemble`] joins every repository's documents into one [`Catalog`]:
//! duplicates refused, location annotations added, relations derived.
//!
//! An entity with an error is one Backstage would not accept (its processing
//! fails, so the catalog never stores it). Portico keeps it by default, so
//! the portal can show it, marked with [`INVALID_ANNOTATION`];
//! [`Invalid::Drop`] (`--backstage-exact`) leaves it out as Backstage does.

mod api;
pub mod entity_ref;
pub mod failed_reads;
mod json;
pub mod kept;
pub mod kinds;
pub mod load;
pub mod location;
pub mod organisation;
pub mod relations;
pub mod substitute;
pub mod validate;

use crate::diagnostics::{Diagnostic, LineIndex, Severity};
use crate::yaml::Node;
use entity_ref::EntityRef;
use load::LoadedEntity;
use rayon::prelude::*;
use relations::Relation;
use serde_json::{Map, Value as Json};
use std::collections::HashMap;
use std::sync::Arc;

/// Where an entity was defined.
#[derive(Clone, Debug)]
pub struct Source {
    pub repo: String,
    pub repo_dir: String,
    /// Path of the catalog file inside the repository.
    pub file: String,
    pub line: usize,
    /// The lines of the entity's YAML document (up to the next document).
    pub lines: std::ops::Range<usize>,
    /// The whole file, shared by the entities in it, for diagnostics.
    pub text: Arc<str>,
    /// `text`'s lines, for quoting them in diagnostics.
    pub line_index: Arc<LineIndex>,
    /// The commit the repository was read at, for git repositories.
    pub commit: Option<Arc<RepoCommit>>,
}

impl Source {
    /// Feeds where the entity was defined (repository, folder, file, its
    /// lines) and the commit it was read at to a key: what a page or a
    /// scorecard shows of its source. (The build cache keeps entity pages
    /// under keys made with these bytes: changing them is a new format.)
    pub fn key_part(&self, key: &mut xxhash_rust::xxh3::Xxh3) {
        use crate::memo::part;
        part(key, self.repo.as_bytes());
        part(key, self.repo_dir.as_bytes());
        part(key, self.file.as_bytes());
        let mut lines = [0u8; 24];
        for (slot, n) in lines
            .chunks_mut(8)
            .zip([self.line, self.lines.start, self.lines.end])
        {
            slot.copy_from_slice(&(n as u64).to_le_bytes());
        }
        key.update(&lines);
        match &self.commit {
            Some(commit) => {
                let RepoCommit {
                    id,
                    date,
                    author,
                    branch,
                } = &**commit;
                part(key, b"commit");
                for text in [id, date, author] {
                    part(key, text.as_bytes());
                }
                part(key, &[u8::from(branch.is_some())]);
                part(key, branch.as_deref().unwrap_or("").as_bytes());
            }
            None => part(key, b"no commit"),
        }
    }
}

/// A repository's commit as read (HEAD, or `--ref` for bare clones).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoCommit {
    /// Full hex id.
    pub id: String,
    /// `YYYY-MM-DD` of its author (empty when unknown).
    pub date: String,
    pub author: String,
    pub branch: Option<String>,
}

/// Set on entities Backstage would reject, to the reason (the code and
/// message of the first error on the entity).
pub const INVALID_ANNOTATION: &str = "portico.dev/invalid";

/// Why Backstage would not accept an entity: the first error reported on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub code: &'static str,
    pub message: String,
}

impl Rejection {
    /// The first error among an entity's diagnostics, if any.
    pub fn first_of(diagnostics: &[Diagnostic]) -> Option<Rejection> {
        diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error)
            .map(|d| Rejection {
                code: d.code,
                message: d.message.clone(),
            })
    }

    /// The [`INVALID_ANNOTATION`] value.
    pub fn annotation(&self) -> String {
        format!("{}: {}", self.code, self.message)
    }
}

/// What [`assemble_with`] does with entities Backstage would reject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// Kept, marked with [`INVALID_ANNOTATION`] (the default: the portal shows them).
    Keep,
    /// Left out with their relations, as Backstage's catalog does (`--backstage-exact`).
    Drop,
}

#[derive(Clone, Debug)]
pub struct Entity {
    pub entity_ref: EntityRef,
    /// Kind as written, e.g. `Component`.
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// The entity as Backstage's API returns it, without `relations`.
    /// Shared: `portico serve` reuses an unchanged entity's JSON between
    /// builds (see [`AssembleMemo`]), and keys it once (`memo::ArcKeys`).
    pub json: Arc<Map<String, Json>>,
    /// Sorted, both directions. Shared: `portico serve` hands an entity
    /// the last build's relations while nothing they come from changed
    /// (see [`AssembleMemo`]), and keys them once.
    pub relations: Arc<[Relation]>,
    pub source: Source,
    /// The document after substitution, with positions, for later checks.
    pub doc: Arc<Node>,
    /// Why Backstage would reject it; `None` for a valid entity.
    pub rejected: Option<Rejection>,
}

impl Entity {
    /// The entity with its `relations`, as in Backstage's `/entities`.
    pub fn to_api_json(&self) -> Json {
        let mut json = (*self.json).clone();
        let relations = self
            .relations
            .iter()
            // All in lower case, name too, as Backstage's `stringifyEntityRef`.
            .map(|r| serde_json::json!({ "type": r.kind, "targetRef": r.target.key() }))
            .collect();
        json.insert("relations".into(), Json::Array(relations));
        Json::Object(json)
    }

    /// `metadata`, or null: never a panic on an entity that lacks it.
    pub fn metadata(&self) -> &Json {
        self.json.get("metadata").unwrap_or(&Json::Null)
    }

    /// `spec`, or null when the entity has none (a kept entity missing
    /// its required `spec` is still drawn).
    pub fn spec(&self) -> &Json {
        self.json.get("spec").unwrap_or(&Json::Null)
    }

    pub fn metadata_str(&self, key: &str) -> Option<&str> {
        self.json.get("metadata")?.get(key)?.as_str()
    }

    /// What the entity is called on the site and in search: `metadata.title`;
    /// for groups and users, their `spec.profile.displayName` next (as
    /// Backstage's profile cards show them); else the name.
    pub fn display_name(&self) -> &str {
        let profile = || {
            matches!(self.kind.as_str(), "Group" | "User")
                .then(|| self.spec()["profile"]["displayName"].as_str())
                .flatten()
                .filter(|n| !n.trim().is_empty())
        };
        self.metadata_str("title")
            .or_else(profile)
            .unwrap_or(&self.name)
    }

    pub fn spec_str(&self, key: &str) -> Option<&str> {
        self.json.get("spec")?.get(key)?.as_str()
    }

    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.json
            .get("metadata")?
            .get("annotations")?
            .get(key)?
            .as_str()
    }
}

/// Entity indexes by [`EntityRef::key`].
pub type RefIndex = HashMap<String, usize, foldhash::fast::RandomState>;

/// Every entity of the organisation, sorted by ref.
#[derive(Debug, Default)]
pub struct Catalog {
    pub entities: Vec<Entity>,
    index: RefIndex,
    /// Indexes of `entities` by repository name, file and line, so the
    /// entities of a file or folder are found without a scan.
    by_file: Vec<usize>,
}

impl Catalog {
    pub fn get(&self, entity_ref: &EntityRef) -> Option<&Entity> {
        // Pages and rules look refs up millions of times in a large
        // organisation: the key is built in a reused buffer, not allocated.
        thread_local! {
            static KEY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        KEY.with_borrow_mut(|key| {
            entity_ref.write_key(key);
            self.index.get(key.as_str()).map(|&i| &self.entities[i])
        })
    }

    /// A ref as one name for everything that groups by it (an owner's
    /// rollup, a System's): spelled as the catalog's entity is, else in
    /// lower case as Backstage writes relation targets. Refs are not case
    /// sensitive; `owner: Platform-Team` and `owner: platform-team` are one
    /// owner.
    pub fn named(&self, entity_ref: &EntityRef) -> String {
        match self.get(entity_ref) {
            Some(e) => e.entity_ref.to_string(),
            None => entity_ref.key(),
        }
    }

    /// `{"entities": [...]}`, the shape of Backstage's `/entities` response body.
    pub fn to_json(&self) -> Json {
        serde_json::json!({ "entities": self.entities.iter().map(Entity::to_api_json).collect::<Vec<_>>() })
    }

    /// [`Catalog::to_json`] pretty-printed (`catalog.json`), written
    /// straight from the entities: no copy of every entity's JSON first.
    pub fn to_json_pretty(&self) -> Vec<u8> {
        self.to_json_pretty_until(&|| false).unwrap_or_default()
    }

    /// [`Catalog::to_json_pretty`], given up (`None`) as soon as `stop`
    /// says so; it is asked every thousand entities or so.
    pub fn to_json_pretty_until(&self, stop: &dyn Fn() -> bool) -> Option<Vec<u8>> {
        api::pretty_until(&self.entities, stop)
    }

    /// The entities of repository `repo` (its name) defined in files whose
    /// path starts with `prefix`, by file and line.
    pub fn in_files_starting_with<'a>(
        &'a self,
        repo: &str,
        prefix: &str,
    ) -> impl Iterator<Item = &'a Entity> {
        let start = self
            .by_file
            .partition_point(|&i| file_key(&self.entities[i]) < (repo, prefix, 0));
        self.by_file[start..]
            .iter()
            .map(|&i| &self.entities[i])
            .take_while(move |e| e.source.repo == repo && e.source.file.starts_with(prefix))
    }

    pub fn relation_count(&self) -> usize {
        self.entities.iter().map(|e| e.relations.len()).sum()
    }

    /// A catalog of `entities` as they are (sorted or not, relations as
    /// given), for tests that change one.
    #[cfg(test)]
    pub(crate) fn of_entities(entities: Vec<Entity>) -> Catalog {
        let index = index_of(&entities);
        let by_file = file_order(&entities);
        Catalog {
            entities,
            index,
            by_file,
        }
    }
}

/// [`assemble_with`] keeping invalid entities.
pub fn assemble(loaded: Vec<LoadedEntity>, out: &mut Vec<Diagnostic>) -> Catalog {
    assemble_with(
        loaded,
        Invalid::Keep,
        &std::collections::HashSet::new(),
        out,
    )
}

/// Joins loaded documents into the catalog. The first definition of an
/// entity (by repository path, file and line) wins; later ones are errors.
/// Entities with an error are marked invalid, or left out with `Invalid::Drop`.
/// `elsewhere`: the keys ([`EntityRef::key`]) of entities that exist outside
/// the repositories read (`check --site`): refs to them resolve.
pub fn assemble_with(
    loaded: Vec<LoadedEntity>,
    invalid: Invalid,
    elsewhere: &std::collections::HashSet<String>,
    out: &mut Vec<Diagnostic>,
) -> Catalog {
    assemble_kept(loaded, invalid, elsewhere, None, out)
}

/// Entities' JSON kept between builds of one process (`portico serve`):
/// a kept repository load hands out the same shared documents again, and
/// an entity whose document (that allocation) and location facts are
/// unchanged gets the last build's JSON back instead of making it again.
/// Relations are handed out again while nothing they come from changed
/// (`relations::RelationsMemo`); duplicates and rejections are still worked
/// out over the whole organisation on every build.
#[derive(Debug, Default)]
pub struct AssembleMemo {
    /// Each document's JSON by the key of its other inputs, and whether
    /// the JSON is known to hold no [`INVALID_ANNOTATION`] (the file's own).
    json: crate::memo::ByArc<Node, KeptJson>,
    relations: relations::RelationsMemo,
}

/// A document's JSON kept by [`AssembleMemo`]: the key of its other
/// inputs, the JSON, and whether it holds no [`INVALID_ANNOTATION`].
type KeptJson = (crate::memo::Key, Arc<Map<String, Json>>, bool);

/// [`assemble_with`], reusing the JSON of unchanged documents from `memo`.
pub fn assemble_kept(
    loaded: Vec<LoadedEntity>,
    invalid: Invalid,
    elsewhere: &std::collections::HashSet<String>,
    memo: Option<&AssembleMemo>,
    out: &mut Vec<Diagnostic>,
) -> Catalog {
    if let Some(memo) = memo {
        memo.json.start();
    }
    let (mut entities, mut index, mut unmarked) = unique_entities(loaded, memo, out);
    if let Some(memo) = memo {
        memo.json.finish();
    }
    let mut derived = Vec::new();
    // Dropping rejected entities derives again without them: no memo then.
    let kept = memo.filter(|_| invalid == Invalid::Keep);
    relations::derive_kept(
        &mut entities,
        &index,
        elsewhere,
        kept.map(|m| &m.relations),
        &mut derived,
    );
    if invalid == Invalid::Drop && entities.iter().any(|e| e.rejected.is_some()) {
        // Backstage stores no entity whose processing failed, and so none of
        // the relations it emits; relations to it from others stay, dangling.
        // The errors that rejected them stay reported; the rest is derived again.
        out.extend(
            derived
                .into_iter()
                .filter(|d| d.severity == Severity::Error),
        );
        entities.retain(|e| e.rejected.is_none());
        for e in &mut entities {
            e.relations = Arc::from([]);
        }
        unmarked = vec![false; entities.len()];
        index = index_of(&entities);
        relations::derive(&mut entities, &index, elsewhere, out);
    } else {
        out.extend(derived);
    }
    // Marks change no ref: `index` still places every entity. A valid
    // entity whose JSON is known to hold no mark needs none (a kept JSON:
    // looking into 13,000 JSONs again is 10 ms of a serve edit).
    for (e, unmarked) in entities.iter_mut().zip(unmarked) {
        if !(unmarked && e.rejected.is_none()) {
            mark_invalid(e);
        }
    }
    let by_file = file_order(&entities);
    Catalog {
        entities,
        index,
        by_file,
    }
}

fn index_of(entities: &[Entity]) -> RefIndex {
    entities
        .iter()
        .enumerate()
        .map(|(i, e)| (e.entity_ref.key(), i))
        .collect()
}

/// Writes [`INVALID_ANNOTATION`] on a rejected entity (and removes one the
/// file wrote itself on a valid entity: only Portico says what is invalid).
fn mark_invalid(entity: &mut Entity) {
    let wanted = entity.rejected.as_ref().map(Rejection::annotation);
    let annotations = entity
        .json
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(Json::as_object);
    let Some(annotations) = annotations else {
        return;
    };
    let current = annotations.get(INVALID_ANNOTATION);
    let unchanged = match &wanted {
        Some(w) => current.and_then(Json::as_str) == Some(w.as_str()),
        None => current.is_none(),
    };
    if unchanged {
        // A JSON kept from the last build stays shared.
        return;
    }
    let Some(Json::Object(meta)) = Arc::make_mut(&mut entity.json).get_mut("metadata") else {
        return;
    };
    let Some(Json::Object(annotations)) = meta.get_mut("annotations") else {
        return;
    };
    match wanted {
        Some(w) => {
            annotations.insert(INVALID_ANNOTATION.into(), Json::String(w));
        }
        None => {
            annotations.remove(INVALID_ANNOTATION);
        }
    }
}

/// The entities, sorted by ref, with copies after the first refused.
/// The first definition of each entity (later ones reported), sorted by
/// key, with the index of their keys.
/// Also, per entity, whether its JSON is known to hold no
/// [`INVALID_ANNOTATION`].
fn unique_entities(
    mut loaded: Vec<LoadedEntity>,
    memo: Option<&AssembleMemo>,
    out: &mut Vec<Diagnostic>,
) -> (Vec<Entity>, RefIndex, Vec<bool>) {
    // A copy only a failed read found claims nothing, as in Backstage (its
    // Location's processing stores none of what it emitted): the others
    // come first. One merely invalid still claims its ref.
    let unclaimed = |e: &LoadedEntity| {
        e.rejected
            .as_ref()
            .is_some_and(|r| r.code == failed_reads::DROPPED)
    };
    loaded.sort_by(|a, b| {
        (unclaimed(a), &a.repo_dir, &a.file, a.doc.pos).cmp(&(
            unclaimed(b),
            &b.repo_dir,
            &b.file,
            b.doc.pos,
        ))
    });
    // Which document claims each ref is decided in order; their JSON is
    // then made on every core (13,000 entities' JSON one after another was
    // a third of `check`'s catalog assembly).
    let mut claims: Vec<(LoadedEntity, EntityRef)> = Vec::with_capacity(loaded.len());
    let mut seen = RefIndex::with_capacity_and_hasher(loaded.len(), Default::default());
    for doc in loaded {
        let entity_ref = doc.entity_ref();
        let key = entity_ref.key();
        if let Some(&first) = seen.get(&key) {
            let kept = &claims[first].0;
            if kept.repo_dir == doc.repo_dir && kept.file == doc.file {
                // Two documents of one file share its location key, and
                // each write of it replaces the last: Backstage keeps the
                // later document, and says nothing. Reported at the earlier.
                let later_line = doc.doc.pos.line;
                let (earlier, _) = std::mem::replace(&mut claims[first], (doc, entity_ref.clone()));
                out.push(
                    Diagnostic::error(
                        "duplicate-entity",
                        format!("{entity_ref} is defined again at line {later_line} of this file, and Backstage keeps that later document"),
                    )
                    .with_hint("entity names are unique per kind and namespace, ignoring case; remove one of the two")
                    .in_file(&earlier.source_file(), earlier.doc.pos.line, 1),
                );
                continue;
            }
            let at = doc.name_position();
            let file = doc.source_file();
            let kept_path = crate::diagnostics::display_path(&kept.repo_dir, &kept.file);
            out.push(
                Diagnostic::error("duplicate-entity", format!(
                    "{entity_ref} is already defined in {kept_path}:{}",
                    kept.doc.pos.line
                ))
                .with_hint("entity names are unique per kind and namespace, ignoring case; rename one or remove the copy")
                .in_file(&file, at.line, at.column)
                // A change to the first definition's file reports it too
                // (`--changed-since`): the copy may be the one unchanged.
                .about(Some(kept_path)),
            );
            continue;
        }
        seen.insert(key, claims.len());
        claims.push((doc, entity_ref));
    }
    let entities: Vec<(Entity, bool)> = claims
        .into_par_iter()
        .map(|(doc, entity_ref)| entity_from(doc, entity_ref, memo))
        .collect();
    // Sorted by the keys made above (each made once), not made again.
    let mut order: Vec<(String, usize)> = seen.into_iter().collect();
    order.sort_unstable();
    let mut slots: Vec<Option<(Entity, bool)>> = entities.into_iter().map(Some).collect();
    let mut sorted = Vec::with_capacity(slots.len());
    let mut unmarked = Vec::with_capacity(slots.len());
    let mut index = RefIndex::with_capacity_and_hasher(order.len(), Default::default());
    for (key, place) in order {
        if let Some((entity, clean)) = slots.get_mut(place).and_then(Option::take) {
            index.insert(key, sorted.len());
            sorted.push(entity);
            unmarked.push(clean);
        }
    }
    (sorted, index, unmarked)
}

/// How [`Catalog::in_files_starting_with`] orders entities.
fn file_key(e: &Entity) -> (&str, &str, usize) {
    (&e.source.repo, &e.source.file, e.source.line)
}

/// The entities' places sorted by [`file_key`], equal keys in catalog
/// order. Repositories' names are ranked first, so most comparisons are of
/// two numbers (13,000 entities sorted by their strings was 9 ms of each
/// `portico serve` catalog edit).
fn file_order(entities: &[Entity]) -> Vec<usize> {
    let mut ranks: HashMap<&str, u32, foldhash::fast::RandomState> = HashMap::default();
    for e in entities {
        ranks.entry(e.source.repo.as_str()).or_insert(0);
    }
    let mut names: Vec<&str> = ranks.keys().copied().collect();
    names.sort_unstable();
    for (name, rank) in names.into_iter().zip(0u32..) {
        ranks.insert(name, rank);
    }
    let mut keyed: Vec<(u32, &str, usize, usize)> = entities
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let rank = ranks.get(e.source.repo.as_str()).copied().unwrap_or(0);
            (rank, e.source.file.as_str(), e.source.line, i)
        })
        .collect();
    // The place last: unique keys, so the unstable sort is the stable one.
    keyed.sort_unstable();
    keyed.into_iter().map(|(.., i)| i).collect()
}

/// The entity of a loaded document, and whether its JSON is known to hold
/// no [`INVALID_ANNOTATION`] (only a JSON `memo` keeps is looked at).
fn entity_from(
    doc: LoadedEntity,
    entity_ref: EntityRef,
    memo: Option<&AssembleMemo>,
) -> (Entity, bool) {
    let (json, unmarked) = match memo {
        Some(memo) => {
            let inputs = json_inputs(&doc);
            match memo.json.get(&doc.doc) {
                Some((kept, json, unmarked)) if kept == inputs => (json, unmarked),
                _ => {
                    let json = Arc::new(json_of(&doc));
                    let unmarked = json
                        .get("metadata")
                        .and_then(|m| m.get("annotations"))
                        .and_then(|a| a.get(INVALID_ANNOTATION))
                        .is_none();
                    memo.json.insert(&doc.doc, (inputs, json.clone(), unmarked));
                    (json, unmarked)
                }
            }
        }
        None => (Arc::new(json_of(&doc)), false),
    };
    let entity = Entity {
        entity_ref,
        kind: doc.identity.kind,
        namespace: doc.identity.namespace,
        name: doc.identity.name,
        json,
        relations: Arc::from([]),
        rejected: doc.rejected,
        source: Source {
            repo: doc.repo,
            repo_dir: doc.repo_dir,
            file: doc.file,
            line: doc.doc.pos.line,
            lines: doc.lines,
            text: doc.text,
            line_index: doc.line_index,
            commit: doc.commit,
        },
        doc: doc.doc,
    };
    (entity, unmarked)
}

/// An entity's JSON: its document, less `relations`, with Backstage's
/// ordering of reference lists, its namespace and location annotations.
/// Made from the document and [`json_inputs`]'s fields only (rejections
/// are marked later, by `mark_invalid`).
fn json_of(doc: &LoadedEntity) -> Map<String, Json> {
    let mut json = match doc.doc.to_json() {
        Json::Object(map) => map,
        _ => Map::new(),
    };
    // Relations are computed, never taken from the file.
    json.remove("relations");
    if let Some(Json::Object(spec)) = json.get_mut("spec") {
        sort_reference_lists(spec);
    }
    if let Some(Json::Object(meta)) = json.get_mut("metadata") {
        if !meta.contains_key("namespace") {
            meta.insert(
                "namespace".into(),
                Json::String(doc.identity.namespace.clone()),
            );
        }
        let annotations = meta
            .entry("annotations")
            .or_insert_with(|| Json::Object(Map::new()));
        // `annotations:` left empty (or any value JavaScript reads as
        // false) is none, as Backstage reads it; any other value that is not
        // a mapping is an error on an entity Backstage never stores, given
        // a mapping here for its location annotations and rejection mark.
        if !annotations.is_object() {
            *annotations = Json::Object(Map::new());
        }
        if let Json::Object(annotations) = annotations {
            annotate(annotations, doc);
        }
    }
    json
}

/// A key of what [`json_of`] takes besides the document.
fn json_inputs(doc: &LoadedEntity) -> crate::memo::Key {
    let mut key = crate::memo::hasher();
    for part in [&doc.identity.namespace, &doc.location, &doc.origin] {
        crate::memo::part(&mut key, part.as_bytes());
    }
    let (view, edit) = match &doc.view_edit {
        Some((view, edit)) => (Some(view.as_str()), edit.as_deref()),
        None => (None, None),
    };
    for part in [doc.source_location.as_deref(), view, edit] {
        crate::memo::part(&mut key, &[u8::from(part.is_some())]);
        crate::memo::part(&mut key, part.unwrap_or("").as_bytes());
    }
    key.digest128()
}

/// The spec lists `BuiltinKindsEntityProcessor.preProcessEntity` sorts (with
/// JavaScript's default `sort()`, by UTF-16 code units), when every item is
/// a string; so `catalog.json` holds them in Backstage's order.
const SORTED_SPEC_LISTS: &[&str] = &[
    "providesApis",
    "consumesApis",
    "dependsOn",
    "dependencyOf",
    "memberOf",
    "children",
    "members",
];

fn sort_reference_lists(spec: &mut Map<String, Json>) {
    for field in SORTED_SPEC_LISTS {
        if let Some(Json::Array(items)) = spec.get_mut(*field)
            && items.iter().all(Json::is_string)
        {
            items.sort_by(|a, b| {
                let (a, b) = (a.as_str().unwrap_or(""), b.as_str().unwrap_or(""));
                a.encode_utf16().cmp(b.encode_utf16())
            });
        }
    }
}

/// The annotations Backstage's location processors add: the managed-by pair
/// always, source/view/edit links unless the entity sets its own.
fn annotate(annotations: &mut Map<String, Json>, doc: &LoadedEntity) {
    let mut set = |key: &str, value: &str, overwrite: bool| {
        if overwrite || !annotations.contains_key(key) {
            annotations.insert(key.to_string(), Json::String(value.to_string()));
        }
    };
    set("backstage.io/managed-by-location", &doc.location, true);
    set("backstage.io/managed-by-origin-location", &doc.origin, true);
    if let Some(source) = &doc.source_location {
        set("backstage.io/source-location", source, false);
    }
    if let Some((view, edit)) = &doc.view_edit {
        set("backstage.io/view-url", view, false);
        if let Some(edit) = edit {
            set("backstage.io/edit-url", edit, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    /// A component named `name` in `repo`'s `file`, at `line`.
    fn loaded(repo: &str, file: &str, line: usize, name: &str) -> LoadedEntity {
        let text = format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"
        );
        let mut doc = yaml::parse_single(&text, yaml::Budget::default())
            .unwrap()
            .unwrap();
        doc.pos.line = line;
        LoadedEntity {
            identity: validate::Identity {
                api_version: "backstage.io/v1alpha1".into(),
                kind: "Component".into(),
                namespace: "default".into(),
                name: name.into(),
            },
            doc: doc.into(),
            lines: line..line + 4,
            repo: repo.into(),
            repo_dir: repo.into(),
            file: file.into(),
            line_index: Arc::new(LineIndex::new(&text)),
            text: text.into(),
            location: String::new(),
            origin: String::new(),
            source_location: None,
            view_edit: None,
            commit: None,
            rejected: None,
            read_by: None,
        }
    }

    #[test]
    fn entities_are_found_by_repository_and_file_prefix() {
        let catalog = assemble(
            vec![
                loaded("r", "teams/b.yaml", 1, "z-first-in-b"),
                loaded("r", "teams/a.yaml", 5, "a-second"),
                loaded("r", "teams/a.yaml", 1, "y-first"),
                loaded("r", "teamsx.yaml", 1, "x"),
                loaded("other", "teams/a.yaml", 1, "elsewhere"),
            ],
            &mut Vec::new(),
        );
        let names = |repo: &str, prefix: &str| -> Vec<String> {
            catalog
                .in_files_starting_with(repo, prefix)
                .map(|e| e.name.clone())
                .collect()
        };
        assert_eq!(
            names("r", "teams/"),
            ["y-first", "a-second", "z-first-in-b"]
        );
        assert_eq!(names("r", "teams/a.yaml"), ["y-first", "a-second"]);
        assert_eq!(
            names("r", "teams"),
            ["y-first", "a-second", "z-first-in-b", "x"]
        );
        assert_eq!(names("other", ""), ["elsewhere"]);
        assert!(names("r", "zz").is_empty() && names("none", "").is_empty());
    }

    /// The order by file is the stable sort by repository name, file and
    /// line, ties (two repositories of one name) in catalog order.
    #[test]
    fn entities_are_ordered_by_file_as_a_stable_sort_orders_them() {
        let names = ["b", "a", "c", "a2", "b", "a", "z", "a"];
        let docs = names
            .iter()
            .enumerate()
            .map(|(i, repo)| loaded(repo, ["x.yaml", "w/y.yaml"][i % 2], 9 - i, &format!("e{i}")))
            .collect();
        let mut entities = assemble(docs, &mut Vec::new()).entities;
        // Ties: two entities in the same place of two repositories named alike.
        entities[6].source = entities[1].source.clone();
        entities[7].source = entities[1].source.clone();
        let mut stable: Vec<usize> = (0..entities.len()).collect();
        stable.sort_by_key(|&i| file_key(&entities[i]));
        assert_eq!(file_order(&entities), stable);
        assert!(file_order(&[]).is_empty());
    }

    /// A component named `name` whose spec is `spec` (YAML lines).
    fn with_spec(name: &str, spec: &str) -> LoadedEntity {
        entity_doc("Component", name, "", spec)
    }

    /// Assembled with `memo` kept from build to build, each build equals
    /// one made without it (every entity's JSON and relations); an
    /// unchanged document's JSON is the last build's, shared; a changed
    /// document, a changed location or a rejection gives a new one.
    #[test]
    fn kept_json_is_reused_only_while_what_it_shows_is_unchanged() {
        let memo = AssembleMemo::default();
        let api =
            |c: &Catalog| -> Vec<Json> { c.entities.iter().map(Entity::to_api_json).collect() };
        let build = |docs: &[LoadedEntity]| -> Catalog {
            let kept = assemble_kept(
                docs.to_vec(),
                Invalid::Keep,
                &Default::default(),
                Some(&memo),
                &mut Vec::new(),
            );
            let clean = assemble(docs.to_vec(), &mut Vec::new());
            assert_eq!(api(&kept), api(&clean));
            kept
        };
        let json_of = |c: &Catalog, name: &str| -> Arc<Map<String, Json>> {
            c.entities
                .iter()
                .find(|e| e.name == name)
                .unwrap()
                .json
                .clone()
        };
        let mut docs = vec![
            with_spec("a", "  owner: team\n  dependsOn: [component:b]\n"),
            with_spec("b", "  owner: team\n"),
        ];
        let first = build(&docs);
        let second = build(&docs);
        for name in ["a", "b"] {
            assert!(
                Arc::ptr_eq(&json_of(&first, name), &json_of(&second, name)),
                "{name}"
            );
        }
        // A location fact the JSON shows (an annotation).
        docs[0].location = "url:https://example.com/a.yaml".into();
        let moved = build(&docs);
        assert!(!Arc::ptr_eq(&json_of(&second, "a"), &json_of(&moved, "a")));
        assert!(Arc::ptr_eq(&json_of(&second, "b"), &json_of(&moved, "b")));
        // A new document (a malformed ref: rejected when relations are derived).
        docs[0] = with_spec("a", "  owner: team\n  dependsOn: ['component:']\n");
        let bad = build(&docs);
        let annotations = |c: &Catalog| json_of(c, "a")["metadata"]["annotations"].clone();
        assert!(annotations(&bad).get(INVALID_ANNOTATION).is_some());
        // The same document, rejected at load time, then accepted: the
        // mark comes and goes while the kept JSON stays unmarked.
        docs[0] = with_spec("a", "  owner: team\n");
        docs[0].rejected = Some(Rejection {
            code: "invalid-entity",
            message: "no".into(),
        });
        assert!(annotations(&build(&docs)).get(INVALID_ANNOTATION).is_some());
        docs[0].rejected = None;
        assert!(annotations(&build(&docs)).get(INVALID_ANNOTATION).is_none());
        assert!(!memo.json.is_empty());
    }

    /// A `kind` entity named `name` whose spec is `spec` (YAML lines),
    /// after `before` (YAML lines at the top of the document).
    fn entity_doc(kind: &str, name: &str, before: &str, spec: &str) -> LoadedEntity {
        let mut entity = loaded("r", "catalog-info.yaml", 1, name);
        let text = format!(
            "{before}apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n{spec}"
        );
        entity.doc = yaml::parse_single(&text, yaml::Budget::default())
            .unwrap()
            .unwrap()
            .into();
        entity.identity.kind = kind.into();
        entity.line_index = Arc::new(LineIndex::new(&text));
        entity.text = text.into();
        entity
    }

    /// `catalog.json` printed entity by entity in runs is the bytes one
    /// serialiser prints for the whole list: no entity, one, and more than
    /// a run of them, with nested and empty values, strings holding line
    /// breaks, quotes and non-ASCII text, and an entity with a `relations`
    /// key of its own; a stop asked for gives up.
    #[test]
    fn catalog_json_printed_in_runs_is_the_whole_lists_bytes() {
        let whole = |catalog: &Catalog| {
            serde_json::to_vec_pretty(&api::Entities(&catalog.entities)).unwrap()
        };
        let empty = assemble(Vec::new(), &mut Vec::new());
        assert_eq!(empty.to_json_pretty(), whole(&empty));
        let mut docs = vec![
            entity_doc(
                "Component",
                "odd",
                "",
                "  type: \"line one\\nline \\\"two\\\"\"\n  lifecycle: été\n  owner: team-a\n  dependsOn: [component:many-7]\n  empty: {}\n  none: []\n  deep: {a: [1, {b: [true, null, 2.5]}]}\n",
            ),
            entity_doc("Group", "team-a", "", "  type: team\n  children: []\n"),
        ];
        let mut with_relations = entity_doc("System", "has-relations", "", "  owner: team-a\n");
        with_relations.text = format!("relations: []\n{}", with_relations.text).into();
        with_relations.doc = yaml::parse_single(&with_relations.text, yaml::Budget::default())
            .unwrap()
            .unwrap()
            .into();
        docs.push(with_relations);
        let one = assemble(vec![docs[0].clone()], &mut Vec::new());
        assert_eq!(one.to_json_pretty(), whole(&one));
        for n in 0..(api::RUN * 2 + 10) {
            docs.push(loaded("r", "many.yaml", n * 5 + 1, &format!("many-{n}")));
        }
        let many = assemble(docs, &mut Vec::new());
        assert!(many.entities.len() > 2 * api::RUN);
        assert!(many.entities.iter().any(|e| !e.relations.is_empty()));
        assert_eq!(many.to_json_pretty(), whole(&many));
        assert_eq!(many.to_json_pretty_until(&|| true), None);
        let asked = std::cell::Cell::new(0);
        let second_run = || {
            asked.set(asked.get() + 1);
            asked.get() > 1
        };
        assert_eq!(many.to_json_pretty_until(&second_run), None);
    }

    /// Assembled with `memo` kept from build to build, after each edit the
    /// relations, rejections and problems equal a clean assembly's: an
    /// unchanged catalog shares the last build's relations, a description
    /// edit too (and reports the edited document's problems at their new
    /// place); a rename, an owner changed, a new entity that makes a
    /// dangling ref resolve, a deleted entity and a case-only rename each
    /// change others' relations, and are not reused.
    #[test]
    fn kept_relations_equal_a_clean_derivation_after_every_edit() {
        let memo = AssembleMemo::default();
        let build = |docs: &[LoadedEntity]| -> Catalog {
            let mut kept_problems = Vec::new();
            let kept = assemble_kept(
                docs.to_vec(),
                Invalid::Keep,
                &Default::default(),
                Some(&memo),
                &mut kept_problems,
            );
            let mut problems = Vec::new();
            let clean = assemble(docs.to_vec(), &mut problems);
            let api =
                |c: &Catalog| -> Vec<Json> { c.entities.iter().map(Entity::to_api_json).collect() };
            assert_eq!(api(&kept), api(&clean));
            assert_eq!(kept_problems, problems);
            for (k, c) in kept.entities.iter().zip(&clean.entities) {
                assert_eq!(k.relations, c.relations, "{}", k.entity_ref);
                assert_eq!(k.rejected, c.rejected, "{}", k.entity_ref);
            }
            kept
        };
        let relations = |c: &Catalog, name: &str| -> Arc<[Relation]> {
            c.entities
                .iter()
                .find(|e| e.name == name)
                .unwrap()
                .relations
                .clone()
        };
        let targets = |c: &Catalog, name: &str| -> Vec<String> {
            relations(c, name)
                .iter()
                .map(|r| format!("{} {}", r.kind, r.target))
                .collect()
        };
        let a = |before: &str, owner: &str| {
            entity_doc(
                "Component",
                "a",
                before,
                &format!("  owner: {owner}\n  dependsOn: [component:b, component:nowhere]\n"),
            )
        };
        let mut docs = vec![
            a("", "team"),
            entity_doc("Component", "b", "", "  owner: team\n"),
            entity_doc("Group", "team", "", "  type: team\n  children: []\n"),
        ];
        let first = build(&docs);
        let again = build(&docs);
        for name in ["a", "b", "team"] {
            assert!(Arc::ptr_eq(
                &relations(&first, name),
                &relations(&again, name)
            ));
        }
        // A new document with the same refs, its lines moved: the relations
        // are the last build's, its problem (the dangling ref) at its new line.
        docs[0] = a("# moved\n# down\n", "team");
        let moved = build(&docs);
        for name in ["a", "b", "team"] {
            assert!(Arc::ptr_eq(
                &relations(&again, name),
                &relations(&moved, name)
            ));
        }
        // b renamed: a's dependsOn dangles, b2 has no dependencyOf.
        docs[1] = entity_doc("Component", "b2", "", "  owner: team\n");
        let renamed = build(&docs);
        assert!(!targets(&renamed, "team").iter().any(|t| t.ends_with("/b")));
        assert!(targets(&renamed, "team").contains(&"ownerOf component:default/b2".to_string()));
        // An owner changed: the team's ownerOf changes.
        docs[0] = a("", "other-team");
        let owner = build(&docs);
        assert!(!targets(&owner, "team").contains(&"ownerOf component:default/a".to_string()));
        // A new entity makes the dangling owner resolve: its ownerOf.
        docs.push(entity_doc(
            "Group",
            "other-team",
            "",
            "  type: team\n  children: []\n",
        ));
        let resolved = build(&docs);
        assert!(
            targets(&resolved, "other-team").contains(&"ownerOf component:default/a".to_string())
        );
        // The entity deleted again, and b back with its name in capitals.
        docs.pop();
        docs[1] = entity_doc("Component", "B", "", "  owner: team\n");
        let capitals = build(&docs);
        assert!(targets(&capitals, "team").contains(&"ownerOf component:default/B".to_string()));
        assert!(targets(&capitals, "B").contains(&"dependencyOf component:default/a".to_string()));
        // Only the spelling changes again: every inverse names it anew.
        docs[1] = entity_doc("Component", "b", "", "  owner: team\n");
        let lower = build(&docs);
        assert!(targets(&lower, "team").contains(&"ownerOf component:default/b".to_string()));
    }
}
