//! Rules on the repository's git history: the commit read (HEAD, or
//! `--ref` for bare clones) and its date; release tags (names matching
//! `[scorecards] release-tags`) and commit authors, read once per
//! repository ([`Activity`]) and judged against the day.

use super::check::GitCheck;
use super::dates::Day;
use super::delivery::end_of;
use super::{Evidence, Verdict};
use crate::catalog::RepoCommit;
use crate::read::activity::Activity;
use std::collections::BTreeSet;

pub fn check(
    commit: Option<&RepoCommit>,
    activity: Option<&Activity>,
    release_tags: &str,
    today: Day,
    check: GitCheck,
) -> Verdict {
    let Some(commit) = commit else {
        return Verdict::not_applicable(Evidence::says("not a git repository"));
    };
    match check {
        GitCheck::CommittedWithinDays(days) => committed_within(commit, today, days),
        GitCheck::ReleasedWithinDays(days) => match activity {
            Some(a) => released_within(a, release_tags, today, days),
            None => unread(),
        },
        GitCheck::DistinctAuthors { min, days } => match activity {
            Some(a) => distinct_authors(a, today, min, days),
            None => unread(),
        },
    }
}

fn unread() -> Verdict {
    Verdict::not_applicable(Evidence::says(
        "the repository's tags and commits could not be read",
    ))
}

fn committed_within(commit: &RepoCommit, today: Day, days: u32) -> Verdict {
    let Some(day) = Day::parse(&commit.date) else {
        return Verdict::not_applicable(
            Evidence::says("the commit's date is unknown").value(commit.id.clone()),
        );
    };
    let age = day.days_until(today);
    let short: String = commit.id.chars().take(7).collect();
    Verdict::when(
        age <= i64::from(days),
        Evidence::says(format!(
            "last commit {short} on {} ({}), expected within {days} days",
            day.label(),
            day.before(today)
        ))
        .value(commit.id.clone())
        .dated(day.label()),
    )
}

/// The newest release tag dated by the end of `today` must be at most
/// `days` days old. Tags made after that day do not count (history).
fn released_within(activity: &Activity, pattern: &str, today: Day, days: u32) -> Verdict {
    let until = end_of(today);
    let Some(last) = activity
        .releases
        .iter()
        .filter(|r| r.seconds <= until)
        .max_by_key(|r| r.seconds)
    else {
        return Verdict::fail(Evidence::says(format!(
            "no release tag: no tag name matches `{pattern}` (`[scorecards] release-tags`)"
        )));
    };
    let day = Day::from_seconds(last.seconds);
    let age = day.days_until(today);
    Verdict::when(
        age <= i64::from(days),
        Evidence::says(format!(
            "last release {} on {} ({}), expected within {days} days",
            last.tag,
            day.label(),
            day.before(today)
        ))
        .value(last.tag.clone())
        .dated(day.label()),
    )
}

/// Distinct authors (by e-mail) of commits dated in the `days` days up to
/// the end of `today`.
fn distinct_authors(activity: &Activity, today: Day, min: u32, days: u32) -> Verdict {
    let until = end_of(today);
    let since = end_of(Day(today.0 - i64::from(days)));
    let authors: BTreeSet<&str> = activity
        .authored
        .iter()
        .filter(|a| a.committed > since && a.committed <= until)
        .map(|a| a.author.as_str())
        .collect();
    let mut summary = format!(
        "{} distinct commit authors in the {days} days up to {}, expected at least {min}",
        authors.len(),
        today.label()
    );
    if activity.truncated {
        summary.push_str(" (history walk stopped at its commit limit: counted partly)");
    }
    Verdict::when(
        authors.len() >= min as usize,
        Evidence::says(summary).value(authors.len().to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::activity::{Authored, Release};

    fn noon(day: &str) -> i64 {
        Day::parse(day).unwrap().0 * 86_400 + 43_200
    }

    fn commit() -> RepoCommit {
        RepoCommit {
            id: "0123456789abcdef".into(),
            date: "2024-02-20".into(),
            author: "A".into(),
            branch: None,
        }
    }

    fn activity() -> Activity {
        Activity {
            releases: vec![
                Release {
                    tag: "v1.0.0".into(),
                    commit: String::new(),
                    seconds: noon("2024-01-10"),
                },
                Release {
                    tag: "v1.1.0".into(),
                    commit: String::new(),
                    seconds: noon("2024-02-15"),
                },
            ],
            lead_times: Vec::new(),
            authored: ["a@x", "b@x", "a@x", "c@x"]
                .iter()
                .zip(["2024-02-28", "2024-02-10", "2024-01-05", "2023-06-01"])
                .map(|(a, d)| Authored {
                    author: a.to_string(),
                    committed: noon(d),
                })
                .collect(),
            truncated: false,
        }
    }

    fn run(check: GitCheck, today: &str, activity: Option<&Activity>) -> Verdict {
        super::check(
            Some(&commit()),
            activity,
            "^v",
            Day::parse(today).unwrap(),
            check,
        )
    }

    #[test]
    fn release_within_days_passes_fails_and_ignores_later_tags() {
        let a = activity();
        let pass = run(GitCheck::ReleasedWithinDays(30), "2024-03-01", Some(&a));
        assert_eq!(pass.status, super::super::Status::Pass);
        assert_eq!(pass.evidence.value.as_deref(), Some("v1.1.0"));
        assert_eq!(pass.evidence.date.as_deref(), Some("2024-02-15"));
        let fail = run(GitCheck::ReleasedWithinDays(10), "2024-03-01", Some(&a));
        assert_eq!(fail.status, super::super::Status::Fail);
        // Judged on 2024-02-01, v1.1.0 did not exist yet: v1.0.0 is 22 days old.
        let past = run(GitCheck::ReleasedWithinDays(20), "2024-02-01", Some(&a));
        assert_eq!(past.status, super::super::Status::Fail);
        assert_eq!(past.evidence.value.as_deref(), Some("v1.0.0"));
    }

    #[test]
    fn no_release_tag_fails_and_unread_history_is_not_applicable() {
        let none = run(
            GitCheck::ReleasedWithinDays(30),
            "2024-03-01",
            Some(&Activity::default()),
        );
        assert_eq!(none.status, super::super::Status::Fail);
        assert!(none.evidence.summary.contains("no tag name matches `^v`"));
        let unread = run(GitCheck::ReleasedWithinDays(30), "2024-03-01", None);
        assert_eq!(unread.status, super::super::Status::NotApplicable);
        let plain = super::check(
            None,
            None,
            "^v",
            Day::parse("2024-03-01").unwrap(),
            GitCheck::CommittedWithinDays(3),
        );
        assert_eq!(plain.status, super::super::Status::NotApplicable);
    }

    #[test]
    fn distinct_authors_counts_each_address_once_inside_the_window() {
        let a = activity();
        let check = |min, days| GitCheck::DistinctAuthors { min, days };
        // a@x twice and b@x in the last 60 days: 2 authors.
        let two = run(check(2, 60), "2024-03-01", Some(&a));
        assert_eq!(two.status, super::super::Status::Pass);
        assert_eq!(two.evidence.value.as_deref(), Some("2"));
        let three = run(check(3, 60), "2024-03-01", Some(&a));
        assert_eq!(three.status, super::super::Status::Fail);
        // On 2024-02-01 only a@x (2024-01-05) falls in the 60 days.
        let past = run(check(1, 60), "2024-02-01", Some(&a));
        assert_eq!(past.evidence.value.as_deref(), Some("1"));
    }
}
