//! Rendering every docs site: pages streamed to the output as they are
//! rendered, assets copied, `techdocs_metadata.json` written, and what the
//! link check and the portal need kept.

use super::author_files::{self, Sanitized};
use super::links::{self, PageCheck, SiteIndex};
use super::markdown::template_tags::{self, PageDates};
use super::markdown::{self, Heading, SanitizeOptions};
use super::memo::{self, Kept, Key, PageMemo, RepoBuilt, RepoMemo};
use super::nav;
use super::page::{self, PagePlace};
pub use super::page::{DocPageView, NavLink};
use super::pages::{BuiltPage, PageInput, SitePages, page_path, read_pages};
use super::repo_cache;
use super::site::{self, DocSource};
use super::snippets::{Budget, Snippets};
use super::versions;
use crate::catalog::entity_ref::EntityRef;
use crate::catalog::location::RepoLocation;
use crate::catalog::{Catalog, Entity};
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::read::history::History;
use crate::read::{RepoSource, Snapshot};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Writes one output file (path relative to the site root). The bytes come
/// shared: `portico serve` keeps them in memory as they are, so a page kept
/// from the last build is the same allocation, never copied again.
pub type Sink<'a> = &'a (dyn Fn(&str, &Arc<[u8]>) -> Result<(), String> + Sync);
/// Turns a page view into a whole HTML page.
pub type Layout<'a> = &'a (dyn Fn(DocPageView) -> String + Sync);

pub struct DocsOptions<'a> {
    pub git_ref: Option<&'a str>,
    pub sanitize: SanitizeOptions,
    /// Called with each site as soon as it is built (the search index takes
    /// its sections while other sites still render).
    pub on_site: Option<&'a (dyn Fn(&DocSiteSummary) + Sync)>,
    /// Work of earlier builds of this process, reused when its inputs are
    /// unchanged (`portico serve`), and which repositories changed since.
    pub memo: Option<(&'a DocsMemo, &'a crate::memo::Versions)>,
    /// The build cache on disk: renders kept between runs, and whole
    /// repositories' docs when `carry` can take their files over.
    pub disk: Option<&'a crate::cache::DiskCache>,
    /// Takes a repository's files over from the last site (`portico build`
    /// with the cache).
    pub carry: Option<Carry<'a>>,
    /// A key of what every page's layout reads besides its own view: the
    /// configuration and the theme.
    pub layout_key: Key,
    /// Docs sites built elsewhere (`check --site`), by folder: asked for
    /// the sites that links name and this run did not build.
    pub other_sites: Option<OtherSites<'a>>,
    /// `[docs] versions`: the tags every site is also built at, unless its
    /// entity's `portico.dev/docs-versions` says otherwise.
    pub versions: Option<&'a str>,
    /// `[docs] search-versions`: old versions' pages are searched too.
    pub search_versions: bool,
    /// Whether every page's last commit is read (its date and author shown,
    /// the docs-freshness rule's input): one first-parent history walk per
    /// repository. `check` without a scorecard gate shows neither, so it
    /// reads them only for the sites whose date plugin prints them into
    /// pages' text.
    pub page_dates: bool,
    /// Where each repository's listing is recorded, for the scorecards'
    /// file rules (`portico build` and `check`).
    pub listings: Option<&'a crate::read::Listings>,
    /// Each repository's files as the inputs' key stamped them, by display
    /// path (`pipeline::unchanged::RepoFiles`, settled repositories only):
    /// with the build cache, a repository found with the stamp its docs'
    /// key was last worked out under takes that key and listing back
    /// instead of listing and stamping its files again
    /// ([`repo_cache::by_files`]).
    pub repo_files: Option<&'a HashMap<String, Key>>,
    /// Whether each page's section text and headings stay in its site's
    /// summary after `on_site` saw the site. Only search documents read
    /// them: the build cache's search key, a shard's part and `serve` make
    /// theirs later; a build without the cache, or with one whose search
    /// feed was opened before the docs, has made them by then (its index
    /// is fed by `on_site`) and `check` makes none, so they drop them (a
    /// repository kept in the build cache once it is stored there), the
    /// largest part of what a page keeps to the end.
    pub keep_sections: bool,
    /// Pages `draft_docs` names are built and marked as drafts, as `mkdocs
    /// serve` shows them (`portico serve`); otherwise they are left out, as
    /// `mkdocs build` leaves them.
    pub drafts: bool,
}

/// Takes files over from the last site unchanged, all or none (see
/// [`crate::output::Staging::carry_files`]): false when any one is not
/// there with the bytes described.
pub type Carry<'a> = &'a (dyn Fn(&[WrittenFile]) -> bool + Sync);

/// A file a repository's docs wrote: its site path, length and xxh3-128
/// (as two halves, low first).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct WrittenFile {
    pub path: String,
    pub len: u64,
    pub hash: [u64; 2],
}

impl WrittenFile {
    fn of(path: &str, bytes: &[u8]) -> WrittenFile {
        let hash = xxhash_rust::xxh3::xxh3_128(bytes);
        WrittenFile {
            path: path.to_string(),
            len: bytes.len() as u64,
            hash: [hash as u64, (hash >> 64) as u64],
        }
    }
}

/// Finds a docs site outside this run by its folder (`docs/ns/kind/name/`).
pub type OtherSites<'a> = &'a (dyn Fn(&str) -> Option<links::SiteFiles> + Sync);

/// What `portico serve` keeps between builds: rendered pages by their
/// inputs, and whole repositories' docs while nothing in them changed.
#[derive(Debug, Default)]
pub struct DocsMemo {
    pub(super) pages: PageMemo,
    pub(super) outputs: Kept<BuiltPage>,
    repos: RepoMemo,
    /// Work-tree pages' texts, by file and the watcher's version of it.
    pub(super) texts: Kept<Arc<str>>,
    /// Titles of pages opening with a snippet, by the page's text and its
    /// site's snippets (each costs a pass over what the snippets include).
    titles: Kept<Option<String>>,
    listings: memo::ListingMemo,
}

impl DocsMemo {
    /// Starts a build.
    pub fn start(&self) {
        self.pages.start();
        self.outputs.start();
        self.texts.start();
        self.titles.start();
    }

    /// Ends a build; returns how many pages were (reused whole,
    /// rendered), pages of repositories reused whole not counted.
    pub fn finish(&self) -> (usize, usize) {
        self.texts.finish();
        self.titles.finish();
        let (reused, _) = self.outputs.finish();
        let (_, rendered) = self.pages.finish();
        (reused, rendered)
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PageSummary {
    pub src: String,
    /// Relative to the site folder, e.g. `guides/setup/`.
    pub url: String,
    pub title: String,
    #[serde(with = "crate::memo::shared")]
    pub headings: Arc<Vec<Heading>>,
    pub has_mermaid: bool,
    /// The page's text by heading, for search.
    #[serde(with = "crate::memo::shared")]
    pub sections: Arc<Vec<markdown::Section>>,
    /// `YYYY-MM-DD` of the last commit that changed the page, when known.
    pub last_updated: Option<String>,
    /// A page `draft_docs` names, in a preview (`DocsOptions::drafts`):
    /// searched, but not counted by scorecards, as the built site has none.
    #[serde(default)]
    pub draft: bool,
}

/// A built docs site, for the portal's pages (and later search).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct DocSiteSummary {
    pub entity: EntityRef,
    /// Relative to the portal root, e.g. `docs/default/component/x/`.
    pub url: String,
    pub site_name: String,
    pub pages: Vec<PageSummary>,
    /// The tag an old version was built from; `None` for the latest.
    pub version: Option<String>,
    /// The latest's old versions, newest first (see `docs::versions`).
    #[serde(with = "crate::memo::shared_vec")]
    pub versions: Vec<Arc<DocSiteSummary>>,
    /// Whether search takes the old versions' pages too.
    pub versions_searched: bool,
    /// The repository-relative folder of its pages (`services/a/docs`),
    /// and the README standing in for its `index.md`, if one does: where a
    /// page's problems are reported.
    pub docs_dir: String,
    pub readme_index: Option<String>,
}

impl DocSiteSummary {
    /// This site (and its old versions) without its pages' section text and
    /// headings, which only search documents read (see
    /// [`DocsOptions::keep_sections`]).
    pub fn without_sections(&self) -> DocSiteSummary {
        DocSiteSummary {
            entity: self.entity.clone(),
            url: self.url.clone(),
            site_name: self.site_name.clone(),
            pages: self
                .pages
                .iter()
                .map(|page| PageSummary {
                    src: page.src.clone(),
                    url: page.url.clone(),
                    title: page.title.clone(),
                    headings: Arc::default(),
                    has_mermaid: page.has_mermaid,
                    sections: Arc::default(),
                    last_updated: page.last_updated.clone(),
                    draft: page.draft,
                })
                .collect(),
            version: self.version.clone(),
            versions: self
                .versions
                .iter()
                .map(|old| Arc::new(old.without_sections()))
                .collect(),
            versions_searched: self.versions_searched,
            docs_dir: self.docs_dir.clone(),
            readme_index: self.readme_index.clone(),
        }
    }

