//! Reading the catalog of a whole organisation: every repository's entry
//! points, in parallel, then the web-URL targets of Locations followed into
//! the other local repositories, round by round, as Backstage follows them
//! across hosts. Provenance (which Location led to each file) is recorded
//! on the way, at load time.

use super::failed_reads::{self, AlsoRead, FailedRead, ReaderId};
use super::kept;
use super::load::{self, Entry, LoadedEntity, RemoteTarget, RepoLoad};
use super::location::RepoLocation;
use crate::diagnostics::Diagnostic;
use crate::limits::MAX_REMOTE_LOCATION_ROUNDS as MAX_REMOTE_ROUNDS;
use crate::memo::Versions;
use crate::read::{RepoSource, Snapshot};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

/// What reading needs from the configuration.
pub struct ReadOptions<'a> {
    /// Catalog files to read in each repository; globs allowed.
    pub catalog_paths: &'a [String],
    /// The commit to read from bare repositories.
    pub git_ref: Option<&'a str>,
    /// Loads of earlier reads of this process (`portico serve`), reused
    /// while their repository's version holds.
    pub memo: Option<(&'a LoadMemo, &'a Versions)>,
    /// The build cache (`portico build`): each repository's load kept
    /// there while the answers it was given hold (see `catalog::kept`).
    pub disk: Option<&'a crate::cache::DiskCache>,
}

/// One repository read: where its files are on the web, and what they held.
type Loaded = (Option<RepoLocation>, RepoLoad);

/// Each repository's load as last read, by its version.
#[derive(Debug, Default)]
pub struct LoadMemo {
    loads: Mutex<HashMap<String, (u64, Arc<Loaded>)>>,
    /// With [`LoadMemo::keeping_last_good`] (`portico serve`), each
    /// repository's last load without a YAML syntax error, by folder:
    /// while a save leaves a catalog file that does not parse (a half-typed
    /// edit), the preview keeps what it held, as Backstage keeps an entity
    /// whose file stops processing, and shows the error. Without it (the
    /// default) kept work is invisible: every build is a clean build's.
    good: Option<Mutex<HashMap<String, Arc<Loaded>>>>,
}

impl LoadMemo {
    /// A memo that keeps each repository's last load that parsed, for a
    /// preview (see `good`).
    pub fn keeping_last_good() -> LoadMemo {
        LoadMemo {
            loads: Mutex::default(),
            good: Some(Mutex::default()),
        }
    }
}

