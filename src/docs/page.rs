//! The view of one docs page handed to the layout: where it sits in the
//! navigation, its neighbours, table of contents and edit link.

use super::markdown::{self, Heading};
use super::nav::{self, NavItem};
use super::site::DocSource;
use crate::catalog::location::RepoLocation;

/// Everything the layout needs to draw one docs page.
#[derive(Debug, Default)]
pub struct DocPageView {
    /// From the page folder up to the portal root, e.g. `../../../../../`.
    pub root: String,
    pub site_name: String,
    pub entity_title: String,
    /// The entity's catalog page, relative to the page.
    pub entity_href: String,
    pub page_title: String,
    pub breadcrumbs: Vec<String>,
    pub nav: Vec<NavLink>,
    pub toc: Vec<Heading>,
    pub content: String,
    pub previous: Option<(String, String)>,
    pub next: Option<(String, String)>,
    pub edit_url: Option<String>,
    /// `(YYYY-MM-DD, author)` of the last commit that changed the page.
    pub last_updated: Option<(String, String)>,
    /// The work-tree file differs from its last commit.
    pub uncommitted: bool,
    /// Load the diagram renderer (the page has mermaid blocks).
    pub mermaid: bool,
    /// The page's file from the portal root, e.g.
    /// `docs/default/component/x/guide/index.html` (for canonical links).
    pub path: String,
}

/// One line of the page's navigation (flattened tree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavLink {
    pub title: String,
    /// `None` for sections.
    pub href: Option<String>,
    pub depth: usize,
    pub current: bool,
    pub external: bool,
}

/// Where a page sits in its site's navigation.
pub(super) struct PagePlace<'p> {
    pub(super) nav: &'p [NavItem],
    pub(super) order: &'p [(String, String)],
    /// Index in `order`, when the page is in the nav.
    pub(super) position: Option<usize>,
    pub(super) src: &'p str,
    pub(super) url: &'p str,
    /// Show every section's pages (small sites) or only the current path.
    pub(super) expand_all: bool,
}

/// The whole view of one page.
pub(super) fn page_view(
    source: &DocSource,
    links: &RepoLocation,
    place: &PagePlace<'_>,
    title: &str,
    site_name: &str,
    rendered: &markdown::RenderedPage,
    content: String,
) -> DocPageView {
    let (nav, order, src, page_url) = (place.nav, place.order, place.src, place.url);
    let depth = 4 + page_url.matches('/').count();
    let root = "../".repeat(depth);
    let entity = &source.request.entity;
    let href_to = |target_src: &str| {
        markdown::relative(
            page_url,
            &format!("{}index.html", markdown::page_url(target_src)),
        )
    };
    let position = place.position;
    let neighbour = |i: Option<usize>| {
        i.and_then(|i| order.get(i))
            .map(|(s, t)| (t.clone(), href_to(s)))
    };
    DocPageView {
        path: format!(
            "docs/{}/{}/{}/{page_url}index.html",
            entity.namespace, entity.kind, entity.name
        ),
        root: root.clone(),
        site_name: site_name.to_string(),
        entity_title: source.request.entity_title.clone(),
        entity_href: format!(
            "{root}catalog/{}/{}/{}/index.html",
            entity.namespace, entity.kind, entity.name
        ),
        page_title: title.to_string(),
        breadcrumbs: nav::breadcrumbs(nav, src),
        nav: flatten_nav(nav, src, &href_to, place.expand_all),
        toc: rendered
            .headings
            .iter()
            .filter(|h| h.level >= 2 && h.level <= 3)
            .cloned()
            .collect(),
        content,
        previous: neighbour(position.and_then(|p| p.checked_sub(1))),
        next: neighbour(position.map(|p| p + 1)),
        edit_url: edit_url(source, links, src),
        last_updated: None,
        uncommitted: false,
        mermaid: rendered.has_mermaid,
    }
}

/// The nav as indented lines: every top-level item, and the pages of every
/// section (small sites) or of the sections on the way to the current page
/// (big sites, so 2,000 pages do not each carry a 2,000-line nav).
fn flatten_nav(
    nav: &[NavItem],
    current: &str,
    href_to: &dyn Fn(&str) -> String,
    expand_all: bool,
) -> Vec<NavLink> {
    fn contains(items: &[NavItem], src: &str) -> bool {
        items.iter().any(|i| match i {
            NavItem::Page { src: s, .. } => s == src,
            NavItem::Section { children, .. } => contains(children, src),
            NavItem::Link { .. } => false,
        })
    }
    fn walk(
        items: &[NavItem],
        depth: usize,
        current: &str,
        href_to: &dyn Fn(&str) -> String,
        expand_all: bool,
        out: &mut Vec<NavLink>,
    ) {
        for item in items {
            match item {
                NavItem::Page { title, src } => out.push(NavLink {
                    title: title.clone(),
                    href: Some(href_to(src)),
                    depth,
                    current: src == current,
                    external: false,
                }),
                NavItem::Link { title, url } => out.push(NavLink {
                    title: title.clone(),
                    href: Some(url.clone()),
                    depth,
                    current: false,
                    external: true,
                }),
                NavItem::Section { title, children } => {
                    out.push(NavLink {
                        title: title.clone(),
                        href: None,
                        depth,
                        current: false,
                        external: false,
                    });
                    if expand_all || contains(children, current) {
                        walk(children, depth + 1, current, href_to, expand_all, out);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(nav, 0, current, href_to, expand_all, &mut out);
    out
}

/// The page's edit link: `repo_url` + `edit_uri` from mkdocs.yml, else the
/// repository's git remote.
fn edit_url(source: &DocSource, links: &RepoLocation, src: &str) -> Option<String> {
    let repo_path = match &source.readme_index {
        Some(readme) if src == "index.md" => readme.clone(),
        _ => format!("{}/{src}", source.docs_dir),
    };
    let readme_home = source.readme_index.is_some() && src == "index.md";
    if let Some(repo_url) = &source.config.repo_url {
        let base = repo_url.trim_end_matches('/').trim_end_matches(".git");
        if readme_home {
            // The README is not under docs_dir: edit_uri does not apply.
            return Some(format!("{base}/edit/{}/{repo_path}", links.revision));
        }
        let edit_uri = match &source.config.edit_uri {
            Some(uri) => uri.trim_matches('/').to_string(),
            None if base.contains("github.com") || base.contains("gitlab") => {
                let docs = source.config.docs_dir.trim_matches('/');
                format!("edit/{}/{docs}", links.revision)
            }
            None => return None,
        };
        return Some(format!("{base}/{edit_uri}/{src}"));
    }
    links.view_and_edit(&repo_path).map(|(_, edit)| edit)
}
