//! The kept folder: the site a build swapped out, kept beside the target
//! as the next build's base instead of deleted (with the build cache).
//!
//! Most of a site's files are the same from one build to the next, and
//! the last site and the one before it share them by hard link. Linking
//! every unchanged file into a new staging folder and then unlinking every
//! file of the site swapped out cost a one-page build thousands of links
//! and unlinks. Instead the site swapped out is renamed
//! `.NAME.portico-kept`, and the next build that changes something brings
//! that folder up to date and swaps it in:
//!
//! - the kept folder is listed whole (its folders read, no file opened):
//!   nothing recorded about it is trusted, so a folder changed by hand, or
//!   left half updated by a killed build, is still brought exactly to the
//!   new site. The listing starts as the build starts, on rayon's pool,
//!   and runs beside the stages ([`EarlyListing`]): a change made to the
//!   kept folder by hand while a build runs is that build's to miss (no
//!   build writes into it before its commit, and builds into one target
//!   take turns); the next build finds the live site's file changed or
//!   gone and writes it again;
//! - a file the new site carries over from the last one stays when the
//!   kept folder's entry is that very file (the same inode the last site
//!   holds, found untouched there); otherwise it is linked from the last
//!   site again;
//! - a file this build wrote is linked in from the staging folder, in place
//!   of whatever the kept folder held at its path;
//! - every other file, folder, link or special file is removed.
//!
//! Nothing in the kept folder is ever written into: a file is replaced by
//! unlinking it and linking another in its place, so the live site, which
//! shares the kept folder's inodes, never changes. The live site is
//! untouched until the swap's renames; a failure while the kept folder is
//! brought up to date leaves the staging folder whole, and the build goes
//! on the old way (carried files linked into it), the kept folder deleted.

use super::{FileFacts, MARKER, Manifest, OutputError, SiteFacts, io_error, name_and_parent};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The kept folder's name beside the target: one per target, no process
/// id (a build's own folders have one).
pub(super) fn kept_dir(out_dir: &Path) -> PathBuf {
    let (name, parent) = name_and_parent(out_dir);
    parent.join(format!(".{name}.portico-kept"))
}

/// Whether `kept` may be brought up to date as the new site: a real folder
/// (not a link) holding Portico's marker, on the target's file system.
/// Gives the folder's device and inode when it may.
pub(super) fn usable(kept: &Path, out_dir: &Path) -> Option<(u64, u64)> {
    let (Ok(folder), Ok(target)) = (kept.symlink_metadata(), out_dir.symlink_metadata()) else {
        return None;
    };
    (folder.is_dir()
        && target.is_dir()
        && same_device(&folder, &target)
        && kept
            .join(MARKER)
            .symlink_metadata()
            .is_ok_and(|m| m.is_file()))
    .then(|| identity(&folder))
}

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

#[cfg(unix)]
fn same_device(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev()
}

/// Without inode numbers the kept folder cannot tell its files from the
/// last site's: it is not used.
#[cfg(not(unix))]
fn same_device(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}

/// A fast hasher for the listing's thousands of paths (not keys an
/// attacker chooses: they are the site's own).
type Fast = foldhash::fast::RandomState;

/// What the kept folder holds, by site path, read from its folders alone.
#[derive(Debug, Default)]
struct Listing {
    /// Regular files and their inode numbers.
    files: HashMap<String, u64, Fast>,
    folders: HashSet<String, Fast>,
    /// Anything else (symbolic links, sockets…): always removed.
    others: Vec<String>,
}

/// A folder's stamp: its inode and its modification and change times
/// (nanoseconds). Adding, removing or renaming an entry of a folder sets
/// both times, and nothing sets a change time back, so a folder with the
/// stamp it had when it was listed still holds what that listing found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    inode: u64,
    modified: i128,
    changed: i128,
}

