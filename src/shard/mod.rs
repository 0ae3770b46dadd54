//! Sharded builds: `portico build --shard i/N` renders a stable share of
//! the repositories' docs into a *part* ([`part`]); `portico merge` reads
//! every part and finishes the site as one build would.
//!
//! A repository's shard is chosen by a hash of its identity (its path as
//! shown, under the ROOTs as given) among every repository found
//! ([`assign`]): the repositories sorted by that hash are cut into N runs
//! whose lengths differ by at most one, and adding or removing a
//! repository moves at most N − 1 others (one across each boundary
//! between runs). Every shard
//! must see the same list of repositories: each discovers all of them
//! (it reads the whole catalog anyway), and a part records a fingerprint
//! of the list ([`RepoList`]) that `merge` checks against its own.

pub mod part;

use std::fmt;
use std::str::FromStr;

/// The most shards a build may be cut into.
pub const MAX_SHARDS: usize = 256;

/// One shard of a build: `index` of `count`, counted from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl FromStr for Shard {
    type Err = String;

    /// `i/N`, with 1 ≤ i ≤ N ≤ [`MAX_SHARDS`].
    fn from_str(text: &str) -> Result<Shard, String> {
        let usage =
            || format!("`{text}` is not a shard: write i/N, e.g. 2/4 for the second of four");
        let (index, count) = text.split_once('/').ok_or_else(usage)?;
        let index: usize = index.trim().parse().map_err(|_| usage())?;
        let count: usize = count.trim().parse().map_err(|_| usage())?;
        if count == 0 || count > MAX_SHARDS {
            return Err(format!(
                "`{text}`: the number of shards must be 1 to {MAX_SHARDS}"
            ));
        }
        if index == 0 || index > count {
            return Err(format!("`{text}`: shards are counted from 1 to {count}"));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Which of `identities` (every repository found, in any order) are
    /// this shard's, in their order.
    pub fn share(&self, identities: &[&str]) -> Vec<bool> {
        assign(identities, self.count)
            .into_iter()
            .map(|shard| shard == self.index)
            .collect()
    }
}

/// The shard (1 to `count`) of each of `identities` (every repository
/// found), in their order: the identities sorted by their hash (ties by
/// the identity) and cut into `count` runs, the one at place `p` of `k`
/// going to run `p × count / k`. The runs' lengths differ by at most one,
/// and a list with one repository more or less moves at most `count − 1`
/// of the others: each boundary between runs shifts by at most one place.
/// The order of `identities` does not matter, only which they are.
pub fn assign(identities: &[&str], count: usize) -> Vec<usize> {
    let count = count.max(1);
    let mut order: Vec<(u64, &str, usize)> = identities
        .iter()
        .enumerate()
        .map(|(at, identity)| (identity_hash(identity), *identity, at))
        .collect();
    order.sort_unstable();
    let total = order.len();
    let mut shards = vec![1; total];
    for (place, (_, _, at)) in order.into_iter().enumerate() {
        shards[at] = place * count / total + 1;
    }
    shards
}

/// A repository's place in the hash order. Not the memo's hasher, which
/// mixes in Portico's version: shares stay put across upgrades.
fn identity_hash(identity: &str) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    crate::memo::part(&mut hasher, identity.as_bytes());
    hasher.digest()
}

/// What a part records of the repositories its shard found (all of them,
/// not only its own): how many, and a hash of their identities (sorted,
/// since the order found does not change the shares). `merge` refuses a
/// part whose shard found another list, since the shares (and the catalog
/// its pages were drawn with) would not be the ones `merge` works with.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RepoList {
    pub count: usize,
    pub hash: String,
}

impl RepoList {
    pub fn of(identities: &[&str]) -> RepoList {
        let mut sorted = identities.to_vec();
        sorted.sort_unstable();
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        for identity in sorted {
            crate::memo::part(&mut hasher, identity.as_bytes());
        }
        RepoList {
            count: identities.len(),
            hash: format!("{:032x}", hasher.digest128()),
        }
    }
}

/// The commit each repository was read from (`read::commit_read`), by
/// identity; repositories without one (plain folders) are left out. Each
/// shard records every repository's, since its pages were drawn with the
/// whole catalog, and `merge` refuses parts built from other commits than
/// the ones it reads.
pub type Commits = std::collections::BTreeMap<String, String>;

