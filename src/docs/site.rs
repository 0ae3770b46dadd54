//! Finding each entity's docs: `backstage.io/techdocs-ref`, `mkdocs.yml`,
//! `docs_dir`, the pages and assets in it.

use super::exclusions::{Exclusions, Inclusion};
use super::mkdocs::{self, MkdocsConfig};
use crate::catalog::Entity;
use crate::catalog::entity_ref::EntityRef;
use crate::catalog::location::RepoLocation;
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::limits::{MAX_NAV_SIBLINGS, MAX_PAGES_PER_SITE};
use crate::read::{Listing, ReadError, Snapshot, safe_path};
use crate::yaml;
use std::sync::Arc;

pub const ANNOTATION: &str = "backstage.io/techdocs-ref";

/// An entity whose docs should be built, and where its annotation says they are.
#[derive(Clone, Debug)]
pub struct SiteRequest {
    pub entity: EntityRef,
    /// Display name for the docs header: the entity's title or name.
    pub entity_title: String,
    /// Repository-relative folder holding `mkdocs.yml`.
    pub root: String,
    /// The folder of an old version built from a git tag (see
    /// `docs::versions`); `None` for the latest.
    pub version: Option<String>,
}

impl SiteRequest {
    /// The site's folder in the built site: the entity's docs folder, or
    /// the old version's inside it.
    pub fn site_dir(&self) -> String {
        let latest = crate::address::docs_site_dir(&self.entity);
        match &self.version {
            Some(version) => crate::address::docs_version_dir(&latest, version),
            None => latest,
        }
    }

    /// Folders from the site's folder up to the portal's root.
    pub fn depth(&self) -> usize {
        crate::address::docs_site_depth(self.version.as_deref())
    }
}

/// A docs site ready to render.
#[derive(Clone, Debug)]
pub struct DocSource {
    pub request: SiteRequest,
    pub config: MkdocsConfig,
    /// Repository-relative path of the mkdocs file.
    pub config_file: String,
    pub config_text: Arc<str>,
    /// Repository-relative docs folder.
    pub docs_dir: String,
    /// Markdown files, docs-relative, sorted.
    pub pages: Vec<String>,
    /// Every other file under `docs_dir`, docs-relative.
    pub assets: Vec<String>,
    /// Files under `docs_dir` the site's `exclude_docs` or `draft_docs`
    /// leaves out (MkDocs' defaults, `excluded_by_default`, are not
    /// listed), docs-relative, sorted.
    pub excluded: Vec<String>,
    /// Pages `not_in_nav` names, sorted: left out of an automatic nav, and
    /// not reported missing from a written one.
    pub not_in_nav: Vec<String>,
    /// Pages `draft_docs` names, built for a preview (`portico serve`)
    /// and marked as drafts, sorted; empty otherwise.
    pub drafts: Vec<String>,
    /// Pages whose address is another folder's page (`guide.md` beside
    /// `guide/index.md`), each with that page, sorted: nav entries and
    /// links naming them lead there.
    pub aliases: Vec<(String, String)>,
    /// Repository-relative README read as `index.md` when the docs have no
    /// index (TechDocs' fallback).
    pub readme_index: Option<String>,
    /// The site may have a page listing all pages at [`ALL_PAGES`] (it has
    /// enough pages for its nav to be cut; the path is claimed).
    pub all_pages: bool,
}

pub use crate::address::ALL_PAGES;

/// Who holds the path of the page of all pages, in [`Claims`].
const ALL_PAGES_OWNER: &str = "the page of all pages";

