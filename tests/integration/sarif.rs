//! `portico check --format sarif`: valid against the published SARIF 2.1.0
//! schema (vendored as `tests/sarif-schema-2.1.0.json`, from
//! oasis-tcs/sarif-spec `sarif-2.1/schema/sarif-schema-2.1.0.json`), paths
//! that GitHub code scanning places on a diff, and fingerprints that stay.

use super::json_schema::validate;
use super::support::{Org, commit_all, crate_dir, portico};
use serde_json::Value;

fn schema() -> Value {
    serde_json::from_str(include_str!("../sarif-schema-2.1.0.json")).expect("the schema parses")
}

fn sarif(dir: &std::path::Path, args: &[&str]) -> (i32, Value) {
    let run = portico(dir, args);
    let log: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
    let errors = validate(&schema(), &log);
    assert!(
        errors.is_empty(),
        "not valid SARIF 2.1.0:\n{}",
        errors.join("\n")
    );
    // GitHub's rule beyond the schema: it refuses the whole upload
    // ("locationFromSarifResult: expected at least one location") if a
    // result has no location, or one with an empty `uri`.
    for result in results(&log) {
        let uri = artifact(result)["uri"].as_str().unwrap_or("");
        assert!(!uri.is_empty(), "a result GitHub refuses: {result}");
    }
    (run.code, log)
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().expect("results")
}

fn artifact(result: &Value) -> &Value {
    &result["locations"][0]["physicalLocation"]["artifactLocation"]
}

#[test]
fn example_org_as_sarif_is_valid_and_says_what_json_says() {
    let root = crate_dir();
    let (code, log) = sarif(&root, &["check", "example-org", "--format", "sarif"]);
    assert_eq!(code, 1, "example-org has errors");
    let json = portico(&root, &["check", "example-org", "--format", "json"]).diagnostics();
    let shown: Vec<&Value> = json.iter().filter(|d| d["severity"] != "info").collect();
    let results = results(&log);
    assert_eq!(results.len(), shown.len());
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "Portico");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for (result, d) in results.iter().zip(&shown) {
        assert_eq!(result["ruleId"], d["code"]);
        let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], d["code"]);
        assert!(
            !rule["shortDescription"]["text"]
                .as_str()
                .unwrap()
                .is_empty()
        );
        let level = match d["severity"].as_str().unwrap() {
            "error" => "error",
            _ => "warning",
        };
        assert_eq!(result["level"], level);
        if d["file"] != "" {
            // Relative to its own repository, whose root the base names.
            let location = artifact(result);
            assert_eq!(location["uri"], d["file"], "{result}");
            let base = location["uriBaseId"].as_str().unwrap();
            assert_eq!(base, format!("REPO-{}", d["repo"].as_str().unwrap()));
            let folder = run["originalUriBaseIds"][base]["uri"].as_str().unwrap();
            assert!(
                folder.starts_with("file:///")
                    && folder.ends_with(&format!("/example-org/{}/", d["repo"].as_str().unwrap())),
                "{folder}"
            );
        }
        if d["line"].as_u64().unwrap() > 0 {
            let region = &result["locations"][0]["physicalLocation"]["region"];
            assert_eq!(region["startLine"], d["line"]);
        }
    }
    let invalid_tag = rules.iter().find(|r| r["id"] == "invalid-tag").unwrap();
    assert_eq!(
        invalid_tag["shortDescription"]["text"],
        "A tag is malformed."
    );
    assert!(
        invalid_tag["help"]["text"]
            .as_str()
            .unwrap()
            .contains("[a-z0-9:+#]")
    );
}

