//! A scorecard definition file → [`Scorecard`]. Every mistake is a
//! diagnostic at its file:line:col with a hint, as in catalog files; a
//! definition with any mistake is not evaluated (a gate must never pass on
//! a half-read scorecard). The format is described by
//! `book/docs/scorecard.schema.json` and `book/docs/scorecards.md`.

use super::check::Check;
use super::{Filter, Rule, Scorecard};
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::limits::{MAX_SCORECARD_CHECK_DEPTH, MAX_SCORECARD_RULES};
use crate::yaml::{self, Key, Node, Pos, Value};

pub const CODE: &str = "invalid-scorecard";

/// Reads one definition file; `None` when it has mistakes (each reported).
pub fn parse(file: &SourceFile<'_>, out: &mut Vec<Diagnostic>) -> Option<Scorecard> {
    let mut reader = Reader {
        file,
        problems: Vec::new(),
    };
    let root = match yaml::parse_single(file.text, yaml::Budget::default()) {
        Ok(Some(root)) => root,
        Ok(None) => {
            reader.problem(
                Pos { line: 1, column: 1 },
                "the file is empty",
                "start from `portico scorecards --print-default`",
            );
            out.append(&mut reader.problems);
            return None;
        }
        Err(e) => {
            out.push(
                Diagnostic::error("scorecard-yaml", format!("not valid YAML: {}", e.message))
                    .in_file(file, e.pos.line, e.pos.column)
                    .with_hint("fix the YAML syntax; the file is one YAML document"),
            );
            return None;
        }
    };
    let card = reader.scorecard(&root);
    let clean = reader.problems.is_empty();
    out.append(&mut reader.problems);
    card.filter(|_| clean)
}

pub(super) struct Reader<'f> {
    pub(super) file: &'f SourceFile<'f>,
    pub(super) problems: Vec<Diagnostic>,
}

const CARD_KEYS: &[&str] = &["name", "title", "description", "filter", "levels", "rules"];
const RULE_KEYS: &[&str] = &["id", "title", "level", "weight", "hint", "when", "check"];
const FILTER_KEYS: &[&str] = &[
    "kind",
    "type",
    "lifecycle",
    "tags",
    "namespace",
    "owner",
    "system",
];