/// Reads `backstage.io/techdocs-ref` of an entity. `None` without the annotation.
pub fn request(
    entity: &Entity,
    links: Option<&RepoLocation>,
) -> Option<Result<SiteRequest, Diagnostic>> {
    let value = entity.annotation(ANNOTATION)?;
    let title = entity
        .metadata_str("title")
        .unwrap_or(&entity.name)
        .to_string();
    let catalog_dir = safe_path::parent(&entity.source.file);
    let place = |d: Diagnostic| {
        let at = entity
            .doc
            .at(&["metadata", "annotations", ANNOTATION])
            .map_or(entity.doc.pos, |n| n.pos);
        d.in_file(&entity.source_file(), at.line, at.column)
    };
    let root = if let Some(dir) = value.strip_prefix("dir:") {
        let dir = dir.trim();
        if dir == "." || dir == "./" || dir.is_empty() {
            Ok(catalog_dir.to_string())
        } else {
            safe_path::join(catalog_dir, dir).map_err(|e| {
                place(Diagnostic::error("techdocs-ref-invalid", format!("`{ANNOTATION}: {value}`: {e}"))
                    .with_hint("use `dir:.` or a folder inside the repository, relative to the catalog file"))
            })
        }
    } else if let Some(url) = value.strip_prefix("url:") {
        match links.and_then(|l| l.dir_of_url(url.trim())) {
            Some(path) => Ok(path),
            None => Err(place(
                Diagnostic::warning("techdocs-ref-remote", format!("`{ANNOTATION}: {value}` points outside this repository; its docs were not built"))
                    .with_hint("Portico builds docs from the repositories it reads: use `dir:` for docs next to the catalog file"),
            )),
        }
    } else {
        Err(place(
            Diagnostic::error(
                "techdocs-ref-invalid",
                format!("`{ANNOTATION}: {value}` is neither `dir:` nor `url:`"),
            )
            .with_hint("write e.g. `dir:.` for docs next to the catalog file"),
        ))
    };
    Some(root.map(|root| SiteRequest {
        entity: entity.entity_ref.clone(),
        entity_title: title,
        root,
        version: None,
    }))
}

/// The site's own file beside its pages (see `build::metadata`).
pub const METADATA_FILE: &str = "techdocs_metadata.json";

