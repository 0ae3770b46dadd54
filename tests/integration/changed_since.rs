//! `portico check --changed-since REF [--site DIR]`: pull-request feedback.
//! A repository with a `main` branch and a feature branch; only the
//! problems of the files the branch touched (and of pages linking to what
//! it moved) are reported, while refs resolve against a built site.

use super::json_schema::validate;
use super::support::{Org, commit_all, git, portico};
use serde_json::Value;
use std::path::Path;

const COMPONENT: &str = "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments
  annotations:
    backstage.io/techdocs-ref: dir:.
spec:
  type: service
  lifecycle: production
  owner: group:team-x
---
apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: payments-more
spec:
  targets: [./api.yaml]
";

/// `api.yaml` has an error on `main` that the branch never touches.
const API_WITH_OLD_ERROR: &str = "apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: Payments API!
spec:
  type: openapi
  lifecycle: production
  owner: group:team-x
  definition: openapi
";

/// The `main` branch of `payments`: a catalog file with a component owned
/// by a group defined in another repository, and docs whose `old.md` has a
/// broken link from before.
fn payments_on_main(org: &Org) -> std::path::PathBuf {
    org.file("payments/catalog-info.yaml", COMPONENT)
        .file("payments/api.yaml", API_WITH_OLD_ERROR)
        .file("payments/mkdocs.yml", "site_name: Payments\n")
        .file(
            "payments/docs/index.md",
            "# Payments\n\nSee [setup](guide.md#setup).\n",
        )
        .file("payments/docs/guide.md", "# Guide\n\n## Setup\n\nRun it.\n")
        .file(
            "payments/docs/linker.md",
            "# Linker\n\nRead [the guide](guide.md).\n",
        )
        .file(
            "payments/docs/old.md",
            "# Old\n\nThis [link](gone-long-ago.md) was broken before.\n",
        );
    let repo = org.path().join("payments");
    commit_all(&repo, "main", "main");
    git(&repo, &["checkout", "-q", "-b", "feature"]);
    repo
}

