//! TechDocs Markdown read from a real repository as MkDocs with
//! techdocs-core reads it: snippet options from mkdocs.yml, links MkDocs
//! normalises, template tags of common plugins.

use crate::support::Org;

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
        page.contains("<code><span class=\"k\">void</span> run() {}\n</code>"),
        "{page}"
    );
    assert!(page.contains("Shared from the second base."), "{page}");
    assert!(!page.contains("OUTSIDE THE BASE"), "{page}");
}
