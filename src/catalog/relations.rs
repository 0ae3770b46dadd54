//! Relations derived from spec fields, exactly as Backstage's
//! `BuiltinKindsEntityProcessor` emits them: every reference field gives a
//! relation from the entity and its inverse on the target. A target that
//! exists nowhere still gets its relation (Backstage keeps it too) and a
//! warning, so typos in owners and systems surface before they merge.

use super::Entity;
use super::entity_ref::{EntityRef, RefError};
use super::kinds::{RELATION_FIELDS, RelationField};
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::memo::Key;
use crate::yaml::Node;
use rayon::prelude::*;
use std::collections::HashSet;
use std::sync::Arc;

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
    derive_kept(entities, index, elsewhere, None, out);
}

/// The relations of the last build of one process (`portico serve`),
/// handed out again while nothing they come from changed.
///
/// An entity's relations come from its own document's refs (its forward
/// relations) and from every other entity's refs to it (the inverses);
/// which refs resolve, and to which place, depends on which entities
/// there are. So the last build's relations are all reused when the
/// catalog holds the same entities in the same order (refs as spelled,
/// and the same `elsewhere`) and every entity's forward relations are the
/// same: an entity whose document is the same allocation (a kept
/// repository load) with the same kind, namespace and source file keeps
/// its forward relations and problems; any other has them worked out
/// again and compared. Otherwise every relation is derived again.
#[derive(Debug, Default)]
pub struct RelationsMemo {
    last: std::sync::Mutex<Option<Last>>,
}

/// What [`RelationsMemo`] keeps of a build.
#[derive(Debug)]
struct Last {
    /// [`shape_key`] of that build's catalog.
    shape: Key,
    /// Per entity, in the catalog's order.
    entities: Vec<KeptEntity>,
}

#[derive(Debug)]
struct KeptEntity {
    /// Held, so its address is not reused while it is compared.
    doc: Arc<Node>,
    /// [`context_key`]: what else its forward relations and problems read,
    /// with its file's text and lines (held: compared by address).
    context: Key,
    text: Arc<str>,
    line_index: Arc<crate::diagnostics::LineIndex>,
    /// The key of its forward relations ([`forward_key`]).
    forward: Key,
    problems: Vec<Diagnostic>,
    bad_ref: Option<super::Rejection>,
    /// All its relations, sorted.
    relations: Arc<[Relation]>,
}

impl KeptEntity {
    /// Whether `entity`'s forward relations and problems are this one's:
    /// the same document, text and lines (allocations), kind, namespace
    /// and file (`context`).
    fn holds(&self, entity: &Entity, context: Key) -> bool {
        Arc::ptr_eq(&self.doc, &entity.doc)
            && Arc::ptr_eq(&self.text, &entity.source.text)
            && Arc::ptr_eq(&self.line_index, &entity.source.line_index)
            && self.context == context
    }
}

/// [`derive`], reusing the last build's relations from `memo` when
/// nothing they come from changed (see [`RelationsMemo`]).
pub fn derive_kept(
    entities: &mut [Entity],
    index: &super::RefIndex,
    elsewhere: &HashSet<String>,
    memo: Option<&RelationsMemo>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(memo) = memo else {
        let found: Vec<Forward> = entities
            .iter()
            .map(|e| forward(e, index, elsewhere))
            .collect();
        assign(entities, found, out);
        return;
    };
    let shape = shape_key(entities, elsewhere);
    let last = crate::memo::lock(&memo.last).take();
    let kept = last.filter(|l| l.shape == shape && l.entities.len() == entities.len());
    let mut found: Vec<Option<Forward>> = Vec::with_capacity(entities.len());
    let mut same = kept.is_some();
    let contexts: Vec<Key> = entities.par_iter().map(context_key).collect();
    for (i, entity) in entities.iter().enumerate() {
        let last = kept.as_ref().map(|k| &k.entities[i]);
        match last {
            Some(last) if last.holds(entity, contexts[i]) => {
                found.push(None);
            }
            _ => {
                let fresh = forward(entity, index, elsewhere);
                same &= last.is_some_and(|l| l.forward == forward_key(&fresh.relations));
                found.push(Some(fresh));
            }
        }
    }
    let next = match kept {
        Some(kept) if same => reuse(entities, kept, found, contexts, out),
        _ => {
            // Something another entity's relations read changed: all again
            // (the forward relations just worked out are kept).
            let found: Vec<Forward> = entities
                .iter()
                .zip(found)
                .map(|(e, f)| f.unwrap_or_else(|| forward(e, index, elsewhere)))
                .collect();
            let forwards: Vec<Key> = found.iter().map(|f| forward_key(&f.relations)).collect();
            let problems: Vec<Vec<Diagnostic>> = found.iter().map(|f| f.problems.clone()).collect();
            let bad_refs: Vec<Option<super::Rejection>> =
                found.iter().map(|f| f.bad_ref.clone()).collect();
            assign(entities, found, out);
            let entities = entities
                .iter()
                .zip(contexts)
                .zip(forwards.into_iter().zip(problems.into_iter().zip(bad_refs)))
                .map(
                    |((entity, context), (forward, (problems, bad_ref)))| KeptEntity {
                        doc: entity.doc.clone(),
                        context,
                        text: entity.source.text.clone(),
                        line_index: entity.source.line_index.clone(),
                        forward,
                        problems,
                        bad_ref,
                        relations: entity.relations.clone(),
                    },
                )
                .collect();
            Last { shape, entities }
        }
    };
    *crate::memo::lock(&memo.last) = Some(next);
}

