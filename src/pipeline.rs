//! The stage order, in one place.
//!
//! ```text
//! Config ─► discover::repositories ─► [RepoSource]
//!        ─► read::Snapshot + catalog::load (per repository, in parallel) ─► [RepoLoad]
//!        ─► remote Location targets mapped onto local repositories (repeat)
//!        ─► catalog::assemble ─► Catalog
//!        ─► render::site ─► [OutputFile] ─► output::write_site
//! ```
//!
//! Problems in repository content travel as diagnostics beside the data;
//! only usage and I/O failures stop the run ([`Fatal`]).

use crate::catalog;
use crate::catalog::load::{self, Entry, RemoteTarget, RepoLoad};
use crate::catalog::location::RepoLocation;
use crate::config::Config;
use crate::diagnostics::{self, Diagnostic};
use crate::discover;
use crate::docs::{self, DocSiteSummary, DocsOptions};
use crate::portal::Portal;
use crate::read::{RepoSource, Snapshot};
use crate::{output, render, search};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The result of a run: the portal and every problem found on the way.
#[derive(Debug, Default)]
pub struct Outcome {
    pub portal: Portal,
    pub diagnostics: Vec<Diagnostic>,
}

/// A failure that stops the run: bad usage or an I/O error (exit code 2).
#[derive(Debug)]
pub struct Fatal(pub String);

/// Rounds of mapping web-URL Location targets onto local repositories.
use crate::limits::MAX_REMOTE_LOCATION_ROUNDS as MAX_REMOTE_ROUNDS;

/// Reads and checks the organisation: every stage up to the catalog.
pub fn load(config: &Config) -> Result<Outcome, Fatal> {
    let found = discover::repositories(&config.roots, config.max_depth).map_err(|e| Fatal(e.0))?;
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
    let explicit = locate_location_files(&config.locations, &mut repos)?;
    let mut diagnostics = found.notes;

    let loads: Vec<(Option<RepoLocation>, RepoLoad)> = repos
        .par_iter()
        .enumerate()
        .map(|(i, repo)| {
            load_repo(
                repo,
                config,
                explicit.get(&i).map(Vec::as_slice).unwrap_or_default(),
            )
        })
        .collect();
    let links: Vec<Option<RepoLocation>> = loads.iter().map(|(l, _)| l.clone()).collect();
    let mut visited: Vec<HashSet<String>> = Vec::with_capacity(repos.len());
    let mut entities = Vec::new();
    let mut remote = Vec::new();
    for (_, load) in loads {
        visited.push(load.visited);
        entities.extend(load.entities);
        diagnostics.extend(load.diagnostics);
        remote.extend(load.remote_targets);
    }

    for _ in 0..MAX_REMOTE_ROUNDS {
        if remote.is_empty() {
            break;
        }
        let pending = map_remote_targets(
            std::mem::take(&mut remote),
            &links,
            &visited,
            &mut diagnostics,
        );
        let rounds: Vec<(usize, RepoLoad)> = pending
            .into_par_iter()
            .filter_map(|(i, entries)| {
                let snapshot = Snapshot::open(&repos[i], config.git_ref.as_deref()).ok()?;
                Some((i, load_targets(&snapshot, entries, &visited[i])))
            })
            .collect();
        for (i, load) in rounds {
            visited[i].extend(load.visited);
            entities.extend(load.entities);
            diagnostics.extend(load.diagnostics);
            remote.extend(load.remote_targets);
        }
    }

    for target in remote {
        diagnostics.push(
            Diagnostic::warning(
                "location-too-deep",
                format!("Location target {} was not read: Locations across repositories nest more than {MAX_REMOTE_ROUNDS} levels", target.url),
            )
            .with_hint("point the central Location at the repositories' files directly")
            .at_place_of(&target.place),
        );
    }
    let catalog = catalog::assemble(entities, &mut diagnostics);
    diagnostics::sort(&mut diagnostics);
    Ok(Outcome {
        portal: Portal {
            title: config.site_title.clone(),
            repos,
            catalog,
            docs: Vec::new(),
            search: config.search,
            base_url: config.base_url.clone(),
            annotation_links: config.annotation_links.clone(),
        },
        diagnostics,
    })
}

