//! Every catalog file in `../shared/corpus`: real upstream Backstage input.
//! The expected counts were checked against an independent reading of the
//! same files (a short Python script applying the relation table).

use crate::support::{corpus_dir, entities, find, portico};

fn corpus(path: &str) -> String {
    corpus_dir().join(path).to_string_lossy().into_owned()
}

/// Backstage's own examples: 60 entities a default Backstage accepts, and 7
/// it rejects (checked against Backstage's code by tests/conformance), kept
/// and marked invalid, or left out with --backstage-exact.
#[test]
fn backstage_examples_read_as_backstage_reads_them() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let all = corpus("backstage-examples/all.yaml");
    let acme = corpus("backstage-examples/acme-corp.yaml");
    let run = portico(
        &corpus_dir(),
        &[
            "build",
            "--location",
            &all,
            "--location",
            &acme,
            "--out",
            site.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let entities = entities(&site);
    assert_eq!(entities.len(), 67);
    let relations: usize = entities
        .iter()
        .map(|e| e["relations"].as_array().unwrap().len())
        .sum();
    assert_eq!(relations, 145);
    let mut invalid: Vec<(String, String)> = entities
        .iter()
        .filter_map(|e| {
            let why = e["metadata"]["annotations"]["portico.dev/invalid"].as_str()?;
            let code = why.split(':').next().unwrap().to_string();
            Some((e["metadata"]["name"].as_str().unwrap().to_string(), code))
        })
        .collect();
    invalid.sort();
    let pair = |n: &str, c: &str| (n.to_string(), c.to_string());
    assert_eq!(
        invalid,
        vec![
            pair("backstage-mcp-server", "missing-field"),
            pair("code-review-plugin", "unknown-kind"),
            pair("frontend-design", "unknown-kind"),
            pair("spotify", "remote-substitution"),
            pair("use-internal-apis", "unknown-kind"),
            pair("wayback-archive", "remote-substitution"),
            pair("wayback-search", "remote-substitution"),
        ]
    );

    let check = portico(
        &corpus_dir(),
        &[
            "check",
            "--location",
            &all,
            "--location",
            &acme,
            "--format",
            "json",
        ],
    );
    let codes: Vec<(String, String)> = check.codes().into_iter().map(|(s, c, _)| (s, c)).collect();
    let error = |c: &str| ("error".to_string(), c.to_string());
    let warning = |c: &str| ("warning".to_string(), c.to_string());
    assert_eq!(
        codes,
        vec![
            // AiResource: only Backstage's alpha model layers read it.
            error("unknown-kind"),
            error("unknown-kind"),
            error("unknown-kind"),
            // An mcp-server API without `definition`: Backstage's API check
            // wants one whatever the type.
            error("missing-field"),
            // `$text` URLs into another repository.
            error("remote-substitution"),
            error("remote-substitution"),
            error("remote-substitution"),
            // Upstream's playback-order says `owner: guest`, a User: Backstage
            // makes the same dangling `group:default/guest` relation.
            warning("unresolved-ref"),
        ]
    );

    // --backstage-exact: what Backstage's catalog holds.
    let exact = out.path().join("exact");
    let run = portico(
        &corpus_dir(),
        &[
            "build",
            "--backstage-exact",
            "--location",
            &all,
            "--location",
            &acme,
            "--out",
            exact.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let kept = crate::support::entities(&exact);
    assert_eq!(kept.len(), 60);
    assert!(
        kept.iter()
            .all(|e| e["metadata"]["annotations"]["portico.dev/invalid"].is_null())
    );
    // Backstage sorts providesApis (and six other lists) before reading them.
    assert_eq!(
        find(&kept, "component:default/petstore")["spec"]["providesApis"],
        serde_json::json!(["hello-world", "petstore", "streetlights"])
    );
    // The relation to a rejected API stays, dangling, as in Backstage; the
    // rejected API's own relations (and their inverses) are gone.
    let wayback = find(&kept, "component:default/wayback-archive");
    assert!(
        wayback["relations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["type"] == "providesApi" && r["targetRef"] == "api:default/wayback-archive")
    );
    let team_a = find(&kept, "group:default/team-a");
    assert!(
        !team_a["relations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["targetRef"] == "api:default/spotify")
    );

    // Namespaces: the second `guest` lives in `development`.
    find(&entities, "user:development/guest");
    // $text relative to the file that holds it.
    let webhook = find(&entities, "api:default/petstore-webhook");
    assert!(
        webhook["spec"]["definition"]
            .as_str()
            .unwrap()
            .contains("openapi: 3.1.0")
    );
    // Group from a multi-document file reached through two Locations.
    let team_a = find(&entities, "group:default/team-a");
    assert!(
        team_a["relations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["type"] == "hasMember" && r["targetRef"] == "user:default/breanna.davison")
    );
}

#[test]
fn the_invalid_example_gives_two_errors_with_lines() {
    let file = corpus("backstage-examples-extra/components/invalid-component.yaml");
    let run = portico(
        &corpus_dir(),
        &["check", "--location", &file, "--format", "json"],
    );
    assert_eq!(run.code, 1);
    let codes: Vec<(String, String)> = run.codes().into_iter().map(|(_, c, at)| (c, at)).collect();
    assert_eq!(
        codes,
        vec![
            (
                "invalid-name".to_string(),
                "invalid-component.yaml:4".to_string()
            ),
            (
                "invalid-tag".to_string(),
                "invalid-component.yaml:11".to_string()
            ),
        ]
    );
}

/// The scaffolder reads only `scaffolder.backstage.io/v1beta3` Templates:
/// the v1alpha1 and v1beta2 samples are rejected with Backstage's message.
#[test]
fn only_v1beta3_templates_are_valid() {
    let run = portico(
        &corpus_dir(),
        &[
            "check",
            "--location",
            &corpus("backstage-templates/docs-template/template.yaml"),
            "--location",
            &corpus("backstage-templates/pull-request/template.yaml"),
            "--location",
            &corpus("backstage-templates/conditional-parameters-demo/template.yaml"),
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    let errors: Vec<String> = run
        .diagnostics()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            format!(
                "{} {}:{}",
                d["code"].as_str().unwrap(),
                d["repo"].as_str().unwrap(),
                d["line"]
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            "unsupported-api-version docs-template:1",
            "unsupported-api-version pull-request:1"
        ]
    );
    assert!(
        run.stdout
            .contains("No processor recognized the entity template:default/docs-template as valid"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("No processor recognized the entity template:default/pull-request as valid"),
        "{}",
        run.stdout
    );
    // Their owner `backstage/techdocs-core` is a group in namespace `backstage`, not in the corpus.
    assert!(
        run.codes()
            .iter()
            .all(|(s, c, _)| s == "error" || c == "unresolved-ref"),
        "{:?}",
        run.codes()
    );
}

#[test]
fn techdocs_sets_read_as_backstage_reads_them() {
    let documented = portico(
        &corpus_dir(),
        &[
            "check",
            &corpus("techdocs-backstage-documented-component"),
            "--format",
            "json",
        ],
    );
    assert_eq!(documented.code, 0);
    let catalog_codes: Vec<_> = documented
        .codes()
        .into_iter()
        .filter(|(_, _, at)| at.starts_with("catalog-info.yaml"))
        .collect();
    assert_eq!(
        catalog_codes.len(),
        1,
        "only the owner user:guest is unknown: {catalog_codes:?}"
    );

    let systems = portico(
        &corpus_dir(),
        &[
            "check",
            "--location",
            &corpus("techdocs-systems-techdocs/tap-catalog-info.yaml"),
            "--location",
            &corpus("techdocs-systems-techdocs/tdp-catalog-info.yaml"),
            "--format",
            "json",
        ],
    );
    // Their Locations are `type: dir`, which no Backstage processor reads:
    // Backstage rejects them ("No processor was able to handle reading of dir:…").
    assert_eq!(systems.code, 1);
    let codes: Vec<(String, String)> = systems
        .codes()
        .into_iter()
        .map(|(s, c, _)| (s, c))
        .collect();
    let error = ("error".to_string(), "unsupported-location-type".to_string());
    assert_eq!(codes, vec![error.clone(), error]);
    assert!(
        systems
            .stdout
            .contains("No processor was able to handle reading of dir:tanzu-developer-portal-system/mkdocs.yaml"),
        "{}",
        systems.stdout
    );
}

#[test]
fn every_yaml_file_in_the_corpus_is_read_without_a_panic() {
    // Every YAML file as an explicit Location: OpenAPI files, mkdocs.yaml and
    // template skeletons too. They must give diagnostics, never a crash.
    let mut files = Vec::new();
    collect_yaml(&corpus_dir(), &mut files);
    assert!(files.len() > 50, "{} files", files.len());
    let mut args = vec!["check".to_string(), "--format".into(), "json".into()];
    for f in &files {
        args.push("--location".into());
        args.push(f.to_string_lossy().into_owned());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = portico(&corpus_dir(), &args);
    assert_eq!(run.code, 1, "non-entity files are errors: {}", run.stderr);
    let diagnostics = run.diagnostics();
    assert!(
        diagnostics
            .iter()
            .filter(|d| d["file"].as_str().unwrap().ends_with(".yaml")
                || d["file"].as_str().unwrap().ends_with(".yml"))
            .all(|d| d["line"].as_u64().unwrap() > 0),
        "every diagnostic about a YAML file has a line"
    );
    // The cookiecutter skeleton is not YAML as written: a clean syntax error.
    assert!(diagnostics.iter().any(|d| {
        d["code"] == "yaml-syntax"
            && d["path"]
                .as_str()
                .unwrap()
                .ends_with("docs-template/skeleton/catalog-info.yaml")
    }));
}

fn collect_yaml(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_yaml(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}
