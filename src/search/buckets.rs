//! The tantivy index of a build with the build cache, made of kept parts.
//!
//! Docs sections are split into [`BUCKETS`] buckets by their entity's ref.
//! Each bucket is indexed on its own, and its segment files are kept in
//! the build cache under the hash of the bucket's documents. A later build
//! indexes only the buckets whose documents changed and adopts the others'
//! segments (`index::adopt`, as `merge` adopts a shard's), so one edited
//! page costs one bucket's indexing. Entity documents (whose levels and
//! descriptions change with the catalog and scorecards, not with a page)
//! are up to [`ENTITY_BUCKETS`] more buckets (by their ref, one per
//! [`ENTITY_BUCKET_DOCUMENTS`]), looked up once scorecards are judged, so
//! one edited entity of a big catalog indexes a quarter of them.
//!
//! A [`Feed`] takes each docs site as soon as it is rendered. A bucket the
//! last build of the same site kept (its key recorded, its entry still in
//! the cache) gathers its documents, to be looked up when all are known; any
//! other bucket (an empty cache, a first build) is indexed as its sites
//! arrive, as a build without the cache indexes, so indexing overlaps
//! rendering. Such a bucket numbers its documents in the order they came,
//! so its kept entry records each one's place in the bucket's sorted order.
//!
//! tantivy sums BM25's statistics over segments when an index is read, and
//! the browser export numbers documents in `document_order`, so the result
//! scores and numbers exactly as one index made in one go.

use super::index::{Adopted, IndexBuilder, adopt};
use super::listed::{Listed, PackedSite};
use super::{Hashed, SearchDoc};
use crate::cache::DiskCache;
use crate::memo::Key;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tantivy::index::SegmentId;

/// How many buckets docs sections are split into: few, so the index has
/// few segments however many repositories there are, and a cold build
/// pays for few indexing threads (each has its own term table and
/// segment: eight cost a cold build about 5 % more CPU on org50 than
/// main's one index); enough that one edit indexes a quarter of the
/// sections again.
pub const BUCKETS: usize = 4;

/// How many buckets entity documents are split into (by their ref): one
/// catalog edit indexes one of them again (about 3,250 documents of the
/// catalog org's 13,000), each kept bucket is a few links and a
/// `meta.json` read. Few, as each indexing thread sizes its term table by
/// its budget: eight buckets of 32 MB cost the catalog org's first build
/// about 110 ms of CPU more than one.
pub const ENTITY_BUCKETS: usize = 4;

/// An entity bucket for every this many entity documents, up to
/// [`ENTITY_BUCKETS`]: a bucket costs about 10 ms of CPU of its own (a
/// writer, a segment, its files kept and adopted), about what indexing a
/// thousand entity documents again costs, so a small catalog (org50's 83
/// entities) is one bucket and the catalog org's 13,000 are four.
pub const ENTITY_BUCKET_DOCUMENTS: usize = 1_000;

/// How many buckets `documents` entity documents are split into.
pub fn entity_bucket_count(documents: usize, per_bucket: usize) -> usize {
    (documents / per_bucket.max(1)).clamp(1, ENTITY_BUCKETS)
}

/// The memory budget of an entity bucket's indexing thread: tantivy's
/// least (`MEMORY_BUDGET_NUM_BYTES_MIN`, 15 MB; entity documents are short).
const ENTITY_BUCKET_MEMORY: usize = 15_000_000;

/// The build cache's kind for a bucket's index files.
pub const KIND: &str = "search-bucket";

/// The build cache's kind for the keys of the buckets a site was last
/// built with (keyed by the site's folder).
const RECORD_KIND: &str = "search-bucket-keys";

/// Memory budget of one bucket's indexing thread (tantivy's arena grows
/// as it fills; a full budget writes a segment and starts another).
/// Small, as tantivy sizes its term table by it: a bigger one costs a
/// cold build more than the few segments a big bucket makes.
const BUCKET_MEMORY: usize = 32_000_000;

/// The file a kept bucket records its documents' order in: for each
/// document by `seq`, its place in the bucket's [`canonical`] order,
/// as little-endian `u32`s (a bucket indexed as its sites arrived numbers
/// them in the order they came). Kept beside the index's files.
const ORDER_FILE: &str = "portico-order";

/// The keys of a site's buckets in its last build (`None`: empty).
type Record = Vec<Option<Key>>;

/// The index made, and what the browser export needs to read it.
pub struct Made {
    /// Every document, entity documents first, then each bucket's: a
    /// segment's `seq` numbers count from its entry in `bases` (0 when
    /// absent) in this list. Kept sites' sections (`Feed::add_kept`) in
    /// buckets taken from the cache are listed packed.
    pub documents: Vec<Listed>,
    pub bases: HashMap<SegmentId, u64>,
    /// Buckets taken from the cache, buckets indexed, and how many of
    /// those were indexed while the docs were rendered.
    pub kept: usize,
    pub indexed: usize,
    pub live: usize,
    /// Entity documents' buckets (those holding any) taken from the
    /// cache, and indexed.
    pub entities: (usize, usize),
    /// The key each docs site indexed as it arrived keeps its fragment
    /// blocks under (by entity ref), as the browser export gives it for
    /// the sites it packs.
    pub runs: super::web::KeptRuns,
}

/// The bucket a docs section goes in: by its entity's ref, so an entity's
/// sections are together and a bucket changes only with its entities.
pub fn bucket_of(entity_ref: &str) -> usize {
    (xxhash_rust::xxh3::xxh3_64(entity_ref.as_bytes()) % BUCKETS as u64) as usize
}

/// The bucket an entity document goes in, by its ref, among `count`
/// ([`entity_bucket_count`]).
pub fn entity_bucket_of(entity_ref: &str, count: usize) -> usize {
    (xxhash_rust::xxh3::xxh3_64(entity_ref.as_bytes()) % count.max(1) as u64) as usize
}

