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
pub fn derive(
    entities: &mut [Entity],
    index: &super::RefIndex,
    elsewhere: &HashSet<String>,
    out: &mut Vec<Diagnostic>,
) {
    let mut inverse: Vec<(usize, Relation)> = Vec::new();
    for entity in entities.iter_mut() {
        let source_ref = entity.entity_ref.clone();
        let mut forward = Vec::new();
        let mut bad_ref = None;
        for field in RELATION_FIELDS
            .iter()
            .filter(|f| f.kinds.contains(&entity.kind.as_str()))
        {
            for (node, text) in field_refs(&entity.doc, field) {
                let report = |d: Diagnostic| {
                    d.in_file(&entity.source_file(), node.pos.line, node.pos.column)
                };
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
                            Diagnostic::error(
                                "invalid-ref",
                                format!("`spec.{}`: {e}", field.field),
                            )
                            .with_hint(hint),
                        );
                        // Backstage's `parseEntityRef` throws here, in
                        // postProcessEntity: the entity is rejected.
                        if bad_ref.is_none() {
                            bad_ref = super::Rejection::first_of(std::slice::from_ref(&d));
                        }
                        out.push(d);
                        continue;
                    }
                };
                match index.get(&target.key()) {
                    Some(&j) => inverse.push((
                        j,
                        Relation {
                            kind: field.inverse,
                            target: source_ref.clone(),
                        },
                    )),
                    None if elsewhere.contains(&target.key()) => {}
                    None => out.push(report(unresolved(field, &target, index, elsewhere))),
                }
                forward.push(Relation {
                    kind: field.relation,
                    target,
                });
            }
        }
        entity.relations.extend(forward);
        if entity.rejected.is_none() {
            entity.rejected = bad_ref;
        }
    }
    for (j, relation) in inverse {
        entities[j].relations.push(relation);
    }
    for entity in entities.iter_mut() {
        entity.relations.sort();
        entity.relations.dedup();
    }
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
