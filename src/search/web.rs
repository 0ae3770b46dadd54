//! The in-browser search index, exported from the words of the build's
//! search documents as `search::terms` counted them. The browser scores
//! with tantivy's own BM25, from what tantivy scores with (each posting's
//! term frequency and field-length id, the document count and each field's
//! average length), so it ranks with the numbers `portico search` gives,
//! but for the logarithm's last bit (the tests export a tantivy index of
//! the same documents, `from_index`, and compare the files byte for byte).
//!
//! Postings hold no score, so a document's edit changes only the postings
//! of its own segment: documents fall into [`SEGMENTS`] segments by a hash
//! of their entity's ref, are numbered segment by segment, and each
//! segment's postings are chunked on their own. One docs page changed
//! encodes one segment again (`kept_segments`: the others come from the
//! build cache) and rewrites that segment's chunks from the first that
//! changed, the dictionary shards listing them and `meta.js`. Entity
//! documents are counted a segment at a time (`gather::add_all`), so an
//! entity changed encodes its own segment again.
//!
//! Pages opened from `file://` may load `<script src>` but not `fetch`, so
//! every file is a classic script that hands its data to
//! `porticoSearch(kind, key, data)` (defined by `assets/search.js`). A query
//! loads `meta.js`, one dictionary shard per typed word, the postings
//! chunks of the words it matched, and the fragments of the results shown:
//!
//! - `meta.js`: document count, each segment's first document and
//!   document count, each field's average length and tantivy's
//!   field-length table, the dictionary shard keys, where fragment blocks
//!   start, facet values and one facet row per entity.
//! - `d/<hex of the first two letters>.js`: `["entries", starts]`: the
//!   indexed words starting with those letters, as `word,fields,segments;…`
//!   (`fields`: 1 title, 2 heading, 4 body; `segments`: bit g set when
//!   segment g holds the word), and for each segment the chunk of the first
//!   of these words it holds, then the index of each entry whose postings
//!   begin a later chunk.
//! - `p/<g>-<n>.js`: segment g's n-th chunk of postings, of consecutive
//!   words, `["word,word,…", "<packed>"]`: for each word in turn, its
//!   document count in the segment, then per document (document − previous
//!   document) × 8 + fields (documents counted from the segment's first),
//!   then for each field set its field-length id and term frequency
//!   ([`write_occurrence`]), as 7-bit variable-length numbers, the whole
//!   chunk compressed with raw deflate and written in base64 (about 0.6 of
//!   the uncompressed digits' size). A word's document frequency in a
//!   field is the count of its postings with that field, over the
//!   segments.
//! - `f/<n>.js`: what results show, `[title, url, breadcrumb, heading, body,
//!   cut]` for consecutive documents (`cut`: 1 when the body was shortened), as JSON compressed with raw deflate and
//!   written in base64 (the browser inflates it with `DecompressionStream`):
//!   section text is most of the index, and compresses about fourfold.
//!
//! Documents are numbered in (segment, entity, page, section) order, so an
//! entity's documents are consecutive and one facet row per entity covers
//! them.

use super::SearchDoc;
use super::listed::Listed;
use super::terms::RunTerms;
use crate::cache::DiskCache;
use crate::output::OutputFile;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use tantivy::fieldnorm::FieldNormReader;

#[cfg(test)]
pub mod from_index;
mod kept_segments;
use kept_segments::{KeptSegment, Segments};

/// Where the browser's index goes, inside the built site.
pub use crate::address::WEB_SEARCH_DIR as WEB_DIR;
/// How many segments the postings are split into. A query loads one chunk
/// per segment holding each of its words; an edit rewrites one segment's
/// chunks. Eight cost the postings 4 % more bytes at 10,000 pages and a
/// query about as many bytes as one segment did (`bench/segments.py`).
pub const SEGMENTS: usize = 8;
/// A postings chunk closes after this many bytes (one very common word
/// makes a bigger one): small enough that a query, which loads a chunk
/// per segment, loads little.
const CHUNK_BYTES: usize = 16 * 1024 / SEGMENTS;
/// A fragment block closes after this many bytes (before compression).
const FRAGMENT_BYTES: usize = 12 * 1024;
/// Section text kept for snippets.
const FRAGMENT_BODY_CHARS: usize = 3000;
/// Most words one dictionary shard lists (about 1.3 MB of script). The
/// browser loads a whole shard for any word typed with its first two
/// letters, so one repository's made-up words (a page of a million
/// distinct tokens starting `de`) must not make every search for `deploy`
/// load megabytes. Far above a real shard: English has a few thousand
/// words for its most common two letters.
const MAX_SHARD_WORDS: usize = 65_536;

/// The segment of an entity's documents: FNV-1a of its ref, so it is the
/// same in every build, shard and merge (the browser never computes it).
pub fn segment_of(entity_ref: &str) -> usize {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in entity_ref.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash % SEGMENTS as u64) as usize
}

/// One document's occurrence of a word in one field, packed so that a
/// plain sort of numbers orders a word's occurrences by document, then
/// field: the document's number (high 32 bits), the field's slot (2 bits:
/// 0 title, 1 heading, 2 body), the term frequency (22 bits) and the
/// field-length id (8 bits). Eight bytes an occurrence, sorted in place:
/// the structs sorted by a key before were 20 bytes and a stable sort's
/// scratch of as much again, fresh memory the kernel zeroed for every
/// common word (a third of the export's time at 10,000 pages).
type Packed = u64;

const FREQUENCY_BITS: u32 = 22;

fn packed(doc: u32, slot: usize, frequency: u32, norm: u8) -> Packed {
    (u64::from(doc) << 32)
        | ((slot as u64) << (FREQUENCY_BITS + 8))
        | (u64::from(frequency.min((1 << FREQUENCY_BITS) - 1)) << 8)
        | u64::from(norm)
}

/// Where an export hands its files, a batch at a time, as they are made
/// (the site's staging folder): an error stops the export.
pub trait Write: FnMut(&mut Vec<OutputFile>) -> Result<(), String> {}
impl<F: FnMut(&mut Vec<OutputFile>) -> Result<(), String>> Write for F {}

/// The browser's index of `added` from their words counted as they were
/// gathered (`super::terms`): the same files `from_index::export_into`
/// makes from a tantivy index of the same documents (the tests' oracle),
/// without one.
/// Each batch of files is handed to `write` as soon as it is made (and
/// emptied), so the browser index is never in memory whole: its files
/// are about 5 KB per docs page.
pub fn export_counted_into(
    added: Vec<Listed>,
    counted: &CountedRuns,
    kept: Option<&DiskCache>,
    write: impl Write,
) -> Result<KeptRuns, ExportError> {
    export_carrying(added, counted, kept, write, &|_, _| false)
}

/// Carries the last site's file at a path over when it holds exactly the
/// bytes of the given length and hash ([`FileHash`]) and nothing touched it
/// since: the file need not be made (`output::Staging::carry_files`).
pub type Carry<'c> = &'c (dyn Fn(&str, FileHash) -> bool + Sync);

/// A file's length and its bytes' xxh3-128 as two halves, as the site's
/// manifest records them (`output::FileFacts`).
pub type FileHash = (u64, [u64; 2]);

/// [`export_counted_into`], asking `carry` first for each fragment file (a
/// thousand or so, nearly all unchanged after one page changed), so only a
/// file it cannot carry over is made.
pub fn export_carrying(
    added: Vec<Listed>,
    counted: &CountedRuns,
    kept: Option<&DiskCache>,
    mut write: impl Write,
    carry: Carry<'_>,
) -> Result<KeptRuns, ExportError> {
    let timer = crate::timings::Timer::new();
    let numbered = numbering(&added);
    counted
        .check_counts(added.len())
        .map_err(ExportError::Words)?;
    let mut segments = match kept {
        Some(disk) => Segments::look_up(disk, counted, &numbered),
        None => Segments::none(),
    };
    segments.take_unless_capped(counted, MAX_SHARD_WORDS);
    let fresh = Fresh::of(&segments);
    counted
        .check_whole(|run| fresh.reads(run))
        .map_err(ExportError::Words)?;
    let words = |first| Ok(counted.postings(&numbered, first, &fresh));
    // A failed write's message (it names the file) is given as it came.
    let mut failed_write = None;
    let mut write = |files: &mut Vec<OutputFile>| {
        write(files).map_err(|e| {
            failed_write = Some(e.clone());
            tantivy::TantivyError::SystemError(e)
        })
    };
    let exported = write_export(
        &added,
        &numbered,
        counted.average,
        words,
        (kept, &segments),
        (&mut write, carry),
        timer,
    );
    exported.map_err(|e| match failed_write {
        Some(write) => ExportError::Write(write),
        // The message as the export wrote it, without tantivy's wrapping
        // ("An invalid argument was passed: …").
        None => ExportError::Words(match e {
            tantivy::TantivyError::InvalidArgument(message) => message,
            other => other.to_string(),
        }),
    })
}

/// After the export stopped at counted words it cannot use
/// ([`ExportError::Words`]): the build cache's kept sites and kept
/// segments, where such words come from past their checksums (a kept
/// site's words are not decoded when read back), are removed and noted
/// damaged, so the build runs once more without them
/// ([`DiskCache::refuse_kind`]) instead of failing until the cache is
/// cleared.
pub fn refuse_kept_words(disk: &DiskCache) {
    disk.refuse_kind(super::kept_sites::KIND);
    disk.refuse_kind(kept_segments::KIND);
}

/// Why [`export_counted_into`] stopped.
#[derive(Debug)]
pub enum ExportError {
    /// A file could not be written: the writer's own message (it names the
    /// file and what became of the site).
    Write(String),
    /// The counted words do not stand for the documents (damaged input).
    Words(String),
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportError::Write(e) => write!(f, "{e}"),
            ExportError::Words(e) => write!(f, "cannot make the browser's search index: {e}"),
        }
    }
}