/// The order a bucket's documents are restored and indexed in: by their
/// hashes (`super::document_hash`), ties broken by the rest of the
/// document, so it depends only on the documents; comparing hashes costs
/// far less than comparing their texts.
fn canonical(a: (u128, &SearchDoc), b: (u128, &SearchDoc)) -> std::cmp::Ordering {
    a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1))
}

/// A document gathered for a bucket: whole, or a kept site's section
/// (`Feed::add_kept`), known by its hash and rank only.
enum Item {
    Whole(Box<Hashed>),
    Packed {
        hash: u128,
        site: Arc<PackedSite>,
        rank: u32,
    },
}

impl Item {
    fn hash(&self) -> u128 {
        match self {
            Item::Whole(d) => d.hash,
            Item::Packed { hash, .. } => *hash,
        }
    }

    /// [`canonical`]; a packed section ties only with a document of the
    /// same hash, which is the same document (every field is hashed), so
    /// either order restores the same index.
    fn canonical(a: &Item, b: &Item) -> std::cmp::Ordering {
        match (a, b) {
            (Item::Whole(a), Item::Whole(b)) => canonical((a.hash, &a.doc), (b.hash, &b.doc)),
            _ => a.hash().cmp(&b.hash()),
        }
    }

    fn listed(self) -> Listed {
        match self {
            Item::Whole(d) => Listed::from(d.doc),
            Item::Packed { site, rank, .. } => Listed::Packed { site, rank },
        }
    }
}

/// Makes a kept site's documents again (by the number `Feed::add_kept`
/// was given), for a bucket indexed again.
pub type Remake<'a> = &'a (dyn Fn(usize) -> Result<Vec<Hashed>, String> + Sync);

/// The key of a bucket: how many documents it holds and the sum of their
/// hashes (`super::document_hash`, made once per document: the same
/// hashes sum into the search indexes' key), so it does not depend on the
/// order they came in.
fn key_of(hashes: impl ExactSizeIterator<Item = u128>) -> Key {
    let count = hashes.len() as u64;
    let sum = hashes.fold(0u128, u128::wrapping_add);
    let mut hasher = crate::memo::hasher();
    crate::memo::part(&mut hasher, KIND.as_bytes());
    hasher.update(&count.to_le_bytes());
    hasher.update(&sum.to_le_bytes());
    hasher.digest128()
}

/// The search index of a build with the build cache, fed each docs site
/// as it is rendered ([`Feed::add`]) and made by [`Feed::finish`].
pub struct Feed<'c> {
    /// The index's folder; each bucket is indexed in a folder inside it,
    /// moved in by `adopt`, then removed.
    dir: PathBuf,
    cache: &'c DiskCache,
    /// Where this site's bucket keys are recorded.
    record: Key,
    buckets: Vec<Bucket>,
    /// The keys of the blocks of sites packed as they were indexed.
    runs: Mutex<super::web::KeptRuns>,
    /// [`ENTITY_BUCKET_DOCUMENTS`] (smaller in tests, to split a few).
    entity_documents_per_bucket: usize,
}

struct Bucket {
    folder: PathBuf,
    /// Indexing as its sites arrive: no kept index is expected.
    live: Option<IndexBuilder>,
    /// The hashes of the documents `live` indexed, in their `seq` order.
    live_hashes: Mutex<Vec<u128>>,
    /// Gathered, to be looked up in the cache when all are known.
    gathered: Mutex<Vec<Item>>,
    /// The kept sites among them (`Feed::add_kept`'s numbers and sites).
    kept_sites: Mutex<Vec<(usize, Arc<PackedSite>)>>,
    /// The memory budget of its indexing thread when it is indexed after
    /// gathering.
    memory: usize,
}

