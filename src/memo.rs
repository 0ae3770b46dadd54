//! What a long-running process (`portico serve`) knows about which
//! repositories changed since it last read them: a version per repository,
//! bumped by the file watcher. Work done for a repository (its catalog
//! load, its docs) is kept under that version and reused while it holds.
//! A change the watcher cannot place (a new folder beside the
//! repositories, a lost event) starts a new epoch: everything is redone.
//!
//! Also the pieces every kept unit uses: [`Kept`] values by [`Key`], keys
//! made with [`hasher`] and [`part`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use xxhash_rust::xxh3::Xxh3;

/// A map by a path's bytes.
type ByBytes<V> = HashMap<std::ffi::OsString, V, foldhash::fast::RandomState>;

#[derive(Debug, Default)]
pub struct Versions {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    epoch: u64,
    /// Canonical repository root → its count of changes. Keyed by the
    /// path's bytes (a `PathBuf` hashes and compares part by part: three
    /// stages ask for each of 2,000 repositories on every build).
    roots: ByBytes<u64>,
    /// Each root as asked → its canonical path, resolved once per epoch
    /// (three stages ask for each of 2,000 repositories on every build).
    canonical: ByBytes<PathBuf>,
    /// Each path the watcher reported → the number of its last report
    /// (reports counted from 1): what [`Versions::of_file`] is made of.
    touched: HashMap<PathBuf, u64>,
    reports: u64,
}

impl Versions {
    /// The version of the repository at `root`: equal for two builds only
    /// if nothing under it changed in between. `None` when the root cannot
    /// be resolved (its work is then never kept).
    pub fn of(&self, root: &Path) -> Option<u64> {
        // A root known this epoch: one lock, nothing copied (three stages
        // ask for each of 2,000 repositories on every build, in parallel).
        {
            let state = self.lock();
            let count = state
                .canonical
                .get(root.as_os_str())
                .and_then(|canonical| state.roots.get(canonical.as_os_str()));
            if let Some(&count) = count {
                return Some(state.epoch.wrapping_mul(1 << 32).wrapping_add(count));
            }
        }
        let canonical = self.canonical(root)?;
        let mut state = self.lock();
        let epoch = state.epoch;
        let count = *state.roots.entry(canonical.into_os_string()).or_default();
        Some(epoch.wrapping_mul(1 << 32).wrapping_add(count))
    }

    /// The version of the file `path` (normalised, relative to the
    /// repository at `root`): equal for two builds only if the watcher
    /// reported nothing at it, nor at a folder on its way (a folder moved
    /// or replaced), in between. Only sound for a file read at exactly
    /// `root/path` (no symlink on the way): a change through a link is
    /// reported at the link's target.
    pub fn of_file(&self, root: &Path, path: &str) -> Option<u64> {
        let mut place = self.canonical(root)?;
        let state = self.lock();
        let mut newest = state.touched.get(&place).copied().unwrap_or(0);
        for part in path.split('/') {
            place.push(part);
            newest = newest.max(state.touched.get(&place).copied().unwrap_or(0));
        }
        Some(state.epoch.wrapping_mul(1 << 32).wrapping_add(newest))
    }

    /// Where the watcher's reports stand now: given back to
    /// [`Versions::reported_since`] by a later build.
    pub fn mark(&self) -> Mark {
        let state = self.lock();
        Mark {
            epoch: state.epoch,
            reports: state.reports,
        }
    }

    /// Each path under the repository at `root` the watcher reported since
    /// `mark`, relative to the root, with its absolute path; `None` when that
    /// cannot be told (events were lost, or a path is not UTF-8).
    pub fn reported_since(&self, root: &Path, mark: Mark) -> Option<Vec<(String, PathBuf)>> {
        let canonical = self.canonical(root)?;
        let state = self.lock();
        if state.epoch != mark.epoch {
            return None;
        }
        let mut reported = Vec::new();
        for (path, &report) in &state.touched {
            if report <= mark.reports {
                continue;
            }
            if let Ok(relative) = path.strip_prefix(&canonical) {
                let relative = relative.to_str()?.replace(std::path::MAIN_SEPARATOR, "/");
                reported.push((relative, path.clone()));
            }
        }
        Some(reported)
    }

    /// Every path (absolute, as reported) the watcher reported since
    /// `mark`; `None` when that cannot be told (events were lost, or a
    /// path could not be placed in a repository: a new epoch).
    pub fn all_reported_since(&self, mark: Mark) -> Option<Vec<PathBuf>> {
        let state = self.lock();
        if state.epoch != mark.epoch {
            return None;
        }
        Some(
            state
                .touched
                .iter()
                .filter(|(_, report)| **report > mark.reports)
                .map(|(path, _)| path.clone())
                .collect(),
        )
    }

