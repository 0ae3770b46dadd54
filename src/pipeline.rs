//! The stage order, in one place.
//!
//! ```text
//! Config ─► discover::repositories ─► [RepoSource]
//!        ─► catalog::organisation::read (each repository in parallel, then
//!           web-URL Location targets into other repositories) ─► [LoadedEntity]
//!        ─► catalog::assemble ─► Catalog ─► Portal
//!        ─► docs::build (pages streamed to output::Staging, then the link check)
//!        ─► scorecards::run (definitions, every rule per entity, levels)
//!        ─► search (words counted ─► the browser's index + documents.bin)
//!        ─► render::site ─► [OutputFile] ─► output::Staging ─► swapped in
//! ```
//!
//! Problems in repository content travel as diagnostics beside the data;
//! only usage and I/O failures stop the run ([`Fatal`]).

use crate::catalog::{self, organisation};
use crate::config::Config;
use crate::diagnostics::{self, Diagnostic};
use crate::discover;
use crate::docs::{self, DocSiteSummary, DocsOptions};
use crate::portal::Portal;
use crate::search::kept_sites::SiteSearch;
use crate::timings::Timer;
use crate::{output, render, search, shard};
use std::path::Path;

pub mod unchanged;

/// The result of a run: the portal and every problem found on the way.
#[derive(Debug, Default)]
pub struct Outcome {
    pub portal: Portal,
    pub diagnostics: Vec<Diagnostic>,
    /// `build`: the last site's deletion, still running beside the rest of
    /// the command (waited for when dropped, or by [`Outcome::end`]).
    pub deletion: output::Deletion,
    /// `build`: every input was the last build's and its site is as it
    /// left it, so nothing was done; `portal` then holds the repositories
    /// only, and this the summary's figures.
    pub unchanged: Option<unchanged::Unchanged>,
}

impl Outcome {
    /// The summary's entities and relations.
    pub fn figures(&self) -> (usize, usize) {
        match &self.unchanged {
            Some(u) => (u.entities, u.relations),
            None => (
                self.portal.catalog.entities.len(),
                self.portal.catalog.relation_count(),
            ),
        }
    }

    /// Ends the run: the process exits next, so the portal is not freed
    /// piece by piece (about 0.1 s for 13,000 entities); the last site's
    /// deletion is waited for.
    pub fn end(mut self) {
        let deletion = std::mem::take(&mut self.deletion);
        std::mem::forget(self);
        drop(deletion);
    }
}

/// A failure that stops the run: bad usage or an I/O error (exit code 2).
#[derive(Debug)]
pub struct Fatal(pub String);

/// Reads and checks the organisation: every stage up to the catalog.
pub fn load(config: &Config) -> Result<Outcome, Fatal> {
    load_with(config, None)
}

fn load_with(config: &Config, memo: Option<&Memo>) -> Result<Outcome, Fatal> {
    load_scoped(config, memo, None, &Scope::default()).map(|(outcome, _)| outcome)
}

/// What `check` compares and resolves against, beyond the ROOTs.
#[derive(Debug, Default)]
pub struct Scope<'a> {
    /// `--changed-since REF`: compare every repository with REF.
    pub changed_since: Option<&'a str>,
    /// `--site DIR`: a built site whose catalog stands for the rest of the
    /// organisation.
    pub site: Option<&'a Path>,
    /// `--scorecard`: a scorecard's verdicts are judged. Only then are the
    /// docs pages' last-commit dates read (the docs-freshness rule's
    /// input): without a gate `check` shows no verdict, and no diagnostic
    /// reads them (a site whose date plugin prints them reads them anyway).
    pub gate: bool,
}

/// What a scoped check found out about its scope.
#[derive(Debug, Default)]
pub struct ScopeFacts {
    /// The files changed since REF (with `changed_since`).
    pub changes: Option<crate::changes::ChangeSet>,
    /// The entities taken from the site (with `site`).
    pub site: Option<crate::built_site::SiteEntities>,
}

/// What every run reads first: the repositories found (with discovery's
/// notes) and the `--location` files placed among them; their git facts
/// once [`read_facts`] has read them.
struct Discovered {
    repos: Vec<crate::read::RepoSource>,
    explicit: std::collections::HashMap<usize, Vec<String>>,
    notes: Vec<Diagnostic>,
}

impl Discovered {
    fn for_key(&self) -> unchanged::Found<'_> {
        unchanged::Found {
            repos: &self.repos,
            notes: &self.notes,
        }
    }
}

fn load_scoped(
    config: &Config,
    memo: Option<&Memo>,
    disk: Option<&crate::cache::DiskCache>,
    scope: &Scope<'_>,
) -> Result<(Outcome, ScopeFacts), Fatal> {
    let found = discover_all(config, memo, disk)?;
    load_found(config, memo, disk, scope, found)
}

fn discover_all(
    config: &Config,
    memo: Option<&Memo>,
    disk: Option<&crate::cache::DiskCache>,
) -> Result<Discovered, Fatal> {
    let mut timer = Timer::new();
    let mut found = discover_repos(config, memo)?;
    timer.lap("  discover");
    // Read once here, every stage then opens each repository without
    // opening git for them. Not with serve's memo: its rebuilds open only
    // the repositories an edit touched, so reading every work tree's facts
    // up front would put the whole organisation back on each edit's path.
    if memo.is_none() {
        read_facts(config, &mut found.repos, disk);
        timer.lap("  git facts");
    }
    Ok(found)
}

/// The repositories found and the `--location` files placed among them;
/// their git facts not read yet.
fn discover_repos(config: &Config, memo: Option<&Memo>) -> Result<Discovered, Fatal> {
    let kept = memo.map(|m| (&m.discover, &m.versions));
    let found = discover::repositories_kept(&config.roots, config.max_depth, kept)
        .map_err(|e| Fatal(e.0))?;
    let mut repos = found.repos;
    if repos.is_empty() && config.locations.is_empty() {
        let roots: Vec<String> = config
            .roots
            .iter()
            .map(|r| format!("`{}`", r.display()))
            .collect();
        return Err(Fatal(format!(
            "no repositories found under {} (searched {} down); a repository is a folder \
             with `.git`, a bare git folder, or a folder with catalog-info.yaml (use --max-depth to search deeper)",
            roots.join(", "),
            crate::diagnostics::plural(config.max_depth, "level")
        )));
    }
    let explicit = discover::place_files(&config.locations, &mut repos).map_err(|e| Fatal(e.0))?;
    Ok(Discovered {
        repos,
        explicit,
        notes: found.notes,
    })
}

/// Every work tree's git facts, and a handle on every bare clone.
fn read_facts(
    config: &Config,
    repos: &mut [crate::read::RepoSource],
    disk: Option<&crate::cache::DiskCache>,
) {
    // History reads every work tree's git objects again: one open each,
    // shared with the stages before it.
    let handles = match config.scorecards.history {
        Some(_) => crate::read::HandlesFor::WorkTreesToo,
        None => crate::read::HandlesFor::BareClones,
    };
    // With the build cache, commits' authors read by an earlier build
    // are taken from it (a commit's id fixes its author).
    let authors = disk.map(crate::read::CommitAuthors::kept);
    crate::read::read_git_facts_known(repos, handles, authors.as_ref());
    if let (Some(disk), Some(authors)) = (disk, authors) {
        authors.keep(disk);
    }
}

fn load_found(
    config: &Config,
    memo: Option<&Memo>,
    disk: Option<&crate::cache::DiskCache>,
    scope: &Scope<'_>,
    found: Discovered,
) -> Result<(Outcome, ScopeFacts), Fatal> {
    let Discovered {
        repos,
        explicit,
        notes: mut diagnostics,
    } = found;
    let mut facts = ScopeFacts::default();
    if let Some(rev) = scope.changed_since {
        let changes = crate::changes::ChangeSet::since(&repos, rev, config.git_ref.as_deref())
            .map_err(|e| Fatal(e.0))?;
        facts.changes = Some(changes);
    }
    if let Some(site) = scope.site {
        let checked: Vec<crate::built_site::CheckedRepo> = repos
            .iter()
            .map(|repo| checked_repo(repo, config.git_ref.as_deref()))
            .collect();
        facts.site = Some(crate::built_site::entities(site, &checked).map_err(Fatal)?);
    }

    let options = organisation::ReadOptions {
        catalog_paths: &config.catalog_paths,
        git_ref: config.git_ref.as_deref(),
        memo: memo.map(|m| (&m.loads, &m.versions)),
        disk,
    };
    let mut timer = Timer::new();
    let entities = organisation::read(&repos, &explicit, &options, &mut diagnostics);
    match disk {
        Some(disk) => {
            let (kept, read) = {
                let (kept, read, _) = disk.counts(catalog::kept::REUSED);
                (kept, read)
            };
            timer.lap(&format!("  read (catalog loads: {kept} kept, {read} read)"));
        }
        None => timer.lap("  read"),
    }
    let invalid = if config.backstage_exact {
        catalog::Invalid::Drop
    } else {
        catalog::Invalid::Keep
    };
    let elsewhere = facts.site.as_ref().map(|s| &s.keys);
    let catalog = catalog::assemble_kept(
        entities,
        invalid,
        elsewhere.unwrap_or(&Default::default()),
        memo.map(|m| &m.assemble),
        &mut diagnostics,
    );
    timer.lap("  assemble");
    diagnostics::sort(&mut diagnostics);
    let outcome = Outcome {
        portal: Portal {
            title: config.site_title.clone(),
            repos,
            catalog,
            docs: Vec::new(),
            search: config.search,
            base_url: config.base_url.clone(),
            annotation_links: config.annotation_links.clone(),
            scorecards: Default::default(),
        },
        diagnostics,
        deletion: Default::default(),
        unchanged: None,
    };
    Ok((outcome, facts))
}

