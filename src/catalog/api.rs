//! `catalog.json` serialised from the entities as they are, in exactly the
//! shape and order of [`Catalog::to_json`](super::Catalog::to_json), which
//! builds a copy of every entity first.

use super::Entity;
use super::relations::Relation;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// `{"entities": [...]}`.
pub(super) struct Entities<'a>(pub &'a [Entity]);

/// One entity with its `relations`, where `to_api_json` puts them: in
/// place of a `relations` key the entity already has (a map's insert
/// keeps the key's place), else last.
struct ApiEntity<'a>(&'a Entity);

struct Relations<'a>(&'a [Relation]);

struct ApiRelation<'a>(&'a Relation);

impl Serialize for Entities<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("entities", &EntityList(self.0))?;
        map.end()
    }
}

struct EntityList<'a>(&'a [Entity]);

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
        map.serialize_entry("targetRef", &self.0.target.to_string())?;
        map.end()
    }
}
