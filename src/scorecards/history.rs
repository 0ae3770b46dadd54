//! History: every scorecard re-evaluated at one commit per week per
//! repository (`build --history 12w`, `[scorecards] history`).
//!
//! For each week's day (the build's day, then 7, 14, ... days before) the
//! repository's first-parent line gives the last commit at or before the
//! end of that day. The catalog files are read again at that commit through
//! a [`Snapshot`] of its tree (the mechanism `--ref` uses for bare clones,
//! for work trees too), and every rule reads the files of that tree, judges
//! dates against that day and git facts against that commit. Entities that
//! did not exist at a point have no point there.
//!
//! Work is reused across points, because most weeks change little:
//! - a catalog load (YAML parse, substitution, validation) is kept by the
//!   blob ids of the files it read: a later point whose entry points are
//!   the same files with the same blobs takes it instead of parsing again;
//! - verdicts of rules that do not depend on the day (fields, relations,
//!   files, docs) are kept by tree id, entity, scorecard and rule.
//!
//! What cannot be known at a past commit is not applicable there, never
//! guessed: docs links and freshness (docs are built for the current commit
//! only) and external facts (a facts file holds the present).

use super::Scorecard;
use super::Status;
use super::check::Check;
use super::dates::Day;
use super::docs::{DocsFacts, PastDocs};
use super::evaluate::{CardResult, Context, Judged, Subject, applies, ladder_of, run_check};
use super::facts::ExternalFacts;
use super::files::{RepoFiles, SnapshotFiles};
use crate::catalog::load as catalog_load;
use crate::catalog::{self, Catalog};
use crate::read::{ReadError, RepoKind, RepoSource, Snapshot};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Weeks of history at most: one point per week, a year.
pub const MAX_WEEKS: u32 = 52;

/// One entity's standing on one scorecard at one week's day.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Point {
    /// `YYYY-MM-DD`: the day dates were judged against.
    pub date: String,
    /// The commit read (full hex id).
    pub commit: String,
    pub level: Option<String>,
    #[serde(skip)]
    pub level_index: Option<usize>,
    pub score: f64,
}

/// A scorecard's standing at one week's day, over the entities that
/// existed then.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CardPoint {
    pub date: String,
    pub entities: usize,
    /// `[below the first level, level 0, level 1, ...]`.
    pub per_level: Vec<usize>,
    /// The mean score, rounded to three places (1.0 with no entity).
    pub score: f64,
}

/// What the history run did, for `PORTICO_TIMINGS` and the tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Repository × week points that had a commit.
    pub points: usize,
    /// Catalog loads parsed, and taken from an earlier point instead.
    pub loads_parsed: usize,
    pub loads_reused: usize,
    /// Rule verdicts taken from an earlier point judged on the same inputs.
    pub verdicts_reused: usize,
    /// Entities' docs looked up again at a commit, and taken from an
    /// earlier commit with the same mkdocs file and docs folder instead.
    pub docs_found: usize,
    pub docs_reused: usize,
}

impl Stats {
    fn add(&mut self, other: Stats) {
        self.points += other.points;
        self.loads_parsed += other.loads_parsed;
        self.loads_reused += other.loads_reused;
        self.verdicts_reused += other.verdicts_reused;
        self.docs_found += other.docs_found;
        self.docs_reused += other.docs_reused;
    }
}

/// `12w` (or `12`) → 12; between 1 and [`MAX_WEEKS`].
pub fn parse_weeks(text: &str) -> Result<u32, String> {
    let digits = text.trim().strip_suffix('w').unwrap_or(text.trim());
    match digits.parse::<u32>() {
        Ok(n) if (1..=MAX_WEEKS).contains(&n) => Ok(n),
        _ => Err(format!(
            "history `{text}`: expected a number of weeks from 1 to {MAX_WEEKS}, e.g. `12w`"
        )),
    }
}

/// The week days, oldest first: `today` and `weeks - 1` weeks before it.
pub fn week_days(today: Day, weeks: u32) -> Vec<Day> {
    (0..i64::from(weeks))
        .rev()
        .map(|k| Day(today.0 - 7 * k))
        .collect()
}

