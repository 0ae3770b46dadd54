//! A shard's part: what `portico build --shard i/N` wrote for `portico
//! merge`. A folder, written through [`output::Staging`] (so swapped in
//! whole, and only over a folder Portico wrote):
//!
//! ```text
//! part-1/
//!   .portico-site   the marker of every folder Portico writes
//!   part.json       the manifest (Manifest): format and Portico versions,
//!                   the shard, the build's settings, the repositories,
//!                   a fingerprint of every repository the shard found,
//!                   the commit each was read at, and a checksum of each
//!                   data file below
//!   docs.bin        each repository's docs as built (docs::build::RepoDocs,
//!                   postcard, as the build cache keeps them) without
//!                   their pages' headings and search sections:
//!                   the sites' summaries, their pages'
//!                   ids, the links into other sites (links inside a site
//!                   are checked by the shard: RepoDocs::check_own_links),
//!                   the problems found rendering them and checking those
//!   site/…          the docs pages and assets, at their paths in the site
//!   files.bin       the paths of site/'s files, sorted, each with its
//!                   length (postcard), so merge links them without
//!                   listing every folder, and refuses a file cut short
//!                   or grown since (a CI artifact copied in part)
//!   fragments.bin   for each docs site in docs.bin's order (SiteListing):
//!                   the browser index's fragment blocks of its search
//!                   sections, packed, which merge writes as they are,
//!                   each section's rank in the export's order, the
//!                   sections' words counted and their block of
//!                   documents.bin; so merge lists, scores and stores the
//!                   sections without their text (postcard); absent with
//!                   search off
//! ```
//!
//! The data files are checked against `part.json`'s checksums before they
//! are decoded: a byte flipped in a CI artifact would otherwise decode
//! into wrong scores or pages, not an error.
//!
//! A part is only ever read by the same Portico version that wrote it
//! (`docs.bin` is the build's own data, not a stable interface: binary,
//! because reading it back as JSON was a tenth of a merge's CPU), so the
//! format version guards the layout and the Portico version everything
//! else; both are checked before anything else is read.

use super::{Commits, RepoList, Shard};
use crate::config::CliSettings;
use crate::docs::build::RepoDocs;
use crate::output::{self, Staging};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The layout version of a part (bumped when the files change shape).
pub const FORMAT: u32 = 13;
const MANIFEST: &str = "part.json";
const DOCS: &str = "docs.bin";
const FILES: &str = "site";
const FRAGMENTS: &str = "fragments.bin";
const FILE_LIST: &str = "files.bin";

/// `part.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The Portico version that wrote the part.
    pub portico: String,
    pub shard: Shard,
    /// The build's settings: `merge` reads the repositories with them.
    pub settings: Settings,
    /// A fingerprint of the configuration those settings gave (portico.toml
    /// included): `merge` refuses to finish a build whose configuration
    /// changed under it.
    pub config: String,
    /// The key of the theme and logo its pages were laid out with
    /// (`render::Look::key`, hex): the theme's files are not in `config`.
    pub theme: String,
    /// The repositories this part's docs are from, by identity (all of them
    /// this shard's, whether or not they have docs).
    pub repos: Vec<String>,
    /// Every repository the shard found, which its share was cut from.
    pub found: RepoList,
    /// The commit every repository the shard found was read at.
    pub commits: Commits,
    /// The checksum of each data file, by name (`checksum`), set by
    /// [`PartWriter::finish`].
    pub checksums: BTreeMap<String, String>,
}

/// A data file's checksum as `part.json` records it: its xxh3-128, hex.
pub fn checksum(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

/// The options of `portico build` a shard was given, which `merge` builds
/// the rest of the site with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub config: Option<PathBuf>,
    pub roots: Vec<PathBuf>,
    pub locations: Vec<PathBuf>,
    pub catalog_paths: Vec<String>,
    pub max_depth: Option<usize>,
    pub git_ref: Option<String>,
    pub backstage_exact: bool,
    pub no_search: bool,
    pub theme: Option<PathBuf>,
    pub history: Option<u32>,
}

impl Settings {
    /// The settings the configuration is loaded with.
    pub fn cli(&self) -> CliSettings {
        CliSettings {
            config: self.config.clone(),
            roots: self.roots.clone(),
            locations: self.locations.clone(),
            catalog_paths: self.catalog_paths.clone(),
            max_depth: self.max_depth,
            git_ref: self.git_ref.clone(),
            backstage_exact: self.backstage_exact,
        }
    }
}

/// A fingerprint of a configuration, the build's day left out (scorecards
/// are evaluated by `merge` alone, on its day).
pub fn config_fingerprint(config: &crate::config::Config) -> String {
    let mut config = config.clone();
    config.scorecards.today = crate::scorecards::dates::Day(0);
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(format!("{config:?}").as_bytes());
    format!("{:032x}", hasher.digest128())
}

/// The search documents of a part's docs sites, by entity ref, in
/// `docs.bin`'s order: repository by repository, each site's as
/// `search::site_documents` gives them. The shard records each site's
/// listing of them ([`SiteListing`]) for `merge`.
pub fn search_documents(
    catalog: &crate::catalog::Catalog,
    docs: &[(String, RepoDocs)],
) -> Vec<(String, Vec<crate::search::SearchDoc>)> {
    use rayon::prelude::*;
    docs.par_iter()
        .flat_map_iter(|(_, repo)| repo.summaries())
        .map(|site| {
            (
                site.entity.to_string(),
                crate::search::site_documents(catalog, site),
            )
        })
        .collect()
}

/// What a shard records of one docs site's search sections for `merge`:
/// the browser index's fragment blocks and each section's rank in the
/// export's order (`search::listed::blocks_and_ranks`), for the documents
/// `search::site_documents` makes, in that order. Neither depends on the
/// catalog, so merge lists the sections with its own catalog's facets and
/// never reads their text (`search::list_recorded_site`).
#[derive(Debug, Serialize, Deserialize)]
pub struct SiteListing {
    /// The site's entity, checked against `docs.bin`'s site in its place.
    pub entity_ref: String,
    pub ranks: Vec<u32>,
    pub blocks: Vec<crate::search::web::PackedBlock>,
    /// The sections' words counted (`search::terms`) and their block of
    /// `documents.bin` (`search::stored`): what merge gathers of them.
    pub terms: crate::search::terms::RunTerms,
    #[serde(with = "crate::memo::bytes")]
    pub block: Vec<u8>,
}

