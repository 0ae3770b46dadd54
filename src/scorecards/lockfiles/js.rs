//! npm's lockfiles: `package-lock.json` (and `npm-shrinkwrap.json`, the
//! same format), `yarn.lock` (Yarn 1 and Yarn 2+), `pnpm-lock.yaml`.

use super::{Malformed, Package};
use crate::yaml::{self, Value};
use serde_json::Value as Json;
use std::collections::HashMap;

/// `lockfileVersion` 2 and 3 list `packages` by install path
/// (`node_modules/a/node_modules/@s/b`); version 1 nests `dependencies`.
/// An aliased install (`"name": "real"` in v2+, `"version": "npm:real@1.0.0"`
/// in v1) counts as the real package.
pub fn package_lock(text: &str) -> Result<Vec<Package>, Malformed> {
    let root: Json =
        serde_json::from_str(text).map_err(|e| Malformed::at(e.line().max(1), json_message(&e)))?;
    let Json::Object(root) = root else {
        return Err(Malformed::at(1, "a package-lock.json is a JSON object"));
    };
    let keys = key_lines(text);
    let mut out = Vec::new();
    if let Some(Json::Object(packages)) = root.get("packages") {
        for (path, entry) in packages {
            let Some(at) = path.rfind("node_modules/") else {
                // The root project and workspace folders are not packages.
                continue;
            };
            if entry.get("link").and_then(Json::as_bool) == Some(true) {
                continue;
            }
            let installed = &path[at + "node_modules/".len()..];
            let name = entry
                .get("name")
                .and_then(Json::as_str)
                .unwrap_or(installed);
            out.push(Package {
                name: name.to_string(),
                version: entry
                    .get("version")
                    .and_then(Json::as_str)
                    .map(str::to_string),
                line: keys.get(path.as_str()).copied(),
            });
        }
    } else if let Some(Json::Object(deps)) = root.get("dependencies") {
        nested_v1(deps, &keys, &mut out);
    }
    Ok(out)
}

/// Version 1's `dependencies`, each maybe with its own `dependencies`
/// (JSON nesting is bounded by serde_json's recursion limit).
fn nested_v1(
    deps: &serde_json::Map<String, Json>,
    keys: &HashMap<&str, usize>,
    out: &mut Vec<Package>,
) {
    for (name, entry) in deps {
        let version = entry.get("version").and_then(Json::as_str);
        let (name, version) = match version.and_then(|v| v.strip_prefix("npm:")) {
            Some(alias) => match split_at_version(alias) {
                Some((real, v)) => (real, Some(v)),
                None => (alias, None),
            },
            None => (name.as_str(), version),
        };
        out.push(Package {
            name: name.to_string(),
            version: version.map(str::to_string),
            line: keys.get(name).copied(),
        });
        if let Some(Json::Object(inner)) = entry.get("dependencies") {
            nested_v1(inner, keys, out);
        }
    }
}

fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// The first line each JSON key opens (npm writes one key per line).
fn key_lines(text: &str) -> HashMap<&str, usize> {
    let mut keys = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start();
        if let Some(rest) = line.strip_prefix('"')
            && let Some(end) = rest.find('"')
            && rest[end + 1..].trim_start().starts_with(':')
        {
            keys.entry(&rest[..end]).or_insert(i + 1);
        }
    }
    keys
}

/// `name@1.2.3` or `@scope/name@1.2.3` → (name, version).
fn split_at_version(spec: &str) -> Option<(&str, &str)> {
    let at = spec.get(1..)?.find('@')? + 1;
    Some((&spec[..at], &spec[at + 1..]))
}

/// `name` or `@scope/name`.
fn is_name(name: &str) -> bool {
    let slashes = name.matches('/').count();
    !name.is_empty() && slashes == usize::from(name.starts_with('@'))
}

/// Yarn 1: `"a@^1.0.0", a@~1.1.0:` then an indented `version "1.1.2"`.
/// Yarn 2+ (YAML): `"a@npm:^1.0.0":` then `version: 1.1.2`; its
/// `__metadata` block is not a package.
pub fn yarn_lock(text: &str) -> Result<Vec<Package>, Malformed> {
    let mut out = Vec::new();
    let mut current: Option<(String, usize)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end();
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            let Some(header) = line.strip_suffix(':') else {
                return Err(Malformed::at(
                    line_no,
                    format!("`{line}`: an entry starts with its specifiers and a `:`"),
                ));
            };
            let first = header.split(", ").next().unwrap_or(header);
            let first = first.trim().trim_matches('"');
            current = match split_at_version(first) {
                Some((name, _)) if first != "__metadata" => Some((name.to_string(), line_no)),
                _ => None,
            };
            continue;
        }
        let field = line.trim_start();
        let version = field
            .strip_prefix("version ")
            .or_else(|| field.strip_prefix("version:"));
        if let (Some(version), Some(indent)) = (version, Some(line.len() - field.len()))
            && indent == 2
            && let Some((name, at)) = current.take()
        {
            out.push(Package {
                name,
                version: Some(version.trim().trim_matches('"').to_string()),
                line: Some(at),
            });
        }
    }
    Ok(out)
}

