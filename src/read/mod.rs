//! A read-only, confined view of one repository's files.
//!
//! A [`RepoSource`] says where a repository is and what kind it is; opening
//! it gives a [`Snapshot`] that reads files by repository-relative path:
//! from disk for work trees (uncommitted edits included) and plain folders,
//! straight from git objects for bare clones. This module knows nothing of
//! Backstage; it only guarantees that no read leaves the repository and that
//! no file larger than the limit is loaded.

pub mod activity;
mod disk;
mod git;
mod git_facts;
mod git_handle;
pub mod history;
pub mod kept_authors;
mod loose;
mod probes;
pub mod safe_path;
pub mod tags;

pub use kept_authors::CommitAuthors;

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

pub use git::GitFacts;
pub use git_handle::GitHandle;
pub use probes::Probes;

pub use crate::limits::MAX_FILE_BYTES;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RepoKind {
    /// A clone with a checkout: read from disk, so local edits show.
    WorkTree,
    /// A bare git directory: read from the commit at HEAD or `--ref`.
    Bare,
    /// A folder with catalog files and no git.
    Plain,
}

impl RepoKind {
    pub fn label(self) -> &'static str {
        match self {
            RepoKind::WorkTree => "work tree",
            RepoKind::Bare => "bare",
            RepoKind::Plain => "plain folder",
        }
    }
}

/// Where a repository is. Plain data, produced by discovery.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RepoSource {
    /// Short name: the folder name, without a `.git` suffix.
    pub name: String,
    /// The folder as found (the bare git dir for bare repositories).
    pub root: PathBuf,
    /// `root`'s canonical path, when discovery knows it without asking:
    /// a folder found by its walk below a canonical ROOT, which follows no
    /// link. Opening the folder then needs no `canonicalize`, which reads
    /// every folder of the path as a link (a system call each; four per
    /// work tree per `check` were a fifth of its system calls). `None`:
    /// found otherwise, resolved when opened.
    pub real_root: Option<PathBuf>,
    /// `root` as shown to users in diagnostics.
    pub display: String,
    pub kind: RepoKind,
    /// A work tree's branch, commit and remote, read once per build by
    /// [`read_git_facts`] right after discovery, so that the stages that
    /// open the repository after it (catalog, docs) do not each open git
    /// again for them: that was a fifth of a build's CPU. `None` until
    /// read (and in `portico serve`, whose opens read them as needed), and
    /// for bare clones (read with their files) and plain folders.
    pub git: Option<GitFacts>,
    /// A bare clone, opened by [`read_git_facts`] once per build: the
    /// stages' opens (its files, read by the catalog, docs and scorecards
    /// stages in turn; history walks, tags) read through it instead of
    /// opening git again (config, refs, ownership, pack indexes: most of a
    /// bare clone's `check`). Work trees get one only for `build
    /// --history` ([`HandlesFor::WorkTreesToo`]), kept until the
    /// scorecards stage is done ([`release_work_tree_handles`]): history's
    /// own open and first pack-index load were 40 % of its CPU, and the
    /// facts read (packed commits) and the docs' page dates had each opened
    /// the same repository before it. Otherwise work trees keep none: their
    /// files are read from disk, and a handle kept per repository costs
    /// 15-45 KB for the whole run. `None` in `portico serve` (its rebuilds
    /// see the repository as it is now), for plain folders and
    /// repositories git cannot open.
    pub handle: Option<GitHandle>,
}

impl RepoSource {
    /// `root`'s canonical path: [`RepoSource::real_root`] when discovery
    /// knew it, else resolved now (`root` as it is when it cannot be).
    pub fn canonical_root(&self) -> PathBuf {
        match &self.real_root {
            Some(real) => real.clone(),
            None => self
                .root
                .canonicalize()
                .unwrap_or_else(|_| self.root.clone()),
        }
    }
}

/// The folder of a work tree or plain repository, opened at the canonical
/// root discovery found when it found one.
fn open_folder(source: &RepoSource) -> Result<disk::DiskFiles, OpenError> {
    disk::DiskFiles::open(&source.root, source.real_root.as_deref())
}

/// Which repositories [`read_git_facts`] opens once for the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandlesFor {
    /// Bare clones only.
    BareClones,
    /// Work trees too: for history, which reads every work tree's git
    /// objects after the facts read and the docs stage have read them.
    WorkTreesToo,
}

/// Reads every work tree's git facts once and opens every bare clone
/// once, in parallel (see [`RepoSource::git`] and [`RepoSource::handle`]);
/// a repository git cannot open keeps `None`, and each [`Snapshot::open`]
/// then tries again, as it did before.
pub fn read_git_facts(repos: &mut [RepoSource], handles: HandlesFor) {
    read_git_facts_known(repos, handles, None);
}

