//! Where everything is in the built site: the one module that knows the
//! site's address scheme. Every stage that writes a file or a link asks it
//! instead of writing a path of its own, so the scheme can change in one
//! place (and a shard of a build can compute the addresses of another).
//!
//! Addresses are file paths relative to the site root, with `/` folders
//! ending in `/`. They are file paths, not URLs: a link built from one goes
//! through `docs::markdown::encode_path`.

use crate::catalog::entity_ref::EntityRef;

/// The home page: every entity.
pub const HOME: &str = "index.html";
/// The problems page.
pub const PROBLEMS: &str = "problems/index.html";
/// The organisation page.
pub const ORG: &str = "org/index.html";
/// Every API, with its type, owner, providers and consumers.
pub const APIS: &str = "apis/index.html";
/// Every docs site, with its owner, page count and freshness.
pub const DOCS_INDEX: &str = "docs/index.html";
/// `catalog.json`, in the shape of Backstage's `/entities`.
pub const CATALOG_JSON: &str = "catalog.json";
/// The catalog as a spreadsheet.
pub const CATALOG_CSV: &str = "catalog.csv";
/// Portico's own stylesheets, scripts and images, and the theme's.
pub const ASSETS: &str = "assets/";
/// A tantivy index that sites built by earlier Portico builds hold, which
/// `portico search` still reads; no build writes it now.
pub const SEARCH_INDEX_DIR: &str = "_search/tantivy";
/// Every search document, for `portico search` to index on first use
/// (`search::stored`).
pub const SEARCH_DOCUMENTS_FILE: &str = "_search/terminal/documents.bin";
/// The folder of [`SEARCH_DOCUMENTS_FILE`], carried over whole with the
/// browser's index when a build's search documents are unchanged.
pub const SEARCH_TERMINAL_DIR: &str = "_search/terminal";
/// The browser's copy of the search index (classic scripts).
pub const WEB_SEARCH_DIR: &str = "_search/web";
/// How the name of a `portico serve` preview's site folder starts: made in
/// the system's temporary folder (`serve::scratch`), it holds the search
/// index `portico search --site` reads, and a damaged one gets advice of
/// its own (`search::query::SearchError`).
pub const PREVIEW_FOLDER_PREFIX: &str = "portico-serve-";
/// A docs site's page listing all its pages, inside the site's folder.
pub const ALL_PAGES: &str = "_pages/";

/// Folders between the site root and an entity's page folder or docs site
/// folder (`catalog/<namespace>/<kind>/<name>/`).
pub const ENTITY_DEPTH: usize = 4;

/// An entity's page folder: `catalog/<namespace>/<kind>/<name>/`.
pub fn entity_dir(r: &EntityRef) -> String {
    entity_path(r, "")
}

/// An entity's page.
pub fn entity_page(r: &EntityRef) -> String {
    entity_path(r, "index.html")
}

/// `catalog/<namespace>/<kind>/<name>/` and `file`, in one string made at
/// its size: a build asks for every entity's page several times.
fn entity_path(r: &EntityRef, file: &str) -> String {
    let parts = [
        "catalog/",
        &r.namespace,
        "/",
        &r.kind,
        "/",
        &r.name,
        "/",
        file,
    ];
    let mut path = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        path.push_str(part);
    }
    path
}

/// An entity's docs site folder, lower-case as TechDocs stores them:
/// `docs/<namespace>/<kind>/<name>/`.
pub fn docs_site_dir(r: &EntityRef) -> String {
    docs_site_dir_of(&r.namespace, &r.kind, &r.name)
}

/// The docs site folder of an entity named by its parts (as in a
/// `/docs/<namespace>/<kind>/<name>/` link).
pub fn docs_site_dir_of(namespace: &str, kind: &str, name: &str) -> String {
    format!(
        "docs/{}/{}/{}/",
        namespace.to_lowercase(),
        kind.to_lowercase(),
        name.to_lowercase()
    )
}

/// An old version of a docs site, built from a git tag, inside the site's
/// folder: `docs/<namespace>/<kind>/<name>/<version>/` (the default
/// branch, the latest, stays at the site's folder). `version` is a folder
/// name made safe by `docs::versions::folder_name`.
pub fn docs_version_dir(site_dir: &str, version: &str) -> String {
    format!("{site_dir}{version}/")
}

