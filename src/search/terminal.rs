//! The tantivy index `portico search` reads, made on first use from the
//! site's `_search/terminal/documents.bin` (`stored`) and kept in the user's cache
//! folder under the file's hash: a build no longer indexes into tantivy
//! what a browser never reads, and every later search opens the kept index.
//! A site with its own `_search/tantivy` index (written by older builds) is
//! searched in that.

use super::query::SearchError;
use std::path::{Path, PathBuf};

/// The largest documents file read.
const MAX_DOCUMENTS_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// The index folder to search for the site in `site_dir`: its own, or the
/// one made from its documents file (made now if need be), kept in `root`
/// ([`default_cache`] for `portico search`).
pub fn index_for(site_dir: &Path, root: &Path) -> Result<PathBuf, SearchError> {
    match super::open::index_dir(site_dir) {
        Err(SearchError::NoIndex(_)) => {}
        found => return found,
    }
    let damaged = |cause: String| SearchError::Damaged {
        site: site_dir.display().to_string(),
        cause,
    };
    let bytes = match read_regular(site_dir, crate::address::SEARCH_DOCUMENTS_FILE) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Err(SearchError::NoIndex(site_dir.display().to_string())),
        Err(cause) => return Err(damaged(cause)),
    };
    let key = format!(
        "{:032x}",
        xxhash_rust::xxh3::xxh3_128_with_seed(&bytes, u64::from(super::stored::FORMAT))
    );
    // By the binary, as the build cache names its folder: an index another
    // build of Portico wrote may have another schema.
    let name = format!("{}-{key}", crate::cache::build_name());
    let folder = root.join(&name);
    if folder.join("meta.json").is_file() {
        touch(&folder);
        return Ok(folder);
    }
    let docs = super::stored::read(&bytes).map_err(damaged)?;
    drop(bytes);
    let count = docs.len();
    if count > 20_000 {
        eprintln!("note: indexing {count} search documents for the terminal (once for this site)");
    }
    // Named by process and time: two searches in containers that share a
    // cache may have the same process id, and neither may delete the
    // other's folder as it is being made.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    let made = root.join(format!("{name}.making-{}-{nanos}", std::process::id()));
    let failed = |e: &dyn std::fmt::Display| {
        // Nothing half made is left behind (a full disk would otherwise
        // keep it for an hour).
        let _ = std::fs::remove_dir_all(&made);
        SearchError::Unkept {
            folder: root.display().to_string(),
            cause: e.to_string(),
        }
    };
    let builder = super::index::IndexBuilder::create(&made).map_err(|e| failed(&e))?;
    builder.add_all(docs);
    builder.commit().map_err(|e| failed(&e))?;
    // Another search may have made it meanwhile: either copy is whole.
    let moved = std::fs::rename(&made, &folder);
    if folder.join("meta.json").is_file() {
        let _ = std::fs::remove_dir_all(&made);
        evict(root, &folder);
        Ok(folder)
    } else {
        let cause = match moved {
            Err(e) => format!("the index made could not be moved into place: {e}"),
            Ok(()) => "the index made was not there once moved into place".to_string(),
        };
        Err(failed(&cause))
    }
}

/// How many made indexes are kept (each site searched, each version of it
/// a `portico serve` preview wrote): the most recently used.
const KEPT_INDEXES: usize = 8;

/// Marks a kept index as used now (eviction keeps the most recent).
fn touch(folder: &Path) {
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.set_modified(std::time::SystemTime::now());
    }
}

/// Removes made indexes in `root` but the [`KEPT_INDEXES`] most recently
/// used and `keep`; and folders left by searches that stopped while making
/// one, an hour old.
fn evict(root: &Path, keep: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let now = std::time::SystemTime::now();
    let mut made: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        // Only real folders: never a link out of the cache.
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_dir() || entry.path() == keep {
            continue;
        }
        let modified = meta.modified().unwrap_or(now);
        if entry.file_name().to_string_lossy().contains(".making-") {
            let stale = now
                .duration_since(modified)
                .is_ok_and(|age| age.as_secs() > 3_600);
            if stale {
                let _ = std::fs::remove_dir_all(entry.path());
            }
            continue;
        }
        made.push((modified, entry.path()));
    }
    made.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
    for (_, old) in made.into_iter().skip(KEPT_INDEXES.saturating_sub(1)) {
        let _ = std::fs::remove_dir_all(old);
    }
}

/// Where made indexes are kept: `$XDG_CACHE_HOME/portico/search`, else
/// `~/.cache/portico/search`, else the system's temporary folder's.
pub fn default_cache() -> Result<PathBuf, SearchError> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            // An empty or relative HOME would put the cache in whatever
            // folder the search runs in.
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .filter(|home| home.is_absolute())
                .map(|home| home.join(".cache"))
        });
    match base {
        Some(base) => Ok(base.join("portico").join("search")),
        None => {
            let temp = std::env::temp_dir();
            private_cache_in(&temp).map_err(|cause| SearchError::Unkept {
                folder: temp.display().to_string(),
                cause,
            })
        }
    }
}

