//! A segment's postings as the build cache keeps them, so a build where
//! one page changed encodes one segment's postings, not every one.
//!
//! A segment's chunks follow from its documents alone: the words each one
//! counted (its run's `RunTerms`) and its number within the segment. So
//! each segment is kept under a key of those ([`segment_keys`]): its words
//! with their fields (for the dictionary), its chunks' first words (for the
//! dictionary shards to say which chunk holds each word) and its chunk
//! files as written. The one thing a segment's
//! chunks take from the rest of the index is which words the dictionary
//! leaves out of a shard over `MAX_SHARD_WORDS`: a segment is kept only
//! from a build that left none out, and taken only when no shard can reach
//! the cap ([`Segments::take_unless_capped`]).

use super::{CountedRuns, Numbering, SEGMENTS};
use crate::cache::DiskCache;
use crate::memo::Key;
use crate::output::OutputFile;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What the build cache keeps a segment under.
pub(super) const KIND: &str = "search-segment";

/// Bumped when the chunks' format or how they are cut changes.
const FORMAT: u32 = 4;

/// One segment's postings, as kept.
#[derive(Serialize, Deserialize)]
pub struct KeptSegment {
    /// The segment's words, in byte order, each with the fields (bits by
    /// slot) that hold it in the segment.
    pub words: Vec<(String, u8)>,
    /// The first word of each chunk, in order.
    pub firsts: Vec<String>,
    /// Each chunk file's site path and bytes, in order.
    pub files: Vec<(String, ByteList)>,
}

/// A file's bytes, read back in one copy (`memo::bytes`).
#[derive(Serialize, Deserialize)]
pub struct ByteList(#[serde(with = "crate::memo::bytes")] pub Vec<u8>);

impl KeptSegment {
    /// Whether it can stand for segment `segment`: every chunk has a first
    /// word and the file the export names it (`p/<segment>-<n>.js`, in
    /// order), its words and first words are in byte order (they are merged
    /// into the dictionary, and a word's chunk found, in that order), and
    /// no word holds the dictionary's separators.
    fn is_whole(&self, segment: usize) -> bool {
        let plain = |word: &str| !word.is_empty() && !word.contains([',', ';']);
        self.firsts.len() == self.files.len()
            && self
                .files
                .iter()
                .enumerate()
                .all(|(n, (path, _))| *path == format!("{}/p/{segment}-{n}.js", super::WEB_DIR))
            && self.words.windows(2).all(|w| w[0].0 < w[1].0)
            && self.firsts.windows(2).all(|w| w[0] < w[1])
            && self.words.iter().all(|(word, _)| plain(word))
            && self.firsts.iter().all(|word| plain(word))
    }
}

/// Each segment's key in the build cache: the documents' numbers within
/// the segment and what each run of them counted. A run (a docs site, or
/// entity documents) is hashed once; a run can span segments (a build
/// counts entity documents a segment at a time, but a run handed over
/// whole need not be), so its hash enters the key of each segment it has
/// documents in, with which of its documents those are and their numbers.
/// Also gives each run's segments (bit g for segment g), by run.
pub fn segment_keys(counted: &CountedRuns, numbered: &Numbering) -> ([Key; SEGMENTS], Vec<u32>) {
    // For each run: per segment it touches, (its first number there, the
    // run's hash, a hash of its documents' numbers there).
    let touched: Vec<Vec<(usize, u32, u128, u128)>> = counted
        .runs
        .par_iter()
        .map(|(first, run, _)| {
            let content = run.content_hash();
            let mut numbers: [Vec<u8>; SEGMENTS] = Default::default();
            let mut lowest = [u32::MAX; SEGMENTS];
            for document in 0..run.documents() {
                let seq = (*first as usize).saturating_add(document);
                let number = numbered.number_of_seq.get(seq).copied().unwrap_or(0);
                let segment = numbered.segment_of_number(number);
                let local = number - numbered.starts[segment];
                // Which of the run's documents has the number: an entity
                // run's documents can trade segments (a namespace renamed)
                // with the run's words, and every count, the same.
                numbers[segment].extend_from_slice(&(document as u64).to_le_bytes());
                numbers[segment].extend_from_slice(&local.to_le_bytes());
                lowest[segment] = lowest[segment].min(local);
            }
            (0..SEGMENTS)
                .filter(|segment| !numbers[*segment].is_empty())
                .map(|segment| {
                    let of_numbers = xxhash_rust::xxh3::xxh3_128(&numbers[segment]);
                    (segment, lowest[segment], content, of_numbers)
                })
                .collect()
        })
        .collect();
    let run_segments = touched
        .iter()
        .map(|run| {
            run.iter()
                .fold(0, |mask, (segment, ..)| mask | 1 << segment)
        })
        .collect();
    let mut by_segment: [Vec<(u32, u128, u128)>; SEGMENTS] = Default::default();
    for (segment, lowest, content, numbers) in touched.into_iter().flatten() {
        by_segment[segment].push((lowest, content, numbers));
    }
    let keys = std::array::from_fn(|segment| {
        // In the segment's order (runs are gathered in any order).
        let runs = &mut by_segment[segment];
        runs.sort_unstable();
        let mut key = crate::memo::hasher();
        crate::memo::part(&mut key, KIND.as_bytes());
        key.update(&FORMAT.to_le_bytes());
        key.update(&(super::CHUNK_BYTES as u64).to_le_bytes());
        key.update(&(segment as u64).to_le_bytes());
        let count = numbered.starts[segment + 1] - numbered.starts[segment];
        key.update(&count.to_le_bytes());
        for (lowest, content, numbers) in runs.iter() {
            key.update(&lowest.to_le_bytes());
            key.update(&content.to_le_bytes());
            key.update(&numbers.to_le_bytes());
        }
        key.digest128()
    });
    (keys, run_segments)
}

/// The segments an export takes from the build cache, and what it keeps.
pub struct Segments<'a> {
    disk: Option<&'a DiskCache>,
    keys: [Key; SEGMENTS],
    /// Each run's segments (bit g for segment g), by run, as keying them
    /// found (none without a cache).
    run_segments: Vec<u32>,
    /// Each segment taken from the cache, by segment.
    pub kept: [Option<KeptSegment>; SEGMENTS],
}

