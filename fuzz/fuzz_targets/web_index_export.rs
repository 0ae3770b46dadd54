//! The browser's search index (`search::web::export`), exported from a
//! tantivy index written with `search::index::IndexBuilder` from documents
//! made of the input: a new index per run, in a temporary folder (slow, a
//! few runs a second, so inputs are kept small).
//!
//! The input is cut into documents at blank lines (at most 16): a chunk's
//! first line is the title, the second the heading, the rest the body; its
//! first word names the entity, so several documents share an entity and
//! some entities have no entity document. Facets come from its words.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portico::search::index::IndexBuilder;
use portico::search::{INDEX_DIR, SearchDoc, web};

const MAX_DOCUMENTS: usize = 16;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let docs: Vec<SearchDoc> = text
        .split("\n\n")
        .take(MAX_DOCUMENTS)
        .enumerate()
        .map(|(i, chunk)| document(i, chunk))
        .collect();
    let site = tempfile::Builder::new()
        .prefix("portico-fuzz-web")
        .tempdir()
        .expect("a temporary folder");
    let dir = site.path().join(INDEX_DIR);
    let builder = IndexBuilder::create(&dir).expect("an index");
    for doc in docs {
        builder.add(doc);
    }
    let added = builder.finish().expect("the index commits");
    let count = added.len();
    let files = web::export(&dir, added).expect("the index exports");
    assert!(
        files.iter().any(|f| f.path.ends_with("/meta.js")),
        "{count} documents and no meta.js"
    );
});

fn document(i: usize, chunk: &str) -> SearchDoc {
    let mut lines = chunk.lines();
    let title = lines.next().unwrap_or_default().to_string();
    let heading = lines.next().unwrap_or_default().to_string();
    let body: String = lines.collect::<Vec<_>>().join("\n");
    let words: Vec<&str> = chunk.split_whitespace().collect();
    let word = |n: usize| words.get(n).copied().unwrap_or_default().to_string();
    let entity = word(0);
    let is_entity = i % 3 == 0;
    SearchDoc {
        doc_type: if is_entity { "entity" } else { "docs" },
        title,
        title_searchable: is_entity || i % 2 == 0,
        heading,
        breadcrumb: format!("{entity} › {}", word(1)),
        body,
        url: format!("docs/default/component/{entity}/index.html#{}", word(2)),
        entity_ref: format!("component:default/{entity}"),
        kind: word(3),
        spec_type: word(4),
        owner: word(5),
        lifecycle: word(6),
        tags: words
            .iter()
            .skip(7)
            .take(4)
            .map(|w| w.to_string())
            .collect(),
        namespace: word(1),
        level: if is_entity { word(11) } else { String::new() },
        summary: is_entity.then(|| word(12)),
        position: i as u32,
    }
}