impl<'c> Feed<'c> {
    /// A feed for the index in `dir` (created), with the buckets of the
    /// site recorded under `record` in `cache` by its last build: each of
    /// them still kept gathers its documents, every other one is indexed
    /// as they come.
    pub fn open(dir: &Path, cache: &'c DiskCache, record: Key) -> Result<Feed<'c>, String> {
        let last: Option<Record> = cache
            .get(RECORD_KIND, record)
            .and_then(|bytes| crate::memo::decode::<Record>(&bytes))
            .filter(|keys| keys.len() == BUCKETS);
        let buckets = (0..BUCKETS)
            .map(|n| {
                let folder = dir.join(format!("bucket-{n}"));
                let expected = last
                    .as_ref()
                    .is_some_and(|keys| keys[n].is_none_or(|key| cache.holds(KIND, key)));
                let live = if expected {
                    None
                } else {
                    let _ = std::fs::remove_dir_all(&folder);
                    let index = IndexBuilder::create_with(&folder, 1, BUCKET_MEMORY)
                        .map_err(|e| failure("create", &folder, &e))?;
                    Some(index)
                };
                Ok(Bucket {
                    folder,
                    live,
                    live_hashes: Mutex::default(),
                    gathered: Mutex::default(),
                    kept_sites: Mutex::default(),
                    memory: BUCKET_MEMORY,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Feed {
            dir: dir.to_path_buf(),
            cache,
            record,
            buckets,
            runs: Mutex::default(),
            entity_documents_per_bucket: ENTITY_BUCKET_DOCUMENTS,
        })
    }

    /// This feed with an entity bucket for every `documents` entity
    /// documents (tests split a few entities as a big catalog is split).
    #[cfg(test)]
    fn with_entity_documents_per_bucket(mut self, documents: usize) -> Feed<'c> {
        self.entity_documents_per_bucket = documents;
        self
    }

    /// Takes a docs site's documents (from any thread).
    pub fn add(&self, documents: Vec<Hashed>) {
        let mut split: Vec<Vec<Hashed>> = vec![Vec::new(); BUCKETS];
        for d in documents {
            split[bucket_of(&d.doc.entity_ref)].push(d);
        }
        for (bucket, docs) in self.buckets.iter().zip(split) {
            if docs.is_empty() {
                continue;
            }
            match &bucket.live {
                Some(index) => {
                    // Held while the documents are numbered, so the
                    // hashes are in `seq` order too.
                    let mut hashes = crate::memo::lock(&bucket.live_hashes);
                    hashes.extend(docs.iter().map(|d| d.hash));
                    // Packed now, as a build without the cache packs its
                    // sites (only their blocks, ranks and facets kept to
                    // the end), the blocks through the cache.
                    let pack = |sorted: &[&SearchDoc]| {
                        let (blocks, key) = super::web::pack_run_kept(self.cache, sorted);
                        crate::memo::lock(&self.runs).insert(sorted[0].entity_ref.clone(), key);
                        blocks
                    };
                    index.add_site_by(docs.into_iter().map(|d| d.doc).collect(), pack);
                }
                None => {
                    let items = docs.into_iter().map(|d| Item::Whole(Box::new(d)));
                    crate::memo::lock(&bucket.gathered).extend(items);
                }
            }
        }
    }

    /// Whether the bucket of `entity_ref`'s sections gathers them (a kept
    /// index is expected), so a kept site can be added as it is
    /// ([`Feed::add_kept`]); else its documents are indexed as they come
    /// and must be made.
    pub fn gathers(&self, entity_ref: &str) -> bool {
        self.buckets[bucket_of(entity_ref)].live.is_none()
    }

    /// Takes a kept site's sections (one entity's, [`Feed::gathers`]): by
    /// their hashes and ranks, packed in `site`. `number` is what `remake`
    /// is given should the bucket be indexed again.
    pub fn add_kept(&self, number: usize, hashes: &[u128], ranks: &[u32], site: &Arc<PackedSite>) {
        let bucket = &self.buckets[bucket_of(&site.entity_ref)];
        debug_assert!(bucket.live.is_none());
        let items = hashes.iter().zip(ranks).map(|(hash, rank)| Item::Packed {
            hash: *hash,
            site: site.clone(),
            rank: *rank,
        });
        crate::memo::lock(&bucket.gathered).extend(items);
        crate::memo::lock(&bucket.kept_sites).push((number, site.clone()));
    }

    /// Writes the index: `entities` indexed in its folder, then every
    /// bucket's segments adopted (taken from the cache, or indexed).
    pub fn finish(self, entities: Vec<Hashed>, remake: Remake<'_>) -> Result<Made, String> {
        let Feed {
            dir,
            cache,
            record,
            buckets,
            runs,
            entity_documents_per_bucket,
        } = self;
        let mut timer = crate::timings::Timer::new();
        std::fs::create_dir_all(&dir).map_err(|e| failure("create", &dir, &e))?;
        tantivy::Index::create_in_dir(&dir, super::index::schema().0)
            .map_err(|e| failure("create", &dir, &e))?;
        // Entity documents are buckets of their own, looked up when all
        // are known (they change with the catalog and scorecards, not a
        // page).
        let count = entity_bucket_count(entities.len(), entity_documents_per_bucket);
        let mut split: Vec<Vec<Item>> = (0..count).map(|_| Vec::new()).collect();
        for d in entities {
            split[entity_bucket_of(&d.doc.entity_ref, count)].push(Item::Whole(Box::new(d)));
        }
        let entity_buckets: Vec<(Bucket, Finished)> = split
            .into_iter()
            .enumerate()
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|(n, items)| {
                let mut bucket = Bucket {
                    folder: dir.join(format!("bucket-entities-{n}")),
                    live: None,
                    live_hashes: Mutex::default(),
                    gathered: Mutex::new(items),
                    kept_sites: Mutex::default(),
                    memory: ENTITY_BUCKET_MEMORY,
                };
                let finished = bucket.finish(cache, remake)?;
                Ok((bucket, finished))
            })
            .collect::<Result<_, String>>()?;
        let holding = entity_buckets.iter().filter(|(_, f)| !f.docs.is_empty());
        let entities_kept = holding.clone().filter(|(_, f)| f.how == How::Kept).count();
        let entities = (entities_kept, holding.count() - entities_kept);
        timer.lap(&format!(
            "  search: entity documents ({} buckets kept, {} indexed)",
            entities.0, entities.1
        ));
        let made: Vec<(Bucket, Finished)> = buckets
            .into_par_iter()
            .map(|mut bucket| {
                let finished = bucket.finish(cache, remake)?;
                Ok((bucket, finished))
            })
            .collect::<Result<_, String>>()?;
        timer.lap("  search: buckets indexed or read back");
        let keys: Record = made.iter().map(|(_, f)| f.key).collect();
        let docs_buckets = made.iter().filter(|(_, f)| !f.docs.is_empty());
        let count = |how: How| docs_buckets.clone().filter(|(_, f)| f.how == how).count();
        let (kept, live, indexed) = (
            count(How::Kept),
            count(How::Live),
            count(How::Live) + count(How::Indexed),
        );
        // Every bucket's folder goes, an empty live one's too.
        let all_folders: Vec<PathBuf> = entity_buckets
            .iter()
            .chain(&made)
            .map(|(b, _)| b.folder.clone())
            .collect();
        let (folders, made): (Vec<PathBuf>, Vec<Finished>) = entity_buckets
            .into_iter()
            .chain(made)
            .filter(|(_, f)| !f.docs.is_empty())
            .map(|(b, f)| (b.folder, f))
            .unzip();
        let move_in = |name: &str, from: &Path| {
            std::fs::rename(from, dir.join(name)).map_err(|e| failure("write", &dir, &e))
        };
        let others: Vec<&Path> = folders.iter().map(PathBuf::as_path).collect();
        let adopted: Vec<Adopted> = adopt(&dir, &others, &move_in)?;
        timer.lap("  search: segments adopted");
        let mut bases = HashMap::new();
        let mut documents = Vec::with_capacity(made.iter().map(|f| f.docs.len()).sum());
        for (segments, finished) in adopted.into_iter().zip(made) {
            let count: u64 = segments.iter().map(|(_, n)| u64::from(*n)).sum();
            if count != finished.docs.len() as u64 {
                return Err(failure(
                    "write",
                    &dir,
                    &format!(
                        "a bucket holds {count} documents instead of {}",
                        finished.docs.len()
                    ),
                ));
            }
            let base = documents.len() as u64;
            for (id, _) in segments {
                bases.insert(id, base);
            }
            documents.extend(finished.docs);
        }
        for folder in &all_folders {
            let _ = std::fs::remove_dir_all(folder);
        }
        if let Some(bytes) = crate::memo::encode(&keys) {
            cache.put(RECORD_KIND, record, &bytes);
        }
        Ok(Made {
            documents,
            bases,
            kept,
            indexed,
            live,
            entities,
            runs: runs
                .into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        })
    }
}

/// How a bucket's index was made.
#[derive(Clone, Copy, PartialEq, Eq)]
enum How {
    Kept,
    Live,
    Indexed,
}

/// A bucket's index, made in its folder: its documents by `seq`, and its
/// key (`None` when it has no documents).
struct Finished {
    docs: Vec<Listed>,
    key: Option<Key>,
    how: How,
}

impl Bucket {
    /// Makes the bucket's index in its folder: the live one finished and
    /// kept; or the kept one, when the cache holds a whole one for the
    /// gathered documents' key; or else those indexed now and kept.
    fn finish(&mut self, cache: &DiskCache, remake: Remake<'_>) -> Result<Finished, String> {
        let folder = &self.folder;
        if let Some(index) = self.live.take() {
            let docs = index
                .finish_listed()
                .map_err(|e| failure("write", folder, &e))?;
            let hashes = std::mem::take(&mut *crate::memo::lock(&self.live_hashes));
            if docs.is_empty() {
                return Ok(Finished {
                    docs: Vec::new(),
                    key: None,
                    how: How::Live,
                });
            }
            if hashes.len() != docs.len() {
                return Err(failure(
                    "write",
                    folder,
                    &format!("{} documents indexed, {} hashed", docs.len(), hashes.len()),
                ));
            }
            let key = key_of(hashes.iter().copied());
            // [`canonical`] by hashes alone: documents with one hash are
            // the same document (every field is hashed), so their order
            // restores the same index (as `Item::canonical` takes it).
            let mut sorted: Vec<usize> = (0..docs.len()).collect();
            sorted.sort_by_key(|seq| hashes[*seq]);
            let mut order = vec![0u32; docs.len()];
            for (place, seq) in sorted.iter().enumerate() {
                order[*seq] = u32::try_from(place).unwrap_or(u32::MAX);
            }
            keep(cache, key, folder, &order);
            return Ok(Finished {
                docs,
                key: Some(key),
                how: How::Live,
            });
        }
        let mut items = std::mem::take(&mut *crate::memo::lock(&self.gathered));
        let kept_sites = std::mem::take(&mut *crate::memo::lock(&self.kept_sites));
        if items.is_empty() {
            return Ok(Finished {
                docs: Vec::new(),
                key: None,
                how: How::Indexed,
            });
        }
        let key = key_of(items.iter().map(Item::hash));
        items.sort_unstable_by(Item::canonical);
        let items = match cache.get_files(KIND, key) {
            Some(kept) => match restore(folder, kept, items) {
                Ok(docs) => {
                    return Ok(Finished {
                        docs,
                        key: Some(key),
                        how: How::Kept,
                    });
                }
                Err(items) => items,
            },
            None => items,
        };
        // Indexed again: every document whole, kept sites' made again. A
        // kept site made again with the documents it was kept with is
        // still listed packed (its blocks stand for them); else whole.
        let mut packed: HashMap<u128, (Arc<PackedSite>, u32)> = HashMap::new();
        let mut docs: Vec<Hashed> = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Item::Whole(d) => docs.push(*d),
                Item::Packed { hash, site, rank } => {
                    packed.insert(hash, (site, rank));
                }
            }
        }
        for (number, site) in kept_sites {
            let made = remake(number)?;
            let hashes: std::collections::HashSet<u128> = made.iter().map(|d| d.hash).collect();
            let as_kept = made.len() == site.count
                && hashes.len() == made.len()
                && hashes.iter().all(|hash| {
                    packed
                        .get(hash)
                        .is_some_and(|(kept, _)| Arc::ptr_eq(kept, &site))
                });
            if !as_kept {
                packed.retain(|_, (kept, _)| !Arc::ptr_eq(kept, &site));
            }
            docs.extend(made);
        }
        // The key of the documents indexed (a kept site's hashes are theirs).
        let key = key_of(docs.iter().map(|d| d.hash));
        docs.sort_unstable_by(|a, b| canonical((a.hash, &a.doc), (b.hash, &b.doc)));
        let hashes: Vec<u128> = docs.iter().map(|d| d.hash).collect();
        let docs: Vec<SearchDoc> = docs.into_iter().map(|d| d.doc).collect();
        let _ = std::fs::remove_dir_all(folder);
        let index = IndexBuilder::create_with(folder, 1, self.memory)
            .map_err(|e| failure("create", folder, &e))?;
        index.add_all(docs);
        let docs = index.finish().map_err(|e| failure("write", folder, &e))?;
        let order: Vec<u32> = (0..docs.len())
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
            .collect();
        keep(cache, key, folder, &order);
        // By `seq`, which is the order they were added in.
        let docs = docs
            .into_iter()
            .zip(hashes)
            .map(|(doc, hash)| match packed.get(&hash) {
                Some((site, rank)) => Listed::Packed {
                    site: site.clone(),
                    rank: *rank,
                },
                None => Listed::from(doc),
            })
            .collect();
        Ok(Finished {
            docs,
            key: Some(key),
            how: How::Indexed,
        })
    }
}

