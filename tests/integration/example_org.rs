//! `example-org/`, the organisation the README builds.

use crate::support::{crate_dir, entities, find, portico};

/// The catalog mistakes example-org/README.md documents, and nothing else.
const EXPECTED: &[(&str, &str, &str)] = &[
    ("error", "invalid-name", "catalog-info.yaml:28"),
    ("error", "invalid-ref", "catalog-info.yaml:49"),
    ("warning", "unresolved-ref", "catalog-info.yaml:59"),
    ("error", "invalid-tag", "catalog-info.yaml:71"),
    ("warning", "broken-link", "docs/index.md:10"),
];

fn expected() -> Vec<(String, String, String)> {
    EXPECTED
        .iter()
        .map(|(s, c, f)| (s.to_string(), c.to_string(), f.to_string()))
        .collect()
}

#[test]
fn check_reports_exactly_the_documented_mistakes() {
    let run = portico(&crate_dir(), &["check", "example-org", "--format", "json"]);
    assert_eq!(run.code, 1, "errors found → exit 1\n{}", run.stderr);
    assert_eq!(run.codes(), expected());
    for d in run.diagnostics() {
        assert_eq!(d["repo"], "legacy-billing");
        assert_eq!(
            d["path"],
            format!("example-org/legacy-billing/{}", d["file"].as_str().unwrap())
        );
        assert!(
            d["hint"].is_string(),
            "every catalog diagnostic says how to fix it: {d}"
        );
    }
}

#[test]
fn human_diagnostics_quote_the_source() {
    let run = portico(&crate_dir(), &["check", "example-org"]);
    // Human diagnostics go to standard error, as `build`'s do.
    assert_eq!(run.stdout, "");
    insta::assert_snapshot!("example_org_check_human", run.stderr);
}

#[test]
fn github_format_gives_workflow_commands() {
    let run = portico(
        &crate_dir(),
        &["check", "example-org", "--format", "github"],
    );
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{}", run.stdout);
    assert!(lines[0].starts_with("::error file=example-org/legacy-billing/catalog-info.yaml,line=28,col=9,title=invalid-name::"), "{}", lines[0]);
    assert!(lines[2].starts_with("::warning file="), "{}", lines[2]);
}

#[test]
fn build_writes_catalog_json_and_a_page_per_entity() {
    let (site, stderr) = crate::support::example_site();
    assert!(stderr.contains("Built 48 entities"), "{stderr}");
    let all = entities(site);
    assert_eq!(all.len(), 48);

    let tracker = find(&all, "component:default/shipment-tracker");
    let relations = crate::support::relations(tracker);
    for expected in [
        "ownedBy group:default/shipping-team",
        "partOf system:default/shipping",
        "providesApi api:default/shipment-tracking-api",
        "consumesApi api:default/route-planning-grpc",
    ] {
        assert!(
            relations.contains(&expected.to_string()),
            "{expected} missing from {relations:?}"
        );
    }
    // Inverses land on the targets.
    let team = find(&all, "group:default/shipping-team");
    assert!(
        team["relations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["type"] == "ownerOf"
                && r["targetRef"] == "component:default/shipment-tracker")
    );

    // $text definitions are inlined, and the annotations Backstage adds are there.
    let api = find(&all, "api:default/shipment-tracking-api");
    assert!(
        api["spec"]["definition"]
            .as_str()
            .unwrap()
            .starts_with("openapi: 3.0")
    );
    let annotations = &tracker["metadata"]["annotations"];
    let location = annotations["backstage.io/managed-by-location"]
        .as_str()
        .unwrap();
    assert!(
        location.starts_with("file:/")
            && location.ends_with("example-org/shipment-tracker/catalog-info.yaml"),
        "{location}"
    );
    // As Backstage's AnnotateLocationEntityProcessor: source, view and edit
    // URLs only for `url:` locations.
    for key in ["source-location", "view-url", "edit-url"] {
        assert!(
            annotations.get(format!("backstage.io/{key}")).is_none(),
            "{key}: {annotations}"
        );
    }

    // Entities reached through the Location tree record where the tree starts.
    let shipping = find(&all, "system:default/shipping");
    let origin = shipping["metadata"]["annotations"]["backstage.io/managed-by-origin-location"]
        .as_str()
        .unwrap();
    assert!(
        origin.ends_with("org-directory/catalog-info.yaml"),
        "{origin}"
    );

    // Sorted by kind, namespace and name, as Backstage users diff it.
    let refs: Vec<String> = all
        .iter()
        .map(crate::support::entity_ref)
        .map(|r| r.to_lowercase())
        .collect();
    let mut sorted = refs.clone();
    sorted.sort();
    assert_eq!(refs, sorted);

    for e in &all {
        let page = site.join(format!(
            "catalog/{}/{}/{}/index.html",
            e["metadata"]["namespace"].as_str().unwrap(),
            e["kind"].as_str().unwrap().to_lowercase(),
            e["metadata"]["name"].as_str().unwrap()
        ));
        assert!(page.is_file(), "{} missing", page.display());
    }
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(index.contains("href=\"catalog/default/component/shipment-tracker/index.html\""));
    let page =
        std::fs::read_to_string(site.join("catalog/default/component/shipment-tracker/index.html"))
            .unwrap();
    assert!(
        page.contains("href=\"../../../../catalog/default/group/shipping-team/index.html\""),
        "owner linked relatively"
    );
}