/// What history reads.
pub struct Inputs<'a> {
    /// The catalog as built now: other repositories' entities, which
    /// relation rules look up (see the book: relations at past points).
    pub catalog: &'a Catalog,
    pub repos: &'a [RepoSource],
    pub git_ref: Option<&'a str>,
    pub catalog_paths: &'a [String],
    pub today: Day,
    pub weeks: u32,
    /// Release tags and authors, by repository: git rules at a past point
    /// see only what was dated by that week's day.
    pub activity: &'a super::delivery::ActivityByRepo,
    pub release_tags: &'a str,
}

/// Adds `history` to every entity result of `results` (and to each
/// scorecard), evaluating each repository at each week's commit.
pub fn add(cards: &[Scorecard], inputs: &Inputs<'_>, results: &mut [CardResult]) -> Stats {
    let days = week_days(inputs.today, inputs.weeks.min(MAX_WEEKS));
    // The entities with a result now, by repository: only they get history.
    let evaluated: Vec<HashSet<&str>> = results
        .iter()
        .map(|card| card.entities.iter().map(|e| e.entity.as_str()).collect())
        .collect();
    let mut wanted: HashMap<&str, HashSet<(usize, String)>> = HashMap::new();
    // The commit each repository's catalog was read at (HEAD, or `--ref`):
    // its history starts there, without reading the ref again.
    let mut read_at: HashMap<&str, gix::ObjectId> = HashMap::new();
    for entity in &inputs.catalog.entities {
        if let Some(id) = entity
            .source
            .commit
            .as_ref()
            .and_then(|c| gix::ObjectId::from_hex(c.id.as_bytes()).ok())
        {
            read_at.entry(entity.source.repo_dir.as_str()).or_insert(id);
        }
        let key = entity.entity_ref.to_string();
        for (c, refs) in evaluated.iter().enumerate() {
            if refs.contains(key.as_str()) {
                wanted
                    .entry(entity.source.repo_dir.as_str())
                    .or_default()
                    .insert((c, key.clone()));
            }
        }
    }
    let jobs: Vec<(&RepoSource, &HashSet<(usize, String)>)> = inputs
        .repos
        .iter()
        .filter_map(|r| wanted.get(r.display.as_str()).map(|w| (r, w)))
        .collect();
    let found: Vec<(Vec<Found>, Stats)> = crate::threads::one_job_each(&jobs)
        .map(|(source, wanted)| {
            // A bug on one repository's history costs that history only.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let start = read_at.get(source.display.as_str()).copied();
                repo_history(source, start, cards, wanted, inputs, &days)
            }))
            .unwrap_or_default()
        })
        .collect();
    let mut stats = Stats::default();
    let mut points: HashMap<(usize, String), Vec<Point>> = HashMap::new();
    for (found, s) in found {
        stats.add(s);
        for (c, entity, point) in found {
            points.entry((c, entity)).or_default().push(point);
        }
    }
    for (c, card) in results.iter_mut().enumerate() {
        for entity in &mut card.entities {
            if let Some(mut history) = points.remove(&(c, entity.entity.clone())) {
                history.sort_by(|a, b| a.date.cmp(&b.date));
                entity.history = history;
            }
        }
        card.history = days
            .iter()
            .map(|day| card_point(card, &day.label()))
            .collect();
    }
    stats
}

/// The scorecard at one day: the entities with a point then.
fn card_point(card: &CardResult, date: &str) -> CardPoint {
    let levels = card.levels.len();
    let mut per_level = vec![0; levels + 1];
    let mut total = 0.0;
    let mut entities = 0;
    for point in card
        .entities
        .iter()
        .filter_map(|e| e.history.iter().find(|p| p.date == date))
    {
        per_level[point.level_index.map_or(0, |i| (i + 1).min(levels))] += 1;
        total += point.score;
        entities += 1;
    }
    let score = if entities == 0 {
        1.0
    } else {
        (total / entities as f64 * 1000.0).round() / 1000.0
    };
    CardPoint {
        date: date.to_string(),
        entities,
        per_level,
        score,
    }
}

/// One entity's point on one scorecard: (scorecard index, entity ref, point).
type Found = (usize, String, Point);

/// A catalog load kept for reuse: the entry points it started from and
/// the blob id of every file it read.
struct KeptLoad {
    entries: Vec<String>,
    blobs: Vec<(String, Option<gix::ObjectId>)>,
    /// `$text`/`$json`/`$yaml` read files the blob list does not name: such
    /// a load is reused only at the same tree.
    substitutes: bool,
    tree: Option<gix::ObjectId>,
    /// The load assembled once (its diagnostics dropped: past problems are
    /// not today's); its entities' commit is set to each commit reusing it.
    catalog: Catalog,
}

