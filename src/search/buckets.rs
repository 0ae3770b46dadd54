//! The tantivy index of a build with the build cache, made of kept parts.
//!
//! Docs sections are split into [`BUCKETS`] buckets by their entity's ref.
//! Each bucket is indexed on its own into one segment, and that segment's
//! files are kept in the build cache under the hash of the bucket's
//! documents. A later build indexes only the buckets whose documents
//! changed and adopts the others' segments (`index::adopt`, as `merge`
//! adopts a shard's), so one edited page costs one bucket's indexing.
//! Entity documents (whose levels and descriptions change with the
//! catalog and scorecards) are indexed again each time.
//!
//! tantivy sums BM25's statistics over segments when an index is read, and
//! the browser export numbers documents in `document_order`, so the result
//! scores and numbers exactly as one index made in one go.

use super::SearchDoc;
use super::index::{Adopted, IndexBuilder, adopt};
use crate::cache::DiskCache;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tantivy::index::SegmentId;

/// How many buckets docs sections are split into: few, so the index has
/// few segments however many repositories there are; enough that one
/// edit indexes an eighth of the sections again.
pub const BUCKETS: usize = 8;

/// The build cache's kind for a bucket's index files.
pub const KIND: &str = "search-bucket";

/// Memory budget of one bucket's indexing thread (tantivy's arena grows
/// as it fills; a full budget writes a segment and starts another).
/// Small, as tantivy sizes its term table by it: a bigger one costs a
/// cold build more than the few segments a big bucket makes.
const BUCKET_MEMORY: usize = 32_000_000;

/// A bucket's index as kept: its files (`meta.json` among them), by name.
type KeptFiles = Vec<(String, Vec<u8>)>;

/// The index made, and what the browser export needs to read it.
pub struct Made {
    /// Every document, entity documents first, then each bucket's: a
    /// segment's `seq` numbers count from its entry in `bases` (0 when
    /// absent) in this list.
    pub documents: Vec<SearchDoc>,
    pub bases: HashMap<SegmentId, u64>,
    /// Buckets taken from the cache, and buckets indexed.
    pub kept: usize,
    pub indexed: usize,
}

/// The bucket a docs section goes in: by its entity's ref, so an entity's
/// sections are together and a bucket changes only with its entities.
pub fn bucket_of(entity_ref: &str) -> usize {
    (xxhash_rust::xxh3::xxh3_64(entity_ref.as_bytes()) % BUCKETS as u64) as usize
}

/// Splits `documents` into buckets, each in `document_order` (ties broken
/// by the rest of the document), so a bucket's `seq` numbers depend only
/// on its documents.
pub fn split(documents: Vec<SearchDoc>) -> Vec<Vec<SearchDoc>> {
    let mut buckets: Vec<Vec<SearchDoc>> = vec![Vec::new(); BUCKETS];
    for d in documents {
        buckets[bucket_of(&d.entity_ref)].push(d);
    }
    buckets.par_iter_mut().for_each(|bucket| {
        bucket.sort_by(|a, b| {
            super::document_order(&a.entity_ref, a.doc_type, &a.url, a.position)
                .cmp(&super::document_order(
                    &b.entity_ref,
                    b.doc_type,
                    &b.url,
                    b.position,
                ))
                .then_with(|| a.cmp(b))
        });
    });
    buckets
}

/// The key of a bucket: every field of every document, in order.
pub fn key_of(documents: &[SearchDoc]) -> crate::memo::Key {
    use std::hash::Hash;
    let mut hasher = KeyHasher(crate::memo::hasher());
    crate::memo::part(&mut hasher.0, KIND.as_bytes());
    documents.len().hash(&mut hasher);
    documents.iter().for_each(|d| d.hash(&mut hasher));
    hasher.0.digest128()
}

struct KeyHasher(xxhash_rust::xxh3::Xxh3);

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        self.0.digest()
    }
}

/// Writes the index into `dir` (which must not hold one): `entities`
/// indexed there, then each of `buckets` adopted, from the cache when
/// kept under its key, else indexed in a folder of its own and kept.
pub fn make(
    dir: &Path,
    entities: Vec<SearchDoc>,
    buckets: Vec<Vec<SearchDoc>>,
    cache: &DiskCache,
) -> Result<Made, String> {
    let failure = |what: &str, e: &dyn std::fmt::Display| {
        format!("cannot {what} the search index in `{}`: {e}", dir.display())
    };
    let mut timer = crate::timings::Timer::new();
    let index =
        IndexBuilder::create_with(dir, 1, BUCKET_MEMORY).map_err(|e| failure("create", &e))?;
    index.add_all(entities);
    let mut documents = index.finish().map_err(|e| failure("write", &e))?;
    timer.lap("  search: entity documents");
    let buckets: Vec<(usize, Vec<SearchDoc>)> = buckets
        .into_iter()
        .enumerate()
        .filter(|(_, docs)| !docs.is_empty())
        .collect();
    // Each bucket's index in its own folder beside the index's files,
    // moved in by `adopt`, then removed.
    let folders: Vec<PathBuf> = buckets
        .iter()
        .map(|(n, _)| dir.join(format!("bucket-{n}")))
        .collect();
    let made: Vec<(bool, Vec<SearchDoc>)> = buckets
        .into_par_iter()
        .zip(&folders)
        .map(|((_, docs), folder)| bucket_index(folder, docs, cache))
        .collect::<Result<_, String>>()?;
    timer.lap("  search: buckets indexed or read back");
    let move_in = |name: &str, from: &Path| {
        std::fs::rename(from, dir.join(name)).map_err(|e| failure("write", &e))
    };
    let others: Vec<&Path> = folders.iter().map(PathBuf::as_path).collect();
    let adopted: Vec<Adopted> = adopt(dir, &others, &move_in)?;
    for folder in &folders {
        let _ = std::fs::remove_dir_all(folder);
    }
    timer.lap("  search: segments adopted");
    let mut bases = HashMap::new();
    let mut kept = Vec::with_capacity(made.len());
    for (segments, (was_kept, docs)) in adopted.into_iter().zip(made) {
        kept.push(was_kept);
        let indexed: u64 = segments.iter().map(|(_, n)| u64::from(*n)).sum();
        if indexed != docs.len() as u64 {
            return Err(failure(
                "write",
                &format!(
                    "a bucket holds {indexed} documents instead of {}",
                    docs.len()
                ),
            ));
        }
        let base = documents.len() as u64;
        for (id, _) in segments {
            bases.insert(id, base);
        }
        documents.extend(docs);
    }
    let kept_count = kept.iter().filter(|k| **k).count();
    Ok(Made {
        documents,
        bases,
        kept: kept_count,
        indexed: kept.len() - kept_count,
    })
}

