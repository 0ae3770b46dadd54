//! The in-browser search index, exported from the words of the build's
//! search documents as `search::terms` counted them, scored with tantivy's
//! own BM25 so the browser ranks with the very numbers `portico search`
//! gives (the tests export a tantivy index of the same documents,
//! `from_index`, and compare the files byte for byte).
//!
//! Pages opened from `file://` may load `<script src>` but not `fetch`, so
//! every file is a classic script that hands its data to
//! `porticoSearch(kind, key, data)` (defined by `assets/search.js`). A query
//! loads `meta.js`, one dictionary shard per typed word, the postings
//! chunks of the words it matched, and the fragments of the results shown:
//!
//! - `meta.js`: document count, the dictionary shard keys, where fragment
//!   blocks start, facet values and one facet row per entity.
//! - `d/<hex of the first two letters>.js`: the indexed words starting with
//!   those letters, as `word,fields,chunk;…` (`fields`: 1 title, 2 heading,
//!   4 body).
//! - `p/<n>.js`: postings of consecutive words, `["word,word,…",
//!   "<packed>"]`: for each word in turn, its document count, then per
//!   document (document − previous document) × 8 + fields, then the
//!   field's BM25 score × 64 for each field set, as 7-bit variable-length
//!   numbers, the whole chunk compressed with raw deflate and written in
//!   base64 (about 0.6 of the uncompressed digits' size).
//! - `f/<n>.js`: what results show, `[title, url, breadcrumb, heading, body,
//!   cut]` for consecutive documents (`cut`: 1 when the body was shortened), as JSON compressed with raw deflate and
//!   written in base64 (the browser inflates it with `DecompressionStream`):
//!   section text is most of the index, and compresses about fourfold.
//!
//! Documents are numbered in (entity, page, section) order, so an entity's
//! documents are consecutive and one facet row per entity covers them.

use super::SearchDoc;
use super::listed::Listed;
use super::terms::RunTerms;
use crate::cache::DiskCache;
use crate::output::OutputFile;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::Bm25Weight;

#[cfg(test)]
pub mod from_index;

/// Where the browser's index goes, inside the built site.
pub use crate::address::WEB_SEARCH_DIR as WEB_DIR;
/// Scores are stored as integers in 1/64ths (under 1 % error above 1.0).
const SCORE_SCALE: f32 = 64.0;
/// A postings chunk closes after this many bytes (one very common word
/// makes a bigger one): small enough that a query loads little.
const CHUNK_BYTES: usize = 16 * 1024;
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

/// One document's score for a word in one field, packed so that a plain
/// sort of numbers orders a word's occurrences by document, then field:
/// the document's number (high 32 bits), the field's slot (2 bits: 0
/// title, 1 heading, 2 body) and the score in 1/64ths (30 bits). Eight
/// bytes an occurrence, sorted in place: the structs sorted by a key
/// before were 20 bytes and a stable sort's scratch of as much again,
/// fresh memory the kernel zeroed for every common word (a third of the
/// export's time at 10,000 pages).
type Scored = u64;

const SCORE_BITS: u32 = 30;