/// Decides which source writes each file of the site, so no two sources
/// write one path (the second would silently replace the first, or fail
/// the whole build when one needs a folder where the other is a file).
/// Portico's own files come first, then pages (of those that would be one
/// page, the one MkDocs publishes: see below), then assets. A page whose
/// name makes no folder (`.md`, `...md`) is refused. A site with
/// `all_pages` keeps the path of its page of all pages. `drafts` (sorted)
/// are the pages a preview shows as drafts. Returns the pages and assets
/// that keep their paths, and the pages whose page is one of another folder
/// (`guide.md` beside `guide/index.md`: MkDocs publishes both at one
/// address, so nav entries and links naming either work), each with that
/// page; `report` gets the rest.
fn claim_outputs(
    pages: Vec<String>,
    assets: Vec<String>,
    (all_pages, drafts): (bool, &[String]),
    docs_dir: &str,
    report: &mut dyn FnMut(&str, Diagnostic),
) -> (Vec<String>, Vec<String>, Vec<(String, String)>) {
    // Sorted, so a page is looked up in it by halves.
    let mut pages = pages;
    pages.sort();
    let mut claims = Claims::default();
    let _ = claims.claim(METADATA_FILE, METADATA_FILE);
    if all_pages {
        let _ = claims.claim(&format!("{ALL_PAGES}index.html"), ALL_PAGES_OWNER);
    }
    let mut ordered: Vec<&String> = pages.iter().collect();
    // Of the files that would be one page, the one MkDocs publishes comes
    // first. Within a folder (`files.get_files`), the last by name:
    // `index.md` over `README.md`, `guide.mdown` over `guide.md`; but a
    // draft gives way to a published file, and of drafts the first by name
    // stays. Across folders MkDocs sees no conflict and writes both, the
    // sub-folder's last: `guide/index.md` over `guide.md` (but a published
    // file over a draft, as the built site has it).
    ordered.sort_by_cached_key(|src| {
        let (folder, name) = src.rsplit_once('/').unwrap_or(("", src));
        let depth = folder.split('/').filter(|part| !part.is_empty()).count();
        let draft = drafts.binary_search(src).is_ok();
        (
            super::markdown::page_url(src),
            // A published file first, wherever it is: the built site has
            // no draft to show instead (`guide.md` over a draft
            // `guide/index.md`).
            draft,
            std::cmp::Reverse(depth),
            if draft { name } else { "" },
            std::cmp::Reverse(if draft { "" } else { name }),
        )
    });
    let mut kept_pages = Vec::with_capacity(pages.len());
    let mut aliases = Vec::new();
    for src in ordered {
        let url = super::markdown::page_url(src);
        if url.split('/').any(|part| part == "." || part == "..")
            || url.starts_with('/')
            || url.contains("//")
        {
            report(
                &format!("{docs_dir}/{src}"),
                Diagnostic::error(
                    "page-name-invalid",
                    format!("`{src}` cannot be published: its name makes no page folder"),
                )
                .with_hint("give the page a name before `.md`, e.g. `guide.md`"),
            );
            continue;
        }
        match claims.claim(&format!("{url}index.html"), src) {
            Ok(()) => kept_pages.push(src.clone()),
            // A draft losing its page is dropped without a word, as MkDocs
            // drops it.
            Err(_) if drafts.binary_search(src).is_ok() => {}
            Err(owner) => {
                let across_folders = owner != ALL_PAGES_OWNER
                    && pages.binary_search(&owner).is_ok()
                    && safe_path::parent(&owner) != safe_path::parent(src);
                if across_folders {
                    aliases.push((src.clone(), owner.clone()));
                }
                let page = if url.is_empty() {
                    "the home page".to_string()
                } else {
                    format!("the page `{url}`")
                };
                let (message, hint) = if owner == ALL_PAGES_OWNER {
                    (
                        format!(
                            "`{src}` would be {page}, which Portico keeps for the site's list of all pages; it was left out"
                        ),
                        "rename the page",
                    )
                } else if across_folders {
                    (
                        format!(
                            "`{src}` and `{owner}` would both be {page}; `{owner}` is shown there (MkDocs writes it last), and links and nav entries naming `{src}` lead to it"
                        ),
                        "rename or remove one of them",
                    )
                } else {
                    (
                        format!("`{src}` and `{owner}` would both be {page}; `{src}` was left out"),
                        "rename or remove one of them (MkDocs builds only one too)",
                    )
                };
                // About the shown file too: a change adding it reports the
                // clash (`check --changed-since`).
                let about = across_folders.then(|| format!("{docs_dir}/{owner}"));
                report(
                    &format!("{docs_dir}/{src}"),
                    Diagnostic::warning("page-conflict", message)
                        .with_hint(hint)
                        .about(about),
                )
            }
        }
    }
    kept_pages.sort();
    aliases.sort();
    let mut kept_assets = Vec::with_capacity(assets.len());
    for asset in assets {
        match claims.claim(&asset, &asset) {
            Ok(()) => kept_assets.push(asset),
            Err(owner) => report(
                &format!("{docs_dir}/{asset}"),
                Diagnostic::error(
                    "asset-conflict",
                    format!("`{asset}` would replace `{owner}` in the built site; it was left out"),
                )
                .with_hint("rename the file: pages and Portico's own files keep their paths"),
            ),
        }
    }
    (kept_pages, kept_assets, aliases)
}

/// Output paths claimed so far: files, and the folders they need.
#[derive(Default)]
struct Claims {
    files: std::collections::HashMap<String, String>,
    folders: std::collections::HashMap<String, String>,
}

impl Claims {
    /// Claims `path` for `owner`, or says who holds it (or a folder or file
    /// in its way).
    fn claim(&mut self, path: &str, owner: &str) -> Result<(), String> {
        if let Some(holder) = self.files.get(path).or_else(|| self.folders.get(path)) {
            return Err(holder.clone());
        }
        let folders: Vec<&str> = path.match_indices('/').map(|(i, _)| &path[..i]).collect();
        if let Some(holder) = folders.iter().find_map(|f| self.files.get(*f)) {
            return Err(holder.clone());
        }
        for folder in folders {
            self.folders
                .entry(folder.to_string())
                .or_insert_with(|| owner.to_string());
        }
        self.files.insert(path.to_string(), owner.to_string());
        Ok(())
    }
}

