//! Unit tests: each rule type (pass, fail, not applicable, missing data),
//! definitions and their mistakes at file:line:col, the ladder, scores,
//! rollups and the gate. Entities are real catalog entities, assembled
//! from YAML; files are in memory.

use super::check::{Check, DocsCheck, GitCheck};
use super::dates::Day;
use super::docs::DocsFacts;
use super::evaluate::{Context, Subject, evaluate_entity, run_check};
use super::facts::ExternalFacts;
use super::files::RepoFiles;
use super::files::fake::FakeFiles;
use super::{Scorecard, Status, definition};
use crate::catalog::load::LoadedEntity;
use crate::catalog::{self, Catalog, RepoCommit, validate};
use crate::diagnostics::{Diagnostic, LineIndex, SourceFile};
use crate::docs::DocSiteSummary;
use crate::docs::build::PageSummary;
use crate::yaml;
use std::sync::Arc;

const TODAY: &str = "2025-06-01";

fn today() -> Day {
    Day::parse(TODAY).unwrap()
}

/// A catalog of YAML documents, all in repository `r`, file `catalog-info.yaml`.
fn catalog(docs: &[&str]) -> Catalog {
    let loaded = docs
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let doc = yaml::parse_single(text, yaml::Budget::default())
                .unwrap()
                .unwrap();
            let field = |path: &[&str]| -> String {
                let mut node = &doc;
                for key in path {
                    let yaml::Value::Map(entries) = &node.value else {
                        return String::new();
                    };
                    match entries.iter().find(|(k, _)| k.name == *key) {
                        Some((_, v)) => node = v,
                        None => return String::new(),
                    }
                }
                match &node.value {
                    yaml::Value::String(s) => s.clone(),
                    _ => String::new(),
                }
            };
            let namespace = Some(field(&["metadata", "namespace"])).filter(|n| !n.is_empty());
            LoadedEntity {
                identity: validate::Identity {
                    api_version: "backstage.io/v1alpha1".into(),
                    kind: field(&["kind"]),
                    namespace: namespace.unwrap_or_else(|| "default".into()),
                    name: field(&["metadata", "name"]),
                },
                lines: 1..text.lines().count() + 1,
                repo: "r".into(),
                repo_dir: "org/r".into(),
                file: format!("catalog-{i}.yaml"),
                line_index: Arc::new(LineIndex::new(text)),
                text: (*text).into(),
                location: String::new(),
                origin: String::new(),
                source_location: None,
                view_edit: None,
                rejected: None,
                read_by: None,
                commit: Some(Arc::new(RepoCommit {
                    id: "0123456789abcdef".into(),
                    date: "2025-05-01".into(),
                    author: "Ann".into(),
                    branch: Some("main".into()),
                })),
                doc: doc.into(),
            }
        })
        .collect();
    catalog::assemble(loaded, &mut Vec::new())
}

const SERVICE: &str = "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: svc
  description: Does things
  tags: [java, payments]
  annotations:
    acme.io/tier: \"2\"
spec:
  type: service
  lifecycle: production
  owner: team-a
  system: pay
  providesApis: [svc-api]
  consumesApis: [ghost-api]
  dependsOn: [component:old]
";

fn org() -> Catalog {
    catalog(&[
        SERVICE,
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n",
        "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: pay\nspec:\n  owner: team-a\n",
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: svc-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition: x\n",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: old\nspec:\n  type: library\n  lifecycle: deprecated\n  owner: user:bob\n",
    ])
}

fn entity<'c>(catalog: &'c Catalog, name: &str) -> &'c catalog::Entity {
    catalog.entities.iter().find(|e| e.name == name).unwrap()
}

/// Reads a check from YAML (panics on a mistake: tests write good ones).
fn check(yaml_text: &str) -> Check {
    let text = format!(
        "name: t\nlevels: [one]\nrules:\n  - id: r\n    level: one\n    check: {yaml_text}\n"
    );
    let card = parse(&text).unwrap_or_else(|d| panic!("{d:#?}"));
    card.rules[0].check.clone()
}

fn parse(text: &str) -> Result<Scorecard, Vec<Diagnostic>> {
    let file = SourceFile {
        repo: "",
        repo_dir: "cards",
        path: "t.yaml",
        text,
        line_index: None,
    };
    let mut out = Vec::new();
    definition::parse(&file, &mut out).ok_or(out)
}

fn run(
    catalog: &Catalog,
    name: &str,
    c: &Check,
    files: Option<&dyn RepoFiles>,
    docs: DocsFacts<'_>,
    facts: &ExternalFacts,
) -> super::Verdict {
    let context = Context {
        catalog,
        facts,
        today: today(),
        activity: &Default::default(),
        release_tags: "",
    };
    let subject = Subject {
        entity: entity(catalog, name),
        docs,
        files,
        folder: "",
    };
    run_check(c, subject, &context)
}