/// A cache folder of this user's own in the shared temporary folder
/// `temp`: `portico-search-<uid>`, made owner-only, and used only if it is
/// a real folder this user owns that no one else may enter (another user
/// could make it first, or a link in its place, and plant an index).
#[cfg(unix)]
fn private_cache_in(temp: &Path) -> Result<PathBuf, String> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    let uid = std::fs::metadata("/proc/self")
        .map(|meta| meta.uid())
        .map_err(|_| "no cache folder (neither XDG_CACHE_HOME nor HOME is set)".to_string())?;
    let dir = temp.join(format!("portico-search-{uid}"));
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(format!("`{}` cannot be made: {e}", dir.display())),
    }
    let meta = std::fs::symlink_metadata(&dir)
        .map_err(|e| format!("`{}` cannot be read: {e}", dir.display()))?;
    if !meta.is_dir() || meta.uid() != uid || meta.permissions().mode() & 0o077 != 0 {
        return Err(format!(
            "`{}` is not a folder of this user's alone",
            dir.display()
        ));
    }
    Ok(dir)
}

#[cfg(not(unix))]
fn private_cache_in(_temp: &Path) -> Result<PathBuf, String> {
    Err("no cache folder (neither XDG_CACHE_HOME nor HOME is set)".to_string())
}

/// The bytes of the site's `documents.bin` (`relative` in `site_dir`) when
/// it is there: no symbolic link on the way from the site folder and the
/// file regular (opened without blocking and checked through its handle,
/// read to at most `MAX_DOCUMENTS_BYTES`); `None` when it or a folder on
/// the way is missing. A site is input: what it holds is never followed
/// elsewhere.
fn read_regular(site_dir: &Path, relative: &str) -> Result<Option<Vec<u8>>, String> {
    let mut path = site_dir.to_path_buf();
    for part in Path::new(relative).components() {
        path.push(part);
        let name = part.as_os_str().to_string_lossy();
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_symlink() => {
                return Err(format!("`{name}` is a symbolic link"));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("`{name}` cannot be read: {}", e.kind())),
        }
    }
    match crate::files::read_regular(&path, MAX_DOCUMENTS_BYTES) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            Err(format!("`documents.bin` is {e}"))
        }
        Err(e) => Err(format!("`documents.bin` cannot be read: {}", e.kind())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aged(path: &Path, seconds: u64) {
        let when = std::time::SystemTime::now() - std::time::Duration::from_secs(seconds);
        std::fs::File::open(path)
            .unwrap()
            .set_modified(when)
            .unwrap();
    }

    /// Eviction keeps the most recently used indexes (the one just used
    /// among them), removes folders of stopped searches an hour old only,
    /// and never follows a link out of the cache.
    #[test]
    fn eviction_keeps_the_most_recent_and_follows_no_link() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("search");
        std::fs::create_dir(&root).unwrap();
        let index = |n: u64| root.join(format!("v1-{n:02}"));
        for n in 0..12 {
            std::fs::create_dir(index(n)).unwrap();
            // 0 the most recent, 11 the oldest.
            aged(&index(n), 60 * (n + 1));
        }
        let stale = root.join("v1-x.making-1-2");
        let fresh = root.join("v1-y.making-3-4");
        std::fs::create_dir(&stale).unwrap();
        std::fs::create_dir(&fresh).unwrap();
        aged(&stale, 2 * 3_600);
        let outside = tmp.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("keep.txt"), "mine").unwrap();
        std::os::unix::fs::symlink(&outside, root.join("v1-link")).unwrap();
        // The oldest, just used: kept with the 7 most recent others.
        evict(&root, &index(11));
        let kept: Vec<bool> = (0..12).map(|n| index(n).exists()).collect();
        assert_eq!(
            kept,
            [
                true, true, true, true, true, true, true, false, false, false, false, true
            ]
        );
        assert!(!stale.exists() && fresh.exists());
        assert!(root.join("v1-link").symlink_metadata().is_ok());
        assert_eq!(
            std::fs::read_to_string(outside.join("keep.txt")).unwrap(),
            "mine"
        );
        // `touch` makes an index the most recent.
        touch(&index(6));
        let modified = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();
        assert!(modified(&index(6)) > modified(&index(0)));
    }

    /// The fallback cache in a shared temporary folder is this user's own:
    /// made owner-only, refused when others may enter it or when it is a
    /// link.
    #[test]
    fn the_temporary_cache_folder_is_private_or_refused() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = private_cache_in(tmp.path()).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        assert_eq!(private_cache_in(tmp.path()).unwrap(), dir, "used again");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let open = private_cache_in(tmp.path()).unwrap_err();
        assert!(open.contains("not a folder of this user's alone"), "{open}");
        std::fs::remove_dir(&dir).unwrap();
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::fs::set_permissions(&elsewhere, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &dir).unwrap();
        assert!(private_cache_in(tmp.path()).is_err(), "a link in its place");
    }
}