impl SiteListing {
    /// A site's listing from its search documents.
    pub fn of(entity_ref: String, documents: &[crate::search::SearchDoc]) -> SiteListing {
        let (blocks, ranks) = crate::search::listed::blocks_and_ranks(documents);
        SiteListing {
            entity_ref,
            ranks,
            blocks,
            terms: crate::search::terms::RunTerms::of(documents),
            block: crate::search::stored::block(documents),
        }
    }

    /// Whether the listing can stand for its site's documents: each rank
    /// given once, and blocks that hold exactly that many documents (a
    /// part that decodes but is damaged must not write a wrong index). Its
    /// words, once checked, are known whole ([`RunTerms::check`]).
    pub fn check(&mut self) -> bool {
        let count = self.ranks.len();
        let mut seen = vec![false; count];
        let ranks_once = self.ranks.iter().all(|rank| {
            usize::try_from(*rank)
                .ok()
                .and_then(|r| seen.get_mut(r))
                .is_some_and(|s| !std::mem::replace(s, true))
        });
        ranks_once
            && crate::search::web::hold(&self.blocks, count)
            && self.terms.documents() == count
            && self.terms.check()
            && crate::search::stored::frame_count(&self.block).is_some()
    }
}

/// A part being written: files go into its staging folder as they are
/// rendered; [`PartWriter::finish`] adds the data and swaps it in.
pub struct PartWriter {
    staging: Staging,
    /// The site paths and lengths of the files written, for `files.bin`.
    written: std::sync::Mutex<Vec<(String, u64)>>,
    /// The checksums of the data files written so far, for `part.json`.
    checksums: std::sync::Mutex<BTreeMap<String, String>>,
}

impl PartWriter {
    /// Starts a part in `dir` (replaced whole at the end; refused when it
    /// holds files Portico did not write).
    pub fn create(dir: &Path) -> Result<PartWriter, String> {
        let staging = Staging::create(dir).map_err(|e| e.to_string())?;
        Ok(PartWriter {
            staging,
            written: Default::default(),
            checksums: Default::default(),
        })
    }

    /// Writes one rendered file, by its path in the site.
    pub fn write_file(&self, site_path: &str, bytes: &[u8]) -> Result<(), String> {
        self.staging
            .write(&format!("{FILES}/{site_path}"), bytes)
            .map_err(|e| e.to_string())?;
        crate::memo::lock(&self.written).push((site_path.to_string(), bytes.len() as u64));
        Ok(())
    }

    /// Writes the listings of the part's docs sites, in `docs.bin`'s order.
    pub fn write_fragments(&self, sites: &[SiteListing]) -> Result<(), String> {
        let bytes = postcard::to_stdvec(sites)
            .map_err(|e| format!("cannot write the part's {FRAGMENTS}: {e}"))?;
        self.write_data(vec![(FRAGMENTS, bytes)])
    }

    /// Writes data files, their checksums kept for `part.json`.
    fn write_data(&self, files: Vec<(&str, Vec<u8>)>) -> Result<(), String> {
        let mut checksums = crate::memo::lock(&self.checksums);
        let files: Vec<output::OutputFile> = files
            .into_iter()
            .map(|(name, bytes)| {
                checksums.insert(name.to_string(), checksum(&bytes));
                output::OutputFile::new(name, bytes)
            })
            .collect();
        self.staging.write_all(&files).map_err(|e| e.to_string())
    }

    /// Writes the docs (which should have dropped their sections: see
    /// `docs.bin` above) and the manifest, with the data files' checksums,
    /// then swaps the part in.
    pub fn finish(self, manifest: Manifest, docs: &[(String, RepoDocs)]) -> Result<(), String> {
        let docs = postcard::to_stdvec(docs)
            .map_err(|e| format!("cannot write the part's {DOCS}: {e}"))?;
        let mut written = std::mem::take(&mut *crate::memo::lock(&self.written));
        written.sort_unstable();
        // A path written twice is one file: its length is the one on disk
        // when the writes differ (which came last is the file system's to
        // say).
        let mut listed: Vec<(String, u64)> = Vec::with_capacity(written.len());
        for (path, len) in written {
            match listed.last_mut() {
                Some(last) if last.0 == path => {
                    if last.1 != len {
                        last.1 = self
                            .staging
                            .written_len(&format!("{FILES}/{path}"))
                            .map_err(|e| e.to_string())?;
                    }
                }
                _ => listed.push((path, len)),
            }
        }
        let written = postcard::to_stdvec(&listed)
            .map_err(|e| format!("cannot write the part's {FILE_LIST}: {e}"))?;
        self.write_data(vec![(DOCS, docs), (FILE_LIST, written)])?;
        let manifest = Manifest {
            checksums: std::mem::take(&mut *crate::memo::lock(&self.checksums)),
            ..manifest
        };
        let manifest = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| format!("cannot write the part's {MANIFEST}: {e}"))?;
        self.staging
            .write_all(&[output::OutputFile::new(MANIFEST, manifest)])
            .map_err(|e| e.to_string())?;
        self.staging.commit().map_err(|e| e.to_string())?;
        Ok(())
    }
}

/// One of a part's rendered files, as `files.bin` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartFile {
    /// Its path in the site.
    pub site_path: String,
    /// The file in the part's `site/`.
    pub file: PathBuf,
    /// Its length as the shard wrote it.
    pub len: u64,
}

/// A part opened for `merge`: its manifest read and checked.
#[derive(Debug)]
pub struct Part {
    pub dir: PathBuf,
    pub manifest: Manifest,
}