/// How a built site's locations name a repository being checked.
fn checked_repo(
    repo: &crate::read::RepoSource,
    git_ref: Option<&str>,
) -> crate::built_site::CheckedRepo {
    match crate::read::Snapshot::open(repo, git_ref) {
        Ok(snapshot) => {
            let location = catalog::location::RepoLocation::of(&snapshot);
            crate::built_site::CheckedRepo {
                web_base: location.web_base,
                root: location.root,
            }
        }
        // Unreadable: the catalog stage reports it; its site entities stay.
        Err(_) => crate::built_site::CheckedRepo {
            web_base: None,
            root: String::new(),
        },
    }
}

/// Reads, renders and writes the site into `out_dir` (swapped in at the
/// end), taking unchanged pages' renders from the cache in `cache_dir`.
pub fn build(config: &Config, out_dir: &Path, cache_dir: Option<&Path>) -> Result<Outcome, Fatal> {
    build_with(config, out_dir, cache_dir, None)
}

/// `portico merge`: [`build`], with the docs taken from the parts every
/// shard wrote ([`build_part`]) instead of rendered. Everything else (the
/// catalog, the link check, scorecards, search, the catalog's pages) is
/// the same code as a build's, so the site is the same, byte for byte.
pub fn merge(
    config: &Config,
    out_dir: &Path,
    parts: &[shard::part::Part],
) -> Result<Outcome, Fatal> {
    build_with(config, out_dir, None, Some(parts))
}

fn build_with(
    config: &Config,
    out_dir: &Path,
    cache_dir: Option<&Path>,
    parts: Option<&[shard::part::Part]>,
) -> Result<Outcome, Fatal> {
    let disk = open_cache(cache_dir);
    match build_once(config, out_dir, &disk, parts) {
        // An entry of the build cache read late (`cache::Later`) was
        // damaged: it is gone now, and the build runs once more, reading
        // every such entry at once (a damaged one is then missed, as any
        // other damaged entry is): damage costs time, not the build.
        Err(_) if disk.as_ref().is_some_and(|d| !d.take_damaged().is_empty()) => {
            Timer::new().lap(DAMAGED_ENTRY_LAP);
            if let Some(disk) = &disk {
                disk.read_entries_now();
                disk.reset_counts();
            }
            build_once(config, out_dir, &disk, parts)
        }
        built => built,
    }
}

/// The timing line of a build run again after a damaged cache entry.
pub const DAMAGED_ENTRY_LAP: &str =
    "build cache: an entry read late was damaged (removed); the build runs again without it";