/// One repository at one commit, as every week pointing there sees it.
struct AtCommit {
    /// The catalog read there: an index into the kept loads; `None` when
    /// the commit has no catalog file.
    load: Option<usize>,
    files: SnapshotFiles,
    tree: Option<gix::ObjectId>,
}

fn repo_history(
    source: &RepoSource,
    read_at: Option<gix::ObjectId>,
    cards: &[Scorecard],
    wanted: &HashSet<(usize, String)>,
    inputs: &Inputs<'_>,
    days: &[Day],
) -> (Vec<Found>, Stats) {
    let mut stats = Stats::default();
    let mut out = Vec::new();
    // Opened once: every week's commit is read through this handle.
    let Ok(repo) = Snapshot::open_repository(source) else {
        return (out, stats);
    };
    // Work trees are read at HEAD; `--ref` selects bare clones' commit.
    // Where the catalog was read, that commit is known already.
    let start =
        read_at.or_else(
            || match inputs.git_ref.filter(|_| source.kind == RepoKind::Bare) {
                Some(rev) => repo.rev_parse_single(rev).ok().map(|id| id.detach()),
                None => repo.head_id().ok().map(|id| id.detach()),
            },
        );
    let Some(start) = start else {
        return (out, stats);
    };
    // The end of each day: a commit made that day counts for it.
    let moments: Vec<i64> = days.iter().map(|d| (d.0 + 1) * 86_400 - 1).collect();
    let mut commits: Vec<Option<(gix::ObjectId, String)>> =
        crate::read::history::commits_at(&repo, start, &moments)
            .into_iter()
            .map(|c| c.map(|id| (id, id.to_string())))
            .collect();
    // The build's day is the commit built, whatever its date: a HEAD dated
    // after that day (a clock ahead, a rebase's dates) gave the newest
    // point an older commit than the results beside it, or none at all.
    if let Some(newest) = commits.last_mut() {
        *newest = Some((start, start.to_string()));
    }
    let mut kept: Vec<KeptLoad> = Vec::new();
    // One commit's state at a time: weeks are in order, so weeks at the
    // same commit come one after another. The handle goes from one commit
    // to the next (not cloned), its object cache with it: trees and blobs
    // that did not change are decoded once for all the weeks.
    let mut spare = Some(repo);
    let mut current: Option<(String, AtCommit)> = None;
    let mut verdicts: HashMap<VerdictKey, Status> = HashMap::new();
    // The scored entities of each kept load (by its index), and one
    // point's judged rules (a buffer reused from point to point).
    let mut targets_of: HashMap<usize, Vec<Target>> = HashMap::new();
    let mut judged: Vec<Judged> = Vec::new();
    let card_docs: Vec<bool> = cards
        .iter()
        .map(|card| card.rules.iter().any(|r| uses_docs(&r.check)))
        .collect();
    // Each entity's docs at the current commit (by its place in the load),
    // and across commits by what they were found from.
    let mut docs_at: HashMap<usize, PastDocs> = HashMap::new();
    let mut kept_docs: Vec<KeptDocs> = Vec::new();
    // History judges the present facts file nowhere: facts are "now".
    let no_facts = ExternalFacts::default();
    for (day, commit) in days.iter().zip(commits) {
        let Some((id, commit)) = commit else { continue };
        if current.as_ref().is_none_or(|(c, _)| *c != commit) {
            if let Some((_, done)) = current.take() {
                spare = done.files.into_snapshot().into_repository();
            }
            docs_at.clear();
            let handle = match spare.take() {
                Some(handle) => handle,
                // Lost with a commit that could not be read: open again.
                None => match Snapshot::open_repository(source) {
                    Ok(handle) => handle,
                    Err(_) => continue,
                },
            };
            let Some(state) = open_at(
                source,
                handle,
                id,
                inputs.catalog_paths,
                &mut kept,
                &mut stats,
            ) else {
                continue;
            };
            current = Some((commit.clone(), state));
        }
        let Some((_, state)) = current.as_ref() else {
            continue;
        };
        stats.points += 1;
        let Some(load) = state.load else { continue };
        let catalog = &kept[load].catalog;
        let context = Context {
            catalog: inputs.catalog,
            facts: &no_facts,
            today: *day,
            activity: inputs.activity,
            release_tags: inputs.release_tags,
        };
        // Which entities of the load are scored on which scorecards: the
        // load's entities and the filters are the same at every commit
        // reusing it, so this is worked out once per load.
        let targets = targets_of
            .entry(load)
            .or_insert_with(|| targets(catalog, cards, wanted));
        let date = day.label();
        for target in targets.iter() {
            let e = target.entity;
            let entity = &catalog.entities[e];
            for &c in &target.cards {
                let card = &cards[c];
                // Found once per commit and entity, and only for scorecards
                // with docs rules (it reads the mkdocs file and lists the tree).
                let past = if card_docs[c] {
                    *docs_at
                        .entry(e)
                        .or_insert_with(|| past_docs(state, entity, &mut kept_docs, &mut stats))
                } else {
                    PastDocs { pages: None }
                };
                let subject = Subject {
                    entity,
                    docs: DocsFacts {
                        past: Some(past),
                        ..DocsFacts::default()
                    },
                    files: Some(&state.files as &dyn RepoFiles),
                    folder: &target.folder,
                };
                judged.clear();
                for (r, rule) in card.rules.iter().enumerate() {
                    let memo_key = verdict_key(&rule.check, state.tree).map(|files| VerdictKey {
                        load,
                        entity: e,
                        card: c,
                        rule: r,
                        past: past.pages,
                        files,
                    });
                    let kept = memo_key.as_ref().and_then(|k| verdicts.get(k)).copied();
                    let status = match kept {
                        Some(status) => {
                            stats.verdicts_reused += 1;
                            status
                        }
                        None => {
                            // Only the status counts at a point: its evidence
                            // is not kept, as no page shows a past verdict.
                            let status = if applies(&rule.when, entity) {
                                run_check(&rule.check, subject, &context).status
                            } else {
                                Status::NotApplicable
                            };
                            if let Some(k) = memo_key {
                                verdicts.insert(k, status);
                            }
                            status
                        }
                    };
                    judged.push(Judged {
                        level: rule.level,
                        weight: rule.weight,
                        status,
                    });
                }
                let (level_index, score) = ladder_of(card.levels.len(), &judged);
                out.push((
                    c,
                    target.key.clone(),
                    Point {
                        date: date.clone(),
                        commit: commit.clone(),
                        level: level_index.map(|i| card.levels[i].clone()),
                        level_index,
                        score,
                    },
                ));
            }
        }
    }
    (out, stats)
}