impl Reader<'_> {
    pub(super) fn problem(
        &mut self,
        pos: Pos,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.problems.push(
            Diagnostic::error(CODE, message)
                .in_file(self.file, pos.line, pos.column)
                .with_hint(hint),
        );
    }

    /// The entries of a mapping, unknown keys reported.
    pub(super) fn map<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        known: &[&str],
    ) -> &'n [(Key, Node)] {
        let Value::Map(entries) = &node.value else {
            self.problem(
                node.pos,
                format!("{what} must be a mapping"),
                format!("valid keys: {}", known.join(", ")),
            );
            return &[];
        };
        for (key, _) in entries {
            if !known.contains(&key.name.as_str()) {
                self.problem(
                    key.pos,
                    format!("unknown key `{}` in {what}", key.name),
                    format!("valid keys: {}", known.join(", ")),
                );
            }
        }
        entries
    }

    pub(super) fn text(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.value {
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => {
                self.problem(
                    node.pos,
                    format!("{what} must be a non-empty string"),
                    "write a value, e.g. `name: production-readiness`",
                );
                None
            }
        }
    }

    /// A string or a list of strings.
    pub(super) fn texts(&mut self, node: &Node, what: &str) -> Vec<String> {
        match &node.value {
            Value::Seq(items) => items.iter().filter_map(|i| self.text(i, what)).collect(),
            _ => self.text(node, what).into_iter().collect(),
        }
    }

    pub(super) fn number(&mut self, node: &Node, what: &str, min: i64) -> Option<u32> {
        match node.value {
            Value::Int(i) if i >= min && i <= i64::from(u32::MAX) => u32::try_from(i).ok(),
            _ => {
                self.problem(
                    node.pos,
                    format!("{what} must be a whole number of at least {min}"),
                    "e.g. `90`",
                );
                None
            }
        }
    }

    fn scorecard(&mut self, root: &Node) -> Option<Scorecard> {
        let entries = self.map(root, "a scorecard", CARD_KEYS);
        let get = |key: &str| entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v);
        let name = match get("name") {
            Some(node) => self.text(node, "`name`").filter(|n| {
                let ok = is_slug(n);
                if !ok {
                    self.problem(node.pos, format!("scorecard name `{n}` must be lower-case letters, digits and `-`"), "it names the scorecard's page and `--scorecard`; e.g. `production-readiness`");
                }
                ok
            }),
            None => {
                self.problem(root.pos, "a scorecard needs a `name`", "e.g. `name: production-readiness`");
                None
            }
        };
        let levels = self.levels(get("levels"), root.pos);
        let title = get("title").and_then(|n| self.text(n, "`title`"));
        let description = get("description").and_then(|n| self.text(n, "`description`"));
        let filter = get("filter").map(|n| self.filter(n)).unwrap_or_default();
        let rules = match get("rules") {
            Some(node) => self.rules(node, &levels),
            None => {
                self.problem(
                    root.pos,
                    "a scorecard needs `rules`",
                    "list the rules, each with an id, a level and a check",
                );
                Vec::new()
            }
        };
        let name = name?;
        Some(Scorecard {
            title: title.unwrap_or_else(|| name.clone()),
            name,
            description: description.unwrap_or_default(),
            filter,
            levels,
            rules,
            origin: self.file.display_path(),
        })
    }

    fn levels(&mut self, node: Option<&Node>, at: Pos) -> Vec<String> {
        let Some(node) = node else {
            self.problem(
                at,
                "a scorecard needs `levels`",
                "list them lowest first, e.g. `levels: [bronze, silver, gold]`",
            );
            return Vec::new();
        };
        let Value::Seq(items) = &node.value else {
            self.problem(
                node.pos,
                "`levels` must be a list, lowest first",
                "e.g. `levels: [bronze, silver, gold]`",
            );
            return Vec::new();
        };
        let mut levels: Vec<String> = Vec::new();
        for item in items {
            if let Some(level) = self.text(item, "a level") {
                if levels.iter().any(|l| l.eq_ignore_ascii_case(&level)) {
                    self.problem(
                        item.pos,
                        format!("level `{level}` is listed twice"),
                        "each level once, lowest first",
                    );
                } else {
                    levels.push(level);
                }
            }
        }
        if levels.is_empty() {
            self.problem(
                node.pos,
                "`levels` is empty",
                "e.g. `levels: [bronze, silver, gold]`",
            );
        }
        levels
    }

    pub(super) fn filter(&mut self, node: &Node) -> Filter {
        let mut filter = Filter::default();
        for (key, value) in self.map(node, "a filter", FILTER_KEYS) {
            let values: Vec<String> = self
                .texts(value, &format!("`{}`", key.name))
                .into_iter()
                .map(|v| v.to_lowercase())
                .collect();
            match key.name.as_str() {
                "kind" => filter.kind = values,
                "type" => filter.spec_type = values,
                "lifecycle" => filter.lifecycle = values,
                "tags" => filter.tags = values,
                "namespace" => filter.namespace = values,
                "owner" => filter.owner = values,
                "system" => filter.system = values,
                _ => {}
            }
        }
        filter
    }

    fn rules(&mut self, node: &Node, levels: &[String]) -> Vec<Rule> {
        let Value::Seq(items) = &node.value else {
            self.problem(
                node.pos,
                "`rules` must be a list",
                "each item: id, title, level, weight, hint, check",
            );
            return Vec::new();
        };
        if items.len() > MAX_SCORECARD_RULES {
            self.problem(
                node.pos,
                format!("more than {MAX_SCORECARD_RULES} rules"),
                "split the scorecard in two",
            );
            return Vec::new();
        }
        let mut rules: Vec<Rule> = Vec::new();
        for item in items {
            if let Some(rule) = self.rule(item, levels) {
                if rules.iter().any(|r| r.id == rule.id) {
                    self.problem(
                        item.pos,
                        format!("rule id `{}` is used twice", rule.id),
                        "rule ids are unique within a scorecard",
                    );
                } else {
                    rules.push(rule);
                }
            }
        }
        rules
    }

    fn rule(&mut self, node: &Node, levels: &[String]) -> Option<Rule> {
        let entries = self.map(node, "a rule", RULE_KEYS);
        let get = |key: &str| entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v);
        let required = |reader: &mut Self, key: &str, example: &str| {
            let found = get(key);
            if found.is_none() {
                reader.problem(
                    node.pos,
                    format!("a rule needs `{key}`"),
                    format!("e.g. `{key}: {example}`"),
                );
            }
            found
        };
        let id = required(self, "id", "has-codeowners").and_then(|n| {
            let id = self.text(n, "`id`")?;
            if !is_slug(&id.replace(['_', '.'], "-")) {
                self.problem(
                    n.pos,
                    format!("rule id `{id}` must be lower-case letters, digits, `-`, `_` or `.`"),
                    "e.g. `has-codeowners`",
                );
                return None;
            }
            Some(id)
        });
        let level = required(
            self,
            "level",
            levels.first().map_or("bronze", String::as_str),
        )
        .and_then(|n| {
            let name = self.text(n, "`level`")?;
            let found = levels.iter().position(|l| l.eq_ignore_ascii_case(&name));
            if found.is_none() && !levels.is_empty() {
                self.problem(
                    n.pos,
                    format!("level `{name}` is not one of the scorecard's levels"),
                    format!("levels: {}", levels.join(", ")),
                );
            }
            found
        });
        let check =
            required(self, "check", "{ relation: has-system }").and_then(|n| self.check(n, 0));
        let title = get("title").and_then(|n| self.text(n, "`title`"));
        let weight = get("weight").map_or(Some(1), |n| self.number(n, "`weight`", 1));
        let hint = get("hint").and_then(|n| self.text(n, "`hint`"));
        let when = get("when").map(|n| self.filter(n)).unwrap_or_default();
        let id = id?;
        Some(Rule {
            title: title.unwrap_or_else(|| id.clone()),
            id,
            level: level?,
            weight: weight?,
            hint: hint.unwrap_or_default(),
            when,
            check: check?,
        })
    }

    pub(super) fn check(&mut self, node: &Node, depth: usize) -> Option<Check> {
        if depth > MAX_SCORECARD_CHECK_DEPTH {
            self.problem(
                node.pos,
                format!("checks nested more than {MAX_SCORECARD_CHECK_DEPTH} deep"),
                "flatten the `all`/`any`/`not` combination",
            );
            return None;
        }
        let kinds = super::check_reader::KINDS;
        let entries = self.map(node, "a check", kinds);
        let [(key, value)] = entries else {
            if !entries.is_empty() || matches!(node.value, Value::Map(_)) {
                self.problem(
                    node.pos,
                    "a check has exactly one key, its type",
                    format!("one of: {}", kinds.join(", ")),
                );
            }
            return None;
        };
        self.check_of(key, value, depth)
    }
}

/// `[a-z0-9]`, then `[a-z0-9-]`, at most 63 characters.
pub fn is_slug(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}
