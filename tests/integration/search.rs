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
fn an_unknown_kind_is_an_error_listing_the_kinds() {
    let site = site().to_str().unwrap().to_string();
    let run = portico(
        &crate_dir(),
        &["search", "--site", &site, "shipment", "--kind", "widget"],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("no entity of kind `widget`")
            && run.stderr.contains(
                "api, component, domain, group, location, resource, system, template, user, docs"
            ),
        "{}",
        run.stderr
    );
    // Kinds are matched as Backstage spells them, in any case.
    let upper = search(&["shipment", "--kind", "API"]);
    assert!(!upper.is_empty());
}

#[test]
fn no_results_exit_1_and_a_missing_index_exits_2() {
    let site = site().to_str().unwrap().to_string();
    let none = portico(&crate_dir(), &["search", "--site", &site, "zzzqqqxxx"]);
    assert_eq!(none.code, 1);
    assert!(
        none.stdout
            .contains("No results for \"zzzqqqxxx\": no entity or docs page has any of its words"),
        "the output says why: {}",
        none.stdout
    );
    // Words that are there, filtered away: the filters are named.
    let filtered = portico(
        &crate_dir(),
        &["search", "--site", &site, "--kind", "template", "rollback"],
    );
    assert_eq!(filtered.code, 1, "{}", filtered.stdout);
    assert!(
        filtered
            .stdout
            .contains("No results for \"rollback\" with --kind template: try without the filters."),
        "{}",
        filtered.stdout
    );
    for empty in ["", "   "] {
        let run = portico(&crate_dir(), &["search", "--site", &site, empty]);
        assert_eq!(run.code, 2, "no query is a usage error: {}", run.stderr);
        assert!(run.stderr.contains("no query"), "{}", run.stderr);
    }
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
    // Only the last piece is a prefix: `qqqqq` must still match itself.
    let unknown_first = search(&["qqqqq-rollback"]);
    assert!(
        unknown_first.iter().all(|h| h["partial"] == true),
        "{unknown_first:#?}"
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
        .env("XDG_CACHE_HOME", crate::support::test_cache_home())
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
    // No word to search for: no results, exit 1 (an empty query is a
    // usage error, see above).
    for odd in ["...", "\"", "\"\"", "\" \"", "🦀", "-- !!"] {
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

/// A tantivy index of example-org's documents, as a site carries one in
/// `_search/tantivy` (a site an earlier Portico built): the
/// index `portico search` makes from the site's documents, taken from a
/// cache folder of its own.
fn site_index() -> &'static Path {
    static INDEX: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let cache = tempfile::tempdir().unwrap();
            let run = crate::support::portico_with_env(
                &crate_dir(),
                &["search", "deploy", "--site", site().to_str().unwrap()],
                &[("XDG_CACHE_HOME", cache.path().to_str().unwrap())],
            );
            assert_eq!(run.code, 0, "{}", run.stderr);
            let made = std::fs::read_dir(cache.path().join("portico/search"))
                .unwrap()
                .flatten()
                .map(|entry| entry.path())
                .find(|path| path.join("meta.json").is_file())
                .expect("an index made");
            (cache, made)
        })
        .1
}

/// A site's search documents (`_search/terminal/documents.bin`, which
/// `portico search` indexes on first use) cut, of another format, not
/// Portico's, a link, behind a linked folder, or a FIFO: one clean error
/// each, never a panic, nothing read through a link, no wait.
#[test]
fn damaged_search_documents_are_one_clean_error() {
    let whole = std::fs::read(site().join("_search/terminal/documents.bin")).unwrap();
    let copy = |bytes: &[u8]| {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        let file = site.join("_search/terminal/documents.bin");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, bytes).unwrap();
        (dir, site, file)
    };
    let mut other_format = whole.clone();
    other_format[b"portico search documents\n".len()] ^= 0x40;
    for (what, bytes, cause) in [
        ("cut", &whole[..whole.len() / 2], "cut short"),
        ("another format", &other_format[..], "another version"),
        (
            "not ours",
            &b"{}"[..],
            "not a Portico search documents file",
        ),
    ] {
        let (_dir, site, _) = copy(bytes);
        let stderr = assert_damaged(&site, what);
        assert!(stderr.contains(cause), "{what}: {stderr}");
    }
    let secrets = tempfile::tempdir().unwrap();
    let secret = secrets.path().join("secret.bin");
    std::fs::write(&secret, &whole).unwrap();
    let (_dir, site, file) = copy(&whole);
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink(&secret, &file).unwrap();
    assert!(assert_damaged(&site, "a link").contains("`documents.bin` is a symbolic link"));
    // A folder on the way linked to one holding a whole documents file.
    std::fs::rename(&secret, secrets.path().join("documents.bin")).unwrap();
    let folder = site.join("_search/terminal");
    std::fs::remove_dir_all(&folder).unwrap();
    std::os::unix::fs::symlink(secrets.path(), &folder).unwrap();
    assert!(assert_damaged(&site, "a linked folder").contains("`terminal` is a symbolic link"));
    // A FIFO in its place: refused at once, never waited on.
    std::fs::remove_file(&folder).unwrap();
    std::fs::create_dir(&folder).unwrap();
    let made = std::process::Command::new("mkfifo").arg(&file).status();
    assert!(made.unwrap().success());
    assert!(assert_damaged(&site, "a FIFO").contains("not a regular file"));
}

