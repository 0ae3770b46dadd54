//! What the browser export keeps of each indexed document until the end
//! of a build.
//!
//! The export numbers documents in `document_order`, files one facet row
//! per entity and writes each document's fragment row (title, URL,
//! breadcrumb, heading, text). A docs section's text is most of that, and
//! a build indexes every section long before the export runs: kept whole,
//! the documents were the largest thing a build held (about 700 bytes of
//! fields per section besides its text). So each docs site's sections are
//! packed into their fragment blocks as the site is indexed, exactly as
//! the export would pack them (`web::pack_run`: a block never holds two
//! entities' sections), and only their rank in the site and the site's
//! shared facts are kept: a few bytes per section.

use super::SearchDoc;
use super::web::PackedBlock;
use std::sync::Arc;

/// A document as the browser export reads it.
#[derive(Clone, Debug)]
pub enum Listed {
    /// Every field at hand (entity documents; sections indexed one by one).
    Whole(Box<SearchDoc>),
    /// A docs section of a site packed when it was indexed ([`list_site`]):
    /// its text is in the site's blocks only.
    Packed { site: Arc<PackedSite>, rank: u32 },
}

/// One docs site's sections (one entity's), packed: what orders and
/// filters them, and their fragment blocks, in `document_order`.
#[derive(Debug)]
pub struct PackedSite {
    pub entity_ref: String,
    pub kind: String,
    pub spec_type: String,
    pub owner: String,
    pub lifecycle: String,
    pub namespace: String,
    /// How many sections the blocks hold.
    pub count: usize,
    pub blocks: Vec<PackedBlock>,
}

impl PackedSite {
    /// A site of `count` sections packed in `blocks`, with the facets of
    /// `first` (every section of a site has its facets: [`packs_with`]).
    fn of(first: &SearchDoc, count: usize, blocks: Vec<PackedBlock>) -> PackedSite {
        PackedSite {
            entity_ref: first.entity_ref.clone(),
            kind: first.kind.clone(),
            spec_type: first.spec_type.clone(),
            owner: first.owner.clone(),
            lifecycle: first.lifecycle.clone(),
            namespace: first.namespace.clone(),
            count,
            blocks,
        }
    }
}

impl Listed {
    /// `document_order`'s key: a packed section sorts by its rank in its
    /// site, which is its place in `document_order` among them.
    pub fn order_key(&self) -> (&str, bool, &str, u32) {
        match self {
            Listed::Whole(d) => {
                super::document_order(&d.entity_ref, d.doc_type, &d.url, d.position)
            }
            Listed::Packed { site, rank } => (&site.entity_ref, true, "", *rank),
        }
    }

    pub fn entity_ref(&self) -> &str {
        match self {
            Listed::Whole(d) => &d.entity_ref,
            Listed::Packed { site, .. } => &site.entity_ref,
        }
    }

    /// Whether this is an entity's own document (not a docs section).
    pub fn is_entity(&self) -> bool {
        match self {
            Listed::Whole(d) => d.doc_type == "entity",
            Listed::Packed { .. } => false,
        }
    }

    /// The whole document, when it was kept whole.
    pub fn whole(&self) -> Option<&SearchDoc> {
        match self {
            Listed::Whole(d) => Some(d),
            Listed::Packed { .. } => None,
        }
    }

    pub fn into_whole(self) -> Option<SearchDoc> {
        match self {
            Listed::Whole(d) => Some(*d),
            Listed::Packed { .. } => None,
        }
    }

    /// Facet values, as the export's `meta.js` lists them (lower-cased,
    /// as the index's filter fields): kind, type, owner, lifecycle,
    /// namespace, tags, level. Docs sections have no tags or level.
    pub fn facets(&self) -> [Vec<String>; 7] {
        match self {
            Listed::Whole(d) => [
                vec![d.kind.to_lowercase()],
                vec![d.spec_type.to_lowercase()],
                vec![d.owner.to_lowercase()],
                vec![d.lifecycle.to_lowercase()],
                vec![d.namespace.to_lowercase()],
                d.tags.iter().map(|t| t.to_lowercase()).collect(),
                vec![d.level.to_lowercase()],
            ],
            Listed::Packed { site, .. } => [
                vec![site.kind.to_lowercase()],
                vec![site.spec_type.to_lowercase()],
                vec![site.owner.to_lowercase()],
                vec![site.lifecycle.to_lowercase()],
                vec![site.namespace.to_lowercase()],
                Vec::new(),
                vec![String::new()],
            ],
        }
    }
}