/// [`read_git_facts`], taking commits' authors read by an earlier build
/// from `authors` (`portico build` with the build cache: see
/// [`kept_authors`]) and recording those it reads there.
pub fn read_git_facts_known(
    repos: &mut [RepoSource],
    handles: HandlesFor,
    authors: Option<&CommitAuthors>,
) {
    use rayon::prelude::*;
    repos.par_iter_mut().for_each(|r| match r.kind {
        RepoKind::WorkTree if handles == HandlesFor::WorkTreesToo => {
            // Opened here rather than by the first stage needing git:
            // handles opened amid the docs stage's work left its memory
            // scattered (bench of 2,000 repositories: peak RSS 502 MB,
            // against 306-311 MB opened here and 289 MB with no handle).
            r.handle = GitHandle::open(&r.root, r.kind, object_slots(r), true);
            r.git = match &r.handle {
                Some(handle) => Some(git::facts_of_work_tree_through(&r.root, handle, authors)),
                None => git::facts_of_work_tree_known(&r.root, authors),
            };
        }
        RepoKind::WorkTree => r.git = git::facts_of_work_tree_known(&r.root, authors),
        // History walks every bare clone's refs and commits: open it whole
        // now rather than its objects first and the rest later.
        RepoKind::Bare => {
            let whole = handles == HandlesFor::WorkTreesToo;
            r.handle = GitHandle::open(&r.root, r.kind, object_slots(r), whole);
        }
        RepoKind::Plain => {}
    });
}

/// The commit a repository's files are read from: a bare clone's `rev`
/// (HEAD when `None`), a work tree's HEAD (its files are read from disk,
/// so changes not committed are not in it); `None` for a plain folder or
/// a repository git cannot read.
pub fn commit_read(source: &RepoSource, rev: Option<&str>) -> Option<String> {
    match source.kind {
        RepoKind::Bare => {
            let (_, facts) = git::GitFiles::open(&source.root, source.handle.as_ref(), rev).ok()?;
            facts.commit
        }
        RepoKind::WorkTree => match &source.git {
            Some(facts) => facts.commit.clone(),
            None => git::facts_of_work_tree(&source.root)?.commit,
        },
        RepoKind::Plain => None,
    }
}

/// Drops the work trees' handles [`read_git_facts`] opened for history,
/// once no stage reads git any more (rendering reads no repository).
pub fn release_work_tree_handles(repos: &mut [RepoSource]) {
    for repo in repos.iter_mut().filter(|r| r.kind == RepoKind::WorkTree) {
        repo.handle = None;
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    NotFound(String),
    Path(safe_path::PathError),
    /// A symlink, on disk or in git, pointing outside the repository.
    SymlinkEscapes(String),
    TooLarge {
        path: String,
        bytes: u64,
    },
    NotUtf8(String),
    NotAFile(String),
    /// A file in a work tree's `.git` folder (git's own: its configuration
    /// may hold credentials), named or reached through a symlink.
    InGitFolder(String),
    Io {
        path: String,
        message: String,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound(p) => write!(f, "`{p}` does not exist in the repository"),
            ReadError::Path(e) => e.fmt(f),
            ReadError::InGitFolder(p) => write!(
                f,
                "`{p}` is in `.git`, git's own folder (its settings may hold credentials); it was not read"
            ),
            ReadError::SymlinkEscapes(p) => {
                write!(
                    f,
                    "`{p}` is a symlink that points outside the repository; it was not read"
                )
            }
            ReadError::TooLarge { path, bytes } => write!(
                f,
                "`{path}` is {:.1} MB, over the {} MB limit; it was not read",
                *bytes as f64 / 1e6,
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            ReadError::NotUtf8(p) => write!(f, "`{p}` is not UTF-8 text"),
            ReadError::NotAFile(p) => write!(f, "`{p}` is not a regular file"),
            ReadError::Io { path, message } => write!(f, "could not read `{path}`: {message}"),
        }
    }
}

impl From<safe_path::PathError> for ReadError {
    fn from(e: safe_path::PathError) -> Self {
        ReadError::Path(e)
    }
}

/// A repository opened for reading.
pub struct Snapshot {
    pub source: RepoSource,
    /// Branch, commit and remote, when the repository is a git repository.
    pub git: Option<GitFacts>,
    files: Files,
    /// What was asked of a work tree or folder, when recorded
    /// ([`Snapshot::record_probes`]).
    probes: Option<Box<std::sync::Mutex<Probes>>>,
    /// [`Snapshot::absolute_root`], once asked for.
    absolute_root: std::sync::OnceLock<String>,
}

enum Files {
    Disk(disk::DiskFiles),
    Git(Box<git::GitFiles>),
}

/// Why a repository could not be opened at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenError {
    pub message: String,
    pub hint: Option<String>,
}

impl Snapshot {
    /// The repository's folder as an absolute path with links resolved
    /// (`file:` locations name it), without a trailing `/`; as found when
    /// it cannot be resolved. Resolved once per snapshot: each resolution
    /// reads every folder on the way (a `readlink` each), and the catalog
    /// stage asks for it more than once per repository.
    pub fn absolute_root(&self) -> &str {
        self.absolute_root.get_or_init(|| {
            let path = match &self.files {
                // Resolved already, when the folder was opened.
                Files::Disk(disk) => disk.root().to_path_buf(),
                Files::Git(_) => self.source.canonical_root(),
            };
            path.to_string_lossy().trim_end_matches('/').to_string()
        })
    }