fn status(catalog: &Catalog, name: &str, yaml_text: &str) -> (Status, super::Evidence) {
    let files = FakeFiles::with(&[
        ("README.md", "# svc\nOwners: see CODEOWNERS\n"),
        (".github/workflows/ci.yml", "on: push\n"),
    ]);
    let v = run(
        catalog,
        name,
        &check(yaml_text),
        Some(&files),
        DocsFacts::default(),
        &ExternalFacts::default(),
    );
    (v.status, v.evidence)
}

#[test]
fn field_rules_pass_fail_and_say_what_they_found_where() {
    let c = org();
    let (s, e) = status(
        &c,
        "svc",
        "{ field: { path: spec.lifecycle, equals: production } }",
    );
    assert_eq!(
        (s, e.value.as_deref(), e.line),
        (Status::Pass, Some("production"), Some(11))
    );
    assert_eq!(e.file.as_deref(), Some("catalog-0.yaml"));
    assert_eq!(
        status(
            &c,
            "svc",
            "{ field: { path: spec.lifecycle, one_of: [experimental] } }"
        )
        .0,
        Status::Fail
    );
    assert_eq!(
        status(
            &c,
            "svc",
            "{ field: { path: metadata.tags, equals: java } }"
        )
        .0,
        Status::Pass
    );
    assert_eq!(
        status(&c, "svc", "{ field: { path: metadata.title } }").0,
        Status::Fail
    );
    assert_eq!(
        status(
            &c,
            "svc",
            "{ field: { path: metadata.title, present: false } }"
        )
        .0,
        Status::Pass
    );
    assert_eq!(
        status(
            &c,
            "svc",
            "{ field: { path: metadata.description, matches: \"^Does\" } }"
        )
        .0,
        Status::Pass
    );
    let (s, e) = status(&c, "svc", "{ annotation: { name: acme.io/tier, lte: 2 } }");
    assert_eq!((s, e.line), (Status::Pass, Some(8)));
    assert_eq!(
        status(&c, "svc", "{ annotation: { name: acme.io/tier, gt: 2 } }").0,
        Status::Fail
    );
    let (s, e) = status(&c, "svc", "{ field: { path: spec.type, gte: 1 } }");
    assert_eq!(s, Status::Fail);
    assert!(e.summary.contains("not a number"), "{}", e.summary);
}

#[test]
fn relation_rules_read_the_whole_catalog() {
    let c = org();
    let rel = |name: &str, r: &str| status(&c, name, &format!("{{ relation: {r} }}"));
    assert_eq!(rel("svc", "owner-is-group").0, Status::Pass);
    let (s, e) = rel("old", "owner-is-group");
    assert_eq!(s, Status::Fail);
    assert!(
        e.summary.contains("user:default/bob") && e.summary.contains("not in the catalog"),
        "{}",
        e.summary
    );
    assert_eq!(rel("team-a", "owner-is-group").0, Status::NotApplicable);
    assert_eq!(rel("svc", "has-system").0, Status::Pass);
    assert_eq!(rel("old", "has-system").0, Status::Fail);
    assert_eq!(rel("svc", "provides-api").0, Status::Pass);
    assert_eq!(rel("old", "provides-api").0, Status::Fail);
    assert_eq!(rel("svc-api", "provides-api").0, Status::NotApplicable);
    let (s, e) = rel("svc", "no-deprecated-dependencies");
    assert_eq!(
        (s, e.value.as_deref()),
        (Status::Fail, Some("component:default/old"))
    );
    assert_eq!(e.line, Some(16));
    assert_eq!(rel("old", "no-deprecated-dependencies").0, Status::Pass);
    let (s, e) = rel("svc", "consumed-apis-exist");
    assert_eq!(
        (s, e.value.as_deref()),
        (Status::Fail, Some("api:default/ghost-api"))
    );
    assert_eq!(rel("old", "consumed-apis-exist").0, Status::Pass);
}

#[test]
fn file_rules_count_glob_matches_and_find_the_line() {
    let c = org();
    let (s, e) = status(&c, "svc", "{ files: { glob: \"{README,README.md}\" } }");
    assert_eq!((s, e.file.as_deref()), (Status::Pass, Some("README.md")));
    assert_eq!(
        status(&c, "svc", "{ files: { glob: CODEOWNERS } }").0,
        Status::Fail
    );
    assert_eq!(
        status(
            &c,
            "svc",
            "{ files: { glob: \".github/workflows/*.yml\", max: 0 } }"
        )
        .0,
        Status::Fail
    );
    assert_eq!(
        status(&c, "svc", "{ files: { glob: \"*.yml\" } }").0,
        Status::Fail,
        "`*` stays in its folder"
    );
    let (s, e) = status(
        &c,
        "svc",
        "{ files: { glob: README.md, matches: \"(?i)codeowners\" } }",
    );
    assert_eq!(
        (s, e.file.as_deref(), e.line),
        (Status::Pass, Some("README.md"), Some(2))
    );
    assert_eq!(
        status(
            &c,
            "svc",
            "{ files: { glob: README.md, matches: \"^Licence\" } }"
        )
        .0,
        Status::Fail
    );
}