/// The files of the browser index of `added`, numbered as `numbered`
/// says, each word's postings made by `words` a first byte at a time (of
/// the segments not kept, `segments`); `average` is each field's average
/// length over every document; `kept` keeps the fragment blocks.
fn write_export(
    added: &[Listed],
    numbered: &Numbering,
    average: [f32; 3],
    mut words: impl FnMut(u8) -> tantivy::Result<(Vec<EncodedWord>, Vec<ShardCut>)>,
    (kept, segments): (Option<&DiskCache>, &Segments<'_>),
    (write, carry): (
        &mut impl FnMut(&mut Vec<OutputFile>) -> tantivy::Result<()>,
        Carry<'_>,
    ),
    mut timer: crate::timings::Timer,
) -> tantivy::Result<KeptRuns> {
    let docs: Vec<&Listed> = numbered.order.iter().map(|seq| &added[*seq]).collect();
    let mut files = segments.files(carry);
    write(&mut files)?;
    // A range of words at a time (by their first byte, in the order the
    // files list them), so only that range's postings are in memory: all
    // of them at once were the largest thing a big build held.
    let mut written = PostingsFiles::new(segments);
    let mut cut = Vec::new();
    for first in 0..=u8::MAX {
        let (postings, shards_cut) = words(first)?;
        cut.extend(shards_cut);
        written.add(postings, first, &mut files);
        write(&mut files)?;
    }
    for (key, left_out) in &cut {
        eprintln!(
            "note: the browser's search index leaves out {left_out} rare words starting with `{}` \
             (a dictionary shard lists at most {MAX_SHARD_WORDS}; `portico search` finds them)",
            key.escape_debug()
        );
    }
    let taken = segments.taken();
    let (shards, made) = written.finish(&mut files);
    write(&mut files)?;
    if cut.is_empty() {
        segments.keep(made);
    }
    timer.lap(&format!(
        "  browser: postings read, dictionary and postings files ({taken} of {SEGMENTS} segments kept)"
    ));
    let (fragment_starts, taken, runs) = fragments(&docs, &mut files, kept, write, carry)?;
    timer.lap(&format!(
        "  browser: fragments ({} blocks, {} packed before, {} kept)",
        fragment_starts.len(),
        taken.packed,
        taken.kept
    ));
    let scoring = Scoring {
        starts: &numbered.starts,
        average,
    };
    files.push(meta(&docs, &shards, &fragment_starts, &scoring));
    write(&mut files)?;
    timer.lap("  browser: meta");
    Ok(runs)
}

/// The documents' `seq`s in a build-independent order (their entity's
/// segment, then `order_key`'s, ties broken by `seq`, as a stable sort
/// would), and how many documents each segment holds. Each key is made
/// once, with its two strings replaced by their places among the distinct
/// ones (a few thousand entity refs and pages), so the sort compares
/// numbers: comparing the strings was 5 % of a merge, mostly the same
/// entity ref against itself, a docs site's every section holding it.
fn numbering_order(added: &[Listed]) -> (Vec<usize>, [u32; SEGMENTS]) {
    let keys: Vec<(&str, bool, &str, u32)> = added.par_iter().map(Listed::order_key).collect();
    let entities = places(keys.iter().map(|key| key.0));
    let segments: HashMap<&str, usize, foldhash::fast::RandomState> = entities
        .keys()
        .map(|entity| (*entity, segment_of(entity)))
        .collect();
    let pages = places(keys.iter().map(|key| key.2));
    let mut counts = [0u32; SEGMENTS];
    // (segment, entity, other, page, position) as numbers, and the seq.
    type Keyed = ((usize, u32, bool, u32, u32), usize);
    // Documents come a site at a time: most share the last one's entity
    // and page, so those strings are compared with the last ones' before
    // they are hashed and looked up again.
    let mut last_entity: Option<(&str, (usize, u32))> = None;
    let mut last_page: Option<(&str, u32)> = None;
    let mut keyed: Vec<Keyed> = keys
        .iter()
        .enumerate()
        .map(|(seq, (entity, other, page, position))| {
            let (segment, entity_place) = same_as_last(&mut last_entity, entity, || {
                (segments[entity], entities[entity])
            });
            let page_place = same_as_last(&mut last_page, page, || pages[page]);
            counts[segment] += 1;
            ((segment, entity_place, *other, page_place, *position), seq)
        })
        .collect();
    keyed.par_sort_unstable();
    (keyed.into_iter().map(|(_, seq)| seq).collect(), counts)
}

/// `look_up()`'s answer for `key`, or the last one when `key` is the key
/// asked last (kept in `last`).
fn same_as_last<'a, T: Copy>(
    last: &mut Option<(&'a str, T)>,
    key: &'a str,
    look_up: impl FnOnce() -> T,
) -> T {
    match *last {
        Some((last_key, answer)) if last_key == key => answer,
        _ => {
            let answer = look_up();
            *last = Some((key, answer));
            answer
        }
    }
}

/// What orders the documents `seqs` of `added` as their numbers in the
/// browser index do, without numbering every document: the key
/// [`numbering_order`] sorts by, with places among distinct strings
/// replaced by the strings (the same order), and the `seq`. A `seq`
/// outside `added` sorts last.
pub fn number_order_key(added: &[Listed], seq: usize) -> impl Ord + '_ {
    added.get(seq).map_or((1, None), |listed| {
        let (entity, other, page, position) = listed.order_key();
        (
            0,
            Some((segment_of(entity), entity, other, page, position, seq)),
        )
    })
}

/// How the browser index numbers documents.
struct Numbering {
    /// The documents' `seq`s in numbering order ([`numbering_order`]).
    order: Vec<usize>,
    /// Each document's number, by `seq`.
    number_of_seq: Vec<u32>,
    /// Each segment's first number, and after them the document count:
    /// segment g holds `starts[g]..starts[g + 1]`.
    starts: [u32; SEGMENTS + 1],
}

impl Numbering {
    /// The segment holding document `number`.
    fn segment_of_number(&self, number: u32) -> usize {
        let after = self.starts[1..].partition_point(|start| *start <= number);
        after.min(SEGMENTS - 1)
    }
}

fn numbering(added: &[Listed]) -> Numbering {
    let (order, counts) = numbering_order(added);
    let mut number_of_seq = vec![0u32; added.len()];
    for (number, seq) in order.iter().enumerate() {
        number_of_seq[*seq] = u32::try_from(number).unwrap_or(u32::MAX);
    }
    let mut starts = [0u32; SEGMENTS + 1];
    for (segment, count) in counts.iter().enumerate() {
        starts[segment + 1] = starts[segment].saturating_add(*count);
    }
    Numbering {
        order,
        number_of_seq,
        starts,
    }
}

/// Each distinct string's place among the distinct strings, in order.
fn places<'a>(strings: impl Iterator<Item = &'a str>) -> Places<'a> {
    // A string the same as the one before (a site's documents come
    // together) is not hashed again.
    let mut last = None;
    let mut distinct: Vec<&str> = strings
        .filter(|string| last.replace(*string) != Some(*string))
        .collect::<std::collections::HashSet<&str, foldhash::fast::RandomState>>()
        .into_iter()
        .collect();
    distinct.sort_unstable();
    distinct.into_iter().zip(0u32..).collect()
}

/// Each distinct string's place in byte order (a few thousand entity refs
/// and pages, looked up once per document: foldhash, not SipHash).
type Places<'a> = HashMap<&'a str, u32, foldhash::fast::RandomState>;

/// The build-cache keys of the docs runs' blocks the export packed or
/// took from the cache (`kept_or_packed`), by entity ref.
pub type KeptRuns = HashMap<String, crate::memo::Key>;

/// One document's occurrences of a word in one field: (document number,
/// term frequency, fieldnorm id).
type Occurrence = (u32, u32, u8);

/// A word's occurrences in one field of one part of the documents (a
/// counted run's, or in the tests' oracle a tantivy segment's): its slot
/// (0 title, 1 heading, 2 body), how many of those documents hold it, and
/// where.
type SegmentWord = (usize, u32, Vec<Occurrence>);

/// Runs of documents' words counted as they were gathered
/// (`super::terms::RunTerms`), each with the `seq` of its first document,
/// and what the browser scores them with: each document's fieldnorm ids
/// and each field's average length over every document.
pub struct CountedRuns {
    runs: Vec<(u64, RunTerms, Vec<[u8; 3]>)>,
    average: [f32; 3],
}

impl CountedRuns {
    /// `runs` of `total_docs` documents in all.
    pub fn new(runs: Vec<(u64, RunTerms)>, total_docs: u64) -> CountedRuns {
        let mut average = [0f32; 3];
        for (slot, average) in average.iter_mut().enumerate() {
            let tokens: u64 = runs
                .iter()
                .flat_map(|(_, run)| run.lengths().iter())
                .map(|lengths| u64::from(lengths[slot]))
                .sum();
            // As tantivy's `Bm25Weight::for_terms` averages: over every
            // document of the index, with the field or not.
            *average = tokens as f32 / total_docs.max(1) as f32;
        }
        let runs = runs
            .into_iter()
            .map(|(first, run)| {
                let norms = run
                    .lengths()
                    .iter()
                    .map(|lengths| lengths.map(FieldNormReader::fieldnorm_to_id))
                    .collect();
                (first, run, norms)
            })
            .collect();
        CountedRuns { runs, average }
    }

    /// That the runs count `documents` documents, each once, and that
    /// every occurrence is of a document of its run (a run read from a
    /// part or the cache is checked before it is trusted).
    pub fn check(&self, documents: usize) -> Result<(), String> {
        self.check_counts(documents)?;
        self.check_whole(|_| true)
    }

    /// That the runs count `documents` documents, each once.
    fn check_counts(&self, documents: usize) -> Result<(), String> {
        let mut counted = vec![false; documents];
        for (first, run, _) in &self.runs {
            let first = usize::try_from(*first).unwrap_or(usize::MAX);
            for document in 0..run.documents() {
                match first
                    .checked_add(document)
                    .and_then(|seq| counted.get_mut(seq))
                {
                    Some(seen) if !*seen => *seen = true,
                    _ => {
                        return Err(
                            "the search words count a document twice, or one that is not there"
                                .into(),
                        );
                    }
                }
            }
        }
        if counted.iter().any(|seen| !seen) {
            return Err("the search words leave a document out".into());
        }
        Ok(())
    }

    /// That every run `read` picks (by its index) decodes whole: the runs
    /// an export reads occurrences from. (Decoding every run was a third
    /// of the export's work after one page changed, most of them runs of
    /// segments taken from the build cache, which are never read.)
    fn check_whole(&self, read: impl Fn(usize) -> bool) -> Result<(), String> {
        let damaged = (0..self.runs.len()).any(|r| read(r) && !self.runs[r].1.is_whole());
        if damaged {
            return Err("the search words of a run are damaged".into());
        }
        Ok(())
    }

    /// The postings of the words whose first byte is `first`: one list per
    /// (word, field) over every run, so encoding gathers no more entries
    /// than words.
    /// Only the occurrences in the segments `fresh` names, and only runs
    /// with documents there are read.
    fn postings(
        &self,
        numbered: &Numbering,
        first: u8,
        fresh: &Fresh<'_>,
    ) -> (Vec<EncodedWord>, Vec<ShardCut>) {
        let number_of_seq = &numbered.number_of_seq;
        let every = fresh.runs.is_empty();
        let mut entries: Vec<(&str, u32, u32)> = Vec::new();
        for (r, (_, run, _)) in (0u32..).zip(&self.runs) {
            if !every && fresh.runs[r as usize] & fresh.segments == 0 {
                continue;
            }
            for w in run.starting_with(first) {
                entries.push((run.word(w), r, w as u32));
            }
        }
        entries.par_sort_unstable();
        let groups: Vec<&[(&str, u32, u32)]> = entries.chunk_by(|a, b| a.0 == b.0).collect();
        let gathered: Vec<(String, Vec<SegmentWord>)> = groups
            .into_par_iter()
            .map(|group| {
                let mut lists: [Vec<Occurrence>; 3] = Default::default();
                for (_, r, w) in group {
                    let (first_seq, run, norms) = &self.runs[*r as usize];
                    for (document, slot, frequency) in run.occurrences_of(*w as usize) {
                        let seq = (*first_seq as usize).saturating_add(document as usize);
                        let number = number_of_seq.get(seq).copied().unwrap_or(0);
                        if !every && fresh.segments & (1 << numbered.segment_of_number(number)) == 0
                        {
                            continue;
                        }
                        let slot = usize::from(slot).min(2);
                        let norm = norms.get(document as usize).map_or(0, |n| n[slot]);
                        lists[slot].push((number, frequency, norm));
                    }
                }
                let found: Vec<SegmentWord> = (0..3)
                    .zip(lists)
                    .filter(|(_, list)| !list.is_empty())
                    .map(|(slot, list)| (slot, list.len() as u32, list))
                    .collect();
                (group[0].0.to_string(), found)
            })
            // A word only in kept segments is theirs to list.
            .filter(|(_, found)| !found.is_empty())
            .collect();
        encoded_words(gathered.into_iter().collect(), &numbered.starts)
    }
}

