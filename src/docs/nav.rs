//! Navigation: the `nav` of mkdocs.yml, or the one MkDocs builds without it.

use crate::diagnostics::{Diagnostic, SourceFile};
use crate::yaml::{Node, Value};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NavItem {
    Page {
        title: String,
        src: String,
    },
    Section {
        title: String,
        children: Vec<NavItem>,
    },
    Link {
        title: String,
        url: String,
    },
    /// A `nav` entry that is no page but a place in the portal, as MkDocs
    /// keeps one (`nav.py`: an entry that is not a file is a link): a folder
    /// of the docs (`guides/`, its `index.html`), a path out of them
    /// (`../other/`), both relative to the site's folder, or a path from the
    /// host's root (`/catalog/`), kept as written.
    SiteLink {
        title: String,
        path: String,
    },
}

impl NavItem {
    /// A [`NavItem::SiteLink`]'s address from the page at `from` (a page's
    /// folder, relative to the site's).
    pub fn site_href(from: &str, path: &str) -> String {
        if path.starts_with('/') {
            path.to_string()
        } else {
            crate::docs::markdown::relative(from, path)
        }
    }
}

/// MkDocs' `dirname_to_title`: `getting-started` → `Getting started`.
pub fn dirname_to_title(name: &str) -> String {
    let title = name.replace(['-', '_'], " ");
    if title.to_lowercase() == title {
        let mut chars = title.chars();
        chars
            .next()
            .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
    } else {
        title
    }
}

/// A page's title when neither nav nor the page gives one, as MkDocs'
/// `Page.title` makes it: "Home" for the home page, else the file's name
/// (`README` counting as `index`, so a folder's index page is "Index").
pub fn title_from_path(src: &str) -> String {
    let stem = page_stem(src);
    if stem == "index" || stem == "README" {
        match src.rsplit('/').nth(1) {
            Some(_) => "Index".into(),
            None => "Home".into(),
        }
    } else {
        dirname_to_title(stem)
    }
}

/// A page's file name without its folder and its Markdown extension.
fn page_stem(src: &str) -> &str {
    let name = src.rsplit('/').next().unwrap_or(src);
    super::site::markdown_stem(name).unwrap_or(name)
}

fn is_index(name: &str) -> bool {
    let stem = page_stem(name);
    stem == "index" || stem == "README"
}

/// MkDocs' automatic nav: per folder, the index first, then pages
/// alphabetically, then sub-folders as sections.
pub fn automatic(pages: &[String], titles: &HashMap<String, String>) -> Vec<NavItem> {
    let mut sorted: Vec<&String> = pages.iter().collect();
    // The key is made once per page (a sort by key would make it again at
    // every comparison: thousands of small strings for a big site, twice
    // per build).
    // MkDocs' `file_sort_key`: (folders, not the index, name), compared as
    // written (`CHANGELOG.md` before `api.md`), not case-folded.
    sorted.sort_by_cached_key(|p| {
        let parts: Vec<&str> = p.split('/').collect();
        let (dirs, name) = parts.split_at(parts.len() - 1);
        (dirs.to_vec(), !is_index(name[0]), name[0])
    });
    let mut root = Vec::new();
    for src in sorted {
        let mut level = &mut root;
        let dirs: Vec<&str> = src.split('/').collect();
        for dir in &dirs[..dirs.len() - 1] {
            let title = dirname_to_title(dir);
            let position = level
                .iter()
                .position(|item| matches!(item, NavItem::Section { title: t, .. } if *t == title));
            let index = match position {
                Some(i) => i,
                None => {
                    level.push(NavItem::Section {
                        title,
                        children: Vec::new(),
                    });
                    level.len() - 1
                }
            };
            let NavItem::Section { children, .. } = &mut level[index] else {
                unreachable!("just matched a section")
            };
            level = children;
        }
        let title = titles
            .get(src.as_str())
            .cloned()
            .unwrap_or_else(|| title_from_path(src));
        level.push(NavItem::Page {
            title,
            src: src.clone(),
        });
    }
    root
}