    /// The page the portal's links to the site open, from the portal's
    /// root: its home page, or its first page when it has none (as in
    /// TechDocs, the site then has no `index.html` of its own).
    pub fn home(&self) -> String {
        let page = self
            .pages
            .iter()
            .find(|p| p.url.is_empty())
            .or(self.pages.first())
            .map_or("", |page| page.url.as_str());
        // Percent-encoded: a page's name may hold `#` or `?`.
        format!(
            "{}{}",
            self.url,
            markdown::encode_path(&format!("{page}index.html"))
        )
    }

    /// The repository-relative file of the page `src` (docs-relative).
    pub fn page_file(&self, src: &str) -> String {
        site::page_file(&self.docs_dir, self.readme_index.as_deref(), src)
    }
}

#[derive(Debug, Default)]
pub struct DocsOutcome {
    /// The latest of every site (old versions inside each).
    pub sites: Vec<Arc<DocSiteSummary>>,
    pub diagnostics: Vec<Diagnostic>,
    /// Page renders of sites with old versions: (shared with another
    /// version, rendered).
    pub version_renders: (usize, usize),
    /// With the build cache, when every repository's docs are kept in it
    /// (read back, or built and stored): a key of their keys. Every site
    /// (its pages, titles, sections) follows from it.
    pub repos_key: Option<Key>,
    /// With the build cache: each latest site's folder (its `url`) and the
    /// key its repository's docs are kept under (`repo_cache`), for
    /// repositories kept whole (no old versions). The site (its pages,
    /// titles, sections) follows from that key.
    pub site_keys: HashMap<String, Key>,
    /// With the build cache: the pages' section text and headings of sites
    /// read back from it without them (nothing had to see them while the
    /// docs were built: no `on_site`), by the site's summary (its address,
    /// as `sites` holds it). Only search documents read them:
    /// [`KeptSections::fill`] gives the site with them.
    pub kept_sections: HashMap<usize, KeptSections>,
    /// Repositories whose link problems were (taken from the build cache,
    /// checked).
    pub link_problems: (usize, usize),
}

/// Builds every entity's docs. With no `sink` nothing is written (`check`).
pub fn build(
    repos: &[RepoSource],
    catalog: &Catalog,
    options: &DocsOptions<'_>,
    layout: Layout<'_>,
    sink: Option<Sink<'_>>,
) -> Result<DocsOutcome, String> {
    let built = build_repos(repos, catalog, options, layout, sink)?;
    check_links(
        built.into_iter().map(|(_, docs)| docs),
        options.other_sites,
        options.disk,
    )
}

/// Builds the docs of `repos` (those holding an entity with docs), each
/// repository's returned in `repos`' order, by its display path; links are
/// not checked (a shard of a build checks them only once every part is in).
pub fn build_repos(
    repos: &[RepoSource],
    catalog: &Catalog,
    options: &DocsOptions<'_>,
    layout: Layout<'_>,
    sink: Option<Sink<'_>>,
) -> Result<Vec<(String, RepoDocs)>, String> {
    // Looked for in parallel: one lookup in each of 13,000 entities' JSON
    // is mostly waiting for memory (13 ms of a serve edit on one thread).
    let with_docs: Vec<&Entity> = catalog
        .entities
        .par_iter()
        .filter(|e| e.annotation(site::ANNOTATION).is_some())
        .collect();
    let mut by_repo: HashMap<&str, Vec<&Entity>> = HashMap::new();
    for entity in with_docs {
        by_repo
            .entry(entity.source.repo_dir.as_str())
            .or_default()
            .push(entity);
    }
    crate::threads::one_job_each(repos)
        .filter_map(|repo| {
            by_repo
                .get(repo.display.as_str())
                .map(|entities| (repo, entities))
        })
        .map(|(repo, entities)| {
            build_repo_kept(repo, entities, options, layout, sink)
                .map(|docs| (repo.display.clone(), docs))
        })
        .collect()
}

/// Every repository's docs, in the order they were built, with every link
/// and anchor checked across their sites. With the build cache (`disk`),
/// a repository's link problems are kept under a key of its docs and of
/// every site they read ([`repo_cache::problems_keys`]): a repository whose
/// problems are kept needs none of its link facts decoded, and only the
/// others' links are checked.
pub fn check_links(
    built: impl IntoIterator<Item = RepoDocs>,
    other_sites: Option<OtherSites<'_>>,
    disk: Option<&crate::cache::DiskCache>,
) -> Result<DocsOutcome, String> {
    let mut outcome = DocsOutcome::default();
    let mut repos: Vec<RepoDocs> = built.into_iter().collect();
    let mut repo_keys = Some(Vec::new());
    let mut old_problems = Vec::new();
    // Folders two repositories build a site in: no key says which is read.
    let mut clashing = HashSet::new();
    for repo in &mut repos {
        match (&mut repo_keys, repo.cache_key) {
            (Some(keys), Some(key)) => keys.push(key),
            _ => repo_keys = None,
        }
        outcome.diagnostics.append(&mut repo.diagnostics);
        outcome
            .sites
            .extend(repo.sites.iter().map(|site| site.summary.clone()));
        if let Some(bytes) = &repo.kept_sections {
            for (n, site) in repo.sites.iter().enumerate() {
                let kept = KeptSections {
                    bytes: Arc::clone(bytes),
                    site: n,
                };
                outcome
                    .kept_sections
                    .insert(Arc::as_ptr(&site.summary) as usize, kept);
            }
        }
        if let (Some(key), true) = (repo.cache_key, repo.versions.is_empty()) {
            for site in &repo.sites {
                if outcome
                    .site_keys
                    .insert(site.summary.url.clone(), key)
                    .is_some()
                {
                    clashing.insert(site.summary.url.clone());
                }
            }
        }
        old_problems.append(&mut repo.old_problems);
        outcome.version_renders.0 += repo.shared_renders.0;
        outcome.version_renders.1 += repo.shared_renders.1;
    }
    for url in clashing {
        outcome.site_keys.remove(&url);
    }
    // Sites built elsewhere (`check --site`) are not in any key.
    let disk = disk.filter(|_| other_sites.is_none());
    let keys = match disk {
        Some(_) => repo_cache::problems_keys(&repos),
        None => vec![None; repos.len()],
    };
    let mut problems: Vec<Option<Vec<Diagnostic>>> = repos
        .par_iter()
        .zip(&keys)
        .map(|(_, key)| repo_cache::kept_problems(disk?, (*key)?))
        .collect();
    let checked: Vec<usize> = (0..repos.len())
        .filter(|&i| problems[i].is_none())
        .collect();
    let index = links_index(&mut repos, &checked, other_sites)?;
    let found: Vec<(usize, Vec<Diagnostic>)> = checked
        .par_iter()
        .map(|&i| {
            let pages: Vec<&PageCheck> = repos[i]
                .sites
                .iter()
                .flat_map(|site| site.checks.iter().map(|c| &**c))
                .collect();
            let found = links::check(&pages, &index);
            if let (Some(disk), Some(key)) = (disk, keys[i]) {
                repo_cache::keep_problems(disk, key, &found);
            }
            (i, found)
        })
        .collect();
    for (i, found) in found {
        problems[i] = Some(found);
    }
    outcome.link_problems = (repos.len() - checked.len(), checked.len());
    outcome
        .diagnostics
        .extend(problems.into_iter().flatten().flatten());
    for repo in &repos {
        for site in &repo.versions {
            let tag = site.summary.version.clone().unwrap_or_default();
            let pages: Vec<&PageCheck> = site.checks.iter().map(|c| &**c).collect();
            let broken = links::check(&pages, &index);
            old_problems.extend(broken.into_iter().map(|d| (tag.clone(), d)));
        }
    }
    let notes = versions::report_old(&outcome.diagnostics, old_problems);
    outcome.diagnostics.extend(notes);
    outcome.sites.sort_by(|a, b| a.url.cmp(&b.url));
    outcome.repos_key = repo_keys.map(|mut keys| {
        keys.sort_unstable();
        let mut key = memo::hasher();
        for k in keys {
            key.update(&k.to_le_bytes());
        }
        key.digest128()
    });
    Ok(outcome)
}

/// The sites the links of `repos[checked]` are looked up in: their own
/// (old versions too) and every site their links name, each the one a
/// lookup of its folder finds (the last built with it). The link facts of
/// those repositories, and of the ones holding those sites, are decoded
/// from the build cache if they were read back from it.
fn links_index(
    repos: &mut [RepoDocs],
    checked: &[usize],
    other_sites: Option<OtherSites<'_>>,
) -> Result<SiteIndex, String> {
    // Folder → (repository, whether an old version, site), the last wins.
    let mut holders: HashMap<String, (usize, bool, usize)> = HashMap::new();
    for (i, repo) in repos.iter().enumerate() {
        let sites = repo.sites.iter().map(|s| (false, s));
        let versions = repo.versions.iter().map(|s| (true, s));
        for (n, (old, site)) in sites.enumerate().chain(versions.enumerate()) {
            holders.insert(site.summary.url.clone(), (i, old, n));
        }
    }
    let mut wanted: std::collections::BTreeSet<String> = Default::default();
    for &i in checked {
        wanted.extend(repos[i].folders_read());
    }
    let mut load = vec![false; repos.len()];
    checked.iter().for_each(|&i| load[i] = true);
    wanted
        .iter()
        .filter_map(|folder| holders.get(folder))
        .for_each(|&(i, _, _)| load[i] = true);
    repos
        .par_iter_mut()
        .zip(load)
        .filter(|(_, load)| *load)
        .try_for_each(|(repo, _)| repo.load_links())?;
    let mut index = SiteIndex::default();
    for folder in &wanted {
        let Some(&(i, old, n)) = holders.get(folder) else {
            continue;
        };
        let site = if old {
            &repos[i].versions[n]
        } else {
            &repos[i].sites[n]
        };
        index.sites.insert(folder.clone(), site.files.clone());
    }
    if let Some(other_sites) = other_sites {
        for folder in wanted {
            if !index.sites.contains_key(&folder)
                && let Some(files) = other_sites(&folder)
            {
                index.sites.insert(folder, Arc::new(files));
            }
        }
    }
    Ok(index)
}

impl RepoDocs {
    /// The sites built, for the search index.
    pub fn summaries(&self) -> impl Iterator<Item = &Arc<DocSiteSummary>> {
        self.sites.iter().map(|site| &site.summary)
    }