/// The organisation's other repository, built into a site whose
/// `catalog.json` defines `group:team-x`.
fn site_with_team_x(org: &Org) -> std::path::PathBuf {
    org.file(
        "elsewhere/org/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-x
spec:
  type: team
  children: []
",
    );
    let site = org.path().join("site");
    let run = portico(
        org.path(),
        &["build", "elsewhere", "--out", "site", "--no-search"],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    site
}

fn check(dir: &Path, args: &[&str]) -> super::support::Run {
    let mut all = vec!["check", "payments", "--format", "json"];
    all.extend_from_slice(args);
    portico(dir, &all)
}

#[test]
fn only_the_files_the_branch_touched_are_reported() {
    let org = Org::new();
    let repo = payments_on_main(&org);
    // (a) a catalog file broken, (b) a docs page's link broken: committed.
    org.file(
        "payments/catalog-info.yaml",
        &COMPONENT.replace("  lifecycle: production\n  owner", "  owner"),
    )
    .file(
        "payments/docs/index.md",
        "# Payments\n\nSee [setup](guide.md#setup) and [nowhere](nowhere.md).\n",
    );
    commit_all(&repo, "feature", "break two files");
    // Without --changed-since, the old problems are there too.
    let everything = check(org.path(), &[]).codes_with("file");
    assert!(everything.contains(&"invalid-name api.yaml".to_string()));
    assert!(everything.contains(&"broken-link docs/old.md".to_string()));

    let run = check(org.path(), &["--changed-since", "main"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut reported = run.codes_with("file");
    reported.sort();
    assert_eq!(
        reported,
        [
            "broken-link docs/index.md",
            "missing-field catalog-info.yaml",
            // Not in a site: the group is defined elsewhere.
            "unresolved-ref catalog-info.yaml",
        ]
    );
}

#[test]
fn refs_resolve_against_a_built_site() {
    let org = Org::new();
    let repo = payments_on_main(&org);
    let site = site_with_team_x(&org);
    org.file(
        "payments/catalog-info.yaml",
        &COMPONENT.replace("type: service", "type: service\n  system: billing"),
    );
    commit_all(&repo, "feature", "join a system nobody defined");
    let site = site.to_str().unwrap();
    let run = check(org.path(), &["--changed-since", "main", "--site", site]);
    let reported = run.diagnostics();
    // team-x is in the site; billing is nowhere, so it is still reported.
    assert_eq!(reported.len(), 1, "{reported:#?}");
    assert_eq!(reported[0]["code"], "unresolved-ref");
    assert!(
        reported[0]["message"]
            .as_str()
            .unwrap()
            .contains("system:default/billing"),
        "{reported:#?}"
    );
    let human = portico(
        org.path(),
        &[
            "check",
            "payments",
            "--changed-since",
            "main",
            "--site",
            site,
        ],
    );
    // The summary lines go to stderr, beside the human diagnostics.
    assert!(
        human.stderr.contains("Changed since `main`: 1 file"),
        "{}",
        human.stderr
    );
    assert!(
        human.stderr.contains("From the site: 1 entity"),
        "{}",
        human.stderr
    );
}

#[test]
fn links_into_docs_built_elsewhere_resolve_against_the_site() {
    let org = Org::new();
    let repo = payments_on_main(&org);
    org.file(
        "elsewhere/billing/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: billing
  annotations:
    backstage.io/techdocs-ref: dir:.
spec:
  type: service
  lifecycle: production
  owner: group:team-x
",
    )
    .file("elsewhere/billing/mkdocs.yml", "site_name: Billing\n")
    .file("elsewhere/billing/docs/index.md", "# Billing\n")
    .file(
        "elsewhere/billing/docs/guide.md",
        "# Guide\n\n## Set up\n\nDo it.\n",
    );
    let site = site_with_team_x(&org);
    org.file(
        "payments/docs/index.md",
        "# Payments\n\n\
         [ok](/docs/default/component/billing/guide/#set-up)\n\
         [ok too](/docs/default/component/billing/)\n\
         [bad anchor](/docs/default/component/billing/guide/#tear-down)\n\
         [no page](/docs/default/component/billing/faq/)\n\
         [no site](/docs/default/component/ghost/)\n",
    );
    commit_all(&repo, "feature", "link to billing's docs");
    let site = site.to_str().unwrap();
    let run = check(org.path(), &["--changed-since", "main", "--site", site]);
    let lines: Vec<String> = run
        .diagnostics()
        .iter()
        .map(|d| format!("{} {}", d["code"].as_str().unwrap(), d["line"]))
        .collect();
    assert_eq!(lines, ["broken-anchor 5", "broken-link 6", "broken-link 7"]);
    // Without the site, none of billing's docs is known.
    let run = check(org.path(), &["--changed-since", "main"]);
    let codes = run.codes_with("file");
    assert_eq!(
        codes
            .iter()
            .filter(|c| c.starts_with("broken-link"))
            .count(),
        5,
        "{codes:?}"
    );
}

#[test]
fn pages_linking_to_a_renamed_page_or_heading_are_reported() {
    let org = Org::new();
    let repo = payments_on_main(&org);
    git(&repo, &["mv", "docs/guide.md", "docs/setup-guide.md"]);
    commit_all(&repo, "feature", "rename the guide");
    let run = check(org.path(), &["--changed-since", "main"]);
    let mut reported = run.codes_with("file");
    reported.sort();
    // index.md and linker.md are unchanged, but they link to the old name.
    assert_eq!(
        reported,
        ["broken-link docs/index.md", "broken-link docs/linker.md"]
    );

    // A heading renamed in a page: the anchor pointing at it breaks.
    let org = Org::new();
    let _repo = payments_on_main(&org);
    org.file(
        "payments/docs/guide.md",
        "# Guide\n\n## Installing\n\nRun it.\n",
    );
    let run = check(org.path(), &["--changed-since", "main"]);
    assert_eq!(run.codes_with("file"), ["broken-anchor docs/index.md"]);
}

#[test]
fn uncommitted_staged_and_untracked_files_are_part_of_the_change() {
    let org = Org::new();
    let repo = payments_on_main(&org);
    // Nothing changed yet: nothing reported, the old problems included.
    let run = check(org.path(), &["--changed-since", "main"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.diagnostics(), Vec::<Value>::new());
    // Untracked, staged, and edited on disk only.
    org.file("payments/docs/new.md", "# New\n\n[a](missing-1.md)\n")
        .file("payments/docs/staged.md", "# Staged\n\n[b](missing-2.md)\n");
    git(&repo, &["add", "docs/staged.md"]);
    org.file("payments/docs/linker.md", "# Linker\n\n[c](missing-3.md)\n");
    // An ignored file is not part of a change.
    org.file("payments/.gitignore", "docs/scratch.md\n").file(
        "payments/docs/scratch.md",
        "# Scratch\n\n[d](missing-4.md)\n",
    );
    let run = check(org.path(), &["--changed-since", "main"]);
    let mut reported = run.codes_with("file");
    reported.sort();
    assert_eq!(
        reported,
        [
            "broken-link docs/linker.md",
            "broken-link docs/new.md",
            "broken-link docs/staged.md",
        ]
    );
}

#[test]
fn a_bare_clone_is_compared_at_head() {
    let org = Org::new();
    let repo = payments_on_main(&org);
    org.file(
        "payments/docs/index.md",
        "# Payments\n\n[nowhere](nowhere.md)\n",
    );
    git(&repo, &["mv", "docs/guide.md", "docs/setup-guide.md"]);
    commit_all(&repo, "feature", "break a link, rename a page");
    let clones = org.path().join("clones");
    std::fs::create_dir(&clones).unwrap();
    git(
        &clones,
        &[
            "clone",
            "-q",
            "--bare",
            repo.to_str().unwrap(),
            "payments.git",
        ],
    );
    // The clone's HEAD is `feature`, the branch checked out when cloned.
    let run = portico(
        org.path(),
        &[
            "check",
            "clones",
            "--changed-since",
            "main",
            "--format",
            "json",
        ],
    );
    let mut reported = run.codes_with("file");
    reported.sort();
    // linker.md is unchanged; the page it links to was renamed.
    assert_eq!(
        reported,
        ["broken-link docs/index.md", "broken-link docs/linker.md"]
    );
}

#[test]
fn a_ref_that_names_nothing_is_a_usage_error() {
    let org = Org::new();
    payments_on_main(&org);
    let run = check(org.path(), &["--changed-since", "origin/nope"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("--changed-since `origin/nope`: names no commit in `payments`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("fetch it first"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);

    // A folder that is no git repository has no history to compare with.
    org.file("plain/catalog-info.yaml", COMPONENT);
    let run = portico(org.path(), &["check", "plain", "--changed-since", "main"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("is not a git repository"),
        "{}",
        run.stderr
    );

    // A site folder without catalog.json.
    let run = check(
        org.path(),
        &["--changed-since", "main", "--site", "no-such-site"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("catalog.json` cannot be read"),
        "{}",
        run.stderr
    );
}

#[test]
fn sarif_of_a_change_is_valid_and_names_only_changed_files() {
    let org = Org::new();
    let repo = payments_on_main(&org);
    org.file(
        "payments/docs/index.md",
        "# Payments\n\n[nowhere](nowhere.md)\n",
    );
    commit_all(&repo, "feature", "break a link");
    let run = portico(
        &repo,
        &["check", ".", "--changed-since", "main", "--format", "sarif"],
    );
    assert_eq!(run.code, 0, "a broken link is a warning: {}", run.stderr);
    let log: Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    let schema: Value = serde_json::from_str(include_str!("../sarif-schema-2.1.0.json")).unwrap();
    let errors = validate(&schema, &log);
    assert!(
        errors.is_empty(),
        "not valid SARIF 2.1.0:\n{}",
        errors.join("\n")
    );
    let results = log["runs"][0]["results"].as_array().unwrap();
    let uris: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(uris, ["docs/index.md"]);
    assert_eq!(results[0]["ruleId"], "broken-link");
}

/// A commit adding `guide/index.md` hides `guide.md` (both would be
/// `guide/`): the clash is reported though `guide.md` was not touched, and
/// so is a link into the page now shown.
#[test]
fn a_page_hidden_by_a_new_file_is_reported_by_the_change_that_hid_it() {
    let org = Org::new();
    let repo = payments_on_main(&org);
    org.file("payments/docs/guide/index.md", "# Guide folder\n");
    commit_all(&repo, "feature", "a folder page where guide.md was");
    let run = check(org.path(), &["--changed-since", "main"]);
    let mut reported = run.codes_with("file");
    reported.sort();
    assert_eq!(
        reported,
        [
            // `index.md` links `guide.md#setup`: the page shown has no `setup`.
            "broken-anchor docs/index.md",
            "page-conflict docs/guide.md",
        ],
        "{}",
        run.stdout
    );
}

/// Two repositories on `main`: `alpha` (docs `index.md` and `guide.md`)
/// and `beta`, whose page links into alpha's docs by site address.
fn alpha_and_beta(org: &Org) {
    let component = |name: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: user:me\n---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: me-{name}\nspec:\n  memberOf: []\n"
        )
    };
    org.file(
        "alpha/catalog-info.yaml",
        &component("alpha").replace("user:me", "user:me-alpha"),
    )
    .file("alpha/mkdocs.yml", "site_name: Alpha\n")
    .file("alpha/docs/index.md", "# Alpha\n")
    .file("alpha/docs/guide.md", "# Guide\n")
    .file(
        "beta/catalog-info.yaml",
        &component("beta").replace("user:me", "user:me-beta"),
    )
    .file("beta/mkdocs.yml", "site_name: Beta\n")
    .file(
        "beta/docs/index.md",
        "# Beta\n\nRead [the guide](/docs/default/component/alpha/guide/).\n",
    );
    for repo in ["alpha", "beta"] {
        commit_all(&org.path().join(repo), "main", "main");
    }
}

/// `check alpha beta --changed-since main` in the organisation.
fn check_alpha_and_beta(org: &Org) -> super::support::Run {
    let args = [
        "check",
        "alpha",
        "beta",
        "--format",
        "json",
        "--changed-since",
        "main",
    ];
    portico(org.path(), &args)
}

/// Errors the change causes in files it did not touch: a link in another
/// repository to a page it removed (written as the page's address), a
/// duplicate of an entity defined in an unchanged file, a docs folder
/// whose pages it all deleted.
#[test]
fn problems_a_change_causes_in_untouched_files_are_reported() {
    let changed = |org: &Org| {
        let run = check_alpha_and_beta(org);
        let mut reported = run.codes_with("file");
        reported.sort();
        (run.code, reported, run.stdout)
    };
    // A page removed: beta's link to its address.
    let org = Org::new();
    alpha_and_beta(&org);
    std::fs::remove_file(org.path().join("alpha/docs/guide.md")).unwrap();
    let (code, reported, out) = changed(&org);
    assert_eq!(code, 0, "{out}");
    assert_eq!(reported, ["broken-link docs/index.md"], "{out}");
    // A copy of beta added in alpha: beta's own file holds the error.
    let org = Org::new();
    alpha_and_beta(&org);
    let mut catalog = std::fs::read_to_string(org.path().join("alpha/catalog-info.yaml")).unwrap();
    catalog.push_str("---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: beta\nspec:\n  type: service\n  lifecycle: production\n  owner: user:me-alpha\n");
    org.file("alpha/catalog-info.yaml", &catalog);
    let (code, reported, out) = changed(&org);
    assert_eq!(code, 1, "{out}");
    assert!(
        reported.contains(&"duplicate-entity catalog-info.yaml".to_string()),
        "{out}"
    );
    // Every page of alpha deleted.
    let org = Org::new();
    alpha_and_beta(&org);
    std::fs::remove_dir_all(org.path().join("alpha/docs")).unwrap();
    let (code, reported, out) = changed(&org);
    assert_eq!(code, 1, "{out}");
    assert!(
        reported.contains(&"docs-missing mkdocs.yml".to_string()),
        "{out}"
    );
}

/// A link into another entity's docs that the change took away whole (the
/// entity renamed, its docs annotation removed) is reported: REF's
/// version of the changed catalog file defined it.
#[test]
fn links_into_docs_a_change_took_away_are_reported() {
    for change in ["rename", "no docs"] {
        let org = Org::new();
        alpha_and_beta(&org);
        let file = org.path().join("alpha/catalog-info.yaml");
        let text = std::fs::read_to_string(&file).unwrap();
        let changed = match change {
            "rename" => text.replacen("name: alpha", "name: alpha2", 1),
            _ => text.replacen("    backstage.io/techdocs-ref: dir:.\n", "", 1),
        };
        std::fs::write(&file, changed).unwrap();
        let run = check_alpha_and_beta(&org);
        let reported = run.codes_with("path");
        assert!(
            reported.contains(&"broken-link beta/docs/index.md".to_string()),
            "{change}: {reported:?}\n{}",
            run.stdout
        );
    }
}