    /// The canonical path of `root`, resolved once per epoch (the
    /// watcher's paths are compared with it).
    pub fn canonical_root(&self, root: &Path) -> Option<PathBuf> {
        self.canonical(root)
    }

    /// The canonical path of `root`, resolved once per epoch.
    fn canonical(&self, root: &Path) -> Option<PathBuf> {
        if let Some(known) = self.lock().canonical.get(root.as_os_str()) {
            return Some(known.clone());
        }
        let canonical = root.canonicalize().ok()?;
        self.lock()
            .canonical
            .insert(root.as_os_str().to_owned(), canonical.clone());
        Some(canonical)
    }

    /// Records changes at `paths` (absolute): each repository holding one
    /// gets a new version; a path in no known repository, or no path at
    /// all (the watcher lost events), makes every version new.
    pub fn touch(&self, paths: &[PathBuf]) {
        let mut state = self.lock();
        if paths.is_empty() {
            state.epoch += 1;
            state.canonical.clear();
            // Every file's version is new with the epoch.
            state.touched.clear();
            return;
        }
        for path in paths {
            state.reports += 1;
            let report = state.reports;
            state.touched.insert(path.clone(), report);
            let mut placed = false;
            for (root, count) in state.roots.iter_mut() {
                if path.starts_with(Path::new(root)) {
                    *count += 1;
                    placed = true;
                }
            }
            if !placed {
                // A folder moved or a link changed: roots are resolved again.
                state.epoch += 1;
                state.canonical.clear();
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        lock(&self.state)
    }
}

/// Where the watcher's reports stood at some moment ([`Versions::mark`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    epoch: u64,
    reports: u64,
}

/// The key of a unit of work: a 128-bit hash of its inputs.
pub type Key = u128;

/// Builds a rendered page is kept for without being used: enough for an
/// author going back and forth between a few versions of a page (an undo,
/// a toggled setting) to get each at once, few enough that what `serve`
/// holds follows the site rather than the edits. (50 builds: serve's memory
/// on a 2,000-page org rose 17 % over the first 80 edits before levelling.)
pub const KEPT_BUILDS: u64 = 8;

/// A map by [`Key`]: a key is already an xxh3 hash, so its low 64 bits
/// are the map's hash (hashing it again with SipHash was most of a
/// lookup: 13,000 pages and cards are looked up on every serve build).
pub type ByKey<V> = HashMap<Key, V, std::hash::BuildHasherDefault<KeyHasher>>;

/// The hasher of [`ByKey`]: takes a [`Key`]'s low 64 bits as they are.
#[derive(Default)]
pub struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only keys are hashed with it (`write_u128`); anything else is
        // folded in, still a hash.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u128(&mut self, key: u128) {
        self.0 = key as u64;
    }
}

/// Values kept by key between builds: each build marks what it uses, and
/// what no recent build used is dropped at the end of one.
#[derive(Debug)]
pub struct Kept<V> {
    state: Mutex<KeptState<V>>,
}

#[derive(Debug)]
struct KeptState<V> {
    /// Each value by key, with the build that last used it.
    values: ByKey<(V, u64)>,
    build: u64,
    hits: usize,
    misses: usize,
}

impl<V> Default for Kept<V> {
    fn default() -> Self {
        Kept {
            state: Mutex::new(KeptState {
                values: ByKey::default(),
                build: 0,
                hits: 0,
                misses: 0,
            }),
        }
    }
}

impl<V: Clone> Kept<V> {
    /// Starts a build.
    pub fn start(&self) {
        let mut state = self.lock();
        state.build += 1;
        state.hits = 0;
        state.misses = 0;
    }

    /// The value kept for `key`, made with `make` (outside the lock: values
    /// are made in parallel) when there is none.
    pub fn get_or_make(&self, key: Key, make: impl FnOnce() -> V) -> V {
        if let Some(value) = self.get(key) {
            return value;
        }
        let value = make();
        self.insert(key, value.clone());
        value
    }

    /// The value kept for `key`, marked used by this build.
    pub fn get(&self, key: Key) -> Option<V> {
        let mut state = self.lock();
        let build = state.build;
        let (value, used) = state.values.get_mut(&key)?;
        *used = build;
        let value = value.clone();
        state.hits += 1;
        Some(value)
    }