/// Reads, renders and writes the site into `out_dir` (swapped in at the end).
pub fn build(config: &Config, out_dir: &Path) -> Result<Outcome, Fatal> {
    let fatal = |e: output::OutputError| Fatal(e.to_string());
    let mut timer = Timer::new();
    // The theme first: a bad one is a usage error, before any work.
    let look =
        render::Look::load(config.theme.as_deref(), config.logo.as_deref()).map_err(Fatal)?;
    let staging = output::Staging::create(out_dir).map_err(fatal)?;
    let mut outcome = load(config)?;
    timer.lap("discover + read + catalog");
    let sink = |path: &str, bytes: &[u8]| staging.write(path, bytes).map_err(|e| e.to_string());
    // The search index takes each docs site as soon as it is rendered.
    let index_dir = config
        .search
        .then(|| staging.folder(search::INDEX_DIR))
        .transpose()
        .map_err(fatal)?;
    // Tantivy's errors (a full disk among them) do not name a file: the folder is named.
    let index_failure = |what: &str, e: &dyn std::fmt::Display| {
        let dir = index_dir.as_deref().unwrap_or(out_dir);
        Fatal(format!(
            "cannot {what} the search index in `{}`: {e}; the site in `{}` was left as it was",
            dir.display(),
            out_dir.display()
        ))
    };
    let index = match &index_dir {
        Some(dir) => Some(
            search::index::IndexBuilder::create(dir).map_err(|e| index_failure("create", &e))?,
        ),
        None => None,
    };
    let catalog = &outcome.portal.catalog;
    let on_site = |site: &DocSiteSummary| {
        if let Some(index) = &index {
            search::site_documents(catalog, site)
                .into_iter()
                .for_each(|d| index.add(d));
        }
    };
    let built = render_docs(config, &outcome.portal, &look, Some(&sink), Some(&on_site))?;
    add_docs(&mut outcome, built);
    timer.lap("docs (render + write + link check)");
    if let (Some(index), Some(index_dir)) = (index, &index_dir) {
        search::entity_documents(&outcome.portal.catalog)
            .into_iter()
            .for_each(|d| index.add(d));
        let documents = index.finish().map_err(|e| index_failure("write", &e))?;
        timer.lap("search index");
        let web_index = search::web::export(index_dir, documents)
            .map_err(|e| index_failure("export the browser's copy of", &e))?;
        staging.write_all(&web_index).map_err(fatal)?;
        timer.lap("browser search index");
    }
    let files = render::site(&outcome.portal, &look, &outcome.diagnostics);
    staging.write_all(&files).map_err(fatal)?;
    timer.lap("catalog pages");
    staging.commit().map_err(fatal)?;
    timer.lap("swap in");
    Ok(outcome)
}

/// Stage timings on stderr when `PORTICO_TIMINGS` is set (for `bench/`).
struct Timer {
    enabled: bool,
    last: std::time::Instant,
}

impl Timer {
    fn new() -> Timer {
        Timer {
            enabled: std::env::var_os("PORTICO_TIMINGS").is_some(),
            last: std::time::Instant::now(),
        }
    }

    fn lap(&mut self, stage: &str) {
        if self.enabled {
            eprintln!(
                "timing: {stage}: {:.1} ms",
                self.last.elapsed().as_secs_f64() * 1000.0
            );
        }
        self.last = std::time::Instant::now();
    }
}

/// Everything `build` does short of writing: the catalog, then every docs
/// page rendered and every link checked.
pub fn check(config: &Config) -> Result<Outcome, Fatal> {
    let mut timer = Timer::new();
    let outcome = load(config)?;
    timer.lap("discover + read + catalog");
    let mut outcome = outcome;
    let built = render_docs(
        config,
        &outcome.portal,
        &render::Look::default(),
        None,
        None,
    )?;
    add_docs(&mut outcome, built);
    timer.lap("docs (render + link check)");
    Ok(outcome)
}

/// Renders the docs sites (streaming them to `sink` when given).
fn render_docs(
    config: &Config,
    portal: &Portal,
    look: &render::Look,
    sink: Option<docs::build::Sink<'_>>,
    on_site: Option<&(dyn Fn(&DocSiteSummary) + Sync)>,
) -> Result<docs::DocsOutcome, Fatal> {
    let options = DocsOptions {
        git_ref: config.git_ref.as_deref(),
        sanitize: docs::markdown::SanitizeOptions {
            allowed_iframe_hosts: config.allowed_iframe_hosts.clone(),
            plantuml_server: config.plantuml_server.clone(),
        },
        on_site,
    };
    let layout = |view: docs::DocPageView| render::docs_page::page(view, portal, look);
    docs::build(&portal.repos, &portal.catalog, &options, &layout, sink).map_err(Fatal)
}

/// Adds the docs sites and their problems to the outcome.
fn add_docs(outcome: &mut Outcome, built: docs::DocsOutcome) {
    outcome.portal.docs = built.sites;
    outcome.diagnostics.extend(built.diagnostics);
    diagnostics::sort(&mut outcome.diagnostics);
}

/// Loads one repository. A bug that panics while reading it becomes an
/// error about that repository instead of sinking the whole build.
fn load_repo(
    repo: &RepoSource,
    config: &Config,
    explicit: &[String],
) -> (Option<RepoLocation>, RepoLoad) {
    let guarded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        load_repo_unguarded(repo, config, explicit)
    }));
    guarded.unwrap_or_else(|_| {
        let d = Diagnostic::error(
            "internal-error",
            format!(
                "Portico failed while reading `{}`; the rest of the organisation was built",
                repo.name
            ),
        )
        .with_hint("this is a bug in Portico: please report it with the repository's catalog files")
        .in_repo(&repo.name, &repo.display, "");
        (
            None,
            RepoLoad {
                diagnostics: vec![d],
                ..Default::default()
            },
        )
    })
}

