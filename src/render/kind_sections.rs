//! What an entity page shows for its kind, beyond the about card and the
//! relations: a system's components, APIs and resources; a domain's
//! systems; an API's providers, consumers and definition; a group's
//! parent, sub-groups, members and what it owns; a user's groups and what
//! they own; a template's parameters and steps; a location's targets.

use super::api::definition_html;
use super::graph;
use super::people;
use super::str_of;
use crate::address::entity_dir;
use crate::catalog::Entity;
use crate::html::escape;
use crate::limits::MAX_LOCATION_ROWS;
use crate::portal::Portal;
use crate::read::safe_path;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The kind-specific sections of `entity`'s page (`root`: back to the site root).
pub fn sections(portal: &Portal, entity: &Entity, root: &str) -> String {
    let mut html = String::new();
    let list = |html: &mut String, title: &str, relation: &str| {
        related_table(html, portal, entity, root, title, relation, None);
    };
    match entity.kind.as_str() {
        "System" => {
            system_diagram(&mut html, portal, entity, root);
            for (title, kind) in [
                ("Components", "component"),
                ("APIs", "api"),
                ("Resources", "resource"),
            ] {
                related_table(
                    &mut html,
                    portal,
                    entity,
                    root,
                    title,
                    "hasPart",
                    Some(kind),
                );
            }
        }
        "Domain" => list(&mut html, "Systems", "hasPart"),
        "API" => {
            list(&mut html, "Provided by", "apiProvidedBy");
            list(&mut html, "Consumed by", "apiConsumedBy");
            if let Some(text) = entity.spec_str("definition") {
                html.push_str(&definition_html(
                    entity.spec_str("type").unwrap_or(""),
                    text,
                ));
            }
        }
        "Group" => {
            let groups = |html: &mut String, title: &str, relation: &str| {
                let found = related(portal, entity, relation, None);
                if !found.is_empty() {
                    people::groups_table(html, portal, title, &found, root);
                }
            };
            groups(&mut html, "Parent group", "childOf");
            groups(&mut html, "Sub-groups", "parentOf");
            let members = related(portal, entity, "hasMember", None);
            if !members.is_empty() {
                // Each member's groups, this one left out: it is the page.
                let groups_of = |user: &Entity| -> Vec<String> {
                    related(portal, user, "memberOf", None)
                        .into_iter()
                        .filter(|g| g.entity_ref != entity.entity_ref)
                        .map(|g| link(g, root))
                        .collect()
                };
                people::members_table(&mut html, "Members", &members, groups_of, root);
            }
            owned_by_kind(&mut html, portal, entity, root);
        }
        "User" => {
            let groups = related(portal, entity, "memberOf", None);
            if !groups.is_empty() {
                people::groups_table(&mut html, portal, "Groups", &groups, root);
            }
            owned_by_kind(&mut html, portal, entity, root);
        }
        "Template" => template(&mut html, entity.spec()),
        "Location" => {
            location(&mut html, entity.spec());
            // A glob target may match a whole repository, and every
            // Location may have one: the rows are bounded, the count is not.
            let read = pulled_in(portal, entity);
            let shown = read.len().min(MAX_LOCATION_ROWS);
            if !read.is_empty() {
                entity_table(
                    &mut html,
                    "Entities it reads",
                    &read[..shown],
                    read.len() - shown,
                    root,
                );
            }
        }
        _ => {}
    }
    html
}

/// The system's components, APIs and resources, and who provides,
/// consumes or depends on what among them.
fn system_diagram(html: &mut String, portal: &Portal, system: &Entity, root: &str) {
    let parts: Vec<&Entity> = related(portal, system, "hasPart", None)
        .into_iter()
        .filter(|e| matches!(e.kind.as_str(), "Component" | "API" | "Resource"))
        .collect();
    if parts.is_empty() {
        return;
    }
    let boxes: Vec<(graph::Node, usize)> = parts
        .iter()
        .map(|e| {
            let column = match e.kind.as_str() {
                "Component" => 0,
                "API" => 1,
                _ => 2,
            };
            let node = graph::Node {
                label: e.display_name().to_string(),
                kind: e.kind.clone(),
                href: Some(format!("{root}{}index.html", entity_dir(&e.entity_ref))),
            };
            (node, column)
        })
        .collect();
    let index: std::collections::HashMap<String, usize> = parts
        .iter()
        .enumerate()
        .map(|(i, e)| (e.entity_ref.key(), i))
        .collect();
    let mut links = Vec::new();
    for (from, e) in parts.iter().enumerate() {
        for r in e.relations.iter() {
            let relation = match r.kind {
                "providesApi" => "providesApi",
                "consumesApi" => "consumesApi",
                "dependsOn" => "dependsOn",
                _ => continue,
            };
            if let Some(&to) = index.get(&r.target.key()) {
                links.push(graph::Link { from, to, relation });
            }
        }
    }
    html.push_str(
        "<section aria-labelledby=\"diagram\"><h2 id=\"diagram\">Diagram</h2><div class=\"graph-wrap\">",
    );
    html.push_str(&graph::system_svg(system.display_name(), &boxes, &links));
    html.push_str(
        "</div><p class=\"legend\"><span class=\"provides\">provides</span> \
         <span class=\"consumes\">consumes</span> <span class=\"depends\">depends on</span></p></section>\n",
    );
}

