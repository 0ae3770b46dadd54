//! Reading the index: the query language and ranking of `portico search`.

use super::index::Fields;
use super::open::{self, Damage};
use crate::limits::{MAX_QUERY_BYTES, MAX_QUERY_WORDS, MAX_SEARCH_RESULTS};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use tantivy::collector::DocSetCollector;
use tantivy::collector::TopDocs;
use tantivy::index::SegmentId;
use tantivy::query::{
    BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery, TermSetQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, DocId, Index, Score, Searcher, SegmentReader, TantivyDocument, Term};

/// Field weights: a match in a title counts most, then headings, then text.
const WEIGHTS: [(Weight, f32); 3] = [
    (Weight::Title, 3.0),
    (Weight::Heading, 2.0),
    (Weight::Body, 1.0),
];

#[derive(Clone, Copy)]
enum Weight {
    Title,
    Heading,
    Body,
}

/// Typo tolerance starts at words of this length (one edit allowed).
const FUZZY_MIN_LEN: usize = 5;

#[derive(Clone, Debug, Default)]
pub struct SearchOptions {
    pub limit: usize,
    pub kind: Option<String>,
    pub owner: Option<String>,
    /// The first scorecard's level (`none` below its first level).
    pub level: Option<String>,
    /// Where indexes made from sites' documents are kept
    /// (`terminal::index_for`); `None`: the user's cache folder.
    pub index_cache: Option<std::path::PathBuf>,
}

/// One result.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Hit {
    pub title: String,
    pub url: String,
    pub entity_ref: String,
    /// The entity kind, or `docs` for a docs section.
    pub kind: String,
    /// The section heading for docs hits.
    pub section: String,
    pub snippet: String,
    pub score: f32,
    /// Whether this result lacks some query word: shown only when fewer
    /// than [`FEW_RESULTS`] documents have every word.
    pub partial: bool,
    #[serde(skip)]
    pub breadcrumb: String,
    /// Byte ranges of `snippet` that matched.
    #[serde(skip)]
    pub highlights: Vec<std::ops::Range<usize>>,
}

#[derive(Debug)]
pub enum SearchError {
    /// The site folder has no index.
    NoIndex(String),
    /// The query is longer than [`MAX_QUERY_BYTES`] or has more than
    /// [`MAX_QUERY_WORDS`] words: a usage error, not cut short.
    Query(String),
    /// The index cannot be searched. `cause` is Portico's own short wording,
    /// never tantivy's text, which may quote a file's contents.
    Damaged { site: String, cause: String },
    /// The index made from a site's documents cannot be kept: the user's
    /// cache folder, and why.
    Unkept { folder: String, cause: String },
}

impl std::fmt::Display for SearchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SearchError::NoIndex(dir) => write!(
                f,
                "no search index in `{dir}`: run `portico build --out {dir}` first (or pass --site)"
            ),
            SearchError::Query(problem) => write!(f, "{problem}"),
            SearchError::Unkept { folder, cause } => write!(
                f,
                "cannot keep the terminal's search index in `{folder}`: {cause}; set XDG_CACHE_HOME to a folder you can write"
            ),
            // A `portico serve` preview's folder is the server's to write.
            SearchError::Damaged { site, cause }
                if site.contains(crate::address::PREVIEW_FOLDER_PREFIX) =>
            {
                write!(
                    f,
                    "the search index at {site} is damaged ({cause}); it is a `portico serve` preview's: search again, or start the server again"
                )
            }
            SearchError::Damaged { site, cause } => write!(
                f,
                "the search index at {site} is damaged ({cause}); rebuild it with `portico build --out {site}`"
            ),
        }
    }
}

/// Refuses a query over the bounds of `limits.rs`, saying which one.
/// Public for the fuzz target (`fuzz/fuzz_targets/search_query.rs`).
pub fn check_query(query: &str) -> Result<(), SearchError> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(SearchError::Query(format!(
            "the query is {} bytes long; at most {MAX_QUERY_BYTES} are allowed",
            query.len()
        )));
    }
    let (words, phrases, _) = split(query);
    // Counted as the index splits words, since each piece is a clause.
    let pieces: usize = words
        .iter()
        .map(|w| {
            w.split(|c: char| !c.is_alphanumeric())
                .filter(|piece| !piece.is_empty())
                .count()
        })
        .sum();
    let count = pieces + phrases.len();
    if count > MAX_QUERY_WORDS {
        return Err(SearchError::Query(format!(
            "the query has {count} words; at most {MAX_QUERY_WORDS} are allowed (a \"quoted phrase\" counts as one)"
        )));
    }
    Ok(())
}

