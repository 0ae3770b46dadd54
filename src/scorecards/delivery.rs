//! Delivery metrics: what git shows of how often each Component's
//! repository releases and how long a commit waits for its release, per
//! Component and pooled per owner; and the figures only other systems
//! know (deployments, failures, restores), taken from the facts file when
//! it has them and never made up.
//!
//! From git, over the window (the `window_days` days up to the build's
//! day):
//! - **release frequency**: the tags whose names match `release-tags`
//!   dated in the window (an annotated tag's tagger date, else the tagged
//!   commit's committer date), per week;
//! - **lead time**: for each commit first contained by a release made in
//!   the window, the time from its committer date to that release's date;
//!   the median and the 90th percentile in days.
//!
//! A repository's figures are its Components' (a monorepo's Components
//! share them). An owner's figures pool its Components' distinct
//! repositories: releases summed, lead times taken together.

use super::dates::Day;
use super::facts::ExternalFacts;
use crate::catalog::{Catalog, Entity};
use crate::read::activity::{Activity, LeadTime};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The default release tag pattern: `1.2`, `v1.2.3` (no pre-releases).
pub const DEFAULT_RELEASE_TAGS: &str = r"^v?[0-9]+\.[0-9]+(\.[0-9]+)?$";
pub const DEFAULT_WINDOW_DAYS: u32 = 90;

/// The facts read from the facts file, by name, with their meaning.
pub const EXTERNAL: [(&str, &str); 3] = [
    (
        "deployment_frequency",
        "deployments to production per week, as the deployment system counts them",
    ),
    (
        "change_failure_rate",
        "the share of deployments (0 to 1) that caused a failure in production",
    ),
    (
        "time_to_restore",
        "hours from a failure in production to its restoration (the system's median)",
    ),
];

pub const RELEASE_FREQUENCY: &str = "release tags (names matching the release pattern) dated in the window, per week; a tag's date is its tagger date, or its commit's committer date for a lightweight tag";
pub const LEAD_TIME: &str = "for each commit first contained by a release tag dated in the window: days from the commit's committer date to that tag's date (median and 90th percentile)";

/// `[scorecards] release-tags` and `delivery-window-days`.
#[derive(Clone, Debug)]
pub struct Settings {
    pub release_tags: regex::Regex,
    pub window_days: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            release_tags: regex::Regex::new(DEFAULT_RELEASE_TAGS).expect("valid pattern"),
            window_days: DEFAULT_WINDOW_DAYS,
        }
    }
}

impl PartialEq for Settings {
    fn eq(&self, other: &Self) -> bool {
        self.release_tags.as_str() == other.release_tags.as_str()
            && self.window_days == other.window_days
    }
}

impl Eq for Settings {}

/// Every repository's activity, by its display name.
pub type ActivityByRepo = HashMap<String, Arc<Activity>>;

/// The figures git gives for one repository or one owner's repositories.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GitFigures {
    /// Always `git`: these figures are read from git, not reported.
    pub source: &'static str,
    /// Release tags dated in the window.
    pub releases: usize,
    /// `releases` per week of the window, to two places.
    pub releases_per_week: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_release: Option<LastRelease>,
    /// Commits first released in the window.
    pub commits_released: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_time_median_days: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_time_p90_days: Option<f64>,
    /// A history walk stopped at its commit budget: figures are partial.
    pub partial: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LastRelease {
    pub tag: String,
    pub date: String,
}

/// A figure from the facts file, as written there.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reported {
    /// Always `facts`.
    pub source: &'static str,
    pub value: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComponentDelivery {
    pub entity: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub repository: String,
    /// `None` for a repository without git (a plain folder).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git: Option<GitFigures>,
    /// Only the facts the facts file has for this Component.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub reported: BTreeMap<String, Reported>,
}

/// A reported figure over an owner's Components: how many report it, and
/// the median of the numeric values.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportedRollup {
    pub source: &'static str,
    pub components_reporting: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OwnerDelivery {
    pub owner: String,
    pub components: usize,
    /// Distinct git repositories the figures pool.
    pub repositories: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git: Option<GitFigures>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub reported: BTreeMap<String, ReportedRollup>,
}

