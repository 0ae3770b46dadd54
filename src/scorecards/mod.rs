//! Scorecards as code: definitions read from YAML, rules evaluated against
//! each entity with the evidence found, levels and scores, rollups per
//! owner, and the CI gate.
//!
//! The evaluator takes plain data: the catalog, what the docs stage built,
//! one repository's files at a time ([`files::RepoFiles`]), external facts
//! and the day to judge dates against ([`dates::Day`], never the clock).
//! Re-evaluating at a past commit is then a matter of handing it that
//! commit's files and that day.
//!
//! | file | concern |
//! |---|---|
//! | `definition.rs` | a YAML file → [`Scorecard`], with diagnostics at file:line:col |
//! | `check.rs` | what a rule checks, as data (`field`, `files`, `all`, ...) |
//! | `check_reader.rs` | the check grammar read from YAML |
//! | `load.rs` | where definitions and facts come from; the built-in default |
//! | `fields.rs` | entity fields and annotations |
//! | `relations.rs` | owner, system, APIs, dependencies |
//! | `folder.rs` | the entity's folder in its repository (monorepos) |
//! | `files.rs` | files in the repository (confined `Snapshot` reads) |
//! | `dependencies.rs` | packages in lockfiles (`lockfiles/`, `versions.rs`) |
//! | `docs.rs` | TechDocs as the docs stage built them |
//! | `git.rs` | the repository's last commit, release tags, authors |
//! | `delivery.rs` | release frequency and lead time from git, reported DORA facts |
//! | `kept_files.rs`, `kept_activity.rs` | `portico serve`: a repository's files and git activity kept per repository version |
//! | `kept_results.rs` | `portico serve`: each entity's results kept while everything its rules read is unchanged |
//! | `attestations.rs` | signed-off claims kept in the repository, with expiry |
//! | `facts.rs` | facts from other systems, by entity ref |
//! | `evaluate.rs` | the ladder, scores, combinators, the whole organisation |
//! | `history.rs` | every scorecard at one commit per week (`--history`) |
//! | `rollup.rs` | per owner, system, domain: level distribution, rules failing most |
//! | `gate.rs` | `check --scorecard --min-level` |

pub mod attestations;
pub mod check;
mod check_reader;
pub mod dates;
pub mod definition;
pub mod delivery;
pub mod dependencies;
pub mod docs;
pub mod evaluate;
pub mod facts;
pub mod fields;
pub mod files;
pub mod folder;
pub mod gate;
pub mod git;
pub mod history;
pub mod kept_activity;
pub mod kept_files;
pub mod kept_results;
pub mod load;
pub mod lockfiles;
pub mod relations;
pub mod rollup;
pub mod versions;

pub use check::Check;
pub use evaluate::{CardResult, EntityResult, Results, RuleResult};

use serde::Serialize;

/// A scorecard definition, validated.
#[derive(Clone, Debug)]
pub struct Scorecard {
    /// `[a-z0-9-]+`: used in addresses and on the command line.
    pub name: String,
    pub title: String,
    pub description: String,
    /// Which entities it applies to.
    pub filter: Filter,
    /// Lowest first.
    pub levels: Vec<String>,
    pub rules: Vec<Rule>,
    /// The file it came from, or `built-in`.
    pub origin: String,
}

impl Scorecard {
    pub fn level_index(&self, name: &str) -> Option<usize> {
        self.levels
            .iter()
            .position(|l| l.eq_ignore_ascii_case(name))
    }
}

/// One rule: a check bound to a level.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub title: String,
    /// Index into the scorecard's levels.
    pub level: usize,
    pub weight: u32,
    /// Markdown, shown where the rule fails.
    pub hint: String,
    /// Which entities the rule applies to (others: not applicable).
    pub when: Filter,
    pub check: Check,
}

/// Which entities a scorecard or rule applies to: every list that is not
/// empty must match (values compared without letter case). `tags` matches
/// when the entity has any of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub kind: Vec<String>,
    pub spec_type: Vec<String>,
    pub lifecycle: Vec<String>,
    pub tags: Vec<String>,
    pub namespace: Vec<String>,
    /// Owner refs (`group:default/x`) or names.
    pub owner: Vec<String>,
    /// System refs or names.
    pub system: Vec<String>,
}

/// What a rule found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Fail,
    NotApplicable,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotApplicable => "not-applicable",
        }
    }
}

