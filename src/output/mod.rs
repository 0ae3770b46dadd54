//! Writing the site: into a staging folder next to the target, then swapped
//! in, so a failed or interrupted build never leaves a half-written site
//! where the last good one was.
//!
//! # What a build leaves in `--out`, whatever happens to it
//!
//! Beside the target `site`, in its parent folder, a build uses:
//!
//! - `.site.portico-lock`: a lock file, never deleted. A build holds an
//!   exclusive lock on it from before it looks at the target until its site
//!   is swapped in or its staging folder deleted, so builds into one target
//!   take turns. The system releases the lock of a process that dies.
//! - `.site.portico-staging-PID`: the new site being written; the marker is
//!   its first file.
//! - `.site.portico-old-PID`: the last good site, moved aside for the
//!   instant between the swap's two renames. Always a complete site.
//! - `.site.portico-trash-PID`: the last good site after the swap, being
//!   deleted (on a thread of its own, while the command reports: see
//!   [`Deletion`]; a process that ends first leaves it to the next build).
//! - `.site.portico-kept` (with the build cache): the last good site after
//!   the swap, kept as the next build's base instead of deleted ([`kept`]).
//!   Never trusted: the build that uses it lists it whole and brings it to
//!   exactly the new site before swapping it in. A build without the cache
//!   deletes it.
//!
//! A build stopped at any point, by an error, a full disk, Ctrl-C or
//! SIGKILL, leaves `site` as the last good site or as the complete new one,
//! never a mix of the two. The one exception is a kill between the swap's
//! two renames: then `site` does not exist and the last good site is the
//! `-old-` folder, which the next build puts back before anything else.
//! The next build also deletes the dead build's other folders. (Nothing is
//! flushed to the disk: after a power cut the file system's own journal
//! decides what is there.)
//!
//! With the build cache, files the last site already holds are not written
//! again, and a site with nothing to change is left alone ([`carry`]); a
//! changed site is the kept folder brought up to date ([`kept`]), or, when
//! there is none, the staging folder with the unchanged files linked over.

mod carry;
mod kept;
pub(crate) use kept::tick_end;

use crate::memo::lock;
pub use carry::{FileFacts, Manifest, SearchKey, SiteFacts, halves};
pub use kept::{Recorded, Updated};
use rayon::prelude::*;
use std::collections::HashSet;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// One file of the site, by its path relative to the site root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    /// Shared: a page kept between builds of `portico serve` is handed to
    /// each build, and served, without a copy.
    pub bytes: std::sync::Arc<[u8]>,
}

impl OutputFile {
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        OutputFile::shared(path, bytes.into().into())
    }

    /// A file whose bytes are already shared.
    pub fn shared(path: impl Into<String>, bytes: std::sync::Arc<[u8]>) -> Self {
        OutputFile {
            path: path.into(),
            bytes,
        }
    }
}

/// Where the kept folder's listing ([`Recorded`]) is kept from one build to
/// the next (the build cache), by the folder's device and inode: the build
/// that brings a kept folder up to date records what it left there, and
/// the next build that uses the same folder reads only the folders changed
/// since. Nothing recorded is trusted beyond a folder's stamp.
pub trait KeptRecords {
    fn get(&self, folder: (u64, u64)) -> Option<Vec<u8>>;
    fn put(&self, folder: (u64, u64), bytes: &[u8]);
}

/// Marks a folder as a Portico site, so rebuilding may replace it.
pub const MARKER: &str = ".portico-site";

#[derive(Debug)]
pub struct OutputError(String);

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> OutputError {
    OutputError(format!("cannot {what} `{}`: {e}", path.display()))
}

/// Refuses a target that holds something Portico did not write.
fn check_target(out_dir: &Path) -> Result<(), OutputError> {
    if !out_dir.exists() {
        return Ok(());
    }
    if !out_dir.is_dir() {
        return Err(OutputError(format!(
            "`{}` exists and is not a folder",
            out_dir.display()
        )));
    }
    let empty = std::fs::read_dir(out_dir)
        .map_err(|e| io_error("read", out_dir, e))?
        .next()
        .is_none();
    if empty || out_dir.join(MARKER).is_file() {
        return Ok(());
    }
    Err(OutputError(format!(
        "refusing to overwrite `{}`: it is not empty and was not created by Portico; remove it or choose another --out",
        out_dir.display()
    )))
}

/// The target's folder name and the folder it sits in.
fn name_and_parent(out_dir: &Path) -> (String, &Path) {
    let name = out_dir
        .file_name()
        .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
    let parent = out_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    (name, parent)
}

/// The kinds of folder a build keeps beside the target (see the module doc).
const STAGING: &str = "staging";
const OLD: &str = "old";
const TRASH: &str = "trash";

fn sibling(out_dir: &Path, kind: &str) -> PathBuf {
    let (name, parent) = name_and_parent(out_dir);
    parent.join(format!(".{name}.portico-{kind}-{}", std::process::id()))
}

/// A site being written: a folder next to the target that becomes the
/// target on [`Staging::commit`]. Dropped without a commit, it is deleted
/// and the last good site stays.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    out_dir: PathBuf,
    /// Site folders (site-relative) this staging made, or found to be real
    /// folders, so a file's folders are checked once, not per file.
    folders: Mutex<HashSet<String>>,
    committed: bool,
    /// The target's lock, released when this is dropped: after `Drop::drop`
    /// has deleted an uncommitted staging folder.
    _lock: File,
    /// With the build cache: what the last site holds ([`carry`]).
    previous: Option<Manifest>,
    /// The last site's folder, held open to check its files against
    /// `previous` (with it).
    live: Option<crate::files::Below>,
    /// With the build cache: every file of the new site, for its manifest.
    facts: Option<Mutex<SiteFacts>>,
    /// Files with the last site's bytes, linked over at the commit, with
    /// their inode numbers in the last site (0: not known).
    carried: Mutex<Vec<(String, u64)>>,
    /// The kept folder's listing, started early ([`Staging::list_kept_early`]).
    early_listing: Mutex<Option<kept::EarlyListing>>,
}

/// The last good site's deletion after a swap, running on a thread of its
/// own so the build does not wait for thousands of unlinks; waited for
/// when dropped. Should the process end first, the folder (renamed
/// `-trash-`, its marker deleted last) is deleted by the next build.
#[derive(Debug, Default)]
pub struct Deletion(Option<std::thread::JoinHandle<()>>);

impl Drop for Deletion {
    fn drop(&mut self) {
        if let Some(thread) = self.0.take() {
            let _ = thread.join();
        }
    }
}

/// What a commit did.
#[derive(Debug, Default)]
pub struct Committed {
    /// The last site's deletion, if one is running.
    pub deletion: Deletion,
    /// The new site's manifest, when the staging was made to carry files.
    pub manifest: Option<Manifest>,
    /// The site already held exactly these files: nothing was swapped.
    pub unchanged: bool,
    /// Files taken over from the last site rather than written.
    pub carried: usize,
    /// When the site swapped in was the kept folder brought up to date
    /// ([`kept`]) rather than the staging folder: what that took.
    pub kept: Option<Updated>,
}

impl Staging {
    /// Waits for the target's lock, puts back a site an interrupted swap
    /// left aside, checks the target and creates an empty staging folder.
    pub fn create(out_dir: &Path) -> Result<Staging, OutputError> {
        Staging::create_with(out_dir, None, false)
    }

    /// [`Staging::create`] for a build with the cache: files with the bytes
    /// `previous` (the last site's manifest) records are carried over
    /// instead of written, and the commit returns the new site's manifest.
    pub fn create_carrying(
        out_dir: &Path,
        previous: Option<Manifest>,
    ) -> Result<Staging, OutputError> {
        Staging::create_with(out_dir, previous, true)
    }

