//! `_search/terminal/documents.bin`: every search document of a site, for
//! `portico search` to index into tantivy on first use (`search::terminal`)
//! rather than every build indexing what a browser never reads.
//!
//! The file is `MAGIC`, the format and the number of frames as
//! little-endian `u32`s, then the frames: each a little-endian `u32`
//! length and that many bytes of LZ4 (the plain length first, as
//! `lz4_flex` prepends it) holding a postcard list of documents. A block
//! ([`block`]) is one docs site's sections, or a run of entity documents,
//! as frames of at most about `FRAME_BYTES` of plain text each, packed by
//! the thread that gathered them; blocks come in the browser index's order
//! of their first documents, so the file is the same in every build of the
//! same input. A site is input like any other: the file is read with every
//! length checked against what is left and the limits below.

use super::SearchDoc;

/// The file's first bytes.
pub const MAGIC: &[u8] = b"portico search documents\n";
/// Bumped when the layout or `Row` changes.
pub const FORMAT: u32 = 2;
/// About the most plain bytes a frame is written with: a frame closes
/// once its documents reach it (a big docs site is several frames).
const FRAME_BYTES: usize = 64 * 1024 * 1024;
/// The largest frame decoded (plain bytes): a frame is written with about
/// `FRAME_BYTES`, and one document (a page's section) is far smaller.
const MAX_FRAME_BYTES: usize = 256 * 1024 * 1024;
/// The most plain bytes a whole file is decoded to: far past a real site
/// (about 50 MB of documents at 10,000 pages), so only a damaged or forged
/// file, of frames that inflate hundredfold, meets it.
const MAX_FILE_PLAIN_BYTES: u64 = 16 * 1024 * 1024 * 1024;

/// A document as the file holds it.
#[derive(serde::Deserialize)]
struct Row {
    entity: bool,
    title: String,
    title_searchable: bool,
    heading: String,
    breadcrumb: String,
    body: String,
    url: String,
    entity_ref: String,
    kind: String,
    spec_type: String,
    owner: String,
    lifecycle: String,
    tags: Vec<String>,
    namespace: String,
    level: String,
    summary: Option<String>,
    position: u32,
}

/// A document as it is written: `Row`'s fields borrowed, in its order
/// (postcard writes a `&str` as it writes a `String`).
#[derive(serde::Serialize)]
struct RowRef<'a> {
    entity: bool,
    title: &'a str,
    title_searchable: bool,
    heading: &'a str,
    breadcrumb: &'a str,
    body: &'a str,
    url: &'a str,
    entity_ref: &'a str,
    kind: &'a str,
    spec_type: &'a str,
    owner: &'a str,
    lifecycle: &'a str,
    tags: &'a [String],
    namespace: &'a str,
    level: &'a str,
    summary: Option<&'a str>,
    position: u32,
}

/// One block of `docs`: frames of about [`FRAME_BYTES`] of plain text
/// each, compressed, each after its length.
pub fn block<'a>(docs: impl IntoIterator<Item = &'a SearchDoc>) -> Vec<u8> {
    block_of_frames(docs, FRAME_BYTES)
}

/// [`block`], a frame closed once its documents reach `frame_bytes`.
fn block_of_frames<'a>(
    docs: impl IntoIterator<Item = &'a SearchDoc>,
    frame_bytes: usize,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rows: Vec<RowRef<'_>> = Vec::new();
    let mut plain_bytes = 0;
    for d in docs {
        plain_bytes += d.title.len()
            + d.heading.len()
            + d.breadcrumb.len()
            + d.body.len()
            + d.url.len()
            + d.entity_ref.len()
            + d.summary.as_ref().map_or(0, String::len)
            + 64;
        rows.push(RowRef {
            entity: d.doc_type == "entity",
            title: &d.title,
            title_searchable: d.title_searchable,
            heading: &d.heading,
            breadcrumb: &d.breadcrumb,
            body: &d.body,
            url: &d.url,
            entity_ref: &d.entity_ref,
            kind: &d.kind,
            spec_type: &d.spec_type,
            owner: &d.owner,
            lifecycle: &d.lifecycle,
            tags: &d.tags,
            namespace: &d.namespace,
            level: &d.level,
            summary: d.summary.as_deref(),
            position: d.position,
        });
        if plain_bytes >= frame_bytes {
            frame(&mut out, &rows);
            rows.clear();
            plain_bytes = 0;
        }
    }
    if !rows.is_empty() {
        frame(&mut out, &rows);
    }
    out
}

