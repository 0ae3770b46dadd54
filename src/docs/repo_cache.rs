//! A repository's docs kept whole in the build cache (`portico build`),
//! so a repository nothing changed in is neither read, rendered nor laid
//! out again: its pages are carried over from the last site and what the
//! link check, search and the portal need ([`RepoDocs`]) is read back.
//!
//! The key is everything the repository's docs are made from:
//! - every file of the repository: for a bare clone, the commit read (its
//!   tree holds every file); for a work tree or a plain folder, each
//!   listed file's path, length, modification and change times and inode,
//!   as git's index compares them (a file's bytes cannot change without
//!   changing those), plus the commit for git dates;
//! - the git facts (branch, commit, remote: edit links, dates);
//! - the entities whose docs the repository holds, as read;
//! - the docs settings and [`DocsOptions::layout_key`] (configuration and
//!   theme). Portico's own version is the cache folder's (see
//!   [`crate::cache`]).
//!
//! Sites with versions from git tags are not kept this way: their inputs
//! include every matching tag.

use super::build::{DocsOptions, RepoDocs, WrittenFile};
use super::memo::{self, Key};
use super::versions;
use crate::cache::DiskCache;
use crate::catalog::Entity;
use crate::read::{Listing, RepoKind, Snapshot};
use serde::{Deserialize, Serialize};

/// What a repository's docs are kept under in the build cache.
const KIND: &str = "repo-docs";

/// Bumped when what is kept changes shape.
const FORMAT: u32 = 2;

/// A repository's docs as built, and every file its build wrote.
#[derive(Deserialize)]
struct RepoPack {
    docs: RepoDocs,
    files: Vec<WrittenFile>,
}

/// [`RepoPack`], borrowed, to be written.
#[derive(Serialize)]
struct RepoPackRef<'a> {
    docs: &'a RepoDocs,
    files: &'a [WrittenFile],
}

/// The key of everything the repository's docs are made from, or `None`
/// when they are not kept whole (a site with versions).
pub(super) fn key(
    snapshot: &Snapshot,
    listing: &Listing,
    entities: &[&Entity],
    options: &DocsOptions<'_>,
) -> Option<Key> {
    if entities
        .iter()
        .any(|e| versions::pattern(e, options.versions).is_some())
    {
        return None;
    }
    let repo = &snapshot.source;
    let mut key = memo::hasher();
    key.update(&FORMAT.to_le_bytes());
    key.update(&options.layout_key.to_le_bytes());
    key.update(&memo::render_settings_key(&options.sanitize).to_le_bytes());
    memo::part(&mut key, options.git_ref.unwrap_or("").as_bytes());
    memo::part(&mut key, &[u8::from(options.search_versions)]);
    memo::part(&mut key, repo.name.as_bytes());
    memo::part(&mut key, repo.display.as_bytes());
    memo::part(&mut key, repo.root.as_os_str().as_encoded_bytes());
    memo::part(&mut key, format!("{:?}", snapshot.git).as_bytes());
    for entity in entities {
        memo::part(&mut key, entity.entity_ref.to_string().as_bytes());
        memo::part(&mut key, format!("{:?}", entity.source).as_bytes());
        memo::part(&mut key, format!("{:?}", entity.doc.pos).as_bytes());
        memo::part(
            &mut key,
            serde_json::to_string(&*entity.json).ok()?.as_bytes(),
        );
    }
    for skipped in &listing.skipped {
        memo::part(&mut key, skipped.path.as_bytes());
    }
    if repo.kind == RepoKind::Bare {
        // The commit read (in the git facts above) fixes every file.
        return Some(key.digest128());
    }
    for path in &listing.files {
        memo::part(&mut key, path.as_bytes());
        let full = repo.root.join(path);
        // The file itself; for a link, also its target, followed.
        match std::fs::symlink_metadata(&full) {
            Ok(meta) if meta.file_type().is_symlink() => {
                key.update(&file_stamp(&meta));
                match std::fs::metadata(&full) {
                    Ok(target) => key.update(&file_stamp(&target)),
                    Err(_) => key.update(&[0xff; 48]),
                }
            }
            Ok(meta) => key.update(&file_stamp(&meta)),
            Err(_) => key.update(&[0xfe; 48]),
        }
    }
    // A shallow clone deepened changes history, not HEAD.
    if repo.kind == RepoKind::WorkTree
        && let Ok(meta) = std::fs::metadata(repo.root.join(".git/shallow"))
    {
        key.update(&file_stamp(&meta));
    }
    Some(key.digest128())
}

/// A file's length, modification and change times and inode.
fn file_stamp(meta: &std::fs::Metadata) -> [u8; 48] {
    use std::os::unix::fs::MetadataExt;
    let mut stamp = [0; 48];
    let parts = [
        meta.len(),
        meta.mtime() as u64,
        meta.mtime_nsec() as u64,
        meta.ctime() as u64,
        meta.ctime_nsec() as u64,
        meta.ino(),
    ];
    for (chunk, part) in stamp.chunks_exact_mut(8).zip(parts) {
        chunk.copy_from_slice(&part.to_le_bytes());
    }
    stamp
}

/// The repository's docs kept under `key`, when `carry` took every file
/// they wrote over from the last site; `None` (nothing carried) otherwise.
pub(super) fn reuse(
    disk: &DiskCache,
    key: Key,
    carry: &dyn Fn(&[WrittenFile]) -> bool,
) -> Option<RepoDocs> {
    let bytes = disk.get(KIND, key)?;
    let pack: RepoPack = crate::memo::decode(&bytes)?;
    carry(&pack.files).then_some(pack.docs)
}

/// Keeps the repository's docs and the files they wrote under `key`.
pub(super) fn store(disk: &DiskCache, key: Key, docs: &RepoDocs, files: &[WrittenFile]) {
    if let Some(bytes) = crate::memo::encode(&RepoPackRef { docs, files }) {
        disk.put(KIND, key, &bytes);
    }
}