/// The words and quoted phrases of a query, and whether the last word is
/// still being typed (no space after it). Public for the fuzz target.
pub fn split(query: &str) -> (Vec<String>, Vec<String>, bool) {
    let mut words = Vec::new();
    let mut phrases = Vec::new();
    for (i, part) in query.split('"').enumerate() {
        if i % 2 == 1 {
            if !part.trim().is_empty() {
                phrases.push(part.to_string());
            }
        } else {
            words.extend(part.split_whitespace().map(str::to_string));
        }
    }
    let typing = !query.ends_with(char::is_whitespace) && !query.ends_with('"');
    (words, phrases, typing)
}

/// The stemmed tokens of `text`, as the index made them.
fn tokens(index: &Index, fields: &Fields, text: &str) -> Vec<String> {
    let Ok(mut analyzer) = index.tokenizer_for_field(fields.body) else {
        return Vec::new();
    };
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

fn field_of(fields: &Fields, weight: Weight) -> tantivy::schema::Field {
    match weight {
        Weight::Title => fields.title,
        Weight::Heading => fields.heading,
        Weight::Body => fields.body,
    }
}

/// Fewer results than this with every word, and documents with most of
/// the words are shown after them.
pub const FEW_RESULTS: usize = 3;

/// Results read beyond the limit to break ties at the cut.
const TIE_MARGIN: usize = 20;
/// Most results read to settle a tie at the cut.
const MAX_TIE_READ: usize = 100_000;

/// Most index words one typed prefix expands to.
const MAX_PREFIX_EXPANSIONS: usize = 30;

/// Shortest typed prefix that is expanded: two letters match too many
/// words to mean anything, and would make the browser load their postings.
const MIN_PREFIX_LEN: usize = 3;

/// Indexed words of `field` starting with `prefix` (at least
/// [`MIN_PREFIX_LEN`] letters): the first [`MAX_PREFIX_EXPANSIONS`] in byte
/// order, over all segments.
fn expand_prefix(searcher: &Searcher, field: tantivy::schema::Field, prefix: &str) -> Vec<String> {
    if prefix.chars().count() < MIN_PREFIX_LEN {
        return Vec::new();
    }
    let mut words = words_in_range(searcher, field, prefix, MAX_PREFIX_EXPANSIONS, |_| true);
    words.truncate(MAX_PREFIX_EXPANSIONS);
    words
}

/// Indexed words of `field` starting with `prefix` that `keep` accepts, in
/// byte order: at most `limit` from each segment (so the first `limit` of
/// the union are exact).
fn words_in_range(
    searcher: &Searcher,
    field: tantivy::schema::Field,
    prefix: &str,
    limit: usize,
    keep: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut end = prefix.as_bytes().to_vec();
    end.push(0xff);
    let mut words = std::collections::BTreeSet::new();
    for segment in searcher.segment_readers() {
        let Ok(inverted) = segment.inverted_index(field) else {
            continue;
        };
        let Ok(mut stream) = inverted
            .terms()
            .range()
            .ge(prefix.as_bytes())
            .lt(&end)
            .into_stream()
        else {
            continue;
        };
        let mut taken = 0;
        while taken < limit && stream.advance() {
            if let Ok(word) = std::str::from_utf8(stream.key())
                && keep(word)
            {
                words.insert(word.to_string());
                taken += 1;
            }
        }
    }
    words.into_iter().collect()
}

/// Indexed words of `field` one typo (insertion, deletion, substitution or
/// swap of two neighbours) from `word`, sharing its first two letters:
/// the typo tolerance of Elasticsearch's `prefix_length: 2`, which lets the
/// browser look typos up in the one index shard of those two letters.
fn one_typo_words(searcher: &Searcher, field: tantivy::schema::Field, word: &str) -> Vec<String> {
    let Some((cut, _)) = word.char_indices().nth(2) else {
        return Vec::new();
    };
    words_in_range(searcher, field, &word[..cut], usize::MAX, |w| {
        within_one_edit(w, word)
    })
}

/// Whether `a` becomes `b` with at most one edit (a swap of neighbours counts one).
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    if long.len() - short.len() > 1 {
        return false;
    }
    let i = short
        .iter()
        .zip(long.iter())
        .take_while(|(x, y)| x == y)
        .count();
    if i == short.len() {
        return true;
    }
    if short.len() == long.len() {
        // A substitution, or neighbours swapped.
        short[i + 1..] == long[i + 1..]
            || (i + 1 < short.len()
                && short[i] == long[i + 1]
                && short[i + 1] == long[i]
                && short[i + 2..] == long[i + 2..])
    } else {
        short[i..] == long[i + 1..]
    }
}

