//! Rules on an entity's relations, read against the whole catalog: the
//! owner is a Group that exists, a System, APIs provided, no deprecated
//! dependency, every consumed API known.

use super::check::RelationCheck;
use super::{Evidence, Verdict};
use crate::catalog::entity_ref::EntityRef;
use crate::catalog::{Catalog, Entity};

/// The relations whose targets the checks below look up in the catalog,
/// and what they read of a target found: its kind (`ownedBy`), and its
/// `spec.lifecycle` (`dependsOn`); `partOf` and `consumesApi` targets only
/// whether they are there. Serve keeps results by these
/// (`kept_results`): a check reading another relation's target, or more
/// of one, must be added here.
pub const TARGETS_READ: [&str; 4] = ["ownedBy", "partOf", "dependsOn", "consumesApi"];

pub fn check(entity: &Entity, catalog: &Catalog, check: RelationCheck) -> Verdict {
    let targets = |kind: &str| -> Vec<&EntityRef> {
        entity
            .relations
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| &r.target)
            .collect()
    };
    let place = |field: &str| {
        let line = field_line(entity, field);
        move |e: Evidence| e.at(&entity.source.file, Some(line))
    };
    let kind = entity.entity_ref.kind.as_str();
    match check {
        RelationCheck::OwnerIsGroup => {
            let at = place("owner");
            let Some(owner) = targets("ownedBy").first().copied() else {
                return match entity.spec_str("owner") {
                    None if !owned_kind(kind) => {
                        Verdict::not_applicable(Evidence::says(format!("a {kind} has no owner")))
                    }
                    None => Verdict::fail(at(Evidence::says("spec.owner is not set"))),
                    // The catalog stage reported why no relation came of it.
                    Some(owner) => Verdict::fail(at(Evidence::says(format!(
                        "spec.owner `{owner}` is not a valid entity reference"
                    ))
                    .value(owner))),
                };
            };
            let shown = owner.to_string();
            match catalog.get(owner) {
                Some(e) if e.entity_ref.kind == "group" => Verdict::pass(at(Evidence::says(
                    format!("owned by `{shown}`, a Group in the catalog"),
                )
                .value(shown))),
                Some(e) => Verdict::fail(at(Evidence::says(format!(
                    "owned by `{shown}`, a {}, not a Group",
                    e.kind
                ))
                .value(shown))),
                None => Verdict::fail(at(Evidence::says(format!(
                    "owner `{shown}` is not in the catalog"
                ))
                .value(shown))),
            }
        }
        RelationCheck::HasSystem => {
            if !matches!(kind, "component" | "api" | "resource") {
                return Verdict::not_applicable(Evidence::says(format!(
                    "a {kind} is not part of a System"
                )));
            }
            let at = place("system");
            let system = targets("partOf").into_iter().find(|t| t.kind == "system");
            match system {
                None => Verdict::fail(at(Evidence::says("spec.system is not set"))),
                Some(s) if catalog.get(s).is_none() => Verdict::fail(at(Evidence::says(format!(
                    "system `{s}` is not in the catalog"
                ))
                .value(s.to_string()))),
                Some(s) => Verdict::pass(at(
                    Evidence::says(format!("part of `{s}`")).value(s.to_string())
                )),
            }
        }
        RelationCheck::ProvidesApi => {
            if kind != "component" {
                return Verdict::not_applicable(Evidence::says(format!(
                    "a {kind} does not provide APIs"
                )));
            }
            let apis = targets("providesApi");
            let at = place("providesApis");
            match apis.first() {
                None => Verdict::fail(at(Evidence::says("provides no API"))),
                Some(_) => Verdict::pass(at(Evidence::says(format!("provides {}", list(&apis)))
                    .value(apis.len().to_string()))),
            }
        }
        RelationCheck::NoDeprecatedDependencies => {
            // Only Components and Resources have `spec.dependsOn`.
            if !matches!(kind, "component" | "resource") {
                return Verdict::not_applicable(Evidence::says(format!(
                    "a {kind} has no dependencies"
                )));
            }
            let deps = targets("dependsOn");
            let deprecated: Vec<&EntityRef> = deps
                .iter()
                .copied()
                .filter(|d| {
                    catalog
                        .get(d)
                        .and_then(|e| e.spec_str("lifecycle"))
                        .is_some_and(|l| l.eq_ignore_ascii_case("deprecated"))
                })
                .collect();
            let at = place("dependsOn");
            if deprecated.is_empty() {
                Verdict::pass(at(Evidence::says(format!(
                    "depends on no deprecated entity ({} dependencies)",
                    deps.len()
                ))))
            } else {
                Verdict::fail(at(Evidence::says(format!(
                    "depends on deprecated {}",
                    list(&deprecated)
                ))
                .value(deprecated[0].to_string())))
            }
        }
        RelationCheck::ConsumedApisExist => {
            if kind != "component" {
                return Verdict::not_applicable(Evidence::says(format!(
                    "a {kind} does not consume APIs"
                )));
            }
            let apis = targets("consumesApi");
            let missing: Vec<&EntityRef> = apis
                .iter()
                .copied()
                .filter(|a| catalog.get(a).is_none())
                .collect();
            let at = place("consumesApis");
            match missing.first() {
                None => Verdict::pass(at(Evidence::says(format!(
                    "every consumed API is in the catalog ({})",
                    apis.len()
                )))),
                Some(first) => Verdict::fail(at(Evidence::says(format!(
                    "consumes {}, not in the catalog",
                    list(&missing)
                ))
                .value(first.to_string()))),
            }
        }
    }
}

/// Kinds Backstage gives an owner.
fn owned_kind(kind: &str) -> bool {
    matches!(
        kind,
        "component" | "api" | "resource" | "system" | "domain" | "template"
    )
}

/// `` `a`, `b` `` (at most five, then a count).
fn list(refs: &[&EntityRef]) -> String {
    let mut shown: Vec<String> = refs.iter().take(5).map(|r| format!("`{r}`")).collect();
    if refs.len() > 5 {
        shown.push(format!("and {} more", refs.len() - 5));
    }
    shown.join(", ")
}

/// The line of `spec.<field>` in the entity's YAML, or the entity's own.
fn field_line(entity: &Entity, field: &str) -> usize {
    use crate::yaml::Value;
    let find = |node: &crate::yaml::Node, key: &str| match &node.value {
        Value::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v.pos.line),
        _ => None,
    };
    match &entity.doc.value {
        Value::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.name == "spec")
            .and_then(|(_, spec)| find(spec, field)),
        _ => None,
    }
    .unwrap_or(entity.source.line)
}