/// Whether the site's nav has a level too long to show whole on each page,
/// so the site gets a page of all pages. Titles do not change the nav's
/// shape, so it is drawn here without them (its problems are reported when
/// the site is built).
fn nav_is_cut(
    config: &MkdocsConfig,
    pages: &[String],
    not_in_nav: &[String],
    file: &SourceFile<'_>,
) -> bool {
    if pages.len() <= MAX_NAV_SIBLINGS && config.nav.is_none() {
        return false;
    }
    let titles = std::collections::HashMap::new();
    let nav = match &config.nav {
        Some(node) => super::nav::from_config(
            node,
            pages,
            &super::nav::Unpublished::default(),
            &titles,
            file,
            &mut Vec::new(),
        ),
        None => super::nav::automatic(&in_automatic_nav(pages, not_in_nav), &titles),
    };
    super::nav::longest_level(&nav) > MAX_NAV_SIBLINGS
}

/// Finds and reads the mkdocs file and lists the docs folder.
/// With `drafts`, pages `draft_docs` names are pages of the site, listed in
/// [`DocSource::drafts`] (a preview); without, they are left out.
pub fn load(
    snapshot: &Snapshot,
    files: &Listing,
    request: SiteRequest,
    drafts: bool,
    out: &mut Vec<Diagnostic>,
) -> Option<DocSource> {
    let repo = &snapshot.source;
    let in_root = |name: &str| {
        if request.root.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", request.root)
        }
    };
    // TechDocs reads mkdocs.yaml first, then mkdocs.yml.
    let found = ["mkdocs.yaml", "mkdocs.yml"]
        .into_iter()
        .map(in_root)
        .find_map(|path| match snapshot.read_text(&path) {
            Ok(text) => Some(Ok((path, text))),
            Err(ReadError::NotFound(_)) => None,
            Err(e) => Some(Err(e)),
        });
    let (config_file, text) = match found {
        Some(Ok(found)) => found,
        Some(Err(e)) => {
            out.push(Diagnostic::error("docs-unreadable", e.to_string()).in_repo(
                &repo.name,
                &repo.display,
                &in_root("mkdocs.yml"),
            ));
            return None;
        }
        None => {
            out.push(
                Diagnostic::error(
                    "docs-missing",
                    format!(
                        "{} has `{ANNOTATION}` but there is no mkdocs.yml in `{}`",
                        request.entity,
                        if request.root.is_empty() {
                            "."
                        } else {
                            &request.root
                        }
                    ),
                )
                .with_hint("add mkdocs.yml (site_name, nav) next to docs/, or fix the annotation")
                .in_repo(&repo.name, &repo.display, &in_root("mkdocs.yml")),
            );
            return None;
        }
    };
    let text: Arc<str> = text.into();
    // Every problem of the file looks its line up: a long nav has many.
    let line_index = crate::diagnostics::LineIndex::new(&text);
    let file = SourceFile {
        repo: &repo.name,
        repo_dir: &repo.display,
        path: &config_file,
        text: &text,
        line_index: Some(&line_index),
    };
    let (config, exclusions) = match yaml::parse_single(&text, yaml::Budget::default()) {
        Ok(Some(root)) if root.as_map().is_some() => match Exclusions::read(&root) {
            Ok(exclusions) => (mkdocs::parse(&root), exclusions),
            Err(e) => {
                // MkDocs refuses to build the site: building it without the
                // exclusions would publish what they were to keep out.
                let hint = if e.over_limits {
                    "use fewer and simpler patterns: a folder's pattern (`drafts/`) covers all under it"
                } else {
                    "write the patterns as a block string, one a line, in gitignore's syntax (see MkDocs' `exclude_docs`)"
                };
                out.push(
                    Diagnostic::error("mkdocs-invalid", e.message)
                        .with_hint(hint)
                        .in_file(&file, e.line, 1),
                );
                return None;
            }
        },
        Ok(_) => (
            MkdocsConfig {
                docs_dir: "docs".into(),
                ..Default::default()
            },
            Exclusions::default(),
        ),
        Err(e) => {
            out.push(
                Diagnostic::error("mkdocs-invalid", format!("invalid YAML: {}", e.message))
                    .in_file(&file, e.pos.line, e.pos.column),
            );
            return None;
        }
    };
    let line = text
        .lines()
        .position(|l| l.starts_with("docs_dir"))
        .map_or(1, |i| i + 1);
    let docs_dir = match safe_path::join(&request.root, &config.docs_dir) {
        Ok(dir) if dir != request.root => dir,
        Ok(_) | Err(safe_path::PathError::Empty) => {
            out.push(
                Diagnostic::error(
                    "docs-dir-invalid",
                    format!(
                        "`docs_dir: {}` is the folder holding the mkdocs file",
                        config.docs_dir
                    ),
                )
                .with_hint("MkDocs needs the pages in a sub-folder, e.g. `docs_dir: docs`")
                .in_file(&file, line, 1),
            );
            return None;
        }
        Err(e) => {
            out.push(
                Diagnostic::error(
                    "docs-dir-outside",
                    format!("`docs_dir: {}`: {e}", config.docs_dir),
                )
                .with_hint("docs_dir must be a folder inside the repository, as TechDocs requires")
                .in_file(&file, line, 1),
            );
            return None;
        }
    };
    let prefix = format!("{docs_dir}/");
    if files.cut_under(docs_dir.as_str()) {
        out.push(
            Diagnostic::warning(
                "listing-truncated",
                format!(
                    "the repository's files were listed only in part ({} files, or {} entries \
                     looked at), and not all of `{docs_dir}`: pages past that are left out",
                    crate::limits::MAX_LISTED_FILES,
                    crate::limits::MAX_LISTED_ENTRIES,
                ),
            )
            .with_hint("keep generated or vendored files out of the repository, or build its docs from a smaller one")
            .in_file(&file, 1, 1),
        );
    }
    for skipped in files.skipped.iter().filter(|s| s.path.starts_with(&prefix)) {
        out.push(
            Diagnostic::error(
                "file-name-unsafe",
                format!(
                    "`{}` was left out of the docs: {}",
                    skipped.path, skipped.reason
                ),
            )
            .with_hint("rename the file or folder (in git: `git mv`) to a plain name")
            .in_repo(&repo.name, &repo.display, &skipped.path),
        );
    }
    let mut pages = Vec::new();
    let mut assets = Vec::new();
    let mut excluded = Vec::new();
    let mut not_in_nav = Vec::new();
    let mut shown_drafts = Vec::new();
    let mut pages_left_out = 0;
    let mut work = 0usize;
    let weight = exclusions.weight();
    for path in files.files.iter().filter_map(|f| f.strip_prefix(&prefix)) {
        work = work.saturating_add(path.len().saturating_mul(weight));
        if work > super::exclusions::MAX_MATCH_WORK {
            out.push(
                Diagnostic::error(
                    "mkdocs-invalid",
                    format!(
                        "matching `exclude_docs`, `draft_docs` and `not_in_nav` against the files of `{docs_dir}` is over Portico's limit ({} bytes of paths times the patterns' weight, one a pattern and one a wildcard)",
                        super::exclusions::MAX_MATCH_WORK
                    ),
                )
                .with_hint("use fewer patterns, or keep generated files out of the docs folder")
                .in_file(&file, exclusions.heaviest_line(), 1),
            );
            return None;
        }
        let is_page = is_markdown(path);
        match exclusions.inclusion(path) {
            Inclusion::Draft if drafts => {
                if is_page {
                    shown_drafts.push(path.to_string());
                }
            }
            Inclusion::Excluded | Inclusion::Draft => {
                pages_left_out += usize::from(is_page);
                // Only what the site's settings leave out is kept, for the
                // messages of links to it: MkDocs' defaults are known
                // anywhere (`excluded_by_default`), and may be many files.
                if !excluded_by_default(path) {
                    excluded.push(path.to_string());
                }
                continue;
            }
            Inclusion::NotInNav if is_page => not_in_nav.push(path.to_string()),
            Inclusion::NotInNav | Inclusion::Included => {}
        }
        if is_page {
            pages.push(path.to_string());
        } else {
            assets.push(path.to_string());
        }
    }
    // Whether `docs/README.md` is the home page itself: not when it is a
    // draft (the built site then takes TechDocs' copy of it).
    let readme_is_home =
        pages.iter().any(|p| p == "README.md") && !shown_drafts.iter().any(|p| p == "README.md");
    let mut readme_index = index_fallback(snapshot, &docs_dir, &request.root, readme_is_home);
    if readme_index.is_some() {
        // TechDocs' copy is `docs_dir/index.md`, which the settings name
        // like any other file.
        match exclusions.inclusion("index.md") {
            Inclusion::Draft if drafts => shown_drafts.push("index.md".into()),
            Inclusion::Excluded | Inclusion::Draft => readme_index = None,
            Inclusion::NotInNav => not_in_nav.push("index.md".into()),
            Inclusion::Included => {}
        }
    }
    if readme_index.is_some() {
        pages.push("index.md".into());
        // A draft `README.md` gives way to the copy made of it, as the
        // included `index.md` wins its folder in MkDocs.
        if !readme_is_home && shown_drafts.iter().any(|p| p == "README.md") {
            pages.retain(|p| p != "README.md");
            shown_drafts.retain(|p| p != "README.md");
            // Gone from the preview as from the built site: links to it are
            // judged alike in both.
            excluded.push("README.md".into());
        }
    }
    // A preview's drafts stay out of the nav, as in `mkdocs serve`
    // (`InclusionLevel.is_in_nav`).
    not_in_nav.extend(shown_drafts.iter().cloned());
    if pages.is_empty() && pages_left_out > 0 {
        // MkDocs builds an empty site; a portal has nothing to show.
        out.push(
            Diagnostic::info(
                "docs-all-excluded",
                format!(
                    "every page of the docs folder `{docs_dir}` is left out of the site (by MkDocs' default exclusions, `exclude_docs` or `draft_docs`): the entity has no docs"
                ),
            )
            .with_hint("publish a page, or take it out of those patterns")
            .in_file(&file, 1, 1),
        );
        return None;
    }
    if pages.is_empty() && assets.is_empty() {
        out.push(
            Diagnostic::error(
                "docs-missing",
                format!("the docs folder `{docs_dir}` is empty or missing"),
            )
            .with_hint("put the Markdown pages in docs/, or set docs_dir in mkdocs.yml")
            .in_file(&file, 1, 1)
            // A change that deleted the pages reports it (`--changed-since`).
            .about(Some(crate::diagnostics::display_path(
                &repo.display,
                &format!("{docs_dir}/"),
            ))),
        );
        return None;
    }
    pages.sort();
    assets.sort();
    excluded.sort();
    not_in_nav.sort();
    not_in_nav.dedup();
    shown_drafts.sort();
    if pages.len() > MAX_PAGES_PER_SITE {
        out.push(
            Diagnostic::error(
                "docs-too-many-pages",
                format!(
                    "the docs folder `{docs_dir}` has {} pages; the home page and the first others by path were built ({MAX_PAGES_PER_SITE} in all), the rest left out",
                    pages.len()
                ),
            )
            .with_hint("split the docs into several sites (one per component), each with its own mkdocs.yml")
            .in_file(&file, 1, 1),
        );
        // The home page stays, wherever it sorts.
        pages.sort_by_key(|p| !super::markdown::page_url(p).is_empty());
        pages.truncate(MAX_PAGES_PER_SITE);
        pages.sort();
    }
    let all_pages = nav_is_cut(&config, &pages, &not_in_nav, &file);
    let (pages, assets, aliases) = claim_outputs(
        pages,
        assets,
        (all_pages, &shown_drafts),
        &docs_dir,
        &mut |path, mut d| {
            let about: Vec<String> = std::mem::take(&mut d.about)
                .iter()
                .map(|about| crate::diagnostics::display_path(&repo.display, about))
                .collect();
            out.push(d.in_repo(&repo.name, &repo.display, path).about_any(about))
        },
    );
    // A draft that lost its page to another file is no page of the
    // preview, as it is none of the built site.
    let (kept, lost): (Vec<String>, Vec<String>) = shown_drafts
        .into_iter()
        .partition(|d| pages.binary_search(d).is_ok());
    let shown_drafts = kept;
    if !lost.is_empty() {
        excluded.extend(lost);
        excluded.sort();
    }
    if let Some(first) = pages.first()
        && !pages
            .iter()
            .any(|p| super::markdown::page_url(p).is_empty())
    {
        out.push(
            Diagnostic::warning(
                "docs-no-home",
                format!(
                    "the site has no home page: `{docs_dir}` has no `index.md` or `README.md` (or its settings leave it out), and no README is beside the mkdocs file; TechDocs shows nothing at the site's address, and the portal's links to the site open its first page, `{first}`"
                ),
            )
            .with_hint("add an `index.md` to the docs folder")
            .in_file(&file, 1, 1),
        );
    }
    Some(DocSource {
        request,
        config,
        config_file,
        config_text: text,
        docs_dir,
        pages,
        assets,
        excluded,
        not_in_nav,
        drafts: shown_drafts,
        aliases,
        all_pages,
        readme_index,
    })
}

