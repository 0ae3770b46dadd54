//! The organisation page: the groups as a tree with their members and what
//! they own, the people, and what nobody owns (or whose owner is not in
//! the catalog).

use super::Look;
use super::pages::parts_page;
use crate::address::{self, entity_dir};
use crate::catalog::Entity;
use crate::catalog::entity_ref::EntityRef;
use crate::html::escape;
use crate::portal::Portal;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

const ROOT: &str = "../";

fn targets<'a>(entity: &'a Entity, relation: &str) -> impl Iterator<Item = &'a EntityRef> {
    entity
        .relations
        .iter()
        .filter(move |r| r.kind == relation)
        .map(|r| &r.target)
}

fn link(e: &Entity) -> String {
    format!(
        "<a href=\"{ROOT}{}index.html\">{}</a>",
        escape(&entity_dir(&e.entity_ref)),
        escape(e.display_name())
    )
}

pub fn page(portal: &Portal, look: &Look) -> String {
    let catalog = &portal.catalog;
    let groups: Vec<&Entity> = catalog
        .entities
        .iter()
        .filter(|e| e.kind == "Group")
        .collect();
    let users: Vec<&Entity> = catalog
        .entities
        .iter()
        .filter(|e| e.kind == "User")
        .collect();
    let mut body = format!(
        "<h1>Organisation</h1>\n<p class=\"lead\">{} · {}</p>\n",
        crate::diagnostics::plural(groups.len(), "group"),
        match users.len() {
            1 => "1 person".to_string(),
            n => format!("{n} people"),
        }
    );

    // The tree: groups without a parent in the catalog are roots.
    let known = |r: &EntityRef| catalog.get(r).is_some();
    let roots: Vec<&Entity> = groups
        .iter()
        .copied()
        .filter(|g| !targets(g, "childOf").any(known))
        .collect();
    let heading_end = body.len();
    body.push_str(
        "<section aria-labelledby=\"groups\"><h2 id=\"groups\">Groups</h2>\n<ul class=\"tree\">",
    );
    let mut drawn = BTreeSet::new();
    for root in roots {
        tree(&mut body, portal, root, &mut drawn);
    }
    // Groups in a cycle of parents have no root: each cycle starts here.
    for group in &groups {
        if !drawn.contains(&group.entity_ref.key()) {
            tree(&mut body, portal, group, &mut drawn);
        }
    }
    body.push_str("</ul></section>\n");
    let groups_end = body.len();

    body.push_str(
        "<section aria-labelledby=\"people\"><h2 id=\"people\">People</h2>\n<table><thead><tr>\
         <th scope=\"col\">Name</th><th scope=\"col\">Email</th><th scope=\"col\">Groups</th><th scope=\"col\">Owns</th></tr></thead><tbody>",
    );
    for user in &users {
        let member_of: Vec<String> = targets(user, "memberOf")
            .filter_map(|r| catalog.get(r))
            .map(link)
            .collect();
        let _ = write!(
            body,
            "<tr><td class=\"person\"><a href=\"{ROOT}{}index.html\">{}<span>{}</span></a></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&entity_dir(&user.entity_ref)),
            super::people::avatar(user, 24),
            escape(user.display_name()),
            super::people::email_link(user).unwrap_or_default(),
            member_of.join(", "),
            targets(user, "ownerOf").count()
        );
    }
    body.push_str("</tbody></table></section>\n");
    let people_end = body.len();

    unowned(&mut body, portal);
    let parts = [
        ("heading", body[..heading_end].to_string()),
        ("groups", body[heading_end..groups_end].to_string()),
        ("people", body[groups_end..people_end].to_string()),
        ("unowned", body[people_end..].to_string()),
    ];
    let data = minijinja::context! { groups => groups.len(), people => users.len() };
    parts_page(
        portal,
        look,
        "org.html",
        ("org", data),
        "Organisation",
        address::ORG,
        &parts,
    )
}

/// A group, its counts, and its sub-groups below it.
fn tree(html: &mut String, portal: &Portal, group: &Entity, drawn: &mut BTreeSet<String>) {
    // A cycle of childOf/parentOf is drawn once.
    if !drawn.insert(group.entity_ref.key()) {
        return;
    }
    // Counted as the group's page lists them: members in the catalog.
    let members = super::people::member_count(portal, group);
    let mut owned: BTreeMap<&str, usize> = BTreeMap::new();
    for e in targets(group, "ownerOf").filter_map(|r| portal.catalog.get(r)) {
        *owned.entry(e.kind.as_str()).or_default() += 1;
    }
    let owns: Vec<String> = owned.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let _ = write!(
        html,
        "<li>{} <span class=\"meta\">{}{}</span>",
        link(group),
        match members {
            1 => "1 member".to_string(),
            n => format!("{n} members"),
        },
        if owns.is_empty() {
            String::new()
        } else {
            format!(" · owns {}", escape(&owns.join(", ")))
        }
    );
    let mut children: Vec<&Entity> = targets(group, "parentOf")
        .filter_map(|r| portal.catalog.get(r))
        .collect();
    children.sort_by_cached_key(|c| c.entity_ref.key());
    if !children.is_empty() {
        html.push_str("<ul>");
        for child in children {
            tree(html, portal, child, drawn);
        }
        html.push_str("</ul>");
    }
    html.push_str("</li>");
}

/// Entities that need an owner and have none the catalog knows.
fn unowned(html: &mut String, portal: &Portal) {
    let mut rows = String::new();
    let mut count = 0;
    for e in &portal.catalog.entities {
        if !crate::catalog::kinds::OWNED.contains(&e.kind.as_str()) {
            continue;
        }
        let owner = targets(e, "ownedBy").next();
        let why = match owner {
            None => "no owner".to_string(),
            Some(r) if portal.catalog.get(r).is_none() => {
                format!("owner {} is not in the catalog", r)
            }
            Some(_) => continue,
        };
        count += 1;
        let _ = write!(
            rows,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            link(e),
            escape(&e.kind),
            escape(&why)
        );
    }
    let _ = writeln!(
        html,
        "<section aria-labelledby=\"unowned\"><h2 id=\"unowned\">Unowned <span class=\"count\">{count}</span></h2>"
    );
    if count == 0 {
        html.push_str("<p>Every entity has an owner in the catalog.</p></section>\n");
        return;
    }
    let _ = writeln!(
        html,
        "<table><thead><tr><th scope=\"col\">Entity</th><th scope=\"col\">Kind</th><th scope=\"col\">Why</th></tr></thead><tbody>{rows}</tbody></table></section>"
    );
}
