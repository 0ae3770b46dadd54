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
    let mut newer: Option<(LastChange, Vec<Option<gix::ObjectId>>, Trees)> = None;
    let loose = Loose::of(repo);
    for (n, info) in walk.enumerate() {
        let Ok(info) = info else { break };
        let Ok(commit) = info.object() else { break };
        let Ok(root) = commit.tree_id() else { break };
        let newer_lookup = newer
            .as_ref()
            .map(|(_, entries, trees)| (entries.as_slice(), trees));
        let Some((mut entries, trees)) =
            look_up(repo, &loose, root.detach(), &pending, newer_lookup)
        else {
            break;
        };
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
        if let Some((newer_change, newer_entries, _)) = newer.take() {
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
        newer = Some((change, entries, trees));
    }
    // Whatever exists in the oldest commit walked was added there.
    if let Some((change, entries, _)) = newer {
        for (path, id) in pending.into_iter().zip(entries) {
            if id.is_some() {
                history.last_change.insert(path, change.clone());
            }
        }
    }
    history
}

/// Where a walk reads loose trees whole (`super::loose`): the objects
/// folder while every tree asked for was found there. The first that is
/// not (a packed tree: most of a clone's history) sends the rest of the
/// walk to gix alone, so a packed repository pays one failed `open`, not
/// one per tree.
struct Loose<'a>(std::cell::Cell<Option<&'a std::path::Path>>);

