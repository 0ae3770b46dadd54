//! Dependency rules on lockfiles and monorepo paths, end to end: an
//! organisation whose repositories hold each kind of lockfile (one broken),
//! judged now and at past commits; and a monorepo whose two Components, in
//! sub-folders, are judged by their own files.

use crate::support::{Org, Run, commit_on, git_at};
use std::path::Path;

/// 2026-01-10: the build's day.
const TODAY: &str = "1768003200";

fn portico(dir: &Path, args: &[&str]) -> Run {
    crate::support::portico_with_env(dir, args, &[("SOURCE_DATE_EPOCH", TODAY)])
}

fn component(name: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n"
    )
}

fn cargo_lock(serde: &str) -> String {
    format!(
        "version = 4\n\n[[package]]\nname = \"rust-svc\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"serde\"\nversion = \"{serde}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
    )
}

const DEPS: &str = "\
name: deps
filter: { kind: [Component] }
levels: [ok]
rules:
  - id: serde-recent
    level: ok
    hint: Run `cargo update -p serde`.
    check: { dependency: { name: serde, ecosystem: cargo, version: \">=1.0.200\" } }
  - id: no-left-pad
    level: ok
    check: { dependency: { name: left-pad, present: false } }
  - id: django-4
    level: ok
    check: { dependency: { name: django, ecosystem: pypi, version: \"^4.2\" } }
  - id: x-net
    level: ok
    check: { dependency: { name: golang.org/x/net, ecosystem: go } }
";

/// `(status, file:line)` of `rule` for `entity` in a `scorecards.json`.
fn result(json: &serde_json::Value, entity: &str, rule: &str) -> (String, String) {
    let entity = json["scorecards"][0]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity"] == format!("component:default/{entity}"))
        .unwrap_or_else(|| panic!("{entity} not scored"));
    let r = entity["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == rule)
        .unwrap();
    let place = match (
        r["evidence"]["file"].as_str(),
        r["evidence"]["line"].as_u64(),
    ) {
        (Some(f), Some(l)) => format!("{f}:{l}"),
        (Some(f), None) => f.to_string(),
        _ => String::new(),
    };
    (r["status"].as_str().unwrap().to_string(), place)
}

fn pair(status: &str, place: &str) -> (String, String) {
    (status.to_string(), place.to_string())
}

#[test]
fn dependency_rules_read_every_lockfile_kind_now_and_at_past_commits() {
    let org = Org::new();
    let root = org.path();
    commit_on(
        &root.join("repos/rust-svc"),
        "2025-12-20",
        &[
            ("catalog-info.yaml", &component("rust-svc")),
            ("Cargo.lock", &cargo_lock("1.0.100")),
        ],
    );
    commit_on(
        &root.join("repos/rust-svc"),
        "2026-01-06",
        &[("Cargo.lock", &cargo_lock("1.0.219"))],
    );
    commit_on(
        &root.join("repos/web"),
        "2026-01-02",
        &[
            ("catalog-info.yaml", &component("web")),
            (
                "package-lock.json",
                "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": { \"name\": \"web\" },\n    \"node_modules/left-pad\": {\n      \"version\": \"1.3.0\"\n    }\n  }\n}\n",
            ),
        ],
    );
    commit_on(
        &root.join("repos/py"),
        "2026-01-02",
        &[
            ("catalog-info.yaml", &component("py")),
            (
                "requirements.txt",
                "# pinned\nDjango==4.2.14\nrequests>=2\n",
            ),
        ],
    );
    commit_on(
        &root.join("repos/go-svc"),
        "2026-01-02",
        &[
            ("catalog-info.yaml", &component("go-svc")),
            (
                "go.mod",
                "module example.com/go-svc\n\nrequire (\n\tgolang.org/x/net\n)\n",
            ),
        ],
    );
    org.file("repos/scorecards/deps.yaml", DEPS);
    let out = root.join("site");
    let run = portico(
        root,
        &[
            "build",
            "repos",
            "--history",
            "3w",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(run.code <= 1, "{}", run.stderr);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("scorecards.json")).unwrap())
            .unwrap();

    assert_eq!(
        result(&json, "rust-svc", "serde-recent"),
        pair("pass", "Cargo.lock:8")
    );
    // No Python or Go lockfile in rust-svc: those rules do not apply...
    assert_eq!(result(&json, "rust-svc", "x-net").0, "not-applicable");
    assert_eq!(result(&json, "rust-svc", "django-4").0, "not-applicable");
    // ...but a rule for any ecosystem reads its Cargo.lock: no left-pad.
    assert_eq!(result(&json, "rust-svc", "no-left-pad").0, "pass");
    assert_eq!(
        result(&json, "web", "no-left-pad"),
        pair("fail", "package-lock.json:5")
    );
    assert_eq!(
        result(&json, "py", "django-4"),
        pair("pass", "requirements.txt:2")
    );
    assert_eq!(result(&json, "go-svc", "x-net"), pair("fail", "go.mod:4"));

    // History reads the lockfile of each week's commit: serde was too old
    // until 2026-01-06.
    let rust = json["scorecards"][0]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity"] == "component:default/rust-svc")
        .unwrap();
    let history: Vec<(&str, &str)> = rust["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["date"].as_str().unwrap(),
                p["level"].as_str().unwrap_or("none"),
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            ("2025-12-27", "none"),
            ("2026-01-03", "none"),
            ("2026-01-10", "ok")
        ]
    );

    // The broken go.mod is a warning at its line, once, for `check` too.
    let check = portico(root, &["check", "repos", "--format", "json"]);
    let warnings: Vec<(String, String, String)> = check
        .codes()
        .into_iter()
        .filter(|(_, code, _)| code == "lockfile-invalid")
        .collect();
    assert_eq!(
        warnings,
        [(
            "warning".to_string(),
            "lockfile-invalid".to_string(),
            "go.mod:4".to_string()
        )],
        "{}",
        check.stdout
    );
    let d = check
        .diagnostics()
        .into_iter()
        .find(|d| d["code"] == "lockfile-invalid")
        .unwrap();
    assert_eq!(d["repo"], "go-svc");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("module path and a version"),
        "{d}"
    );

    // The entity page shows the failing rule with its evidence and hint.
    let page =
        std::fs::read_to_string(out.join("catalog/default/component/web/index.html")).unwrap();
    assert!(page.contains("left-pad"), "the evidence on the entity card");
}

const MONO_CARD: &str = "\
name: mono
filter: { kind: [Component] }
levels: [one, two]
rules:
  - id: readme
    level: one
    check: { files: { glob: README.md } }
  - id: license
    level: one
    check: { files: { glob: /LICENSE } }
  - id: react
    level: two
    check: { dependency: { name: react, ecosystem: npm, version: \">=18\" } }
";

fn package_lock(react: &str) -> String {
    format!(
        "{{\n  \"lockfileVersion\": 3,\n  \"packages\": {{\n    \"node_modules/react\": {{\n      \"version\": \"{react}\"\n    }}\n  }}\n}}\n"
    )
}

#[test]
fn a_monorepos_components_are_judged_by_their_own_folders() {
    let org = Org::new();
    let mono = org.path().join("repos/mono");
    let api = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: api\n  annotations:\n    backstage.io/source-location: url:https://github.com/acme/mono/tree/main/services/api/\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n";
    commit_on(
        &mono,
        "2026-01-02",
        &[
            ("LICENSE", "MIT\n"),
            ("catalog-info.yaml", api),
            ("package-lock.json", &package_lock("17.0.2")),
            ("services/api/README.md", "# api\n"),
            ("packages/picker/catalog-info.yaml", &component("picker")),
            ("packages/picker/README.md", "# picker\n"),
            ("packages/picker/package-lock.json", &package_lock("18.2.0")),
            ("packages/scanner/catalog-info.yaml", &component("scanner")),
            ("packages/scanner/Cargo.lock", &cargo_lock("1.0.219")),
        ],
    );
    git_at(
        &mono,
        "2026-01-02T12:00:00+00:00",
        &[
            "remote",
            "add",
            "origin",
            "https://github.com/acme/mono.git",
        ],
    );
    org.file("config/cards/mono.yaml", MONO_CARD).file(
        "config/portico.toml",
        "roots = [\"../repos\"]\n[catalog]\npaths = [\"catalog-info.yaml\", \"packages/*/catalog-info.yaml\"]\n[scorecards]\npaths = [\"cards/*.yaml\"]\n",
    );
    let out = org.path().join("site");
    let run = portico(
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
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("scorecards.json")).unwrap())
            .unwrap();
    let row = |entity: &str| ["readme", "license", "react"].map(|rule| result(&json, entity, rule));
    // Each Component's own README and lockfile; the root's LICENSE for all.
    assert_eq!(
        row("picker"),
        [
            pair("pass", "packages/picker/README.md"),
            pair("pass", "LICENSE"),
            pair("pass", "packages/picker/package-lock.json:4"),
        ]
    );
    assert_eq!(
        row("scanner"),
        [
            pair("fail", ""),
            pair("pass", "LICENSE"),
            // Its folder has a Cargo.lock only; the root's npm lockfile is
            // the nearest npm one.
            pair("fail", "package-lock.json:4"),
        ]
    );
    // `api` is defined at the root; its source-location names its folder.
    assert_eq!(
        row("api"),
        [
            pair("pass", "services/api/README.md"),
            pair("pass", "LICENSE"),
            pair("fail", "package-lock.json:4"),
        ]
    );
}
