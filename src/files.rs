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
