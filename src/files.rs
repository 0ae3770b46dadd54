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

/// A [`stamp`]'s modification and change times, in nanoseconds since the
/// epoch.
#[cfg(unix)]
pub fn stamp_times(stamp: &[i64; 8]) -> [i128; 2] {
    let nanos = |seconds: i64, nanos: i64| i128::from(seconds) * 1_000_000_000 + i128::from(nanos);
    [nanos(stamp[4], stamp[5]), nanos(stamp[6], stamp[7])]
}

/// A folder held open, so that paths below it are looked up from it: a
/// `stat` of a page deep in the site then walks only the components below
/// the folder. (The path walk was two thirds of each `stat` in a one-page
/// build, which checks every file of the last site it carries over.) Where
/// the folder cannot be held open, paths are joined to it as before.
#[derive(Debug)]
pub struct Below {
    folder: std::path::PathBuf,
    #[cfg(target_os = "linux")]
    open: Option<rustix::fd::OwnedFd>,
}

/// What `lstat` says of an entry, as the build reads it to tell whether a
/// file is still the one it wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lstat {
    pub is_file: bool,
    pub len: u64,
    /// Nanoseconds since the Unix epoch (0 before it), the same whether
    /// read from a `stat` (`Lstat::of_stat`) or from `std::fs::Metadata`
    /// ([`Lstat::of`]).
    pub modified: u64,
    /// 0 where the system has no inode numbers.
    pub inode: u64,
}

