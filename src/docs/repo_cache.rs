//! A repository's docs kept whole in the build cache (`portico build`),
//! so a repository nothing changed in is neither read, rendered nor laid
//! out again: its pages are carried over from the last site and what the
//! link check, search and the portal need ([`RepoDocs`]) is read back.
//!
//! The key is everything the repository's docs are made from:
//! - every file of the repository: for a bare clone, the commit read (its
//!   tree holds every file); for a work tree or a plain folder, each
//!   listed file's path, length, modification and change times and inode,
//!   as git's index compares them (a file's bytes cannot change without
//!   changing those), plus the commit for git dates;
//! - the git facts (branch, commit, remote: edit links, dates);
//! - the entities whose docs the repository holds, as read;
//! - the docs settings and [`DocsOptions::layout_key`] (configuration and
//!   theme). Portico's own version is the cache folder's (see
//!   [`crate::cache`]).
//!
//! Sites with versions from git tags are not kept this way: their inputs
//! include every matching tag.
//!
//! Working the key out lists the repository and stamps each file, which
//! the whole-build walk (`pipeline::unchanged`) did moments before. So the
//! key and the listing are also kept under the walk's stamp of the
//! repository with the settings and entities ([`by_files_key`],
//! `repo-docs-by-files`): a repository the walk found as it was when its
//! key was last worked out takes both back without a second look.
//!
//! Kept in four parts, so a build decodes only what it needs:
//! - the docs without their link facts, with the files written and the
//!   repository's [`LinkOutline`] (`repo-docs`);
//! - each site's link facts, its pages' ids and links with their places and
//!   its files (`repo-links`): read with the docs (a missing entry builds
//!   the repository again) but decoded only when its links are checked, or
//!   a checked repository's links name one of its sites;
//! - each latest site's pages' headings and section text
//!   (`repo-sections`): read with the docs, decoded then only for an
//!   `on_site` (a search index fed while the docs are built), else only
//!   when search documents are made from the site (`KeptSections::fill`):
//!   a site whose search documents are kept (`search::kept_sites`) never
//!   decodes them;
//! - the repository's link problems (`link-problems`), under a key of its
//!   docs' key and of [`super::links::digest`] of every site its links are
//!   looked up in (its own and those they name, or that there is none): a
//!   repository is checked again only when it changed or a site it links
//!   to changed its pages, ids, assets or place. Its problems, kept or
//!   found, are reported on every build.

use super::build::{DocsOptions, RepoDocs, WrittenFile};
use super::links::LinkOutline;
use super::memo::{self, Key};
use super::versions;
use crate::cache::DiskCache;
use crate::catalog::Entity;
use crate::diagnostics::Diagnostic;
use crate::read::{Listing, RepoKind, Snapshot};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// What a repository's docs are kept under in the build cache: without
/// their link facts, which are kept apart ([`LINKS_KIND`]) and decoded only
/// when a link check needs them.
const KIND: &str = "repo-docs";

/// Each site's link facts (its page checks and files), under the same key.
const LINKS_KIND: &str = "repo-links";

/// Each latest site's pages' headings and section text, under the same
/// key: read with the docs, decoded only for search documents.
const SECTIONS_KIND: &str = "repo-sections";

/// A repository's docs key and listing, by its files' stamp
/// ([`by_files_key`]).
const BY_FILES_KIND: &str = "repo-docs-by-files";

/// What the cache counts repositories whose docs were taken by their
/// files' stamp under (found), and those that had a stamp but were not.
pub const BY_FILES_TAKEN: &str = "repo-docs-by-files taken";

/// A repository's link problems, under [`problems_keys`].
const PROBLEMS_KIND: &str = "link-problems";

/// Bumped when what is kept changes shape.
const FORMAT: u32 = 4;

/// A repository's docs as built (without link facts), every file its
/// build wrote, and what its link problems read outside it.
#[derive(Deserialize)]
struct RepoPack {
    docs: RepoDocs,
    files: Vec<WrittenFile>,
    outline: LinkOutline,
}