/// Puts the index of `docs` in `folder`: the kept one when the cache holds
/// a whole one for their key (true), else indexed and kept (false). Gives
/// the documents back, in their `seq` order.
fn bucket_index(
    folder: &Path,
    docs: Vec<SearchDoc>,
    cache: &DiskCache,
) -> Result<(bool, Vec<SearchDoc>), String> {
    let key = key_of(&docs);
    let failure = |what: &str, e: &dyn std::fmt::Display| {
        format!(
            "cannot {what} the search index in `{}`: {e}",
            folder.display()
        )
    };
    if let Some(files) = cache
        .get(KIND, key)
        .and_then(|bytes| crate::memo::decode::<KeptFiles>(&bytes))
        && restore(folder, &files, docs.len()).is_ok()
    {
        return Ok((true, docs));
    }
    let _ = std::fs::remove_dir_all(folder);
    let index =
        IndexBuilder::create_with(folder, 1, BUCKET_MEMORY).map_err(|e| failure("create", &e))?;
    index.add_all(docs);
    let docs = index.finish().map_err(|e| failure("write", &e))?;
    if let Some(bytes) = files_of(folder).and_then(|files| crate::memo::encode(&files)) {
        cache.put(KIND, key, &bytes);
    }
    Ok((false, docs))
}

/// Writes kept files into `folder`; an error when they are not an index
/// of `count` documents with no deletes (then the bucket is indexed again).
fn restore(folder: &Path, files: &KeptFiles, count: usize) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(folder);
    std::fs::create_dir_all(folder).map_err(|e| e.to_string())?;
    for (name, bytes) in files {
        let plain = !name.is_empty()
            && !name.starts_with('.')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-');
        if !plain {
            return Err(format!("`{name}` is not an index file's name"));
        }
        std::fs::write(folder.join(name), bytes).map_err(|e| e.to_string())?;
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

/// A committed bucket index's files, to keep.
fn files_of(folder: &Path) -> Option<KeptFiles> {
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
    names
        .into_iter()
        .map(|name| {
            let bytes = std::fs::read(folder.join(&name)).ok()?;
            Some((name, bytes))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn documents() -> Vec<SearchDoc> {
        (0..40)
            .flat_map(|n| {
                let entity = format!("svc{n}");
                (0..3).map(move |p| section(&entity, "guide", p, &format!("text {n} {p}")))
            })
            .collect()
    }

    #[test]
    fn buckets_and_their_keys_do_not_depend_on_the_order_sites_finished() {
        let docs = documents();
        let mut reversed = docs.clone();
        reversed.reverse();
        let (a, b) = (split(docs), split(reversed));
        assert_eq!(a, b);
        assert!(a.iter().filter(|bucket| !bucket.is_empty()).count() > 4);
        // An entity's sections are in one bucket, in page order.
        for bucket in &a {
            for pair in bucket.windows(2) {
                if pair[0].entity_ref == pair[1].entity_ref {
                    assert!(pair[0].position < pair[1].position);
                }
            }
        }
    }

    #[test]
    fn a_changed_section_changes_only_its_bucket_key() {
        let before = split(documents());
        let mut docs = documents();
        docs[7].body.push_str(" edited");
        let after = split(docs);
        let changed: Vec<usize> = (0..BUCKETS)
            .filter(|n| key_of(&before[*n]) != key_of(&after[*n]))
            .collect();
        assert_eq!(
            changed,
            [bucket_of("component:default/svc2")],
            "only the edited entity's bucket"
        );
    }

    #[test]
    fn kept_buckets_make_the_index_a_fresh_one_makes() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(&tmp.path().join("cache")).unwrap();
        let first = make(
            &tmp.path().join("a"),
            Vec::new(),
            split(documents()),
            &cache,
        )
        .unwrap();
        assert_eq!((first.kept, first.indexed > 4), (0, true));
        let again = make(
            &tmp.path().join("b"),
            Vec::new(),
            split(documents()),
            &cache,
        )
        .unwrap();
        assert_eq!((again.kept, again.indexed), (first.indexed, 0));
        assert_eq!(again.documents, first.documents);
        // Each kept segment counts from the same place in the documents.
        let bases = |made: &Made| {
            let mut b: Vec<u64> = made.bases.values().copied().collect();
            b.sort_unstable();
            b
        };
        assert_eq!(bases(&first), bases(&again));
        let index = tantivy::Index::open_in_dir(tmp.path().join("b")).unwrap();
        let meta = index.load_metas().unwrap();
        assert_eq!(meta.segments.len(), first.indexed);
        assert!(!tmp.path().join("b/bucket-0").exists(), "folders removed");
    }
}