    /// Keeps `value` for `key` (a value made by this build).
    pub fn insert(&self, key: Key, value: V) {
        let mut state = self.lock();
        let build = state.build;
        state.misses += 1;
        state.values.insert(key, (value, build));
    }

    /// Ends a build: drops what no recent build used. Returns (reused,
    /// made).
    pub fn finish(&self) -> (usize, usize) {
        let mut state = self.lock();
        let oldest = state.build.saturating_sub(KEPT_BUILDS);
        state.values.retain(|_, (_, used)| *used >= oldest);
        (state.hits, state.misses)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, KeptState<V>> {
        lock(&self.state)
    }
}

/// Values kept per shared allocation between builds (`portico serve`):
/// an entity's JSON made again only when its loaded document is a new
/// one, and that JSON's key computed once (see [`ArcKeys`]).
///
/// Sound because a value is looked up by its allocation while this memo
/// holds it: the address cannot be reused for another value while the
/// entry is kept, and a value behind an `Arc` that is shared (as one held
/// here is) cannot be changed in place (`Arc::make_mut` copies it).
#[derive(Debug)]
pub struct ByArc<T: ?Sized, V> {
    state: Mutex<ByArcState<T, V>>,
}

/// Keys of shared values, each computed once per allocation.
pub type ArcKeys<T> = ByArc<T, Key>;

#[derive(Debug)]
struct ByArcState<T: ?Sized, V> {
    /// Each allocation's value by its address, with the allocation and the
    /// build that last used it.
    values: HashMap<usize, (std::sync::Arc<T>, V, u64), foldhash::fast::RandomState>,
    build: u64,
}

impl<T: ?Sized, V> Default for ByArc<T, V> {
    fn default() -> Self {
        ByArc {
            state: Mutex::new(ByArcState {
                values: HashMap::default(),
                build: 0,
            }),
        }
    }
}

fn address_of<T: ?Sized>(value: &std::sync::Arc<T>) -> usize {
    std::sync::Arc::as_ptr(value).cast::<u8>() as usize
}

impl<T: ?Sized, V: Clone> ByArc<T, V> {
    /// Starts a build.
    pub fn start(&self) {
        lock(&self.state).build += 1;
    }

    /// The value kept for this allocation, marked used by this build.
    pub fn get(&self, of: &std::sync::Arc<T>) -> Option<V> {
        let mut state = lock(&self.state);
        let build = state.build;
        let (_, value, used) = state.values.get_mut(&address_of(of))?;
        *used = build;
        Some(value.clone())
    }

    /// Keeps `value` for this allocation (replacing what was kept).
    pub fn insert(&self, of: &std::sync::Arc<T>, value: V) {
        let mut state = lock(&self.state);
        let build = state.build;
        state
            .values
            .insert(address_of(of), (std::sync::Arc::clone(of), value, build));
    }

    /// The value kept for `of`, made by `make` (outside the lock) the first
    /// time this allocation is seen.
    pub fn get_or_make(&self, of: &std::sync::Arc<T>, make: impl FnOnce(&T) -> V) -> V {
        if let Some(value) = self.get(of) {
            return value;
        }
        let value = make(of);
        self.insert(of, value.clone());
        value
    }

    /// Ends a build: drops what no recent build used.
    pub fn finish(&self) {
        let mut state = lock(&self.state);
        let oldest = state.build.saturating_sub(KEPT_BUILDS);
        state.values.retain(|_, (_, _, used)| *used >= oldest);
    }

    /// How many allocations are kept.
    pub fn len(&self) -> usize {
        lock(&self.state).values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Locks `mutex`, taking it over from a thread that panicked while holding
/// it: every value kept behind these locks is whole between operations.
pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A hasher for a key, seeded with Portico's version: an upgrade renders
/// everything again.
pub fn hasher() -> Xxh3 {
    let mut hasher = Xxh3::new();
    part(&mut hasher, env!("CARGO_PKG_VERSION").as_bytes());
    hasher
}

/// Adds one input to a key, with its length, so `("ab", "c")` and
/// `("a", "bc")` differ.
pub fn part(hasher: &mut Xxh3, bytes: &[u8]) {
    hasher.update(&(bytes.len() as u64).to_le_bytes());
    hasher.update(bytes);
}

/// A value encoded for the build cache: postcard, a compact binary
/// encoding that reads back several times faster than JSON (strings are
/// copied, not scanned for escapes). Values read back must have been
/// written by the same binary (the cache folder is per binary), since the
/// encoding carries no field names.
pub fn encode<T: serde::Serialize + ?Sized>(value: &T) -> Option<Vec<u8>> {
    postcard::to_stdvec(value).ok()
}

/// A list encoded as [`encode`] encodes a `Vec` (its length, then each
/// element), from elements each already encoded with [`encode`]: a list
/// whose elements were made, and encoded, by different threads is written
/// without copying the values.
pub fn encode_list(elements: &[&[u8]]) -> Vec<u8> {
    let mut length = [0; 10];
    let length = postcard::to_slice(&elements.len(), &mut length)
        .map(|l| &*l)
        .unwrap_or_default();
    let total = length.len() + elements.iter().map(|e| e.len()).sum::<usize>();
    let mut bytes = Vec::with_capacity(total);
    bytes.extend_from_slice(length);
    for element in elements {
        bytes.extend_from_slice(element);
    }
    bytes
}

/// A value [`encode`] wrote; `None` when the bytes do not read as one.
pub fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    postcard::from_bytes(bytes).ok()
}

/// `#[serde(with)]` for a shared value: written as the value itself (a
/// shard's part carries docs summaries that are shared in memory).
pub mod shared {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::sync::Arc;