/// The segments an export encodes: bit g for segment g, and (unless every
/// one is) each run's segments, by run, so a run with none is not read.
struct Fresh<'a> {
    segments: u32,
    runs: &'a [u32],
}

impl<'a> Fresh<'a> {
    /// Whether run `run`'s occurrences are read.
    fn reads(&self, run: usize) -> bool {
        self.runs
            .get(run)
            .is_none_or(|segments| segments & self.segments != 0)
    }

    /// The segments `segments` does not hold, and the runs' segments it
    /// found while keying them.
    fn of(segments: &'a Segments<'_>) -> Fresh<'a> {
        let fresh = segments.fresh_mask();
        let runs = if fresh == (1 << SEGMENTS) - 1 {
            &[]
        } else {
            segments.run_segments()
        };
        Fresh {
            segments: fresh,
            runs,
        }
    }
}

/// Each word's postings encoded segment by segment (`starts` as
/// [`Numbering::starts`]), from its occurrences in each part; with the
/// dictionary shards cut.
fn encoded_words(
    mut gathered: BTreeMap<String, Vec<SegmentWord>>,
    starts: &[u32; SEGMENTS + 1],
) -> (Vec<EncodedWord>, Vec<ShardCut>) {
    // Every word of a shard starts with the same first byte: all here.
    let cut = cap_shards(&mut gathered, MAX_SHARD_WORDS);
    let words: Vec<EncodedWord> = gathered
        .into_par_iter()
        // One list per run of words, emptied for each: its memory is used
        // again rather than asked for (and zeroed) anew for every word.
        .map_init(Vec::new, |list: &mut Vec<Packed>, (word, found)| {
            list.clear();
            for (slot, _, occurrences) in found {
                list.extend(
                    occurrences
                        .into_iter()
                        .map(|(doc, frequency, norm)| packed(doc, slot, frequency, norm)),
                );
            }
            // No two occurrences share a document and a field (a document
            // is counted in one run), so the order is the same whatever the
            // sort: the unstable one sorts in place.
            list.sort_unstable();
            let (fields, segments) = encode_postings(list, starts);
            (word, fields, segments)
        })
        .collect();
    (words, cut)
}

/// A dictionary shard [`cap_shards`] cut, and how many words it lost.
type ShardCut = (String, usize);

/// Leaves out of each dictionary shard of more than `cap` words its rarest
/// (in the fewest documents and fields; of those equally rare, the last in
/// byte order), so no shard grows past `cap` and common words stay
/// findable: made-up words are each in a document or two. Returns each
/// shard cut and how many words it lost.
fn cap_shards(gathered: &mut BTreeMap<String, Vec<SegmentWord>>, cap: usize) -> Vec<ShardCut> {
    // Counted by runs (a shard's words are consecutive), not in a map.
    let mut over: Vec<(String, usize)> = Vec::new();
    let mut run: Option<(&str, usize)> = None;
    for word in gathered.keys() {
        let key = shard_prefix(word);
        match &mut run {
            Some((last, size)) if *last == key => *size += 1,
            _ => {
                if let Some((last, size)) = run.take().filter(|(_, size)| *size > cap) {
                    over.push((last.to_string(), size));
                }
                run = Some((key, 1));
            }
        }
    }
    if let Some((last, size)) = run.filter(|(_, size)| *size > cap) {
        over.push((last.to_string(), size));
    }
    let mut cut = Vec::new();
    for (key, size) in over {
        // A shard's words are consecutive in byte order.
        let mut words: Vec<(u64, &String)> = gathered
            .range::<str, _>((
                std::ops::Bound::Included(key.as_str()),
                std::ops::Bound::Unbounded,
            ))
            .take(size)
            .map(|(word, found)| {
                let holding: u64 = found.iter().map(|(_, df, _)| u64::from(*df)).sum();
                (holding, word)
            })
            .collect();
        words.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let rare: Vec<String> = words[cap..].iter().map(|(_, w)| (*w).clone()).collect();
        for word in &rare {
            gathered.remove(word);
        }
        cut.push((key, rare.len()));
    }
    cut
}

/// A word, the fields that hold it (bits by slot) and in each segment that
/// holds it, those fields and its postings as [`encode_postings`] writes
/// them.
type EncodedWord = (String, u8, Vec<(usize, u8, Vec<u8>)>);

/// The postings chunks and dictionary shards, written as words come in
/// their order ([`PostingsFiles::add`], a range of words at a time).
struct PostingsFiles<'s> {
    /// The segments taken from the build cache: their words go into the
    /// dictionary, their chunks are written as kept.
    kept: &'s [Option<KeptSegment>; SEGMENTS],
    /// Whether the segments encoded here are to be kept.
    keeping: bool,
    /// Each dictionary shard, by key.
    shards: BTreeMap<String, ShardEntries>,
    /// Each segment's chunks.
    segments: [SegmentChunks; SEGMENTS],
}

/// One dictionary shard as it is written: its entries, how many, and for
/// each segment where its words' postings are: the chunk of the first of
/// them the segment holds, then the index of each entry whose postings
/// begin a later chunk (the browser counts those up to a word's index).
#[derive(Default)]
struct ShardEntries {
    entries: String,
    count: u32,
    starts: [Vec<u32>; SEGMENTS],
    /// Each segment's chunk of the last entry it holds.
    last_chunk: [u32; SEGMENTS],
}

impl ShardEntries {
    /// Lists `word`, held by the segments of `held` (bits), in chunk
    /// `chunks[g]` of segment g.
    fn push(&mut self, word: &str, fields: u8, held: u32, chunks: &[u32; SEGMENTS]) {
        if !self.entries.is_empty() {
            self.entries.push(';');
        }
        let _ = write!(self.entries, "{word},{fields},{held}");
        for segment in (0..SEGMENTS).filter(|g| held & (1 << g) != 0) {
            let chunk = chunks[segment];
            let starts = &mut self.starts[segment];
            if starts.is_empty() {
                starts.push(chunk);
            } else if chunk != self.last_chunk[segment] {
                starts.push(self.count);
            }
            self.last_chunk[segment] = chunk;
        }
        self.count += 1;
    }
}

/// What [`PostingsFiles::finish`] gives: the dictionary's shard keys, and
/// (when kept) each segment made here as the build cache keeps it.
type Written = (Vec<String>, Vec<(usize, KeptSegment)>);

/// One segment's postings chunks, as they are cut.
#[derive(Default)]
struct SegmentChunks {
    /// The chunk being filled: its words, in order, and their encoded
    /// postings one after the other.
    chunk: PostingsChunk,
    chunk_bytes: usize,
    /// The first word of each chunk cut so far, and of the one being filled.
    firsts: Vec<String>,
    /// When kept: the segment's words with their fields, and its files.
    words: Vec<(String, u8)>,
    files: Vec<(String, kept_segments::ByteList)>,
}

impl SegmentChunks {
    /// Adds a word's postings, cutting the chunk first when they would fill
    /// it past [`CHUNK_BYTES`]; returns the chunk cut (with its number),
    /// and the number of the chunk the word is in.
    fn push(&mut self, word: &str, encoded: &[u8]) -> (Option<(usize, PostingsChunk)>, u32) {
        let mut cut = None;
        if !self.chunk.is_empty() && self.chunk_bytes + encoded.len() > CHUNK_BYTES {
            cut = Some((self.firsts.len() - 1, std::mem::take(&mut self.chunk)));
            self.chunk_bytes = 0;
        }
        if self.chunk.is_empty() {
            self.firsts.push(word.to_string());
        }
        self.chunk_bytes += word.len() + encoded.len() + 1;
        self.chunk.push(word, encoded);
        (cut, (self.firsts.len() - 1) as u32)
    }
}

/// A dictionary entry's fields, the segments holding the word (bits) and
/// its chunk in each.
type EntryBits = (u8, u32, [u32; SEGMENTS]);

impl<'s> PostingsFiles<'s> {
    fn new(segments: &'s Segments<'_>) -> Self {
        PostingsFiles {
            kept: &segments.kept,
            keeping: segments.keeping(),
            shards: BTreeMap::new(),
            segments: Default::default(),
        }
    }

    /// Adds the next words (each after every word added before), those
    /// whose first byte is `first`, writing each chunk as it fills; the
    /// kept segments' words starting with `first` join the dictionary.
    fn add(&mut self, encoded: Vec<EncodedWord>, first: u8, files: &mut Vec<OutputFile>) {
        let kept_words = self.kept_words(first);
        let mut kept_words = kept_words.into_iter().peekable();
        let mut full = Vec::new();
        for (word, fields, postings) in encoded {
            while let Some((kept, bits)) = kept_words.next_if(|(kept, _)| **kept < *word) {
                self.dictionary_entry(kept, bits);
            }
            let (mut fields, mut held, mut chunks) = (fields, 0u32, [0u32; SEGMENTS]);
            if let Some((_, kept)) = kept_words.next_if(|(kept, _)| **kept == *word) {
                (fields, held, chunks) = (fields | kept.0, kept.1, kept.2);
            }
            for (segment, segment_fields, encoded) in postings {
                held |= 1 << segment;
                let segment_chunks = &mut self.segments[segment];
                let (cut, chunk) = segment_chunks.push(&word, &encoded);
                if let Some((number, chunk)) = cut {
                    full.push((segment, number, chunk));
                }
                chunks[segment] = chunk;
                if self.keeping {
                    segment_chunks.words.push((word.clone(), segment_fields));
                }
            }
            if held != 0 {
                self.dictionary_entry(&word, (fields, held, chunks));
            }
        }
        for (kept, bits) in kept_words {
            self.dictionary_entry(kept, bits);
        }
        // Deflating is most of a chunk's cost: on every core.
        let written: Vec<(usize, OutputFile)> = full
            .into_par_iter()
            .map(|(segment, number, chunk)| (segment, chunk.file(segment, number)))
            .collect();
        for (segment, file) in written {
            self.made(segment, &file);
            files.push(file);
        }
    }

    /// The kept segments' words starting with `first`, in byte order,
    /// each with its [`EntryBits`] over the kept segments.
    fn kept_words(&self, first: u8) -> BTreeMap<&'s str, EntryBits> {
        let kept: &'s [Option<KeptSegment>; SEGMENTS] = self.kept;
        let mut words: BTreeMap<&'s str, EntryBits> = BTreeMap::new();
        for (segment, kept) in kept.iter().enumerate() {
            let Some(kept) = kept else { continue };
            let first_byte = |(word, _): &(String, u8)| word.as_bytes().first().copied();
            let from = kept.words.partition_point(|w| first_byte(w) < Some(first));
            let to = kept.words.partition_point(|w| first_byte(w) <= Some(first));
            for (word, fields) in &kept.words[from..to] {
                // The last chunk starting at or before the word.
                let after = kept.firsts.partition_point(|f| f.as_str() <= word.as_str());
                let entry = words.entry(word.as_str()).or_default();
                entry.0 |= fields;
                entry.1 |= 1 << segment;
                entry.2[segment] = after.saturating_sub(1) as u32;
            }
        }
        words
    }

    /// Lists `word` in its shard.
    fn dictionary_entry(&mut self, word: &str, (fields, held, chunks): EntryBits) {
        let shard = self.shards.entry(shard_key(word)).or_default();
        shard.push(word, fields, held, &chunks);
    }

    /// Notes a chunk file made for `segment`, when segments are kept.
    fn made(&mut self, segment: usize, file: &OutputFile) {
        if self.keeping {
            let bytes = kept_segments::ByteList(file.bytes.to_vec());
            self.segments[segment]
                .files
                .push((file.path.clone(), bytes));
        }
    }

    /// Writes the last chunks and the dictionary shards (each
    /// `["entries", [[starts of segment 0], …]]`); returns the shard keys
    /// and (when kept) each segment made here as the build cache keeps it.
    fn finish(mut self, files: &mut Vec<OutputFile>) -> Written {
        let mut made = Vec::new();
        for segment in 0..SEGMENTS {
            if self.kept[segment].is_some() {
                continue;
            }
            let chunk = std::mem::take(&mut self.segments[segment].chunk);
            if !chunk.is_empty() {
                let number = self.segments[segment].firsts.len() - 1;
                let file = chunk.file(segment, number);
                self.made(segment, &file);
                files.push(file);
            }
            let chunks = std::mem::take(&mut self.segments[segment]);
            if self.keeping {
                let kept = KeptSegment {
                    words: chunks.words,
                    firsts: chunks.firsts,
                    files: chunks.files,
                };
                made.push((segment, kept));
            }
        }
        for (key, shard) in &self.shards {
            files.push(script(
                &format!("d/{}.js", hex(key)),
                "d",
                &json(key),
                &json(&(&shard.entries, &shard.starts)),
            ));
        }
        (self.shards.into_keys().collect(), made)
    }
}

