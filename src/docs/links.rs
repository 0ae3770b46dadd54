//! Checking every link and anchor between docs pages, across sites, after
//! all pages are rendered. Broken ones become diagnostics at the Markdown
//! file and line; links inside code never reach here. The check works on
//! small facts about each page (its ids, its links and where each is
//! written), never on page texts, so it needs no page kept in memory.

use super::markdown::{LinkRef, LinkTarget};
use crate::diagnostics::{Diagnostic, SourceFile};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// What one rendered page needs checked.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PageCheck {
    /// The site folder, e.g. `docs/default/component/x/`.
    pub site: String,
    pub src: String,
    /// The page's file, as its links' problems name it.
    pub file: PageFile,
    /// The page's ids, until its site's files take them over
    /// (`SiteFiles::pages`, where the check looks its own anchors up).
    pub ids: HashSet<String>,
    pub links: Vec<PlacedLink>,
}

/// A page's file, as a problem with one of its links names it (kept once
/// per page, not per link).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PageFile {
    pub repo: String,
    /// Relative to the repository.
    pub file: String,
    /// The path to show and click.
    pub path: String,
}

impl PageFile {
    pub fn of(file: &SourceFile<'_>) -> PageFile {
        PageFile {
            repo: file.repo.to_string(),
            file: file.path.to_string(),
            path: file.display_path(),
        }
    }
}

/// A link of a page and where it is written (its line is `link.line`),
/// which a problem with the link is reported at: the column of its
/// destination, its length in characters, the line quoted.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PlacedLink {
    pub link: LinkRef,
    pub column: usize,
    pub length: usize,
    pub source_line: Option<Box<str>>,
}

impl PlacedLink {
    /// Places `link` in `file`: the column of its destination on its line,
    /// in characters; where the renderer found it when the line as
    /// written agrees, else the first place its text is on the line.
    pub fn new(link: LinkRef, file: &SourceFile<'_>) -> PlacedLink {
        let line = file.line(link.line);
        let found = line.and_then(|l| {
            let at = link
                .from_end
                .and_then(|from_end| l.len().checked_sub(from_end as usize))
                .filter(|at| l.get(*at..).is_some_and(|rest| rest.starts_with(&link.raw)))
                .or_else(|| l.find(&link.raw))?;
            Some(l[..at].chars().count() + 1)
        });
        let column = found.unwrap_or(1);
        PlacedLink {
            length: link.raw.chars().count(),
            column,
            source_line: line
                .and_then(|text| crate::diagnostics::quoted_line(text, column))
                .map(Box::from),
            link,
        }
    }

    /// A problem with this link of `page`, reported at its place.
    fn problem(&self, page: &PageFile, problem: Diagnostic) -> Diagnostic {
        let mut placed = problem.with_length(self.length);
        placed.repo.clone_from(&page.repo);
        placed.file.clone_from(&page.file);
        placed.path.clone_from(&page.path);
        placed.line = self.link.line;
        placed.column = self.column;
        placed.source_line = self.source_line.as_deref().map(str::to_string);
        placed
    }
}

/// The pages (with their ids) and assets of one site.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct SiteFiles {
    pub pages: HashMap<String, HashSet<String>>,
    /// Files published beside the pages.
    pub assets: HashSet<String>,
    /// Files under `docs_dir` that were not published (refused or
    /// unreadable, each reported on its own).
    pub left_out: HashSet<String>,
    /// Files under `docs_dir` the site's `exclude_docs` or `draft_docs`
    /// leaves out (not those MkDocs' defaults alone leave out).
    pub excluded: HashSet<String>,
    /// Pages a preview shows as drafts (`DocsOptions::drafts`): their
    /// links' problems are notes, as `mkdocs serve` gives them.
    #[serde(default)]
    pub drafts: HashSet<String>,
    /// Pages whose page is another folder's (`guide.md` beside
    /// `guide/index.md`), with that page: links naming them lead there.
    #[serde(default)]
    pub aliases: HashMap<String, String>,
    /// The display path of `docs_dir` (`repo-dir/docs`), and of the README
    /// standing in for `index.md`: where a page of the site is, or was.
    pub dir: String,
    pub readme_index: Option<String>,
}