impl Stamp {
    /// Of a folder's `files::stamp` fields.
    #[cfg(unix)]
    fn of(stamp: [i64; 8]) -> Stamp {
        let [modified, changed] = crate::files::stamp_times(&stamp);
        Stamp {
            inode: stamp[1] as u64,
            modified,
            changed,
        }
    }

    /// Without inode numbers and change times nothing is recorded.
    #[cfg(not(unix))]
    fn of(_: &std::fs::Metadata) -> Stamp {
        Stamp {
            inode: 0,
            modified: i128::MAX,
            changed: i128::MAX,
        }
    }

    /// Whether a listing taken at `now` may be trusted later by this
    /// stamp: neither time within [`SETTLED_NANOS`] of `now` (an entry
    /// added within the same clock tick of the file system as the folder's
    /// last change would leave its stamp as it is).
    fn settled(&self, now: i128) -> bool {
        self.inode != 0
            && tick_end(self.modified) < now - SETTLED_NANOS
            && tick_end(self.changed) < now - SETTLED_NANOS
    }
}

/// The latest a change stamped `time` (nanoseconds since the epoch) may
/// really have been made. A time of whole seconds is taken for a file
/// system that keeps coarse times (FAT keeps two-second ones; others whole
/// seconds) and moved to the end of a two-second tick; a finer time is
/// itself (one of whole seconds by chance costs only a folder read again).
pub(crate) fn tick_end(time: i128) -> i128 {
    const SECOND: i128 = 1_000_000_000;
    if time % SECOND == 0 {
        time + 2 * SECOND
    } else {
        time
    }
}

/// How long before a listing a folder's last change must be for the
/// listing to be recorded (as `pipeline::unchanged::RACY_NANOS`).
const SETTLED_NANOS: i128 = 1_000_000_000;

fn now_nanos() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

/// One folder as a listing found it: its stamp, taken before it was read,
/// and the names of its files (with their inodes) and folders.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Folder {
    stamp: Stamp,
    files: Vec<(String, u64)>,
    folders: Vec<String>,
}

impl Folder {
    /// Whether each name could be one entry of a real folder, and none is
    /// listed twice. A record comes from the build cache, which is not to
    /// be trusted: a folder named `..` or `a/b` would reach outside the one
    /// it is listed in, and bringing the kept folder up to date deletes
    /// what the new site does not hold.
    fn names_are_entries(&self) -> bool {
        let names = || self.files.iter().map(|(name, _)| name).chain(&self.folders);
        if !names().all(|name| crate::files::entry_name(name.as_bytes())) {
            return false;
        }
        // Most of a site's folders hold a page or two: compared in turn,
        // with no set made for them.
        let count = self.files.len() + self.folders.len();
        if count <= 8 {
            return names()
                .enumerate()
                .all(|(n, name)| names().skip(n + 1).all(|other| other != name));
        }
        let mut seen = HashSet::with_capacity_and_hasher(count, Fast::default());
        names().all(|name| seen.insert(name.as_str()))
    }
}

/// A kept folder's listing as the build that brought it up to date left
/// it, for the next build that uses it: the folders that build did not
/// change (nor listed too soon after a change), by site path (`""` the
/// root). A folder found with its recorded stamp is not read again; any
/// other is ([`list`]).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Recorded {
    folders: HashMap<String, Folder, Fast>,
}

impl Recorded {
    /// The record as the build cache keeps it.
    pub fn to_bytes(&self) -> Vec<u8> {
        crate::memo::encode(self).unwrap_or_default()
    }

    /// A record read back; `None` for damaged bytes (the folder is then
    /// listed whole).
    pub fn from_bytes(bytes: &[u8]) -> Option<Recorded> {
        crate::memo::decode(bytes)
    }
}