/// The longest indexed word that the typed word starts with (4+ letters):
/// while typing `migratio`, the index holds the stem `migrat`, not a word
/// starting with `migratio`.
fn stem_prefix_of(
    searcher: &Searcher,
    field: tantivy::schema::Field,
    typed: &str,
) -> Option<String> {
    let ends: Vec<usize> = typed
        .char_indices()
        .map(|(i, _)| i)
        .chain([typed.len()])
        .skip(4)
        .collect();
    ends.into_iter()
        .rev()
        .skip(1)
        .map(|end| &typed[..end])
        .find_map(|prefix| {
            let term = Term::from_field_text(field, prefix);
            let known = searcher.segment_readers().iter().any(|segment| {
                segment
                    .inverted_index(field)
                    .ok()
                    .and_then(|inverted| inverted.get_term_info(&term).ok().flatten())
                    .is_some()
            });
            known.then(|| prefix.to_string())
        })
}

/// A query taken apart: one clause per word (or phrase), each matching
/// the word in any field, and the filters of `--kind` and `--owner`.
struct Clauses {
    words: Vec<Box<dyn Query>>,
    filters: Vec<Box<dyn Query>>,
}

impl Clauses {
    /// Documents with every word.
    fn every_word(&self) -> BooleanQuery {
        let must = self.words.iter().chain(&self.filters);
        BooleanQuery::new(must.map(|q| (Occur::Must, q.box_clone())).collect())
    }

    /// Documents with at least one word, each word adding to the score.
    fn any_word(&self) -> BooleanQuery {
        let any = self.words.iter().map(|q| (Occur::Should, q.box_clone()));
        let any: Box<dyn Query> = Box::new(BooleanQuery::new(any.collect()));
        let filters = self.filters.iter().map(|q| (Occur::Must, q.box_clone()));
        BooleanQuery::new(std::iter::once((Occur::Must, any)).chain(filters).collect())
    }

    /// The documents matching word `i` (and the filters).
    fn one_word(&self, i: usize) -> BooleanQuery {
        let must = self.words[i..=i].iter().chain(&self.filters);
        BooleanQuery::new(must.map(|q| (Occur::Must, q.box_clone())).collect())
    }
}

