//! Hostile repositories, one attack each: nothing may escape the output
//! folder, put script into the portal, crash, hang or exhaust the build.
//! Each test is the reproducer of a defect found in a release; the last
//! one builds every attack at once beside good repositories.

mod attacks;

use crate::support::{Org, copy_dir, crate_dir, files_under};
use attacks::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `--format json` diagnostics of `check` on the org, as `"<code> <file>"`,
/// sorted, without the `unresolved-ref` warnings every fixture has.
fn codes(org: &Org) -> Vec<String> {
    let run = org.run(&["check", ".", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut codes = run.codes_with("file");
    codes.retain(|c| !c.starts_with("unresolved-ref"));
    codes.sort();
    codes
}

fn build(org: &Org) -> std::path::PathBuf {
    let run = org.run(&["build", ".", "--out", "site"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    org.path().join("site")
}

#[test]
fn catalog_values_on_entity_people_and_list_pages_stay_text() {
    let org = Org::new();
    hostile_catalog_values(&org, "valued");
    let site = build(&org);
    assert_no_script_urls(&site);
    assert_only_portico_scripts(&site);
    for page in [
        "apis/index.html",
        "docs/index.html",
        "org/index.html",
        "catalog/default/group/valued-team/index.html",
        "catalog/default/user/valued-user/index.html",
        "catalog/default/api/valued-api/index.html",
        "catalog/default/component/valued/index.html",
    ] {
        let html = std::fs::read_to_string(site.join(page)).unwrap();
        assert!(!html.contains(" onmouseover=\""), "{page}");
        assert!(
            !html.contains("<img class=\"avatar\" src=\"data:text"),
            "{page}"
        );
    }
}

/// A work tree's `.git` folder is git's, not the repository's: a
/// placeholder or a Location naming a file in it (the remote's credentials
/// are in `.git/config`) is refused, so no token reaches the site.
#[test]
fn nothing_in_git_s_own_folder_is_read() {
    let org = Org::new();
    org.file(
        "leak/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: leak\n  description:\n    $text: .git/config\nspec:\n  type: service\n  lifecycle: production\n  owner: me\n---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: more\nspec:\n  targets: [./.git/config]\n",
    );
    crate::support::git(&org.path().join("leak"), &["init", "-q"]);
    crate::support::git(
        &org.path().join("leak"),
        &[
            "remote",
            "add",
            "origin",
            "https://alice:ghp_SECRETTOKEN123@github.com/acme/leak.git",
        ],
    );
    let run = org.run(&["check", ".", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("git's own folder"), "{}", run.stdout);
    let site = build(&org);
    for (path, bytes) in files_under(&site) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("SECRETTOKEN"),
            "the token is in {path}"
        );
    }
}

/// A kept entity without its required `spec` is drawn, not a crash.
#[test]
fn an_entity_without_spec_is_drawn() {
    let org = Org::new();
    org.file(
        "nospec/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: nospec\n---\napiVersion: backstage.io/v1alpha1\nkind: Environment\nmetadata:\n  name: env\n",
    );
    let site = build(&org);
    assert!(
        site.join("catalog/default/component/nospec/index.html")
            .is_file()
    );
    assert!(
        site.join("catalog/default/environment/env/index.html")
            .is_file()
    );
}

#[test]
fn git_tree_entries_named_dot_dot_never_reach_a_path() {
    let org = Org::new();
    dot_dot_tree_entries(&org, "repos/evil.git");
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

/// A Location's targets are read once each (200 narrow globs cost little),
/// and the terminal shows a bounded number of a file's problems of one code.
#[test]
fn location_targets_cannot_fan_out() {
    let org = Org::new();
    location_fan_out(&org, "repos/fan");
    let run = org.run(&["check", "repos", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let codes = run.codes_with("file");
    let count = |code: &str| {
        codes
            .iter()
            .filter(|c| *c == &format!("{code} catalog-info.yaml"))
            .count()
    };
    assert_eq!(
        count("location-target-outside"),
        501,
        "each target once: {codes:?}"
    );
    assert_eq!(
        count("location-target-invalid"),
        0,
        "narrow globs cost little"
    );
    let human = org.run(&["check", "repos"]);
    assert!(
        human
            .stderr
            .contains("error[more-problems]: 401 more `location-target-outside` problems"),
        "{}",
        &human.stderr[human.stderr.len().saturating_sub(3000)..]
    );
    let entities = run.stdout.matches("\"fan-").count();
    assert_eq!(
        entities,
        0,
        "diagnostics only in JSON: {}",
        run.stdout.len()
    );
    let built = org.run(&["build", "repos", "--out", "site", "--no-search"]);
    assert!(
        org.path()
            .join("site/catalog/default/component/fan-49/index.html")
            .is_file(),
        "{}",
        built.stderr
    );
}

/// A repository's catalog files are read up to a budget of bytes, all
/// together: past it, one file-unreadable and nothing more is read.
#[test]
fn catalog_bytes_are_bounded_per_repository() {
    let org = Org::new();
    catalog_bytes_amplified(&org, "repos/padded.git");
    let run = org.run(&["check", "repos", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let unreadable: Vec<_> = run
        .diagnostics()
        .into_iter()
        .filter(|d| d["code"] == "file-unreadable")
        .collect();
    assert_eq!(unreadable.len(), 1, "{}", run.stdout);
    assert!(
        unreadable[0]["message"]
            .as_str()
            .unwrap()
            .contains("256 MB together"),
        "{}",
        run.stdout
    );
}

/// A git tree bomb's listing stops at its budget, says so, and the rest
/// of the repository builds.
#[test]
fn a_tree_bomb_is_listed_in_part() {
    let org = Org::new();
    tree_bomb(&org, "repos/bomb.git");
    let run = org.run(&["check", "repos", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.codes_with("file")
            .contains(&"listing-truncated mkdocs.yml".to_string()),
        "{}",
        run.stdout
    );
}

/// Catalog globs over a listing cut short may miss files: a warning says
/// so, for the repository when a catalog path is a glob, and at a
/// Location's glob target (a glob in a folder listed whole says nothing).
#[test]
fn catalog_globs_over_a_cut_listing_say_so() {
    let org = Org::new();
    let location = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: more\nspec:\n  targets:\n    - ./docs/**/catalog-info.yaml\n    - ./teams/*.yaml\n";
    tree_bomb_with(&org, "repos/bomb.git", &[("all.yaml", location)]);
    let check = |paths: &[&str]| {
        let mut args = vec!["check", "repos", "--format", "json"];
        for path in paths {
            args.extend(["--catalog-path", path]);
        }
        let run = org.run(&args);
        assert!(run.code < 2, "{}", run.stderr);
        run.diagnostics()
            .into_iter()
            .filter(|d| d["code"] == "listing-truncated")
            .map(|d| {
                let field = |name: &str| d[name].as_str().unwrap_or("").to_string();
                (
                    field("file"),
                    d["line"].as_u64().unwrap_or(0),
                    field("message"),
                )
            })
            .collect::<Vec<(String, u64, String)>>()
    };
    let cut = check(&["*.yaml", "teams/*.yaml"]);
    assert_eq!(cut.len(), 3, "{cut:?}");
    assert!(
        cut.iter().any(|(file, _, message)| file.is_empty()
            && message.ends_with("catalog files matching `*.yaml` past that are left out")),
        "{cut:?}"
    );
    assert!(
        cut.iter().any(|(file, line, message)| file == "all.yaml"
            && *line == 7
            && message.contains("files matching this target (`docs/**/catalog-info.yaml`)")),
        "{cut:?}"
    );
    // Exact catalog paths list nothing; the Location read by its name
    // warns at its glob into the cut folder only.
    let cut = check(&["catalog-info.yaml", "all.yaml"]);
    assert_eq!(cut.len(), 2, "mkdocs.yml's and the target's: {cut:?}");
    let cut = check(&["catalog-info.yaml"]);
    assert_eq!(cut.len(), 1, "mkdocs.yml's: {cut:?}");
}

#[test]
fn snippet_bytes_cannot_claim_to_be_portico_markup() {
    let org = Org::new();
    forged_snippet_markup(&org, "forger");
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

#[test]
fn deeply_nested_blocks_are_bounded_and_the_rest_builds() {
    let org = Org::new();
    deep_nesting(&org, "deep");
    docs_repo(&org, "good", &[("index.md", "# Good\n\nFine.\n")]);
    assert_eq!(
        codes(&org),
        vec![
            "html-too-deep docs/divs.md",
            "nesting-too-deep docs/admonitions.md",
            "nesting-too-deep docs/divs.md",
            "nesting-too-deep docs/tabs.md",
            "page-too-complex docs/lists.md",
            "page-too-complex docs/quotes.md",
        ]
    );
    let site = build(&org).join("docs/default/component");
    assert!(site.join("good/index.html").is_file());
    for page in ["admonitions", "tabs", "divs", "lists", "quotes"] {
        assert!(
            site.join(format!("deep/{page}/index.html")).is_file(),
            "{page}"
        );
    }
}

#[test]
fn snippet_expansion_is_bounded() {
    let org = Org::new();
    snippet_amplification(&org, "amplifier");
    let run = org.run(&["check", ".", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.diagnostics().len() < 200, "{}", run.stdout.len());
    let codes: BTreeSet<String> = run.codes_with("file").into_iter().collect();
    for expected in ["snippet-cycle docs/b.md", "snippet-budget docs/big.md"] {
        assert!(codes.contains(expected), "{expected} not in {codes:?}");
    }
}

#[test]
fn links_in_block_titles_pass_the_url_check() {
    let org = Org::new();
    script_links_in_titles(&org, "titles");
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
    let html = std::fs::read_to_string(site.join("docs/default/component/titles/html/index.html"))
        .unwrap();
    for raw in ["<img src=x", "<script>alert", "<b onmouseover"] {
        assert!(!html.contains(raw), "{raw} in {html}");
    }
}

#[test]
fn file_names_become_encoded_url_paths() {
    let org = Org::new();
    script_file_names(&org, "names");
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

#[test]
fn each_output_path_has_one_source_and_pages_win() {
    let org = Org::new();
    clashing_outputs(&org, "clash");
    assert_eq!(
        codes(&org),
        vec![
            "asset-conflict docs/guide",
            "asset-conflict docs/index.html",
            "asset-conflict docs/techdocs_metadata.json",
            "page-conflict docs/README.md",
            // MkDocs writes the sub-folder's page last: it is the one seen.
            "page-conflict docs/foo.md",
        ],
        "`...md` and `.md` are dot files, which MkDocs leaves out of a site"
    );
    let docs = build(&org).join("docs/default/component");
    let index = std::fs::read_to_string(docs.join("clash/index.html")).unwrap();
    assert!(index.contains("The real page") && !index.contains("impostor"));
    assert!(
        !docs.join("index.html").exists(),
        "`...md` stays in its folder"
    );
    let metadata = std::fs::read_to_string(docs.join("clash/techdocs_metadata.json")).unwrap();
    assert!(metadata.contains("site_name"), "{metadata}");
}

#[test]
fn author_html_and_svg_files_are_sanitised_or_refused() {
    let org = Org::new();
    author_html_and_svg(&org, "pages");
    assert_eq!(
        codes(&org),
        vec![
            "asset-refused docs/broken.svg",
            "asset-refused docs/feed.rss",
            "asset-refused docs/server.shtml",
            "asset-sanitized docs/page.html",
            "broken-link docs/index.md",
        ],
        "a refused file is not published, so links to it are broken"
    );
    let docs = build(&org).join("docs/default/component/pages");
    let page = std::fs::read_to_string(docs.join("page.html")).unwrap();
    assert!(page.contains("<p>hi</p>") && !page.contains("<script") && !page.contains("onclick"));
    assert!(docs.join("diagram.svg").is_file());
    assert!(!docs.join("broken.svg").exists());
    assert!(!docs.join("server.shtml").exists() && !docs.join("feed.rss").exists());
    assert!(
        docs.join("plain.rss").is_file(),
        "a plain feed is published"
    );
}

#[test]
fn a_huge_folder_keeps_each_page_small() {
    let org = Org::new();
    huge_folder(&org, "huge");
    let run = org.run(&["build", ".", "--out", "site", "--no-search"]);
    assert!(run.code <= 1, "{}", run.stderr);
    let docs = org.path().join("site/docs/default/component/huge");
    let pages = huge_folder_pages();
    let markdown: usize = pages.iter().map(|(_, t)| t.len()).sum();
    let html: usize = files_under(&docs)
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
        middle.contains("href=\"../_pages/index.html\">… 743 more<"),
        "{middle}"
    );
    let all = std::fs::read_to_string(docs.join("_pages/index.html")).unwrap();
    let (_, listing) = all
        .split_once("All pages</h1>")
        .expect("the page of all pages");
    assert_eq!(listing.matches("/index.html\">Page ").count(), 1_500);
}

#[test]
fn quadratic_markdown_is_linear() {
    let org = Org::new();
    quadratic_markdown(&org, "quadratic");
    assert_eq!(codes(&org), vec!["html-too-deep docs/divs.md"]);
}

#[test]
fn discovery_does_not_follow_links_out_of_the_roots() {
    let org = Org::new();
    link_out_of_the_root(&org, "root/team/linked");
    docs_repo(&org, "root/team/good", &[("index.md", "# Good\n")]);
    let run = org.run(&["check", "root", "--format", "json", "-v"]);
    let paths = run.codes_with("path");
    assert!(
        paths.contains(&"link-not-followed root/team/linked".to_string()),
        "{paths:?}"
    );
    assert!(
        !run.stdout.contains("secret/catalog-info.yaml"),
        "{}",
        run.stdout
    );
}

#[test]
fn special_files_are_reported_not_read() {
    let org = Org::new();
    special_catalog_files(&org, "special");
    docs_repo(&org, "good", &[("index.md", "# Good\n")]);
    let run = org.run(&["check", ".", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let paths = run.codes_with("path");
    for expected in [
        "file-unreadable special-fifo/catalog-info.yaml",
        "file-unreadable special-zero/catalog-info.yaml",
    ] {
        assert!(paths.contains(&expected.to_string()), "{paths:?}");
    }
}

#[test]
fn unreadable_file_names_are_reported() {
    let org = Org::new();
    unsafe_file_names(&org, "names");
    assert_eq!(
        codes(&org),
        vec![
            "file-name-unsafe docs/a\\..\\b.md",
            "file-name-unsafe docs/caf\u{FFFD}.md",
        ]
    );
}

/// Every path under `dir` but the built site and its lock, never read
/// (the fixture holds a FIFO) and without following links.
fn files_outside_the_site(dir: &Path) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            let rel = path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            // The site, its lock, the site last swapped out (kept as the
            // next build's base) and the build cache (`--cache`'s default,
            // written by Portico, never from a repository's paths).
            if rel == "site"
                || rel.starts_with(".site.portico-lock")
                || rel == ".site.portico-kept"
                || rel == ".portico-cache"
            {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            }
            paths.insert(rel);
        }
    }
    paths
}

/// The good repositories: example-org without its deliberate mistakes.
fn good_repos(org: &Org) -> Vec<&'static str> {
    let repos = [
        "org-directory",
        "infra-resources",
        "go-logging-lib",
        "shipment-tracker",
        "route-planner",
        "payment-gateway",
        "order-graph",
        "checkout-web",
        "software-templates",
    ];
    for repo in repos {
        copy_dir(
            &crate_dir().join("example-org").join(repo),
            &org.path().join("repos").join(repo),
        );
    }
    repos.to_vec()
}

/// The good repositories' own pages: their docs and their entities'
/// pages, with the organisation's folder (in `file:` annotations) written
/// as `ORG`.
fn good_pages(org: &Org, repos: &[&str]) -> BTreeMap<String, String> {
    let site = &org.path().join("site");
    let folder = org.path().to_str().unwrap();
    let catalog: Vec<serde_json::Value> = crate::support::entities(site);
    let good_entities: BTreeSet<String> = catalog
        .iter()
        .filter(|e| {
            let location = e["metadata"]["annotations"]["backstage.io/managed-by-location"]
                .as_str()
                .unwrap_or("");
            repos
                .iter()
                .any(|r| location.contains(&format!("/repos/{r}/")))
        })
        .map(|e| {
            format!(
                "catalog/{}/{}/{}/index.html",
                e["metadata"]["namespace"].as_str().unwrap(),
                e["kind"].as_str().unwrap().to_lowercase(),
                e["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect();
    files_under(site)
        .into_iter()
        .filter(|(path, _)| {
            good_entities.contains(path)
                || repos
                    .iter()
                    .any(|r| path.starts_with(&format!("docs/default/component/{r}/")))
        })
        .map(|(path, bytes)| (path, String::from_utf8_lossy(&bytes).replace(folder, "ORG")))
        .collect()
}

/// Writes one hostile repository into an organisation folder.
type Attack = fn(&Org, &str);

/// The hostile-org fixture: one repository of each attack beside the good
/// repositories of example-org. The build reports every attack at its
/// repository and file, writes nothing outside the site, puts no script in
/// it, and the good repositories' pages are what they are without the
/// attackers.
#[test]
fn a_hostile_org_builds_the_good_repositories_whole() {
    let attacks: [(&str, Attack); 17] = [
        ("repos/dotdot.git", dot_dot_tree_entries),
        ("repos/forger", forged_snippet_markup),
        ("repos/deep", deep_nesting),
        ("repos/amplifier", snippet_amplification),
        ("repos/titles", script_links_in_titles),
        ("repos/names", script_file_names),
        ("repos/clash", clashing_outputs),
        ("repos/pages", author_html_and_svg),
        ("repos/huge", huge_folder),
        ("repos/quadratic", quadratic_markdown),
        ("repos/special", special_catalog_files),
        ("repos/unsafe-names", unsafe_file_names),
        ("repos/linked", link_out_of_the_root),
        ("repos/yaml-bombs", yaml_bombs),
        ("repos/placeholders", substitution_amplification),
        ("repos/chain", location_chain),
        ("repos/valued", hostile_catalog_values),
    ];
    let hostile = Org::new();
    let good = good_repos(&hostile);
    for (dir, attack) in attacks {
        attack(&hostile, dir);
    }
    let before = files_outside_the_site(hostile.path());
    let run = hostile.run(&["build", "repos", "--out", "site"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        files_outside_the_site(hostile.path()),
        before,
        "nothing was written outside the site"
    );

    // Every attack is reported at its repository, with the file.
    let check = hostile.run(&["check", "repos", "--format", "json", "-v"]);
    let reported: BTreeSet<(String, String)> = check
        .diagnostics()
        .iter()
        .filter(|d| d["code"] != "unresolved-ref" && d["code"] != "no-catalog-file")
        .map(|d| {
            let path = d["path"].as_str().unwrap();
            let repo = path.trim_start_matches("repos/").split('/').next().unwrap();
            (repo.to_string(), d["file"].as_str().unwrap().to_string())
        })
        .collect();
    for (dir, _) in attacks {
        let repo = dir.trim_start_matches("repos/");
        let repo = match repo {
            "special" => "special-fifo",
            "huge" => continue, // not an error: the nav is cut, and says so
            other => other,
        };
        assert!(
            reported
                .iter()
                .any(|(r, file)| r == repo && !file.is_empty())
                || reported.iter().any(|(r, _)| r == repo && repo == "linked"),
            "nothing reported for {repo}: {reported:?}"
        );
    }

    let site = hostile.path().join("site");
    assert_no_script_urls(&site);
    assert_only_portico_scripts(&site);

    // The good repositories' pages are the same without the attackers.
    let alone = Org::new();
    good_repos(&alone);
    let run = alone.run(&["build", "repos", "--out", "site"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let expected = good_pages(&alone, &good);
    let actual = good_pages(&hostile, &good);
    assert!(expected.len() > 40, "{} pages", expected.len());
    assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (path, text) in &expected {
        assert!(actual[path] == *text, "{path} differs with the attackers");
    }
}

#[test]
fn a_site_builds_at_most_its_page_budget() {
    let org = Org::new();
    docs_repo(&org, "many", &[("index.md", "# Many\n")]);
    let docs = org.path().join("many/docs");
    for i in 0..20_000 {
        std::fs::write(docs.join(format!("p{i:05}.md")), "").unwrap();
    }
    let run = org.run(&["check", ".", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let codes = run.codes_with("file");
    assert!(
        codes.contains(&"docs-too-many-pages mkdocs.yml".to_string()),
        "{codes:?}"
    );
}

#[test]
fn script_links_in_the_nav_are_left_out_and_said() {
    let org = Org::new();
    docs_repo(&org, "nav", &[("index.md", "# Nav\n")]);
    org.file(
        "nav/mkdocs.yml",
        "site_name: nav\nnav:\n  - Home: index.md\n  - Evil: javascript://%0aalert(1)\n  - Good: https://example.com/\n",
    );
    let run = org.run(&["check", ".", "--format", "json"]);
    assert_eq!(run.code, 0, "a warning: {}", run.stdout);
    let codes = run.codes_with("file");
    assert!(
        codes.contains(&"unsafe-link mkdocs.yml".to_string()),
        "{codes:?}"
    );
    let run = org.run(&["build", ".", "--out", "site"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = std::fs::read_to_string(
        org.path()
            .join("site/docs/default/component/nav/index.html"),
    )
    .unwrap();
    assert!(
        !page.contains("javascript:") && page.contains("https://example.com/"),
        "{page}"
    );
}