#[test]
fn file_rules_do_not_count_files_that_may_not_be_read_and_say_why() {
    let c = org();
    let mut files = FakeFiles::with(&[("LICENSE", "MIT")]);
    files.files.insert(
        "LICENSE".into(),
        Err(crate::read::ReadError::SymlinkEscapes("LICENSE".into())),
    );
    let v = run(
        &c,
        "svc",
        &check("{ files: { glob: LICENSE } }"),
        Some(&files),
        DocsFacts::default(),
        &ExternalFacts::default(),
    );
    assert_eq!(v.status, Status::Fail);
    assert!(
        v.evidence.summary.contains("points outside the repository"),
        "{}",
        v.evidence.summary
    );
    let v = run(
        &c,
        "svc",
        &check("{ files: { glob: LICENSE } }"),
        None,
        DocsFacts::default(),
        &ExternalFacts::default(),
    );
    assert_eq!(v.status, Status::NotApplicable);
}

fn site(pages: &[Option<&str>]) -> DocSiteSummary {
    DocSiteSummary {
        entity: crate::catalog::entity_ref::EntityRef::new("component", "default", "svc"),
        url: "docs/default/component/svc/".into(),
        site_name: "Svc".into(),
        pages: pages
            .iter()
            .enumerate()
            .map(|(i, date)| PageSummary {
                src: format!("p{i}.md"),
                url: format!("p{i}/"),
                title: format!("P{i}"),
                headings: Default::default(),
                has_mermaid: false,
                sections: Default::default(),
                last_updated: date.map(str::to_string),
                draft: false,
            })
            .collect(),
        version: None,
        versions: Vec::new(),
        versions_searched: false,
        docs_dir: "docs".into(),
        readme_index: None,
    }
}

#[test]
fn docs_rules_use_what_the_docs_stage_built() {
    let c = org();
    let docs_check = |site: Option<&DocSiteSummary>, broken: &[&Diagnostic], d: DocsCheck| {
        run(
            &c,
            "svc",
            &Check::Docs(d),
            None,
            DocsFacts {
                site,
                broken,
                past: None,
            },
            &ExternalFacts::default(),
        )
    };
    let fresh = site(&[Some("2025-05-20"), Some("2024-01-01")]);
    let undated = site(&[None]);
    assert_eq!(
        docs_check(Some(&fresh), &[], DocsCheck::Present).status,
        Status::Pass
    );
    assert_eq!(
        docs_check(None, &[], DocsCheck::Present).status,
        Status::Fail
    );
    assert_eq!(
        docs_check(Some(&fresh), &[], DocsCheck::MinPages(3)).status,
        Status::Fail
    );
    assert_eq!(
        docs_check(None, &[], DocsCheck::NoBrokenLinks).status,
        Status::NotApplicable
    );
    let broken =
        Diagnostic::error("broken-link", "link `x.md`: gone").in_repo("r", "org/r", "docs/p0.md");
    let v = docs_check(Some(&fresh), &[&broken], DocsCheck::NoBrokenLinks);
    assert_eq!(
        (v.status, v.evidence.file.as_deref()),
        (Status::Fail, Some("docs/p0.md"))
    );
    let v = docs_check(Some(&fresh), &[], DocsCheck::UpdatedWithinDays(30));
    assert_eq!(
        (v.status, v.evidence.date.as_deref()),
        (Status::Pass, Some("2025-05-20"))
    );
    assert_eq!(
        docs_check(Some(&fresh), &[], DocsCheck::UpdatedWithinDays(5)).status,
        Status::Fail
    );
    assert_eq!(
        docs_check(Some(&undated), &[], DocsCheck::UpdatedWithinDays(5)).status,
        Status::NotApplicable
    );
}

#[test]
fn git_rules_judge_the_commit_date_against_the_given_day() {
    let c = org();
    let v = run(
        &c,
        "svc",
        &Check::Git(GitCheck::CommittedWithinDays(31)),
        None,
        DocsFacts::default(),
        &ExternalFacts::default(),
    );
    assert_eq!(
        (v.status, v.evidence.date.as_deref()),
        (Status::Pass, Some("2025-05-01"))
    );
    let v = run(
        &c,
        "svc",
        &Check::Git(GitCheck::CommittedWithinDays(30)),
        None,
        DocsFacts::default(),
        &ExternalFacts::default(),
    );
    assert_eq!(v.status, Status::Fail);
    assert_eq!(
        super::git::check(None, None, "", today(), GitCheck::CommittedWithinDays(1)).status,
        Status::NotApplicable
    );
}

