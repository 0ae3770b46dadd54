//! Bad input: each case gives its diagnostic (file, line, what to fix) and
//! the rest of the organisation still builds.

use crate::git_repos::component;
use crate::support::{Org, entities, find};

/// A Location document named `name` reading `targets` (a YAML flow list's
/// items, as written).
fn location(name: &str, targets: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: {name}\nspec:\n  targets: [{targets}]\n"
    )
}

/// An org with one healthy repository beside the broken one(s).
fn org() -> Org {
    let org = Org::new();
    // `someone` owns every test component, so only the problem under test is reported.
    let owner = "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: someone\nspec:\n  memberOf: []\n";
    org.file(
        "repos/healthy/catalog-info.yaml",
        &format!("{}---\n{owner}", component("healthy", "fine")),
    );
    org
}

/// Runs check (JSON) and build; asserts the healthy repository was built.
fn check(org: &Org) -> Vec<serde_json::Value> {
    let run = org.run(&["build", "repos", "--out", "site"]);
    assert!(
        run.code <= 1,
        "content problems are exit 1, not a failure: {}",
        run.stderr
    );
    find(
        &entities(&org.path().join("site")),
        "component:default/healthy",
    );
    let json = org.run(&["check", "repos", "--format", "json"]);
    json.diagnostics()
}

fn only(diagnostics: &[serde_json::Value]) -> &serde_json::Value {
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    &diagnostics[0]
}

#[test]
fn invalid_yaml_points_at_the_line() {
    let org = org();
    org.file(
        "repos/broken/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: [oops\nspec: {}\n",
    );
    let d = check(&org);
    let d = only(&d);
    assert_eq!(d["code"], "yaml-syntax");
    assert_eq!(d["path"], "repos/broken/catalog-info.yaml");
    assert!(d["line"].as_u64().unwrap() >= 4, "{d}");
}

#[test]
fn a_yaml_bomb_is_refused() {
    let org = org();
    let mut bomb = String::from(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: bomb\n  a: &a [x,x,x,x,x,x,x,x,x,x]\n",
    );
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h"])
    {
        bomb.push_str(&format!(
            "  {name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 10].join(",")
        ));
    }
    org.file("repos/bomb/catalog-info.yaml", &bomb);
    let started = std::time::Instant::now();
    let d = check(&org);
    assert!(
        started.elapsed().as_secs() < 20,
        "refused early, not expanded"
    );
    let d = only(&d);
    assert_eq!(d["code"], "yaml-syntax");
    assert!(d["message"].as_str().unwrap().contains("YAML bomb"), "{d}");
}

#[test]
fn deep_nesting_is_refused() {
    let org = org();
    org.file(
        "repos/deep/catalog-info.yaml",
        &format!("a: {}", "[".repeat(100_000)),
    );
    let d = check(&org);
    assert_eq!(only(&d)["code"], "yaml-syntax");
}

#[test]
fn a_huge_file_is_not_read() {
    let org = org();
    let huge = format!("# {}\n", "x".repeat(11 * 1024 * 1024));
    org.file("repos/huge/catalog-info.yaml", &huge);
    let d = check(&org);
    let d = only(&d);
    assert_eq!(d["code"], "file-unreadable");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("over the 10 MB limit"),
        "{d}"
    );
}

#[test]
fn substitutions_cannot_leave_the_repository() {
    let org = org();
    org.file("outside.txt", "secret");
    org.file(
        "repos/api/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: leaky\nspec:\n  type: openapi\n  lifecycle: production\n  owner: user:someone\n  definition:\n    $text: ../../outside.txt\n",
    );
    let d = check(&org);
    let errors: Vec<&serde_json::Value> = d.iter().filter(|d| d["severity"] == "error").collect();
    assert_eq!(errors.len(), 1, "{d:#?}");
    assert_eq!(errors[0]["code"], "substitution-failed");
    assert_eq!(errors[0]["line"], 10);
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("leads outside the repository")
    );
    let site = entities(&org.path().join("site"));
    let api = find(&site, "api:default/leaky");
    assert!(!api.to_string().contains("secret"));
}

#[test]
fn json_and_yaml_substitutions_embed_parsed_data() {
    let org = org();
    org.file(
        "repos/api/spec.json",
        r#"{"openapi": "3.0.0", "paths": {}}"#,
    );
    org.file("repos/api/extra.yaml", "profile:\n  displayName: Team\n");
    org.file(
        "repos/api/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: embed\n  annotations:\n    x.io/json:\n      $json: ./spec.json\nspec:\n  type: service\n  lifecycle: production\n  owner: user:someone\n  extra:\n    $yaml: ./extra.yaml\n  schema:\n    $ref: '#/definitions/x'\n",
    );
    let d = check(&org);
    // The $json result is not a string, so the annotation is invalid: reported, entity kept.
    assert!(
        d.iter().any(|d| d["code"] == "invalid-annotation"),
        "{d:#?}"
    );
    let site = entities(&org.path().join("site"));
    let e = find(&site, "component:default/embed");
    assert_eq!(
        e["metadata"]["annotations"]["x.io/json"]["openapi"],
        "3.0.0"
    );
    assert_eq!(e["spec"]["extra"]["profile"]["displayName"], "Team");
    assert_eq!(
        e["spec"]["schema"]["$ref"], "#/definitions/x",
        "other $ keys are left alone"
    );
}

