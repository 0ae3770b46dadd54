//! `catalog.json` is written straight from the entities; it must be
//! exactly what serialising Backstage's `/entities` shape as a JSON value
//! gives, on real catalogs.

use crate::support::{corpus_dir, crate_dir};
use std::path::{Path, PathBuf};

/// Compares the two on the catalog under `root`; returns its entity count.
fn assert_same_json(root: &Path, locations: Vec<PathBuf>) -> usize {
    let settings = portico::config::CliSettings {
        config: None,
        roots: vec![root.to_path_buf()],
        locations,
        catalog_paths: vec![],
        max_depth: None,
        git_ref: None,
        backstage_exact: false,
    };
    let config = portico::config::load(&settings).expect("a configuration");
    let outcome = portico::pipeline::load(&config).expect("a catalog");
    let catalog = &outcome.portal.catalog;
    let expected = serde_json::to_vec_pretty(&catalog.to_json()).unwrap();
    assert!(
        catalog.to_json_pretty() == expected,
        "{}: catalog.json differs from the /entities JSON value",
        root.display()
    );
    catalog.entities.len()
}

#[test]
fn catalog_json_is_the_entities_json_on_example_org_and_the_corpus() {
    assert!(assert_same_json(&crate_dir().join("example-org"), vec![]) > 40);
    // Every YAML file of the corpus as a Location, as `corpus.rs` reads it.
    let mut files = Vec::new();
    yaml_files(&corpus_dir(), &mut files);
    let corpus_entities = assert_same_json(&corpus_dir(), files);
    assert!(corpus_entities > 50, "{corpus_entities} corpus entities");
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

/// A relation is stored once however its target's case was written, and
/// its `targetRef` is all in lower case, as Backstage writes it.
#[test]
fn relations_are_stored_once_in_lower_case() {
    let org = crate::support::Org::new();
    org.file(
        "grp/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: Team-A\nspec:\n  type: team\n  children: [sub-team, Sub-Team]\n  members: [JDoe]\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: sub-team\nspec:\n  type: team\n  parent: TEAM-A\n  children: []\n---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: jdoe\nspec:\n  memberOf: [team-a, group:default/TEAM-A]\n",
    );
    let run = org.run(&["build", ".", "--out", "site"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let entities = crate::support::entities(&org.path().join("site"));
    let relations = |name: &str| -> Vec<String> {
        let mut found = crate::support::relations(crate::support::find(&entities, name));
        found.sort();
        found
    };
    assert_eq!(
        relations("user:default/jdoe"),
        ["memberOf group:default/team-a"]
    );
    assert_eq!(
        relations("group:default/Team-A"),
        [
            "hasMember user:default/jdoe",
            "parentOf group:default/sub-team"
        ]
    );
    assert_eq!(
        relations("group:default/sub-team"),
        ["childOf group:default/team-a"]
    );
}