/// Files of the docs folder that are no pages of their own, for `nav`
/// entries naming them.
#[derive(Clone, Copy, Default)]
pub struct Unpublished<'a> {
    /// Left out by `exclude_docs` or `draft_docs` (sorted).
    pub excluded: &'a [String],
    /// Files whose page is another file's, with that file, sorted
    /// (`DocSource::aliases`).
    pub aliases: &'a [(String, String)],
}

/// The explicit `nav` over the site's `pages` (sorted); entries naming
/// missing pages are reported and left out.
pub fn from_config(
    nav: &Node,
    pages: &[String],
    unpublished: &Unpublished<'_>,
    titles: &HashMap<String, String>,
    file: &SourceFile<'_>,
    out: &mut Vec<Diagnostic>,
) -> Vec<NavItem> {
    let Some(items) = nav.as_seq() else {
        return Vec::new();
    };
    let mut first_titles = HashMap::new();
    let context = Context {
        pages,
        unpublished,
        titles,
        file,
    };
    items
        .iter()
        .filter_map(|item| entry(item, &context, &mut first_titles, out))
        .collect()
}

/// What every `nav` entry is read against.
struct Context<'c> {
    pages: &'c [String],
    unpublished: &'c Unpublished<'c>,
    titles: &'c HashMap<String, String>,
    file: &'c SourceFile<'c>,
}

/// One entry of the `nav`. A file listed more than once has the title of
/// its first entry in every entry (`first_titles`, by the file as written),
/// as in MkDocs (`nav.py` makes one `Page` per file, at its first entry,
/// and hands it back for the later ones).
fn entry(
    item: &Node,
    context: &Context<'_>,
    first_titles: &mut HashMap<String, String>,
    out: &mut Vec<Diagnostic>,
) -> Option<NavItem> {
    let Context {
        pages,
        unpublished,
        titles,
        file,
    } = *context;
    let (title, value) = match &item.value {
        Value::String(_) => (None, item),
        Value::Map(entries) if entries.len() == 1 => {
            (Some(entries[0].0.name.clone()), &entries[0].1)
        }
        _ => {
            out.push(
                Diagnostic::warning(
                    "nav-invalid",
                    format!(
                        "nav entry is {}, not `Title: page.md` or a page path",
                        item.type_name()
                    ),
                )
                .in_file(file, item.pos.line, item.pos.column),
            );
            return None;
        }
    };
    if let Some(children) = value.as_seq() {
        let children = children
            .iter()
            .filter_map(|c| entry(c, context, first_titles, out))
            .collect();
        return Some(NavItem::Section {
            title: title.unwrap_or_default(),
            children,
        });
    }
    let Some(target) = value.as_str().map(str::trim) else {
        out.push(
            Diagnostic::warning(
                "nav-invalid",
                format!(
                    "nav entry has {}, not a page path, a URL or a list",
                    value.type_name()
                ),
            )
            .with_hint("write `Title: page.md`, `Title: https://...` or a list of entries")
            .in_file(file, value.pos.line, value.pos.column),
        );
        return None;
    };
    if value.tag.is_some() || target.starts_with("!include") {
        out.push(
            Diagnostic::info(
                "nav-include",
                format!(
                    "nav entry `{target}` (monorepo `!include`) is not supported; it was left out"
                ),
            )
            .in_file(file, value.pos.line, value.pos.column),
        );
        return None;
    }
    // A page first, as MkDocs looks the file up first (`v2:notes.md`).
    let src = crate::read::safe_path::normalize(target).unwrap_or_default();
    // `pages` is sorted: a nav of 20,000 entries over as many pages is
    // looked up by halves, not scanned once per entry.
    let is_page = pages.binary_search(&src).is_ok();
    let scheme = !is_page
        && target.split_once(':').is_some_and(|(scheme, _)| {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
        });
    // `//host/x` is another host, as a browser reads it.
    if !is_page && (target.contains("://") || scheme || target.starts_with("//")) {
        if !crate::html::allowed_url(target, crate::html::UrlUse::Link) {
            out.push(
                Diagnostic::warning(
                    "unsafe-link",
                    format!("nav link `{target}` is not a web or mail address; it was left out"),
                )
                .with_hint("nav links may be http(s), mailto, tel or ftp addresses")
                .in_file(file, value.pos.line, value.pos.column),
            );
            return None;
        }
        return Some(NavItem::Link {
            title: title.unwrap_or_else(|| target.to_string()),
            url: target.to_string(),
        });
    }
    if !is_page && let Some(path) = site_link(target, pages) {
        return Some(NavItem::SiteLink {
            title: title.unwrap_or_else(|| target.to_string()),
            path,
        });
    }
    // A file whose page another file is (`guide.md` beside
    // `guide/index.md`) leads to that page, as its address does in MkDocs;
    // its title is its own.
    let written = src.clone();
    let src = match unpublished
        .aliases
        .binary_search_by(|(alias, _)| alias.as_str().cmp(&src))
    {
        Ok(i) => unpublished.aliases[i].1.clone(),
        Err(_) => src,
    };
    if pages.binary_search(&src).is_err() {
        out.push(
            if crate::docs::site::excluded_by_default(&src) {
                Diagnostic::error(
                    "nav-missing-page",
                    format!("nav entry `{target}` names a page that is left out of every site"),
                )
                .with_hint("MkDocs leaves out files whose name, or a folder's on the way, starts with a dot, and the templates/ folder at the top of docs_dir: move the page")
            } else if unpublished.excluded.binary_search(&src).is_ok() {
                // MkDocs only notes it (a draft listed in the nav is the
                // usual way to write one); the entry would lead nowhere.
                Diagnostic::info(
                    "excluded-target",
                    format!("nav entry `{target}` names a page that `exclude_docs` or `draft_docs` leaves out of the site; the entry is left out of the nav"),
                )
                .with_hint("publish the page when it is ready, or take the entry out of the nav")
            } else {
                Diagnostic::error(
                    "nav-missing-page",
                    format!("nav entry `{target}` names a page that does not exist in docs_dir"),
                )
                .with_hint("fix the path (relative to docs_dir) or create the page")
            }
            .in_file(file, value.pos.line, value.pos.column),
        );
        return None;
    }
    let title = title.unwrap_or_else(|| {
        titles
            .get(&written)
            .cloned()
            .unwrap_or_else(|| title_from_path(&written))
    });
    let title = first_titles.entry(written).or_insert(title).clone();
    Some(NavItem::Page { title, src })
}