fn scored(doc: u32, slot: usize, score: u32) -> Scored {
    (u64::from(doc) << 32)
        | ((slot as u64) << SCORE_BITS)
        | u64::from(score.min((1 << SCORE_BITS) - 1))
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
    mut write: impl Write,
) -> Result<KeptRuns, ExportError> {
    let timer = crate::timings::Timer::new();
    let (order, number_of_seq) = numbering(&added);
    counted.check(added.len()).map_err(ExportError::Words)?;
    let words = |first| Ok(counted.postings(&number_of_seq, first));
    // A failed write's message (it names the file) is given as it came.
    let mut failed_write = None;
    let mut write = |files: &mut Vec<OutputFile>| {
        write(files).map_err(|e| {
            failed_write = Some(e.clone());
            tantivy::TantivyError::SystemError(e)
        })
    };
    let exported = write_export(&added, &order, words, kept, &mut write, timer);
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

/// The files of the browser index of `added`, numbered in `order`, each
/// word's postings made by `words` a first byte at a time.
fn write_export(
    added: &[Listed],
    order: &[usize],
    mut words: impl FnMut(u8) -> tantivy::Result<(Vec<EncodedWord>, Vec<ShardCut>)>,
    kept: Option<&DiskCache>,
    write: &mut impl FnMut(&mut Vec<OutputFile>) -> tantivy::Result<()>,
    mut timer: crate::timings::Timer,
) -> tantivy::Result<KeptRuns> {
    let docs: Vec<&Listed> = order.iter().map(|seq| &added[*seq]).collect();
    let mut files = Vec::new();
    // A range of words at a time (by their first byte, in the order the
    // files list them), so only that range's postings are in memory: all
    // of them at once were the largest thing a big build held.
    let mut written = PostingsFiles::default();
    let mut cut = Vec::new();
    for first in 0..=u8::MAX {
        let (postings, shards_cut) = words(first)?;
        cut.extend(shards_cut);
        written.add(postings, &mut files);
        write(&mut files)?;
    }
    for (key, left_out) in cut {
        eprintln!(
            "note: the browser's search index leaves out {left_out} rare words starting with `{}` \
             (a dictionary shard lists at most {MAX_SHARD_WORDS}; `portico search` finds them)",
            key.escape_debug()
        );
    }
    let shards = written.finish(&mut files);
    write(&mut files)?;
    timer.lap("  browser: postings read and scored, dictionary and postings files");
    let (fragment_starts, taken, runs) = fragments(&docs, &mut files, kept, write)?;
    timer.lap(&format!(
        "  browser: fragments ({} blocks, {} packed before, {} kept)",
        fragment_starts.len(),
        taken.packed,
        taken.kept
    ));
    files.push(meta(&docs, &shards, &fragment_starts));
    write(&mut files)?;
    timer.lap("  browser: meta");
    Ok(runs)
}

/// The documents' `seq`s in a build-independent order (`order_key`'s,
/// ties broken by `seq`, as a stable sort would). Each key is made once,
/// with its two strings replaced by their places among the distinct ones
/// (a few thousand entity refs and pages), so the sort compares numbers:
/// comparing the strings was 5 % of a merge, mostly the same entity ref
/// against itself, a docs site's every section holding it.
fn numbering_order(added: &[Listed]) -> Vec<usize> {
    let keys: Vec<(&str, bool, &str, u32)> = added.par_iter().map(Listed::order_key).collect();
    let entities = places(keys.iter().map(|key| key.0));
    let pages = places(keys.iter().map(|key| key.2));
    let mut keyed: Vec<((u32, bool, u32, u32), usize)> = keys
        .iter()
        .enumerate()
        .map(|(seq, (entity, other, page, position))| {
            ((entities[entity], *other, pages[page], *position), seq)
        })
        .collect();
    keyed.par_sort_unstable();
    keyed.into_iter().map(|(_, seq)| seq).collect()
}

/// Each document's number in the browser index, by `seq`.
pub fn numbers_by_seq(added: &[Listed]) -> Vec<u32> {
    numbering(added).1
}

/// The documents' `seq`s in the browser's numbering order
/// ([`numbering_order`]), and each one's number by `seq`.
fn numbering(added: &[Listed]) -> (Vec<usize>, Vec<u32>) {
    let order = numbering_order(added);
    let mut number_of_seq = vec![0u32; added.len()];
    for (number, seq) in order.iter().enumerate() {
        number_of_seq[*seq] = u32::try_from(number).unwrap_or(u32::MAX);
    }
    (order, number_of_seq)
}

/// Each distinct string's place among the distinct strings, in order.
fn places<'a>(strings: impl Iterator<Item = &'a str>) -> HashMap<&'a str, u32> {
    let mut distinct: Vec<&str> = strings
        .collect::<std::collections::HashSet<&str>>()
        .into_iter()
        .collect();
    distinct.sort_unstable();
    distinct.into_iter().zip(0u32..).collect()
}

/// The build-cache keys of the docs runs' blocks the export packed or
/// took from the cache (`kept_or_packed`), by entity ref.
pub type KeptRuns = HashMap<String, crate::memo::Key>;

/// One document's occurrences of a word in one field, before scoring:
/// (document number, term frequency, fieldnorm id).
type Occurrence = (u32, u32, u8);

/// A word's occurrences in one field of one part of the documents (a
/// counted run's, or in the tests' oracle a tantivy segment's): its slot
/// (0 title, 1 heading, 2 body), how many of those documents hold it, and
/// where.
type SegmentWord = (usize, u32, Vec<Occurrence>);

/// Runs of documents' words counted as they were gathered
/// (`super::terms::RunTerms`), each with the `seq` of its first document,
/// and what scoring them needs: each document's fieldnorm ids and each
/// field's average length over every document.
pub struct CountedRuns {
    runs: Vec<(u64, RunTerms, Vec<[u8; 3]>)>,
    total_docs: u64,
    average: [f32; 3],
}