fn load_repo_unguarded(
    repo: &RepoSource,
    config: &Config,
    explicit: &[String],
) -> (Option<RepoLocation>, RepoLoad) {
    let snapshot = match Snapshot::open(repo, config.git_ref.as_deref()) {
        Ok(snapshot) => snapshot,
        Err(e) => {
            let mut d = Diagnostic::error(
                "repo-unreadable",
                format!(
                    "{} repository `{}` could not be read: {}",
                    repo.kind.label(),
                    repo.name,
                    e.message
                ),
            )
            .in_repo(&repo.name, &repo.display, "");
            if let Some(hint) = e.hint {
                d = d.with_hint(hint);
            }
            return (
                None,
                RepoLoad {
                    diagnostics: vec![d],
                    ..Default::default()
                },
            );
        }
    };
    let entries = load::entry_points(&snapshot, &config.catalog_paths, explicit);
    if entries.is_empty() {
        let d = Diagnostic::info(
            "no-catalog-file",
            format!(
                "no catalog file found (looked for {})",
                config.catalog_paths.join(", ")
            ),
        )
        .in_repo(&repo.name, &repo.display, "");
        return (
            Some(RepoLocation::of(&snapshot)),
            RepoLoad {
                diagnostics: vec![d],
                ..Default::default()
            },
        );
    }
    (
        Some(RepoLocation::of(&snapshot)),
        load::load(&snapshot, entries, &HashSet::new()),
    )
}

/// Loads remote-target files after checking they exist, reporting at the
/// Location that named them when they do not.
fn load_targets(
    snapshot: &Snapshot,
    targets: Vec<(Entry, RemoteTarget)>,
    visited: &HashSet<String>,
) -> RepoLoad {
    let mut missing = Vec::new();
    let mut entries = Vec::new();
    for (entry, target) in targets {
        if snapshot.exists(&entry.path) {
            entries.push(entry);
        } else if !target.optional {
            missing.push(
                Diagnostic::error(
                    "location-target-missing",
                    format!(
                        "Location target {} points into `{}`, which has no file `{}`",
                        target.url, snapshot.source.name, entry.path
                    ),
                )
                .with_hint("fix the URL, or add `presence: optional` to the Location's spec")
                .at_place_of(&target.place),
            );
        }
    }
    let mut load = load::load(snapshot, entries, visited);
    load.diagnostics.extend(missing);
    load
}

/// Groups web-URL targets by the local repository they point into.
fn map_remote_targets(
    targets: Vec<RemoteTarget>,
    links: &[Option<RepoLocation>],
    visited: &[HashSet<String>],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(usize, Vec<(Entry, RemoteTarget)>)> {
    let mut pending: HashMap<usize, Vec<(Entry, RemoteTarget)>> = HashMap::new();
    for target in targets {
        let hit = links.iter().enumerate().find_map(|(i, l)| {
            l.as_ref()
                .and_then(|l| l.path_of_url(&target.url))
                .map(|p| (i, p))
        });
        match hit {
            Some((i, path)) if visited[i].contains(&path) => {}
            Some((i, path)) => {
                let entry = Entry { path, by_glob: false, origin: Some(target.origin.clone()) };
                pending.entry(i).or_default().push((entry, target));
            }
            None if target.optional => {}
            None => diagnostics.push(
                Diagnostic::warning(
                    "remote-target-not-local",
                    format!("Location target {} is not in any repository Portico was given; it was not read", target.url),
                )
                .with_hint("clone that repository next to the others (Portico builds offline), or remove the target")
                .at_place_of(&target.place),
            ),
        }
    }
    let mut pending: Vec<_> = pending.into_iter().collect();
    pending.sort_by_key(|(i, _)| *i);
    pending
}

/// Places each `--location` file in the repository that holds it (adding
/// that repository if discovery did not find it). Returns repository index →
/// repository-relative paths.
fn locate_location_files(
    files: &[PathBuf],
    repos: &mut Vec<RepoSource>,
) -> Result<HashMap<usize, Vec<String>>, Fatal> {
    let mut explicit: HashMap<usize, Vec<String>> = HashMap::new();
    for file in files {
        let canonical = file
            .canonicalize()
            .map_err(|e| Fatal(format!("location file `{}`: {e}", file.display())))?;
        if !canonical.is_file() {
            return Err(Fatal(format!(
                "location `{}` is not a file",
                file.display()
            )));
        }
        let inside = |repo: &RepoSource| {
            repo.root
                .canonicalize()
                .ok()
                .filter(|root| canonical.starts_with(root))
        };
        let (index, root) = match repos
            .iter()
            .enumerate()
            .find_map(|(i, r)| inside(r).map(|root| (i, root)))
        {
            Some(hit) => hit,
            None => {
                let repo = discover::enclosing(&canonical);
                let root = repo
                    .root
                    .canonicalize()
                    .map_err(|e| Fatal(format!("`{}`: {e}", repo.root.display())))?;
                repos.push(repo);
                (repos.len() - 1, root)
            }
        };
        let relative = canonical.strip_prefix(&root).map_err(|_| {
            Fatal(format!(
                "location `{}` is outside its repository",
                file.display()
            ))
        })?;
        let relative = relative.to_string_lossy().replace('\\', "/");
        explicit.entry(index).or_default().push(relative);
    }
    Ok(explicit)
}