    fn create_with(
        out_dir: &Path,
        previous: Option<Manifest>,
        record: bool,
    ) -> Result<Staging, OutputError> {
        let lock = lock_target(out_dir)?;
        // With the lock held, every staging, old or trash folder beside the
        // target belongs to a build that is no longer running: a build takes
        // the lock before it makes any of them and keeps it until it has
        // swapped them in or deleted them, and a dead process holds no lock.
        restore_interrupted_swap(out_dir)?;
        check_target(out_dir)?;
        remove_leftovers(out_dir);
        if !record {
            // A build without the cache keeps no base for the next: a kept
            // folder a build with it left goes.
            remove_kept(out_dir);
        }
        let dir = sibling(out_dir, STAGING);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| io_error("clear", &dir, e))?;
        }
        std::fs::create_dir(&dir).map_err(|e| io_error("create", &dir, e))?;
        let staging = Staging {
            dir,
            out_dir: out_dir.to_path_buf(),
            folders: Mutex::new(HashSet::new()),
            committed: false,
            _lock: lock,
            live: previous
                .as_ref()
                .map(|_| crate::files::Below::open(out_dir)),
            previous,
            facts: record.then(Mutex::default),
            carried: Mutex::default(),
            early_listing: Mutex::default(),
        };
        // The marker goes first, so even a half-written staging folder is
        // recognisably ours and can be cleaned up after an interruption.
        staging.write(
            MARKER,
            b"This folder was written by `portico build`; rebuilding replaces it.\n",
        )?;
        Ok(staging)
    }

    /// Writes one file (path relative to the site root), creating folders.
    /// A path that could lead outside the site is refused.
    pub fn write(&self, path: &str, bytes: &[u8]) -> Result<(), OutputError> {
        check_site_path(path)?;
        if let Some((old, inode)) = self.carriable(path, bytes) {
            lock(&self.carried).push((path.to_string(), inode));
            if let Some(facts) = &self.facts {
                lock(facts).insert(path.to_string(), old);
            }
            return Ok(());
        }
        if let Some((folder, _)) = path.rsplit_once('/') {
            self.make_folder(folder)?;
        }
        let file =
            write_new_file(&self.dir.join(path), bytes).map_err(|e| self.write_error(path, e))?;
        if let Some(facts) = &self.facts {
            let meta = file.metadata().map_err(|e| self.write_error(path, e))?;
            lock(facts).insert(path.to_string(), FileFacts::of(bytes, &meta));
        }
        Ok(())
    }

    /// The last site's facts of `path`, when it holds `bytes` there
    /// untouched since. The marker is always written: it is what makes a
    /// staging folder recognisable after an interruption.
    fn carriable(&self, path: &str, bytes: &[u8]) -> Option<(FileFacts, u64)> {
        let old = *self.previous.as_ref()?.files.get(path)?;
        if path == MARKER || !old.same_bytes(bytes) {
            return None;
        }
        let inode = old.inode_if_still_below(self.live.as_ref()?, path)?;
        Some((old, inode))
    }

    /// Carries files over from the last site without their bytes at hand:
    /// each `(path, length, xxh3-128 halves)` the last site holds with
    /// those bytes, untouched since. All or none: false, and nothing
    /// noted, when any one is not there as described (the caller then
    /// writes them all).
    pub fn carry_files<'p>(
        &self,
        files: impl IntoIterator<Item = (&'p str, u64, [u64; 2])>,
    ) -> Result<bool, OutputError> {
        let (Some(previous), Some(facts)) = (&self.previous, &self.facts) else {
            return Ok(false);
        };
        let mut found = Vec::new();
        for (path, len, hash) in files {
            check_site_path(path)?;
            let inode = previous
                .files
                .get(path)
                .filter(|old| path != MARKER && old.len == len && old.hash == hash)
                .and_then(|old| Some((*old, old.inode_if_still_below(self.live.as_ref()?, path)?)));
            match inode {
                Some((old, inode)) => found.push((path, old, inode)),
                None => return Ok(false),
            }
        }
        let mut facts = lock(facts);
        let mut carried = lock(&self.carried);
        for (path, old, inode) in found {
            facts.insert(path.to_string(), old);
            carried.push((path.to_string(), inode));
        }
        Ok(true)
    }

    /// Carries the last site's file at `path` over when the last site
    /// records it as made from `key` (an entity page's key) and it is
    /// still there as written. False, and nothing noted, otherwise.
    pub fn carry_keyed(&self, path: &str, key: crate::memo::Key) -> bool {
        let Some(previous) = &self.previous else {
            return false;
        };
        let Some(old) = previous.files.get(path) else {
            return false;
        };
        previous.page_keys.get(path) == Some(&carry::halves(key))
            && self
                .carry_files([(path, old.len, old.hash)])
                .unwrap_or(false)
    }

    /// Starts listing the kept folder now, on rayon's pool, with what
    /// `records` holds of it ([`KeptRecords`]), so the commit, which brings
    /// it up to date, finds its listing made while the build rendered
    /// ([`kept::EarlyListing`]). Nothing without a last site or a usable
    /// kept folder.
    pub fn list_kept_early(&self, records: &dyn KeptRecords) {
        if self.previous.is_none() || self.facts.is_none() {
            return;
        }
        let dir = kept::kept_dir(&self.out_dir);
        let Some(folder) = kept::usable(&dir, &self.out_dir) else {
            return;
        };
        let record = records
            .get(folder)
            .and_then(|bytes| Recorded::from_bytes(&bytes));
        *lock(&self.early_listing) = Some(kept::EarlyListing::start(dir, folder, record));
    }

    /// The last site's search key, when it had search indexes.
    pub fn previous_search_key(&self) -> Option<[u64; 2]> {
        self.previous.as_ref()?.search_key
    }

    /// Whether [`Staging::carry_folder`] would carry `path` over.
    pub fn can_carry_folder(&self, path: &str) -> bool {
        self.carriable_folder(path).is_some()
    }

    /// The last site's files under the folder `path`, with their inode
    /// numbers, when there are some and every one is untouched (`None`
    /// without a last site, or for a build that records nothing).
    fn carriable_folder<'s>(
        &'s self,
        path: &'s str,
    ) -> Option<Vec<(&'s String, &'s FileFacts, u64)>> {
        let (Some(previous), Some(_)) = (&self.previous, &self.facts) else {
            return None;
        };
        // The manifest comes from the build cache: a path in it that is no
        // site path (`_search/../../x`) would have a file outside the site
        // linked and removed at the commit. The folder is then written.
        previous
            .under(path)
            .map(|(p, f)| {
                check_site_path(p).ok()?;
                Some((p, f, f.inode_if_still_below(self.live.as_ref()?, p)?))
            })
            .collect::<Option<Vec<_>>>()
            .filter(|old| !old.is_empty())
    }

    /// Carries the last site's folder `path` over whole, in place of what
    /// was written into it (the search indexes, when their inputs are
    /// unchanged). False, and nothing done, unless the last site had files
    /// there and every one is untouched.
    pub fn carry_folder(&self, path: &str) -> Result<bool, OutputError> {
        check_site_path(path)?;
        let (Some(old), Some(facts)) = (self.carriable_folder(path), &self.facts) else {
            return Ok(false);
        };
        let full = self.dir.join(path);
        if full.symlink_metadata().is_ok() {
            std::fs::remove_dir_all(&full).map_err(|e| self.write_error(path, e))?;
        }
        let inside = format!("{path}/");
        self.known_folders()
            .retain(|f| f != path && !f.starts_with(&inside));
        let mut facts = lock(facts);
        facts.retain(|p, _| !p.starts_with(&inside));
        let mut carried = lock(&self.carried);
        for (p, f, inode) in old {
            facts.insert(p.clone(), *f);
            carried.push((p.clone(), inode));
        }
        Ok(true)
    }

    /// Puts the file at `from` (a regular file, never a link) into the site
    /// at `path` as a hard link, or as a copy where the file system refuses
    /// one (another file system, a file this user may not link) or the
    /// staging records what it writes (with the build cache, which needs
    /// each file's bytes). `portico merge` takes the parts' pages this way:
    /// linking costs no new inode, which on a busy ext4 costs more than
    /// writing the bytes.
    ///
    /// Sharing the bytes is safe because Portico never writes into an
    /// existing file: every write makes a new one ([`write_new_file`]) and
    /// every site or part is replaced whole, so rebuilding or deleting
    /// `from`'s folder leaves this site's file as it is, and no later build
    /// of this site can change `from`.
    ///
    /// `len` is the file's length as it was written: a file of another
    /// length (cut short or grown since: a copy of the part stopped half
    /// way) is refused, and nothing is left at `path`.
    pub fn link_file(&self, path: &str, from: &Path, len: u64) -> Result<(), OutputError> {
        check_site_path(path)?;
        let other_length = |found: u64| {
            OutputError(format!(
                "`{}` is {found} bytes, where it was written with {len}: it was cut short or changed after it was written (build the shard again)",
                from.display()
            ))
        };
        let read_regular = || -> Result<Vec<u8>, OutputError> {
            let not_regular = || {
                OutputError(format!(
                    "`{}` is not a regular file: only files Portico wrote are taken into a site",
                    from.display()
                ))
            };
            let meta = from
                .symlink_metadata()
                .map_err(|e| io_error("read", from, e))?;
            if !meta.is_file() {
                return Err(not_regular());
            }
            // Refused before it is read: a file far longer than written
            // (sparse, say) is never read whole.
            if meta.len() != len {
                return Err(other_length(meta.len()));
            }
            let bytes = std::fs::read(from).map_err(|e| io_error("read", from, e))?;
            match bytes.len() as u64 {
                found if found == len => Ok(bytes),
                found => Err(other_length(found)),
            }
        };
        if self.facts.is_some() {
            return self.write(path, &read_regular()?);
        }
        if let Some((folder, _)) = path.rsplit_once('/') {
            self.make_folder(folder)?;
        }
        let to = self.dir.join(path);
        let linked = std::fs::hard_link(from, &to).or_else(|e| {
            if e.kind() != ErrorKind::AlreadyExists {
                return Err(e);
            }
            std::fs::remove_file(&to)?;
            std::fs::hard_link(from, &to)
        });
        if linked.is_ok() {
            // A link is made to `from` itself, never to what it points to:
            // had `from` been swapped for a symlink since it was listed,
            // the site would now hold that symlink.
            let linked = to.symlink_metadata().ok().filter(|m| m.is_file());
            if let Some(meta) = &linked
                && meta.len() == len
            {
                return Ok(());
            }
            std::fs::remove_file(&to).map_err(|e| self.write_error(path, e))?;
            if let Some(meta) = linked {
                return Err(other_length(meta.len()));
            }
        }
        let bytes = read_regular()?;
        write_new_file(&to, &bytes).map_err(|e| self.write_error(path, e))?;
        Ok(())
    }

    /// The length of the file written at `path` (a site path).
    pub fn written_len(&self, path: &str) -> Result<u64, OutputError> {
        check_site_path(path)?;
        let file = self.dir.join(path);
        let meta = file
            .symlink_metadata()
            .map_err(|e| io_error("read", &file, e))?;
        Ok(meta.len())
    }

    /// Writes many files in parallel.
    pub fn write_all(&self, files: &[OutputFile]) -> Result<(), OutputError> {
        files
            .par_iter()
            .try_for_each(|f| self.write(&f.path, &f.bytes))
    }

    /// Swaps the staging folder in as the site.
    pub fn commit(self) -> Result<Committed, OutputError> {
        self.commit_recording(None)
    }

    /// [`Staging::commit`], reading and recording the kept folder's listing
    /// in `records` ([`KeptRecords`]).
    pub fn commit_recording(
        mut self,
        records: Option<&dyn KeptRecords>,
    ) -> Result<Committed, OutputError> {
        let Some(facts) = self.facts.take() else {
            let deletion = swap_in(&self.dir, &self.out_dir, false)?;
            self.committed = true;
            return Ok(Committed {
                deletion,
                ..Committed::default()
            });
        };
        let mut facts = facts.into_inner().unwrap_or_else(PoisonError::into_inner);
        let carried = std::mem::take(&mut *lock(&self.carried));
        let mut updated = None;
        if let Some(previous) = self.previous.take() {
            if same_files(&previous, &facts) {
                remove_ours(&self.dir).map_err(|e| io_error("delete", &self.dir, e))?;
                self.committed = true;
                return Ok(Committed {
                    deletion: Deletion::default(),
                    carried: carried.len(),
                    manifest: Some(previous),
                    unchanged: true,
                    kept: None,
                });
            }
            updated = self.update_kept(&previous, &facts, &carried, records);
            match &mut updated {
                Some((_, copies)) => facts.extend(std::mem::take(copies)),
                None => {
                    let copies = self.link_carried(&previous, &facts, &carried)?;
                    facts.extend(copies);
                }
            }
        }
        let deletion = match updated {
            Some(_) => swap_in_kept(&self.dir, &self.out_dir)?,
            // Kept only where it can be used (inode numbers: unix).
            None => swap_in(&self.dir, &self.out_dir, cfg!(unix))?,
        };
        self.committed = true;
        Ok(Committed {
            deletion,
            carried: carried.len(),
            manifest: Some(Manifest {
                files: facts,
                ..Manifest::default()
            }),
            unchanged: false,
            kept: updated.map(|(updated, _)| updated),
        })
    }

    /// Brings the kept folder (the site the last build swapped out) up to
    /// date as the new site, when there is a usable one ([`kept`]). `None`
    /// otherwise, or when that failed: then the kept folder is deleted and
    /// the staging folder, still whole, is swapped in the old way.
    fn update_kept(
        &self,
        previous: &Manifest,
        facts: &SiteFacts,
        carried: &[(String, u64)],
        records: Option<&dyn KeptRecords>,
    ) -> Option<(Updated, Vec<(String, FileFacts)>)> {
        let dir = kept::kept_dir(&self.out_dir);
        let folder = kept::usable(&dir, &self.out_dir)?;
        // The listing started early, when it is of this very folder.
        let early = lock(&self.early_listing)
            .take()
            .filter(|early| early.folder == folder);
        let record = match early {
            Some(early) => kept::Record::Early(early),
            None => kept::Record::Kept(
                records
                    .and_then(|r| r.get(folder))
                    .and_then(|bytes| Recorded::from_bytes(&bytes)),
            ),
        };
        let done = kept::update(
            &dir,
            &self.dir,
            &self.out_dir,
            previous,
            facts,
            carried,
            record,
        );
        match done {
            Ok((updated, copies, found)) => {
                if let Some(records) = records {
                    records.put(folder, &found.to_bytes());
                }
                Some((updated, copies))
            }
            Err(_) => {
                let _ = remove_ours(&dir);
                None
            }
        }
    }

    /// Links the carried files from the last site into the staging folder
    /// (copies where the file system refuses links); returns the facts of
    /// the copies, which have new modification times.
    fn link_carried(
        &self,
        previous: &Manifest,
        facts: &SiteFacts,
        carried: &[(String, u64)],
    ) -> Result<Vec<(String, FileFacts)>, OutputError> {
        let copies = Mutex::new(Vec::new());
        carried.par_iter().try_for_each(|(path, _)| {
            // Written again after it was carried, with other bytes: the
            // written file stands.
            if facts.get(path) != previous.files.get(path) {
                return Ok(());
            }
            if let Some((folder, _)) = path.rsplit_once('/') {
                self.make_folder(folder)?;
            }
            let (from, to) = (self.out_dir.join(path), self.dir.join(path));
            let linked = std::fs::hard_link(&from, &to).or_else(|e| {
                if e.kind() != ErrorKind::AlreadyExists {
                    return Err(e);
                }
                std::fs::remove_file(&to)?;
                std::fs::hard_link(&from, &to)
            });
            if linked.is_err() {
                let bytes = std::fs::read(&from).map_err(|e| self.write_error(path, e))?;
                let file = write_new_file(&to, &bytes).map_err(|e| self.write_error(path, e))?;
                let meta = file.metadata().map_err(|e| self.write_error(path, e))?;
                lock(&copies).push((path.clone(), FileFacts::of(&bytes, &meta)));
            }
            Ok(())
        })?;
        Ok(copies.into_inner().unwrap_or_else(PoisonError::into_inner))
    }

    /// Creates a site folder and its parents (a checked site path) as real
    /// folders: each is made here or, if it exists, looked at without
    /// following links, so no file is ever written through a symlink.
    /// Folders made are remembered, so each costs its checks once; the set
    /// is locked only to look up and insert, never across a system call,
    /// as most docs pages have a folder of their own.
    fn make_folder(&self, folder: &str) -> Result<(), OutputError> {
        if self.is_known_folder(folder) {
            return Ok(());
        }
        if let Some((parent, _)) = folder.rsplit_once('/') {
            self.make_folder(parent)?;
        }
        let full = self.dir.join(folder);
        match std::fs::create_dir(&full) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                if !full.symlink_metadata().is_ok_and(|m| m.is_dir()) {
                    return Err(OutputError(format!(
                        "cannot create the folder `{folder}` of the site in `{}`: a file or a symlink is in its place",
                        self.dir.display()
                    )));
                }
            }
            Err(e) => return Err(self.write_error(folder, e)),
        }
        self.known_folders().insert(folder.to_string());
        Ok(())
    }

    fn is_known_folder(&self, folder: &str) -> bool {
        self.known_folders().contains(folder)
    }

    fn known_folders(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        lock(&self.folders)
    }

    /// Names the site file, where it was being written and that the site
    /// itself was not touched (a full disk ends here).
    fn write_error(&self, path: &str, e: std::io::Error) -> OutputError {
        OutputError(format!(
            "cannot write `{path}` into the new site's staging folder `{}`: {e}; the site in `{}` was left as it was",
            self.dir.display(),
            self.out_dir.display()
        ))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_ours(&self.dir);
        }
    }
}