    /// Drops the pages' section text and headings (see
    /// [`DocsOptions::keep_sections`]): `merge` does once it has made the
    /// search documents.
    pub fn drop_sections(&mut self) {
        for site in self.sites.iter_mut().chain(&mut self.versions) {
            site.summary = Arc::new(site.summary.without_sections());
        }
    }

    /// The problems found while building (links not yet checked).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Checks the links of the latest sites that stay inside their own
    /// site (anchors, pages, assets, links leading out of the docs), whose
    /// answers need nothing but that site's files, adds their problems and
    /// keeps only the links into other sites for [`check_links`]. A shard
    /// does this for its repositories, so its part carries and `merge`
    /// checks a fraction of the links, with the same problems found: a
    /// site's folder is its entity's, so its own files are the ones
    /// [`check_links`] would look them up in. Old versions' links are left
    /// whole: their problems are grouped across versions in the order
    /// they are found.
    pub fn check_own_links(&mut self) {
        let is_own = |placed: &links::PlacedLink| {
            !matches!(
                placed.link.target,
                super::markdown::LinkTarget::OtherSite { .. }
            )
        };
        for site in &mut self.sites {
            let mut own = Vec::new();
            let mut other = Vec::new();
            for page in site.checks.iter() {
                let (mine, theirs): (Vec<_>, Vec<_>) =
                    page.links.iter().cloned().partition(|l| is_own(l));
                if !theirs.is_empty() {
                    other.push(Arc::new(PageCheck {
                        site: page.site.clone(),
                        src: page.src.clone(),
                        file: page.file.clone(),
                        // Only a page's own anchors are looked up in its ids.
                        ids: HashSet::new(),
                        links: theirs,
                    }));
                }
                own.push(PageCheck {
                    site: page.site.clone(),
                    src: page.src.clone(),
                    file: page.file.clone(),
                    ids: page.ids.clone(),
                    links: mine,
                });
            }
            let mut index = SiteIndex::default();
            index
                .sites
                .insert(site.summary.url.clone(), site.files.clone());
            let pages: Vec<&PageCheck> = own.iter().collect();
            self.diagnostics.extend(links::check(&pages, &index));
            site.checks = Arc::new(other);
        }
    }
}

/// A repository's docs, built (cheap to clone: the memo hands it out again;
/// serialisable: a shard's part carries it to `portico merge`, the build
/// cache keeps it).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct RepoDocs {
    sites: Vec<SiteBuilt>,
    #[serde(with = "crate::diagnostics::whole_list")]
    diagnostics: Vec<Diagnostic>,
    /// Old versions of the sites, built from git tags.
    versions: Vec<SiteBuilt>,
    /// Problems inside old versions, with the version's tag.
    #[serde(with = "crate::diagnostics::labelled_list")]
    old_problems: Vec<(String, Diagnostic)>,
    /// (shared, rendered) page renders of sites with old versions.
    shared_renders: (usize, usize),
    /// What the build cache keeps these docs under (`docs::repo_cache`),
    /// when it does.
    #[serde(skip)]
    cache_key: Option<Key>,
    /// With `cache_key`: what these docs' link problems read outside them.
    #[serde(skip)]
    outline: Option<Arc<links::LinkOutline>>,
    /// Read back from the build cache: every site's link facts (its page
    /// checks and files), encoded; the sites' own are empty until
    /// [`RepoDocs::load_links`] decodes these.
    #[serde(skip)]
    kept_links: Option<Arc<crate::cache::Later>>,
    /// Read back from the build cache without its pages' section text and
    /// headings: those of every latest site, encoded ([`KeptSections`]).
    #[serde(skip)]
    kept_sections: Option<Arc<crate::cache::Later>>,
}

/// One page's headings and section text, as the build cache keeps them
/// apart from the rest of its repository's docs.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct PageSections {
    #[serde(with = "crate::memo::shared")]
    headings: Arc<Vec<Heading>>,
    #[serde(with = "crate::memo::shared")]
    sections: Arc<Vec<markdown::Section>>,
}

/// A site's pages' headings and section text, kept in the build cache
/// apart from its summary and read back without being decoded.
#[derive(Clone, Debug)]
pub struct KeptSections {
    /// Every latest site's of the repository, encoded, read when asked.
    bytes: Arc<crate::cache::Later>,
    /// This site's place among them.
    site: usize,
}