/// The portal path a `nav` entry that is no page links to, when it names
/// a place rather than a missing file: a path from the host's root, or a
/// folder (ending in `/`, or a last part without a dot), `index.html`
/// added so the link opens from disk too. `None` for what looks like a
/// file (`missing.md`: a page that does not exist is an error) or holds
/// characters no plain path has.
fn site_link(target: &str, pages: &[String]) -> Option<String> {
    let plain = !target.is_empty()
        && !target.contains(['\\', '"', '<', '>', '?', '#', ' ', ':'])
        && !target.chars().any(char::is_control)
        && !target.starts_with("//");
    if !plain {
        return None;
    }
    if target.starts_with('/') {
        return Some(target.to_string());
    }
    let last = target
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    let folder = target.ends_with('/') || (!last.contains('.') && !last.is_empty());
    if !folder && !matches!(last, "." | "..") {
        return None;
    }
    // Inside the docs the folder must have an index page (a typo is an
    // error, as a missing page is); out of them nothing can be checked.
    match crate::read::safe_path::normalize(target) {
        Ok(inside) => {
            let has_index = crate::docs::site::folder_pages(&inside)
                .any(|page| pages.binary_search(&page).is_ok());
            if !has_index {
                return None;
            }
            Some(format!("{inside}/index.html"))
        }
        Err(crate::read::safe_path::PathError::Empty) => Some("index.html".to_string()),
        Err(_) => {
            let folder = target.trim_start_matches("./").trim_end_matches('/');
            Some(format!("{folder}/index.html"))
        }
    }
}

