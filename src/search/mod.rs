//! Search: one document per entity and one per docs section.
//!
//! A build turns the portal into [`SearchDoc`]s (plain data), counts their
//! words as tantivy's analyser would ([`terms`], [`gather`]) and writes
//! the browser's index from the counts ([`web`]) and every document
//! ([`stored`], `_search/terminal/documents.bin`); nothing is indexed
//! into tantivy then. `portico search` indexes `documents.bin` into
//! tantivy on first use, in the user's cache ([`terminal`], [`index`]),
//! and [`query`] reads it with the ranking rules: title > heading > body, English
//! stemming, the last word as a prefix (as you type), one typo allowed in
//! words of five letters or more, quoted phrases, and kind/owner filters.

pub mod gather;
pub mod index;
pub mod kept_sites;
pub mod listed;
mod open;
pub mod query;
pub mod stored;
pub mod terminal;
pub mod terms;
pub mod web;

use crate::catalog::Catalog;
use crate::docs::DocSiteSummary;

/// Where sites built by earlier Portico builds kept their tantivy index:
/// `portico search` still reads one there (checked as hostile input,
/// `open`). Builds now write `documents.bin` instead.
pub use crate::address::SEARCH_INDEX_DIR as INDEX_DIR;

/// One searchable thing: an entity, or a section of a docs page.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SearchDoc {
    /// `entity` or `docs`.
    pub doc_type: &'static str,
    pub title: String,
    /// Whether `title` is searched in this document: for docs, only in a
    /// page's first section (every section shows the page title, but a
    /// title match should land on the page's top, and stemming the same
    /// title once per section doubles the indexing work).
    pub title_searchable: bool,
    /// The section heading (docs), empty for entities.
    pub heading: String,
    /// `Site › Page › Heading` (docs) or the entity's kind and namespace.
    pub breadcrumb: String,
    pub body: String,
    /// Relative to the site root, with `#anchor` for sections.
    pub url: String,
    pub entity_ref: String,
    /// Lower-case entity kind.
    pub kind: String,
    pub spec_type: String,
    /// Owner's name (the target of `ownedBy`).
    pub owner: String,
    pub lifecycle: String,
    pub tags: Vec<String>,
    pub namespace: String,
    /// The entity's level on the first scorecard, as the catalog lists show
    /// it (`none` below its first level); empty for docs sections and for
    /// entities the scorecard does not apply to. Docs sections are
    /// filtered by their entity's level (`query::search`, `search.js`).
    pub level: String,
    /// What results show, when not `body`: an entity's description, without
    /// the type, lifecycle, owner and tags its body adds for searching.
    pub summary: Option<String>,
    /// The section's place in its page (0 for entities): with `entity_ref`
    /// and the page URL it orders documents the same way in every build.
    pub position: u32,
}

/// The order documents are numbered in for the browser, and the order of
/// equal scores everywhere: an entity, then its docs by page and section.
/// Equal scores are common (the same words in two short sections), and
/// `portico search` and the browser must break them alike.
pub fn document_order<'a>(
    entity_ref: &'a str,
    doc_type: &str,
    url: &'a str,
    position: u32,
) -> (&'a str, bool, &'a str, u32) {
    let page = url.split('#').next().unwrap_or("");
    (entity_ref, doc_type != "entity", page, position)
}

/// A document's hash: every field, xxh3-128. Made once per document per
/// build: summed into the search indexes' key (`output::SearchKey`) and
/// into the kept sites' keys (`kept_sites`), so the same documents in any
/// order give the same keys.
pub fn document_hash(document: &SearchDoc) -> u128 {
    use std::hash::Hash;
    let mut hasher = Hasher128(xxhash_rust::xxh3::Xxh3::new());
    document.hash(&mut hasher);
    hasher.0.digest128()
}

/// Documents with their hashes ([`document_hash`]), and the sum of those.
pub fn hashed(documents: Vec<SearchDoc>) -> (u128, Vec<Hashed>) {
    let mut sum = 0u128;
    let hashed = documents
        .into_iter()
        .map(|doc| {
            let hash = document_hash(&doc);
            sum = sum.wrapping_add(hash);
            Hashed { hash, doc }
        })
        .collect();
    (sum, hashed)
}

