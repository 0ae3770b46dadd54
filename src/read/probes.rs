//! What a reader asked of a work tree or plain folder, so that work made
//! from those answers can be kept while they hold (the catalog's loads,
//! `catalog::kept`).
//!
//! Every path read or looked up is recorded with its stamp, taken when it
//! was asked (before the read: a file changed after the stamp and before
//! the read shows a changed stamp next time, never a stale kept answer),
//! and a listing of the whole repository by a hash of the paths it gave.
//! A stamp is the path's own `lstat` (type, length, modification and
//! change times, inode) and that of the file it leads to, plus the type
//! and inode of each folder on the way (a folder swapped for a link to
//! another is seen), so a file's bytes cannot change without changing it,
//! as git's index compares files. A path that is not there has a stamp
//! too: a file that appears is seen.
//!
//! A git tree needs no record: its commit, in the reader's key, fixes
//! every answer.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The answers a reader was given, by path, and the listing's hash.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probes {
    paths: BTreeMap<String, u128>,
    /// A hash of the sorted paths [`super::Snapshot::list_files`] gave.
    listing: Option<u128>,
}

impl Probes {
    /// Records `path` (repository-relative, normalized) under `root`,
    /// stamped now, unless it is recorded already (the first stamp is the
    /// one taken before the first read).
    pub(super) fn path(&mut self, root: &Path, path: &str) {
        if !self.paths.contains_key(path) {
            self.paths.insert(path.to_string(), stamp(root, path));
        }
    }

    /// Records a listing of the repository (its files and where it was
    /// cut: a listing that gains a cut warns where the kept one did not).
    pub(super) fn listing(&mut self, listing: &super::Listing) {
        self.listing.get_or_insert_with(|| listing_hash(listing));
    }

    /// Whether every answer recorded would be the same in `snapshot` now.
    pub fn hold(&self, snapshot: &super::Snapshot) -> bool {
        let Some(root) = snapshot.disk_root() else {
            return false;
        };
        self.paths
            .iter()
            .all(|(path, kept)| stamp(root, path) == *kept)
            && self
                .listing
                .is_none_or(|kept| listing_hash(&snapshot.list_unvendored()) == kept)
    }
}

fn listing_hash(listing: &super::Listing) -> u128 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for file in &listing.files {
        hasher.update(&(file.len() as u64).to_le_bytes());
        hasher.update(file.as_bytes());
    }
    // Cut folders after a marker no file length can be.
    hasher.update(&u64::MAX.to_le_bytes());
    for folder in &listing.unlisted {
        hasher.update(&(folder.len() as u64).to_le_bytes());
        hasher.update(folder.as_bytes());
    }
    hasher.digest128()
}

/// The stamp of `path` below `root` (see the module comment).
fn stamp(root: &Path, path: &str) -> u128 {
    use std::os::unix::fs::MetadataExt;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut add = |meta: std::io::Result<std::fs::Metadata>, whole: bool| match meta {
        Ok(meta) => {
            let kind = meta.file_type();
            let kind = u64::from(kind.is_file()) | u64::from(kind.is_dir()) << 1;
            let kind = kind | u64::from(meta.file_type().is_symlink()) << 2;
            hasher.update(&[1]);
            hasher.update(&kind.to_le_bytes());
            hasher.update(&meta.ino().to_le_bytes());
            if whole || meta.file_type().is_symlink() {
                for part in [
                    meta.len(),
                    meta.mtime() as u64,
                    meta.mtime_nsec() as u64,
                    meta.ctime() as u64,
                    meta.ctime_nsec() as u64,
                ] {
                    hasher.update(&part.to_le_bytes());
                }
            }
        }
        Err(_) => hasher.update(&[0]),
    };
    let full = root.join(path);
    // The folders on the way: their type and inode (a link's times too).
    let mut folder = root.to_path_buf();
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    for part in parts.iter().take(parts.len().saturating_sub(1)) {
        folder.push(part);
        add(std::fs::symlink_metadata(&folder), false);
    }
    add(std::fs::symlink_metadata(&full), true);
    add(std::fs::metadata(&full), true);
    hasher.digest128()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{RepoKind, Snapshot};

    fn open(root: &Path) -> Snapshot {
        let source = crate::discover::source(root, RepoKind::Plain);
        Snapshot::open(&source, None).unwrap()
    }

    /// A listing that gains or loses a cut is another answer: the kept
    /// load's `listing-truncated` warnings follow it.
    #[test]
    fn a_listing_is_told_apart_by_its_cuts_too() {
        let files = vec!["a.yaml".to_string(), "b/c.yaml".to_string()];
        let whole = super::super::Listing {
            files: files.clone(),
            ..Default::default()
        };
        let cut = super::super::Listing {
            files,
            unlisted: vec!["b".to_string()],
            ..Default::default()
        };
        assert_ne!(listing_hash(&whole), listing_hash(&cut));
        assert_eq!(listing_hash(&cut), listing_hash(&cut));
    }

    /// Each kind of change to what was asked breaks the record: a file's
    /// bytes, a file appearing where none was, a file removed, a folder
    /// on the way swapped for a link, a new file in a listed repository.
    #[test]
    fn a_record_holds_until_an_answer_would_change() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::create_dir_all(root.join("b")).unwrap();
        std::fs::write(root.join("a/x.yaml"), "one").unwrap();
        std::fs::write(root.join("b/x.yaml"), "two").unwrap();
        let record = |listing: bool| {
            let mut snapshot = open(root);
            snapshot.record_probes();
            let _ = snapshot.read_text("a/x.yaml");
            let _ = snapshot.exists("missing.yaml");
            if listing {
                let _ = snapshot.list_files();
            }
            snapshot.take_probes().unwrap()
        };
        let holds = |probes: &Probes| probes.hold(&open(root));

        let probes = record(false);
        assert!(holds(&probes));
        std::fs::write(root.join("a/x.yaml"), "one!").unwrap();
        assert!(!holds(&probes));

        let probes = record(false);
        std::fs::write(root.join("missing.yaml"), "now here").unwrap();
        assert!(!holds(&probes));
        std::fs::remove_file(root.join("missing.yaml")).unwrap();
        assert!(holds(&probes));

        let probes = record(false);
        std::fs::rename(root.join("a"), root.join("a-old")).unwrap();
        std::os::unix::fs::symlink(root.join("b"), root.join("a")).unwrap();
        assert!(!holds(&probes));
        std::fs::remove_file(root.join("a")).unwrap();
        std::fs::rename(root.join("a-old"), root.join("a")).unwrap();

        let probes = record(true);
        assert!(holds(&probes));
        std::fs::write(root.join("b/new.yaml"), "new").unwrap();
        assert!(!holds(&probes));
        // Without a listing, a file nobody asked about changes nothing.
        let probes = record(false);
        std::fs::write(root.join("b/other.yaml"), "other").unwrap();
        assert!(holds(&probes));
    }
}