/// An entity of a kept load that gets points: its place in the load, its
/// ref, its folder and the scorecards (by index) it is scored on.
struct Target {
    entity: usize,
    key: String,
    folder: String,
    cards: Vec<usize>,
}

/// The entities of `catalog` scored now on some scorecard that applies to
/// them as the load has them, in catalog order.
fn targets(
    catalog: &Catalog,
    cards: &[Scorecard],
    wanted: &HashSet<(usize, String)>,
) -> Vec<Target> {
    let mut out = Vec::new();
    for (e, entity) in catalog.entities.iter().enumerate() {
        let key = entity.entity_ref.to_string();
        let on: Vec<usize> = (0..cards.len())
            .filter(|&c| wanted.contains(&(c, key.clone())) && applies(&cards[c].filter, entity))
            .collect();
        if !on.is_empty() {
            out.push(Target {
                entity: e,
                folder: super::folder::of(entity),
                key,
                cards: on,
            });
        }
    }
    out
}

/// Whether a check's verdict may change with the day (so it is not kept).
fn dated(check: &Check) -> bool {
    match check {
        Check::Git(_) | Check::Attestation { .. } | Check::Fact { .. } => true,
        Check::Field { .. }
        | Check::Relation(_)
        | Check::Files(_)
        | Check::Dependency(_)
        | Check::Docs(_) => false,
        Check::All(checks) | Check::Any(checks) => checks.iter().any(dated),
        Check::Not(inner) => dated(inner),
    }
}

/// What a day-independent verdict was judged on, so that a later point
/// with the same inputs takes it: the catalog load (the entity's data and
/// relations; the present catalog is the same at every point), the
/// scorecard and rule, the docs found at that commit and, for rules that
/// read the repository's files, the commit's tree.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct VerdictKey {
    load: usize,
    entity: usize,
    card: usize,
    rule: usize,
    past: Option<usize>,
    files: Option<gix::ObjectId>,
}

