//! Hostile repositories, one attack each: nothing may escape the output
//! folder, put script into the portal, crash, hang or exhaust the build.
//! Each test is the reproducer of a defect that was found in a release.

use crate::support::{Org, git};
use std::path::Path;

/// Writes a blob into the repository at `dir`; returns its id.
fn blob(dir: &Path, content: &str) -> String {
    let file = dir.join(".blob-input");
    std::fs::write(&file, content).unwrap();
    let id = git(dir, &["hash-object", "-w", file.to_str().unwrap()]);
    std::fs::remove_file(file).unwrap();
    id.trim().to_string()
}

/// Writes a tree from `(mode, id, name)` entries with `git mktree`, which
/// takes names a checkout never would (`..`).
fn tree(dir: &Path, entries: &[(&str, &str, &str)]) -> String {
    let listing: String = entries
        .iter()
        .map(|(mode, id, name)| {
            let kind = if *mode == "040000" { "tree" } else { "blob" };
            format!("{mode} {kind} {id}\t{name}\n")
        })
        .collect();
    let input = dir.join(".mktree-input");
    std::fs::write(&input, listing).unwrap();
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("git mktree < {}", input.to_str().unwrap()))
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::remove_file(input).unwrap();
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// A bare repository whose HEAD commit has `root_tree`.
fn commit_tree(dir: &Path, root_tree: &str) {
    let commit = git(dir, &["commit-tree", root_tree, "-m", "hostile"]);
    git(dir, &["update-ref", "refs/heads/main", commit.trim()]);
    git(dir, &["symbolic-ref", "HEAD", "refs/heads/main"]);
}

const DOCS_ENTITY: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: NAME\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n";

/// Git trees may hold entries named `..`. With a docs folder six levels
/// deep and six `..` entries under it, the asset's lexically normalised
/// path reads a real file at the repository root, and its output path,
/// built from the raw names, climbed out of the staging folder.
#[test]
fn git_tree_entries_named_dot_dot_never_reach_a_path() {
    let org = Org::new();
    let repo = org.path().join("repos/evil.git");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "--bare"]);
    let pwned = blob(&repo, "PWNED\n");
    let x = tree(&repo, &[("100644", &pwned, "PWNED.txt")]);
    let tmp = tree(&repo, &[("040000", &x, "x")]);
    // Innermost first: the last `..` holds `tmp/x/PWNED.txt`.
    let mut up = tree(&repo, &[("040000", &tmp, "tmp")]);
    for _ in 0..5 {
        up = tree(&repo, &[("040000", &up, "..")]);
    }
    let page = blob(&repo, "# Evil\n\nHello.\n");
    let mut folder = tree(
        &repo,
        &[("100644", &page, "index.md"), ("040000", &up, "..")],
    );
    for name in ["f", "e", "d", "c", "b"] {
        folder = tree(&repo, &[("040000", &folder, name)]);
    }
    let catalog = blob(&repo, &DOCS_ENTITY.replace("NAME", "evil"));
    let mkdocs = blob(&repo, "site_name: Evil\ndocs_dir: a/b/c/d/e/f\n");
    let root = tree(
        &repo,
        &[
            ("040000", &folder, "a"),
            ("100644", &catalog, "catalog-info.yaml"),
            ("100644", &mkdocs, "mkdocs.yml"),
            ("040000", &tmp, "tmp"),
        ],
    );
    commit_tree(&repo, &root);

    std::fs::create_dir_all(org.path().join("deep")).unwrap();
    let run = org.run(&["build", "repos", "--out", "deep/site"]);
    assert!(
        !org.path().join("tmp/x/PWNED.txt").exists(),
        "a file was written outside the site"
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error[file-name-unsafe]") && run.stderr.contains("a/b/c/d/e/f/.."),
        "{}",
        run.stderr
    );
    let site = org.path().join("deep/site/docs/default/component/evil");
    assert!(site.join("index.html").is_file(), "the good page is built");
}