    pub fn serialize<T: Serialize, S: Serializer>(value: &Arc<T>, s: S) -> Result<S::Ok, S::Error> {
        T::serialize(value, s)
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Arc<T>, D::Error> {
        T::deserialize(d).map(Arc::new)
    }
}

/// `#[serde(with)]` for a list of bytes: written as bytes, which postcard
/// writes exactly as it writes a `Vec<u8>` (a length, then the bytes), so
/// what was written before reads the same; read back in one copy, where
/// serde's `Vec<u8>` takes a byte at a time (3 % of a 10,000-page merge's
/// CPU went to that, in the parts' counted words and stored documents).
pub mod bytes {
    use serde::de::{SeqAccess, Visitor};
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        d.deserialize_byte_buf(Bytes)
    }

    struct Bytes;

    impl<'de> Visitor<'de> for Bytes {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of bytes")
        }

        fn visit_bytes<E>(self, bytes: &[u8]) -> Result<Vec<u8>, E> {
            Ok(bytes.to_vec())
        }

        fn visit_byte_buf<E>(self, bytes: Vec<u8>) -> Result<Vec<u8>, E> {
            Ok(bytes)
        }

        /// A format that writes bytes as a list of numbers (JSON).
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
            // The hint comes from the input: not trusted for the allocation.
            let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
            while let Some(byte) = seq.next_element()? {
                bytes.push(byte);
            }
            Ok(bytes)
        }
    }
}

/// [`shared`] for a shared list of shared values.
pub mod shared_list {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::sync::Arc;

    pub fn serialize<T: Serialize, S: Serializer>(
        list: &Arc<Vec<Arc<T>>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(list.iter().map(|v| &**v))
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Arc<Vec<Arc<T>>>, D::Error> {
        let list = Vec::<T>::deserialize(d)?;
        Ok(Arc::new(list.into_iter().map(Arc::new).collect()))
    }
}

/// [`shared`] for a list of shared values.
pub mod shared_vec {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::sync::Arc;

