//! The incremental engine must be invisible: after every kind of edit, a
//! build that reuses the kept work (`portico serve`'s) gives exactly the
//! site and the diagnostics a clean build gives, byte for byte.

use crate::support::{Org, commit_all, git, git_at};
use portico::pipeline::{self, Memo};
use std::path::{Path, PathBuf};

const COMPONENT: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: NAME\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: team\nEXTRA";

fn component(name: &str, extra: &str) -> String {
    COMPONENT.replace("NAME", name).replace("EXTRA", extra)
}

fn config(root: &Path) -> portico::config::Config {
    let settings = portico::config::CliSettings {
        config: None,
        roots: vec![root.to_path_buf()],
        locations: vec![],
        catalog_paths: vec![],
        max_depth: None,
        git_ref: None,
        backstage_exact: false,
    };
    portico::config::load(&settings).expect("a configuration")
}

/// Builds with `memo` (after telling it what changed) and clean, and
/// compares everything.
fn same_as_clean(root: &Path, memo: &Memo, changed: &[PathBuf], edit: &str) {
    same_as_clean_with(root, memo, changed, edit, &|_| {});
}

/// [`same_as_clean`] with the configuration changed by `settle` (for both
/// builds).
fn same_as_clean_with(
    root: &Path,
    memo: &Memo,
    changed: &[PathBuf],
    edit: &str,
    settle: &dyn Fn(&mut portico::config::Config),
) {
    let mut config = config(root);
    settle(&mut config);
    let look = portico::render::Look::default();
    let absolute: Vec<PathBuf> = changed
        .iter()
        .map(|p| {
            p.canonicalize()
                .or_else(|_| {
                    p.parent()
                        .unwrap()
                        .canonicalize()
                        .map(|d| d.join(p.file_name().unwrap()))
                })
                .unwrap_or_else(|_| p.clone())
        })
        .collect();
    memo.versions.touch(&absolute);
    let kept = pipeline::preview(&config, &look, memo)
        .unwrap_or_else(|e| panic!("{edit}: an incremental build: {}", e.0));
    let clean = pipeline::preview(&config, &look, &Memo::default())
        .unwrap_or_else(|e| panic!("{edit}: a clean build: {}", e.0));
    let mut paths: Vec<&String> = clean.files.keys().collect();
    paths.sort();
    let mut kept_paths: Vec<&String> = kept.files.keys().collect();
    kept_paths.sort();
    assert_eq!(kept_paths, paths, "{edit}: the same files");
    for path in paths {
        assert!(
            kept.files[path] == clean.files[path],
            "{edit}: {path} differs from a clean build"
        );
    }
    assert_eq!(
        kept.outcome.diagnostics, clean.outcome.diagnostics,
        "{edit}: the same diagnostics"
    );
    // The lists too (`catalog.json` holds every entity's relations).
    let listed = |preview: &pipeline::Preview| -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = pipeline::preview_lists(preview, &look)
            .into_iter()
            .map(|f| (f.path, f.bytes.to_vec()))
            .collect();
        files.sort();
        files
    };
    let (kept_lists, clean_lists) = (listed(&kept), listed(&clean));
    assert_eq!(
        kept_lists.iter().map(|f| &f.0).collect::<Vec<_>>(),
        clean_lists.iter().map(|f| &f.0).collect::<Vec<_>>(),
        "{edit}: the same lists"
    );
    for (kept, clean) in kept_lists.iter().zip(&clean_lists) {
        assert!(
            kept.1 == clean.1,
            "{edit}: {} differs from a clean build",
            kept.0
        );
    }
}