impl<'a> Loose<'a> {
    fn of(repo: &'a gix::Repository) -> Loose<'a> {
        Loose(std::cell::Cell::new(super::loose::objects_folder(repo)))
    }

    fn read(&self, id: &gix::oid) -> Option<Vec<u8>> {
        let data = super::loose::read(self.0.get()?, id, gix::object::Kind::Tree);
        if data.is_none() {
            self.0.set(None);
        }
        data
    }
}

/// The folders one commit's lookup went through: each folder's path
/// (`""`: the root) and its tree's id.
type Trees = HashMap<String, gix::ObjectId>;

/// Each of `pending`'s (sorted) entries in the commit whose root tree is
/// `root`, and the folders the lookup went through, given the newer
/// commit's (see [`Lookup`]); `None` when `root` is not a tree that can
/// be read (the walk ends there, as it did at a commit whose tree could
/// not be read).
fn look_up(
    repo: &gix::Repository,
    loose: &Loose<'_>,
    root: gix::ObjectId,
    pending: &[String],
    newer: Option<(&[Option<gix::ObjectId>], &Trees)>,
) -> Option<(Vec<Option<gix::ObjectId>>, Trees)> {
    let mut found = vec![None; pending.len()];
    let mut trees = Trees::default();
    let indexed: Vec<(usize, &str)> = pending.iter().map(String::as_str).enumerate().collect();
    let read = Lookup {
        repo,
        loose,
        newer,
        trees: &mut trees,
        found: &mut found,
    }
    .tree("", root, &indexed);
    read.then_some((found, trees))
}

/// One commit's lookup of the pending paths: each tree on their way is
/// decoded once, not once per path, and a folder whose tree is the one
/// the newer commit had (its id the same) is not decoded at all: its
/// paths' entries are the newer commit's.
struct Lookup<'a, 'l> {
    repo: &'a gix::Repository,
    loose: &'a Loose<'l>,
    /// The newer commit's entries (by place in the pending list, as
    /// `paths` number them) and the trees its lookup went through.
    newer: Option<(&'a [Option<gix::ObjectId>], &'a Trees)>,
    trees: &'a mut Trees,
    /// Each pending path's entry in this commit, by its place.
    found: &'a mut [Option<gix::ObjectId>],
}

impl Lookup<'_, '_> {
    /// Finds `paths` (each with its place among the pending paths, sorted,
    /// relative to `folder`) in the tree `id`: the id of each one's entry,
    /// whatever its kind, as `Tree::lookup_entry_by_path` gives it (none
    /// below a tree that cannot be decoded). False when `id` is not a
    /// tree that can be read.
    fn tree(&mut self, folder: &str, id: gix::ObjectId, paths: &[(usize, &str)]) -> bool {
        if let Some((entries, trees)) = self.newer
            && trees.get(folder) == Some(&id)
        {
            self.trees.insert(folder.to_string(), id);
            for (place, _) in paths {
                self.found[*place] = entries.get(*place).copied().flatten();
            }
            return true;
        }
        // A loose tree read whole (`super::loose`), else gix's.
        let data = match self.loose.read(&id) {
            Some(data) => data,
            None => {
                let Some(tree) = self
                    .repo
                    .find_object(id)
                    .ok()
                    .and_then(|object| object.try_into_tree().ok())
                else {
                    return false;
                };
                tree.detach().data
            }
        };
        let Ok(decoded) = gix::objs::TreeRef::from_bytes(&data, self.repo.object_hash()) else {
            return true;
        };
        self.trees.insert(folder.to_string(), id);
        // Sorted paths: those in one child folder (or naming one entry)
        // are next to each other.
        let mut rest = paths;
        while let Some(&(_, first)) = rest.first() {
            let name = first.split_once('/').map_or(first, |(name, _)| name);
            let same = rest
                .iter()
                .take_while(|(_, p)| p.split_once('/').map_or(*p, |(n, _)| n) == name)
                .count();
            let (group, after) = rest.split_at(same);
            rest = after;
            let entry = decoded
                .entries
                .iter()
                .find(|e| e.filename == name.as_bytes());
            let mut inside = Vec::new();
            for &(place, path) in group {
                match path.split_once('/') {
                    None => self.found[place] = entry.map(|e| e.oid.to_owned()),
                    Some((_, below)) => inside.push((place, below)),
                }
            }
            if let Some(entry) = entry.filter(|e| e.mode.is_tree() && !inside.is_empty()) {
                let child = if folder.is_empty() {
                    name.to_string()
                } else {
                    format!("{folder}/{name}")
                };
                self.tree(&child, entry.oid.to_owned(), &inside);
            }
        }
        true
    }
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
    let mut newer: Option<(Vec<Option<gix::ObjectId>>, Trees)> = None;
    let loose = Loose::of(repo);
    for (n, info) in walk.enumerate() {
        if pending.is_empty() || n >= MAX_COMMITS {
            break;
        }
        let Ok(info) = info else { break };
        let Ok(commit) = info.object() else { break };
        let Ok(root) = commit.tree_id() else { break };
        let newer_lookup = newer
            .as_ref()
            .map(|(entries, trees)| (entries.as_slice(), trees));
        let Some((entries, trees)) = look_up(repo, &loose, root.detach(), &pending, newer_lookup)
        else {
            break;
        };
        let seconds = commit
            .author()
            .ok()
            .and_then(|a| a.time().ok())
            .map_or(0, |t| t.seconds);
        let mut present = Vec::with_capacity(pending.len());
        let mut present_entries = Vec::with_capacity(pending.len());
        for (path, entry) in pending.drain(..).zip(entries) {
            if entry.is_some() {
                added.insert(path.clone(), seconds);
                present.push(path);
                present_entries.push(entry);
            }
        }
        pending = present;
        newer = Some((present_entries, trees));
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

    /// Each first-parent commit from `start` back, with its tree.
    fn commits_of(repo: &gix::Repository, start: gix::ObjectId) -> Vec<(String, gix::Tree<'_>)> {
        repo.rev_walk([start])
            .first_parent_only()
            .all()
            .unwrap()
            .map(|info| {
                let info = info.unwrap();
                (info.id.to_string(), info.object().unwrap().tree().unwrap())
            })
            .collect()
    }

    /// The walk as it was before trees were shared between paths: every
    /// path looked up from the root tree of every commit.
    fn walk_path_by_path(
        repo: &gix::Repository,
        start: gix::ObjectId,
        paths: &[String],
    ) -> HashMap<String, String> {
        let mut last: HashMap<String, String> = HashMap::new();
        let commits = commits_of(repo, start);
        for path in paths {
            let id_at = |tree: &gix::Tree<'_>| {
                tree.lookup_entry_by_path(path)
                    .ok()
                    .flatten()
                    .map(|e| e.object_id())
            };
            for (n, (commit, tree)) in commits.iter().enumerate() {
                let here = id_at(tree);
                let older = commits.get(n + 1).map(|(_, t)| id_at(t));
                if here.is_some() && older.is_none_or(|older| older != here) {
                    last.insert(path.clone(), commit.to_string());
                    break;
                }
            }
        }
        last
    }