/// Opens every part and checks that they are one build's: same format and
/// Portico version as this one, same settings, every shard once.
pub fn open_all(dirs: &[PathBuf]) -> Result<Vec<Part>, String> {
    let mut parts = Vec::with_capacity(dirs.len());
    for dir in dirs {
        parts.push(open(dir)?);
    }
    let Some(first) = parts.first() else {
        return Err("no parts given: name the folders `portico build --shard` wrote".into());
    };
    let count = first.manifest.shard.count;
    let mut by_index: BTreeMap<usize, &Part> = BTreeMap::new();
    for part in &parts {
        let shard = part.manifest.shard;
        if shard.count != count {
            return Err(format!(
                "`{}` is shard {shard} but `{}` is shard {}: every part must come from one build with the same --shard count",
                part.dir.display(),
                first.dir.display(),
                first.manifest.shard
            ));
        }
        if let Some(other) = by_index.insert(shard.index, part) {
            return Err(format!(
                "`{}` and `{}` are both shard {shard}: give each part once",
                other.dir.display(),
                part.dir.display()
            ));
        }
        if part.manifest.settings != first.manifest.settings
            || part.manifest.config != first.manifest.config
        {
            return Err(format!(
                "`{}` and `{}` were built with different settings (ROOTs, options or portico.toml): build every shard with the same command",
                first.dir.display(),
                part.dir.display()
            ));
        }
    }
    let missing: Vec<String> = (1..=count)
        .filter(|i| !by_index.contains_key(i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{} missing: merge needs the part of every shard ({} given)",
            match missing.as_slice() {
                [one] => format!("shard {one} is"),
                many => format!("shards {} are", many.join(", ")),
            },
            parts.len()
        ));
    }
    Ok(parts)
}

/// Opens one part: the manifest's versions are checked before the rest of
/// it is read, so a part of another version gets a clear refusal.
fn open(dir: &Path) -> Result<Part, String> {
    let path = dir.join(MANIFEST);
    let text = read_part_file(&path)
        .and_then(|bytes| {
            String::from_utf8(bytes)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
        })
        .map_err(|e| {
        format!(
            "`{}` is not a part written by `portico build --shard` (cannot read {MANIFEST}: {e})",
            dir.display()
        )
    })?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("`{}` is damaged: {e}", path.display()))?;
    let portico = value.get("portico").and_then(|v| v.as_str()).unwrap_or("?");
    let format = value.get("format").and_then(serde_json::Value::as_u64);
    let this = env!("CARGO_PKG_VERSION");
    if portico != this || format != Some(u64::from(FORMAT)) {
        return Err(format!(
            "`{}` was written by portico {portico} (part format {}); this is portico {this} (part format {FORMAT}): build the shards and merge them with the same portico",
            dir.display(),
            format.map_or("?".to_string(), |f| f.to_string()),
        ));
    }
    let manifest: Manifest = serde_json::from_value(value)
        .map_err(|e| format!("`{}` is damaged: {e}", path.display()))?;
    // The bounds `--shard` holds the command line to: merge counts up to
    // the count to name missing shards.
    let shard = manifest.shard;
    if shard.count == 0
        || shard.count > super::MAX_SHARDS
        || !(1..=shard.count).contains(&shard.index)
    {
        return Err(format!(
            "`{}` is damaged (it says shard {}/{}; shards are 1/N to N/N, N at most {}): build the shard again",
            path.display(),
            shard.index,
            shard.count,
            super::MAX_SHARDS
        ));
    }
    // Shown in merge's messages: commit ids as git writes them, and
    // repository paths with nothing a terminal would act on.
    let is_commit =
        |c: &str| matches!(c.len(), 40 | 64) && c.bytes().all(|b| b.is_ascii_hexdigit());
    let printable = |r: &str| !r.chars().any(char::is_control);
    let mut repos = manifest.repos.iter().chain(manifest.commits.keys());
    if !manifest.commits.values().all(|c| is_commit(c)) || !repos.all(|r| printable(r)) {
        return Err(format!(
            "`{}` is damaged (a commit id that is not one, or a repository path with control characters): build the shard again",
            path.display()
        ));
    }
    Ok(Part {
        dir: dir.to_path_buf(),
        manifest,
    })
}

/// Checks that the parts hold exactly the repositories `merge` found, each
/// in the part of its shard, and were cut from that same list.
pub fn check_repos(parts: &[Part], identities: &[&str]) -> Result<(), String> {
    let mut held: HashMap<&str, &Part> = HashMap::new();
    for part in parts {
        for repo in &part.manifest.repos {
            if let Some(other) = held.insert(repo, part) {
                return Err(format!(
                    "`{}` and `{}` both hold repository `{repo}`: the parts are damaged; build every shard again",
                    other.dir.display(),
                    part.dir.display()
                ));
            }
        }
    }
    let rebuild = "the repositories changed since the shards were built; build every shard again";
    for identity in identities {
        if held.remove(identity).is_none() {
            return Err(format!("repository `{identity}` is in no part: {rebuild}"));
        }
    }
    if let Some((repo, part)) = held.into_iter().min_by_key(|(repo, _)| *repo) {
        return Err(format!(
            "`{}` holds repository `{repo}`, which merge did not find: {rebuild}",
            part.dir.display()
        ));
    }
    let found = RepoList::of(identities);
    for part in parts {
        let theirs = &part.manifest.found;
        if *theirs != found {
            return Err(format!(
                "`{}` (shard {}) was cut from another list of repositories ({} found by its shard, {} by merge): every shard must find the same repositories (the same ROOTs, the same mirrors); build every shard again",
                part.dir.display(),
                part.manifest.shard,
                theirs.count,
                found.count
            ));
        }
    }
    // The same list everywhere: each part must hold its share of it.
    for part in parts {
        let share = part.manifest.shard.share(identities);
        let mine: std::collections::HashSet<&str> =
            part.manifest.repos.iter().map(String::as_str).collect();
        if let Some((repo, _)) = identities
            .iter()
            .zip(share)
            .find(|(repo, ours)| mine.contains(*repo) != *ours)
        {
            return Err(format!(
                "`{}` (shard {}) does not hold its share of the repositories (`{repo}` is misplaced): the part is damaged; build every shard again",
                part.dir.display(),
                part.manifest.shard
            ));
        }
    }
    Ok(())
}