#[test]
fn globs_find_monorepo_packages_but_never_template_skeletons() {
    let run = portico(
        &crate_dir(),
        &[
            "check",
            "example-org",
            "--catalog-path",
            "**/catalog-info.yaml",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        run.codes(),
        expected(),
        "the skeleton's ${{{{ }}}} placeholders are not read"
    );
    let human = portico(
        &crate_dir(),
        &[
            "check",
            "example-org",
            "--catalog-path",
            "**/catalog-info.yaml",
        ],
    );
    assert!(
        human.stderr.contains("Checked 50 entities"),
        "{}",
        human.stderr
    );
}

#[test]
fn strict_turns_warnings_into_failure() {
    let run = portico(&crate_dir(), &["check", "example-org/org-directory"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A repository alone refers to entities defined elsewhere: warnings only.
    let run = portico(&crate_dir(), &["check", "example-org/shipment-tracker"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning[unresolved-ref]"));
    let strict = portico(
        &crate_dir(),
        &["check", "--strict", "example-org/shipment-tracker"],
    );
    assert_eq!(strict.code, 1);
}

#[test]
fn the_catalog_downloads_as_csv_too() {
    let (site, _) = crate::support::example_site();
    let csv = std::fs::read_to_string(site.join("catalog.csv")).unwrap();
    let mut lines = csv.split("\r\n").filter(|l| !l.is_empty());
    assert_eq!(
        lines.next(),
        Some("ref,kind,namespace,name,title,type,lifecycle,owner,system,tags,description,source")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 48, "one row per entity");
    let tracker = rows
        .iter()
        .find(|r| r.starts_with("component:default/shipment-tracker,"))
        .unwrap();
    assert!(
        tracker.contains(",group:default/shipping-team,system:default/shipping,"),
        "{tracker}"
    );
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(index.contains("href=\"catalog.csv\""));
}

/// The two identifiable mistakes Backstage rejects are kept and marked
/// (`Legacy Billing` is not identifiable: left out either way); with
/// --backstage-exact they are gone with their relations, as in Backstage.
/// Spec lists are in Backstage's sorted order.
#[test]
fn invalid_entities_are_marked_and_dropped_when_exact() {
    let (site, _) = crate::support::example_site();
    let all = entities(site);
    let invalid: Vec<(String, String)> = all
        .iter()
        .filter_map(|e| {
            let why = e["metadata"]["annotations"]["portico.dev/invalid"].as_str()?;
            Some((
                e["metadata"]["name"].as_str().unwrap().to_string(),
                why.split(':').next().unwrap().to_string(),
            ))
        })
        .collect();
    let pair = |n: &str, c: &str| (n.to_string(), c.to_string());
    assert_eq!(
        invalid,
        vec![
            pair("invoice-mailer", "invalid-ref"),
            pair("invoice-renderer", "invalid-tag")
        ]
    );
    let tracker = find(&all, "component:default/shipment-tracker");
    assert_eq!(
        tracker["spec"]["dependsOn"],
        serde_json::json!([
            "component:go-logging-lib",
            "resource:events-bus",
            "resource:shipments-db"
        ])
    );

    let out = tempfile::tempdir().unwrap();
    let exact = out.path().join("site");
    let run = portico(
        &crate_dir(),
        &[
            "build",
            "example-org",
            "--backstage-exact",
            "--out",
            exact.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let kept = entities(&exact);
    assert_eq!(kept.len(), 46);
    let payments = find(&kept, "system:default/payments");
    assert!(
        !payments["relations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["targetRef"] == "component:default/invoice-mailer")
    );
    // The same diagnostics either way: `check` says what Backstage will do.
    let plain = portico(&crate_dir(), &["check", "example-org", "--format", "json"]);
    let strict = portico(
        &crate_dir(),
        &[
            "check",
            "example-org",
            "--backstage-exact",
            "--format",
            "json",
        ],
    );
    assert_eq!(plain.codes(), strict.codes());
}