impl KeptSections {
    /// `summary` (read back without them) with its pages' headings and
    /// section text.
    pub fn fill(&self, summary: &DocSiteSummary) -> Result<DocSiteSummary, String> {
        let damaged = || {
            "the build cache holds page sections this build cannot read; delete the cache \
             folder (`--cache`, default `.portico-cache` beside `--out`) and build again"
                .to_string()
        };
        let refused = || {
            self.bytes.refuse();
            damaged()
        };
        let bytes = self.bytes.bytes().ok_or_else(damaged)?;
        let mut sites: Vec<Vec<PageSections>> = crate::memo::decode(bytes).ok_or_else(refused)?;
        let pages = sites.get_mut(self.site).ok_or_else(refused)?;
        filled(summary, std::mem::take(pages)).ok_or_else(refused)
    }
}

/// `summary` with `pages`' headings and section text, when they are as
/// many as its pages.
fn filled(summary: &DocSiteSummary, pages: Vec<PageSections>) -> Option<DocSiteSummary> {
    if pages.len() != summary.pages.len() {
        return None;
    }
    let mut filled = summary.clone();
    for (page, kept) in filled.pages.iter_mut().zip(pages) {
        page.headings = kept.headings;
        page.sections = kept.sections;
    }
    Some(filled)
}

/// One site's link facts, as the build cache keeps them apart from the
/// rest of its repository's docs ([`RepoDocs::without_links`]).
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct SiteLinks {
    #[serde(with = "crate::memo::shared_list")]
    checks: Arc<Vec<Arc<PageCheck>>>,
    #[serde(with = "crate::memo::shared")]
    files: Arc<links::SiteFiles>,
}

impl RepoDocs {
    /// These docs without their sites' link facts, and those facts (the
    /// latest sites', then the old versions'), for the build cache.
    pub(super) fn without_links(&self) -> (RepoDocs, Vec<SiteLinks>) {
        let mut head = self.clone();
        let mut facts = Vec::new();
        for site in head.sites.iter_mut().chain(&mut head.versions) {
            facts.push(SiteLinks {
                checks: std::mem::take(&mut site.checks),
                files: std::mem::take(&mut site.files),
            });
        }
        head.outline = None;
        head.kept_links = None;
        (head, facts)
    }

    /// These docs without their latest sites' pages' headings and section
    /// text, and those, for the build cache (sites with old versions are
    /// not kept there).
    pub(super) fn without_sections(&self) -> (RepoDocs, Vec<Vec<PageSections>>) {
        let mut head = self.clone();
        let mut sections = Vec::new();
        for site in &mut head.sites {
            sections.push(
                site.summary
                    .pages
                    .iter()
                    .map(|page| PageSections {
                        headings: page.headings.clone(),
                        sections: page.sections.clone(),
                    })
                    .collect(),
            );
            site.summary = Arc::new(site.summary.without_sections());
        }
        (head, sections)
    }

    /// The sections kept apart ([`RepoDocs::without_sections`]), encoded:
    /// decoded into the sites now, or left with them for
    /// [`KeptSections::fill`].
    pub(super) fn with_kept_sections(
        mut self,
        kept: crate::cache::Later,
        decode: bool,
    ) -> Option<RepoDocs> {
        if !decode {
            self.kept_sections = Some(Arc::new(kept));
            return Some(self);
        }
        // Read now: a damaged entry builds the repository again.
        let sites: Vec<Vec<PageSections>> = kept.load().and_then(crate::memo::decode)?;
        if sites.len() != self.sites.len() {
            return None;
        }
        for (site, pages) in self.sites.iter_mut().zip(sites) {
            site.summary = Arc::new(filled(&site.summary, pages)?);
        }
        Some(self)
    }

    /// What these docs' link problems read outside them.
    pub(super) fn link_outline(&self) -> links::LinkOutline {
        links::LinkOutline::of(
            self.sites
                .iter()
                .map(|s| (s.summary.url.as_str(), &*s.files, s.checks.as_slice())),
        )
    }

    /// Read back from the build cache under `key`, without link facts:
    /// `outline` is theirs, `links` their encoded bytes.
    pub(super) fn kept(
        self,
        key: Key,
        outline: links::LinkOutline,
        links: crate::cache::Later,
    ) -> RepoDocs {
        RepoDocs {
            cache_key: Some(key),
            outline: Some(Arc::new(outline)),
            kept_links: Some(Arc::new(links)),
            ..self
        }
    }

    /// Built now and stored in the build cache under `key`.
    pub(super) fn stored(self, key: Key, outline: links::LinkOutline) -> RepoDocs {
        RepoDocs {
            cache_key: Some(key),
            outline: Some(Arc::new(outline)),
            ..self
        }
    }

    /// What these docs' link problems are kept by in the build cache: their
    /// key and outline, when kept there whole (no old versions).
    pub(super) fn problems_inputs(&self) -> Option<(Key, &links::LinkOutline)> {
        let outline = self.outline.as_deref()?;
        (self.versions.is_empty()).then_some((self.cache_key?, outline))
    }

    /// Each site's folder (old versions' too) and [`links::digest`] of its
    /// files, in the order they are built; from the outline when it is
    /// known.
    pub(super) fn site_digests(&self) -> Vec<(&str, u128)> {
        match &self.outline {
            Some(outline) if self.versions.is_empty() => outline
                .sites
                .iter()
                .map(|(folder, digest)| (folder.as_str(), *digest))
                .collect(),
            _ => self
                .sites
                .iter()
                .chain(&self.versions)
                .map(|site| (site.summary.url.as_str(), links::digest(&site.files)))
                .collect(),
        }
    }

    /// The folders these docs' links are looked up in: their own sites'
    /// (old versions' too) and those their links name.
    fn folders_read(&self) -> std::collections::BTreeSet<String> {
        if let (Some(outline), Some(_)) = (&self.outline, &self.kept_links) {
            return outline.folders().into_iter().map(str::to_string).collect();
        }
        let sites = self.sites.iter().chain(&self.versions);
        let pages: Vec<&PageCheck> = sites
            .clone()
            .flat_map(|site| site.checks.iter().map(|c| &**c))
            .collect();
        let mut folders = links::other_sites_named(&pages);
        folders.extend(sites.map(|site| site.summary.url.clone()));
        folders
    }

    /// Decodes the link facts read back from the build cache into the
    /// sites, if not done yet.
    fn load_links(&mut self) -> Result<(), String> {
        let Some(kept) = self.kept_links.take() else {
            return Ok(());
        };
        let unreadable = || {
            "the build cache holds link facts this build cannot read; delete the cache folder \
             (`--cache`, default `.portico-cache` beside `--out`) and build again"
                .to_string()
        };
        let bytes = kept.bytes().ok_or_else(unreadable)?;
        let facts: Vec<SiteLinks> = crate::memo::decode(bytes).ok_or_else(|| {
            kept.refuse();
            unreadable()
        })?;
        if facts.len() != self.sites.len() + self.versions.len() {
            kept.refuse();
            return Err(
                "the build cache's link facts do not match its docs; delete the \
                 cache folder (`--cache`, default `.portico-cache` beside `--out`) and build \
                 again"
                    .to_string(),
            );
        }
        let sites = self.sites.iter_mut().chain(&mut self.versions);
        for (site, facts) in sites.zip(facts) {
            site.checks = facts.checks;
            site.files = facts.files;
        }
        Ok(())
    }
}

/// One docs site built: what the portal keeps, what the link check needs.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct SiteBuilt {
    #[serde(with = "crate::memo::shared")]
    summary: Arc<DocSiteSummary>,
    #[serde(with = "crate::memo::shared_list")]
    checks: Arc<Vec<Arc<PageCheck>>>,
    #[serde(with = "crate::memo::shared")]
    files: Arc<links::SiteFiles>,
}