/// Folders between the site root and a docs site's folder: an old
/// version's is one deeper than the latest's.
pub fn docs_site_depth(version: Option<&str>) -> usize {
    ENTITY_DEPTH + usize::from(version.is_some())
}

/// A docs page's file: its site folder, then its page folder (`guide/`).
pub fn docs_page(site_dir: &str, page_dir: &str) -> String {
    format!("{site_dir}{page_dir}index.html")
}

/// The way from a file or folder at `path` back up to the site root
/// (`../` per folder in the path).
pub fn root_from(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// The way up from a folder `depth` folders below the site root.
pub fn up(depth: usize) -> String {
    "../".repeat(depth)
}

/// The folder of a kind's list of entities.
pub fn kind_dir(kind: &str) -> String {
    format!("kinds/{}/", kind.to_lowercase())
}

/// Every scorecard's results, beside `catalog.json`.
pub const SCORECARDS_JSON: &str = "scorecards.json";
/// One row per entity and rule.
pub const SCORECARDS_CSV: &str = "scorecards.csv";
/// The list of scorecards.
pub const SCORECARDS: &str = "scorecards/index.html";

/// A scorecard's page (its name is `[a-z0-9-]+`, checked when read).
pub fn scorecard_page(name: &str) -> String {
    format!("scorecards/{name}/index.html")
}

/// One owner's rollup on a scorecard:
/// `scorecards/<scorecard>/owners/<namespace>/<kind>/<name>/index.html`.
pub fn scorecard_owner_page(scorecard: &str, owner: &EntityRef) -> String {
    format!(
        "scorecards/{scorecard}/owners/{}/{}/{}/index.html",
        owner.namespace, owner.kind, owner.name
    )
}

/// One System's or Domain's rollup on a scorecard:
/// `scorecards/<scorecard>/parts/<namespace>/<kind>/<name>/index.html`.
pub fn scorecard_part_page(scorecard: &str, whole: &EntityRef) -> String {
    format!(
        "scorecards/{scorecard}/parts/{}/{}/{}/index.html",
        whole.namespace, whole.kind, whole.name
    )
}

/// The list of entities of a kind, page `n` (from 1).
pub fn kind_page(kind: &str, n: usize) -> String {
    match n {
        1 => format!("{}index.html", kind_dir(kind)),
        n => format!("{}{n}/index.html", kind_dir(kind)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_and_docs_addresses() {
        let r = EntityRef {
            kind: "component".into(),
            namespace: "default".into(),
            name: "Shipment-Tracker".into(),
        };
        assert_eq!(
            entity_dir(&r),
            "catalog/default/component/Shipment-Tracker/"
        );
        assert_eq!(
            docs_site_dir(&r),
            "docs/default/component/shipment-tracker/"
        );
        assert_eq!(entity_dir(&r).matches('/').count(), ENTITY_DEPTH);
        assert_eq!(docs_site_dir(&r).matches('/').count(), ENTITY_DEPTH);
        assert_eq!(
            entity_page(&r),
            "catalog/default/component/Shipment-Tracker/index.html"
        );
        assert_eq!(root_from(&entity_page(&r)), up(ENTITY_DEPTH));
        assert_eq!(
            docs_page("docs/default/component/x/", "guide/"),
            "docs/default/component/x/guide/index.html"
        );
        let old = docs_version_dir(&docs_site_dir(&r), "v1.0.0");
        assert_eq!(old, "docs/default/component/shipment-tracker/v1.0.0/");
        assert_eq!(old.matches('/').count(), docs_site_depth(Some("v1.0.0")));
        assert_eq!(docs_site_depth(None), ENTITY_DEPTH);
        assert_eq!(kind_page("API", 2), "kinds/api/2/index.html");
        assert_eq!(scorecard_page("default"), "scorecards/default/index.html");
        assert_eq!(
            scorecard_owner_page("default", &r),
            "scorecards/default/owners/default/component/Shipment-Tracker/index.html"
        );
    }
}
