//! Docs versions from git tags (`[docs] versions`, the
//! `portico.dev/docs-versions` annotation) on a repository made here with
//! three tags, as a work tree and as a bare clone.

use crate::support::{Org, Run, bare_clone, git, portico_with_env};
use std::path::{Path, PathBuf};

const CATALOG: &str = "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: svc
  annotations:
    backstage.io/techdocs-ref: dir:.ANNOTATION
spec:
  type: service
  lifecycle: production
  owner: team
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team
spec:
  type: team
  children: []
";

/// Writes `files` into the repository and commits them.
fn commit(repo: &Path, files: &[(&str, &str)], message: &str) {
    for (path, text) in files {
        let path = repo.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    if !repo.join(".git").exists() {
        git(repo, &["init", "-q", "-b", "main"]);
    }
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", message]);
}

/// `org/svc`: v1.0.0 (annotated; its guide has a broken link), v1.1.0
/// (lightweight; the link fixed, a page added), v2.0.0 (annotated; the
/// guide rewritten), then one more commit on main, and a tag the pattern
/// does not match.
fn three_tags(annotation: &str) -> Org {
    let org = Org::new();
    let repo = org.path().join("svc");
    let catalog = CATALOG.replace("ANNOTATION", annotation);
    commit(
        &repo,
        &[
            ("catalog-info.yaml", &catalog),
            ("mkdocs.yml", "site_name: Svc\n"),
            (
                "docs/index.md",
                "# Svc\n\nThe home page, the same in every version.\n",
            ),
            (
                "docs/guide.md",
                "# Guide\n\nThe old word is zebrafish. [Gone](missing.md)\n",
            ),
        ],
        "v1.0.0",
    );
    git(&repo, &["tag", "-a", "v1.0.0", "-m", "first"]);
    commit(
        &repo,
        &[
            ("docs/guide.md", "# Guide\n\nThe old word is zebrafish.\n"),
            ("docs/extra.md", "# Extra\n\nAn extra page.\n"),
        ],
        "v1.1.0",
    );
    git(&repo, &["tag", "v1.1.0"]);
    commit(
        &repo,
        &[("docs/guide.md", "# Guide\n\nThe new word is narwhal.\n")],
        "v2.0.0",
    );
    git(&repo, &["tag", "-a", "v2.0.0", "-m", "second"]);
    commit(
        &repo,
        &[("docs/guide.md", "# Guide\n\nThe newest word is okapi.\n")],
        "main",
    );
    git(&repo, &["tag", "nightly"]);
    org
}

fn run(org: &Org, args: &[&str]) -> Run {
    portico_with_env(org.path(), args, &[("PORTICO_TIMINGS", "1")])
}

fn build(org: &Org, root: &str, config: &str) -> (Run, PathBuf) {
    org.file("portico.toml", config);
    let site = org.path().join(format!("site-{root}"));
    let run = run(
        org,
        &[
            "build",
            root,
            "--out",
            site.to_str().unwrap(),
            "--strict",
            "--config",
            "portico.toml",
        ],
    );
    (run, site.join("docs/default/component/svc"))
}

fn run_check(org: &Org) -> Run {
    run(
        org,
        &[
            "check",
            "svc",
            "--strict",
            "--format",
            "json",
            "--config",
            "portico.toml",
        ],
    )
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The version switcher's links of a page, in order: (label, href, current).
fn switcher(html: &str) -> Vec<(String, String, bool)> {
    let start = html
        .find("<details class=\"versions\">")
        .expect("a switcher");
    let end = start + html[start..].find("</details>").unwrap();
    html[start..end]
        .split("<li")
        .skip(1)
        .map(|item| {
            let href = item
                .split("href=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let label = item.split('>').nth(2).unwrap().split('<').next().unwrap();
            (
                label.to_string(),
                href.to_string(),
                item.contains("aria-current"),
            )
        })
        .collect()
}

fn search(org: &Org, site: &str, word: &str) -> Vec<String> {
    let run = run(org, &["search", "--site", site, "--json", word]);
    if run.code == 1 {
        return Vec::new(); // nothing found
    }
    assert_eq!(run.code, 0, "{}", run.stderr);
    let hits: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    hits.iter()
        .map(|h| {
            h["url"]
                .as_str()
                .unwrap()
                .split('#')
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn every_matching_tag_is_built_beside_the_latest_with_a_switcher_and_a_banner() {
    let org = three_tags("");
    let (run, docs) = build(&org, "svc", "[docs]\nversions = \"v*\"\n");
    // v1.0.0's broken link is a note naming the version: --strict passes.
    assert_eq!(run.code, 0, "{}", run.stderr);
    let check = run_check(&org);
    assert_eq!(check.code, 0, "{}", check.stderr);
    let notes: Vec<String> = check
        .diagnostics()
        .iter()
        .map(|d| format!("{} {} {}", d["severity"], d["code"], d["message"]))
        .collect();
    assert_eq!(
        notes,
        vec![
            "\"info\" \"broken-link\" \"in docs version `v1.0.0`: link `missing.md`: `missing.md` is not a page of these docs\""
        ]
    );

    // The latest at the usual address, each tag in its folder.
    assert!(read(docs.join("guide/index.html")).contains("okapi"));
    assert!(read(docs.join("v2.0.0/guide/index.html")).contains("narwhal"));
    assert!(read(docs.join("v1.1.0/guide/index.html")).contains("zebrafish"));
    assert!(read(docs.join("v1.0.0/guide/index.html")).contains("zebrafish"));
    assert!(docs.join("v1.1.0/extra/index.html").is_file());
    assert!(!docs.join("v1.0.0/extra").exists(), "added in v1.1.0");
    assert!(!docs.join("nightly").exists(), "not matched by v*");
    assert!(docs.join("v1.0.0/techdocs_metadata.json").is_file());

    // The switcher: the latest first, then newest first, the same page
    // where the version has it, else its home page.
    let latest_guide = read(docs.join("guide/index.html"));
    assert_eq!(
        switcher(&latest_guide),
        vec![
            ("latest (main)".into(), "../guide/index.html".into(), true),
            ("v2.0.0".into(), "../v2.0.0/guide/index.html".into(), false),
            ("v1.1.0".into(), "../v1.1.0/guide/index.html".into(), false),
            ("v1.0.0".into(), "../v1.0.0/guide/index.html".into(), false),
        ]
    );
    assert!(!latest_guide.contains("version-banner"));
    let old_extra = read(docs.join("v1.1.0/extra/index.html"));
    assert_eq!(
        switcher(&old_extra)[3],
        ("v1.0.0".into(), "../../v1.0.0/index.html".into(), false)
    );
    assert!(switcher(&old_extra)[2].2, "v1.1.0 is the current one");

    // Every switcher link of every page, from file://, opens a page.
    let mut pages = Vec::new();
    collect(&docs, &docs, &mut pages);
    let mut links = 0;
    for (name, bytes) in pages.iter().filter(|(n, _)| n.ends_with("index.html")) {
        let html = String::from_utf8_lossy(bytes);
        let folder = docs.join(name).parent().unwrap().to_path_buf();
        for (_, href, _) in switcher(&html) {
            assert!(folder.join(&href).is_file(), "{name}: {href}");
            links += 1;
        }
    }
    assert!(
        links >= 4 * 11,
        "{links} links: every page of 4 versions has 4"
    );

    // Old versions say so, and link the latest's same page.
    let old_guide = read(docs.join("v1.0.0/guide/index.html"));
    assert!(
        old_guide.contains("You are reading version <strong>v1.0.0</strong>")
            && old_guide.contains("<a href=\"../../guide/index.html\">latest (main)</a>"),
        "{old_guide}"
    );
    // One folder deeper: the portal's stylesheet is one more `../` away.
    assert!(
        old_guide.contains("href=\"../../../../../../assets/"),
        "{old_guide}"
    );
    assert!(!old_guide.contains("Edit this page"));

    // Pages unchanged across versions were rendered once: v2.0.0 renders
    // its 3 pages; v1.1.0 shares the home and extra pages; v1.0.0 the
    // home page; the latest the home and extra pages.
    assert!(
        run.stderr
            .contains("versions: 5 page renders shared, 6 rendered"),
        "{}",
        run.stderr
    );

    // Search has the latest only.
    let site = org.path().join("site-svc");
    let site = site.to_str().unwrap();
    assert_eq!(
        search(&org, site, "okapi"),
        vec!["docs/default/component/svc/guide/index.html"]
    );
    assert!(search(&org, site, "zebrafish").is_empty());
    assert!(search(&org, site, "narwhal").is_empty());
}

#[test]
fn a_bare_clone_builds_the_same_versions() {
    let org = three_tags("");
    bare_clone(org.path(), &org.path().join("svc"), "bare/svc.git");
    let config = "[docs]\nversions = \"v*\"\n";
    let (tree_run, tree) = build(&org, "svc", config);
    let (bare_run, bare) = build(&org, "bare", config);
    assert_eq!(tree_run.code, 0, "{}", tree_run.stderr);
    assert_eq!(bare_run.code, 0, "{}", bare_run.stderr);
    for version in ["v1.0.0", "v1.1.0", "v2.0.0"] {
        let files = |root: &Path| {
            let mut files = Vec::new();
            collect(&root.join(version), root, &mut files);
            files.sort();
            files
        };
        let (a, b) = (files(&tree), files(&bare));
        assert!(!a.is_empty());
        assert_eq!(
            a, b,
            "{version} differs between the work tree and the bare clone"
        );
    }
    let bare_guide = read(bare.join("guide/index.html"));
    assert!(bare_guide.contains("okapi"));
    assert_eq!(switcher(&bare_guide).len(), 4);
}

fn collect(dir: &Path, root: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, root, out);
        } else {
            let name = path.strip_prefix(root).unwrap().display().to_string();
            out.push((name, std::fs::read(&path).unwrap()));
        }
    }
}

#[test]
fn the_annotation_chooses_the_tags_and_old_versions_may_be_searched() {
    let org = three_tags("\n    portico.dev/docs-versions: \"v1.*\"");
    let (run, docs) = build(
        &org,
        "svc",
        "[docs]\nversions = \"v*\"\nsearch-versions = true\n",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(docs.join("v1.1.0/index.html").is_file());
    assert!(!docs.join("v2.0.0").exists(), "the annotation says v1.*");
    let site = org.path().join("site-svc");
    let hits = search(&org, site.to_str().unwrap(), "zebrafish");
    assert_eq!(
        hits,
        vec![
            "docs/default/component/svc/v1.1.0/guide/index.html",
            "docs/default/component/svc/v1.0.0/guide/index.html"
        ]
    );
}

#[test]
fn too_many_matching_tags_build_the_newest_and_say_so() {
    let org = three_tags("\n    portico.dev/docs-versions: \"v0.*\"");
    let repo = org.path().join("svc");
    for n in 0..22 {
        git(&repo, &["tag", &format!("v0.{n}.0")]);
    }
    let (run, docs) = build(&org, "svc", "");
    assert_eq!(run.code, 1, "a warning fails --strict\n{}", run.stderr);
    assert!(
        run.stderr.contains("docs-versions-capped")
            && run
                .stderr
                .contains("22 tags match `v0.*`; the docs were built at the newest 20 only")
            && run.stderr.contains("catalog-info.yaml:7"),
        "{}",
        run.stderr
    );
    assert!(docs.join("v0.21.0/index.html").is_file());
    assert!(docs.join("v0.2.0/index.html").is_file());
    assert!(!docs.join("v0.1.0").exists() && !docs.join("v0.0.0").exists());
}

#[test]
fn a_version_folder_never_replaces_a_page_of_the_latest() {
    let org = three_tags("\n    portico.dev/docs-versions: \"v1.0.0\"");
    let repo = org.path().join("svc");
    commit(
        &repo,
        &[("docs/v1.0.0.md", "# A page named like the tag\n")],
        "a clash",
    );
    let (run, docs) = build(&org, "svc", "");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("docs-version-skipped")
            && run
                .stderr
                .contains("a page or file of the latest docs is in that folder"),
        "{}",
        run.stderr
    );
    assert!(read(docs.join("v1.0.0/index.html")).contains("A page named like the tag"));
}
