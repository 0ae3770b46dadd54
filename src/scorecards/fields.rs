//! Rules on entity fields and annotations: present, absent, equals, one of,
//! matches a pattern, numeric comparison. The evidence is the value found
//! and the line of the catalog file it was written on.

use super::check::{Field, ValueTest};
use super::{Evidence, Verdict};
use crate::catalog::Entity;
use crate::yaml::{Node, Value as Yaml};
use serde_json::Value as Json;

pub fn check(entity: &Entity, field: &Field, test: &ValueTest) -> Verdict {
    let found = match field {
        Field::Path(parts) => lookup(&entity.json, parts),
        Field::Annotation(name) => entity
            .json
            .get("metadata")
            .and_then(|m| m.get("annotations").and_then(|a| a.get(name.as_str()))),
    };
    let line = written_at(&entity.doc, field).unwrap_or(entity.source.line);
    let (ok, summary) = test_value(test, found, &field.label());
    let mut evidence = Evidence::says(summary).at(&entity.source.file, Some(line));
    if let Some(value) = found.map(shown) {
        evidence = evidence.value(value);
    }
    Verdict::when(ok, evidence)
}

/// The value at a dotted path of the entity's JSON.
fn lookup<'j>(json: &'j serde_json::Map<String, Json>, parts: &[String]) -> Option<&'j Json> {
    let (first, rest) = parts.split_first()?;
    rest.iter()
        .try_fold(json.get(first.as_str())?, |v, part| v.get(part.as_str()))
}

/// The line the field was written on in the entity's YAML, when it was.
fn written_at(doc: &Node, field: &Field) -> Option<usize> {
    let path: Vec<&str> = match field {
        Field::Path(parts) => parts.iter().map(String::as_str).collect(),
        Field::Annotation(name) => vec!["metadata", "annotations", name],
    };
    let mut node = doc;
    for part in path {
        let Yaml::Map(entries) = &node.value else {
            return None;
        };
        node = &entries.iter().find(|(k, _)| k.name == part)?.1;
    }
    Some(node.pos.line)
}

/// `text` as a code span of evidence: fenced by more backticks than it
/// holds in a row (spaced when it starts or ends with one), so a value
/// with backticks is still one span.
pub fn code_span(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    match text.starts_with('`') || text.ends_with('`') {
        true => format!("{fence} {text} {fence}"),
        false => format!("{fence}{text}{fence}"),
    }
}

/// A value as shown in evidence: strings bare, the rest as JSON, cut short.
pub fn shown(value: &Json) -> String {
    let text = whole(value);
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

fn is_empty(value: &Json) -> bool {
    match value {
        Json::Null => true,
        Json::String(s) => s.trim().is_empty(),
        Json::Array(a) => a.is_empty(),
        Json::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// A value as a test reads it: strings bare, the rest as JSON, whole.
fn whole(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The scalar texts a value offers to equals / one of / matches: itself,
/// or each item of a list (`metadata.tags` equals `java`), whole (only
/// what evidence shows of them is cut short).
fn texts(value: &Json) -> Vec<String> {
    match value {
        Json::Array(items) => items.iter().filter(|v| !v.is_array()).map(whole).collect(),
        Json::Object(_) | Json::Null => Vec::new(),
        other => vec![whole(other)],
    }
}

/// Applies `test` to `found` (what `label` holds): whether it holds, and a
/// sentence saying what was found.
pub fn test_value(test: &ValueTest, found: Option<&Json>, label: &str) -> (bool, String) {
    let present = found.filter(|v| !is_empty(v));
    let Some(value) = present else {
        return match test {
            ValueTest::Absent => (true, format!("{label} is not set")),
            _ => (false, format!("{label} is not set")),
        };
    };
    let quoted = code_span(&shown(value));
    match test {
        ValueTest::Present => (true, format!("{label} is {quoted}")),
        ValueTest::Absent => (false, format!("{label} is set to {quoted}")),
        ValueTest::Equals(wanted) => {
            let ok = texts(value).iter().any(|t| t == wanted);
            (ok, format!("{label} is {quoted}, expected `{wanted}`"))
        }
        ValueTest::OneOf(allowed) => {
            let ok = texts(value).iter().any(|t| allowed.contains(t));
            let list = allowed.join("`, `");
            (ok, format!("{label} is {quoted}, expected one of `{list}`"))
        }
        ValueTest::Matches(pattern) => {
            let ok = texts(value).iter().any(|t| pattern.is_match(t));
            (
                ok,
                format!(
                    "{label} is {quoted}, expected to match `{}`",
                    pattern.as_str()
                ),
            )
        }
        ValueTest::Compare(op, wanted) => {
            let number = match value {
                Json::Number(n) => n.as_f64(),
                Json::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            };
            match number {
                Some(n) => (
                    op.holds(n, *wanted),
                    format!("{label} is {n}, expected {} {wanted}", op.symbol()),
                ),
                None => (false, format!("{label} is {quoted}, not a number")),
            }
        }
    }
}
