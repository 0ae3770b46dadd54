//! Manual attestations: claims a person signs off in a YAML file in the
//! repository (who, when, until when), for what no file can show ("the
//! threat model was reviewed"). An expired one fails.
//!
//! ```yaml
//! # .portico/attestations.yaml
//! security-review:
//!   by: alice@example.com
//!   at: 2025-03-01
//!   expires: 2026-03-01
//!   entities: [component:default/payment-gateway]   # optional: only these
//! ```

use super::dates::Day;
use super::files::RepoFiles;
use super::{Evidence, Verdict};
use crate::catalog::entity_ref::EntityRef;
use crate::yaml::{self, Node, Value};

/// Where attestations are kept unless a rule says otherwise: at the
/// repository root, even for an entity in a monorepo's sub-folder.
pub const DEFAULT_FILE: &str = "/.portico/attestations.yaml";

pub fn check(
    files: Option<&dyn RepoFiles>,
    entity: &EntityRef,
    today: Day,
    name: &str,
    file: &str,
) -> Verdict {
    let Some(files) = files else {
        return Verdict::not_applicable(Evidence::says(
            "the entity was not read from a repository",
        ));
    };
    let text = match files.read_text(file) {
        Ok(text) => text,
        Err(crate::read::ReadError::NotFound(_)) => {
            return Verdict::fail(Evidence::says(format!(
                "no attestations file `{file}`, so no `{name}` attestation"
            )));
        }
        Err(e) => return Verdict::fail(Evidence::says(e.to_string()).at(file, None)),
    };
    let root = match yaml::parse_single(&text, yaml::Budget::default()) {
        Ok(Some(root)) => root,
        Ok(None) => {
            return Verdict::fail(Evidence::says("the attestations file is empty").at(file, None));
        }
        Err(e) => {
            return Verdict::fail(
                Evidence::says(format!(
                    "the attestations file is not valid YAML: {}",
                    e.message
                ))
                .at(file, Some(e.pos.line)),
            );
        }
    };
    let Some(entry) = get(&root, name) else {
        return Verdict::fail(
            Evidence::says(format!("`{file}` has no `{name}` attestation")).at(file, None),
        );
    };
    judge(entry, entity, today, name, file)
}

fn judge(entry: &Node, entity: &EntityRef, today: Day, name: &str, file: &str) -> Verdict {
    let line = Some(entry.pos.line);
    let text = |key: &str| match get(entry, key).map(|n| &n.value) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let (Some(by), Some(at)) = (text("by"), text("at").as_deref().and_then(Day::parse)) else {
        return Verdict::fail(
            Evidence::says(format!(
                "the `{name}` attestation needs `by` (who) and `at` (a YYYY-MM-DD date)"
            ))
            .at(file, line),
        );
    };
    if at > today {
        return Verdict::fail(
            Evidence::says(format!(
                "the `{name}` attestation is dated {}, after today ({})",
                at.label(),
                today.label()
            ))
            .at(file, line),
        );
    }
    // `entities`: a list, or one entity written alone; anything else names
    // no entity, so it limits the attestation to none.
    let one_of_them = |item: &Node| match &item.value {
        Value::String(s) => {
            EntityRef::parse(s, Some("component"), "default").is_ok_and(|r| r.key() == entity.key())
        }
        _ => false,
    };
    let limited = get(entry, "entities").map(|n| match &n.value {
        Value::Seq(items) => items.iter().any(one_of_them),
        _ => one_of_them(n),
    });
    if limited == Some(false) {
        return Verdict::fail(
            Evidence::says(format!("the `{name}` attestation does not list `{entity}`"))
                .at(file, line),
        );
    }
    let evidence = |summary: String| {
        Evidence::says(summary)
            .value(by.clone())
            .at(file, line)
            .dated(at.label())
    };
    let expires = get(entry, "expires").map(|node| match &node.value {
        Value::String(s) => s.clone(),
        // A number or an empty value is no date: not "no expiry".
        Value::Null => String::new(),
        _ => node.to_json().to_string(),
    });
    match expires {
        None => Verdict::pass(evidence(format!(
            "attested by {by} on {}, no expiry",
            at.label()
        ))),
        Some(raw) => match Day::parse(&raw) {
            None => Verdict::fail(evidence(format!(
                "`expires: {raw}` is not a YYYY-MM-DD date"
            ))),
            Some(expires) if expires < today => Verdict::fail(evidence(format!(
                "attested by {by} on {}, expired on {}",
                at.label(),
                expires.label()
            ))),
            Some(expires) => Verdict::pass(evidence(format!(
                "attested by {by} on {}, valid until {}",
                at.label(),
                expires.label()
            ))),
        },
    }
}

fn get<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    match &node.value {
        Value::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
        _ => None,
    }
}