impl<'a> Segments<'a> {
    /// No cache: every segment is encoded.
    pub fn none() -> Segments<'a> {
        Segments {
            disk: None,
            keys: [0; SEGMENTS],
            run_segments: Vec::new(),
            kept: Default::default(),
        }
    }

    /// The segments `disk` keeps under their keys.
    pub fn look_up(disk: &'a DiskCache, counted: &CountedRuns, numbered: &Numbering) -> Self {
        let (keys, run_segments) = segment_keys(counted, numbered);
        let kept = keys
            .par_iter()
            .enumerate()
            .map(|(segment, key)| {
                disk.get(KIND, *key)
                    .and_then(|bytes| crate::memo::decode::<KeptSegment>(&bytes))
                    .filter(|kept| kept.is_whole(segment))
            })
            .collect::<Vec<_>>();
        let mut kept = kept.into_iter();
        Segments {
            disk: Some(disk),
            keys,
            run_segments,
            kept: std::array::from_fn(|_| kept.next().flatten()),
        }
    }

    /// Gives up every kept segment when a dictionary shard could reach
    /// `cap` words: the kept words, and every word of a run with
    /// documents in a segment to be encoded, counted per shard (an upper
    /// bound: a word in two runs counts twice).
    pub fn take_unless_capped(&mut self, counted: &CountedRuns, cap: usize) {
        if self.kept.iter().all(Option::is_none) {
            return;
        }
        let fresh = self.fresh_mask();
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for kept in self.kept.iter().flatten() {
            for (word, _) in &kept.words {
                *counts.entry(super::shard_prefix(word)).or_default() += 1;
            }
        }
        for ((_, run, _), segments) in counted.runs.iter().zip(&self.run_segments) {
            if segments & fresh != 0 {
                for w in 0..run.word_count() {
                    *counts.entry(super::shard_prefix(run.word(w))).or_default() += 1;
                }
            }
        }
        if counts.values().any(|count| *count > cap) {
            self.kept = Default::default();
        }
    }

    /// Bit g set when segment g is to be encoded (not kept).
    pub fn fresh_mask(&self) -> u32 {
        (0..SEGMENTS)
            .filter(|segment| self.kept[*segment].is_none())
            .fold(0, |mask, segment| mask | 1 << segment)
    }

    /// Each run's segments (bit g for segment g), by run: empty without a
    /// cache.
    pub fn run_segments(&self) -> &[u32] {
        &self.run_segments
    }

    /// How many segments were taken from the cache.
    pub fn taken(&self) -> usize {
        self.kept.iter().flatten().count()
    }

    /// The kept segments' chunk files, but for those `carry` carries over
    /// (most of them: a copy of each, to be hashed and found unchanged,
    /// was most of their cost after one page changed).
    pub fn files(&self, carry: super::Carry<'_>) -> Vec<OutputFile> {
        self.kept
            .iter()
            .flatten()
            .flat_map(|kept| &kept.files)
            .filter(|(path, bytes)| !carry(path, super::hash_of(&[&bytes.0])))
            .map(|(path, bytes)| OutputFile::new(path.clone(), bytes.0.clone()))
            .collect()
    }

    /// Keeps the segments this export encoded (when it left no word out of
    /// the dictionary): each one's words, chunks' first words and files.
    pub fn keep(&self, encoded: Vec<(usize, KeptSegment)>) {
        let Some(disk) = self.disk else { return };
        encoded.par_iter().for_each(|(segment, made)| {
            if let Some(bytes) = crate::memo::encode(made) {
                disk.put(KIND, self.keys[*segment], &bytes);
            }
        });
    }

    /// Whether segments made now are to be kept.
    pub fn keeping(&self) -> bool {
        self.disk.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::listed::Listed;
    use crate::search::terms::RunTerms;

    fn site(entity: &str, pages: u32) -> Vec<crate::search::SearchDoc> {
        (0..pages)
            .map(|n| crate::search::test_doc(entity, "docs", "guide", n))
            .collect()
    }

    /// Each run with the seq of its first document, and every document.
    fn runs_of(sites: &[Vec<crate::search::SearchDoc>]) -> (CountedRuns, Vec<Listed>) {
        let mut listed = Vec::new();
        let mut runs = Vec::new();
        for docs in sites {
            runs.push((listed.len() as u64, RunTerms::of(docs)));
            listed.extend(docs.iter().cloned().map(Listed::from));
        }
        let total = listed.len() as u64;
        (CountedRuns::new(runs, total), listed)
    }

    /// A segment's key changes with its own documents and numbers only.
    #[test]
    fn a_segment_key_follows_its_own_documents() {
        // `component:default/a`, `…/b` and `…/c`: segments 7, 2 and 5
        // (`segments_are_a_fixed_hash_of_the_entity_ref`).
        let (a, b, c) = ("a", "b", "c");
        let keys = |sites: &[Vec<crate::search::SearchDoc>]| {
            let (counted, listed) = runs_of(sites);
            segment_keys(&counted, &super::super::numbering(&listed)).0
        };
        let before = keys(&[site(a, 3), site(b, 2), site(c, 4)]);
        // Each run's segments, found while keying them.
        let (counted, listed) = runs_of(&[site(a, 3), site(b, 2), site(c, 4)]);
        let (_, run_segments) = segment_keys(&counted, &super::super::numbering(&listed));
        assert_eq!(run_segments, [1 << 7, 1 << 2, 1 << 5]);
        // The same sites gathered in another order: the same keys.
        assert_eq!(keys(&[site(c, 4), site(a, 3), site(b, 2)]), before);
        // A page more in b's site: b's segment alone changes.
        let after = keys(&[site(a, 3), site(b, 3), site(c, 4)]);
        let changed: Vec<usize> = (0..SEGMENTS).filter(|g| before[*g] != after[*g]).collect();
        assert_eq!(changed, [2]);
        // A word changed in c's site: c's segment alone.
        let mut edited = site(c, 4);
        edited[1].body.push_str(" rollback");
        let after = keys(&[site(a, 3), site(b, 2), edited]);
        let changed: Vec<usize> = (0..SEGMENTS).filter(|g| before[*g] != after[*g]).collect();
        assert_eq!(changed, [5]);
    }

    /// The browser index of `sites` (one run each, and the entity
    /// documents in one run, as a build gathers them), through `disk`.
    fn export(
        sites: &[Vec<crate::search::SearchDoc>],
        disk: Option<&DiskCache>,
    ) -> Vec<OutputFile> {
        let mut all: Vec<Vec<crate::search::SearchDoc>> = sites.to_vec();
        let entities: Vec<crate::search::SearchDoc> = sites
            .iter()
            .map(|site| {
                let name = site[0].entity_ref.trim_start_matches("component:default/");
                crate::search::test_doc(name, "entity", "", 0)
            })
            .collect();
        all.push(entities);
        let (counted, listed) = runs_of(&all);
        export_runs(&counted, listed, disk)
    }

    /// The export's files of `listed` counted as `counted`, by path.
    fn export_runs(
        counted: &CountedRuns,
        listed: Vec<Listed>,
        disk: Option<&DiskCache>,
    ) -> Vec<OutputFile> {
        let mut files = Vec::new();
        super::super::export_counted_into(listed, counted, disk, |made| {
            files.append(made);
            Ok(())
        })
        .unwrap();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }

    /// Through the cache, an export writes what one without it writes,
    /// encoding again only the segments whose documents changed.
    #[test]
    fn kept_segments_give_the_files_of_an_export_without_them() {
        let tmp = tempfile::tempdir().unwrap();
        let disk = DiskCache::open(tmp.path()).unwrap();
        let names = ["a", "b", "c", "d", "beta"];
        let mut sites: Vec<Vec<crate::search::SearchDoc>> =
            names.iter().map(|n| site(n, 3)).collect();
        let first = export(&sites, Some(&disk));
        assert_eq!(first, export(&sites, None));
        assert_eq!(disk.counts(KIND).0, 0, "nothing was kept yet");
        // Nothing changed: every segment is taken.
        assert_eq!(export(&sites, Some(&disk)), first);
        // (Segments 7, 2, 5, 0 and 6 hold documents; the empty ones are
        // kept too.)
        assert_eq!(disk.counts(KIND).0, SEGMENTS, "every segment taken");
        // One section of c's site changed (a word added, its length too):
        // c's segment is encoded again, the rest are taken, and the files
        // are those of an export without the cache.
        let found = disk.counts(KIND).0;
        sites[2][1].body.push_str(" rollback canary");
        let edited = export(&sites, Some(&disk));
        assert_eq!(edited, export(&sites, None));
        assert_ne!(edited, first);
        assert_eq!(disk.counts(KIND).0 - found, SEGMENTS - 1);
        // A page more in d's site moves the numbers of the documents after
        // it in d's segment (a and c's sites' documents stay as they were).
        sites[3].push(crate::search::test_doc("d", "docs", "zz", 0));
        assert_eq!(export(&sites, Some(&disk)), export(&sites, None));
    }

    /// A kept segment's chunk files that the last site holds as they are
    /// (by length and hash) are carried over, not handed to the writer; a
    /// file held with other bytes is written.
    #[test]
    fn kept_chunk_files_the_last_site_holds_are_carried_over() {
        let tmp = tempfile::tempdir().unwrap();
        let disk = DiskCache::open(tmp.path()).unwrap();
        let mut sites: Vec<Vec<crate::search::SearchDoc>> =
            ["a", "b", "c"].iter().map(|n| site(n, 3)).collect();
        let first = export(&sites, Some(&disk));
        sites[2][1].body.push_str(" rollback canary");
        // The sites and their entity documents, as `export` gathers them.
        let mut all = sites.clone();
        all.push(
            ["a", "b", "c"]
                .iter()
                .map(|n| crate::search::test_doc(n, "entity", "", 0))
                .collect(),
        );
        let (counted, listed) = runs_of(&all);
        let numbered = super::super::numbering(&listed);
        let segments = Segments::look_up(&disk, &counted, &numbered);
        let kept_paths: Vec<String> = segments
            .kept
            .iter()
            .flatten()
            .flat_map(|kept| kept.files.iter().map(|(path, _)| path.clone()))
            .collect();
        assert!(kept_paths.len() >= 2, "{kept_paths:?}");
        let hashes: HashMap<String, super::super::FileHash> = first
            .iter()
            .map(|f| {
                let hash = crate::output::halves(xxhash_rust::xxh3::xxh3_128(&f.bytes));
                (f.path.clone(), (f.bytes.len() as u64, hash))
            })
            .collect();
        // Every file the last site holds as it is, but the first kept one.
        let holds = |path: &str, hash| path != kept_paths[0] && hashes.get(path) == Some(&hash);
        let written: Vec<String> = segments.files(&holds).into_iter().map(|f| f.path).collect();
        assert_eq!(written, [kept_paths[0].clone()]);
        // Nothing held: every kept file is written, with the bytes it had.
        let written = segments.files(&|_, _| false);
        assert_eq!(written.len(), kept_paths.len());
        assert!(written.iter().all(|f| first.contains(f)));
    }

    /// Kept segments are given up when their words and those of the runs to
    /// be encoded could fill a dictionary shard past the cap (which words it
    /// leaves out depends on every segment).
    #[test]
    fn kept_segments_are_given_up_when_a_shard_could_reach_the_cap() {
        let tmp = tempfile::tempdir().unwrap();
        let disk = DiskCache::open(tmp.path()).unwrap();
        let mut sites: Vec<Vec<crate::search::SearchDoc>> =
            ["a", "b"].iter().map(|n| site(n, 2)).collect();
        export(&sites, Some(&disk));
        // `b`'s site changes: `a`'s segment (7) is kept, `b`'s (2) is not.
        sites[1][0].body.push_str(" tally");
        let with_entities = |sites: &[Vec<crate::search::SearchDoc>]| {
            let mut all = sites.to_vec();
            all.push(
                ["a", "b"]
                    .iter()
                    .map(|n| crate::search::test_doc(n, "entity", "", 0))
                    .collect(),
            );
            runs_of(&all)
        };
        let (counted, listed) = with_entities(&sites);
        let numbered = super::super::numbering(&listed);
        let looked_up = || Segments::look_up(&disk, &counted, &numbered);
        let mut segments = looked_up();
        assert!(segments.kept[7].is_some() && segments.kept[2].is_none());
        // Far under the cap: kept. Words of `te…` (`text`, `team`, `tally`):
        // a cap of 1 could be reached, so nothing is kept.
        segments.take_unless_capped(&counted, 1_000);
        assert!(segments.kept[7].is_some());
        let mut segments = looked_up();
        segments.take_unless_capped(&counted, 1);
        assert_eq!(segments.taken(), 0);
        assert_eq!(segments.fresh_mask(), (1 << SEGMENTS) - 1);
    }

    /// An entity run whose documents trade segments, with the same words
    /// and counts (two refs swapped: a namespace renamed moves entities so),
    /// gives both segments new keys (found by a review: the keys covered
    /// the numbers, not which documents had them).
    #[test]
    fn documents_trading_segments_change_both_keys() {
        let export_two = |refs: [&str; 2], disk: Option<&DiskCache>| {
            let mut docs = vec![
                crate::search::test_doc("x", "entity", "", 0),
                crate::search::test_doc("y", "entity", "", 0),
            ];
            docs[0].body = "alphaword".into();
            docs[1].body = "betaword".into();
            for (doc, entity_ref) in docs.iter_mut().zip(refs) {
                doc.entity_ref = entity_ref.to_string();
            }
            let counted = CountedRuns::new(vec![(0, RunTerms::of(&docs))], 2);
            let listed: Vec<Listed> = docs.into_iter().map(Listed::from).collect();
            export_runs(&counted, listed, disk)
        };
        // Segments 7 and 2.
        let (a, b) = ("component:default/a", "component:default/b");
        let tmp = tempfile::tempdir().unwrap();
        let disk = DiskCache::open(tmp.path()).unwrap();
        export_two([a, b], Some(&disk));
        assert_eq!(export_two([b, a], Some(&disk)), export_two([b, a], None));
    }

    #[test]
    fn a_kept_segment_must_name_its_chunks_under_the_postings_folder() {
        let file = |path: &str| {
            (
                format!("{}/{path}", super::super::WEB_DIR),
                ByteList(vec![1]),
            )
        };
        let kept = |files: Vec<(String, ByteList)>, words: Vec<(String, u8)>| KeptSegment {
            firsts: files.iter().map(|_| "a".to_string()).collect(),
            files,
            words,
        };
        let words = vec![("a".to_string(), 4), ("b".to_string(), 1)];
        assert!(kept(vec![file("p/3-0.js")], words.clone()).is_whole(3));
        // Another segment's name, or a chunk out of order.
        assert!(!kept(vec![file("p/3-0.js")], words.clone()).is_whole(5));
        assert!(!kept(vec![file("p/3-1.js")], words.clone()).is_whole(3));
        assert!(!kept(vec![file("../p/3-0.js")], words.clone()).is_whole(3));
        assert!(!kept(vec![file("p/..\\..\\x.js")], words.clone()).is_whole(3));
        assert!(!kept(vec![("index.html".into(), ByteList(vec![]))], words.clone()).is_whole(3));
        let unordered = vec![("b".to_string(), 4), ("a".to_string(), 1)];
        assert!(!kept(vec![file("p/3-0.js")], unordered).is_whole(3));
        let separator = vec![("a;b".to_string(), 4)];
        assert!(!kept(vec![file("p/3-0.js")], separator).is_whole(3));
    }
}
