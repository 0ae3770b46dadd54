//! Files of bare clones, read straight from git objects with gix, and the
//! git facts (branch, commit, remote) of any git repository.

use super::{
    Listing, MAX_FILE_BYTES, OpenError, ReadError, RepoKind, SkippedName, is_skipped_dir, safe_path,
};
use gix::objs::tree::EntryKind;
use std::path::Path;

use crate::limits::MAX_SYMLINK_HOPS;

/// What git says about the commit being read.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GitFacts {
    /// Branch name when HEAD (or `--ref`) is a branch.
    pub branch: Option<String>,
    /// Full hex id of the commit read.
    pub commit: Option<String>,
    /// URL of the `origin` remote (or the only remote), as configured.
    pub remote_url: Option<String>,
    /// The commit read: `(YYYY-MM-DD, author name)` of its author.
    pub commit_by: Option<(String, String)>,
}

/// When and by whom a commit was written.
fn commit_by(commit: &gix::Commit<'_>) -> Option<(String, String)> {
    author_of(commit.author().ok()?)
}

/// `(YYYY-MM-DD, name)` of a commit's author signature (trimmed).
pub(super) fn author_of(author: gix::actor::SignatureRef<'_>) -> Option<(String, String)> {
    let seconds = author.time().ok()?.seconds;
    Some((super::history::date(seconds), author.name.to_string()))
}

/// A commit's tree id and git facts.
fn read_commit(
    repo: &gix::Repository,
    commit: &gix::Commit<'_>,
    branch: Option<String>,
) -> Result<(gix::ObjectId, GitFacts), OpenError> {
    let tree = commit.tree_id().map_err(|e| OpenError {
        message: format!("cannot read the commit's tree: {e}"),
        hint: None,
    })?;
    let facts = GitFacts {
        branch,
        commit: Some(commit.id.to_string()),
        remote_url: remote_url(repo),
        commit_by: commit_by(commit),
    };
    Ok((tree.detach(), facts))
}

pub(super) struct GitFiles {
    repo: gix::Repository,
    tree: gix::ObjectId,
}

impl GitFiles {
    /// Another handle on the repository read through: the same object
    /// store (packs mapped once), an object cache of its own.
    pub(super) fn repository(&self) -> gix::Repository {
        self.repo.clone()
    }

    /// The handle read through, its object cache with it.
    pub(super) fn into_repository(self) -> gix::Repository {
        self.repo
    }
}

fn open_repo(root: &Path) -> Result<gix::Repository, String> {
    // Isolated: ignore the user's and the system's git config and environment.
    gix::open_opts(root, gix::open::Options::isolated()).map_err(|e| e.to_string())
}

/// A repository opened once per build (see [`super::RepoSource::handle`]):
/// each open of the repository after that reads through a handle made
/// from it, which shares its object store (pack indexes read once) and
/// does not read config, refs folders and ownership again. A bare clone's
/// HEAD is resolved once too, when the handle is opened: every stage of the
/// run reads the same commit, and none looks up HEAD, its branch, the
/// commit and the remote again (a fifth of `check`'s CPU over packed clones).
/// Handles compare equal: a repository is told by its root.
#[derive(Clone)]
pub struct GitHandle(std::sync::Arc<Opened>);

struct Opened {
    repo: gix::ThreadSafeRepository,
    /// A bare clone's HEAD tree and facts as read at open; `None` for a
    /// work tree, and when HEAD names no commit, so that each open reports
    /// why, as without a handle.
    head: Option<(gix::ObjectId, GitFacts)>,
}

/// The object cache of each handle a stage reads a repository through:
/// its trees and small files. Walks of history and tags set a larger one
/// of their own (`object_cache_size`, not `_if_unset`, which would keep
/// this one).
const LOCAL_OBJECT_CACHE_BYTES: usize = 1 << 20;

impl GitHandle {
    /// Opens the repository at `root` (isolated, as every open here is),
    /// its object store sized by `slots`; `None` when git cannot open it.
    /// A bare clone's HEAD is read now (a work tree's files are read from
    /// disk, never through its HEAD).
    pub(super) fn open(
        root: &Path,
        kind: RepoKind,
        slots: gix::odb::store::init::Slots,
    ) -> Option<GitHandle> {
        // Discovery found a bare clone's `HEAD`, `objects` and `refs`:
        // gix need not look for `ROOT/.git` first (five failed look-ups
        // per clone).
        let options = gix::open::Options::isolated()
            .object_store_slots(slots)
            .open_path_as_is(kind == RepoKind::Bare);
        let repo = gix::ThreadSafeRepository::open_opts(root, options).ok()?;
        // Read through a cache like any other (peeling HEAD finds the
        // commit twice).
        let local = with_object_cache(&repo);
        let head = if local.is_bare() {
            GitFiles::at(local, None)
                .ok()
                .map(|(files, facts)| (files.tree, facts))
        } else {
            None
        };
        Some(GitHandle(std::sync::Arc::new(Opened { repo, head })))
    }