impl CountedRuns {
    /// `runs` of `total_docs` documents in all.
    pub fn new(runs: Vec<(u64, RunTerms)>, total_docs: u64) -> CountedRuns {
        let mut average = [0f32; 3];
        for (slot, average) in average.iter_mut().enumerate() {
            let tokens: u64 = runs
                .iter()
                .flat_map(|(_, run)| run.lengths.iter())
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
                    .lengths
                    .iter()
                    .map(|lengths| lengths.map(FieldNormReader::fieldnorm_to_id))
                    .collect();
                (first, run, norms)
            })
            .collect();
        CountedRuns {
            runs,
            total_docs,
            average,
        }
    }

    /// That the runs count `documents` documents, each once, and that
    /// every occurrence is of a document of its run (a run read from a
    /// part or the cache is checked before it is trusted).
    pub fn check(&self, documents: usize) -> Result<(), String> {
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
            if !run.is_whole() {
                return Err("the search words of a run are damaged".into());
            }
        }
        if counted.iter().any(|seen| !seen) {
            return Err("the search words leave a document out".into());
        }
        Ok(())
    }

    /// The postings of the words whose first byte is `first`: one list per
    /// (word, field) over every run, so scoring gathers no more entries
    /// than words.
    fn postings(&self, number_of_seq: &[u32], first: u8) -> (Vec<EncodedWord>, Vec<ShardCut>) {
        let mut entries: Vec<(&str, u32, u32)> = Vec::new();
        for (r, (_, run, _)) in (0u32..).zip(&self.runs) {
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
                        let slot = usize::from(slot).min(2);
                        let norm = norms.get(document as usize).map_or(0, |n| n[slot]);
                        lists[slot].push((number, frequency, norm));
                    }
                }
                let found = (0..3)
                    .zip(lists)
                    .filter(|(_, list)| !list.is_empty())
                    .map(|(slot, list)| (slot, list.len() as u32, list))
                    .collect();
                (group[0].0.to_string(), found)
            })
            .collect();
        scored_words(
            gathered.into_iter().collect(),
            self.total_docs,
            self.average,
        )
    }
}