/// Why a rule passed or failed: a sentence, and the value, place or date
/// it rests on when there is one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The file the rule read is broken (a lockfile that does not parse):
    /// reported as a warning too, at `file:line`.
    #[serde(skip)]
    pub unreadable: bool,
}

impl Evidence {
    pub fn says(summary: impl Into<String>) -> Evidence {
        Evidence {
            summary: summary.into(),
            ..Evidence::default()
        }
    }

    pub fn value(mut self, value: impl Into<String>) -> Evidence {
        self.value = Some(value.into());
        self
    }

    pub fn at(mut self, file: impl Into<String>, line: Option<usize>) -> Evidence {
        self.file = Some(file.into());
        self.line = line;
        self
    }

    pub fn dated(mut self, date: impl Into<String>) -> Evidence {
        self.date = Some(date.into());
        self
    }

    /// `file:line`, `file` or nothing.
    pub fn place(&self) -> Option<String> {
        let file = self.file.as_ref()?;
        Some(match self.line {
            Some(line) => format!("{file}:{line}"),
            None => file.clone(),
        })
    }
}

/// A check's verdict with its evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    pub evidence: Evidence,
}

impl Verdict {
    pub fn pass(evidence: Evidence) -> Verdict {
        Verdict {
            status: Status::Pass,
            evidence,
        }
    }

    pub fn fail(evidence: Evidence) -> Verdict {
        Verdict {
            status: Status::Fail,
            evidence,
        }
    }

    pub fn not_applicable(evidence: Evidence) -> Verdict {
        Verdict {
            status: Status::NotApplicable,
            evidence,
        }
    }

    /// Pass when `ok`, else fail, with the same evidence.
    pub fn when(ok: bool, evidence: Evidence) -> Verdict {
        if ok {
            Verdict::pass(evidence)
        } else {
            Verdict::fail(evidence)
        }
    }
}

/// The organisation as the scorecards stage reads it.
pub struct Org<'a> {
    pub catalog: &'a crate::catalog::Catalog,
    pub repos: &'a [crate::read::RepoSource],
    pub git_ref: Option<&'a str>,
    /// Catalog files read in each repository (history reads them again at
    /// past commits).
    pub catalog_paths: &'a [String],
    pub docs: &'a [std::sync::Arc<crate::docs::DocSiteSummary>],
    /// The build's diagnostics so far (the link check's among them).
    pub diagnostics: &'a [crate::diagnostics::Diagnostic],
    /// Repositories' files kept by this process (`portico serve`).
    pub files_memo: Option<(&'a kept_files::FilesMemo, &'a crate::memo::Versions)>,
    /// Repositories' listings the docs stage made in this run.
    pub listings: Option<&'a crate::read::Listings>,
    /// Repositories' git activity kept by this process (`portico serve`).
    pub activity_memo: Option<(&'a kept_activity::ActivityMemo, &'a crate::memo::Versions)>,
    /// Entities' results kept by this process (`portico serve`).
    pub results_memo: Option<&'a kept_results::ResultsMemo>,
}

/// The stage: definitions and facts read, every scorecard evaluated.
/// Returns the results and the problems found in definitions and facts.
pub fn run(
    settings: &load::Settings,
    org: &Org<'_>,
) -> (Results, Vec<crate::diagnostics::Diagnostic>) {
    let mut problems = Vec::new();
    let (cards, invalid) = load::definitions(settings, &mut problems);
    let facts = load::facts(settings, &mut problems);
    let activity = activity(&cards, settings, org);
    let release_tags = settings.delivery.release_tags.as_str();
    let inputs = evaluate::OrgInputs {
        catalog: org.catalog,
        repos: org.repos,
        git_ref: org.git_ref,
        docs: org.docs,
        diagnostics: org.diagnostics,
        facts: &facts,
        today: settings.today,
        activity: &activity,
        release_tags,
        files_memo: org.files_memo,
        listings: org.listings,
        results_memo: org.results_memo,
    };
    let scorecards = evaluate::evaluate_all(&cards, &inputs);
    problems.extend(unreadable_files(org.catalog, &scorecards));
    let mut results = Results {
        today: settings.today.label(),
        scorecards,
        invalid,
        history: None,
        delivery: Some(delivery::figures(
            org.catalog,
            &activity,
            &facts,
            &settings.delivery,
            settings.today,
        )),
    };
    if let Some(weeks) = settings.history {
        let inputs = history::Inputs {
            catalog: org.catalog,
            repos: org.repos,
            git_ref: org.git_ref,
            catalog_paths: org.catalog_paths,
            today: settings.today,
            weeks,
            activity: &activity,
            release_tags,
        };
        results.history = Some(history::add(&cards, &inputs, &mut results.scorecards));
    }
    (results, problems)
}

