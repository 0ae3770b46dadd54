//! Evaluation: each rule's check against one entity (combinators included),
//! the level ladder and the score, then the whole organisation, one
//! repository at a time (each opened once, in parallel).
//!
//! An entity reaches a level when every applicable rule of that level and
//! of every lower level passes. Its score is the weighted share of passing
//! rules among the applicable ones (1.0 when none applies).

use super::check::Check;
use super::dates::Day;
use super::docs::{BROKEN_LINK_CODES, DocsFacts};
use super::facts::ExternalFacts;
use super::files::{RepoFiles, SnapshotFiles};
use super::kept_files::{FilesMemo, RecordingFiles};
use super::kept_results;
use super::{Evidence, Filter, Rule, Scorecard, Status, Verdict};
use crate::catalog::{Catalog, Entity};
use crate::diagnostics::Diagnostic;
use crate::docs::DocSiteSummary;
use crate::memo::Versions;
use crate::read::{RepoSource, Snapshot};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

/// What every rule may read besides the entity and its repository.
pub struct Context<'a> {
    pub catalog: &'a Catalog,
    pub facts: &'a ExternalFacts,
    pub today: Day,
    /// Release tags and commit authors, by repository.
    pub activity: &'a super::delivery::ActivityByRepo,
    /// The release tag pattern, for evidence.
    pub release_tags: &'a str,
}

/// One entity and what was read about it.
#[derive(Clone, Copy)]
pub struct Subject<'a> {
    pub entity: &'a Entity,
    pub docs: DocsFacts<'a>,
    /// The files of the repository it was read from.
    pub files: Option<&'a dyn RepoFiles>,
    /// The entity's folder in it (`folder::of`): where relative paths start.
    pub folder: &'a str,
}

/// Every scorecard's results, and the build's day they were judged on.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Results {
    pub today: String,
    pub scorecards: Vec<CardResult>,
    /// Scorecards whose definitions have mistakes (not evaluated).
    #[serde(skip)]
    pub invalid: Vec<String>,
    /// What `--history` did (`None` without it).
    #[serde(skip)]
    pub history: Option<super::history::Stats>,
    /// Release frequency and lead time per Component and owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<super::delivery::Delivery>,
}

