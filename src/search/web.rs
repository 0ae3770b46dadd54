//! The in-browser search index, exported from the committed tantivy index,
//! so the browser ranks with the very BM25 numbers `portico search` uses.
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
//! - `p/<n>.js`: postings of consecutive words, `{word: "<vlq>"}`: per
//!   document, (document − previous document) × 8 + fields, then the
//!   field's BM25 score × 64 for each field set, as base64 VLQ digits.
//! - `f/<n>.js`: what results show, `[title, url, breadcrumb, heading, body]`
//!   for consecutive documents.
//!
//! Documents are numbered in (entity, page, section) order, so an entity's
//! documents are consecutive and one facet row per entity covers them.

use super::index::{Fields, fields_of, register_tokenizers};
use crate::output::OutputFile;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use tantivy::postings::Postings;
use tantivy::query::{Bm25StatisticsProvider, Bm25Weight};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, DocSet, Index, Searcher, TERMINATED, TantivyDocument, Term};

/// Where the browser's index goes, inside the built site.
pub const WEB_DIR: &str = "_search/web";
/// Scores are stored as integers in 1/64ths (under 1 % error above 1.0).
const SCORE_SCALE: f32 = 64.0;
/// A postings chunk closes after this many bytes (one very common word
/// makes a bigger one): small enough that a query loads little.
const CHUNK_BYTES: usize = 16 * 1024;
/// A fragment block closes after this many bytes.
const FRAGMENT_BYTES: usize = 8 * 1024;
/// Section text kept for snippets.
const FRAGMENT_BODY_CHARS: usize = 3000;

/// One indexed document, as stored.
struct StoredDoc {
    title: String,
    url: String,
    breadcrumb: String,
    heading: String,
    body: String,
    entity_ref: String,
    is_entity: bool,
    kind: String,
    spec_type: String,
    owner: String,
    lifecycle: String,
    namespace: String,
    tags: Vec<String>,
    position: u64,
}

impl StoredDoc {
    fn read(doc: &TantivyDocument, f: &Fields) -> StoredDoc {
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        StoredDoc {
            title: text(f.shown_title),
            url: text(f.url),
            breadcrumb: text(f.breadcrumb),
            heading: text(f.heading),
            body: text(f.body),
            entity_ref: text(f.entity_ref),
            is_entity: text(f.doc_type) == "entity",
            kind: text(f.kind),
            spec_type: text(f.spec_type),
            owner: text(f.owner),
            lifecycle: text(f.lifecycle),
            namespace: text(f.namespace),
            tags: doc
                .get_all(f.tag)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            position: doc
                .get_first(f.position)
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
        }
    }

    /// Entity first, then its docs by page and section.
    fn order_key(&self) -> (&str, bool, &str, u64) {
        let page = self.url.split('#').next().unwrap_or("");
        (&self.entity_ref, !self.is_entity, page, self.position)
    }
}

/// One document's share of a word: which fields hold it, and its scores.
#[derive(Default, Clone, Copy)]
struct Posting {
    doc: u32,
    fields: u8,
    scores: [u32; 3],
}

/// The browser index's files, read from the committed index in `index_dir`.
pub fn export(index_dir: &Path) -> tantivy::Result<Vec<OutputFile>> {
    let index = Index::open_in_dir(index_dir)?;
    register_tokenizers(&index);
    let fields = fields_of(&index.schema())?;
    let searcher = index.reader()?.searcher();

    // Number documents in a build-independent order.
    let mut docs = Vec::new();
    for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
        let segment_ord = u32::try_from(segment_ord).unwrap_or(u32::MAX);
        for doc_id in segment.doc_ids_alive() {
            let doc: TantivyDocument = searcher.doc(DocAddress::new(segment_ord, doc_id))?;
            docs.push(((segment_ord, doc_id), StoredDoc::read(&doc, &fields)));
        }
    }
    docs.sort_by(|a, b| a.1.order_key().cmp(&b.1.order_key()));
    let number: HashMap<(u32, u32), u32> = docs
        .iter()
        .enumerate()
        .map(|(n, (address, _))| (*address, u32::try_from(n).unwrap_or(u32::MAX)))
        .collect();
    let docs: Vec<StoredDoc> = docs.into_iter().map(|(_, d)| d).collect();

    let postings = postings(&searcher, &fields, &number)?;
    let mut files = Vec::new();
    let shards = words_and_postings(&postings, &mut files);
    let fragment_starts = fragments(&docs, &mut files);
    files.push(meta(&docs, &shards, &fragment_starts));
    Ok(files)
}