/// [`RepoPack`], borrowed, to be written.
#[derive(Serialize)]
struct RepoPackRef<'a> {
    docs: &'a RepoDocs,
    files: &'a [WrittenFile],
    outline: &'a LinkOutline,
}

/// A repository's link problems as kept.
#[derive(Serialize, Deserialize)]
struct Problems(#[serde(with = "crate::diagnostics::whole_list")] Vec<Diagnostic>);

/// The key of everything the repository's docs are made from, or `None`
/// when they are not kept whole (a site with versions).
pub(super) fn key(
    snapshot: &Snapshot,
    listing: &Listing,
    entities: &[&Entity],
    options: &DocsOptions<'_>,
) -> Option<Key> {
    // Not kept whole: a site with versions, or a work tree with checkouts
    // of its own inside (a submodule), whose files pages read by path
    // (snippets, a docs folder) while the listing stamped below leaves
    // them out.
    if !listing.nested_checkouts.is_empty()
        || entities
            .iter()
            .any(|e| versions::pattern(e, options.versions).is_some())
    {
        return None;
    }
    let repo = &snapshot.source;
    let mut key = memo::hasher();
    settings_and_entities(&mut key, entities, options)?;
    memo::part(&mut key, repo.name.as_bytes());
    memo::part(&mut key, repo.display.as_bytes());
    memo::part(&mut key, repo.root.as_os_str().as_encoded_bytes());
    memo::part(&mut key, format!("{:?}", snapshot.git).as_bytes());
    for skipped in &listing.skipped {
        memo::part(&mut key, skipped.path.as_bytes());
    }
    // What else a history walk reads (page dates): a shallow clone deepened,
    // replacement refs and grafts change history, not HEAD.
    let git_dir = match repo.kind {
        RepoKind::Bare => Some(repo.root.clone()),
        _ => Some(repo.root.join(".git")).filter(|d| d.is_dir()),
    };
    if let Some(git_dir) = git_dir {
        history_stamps(&mut key, &git_dir);
    }
    if repo.kind == RepoKind::Bare {
        // The commit read (in the git facts above) fixes every file.
        return Some(key.digest128());
    }
    for path in &listing.files {
        memo::part(&mut key, path.as_bytes());
        let full = repo.root.join(path);
        // The file itself; for a link, also its target, followed.
        match std::fs::symlink_metadata(&full) {
            Ok(meta) if meta.file_type().is_symlink() => {
                key.update(&file_stamp(&meta));
                match std::fs::metadata(&full) {
                    Ok(target) => key.update(&file_stamp(&target)),
                    Err(_) => key.update(&[0xff; 48]),
                }
            }
            Ok(meta) => key.update(&file_stamp(&meta)),
            Err(_) => key.update(&[0xfe; 48]),
        }
    }
    Some(key.digest128())
}

/// What a repository's docs are made from besides its files: the format,
/// the settings and the entities whose docs it holds, as read.
fn settings_and_entities(
    key: &mut xxhash_rust::xxh3::Xxh3,
    entities: &[&Entity],
    options: &DocsOptions<'_>,
) -> Option<()> {
    key.update(&FORMAT.to_le_bytes());
    key.update(&options.layout_key.to_le_bytes());
    key.update(&memo::render_settings_key(&options.sanitize).to_le_bytes());
    memo::part(key, options.git_ref.unwrap_or("").as_bytes());
    memo::part(key, &[u8::from(options.search_versions)]);
    for entity in entities {
        memo::part(key, entity.entity_ref.to_string().as_bytes());
        memo::part(key, format!("{:?}", entity.source).as_bytes());
        memo::part(key, format!("{:?}", entity.doc.pos).as_bytes());
        memo::part(key, serde_json::to_string(&*entity.json).ok()?.as_bytes());
    }
    Some(())
}

/// What a repository's docs key and listing are kept under by its files'
/// stamp (`pipeline::unchanged::RepoFiles`): that stamp, the settings and
/// the entities. The stamp holds every file [`key`] stamps or reads
/// through git (its listing, the git folder's refs, `HEAD`, configuration
/// and history files, git's own configuration and variables) and the
/// repository's name, path and kind, so under the same stamp, settings
/// and entities, [`key`] gives the same key and the listing is the same:
/// a build takes both back ([`by_files`]) without listing the repository
/// or stamping its files again.
pub(super) fn by_files_key(
    files_stamp: Key,
    entities: &[&Entity],
    options: &DocsOptions<'_>,
) -> Option<Key> {
    // A `--ref` read through the reflog or the clock (`main@{1}`,
    // `main@{yesterday}`) names a commit the stamp does not fix (the walk
    // leaves reflogs out): its key is worked out every build.
    if options.git_ref.is_some_and(|r| r.contains("@{")) {
        return None;
    }
    let mut key = memo::hasher();
    memo::part(&mut key, BY_FILES_KIND.as_bytes());
    key.update(&files_stamp.to_le_bytes());
    settings_and_entities(&mut key, entities, options)?;
    Some(key.digest128())
}

/// A repository's docs key and listing as kept under [`by_files_key`].
/// Only listings that skipped no name are kept (a skipped name's reason
/// is not kept): the others are listed every build.
#[derive(Serialize, Deserialize)]
struct ByFiles {
    key: Key,
    files: Vec<String>,
    git_links: Option<Vec<String>>,
    unlisted: Vec<String>,
    nested_checkouts: Vec<String>,
}

/// The docs key and listing kept under `by_files` ([`by_files_key`]).
pub(super) fn by_files(disk: &DiskCache, by_files: Key) -> Option<(Key, Arc<Listing>)> {
    let kept: ByFiles = disk.get_decoded(BY_FILES_KIND, by_files, crate::memo::decode)?;
    // A listing is sorted: one that is not did not come from a build.
    let sorted = |paths: &[String]| paths.windows(2).all(|w| w[0] < w[1]);
    if !sorted(&kept.files) || !kept.git_links.as_deref().is_none_or(sorted) {
        return None;
    }
    let listing = Listing {
        files: kept.files,
        skipped: Vec::new(),
        git_links: kept.git_links,
        unlisted: kept.unlisted,
        nested_checkouts: kept.nested_checkouts,
    };
    Some((kept.key, Arc::new(listing)))
}

/// Keeps `key` and `listing` under `by_files` ([`by_files_key`]).
pub(super) fn keep_by_files(disk: &DiskCache, by_files: Key, key: Key, listing: &Listing) {
    if !listing.skipped.is_empty() {
        return;
    }
    let kept = ByFiles {
        key,
        files: listing.files.clone(),
        git_links: listing.git_links.clone(),
        unlisted: listing.unlisted.clone(),
        nested_checkouts: listing.nested_checkouts.clone(),
    };
    if let Some(bytes) = crate::memo::encode(&kept) {
        disk.put(BY_FILES_KIND, by_files, &bytes);
    }
}

/// Stamps of the git files besides HEAD that a history walk reads: the
/// shallow boundary, grafts, packed refs (replacement refs among them) and
/// each loose replacement ref (at most a thousand looked at).
fn history_stamps(key: &mut xxhash_rust::xxh3::Xxh3, git_dir: &std::path::Path) {
    for file in ["shallow", "info/grafts", "packed-refs"] {
        match std::fs::metadata(git_dir.join(file)) {
            Ok(meta) => key.update(&file_stamp(&meta)),
            Err(_) => key.update(&[0xfd; 48]),
        }
    }
    let mut folders = vec![git_dir.join("refs/replace")];
    let mut seen = 0;
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            seen += 1;
            if seen > 1000 {
                return;
            }
            memo::part(key, entry.file_name().as_encoded_bytes());
            match entry.metadata() {
                Ok(meta) if meta.is_dir() => folders.push(entry.path()),
                Ok(meta) => key.update(&file_stamp(&meta)),
                Err(_) => {}
            }
        }
    }
}