impl Results {
    /// Each entity's level on the first scorecard (`none` below every
    /// level), by entity ref: what the catalog lists and search show.
    pub fn first_card_levels(&self) -> std::collections::HashMap<&str, &str> {
        self.scorecards
            .first()
            .map(|card| {
                card.entities
                    .iter()
                    .map(|e| (e.entity.as_str(), e.level.as_deref().unwrap_or("none")))
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct CardResult {
    pub name: String,
    pub title: String,
    pub description: String,
    pub origin: String,
    pub levels: Vec<String>,
    pub rules: Vec<RuleInfo>,
    /// In catalog order.
    pub entities: Vec<EntityResult>,
    /// One point per week with `--history`, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<super::history::CardPoint>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RuleInfo {
    pub id: String,
    pub title: String,
    pub level: String,
    pub weight: u32,
    pub hint: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct EntityResult {
    /// `component:default/name`.
    pub entity: String,
    pub owner: Option<String>,
    /// The highest level reached, `None` below the first.
    pub level: Option<String>,
    #[serde(skip)]
    pub level_index: Option<usize>,
    /// 0.0 to 1.0, rounded to three places.
    pub score: f64,
    pub results: Vec<RuleResult>,
    /// Past weeks with `--history`, oldest first; weeks where the entity
    /// did not exist have no point.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<super::history::Point>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RuleResult {
    pub rule: String,
    pub title: String,
    pub level: String,
    #[serde(skip)]
    pub level_index: usize,
    pub weight: u32,
    pub status: Status,
    pub evidence: Evidence,
    pub hint: String,
}

/// One check against one entity.
pub fn run_check(check: &Check, subject: Subject<'_>, context: &Context<'_>) -> Verdict {
    let entity = subject.entity;
    match check {
        Check::Field { field, test } => super::fields::check(entity, field, test),
        Check::Relation(r) => super::relations::check(entity, context.catalog, *r),
        Check::Files(f) => super::files::check(subject.files, subject.folder, f),
        Check::Dependency(d) => super::dependencies::check(subject.files, subject.folder, d),
        Check::Docs(d) => super::docs::check(subject.docs, context.today, *d),
        Check::Git(g) => super::git::check(
            entity.source.commit.as_deref(),
            context
                .activity
                .get(&entity.source.repo_dir)
                .map(|a| a.as_ref()),
            context.release_tags,
            context.today,
            *g,
        ),
        Check::Attestation { name, file } => super::attestations::check(
            subject.files,
            &entity.entity_ref,
            context.today,
            name,
            &super::folder::resolve(subject.folder, file),
        ),
        Check::Fact {
            name,
            test,
            max_age_days,
        } => super::facts::check(
            context.facts,
            &entity.entity_ref,
            context.today,
            name,
            test,
            *max_age_days,
        ),
        Check::All(checks) => combine(checks, subject, context, true),
        Check::Any(checks) => combine(checks, subject, context, false),
        Check::Not(inner) => {
            let verdict = run_check(inner, subject, context);
            let mut evidence = verdict.evidence;
            evidence.summary = format!("not ({})", evidence.summary);
            match verdict.status {
                Status::Pass => Verdict::fail(evidence),
                Status::Fail => Verdict::pass(evidence),
                Status::NotApplicable => Verdict::not_applicable(evidence),
            }
        }
    }
}

/// `all` fails on its first failing check; `any` passes on its first
/// passing one. Not-applicable checks are left out; all of them: n/a.
fn combine(checks: &[Check], subject: Subject<'_>, context: &Context<'_>, all: bool) -> Verdict {
    let verdicts: Vec<Verdict> = checks
        .iter()
        .map(|c| run_check(c, subject, context))
        .collect();
    let deciding = if all { Status::Fail } else { Status::Pass };
    if let Some(v) = verdicts.iter().find(|v| v.status == deciding) {
        return v.clone();
    }
    let applicable: Vec<&Verdict> = verdicts
        .iter()
        .filter(|v| v.status != Status::NotApplicable)
        .collect();
    let Some(first) = applicable.first() else {
        return Verdict::not_applicable(Evidence::says("no check applies"));
    };
    let mut evidence = first.evidence.clone();
    evidence.summary = applicable
        .iter()
        .map(|v| v.evidence.summary.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    Verdict {
        status: first.status,
        evidence,
    }
}

/// Whether `filter` selects `entity` (an empty filter selects all).
pub fn applies(filter: &Filter, entity: &Entity) -> bool {
    fn matches(wanted: &[String], value: Option<&str>) -> bool {
        value.is_some_and(|v| wanted.iter().any(|w| w.eq_ignore_ascii_case(v)))
    }
    // The entity's fields are looked up only for a filter that names
    // values (every rule's `when` is asked of every entity, most empty).
    fn one<'e>(wanted: &[String], value: impl FnOnce() -> Option<&'e str>) -> bool {
        wanted.is_empty() || matches(wanted, value())
    }
    let related = |wanted: &[String], relation: &str, kinds: &[&str]| {
        wanted.is_empty()
            || entity
                .relations
                .iter()
                .filter(|r| r.kind == relation && kinds.contains(&r.target.kind.as_str()))
                .any(|r| {
                    let full = r.target.to_string().to_lowercase();
                    wanted
                        .iter()
                        .any(|w| *w == full || w.eq_ignore_ascii_case(&r.target.name))
                })
    };
    let tagged = || {
        entity.metadata()["tags"]
            .as_array()
            .is_some_and(|t| t.iter().any(|v| matches(&filter.tags, v.as_str())))
    };
    one(&filter.kind, || Some(&entity.kind))
        && one(&filter.spec_type, || entity.spec_str("type"))
        && one(&filter.lifecycle, || entity.spec_str("lifecycle"))
        && one(&filter.namespace, || Some(&entity.namespace))
        && (filter.tags.is_empty() || tagged())
        && related(&filter.owner, "ownedBy", &["group", "user"])
        && related(&filter.system, "partOf", &["system"])
}

/// Every rule of `card` against one entity, with its level and score.
pub fn evaluate_entity(
    card: &Scorecard,
    subject: Subject<'_>,
    context: &Context<'_>,
) -> EntityResult {
    let results: Vec<RuleResult> = card
        .rules
        .iter()
        .map(|rule| {
            let verdict = if applies(&rule.when, subject.entity) {
                run_check(&rule.check, subject, context)
            } else {
                Verdict::not_applicable(Evidence::says(
                    "the rule's `when` filter leaves this entity out",
                ))
            };
            rule_result(card, rule, verdict)
        })
        .collect();
    let (level_index, score) = ladder(card.levels.len(), &results);
    EntityResult {
        entity: subject.entity.entity_ref.to_string(),
        owner: subject
            .entity
            .relations
            .iter()
            .find(|r| r.kind == "ownedBy")
            .map(|r| context.catalog.named(&r.target)),
        level: level_index.map(|i| card.levels[i].clone()),
        level_index,
        score,
        results,
        history: Vec::new(),
    }
}

pub(crate) fn rule_result(card: &Scorecard, rule: &Rule, verdict: Verdict) -> RuleResult {
    RuleResult {
        rule: rule.id.clone(),
        title: rule.title.clone(),
        level: card.levels[rule.level].clone(),
        level_index: rule.level,
        weight: rule.weight,
        status: verdict.status,
        evidence: verdict.evidence,
        hint: rule.hint.clone(),
    }
}

/// The highest level whose rules, and all lower levels' rules, pass (not
/// applicable ones aside), and the weighted share of passing rules.
pub fn ladder(levels: usize, results: &[RuleResult]) -> (Option<usize>, f64) {
    let judged: Vec<Judged> = results
        .iter()
        .map(|r| Judged {
            level: r.level_index,
            weight: r.weight,
            status: r.status,
        })
        .collect();
    ladder_of(levels, &judged)
}

/// What the ladder reads of one rule's result: history judges many points
/// and needs no more than this (no titles, hints or evidence copied).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Judged {
    pub level: usize,
    pub weight: u32,
    pub status: Status,
}

/// [`ladder`] on the rules' levels, weights and statuses alone.
pub fn ladder_of(levels: usize, results: &[Judged]) -> (Option<usize>, f64) {
    let first_failing = results
        .iter()
        .filter(|r| r.status == Status::Fail)
        .map(|r| r.level)
        .min()
        .unwrap_or(levels);
    let level = first_failing.checked_sub(1);
    let weight = |status: Option<Status>| -> u64 {
        results
            .iter()
            .filter(|r| match status {
                Some(s) => r.status == s,
                None => r.status != Status::NotApplicable,
            })
            .map(|r| u64::from(r.weight))
            .sum()
    };
    let applicable = weight(None);
    let score = if applicable == 0 {
        1.0
    } else {
        let share = weight(Some(Status::Pass)) as f64 / applicable as f64;
        (share * 1000.0).round() / 1000.0
    };
    (level, score)
}

/// Everything the organisation-wide evaluation reads.
pub struct OrgInputs<'a> {
    pub catalog: &'a Catalog,
    pub repos: &'a [RepoSource],
    pub git_ref: Option<&'a str>,
    pub docs: &'a [std::sync::Arc<DocSiteSummary>],
    /// The build's diagnostics (the link check's among them).
    pub diagnostics: &'a [Diagnostic],
    pub facts: &'a ExternalFacts,
    pub today: Day,
    pub activity: &'a super::delivery::ActivityByRepo,
    pub release_tags: &'a str,
    /// Repositories' files kept by this process (`portico serve`).
    pub files_memo: Option<(&'a FilesMemo, &'a Versions)>,
    /// Repositories' listings the docs stage made in this run.
    pub listings: Option<&'a crate::read::Listings>,
    /// Entities' results kept by this process (`portico serve`), with the
    /// versions of `files_memo`.
    pub results_memo: Option<&'a super::kept_results::ResultsMemo>,
}

/// Every scorecard against every entity it applies to.
pub fn evaluate_all(cards: &[Scorecard], inputs: &OrgInputs<'_>) -> Vec<CardResult> {
    let context = Context {
        catalog: inputs.catalog,
        facts: inputs.facts,
        today: inputs.today,
        activity: inputs.activity,
        release_tags: inputs.release_tags,
    };
    let docs: HashMap<&crate::catalog::entity_ref::EntityRef, &DocSiteSummary> =
        inputs.docs.iter().map(|d| (&d.entity, &**d)).collect();
    let broken: Vec<&Diagnostic> = inputs
        .diagnostics
        .iter()
        .filter(|d| BROKEN_LINK_CODES.contains(&d.code))
        .collect();
    // The entities each repository holds that some scorecard applies to.
    let mut by_repo: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, entity) in inputs.catalog.entities.iter().enumerate() {
        if cards.iter().any(|c| applies(&c.filter, entity)) {
            by_repo
                .entry(entity.source.repo_dir.as_str())
                .or_default()
                .push(i);
        }
    }
    let sources: HashMap<&str, &RepoSource> = inputs
        .repos
        .iter()
        .map(|r| (r.display.as_str(), r))
        .collect();
    let groups: Vec<(&str, Vec<usize>)> = by_repo.into_iter().collect();
    // With serve's memo: what every entity's rules read alike.
    let kept = match (inputs.results_memo, inputs.files_memo) {
        (Some(memo), Some((_, versions))) => Some((
            memo,
            versions,
            kept_results::Shared {
                catalog: inputs.catalog,
                facts: inputs.facts,
                build: kept_results::build_key(
                    cards,
                    inputs.today,
                    inputs.release_tags,
                    inputs.git_ref,
                ),
                relation_rules: kept_results::any_relation_rule(cards),
            },
        )),
        _ => None,
    };
    let found: Vec<(usize, usize, EntityResult)> = groups
        .par_iter()
        .flat_map_iter(|(repo_dir, entities)| {
            let source = sources.get(repo_dir).copied();
            // The repository's version before anything of it is read (as
            // `FilesMemo` takes it): a change during this build leaves
            // what was judged kept under the old version.
            let version = kept
                .as_ref()
                .and_then(|(_, versions, _)| versions.of(&source?.root));
            // Opened on the first entity judged: one whose results are
            // all kept needs no file of its repository.
            let files = std::cell::OnceCell::new();
            let open = || match (source, inputs.files_memo) {
                (Some(source), Some((memo, versions))) => {
                    let listed = inputs.listings.and_then(|l| l.take(source));
                    memo.files(versions, source, inputs.git_ref, listed)
                        .map(OpenFiles::Kept)
                }
                (Some(source), None) => {
                    Snapshot::open_files(source, inputs.git_ref).ok().map(|s| {
                        let listed = inputs.listings.and_then(|l| l.take(source));
                        OpenFiles::Read(SnapshotFiles::listed(s, listed))
                    })
                }
                (None, _) => None,
            };
            let mut out = Vec::new();
            for &i in entities {
                let entity = &inputs.catalog.entities[i];
                let site = docs.get(&entity.entity_ref).copied();
                let own_broken: Vec<&Diagnostic> = match site {
                    Some(site) => site_problems(&broken, entity, site),
                    None => Vec::new(),
                };
                let judged = kept.as_ref().map(|(memo, _, shared)| {
                    let activity = inputs.activity.get(&entity.source.repo_dir);
                    let entity_inputs = kept_results::Inputs::of(
                        entity,
                        shared,
                        version,
                        site,
                        &own_broken,
                        activity,
                    );
                    (memo, entity_inputs)
                });
                if let Some(results) = judged
                    .as_ref()
                    .and_then(|(memo, entity_inputs)| memo.get(entity_inputs, version))
                {
                    out.extend(results.into_iter().map(|(c, result)| (c, i, result)));
                    continue;
                }
                let folder = super::folder::of(entity);
                let subject = Subject {
                    entity,
                    docs: DocsFacts {
                        site,
                        broken: &own_broken,
                        past: None,
                    },
                    files: files.get_or_init(open).as_ref().map(OpenFiles::as_files),
                    folder: &folder,
                };
                let results: Vec<(usize, EntityResult)> = cards
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| applies(&c.filter, entity))
                    .map(|(c, card)| (c, evaluate_entity(card, subject, &context)))
                    .collect();
                if let Some((memo, entity_inputs)) = &judged {
                    memo.keep(entity_inputs, version, results.clone());
                }
                out.extend(results.into_iter().map(|(c, result)| (c, i, result)));
            }
            if let (Some(Some(OpenFiles::Kept(files))), Some((memo, _))) =
                (files.into_inner(), inputs.files_memo)
            {
                memo.keep(files);
            }
            out
        })
        .collect();
    let mut per_card: Vec<Vec<(usize, EntityResult)>> = cards.iter().map(|_| Vec::new()).collect();
    for (c, i, result) in found {
        per_card[c].push((i, result));
    }
    cards
        .iter()
        .zip(per_card)
        .map(|(card, mut entities)| {
            entities.sort_by_key(|(i, _)| *i);
            card_result(card, entities.into_iter().map(|(_, r)| r).collect())
        })
        .collect()
}

/// A repository's files for one build: read from it, or through the
/// answers kept by `portico serve`.
enum OpenFiles<'a> {
    Read(SnapshotFiles),
    Kept(RecordingFiles<'a>),
}

impl OpenFiles<'_> {
    fn as_files(&self) -> &dyn RepoFiles {
        match self {
            OpenFiles::Read(files) => files,
            OpenFiles::Kept(files) => files,
        }
    }
}

