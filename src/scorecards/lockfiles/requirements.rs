//! `requirements.txt` (pip's format): one requirement a line, `name==1.2.3`
//! pinned, or a looser specifier (`name>=2`) that pins no version. Options
//! (`-r`, `-e`, `--hash`), URLs and local paths name no package on PyPI and
//! are passed over; `\` continues a line.

use super::{Malformed, Package};

pub fn parse(text: &str) -> Result<Vec<Package>, Malformed> {
    let mut out = Vec::new();
    let mut joined = String::new();
    let mut first_line = 0;
    for (i, raw) in text.lines().enumerate() {
        if joined.is_empty() {
            first_line = i + 1;
        }
        // A comment starts at `#` at the line's start or after a space or tab.
        let comment = raw
            .char_indices()
            .zip(raw.chars().skip(1))
            .find(|((_, c), next)| c.is_whitespace() && *next == '#')
            .map(|((at, _), _)| at);
        let line = match comment {
            Some(at) => &raw[..at],
            None if raw.trim_start().starts_with('#') => "",
            None => raw,
        };
        if let Some(start) = line.trim_end().strip_suffix('\\') {
            joined.push_str(start);
            joined.push(' ');
            continue;
        }
        joined.push_str(line);
        let requirement = std::mem::take(&mut joined);
        if let Some(package) = requirement_of(requirement.trim(), first_line)? {
            out.push(package);
        }
    }
    Ok(out)
}

fn requirement_of(text: &str, line: usize) -> Result<Option<Package>, Malformed> {
    if text.is_empty()
        || text.starts_with('-')
        || text.starts_with(['.', '/'])
        || text.contains("://")
    {
        return Ok(None);
    }
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(text.len());
    let (name, rest) = text.split_at(end);
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(Malformed::at(
            line,
            format!("`{text}` is not a requirement (e.g. `requests==2.32.3`)"),
        ));
    }
    // Extras, then the specifier up to the environment markers.
    let rest = rest.trim_start();
    let rest = match rest.strip_prefix('[') {
        Some(extras) => match extras.find(']') {
            Some(close) => &extras[close + 1..],
            None => {
                return Err(Malformed::at(
                    line,
                    format!("`{text}`: the extras' `[` is never closed"),
                ));
            }
        },
        None => rest,
    };
    // Per-requirement options (`--hash=...`) follow the specifier.
    let rest = rest.split(" --").next().unwrap_or(rest);
    let specifier = rest.split(';').next().unwrap_or(rest).trim();
    let pinned = specifier
        .strip_prefix("===")
        .or_else(|| specifier.strip_prefix("=="))
        .map(str::trim)
        .filter(|v| !v.is_empty() && !v.contains([',', '*', ' ']));
    Ok(Some(Package {
        name: name.to_string(),
        version: pinned.map(str::to_string),
        line: Some(line),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQUIREMENTS: &str = "# production dependencies
-r base.txt
--index-url https://pypi.org/simple
Django==4.2.14
requests[security,socks] == 2.32.3 ; python_version >= \"3.8\"
gunicorn>=22,<23  # not pinned
numpy==1.26.*
pinned==1.0\t# a comment after a tab
psycopg2-binary==2.9.9 \\
    --hash=sha256:0123456789abcdef
-e git+https://github.com/acme/lib.git#egg=acme-lib
./local/package
";

    #[test]
    fn pinned_loose_and_skipped_lines() {
        let found: Vec<(String, Option<String>, Option<usize>)> = parse(REQUIREMENTS)
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.version, p.line))
            .collect();
        let pinned = |n: &str, v: Option<&str>, l| (n.to_string(), v.map(str::to_string), Some(l));
        assert_eq!(
            found,
            [
                pinned("Django", Some("4.2.14"), 4),
                pinned("requests", Some("2.32.3"), 5),
                pinned("gunicorn", None, 6),
                pinned("numpy", None, 7),
                pinned("pinned", Some("1.0"), 8),
                pinned("psycopg2-binary", Some("2.9.9"), 9),
            ]
        );
    }

    #[test]
    fn a_line_that_names_no_package_is_refused() {
        let e = parse("Django==4.2\n==1.0\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse("requests[security==2\n").unwrap_err();
        assert_eq!(e.line, 1);
    }
}