fn order_key(d: &SearchDoc) -> (&str, bool, &str, u32) {
    super::document_order(&d.entity_ref, d.doc_type, &d.url, d.position)
}

impl From<SearchDoc> for Listed {
    fn from(doc: SearchDoc) -> Listed {
        Listed::Whole(Box::new(doc))
    }
}

/// One docs site's documents, in the order given, listed for the export:
/// packed ([`Listed::Packed`]) when they are docs sections of one entity
/// with the same facets (every site's are: `search::site_documents`), with
/// the fragment blocks the export would write for them; else whole.
pub fn list_site(docs: Vec<SearchDoc>) -> Vec<Listed> {
    list_site_by(docs, super::web::pack_run)
}

/// [`list_site`], the site's sections (in the export's order) packed by
/// `pack` (called only when they can be listed packed).
pub fn list_site_by(
    docs: Vec<SearchDoc>,
    pack: impl FnOnce(&[&SearchDoc]) -> Vec<PackedBlock>,
) -> Vec<Listed> {
    let borrowed: Vec<&SearchDoc> = docs.iter().collect();
    match list_packed_by(&borrowed, pack) {
        Some(listed) => listed,
        None => docs.into_iter().map(Listed::from).collect(),
    }
}

/// [`list_site_by`] of borrowed documents, when they can be listed packed;
/// `None` when they are to be listed whole (which takes them).
pub fn list_packed_by(
    docs: &[&SearchDoc],
    pack: impl FnOnce(&[&SearchDoc]) -> Vec<PackedBlock>,
) -> Option<Vec<Listed>> {
    let Some(first) = docs.first() else {
        return Some(Vec::new());
    };
    if !docs.iter().all(|d| packs_with(first, d)) {
        return None;
    }
    let order = export_order(docs);
    let sorted: Vec<&SearchDoc> = order.iter().map(|i| docs[*i]).collect();
    let blocks = pack(&sorted);
    Some(list_ranked(
        PackedSite::of(first, docs.len(), blocks),
        &ranks_of(&order),
    ))
}

/// A docs site's fragment blocks and each document's rank (in the order
/// given), as [`list_site`] packs and ranks them: what a shard records of
/// a site for `merge` ([`list_ranked`] lists them again there).
pub fn blocks_and_ranks(docs: &[SearchDoc]) -> (Vec<PackedBlock>, Vec<u32>) {
    let order = export_order(docs);
    let sorted: Vec<&SearchDoc> = order.iter().map(|i| &docs[*i]).collect();
    (super::web::pack_run(&sorted), ranks_of(&order))
}

/// A packed site's documents, in the order their `ranks` are given.
pub fn list_ranked(site: impl Into<Arc<PackedSite>>, ranks: &[u32]) -> Vec<Listed> {
    let site = site.into();
    ranks
        .iter()
        .map(|rank| Listed::Packed {
            site: site.clone(),
            rank: *rank,
        })
        .collect()
}

/// Whether `d` can be packed in one site with `first` (a site's first
/// document): a docs section of the same entity with the same facets, and
/// no tags or level (which only entity documents carry).
pub fn packs_with(first: &SearchDoc, d: &SearchDoc) -> bool {
    d.doc_type != "entity"
        && d.entity_ref == first.entity_ref
        && d.kind == first.kind
        && d.spec_type == first.spec_type
        && d.owner == first.owner
        && d.lifecycle == first.lifecycle
        && d.namespace == first.namespace
        && d.tags.is_empty()
        && d.level.is_empty()
}

/// The places of `docs` in the export's order: stable, as the export's
/// sort (equal keys keep the order given).
fn export_order<D: std::borrow::Borrow<SearchDoc>>(docs: &[D]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by(|a, b| order_key(docs[*a].borrow()).cmp(&order_key(docs[*b].borrow())));
    order
}