/// Refuses a site path that, joined onto the staging folder, could lead
/// anywhere else: empty, absolute (`/x`, `\x`, `C:x`), with an empty, `.`
/// or `..` part, a backslash or a NUL. The stages only make paths of
/// plain names, so this catches a bug, never repository content.
fn check_site_path(path: &str) -> Result<(), OutputError> {
    let refuse = |why: &str| {
        Err(OutputError(format!(
            "refusing to write `{}` into the site: {why} (a bug in Portico; please report it)",
            path.escape_debug()
        )))
    };
    let drive = path.as_bytes();
    if path.is_empty() {
        refuse("the path is empty")
    } else if path.contains(['\\', '\0']) {
        refuse("it has a backslash or a NUL")
    } else if path.starts_with('/')
        || (drive.len() >= 2 && drive[0].is_ascii_alphabetic() && drive[1] == b':')
    {
        refuse("it is absolute")
    } else if path.split('/').any(|part| matches!(part, "" | "." | "..")) {
        refuse("it has an empty, `.` or `..` part")
    } else {
        Ok(())
    }
}

/// Writes a file with `create_new`, which never follows a symlink at the
/// path. A file already written there (two stages claiming one path) is
/// replaced, the last write winning; a symlink there would be replaced too,
/// its target untouched.
fn write_new_file(full: &Path, bytes: &[u8]) -> std::io::Result<File> {
    let create = || OpenOptions::new().write(true).create_new(true).open(full);
    let mut file = match create() {
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            std::fs::remove_file(full)?;
            create()?
        }
        other => other?,
    };
    file.write_all(bytes)?;
    Ok(file)
}