impl SiteFiles {
    /// The page a link into this site from another reaches: `path` as
    /// written after the site's folder (`guide/`, `guide/index.html`,
    /// `guide.md`, `` for the home page), matched against each page's
    /// address as MkDocs makes it, so `guide/README.md`, `guide.mdown` or
    /// `guide/index.markdown` are found as the built site has them.
    pub fn page_at(&self, path: &str) -> Option<&String> {
        files_at(path).find_map(|src| self.pages.get_key_value(&src).map(|(src, _)| src))
    }

    /// The file the site's settings leave out that a link from another site
    /// names, as [`Self::page_at`] finds pages.
    fn excluded_at(&self, path: &str) -> Option<String> {
        files_at(path).find(|src| self.excluded.contains(src))
    }

    /// The page a link to the file `src` shows, and its ids: its own, or
    /// the page shown at its address (`aliases`).
    fn shown_page<'s>(&'s self, src: &'s str) -> Option<(&'s str, &'s HashSet<String>)> {
        if let Some(ids) = self.pages.get(src) {
            return Some((src, ids));
        }
        let page = self.aliases.get(src)?;
        self.pages.get(page).map(|ids| (page.as_str(), ids))
    }

    /// Whether `path` is a page or an asset of the site.
    fn is_published(&self, path: &str) -> bool {
        self.pages.contains_key(path) || self.assets.contains(path)
    }

    /// The display path of the file behind `src` (a page or an asset),
    /// whether or not it exists: a broken link's problem comes from it.
    pub fn path_of(&self, src: &str) -> String {
        match (&self.readme_index, src) {
            (Some(readme), "index.md") => readme.clone(),
            _ => crate::diagnostics::display_path(&self.dir, src),
        }
    }
}

/// Every site by folder.
#[derive(Debug, Default)]
pub struct SiteIndex {
    pub sites: HashMap<String, std::sync::Arc<SiteFiles>>,
}

/// The folders of the other docs sites the pages link to
/// (`/docs/<ns>/<kind>/<name>/…`), each once.
pub fn other_sites_named(pages: &[&PageCheck]) -> std::collections::BTreeSet<String> {
    pages
        .iter()
        .flat_map(|page| &page.links)
        .filter_map(|placed| match &placed.link.target {
            LinkTarget::OtherSite {
                namespace,
                kind,
                name,
                ..
            } => Some(crate::address::docs_site_dir_of(namespace, kind, name)),
            _ => None,
        })
        .collect()
}

pub fn check(pages: &[&PageCheck], index: &SiteIndex) -> Vec<Diagnostic> {
    pages
        .par_iter()
        .flat_map_iter(|page| check_page(page, index))
        .collect()
}

fn check_page(page: &PageCheck, index: &SiteIndex) -> Vec<Diagnostic> {
    let Some(site) = index.sites.get(&page.site) else {
        return Vec::new();
    };
    page.links
        .iter()
        .filter_map(|placed| {
            let (code, message, hint) = problem(&placed.link, page, site, index)?;
            // MkDocs only notes a link to a page its settings leave out (a
            // draft is often linked before it is published).
            let problem = if code == EXCLUDED_TARGET || site.drafts.contains(&page.src) {
                Diagnostic::info(code, message)
            } else {
                Diagnostic::warning(code, message)
            };
            let problem =
                problem
                    .with_hint(hint)
                    .about_any(target_paths(&placed.link, site, index));
            Some(placed.problem(&page.file, problem))
        })
        .collect()
}

/// The display paths of the files a link points to, when in a docs site
/// of this run (a page or asset that may have moved or gone): for a page
/// of another site that is not there, every file that could have been it
/// (`guide/` was `guide.md` or `guide/index.md`).
fn target_paths(link: &LinkRef, site: &SiteFiles, index: &SiteIndex) -> Vec<String> {
    match &link.target {
        LinkTarget::Page { src, .. } => {
            vec![site.path_of(site.shown_page(src).map_or(src, |(shown, _)| shown))]
        }
        LinkTarget::Asset { path } => vec![site.path_of(path)],
        LinkTarget::OtherSite {
            namespace,
            kind,
            name,
            path,
            ..
        } => {
            let folder = crate::address::docs_site_dir_of(namespace, kind, name);
            let Some(other) = index.sites.get(&folder) else {
                // No such site: about the entity whose docs it was, if a
                // change renamed it or took its docs away.
                return vec![format!("{}{folder}", crate::diagnostics::ABOUT_ENTITY_DOCS)];
            };
            match other.page_at(path) {
                Some(src) => vec![other.path_of(src)],
                None => files_at(path).map(|src| other.path_of(&src)).collect(),
            }
        }
        LinkTarget::Anchor(_) | LinkTarget::Outside(_) => Vec::new(),
    }
}