/// Appends one frame of `rows` to `out`.
fn frame(out: &mut Vec<u8>, rows: &[RowRef<'_>]) {
    let plain = postcard::to_stdvec(rows).unwrap_or_default();
    let packed = lz4_flex::block::compress_prepend_size(&plain);
    // A frame holds about FRAME_BYTES of text before compression: its
    // length fits.
    out.extend_from_slice(
        &u32::try_from(packed.len())
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    out.extend_from_slice(&packed);
}

/// Why a frame could not be taken off the front of some bytes.
enum FrameError {
    /// Its length runs past what is left.
    Cut,
    /// It states no plain length, or one past `MAX_FRAME_BYTES`.
    Damaged,
}

/// The next frame off the front of `rest` (moved past it): its bytes, LZ4
/// with the plain length prepended, and that plain length.
fn next_frame<'b>(rest: &mut &'b [u8]) -> Result<(&'b [u8], usize), FrameError> {
    let (length, after) = rest.split_at_checked(4).ok_or(FrameError::Cut)?;
    let length = u32::from_le_bytes(length.try_into().map_err(|_| FrameError::Cut)?) as usize;
    let (frame, after) = after.split_at_checked(length).ok_or(FrameError::Cut)?;
    let plain = frame.get(..4).ok_or(FrameError::Damaged)?;
    let plain = u32::from_le_bytes(plain.try_into().map_err(|_| FrameError::Damaged)?) as usize;
    if plain > MAX_FRAME_BYTES {
        return Err(FrameError::Damaged);
    }
    *rest = after;
    Ok((frame, plain))
}

/// How many frames a block holds, or None when its lengths do not add up
/// (a block from a part is checked before it is written into a site).
pub fn frame_count(block: &[u8]) -> Option<usize> {
    let mut rest = block;
    let mut count = 0;
    while !rest.is_empty() {
        next_frame(&mut rest).ok()?;
        count += 1;
    }
    Some(count)
}

/// The file of `blocks`, in order: its size asked for once, and each
/// block let go as soon as it is copied, so the file and its blocks are
/// never in memory twice over (about 19 MB each at 10,000 pages). A
/// block whose frames do not add up (never one this Portico made) is
/// left out rather than written wrong.
pub fn file<B: AsRef<[u8]>>(blocks: Vec<B>) -> Vec<u8> {
    let counts: Vec<Option<usize>> = blocks
        .iter()
        .map(|block| frame_count(block.as_ref()))
        .collect();
    let size = MAGIC.len()
        + 8
        + blocks
            .iter()
            .zip(&counts)
            .filter(|(_, count)| count.is_some())
            .map(|(block, _)| block.as_ref().len())
            .sum::<usize>();
    let count: usize = counts.iter().flatten().sum();
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&u32::try_from(count).unwrap_or(u32::MAX).to_le_bytes());
    for (block, count) in blocks.into_iter().zip(counts) {
        if count.is_some() {
            out.extend_from_slice(block.as_ref());
        }
    }
    out
}

/// Every document of a file, in order; why not, in Portico's words.
pub fn read(bytes: &[u8]) -> Result<Vec<SearchDoc>, String> {
    read_within(bytes, MAX_FILE_PLAIN_BYTES)
}