/// Builds the clauses: every word must match (in some field); phrases too.
fn build_query(
    index: &Index,
    searcher: &Searcher,
    fields: &Fields,
    query: &str,
    options: &SearchOptions,
) -> Option<Clauses> {
    let (words, phrases, typing) = split(query);
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let last = words.len().saturating_sub(1);
    for (i, word) in words.iter().enumerate() {
        // The part being typed: the last piece of a hyphenated word too.
        let lower = word.to_lowercase();
        let raw = lower
            .rsplit(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or(&lower)
            .to_string();
        let word_tokens = tokens(index, fields, word);
        let pieces = word_tokens.len();
        for (t, token) in word_tokens.into_iter().enumerate() {
            // Only the piece being typed (the last of the last word) is a
            // prefix: `qqqqq-roll` must still match `qqqqq` itself.
            let typing = typing && i == last && t + 1 == pieces;
            let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (weight, boost) in WEIGHTS {
                let field = field_of(fields, weight);
                let term = Term::from_field_text(field, &token);
                // While a word is being typed its stem may be a different word
                // ("tracke" stems to "track"): the prefix counts more then.
                let exact = if typing { boost * 0.5 } else { boost };
                any.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                        exact,
                    )),
                ));
                if typing {
                    // Every indexed word the typed prefix starts, scored like
                    // a word of its own (an automaton query would score flat).
                    // When no indexed word starts with what was typed, the
                    // typed word has probably run past its stem.
                    let mut words = expand_prefix(searcher, field, &raw);
                    if words.is_empty() {
                        words.extend(stem_prefix_of(searcher, field, &raw));
                    }
                    for word in words {
                        let term = Term::from_field_text(field, &word);
                        any.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(
                                Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                                boost * 0.8,
                            )),
                        ));
                    }
                }
                if raw.chars().count() >= FUZZY_MIN_LEN {
                    // Flat, like tantivy's fuzzy query: a near word is a hint,
                    // not evidence of how much a document is about it.
                    let near = one_typo_words(searcher, field, &token);
                    if !near.is_empty() {
                        let terms = near.iter().map(|w| Term::from_field_text(field, w));
                        any.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(
                                Box::new(NotShown(Box::new(TermSetQuery::new(terms)))),
                                boost * 0.5,
                            )),
                        ));
                    }
                }
            }
            must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
    }
    for phrase in &phrases {
        let terms = tokens(index, fields, phrase);
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // Only the body keeps word positions, so phrases are matched there.
        for (weight, boost) in [(Weight::Body, 1.0)] {
            let field = field_of(fields, weight);
            let query: Box<dyn Query> = match terms.as_slice() {
                [] => continue,
                [one] => Box::new(TermQuery::new(
                    Term::from_field_text(field, one),
                    IndexRecordOption::WithFreqs,
                )),
                many => Box::new(PhraseQuery::new(
                    many.iter()
                        .map(|t| Term::from_field_text(field, t))
                        .collect(),
                )),
            };
            any.push((Occur::Should, Box::new(BoostQuery::new(query, boost))));
        }
        if !any.is_empty() {
            must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
    }
    if must.is_empty() {
        return None;
    }
    let words = must.into_iter().map(|(_, q)| q).collect();
    let mut filters: Vec<Box<dyn Query>> = Vec::new();
    // `--kind docs` keeps docs sections; `--owner group:default/x` means `x`.
    let kind_filter = options
        .kind
        .as_deref()
        .map(|k| match k.to_lowercase().as_str() {
            "docs" => (fields.doc_type, "docs".to_string()),
            kind => (fields.kind, kind.to_string()),
        });
    let owner_filter = options.owner.as_deref().map(|o| {
        let name = o.rsplit([':', '/']).next().unwrap_or(o);
        (fields.owner, name.to_lowercase())
    });
    for (field, value) in kind_filter.into_iter().chain(owner_filter) {
        {
            let term = Term::from_field_text(field, &value);
            filters.push(Box::new(TermQuery::new(term, IndexRecordOption::Basic)));
        }
    }
    Some(Clauses { words, filters })
}

/// Runs `query` against the index of the site in `site_dir`.
///
/// The index is input like any other: a damaged or hostile one gives
/// [`SearchError::Damaged`], never a panic, and never a file's contents.
pub fn search(
    site_dir: &Path,
    query: &str,
    options: &SearchOptions,
) -> Result<Vec<Hit>, SearchError> {
    check_query(query)?;
    // Composed, as pages are written (`é` typed as `e` + U+0301 found
    // nothing): the index holds what the pages hold.
    let composed: String = unicode_normalization::UnicodeNormalization::nfc(query).collect();
    let query = composed.as_str();
    let cache = match options.index_cache.clone() {
        Some(cache) => cache,
        None => super::terminal::default_cache()?,
    };
    let dir = super::terminal::index_for(site_dir, &cache)?;
    let searched = search_in(site_dir, &dir, query, options);
    // An index made from the site's documents and kept in the cache is
    // Portico's own: damaged there (a disk error, a cleaner), it is made
    // again once rather than reported against the site.
    match searched {
        Err(SearchError::Damaged { .. }) if dir.parent() == Some(cache.as_path()) => {
            let _ = std::fs::remove_dir_all(&dir);
            let dir = super::terminal::index_for(site_dir, &cache)?;
            search_in(site_dir, &dir, query, options)
        }
        searched => searched,
    }
}

