//! The tantivy index `portico search` reads: its schema and analysers
//! (`en_stem`), and `IndexBuilder`, which `terminal` makes it with from a
//! site's `documents.bin` on first use.

use super::SearchDoc;
#[cfg(test)]
use super::listed::Listed;
use std::collections::HashMap;
use std::path::Path;
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};
use tantivy::{Index, TantivyDocument};

/// The index's fields, by role.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// Searched (not stored): see `SearchDoc::title_searchable`.
    pub title: Field,
    /// Shown (stored, not searched).
    pub shown_title: Field,
    pub heading: Field,
    pub body: Field,
    pub breadcrumb: Field,
    pub url: Field,
    pub entity_ref: Field,
    pub doc_type: Field,
    pub kind: Field,
    pub spec_type: Field,
    pub owner: Field,
    pub lifecycle: Field,
    pub tag: Field,
    pub namespace: Field,
    /// The entity's level on the first scorecard (entity documents only);
    /// `None` in an index written before levels were indexed.
    pub level: Option<Field>,
    /// What a result shows when it is not the body (stored, not searched):
    /// an entity's description without the facts indexed with it.
    pub summary: Option<Field>,
    /// The document's number in the order it was added (a fast field):
    /// how the browser-index export finds the `SearchDoc` behind a posting.
    pub seq: Field,
    /// `SearchDoc::position` (stored, for `search::document_order`).
    pub position: Field,
}

/// English stemming (`deploying` finds `deploy`), positions for phrases.
fn stemmed_text() -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer("en_stem")
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    TextOptions::default()
        .set_indexing_options(indexing)
        .set_stored()
}

/// Titles and headings: no positions (phrases are matched in the body).
fn searched_only(record: IndexRecordOption) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer("en_stem")
        .set_index_option(record);
    TextOptions::default().set_indexing_options(indexing)
}

pub fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        title: builder.add_text_field("title", searched_only(IndexRecordOption::WithFreqs)),
        shown_title: builder.add_text_field("shown_title", STORED),
        heading: builder.add_text_field(
            "heading",
            searched_only(IndexRecordOption::WithFreqs).set_stored(),
        ),
        body: builder.add_text_field("body", stemmed_text()),
        breadcrumb: builder.add_text_field("breadcrumb", STORED),
        url: builder.add_text_field("url", STORED),
        entity_ref: builder.add_text_field("entity_ref", STRING | STORED),
        doc_type: builder.add_text_field("doc_type", STRING | STORED),
        kind: builder.add_text_field("kind", STRING | STORED),
        spec_type: builder.add_text_field("type", STRING | STORED),
        owner: builder.add_text_field("owner", STRING | STORED),
        lifecycle: builder.add_text_field("lifecycle", STRING | STORED),
        tag: builder.add_text_field("tag", STRING | STORED),
        namespace: builder.add_text_field("namespace", STRING | STORED),
        level: Some(builder.add_text_field("level", STRING)),
        summary: Some(builder.add_text_field("summary", STORED)),
        seq: builder.add_u64_field("seq", FAST),
        position: builder.add_u64_field("position", STORED),
    };
    (builder.build(), fields)
}

/// Fields Portico looks up again by name when it opens an index.
pub fn fields_of(schema: &Schema) -> tantivy::Result<Fields> {
    let get = |name: &str| schema.get_field(name);
    Ok(Fields {
        title: get("title")?,
        shown_title: get("shown_title")?,
        heading: get("heading")?,
        body: get("body")?,
        breadcrumb: get("breadcrumb")?,
        url: get("url")?,
        entity_ref: get("entity_ref")?,
        doc_type: get("doc_type")?,
        kind: get("kind")?,
        spec_type: get("type")?,
        owner: get("owner")?,
        lifecycle: get("lifecycle")?,
        tag: get("tag")?,
        namespace: get("namespace")?,
        level: get("level").ok(),
        summary: get("summary").ok(),
        seq: get("seq")?,
        position: get("position")?,
    })
}

