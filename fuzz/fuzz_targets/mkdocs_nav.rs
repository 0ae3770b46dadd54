//! `mkdocs.yml`: the settings (`docs::mkdocs::parse`, as `docs::site::load`
//! reads them) and the navigation built from them (`docs::nav::from_config`
//! for an explicit `nav`, `docs::nav::automatic` otherwise), with the page
//! order and the breadcrumb titles every page gets.
//!
//! The docs folder's pages are a fixed set plus every page the input's nav
//! names (normalised as a listing would hold it), so explicit navs mostly
//! name pages that exist, and the automatic nav sorts hostile paths too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portico::diagnostics::SourceFile;
use portico::docs::{mkdocs, nav};
use portico::read::safe_path;
use portico::yaml::{self, Node, Value};
use std::collections::HashMap;

const PAGES: &[&str] = &[
    "index.md",
    "README.md",
    "guide.md",
    "guides/index.md",
    "guides/deploy.md",
    "guides/deep/er/still.md",
    "reference/api.markdown",
];

fuzz_target!(|data: &[u8]| {
    // `docs::site::load` reads the file as UTF-8 text or reports it.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let root = match yaml::parse_single(text, yaml::Budget::default()) {
        Ok(Some(root)) if root.as_map().is_some() => root,
        _ => return,
    };
    let config = mkdocs::parse(&root);
    let _ = safe_path::join("", &config.docs_dir);

    let mut pages: Vec<String> = PAGES.iter().map(|p| p.to_string()).collect();
    if let Some(nav) = &config.nav {
        named_pages(nav, &mut pages);
    }
    pages.sort();
    pages.dedup();
    let titles: HashMap<String, String> = pages
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, p)| (p.clone(), format!("Title of {p}")))
        .collect();

    let file = SourceFile {
        repo: "fuzz",
        repo_dir: "fuzz",
        path: "mkdocs.yml",
        text,
        line_index: None,
    };
    let mut out = Vec::new();
    let explicit = match &config.nav {
        Some(node) => nav::from_config(node, &pages, &titles, &file, &mut out),
        None => Vec::new(),
    };
    let automatic = nav::automatic(&pages, &titles);
    for built in [&explicit, &automatic] {
        let _ = nav::page_order(built);
        let _ = nav::longest_level(built);
        for path in nav::paths(built).values() {
            let _ = nav::titles_along(built, path);
        }
    }
    for page in &pages {
        let _ = nav::title_from_path(page);
        let _ = nav::is_readme(page);
    }
});

/// Every string in the nav that normalises to a Markdown file path.
fn named_pages(node: &Node, pages: &mut Vec<String>) {
    match &node.value {
        Value::String(s) => {
            if let Ok(path) = safe_path::normalize(s.trim())
                && (path.ends_with(".md") || path.ends_with(".markdown"))
            {
                pages.push(path);
            }
        }
        Value::Seq(items) => items.iter().for_each(|i| named_pages(i, pages)),
        Value::Map(entries) => entries.iter().for_each(|(_, v)| named_pages(v, pages)),
        _ => {}
    }
}
