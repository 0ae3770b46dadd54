//! TechDocs: every entity's docs rendered from unchanged mkdocs.yml and
//! Markdown, with links checked across pages and sites.

use crate::support::{Org, bare_clone, commit_all, copy_dir, corpus_dir, crate_dir, git, portico};

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A Component with docs (`backstage.io/techdocs-ref`), owned by `user:owner`.
fn documented(name: &str, reference: &str, owner: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  annotations:\n    backstage.io/techdocs-ref: {reference}\nspec:\n  type: service\n  lifecycle: production\n  owner: user:{owner}\n"
    )
}

/// A repository `repos/NAME` holding a documented Component and `files`
/// (paths inside the repository, and their texts).
fn docs_repo(org: &Org, name: &str, files: &[(&str, &str)]) {
    org.file(
        &format!("repos/{name}/catalog-info.yaml"),
        &documented(name, "dir:.", "me"),
    );
    for (path, text) in files {
        org.file(&format!("repos/{name}/{path}"), text);
    }
}

/// A User, so the owners above resolve.
fn user(name: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: {name}\nspec:\n  memberOf: []\n"
    )
}

#[test]
fn example_org_docs_render_with_only_the_documented_broken_link() {
    let site = &crate::support::example_site().0;
    let check = portico(&crate_dir(), &["check", "example-org", "--format", "json"]);
    let docs_problems: Vec<(String, String)> = check
        .diagnostics()
        .iter()
        .filter(|d| d["path"].as_str().unwrap().ends_with(".md"))
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                format!("{}:{}", d["path"].as_str().unwrap(), d["line"]),
            )
        })
        .collect();
    assert_eq!(
        docs_problems,
        vec![(
            "broken-link".to_string(),
            "example-org/legacy-billing/docs/index.md:10".to_string()
        )]
    );

    let docs = site.join("docs/default/component");
    for page in [
        "shipment-tracker/index.html",
        "shipment-tracker/deploy/index.html",
        "shipment-tracker/runbooks/incident-response/index.html",
        "payment-gateway/index.html",
        "route-planner/operations/scaling/index.html",
        "billing-exporter/retirement/index.html",
    ] {
        assert!(docs.join(page).is_file(), "{page} missing");
    }
    assert!(
        docs.join("shipment-tracker/img/arch.svg").is_file(),
        "assets are copied"
    );
    let incident = read(&docs.join("shipment-tracker/runbooks/incident-response/index.html"));
    assert!(
        incident.contains("href=\"../../deploy/index.html#rollback\""),
        "relative .md link rewritten with its anchor"
    );
    let deploy = read(&docs.join("shipment-tracker/deploy/index.html"));
    assert!(deploy.contains("<h2 id=\"rollback\""), "MkDocs heading ids");
    assert!(deploy.contains("class=\"language-yaml highlight\""));
    let metadata: serde_json::Value =
        serde_json::from_str(&read(&docs.join("shipment-tracker/techdocs_metadata.json"))).unwrap();
    assert_eq!(metadata["site_name"], "Shipment Tracker");
    assert!(
        metadata["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "deploy/index.html")
    );
    // The entity page links to its docs.
    let entity = read(&site.join("catalog/default/component/shipment-tracker/index.html"));
    assert!(
        entity.contains("href=\"../../../../docs/default/component/shipment-tracker/index.html\""),
        "entity page links its docs"
    );
}

#[test]
fn the_documented_component_corpus_site_reports_its_known_breakage() {
    let dir = corpus_dir().join("techdocs-backstage-documented-component");
    let run = portico(
        &corpus_dir(),
        &["check", dir.to_str().unwrap(), "--format", "json", "-v"],
    );
    let codes: Vec<(String, String)> = run
        .diagnostics()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                format!("{}:{}", d["file"].as_str().unwrap(), d["line"]),
            )
        })
        .collect();
    assert_eq!(
        codes,
        vec![
            (
                "unresolved-ref".to_string(),
                "catalog-info.yaml:12".to_string()
            ),
            (
                "page-not-in-nav".into(),
                "docs/deeper-nav/even-deeper/index.md:0".into()
            ),
            (
                "page-not-in-nav".into(),
                "docs/deeper-nav/index.md:0".into()
            ),
            ("broken-link".into(), "docs/index.md:30".into()),
            (
                "page-not-in-nav".into(),
                "docs/inner-component-docs/index.md:0".into()
            ),
            (
                "link-outside-docs".into(),
                "docs/inner-component-docs/index.md:5".into()
            ),
            (
                "link-outside-docs".into(),
                "docs/inner-component-docs/index.md:5".into()
            ),
        ]
    );
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    portico(
        &corpus_dir(),
        &[
            "build",
            dir.to_str().unwrap(),
            "--out",
            site.to_str().unwrap(),
        ],
    );
    let root = site.join("docs/default/component/documented-component");
    let extensions = read(&root.join("extensions/index.html"));
    assert!(
        extensions.contains("class=\"admonition"),
        "admonitions render"
    );
    assert!(extensions.contains("<details"), "collapsible blocks render");
    assert!(root.join("code/code-sample/index.html").is_file());
    assert!(
        root.join("deeper-nav/even-deeper/index.html").is_file(),
        "pages outside nav are built"
    );
}