/// Every entity document of the organisation, and the problems found
/// reading them. `explicit`: repository index → extra Location files
/// (`--location`) to read in it.
pub fn read(
    repos: &[RepoSource],
    explicit: &HashMap<usize, Vec<String>>,
    options: &ReadOptions<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<LoadedEntity> {
    let loads: Vec<(Option<RepoLocation>, RepoLoad)> = crate::threads::one_job_each(repos)
        .enumerate()
        .map(|(i, repo)| {
            let explicit = explicit.get(&i).map(Vec::as_slice).unwrap_or_default();
            load_repo_kept(repo, options, explicit)
        })
        .collect();
    let links: Vec<Option<RepoLocation>> = loads.iter().map(|(l, _)| l.clone()).collect();
    let mut visited: Vec<HashSet<String>> = Vec::with_capacity(repos.len());
    let mut entities = Vec::new();
    let mut remote = Vec::new();
    let mut failed = Vec::new();
    let mut also_read = Vec::new();
    for (_, load) in loads {
        visited.push(load.visited);
        entities.extend(load.entities);
        diagnostics.extend(load.diagnostics);
        remote.extend(load.remote_targets);
        failed.extend(load.failed_reads);
        also_read.extend(load.also_read);
    }

    for _ in 0..MAX_REMOTE_ROUNDS {
        if remote.is_empty() {
            break;
        }
        let pending = map_remote_targets(
            std::mem::take(&mut remote),
            (&links, repos),
            &visited,
            (diagnostics, &mut failed, &mut also_read),
        );
        let rounds: Vec<(usize, RepoLoad)> = pending
            .into_par_iter()
            .filter_map(|(i, entries)| {
                let snapshot = Snapshot::open(&repos[i], options.git_ref).ok()?;
                Some((i, load_targets(&snapshot, entries, &visited[i])))
            })
            .collect();
        for (i, load) in rounds {
            visited[i].extend(load.visited);
            entities.extend(load.entities);
            diagnostics.extend(load.diagnostics);
            remote.extend(load.remote_targets);
            failed.extend(load.failed_reads);
            also_read.extend(load.also_read);
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
    diagnostics.extend(failed_reads::mark_self_named(&mut entities));
    failed_reads::mark_duplicate_locations(&mut entities);
    diagnostics.extend(failed_reads::reject_under_failed(
        &mut entities,
        &failed,
        &also_read,
    ));
    // Never stored by Backstage, and no duplicate of the Location that read it.
    entities.retain(|e| {
        e.rejected
            .as_ref()
            .is_none_or(|r| r.code != failed_reads::SELF_NAMED)
    });
    entities
}

/// [`load_repo`], or its last result while the repository's version holds
/// (and no `--location` file of it is read).
fn load_repo_kept(repo: &RepoSource, options: &ReadOptions<'_>, explicit: &[String]) -> Loaded {
    let Some((memo, versions)) = options.memo.filter(|_| explicit.is_empty()) else {
        return load_repo(repo, options, explicit);
    };
    let Some(version) = versions.of(&repo.root) else {
        return load_repo(repo, options, explicit);
    };
    let mut loads = memo.loads.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((kept, load)) = loads.get(&repo.display)
        && *kept == version
    {
        return load.as_ref().clone();
    }
    drop(loads);
    let load = Arc::new(load_repo(repo, options, explicit));
    // One copy kept, shared by both memos.
    let load = match &memo.good {
        Some(good) => last_good_while_broken(good, &repo.display, load),
        None => load,
    };
    loads = memo.loads.lock().unwrap_or_else(PoisonError::into_inner);
    loads.insert(repo.display.clone(), (version, load.clone()));
    load.as_ref().clone()
}

/// `load`, or, when a catalog file of it no longer parses, the last load
/// of the repository that did with `load`'s problems (the YAML error
/// among them): its entities, relations and pages stay in the preview
/// until the fix, instead of only the pages kept from before.
fn last_good_while_broken(
    good: &Mutex<HashMap<String, Arc<Loaded>>>,
    repo: &str,
    load: Arc<Loaded>,
) -> Arc<Loaded> {
    let broken = load.1.diagnostics.iter().any(|d| d.code == "yaml-syntax");
    let mut good = good.lock().unwrap_or_else(PoisonError::into_inner);
    if !broken {
        good.insert(repo.to_string(), load.clone());
        return load;
    }
    match good.get(repo) {
        Some(last) => Arc::new((
            last.0.clone(),
            RepoLoad {
                diagnostics: load.1.diagnostics.clone(),
                ..last.1.clone()
            },
        )),
        None => load,
    }
}

/// Loads one repository. A bug that panics while reading it becomes an
/// error about that repository instead of sinking the whole build.
fn load_repo(
    repo: &RepoSource,
    options: &ReadOptions<'_>,
    explicit: &[String],
) -> (Option<RepoLocation>, RepoLoad) {
    let guarded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        load_repo_unguarded(repo, options, explicit)
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
    options: &ReadOptions<'_>,
    explicit: &[String],
) -> (Option<RepoLocation>, RepoLoad) {
    let mut snapshot = match Snapshot::open(repo, options.git_ref) {
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
    // Kept in the build cache while its answers hold (not with
    // `--location` files: their list is not in the key).
    let cache = options.disk.filter(|_| explicit.is_empty()).map(|disk| {
        (
            disk,
            kept::key(&snapshot, options.catalog_paths, options.git_ref),
        )
    });
    if let Some((disk, key)) = cache {
        if let Some(load) = kept::reuse(disk, key, &snapshot) {
            return (Some(RepoLocation::of(&snapshot)), load);
        }
        snapshot.record_probes();
    }
    let (location, load) = load_snapshot(&snapshot, options, explicit);
    if let Some((disk, key)) = cache {
        kept::store(disk, key, snapshot.take_probes(), &load);
    }
    (location, load)
}

/// Loads an opened repository: its entry points and what they lead to.
fn load_snapshot(
    snapshot: &Snapshot,
    options: &ReadOptions<'_>,
    explicit: &[String],
) -> (Option<RepoLocation>, RepoLoad) {
    let repo = &snapshot.source;
    let (entries, cut) = load::entry_points(snapshot, options.catalog_paths, explicit);
    let cut = cut.map(|d| d.in_repo(&repo.name, &repo.display, ""));
    if entries.is_empty() {
        let d = Diagnostic::info(
            "no-catalog-file",
            format!(
                "no catalog file found (looked for {})",
                options.catalog_paths.join(", ")
            ),
        )
        .in_repo(&repo.name, &repo.display, "");
        return (
            Some(RepoLocation::of(snapshot)),
            RepoLoad {
                diagnostics: cut.into_iter().chain([d]).collect(),
                ..Default::default()
            },
        );
    }
    let mut load = load::load(snapshot, entries, &HashSet::new());
    load.diagnostics.extend(cut);
    (Some(RepoLocation::of(snapshot)), load)
}

/// Loads remote-target files after checking they exist, reporting at the
/// Location that named them when they do not.
fn load_targets(
    snapshot: &Snapshot,
    targets: Vec<(Entry, RemoteTarget)>,
    visited: &HashSet<String>,
) -> RepoLoad {
    let mut missing = Vec::new();
    let mut failing = Vec::new();
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
            // A glob in a URL is not expanded (a known limitation): not
            // a failure of the Location to predict.
            let glob = entry.path.contains(['*', '?', '[', '{']);
            failing.push((!glob).then_some(target.reader));
        }
    }
    let mut load = load::load(snapshot, entries, visited);
    for (d, reader) in missing.iter().zip(failing) {
        if let Some(reader) = reader {
            load.failed_reads.push(failed_at_place(reader, d));
        }
    }
    load.diagnostics.extend(missing);
    load
}

/// Groups web-URL targets by the local repository they point into.
fn map_remote_targets(
    targets: Vec<RemoteTarget>,
    (links, repos): (&[Option<RepoLocation>], &[RepoSource]),
    visited: &[HashSet<String>],
    (diagnostics, failed, also_read): (
        &mut Vec<Diagnostic>,
        &mut Vec<FailedRead>,
        &mut Vec<AlsoRead>,
    ),
) -> Vec<(usize, Vec<(Entry, RemoteTarget)>)> {
    let mut pending: HashMap<usize, Vec<(Entry, RemoteTarget)>> = HashMap::new();
    for target in targets {
        let hit = links.iter().enumerate().find_map(|(i, l)| {
            l.as_ref()
                .and_then(|l| l.path_of_url(&target.url))
                .map(|p| (i, p))
        });
        // As the repository's own targets are: `./a/../b.yaml` is
        // `b.yaml` (each spelling was read again), and a path leaving the
        // repository is a problem at the Location that named it.
        let hit = match hit.map(|(i, path)| (i, crate::read::safe_path::normalize(&path))) {
            Some((i, Ok(path))) => Some((i, path)),
            Some((_, Err(e))) => {
                let d = Diagnostic::error(
                    "location-target-outside",
                    format!("Location target {}: {e}", target.url),
                )
                .with_hint("targets must be files inside the repository the URL names")
                .at_place_of(&target.place);
                failed.push(failed_at_place(target.reader, &d));
                diagnostics.push(d);
                continue;
            }
            None => None,
        };
        match hit {
            Some((i, path)) if visited[i].contains(&path) => also_read.push(AlsoRead {
                reader: target.reader,
                repo_dir: repos[i].display.clone(),
                file: path,
            }),
            Some((i, path)) => {
                let entry = Entry {
                    path,
                    by_glob: false,
                    origin: Some(target.origin.clone()),
                    named_at: Some(Box::new(target.place.clone())),
                    reader: Some(target.reader.clone()),
                };
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

/// A Location's failure to read a web-URL target, reported at the target
/// (`place`: in the Location's file).
fn failed_at_place(reader: ReaderId, place: &Diagnostic) -> FailedRead {
    FailedRead {
        reader: Some(reader),
        // Only an entry file's failure is found by its folder.
        repo_dir: String::new(),
        file: place.file.clone(),
        line: place.line,
        code: place.code,
        message: place.message.clone(),
    }
}
