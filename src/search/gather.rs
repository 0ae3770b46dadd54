//! A build's search documents, gathered as the docs render: what the
//! browser export needs of each (`listed::Listed`, a docs site's sections
//! packed at once) and their words counted (`terms::RunTerms`), on the
//! thread that made them. Nothing is indexed into tantivy: the browser's
//! scores are made from the counts (`web::export_counted_into`), the same
//! numbers tantivy's BM25 gives.

use super::SearchDoc;
use super::listed::Listed;
use super::terms::RunTerms;
use super::web::{CountedRuns, SEGMENTS, segment_of};

/// Entity documents are counted in runs of this many (on the thread that
/// hands them over; runs only cut the work, not the result).
const ENTITY_RUN: usize = 1_024;

/// Documents gathered so far, by `seq` (the order they were added), and
/// each run's counted words with the `seq` of its first document.
#[derive(Default)]
pub struct Gathered {
    state: std::sync::Mutex<State>,
}

#[derive(Default)]
struct State {
    listed: Vec<Listed>,
    runs: Vec<(u64, RunTerms)>,
    /// Each run's documents for `portico search` (`stored::block`).
    blocks: Vec<(u64, Vec<u8>)>,
}

/// What was gathered.
pub struct Finished {
    /// Every document, by `seq`.
    pub listed: Vec<Listed>,
    pub counted: CountedRuns,
    /// The documents file's blocks, with the `seq` of each one's first
    /// document.
    pub blocks: Vec<(u64, Vec<u8>)>,
}

impl Gathered {
    /// Adds one docs site's documents (`search::site_documents`): counted
    /// and packed (`listed::list_site`) by the calling thread.
    pub fn add_site(&self, docs: Vec<SearchDoc>) {
        let run = RunTerms::of(&docs);
        let block = super::stored::block(&docs);
        let listed = super::listed::list_site(docs);
        self.push(listed, run, block);
    }

    /// Adds documents kept whole (entity documents, or sites gathered
    /// without packing). Each run holds one segment's documents (of the
    /// browser index, `web::segment_of`), in their order: an entity changed
    /// then changes its segment's run alone, and the build cache keeps the
    /// other segments' postings (`web::kept_segments`).
    pub fn add_all(&self, docs: Vec<SearchDoc>) {
        let mut by_segment: [Vec<SearchDoc>; SEGMENTS] = Default::default();
        for doc in docs {
            by_segment[segment_of(&doc.entity_ref)].push(doc);
        }
        for docs in by_segment {
            let mut docs = docs.into_iter().peekable();
            while docs.peek().is_some() {
                let run: Vec<SearchDoc> = docs.by_ref().take(ENTITY_RUN).collect();
                let terms = RunTerms::of(&run);
                let block = super::stored::block(&run);
                self.push(run.into_iter().map(Listed::from).collect(), terms, block);
            }
        }
    }

    /// Adds a run counted and packed elsewhere: a docs site made through
    /// the build cache, or kept there (`kept_sites`).
    pub fn add_counted(&self, listed: Vec<Listed>, run: RunTerms, block: Vec<u8>) {
        self.push(listed, run, block);
    }

    fn push(&self, listed: Vec<Listed>, run: RunTerms, block: Vec<u8>) {
        // A site with no searchable section gives nothing: its empty block
        // would share its first document's number with the next run's,
        // and which came first depends on the threads (documents.bin's
        // blocks are ordered by that number).
        if listed.is_empty() {
            return;
        }
        let mut state = crate::memo::lock(&self.state);
        let first = state.listed.len() as u64;
        state.listed.extend(listed);
        state.runs.push((first, run));
        state.blocks.push((first, block));
    }

    /// Every document, by `seq`, their counted words and blocks.
    pub fn finish(self) -> Finished {
        let state = self.state.into_inner().unwrap_or_else(|p| p.into_inner());
        let total = state.listed.len() as u64;
        Finished {
            listed: state.listed,
            counted: CountedRuns::new(state.runs, total),
            blocks: state.blocks,
        }
    }

    /// The documents file of what was gathered (`stored`): its blocks in
    /// the browser's order of their first documents, so every build of
    /// the same input writes the same file.
    pub fn documents_file(listed: &[Listed], blocks: Vec<(u64, Vec<u8>)>) -> Vec<u8> {
        super::stored::file(Self::documents_blocks(listed, blocks))
    }

    /// The documents file's blocks in its order ([`Self::documents_file`]).
    pub fn documents_blocks(listed: &[Listed], blocks: Vec<(u64, Vec<u8>)>) -> Vec<Vec<u8>> {
        // Ordered by their first documents' keys alone: numbering every
        // document for a few hundred blocks' order was a third of this.
        let mut ordered: Vec<(usize, Vec<u8>)> = blocks
            .into_iter()
            .map(|(first, block)| (usize::try_from(first).unwrap_or(usize::MAX), block))
            .collect();
        ordered.sort_by_cached_key(|(first, _)| super::web::number_order_key(listed, *first));
        ordered.into_iter().map(|(_, block)| block).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(entity: &str) -> Vec<SearchDoc> {
        (0..3)
            .map(|n| crate::search::test_doc(entity, "docs", "page", n))
            .collect()
    }

    /// Sites gathered in any order, empty ones among them (a site with no
    /// searchable section), give the same documents file and exports.
    #[test]
    fn the_same_sites_in_any_order_give_the_same_files() {
        let gather = |order: &[&str]| {
            let gathered = Gathered::default();
            for entity in order {
                let docs = if entity.starts_with("empty") {
                    Vec::new()
                } else {
                    site(entity)
                };
                gathered.add_site(docs);
            }
            let finished = gathered.finish();
            let mut files = Vec::new();
            let file = Gathered::documents_file(&finished.listed, finished.blocks);
            crate::search::web::export_counted_into(
                finished.listed,
                &finished.counted,
                None,
                |f| {
                    files.append(f);
                    Ok(())
                },
            )
            .unwrap();
            (file, files)
        };
        let one = gather(&["alpha", "empty-1", "beta", "empty-2"]);
        assert_eq!(gather(&["empty-2", "beta", "empty-1", "alpha"]), one);
        assert_eq!(gather(&["beta", "alpha", "empty-1", "empty-2"]), one);
        let documents = crate::search::stored::read(&one.0).unwrap();
        assert_eq!(documents.len(), 6);
    }
}