    /// A handle to read through, with an object cache of its own: a
    /// stage looks each path up from the root tree, so without one the
    /// root tree of a bare clone with loose objects was opened, read and
    /// inflated again for every path (6 times per repository in `check`).
    pub(super) fn local(&self) -> gix::Repository {
        with_object_cache(&self.0.repo)
    }
}

/// A handle to read `repo` through, with an object cache of its own
/// ([`LOCAL_OBJECT_CACHE_BYTES`]).
fn with_object_cache(repo: &gix::ThreadSafeRepository) -> gix::Repository {
    let mut local = repo.to_thread_local();
    local.object_cache_size_if_unset(LOCAL_OBJECT_CACHE_BYTES);
    local
}

impl PartialEq for GitHandle {
    fn eq(&self, _: &GitHandle) -> bool {
        true
    }
}

impl Eq for GitHandle {}

impl PartialOrd for GitHandle {
    fn partial_cmp(&self, other: &GitHandle) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for GitHandle {
    fn cmp(&self, _: &GitHandle) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}

impl std::hash::Hash for GitHandle {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl std::fmt::Debug for GitHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GitHandle({})", self.0.repo.git_dir().display())
    }
}

/// `handle`'s repository when there is one, else the repository at `root`
/// opened now.
pub(super) fn open_with(
    root: &Path,
    handle: Option<&GitHandle>,
) -> Result<gix::Repository, String> {
    match handle {
        Some(handle) => Ok(handle.local()),
        None => open_repo(root),
    }
}

fn remote_url(repo: &gix::Repository) -> Option<String> {
    let remote = repo
        .find_default_remote(gix::remote::Direction::Fetch)?
        .ok()?;
    let url = remote.url(gix::remote::Direction::Fetch)?;
    Some(url.to_bstring().to_string())
}

/// Branch, commit and remote of a work tree; `None` if git cannot open it.
/// The common layout is read straight from its files (see
/// [`super::git_facts`]); anything else goes through a full open.
pub(super) fn facts_of_work_tree(root: &Path) -> Option<GitFacts> {
    facts_of_work_tree_known(root, None)
}

/// [`facts_of_work_tree`], with the authors of commits read before
/// ([`super::kept_authors`]).
pub(super) fn facts_of_work_tree_known(
    root: &Path,
    authors: Option<&super::kept_authors::CommitAuthors>,
) -> Option<GitFacts> {
    if let Some(facts) = super::git_facts::read_known(root, authors) {
        return Some(facts);
    }
    facts_of_work_tree_opened(root)
}

/// [`facts_of_work_tree`] for a work tree opened already (`handle`): what
/// the fast path does not know is read through that open.
pub(super) fn facts_of_work_tree_through(
    root: &Path,
    handle: &GitHandle,
    authors: Option<&super::kept_authors::CommitAuthors>,
) -> GitFacts {
    super::git_facts::read_known(root, authors).unwrap_or_else(|| facts_of(&handle.local()))
}

/// [`facts_of_work_tree`] through a full `gix::open` (config, refs,
/// ownership, object store): the reference the fast path must match.
pub(super) fn facts_of_work_tree_opened(root: &Path) -> Option<GitFacts> {
    Some(facts_of(&open_repo(root).ok()?))
}

/// A work tree's facts from its repository, opened.
fn facts_of(repo: &gix::Repository) -> GitFacts {
    // HEAD peeled once: its id and its author come from the one commit
    // (peeling twice read and inflated the commit twice).
    let commit = repo.head_commit().ok();
    GitFacts {
        branch: repo
            .head_name()
            .ok()
            .flatten()
            .map(|n| n.shorten().to_string()),
        commit: commit.as_ref().map(|c| c.id.to_string()),
        remote_url: remote_url(repo),
        commit_by: commit.as_ref().and_then(commit_by),
    }
}