/// Checks that every part was built from the commits `merge` reads
/// (`commits`, as [`super::commits_of`] gives them): a repository that
/// moved on between the shards' builds and the merge (a mirror fetched
/// again, a job that checked out later) would put pages of one commit
/// beside a catalog of another.
pub fn check_commits(parts: &[Part], commits: &Commits) -> Result<(), String> {
    let short = |commit: Option<&String>| match commit {
        Some(commit) => format!("commit {}", commit.get(..12).unwrap_or(commit)),
        None => "no commit".to_string(),
    };
    for part in parts {
        let theirs = &part.manifest.commits;
        let differs = theirs
            .keys()
            .chain(commits.keys())
            .filter(|repo| theirs.get(*repo) != commits.get(*repo))
            .min();
        if let Some(repo) = differs {
            return Err(format!(
                "repository `{repo}` was at {} when shard {} (`{}`) was built, and is at {} now: the repositories changed since the shards were built; build every shard again from the same commits (the same mirrors or checkouts) as the merge",
                short(theirs.get(repo)),
                part.manifest.shard,
                part.dir.display(),
                short(commits.get(repo)),
            ));
        }
    }
    Ok(())
}

/// A file of a part, read only when it is a regular file: a part comes
/// from elsewhere (a CI artifact), and a symbolic link to `/dev/zero` or a
/// pipe in its place would be read without end.
fn read_part_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let not_regular = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "not a regular file (a symbolic link, a folder or a device): parts hold only files Portico wrote",
        )
    };
    if !path.symlink_metadata()?.is_file() {
        return Err(not_regular());
    }
    // Opened without blocking and checked again through the handle (as the
    // build cache and repositories' files are): a file swapped for a pipe
    // after the check would otherwise hang the merge.
    let file = crate::files::open_without_blocking(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    let too_big = |what: &str| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{} bytes, {what}", meta.len()),
        )
    };
    if meta.len() > MAX_PART_FILE_BYTES {
        return Err(too_big(&format!(
            "past the {} GiB a part's file may hold",
            MAX_PART_FILE_BYTES >> 30
        )));
    }
    // The memory asked for before reading: a failure is this part's
    // problem, never an abort of the whole merge.
    let mut bytes = Vec::new();
    bytes
        .try_reserve_exact(usize::try_from(meta.len()).unwrap_or(usize::MAX))
        .map_err(|_| too_big("more than this machine can hold in memory"))?;
    // Read up to the length checked: a file growing under the merge is not
    // read without end either.
    file.take(meta.len()).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The largest file a part may hold (its pages' facts, search documents):
/// far past what a shard writes, so only a damaged or forged part meets it.
const MAX_PART_FILE_BYTES: u64 = 16 << 30;

/// A part file written with postcard; all of it must be one value.
fn decode<T: serde::de::DeserializeOwned>(path: &Path, bytes: &[u8]) -> Result<T, String> {
    let damaged = |why: &dyn std::fmt::Display| {
        format!(
            "`{}` is damaged ({why}): build the shard again",
            path.display()
        )
    };
    match postcard::take_from_bytes(bytes) {
        Ok((value, [])) => Ok(value),
        Ok((_, rest)) => Err(damaged(&format_args!("{} bytes after its end", rest.len()))),
        Err(e) => Err(damaged(&e)),
    }
}

impl Part {
    /// The docs of the part's repositories, by identity.
    /// Only the part's repositories (`part.json`'s), in its order, each
    /// once: a part holding another part's repository is refused (one
    /// missing its docs is refused by the pages its catalog says it has,
    /// `pages_are_listed`).
    pub fn docs(&self) -> Result<Vec<(String, RepoDocs)>, String> {
        let path = self.dir.join(DOCS);
        let bytes = self.read_data(DOCS)?;
        let docs: Vec<(String, RepoDocs)> = decode(&path, &bytes)?;
        // Those of its repositories that have docs, in `part.json`'s order.
        let mut listed = self.manifest.repos.iter();
        let own = docs
            .iter()
            .all(|(identity, _)| listed.any(|repo| repo == identity));
        if !own {
            return Err(format!(
                "`{}` is damaged (it holds docs of a repository `{MANIFEST}` does not list, or twice): build the shard again",
                path.display()
            ));
        }
        Ok(docs)
    }

    /// The listings of the part's docs sites, one for each of `entity_refs`
    /// (the sites' entities in `docs.bin`'s order), each checked whole
    /// ([`SiteListing::check`]) and of that entity.
    pub fn site_listings(&self, entity_refs: Vec<String>) -> Result<Vec<SiteListing>, String> {
        let mut listings = self.fragments()?;
        let damaged = |why: String| {
            format!(
                "`{}` is damaged ({why}): build the shard again",
                self.dir.join(FRAGMENTS).display()
            )
        };
        if listings.len() != entity_refs.len() {
            return Err(damaged(format!(
                "{} docs sites listed, {} in {DOCS}",
                listings.len(),
                entity_refs.len()
            )));
        }
        for (listing, entity_ref) in listings.iter_mut().zip(&entity_refs) {
            if listing.entity_ref != *entity_ref || !listing.check() {
                return Err(damaged(format!("the listing of `{entity_ref}`'s docs")));
            }
        }
        Ok(listings)
    }

    /// The listings of the part's docs sites, in `docs.bin`'s order, as
    /// written (none when the shard had search off: `part.json` then has
    /// no checksum of `fragments.bin`, and the file is not read).
    fn fragments(&self) -> Result<Vec<SiteListing>, String> {
        if !self.manifest.checksums.contains_key(FRAGMENTS) {
            return Ok(Vec::new());
        }
        let bytes = self.read_data(FRAGMENTS)?;
        decode(&self.dir.join(FRAGMENTS), &bytes)
    }

    /// One of the part's data files, read (a regular file, of a bounded
    /// size: `read_part_file`) and checked against `part.json`'s checksum.
    fn read_data(&self, name: &str) -> Result<Vec<u8>, String> {
        let path = self.dir.join(name);
        let bytes =
            read_part_file(&path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        match self.manifest.checksums.get(name) {
            Some(expected) if *expected == checksum(&bytes) => Ok(bytes),
            Some(_) => Err(format!(
                "`{}` fails its checksum (it changed after the shard wrote it: damaged, or another part's): build the shard again",
                path.display()
            )),
            None => Err(format!(
                "`{}` is damaged (it records no checksum of {name}): build the shard again",
                self.dir.join(MANIFEST).display()
            )),
        }
    }

    /// The rendered files: path in the site, file in the part and length
    /// as written, as `files.bin` lists them (one read, where listing
    /// `site/` took a few system calls per folder). Whether each is a
    /// regular file of that length is checked as it is taken
    /// (`output::Staging::link_file`); anything else in
    /// `site/` is not taken. The list must be sorted without repeats (as
    /// written: two takers of one path would race), and `site/` and every
    /// folder on the way to a listed file must be a real folder, not a
    /// symbolic link: a part comes from elsewhere (a CI artifact), and a
    /// linked folder would have its target's files taken into the site.
    pub fn files(&self) -> Result<Vec<PartFile>, String> {
        let path = self.dir.join(FILE_LIST);
        let bytes = self.read_data(FILE_LIST)?;
        let listed: Vec<(String, u64)> = decode(&path, &bytes)?;
        if let Some(pair) = listed.windows(2).find(|pair| pair[0].0 >= pair[1].0) {
            return Err(format!(
                "`{}` is damaged (`{}` listed before `{}`: not sorted, or listed twice): build the shard again",
                path.display(),
                pair[0].0.escape_debug(),
                pair[1].0.escape_debug()
            ));
        }
        let root = self.dir.join(FILES);
        let paths: Vec<&str> = listed.iter().map(|(p, _)| p.as_str()).collect();
        self.folders_are_real(&root, &paths)?;
        listed
            .into_iter()
            .map(|(site_path, len)| {
                let inside = !site_path.is_empty()
                    && !site_path.contains(['\\', '\0'])
                    && !site_path.starts_with('/')
                    && site_path
                        .split('/')
                        .all(|part| !matches!(part, "" | "." | ".."));
                if !inside {
                    return Err(format!(
                        "`{}` is damaged (it lists `{}`, not a path inside the site): build the shard again",
                        path.display(),
                        site_path.escape_debug()
                    ));
                }
                let file = root.join(&site_path);
                Ok(PartFile {
                    site_path,
                    file,
                    len,
                })
            })
            .collect()
    }

    /// `site/` and every folder on the way to each of `listed` (sorted, so
    /// a folder's files are together and each folder is looked at once):
    /// a folder, not a symbolic link to one.
    fn folders_are_real(&self, root: &Path, listed: &[&str]) -> Result<(), String> {
        let check = |folder: &Path| -> Result<(), String> {
            match folder.symlink_metadata() {
                Ok(meta) if meta.is_dir() => Ok(()),
                Ok(_) => Err(format!(
                    "`{}` is not a folder (a symbolic link, or a file): only folders Portico wrote are read from a part; build the shard again",
                    folder.display()
                )),
                // Missing: the file's own read says so when it is taken.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(format!("cannot read `{}`: {e}", folder.display())),
            }
        };
        check(root)?;
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for site_path in listed {
            let mut end = 0;
            while let Some(slash) = site_path[end..].find('/') {
                end += slash;
                let folder = &site_path[..end];
                if seen.insert(folder) {
                    check(&root.join(folder))?;
                }
                end += 1;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            config: None,
            roots: vec!["org".into()],
            locations: Vec::new(),
            catalog_paths: Vec::new(),
            max_depth: None,
            git_ref: None,
            backstage_exact: false,
            no_search: false,
            theme: None,
            history: None,
        }
    }

    fn write_part(dir: &Path, shard: Shard, repos: &[&str]) {
        write_part_of(dir, shard, repos, &[]);
    }

    /// A part of `shard` holding `repos`, cut from `found`.
    fn write_part_of(dir: &Path, shard: Shard, repos: &[&str], found: &[&str]) {
        let writer = PartWriter::create(dir).unwrap();
        writer.write_file("docs/a/index.html", b"page").unwrap();
        writer.finish(manifest(shard, repos, found), &[]).unwrap();
    }

    /// The manifest of a part of `shard` holding `repos`, cut from `found`.
    fn manifest(shard: Shard, repos: &[&str], found: &[&str]) -> Manifest {
        Manifest {
            format: FORMAT,
            portico: env!("CARGO_PKG_VERSION").into(),
            shard,
            settings: settings(),
            config: "c".into(),
            theme: "t".into(),
            repos: repos.iter().map(|r| r.to_string()).collect(),
            found: RepoList::of(found),
            commits: found
                .iter()
                .map(|repo| (repo.to_string(), format!("{:0<40}", repo.len())))
                .collect(),
            checksums: BTreeMap::new(),
        }
    }

    /// The part of a one-shard build, written in `tmp/a`, and opened.
    fn one_part(tmp: &Path) -> (PathBuf, Part) {
        let dir = tmp.join("a");
        write_part(&dir, Shard { index: 1, count: 1 }, &[]);
        let part = open_all(std::slice::from_ref(&dir)).unwrap().remove(0);
        (dir, part)
    }

    #[test]
    fn parts_of_one_build_open_and_list_their_files() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        write_part(&a, Shard { index: 1, count: 2 }, &[]);
        write_part(&b, Shard { index: 2, count: 2 }, &[]);
        let parts = open_all(&[b.clone(), a.clone()]).unwrap();
        assert_eq!(parts.len(), 2);
        let files = parts[0].files().unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].site_path, "docs/a/index.html");
        assert_eq!(files[0].len, 4, "the length written");
        assert!(parts[0].docs().unwrap().is_empty());
    }

    /// A path written twice is listed once, with the length of the file
    /// the last write left.
    #[test]
    fn a_path_written_twice_is_listed_once_with_its_length_on_disk() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a");
        let manifest = manifest(Shard { index: 1, count: 1 }, &[], &[]);
        let writer = PartWriter::create(&dir).unwrap();
        // The last write neither the shortest nor the longest, so no
        // length but the one on disk is the answer by chance.
        writer.write_file("docs/a/index.html", b"one").unwrap();
        writer.write_file("docs/a/index.html", b"eleven").unwrap();
        writer.write_file("docs/a/index.html", b"three").unwrap();
        writer.write_file("docs/b/index.html", b"two").unwrap();
        writer.write_file("docs/c/index.html", b"longer").unwrap();
        writer.write_file("docs/c/index.html", b"four").unwrap();
        writer.finish(manifest, &[]).unwrap();
        let part = open_all(std::slice::from_ref(&dir)).unwrap().remove(0);
        let files = part.files().unwrap();
        let listed: Vec<(&str, u64)> = files
            .iter()
            .map(|f| (f.site_path.as_str(), f.len))
            .collect();
        assert_eq!(
            listed,
            [
                ("docs/a/index.html", 5),
                ("docs/b/index.html", 3),
                ("docs/c/index.html", 4)
            ]
        );
    }

    /// `docs.bin` may hold only the repositories `part.json` lists: a part
    /// holding another's is refused.
    #[test]
    fn docs_of_other_repositories_than_listed_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a");
        write_part_of(&dir, Shard { index: 1, count: 1 }, &["org/a"], &["org/a"]);
        let part = open_all(std::slice::from_ref(&dir)).unwrap().remove(0);
        assert!(part.docs().unwrap().is_empty(), "a repository without docs");
        let mut other = part;
        other.manifest.repos = Vec::new();
        let docs = vec![("org/a".to_string(), RepoDocs::default())];
        rewrite(&mut other, DOCS, &crate::memo::encode(&docs).unwrap());
        let refused = other.docs().unwrap_err();
        assert!(
            refused.contains("holds docs of a repository `part.json` does not list")
                && refused.contains("build the shard again"),
            "{refused}"
        );
    }

    /// Writes one of a part's data files as a shard would have, its
    /// checksum recorded in the opened part's manifest, so a test reaches
    /// the checks past the checksum.
    fn rewrite(part: &mut Part, name: &str, bytes: &[u8]) {
        std::fs::write(part.dir.join(name), bytes).unwrap();
        part.manifest
            .checksums
            .insert(name.to_string(), checksum(bytes));
    }

    /// Data files changed after the shard wrote them (a byte flipped,
    /// another part's file, a file gone) are refused before they are
    /// decoded, naming the file; `part.json` naming no checksum is damage.
    #[test]
    fn data_files_that_fail_their_checksums_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, mut part) = one_part(tmp.path());
        let list = std::fs::read(dir.join(FILE_LIST)).unwrap();
        let mut flipped = list.clone();
        flipped[0] ^= 1;
        std::fs::write(dir.join(FILE_LIST), &flipped).unwrap();
        let refused = part.files().unwrap_err();
        assert!(
            refused.contains("files.bin` fails its checksum")
                && refused.contains("build the shard again"),
            "{refused}"
        );
        std::fs::write(dir.join(FILE_LIST), &list).unwrap();
        assert_eq!(part.files().unwrap().len(), 1);
        std::fs::remove_file(dir.join(DOCS)).unwrap();
        let gone = part.docs().unwrap_err();
        assert!(
            gone.contains("cannot read") && gone.contains("docs.bin"),
            "{gone}"
        );
        part.manifest.checksums.remove(FILE_LIST);
        let unrecorded = part.files().unwrap_err();
        assert!(
            unrecorded.contains("part.json` is damaged (it records no checksum of files.bin)"),
            "{unrecorded}"
        );
        // With search off no checksum of fragments.bin is recorded, and a
        // file of that name is not read.
        std::fs::write(dir.join(FRAGMENTS), b"anything").unwrap();
        assert!(part.fragments().unwrap().is_empty());
        rewrite(
            &mut part,
            FRAGMENTS,
            &postcard::to_stdvec(&Vec::<SiteListing>::new()).unwrap(),
        );
        std::fs::write(dir.join(FRAGMENTS), b"\x01").unwrap();
        assert!(part.fragments().unwrap_err().contains("fails its checksum"));
    }

    #[test]
    fn the_files_are_taken_as_listed_and_a_damaged_list_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, mut part) = one_part(tmp.path());
        // A file in `site/` the shard did not write is not taken.
        std::fs::write(dir.join("site/docs/stray.html"), b"x").unwrap();
        let files = part.files().unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].file, dir.join("site/docs/a/index.html"));
        for bad in ["../part.json", "docs//a", "/etc/passwd", "docs/./a", ""] {
            let list = postcard::to_stdvec(&vec![(bad.to_string(), 1u64)]).unwrap();
            rewrite(&mut part, FILE_LIST, &list);
            let refused = part.files().unwrap_err();
            assert!(
                refused.contains("files.bin` is damaged") && refused.contains("not a path inside"),
                "{bad}: {refused}"
            );
        }
        for unsorted in [
            [("docs/b", 1u64), ("docs/a", 1)],
            [("docs/a", 1), ("docs/a", 1)],
            [("docs/a", 1), ("docs/a", 2)],
        ] {
            let list = postcard::to_stdvec(&unsorted.map(|(p, len)| (p.to_string(), len)).to_vec())
                .unwrap();
            rewrite(&mut part, FILE_LIST, &list);
            let refused = part.files().unwrap_err();
            assert!(
                refused.contains("files.bin` is damaged") && refused.contains("not sorted"),
                "{unsorted:?}: {refused}"
            );
        }
        rewrite(&mut part, FILE_LIST, b"\xff");
        assert!(part.files().unwrap_err().contains("build the shard again"));
        std::fs::remove_file(dir.join(FILE_LIST)).unwrap();
        let missing = part.files().unwrap_err();
        assert!(
            missing.contains("cannot read") && missing.contains("files.bin"),
            "{missing}"
        );
    }

    /// A folder of `site/` swapped for a symbolic link to a folder outside
    /// the part (one holding a file of the listed name), or `site/` itself
    /// swapped, is refused: the outside file is never taken.
    #[test]
    fn linked_folders_in_a_part_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, part) = one_part(tmp.path());
        let outside = tmp.path().join("outside");
        std::fs::create_dir_all(outside.join("a")).unwrap();
        std::fs::write(outside.join("a/index.html"), b"secret").unwrap();
        // docs/ replaced by a link to `outside`, which holds a/index.html.
        std::fs::rename(dir.join("site/docs"), tmp.path().join("docs-was")).unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("site/docs")).unwrap();
        let refused = part.files().unwrap_err();
        assert!(
            refused.contains("site/docs") && refused.contains("not a folder"),
            "{refused}"
        );
        // site/ itself a link to a copy of it elsewhere.
        std::fs::remove_file(dir.join("site/docs")).unwrap();
        std::fs::rename(tmp.path().join("docs-was"), dir.join("site/docs")).unwrap();
        assert_eq!(part.files().unwrap().len(), 1);
        let copy = tmp.path().join("site-copy");
        std::fs::rename(dir.join("site"), &copy).unwrap();
        std::os::unix::fs::symlink(&copy, dir.join("site")).unwrap();
        let refused = part.files().unwrap_err();
        assert!(refused.contains("not a folder"), "{refused}");
    }

    /// A part's data files swapped for links to `/dev/zero` (read without
    /// end) are refused, not read.
    #[test]
    fn part_files_that_are_not_regular_files_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, mut part) = one_part(tmp.path());
        // As a shard with search on records it: fragments.bin is read.
        part.manifest
            .checksums
            .insert(FRAGMENTS.to_string(), checksum(b""));
        for name in [DOCS, FILE_LIST, FRAGMENTS] {
            let _ = std::fs::remove_file(dir.join(name));
            std::os::unix::fs::symlink("/dev/zero", dir.join(name)).unwrap();
        }
        for refused in [
            part.docs().unwrap_err(),
            part.files().unwrap_err(),
            part.site_listings(Vec::new()).unwrap_err(),
        ] {
            assert!(refused.contains("not a regular file"), "{refused}");
        }
        std::fs::remove_file(dir.join(MANIFEST)).unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.join(MANIFEST)).unwrap();
        let refused = open_all(std::slice::from_ref(&dir)).unwrap_err();
        assert!(refused.contains("not a regular file"), "{refused}");
    }

    #[test]
    fn damaged_docs_and_fragments_are_refused_with_what_to_do() {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, mut part) = one_part(tmp.path());
        let sites = vec![SiteListing::of("component:default/a".to_string(), &[])];
        let sites = postcard::to_stdvec(&sites).unwrap();
        rewrite(&mut part, FRAGMENTS, &sites);
        assert_eq!(part.fragments().unwrap().len(), 1);
        let alpha = || vec!["component:default/a".to_string()];
        assert_eq!(part.site_listings(alpha()).unwrap().len(), 1);
        let more = part.site_listings([alpha(), alpha()].concat()).unwrap_err();
        assert!(
            more.contains("1 docs sites listed, 2 in docs.bin"),
            "{more}"
        );
        let other = part
            .site_listings(vec!["component:default/b".to_string()])
            .unwrap_err();
        assert!(
            other.contains(
                "fragments.bin` is damaged (the listing of `component:default/b`'s docs)"
            ),
            "{other}"
        );
        let mut broken = SiteListing::of("component:default/a".to_string(), &[]);
        broken.ranks.push(0);
        rewrite(
            &mut part,
            FRAGMENTS,
            &postcard::to_stdvec(&[broken]).unwrap(),
        );
        assert!(
            part.site_listings(alpha()).is_err(),
            "blocks hold no document"
        );
        rewrite(&mut part, FRAGMENTS, &sites);
        let good = std::fs::read(dir.join(DOCS)).unwrap();
        // A docs file cut short, one with bytes after its end, and text.
        rewrite(&mut part, DOCS, b"");
        let cut = part.docs().unwrap_err();
        assert!(
            cut.contains("docs.bin` is damaged") && cut.contains("build the shard again"),
            "{cut}"
        );
        rewrite(&mut part, DOCS, &[good.as_slice(), b"x"].concat());
        let longer = part.docs().unwrap_err();
        assert!(longer.contains("1 bytes after its end"), "{longer}");
        rewrite(&mut part, FRAGMENTS, b"[[\"component:default/a\",[]]]");
        let text = part.fragments().unwrap_err();
        assert!(text.contains("fragments.bin` is damaged"), "{text}");
    }

    #[test]
    fn a_site_listing_stands_for_its_documents_only_when_whole() {
        let documents: Vec<crate::search::SearchDoc> = (0..6)
            .map(|n| crate::search::test_doc("alpha", "docs", &format!("page-{}", n % 2), n))
            .collect();
        let mut listing = SiteListing::of("component:default/alpha".into(), &documents);
        assert!(listing.check());
        assert_eq!(
            listing.ranks,
            crate::search::listed::ranks(documents.iter())
        );
        let mut ranks = listing.ranks.clone();
        ranks.sort_unstable();
        assert_eq!(ranks, [0, 1, 2, 3, 4, 5]);
        let damaged = |change: &dyn Fn(&mut SiteListing)| {
            let mut listing = SiteListing::of("component:default/alpha".into(), &documents);
            change(&mut listing);
            listing.check()
        };
        assert!(!damaged(&|l| l.ranks[1] = l.ranks[0]));
        assert!(!damaged(&|l| l.ranks[0] = 6));
        assert!(!damaged(&|l| {
            l.ranks.pop();
        }));
        assert!(!damaged(&|l| l.blocks[0].documents += 1));
        assert!(!damaged(&|l| l.blocks[0].packed = "\");alert(1);(\"".into()));
        assert!(!damaged(&|l| {
            l.block.pop();
        }));
        let mut empty = SiteListing::of("component:default/alpha".into(), &[]);
        assert!(empty.check() && empty.blocks.is_empty());
    }

    #[test]
    fn missing_duplicate_and_mixed_shards_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = |n: &str| tmp.path().join(n);
        write_part(&dir("a"), Shard { index: 1, count: 3 }, &[]);
        write_part(&dir("b"), Shard { index: 1, count: 3 }, &[]);
        write_part(&dir("c"), Shard { index: 2, count: 2 }, &[]);
        let missing = open_all(&[dir("a")]).unwrap_err();
        assert!(missing.contains("shards 2/3, 3/3 are missing"), "{missing}");
        let twice = open_all(&[dir("a"), dir("b")]).unwrap_err();
        assert!(twice.contains("are both shard 1/3"), "{twice}");
        let mixed = open_all(&[dir("a"), dir("c")]).unwrap_err();
        assert!(mixed.contains("same --shard count"), "{mixed}");
        let none = open_all(&[dir("nothing")]).unwrap_err();
        assert!(none.contains("is not a part"), "{none}");
        // A manifest's shard outside what `--shard` takes: refused, not
        // counted up to (a count of 2^64 - 1 was a loop that long).
        for (index, count) in [(1, u64::MAX), (0, 2), (3, 2), (1, 0), (1, 257)] {
            let manifest = dir("a").join(MANIFEST);
            let mut value: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
            value["shard"] = serde_json::json!({ "index": index, "count": count });
            std::fs::write(&manifest, value.to_string()).unwrap();
            let damaged = open_all(&[dir("a")]).unwrap_err();
            assert!(
                damaged.contains("is damaged (it says shard"),
                "{index}/{count}: {damaged}"
            );
        }
    }

    /// Parts of `count` shards of `found`, each holding its share, in `tmp`.
    fn parts_of(tmp: &Path, count: usize, found: &[&str]) -> Vec<PathBuf> {
        (1..=count)
            .map(|index| {
                let shard = Shard { index, count };
                let share = shard.share(found);
                let mine: Vec<&str> = found
                    .iter()
                    .zip(share)
                    .filter_map(|(repo, ours)| ours.then_some(*repo))
                    .collect();
                let dir = tmp.join(format!("{count}-{index}"));
                write_part_of(&dir, shard, &mine, found);
                dir
            })
            .collect()
    }

    #[test]
    fn repositories_must_match_what_merge_found() {
        let tmp = tempfile::tempdir().unwrap();
        let repos = ["org/a", "org/b", "org/c", "org/d"];
        let parts = open_all(&parts_of(tmp.path(), 2, &repos)).unwrap();
        assert_eq!(check_repos(&parts, &repos), Ok(()));
        let more = check_repos(&parts, &["org/a", "org/b", "org/c", "org/d", "org/e"]);
        assert!(more.unwrap_err().contains("`org/e` is in no part"));
        let fewer = check_repos(&parts, &["org/a", "org/b", "org/c"]);
        assert!(fewer.unwrap_err().contains("holds repository `org/d`"));
    }

    /// A repository whose commit is not the one a part was built from, or
    /// that gained or lost its commit, is named with both commits.
    #[test]
    fn parts_built_from_other_commits_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let repos = ["org/a", "org/bb", "org/ccc"];
        let parts = open_all(&parts_of(tmp.path(), 2, &repos)).unwrap();
        let mut commits = parts[0].manifest.commits.clone();
        assert_eq!(commits.len(), 3);
        assert_eq!(check_commits(&parts, &commits), Ok(()));
        commits.insert("org/bb".into(), "f".repeat(40));
        let error = check_commits(&parts, &commits).unwrap_err();
        assert!(
            error.starts_with("repository `org/bb` was at commit 600000000000 when shard 1/2 (`")
                && error.contains("and is at commit ffffffffffff now")
                && error.contains("build every shard again"),
            "{error}"
        );
        commits.remove("org/bb");
        let error = check_commits(&parts, &commits).unwrap_err();
        assert!(error.contains("and is at no commit now"), "{error}");
        let mut commits = parts[0].manifest.commits.clone();
        commits.insert("org/plain".into(), "e".repeat(40));
        let error = check_commits(&parts, &commits).unwrap_err();
        assert!(
            error.starts_with("repository `org/plain` was at no commit when"),
            "{error}"
        );
        // A forged commit id (merge slices and prints it) is damage.
        let dirs = parts_of(&tmp.path().join("forged"), 1, &repos);
        let manifest = dirs[0].join(MANIFEST);
        let text = std::fs::read_to_string(&manifest).unwrap();
        let forged = text.replacen(
            "\"6000000000000000000000000000000000000000\"",
            "\"a\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\"",
            1,
        );
        assert_ne!(forged, text);
        std::fs::write(&manifest, forged).unwrap();
        let error = open_all(&dirs).err().unwrap();
        assert!(
            error.contains("is damaged (a commit id that is not one"),
            "{error}"
        );
    }

    /// Shards that found different lists: each part's repositories may
    /// still add up to merge's list, but their shares were cut from
    /// another one, and their pages drawn with another catalog.
    #[test]
    fn parts_cut_from_another_list_of_repositories_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let repos: Vec<String> = (0..9).map(|i| format!("org/r{i}")).collect();
        let all: Vec<&str> = repos.iter().map(String::as_str).collect();
        let one = parts_of(&tmp.path().join("one"), 2, &all);
        // Shard 2's part holds the rest of the whole list, but its shard
        // found one repository fewer.
        let rest = open_all(&one).unwrap()[1].manifest.repos.clone();
        let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
        let other = tmp.path().join("other");
        write_part_of(&other, Shard { index: 2, count: 2 }, &rest, &all[..8]);
        let mixed = [one[0].clone(), other];
        let parts = open_all(&mixed).unwrap();
        let error = check_repos(&parts, &all).unwrap_err();
        assert!(
            error.contains(
                "was cut from another list of repositories (8 found by its shard, 9 by merge)"
            ) && error.contains("build every shard again"),
            "{error}"
        );

        // The same list, but a repository in the other shard's part.
        let dir = tmp.path().join("swapped");
        let good = open_all(&one).unwrap();
        let (mut first, mut second) = (
            good[0].manifest.repos.clone(),
            good[1].manifest.repos.clone(),
        );
        second.push(first.pop().unwrap());
        let first: Vec<&str> = first.iter().map(String::as_str).collect();
        let second: Vec<&str> = second.iter().map(String::as_str).collect();
        write_part_of(&dir.join("1"), Shard { index: 1, count: 2 }, &first, &all);
        write_part_of(&dir.join("2"), Shard { index: 2, count: 2 }, &second, &all);
        let parts = open_all(&[dir.join("1"), dir.join("2")]).unwrap();
        let error = check_repos(&parts, &all).unwrap_err();
        assert!(
            error.contains("does not hold its share of the repositories")
                && error.contains("is misplaced"),
            "{error}"
        );

        // A repository in two parts.
        write_part_of(&dir.join("3"), Shard { index: 2, count: 2 }, &all, &all);
        let parts = open_all(&[dir.join("1"), dir.join("3")]).unwrap();
        let error = check_repos(&parts, &all).unwrap_err();
        assert!(error.contains("both hold repository"), "{error}");
    }
}