/// Lists `root` without following links (each entry's type as its folder
/// gives it; folders in parallel). A folder `record` holds with the stamp
/// it has now is taken from the record, not read. Returns the listing and
/// the record of what was found (folders listed too soon after a change,
/// or holding anything but files and folders, left out).
fn list(root: &Path, record: Option<Recorded>) -> std::io::Result<(Listing, Recorded, usize)> {
    // On a network or FUSE file system a folder's time may not move when
    // a file is added from elsewhere: every folder is read there. A
    // folder taken from the record is moved out of it (into the new one).
    let record = record
        .filter(|_| crate::files::folder_times_move(root))
        .map(|record| Mutex::new(record.folders));
    let listing = Mutex::new(Listing::default());
    let found = Mutex::new(Recorded::default());
    let read = std::sync::atomic::AtomicUsize::new(0);
    let walk = Walk {
        root,
        below: crate::files::Below::open(root),
        record,
        now: now_nanos(),
        listing: &listing,
        found: &found,
        read: &read,
    };
    walk.folder(String::new())?;
    Ok((into_inner(listing), into_inner(found), read.into_inner()))
}

fn into_inner<T>(mutex: Mutex<T>) -> T {
    mutex
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One listing of a kept folder under way.
struct Walk<'a> {
    root: &'a Path,
    /// `root` held open: each folder is stamped from it, the kernel
    /// walking only the folder's path below it (the walk from `/` was most
    /// of each stamp).
    below: crate::files::Below,
    record: Option<Mutex<HashMap<String, Folder, Fast>>>,
    /// When the listing started, nanoseconds since the epoch.
    now: i128,
    listing: &'a Mutex<Listing>,
    found: &'a Mutex<Recorded>,
    /// Folders read (not taken from the record).
    read: &'a std::sync::atomic::AtomicUsize,
}

impl Walk<'_> {
    fn folder(&self, rel: String) -> std::io::Result<()> {
        let full = if rel.is_empty() {
            self.root.to_path_buf()
        } else {
            self.root.join(&rel)
        };
        // Stamped before it is read: a change after this is a new stamp.
        let stamp = self.stamp(&rel, &full)?;
        let recorded = self.record.as_ref().and_then(|record| {
            let mut record = super::lock(record);
            let folder = record.get(&rel)?;
            (folder.stamp == stamp && stamp.settled(self.now) && folder.names_are_entries())
                .then(|| record.remove(&rel))
                .flatten()
        });
        let (folder, others) = match recorded {
            Some(folder) => (folder, Vec::new()),
            None => {
                self.read.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                read_folder(&full, stamp)?
            }
        };
        let path = |name: &str| {
            if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            }
        };
        let folders: Vec<String> = folder.folders.iter().map(|n| path(n)).collect();
        {
            let mut listing = super::lock(self.listing);
            listing
                .files
                .extend(folder.files.iter().map(|(n, inode)| (path(n), *inode)));
            listing.others.extend(others.iter().map(|n| path(n)));
            listing.folders.extend(folders.iter().cloned());
        }
        if others.is_empty() && stamp.settled(self.now) {
            super::lock(self.found).folders.insert(rel, folder);
        }
        folders
            .into_par_iter()
            .try_for_each(|folder| self.folder(folder))
    }
}

impl Walk<'_> {
    /// The stamp of the folder `rel` (`full` in full), an error unless it
    /// is a folder (not a link to one).
    #[cfg(unix)]
    fn stamp(&self, rel: &str, full: &Path) -> std::io::Result<Stamp> {
        const FOLDER: i64 = 0o040000;
        const TYPE: i64 = 0o170000;
        let stamp = self.below.stamp(Path::new(rel), false).ok_or_else(|| {
            std::io::Error::other(format!("`{}` is gone or cannot be read", full.display()))
        })?;
        if stamp[0] & TYPE != FOLDER {
            return Err(std::io::Error::other(format!(
                "`{}` is not a folder",
                full.display()
            )));
        }
        Ok(Stamp::of(stamp))
    }

    #[cfg(not(unix))]
    fn stamp(&self, _rel: &str, full: &Path) -> std::io::Result<Stamp> {
        let meta = std::fs::symlink_metadata(full)?;
        if !meta.is_dir() {
            return Err(std::io::Error::other(format!(
                "`{}` is not a folder",
                full.display()
            )));
        }
        Ok(Stamp::of(&meta))
    }
}

