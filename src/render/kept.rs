//! The keys of entity pages kept between builds of one process
//! (`portico serve`): a hash of everything a page shows, so an edit draws
//! again only the pages it changes.
//!
//! Also the keys `portico build` records in the site's manifest (with the
//! theme's key: `render::site_carrying`), to carry unchanged pages over.
//!
//! An entity page shows the entity itself (its JSON, relations, source file
//! and commit, the problems in its YAML document, its docs site), the
//! entities it relates to (their names, titles, kinds, types, lifecycles,
//! descriptions: one hop), and what those relate to (two hops: every
//! page's graph can be drawn two hops out; a System's diagram, a Group's
//! members' other groups). Location pages list entities by the files they
//! were read from, not by relations: they are always drawn.

use super::pages::ProblemsByFile;
use crate::catalog::Entity;
use crate::catalog::entity_ref::EntityRef;
use crate::docs::DocSiteSummary;
use crate::memo::{Key, hasher, part};
use crate::portal::Portal;
use rayon::prelude::*;
use std::collections::HashMap;
use xxhash_rust::xxh3::Xxh3;

pub(super) struct EntityKeys<'p> {
    /// Each entity's key with its neighbours': its own key (what its page
    /// shows of it, and what pages relating to it show) and the ref and
    /// own key of every entity it relates to. A page (whose graph shows
    /// two hops) takes its own near key and its neighbours'.
    near: HashMap<&'p EntityRef, Key, foldhash::fast::RandomState>,
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

impl<'p> EntityKeys<'p> {
    pub(super) fn new(
        portal: &'p Portal,
        problems: &ProblemsByFile<'_>,
        docs: &HashMap<&EntityRef, &DocSiteSummary>,
    ) -> EntityKeys<'p> {
        let own: HashMap<&EntityRef, Key, foldhash::fast::RandomState> = portal
            .catalog
            .entities
            .par_iter()
            .map(|e| {
                (
                    &e.entity_ref,
                    own_key(e, problems, docs.get(&e.entity_ref).copied()),
                )
            })
            .collect();
        // Computed once per entity, so a page showing two hops (a Group
        // owning hundreds of entities) costs one lookup per relation, not
        // one per relation of each related entity.
        let near = portal
            .catalog
            .entities
            .par_iter()
            .filter_map(|e| {
                let mut key = hasher();
                key.update(&own.get(&e.entity_ref)?.to_le_bytes());
                for relation in &e.relations {
                    related(&mut key, &own, &relation.target);
                }
                Some((&e.entity_ref, key.digest128()))
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
        EntityKeys {
            near,
            global: global.digest128(),
        }
    }

    /// The key of `entity`'s page, or `None` for a page that is always drawn.
    pub(super) fn page_key(&self, entity: &Entity) -> Option<Key> {
        if entity.entity_ref.kind == "location" {
            return None;
        }
        let mut key = hasher();
        key.update(&self.global.to_le_bytes());
        key.update(&self.near.get(&entity.entity_ref)?.to_le_bytes());
        // Every page's graph can draw two hops out: the neighbours' near
        // keys cover what they relate to.
        for relation in &entity.relations {
            related(&mut key, &self.near, &relation.target);
        }
        Some(key.digest128())
    }
}

/// A related entity's ref and its key in `keys` (zero for a ref to no
/// entity, which pages show as a missing ref).
fn related(
    key: &mut Xxh3,
    keys: &HashMap<&EntityRef, Key, foldhash::fast::RandomState>,
    target: &EntityRef,
) {
    ref_parts(key, target);
    let known = keys.get(target).copied().unwrap_or_default();
    key.update(&known.to_le_bytes());
}

/// A ref's parts, each with its length (no string made for it).
fn ref_parts(key: &mut Xxh3, target: &EntityRef) {
    part(key, target.kind.as_bytes());
    part(key, target.namespace.as_bytes());
    part(key, target.name.as_bytes());
}

/// What a page shows of one entity: its data, relations, source and
/// commit, the problems in its document, its docs site.
fn own_key(entity: &Entity, problems: &ProblemsByFile<'_>, docs: Option<&DocSiteSummary>) -> Key {
    let mut key = hasher();
    ref_parts(&mut key, &entity.entity_ref);
    part(&mut key, entity.kind.as_bytes());
    let _ = serde_json::to_writer(HashWriter(&mut key), &entity.json);
    for relation in &entity.relations {
        part(&mut key, relation.kind.as_bytes());
        ref_parts(&mut key, &relation.target);
    }
    let source = &entity.source;
    part(&mut key, source.repo.as_bytes());
    part(&mut key, source.repo_dir.as_bytes());
    part(&mut key, source.file.as_bytes());
    part(
        &mut key,
        format!("{} {:?} {:?}", source.line, source.lines, source.commit).as_bytes(),
    );
    // The page quotes its document's lines (its problems): the file's text.
    part(&mut key, source.text.as_bytes());
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
                docs.url,
                docs.site_name,
                docs.pages.len()
            )
            .as_bytes(),
        );
    }
    key.digest128()
}