/// Each document's rank from [`export_order`]'s places.
fn ranks_of(order: &[usize]) -> Vec<u32> {
    let mut ranks = vec![0u32; order.len()];
    for (rank, i) in order.iter().enumerate() {
        ranks[*i] = u32::try_from(rank).unwrap_or(u32::MAX);
    }
    ranks
}

/// The rank [`list_site`] gives each of a site's documents (in the order
/// given): its place in `document_order` among them.
pub fn ranks<'a>(docs: impl Iterator<Item = &'a SearchDoc>) -> Vec<u32> {
    let docs: Vec<&SearchDoc> = docs.collect();
    ranks_of(&export_order(&docs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::index::IndexBuilder;
    use crate::search::web;

    /// [`crate::search::test_doc`] with a longer body, a capitalised kind,
    /// and tags and a level on entity documents (fields packing must keep).
    fn doc(entity: &str, doc_type: &'static str, page: &str, position: u32) -> SearchDoc {
        let of_entity = doc_type == "entity";
        SearchDoc {
            body: format!("Rollback of {entity} {page} {position}, canary first. ").repeat(90),
            kind: "Component".into(),
            tags: if of_entity {
                vec!["Payments".into()]
            } else {
                Vec::new()
            },
            level: if of_entity {
                "Gold".into()
            } else {
                String::new()
            },
            ..crate::search::test_doc(entity, doc_type, page, position)
        }
    }

    /// A site's sections, as `site_documents` gives them: pages in nav
    /// order (not sorted), sections in page order.
    fn site(entity: &str) -> Vec<SearchDoc> {
        let mut docs = Vec::new();
        for page in ["zeta", "guide", "intro"] {
            for position in 0..5 {
                docs.push(doc(entity, "docs", page, position));
            }
        }
        docs
    }

    /// The browser index of the sites and entity documents, indexed with
    /// `add_site` (`packed`) or document by document.
    fn exported(sites: &[Vec<SearchDoc>], packed: bool) -> Result<Vec<OutputFile>, String> {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("index");
        let builder = IndexBuilder::create(&dir).unwrap();
        for site in sites {
            match packed {
                true => builder.add_site(site.clone()),
                false => site.iter().for_each(|d| builder.add(d.clone())),
            }
        }
        for entity in ["beta", "alpha", "gamma"] {
            builder.add(doc(entity, "entity", "", 0));
        }
        let listed = builder.finish_listed().unwrap();
        web::from_index::export_listed(&dir, listed).map_err(|e| e.to_string())
    }

    use crate::output::OutputFile;

    #[test]
    fn sites_packed_as_indexed_export_the_same_files() {
        let sites = [site("gamma"), site("alpha")];
        let whole = exported(&sites, false).unwrap();
        let packed = exported(&sites, true).unwrap();
        assert!(whole.iter().any(|f| f.path.contains("/f/")));
        assert_eq!(packed, whole);
    }

    /// What `merge` lists of a shard's part: every site's sections listed
    /// from the blocks and ranks the shard recorded, facets given apart.
    #[test]
    fn sites_listed_from_recorded_blocks_and_ranks_export_the_same_files() {
        let sites = [site("gamma"), site("alpha")];
        let whole = exported(&sites, false).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("index");
        let builder = IndexBuilder::create(&dir).unwrap();
        let mut listed = Vec::new();
        for site in &sites {
            let (blocks, ranks) = blocks_and_ranks(site);
            let packed = PackedSite::of(&site[0], ranks.len(), blocks);
            listed.extend(list_ranked(packed, &ranks));
            site.iter().for_each(|d| builder.add(d.clone()));
        }
        for entity in ["beta", "alpha", "gamma"] {
            let d = doc(entity, "entity", "", 0);
            listed.push(Listed::from(d.clone()));
            builder.add(d);
        }
        builder.finish().unwrap();
        let recorded = web::from_index::export_listed(&dir, listed).unwrap();
        assert_eq!(recorded, whole);
    }

    /// The browser index made from words counted as documents are
    /// gathered (no tantivy) is the one exported from a tantivy index of
    /// the same documents, byte for byte: sites packed, entity documents
    /// whole, words and fields shared between them.
    #[test]
    fn words_counted_as_gathered_export_the_same_files() {
        let mut sites = vec![site("gamma"), site("alpha")];
        // Unicode, long tokens, a title searched in one section only.
        sites[1][0]
            .body
            .push_str(" Straße ΟΔΥΣΣΕΥΣ İstanbul deploying deployments ");
        sites[1][0].body.push_str(&"x".repeat(45));
        let from_tantivy = exported(&sites, true).unwrap();
        let gathered = crate::search::gather::Gathered::default();
        for site in &sites {
            gathered.add_site(site.clone());
        }
        gathered.add_all(
            ["beta", "alpha", "gamma"]
                .iter()
                .map(|entity| doc(entity, "entity", "", 0))
                .collect(),
        );
        let finished = gathered.finish();
        let mut counted = Vec::new();
        web::export_counted_into(finished.listed, &finished.counted, None, |made| {
            counted.append(made);
            Ok(())
        })
        .unwrap();
        assert!(counted.iter().any(|f| f.path.contains("/p/")));
        assert_eq!(counted, from_tantivy);
    }

    #[test]
    fn a_site_listed_packed_keeps_no_text() {
        let listed = list_site(site("alpha"));
        assert_eq!(listed.len(), 15);
        assert!(listed.iter().all(|l| l.whole().is_none()));
        // Ranks follow the export's order: pages by URL, then sections.
        let ranks: Vec<u32> = listed
            .iter()
            .map(|l| match l {
                Listed::Packed { rank, .. } => *rank,
                Listed::Whole(_) => u32::MAX,
            })
            .collect();
        assert_eq!(&ranks[..6], &[10, 11, 12, 13, 14, 0]);
        // Documents that are not one entity's sections stay whole.
        let mut mixed = site("alpha");
        mixed.push(doc("beta", "docs", "guide", 0));
        assert!(list_site(mixed).iter().all(|l| l.whole().is_some()));
        assert!(list_site(Vec::new()).is_empty());
    }

    /// The export hands its files over in batches as they are made, and
    /// the first batch that cannot be written stops it with the writer's
    /// own message.
    #[test]
    fn the_export_writes_batches_and_stops_at_a_failed_write() {
        let finished = || {
            let gathered = crate::search::gather::Gathered::default();
            gathered.add_site(site("alpha"));
            let entities = ["beta", "alpha", "gamma"].map(|e| doc(e, "entity", "", 0));
            gathered.add_all(entities.to_vec());
            gathered.finish()
        };
        let (mut batches, mut written) = (0, Vec::new());
        let write = |files: &mut Vec<OutputFile>| {
            batches += 1;
            written.append(files);
            Ok(())
        };
        let all = finished();
        web::export_counted_into(all.listed, &all.counted, None, write).unwrap();
        assert!(batches > 1);
        assert_eq!(written, exported(&[site("alpha")], true).unwrap());
        let full = |_: &mut Vec<OutputFile>| Err("No space left on device".to_string());
        let again = finished();
        let stopped = web::export_counted_into(again.listed, &again.counted, None, full);
        match stopped {
            Err(web::ExportError::Write(e)) => assert_eq!(e, "No space left on device"),
            other => panic!("{:?}", other.map(|_| ())),
        }
    }

    /// Two sites of one entity cannot be packed apart and written as one
    /// run: refused, rather than a wrong index written.
    #[test]
    fn one_entitys_sections_packed_twice_are_refused() {
        let mut second = site("alpha");
        for d in &mut second {
            d.url = d.url.replace("docs/alpha/", "docs/alpha/v2/");
        }
        let refused = exported(&[site("alpha"), second.clone()], true).unwrap_err();
        assert!(refused.contains("component:default/alpha"), "{refused}");
        assert!(refused.contains("packed apart"), "{refused}");
        // The same from counted words, in the export's own words.
        let gathered = crate::search::gather::Gathered::default();
        gathered.add_site(site("alpha"));
        gathered.add_site(second);
        let finished = gathered.finish();
        let counted =
            web::export_counted_into(finished.listed, &finished.counted, None, |_| Ok(()));
        match counted {
            Err(web::ExportError::Words(message)) => {
                assert!(message.contains("packed apart"), "{message}");
                assert!(!message.contains("invalid argument"), "{message}");
            }
            other => panic!("{:?}", other.map(|_| ())),
        }
    }
}
