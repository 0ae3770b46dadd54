//! Package versions and the ranges dependency rules test them against.
//!
//! One grammar for every ecosystem, Cargo's and npm's comparators:
//! `>=1.2.3`, `>1`, `<2.0`, `<=1.4`, `=1.2.3` (or a bare `1.2.3`: exactly
//! that), `^1.2` (same left-most non-zero part), `~1.2` (same minor),
//! `1.2.*` / `1.x` / `*` (wildcards). Comparators separated by commas or
//! spaces must all hold; `||` separates alternatives.
//!
//! Versions compare by their numeric parts, missing ones counting as 0
//! (`1.2` = `1.2.0`, Go's leading `v` dropped). A pre-release suffix
//! (`-rc.1`, Python's `rc1`/`b2`/`.dev3`, a Go pseudo-version's
//! `-0.2024...`) sorts before its release, compared part by part as semver
//! does; build metadata (`+...`) and Python's local part are ignored, and
//! `.postN` sorts after its release.

use std::cmp::Ordering;

/// A version as found in a lockfile.
#[derive(Clone, Debug)]
pub struct Version {
    release: Vec<u64>,
    /// Empty for a release.
    pre: Vec<PreId>,
    /// Python's `.postN`: after the release.
    post: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum PreId {
    /// Numeric identifiers sort before alphanumeric ones (semver 11.4.3).
    Number(u64),
    Text(String),
}

impl Version {
    /// `None` when the text does not start with a number.
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim();
        let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
        let text = text.split(['+']).next().unwrap_or(text);
        // Python epochs (`1!2.0`) are rare; their release part is compared.
        let text = text.rsplit('!').next().unwrap_or(text);
        let end = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let numbers = &text[..end];
        let numbers = numbers.trim_end_matches('.');
        if numbers.is_empty() {
            return None;
        }
        let release = numbers
            .split('.')
            .map(|p| p.parse::<u64>().ok())
            .collect::<Option<Vec<u64>>>()?;
        let (pre, post) = suffix(&text[numbers.len()..]);
        Some(Version { release, pre, post })
    }

    fn part(&self, i: usize) -> u64 {
        self.release.get(i).copied().unwrap_or(0)
    }

    fn with_release(release: Vec<u64>) -> Version {
        Version {
            release,
            pre: Vec::new(),
            post: 0,
        }
    }
}

/// The pre-release identifiers and the post-release number of a suffix.
fn suffix(rest: &str) -> (Vec<PreId>, u64) {
    let rest = rest.trim_start_matches(['-', '.', '_']);
    if rest.is_empty() {
        return (Vec::new(), 0);
    }
    // Python: `.post1`, `-1` style post releases after the release.
    if let Some(n) = rest.strip_prefix("post") {
        return (Vec::new(), n.parse().unwrap_or(0));
    }
    // `rc10` is `rc` then 10, so it comes after `rc9`, as Python orders
    // them (and as one reads `alpha10` after `alpha9`).
    let pre = rest
        .split(['.', '-'])
        .filter(|p| !p.is_empty())
        .flat_map(|p| {
            let digits = p.len() - p.trim_end_matches(|c: char| c.is_ascii_digit()).len();
            let (letters, number) = p.split_at(p.len() - digits);
            let number = (!number.is_empty())
                .then(|| number.parse::<u64>().ok())
                .flatten();
            match number {
                Some(n) if letters.is_empty() => vec![PreId::Number(n)],
                Some(n) if letters.chars().all(|c| c.is_ascii_alphabetic()) => {
                    vec![PreId::Text(letters.to_ascii_lowercase()), PreId::Number(n)]
                }
                _ => vec![PreId::Text(p.to_ascii_lowercase())],
            }
        })
        .collect();
    (pre, 0)
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        let parts = self.release.len().max(other.release.len());
        for i in 0..parts {
            match self.part(i).cmp(&other.part(i)) {
                Ordering::Equal => {}
                unequal => return unequal,
            }
        }
        // A release sorts after its pre-releases.
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => self.pre.cmp(&other.pre).then(self.post.cmp(&other.post)),
        }
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Gt,
    Gte,
    Lt,
    Lte,
}

/// One comparison against a version.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Comparator {
    op: Op,
    version: Version,
}

