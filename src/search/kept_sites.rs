//! Each docs site's search documents as the build cache keeps them, so a
//! site whose repository nothing changed in makes no search document.
//!
//! A site's documents follow from its repository's docs (kept whole under
//! their key, `docs::repo_cache`) and from its entity as the catalog has
//! it (kind, spec, relations: owner). Under a key of those ([`site_key`])
//! the cache keeps what the search index and the browser export read of
//! them besides their text: each document's hash (`super::document_hash`,
//! in `site_documents`' order: the search key sums them), each one's rank in
//! the site (its place in `document_order` among them), the facets they
//! share, and the key of the site's fragment blocks in the build cache
//! (`web`'s kept runs). A kept site comes back as [`SiteSearch::Kept`]:
//! its documents listed packed (`Listed::Packed`), as a build without the
//! cache lists them, with those blocks, and its words as counted
//! (`terms::RunTerms`) and its block of `documents.bin` (`stored`), so a
//! kept site's documents are never made again.
//!
//! Only sites whose documents are one entity's sections with the same
//! facets are kept (every site's are: `site_documents`); a site whose
//! blocks are not in the cache, or do not hold its documents, is made.

use super::Hashed;
use super::listed::PackedSite;
use super::terms::RunTerms;
use super::web::PackedBlock;
use crate::cache::DiskCache;
use crate::catalog::Catalog;
use crate::docs::DocSiteSummary;
use crate::memo::Key;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What the build cache keeps a site's search documents under.
pub const KIND: &str = "search-site";

/// Bumped when what is kept, or what the documents are made of, changes.
const FORMAT: u32 = 2;

/// A site's search documents as kept.
#[derive(Serialize, Deserialize)]
struct Kept {
    hashes: Vec<u128>,
    ranks: Vec<u32>,
    /// Entity ref, kind, type, owner, lifecycle, namespace.
    facets: [String; 6],
    /// The key of the site's fragment blocks (`web::kept_blocks`).
    run: Key,
    /// The site's words counted (`terms::RunTerms`, encoded), and its
    /// documents' block of `documents.bin` (`stored::block`).
    #[serde(with = "crate::memo::bytes")]
    words: Vec<u8>,
    #[serde(with = "crate::memo::bytes")]
    block: Vec<u8>,
}

/// A docs site's search documents in this build.
pub enum SiteSearch {
    /// Kept: their hashes and ranks, the site packed with its blocks, its
    /// words counted and its documents' block.
    Kept {
        hashes: Vec<u128>,
        ranks: Vec<u32>,
        site: Arc<PackedSite>,
        terms: RunTerms,
        block: Vec<u8>,
    },
    /// Made now (the site changed, or nothing was kept for it).
    Made(Vec<Hashed>),
}

impl SiteSearch {
    /// The sum of the documents' hashes.
    pub fn sum(&self) -> u128 {
        let sum = |hashes: &mut dyn Iterator<Item = u128>| hashes.fold(0u128, u128::wrapping_add);
        match self {
            SiteSearch::Kept { hashes, .. } => sum(&mut hashes.iter().copied()),
            SiteSearch::Made(documents) => sum(&mut documents.iter().map(|d| d.hash)),
        }
    }
}

/// The key of a site's search documents: the key of its repository's docs
/// (which fixes its pages, titles and sections), its folder, and what
/// `site_documents` reads of its entity in the catalog.
pub fn site_key(repo_key: Key, site: &DocSiteSummary, catalog: &Catalog) -> Key {
    let mut key = crate::memo::hasher();
    crate::memo::part(&mut key, KIND.as_bytes());
    key.update(&FORMAT.to_le_bytes());
    key.update(&repo_key.to_le_bytes());
    add_site(&mut key, site, catalog);
    key.digest128()
}

