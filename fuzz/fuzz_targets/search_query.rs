//! The query language of `portico search` (`search::query`): the pure split
//! into words and quoted phrases and the bounds check on it, then the whole
//! search (prefix expansion, one-typo words, stems while typing, phrases,
//! filters, snippets) against a small index made once per process.
//!
//! `query::search` turns a panic inside it into `SearchError::Damaged`, the
//! answer for a damaged index; the index here is sound, so that answer means
//! a panic was caught, and the target fails on it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portico::search::index::IndexBuilder;
use portico::search::query::{self, SearchError, SearchOptions};
use portico::search::{INDEX_DIR, SearchDoc};
use std::sync::LazyLock;

/// Section texts with words that share prefixes, stems and typos, accents,
/// CJK, and a word too long to index.
const TEXTS: &[(&str, &str, &str)] = &[
    (
        "Shipment tracker",
        "Deploying",
        "Deploy the shipment tracker; deployment and deployments roll back with rollback.",
    ),
    (
        "Payment gateway",
        "Migrations",
        "Migrate the payments database: migration, migrating, migrated. Café naïve façade.",
    ),
    (
        "Route planner",
        "Überblick",
        "Straße und Größe; 日本語のテキスト; tracking trackers tracked; on-call run-book.",
    ),
    (
        "Warehouse",
        "Setup",
        "Install with `make install`; supercalifragilisticexpialidociouslyextraordinarilylongword.",
    ),
];

/// The site folder holding `_search/tantivy`, made once.
static SITE: LazyLock<tempfile::TempDir> = LazyLock::new(|| {
    let site = tempfile::Builder::new()
        .prefix("portico-fuzz-search")
        .tempdir()
        .expect("a temporary folder");
    let builder = IndexBuilder::create(&site.path().join(INDEX_DIR)).expect("an index");
    for (i, (title, heading, body)) in TEXTS.iter().enumerate() {
        let name = title.to_lowercase().replace(' ', "-");
        for (position, doc_type) in ["entity", "docs"].into_iter().enumerate() {
            builder.add(SearchDoc {
                doc_type,
                title: title.to_string(),
                title_searchable: true,
                heading: heading.to_string(),
                breadcrumb: format!("{title} › {heading}"),
                body: body.to_string(),
                url: format!("catalog/default/component/{name}/index.html#s{position}"),
                entity_ref: format!("component:default/{name}"),
                kind: if i % 2 == 0 { "component" } else { "api" }.into(),
                spec_type: "service".into(),
                owner: "team-a".into(),
                lifecycle: "production".into(),
                tags: vec!["rust".into(), "on-call".into()],
                namespace: "default".into(),
                level: if position == 0 { ["gold", "none"][i % 2].into() } else { String::new() },
                summary: None,
                position: position as u32,
            });
        }
    }
    builder.finish().expect("the index commits");
    site
});

fuzz_target!(|data: &[u8]| {
    // The command line gives the query as a UTF-8 string.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (words, phrases, _typing) = query::split(text);
    assert!(words.iter().all(|w| !w.is_empty() && !w.contains('"')));
    assert!(phrases.iter().all(|p| !p.trim().is_empty()));
    if query::check_query(text).is_err() {
        return;
    }
    // Filters and limits vary with the input, cheaply.
    let kind = ["", "docs", "Component", "api"][data.len() % 4];
    let options = SearchOptions {
        limit: 1 + data.len() % 40,
        kind: (!kind.is_empty()).then(|| kind.to_string()),
        owner: (data.len() % 3 == 0).then(|| "group:default/Team-A".to_string()),
        level: (data.len() % 5 == 0).then(|| "Gold".to_string()),
    };
    match query::search(SITE.path(), text, &options) {
        Err(SearchError::Damaged { cause, .. }) => {
            panic!("a sound index was called damaged ({cause}): a panic was caught")
        }
        Err(e) => panic!("unexpected error on a checked query: {e}"),
        Ok(hits) => assert!(hits.len() <= options.limit),
    }
});