    /// Opens a repository; `rev` selects the commit read from bare clones.
    pub fn open(source: &RepoSource, rev: Option<&str>) -> Result<Snapshot, OpenError> {
        let (files, facts) = match source.kind {
            RepoKind::Bare => {
                let (files, facts) =
                    git::GitFiles::open(&source.root, source.handle.as_ref(), rev)?;
                (Files::Git(Box::new(files)), Some(facts))
            }
            RepoKind::WorkTree => {
                let facts = source
                    .git
                    .clone()
                    .or_else(|| git::facts_of_work_tree(&source.root));
                (Files::Disk(open_folder(source)?), facts)
            }
            RepoKind::Plain => (Files::Disk(open_folder(source)?), None),
        };
        Ok(Snapshot {
            source: source.clone(),
            git: facts,
            files,
            probes: None,
            absolute_root: Default::default(),
        })
    }

    /// [`Snapshot::open`] for reading files only: a work tree's git facts
    /// (branch, commit, remote, author) are not looked up, so git is not
    /// opened for it at all, and [`Snapshot::git`] is `None`. Scorecards'
    /// file rules read this way: opening git for facts they never use was
    /// half of evaluating the default scorecard. A bare clone is read from
    /// git objects either way, and keeps its facts.
    pub fn open_files(source: &RepoSource, rev: Option<&str>) -> Result<Snapshot, OpenError> {
        match source.kind {
            RepoKind::WorkTree | RepoKind::Plain => Ok(Snapshot {
                source: source.clone(),
                git: None,
                files: Files::Disk(open_folder(source)?),
                probes: None,
                absolute_root: Default::default(),
            }),
            RepoKind::Bare => Snapshot::open(source, rev),
        }
    }

    /// Opens a git repository (work tree or bare) at one commit, read from
    /// git objects like `--ref` reads bare clones: scorecard history reads
    /// past commits this way, so the same confinement applies to them.
    pub fn open_at(source: &RepoSource, commit: &str) -> Result<Snapshot, OpenError> {
        if source.kind == RepoKind::Plain {
            return Err(OpenError {
                message: format!("`{}` is not a git repository", source.display),
                hint: None,
            });
        }
        let (files, facts) =
            git::GitFiles::open(&source.root, source.handle.as_ref(), Some(commit))?;
        Ok(Snapshot {
            source: source.clone(),
            git: Some(facts),
            files: Files::Git(Box::new(files)),
            probes: None,
            absolute_root: Default::default(),
        })
    }

    /// Opens a git repository (work tree or bare) once, to read many of its
    /// commits with [`Snapshot::open_commit`].
    pub fn open_repository(source: &RepoSource) -> Result<gix::Repository, OpenError> {
        if source.kind == RepoKind::Plain {
            return Err(OpenError {
                message: format!("`{}` is not a git repository", source.display),
                hint: None,
            });
        }
        // A repository opened once for the run (bare clones; work trees
        // with history) is read through that handle; otherwise git is
        // opened here.
        let mut repo = match &source.handle {
            Some(handle) => handle.local().map_err(|e| OpenError {
                message: format!("cannot open git repository `{}`: {e}", source.display),
                hint: None,
            })?,
            None => {
                let options =
                    gix::open::Options::isolated().object_store_slots(object_slots(source));
                gix::open_opts(&source.root, options).map_err(|e| OpenError {
                    message: format!("cannot open git repository `{}`: {e}", source.display),
                    hint: None,
                })?
            }
        };
        // Trees repeat across the commits read: decode each once.
        repo.object_cache_size(4 * 1024 * 1024);
        Ok(repo)
    }

    /// [`Snapshot::open_at`] through a repository opened by
    /// [`Snapshot::open_repository`], by commit id as history's walk finds
    /// them: the same confinement, without opening the repository (config,
    /// refs, pack indexes) again per commit, and without looking up a
    /// reference (see `GitFiles::at_commit`; a commit id is no branch). The
    /// handle itself is read through, not a clone of it: a clone starts with
    /// an empty object cache, so trees and blobs that did not change between
    /// two commits would be decoded (and loose objects mapped) again. Take
    /// the handle back with [`Snapshot::into_repository`] to read the next
    /// commit through it.
    pub fn open_commit(
        source: &RepoSource,
        repo: gix::Repository,
        commit: gix::ObjectId,
    ) -> Result<Snapshot, OpenError> {
        let (files, facts) = git::GitFiles::at_commit(repo, commit)?;
        Ok(Snapshot {
            source: source.clone(),
            git: Some(facts),
            files: Files::Git(Box::new(files)),
            probes: None,
            absolute_root: Default::default(),
        })
    }

    /// The repository handle a snapshot of a commit reads through;
    /// `None` for a folder read from disk.
    pub fn into_repository(self) -> Option<gix::Repository> {
        match self.files {
            Files::Git(files) => files.into_repository(),
            Files::Disk(_) => None,
        }
    }

    /// The blob id of the file at `path` (symlinks inside followed) when
    /// the snapshot reads git objects; `None` on disk or when absent. Lets
    /// callers reuse work done on the same blob at another commit.
    pub fn blob_id(&self, path: &str) -> Option<gix::ObjectId> {
        self.blob_at(path)?.ok()
    }

