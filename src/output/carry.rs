//! Carrying unchanged files over from the last good site, so a rebuild
//! writes only what changed (with the build cache).
//!
//! The cache keeps a [`Manifest`] of the site each build swapped in: every
//! file's length, modification time and a hash of its bytes. The next
//! build's staging compares each file it is asked to write with it: a file
//! with the same bytes whose copy in the site still has the recorded length
//! and modification time (nothing has touched it since) is not written but
//! noted. At the commit, if every file is such a file and no file is gone,
//! the site is already what this build would write: it stays as it is, and
//! nothing is written, swapped or deleted. Otherwise the noted files are
//! hard-linked from the last site into the staging folder (copied where
//! links are refused) and the swap goes on as always, so the site is still
//! replaced whole.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;
use xxhash_rust::xxh3::xxh3_128;

/// What a file of the site was when it was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFacts {
    pub len: u64,
    /// Nanoseconds since the Unix epoch.
    pub modified: u64,
    /// xxh3-128 of the bytes, as two halves (JSON numbers stop at 64 bits).
    pub hash: [u64; 2],
}

impl FileFacts {
    /// The facts of `bytes` written at the time `meta` says.
    pub fn of(bytes: &[u8], meta: &std::fs::Metadata) -> FileFacts {
        FileFacts {
            len: bytes.len() as u64,
            modified: crate::files::Lstat::of(meta).modified,
            hash: halves(xxh3_128(bytes)),
        }
    }

    /// Whether `bytes` are the bytes these facts describe.
    pub fn same_bytes(&self, bytes: &[u8]) -> bool {
        self.len == bytes.len() as u64 && self.hash == halves(xxh3_128(bytes))
    }

    /// Whether the file at `path` is still the one these facts describe: a
    /// regular file (not a link) of that length, not modified since.
    pub fn still_at(&self, path: &Path) -> bool {
        self.inode_if_still_at(path).is_some()
    }

    /// [`FileFacts::still_at`], giving the file's inode number when it is
    /// (0 where the system has none), so the kept folder can tell whether
    /// it holds this very file.
    pub fn inode_if_still_at(&self, path: &Path) -> Option<u64> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        self.inode_if_same(crate::files::Lstat::of(&meta))
    }

    /// [`FileFacts::inode_if_still_at`] of `path` below the folder `below`
    /// holds open.
    pub fn inode_if_still_below(&self, below: &crate::files::Below, path: &str) -> Option<u64> {
        self.inode_if_same(below.lstat(path)?)
    }

    fn inode_if_same(&self, found: crate::files::Lstat) -> Option<u64> {
        (found.is_file && found.len == self.len && found.modified == self.modified)
            .then_some(found.inode)
    }
}

/// A 128-bit hash as two halves (JSON numbers stop at 64 bits).
pub fn halves(hash: u128) -> [u64; 2] {
    [hash as u64, (hash >> 64) as u64]
}

/// Each file of a site by its path: looked up for every file a build
/// writes or carries (foldhash: SipHash's two lookups a carried file were
/// a tenth of bringing the kept folder up to date).
pub type SiteFacts = HashMap<String, FileFacts, foldhash::fast::RandomState>;

/// Every file of a site as it was swapped in, the key of what its search
/// indexes were made from, and the key of what each entity page was drawn
/// from (a page whose key is unchanged is carried over, not drawn).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub files: SiteFacts,
    pub search_key: Option<[u64; 2]>,
    #[serde(default)]
    pub page_keys: HashMap<String, [u64; 2]>,
}

impl Manifest {
    /// The manifest's files under the folder `prefix` (site-relative).
    pub fn under<'m>(
        &'m self,
        prefix: &'m str,
    ) -> impl Iterator<Item = (&'m String, &'m FileFacts)> {
        self.files.iter().filter(move |(path, _)| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'))
        })
    }

    /// The manifest as the build cache keeps it ([`crate::memo::encode`]:
    /// a binary encoding, read back by the same binary only).
    pub fn to_bytes(&self) -> Vec<u8> {
        crate::memo::encode(self).unwrap_or_default()
    }

    /// A manifest read back; `None` for damaged bytes (the build then
    /// writes every file).
    pub fn from_bytes(bytes: &[u8]) -> Option<Manifest> {
        crate::memo::decode(bytes)
    }
}

/// The key of a search index's inputs: the sum of their documents' hashes
/// (`search::document_hash`), so the same documents in any order give the
/// same key.
#[derive(Debug, Default)]
pub struct SearchKey(std::sync::Mutex<u128>);

impl SearchKey {
    pub fn value(&self) -> [u64; 2] {
        halves(self.sum())
    }

    /// The sum of the documents' hashes so far.
    pub fn sum(&self) -> u128 {
        *crate::memo::lock(&self.0)
    }

    /// Adds documents' hashes, already summed.
    pub fn add_sum(&self, sum: u128) {
        let mut total = crate::memo::lock(&self.0);
        *total = total.wrapping_add(sum);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_back_whole_and_damaged_bytes_read_as_none() {
        let facts = FileFacts {
            len: 12,
            modified: 1_700_000_000_123_456_789,
            hash: [u64::MAX, 7],
        };
        let manifest = Manifest {
            files: SiteFacts::from_iter([("a/index.html".to_string(), facts)]),
            search_key: Some([1, u64::MAX]),
            page_keys: HashMap::from([("b/index.html".to_string(), [3, 4])]),
        };
        let bytes = manifest.to_bytes();
        let back = Manifest::from_bytes(&bytes).unwrap();
        assert_eq!(back.files, manifest.files);
        assert_eq!(back.search_key, manifest.search_key);
        assert_eq!(back.page_keys, manifest.page_keys);
        assert!(Manifest::from_bytes(&bytes[..bytes.len() - 3]).is_none());
        assert!(Manifest::from_bytes(b"").is_none());
    }
}
