//! The check grammar: one key naming the check's type, its settings below.
//! Patterns and globs are refused here, with their place, when they could
//! hurt a build (too long, too large compiled, leading out of the repository).

use super::check::{
    Check, Comparison, DependencyCheck, DependencyTest, DocsCheck, Field, FilesCheck, GitCheck,
    RelationCheck, ValueTest,
};
use super::definition::Reader;
use super::lockfiles::{Ecosystem, Format};
use super::versions::Range;
use crate::limits::{MAX_SCORECARD_PATTERN_BYTES, MAX_SCORECARD_REGEX_BYTES};
use crate::yaml::{Key, Node, Value};

pub const KINDS: &[&str] = &[
    "field",
    "annotation",
    "relation",
    "files",
    "docs",
    "git",
    "dependency",
    "attestation",
    "fact",
    "all",
    "any",
    "not",
];

/// Value tests, shared by `field`, `annotation` and `fact`.
const TESTS: &[&str] = &[
    "present", "equals", "one_of", "matches", "gt", "gte", "lt", "lte",
];

impl Reader<'_> {
    pub(super) fn check_of(&mut self, key: &Key, value: &Node, depth: usize) -> Option<Check> {
        match key.name.as_str() {
            "field" => {
                let entries = self.map(value, "a `field` check", &with_tests(&["path"]));
                let path = self.setting(entries, "path", value, "spec.lifecycle")?;
                let parts: Vec<String> = path.split('.').map(str::to_string).collect();
                if parts.iter().any(String::is_empty) {
                    self.problem(
                        value.pos,
                        format!("field path `{path}` has an empty part"),
                        "e.g. `metadata.description`",
                    );
                    return None;
                }
                let test = self.value_test(entries, value)?;
                Some(Check::Field {
                    field: Field::Path(parts),
                    test,
                })
            }
            "annotation" => {
                let entries = self.map(value, "an `annotation` check", &with_tests(&["name"]));
                let name = self.setting(entries, "name", value, "backstage.io/techdocs-ref")?;
                let test = self.value_test(entries, value)?;
                Some(Check::Field {
                    field: Field::Annotation(name),
                    test,
                })
            }
            "relation" => {
                let name = self.text(value, "`relation`")?;
                let found = RelationCheck::ALL.iter().find(|(n, _)| *n == name);
                if found.is_none() {
                    let names: Vec<&str> = RelationCheck::ALL.iter().map(|(n, _)| *n).collect();
                    self.problem(
                        value.pos,
                        format!("unknown relation check `{name}`"),
                        format!("one of: {}", names.join(", ")),
                    );
                }
                found.map(|(_, c)| Check::Relation(*c))
            }
            "files" => self.files(value).map(Check::Files),
            "docs" => self.docs(value).map(Check::Docs),
            "git" => self.git(value).map(Check::Git),
            "dependency" => self.dependency(value).map(Check::Dependency),
            "attestation" => {
                let entries = self.map(value, "an `attestation` check", &["name", "file"]);
                let name = self.setting(entries, "name", value, "security-review")?;
                let file = match find(entries, "file") {
                    Some(node) => self.repo_path(node)?,
                    None => super::attestations::DEFAULT_FILE.to_string(),
                };
                Some(Check::Attestation { name, file })
            }
            "fact" => {
                let entries = self.map(
                    value,
                    "a `fact` check",
                    &with_tests(&["name", "max_age_days"]),
                );
                let name = self.setting(entries, "name", value, "open_incidents")?;
                let max_age_days = match find(entries, "max_age_days") {
                    Some(n) => Some(self.number(n, "`max_age_days`", 0)?),
                    None => None,
                };
                let test = self.value_test(entries, value)?;
                Some(Check::Fact {
                    name,
                    test,
                    max_age_days,
                })
            }
            "all" | "any" => {
                let Value::Seq(items) = &value.value else {
                    self.problem(
                        value.pos,
                        format!("`{}` takes a list of checks", key.name),
                        "e.g. `any: [{ relation: has-system }, { field: { path: spec.domain } }]`",
                    );
                    return None;
                };
                if items.is_empty() {
                    self.problem(
                        value.pos,
                        format!("`{}` has no checks", key.name),
                        "list at least one check",
                    );
                    return None;
                }
                let checks: Vec<Option<Check>> =
                    items.iter().map(|i| self.check(i, depth + 1)).collect();
                let checks: Option<Vec<Check>> = checks.into_iter().collect();
                checks.map(|c| {
                    if key.name == "all" {
                        Check::All(c)
                    } else {
                        Check::Any(c)
                    }
                })
            }
            "not" => self
                .check(value, depth + 1)
                .map(|c| Check::Not(Box::new(c))),
            _ => None,
        }
    }

    /// A required string setting of a check.
    fn setting(
        &mut self,
        entries: &[(Key, Node)],
        key: &str,
        at: &Node,
        example: &str,
    ) -> Option<String> {
        match find(entries, key) {
            Some(node) => self.text(node, &format!("`{key}`")),
            None => {
                self.problem(
                    at.pos,
                    format!("this check needs `{key}`"),
                    format!("e.g. `{key}: {example}`"),
                );
                None
            }
        }
    }

    /// At most one test among the entries; none means "present".
    fn value_test(&mut self, entries: &[(Key, Node)], at: &Node) -> Option<ValueTest> {
        let tests: Vec<&(Key, Node)> = entries
            .iter()
            .filter(|(k, _)| TESTS.contains(&k.name.as_str()))
            .collect();
        let [(key, node)] = tests.as_slice() else {
            if tests.is_empty() {
                return Some(ValueTest::Present);
            }
            self.problem(
                at.pos,
                "a check tests one thing",
                format!("keep one of: {}", TESTS.join(", ")),
            );
            return None;
        };
        let compare = |op| move |n: f64| ValueTest::Compare(op, n);
        match key.name.as_str() {
            "present" => match node.value {
                Value::Bool(true) => Some(ValueTest::Present),
                Value::Bool(false) => Some(ValueTest::Absent),
                _ => {
                    self.problem(
                        node.pos,
                        "`present` is `true` or `false`",
                        "`present: false` checks the value is absent",
                    );
                    None
                }
            },
            "equals" => self.text(node, "`equals`").map(ValueTest::Equals),
            "one_of" => {
                let values = self.texts(node, "`one_of`");
                (!values.is_empty()).then_some(ValueTest::OneOf(values))
            }
            "matches" => self.pattern(node).map(ValueTest::Matches),
            "gt" => self.float(node).map(compare(Comparison::Greater)),
            "gte" => self.float(node).map(compare(Comparison::GreaterOrEqual)),
            "lt" => self.float(node).map(compare(Comparison::Less)),
            _ => self.float(node).map(compare(Comparison::LessOrEqual)),
        }
    }

    fn float(&mut self, node: &Node) -> Option<f64> {
        match node.value {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) if f.is_finite() => Some(f),
            _ => {
                self.problem(node.pos, "a comparison needs a number", "e.g. `lte: 2`");
                None
            }
        }
    }

    /// A regular expression: short, and small once compiled. The `regex`
    /// crate never backtracks, so matching time is linear in the text.
    pub(super) fn pattern(&mut self, node: &Node) -> Option<regex::Regex> {
        let text = self.text(node, "a pattern")?;
        if text.len() > MAX_SCORECARD_PATTERN_BYTES {
            self.problem(
                node.pos,
                format!(
                    "the pattern is {} bytes, over the {MAX_SCORECARD_PATTERN_BYTES}-byte limit",
                    text.len()
                ),
                "write a shorter pattern",
            );
            return None;
        }
        match regex::RegexBuilder::new(&text)
            .size_limit(MAX_SCORECARD_REGEX_BYTES)
            .dfa_size_limit(MAX_SCORECARD_REGEX_BYTES)
            .multi_line(true)
            .build()
        {
            Ok(regex) => Some(regex),
            Err(e) => {
                let first = e
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or("invalid")
                    .trim()
                    .to_string();
                self.problem(
                    node.pos,
                    format!("invalid pattern `{text}`: {first}"),
                    "patterns use Rust's `regex` syntax (no look-around or back-references)",
                );
                None
            }
        }
    }

    /// A path or glob from the entity's folder, or from the repository root
    /// with one leading `/`: never `..`, never another absolute form.
    fn repo_path(&mut self, node: &Node) -> Option<String> {
        let text = self.text(node, "a path")?;
        let relative = text.strip_prefix('/').unwrap_or(&text);
        let leaves = relative.starts_with('/')
            || relative.is_empty()
            || text.contains('\\')
            || relative.split('/').any(|p| p == "..")
            || relative.get(1..2) == Some(":");
        if !leaves && relative.contains("//") {
            self.problem(
                node.pos,
                format!("`{text}` has an empty folder name (`//`)"),
                "write one `/` between folders; a path from the repository root starts with one `/`",
            );
            return None;
        }
        if leaves {
            self.problem(
                node.pos,
                format!("`{text}` leads outside the repository"),
                "paths and globs are relative to the entity's folder (the repository root with a leading `/`), without `..`",
            );
            return None;
        }
        Some(text)
    }

    fn files(&mut self, value: &Node) -> Option<FilesCheck> {
        let entries = self.map(value, "a `files` check", &["glob", "min", "max", "matches"]);
        let Some(glob_node) = find(entries, "glob") else {
            self.problem(
                value.pos,
                "a `files` check needs `glob`",
                "e.g. `glob: \"{CODEOWNERS,.github/CODEOWNERS}\"`",
            );
            return None;
        };
        let glob = self.repo_path(glob_node)?;
        let from_root = glob.starts_with('/');
        let matcher = match globset::GlobBuilder::new(glob.trim_start_matches('/'))
            .literal_separator(true)
            .build()
        {
            Ok(g) => g.compile_matcher(),
            Err(e) => {
                self.problem(
                    glob_node.pos,
                    format!("invalid glob `{glob}`: {}", e.kind()),
                    "e.g. `.github/workflows/*.yml`",
                );
                return None;
            }
        };
        let count = |reader: &mut Self, key: &str| match find(entries, key) {
            Some(n) => reader
                .number(n, &format!("`{key}`"), 0)
                .map(|n| Some(n as usize)),
            None => Some(None),
        };
        let min = count(self, "min")?.unwrap_or(1);
        let max = count(self, "max")?;
        let matches = match find(entries, "matches") {
            Some(n) => Some(self.pattern(n)?),
            None => None,
        };
        Some(FilesCheck {
            glob,
            from_root,
            matcher,
            min,
            max,
            matches,
        })
    }

    /// `name`, optionally `ecosystem` and `lockfile`, and one test:
    /// `present` (the default) or `version` (a range).
    fn dependency(&mut self, value: &Node) -> Option<DependencyCheck> {
        let keys = ["name", "ecosystem", "lockfile", "present", "version"];
        let entries = self.map(value, "a `dependency` check", &keys);
        let name = self.setting(entries, "name", value, "serde")?;
        let ecosystem = match find(entries, "ecosystem") {
            None => None,
            Some(node) => {
                let text = self.text(node, "`ecosystem`")?;
                let found = Ecosystem::ALL
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(&text))
                    .map(|(_, e)| *e);
                if found.is_none() {
                    self.problem(
                        node.pos,
                        format!("unknown ecosystem `{text}`"),
                        "one of: cargo, npm, go, pypi",
                    );
                    return None;
                }
                found
            }
        };
        let lockfile = match find(entries, "lockfile") {
            None => None,
            Some(node) => {
                let path = self.repo_path(node)?;
                let Some(format) = Format::of_path(&path) else {
                    let names: Vec<&str> = Format::FILES.iter().map(|(n, _)| *n).collect();
                    self.problem(
                        node.pos,
                        format!("`{path}` is not a lockfile Portico reads"),
                        format!("the file's name is one of: {}", names.join(", ")),
                    );
                    return None;
                };
                if ecosystem.is_some_and(|e| e != format.ecosystem()) {
                    self.problem(
                        node.pos,
                        format!("`{path}` is not a lockfile of that `ecosystem`"),
                        "leave `ecosystem` out when naming the lockfile",
                    );
                    return None;
                }
                Some(path)
            }
        };
        let test = match (find(entries, "present"), find(entries, "version")) {
            (Some(_), Some(_)) => {
                self.problem(
                    value.pos,
                    "a check tests one thing",
                    "keep `present` or `version`",
                );
                return None;
            }
            (Some(node), None) => match node.value {
                Value::Bool(true) => DependencyTest::Present,
                Value::Bool(false) => DependencyTest::Absent,
                _ => {
                    self.problem(
                        node.pos,
                        "`present` is `true` or `false`",
                        "`present: false` checks no lockfile has the package",
                    );
                    return None;
                }
            },
            (None, Some(node)) => {
                let text = self.text(node, "`version`")?;
                match Range::parse(&text) {
                    Ok(range) => DependencyTest::Version(range),
                    Err(e) => {
                        self.problem(
                            node.pos,
                            format!("version range `{text}`: {e}"),
                            "e.g. `>=1.2.3`, `^1.2`, `~1.4`, `>=1.0, <2`",
                        );
                        return None;
                    }
                }
            }
            (None, None) => DependencyTest::Present,
        };
        Some(DependencyCheck {
            name,
            ecosystem,
            lockfile,
            test,
        })
    }

    /// `committed_within_days: N`, `released_within_days: N`, or
    /// `distinct_authors: N` with `within_days: D`.
    fn git(&mut self, value: &Node) -> Option<GitCheck> {
        let keys = [
            "committed_within_days",
            "released_within_days",
            "distinct_authors",
            "within_days",
        ];
        let entries = self.map(value, "a `git` check", &keys);
        let example = "e.g. `git: { committed_within_days: 90 }`, `git: { released_within_days: 30 }` or `git: { distinct_authors: 2, within_days: 90 }`";
        let names: Vec<&str> = entries.iter().map(|(k, _)| k.name.as_str()).collect();
        match names.as_slice() {
            ["committed_within_days"] => self
                .number(&entries[0].1, "`committed_within_days`", 0)
                .map(GitCheck::CommittedWithinDays),
            ["released_within_days"] => self
                .number(&entries[0].1, "`released_within_days`", 0)
                .map(GitCheck::ReleasedWithinDays),
            ["distinct_authors", "within_days"] | ["within_days", "distinct_authors"] => {
                let min = self.number(find(entries, "distinct_authors")?, "`distinct_authors`", 1);
                let days = self.number(find(entries, "within_days")?, "`within_days`", 1);
                Some(GitCheck::DistinctAuthors {
                    min: min?,
                    days: days?,
                })
            }
            _ => {
                // An unknown key was reported by `map`; say what is missing.
                if matches!(value.value, Value::Map(_))
                    && entries.len() == keys_known(entries, &keys)
                {
                    self.problem(
                        value.pos,
                        "a `git` check takes one of `committed_within_days`, `released_within_days`, or `distinct_authors` with `within_days`",
                        example,
                    );
                }
                None
            }
        }
    }

    fn docs(&mut self, value: &Node) -> Option<DocsCheck> {
        let keys = [
            "present",
            "min_pages",
            "no_broken_links",
            "updated_within_days",
        ];
        let entries = self.map(value, "a `docs` check", &keys);
        let [(key, node)] = entries else {
            self.problem(
                value.pos,
                "a `docs` check has exactly one key",
                format!("one of: {}", keys.join(", ")),
            );
            return None;
        };
        let flag = |reader: &mut Self, check| match node.value {
            Value::Bool(true) => Some(check),
            _ => {
                reader.problem(
                    node.pos,
                    format!("`{}` takes `true`", key.name),
                    "use `not` to invert a check",
                );
                None
            }
        };
        match key.name.as_str() {
            "present" => flag(self, DocsCheck::Present),
            "no_broken_links" => flag(self, DocsCheck::NoBrokenLinks),
            "min_pages" => self
                .number(node, "`min_pages`", 0)
                .map(|n| DocsCheck::MinPages(n as usize)),
            _ => self
                .number(node, "`updated_within_days`", 0)
                .map(DocsCheck::UpdatedWithinDays),
        }
    }
}

fn find<'n>(entries: &'n [(Key, Node)], key: &str) -> Option<&'n Node> {
    entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v)
}

fn keys_known(entries: &[(Key, Node)], keys: &[&str]) -> usize {
    entries
        .iter()
        .filter(|(k, _)| keys.contains(&k.name.as_str()))
        .count()
}

fn with_tests(own: &[&'static str]) -> Vec<&'static str> {
    own.iter().chain(TESTS).copied().collect()
}