#[test]
fn fingerprints_stay_when_lines_move_and_differ_between_results() {
    let org = Org::new();
    let bad = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: billing\n  tags: [Bad Tag, Other Tag]\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n";
    org.file("catalog-info.yaml", bad);
    commit_all(org.path(), "main", "first");
    let prints = |log: &Value| -> Vec<Value> {
        results(log)
            .iter()
            .map(|r| r["partialFingerprints"]["portico/v2"].clone())
            .collect()
    };
    let (code, first) = sarif(org.path(), &["check", ".", "--format", "sarif"]);
    assert_eq!(code, 1);
    // One repository checked from its root: the paths GitHub expects.
    let tag = results(&first)
        .iter()
        .find(|r| r["ruleId"] == "invalid-tag")
        .unwrap();
    assert_eq!(artifact(tag)["uri"], "catalog-info.yaml");
    assert_eq!(artifact(tag)["uriBaseId"], "%SRCROOT%");
    assert_eq!(
        tag["locations"][0]["physicalLocation"]["region"]["startLine"],
        5
    );
    let (_, again) = sarif(org.path(), &["check", ".", "--format", "sarif"]);
    assert_eq!(
        prints(&first),
        prints(&again),
        "the same input, the same prints"
    );
    let mut unique = prints(&first);
    unique.dedup();
    assert_eq!(unique.len(), prints(&first).len(), "{:?}", prints(&first));
    org.file("catalog-info.yaml", &format!("# a comment above\n\n{bad}"));
    let (_, moved) = sarif(org.path(), &["check", ".", "--format", "sarif"]);
    assert_eq!(
        prints(&first),
        prints(&moved),
        "lines moved, the same alerts"
    );
}

#[test]
fn the_scorecard_gate_findings_are_results() {
    let org = Org::new();
    let component = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: poor\n  description: Poor.\nspec:\n  type: service\n  lifecycle: production\n  owner: group:team\n";
    org.file("repos/poor/catalog-info.yaml", component)
        .file("repos/org/catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team\nspec:\n  type: team\n  children: []\n")
        .file("scorecards/gate.yaml", "name: gate\nfilter: { kind: Component }\nlevels: [bronze]\nrules:\n  - id: codeowners\n    level: bronze\n    hint: Add a `CODEOWNERS` file.\n    check: { files: { glob: CODEOWNERS } }\n");
    let (code, log) = sarif(
        org.path(),
        &[
            "check",
            ".",
            "--scorecard",
            "gate",
            "--min-level",
            "bronze",
            "--format",
            "sarif",
        ],
    );
    assert_eq!(code, 1);
    let below = results(&log)
        .iter()
        .find(|r| r["ruleId"] == "scorecard-below-level")
        .unwrap_or_else(|| panic!("{log:#}"));
    assert_eq!(below["level"], "error");
    assert_eq!(artifact(below)["uri"], "catalog-info.yaml");
    assert_eq!(artifact(below)["uriBaseId"], "REPO-poor");
    assert!(
        below["message"]["text"]
            .as_str()
            .unwrap()
            .contains("CODEOWNERS")
    );
}

#[test]
fn a_clean_repository_gives_an_empty_valid_run() {
    let org = Org::new();
    org.file("catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team\nspec:\n  type: team\n  children: []\n");
    let (code, log) = sarif(org.path(), &["check", ".", "--format", "sarif"]);
    assert_eq!(code, 0);
    assert!(results(&log).is_empty(), "{log:#}");
}

/// Problems with no file (a whole repository's, a setting's) still point
/// somewhere: the repository's folder, or the `portico.toml` the setting
/// is written in. Without a location GitHub refuses the whole log.
#[test]
fn problems_with_no_file_point_at_a_folder_or_the_settings_file() {
    let org = Org::new();
    org.copy_example("route-planner", "route-planner");
    org.file(
        "portico.toml",
        "roots = [\".\"]\n[scorecards]\npaths = [\"cards/*.yaml\"]\n",
    );
    super::support::git(org.path(), &["init", "-q", "--bare", "empty.git"]);
    let (_, log) = sarif(org.path(), &["check", "--format", "sarif"]);
    let find = |code: &str| {
        results(&log)
            .iter()
            .find(|r| r["ruleId"] == code)
            .unwrap_or_else(|| panic!("no {code} in {log}"))
    };
    let unreadable = artifact(find("repo-unreadable"));
    assert_eq!(unreadable["uri"], ".");
    assert_eq!(unreadable["uriBaseId"], "REPO-empty");
    let not_found = artifact(find("scorecard-not-found"));
    assert_eq!(not_found["uri"], "portico.toml");
    assert_eq!(not_found["uriBaseId"], "CWD");
}