/// What each figure means, written into `scorecards.json` beside them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Definitions {
    pub release_frequency: &'static str,
    pub lead_time: &'static str,
    /// The facts file's figures, by name.
    pub reported: BTreeMap<&'static str, &'static str>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Delivery {
    /// The release tag pattern (a regular expression over tag names).
    pub release_tags: String,
    pub window_days: u32,
    /// The window: after `since`, up to and including `until`.
    pub since: String,
    pub until: String,
    pub definitions: Definitions,
    pub components: Vec<ComponentDelivery>,
    pub owners: Vec<OwnerDelivery>,
}

/// The end of `day` in seconds: a tag made that day counts for it.
pub fn end_of(day: Day) -> i64 {
    (day.0 + 1) * 86_400 - 1
}

/// Delivery figures for every Component of the catalog.
pub fn figures(
    catalog: &Catalog,
    activity: &ActivityByRepo,
    facts: &ExternalFacts,
    settings: &Settings,
    today: Day,
) -> Delivery {
    let since = end_of(Day(today.0 - i64::from(settings.window_days)));
    let until = end_of(today);
    let components: Vec<&Entity> = catalog
        .entities
        .iter()
        .filter(|e| e.kind.eq_ignore_ascii_case("component"))
        .collect();
    let per_component: Vec<ComponentDelivery> = components
        .iter()
        .map(|e| ComponentDelivery {
            entity: e.entity_ref.to_string(),
            owner: owner_of(catalog, e),
            repository: e.source.repo_dir.clone(),
            git: activity
                .get(&e.source.repo_dir)
                .map(|a| git_figures(&[a.as_ref()], since, until, settings.window_days)),
            reported: reported(facts, e),
        })
        .collect();
    let mut by_owner: BTreeMap<&str, Vec<&ComponentDelivery>> = BTreeMap::new();
    for c in &per_component {
        if let Some(owner) = &c.owner {
            by_owner.entry(owner.as_str()).or_default().push(c);
        }
    }
    let owners = by_owner
        .into_iter()
        .map(|(owner, members)| {
            let mut repos: Vec<&str> = members
                .iter()
                .filter(|c| c.git.is_some())
                .map(|c| c.repository.as_str())
                .collect();
            repos.sort_unstable();
            repos.dedup();
            let pooled: Vec<&Activity> = repos
                .iter()
                .filter_map(|r| activity.get(*r).map(Arc::as_ref))
                .collect();
            OwnerDelivery {
                owner: owner.to_string(),
                components: members.len(),
                repositories: repos.len(),
                git: (!pooled.is_empty())
                    .then(|| git_figures(&pooled, since, until, settings.window_days)),
                reported: reported_rollup(&members),
            }
        })
        .collect();
    Delivery {
        release_tags: settings.release_tags.as_str().to_string(),
        window_days: settings.window_days,
        since: Day::from_seconds(since).label(),
        until: today.label(),
        definitions: Definitions {
            release_frequency: RELEASE_FREQUENCY,
            lead_time: LEAD_TIME,
            reported: EXTERNAL.into_iter().collect(),
        },
        components: per_component,
        owners,
    }
}

fn owner_of(catalog: &Catalog, entity: &Entity) -> Option<String> {
    entity
        .relations
        .iter()
        .find(|r| r.kind == "ownedBy")
        .map(|r| catalog.named(&r.target))
}

/// Releases in (since, until] over `repos`, and their commits' lead times.
pub fn git_figures(repos: &[&Activity], since: i64, until: i64, window_days: u32) -> GitFigures {
    let in_window = |s: i64| s > since && s <= until;
    let releases: Vec<_> = repos
        .iter()
        .flat_map(|a| a.releases.iter())
        .filter(|r| in_window(r.seconds))
        .collect();
    let last = repos
        .iter()
        .flat_map(|a| a.releases.iter())
        .filter(|r| r.seconds <= until)
        .max_by(|a, b| a.seconds.cmp(&b.seconds).then_with(|| a.tag.cmp(&b.tag)));
    let mut days: Vec<f64> = repos
        .iter()
        .flat_map(|a| a.lead_times.iter())
        .filter(|l| in_window(l.released))
        .map(lead_days)
        .collect();
    days.sort_by(f64::total_cmp);
    let weeks = f64::from(window_days.max(1)) / 7.0;
    GitFigures {
        source: "git",
        releases: releases.len(),
        releases_per_week: round2(releases.len() as f64 / weeks),
        last_release: last.map(|r| LastRelease {
            tag: r.tag.clone(),
            date: Day::from_seconds(r.seconds).label(),
        }),
        commits_released: days.len(),
        lead_time_median_days: percentile(&days, 50).map(round2),
        lead_time_p90_days: percentile(&days, 90).map(round2),
        partial: repos.iter().any(|a| a.truncated),
    }
}