/// [`build_repo`], or what it built last time when nothing it reads has
/// changed since: the repository's files (its version) and the entities
/// whose docs it holds.
fn build_repo_kept(
    repo: &RepoSource,
    entities: &[&Entity],
    options: &DocsOptions<'_>,
    layout: Layout<'_>,
    sink: Option<Sink<'_>>,
) -> Result<RepoDocs, String> {
    let Some((memo, versions)) = options.memo else {
        if let (Some(disk), Some(carry), Some(sink)) = (options.disk, options.carry, sink) {
            return build_repo_cached(repo, entities, options, layout, sink, (disk, carry));
        }
        return build_repo(repo, entities, options, layout, sink);
    };
    let Some(version) = versions.of(&repo.root) else {
        return build_repo(repo, entities, options, layout, sink);
    };
    let mut key = memo::hasher();
    key.update(&version.to_le_bytes());
    for entity in entities {
        memo::part(&mut key, entity.entity_ref.to_string().as_bytes());
        memo::part(&mut key, entity.source.file.as_bytes());
        let pos = entity.doc.pos;
        key.update(&(pos.line as u64).to_le_bytes());
        key.update(&(pos.column as u64).to_le_bytes());
    }
    let key = key.digest128();
    if let Some(built) = memo.repos.get(&repo.display, key) {
        if let Some(sink) = sink {
            for (path, bytes) in &built.files {
                sink(path, bytes)?;
            }
        }
        if let Some(on_site) = options.on_site {
            built
                .docs
                .sites
                .iter()
                .for_each(|site| on_site(&site.summary));
        }
        return Ok(built.docs.clone());
    }
    let written = std::sync::Mutex::new(Vec::new());
    let recording = |path: &str, bytes: &Arc<[u8]>| {
        written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((path.to_string(), Arc::clone(bytes)));
        sink.map_or(Ok(()), |sink| sink(path, bytes))
    };
    let docs = build_repo(repo, entities, options, layout, Some(&recording))?;
    let files = written
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    memo.repos.insert(
        &repo.display,
        key,
        RepoBuilt {
            docs: docs.clone(),
            files,
        },
    );
    Ok(docs)
}