/// A plain-folder repository with one docs site: `files` are under `docs/`
/// unless their path starts with `/` (then at the repository root).
fn docs_repo(org: &Org, name: &str, files: &[(&str, &str)]) {
    org.file(
        &format!("{name}/catalog-info.yaml"),
        &DOCS_ENTITY.replace("NAME", name),
    );
    org.file(
        &format!("{name}/mkdocs.yml"),
        &format!("site_name: {name}\n"),
    );
    for (path, text) in files {
        match path.strip_prefix('/') {
            Some(at_root) => org.file(&format!("{name}/{at_root}"), text),
            None => org.file(&format!("{name}/docs/{path}"), text),
        };
    }
}

/// Preprocessed lines were once marked as Portico's own HTML with a
/// character that was stripped from pages but not from snippets.
#[test]
fn snippet_bytes_cannot_claim_to_be_portico_markup() {
    let org = Org::new();
    docs_repo(
        &org,
        "forger",
        &[
            ("index.md", "# Forged\n\n--8<-- \"inc.md\"\n"),
            (
                "/inc.md",
                "\u{E000}<script>alert(1)</script>\n\u{E000}<img src=x onerror=alert(2)>\n",
            ),
        ],
    );
    let run = org.run(&["build", ".", "--out", "site"]);
    assert!(run.code <= 1, "{}", run.stderr);
    let page = std::fs::read_to_string(
        org.path()
            .join("site/docs/default/component/forger/index.html"),
    )
    .unwrap();
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(!page.contains("onerror"), "{page}");
}

