//! `go.mod`: the `require` directives, one per line or in a `require ( )`
//! block, with the `replace` directives applied as the go command applies
//! them (`go list -m all`). Since Go 1.17 a module's `go.mod` lists every
//! module its build needs (indirect ones marked `// indirect`), at the
//! version selected, so it is the lockfile.
//!
//! A `replace old => new v1.2.3` makes the required `old` module built from
//! `new` at `v1.2.3`: the package keeps its name (`old`, the path the code
//! imports and `go list -m` shows first) and takes the replacement's
//! version, at the `replace` line. A replacement of one version
//! (`old v1.0.0 => ...`) applies only when that version is the one
//! required, and wins over a replacement of every version of the module;
//! one replaced by a local folder (`old => ../old`) has no version. A
//! `replace` naming a module that is not required changes nothing. Two
//! different replacements of one module (and version) are refused, as the
//! go command refuses them.
//!
//! `go.sum` is not read: it holds the checksums of every module version the
//! go command looked at while selecting versions (older versions' `go.mod`
//! files included), not the versions selected.

use super::{Malformed, Package};

/// One `replace` directive: the module (and version) replaced, by what.
#[derive(Debug, PartialEq, Eq)]
struct Replace {
    path: String,
    /// `None`: every version of `path`.
    version: Option<String>,
    /// The replacement: a module path or a local folder.
    with: String,
    /// The replacement's version; `None` for a local folder.
    with_version: Option<String>,
    line: usize,
}

pub fn go_mod(text: &str) -> Result<Vec<Package>, Malformed> {
    let mut required = Vec::new();
    let mut replaces: Vec<Replace> = Vec::new();
    // The directive of the open `( )` block, and the line that opened it.
    let mut block: Option<(String, usize)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.split("//").next().unwrap_or(raw).trim();
        if line.is_empty() {
            continue;
        }
        let (directive, rest) = match &block {
            Some(_) if line == ")" => {
                block = None;
                continue;
            }
            Some((directive, _)) => (directive.clone(), line),
            None => {
                let (directive, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
                let rest = rest.trim();
                if rest == "(" {
                    block = Some((directive.to_string(), line_no));
                    continue;
                }
                (directive.to_string(), rest)
            }
        };
        match directive.as_str() {
            "require" => required.push(requirement(rest, line_no)?),
            "replace" => add_replace(&mut replaces, replacement(rest, line_no)?)?,
            _ => {}
        }
    }
    if let Some((directive, opened)) = block {
        return Err(Malformed::at(
            opened,
            format!("the `{directive} (` block is never closed with `)`"),
        ));
    }
    Ok(required
        .into_iter()
        .map(|package| replaced(package, &replaces))
        .collect())
}

/// `example.com/mod v1.2.3` (the path maybe quoted).
fn requirement(text: &str, line: usize) -> Result<Package, Malformed> {
    let mut words = text.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some(path), Some(version), None) if version.starts_with('v') => Ok(Package {
            name: unquote(path),
            version: Some(version.to_string()),
            line: Some(line),
        }),
        _ => Err(Malformed::at(
            line,
            format!(
                "`{text}`: a requirement is a module path and a version, e.g. `golang.org/x/net v0.25.0`"
            ),
        )),
    }
}

