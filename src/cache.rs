//! The build cache on disk (`--cache DIR`, by default `.portico-cache`
//! beside `--out`): values kept between runs of `portico build`, each under
//! the 128-bit key of everything it was made from (see [`crate::memo`]).
//! Knows nothing of what the values are; the stages encode their own.
//!
//! Layout: `DIR/<build>/<kind>/<xx>/<key>`, where `<build>` names the
//! Portico binary that wrote the entries (its version, size and modification
//! time), so an upgrade, or a rebuilt binary, starts from an empty folder
//! and the old ones are deleted. Each entry is written to a temporary file
//! and renamed into place, and carries a hash of its bytes: a torn or
//! damaged entry reads as missing, never as wrong output. Safe to delete at
//! any time.
//!
//! Concurrent builds share the cache: every build holds a shared lock on
//! `DIR/lock`; only a build that gets it exclusively deletes other
//! binaries' folders and trims entries unused for [`UNUSED_DAYS`] days
//! (an entry's modification time is bumped when a build uses it, at most
//! once a day). A cache that cannot be used never fails a build: it is
//! reported once and the build runs without it.

use crate::memo::Key;
use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{IoSlice, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use xxhash_rust::xxh3::xxh3_128;

/// Entries no build used for this many days are deleted.
pub const UNUSED_DAYS: u64 = 14;

/// The folder name `--cache` defaults to, beside `--out`.
pub const DEFAULT_NAME: &str = ".portico-cache";

/// Bumped when the layout of the cache folder changes.
const FORMAT: u32 = 1;

/// An entry larger than this is not kept (a page's render is far smaller).
const MAX_ENTRY_BYTES: u64 = 64 << 20;

/// A thread's buffer for [`DiskCache::get_decoded`] is let go when an
/// entry made it larger than this.
const KEPT_BUFFER_BYTES: usize = 8 << 20;

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

#[derive(Debug)]
pub struct DiskCache {
    /// This binary's folder inside the cache.
    dir: PathBuf,
    /// Held (shared) while the cache is in use.
    _lock: File,
    /// (hits, misses, failed writes) by kind.
    counts: Mutex<HashMap<String, (usize, usize, usize)>>,
    /// The entries' folders this build made or found: each is made once,
    /// not once per entry (a `mkdir` and a `stat` per entry were about a
    /// fifth of the cache's writing on the catalog org's first build).
    folders: Mutex<HashSet<PathBuf>>,
    /// This process's id, for temporary names (asked once: each ask is a
    /// system call).
    process: u32,
    /// Entries handed out unread ([`DiskCache::later`]) and found damaged
    /// when they were read: the build that asked runs again without them.
    damaged: Arc<Mutex<Vec<PathBuf>>>,
    /// Set for a build run again after a damaged entry: [`DiskCache::later`]
    /// reads each entry at once, so every damaged one is found before it
    /// is relied on.
    read_now: std::sync::atomic::AtomicBool,
}

/// An entry found in the cache and read only if a stage needs its bytes
/// ([`DiskCache::later`]): most builds need few of them (a repository's
/// link facts and page sections are several megabytes on the benchmark
/// organisation, and a one-page build decoded almost none).
#[derive(Debug)]
pub struct Later {
    path: PathBuf,
    bytes: std::sync::OnceLock<Option<Vec<u8>>>,
    damaged: Arc<Mutex<Vec<PathBuf>>>,
}

impl Later {
    /// The entry's bytes (read on the first ask), or `None` when they are
    /// not whole any more: the entry is then removed and noted, so
    /// [`DiskCache::take_damaged`] tells the build to run again.
    pub fn bytes(&self) -> Option<&[u8]> {
        let bytes = self.load();
        if bytes.is_none() {
            self.refuse();
        }
        bytes
    }

    /// [`Later::bytes`] for a reader that takes a damaged entry as a
    /// missing one itself (it builds what the entry held again): removed,
    /// not noted, so no build runs again for it.
    pub fn load(&self) -> Option<&[u8]> {
        let bytes = self.bytes.get_or_init(|| {
            let mut value = Vec::new();
            read_whole(&self.path, &mut value).map(|()| value)
        });
        if bytes.is_none() {
            let _ = std::fs::remove_file(&self.path);
        }
        bytes.as_deref()
    }

    /// Removes the entry and notes it as damaged: its bytes are whole but
    /// not what the stage that kept them would have written.
    pub fn refuse(&self) {
        let _ = std::fs::remove_file(&self.path);
        let mut damaged = crate::memo::lock(&self.damaged);
        if !damaged.contains(&self.path) {
            damaged.push(self.path.clone());
        }
    }
}

impl DiskCache {
    /// Opens (or creates) the cache at `root`.
    pub fn open(root: &Path) -> Result<DiskCache, String> {
        let failure = |what: &str, path: &Path, e: std::io::Error| {
            format!("cannot {what} `{}`: {e}", path.display())
        };
        std::fs::create_dir_all(root).map_err(|e| failure("create the cache folder", root, e))?;
        let lock_path = root.join("lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| failure("open", &lock_path, e))?;
        let build = build_name();
        let dir = root.join(&build);
        // Exclusive only if no other build is using the cache: then old
        // binaries' folders and unused entries can go.
        if lock.try_lock().is_ok() {
            remove_other_builds(root, &build);
            trim_if_due(&dir);
            lock.unlock()
                .map_err(|e| failure("unlock", &lock_path, e))?;
        }
        lock.lock_shared()
            .map_err(|e| failure("lock", &lock_path, e))?;
        std::fs::create_dir_all(&dir).map_err(|e| failure("create", &dir, e))?;
        Ok(DiskCache {
            dir,
            _lock: lock,
            counts: Mutex::default(),
            folders: Mutex::default(),
            process: std::process::id(),
            damaged: Arc::default(),
            read_now: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The value kept for `key` among values of `kind`, if it is whole.
    pub fn get(&self, kind: &str, key: Key) -> Option<Vec<u8>> {
        let found = self.read(&self.path(kind, key));
        self.count(kind, found.is_some());
        found
    }

    /// The value kept for `key`, if it is whole, handed to `decode` from a
    /// buffer this thread reuses (for values read once and decoded: no
    /// allocation, and no fresh pages to fault in, per entry). A value
    /// `decode` refuses counts as missing.
    pub fn get_decoded<T>(
        &self,
        kind: &str,
        key: Key,
        decode: impl FnOnce(&[u8]) -> Option<T>,
    ) -> Option<T> {
        thread_local! {
            static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let found = BUFFER.with(|buffer| {
            // A buffer in use (a `decode` reading another entry) is not shared.
            let Ok(mut buffer) = buffer.try_borrow_mut() else {
                return self.read(&self.path(kind, key)).and_then(|v| decode(&v));
            };
            let found = self
                .read_into(&self.path(kind, key), &mut buffer)
                .then(|| decode(&buffer))
                .flatten();
            if buffer.capacity() > KEPT_BUFFER_BYTES {
                *buffer = Vec::new();
            }
            found
        });
        self.count(kind, found.is_some());
        found
    }

    /// Whether an entry is kept for `key` (not read: it may still turn out
    /// damaged when it is).
    pub fn holds(&self, kind: &str, key: Key) -> bool {
        self.path(kind, key).exists()
    }

    /// The entry kept for `key`, to be read only if needed ([`Later`]):
    /// found now (a regular file long enough to hold a checksum), read and
    /// checked later. A build that finds it damaged then runs again
    /// ([`DiskCache::take_damaged`]).
    pub fn later(&self, kind: &str, key: Key) -> Option<Later> {
        let path = self.path(kind, key);
        let found = std::fs::symlink_metadata(&path)
            .ok()
            .filter(holds_an_entry)
            .map(|meta| {
                // Used today, read or not: not trimmed for another
                // UNUSED_DAYS days.
                if is_stale(&meta)
                    && let Ok(file) = crate::files::open_without_blocking(&path)
                {
                    let _ = file.set_modified(SystemTime::now());
                }
                Later {
                    path,
                    bytes: std::sync::OnceLock::new(),
                    damaged: Arc::clone(&self.damaged),
                }
            })
            .filter(|later| {
                !self.read_now.load(std::sync::atomic::Ordering::Relaxed) || later.load().is_some()
            });
        self.count(kind, found.is_some());
        found
    }

    /// From now on [`DiskCache::later`] reads each entry at once: for a
    /// build run again after a damaged entry, so every other damaged one is
    /// found (and missed) before the build relies on it.
    pub fn read_entries_now(&self) {
        self.read_now
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Forgets the hits and misses counted so far: a build run again
    /// reports its own.
    pub fn reset_counts(&self) {
        crate::memo::lock(&self.counts).clear();
    }

    /// Removes every entry of `kind` and notes them damaged, as
    /// [`Later::refuse`] does one: for a stage that finds, past the
    /// checksums, that some entry of `kind` holds what this binary would
    /// not have written, and cannot tell which. The build runs again
    /// without them ([`DiskCache::take_damaged`]).
    pub fn refuse_kind(&self, kind: &str) {
        let folder = self.dir.join(kind);
        // A build sharing the cache may be writing an entry there: what
        // cannot be removed now is left (a damaged one is refused again).
        let _ = std::fs::remove_dir_all(&folder);
        let mut damaged = crate::memo::lock(&self.damaged);
        if !damaged.contains(&folder) {
            damaged.push(folder);
        }
    }

    /// The entries read late ([`Later`]) that were damaged since the last
    /// ask, now removed: a build that failed with any is run again, and
    /// finds them missing.
    pub fn take_damaged(&self) -> Vec<PathBuf> {
        std::mem::take(&mut *crate::memo::lock(&self.damaged))
    }

    /// Keeps `bytes` for `key`. A failure (a full disk, a read-only folder)
    /// is counted, not returned: the build goes on without the entry.
    pub fn put(&self, kind: &str, key: Key, bytes: &[u8]) {
        if bytes.len() as u64 > MAX_ENTRY_BYTES || self.write(&self.path(kind, key), bytes).is_err()
        {
            self.change_count(kind, |c| c.2 += 1);
        }
    }

    /// (hits, misses, failed writes) of values of `kind` since the cache
    /// was opened.
    pub fn counts(&self, kind: &str) -> (usize, usize, usize) {
        let counts = crate::memo::lock(&self.counts);
        counts.get(kind).copied().unwrap_or_default()
    }

    /// Counts a value of `kind` found (or not) by other means than
    /// [`DiskCache::get`], such as inside another entry.
    pub fn count(&self, kind: &str, found: bool) {
        self.change_count(kind, |c| {
            if found {
                c.0 += 1;
            } else {
                c.1 += 1;
            }
        });
    }

    fn change_count(&self, kind: &str, change: impl FnOnce(&mut (usize, usize, usize))) {
        let mut counts = crate::memo::lock(&self.counts);
        change(counts.entry(kind.to_string()).or_default());
    }

    fn path(&self, kind: &str, key: Key) -> PathBuf {
        let name = format!("{key:032x}");
        self.dir.join(kind).join(&name[..2]).join(name)
    }

    fn read(&self, path: &Path) -> Option<Vec<u8>> {
        let mut value = Vec::new();
        self.read_into(path, &mut value).then_some(value)
    }

    /// Reads the value at `path` into `value` (emptied first); whether it
    /// is whole.
    fn read_into(&self, path: &Path, value: &mut Vec<u8>) -> bool {
        value.clear();
        read_whole(path, value).is_some()
    }

    fn write(&self, path: &Path, value: &[u8]) -> std::io::Result<()> {
        let temp = self.temp_beside(path, "")?;
        let result = (|| {
            let mut file = self.in_folder(&temp, |p| File::create(p))?;
            write_both(&mut file, &xxh3_128(value).to_le_bytes(), value)?;
            drop(file);
            std::fs::rename(&temp, path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        result
    }

    /// Where an entry for `path` is written before it is renamed into
    /// place: beside it (its folder made), named after this process and
    /// thread, so two builds writing one entry never mix bytes.
    fn temp_beside(&self, path: &Path, suffix: &str) -> std::io::Result<PathBuf> {
        let folder = path.parent().unwrap_or(&self.dir);
        self.make_folder(folder)?;
        Ok(folder.join(format!(
            ".tmp-{}-{:?}{suffix}",
            self.process,
            std::thread::current().id()
        )))
    }
}

impl DiskCache {
    /// Makes `folder` (and its parents) unless this build already made or
    /// found it.
    fn make_folder(&self, folder: &Path) -> std::io::Result<()> {
        if crate::memo::lock(&self.folders).contains(folder) {
            return Ok(());
        }
        std::fs::create_dir_all(folder)?;
        crate::memo::lock(&self.folders).insert(folder.to_path_buf());
        Ok(())
    }

    /// `make(path)`; if the folder of `path` is gone (the cache was
    /// deleted while the build ran: allowed), makes it again and tries
    /// once more.
    fn in_folder<T>(
        &self,
        path: &Path,
        make: impl Fn(&Path) -> std::io::Result<T>,
    ) -> std::io::Result<T> {
        match make(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let folder = path.parent().unwrap_or(&self.dir);
                crate::memo::lock(&self.folders).remove(folder);
                self.make_folder(folder)?;
                make(path)
            }
            made => made,
        }
    }
}

/// Writes `first` then `rest` to `file`, in one system call when the file
/// takes both at once.
fn write_both(file: &mut File, first: &[u8], rest: &[u8]) -> std::io::Result<()> {
    let written = file.write_vectored(&[IoSlice::new(first), IoSlice::new(rest)])?;
    if written < first.len() {
        file.write_all(&first[written..])?;
        file.write_all(rest)
    } else {
        file.write_all(&rest[written - first.len()..])
    }
}

/// Reads the entry at `path` into `value`: `None` unless it is whole.
fn read_whole(path: &Path, value: &mut Vec<u8>) -> Option<()> {
    // Not a plain `open`: a FIFO put in the cache's place would wait
    // for a writer for ever (the checks below refuse it).
    let mut file = crate::files::open_without_blocking(path).ok()?;
    let meta = file.metadata().ok()?;
    if !holds_an_entry(&meta) {
        return None;
    }
    // The checksum, then the value straight into its buffer: the value
    // is never copied again.
    let mut sum = [0u8; 16];
    file.read_exact(&mut sum).ok()?;
    let len = meta.len() - 16;
    value.reserve_exact(len as usize);
    // Exactly the length `stat` gave: `File::read_to_end` would ask
    // for the metadata and position again and read once more for the
    // end (three system calls an entry).
    (&mut file).take(len).read_to_end(value).ok()?;
    if value.len() as u64 != len || sum != xxh3_128(value).to_le_bytes() {
        return None;
    }
    // Used today: not trimmed for another UNUSED_DAYS days.
    if is_stale(&meta) {
        let _ = file.set_modified(SystemTime::now());
    }
    Some(())
}

/// Whether a file could hold an entry: a regular file of a checksum and at
/// most [`MAX_ENTRY_BYTES`] of value.
fn holds_an_entry(meta: &std::fs::Metadata) -> bool {
    meta.is_file() && (16..=MAX_ENTRY_BYTES + 16).contains(&meta.len())
}

/// Whether an entry's modification time is more than a day old: a build
/// that uses it moves it to now, so trimming spares it.
fn is_stale(meta: &std::fs::Metadata) -> bool {
    meta.modified()
        .ok()
        .and_then(|m| m.elapsed().ok())
        .is_none_or(|age| age > DAY)
}

/// The folder name of this binary's entries: its version, and its size and
/// modification time, so a binary built from changed sources under the same
/// version number never reads another's entries.
pub fn build_name() -> String {
    let mut hasher = crate::memo::hasher();
    crate::memo::part(&mut hasher, &FORMAT.to_le_bytes());
    if let Ok(meta) = std::env::current_exe().and_then(std::fs::metadata) {
        crate::memo::part(&mut hasher, &meta.len().to_le_bytes());
        let modified = meta
            .modified()
            .ok()
            .and_then(|m| m.duration_since(SystemTime::UNIX_EPOCH).ok())
            .unwrap_or_default();
        crate::memo::part(&mut hasher, &modified.as_nanos().to_le_bytes());
    }
    format!(
        "v{}-{:016x}",
        env!("CARGO_PKG_VERSION"),
        hasher.digest128() as u64
    )
}

/// Deletes the entries of other binaries: other folders named as
/// [`build_name`] names them, and nothing else (`--cache` may be a folder
/// other tools keep theirs in too).
fn remove_other_builds(root: &Path, build: &str) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && is_build_name(name) && name != build {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// `v<version>-<16 hex digits>`, as [`build_name`] makes it.
fn is_build_name(name: &str) -> bool {
    let Some((version, hash)) = name
        .strip_prefix('v')
        .and_then(|rest| rest.rsplit_once('-'))
    else {
        return false;
    };
    let version_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+');
    version.starts_with(|c: char| c.is_ascii_digit())
        && version.chars().all(version_char)
        && hash.len() == 16
        && hash.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'))
}

/// Deletes entries unused for [`UNUSED_DAYS`] days, at most once a day
/// (`DIR/<build>/trimmed` records when it last ran).
fn trim_if_due(dir: &Path) {
    let marker = dir.join("trimmed");
    let due = std::fs::metadata(&marker)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|m| m.elapsed().ok())
        .is_none_or(|age| age > DAY);
    if !due || std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let _ = std::fs::write(&marker, b"");
    let unused = DAY * UNUSED_DAYS as u32;
    let Ok(kinds) = std::fs::read_dir(dir) else {
        return;
    };
    for kind in kinds.flatten().filter(|e| e.path().is_dir()) {
        for shard in std::fs::read_dir(kind.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            for entry in std::fs::read_dir(shard.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                // Entries are files; what else is there (a temporary
                // folder left by a stopped build) goes when as old.
                let old = std::fs::symlink_metadata(entry.path())
                    .and_then(|m| m.modified())
                    .is_ok_and(|modified| modified.elapsed().is_ok_and(|age| age > unused));
                if !old {
                    continue;
                }
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    let _ = std::fs::remove_dir_all(entry.path());
                } else {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only other Portico binaries' folders go: `--cache ~/.cache` holds
    /// other tools' folders (`virtualenv`, `vim`, `v8`) too.
    #[test]
    fn only_other_binaries_folders_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let others = [
            "virtualenv",
            "vim",
            "v8",
            "v1.0",
            "v0.1.0-xyz",
            "v0.1.0-0123456789ABCDEF",
        ];
        for name in others {
            std::fs::create_dir_all(tmp.path().join(name).join("data")).unwrap();
        }
        let old = "v0.1.0-0123456789abcdef";
        std::fs::create_dir_all(tmp.path().join(old).join("page")).unwrap();
        let cache = DiskCache::open(tmp.path()).unwrap();
        drop(cache);
        for name in others {
            assert!(
                tmp.path().join(name).join("data").is_dir(),
                "{name} removed"
            );
        }
        assert!(
            !tmp.path().join(old).exists(),
            "an old build's folder is kept"
        );
        assert!(tmp.path().join(build_name()).is_dir());
        assert!(is_build_name(&build_name()));
    }

    /// A kind refused goes whole and is noted damaged (the build runs
    /// again); other kinds stay, and the refused kind takes new entries.
    #[test]
    fn a_refused_kind_goes_whole_and_the_build_is_told_to_run_again() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(tmp.path()).unwrap();
        cache.put("words", 1, b"one");
        cache.put("words", 2, b"two");
        cache.put("page", 1, b"page");
        assert!(cache.take_damaged().is_empty());
        cache.refuse_kind("words");
        cache.refuse_kind("words");
        assert_eq!(cache.take_damaged().len(), 1, "noted once");
        assert!(!cache.holds("words", 1) && !cache.holds("words", 2));
        assert_eq!(cache.get("page", 1).as_deref(), Some(&b"page"[..]));
        // The build run again keeps its own entries of that kind.
        cache.put("words", 1, b"again");
        assert_eq!(cache.get("words", 1).as_deref(), Some(&b"again"[..]));
        assert!(cache.take_damaged().is_empty());
    }

    #[test]
    fn values_come_back_by_kind_and_key() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(tmp.path()).unwrap();
        assert_eq!(cache.get("page", 7), None);
        assert!(!cache.holds("page", 7));
        cache.put("page", 7, b"seven");
        assert!(cache.holds("page", 7) && !cache.holds("page", 8));
        cache.put("other", 7, b"another kind");
        assert_eq!(cache.get("page", 7).as_deref(), Some(&b"seven"[..]));
        assert_eq!(cache.get("other", 7).as_deref(), Some(&b"another kind"[..]));
        assert_eq!(cache.counts("page"), (1, 1, 0));
        assert_eq!(cache.counts("other"), (1, 0, 0));
        drop(cache);
        let again = DiskCache::open(tmp.path()).unwrap();
        assert_eq!(again.get("page", 7).as_deref(), Some(&b"seven"[..]));
    }

    #[test]
    fn entries_are_kept_after_the_cache_is_deleted_under_a_build() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(tmp.path()).unwrap();
        cache.put("page", 1, b"before");
        // Deleting the cache is allowed at any time: the folders this
        // build made are made again for its next entries.
        std::fs::remove_dir_all(tmp.path()).unwrap();
        cache.put("page", 1, b"after");
        cache.put("page", 2, b"two");
        assert_eq!(cache.get("page", 1).as_deref(), Some(&b"after"[..]));
        assert_eq!(cache.get("page", 2).as_deref(), Some(&b"two"[..]));
        assert_eq!(cache.counts("page").2, 0, "no write failed");
        // A value bigger than one write may take comes back whole.
        let big: Vec<u8> = (0..9_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
        cache.put("page", 3, &big);
        assert_eq!(cache.get("page", 3), Some(big));
    }

    #[test]
    fn a_damaged_or_torn_entry_reads_as_missing() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(tmp.path()).unwrap();
        cache.put("page", 1, b"whole value");
        let path = cache.path("page", 1);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(cache.get("page", 1), None, "a flipped bit");
        std::fs::write(&path, &bytes[..10]).unwrap();
        assert_eq!(cache.get("page", 1), None, "cut short");
        std::fs::write(&path, &bytes[..20]).unwrap();
        assert_eq!(cache.get("page", 1), None, "value cut short");
        std::fs::write(&path, [&bytes[..], b"!"].concat()).unwrap();
        assert_eq!(cache.get("page", 1), None, "a byte more");
        let decoded = |bytes: &[u8]| Some(bytes.to_vec());
        assert_eq!(cache.get_decoded("page", 1, decoded), None, "decoded");
        cache.put("page", 1, b"whole value");
        assert_eq!(cache.get("page", 1).as_deref(), Some(&b"whole value"[..]));
        assert_eq!(
            cache.get_decoded("page", 1, decoded).as_deref(),
            Some(&b"whole value"[..])
        );
        // A shorter value after a longer one: only its own bytes.
        cache.put("page", 2, b"short");
        assert_eq!(
            cache.get_decoded("page", 2, decoded).as_deref(),
            Some(&b"short"[..])
        );
        assert_eq!(cache.get_decoded("page", 2, |_| None::<()>), None);
        assert_eq!(cache.counts("page"), (3, 6, 0));
    }

    /// A FIFO in an entry's place is a miss at once,
    /// not a build waiting for a writer.
    #[cfg(unix)]
    #[test]
    fn a_fifo_in_an_entrys_place_reads_as_missing_without_waiting() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(&tmp.path().join("cache")).unwrap();
        cache.put("page", 1, b"whole value");
        let fifo = |path: &Path| {
            std::fs::remove_file(path).unwrap();
            let made = std::process::Command::new("mkfifo").arg(path).status();
            assert!(made.unwrap().success());
        };
        fifo(&cache.path("page", 1));
        // On another thread, so a regression fails the test, not hangs it.
        let (sent, got) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let found = cache.get("page", 1);
            let _ = sent.send(found);
        });
        let found = got.recv_timeout(std::time::Duration::from_secs(10));
        assert_eq!(found.expect("a read waited on a FIFO"), None);
    }

    #[test]
    fn an_entry_read_later_is_checked_when_read_and_removed_if_damaged() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(&tmp.path().join("cache")).unwrap();
        assert!(cache.later("page", 1).is_none(), "nothing kept");
        cache.put("page", 1, b"whole");
        cache.put("page", 2, b"to be damaged");
        let whole = cache.later("page", 1).unwrap();
        let damaged = cache.later("page", 2).unwrap();
        let path = cache.path("page", 2);
        let mut bytes = std::fs::read(&path).unwrap();
        *bytes.last_mut().unwrap() ^= 0x20;
        std::fs::write(&path, bytes).unwrap();
        assert_eq!(whole.bytes(), Some(&b"whole"[..]));
        assert!(cache.take_damaged().is_empty());
        assert_eq!(damaged.bytes(), None);
        assert!(!path.exists(), "a damaged entry is removed");
        assert_eq!(cache.take_damaged(), vec![path.clone()]);
        assert!(cache.take_damaged().is_empty(), "taken once");
        // Refused by its reader (whole, but not what it wrote): removed too.
        whole.refuse();
        assert_eq!(cache.take_damaged(), vec![cache.path("page", 1)]);
        // Read at once: a damaged entry is not handed out.
        cache.put("page", 3, b"damaged at once");
        let path = cache.path("page", 3);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.truncate(20);
        std::fs::write(&path, bytes).unwrap();
        cache.read_entries_now();
        assert!(cache.later("page", 3).is_none());
        assert!(!path.exists(), "removed");
        assert!(
            cache.take_damaged().is_empty(),
            "missed as a missing entry is, not noted: no build runs again for it"
        );
        cache.put("page", 4, b"fine");
        assert_eq!(cache.later("page", 4).unwrap().bytes(), Some(&b"fine"[..]));
    }

    #[test]
    fn unused_entries_are_trimmed() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(&tmp.path().join("cache")).unwrap();
        cache.put("page", 1, b"old");
        cache.put("page", 2, b"used");
        let long_ago = SystemTime::now() - DAY * (UNUSED_DAYS as u32 + 1);
        File::options()
            .write(true)
            .open(cache.path("page", 1))
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        std::fs::remove_file(cache.dir.join("trimmed")).unwrap();
        drop(cache);
        let cache = DiskCache::open(&tmp.path().join("cache")).unwrap();
        assert!(!cache.path("page", 1).exists(), "unused: deleted");
        assert_eq!(cache.get("page", 2).as_deref(), Some(&b"used"[..]));
    }

    #[test]
    fn other_binaries_entries_are_deleted_when_no_build_uses_the_cache() {
        let tmp = tempfile::tempdir().unwrap();
        let old = tmp.path().join("v0.0.1-0000000000000000");
        std::fs::create_dir_all(old.join("page/00")).unwrap();
        std::fs::write(old.join("page/00/x"), b"old").unwrap();
        let first = DiskCache::open(tmp.path()).unwrap();
        assert!(!old.exists(), "no build held the cache");
        std::fs::create_dir_all(&old).unwrap();
        // A second build while the first holds the cache leaves it alone.
        let second = DiskCache::open(tmp.path()).unwrap();
        assert!(old.exists());
        drop((first, second));
    }

    #[test]
    fn a_cache_in_an_unwritable_place_is_an_error_not_a_panic() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("a-file");
        std::fs::write(&file, b"").unwrap();
        let err = DiskCache::open(&file.join("cache")).unwrap_err();
        assert!(err.contains("cannot create the cache folder"), "{err}");
    }
}