/// Deep nesting once overflowed the stack (exit 134, no site at all).
#[test]
fn deeply_nested_blocks_are_bounded_and_the_rest_builds() {
    let org = Org::new();
    let admonitions: String = (0..2_000)
        .map(|d| format!("{}!!! note\n", " ".repeat(d * 4)))
        .collect();
    let tabs: String = (0..1_500)
        .map(|d| format!("{}=== \"t\"\n", " ".repeat(d * 4)))
        .collect();
    let divs = "<div markdown>\n".repeat(2_500) + &"</div>\n".repeat(2_500);
    let lists = format!("{}x\n", "- ".repeat(3_000)).repeat(50);
    let quotes = format!("{}x\n", "> ".repeat(10_000));
    docs_repo(
        &org,
        "deep",
        &[
            ("index.md", "# Deep\n"),
            ("admonitions.md", &admonitions),
            ("tabs.md", &tabs),
            ("divs.md", &divs),
            ("lists.md", &lists),
            ("quotes.md", &quotes),
        ],
    );
    docs_repo(&org, "good", &[("index.md", "# Good\n\nFine.\n")]);
    let run = org.run(&["build", ".", "--out", "site"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error[nesting-too-deep]"),
        "{}",
        run.stderr
    );
    let site = org.path().join("site/docs/default/component");
    assert!(site.join("good/index.html").is_file());
    for page in ["admonitions", "tabs", "divs", "lists", "quotes"] {
        assert!(
            site.join(format!("deep/{page}/index.html")).is_file(),
            "{page}"
        );
    }
}

/// Snippets including snippets once grew without bound: 3.2 M diagnostics
/// and 4.2 GB for a 20-line file including itself, out of memory for a
/// 9 MB file included under many spellings.
#[test]
fn snippet_expansion_is_bounded() {
    let org = Org::new();
    let self_include = "--8<-- \"docs/b.md\"\n".repeat(20);
    let chain = |next: &str| format!("--8<-- \"docs/{next}\"\n").repeat(20);
    let big = "x".repeat(9 * 1024 * 1024);
    let spellings: String = (0..1_000)
        .map(|i| format!("--8<-- \"{}big.txt\"\n", "./".repeat(i % 50)))
        .collect();
    docs_repo(
        &org,
        "amplifier",
        &[
            ("index.md", &self_include),
            ("b.md", &self_include),
            ("chain.md", &chain("c1.md")),
            ("c1.md", &chain("c2.md")),
            ("c2.md", &chain("c3.md")),
            ("c3.md", &chain("c4.md")),
            ("c4.md", &"0123456789".repeat(100)),
            ("big.md", &spellings),
            ("/big.txt", &big),
        ],
    );
    let run = org.run(&["check", ".", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let diagnostics = run.diagnostics();
    assert!(diagnostics.len() < 200, "{} diagnostics", diagnostics.len());
    let codes: std::collections::BTreeSet<String> = run.codes_with("file").into_iter().collect();
    for expected in ["snippet-cycle docs/b.md", "snippet-budget docs/big.md"] {
        assert!(codes.contains(expected), "{expected} not in {codes:?}");
    }
}

/// Every `href`/`src` value in the built site's HTML files, with the file.
fn site_urls(site: &Path) -> Vec<(String, String)> {
    let mut urls = Vec::new();
    for (path, bytes) in crate::support::files_under(site) {
        if !path.ends_with(".html") && !path.ends_with(".svg") {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        for attr in ["href=", "src=", "action="] {
            for (at, _) in text.match_indices(attr) {
                let rest = text[at + attr.len()..].trim_start();
                let value: String = match rest.chars().next() {
                    Some(q @ ('"' | '\'')) => rest[1..].chars().take_while(|c| *c != q).collect(),
                    _ => rest
                        .chars()
                        .take_while(|c| !c.is_whitespace() && *c != '>')
                        .collect(),
                };
                urls.push((path.clone(), value));
            }
        }
    }
    urls
}

/// No `href`/`src` in the site may run script, however it is spelled.
fn assert_no_script_urls(site: &Path) {
    for (file, url) in site_urls(site) {
        let cleaned: String = url
            .replace("&#x09;", "")
            .replace("&#9;", "")
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .collect();
        for scheme in ["javascript:", "vbscript:", "data:text/html"] {
            assert!(!cleaned.starts_with(scheme), "{file}: {url}");
        }
    }
}

/// Titles of admonitions, details and tabs are rendered as inline
/// Markdown, whose links once skipped the URL check.
#[test]
fn links_in_block_titles_pass_the_url_check() {
    let org = Org::new();
    docs_repo(
        &org,
        "titles",
        &[
            (
                "index.md",
                "# Titles\n\n!!! note \"[x](javascript:alert(1))\"\n    a\n\n??? tip \"[y](JaVaScRiPt:alert(2)) ![i](javascript:alert(3))\"\n    b\n\n=== \"[z](vbscript:msgbox)\"\n    c\n\n!!! info \"[ok](https://example.com/) and [rel](other.md)\"\n    d\n",
            ),
            ("other.md", "# Other\n"),
        ],
    );
    let run = org.run(&["build", ".", "--out", "site"]);
    assert!(run.code <= 1, "{}", run.stderr);
    let site = org.path().join("site");
    assert_no_script_urls(&site);
    let page =
        std::fs::read_to_string(site.join("docs/default/component/titles/index.html")).unwrap();
    for kept in [
        "<p class=\"admonition-title\">x</p>",
        "href=\"https://example.com/\"",
        "href=\"other/index.html\"",
    ] {
        assert!(page.contains(kept), "{kept} missing in {page}");
    }
}

/// A page's file name once became a nav link `javascript:alert(1)/index.html`.
#[test]
fn file_names_become_encoded_url_paths() {
    let org = Org::new();
    docs_repo(
        &org,
        "names",
        &[
            ("index.md", "# Names\n\n[also](javascript:alert(1).md)\n"),
            ("javascript:alert(1).md", "# Evil name\n"),
            ("a#b?c.md", "# Hash and query\n"),
            ("café.md", "# Accents\n"),
        ],
    );
    let run = org.run(&["build", ".", "--out", "site"]);
    assert!(run.code <= 1, "{}", run.stderr);
    let site = org.path().join("site");
    assert_no_script_urls(&site);
    let docs = site.join("docs/default/component/names");
    let index = std::fs::read_to_string(docs.join("index.html")).unwrap();
    for href in [
        "href=\"javascript%3Aalert%281%29/index.html\"",
        "href=\"a%23b%3Fc/index.html\"",
        "href=\"caf%C3%A9/index.html\"",
    ] {
        assert!(index.contains(href), "{href} missing in {index}");
    }
    // The files themselves keep their names: the browser decodes the href.
    assert!(docs.join("javascript:alert(1)/index.html").is_file());
    assert!(docs.join("a#b?c/index.html").is_file());
}

/// Two sources once wrote one output path: `docs/index.html` silently
/// replaced the rendered `index.md`; `...md` wrote outside its docs folder.
#[test]
fn each_output_path_has_one_source_and_pages_win() {
    let org = Org::new();
    docs_repo(
        &org,
        "clash",
        &[
            ("index.md", "# The real page\n"),
            ("index.html", "<p>an impostor</p>"),
            ("README.md", "# Readme\n"),
            ("foo.md", "# Foo\n"),
            ("foo/index.md", "# Foo index\n"),
            ("guide.md", "# Guide\n"),
            ("guide", "a file where the page needs a folder"),
            ("techdocs_metadata.json", "{}"),
            ("...md", "# Dots\n"),
            (".md", "# Nothing\n"),
        ],
    );
    let run = org.run(&["check", ".", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut codes = run.codes_with("file");
    codes.retain(|c| !c.starts_with("unresolved-ref"));
    codes.sort();
    assert_eq!(
        codes,
        vec![
            "asset-conflict docs/guide",
            "asset-conflict docs/index.html",
            "asset-conflict docs/techdocs_metadata.json",
            "page-conflict docs/README.md",
            "page-conflict docs/foo/index.md",
            "page-name-invalid docs/...md",
            "page-name-invalid docs/.md",
        ]
    );
    let run = org.run(&["build", ".", "--out", "site"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let docs = org.path().join("site/docs/default/component");
    let index = std::fs::read_to_string(docs.join("clash/index.html")).unwrap();
    assert!(index.contains("The real page") && !index.contains("impostor"));
    assert!(
        !docs.join("index.html").exists(),
        "`...md` stays in its folder"
    );
    let metadata = std::fs::read_to_string(docs.join("clash/techdocs_metadata.json")).unwrap();
    assert!(metadata.contains("site_name"), "{metadata}");
}

/// Author `.html` and `.svg` files run on the portal's origin when opened:
/// they are sanitised (what was removed is said) or refused.
#[test]
fn author_html_and_svg_files_are_sanitised_or_refused() {
    let org = Org::new();
    docs_repo(
        &org,
        "pages",
        &[
            (
                "index.md",
                "# Pages\n\n![d](diagram.svg) [p](page.html) [b](broken.svg)\n",
            ),
            (
                "page.html",
                "<p onclick=\"x()\">hi</p><script>alert(1)</script>",
            ),
            (
                "diagram.svg",
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"1\" height=\"1\"/></svg>",
            ),
            (
                "broken.svg",
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg>",
            ),
        ],
    );
    let run = org.run(&["check", ".", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut codes = run.codes_with("file");
    codes.retain(|c| !c.starts_with("unresolved-ref"));
    codes.sort();
    assert_eq!(
        codes,
        vec![
            "asset-refused docs/broken.svg",
            "asset-sanitized docs/page.html",
            "broken-link docs/index.md",
        ],
        "a refused file is not published, so links to it are broken"
    );
    let run = org.run(&["build", ".", "--out", "site"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let docs = org.path().join("site/docs/default/component/pages");
    let page = std::fs::read_to_string(docs.join("page.html")).unwrap();
    assert!(page.contains("<p>hi</p>") && !page.contains("<script") && !page.contains("onclick"));
    assert!(docs.join("diagram.svg").is_file());
    assert!(!docs.join("broken.svg").exists());
}

/// Every page once carried its folder's whole nav: 5,000 pages in one
/// folder made 1.6 GB of HTML. Each page now shows its neighbourhood and
/// links to the site's page of all pages.
#[test]
fn a_huge_folder_keeps_each_page_small() {
    let org = Org::new();
    let pages: Vec<(String, String)> = (0..1_500)
        .map(|i| {
            (
                format!("page-{i:04}.md"),
                format!("# Page {i}\n\nSome text about page {i}.\n"),
            )
        })
        .collect();
    let files: Vec<(&str, &str)> = pages
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    docs_repo(&org, "huge", &files);
    let run = org.run(&["build", ".", "--out", "site", "--no-search"]);
    assert!(run.code <= 1, "{}", run.stderr);
    let docs = org.path().join("site/docs/default/component/huge");
    let markdown: usize = pages.iter().map(|(_, t)| t.len()).sum();
    let html: usize = crate::support::files_under(&docs)
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(_, b)| b.len())
        .sum();
    assert!(
        html <= 3 * markdown + 5 * 1024 * pages.len(),
        "{html} bytes of HTML for {markdown} of Markdown"
    );
    let middle = std::fs::read_to_string(docs.join("page-0750/index.html")).unwrap();
    assert!(
        middle.contains("href=\"../page-0749/index.html\""),
        "neighbours are shown"
    );
    assert!(
        middle.contains("href=\"../_pages/index.html\">… 743 more pages<"),
        "{middle}"
    );
    let all = std::fs::read_to_string(docs.join("_pages/index.html")).unwrap();
    let (_, listing) = all
        .split_once("All pages</h1>")
        .expect("the page of all pages");
    assert_eq!(
        listing.matches("/index.html\">Page ").count(),
        1_500,
        "every page listed"
    );
}

/// Discovery once followed a link in ROOT to a repository elsewhere and
/// built it into the portal.
#[test]
fn discovery_does_not_follow_links_out_of_the_roots() {
    let org = Org::new();
    docs_repo(&org, "elsewhere/secret", &[("index.md", "# Secret\n")]);
    docs_repo(&org, "root/team/good", &[("index.md", "# Good\n")]);
    std::os::unix::fs::symlink(
        org.path().join("elsewhere/secret"),
        org.path().join("root/team/linked"),
    )
    .unwrap();
    let run = org.run(&["check", "root", "--format", "json", "-v"]);
    let names: Vec<String> = run.codes_with("path");
    assert!(
        names.contains(&"link-not-followed root/team/linked".to_string()),
        "{names:?}"
    );
    assert!(
        !run.stdout.contains("secret/catalog-info.yaml"),
        "{}",
        run.stdout
    );
}

/// A catalog file that is a FIFO (or a link to /dev/zero) once dropped the
/// repository without a word; read, it would hang the build.
#[test]
fn special_files_are_reported_not_read() {
    let org = Org::new();
    std::fs::create_dir_all(org.path().join("fifo")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(org.path().join("fifo/catalog-info.yaml"))
        .status()
        .unwrap();
    assert!(made.success());
    std::fs::create_dir_all(org.path().join("zero")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", org.path().join("zero/catalog-info.yaml")).unwrap();
    docs_repo(&org, "good", &[("index.md", "# Good\n")]);
    let run = org.run(&["check", ".", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let codes = run.codes_with("path");
    for expected in [
        "file-unreadable fifo/catalog-info.yaml",
        "file-unreadable zero/catalog-info.yaml",
    ] {
        assert!(codes.contains(&expected.to_string()), "{codes:?}");
    }
}

/// File names that are not UTF-8 were skipped silently, and `a\..\b.md`
/// was read as `b.md`.
#[test]
fn unreadable_file_names_are_reported() {
    use std::os::unix::ffi::OsStrExt;
    let org = Org::new();
    docs_repo(
        &org,
        "names",
        &[
            ("index.md", "# Names\n"),
            ("b.md", "# B\n"),
            ("a\\..\\b.md", "# Not b\n"),
        ],
    );
    let bad = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
    std::fs::write(org.path().join("names/docs").join(bad), "# Latin-1\n").unwrap();
    let run = org.run(&["check", ".", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut codes = run.codes_with("file");
    codes.retain(|c| c.starts_with("file-name-unsafe"));
    codes.sort();
    assert_eq!(
        codes,
        vec![
            "file-name-unsafe docs/a\\..\\b.md",
            "file-name-unsafe docs/caf\u{FFFD}.md",
        ]
    );
}