/// Pages in nav order, for previous/next links.
pub fn page_order(nav: &[NavItem]) -> Vec<(String, String)> {
    let mut order = Vec::new();
    fn walk(items: &[NavItem], order: &mut Vec<(String, String)>) {
        for item in items {
            match item {
                NavItem::Page { title, src } => order.push((src.clone(), title.clone())),
                NavItem::Section { children, .. } => walk(children, order),
                NavItem::Link { .. } | NavItem::SiteLink { .. } => {}
            }
        }
    }
    walk(nav, &mut order);
    order
}

/// Where each page sits in the nav: the index of the item at each level
/// on the way to it (found once per site, not searched for on every page).
pub fn paths(nav: &[NavItem]) -> HashMap<String, Vec<usize>> {
    fn walk(items: &[NavItem], trail: &mut Vec<usize>, out: &mut HashMap<String, Vec<usize>>) {
        for (i, item) in items.iter().enumerate() {
            trail.push(i);
            match item {
                NavItem::Page { src, .. } => {
                    out.entry(src.clone()).or_insert_with(|| trail.clone());
                }
                NavItem::Section { children, .. } => walk(children, trail, out),
                NavItem::Link { .. } | NavItem::SiteLink { .. } => {}
            }
            trail.pop();
        }
    }
    let mut out = HashMap::new();
    walk(nav, &mut Vec::new(), &mut out);
    out
}

/// The most items any one level of the nav holds.
pub fn longest_level(nav: &[NavItem]) -> usize {
    nav.iter()
        .map(|item| match item {
            NavItem::Section { children, .. } => longest_level(children),
            _ => 0,
        })
        .fold(nav.len(), usize::max)
}