fn missing_anchor(ids: &HashSet<String>, anchor: &Option<String>) -> Option<String> {
    match anchor {
        Some(a) if !a.is_empty() && !ids.contains(a) => Some(a.clone()),
        _ => None,
    }
}

/// The code of a link to a file the site's own settings leave out.
const EXCLUDED_TARGET: &str = "excluded-target";

/// A link to a file `exclude_docs` or `draft_docs` leaves out of the built
/// site; a preview's `draft` is shown, but judged as the build judges it.
fn excluded_target(
    what: &str,
    link: &LinkRef,
    path: &str,
    draft: bool,
) -> (&'static str, String, String) {
    let message = if draft {
        format!(
            "{what} `{}`: `{path}` is a draft (`draft_docs` in mkdocs.yml), left out of the built site; the {what} will not work there until it is published",
            link.raw
        )
    } else {
        format!(
            "{what} `{}`: `{path}` is left out of the site by `exclude_docs` or `draft_docs` in mkdocs.yml; the {what} will not work until it is published",
            link.raw
        )
    };
    (
        EXCLUDED_TARGET,
        message,
        "publish the file when it is ready, or link elsewhere".to_string(),
    )
}

/// (code, message, hint) for a broken link.
fn problem(
    link: &LinkRef,
    page: &PageCheck,
    site: &SiteFiles,
    index: &SiteIndex,
) -> Option<(&'static str, String, String)> {
    let what = if link.is_image { "image" } else { "link" };
    match &link.target {
        LinkTarget::Anchor(anchor) => {
            let own = |ids: &HashSet<String>| ids.contains(anchor);
            // A page's ids are its site's record of it (`SiteFiles::pages`);
            // those a check carries itself (none, once built) count too.
            let found = page.ids.contains(anchor) || site.pages.get(&page.src).is_some_and(own);
            (!anchor.is_empty() && !found).then(|| {
                (
                    "broken-anchor",
                    format!(
                        "{what} `{}`: there is no heading or id `{anchor}` on this page",
                        link.raw
                    ),
                    "headings get ids like MkDocs' (lower-case, hyphens); check the spelling"
                        .to_string(),
                )
            })
        }
        LinkTarget::Page { src: path, .. } | LinkTarget::Asset { path }
            if !site.is_published(path) && crate::docs::site::excluded_by_default(path) =>
        {
            Some((
                "broken-link",
                format!("{what} `{}`: `{path}` is left out of every site", link.raw),
                "MkDocs leaves out files whose name, or a folder's on the way, starts with a dot, and the templates/ folder at the top of docs_dir: move the file, or link to a copy outside them".to_string(),
            ))
        }
        LinkTarget::Page { src: path, .. } | LinkTarget::Asset { path }
            if site.excluded.contains(path) || site.drafts.contains(path) =>
        {
            Some(excluded_target(what, link, path, site.drafts.contains(path)))
        }
        LinkTarget::Page { src, anchor } => match site.shown_page(src) {
            None => Some((
                "broken-link",
                format!("{what} `{}`: `{src}` is not a page of these docs", link.raw),
                "link to a Markdown file under docs_dir, relative to this page".to_string(),
            )),
            Some((shown, ids)) => missing_anchor(ids, anchor).map(|a| {
                let page = if shown == src {
                    format!("`{src}`")
                } else {
                    format!("`{shown}` (shown at the address of `{src}`)")
                };
                (
                    "broken-anchor",
                    format!("{what} `{}`: {page} has no heading or id `{a}`", link.raw),
                    "headings get ids like MkDocs' (lower-case, hyphens); check the spelling"
                        .to_string(),
                )
            }),
        },
        LinkTarget::Asset { path } if site.left_out.contains(path) => Some((
            "broken-link",
            format!(
                "{what} `{}`: `{path}` is under docs_dir but was not published",
                link.raw
            ),
            "see the file's own diagnostic (asset-refused or asset-unreadable)".to_string(),
        )),
        LinkTarget::Asset { path } => (!site.assets.contains(path)).then(|| {
            (
                "broken-link",
                format!(
                    "{what} `{}`: `{path}` does not exist under docs_dir",
                    link.raw
                ),
                "add the file to the docs folder or fix the path".to_string(),
            )
        }),
        LinkTarget::Outside(raw) => Some((
            "link-outside-docs",
            format!(
                "{what} `{raw}` leads outside the docs folder; it will not work in the built site"
            ),
            "only files under docs_dir are published; link to a page or use an absolute URL"
                .to_string(),
        )),
        LinkTarget::OtherSite {
            namespace,
            kind,
            name,
            path,
            anchor,
        } => {
            let folder = crate::address::docs_site_dir_of(namespace, kind, name);
            let Some(other) = index.sites.get(&folder) else {
                return Some((
                    "broken-link",
                    format!(
                        "{what} `{}`: {kind}:{namespace}/{name} has no docs in this portal",
                        link.raw
                    ),
                    "check the entity name, or that its docs build".to_string(),
                ));
            };
            let found = other.page_at(path);
            // A page shown is checked as one; a draft, or no page but an
            // excluded file, is judged as the built site has it.
            let excluded = match found {
                Some(src) if other.drafts.contains(src) => Some(src.clone()),
                Some(_) => None,
                None => other.excluded_at(path),
            };
            if let Some(src) = excluded {
                return Some(excluded_target(what, link, &src, other.drafts.contains(&src)));
            }
            match found.map(|src| &other.pages[src]) {
                None => Some((
                    "broken-link",
                    format!(
                        "{what} `{}`: the docs of {kind}:{namespace}/{name} have no page `{path}`",
                        link.raw
                    ),
                    "check the page path".to_string(),
                )),
                Some(ids) => missing_anchor(ids, anchor).map(|a| {
                    (
                        "broken-anchor",
                        format!(
                            "{what} `{}`: that page has no heading or id `{a}`",
                            link.raw
                        ),
                        "check the anchor".to_string(),
                    )
                }),
            }
        }
    }
}