/// Days from commit to release; a commit dated after its release (clock
/// skew, rewritten dates) counts as zero.
fn lead_days(l: &LeadTime) -> f64 {
    l.released.saturating_sub(l.committed).max(0) as f64 / 86_400.0
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: usize) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    Some(sorted[rank - 1])
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn reported(facts: &ExternalFacts, entity: &Entity) -> BTreeMap<String, Reported> {
    let Some(mine) = facts.by_entity.get(&entity.entity_ref.key()) else {
        return BTreeMap::new();
    };
    EXTERNAL
        .iter()
        .filter_map(|(name, _)| {
            let fact = mine.get(*name)?;
            Some((
                name.to_string(),
                Reported {
                    source: "facts",
                    value: fact.value.clone(),
                    at: fact.at.map(Day::label),
                },
            ))
        })
        .collect()
}

fn reported_rollup(members: &[&ComponentDelivery]) -> BTreeMap<String, ReportedRollup> {
    EXTERNAL
        .iter()
        .filter_map(|(name, _)| {
            let values: Vec<&Reported> = members
                .iter()
                .filter_map(|c| c.reported.get(*name))
                .collect();
            if values.is_empty() {
                return None;
            }
            let mut numbers: Vec<f64> = values.iter().filter_map(|r| r.value.as_f64()).collect();
            numbers.sort_by(f64::total_cmp);
            Some((
                name.to_string(),
                ReportedRollup {
                    source: "facts",
                    components_reporting: values.len(),
                    median: percentile(&numbers, 50).map(round2),
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::activity::Release;

    fn release(tag: &str, day: &str) -> Release {
        Release {
            tag: tag.into(),
            commit: String::new(),
            seconds: Day::parse(day).unwrap().0 * 86_400 + 43_200,
        }
    }

    #[test]
    fn releases_and_lead_times_count_only_inside_the_window() {
        let today = Day::parse("2024-03-01").unwrap();
        let noon = |d: &str| Day::parse(d).unwrap().0 * 86_400 + 43_200;
        let activity = Activity {
            releases: vec![
                release("v0.9.0", "2023-10-01"),
                release("v1.0.0", "2024-02-01"),
                release("v1.1.0", "2024-02-29"),
                release("v2.0.0", "2024-03-05"),
            ],
            lead_times: vec![
                // Released before the window: left out.
                LeadTime {
                    committed: noon("2023-09-30"),
                    released: noon("2023-10-01"),
                },
                LeadTime {
                    committed: noon("2024-01-31"),
                    released: noon("2024-02-01"),
                },
                LeadTime {
                    committed: noon("2024-02-26"),
                    released: noon("2024-02-29"),
                },
                LeadTime {
                    committed: noon("2024-02-19"),
                    released: noon("2024-02-29"),
                },
            ],
            authored: Vec::new(),
            truncated: false,
        };
        let figures = git_figures(&[&activity], end_of(Day(today.0 - 90)), end_of(today), 90);
        // v0.9.0 is older than 90 days; v2.0.0 is after the build's day.
        assert_eq!(figures.releases, 2);
        assert_eq!(figures.releases_per_week, round2(2.0 / (90.0 / 7.0)));
        assert_eq!(figures.last_release.as_ref().unwrap().tag, "v1.1.0");
        assert_eq!(figures.commits_released, 3);
        assert_eq!(figures.lead_time_median_days, Some(3.0));
        assert_eq!(figures.lead_time_p90_days, Some(10.0));
        assert!(!figures.partial);
    }

    #[test]
    fn no_releases_gives_no_lead_time_rather_than_zero() {
        let figures = git_figures(&[&Activity::default()], 0, 1_000_000, 90);
        assert_eq!(figures.releases, 0);
        assert_eq!(figures.lead_time_median_days, None);
        assert!(figures.last_release.is_none());
    }

    #[test]
    fn percentile_is_nearest_rank() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&v, 50), Some(2.0));
        assert_eq!(percentile(&v, 90), Some(4.0));
        assert_eq!(percentile(&[], 50), None);
    }
}