impl GitFiles {
    /// Reads `rev` (HEAD when `None`) of the repository at `root`, through
    /// `handle` when it was opened before.
    pub(super) fn open(
        root: &Path,
        handle: Option<&GitHandle>,
        rev: Option<&str>,
    ) -> Result<(GitFiles, GitFacts), OpenError> {
        if let (None, Some(handle)) = (rev, handle)
            && let Some((tree, facts)) = &handle.0.head
        {
            let files = GitFiles {
                repo: handle.local(),
                tree: *tree,
            };
            return Ok((files, facts.clone()));
        }
        let repo = open_with(root, handle).map_err(|e| OpenError {
            message: format!("cannot open git repository `{}`: {e}", root.display()),
            hint: None,
        })?;
        GitFiles::at(repo, rev)
    }

    /// Reads `rev` (HEAD when `None`) of a repository already open: history
    /// opens each repository once and reads many commits from clones of
    /// that handle, which share its object store (packs mapped once).
    pub(super) fn at(
        repo: gix::Repository,
        rev: Option<&str>,
    ) -> Result<(GitFiles, GitFacts), OpenError> {
        let (commit, branch) = match rev {
            None => {
                let no_commit = |e: gix::Error| OpenError {
                    message: format!("HEAD does not point to a commit: {e}"),
                    hint: Some(
                        "an empty repository has nothing to read; push a commit or pass --ref"
                            .into(),
                    ),
                };
                // HEAD read once for its branch and its commit, as
                // `head_name` and `head_commit` would each read it.
                let mut head = repo.head().map_err(no_commit)?;
                let branch = head.referent_name().map(|n| n.shorten().to_string());
                let commit = head.peel_to_commit().map_err(no_commit)?;
                (commit, branch)
            }
            Some(rev) => {
                let commit = repo
                    .rev_parse_single(rev)
                    .map_err(|e| e.to_string())
                    .and_then(|id| id.object().map_err(|e| e.to_string()))
                    .and_then(|obj| obj.peel_to_commit().map_err(|e| e.to_string()))
                    .map_err(|e| OpenError {
                        message: format!("--ref `{rev}` does not name a commit here: {e}"),
                        hint: Some(
                            "pass a branch, tag or commit that exists in every bare repository"
                                .into(),
                        ),
                    })?;
                let branch = repo
                    .find_reference(format!("refs/heads/{rev}").as_str())
                    .ok()
                    .map(|_| rev.to_string());
                (commit, branch)
            }
        };
        let (tree, facts) = read_commit(&repo, &commit, branch)?;
        drop(commit);
        Ok((GitFiles { repo, tree }, facts))
    }

    /// Reads the commit `id` of a repository already open. A commit id is
    /// no branch: unlike [`GitFiles::at`] with its hex, no reference is
    /// looked up (`rev_parse` tries every ref namespace for a name first,
    /// a file look-up each, before it takes the hex for an object id).
    pub(super) fn at_commit(
        repo: gix::Repository,
        id: gix::ObjectId,
    ) -> Result<(GitFiles, GitFacts), OpenError> {
        let commit = repo.find_commit(id).map_err(|e| OpenError {
            message: format!("cannot read commit {id}: {e}"),
            hint: None,
        })?;
        let (tree, facts) = read_commit(&repo, &commit, None)?;
        drop(commit);
        Ok((GitFiles { repo, tree }, facts))
    }

    fn io(path: &str, e: impl std::fmt::Display) -> ReadError {
        ReadError::Io {
            path: path.to_string(),
            message: e.to_string(),
        }
    }

    fn lookup(&self, path: &str) -> Result<Option<(EntryKind, gix::ObjectId)>, ReadError> {
        let tree = self
            .repo
            .find_tree(self.tree)
            .map_err(|e| Self::io(path, e))?;
        let entry = tree
            .lookup_entry_by_path(path)
            .map_err(|e| Self::io(path, e))?;
        Ok(entry.map(|e| (e.mode().kind(), e.object_id())))
    }

    fn blob(&self, path: &str, id: gix::ObjectId) -> Result<Vec<u8>, ReadError> {
        let header = self.repo.find_header(id).map_err(|e| Self::io(path, e))?;
        if header.size() > MAX_FILE_BYTES {
            return Err(ReadError::TooLarge {
                path: path.to_string(),
                bytes: header.size(),
            });
        }
        let blob = self.repo.find_blob(id).map_err(|e| Self::io(path, e))?;
        Ok(blob.detach().data)
    }