#[test]
fn every_kind_of_edit_builds_as_a_clean_build() {
    let org = Org::new();
    let root = org.path().join("repos");
    org.file(
        "repos/alpha/catalog-info.yaml",
        &component("alpha", "  dependsOn:\n    - component:beta\n"),
    )
    .file(
        "repos/alpha/mkdocs.yml",
        "site_name: Alpha\nnav:\n  - Home: index.md\n  - Guide: guide.md\n  - Setup: setup.md\n",
    )
    .file(
        "repos/alpha/docs/index.md",
        "# Alpha\n\nSee [install](setup.md#install).\n\n--8<-- \"shared.md\"\n",
    )
    .file(
        "repos/alpha/docs/guide.md",
        "# Guide\n\n![logo](logo.svg)\n",
    )
    .file(
        "repos/alpha/docs/setup.md",
        "# Setup\n\n## Install\n\nSteps.\n",
    )
    .file(
        "repos/alpha/docs/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"1\" height=\"1\"/></svg>",
    )
    .file("repos/alpha/shared.md", "Shared text.\n")
    .file("repos/beta/catalog-info.yaml", &component("beta", ""))
    .file(
        "repos/beta/mkdocs.yml",
        "site_name: Beta\nplugins:\n  - git-revision-date-localized\n",
    )
    .file(
        "repos/beta/docs/index.md",
        "# Beta\n\n[Alpha's setup](/docs/default/component/alpha/setup.md#install)\n\nChanged {{ git_revision_date_localized }}.\n",
    );
    // An old date, so the commit below changes the page's date tag.
    let beta_dir = root.join("beta");
    git(&beta_dir, &["init", "-q", "-b", "main"]);
    git(&beta_dir, &["add", "-A"]);
    git_at(
        &beta_dir,
        "2020-01-02T03:04:05Z",
        &["commit", "-q", "-m", "beta"],
    );
    let memo = Memo::default();
    same_as_clean(&root, &memo, &[], "the first build");

    let alpha = root.join("alpha");
    let edit = |path: &str, text: &str| {
        let full = alpha.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, text).unwrap();
        full
    };
    let changed = edit(
        "docs/index.md",
        "# Alpha\n\nEdited. See [install](setup.md#install).\n\n--8<-- \"shared.md\"\n",
    );
    same_as_clean(&root, &memo, &[changed], "a page's text");
    let changed = edit("docs/setup.md", "# Setup\n\n## Installing\n\nSteps.\n");
    same_as_clean(&root, &memo, &[changed], "a heading other pages link to");
    let changed = edit("shared.md", "Other shared text.\n");
    same_as_clean(&root, &memo, &[changed], "a snippet");
    let changed = edit("docs/guide.md", "# A new title\n\n![logo](logo.svg)\n");
    same_as_clean(&root, &memo, &[changed], "a page title in the nav");
    let changed = edit(
        "mkdocs.yml",
        "site_name: Alpha\nnav:\n  - Setup: setup.md\n  - Home: index.md\n  - Guide: guide.md\n",
    );
    same_as_clean(&root, &memo, &[changed], "the nav");
    let changed = edit(
        "docs/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"1\"/></svg>",
    );
    same_as_clean(&root, &memo, &[changed], "an asset");
    let changed = edit("docs/new.md", "# New\n");
    same_as_clean(&root, &memo, &[changed], "a new page");
    std::fs::remove_file(alpha.join("docs/new.md")).unwrap();
    same_as_clean(&root, &memo, &[alpha.join("docs/new.md")], "a deleted page");
    // Files the default scorecard's rules read (kept by serve per
    // repository version).
    let changed = edit("CODEOWNERS", "* @team\n");
    same_as_clean(
        &root,
        &memo,
        &[changed],
        "a file a scorecard rule reads, added",
    );
    let changed = edit("CODEOWNERS", "");
    same_as_clean(
        &root,
        &memo,
        &[changed],
        "a file a scorecard rule reads, emptied",
    );
    std::fs::remove_file(alpha.join("CODEOWNERS")).unwrap();
    same_as_clean(
        &root,
        &memo,
        &[alpha.join("CODEOWNERS")],
        "a file a scorecard rule reads, deleted",
    );
    let changed = edit(
        "catalog-info.yaml",
        &component("alpha", "  dependsOn:\n    - component:gamma\n"),
    );
    same_as_clean(&root, &memo, &[changed], "a relation changed");
    let beta = root.join("beta/catalog-info.yaml");
    std::fs::write(&beta, component("beta-renamed", "")).unwrap();
    same_as_clean(
        &root,
        &memo,
        std::slice::from_ref(&beta),
        "an entity renamed",
    );
    std::fs::write(
        root.join("beta/docs/index.md"),
        "# Beta\n\nUncommitted edit, {{ git_revision_date_localized }}.\n",
    )
    .unwrap();
    same_as_clean(
        &root,
        &memo,
        &[root.join("beta/docs/index.md")],
        "an uncommitted work-tree edit",
    );
    commit_all(&root.join("beta"), "main", "second");
    same_as_clean(
        &root,
        &memo,
        &[root.join("beta/.git/refs/heads/main")],
        "a commit",
    );
    org.file("repos/gamma/catalog-info.yaml", &component("gamma", ""))
        .file("repos/gamma/mkdocs.yml", "site_name: Gamma\n")
        .file("repos/gamma/docs/index.md", "# Gamma\n");
    same_as_clean(
        &root,
        &memo,
        &[root.join("gamma/catalog-info.yaml")],
        "a new repository",
    );
    std::fs::remove_dir_all(root.join("beta")).unwrap();
    same_as_clean(
        &root,
        &memo,
        &[root.join("beta/catalog-info.yaml")],
        "a repository deleted",
    );
    let changed = edit(
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: [Component\n",
    );
    same_as_clean(&root, &memo, &[changed], "a YAML mistake");
    let changed = edit("catalog-info.yaml", &component("alpha", ""));
    same_as_clean(&root, &memo, &[changed], "the mistake fixed");
    same_as_clean(&root, &memo, &[], "events lost");
}