/// One postings chunk: consecutive words and their postings.
#[derive(Default)]
struct PostingsChunk {
    /// The words, joined by commas (a word is letters and digits).
    words: String,
    /// Each word's [`encode_postings`], in the order of `words`.
    postings: Vec<u8>,
}

impl PostingsChunk {
    fn push(&mut self, word: &str, encoded: &[u8]) {
        if !self.words.is_empty() {
            self.words.push(',');
        }
        self.words.push_str(word);
        self.postings.extend_from_slice(encoded);
    }

    fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// `p/<segment>-<n>.js`: `["word,word,…", "<postings, deflated, in
    /// base64>"]`. Postings compress to about half (document gaps,
    /// frequencies and lengths repeat), and text that must travel as
    /// base64 anyway is smaller deflated.
    fn file(self, segment: usize, number: usize) -> OutputFile {
        let packed = base64(&deflate_raw(&self.postings));
        let name = format!("{segment}-{number}");
        script(
            &format!("p/{name}.js"),
            "p",
            &json(&name),
            &json(&(self.words, packed)),
        )
    }
}

/// A word's dictionary shard: its first two letters.
pub fn shard_key(word: &str) -> String {
    shard_prefix(word).to_string()
}

/// [`shard_key`], borrowed.
fn shard_prefix(word: &str) -> &str {
    let end = word.char_indices().nth(2).map_or(word.len(), |(at, _)| at);
    &word[..end]
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

/// A word's postings as the browser reads them, in each segment that holds
/// it (`starts` as [`Numbering::starts`]): how many documents, then for
/// each (document − previous document) × 8 + fields, counted from the
/// segment's first document, then the field-length id and term frequency
/// for each field set (in slot order, [`write_occurrence`]), every number
/// a [`vlq`]; from its occurrences sorted ([`Packed`]). Returns the fields
/// any document holds it in, too.
fn encode_postings(
    sorted: &[Packed],
    starts: &[u32; SEGMENTS + 1],
) -> (u8, Vec<(usize, u8, Vec<u8>)>) {
    let doc = |p: Packed| (p >> 32) as u32;
    let mut all_fields = 0u8;
    let mut segments = Vec::new();
    let mut rest = sorted;
    for segment in 0..SEGMENTS {
        let split = rest.partition_point(|p| doc(*p) < starts[segment + 1]);
        let (mine, after) = rest.split_at(split);
        rest = after;
        if !mine.is_empty() {
            let (fields, encoded) = encode_segment(mine, starts[segment]);
            all_fields |= fields;
            segments.push((segment, fields, encoded));
        }
    }
    (all_fields, segments)
}

/// [`encode_postings`] of one segment's occurrences, its first document
/// numbered `first`.
fn encode_segment(sorted: &[Packed], first: u32) -> (u8, Vec<u8>) {
    let doc = |p: Packed| (p >> 32) as u32;
    let slot = |p: Packed| ((p >> (FREQUENCY_BITS + 8)) & 3) as usize;
    let frequency = |p: Packed| ((p >> 8) & ((1 << FREQUENCY_BITS) - 1)) as u32;
    // About three bytes an occurrence (a gap, a frequency, a length).
    let mut out = Vec::with_capacity(sorted.len() * 3 + 8);
    let documents = sorted.chunk_by(|a, b| doc(*a) == doc(*b)).count();
    vlq(&mut out, documents as u32);
    let (mut previous, mut all_fields) = (first, 0u8);
    for group in sorted.chunk_by(|a, b| doc(*a) == doc(*b)) {
        let this = doc(group[0]);
        // One frequency a field: a field twice (numbers that collided, from
        // a damaged part) is summed, as one posting per document always was.
        let mut frequencies = [0u32; 3];
        let mut norms = [0u8; 3];
        let mut fields = 0u8;
        for p in group {
            let slot = slot(*p).min(2);
            fields |= 1 << slot;
            frequencies[slot] = frequencies[slot].saturating_add(frequency(*p));
            norms[slot] = *p as u8;
        }
        vlq(
            &mut out,
            (this - previous)
                .saturating_mul(8)
                .saturating_add(u32::from(fields)),
        );
        previous = this;
        all_fields |= fields;
        for slot in 0..3 {
            if fields & (1 << slot) != 0 {
                write_occurrence(&mut out, frequencies[slot], norms[slot]);
            }
        }
    }
    (all_fields, out)
}

/// One field's term frequency and field-length id: the id × 2, plus 1
/// when the frequency is more than 1, then (only then) the frequency − 2.
/// Most occurrences are a word once in a field of under about 150 words
/// (an id under 64): one byte, where the two numbers apart took two.
fn write_occurrence(out: &mut Vec<u8>, frequency: u32, norm: u8) {
    let more = u32::from(frequency > 1);
    vlq(out, u32::from(norm) * 2 + more);
    if more == 1 {
        vlq(out, frequency - 2);
    }
}

/// A variable-length number: seven bits per byte, low bits first, 128
/// marks "more".
fn vlq(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let low = (value & 127) as u8;
        value >>= 7;
        if value == 0 {
            out.push(low);
            return;
        }
        out.push(low | 128);
    }
}

/// `[title, url, breadcrumb, heading, body, cut]` of one document.
type FragmentRow<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, u8);

/// One fragment block, packed: how many documents it holds and its
/// deflated JSON in base64 (the text of its `f/<n>.js`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PackedBlock {
    pub documents: usize,
    pub packed: String,
}

/// Runs of documents that fragment blocks never cross: the docs sections
/// of one entity, and the entity documents between them. A docs run's
/// blocks depend on that entity's sections alone, so the shard that
/// rendered its docs can pack them (`listed::blocks_and_ranks`).
fn runs<'a, 'b, D: Placed>(docs: &'b [&'a D]) -> Vec<&'b [&'a D]> {
    let mut runs = Vec::new();
    let mut start = 0;
    for n in 1..=docs.len() {
        let ends = n == docs.len() || {
            let (before, this) = (docs[n - 1], docs[n]);
            let docs_run = !before.is_entity();
            // A docs run ends at an entity document, an entity run at a
            // docs section, and a docs run at another entity's sections.
            before.is_entity() != this.is_entity() || (docs_run && before.entity() != this.entity())
        };
        if ends {
            runs.push(&docs[start..n]);
            start = n;
        }
    }
    runs
}

/// What [`runs`] reads of a document.
trait Placed {
    fn entity(&self) -> &str;
    fn is_entity(&self) -> bool;
}

impl Placed for SearchDoc {
    fn entity(&self) -> &str {
        &self.entity_ref
    }

    fn is_entity(&self) -> bool {
        self.doc_type == "entity"
    }
}

impl Placed for Listed {
    fn entity(&self) -> &str {
        self.entity_ref()
    }

    fn is_entity(&self) -> bool {
        Listed::is_entity(self)
    }
}

/// One run's documents in blocks: a block closes after `FRAGMENT_BYTES`.
fn blocks_of<'a>(run: &[&'a SearchDoc]) -> Vec<Vec<FragmentRow<'a>>> {
    let mut blocks: Vec<Vec<FragmentRow<'_>>> = Vec::new();
    let mut bytes = 0;
    for doc in run {
        if bytes == 0 {
            blocks.push(Vec::new());
        }
        // The 6th value marks a cut text (1), where a phrase may lie unseen:
        // a text cut short, or a summary shown instead of the whole body.
        let shown = doc.summary.as_deref().unwrap_or(&doc.body);
        let (body, cut) = match shown.char_indices().nth(FRAGMENT_BODY_CHARS) {
            Some((cut, _)) => (&shown[..cut], 1u8),
            None => (shown, u8::from(shown.len() != doc.body.len())),
        };
        bytes += doc.title.len() + doc.url.len() + doc.breadcrumb.len() + body.len() + 32;
        if let Some(block) = blocks.last_mut() {
            block.push((
                doc.title.as_str(),
                doc.url.as_str(),
                doc.breadcrumb.as_str(),
                doc.heading.as_str(),
                body,
                cut,
            ));
        }
        if bytes > FRAGMENT_BYTES {
            bytes = 0;
        }
    }
    blocks
}

/// A run's blocks, each with its rows as JSON: what is packed, and what
/// the build cache keys the run's packed blocks by.
fn block_texts(run: &[&SearchDoc]) -> Vec<(usize, String)> {
    blocks_of(run)
        .iter()
        .map(|rows| (rows.len(), json(rows)))
        .collect()
}

/// Blocks as their files hold them: their rows' JSON, deflated, in base64.
fn pack(texts: &[(usize, String)]) -> Vec<PackedBlock> {
    texts
        .iter()
        .map(|(documents, text)| PackedBlock {
            documents: *documents,
            packed: base64(&deflate_raw(text.as_bytes())),
        })
        .collect()
}

/// One run's fragment blocks, packed as the export packs them (the
/// documents in `document_order`, every one a docs section of one entity,
/// or every one an entity document).
pub fn pack_run(run: &[&SearchDoc]) -> Vec<PackedBlock> {
    pack(&block_texts(run))
}

/// [`pack_run`] through the build cache: the blocks kept for the same rows,
/// else packed now and kept; with the key they are kept under (what
/// `search::kept_sites` records for the site).
pub fn pack_run_kept(disk: &DiskCache, run: &[&SearchDoc]) -> (Vec<PackedBlock>, crate::memo::Key) {
    let (blocks, _, key) = kept_or_packed(disk, run);
    (blocks, key)
}

/// A run's blocks when its sections were packed as their site was indexed
/// (`listed::list_site`): the run must be exactly that site's sections,
/// or the blocks would not stand for it (two sites of one entity; never
/// made by a build, refused rather than written wrong).
fn listed_blocks<'r>(run: &[&'r Listed]) -> Result<Option<&'r [PackedBlock]>, String> {
    let Some(Listed::Packed { site, .. }) = run.first() else {
        if run.iter().any(|d| d.whole().is_none()) {
            return Err(format!(
                "the docs sections of `{}` were indexed both whole and packed",
                run[0].entity_ref()
            ));
        }
        return Ok(None);
    };
    let same_site = run.iter().all(
        |d| matches!(d, Listed::Packed { site: other, .. } if std::sync::Arc::ptr_eq(site, other)),
    );
    if !same_site || run.len() != site.count {
        return Err(format!(
            "the docs sections of `{}` were packed apart (one site each is expected)",
            site.entity_ref
        ));
    }
    Ok(Some(&site.blocks))
}

