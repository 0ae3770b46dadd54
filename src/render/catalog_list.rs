//! The catalog lists: the home page (every entity, when there are few
//! enough to stay a light first paint) and one page per kind, split into
//! pages of [`ROWS_PER_PAGE`]. Rows carry their facet values as `data-`
//! attributes: `assets/portico.js` turns the filter form into facet menus
//! with counts, a text filter and sortable columns. Without JavaScript the
//! shell's `<noscript>` style hides the form and the lists are plain
//! tables, reached by kind. (Shown from the first paint, not unhidden by
//! the script, so nothing below it moves when the script runs.)

use super::Look;
use super::pages::{ProblemsByFile, first_target, parts_page, ref_link, short_ref};
use crate::address::{self, entity_dir};
use crate::catalog::Entity;
use crate::diagnostics::{self, Diagnostic};
use crate::html::escape;
use crate::output::OutputFile;
use crate::portal::Portal;
use minijinja::context;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// The home page lists every entity up to this many (about 0.5 MB).
const HOME_ROWS: usize = 2000;
/// Rows per page of a kind's list.
pub const ROWS_PER_PAGE: usize = 1000;

/// Entities by kind, as named by the first entity of each: kinds compare
/// case-insensitively (`component` and `Component` share one list, as
/// they share one folder).
fn by_kind(portal: &Portal) -> BTreeMap<&str, Vec<&Entity>> {
    let entities = &portal.catalog.entities;
    kind_groups(portal)
        .into_iter()
        .map(|(kind, places)| (kind, places.into_iter().map(|p| &entities[p]).collect()))
        .collect()
}

pub fn home(
    portal: &Portal,
    look: &Look,
    diagnostics: &[Diagnostic],
    problems: &ProblemsByFile<'_>,
) -> String {
    let catalog = &portal.catalog;
    let kinds = by_kind(portal);
    let counts = diagnostics::count(diagnostics);
    let mut heading = format!(
        "<h1>Catalog</h1>\n<p class=\"lead\">{} from {} · <a href=\"problems/index.html\">{}</a> · \
         download <a href=\"catalog.json\" download>JSON</a> or <a href=\"catalog.csv\" download>CSV</a></p>\n\
         <nav aria-label=\"Kinds\"><ul class=\"counts\">",
        diagnostics::plural(catalog.entities.len(), "entity"),
        diagnostics::plural(portal.repos.len(), "repository"),
        escape(&diagnostics::summary(counts))
    );
    for (kind, entities) in &kinds {
        let _ = write!(
            heading,
            "<li><a href=\"{}\">{}</a> <span>{}</span></li>",
            escape(&address::kind_page(kind, 1)),
            escape(kind),
            entities.len()
        );
    }
    heading.push_str("</ul></nav>\n");
    let mut docs = String::new();
    docs_sites(&mut docs, portal);
    let (filters_html, table_html) = if catalog.entities.len() <= HOME_ROWS {
        let all: Vec<&Entity> = catalog.entities.iter().collect();
        (filters(true), table(portal, problems, &all, "", true))
    } else {
        (
            String::new(),
            format!(
                "<p>The catalog has {}: choose a kind above to list them, or search.</p>\n",
                diagnostics::plural(catalog.entities.len(), "entity")
            ),
        )
    };
    let parts = [
        ("heading", heading),
        ("docs", docs),
        ("pager", String::new()),
        ("filters", filters_html),
        ("table", table_html),
    ];
    list_page(
        portal,
        look,
        "Catalog",
        address::HOME,
        &parts,
        None,
        catalog.entities.len(),
    )
}

/// A list page: its parts through `list.html`, inside the shell.
pub(super) fn list_page(
    portal: &Portal,
    look: &Look,
    title: &str,
    path: &str,
    parts: &[(&str, String)],
    kind: Option<&str>,
    count: usize,
) -> String {
    let data = context! { title => title, kind => kind, count => count };
    parts_page(
        portal,
        look,
        "list.html",
        ("list", data),
        title,
        path,
        parts,
    )
}