/// Section titles along a nav path (see [`paths`]), for breadcrumbs.
pub fn titles_along(nav: &[NavItem], path: &[usize]) -> Vec<String> {
    let mut titles = Vec::new();
    let mut items = nav;
    for &i in path {
        match items.get(i) {
            Some(NavItem::Section { title, children }) => {
                titles.push(title.clone());
                items = children;
            }
            _ => break,
        }
    }
    titles
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Budget, parse_single};

    fn titles() -> HashMap<String, String> {
        HashMap::from([("guides/setup.md".to_string(), "Setting up".to_string())])
    }

    /// Names compare as written, as in MkDocs: upper case before lower.
    #[test]
    fn automatic_nav_sorts_names_as_written() {
        let pages: Vec<String> = [
            "api.md",
            "CHANGELOG.md",
            "Zeta/x.md",
            "alpha/y.md",
            "index.md",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let order: Vec<String> = page_order(&automatic(&pages, &titles()))
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        assert_eq!(
            order,
            [
                "index.md",
                "CHANGELOG.md",
                "api.md",
                "Zeta/x.md",
                "alpha/y.md"
            ]
        );
    }

    #[test]
    fn automatic_nav_puts_index_first_and_folders_after_pages() {
        let pages: Vec<String> = [
            "z.md",
            "guides/setup.md",
            "index.md",
            "a.md",
            "guides/index.md",
            "my_folder/x.md",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let nav = automatic(&pages, &titles());
        let order: Vec<String> = page_order(&nav).into_iter().map(|(s, _)| s).collect();
        assert_eq!(
            order,
            vec![
                "index.md",
                "a.md",
                "z.md",
                "guides/index.md",
                "guides/setup.md",
                "my_folder/x.md"
            ]
        );
        assert!(matches!(&nav[3], NavItem::Section { title, .. } if title == "Guides"));
        assert!(matches!(&nav[4], NavItem::Section { title, .. } if title == "My folder"));
        assert_eq!(page_order(&nav)[4].1, "Setting up");
    }

    /// The nav of `mkdocs.yml` text over `pages`, and its problems.
    fn explicit(text: &str, pages: &[&str]) -> (Vec<NavItem>, Vec<crate::diagnostics::Diagnostic>) {
        let root = parse_single(text, Budget::default()).unwrap().unwrap();
        let mut pages: Vec<String> = pages.iter().map(|p| p.to_string()).collect();
        pages.sort();
        let file = SourceFile {
            repo: "r",
            repo_dir: "r",
            path: "mkdocs.yml",
            text,
            line_index: None,
        };
        let mut out = Vec::new();
        let nav = from_config(
            root.get("nav").unwrap(),
            &pages,
            &Unpublished::default(),
            &titles(),
            &file,
            &mut out,
        );
        (nav, out)
    }

    /// MkDocs makes one page per file, at its first entry: a page listed
    /// again keeps the first entry's title (written or not).
    #[test]
    fn a_page_listed_twice_keeps_its_first_title() {
        let (nav, _) = explicit(
            "nav:\n  - Home: index.md\n  - First: a.md\n  - More:\n    - Second: a.md\n  - guides/setup.md\n  - Setup again: guides/setup.md\n",
            &["index.md", "a.md", "guides/setup.md"],
        );
        let titles: Vec<String> = page_order(&nav).into_iter().map(|(_, t)| t).collect();
        assert_eq!(
            titles,
            ["Home", "First", "First", "Setting up", "Setting up"]
        );
    }

    /// Entries that are no page are links, as MkDocs makes them: folders
    /// and paths in the portal, other schemes through the URL check; a
    /// missing file is still an error.
    #[test]
    fn nav_entries_that_are_no_page_are_links() {
        let (nav, out) = explicit(
            "nav:\n  - Guides: guides/\n  - Catalog: /catalog/\n  - Other: ../other\n  - Call: tel:+123\n  - Evil: javascript:alert(1)\n  - Gone: gone.md\n  - Top: ./\n  - Typo: guidse\n  - Host: //evil.example/x\n  - Notes: v2:notes.md\n",
            &["index.md", "guides/index.md", "v2:notes.md"],
        );
        let site = |title: &str, path: &str| NavItem::SiteLink {
            title: title.into(),
            path: path.into(),
        };
        assert_eq!(
            nav,
            vec![
                site("Guides", "guides/index.html"),
                site("Catalog", "/catalog/"),
                site("Other", "../other/index.html"),
                NavItem::Link {
                    title: "Call".into(),
                    url: "tel:+123".into()
                },
                site("Top", "index.html"),
                NavItem::Link {
                    title: "Host".into(),
                    url: "//evil.example/x".into()
                },
                NavItem::Page {
                    title: "Notes".into(),
                    src: "v2:notes.md".into()
                },
            ]
        );
        let codes: Vec<&str> = out.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            ["unsafe-link", "nav-missing-page", "nav-missing-page"]
        );
        assert_eq!(
            NavItem::site_href("guides/setup/", "../other/index.html"),
            "../../../other/index.html"
        );
        assert_eq!(
            NavItem::site_href("guides/setup/", "/catalog/"),
            "/catalog/"
        );
    }

    #[test]
    fn explicit_nav_with_sections_links_and_a_missing_page() {
        let (nav, out) = explicit(
            "nav:\n  - Home: index.md\n  - Guides:\n      - guides/setup.md\n      - Gone: guides/gone.md\n  - Issues: https://example.com/issues\n",
            &["index.md", "guides/setup.md"],
        );
        assert_eq!(
            nav,
            vec![
                NavItem::Page {
                    title: "Home".into(),
                    src: "index.md".into()
                },
                NavItem::Section {
                    title: "Guides".into(),
                    children: vec![NavItem::Page {
                        title: "Setting up".into(),
                        src: "guides/setup.md".into()
                    }]
                },
                NavItem::Link {
                    title: "Issues".into(),
                    url: "https://example.com/issues".into()
                },
            ]
        );
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].code, out[0].line), ("nav-missing-page", 5));
        let paths = paths(&nav);
        assert_eq!(paths["guides/setup.md"], vec![1, 0]);
        assert_eq!(
            titles_along(&nav, &paths["guides/setup.md"]),
            vec!["Guides".to_string()]
        );
    }

    #[test]
    fn titles_from_paths() {
        assert_eq!(title_from_path("index.md"), "Home");
        // MkDocs titles a folder's index page after its file name.
        assert_eq!(title_from_path("getting-started/index.md"), "Index");
        assert_eq!(title_from_path("guides/README.md"), "Index");
        assert_eq!(title_from_path("README.md"), "Home");
        assert_eq!(title_from_path("guides/readme.md"), "Readme");
        assert_eq!(title_from_path("API_reference.md"), "API reference");
    }
}
