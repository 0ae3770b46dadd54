//! Loose git objects read into memory with one `read`, not mapped.
//!
//! gix maps each loose object file it reads and unmaps it afterwards. In a
//! process with threads on several cores every unmap makes the kernel
//! interrupt the other cores to flush their address caches (a TLB
//! shootdown): on freshly committed repositories, whose objects are all
//! loose, the history walk's trees cost a clean build 2 % of its CPU in
//! `munmap` alone. A loose object is a small zlib stream, so reading it
//! whole costs less than mapping it.
//!
//! Only what is found here whole is used: an object that is not loose
//! (packed, or in an alternate), a file that is not a regular one, too
//! large, damaged, of another kind or of a size other than its header
//! says, is left to gix, which reads it (or fails) as it always did.

use std::path::Path;

/// The largest loose object file read here (a tree of 100,000 entries
/// deflates to a few megabytes); larger ones are gix's.
const MAX_FILE_BYTES: u64 = 16 << 20;

/// The largest object inflated here: a zlib stream may claim any size, and
/// a small file may inflate a thousandfold.
const MAX_OBJECT_BYTES: usize = 64 << 20;

/// The objects folder of `repo` for [`read`], when an id names the object
/// its loose file holds: not when the repository replaces objects
/// (`refs/replace`), which gix finds by the ids they replace.
pub fn objects_folder(repo: &gix::Repository) -> Option<&Path> {
    let store = repo.objects.store_ref();
    store.replacements().next().is_none().then(|| store.path())
}

/// The object `id` of `kind` from the loose objects under `objects` (the
/// repository's objects folder): its data, without the header. `None`
/// when it is not there whole as a loose object of that kind.
pub fn read(objects: &Path, id: &gix::oid, kind: gix::object::Kind) -> Option<Vec<u8>> {
    let hex = id.to_hex().to_string();
    let (folder, name) = hex.split_at_checked(2)?;
    let compressed = crate::files::read_regular(&objects.join(folder).join(name), MAX_FILE_BYTES)
        .ok()
        .filter(|bytes| !bytes.is_empty())?;
    // The header, `<kind> <size>\0`, from the stream's first bytes.
    let mut start = [0u8; 64];
    let config = zlib_rs::InflateConfig::default();
    let (head, _) = zlib_rs::decompress_slice(&mut start, &compressed, config);
    let end = head.iter().position(|b| *b == 0)?;
    let (found, size) = std::str::from_utf8(&head[..end]).ok()?.split_once(' ')?;
    let size: usize = size.parse().ok().filter(|size| *size <= MAX_OBJECT_BYTES)?;
    if found.as_bytes() != kind.as_bytes() {
        return None;
    }
    let mut whole = vec![0u8; end + 1 + size];
    let (inflated, code) = zlib_rs::decompress_slice(&mut whole, &compressed, config);
    if code != zlib_rs::ReturnCode::Ok || inflated.len() != end + 1 + size {
        return None;
    }
    whole.drain(..=end);
    Some(whole)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gix::object::Kind;

    /// A loose object's bytes as git writes them: its header and data,
    /// deflated.
    fn loose(header_and_data: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; zlib_rs::compress_bound(header_and_data.len())];
        let (written, code) =
            zlib_rs::compress_slice(&mut out, header_and_data, zlib_rs::DeflateConfig::default());
        assert_eq!(code, zlib_rs::ReturnCode::Ok);
        written.to_vec()
    }

    fn put(objects: &Path, id: &gix::oid, bytes: &[u8]) {
        let hex = id.to_hex().to_string();
        std::fs::create_dir_all(objects.join(&hex[..2])).unwrap();
        std::fs::write(objects.join(&hex[..2]).join(&hex[2..]), bytes).unwrap();
    }

    #[test]
    fn a_whole_loose_object_of_the_kind_asked_is_read_and_anything_else_left_to_gix() {
        let dir = tempfile::tempdir().unwrap();
        let objects = dir.path();
        let id = |n: u8| gix::ObjectId::from_bytes_or_panic(&[n; 20]);
        let tree = Kind::Tree;
        // Whole, of the kind asked.
        put(objects, &id(1), &loose(b"tree 5\0hello"));
        assert_eq!(read(objects, &id(1), tree).as_deref(), Some(&b"hello"[..]));
        // Larger than the header's first bytes, inflated whole.
        let data = vec![b'x'; 100_000];
        let mut object = b"blob 100000\0".to_vec();
        object.extend_from_slice(&data);
        put(objects, &id(2), &loose(&object));
        assert_eq!(read(objects, &id(2), Kind::Blob), Some(data));
        // Another kind, a size other than the data's, a damaged stream, an
        // empty file, a missing one, a folder: gix's.
        assert_eq!(read(objects, &id(2), tree), None);
        put(objects, &id(3), &loose(b"tree 9\0hello"));
        assert_eq!(read(objects, &id(3), tree), None);
        put(objects, &id(4), &loose(b"tree 2\0hello"));
        assert_eq!(read(objects, &id(4), tree), None);
        let mut damaged = loose(b"tree 5\0hello");
        let last = damaged.len() - 3;
        damaged[last] ^= 0xff;
        put(objects, &id(5), &damaged);
        assert_eq!(read(objects, &id(5), tree), None);
        put(objects, &id(6), b"");
        assert_eq!(read(objects, &id(6), tree), None);
        assert_eq!(read(objects, &id(7), tree), None);
        let hex = id(8).to_hex().to_string();
        std::fs::create_dir_all(objects.join(&hex[..2]).join(&hex[2..])).unwrap();
        assert_eq!(read(objects, &id(8), tree), None);
        // A header claiming more than the cap.
        put(objects, &id(9), &loose(b"tree 99999999999\0hello"));
        assert_eq!(read(objects, &id(9), tree), None);
    }
}
