//! Relations derived from spec fields, exactly as Backstage's
//! `BuiltinKindsEntityProcessor` emits them: every reference field gives a
//! relation from the entity and its inverse on the target. A target that
//! exists nowhere still gets its relation (Backstage keeps it too) and a
//! warning, so typos in owners and systems surface before they merge.

use super::Entity;
use super::entity_ref::{EntityRef, RefError};
use super::kinds::{RELATION_FIELDS, RelationField};
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::yaml::Node;
use rayon::prelude::*;
use std::collections::HashSet;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Relation {
    /// `ownedBy`, `partOf`, ...
    pub kind: &'static str,
    pub target: EntityRef,
}

/// Adds every relation to `entities` (both directions) and reports bad refs.
/// A target in `elsewhere` (keys of entities known outside this run, e.g.
/// from a built site's `catalog.json`) exists: its relation is kept
/// without a warning, and without an inverse (that entity is not here).
///
/// Each entity's own relations are worked out one entity at a time (in
/// parallel they cost more CPU than they saved: each thread's allocations
/// of 40,000 refs, freed by another), then the inverses are added and
/// every entity's relations sorted (that in parallel: no allocation).
pub fn derive(
    entities: &mut [Entity],
    index: &super::RefIndex,
    elsewhere: &HashSet<String>,
    out: &mut Vec<Diagnostic>,
) {
    let mut inverse: Vec<(usize, Relation)> = Vec::new();
    for entity in entities.iter_mut() {
        let found = forward(entity, index, elsewhere);
        out.extend(found.problems);
        inverse.extend(found.inverse.into_iter().map(|(j, kind)| {
            let target = entity.entity_ref.clone();
            (j, Relation { kind, target })
        }));
        entity.relations.extend(found.relations);
        if entity.rejected.is_none() {
            entity.rejected = found.bad_ref;
        }
    }
    for (j, relation) in inverse {
        entities[j].relations.push(relation);
    }
    entities.par_iter_mut().for_each(|entity| {
        entity.relations.sort();
        entity.relations.dedup();
    });
}

/// What one entity's spec fields give: its relations, the inverse each
/// gives an entity of this catalog (by its place), its problems, and the
/// rejection a malformed ref brings.
struct Forward {
    relations: Vec<Relation>,
    inverse: Vec<(usize, &'static str)>,
    problems: Vec<Diagnostic>,
    bad_ref: Option<super::Rejection>,
}

fn forward(entity: &Entity, index: &super::RefIndex, elsewhere: &HashSet<String>) -> Forward {
    let mut found = Forward {
        relations: Vec::new(),
        inverse: Vec::new(),
        problems: Vec::new(),
        bad_ref: None,
    };
    // One buffer for every target's lookup key.
    let mut key = String::new();
    for field in RELATION_FIELDS
        .iter()
        .filter(|f| f.kinds.contains(&entity.kind.as_str()))
    {
        for (node, text) in field_refs(&entity.doc, field) {
            let report =
                |d: Diagnostic| d.in_file(&entity.source_file(), node.pos.line, node.pos.column);
            let target = match EntityRef::parse(text, field.default_kind, &entity.namespace) {
                Ok(target) => target,
                Err(e) => {
                    let hint = match e {
                        RefError::MissingKind(_) => {
                            "write the kind, e.g. `component:my-service` or `resource:my-database`"
                        }
                        RefError::Malformed(_) => {
                            "write [<kind>:][<namespace>/]<name> with no empty part"
                        }
                    };
                    let d = report(
                        Diagnostic::error("invalid-ref", format!("`spec.{}`: {e}", field.field))
                            .with_hint(hint),
                    );
                    // Backstage's `parseEntityRef` throws here, in
                    // postProcessEntity: the entity is rejected.
                    if found.bad_ref.is_none() {
                        found.bad_ref = super::Rejection::first_of(std::slice::from_ref(&d));
                    }
                    found.problems.push(d);
                    continue;
                }
            };
            target.write_key(&mut key);
            match index.get(key.as_str()) {
                Some(&j) => found.inverse.push((j, field.inverse)),
                None if elsewhere.contains(key.as_str()) => {}
                None => found
                    .problems
                    .push(report(unresolved(field, &target, index, elsewhere))),
            }
            found.relations.push(Relation {
                kind: field.relation,
                target,
            });
        }
    }
    found
}

/// The string refs written in one spec field, with their nodes.
fn field_refs<'a>(doc: &'a Node, field: &RelationField) -> Vec<(&'a Node, &'a str)> {
    let Some(value) = doc.get("spec").and_then(|s| s.get(field.field)) else {
        return Vec::new();
    };
    let nodes: Vec<&Node> = if field.list {
        value
            .as_seq()
            .map(|items| items.iter().collect())
            .unwrap_or_default()
    } else {
        vec![value]
    };
    nodes
        .into_iter()
        .filter_map(|n| n.as_str().filter(|s| !s.is_empty()).map(|s| (n, s)))
        .collect()
}

fn unresolved(
    field: &RelationField,
    target: &EntityRef,
    index: &super::RefIndex,
    elsewhere: &HashSet<String>,
) -> Diagnostic {
    let d = Diagnostic::warning(
        "unresolved-ref",
        format!(
            "`spec.{}` refers to {target}, which is not in the catalog",
            field.field
        ),
    );
    // The same name under another kind is the usual mistake (a user as owner).
    let other = [
        "group",
        "user",
        "component",
        "api",
        "resource",
        "system",
        "domain",
    ]
    .into_iter()
    .filter(|k| *k != target.kind)
    .map(|k| EntityRef::new(k, &target.namespace, &target.name))
    .find(|r| index.contains_key(&r.key()) || elsewhere.contains(&r.key()));
    match other {
        Some(r) => d.with_hint(format!("did you mean `{r}`?")),
        None => d.with_hint("check the name and namespace, or add the entity to the catalog"),
    }
}

impl Entity {
    pub fn source_file(&self) -> SourceFile<'_> {
        SourceFile {
            repo: &self.source.repo,
            repo_dir: &self.source.repo_dir,
            path: &self.source.file,
            text: &self.source.text,
            line_index: Some(&self.source.line_index),
        }
    }
}