/// The documentation sites, an entry point of their own (listed when there
/// are few enough; the search box finds the rest).
fn docs_sites(body: &mut String, portal: &Portal) {
    const LISTED: usize = 200;
    if portal.docs.is_empty() {
        return;
    }
    let _ = write!(
        body,
        "<details class=\"docs-sites\"><summary>Documentation: {}</summary>",
        diagnostics::plural(portal.docs.len(), "site")
    );
    if portal.docs.len() > LISTED {
        body.push_str("<p>Search finds pages of every site; each entity's page links its docs.</p></details>\n");
        return;
    }
    let mut sites: Vec<_> = portal.docs.iter().collect();
    sites.sort_by_cached_key(|d| d.site_name.to_lowercase());
    body.push_str("<ul class=\"columns\">");
    for site in sites {
        let _ = write!(
            body,
            "<li><a href=\"{}\">{}</a> <span class=\"count\">{}</span></li>",
            escape(&site.home()),
            escape(&site.site_name),
            diagnostics::plural(site.pages.len(), "page")
        );
    }
    body.push_str("</ul></details>\n");
}

/// Every page of every kind's list.
/// `stop` is asked before each kind (`portico serve` gives up a build's
/// lists for a newer edit's pages); `None` when it says stop.
pub fn kind_pages_until(
    portal: &Portal,
    look: &Look,
    problems: &ProblemsByFile<'_>,
    stop: &dyn Fn() -> bool,
) -> Option<Vec<OutputFile>> {
    let mut files = Vec::new();
    for (kind, entities) in by_kind(portal) {
        if stop() {
            return None;
        }
        files.extend(kind_group_pages(portal, look, problems, kind, &entities));
    }
    Some(files)
}

/// The entities of each kind list, by their places in the catalog, as
/// [`kind_pages_until`] groups them (the kind named by its first valid
/// entity: a rejected `kind: Api` does not name the list of APIs).
pub(super) fn kind_groups(portal: &Portal) -> Vec<(&str, Vec<usize>)> {
    let mut by_key: BTreeMap<String, (&str, bool, Vec<usize>)> = BTreeMap::new();
    for (place, e) in portal.catalog.entities.iter().enumerate() {
        let valid = e.rejected.is_none();
        let group = by_key
            .entry(e.kind.to_lowercase())
            .or_insert_with(|| (e.kind.as_str(), valid, Vec::new()));
        if valid && !group.1 {
            (group.0, group.1) = (e.kind.as_str(), true);
        }
        group.2.push(place);
    }
    by_key
        .into_values()
        .map(|(kind, _, places)| (kind, places))
        .collect()
}

/// The list pages of one kind (`kind` as named by the first of `entities`).
pub(super) fn kind_group_pages(
    portal: &Portal,
    look: &Look,
    problems: &ProblemsByFile<'_>,
    kind: &str,
    entities: &[&Entity],
) -> Vec<OutputFile> {
    let pages: Vec<&[&Entity]> = entities.chunks(ROWS_PER_PAGE).collect();
    let page = |(i, rows): (usize, &&[&Entity])| {
        let n = i + 1;
        let path = address::kind_page(kind, n);
        let root = "../".repeat(path.matches('/').count());
        let heading = format!(
            "<p class=\"crumbs\"><a href=\"{root}index.html\">Catalog</a></p>\n<h1>{}</h1>\n<p class=\"lead\">{} · \
             download the catalog as <a href=\"{root}catalog.json\" download>JSON</a> or \
             <a href=\"{root}catalog.csv\" download>CSV</a></p>\n",
            escape(kind),
            diagnostics::plural(entities.len(), "entity")
        );
        let pager_html = if pages.len() > 1 {
            pager(kind, n, pages.len(), &root)
        } else {
            String::new()
        };
        let parts = [
            ("heading", heading),
            ("docs", String::new()),
            ("pager", pager_html),
            ("filters", filters(false)),
            ("table", table(portal, problems, rows, &root, false)),
        ];
        let title = if n == 1 {
            kind.to_string()
        } else {
            format!("{kind} (page {n})")
        };
        OutputFile::new(
            path.clone(),
            list_page(
                portal,
                look,
                &title,
                &path,
                &parts,
                Some(kind),
                entities.len(),
            ),
        )
    };
    pages.par_iter().enumerate().map(page).collect()
}

