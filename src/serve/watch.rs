//! Watching the roots for changes: debounced file events, with the ones
//! no build reads (git's object store, editors' swap and backup files)
//! left out, sent as batches of changed paths.

use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// How long the watcher waits for a burst of events (an editor's atomic
/// save is a write, a rename and a delete, within a millisecond or two) to
/// end; the debouncer looks every quarter of it, so a change reaches the
/// builder 25–32 ms after its last event. Short: it is part of every
/// edit's wait, and a spurious rebuild costs little, every page being
/// rendered once.
const QUIET: Duration = Duration::from_millis(25);

/// A running watcher; dropping it stops it.
pub struct Watcher {
    _debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
}

/// What to watch: the repositories' roots, Location files and the theme
/// (folders with everything below them, files alone), and the folders of
/// single files read from elsewhere (`portico.toml`, the logo, scorecard
/// definitions and facts), each without its subfolders: an editor saves a
/// file by renaming a new one over it, which a watch of the file itself
/// would not follow.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Watched {
    pub paths: Vec<PathBuf>,
    pub folders: Vec<PathBuf>,
    /// What in `folders` is watched for: each file read from elsewhere,
    /// and the entry of a folder on the way to a path that does not exist
    /// yet. Nothing else in those folders is a change: a log the server's
    /// own output goes to, in the folder of `portico.toml`, would
    /// otherwise rebuild the site for every line it writes.
    pub wanted: Vec<PathBuf>,
    /// Whether every file's folder exists (one that does not is left out,
    /// and looked for again at the next change).
    pub complete: bool,
}

impl Watched {
    /// `paths`, and the folder of each of `files_elsewhere` that no folder
    /// of `paths` already holds (watching it again on its own would replace
    /// the watch of everything below it). Canonical, so the watcher's paths
    /// compare with the repositories' roots. A path or folder that does not
    /// exist is left out and its nearest existing folder watched on its
    /// own instead, so its making is a change ([`Watched::complete`] false).
    pub fn new(paths: &[PathBuf], files_elsewhere: &[PathBuf]) -> Watched {
        let mut complete = true;
        let mut waiting: Vec<PathBuf> = Vec::new();
        let mut wanted: Vec<PathBuf> = Vec::new();
        let mut found: Vec<PathBuf> = Vec::new();
        let wait_for = |path: &Path, waiting: &mut Vec<PathBuf>, wanted: &mut Vec<PathBuf>| {
            if let Some((folder, entry)) = nearest_folder(path) {
                waiting.push(folder);
                wanted.push(entry);
            }
        };
        for path in paths {
            match path.canonicalize() {
                Ok(path) => found.push(path),
                Err(_) => {
                    complete = false;
                    wait_for(path, &mut waiting, &mut wanted);
                }
            }
        }
        for file in files_elsewhere {
            let parent = match file.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent,
                _ => Path::new("."),
            };
            match parent.canonicalize() {
                Ok(folder) => {
                    wanted.extend(file.file_name().map(|name| folder.join(name)));
                    waiting.push(folder);
                }
                Err(_) => {
                    complete = false;
                    wait_for(parent, &mut waiting, &mut wanted);
                }
            }
        }
        let mut folders: Vec<PathBuf> = Vec::new();
        for folder in waiting {
            let held = found.iter().any(|p| p.is_dir() && folder.starts_with(p));
            if !held && !found.contains(&folder) && !folders.contains(&folder) {
                folders.push(folder);
            }
        }
        wanted.sort();
        wanted.dedup();
        Watched {
            paths: found,
            folders,
            wanted,
            complete,
        }
    }

    /// Whether what is watched is still there: a root deleted took its
    /// watch with it, so watching is worked out again (its folder watched
    /// for it to come back).
    pub fn still_there(&self) -> bool {
        self.paths.iter().chain(&self.folders).all(|p| p.exists())
    }

    /// Whether a change at `path` is one of what is watched: anything
    /// under a watched path, or one of `wanted` in a watched folder.
    fn covers(&self, path: &Path) -> bool {
        self.paths.iter().any(|p| path.starts_with(p)) || self.wanted.iter().any(|w| w == path)
    }
}

/// The nearest folder holding `path` that exists, canonical, and the
/// entry of it on the way to `path` (what its making would be).
fn nearest_folder(path: &Path) -> Option<(PathBuf, PathBuf)> {
    let absolute = std::path::absolute(path).ok()?;
    let mut child = absolute.as_path();
    for ancestor in absolute.ancestors().skip(1) {
        if let Ok(folder) = ancestor.canonicalize() {
            let entry = folder.join(child.file_name()?);
            return Some((folder, entry));
        }
        child = ancestor;
    }
    None
}