/// A file's length, modification and change times and inode.
fn file_stamp(meta: &std::fs::Metadata) -> [u8; 48] {
    use std::os::unix::fs::MetadataExt;
    let mut stamp = [0; 48];
    let parts = [
        meta.len(),
        meta.mtime() as u64,
        meta.mtime_nsec() as u64,
        meta.ctime() as u64,
        meta.ctime_nsec() as u64,
        meta.ino(),
    ];
    for (chunk, part) in stamp.chunks_exact_mut(8).zip(parts) {
        chunk.copy_from_slice(&part.to_le_bytes());
    }
    stamp
}

/// The repository's docs kept under `key`, when `carry` took every file
/// they wrote over from the last site; `None` (nothing carried) otherwise.
/// Their link facts and sections are found (a missing entry builds the
/// repository again) but read only if needed (`cache::Later`: one found
/// damaged then runs the build again without it).
pub(super) fn reuse(
    disk: &DiskCache,
    key: Key,
    carry: &dyn Fn(&[WrittenFile]) -> bool,
    decode_sections: bool,
) -> Option<RepoDocs> {
    let pack: RepoPack = disk.get_decoded(KIND, key, crate::memo::decode)?;
    let links = disk.later(LINKS_KIND, key)?;
    let sections = disk.later(SECTIONS_KIND, key)?;
    let docs = pack
        .docs
        .kept(key, pack.outline, links)
        .with_kept_sections(sections, decode_sections)?;
    carry(&pack.files).then_some(docs)
}