/// [`read`], decoding at most `max_plain` bytes of documents in all.
fn read_within(bytes: &[u8], max_plain: u64) -> Result<Vec<SearchDoc>, String> {
    let rest = bytes
        .strip_prefix(MAGIC)
        .ok_or("`documents.bin` is not a Portico search documents file")?;
    let (format, rest) = rest
        .split_at_checked(4)
        .ok_or("`documents.bin` is cut short")?;
    if format != FORMAT.to_le_bytes() {
        return Err("`documents.bin` was written by another version of Portico".into());
    }
    // The count of frames: a file cut between two frames is cut short too.
    let (count, mut rest) = rest
        .split_at_checked(4)
        .ok_or("`documents.bin` is cut short")?;
    let count = u32::from_le_bytes(count.try_into().unwrap_or_default());
    let mut docs = Vec::new();
    let mut plain_total = 0u64;
    for _ in 0..count {
        let (block, plain) = next_frame(&mut rest).map_err(|e| match e {
            FrameError::Cut => "`documents.bin` is cut short",
            FrameError::Damaged => "a block of `documents.bin` is damaged",
        })?;
        plain_total += plain as u64;
        if plain_total > max_plain {
            return Err(format!(
                "`documents.bin` holds more than {} MiB of documents: it is damaged",
                max_plain >> 20
            ));
        }
        let plain = lz4_flex::block::decompress_size_prepended(block)
            .map_err(|_| "a block of `documents.bin` is damaged")?;
        let rows: Vec<Row> =
            postcard::from_bytes(&plain).map_err(|_| "a block of `documents.bin` is damaged")?;
        docs.extend(rows.into_iter().map(|r| SearchDoc {
            doc_type: if r.entity { "entity" } else { "docs" },
            title: r.title,
            title_searchable: r.title_searchable,
            heading: r.heading,
            breadcrumb: r.breadcrumb,
            body: r.body,
            url: r.url,
            entity_ref: r.entity_ref,
            kind: r.kind,
            spec_type: r.spec_type,
            owner: r.owner,
            lifecycle: r.lifecycle,
            tags: r.tags,
            namespace: r.namespace,
            level: r.level,
            summary: r.summary,
            position: r.position,
        }));
    }
    if !rest.is_empty() {
        return Err("`documents.bin` has bytes after its last block".into());
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs() -> Vec<SearchDoc> {
        let mut entity = crate::search::test_doc("alpha", "entity", "", 0);
        entity.tags = vec!["payments".into()];
        entity.level = "gold".into();
        vec![
            entity,
            crate::search::test_doc("alpha", "docs", "guide", 0),
            crate::search::test_doc("alpha", "docs", "guide", 1),
        ]
    }

    #[test]
    fn a_file_gives_back_its_documents_in_order() {
        let docs = docs();
        let (first, rest) = (block(&docs[..1]), block(&docs[1..]));
        let file = file(vec![&first, &rest]);
        assert_eq!(read(&file).unwrap(), docs);
        assert_eq!(
            read(&super::file(Vec::<Vec<u8>>::new())).unwrap(),
            Vec::<SearchDoc>::new()
        );
    }

    /// Every cut and every changed byte gives an error or documents, never
    /// a panic or an allocation the file's lengths claim.
    #[test]
    fn a_damaged_file_is_an_error_not_a_panic() {
        let whole = file(vec![block(&docs())]);
        for cut in 0..whole.len() {
            assert!(read(&whole[..cut]).is_err(), "cut at {cut}");
        }
        for at in 0..whole.len() {
            let mut changed = whole.clone();
            changed[at] ^= 0xa5;
            let _ = read(&changed);
        }
        let mut other = whole.clone();
        other[MAGIC.len()] = 9;
        assert!(read(&other).unwrap_err().contains("another version"));
        // A block that claims 4 GiB of plain bytes.
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&FORMAT.to_le_bytes());
        huge.extend_from_slice(&1u32.to_le_bytes());
        huge.extend_from_slice(&8u32.to_le_bytes());
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        huge.extend_from_slice(&[0; 4]);
        assert!(read(&huge).unwrap_err().contains("damaged"));
    }

    /// A big block is several frames (each closed at its budget), read
    /// back whole and in order; frames that inflate past the file's
    /// budget are refused; a block whose frames do not add up is left out
    /// of a file rather than written wrong.
    #[test]
    fn big_blocks_are_frames_and_the_whole_is_bounded() {
        let many: Vec<SearchDoc> = (0..40)
            .map(|n| crate::search::test_doc("alpha", "docs", &format!("page-{n}"), n))
            .collect();
        let framed = block_of_frames(&many, 2_000);
        let frames_of = frame_count(&framed).unwrap();
        assert!(frames_of > 3, "{frames_of} frames");
        let whole = file(vec![framed.clone(), block(&docs())]);
        let back = read(&whole).unwrap();
        assert_eq!(back.len(), 43);
        assert_eq!(back[..40], many[..]);
        assert!(
            read_within(&whole, 1_000)
                .unwrap_err()
                .contains("more than 0 MiB")
        );
        let mut broken = framed.clone();
        broken.truncate(broken.len() - 1);
        assert!(frame_count(&broken).is_none());
        let without = file(vec![broken, block(&docs())]);
        assert_eq!(read(&without).unwrap(), docs());
    }
}