/// Whether a block packed elsewhere can stand for a run: it covers the
/// run's documents exactly and is plain base64 (it goes into a script).
fn fits(blocks: &[PackedBlock], run: &[&SearchDoc]) -> bool {
    hold(blocks, run.len())
}

/// Whether blocks hold `count` documents, each at least one, and are plain
/// base64.
pub fn hold(blocks: &[PackedBlock], count: usize) -> bool {
    // Summed without overflow: a part's counts are read from a file.
    blocks
        .iter()
        .try_fold(0usize, |sum, b| sum.checked_add(b.documents))
        == Some(count)
        && blocks
            .iter()
            .all(|b| b.documents > 0 && is_base64(&b.packed))
}

/// Whether `text` holds only base64's digits and `=`. A merge checks every
/// block its parts packed (tens of MB at 10,000 pages): each byte is
/// judged without a branch and a chunk's verdicts are folded, which the
/// compiler turns into vector instructions (a byte-by-byte `all` was 2 %
/// of a merge).
fn is_base64(text: &str) -> bool {
    fn digit(c: u8) -> bool {
        let letter = (c | 0x20).wrapping_sub(b'a') < 26;
        let number = c.wrapping_sub(b'0') < 10;
        letter | number | (c == b'+') | (c == b'/') | (c == b'=')
    }
    text.as_bytes()
        .chunks(64)
        .all(|chunk| chunk.iter().fold(true, |ok, &c| ok & digit(c)))
}

/// How many fragment blocks an export took as they were: packed by a
/// shard before, or kept in the build cache.
#[derive(Debug, Default, PartialEq, Eq)]
struct Taken {
    packed: usize,
    kept: usize,
}

/// What packed fragment blocks are kept under in the build cache.
const KEPT_KIND: &str = "search-fragments";

/// Writes the fragment blocks (compressed in parallel, or taken from
/// the build cache `kept`); returns the first document of
/// each, and how many were taken as they were.
fn fragments(
    docs: &[&Listed],
    files: &mut Vec<OutputFile>,
    kept: Option<&DiskCache>,
    write: &mut dyn FnMut(&mut Vec<OutputFile>) -> tantivy::Result<()>,
    carry: Carry<'_>,
) -> tantivy::Result<(Vec<usize>, Taken, KeptRuns)> {
    let runs = runs(docs);
    // Each run's blocks: packed as indexed, by a shard, kept, or packed
    // now (and kept).
    // Its blocks, how many were taken, and (for a docs run packed or kept
    // here) its entity and the key they are kept under.
    type RunBlocks<'b> = (
        Vec<std::borrow::Cow<'b, PackedBlock>>,
        Taken,
        Option<(&'b str, crate::memo::Key)>,
    );
    let run_blocks: Vec<RunBlocks<'_>> = runs
        .par_iter()
        .map(|run| -> Result<_, String> {
            if let Some(ready) = listed_blocks(run)? {
                let taken = Taken {
                    packed: ready.len(),
                    kept: 0,
                };
                return Ok((
                    ready.iter().map(std::borrow::Cow::Borrowed).collect(),
                    taken,
                    None,
                ));
            }
            let whole: Vec<&SearchDoc> = run.iter().filter_map(|d| d.whole()).collect();
            let run = whole.as_slice();
            let before = run[0].doc_type != "entity";
            let (blocks, from_cache, key) = match kept {
                Some(disk) => {
                    let (blocks, from_cache, key) = kept_or_packed(disk, run);
                    (
                        blocks,
                        from_cache,
                        before.then_some((run[0].entity_ref.as_str(), key)),
                    )
                }
                None => (pack(&block_texts(run)), 0, None),
            };
            let taken = Taken {
                packed: 0,
                kept: from_cache,
            };
            Ok((
                blocks.into_iter().map(std::borrow::Cow::Owned).collect(),
                taken,
                key,
            ))
        })
        .collect::<Result<_, String>>()
        .map_err(tantivy::TantivyError::InvalidArgument)?;
    let mut starts = Vec::new();
    let mut start = 0;
    let mut taken = Taken::default();
    let mut blocks = Vec::new();
    let mut keys = KeptRuns::new();
    for (run, run_taken, key) in run_blocks {
        taken.packed += run_taken.packed;
        taken.kept += run_taken.kept;
        if let Some((entity_ref, key)) = key {
            keys.insert(entity_ref.to_string(), key);
        }
        for block in run {
            starts.push(start);
            start += block.documents;
            blocks.push(block);
        }
    }
    // Made and written a thousand at a time; a file the last site holds
    // as it would be made is carried over by its hash, never made.
    for (batch, blocks) in blocks.chunks(1024).enumerate() {
        let first = batch * 1024;
        let made: Vec<OutputFile> = blocks
            .par_iter()
            .enumerate()
            .filter_map(|(n, block)| {
                let number = (first + n).to_string();
                let path = format!("f/{number}.js");
                let data = ["\"", block.packed.as_str(), "\""];
                let pieces = script_pieces("f", &number, data);
                (!carry(
                    &format!("{WEB_DIR}/{path}"),
                    hash_of(&pieces.map(str::as_bytes)),
                ))
                .then(|| script(&path, "f", &number, &data.concat()))
            })
            .collect();
        files.extend(made);
        write(files)?;
    }
    Ok((starts, taken, keys))
}

/// A run's blocks from the build cache when it keeps them for the same
/// rows (and they fit the run), else packed now and kept; with how many
/// were taken from the cache, and the key they are kept under.
fn kept_or_packed(
    disk: &DiskCache,
    run: &[&SearchDoc],
) -> (Vec<PackedBlock>, usize, crate::memo::Key) {
    let rows = blocks_of(run);
    let key = run_key(&rows);
    let found = disk
        .get(KEPT_KIND, key)
        .and_then(|bytes| crate::memo::decode::<Vec<PackedBlock>>(&bytes))
        .filter(|blocks| fits(blocks, run));
    if let Some(blocks) = found {
        let taken = blocks.len();
        return (blocks, taken, key);
    }
    // Only blocks not kept are written out as JSON.
    let texts: Vec<(usize, String)> = rows.iter().map(|rows| (rows.len(), json(rows))).collect();
    let blocks = pack(&texts);
    if let Some(bytes) = crate::memo::encode(&blocks) {
        disk.put(KEPT_KIND, key, &bytes);
    }
    (blocks, 0, key)
}

/// The blocks kept under `run` (a key [`export_counted_into`] gave), when they are
/// whole and hold `count` documents.
pub fn kept_blocks(
    disk: &DiskCache,
    run: crate::memo::Key,
    count: usize,
) -> Option<Vec<PackedBlock>> {
    let blocks: Vec<PackedBlock> = disk
        .get(KEPT_KIND, run)
        .and_then(|bytes| crate::memo::decode(&bytes))?;
    hold(&blocks, count).then_some(blocks)
}

/// The build-cache key of a run's blocks: every field of every block's
/// rows, each block's row count (where it ends), and how they are packed.
/// Hashed from the rows themselves, so a kept run's JSON is never made.
fn run_key(blocks: &[Vec<FragmentRow<'_>>]) -> crate::memo::Key {
    let mut key = crate::memo::hasher();
    crate::memo::part(&mut key, KEPT_KIND.as_bytes());
    key.update(&DEFLATE_LEVEL.to_le_bytes());
    for rows in blocks {
        key.update(&(rows.len() as u64).to_le_bytes());
        for (title, url, breadcrumb, heading, body, cut) in rows {
            for field in [title, url, breadcrumb, heading, body] {
                crate::memo::part(&mut key, field.as_bytes());
            }
            key.update(&[*cut]);
        }
    }
    key.digest128()
}

/// What the browser finds postings and scores them with, in `meta.js`.
struct Scoring<'a> {
    /// Each segment's first document, and after them the document count.
    starts: &'a [u32; SEGMENTS + 1],
    /// Each field's average length over every document (tantivy's
    /// `average_fieldnorm`).
    average: [f32; 3],
}

impl Scoring<'_> {
    /// `"segments":[[first document, documents],…],
    /// "average":[title, heading, body],"fieldnorms":[256 lengths]`: the
    /// averages as `f32`s written shortest (JavaScript's `Math.fround` of
    /// the number read is the same `f32`), and the length each
    /// field-length id stands for, as tantivy decodes it.
    fn json(&self) -> String {
        let segments: Vec<(u32, u32)> = (0..SEGMENTS)
            .map(|g| (self.starts[g], self.starts[g + 1] - self.starts[g]))
            .collect();
        let fieldnorms: Vec<u32> = (0..=u8::MAX)
            .map(FieldNormReader::id_to_fieldnorm)
            .collect();
        format!(
            "\"segments\":{},\"average\":{},\"fieldnorms\":{}",
            json(&segments),
            json(&self.average),
            json(&fieldnorms)
        )
    }
}

/// Facet values (sorted, referred to by position) and one row per entity:
/// `[documents, has an entity document (1/0), kind, type, owner,
/// lifecycle, namespace, [tags], level]`, in document order. The level is
/// the entity document's (docs sections are filtered by their entity's).
/// With them, what scoring needs ([`Scoring`]).
fn meta(
    docs: &[&Listed],
    shards: &[String],
    fragment_starts: &[usize],
    scoring: &Scoring<'_>,
) -> OutputFile {
    let facet_names = [
        "kind",
        "type",
        "owner",
        "lifecycle",
        "namespace",
        "tag",
        "level",
    ];
    // The documents whose facets are read: every one but a packed site's
    // later sections (they share its facets), and each entity row's first.
    let mut last_site = None;
    let read: Vec<bool> = docs
        .iter()
        .map(|doc| {
            if let Listed::Packed { site, .. } = doc {
                if last_site.is_some_and(|last| std::sync::Arc::ptr_eq(last, site)) {
                    return false;
                }
                last_site = Some(site);
            }
            true
        })
        .collect();
    let mut row_starts = Vec::new();
    let mut start = 0;
    while start < docs.len() {
        let first = &docs[start];
        let count = docs[start..]
            .iter()
            .take_while(|d| d.entity_ref() == first.entity_ref())
            .count();
        row_starts.push((start, count));
        start += count;
    }
    let mut wanted = read.clone();
    for (start, _) in &row_starts {
        wanted[*start] = true;
    }
    // Lower-cased, as the index's filter fields (`--owner Platform-Team`
    // works); each document's once, on every core (a catalog of 13,000
    // entities lower-cased about 100,000 strings twice, on one thread).
    let facets: Vec<Option<[Vec<String>; 7]>> = docs
        .par_iter()
        .zip(wanted.par_iter())
        .map(|(doc, wanted)| wanted.then(|| doc.facets()))
        .collect();
    let mut values: [BTreeSet<&str>; 7] = Default::default();
    for (doc_facets, read) in facets.iter().zip(&read) {
        if let (Some(doc_facets), true) = (doc_facets, read) {
            for (slot, list) in doc_facets.iter().enumerate() {
                values[slot].extend(list.iter().map(String::as_str));
            }
        }
    }
    let positions: Vec<HashMap<&str, usize>> = values
        .iter()
        .map(|set| set.iter().enumerate().map(|(i, v)| (*v, i)).collect())
        .collect();
    let position =
        |slot: usize, value: &str| positions[slot].get(value).copied().unwrap_or_default();
    // `[count, is entity, kind, type, owner, lifecycle, namespace, [tags],
    // level]`, numbers only: written as serde_json writes them.
    let mut rows = String::with_capacity(row_starts.len() * 24);
    rows.push('[');
    for (start, count) in &row_starts {
        let Some(f) = &facets[*start] else {
            continue;
        };
        if rows.len() > 1 {
            rows.push(',');
        }
        let tags: Vec<String> = f[5].iter().map(|t| position(5, t).to_string()).collect();
        let _ = write!(
            rows,
            "[{count},{},{},{},{},{},{},[{}],{}]",
            u8::from(docs[*start].is_entity()),
            position(0, &f[0][0]),
            position(1, &f[1][0]),
            position(2, &f[2][0]),
            position(3, &f[3][0]),
            position(4, &f[4][0]),
            tags.join(","),
            position(6, &f[6][0]),
        );
    }
    rows.push(']');
    let facets: serde_json::Map<String, serde_json::Value> = facet_names
        .iter()
        .zip(&values)
        .map(|(name, set)| ((*name).to_string(), serde_json::json!(set)))
        .collect();
    let meta = format!(
        "{{\"version\":2,\"documents\":{},{},\"shards\":{},\"fragments\":{},\"facets\":{},\"entities\":{rows}}}",
        docs.len(),
        scoring.json(),
        json(shards),
        json(fragment_starts),
        json(&facets),
    );
    script("meta.js", "meta", "\"\"", &meta)
}