fn link(e: &Entity, root: &str) -> String {
    format!(
        "<a href=\"{root}{}index.html\">{}</a>",
        escape(&entity_dir(&e.entity_ref)),
        escape(e.display_name())
    )
}

/// The catalog entities `entity` has `relation` to (of `kind` only, when given).
fn related<'a>(
    portal: &'a Portal,
    entity: &Entity,
    relation: &str,
    kind: Option<&str>,
) -> Vec<&'a Entity> {
    let mut found: Vec<&Entity> = entity
        .relations
        .iter()
        .filter(|r| r.kind == relation && kind.is_none_or(|k| r.target.kind == k))
        .filter_map(|r| portal.catalog.get(&r.target))
        .collect();
    found.sort_by_cached_key(|e| e.entity_ref.to_string());
    found
}

fn related_table(
    html: &mut String,
    portal: &Portal,
    entity: &Entity,
    root: &str,
    title: &str,
    relation: &str,
    kind: Option<&str>,
) {
    let entities = related(portal, entity, relation, kind);
    if !entities.is_empty() {
        entity_table(html, title, &entities, 0, root);
    }
}

/// A table of `entities`; `more`: how many others there are, not shown.
/// Columns no row has a value for (a domain's type and lifecycle) and a
/// kind column that would repeat one kind are left out.
fn entity_table(html: &mut String, title: &str, entities: &[&Entity], more: usize, root: &str) {
    let id = title.to_lowercase().replace(' ', "-");
    let one_kind = entities.iter().all(|e| e.kind == entities[0].kind);
    let has = |key: &str| {
        entities
            .iter()
            .any(|e| e.spec_str(key).is_some_and(|v| !v.is_empty()))
    };
    fn kind(e: &Entity) -> &str {
        &e.kind
    }
    fn kind_type(e: &Entity) -> &str {
        e.spec_str("type").unwrap_or("")
    }
    fn lifecycle(e: &Entity) -> &str {
        e.spec_str("lifecycle").unwrap_or("")
    }
    type Column = (&'static str, fn(&Entity) -> &str);
    let columns: Vec<Column> = [
        ("Kind", !one_kind, kind as fn(&Entity) -> &str),
        ("Type", has("type"), kind_type),
        ("Lifecycle", has("lifecycle"), lifecycle),
    ]
    .into_iter()
    .filter(|(_, shown, _)| *shown)
    .map(|(name, _, value)| (name, value))
    .collect();
    let _ = write!(
        html,
        "<section aria-labelledby=\"{id}\"><h2 id=\"{id}\">{} <span class=\"count\">{}</span></h2>\
         <table><thead><tr><th scope=\"col\">Name</th>",
        escape(title),
        entities.len() + more
    );
    for (name, _) in &columns {
        let _ = write!(html, "<th scope=\"col\">{name}</th>");
    }
    html.push_str("<th scope=\"col\">Description</th></tr></thead><tbody>");
    for e in entities {
        let _ = write!(
            html,
            "<tr><td><a href=\"{root}{}index.html\">{}</a></td>",
            escape(&entity_dir(&e.entity_ref)),
            escape(e.display_name()),
        );
        for (_, value) in &columns {
            let _ = write!(html, "<td>{}</td>", escape(value(e)));
        }
        let _ = write!(
            html,
            "<td>{}</td></tr>",
            escape(e.metadata_str("description").unwrap_or(""))
        );
    }
    if more > 0 {
        let _ = write!(
            html,
            "<tr><td colspan=\"{}\">and {more} more (the catalog's lists show every entity)</td></tr>",
            columns.len() + 2
        );
    }
    html.push_str("</tbody></table></section>\n");
}

/// What a group or user owns, one table per kind.
fn owned_by_kind(html: &mut String, portal: &Portal, entity: &Entity, root: &str) {
    let mut by_kind: BTreeMap<&str, Vec<&Entity>> = BTreeMap::new();
    for e in related(portal, entity, "ownerOf", None) {
        by_kind.entry(e.kind.as_str()).or_default().push(e);
    }
    for (kind, entities) in by_kind {
        entity_table(html, &format!("Owned {kind}s"), &entities, 0, root);
    }
}

/// A template's form, page by page, and its steps (never run here).
fn template(html: &mut String, spec: &Value) {
    // `parameters` is one form page or a list of them (v1beta2/3);
    // v1alpha1 templates have a single `schema`.
    let pages: Vec<&Value> = match (&spec["parameters"], &spec["schema"]) {
        (Value::Array(pages), _) => pages.iter().collect(),
        (form @ Value::Object(_), _) | (Value::Null, form @ Value::Object(_)) => vec![form],
        _ => Vec::new(),
    };
    if !pages.is_empty() {
        html.push_str(
            "<section aria-labelledby=\"parameters\"><h2 id=\"parameters\">Parameters</h2>",
        );
        for (n, page) in pages.iter().enumerate() {
            let title = match str_of(page, "title") {
                "" => format!("Step {}", n + 1),
                t => t.to_string(),
            };
            let _ = write!(html, "<h3>{}</h3>", escape(&title));
            let required: Vec<&str> = page["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let Some(properties) = page["properties"].as_object() else {
                continue;
            };
            html.push_str("<table><thead><tr><th scope=\"col\">Field</th><th scope=\"col\">Type</th><th scope=\"col\">Required</th><th scope=\"col\">Description</th></tr></thead><tbody>");
            for (name, field) in properties {
                let mut kind = str_of(field, "type").to_string();
                if let Some(ui) = field.get("ui:field").and_then(Value::as_str) {
                    let _ = write!(kind, " ({ui})");
                }
                let mut description = str_of(field, "description").to_string();
                if let Some(choices) = field["enum"].as_array() {
                    let list: Vec<String> = choices
                        .iter()
                        .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_string))
                        .collect();
                    let _ = write!(description, " One of: {}.", list.join(", "));
                }
                let label = match str_of(field, "title") {
                    "" => name.clone(),
                    t => format!("{t} ({name})"),
                };
                let _ = write!(
                    html,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(&label),
                    escape(&kind),
                    if required.contains(&name.as_str()) {
                        "yes"
                    } else {
                        ""
                    },
                    escape(description.trim())
                );
            }
            html.push_str("</tbody></table>");
        }
        html.push_str("</section>\n");
    }
    if let Some(steps) = spec["steps"].as_array().filter(|s| !s.is_empty()) {
        html.push_str(
            "<section aria-labelledby=\"steps\"><h2 id=\"steps\">Steps</h2><ol class=\"steps\">",
        );
        for step in steps {
            let name = match str_of(step, "name") {
                "" => str_of(step, "id"),
                n => n,
            };
            let _ = write!(
                html,
                "<li>{} <code>{}</code></li>",
                escape(name),
                escape(str_of(step, "action"))
            );
        }
        html.push_str("</ol><p class=\"lead\">Templates are run by Backstage's scaffolder; this page only describes them.</p></section>\n");
    }
}