impl Comparator {
    fn holds(&self, v: &Version) -> bool {
        let order = v.cmp(&self.version);
        match self.op {
            Op::Eq => order == Ordering::Equal,
            Op::Gt => order == Ordering::Greater,
            Op::Gte => order != Ordering::Less,
            Op::Lt => order == Ordering::Less,
            Op::Lte => order != Ordering::Greater,
        }
    }
}

/// A version range: alternatives, each a set of comparators that must all hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Range {
    text: String,
    alternatives: Vec<Vec<Comparator>>,
}

impl Range {
    pub fn parse(text: &str) -> Result<Range, String> {
        let mut alternatives = Vec::new();
        for alternative in text.split("||") {
            let mut all = Vec::new();
            // `>= 1.2` is one comparator: glue an operator to its version.
            let mut pending = String::new();
            for token in alternative.split([',', ' ']).filter(|t| !t.is_empty()) {
                pending.push_str(token);
                if pending.chars().all(|c| "<>=^~".contains(c)) {
                    continue;
                }
                all.extend(comparators(&pending)?);
                pending.clear();
            }
            if !pending.is_empty() {
                return Err(format!("`{pending}` has no version after it"));
            }
            if all.is_empty() {
                return Err("an empty range".to_string());
            }
            alternatives.push(all);
        }
        Ok(Range {
            text: text.trim().to_string(),
            alternatives,
        })
    }

