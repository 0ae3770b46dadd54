//! Scorecard history (`build --history`) on git repositories made here with
//! dated commits, as work trees and bare clones; rollups per System and
//! Domain; the level as a facet of the catalog lists.

use crate::support::{Org, Run, bare_clone, commit_on};
use std::path::Path;
use std::process::Command;

/// 2026-01-10 (a Saturday): the build's day.
const TODAY: &str = "1768003200";

fn build(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_portico"))
        .arg("build")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", TODAY)
        .env("PORTICO_TIMINGS", "1")
        // The history timing line is read: every stage runs.
        .env("PORTICO_EVERY_STAGE", "1")
        .output()
        .expect("portico runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A ladder whose every step is a different kind of rule: a file, a
/// catalog field, and a git date (as of each week's commit and day).
const STEPS: &str = "\
name: steps
title: Steps
filter: { kind: [Component] }
levels: [one, two, three]
rules:
  - id: readme
    level: one
    check: { files: { glob: README.md } }
  - id: lifecycle
    level: two
    check: { field: { path: spec.lifecycle, equals: production } }
  - id: fresh
    level: three
    check: { git: { committed_within_days: 3 } }
";

fn component(name: &str, lifecycle: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: {lifecycle}\n  owner: team\n"
    )
}

/// `svc`: no README (none), then a README (one), then production and a
/// fresh commit (three), then nothing for nine days (two).
fn make_svc(dir: &Path) {
    commit_on(
        dir,
        "2025-12-15",
        &[("catalog-info.yaml", &component("svc", "experimental"))],
    );
    commit_on(dir, "2025-12-22", &[("README.md", "# svc\n")]);
    commit_on(
        dir,
        "2026-01-01",
        &[("catalog-info.yaml", &component("svc", "production"))],
    );
}

/// An organisation with the steps scorecard; `repos/` is the ROOT.
fn steps_org() -> Org {
    let org = Org::new();
    org.file("config/cards/steps.yaml", STEPS).file(
        "config/portico.toml",
        "roots = [\"../repos\"]\n[scorecards]\npaths = [\"cards/*.yaml\"]\nhistory = \"4w\"\n",
    );
    std::fs::create_dir_all(org.path().join("repos")).unwrap();
    org
}

fn run_steps(org: &Org, extra: &[&str]) -> (serde_json::Value, Run) {
    let out = org.path().join("site");
    let mut args = vec![
        "--config",
        "config/portico.toml",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let run = build(org.path(), &args);
    assert!(run.code <= 1, "{}", run.stderr);
    let text = std::fs::read_to_string(out.join("scorecards.json")).unwrap();
    (serde_json::from_str(&text).unwrap(), run)
}

/// `(date, level)` of an entity's history on the first scorecard.
fn history(json: &serde_json::Value, entity: &str) -> Vec<(String, String)> {
    let card = &json["scorecards"][0];
    let e = card["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity"] == entity)
        .unwrap_or_else(|| panic!("{entity} not scored: {card:#}"));
    e["history"]
        .as_array()
        .map(|h| {
            h.iter()
                .map(|p| {
                    (
                        p["date"].as_str().unwrap().to_string(),
                        p["level"].as_str().unwrap_or("none").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(d, l)| (d.to_string(), l.to_string()))
        .collect()
}

const SVC_WEEKS: [(&str, &str); 4] = [
    ("2025-12-20", "none"),
    ("2025-12-27", "one"),
    ("2026-01-03", "three"),
    ("2026-01-10", "two"),
];

#[test]
fn history_gives_the_level_at_each_week_of_a_work_tree() {
    let org = steps_org();
    make_svc(&org.path().join("repos/svc"));
    let (json, run) = run_steps(&org, &[]);
    assert_eq!(
        history(&json, "component:default/svc"),
        pairs(&SVC_WEEKS),
        "{}",
        run.stderr
    );
    let card = &json["scorecards"][0];
    assert_eq!(card["history"].as_array().unwrap().len(), 4);
    // [none, one, two, three] counts on 2026-01-03.
    assert_eq!(
        card["history"][2]["per_level"],
        serde_json::json!([0, 0, 0, 1])
    );
    // The trend is drawn, with a title and a text alternative.
    let page = std::fs::read_to_string(
        org.path()
            .join("site/catalog/default/component/svc/index.html"),
    )
    .unwrap();
    assert!(page.contains("<svg"), "no trend on the entity page");
    assert!(page.contains("<title>Steps of svc, week by week</title>"));
    assert!(page.contains("<td>2025-12-27</td><td>one</td>"));
    let card_page =
        std::fs::read_to_string(org.path().join("site/scorecards/steps/index.html")).unwrap();
    assert!(
        card_page.contains("<title>Steps</title>"),
        "trend on the scorecard page"
    );
}

#[test]
fn history_reads_bare_clones_the_same_way() {
    let org = steps_org();
    let source = org.path().join("elsewhere/svc");
    make_svc(&source);
    bare_clone(org.path(), &source, "repos/svc.git");
    let (json, run) = run_steps(&org, &[]);
    assert_eq!(
        history(&json, "component:default/svc"),
        pairs(&SVC_WEEKS),
        "{}",
        run.stderr
    );
}

/// A HEAD dated after the build's day (a clock ahead) is still the
/// newest point, as it is the commit the results beside it judged: the
/// point took the last commit dated by that day instead.
#[test]
fn the_newest_point_is_the_built_commit_even_dated_later() {
    let org = steps_org();
    let svc = org.path().join("repos/svc");
    make_svc(&svc);
    commit_on(
        &svc,
        "2026-01-12",
        &[("catalog-info.yaml", &component("svc", "experimental"))],
    );
    let (json, run) = run_steps(&org, &[]);
    let mut weeks = SVC_WEEKS;
    weeks[3] = ("2026-01-10", "one");
    assert_eq!(
        history(&json, "component:default/svc"),
        pairs(&weeks),
        "{}",
        run.stderr
    );
    let present = json["scorecards"][0]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity"] == "component:default/svc")
        .unwrap();
    assert_eq!(present["level"], "one", "{present:#}");
}

#[test]
fn weeks_before_the_catalog_file_existed_have_no_point() {
    let org = steps_org();
    let late = org.path().join("repos/late");
    commit_on(&late, "2025-12-16", &[("README.md", "# late\n")]);
    commit_on(
        &late,
        "2025-12-29",
        &[("catalog-info.yaml", &component("late", "production"))],
    );
    // The command line overrides portico.toml's 4 weeks.
    let (json, _) = run_steps(&org, &["--history", "3w"]);
    assert_eq!(
        history(&json, "component:default/late"),
        pairs(&[("2026-01-03", "two"), ("2026-01-10", "two")]),
        "absent on 2025-12-27, before its catalog file"
    );
    assert_eq!(json["scorecards"][0]["history"][0]["entities"], 0);
}

#[test]
fn an_unchanged_catalog_file_is_parsed_once_across_points() {
    let org = steps_org();
    let busy = org.path().join("repos/busy");
    let quiet = org.path().join("repos/quiet");
    commit_on(
        &busy,
        "2025-10-01",
        &[("catalog-info.yaml", &component("busy", "production"))],
    );
    commit_on(
        &quiet,
        "2025-10-01",
        &[("catalog-info.yaml", &component("quiet", "production"))],
    );
    // A commit a week, the day before each week's day (2026-01-10 is day
    // 20463), that leaves the catalog file alone.
    for week in (0..12).rev() {
        let date = civil(86_400 * (20_463 - 7 * week - 1));
        commit_on(&busy, &date, &[("notes.txt", &format!("week {week}\n"))]);
    }
    let (json, run) = run_steps(&org, &["--history", "12w"]);
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains("scorecards (history"))
        .unwrap_or_else(|| panic!("no history timing line: {}", run.stderr));
    // 24 points; busy: 12 different trees, one parse, 11 loads reused;
    // quiet: one commit for every week, one parse.
    assert!(
        line.contains("24 points, 2 catalog loads parsed, 11 reused"),
        "{line}"
    );
    assert_eq!(history(&json, "component:default/quiet").len(), 12);
    assert_eq!(history(&json, "component:default/busy").len(), 12);
}

/// A scorecard of one rule, `check`, at the level `ok`.
fn input_card(name: &str, check: &str) -> String {
    format!(
        "name: {name}\ntitle: {name}\nfilter: {{ kind: [Component] }}\nlevels: [ok]\nrules:\n  - id: {name}\n    level: ok\n    check: {check}\n"
    )
}

/// The levels of an entity on the scorecard `card`, oldest first.
fn levels_on(json: &serde_json::Value, card: &str, entity: &str) -> Vec<String> {
    let card = json["scorecards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == card)
        .unwrap_or_else(|| panic!("no scorecard {card}"));
    let e = card["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity"] == entity)
        .unwrap_or_else(|| panic!("{entity} not scored: {card:#}"));
    e["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["level"].as_str().unwrap_or("none").to_string())
        .collect()
}

#[test]
fn kept_verdicts_and_docs_give_way_in_the_week_their_input_changes() {
    let org = Org::new();
    // One rule per scorecard, each reading one kind of input that history
    // keeps across weeks: the catalog entity, a file's text, the docs.
    org.file(
        "config/cards/described.yaml",
        &input_card("described", "{ field: { path: metadata.description } }"),
    )
    .file(
        "config/cards/license.yaml",
        &input_card(
            "license",
            "{ files: { glob: /LICENSE, matches: \"^MIT\" } }",
        ),
    )
    .file(
        "config/cards/copying.yaml",
        &input_card("copying", "{ files: { glob: /COPYING } }"),
    )
    .file(
        "config/cards/docs.yaml",
        &input_card("docs", "{ docs: { min_pages: 3 } }"),
    )
    .file(
        "config/portico.toml",
        "roots = [\"../repos\"]\n[scorecards]\npaths = [\"cards/*.yaml\"]\nhistory = \"7w\"\n",
    );
    let repo = org.path().join("repos/svc");
    let catalog = |description: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n{description}  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n"
        )
    };
    let described = catalog("  description: Routes parcels\n");
    let gone = |path: &str| std::fs::remove_file(repo.join(path)).unwrap();
    // Week days: 2025-11-29, 12-06, 12-13, 12-20, 12-27, 2026-01-03, 01-10.
    commit_on(
        &repo,
        "2025-11-25",
        &[
            ("catalog-info.yaml", &described),
            ("LICENSE", "MIT License\n"),
            ("COPYING", "Copyright svc\n"),
            ("mkdocs.yml", "site_name: svc\ndocs_dir: docs\n"),
            ("docs/index.md", "# svc\n"),
            ("docs/a.md", "# a\n"),
            ("docs/b.md", "# b\n"),
        ],
    );
    // Nothing the other rules read; COPYING becomes a symlink out of the
    // repository, which the tree's listing holds but may not be counted.
    gone("COPYING");
    std::os::unix::fs::symlink("../../outside.txt", repo.join("COPYING")).unwrap();
    commit_on(&repo, "2025-12-03", &[("notes.txt", "one\n")]);
    // The licence's text, at the same path.
    commit_on(&repo, "2025-12-10", &[("LICENSE", "Apache License\n")]);
    // One page fewer in docs/; a folder the mkdocs file does not name yet.
    gone("docs/b.md");
    commit_on(
        &repo,
        "2025-12-17",
        &[
            ("pages/one.md", "# one\n"),
            ("pages/two.md", "# two\n"),
            ("pages/three.md", "# three\n"),
        ],
    );
    // Only the mkdocs file: its docs_dir now names pages/.
    commit_on(
        &repo,
        "2025-12-24",
        &[("mkdocs.yml", "site_name: svc\ndocs_dir: pages\n")],
    );
    gone("pages/three.md");
    commit_on(&repo, "2025-12-31", &[]);
    // pages/ has no index: the README now stands in as a third page. The
    // description goes; the licence is MIT again.
    commit_on(
        &repo,
        "2026-01-07",
        &[
            ("README.md", "# svc\n"),
            ("catalog-info.yaml", &catalog("")),
            ("LICENSE", "MIT License\n"),
        ],
    );
    let out = org.path().join("site");
    let run = build(
        org.path(),
        &[
            "--config",
            "config/portico.toml",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(run.code <= 1, "{}", run.stderr);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("scorecards.json")).unwrap())
            .unwrap();
    let svc = "component:default/svc";
    let levels = |card: &str| levels_on(&json, card, svc);
    assert_eq!(
        levels("described"),
        ["ok", "ok", "ok", "ok", "ok", "ok", "none"]
    );
    assert_eq!(
        levels("license"),
        ["ok", "ok", "none", "none", "none", "none", "ok"]
    );
    assert_eq!(
        levels("copying"),
        ["ok", "none", "none", "none", "none", "none", "none"]
    );
    assert_eq!(
        levels("docs"),
        ["ok", "ok", "ok", "none", "ok", "none", "ok"]
    );
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains("scorecards (history"))
        .unwrap_or_else(|| panic!("no history timing line: {}", run.stderr));
    // Seven commits. Docs found at the first and again where the docs
    // folder, the mkdocs file or the README changed (4), kept otherwise (2). The
    // description's verdict is kept while the catalog load is (5 times),
    // the docs rule's where the load and the pages found are the same
    // (4); the licence is judged again at every commit (its tree changes).
    assert!(
        line.contains("7 points, 2 catalog loads parsed, 5 reused, 9 rule verdicts reused, docs found 5 times, 2 reused"),
        "{line}"
    );
}

/// `YYYY-MM-DD` of seconds since the epoch, through `date`.
fn civil(seconds: i64) -> String {
    let out = Command::new("date")
        .args(["-u", "-d", &format!("@{seconds}"), "+%Y-%m-%d"])
        .output()
        .expect("date runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn bad_history_settings_are_usage_errors() {
    let org = steps_org();
    let run = build(org.path(), &["repos", "--history", "60w"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    org.file(
        "bad/portico.toml",
        "roots = [\"../repos\"]\n[scorecards]\nhistory = \"soon\"\n",
    );
    let run = build(org.path(), &["--config", "bad/portico.toml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("history `soon`"), "{}", run.stderr);
    org.file(
        "bad/portico.toml",
        "roots = [\"../repos\"]\n[scorecards]\nhistroy = \"4w\"\n",
    );
    let run = build(org.path(), &["--config", "bad/portico.toml"]);
    assert_eq!(run.code, 2, "unknown keys stay an error: {}", run.stderr);
}

const ORG_YAML: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: team }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata: { name: commerce }
spec: { owner: team }
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: { name: shop }
spec: { owner: team, domain: commerce }
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: { name: other }
spec: { owner: team }
";

fn part(name: &str, system: &str, description: bool) -> String {
    let description = if description {
        "\n  description: Described."
    } else {
        ""
    };
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}{description}\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n  system: {system}\n"
    )
}

#[test]
fn rollups_per_system_and_domain_and_the_level_facet() {
    let org = Org::new();
    org.file("repos/org/catalog-info.yaml", ORG_YAML)
        .file("repos/a/catalog-info.yaml", &part("a", "shop", true))
        .file("repos/a/README.md", "# a\n")
        .file("repos/b/catalog-info.yaml", &part("b", "shop", false))
        .file("repos/c/catalog-info.yaml", &part("c", "other", true));
    let out = org.path().join("site");
    let run = build(org.path(), &["repos", "--out", out.to_str().unwrap()]);
    assert!(run.code <= 1, "{}", run.stderr);
    let read =
        |p: &str| std::fs::read_to_string(out.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    let system = read("scorecards/default/parts/default/system/shop/index.html");
    assert!(system.contains(">a<") && system.contains(">b<"), "{system}");
    assert!(!system.contains(">c<"), "c is part of another System");
    // b has no description: a bronze rule fails.
    assert!(system.contains("<code>has-description</code>: 1 failing"));
    let domain = read("scorecards/default/parts/default/domain/commerce/index.html");
    assert!(domain.contains(">a<") && domain.contains(">b<") && !domain.contains(">c<"));
    // Linked from the System's and the Domain's pages.
    assert!(
        read("catalog/default/system/shop/index.html")
            .contains("scorecards/default/parts/default/system/shop/index.html")
    );
    assert!(
        read("catalog/default/domain/commerce/index.html")
            .contains("scorecards/default/parts/default/domain/commerce/index.html")
    );
    // The level is a facet and a column of the lists.
    let json: serde_json::Value = serde_json::from_str(&read("scorecards.json")).unwrap();
    let level_of = |name: &str| {
        json["scorecards"][0]["entities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["entity"] == format!("component:default/{name}"))
            .map(|e| e["level"].as_str().unwrap_or("none").to_string())
            .unwrap()
    };
    let home = read("index.html");
    assert!(
        home.contains("<select name=\"level\" data-facet=\"level\">"),
        "{home}"
    );
    assert!(home.contains(">Level</th>"));
    for name in ["a", "b"] {
        let row = home
            .lines()
            .find(|l| l.contains(&format!("component/{name}/index.html")) && l.contains("<tr"))
            .unwrap_or_else(|| panic!("no row for {name}"));
        assert!(
            row.contains(&format!("data-level=\"{}\"", level_of(name))),
            "{row}"
        );
    }
    assert_eq!(level_of("b"), "none");
}

#[test]
fn a_scorecard_filter_is_judged_on_each_weeks_catalog_load() {
    // Which entities of a catalog load a scorecard scores is worked out once
    // per load; a load that changes (here the lifecycle the filter reads)
    // is a new load, judged again from its week on.
    let org = Org::new();
    org.file(
        "config/cards/production.yaml",
        "name: production\ntitle: Production\nfilter: { lifecycle: [production] }\nlevels: [ok]\nrules:\n  - id: readme\n    level: ok\n    check: { files: { glob: README.md } }\n",
    )
    .file(
        "config/portico.toml",
        "roots = [\"../repos\"]\n[scorecards]\npaths = [\"cards/*.yaml\"]\nhistory = \"4w\"\n",
    );
    make_svc(&org.path().join("repos/svc"));
    let (json, _) = run_steps(&org, &[]);
    assert_eq!(
        history(&json, "component:default/svc"),
        pairs(&[("2026-01-03", "ok"), ("2026-01-10", "ok")]),
        "experimental on 2025-12-20 and 12-27: not scored then"
    );
}

#[test]
fn history_reads_a_repository_of_many_packs() {
    // History opens a repository with 32 pack index slots when its pack
    // folder holds at most 29 indexes; with more, gix sizes them from the
    // disk. Here 38 packs, the catalog file in one of the last ones.
    let org = steps_org();
    let svc = org.path().join("repos/svc");
    let repack = || {
        let done = Command::new("git")
            .args(["-C", svc.to_str().unwrap(), "repack", "-q", "-d"])
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .status()
            .expect("git runs");
        assert!(done.success());
    };
    for day in 1..=35 {
        let date = civil(86_400 * (20_392 + day));
        commit_on(&svc, &date, &[("notes.txt", &format!("day {day}\n"))]);
        repack();
    }
    commit_on(
        &svc,
        "2025-12-15",
        &[("catalog-info.yaml", &component("svc", "experimental"))],
    );
    repack();
    commit_on(&svc, "2025-12-22", &[("README.md", "# svc\n")]);
    repack();
    commit_on(
        &svc,
        "2026-01-01",
        &[("catalog-info.yaml", &component("svc", "production"))],
    );
    repack();
    let packs = std::fs::read_dir(svc.join(".git/objects/pack"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".idx")
        })
        .count();
    assert_eq!(packs, 38);
    let (json, run) = run_steps(&org, &[]);
    assert_eq!(
        history(&json, "component:default/svc"),
        pairs(&SVC_WEEKS),
        "{}",
        run.stderr
    );
}