fn failure(what: &str, dir: &Path, e: &dyn std::fmt::Display) -> String {
    format!("cannot {what} the search index in `{}`: {e}", dir.display())
}

/// Keeps the committed index in `folder` under `key`, with the order of
/// its documents: its files hard-linked into the cache (tantivy never
/// changes a written file: it writes new ones).
fn keep(cache: &DiskCache, key: Key, folder: &Path, order: &[u32]) {
    let bytes: Vec<u8> = order.iter().flat_map(|n| n.to_le_bytes()).collect();
    let Some(mut names) = index_files(folder) else {
        return;
    };
    if std::fs::write(folder.join(ORDER_FILE), bytes).is_err() {
        return;
    }
    names.push(ORDER_FILE.to_string());
    let files: Vec<(String, PathBuf)> = names
        .into_iter()
        .map(|name| {
            let path = folder.join(&name);
            (name, path)
        })
        .collect();
    cache.put_files(KIND, key, &files);
}

/// Puts a kept index (its files in the cache) into `folder`, by hard link,
/// and gives back the bucket's `sorted` documents in its `seq` order;
/// `sorted` back when the kept files are not an index of them with no
/// deletes, in an order that names each once (then the bucket is indexed
/// again).
fn restore(
    folder: &Path,
    files: Vec<(String, PathBuf)>,
    sorted: Vec<Item>,
) -> Result<Vec<Listed>, Vec<Item>> {
    let count = sorted.len();
    let order: Vec<u32> = files
        .iter()
        .find(|(name, _)| name == ORDER_FILE)
        .and_then(|(_, path)| std::fs::read(path).ok())
        .filter(|bytes| bytes.len() == count * 4)
        .map(|bytes| {
            bytes
                .chunks_exact(4)
                .map(|n| u32::from_le_bytes([n[0], n[1], n[2], n[3]]))
                .collect()
        })
        .unwrap_or_default();
    let mut seen = vec![false; count];
    let permutation = order.len() == count
        && order.iter().all(|place| {
            seen.get_mut(*place as usize)
                .is_some_and(|seen| !std::mem::replace(seen, true))
        });
    let index_files = files.iter().filter(|(name, _)| name != ORDER_FILE);
    if !permutation || link_index(folder, index_files, count).is_err() {
        return Err(sorted);
    }
    let mut slots: Vec<Option<Item>> = sorted.into_iter().map(Some).collect();
    Ok(order
        .iter()
        .filter_map(|place| slots[*place as usize].take())
        .map(Item::listed)
        .collect())
}