/// [`build_repo`] with the build cache: the repository's docs read back
/// and its files carried over from the last site when nothing they are
/// made from changed ([`repo_cache`]), else built and kept.
fn build_repo_cached(
    repo: &RepoSource,
    entities: &[&Entity],
    options: &DocsOptions<'_>,
    layout: Layout<'_>,
    sink: Sink<'_>,
    (disk, carry): (&crate::cache::DiskCache, Carry<'_>),
) -> Result<RepoDocs, String> {
    // The repository's files stamped as they were when its key was last
    // worked out: that key, and the listing then, without a look at them.
    let by_files = options
        .repo_files
        .and_then(|stamps| stamps.get(&repo.display))
        .and_then(|stamp| repo_cache::by_files_key(*stamp, entities, options));
    let kept_by_files = by_files.and_then(|by_files| repo_cache::by_files(disk, by_files));
    if let Some((key, listing)) = &kept_by_files
        && let Some(docs) = reuse_kept(*key, options, (disk, carry))
    {
        if let Some(listings) = options.listings {
            listings.record(repo, Arc::clone(listing));
        }
        disk.count(repo_cache::BY_FILES_TAKEN, true);
        return Ok(docs);
    }
    if by_files.is_some() {
        disk.count(repo_cache::BY_FILES_TAKEN, false);
    }
    let Ok(snapshot) = Snapshot::open(repo, options.git_ref) else {
        return Ok(RepoDocs::default()); // already reported by the catalog stage
    };
    let files = listed(&snapshot, options);
    let Some(key) = repo_cache::key(&snapshot, &files, entities, options) else {
        let keep = options.keep_sections;
        return build_snapshot(
            &snapshot,
            &files,
            entities,
            (options, keep),
            layout,
            Some(sink),
        );
    };
    if let Some(by_files) = by_files
        && kept_by_files.is_none_or(|(kept, _)| kept != key)
    {
        repo_cache::keep_by_files(disk, by_files, key, &files);
    }
    if let Some(docs) = reuse_kept(key, options, (disk, carry)) {
        return Ok(docs);
    }
    let written = std::sync::Mutex::new(Vec::new());
    let recording = |path: &str, bytes: &Arc<[u8]>| {
        crate::memo::lock(&written).push(WrittenFile::of(path, bytes));
        sink(path, bytes)
    };
    // Sections kept until the repository is stored: the cache keeps them
    // for the next build's search documents.
    let mut docs = build_snapshot(
        &snapshot,
        &files,
        entities,
        (options, true),
        layout,
        Some(&recording),
    )?;
    let mut written = written
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    written.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    let outline = repo_cache::store(disk, key, &docs, &written);
    if !options.keep_sections {
        docs.drop_sections();
    }
    Ok(docs.stored(key, outline))
}

/// The repository's docs kept under `key` ([`repo_cache::reuse`]), its
/// files carried over; `None` when they are not all there.
fn reuse_kept(
    key: Key,
    options: &DocsOptions<'_>,
    (disk, carry): (&crate::cache::DiskCache, Carry<'_>),
) -> Option<RepoDocs> {
    // Sections decoded now only for an `on_site` to see them.
    let decode_sections = options.on_site.is_some();
    let mut docs = repo_cache::reuse(disk, key, carry, decode_sections)?;
    for site in &docs.sites {
        for _ in &site.summary.pages {
            disk.count(memo::DISK_KIND, true);
        }
        if let Some(on_site) = options.on_site {
            on_site(&site.summary);
        }
    }
    if decode_sections && !options.keep_sections {
        docs.drop_sections();
    }
    Some(docs)
}

fn build_repo(
    repo: &RepoSource,
    entities: &[&Entity],
    options: &DocsOptions<'_>,
    layout: Layout<'_>,
    sink: Option<Sink<'_>>,
) -> Result<RepoDocs, String> {
    let Ok(snapshot) = Snapshot::open(repo, options.git_ref) else {
        return Ok(RepoDocs::default()); // already reported by the catalog stage
    };
    let files = listed(&snapshot, options);
    let keep = options.keep_sections;
    build_snapshot(&snapshot, &files, entities, (options, keep), layout, sink)
}

/// Every file of the repository, recorded in [`DocsOptions::listings`]
/// for the scorecards' file rules.
fn listed(snapshot: &Snapshot, options: &DocsOptions<'_>) -> Arc<crate::read::Listing> {
    let files = match options.memo {
        Some((memo, versions)) if snapshot.source.kind != crate::read::RepoKind::Bare => {
            memo.listings.listing(snapshot, versions)
        }
        _ => Arc::new(snapshot.list_all_files()),
    };
    if let Some(listings) = options.listings {
        listings.record(&snapshot.source, files.clone());
    }
    files
}

/// Builds the docs of the entities `entities` from the repository opened
/// as `snapshot`, whose files are `files`.
/// `keep_sections`: [`DocsOptions::keep_sections`], or `true` where the
/// caller drops them itself once it has stored them.
fn build_snapshot(
    snapshot: &Snapshot,
    files: &crate::read::Listing,
    entities: &[&Entity],
    (options, keep_sections): (&DocsOptions<'_>, bool),
    layout: Layout<'_>,
    sink: Option<Sink<'_>>,
) -> Result<RepoDocs, String> {
    let mut out = RepoDocs::default();
    let links = RepoLocation::of(snapshot);
    let mut sources = Vec::new();
    for entity in entities {
        let request = match site::request(entity, Some(&links)) {
            Some(Ok(request)) => request,
            Some(Err(d)) => {
                out.diagnostics.push(d);
                continue;
            }
            None => continue,
        };
        if let Some(source) = site::load(
            snapshot,
            files,
            request,
            options.drafts,
            &mut out.diagnostics,
        ) {
            sources.push((*entity, source));
        }
    }
    // One history walk for every page of every site in the repository
    // whose dates are wanted.
    let paths: Vec<String> = sources
        .iter()
        .filter(|(_, s)| wants_dates(s, options))
        .flat_map(|(_, s)| s.pages.iter().map(|p| page_path(s, p)))
        .collect();
    let history = snapshot.history(&paths);
    let budget = std::cell::RefCell::new(Budget::default());
    let shared = PageMemo::default();
    shared.start();
    for (entity, source) in &sources {
        budget.borrow_mut().next_site();
        let old = versions::load(
            snapshot,
            entity,
            source,
            options.versions,
            &mut out.diagnostics,
            &mut out.old_problems,
        );
        let branch = snapshot.git.as_ref().and_then(|g| g.branch.as_deref());
        let all = (!old.is_empty()).then(|| versions::SiteVersions::of(branch, source, &old));
        let mut old_sites = Vec::with_capacity(old.len());
        for (i, version) in old.iter().enumerate() {
            let site = build_old_version(
                version,
                (all.as_ref(), i),
                &shared,
                options,
                layout,
                sink,
                &mut out.old_problems,
            )?;
            old_sites.push(site);
        }
        let context = SiteContext {
            snapshot,
            links: &links,
            history: &history,
            budget: &budget,
            versions: all.as_ref().map(|all| (all, None)),
            shared: all.as_ref().map(|_| &shared),
        };
        let mut site = build_site(
            &context,
            source,
            options,
            layout,
            sink,
            &mut out.diagnostics,
        )?;
        if !old_sites.is_empty() {
            let summary = Arc::make_mut(&mut site.summary);
            summary.versions = old_sites.iter().map(|s| s.summary.clone()).collect();
            summary.versions_searched = options.search_versions;
        }
        if let Some(on_site) = options.on_site {
            on_site(&site.summary);
        }
        if !keep_sections {
            site.summary = Arc::new(site.summary.without_sections());
            for (old, stripped) in old_sites.iter_mut().zip(&site.summary.versions) {
                old.summary = stripped.clone();
            }
        }
        out.sites.push(site);
        out.versions.extend(old_sites);
    }
    out.shared_renders = shared.finish();
    Ok(out)
}

/// Builds one old version of a site, read at its tag, with its own git
/// dates, links and snippet budget; its problems go to `old_problems`.
#[allow(clippy::too_many_arguments)]
fn build_old_version(
    version: &versions::OldVersion,
    (all, current): (Option<&versions::SiteVersions>, usize),
    shared: &PageMemo,
    options: &DocsOptions<'_>,
    layout: Layout<'_>,
    sink: Option<Sink<'_>>,
    old_problems: &mut Vec<(String, Diagnostic)>,
) -> Result<SiteBuilt, String> {
    let snapshot = &version.snapshot;
    let links = RepoLocation::of(snapshot);
    let paths: Vec<String> = if wants_dates(&version.source, options) {
        version
            .source
            .pages
            .iter()
            .map(|p| page_path(&version.source, p))
            .collect()
    } else {
        Vec::new()
    };
    let history = snapshot.history(&paths);
    let budget = std::cell::RefCell::new(Budget::default());
    budget.borrow_mut().next_site();
    let context = SiteContext {
        snapshot,
        links: &links,
        history: &history,
        budget: &budget,
        versions: all.map(|all| (all, Some(current))),
        shared: Some(shared),
    };
    let mut problems = Vec::new();
    let mut site = build_site(
        &context,
        &version.source,
        options,
        layout,
        sink,
        &mut problems,
    )?;
    old_problems.extend(problems.into_iter().map(|d| (version.tag.clone(), d)));
    Arc::make_mut(&mut site.summary).version = Some(version.tag.clone());
    Ok(site)
}

/// Whether a site's pages' git dates are read (see
/// [`DocsOptions::page_dates`]): always when the run wants them, else when
/// the site's date plugin puts them into its pages.
fn wants_dates(source: &DocSource, options: &DocsOptions<'_>) -> bool {
    options.page_dates || source.config.markdown.dates.enabled
}

/// The repository a site is built from.
struct SiteContext<'s> {
    snapshot: &'s Snapshot,
    links: &'s RepoLocation,
    history: &'s History,
    /// The repository's snippet budget, shared by its sites in order.
    budget: &'s std::cell::RefCell<Budget>,
    /// The site's versions and which this is (`None`: the latest), when it
    /// has old versions.
    versions: Option<(&'s versions::SiteVersions, Option<usize>)>,
    /// Renders shared by the versions of a site.
    shared: Option<&'s PageMemo>,
}

/// The titles the site's pages give themselves (`docs::title`), by page;
/// a page opening with a snippet is titled as the snippet makes it (its
/// snippets included when it was granted the budget), and a file whose
/// page is another's (`site::claim_outputs`) keeps its own title for a nav
/// entry naming it, as in MkDocs.
fn site_titles(
    snapshot: &Snapshot,
    source: &DocSource,
    (pages, granted): (&[PageInput], &[bool]),
    snippets: &Snippets,
    options: &DocsOptions<'_>,
) -> HashMap<String, String> {
    let snippet = |name: &str| snippets.get(name);
    let no_titles = |text: &str| (text.to_string(), Vec::new());
    let expand = |text: &str| {
        markdown::preprocess::preprocess(
            text,
            Some(&snippet),
            &source.config.markdown.snippets,
            &no_titles,
        )
        .text
    };
    let snippets_key = snippets.key();
    let mut titles: HashMap<String, String> = pages
        .iter()
        .zip(granted)
        .filter_map(|(p, granted)| {
            let expand = granted.then_some(&expand as &dyn Fn(&str) -> String);
            let title = || super::title::page_title_with(&p.text, expand);
            let title = match options.memo {
                Some((kept, _)) if *granted && p.text.contains("--8<--") => {
                    let mut key = memo::hasher();
                    memo::part(&mut key, p.text.as_bytes());
                    key.update(&snippets_key.to_le_bytes());
                    kept.titles.get_or_make(key.digest128(), title)
                }
                _ => title(),
            };
            title.map(|t| (p.src.clone(), t))
        })
        .collect();
    for (alias, _) in &source.aliases {
        if let Some(title) = snapshot
            .read_text(&page_path(source, alias))
            .ok()
            .and_then(|text| super::title::page_title_with(&text, None))
        {
            titles.insert(alias.clone(), title);
        }
    }
    titles
}

fn build_site(
    context: &SiteContext<'_>,
    source: &DocSource,
    options: &DocsOptions<'_>,
    layout: Layout<'_>,
    sink: Option<Sink<'_>>,
    out: &mut Vec<Diagnostic>,
) -> Result<SiteBuilt, String> {
    let (snapshot, links) = (context.snapshot, context.links);
    let repo = &snapshot.source;
    let entity = &source.request.entity;
    let url = source.request.site_dir();
    let config_lines = crate::diagnostics::LineIndex::new(&source.config_text);
    let config_file = SourceFile {
        repo: &repo.name,
        repo_dir: &repo.display,
        path: &source.config_file,
        text: &source.config_text,
        line_index: Some(&config_lines),
    };
    report_unsupported(source, &config_file, out);
    let pages = read_pages(snapshot, source, options.memo, out);
    let snippets = Snippets::read(
        snapshot,
        &source.request.root,
        &source.config.markdown.snippets,
        pages.iter().map(|p| &*p.text),
    );
    // Shared out in page order, before pages render in parallel.
    let granted: Vec<bool> = pages
        .iter()
        .map(|p| context.budget.borrow_mut().grant(&snippets, &p.text))
        .collect();
    for page in pages
        .iter()
        .zip(&granted)
        .filter(|(_, g)| !**g)
        .map(|(p, _)| p)
    {
        out.push(
            Diagnostic::error(
                "snippet-budget",
                format!(
                    "the snippets of this page were not included: with them, this repository's pages would include more than {} MB of snippets",
                    crate::limits::MAX_REPO_SNIPPET_BYTES / (1024 * 1024)
                ),
            )
            .with_hint("include less (a line range, `file.md:3:8`), or fewer times")
            .in_repo(&repo.name, &repo.display, &page.path),
        );
    }
    let titles = site_titles(snapshot, source, (&pages, &granted), &snippets, options);
    let page_srcs: Vec<String> = pages.iter().map(|p| p.src.clone()).collect();
    let nav = match &source.config.nav {
        // Checked against every page found, so an unreadable page (already
        // reported) is not also called missing.
        Some(node) => nav::from_config(
            node,
            &source.pages,
            &nav::Unpublished {
                excluded: &source.excluded,
                aliases: &source.aliases,
            },
            &titles,
            &config_file,
            out,
        ),
        None => nav::automatic(
            &site::in_automatic_nav(&page_srcs, &source.not_in_nav),
            &titles,
        ),
    };
    let order = nav::page_order(&nav);
    let positions: HashMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(i, (s, _))| (s.as_str(), i))
        .collect();
    // Big sites list only the sections on the way to each page in its nav.
    let expand_all = order.len() <= 100;
    let paths = nav::paths(&nav);
    // Too long a level: each page shows its neighbourhood, this page the rest.
    let all_pages = (source.all_pages
        && nav::longest_level(&nav) > crate::limits::MAX_NAV_SIBLINGS)
        .then_some(site::ALL_PAGES);
    for page in pages.iter().filter(|p| {
        !positions.contains_key(p.src.as_str()) && source.not_in_nav.binary_search(&p.src).is_err()
    }) {
        if source.config.nav.is_some() {
            out.push(
                Diagnostic::info(
                    "page-not-in-nav",
                    format!(
                        "`{}` is not in the nav of {}; it is built but only reachable by links",
                        page.src, source.config_file
                    ),
                )
                .in_repo(&repo.name, &repo.display, &page.path),
            );
        }
    }
    let page_urls: HashMap<String, String> = page_srcs
        .iter()
        .map(|s| (s.clone(), markdown::page_url(s)))
        .collect();
    let site_name = source
        .config
        .site_name
        .clone()
        .unwrap_or_else(|| source.request.entity_title.clone());

    // Git facts per page, gathered here: the repository is not shared across threads.
    let git_facts: HashMap<String, (Option<(String, String)>, bool)> = pages
        .iter()
        .map(|page| {
            let last = context
                .history
                .last_change
                .get(&page.path)
                .map(|c| (crate::read::history::date(c.seconds), c.author.clone()));
            let uncommitted =
                snapshot.is_uncommitted(context.history, &page.path, page.text.as_bytes());
            (page.src.clone(), (last, uncommitted))
        })
        .collect();
    report_macros(source, &pages, repo, out);
    let site_pages = SitePages {
        source,
        repo,
        links,
        url: &url,
        site_name: &site_name,
        nav: &nav,
        order: &order,
        titles: &titles,
        positions: &positions,
        paths: &paths,
        page_urls: &page_urls,
        snippets: &snippets,
        git_facts: &git_facts,
        dates: &page_dates(context, source, &pages),
        expand_all,
        all_pages,
        options,
        layout: sink.map(|_| layout),
        versions: context.versions,
        shared: context.shared,
    };
    let built = site_pages.build_all(&pages, &granted);
    let mut summaries = Vec::with_capacity(built.len());
    let mut checks = Vec::with_capacity(built.len());
    for page in built {
        if let (Some(sink), Some(html)) = (sink, &page.html) {
            sink(&crate::address::docs_page(&url, &page.summary.url), html)?;
        }
        summaries.push(page.summary);
        checks.push(page.check);
        out.extend(page.problems.iter().cloned());
    }
    let published: HashSet<String> =
        publish_assets(snapshot, source, &url, sink, &options.sanitize, out)?
            .into_iter()
            .collect();
    if let (Some(sink), Some(all_pages)) = (sink, all_pages) {
        let place = PagePlace {
            nav: &nav,
            order: &order,
            position: None,
            path: None,
            src: "",
            url: all_pages,
            expand_all,
            all_pages: Some(all_pages),
        };
        let view = page::all_pages_view(source, &place, &site_name);
        sink(
            &format!("{url}{all_pages}index.html"),
            &Arc::from(layout(view).into_bytes()),
        )?;
    }
    if let Some(sink) = sink {
        sink(
            &format!("{url}{}", site::METADATA_FILE),
            &Arc::from(metadata(source, &site_name, &summaries, &published, snapshot).into_bytes()),
        )?;
    }
    let files = links::SiteFiles {
        // Each page's ids move here: its own anchors are looked up in its
        // site's files too (`links::check`), so they are kept once.
        pages: checks
            .iter_mut()
            .map(|c| {
                let check = Arc::make_mut(c);
                (check.src.clone(), std::mem::take(&mut check.ids))
            })
            .collect(),
        left_out: source
            .assets
            .iter()
            .cloned()
            .collect::<HashSet<_>>()
            .difference(&published)
            .cloned()
            .collect(),
        assets: published,
        excluded: source.excluded.iter().cloned().collect(),
        drafts: source.drafts.iter().cloned().collect(),
        aliases: source.aliases.iter().cloned().collect(),
        dir: crate::diagnostics::display_path(&repo.display, &source.docs_dir),
        readme_index: source
            .readme_index
            .as_ref()
            .map(|readme| crate::diagnostics::display_path(&repo.display, readme)),
    };
    let summary = DocSiteSummary {
        entity: entity.clone(),
        url,
        site_name,
        pages: summaries,
        version: None,
        versions: Vec::new(),
        versions_searched: false,
        docs_dir: source.docs_dir.clone(),
        readme_index: source.readme_index.clone(),
    };
    Ok(SiteBuilt {
        summary: Arc::new(summary),
        checks: Arc::new(checks),
        files: Arc::new(files),
    })
}

/// Copies the site's assets to `sink` (with no sink, as `check` runs,
/// only the files a browser would run as pages are read). `.html` and
/// `.svg` files go through the sanitising policy of `author_files`; what it
/// removes or refuses is reported. Returns the assets published.
fn publish_assets(
    snapshot: &Snapshot,
    source: &DocSource,
    url: &str,
    sink: Option<Sink<'_>>,
    sanitize: &SanitizeOptions,
    out: &mut Vec<Diagnostic>,
) -> Result<Vec<String>, String> {
    let repo = &snapshot.source;
    let mut published = Vec::with_capacity(source.assets.len());
    for asset in &source.assets {
        let runs_as_page = author_files::needs_sanitizing(asset);
        if sink.is_none() && !runs_as_page {
            published.push(asset.clone());
            continue;
        }
        let path = format!("{}/{asset}", source.docs_dir);
        let place = |d: Diagnostic| d.in_repo(&repo.name, &repo.display, &path);
        let bytes = match snapshot.read_bytes(&path) {
            Ok(bytes) => bytes,
            Err(e) => {
                out.push(place(Diagnostic::warning(
                    "asset-unreadable",
                    e.to_string(),
                )));
                continue;
            }
        };
        let bytes = match author_files::sanitize(asset, &bytes, sanitize) {
            None => bytes,
            Some(Sanitized::Clean(clean)) => clean,
            Some(Sanitized::Changed { bytes, removed }) => {
                out.push(place(
                    Diagnostic::warning(
                        "asset-sanitized",
                        format!("`{asset}` was published without: {}", removed.join(", ")),
                    )
                    .with_hint("opened in a browser, this file would run on the portal's site; only safe markup is kept"),
                ));
                bytes
            }
            Some(Sanitized::Refused(why)) => {
                out.push(place(
                    Diagnostic::error("asset-refused", format!("`{asset}` was not published: {why}"))
                        .with_hint("files in docs a browser could open as a page (HTML, SVG, XML types) are checked before they are published: fix the file, or link to it elsewhere"),
                ));
                continue;
            }
        };
        if let Some(sink) = sink {
            sink(&format!("{url}{asset}"), &Arc::from(bytes))?;
        }
        published.push(asset.clone());
    }
    Ok(published)
}

/// `techdocs_metadata.json`, as TechDocs writes it (the build timestamp is
/// the commit's, so builds stay reproducible).
fn metadata(
    source: &DocSource,
    site_name: &str,
    pages: &[PageSummary],
    assets: &HashSet<String>,
    snapshot: &Snapshot,
) -> String {
    let mut files: Vec<String> = pages
        .iter()
        .map(|p| format!("{}index.html", p.url))
        .collect();
    files.extend(assets.iter().cloned());
    files.sort();
    let json = serde_json::json!({
        "site_name": site_name,
        "site_description": source.config.site_description.clone().unwrap_or_default(),
        "etag": snapshot.git.as_ref().and_then(|g| g.commit.clone()).unwrap_or_default(),
        "files": files,
    });
    serde_json::to_string_pretty(&json).unwrap_or_default()
}

/// Each page's git dates for the date plugin's template tags; empty when
/// the plugin is off. Creation dates cost a walk of their own, made only
/// when a page uses them.
fn page_dates(
    context: &SiteContext<'_>,
    source: &DocSource,
    pages: &[PageInput],
) -> HashMap<String, PageDates> {
    let settings = &source.config.markdown.dates;
    if !settings.enabled {
        return HashMap::new();
    }
    let revision = |page: &PageInput| {
        context
            .history
            .last_change
            .get(&page.path)
            .map(|c| c.seconds)
    };
    // The plugin asks git for the last commit under docs_dir: the newest page.
    let site_revision = pages.iter().filter_map(revision).max();
    let wants_creation = settings.creation
        && pages.iter().any(|p| {
            template_tags::tags(&p.text)
                .any(|(_, _, name)| name.eq_ignore_ascii_case("git_creation_date_localized"))
        });
    let added = if wants_creation {
        let paths: Vec<String> = pages.iter().map(|p| p.path.clone()).collect();
        context.snapshot.added(&paths)
    } else {
        HashMap::new()
    };
    pages
        .iter()
        .map(|page| {
            let dates = PageDates {
                revision: revision(page),
                creation: added.get(&page.path).copied(),
                site_revision,
            };
            (page.src.clone(), dates)
        })
        .collect()
}

/// With the `macros` plugin, `{{ … }}` tags are Jinja, which Portico does
/// not run: one note per site, at the first tag it leaves as written.
fn report_macros(
    source: &DocSource,
    pages: &[PageInput],
    repo: &crate::read::RepoSource,
    out: &mut Vec<Diagnostic>,
) {
    if !source
        .config
        .plugins
        .iter()
        .any(|(name, _)| name == "macros")
    {
        return;
    }
    let dates = &source.config.markdown.dates;
    let first = pages.iter().find_map(|page| {
        template_tags::tags(&page.text)
            .find(|(_, _, name)| !template_tags::is_replaced(name, dates))
            .map(|(start, _, name)| (page, start, name.to_string()))
    });
    let Some((page, start, name)) = first else {
        return;
    };
    let line = page.text[..start].matches('\n').count() + 1;
    let file = SourceFile {
        repo: &repo.name,
        repo_dir: &repo.display,
        path: &page.path,
        text: &page.text,
        line_index: None,
    };
    out.push(
        Diagnostic::info(
            "template-tag",
            format!(
                "`{{{{ {name} }}}}` is a template tag of the mkdocs-macros plugin, which Portico does not run; this site's tags are shown as written"
            ),
        )
        .with_hint("write the value into the page, or use a tag Portico replaces (the git-revision-date-localized plugin's dates)")
        .in_file(&file, line, 1),
    );
}

/// Plugins and extensions Portico does not implement, reported once per site.
fn report_unsupported(source: &DocSource, file: &SourceFile<'_>, out: &mut Vec<Diagnostic>) {
    const BUILT_IN_PLUGINS: &[&str] = &[
        "techdocs-core",
        "search",
        "git-revision-date-localized",
        "git-revision-date",
        "git-authors",
        "offline",
    ];
    const BUILT_IN_EXTENSIONS: &[&str] = &[
        "admonition",
        "toc",
        "tables",
        "footnotes",
        "attr_list",
        "def_list",
        "abbr",
        "md_in_html",
        "meta",
        "fenced_code",
        "codehilite",
        "sane_lists",
        "mdx_truly_sane_lists",
        "pymdownx.details",
        "pymdownx.superfences",
        "pymdownx.tabbed",
        "pymdownx.highlight",
        "pymdownx.inlinehilite",
        "pymdownx.snippets",
        "pymdownx.emoji",
        "pymdownx.mark",
        "pymdownx.caret",
        "pymdownx.tilde",
        "pymdownx.tasklist",
        "pymdownx.magiclink",
        "pymdownx.extra",
        "pymdownx.betterem",
        "pymdownx.smartsymbols",
        "pymdownx.keys",
        "pymdownx.critic",
    ];
    for (name, line) in &source.config.plugins {
        if !BUILT_IN_PLUGINS.contains(&name.as_str()) {
            out.push(
                Diagnostic::info(
                    "unsupported-plugin",
                    format!(
                        "MkDocs plugin `{name}` is not run by Portico; the site is built without it"
                    ),
                )
                .in_file(file, *line, 1),
            );
        }
    }
    for (name, line) in &source.config.markdown_extensions {
        if !BUILT_IN_EXTENSIONS.contains(&name.as_str()) {
            out.push(
                Diagnostic::info("unsupported-extension", format!("Markdown extension `{name}` is not supported by Portico; its syntax shows as written"))
                    .in_file(file, *line, 1),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_without_sections_keeps_everything_else() {
        let page = |src: &str| PageSummary {
            src: src.to_string(),
            url: src.replace(".md", "/"),
            title: format!("Title of {src}"),
            headings: Arc::new(vec![markdown::Heading {
                level: 2,
                text: "Install".into(),
                id: "install".into(),
            }]),
            has_mermaid: src == "b.md",
            sections: Arc::new(vec![markdown::Section {
                id: "install".into(),
                heading: "Install".into(),
                level: 2,
                text: "pip install".into(),
            }]),
            last_updated: Some("2026-12-01".into()),
            draft: false,
        };
        let site = |version: Option<&str>, versions| DocSiteSummary {
            entity: crate::catalog::entity_ref::EntityRef::new("component", "default", "alpha"),
            url: "docs/default/component/alpha/".into(),
            site_name: "Alpha".into(),
            pages: vec![page("a.md"), page("b.md")],
            version: version.map(str::to_string),
            versions,
            versions_searched: true,
            docs_dir: "docs".into(),
            readme_index: None,
        };
        let whole = site(None, vec![Arc::new(site(Some("v1"), Vec::new()))]);
        let stripped = whole.without_sections();
        let texts = |s: &DocSiteSummary| {
            s.pages
                .iter()
                .map(|p| (p.sections.len(), p.headings.len()))
                .collect::<Vec<_>>()
        };
        assert_eq!(texts(&stripped), [(0, 0), (0, 0)]);
        assert_eq!(texts(&stripped.versions[0]), [(0, 0), (0, 0)]);
        // Everything else is as it was: cleared, the two are the same.
        let cleared = |s: &DocSiteSummary| {
            let mut json = serde_json::to_value(s).unwrap();
            let clear = |json: &mut serde_json::Value| {
                for page in json["pages"].as_array_mut().unwrap() {
                    page["sections"] = serde_json::json!([]);
                    page["headings"] = serde_json::json!([]);
                }
            };
            clear(&mut json);
            clear(&mut json["versions"][0]);
            json
        };
        assert_eq!(cleared(&stripped), cleared(&whole));
        assert_eq!(
            stripped.pages[1].last_updated.as_deref(),
            Some("2026-12-01")
        );
    }
}
