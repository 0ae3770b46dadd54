//! Rules on the repository's git history: the commit read (HEAD, or
//! `--ref` for bare clones) and its date.

use super::check::GitCheck;
use super::dates::Day;
use super::{Evidence, Verdict};
use crate::catalog::RepoCommit;

pub fn check(commit: Option<&RepoCommit>, today: Day, check: GitCheck) -> Verdict {
    let Some(commit) = commit else {
        return Verdict::not_applicable(Evidence::says("not a git repository"));
    };
    let Some(day) = Day::parse(&commit.date) else {
        return Verdict::not_applicable(
            Evidence::says("the commit's date is unknown").value(commit.id.clone()),
        );
    };
    match check {
        GitCheck::CommittedWithinDays(days) => {
            let age = day.days_until(today);
            let short: String = commit.id.chars().take(7).collect();
            Verdict::when(
                age <= i64::from(days),
                Evidence::says(format!(
                    "last commit {short} on {} ({age} days before {}), expected within {days} days",
                    day.label(),
                    today.label()
                ))
                .value(commit.id.clone())
                .dated(day.label()),
            )
        }
    }
}