/// [`Commits`] of `repos`, read at `rev` (`--ref`).
pub fn commits_of(repos: &[crate::read::RepoSource], rev: Option<&str>) -> Commits {
    use rayon::prelude::*;
    repos
        .par_iter()
        .filter_map(|repo| Some((repo.display.clone(), crate::read::commit_read(repo, rev)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_read_as_i_of_n() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        assert_eq!("1/1".parse(), Ok(Shard { index: 1, count: 1 }));
        for bad in ["0/3", "4/3", "1/0", "x/2", "2", "1/999", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!(Shard { index: 3, count: 8 }.to_string(), "3/8");
    }

    fn names(count: usize) -> Vec<String> {
        (0..count).map(|i| format!("org/repo-{i}")).collect()
    }

    fn shares(identities: &[&str], count: usize) -> Vec<usize> {
        let mut sizes = vec![0usize; count];
        for shard in assign(identities, count) {
            sizes[shard - 1] += 1;
        }
        sizes
    }

    #[test]
    fn every_repository_has_exactly_one_shard_and_shares_differ_by_one_at_most() {
        for total in [0, 1, 2, 3, 7, 200, 2000] {
            let names = names(total);
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            for count in [1, 2, 3, 4, 8, 13] {
                let sizes = shares(&names, count);
                assert_eq!(sizes.iter().sum::<usize>(), total);
                let (least, most) = (sizes.iter().min(), sizes.iter().max());
                assert!(
                    most.unwrap() - least.unwrap() <= 1,
                    "{total} in {count}: {sizes:?}"
                );
                for index in 1..=count {
                    let share = Shard { index, count }.share(&names);
                    assert_eq!(share.iter().filter(|&&m| m).count(), sizes[index - 1]);
                }
            }
        }
    }

    #[test]
    fn the_order_found_does_not_matter() {
        let names = names(50);
        let mut names: Vec<&str> = names.iter().map(String::as_str).collect();
        let before: std::collections::HashMap<&str, usize> =
            names.iter().copied().zip(assign(&names, 4)).collect();
        names.reverse();
        names.rotate_left(17);
        for (name, shard) in names.iter().zip(assign(&names, 4)) {
            assert_eq!(before[name], shard, "{name}");
        }
    }

    /// How many of the repositories both lists hold changed shards.
    fn moved(before: &[&str], after: &[&str], count: usize) -> usize {
        let old: std::collections::HashMap<&str, usize> =
            before.iter().copied().zip(assign(before, count)).collect();
        after
            .iter()
            .zip(assign(after, count))
            .filter(|(name, shard)| old.get(*name).is_some_and(|o| o != shard))
            .count()
    }

    #[test]
    fn one_repository_more_or_less_moves_fewer_than_n_others() {
        let names = names(201);
        let all: Vec<&str> = names.iter().map(String::as_str).collect();
        for count in [2, 4, 8] {
            let mut most = 0;
            for gone in 0..all.len() {
                let mut fewer = all.clone();
                fewer.remove(gone);
                // Removing one is adding it, read backwards.
                let n = moved(&all, &fewer, count);
                assert_eq!(n, moved(&fewer, &all, count));
                assert!(n < count, "{count} shards, without {gone}: {n} moved");
                most = most.max(n);
            }
            assert!(most > 0, "some boundary moves");
        }
    }

    #[test]
    fn one_more_shard_moves_about_half() {
        // Runs cut anew: the price of even shares (rendezvous hashing moved
        // about one in N + 1). Changing N is rare; the caches refill once.
        let names = names(2000);
        let all: Vec<&str> = names.iter().map(String::as_str).collect();
        let (four, five) = (assign(&all, 4), assign(&all, 5));
        let moved = four.iter().zip(&five).filter(|(a, b)| a != b).count();
        assert!(moved > 900 && moved < 1100, "{moved}");
    }

    #[test]
    fn a_list_fingerprint_tells_lists_apart() {
        let list = RepoList::of(&["org/a", "org/b"]);
        assert_eq!(list, RepoList::of(&["org/a", "org/b"]));
        assert_eq!(list.count, 2);
        assert_eq!(list, RepoList::of(&["org/b", "org/a"]));
        assert_ne!(list, RepoList::of(&["org/ab"]));
        assert_ne!(list, RepoList::of(&["org/a", "org/b", "org/c"]));
    }
}