/// The entities read from a Location's targets in its own repository
/// (targets are relative to the Location's file; `*` stays in a folder, as
/// in Backstage). Targets in other repositories are listed, not followed here.
fn pulled_in<'a>(portal: &'a Portal, location: &Entity) -> Vec<&'a Entity> {
    let spec = location.spec();
    let dir = safe_path::parent(&location.source.file);
    let repo = location.source.repo.as_str();
    let mut read: Vec<&Entity> = Vec::new();
    // Resolved and matched as the catalog loader does: a target out of the
    // repository, or an invalid glob, reads nothing.
    let targets = location_targets(spec)
        .into_iter()
        .filter(|t| !t.contains("://"))
        .filter_map(|t| safe_path::join(dir, t).ok());
    for path in targets {
        let Ok(glob) = crate::catalog::load::glob_set(&[&path]) else {
            continue;
        };
        // Only files starting with the pattern's literal part can match,
        // so a Location looks at its targets' files, not the whole catalog.
        let literal = crate::catalog::load::literal_prefix(&path);
        read.extend(
            portal
                .catalog
                .in_files_starting_with(repo, literal)
                .filter(|e| e.entity_ref != location.entity_ref && glob.is_match(&e.source.file)),
        );
    }
    read.sort_by_cached_key(|e| e.entity_ref.to_string());
    // Refs are unique in the catalog: one entity matched by two targets is listed once.
    read.dedup_by(|a, b| a.entity_ref == b.entity_ref);
    read
}

fn location_targets(spec: &Value) -> Vec<&str> {
    std::iter::once(str_of(spec, "target"))
        .filter(|t| !t.is_empty())
        .chain(
            spec["targets"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str),
        )
        .collect()
}

fn location(html: &mut String, spec: &Value) {
    let targets = location_targets(spec);
    if targets.is_empty() {
        return;
    }
    html.push_str("<section aria-labelledby=\"targets\"><h2 id=\"targets\">Targets</h2><ul>");
    for t in targets {
        let _ = write!(html, "<li><code>{}</code></li>", escape(t));
    }
    html.push_str("</ul></section>\n");
}