    /// [`Snapshot::blob_id`] with the reason when there is no blob (not
    /// found, a symlink out, a folder), so that callers keeping work by
    /// blob id tell those apart; `None` on disk.
    pub fn blob_at(&self, path: &str) -> Option<Result<gix::ObjectId, ReadError>> {
        match &self.files {
            Files::Git(g) => Some(
                safe_path::normalize(path)
                    .map_err(ReadError::from)
                    .and_then(|path| g.resolve(&path)),
            ),
            Files::Disk(_) => None,
        }
    }

    /// The tree id of the folder at `path` (`""`: the root) when the
    /// snapshot reads git objects and a folder is there (not a symlink):
    /// everything below it is the same wherever this id is the same.
    pub fn folder_id(&self, path: &str) -> Option<gix::ObjectId> {
        let path = if path.is_empty() {
            String::new()
        } else {
            safe_path::normalize(path).ok()?
        };
        match &self.files {
            Files::Git(g) => g.folder_id(&path),
            Files::Disk(_) => None,
        }
    }

    /// The root tree id when the snapshot reads git objects.
    pub fn tree_id(&self) -> Option<gix::ObjectId> {
        match &self.files {
            Files::Git(g) => Some(g.tree_id()),
            Files::Disk(_) => None,
        }
    }

    /// Reads a UTF-8 text file by repository-relative path.
    pub fn read_text(&self, path: &str) -> Result<String, ReadError> {
        let bytes = self.read_bytes(path)?;
        String::from_utf8(bytes).map_err(|_| ReadError::NotUtf8(path.to_string()))
    }

    /// [`Snapshot::read_text`] of a work tree's or folder's file, and
    /// whether it was read at exactly `root/path` with no symlink on the
    /// way and no other name (hard link), so a watcher of the root sees
    /// every change to it. Always
    /// `false` for a file read from git objects.
    pub fn read_text_placed(&self, path: &str) -> Result<(String, bool), ReadError> {
        let normal = safe_path::normalize(path)?;
        let (bytes, in_place) = match &self.files {
            Files::Disk(d) => d.read_placed(&normal)?,
            Files::Git(g) => (g.read(&normal)?, false),
        };
        let text = String::from_utf8(bytes).map_err(|_| ReadError::NotUtf8(path.to_string()))?;
        Ok((text, in_place))
    }

    pub fn read_bytes(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        let path = safe_path::normalize(path)?;
        self.probe(&path);
        match &self.files {
            Files::Disk(d) => d.read(&path),
            Files::Git(g) => g.read(&path),
        }
    }

    /// Whether a regular file (or a symlink to one, inside the repo) exists.
    pub fn is_file(&self, path: &str) -> bool {
        self.check_file(path).is_ok()
    }

    /// Whether anything is at `path`, readable or not. Callers that find
    /// something unreadable there (a symlink out of the repository) read it
    /// anyway, so the real problem is reported instead of "missing".
    pub fn exists(&self, path: &str) -> bool {
        !matches!(self.check_file(path), Err(ReadError::NotFound(_)))
    }

    /// Finds a file without reading it: `NotFound` when nothing is there,
    /// another error when something is there that may not be read (a
    /// symlink out of the repository, a folder).
    pub fn check_file(&self, path: &str) -> Result<(), ReadError> {
        let path = safe_path::normalize(path)?;
        self.probe(&path);
        match &self.files {
            Files::Disk(d) => d.check_file(&path),
            Files::Git(g) => g.check_file(&path),
        }
    }

    /// The last commit that changed each of `paths` (repository-relative),
    /// in one history walk; empty for plain folders, and without opening
    /// git when no path is asked about.
    pub fn history(&self, paths: &[String]) -> history::History {
        if paths.is_empty() {
            return history::History::default();
        }
        match self.commit_and_repository() {
            Some((start, mut repo)) => {
                // Trees repeat across commits and paths: decode each once.
                repo.object_cache_size(8 * 1024 * 1024);
                history::walk(&repo, start, paths)
            }
            None => history::History::default(),
        }
    }

    /// When each of `paths` was added (seconds since the epoch, see
    /// [`history::added`]); empty for plain folders.
    pub fn added(&self, paths: &[String]) -> HashMap<String, i64> {
        match self.commit_and_repository() {
            Some((start, mut repo)) => {
                repo.object_cache_size(8 * 1024 * 1024);
                history::added(&repo, start, paths)
            }
            None => HashMap::new(),
        }
    }

    /// The commit the snapshot reads, and its repository opened for a
    /// history walk; `None` for plain folders or a repository that will
    /// not open.
    fn commit_and_repository(&self) -> Option<(gix::ObjectId, gix::Repository)> {
        let start = self
            .git
            .as_ref()
            .and_then(|g| g.commit.as_deref())
            .and_then(|c| gix::ObjectId::from_hex(c.as_bytes()).ok())?;
        let repo = match &self.files {
            // Files read from git objects already have the repository open:
            // walk through a second handle on the same object store rather
            // than opening git again (config, refs, pack indexes).
            Files::Git(files) => files.repository()?,
            Files::Disk(_) => {
                git::open_with(&self.source.root, self.source.handle.as_ref()).ok()?
            }
        };
        Some((start, repo))
    }