/// libdeflate at level 1: on section text a third faster than zlib-rs at
/// its level 2 (used before) and 1.5 % smaller; zlib-rs's own level 1 is
/// twice as fast but a quarter bigger (`bench/README.md`, "Deflate").
const DEFLATE_LEVEL: i32 = 1;

/// Raw deflate (no zlib header), as `DecompressionStream("deflate-raw")` reads.
///
/// Each thread keeps one compressor: a new one allocates its tables (fresh
/// pages each time), and a build deflates about a thousand small blocks.
/// libdeflate keeps no state between inputs, so a kept compressor writes
/// exactly what a new one writes.
fn deflate_raw(input: &[u8]) -> Vec<u8> {
    thread_local! {
        static COMPRESSOR: std::cell::RefCell<Option<libdeflater::Compressor>> =
            const { std::cell::RefCell::new(None) };
    }
    COMPRESSOR.with(|slot| {
        let mut slot = slot.borrow_mut();
        let compressor = slot.get_or_insert_with(new_compressor);
        deflate_with(compressor, input)
    })
}

fn new_compressor() -> libdeflater::Compressor {
    let level = libdeflater::CompressionLvl::new(DEFLATE_LEVEL)
        .unwrap_or_else(|_| libdeflater::CompressionLvl::fastest());
    libdeflater::Compressor::new(level)
}

fn deflate_with(compressor: &mut libdeflater::Compressor, input: &[u8]) -> Vec<u8> {
    let mut out = vec![0; compressor.deflate_compress_bound(input.len())];
    match compressor.deflate_compress(input, &mut out) {
        Ok(written) => {
            out.truncate(written);
            out
        }
        // Unreachable with a bound-sized buffer; stored blocks would do,
        // but an empty fragment is the honest failure.
        Err(_) => Vec::new(),
    }
}

fn base64(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let digit = |n: u32, shift: u32| DIGITS[(n >> shift) as usize & 63];
    // Bytes, not chars: a char pushed at a time was 4 % of a build's
    // search work (every result text and postings chunk goes through here).
    let mut out = Vec::with_capacity(bytes.len().div_ceil(3) * 4);
    let mut groups = bytes.chunks_exact(3);
    for group in &mut groups {
        let n = u32::from(group[0]) << 16 | u32::from(group[1]) << 8 | u32::from(group[2]);
        out.extend_from_slice(&[digit(n, 18), digit(n, 12), digit(n, 6), digit(n, 0)]);
    }
    match *groups.remainder() {
        [a] => {
            let n = u32::from(a) << 16;
            out.extend_from_slice(&[digit(n, 18), digit(n, 12), b'=', b'=']);
        }
        [a, b] => {
            let n = u32::from(a) << 16 | u32::from(b) << 8;
            out.extend_from_slice(&[digit(n, 18), digit(n, 12), digit(n, 6), b'=']);
        }
        _ => {}
    }
    // Every byte is one of DIGITS or `=`: ASCII.
    String::from_utf8(out).unwrap_or_default()
}

fn json(value: &(impl serde::Serialize + ?Sized)) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// One data file: a call to the loader defined by `assets/search.js`.
fn script(path: &str, kind: &str, key: &str, data: &str) -> OutputFile {
    OutputFile::new(
        format!("{WEB_DIR}/{path}"),
        script_pieces(kind, key, [data, "", ""]).concat(),
    )
}

/// The text of [`script`]'s file, in pieces (its data in up to three).
fn script_pieces<'a>(kind: &'a str, key: &'a str, data: [&'a str; 3]) -> [&'a str; 9] {
    [
        "porticoSearch(\"",
        kind,
        "\",",
        key,
        ",",
        data[0],
        data[1],
        data[2],
        ");\n",
    ]
}