    #[test]
    fn each_path_s_last_change_is_the_one_a_lookup_path_by_path_finds() {
        use crate::read::git_facts::tests::git;
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        git(root, &["init", "-q"]);
        let write = |path: &str, text: &str| {
            let full = root.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        };
        // Each commit a day after the last: `added` gives author times.
        let day = std::cell::Cell::new(0);
        let commit = |message: &str| {
            day.set(day.get() + 1);
            let date = format!("2026-01-{:02}T00:00:00+00:00", day.get());
            git(root, &["add", "-A"]);
            git(
                root,
                &[
                    "commit",
                    "-q",
                    "--allow-empty",
                    "--date",
                    &date,
                    "-m",
                    message,
                ],
            );
        };
        write("README.md", "one");
        write("docs/index.md", "one");
        write("docs/guide/a.md", "one");
        write("docs/guide/b.md", "one");
        write("docs/ref/c.md", "one");
        write("docs-old/x.md", "one");
        commit("first");
        write("docs/guide/a.md", "two");
        commit("a changed");
        commit("empty");
        std::fs::rename(root.join("docs/ref"), root.join("docs/api")).unwrap();
        commit("ref renamed");
        std::fs::remove_file(root.join("docs/guide/b.md")).unwrap();
        commit("b deleted");
        write("docs/guide/b.md", "one");
        commit("b back as it was");
        std::fs::remove_dir_all(root.join("docs-old")).unwrap();
        write("docs-old", "now a file");
        commit("a folder became a file");
        write("docs/index.md", "three");
        write("docs/api/c.md", "two");
        commit("two changed");
        let repo = gix::open(root).unwrap();
        let start = repo.head_id().unwrap().detach();
        let paths: Vec<String> = [
            "README.md",
            "docs/index.md",
            "docs/guide/a.md",
            "docs/guide/b.md",
            "docs/api/c.md",
            "docs/ref/c.md",
            "docs-old/x.md",
            "docs-old",
            "docs/missing.md",
            "docs/guide",
            "docs/guide/a.md/below",
        ]
        .map(String::from)
        .to_vec();
        let history = walk(&repo, start, &paths);
        let found: HashMap<String, String> = history
            .last_change
            .iter()
            .map(|(path, change)| (path.clone(), change.commit.clone()))
            .collect();
        assert_eq!(found, walk_path_by_path(&repo, start, &paths));
        // The cases are there: `b.md` was last changed by its deletion's
        // undoing, and the file `docs-old` by the commit that made it.
        let subject = |path: &str| git(root, &["log", "-1", "--format=%s", &found[path]]);
        assert_eq!(subject("docs/guide/b.md"), "b back as it was");
        assert_eq!(subject("docs-old"), "a folder became a file");
        assert_eq!(subject("docs/guide/a.md"), "a changed");
        assert_eq!(subject("README.md"), "first");
        assert!(!found.contains_key("docs/missing.md"));
        // A path HEAD lacks keeps the change of its last commit.
        assert_eq!(subject("docs/ref/c.md"), "first");
        // When each was added: the oldest commit of its unbroken run.
        let added = added(&repo, start, &paths);
        let when_added: HashMap<String, String> = paths
            .iter()
            .filter_map(|path| {
                let mut run = None;
                for (commit, tree) in commits_of(&repo, start) {
                    if tree.lookup_entry_by_path(path).ok().flatten().is_none() {
                        break;
                    }
                    run = Some(commit);
                }
                run.map(|commit| (path.clone(), commit))
            })
            .collect();
        assert_eq!(
            added.keys().collect::<std::collections::BTreeSet<_>>(),
            when_added.keys().collect()
        );
        let time_of = |commit: &str| git(root, &["log", "-1", "--format=%at", commit]);
        for (path, commit) in &when_added {
            assert_eq!(added[path].to_string(), time_of(commit), "{path}");
        }
        assert_eq!(
            git(
                root,
                &["log", "-1", "--format=%s", &when_added["docs/guide/b.md"]]
            ),
            "b back as it was"
        );
        // Every path HEAD holds has its blob (a folder its tree).
        assert_eq!(history.head_blobs.len(), 7);
        // The first commit's `docs/guide` tree replaced by HEAD's (`git
        // replace`): gix reads the replacement for the replaced id, and so
        // must the walk (loose trees are read whole only without
        // replacements): `a.md` is then unchanged since the first commit.
        assert!(super::super::loose::objects_folder(&repo).is_some());
        let old = git(root, &["rev-parse", "HEAD~7:docs/guide"]);
        let new = git(root, &["rev-parse", "HEAD:docs/guide"]);
        git(root, &["replace", old.trim(), new.trim()]);
        let repo = gix::open(root).unwrap();
        assert!(super::super::loose::objects_folder(&repo).is_none());
        let replaced: HashMap<String, String> = walk(&repo, start, &paths)
            .last_change
            .into_iter()
            .map(|(path, change)| (path, change.commit))
            .collect();
        assert_eq!(replaced, walk_path_by_path(&repo, start, &paths));
        assert_ne!(replaced["docs/guide/a.md"], found["docs/guide/a.md"]);
        // Without the replacement, every object packed: the walk reads
        // through gix alone, and finds what it found in loose trees.
        git(root, &["replace", "-d", old.trim()]);
        git(root, &["gc", "-q", "--prune=now"]);
        let repo = gix::open(root).unwrap();
        let packed: HashMap<String, String> = walk(&repo, start, &paths)
            .last_change
            .into_iter()
            .map(|(path, change)| (path, change.commit))
            .collect();
        assert_eq!(packed, found);
    }
}