fn pager(kind: &str, current: usize, count: usize, root: &str) -> String {
    let mut html = String::from("<nav class=\"pages\" aria-label=\"Pages\">");
    for n in 1..=count {
        if n == current {
            let _ = write!(html, "<span aria-current=\"page\">{n}</span> ");
        } else {
            let _ = write!(
                html,
                "<a href=\"{root}{}\">{n}</a> ",
                escape(&address::kind_page(kind, n))
            );
        }
    }
    html.push_str("</nav>\n");
    html
}

/// The filter form, filled and shown by `assets/portico.js`.
fn filters(with_kind: bool) -> String {
    let mut facets: Vec<&str> = Vec::new();
    if with_kind {
        facets.push("kind");
    }
    facets.extend([
        "type",
        "owner",
        "lifecycle",
        "level",
        "tag",
        "namespace",
        "problems",
    ]);
    filter_form(&facets)
}

/// A filter form over `table.entities` with these facets (each a `data-`
/// attribute of the rows), the text box and the starred switch. Its state
/// is kept in the page's address (`?kind=api&q=orders`) by `portico.js`.
pub(super) fn filter_form(facets: &[&str]) -> String {
    let mut html = String::from(
        "<form class=\"filters\" aria-label=\"Filter the list\">\
         <label>Text <input type=\"search\" name=\"text\" data-filter=\"text\" placeholder=\"Name, description…\"></label>\
         <button type=\"button\" class=\"filters-more\" aria-expanded=\"false\">Filters</button>",
    );
    // On phones the stylesheet folds the menus behind the button from the
    // first paint (portico.js unfolds them), so nothing moves.
    for facet in facets {
        let _ = write!(
            html,
            "<label class=\"facet-menu\">{facet} <select name=\"{facet}\" data-facet=\"{facet}\"><option value=\"\">all</option></select></label>"
        );
    }
    html.push_str(
        "<label class=\"starred-only\"><span>starred</span><input type=\"checkbox\" name=\"starred\" value=\"1\" data-filter=\"starred\"></label>\
         <output aria-live=\"polite\"></output></form>\n",
    );
    html
}

/// Each entity's level on the first scorecard (the facet and column):
/// `none` below its first level, absent when it does not apply.
fn levels(portal: &Portal) -> HashMap<&str, &str> {
    portal.scorecards.first_card_levels()
}

/// `error` or `warning`: the worst problem in the entity's YAML document
/// (the row's marker and facet), with how many there are.
pub(super) fn worst_problem(
    problems: &ProblemsByFile<'_>,
    e: &Entity,
) -> Option<(&'static str, usize)> {
    let found = problems.of(e);
    let shown: Vec<_> = found
        .iter()
        .filter(|d| d.severity != diagnostics::Severity::Info)
        .collect();
    let worst = if shown
        .iter()
        .any(|d| d.severity == diagnostics::Severity::Error)
    {
        "error"
    } else if !shown.is_empty() {
        "warning"
    } else {
        return None;
    };
    Some((worst, shown.len()))
}