/// The length and hash of the bytes `pieces` make, without making them.
fn hash_of(pieces: &[&[u8]]) -> FileHash {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut len = 0u64;
    for piece in pieces {
        hasher.update(piece);
        len += piece.len() as u64;
    }
    (len, crate::output::halves(hasher.digest128()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_numbered_in_the_order_of_their_keys_then_seq() {
        // Entities, pages and positions out of order, some keys twice.
        let mut added: Vec<Listed> = Vec::new();
        for n in 0..300u32 {
            let entity = format!("e{}", (n * 7) % 13);
            let page = format!("p{}", (n * 5) % 11);
            let kind = if n % 9 == 0 { "entity" } else { "docs" };
            added.push(crate::search::test_doc(&entity, kind, &page, (n * 3) % 4).into());
        }
        let mut expected: Vec<_> = added
            .iter()
            .map(|d| (segment_of(d.entity_ref()), d.order_key()))
            .zip(0..)
            .collect();
        expected.sort();
        let expected: Vec<usize> = expected.into_iter().map(|(_, seq)| seq).collect();
        let (order, counts) = numbering_order(&added);
        assert_eq!(order, expected);
        // Thirteen entities fill more than one segment.
        assert!(counts.iter().filter(|c| **c > 0).count() > 1, "{counts:?}");
        assert_eq!(counts.iter().sum::<u32>(), 300);
        let numbered = numbering(&added);
        assert_eq!(numbered.starts[0], 0);
        assert_eq!(numbered.starts[SEGMENTS], 300);
        for (number, seq) in numbered.order.iter().enumerate() {
            let segment = segment_of(added[*seq].entity_ref());
            assert!(
                (numbered.starts[segment]..numbered.starts[segment + 1]).contains(&(number as u32))
            );
        }
        assert!(numbering_order(&[]).0.is_empty());
        // Any few documents sorted by their number order keys come in the
        // order of their numbers; a seq outside the documents comes last.
        let some: Vec<usize> = (0..300)
            .filter(|seq| seq % 7 == 3 || seq % 11 == 0)
            .collect();
        let mut by_key = some.clone();
        by_key.push(1_000);
        by_key.sort_by_cached_key(|seq| number_order_key(&added, *seq));
        let mut by_number = some;
        by_number.sort_by_key(|seq| numbered.number_of_seq[*seq]);
        by_number.push(1_000);
        assert_eq!(by_key, by_number);
    }

    /// The segment of a ref is fixed: the browser index of every build,
    /// shard and merge depends on it.
    #[test]
    fn segments_are_a_fixed_hash_of_the_entity_ref() {
        assert_eq!(segment_of(""), (0xcbf2_9ce4_8422_2325u64 % 8) as usize);
        let of: Vec<usize> = [
            "component:default/a",
            "component:default/b",
            "group:default/team",
        ]
        .iter()
        .map(|r| segment_of(r))
        .collect();
        // FNV-1a 64 worked out apart (Python, the published constants).
        assert_eq!(of, [7, 2, 1]);
    }

    #[test]
    fn base64_is_told_from_everything_else_byte_by_byte() {
        for c in 0..=255u8 {
            // Beyond ASCII, the character is two bytes of UTF-8.
            let plain = c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=');
            let text = format!("{}{}{}", "A".repeat(70), char::from(c), "A".repeat(70));
            assert_eq!(is_base64(&text), plain, "{c}");
        }
        assert!(is_base64("") && is_base64("QUJD+/=="));
    }
    use crate::search::test_doc as doc;

    /// [`fragments`] of whole documents.
    fn fragments_of(
        docs: &[&SearchDoc],
        files: &mut Vec<OutputFile>,
        kept: Option<&DiskCache>,
    ) -> (Vec<usize>, Taken) {
        let listed: Vec<Listed> = docs.iter().map(|d| Listed::from((*d).clone())).collect();
        let refs: Vec<&Listed> = listed.iter().collect();
        let (starts, taken, _) =
            fragments(&refs, files, kept, &mut |_| Ok(()), &|_, _| false).unwrap();
        (starts, taken)
    }

    /// Reads numbers as `search.js` does.
    fn read_vlqs(bytes: &[u8]) -> Vec<u32> {
        let mut values = Vec::new();
        let (mut value, mut shift) = (0, 0);
        for b in bytes {
            value |= u32::from(b & 127) << shift;
            if b & 128 != 0 {
                shift += 7;
            } else {
                values.push(value);
                (value, shift) = (0, 0);
            }
        }
        values
    }

    #[test]
    fn vlq_bytes_carry_seven_bits() {
        let mut out = Vec::new();
        for v in [0, 127, 128, 1000, u32::MAX] {
            vlq(&mut out, v);
        }
        // 128 = 0 with "more", then 1; 1000 = 104 with "more", then 7.
        assert_eq!(out[..6], [0, 127, 128, 1, 232, 7]);
        assert_eq!(read_vlqs(&out), [0, 127, 128, 1000, u32::MAX]);
    }

    /// Every document in segment 0, as one segment would be written.
    const ONE_SEGMENT: [u32; SEGMENTS + 1] = [
        0,
        u32::MAX,
        u32::MAX,
        u32::MAX,
        u32::MAX,
        u32::MAX,
        u32::MAX,
        u32::MAX,
        u32::MAX,
    ];

    #[test]
    fn postings_are_delta_coded_with_a_frequency_and_length_per_field() {
        let mut list = [packed(5, 2, 3, 9), packed(2, 2, 10, 40), packed(2, 0, 1, 4)];
        list.sort_unstable();
        let (fields, segments) = encode_postings(&list, &ONE_SEGMENT);
        assert_eq!(segments.len(), 1);
        assert_eq!(
            read_vlqs(&segments[0].2),
            // Document 2: title (id 4 × 2, once), body (id 40 × 2 + 1, then
            // 10 − 2); document 5: body (id 9 × 2 + 1, then 3 − 2).
            [2, 2 * 8 + 5, 8, 81, 8, 3 * 8 + 4, 19, 1]
        );
        assert_eq!(fields, 0b101);
        // A document's fields in slot order whatever its number; a
        // frequency past the bits kept is capped, not spilled into the
        // field; a length id past 63 takes two bytes.
        let mut list = [
            packed(1000, 1, u32::MAX, 255),
            packed(1000, 0, 1, 2),
            packed(0, 2, 7, 0),
        ];
        list.sort_unstable();
        let (fields, segments) = encode_postings(&list, &ONE_SEGMENT);
        assert_eq!(
            read_vlqs(&segments[0].2),
            [2, 4, 1, 5, 1000 * 8 + 3, 4, 511, (1 << FREQUENCY_BITS) - 3]
        );
        assert_eq!(fields, 0b111);
        assert_eq!(encode_postings(&[], &ONE_SEGMENT), (0, vec![]));
        // One document and field twice (numbers that collided): one
        // frequency, the sum, so the browser never reads a number too many.
        let mut list = [packed(3, 2, 5, 1), packed(3, 2, 6, 1), packed(4, 0, 1, 1)];
        list.sort_unstable();
        assert_eq!(
            read_vlqs(&encode_postings(&list, &ONE_SEGMENT).1[0].2),
            [2, 3 * 8 + 4, 3, 9, 8 + 1, 2]
        );
    }

    /// Each segment's postings count documents from its first, and a
    /// segment without the word has none.
    #[test]
    fn postings_are_split_by_segment() {
        let starts = [0, 10, 10, 25, 25, 25, 25, 25, 30];
        let mut list = [
            packed(3, 2, 1, 1),
            packed(12, 2, 2, 1),
            packed(29, 0, 1, 1),
            packed(20, 2, 1, 1),
        ];
        list.sort_unstable();
        let (fields, segments) = encode_postings(&list, &starts);
        assert_eq!(fields, 0b101);
        let read: Vec<(usize, Vec<u32>)> = segments
            .iter()
            .map(|(segment, _, bytes)| (*segment, read_vlqs(bytes)))
            .collect();
        assert_eq!(
            read,
            [
                (0, vec![1, 3 * 8 + 4, 2]),
                (2, vec![2, 2 * 8 + 4, 3, 0, 8 * 8 + 4, 2]),
                (7, vec![1, 4 * 8 + 1, 2]),
            ]
        );
    }

    #[test]
    fn a_chunk_holds_its_words_and_their_postings_deflated() {
        let mut chunk = PostingsChunk::default();
        let alpha = encode_postings(&[packed(7, 0, 2, 5)], &ONE_SEGMENT).1;
        chunk.push("alpha", &alpha[0].2);
        chunk.push("beta", &[0]);
        let file = chunk.file(4, 3);
        assert_eq!(file.path, format!("{WEB_DIR}/p/4-3.js"));
        let text = String::from_utf8(file.bytes.to_vec()).unwrap();
        let data = text
            .strip_prefix("porticoSearch(\"p\",\"4-3\",")
            .and_then(|t| t.strip_suffix(");\n"))
            .unwrap();
        let (words, packed): (String, String) = serde_json::from_str(data).unwrap();
        assert_eq!(words, "alpha,beta");
        let deflated = base64_decode(&packed);
        let mut out = vec![0; 64];
        let config = zlib_rs::InflateConfig { window_bits: -15 };
        let (plain, code) = zlib_rs::decompress_slice(&mut out, &deflated, config);
        assert_eq!(code, zlib_rs::ReturnCode::Ok);
        assert_eq!(read_vlqs(plain), [1, 7 * 8 + 1, 5 * 2 + 1, 0, 0]);
    }

    /// A segment's chunks are cut past `CHUNK_BYTES`; each dictionary
    /// shard says, per segment, which chunk holds its first word there and
    /// at which entries a later chunk begins, as the browser looks them up.
    #[test]
    fn chunks_are_cut_by_size_and_the_shard_says_where() {
        let segments = Segments::none();
        let mut written = PostingsFiles::new(&segments);
        let big = vec![1u8; CHUNK_BYTES];
        let word = |w: &str, postings: Vec<(usize, u8, Vec<u8>)>| (w.to_string(), 4u8, postings);
        let mut files = Vec::new();
        written.add(
            vec![
                word("alpha", vec![(0, 4, vec![1]), (3, 4, vec![1])]),
                word("alpine", vec![(0, 4, big.clone())]),
                word("also", vec![(3, 4, vec![1])]),
                word("amber", vec![(0, 4, vec![1])]),
            ],
            b'a',
            &mut files,
        );
        let (keys, _) = written.finish(&mut files);
        assert_eq!(keys, ["al", "am"]);
        let mut names: Vec<&str> = files
            .iter()
            .filter_map(|f| f.path.strip_prefix(&format!("{WEB_DIR}/p/")))
            .collect();
        names.sort();
        // Segment 0: `alpha`, then `alpine` (too big to join it), then
        // `amber` (no room left); segment 3: `alpha` and `also`.
        assert_eq!(names, ["0-0.js", "0-1.js", "0-2.js", "3-0.js"]);
        let shard = files
            .iter()
            .find(|f| f.path.ends_with("/d/616c.js"))
            .map(|f| String::from_utf8(f.bytes.to_vec()).unwrap())
            .unwrap();
        let data = shard
            .strip_prefix("porticoSearch(\"d\",\"al\",")
            .and_then(|t| t.strip_suffix(");\n"))
            .unwrap();
        let (entries, starts): (String, Vec<Vec<u32>>) = serde_json::from_str(data).unwrap();
        assert_eq!(entries, "alpha,4,9;alpine,4,1;also,4,8");
        assert_eq!(
            starts,
            [
                vec![0, 1],
                vec![],
                vec![],
                vec![0],
                vec![],
                vec![],
                vec![],
                vec![]
            ]
        );
        let am = files
            .iter()
            .find(|f| f.path.ends_with("/d/616d.js"))
            .map(|f| String::from_utf8(f.bytes.to_vec()).unwrap())
            .unwrap();
        // `amber`: segment 0's chunk 2.
        assert!(
            am.contains(r#"["amber,4,1",[[2],[],[],[],[],[],[],[]]]"#),
            "{am}"
        );
    }

    fn base64_decode(text: &str) -> Vec<u8> {
        const DIGITS: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut bits = 0u32;
        let mut count = 0;
        let mut out = Vec::new();
        for c in text.bytes().take_while(|&c| c != b'=') {
            bits = bits << 6 | DIGITS.iter().position(|&d| d == c).unwrap() as u32;
            count += 6;
            if count >= 8 {
                count -= 8;
                out.push((bits >> count) as u8);
            }
        }
        out
    }

    #[test]
    fn base64_pads_like_atob_expects() {
        assert_eq!(base64(b"M"), "TQ==");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(&[0xff, 0xfe]), "//4=");
        // Every length and byte value, against RFC 4648's definition
        // written out bit by bit.
        let bytes: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        for len in 0..bytes.len() {
            let bits: String = bytes[..len].iter().map(|b| format!("{b:08b}")).collect();
            let mut expected: String = bits
                .as_bytes()
                .chunks(6)
                .map(|six| {
                    let six = format!("{:0<6}", std::str::from_utf8(six).unwrap());
                    let n = usize::from_str_radix(&six, 2).unwrap();
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[n] as char
                })
                .collect();
            while !expected.len().is_multiple_of(4) {
                expected.push('=');
            }
            assert_eq!(base64(&bytes[..len]), expected, "{len} bytes");
        }
    }

    /// What the counted export trusts of runs from parts and the cache:
    /// every document counted once, none left out, every run whole.
    #[test]
    fn counted_runs_must_cover_every_document_once() {
        let run = |n: u32| {
            let docs: Vec<SearchDoc> = (0..n)
                .map(|p| crate::search::test_doc("alpha", "docs", "guide", p))
                .collect();
            RunTerms::of(&docs)
        };
        let counted = |runs: Vec<(u64, RunTerms)>, total| CountedRuns::new(runs, total);
        assert!(counted(vec![(0, run(3)), (3, run(2))], 5).check(5).is_ok());
        let twice = counted(vec![(0, run(3)), (2, run(2))], 5)
            .check(5)
            .unwrap_err();
        assert!(twice.contains("twice"), "{twice}");
        let past = counted(vec![(0, run(3)), (4, run(2))], 5)
            .check(5)
            .unwrap_err();
        assert!(past.contains("not there"), "{past}");
        let missing = counted(vec![(0, run(3))], 5).check(5).unwrap_err();
        assert!(missing.contains("leave a document out"), "{missing}");
        let damaged = run(3).with_lengths_cut(1);
        let refused = counted(vec![(0, damaged), (1, run(4))], 5)
            .check(5)
            .unwrap_err();
        assert!(refused.contains("damaged"), "{refused}");
    }

    #[test]
    fn a_reused_compressor_writes_what_a_new_one_writes() {
        let inputs = [
            "the same words again and again and again ".repeat(50),
            String::new(),
            "short".to_string(),
            (0..5000).map(|n| format!("{n} ")).collect::<String>(),
        ];
        let fresh = |input: &[u8]| deflate_with(&mut new_compressor(), input);
        // Twice over, so every input after the first meets a used compressor.
        for input in inputs.iter().chain(&inputs) {
            assert_eq!(deflate_raw(input.as_bytes()), fresh(input.as_bytes()));
            assert!(!fresh(input.as_bytes()).is_empty());
        }
    }

    #[test]
    fn fragments_inflate_back_to_their_json() {
        let text = "the same words again and again and again ".repeat(50);
        let packed = deflate_raw(text.as_bytes());
        assert!(packed.len() < text.len() / 4);
        let mut out = vec![0; text.len()];
        let config = zlib_rs::InflateConfig { window_bits: -15 };
        let (plain, code) = zlib_rs::decompress_slice(&mut out, &packed, config);
        assert_eq!(code, zlib_rs::ReturnCode::Ok);
        assert_eq!(plain, text.as_bytes());
    }

    /// Threads of this process whose name starts like tantivy's watcher of
    /// `meta.json` (`thread-tantivy-meta-file-watcher`, cut to 15 bytes).
    #[cfg(target_os = "linux")]
    fn meta_file_watchers() -> usize {
        std::fs::read_dir("/proc/self/task")
            .unwrap()
            .flatten()
            .filter(|task| {
                std::fs::read_to_string(task.path().join("comm"))
                    .is_ok_and(|name| name.starts_with("thread-tantivy-"))
            })
            .count()
    }

    /// Found by the `web_index_export` fuzz target (LeakSanitizer): the
    /// export read the index with tantivy's default reader, which starts a
    /// thread polling `meta.json` that outlived the export.
    #[cfg(target_os = "linux")]
    #[test]
    fn export_leaves_no_thread_behind() {
        let site = tempfile::tempdir().unwrap();
        let dir = site.path().join(super::super::INDEX_DIR);
        let builder = super::super::index::IndexBuilder::create(&dir).unwrap();
        builder.add(SearchDoc {
            doc_type: "entity",
            title: "Shipment tracker".into(),
            title_searchable: true,
            heading: "shipment-tracker".into(),
            breadcrumb: "Component · default".into(),
            body: "Tracks shipments".into(),
            url: "catalog/default/component/shipment-tracker/index.html".into(),
            entity_ref: "component:default/shipment-tracker".into(),
            kind: "component".into(),
            spec_type: "service".into(),
            owner: "team-a".into(),
            lifecycle: "production".into(),
            tags: Vec::new(),
            namespace: "default".into(),
            level: "gold".into(),
            summary: None,
            position: 0,
        });
        let added = builder.finish().unwrap();
        let files = from_index::export(&dir, added).unwrap();
        assert!(files.iter().any(|f| f.path == format!("{WEB_DIR}/meta.js")));
        assert_eq!(meta_file_watchers(), 0);
    }

    /// Two entities with docs and one without, in export order.
    fn organisation() -> Vec<SearchDoc> {
        let mut docs = Vec::new();
        for entity in ["alpha", "beta", "gamma"] {
            docs.push(doc(entity, "entity", "", 0));
            if entity != "beta" {
                for page in ["guide", "intro"] {
                    for position in 0..6 {
                        docs.push(doc(entity, "docs", page, position));
                    }
                }
            }
        }
        docs
    }

    #[test]
    fn blocks_never_cross_an_entitys_docs() {
        let docs = organisation();
        let refs: Vec<&SearchDoc> = docs.iter().collect();
        let kinds: Vec<(&str, bool)> = runs(&refs)
            .iter()
            .map(|run| (run[0].entity_ref.as_str(), run[0].doc_type == "entity"))
            .collect();
        assert_eq!(
            kinds,
            [
                ("component:default/alpha", true),
                ("component:default/alpha", false),
                // beta has no docs: its entity document runs on into gamma's.
                ("component:default/beta", true),
                ("component:default/gamma", false),
            ]
        );
        let (starts, taken) = fragments_of(&refs, &mut Vec::new(), None);
        assert_eq!(taken, Taken::default());
        // Sections of ~3 KB shown (cut at 3,000 characters), four to a
        // block: alpha's entity, alpha's 12 sections in three blocks, beta's
        // and gamma's entities together, gamma's sections.
        assert_eq!(starts, [0, 1, 5, 9, 13, 15, 19, 23]);
    }

    /// Counted words the export cannot use come from the kept sites and
    /// segments: those two kinds go whole and are noted damaged (the build
    /// runs again); the cache's other entries stay.
    #[test]
    fn kept_words_refused_take_the_kept_sites_and_segments() {
        let tmp = tempfile::tempdir().unwrap();
        let disk = DiskCache::open(tmp.path()).unwrap();
        disk.put(crate::search::kept_sites::KIND, 1, b"site");
        disk.put(kept_segments::KIND, 2, b"segment");
        disk.put(KEPT_KIND, 3, b"fragments");
        refuse_kept_words(&disk);
        assert!(!disk.holds(crate::search::kept_sites::KIND, 1));
        assert!(!disk.holds(kept_segments::KIND, 2));
        assert!(disk.holds(KEPT_KIND, 3));
        assert_eq!(disk.take_damaged().len(), 2);
    }

    /// A fragment file is made only when `carry` refuses its length and
    /// hash, which are those of the bytes it would be made of.
    #[test]
    fn fragment_files_carried_over_by_their_hash_are_not_made() {
        let docs = organisation();
        let refs: Vec<&SearchDoc> = docs.iter().collect();
        let mut made = Vec::new();
        fragments_of(&refs, &mut made, None);
        assert_eq!(made.len(), 8);
        let facts: std::collections::HashMap<String, FileHash> = made
            .iter()
            .map(|f| {
                let hash = crate::output::halves(xxhash_rust::xxh3::xxh3_128(&f.bytes));
                (f.path.clone(), (f.bytes.len() as u64, hash))
            })
            .collect();
        // The last site holds every other file as it would be made, and
        // the fourth with other bytes.
        let holds = |path: &str, hash: FileHash| {
            let number: usize = path
                .rsplit('/')
                .next()
                .unwrap()
                .trim_end_matches(".js")
                .parse()
                .unwrap();
            number % 2 == 1 && number != 3 && facts.get(path) == Some(&hash)
        };
        let listed: Vec<Listed> = docs.iter().map(|d| Listed::from(d.clone())).collect();
        let refs: Vec<&Listed> = listed.iter().collect();
        let mut left = Vec::new();
        let (starts, _, _) = fragments(&refs, &mut left, None, &mut |_| Ok(()), &holds).unwrap();
        assert_eq!(starts.len(), 8);
        let paths: Vec<&str> = left.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            ["f/0.js", "f/2.js", "f/3.js", "f/4.js", "f/6.js"].map(|p| format!("{WEB_DIR}/{p}"))
        );
        assert!(left.iter().all(|f| made.contains(f)));
    }

    #[test]
    fn blocks_kept_in_the_build_cache_are_taken_while_their_rows_are_the_same() {
        let tmp = tempfile::tempdir().unwrap();
        let disk = DiskCache::open(tmp.path()).unwrap();
        let mut docs = organisation();
        let refs: Vec<&SearchDoc> = docs.iter().collect();
        let mut fresh = Vec::new();
        let (starts, _) = fragments_of(&refs, &mut fresh, None);

        // First export: nothing kept, every run packed and kept.
        let mut first = Vec::new();
        let (first_starts, taken) = fragments_of(&refs, &mut first, Some(&disk));
        assert_eq!((first_starts, taken), (starts.clone(), Taken::default()));
        assert_eq!(first, fresh);
        // Again: every block taken from the cache, the same files.
        let mut again = Vec::new();
        let (again_starts, taken) = fragments_of(&refs, &mut again, Some(&disk));
        assert_eq!((again_starts, taken.kept), (starts.clone(), starts.len()));
        assert_eq!(again, fresh);

        // One section's text changed: its run is packed again, with the
        // new text; the other runs are taken.
        let changed = docs
            .iter_mut()
            .find(|d| d.entity_ref == "component:default/gamma" && d.doc_type != "entity")
            .unwrap();
        changed.body = "a new text".into();
        let refs: Vec<&SearchDoc> = docs.iter().collect();
        let mut expected = Vec::new();
        let (new_starts, _) = fragments_of(&refs, &mut expected, None);
        let mut edited = Vec::new();
        let (edited_starts, taken) = fragments_of(&refs, &mut edited, Some(&disk));
        let gamma_blocks = new_starts.iter().filter(|s| **s >= 15).count();
        assert_eq!(edited_starts, new_starts);
        assert_eq!(taken.kept, new_starts.len() - gamma_blocks);
        assert_eq!(edited, expected);
        assert_ne!(edited, fresh);
    }

    /// A shard over the cap keeps its most common words (ties: the first
    /// in byte order); other shards are left whole.
    #[test]
    fn a_shard_over_the_cap_loses_its_rarest_words() {
        let mut gathered: BTreeMap<String, Vec<SegmentWord>> = BTreeMap::new();
        let mut add = |word: &str, found: &[(usize, u32)]| {
            let found = found
                .iter()
                .map(|(slot, df)| (*slot, *df, Vec::new()))
                .collect();
            gathered.insert(word.to_string(), found);
        };
        add("d", &[(2, 9)]);
        add("dab", &[(2, 1)]);
        add("deploy", &[(0, 1), (2, 4)]);
        add("dez1", &[(2, 1)]);
        add("dez2", &[(2, 2)]);
        add("dez3", &[(2, 1)]);
        add("dezz", &[(1, 3)]);
        add("df", &[(2, 1)]);
        let cut = cap_shards(&mut gathered, 3);
        assert_eq!(cut, vec![("de".to_string(), 2)]);
        let left: Vec<&str> = gathered.keys().map(String::as_str).collect();
        assert_eq!(left, ["d", "dab", "deploy", "dez2", "dezz", "df"]);
        assert!(cap_shards(&mut gathered, 3).is_empty());
        // The last shard too.
        gathered.remove("df");
        assert_eq!(cap_shards(&mut gathered, 2), vec![("de".to_string(), 1)]);
        assert!(!gathered.contains_key("dez2"));
    }

    /// A page of made-up words cannot grow a dictionary shard past its
    /// cap, and a common word of that shard is still listed.
    #[test]
    fn made_up_words_cannot_grow_a_shard_past_its_cap() {
        let site = tempfile::tempdir().unwrap();
        let dir = site.path().join(super::super::INDEX_DIR);
        let builder = super::super::index::IndexBuilder::create(&dir).unwrap();
        let made_up: Vec<String> = (0..MAX_SHARD_WORDS + 10)
            .map(|n| format!("de{n}x"))
            .collect();
        for (position, body) in [
            made_up.join(" "),
            "deploy".to_string(),
            "deploy".to_string(),
        ]
        .into_iter()
        .enumerate()
        {
            builder.add(SearchDoc {
                body,
                ..crate::search::test_doc("alpha", "docs", "guide", position as u32)
            });
        }
        let files = from_index::export(&dir, builder.finish().unwrap()).unwrap();
        let shard = files
            .iter()
            .find(|f| f.path == format!("{WEB_DIR}/d/6465.js"))
            .expect("the `de` shard");
        let text = String::from_utf8(shard.bytes.to_vec()).unwrap();
        let data = text
            .strip_prefix("porticoSearch(\"d\",\"de\",")
            .and_then(|rest| rest.strip_suffix(");\n"))
            .unwrap();
        let (entries, starts): (String, Vec<Vec<u32>>) = serde_json::from_str(data).unwrap();
        assert_eq!(entries.split(';').count(), MAX_SHARD_WORDS);
        // Every later chunk begins at an entry of the shard.
        assert!(
            starts
                .iter()
                .flat_map(|s| s.iter().skip(1))
                .all(|start| (*start as usize) < MAX_SHARD_WORDS)
        );
        assert!(entries.starts_with("de0x,4,"), "{}", &entries[..40]);
        assert!(
            entries.split(';').any(|e| e.starts_with("deploy,4,")),
            "the common word stays"
        );
    }

    /// An index whose documents do not stand one for one for the documents
    /// it was given (a damaged or forged part's) is refused, not exported
    /// with results pointing at other documents.
    #[test]
    fn an_index_numbering_documents_out_of_range_is_refused() {
        let site = tempfile::tempdir().unwrap();
        let dir = site.path().join(super::super::INDEX_DIR);
        let builder = super::super::index::IndexBuilder::create(&dir).unwrap();
        for position in 0..3 {
            builder.add(crate::search::test_doc("alpha", "docs", "guide", position));
        }
        let mut added = builder.finish().unwrap();
        added.pop();
        let refused = from_index::export(&dir, added).unwrap_err().to_string();
        assert!(refused.contains("out of range, or twice"), "{refused}");
    }

    #[test]
    fn shards_are_keyed_by_two_letters() {
        assert_eq!(shard_key("deploy"), "de");
        assert_eq!(shard_key("é"), "é");
        assert_eq!(hex("dé"), "64c3a9");
    }

    #[test]
    fn a_kept_run_is_taken_by_its_rows_and_packs_as_a_new_one() {
        let tmp = tempfile::tempdir().unwrap();
        let disk = DiskCache::open(&tmp.path().join("cache")).unwrap();
        let docs: Vec<SearchDoc> = (0..30).map(|p| doc("svc", "docs", "guide", p)).collect();
        let run: Vec<&SearchDoc> = docs.iter().collect();
        let (made, taken, key) = kept_or_packed(&disk, &run);
        assert!(made.len() > 1, "several blocks");
        assert_eq!(taken, 0);
        assert_eq!(
            made,
            pack(&block_texts(&run)),
            "packed as without the cache"
        );
        let (again, taken, again_key) = kept_or_packed(&disk, &run);
        assert_eq!((again, taken), (made.clone(), made.len()));
        assert_eq!(again_key, key);
        // Taken by that key for as many documents as the run has, only.
        assert_eq!(kept_blocks(&disk, key, run.len()), Some(made.clone()));
        assert_eq!(kept_blocks(&disk, key, run.len() + 1), None);
        assert_eq!(kept_blocks(&disk, key ^ 1, run.len()), None);
        // A row's field changed: the run is packed again, as new.
        let mut edited = docs.clone();
        edited[3].heading.push_str(" and more");
        let run: Vec<&SearchDoc> = edited.iter().collect();
        let (packed, taken, edited_key) = kept_or_packed(&disk, &run);
        assert_eq!(taken, 0);
        assert_ne!(edited_key, key);
        assert_eq!(packed, pack(&block_texts(&run)));
        assert_ne!(packed, made);
    }
}