const ORG: &str = "apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team
  title: TEAM_TITLE
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: sys
spec:
  owner: team
---
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata:
  name: dom
spec:
  owner: team
";

const PARTS: &str = "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: front
spec:
  type: website
  lifecycle: production
  owner: team
  system: sys
  consumesApis:
    - orders
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: orders
  title: API_TITLE
spec:
  type: openapi
  lifecycle: production
  owner: other
  definition: openapi
";

/// Catalog edits whose effects reach pages two relations away (a
/// System's diagram draws its parts' relations; a Group's page its
/// members' and owned entities').
#[test]
fn catalog_edits_reach_every_page_that_shows_them() {
    let org = Org::new();
    let root = org.path().join("repos");
    let team = root.join("org/catalog-info.yaml");
    let parts = root.join("parts/catalog-info.yaml");
    org.file(
        "repos/org/catalog-info.yaml",
        &ORG.replace("TEAM_TITLE", "Team")
            .replace("\n  children: []", ""),
    )
    .file(
        "repos/parts/catalog-info.yaml",
        &PARTS.replace("API_TITLE", "Orders"),
    );
    let memo = Memo::default();
    same_as_clean(&root, &memo, &[], "the first build");
    std::fs::write(&parts, PARTS.replace("API_TITLE", "Orders v2")).unwrap();
    same_as_clean(
        &root,
        &memo,
        std::slice::from_ref(&parts),
        "an API's title, drawn on its system's page",
    );
    std::fs::write(
        &team,
        ORG.replace("TEAM_TITLE", "The team")
            .replace("\n  children: []", ""),
    )
    .unwrap();
    same_as_clean(
        &root,
        &memo,
        std::slice::from_ref(&team),
        "the owner's title, on every owned page",
    );
    std::fs::write(
        &parts,
        PARTS.replace("API_TITLE", "Orders v2").replace(
            "  consumesApis:\n    - orders\n",
            "  dependsOn:\n    - component:front\n",
        ),
    )
    .unwrap();
    same_as_clean(
        &root,
        &memo,
        std::slice::from_ref(&parts),
        "a part's relations changed",
    );
    std::fs::write(
        &team,
        ORG.replace("TEAM_TITLE", "The team")
            .replace("name: sys", "name: system-renamed"),
    )
    .unwrap();
    same_as_clean(
        &root,
        &memo,
        std::slice::from_ref(&team),
        "the system renamed",
    );
    // A description: every relation handed out again.
    let front = |extra: &str| {
        PARTS
            .replace("API_TITLE", "Orders v2")
            .replace("  system: sys\n", &format!("  system: sys\n{extra}"))
    };
    std::fs::write(&parts, front("  # a comment\n")).unwrap();
    same_as_clean(
        &root,
        &memo,
        std::slice::from_ref(&parts),
        "a comment (the same relations)",
    );
    std::fs::write(
        &parts,
        front("").replace("name: front\n", "name: front\n  description: Edited\n"),
    )
    .unwrap();
    same_as_clean(
        &root,
        &memo,
        std::slice::from_ref(&parts),
        "a description (the same relations)",
    );
    // The owner changed to a Group not in the catalog (the team's page
    // loses it; the owner rule fails), then that Group added (the rule of
    // a neighbour's scorecard passes; the dangling ref resolves).
    std::fs::write(
        &parts,
        front("").replace("  owner: team\n", "  owner: other\n"),
    )
    .unwrap();
    same_as_clean(
        &root,
        &memo,
        std::slice::from_ref(&parts),
        "an owner changed",
    );
    let with_other = ORG
        .replace("TEAM_TITLE", "The team")
        .replace("name: sys", "name: system-renamed")
        + "---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: other\nspec:\n  type: team\n  children: []\n";
    std::fs::write(&team, &with_other).unwrap();
    same_as_clean(
        &root,
        &memo,
        std::slice::from_ref(&team),
        "a new Group makes a dangling owner resolve",
    );
    // A Location's target changed: another file's entities, with a
    // relation to an existing entity.
    let location = |target: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: loc\nspec:\n  targets:\n    - ./{target}\n"
        )
    };
    let loc = root.join("loc/catalog-info.yaml");
    org.file("repos/loc/catalog-info.yaml", &location("a.yaml"))
        .file(
            "repos/loc/a.yaml",
            &PARTS
                .split("---")
                .next()
                .unwrap()
                .replace("name: front", "name: a-comp"),
        )
        .file(
            "repos/loc/b.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: b-comp\nspec:\n  type: service\n  lifecycle: production\n  owner: other\n  dependsOn:\n    - component:front\n",
        );
    same_as_clean(
        &root,
        &memo,
        std::slice::from_ref(&loc),
        "a new repository with a Location",
    );
    std::fs::write(&loc, location("b.yaml")).unwrap();
    same_as_clean(
        &root,
        &memo,
        std::slice::from_ref(&loc),
        "a Location's target changed",
    );
    // The Group removed again: its owned entities' owner dangles.
    std::fs::write(
        &team,
        ORG.replace("TEAM_TITLE", "The team")
            .replace("name: sys", "name: system-renamed"),
    )
    .unwrap();
    same_as_clean(
        &root,
        &memo,
        std::slice::from_ref(&team),
        "an entity deleted",
    );
}