    /// The commit the snapshot reads (HEAD, or `--ref`) and, for each of
    /// `moments`, the commit of its first-parent line current then (see
    /// [`history::commits_at`]); empty for plain folders.
    pub fn commits_at(&self, moments: &[i64]) -> Vec<Option<String>> {
        match self.commit_and_repository() {
            Some((start, repo)) => history::commits_at(&repo, start, moments)
                .into_iter()
                .map(|c| c.map(|id| id.to_string()))
                .collect(),
            None => vec![None; moments.len()],
        }
    }

    /// The tags whose names `wanted` accepts (see [`tags::list`]); none
    /// for plain folders.
    pub fn tags(&self, wanted: &dyn Fn(&str) -> bool) -> tags::Tags {
        if self.source.kind == RepoKind::Plain {
            return tags::Tags::default();
        }
        match git::open_with(&self.source.root, self.source.handle.as_ref()) {
            Ok(repo) => tags::list(&repo, wanted),
            Err(_) => tags::Tags::default(),
        }
    }

    /// Whether a file read from a work tree differs from its committed version.
    pub fn is_uncommitted(&self, history: &history::History, path: &str, bytes: &[u8]) -> bool {
        self.source.kind == RepoKind::WorkTree
            && history::blob_id(bytes) != history.head_blobs.get(path).copied()
    }

    /// Every file path in the repository, sorted, skipping `.git`,
    /// `node_modules` and vendored folders. Used to match catalog globs.
    pub fn list_files(&self) -> Vec<String> {
        self.list_files_cut().files
    }

    /// [`Snapshot::list_files`] with the folders the listing left out
    /// (`Listing::unlisted`), so a glob over it can tell when it may have
    /// missed files.
    pub fn list_files_cut(&self) -> Listing {
        let listing = self.list(true);
        if let Some(probes) = &self.probes {
            crate::memo::lock(probes).listing(&listing);
        }
        listing
    }

    /// From now on, records every path read or looked up and every
    /// listing of [`Snapshot::list_files`] ([`Probes`]), for work that is
    /// kept while their answers hold. Nothing is recorded for a git tree:
    /// its commit fixes every answer.
    pub fn record_probes(&mut self) {
        if matches!(self.files, Files::Disk(_)) {
            self.probes = Some(Box::default());
        }
    }