    pub fn serialize<T: Serialize, S: Serializer>(
        list: &[Arc<T>],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(list.iter().map(|v| &**v))
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<Arc<T>>, D::Error> {
        Ok(Vec::<T>::deserialize(d)?
            .into_iter()
            .map(Arc::new)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct AsBytes(#[serde(with = "bytes")] Vec<u8>);

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct AsList(Vec<u8>);

    #[test]
    fn bytes_are_written_as_a_byte_list_is_and_read_back_from_either() {
        for length in [0usize, 1, 127, 128, 70_000] {
            let bytes: Vec<u8> = (0..length).map(|n| (n * 7) as u8).collect();
            let written = postcard::to_stdvec(&AsBytes(bytes.clone())).unwrap();
            // The same bytes as a `Vec<u8>` gives: files written before
            // the change read the same.
            assert_eq!(
                written,
                postcard::to_stdvec(&AsList(bytes.clone())).unwrap()
            );
            assert_eq!(decode::<AsBytes>(&written), Some(AsBytes(bytes.clone())));
            // A format that writes them as numbers (JSON) reads them too.
            let json = serde_json::to_string(&AsBytes(bytes.clone())).unwrap();
            assert_eq!(json, serde_json::to_string(&AsList(bytes.clone())).unwrap());
            assert_eq!(
                serde_json::from_str::<AsBytes>(&json).unwrap(),
                AsBytes(bytes)
            );
        }
        // Cut short: an error, not a panic or a huge allocation.
        let written = postcard::to_stdvec(&AsBytes(vec![1; 300])).unwrap();
        assert_eq!(decode::<AsBytes>(&written[..100]), None);
        assert!(serde_json::from_str::<AsBytes>("[1, 256]").is_err());
    }

    #[test]
    fn a_list_of_encoded_elements_reads_back_as_the_list() {
        for count in [0usize, 1, 2, 127, 128, 300] {
            let list: Vec<(Key, String)> = (0..count)
                .map(|i| (i as Key * 0x1_0000_0001, "é".repeat(i % 7)))
                .collect();
            let elements: Vec<Vec<u8>> = list.iter().map(|e| encode(e).unwrap()).collect();
            let refs: Vec<&[u8]> = elements.iter().map(Vec::as_slice).collect();
            let bytes = encode_list(&refs);
            assert_eq!(bytes, encode(&list).unwrap(), "{count} elements");
            assert_eq!(decode::<Vec<(Key, String)>>(&bytes), Some(list));
        }
    }

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

    #[test]
    fn a_file_keeps_its_version_until_it_or_a_folder_on_its_way_is_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        let canonical = repo.canonicalize().unwrap();
        let versions = Versions::default();
        versions.of(&repo);
        let page = |v: &Versions| v.of_file(&repo, "docs/guide/a.md");
        let first = page(&versions);
        assert!(first.is_some());
        versions.touch(&[canonical.join("docs/guide/b.md")]);
        versions.touch(&[canonical.join("docs/guide/a.md.swp")]);
        assert_eq!(page(&versions), first, "other files changed, not this one");
        versions.touch(&[canonical.join("docs/guide/a.md")]);
        let edited = page(&versions);
        assert_ne!(edited, first, "the file was reported");
        assert_eq!(page(&versions), edited, "and holds until the next report");
        versions.touch(&[canonical.join("docs")]);
        let moved = page(&versions);
        assert_ne!(
            moved, edited,
            "a folder on its way was reported (moved, replaced)"
        );
        versions.touch(std::slice::from_ref(&canonical));
        assert_ne!(page(&versions), moved, "the root itself was reported");
        let before_lost = page(&versions);
        versions.touch(&[]);
        assert_ne!(page(&versions), before_lost, "lost events renew every file");
        assert_eq!(versions.of_file(&tmp.path().join("missing"), "a.md"), None);
    }

    #[test]
    fn the_paths_reported_since_a_mark_are_told_per_repository() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        let (ca, cb) = (a.canonicalize().unwrap(), b.canonicalize().unwrap());
        let versions = Versions::default();
        versions.of(&a);
        versions.of(&b);
        versions.touch(&[ca.join("old.md")]);
        let mark = versions.mark();
        assert_eq!(versions.reported_since(&a, mark), Some(vec![]));
        versions.touch(&[ca.join("docs/x.md"), cb.join("y.md")]);
        assert_eq!(
            versions.reported_since(&a, mark),
            Some(vec![("docs/x.md".to_string(), ca.join("docs/x.md"))])
        );
        versions.touch(&[ca.join("old.md")]);
        let mut again = versions.reported_since(&a, mark).unwrap();
        again.sort();
        assert_eq!(again.len(), 2, "reported again after the mark: {again:?}");
        versions.touch(&[]);
        assert_eq!(versions.reported_since(&a, mark), None, "lost events");
        assert_eq!(versions.reported_since(&a, versions.mark()), Some(vec![]));
    }

    /// Roots are resolved once per epoch: a link retargeted between builds
    /// is seen after a change the watcher cannot place (the link itself is
    /// in no repository), and the new target has its own version.
    #[cfg(unix)]
    #[test]
    fn a_retargeted_root_is_resolved_again_after_an_unplaced_change() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b, link) = (
            tmp.path().join("a"),
            tmp.path().join("b"),
            tmp.path().join("link"),
        );
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        std::os::unix::fs::symlink(&a, &link).unwrap();
        let versions = Versions::default();
        let first = versions.of(&link);
        versions.touch(&[a.canonicalize().unwrap().join("x")]);
        let after_a = versions.of(&link);
        assert_ne!(after_a, first, "the link's target changed");
        std::fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(&b, &link).unwrap();
        versions.touch(&[tmp.path().canonicalize().unwrap().join("link")]);
        let on_b = versions.of(&link);
        // b is now resolved: a change in a no longer touches it.
        versions.touch(&[a.canonicalize().unwrap().join("y")]);
        assert_eq!(versions.of(&link), on_b);
        versions.touch(&[b.canonicalize().unwrap().join("z")]);
        assert_ne!(versions.of(&link), on_b);
    }
}