/// A scorecard whose rules read outside the judged entity's own document:
/// its dependencies' lifecycles, its owner, its repository's files, its
/// docs (dates, broken links), attestations and the day.
const NEIGHBOURS_CARD: &str = "name: neighbours
title: What neighbours say
description: Rules reading outside the entity's own document.
filter:
  kind: [Component]
levels: [bronze, silver]
rules:
  - id: no-deprecated
    title: No deprecated dependency
    level: bronze
    hint: Move off it.
    check: { relation: no-deprecated-dependencies }
  - id: owner
    title: Owned by a Group
    level: bronze
    hint: Set an owner.
    check: { relation: owner-is-group }
  - id: readme
    title: Has a README
    level: silver
    hint: HINT
    check: { files: { glob: README.md } }
  - id: fresh
    title: Docs changed lately
    level: silver
    hint: Review the docs.
    check: { docs: { updated_within_days: 60 } }
  - id: links
    title: No broken link
    level: silver
    hint: Fix them.
    check: { docs: { no_broken_links: true } }
  - id: reviewed
    title: Reviewed
    level: silver
    hint: Have it reviewed.
    check: { attestation: { name: review } }
";

/// `portico serve` keeps each entity's scorecard results while what its
/// rules read holds (`scorecards::kept_results`): every input read outside
/// the entity's own document, changed with the entity's file untouched,
/// must reach its results (its page's card, the scorecard pages).
#[test]
fn scorecard_results_follow_every_input_outside_the_entity() {
    let org = Org::new();
    let root = org.path().join("repos");
    // The definitions inside a repository (`[scorecards] paths`), so an
    // edit of them changes that repository's version only.
    let day = |text: &str| {
        let day = portico::scorecards::dates::Day::parse(text).unwrap();
        let base = root.clone();
        move |config: &mut portico::config::Config| {
            config.scorecards.today = day;
            config.scorecards.paths = vec!["people/scorecards/*.yaml".into()];
            config.scorecards.base = base.clone();
        }
    };
    let spring = day("2020-02-01");
    let resource = |lifecycle: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: db\nspec:\n  type: database\n  lifecycle: {lifecycle}\n  owner: team\n"
        )
    };
    let group = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team\nspec:\n  type: team\n  children: []\n";
    org.file(
        "repos/svc/catalog-info.yaml",
        &component("svc", "  dependsOn:\n    - resource:db\n"),
    )
    .file("repos/svc/mkdocs.yml", "site_name: Svc\n")
    .file(
        "repos/svc/docs/index.md",
        "# Svc\n\nSee [setup](setup.md) and [theirs](/docs/default/component/plain/guide.md).\n",
    )
    .file("repos/svc/docs/setup.md", "# Setup\n")
    // A plain folder (no git activity): only the day moves its review's
    // expiry.
    .file("repos/plain/catalog-info.yaml", &component("plain", ""))
    .file("repos/plain/mkdocs.yml", "site_name: Plain\n")
    .file("repos/plain/docs/index.md", "# Plain\n")
    .file("repos/plain/docs/guide.md", "# Guide\n")
    .file(
        "repos/plain/.portico/attestations.yaml",
        "review:\n  by: alice\n  at: 2020-01-01\n  expires: 2020-03-01\n",
    )
    .file("repos/infra/catalog-info.yaml", &resource("production"))
    .file("repos/people/catalog-info.yaml", group)
    .file(
        "repos/people/scorecards/neighbours.yaml",
        &NEIGHBOURS_CARD.replace("HINT", "Add one."),
    );
    git_at(
        &root.join("svc"),
        "2020-01-02T03:04:05Z",
        &["init", "-q", "-b", "main"],
    );
    git_at(&root.join("svc"), "2020-01-02T03:04:05Z", &["add", "-A"]);
    git_at(
        &root.join("svc"),
        "2020-01-02T03:04:05Z",
        &["commit", "-q", "-m", "svc"],
    );
    let memo = Memo::default();
    same_as_clean_with(&root, &memo, &[], "the first build", &spring);
    same_as_clean_with(
        &root,
        &memo,
        &[root.join("people/catalog-info.yaml")],
        "nothing changed",
        &spring,
    );
    // The results are kept, not judged again (a memo that never matched
    // would give the same pages).
    let (kept, judged) = memo.scorecard_results.counts();
    assert!(
        kept >= 2 && judged == 0,
        "nothing changed: {kept} kept, {judged} judged"
    );
    let everyone = kept;

    let infra = root.join("infra/catalog-info.yaml");
    std::fs::write(&infra, resource("deprecated")).unwrap();
    same_as_clean_with(
        &root,
        &memo,
        std::slice::from_ref(&infra),
        "a dependency deprecated in another repository",
        &spring,
    );
    let (kept, judged) = memo.scorecard_results.counts();
    assert!(
        judged >= 1 && kept >= 1 && kept + judged == everyone,
        "a dependency deprecated: {kept} kept, {judged} judged"
    );
    let people = root.join("people/catalog-info.yaml");
    std::fs::write(
        &people,
        group
            .replace("kind: Group", "kind: User")
            .replace("  type: team\n  children: []\n", "  memberOf: []\n"),
    )
    .unwrap();
    same_as_clean_with(
        &root,
        &memo,
        std::slice::from_ref(&people),
        "the owner made a User",
        &spring,
    );
    std::fs::write(&people, group).unwrap();
    same_as_clean_with(
        &root,
        &memo,
        std::slice::from_ref(&people),
        "the owner a Group again",
        &spring,
    );
    let readme = root.join("svc/README.md");
    std::fs::write(&readme, "# Svc\n").unwrap();
    same_as_clean_with(
        &root,
        &memo,
        std::slice::from_ref(&readme),
        "a file a rule reads, added beside the entity",
        &spring,
    );
    // Only another repository touched: the judged entities' own inputs
    // hold but for the day.
    let elsewhere = [people.clone()];
    same_as_clean_with(&root, &memo, &elsewhere, "another day", &day("2020-06-01"));
    assert_eq!(
        memo.scorecard_results.counts(),
        (0, everyone),
        "another day: every entity judged again"
    );
    same_as_clean_with(&root, &memo, &elsewhere, "the day before", &spring);
    // Another repository's page removed: a link in the entity's docs
    // breaks, its own repository untouched.
    let guide = root.join("plain/docs/guide.md");
    std::fs::remove_file(&guide).unwrap();
    same_as_clean_with(
        &root,
        &memo,
        std::slice::from_ref(&guide),
        "a link into another repository's docs broken",
        &spring,
    );
    let page = root.join("svc/docs/index.md");
    std::fs::write(&page, "# Svc\n\nSee [setup](missing.md).\n").unwrap();
    same_as_clean_with(
        &root,
        &memo,
        std::slice::from_ref(&page),
        "a broken link in the entity's docs",
        &spring,
    );
    let card = root.join("people/scorecards/neighbours.yaml");
    std::fs::write(&card, NEIGHBOURS_CARD.replace("HINT", "Write one.")).unwrap();
    same_as_clean_with(
        &root,
        &memo,
        std::slice::from_ref(&card),
        "a rule's hint edited in the definition",
        &spring,
    );
    std::fs::remove_dir_all(root.join("infra")).unwrap();
    same_as_clean_with(
        &root,
        &memo,
        std::slice::from_ref(&infra),
        "the dependency's repository deleted",
        &spring,
    );
}