#[test]
fn duplicates_name_both_files() {
    let org = org();
    org.file("repos/a/catalog-info.yaml", &component("twin", "first"));
    org.file("repos/b/catalog-info.yaml", &component("Twin", "second"));
    let d = check(&org);
    let d = only(&d);
    assert_eq!(d["code"], "duplicate-entity");
    assert_eq!(d["path"], "repos/b/catalog-info.yaml");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("repos/a/catalog-info.yaml:1"),
        "{d}"
    );
    let site = entities(&org.path().join("site"));
    assert_eq!(
        find(&site, "component:default/twin")["metadata"]["description"],
        "first"
    );
}

#[test]
fn depends_on_needs_a_kind() {
    let org = org();
    org.file(
        "repos/svc/catalog-info.yaml",
        &format!(
            "{}  dependsOn:\n    - component:healthy\n    - healthy\n",
            component("svc", "x")
        ),
    );
    let d = check(&org);
    let d = only(&d);
    assert_eq!(d["code"], "invalid-ref");
    assert_eq!(d["line"], 12);
    let site = entities(&org.path().join("site"));
    let svc = find(&site, "component:default/svc");
    let relations = svc["relations"].as_array().unwrap();
    assert!(
        relations
            .iter()
            .any(|r| r["type"] == "dependsOn" && r["targetRef"] == "component:default/healthy")
    );
    assert_eq!(
        relations
            .iter()
            .filter(|r| r["type"] == "dependsOn")
            .count(),
        1
    );
}

#[test]
fn a_document_that_is_not_a_mapping_is_an_error() {
    let org = org();
    org.file(
        "repos/list/catalog-info.yaml",
        &format!("- a\n- b\n---\n{}", component("after", "still read")),
    );
    let d = check(&org);
    // Backstage stores none of the file's entities then: `after` is kept,
    // marked, and the warning says so.
    assert_eq!(
        code_line_pairs(&d),
        [("not-an-object", 1), ("location-failed", 4)]
    );
    let after = invalid_mark(&org, "site", "component:default/after");
    assert!(after.starts_with("location-failed: Backstage drops this entity: its file fails because `repos/list/catalog-info.yaml` line 1 has an error"), "{after}");
}

fn code_line_pairs(d: &[serde_json::Value]) -> Vec<(&str, u64)> {
    d.iter()
        .map(|d| (d["code"].as_str().unwrap(), d["line"].as_u64().unwrap()))
        .collect()
}

/// The `portico.dev/invalid` mark of `entity` in the site built into `site`.
fn invalid_mark(org: &Org, site: &str, entity: &str) -> String {
    let entities = entities(&org.path().join(site));
    let e = find(&entities, entity);
    e["metadata"]["annotations"]["portico.dev/invalid"]
        .as_str()
        .unwrap_or_else(|| panic!("{entity} is not marked invalid: {e}"))
        .to_string()
}

