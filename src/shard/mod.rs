//! Sharded builds: `portico build --shard i/N` renders a stable share of
//! the repositories' docs into a *part* ([`part`]); `portico merge` reads
//! every part and finishes the site as one build would.
//!
//! A repository's shard is chosen by rendezvous hashing of its identity
//! (its path as shown, under the ROOTs as given): each repository goes to
//! the shard whose hash with it is highest, so adding or removing a
//! repository moves no other, and going from N to N+1 shards moves about
//! one repository in N+1.

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
    /// Whether the repository with `identity` is this shard's.
    pub fn holds(&self, identity: &str) -> bool {
        shard_of(identity, self.count) == self.index
    }
}

/// The shard (1 to `count`) of the repository with `identity`: the one
/// whose hash with it is highest (rendezvous hashing).
pub fn shard_of(identity: &str, count: usize) -> usize {
    (1..=count)
        .max_by_key(|shard| {
            // Not the memo's hasher, which mixes in Portico's version:
            // shares stay put across upgrades.
            let mut hasher = xxhash_rust::xxh3::Xxh3::new();
            crate::memo::part(&mut hasher, identity.as_bytes());
            hasher.update(&(*shard as u64).to_le_bytes());
            (hasher.digest(), std::cmp::Reverse(*shard))
        })
        .unwrap_or(1)
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

    #[test]
    fn every_repository_has_exactly_one_shard_and_shares_are_even() {
        let names: Vec<String> = (0..2000).map(|i| format!("org/repo-{i}")).collect();
        for count in [1, 2, 3, 8] {
            let mut sizes = vec![0usize; count];
            for name in &names {
                let holders: Vec<usize> = (1..=count)
                    .filter(|&index| Shard { index, count }.holds(name))
                    .collect();
                assert_eq!(holders.len(), 1, "{name} in {count} shards");
                sizes[holders[0] - 1] += 1;
            }
            let fair = names.len() / count;
            assert!(
                sizes
                    .iter()
                    .all(|&s| s > fair * 8 / 10 && s < fair * 12 / 10),
                "{count} shards: {sizes:?}"
            );
        }
    }

    #[test]
    fn one_more_shard_moves_only_repositories_into_it() {
        let names: Vec<String> = (0..2000).map(|i| format!("org/repo-{i}")).collect();
        let moved: Vec<&String> = names
            .iter()
            .filter(|n| shard_of(n, 4) != shard_of(n, 5))
            .collect();
        assert!(moved.iter().all(|n| shard_of(n, 5) == 5));
        // About one in five, not most of them as `hash % N` would move.
        assert!(moved.len() > 300 && moved.len() < 500, "{}", moved.len());
    }
}
