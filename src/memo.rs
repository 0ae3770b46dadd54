//! What a long-running process (`portico serve`) knows about which
//! repositories changed since it last read them: a version per repository,
//! bumped by the file watcher. Work done for a repository (its catalog
//! load, its docs) is kept under that version and reused while it holds.
//! A change the watcher cannot place (a new folder beside the
//! repositories, a lost event) starts a new epoch: everything is redone.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

#[derive(Debug, Default)]
pub struct Versions {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    epoch: u64,
    /// Canonical repository root → its count of changes.
    roots: HashMap<PathBuf, u64>,
}

impl Versions {
    /// The version of the repository at `root`: equal for two builds only
    /// if nothing under it changed in between. `None` when the root cannot
    /// be resolved (its work is then never kept).
    pub fn of(&self, root: &Path) -> Option<u64> {
        let root = root.canonicalize().ok()?;
        let mut state = self.lock();
        let epoch = state.epoch;
        let count = *state.roots.entry(root).or_default();
        Some(epoch.wrapping_mul(1 << 32).wrapping_add(count))
    }

    /// Records changes at `paths` (absolute): each repository holding one
    /// gets a new version; a path in no known repository, or no path at
    /// all (the watcher lost events), makes every version new.
    pub fn touch(&self, paths: &[PathBuf]) {
        let mut state = self.lock();
        if paths.is_empty() {
            state.epoch += 1;
            return;
        }
        for path in paths {
            let mut placed = false;
            for (root, count) in state.roots.iter_mut() {
                if path.starts_with(root) {
                    *count += 1;
                    placed = true;
                }
            }
            if !placed {
                state.epoch += 1;
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_gives_its_repository_a_new_version() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        let versions = Versions::default();
        let (a1, b1) = (versions.of(&a), versions.of(&b));
        let canonical = a.canonicalize().unwrap();
        versions.touch(&[canonical.join("docs/index.md")]);
        assert_ne!(versions.of(&a), a1);
        assert_eq!(versions.of(&b), b1, "b did not change");
        let (a2, b2) = (versions.of(&a), versions.of(&b));
        versions.touch(&[tmp.path().canonicalize().unwrap().join("new-repo/x")]);
        assert_ne!(versions.of(&a), a2, "an unplaced change renews everything");
        assert_ne!(versions.of(&b), b2);
        assert_eq!(versions.of(&tmp.path().join("missing")), None);
    }
}
