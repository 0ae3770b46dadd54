//! The view of one docs page handed to the layout: where it sits in the
//! navigation, its neighbours, table of contents and edit link.

use super::markdown::{self, Heading};
use super::nav::{self, NavItem};
use super::site::DocSource;
pub use super::versions::{OldVersionNote, VersionLink};
use crate::address;
use crate::catalog::location::RepoLocation;
use crate::html::{escape, external_link};
use crate::limits::{MAX_NAV_SIBLINGS, NAV_NEIGHBOURS};

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
    /// For `<meta name="description">`: the site's `site_description`, as
    /// MkDocs themes use it, or the page and site names.
    pub description: String,
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
    /// The version switcher: the latest and every old version built from
    /// git tags, this page's own marked; empty when the site has one.
    pub versions: Vec<VersionLink>,
    /// On an old version's pages: which, and the way to the latest.
    pub old_version: Option<OldVersionNote>,
    /// A page `draft_docs` names, shown by a preview only.
    pub draft: bool,
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
    /// Indices on the way to the page in `nav` (see `nav::paths`).
    pub(super) path: Option<&'p [usize]>,
    pub(super) src: &'p str,
    pub(super) url: &'p str,
    /// Show every section's pages (small sites) or only the current path.
    pub(super) expand_all: bool,
    /// The site's page listing every page, when its nav is too long to show
    /// whole on each page (site-relative URL of its folder).
    pub(super) all_pages: Option<&'p str>,
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
    let root = address::up(source.request.depth()) + &address::root_from(page_url);
    let entity = &source.request.entity;
    let href_to = |target_src: &str| markdown::relative(page_url, &markdown::page_file(target_src));
    let position = place.position;
    let neighbour = |i: Option<usize>| {
        i.and_then(|i| order.get(i))
            .map(|(s, t)| (t.clone(), href_to(s)))
    };
    DocPageView {
        path: address::docs_page(&source.request.site_dir(), page_url),
        entity_href: format!("{root}{}", address::entity_page(entity)),
        root,
        site_name: site_name.to_string(),
        entity_title: source.request.entity_title.clone(),
        page_title: title.to_string(),
        description: match source.config.site_description.as_deref().map(str::trim) {
            Some(own) if !own.is_empty() => own.to_string(),
            _ => format!("{title}, in the documentation of {site_name}"),
        },
        breadcrumbs: place
            .path
            .map(|path| nav::titles_along(nav, path))
            .unwrap_or_default(),
        nav: flatten_nav(place, &href_to),
        toc: rendered
            .headings
            .iter()
            .filter(|h| source.config.markdown.toc.lists(h.level))
            .cloned()
            .collect(),
        content,
        previous: neighbour(position.and_then(|p| p.checked_sub(1))),
        next: neighbour(position.map(|p| p + 1)),
        edit_url: edit_url(source, links, src),
        last_updated: None,
        uncommitted: false,
        mermaid: rendered.has_mermaid,
        versions: Vec::new(),
        old_version: None,
        draft: source
            .drafts
            .binary_search_by(|d| d.as_str().cmp(src))
            .is_ok(),
    }
}

/// The site's page of all pages (at `site::ALL_PAGES`): the whole nav as a
/// nested list. `place` is that page's place (no position, no path).
pub(super) fn all_pages_view(
    source: &DocSource,
    place: &PagePlace<'_>,
    site_name: &str,
) -> DocPageView {
    let href_to =
        |target_src: &str| markdown::relative(place.url, &markdown::page_file(target_src));
    let mut content = String::from("<h1>All pages</h1>\n");
    nav_list(place.nav, place.url, &href_to, &mut content);
    let root = address::up(source.request.depth()) + &address::root_from(place.url);
    let entity = &source.request.entity;
    DocPageView {
        path: address::docs_page(&source.request.site_dir(), place.url),
        entity_href: format!("{root}{}", address::entity_page(entity)),
        root,
        site_name: site_name.to_string(),
        entity_title: source.request.entity_title.clone(),
        page_title: "All pages".to_string(),
        description: format!("Every page of the documentation of {site_name}"),
        nav: flatten_nav(place, &href_to),
        content,
        ..DocPageView::default()
    }
}