/// Watches `watched` and sends each batch of changed paths that a build
/// could read.
/// `sent` counts the batches sent (before each is sent), so the builder
/// can tell that a newer change is waiting without taking it.
/// `scratch`: the server's own folder, whose writes are no change even
/// inside a watched root (a temporary folder under it would otherwise
/// rebuild the site for ever, each build writing its search index there).
pub fn start(
    watched: &Watched,
    scratch: &Path,
    changes: Sender<Vec<PathBuf>>,
    sent: Arc<AtomicU64>,
) -> Result<Watcher, String> {
    let covered = watched.clone();
    let scratch = scratch
        .canonicalize()
        .unwrap_or_else(|_| scratch.to_path_buf());
    let handler = move |result: DebounceEventResult| {
        let Ok(events) = result else {
            // The watcher lost events (a full queue): rebuild everything.
            sent.fetch_add(1, Ordering::SeqCst);
            let _ = changes.send(Vec::new());
            return;
        };
        let mut changed: Vec<PathBuf> = events
            .iter()
            // Reading a file is an event too (the build's own reads).
            .filter(|event| !matches!(event.kind, notify::EventKind::Access(_)))
            .flat_map(|event| event.paths.iter())
            .filter(|path| covered.covers(path) && matters(path) && !path.starts_with(&scratch))
            .cloned()
            .collect();
        changed.sort();
        changed.dedup();
        wait_for_backups(&changed);
        if !changed.is_empty() {
            sent.fetch_add(1, Ordering::SeqCst);
            let _ = changes.send(changed);
        }
    };
    let mut debouncer =
        new_debouncer(QUIET, None, handler).map_err(|e| format!("cannot watch files: {e}"))?;
    for path in &watched.paths {
        let mode = if path.is_dir() {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        debouncer
            .watch(path, mode)
            .map_err(|e| format!("cannot watch `{}`: {e}", path.display()))?;
    }
    for folder in &watched.folders {
        debouncer
            .watch(folder, RecursiveMode::NonRecursive)
            .map_err(|e| format!("cannot watch `{}`: {e}", folder.display()))?;
    }
    Ok(Watcher {
        _debouncer: debouncer,
    })
}

/// How long a save's backup (`guide.md~`) is waited for to go.
const BACKUP_WAIT: Duration = Duration::from_millis(150);

/// Waits (at most [`BACKUP_WAIT`]) for the backups in a batch beside the
/// files they back up to be deleted: vim saves by writing `guide.md~`,
/// then `guide.md`, and deletes the backup only after the save is synced,
/// which may be later than the debounce's quiet time. Built while it was
/// there, the backup was published for a moment (an extra build, and a
/// change to every open page). A backup that stays (vim's `backup`) is
/// published, as MkDocs publishes it.
fn wait_for_backups(changed: &[PathBuf]) {
    let is_backup_in_batch = |path: &PathBuf| {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        name.len() > 1
            && name.ends_with('~')
            && changed.contains(&path.with_file_name(&name[..name.len() - 1]))
    };
    let backups: Vec<&PathBuf> = changed.iter().filter(|p| is_backup_in_batch(p)).collect();
    let started = std::time::Instant::now();
    while backups.iter().any(|p| p.exists()) && started.elapsed() < BACKUP_WAIT {
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Whether a change at `path` can change the site: not git's object store
/// or logs (a commit also moves a ref, which is watched), not an editor's
/// swap or lock file. Only files no build reads are left out: a backup
/// `guide.md~` is published as MkDocs publishes it, so its making is a
/// change; a hidden file (`.guide.md.swp`) never is.
pub fn matters(path: &Path) -> bool {
    let parts: Vec<&str> = path
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    let in_git_store = parts.windows(2).any(|w| {
        matches!(
            w,
            [".git", "objects" | "logs" | "lfs"] | ["objects", "pack"]
        )
    });
    if in_git_store || parts.last() == Some(&"index.lock") || is_loose_object(&parts) {
        return false;
    }
    let Some(name) = parts.last() else {
        return true;
    };
    let hidden_editor_file = name.starts_with('.')
        && ([".swp", ".swx", ".swo", ".kate-swp"]
            .iter()
            .any(|e| name.ends_with(e))
            || name.starts_with(".#")
            || name.starts_with(".goutputstream-"));
    let editor_file = hidden_editor_file
        // Emacs' auto-save file, and the file vim makes to test a folder.
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
        || *name == "4913"
        || *name == ".DS_Store";
    !editor_file
}

/// `…/objects/ab/<38 or 62 hex>` (or git's temporary `tmp_obj_…` there):
/// a loose object of a bare repository, whose store has no `.git` to
/// tell it by. A commit also moves a ref, which is watched.
fn is_loose_object(parts: &[&str]) -> bool {
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
    match parts {
        [.., "objects", folder, name] if folder.len() == 2 && hex(folder) => {
            (matches!(name.len(), 38 | 62) && hex(name)) || name.starts_with("tmp_obj_")
        }
        [.., "objects", "info", "packs" | "commit-graph"] => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_a_build_reads_matters() {
        for path in [
            "org/repo/docs/index.md",
            "org/repo/catalog-info.yaml",
            "org/bare.git/refs/heads/main",
            "org/repo/.git/HEAD",
        ] {
            assert!(matters(Path::new(path)), "{path}");
        }
        for path in [
            "org/repo/docs/index.md~",
            "org/repo/docs/notes.tmp",
            "org/repo/docs/objects/ab/page.md",
        ] {
            assert!(matters(Path::new(path)), "a build reads {path}");
        }
        for path in [
            "org/repo/docs/.index.md.swp",
            "org/repo/docs/.index.md.kate-swp",
            "org/repo/docs/.goutputstream-6ZQ3T2",
            "org/repo/docs/#index.md#",
            "org/bare/objects/ab/0123456789abcdef0123456789abcdef012345",
            "org/bare/objects/ab/tmp_obj_x1Y2",
            "org/bare/objects/info/commit-graph",
            "org/repo/docs/4913",
            "org/repo/.#index.md",
            "org/repo/.git/objects/ab/cdef",
            "org/repo/.git/logs/HEAD",
            "org/repo/.git/index.lock",
            "org/bare.git/objects/pack/pack-1.idx",
        ] {
            assert!(!matters(Path::new(path)), "{path}");
        }
    }

    /// Files read from elsewhere are watched by their folder, unless a
    /// watched folder already holds it: watching it again on its own would
    /// replace the watch of everything below it.
    #[test]
    fn files_elsewhere_are_watched_by_their_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repos");
        let brand = dir.path().join("brand");
        std::fs::create_dir_all(root.join("alpha")).unwrap();
        std::fs::create_dir_all(&brand).unwrap();
        let watched = Watched::new(
            std::slice::from_ref(&root),
            &[
                dir.path().join("portico.toml"),
                brand.join("logo.svg"),
                brand.join("facts.json"),
                root.join("alpha/scorecard.yaml"),
                dir.path().join("gone/logo.svg"),
            ],
        );
        let canonical = |p: &Path| p.canonicalize().unwrap();
        assert_eq!(watched.paths, vec![canonical(&root)]);
        assert_eq!(
            watched.folders,
            vec![canonical(dir.path()), canonical(&brand)]
        );
        assert!(!watched.complete, "`gone` is looked for again");
        // What does not exist yet: its nearest folder is watched on its own.
        let later = Watched::new(
            &[root.clone(), dir.path().join("later/repos")],
            &[brand.join("cards/gold.yaml")],
        );
        assert_eq!(later.paths, vec![canonical(&root)]);
        assert_eq!(
            later.folders,
            vec![canonical(dir.path()), canonical(&brand)]
        );
        assert!(!later.complete);
        // In a folder watched for one file, only that file is a change;
        // in a folder watched for a path to come, only the entry to it.
        assert!(watched.covers(&canonical(dir.path()).join("portico.toml")));
        assert!(!watched.covers(&canonical(dir.path()).join("serve.log")));
        assert!(watched.covers(&canonical(&brand).join("logo.svg")));
        assert!(watched.covers(&canonical(&root).join("alpha/docs/index.md")));
        assert!(later.covers(&canonical(dir.path()).join("later")));
        assert!(!later.covers(&canonical(dir.path()).join("other")));
        // A file named without a folder is in the working folder.
        let here = Watched::new(&[], &[PathBuf::from("portico.toml")]);
        assert_eq!(here.folders, vec![canonical(Path::new("."))]);
        assert!(here.complete);
    }
}