/// The link-check problems of the site's pages: in the entity's
/// repository (by its folder: two repositories may share a name), at a
/// page's own file (by the site's docs folder: two sites of a monorepo both
/// have an `index.md`; a README standing in for `index.md` counts), not in
/// a page a preview shows as a draft (`PageSummary::draft`: the built site
/// has none, so a preview judges what `portico build` would). The site's
/// page files are listed once, and only when the repository has problems.
fn site_problems<'d>(
    broken: &[&'d Diagnostic],
    entity: &Entity,
    site: &DocSiteSummary,
) -> Vec<&'d Diagnostic> {
    let in_repo: Vec<&Diagnostic> = broken
        .iter()
        .copied()
        .filter(|d| {
            d.repo == entity.source.repo
                && d.path == crate::diagnostics::display_path(&entity.source.repo_dir, &d.file)
        })
        .collect();
    if in_repo.is_empty() {
        return in_repo;
    }
    let shown: std::collections::HashSet<String> = site
        .pages
        .iter()
        .filter(|p| !p.draft)
        .map(|p| site.page_file(&p.src))
        .collect();
    in_repo
        .into_iter()
        .filter(|d| shown.contains(&d.file))
        .collect()
}

pub fn card_result(card: &Scorecard, entities: Vec<EntityResult>) -> CardResult {
    CardResult {
        name: card.name.clone(),
        title: card.title.clone(),
        description: card.description.clone(),
        origin: card.origin.clone(),
        levels: card.levels.clone(),
        rules: card
            .rules
            .iter()
            .map(|r| RuleInfo {
                id: r.id.clone(),
                title: r.title.clone(),
                level: card.levels[r.level].clone(),
                weight: r.weight,
                hint: r.hint.clone(),
            })
            .collect(),
        entities,
        history: Vec::new(),
    }
}