/// A repository made from a corpus docs folder, with a catalog file added.
fn corpus_docs_repo(org: &Org, folder: &str, name: &str) {
    copy_dir(
        &corpus_dir().join("techdocs-systems-techdocs").join(folder),
        &org.path().join("repos").join(name),
    );
    org.file(
        &format!("repos/{name}/catalog-info.yaml"),
        &format!("apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: {name}\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  owner: user:ben-{name}\n---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: ben-{name}\nspec:\n  memberOf: []\n"),
    );
}

#[test]
fn systems_techdocs_with_mkdocs_yaml_tabs_and_orphans_render() {
    let org = Org::new();
    corpus_docs_repo(&org, "tanzu-developer-portal-system", "tdp");
    let run = org.run(&["check", "repos", "--format", "json", "-v"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let codes: Vec<String> = run.codes_with("file");
    assert!(
        codes.contains(&"broken-link docs/mkdocs-extensions.md".to_string()),
        "the corpus' one missing image: {codes:?}"
    );
    assert!(
        codes.contains(&"page-not-in-nav docs/not-used.md".to_string()),
        "{codes:?}"
    );
    let build = org.run(&["build", "repos", "--out", "site"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    let page = read(
        &org.path()
            .join("site/docs/default/system/tdp/mkdocs-extensions/index.html"),
    );
    assert!(page.contains("tabbed-set"), "content tabs render");
    assert!(page.contains("class=\"footnote\""), "footnotes render");
    assert!(!page.contains("=== \""), "no raw tab syntax left");
}

#[test]
fn nav_edge_cases_auto_nested_missing_and_external() {
    let org = Org::new();
    let catalog = &format!("{}---\n{}", documented("svc", "dir:.", "me"), user("me"));
    org.file("repos/svc/catalog-info.yaml", catalog);
    org.file("repos/svc/mkdocs.yml", "site_name: Service\nnav:\n  - Home: index.md\n  - Guides:\n      - Setup: guides/setup.md\n      - Deep:\n          - guides/deep/more.md\n  - Missing: nowhere.md\n  - Issues: https://example.com/issues\n");
    org.file(
        "repos/svc/docs/index.md",
        "# Welcome\n\n[setup](guides/setup.md)\n",
    );
    org.file("repos/svc/docs/guides/setup.md", "# Setup\n\nSee [more](deep/more.md#details) and [bad](deep/more.md#nope) and [home](../index.md#welcome).\n\n```\n[in code](missing.md)\n```\n");
    org.file(
        "repos/svc/docs/guides/deep/more.md",
        "# More\n\n## Details\n\n[gone](../../gone.md)\n",
    );
    let run = org.run(&["check", "repos", "--format", "json"]);
    let codes: Vec<String> = run
        .diagnostics()
        .iter()
        .map(|d| {
            format!(
                "{} {}:{}",
                d["code"].as_str().unwrap(),
                d["file"].as_str().unwrap(),
                d["line"]
            )
        })
        .collect();
    assert_eq!(
        codes,
        vec![
            "broken-link docs/guides/deep/more.md:5",
            "broken-anchor docs/guides/setup.md:3",
            "nav-missing-page mkdocs.yml:8",
        ]
    );
    org.run(&["build", "repos", "--out", "site"]);
    let setup = read(
        &org.path()
            .join("site/docs/default/component/svc/guides/setup/index.html"),
    );
    assert!(
        setup.contains("href=\"https://example.com/issues\""),
        "external nav link"
    );
    assert!(
        setup.contains("rel=\"prev\" href=\"../../index.html\""),
        "previous page"
    );
    assert!(
        setup.contains("rel=\"next\" href=\"../deep/more/index.html\""),
        "next page through a nested section"
    );

    // Without nav: MkDocs' automatic order.
    org.file("repos/svc/mkdocs.yml", "site_name: Service\n");
    org.run(&["build", "repos", "--out", "site"]);
    let index = read(
        &org.path()
            .join("site/docs/default/component/svc/index.html"),
    );
    let guides = index.find(">Guides<").expect("folders become sections");
    assert!(index.find(">Welcome<").unwrap() < guides);
}

#[test]
fn cross_entity_links_are_checked() {
    let org = Org::new();
    for (name, body) in [
        (
            "a",
            "# A\n\n[b ok](/docs/default/component/b/guide.md#usage) [b bad](/docs/default/component/b/guide.md#nope) [c](/docs/default/component/c/)\n",
        ),
        ("b", "# B\n"),
    ] {
        org.file(
            &format!("repos/{name}/catalog-info.yaml"),
            &format!("{}---\n{}", documented(name, "dir:.", name), user(name)),
        );
        org.file(
            &format!("repos/{name}/mkdocs.yml"),
            &format!("site_name: {name}\n"),
        );
        org.file(&format!("repos/{name}/docs/index.md"), body);
    }
    org.file("repos/b/docs/guide.md", "# Guide\n\n## Usage\n");
    let run = org.run(&["check", "repos", "--format", "json"]);
    let messages: Vec<String> = run.codes_with("message");
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].starts_with("broken-anchor"), "{messages:?}");
    assert!(
        messages[1].contains("component:default/c has no docs"),
        "{messages:?}"
    );
    org.run(&["build", "repos", "--out", "site"]);
    let a = read(&org.path().join("site/docs/default/component/a/index.html"));
    assert!(
        a.contains("href=\"../../../../docs/default/component/b/guide/index.html#usage\""),
        "{a}"
    );
}

#[test]
fn unsafe_docs_are_neutralised_and_confined() {
    let org = Org::new();
    let catalog = |name: &str| documented(name, "dir:.", "me");
    org.file("secret.md", "TOP SECRET");
    org.file(
        "repos/evil/catalog-info.yaml",
        &format!("{}---\n{}", catalog("evil"), user("me")),
    );
    org.file("repos/evil/mkdocs.yml", "site_name: Evil\n");
    org.file(
        "repos/evil/docs/index.md",
        "# Evil\n\n<script>alert(1)</script>\n\n[click](javascript:alert(2))\n\n<a href=\"#\" onmouseover=\"alert(3)\">hover</a>\n\n<iframe src=\"https://evil.example/x\"></iframe>\n\n<iframe src=\"https://www.youtube.com/embed/ok\"></iframe>\n\n--8<-- \"../../secret.md\"\n",
    );
    org.file("repos/escape/catalog-info.yaml", &catalog("escape"));
    org.file(
        "repos/escape/mkdocs.yml",
        "site_name: Escape\ndocs_dir: ../..\n",
    );
    org.file(
        "portico.toml",
        "[docs]\nallowed-iframe-hosts = [\"www.youtube.com\"]\n",
    );
    let run = org.run(&["build", "repos", "--out", "site"]);
    assert!(
        run.stderr.contains("error[docs-dir-outside]"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("warning[snippet-missing]")
            && run.stderr.contains("leads outside the repository"),
        "{}",
        run.stderr
    );
    let page = read(
        &org.path()
            .join("site/docs/default/component/evil/index.html"),
    );
    for bad in [
        "<script>alert",
        "javascript:",
        "onmouseover",
        "evil.example",
        "TOP SECRET",
    ] {
        assert!(!page.contains(bad), "{bad} survived:\n{page}");
    }
    assert!(
        page.contains("https://www.youtube.com/embed/ok"),
        "allowlisted iframe kept"
    );
    assert!(
        !org.path()
            .join("site/docs/default/component/escape")
            .exists()
    );
}

#[test]
fn bare_repositories_on_a_non_default_branch_build_their_docs() {
    let org = Org::new();
    org.copy_example("shipment-tracker", "src/shipment-tracker");
    let src = org.path().join("src/shipment-tracker");
    commit_all(&src, "dev", "docs");
    bare_clone(org.path(), &src, "bare/shipment-tracker.git");
    let run = org.run(&["build", "bare", "--out", "site"]);
    assert!(run.code <= 1, "{}", run.stderr);
    let docs = org
        .path()
        .join("site/docs/default/component/shipment-tracker");
    assert!(docs.join("deploy/index.html").is_file());
    assert!(docs.join("img/arch.svg").is_file());
}

#[test]
fn check_reads_git_dates_for_pages_whose_date_plugin_prints_them() {
    // Without a scorecard gate `check` reads no page dates, except where
    // the date plugin writes them into the text: here into a heading, whose
    // anchor a link names.
    let org = Org::new();
    let repo = org.path().join("repos/dated");
    crate::support::commit_on(
        &repo,
        "2026-01-02",
        &[
            ("catalog-info.yaml", &documented("dated", "dir:.", "ada")),
            (
                "mkdocs.yml",
                "site_name: Dated\nplugins:\n  - git-revision-date-localized:\n      type: iso_date\n",
            ),
            (
                "docs/index.md",
                "# Dated\n\n## Changed {{ git_revision_date_localized }}\n\nSee [the change](#changed-2026-01-02) and [nothing](#changed).\n",
            ),
        ],
    );
    let run = org.run(&["check", "repos", "--format", "json"]);
    let anchors: Vec<_> = run
        .diagnostics()
        .into_iter()
        .filter(|d| d["code"] == "broken-anchor")
        .collect();
    assert_eq!(anchors.len(), 1, "only the dateless anchor: {anchors:?}");
    // Undated, the heading's id would be `changed` and the other link broken.
    assert!(
        anchors[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("link `#changed`:"),
        "{anchors:?}"
    );
    assert_eq!(anchors[0]["line"], 5);
}

#[test]
fn pages_show_their_last_commit_and_uncommitted_edits() {
    let org = Org::new();
    org.copy_example("route-planner", "repos/route-planner");
    let repo = org.path().join("repos/route-planner");
    commit_all(&repo, "main", "import");
    // A second commit, by someone else on a later day, touching one page.
    let page = repo.join("docs/configuration.md");
    std::fs::write(&page, format!("{}\nMore.\n", read(&page))).unwrap();
    git(&repo, &["add", "-A"]);
    let output = std::process::Command::new("git")
        .args(["-c", "commit.gpgsign=false", "commit", "-q", "-m", "tune"])
        .current_dir(&repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Bea Builder")
        .env("GIT_AUTHOR_EMAIL", "bea@example.com")
        .env("GIT_COMMITTER_NAME", "Bea Builder")
        .env("GIT_COMMITTER_EMAIL", "bea@example.com")
        .env("GIT_AUTHOR_DATE", "2026-03-04T05:06:07+00:00")
        .env("GIT_COMMITTER_DATE", "2026-03-04T05:06:07+00:00")
        .output()
        .unwrap();
    assert!(output.status.success());
    // An uncommitted edit in the work tree.
    let algorithm = repo.join("docs/algorithm.md");
    std::fs::write(&algorithm, format!("{}\nDraft.\n", read(&algorithm))).unwrap();

    org.run(&["build", "repos", "--out", "site"]);
    let site = org.path().join("site/docs/default/component/route-planner");
    let configuration = read(&site.join("configuration/index.html"));
    assert!(
        configuration.contains(
            "Last updated <time datetime=\"2026-03-04\">2026-03-04</time> by Bea Builder"
        ),
        "{configuration}"
    );
    let index = read(&site.join("index.html"));
    assert!(
        index.contains("<time datetime=\"2026-01-02\">2026-01-02</time> by Ada Author"),
        "untouched pages keep the first commit"
    );
    assert!(!index.contains("uncommitted"));
    assert!(read(&site.join("algorithm/index.html")).contains("uncommitted changes"));
    // The entity page tells how fresh the docs are: the newest page's commit.
    let entity = read(
        &org.path()
            .join("site/catalog/default/component/route-planner/index.html"),
    );
    assert!(
        entity.contains("pages, updated <time datetime=\"2026-03-04\">2026-03-04</time>)"),
        "{entity}"
    );
    // And the commit the repository was read at.
    assert!(
        entity.contains(
            "</code> on <code>main</code>, <time datetime=\"2026-03-04\">2026-03-04</time> by Bea Builder"
        ),
        "{entity}"
    );

    bare_clone(org.path(), &repo, "bare/route-planner.git");
    org.run(&["build", "bare", "--out", "bare-site"]);
    let bare = read(
        &org.path()
            .join("bare-site/docs/default/component/route-planner/configuration/index.html"),
    );
    assert!(
        bare.contains("2026-03-04</time> by Bea Builder"),
        "bare repositories walk history too"
    );
    let bare_entity = read(
        &org.path()
            .join("bare-site/catalog/default/component/route-planner/index.html"),
    );
    assert!(
        bare_entity.contains("<dt>Last commit</dt>")
            && bare_entity.contains("2026-03-04</time> by Bea Builder"),
        "bare clones know their commit too: {bare_entity}"
    );
    assert!(
        !read(
            &org.path()
                .join("bare-site/docs/default/component/route-planner/algorithm/index.html")
        )
        .contains("uncommitted")
    );
}

#[test]
fn techdocs_ref_url_forms_and_readme_index_and_single_repo_builds() {
    let org = Org::new();
    let entity = |name: &str, reference: &str| documented(name, reference, "me");
    let me = format!("---\n{}", user("me"));
    org.file(
        "repos/svc/catalog-info.yaml",
        &format!(
            "{}---\n{}{me}",
            entity("svc", "url:https://github.com/acme/svc/tree/main/handbook/"),
            entity("elsewhere", "url:https://github.com/acme/other/tree/main/")
        ),
    );
    // No docs/index.md: the handbook's README.md is the home page, as in TechDocs.
    org.file("repos/svc/handbook/mkdocs.yml", "site_name: Handbook\n");
    org.file(
        "repos/svc/handbook/README.md",
        "# Handbook home\n\nSee [usage](docs/usage.md).\n",
    );
    org.file("repos/svc/handbook/docs/usage.md", "# Usage\n");
    let repo = org.path().join("repos/svc");
    commit_all(&repo, "main", "init");
    git(
        &repo,
        &["remote", "add", "origin", "git@github.com:acme/svc.git"],
    );

    let run = org.run(&["build", "repos", "--out", "site"]);
    assert!(
        run.stderr.contains("warning[techdocs-ref-remote]"),
        "{}",
        run.stderr
    );
    let home = read(
        &org.path()
            .join("site/docs/default/component/svc/index.html"),
    );
    assert!(home.contains("Handbook home"), "{home}");
    assert!(
        org.path()
            .join("site/docs/default/component/svc/usage/index.html")
            .is_file()
    );
    assert!(
        !org.path()
            .join("site/docs/default/component/elsewhere")
            .exists()
    );
    assert!(
        home.contains("https://github.com/acme/svc/edit/main/handbook/README.md"),
        "edit link from the git remote"
    );

    // `portico build .` inside one repository renders just that repository.
    let single = portico(&repo, &["build", ".", "--out", "../../single"]);
    assert!(single.code <= 1, "{}", single.stderr);
    assert!(
        org.path()
            .join("single/docs/default/component/svc/usage/index.html")
            .is_file()
    );
}

#[test]
fn every_corpus_docs_set_renders() {
    let org = Org::new();
    for (folder, name) in [
        ("tanzu-developer-portal-system", "tdp"),
        ("where-for-dinner-system", "wfd"),
        ("where-for-dinner-ui", "wfd-ui"),
    ] {
        corpus_docs_repo(&org, folder, name);
    }
    let run = org.run(&["build", "repos", "--out", "site"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (name, page) in [
        ("tdp", "features/index.html"),
        ("wfd", "architecture/index.html"),
        ("wfd-ui", "index.html"),
    ] {
        let path = org
            .path()
            .join("site/docs/default/system")
            .join(name)
            .join(page);
        let html = read(&path);
        assert!(html.contains("<article>"), "{}", path.display());
        assert!(
            !html.contains("!!! "),
            "no raw admonition syntax in {}",
            path.display()
        );
    }
    assert!(
        org.path()
            .join("site/docs/default/system/wfd/images")
            .is_dir(),
        "images copied"
    );
}

#[test]
fn review_fixes_readme_only_sites_ids_on_images_case_and_odd_configs() {
    let org = Org::new();
    let entity =
        |name: &str, reference: &str| format!("{}---\n", documented(name, reference, "me"));
    let me = user("me");
    // A README-only site (no docs folder), referred to by its repository's root URL.
    org.file(
        "repos/readme/catalog-info.yaml",
        &format!(
            "{}{me}",
            entity("Readme", "url:https://github.com/acme/readme/tree/main")
        ),
    );
    org.file(
        "repos/readme/mkdocs.yml",
        "site_name: Readme\nrepo_url: https://github.com/acme/readme\n",
    );
    org.file(
        "repos/readme/README.md",
        "# Only a README\n\n![pic](https://example.com/p.png){ #pic }\n\n[see the picture](#pic)\n",
    );
    let readme = org.path().join("repos/readme");
    commit_all(&readme, "main", "init");
    git(
        &readme,
        &[
            "remote",
            "add",
            "origin",
            "https://github.com/acme/readme.git",
        ],
    );
    // Links to it with the name in another case; a vendor folder inside docs; odd nav and docs_dir.
    org.file("repos/links/catalog-info.yaml", &entity("links", "dir:."));
    org.file(
        "repos/links/mkdocs.yml",
        "site_name: Links\nnav:\n  - Home: index.md\n  - Empty:\n",
    );
    org.file(
        "repos/links/docs/index.md",
        "# Links\n\n[readme](/docs/default/component/Readme/)\n\n![lib](vendor/lib.svg)\n",
    );
    org.file(
        "repos/links/docs/vendor/lib.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    org.file("repos/flat/catalog-info.yaml", &entity("flat", "dir:."));
    org.file("repos/flat/mkdocs.yml", "site_name: Flat\ndocs_dir: .\n");
    org.file("repos/flat/index.md", "# Flat\n");

    let run = org.run(&["check", "repos", "--format", "json"]);
    let codes: Vec<String> = run.codes_with("file");
    assert_eq!(
        codes,
        vec!["docs-dir-invalid mkdocs.yml", "nav-invalid mkdocs.yml"],
        "no false broken-anchor for {{ #pic }}, no broken cross-site link"
    );
    org.run(&["build", "repos", "--out", "site"]);
    let home = read(
        &org.path()
            .join("site/docs/default/component/readme/index.html"),
    );
    assert!(home.contains("Only a README"));
    assert!(
        home.contains("https://github.com/acme/readme/edit/main/README.md"),
        "README edit link ignores edit_uri"
    );
    let links = read(
        &org.path()
            .join("site/docs/default/component/links/index.html"),
    );
    assert!(
        links.contains("href=\"../../../../docs/default/component/readme/index.html\""),
        "{links}"
    );
    assert!(
        org.path()
            .join("site/docs/default/component/links/vendor/lib.svg")
            .is_file(),
        "vendored assets are published"
    );
}

#[test]
fn unreadable_pages_and_assets_are_reported_once_and_not_listed() {
    let org = Org::new();
    org.file("secret.md", "# Secret\n");
    org.file("secret.png", "png");
    org.file(
        "repos/svc/catalog-info.yaml",
        &format!("{}---\n{}", documented("svc", "dir:.", "me"), user("me")),
    );
    org.file(
        "repos/svc/mkdocs.yml",
        "site_name: Svc\nnav:\n  - Home: index.md\n  - Leak: leak.md\n",
    );
    org.file("repos/svc/docs/index.md", "# Home\n");
    let docs = org.path().join("repos/svc/docs");
    std::os::unix::fs::symlink("../../../secret.md", docs.join("leak.md")).unwrap();
    std::os::unix::fs::symlink("../../../secret.png", docs.join("leak.png")).unwrap();
    let run = org.run(&["build", "repos", "--out", "site"]);
    let codes: Vec<&str> = run
        .stderr
        .lines()
        .filter_map(|l| {
            l.split_once('[')
                .map(|(_, r)| r.split(']').next().unwrap_or(""))
        })
        .collect();
    assert_eq!(
        codes,
        vec!["docs-unreadable", "asset-unreadable"],
        "{}",
        run.stderr
    );
    let metadata = read(
        &org.path()
            .join("site/docs/default/component/svc/techdocs_metadata.json"),
    );
    assert!(!metadata.contains("leak"), "{metadata}");
    assert!(
        !org.path()
            .join("site/docs/default/component/svc/leak.png")
            .exists()
    );
}

/// Files MkDocs leaves out of every site (dot files and folders, the top
/// `templates/`) are neither pages nor published, and a link or nav entry
/// naming one says why it does not work.
#[test]
fn files_mkdocs_leaves_out_are_named_so_where_they_are_linked() {
    let org = Org::new();
    let catalog = &format!("{}---\n{}", documented("svc", "dir:.", "me"), user("me"));
    org.file("repos/svc/catalog-info.yaml", catalog);
    org.file(
        "repos/svc/mkdocs.yml",
        "site_name: Service\nnav:\n  - Home: index.md\n  - Template: templates/adr.md\n",
    );
    org.file(
        "repos/svc/docs/index.md",
        "# Welcome\n\n![shot](.attachments/shot.png) [adr](templates/adr.md)\n",
    );
    org.file("repos/svc/docs/.attachments/shot.png", "png");
    org.file("repos/svc/docs/templates/adr.md", "# ADR template\n");
    org.file("repos/svc/docs/.DS_Store", "junk");
    let run = org.run(&["check", "repos", "--format", "json"]);
    let left_out: Vec<String> = run
        .diagnostics()
        .iter()
        .filter(|d| {
            d["message"]
                .as_str()
                .unwrap_or("")
                .contains("left out of every site")
        })
        .map(|d| {
            format!(
                "{} {}",
                d["code"].as_str().unwrap(),
                d["file"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        left_out,
        [
            "broken-link docs/index.md",
            "broken-link docs/index.md",
            "nav-missing-page mkdocs.yml"
        ],
        "{}",
        run.stdout
    );
    org.run(&["build", "repos", "--out", "site"]);
    let site = org.path().join("site/docs/default/component/svc");
    assert!(site.join("index.html").is_file());
    for gone in [
        ".attachments/shot.png",
        "templates/adr/index.html",
        ".DS_Store",
    ] {
        assert!(!site.join(gone).exists(), "{gone} published");
    }
}

/// `exclude_docs`, `draft_docs` and `not_in_nav` as MkDocs 1.6 reads them
/// (gitignore patterns relative to docs_dir, after MkDocs' own `.*` and
/// `/templates/`), every Markdown extension MkDocs knows, and `readme.md`
/// as a page of its own (only `README` is an index).
#[test]
fn mkdocs_exclusions_drafts_and_pages_kept_out_of_the_nav() {
    let org = Org::new();
    let owner = user("me");
    org.file(
        "repos/svc/catalog-info.yaml",
        &format!("{}---\n{owner}", documented("svc", "dir:.", "me")),
    );
    org.file(
        "repos/svc/mkdocs.yml",
        "site_name: Service\nexclude_docs: |\n  *.py\n  /internal/\n  !.well-known/\ndraft_docs: |\n  drafts/\nnot_in_nav: |\n  /orphan.md\n",
    );
    org.file(
        "repos/svc/docs/index.md",
        "# Welcome\n\n[tool](tools/gen.py) [draft](drafts/wip.md) [secret](internal/secret.md) [orphan](orphan.md) [guide](guide.mdown) [security](.well-known/security.txt)\n",
    );
    org.file("repos/svc/docs/guide.mdown", "# Guide\n\nOld extension.\n");
    org.file("repos/svc/docs/notes.mkd", "# Notes\n");
    org.file("repos/svc/docs/readme.md", "# Read me\n");
    org.file("repos/svc/docs/orphan.md", "# Orphan\n");
    org.file("repos/svc/docs/tools/gen.py", "print('x')\n");
    org.file("repos/svc/docs/internal/secret.md", "# Secret\n");
    org.file("repos/svc/docs/drafts/wip.md", "# WIP\n");
    org.file("repos/svc/docs/.well-known/security.txt", "Contact: x\n");
    // A written nav: `not_in_nav` pages are not reported missing from it.
    docs_repo(
        &org,
        "api",
        &[
            (
                "mkdocs.yml",
                "site_name: API\nnav:\n  - index.md\n  - Secret: secret.md\nnot_in_nav: |\n  /hidden.md\nexclude_docs: |\n  secret.md\n",
            ),
            ("docs/index.md", "# API\n"),
            ("docs/hidden.md", "# Hidden\n"),
            ("docs/forgotten.md", "# Forgotten\n"),
            ("docs/secret.md", "# Secret\n"),
        ],
    );
    // A setting MkDocs refuses: the site is not built without it.
    docs_repo(
        &org,
        "bad",
        &[
            (
                "mkdocs.yml",
                "site_name: Bad\nexclude_docs:\n  - secret.md\n",
            ),
            ("docs/index.md", "# Bad\n"),
            ("docs/secret.md", "# Secret\n"),
        ],
    );
    // Every file a draft: no docs, noted. The README TechDocs would copy to
    // `index.md` is named by the settings as `index.md`.
    docs_repo(
        &org,
        "wip",
        &[
            ("mkdocs.yml", "site_name: WIP\ndraft_docs: |\n  *.md\n"),
            ("README.md", "# WIP\n"),
            ("docs/plan.md", "# Plan\n"),
        ],
    );
    // Only a dot file: no page was left out, the folder is empty.
    docs_repo(
        &org,
        "empty",
        &[("mkdocs.yml", "site_name: Empty\n"), ("docs/.gitkeep", "")],
    );
    // Two files that would be one page: the last by name wins, as in MkDocs.
    org.file("repos/svc/docs/setup.md", "# Setup (md)\n");
    org.file("repos/svc/docs/setup.mdown", "# Setup (mdown)\n");

    let run = org.run(&["check", "repos", "--format", "json"]);
    let mut found: Vec<String> = run
        .diagnostics()
        .iter()
        .filter(|d| d["code"] != "page-conflict")
        .map(|d| {
            format!(
                "{} {}:{} {}",
                d["code"].as_str().unwrap(),
                d["file"].as_str().unwrap(),
                d["line"],
                d["message"].as_str().unwrap()
            )
        })
        .collect();
    found.sort();
    let left_out = |path: &str| {
        format!(
            "excluded-target docs/index.md:3 link `{path}`: `{path}` is left out of the site by `exclude_docs` or `draft_docs` in mkdocs.yml; the link will not work until it is published"
        )
    };
    let expected = [
        "docs-all-excluded mkdocs.yml:1 every page of the docs folder `docs` is left out of the site (by MkDocs' default exclusions, `exclude_docs` or `draft_docs`): the entity has no docs".to_string(),
        "docs-missing mkdocs.yml:1 the docs folder `docs` is empty or missing".to_string(),
        left_out("drafts/wip.md"),
        left_out("internal/secret.md"),
        left_out("tools/gen.py"),
        "excluded-target mkdocs.yml:4 nav entry `secret.md` names a page that `exclude_docs` or `draft_docs` leaves out of the site; the entry is left out of the nav".to_string(),
        "mkdocs-invalid mkdocs.yml:2 `exclude_docs` is a list, and MkDocs takes only a multi-line string of patterns (`exclude_docs: |` and a pattern a line)".to_string(),
        "page-not-in-nav docs/forgotten.md:0 `forgotten.md` is not in the nav of mkdocs.yml; it is built but only reachable by links".to_string(),
    ];
    assert_eq!(found, expected, "{}", run.stdout);

    org.run(&["build", "repos", "--out", "site"]);
    let site = org.path().join("site/docs/default/component/svc");
    for published in [
        "index.html",
        "guide/index.html",
        "notes/index.html",
        "readme/index.html",
        "orphan/index.html",
        ".well-known/security.txt",
    ] {
        assert!(site.join(published).is_file(), "{published} not published");
    }
    for gone in [
        "tools/gen.py",
        "internal/secret/index.html",
        "drafts/wip/index.html",
    ] {
        assert!(!site.join(gone).exists(), "{gone} published");
    }
    // The automatic nav leaves `not_in_nav` pages out; the others are in it.
    let notes = read(&site.join("notes/index.html"));
    assert!(notes.contains("href=\"../readme/index.html\""), "{notes}");
    assert!(notes.contains("href=\"../guide/index.html\""), "{notes}");
    assert!(!notes.contains("orphan/"), "{notes}");
    assert!(read(&site.join("setup/index.html")).contains("Setup (mdown)"));
    assert!(!org.path().join("site/docs/default/component/wip").exists());
    let api = org.path().join("site/docs/default/component/api");
    assert!(api.join("hidden/index.html").is_file());
    assert!(!api.join("secret/index.html").exists());
    assert!(
        !org.path().join("site/docs/default/component/bad").exists(),
        "a site whose exclusions cannot be read is not built"
    );
}

/// A page that is a snippet of the README (a usual TechDocs home page) is
/// titled by the README's heading, as MkDocs titles it: pymdownx.snippets
/// includes the file before MkDocs looks for the first heading.
#[test]
fn a_page_opening_with_a_snippet_takes_the_snippets_title() {
    let org = Org::new();
    docs_repo(
        &org,
        "pay",
        &[
            (
                "mkdocs.yml",
                "site_name: Pay\nmarkdown_extensions:\n  - pymdownx.snippets\n",
            ),
            ("README.md", "# Payments service\n\nHandles payments.\n"),
            ("docs/index.md", "--8<-- \"README.md\"\n"),
            ("docs/other.md", "# Other\n"),
        ],
    );
    org.run(&["build", "repos", "--out", "site"]);
    let site = org.path().join("site/docs/default/component/pay");
    let other = read(&site.join("other/index.html"));
    assert!(
        other.contains("<a href=\"../index.html\">Payments service</a>"),
        "{other}"
    );
    let home = read(&site.join("index.html"));
    assert!(home.contains("<title>Payments service · Pay"), "{home}");
}

/// `guide.md` beside `guide/index.md`: MkDocs publishes both at `guide/`
/// (the sub-folder's written last), so a nav entry or a link naming either
/// works; Portico shows the sub-folder's page and warns of the clash.
#[test]
fn a_flat_page_and_a_folder_index_share_their_address() {
    let org = Org::new();
    org.file(
        "repos/svc/catalog-info.yaml",
        &format!("{}---\n{}", documented("svc", "dir:.", "me"), user("me")),
    );
    org.file(
        "repos/svc/mkdocs.yml",
        "site_name: Svc\nnav:\n  - Home: index.md\n  - guide.md\n  - B: guide/index.md\n",
    );
    org.file(
        "repos/svc/docs/index.md",
        "# Home\n\n[the guide](guide.md#folder-guide) and [again](guide/index.md) and [no](guide.md#nope)\n",
    );
    org.file("repos/svc/docs/guide.md", "# Top guide\n");
    org.file("repos/svc/docs/guide/index.md", "# Folder guide\n");
    let run = org.run(&["check", "repos", "--format", "json"]);
    let codes = run.codes_with("file");
    assert_eq!(
        codes,
        ["page-conflict docs/guide.md", "broken-anchor docs/index.md"],
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "`guide/index.md` (shown at the address of `guide.md`) has no heading or id `nope`"
        ),
        "{}",
        run.stdout
    );
    org.run(&["build", "repos", "--out", "site"]);
    let site = org.path().join("site/docs/default/component/svc");
    assert!(read(&site.join("guide/index.html")).contains("Folder guide"));
    let home = read(&site.join("index.html"));
    // Each entry keeps its own file's title, as in MkDocs.
    assert!(
        home.contains("<a href=\"guide/index.html\">Top guide</a>"),
        "{home}"
    );
    assert!(
        home.contains("<a href=\"guide/index.html\">B</a>"),
        "{home}"
    );
}

/// A site with no home page (no `index.md`, no README) is warned of, and the
/// portal's links to it open its first page rather than a missing one.
#[test]
fn a_site_without_a_home_page_is_warned_of_and_opened_at_its_first_page() {
    let org = Org::new();
    docs_repo(
        &org,
        "svc",
        &[
            ("mkdocs.yml", "site_name: Service\n"),
            ("docs/guide.md", "# Guide\n"),
            ("docs/more.md", "# More\n"),
        ],
    );
    org.file(
        "repos/svc/catalog-info.yaml",
        &format!("{}---\n{}", documented("svc", "dir:.", "me"), user("me")),
    );
    let run = org.run(&["check", "repos", "--format", "json"]);
    let codes: Vec<String> = run
        .diagnostics()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes, ["docs-no-home"], "{}", run.stdout);
    org.run(&["build", "repos", "--out", "site"]);
    let entity = read(
        &org.path()
            .join("site/catalog/default/component/svc/index.html"),
    );
    assert!(
        entity.contains("docs/default/component/svc/guide/index.html"),
        "{entity}"
    );
    assert!(
        !org.path()
            .join("site/docs/default/component/svc/index.html")
            .exists()
    );
}

/// A hostile `mkdocs.yml` cannot make matching its patterns against a
/// large docs folder cost much: past Portico's work limit the site is
/// refused, and a `toc` separator longer than any real one is not taken.
#[test]
fn exclusion_matching_and_toc_texts_are_bounded() {
    let org = Org::new();
    let patterns: String = (0..200).map(|i| format!("  x{i}/\n")).collect();
    let setting = |key: &str| format!("{key}: |\n{patterns}");
    docs_repo(
        &org,
        "many",
        &[(
            "mkdocs.yml",
            &format!(
                "site_name: Many\n{}{}{}",
                setting("exclude_docs"),
                setting("draft_docs"),
                setting("not_in_nav")
            ),
        )],
    );
    let folder = "a".repeat(160);
    for i in 0..2_100 {
        org.file(&format!("repos/many/docs/{folder}/{i:05}.md"), "# P\n");
    }
    docs_repo(
        &org,
        "sep",
        &[
            (
                "mkdocs.yml",
                &format!(
                    "site_name: Sep\nmarkdown_extensions:\n  - toc:\n      separator: \"{}\"\n",
                    "x".repeat(1_000)
                ),
            ),
            ("docs/index.md", "# Home\n\n## a b c\n"),
        ],
    );
    let run = org.run(&["check", "repos", "--format", "json"]);
    let refused: Vec<String> = run
        .diagnostics()
        .iter()
        .filter(|d| d["code"] == "mkdocs-invalid")
        .map(|d| format!("{}:{}", d["path"].as_str().unwrap(), d["line"]))
        .collect();
    // At the heaviest setting: `exclude_docs`, with MkDocs' own patterns.
    assert_eq!(refused, ["repos/many/mkdocs.yml:2"], "{}", run.stdout);
    org.run(&["build", "repos", "--out", "site"]);
    let home = read(
        &org.path()
            .join("site/docs/default/component/sep/index.html"),
    );
    assert!(home.contains("<h2 id=\"a-b-c\""), "{home}");
}

/// A broken link is reported at its own destination, counted in
/// characters: the second link on a line, a link whose text is its
/// destination, text in other scripts before it, a link in a nested list
/// (which the renderer indents further), an image.
#[test]
fn broken_links_are_placed_at_their_own_destination() {
    let org = Org::new();
    org.file("repos/me/catalog-info.yaml", &user("me"));
    docs_repo(
        &org,
        "placed",
        &[
            ("mkdocs.yml", "site_name: Placed\n"),
            (
                "docs/index.md",
                "# Placed\n\n\
                 [a](gone.md#x) and [b](gone.md).\n\
                 See [nope.md](nope.md)\n\
                 ÜÜÜÜ日本語 [x](missing.md)\n\
                 \n\
                 1. one\n\
                 \x20\x20\x20\x20- nested [deep](deep.md)\n\
                 \n\
                 ![pic](pic.png) ![lost](lost.png)\n",
            ),
        ],
    );
    let run = portico(org.path(), &["check", "repos", "--format", "json"]);
    let places: Vec<(String, u64, u64)> = run
        .diagnostics()
        .iter()
        .filter(|d| d["code"] == "broken-link" || d["code"] == "missing-asset")
        .map(|d| {
            let message = d["message"].as_str().unwrap_or("");
            let target = message.split('`').nth(1).unwrap_or("").to_string();
            (
                target,
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    for expected in [
        ("gone.md#x", 3, 5),
        ("gone.md", 3, 24),
        ("nope.md", 4, 15),
        ("missing.md", 5, 13),
        ("deep.md", 8, 21),
        ("lost.png", 10, 25),
    ] {
        assert!(
            places
                .iter()
                .any(|(t, l, c)| t == expected.0 && *l == expected.1 && *c == expected.2),
            "{expected:?} not in {places:?}\n{}",
            run.stderr
        );
    }
}