/// A document and its [`document_hash`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hashed {
    pub hash: u128,
    pub doc: SearchDoc,
}

/// Feeds `Hash` into a 128-bit xxh3 (std's `Hasher` ends in 64 bits).
struct Hasher128(xxhash_rust::xxh3::Xxh3);

impl std::hash::Hasher for Hasher128 {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        self.0.digest()
    }
}

/// One document per entity, with its level on the first scorecard.
pub fn entity_documents(
    catalog: &Catalog,
    scorecards: &crate::scorecards::Results,
) -> Vec<SearchDoc> {
    let levels = scorecards.first_card_levels();
    let mut docs = Vec::with_capacity(catalog.entities.len());
    for e in &catalog.entities {
        let owner = e
            .relations
            .iter()
            .find(|r| r.kind == "ownedBy")
            .map(|r| r.target.name.clone())
            .unwrap_or_default();
        let tags: Vec<String> = e.metadata()["tags"]
            .as_array()
            .map(|t| {
                t.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let description = e.metadata_str("description").unwrap_or("");
        let mut body = description.to_string();
        let extras = [
            e.spec_str("type"),
            e.spec_str("lifecycle"),
            Some(owner.as_str()),
        ];
        // Tags are searched as words of the entity's text.
        for extra in extras
            .into_iter()
            .flatten()
            .chain(tags.iter().map(String::as_str))
        {
            body.push(' ');
            body.push_str(extra);
        }
        docs.push(SearchDoc {
            doc_type: "entity",
            // As the site shows it: a user's display name, not their login.
            title: e.display_name().to_string(),
            title_searchable: true,
            heading: e.name.clone(),
            breadcrumb: format!("{} · {}", e.kind, e.namespace),
            body,
            url: crate::address::entity_page(&e.entity_ref),
            entity_ref: e.entity_ref.to_string(),
            kind: e.entity_ref.kind.clone(),
            spec_type: e.spec_str("type").unwrap_or("").to_string(),
            owner,
            lifecycle: e.spec_str("lifecycle").unwrap_or("").to_string(),
            tags,
            namespace: e.namespace.clone(),
            summary: Some(description.to_string()),
            level: levels
                .get(e.entity_ref.to_string().as_str())
                .map_or(String::new(), |l| l.to_string()),
            position: 0,
        });
    }
    docs
}

/// One document per section of every page of a docs site: of its latest
/// version, and of its old versions when the site says they are searched
/// (`[docs] search-versions`).
pub fn site_documents(catalog: &Catalog, site: &DocSiteSummary) -> Vec<SearchDoc> {
    let mut docs = Vec::new();
    version_documents(catalog, site, &mut docs);
    if site.versions_searched {
        for old in &site.versions {
            version_documents(catalog, old, &mut docs);
        }
    }
    docs
}

/// What a docs site's search documents take from its entity in the
/// catalog (the rest is the site's own): its `spec.type`, owner (the
/// `ownedBy` relation's target name) and `spec.lifecycle`, empty when
/// absent.
struct EntityFacets {
    spec_type: String,
    owner: String,
    lifecycle: String,
}

impl EntityFacets {
    fn of(catalog: &Catalog, entity: &crate::catalog::entity_ref::EntityRef) -> EntityFacets {
        let entity = catalog.get(entity);
        let spec = |field: &str| {
            entity
                .and_then(|e| e.spec_str(field))
                .unwrap_or("")
                .to_string()
        };
        EntityFacets {
            spec_type: spec("type"),
            owner: entity
                .and_then(|e| e.relations.iter().find(|r| r.kind == "ownedBy"))
                .map(|r| r.target.name.clone())
                .unwrap_or_default(),
            lifecycle: spec("lifecycle"),
        }
    }
}

/// A docs site's sections listed packed from what a shard recorded of
/// them (`shard::part::SiteListing`: the blocks and each document's rank,
/// which depend on the site alone), with the facets `catalog` gives its
/// entity: the [`listed::Listed`]s `listed::list_site` makes of
/// [`site_documents`], without their text.
pub fn list_recorded_site(
    catalog: &Catalog,
    site: &DocSiteSummary,
    blocks: Vec<web::PackedBlock>,
    ranks: &[u32],
) -> Vec<listed::Listed> {
    let facets = EntityFacets::of(catalog, &site.entity);
    let packed = listed::PackedSite {
        entity_ref: site.entity.to_string(),
        kind: site.entity.kind.clone(),
        spec_type: facets.spec_type,
        owner: facets.owner,
        lifecycle: facets.lifecycle,
        namespace: site.entity.namespace.clone(),
        count: ranks.len(),
        blocks,
    };
    listed::list_ranked(packed, ranks)
}

/// One document per section of every page of one version of a docs site.
/// What is the same for every section of the site (its name, its entity)
/// or of a page (its href) is made once; each document's strings are
/// sized and written in one go (a `format!` and a `join` per section were
/// 1 % of a build).
fn version_documents(catalog: &Catalog, site: &DocSiteSummary, docs: &mut Vec<SearchDoc>) {
    let facets = EntityFacets::of(catalog, &site.entity);
    let site_name = match &site.version {
        Some(version) => format!("{} ({version})", site.site_name),
        None => site.site_name.clone(),
    };
    let entity_ref = site.entity.to_string();
    const SEPARATOR: &str = " › ";
    for page in &site.pages {
        // An href: the page's folder is a file name, encoded.
        let page_url = crate::docs::markdown::encode_path(&page.url);
        let page_href_len = site.url.len() + page_url.len() + "index.html".len();
        for (n, section) in page.sections.iter().enumerate() {
            if section.text.trim().is_empty() && section.heading.is_empty() {
                continue;
            }
            let mut url = String::with_capacity(page_href_len + 1 + section.id.len());
            url.push_str(&site.url);
            url.push_str(&page_url);
            url.push_str("index.html");
            if !section.id.is_empty() {
                url.push('#');
                url.push_str(&section.id);
            }
            let own_heading = !section.heading.is_empty() && section.heading != page.title;
            let mut breadcrumb = String::with_capacity(
                site_name.len() + page.title.len() + section.heading.len() + 2 * SEPARATOR.len(),
            );
            breadcrumb.push_str(&site_name);
            breadcrumb.push_str(SEPARATOR);
            breadcrumb.push_str(&page.title);
            if own_heading {
                breadcrumb.push_str(SEPARATOR);
                breadcrumb.push_str(&section.heading);
            }
            docs.push(SearchDoc {
                doc_type: "docs",
                title: page.title.clone(),
                title_searchable: n == 0,
                heading: section.heading.clone(),
                breadcrumb,
                body: section.text.clone(),
                url,
                entity_ref: entity_ref.clone(),
                kind: site.entity.kind.clone(),
                spec_type: facets.spec_type.clone(),
                owner: facets.owner.clone(),
                lifecycle: facets.lifecycle.clone(),
                tags: Vec::new(),
                namespace: site.entity.namespace.clone(),
                // Rendered before scorecards are judged: filtered by
                // the entity document's level instead.
                level: String::new(),
                summary: None,
                position: u32::try_from(n).unwrap_or(u32::MAX),
            });
        }
    }
}

/// A search document for tests: one section of `page` in `entity`'s docs
/// (or, with `doc_type` "entity", the entity's own document).
#[cfg(test)]
pub(crate) fn test_doc(
    entity: &str,
    doc_type: &'static str,
    page: &str,
    position: u32,
) -> SearchDoc {
    SearchDoc {
        doc_type,
        title: format!("{entity} {page}"),
        title_searchable: position == 0,
        heading: format!("Section {position}"),
        breadcrumb: format!("{entity} › {page}"),
        body: format!("Text of {entity} {page} {position}. ").repeat(200),
        url: format!("docs/{entity}/{page}/index.html#s{position}"),
        entity_ref: format!("component:default/{entity}"),
        kind: "component".into(),
        spec_type: "service".into(),
        owner: "team-a".into(),
        lifecycle: "production".into(),
        tags: Vec::new(),
        namespace: "default".into(),
        level: String::new(),
        summary: (doc_type == "entity").then(|| format!("About {entity}")),
        position,
    }
}
