//! Each repository's git activity (release tags, lead times, recent
//! authors: `read::activity`) kept between builds of one process
//! (`portico serve`) while the repository's version holds (see
//! `memo::Versions`). A catalog edit judges every entity again; with this,
//! it does so without listing 2,000 repositories' tags again.
//!
//! Kept only where every change that can alter the activity is a change
//! the watcher sees under the repository's root: a bare clone (its root is
//! the git folder) or a work tree whose `.git` is a folder. A `.git` file
//! (a linked work tree, a submodule) points at refs elsewhere: read again
//! on every build.

use crate::memo::{Key, Versions, lock};
use crate::read::activity::{Activity, Wanted};
use crate::read::{RepoKind, RepoSource};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Each repository's activity by its shown path, with the version and the
/// question (`Wanted`, `--ref`) it answers.
#[derive(Debug, Default)]
pub struct ActivityMemo {
    repos: Mutex<HashMap<String, Kept>>,
}

#[derive(Clone, Debug)]
struct Kept {
    version: u64,
    asked: Key,
    activity: Option<Arc<Activity>>,
}

/// The key of what is asked of every repository in one build.
pub fn asked(wanted: &Wanted<'_>, git_ref: Option<&str>) -> Key {
    let mut key = crate::memo::hasher();
    crate::memo::part(&mut key, wanted.tags.as_str().as_bytes());
    key.update(&wanted.until.to_le_bytes());
    key.update(&wanted.authors_since.to_le_bytes());
    crate::memo::part(&mut key, git_ref.unwrap_or("\0none").as_bytes());
    key.digest128()
}

impl ActivityMemo {
    /// The activity of `source`: kept from an earlier build of the same
    /// version and question, else read by `read`; with the version to keep
    /// it under (`None`: not to be kept), for [`ActivityMemo::replace`].
    pub fn get_or_read(
        &self,
        versions: &Versions,
        source: &RepoSource,
        asked: Key,
        read: impl FnOnce() -> Option<Activity>,
    ) -> (Option<Arc<Activity>>, Option<u64>) {
        // The version before any read: an edit during this build leaves
        // what it read kept under the old version, never the new one.
        let Some(version) = versions.of(&source.root) else {
            return (read().map(Arc::new), None);
        };
        let kept = lock(&self.repos)
            .get(&source.display)
            .filter(|k| k.version == version && k.asked == asked)
            .map(|k| k.activity.clone());
        // Only a watched repository's answer is kept, and its git folder
        // cannot have become a file since without a report under its root
        // (a new version): not looked at again (2,000 `stat`s a build).
        if let Some(activity) = kept {
            return (activity, Some(version));
        }
        (read().map(Arc::new), watched(source).then_some(version))
    }

    /// Keeps this build's answers (and drops repositories it did not ask
    /// about: the memo follows the organisation).
    pub fn replace(&self, asked: Key, answers: Vec<(String, u64, Option<Arc<Activity>>)>) {
        let repos = answers
            .into_iter()
            .map(|(display, version, activity)| {
                let kept = Kept {
                    version,
                    asked,
                    activity,
                };
                (display, kept)
            })
            .collect();
        *lock(&self.repos) = repos;
    }