/// Backstage stores nothing a failed Location read (its processing fails
/// as a whole: a target missing, a YAML error or a document without an
/// entity envelope in any target, or its own error), and nothing of an
/// entry file with such an error: those entities are marked, one warning
/// per failed reader names them, and `--backstage-exact` leaves them out.
/// An entity that is merely invalid fails only itself.
#[test]
fn a_failed_read_takes_every_entity_of_its_location_with_it() {
    let org = org();
    // A Location whose second target has a YAML error, one of whose
    // targets is a Location in turn.
    org.file(
        "repos/yaml/catalog-info.yaml",
        &location("outer", "./good.yaml, ./inner.yaml, ./broken.yaml"),
    );
    org.file(
        "repos/yaml/good.yaml",
        &component("good", "fine on its own"),
    );
    org.file("repos/yaml/inner.yaml", &location("inner", "./deep.yaml"));
    org.file(
        "repos/yaml/deep.yaml",
        &component("deep", "two levels down"),
    );
    org.file("repos/yaml/broken.yaml", "kind: [\n");
    // A document without an envelope (no `metadata.name`) fails the
    // Location too; an invalid name fails only its own entity.
    org.file(
        "repos/env/catalog-info.yaml",
        &location("env", "./a.yaml, ./b.yaml"),
    );
    org.file(
        "repos/env/a.yaml",
        &format!(
            "{}---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{}}\n",
            component("env-a", "fine")
        ),
    );
    org.file("repos/env/b.yaml", &component("env-b", "fine"));
    org.file(
        "repos/policy/catalog-info.yaml",
        &location("policy", "./ok.yaml, ./bad.yaml"),
    );
    org.file("repos/policy/ok.yaml", &component("policy-ok", "fine"));
    org.file(
        "repos/policy/bad.yaml",
        &component("Bad_Name!", "invalid name"),
    );
    // An optional target that is missing fails nothing.
    org.file("repos/optional/catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: optional\nspec:\n  presence: optional\n  targets: [./here.yaml, ./gone.yaml]\n");
    org.file("repos/optional/here.yaml", &component("here", "fine"));
    // A glob that matches nothing is "not found" to Backstage's readers.
    org.file(
        "repos/glob/catalog-info.yaml",
        &location("globbed", "./teams/*.yaml"),
    );
    // A file two Locations name stays while one of them holds; a file
    // that fails fails every Location naming it.
    org.file(
        "repos/twice/catalog-info.yaml",
        &location("both", "./l1.yaml, ./l2.yaml"),
    );
    org.file(
        "repos/twice/l1.yaml",
        &location("l1", "./shared.yaml, ./missing.yaml"),
    );
    org.file("repos/twice/l2.yaml", &location("l2", "./shared.yaml"));
    org.file(
        "repos/twice/shared.yaml",
        &component("shared-ok", "read twice"),
    );
    org.file(
        "repos/second/catalog-info.yaml",
        &format!(
            "{}---\n{}",
            location("first", "./bad.yaml"),
            location("second", "./bad.yaml, ./fine.yaml")
        ),
    );
    org.file("repos/second/bad.yaml", "kind: [\n");
    org.file(
        "repos/second/fine.yaml",
        &component("second-fine", "beside a broken file"),
    );
    // A target outside the repository of an optional Location is a
    // warning: Backstage finds nothing there and goes on.
    org.file("repos/optional2/catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: optional2\nspec:\n  presence: optional\n  targets: [./here2.yaml, ../../outside.yaml]\n");
    org.file("repos/optional2/here2.yaml", &component("here2", "fine"));
    let d = check(&org);
    assert!(
        d.iter().any(|d| d["code"] == "location-target-outside"
            && d["severity"] == "warning"
            && d["path"] == "repos/optional2/catalog-info.yaml"),
        "{d:#?}"
    );
    assert!(
        d.iter().any(|d| d["code"] == "location-target-missing"
            && d["path"] == "repos/glob/catalog-info.yaml"
            && d["message"]
                == "Location target `./teams/*.yaml` matches no file (looked for `teams/*.yaml`)"),
        "{d:#?}"
    );
    let failed: Vec<(&str, &str)> = d
        .iter()
        .filter(|d| d["code"] == "location-failed")
        .map(|d| (d["path"].as_str().unwrap(), d["message"].as_str().unwrap()))
        .collect();
    // One warning per failure, however deep the Locations it took nest.
    assert_eq!(failed.len(), 3, "{failed:#?}");
    assert!(failed.iter().any(|(path, m)| *path == "repos/env/catalog-info.yaml"
        && m.contains("because `repos/env/a.yaml` line 13 has an error (a document without a string `metadata.name`")
        && m.ends_with(": component:default/env-a, component:default/env-b")), "{failed:#?}");
    assert!(
        failed
            .iter()
            .any(|(path, m)| *path == "repos/yaml/catalog-info.yaml"
                && m.contains(
                    "because `repos/yaml/broken.yaml` line 2 has an error (invalid YAML"
                )
                && m.ends_with(
                    ": component:default/good, location:default/inner, component:default/deep"
                )),
        "{failed:#?}"
    );
    assert!(
        failed
            .iter()
            .any(|(path, m)| *path == "repos/second/catalog-info.yaml"
                && m.contains("because `repos/second/bad.yaml` line 2 has an error")
                && m.ends_with(": component:default/second-fine")),
        "{failed:#?}"
    );

    let outer = invalid_mark(&org, "site", "location:default/outer");
    assert!(
        outer.starts_with(
            "yaml-syntax: Backstage rejects this Location because `repos/yaml/broken.yaml` line 2"
        ),
        "{outer}"
    );
    for dropped in [
        "component:default/good",
        "location:default/inner",
        "component:default/deep",
        "component:default/env-a",
        "component:default/env-b",
    ] {
        let mark = invalid_mark(&org, "site", dropped);
        assert!(
            mark.starts_with("location-failed: Backstage drops this entity: location:default/")
                && mark
                    .contains(" reads it (directly or through other Locations) and fails because "),
            "{dropped}: {mark}"
        );
    }
    let site = entities(&org.path().join("site"));
    for fine in [
        "component:default/policy-ok",
        "location:default/policy",
        "component:default/here",
        "location:default/optional",
        "component:default/shared-ok",
        "location:default/l2",
        "component:default/here2",
    ] {
        let e = find(&site, fine);
        assert!(
            e["metadata"]["annotations"]["portico.dev/invalid"].is_null(),
            "{e}"
        );
    }

    let exact = org.run(&["build", "--backstage-exact", "repos", "--out", "exact"]);
    assert_eq!(exact.code, 1, "{}", exact.stderr);
    let mut kept: Vec<String> = entities(&org.path().join("exact"))
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["kind"].as_str().unwrap(),
                e["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect();
    kept.sort();
    assert_eq!(
        kept,
        [
            "Component:healthy",
            "Component:here",
            "Component:here2",
            "Component:policy-ok",
            "Component:shared-ok",
            "Location:both",
            "Location:l2",
            "Location:optional",
            "Location:optional2",
            "Location:policy",
            "User:someone"
        ]
    );
}

#[test]
fn location_targets_missing_optional_outside_and_cyclic() {
    let org = org();
    let location = |name: &str, targets: &str, extra: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: {name}\nspec:\n{extra}  targets:\n{targets}"
        )
    };
    org.file(
        "repos/central/catalog-info.yaml",
        &location(
            "root",
            "    - ./a.yaml\n    - ./missing.yaml\n    - ../../escape.yaml\n",
            "",
        ),
    );
    org.file(
        "repos/central/a.yaml",
        &location("a", "    - ./b.yaml\n    - ./teams/*.yaml\n", ""),
    );
    org.file(
        "repos/central/b.yaml",
        &location(
            "b",
            "    - ./a.yaml\n    - ./gone.yaml\n",
            "  presence: optional\n",
        ),
    );
    org.file("repos/central/teams/one.yaml", &component("one", "by glob"));
    org.file("repos/central/teams/two.yaml", &component("two", "by glob"));
    let d = check(&org);
    // Read all the same, and dropped by Backstage with the root Location
    // (the cycle of `a` and `b` keeps neither): one warning, at the root.
    assert_eq!(
        code_line_pairs(&d),
        vec![
            ("location-failed", 1),
            ("location-target-missing", 8),
            ("location-target-outside", 9),
        ]
    );
    let site = entities(&org.path().join("site"));
    find(&site, "component:default/one");
    find(&site, "component:default/two");
    find(&site, "location:default/b");
}

