//! Two lists of their own in the top navigation: the APIs (every API with
//! its type, owner, providers and consumers) and the docs sites (every
//! site with its entity's owner, page count and last update). Both filter
//! like the catalog's lists (`assets/portico.js`).

use super::Look;
use super::catalog_list::{filter_form, list_page, worst_problem};
use super::pages::{ProblemsByFile, first_target, ref_link, short_ref};
use crate::address::{self, entity_dir};
use crate::catalog::Entity;
use crate::diagnostics;
use crate::html::escape;
use crate::portal::Portal;
use std::fmt::Write as _;

const ROOT: &str = "../";

/// The targets of `entity`'s `relation`, as links.
fn linked(portal: &Portal, entity: &Entity, relation: &str) -> String {
    let mut targets: Vec<_> = entity
        .relations
        .iter()
        .filter(|r| r.kind == relation)
        .map(|r| &r.target)
        .collect();
    targets.sort_by_cached_key(|r| r.to_string());
    // By their names, as the catalog's lists show them.
    targets
        .into_iter()
        .map(|r| match portal.catalog.get(r) {
            Some(e) => format!(
                "<a href=\"{ROOT}{}index.html\">{}</a>",
                escape(&entity_dir(&e.entity_ref)),
                escape(e.display_name())
            ),
            None => ref_link(portal, r, ROOT),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn apis(portal: &Portal, look: &Look, problems: &ProblemsByFile<'_>) -> String {
    let mut apis: Vec<&Entity> = portal
        .catalog
        .entities
        .iter()
        .filter(|e| e.kind.eq_ignore_ascii_case("API"))
        .collect();
    apis.sort_by_cached_key(|e| e.display_name().to_lowercase());
    let heading = format!(
        "<h1>APIs</h1>\n<p class=\"lead\">{}, with who provides and who consumes each.</p>\n",
        diagnostics::plural(apis.len(), "API")
    );
    let mut table = String::from(
        "<div class=\"table-scroll\"><table class=\"entities\"><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Type</th>\
         <th scope=\"col\">Owner</th><th scope=\"col\">Lifecycle</th><th scope=\"col\">Provided by</th>\
         <th scope=\"col\">Consumed by</th><th scope=\"col\" class=\"description\">Description</th></tr></thead><tbody>\n",
    );
    for api in &apis {
        let owner = first_target(api, "ownedBy");
        let worst = worst_problem(problems, api);
        let dir = escape(&entity_dir(&api.entity_ref));
        let marker = worst
            .map(|(w, n)| {
                format!(
                    " <a class=\"has-problems {w}\" href=\"{ROOT}{dir}index.html#problems\" title=\"{}\">!</a>",
                    diagnostics::plural(n, "problem")
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            table,
            "<tr data-ref=\"{}\" data-type=\"{}\" data-owner=\"{}\" data-lifecycle=\"{}\" data-problems=\"{}\">\
             <td class=\"name\"><a href=\"{ROOT}{dir}index.html\">{}</a>{marker}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"refs\">{}</td><td class=\"refs\">{}</td><td class=\"description\">{}</td></tr>",
            escape(&api.entity_ref.to_string()),
            escape(api.spec_str("type").unwrap_or("")),
            escape(&owner.map(short_ref).unwrap_or_default()),
            escape(api.spec_str("lifecycle").unwrap_or("")),
            worst.map_or("", |(w, _)| w),
            escape(api.display_name()),
            escape(api.spec_str("type").unwrap_or("")),
            owner.map(|o| ref_link(portal, o, ROOT)).unwrap_or_default(),
            escape(api.spec_str("lifecycle").unwrap_or("")),
            linked(portal, api, "apiProvidedBy"),
            linked(portal, api, "apiConsumedBy"),
            escape(api.metadata_str("description").unwrap_or("")),
        );
    }
    table.push_str("</tbody></table></div>\n");
    let parts = [
        ("heading", heading),
        ("docs", String::new()),
        ("pager", String::new()),
        (
            "filters",
            filter_form(&["type", "owner", "lifecycle", "problems"]),
        ),
        ("table", table),
    ];
    list_page(
        portal,
        look,
        "APIs",
        address::APIS,
        &parts,
        Some("API"),
        apis.len(),
    )
}

pub fn docs(portal: &Portal, look: &Look) -> String {
    let mut sites: Vec<_> = portal.docs.iter().collect();
    sites.sort_by_cached_key(|d| d.site_name.to_lowercase());
    let heading = format!(
        "<h1>Documentation</h1>\n<p class=\"lead\">{}, {}.</p>\n",
        diagnostics::plural(sites.len(), "site"),
        diagnostics::plural(sites.iter().map(|s| s.pages.len()).sum(), "page")
    );
    let mut table = String::from(
        "<div class=\"table-scroll\"><table class=\"entities\"><thead><tr><th scope=\"col\">Site</th><th scope=\"col\">Entity</th>\
         <th scope=\"col\">Owner</th><th scope=\"col\">Pages</th><th scope=\"col\">Last updated</th></tr></thead><tbody>\n",
    );
    for site in &sites {
        let entity = portal.catalog.get(&site.entity);
        let owner = entity.and_then(|e| first_target(e, "ownedBy"));
        let updated = site
            .pages
            .iter()
            .filter_map(|p| p.last_updated.as_deref())
            .max()
            .map(|d| format!("<time datetime=\"{0}\">{0}</time>", escape(d)))
            // Pages read from a plain folder, or not committed yet.
            .unwrap_or_else(|| {
                "<span class=\"score\" title=\"no git history for these pages\">unknown</span>"
                    .into()
            });
        let _ = writeln!(
            table,
            "<tr data-ref=\"{}\" data-kind=\"{}\" data-owner=\"{}\"><td class=\"name\"><a href=\"{ROOT}{}\">{}</a></td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{updated}</td></tr>",
            escape(&site.entity.to_string()),
            escape(&site.entity.kind),
            escape(&owner.map(short_ref).unwrap_or_default()),
            escape(&site.home()),
            escape(&site.site_name),
            ref_link(portal, &site.entity, ROOT),
            owner.map(|o| ref_link(portal, o, ROOT)).unwrap_or_default(),
            site.pages.len(),
        );
    }
    table.push_str("</tbody></table></div>\n");
    let parts = [
        ("heading", heading),
        ("docs", String::new()),
        ("pager", String::new()),
        ("filters", filter_form(&["kind", "owner"])),
        ("table", table),
    ];
    list_page(
        portal,
        look,
        "Documentation",
        address::DOCS_INDEX,
        &parts,
        None,
        sites.len(),
    )
}
