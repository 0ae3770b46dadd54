//! Renders every docs page of an organisation's repositories with Portico's
//! Markdown pipeline alone, on one thread, and with pulldown-cmark alone
//! (the floor), so the pipeline's own cost per page can be measured without
//! the rest of a build (git, the site's files, search, other cores).
//!
//! ```sh
//! cargo run --release --example render_pages -- ORG [ROUNDS]
//! ```
//!
//! ORG holds one folder per repository, each with its pages under `docs/`
//! (as `../shared/bench/gen_org.py` makes them). Prints the time a round of
//! each takes, the best of ROUNDS (default 5): one thread, so on an idle
//! core that is its CPU time.

use portico::docs::markdown::{PageEnv, SanitizeOptions, page_url, render};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

// The binary's allocator: allocation is a share of the pipeline's cost.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One docs site: its pages' source paths (docs-relative) and texts.
struct Site {
    pages: Vec<(String, String)>,
    urls: HashMap<String, String>,
}

fn markdown_files(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let src = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let path = entry.path();
        if path.is_dir() {
            markdown_files(&path, &src, out);
        } else if name.ends_with(".md") {
            out.push((src, path));
        }
    }
}

fn sites(org: &Path) -> Vec<Site> {
    let mut repos: Vec<PathBuf> = std::fs::read_dir(org)
        .expect("ORG is a folder")
        .flatten()
        .map(|e| e.path())
        .collect();
    repos.sort();
    repos
        .iter()
        .filter_map(|repo| {
            let mut files = Vec::new();
            markdown_files(&repo.join("docs"), "", &mut files);
            if files.is_empty() {
                return None;
            }
            let urls = files
                .iter()
                .map(|(src, _)| (src.clone(), page_url(src)))
                .collect();
            let pages = files
                .into_iter()
                .map(|(src, path)| (src, std::fs::read_to_string(path).unwrap_or_default()))
                .collect();
            Some(Site { pages, urls })
        })
        .collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let org = PathBuf::from(args.next().expect("usage: render_pages ORG [ROUNDS]"));
    let rounds: usize = args.next().map_or(5, |r| r.parse().expect("ROUNDS"));
    let sites = sites(&org);
    let pages: usize = sites.iter().map(|s| s.pages.len()).sum();
    let bytes: usize = sites
        .iter()
        .flat_map(|s| &s.pages)
        .map(|(_, text)| text.len())
        .sum();
    let settings = Default::default();
    let sanitize = SanitizeOptions::default();
    let mut best = (f64::MAX, f64::MAX);
    let mut html_bytes = (0, 0);
    for _ in 0..rounds {
        let start = Instant::now();
        let mut total = 0;
        for site in &sites {
            for (src, text) in &site.pages {
                let url = &site.urls[src];
                let env = PageEnv {
                    src,
                    url,
                    site_depth: portico::address::ENTITY_DEPTH,
                    page_urls: &site.urls,
                    snippet: None,
                    settings: &settings,
                    dates: Default::default(),
                    sanitize: &sanitize,
                };
                total += std::hint::black_box(render(text, &env)).html.len();
            }
        }
        best.0 = best.0.min(start.elapsed().as_secs_f64());
        html_bytes.0 = total;
        let start = Instant::now();
        let mut total = 0;
        for site in &sites {
            for (_, text) in &site.pages {
                let parser = pulldown_cmark::Parser::new_ext(text, pulldown_cmark::Options::all());
                let mut html = String::with_capacity(text.len() * 3 / 2);
                pulldown_cmark::html::push_html(&mut html, parser);
                total += std::hint::black_box(html).len();
            }
        }
        best.1 = best.1.min(start.elapsed().as_secs_f64());
        html_bytes.1 = total;
    }
    println!(
        "{pages} pages, {:.1} MB of Markdown, best of {rounds} rounds, one thread",
        bytes as f64 / 1e6
    );
    println!(
        "portico markdown::render: {:.1} ms ({:.1} µs a page, {:.1} MB of HTML)",
        best.0 * 1e3,
        best.0 * 1e6 / pages as f64,
        html_bytes.0 as f64 / 1e6
    );
    println!(
        "pulldown-cmark alone:     {:.1} ms ({:.1} µs a page, {:.1} MB of HTML)",
        best.1 * 1e3,
        best.1 * 1e6 / pages as f64,
        html_bytes.1 as f64 / 1e6
    );
    println!("ratio: {:.2}", best.0 / best.1);
}