/// Each word's postings scored and encoded, from its occurrences in each
/// part; with the dictionary shards cut.
fn scored_words(
    mut gathered: BTreeMap<String, Vec<SegmentWord>>,
    total_docs: u64,
    average: [f32; 3],
) -> (Vec<EncodedWord>, Vec<ShardCut>) {
    // Every word of a shard starts with the same first byte: all here.
    let cut = cap_shards(&mut gathered, MAX_SHARD_WORDS);
    // One BM25 weight per (field, document frequency), shared by the words
    // with that frequency.
    let mut frequencies: [BTreeSet<u64>; 3] = Default::default();
    for found in gathered.values() {
        let mut sums = [0u64; 3];
        for (slot, doc_freq, _) in found {
            sums[*slot] += u64::from(*doc_freq);
        }
        for slot in 0..3 {
            if sums[slot] > 0 {
                frequencies[slot].insert(sums[slot]);
            }
        }
    }
    let weights: Vec<std::collections::HashMap<u64, Bm25Weight>> = (0..3)
        .map(|slot| {
            frequencies[slot]
                .iter()
                .map(|df| {
                    let weight =
                        Bm25Weight::for_one_term_without_explain(*df, total_docs, average[slot]);
                    (*df, weight)
                })
                .collect()
        })
        .collect();
    let words: Vec<EncodedWord> = gathered
        .into_par_iter()
        // One list per run of words, emptied for each: its memory is used
        // again rather than asked for (and zeroed) anew for every word.
        .map_init(Vec::new, |list: &mut Vec<Scored>, (word, found)| {
            let mut sums = [0u64; 3];
            for (slot, doc_freq, _) in &found {
                sums[*slot] += u64::from(*doc_freq);
            }
            list.clear();
            for (slot, _, occurrences) in found {
                let Some(weight) = weights[slot].get(&sums[slot]) else {
                    continue;
                };
                list.extend(occurrences.into_iter().map(|(doc, freq, norm)| {
                    let score = (weight.score(norm, freq) * SCORE_SCALE).round() as u32;
                    scored(doc, slot, score)
                }));
            }
            // No two occurrences share a document and a field (a document
            // is counted in one run), so the order is the same whatever the
            // sort: the unstable one sorts in place.
            list.sort_unstable();
            let (fields, encoded) = encode_postings(list);
            (word, fields, encoded)
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

/// A word, the fields that hold it (bits by slot) and its postings as
/// [`encode_postings`] writes them.
type EncodedWord = (String, u8, Vec<u8>);

/// The postings chunks and dictionary shards, written as words come in
/// their order ([`PostingsFiles::add`], a range of words at a time).
#[derive(Default)]
struct PostingsFiles {
    /// Each dictionary shard's entries, by key.
    shards: BTreeMap<String, String>,
    /// The chunk being filled: its words, in order, and their encoded
    /// postings one after the other.
    chunk: PostingsChunk,
    chunk_bytes: usize,
    chunk_number: usize,
}

impl PostingsFiles {
    /// Adds the next words (each after every word added before), writing
    /// each chunk as it fills.
    fn add(&mut self, encoded: Vec<EncodedWord>, files: &mut Vec<OutputFile>) {
        let mut full = Vec::new();
        for (word, fields, encoded) in encoded {
            if self.chunk_bytes + encoded.len() > CHUNK_BYTES && !self.chunk.is_empty() {
                full.push((self.chunk_number, std::mem::take(&mut self.chunk)));
                self.chunk_bytes = 0;
                self.chunk_number += 1;
            }
            self.chunk_bytes += word.len() + encoded.len() + 1;
            let entries = self.shards.entry(shard_key(&word)).or_default();
            if !entries.is_empty() {
                entries.push(';');
            }
            entries.push_str(&format!("{word},{fields},{}", self.chunk_number));
            self.chunk.push(&word, &encoded);
        }
        // Deflating is most of a chunk's cost: on every core.
        let written: Vec<OutputFile> = full
            .into_par_iter()
            .map(|(number, chunk)| chunk.file(number))
            .collect();
        files.extend(written);
    }

    /// Writes the last chunk and the dictionary shards; returns the shard
    /// keys.
    fn finish(self, files: &mut Vec<OutputFile>) -> Vec<String> {
        if !self.chunk.is_empty() {
            files.push(self.chunk.file(self.chunk_number));
        }
        for (key, entries) in &self.shards {
            files.push(script(
                &format!("d/{}.js", hex(key)),
                "d",
                &json(key),
                &json(entries),
            ));
        }
        self.shards.into_keys().collect()
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

    /// `p/<n>.js`: `["word,word,…", "<postings, deflated, in base64>"]`.
    /// Postings compress to about half (document gaps and scores repeat),
    /// and text that must travel as base64 anyway is smaller deflated.
    fn file(self, number: usize) -> OutputFile {
        let packed = base64(&deflate_raw(&self.postings));
        script(
            &format!("p/{number}.js"),
            "p",
            &number.to_string(),
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

/// A word's postings as the browser reads them: how many documents, then
/// for each (document − previous document) × 8 + fields, then the field's
/// BM25 score × 64 for each field set (in slot order), every number a
/// [`vlq`]; from its occurrences sorted ([`Scored`]). Returns the fields
/// any document holds it in, too.
fn encode_postings(sorted: &[Scored]) -> (u8, Vec<u8>) {
    let doc = |s: Scored| (s >> 32) as u32;
    let slot = |s: Scored| ((s >> SCORE_BITS) & 3) as u8;
    let score = |s: Scored| (s & ((1 << SCORE_BITS) - 1)) as u32;
    // About two bytes an occurrence (a gap and a score).
    let mut out = Vec::with_capacity(sorted.len() * 2 + 8);
    let documents = sorted.chunk_by(|a, b| doc(*a) == doc(*b)).count();
    vlq(&mut out, documents as u32);
    let (mut previous, mut all_fields) = (0, 0u8);
    for group in sorted.chunk_by(|a, b| doc(*a) == doc(*b)) {
        let this = doc(group[0]);
        // One score a field: a field twice (numbers that collided, from a
        // damaged part) is summed, as one posting per document always was.
        let mut scores = [0u32; 3];
        let mut fields = 0u8;
        for s in group {
            let slot = slot(*s).min(2);
            fields |= 1 << slot;
            scores[usize::from(slot)] = scores[usize::from(slot)].saturating_add(score(*s));
        }
        vlq(&mut out, (this - previous) * 8 + u32::from(fields));
        previous = this;
        all_fields |= fields;
        for (slot, score) in scores.iter().enumerate() {
            if fields & (1 << slot) != 0 {
                vlq(&mut out, *score);
            }
        }
    }
    (all_fields, out)
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
    // Made and written a thousand at a time.
    for (batch, blocks) in blocks.chunks(1024).enumerate() {
        let first = batch * 1024;
        let made: Vec<OutputFile> = blocks
            .par_iter()
            .enumerate()
            .map(|(n, block)| {
                let number = first + n;
                script(
                    &format!("f/{number}.js"),
                    "f",
                    &number.to_string(),
                    &format!("\"{}\"", block.packed),
                )
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

/// Facet values (sorted, referred to by position) and one row per entity:
/// `[documents, has an entity document (1/0), kind, type, owner,
/// lifecycle, namespace, [tags], level]`, in document order. The level is
/// the entity document's (docs sections are filtered by their entity's).
fn meta(docs: &[&Listed], shards: &[String], fragment_starts: &[usize]) -> OutputFile {
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
        "{{\"version\":1,\"documents\":{},\"shards\":{},\"fragments\":{},\"facets\":{},\"entities\":{rows}}}",
        docs.len(),
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
        format!("porticoSearch(\"{kind}\",{key},{data});\n"),
    )
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
        let mut expected: Vec<_> = added.iter().map(Listed::order_key).zip(0..).collect();
        expected.sort();
        let expected: Vec<usize> = expected.into_iter().map(|(_, seq)| seq).collect();
        assert_eq!(numbering_order(&added), expected);
        assert!(numbering_order(&[]).is_empty());
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
        let (starts, taken, _) = fragments(&refs, files, kept, &mut |_| Ok(())).unwrap();
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

    #[test]
    fn postings_are_delta_coded_with_a_score_per_field() {
        let mut list = [scored(5, 2, 3), scored(2, 2, 10), scored(2, 0, 64)];
        list.sort_unstable();
        let (fields, encoded) = encode_postings(&list);
        assert_eq!(read_vlqs(&encoded), [2, 2 * 8 + 5, 64, 10, 3 * 8 + 4, 3]);
        assert_eq!(fields, 0b101);
        // A document's fields in slot order whatever its number; a score
        // past the bits kept is capped, not spilled into the field.
        let mut list = [
            scored(1000, 1, u32::MAX),
            scored(1000, 0, 1),
            scored(0, 2, 7),
        ];
        list.sort_unstable();
        let (fields, encoded) = encode_postings(&list);
        assert_eq!(
            read_vlqs(&encoded),
            [2, 4, 7, 1000 * 8 + 3, 1, (1 << SCORE_BITS) - 1]
        );
        assert_eq!(fields, 0b111);
        assert_eq!(encode_postings(&[]), (0, vec![0]));
        // One document and field twice (numbers that collided): one score,
        // the sum, so the browser never reads a number too many.
        let mut list = [scored(3, 2, 5), scored(3, 2, 6), scored(4, 0, 1)];
        list.sort_unstable();
        assert_eq!(
            read_vlqs(&encode_postings(&list).1),
            [2, 3 * 8 + 4, 11, 8 + 1, 1]
        );
    }

    #[test]
    fn a_chunk_holds_its_words_and_their_postings_deflated() {
        let mut chunk = PostingsChunk::default();
        chunk.push("alpha", &encode_postings(&[scored(7, 0, 100)]).1);
        chunk.push("beta", &encode_postings(&[]).1);
        let file = chunk.file(3);
        assert_eq!(file.path, format!("{WEB_DIR}/p/3.js"));
        let text = String::from_utf8(file.bytes.to_vec()).unwrap();
        let data = text
            .strip_prefix("porticoSearch(\"p\",3,")
            .and_then(|t| t.strip_suffix(");\n"))
            .unwrap();
        let (words, packed): (String, String) = serde_json::from_str(data).unwrap();
        assert_eq!(words, "alpha,beta");
        let deflated = base64_decode(&packed);
        let mut out = vec![0; 64];
        let config = zlib_rs::InflateConfig { window_bits: -15 };
        let (plain, code) = zlib_rs::decompress_slice(&mut out, &deflated, config);
        assert_eq!(code, zlib_rs::ReturnCode::Ok);
        assert_eq!(read_vlqs(plain), [1, 7 * 8 + 1, 100, 0]);
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
        let mut damaged = run(3);
        damaged.lengths.truncate(1);
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
        let entries: String = serde_json::from_str(data).unwrap();
        assert_eq!(entries.split(';').count(), MAX_SHARD_WORDS);
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
