//! The browser index exported from a committed tantivy index of the
//! documents, read back segment by segment: how builds made it before
//! they counted words themselves (`super::export_counted_into`). Kept for
//! the tests as the oracle the counted export must equal byte for byte.

use super::*;
use crate::search::index::Fields;
use std::path::Path;
use tantivy::postings::Postings;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, Index, Searcher, TERMINATED};

/// The browser index's files, from the committed index in `index_dir` and
/// the documents it was given (by `seq`, as `IndexBuilder::finish` returns them).
pub fn export(index_dir: &Path, added: Vec<SearchDoc>) -> tantivy::Result<Vec<OutputFile>> {
    export_listed(index_dir, added.into_iter().map(Listed::from).collect())
}

/// [`export`] of documents as the export reads them: sections listed
/// packed (`listed::list_site`, or a shard's `listed::list_ranked`) bring
/// their own blocks; the rest are packed here.
pub fn export_listed(index_dir: &Path, added: Vec<Listed>) -> tantivy::Result<Vec<OutputFile>> {
    let mut files = Vec::new();
    let keep = |made: &mut Vec<OutputFile>| {
        files.append(made);
        Ok(())
    };
    export_into(index_dir, added, keep)?;
    Ok(files)
}

/// [`export_listed`], each batch of files handed to `write` as soon as it
/// is made (and emptied).
pub fn export_into(
    index_dir: &Path,
    added: Vec<Listed>,
    mut write: impl Write,
) -> tantivy::Result<KeptRuns> {
    let mut write =
        |files: &mut Vec<OutputFile>| write(files).map_err(tantivy::TantivyError::SystemError);
    let mut timer = crate::timings::Timer::new();
    let index = Index::open_in_dir(index_dir)?;
    let (fields, searcher) = crate::search::index::read_once(&index)?;

    let numbered = numbering(&added);
    // Each segment's tantivy document ids, mapped to those numbers.
    // Every document of the index stands for one of `added`, each once: a
    // number out of range or given twice would point results at other
    // documents.
    let mut taken = vec![false; added.len()];
    let mut number = Vec::new();
    for segment in searcher.segment_readers() {
        let seqs = segment.fast_fields().u64("seq")?;
        let mut of_segment: Vec<u32> = Vec::with_capacity(segment.max_doc() as usize);
        for doc_id in 0..segment.max_doc() {
            let seq = seqs
                .first(doc_id)
                .and_then(|seq| usize::try_from(seq).ok())
                .filter(|seq| taken.get(*seq).is_some_and(|taken| !taken));
            let Some(seq) = seq else {
                return Err(tantivy::TantivyError::InvalidArgument(format!(
                    "the search index in `{}` numbers a document out of range, or twice: it is damaged",
                    index_dir.display()
                )));
            };
            taken[seq] = true;
            of_segment.push(numbered.number_of_seq[seq]);
        }
        number.push(of_segment);
    }
    timer.lap("  browser: documents numbered");
    let total_docs = searcher.total_num_docs()?;
    let mut average = [0f32; 3];
    for (slot, field) in [fields.title, fields.heading, fields.body]
        .into_iter()
        .enumerate()
    {
        average[slot] = searcher.total_num_tokens(field)? as f32 / total_docs.max(1) as f32;
    }
    let words = |first| postings(&searcher, &fields, &number, &numbered.starts, first);
    let segments = Segments::none();
    write_export(
        &added,
        &numbered,
        average,
        words,
        (None, &segments),
        (&mut write, &|_, _| false),
        timer,
    )
}

/// Every word's postings over the three searched fields: each (document,
/// field)'s term frequency and field-length id, what tantivy's BM25 scores
/// with. Each segment's term dictionary is read once. Only the words whose
/// first byte is `first`.
/// Also returns each dictionary shard [`cap_shards`] cut, with how many
/// words it lost.
fn postings(
    searcher: &Searcher,
    fields: &Fields,
    number: &[Vec<u32>],
    starts: &[u32; SEGMENTS + 1],
    first: u8,
) -> tantivy::Result<(Vec<EncodedWord>, Vec<ShardCut>)> {
    let mut jobs = Vec::new();
    for (slot, field) in [fields.title, fields.heading, fields.body]
        .into_iter()
        .enumerate()
    {
        for segment in 0..searcher.segment_readers().len() {
            jobs.push((slot, field, segment));
        }
    }
    // Each (field, segment) on its own thread, then gathered word by word.
    let parts: Vec<Vec<(String, SegmentWord)>> = jobs
        .into_par_iter()
        .map(|(slot, field, segment)| {
            field_occurrences(searcher, field, (slot, first), segment, &number[segment])
        })
        .collect::<tantivy::Result<_>>()?;
    let mut gathered: BTreeMap<String, Vec<SegmentWord>> = BTreeMap::new();
    for part in parts {
        for (word, found) in part {
            match gathered.get_mut(&word) {
                Some(list) => list.push(found),
                None => {
                    gathered.insert(word, vec![found]);
                }
            }
        }
    }
    Ok(encoded_words(gathered, starts))
}

/// The occurrences of every word of one field in one segment whose first
/// byte is `first`, unscored.
fn field_occurrences(
    searcher: &Searcher,
    field: tantivy::schema::Field,
    (slot, first): (usize, u8),
    segment: usize,
    number: &[u32],
) -> tantivy::Result<Vec<(String, SegmentWord)>> {
    let reader = &searcher.segment_readers()[segment];
    let inverted = reader.inverted_index(field)?;
    let norms = reader.get_fieldnorms_reader(field)?;
    let range = inverted.terms().range().ge([first]);
    let mut stream = match first.checked_add(1) {
        Some(next) => range.lt([next]),
        None => range,
    }
    .into_stream()?;
    let mut out = Vec::new();
    while stream.advance() {
        let Ok(word) = std::str::from_utf8(stream.key()) else {
            continue;
        };
        let info = stream.value();
        let mut docs = inverted.read_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
        let mut list = Vec::with_capacity(docs.size_hint() as usize);
        while docs.doc() != TERMINATED {
            let doc_id = docs.doc();
            list.push((
                number.get(doc_id as usize).copied().unwrap_or(0),
                docs.term_freq(),
                norms.fieldnorm_id(doc_id),
            ));
            docs.advance();
        }
        out.push((word.to_string(), (slot, info.doc_freq, list)));
    }
    Ok(out)
}