/// The files part of a verdict's key: `Some(None)` for a rule that reads
/// no file, `Some(tree)` for one that does, `None` when the verdict may
/// not be kept (it depends on the day, or the files have no tree id).
fn verdict_key(check: &Check, tree: Option<gix::ObjectId>) -> Option<Option<gix::ObjectId>> {
    if dated(check) {
        None
    } else if reads_files(check) {
        tree.map(Some)
    } else {
        Some(None)
    }
}

/// Whether a check reads the repository's files.
fn reads_files(check: &Check) -> bool {
    match check {
        Check::Files(_) | Check::Dependency(_) | Check::Attestation { .. } => true,
        Check::Field { .. }
        | Check::Relation(_)
        | Check::Docs(_)
        | Check::Git(_)
        | Check::Fact { .. } => false,
        Check::All(checks) | Check::Any(checks) => checks.iter().any(reads_files),
        Check::Not(inner) => reads_files(inner),
    }
}

/// Whether a check reads the entity's docs.
fn uses_docs(check: &Check) -> bool {
    match check {
        Check::Docs(_) => true,
        Check::All(checks) | Check::Any(checks) => checks.iter().any(uses_docs),
        Check::Not(inner) => uses_docs(inner),
        _ => false,
    }
}

/// The repository at `commit`: its catalog (a kept load when the same
/// blobs were read before, assembled once) and its files.
fn open_at(
    source: &RepoSource,
    repo: gix::Repository,
    commit: gix::ObjectId,
    catalog_paths: &[String],
    kept: &mut Vec<KeptLoad>,
    stats: &mut Stats,
) -> Option<AtCommit> {
    let snapshot = Snapshot::open_commit(source, repo, commit).ok()?;
    let tree = snapshot.tree_id();
    let (entries, _) = catalog_load::entry_points(&snapshot, catalog_paths, &[]);
    let entry_paths: Vec<String> = entries.iter().map(|e| e.path.clone()).collect();
    let reusable = kept.iter().position(|k| {
        k.entries == entry_paths
            && (k.tree == tree
                || (!k.substitutes
                    && k.blobs
                        .iter()
                        .all(|(path, id)| snapshot.blob_id(path) == *id)))
    });
    let load = match reusable {
        Some(i) => {
            stats.loads_reused += 1;
            Some(i)
        }
        None if entries.is_empty() => None,
        None => {
            stats.loads_parsed += 1;
            let load = catalog_load::load(&snapshot, entries, &HashSet::new());
            let mut blobs: Vec<(String, Option<gix::ObjectId>)> = load
                .visited
                .iter()
                .map(|p| (p.clone(), snapshot.blob_id(p)))
                .collect();
            blobs.sort();
            let substitutes = load.entities.iter().any(|e| {
                ["$text", "$json", "$yaml"]
                    .iter()
                    .any(|s| e.text.contains(s))
            });
            // Diagnostics of past commits are not today's problems: dropped.
            let catalog = catalog::assemble(load.entities, &mut Vec::new());
            kept.push(KeptLoad {
                entries: entry_paths,
                blobs,
                substitutes,
                tree,
                catalog,
            });
            Some(kept.len() - 1)
        }
    };
    if let Some(i) = load {
        // The same documents, read at this commit: git rules see its date.
        let commit_facts = catalog_load::repo_commit(&snapshot);
        for entity in &mut kept[i].catalog.entities {
            entity.source.commit = commit_facts.clone();
        }
    }
    Some(AtCommit {
        load,
        files: SnapshotFiles::new(snapshot),
        tree,
    })
}

/// An entity's docs found at one commit, with what they were found from:
/// a later commit where all of it is the same gets the same answer.
struct KeptDocs {
    /// The docs root (the folder of the mkdocs file).
    root: String,
    /// `mkdocs.yaml` and `mkdocs.yml` there: the blob (symlinks inside
    /// followed) or why there is none. The file read decides the docs
    /// folder and the nav.
    configs: [Result<gix::ObjectId, ReadError>; 2],
    /// The docs folder and its tree id (`None`: no folder there), when a
    /// mkdocs file was read: its listing gives the pages.
    folder: Option<(String, Option<gix::ObjectId>)>,
    /// Whether the root holds a `README.md` (or `readme.md`), when the docs
    /// folder has no index page and the README would stand in.
    readme: Option<bool>,
    past: PastDocs,
}