#[test]
fn attestations_expire_and_name_their_place() {
    let c = org();
    let attest = |text: &str, name: &str| {
        let files = FakeFiles::with(&[(".portico/attestations.yaml", text)]);
        let c2 = check(&format!("{{ attestation: {{ name: {name} }} }}"));
        run(
            &c,
            "svc",
            &c2,
            Some(&files),
            DocsFacts::default(),
            &ExternalFacts::default(),
        )
    };
    let file = "# reviews\nsecurity-review:\n  by: alice\n  at: 2025-01-10\n  expires: 2026-01-10\nthreat-model:\n  by: bob\n  at: 2024-01-01\n  expires: 2025-01-01\nscoped:\n  by: carol\n  at: 2025-01-01\n  entities: [component:default/other]\n";
    let v = attest(file, "security-review");
    assert_eq!(
        (v.status, v.evidence.line, v.evidence.value.as_deref()),
        (Status::Pass, Some(3), Some("alice"))
    );
    let v = attest(file, "threat-model");
    assert_eq!(v.status, Status::Fail);
    assert!(
        v.evidence.summary.contains("expired on 2025-01-01"),
        "{}",
        v.evidence.summary
    );
    assert_eq!(attest(file, "scoped").status, Status::Fail);
    assert_eq!(attest(file, "missing").status, Status::Fail);
    // Values of the wrong shape: an `expires` that is no date, an entity
    // written alone (not in a list), a date after today.
    let odd = "number:\n  by: a\n  at: 2025-01-01\n  expires: 20240301\nempty:\n  by: a\n  at: 2025-01-01\n  expires:\nalone:\n  by: a\n  at: 2025-01-01\n  entities: component:default/other\nmine:\n  by: a\n  at: 2025-01-01\n  entities: component:default/svc\nlater:\n  by: a\n  at: 2099-01-01\n";
    for name in ["number", "empty", "alone", "later"] {
        assert_eq!(attest(odd, name).status, Status::Fail, "{name}");
    }
    assert_eq!(attest(odd, "mine").status, Status::Pass);
    let v = attest("a: [", "a");
    assert_eq!(
        (v.status, v.evidence.file.as_deref()),
        (Status::Fail, Some(".portico/attestations.yaml"))
    );
    assert!(v.evidence.line.is_some());
    let v = attest("x:\n  by: me\n", "x");
    assert!(
        v.evidence.summary.contains("needs `by`"),
        "{}",
        v.evidence.summary
    );
    let none = run(
        &c,
        "svc",
        &check("{ attestation: { name: x } }"),
        Some(&FakeFiles::default()),
        DocsFacts::default(),
        &ExternalFacts::default(),
    );
    assert_eq!(none.status, Status::Fail);
}

