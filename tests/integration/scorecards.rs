//! Scorecards end to end: the default scorecard on example-org, custom
//! scorecard files, the CI gate's exit codes and formats, hostile
//! definitions and repositories, and every corpus entity evaluated.

use crate::support::{Org, Run, commit_all, corpus_dir, crate_dir, example_site};
use std::path::Path;

/// 2026-01-10: eight days after the commits `support::git` makes.
const TODAY: &str = "1768003200";

/// `portico ARGS` in `dir`, judged on [`TODAY`].
fn portico_on_day(dir: &Path, args: &[&str]) -> Run {
    crate::support::portico_with_env(dir, args, &[("SOURCE_DATE_EPOCH", TODAY)])
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `entity → (level, score)` on scorecard `name` of a `scorecards.json`.
fn levels(json: &serde_json::Value, name: &str) -> Vec<(String, String, f64)> {
    let card = json["scorecards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no scorecard {name} in {json:#}"));
    card["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["entity"].as_str().unwrap().to_string(),
                e["level"].as_str().unwrap_or("none").to_string(),
                e["score"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn level_of(levels: &[(String, String, f64)], entity: &str) -> String {
    levels
        .iter()
        .find(|(e, _, _)| e == entity)
        .unwrap_or_else(|| panic!("{entity} not scored: {levels:?}"))
        .1
        .clone()
}

#[test]
fn the_default_scorecard_on_example_org_gives_the_documented_levels() {
    let (site, _) = example_site();
    let json = read_json(&site.join("scorecards.json"));
    let levels = levels(&json, "default");
    // The Components of catalog-info.yaml files (warehouse-picker and
    // -scanner are found only by a glob) but the invalid `Legacy Billing`.
    assert_eq!(levels.len(), 10, "{levels:?}");
    let expected = [
        ("component:default/shipment-tracker", "gold"),
        ("component:default/payment-gateway", "silver"),
        ("component:default/route-planner", "bronze"),
        ("component:default/go-logging-lib", "bronze"),
        ("component:default/billing-exporter", "none"),
        ("component:default/invoice-mailer", "none"),
        ("component:default/warehouse-orchestrator", "bronze"),
    ];
    for (entity, level) in expected {
        assert_eq!(level_of(&levels, entity), level, "{entity}");
    }
    // Every rule result carries its evidence and hint.
    let first = &json["scorecards"][0]["entities"][0]["results"][0];
    for key in ["rule", "title", "level", "status", "evidence", "hint"] {
        assert!(!first[key].is_null(), "{key} in {first:#}");
    }
    let csv = std::fs::read_to_string(site.join("scorecards.csv")).unwrap();
    assert!(
        csv.starts_with("scorecard,entity,owner,level,score,rule,"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 1 + 10 * 11);

    let page = std::fs::read_to_string(site.join("scorecards/default/index.html")).unwrap();
    assert!(page.contains("Entities, worst first") && page.contains("shipment-tracker"));
    let entity =
        std::fs::read_to_string(site.join("catalog/default/component/billing-exporter/index.html"))
            .unwrap();
    let card_at = entity
        .find("id=\"scorecards\"")
        .expect("an entity page has the card");
    let card = &entity[card_at..];
    assert!(card.contains("level-0\">none"), "below bronze");
    // Failing rules come first, with the hint rendered from Markdown.
    let failing = card.find("rule fail").unwrap();
    let passing = card.find("rule pass").unwrap();
    assert!(failing < passing);
    assert!(
        card.contains("<code>README.md</code>"),
        "the hint's Markdown is rendered"
    );
    let group =
        std::fs::read_to_string(site.join("catalog/default/group/shipping-team/index.html"))
            .unwrap();
    assert!(group.contains("scorecards/default/owners/default/group/shipping-team/index.html"));
    let rollup = std::fs::read_to_string(
        site.join("scorecards/default/owners/default/group/shipping-team/index.html"),
    )
    .unwrap();
    assert!(rollup.contains("Rules failing most"), "{rollup}");
}

#[test]
fn print_default_writes_a_scorecard_that_reads_back() {
    let run = portico_on_day(&crate_dir(), &["scorecards", "--print-default"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("levels: [bronze, silver, gold]"));
    let org = Org::new();
    org.copy_example("go-logging-lib", "repos/go-logging-lib")
        .file(
            "scorecards/mine.yaml",
            &run.stdout.replace("name: default", "name: mine"),
        );
    let out = org.path().join("site");
    let build = portico_on_day(org.path(), &["build", ".", "--out", out.to_str().unwrap()]);
    assert!(build.code <= 1, "{}", build.stderr);
    let json = read_json(&out.join("scorecards.json"));
    assert_eq!(json["today"], "2026-01-10");
    assert_eq!(
        json["scorecards"].as_array().unwrap().len(),
        1,
        "a configured scorecard replaces the default"
    );
    assert_eq!(json["scorecards"][0]["name"], "mine");
}

/// `portico.toml` in the current folder naming a card and a facts file by
/// plain names (no glob, no folder): both are read from the current folder.
#[test]
fn plain_file_names_beside_portico_toml_in_the_current_folder_are_read() {
    let org = Org::new();
    org.file("repos/a/catalog-info.yaml", &component("a", "team"))
        .file(
            "card.yaml",
            "name: plain\nlevels: [one]\nrules:\n  - id: incidents\n    level: one\n    check: { fact: { name: incidents, lte: 2 } }\n",
        )
        .file(
            "facts.json",
            r#"{"component:default/a": {"incidents": {"value": 1}}}"#,
        )
        .file(
            "portico.toml",
            "roots = [\"repos\"]\n[scorecards]\npaths = [\"card.yaml\"]\nfacts = \"facts.json\"\n",
        );
    let out = org.path().join("site");
    let run = portico_on_day(
        org.path(),
        &[
            "build",
            "--config",
            "portico.toml",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = read_json(&out.join("scorecards.json"));
    let card = &json["scorecards"][0];
    assert_eq!(card["name"], "plain", "the named card, not the default");
    assert_eq!(
        card["entities"][0]["results"][0]["status"], "pass",
        "{card}"
    );
}

const CUSTOM: &str = "name: basics
title: Basics
levels: [ok, great]
rules:
  - id: recent
    level: ok
    check: { git: { committed_within_days: 30 } }
  - id: not-stale
    level: great
    check: { git: { committed_within_days: 5 } }
  - id: attested
    level: great
    hint: Ask **security** to sign off in `.portico/attestations.yaml`.
    check: { attestation: { name: security-review } }
  - id: incidents
    level: ok
    check: { fact: { name: incidents, lte: 2 } }
";

fn component(name: &str, owner: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  description: The {name} service.\nspec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n"
    )
}

#[test]
fn a_custom_scorecard_from_portico_toml_with_git_dates_attestations_and_facts() {
    let org = Org::new();
    org.file("repos/a/catalog-info.yaml", &component("a", "team"))
        .file("repos/a/.portico/attestations.yaml", "security-review:\n  by: sam\n  at: 2025-06-01\n  expires: 2025-12-31\n")
        .file("repos/b/catalog-info.yaml", &component("b", "team"))
        .file("repos/b/.portico/attestations.yaml", "security-review:\n  by: sam\n  at: 2025-12-01\n  expires: 2026-12-01\n")
        .file("config/cards/basics.yaml", CUSTOM)
        .file("config/facts.json", r#"{"component:default/a": {"incidents": {"value": 1, "at": "2026-01-09"}}, "b": {"incidents": {"value": 7}}}"#)
        .file("config/portico.toml", "roots = [\"../repos\"]\n[scorecards]\npaths = [\"cards/*.yaml\"]\nfacts = \"facts.json\"\n");
    commit_all(&org.path().join("repos/a"), "main", "a");
    commit_all(&org.path().join("repos/b"), "main", "b");
    let out = org.path().join("site");
    let run = portico_on_day(
        org.path(),
        &[
            "build",
            "--config",
            "config/portico.toml",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(run.code <= 1, "{}", run.stderr);
    let json = read_json(&out.join("scorecards.json"));
    let card = &json["scorecards"][0];
    let result = |entity: usize, rule: usize| &card["entities"][entity]["results"][rule];
    // Committed 2026-01-02, judged on 2026-01-10: 8 days.
    assert_eq!(result(0, 0)["status"], "pass");
    assert_eq!(result(0, 0)["evidence"]["date"], "2026-01-02");
    assert_eq!(result(0, 1)["status"], "fail");
    assert_eq!(result(0, 2)["status"], "fail", "a's attestation expired");
    assert!(
        result(0, 2)["evidence"]["summary"]
            .as_str()
            .unwrap()
            .contains("expired on 2025-12-31")
    );
    assert_eq!(
        result(0, 2)["evidence"]["file"],
        ".portico/attestations.yaml"
    );
    assert_eq!(result(1, 2)["status"], "pass");
    assert_eq!(result(0, 3)["status"], "pass");
    assert_eq!(result(1, 3)["status"], "fail", "7 incidents");
    let levels = levels(&json, "basics");
    assert_eq!(level_of(&levels, "component:default/a"), "ok");
    assert_eq!(level_of(&levels, "component:default/b"), "none");
    let page = std::fs::read_to_string(out.join("catalog/default/component/a/index.html")).unwrap();
    assert!(
        page.contains("Ask <strong>security</strong> to sign off"),
        "the hint as Markdown"
    );
}

/// An organisation with one good and one poor component for the gate.
fn gate_org() -> Org {
    let org = Org::new();
    org.file("repos/good/catalog-info.yaml", &component("good", "team"))
        .file("repos/good/CODEOWNERS", "* @team\n")
        .file("repos/poor/catalog-info.yaml", &component("poor", "team"))
        .file("repos/org/catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team\nspec:\n  type: team\n  children: []\n")
        .file("scorecards/gate.yaml", "name: gate\nfilter: { kind: Component }\nlevels: [bronze, silver]\nrules:\n  - { id: owner, level: bronze, check: { relation: owner-is-group } }\n  - id: codeowners\n    title: Has CODEOWNERS\n    level: silver\n    hint: Add a `CODEOWNERS` file.\n    check: { files: { glob: CODEOWNERS } }\n");
    org
}

#[test]
fn the_gate_fails_entities_below_the_level_in_every_format() {
    let org = gate_org();
    let gate = |extra: &[&str]| {
        let mut args = vec!["check", ".", "--scorecard", "gate"];
        args.extend_from_slice(extra);
        portico_on_day(org.path(), &args)
    };
    assert_eq!(gate(&["--min-level", "bronze"]).code, 0);
    let human = gate(&["--min-level", "silver"]);
    assert_eq!(human.code, 1, "{}{}", human.stdout, human.stderr);
    assert!(
        human.stderr.contains("error[scorecard-below-level]"),
        "{}",
        human.stderr
    );
    assert!(
        human
            .stderr
            .contains("`component:default/poor` is below `silver`"),
        "{}",
        human.stderr
    );
    assert!(
        human.stderr.contains("Add a `CODEOWNERS` file."),
        "the hint: {}",
        human.stderr
    );
    assert!(
        human
            .stderr
            .contains("Scorecard `gate`: 1 of 2 entities below `silver`"),
        "{}",
        human.stderr
    );
    assert!(!human.stderr.contains("component:default/good` is below"));
    let json = gate(&["--min-level", "silver", "--format", "json"]);
    assert_eq!(json.code, 1);
    let below: Vec<_> = json
        .diagnostics()
        .into_iter()
        .filter(|d| d["code"] == "scorecard-below-level")
        .collect();
    assert_eq!(below.len(), 1, "{below:?}");
    assert_eq!(below[0]["file"], "catalog-info.yaml");
    assert_eq!(below[0]["repo"], "poor");
    assert!(
        below[0]["message"]
            .as_str()
            .unwrap()
            .contains("no file matching `CODEOWNERS`")
    );
    let github = gate(&["--min-level", "silver", "--format", "github"]);
    assert_eq!(github.code, 1);
    assert!(
        github.stdout.lines().any(|l| l
            .starts_with("::error file=repos/poor/catalog-info.yaml,line=1")
            && l.contains("title=scorecard-below-level")),
        "{}",
        github.stdout
    );
    assert_eq!(gate(&["--min-level", "silver", "--entity", "good"]).code, 0);
    assert_eq!(
        gate(&[
            "--min-level",
            "silver",
            "--entity",
            "component:default/poor"
        ])
        .code,
        1
    );
}

/// A component with one docs page, committed on `date`.
fn documented(org: &Org, name: &str, date: &str) {
    let catalog = component(name, "team").replacen(
        "metadata:\n",
        "metadata:\n  annotations:\n    backstage.io/techdocs-ref: dir:.\n",
        1,
    );
    crate::support::commit_on(
        &org.path().join("repos").join(name),
        date,
        &[
            ("catalog-info.yaml", &catalog),
            ("mkdocs.yml", "site_name: Docs\n"),
            ("docs/index.md", "# Docs\n\nHello.\n"),
        ],
    );
}

#[test]
fn the_gate_judges_docs_freshness_by_the_pages_last_commit() {
    // `check` reads pages' git dates only for a gate: this one needs them.
    let org = Org::new();
    documented(&org, "fresh", "2026-01-02");
    documented(&org, "stale", "2025-01-02");
    org.file("repos/org/catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team\nspec:\n  type: team\n  children: []\n")
        .file("repos/scorecards/docs.yaml", "name: docs\nfilter: { kind: Component }\nlevels: [fresh]\nrules:\n  - { id: recent, level: fresh, check: { docs: { updated_within_days: 30 } } }\n");
    let run = portico_on_day(
        org.path(),
        &[
            "check",
            "repos",
            "--scorecard",
            "docs",
            "--min-level",
            "fresh",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let below: Vec<_> = run
        .diagnostics()
        .into_iter()
        .filter(|d| d["code"] == "scorecard-below-level")
        .collect();
    assert_eq!(below.len(), 1, "{below:?}");
    assert_eq!(below[0]["repo"], "stale");
    let message = below[0]["message"].as_str().unwrap();
    assert!(
        message.contains("docs last changed 2025-01-02"),
        "{message}"
    );
}

#[test]
fn the_gate_refuses_unknown_names_as_usage_errors() {
    let org = gate_org();
    let run = |args: &[&str]| portico_on_day(org.path(), args);
    let unknown = run(&["check", ".", "--scorecard", "nope", "--min-level", "silver"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown
            .stderr
            .contains("unknown scorecard `nope`; the scorecards are: gate"),
        "{}",
        unknown.stderr
    );
    let level = run(&["check", ".", "--scorecard", "gate", "--min-level", "gold"]);
    assert_eq!(level.code, 2);
    assert!(
        level
            .stderr
            .contains("has no level `gold`; its levels are: bronze, silver"),
        "{}",
        level.stderr
    );
    let entity = run(&[
        "check",
        ".",
        "--scorecard",
        "gate",
        "--min-level",
        "bronze",
        "--entity",
        "ghost",
    ]);
    assert_eq!(entity.code, 2, "{}", entity.stderr);
    assert_eq!(
        run(&["check", ".", "--min-level", "bronze"]).code,
        2,
        "--min-level needs --scorecard"
    );
    assert_eq!(
        run(&["check", ".", "--scorecard", "gate"]).code,
        2,
        "--scorecard needs --min-level"
    );
    org.file("scorecards/gate.yaml", "name: gate\nfilter: { kind: Component }\nlevels: [bronze]\nrules:\n  - { id: x, level: bronze, check: { relation: nonsense } }\n");
    let broken = run(&["check", ".", "--scorecard", "gate", "--min-level", "bronze"]);
    assert_eq!(broken.code, 2);
    assert!(
        broken.stderr.contains("invalid-scorecard") && broken.stderr.contains("has mistakes"),
        "{}",
        broken.stderr
    );
}

#[test]
fn hostile_definitions_and_repositories_cannot_reach_outside_or_hang() {
    let org = Org::new();
    org.file("repos/evil/catalog-info.yaml", &component("evil", "team"));
    let repo = org.path().join("repos/evil");
    std::os::unix::fs::symlink("/etc/passwd", repo.join("LICENSE")).unwrap();
    std::os::unix::fs::symlink("/etc", repo.join("etc")).unwrap();
    // A sparse file claiming 1 GB: never read.
    std::fs::File::create(repo.join("big.txt"))
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    org.file("repos/evil/slow.txt", &"a".repeat(2_000_000));
    let rules = "name: hostile
levels: [one]
rules:
  - { id: up, level: one, check: { files: { glob: \"../*/catalog-info.yaml\" } } }
  - { id: absolute, level: one, check: { files: { glob: //etc/passwd } } }
";
    org.file("cards/bad.yaml", rules);
    let good = "name: reads
levels: [one]
rules:
  - { id: license, level: one, check: { files: { glob: LICENSE } } }
  - { id: linked-folder, level: one, check: { files: { glob: \"etc/*\" } } }
  - { id: big, level: one, check: { files: { glob: big.txt, matches: x } } }
  - { id: catastrophic, level: one, check: { files: { glob: slow.txt, matches: \"(a*)*b\" } } }
  - { id: rooted, level: one, check: { files: { glob: /etc/passwd, matches: root } } }
";
    org.file("cards/good.yaml", good);
    org.file(
        "portico.toml",
        "roots = [\"repos\"]\n[scorecards]\npaths = [\"cards/*.yaml\"]\n",
    );
    let out = org.path().join("site");
    let started = std::time::Instant::now();
    let run = portico_on_day(
        org.path(),
        &["build", "--out", out.to_str().unwrap(), "--no-search"],
    );
    assert!(
        started.elapsed().as_secs() < 60,
        "no pattern or file makes the build hang"
    );
    assert_eq!(
        run.code, 1,
        "the bad definition is an error: {}",
        run.stderr
    );
    assert!(run.stderr.contains("cards/bad.yaml:4:"), "{}", run.stderr);
    assert!(run.stderr.contains("cards/bad.yaml:5:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("leads outside the repository"),
        "{}",
        run.stderr
    );
    let json = read_json(&out.join("scorecards.json"));
    let cards = json["scorecards"].as_array().unwrap();
    assert_eq!(cards.len(), 1, "the bad definition is not evaluated");
    let results = cards[0]["entities"][0]["results"].as_array().unwrap();
    let status = |i: usize| {
        (
            results[i]["status"].as_str().unwrap(),
            results[i]["evidence"]["summary"].as_str().unwrap(),
        )
    };
    assert_eq!(
        status(0).0,
        "fail",
        "a symlink out of the repository is not a LICENSE"
    );
    assert!(
        status(0).1.contains("outside the repository"),
        "{}",
        status(0).1
    );
    assert_eq!(
        status(1).0,
        "fail",
        "a linked folder is not walked: {}",
        status(1).1
    );
    assert_eq!(status(2).0, "fail");
    assert!(status(2).1.contains("over the"), "{}", status(2).1);
    assert_eq!(status(3).0, "fail");
    // A leading `/` is the repository's root, not the machine's.
    assert_eq!(status(4).0, "fail", "{}", status(4).1);
    let site = crate::support::files_under(&out);
    assert!(
        site.values()
            .all(|bytes| !String::from_utf8_lossy(bytes).contains("root:x:0:0")),
        "nothing of /etc/passwd in the site"
    );
}

#[test]
fn every_corpus_entity_is_evaluated_without_a_panic() {
    let every_rule = "name: every-rule
levels: [one, two]
rules:
  - { id: field, level: one, check: { field: { path: spec.type, one_of: [service, website] } } }
  - { id: annotation, level: one, check: { annotation: { name: backstage.io/techdocs-ref, matches: \"^dir:\" } } }
  - { id: owner, level: one, check: { relation: owner-is-group } }
  - { id: system, level: one, check: { relation: has-system } }
  - { id: provides, level: two, check: { relation: provides-api } }
  - { id: deprecated, level: two, check: { relation: no-deprecated-dependencies } }
  - { id: consumed, level: two, check: { relation: consumed-apis-exist } }
  - { id: files, level: two, check: { files: { glob: \"**/*.md\", matches: \"(?i)backstage\" } } }
  - { id: docs, level: two, check: { all: [ { docs: { present: true } }, { docs: { no_broken_links: true } }, { docs: { updated_within_days: 30 } } ] } }
  - { id: git, level: two, check: { not: { git: { committed_within_days: 1 } } } }
  - { id: attested, level: two, check: { any: [ { attestation: { name: x } } ] } }
  - { id: fact, level: two, check: { fact: { name: x, gt: 1 } } }
";
    let cards = tempfile::tempdir().unwrap();
    std::fs::write(cards.path().join("every.yaml"), every_rule).unwrap();
    std::fs::write(
        cards.path().join("default.yaml"),
        crate::support::portico(&crate_dir(), &["scorecards", "--print-default"]).stdout,
    )
    .unwrap();
    // Every catalog of the corpus: the examples through their Location
    // files, the TechDocs sets as repositories.
    let corpus = |p: &str| corpus_dir().join(p).to_string_lossy().into_owned();
    std::fs::write(
        cards.path().join("portico.toml"),
        format!(
            "roots = [{:?}, {:?}]\n[catalog]\nlocations = [{:?}, {:?}]\n[scorecards]\npaths = [\"*.yaml\"]\n",
            corpus("techdocs-backstage-documented-component"),
            corpus("techdocs-systems-techdocs"),
            corpus("backstage-examples/all.yaml"),
            corpus("backstage-examples/acme-corp.yaml"),
        ),
    )
    .unwrap();
    let out = cards.path().join("site");
    let site = out.to_str().unwrap();
    let args = [
        "build",
        "--config",
        "portico.toml",
        "--out",
        site,
        "--no-search",
    ];
    let run = portico_on_day(cards.path(), &args);
    assert!(run.code <= 1, "no failure, no panic: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let catalog = crate::support::entities(&out);
    let json = read_json(&out.join("scorecards.json"));
    let every = levels(&json, "every-rule");
    assert_eq!(every.len(), catalog.len(), "no filter: every entity");
    assert!(catalog.len() > 67, "{}", catalog.len());
    let components = catalog.iter().filter(|e| e["kind"] == "Component").count();
    assert_eq!(levels(&json, "default").len(), components);
}

/// Two docs sites in one repository (a monorepo) each answer for their own
/// broken links: both have an `index.md`, and only one links nowhere.
#[test]
fn each_docs_site_of_a_monorepo_answers_for_its_own_broken_links() {
    let org = Org::new();
    let documented = |name: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: group:default/team\n"
        )
    };
    org.file(
        "repos/mono/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: mono\nspec:\n  targets: [./services/a/catalog-info.yaml, ./services/b/catalog-info.yaml]\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team\nspec:\n  type: team\n  children: []\n",
    );
    for (name, index) in [("a", "# A\n\nFine.\n"), ("b", "# B\n\n[gone](gone.md)\n")] {
        org.file(
            &format!("repos/mono/services/{name}/catalog-info.yaml"),
            &documented(name),
        )
        .file(
            &format!("repos/mono/services/{name}/mkdocs.yml"),
            &format!("site_name: {name}\n"),
        )
        .file(&format!("repos/mono/services/{name}/docs/index.md"), index);
    }
    portico_on_day(org.path(), &["build", "repos", "--out", "site"]);
    let json = read_json(&org.path().join("site/scorecards.json"));
    let status = |entity: &str| {
        json["scorecards"][0]["entities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["entity"] == entity)
            .unwrap_or_else(|| panic!("{entity} not scored"))["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule"] == "docs-no-broken-links")
            .unwrap()["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(status("component:default/a"), "pass");
    assert_eq!(status("component:default/b"), "fail");
}

/// One commit with a skewed clock (dated years back) does not hide the
/// commits in the window behind it: the walk goes on past a few old
/// commits, as `git log --since` does.
#[test]
fn authors_behind_a_commit_with_a_skewed_clock_are_counted() {
    let org = Org::new();
    let repo = org.path().join("svc");
    org.file(
        "svc/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\nspec:\n  type: service\n  lifecycle: production\n  owner: me\n",
    )
    .file(
        "scorecards/team.yaml",
        "name: team\nlevels: [shared]\nrules:\n  - id: two-authors\n    level: shared\n    check: { git: { distinct_authors: 2, within_days: 30 } }\n",
    );
    let commit = |date: &str, author: &str| {
        crate::support::git_at(
            &repo,
            &format!("{date}T12:00:00+00:00"),
            &[
                "commit",
                "-q",
                "--allow-empty",
                "--author",
                author,
                "-m",
                date,
            ],
        );
    };
    crate::support::git(&repo, &["init", "-q", "-b", "main"]);
    crate::support::git(&repo, &["add", "-A"]);
    commit("2026-01-01", "Xavier <xavier@example.com>");
    commit("2020-01-01", "Yves <yves@example.com>");
    commit("2026-01-05", "Zoe <zoe@example.com>");
    let run = portico_on_day(
        org.path(),
        &[
            "check",
            ".",
            "--scorecard",
            "team",
            "--min-level",
            "shared",
            "--entity",
            "component:svc",
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

/// Refs are not case sensitive: `owner: Platform-Team` and `owner:
/// platform-team` are one owner, `system: SYS-ONE` and `sys-one` one
/// System, each rolled up once under the entity's own spelling (two rows,
/// two folders, and no card on the System's page before).
#[test]
fn rollups_group_refs_whatever_their_case() {
    let org = Org::new();
    org.file(
        "repos/cs/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: platform-team}\nspec: {type: team, children: []}\n---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {name: Sys-One}\nspec: {owner: platform-team}\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec: {type: service, lifecycle: production, owner: Platform-Team, system: sys-one}\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: b}\nspec: {type: service, lifecycle: production, owner: platform-team, system: SYS-ONE}\n",
    );
    commit_all(&org.path().join("repos/cs"), "main", "first");
    let run = portico_on_day(org.path(), &["build", "repos", "--out", "site"]);
    assert!(run.code < 2, "{}", run.stderr);
    let site = org.path().join("site");
    let listed = |dir: &str| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(site.join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        listed("scorecards/default/owners/default/group"),
        ["platform-team"]
    );
    assert_eq!(
        listed("scorecards/default/parts/default/system"),
        ["Sys-One"]
    );
    let group =
        std::fs::read_to_string(site.join("catalog/default/group/platform-team/index.html"))
            .unwrap();
    assert!(
        group.contains(
            "what platform-team owns</h3><ul class=\"counts\"><li class=\"level-0\">none: 2"
        ),
        "{group}"
    );
    let system =
        std::fs::read_to_string(site.join("catalog/default/system/Sys-One/index.html")).unwrap();
    assert!(system.contains("id=\"scorecards\""), "the System's card");
    let json = read_json(&site.join("scorecards.json"));
    let owners: Vec<&str> = json["scorecards"][0]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["owner"].as_str())
        .collect();
    assert!(
        owners.len() == 2 && owners.iter().all(|o| *o == "group:default/platform-team"),
        "{owners:?}"
    );
}

#[test]
fn owners_named_with_any_characters_get_working_rollup_links_and_anchors() {
    let org = Org::new();
    org.file(
        "repos/odd/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: odd\nspec:\n  type: service\n  lifecycle: production\n  owner: \"team 50%\"\n",
    );
    portico_on_day(org.path(), &["build", "repos", "--out", "site"]);
    let site = org.path().join("site");
    let list = std::fs::read_to_string(site.join("scorecards/default/index.html")).unwrap();
    let href = "../../scorecards/default/owners/default/group/team%2050%25/index.html";
    assert!(list.contains(&format!("href=\"{href}\"")), "{list}");
    // The link leads to the page written (a browser decodes the `%XX`s).
    assert!(
        site.join("scorecards/default/owners/default/group/team 50%/index.html")
            .is_file()
    );
    // The problems page's owner anchors are ids a fragment can name.
    let problems = std::fs::read_to_string(site.join("problems/index.html")).unwrap();
    assert!(
        problems.contains("href=\"#owner-group_default.team~2050~25\"")
            && problems.contains("id=\"owner-group_default.team~2050~25\""),
        "{problems}"
    );
}