/// TechDocs' fallback when the docs folder has no `index.md`, which it
/// takes with `legacyCopyReadmeMdToIndexMd` set and Portico always takes,
/// so a site opens on a page whenever one of these exists (TechDocs
/// copies the first to `docs/index.md` before MkDocs runs):
/// `docs/README.md`, `docs/readme.md`, then the same two beside
/// `mkdocs.yml`. `docs/README.md` is MkDocs' index page already, so it
/// needs no copy unless `exclude_docs` left it out. The file read as
/// `index.md`, repository-relative, if one is.
fn index_fallback(
    snapshot: &Snapshot,
    docs_dir: &str,
    root: &str,
    readme_is_home: bool,
) -> Option<String> {
    let in_dir = |dir: &str, name: &str| {
        if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        }
    };
    if snapshot.is_file(&in_dir(docs_dir, "index.md")) {
        return None;
    }
    let found = [
        in_dir(docs_dir, "README.md"),
        in_dir(docs_dir, "readme.md"),
        in_dir(root, "README.md"),
        in_dir(root, "readme.md"),
    ]
    .into_iter()
    .find(|path| snapshot.is_file(path))?;
    let docs_readme = found == in_dir(docs_dir, "README.md");
    (!(docs_readme && readme_is_home)).then_some(found)
}