impl Lstat {
    pub fn of(meta: &std::fs::Metadata) -> Lstat {
        Lstat {
            is_file: meta.is_file(),
            len: meta.len(),
            modified: meta
                .modified()
                .ok()
                .and_then(|m| m.duration_since(std::time::SystemTime::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as u64),
            inode: inode_of(meta),
        }
    }

    /// The same facts from the system's own `stat` structure (whose time
    /// fields are signed on some targets and unsigned on others: each is
    /// read as signed, which a cast does on one and repeats on another).
    #[cfg(target_os = "linux")]
    #[allow(clippy::unnecessary_cast)]
    fn of_stat(stat: &rustix::fs::Stat) -> Lstat {
        // Seconds are signed whatever the field's declared type: a time
        // before the epoch counts as 0, as `SystemTime` reads it.
        let seconds = stat.st_mtime as i64;
        let nanos = stat.st_mtime_nsec as i64;
        let modified = if seconds < 0 || nanos < 0 {
            0
        } else {
            (seconds as u128 * 1_000_000_000 + nanos as u128) as u64
        };
        Lstat {
            is_file: rustix::fs::FileType::from_raw_mode(stat.st_mode)
                == rustix::fs::FileType::RegularFile,
            len: u64::try_from(stat.st_size).unwrap_or(0),
            modified,
            inode: stat.st_ino,
        }
    }
}

#[cfg(unix)]
fn inode_of(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
fn inode_of(_meta: &std::fs::Metadata) -> u64 {
    0
}

impl Below {
    /// `folder`, held open when it can be (a missing folder is not an
    /// error: every `lstat` below it then finds nothing).
    pub fn open(folder: &Path) -> Below {
        Below {
            folder: folder.to_path_buf(),
            #[cfg(target_os = "linux")]
            open: {
                use rustix::fs::{Mode, OFlags};
                rustix::fs::open(
                    folder,
                    OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                    Mode::empty(),
                )
                .ok()
            },
        }
    }

    /// [`stamp`] of `relative` (a path below the folder; empty for the
    /// folder itself), following a final link when `follow`. `None` when
    /// there is nothing there.
    #[cfg(unix)]
    pub fn stamp(&self, relative: &Path, follow: bool) -> Option<[i64; 8]> {
        #[cfg(target_os = "linux")]
        if let Some(open) = &self.open {
            use rustix::fs::AtFlags;
            let relative = if relative.as_os_str().is_empty() {
                Path::new(".")
            } else {
                relative
            };
            let flags = if follow {
                AtFlags::empty()
            } else {
                AtFlags::SYMLINK_NOFOLLOW
            };
            return rustix::fs::statat(open, relative, flags)
                .ok()
                .map(|stat| stamp_of_stat(&stat));
        }
        let path = self.folder.join(relative);
        let meta = if follow {
            std::fs::metadata(path)
        } else {
            std::fs::symlink_metadata(path)
        };
        meta.ok().map(|meta| stamp(&meta))
    }

    /// The `lstat` of `relative` (a path below the folder, never `..`:
    /// `output` checks every site path, the last site's manifest's too,
    /// before it gets here), not following a final link. `None` when there
    /// is nothing there.
    pub fn lstat(&self, relative: &str) -> Option<Lstat> {
        #[cfg(target_os = "linux")]
        if let Some(open) = &self.open {
            let stat = rustix::fs::statat(open, relative, rustix::fs::AtFlags::SYMLINK_NOFOLLOW);
            return stat.ok().map(|stat| Lstat::of_stat(&stat));
        }
        std::fs::symlink_metadata(self.folder.join(relative))
            .ok()
            .map(|meta| Lstat::of(&meta))
    }
}

/// [`stamp`]'s fields from the system's own `stat` structure (the same
/// numbers `std::fs::Metadata` gives; some fields' declared types vary by
/// target, so each is cast).
#[cfg(target_os = "linux")]
#[allow(clippy::unnecessary_cast)]
fn stamp_of_stat(stat: &rustix::fs::Stat) -> [i64; 8] {
    [
        stat.st_mode as i64,
        stat.st_ino as i64,
        stat.st_dev as i64,
        stat.st_size as i64,
        stat.st_mtime as i64,
        stat.st_mtime_nsec as i64,
        stat.st_ctime as i64,
        stat.st_ctime_nsec as i64,
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

    /// A path looked up from the folder held open says what a `lstat` of
    /// the whole path says: of a file, a folder, a link (not followed), a
    /// file past the epoch's start and before it, and of nothing.
    #[test]
    fn below_a_folder_says_what_a_whole_path_lstat_says() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("docs/page")).unwrap();
        std::fs::write(root.join("docs/page/index.html"), "<p>hi</p>").unwrap();
        std::fs::write(root.join("old.txt"), "old").unwrap();
        let before_epoch = std::time::SystemTime::UNIX_EPOCH - std::time::Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(root.join("old.txt"))
            .unwrap()
            .set_modified(before_epoch)
            .unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("docs/page/index.html", root.join("link")).unwrap();
        let below = Below::open(root);
        for path in [
            "docs/page/index.html",
            "docs/page",
            "old.txt",
            "link",
            "missing",
        ] {
            let whole = std::fs::symlink_metadata(root.join(path)).ok();
            assert_eq!(below.lstat(path), whole.as_ref().map(Lstat::of), "{path}");
        }
        let file = below.lstat("docs/page/index.html").unwrap();
        assert!(file.is_file && file.len == 9 && file.modified > 0);
        assert_eq!(below.lstat("old.txt").unwrap().modified, 0);
        assert!(!below.lstat("docs/page").unwrap().is_file);
        #[cfg(unix)]
        assert!(!below.lstat("link").unwrap().is_file);
        // A folder that is not there holds nothing.
        assert_eq!(Below::open(&root.join("missing")).lstat("old.txt"), None);
        // Stamps: the same fields `stamp` reads from the whole path's
        // metadata, a final link followed or not; "" is the folder itself.
        #[cfg(unix)]
        for path in [
            "",
            "docs",
            "docs/page/index.html",
            "old.txt",
            "link",
            "missing",
        ] {
            for follow in [false, true] {
                let whole = root.join(path);
                let meta = if follow {
                    std::fs::metadata(&whole)
                } else {
                    std::fs::symlink_metadata(&whole)
                };
                let expected = meta.ok().map(|meta| stamp(&meta));
                assert_eq!(
                    below.stamp(Path::new(path), follow),
                    expected,
                    "{path} {follow}"
                );
            }
        }
    }

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