    /// Finds the blob at `path`, following symlinks that stay inside.
    pub(super) fn resolve(&self, path: &str) -> Result<gix::ObjectId, ReadError> {
        let mut current = path.to_string();
        for _ in 0..MAX_SYMLINK_HOPS {
            match self.lookup(&current)? {
                Some((EntryKind::Blob | EntryKind::BlobExecutable, id)) => return Ok(id),
                Some((EntryKind::Link, id)) => {
                    current = self.follow(path, &current, id)?;
                }
                Some(_) => return Err(ReadError::NotAFile(path.to_string())),
                None => current = self.through_linked_folder(path, &current)?,
            }
        }
        Err(ReadError::SymlinkEscapes(path.to_string()))
    }

    /// The path a symlink at `link` points to, if it stays in the repository.
    fn follow(&self, asked: &str, link: &str, id: gix::ObjectId) -> Result<String, ReadError> {
        let target = String::from_utf8(self.blob(link, id)?)
            .map_err(|_| ReadError::SymlinkEscapes(asked.to_string()))?;
        safe_path::join(safe_path::parent(link), &target)
            .map_err(|_| ReadError::SymlinkEscapes(asked.to_string()))
    }

    /// When a folder on the way is a symlink, rewrites the path through it.
    fn through_linked_folder(&self, asked: &str, path: &str) -> Result<String, ReadError> {
        let parts: Vec<&str> = path.split('/').collect();
        for i in 1..parts.len() {
            let prefix = parts[..i].join("/");
            match self.lookup(&prefix)? {
                Some((EntryKind::Link, id)) => {
                    let target = self.follow(asked, &prefix, id)?;
                    return Ok(format!("{target}/{}", parts[i..].join("/")));
                }
                Some((EntryKind::Tree, _)) => continue,
                _ => break,
            }
        }
        Err(ReadError::NotFound(asked.to_string()))
    }

    pub(super) fn tree_id(&self) -> gix::ObjectId {
        self.tree
    }

    /// The id of the folder at `path` (no symlink followed); `None` when
    /// no folder is there.
    pub(super) fn folder_id(&self, path: &str) -> Option<gix::ObjectId> {
        if path.is_empty() {
            return Some(self.tree);
        }
        match self.lookup(path) {
            Ok(Some((EntryKind::Tree, id))) => Some(id),
            _ => None,
        }
    }

    pub(super) fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        let id = self.resolve(path)?;
        self.blob(path, id)
    }

    pub(super) fn check_file(&self, path: &str) -> Result<(), ReadError> {
        self.resolve(path).map(|_| ())
    }

    /// Every file of the tree. Each entry's name is checked before it
    /// becomes part of a path: git accepts tree entries named `..` or
    /// holding `/`, which would otherwise turn into paths outside the
    /// repository (or the site) once joined.
    pub(super) fn list(&self, skip_vendored: bool) -> Listing {
        let mut listing = Listing {
            git_links: Some(Vec::new()),
            ..Listing::default()
        };
        let mut budget = super::ListingBudget::new();
        let mut folders = vec![(self.tree, String::new())];
        'walk: while let Some((id, prefix)) = folders.pop() {
            let Ok(tree) = self.repo.find_tree(id) else {
                continue;
            };
            for entry in tree.iter().flatten() {
                if !budget.spend() {
                    let waiting = folders.iter().map(|(_, folder)| folder.as_str());
                    super::ListingBudget::stopped(&mut listing, &prefix, waiting);
                    break 'walk;
                }
                let name = match safe_path::check_name(entry.filename()) {
                    Ok(name) => name,
                    Err(reason) => {
                        super::ListingBudget::skip(&mut listing, || {
                            SkippedName::new(&prefix, entry.filename(), reason)
                        });
                        continue;
                    }
                };
                let path = if prefix.is_empty() {
                    name.to_string()
                } else {
                    format!("{prefix}/{name}")
                };
                match entry.kind() {
                    EntryKind::Tree if !(skip_vendored && is_skipped_dir(name)) => {
                        folders.push((entry.object_id(), path));
                    }
                    EntryKind::Blob | EntryKind::BlobExecutable | EntryKind::Link => {
                        let link = entry.kind() == EntryKind::Link;
                        if !super::ListingBudget::take_file(&mut listing, path.clone()) {
                            let waiting = folders.iter().map(|(_, folder)| folder.as_str());
                            super::ListingBudget::stopped(&mut listing, &prefix, waiting);
                            break 'walk;
                        }
                        if link && let Some(links) = &mut listing.git_links {
                            links.push(path);
                        }
                    }
                    _ => {}
                }
            }
        }
        listing
    }
}