/// The repository-relative file of the page `src` (docs-relative) of a
/// site whose docs folder is `docs_dir`: the README read as `index.md`
/// when `readme_index` names one.
pub fn page_file(docs_dir: &str, readme_index: Option<&str>, src: &str) -> String {
    match (readme_index, src) {
        (Some(readme), "index.md") => readme.to_string(),
        _ if docs_dir.is_empty() => src.to_string(),
        _ => format!("{docs_dir}/{src}"),
    }
}

/// The pages MkDocs puts in a nav it makes itself: all but those
/// `not_in_nav` names (both sorted).
pub fn in_automatic_nav(pages: &[String], not_in_nav: &[String]) -> Vec<String> {
    pages
        .iter()
        .filter(|p| not_in_nav.binary_search(p).is_err())
        .cloned()
        .collect()
}

/// Whether MkDocs reads a file as a page: by its extension
/// (`utils.markdown_extensions`, case as written).
pub fn is_markdown(path: &str) -> bool {
    markdown_stem(path).is_some()
}

/// The extensions of the files MkDocs reads as pages
/// (`utils.markdown_extensions`), as written.
pub const MARKDOWN_EXTENSIONS: [&str; 5] = [".md", ".markdown", ".mdown", ".mkdn", ".mkd"];

/// A page's path without its Markdown extension.
pub fn markdown_stem(path: &str) -> Option<&str> {
    MARKDOWN_EXTENSIONS
        .into_iter()
        .find_map(|extension| path.strip_suffix(extension))
}