    /// What was recorded since [`Snapshot::record_probes`]; `None` when
    /// nothing was (a git tree, or recording never asked for).
    pub fn take_probes(&mut self) -> Option<Probes> {
        let probes = self.probes.take()?;
        Some(
            probes
                .into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    fn probe(&self, path: &str) {
        if let (Some(probes), Files::Disk(disk)) = (&self.probes, &self.files) {
            crate::memo::lock(probes).path(disk.root(), path);
        }
    }

    /// The canonical root of a work tree or folder read from disk.
    fn disk_root(&self) -> Option<&std::path::Path> {
        match &self.files {
            Files::Disk(disk) => Some(disk.root()),
            Files::Git(_) => None,
        }
    }

    /// [`Snapshot::list_files`] with what the listing knows besides the
    /// paths (which are symlinks, in git).
    pub fn list_unvendored(&self) -> Listing {
        self.list(true)
    }

    /// Every file, vendored folders included (a docs folder may hold a
    /// `vendor/` of its own); `.git` and nested checkouts are still skipped.
    /// Names that cannot be a safe path are left out and listed as skipped.
    pub fn list_all_files(&self) -> Listing {
        self.list(false)
    }

    fn list(&self, skip_vendored: bool) -> Listing {
        let mut listing = match &self.files {
            Files::Disk(d) => d.list(skip_vendored),
            Files::Git(g) => g.list(skip_vendored),
        };
        listing.files.sort();
        listing.skipped.sort();
        if let Some(links) = &mut listing.git_links {
            links.sort();
        }
        listing
    }
}

/// Each repository's listing of every file ([`Snapshot::list_all_files`]),
/// by its display path, made once in a run: the docs stage records the
/// listings it makes and the scorecards' file rules take them, so a work
/// tree is walked once, not twice. Both read the same `--ref`.
#[derive(Debug, Default)]
pub struct Listings(std::sync::Mutex<HashMap<String, std::sync::Arc<Listing>>>);

impl Listings {
    /// Records `listing` as the listing of every file of `repo`.
    pub fn record(&self, repo: &RepoSource, listing: std::sync::Arc<Listing>) {
        crate::memo::lock(&self.0).insert(repo.display.clone(), listing);
    }

    /// The listing recorded for `repo`, taken out (each is asked for once).
    pub fn take(&self, repo: &RepoSource) -> Option<std::sync::Arc<Listing>> {
        crate::memo::lock(&self.0).remove(&repo.display)
    }
}

/// The files of a repository, and what could not be listed safely.
#[derive(Debug, Default)]
pub struct Listing {
    /// Repository-relative paths, sorted.
    pub files: Vec<String>,
    pub skipped: Vec<SkippedName>,
    /// Read from git objects: which of `files` are symlinks, sorted (the
    /// others are blobs, so a file there is found without walking the
    /// tree again). `None` on disk.
    pub git_links: Option<Vec<String>>,
    /// Folders not listed whole (`""`: the repository's own), when the walk
    /// stopped early: at `MAX_LISTED_FILES` files, or after
    /// `MAX_LISTED_ENTRIES` entries looked at (see [`ListingBudget`]).
    pub unlisted: Vec<String>,
    /// Folders left out as checkouts of their own (a `.git` inside: a
    /// nested clone, a submodule), whose files a page may still read by
    /// path (a snippet): work kept by the listing's files cannot be.
    pub nested_checkouts: Vec<String>,
}

impl Listing {
    /// Whether `path` is a file of a git listing that is no symlink: the
    /// file [`Snapshot::check_file`] would find there. `false` also when
    /// the listing cannot tell (on disk, or not listed).
    pub fn is_git_blob(&self, path: &str) -> bool {
        self.git_links
            .as_ref()
            .is_some_and(|links| links.binary_search_by(|l| l.as_str().cmp(path)).is_err())
            && self
                .files
                .binary_search_by(|f| f.as_str().cmp(path))
                .is_ok()
    }

    /// Whether files under `folder` (repository-relative, `""` for all) may
    /// be missing from the listing.
    pub fn cut_under(&self, folder: &str) -> bool {
        let within = |inner: &str, outer: &str| {
            outer.is_empty()
                || inner == outer
                || inner
                    .strip_prefix(outer)
                    .is_some_and(|rest| rest.starts_with('/'))
        };
        self.unlisted
            .iter()
            .any(|cut| within(folder, cut) || within(cut, folder))
    }
}

/// What a listing may still take: files, and entries looked at. A walk
/// stops as soon as it may not, and says which folders it left unlisted.
pub(crate) struct ListingBudget {
    entries: usize,
}

impl ListingBudget {
    pub(crate) fn new() -> ListingBudget {
        ListingBudget { entries: 0 }
    }

    /// Counts one entry looked at; `false` when the walk must stop.
    pub(crate) fn spend(&mut self) -> bool {
        self.entries += 1;
        self.entries <= crate::limits::MAX_LISTED_ENTRIES
    }

    /// Lists `path`; `false` (nothing listed) when the listing is full and
    /// the walk must stop.
    pub(crate) fn take_file(listing: &mut Listing, path: String) -> bool {
        if listing.files.len() >= crate::limits::MAX_LISTED_FILES {
            return false;
        }
        listing.files.push(path);
        true
    }

    /// Notes a name left out; past the first `MAX_SKIPPED_NAMES` only
    /// counted out (such names are never listed as files anyway).
    pub(crate) fn skip(listing: &mut Listing, skipped: impl FnOnce() -> SkippedName) {
        if listing.skipped.len() < crate::limits::MAX_SKIPPED_NAMES {
            listing.skipped.push(skipped());
        }
    }

    /// Records a walk stopped in `folder` with `waiting` folders not yet
    /// walked.
    pub(crate) fn stopped<'a>(
        listing: &mut Listing,
        folder: &str,
        waiting: impl Iterator<Item = &'a str>,
    ) {
        listing.unlisted.push(folder.to_string());
        listing.unlisted.extend(waiting.map(str::to_string));
        listing.unlisted.sort();
        listing.unlisted.dedup();
    }
}

/// A file or folder left out of a listing: its name cannot be part of a
/// path (`..` or `a/b` in a git tree, a name that is not UTF-8).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SkippedName {
    /// The path as well as it can be shown (invalid UTF-8 replaced).
    pub path: String,
    pub reason: &'static str,
}

impl SkippedName {
    fn new(parent: &str, name: &[u8], reason: &'static str) -> SkippedName {
        let name = String::from_utf8_lossy(name);
        let path = if parent.is_empty() {
            name.into_owned()
        } else {
            format!("{parent}/{name}")
        };
        SkippedName { path, reason }
    }
}

/// Pack index slots for the handles [`read_git_facts`] and
/// [`Snapshot::open_repository`] open: gix's default sizes the object
/// store from the disk when the repository is opened (the objects folder
/// real-pathed, alternates resolved, every pack index listed and stat-ed),
/// then lists them all again on the first object read. That default comes
/// to 32 slots for up to 29 indexes, so a plain git folder (no
/// alternates, no `commondir` naming another folder's objects) whose pack
/// folder holds no more than that gets the 32 slots from one listing of
/// names (none without a pack folder); any other repository keeps the
/// default.
fn object_slots(source: &RepoSource) -> gix::odb::store::init::Slots {
    const SLOTS: u16 = 32;
    // What the default gives 32 slots for: 32 / 1.1, rounded down.
    const INDEXES: usize = 29;
    let git_dir = match source.kind {
        RepoKind::Bare => source.root.clone(),
        _ => source.root.join(".git"),
    };
    let objects = git_dir.join("objects");
    let plain = std::fs::symlink_metadata(&git_dir).is_ok_and(|m| m.is_dir())
        && std::fs::symlink_metadata(&objects).is_ok_and(|m| m.is_dir())
        && std::fs::symlink_metadata(objects.join("info/alternates")).is_err()
        && std::fs::symlink_metadata(git_dir.join("commondir")).is_err();
    let indexes = || {
        let entries = match std::fs::read_dir(objects.join("pack")) {
            Ok(entries) => entries,
            // Every object loose: no index at all.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(0),
            Err(_) => return None,
        };
        let mut n = 0;
        for entry in entries {
            let name = entry.ok()?.file_name();
            let name = name.to_string_lossy();
            if name.ends_with(".idx") || name == "multi-pack-index" {
                n += 1;
                if n > INDEXES {
                    return None;
                }
            }
        }
        Some(n)
    };
    match plain.then(indexes).flatten() {
        Some(_) => gix::odb::store::init::Slots::Given(SLOTS),
        None => gix::odb::store::init::Slots::default(),
    }
}

