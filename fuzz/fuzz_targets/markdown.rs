//! A docs page: `docs::markdown::render` (MkDocs extensions, snippets,
//! pulldown-cmark, ids, links, highlighting, sanitising), with the
//! `PageEnv` a page of a small site gets.
//!
//! The snippet reader serves a few in-memory files, some including others
//! (one itself), and `input.md`, which is the input again, so a page that
//! includes itself expands as deep and as wide as the budgets let it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portico::docs::markdown::{self, PageEnv, SanitizeOptions};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

const SNIPPETS: &[(&str, &str)] = &[
    (
        "snippets/note.md",
        "A **snippet** with a [link](../guide.md#top).\n",
    ),
    (
        "snippets/outer.md",
        "Outer\n--8<-- \"snippets/inner.md\"\n\n!!! note\n    --8<-- \"snippets/note.md\"\n",
    ),
    (
        "snippets/inner.md",
        "# Inner heading\n\n--8<-- \"snippets/lines.md:2:3\"\n",
    ),
    ("snippets/lines.md", "one\ntwo\nthree\nfour\n"),
    ("snippets/self.md", "again\n--8<-- \"snippets/self.md\"\n"),
    (
        "snippets/code.md",
        "```python\n# --8<-- [start:part]\nprint(\"<x>\")\n# --8<-- [end:part]\n```\n",
    ),
];

const PAGES: &[&str] = &[
    "index.md",
    "guide.md",
    "guides/index.md",
    "guides/deploy.md",
    "guides/page.md",
    "reference/api.md",
];

static PAGE_URLS: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    PAGES
        .iter()
        .map(|p| (p.to_string(), markdown::page_url(p)))
        .collect()
});

static SANITIZE: LazyLock<SanitizeOptions> = LazyLock::new(|| SanitizeOptions {
    allowed_iframe_hosts: vec!["www.youtube.com".into()],
    plantuml_server: Some("https://plantuml.example.com/plantuml".into()),
});

fuzz_target!(|data: &[u8]| {
    // Pages are read as UTF-8 text or reported.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let input: Arc<str> = Arc::from(text);
    let snippet = |name: &str| -> Result<Arc<str>, String> {
        let name = name.strip_prefix("./").unwrap_or(name);
        if name == "input.md" {
            return Ok(input.clone());
        }
        SNIPPETS
            .iter()
            .find(|(path, _)| *path == name)
            .map(|(_, body)| Arc::from(*body))
            .ok_or_else(|| format!("snippet `{name}` was not found"))
    };
    let src = "guides/page.md";
    let url = markdown::page_url(src);
    let env = PageEnv {
        src,
        url: &url,
        site_depth: 4,
        page_urls: &PAGE_URLS,
        snippet: Some(&snippet),
        settings: &Default::default(),
        dates: Default::default(),
        sanitize: &SANITIZE,
    };
    let _ = markdown::render(text, &env);
});