/// Whether the new site's files are the last site's, the marker aside
/// (each build writes its own).
fn same_files(previous: &Manifest, facts: &SiteFacts) -> bool {
    let count = |files: &SiteFacts| files.len() - usize::from(files.contains_key(MARKER));
    count(&previous.files) == count(facts)
        && facts
            .iter()
            .all(|(path, f)| path == MARKER || previous.files.get(path) == Some(f))
}

/// Takes the target's exclusive lock (`.NAME.portico-lock` beside it),
/// waiting for another build that holds it. The file is never deleted:
/// deleting it would let two builds lock two different files.
fn lock_target(out_dir: &Path) -> Result<File, OutputError> {
    let (name, parent) = name_and_parent(out_dir);
    std::fs::create_dir_all(parent).map_err(|e| io_error("create", parent, e))?;
    let path = parent.join(format!(".{name}.portico-lock"));
    crate::files::lock_file(&path, || {
        eprintln!(
            "waiting for another Portico build writing {} to finish…",
            out_dir.display()
        );
    })
    .map_err(|(step, e)| io_error(step, &path, e))
}

/// This target's folders of one kind beside it, whichever build made them.
fn folders_of_kind(out_dir: &Path, kind: &str) -> Vec<PathBuf> {
    let (name, parent) = name_and_parent(out_dir);
    let prefix = format!(".{name}.portico-{kind}-");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect()
}

/// A build killed between the swap's two renames leaves no target and the
/// last good site in its `-old-` folder: that is put back.
fn restore_interrupted_swap(out_dir: &Path) -> Result<(), OutputError> {
    if out_dir.symlink_metadata().is_ok() {
        return Ok(());
    }
    let old = folders_of_kind(out_dir, OLD)
        .into_iter()
        .find(|dir| dir.join(MARKER).is_file());
    match old {
        Some(old) => std::fs::rename(&old, out_dir)
            .map_err(|e| io_error("put back the last good site to", out_dir, e)),
        None => Ok(()),
    }
}

/// Deletes the folders an interrupted build (Ctrl-C, a crash, SIGKILL)
/// left beside the target: ours are those holding the marker, or empty
/// (killed before the marker was written, or as it was deleted last).
/// The last good site itself is never touched here.
fn remove_leftovers(out_dir: &Path) {
    for dir in [STAGING, OLD, TRASH]
        .into_iter()
        .flat_map(|kind| folders_of_kind(out_dir, kind))
    {
        let empty = std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_none());
        if empty || dir.join(MARKER).is_file() {
            let _ = remove_ours(&dir);
        }
    }
}

/// Deletes the kept folder ([`kept`]) when it is ours: holding the marker,
/// or empty.
fn remove_kept(out_dir: &Path) {
    let dir = kept::kept_dir(out_dir);
    if !dir.symlink_metadata().is_ok_and(|m| m.is_dir()) {
        return;
    }
    let empty = std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_none());
    if empty || dir.join(MARKER).is_file() {
        let _ = remove_ours(&dir);
    }
}

/// Deletes a folder of ours, the marker last: a deletion cut short leaves a
/// folder the next build still recognises, and finishes. A symlink in its
/// place is removed itself, never followed.
fn remove_ours(dir: &Path) -> std::io::Result<()> {
    if !dir.symlink_metadata()?.is_dir() {
        return std::fs::remove_file(dir);
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == MARKER {
            continue;
        }
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(entry.path())?;
        } else {
            std::fs::remove_file(entry.path())?;
        }
    }
    match std::fs::remove_file(dir.join(MARKER)) {
        Err(e) if e.kind() != ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    std::fs::remove_dir(dir)
}

/// Moves the old site aside and the new one in. With `keep` (a build with
/// the cache) the old site becomes the kept folder, the next build's base
/// ([`kept`]), when that name is free; otherwise it is deleted.
fn swap_in(staging: &Path, out_dir: &Path, keep: bool) -> Result<Deletion, OutputError> {
    if out_dir.symlink_metadata().is_err() {
        return std::fs::rename(staging, out_dir)
            .map(|()| Deletion::default())
            .map_err(|e| io_error("move the new site to", out_dir, e));
    }
    let old = sibling(out_dir, OLD);
    std::fs::rename(out_dir, &old).map_err(|e| io_error("move aside", out_dir, e))?;
    // Killed here, the build leaves no `out_dir`: the next build puts `old`
    // back (`restore_interrupted_swap`).
    if let Err(e) = std::fs::rename(staging, out_dir) {
        // Put the last good site back before reporting.
        let _ = std::fs::rename(&old, out_dir);
        return Err(io_error("move the new site to", out_dir, e));
    }
    Ok(set_aside(&old, out_dir, keep, Vec::new()))
}

