//! `go.mod`: the `require` directives, one per line or in a `require ( )`
//! block. Since Go 1.17 a module's `go.mod` lists every module its build
//! needs (indirect ones marked `// indirect`), at the version selected, so
//! it is the lockfile; `go.sum` lists hashes of versions that were ever
//! considered, not the ones used. `replace` is not applied.

use super::{Malformed, Package};

pub fn go_mod(text: &str) -> Result<Vec<Package>, Malformed> {
    let mut out = Vec::new();
    // The directive of the open `( )` block, and the line that opened it.
    let mut block: Option<(String, usize)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.split("//").next().unwrap_or(raw).trim();
        if line.is_empty() {
            continue;
        }
        if let Some((directive, _)) = &block {
            if line == ")" {
                block = None;
                continue;
            }
            if directive == "require" {
                out.push(requirement(line, line_no)?);
            }
            continue;
        }
        let (directive, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        if rest == "(" {
            block = Some((directive.to_string(), line_no));
        } else if directive == "require" {
            out.push(requirement(rest, line_no)?);
        }
    }
    if let Some((directive, opened)) = block {
        return Err(Malformed::at(
            opened,
            format!("the `{directive} (` block is never closed with `)`"),
        ));
    }
    Ok(out)
}

/// `example.com/mod v1.2.3` (the path maybe quoted).
fn requirement(text: &str, line: usize) -> Result<Package, Malformed> {
    let mut words = text.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some(path), Some(version), None) if version.starts_with('v') => Ok(Package {
            name: path.trim_matches('"').to_string(),
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

replace golang.org/x/net => golang.org/x/net v0.26.0

exclude (
\tgolang.org/x/crypto v0.1.0
)
";

    #[test]
    fn single_and_block_requirements_with_their_lines() {
        let found: Vec<(String, String, Option<usize>)> = go_mod(GO_MOD)
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.version.unwrap(), p.line))
            .collect();
        let expect = [
            ("github.com/gin-gonic/gin", "v1.10.0", 7),
            ("github.com/bytedance/sonic", "v1.11.6", 10),
            ("golang.org/x/net", "v0.25.0", 11),
            (
                "example.com/quoted",
                "v0.0.0-20240101120000-abcdef123456",
                12,
            ),
        ];
        let expect: Vec<(String, String, Option<usize>)> = expect
            .iter()
            .map(|(n, v, l)| (n.to_string(), v.to_string(), Some(*l)))
            .collect();
        assert_eq!(found, expect);
    }

    #[test]
    fn broken_requirements_and_open_blocks_are_refused() {
        let e = go_mod("module m\n\nrequire (\n\tgolang.org/x/net\n)\n").unwrap_err();
        assert_eq!(e.line, 4);
        let e = go_mod("module m\nrequire (\n\ta.com/b v1.0.0\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("never closed"));
    }
}