/// The files that would be the page at `path` (a link's path into a site,
/// after its folder), in the order they are looked for: the path itself
/// when it names a Markdown file, then each file whose address
/// (`markdown::page_url`) is the path's (one at most is a page:
/// `site::claim_outputs` kept one of each).
fn files_at(path: &str) -> impl Iterator<Item = String> {
    let src = other_page(path);
    let url = super::markdown::page_url(&src);
    let folder = url.trim_end_matches('/').to_string();
    let mut candidates = vec![src];
    candidates.extend(super::site::folder_pages(&folder));
    if !folder.is_empty() {
        candidates.extend(
            super::site::MARKDOWN_EXTENSIONS.map(|extension| format!("{folder}{extension}")),
        );
    }
    candidates
        .into_iter()
        .filter(move |candidate| super::markdown::page_url(candidate) == url)
}

/// `reference/` or `reference.md` or `` → the page's source path
/// (`a/../b/` is `b/`, as a browser reads it).
fn other_page(path: &str) -> String {
    let path = path.trim_end_matches("index.html");
    let normal = match crate::read::safe_path::normalize(path) {
        Ok(normal) if path.ends_with('/') => format!("{normal}/"),
        Ok(normal) => normal,
        Err(crate::read::safe_path::PathError::Empty) => String::new(),
        // Out of the site's folder: no page of it.
        Err(_) => path.to_string(),
    };
    let path = normal.as_str();
    if path.is_empty() {
        "index.md".into()
    } else if crate::docs::site::is_markdown(path) {
        path.to_string()
    } else {
        format!("{}/index.md", path.trim_end_matches('/'))
    }
}

/// What a repository's link problems depend on besides the repository
/// itself (`docs::repo_cache` keeps them): the folders of its own sites and
/// of every other site its pages link to. Kept with the repository's docs,
/// so a build that finds its problems kept needs none of its link facts.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct LinkOutline {
    /// Each of the repository's sites: its folder and [`digest`] of its files.
    pub sites: Vec<(String, u128)>,
    /// The folders of the other sites its pages link to, each once.
    pub named: std::collections::BTreeSet<String>,
}

impl LinkOutline {
    /// The outline of a repository's sites: each one's folder, files and
    /// page checks.
    pub fn of<'a>(
        sites: impl IntoIterator<Item = (&'a str, &'a SiteFiles, &'a [std::sync::Arc<PageCheck>])>,
    ) -> LinkOutline {
        let mut outline = LinkOutline::default();
        for (folder, files, checks) in sites {
            outline.sites.push((folder.to_string(), digest(files)));
            let pages: Vec<&PageCheck> = checks.iter().map(|c| &**c).collect();
            outline.named.extend(other_sites_named(&pages));
        }
        outline
    }