/// [`swap_in`] of the kept folder, brought up to date as the new site: the
/// last site becomes the kept folder in its place, and the staging folder
/// (what this build wrote, linked into the kept folder too) is deleted.
fn swap_in_kept(staging: &Path, out_dir: &Path) -> Result<Deletion, OutputError> {
    let kept = kept::kept_dir(out_dir);
    let old = sibling(out_dir, OLD);
    std::fs::rename(out_dir, &old).map_err(|e| io_error("move aside", out_dir, e))?;
    if let Err(e) = std::fs::rename(&kept, out_dir) {
        let _ = std::fs::rename(&old, out_dir);
        return Err(io_error("move the new site to", out_dir, e));
    }
    Ok(set_aside(&old, out_dir, true, vec![staging.to_path_buf()]))
}

/// The last site, moved aside by a swap: kept (renamed to the kept folder)
/// or deleted, with `also` (folders of ours), on a thread of its own.
fn set_aside(old: &Path, out_dir: &Path, keep: bool, mut also: Vec<PathBuf>) -> Deletion {
    if keep && std::fs::rename(old, kept::kept_dir(out_dir)).is_ok() {
        return delete_on_thread(also);
    }
    // Renamed before it is deleted, so an `-old-` folder is always a whole
    // site and never a half-deleted one.
    let trash = sibling(out_dir, TRASH);
    if std::fs::rename(old, &trash).is_ok() {
        also.push(trash);
    }
    delete_on_thread(also)
}