/// The entries of the folder `full` by name: its files and folders, and
/// anything else (symbolic links, sockets…) apart.
fn read_folder(full: &Path, stamp: Stamp) -> std::io::Result<(Folder, Vec<String>)> {
    let mut folder = Folder {
        stamp,
        files: Vec::new(),
        folders: Vec::new(),
    };
    let mut others = Vec::new();
    for entry in std::fs::read_dir(full)? {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            // No site path has such a name, and none can name it to remove
            // it: the kept folder is not used.
            return Err(std::io::Error::other(format!(
                "`{}` has a name that is not UTF-8",
                entry.path().display()
            )));
        };
        let kind = entry.file_type()?;
        if kind.is_dir() {
            folder.folders.push(name);
        } else if kind.is_file() {
            let inode = entry_inode(&entry);
            folder.files.push((name, inode));
        } else {
            others.push(name);
        }
    }
    Ok((folder, others))
}

/// The folder a site path is in (`""`: the root).
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(parent, _)| parent)
}

#[cfg(unix)]
fn entry_inode(entry: &std::fs::DirEntry) -> u64 {
    std::os::unix::fs::DirEntryExt::ino(entry)
}

#[cfg(not(unix))]
fn entry_inode(_: &std::fs::DirEntry) -> u64 {
    0
}

/// What bringing the kept folder up to date did.
#[derive(Debug, Default)]
pub struct Updated {
    /// Files already there (the last site's, by hard link).
    pub stayed: usize,
    /// Files linked in: written by this build, or the last site's again.
    pub linked: usize,
    /// Files, folders and other entries removed.
    pub removed: usize,
    /// Folders read to list the kept folder, and folders taken as the
    /// record of the build that left it holds them.
    pub folders_read: usize,
    pub folders_recorded: usize,
}

/// What [`update`] did, the facts of the files it copied and the kept
/// marker's, and the record of the folder as it left it.
pub(super) type Brought = (Updated, Vec<(String, FileFacts)>, Recorded);

/// How [`update`] lists the kept folder: taken from a listing started
/// early, or made now with what the last update recorded.
pub(super) enum Record {
    Early(EarlyListing),
    Kept(Option<Recorded>),
}

/// A listing of the kept folder ([`list`]): the listing, the record of what
/// was found and how many folders were read.
type Listed = std::io::Result<(Listing, Recorded, usize)>;

/// The kept folder's listing started early, on rayon's pool, while the
/// build renders: it depends on nothing the build makes, and listing
/// thousands of folders at the commit kept one core busy while the other
/// had little to do. Whoever comes first lists: the job, or the commit,
/// which then lists it itself (so a pool with one thread, busy with the
/// build, never waits on a job it would have to run).
pub(super) struct EarlyListing {
    /// The kept folder's device and inode when the listing was started.
    pub folder: (u64, u64),
    state: std::sync::Arc<(Mutex<EarlyState>, std::sync::Condvar)>,
}

impl std::fmt::Debug for EarlyListing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EarlyListing")
            .field("folder", &self.folder)
            .finish_non_exhaustive()
    }
}

enum EarlyState {
    /// Not started yet: the folder and the record to list it with.
    Waiting(PathBuf, Option<Recorded>),
    Running,
    Done(Listed),
    /// Taken by the commit.
    Taken,
}

impl EarlyListing {
    /// Starts listing `kept` (device and inode `folder`) with `record`.
    pub(super) fn start(kept: PathBuf, folder: (u64, u64), record: Option<Recorded>) -> Self {
        let state = std::sync::Arc::new((
            Mutex::new(EarlyState::Waiting(kept, record)),
            std::sync::Condvar::new(),
        ));
        let job = std::sync::Arc::clone(&state);
        rayon::spawn(move || EarlyListing::run(&job));
        EarlyListing { folder, state }
    }