    /// How many repositories' answers are kept.
    pub fn len(&self) -> usize {
        lock(&self.repos).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Whether every change to `source`'s activity is under its root, where
/// the watcher sees it.
fn watched(source: &RepoSource) -> bool {
    let git_dir = match source.kind {
        RepoKind::Bare => source.root.clone(),
        RepoKind::WorkTree => source.root.join(".git"),
        RepoKind::Plain => return true,
    };
    std::fs::symlink_metadata(git_dir).is_ok_and(|m| m.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// An activity naming where it was read from, and how many reads.
    fn reading<'a>(reads: &'a Cell<u32>, tag: &'a str) -> impl Fn() -> Option<Activity> + 'a {
        move || {
            reads.set(reads.get() + 1);
            Some(Activity {
                truncated: tag == "truncated",
                ..Activity::default()
            })
        }
    }

    /// The question of the tests: tags `^v`, activity until `until` and
    /// authors since then, on the checked-out branch or `git_ref`.
    fn asked_until(until: i64, git_ref: Option<&str>) -> Key {
        let tags = regex::Regex::new("^v").unwrap();
        let wanted = Wanted {
            tags: &tags,
            until,
            authors_since: until,
        };
        asked(&wanted, git_ref)
    }

    #[test]
    fn activity_is_kept_only_while_the_repository_and_the_question_hold() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join(".git")).unwrap();
        let source = crate::discover::source(&root, RepoKind::WorkTree);
        let asked_now = asked_until(100, None);
        let versions = Versions::default();
        let memo = ActivityMemo::default();
        let reads = Cell::new(0);
        let build = |asked, tag| {
            let (activity, version) =
                memo.get_or_read(&versions, &source, asked, reading(&reads, tag));
            let version = version.expect("a work tree with a .git folder is kept");
            memo.replace(
                asked,
                vec![(source.display.clone(), version, activity.clone())],
            );
            activity.unwrap()
        };
        build(asked_now, "first");
        assert_eq!(reads.get(), 1);
        // Nothing changed: kept, not read.
        build(asked_now, "first");
        assert_eq!(reads.get(), 1);
        // A tag pushed (a ref under the root): read again.
        versions.touch(&[root.canonicalize().unwrap().join(".git/refs/tags/v2")]);
        assert!(build(asked_now, "truncated").truncated);
        assert_eq!(reads.get(), 2);
        // Another repository's change leaves it kept.
        std::fs::create_dir_all(dir.path().join("other")).unwrap();
        let other = crate::discover::source(&dir.path().join("other"), RepoKind::Plain);
        let _ = versions.of(&other.root);
        versions.touch(&[other.root.canonicalize().unwrap().join("a.md")]);
        assert!(build(asked_now, "first").truncated, "the kept answer");
        assert_eq!(reads.get(), 2);
        // Another day or tag pattern is another question.
        build(asked_until(200, None), "first");
        assert_eq!(reads.get(), 3);
        build(asked_until(200, Some("main")), "first");
        assert_eq!(reads.get(), 4);
        // Lost events: everything read again.
        versions.touch(&[]);
        build(asked_until(200, Some("main")), "first");
        assert_eq!(reads.get(), 5);
        assert_eq!(memo.len(), 1);
    }

    #[test]
    fn a_git_file_pointing_elsewhere_is_never_kept() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("linked");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(
            root.join(".git"),
            "gitdir: ../elsewhere/.git/worktrees/linked\n",
        )
        .unwrap();
        let source = crate::discover::source(&root, RepoKind::WorkTree);
        let asked = asked_until(1, None);
        let versions = Versions::default();
        let memo = ActivityMemo::default();
        let reads = Cell::new(0);
        for expected in 1..=2 {
            let (_, version) = memo.get_or_read(&versions, &source, asked, reading(&reads, ""));
            assert_eq!(version, None);
            assert_eq!(reads.get(), expected);
        }
    }

    /// A kept answer's git folder is not looked at again while the version
    /// holds; replaced by a `.git` file (reported under the root), it is
    /// read again and no longer kept.
    #[test]
    fn a_git_folder_replaced_by_a_file_is_no_longer_kept() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join(".git")).unwrap();
        let source = crate::discover::source(&root, RepoKind::WorkTree);
        let asked = asked_until(1, None);
        let versions = Versions::default();
        let memo = ActivityMemo::default();
        let reads = Cell::new(0);
        let (activity, version) = memo.get_or_read(&versions, &source, asked, reading(&reads, ""));
        let version = version.expect("a .git folder is kept");
        memo.replace(asked, vec![(source.display.clone(), version, activity)]);
        std::fs::remove_dir(root.join(".git")).unwrap();
        std::fs::write(root.join(".git"), "gitdir: ../elsewhere/.git\n").unwrap();
        versions.touch(&[root.canonicalize().unwrap().join(".git")]);
        let (_, version) = memo.get_or_read(&versions, &source, asked, reading(&reads, ""));
        assert_eq!(version, None, "a .git file is not kept");
        assert_eq!(reads.get(), 2, "read again");
    }
}