    /// Every folder the repository's link problems read: its own sites'
    /// and those its links name, each once, in order.
    pub fn folders(&self) -> std::collections::BTreeSet<&str> {
        self.sites
            .iter()
            .map(|(folder, _)| folder.as_str())
            .chain(self.named.iter().map(String::as_str))
            .collect()
    }
}

/// A key of everything the check reads of one site: its pages with their
/// ids, its assets and files left out, where its files are (display paths
/// of a broken link's target). Equal for two sites the check cannot tell
/// apart.
pub fn digest(files: &SiteFiles) -> u128 {
    let part = crate::memo::part;
    let mut key = crate::memo::hasher();
    let mut pages: Vec<(&String, &HashSet<String>)> = files.pages.iter().collect();
    pages.sort_unstable_by_key(|(src, _)| *src);
    key.update(&(pages.len() as u64).to_le_bytes());
    for (src, ids) in pages {
        part(&mut key, src.as_bytes());
        let mut ids: Vec<&String> = ids.iter().collect();
        ids.sort_unstable();
        key.update(&(ids.len() as u64).to_le_bytes());
        ids.iter().for_each(|id| part(&mut key, id.as_bytes()));
    }
    for set in [
        &files.assets,
        &files.left_out,
        &files.excluded,
        &files.drafts,
    ] {
        let mut paths: Vec<&String> = set.iter().collect();
        paths.sort_unstable();
        key.update(&(paths.len() as u64).to_le_bytes());
        paths.iter().for_each(|p| part(&mut key, p.as_bytes()));
    }
    let mut aliases: Vec<(&String, &String)> = files.aliases.iter().collect();
    aliases.sort_unstable();
    key.update(&(aliases.len() as u64).to_le_bytes());
    for (alias, page) in aliases {
        part(&mut key, alias.as_bytes());
        part(&mut key, page.as_bytes());
    }
    part(&mut key, files.dir.as_bytes());
    match &files.readme_index {
        Some(readme) => part(&mut key, readme.as_bytes()),
        None => key.update(&[0xff]),
    }
    key.digest128()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> HashSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn site() -> SiteFiles {
        SiteFiles {
            pages: [
                ("index.md".to_string(), set(&["alpha", "install"])),
                ("guide.md".to_string(), set(&["guide"])),
            ]
            .into_iter()
            .collect(),
            assets: set(&["img/a.png"]),
            left_out: set(&["secret.bin"]),
            excluded: set(&["drafts/wip.md", ".hidden.png"]),
            drafts: HashSet::new(),
            aliases: HashMap::new(),
            dir: "alpha/docs".to_string(),
            readme_index: None,
        }
    }

    /// The digest is the same for the same files, however the sets were
    /// filled, and changes with anything the check reads of a site.
    #[test]
    fn a_sites_digest_changes_with_everything_the_check_reads() {
        let base = digest(&site());
        let mut reordered = SiteFiles {
            pages: HashMap::with_capacity(64),
            ..site()
        };
        let mut pages: Vec<_> = site().pages.into_iter().collect();
        pages.sort_by(|a, b| b.0.cmp(&a.0));
        for (src, ids) in pages {
            let mut ids: Vec<String> = ids.into_iter().collect();
            ids.sort_by(|a, b| b.cmp(a));
            let mut set = HashSet::with_capacity(64);
            set.extend(ids);
            reordered.pages.insert(src, set);
        }
        assert_eq!(digest(&reordered), base);
        type Edit = (&'static str, fn(&mut SiteFiles));
        let edits: [Edit; 8] = [
            ("an id renamed", |s| {
                s.pages
                    .insert("index.md".into(), set(&["alpha", "installing"]));
            }),
            ("an id moved to another page", |s| {
                s.pages.insert("index.md".into(), set(&["alpha"]));
                s.pages
                    .insert("guide.md".into(), set(&["guide", "install"]));
            }),
            ("a page added", |s| {
                s.pages.insert("new.md".into(), HashSet::new());
            }),
            ("a page gone", |s| {
                s.pages.remove("guide.md");
            }),
            ("an asset gone", |s| s.assets.clear()),
            ("a file left out", |s| {
                s.left_out.insert("other.bin".into());
            }),
            ("the docs folder moved", |s| s.dir = "beta/docs".into()),
            ("a README as the index", |s| {
                s.readme_index = Some("alpha/README.md".into())
            }),
        ];
        for (what, edit) in edits {
            let mut changed = site();
            edit(&mut changed);
            assert_ne!(digest(&changed), base, "{what}");
        }
    }

    /// An outline names the sites a repository's links read: its own and
    /// those its links point into, each once.
    #[test]
    fn an_outline_names_own_and_linked_sites() {
        let files = site();
        let link = |raw: &str, target: LinkTarget| PlacedLink {
            link: LinkRef {
                raw: raw.to_string(),
                target,
                line: 1,
                from_end: None,
                is_image: false,
            },
            column: 1,
            length: raw.len(),
            source_line: None,
        };
        let other = |name: &str| LinkTarget::OtherSite {
            namespace: "default".into(),
            kind: "component".into(),
            name: name.into(),
            path: "index.md".into(),
            anchor: None,
        };
        let page = std::sync::Arc::new(PageCheck {
            site: "docs/default/component/alpha/".into(),
            src: "index.md".into(),
            file: PageFile::default(),
            ids: HashSet::new(),
            links: vec![
                link("/docs/default/component/beta/", other("beta")),
                link("/docs/default/component/beta/x", other("beta")),
                link("guide.md", LinkTarget::Anchor("guide".into())),
            ],
        });
        let checks = [page];
        let outline = LinkOutline::of([("docs/default/component/alpha/", &files, &checks[..])]);
        assert_eq!(
            outline.sites,
            vec![("docs/default/component/alpha/".to_string(), digest(&files))]
        );
        assert_eq!(
            outline.folders().into_iter().collect::<Vec<_>>(),
            [
                "docs/default/component/alpha/",
                "docs/default/component/beta/"
            ]
        );
    }

    /// Alpha's home page with `text` and `links` (on lines of `text`).
    fn alpha_home(text: &str, links: Vec<LinkRef>) -> PageCheck {
        let file = SourceFile {
            repo: "alpha",
            repo_dir: "org/alpha",
            path: "docs/index.md",
            text,
            line_index: None,
        };
        PageCheck {
            site: "docs/default/component/alpha/".into(),
            src: "index.md".into(),
            file: PageFile::of(&file),
            ids: HashSet::new(),
            links: links
                .into_iter()
                .map(|link| PlacedLink::new(link, &file))
                .collect(),
        }
    }

    /// A page's own anchors are looked up in its site's files (where its
    /// ids are kept), and a broken one is reported at the link's place.
    #[test]
    fn own_anchors_are_looked_up_in_the_sites_files() {
        let text = "# Alpha\n\nSee [install](#install) and [nothing](#nothing).\n";
        let anchor = |name: &str| LinkRef {
            raw: format!("#{name}"),
            target: LinkTarget::Anchor(name.into()),
            line: 3,
            from_end: None,
            is_image: false,
        };
        let page = alpha_home(text, vec![anchor("install"), anchor("nothing")]);
        let mut index = SiteIndex::default();
        index
            .sites
            .insert(page.site.clone(), std::sync::Arc::new(site()));
        let problems = check(&[&page], &index);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let problem = &problems[0];
        assert_eq!(problem.code, "broken-anchor");
        assert_eq!(problem.location(), "org/alpha/docs/index.md:3:39");
        assert_eq!(
            (problem.repo.as_str(), problem.file.as_str()),
            ("alpha", "docs/index.md")
        );
        assert_eq!(problem.length, "#nothing".len());
        assert_eq!(
            problem.source_line.as_deref(),
            Some("See [install](#install) and [nothing](#nothing).")
        );
        assert_eq!(problem.severity, crate::diagnostics::Severity::Warning);
        // In a preview's draft, the same problem is a note, as in `mkdocs
        // serve`.
        let mut drafted = site();
        drafted.drafts = set(&["index.md"]);
        index
            .sites
            .insert(page.site.clone(), std::sync::Arc::new(drafted));
        let problems = check(&[&page], &index);
        assert_eq!(problems[0].severity, crate::diagnostics::Severity::Info);
    }

    /// A link to a preview's draft is judged as the built site, which has
    /// no drafts, judges it: a note, its anchor unchecked; and a file whose
    /// page is another folder's leads to that page.
    #[test]
    fn links_to_drafts_are_notes_and_aliases_lead_to_their_page() {
        let text = "[w](wip.md#nope) [g](guide.md#guide) [h](guide.md#nope)\n";
        let page_link = |raw: &str, src: &str, anchor: &str| LinkRef {
            raw: raw.into(),
            target: LinkTarget::Page {
                src: src.into(),
                anchor: Some(anchor.into()),
            },
            line: 1,
            from_end: None,
            is_image: false,
        };
        let page = alpha_home(
            text,
            vec![
                page_link("wip.md#nope", "wip.md", "nope"),
                page_link("guide.md#guide", "guide.md", "guide"),
                page_link("guide.md#nope", "guide.md", "nope"),
            ],
        );
        let mut files = site();
        files.pages.insert("wip.md".into(), set(&["wip"]));
        files.pages.remove("guide.md");
        files.pages.insert("guide/index.md".into(), set(&["guide"]));
        files.drafts = set(&["wip.md"]);
        files.aliases = [("guide.md".to_string(), "guide/index.md".to_string())].into();
        let mut index = SiteIndex::default();
        index
            .sites
            .insert(page.site.clone(), std::sync::Arc::new(files));
        let problems: Vec<(String, String)> = check(&[&page], &index)
            .iter()
            .map(|d| (d.code.to_string(), d.severity.label().to_string()))
            .collect();
        assert_eq!(
            problems,
            [
                ("excluded-target".to_string(), "info".to_string()),
                ("broken-anchor".to_string(), "warning".to_string()),
            ]
        );
    }

    /// A link into another site to a page it shows is checked as a page,
    /// even when an excluded file had the same address; one to a file only
    /// left out is a note.
    #[test]
    fn links_into_other_sites_check_shown_pages_and_note_left_out_files() {
        let text =
            "[a](/docs/default/component/beta/#nope) [b](/docs/default/component/beta/gone/)\n";
        let into_beta = |raw: &str, path: &str, anchor: Option<&str>| LinkRef {
            raw: raw.into(),
            target: LinkTarget::OtherSite {
                namespace: "default".into(),
                kind: "component".into(),
                name: "beta".into(),
                path: path.into(),
                anchor: anchor.map(str::to_string),
            },
            line: 1,
            from_end: None,
            is_image: false,
        };
        let page = alpha_home(
            text,
            vec![
                into_beta("home#nope", "", Some("nope")),
                into_beta("gone/", "gone/", None),
            ],
        );
        let beta = SiteFiles {
            pages: [("index.md".to_string(), set(&["beta"]))].into(),
            excluded: set(&["README.md", "gone.md"]),
            ..SiteFiles::default()
        };
        let mut index = SiteIndex::default();
        index
            .sites
            .insert(page.site.clone(), std::sync::Arc::new(site()));
        index.sites.insert(
            "docs/default/component/beta/".into(),
            std::sync::Arc::new(beta),
        );
        let codes: Vec<&str> = check(&[&page], &index).iter().map(|d| d.code).collect();
        assert_eq!(codes, ["broken-anchor", "excluded-target"]);
    }

    /// A link from another site finds a page by the address MkDocs gives
    /// it, whatever its file is called.
    #[test]
    fn links_from_other_sites_find_pages_by_their_address() {
        let files = SiteFiles {
            pages: [
                "README.md",
                "guide/README.md",
                "ref.markdown",
                "other.mdown",
                "a/index.mkd",
            ]
            .into_iter()
            .map(|p| (p.to_string(), HashSet::new()))
            .collect(),
            ..SiteFiles::default()
        };
        let found = |path: &str| files.page_at(path).cloned();
        assert_eq!(found("").as_deref(), Some("README.md"));
        assert_eq!(found("index.html").as_deref(), Some("README.md"));
        assert_eq!(found("guide/").as_deref(), Some("guide/README.md"));
        assert_eq!(found("ref/").as_deref(), Some("ref.markdown"));
        assert_eq!(found("other/index.html").as_deref(), Some("other.mdown"));
        assert_eq!(found("ref.markdown").as_deref(), Some("ref.markdown"));
        assert_eq!(found("a").as_deref(), Some("a/index.mkd"));
        assert_eq!(found("missing/"), None);
        // `index` and `README` name no page of their own.
        assert_eq!(found("index/"), None);
        assert_eq!(found("guide/README/"), None);
        // As a browser reads the path.
        assert_eq!(found("guide/../ref/").as_deref(), Some("ref.markdown"));
        assert_eq!(found("./guide/").as_deref(), Some("guide/README.md"));
        assert_eq!(found("guide/..").as_deref(), Some("README.md"));
    }
}