/// [`search_index`] of the index in `dir`, damage reported against the
/// site in `site_dir`.
fn search_in(
    site_dir: &Path,
    dir: &Path,
    query: &str,
    options: &SearchOptions,
) -> Result<Vec<Hit>, SearchError> {
    let damaged = |Damage(cause)| SearchError::Damaged {
        site: site_dir.display().to_string(),
        cause,
    };
    // tantivy trusts its files: some damage makes it panic (slicing past
    // the end of a truncated segment, say). This is the last line of defence.
    match open::catch_quietly(|| search_index(dir, query, options)) {
        Ok(result) => result.map_err(damaged).and_then(|asked| asked),
        Err(_) => Err(damaged(Damage("its files are inconsistent".to_string()))),
    }
}

/// Opens the index in `dir` (checked by [`open::index_dir`]) and searches
/// it. The inner error is a question the index cannot answer (a kind it
/// does not hold), the outer one damage.
fn search_index(
    dir: &Path,
    query: &str,
    options: &SearchOptions,
) -> Result<Result<Vec<Hit>, SearchError>, Damage> {
    let index = open::open_index(dir)?;
    let (fields, searcher) = super::index::read_once(&index)?;
    if let Some(kind) = options.kind.as_deref().map(str::to_lowercase)
        && kind != "docs"
    {
        // A kind with no entity is a mistake to name, not an empty result.
        let mut kinds = words_in_range(&searcher, fields.kind, "", usize::MAX, |_| true);
        if !kinds.contains(&kind) {
            kinds.push("docs".to_string());
            return Ok(Err(SearchError::Query(format!(
                "no entity of kind `{kind}` in this site; --kind takes one of: {}",
                kinds.join(", ")
            ))));
        }
    }
    let level_filter = match options.level.as_deref() {
        Some(level) => match level_filter(&searcher, &fields, level)? {
            Ok(filter) => Some(filter),
            Err(e) => return Ok(Err(e)),
        },
        None => None,
    };
    let Some(mut clauses) = build_query(&index, &searcher, &fields, query, options) else {
        return Ok(Ok(Vec::new()));
    };
    clauses.filters.extend(level_filter);
    let wanted = options.limit.clamp(1, MAX_SEARCH_RESULTS);
    let query = clauses.every_word();
    let top = read_top(&searcher, &query, wanted, &TopDocs::order_by_score)?;
    let mut ranked: Vec<(f32, bool, TantivyDocument)> = Vec::with_capacity(top.len());
    for (score, address) in top {
        ranked.push((score, false, searcher.doc(address)?));
    }
    let key = |doc: &TantivyDocument| order_key(&fields, doc);
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| key(&a.2).cmp(&key(&b.2))));
    ranked.truncate(wanted);
    let query = if ranked.len() < FEW_RESULTS.min(wanted) && clauses.words.len() > 1 {
        let partial = most_words(&searcher, &clauses, wanted - ranked.len())?;
        let mut more = Vec::with_capacity(partial.len());
        for ((count, score), address) in partial {
            more.push((count, score, searcher.doc(address)?));
        }
        more.sort_by(|a, b| {
            (b.0.cmp(&a.0))
                .then_with(|| b.1.total_cmp(&a.1))
                .then_with(|| key(&a.2).cmp(&key(&b.2)))
        });
        more.truncate(wanted - ranked.len());
        ranked.extend(more.into_iter().map(|(_, score, doc)| (score, true, doc)));
        clauses.any_word()
    } else {
        query
    };
    let snippets = SnippetGenerator::create(&searcher, &query, fields.body)?;
    let mut hits = Vec::with_capacity(ranked.len());
    for (score, partial, doc) in ranked {
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        // An entity shows its description, not the facts indexed with it.
        let summary = fields
            .summary
            .and_then(|field| doc.get_first(field))
            .and_then(|v| v.as_str())
            .map(str::to_string);
        let snippet = match &summary {
            Some(shown) => snippets.snippet(shown),
            None => snippets.snippet_from_doc(&doc),
        };
        let (fragment, highlights) = if snippet.fragment().is_empty() {
            let body = summary.unwrap_or_else(|| text(fields.body));
            let cut = body.char_indices().nth(150).map_or(body.len(), |(i, _)| i);
            (body[..cut].to_string(), Vec::new())
        } else {
            (
                snippet.fragment().to_string(),
                snippet.highlighted().to_vec(),
            )
        };
        let doc_type = text(fields.doc_type);
        hits.push(Hit {
            title: text(fields.shown_title),
            url: text(fields.url),
            entity_ref: text(fields.entity_ref),
            kind: if doc_type == "docs" {
                "docs".to_string()
            } else {
                text(fields.kind)
            },
            section: if doc_type == "docs" {
                text(fields.heading)
            } else {
                String::new()
            },
            snippet: fragment,
            score,
            partial,
            breadcrumb: text(fields.breadcrumb),
            highlights,
        });
    }
    Ok(Ok(hits))
}

