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
pub fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// Whether `name` could be one entry of a folder: not empty, `.` or `..`,
/// and without a slash or a NUL. Names read back from the build cache are
/// checked with it before a path is made of them.
pub fn entry_name(name: &[u8]) -> bool {
    !name.is_empty() && name != b"." && name != b".." && !name.contains(&b'/') && !name.contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