/// Keeps the repository's docs and the files they wrote under `key`;
/// returns what their link problems read outside them.
pub(super) fn store(
    disk: &DiskCache,
    key: Key,
    docs: &RepoDocs,
    files: &[WrittenFile],
) -> LinkOutline {
    let outline = docs.link_outline();
    let (head, links) = docs.without_links();
    let (head, sections) = head.without_sections();
    // The link facts and sections first: the docs are read back only with
    // them.
    if let (Some(bytes), Some(sections)) =
        (crate::memo::encode(&links), crate::memo::encode(&sections))
    {
        disk.put(LINKS_KIND, key, &bytes);
        disk.put(SECTIONS_KIND, key, &sections);
        let pack = RepoPackRef {
            docs: &head,
            files,
            outline: &outline,
        };
        if let Some(bytes) = crate::memo::encode(&pack) {
            disk.put(KIND, key, &bytes);
        }
    }
    outline
}

/// Each repository's key for its link problems, when its docs are kept in
/// the build cache: its docs' key, and for each folder its links are looked
/// up in (its own sites' and those its links name) [`super::links::digest`] of the
/// site there, the last one built with that folder, as the check finds it,
/// or that there is none. Problems kept under it are the ones a check
/// would find: the check reads nothing else.
pub(super) fn problems_keys(repos: &[RepoDocs]) -> Vec<Option<Key>> {
    let mut digests: HashMap<&str, u128> = HashMap::new();
    for repo in repos {
        digests.extend(repo.site_digests());
    }
    repos
        .iter()
        .map(|repo| {
            let (docs_key, outline) = repo.problems_inputs()?;
            let mut key = memo::hasher();
            key.update(&FORMAT.to_le_bytes());
            key.update(&docs_key.to_le_bytes());
            for folder in outline.folders() {
                memo::part(&mut key, folder.as_bytes());
                match digests.get(folder) {
                    Some(digest) => key.update(&digest.to_le_bytes()),
                    None => key.update(&[0xff]),
                }
            }
            Some(key.digest128())
        })
        .collect()
}

/// A repository's link problems kept under `key`.
pub(super) fn kept_problems(disk: &DiskCache, key: Key) -> Option<Vec<Diagnostic>> {
    let bytes = disk.get(PROBLEMS_KIND, key)?;
    crate::memo::decode::<Problems>(&bytes).map(|p| p.0)
}

/// Keeps a repository's link problems under `key`.
pub(super) fn keep_problems(disk: &DiskCache, key: Key, problems: &[Diagnostic]) {
    if let Some(bytes) = crate::memo::encode(&Problems(problems.to_vec())) {
        disk.put(PROBLEMS_KIND, key, &bytes);
    }
}
