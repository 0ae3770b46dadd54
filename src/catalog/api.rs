//! `catalog.json` serialised from the entities as they are, in exactly the
//! shape and order of [`Catalog::to_json`](super::Catalog::to_json), which
//! builds a copy of every entity first.

use super::Entity;
use super::relations::Relation;
use rayon::prelude::*;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// How many entities are serialised between two asks of `stop` in
/// [`pretty_until`]: a few milliseconds' work.
pub(super) const RUN: usize = 1024;

/// `{"entities": [...]}` exactly as `serde_json::to_vec_pretty` prints
/// [`Entities`], each entity printed on its own (in parallel) and indented
/// to its place, so that `stop` can be asked between runs of [`RUN`]
/// entities (`portico serve` gives up a build's lists for a newer edit's
/// pages); `None` when it says stop. The same bytes as one serialiser:
/// a pretty-printed value's lines are its nesting, and a JSON string holds
/// no raw line break, so indenting every line of an entity printed alone
/// by two levels puts it where the whole list would.
pub(super) fn pretty_until(entities: &[Entity], stop: &dyn Fn() -> bool) -> Option<Vec<u8>> {
    if entities.is_empty() {
        return Some(b"{\n  \"entities\": []\n}".to_vec());
    }
    let mut out = b"{\n  \"entities\": [".to_vec();
    // Every entity is written after a comma; the first one's is dropped.
    let header = out.len();
    for run in entities.chunks(RUN) {
        if stop() {
            return None;
        }
        let printed: Vec<Vec<u8>> = run
            .par_chunks(64)
            .map(|few| {
                let mut placed = Vec::new();
                let mut alone = Vec::new();
                for entity in few {
                    alone.clear();
                    serde_json::to_writer_pretty(&mut alone, &ApiEntity(entity))
                        .unwrap_or_default();
                    placed.extend_from_slice(b",\n    ");
                    for line in alone.split_inclusive(|&b| b == b'\n') {
                        placed.extend_from_slice(line);
                        if line.ends_with(b"\n") {
                            placed.extend_from_slice(b"    ");
                        }
                    }
                }
                placed
            })
            .collect();
        for few in printed {
            let skip = usize::from(out.len() == header);
            out.extend_from_slice(&few[skip..]);
        }
    }
    out.extend_from_slice(b"\n  ]\n}");
    Some(out)
}

/// `{"entities": [...]}` by one serialiser: what [`pretty_until`] is
/// held against.
#[cfg(test)]
pub(super) struct Entities<'a>(pub &'a [Entity]);

/// One entity with its `relations`, where `to_api_json` puts them: in
/// place of a `relations` key the entity already has (a map's insert
/// keeps the key's place), else last.
struct ApiEntity<'a>(&'a Entity);

struct Relations<'a>(&'a [Relation]);

struct ApiRelation<'a>(&'a Relation);

#[cfg(test)]
impl Serialize for Entities<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("entities", &EntityList(self.0))?;
        map.end()
    }
}

#[cfg(test)]
struct EntityList<'a>(&'a [Entity]);

#[cfg(test)]
impl Serialize for EntityList<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(ApiEntity))
    }
}

impl Serialize for ApiEntity<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let entity = self.0;
        let has_relations = entity.json.contains_key("relations");
        let len = entity.json.len() + usize::from(!has_relations);
        let mut map = serializer.serialize_map(Some(len))?;
        for (key, value) in entity.json.iter() {
            if key == "relations" {
                map.serialize_entry(key, &Relations(&entity.relations))?;
            } else {
                map.serialize_entry(key, value)?;
            }
        }
        if !has_relations {
            map.serialize_entry("relations", &Relations(&entity.relations))?;
        }
        map.end()
    }
}

impl Serialize for Relations<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(ApiRelation))
    }
}

impl Serialize for ApiRelation<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("type", self.0.kind)?;
        map.serialize_entry("targetRef", &self.0.target.key())?;
        map.end()
    }
}