/// `--level`: the documents of the entities at `level` on the first
/// scorecard (their docs sections included: those are indexed before the
/// scorecards are judged, so they are found through their entity).
fn level_filter(
    searcher: &Searcher,
    fields: &Fields,
    level: &str,
) -> Result<Result<Box<dyn Query>, SearchError>, Damage> {
    let level = level.to_lowercase();
    let known = fields.level.map_or_else(Vec::new, |field| {
        words_in_range(searcher, field, "", usize::MAX, |_| true)
    });
    let Some(field) = fields.level.filter(|_| known.contains(&level)) else {
        let hint = if known.is_empty() {
            "this site's index has no levels (no scorecard applies, or it was built by an older Portico)".to_string()
        } else {
            format!("--level takes one of: {}", known.join(", "))
        };
        return Ok(Err(SearchError::Query(format!(
            "no entity at level `{level}` in this site; {hint}"
        ))));
    };
    let at_level = TermQuery::new(
        Term::from_field_text(field, &level),
        IndexRecordOption::Basic,
    );
    let mut refs = Vec::new();
    for address in searcher.search(&at_level, &DocSetCollector)? {
        let doc: TantivyDocument = searcher.doc(address)?;
        if let Some(entity) = doc.get_first(fields.entity_ref).and_then(|v| v.as_str()) {
            refs.push(Term::from_field_text(fields.entity_ref, entity));
        }
    }
    Ok(Ok(Box::new(TermSetQuery::new(refs))))
}

/// The order of equal scores: see [`super::document_order`].
fn order_key(fields: &Fields, doc: &TantivyDocument) -> (String, bool, String, u32) {
    let text = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let position = doc
        .get_first(fields.position)
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    let (entity, doc_type, url) = (
        text(fields.entity_ref),
        text(fields.doc_type),
        text(fields.url),
    );
    let (entity, is_docs, page, position) = super::document_order(
        &entity,
        &doc_type,
        &url,
        u32::try_from(position).unwrap_or(u32::MAX),
    );
    (entity.to_string(), is_docs, page.to_string(), position)
}

/// The best `wanted` results of `query` by `sort key`, read on while keys
/// still tie with the one at the cut: which of many equal documents
/// tantivy returns depends on its segments, and equal keys are then
/// ordered by [`order_key`] (as in the browser).
fn read_top<K, C>(
    searcher: &Searcher,
    query: &dyn Query,
    wanted: usize,
    collector: &dyn Fn(TopDocs) -> C,
) -> tantivy::Result<Vec<(K, DocAddress)>>
where
    K: PartialEq,
    C: tantivy::collector::Collector<Fruit = Vec<(K, DocAddress)>>,
{
    let mut limit = wanted + TIE_MARGIN;
    loop {
        let top = searcher.search(query, &collector(TopDocs::with_limit(limit)))?;
        let tied_to_the_end =
            top.len() == limit && top.get(wanted - 1).map(|t| &t.0) == top.last().map(|t| &t.0);
        if !tied_to_the_end || limit >= MAX_TIE_READ {
            return Ok(top);
        }
        limit = (limit * 4).min(MAX_TIE_READ);
    }
}