/// `packages:` keys: `/name/1.2.3` (lockfile 5), `/name@1.2.3` (6),
/// `name@1.2.3` (9), scoped names alike; peer suffixes (`_react@18.2.0`,
/// `(react@18.2.0)`) dropped.
pub fn pnpm_lock(text: &str) -> Result<Vec<Package>, Malformed> {
    let root = yaml::parse_single(text, yaml::Budget::default())
        .map_err(|e| Malformed::at(e.pos.line.max(1), e.message))?;
    let Some(root) = root else {
        return Ok(Vec::new());
    };
    let Value::Map(entries) = &root.value else {
        return Err(Malformed::at(
            root.pos.line.max(1),
            "a pnpm-lock.yaml is a mapping",
        ));
    };
    let Some((_, packages)) = entries.iter().find(|(k, _)| k.name == "packages") else {
        return Ok(Vec::new());
    };
    let Value::Map(packages) = &packages.value else {
        if packages.value == Value::Null {
            return Ok(Vec::new());
        }
        return Err(Malformed::at(
            packages.pos.line.max(1),
            "`packages` is a mapping",
        ));
    };
    let mut out = Vec::new();
    for (key, _) in packages {
        let spec = key.name.strip_prefix('/').unwrap_or(&key.name);
        let spec = spec.split('(').next().unwrap_or(spec);
        let (name, version) = match split_at_version(spec).filter(|(n, _)| is_name(n)) {
            Some(found) => found,
            // Lockfile 5: `name/1.2.3`, `@scope/name/1.2.3_peer@1.0.0`.
            None => match spec.rsplit_once('/') {
                Some((name, version)) if !name.is_empty() => {
                    (name, version.split('_').next().unwrap_or(version))
                }
                _ => {
                    return Err(Malformed::at(
                        key.pos.line.max(1),
                        format!("`{}` is not a package key (`name@version`)", key.name),
                    ));
                }
            },
        };
        out.push(Package {
            name: name.to_string(),
            version: Some(version.to_string()),
            line: Some(key.pos.line.max(1)),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(packages: Vec<Package>) -> Vec<(String, String, Option<usize>)> {
        packages
            .into_iter()
            .map(|p| (p.name, p.version.unwrap_or_default(), p.line))
            .collect()
    }

    fn expect(rows: &[(&str, &str, usize)]) -> Vec<(String, String, Option<usize>)> {
        rows.iter()
            .map(|(n, v, l)| (n.to_string(), v.to_string(), Some(*l)))
            .collect()
    }

    const PACKAGE_LOCK_V3: &str = r#"{
  "name": "checkout-web",
  "version": "1.4.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "checkout-web",
      "version": "1.4.0",
      "dependencies": {
        "react": "^18.2.0"
      }
    },
    "node_modules/@babel/runtime": {
      "version": "7.24.7",
      "resolved": "https://registry.npmjs.org/@babel/runtime/-/runtime-7.24.7.tgz",
      "integrity": "sha512-UwgBRMjJP+xv857DCngvqXI3Iq6J4v0wXmwc6sapg+zyhbwmQX67LUEFrkK5tbyJ30jGuG3ZvWpBiB9LCy1kWw=="
    },
    "node_modules/react": {
      "version": "18.2.0"
    },
    "node_modules/react/node_modules/loose-envify": {
      "version": "1.4.0"
    },
    "node_modules/string-width-cjs": {
      "name": "string-width",
      "version": "4.2.3"
    },
    "packages/ui": {
      "version": "0.1.0"
    },
    "node_modules/ui": {
      "resolved": "packages/ui",
      "link": true
    }
  }
}
"#;

    const PACKAGE_LOCK_V1: &str = r#"{
  "name": "legacy",
  "lockfileVersion": 1,
  "dependencies": {
    "lodash": {
      "version": "4.17.15"
    },
    "express": {
      "version": "4.17.1",
      "dependencies": {
        "debug": {
          "version": "2.6.9"
        }
      }
    },
    "old-name": {
      "version": "npm:left-pad@1.3.0"
    }
  }
}
"#;

    #[test]
    fn package_lock_v3_by_install_path() {
        assert_eq!(
            listed(package_lock(PACKAGE_LOCK_V3).unwrap()),
            expect(&[
                ("@babel/runtime", "7.24.7", 14),
                ("react", "18.2.0", 19),
                ("loose-envify", "1.4.0", 22),
                ("string-width", "4.2.3", 25),
            ])
        );
    }

    #[test]
    fn package_lock_v1_nested_and_aliased() {
        let mut want = expect(&[
            ("lodash", "4.17.15", 5),
            ("express", "4.17.1", 8),
            ("debug", "2.6.9", 11),
        ]);
        // The alias's real name is not a key: its line is unknown.
        want.push(("left-pad".into(), "1.3.0".into(), None));
        assert_eq!(listed(package_lock(PACKAGE_LOCK_V1).unwrap()), want);
    }

    #[test]
    fn broken_json_is_refused_at_its_line() {
        let e = package_lock("{\n  \"packages\": {\n    \"node_modules/a\": {,\n").unwrap_err();
        assert_eq!(e.line, 3, "{e:?}");
        assert!(!e.message.contains("at line"));
        assert_eq!(package_lock("[1]").unwrap_err().line, 1);
    }

    const YARN_V1: &str = r#"# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc826beef65e75c50e21d3837d7d95798dd658"
  integrity sha512-HV1Cm0Q3ZrpCR93tkWOYiuYIgLxZXZFVG2VgK+MBWjUqZTundupbfx2aXarXuw5Ko5aMcjtJgbSs4vUGBS5v6g==
  dependencies:
    "@babel/highlight" "^7.12.13"