/// `en_stem` with a memo: the same words recur thousands of times in docs
/// and stemming each occurrence again was a sixth of the build. The stems
/// are tantivy's own, so queries analysed with the stock `en_stem` agree.
pub fn register_tokenizers(index: &Index) {
    let analyzer = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(MemoStemmer)
        .build();
    index.tokenizers().register("en_stem", analyzer);
}

/// An opened index made ready to read once: its analysers registered, its
/// fields, and a searcher from a manual reader (tantivy's default reader
/// starts a thread polling `meta.json`, left behind for up to half a
/// second after the search).
pub fn read_once(index: &Index) -> tantivy::Result<(Fields, tantivy::Searcher)> {
    register_tokenizers(index);
    let fields = fields_of(&index.schema())?;
    let reader: tantivy::IndexReader = index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()?;
    Ok((fields, reader.searcher()))
}

/// tantivy's English stemmer, remembering the stems it computed.
#[derive(Clone, Default)]
struct MemoStemmer;

impl TokenFilter for MemoStemmer {
    type Tokenizer<T: Tokenizer> = MemoStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> MemoStemmerFilter<T> {
        MemoStemmerFilter {
            inner,
            stems: HashMap::default(),
        }
    }
}

#[derive(Clone)]
struct MemoStemmerFilter<T> {
    inner: T,
    stems: Stems,
}

/// Word → stem. FNV-1a: short keys, no untrusted-input flooding concern
/// worth SipHash's cost on every token of every page.
type Stems = HashMap<String, String, std::hash::BuildHasherDefault<Fnv>>;

#[derive(Default)]
pub struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            hash = (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

impl<T: Tokenizer> Tokenizer for MemoStemmerFilter<T> {
    type TokenStream<'a> = MemoStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        MemoStemmerStream {
            tail: self.inner.token_stream(text),
            stems: &mut self.stems,
            stemmer: tantivy::tokenizer::Stemmer::new(Language::English),
        }
    }
}

struct MemoStemmerStream<'a, S> {
    tail: S,
    stems: &'a mut Stems,
    stemmer: tantivy::tokenizer::Stemmer,
}

impl<S: TokenStream> TokenStream for MemoStemmerStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.stems.get(&token.text) {
            token.text.clone_from(stem);
            return true;
        }
        let stem = stem_one(&self.stemmer, &token.text);
        if self.stems.len() < 200_000 {
            self.stems
                .insert(std::mem::take(&mut token.text), stem.clone());
        }
        token.text = stem;
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Stems one lower-cased word as `en_stem` does (`super::terms`),
/// remembered by the calling thread: the memo of a pure function, so every
/// thread answers alike.
pub fn stem_word(word: &str) -> String {
    thread_local! {
        static STEMS: std::cell::RefCell<Stems> = std::cell::RefCell::default();
    }
    STEMS.with(|stems| {
        let mut stems = stems.borrow_mut();
        if let Some(stem) = stems.get(word) {
            return stem.clone();
        }
        let stem = stem_one(&tantivy::tokenizer::Stemmer::new(Language::English), word);
        if stems.len() < 200_000 {
            stems.insert(word.to_string(), stem.clone());
        }
        stem
    })
}

/// Stems one word with tantivy's stemmer.
fn stem_one(stemmer: &tantivy::tokenizer::Stemmer, word: &str) -> String {
    let mut analyzer = TextAnalyzer::builder(RawTokenizer::default())
        .filter(stemmer.clone())
        .build();
    let mut stream = analyzer.token_stream(word);
    if stream.advance() {
        stream.token().text.clone()
    } else {
        word.to_string()
    }
}

/// An index being written (by `terminal`, from a site's documents; by the
/// tests' oracle export): documents can be added from any thread
/// (tantivy tokenises on its own threads).
pub struct IndexBuilder {
    writer: tantivy::IndexWriter<TantivyDocument>,
    fields: Fields,
    /// The first document that could not be added, reported by `finish`.
    failed: std::sync::Mutex<Option<tantivy::TantivyError>>,
    /// How many documents were added (the next `seq`), and in the tests
    /// the documents themselves, handed back by `finish` for the oracle
    /// export (docs sections added by `add_site` without their text).
    /// `portico search` keeps none: they were a second copy of every
    /// document until the index was committed.
    added: std::sync::Mutex<Added>,
}