/// Adds to `key` a site's folder and what `site_documents` reads of its
/// entity in the catalog (also the docs' search key's, in `pipeline`).
pub fn add_site(key: &mut xxhash_rust::xxh3::Xxh3, site: &DocSiteSummary, catalog: &Catalog) {
    crate::memo::part(key, site.url.as_bytes());
    crate::memo::part(key, site.entity.to_string().as_bytes());
    match catalog.get(&site.entity) {
        Some(entity) => {
            crate::memo::part(key, entity.kind.as_bytes());
            crate::memo::part(key, entity.namespace.as_bytes());
            crate::memo::part(key, entity.name.as_bytes());
            let json = serde_json::to_vec(&*entity.json).unwrap_or_default();
            crate::memo::part(key, &json);
            crate::memo::part(key, format!("{:?}", entity.relations).as_bytes());
        }
        None => crate::memo::part(key, b"no entity"),
    }
}

/// The site's documents kept under `key`, with their blocks, when the
/// cache holds both whole.
pub fn kept(disk: &DiskCache, key: Key) -> Option<SiteSearch> {
    let kept: Kept = disk
        .get(KIND, key)
        .and_then(|bytes| crate::memo::decode(&bytes))?;
    let count = kept.hashes.len();
    let ranks_are_places = {
        let mut seen = vec![false; count];
        kept.ranks.len() == count
            && kept.ranks.iter().all(|rank| {
                seen.get_mut(*rank as usize)
                    .is_some_and(|seen| !std::mem::replace(seen, true))
            })
    };
    // The words are not decoded whole here: the export decodes, and
    // checks first, only the runs of the segments it encodes again
    // (`web::CountedRuns::check_whole`); the rest, most sites after a page
    // changed, are read for their lengths alone. (Checking every kept
    // site's words was a third of reading them back. The entry's hash
    // already stands for bytes this binary wrote.)
    let terms: RunTerms = crate::memo::decode(&kept.words)?;
    if count == 0 || !ranks_are_places || terms.documents() != count {
        return None;
    }
    let blocks: Vec<PackedBlock> = super::web::kept_blocks(disk, kept.run, count)?;
    let [entity_ref, kind, spec_type, owner, lifecycle, namespace] = kept.facets;
    Some(SiteSearch::Kept {
        hashes: kept.hashes,
        ranks: kept.ranks,
        terms,
        block: kept.block,
        site: Arc::new(PackedSite {
            entity_ref,
            kind,
            spec_type,
            owner,
            lifecycle,
            namespace,
            count,
            blocks,
        }),
    })
}

/// What to keep of a site's documents once their blocks' key is known
/// (after the browser export): `None` when they cannot be listed packed.
pub struct ToKeep {
    hashes: Vec<u128>,
    ranks: Vec<u32>,
    facets: [String; 6],
    words: Vec<u8>,
    block: Vec<u8>,
}

impl ToKeep {
    /// Of a site's documents, in `site_documents`' order, with their
    /// words counted and their documents' block.
    pub fn of(documents: &[Hashed], terms: &RunTerms, block: &[u8]) -> Option<ToKeep> {
        let first = &documents.first()?.doc;
        if !documents
            .iter()
            .all(|d| super::listed::packs_with(first, &d.doc))
        {
            return None;
        }
        Some(ToKeep {
            hashes: documents.iter().map(|d| d.hash).collect(),
            ranks: super::listed::ranks(documents.iter().map(|d| &d.doc)),
            facets: [
                first.entity_ref.clone(),
                first.kind.clone(),
                first.spec_type.clone(),
                first.owner.clone(),
                first.lifecycle.clone(),
                first.namespace.clone(),
            ],
            words: crate::memo::encode(terms)?,
            block: block.to_vec(),
        })
    }

    /// The entity whose docs run these documents are.
    pub fn entity_ref(&self) -> &str {
        &self.facets[0]
    }