/// Links kept files into `folder` (copies them where links fail); an error
/// when they are not an index of `count` documents with no deletes.
fn link_index<'f>(
    folder: &Path,
    files: impl Iterator<Item = &'f (String, PathBuf)>,
    count: usize,
) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(folder);
    std::fs::create_dir_all(folder).map_err(|e| e.to_string())?;
    for (name, from) in files {
        let to = folder.join(name);
        if std::fs::hard_link(from, &to).is_err() {
            std::fs::copy(from, &to).map_err(|e| e.to_string())?;
        }
    }
    let index = tantivy::Index::open_in_dir(folder).map_err(|e| e.to_string())?;
    let meta = index.load_metas().map_err(|e| e.to_string())?;
    let whole = meta.segments.iter().all(|m| !m.has_deletes())
        && meta
            .segments
            .iter()
            .map(|m| m.max_doc() as usize)
            .sum::<usize>()
            == count
        && meta
            .list_segment_files()
            .iter()
            .any(|file| folder.join(file).is_file());
    if whole {
        Ok(())
    } else {
        Err("not the bucket's index".into())
    }
}

/// A committed index's file names: its segments' files and `meta.json`.
fn index_files(folder: &Path) -> Option<Vec<String>> {
    let index = tantivy::Index::open_in_dir(folder).ok()?;
    let mut names: Vec<String> = index
        .load_metas()
        .ok()?
        .list_segment_files()
        .into_iter()
        .filter(|file| folder.join(file).is_file())
        .map(|file| file.to_str().map(str::to_string))
        .collect::<Option<_>>()?;
    names.sort();
    names.push("meta.json".into());
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::Value;

    fn section(entity: &str, page: &str, position: u32, body: &str) -> SearchDoc {
        SearchDoc {
            doc_type: "docs",
            title: page.to_string(),
            title_searchable: position == 0,
            heading: String::new(),
            breadcrumb: String::new(),
            body: body.to_string(),
            url: format!("docs/default/component/{entity}/{page}/index.html#s{position}"),
            entity_ref: format!("component:default/{entity}"),
            kind: "component".into(),
            spec_type: String::new(),
            owner: String::new(),
            lifecycle: String::new(),
            tags: Vec::new(),
            namespace: "default".into(),
            level: String::new(),
            summary: None,
            position,
        }
    }

    /// Forty sites of three sections each, a site's documents together.
    fn sites() -> Vec<Vec<SearchDoc>> {
        (0..40)
            .map(|n| {
                let entity = format!("svc{n}");
                (0..3)
                    .map(|p| section(&entity, "guide", p, &format!("text {n} {p}")))
                    .collect()
            })
            .collect()
    }

    fn split(sites: Vec<Vec<SearchDoc>>) -> Vec<Vec<SearchDoc>> {
        let mut buckets = vec![Vec::new(); BUCKETS];
        for d in sites.into_iter().flatten() {
            buckets[bucket_of(&d.entity_ref)].push(d);
        }
        buckets.iter_mut().for_each(|b| b.sort_by(sorted_order));
        buckets
    }

    /// Builds the index in `dir` from `sites`, fed in that order.
    fn build(dir: &Path, cache: &DiskCache, sites: Vec<Vec<SearchDoc>>) -> Made {
        build_with(dir, cache, sites, entities())
    }

    /// [`build`] with these entity documents.
    fn build_with(
        dir: &Path,
        cache: &DiskCache,
        sites: Vec<Vec<SearchDoc>>,
        entities: Vec<SearchDoc>,
    ) -> Made {
        let feed = Feed::open(dir, cache, 1)
            .unwrap()
            .with_entity_documents_per_bucket(1);
        sites
            .iter()
            .for_each(|site| feed.add(super::super::hashed(site.clone()).1));
        let made = feed
            .finish(super::super::hashed(entities).1, &|_| unreachable!())
            .unwrap();
        check_numbers(dir, &made, &sites);
        made
    }

    /// The url of a listed document: a packed section's is its site's
    /// section of that rank (`listed::ranks`), among `sites`.
    fn url_of(listed: &Listed, sites: &[Vec<SearchDoc>]) -> String {
        match listed {
            Listed::Whole(d) => d.url.clone(),
            Listed::Packed { site, rank } => {
                let docs = sites
                    .iter()
                    .find(|docs| docs[0].entity_ref == site.entity_ref)
                    .unwrap();
                let ranks = super::super::listed::ranks(docs.iter());
                let at = ranks.iter().position(|r| r == rank).unwrap();
                docs[at].url.clone()
            }
        }
    }

    /// Every indexed document's `seq`, counted from its segment's base,
    /// names the document with its url: what the browser export relies on.
    fn check_numbers(dir: &Path, made: &Made, sites: &[Vec<SearchDoc>]) {
        let index = tantivy::Index::open_in_dir(dir).unwrap();
        let url = index.schema().get_field("url").unwrap();
        let reader: tantivy::IndexReader = index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()
            .unwrap();
        let searcher = reader.searcher();
        let mut seen = 0;
        for (n, segment) in searcher.segment_readers().iter().enumerate() {
            let seqs = segment.fast_fields().u64("seq").unwrap();
            let base = made.bases.get(&segment.segment_id()).copied().unwrap_or(0);
            for doc in 0..segment.max_doc() {
                let stored: tantivy::TantivyDocument = searcher
                    .doc(tantivy::DocAddress::new(n as u32, doc))
                    .unwrap();
                let stored_url = stored.get_first(url).and_then(|v| v.as_str()).unwrap();
                let seq = base + seqs.first(doc).unwrap();
                assert_eq!(url_of(&made.documents[seq as usize], sites), stored_url);
                seen += 1;
            }
        }
        assert_eq!(seen, made.documents.len());
    }

    /// Twelve entity documents (in several entity buckets).
    fn entities() -> Vec<SearchDoc> {
        (0..12)
            .map(|n| format!("svc{n}"))
            .map(|name| SearchDoc {
                doc_type: "entity",
                url: format!("catalog/default/component/{name}/index.html"),
                ..section(&name, "entity", 0, "an entity's description")
            })
            .collect()
    }

    /// Pages in order, an entity's together.
    fn sorted_order(a: &SearchDoc, b: &SearchDoc) -> std::cmp::Ordering {
        let order = |d| {
            let d: &SearchDoc = d;
            (
                d.entity_ref.clone(),
                d.doc_type != "entity",
                d.url.clone(),
                d.position,
            )
        };
        order(a).cmp(&order(b)).then_with(|| a.cmp(b))
    }

    /// The documents made, every one whole (a packed section as its site
    /// in `sites` has it).
    fn whole(made: &Made, sites: &[Vec<SearchDoc>]) -> Vec<SearchDoc> {
        let all: Vec<&SearchDoc> = sites.iter().flatten().collect();
        let whole = made.documents.iter().map(|listed| match listed {
            Listed::Whole(d) => (**d).clone(),
            Listed::Packed { .. } => {
                let url = url_of(listed, sites);
                (*all.iter().find(|d| d.url == url).unwrap()).clone()
            }
        });
        whole.collect()
    }

    fn sorted(mut documents: Vec<SearchDoc>) -> Vec<SearchDoc> {
        documents.sort_by(sorted_order);
        documents
    }

    #[test]
    fn buckets_and_their_keys_do_not_depend_on_the_order_sites_finished() {
        let mut reversed = sites();
        reversed.reverse();
        let (a, b) = (split(sites()), split(reversed));
        assert_eq!(a, b);
        assert_eq!(
            a.iter().filter(|bucket| !bucket.is_empty()).count(),
            BUCKETS
        );
        // An entity's sections are in one bucket, in page order.
        for bucket in &a {
            for pair in bucket.windows(2) {
                if pair[0].entity_ref == pair[1].entity_ref {
                    assert!(pair[0].position < pair[1].position);
                }
            }
        }
    }

    fn key_of_documents(documents: &[SearchDoc]) -> Key {
        key_of(documents.iter().map(super::super::document_hash))
    }

    #[test]
    fn a_bucket_key_does_not_depend_on_its_documents_order_but_on_each_field() {
        let mut documents: Vec<SearchDoc> = sites().into_iter().flatten().collect();
        let key = key_of_documents(&documents);
        documents.reverse();
        assert_eq!(key_of_documents(&documents), key);
        documents[5].position += 1;
        assert_ne!(key_of_documents(&documents), key);
        documents[5].position -= 1;
        documents.pop();
        assert_ne!(key_of_documents(&documents), key, "one document fewer");
    }

    #[test]
    fn small_catalogs_are_one_entity_bucket_and_big_ones_four() {
        let count = |documents| entity_bucket_count(documents, ENTITY_BUCKET_DOCUMENTS);
        assert_eq!(
            [0, 83, 999, 2_000, 3_999, 13_000, 100_000].map(count),
            [1, 1, 1, 2, 3, 4, 4]
        );
        assert_eq!(entity_bucket_count(12, 1), ENTITY_BUCKETS);
        assert_eq!(
            entity_bucket_count(5, 0),
            ENTITY_BUCKETS,
            "never a division by zero"
        );
        assert_eq!(entity_bucket_of("component:default/a", 1), 0);
    }

    #[test]
    fn a_changed_section_changes_only_its_bucket_key() {
        let before = split(sites());
        let mut edited = sites();
        edited[2][1].body.push_str(" edited");
        let after = split(edited);
        let changed: Vec<usize> = (0..BUCKETS)
            .filter(|n| key_of_documents(&before[*n]) != key_of_documents(&after[*n]))
            .collect();
        assert_eq!(
            changed,
            [bucket_of("component:default/svc2")],
            "only the edited entity's bucket"
        );
    }

    #[test]
    fn a_first_build_indexes_as_sites_come_and_the_next_takes_what_it_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(&tmp.path().join("cache")).unwrap();
        // Sites arrive in an order of their own: the live buckets number
        // their documents in that order.
        let mut shuffled = sites();
        shuffled.reverse();
        shuffled.swap(3, 30);
        let first = build(&tmp.path().join("a"), &cache, shuffled);
        let used = first.indexed;
        assert_eq!((first.kept, first.live, used), (0, BUCKETS, BUCKETS));
        let again = build(&tmp.path().join("b"), &cache, sites());
        assert_eq!((again.kept, again.indexed, again.live), (used, 0, 0));
        let entity_buckets = first.entities.1;
        assert!(entity_buckets > 1, "twelve entities in several buckets");
        assert_eq!(first.entities, (0, entity_buckets));
        assert_eq!(again.entities, (entity_buckets, 0));
        // The live buckets listed their sites packed, as they came.
        assert!(first.documents.iter().any(|d| d.whole().is_none()));
        assert_eq!(
            sorted(whole(&again, &sites())),
            sorted(whole(&first, &sites()))
        );
        let index = tantivy::Index::open_in_dir(tmp.path().join("b")).unwrap();
        // One segment per bucket, the entity documents' included.
        assert_eq!(
            index.load_metas().unwrap().segments.len(),
            used + entity_buckets
        );
        // One site on a new cache: every other bucket live and empty.
        let other = DiskCache::open(&tmp.path().join("other")).unwrap();
        let one = build(&tmp.path().join("one"), &other, sites().split_off(39));
        assert_eq!((one.indexed, one.documents.len()), (1, 3 + 12));
        for dir in ["a", "b", "one"] {
            let left: Vec<PathBuf> = walk(&tmp.path().join(dir))
                .into_iter()
                .filter(|p| p.to_string_lossy().contains("bucket-"))
                .collect();
            assert!(left.is_empty(), "bucket folders removed: {left:?}");
        }

        // One edited section: only its bucket is indexed, after the docs.
        let mut edited = sites();
        edited[2][1].body.push_str(" edited");
        let third = build(&tmp.path().join("c"), &cache, edited);
        assert_eq!((third.kept, third.indexed, third.live), (used - 1, 1, 0));
        assert_eq!(third.entities, (entity_buckets, 0));

        // One entity's document edited: only its entity bucket is indexed
        // again, and the index numbers every document as before.
        let mut entities = entities();
        entities[5].body.push_str(" edited");
        let edited_ref = entities[5].entity_ref.clone();
        let fourth = build_with(&tmp.path().join("d"), &cache, sites(), entities.clone());
        assert_eq!(fourth.entities, (entity_buckets - 1, 1));
        assert_eq!(fourth.indexed, 0);
        let listed = |made: &Made| -> Vec<SearchDoc> {
            made.documents
                .iter()
                .filter_map(|d| d.whole().filter(|d| d.doc_type == "entity").cloned())
                .collect()
        };
        let mut got = listed(&fourth);
        got.sort_by(sorted_order);
        entities.sort_by(sorted_order);
        assert_eq!(got, entities, "the edited document listed, not the old one");
        // The bucket of an entity in another bucket is kept; the edited
        // one's is what changed.
        let others: std::collections::HashSet<usize> = (0..12)
            .map(|n| entity_bucket_of(&format!("component:default/svc{n}"), ENTITY_BUCKETS))
            .filter(|b| *b != entity_bucket_of(&edited_ref, ENTITY_BUCKETS))
            .collect();
        assert_eq!(others.len(), entity_buckets - 1);
    }

    #[test]
    fn a_bucket_whose_kept_index_went_missing_is_indexed_as_its_sites_come() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(&tmp.path().join("cache")).unwrap();
        let first = build(&tmp.path().join("a"), &cache, sites());
        let keys: Record = crate::memo::decode(&cache.get(RECORD_KIND, 1).unwrap()).unwrap();
        let gone = keys.iter().flatten().next().copied().unwrap();
        let path = tmp.path().join("cache");
        let listing = walk(&path)
            .into_iter()
            .find(|p| p.parent().unwrap().ends_with(format!("{gone:032x}")))
            .unwrap();
        std::fs::remove_dir_all(listing.parent().unwrap()).unwrap();
        let again = build(&tmp.path().join("b"), &cache, sites());
        assert_eq!(
            (again.kept, again.indexed, again.live),
            (first.indexed - 1, 1, 1)
        );
    }

    #[test]
    fn a_kept_order_that_is_not_a_permutation_is_not_used() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(&tmp.path().join("cache")).unwrap();
        build(&tmp.path().join("a"), &cache, sites());
        let keys: Record = crate::memo::decode(&cache.get(RECORD_KIND, 1).unwrap()).unwrap();
        // Each bucket kept again, whole, but with a document named twice.
        for (n, key) in keys.iter().flatten().enumerate() {
            let copy = tmp.path().join(format!("copy-{n}"));
            std::fs::create_dir_all(&copy).unwrap();
            let files: Vec<(String, PathBuf)> = cache
                .get_files(KIND, *key)
                .unwrap()
                .into_iter()
                .map(|(name, path)| {
                    let mut bytes = std::fs::read(&path).unwrap();
                    if name == ORDER_FILE {
                        let (first, rest) = bytes.split_at_mut(4);
                        first.copy_from_slice(&rest[..4]);
                    }
                    std::fs::write(copy.join(&name), bytes).unwrap();
                    (name.clone(), copy.join(name))
                })
                .collect();
            cache.put_files(KIND, *key, &files);
        }
        let again = build(&tmp.path().join("b"), &cache, sites());
        assert_eq!(again.kept, 0, "every bucket indexed again");
        assert_eq!(again.documents.len(), 120 + entities().len());
    }

    #[test]
    fn a_kept_bucket_shares_its_files_with_the_cache_by_link() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(&tmp.path().join("cache")).unwrap();
        build(&tmp.path().join("a"), &cache, sites());
        build(&tmp.path().join("b"), &cache, sites());
        let linked = walk(&tmp.path().join("b"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "idx"))
            .filter(|p| std::fs::metadata(p).unwrap().nlink() > 1)
            .count();
        assert!(linked >= BUCKETS, "{linked} segment files linked");
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            if entry.path().is_dir() {
                found.extend(walk(&entry.path()));
            } else {
                found.push(entry.path());
            }
        }
        found
    }

    /// Sites added kept (hashes and ranks only) are listed packed, and
    /// made again only for the bucket indexed again (listed packed still,
    /// being what they were kept as); the index numbers every document as
    /// a build of whole documents does.
    #[test]
    fn kept_sites_are_listed_packed_and_made_again_only_where_indexed() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(&tmp.path().join("cache")).unwrap();
        build(&tmp.path().join("a"), &cache, sites());
        let mut edited = sites();
        edited[7][1].body.push_str(" and more");
        let dir = tmp.path().join("b");
        let feed = Feed::open(&dir, &cache, 1).unwrap();
        let packed: Vec<Arc<PackedSite>> = edited
            .iter()
            .map(|site| {
                Arc::new(PackedSite {
                    entity_ref: site[0].entity_ref.clone(),
                    kind: site[0].kind.clone(),
                    spec_type: String::new(),
                    owner: String::new(),
                    lifecycle: String::new(),
                    namespace: "default".into(),
                    count: site.len(),
                    blocks: Vec::new(),
                })
            })
            .collect();
        for (n, site) in edited.iter().enumerate() {
            let hashed = super::super::hashed(site.clone()).1;
            if n == 7 {
                feed.add(hashed);
                continue;
            }
            assert!(feed.gathers(&site[0].entity_ref));
            let hashes: Vec<u128> = hashed.iter().map(|d| d.hash).collect();
            let ranks = super::super::listed::ranks(site.iter());
            feed.add_kept(n, &hashes, &ranks, &packed[n]);
        }
        // One site of the edited one's bucket is made again otherwise than
        // kept: it is listed whole.
        let edited_bucket = bucket_of(&edited[7][0].entity_ref);
        let odd = (0..edited.len())
            .find(|n| *n != 7 && bucket_of(&edited[*n][0].entity_ref) == edited_bucket)
            .unwrap();
        let remade = Mutex::new(Vec::new());
        let remake = |n: usize| {
            crate::memo::lock(&remade).push(n);
            let mut site = edited[n].clone();
            if n == odd {
                site[0].body.push_str(" changed since");
            }
            Ok(super::super::hashed(site).1)
        };
        let made = feed
            .finish(super::super::hashed(entities()).1, &remake)
            .unwrap();
        assert_eq!((made.kept, made.indexed), (BUCKETS - 1, 1));
        // Made again: the sites in the edited one's bucket, and no other.
        let mut remade = remade.into_inner().unwrap();
        remade.sort_unstable();
        let expected: Vec<usize> = (0..edited.len())
            .filter(|n| *n != 7 && bucket_of(&edited[*n][0].entity_ref) == edited_bucket)
            .collect();
        assert_eq!(remade, expected);
        // Packed: exactly the sections of the sites in kept buckets, each
        // once by rank; the index's `seq` names them.
        check_numbers(&dir, &made, &edited);
        let whole = [&edited[7][0].entity_ref, &edited[odd][0].entity_ref];
        for listed in &made.documents {
            match listed {
                Listed::Whole(d) => {
                    assert!(d.doc_type == "entity" || whole.contains(&&d.entity_ref));
                }
                Listed::Packed { site, .. } => {
                    assert!(packed.iter().any(|p| Arc::ptr_eq(p, site)));
                }
            }
        }
        // Every kept site's sections stay packed, made again or not (as
        // they were kept); the edited site's and the odd one's are whole.
        let packed_count = made
            .documents
            .iter()
            .filter(|d| d.whole().is_none())
            .count();
        let all: usize = edited.iter().map(Vec::len).sum();
        let kept = all - edited[7].len() - edited[odd].len();
        assert_eq!(packed_count, kept);
    }
}
