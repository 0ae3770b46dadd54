//! Files of work trees and plain folders, read from disk.

use super::{
    Listing, MAX_FILE_BYTES, OpenError, ReadError, SkippedName, is_skipped_dir, safe_path,
};
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::limits::MAX_LISTED_FILES;

/// Opens a file for reading without waiting for a writer (FIFOs, devices).
#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    #[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
    const O_NONBLOCK: i32 = 0x4;
    #[cfg(not(any(target_os = "macos", target_os = "ios", target_os = "freebsd")))]
    const O_NONBLOCK: i32 = 0o4000;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

pub(super) struct DiskFiles {
    /// Canonical root: every resolved path must stay below it.
    root: PathBuf,
}

impl DiskFiles {
    pub(super) fn open(root: &Path) -> Result<DiskFiles, OpenError> {
        let root = root.canonicalize().map_err(|e| OpenError {
            message: format!("cannot open `{}`: {e}", root.display()),
            hint: None,
        })?;
        Ok(DiskFiles { root })
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

    pub(super) fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        let real = self.resolve(path)?;
        let io = |e: std::io::Error| ReadError::Io {
            path: path.to_string(),
            message: e.to_string(),
        };
        if !real.metadata().map_err(io)?.is_file() {
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
        Ok(bytes)
    }

    pub(super) fn check_file(&self, path: &str) -> Result<(), ReadError> {
        if self.resolve(path)?.is_file() {
            Ok(())
        } else {
            Err(ReadError::NotAFile(path.to_string()))
        }
    }

    /// Regular files and symlinks, without following symlinked folders.
    pub(super) fn list(&self, skip_vendored: bool) -> Listing {
        let mut listing = Listing::default();
        let mut stack = vec![(self.root.clone(), String::new())];
        while let Some((dir, prefix)) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let os_name = entry.file_name();
                let name = match safe_path::check_name(os_name.as_encoded_bytes()) {
                    Ok(name) => name.to_string(),
                    Err(reason) => {
                        let bytes = os_name.as_encoded_bytes();
                        listing
                            .skipped
                            .push(SkippedName::new(&prefix, bytes, reason));
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
                    if !skipped && !entry.path().join(".git").exists() {
                        stack.push((entry.path(), rel));
                    }
                } else if listing.files.len() < MAX_LISTED_FILES {
                    listing.files.push(rel);
                }
            }
        }
        listing
    }
}