    /// Lists the folder unless the commit took it first.
    fn run(state: &(Mutex<EarlyState>, std::sync::Condvar)) {
        let (lock, ready) = state;
        let (kept, record) = {
            let mut guard = super::lock(lock);
            match std::mem::replace(&mut *guard, EarlyState::Running) {
                EarlyState::Waiting(kept, record) => (kept, record),
                other => {
                    *guard = other;
                    return;
                }
            }
        };
        // The commit waits for this: a panic must still end the wait.
        let listed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| list(&kept, record)))
            .unwrap_or_else(|_| Err(std::io::Error::other("listing the kept folder failed")));
        *super::lock(lock) = EarlyState::Done(listed);
        ready.notify_all();
    }

    /// The listing: the job's, waited for if it is under way, or made now
    /// if it has not started.
    fn take(self) -> Listed {
        let (lock, ready) = &*self.state;
        let mut guard = super::lock(lock);
        loop {
            match std::mem::replace(&mut *guard, EarlyState::Taken) {
                EarlyState::Waiting(kept, record) => {
                    drop(guard);
                    return list(&kept, record);
                }
                EarlyState::Running => {
                    *guard = EarlyState::Running;
                    guard = ready
                        .wait(guard)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                }
                EarlyState::Done(listed) => return listed,
                EarlyState::Taken => {
                    return Err(std::io::Error::other("the kept folder's listing was taken"));
                }
            }
        }
    }
}