#[test]
fn external_facts_are_joined_by_ref_and_can_be_too_old() {
    let c = org();
    let facts = ExternalFacts::parse(
        r#"{"component:default/svc": {"incidents": {"value": 3, "at": "2025-05-30"}, "grade": {"value": "A"}}, "svc-api": {}}"#,
        "facts.json",
    )
    .unwrap();
    let fact = |yaml_text: &str| {
        run(
            &c,
            "svc",
            &check(yaml_text),
            None,
            DocsFacts::default(),
            &facts,
        )
    };
    let v = fact("{ fact: { name: incidents, lte: 5 } }");
    assert_eq!(
        (v.status, v.evidence.date.as_deref()),
        (Status::Pass, Some("2025-05-30"))
    );
    assert_eq!(
        fact("{ fact: { name: incidents, lt: 3 } }").status,
        Status::Fail
    );
    assert_eq!(
        fact("{ fact: { name: incidents, lte: 5, max_age_days: 1 } }").status,
        Status::Fail
    );
    assert_eq!(
        fact("{ fact: { name: grade, one_of: [A, B] } }").status,
        Status::Pass
    );
    assert_eq!(
        fact("{ fact: { name: grade, max_age_days: 100 } }").status,
        Status::Fail,
        "no date: too old"
    );
    assert_eq!(fact("{ fact: { name: nothing } }").status, Status::Fail);
    let unconfigured = run(
        &c,
        "svc",
        &check("{ fact: { name: incidents } }"),
        None,
        DocsFacts::default(),
        &ExternalFacts::default(),
    );
    assert_eq!(unconfigured.status, Status::NotApplicable);
    let bad = ExternalFacts::parse("{\n  \"a\": [1,\n", "f.json").unwrap_err();
    assert_eq!(bad.line, 3);
    assert!(ExternalFacts::parse(r#"{"svc": {"x": 1}}"#, "f").is_err());
    // A content mistake is placed at its key, as a syntax error is.
    let place = |text: &str| {
        let e = ExternalFacts::parse(text, "f").unwrap_err();
        (e.line, e.column)
    };
    assert_eq!(
        place("{\n  \"svc\": {\n    \"x\": {\"value\": 2, \"at\": \"yesterday\"}\n  }\n}"),
        (3, 23)
    );
    assert_eq!(place("{\n  \"at\": 1,\n  \"svc\": {\"x\": 1}\n}"), (2, 3));
    assert_eq!(place("[]"), (1, 1));
}

#[test]
fn combinators_combine_and_invert() {
    let c = org();
    let s = |y: &str| status(&c, "svc", y).0;
    let pass = "{ relation: has-system }";
    let fail = "{ files: { glob: CODEOWNERS } }";
    let na = "{ fact: { name: x } }";
    assert_eq!(s(&format!("{{ all: [{pass}, {fail}] }}")), Status::Fail);
    assert_eq!(s(&format!("{{ all: [{pass}, {na}] }}")), Status::Pass);
    assert_eq!(s(&format!("{{ any: [{fail}, {pass}] }}")), Status::Pass);
    assert_eq!(s(&format!("{{ any: [{fail}, {na}] }}")), Status::Fail);
    assert_eq!(s(&format!("{{ any: [{na}] }}")), Status::NotApplicable);
    assert_eq!(s(&format!("{{ not: {fail} }}")), Status::Pass);
    assert_eq!(s(&format!("{{ not: {na} }}")), Status::NotApplicable);
}

const LADDER: &str = "name: ladder
levels: [bronze, silver, gold]
rules:
  - { id: b1, level: bronze, weight: 3, check: { relation: owner-is-group } }
  - { id: s1, level: silver, check: { files: { glob: CODEOWNERS } } }
  - { id: s2, level: silver, when: { kind: API }, check: { files: { glob: CODEOWNERS } } }
  - { id: g1, level: gold, check: { relation: has-system } }
";

#[test]
fn an_entity_reaches_a_level_when_that_level_and_every_lower_one_pass() {
    let c = org();
    let card = parse(LADDER).unwrap();
    let context = Context {
        catalog: &c,
        facts: &ExternalFacts::default(),
        today: today(),
        activity: &Default::default(),
        release_tags: "",
    };
    let eval = |name: &str, files: &[(&str, &str)]| {
        let files = FakeFiles::with(files);
        let subject = Subject {
            entity: entity(&c, name),
            docs: DocsFacts::default(),
            files: Some(&files),
            folder: "",
        };
        evaluate_entity(&card, subject, &context)
    };
    // Owner ok (3), CODEOWNERS missing (1), s2 n/a, system ok (1): silver
    // fails, so gold passing does not count: bronze, 4 of 5.
    let r = eval("svc", &[]);
    assert_eq!((r.level.as_deref(), r.score), (Some("bronze"), 0.8));
    assert_eq!(r.results[2].status, Status::NotApplicable);
    let r = eval("svc", &[("CODEOWNERS", "* @a")]);
    assert_eq!((r.level.as_deref(), r.score), (Some("gold"), 1.0));
    // Owner missing: below the first level even though silver passes.
    let r = eval("old", &[("CODEOWNERS", "* @a")]);
    assert_eq!((r.level, r.score), (None, 0.2));
    assert_eq!(r.owner.as_deref(), Some("user:default/bob"));
}

#[test]
fn rollups_count_levels_and_the_rules_failing_most() {
    let c = org();
    let card = parse(LADDER).unwrap();
    let context = Context {
        catalog: &c,
        facts: &ExternalFacts::default(),
        today: today(),
        activity: &Default::default(),
        release_tags: "",
    };
    let none = FakeFiles::default();
    let entities: Vec<_> = ["svc", "old", "svc-api"]
        .iter()
        .map(|n| {
            evaluate_entity(
                &card,
                Subject {
                    entity: entity(&c, n),
                    docs: DocsFacts::default(),
                    files: Some(&none),
                    folder: "",
                },
                &context,
            )
        })
        .collect();
    let result = super::evaluate::card_result(&card, entities);
    let rollups = super::rollup::by_owner(&result);
    let owners: Vec<(&str, usize, Vec<usize>)> = rollups
        .iter()
        .map(|r| (r.owner.as_str(), r.entities, r.per_level.clone()))
        .collect();
    assert_eq!(
        owners,
        [
            ("group:default/team-a", 2, vec![0, 2, 0, 0]),
            ("user:default/bob", 1, vec![1, 0, 0, 0])
        ]
    );
    assert_eq!(
        rollups[0].failing[0],
        ("s1".to_string(), "s1".to_string(), 2)
    );
    let worst: Vec<&str> = super::rollup::worst_first(&result.entities)
        .iter()
        .map(|e| e.entity.as_str())
        .collect();
    assert_eq!(worst[0], "component:default/old");
    // Per System: svc is part of `pay`; the others are part of none.
    let systems = super::rollup::by_part_of(&result, &c, "system");
    assert_eq!(systems.len(), 1);
    assert_eq!(
        (systems[0].owner.as_str(), systems[0].entities),
        ("system:default/pay", 1)
    );
    let members = super::rollup::members(&result, &c, "system", "system:default/pay");
    assert_eq!(members[0].entity, "component:default/svc");
    // `pay` names no Domain.
    assert!(super::rollup::by_part_of(&result, &c, "domain").is_empty());
}

#[test]
fn the_gate_lists_entities_below_the_level_and_refuses_unknown_names() {
    let c = org();
    let card = parse(LADDER).unwrap();
    let context = Context {
        catalog: &c,
        facts: &ExternalFacts::default(),
        today: today(),
        activity: &Default::default(),
        release_tags: "",
    };
    let none = FakeFiles::default();
    let entities = ["svc", "old"]
        .iter()
        .map(|n| {
            evaluate_entity(
                &card,
                Subject {
                    entity: entity(&c, n),
                    docs: DocsFacts::default(),
                    files: Some(&none),
                    folder: "",
                },
                &context,
            )
        })
        .collect();
    let results = super::Results {
        today: TODAY.into(),
        scorecards: vec![super::evaluate::card_result(&card, entities)],
        invalid: vec!["broken".into()],
        history: None,
        delivery: None,
    };
    let gate = |card: &str, level: &str, entity: Option<&str>| {
        super::gate::judge(
            &results,
            &c,
            &super::gate::Gate {
                scorecard: card,
                min_level: level,
                entity,
            },
        )
    };
    let v = gate("ladder", "bronze", None).unwrap();
    assert_eq!((v.checked, v.below, v.diagnostics.len()), (2, 1, 1));
    let d = &v.diagnostics[0];
    assert_eq!(
        (d.code, d.file.as_str(), d.line),
        ("scorecard-below-level", "catalog-4.yaml", 1)
    );
    assert!(d.message.contains("rule `b1`"), "{}", d.message);
    let v = gate("ladder", "SILVER", Some("svc")).unwrap();
    assert_eq!((v.checked, v.below), (1, 1));
    assert!(
        gate("ladder", "platinum", None)
            .unwrap_err()
            .contains("bronze, silver, gold")
    );
    assert!(
        gate("nope", "bronze", None)
            .unwrap_err()
            .contains("the scorecards are: ladder")
    );
    assert!(
        gate("broken", "bronze", None)
            .unwrap_err()
            .contains("has mistakes")
    );
    assert!(gate("ladder", "bronze", Some("component:default/ghost")).is_err());
}

#[test]
fn definition_mistakes_are_reported_at_their_line_and_column() {
    let at = |text: &str| -> Vec<(usize, usize, String)> {
        parse(text).map(|_| Vec::new()).unwrap_or_else(|d| {
            d.into_iter()
                .map(|d| (d.line, d.column, d.message))
                .collect()
        })
    };
    let text = "name: Bad Name\nlevels: [a, a]\ncolour: red\nrules:\n  - id: x\n    level: b\n    check: { files: { glob: ../etc/passwd } }\n  - id: y\n    level: a\n    check: { relation: is-cool }\n  - id: z\n    level: a\n    check: { files: { glob: //etc, min: -1 } }\n  - id: w\n    level: a\n    check: { field: { path: spec.x, matches: \"(\" } }\n  - id: v\n    level: a\n    check: { field: { path: a, equals: 1, one_of: [1] } }\n  - level: a\n    check: { docs: { present: false } }\n";
    let found = at(text);
    let has = |line: usize, needle: &str| {
        found
            .iter()
            .any(|(l, _, m)| *l == line && m.contains(needle))
    };
    assert!(has(1, "lower-case"), "{found:#?}");
    assert!(has(2, "listed twice"), "{found:#?}");
    assert!(
        found
            .iter()
            .any(|f| *f == (3, 1, "unknown key `colour` in a scorecard".to_string())),
        "{found:#?}"
    );
    assert!(has(6, "not one of the scorecard's levels"), "{found:#?}");
    assert!(has(7, "leads outside the repository"), "{found:#?}");
    assert!(has(10, "unknown relation check `is-cool`"), "{found:#?}");
    assert!(has(13, "leads outside the repository"), "{found:#?}");
    assert!(has(16, "invalid pattern"), "{found:#?}");
    assert!(has(19, "tests one thing"), "{found:#?}");
    assert!(has(20, "needs `id`"), "{found:#?}");
    assert!(has(21, "takes `true`"), "{found:#?}");
    let yaml_error = parse("name: x\nlevels: [a\n").unwrap_err();
    assert_eq!(
        (yaml_error[0].code, yaml_error[0].line > 1),
        ("scorecard-yaml", true)
    );
    assert!(parse("").is_err());
}

#[test]
fn patterns_that_could_be_costly_are_refused() {
    let long = "a".repeat(crate::limits::MAX_SCORECARD_PATTERN_BYTES + 1);
    let text = format!(
        "name: x\nlevels: [a]\nrules:\n  - {{ id: r, level: a, check: {{ field: {{ path: a, matches: \"{long}\" }} }} }}\n"
    );
    assert!(parse(&text).unwrap_err()[0].message.contains("over the"));
    // Compiles to far more than the size limit.
    let huge = "name: x\nlevels: [a]\nrules:\n  - { id: r, level: a, check: { field: { path: a, matches: \"(\\\\w{100}){100}\" } } }\n";
    assert!(
        parse(huge).unwrap_err()[0]
            .message
            .contains("invalid pattern"),
        "{:?}",
        parse(huge).err()
    );
    // Nested deeper than the limit.
    let deep = format!(
        "{}{{ relation: has-system }}{}",
        "{ not: ".repeat(20),
        " }".repeat(20)
    );
    let text =
        format!("name: x\nlevels: [a]\nrules:\n  - id: r\n    level: a\n    check: {deep}\n");
    assert!(
        parse(&text)
            .unwrap_err()
            .iter()
            .any(|d| d.message.contains("nested more than"))
    );
}

#[test]
fn the_default_scorecard_parses_and_has_three_levels() {
    let mut out = Vec::new();
    let card = super::load::default_scorecard(&mut out).expect("the default parses");
    assert!(out.is_empty(), "{out:#?}");
    assert_eq!(card.levels, ["bronze", "silver", "gold"]);
    let ids: Vec<&str> = card.rules.iter().map(|r| r.id.as_str()).collect();
    for id in [
        "owner-exists",
        "has-description",
        "has-lifecycle",
        "has-system",
        "has-techdocs",
        "docs-no-broken-links",
        "docs-fresh",
        "has-readme",
        "has-codeowners",
        "has-ci",
        "has-license",
    ] {
        assert!(ids.contains(&id), "{id}");
    }
}

#[test]
fn filters_select_by_kind_type_tags_owner_and_system() {
    let c = org();
    let svc = entity(&c, "svc");
    let filter = |yaml_text: &str| {
        let text = format!("name: t\nlevels: [a]\nfilter: {yaml_text}\nrules: []\n");
        super::evaluate::applies(&parse(&text).unwrap().filter, svc)
    };
    assert!(filter("{ kind: component, type: [service, website] }"));
    assert!(!filter("{ kind: API }"));
    assert!(filter("{ tags: [payments] }") && !filter("{ tags: python }"));
    assert!(
        filter("{ owner: team-a }")
            && filter("{ owner: group:default/team-a }")
            && !filter("{ owner: b }")
    );
    assert!(filter(
        "{ system: pay, lifecycle: production, namespace: default }"
    ));
    assert!(!filter("{ system: other }"));
}

#[test]
fn git_check_mistakes_are_reported_at_their_line() {
    let text = "name: g\nlevels: [a]\nrules:\n  - id: both\n    level: a\n    check: { git: { released_within_days: 3, committed_within_days: 2 } }\n  - id: half\n    level: a\n    check: { git: { distinct_authors: 2 } }\n  - id: zero\n    level: a\n    check: { git: { distinct_authors: 0, within_days: 30 } }\n  - id: odd\n    level: a\n    check: { git: { released_since: 3 } }\n";
    let found: Vec<(usize, String)> = parse(text)
        .map(|_| Vec::new())
        .unwrap_or_else(|d| d.into_iter().map(|d| (d.line, d.message)).collect());
    let has =
        |line: usize, needle: &str| found.iter().any(|(l, m)| *l == line && m.contains(needle));
    assert!(has(6, "takes one of"), "{found:#?}");
    assert!(
        has(9, "`distinct_authors` with `within_days`"),
        "{found:#?}"
    );
    assert!(has(12, "at least 1"), "{found:#?}");
    assert!(has(15, "unknown key `released_since`"), "{found:#?}");
    let good = "name: g\nlevels: [a]\nrules:\n  - id: r\n    level: a\n    check: { git: { released_within_days: 30 } }\n  - id: d\n    level: a\n    check: { git: { within_days: 90, distinct_authors: 2 } }\n";
    let card = parse(good).unwrap_or_else(|d| panic!("{d:#?}"));
    assert!(matches!(
        card.rules[0].check,
        Check::Git(GitCheck::ReleasedWithinDays(30))
    ));
    assert!(matches!(
        card.rules[1].check,
        Check::Git(GitCheck::DistinctAuthors { min: 2, days: 90 })
    ));
}

#[test]
fn dependency_checks_are_read_and_their_mistakes_placed() {
    let card = parse(
        "name: deps\nlevels: [a]\nrules:\n  - id: serde\n    level: a\n    check: { dependency: { name: serde, ecosystem: cargo, version: \">=1.0, <2\" } }\n  - id: no-left-pad\n    level: a\n    check: { dependency: { name: left-pad, present: false, lockfile: /web/package-lock.json } }\n",
    )
    .unwrap();
    let Check::Dependency(d) = &card.rules[0].check else {
        panic!("{:?}", card.rules[0].check)
    };
    assert_eq!(
        d.ecosystem,
        Some(crate::scorecards::lockfiles::Ecosystem::Cargo)
    );
    assert!(matches!(
        d.test,
        crate::scorecards::check::DependencyTest::Version(_)
    ));
    let Check::Dependency(d) = &card.rules[1].check else {
        panic!("{:?}", card.rules[1].check)
    };
    assert_eq!(d.lockfile.as_deref(), Some("/web/package-lock.json"));
    assert!(matches!(
        d.test,
        crate::scorecards::check::DependencyTest::Absent
    ));

    let errors = parse(
        "name: deps\nlevels: [a]\nrules:\n  - id: a\n    level: a\n    check: { dependency: { name: x, ecosystem: maven } }\n  - id: b\n    level: a\n    check: { dependency: { name: x, version: latest } }\n  - id: c\n    level: a\n    check: { dependency: { name: x, lockfile: deps.lock } }\n  - id: d\n    level: a\n    check: { dependency: { name: x, ecosystem: npm, lockfile: go.mod } }\n  - id: e\n    level: a\n    check: { dependency: { version: '>=1' } }\n  - id: f\n    level: a\n    check: { dependency: { name: x, lockfile: ../Cargo.lock } }\n",
    )
    .unwrap_err();
    let has = |line: usize, needle: &str| {
        errors
            .iter()
            .any(|d| d.line == line && d.message.contains(needle))
    };
    assert!(has(6, "unknown ecosystem `maven`"), "{errors:#?}");
    assert!(has(9, "version range `latest`"), "{errors:#?}");
    assert!(has(12, "not a lockfile Portico reads"), "{errors:#?}");
    assert!(has(15, "not a lockfile of that `ecosystem`"), "{errors:#?}");
    assert!(has(18, "needs `name`"), "{errors:#?}");
    assert!(has(21, "leads outside the repository"), "{errors:#?}");
}

/// A repository's files are tallied once per check and folder: every
/// entity of a big catalog file asks the same root-relative rules, which
/// read up to 200 files each.
#[test]
fn a_files_check_reads_a_repository_once_for_all_its_entities() {
    let c = org();
    let mut files = FakeFiles::with(&[
        ("README.md", "# svc\nOwners: see CODEOWNERS\n"),
        ("docs/a.md", "Owners: a\n"),
    ]);
    files.tallies = Some(Default::default());
    let rule = check("{ files: { glob: \"/**/*.md\", matches: Owners } }");
    let mut verdicts = Vec::new();
    for _ in 0..3 {
        verdicts.push(run(
            &c,
            "svc",
            &rule,
            Some(&files),
            DocsFacts::default(),
            &ExternalFacts::default(),
        ));
    }
    assert_eq!(files.reads.borrow().len(), 2, "each file read once");
    assert!(verdicts.iter().all(|v| v.status == Status::Pass));
    assert_eq!(verdicts[0].evidence.value, verdicts[2].evidence.value);
}

/// A value is tested whole: only what the evidence shows of it is cut.
#[test]
fn field_tests_read_the_whole_value() {
    use super::check::ValueTest;
    use super::fields::test_value;
    let long = serde_json::Value::String(format!("{}END", "x".repeat(250)));
    let ends = ValueTest::Matches(regex::Regex::new("END$").unwrap());
    assert!(test_value(&ends, Some(&long), "description").0);
    let exact = ValueTest::Equals(format!("{}END", "x".repeat(250)));
    assert!(test_value(&exact, Some(&long), "description").0);
    let (_, said) = test_value(&exact, Some(&long), "description");
    assert!(said.contains('…') && said.len() < 600, "{said}");
}

/// Files past the first looked at count against `max`: 300 files are not
/// at most 250.
#[test]
fn files_past_those_looked_at_count_against_max() {
    let names: Vec<(String, String)> = (0..300)
        .map(|i| (format!("many/f{i:03}.txt"), "x".to_string()))
        .collect();
    let listed: Vec<(&str, &str)> = names
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let files = FakeFiles::with(&listed);
    let c = org();
    let judged = |max: usize| {
        run(
            &c,
            "svc",
            &check(&format!(
                "{{ files: {{ glob: \"many/*.txt\", max: {max} }} }}"
            )),
            Some(&files),
            DocsFacts::default(),
            &ExternalFacts::default(),
        )
    };
    let over = judged(250);
    assert_eq!(over.status, Status::Fail, "{:?}", over.evidence);
    assert!(
        over.evidence.summary.contains("100 more not looked at"),
        "{:?}",
        over.evidence
    );
    assert_eq!(judged(300).status, Status::Pass);
}

/// Only Components and Resources have `spec.dependsOn`: for any other
/// kind the rule is not applicable, not a pass.
#[test]
fn deprecated_dependencies_concern_components_and_resources_only() {
    let c = org();
    let rule = "{ relation: no-deprecated-dependencies }";
    for name in ["team-a", "pay", "svc-api"] {
        assert_eq!(status(&c, name, rule).0, Status::NotApplicable, "{name}");
    }
    assert_ne!(status(&c, "svc", rule).0, Status::NotApplicable);
}

/// A path with an empty folder name (`//`) is refused when read, as the
/// book says, not left to match nothing.
#[test]
fn paths_with_an_empty_folder_name_are_refused() {
    for glob in ["docs//x.md", "/docs//x.md"] {
        let text = format!(
            "name: g\nlevels: [a]\nrules:\n  - id: r\n    level: a\n    check: {{ files: {{ glob: \"{glob}\" }} }}\n"
        );
        let found: Vec<String> = parse(&text).map(|_| Vec::new()).unwrap_or_else(|d| {
            d.into_iter()
                .map(|d| format!("{} {}", d.line, d.message))
                .collect()
        });
        assert!(
            found
                .iter()
                .any(|m| m.starts_with("6 ") && m.contains("`//`")),
            "{glob}: {found:?}"
        );
    }
}