/// The entity's docs at the commit, found without building them: its
/// `backstage.io/techdocs-ref`, the mkdocs file and the pages of its docs
/// folder; taken from `kept` when the mkdocs file, the docs folder's tree
/// and (where it counts) the README are the same as at an earlier commit.
/// A repository listed up to `MAX_LISTED_FILES` at one commit and over it
/// at another could list a docs folder whole at the first and cut at the
/// second: the kept answer is then the whole folder's.
fn past_docs(
    state: &AtCommit,
    entity: &catalog::Entity,
    kept: &mut Vec<KeptDocs>,
    stats: &mut Stats,
) -> PastDocs {
    let Some(Ok(request)) = crate::docs::site::request(entity, None) else {
        return PastDocs { pages: None };
    };
    let snapshot = state.files.snapshot();
    let root = request.root.clone();
    let in_root = |name: &str| crate::read::safe_path::join(&root, name).ok();
    let config_at = |name: &str| in_root(name).and_then(|path| snapshot.blob_at(&path));
    let configs = config_at("mkdocs.yaml").zip(config_at("mkdocs.yml"));
    let readme = || {
        ["README.md", "readme.md"]
            .into_iter()
            .filter_map(in_root)
            .any(|path| snapshot.is_file(&path))
    };
    if let Some((yaml, yml)) = &configs {
        let same = kept.iter().find(|k| {
            k.root == root
                && k.configs[0] == *yaml
                && k.configs[1] == *yml
                && k.folder
                    .as_ref()
                    .is_none_or(|(dir, id)| snapshot.folder_id(dir) == *id)
                && k.readme.is_none_or(|had| had == readme())
        });
        if let Some(k) = same {
            stats.docs_reused += 1;
            return k.past;
        }
    }
    stats.docs_found += 1;
    let listing = state.files.all_files();
    let source = crate::docs::site::load(snapshot, listing, request, false, &mut Vec::new());
    let past = PastDocs {
        pages: source.as_ref().map(|s| s.pages.len()),
    };
    let Some((yaml, yml)) = configs else {
        return past;
    };
    let not_found = |c: &Result<gix::ObjectId, ReadError>| matches!(c, Err(ReadError::NotFound(_)));
    let (folder, readme) = match &source {
        Some(source) => {
            // The README beside mkdocs.yml is read only when the docs
            // folder has no index of its own (`site::index_fallback`).
            let has_index = source
                .pages
                .iter()
                .any(|p| p == "index.md" || p == "README.md");
            let readme_counts = source.readme_index.is_some() || !has_index;
            (
                Some((
                    source.docs_dir.clone(),
                    snapshot.folder_id(&source.docs_dir),
                )),
                readme_counts.then(readme),
            )
        }
        // No mkdocs file: no docs, whatever else the commit holds.
        None if not_found(&yaml) && not_found(&yml) => (None, None),
        // A mkdocs file that did not lead to docs: found again each time.
        None => return past,
    };
    kept.push(KeptDocs {
        root,
        configs: [yaml, yml],
        folder,
        readme,
        past,
    });
    past
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_parse_within_bounds() {
        assert_eq!(parse_weeks("12w"), Ok(12));
        assert_eq!(parse_weeks("1"), Ok(1));
        assert_eq!(parse_weeks("52w"), Ok(52));
        for bad in ["0w", "53w", "w", "12d", "-1w", ""] {
            assert!(parse_weeks(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn week_days_end_today_a_week_apart() {
        let today = Day::parse("2026-03-01").unwrap();
        let labels: Vec<String> = week_days(today, 3).iter().map(|d| d.label()).collect();
        assert_eq!(labels, ["2026-02-15", "2026-02-22", "2026-03-01"]);
    }

    #[test]
    fn day_rules_are_not_kept_across_points() {
        use super::super::check::{GitCheck, RelationCheck};
        assert!(dated(&Check::Git(GitCheck::CommittedWithinDays(3))));
        assert!(!dated(&Check::Relation(RelationCheck::HasSystem)));
        assert!(dated(&Check::Not(Box::new(Check::All(vec![
            Check::Relation(RelationCheck::HasSystem),
            Check::Git(GitCheck::CommittedWithinDays(3)),
        ])))));
    }
}