    /// Keeps them under `key`, with `run`, the key their blocks are kept
    /// under.
    pub fn keep(self, disk: &DiskCache, key: Key, run: Key) {
        let kept = Kept {
            hashes: self.hashes,
            ranks: self.ranks,
            facets: self.facets,
            run,
            words: self.words,
            block: self.block,
        };
        if let Some(bytes) = crate::memo::encode(&kept) {
            disk.put(KIND, key, &bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::SearchDoc;
    use crate::search::test_doc as doc;

    /// A site's sections as `site_documents` gives them: pages in nav
    /// order (not sorted), sections in page order.
    fn site() -> Vec<Hashed> {
        let mut docs = Vec::new();
        for page in ["zeta", "guide"] {
            for position in 0..3 {
                docs.push(doc("alpha", "docs", page, position));
            }
        }
        crate::search::hashed(docs).1
    }

    /// [`ToKeep::of`] with the documents' words and block made here.
    fn to_keep(docs: &[Hashed]) -> Option<ToKeep> {
        let terms = RunTerms::of(docs.iter().map(|d| &d.doc));
        let block = crate::search::stored::block(docs.iter().map(|d| &d.doc));
        ToKeep::of(docs, &terms, &block)
    }

    /// Blocks for `count` documents, kept under a run key.
    fn blocks(disk: &DiskCache, docs: &[Hashed]) -> Key {
        let sorted: Vec<&SearchDoc> = {
            let mut sorted: Vec<&SearchDoc> = docs.iter().map(|d| &d.doc).collect();
            sorted.sort_by_key(|d| {
                super::super::document_order(&d.entity_ref, d.doc_type, &d.url, d.position)
            });
            sorted
        };
        let packed = super::super::web::pack_run(&sorted);
        let run = 77;
        disk.put(
            "search-fragments",
            run,
            &crate::memo::encode(&packed).unwrap(),
        );
        run
    }

    #[test]
    fn a_kept_site_comes_back_packed_with_the_ranks_the_export_gives() {
        let tmp = tempfile::tempdir().unwrap();
        let disk = DiskCache::open(tmp.path()).unwrap();
        let docs = site();
        let run = blocks(&disk, &docs);
        let keeping = to_keep(&docs).unwrap();
        assert_eq!(keeping.entity_ref(), "component:default/alpha");
        keeping.keep(&disk, 5, run);
        let Some(SiteSearch::Kept {
            hashes,
            ranks,
            site,
            terms,
            block,
        }) = kept(&disk, 5)
        else {
            panic!("kept");
        };
        // The words and the documents' block come back as they were made.
        assert_eq!(terms, RunTerms::of(docs.iter().map(|d| &d.doc)));
        assert_eq!(
            crate::search::stored::read(&crate::search::stored::file(vec![&block])).unwrap(),
            docs.iter().map(|d| d.doc.clone()).collect::<Vec<_>>()
        );
        assert_eq!(hashes, docs.iter().map(|d| d.hash).collect::<Vec<_>>());
        // `guide` sorts before `zeta`: the listed ranks.
        let listed = crate::search::listed::list_site(docs.iter().map(|d| d.doc.clone()).collect());
        let listed_ranks: Vec<u32> = listed
            .iter()
            .map(|l| match l {
                crate::search::listed::Listed::Packed { rank, .. } => *rank,
                crate::search::listed::Listed::Whole(_) => u32::MAX,
            })
            .collect();
        assert_eq!(ranks, listed_ranks);
        assert_eq!(ranks, [3, 4, 5, 0, 1, 2]);
        assert_eq!((site.count, site.owner.as_str()), (6, "team-a"));
        assert_eq!(
            SiteSearch::Made(docs.clone()).sum(),
            SiteSearch::Kept {
                hashes,
                ranks,
                site,
                terms,
                block,
            }
            .sum()
        );
        // Nothing under another key; blocks for another count refused.
        assert!(kept(&disk, 6).is_none());
        to_keep(&docs[..5]).unwrap().keep(&disk, 7, run);
        assert!(kept(&disk, 7).is_none());
    }

    #[test]
    fn only_one_entitys_alike_sections_are_kept() {
        let mut docs = site();
        assert!(to_keep(&[]).is_none());
        docs.push(
            crate::search::hashed(vec![doc("beta", "docs", "guide", 0)])
                .1
                .remove(0),
        );
        assert!(to_keep(&docs).is_none());
        let mut entity = site();
        entity[0].doc.doc_type = "entity";
        assert!(to_keep(&entity).is_none());
        let mut tagged = site();
        tagged[2].doc.tags.push("payments".into());
        assert!(to_keep(&tagged).is_none());
    }
}