/// The files that would be the own page of `folder` (docs-relative, empty
/// for the top): `index` or `README` with each Markdown extension.
pub fn folder_pages(folder: &str) -> impl Iterator<Item = String> + '_ {
    MARKDOWN_EXTENSIONS.into_iter().flat_map(move |extension| {
        ["index", "README"].map(|name| {
            if folder.is_empty() {
                format!("{name}{extension}")
            } else {
                format!("{folder}/{name}{extension}")
            }
        })
    })
}

pub use super::exclusions::excluded_by_default;

#[cfg(test)]
mod tests {
    /// MkDocs' default exclusions: dot files and folders anywhere, the
    /// `templates` folder at the top.
    #[test]
    fn dot_files_and_the_top_templates_folder_are_left_out() {
        for path in [
            ".pages",
            "guides/.DS_Store",
            ".snippets/a.md",
            "a/.hidden/b.md",
            "templates/adr.md",
        ] {
            assert!(excluded_by_default(path), "{path}");
        }
        for path in [
            "index.md",
            "guides/templates/x.md",
            "templates.md",
            "a.b/c.md",
            "img/x.png",
        ] {
            assert!(!excluded_by_default(path), "{path}");
        }
    }

    use super::*;

    fn claimed(pages: &[&str], assets: &[&str]) -> (Vec<String>, Vec<String>, Vec<String>) {
        claimed_with_drafts(pages, assets, &[])
    }