lodash@^4.17.19, lodash@^4.17.20:
  version "4.17.21"
"#;

    const YARN_BERRY: &str = r#"# This file is generated by running "yarn install" inside your project.

__metadata:
  version: 8
  cacheKey: 10c0

"lodash@npm:^4.17.21":
  version: 4.17.21
  resolution: "lodash@npm:4.17.21"
  languageName: node
  linkType: hard

"resolve@patch:resolve@npm%3A^1.22.1#optional!builtin<compat/resolve>":
  version: 1.22.8
"#;

    #[test]
    fn yarn_lock_classic_and_berry() {
        assert_eq!(
            listed(yarn_lock(YARN_V1).unwrap()),
            expect(&[
                ("@babel/code-frame", "7.12.13", 5),
                ("lodash", "4.17.21", 12)
            ])
        );
        assert_eq!(
            listed(yarn_lock(YARN_BERRY).unwrap()),
            expect(&[("lodash", "4.17.21", 7), ("resolve", "1.22.8", 13)])
        );
        let e = yarn_lock("lodash@^4:\n  version \"4.17.21\"\nnot a header\n").unwrap_err();
        assert_eq!(e.line, 3);
    }

    #[test]
    fn pnpm_lock_keys_of_every_lockfile_version() {
        let v9 = "lockfileVersion: '9.0'\n\nimporters:\n  .:\n    dependencies:\n      react:\n        specifier: ^18.2.0\n        version: 18.2.0\n\npackages:\n\n  '@types/node@20.14.9':\n    resolution: {integrity: sha512-x}\n\n  react-dom@18.2.0(react@18.2.0):\n    resolution: {integrity: sha512-y}\n";
        assert_eq!(
            listed(pnpm_lock(v9).unwrap()),
            expect(&[("@types/node", "20.14.9", 12), ("react-dom", "18.2.0", 15)])
        );
        let v6 = "lockfileVersion: '6.0'\npackages:\n  /lodash@4.17.21:\n    dev: false\n";
        assert_eq!(
            listed(pnpm_lock(v6).unwrap()),
            expect(&[("lodash", "4.17.21", 3)])
        );
        let v5 = "lockfileVersion: 5.4\npackages:\n  /@babel/core/7.24.0:\n    dev: true\n  /react-dom/18.2.0_react@18.2.0:\n    dev: false\n";
        assert_eq!(
            listed(pnpm_lock(v5).unwrap()),
            expect(&[("@babel/core", "7.24.0", 3), ("react-dom", "18.2.0", 5)])
        );
        let e = pnpm_lock("lockfileVersion: '9.0'\npackages:\n  lodash: {\n").unwrap_err();
        assert!(e.line >= 3, "{e:?}");
        assert_eq!(
            pnpm_lock("packages:\n  just-a-name:\n    x: 1\n")
                .unwrap_err()
                .line,
            2
        );
    }
}