/// `old [version] => new version` or `old [version] => ./folder`.
fn replacement(text: &str, line: usize) -> Result<Replace, Malformed> {
    let bad = |why: &str| {
        Malformed::at(
            line,
            format!(
                "`{text}`: {why}; a replacement is e.g. `golang.org/x/net => golang.org/x/net v0.26.0` or `example.com/lib => ../lib`"
            ),
        )
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    let Some(arrow) = words.iter().position(|w| *w == "=>") else {
        return Err(bad("no `=>`"));
    };
    let (old, new) = (&words[..arrow], &words[arrow + 1..]);
    let version = |w: &str| -> Result<String, Malformed> {
        if w.starts_with('v') {
            Ok(w.to_string())
        } else {
            Err(bad(&format!(
                "`{w}` is not a version (they start with `v`)"
            )))
        }
    };
    let (path, old_version) = match old {
        [path] => (unquote(path), None),
        [path, v] => (unquote(path), Some(version(v)?)),
        _ => return Err(bad("the module replaced is a path and maybe a version")),
    };
    let (with, with_version) = match new {
        [folder] if is_local_folder(&unquote(folder)) => (unquote(folder), None),
        [module] => {
            return Err(bad(&format!(
                "`{module}` is neither a local folder (`./`, `../` or `/`) nor followed by a version"
            )));
        }
        [folder, _] if is_local_folder(&unquote(folder)) => {
            return Err(bad("a local folder takes no version"));
        }
        [module, v] => (unquote(module), Some(version(v)?)),
        _ => {
            return Err(bad(
                "the replacement is a module path and a version, or a folder",
            ));
        }
    };
    Ok(Replace {
        path,
        version: old_version,
        with,
        with_version,
        line,
    })
}

/// Keeps `new`, refusing a different replacement of the same module and
/// version (the go command's "conflicting replacements").
fn add_replace(replaces: &mut Vec<Replace>, new: Replace) -> Result<(), Malformed> {
    let earlier = replaces
        .iter()
        .find(|r| r.path == new.path && r.version == new.version);
    match earlier {
        None => replaces.push(new),
        Some(r) if r.with == new.with && r.with_version == new.with_version => {}
        Some(r) => {
            let what = match &new.version {
                Some(v) => format!("{} {v}", new.path),
                None => new.path.clone(),
            };
            return Err(Malformed::at(
                new.line,
                format!(
                    "conflicting replacements for `{what}`: line {} already replaces it with `{}`",
                    r.line,
                    shown(r)
                ),
            ));
        }
    }
    Ok(())
}

/// The replacement as written: `new v1.2.3` or `../folder`.
fn shown(r: &Replace) -> String {
    match &r.with_version {
        Some(v) => format!("{} {v}", r.with),
        None => r.with.clone(),
    }
}

/// The package as built: the replacement of its exact version first, else
/// of every version of the module, else as required.
fn replaced(package: Package, replaces: &[Replace]) -> Package {
    let exact = replaces
        .iter()
        .find(|r| r.path == package.name && r.version == package.version);
    let any = || {
        replaces
            .iter()
            .find(|r| r.path == package.name && r.version.is_none())
    };
    match exact.or_else(any) {
        Some(r) => Package {
            name: package.name,
            version: r.with_version.clone(),
            line: Some(r.line),
        },
        None => package,
    }
}

/// Go's test for a replacement by a folder (`modfile.IsDirectoryPath`).
fn is_local_folder(path: &str) -> bool {
    path == "."
        || path == ".."
        || path.starts_with("./")
        || path.starts_with("../")
        || path.starts_with('/')
        || path.starts_with(".\\")
        || path.starts_with("..\\")
        || path.as_bytes().get(1..3) == Some(b":\\")
}

fn unquote(word: &str) -> String {
    word.trim_matches('"').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GO_MOD: &str = "module github.com/acme/route-planner

go 1.22

toolchain go1.22.3

require github.com/gin-gonic/gin v1.10.0

require (
\tgithub.com/bytedance/sonic v1.11.6 // indirect
\tgolang.org/x/net v0.25.0 // indirect
\t\"example.com/quoted\" v0.0.0-20240101120000-abcdef123456
)

exclude (
\tgolang.org/x/crypto v0.1.0
)
";

    fn found(text: &str) -> Vec<(String, Option<String>, Option<usize>)> {
        go_mod(text)
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.version, p.line))
            .collect()
    }

    fn package(
        name: &str,
        version: Option<&str>,
        line: usize,
    ) -> (String, Option<String>, Option<usize>) {
        (name.to_string(), version.map(str::to_string), Some(line))
    }

    #[test]
    fn single_and_block_requirements_with_their_lines() {
        assert_eq!(
            found(GO_MOD),
            [
                package("github.com/gin-gonic/gin", Some("v1.10.0"), 7),
                package("github.com/bytedance/sonic", Some("v1.11.6"), 10),
                package("golang.org/x/net", Some("v0.25.0"), 11),
                package(
                    "example.com/quoted",
                    Some("v0.0.0-20240101120000-abcdef123456"),
                    12
                ),
            ]
        );
    }

    #[test]
    fn replacements_give_the_version_built_at_their_line() {
        let text = format!(
            "{GO_MOD}
replace golang.org/x/net => golang.org/x/net v0.26.0

replace (
\tgithub.com/gin-gonic/gin v1.9.0 => github.com/gin-gonic/gin v1.9.1 // not the version required
\tgithub.com/bytedance/sonic => github.com/acme/sonic v1.12.0
\tgithub.com/bytedance/sonic v1.11.6 => github.com/bytedance/sonic v1.11.9
\texample.com/quoted => ../quoted
\texample.com/not-required => example.com/other v1.0.0
)
"
        );
        assert_eq!(
            found(&text),
            [
                // Replaced for v1.9.0 only: v1.10.0 is built as required.
                package("github.com/gin-gonic/gin", Some("v1.10.0"), 7),
                // The replacement of the exact version wins over the
                // replacement of every version, whatever their order.
                package("github.com/bytedance/sonic", Some("v1.11.9"), 24),
                package("golang.org/x/net", Some("v0.26.0"), 19),
                // A local folder: no version to compare.
                package("example.com/quoted", None, 25),
            ]
        );
    }

    #[test]
    fn broken_requirements_replacements_and_open_blocks_are_refused() {
        let e = go_mod("module m\n\nrequire (\n\tgolang.org/x/net\n)\n").unwrap_err();
        assert_eq!(e.line, 4);
        let e = go_mod("module m\nrequire (\n\ta.com/b v1.0.0\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("never closed"));
        let e = go_mod("module m\nreplace (\n\ta.com/b a.com/c v1.0.0\n)\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("no `=>`"), "{}", e.message);
        // A module path with no version, and a folder with one.
        let e = go_mod("module m\n\nreplace a.com/b => a.com/c\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(
            e.message.contains("neither a local folder"),
            "{}",
            e.message
        );
        let e = go_mod("module m\nreplace a.com/b => ../b v1.0.0\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = go_mod("module m\nreplace a.com/b latest => a.com/c v1.0.0\n").unwrap_err();
        assert!(
            e.message.contains("`latest` is not a version"),
            "{}",
            e.message
        );
        let e = go_mod("module m\nreplace a.com/b v1 v2 => a.com/c v1.0.0\n").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn conflicting_replacements_are_refused_at_the_second() {
        let text = "module m\n\nrequire a.com/b v1.0.0\n\nreplace a.com/b => a.com/c v1.1.0\nreplace a.com/b => a.com/c v1.1.0\nreplace a.com/b v1.0.0 => ../b\nreplace a.com/b => a.com/d v1.1.0\n";
        let e = go_mod(text).unwrap_err();
        assert_eq!(e.line, 8);
        assert!(
            e.message
                .contains("conflicting replacements for `a.com/b`: line 5 already replaces it with `a.com/c v1.1.0`"),
            "{}",
            e.message
        );
        // The same replacement twice, and one per version, are fine.
        assert_eq!(
            found(&text.replace("replace a.com/b => a.com/d v1.1.0\n", "")),
            [package("a.com/b", None, 7)]
        );
    }
}
