//! TechDocs Markdown read from a real repository as MkDocs with
//! techdocs-core reads it: snippet options from mkdocs.yml, links MkDocs
//! normalises, template tags of common plugins.

use crate::support::{Org, git, git_at};

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A repository `repos/NAME` with one documented Component whose docs are
/// in `sub/` (mkdocs.yml in `sub/`, as a monorepo keeps them).
fn docs_repo(org: &Org, name: &str, mkdocs: &str) {
    org.file(
        &format!("repos/{name}/catalog-info.yaml"),
        &format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  annotations:\n    backstage.io/techdocs-ref: dir:./sub\nspec:\n  type: service\n  lifecycle: production\n  owner: user:guest\n---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: guest\nspec:\n  memberOf: []\n"
        ),
    );
    org.file(&format!("repos/{name}/sub/mkdocs.yml"), mkdocs);
}

#[test]
fn snippet_options_come_from_mkdocs_yml() {
    let org = Org::new();
    docs_repo(
        &org,
        "svc",
        "site_name: Svc\nmarkdown_extensions:\n  - pymdownx.snippets:\n      base_path: [snips, '.']\n      check_paths: true\n      dedent_subsections: true\n",
    );
    org.file(
        "repos/svc/sub/snips/App.java",
        "class App {\n    // --8<-- [start:run]\n    void run() {}\n    // --8<-- [end:run]\n}\n",
    );
    org.file("repos/svc/sub/shared.md", "Shared from the second base.\n");
    org.file("repos/svc/outside.md", "OUTSIDE THE BASE\n");
    org.file(
        "repos/svc/sub/docs/index.md",
        "# Svc\n\n```java\n--8<-- \"App.java:run\"\n```\n\n--8<-- \"shared.md\"\n\n--8<-- \"../outside.md\"\n",
    );
    let run = org.run(&["check", "repos", "--format", "json"]);
    let problems: Vec<(String, String, String)> = run
        .codes()
        .into_iter()
        .filter(|(_, code, _)| code.starts_with("snippet"))
        .collect();
    assert_eq!(
        problems,
        vec![(
            "error".to_string(),
            "snippet-missing".to_string(),
            "sub/docs/index.md:9".to_string()
        )],
        "{}",
        run.stdout
    );
    let diagnostics = run.diagnostics();
    let message = &diagnostics
        .iter()
        .find(|d| d["code"] == "snippet-missing")
        .unwrap()["message"];
    assert!(
        message.as_str().unwrap().contains("restrict_base_path"),
        "{message}"
    );
    org.run(&["build", "repos", "--out", "site"]);
    let page = read(
        &org.path()
            .join("site/docs/default/component/svc/index.html"),
    );
    assert!(
        // The Java grammar reads a method outside a class as statements.
        page.contains("<code>void run<span class=\"p\">()</span> <span class=\"p\">{}</span>"),
        "{page}"
    );
    assert!(page.contains("Shared from the second base."), "{page}");
    assert!(!page.contains("OUTSIDE THE BASE"), "{page}");
}

#[test]
fn date_plugin_tags_take_the_pages_git_dates() {
    let org = Org::new();
    docs_repo(
        &org,
        "dated",
        "site_name: Dated\nplugins:\n  - techdocs-core\n  - git-revision-date-localized:\n      enable_creation_date: true\n  - macros\n",
    );
    org.file(
        "repos/dated/sub/docs/index.md",
        "# Dated\n\nCreated {{ git_creation_date_localized }}, changed {{git_revision_date_localized}}.\n",
    );
    org.file(
        "repos/dated/sub/docs/other.md",
        "# Other\n\nSite changed {{ git_site_revision_date_localized }}.\n\nHello {{ user.name }} and {{ more }}.\n",
    );
    let repo = org.path().join("repos/dated");
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git_at(
        &repo,
        "2023-04-05T10:00:00Z",
        &["commit", "-q", "-m", "first"],
    );
    std::fs::write(
        repo.join("sub/docs/index.md"),
        "# Dated\n\nCreated {{ git_creation_date_localized }}, changed {{git_revision_date_localized}}.\n\nEdited.\n",
    )
    .unwrap();
    git(&repo, &["add", "-A"]);
    git_at(
        &repo,
        "2024-11-30T23:59:59Z",
        &["commit", "-q", "-m", "second"],
    );
    let run = org.run(&["build", "repos", "--out", "site", "--verbose"]);
    let site = org.path().join("site/docs/default/component/dated");
    let index = read(&site.join("index.html"));
    assert!(
        index.contains("Created April 5, 2023, changed November 30, 2024."),
        "{index}"
    );
    let other = read(&site.join("other/index.html"));
    assert!(other.contains("Site changed November 30, 2024."), "{other}");
    assert!(
        other.contains("Hello {{ user.name }} and {{ more }}."),
        "{other}"
    );
    let notes: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("template-tag"))
        .collect();
    assert_eq!(notes.len(), 1, "one note per site: {}", run.stderr);
    assert!(notes[0].contains("`{{ user.name }}`"), "{}", notes[0]);
    assert!(
        run.stderr.contains("sub/docs/other.md:5:1"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_readme_with_its_own_h1_gets_no_second_title() {
    let org = Org::new();
    docs_repo(&org, "svc", "site_name: Svc\n");
    org.file(
        "repos/svc/sub/docs/index.md",
        "<h1 align=\"center\">Payments</h1>\n<p align=\"center\"><img src=\"logo.png\" alt=\"Logo\"></p>\n\n## Install\n",
    );
    org.file("repos/svc/sub/docs/plain.md", "## Only a second level\n");
    let run = org.run(&["build", "repos", "--out", "site"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let docs = org.path().join("site/docs/default/component/svc");
    let index = read(&docs.join("index.html"));
    assert_eq!(index.matches("<h1").count(), 1, "{index}");
    assert!(
        index.contains("<h1 align=\"center\">Payments</h1>"),
        "{index}"
    );
    // A page without any h1 is titled by the theme, as Material does.
    let plain = read(&docs.join("plain/index.html"));
    assert!(plain.contains("<h1>Plain</h1>"), "{plain}");
}