fn build_once(
    config: &Config,
    out_dir: &Path,
    disk: &Option<crate::cache::DiskCache>,
    parts: Option<&[shard::part::Part]>,
) -> Result<Outcome, Fatal> {
    let fatal = |e: output::OutputError| Fatal(e.to_string());
    let mut timer = Timer::new();
    let site_key = site_key(out_dir);
    // The inputs' key needs no git facts (the files git reads them from
    // are in it): they are read only for a build that runs its stages.
    let mut found = discover_repos(config, None)?;
    timer.lap("discover");
    // Every input the same as the last build's, and its site untouched:
    // that site is the answer (`unchanged`).
    let inputs = disk
        .as_ref()
        .filter(|_| parts.is_none())
        .and_then(|disk| unchanged::Inputs::read_kept(config, &found.for_key(), disk, site_key));
    if let Some(inputs) = &inputs {
        let (read, listed) = inputs.folders;
        timer.lap(&format!(
            "inputs' key (every file of every repository stamped; folders: {read} read, {listed} as the last walk listed them)"
        ));
    }
    if let (Some(disk), Some(inputs), true) = (&disk, &inputs, unchanged::enabled())
        && let Some((diagnostics, figures)) =
            unchanged::check(disk, site_key, inputs, out_dir, SITE_KIND)
    {
        timer.lap(&format!(
            "whole build: every input as the last build's, the site as it left it ({} files checked): nothing to do",
            figures.files
        ));
        return Ok(Outcome {
            portal: Portal {
                repos: found.repos,
                ..Portal::default()
            },
            diagnostics,
            unchanged: Some(figures),
            ..Outcome::default()
        });
    }
    // The theme and logo are read only now, after the inputs' key stamped
    // them: a change made while discovery ran is then a change the next
    // build sees, not one the key holds and the site does not. A bad theme
    // is a usage error, before the stages' work.
    let look =
        render::Look::load(config.theme.as_deref(), config.logo.as_deref()).map_err(Fatal)?;
    // The parts' pages were laid out with the theme as it was then: a theme
    // changed since would give a site of two looks.
    if let Some(parts) = parts {
        let theme = format!("{:032x}", look.key());
        if let Some(part) = parts.iter().find(|p| p.manifest.theme != theme) {
            return Err(Fatal(format!(
                "the theme or logo is not the one `{}` was built with (a file of the theme folder changed): build the shards again, or merge with the theme they used",
                part.dir.display()
            )));
        }
    }
    // The git facts are read while another thread reads the last site's
    // manifest and makes the staging folder: neither needs the other.
    let (_, staging) = rayon::join(
        || read_facts(config, &mut found.repos, disk.as_ref()),
        || open_staging(out_dir, disk.as_ref(), site_key),
    );
    // The hash of the site's manifest as the cache holds it.
    let (staging, mut manifest_hash) = staging.map_err(fatal)?;
    timer.lap("git facts (beside them: the last site's manifest read, the staging folder made)");
    // Only a build with the cache keeps (and compares) the search key.
    let search_key = disk.as_ref().map(|_| output::SearchKey::default());
    let mut outcome = load_found(config, None, disk.as_ref(), &Scope::default(), found)?.0;
    timer.lap("read + catalog");
    let sink = |path: &str, bytes: &std::sync::Arc<[u8]>| {
        staging.write(path, bytes).map_err(|e| e.to_string())
    };
    // Search gathers each docs site's documents as soon as it is rendered
    // and counts their words (`search::gather`): the browser's index is
    // exported from the counts, and `_search/terminal/documents.bin` is
    // what `portico search` indexes on first use. Without the build cache
    // every site is gathered as it renders (a merge's sites come counted
    // from the parts). With it, when the last site's search may be carried
    // over whole, nothing is gathered yet: the docs' part of its key is
    // worked out once the docs are built (`docs_search_key`), often
    // without any document, and the documents are gathered (kept ones
    // taken from the cache) only if the key changed.
    let may_carry_search = staging.previous_search_key().is_some();
    let gathered = (config.search && disk.is_none()).then(search::gather::Gathered::default);
    let feed = (config.search && disk.is_some() && !may_carry_search)
        .then(search::gather::Gathered::default);
    // The keys of the fragment blocks of sites packed through the cache.
    let packed_runs: std::sync::Mutex<search::web::KeptRuns> = Default::default();
    // Sites whose search documents were made, to be kept once the export
    // has their blocks (`search::kept_sites`), by folder.
    let to_keep_sites: std::sync::Mutex<Vec<(String, search::kept_sites::ToKeep)>> =
        Default::default();
    let catalog = &outcome.portal.catalog;
    let on_site = |site: &DocSiteSummary| {
        if !config.search {
            return;
        }
        // Without the cache there is no key; with it, each document is
        // hashed once, for the key and for the site's kept documents.
        if let Some(gathered) = &gathered {
            gathered.add_site(search::site_documents(catalog, site));
        } else if let (Some(feed), Some(key), Some(disk)) = (&feed, &search_key, &disk) {
            let (sum, documents) = search::hashed(search::site_documents(catalog, site));
            key.add_sum(sum);
            if let Some(to_keep) = add_made_site(feed, disk, documents, &packed_runs) {
                crate::memo::lock(&to_keep_sites).push((site.url.clone(), to_keep));
            }
        }
    };
    // Unchanged repositories' pages are taken over from the last site.
    let carry = |files: &[docs::build::WrittenFile]| {
        staging
            .carry_files(files.iter().map(|f| (f.path.as_str(), f.len, f.hash)))
            .unwrap_or(false)
    };
    let listings = crate::read::Listings::default();
    let docs = DocsRun {
        sink: Some(&sink),
        // Only documents gathered as the docs render see each site then (a
        // site read back from the build cache decodes its pages' sections
        // for it).
        on_site: (config.search && (gathered.is_some() || feed.is_some()))
            .then_some(&on_site as &(dyn Fn(&DocSiteSummary) + Sync)),
        memo: None,
        disk: disk.as_ref(),
        carry: disk.as_ref().map(|_| &carry as docs::build::Carry<'_>),
        other_sites: None,
        skip_page_dates: false,
        listings: Some(&listings),
        repo_files: inputs.as_ref().map(|inputs| &inputs.repo_files),
        // Without the cache search has each site's documents from
        // `on_site`, and so does a feed opened before the docs (its
        // documents are hashed, listed and kept for the next build then);
        // else the search key and the feed read them later.
        drop_sections: disk.is_none() || feed.is_some(),
        drafts: false,
    };
    let mut parts_search = Vec::new();
    let mut built = match parts {
        Some(parts) => {
            let place = |file: &shard::part::PartFile| {
                staging
                    .link_file(&file.site_path, &file.file, file.len)
                    .map_err(|e| e.to_string())
            };
            let from_parts =
                docs_from_parts(parts, &outcome.portal, config.git_ref.as_deref(), &place)?;
            parts_search = from_parts.search;
            from_parts.outcome
        }
        None => render_docs(config, &outcome.portal, &look, docs)?,
    };
    let versions = match built.version_renders {
        (0, 0) => String::new(),
        (shared, rendered) => {
            format!("; versions: {shared} page renders shared, {rendered} rendered")
        }
    };
    let repos_key = built.repos_key;
    let link_problems = built.link_problems;
    let repo_keys = std::mem::take(&mut built.site_keys);
    let kept_sections = std::mem::take(&mut built.kept_sections);
    add_docs(&mut outcome, built);
    // A site as search documents are made from it: with its pages'
    // sections, read back from the build cache if they were left there.
    let whole_site = |site: &std::sync::Arc<DocSiteSummary>| match kept_sections
        .get(&(std::sync::Arc::as_ptr(site) as usize))
    {
        Some(kept) => kept.fill(site).map(std::sync::Arc::new),
        None => Ok(site.clone()),
    };
    let site_keys = match &disk {
        Some(_) if config.search => site_search_keys(&outcome.portal, &repo_keys),
        _ => Vec::new(),
    };
    match &disk {
        Some(disk) => {
            let (hits, misses, failures) = disk.counts(docs::PAGE_CACHE_KIND);
            let (by_files, not_by_files, _) = disk.counts(docs::REPOS_BY_FILES_TAKEN);
            let (kept, checked) = link_problems;
            timer.lap(&format!(
                "docs (render + write + link check; cache: {hits} pages reused, {misses} rendered, {failures} not stored{versions}; repositories taken by their files' stamps: {by_files} of {}; links: {kept} repositories' problems kept, {checked} checked)",
                by_files + not_by_files
            ));
        }
        None if parts.is_some() => timer.lap(&format!(
            "docs (from the parts: link + link check{versions})"
        )),
        None => timer.lap(&format!("docs (render + write + link check{versions})")),
    }
    // The docs' sites' search documents when `docs_search_key` worked them
    // out, for the feed should the key have changed.
    let mut docs_sites = None;
    if let (Some(key), Some(disk), None) = (&search_key, &disk, &feed)
        && config.search
    {
        let (sum, sites) =
            docs_search_key(disk, &outcome.portal, repos_key, &site_keys, &whole_site)
                .map_err(Fatal)?;
        key.add_sum(sum);
        timer.lap(&match &sites {
            Some(sites) => {
                let kept = sites
                    .iter()
                    .filter(|s| matches!(s, SiteSearch::Kept { .. }))
                    .count();
                format!(
                    "docs' search key (sites' search documents: {kept} kept, {} made)",
                    sites.len() - kept
                )
            }
            None => "docs' search key (the sum kept)".to_string(),
        });
        docs_sites = sites;
    }
    add_scorecards(config, &mut outcome, None, Some(&listings));
    timer.lap(&scorecards_lap(&outcome));
    if config.search {
        let entity_documents =
            search::entity_documents(&outcome.portal.catalog, &outcome.portal.scorecards);
        let entity_documents = match &search_key {
            Some(key) => {
                let (sum, hashed) = search::hashed(entity_documents);
                key.add_sum(sum);
                EntityDocuments::Hashed(hashed)
            }
            None => EntityDocuments::Plain(entity_documents),
        };
        // The same documents as the last site's: its search files are
        // carried over.
        let search_dirs = [crate::address::SEARCH_TERMINAL_DIR, search::web::WEB_DIR];
        let unchanged = staging.previous_search_key().is_some()
            && staging.previous_search_key() == search_key.as_ref().map(|k| k.value())
            && search_dirs.iter().all(|dir| staging.can_carry_folder(dir));
        if unchanged {
            drop(feed);
            for dir in search_dirs {
                if !staging.carry_folder(dir).map_err(fatal)? {
                    return Err(Fatal(format!(
                        "the site in `{}` changed while this build ran; run the build again",
                        out_dir.display()
                    )));
                }
            }
            let (kept, made, _) = disk
                .as_ref()
                .map_or((0, 0, 0), |disk| disk.counts(SEARCH_DOCS_KIND));
            timer.lap(&format!(
                "search indexes (unchanged, carried over; docs' key: {kept} kept, {made} made)"
            ));
        } else if let Some(disk) = &disk {
            let portal = &outcome.portal;
            // Docs sites whose search documents were kept, and made.
            let mut sites_searched = (0, portal.docs.len());
            let feed = match feed {
                Some(feed) => feed,
                None => {
                    let feed = search::gather::Gathered::default();
                    let sites = match docs_sites {
                        Some(sites) => sites,
                        None => {
                            site_searches(disk, portal, &site_keys, &whole_site).map_err(Fatal)?
                        }
                    };
                    for (n, site) in sites.into_iter().enumerate() {
                        match site {
                            SiteSearch::Kept {
                                ranks,
                                site,
                                terms,
                                block,
                                ..
                            } => {
                                sites_searched.0 += 1;
                                sites_searched.1 -= 1;
                                let listed = search::listed::list_ranked(site, &ranks);
                                feed.add_counted(listed, terms, block);
                            }
                            SiteSearch::Made(documents) => {
                                if let Some(to_keep) =
                                    add_made_site(&feed, disk, documents, &packed_runs)
                                {
                                    let url = portal.docs[n].url.clone();
                                    crate::memo::lock(&to_keep_sites).push((url, to_keep));
                                }
                            }
                        }
                    }
                    feed
                }
            };
            feed.add_all(entity_documents.plain());
            let finished = feed.finish();
            timer.lap(&format!(
                "search documents gathered (docs sites' search documents: {} kept, {} made)",
                sites_searched.0, sites_searched.1
            ));
            let mut runs = write_search(&staging, finished, Some(disk), out_dir)?;
            // Sites packed as they were gathered, through the cache.
            runs.extend(std::mem::take(&mut *crate::memo::lock(&packed_runs)));
            let keys: std::collections::HashMap<&str, crate::memo::Key> = portal
                .docs
                .iter()
                .zip(&site_keys)
                .filter_map(|(site, key)| Some((site.url.as_str(), (*key)?)))
                .collect();
            let to_keep = std::mem::take(&mut *crate::memo::lock(&to_keep_sites));
            let mut stored = 0;
            for (url, to_keep) in to_keep {
                if let (Some(key), Some(run)) =
                    (keys.get(url.as_str()), runs.get(to_keep.entity_ref()))
                {
                    to_keep.keep(disk, *key, *run);
                    stored += 1;
                }
            }
            timer.lap(&format!(
                "browser search index ({stored} sites' search documents stored for the next build)"
            ));
        } else if let Some(gathered) = gathered {
            gathered.add_all(entity_documents.plain());
            // A merge's docs sites, as their shards counted and packed them.
            for (listed, terms, block) in std::mem::take(&mut parts_search).into_iter().flatten() {
                gathered.add_counted(listed, terms, block);
            }
            let finished = gathered.finish();
            timer.lap("search documents gathered");
            write_search(&staging, finished, None, out_dir)?;
            timer.lap("browser search index");
        }
    }
    let page_keys = match &disk {
        None => {
            let files = render::site(&outcome.portal, &look, &outcome.diagnostics, None);
            staging.write_all(&files).map_err(fatal)?;
            timer.lap("catalog pages");
            Default::default()
        }
        Some(disk) => catalog_pages_carrying(&outcome, &look, &staging, disk, &mut timer)?,
    };
    let records = disk.as_ref().map(|disk| KeptRecords { disk, site_key });
    let committed = staging
        .commit_recording(records.as_ref().map(|r| r as &dyn output::KeptRecords))
        .map_err(fatal)?;
    outcome.deletion = committed.deletion;
    let mut manifest_bytes = None;
    if let (Some(_), Some(mut manifest)) = (&disk, committed.manifest)
        && (!committed.unchanged || manifest.page_keys != page_keys)
    {
        manifest.search_key = search_key
            .as_ref()
            .filter(|_| config.search)
            .map(|k| k.value());
        manifest.page_keys = page_keys;
        let bytes = manifest.to_bytes();
        manifest_hash = Some(xxhash_rust::xxh3::xxh3_128(&bytes));
        manifest_bytes = Some(bytes);
    }
    // The two entries side by side (the build's last stretch is otherwise
    // on one thread). Either order is safe: the inputs' entry names the
    // manifest by its hash, so it holds only beside that very manifest.
    if let Some(disk) = &disk {
        rayon::join(
            || {
                if let Some(bytes) = &manifest_bytes {
                    disk.put(SITE_KIND, site_key, bytes);
                }
            },
            || {
                if let Some(inputs) = &inputs {
                    unchanged::keep(disk, site_key, inputs, out_dir, manifest_hash, &outcome);
                }
            },
        );
    }
    timer.lap(&if committed.unchanged {
        format!(
            "swap in (nothing changed: the site was left as it was, {} files)",
            committed.carried
        )
    } else {
        let kept = committed.kept.map_or(String::new(), |kept| {
            format!(
                "; the kept folder brought up to date: {} files stayed, {} linked in, {} removed; \
                 its folders: {} read, {} as recorded",
                kept.stayed, kept.linked, kept.removed, kept.folders_read, kept.folders_recorded
            )
        });
        format!(
            "swap in ({} unchanged files carried over{kept})",
            committed.carried
        )
    });
    Ok(outcome)
}

/// The staging folder of a build into `out_dir` (carrying the last site's
/// files over, with the build cache), and the hash of the last site's
/// manifest as the cache holds it. With the cache, the kept folder's
/// listing starts: it runs while the stages do (it needs nothing they
/// make), and the commit brings the folder up to date.
fn open_staging(
    out_dir: &Path,
    disk: Option<&crate::cache::DiskCache>,
    site_key: crate::memo::Key,
) -> Result<(output::Staging, Option<u128>), output::OutputError> {
    let Some(disk) = disk else {
        return Ok((output::Staging::create(out_dir)?, None));
    };
    let bytes = disk.get(SITE_KIND, site_key);
    let manifest_hash = bytes.as_deref().map(xxhash_rust::xxh3::xxh3_128);
    let previous = bytes.and_then(|bytes| output::Manifest::from_bytes(&bytes));
    let staging = output::Staging::create_carrying(out_dir, previous)?;
    staging.list_kept_early(&KeptRecords { disk, site_key });
    Ok((staging, manifest_hash))
}

/// Writes what was gathered for search into the site: `documents.bin`
/// (let go once written) and, beside it, the browser's index, a batch of
/// files at a time. Gives the keys of the fragment blocks packed through
/// `disk`.
fn write_search(
    staging: &output::Staging,
    finished: search::gather::Finished,
    disk: Option<&crate::cache::DiskCache>,
    out_dir: &Path,
) -> Result<search::web::KeptRuns, Fatal> {
    let search::gather::Finished {
        listed,
        counted,
        blocks,
    } = finished;
    let blocks = search::gather::Gathered::documents_blocks(&listed, blocks);
    let write = |files: &mut Vec<output::OutputFile>| {
        staging.write_all(files).map_err(|e| e.to_string())?;
        files.clear();
        Ok(())
    };
    // Two threads: joining the blocks into one file and writing it was a
    // single thread's work (4 MB at 2,000 pages) while the other core
    // waited for the export.
    let (documents, exported) = rayon::join(
        || {
            let file = search::stored::file(blocks);
            staging.write(crate::address::SEARCH_DOCUMENTS_FILE, &file)
        },
        || {
            // A fragment file the last site holds as it would be made is
            // carried over by its hash, never made.
            let carry = |path: &str, (len, hash): search::web::FileHash| {
                staging.carry_files([(path, len, hash)]).unwrap_or(false)
            };
            search::web::export_carrying(listed, &counted, disk, write, &carry)
        },
    );
    documents.map_err(|e| Fatal(e.to_string()))?;
    exported.map_err(|e| {
        if let (search::web::ExportError::Words(_), Some(disk)) = (&e, disk) {
            search::web::refuse_kept_words(disk);
        }
        export_failed(e, out_dir)
    })
}

/// What the build cache keeps the docs' part of the search key under.
const SEARCH_DOCS_KIND: &str = "search-docs-key";

/// The docs' part of the search indexes' key ([`output::SearchKey`]): the
/// sum of every docs search document's hash. When every repository's docs
/// are kept in the build cache (`repos_key`), each site's documents follow
/// from them and from the site's entity, so the sum is kept under a key of
/// those and the documents are made only when it is not there; then they
/// are handed back too (hashed, by site), to be gathered.
fn docs_search_key(
    disk: &crate::cache::DiskCache,
    portal: &Portal,
    repos_key: Option<crate::memo::Key>,
    site_keys: &[Option<crate::memo::Key>],
    whole_site: WholeSite<'_>,
) -> Result<(u128, Option<Vec<SiteSearch>>), String> {
    let by_documents = || {
        let sites = site_searches(disk, portal, site_keys, whole_site)?;
        let sum = sites
            .iter()
            .fold(0u128, |sum, site| sum.wrapping_add(site.sum()));
        Ok((sum, Some(sites)))
    };
    let Some(repos_key) = repos_key else {
        return by_documents();
    };
    let mut key = crate::memo::hasher();
    key.update(&repos_key.to_le_bytes());
    for site in &portal.docs {
        search::kept_sites::add_site(&mut key, site, &portal.catalog);
    }
    let key = key.digest128();
    if let Some(sum) = disk
        .get(SEARCH_DOCS_KIND, key)
        .and_then(|bytes| <[u8; 16]>::try_from(bytes.as_slice()).ok())
    {
        return Ok((u128::from_le_bytes(sum), None));
    }
    let (sum, documents) = by_documents()?;
    disk.put(SEARCH_DOCS_KIND, key, &sum.to_le_bytes());
    Ok((sum, documents))
}

/// A docs site with its pages' sections (`docs::KeptSections::fill`).
type WholeSite<'a> = &'a (
        dyn Fn(&std::sync::Arc<DocSiteSummary>) -> Result<std::sync::Arc<DocSiteSummary>, String>
            + Sync
    );

/// Every docs site's search documents (sites in parallel): kept in the
/// build cache under the site's key (`search::kept_sites`), else made and
/// hashed.
fn site_searches(
    disk: &crate::cache::DiskCache,
    portal: &Portal,
    site_keys: &[Option<crate::memo::Key>],
    whole_site: WholeSite<'_>,
) -> Result<Vec<SiteSearch>, String> {
    use rayon::prelude::*;
    portal
        .docs
        .par_iter()
        .enumerate()
        .map(|(n, site)| {
            let kept = site_keys.get(n).copied().flatten();
            if let Some(kept) = kept.and_then(|key| search::kept_sites::kept(disk, key)) {
                return Ok(kept);
            }
            let documents = search::site_documents(&portal.catalog, &*whole_site(site)?);
            Ok(SiteSearch::Made(search::hashed(documents).1))
        })
        .collect()
}

/// Each docs site's key for its search documents (`search::kept_sites`),
/// by its place in `portal.docs`: for the sites of repositories whose
/// docs are kept whole (`repo_keys`, by folder), built in a folder no
/// other site is.
fn site_search_keys(
    portal: &Portal,
    repo_keys: &std::collections::HashMap<String, crate::memo::Key>,
) -> Vec<Option<crate::memo::Key>> {
    let mut folders: std::collections::HashMap<&str, usize> = Default::default();
    for site in &portal.docs {
        *folders.entry(site.url.as_str()).or_default() += 1;
    }
    portal
        .docs
        .iter()
        .map(|site| {
            let repo_key = repo_keys
                .get(&site.url)
                .filter(|_| folders[site.url.as_str()] == 1)?;
            Some(search::kept_sites::site_key(
                *repo_key,
                site,
                &portal.catalog,
            ))
        })
        .collect()
}

/// The entity documents: hashed when a key is kept (the build cache).
enum EntityDocuments {
    Hashed(Vec<search::Hashed>),
    Plain(Vec<search::SearchDoc>),
}

impl EntityDocuments {
    fn plain(self) -> Vec<search::SearchDoc> {
        match self {
            EntityDocuments::Hashed(hashed) => hashed.into_iter().map(|d| d.doc).collect(),
            EntityDocuments::Plain(plain) => plain,
        }
    }
}

/// The catalog's pages with the build cache: entity pages whose key the
/// last site's manifest records for their path are carried over rather
/// than drawn. Returns each entity page's key, for the next manifest.
fn catalog_pages_carrying(
    outcome: &Outcome,
    look: &render::Look,
    staging: &output::Staging,
    disk: &crate::cache::DiskCache,
    timer: &mut Timer,
) -> Result<std::collections::HashMap<String, [u64; 2]>, Fatal> {
    let fatal = |e: output::OutputError| Fatal(e.to_string());
    let carry = |path: &str, key| staging.carry_keyed(path, key);
    // The lists made from the same key before: carried over whole when
    // the last site still holds every one of them as written.
    let carry_lists = |key| {
        disk.get_decoded(LISTS_KIND, key, crate::memo::decode::<Vec<ListFile>>)
            .is_some_and(|files| {
                staging
                    .carry_files(files.iter().map(|f| (f.0.as_str(), f.1, f.2)))
                    .unwrap_or(false)
            })
    };
    let keys_found = std::cell::Cell::new(false);
    let page_keys = |key| {
        let kept = disk.get_decoded(
            PAGE_KEYS_KIND,
            key,
            crate::memo::decode::<Vec<(String, u128)>>,
        )?;
        keys_found.set(true);
        Some(kept.into_iter().collect())
    };
    // The parts of the lists with keys of their own (each kind's list
    // pages, the scorecard pages), taken over when the lists are made
    // again; the facts of the files taken, for the lists' record.
    // (the files' facts, how many parts)
    let parts_carried: std::sync::Mutex<(Vec<ListFile>, usize)> = Default::default();
    let carry_part = |key| {
        let files = disk.get_decoded(LIST_PART_KIND, key, crate::memo::decode::<Vec<ListFile>>)?;
        let carried = staging
            .carry_files(files.iter().map(|f| (f.0.as_str(), f.1, f.2)))
            .unwrap_or(false);
        if !carried {
            return None;
        }
        let paths = files.iter().map(|f| f.0.clone()).collect();
        let mut carried = crate::memo::lock(&parts_carried);
        carried.0.extend(files);
        carried.1 += 1;
        Some(paths)
    };
    let kept = render::KeptSite {
        lists: &carry_lists,
        page_keys: &page_keys,
        part: &carry_part,
    };
    let (pages, lists_key, lists) =
        render::site_carrying(&outcome.portal, look, &outcome.diagnostics, &carry, kept);
    if !keys_found.get() {
        let keys: Vec<(&str, u128)> = pages
            .iter()
            .filter_map(|p| Some((p.path.as_str(), p.key?)))
            .collect();
        if let Some(bytes) = crate::memo::encode(&keys) {
            disk.put(PAGE_KEYS_KIND, lists_key, &bytes);
        }
    }
    let drawn: Vec<output::OutputFile> = pages
        .iter()
        .filter_map(|p| Some(output::OutputFile::shared(p.path.clone(), p.bytes.clone()?)))
        .collect();
    staging.write_all(&drawn).map_err(fatal)?;
    let lists_made = lists.is_some();
    let mut parts_made = 0;
    let mut parts_carried_count = 0;
    if let Some(lists) = lists {
        staging.write_all(&lists.files).map_err(fatal)?;
        let mut files: Vec<ListFile> = lists
            .files
            .iter()
            .map(|f| {
                let hash = output::halves(xxhash_rust::xxh3::xxh3_128(&f.bytes));
                (f.path.clone(), f.bytes.len() as u64, hash)
            })
            .collect();
        // Each part made, kept under its own key.
        let by_path: std::collections::HashMap<&str, &ListFile> =
            files.iter().map(|f| (f.0.as_str(), f)).collect();
        for (key, paths) in &lists.parts {
            let part: Option<Vec<&ListFile>> = paths
                .iter()
                .map(|p| by_path.get(p.as_str()).copied())
                .collect();
            if let Some(bytes) = part.and_then(|part| crate::memo::encode(&part)) {
                disk.put(LIST_PART_KIND, *key, &bytes);
                parts_made += 1;
            }
        }
        let (carried, count) = std::mem::take(&mut *crate::memo::lock(&parts_carried));
        parts_carried_count = count;
        files.extend(carried);
        if let Some(bytes) = crate::memo::encode(&files) {
            disk.put(LISTS_KIND, lists_key, &bytes);
        }
    }
    timer.lap(&format!(
        "catalog pages ({} entity pages drawn, {} carried over; lists {})",
        drawn.len(),
        pages.len() - drawn.len(),
        match (lists_made, parts_carried_count) {
            (false, _) => "carried over".to_string(),
            (true, 0) => format!("made; {parts_made} parts made"),
            (true, n) => format!("made; {n} parts carried over, {parts_made} made"),
        }
    ));
    Ok(pages
        .into_iter()
        .filter_map(|p| Some((p.path, output::halves(p.key?))))
        .collect())
}

/// What the build cache keeps the lists' files under (by the key of what
/// they read, `render::site_carrying`): each file's path, length and hash,
/// as the last site's manifest records them.
const LISTS_KIND: &str = "site-lists";

/// What the build cache keeps a part of the lists under (by the key of
/// what the part reads, `render::site_carrying`): its files as
/// [`LISTS_KIND`] keeps them.
const LIST_PART_KIND: &str = "site-list-part";

/// What the build cache keeps each entity page's key under (by the key of
/// what the lists read, which covers every page's: see
/// `render::site_carrying`), so a build with that key carries each page over
/// without making its key.
const PAGE_KEYS_KIND: &str = "site-page-keys";

/// One of the lists' files, as kept under [`LISTS_KIND`].
type ListFile = (String, u64, [u64; 2]);

/// Puts a part's file into the site at its site path, refusing it when
/// its length is not the one the shard wrote.
type Place<'a> = &'a (dyn Fn(&shard::part::PartFile) -> Result<(), String> + Sync);

/// The docs of every repository from the shards' parts: their files
/// handed to `place` (linked into the staging folder), their links checked
/// across all of them, in the order a build has them; and each part's
/// docs sites' search documents as the shard recorded them (with search
/// on).
fn docs_from_parts(
    parts: &[shard::part::Part],
    portal: &Portal,
    git_ref: Option<&str>,
    place: Place<'_>,
) -> Result<PartsDocs, Fatal> {
    use rayon::prelude::*;
    let mut timer = Timer::new();
    let repos = &portal.repos;
    let identities: Vec<&str> = repos.iter().map(|r| r.display.as_str()).collect();
    shard::part::check_repos(parts, &identities).map_err(Fatal)?;
    let commits = shard::commits_of(repos, git_ref);
    shard::part::check_commits(parts, &commits).map_err(Fatal)?;
    // The files are linked (system calls, mostly) while the data is read
    // and the search documents made (parsing): neither needs the other.
    let link = || -> Result<Vec<Vec<String>>, Fatal> {
        let mut listed = Vec::with_capacity(parts.len());
        for part in parts {
            let files = part.files().map_err(Fatal)?;
            files.par_iter().try_for_each(place).map_err(Fatal)?;
            listed.push(files.into_iter().map(|file| file.site_path).collect());
        }
        Ok(listed)
    };
    let (read, linked) = rayon::join(|| read_parts(parts, portal), link);
    let (read, search) = read?;
    pages_are_listed(parts, &read, &linked?)?;
    timer.lap("  the parts' docs read, search documents made, files linked");
    let mut by_repo: std::collections::HashMap<String, docs::build::RepoDocs> =
        read.into_iter().flatten().collect();
    let ordered: Vec<docs::build::RepoDocs> = repos
        .iter()
        .filter_map(|repo| by_repo.remove(&repo.display))
        .collect();
    let checked = docs::build::check_links(ordered, None, None).map_err(Fatal)?;
    timer.lap("  links checked");
    Ok(PartsDocs {
        outcome: checked,
        search,
    })
}

/// Every docs page a part's `docs.bin` holds (each version's too) is a file
/// its `files.bin` lists (`listed`, sorted, by part): a part whose two
/// lists disagree (one of them from another run, say) would otherwise
/// give a site missing pages its links were checked against.
fn pages_are_listed(
    parts: &[shard::part::Part],
    read: &[Vec<(String, docs::build::RepoDocs)>],
    listed: &[Vec<String>],
) -> Result<(), Fatal> {
    files_stay_in_their_sites(parts, read, listed)?;
    for ((part, docs), files) in parts.iter().zip(read).zip(listed) {
        let sites = docs.iter().flat_map(|(_, repo)| repo.summaries());
        for site in sites.flat_map(|site| std::iter::once(site).chain(&site.versions)) {
            for page in &site.pages {
                let path = crate::address::docs_page(&site.url, &page.url);
                if files.binary_search(&path).is_err() {
                    return Err(Fatal(format!(
                        "`{}` does not list `{path}`, a page its docs.bin holds: the part is damaged (or its files are from another run); build the shard again",
                        part.dir.join("files.bin").display()
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Every file a part lists lies in the folder of one of its own docs sites,
/// and no two sites (of any parts) share a folder or hold one another: a
/// part from elsewhere (a CI artifact) may not put files in another
/// shard's docs, or anywhere else in the site. (They were linked into the
/// staging folder already: a refusal deletes it, and the last site stays.)
fn files_stay_in_their_sites(
    parts: &[shard::part::Part],
    read: &[Vec<(String, docs::build::RepoDocs)>],
    listed: &[Vec<String>],
) -> Result<(), Fatal> {
    // Each site's folder, and the part (by its place) that holds it.
    let mut owners: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for (n, (part, docs)) in parts.iter().zip(read).enumerate() {
        for site in docs.iter().flat_map(|(_, repo)| repo.summaries()) {
            let folder = format!("{}/", site.url.trim_end_matches('/'));
            if folder != crate::address::docs_site_dir(&site.entity) {
                return Err(Fatal(format!(
                    "`{}` puts the docs of `{}` in `{folder}`, not in its own folder: the part is damaged; build the shard again",
                    part.dir.join("docs.bin").display(),
                    site.entity
                )));
            }
            if let Some(other) = owners.insert(folder.clone(), n) {
                return Err(Fatal(format!(
                    "`{}` and `{}` both hold the docs site `{folder}`: the parts are not one build's; build every shard again",
                    parts[other].dir.display(),
                    part.dir.display()
                )));
            }
        }
    }
    // Sorted, a folder holding another comes right before it.
    let folders: Vec<&String> = owners.keys().collect();
    if let Some(pair) = folders
        .windows(2)
        .find(|pair| pair[1].starts_with(pair[0].as_str()))
    {
        return Err(Fatal(format!(
            "the docs sites `{}` and `{}` hold one another: a part is damaged; build every shard again",
            pair[0], pair[1]
        )));
    }
    // No folder holds another, so the one a file may lie in is the last
    // folder sorted at or before it.
    let owner = |file: &str| {
        owners
            .range::<str, _>((std::ops::Bound::Unbounded, std::ops::Bound::Included(file)))
            .next_back()
            .filter(|(folder, _)| file.starts_with(folder.as_str()))
            .map(|(_, n)| *n)
    };
    for (n, (part, files)) in parts.iter().zip(listed).enumerate() {
        if let Some(stray) = files.iter().find(|file| owner(file) != Some(n)) {
            return Err(Fatal(format!(
                "`{}` lists `{}`, outside its docs sites: the part is damaged (or not Portico's); build the shard again",
                part.dir.join("files.bin").display(),
                stray.escape_debug()
            )));
        }
    }
    Ok(())
}

/// Each part's docs, as `docs.bin` lists them, and (with search on) its
/// search documents, in the order its index numbers them.
type PartsRead = (
    Vec<Vec<(String, docs::build::RepoDocs)>>,
    Vec<Vec<SiteSearched>>,
);

/// A docs site's search documents as a shard recorded them: listed for the
/// export (packed, this catalog's facets), their words counted, and their
/// block of `documents.bin`.
type SiteSearched = (
    Vec<search::listed::Listed>,
    search::terms::RunTerms,
    Vec<u8>,
);

/// Reads every part's `docs.bin` (without the sections' text) and lists its
/// search documents as the browser export keeps them: each site's sections
/// packed, from the blocks and ranks the shard recorded (`fragments.bin`).
fn read_parts(parts: &[shard::part::Part], portal: &Portal) -> Result<PartsRead, Fatal> {
    use rayon::prelude::*;
    let read: Vec<Vec<(String, docs::build::RepoDocs)>> = parts
        .par_iter()
        .map(shard::part::Part::docs)
        .collect::<Result<_, String>>()
        .map_err(Fatal)?;
    let search = if portal.search {
        read.par_iter()
            .zip(parts)
            .map(|(docs, part)| part_listed(part, docs, &portal.catalog))
            .collect::<Result<_, Fatal>>()?
    } else {
        Vec::new()
    };
    Ok((read, search))
}

/// One part's docs sites' search documents, from what the shard recorded
/// of each (`shard::part::SiteListing`: blocks, ranks, words counted and
/// documents' block) and this catalog's facets of its entity: no section
/// text is read.
fn part_listed(
    part: &shard::part::Part,
    docs: &[(String, docs::build::RepoDocs)],
    catalog: &catalog::Catalog,
) -> Result<Vec<SiteSearched>, Fatal> {
    let sites: Vec<_> = docs.iter().flat_map(|(_, repo)| repo.summaries()).collect();
    let recorded = part
        .site_listings(sites.iter().map(|site| site.entity.to_string()).collect())
        .map_err(Fatal)?;
    Ok(sites
        .into_iter()
        .zip(recorded)
        .map(|(site, recorded)| {
            let listed =
                search::list_recorded_site(catalog, site, recorded.blocks, &recorded.ranks);
            (listed, recorded.terms, recorded.block)
        })
        .collect())
}

/// The docs of a merge: as a build has them, and each part's search
/// documents (empty with search off).
struct PartsDocs {
    outcome: docs::DocsOutcome,
    search: Vec<Vec<SiteSearched>>,
}

/// `portico build --shard i/N`: the whole catalog read (every shard needs
/// it: a page may link to any entity, a Location may point into any
/// repository), then the docs of this shard's repositories rendered into
/// a part (`shard::part`) in `part_dir`, links unchecked. The returned
/// problems are those found rendering them; the catalog's and the links'
/// are `merge`'s to report.
pub fn build_part(
    config: &Config,
    shard: shard::Shard,
    settings: shard::part::Settings,
    part_dir: &Path,
    cache_dir: Option<&Path>,
) -> Result<Outcome, Fatal> {
    use rayon::prelude::*;
    let mut timer = Timer::new();
    let look =
        render::Look::load(config.theme.as_deref(), config.logo.as_deref()).map_err(Fatal)?;
    let disk = open_cache(cache_dir);
    let writer = shard::part::PartWriter::create(part_dir).map_err(Fatal)?;
    let mut outcome = load(config)?;
    timer.lap("discover + read + catalog");
    // The shares are cut from every repository found (`shard::assign`).
    let identities: Vec<&str> = outcome
        .portal
        .repos
        .iter()
        .map(|repo| repo.display.as_str())
        .collect();
    let found = shard::RepoList::of(&identities);
    let mine: Vec<crate::read::RepoSource> = outcome
        .portal
        .repos
        .iter()
        .zip(shard.share(&identities))
        .filter(|(_, ours)| *ours)
        .map(|(repo, _)| repo.clone())
        .collect();
    let sink = |path: &str, bytes: &std::sync::Arc<[u8]>| writer.write_file(path, bytes);
    let run = DocsRun {
        disk: disk.as_ref(),
        ..DocsRun::default()
    };
    let options = docs_options(config, &look, run);
    let portal = &outcome.portal;
    let layout = |view: docs::DocPageView| render::docs_page::page(view, portal, &look);
    let mut built =
        docs::build::build_repos(&mine, &portal.catalog, &options, &layout, Some(&sink))
            .map_err(Fatal)?;
    timer.lap(&format!(
        "docs of {} repositories (render + write)",
        mine.len()
    ));
    let manifest = shard::part::Manifest {
        format: shard::part::FORMAT,
        portico: env!("CARGO_PKG_VERSION").to_string(),
        shard,
        settings,
        config: shard::part::config_fingerprint(config),
        theme: format!("{:032x}", look.key()),
        repos: mine.iter().map(|repo| repo.display.clone()).collect(),
        found,
        commits: shard::commits_of(&outcome.portal.repos, config.git_ref.as_deref()),
        // Set by `finish`, from the files it writes.
        checksums: Default::default(),
    };
    let mut problems: Vec<Diagnostic> = built
        .iter()
        .flat_map(|(_, docs)| docs.diagnostics().iter().cloned())
        .collect();
    // After the problems above are taken: links are `merge`'s to report.
    built
        .par_iter_mut()
        .for_each(|(_, docs)| docs.check_own_links());
    timer.lap("links inside each site checked");
    if config.search {
        list_part_search(&writer, &portal.catalog, &built)?;
        timer.lap("search documents of the docs listed");
    }
    // `merge` reads the sections' blocks and ranks in `fragments.bin`.
    built
        .par_iter_mut()
        .for_each(|(_, docs)| docs.drop_sections());
    writer.finish(manifest, &built).map_err(Fatal)?;
    timer.lap("part written");
    diagnostics::sort(&mut problems);
    outcome.diagnostics = problems;
    outcome.portal.repos = mine;
    Ok(outcome)
}

/// A browser-index export that stopped, as the build's failure: a write's
/// message as it came (it says what became of the site), else said here.
fn export_failed(e: search::web::ExportError, out_dir: &Path) -> Fatal {
    match e {
        search::web::ExportError::Write(message) => Fatal(message),
        words => Fatal(format!(
            "{words}; the site in `{}` was left as it was",
            out_dir.display()
        )),
    }
}

/// Adds a docs site made now to `feed` through the build cache: counted,
/// its documents' block made, its fragment blocks packed as the export
/// would pack them (kept in the cache, their key noted in `runs`); what to
/// keep of it for the next build (`search::kept_sites`), when it can be.
fn add_made_site(
    feed: &search::gather::Gathered,
    disk: &crate::cache::DiskCache,
    documents: Vec<search::Hashed>,
    runs: &std::sync::Mutex<search::web::KeptRuns>,
) -> Option<search::kept_sites::ToKeep> {
    let docs: Vec<&search::SearchDoc> = documents.iter().map(|d| &d.doc).collect();
    let pack = |sorted: &[&search::SearchDoc]| {
        let (blocks, key) = search::web::pack_run_kept(disk, sorted);
        crate::memo::lock(runs).insert(sorted[0].entity_ref.clone(), key);
        blocks
    };
    // The words are counted while another thread packs the two blocks:
    // after one page changed, its site is all this stage makes, and one
    // thread did it alone while the other core waited.
    let (terms, (block, packed)) = rayon::join(
        || search::terms::RunTerms::of(docs.iter().copied()),
        || {
            let block = search::stored::block(docs.iter().copied());
            (block, search::listed::list_packed_by(&docs, pack))
        },
    );
    let to_keep = search::kept_sites::ToKeep::of(&documents, &terms, &block);
    let listed = match packed {
        Some(listed) => listed,
        None => documents
            .into_iter()
            .map(|d| search::listed::Listed::from(d.doc))
            .collect(),
    };
    feed.add_counted(listed, terms, block);
    to_keep
}

/// Records what `merge` needs of a part's docs sites' search documents
/// (`shard::part::SiteListing`: fragment blocks, ranks, words counted and
/// the documents' block), so it never reads their text.
fn list_part_search(
    writer: &shard::part::PartWriter,
    catalog: &catalog::Catalog,
    built: &[(String, docs::build::RepoDocs)],
) -> Result<(), Fatal> {
    use rayon::prelude::*;
    let sites = shard::part::search_documents(catalog, built);
    let listings: Vec<shard::part::SiteListing> = sites
        .par_iter()
        .map(|(entity_ref, documents)| shard::part::SiteListing::of(entity_ref.clone(), documents))
        .collect();
    writer.write_fragments(&listings).map_err(Fatal)?;
    Ok(())
}

/// What the manifest of the last site written to an `--out` is kept under
/// in the build cache.
const SITE_KIND: &str = "site";

/// What the kept folder's listing is kept under in the build cache.
const KEPT_LISTING_KIND: &str = "kept-listing";

/// The kept folders' listings ([`output::KeptRecords`]) in the build
/// cache, by `--out` and the folder's device and inode.
struct KeptRecords<'d> {
    disk: &'d crate::cache::DiskCache,
    site_key: crate::memo::Key,
}

impl KeptRecords<'_> {
    fn key(&self, (device, inode): (u64, u64)) -> crate::memo::Key {
        let mut hasher = crate::memo::hasher();
        crate::memo::part(&mut hasher, &self.site_key.to_le_bytes());
        crate::memo::part(&mut hasher, &device.to_le_bytes());
        crate::memo::part(&mut hasher, &inode.to_le_bytes());
        hasher.digest128()
    }
}

impl output::KeptRecords for KeptRecords<'_> {
    fn get(&self, folder: (u64, u64)) -> Option<Vec<u8>> {
        self.disk.get(KEPT_LISTING_KIND, self.key(folder))
    }

    fn put(&self, folder: (u64, u64), bytes: &[u8]) {
        self.disk.put(KEPT_LISTING_KIND, self.key(folder), bytes);
    }
}

/// The build cache in `cache_dir`: one that cannot be opened costs time,
/// not the build (a note, and the build goes on without it).
fn open_cache(cache_dir: Option<&Path>) -> Option<crate::cache::DiskCache> {
    cache_dir.and_then(|dir| {
        crate::cache::DiskCache::open(dir)
            .inspect_err(|e| eprintln!("note: building without the cache: {e}"))
            .ok()
    })
}

/// The key of an `--out` folder: its absolute path (a site's manifest
/// describes the files at that path).
fn site_key(out_dir: &Path) -> crate::memo::Key {
    let absolute = std::path::absolute(out_dir).unwrap_or_else(|_| out_dir.to_path_buf());
    let (parent, name) = (absolute.parent(), absolute.file_name());
    let parent = parent
        .and_then(|p| p.canonicalize().ok())
        .or_else(|| parent.map(Path::to_path_buf))
        .unwrap_or_default();
    let mut hasher = crate::memo::hasher();
    crate::memo::part(&mut hasher, parent.as_os_str().as_encoded_bytes());
    crate::memo::part(&mut hasher, name.unwrap_or_default().as_encoded_bytes());
    hasher.digest128()
}

/// Work kept between builds of one process (`portico serve`), reused while
/// its inputs hold.
#[derive(Debug, Default)]
pub struct Memo {
    /// Which repositories changed since they were last read.
    pub versions: crate::memo::Versions,
    /// The last walk of the roots, reused while the watcher reported
    /// nothing that could change it.
    pub discover: discover::DiscoverMemo,
    pub loads: organisation::LoadMemo,
    /// Unchanged entities' JSON, reused by the catalog's assembly.
    pub assemble: catalog::AssembleMemo,
    pub docs: docs::DocsMemo,
    pub pages: render::RenderMemo,
    pub scorecard_files: crate::scorecards::kept_files::FilesMemo,
    pub scorecard_activity: crate::scorecards::kept_activity::ActivityMemo,
    /// Each entity's scorecard results, while what its rules read holds.
    pub scorecard_results: crate::scorecards::kept_results::ResultsMemo,
}

impl Memo {
    /// The memo of `portico serve`'s preview: as [`Memo::default`], and a
    /// catalog file that stops parsing leaves its repository's last good
    /// load in place (`organisation::LoadMemo::keeping_last_good`).
    pub fn for_preview() -> Memo {
        Memo {
            loads: organisation::LoadMemo::keeping_last_good(),
            ..Memo::default()
        }
    }
}

/// A site built in memory for `portico serve`: every file but the search
/// indexes, by path.
pub struct Preview {
    pub outcome: Outcome,
    /// The docs and entity pages; [`preview_lists`] makes the rest.
    pub files: std::collections::HashMap<String, std::sync::Arc<[u8]>>,
}

/// Builds the docs and entity pages in memory, reusing the pages `memo`
/// rendered before. The pages showing the whole catalog are left to
/// [`preview_lists`] and the search indexes to [`search_files`], so an
/// edit is shown before they are rebuilt.
pub fn preview(config: &Config, look: &render::Look, memo: &Memo) -> Result<Preview, Fatal> {
    let mut timer = Timer::new();
    let mut outcome = load_with(config, Some(memo))?;
    timer.lap("discover + read + catalog");
    let files = std::sync::Mutex::new(std::collections::HashMap::new());
    let sink = |path: &str, bytes: &std::sync::Arc<[u8]>| {
        files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(path.to_string(), std::sync::Arc::clone(bytes));
        Ok(())
    };
    memo.docs.start();
    let docs_memo = Some((&memo.docs, &memo.versions));
    // The listings the docs stage makes, taken again by the scorecards'
    // file rules for the repositories that changed.
    let listings = crate::read::Listings::default();
    let docs = DocsRun {
        sink: Some(&sink),
        on_site: None,
        memo: docs_memo,
        disk: None,
        carry: None,
        other_sites: None,
        skip_page_dates: false,
        listings: Some(&listings),
        // Serve's memo keeps its own versions of each repository.
        repo_files: None,
        // `search_files` makes the index from the sites afterwards.
        drop_sections: false,
        // A preview shows drafts, as `mkdocs serve` does.
        drafts: true,
    };
    let built = render_docs(config, &outcome.portal, look, docs)?;
    let (reused, rendered) = memo.docs.finish();
    add_docs(&mut outcome, built);
    timer.lap(&format!(
        "docs ({rendered} pages rendered, {reused} reused)"
    ));
    memo.scorecard_results.start();
    add_scorecards(config, &mut outcome, Some(memo), Some(&listings));
    let (kept, judged) = memo.scorecard_results.finish();
    timer.lap(&format!(
        "scorecards ({kept} entities' results kept, {judged} judged)"
    ));
    let mut files = files
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    memo.pages.start();
    for file in render::entity_pages(
        &outcome.portal,
        look,
        &outcome.diagnostics,
        Some(&memo.pages),
    ) {
        files.insert(file.path, file.bytes);
    }
    let (reused, drawn) = memo.pages.finish();
    timer.lap(&format!("entity pages ({drawn} drawn, {reused} reused)"));
    Ok(Preview { outcome, files })
}

/// The rest of a [`preview`]'s site: the lists, `catalog.json`, the
/// problems, organisation and scorecard pages, assets and theme files.
pub fn preview_lists(preview: &Preview, look: &render::Look) -> Vec<output::OutputFile> {
    preview_lists_until(preview, look, &|| false).unwrap_or_default()
}

/// [`preview_lists`], given up (`None`) as soon as `stop` says so
/// (`portico serve`: a newer change is waiting).
pub fn preview_lists_until(
    preview: &Preview,
    look: &render::Look,
    stop: &dyn Fn() -> bool,
) -> Option<Vec<output::OutputFile>> {
    let mut timer = Timer::new();
    let portal = &preview.outcome.portal;
    let entity_pages: Vec<String> = portal
        .catalog
        .entities
        .iter()
        .map(|e| crate::address::entity_page(&e.entity_ref))
        .collect();
    let entity_pages: Vec<&str> = entity_pages.iter().map(String::as_str).collect();
    let files = render::lists_until(
        portal,
        look,
        &preview.outcome.diagnostics,
        &entity_pages,
        stop,
    );
    timer.lap(if files.is_some() {
        "lists"
    } else {
        "lists (given up: a newer change)"
    });
    files
}

/// The search indexes of a built portal: the files of the browser's index
/// and `_search/terminal/documents.bin` (`search::stored`), which `portico search`
/// indexes on first use.
pub fn search_files(outcome: &Outcome) -> Result<Vec<output::OutputFile>, Fatal> {
    use rayon::prelude::*;
    let gathered = search::gather::Gathered::default();
    let catalog = &outcome.portal.catalog;
    outcome
        .portal
        .docs
        .par_iter()
        .for_each(|site| gathered.add_site(search::site_documents(catalog, site)));
    gathered.add_all(search::entity_documents(
        catalog,
        &outcome.portal.scorecards,
    ));
    let mut finished = gathered.finish();
    let blocks = std::mem::take(&mut finished.blocks);
    let documents = search::gather::Gathered::documents_file(&finished.listed, blocks);
    let mut files = vec![output::OutputFile {
        path: crate::address::SEARCH_DOCUMENTS_FILE.to_string(),
        bytes: std::sync::Arc::from(documents),
    }];
    let keep = |made: &mut Vec<output::OutputFile>| {
        files.append(made);
        Ok(())
    };
    search::web::export_counted_into(finished.listed, &finished.counted, None, keep)
        .map_err(|e| Fatal(e.to_string()))?;
    Ok(files)
}

/// Everything `build` does short of writing: the catalog, then every docs
/// page rendered and every link checked.
pub fn check(config: &Config) -> Result<Outcome, Fatal> {
    check_scoped(config, &Scope::default()).map(|(outcome, _)| outcome)
}

/// [`check`], with the changes since a commit worked out and a built
/// site's entities known (see [`Scope`]). Every problem is still returned:
/// the command chooses which to report.
pub fn check_scoped(config: &Config, scope: &Scope<'_>) -> Result<(Outcome, ScopeFacts), Fatal> {
    let mut timer = Timer::new();
    let (outcome, facts) = load_scoped(config, None, None, scope)?;
    timer.lap("discover + changes + read + catalog");
    let mut outcome = outcome;
    let other_sites = |folder: &str| {
        scope
            .site
            .and_then(|site| crate::built_site::docs_site(site, folder))
    };
    let listings = crate::read::Listings::default();
    let run = DocsRun {
        other_sites: scope
            .site
            .map(|_| &other_sites as docs::build::OtherSites<'_>),
        skip_page_dates: !scope.gate,
        listings: Some(&listings),
        // `check` makes no search documents.
        drop_sections: true,
        ..DocsRun::default()
    };
    let built = render_docs(config, &outcome.portal, &render::Look::default(), run)?;
    add_docs(&mut outcome, built);
    timer.lap("docs (render + link check)");
    add_scorecards(config, &mut outcome, None, Some(&listings));
    timer.lap("scorecards");
    Ok((outcome, facts))
}

/// How one run renders the docs sites.
#[derive(Default)]
struct DocsRun<'a> {
    /// Where pages and assets are written (`None`: `check`).
    sink: Option<docs::build::Sink<'a>>,
    /// Given each site as soon as it is built (the search index).
    on_site: Option<&'a (dyn Fn(&DocSiteSummary) + Sync)>,
    /// Work kept by this process (`portico serve`).
    memo: Option<(&'a docs::DocsMemo, &'a crate::memo::Versions)>,
    /// The build cache on disk (`portico build`).
    disk: Option<&'a crate::cache::DiskCache>,
    /// Takes unchanged repositories' files over from the last site
    /// (`portico build` with the cache).
    carry: Option<docs::build::Carry<'a>>,
    /// Docs sites built before (`check --site`), for links into them.
    other_sites: Option<docs::build::OtherSites<'a>>,
    /// Pages' git dates left unread where nothing shows them (`check`
    /// without a scorecard gate; see [`DocsOptions::page_dates`]).
    skip_page_dates: bool,
    /// Where each repository's listing is recorded for the scorecards.
    listings: Option<&'a crate::read::Listings>,
    /// Each repository's files as the inputs' key stamped them (see
    /// [`DocsOptions::repo_files`]).
    repo_files: Option<&'a std::collections::HashMap<String, crate::memo::Key>>,
    /// Pages' section text dropped once `on_site` saw each site (see
    /// [`DocsOptions::keep_sections`]): nothing after the docs reads it.
    drop_sections: bool,
    /// Draft pages built and marked (`portico serve`; see
    /// [`DocsOptions::drafts`]).
    drafts: bool,
}

/// Renders the docs sites.
fn render_docs(
    config: &Config,
    portal: &Portal,
    look: &render::Look,
    run: DocsRun<'_>,
) -> Result<docs::DocsOutcome, Fatal> {
    let sink = run.sink;
    let options = docs_options(config, look, run);
    let layout = |view: docs::DocPageView| render::docs_page::page(view, portal, look);
    docs::build(&portal.repos, &portal.catalog, &options, &layout, sink).map_err(Fatal)
}

/// The docs stage's options for one run.
fn docs_options<'a>(config: &'a Config, look: &render::Look, run: DocsRun<'a>) -> DocsOptions<'a> {
    // Pages are laid out with the site's title, search and base URL
    // (configuration) in the theme's shell.
    let mut layout_key = crate::memo::hasher();
    crate::memo::part(
        &mut layout_key,
        shard::part::config_fingerprint(config).as_bytes(),
    );
    layout_key.update(&look.key().to_le_bytes());
    DocsOptions {
        git_ref: config.git_ref.as_deref(),
        sanitize: docs::markdown::SanitizeOptions {
            allowed_iframe_hosts: config.allowed_iframe_hosts.clone(),
            plantuml_server: config.plantuml_server.clone(),
        },
        on_site: run.on_site,
        memo: run.memo,
        disk: run.disk,
        carry: run.carry,
        layout_key: layout_key.digest128(),
        other_sites: run.other_sites,
        versions: config.docs_versions.as_deref(),
        search_versions: config.search_versions,
        page_dates: !run.skip_page_dates,
        listings: run.listings,
        repo_files: run.repo_files,
        keep_sections: !run.drop_sections,
        drafts: run.drafts,
    }
}

/// Adds the docs sites and their problems to the outcome.
fn add_docs(outcome: &mut Outcome, built: docs::DocsOutcome) {
    outcome.portal.docs = built.sites;
    outcome.diagnostics.extend(built.diagnostics);
    diagnostics::sort(&mut outcome.diagnostics);
}

/// The timing line of the scorecards stage, with what history reused.
fn scorecards_lap(outcome: &Outcome) -> String {
    match outcome.portal.scorecards.history {
        Some(h) => format!(
            "scorecards (history: {} points, {} catalog loads parsed, {} reused, {} rule verdicts reused, docs found {} times, {} reused)",
            h.points,
            h.loads_parsed,
            h.loads_reused,
            h.verdicts_reused,
            h.docs_found,
            h.docs_reused
        ),
        None => "scorecards".to_string(),
    }
}

/// Evaluates every scorecard over what was read and built; definition and
/// facts problems join the diagnostics.
fn add_scorecards(
    config: &Config,
    outcome: &mut Outcome,
    memo: Option<&Memo>,
    listings: Option<&crate::read::Listings>,
) {
    let portal = &outcome.portal;
    let org = crate::scorecards::Org {
        catalog: &portal.catalog,
        repos: &portal.repos,
        git_ref: config.git_ref.as_deref(),
        catalog_paths: &config.catalog_paths,
        docs: &portal.docs,
        diagnostics: &outcome.diagnostics,
        files_memo: memo.map(|m| (&m.scorecard_files, &m.versions)),
        listings,
        activity_memo: memo.map(|m| (&m.scorecard_activity, &m.versions)),
        results_memo: memo.map(|m| &m.scorecard_results),
    };
    let (results, problems) = crate::scorecards::run(&config.scorecards, &org);
    // Work trees' git handles were kept for history only.
    crate::read::release_work_tree_handles(&mut outcome.portal.repos);
    outcome.portal.scorecards = results;
    outcome.diagnostics.extend(problems);
    diagnostics::sort(&mut outcome.diagnostics);
}
