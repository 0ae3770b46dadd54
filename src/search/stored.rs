//! `_search/documents.bin`: every search document of a site, for
//! `portico search` to index into tantivy on first use (`search::terminal`)
//! rather than every build indexing what a browser never reads.
//!
//! The file is `MAGIC`, the format as a little-endian `u32`, then blocks:
//! each a little-endian `u32` length and that many bytes of LZ4 (the plain
//! length first, as `lz4_flex` prepends it) holding a postcard list of
//! documents. A block is one docs site's sections, or a run of entity
//! documents, packed by the thread that gathered them; blocks come in the
//! browser index's order of their first documents, so the file is the same
//! in every build of the same input. A site is input like any other: the
//! file is read with every length checked against what is left and the
//! limits below.

use super::SearchDoc;

/// The file's first bytes.
pub const MAGIC: &[u8] = b"portico search documents\n";
/// Bumped when the layout or `Row` changes.
pub const FORMAT: u32 = 1;
/// The largest block decoded (plain bytes): a site's sections are capped
/// well below it (`limits`).
const MAX_BLOCK_BYTES: usize = 256 * 1024 * 1024;

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

/// One block of `docs`, compressed.
pub fn block(docs: &[SearchDoc]) -> Vec<u8> {
    let rows: Vec<RowRef<'_>> = docs
        .iter()
        .map(|d| RowRef {
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
        })
        .collect();
    let plain = postcard::to_stdvec(&rows).unwrap_or_default();
    lz4_flex::block::compress_prepend_size(&plain)
}

/// The file of `blocks`, in order.
pub fn file<'a>(blocks: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&FORMAT.to_le_bytes());
    for block in blocks {
        out.extend_from_slice(&(block.len() as u32).to_le_bytes());
        out.extend_from_slice(block);
    }
    out
}

/// Every document of a file, in order; why not, in Portico's words.
pub fn read(bytes: &[u8]) -> Result<Vec<SearchDoc>, String> {
    let rest = bytes
        .strip_prefix(MAGIC)
        .ok_or("`documents.bin` is not a Portico search documents file")?;
    let (format, mut rest) = rest
        .split_at_checked(4)
        .ok_or("`documents.bin` is cut short")?;
    if format != FORMAT.to_le_bytes() {
        return Err("`documents.bin` was written by another version of Portico".into());
    }
    let mut docs = Vec::new();
    while !rest.is_empty() {
        let (length, after) = rest
            .split_at_checked(4)
            .ok_or("`documents.bin` is cut short")?;
        let length = u32::from_le_bytes(length.try_into().unwrap_or_default()) as usize;
        let (block, after) = after
            .split_at_checked(length)
            .ok_or("`documents.bin` is cut short")?;
        rest = after;
        let plain = block
            .get(..4)
            .map(|size| u32::from_le_bytes(size.try_into().unwrap_or_default()) as usize);
        if plain.is_none_or(|plain| plain > MAX_BLOCK_BYTES) {
            return Err("a block of `documents.bin` is damaged".into());
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
    Ok(docs)
}
