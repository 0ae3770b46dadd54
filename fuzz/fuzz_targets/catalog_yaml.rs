//! A catalog file, as a repository holds it: the input is written as the
//! `catalog-info.yaml` of a plain-folder repository and read the way the
//! pipeline reads every repository: `catalog::load::entry_points`, then
//! `catalog::load::load` (YAML stream, `$text`/`$json`/`$yaml`
//! substitution, per-document validation, Location targets and globs
//! followed inside the repository, Template skeletons), then
//! `catalog::assemble` (duplicates, annotations, relations); the
//! diagnostics are rendered as the command prints them.
//!
//! Why the whole `load` and not `validate` alone: substitution needs a
//! `read::Snapshot`, and Location targets (paths, globs, `..`) and skeleton
//! folders are hostile input too. Writing one small file per run costs a few
//! microseconds; the repository's other files are made once.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portico::catalog::{self, load};
use portico::diagnostics;
use portico::read::{RepoKind, RepoSource, Snapshot};
use std::collections::HashSet;
use std::sync::LazyLock;

/// Files the input can substitute (`$text: notes.txt`) or point Locations
/// at (`target: ./other/*.yaml`), including ones that are themselves hostile.
const FILES: &[(&str, &[u8])] = &[
    ("notes.txt", b"Plain text for $text.\n"),
    (
        "api/openapi.json",
        br#"{"openapi": "3.0.0", "info": {"title": "x", "version": "1"}, "paths": {}}"#,
    ),
    (
        "api/spec.yaml",
        b"openapi: 3.0.0\ninfo: {title: x, version: '1'}\nlist: [1, 2.5, true, ~]\n",
    ),
    ("api/not-json.json", b"{\"unterminated\": [1, 2"),
    ("binary.dat", b"\xff\xfe\x00invalid utf-8\x80"),
    (
        "other/catalog-info.yaml",
        b"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: other\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  dependsOn: [resource:db]\n---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: back\nspec:\n  targets: [../catalog-info.yaml, ./missing.yaml]\n",
    ),
    (
        "other/group.yaml",
        b"apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n",
    ),
    (
        "templates/template.yaml",
        b"apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: t\nspec:\n  owner: team-a\n  type: service\n  steps:\n    - id: fetch\n      action: fetch:template\n      input:\n        url: ./skeleton\n",
    ),
    (
        "templates/skeleton/catalog-info.yaml",
        b"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${{ values.name }}\n",
    ),
];

/// The repository, made once per process; the input replaces its
/// `catalog-info.yaml` on every run.
static REPO: LazyLock<(tempfile::TempDir, RepoSource)> = LazyLock::new(|| {
    let dir = tempfile::Builder::new()
        .prefix("portico-fuzz-catalog")
        .tempdir()
        .expect("a temporary folder");
    for (path, bytes) in FILES {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("a parent folder")).expect("a folder");
        std::fs::write(full, bytes).expect("a fixture file");
    }
    let source = RepoSource {
        name: "fuzz".into(),
        root: dir.path().to_path_buf(),
        display: "fuzz".into(),
        kind: RepoKind::Plain,
    };
    (dir, source)
});

fuzz_target!(|data: &[u8]| {
    let (dir, source) = &*REPO;
    std::fs::write(dir.path().join("catalog-info.yaml"), data).expect("the input is written");
    let snapshot = Snapshot::open(source, None).expect("the fixture repository opens");
    let entries = load::entry_points(&snapshot, &["catalog-info.yaml".to_string()], &[]);
    let loaded = load::load(&snapshot, entries, &HashSet::new());
    let mut diagnostics = loaded.diagnostics;
    let catalog = catalog::assemble(loaded.entities, &mut diagnostics);
    let _ = catalog.to_json();
    // Diagnostics quote the input's lines, with a caret under a column.
    for d in &diagnostics {
        let _ = diagnostics::render_human(d);
        let _ = diagnostics::render_github(d);
    }
});