/// Brings the folder `kept` to exactly the new site: `facts` (every file,
/// the marker aside), of which `carried` (path, inode in the last site)
/// are the last site's files in `live` where `facts` still records the
/// last site's facts for them, and every other file is in `staging`.
/// `record` is what the build that last brought this folder up to date
/// recorded of it ([`list`]). Returns the facts of files copied where
/// links were refused, and the kept marker's, for the manifest, and the
/// record of the folder as it is left, for the next build that uses it.
pub(super) fn update(
    kept: &Path,
    staging: &Path,
    live: &Path,
    previous: &Manifest,
    facts: &SiteFacts,
    carried: &[(String, u64)],
    record: Record,
) -> Result<Brought, OutputError> {
    let failed = |what: &str, path: &Path, e: std::io::Error| io_error(what, path, e);
    let listed = match record {
        Record::Early(early) => early.take(),
        Record::Kept(record) => list(kept, record),
    };
    let (listing, mut found, folders_read) = listed.map_err(|e| failed("list", kept, e))?;
    // The carried files whose last-site file the kept folder may hold
    // (looked up on every core: the commit is the build's last stretch on
    // one thread, and these lookups over thousands of paths were a fifth
    // of it).
    let from_live: HashMap<&str, u64, Fast> = carried
        .par_iter()
        .filter(|(path, _)| facts.get(path) == previous.files.get(path))
        .map(|(path, inode)| (path.as_str(), *inode))
        .collect();
    let wanted = |path: &str| path != MARKER && facts.contains_key(path);
    let files: Vec<&String> = facts.keys().filter(|p| p.as_str() != MARKER).collect();
    let mut needed: HashSet<&str, Fast> = HashSet::default();
    for path in &files {
        let mut rest = path.as_str();
        while let Some((parent, _)) = rest.rsplit_once('/') {
            if !needed.insert(parent) {
                break;
            }
            rest = parent;
        }
    }
    let parent_kept = |path: &str| {
        path.rsplit_once('/')
            .is_none_or(|(parent, _)| needed.contains(parent))
    };
    // Folders the new site has no file under (the outermost of them),
    // then files it does not have, and whatever is neither file nor folder.
    let mut removed = 0;
    // Folders whose entries this update changes: not recorded.
    let mut touched: HashSet<&str, Fast> = HashSet::default();
    let mut remove_folders: Vec<&String> = listing
        .folders
        .iter()
        .filter(|f| !needed.contains(f.as_str()) && parent_kept(f))
        .collect();
    remove_folders.sort();
    for folder in remove_folders {
        let full = kept.join(folder);
        std::fs::remove_dir_all(&full).map_err(|e| failed("delete", &full, e))?;
        touched.insert(parent(folder));
        removed += 1;
    }
    let unwanted: Vec<&str> = listing
        .files
        .par_iter()
        .map(|(path, _)| path.as_str())
        .filter(|p| *p != MARKER && !wanted(p))
        .collect();
    let extra = listing
        .others
        .iter()
        .map(String::as_str)
        .chain(unwanted)
        .filter(|p| parent_kept(p));
    for path in extra {
        touched.insert(parent(path));
        let full = kept.join(path);
        match std::fs::remove_file(&full) {
            Err(e) if e.kind() != ErrorKind::NotFound => return Err(failed("delete", &full, e)),
            _ => removed += 1,
        }
    }
    // The new site's folders the kept folder lacks (those it has are real
    // folders: links and files at their paths were removed above).
    let mut missing: Vec<&str> = needed
        .iter()
        .copied()
        .filter(|f| !listing.folders.contains(*f))
        .collect();
    missing.sort_by_key(|f| (f.matches('/').count(), *f));
    for folder in missing {
        touched.insert(parent(folder));
        let full = kept.join(folder);
        match std::fs::create_dir(&full) {
            Err(e) if e.kind() != ErrorKind::AlreadyExists => {
                return Err(failed("create", &full, e));
            }
            _ => {}
        }
    }
    // Each file: kept as it is, or linked in from where it is.
    let stays = |path: &str| {
        from_live
            .get(path)
            .is_some_and(|inode| *inode != 0 && listing.files.get(path) == Some(inode))
    };
    let staying: Vec<bool> = files.par_iter().map(|path| stays(path)).collect();
    let mut stayed = 0;
    for (path, stays) in files.iter().zip(&staying) {
        if *stays {
            stayed += 1;
        } else {
            touched.insert(parent(path));
        }
    }
    let copies = Mutex::new(Vec::new());
    files
        .par_iter()
        .zip(&staying)
        .try_for_each(|(path, stays)| {
            let path = path.as_str();
            if *stays {
                return Ok(());
            }
            let from = match from_live.get(path) {
                Some(_) => live.join(path),
                None => staging.join(path),
            };
            let to = kept.join(path);
            if listing.files.contains_key(path) {
                match std::fs::remove_file(&to) {
                    Err(e) if e.kind() != ErrorKind::NotFound => {
                        return Err(failed("replace", &to, e));
                    }
                    _ => {}
                }
            }
            if std::fs::hard_link(&from, &to).is_ok() {
                return Ok(());
            }
            // Links refused: a copy, with its own facts (a new modification
            // time), so the next build finds it as recorded.
            let bytes = std::fs::read(&from).map_err(|e| failed("read", &from, e))?;
            let file = super::write_new_file(&to, &bytes).map_err(|e| failed("write", &to, e))?;
            let meta = file.metadata().map_err(|e| failed("write", &to, e))?;
            super::lock(&copies).push((path.to_string(), FileFacts::of(&bytes, &meta)));
            Ok(())
        })?;
    let mut copies = copies
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // The kept folder's marker stays (the staging folder keeps its own
    // until it is deleted, so a leftover is always recognisable).
    let marker = kept.join(MARKER);
    let bytes = std::fs::read(&marker).map_err(|e| failed("read", &marker, e))?;
    let meta = marker
        .symlink_metadata()
        .map_err(|e| failed("read", &marker, e))?;
    copies.push((MARKER.to_string(), FileFacts::of(&bytes, &meta)));
    found.folders.retain(|path, _| {
        (path.is_empty() || needed.contains(path.as_str())) && !touched.contains(path.as_str())
    });
    let folders_recorded = (listing.folders.len() + 1).saturating_sub(folders_read);
    Ok((
        Updated {
            stayed,
            linked: files.len() - stayed,
            removed,
            folders_read,
            folders_recorded,
        },
        copies,
        found,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(listing: &Listing) -> Vec<&str> {
        let mut files: Vec<&str> = listing.files.keys().map(String::as_str).collect();
        files.sort_unstable();
        files
    }

    /// A folder is taken from the record only while its stamp is the one
    /// recorded: an entry added, removed or replaced anywhere below is
    /// found, and folders changed just before a listing are not recorded.
    #[test]
    fn a_recorded_listing_is_trusted_only_where_a_folder_is_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for folder in ["a/b", "c"] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
        }
        for file in ["index.html", "a/b/index.html", "c/index.html"] {
            std::fs::write(root.join(file), file).unwrap();
        }
        let (_, fresh, read) = list(root, None).unwrap();
        assert_eq!(read, 4, "every folder read");
        assert!(fresh.folders.is_empty(), "changed just now: not recorded");

        std::thread::sleep(std::time::Duration::from_millis(1100));
        let (first, record, read) = list(root, None).unwrap();
        assert_eq!(read, 4);
        assert_eq!(record.folders.len(), 4, "settled: every folder recorded");
        let record = Recorded::from_bytes(&record.to_bytes()).unwrap();
        let (again, _, read) = list(root, Some(record.clone())).unwrap();
        assert_eq!(read, 0, "nothing changed: nothing read");
        assert_eq!(files(&again), files(&first));
        assert_eq!(again.files, first.files, "the same inodes");
        assert_eq!(again.folders, first.folders);

        // A file planted deep down, one replaced by a rename (a new inode), a folder
        // replaced by a file, a symbolic link.
        std::fs::write(root.join("a/b/stray.html"), "stray").unwrap();
        std::fs::write(root.join("new.html"), "new").unwrap();
        std::fs::rename(root.join("new.html"), root.join("index.html")).unwrap();
        std::fs::remove_dir_all(root.join("c")).unwrap();
        std::fs::write(root.join("c"), "a file").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.join("a/link")).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let (changed, _, read) = list(root, Some(record.clone())).unwrap();
        assert_eq!(read, 3, "the root, a and a/b read again: {changed:?}");
        assert_eq!(
            files(&changed),
            ["a/b/index.html", "a/b/stray.html", "c", "index.html"]
        );
        assert_ne!(changed.files["index.html"], first.files["index.html"]);
        assert_eq!(changed.others, ["a/link"]);
        assert!(!changed.folders.contains("c"));
    }

    /// Folders held open and stamped without following links: a recorded
    /// folder replaced by a link to a folder outside, or removed, after
    /// the listing was recorded is never listed through. Its parent's
    /// stamp moved, so the parent is read again and finds a link (to be
    /// removed) or nothing; no name from outside the kept folder appears.
    #[test]
    fn a_recorded_folder_replaced_by_a_link_or_removed_is_not_listed_through() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("kept");
        let outside = dir.path().join("outside");
        for folder in ["docs/a", "docs/b", "c"] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
            std::fs::write(root.join(folder).join("index.html"), folder).unwrap();
        }
        std::fs::create_dir_all(outside.join("deep")).unwrap();
        std::fs::write(outside.join("secret.txt"), "not the site's").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let (_, record, _) = list(&root, None).unwrap();
        assert_eq!(record.folders.len(), 5, "settled: every folder recorded");

        std::fs::remove_dir_all(root.join("docs/a")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("docs/a")).unwrap();
        std::fs::remove_dir_all(root.join("c")).unwrap();
        let (listing, _, read) = list(&root, Some(record)).unwrap();
        assert_eq!(read, 2, "the root and docs read again: {listing:?}");
        assert_eq!(files(&listing), ["docs/b/index.html"]);
        assert_eq!(listing.others, ["docs/a"], "the link, to be removed");
        let mut folders: Vec<&str> = listing.folders.iter().map(String::as_str).collect();
        folders.sort_unstable();
        assert_eq!(folders, ["docs", "docs/b"]);

        // The kept folder itself gone while it is listed: an error (the
        // build then goes on without it), not a listing of nothing.
        std::fs::remove_dir_all(&root).unwrap();
        let gone = list(&root, None).unwrap_err();
        assert!(gone.to_string().contains("is gone"), "{gone}");
    }

    /// A record (from the build cache: untrusted) naming a folder `..`,
    /// a path or one name twice is not taken: the folder is read.
    #[test]
    fn a_recorded_folder_with_names_no_folder_has_is_read_instead() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("kept");
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join("a/index.html"), "a").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let (first, record, _) = list(&root, None).unwrap();
        for forged in ["..", ".", "", "a/../..", "x\0y"] {
            let mut record = Recorded::from_bytes(&record.to_bytes()).unwrap();
            let top = record.folders.get_mut("").unwrap();
            top.folders.push(forged.to_string());
            let (listing, _, read) = list(&root, Some(record.clone())).unwrap();
            assert_eq!(read, 1, "{forged:?}: the root read again");
            assert_eq!(listing.folders, first.folders, "{forged:?}");
        }
        let mut twice = Recorded::from_bytes(&record.to_bytes()).unwrap();
        twice.folders.get_mut("").unwrap().folders.push("a".into());
        let (listing, _, read) = list(&root, Some(twice.clone())).unwrap();
        assert_eq!(
            (read, &listing.folders),
            (1, &first.folders),
            "a listed twice"
        );
    }

    /// A listing started early gives what a listing at the commit gives,
    /// whether the job ran first, runs while it is asked for, or never ran:
    /// on a pool of one thread busy with the asker, the asker lists it
    /// itself rather than wait for a job that thread would have to run.
    #[test]
    fn an_early_listing_is_the_listing_whoever_makes_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("kept");
        for n in 0..20 {
            std::fs::create_dir_all(root.join(format!("d{n}/e"))).unwrap();
            std::fs::write(root.join(format!("d{n}/e/index.html")), "x").unwrap();
        }
        let now = files(&list(&root, None).unwrap().0)
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>();
        let taken = |early: EarlyListing| {
            files(&early.take().unwrap().0)
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>()
        };
        // On the global pool: the job may have run, or be running.
        let early = EarlyListing::start(root.clone(), (1, 2), None);
        assert_eq!(taken(early), now);
        // On a pool of one thread that is busy asking: never waits.
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let listed = one.install(|| {
            let early = EarlyListing::start(root.clone(), (1, 2), None);
            taken(early)
        });
        assert_eq!(listed, now);
        // A folder gone before anyone lists it: an error, not a hang.
        let early = EarlyListing::start(dir.path().join("gone"), (1, 2), None);
        assert!(early.take().is_err());
    }

    /// Names are checked the same way in small folders (compared in turn)
    /// and large ones (a set): a name listed twice, as a file or as a
    /// folder, or one that is no entry name, is refused.
    #[test]
    fn a_folder_listing_a_name_twice_is_refused_whatever_its_size() {
        let stamp = Stamp {
            inode: 1,
            modified: 0,
            changed: 0,
        };
        for size in [1, 2, 8, 9, 40] {
            let files: Vec<(String, u64)> = (0..size).map(|n| (format!("f{n}"), 1)).collect();
            let folder = Folder {
                stamp,
                files: files.clone(),
                folders: vec!["sub".into()],
            };
            assert!(folder.names_are_entries(), "{size}");
            let mut twice = folder.clone();
            twice.folders.push(format!("f{}", size - 1));
            assert!(
                !twice.names_are_entries(),
                "{size}: a file's name as a folder's"
            );
            let mut twice = folder.clone();
            twice.files.push(("f0".into(), 2));
            assert!(!twice.names_are_entries(), "{size}: a file twice");
            let mut bad = folder.clone();
            bad.files.push(("..".into(), 2));
            assert!(!bad.names_are_entries(), "{size}: `..`");
        }
    }
}