/// Deletes folders of ours on a thread of its own (here, if no thread can
/// be made).
fn delete_on_thread(dirs: Vec<PathBuf>) -> Deletion {
    if dirs.is_empty() {
        return Deletion::default();
    }
    let deleting = dirs.clone();
    let thread = std::thread::Builder::new()
        .name("old site".to_string())
        .spawn(move || {
            for dir in &deleting {
                let _ = remove_ours(dir);
            }
        });
    match thread {
        Ok(thread) => Deletion(Some(thread)),
        Err(_) => {
            for dir in &dirs {
                let _ = remove_ours(dir);
            }
            Deletion::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in a folder, sorted.
    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Writes `files` as the new content of `out_dir`.
    fn write_site(out_dir: &Path, files: &[OutputFile]) -> Result<(), OutputError> {
        let staging = Staging::create(out_dir)?;
        staging.write_all(files)?;
        staging.commit().map(|_| ())
    }

    /// Writes `files` with the last site's manifest; returns the new one,
    /// the last site deleted.
    fn write_carrying(
        out_dir: &Path,
        previous: Option<Manifest>,
        files: &[OutputFile],
    ) -> Committed {
        let staging = Staging::create_carrying(out_dir, previous).unwrap();
        staging.write_all(files).unwrap();
        let mut committed = staging.commit().unwrap();
        drop(std::mem::take(&mut committed.deletion));
        committed
    }

    #[test]
    fn the_last_site_is_deleted_beside_the_caller_and_waited_for() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let many: Vec<OutputFile> = (0..500)
            .map(|i| OutputFile::new(format!("d{}/p{i}.html", i % 7), "old"))
            .collect();
        write_site(&out, &many).unwrap();
        let staging = Staging::create(&out).unwrap();
        staging
            .write_all(&[OutputFile::new("index.html", "new")])
            .unwrap();
        let committed = staging.commit().unwrap();
        // The new site is in place while the old one may still be going.
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"new");
        assert!(!out.join("d0").exists());
        drop(committed);
        assert_eq!(names_in(tmp.path()), [".site.portico-lock", "site"]);
        // A deletion the process did not wait for (its folder, renamed
        // `-trash-`, still holding files and the marker) goes with the
        // next build.
        let trash = tmp.path().join(".site.portico-trash-1");
        std::fs::create_dir_all(trash.join("d0")).unwrap();
        std::fs::write(trash.join(MARKER), "").unwrap();
        std::fs::write(trash.join("d0/p0.html"), "old").unwrap();
        write_site(&out, &many).unwrap();
        assert_eq!(names_in(tmp.path()), [".site.portico-lock", "site"]);
    }

    #[test]
    fn a_page_is_carried_by_its_key_only_when_the_last_site_recorded_that_key() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let files = vec![OutputFile::new("catalog/a/index.html", "A")];
        let mut manifest = write_carrying(&out, None, &files).manifest.unwrap();
        let staging = Staging::create_carrying(&out, Some(manifest.clone())).unwrap();
        assert!(
            !staging.carry_keyed("catalog/a/index.html", 7),
            "no key recorded"
        );
        drop(staging);
        manifest
            .page_keys
            .insert("catalog/a/index.html".into(), carry::halves(7));
        let staging = Staging::create_carrying(&out, Some(manifest.clone())).unwrap();
        assert!(
            !staging.carry_keyed("catalog/a/index.html", 8),
            "another key"
        );
        assert!(
            !staging.carry_keyed("catalog/b/index.html", 7),
            "no such file"
        );
        assert!(staging.carry_keyed("catalog/a/index.html", 7));
        let committed = staging.commit().unwrap();
        assert!(committed.unchanged);
        assert_eq!(committed.carried, 1);
        // A page touched in the site since is drawn again, whatever its key.
        std::fs::write(out.join("catalog/a/index.html"), "changed").unwrap();
        let staging = Staging::create_carrying(&out, Some(manifest)).unwrap();
        assert!(!staging.carry_keyed("catalog/a/index.html", 7));
    }

    #[test]
    fn files_carried_by_their_facts_are_all_or_none() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let files = vec![
            OutputFile::new("a/index.html", "A"),
            OutputFile::new("b.html", "B"),
        ];
        let manifest = write_carrying(&out, None, &files).manifest.unwrap();
        let facts = |path: &str| {
            let f = manifest.files[path];
            (f.len, f.hash)
        };
        let (a_len, a_hash) = facts("a/index.html");
        let (b_len, b_hash) = facts("b.html");

        // One file described wrongly: nothing is carried, the caller writes.
        let staging = Staging::create_carrying(&out, Some(manifest.clone())).unwrap();
        let wrong = [b_hash[0] ^ 1, b_hash[1]];
        assert!(
            !staging
                .carry_files([("a/index.html", a_len, a_hash), ("b.html", b_len, wrong)])
                .unwrap()
        );
        assert!(!staging.carry_files([("missing.html", 1, a_hash)]).unwrap());
        assert!(staging.carry_files([("../x", a_len, a_hash)]).is_err());
        staging.write_all(&files).unwrap();
        let written = staging.commit().unwrap();
        assert!(written.unchanged, "the same bytes written: nothing to do");

        // Both described as they are: carried, and the site is unchanged.
        let staging = Staging::create_carrying(&out, Some(manifest.clone())).unwrap();
        assert!(
            staging
                .carry_files([("a/index.html", a_len, a_hash), ("b.html", b_len, b_hash)])
                .unwrap()
        );
        let carried = staging.commit().unwrap();
        assert!(carried.unchanged);
        assert_eq!(carried.carried, 2);

        // Carried beside a new file: linked into the new site.
        let staging = Staging::create_carrying(&out, Some(manifest.clone())).unwrap();
        assert!(
            staging
                .carry_files([("a/index.html", a_len, a_hash), ("b.html", b_len, b_hash)])
                .unwrap()
        );
        staging.write("c.html", b"C").unwrap();
        assert!(!staging.commit().unwrap().unchanged);
        assert_eq!(std::fs::read(out.join("a/index.html")).unwrap(), b"A");
        assert_eq!(std::fs::read(out.join("c.html")).unwrap(), b"C");

        // A file touched in the site since is not carried.
        std::fs::write(out.join("b.html"), "changed").unwrap();
        let staging = Staging::create_carrying(&out, Some(manifest)).unwrap();
        assert!(!staging.carry_files([("b.html", b_len, b_hash)]).unwrap());
    }

    #[test]
    fn unchanged_files_are_carried_and_an_unchanged_site_is_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let files = vec![
            OutputFile::new("a/index.html", "A"),
            OutputFile::new("b.html", "B"),
        ];
        let first = write_carrying(&out, None, &files);
        assert!(!first.unchanged);
        let manifest = first.manifest.unwrap();
        assert_eq!(manifest.files.len(), 3, "two files and the marker");

        let again = write_carrying(&out, Some(manifest.clone()), &files);
        assert!(again.unchanged);
        assert_eq!(again.carried, 2);
        assert_eq!(names_in(tmp.path()), vec![".site.portico-lock", "site"]);

        // One file changed, one gone, one new: the rest is linked over.
        let changed = vec![
            OutputFile::new("a/index.html", "A"),
            OutputFile::new("c.html", "C"),
        ];
        let third = write_carrying(&out, again.manifest, &changed);
        assert!(!third.unchanged);
        assert_eq!(third.carried, 1);
        assert_eq!(std::fs::read(out.join("a/index.html")).unwrap(), b"A");
        assert_eq!(std::fs::read(out.join("c.html")).unwrap(), b"C");
        assert!(!out.join("b.html").exists());
        // The site swapped out is kept as the next build's base.
        assert_eq!(
            names_in(tmp.path()),
            vec![".site.portico-kept", ".site.portico-lock", "site"]
        );
    }

    /// Every folder (`None`) and file (its bytes) under `dir`, without
    /// following links (a link is listed as `link`).
    fn tree(dir: &Path) -> std::collections::BTreeMap<String, Option<Vec<u8>>> {
        let mut all = std::collections::BTreeMap::new();
        let mut stack = vec![String::new()];
        while let Some(rel) = stack.pop() {
            for entry in std::fs::read_dir(dir.join(&rel)).unwrap().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let path = if rel.is_empty() {
                    name
                } else {
                    format!("{rel}/{name}")
                };
                let kind = entry.file_type().unwrap();
                if kind.is_dir() {
                    stack.push(path.clone());
                    all.insert(path, None);
                } else if kind.is_file() {
                    all.insert(path, Some(std::fs::read(entry.path()).unwrap()));
                } else {
                    all.insert(path, Some(b"link".to_vec()));
                }
            }
        }
        all
    }

    /// The site `files` make, written without the cache into a folder of
    /// its own: what a carrying build must leave.
    fn expected(
        tmp: &Path,
        files: &[OutputFile],
    ) -> std::collections::BTreeMap<String, Option<Vec<u8>>> {
        let out = tmp.join("expected");
        let _ = std::fs::remove_dir_all(&out);
        write_site(&out, files).unwrap();
        tree(&out)
    }

    fn site_files(version: &str) -> Vec<OutputFile> {
        let mut files: Vec<OutputFile> = (0..30)
            .map(|i| {
                OutputFile::new(
                    format!("docs/s{}/p{i}/index.html", i % 4),
                    format!("page {i}"),
                )
            })
            .collect();
        files.push(OutputFile::new("index.html", format!("home {version}")));
        files.push(OutputFile::new(
            format!("docs/s0/{version}/index.html"),
            format!("only in {version}"),
        ));
        files
    }

    #[cfg(unix)]
    fn inode_of(path: &Path) -> u64 {
        std::os::unix::fs::MetadataExt::ino(&path.symlink_metadata().unwrap())
    }

    #[cfg(unix)]
    #[test]
    fn the_site_swapped_out_is_kept_and_brought_up_to_date_as_the_next() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let first = write_carrying(&out, None, &site_files("one"));
        assert!(first.kept.is_none(), "nothing kept yet");
        let second = write_carrying(&out, first.manifest, &site_files("two"));
        assert!(second.kept.is_none(), "the first site was not kept");
        let kept = kept::kept_dir(&out);
        assert!(
            kept.join("docs/s0/one/index.html").is_file(),
            "the first site, kept"
        );

        let files = site_files("three");
        let third = write_carrying(&out, second.manifest, &files);
        let updated = third.kept.expect("the kept folder was the base");
        // 30 pages stayed (the kept folder's links are the last site's
        // files), the home page and the new page linked in; `one`'s page
        // and its folder removed.
        assert_eq!(
            (updated.stayed, updated.linked, updated.removed),
            (30, 2, 1)
        );
        assert_eq!(tree(&out), expected(tmp.path(), &files));
        // The last site is kept in turn, still whole.
        assert_eq!(tree(&kept), expected(tmp.path(), &site_files("two")));
        assert_eq!(
            inode_of(&out.join("docs/s1/p1/index.html")),
            inode_of(&kept.join("docs/s1/p1/index.html")),
            "unchanged files are one file"
        );
        // A fourth build, from the manifest the third returned.
        let files = site_files("four");
        let fourth = write_carrying(&out, third.manifest, &files);
        assert!(fourth.kept.is_some());
        assert_eq!(tree(&out), expected(tmp.path(), &files));
        assert_eq!(tree(&kept), expected(tmp.path(), &site_files("three")));
        // A build without the cache deletes the kept folder.
        write_site(&out, &files).unwrap();
        assert!(!kept.exists());
        assert_eq!(
            names_in(tmp.path()),
            [
                ".expected.portico-lock",
                ".site.portico-lock",
                "expected",
                "site"
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_kept_folder_or_site_changed_by_hand_still_gives_the_new_site() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let kept = kept::kept_dir(&out);
        let first = write_carrying(&out, None, &site_files("one"));
        let second = write_carrying(&out, first.manifest, &site_files("two"));
        // The kept folder: a file added, a folder added, a file with other
        // bytes (a new file), a file gone, a needed folder replaced by a
        // link to a folder outside, a file where a folder is, a folder
        // where a file is, a link where a file is.
        let outside = tmp.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("keep.txt"), "not ours").unwrap();
        std::fs::write(kept.join("docs/s1/extra.html"), "extra").unwrap();
        std::fs::create_dir_all(kept.join("new/deep")).unwrap();
        std::fs::write(kept.join("new/deep/x.html"), "x").unwrap();
        std::fs::remove_file(kept.join("docs/s1/p5/index.html")).unwrap();
        std::fs::write(kept.join("docs/s1/p5/index.html"), "other bytes").unwrap();
        std::fs::remove_file(kept.join("docs/s2/p6/index.html")).unwrap();
        std::fs::remove_dir_all(kept.join("docs/s3")).unwrap();
        std::os::unix::fs::symlink(&outside, kept.join("docs/s3")).unwrap();
        std::fs::remove_dir_all(kept.join("docs/s0/p4")).unwrap();
        std::fs::write(kept.join("docs/s0/p4"), "a file").unwrap();
        std::fs::remove_file(kept.join("docs/s0/p8/index.html")).unwrap();
        std::fs::create_dir_all(kept.join("docs/s0/p8/index.html/in")).unwrap();
        std::fs::remove_file(kept.join("docs/s1/p9/index.html")).unwrap();
        std::os::unix::fs::symlink(outside.join("keep.txt"), kept.join("docs/s1/p9/index.html"))
            .unwrap();
        // The live site: a carried page edited in place (its kept link
        // sees the edit too) and a file added.
        std::fs::write(out.join("docs/s2/p2/index.html"), "edited by hand").unwrap();
        std::fs::write(out.join("stray.html"), "stray").unwrap();

        let files = site_files("three");
        let third = write_carrying(&out, second.manifest, &files);
        assert!(third.kept.is_some());
        assert_eq!(tree(&out), expected(tmp.path(), &files));
        assert_eq!(tree(&outside), {
            let mut t = std::collections::BTreeMap::new();
            t.insert("keep.txt".to_string(), Some(b"not ours".to_vec()));
            t
        });
        // And the site swapped out, stray file and all, is the next base.
        let files = site_files("four");
        let fourth = write_carrying(&out, third.manifest, &files);
        assert!(fourth.kept.is_some());
        assert_eq!(tree(&out), expected(tmp.path(), &files));
    }

    #[cfg(unix)]
    #[test]
    fn a_deleted_site_or_an_unfinished_build_leaves_a_whole_site() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let kept = kept::kept_dir(&out);
        let first = write_carrying(&out, None, &site_files("one"));
        let second = write_carrying(&out, first.manifest, &site_files("two"));
        // A build that ends before its commit: the site and the kept
        // folder as they were.
        let (site_before, kept_before) = (tree(&out), tree(&kept));
        let staging = Staging::create_carrying(&out, second.manifest.clone()).unwrap();
        staging.write_all(&site_files("three")).unwrap();
        drop(staging);
        assert_eq!(tree(&out), site_before);
        assert_eq!(tree(&kept), kept_before);
        // The site deleted by hand: written whole, the kept folder unused.
        std::fs::remove_dir_all(&out).unwrap();
        let files = site_files("three");
        let third = write_carrying(&out, second.manifest, &files);
        assert!(third.kept.is_none());
        assert_eq!(tree(&out), expected(tmp.path(), &files));
        // The kept folder left by then (an older site) is the next base.
        let files = site_files("four");
        let fourth = write_carrying(&out, third.manifest, &files);
        assert!(fourth.kept.is_some());
        assert_eq!(tree(&out), expected(tmp.path(), &files));
        // A kept folder without the marker is not used, nor deleted.
        std::fs::remove_file(kept.join(MARKER)).unwrap();
        let files = site_files("five");
        let fifth = write_carrying(&out, fourth.manifest, &files);
        assert!(fifth.kept.is_none());
        assert_eq!(tree(&out), expected(tmp.path(), &files));
        assert!(kept.join("index.html").is_file());
    }

    #[test]
    fn a_carried_file_written_again_with_other_bytes_keeps_the_last_bytes() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let first = write_carrying(&out, None, &[OutputFile::new("x.html", "old")]);
        let staging = Staging::create_carrying(&out, first.manifest).unwrap();
        staging.write("x.html", b"old").unwrap();
        staging.write("x.html", b"new").unwrap();
        staging.commit().unwrap();
        assert_eq!(std::fs::read(out.join("x.html")).unwrap(), b"new");
        // And the other way round: written, then carried (the last wins).
        let manifest = {
            let staging = Staging::create_carrying(&out, None).unwrap();
            staging.write("x.html", b"old").unwrap();
            staging.commit().unwrap().manifest
        };
        let staging = Staging::create_carrying(&out, manifest).unwrap();
        staging.write("x.html", b"newer").unwrap();
        staging.write("x.html", b"old").unwrap();
        staging.commit().unwrap();
        assert_eq!(std::fs::read(out.join("x.html")).unwrap(), b"old");
    }

    /// A manifest naming a path that leads out of the site (the build
    /// cache is where it comes from) carries no folder over: the file
    /// outside, described as it is, is neither linked nor removed.
    #[test]
    fn a_folder_whose_manifest_leads_out_of_the_site_is_not_carried() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let files = [OutputFile::new("_search/a.js", "a")];
        let mut manifest = write_carrying(&out, None, &files).manifest.unwrap();
        let victim = tmp.path().join("victim");
        std::fs::write(&victim, "mine").unwrap();
        let meta = std::fs::symlink_metadata(&victim).unwrap();
        manifest.files.insert(
            "_search/../../victim".to_string(),
            FileFacts::of(b"mine", &meta),
        );
        let staging = Staging::create_carrying(&out, Some(manifest.clone())).unwrap();
        assert!(!staging.can_carry_folder("_search"));
        assert!(!staging.carry_folder("_search").unwrap());
        staging.write_all(&files).unwrap();
        staging.commit().unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"mine");
        assert_eq!(std::fs::read(out.join("_search/a.js")).unwrap(), b"a");

        // The same manifest without the forged path carries the folder.
        manifest.files.remove("_search/../../victim");
        let staging = Staging::create_carrying(&out, Some(manifest)).unwrap();
        assert!(staging.can_carry_folder("_search"));
    }

    #[test]
    fn a_file_changed_in_the_site_since_is_written_not_carried() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let files = [OutputFile::new("x.html", "built")];
        let first = write_carrying(&out, None, &files);
        std::fs::write(out.join("x.html"), "edited").unwrap();
        let again = write_carrying(&out, first.manifest, &files);
        assert!(!again.unchanged);
        assert_eq!(again.carried, 0);
        assert_eq!(std::fs::read(out.join("x.html")).unwrap(), b"built");
    }

    #[test]
    fn replaces_a_previous_site_and_refuses_foreign_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        write_site(&out, &[OutputFile::new("a/index.html", "one")]).unwrap();
        write_site(&out, &[OutputFile::new("b.html", "two")]).unwrap();
        assert!(!out.join("a/index.html").exists());
        assert_eq!(std::fs::read_to_string(out.join("b.html")).unwrap(), "two");
        assert_eq!(names_in(tmp.path()), [".site.portico-lock", "site"]);

        let foreign = tmp.path().join("docs");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("keep.txt"), "mine").unwrap();
        let err = write_site(&foreign, &[OutputFile::new("x.html", "x")]).unwrap_err();
        assert!(err.to_string().contains("refusing to overwrite"));

        // A staging folder left by an interrupted build is cleaned up next time.
        let stale = tmp.path().join(".site.portico-staging-99999");
        std::fs::create_dir(&stale).unwrap();
        std::fs::write(stale.join(MARKER), "").unwrap();
        write_site(&out, &[OutputFile::new("c.html", "three")]).unwrap();
        assert!(!stale.exists());
        assert_eq!(
            std::fs::read_to_string(foreign.join("keep.txt")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn a_failed_write_leaves_the_last_site() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        write_site(&out, &[OutputFile::new("index.html", "good")]).unwrap();
        // A file and a folder with the same path cannot both be written.
        let bad = [
            OutputFile::new("x", "file"),
            OutputFile::new("x/y", "in folder"),
        ];
        let err = write_site(&out, &bad).unwrap_err().to_string();
        // Which of the two fails depends on the order they are written in.
        assert!(err.contains("`x"), "{err}");
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "good"
        );
    }

    #[test]
    fn refuses_paths_that_could_leave_the_site() {
        let tmp = tempfile::tempdir().unwrap();
        let staging = Staging::create(&tmp.path().join("site")).unwrap();
        for path in [
            "",
            "/etc/x",
            "\\x",
            "C:x",
            "c:/x",
            "..",
            "../x",
            "a/../../x",
            "a/./b",
            ".",
            "a//b",
            "a/",
            "a\\..\\..\\x",
            "a\0b",
        ] {
            let err = staging.write(path, b"x").unwrap_err().to_string();
            assert!(err.starts_with("refusing to write"), "{path:?}: {err}");
        }
        for path in [
            "index.html",
            "a/b/c.html",
            "..a/b..",
            ".well-known/x",
            "é/☃.txt",
        ] {
            staging.write(path, b"ok").unwrap();
            assert_eq!(std::fs::read(staging.dir.join(path)).unwrap(), b"ok");
        }
        assert_eq!(names_in(tmp.path()).len(), 2, "only the lock and staging");
    }

    /// Any path a stage could hand over: the write is refused, or the file
    /// lands strictly inside the staging folder and nothing appears beside it.
    #[test]
    fn every_written_path_lands_inside_the_staging_folder() {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};
        let tmp = tempfile::tempdir().unwrap();
        let staging = Staging::create(&tmp.path().join("site")).unwrap();
        let root = staging.dir.canonicalize().unwrap();
        let part = prop_oneof![
            Just("..".to_string()),
            Just(".".to_string()),
            Just(String::new()),
            Just("\\".to_string()),
            Just("\0".to_string()),
            Just("C:".to_string()),
            "[a-zé☃.]{1,4}",
            any::<String>(),
        ];
        let separator = prop_oneof![Just("/"), Just(""), Just("\\")];
        let path = prop::collection::vec((part, separator), 1..5)
            .prop_map(|parts| parts.into_iter().map(|(p, s)| p + s).collect::<String>());
        let config = Config {
            cases: 300,
            failure_persistence: None,
            ..Config::default()
        };
        TestRunner::new(config)
            .run(&path, |path| {
                if staging.write(&path, b"x").is_ok() {
                    let landed = staging.dir.join(&path).canonicalize().unwrap();
                    prop_assert!(landed.starts_with(&root) && landed != root, "{path:?}");
                    prop_assert_eq!(std::fs::read(&landed).unwrap(), b"x");
                }
                Ok(())
            })
            .unwrap();
        let staging_name = staging.dir.file_name().unwrap().to_string_lossy();
        assert_eq!(
            names_in(tmp.path()),
            [".site.portico-lock", staging_name.as_ref()]
        );
    }

    /// A staging that records what it writes (the build cache's) copies a
    /// part's file instead of linking it, through the same length check
    /// as the copy made when a link fails.
    #[test]
    fn a_copied_part_file_of_another_length_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let from = tmp.path().join("page.html");
        std::fs::write(&from, "from the part").unwrap();
        let staging = Staging::create_carrying(&tmp.path().join("site"), None).unwrap();
        let cut = staging
            .link_file("docs/a/index.html", &from, 99)
            .unwrap_err();
        assert!(
            cut.to_string()
                .contains("is 13 bytes, where it was written with 99"),
            "{cut}"
        );
        assert!(
            staging
                .dir
                .join("docs/a/index.html")
                .symlink_metadata()
                .is_err()
        );
        staging.link_file("docs/a/index.html", &from, 13).unwrap();
        assert_eq!(
            std::fs::read(staging.dir.join("docs/a/index.html")).unwrap(),
            b"from the part"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_file_stays_the_parts_when_rewritten_and_symlinks_are_refused() {
        use std::os::unix::fs::{MetadataExt, symlink};
        let tmp = tempfile::tempdir().unwrap();
        let part = tmp.path().join("part");
        std::fs::create_dir(&part).unwrap();
        std::fs::write(part.join("page.html"), "from the part").unwrap();
        std::fs::write(tmp.path().join("secret"), "secret").unwrap();
        symlink(tmp.path().join("secret"), part.join("sneaky.html")).unwrap();
        let out = tmp.path().join("site");

        let staging = Staging::create(&out).unwrap();
        let len = "from the part".len() as u64;
        staging
            .link_file("docs/a/index.html", &part.join("page.html"), len)
            .unwrap();
        let refused = staging
            .link_file("docs/b/index.html", &part.join("sneaky.html"), 6)
            .unwrap_err();
        assert!(
            refused.to_string().contains("not a regular file"),
            "{refused}"
        );
        assert!(
            staging
                .link_file("../x.html", &part.join("page.html"), len)
                .is_err()
        );
        // Written longer than it is now (a copy cut short): refused, and
        // nothing left in its place.
        let cut = staging
            .link_file("docs/c/index.html", &part.join("page.html"), len + 5)
            .unwrap_err();
        assert!(
            cut.to_string()
                .contains("is 13 bytes, where it was written with 18: it was cut short"),
            "{cut}"
        );
        assert!(
            staging
                .dir
                .join("docs/c/index.html")
                .symlink_metadata()
                .is_err()
        );
        staging.commit().unwrap();
        let page = out.join("docs/a/index.html");
        assert_eq!(std::fs::read(&page).unwrap(), b"from the part");
        assert_eq!(page.metadata().unwrap().nlink(), 2, "linked, not copied");
        assert!(!out.join("docs/b/index.html").exists());

        // The next site writes the same path: a new file, the part's stays.
        write_site(&out, &[OutputFile::new("docs/a/index.html", "rebuilt")]).unwrap();
        assert_eq!(std::fs::read(&page).unwrap(), b"rebuilt");
        assert_eq!(
            std::fs::read(part.join("page.html")).unwrap(),
            b"from the part"
        );
    }

    #[test]
    fn never_writes_through_a_symlink_in_staging() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("victim.html"), "mine").unwrap();
        let staging = Staging::create(&tmp.path().join("site")).unwrap();
        // Whoever planted these, the writes below must not follow them.
        symlink(outside.join("victim.html"), staging.dir.join("page.html")).unwrap();
        symlink(&outside, staging.dir.join("linked")).unwrap();

        staging.write("page.html", b"new").unwrap();
        let page = staging.dir.join("page.html");
        assert!(page.symlink_metadata().unwrap().is_file());
        assert_eq!(std::fs::read(&page).unwrap(), b"new");
        assert!(staging.write("linked/x.html", b"x").is_err());
        assert!(staging.write("linked/deeper/x.html", b"x").is_err());
        assert_eq!(names_in(&outside), ["victim.html"]);
        assert_eq!(
            std::fs::read_to_string(outside.join("victim.html")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn two_stagings_of_one_target_take_turns() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        write_site(&out, &[OutputFile::new("index.html", "zero")]).unwrap();
        let first = Staging::create(&out).unwrap();
        first.write("index.html", b"first").unwrap();
        let second = std::thread::spawn({
            let out = out.clone();
            move || {
                // Waits for the first to commit; without the lock it would
                // delete the first's staging folder as a leftover.
                let staging = Staging::create(&out).unwrap();
                let seen = std::fs::read_to_string(out.join("index.html")).unwrap();
                staging.write("index.html", b"second").unwrap();
                staging.commit().unwrap();
                seen
            }
        });
        std::thread::sleep(std::time::Duration::from_millis(100));
        first.write("page.html", b"first").unwrap();
        first.commit().unwrap();
        assert_eq!(second.join().unwrap(), "first");
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "second"
        );
        assert_eq!(names_in(tmp.path()), [".site.portico-lock", "site"]);
    }

    #[test]
    fn a_site_left_aside_by_a_killed_swap_is_put_back_first() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        write_site(&out, &[OutputFile::new("index.html", "good")]).unwrap();
        // A build killed between the swap's two renames: no target, the last
        // good site aside, the new one still in its staging folder.
        std::fs::rename(&out, tmp.path().join(".site.portico-old-99999")).unwrap();
        let dead_staging = tmp.path().join(".site.portico-staging-99999");
        std::fs::create_dir(&dead_staging).unwrap();
        std::fs::write(dead_staging.join(MARKER), "").unwrap();
        std::fs::write(dead_staging.join("index.html"), "new").unwrap();

        let staging = Staging::create(&out).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "good"
        );
        drop(staging); // this build fails too: the site stays
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "good"
        );
        assert_eq!(names_in(tmp.path()), [".site.portico-lock", "site"]);
    }

    #[test]
    fn folders_of_dead_builds_are_removed_and_foreign_ones_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        write_site(&out, &[OutputFile::new("index.html", "good")]).unwrap();
        let folder = |name: &str, files: &[&str]| {
            let dir = tmp.path().join(name);
            std::fs::create_dir_all(dir.join("sub")).unwrap();
            for file in files {
                std::fs::write(dir.join(file), "").unwrap();
            }
        };
        // Killed before its marker was written: an empty folder.
        std::fs::create_dir(tmp.path().join(".site.portico-staging-1")).unwrap();
        // Killed while deleting the old site: the marker goes last.
        folder(".site.portico-trash-2", &[MARKER, "sub/a.html"]);
        // Killed after the swap's second rename (out is the new site).
        folder(".site.portico-old-3", &[MARKER, "index.html"]);
        // Not ours: no marker.
        folder(".site.portico-staging-4", &["keep.txt"]);

        write_site(&out, &[OutputFile::new("index.html", "new")]).unwrap();
        assert_eq!(
            names_in(tmp.path()),
            [".site.portico-lock", ".site.portico-staging-4", "site"]
        );
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "new"
        );
    }
}