/// A copy of example-org's search index alone (all `portico search` reads)
/// in a temporary site folder, as `_search/tantivy`.
fn index_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    crate::support::copy_dir(site_index(), &site.join("_search/tantivy"));
    (dir, site)
}

/// Asserts that searching `site` says, in one line, that its index is damaged.
fn assert_damaged(site: &Path, what: &str) -> String {
    let run = search_run(site, &["\"roll back\"", "shipmnet", "deplo"]);
    let shown = site.display();
    assert_eq!(run.code, 2, "{what}: {}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .starts_with(&format!("error: the search index at {shown} is damaged ("))
            && run.stderr.ends_with(&format!(
                "); rebuild it with `portico build --out {shown}`\n"
            )),
        "{what}: {}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{what}: {}", run.stderr);
    for trace in ["panicked", "RUST_BACKTRACE", "backtrace"] {
        assert!(!run.stderr.contains(trace), "{what}: {}", run.stderr);
    }
    assert!(run.stdout.is_empty(), "{what}: {}", run.stdout);
    run.stderr
}

/// CRC-32 (IEEE), as tantivy's footers use.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Garbage the same length as `len`, the same every run.
fn garbage(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_u32;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect()
}

/// A segment file whose body is replaced with `body`, behind a footer with
/// the right checksum: damage made to get past the checksum check.
fn with_checksummed_body(file: &[u8], body: &[u8]) -> Vec<u8> {
    let footer_len = u32::from_le_bytes(file[file.len() - 8..file.len() - 4].try_into().unwrap());
    let footer_start = file.len() - 8 - footer_len as usize;
    let mut footer: serde_json::Value =
        serde_json::from_slice(&file[footer_start..file.len() - 8]).unwrap();
    footer["crc"] = crc32(body).into();
    let footer = serde_json::to_vec(&footer).unwrap();
    let mut out = body.to_vec();
    out.extend_from_slice(&footer);
    out.extend_from_slice(&(footer.len() as u32).to_le_bytes());
    out.extend_from_slice(&file[file.len() - 4..]);
    out
}

#[test]
fn a_damaged_index_is_one_clean_error_whatever_the_file() {
    let names: Vec<String> = files_under(site_index())
        .into_keys()
        // The lock files hold nothing: any content is a valid lock.
        .filter(|name| !name.ends_with(".lock"))
        .collect();
    let extensions: std::collections::BTreeSet<&str> = names
        .iter()
        .filter_map(|n| n.rsplit_once('.'))
        .map(|(_, e)| e)
        .collect();
    for kind in ["json", "idx", "pos", "term", "store", "fast", "fieldnorm"] {
        assert!(extensions.contains(kind), "{kind} files: {names:?}");
    }
    for name in &names {
        let is_segment = !name.ends_with(".json");
        for (damage, make) in DAMAGES {
            if !is_segment && damage.starts_with("given") {
                continue;
            }
            let (_dir, site) = index_copy();
            let path = site.join("_search/tantivy").join(name);
            std::fs::write(&path, make(&std::fs::read(&path).unwrap())).unwrap();
            assert_damaged(&site, &format!("{name} {damage}"));
        }
    }
}

/// Makes a damaged file from a good one.
type Damage = fn(&[u8]) -> Vec<u8>;

/// Ways a file gets damaged; the last two, for segment files, keep the
/// checksum right, as someone crafting an index would.
const DAMAGES: [(&str, Damage); 5] = [
    ("emptied", |_| Vec::new()),
    ("cut in half", |b| b[..b.len() / 2].to_vec()),
    ("overwritten with garbage", |b| garbage(b.len())),
    ("given a checksummed garbage body", |b| {
        with_checksummed_body(b, &garbage(b.len() / 2))
    }),
    ("given a checksummed half body", |b| {
        with_checksummed_body(b, &b[..b.len().saturating_sub(100) / 2])
    }),
];

#[test]
fn links_and_special_files_in_the_index_are_refused_unread() {
    let secrets = tempfile::tempdir().unwrap();
    let secret = secrets.path().join("secret.txt");
    std::fs::write(
        &secret,
        "{\"segments\": \"TOP-SECRET-TOKEN\"}\nTOP-SECRET-TOKEN\n",
    )
    .unwrap();
    for name in ["meta.json", ".managed.json", ".tantivy-meta.lock"] {
        let (_dir, site) = index_copy();
        let path = site.join("_search/tantivy").join(name);
        let _ = std::fs::remove_file(&path);
        std::os::unix::fs::symlink(&secret, &path).unwrap();
        let stderr = assert_damaged(&site, name);
        assert!(
            stderr.contains(&format!("(`{name}` is a symbolic link)")),
            "{stderr}"
        );
        assert!(!stderr.contains("TOP-SECRET"), "{stderr}");
    }
    // A segment file linked to the secret, and a dangling lock file link
    // (tantivy would create the file it points to).
    let (_dir, site) = index_copy();
    let index = site.join("_search/tantivy");
    let store = files_under(&index)
        .into_keys()
        .find(|n| n.ends_with(".store"))
        .unwrap();
    std::fs::remove_file(index.join(&store)).unwrap();
    std::os::unix::fs::symlink(&secret, index.join(&store)).unwrap();
    assert!(assert_damaged(&site, &store).contains("is a symbolic link"));
    let (_dir, site) = index_copy();
    let lock = site.join("_search/tantivy/.tantivy-meta.lock");
    std::fs::remove_file(&lock).unwrap();
    let nowhere = secrets.path().join("created-by-portico");
    std::os::unix::fs::symlink(&nowhere, &lock).unwrap();
    assert_damaged(&site, "dangling lock link");
    assert!(!nowhere.exists());
    // The index folder itself linked to an index elsewhere.
    let (_dir, site) = index_copy();
    let (_other, elsewhere) = index_copy();
    std::fs::remove_dir_all(site.join("_search/tantivy")).unwrap();
    std::os::unix::fs::symlink(
        elsewhere.join("_search/tantivy"),
        site.join("_search/tantivy"),
    )
    .unwrap();
    assert!(assert_damaged(&site, "linked folder").contains("`tantivy` is a symbolic link"));
    // A FIFO would make the search wait for a writer forever.
    let (_dir, site) = index_copy();
    let managed = site.join("_search/tantivy/.managed.json");
    std::fs::remove_file(&managed).unwrap();
    let mkfifo = std::process::Command::new("mkfifo").arg(&managed).status();
    assert!(mkfifo.unwrap().success());
    assert!(assert_damaged(&site, "fifo").contains("`.managed.json` is not a regular file"));
}

#[test]
fn a_huge_meta_json_is_refused_before_it_is_read() {
    let (_dir, site) = index_copy();
    let meta = site.join("_search/tantivy/meta.json");
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(&meta)
        .unwrap();
    // Sparse: no disk used.
    file.set_len(20 * 1024 * 1024).unwrap();
    assert!(assert_damaged(&site, "huge meta.json").contains("`meta.json` is too large"));
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

#[test]
fn a_question_with_no_page_having_every_word_falls_back_to_most_words() {
    // No document has `who`, `owns`, `shipments` and `db` together.
    let hits = search(&["who", "owns", "shipments-db"]);
    assert!(hits.iter().all(|h| h["partial"] == true), "{hits:#?}");
    let refs: Vec<&str> = hits
        .iter()
        .take(3)
        .map(|h| h["entity_ref"].as_str().unwrap())
        .collect();
    assert!(refs.contains(&"resource:default/shipments-db"), "{refs:?}");
    let site = site().to_str().unwrap().to_string();
    let run = portico(
        &crate_dir(),
        &["search", "--site", &site, "who", "owns", "shipments-db"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("No result has every word; results with most of them:\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn words_split_between_a_title_and_a_section_still_find_the_page() {
    // `incident response` is the page's title, `error rate` a section's
    // heading: one document has all four (Deploying › Rollback), so the
    // sections of the incident page come after it, labelled.
    let hits = search(&["incident", "response", "error", "rate"]);
    assert_eq!(hits[0]["partial"], false, "{hits:#?}");
    assert!(hits[1..].iter().all(|h| h["partial"] == true), "{hits:#?}");
    let page = "docs/default/component/shipment-tracker/runbooks/incident-response/index.html";
    assert!(
        hits[1..3]
            .iter()
            .all(|h| h["url"].as_str().unwrap().starts_with(page)),
        "{hits:#?}"
    );
    let site = site().to_str().unwrap().to_string();
    let run = portico(
        &crate_dir(),
        &[
            "search", "--site", &site, "incident", "response", "error", "rate",
        ],
    );
    let (full, partial) = run
        .stdout
        .split_once("Results with only some of the words:\n")
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(full.contains("Deploying") && partial.contains("Incident response"));
}

#[test]
fn enough_results_with_every_word_show_no_partial_ones() {
    let hits = search(&["shipment", "tracker"]);
    assert!(hits.len() >= 3);
    assert!(hits.iter().all(|h| h["partial"] == false), "{hits:#?}");
    // One word has nothing to fall back to.
    assert!(search(&["zzzzqqq"]).is_empty());
}

#[test]
fn level_keeps_the_entities_at_that_level_and_their_docs() {
    let (site, _) = example_site();
    let search = |level: &str| {
        portico(
            site,
            &[
                "search", "--site", ".", "--level", level, "--limit", "50", "--json", "service",
            ],
        )
    };
    let gold = search("GOLD");
    assert_eq!(gold.code, 0, "{}", gold.stderr);
    let hits: Vec<serde_json::Value> = serde_json::from_str(&gold.stdout).unwrap();
    let refs: std::collections::BTreeSet<&str> = hits
        .iter()
        .map(|h| h["entity_ref"].as_str().unwrap())
        .collect();
    // shipment-tracker is the only gold Component (example-org's README).
    assert_eq!(
        refs.into_iter().collect::<Vec<_>>(),
        ["component:default/shipment-tracker"]
    );
    assert!(
        hits.iter().any(|h| h["kind"] == "docs"),
        "its docs sections are kept too: {hits:?}"
    );
    let unknown = search("platinum");
    assert_eq!(unknown.code, 2);
    assert!(
        unknown
            .stderr
            .contains("--level takes one of: bronze, gold, none, silver"),
        "{}",
        unknown.stderr
    );
}

/// An entity found by a fact indexed with it (a tag) shows its description,
/// not the description followed by its type, lifecycle, owner and tags.
#[test]
fn entity_results_show_their_description_not_their_indexed_facts() {
    let hit = first(&["kotlin"]);
    assert_eq!(hit["entity_ref"], "component:default/payment-gateway");
    assert_eq!(
        hit["snippet"],
        "Authorises and captures card payments through our PSPs and emits payment events."
    );
    // A word of the description is still marked in it.
    let hit = first(&["psps"]);
    assert_eq!(hit["entity_ref"], "component:default/payment-gateway");
    let snippet = hit["snippet"].as_str().unwrap();
    assert!(
        snippet.starts_with("Authorises") && !snippet.contains("kotlin"),
        "{snippet}"
    );
}

/// A typo match is found but not shown in bold: the snippet of `rolback`
/// highlights nothing, that of `rollback` the word.
#[test]
fn typo_matches_are_found_but_not_highlighted() {
    let options = portico::search::query::SearchOptions {
        limit: 1,
        kind: None,
        owner: None,
        level: None,
        index_cache: Some(crate::support::test_cache_home().to_path_buf()),
    };
    let hits = |query: &str| portico::search::query::search(site(), query, &options).unwrap();
    let typo = hits("rolback ");
    assert_eq!(typo[0].section, "Rollback");
    assert!(typo[0].highlights.is_empty(), "{:?}", typo[0]);
    let exact = hits("rollback ");
    assert!(!exact[0].highlights.is_empty(), "{:?}", exact[0]);
}

/// `meta.json` edited into something valid that does not fit the segments'
/// files: a segment listed twice, a document count changed.
#[test]
fn a_segment_list_that_does_not_fit_the_files_is_damage() {
    for damage in ["twice", "more", "none"] {
        let (_dir, site) = index_copy();
        let path = site.join("_search/tantivy/meta.json");
        let mut meta: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let segments = meta["segments"].as_array_mut().unwrap();
        match damage {
            "twice" => segments.push(segments[0].clone()),
            "more" => {
                segments[0]["max_doc"] = (segments[0]["max_doc"].as_u64().unwrap() + 1000).into()
            }
            _ => segments[0]["max_doc"] = 0.into(),
        }
        std::fs::write(&path, serde_json::to_string(&meta).unwrap()).unwrap();
        assert_damaged(&site, damage);
    }
}

/// A query typed decomposed (`a` + U+0301) finds what the composed one
/// finds, and a user is found under the display name the site shows.
#[test]
fn decomposed_queries_and_display_names() {
    let composed = first(&["Gonz\u{e1}lez", "--kind", "user"]);
    let decomposed = first(&["Gonza\u{301}lez", "--kind", "user"]);
    assert_eq!(composed, decomposed);
    assert_eq!(
        composed["title"], "Mar\u{ed}a Gonz\u{e1}lez",
        "{composed:#}"
    );
}