    fn claimed_with_drafts(
        pages: &[&str],
        assets: &[&str],
        drafts: &[&str],
    ) -> (Vec<String>, Vec<String>, Vec<String>) {
        let mut reported = Vec::new();
        let drafts: Vec<String> = drafts.iter().map(|d| d.to_string()).collect();
        let (pages, assets, _) = claim_outputs(
            pages.iter().map(|p| p.to_string()).collect(),
            assets.iter().map(|a| a.to_string()).collect(),
            (true, &drafts),
            "docs",
            &mut |path, d| reported.push(format!("{} {path}: {}", d.code, d.message)),
        );
        (pages, assets, reported)
    }

    /// The file MkDocs 1.6.1 publishes of those that would be one page
    /// (each case checked with `mkdocs build`, drafts with its preview).
    #[test]
    fn of_files_that_would_be_one_page_mkdocs_choice_is_kept() {
        let kept = |pages: &[&str], drafts: &[&str]| claimed_with_drafts(pages, &[], drafts).0;
        assert_eq!(kept(&["guide.md", "guide.mdown"], &[]), ["guide.mdown"]);
        assert_eq!(
            kept(&["guide.md", "guide/index.md"], &[]),
            ["guide/index.md"]
        );
        assert_eq!(kept(&["README.md", "index.md"], &[]), ["index.md"]);
        assert_eq!(
            kept(&["README.md", "index.md"], &["index.md"]),
            ["README.md"]
        );
        assert_eq!(kept(&["a.md", "a.mdown"], &["a.md", "a.mdown"]), ["a.md"]);
        // A published file over a draft in a sub-folder: as `portico build`,
        // which has no draft, shows it.
        assert_eq!(
            kept(&["guide.md", "guide/index.md"], &["guide/index.md"]),
            ["guide.md"]
        );
    }

    #[test]
    fn index_wins_over_readme_in_either_extension() {
        let (pages, _, reported) = claimed(&["README.markdown", "index.md", "a/README.md"], &[]);
        assert_eq!(pages, vec!["a/README.md", "index.md"]);
        assert_eq!(
            reported,
            vec![
                "page-conflict docs/README.markdown: `README.markdown` and `index.md` would both be the home page; `README.markdown` was left out"
            ]
        );
    }

    #[test]
    fn portico_keeps_its_own_paths() {
        let (pages, assets, reported) =
            claimed(&["_pages.md", "x.md"], &["techdocs_metadata.json", "x"]);
        assert_eq!(pages, vec!["x.md"]);
        assert!(assets.is_empty());
        assert_eq!(reported.len(), 3, "{reported:?}");
        assert!(reported[0].contains("which Portico keeps for the site's list of all pages"));
    }
}
