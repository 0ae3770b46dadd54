//! `portico search` on example-org's built site: the tantivy index
//! `portico build` writes, queried from the terminal.

use crate::support::{crate_dir, example_site, files_under, portico};
use std::path::{Path, PathBuf};

fn site() -> &'static PathBuf {
    &example_site().0
}

fn search(args: &[&str]) -> Vec<serde_json::Value> {
    let site = site().to_str().unwrap().to_string();
    let mut all = vec!["search", "--site", &site, "--json"];
    all.extend_from_slice(args);
    let run = portico(&crate_dir(), &all);
    assert!(run.code <= 1, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

fn first(args: &[&str]) -> serde_json::Value {
    search(args)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no result for {args:?}"))
}

#[test]
fn json_results_have_the_documented_fields() {
    let hit = first(&["shipment", "tracker"]);
    assert_eq!(hit["title"], "Shipment Tracker");
    assert_eq!(hit["kind"], "component");
    assert_eq!(hit["entity_ref"], "component:default/shipment-tracker");
    assert_eq!(
        hit["url"],
        "catalog/default/component/shipment-tracker/index.html"
    );
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    for field in ["section", "snippet"] {
        assert!(hit[field].is_string(), "{field}");
    }
}

#[test]
fn docs_sections_land_on_their_heading() {
    let hit = first(&["rollback"]);
    assert_eq!(hit["kind"], "docs");
    assert_eq!(hit["section"], "Rollback");
    assert_eq!(
        hit["url"],
        "docs/default/component/shipment-tracker/deploy/index.html#rollback"
    );
    assert!(
        site()
            .join("docs/default/component/shipment-tracker/deploy/index.html")
            .is_file()
    );
}

#[test]
fn prefixes_typos_and_stemming_find_the_same_things() {
    assert_eq!(
        first(&["shipment", "tracke"])["title"],
        "Shipment Tracker",
        "the last word is a prefix"
    );
    assert_eq!(
        first(&["shipment", "trakcer"])["title"],
        "Shipment Tracker",
        "one typo in a long word"
    );
    let hit = first(&["deploying"]);
    assert!(
        hit["url"].as_str().unwrap().contains("deploy"),
        "stemming: {hit}"
    );
}

#[test]
fn filters_by_kind_and_owner() {
    let apis = search(&["shipment", "--kind", "api"]);
    assert!(!apis.is_empty());
    assert!(
        apis.iter()
            .all(|h| h["entity_ref"].as_str().unwrap().starts_with("api:")),
        "{apis:?}"
    );
    let owned = search(&["payment", "--owner", "Payments-Team"]);
    assert!(!owned.is_empty());
    assert!(
        owned
            .iter()
            .all(|h| h["entity_ref"] != "component:default/shipment-tracker")
    );
}

#[test]
fn no_results_exit_1_and_a_missing_index_exits_2() {
    let site = site().to_str().unwrap().to_string();
    let none = portico(&crate_dir(), &["search", "--site", &site, "zzzqqqxxx"]);
    assert_eq!(none.code, 1);
    assert!(none.stdout.contains("No results"));
    let missing = portico(
        &crate_dir(),
        &["search", "--site", "/definitely/not/a/site", "x"],
    );
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("no search index"),
        "{}",
        missing.stderr
    );
}

#[test]
fn text_output_shows_title_kind_snippet_and_path() {
    let site = site().to_str().unwrap().to_string();
    let run = portico(
        &crate_dir(),
        &["search", "--site", &site, "--limit", "1", "rollback"],
    );
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .starts_with("Deploying [docs] Shipment Tracker › Deploying › Rollback\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("deploy/index.html#rollback"));
}

#[test]
fn half_typed_words_hyphens_tags_and_filter_forms() {
    for typed in ["migrati", "migratio", "migration"] {
        assert!(
            !search(&[typed]).is_empty(),
            "{typed} finds what its stem finds"
        );
    }
    assert_eq!(
        first(&["shipment-tracke"])["title"],
        "Shipment Tracker",
        "the last piece of a hyphenated word is the prefix"
    );
    let docs = search(&["deploy", "--kind", "docs"]);
    assert!(
        !docs.is_empty() && docs.iter().all(|h| h["kind"] == "docs"),
        "{docs:?}"
    );
    assert_eq!(
        search(&["payment", "--owner", "group:default/payments-team"]).len(),
        search(&["payment", "--owner", "payments-team"]).len()
    );
}

#[test]
fn the_browser_index_is_classic_scripts_and_the_same_every_build() {
    let again = tempfile::tempdir().unwrap();
    let out = again.path().join("site");
    let run = portico(
        &crate_dir(),
        &["build", "example-org", "--out", out.to_str().unwrap()],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let first = files_under(&site().join("_search/web"));
    let second = files_under(&out.join("_search/web"));
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &first {
        assert!(second[path] == *bytes, "{path} differs between builds");
        let text = std::str::from_utf8(bytes).unwrap();
        // Loadable with <script src> from file://: one call, no fetch.
        assert!(
            text.starts_with("porticoSearch(\"") && text.ends_with(");\n"),
            "{path}"
        );
    }
    let meta = std::str::from_utf8(&first["meta.js"]).unwrap();
    let json = &meta["porticoSearch(\"meta\",\"\",".len()..meta.len() - 3];
    let meta: serde_json::Value = serde_json::from_str(json).unwrap();
    // One document per entity plus the docs sections.
    let entities = meta["entities"].as_array().unwrap();
    assert_eq!(entities.len(), 48);
    let documents: u64 = entities.iter().map(|r| r[0].as_u64().unwrap()).sum();
    assert_eq!(meta["documents"].as_u64().unwrap(), documents);
    assert!(documents > 48);
    for shard in meta["shards"].as_array().unwrap() {
        let hex: String = shard
            .as_str()
            .unwrap()
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(first.contains_key(&format!("d/{hex}.js")), "shard {shard}");
    }
}

#[test]
fn no_search_leaves_out_the_index_and_the_search_box() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let run = portico(
        &crate_dir(),
        &[
            "build",
            "example-org",
            "--no-search",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!out.join("_search").exists());
    assert!(!out.join("assets/search.js").exists());
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        !index.contains("search.js") && !index.contains("class=\"search\""),
        "no search box without an index"
    );
    let page =
        std::fs::read_to_string(out.join("docs/default/component/shipment-tracker/index.html"))
            .unwrap();
    assert!(!page.contains("search.js"));
    let search = portico(
        &crate_dir(),
        &["search", "--site", out.to_str().unwrap(), "rollback"],
    );
    assert_eq!(search.code, 2, "{}", search.stderr);
}

#[test]
fn equal_scores_come_in_document_order_whatever_the_segments() {
    let org = crate::support::Org::new();
    let mut yaml = String::new();
    for i in 0..120 {
        yaml.push_str(&format!(
            "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc-{i:03}\n  description: zebra\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n"
        ));
    }
    org.file("repos/many/catalog-info.yaml", &yaml);
    let run = org.run(&["build", "repos", "--out", "site"]);
    assert!(run.code <= 1, "{}", run.stderr);
    // A typo match only: every component scores the same.
    let run = org.run(&[
        "search", "--site", "site", "--json", "--limit", "5", "zebar",
    ]);
    let hits: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let refs: Vec<&str> = hits
        .iter()
        .map(|h| h["entity_ref"].as_str().unwrap())
        .collect();
    assert_eq!(
        refs,
        (0..5)
            .map(|i| format!("component:default/svc-{i:03}"))
            .collect::<Vec<_>>()
    );
}

/// Runs `portico search ARGS` with backtraces asked for, so a panic would
/// show in stderr.
fn search_run(site: &Path, args: &[&str]) -> crate::support::Run {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .arg("search")
        .arg("--site")
        .arg(site)
        .args(args)
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("portico runs");
    crate::support::Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn limits_out_of_range_are_usage_errors() {
    let site = site().to_str().unwrap().to_string();
    for limit in ["0", "1001", "10000000000", "18446744073709551615", "-1"] {
        let run = portico(
            &crate_dir(),
            &["search", "--site", &site, "--limit", limit, "rollback"],
        );
        assert_eq!(run.code, 2, "--limit {limit}: {}", run.stdout);
        assert!(run.stdout.is_empty(), "--limit {limit}: {}", run.stdout);
        assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    }
    let run = portico(
        &crate_dir(),
        &["search", "--site", &site, "--limit", "0", "rollback"],
    );
    assert!(run.stderr.contains("1..=1000"), "{}", run.stderr);
    for limit in ["1", "1000"] {
        assert!(!search(&["--limit", limit, "deploy"]).is_empty());
    }
    assert_eq!(search(&["--limit", "1", "deploy"]).len(), 1);
}

#[test]
fn queries_too_long_or_with_too_many_words_are_usage_errors() {
    let site = site();
    let long = "deploy ".repeat(150);
    let run = search_run(site, &[&long]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(
        run.stderr,
        "error: the query is 1050 bytes long; at most 1000 are allowed\n"
    );
    let many: Vec<&str> = vec!["deploy"; 33];
    let run = search_run(site, &many);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("the query has 33 words; at most 32"),
        "{}",
        run.stderr
    );
    // Pieces of hyphenated words count, as the index splits them.
    let run = search_run(site, &[&vec!["roll-back"; 17].join(" ")]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!search(&vec!["deploy"; 32]).is_empty());
}

#[test]
fn odd_queries_find_nothing_or_something_without_failing() {
    let site = site();
    // Nothing to search for: no results, exit 1.
    for odd in ["...", "\"", "\"\"", "\" \"", " ", "🦀", "-- !!"] {
        let run = search_run(site, &["--", odd]);
        assert_eq!(run.code, 1, "{odd:?}: {}", run.stderr);
        assert!(run.stdout.starts_with("No results for "), "{odd:?}");
    }
    // Unbalanced quotes: the open phrase runs to the end.
    for unbalanced in ["\"roll back", "roll back\"", "rollback \"roll back"] {
        let hits = search(&[unbalanced]);
        assert_eq!(hits[0]["section"], "Rollback", "{unbalanced:?}");
    }
    // A phrase of nearly 1000 bytes is one clause: searched, found nowhere.
    let phrase = format!("\"{}\"", "roll back ".repeat(99));
    let run = search_run(site, &[&phrase]);
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[test]
fn titles_with_terminal_escapes_and_multibyte_snippets_print_safely() {
    let org = crate::support::Org::new();
    org.file(
        "repos/svc/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  title: \"Evil \\e[31mred\\e[0m \\e]0;pwned\\a title\"\n  description: \"Ünïcödé café naïve ẞtraße İstanbul 日本語 🦀 crabs\"\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: user:ann\n---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: ann\nspec:\n  memberOf: []\n",
    );
    org.file("repos/svc/mkdocs.yml", "site_name: Svc\n");
    org.file(
        "repos/svc/docs/index.md",
        &format!(
            "# Ünïcödé\n\n{}\n",
            "ẞtraße İstanbul café naïve 日本語 🦀 crabs ǅungla e\u{301}tude ".repeat(30)
        ),
    );
    let run = org.run(&["build", "repos", "--out", "site"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let site = org.path().join("site");
    let run = search_run(&site, &["evil"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains('\x1b') && !run.stdout.contains('\x07'));
    assert!(
        run.stdout
            .starts_with("Evil \\u{1b}[31mred\\u{1b}[0m \\u{1b}]0;pwned\\u{7} title [component]"),
        "{}",
        run.stdout
    );
    for word in [
        "ẞtraße",
        "café",
        "naïve",
        "日本語",
        "crabs",
        "ǅungla",
        "Ünïcödé",
    ] {
        let run = search_run(&site, &[word]);
        assert_eq!(run.code, 0, "{word}: {}", run.stderr);
        assert!(run.stdout.contains("café naïve"), "{word}: {}", run.stdout);
    }
}
