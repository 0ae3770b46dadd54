//! A build's search documents, gathered as the docs render: what the
//! browser export needs of each (`listed::Listed`, a docs site's sections
//! packed at once) and their words counted (`terms::RunTerms`), on the
//! thread that made them. Nothing is indexed into tantivy: the browser's
//! scores are made from the counts (`web::export_counted_into`), the same
//! numbers tantivy's BM25 gives.

use super::SearchDoc;
use super::listed::Listed;
use super::terms::RunTerms;
use super::web::CountedRuns;

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
}

impl Gathered {
    /// Adds one docs site's documents (`search::site_documents`): counted
    /// and packed (`listed::list_site`) by the calling thread.
    pub fn add_site(&self, docs: Vec<SearchDoc>) {
        let run = RunTerms::of(&docs);
        let listed = super::listed::list_site(docs);
        self.push(listed, run);
    }

    /// Adds documents kept whole (entity documents, or sites gathered
    /// without packing).
    pub fn add_all(&self, docs: Vec<SearchDoc>) {
        let mut docs = docs.into_iter().peekable();
        while docs.peek().is_some() {
            let run: Vec<SearchDoc> = docs.by_ref().take(ENTITY_RUN).collect();
            let terms = RunTerms::of(&run);
            self.push(run.into_iter().map(Listed::from).collect(), terms);
        }
    }

    fn push(&self, listed: Vec<Listed>, run: RunTerms) {
        let mut state = crate::memo::lock(&self.state);
        let first = state.listed.len() as u64;
        state.listed.extend(listed);
        state.runs.push((first, run));
    }

    /// Every document, by `seq`, and their counted words.
    pub fn finish(self) -> (Vec<Listed>, CountedRuns) {
        let state = self.state.into_inner().unwrap_or_else(|p| p.into_inner());
        let total = state.listed.len() as u64;
        (state.listed, CountedRuns::new(state.runs, total))
    }
}
