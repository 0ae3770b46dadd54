//! The last commit that changed each file: one first-parent history walk
//! per repository, comparing only the tree entries of the files asked
//! about (unchanged sub-trees compare equal by id, so this is cheap).

use std::collections::HashMap;

/// Who last changed a file, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastChange {
    pub commit: String,
    /// Author time, seconds since the Unix epoch.
    pub seconds: i64,
    pub author: String,
}

/// What the walk found: last changes, and each file's blob id at the start
/// commit (to tell uncommitted edits in work trees).
#[derive(Debug, Default)]
pub struct History {
    pub last_change: HashMap<String, LastChange>,
    pub head_blobs: HashMap<String, gix::ObjectId>,
}

// Commits walked at most; files unchanged for longer get no date.
use crate::limits::MAX_HISTORY_COMMITS as MAX_COMMITS;

pub fn walk(repo: &gix::Repository, start: gix::ObjectId, paths: &[String]) -> History {
    let mut history = History::default();
    let mut pending: Vec<String> = paths.to_vec();
    pending.sort();
    pending.dedup();
    let Ok(walk) = repo.rev_walk([start]).first_parent_only().all() else {
        return history;
    };
    let mut newer: Option<(LastChange, Vec<Option<gix::ObjectId>>)> = None;
    for (n, info) in walk.enumerate() {
        let Ok(info) = info else { break };
        let Ok(commit) = info.object() else { break };
        let Ok(tree) = commit.tree() else { break };
        let entries: Vec<Option<gix::ObjectId>> = pending
            .iter()
            .map(|p| {
                tree.lookup_entry_by_path(p)
                    .ok()
                    .flatten()
                    .map(|e| e.object_id())
            })
            .collect();
        if n == 0 {
            for (path, id) in pending.iter().zip(&entries) {
                if let Some(id) = id {
                    history.head_blobs.insert(path.clone(), *id);
                }
            }
        }
        let change = LastChange {
            commit: info.id.to_string(),
            seconds: commit
                .author()
                .ok()
                .and_then(|a| a.time().ok())
                .map_or(0, |t| t.seconds),
            author: commit
                .author()
                .map(|a| a.name.to_string())
                .unwrap_or_default(),
        };
        let mut entries = entries;
        if let Some((newer_change, newer_entries)) = newer.take() {
            // A file whose entry differs here was changed by the newer commit.
            let mut keep = Vec::with_capacity(pending.len());
            let mut keep_entries = Vec::with_capacity(pending.len());
            for ((path, old), new) in pending.drain(..).zip(entries.drain(..)).zip(newer_entries) {
                if new.is_some() && old != new {
                    history.last_change.insert(path, newer_change.clone());
                } else {
                    keep.push(path);
                    keep_entries.push(old);
                }
            }
            pending = keep;
            entries = keep_entries;
        }
        if pending.is_empty() || n >= MAX_COMMITS {
            return history;
        }
        newer = Some((change, entries));
    }
    // Whatever exists in the oldest commit walked was added there.
    if let Some((change, entries)) = newer {
        for (path, id) in pending.into_iter().zip(entries) {
            if id.is_some() {
                history.last_change.insert(path, change.clone());
            }
        }
    }
    history
}

/// When each of `paths` was added: the author time of the oldest commit of
/// the unbroken run of first-parent commits, from `start` back, whose tree
/// holds the file (the commit that added it last). Paths `start` lacks are
/// left out; a file older than [`MAX_COMMITS`] commits gets the oldest
/// commit walked.
pub fn added(
    repo: &gix::Repository,
    start: gix::ObjectId,
    paths: &[String],
) -> HashMap<String, i64> {
    let mut added = HashMap::new();
    let mut pending: Vec<String> = paths.to_vec();
    pending.sort();
    pending.dedup();
    let Ok(walk) = repo.rev_walk([start]).first_parent_only().all() else {
        return added;
    };
    for (n, info) in walk.enumerate() {
        if pending.is_empty() || n >= MAX_COMMITS {
            break;
        }
        let Ok(info) = info else { break };
        let Ok(commit) = info.object() else { break };
        let Ok(tree) = commit.tree() else { break };
        let seconds = commit
            .author()
            .ok()
            .and_then(|a| a.time().ok())
            .map_or(0, |t| t.seconds);
        pending.retain(|path| {
            let present = tree.lookup_entry_by_path(path).ok().flatten().is_some();
            if present {
                added.insert(path.clone(), seconds);
            }
            present
        });
    }
    added
}

/// For each moment in `moments` (seconds since the epoch), the last commit
/// on the first-parent line from `start` whose committer time is at or
/// before it: the commit a branch pointed at then. The walk stops once every
/// moment has its commit, and after [`MAX_COMMITS`] commits (moments older
/// than that get `None`, as do moments before the first commit).
pub fn commits_at(
    repo: &gix::Repository,
    start: gix::ObjectId,
    moments: &[i64],
) -> Vec<Option<gix::ObjectId>> {
    let mut found = vec![None; moments.len()];
    // Newest moment first, so one walk (newest commit first) serves all.
    let mut order: Vec<usize> = (0..moments.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(moments[i]));
    let mut next = 0;
    // The first-parent line read commit by commit: each commit found once
    // (through the repository's object cache, which the caller's reads of
    // the same commits then hit), without a revision walk's set-up (commit
    // graph and shallow file looked up, a queue and a seen set): a shallow
    // clone's line ends where its parent is missing, as the walk's did.
    let mut id = Some(start);
    let mut n = 0;
    while let Some(current) = id.take() {
        if next == order.len() || n >= MAX_COMMITS {
            break;
        }
        n += 1;
        let Ok(commit) = repo.find_commit(current) else {
            break;
        };
        id = commit.parent_ids().next().map(|p| p.detach());
        let Ok(seconds) = commit.time().map(|t| t.seconds) else {
            continue;
        };
        while next < order.len() && seconds <= moments[order[next]] {
            found[order[next]] = Some(current);
            next += 1;
        }
    }
    found
}

/// The git blob id of `bytes`, to compare a work-tree file with HEAD.
pub fn blob_id(bytes: &[u8]) -> Option<gix::ObjectId> {
    gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::objs::Kind::Blob, bytes).ok()
}

/// `YYYY-MM-DD` (UTC) for seconds since the epoch.
pub fn date(seconds: i64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let days = seconds.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_767_323_045), "2026-01-02");
        assert_eq!(date(951_782_400), "2000-02-29");
    }
}
