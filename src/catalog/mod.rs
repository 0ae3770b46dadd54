//! The Backstage software catalog, with Backstage's own rules.
//!
//! [`load`] reads one repository's catalog files into entity documents
//! (multi-document YAML, Locations, `$text`/`$json`/`$yaml`, validation);
//! [`assemble`] joins every repository's documents into one [`Catalog`]:
//! duplicates refused, location annotations added, relations derived.

pub mod entity_ref;
mod json;
pub mod kinds;
pub mod load;
pub mod location;
pub mod organisation;
pub mod relations;
pub mod substitute;
pub mod validate;

use crate::diagnostics::{Diagnostic, LineIndex};
use crate::yaml::Node;
use entity_ref::EntityRef;
use load::LoadedEntity;
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

#[derive(Clone, Debug)]
pub struct Entity {
    pub entity_ref: EntityRef,
    /// Kind as written, e.g. `Component`.
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// The entity as Backstage's API returns it, without `relations`.
    pub json: Map<String, Json>,
    pub relations: Vec<Relation>,
    pub source: Source,
    /// The document after substitution, with positions, for later checks.
    pub doc: Node,
}

impl Entity {
    /// The entity with its `relations`, as in Backstage's `/entities`.
    pub fn to_api_json(&self) -> Json {
        let mut json = self.json.clone();
        let relations = self
            .relations
            .iter()
            .map(|r| serde_json::json!({ "type": r.kind, "targetRef": r.target.to_string() }))
            .collect();
        json.insert("relations".into(), Json::Array(relations));
        Json::Object(json)
    }

    pub fn metadata_str(&self, key: &str) -> Option<&str> {
        self.json.get("metadata")?.get(key)?.as_str()
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

/// Every entity of the organisation, sorted by ref.
#[derive(Debug, Default)]
pub struct Catalog {
    pub entities: Vec<Entity>,
    index: HashMap<String, usize>,
    /// Indexes of `entities` by repository name, file and line, so the
    /// entities of a file or folder are found without a scan.
    by_file: Vec<usize>,
}

impl Catalog {
    pub fn get(&self, entity_ref: &EntityRef) -> Option<&Entity> {
        self.index
            .get(&entity_ref.key())
            .map(|&i| &self.entities[i])
    }

    /// `{"entities": [...]}`, the shape of Backstage's `/entities` response body.
    pub fn to_json(&self) -> Json {
        serde_json::json!({ "entities": self.entities.iter().map(Entity::to_api_json).collect::<Vec<_>>() })
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
}

/// Joins loaded documents into the catalog. The first definition of an
/// entity (by repository path, file and line) wins; later ones are errors.
pub fn assemble(loaded: Vec<LoadedEntity>, out: &mut Vec<Diagnostic>) -> Catalog {
    assemble_within(loaded, &std::collections::HashSet::new(), out)
}

/// [`assemble`], with the keys ([`EntityRef::key`]) of entities that exist
/// outside the repositories read (`check --site`): refs to them resolve.
pub fn assemble_within(
    mut loaded: Vec<LoadedEntity>,
    elsewhere: &std::collections::HashSet<String>,
    out: &mut Vec<Diagnostic>,
) -> Catalog {
    loaded
        .sort_by(|a, b| (&a.repo_dir, &a.file, a.doc.pos).cmp(&(&b.repo_dir, &b.file, b.doc.pos)));
    let mut entities: Vec<Entity> = Vec::with_capacity(loaded.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for doc in loaded {
        let id = &doc.identity;
        let entity_ref = EntityRef::new(&id.kind, &id.namespace, &id.name);
        let key = entity_ref.key();
        if let Some(&first) = seen.get(&key) {
            let first = &entities[first].source;
            let first_file = crate::diagnostics::SourceFile {
                repo: &first.repo,
                repo_dir: &first.repo_dir,
                path: &first.file,
                text: "",
                line_index: None,
            };
            let at = doc
                .doc
                .get("metadata")
                .and_then(|m| m.get("name"))
                .map_or(doc.doc.pos, |n| n.pos);
            let file = crate::diagnostics::SourceFile {
                repo: &doc.repo,
                repo_dir: &doc.repo_dir,
                path: &doc.file,
                text: &doc.text,
                line_index: Some(&doc.line_index),
            };
            out.push(
                Diagnostic::error("duplicate-entity", format!(
                    "{entity_ref} is already defined in {}:{}",
                    first_file.display_path(), first.line
                ))
                .with_hint("entity names are unique per kind and namespace, ignoring case; rename one or remove the copy")
                .in_file(&file, at.line, at.column),
            );
            continue;
        }
        seen.insert(key, entities.len());
        entities.push(entity_from(doc, entity_ref));
    }
    entities.sort_by_cached_key(|e| e.entity_ref.key());
    let index: HashMap<String, usize> = entities
        .iter()
        .enumerate()
        .map(|(i, e)| (e.entity_ref.key(), i))
        .collect();
    relations::derive(&mut entities, &index, elsewhere, out);
    let mut by_file: Vec<usize> = (0..entities.len()).collect();
    by_file.sort_by_key(|&i| file_key(&entities[i]));
    Catalog {
        entities,
        index,
        by_file,
    }
}

/// How [`Catalog::in_files_starting_with`] orders entities.
fn file_key(e: &Entity) -> (&str, &str, usize) {
    (&e.source.repo, &e.source.file, e.source.line)
}

fn entity_from(doc: LoadedEntity, entity_ref: EntityRef) -> Entity {
    let mut json = match doc.doc.to_json() {
        Json::Object(map) => map,
        _ => Map::new(),
    };
    // Relations are computed, never taken from the file.
    json.remove("relations");
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
        if let Json::Object(annotations) = annotations {
            annotate(annotations, &doc);
        }
    }
    Entity {
        entity_ref,
        kind: doc.identity.kind,
        namespace: doc.identity.namespace,
        name: doc.identity.name,
        json,
        relations: Vec::new(),
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
    set("backstage.io/source-location", &doc.source_location, false);
    if let Some((view, edit)) = &doc.view_edit {
        set("backstage.io/view-url", view, false);
        set("backstage.io/edit-url", edit, false);
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
            doc,
            lines: line..line + 4,
            repo: repo.into(),
            repo_dir: repo.into(),
            file: file.into(),
            line_index: Arc::new(LineIndex::new(&text)),
            text: text.into(),
            location: String::new(),
            origin: String::new(),
            source_location: String::new(),
            view_edit: None,
            commit: None,
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
}