/// No default Backstage processor reads a custom kind: an error with
/// Backstage's message; the entity is kept, marked invalid, or left out with
/// --backstage-exact.
#[test]
fn unknown_kinds_are_kept_marked_invalid() {
    let org = org();
    org.file("repos/odd/catalog-info.yaml", "apiVersion: example.com/v1\nkind: Pipeline\nmetadata:\n  name: deploy\nspec:\n  steps: 3\n");
    let d = check(&org);
    let d = only(&d);
    assert_eq!(
        (d["severity"].as_str(), d["code"].as_str()),
        (Some("error"), Some("unknown-kind"))
    );
    assert!(
        d["message"].as_str().unwrap().contains(
            "No processor recognized the entity pipeline:default/deploy as valid, possibly caused by a foreign kind or apiVersion"
        ),
        "{d}"
    );
    let site = entities(&org.path().join("site"));
    let pipeline = find(&site, "pipeline:default/deploy");
    assert!(
        pipeline["metadata"]["annotations"]["portico.dev/invalid"]
            .as_str()
            .unwrap()
            .starts_with("unknown-kind: Backstage rejects this entity"),
        "{pipeline}"
    );
    let page =
        std::fs::read_to_string(org.path().join("site").join(portico::address::entity_page(
            &portico::catalog::entity_ref::EntityRef::new("Pipeline", "default", "deploy"),
        )))
        .unwrap();
    assert!(
        page.contains("Invalid: Backstage would reject this entity."),
        "{page}"
    );
    assert_eq!(org.run(&["check", "repos/odd"]).code, 1);
    let exact = org.run(&["build", "--backstage-exact", "repos/odd", "--out", "exact"]);
    assert_eq!(exact.code, 1, "{}", exact.stderr);
    assert!(entities(&org.path().join("exact")).is_empty());
}

#[test]
fn an_invalid_entitys_page_shows_the_reasons_names_as_code() {
    let org = org();
    org.file(
        "repos/thin/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: thin\nspec:\n  type: service\n  lifecycle: production\n  owner: 42\n",
    );
    assert_eq!(org.run(&["build", "repos", "--out", "site"]).code, 1);
    let page =
        std::fs::read_to_string(org.path().join("site").join(portico::address::entity_page(
            &portico::catalog::entity_ref::EntityRef::new("Component", "default", "thin"),
        )))
        .unwrap();
    let invalid = page
        .lines()
        .find(|l| l.contains("class=\"invalid\""))
        .unwrap();
    assert!(
        invalid.contains("<code>spec.owner</code>") && !invalid.contains('`'),
        "{invalid}"
    );
}

