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
//!   new site;
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

use super::{FileFacts, MARKER, Manifest, OutputError, io_error, name_and_parent};
use rayon::prelude::*;
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
pub(super) fn usable(kept: &Path, out_dir: &Path) -> bool {
    let (Ok(folder), Ok(target)) = (kept.symlink_metadata(), out_dir.symlink_metadata()) else {
        return false;
    };
    folder.is_dir()
        && target.is_dir()
        && same_device(&folder, &target)
        && kept
            .join(MARKER)
            .symlink_metadata()
            .is_ok_and(|m| m.is_file())
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

/// Lists `root` without following links (each entry's type as its folder
/// gives it; folders in parallel).
fn list(root: &Path) -> std::io::Result<Listing> {
    let listing = Mutex::new(Listing::default());
    list_into(root, String::new(), &listing)?;
    Ok(listing
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner))
}

fn list_into(root: &Path, rel: String, listing: &Mutex<Listing>) -> std::io::Result<()> {
    let full = if rel.is_empty() {
        root.to_path_buf()
    } else {
        root.join(&rel)
    };
    let mut folders = Vec::new();
    let mut files = Vec::new();
    let mut others = Vec::new();
    for entry in std::fs::read_dir(&full)? {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            // No site path has such a name, and none can name it to remove
            // it: the kept folder is not used.
            return Err(std::io::Error::other(format!(
                "`{}` has a name that is not UTF-8",
                entry.path().display()
            )));
        };
        let path = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let kind = entry.file_type()?;
        if kind.is_dir() {
            folders.push(path);
        } else if kind.is_file() {
            files.push((path, entry_inode(&entry)));
        } else {
            others.push(path);
        }
    }
    {
        let mut listing = super::lock(listing);
        listing.files.extend(files);
        listing.others.extend(others);
        listing.folders.extend(folders.iter().cloned());
    }
    folders
        .into_par_iter()
        .try_for_each(|folder| list_into(root, folder, listing))
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
}

/// Brings the folder `kept` to exactly the new site: `facts` (every file,
/// the marker aside), of which `carried` (path, inode in the last site)
/// are the last site's files in `live` where `facts` still records the
/// last site's facts for them, and every other file is in `staging`.
/// Returns the facts of files copied where links were refused, and the
/// kept marker's, for the manifest.
pub(super) fn update(
    kept: &Path,
    staging: &Path,
    live: &Path,
    previous: &Manifest,
    facts: &HashMap<String, FileFacts>,
    carried: &[(String, u64)],
) -> Result<(Updated, Vec<(String, FileFacts)>), OutputError> {
    let failed = |what: &str, path: &Path, e: std::io::Error| io_error(what, path, e);
    let listing = list(kept).map_err(|e| failed("list", kept, e))?;
    // The carried files whose last-site file the kept folder may hold.
    let from_live: HashMap<&str, u64, Fast> = carried
        .iter()
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
    let mut remove_folders: Vec<&String> = listing
        .folders
        .iter()
        .filter(|f| !needed.contains(f.as_str()) && parent_kept(f))
        .collect();
    remove_folders.sort();
    for folder in remove_folders {
        let full = kept.join(folder);
        std::fs::remove_dir_all(&full).map_err(|e| failed("delete", &full, e))?;
        removed += 1;
    }
    let extra = listing
        .others
        .iter()
        .map(String::as_str)
        .chain(
            listing
                .files
                .keys()
                .filter(|p| p.as_str() != MARKER && !wanted(p))
                .map(String::as_str),
        )
        .filter(|p| parent_kept(p));
    for path in extra {
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
        let full = kept.join(folder);
        match std::fs::create_dir(&full) {
            Err(e) if e.kind() != ErrorKind::AlreadyExists => {
                return Err(failed("create", &full, e));
            }
            _ => {}
        }
    }
    // Each file: kept as it is, or linked in from where it is.
    let stayed = std::sync::atomic::AtomicUsize::new(0);
    let copies = Mutex::new(Vec::new());
    files.par_iter().try_for_each(|path| {
        let path = path.as_str();
        let from = match from_live.get(path) {
            Some(inode) if *inode != 0 && listing.files.get(path) == Some(inode) => {
                stayed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return Ok(());
            }
            Some(_) => live.join(path),
            None => staging.join(path),
        };
        let to = kept.join(path);
        if listing.files.contains_key(path) {
            match std::fs::remove_file(&to) {
                Err(e) if e.kind() != ErrorKind::NotFound => return Err(failed("replace", &to, e)),
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
    let stayed = stayed.into_inner();
    Ok((
        Updated {
            stayed,
            linked: files.len() - stayed,
            removed,
        },
        copies,
    ))
}