fn table(
    portal: &Portal,
    problems: &ProblemsByFile<'_>,
    entities: &[&Entity],
    root: &str,
    with_kind: bool,
) -> String {
    let levels = levels(portal);
    let level_title = portal
        .scorecards
        .scorecards
        .first()
        .map(|c| c.title.as_str());
    let mut html = String::with_capacity(entities.len() * 400);
    // In a box of its own that scrolls sideways when the columns need more
    // than the window (a tablet, a narrow desktop window), not the page.
    html.push_str("<div class=\"table-scroll\"><table class=\"entities\">\n<thead><tr><th scope=\"col\">Name</th>");
    if with_kind {
        html.push_str("<th scope=\"col\">Kind</th>");
    }
    html.push_str(
        "<th scope=\"col\">Type</th><th scope=\"col\">Owner</th><th scope=\"col\">System</th>\
         <th scope=\"col\">Lifecycle</th>",
    );
    if let Some(title) = level_title {
        let _ = write!(
            html,
            "<th scope=\"col\" title=\"Level on {}\">Level</th>",
            escape(title)
        );
    }
    html.push_str(
        "<th scope=\"col\" class=\"tags\">Tags</th><th scope=\"col\" class=\"description\">Description</th></tr></thead>\n<tbody>\n",
    );
    for e in entities {
        let owner = first_target(e, "ownedBy");
        let tags: Vec<&str> = e.metadata()["tags"]
            .as_array()
            .map(|t| t.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let system = e
            .relations
            .iter()
            .find(|r| r.kind == "partOf" && r.target.kind == "system");
        let level = levels
            .get(e.entity_ref.to_string().as_str())
            .copied()
            .unwrap_or("");
        let worst = worst_problem(problems, e);
        let marker = worst
            .map(|(worst, n)| {
                format!(
                    " <a class=\"has-problems {worst}\" href=\"{root}{}index.html#problems\" title=\"{}\">!</a>",
                    escape(&entity_dir(&e.entity_ref)),
                    diagnostics::plural(n, "problem")
                )
            })
            .unwrap_or_default();
        let _ = write!(
            html,
            "<tr data-ref=\"{}\" data-kind=\"{}\" data-type=\"{}\" data-owner=\"{}\" data-lifecycle=\"{}\" data-level=\"{}\" data-tag=\"{}\" data-namespace=\"{}\" data-problems=\"{}\">\
             <td class=\"name\"><a href=\"{root}{}index.html\">{}</a>{marker}</td>",
            escape(&e.entity_ref.to_string()),
            escape(&e.kind.to_lowercase()),
            escape(e.spec_str("type").unwrap_or("")),
            escape(&owner.map(short_ref).unwrap_or_default()),
            escape(e.spec_str("lifecycle").unwrap_or("")),
            escape(level),
            // One tag a line: a tag Backstage rejects may hold a space.
            escape(&tags.join("\n")),
            escape(&e.namespace),
            worst.map_or("", |(w, _)| w),
            escape(&entity_dir(&e.entity_ref)),
            escape(e.display_name()),
        );
        if with_kind {
            let _ = write!(html, "<td>{}</td>", escape(&e.kind));
        }
        let level_cell = match level_title {
            Some(_) => format!("<td>{}</td>", escape(level)),
            None => String::new(),
        };
        let _ = writeln!(
            html,
            "<td>{}</td><td>{}</td><td>{}</td><td>{}</td>{level_cell}<td class=\"tags\">{}</td><td class=\"description\">{}</td></tr>",
            escape(e.spec_str("type").unwrap_or("")),
            owner.map(|r| ref_link(portal, r, root)).unwrap_or_default(),
            system
                .map(|r| ref_link(portal, &r.target, root))
                .unwrap_or_default(),
            escape(e.spec_str("lifecycle").unwrap_or("")),
            tags.iter()
                .map(|t| format!("<span class=\"tag\">{}</span>", escape(t)))
                .collect::<Vec<_>>()
                .join(" "),
            escape(e.metadata_str("description").unwrap_or("")),
        );
    }
    html.push_str("</tbody>\n</table></div>\n");
    html
}
