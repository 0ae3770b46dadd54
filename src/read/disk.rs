//! Files of work trees and plain folders, read from disk.

use super::{
    Listing, MAX_FILE_BYTES, OpenError, ReadError, SkippedName, is_skipped_dir, safe_path,
};
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::files::open_without_blocking;

/// Whether a file has no other name (hard link) than the one it was
/// opened by. Unknown elsewhere than on unix: no.
#[cfg(unix)]
fn only_name(meta: &std::fs::Metadata) -> bool {
    std::os::unix::fs::MetadataExt::nlink(meta) == 1
}

#[cfg(not(unix))]
fn only_name(_: &std::fs::Metadata) -> bool {
    false
}

/// What [`DiskFiles::unlinked`] found at a path.
enum Unlinked {
    /// The path, canonical, and its metadata: no part of it is a link.
    Found(PathBuf, std::fs::Metadata),
    /// Nothing is there.
    Missing,
    /// A part is a link, or could not be looked at.
    Unknown,
}

pub(super) struct DiskFiles {
    /// Canonical root: every resolved path must stay below it.
    root: PathBuf,
}

impl DiskFiles {
    /// Opens the folder at `root`; `real`: its canonical path, when known
    /// (see [`super::RepoSource::real_root`]).
    pub(super) fn open(root: &Path, real: Option<&Path>) -> Result<DiskFiles, OpenError> {
        if let Some(real) = real {
            return Ok(DiskFiles {
                root: real.to_path_buf(),
            });
        }
        let root = root.canonicalize().map_err(|e| OpenError {
            message: format!("cannot open `{}`: {e}", root.display()),
            hint: None,
        })?;
        Ok(DiskFiles { root })
    }

    /// `root/path` and its metadata when no part of it is a symlink (most
    /// reads): it is canonical already, the root being canonical and `path`
    /// normalised (no `.`, `..` or empty parts), so `canonicalize`, which
    /// reads every folder as a link from `/` down (a system call each), is
    /// not needed. A part that is not there, below parts that are all
    /// folders and no link, means nothing is there (a probe for a file a
    /// repository may not have: `canonicalize` would read the whole path
    /// as links only to say so). `Unknown` when a part is a symlink or
    /// cannot be looked at: [`DiskFiles::resolve`] then finds out what is
    /// there.
    fn unlinked(&self, path: &str) -> Unlinked {
        let mut full = self.root.clone();
        let mut meta = None;
        for part in path.split('/') {
            full.push(part);
            let m = match full.symlink_metadata() {
                Ok(m) => m,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Unlinked::Missing,
                Err(_) => return Unlinked::Unknown,
            };
            if m.file_type().is_symlink() {
                return Unlinked::Unknown;
            }
            meta = Some(m);
        }
        match meta {
            Some(meta) => Unlinked::Found(full, meta),
            None => Unlinked::Unknown,
        }
    }

    /// [`DiskFiles::resolve`], with the file's metadata when it was read
    /// on the way.
    /// Nothing in a `.git` folder is read (git's own files, not the
    /// repository's: a `$text: .git/config` would publish the remote's
    /// credentials), whether named or reached through a symlink.
    fn resolve_with_metadata(
        &self,
        path: &str,
    ) -> Result<(PathBuf, Option<std::fs::Metadata>), ReadError> {
        let in_git = |relative: &Path| {
            relative
                .components()
                .any(|c| c.as_os_str().eq_ignore_ascii_case(".git"))
        };
        if in_git(Path::new(path)) {
            return Err(ReadError::InGitFolder(path.to_string()));
        }
        let found = match self.unlinked(path) {
            Unlinked::Found(real, meta) => (real, Some(meta)),
            Unlinked::Missing => return Err(ReadError::NotFound(path.to_string())),
            Unlinked::Unknown => (self.resolve(path)?, None),
        };
        if found.0.strip_prefix(&self.root).is_ok_and(in_git) {
            return Err(ReadError::InGitFolder(path.to_string()));
        }
        Ok(found)
    }