/// Every word's postings over the three searched fields, with tantivy's
/// own BM25 score for each (document, field).
fn postings(
    searcher: &Searcher,
    fields: &Fields,
    number: &HashMap<(u32, u32), u32>,
) -> tantivy::Result<BTreeMap<String, Vec<Posting>>> {
    let mut words: BTreeMap<String, Vec<Posting>> = BTreeMap::new();
    let total_docs = searcher.total_num_docs()?;
    for (slot, field) in [fields.title, fields.heading, fields.body]
        .into_iter()
        .enumerate()
    {
        let average = searcher.total_num_tokens(field)? as f32 / total_docs.max(1) as f32;
        for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
            let segment_ord = u32::try_from(segment_ord).unwrap_or(u32::MAX);
            let inverted = segment.inverted_index(field)?;
            let norms = segment.get_fieldnorms_reader(field)?;
            let mut stream = inverted.terms().stream()?;
            while stream.advance() {
                let Ok(word) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                let term = Term::from_field_text(field, word);
                let weight =
                    Bm25Weight::for_one_term(searcher.doc_freq(&term)?, total_docs, average);
                let mut docs = inverted
                    .read_postings_from_terminfo(stream.value(), IndexRecordOption::WithFreqs)?;
                let list = words.entry(word.to_string()).or_default();
                while docs.doc() != TERMINATED {
                    let doc_id = docs.doc();
                    let score = weight.score(norms.fieldnorm_id(doc_id), docs.term_freq());
                    let mut posting = Posting {
                        doc: number.get(&(segment_ord, doc_id)).copied().unwrap_or(0),
                        fields: 1 << slot,
                        ..Posting::default()
                    };
                    posting.scores[slot] = (score * SCORE_SCALE).round() as u32;
                    list.push(posting);
                    docs.advance();
                }
            }
        }
    }
    // One posting per document, fields merged.
    for list in words.values_mut() {
        list.sort_by_key(|p| p.doc);
        list.dedup_by(|later, kept| {
            if later.doc != kept.doc {
                return false;
            }
            kept.fields |= later.fields;
            for slot in 0..3 {
                kept.scores[slot] += later.scores[slot];
            }
            true
        });
    }
    Ok(words)
}

/// Writes the postings chunks and dictionary shards; returns the shard keys.
fn words_and_postings(
    words: &BTreeMap<String, Vec<Posting>>,
    files: &mut Vec<OutputFile>,
) -> Vec<String> {
    let mut shards: BTreeMap<String, String> = BTreeMap::new();
    let mut chunk: BTreeMap<&str, String> = BTreeMap::new();
    let mut chunk_bytes = 0;
    let mut chunk_number = 0;
    for (word, list) in words {
        let encoded = encode_postings(list);
        if chunk_bytes + encoded.len() > CHUNK_BYTES && !chunk.is_empty() {
            files.push(chunk_file(chunk_number, &chunk));
            chunk.clear();
            chunk_bytes = 0;
            chunk_number += 1;
        }
        chunk_bytes += word.len() + encoded.len() + 6;
        let fields = list.iter().fold(0, |acc, p| acc | p.fields);
        let entries = shards.entry(shard_key(word)).or_default();
        if !entries.is_empty() {
            entries.push(';');
        }
        entries.push_str(&format!("{word},{fields},{chunk_number}"));
        chunk.insert(word, encoded);
    }
    if !chunk.is_empty() {
        files.push(chunk_file(chunk_number, &chunk));
    }
    for (key, entries) in &shards {
        files.push(script(
            &format!("d/{}.js", hex(key)),
            "d",
            &json(key),
            &json(entries),
        ));
    }
    shards.into_keys().collect()
}

fn chunk_file(number: usize, chunk: &BTreeMap<&str, String>) -> OutputFile {
    script(
        &format!("p/{number}.js"),
        "p",
        &number.to_string(),
        &json(chunk),
    )
}