/// Folders never searched for catalog files or repositories.
pub fn is_skipped_dir(name: &str) -> bool {
    matches!(
        name,
        ".git"
            | "node_modules"
            | "vendor"
            | "third_party"
            | "target"
            | ".venv"
            | "bower_components"
    )
}

#[cfg(test)]
mod tests {
    /// A listing cut short says so for the folders it did not list whole,
    /// those inside them and those holding them; not for the others.
    #[test]
    fn a_cut_listing_knows_which_folders_it_left() {
        let listing = Listing {
            unlisted: vec!["docs/deep/a".into(), "vendor".into()],
            ..Listing::default()
        };
        for folder in [
            "",
            "docs",
            "docs/deep",
            "docs/deep/a",
            "docs/deep/a/b",
            "vendor/x",
        ] {
            assert!(listing.cut_under(folder), "{folder}");
        }
        for folder in ["doc", "docs/deepest", "docs/other", "vendors", "src"] {
            assert!(!listing.cut_under(folder), "{folder}");
        }
        let root = Listing {
            unlisted: vec![String::new()],
            ..Listing::default()
        };
        assert!(root.cut_under("anything"));
        assert!(!Listing::default().cut_under(""));
    }

    use super::git_facts::tests::git;
    use super::*;
    use gix::odb::store::init::Slots;

    fn work_tree(dir: &std::path::Path) -> RepoSource {
        RepoSource {
            name: "r".into(),
            root: dir.to_path_buf(),
            real_root: None,
            display: "r".into(),
            kind: RepoKind::WorkTree,
            git: None,
            handle: None,
        }
    }

    /// Commits a change to `README.md`; the new commit's id.
    fn commit(root: &std::path::Path, text: &str) -> String {
        std::fs::write(root.join("README.md"), text).unwrap();
        git(root, &["add", "."]);
        git(root, &["commit", "-q", "-m", text]);
        git(root, &["rev-parse", "HEAD"])
    }

    fn head_through(source: &RepoSource) -> String {
        let repo = Snapshot::open_repository(source).expect("opens");
        repo.head_id().expect("HEAD").detach().to_string()
    }