#[derive(Default)]
struct Added {
    count: u64,
    #[cfg(test)]
    kept: Vec<Listed>,
}

impl Added {
    /// Counts `documents` added (kept in the tests).
    fn extend(&mut self, documents: Vec<SearchDoc>) {
        self.count += documents.len() as u64;
        #[cfg(test)]
        self.kept.extend(documents.into_iter().map(Listed::from));
    }
}

impl IndexBuilder {
    /// A new, empty index in `dir` (created).
    pub fn create(dir: &Path) -> tantivy::Result<IndexBuilder> {
        // Two threads (this is a 2-core target), 32 MB each: tantivy's
        // arena grows to its budget and sizes its term table by it, so a
        // bigger budget would be held to the end for nothing (a full
        // budget writes a segment; segments are never merged, and
        // searches read them as one index).
        IndexBuilder::create_with(dir, 2, 64_000_000)
    }

    /// [`Self::create`] with `threads` indexing threads sharing a memory
    /// budget of `memory` bytes (at least 15 MB a thread): a segment is
    /// written when a thread's share fills, and never merged.
    pub fn create_with(dir: &Path, threads: usize, memory: usize) -> tantivy::Result<IndexBuilder> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let index = Index::create_in_dir(dir, schema)?;
        register_tokenizers(&index);
        let writer = index.writer_with_num_threads::<TantivyDocument>(threads, memory)?;
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        Ok(IndexBuilder {
            writer,
            fields,
            failed: std::sync::Mutex::new(None),
            added: std::sync::Mutex::new(Added::default()),
        })
    }

    /// Adds a document; a failure is kept and reported by [`Self::finish`].
    pub fn add(&self, d: SearchDoc) {
        // The lock is held while tantivy queues the document, so `seq`
        // numbers and the order of `added` agree.
        let mut added = self.added.lock().unwrap_or_else(|p| p.into_inner());
        let seq = added.count;
        if let Err(e) = self.try_add(&d, seq) {
            let mut failed = self.failed.lock().unwrap_or_else(|p| p.into_inner());
            failed.get_or_insert(e);
            return;
        }
        added.extend(vec![d]);
    }

    /// Adds one docs site's documents (`search::site_documents`), keeping
    /// only what the browser export needs of them (the tests' tantivy
    /// export, `web::from_index`): their fragment blocks
    /// are packed now, by the calling thread, as the export would pack
    /// them (`listed::list_site`). A failure is kept and reported by
    /// [`Self::finish_listed`].
    #[cfg(test)]
    pub fn add_site(&self, docs: Vec<SearchDoc>) {
        self.add_site_by(docs, super::web::pack_run);
    }

    /// [`Self::add_site`], the site's blocks packed by `pack`
    /// (`listed::list_site_by`).
    #[cfg(test)]
    pub fn add_site_by(
        &self,
        docs: Vec<SearchDoc>,
        pack: impl FnOnce(&[&SearchDoc]) -> Vec<super::web::PackedBlock>,
    ) {
        let tantivy_docs: Vec<TantivyDocument> = docs.iter().map(|d| self.unnumbered(d)).collect();
        let listed = super::listed::list_site_by(docs, pack);
        let mut added = self.added.lock().unwrap_or_else(|p| p.into_inner());
        let first = added.count;
        for (seq, mut doc) in (first..).zip(tantivy_docs) {
            doc.add_u64(self.fields.seq, seq);
            if let Err(e) = self.writer.add_document(doc) {
                let mut failed = self.failed.lock().unwrap_or_else(|p| p.into_inner());
                failed.get_or_insert(e);
                return;
            }
        }
        added.count += listed.len() as u64;
        added.kept.extend(listed);
    }

    /// Adds documents in batches: one hand-over to tantivy's indexing
    /// thread per batch rather than per document (which cost a wake-up of
    /// that thread each). A failure is kept and reported by [`Self::finish`].
    pub fn add_all(&self, docs: Vec<SearchDoc>) {
        const BATCH: usize = 256;
        let mut added = self.added.lock().unwrap_or_else(|p| p.into_inner());
        let mut docs = docs.into_iter().peekable();
        while docs.peek().is_some() {
            let batch: Vec<SearchDoc> = docs.by_ref().take(BATCH).collect();
            let first = added.count;
            let operations: Vec<tantivy::indexer::UserOperation<TantivyDocument>> = batch
                .iter()
                .zip(first..)
                .map(|(d, seq)| tantivy::indexer::UserOperation::Add(self.tantivy_doc(d, seq)))
                .collect();
            if let Err(e) = self.writer.run(operations) {
                let mut failed = self.failed.lock().unwrap_or_else(|p| p.into_inner());
                failed.get_or_insert(e);
                return;
            }
            added.extend(batch);
        }
    }

    fn try_add(&self, d: &SearchDoc, seq: u64) -> tantivy::Result<()> {
        self.writer.add_document(self.tantivy_doc(d, seq))?;
        Ok(())
    }

    fn tantivy_doc(&self, d: &SearchDoc, seq: u64) -> TantivyDocument {
        let mut doc = self.unnumbered(d);
        doc.add_u64(self.fields.seq, seq);
        doc
    }

    /// A document's tantivy document but its `seq` (not stored: where it
    /// comes among the values makes no difference to the index).
    fn unnumbered(&self, d: &SearchDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        if d.title_searchable {
            doc.add_text(f.title, &d.title);
        }
        doc.add_text(f.shown_title, &d.title);
        doc.add_text(f.heading, &d.heading);
        doc.add_text(f.body, &d.body);
        doc.add_text(f.breadcrumb, &d.breadcrumb);
        doc.add_text(f.url, &d.url);
        doc.add_text(f.entity_ref, &d.entity_ref);
        doc.add_text(f.doc_type, d.doc_type);
        // Filter fields compare lower-cased, so `--owner Platform-Team` works.
        doc.add_text(f.kind, d.kind.to_lowercase());
        doc.add_text(f.spec_type, d.spec_type.to_lowercase());
        doc.add_text(f.owner, d.owner.to_lowercase());
        doc.add_text(f.lifecycle, d.lifecycle.to_lowercase());
        for tag in &d.tags {
            doc.add_text(f.tag, tag.to_lowercase());
        }
        doc.add_text(f.namespace, d.namespace.to_lowercase());
        if let (Some(field), Some(summary)) = (f.summary, &d.summary) {
            doc.add_text(field, summary);
        }
        if let Some(level) = f.level.filter(|_| !d.level.is_empty()) {
            doc.add_text(level, d.level.to_lowercase());
        }
        doc.add_u64(f.position, u64::from(d.position));
        doc
    }

    /// Commits everything added, or reports the first document that
    /// failed.
    pub fn commit(mut self) -> tantivy::Result<()> {
        if let Some(e) = self.failed.lock().unwrap_or_else(|p| p.into_inner()).take() {
            return Err(e);
        }
        self.writer.commit()?;
        self.writer.wait_merging_threads()?;
        Ok(())
    }

    /// [`Self::commit`], giving back the documents, by `seq` (refused if
    /// some were added by [`Self::add_site`]: see [`Self::finish_listed`]).
    #[cfg(test)]
    pub fn finish(self) -> tantivy::Result<Vec<SearchDoc>> {
        self.finish_listed()?
            .into_iter()
            .map(|listed| {
                listed.into_whole().ok_or_else(|| {
                    tantivy::TantivyError::InvalidArgument(
                        "documents added packed were asked for whole".to_string(),
                    )
                })
            })
            .collect()
    }

    /// [`Self::commit`], giving back the documents as the browser export
    /// reads them, by `seq`.
    #[cfg(test)]
    pub fn finish_listed(self) -> tantivy::Result<Vec<Listed>> {
        let added = std::mem::take(&mut self.added.lock().unwrap_or_else(|p| p.into_inner()).kept);
        self.commit()?;
        Ok(added)
    }
}