/// A word's dictionary shard: its first two letters.
pub fn shard_key(word: &str) -> String {
    word.chars().take(2).collect()
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

fn encode_postings(list: &[Posting]) -> String {
    let mut out = String::new();
    let mut previous = 0;
    for p in list {
        vlq(&mut out, (p.doc - previous) * 8 + u32::from(p.fields));
        previous = p.doc;
        for slot in 0..3 {
            if p.fields & (1 << slot) != 0 {
                vlq(&mut out, p.scores[slot]);
            }
        }
    }
    out
}

/// Base64 VLQ: five bits per digit, low bits first, 32 marks "more".
fn vlq(out: &mut String, mut value: u32) {
    const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    loop {
        let digit = (value & 31) as usize;
        value >>= 5;
        if value == 0 {
            out.push(DIGITS[digit] as char);
            return;
        }
        out.push(DIGITS[digit | 32] as char);
    }
}

/// Writes the fragment blocks; returns the first document of each.
fn fragments(docs: &[StoredDoc], files: &mut Vec<OutputFile>) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut block: Vec<[&str; 5]> = Vec::new();
    let mut bytes = 0;
    let flush = |block: &mut Vec<[&str; 5]>, starts: &Vec<usize>, files: &mut Vec<OutputFile>| {
        let number = starts.len() - 1;
        files.push(script(
            &format!("f/{number}.js"),
            "f",
            &number.to_string(),
            &json(&*block),
        ));
        block.clear();
    };
    for (n, doc) in docs.iter().enumerate() {
        if block.is_empty() {
            starts.push(n);
        }
        let body = match doc.body.char_indices().nth(FRAGMENT_BODY_CHARS) {
            Some((cut, _)) => &doc.body[..cut],
            None => &doc.body,
        };
        bytes += doc.title.len() + doc.url.len() + doc.breadcrumb.len() + body.len() + 32;
        block.push([&doc.title, &doc.url, &doc.breadcrumb, &doc.heading, body]);
        if bytes > FRAGMENT_BYTES {
            flush(&mut block, &starts, files);
            bytes = 0;
        }
    }
    if !block.is_empty() {
        flush(&mut block, &starts, files);
    }
    starts
}

/// Facet values (sorted, referred to by position) and one row per entity:
/// `[documents, has an entity document (1/0), kind, type, owner,
/// lifecycle, namespace, [tags]]`, in document order.
fn meta(docs: &[StoredDoc], shards: &[String], fragment_starts: &[usize]) -> OutputFile {
    let facet_names = ["kind", "type", "owner", "lifecycle", "namespace", "tag"];
    let mut values: [BTreeSet<&str>; 6] = Default::default();
    for doc in docs {
        let singles = [
            &doc.kind,
            &doc.spec_type,
            &doc.owner,
            &doc.lifecycle,
            &doc.namespace,
        ];
        for (slot, value) in singles.into_iter().enumerate() {
            values[slot].insert(value);
        }
        values[5].extend(doc.tags.iter().map(String::as_str));
    }
    let position = |slot: usize, value: &str| {
        values[slot]
            .iter()
            .position(|v| *v == value)
            .unwrap_or_default()
    };
    let mut rows = Vec::new();
    let mut start = 0;
    while start < docs.len() {
        let first = &docs[start];
        let count = docs[start..]
            .iter()
            .take_while(|d| d.entity_ref == first.entity_ref)
            .count();
        let tags: Vec<usize> = first.tags.iter().map(|t| position(5, t)).collect();
        rows.push(serde_json::json!([
            count,
            u8::from(first.is_entity),
            position(0, &first.kind),
            position(1, &first.spec_type),
            position(2, &first.owner),
            position(3, &first.lifecycle),
            position(4, &first.namespace),
            tags,
        ]));
        start += count;
    }
    let facets: serde_json::Map<String, serde_json::Value> = facet_names
        .iter()
        .zip(&values)
        .map(|(name, set)| ((*name).to_string(), serde_json::json!(set)))
        .collect();
    let meta = serde_json::json!({
        "version": 1,
        "documents": docs.len(),
        "shards": shards,
        "fragments": fragment_starts,
        "facets": facets,
        "entities": rows,
    });
    script("meta.js", "meta", "\"\"", &json(&meta))
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
    fn vlq_digits_carry_five_bits() {
        let mut out = String::new();
        for v in [0, 31, 32, 1000] {
            vlq(&mut out, v);
        }
        // 32 = 0 with "more", then 1; 1000 = 8 with "more", then 31.
        assert_eq!(out, "AfgBof");
    }

    #[test]
    fn postings_are_delta_coded_with_a_score_per_field() {
        let list = [
            Posting {
                doc: 2,
                fields: 0b101,
                scores: [64, 0, 10],
            },
            Posting {
                doc: 5,
                fields: 0b100,
                scores: [0, 0, 3],
            },
        ];
        let mut expected = String::new();
        for v in [2 * 8 + 5, 64, 10, 3 * 8 + 4, 3] {
            vlq(&mut expected, v);
        }
        assert_eq!(encode_postings(&list), expected);
    }

    #[test]
    fn shards_are_keyed_by_two_letters() {
        assert_eq!(shard_key("deploy"), "de");
        assert_eq!(shard_key("é"), "é");
        assert_eq!(hex("dé"), "64c3a9");
    }
}
