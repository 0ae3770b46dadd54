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
