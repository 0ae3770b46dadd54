//! `portico serve`'s scratch folder in the system's temporary folder, where
//! the served site's search index is written for `portico search --site`.
//!
//! A server stopped by Ctrl-C or SIGTERM removes it; one that was killed
//! cannot, so each start first removes the folders of servers that are no
//! longer running. The temporary folder is shared with other users, so a
//! folder is made new (never an existing one, which could be a link placed
//! there), and only real folders owned by this user are ever removed.

use crate::address::PREVIEW_FOLDER_PREFIX as PREFIX;
use std::path::{Path, PathBuf};

/// The scratch folder, removed when dropped.
pub struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    /// Removes stale scratch folders in `base`, then makes a new one there
    /// named after this process.
    pub fn create(base: &Path) -> Result<Scratch, String> {
        let pid = std::process::id();
        remove_stale(base, pid);
        let mut last_error = None;
        for attempt in 0..100 {
            let name = match attempt {
                0 => format!("{PREFIX}{pid}"),
                n => format!("{PREFIX}{pid}-{n}"),
            };
            let dir = base.join(name);
            match make_private_dir(&dir) {
                Ok(()) => return Ok(Scratch { dir }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last_error = Some(e),
                Err(e) => {
                    return Err(format!(
                        "cannot make a scratch folder in {}: {e}",
                        base.display()
                    ));
                }
            }
        }
        Err(format!(
            "cannot make a scratch folder in {}: {}",
            base.display(),
            last_error.map_or_else(String::new, |e| e.to_string())
        ))
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A new folder only this user can read (fails if anything has the name).
fn make_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Removes the scratch folders of servers that are not running: named
/// `portico-serve-PID` or `portico-serve-PID-N`, PID this process's own (a
/// leftover of an earlier process with the same id) or no live process's,
/// a real folder (not a link), owned by this user. Where liveness cannot be
/// told (no `/proc`), nothing is removed.
#[cfg(unix)]
fn remove_stale(base: &Path, own_pid: u32) {
    use std::os::unix::fs::MetadataExt;
    // `/proc/self` says liveness can be told, and its owner is this
    // process's user (std has no `geteuid`, and `unsafe` is forbidden).
    let Ok(this_process) = std::fs::metadata("/proc/self") else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(scratch_pid) else {
            continue;
        };
        let alive = pid != own_pid && Path::new("/proc").join(pid.to_string()).exists();
        if alive {
            continue;
        }
        // `symlink_metadata`: a link is never followed, nor removed.
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        if meta.is_dir() && meta.uid() == this_process.uid() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(not(unix))]
fn remove_stale(_base: &Path, _own_pid: u32) {}

/// The process id in a scratch folder's name.
fn scratch_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(PREFIX)?;
    let (pid, attempt) = match rest.split_once('-') {
        Some((pid, attempt)) => (pid, Some(attempt)),
        None => (rest, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(pid) || attempt.is_some_and(|a| !digits(a)) {
        return None;
    }
    pid.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_give_their_process_id_and_nothing_else_does() {
        assert_eq!(scratch_pid("portico-serve-123"), Some(123));
        assert_eq!(scratch_pid("portico-serve-123-4"), Some(123));
        assert_eq!(scratch_pid("portico-serve-"), None);
        assert_eq!(scratch_pid("portico-serve-12a"), None);
        assert_eq!(scratch_pid("portico-serve-12-"), None);
        assert_eq!(scratch_pid("portico-serve-12-x"), None);
        assert_eq!(scratch_pid("portico-cache-12"), None);
        assert_eq!(scratch_pid("portico-serve-99999999999999"), None);
    }

    /// A dead server's folder and this process's own leftover are removed;
    /// a running process's folder, other names and links are kept.
    #[cfg(target_os = "linux")]
    #[test]
    fn stale_folders_are_removed_and_nothing_else() {
        let base = tempfile::tempdir().unwrap();
        let base = base.path();
        let own = std::process::id();
        // pid 1 is always running; a pid above the kernel's maximum never is.
        let dead = 4_194_305;
        for name in [
            format!("{PREFIX}{dead}"),
            format!("{PREFIX}{dead}-2"),
            format!("{PREFIX}{own}"),
            format!("{PREFIX}1"),
            "portico-serve-notes".to_string(),
        ] {
            std::fs::create_dir(base.join(&name)).unwrap();
            std::fs::write(base.join(&name).join("file"), "x").unwrap();
        }
        let outside = base.join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("keep"), "x").unwrap();
        std::os::unix::fs::symlink(&outside, base.join(format!("{PREFIX}{}", dead + 1))).unwrap();

        let scratch = Scratch::create(base).unwrap();
        assert_eq!(scratch.path(), base.join(format!("{PREFIX}{own}")));
        assert!(scratch.path().is_dir());
        assert!(!scratch.path().join("file").exists(), "made new");
        assert!(!base.join(format!("{PREFIX}{dead}")).exists());
        assert!(!base.join(format!("{PREFIX}{dead}-2")).exists());
        assert!(base.join(format!("{PREFIX}1")).join("file").exists());
        assert!(base.join("portico-serve-notes").exists());
        assert!(base.join(format!("{PREFIX}{}", dead + 1)).exists());
        assert!(outside.join("keep").exists());

        let path = scratch.path().to_path_buf();
        drop(scratch);
        assert!(!path.exists(), "removed when dropped");
    }

    /// A name already taken (here by a link) is never used: the next one is.
    #[cfg(unix)]
    #[test]
    fn a_taken_name_is_not_reused() {
        let base = tempfile::tempdir().unwrap();
        let base = base.path();
        let own = std::process::id();
        let target = base.join("elsewhere");
        std::fs::create_dir(&target).unwrap();
        std::os::unix::fs::symlink(&target, base.join(format!("{PREFIX}{own}"))).unwrap();
        let scratch = Scratch::create(base).unwrap();
        assert_eq!(scratch.path(), base.join(format!("{PREFIX}{own}-1")));
        assert!(
            base.join(format!("{PREFIX}{own}"))
                .symlink_metadata()
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
}