    pub fn contains(&self, v: &Version) -> bool {
        self.alternatives
            .iter()
            .any(|all| all.iter().all(|c| c.holds(v)))
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// One written comparator as the comparisons it stands for.
fn comparators(token: &str) -> Result<Vec<Comparator>, String> {
    let op_end = token
        .find(|c: char| !"<>=^~".contains(c))
        .unwrap_or(token.len());
    let (op, rest) = token.split_at(op_end);
    let bad = || format!("`{token}` is not a version comparator (e.g. `>=1.2.3`, `^1.2`, `~1.4`)");
    if rest == "*" || rest.eq_ignore_ascii_case("x") {
        return if op.is_empty() {
            Ok(vec![Comparator {
                op: Op::Gte,
                version: Version::with_release(vec![0]),
            }])
        } else {
            Err(bad())
        };
    }
    // Wildcards: `1.2.*`, `1.x` cover that prefix.
    let parts: Vec<&str> = rest.trim_start_matches(['v', 'V']).split('.').collect();
    let wild = parts
        .iter()
        .position(|p| *p == "*" || p.eq_ignore_ascii_case("x"));
    if let Some(at) = wild {
        if (!op.is_empty() && op != "=") || at == 0 || parts[at + 1..].iter().any(|p| !is_wild(p)) {
            return Err(bad());
        }
        let prefix = numbers(&parts[..at]).ok_or_else(bad)?;
        return Ok(prefix_range(prefix));
    }
    let version = Version::parse(rest).ok_or_else(bad)?;
    let written = rest
        .trim_start_matches(['v', 'V'])
        .split(['-', '+'])
        .next()
        .unwrap_or("")
        .split('.')
        .count();
    let simple = |op| {
        Ok(vec![Comparator {
            op,
            version: version.clone(),
        }])
    };
    match op {
        "" | "=" | "==" => simple(Op::Eq),
        ">" => simple(Op::Gt),
        ">=" => simple(Op::Gte),
        // `<2` leaves out 2.0.0's pre-releases too, as Cargo and npm do.
        "<" if version.pre.is_empty() => Ok(vec![Comparator {
            op: Op::Lt,
            version: Version {
                pre: vec![PreId::Number(0)],
                ..version
            },
        }]),
        "<" => simple(Op::Lt),
        "<=" => simple(Op::Lte),
        "^" => {
            // Cargo/npm: the left-most non-zero part of what was written stays.
            let kept = (0..written)
                .find(|&i| version.part(i) != 0)
                .unwrap_or(written.saturating_sub(1));
            Ok(bounded(version, kept))
        }
        "~" => Ok(bounded(version.clone(), if written >= 2 { 1 } else { 0 })),
        _ => Err(bad()),
    }
}

fn is_wild(p: &str) -> bool {
    p == "*" || p.eq_ignore_ascii_case("x")
}

fn numbers(parts: &[&str]) -> Option<Vec<u64>> {
    parts.iter().map(|p| p.parse().ok()).collect()
}

/// `>= version` and `<` the version with part `kept` bumped (the parts
/// after it zero): `^1.2.3` → `<2.0.0`, `~1.2.3` → `<1.3.0`.
fn bounded(version: Version, kept: usize) -> Vec<Comparator> {
    let mut upper: Vec<u64> = (0..=kept).map(|i| version.part(i)).collect();
    upper[kept] += 1;
    let mut upper = Version::with_release(upper);
    // As with `<`: the bound's pre-releases are out too.
    upper.pre = vec![PreId::Number(0)];
    vec![
        Comparator {
            op: Op::Gte,
            version,
        },
        Comparator {
            op: Op::Lt,
            version: upper,
        },
    ]
}

/// Every version starting with `prefix` (`1.2.*`).
fn prefix_range(prefix: Vec<u64>) -> Vec<Comparator> {
    let kept = prefix.len() - 1;
    bounded(Version::with_release(prefix), kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn holds(range: &str, version: &str) -> bool {
        Range::parse(range).unwrap().contains(&v(version))
    }

    #[test]
    fn versions_order_by_numbers_then_pre_releases() {
        assert_eq!(v("1.2"), v("1.2.0"));
        assert!(v("1.10.0") > v("1.9.9"));
        assert!(v("v1.2.3") == v("1.2.3"));
        assert!(v("1.0.0-rc.1") < v("1.0.0"));
        assert!(v("1.0.0-alpha") < v("1.0.0-alpha.1"));
        assert!(v("1.0.0-alpha.1") < v("1.0.0-beta"));
        assert!(v("1.0.0-2") < v("1.0.0-10"));
        assert!(v("2.0rc1") < v("2.0"));
        // Python's rc10 after rc9 (and `alpha10` after `alpha9`).
        assert!(v("1.0rc10") > v("1.0rc9"));
        assert!(v("1.0.0-alpha10") > v("1.0.0-alpha9"));
        assert!(v("1.0rc1") > v("1.0b2"));
        assert!(v("2.0.post1") > v("2.0"));
        assert_eq!(v("1.0.0+build.5"), v("1.0.0"));
        // A Go pseudo-version is a pre-release of the next patch.
        assert!(v("v0.0.0-20240101120000-abcdef123456") < v("v0.0.1"));
        assert!(Version::parse("latest").is_none());
        assert!(Version::parse("").is_none());
    }

    #[test]
    fn comparators_and_their_combinations() {
        assert!(holds(">=1.2.3", "1.2.3"));
        assert!(!holds(">=1.2.3", "1.2.2"));
        assert!(holds(">= 1.2, <2", "1.9.0"));
        assert!(!holds(">= 1.2, <2", "2.0.0"));
        assert!(!holds(">=1.2 <2", "2.0.0-rc.1"));
        assert!(holds("1.2.3", "1.2.3"));
        assert!(!holds("1.2.3", "1.2.4"));
        assert!(holds("<1 || >=3", "3.1.0"));
        assert!(!holds("<1 || >=3", "2.0.0"));
        assert!(holds("*", "0.0.1"));
    }

    #[test]
    fn caret_tilde_and_wildcards_follow_cargo_and_npm() {
        assert!(holds("^1.2.3", "1.9.0") && !holds("^1.2.3", "2.0.0") && !holds("^1.2.3", "1.2.2"));
        assert!(holds("^0.2.3", "0.2.9") && !holds("^0.2.3", "0.3.0"));
        assert!(holds("^0.0.3", "0.0.3") && !holds("^0.0.3", "0.0.4"));
        assert!(holds("^1", "1.99.0") && !holds("^1", "2.0.0"));
        assert!(holds("~1.2.3", "1.2.9") && !holds("~1.2.3", "1.3.0"));
        assert!(holds("~1", "1.9.0") && !holds("~1", "2.0.0"));
        assert!(holds("1.2.*", "1.2.7") && !holds("1.2.*", "1.3.0"));
        assert!(holds("1.x", "1.7.0") && !holds("1.x", "2.0.0"));
    }

    #[test]
    fn bad_ranges_say_why() {
        for bad in ["", ">=", "latest", ">=abc", "1.*.3", "~*", "||"] {
            assert!(Range::parse(bad).is_err(), "{bad}");
        }
    }
}