/// Every entity's relations, problems and rejection from the last build
/// (`kept`), its problems and rejection worked out again where `found`
/// has them (its forward relations the same as the last build's).
fn reuse(
    entities: &mut [Entity],
    mut kept: Last,
    found: Vec<Option<Forward>>,
    contexts: Vec<Key>,
    out: &mut Vec<Diagnostic>,
) -> Last {
    for (((entity, last), fresh), context) in entities
        .iter_mut()
        .zip(&mut kept.entities)
        .zip(found)
        .zip(contexts)
    {
        if let Some(fresh) = fresh {
            last.doc = entity.doc.clone();
            last.context = context;
            last.text = entity.source.text.clone();
            last.line_index = entity.source.line_index.clone();
            last.problems = fresh.problems;
            last.bad_ref = fresh.bad_ref;
        }
        out.extend(last.problems.iter().cloned());
        if entity.rejected.is_none() {
            entity.rejected = last.bad_ref.clone();
        }
        entity.relations = last.relations.clone();
    }
    kept
}

/// Each entity's relations from its forward relations (`found`, in the
/// catalog's order) and the inverses of everyone's; problems into `out`.
fn assign(entities: &mut [Entity], found: Vec<Forward>, out: &mut Vec<Diagnostic>) {
    let mut all: Vec<Vec<Relation>> = Vec::with_capacity(entities.len());
    let mut inverse: Vec<(usize, Relation)> = Vec::new();
    for (entity, found) in entities.iter_mut().zip(found) {
        out.extend(found.problems);
        inverse.extend(found.inverse.into_iter().map(|(j, kind)| {
            let target = entity.entity_ref.clone();
            (j, Relation { kind, target })
        }));
        all.push(found.relations);
        if entity.rejected.is_none() {
            entity.rejected = found.bad_ref;
        }
    }
    for (j, relation) in inverse {
        all[j].push(relation);
    }
    // One relation per type and target, however the target's case was
    // written (`team-a`, `TEAM-A`), as Backstage stores it once.
    // Each target's key made once (not again for each comparison).
    all.par_iter_mut().for_each(|relations| {
        let mut keyed: Vec<(String, Relation)> =
            relations.drain(..).map(|r| (r.target.key(), r)).collect();
        keyed.sort_by(|(key_a, a), (key_b, b)| {
            (a.kind, key_a, &a.target).cmp(&(b.kind, key_b, &b.target))
        });
        keyed.dedup_by(|(key_a, a), (key_b, b)| a.kind == b.kind && key_a == key_b);
        relations.extend(keyed.into_iter().map(|(_, r)| r));
    });
    for (entity, relations) in entities.iter_mut().zip(all) {
        entity.relations = Arc::from(relations);
    }
}

/// A key of which entities there are, in order (refs as spelled: an
/// inverse relation names its source entity as spelled), and of the
/// refs known elsewhere.
fn shape_key(entities: &[Entity], elsewhere: &HashSet<String>) -> Key {
    let mut key = crate::memo::hasher();
    key.update(&(entities.len() as u64).to_le_bytes());
    for entity in entities {
        let r = &entity.entity_ref;
        for text in [&r.kind, &r.namespace, &r.name] {
            crate::memo::part(&mut key, text.as_bytes());
        }
    }
    let mut elsewhere: Vec<&String> = elsewhere.iter().collect();
    elsewhere.sort_unstable();
    key.update(&(elsewhere.len() as u64).to_le_bytes());
    for known in elsewhere {
        crate::memo::part(&mut key, known.as_bytes());
    }
    key.digest128()
}

/// What an entity's forward relations and problems read besides its
/// document: its kind and namespace (which fields, the refs' default
/// namespace), its source file's place (the problems' place).
/// Hashed at once from one buffer (a streaming hasher per entity was
/// 10 ms of a serve edit for 13,000 entities); each text with its length.
fn context_key(entity: &Entity) -> Key {
    let source = &entity.source;
    let texts = [
        &entity.kind,
        &entity.namespace,
        &source.repo,
        &source.repo_dir,
        &source.file,
    ];
    let mut bytes = Vec::with_capacity(texts.iter().map(|t| t.len() + 8).sum());
    for text in texts {
        bytes.extend_from_slice(&(text.len() as u64).to_le_bytes());
        bytes.extend_from_slice(text.as_bytes());
    }
    xxhash_rust::xxh3::xxh3_128(&bytes)
}

/// A key of an entity's forward relations, as spelled.
fn forward_key(relations: &[Relation]) -> Key {
    let mut key = crate::memo::hasher();
    key.update(&(relations.len() as u64).to_le_bytes());
    for relation in relations {
        crate::memo::part(&mut key, relation.kind.as_bytes());
        let target = &relation.target;
        for text in [&target.kind, &target.namespace, &target.name] {
            crate::memo::part(&mut key, text.as_bytes());
        }
    }
    key.digest128()
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