/// A `lockfile-invalid` warning for each broken file a rule read (once per
/// file and line, however many rules and entities read it), so the author
/// sees it with the catalog's problems and not only on scorecard pages.
fn unreadable_files(
    catalog: &crate::catalog::Catalog,
    cards: &[CardResult],
) -> Vec<crate::diagnostics::Diagnostic> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for card in cards {
        for result in &card.entities {
            for rule in result.results.iter().filter(|r| r.evidence.unreadable) {
                let Some(entity) = catalog
                    .entities
                    .iter()
                    .find(|e| e.entity_ref.to_string() == result.entity)
                else {
                    continue;
                };
                let file = rule.evidence.file.clone().unwrap_or_default();
                let line = rule.evidence.line.unwrap_or(0);
                if !seen.insert((entity.source.repo_dir.clone(), file.clone(), line)) {
                    continue;
                }
                let mut d = crate::diagnostics::Diagnostic::warning(
                    "lockfile-invalid",
                    rule.evidence.summary.clone(),
                )
                .with_hint(format!(
                    "the scorecard `{}` rule `{}` fails until the file parses: regenerate it with its package manager",
                    card.name, rule.rule
                ))
                .in_repo(&entity.source.repo, &entity.source.repo_dir, &file);
                d.line = line;
                d.column = usize::from(line > 0);
                out.push(d);
            }
        }
    }
    out
}

/// Release tags, lead times and recent authors of every git repository
/// holding a Component or an entity some scorecard applies to, read in
/// parallel. Authors are read as far back as the rules (and history) look.
fn activity(
    cards: &[Scorecard],
    settings: &load::Settings,
    org: &Org<'_>,
) -> delivery::ActivityByRepo {
    use rayon::prelude::*;
    let mut author_days = 0u32;
    for rule in cards.iter().flat_map(|c| &c.rules) {
        rule.check.walk(&mut |c| {
            if let Check::Git(g) = c {
                author_days = author_days.max(g.author_days().unwrap_or(0));
            }
        });
    }
    let wanted: std::collections::HashSet<&str> = org
        .catalog
        .entities
        .iter()
        .filter(|e| {
            e.kind.eq_ignore_ascii_case("component")
                || cards.iter().any(|c| evaluate::applies(&c.filter, e))
        })
        .map(|e| e.source.repo_dir.as_str())
        .collect();
    let until = delivery::end_of(settings.today);
    let history_days = i64::from(settings.history.unwrap_or(0)) * 7;
    let authors_since = if author_days == 0 {
        until
    } else {
        until - (i64::from(author_days) + history_days) * 86_400
    };
    let wanted_git = crate::read::activity::Wanted {
        tags: &settings.delivery.release_tags,
        until,
        authors_since,
    };
    let read = |r: &crate::read::RepoSource| crate::read::activity::of(r, org.git_ref, &wanted_git);
    let repos =
        crate::threads::one_job_each(org.repos).filter(|r| wanted.contains(r.display.as_str()));
    let Some((memo, versions)) = org.activity_memo else {
        return repos
            .filter_map(|r| Some((r.display.clone(), std::sync::Arc::new(read(r)?))))
            .collect();
    };
    let asked = kept_activity::asked(&wanted_git, org.git_ref);
    let answers: Vec<_> = repos
        .map(|r| {
            let (activity, version) = memo.get_or_read(versions, r, asked, || read(r));
            (r.display.clone(), activity, version)
        })
        .collect();
    let mut activity = delivery::ActivityByRepo::new();
    let mut kept = Vec::new();
    for (display, answer, version) in answers {
        if let Some(a) = &answer {
            activity.insert(display.clone(), a.clone());
        }
        if let Some(version) = version {
            kept.push((display, version, answer));
        }
    }
    memo.replace(asked, kept);
    activity
}

#[cfg(test)]
mod tests;