    /// Resolves symlinks and refuses anything that lands outside the root.
    fn resolve(&self, path: &str) -> Result<PathBuf, ReadError> {
        let full = self.root.join(path);
        let real = match full.canonicalize() {
            Ok(real) => real,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // A dangling symlink is reported as what it is.
                return match full.symlink_metadata() {
                    Ok(_) => Err(ReadError::SymlinkEscapes(path.to_string())),
                    Err(_) => Err(ReadError::NotFound(path.to_string())),
                };
            }
            Err(e) => {
                return Err(ReadError::Io {
                    path: path.to_string(),
                    message: e.to_string(),
                });
            }
        };
        if !real.starts_with(&self.root) {
            return Err(ReadError::SymlinkEscapes(path.to_string()));
        }
        Ok(real)
    }

    /// The canonical root.
    pub(super) fn root(&self) -> &Path {
        &self.root
    }

    pub(super) fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        self.read_placed(path).map(|(bytes, _)| bytes)
    }

    /// [`DiskFiles::read`], and whether the file was read at exactly
    /// `root/path`, no symlink on the way, and is its only name (a file
    /// with hard links elsewhere changes when written through them).
    pub(super) fn read_placed(&self, path: &str) -> Result<(Vec<u8>, bool), ReadError> {
        let (real, meta) = self.resolve_with_metadata(path)?;
        let unlinked = meta.is_some();
        let io = |e: std::io::Error| ReadError::Io {
            path: path.to_string(),
            message: e.to_string(),
        };
        let meta = match meta {
            Some(meta) => meta,
            None => real.metadata().map_err(io)?,
        };
        if !meta.is_file() {
            return Err(ReadError::NotAFile(path.to_string()));
        }
        // Opened without blocking and checked again through the handle: a
        // file swapped for a FIFO after the check would otherwise hang the
        // build on its open or its first read.
        let file = open_without_blocking(&real).map_err(io)?;
        let meta = file.metadata().map_err(io)?;
        if !meta.is_file() {
            return Err(ReadError::NotAFile(path.to_string()));
        }
        let in_place = unlinked && only_name(&meta);
        if meta.len() > MAX_FILE_BYTES {
            return Err(ReadError::TooLarge {
                path: path.to_string(),
                bytes: meta.len(),
            });
        }
        // Read through a limit too: the file may grow between stat and read.
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(ReadError::TooLarge {
                path: path.to_string(),
                bytes: bytes.len() as u64,
            });
        }
        Ok((bytes, in_place))
    }

    pub(super) fn check_file(&self, path: &str) -> Result<(), ReadError> {
        let is_file = match self.resolve_with_metadata(path)? {
            (_, Some(meta)) => meta.is_file(),
            (real, None) => real.is_file(),
        };
        if is_file {
            Ok(())
        } else {
            Err(ReadError::NotAFile(path.to_string()))
        }
    }

    /// Regular files and symlinks, without following symlinked folders.
    pub(super) fn list(&self, skip_vendored: bool) -> Listing {
        let mut listing = Listing::default();
        let mut budget = super::ListingBudget::new();
        let mut stack = vec![(self.root.clone(), String::new())];
        'walk: while let Some((dir, prefix)) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            // In name order, so a listing cut short is the same cut on
            // every machine (`read_dir` order is the file system's).
            let mut entries: Vec<std::fs::DirEntry> = entries.flatten().collect();
            entries.sort_by_key(std::fs::DirEntry::file_name);
            for entry in entries {
                if !budget.spend() {
                    let waiting = stack.iter().map(|(_, folder)| folder.as_str());
                    super::ListingBudget::stopped(&mut listing, &prefix, waiting);
                    break 'walk;
                }
                let os_name = entry.file_name();
                let name = match safe_path::check_name(os_name.as_encoded_bytes()) {
                    Ok(name) => name.to_string(),
                    Err(reason) => {
                        let bytes = os_name.as_encoded_bytes();
                        super::ListingBudget::skip(&mut listing, || {
                            SkippedName::new(&prefix, bytes, reason)
                        });
                        continue;
                    }
                };
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                let rel = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}/{name}")
                };
                if kind.is_dir() {
                    // A nested checkout is another repository, read on its own.
                    let skipped = name == ".git" || (skip_vendored && is_skipped_dir(&name));
                    if skipped {
                        continue;
                    }
                    if entry.path().join(".git").exists() {
                        if listing.nested_checkouts.len() < crate::limits::MAX_SKIPPED_NAMES {
                            listing.nested_checkouts.push(rel);
                        }
                    } else {
                        stack.push((entry.path(), rel));
                    }
                } else if !super::ListingBudget::take_file(&mut listing, rel) {
                    let waiting = stack.iter().map(|(_, folder)| folder.as_str());
                    super::ListingBudget::stopped(&mut listing, &prefix, waiting);
                    break 'walk;
                }
            }
        }
        listing
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    /// A repository with a file, a folder, a folder linked inside, a file
    /// linked out, a dangling link and a FIFO.
    fn repo() -> (tempfile::TempDir, DiskFiles) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("docs/img")).unwrap();
        std::fs::write(root.join("docs/index.md"), "# Hi\n").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "secret").unwrap();
        symlink("docs", root.join("linked")).unwrap();
        symlink("../secret.txt", root.join("out.txt")).unwrap();
        symlink("gone.md", root.join("dangling.md")).unwrap();
        let fifo = std::process::Command::new("mkfifo")
            .arg(root.join("fifo"))
            .status()
            .unwrap();
        assert!(fifo.success());
        let files = DiskFiles::open(&root, None).unwrap();
        (dir, files)
    }

    #[test]
    fn reads_plain_paths_and_paths_through_links_inside() {
        let (_dir, files) = repo();
        assert_eq!(files.read("docs/index.md").unwrap(), b"# Hi\n");
        assert_eq!(files.read("linked/index.md").unwrap(), b"# Hi\n");
        assert_eq!(files.check_file("docs/index.md"), Ok(()));
        assert_eq!(files.check_file("linked/index.md"), Ok(()));
    }

    /// git's own folder is never read: its `config` may hold the remote's
    /// credentials (a `$text: .git/config` would publish them).
    #[test]
    fn refuses_git_s_own_folder_named_or_linked() {
        let (_dir, files) = repo();
        let root = files.root().to_path_buf();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(root.join(".git/config"), "url = https://u:token@host/r\n").unwrap();
        std::fs::create_dir_all(root.join("sub/.git")).unwrap();
        std::fs::write(root.join("sub/.git/config"), "x").unwrap();
        symlink(".git/config", root.join("config.txt")).unwrap();
        symlink(".git", root.join("store")).unwrap();
        for path in [
            ".git/config",
            "sub/.git/config",
            "config.txt",
            "store/config",
            ".GIT/config",
        ] {
            let refused = ReadError::InGitFolder(path.into());
            assert_eq!(files.read(path), Err(refused.clone()), "{path}");
            assert_eq!(files.check_file(path), Err(refused), "{path}");
        }
    }

    #[test]
    fn refuses_what_is_no_file_inside_the_repository() {
        let (_dir, files) = repo();
        // Missing, below plain folders, a missing folder, or a link to a
        // folder inside (that one found out by resolving the link).
        symlink("docs", files.root().join("docs-link")).unwrap();
        for path in ["docs/none.md", "nope/none.md", "docs-link/none.md"] {
            let not_found = ReadError::NotFound(path.into());
            assert_eq!(files.read(path), Err(not_found.clone()), "{path}");
            assert_eq!(files.check_file(path), Err(not_found), "{path}");
        }
        for path in ["out.txt", "dangling.md"] {
            let escapes = ReadError::SymlinkEscapes(path.into());
            assert_eq!(files.read(path), Err(escapes.clone()));
            assert_eq!(files.check_file(path), Err(escapes));
        }
        for path in ["docs/img", "fifo", "linked"] {
            let not_a_file = ReadError::NotAFile(path.into());
            assert_eq!(files.read(path), Err(not_a_file.clone()));
            assert_eq!(files.check_file(path), Err(not_a_file));
        }
    }
}