/// The best `wanted` documents lacking some word, by how many of the
/// words they have, then by score (BM25 summed over the words they have).
fn most_words(
    searcher: &Searcher,
    clauses: &Clauses,
    wanted: usize,
) -> tantivy::Result<Vec<((usize, f32), DocAddress)>> {
    // How many words each document has, by segment.
    let mut counts: HashMap<SegmentId, HashMap<DocId, usize>> = HashMap::new();
    for i in 0..clauses.words.len() {
        for address in searcher.search(&clauses.one_word(i), &DocSetCollector)? {
            let segment = searcher.segment_reader(address.segment_ord).segment_id();
            *counts
                .entry(segment)
                .or_default()
                .entry(address.doc_id)
                .or_default() += 1;
        }
    }
    let every = clauses.words.len();
    let counts = Arc::new(counts);
    let by_words = move |top: TopDocs| {
        let counts = Arc::clone(&counts);
        top.tweak_score(move |segment: &SegmentReader| {
            let counts = counts
                .get(&segment.segment_id())
                .cloned()
                .unwrap_or_default();
            move |doc: DocId, score: Score| {
                // Documents with every word are already shown.
                let count = counts.get(&doc).copied().unwrap_or(0);
                (if count == every { 0 } else { count }, score)
            }
        })
    };
    // The few documents with every word come last: read past them.
    let top = read_top(
        searcher,
        &clauses.any_word(),
        wanted + FEW_RESULTS,
        &by_words,
    )?;
    Ok(top
        .into_iter()
        .filter(|((count, _), _)| *count > 0)
        .collect())
}

/// A query that matches and scores as the one it holds, but names no
/// term to the snippets: typo matches are found, and not shown in bold
/// (the book says so, and the browser does the same).
#[derive(Debug)]
struct NotShown(Box<dyn Query>);

impl Clone for NotShown {
    fn clone(&self) -> Self {
        NotShown(self.0.box_clone())
    }
}

impl Query for NotShown {
    fn weight(
        &self,
        scoring: tantivy::query::EnableScoring<'_>,
    ) -> tantivy::Result<Box<dyn tantivy::query::Weight>> {
        self.0.weight(scoring)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `portico serve` preview's index is the server's to write: never
    /// advice to build into its folder.
    #[test]
    fn a_damaged_preview_index_is_not_built_into() {
        let damaged = |site: &str| {
            SearchError::Damaged {
                site: site.into(),
                cause: "`x.store` is missing".into(),
            }
            .to_string()
        };
        let preview = damaged("/tmp/portico-serve-42/site");
        assert!(!preview.contains("portico build"), "{preview}");
        assert!(preview.contains("search again"), "{preview}");
        assert!(damaged("site").contains("portico build --out site"));
    }

    #[test]
    fn queries_split_into_words_and_phrases() {
        let (words, phrases, typing) = split("deploy \"rolling back\" ord");
        assert_eq!(words, vec!["deploy", "ord"]);
        assert_eq!(phrases, vec!["rolling back"]);
        assert!(typing);
        assert!(!split("deploy ").2);
    }

    #[test]
    fn queries_are_bounded_in_bytes_and_words() {
        let words = |n: usize| vec!["deploy"; n].join(" ");
        assert!(check_query(&words(MAX_QUERY_WORDS)).is_ok());
        let too_many = check_query(&words(MAX_QUERY_WORDS + 1)).unwrap_err();
        assert_eq!(
            too_many.to_string(),
            "the query has 33 words; at most 32 are allowed (a \"quoted phrase\" counts as one)"
        );
        // Words as the index splits them; a phrase is one, however long.
        assert!(check_query(&vec!["a-b"; 17].join(" ")).is_err());
        let phrase = format!("\"{}\"", words(100));
        assert!(phrase.len() <= MAX_QUERY_BYTES && check_query(&phrase).is_ok());
        // Punctuation alone and unbalanced quotes are not refused.
        for odd in ["", "   ", "--- ... !!!", "\"", "\"roll back", "roll back\""] {
            assert!(check_query(odd).is_ok(), "{odd:?}");
        }
        let long = "é".repeat(MAX_QUERY_BYTES / 2 + 1);
        assert_eq!(
            check_query(&long).unwrap_err().to_string(),
            "the query is 1002 bytes long; at most 1000 are allowed"
        );
    }

    #[test]
    fn one_edit_covers_each_kind_of_typo() {
        for (a, b) in [
            ("deploy", "deploy"),
            ("deploy", "depoly"),
            ("deploy", "deplo"),
            ("deploy", "deployy"),
            ("deploy", "deplay"),
            ("deploy", "edploy"),
            ("déploy", "déplo"),
        ] {
            assert!(within_one_edit(a, b), "{a} ~ {b}");
        }
        for (a, b) in [
            ("deploy", "dpelyo"),
            ("deploy", "depl"),
            ("deploy", "xyploy"),
        ] {
            assert!(!within_one_edit(a, b), "{a} !~ {b}");
        }
    }
}