    #[test]
    fn work_trees_keep_a_handle_for_history_with_the_same_facts() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"]);
        commit(dir.path(), "first");
        // Packed: the facts' fast path cannot read the commit, so the
        // facts come from the full open, through the kept handle.
        git(dir.path(), &["repack", "-adq"]);
        git(dir.path(), &["prune-packed"]);
        let mut kept = vec![work_tree(dir.path())];
        read_git_facts(&mut kept, HandlesFor::WorkTreesToo);
        let mut plain = vec![work_tree(dir.path())];
        read_git_facts(&mut plain, HandlesFor::BareClones);
        assert!(kept[0].handle.is_some());
        assert!(plain[0].handle.is_none());
        assert!(kept[0].git.as_ref().is_some_and(|g| g.commit.is_some()));
        assert_eq!(kept[0].git, plain[0].git);
        // What the handle keeps is the open, not the repository's state: a
        // commit made after it was opened is what history starts from.
        let first = head_through(&kept[0]);
        let second = commit(dir.path(), "second");
        assert_ne!(first, second);
        assert_eq!(head_through(&kept[0]), second);
        release_work_tree_handles(&mut kept);
        assert!(kept[0].handle.is_none());
        assert_eq!(head_through(&kept[0]), second);
    }

    #[test]
    fn a_work_tree_git_cannot_open_keeps_no_handle_and_its_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        let mut repos = vec![work_tree(dir.path())];
        read_git_facts(&mut repos, HandlesFor::WorkTreesToo);
        assert!(repos[0].handle.is_none());
        assert_eq!(repos[0].git, None);
        let error = Snapshot::open_repository(&repos[0]).expect_err("no repository");
        assert!(
            error.message.starts_with("cannot open git repository `r`"),
            "{}",
            error.message
        );
    }

    #[test]
    fn object_slots_are_given_only_for_few_indexes_and_no_alternates() {
        let dir = tempfile::tempdir().unwrap();
        let source = work_tree(dir.path());
        let objects = dir.path().join(".git/objects");
        std::fs::create_dir_all(objects.join("info")).unwrap();
        // All loose: no pack folder.
        assert!(matches!(object_slots(&source), Slots::Given(32)));
        std::fs::create_dir_all(objects.join("pack")).unwrap();
        for i in 0..29 {
            std::fs::write(objects.join(format!("pack/pack-{i}.idx")), "").unwrap();
            std::fs::write(objects.join(format!("pack/pack-{i}.pack")), "").unwrap();
        }
        assert!(matches!(object_slots(&source), Slots::Given(32)));
        std::fs::write(objects.join("pack/multi-pack-index"), "").unwrap();
        assert!(matches!(
            object_slots(&source),
            Slots::AsNeededByDiskState { .. }
        ));
        std::fs::remove_file(objects.join("pack/multi-pack-index")).unwrap();
        std::fs::write(objects.join("info/alternates"), "/elsewhere\n").unwrap();
        assert!(matches!(
            object_slots(&source),
            Slots::AsNeededByDiskState { .. }
        ));
        std::fs::remove_file(objects.join("info/alternates")).unwrap();
        assert!(matches!(object_slots(&source), Slots::Given(32)));
        // A `commondir`: the objects read are another folder's.
        std::fs::write(dir.path().join(".git/commondir"), "../elsewhere\n").unwrap();
        assert!(matches!(
            object_slots(&source),
            Slots::AsNeededByDiskState { .. }
        ));
        // A `.git` file (a linked work tree's): gix works the folders out.
        let linked = tempfile::tempdir().unwrap();
        std::fs::write(linked.path().join(".git"), "gitdir: /elsewhere\n").unwrap();
        assert!(matches!(
            object_slots(&work_tree(linked.path())),
            Slots::AsNeededByDiskState { .. }
        ));
    }

    #[test]
    fn a_bare_clones_object_slots_are_counted_in_its_own_folder() {
        let dir = tempfile::tempdir().unwrap();
        let bare = |root: &std::path::Path| RepoSource {
            kind: RepoKind::Bare,
            ..work_tree(root)
        };
        let clone = dir.path().join("r.git");
        std::fs::create_dir_all(clone.join("objects/pack")).unwrap();
        assert!(matches!(object_slots(&bare(&clone)), Slots::Given(32)));
        for i in 0..30 {
            std::fs::write(clone.join(format!("objects/pack/pack-{i}.idx")), "").unwrap();
        }
        assert!(matches!(
            object_slots(&bare(&clone)),
            Slots::AsNeededByDiskState { .. }
        ));
        // An objects folder that is a link: gix follows it, so the default.
        #[cfg(unix)]
        {
            let linked = dir.path().join("l.git");
            std::fs::create_dir(&linked).unwrap();
            std::os::unix::fs::symlink(clone.join("objects"), linked.join("objects")).unwrap();
            assert!(matches!(
                object_slots(&bare(&linked)),
                Slots::AsNeededByDiskState { .. }
            ));
        }
    }

    #[test]
    fn a_bare_clone_is_read_at_the_head_its_handle_saw() {
        let tmp = tempfile::tempdir().unwrap();
        let work = tmp.path().join("work");
        std::fs::create_dir(&work).unwrap();
        git(&work, &["init", "-q"]);
        std::fs::write(work.join("catalog-info.yaml"), "first\n").unwrap();
        git(&work, &["add", "."]);
        git(&work, &["commit", "-q", "-m", "first"]);
        let clone = tmp.path().join("clone.git");
        git(tmp.path(), &["clone", "-q", "--bare", "work", "clone.git"]);
        let mut sources = vec![RepoSource {
            name: "clone".into(),
            root: clone.clone(),
            real_root: None,
            display: "clone.git".into(),
            kind: RepoKind::Bare,
            git: None,
            handle: None,
        }];
        let opened_alone = Snapshot::open(&sources[0], None).unwrap();
        read_git_facts(&mut sources, HandlesFor::BareClones);
        assert!(sources[0].handle.is_some());
        let through_handle = Snapshot::open(&sources[0], None).unwrap();
        // The HEAD read when the handle opened is what opening without one reads.
        assert_eq!(through_handle.git, opened_alone.git);
        assert_eq!(
            through_handle.git.as_ref().unwrap().branch.as_deref(),
            Some("main")
        );
        assert_eq!(
            through_handle.read_text("catalog-info.yaml").unwrap(),
            "first\n"
        );

        // HEAD moves while the run goes on: the run's stages all read the
        // commit the handle saw; the next run (a new handle) sees the move.
        std::fs::write(work.join("catalog-info.yaml"), "second\n").unwrap();
        git(&work, &["commit", "-q", "-am", "second"]);
        git(&work, &["push", "-q", clone.to_str().unwrap(), "main"]);
        let same_run = Snapshot::open(&sources[0], None).unwrap();
        assert_eq!(same_run.git, opened_alone.git);
        assert_eq!(same_run.read_text("catalog-info.yaml").unwrap(), "first\n");
        read_git_facts(&mut sources, HandlesFor::BareClones);
        let next_run = Snapshot::open(&sources[0], None).unwrap();
        assert_ne!(next_run.git, opened_alone.git);
        assert_eq!(next_run.read_text("catalog-info.yaml").unwrap(), "second\n");
        // `--ref` is still resolved by each open.
        let at_ref = Snapshot::open(&sources[0], Some("main")).unwrap();
        assert_eq!(at_ref.git, next_run.git);
    }
}