#[test]
fn missing_required_fields_say_what_to_add() {
    let org = org();
    org.file("repos/thin/catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: thin\n  tags: [ok, Not-OK]\nspec:\n  type: service\n  owner: 42\n");
    let d = check(&org);
    let summary: Vec<String> = d
        .iter()
        .map(|d| {
            format!(
                "{} {} {}",
                d["code"].as_str().unwrap(),
                d["line"],
                d["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            "invalid-tag 5 tag \"Not-OK\" is not valid",
            "missing-field 6 `spec.lifecycle` is required for a Component",
            "invalid-field-type 8 `spec.owner` must be a non-empty string, found a number",
        ]
    );
}

#[test]
fn usage_errors_exit_2_and_keep_the_last_site() {
    let org = org();
    assert_eq!(org.run(&["build", "repos", "--out", "site"]).code, 0);
    let before = std::fs::read(org.path().join("site/catalog.json")).unwrap();

    let missing = org.run(&["build", "no-such-folder", "--out", "site"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("no-such-folder"),
        "{}",
        missing.stderr
    );
    assert_eq!(
        std::fs::read(org.path().join("site/catalog.json")).unwrap(),
        before
    );

    org.file("mine/notes.txt", "keep me");
    let foreign = org.run(&["build", "repos", "--out", "mine"]);
    assert_eq!(foreign.code, 2);
    assert!(
        foreign.stderr.contains("refusing to overwrite"),
        "{}",
        foreign.stderr
    );
    assert!(org.path().join("mine/notes.txt").is_file());

    org.file(
        "portico.toml",
        "[site]\ntitle = \"Acme\"\n[catalog]\npath = [\"x\"]\n",
    );
    let config = org.run(&["check", "repos"]);
    assert_eq!(config.code, 2);
    assert!(
        config.stderr.contains("portico.toml") && config.stderr.contains("unknown field `path`"),
        "{}",
        config.stderr
    );

    let nothing = Org::new().run(&["check"]);
    assert_eq!(nothing.code, 2);
    assert!(
        nothing.stderr.contains("no repositories to read"),
        "{}",
        nothing.stderr
    );
}

#[test]
fn config_file_sets_roots_paths_and_title() {
    let org = org();
    org.file("repos/mono/catalog-info.yaml", &component("mono", "root"));
    org.file(
        "repos/mono/packages/x/catalog-info.yaml",
        &component("mono-x", "package"),
    );
    org.file("portico.toml", "roots = [\"repos\"]\n[site]\ntitle = \"Acme portal\"\n[catalog]\npaths = [\"**/catalog-info.yaml\"]\n");
    let run = org.run(&["build", "--out", "site"]);
    assert!(run.code <= 1, "{}", run.stderr);
    let site = entities(&org.path().join("site"));
    find(&site, "component:default/mono-x");
    let index = std::fs::read_to_string(org.path().join("site/index.html")).unwrap();
    assert!(index.contains("Acme portal"));
}

#[test]
fn hostile_text_is_escaped_and_script_links_dropped() {
    let org = org();
    org.file(
        "repos/xss/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: xss\n  title: \"<script>alert(1)</script>\"\n  description: '\" onmouseover=\"alert(1)'\n  links:\n    - url: javascript:alert(1)\n      title: click\n    - url: https://example.com/ok\n      title: fine\nspec:\n  type: service\n  lifecycle: production\n  owner: user:someone\n",
    );
    check(&org);
    let page = std::fs::read_to_string(
        org.path()
            .join("site/catalog/default/component/xss/index.html"),
    )
    .unwrap();
    assert!(!page.contains("<script>alert"), "title escaped");
    assert!(
        !page.contains("\" onmouseover"),
        "attribute breakout escaped"
    );
    assert!(!page.contains("href=\"javascript:"), "script link dropped");
    assert!(page.contains("href=\"https://example.com/ok\""));
}

#[test]
fn a_root_without_repositories_is_a_usage_error() {
    let org = Org::new();
    org.file("empty/notes/readme.txt", "no catalog here");
    let run = org.run(&["check", "empty"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no repositories found under `empty`"),
        "{}",
        run.stderr
    );
}

#[test]
fn single_star_globs_stay_in_one_folder_and_nested_checkouts_are_their_own() {
    let org = org();
    org.file("repos/mono/catalog-info.yaml", &component("mono", "root"));
    org.file(
        "repos/mono/packages/a/catalog-info.yaml",
        &component("pkg-a", "one level"),
    );
    org.file(
        "repos/mono/packages/a/deep/catalog-info.yaml",
        &component("pkg-deep", "two levels"),
    );
    org.file("repos/mono/vendored/.git/HEAD", "ref: refs/heads/main\n");
    org.file(
        "repos/mono/vendored/catalog-info.yaml",
        &component("vendored", "another repository"),
    );
    let run = org.run(&[
        "build",
        "repos/mono",
        "--catalog-path",
        "packages/*/catalog-info.yaml",
        "--out",
        "site",
    ]);
    assert!(run.code <= 1, "{}", run.stderr);
    let site = entities(&org.path().join("site"));
    let names: Vec<&str> = site
        .iter()
        .map(|e| e["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["pkg-a"]);
    org.run(&[
        "build",
        "repos/mono",
        "--catalog-path",
        "**/catalog-info.yaml",
        "--out",
        "site",
    ]);
    let site = entities(&org.path().join("site"));
    let mut names: Vec<&str> = site
        .iter()
        .map(|e| e["metadata"]["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec!["mono", "pkg-a", "pkg-deep"],
        "the nested checkout is not read as part of mono"
    );
}

#[test]
fn script_links_are_flagged_when_checked() {
    let org = org();
    org.file(
        "repos/links/catalog-info.yaml",
        &component("links", "x").replace(
            "spec:\n",
            "  links:\n    - url: javascript:alert(1)\n      title: run\nspec:\n",
        ),
    );
    let d = check(&org);
    let d = only(&d);
    assert_eq!(
        (
            d["severity"].as_str(),
            d["code"].as_str(),
            d["line"].as_u64()
        ),
        (Some("warning"), Some("unsafe-link"), Some(7))
    );
}

/// 300 `$text` of a 9 MB file filled memory; now the repository's
/// placeholders read 16 MB at most and the rest are refused at their line.
#[test]
fn placeholders_read_a_bounded_number_of_bytes() {
    let org = org();
    org.file("repos/embed/big.txt", &"x".repeat(9 * 1024 * 1024));
    let placeholders: String = (0..40)
        .map(|i| format!("  text{i}:\n    $text: ./big.txt\n"))
        .collect();
    org.file(
        "repos/embed/catalog-info.yaml",
        &format!(
            "{}{placeholders}---\n{}",
            component("embed", "many copies"),
            component("after", "still read")
        ),
    );
    let d = check(&org);
    assert_eq!(d.len(), 39, "the first copy fits, the others do not");
    for (i, d) in d.iter().enumerate() {
        assert_eq!(d["code"], "substitution-failed");
        assert_eq!(d["line"], 13 + 2 * i as u64);
        assert!(
            d["message"]
                .as_str()
                .unwrap()
                .contains("of the 16 MB that placeholders may read per repository"),
            "{d}"
        );
    }
    let site = entities(&org.path().join("site"));
    let embed = find(&site, "component:default/embed");
    assert_eq!(
        embed["spec"]["text0"].as_str().unwrap().len(),
        9 * 1024 * 1024
    );
    assert_eq!(embed["spec"]["text1"]["$text"], "./big.txt");
    find(&site, "component:default/after");
}

/// A 9.6 MB `$json` file of `{}` took gigabytes of memory; now its values
/// count toward the document's node budget and reading stops there.
#[test]
fn a_huge_json_placeholder_stops_at_the_node_budget() {
    let org = org();
    org.file(
        "repos/embed/big.json",
        &format!("[{}]", vec!["{}"; 3_200_000].join(",")),
    );
    org.file(
        "repos/embed/catalog-info.yaml",
        &format!(
            "{}  data:\n    $json: ./big.json\n",
            component("embed", "huge JSON")
        ),
    );
    let d = check(&org);
    let d = only(&d);
    assert_eq!(d["code"], "substitution-failed");
    assert_eq!(d["line"], 11);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("would hold more than 250000 values"),
        "{d}"
    );
    find(
        &entities(&org.path().join("site")),
        "component:default/embed",
    );
}

/// A chain of Locations, each a glob target leading to the next file:
/// each glob listed every file of the repository and each Location page
/// looked through every entity (2500 files: seconds; 10,000: a minute).
#[test]
fn a_long_chain_of_locations_is_read_and_shown() {
    let org = org();
    let files = 2500;
    // The last leads back to the first (a cycle, read once).
    org.locations("repos/loc", files, &|i| match i + 1 {
        next if next == files => "./catalog-info.y*ml".to_string(),
        next => format!("./l{next}.y*ml"),
    });
    let d = check(&org);
    assert!(d.is_empty(), "{d:#?}");
    assert_eq!(entities(&org.path().join("site")).len(), 2 + files);
    let page = std::fs::read_to_string(
        org.path()
            .join("site/catalog/default/location/loc-7/index.html"),
    )
    .unwrap();
    assert!(
        page.contains("Entities it reads <span class=\"count\">1</span>"),
        "{page}"
    );
    assert!(page.contains(">loc-8</a>"), "{page}");
}

/// 20,000 unknown top-level fields: each diagnostic counted the file's
/// lines from the top to quote its own (seconds; 50,000: 12 s). JSON lists
/// every one; the terminal shows the first 100, each quoted, and counts the
/// rest on one line.
#[test]
fn many_problems_in_one_file_are_each_quoted() {
    let org = org();
    let fields: String = (0..20_000).map(|i| format!("k{i}: v\n")).collect();
    org.file(
        "repos/wide/catalog-info.yaml",
        &format!("{}{fields}", component("wide", "many fields")),
    );
    let d = check(&org);
    assert_eq!(d.len(), 20_000);
    assert!(d.iter().all(|d| d["code"] == "unknown-root-field"));
    assert_eq!(d[19_999]["line"], 20_009);
    let human = org.run(&["check", "repos/wide"]);
    let tail = &human.stderr[human.stderr.len().saturating_sub(2000)..];
    assert!(human.stderr.contains("109 | k99: v\n"), "{tail}");
    assert!(!human.stderr.contains("110 | k100: v\n"), "{tail}");
    assert!(
        human
            .stderr
            .contains("error[more-problems]: 19900 more `unknown-root-field` problems"),
        "{tail}"
    );
    assert!(human.stderr.contains("20000 errors"), "{tail}");
}

/// 1000 Locations each reading `./*.yaml`: every Location queued every
/// file again and listed every entity on its page (a site growing with the
/// square of the repository). Files are queued once; pages show 100 rows.
#[test]
fn locations_that_all_read_everything_stay_bounded() {
    let org = org();
    let files = 1000;
    org.locations("repos/loc", files, &|_| "./*.yaml".to_string());
    let d = check(&org);
    assert!(d.is_empty(), "{d:#?}");
    assert_eq!(entities(&org.path().join("site")).len(), 2 + files);
    let page = std::fs::read_to_string(
        org.path()
            .join("site/catalog/default/location/loc-7/index.html"),
    )
    .unwrap();
    assert!(
        page.contains("Entities it reads <span class=\"count\">999</span>"),
        "{page}"
    );
    assert_eq!(page.matches("<tr><td><a href=").count(), 100);
    assert!(page.contains("and 899 more"), "{page}");
}

/// `relations` and `status` are what Backstage's catalog adds: a file that
/// writes them is refused, as `NoForeignRootFieldsEntityPolicy` refuses it.
#[test]
fn relations_and_status_written_in_a_file_are_unknown_root_fields() {
    let org = crate::support::Org::new();
    org.file(
        "r/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: a\nspec:\n  type: team\n  children: []\nstatus:\n  items: []\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: b\nspec:\n  type: team\n  children: []\nrelations: []\n",
    );
    let run = org.run(&["check", ".", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let codes = codes_and_lines(&run);
    assert_eq!(
        codes,
        ["unknown-root-field 18", "unknown-root-field 8"],
        "{}",
        run.stdout
    );
}

/// EntityMeta's schema: `title`, `uid` and `etag` are non-empty strings;
/// `annotations:` left empty is none, and gets the location's annotations.
#[test]
fn metadata_follows_backstage_s_entity_meta() {
    let org = crate::support::Org::new();
    let group = |name: &str, meta: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {name}\n{meta}spec:\n  type: team\n  children: []\n"
        )
    };
    org.file(
        "r/catalog-info.yaml",
        &[
            group("a", "  title: ''\n"),
            group("b", "  etag: 5\n"),
            group("c", "  uid: 1234\n"),
            group("d", "  annotations:\n"),
        ]
        .join("---\n"),
    );
    let run = org.run(&["check", ".", "--format", "json"]);
    let codes = codes_and_lines(&run);
    assert_eq!(
        codes,
        [
            "invalid-field-type 14",
            "invalid-field-type 23",
            "invalid-field-type 5"
        ],
        "{}",
        run.stdout
    );
    let built = org.run(&["build", ".", "--out", "site"]);
    let entities = entities(&org.path().join("site"));
    let d = find(&entities, "group:default/d");
    assert!(
        d["metadata"]["annotations"]["backstage.io/managed-by-location"].is_string(),
        "{d}\n{}",
        built.stderr
    );
}

/// A Location target that exists but cannot be read (not UTF-8, a folder
/// matched as a file, a symlink out) is reported at the Location's line
/// that names it, with what to fix.
#[cfg(unix)]
#[test]
fn an_unreadable_location_target_is_reported_where_it_is_named() {
    let org = crate::support::Org::new();
    org.file(
        "r/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: more\nspec:\n  targets:\n    - ./binary.yaml\n    - ./out.yaml\n",
    );
    std::fs::write(org.path().join("r/binary.yaml"), [0xff, 0xfe, 0x00, 0x41]).unwrap();
    std::fs::write(org.path().join("secret.yaml"), "kind: Group\n").unwrap();
    std::os::unix::fs::symlink("../secret.yaml", org.path().join("r/out.yaml")).unwrap();
    let run = org.run(&["check", ".", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut placed: Vec<String> = run
        .diagnostics()
        .iter()
        .filter(|d| d["code"] == "file-unreadable")
        .map(|d| {
            assert!(d["hint"].is_string(), "{d}");
            format!("{}:{}", d["file"].as_str().unwrap(), d["line"])
        })
        .collect();
    placed.sort();
    assert_eq!(
        placed,
        ["catalog-info.yaml:7", "catalog-info.yaml:8"],
        "{}",
        run.stdout
    );
}

/// Each diagnostic as `"<code> <line>"`, sorted.
fn codes_and_lines(run: &crate::support::Run) -> Vec<String> {
    let mut codes: Vec<String> = run
        .diagnostics()
        .iter()
        .map(|d| format!("{} {}", d["code"].as_str().unwrap(), d["line"]))
        .collect();
    codes.sort();
    codes
}

/// A file whose Location has the name of the Location reading it: Backstage
/// ignores that copy (its `ProcessorOutputCollector` drops an emitted entity
/// with the ref being processed) and so reads none of its targets. Portico
/// said `duplicate-entity`, an error, and kept what the copy read.
#[test]
fn a_location_read_by_a_location_of_its_own_name_is_ignored() {
    let org = org();
    let location = |description: &str, targets: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: selfie\n  description: {description}\nspec:\n  targets: [{targets}]\n"
        )
    };
    org.file(
        "repos/selfie/catalog-info.yaml",
        &location("outer", "./inner.yaml"),
    )
    .file(
        "repos/selfie/inner.yaml",
        &format!(
            "{}---\n{}",
            location("inner", "./deeper.yaml"),
            component("inner-comp", "beside the copy")
        ),
    )
    .file(
        "repos/selfie/deeper.yaml",
        &component("deeper-comp", "read only by the copy"),
    );
    let d = check(&org);
    let codes: Vec<(&str, &str)> = d
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["severity"].as_str().unwrap()))
        .collect();
    assert!(
        !codes.iter().any(|(c, _)| *c == "duplicate-entity"),
        "{d:#?}"
    );
    let named = d
        .iter()
        .find(|d| d["code"] == "location-self-named")
        .unwrap_or_else(|| panic!("{d:#?}"));
    assert_eq!(named["severity"], "warning");
    assert_eq!(named["path"], "repos/selfie/inner.yaml");
    assert_eq!(named["line"], 4);
    let site = entities(&org.path().join("site"));
    let selfie = find(&site, "location:default/selfie");
    assert_eq!(
        selfie["metadata"]["description"], "outer",
        "the copy is not stored"
    );
    find(&site, "component:default/inner-comp");
    let mark = invalid_mark(&org, "site", "component:default/deeper-comp");
    assert!(mark.starts_with("location-failed: "), "{mark}");
    let exact = org.run(&["build", "repos", "--out", "exact", "--backstage-exact"]);
    assert!(exact.code <= 1, "{}", exact.stderr);
    let exact = std::fs::read_to_string(org.path().join("exact/catalog.json")).unwrap();
    assert!(!exact.contains("deeper-comp") && exact.contains("inner-comp"));
}

/// Two Locations of one ref: Backstage stores one, and the other is a
/// conflict it never processes, so nothing only it reads is in the
/// catalog. Portico keeps the first (and reports the copy), and what only
/// the copy reads is dropped with it, as `location-failed` says.
#[test]
fn a_duplicate_location_reads_nothing() {
    let org = org();
    org.file(
        "repos/one/catalog-info.yaml",
        &location("shared-loc", "./a.yaml"),
    )
    .file("repos/one/a.yaml", &component("from-one", "the first's"))
    .file(
        "repos/two/catalog-info.yaml",
        &location("shared-loc", "./b.yaml"),
    )
    .file("repos/two/b.yaml", &component("from-two", "the copy's"));
    let d = check(&org);
    let failed = d
        .iter()
        .find(|d| d["code"] == "location-failed")
        .unwrap_or_else(|| panic!("{d:#?}"));
    assert_eq!(failed["path"], "repos/two/catalog-info.yaml");
    assert!(
        failed["message"]
            .as_str()
            .unwrap()
            .contains("duplicate-entity: location:default/shared-loc is defined first in repos/one/catalog-info.yaml"),
        "{failed}"
    );
    assert!(d.iter().any(|d| d["code"] == "duplicate-entity"), "{d:#?}");
    let mark = invalid_mark(&org, "site", "component:default/from-two");
    assert!(mark.starts_with("location-failed: "), "{mark}");
    let exact = org.run(&["build", "repos", "--out", "exact", "--backstage-exact"]);
    assert!(exact.code <= 1, "{}", exact.stderr);
    let exact = std::fs::read_to_string(org.path().join("exact/catalog.json")).unwrap();
    assert!(exact.contains("from-one") && !exact.contains("from-two"));
}

/// Two documents of one file with one ref: Backstage writes both under the
/// file's location key, and the later stays (no message). Portico keeps
/// the later too, and reports the earlier.
#[test]
fn the_later_of_two_documents_in_one_file_is_kept() {
    let org = org();
    org.file(
        "repos/t/catalog-info.yaml",
        &format!(
            "{}---\n{}",
            component("twin", "first document"),
            component("twin", "second document")
        ),
    );
    let d = check(&org);
    let d = only(&d);
    assert_eq!(d["code"], "duplicate-entity");
    assert_eq!(
        (d["path"].as_str(), d["line"].as_u64()),
        (Some("repos/t/catalog-info.yaml"), Some(1))
    );
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("is defined again at line"),
        "{d}"
    );
    let site = entities(&org.path().join("site"));
    let twin = find(&site, "component:default/twin");
    assert_eq!(twin["metadata"]["description"], "second document");
}

/// A copy of an entity that only a failed Location read claims nothing,
/// as in Backstage: the copy elsewhere is the entity (it was reported as
/// the duplicate, and `--backstage-exact` had neither).
#[test]
fn a_copy_under_a_failed_location_claims_nothing() {
    let org = org();
    org.file(
        "repos/delta/catalog-info.yaml",
        &location("delta", "./dup.yaml, ./missing.yaml"),
    )
    .file(
        "repos/delta/dup.yaml",
        &component("dup2", "under a failed Location"),
    )
    .file(
        "repos/epsilon/catalog-info.yaml",
        &component("dup2", "the one Backstage keeps"),
    );
    let d = check(&org);
    let duplicate = d
        .iter()
        .find(|d| d["code"] == "duplicate-entity")
        .unwrap_or_else(|| panic!("{d:#?}"));
    assert_eq!(duplicate["path"], "repos/delta/dup.yaml", "{duplicate}");
    let site = entities(&org.path().join("site"));
    let kept = find(&site, "component:default/dup2");
    assert_eq!(kept["metadata"]["description"], "the one Backstage keeps");
    let exact = org.run(&["build", "repos", "--out", "exact", "--backstage-exact"]);
    assert!(exact.code <= 1, "{}", exact.stderr);
    let exact = std::fs::read_to_string(org.path().join("exact/catalog.json")).unwrap();
    assert!(exact.contains("the one Backstage keeps"), "{exact}");
}
