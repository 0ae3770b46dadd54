//! Opening files that may not be what their names say: a repository, a
//! shard's part and the build cache are untrusted, and any of their
//! entries may be a FIFO or a device, where a plain `File::open` for
//! reading waits for a writer that never comes.

use std::path::Path;

/// Opens a file for reading without waiting for a writer (FIFOs, devices);
/// the caller still checks, by the open file's metadata, that it is a
/// regular file before reading.
#[cfg(unix)]
pub fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // The BSDs' value (there 0o4000 is `O_EXCL`), else Linux's.
    const O_NONBLOCK: i32 = if cfg!(any(
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly"
    )) {
        0x4
    } else {
        0o4000
    };
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
pub fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// A regular file's bytes, at most `max`: opened without blocking and
/// checked through the open handle (a FIFO never makes the read wait, a
/// device never fills memory, a file swapped after a check is still
/// checked). A missing file is `NotFound` as the open gives it; anything
/// else that is not a regular file of at most `max` bytes (the length
/// read, not only the one stated: a file may grow) is an `InvalidData`
/// error saying which.
pub fn read_regular(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let refused = |why: String| std::io::Error::new(std::io::ErrorKind::InvalidData, why);
    let file = open_without_blocking(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(refused("not a regular file".into()));
    }
    let larger = || refused(format!("larger than {max} bytes"));
    if meta.len() > max {
        return Err(larger());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(larger());
    }
    Ok(bytes)
}

/// What says a file changed without reading it: its mode, inode, device,
/// length and modification and change times (an edit, a replacement by
/// rename, a `touch -d` that restores an old time: the change time moves).
#[cfg(unix)]
pub fn stamp(meta: &std::fs::Metadata) -> [i64; 8] {
    use std::os::unix::fs::MetadataExt;
    [
        i64::from(meta.mode()),
        meta.ino() as i64,
        meta.dev() as i64,
        meta.len() as i64,
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ctime(),
        meta.ctime_nsec(),
    ]
}

/// Whether `name` could be one entry of a folder: not empty, `.` or `..`,
/// and without a slash or a NUL. Names read back from the build cache are
/// checked with it before a path is made of them.
pub fn entry_name(name: &[u8]) -> bool {
    !name.is_empty() && name != b"." && name != b".." && !name.contains(&b'/') && !name.contains(&0)
}

/// Whether the folder times of the file system holding `path` move when
/// an entry is added, removed or renamed, as local file systems' do. On
/// network and FUSE file systems (NFS, SMB, 9p, virtiofs, sshfs, cloud
/// buckets mounted with FUSE) they may not, or may lag the client's view:
/// a folder's listing is then never taken by its stamp. `false` when the
/// file system cannot be asked.
#[cfg(target_os = "linux")]
pub fn folder_times_move(path: &Path) -> bool {
    /// `f_type`s from the kernel's `magic.h` (and FUSE's, CIFS's, Ceph's).
    const UNSURE: [u64; 11] = [
        0x6969,      // NFS
        0x6573_5546, // FUSE (sshfs, virtiofs, gcsfuse, s3fs, Docker Desktop shares)
        0x0102_1997, // 9p (WSL 2 and VM shares)
        0xff53_4d42, // CIFS
        0xfe53_4d42, // SMB 2
        0x517b,      // SMB
        0x00c3_6400, // Ceph
        0x5346_414f, // AFS
        0x7375_7245, // Coda
        0x6b41_4653, // kAFS
        0x786f_4256, // VirtualBox shared folders
    ];
    match rustix::fs::statfs(path) {
        // 32 bits: `f_type` is signed, and a word of 32 bits on some targets.
        Ok(fs) => !UNSURE.contains(&((fs.f_type as u64) & 0xffff_ffff)),
        Err(_) => false,
    }
}

/// Elsewhere: as on a local file system.
#[cfg(not(target_os = "linux"))]
pub fn folder_times_move(_path: &Path) -> bool {
    true
}

/// Opens the lock file at `path` (made if missing; never truncated, and
/// never deleted by its users: deleting it would let two processes lock two
/// different files) and takes its exclusive lock, calling `waiting` first
/// when another process holds it. A failure says which step failed:
/// `"create the lock file"` or `"lock"`.
pub fn lock_file(
    path: &Path,
    waiting: impl FnOnce(),
) -> Result<std::fs::File, (&'static str, std::io::Error)> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| ("create the lock file", e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            waiting();
            file.lock().map_err(|e| ("lock", e))?;
            Ok(file)
        }
        Err(std::fs::TryLockError::Error(e)) => Err(("lock", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_folders_have_moving_times_and_missing_ones_are_unsure() {
        let dir = tempfile::tempdir().unwrap();
        // The test's temporary folder is on a local file system here (CI
        // and this machine: ext4, tmpfs, overlay).
        assert!(folder_times_move(dir.path()));
        assert!(!folder_times_move(&dir.path().join("missing")));
    }

    #[test]
    fn entry_names_are_one_path_component() {
        for name in ["index.html", "ünïcode page", ".git", "..."] {
            assert!(entry_name(name.as_bytes()), "{name:?}");
        }
        for name in ["", ".", "..", "a/b", "/", "../x", "a\0b"] {
            assert!(!entry_name(name.as_bytes()), "{name:?}");
        }
    }
}