/// The nav as nested `<ul>`s, every item shown.
fn nav_list(items: &[NavItem], from: &str, href_to: &dyn Fn(&str) -> String, html: &mut String) {
    html.push_str("<ul>");
    for item in items {
        match item {
            NavItem::Page { title, src } => html.push_str(&format!(
                "<li><a href=\"{}\">{}</a></li>",
                escape(&href_to(src)),
                escape(title)
            )),
            NavItem::Link { title, url } => {
                html.push_str(&format!("<li>{}</li>", external_link(url, title)));
            }
            NavItem::SiteLink { title, path } => html.push_str(&format!(
                "<li><a href=\"{}\">{}</a></li>",
                escape(&NavItem::site_href(from, path)),
                escape(title)
            )),
            NavItem::Section { title, children } => {
                html.push_str(&format!("<li>{}", escape(title)));
                nav_list(children, from, href_to, html);
                html.push_str("</li>");
            }
        }
    }
    html.push_str("</ul>\n");
}

/// The nav as indented lines: every top-level item, and the pages of every
/// section (small sites) or of the sections on the way to the current page
/// (big sites, so 2,000 pages do not each carry a 2,000-line nav). A level
/// with more than [`MAX_NAV_SIBLINGS`] items shows the ones around the way
/// to the current page, and links to the site's page of all pages for the
/// rest: each page's nav stays the size of its ancestors' neighbourhoods,
/// whatever the size of its folder.
fn flatten_nav(place: &PagePlace<'_>, href_to: &dyn Fn(&str) -> String) -> Vec<NavLink> {
    let more = place
        .all_pages
        .map(|url| markdown::relative(place.url, &format!("{url}index.html")));
    let mut out = Vec::new();
    let mut level = Level {
        items: place.nav,
        depth: 0,
        path: place.path,
    };
    walk_nav(&mut level, place, href_to, more.as_deref(), &mut out);
    out
}

/// One list of siblings in the nav, and the rest of the way to the page.
struct Level<'n> {
    items: &'n [NavItem],
    depth: usize,
    path: Option<&'n [usize]>,
}

fn walk_nav(
    level: &mut Level<'_>,
    place: &PagePlace<'_>,
    href_to: &dyn Fn(&str) -> String,
    more: Option<&str>,
    out: &mut Vec<NavLink>,
) {
    let on_path = level.path.and_then(|p| p.first().copied());
    let shown = match more {
        Some(_) => window(level.items.len(), on_path),
        None => 0..level.items.len(),
    };
    let more_link = |count: usize| NavLink {
        title: format!("… {count} more"),
        href: more.map(str::to_string),
        depth: level.depth,
        current: false,
        external: false,
    };
    if shown.start > 0 {
        out.push(more_link(shown.start));
    }
    for i in shown.clone() {
        match &level.items[i] {
            NavItem::Page { title, src } => out.push(NavLink {
                title: title.clone(),
                href: Some(href_to(src)),
                depth: level.depth,
                current: src == place.src,
                external: false,
            }),
            NavItem::Link { title, url } => out.push(NavLink {
                title: title.clone(),
                href: Some(url.clone()),
                depth: level.depth,
                current: false,
                external: true,
            }),
            NavItem::SiteLink { title, path } => out.push(NavLink {
                title: title.clone(),
                href: Some(NavItem::site_href(place.url, path)),
                depth: level.depth,
                current: false,
                external: false,
            }),
            NavItem::Section { title, children } => {
                out.push(NavLink {
                    title: title.clone(),
                    href: None,
                    depth: level.depth,
                    current: false,
                    external: false,
                });
                let on_the_way = on_path == Some(i);
                if place.expand_all || on_the_way {
                    let mut inner = Level {
                        items: children,
                        depth: level.depth + 1,
                        path: level.path.filter(|_| on_the_way).map(|p| &p[1..]),
                    };
                    walk_nav(&mut inner, place, href_to, more, out);
                }
            }
        }
    }
    if shown.end < level.items.len() {
        out.push(more_link(level.items.len() - shown.end));
    }
}

/// The items of a level of `len` shown around `focus` (the first ones
/// when the page is not in it).
fn window(len: usize, focus: Option<usize>) -> std::ops::Range<usize> {
    if len <= MAX_NAV_SIBLINGS {
        return 0..len;
    }
    let shown = 2 * NAV_NEIGHBOURS + 1;
    let start = focus
        .unwrap_or(0)
        .saturating_sub(NAV_NEIGHBOURS)
        .min(len - shown);
    start..start + shown
}

/// The page's edit link: `repo_url` + `edit_uri` from mkdocs.yml, else the
/// repository's git remote.
fn edit_url(source: &DocSource, links: &RepoLocation, src: &str) -> Option<String> {
    if source.request.version.is_some() {
        return None; // an old version is a tag: edits go to the latest
    }
    let repo_path = super::pages::page_path(source, src);
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
