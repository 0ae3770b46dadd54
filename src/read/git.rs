//! Files of bare clones, read straight from git objects with gix, and the
//! git facts (branch, commit, remote) of any git repository.

use super::git_handle::{GitHandle, HASH, Objects, stored_size};
use super::{
    Listing, MAX_FILE_BYTES, OpenError, ReadError, SkippedName, is_skipped_dir, safe_path,
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
    objects: Objects,
    tree: gix::ObjectId,
}

impl GitFiles {
    /// Another handle on the repository read through: the same object
    /// store (packs mapped once), an object cache of its own. A clone read
    /// through its object store alone is opened in full (its packs mapped
    /// again; `--history` opens such clones whole from the start); `None`
    /// when it will not open.
    pub(super) fn repository(&self) -> Option<gix::Repository> {
        match &self.objects {
            Objects::Repository(repo) => Some(repo.clone()),
            Objects::Store { handle, .. } => handle.local().ok(),
        }
    }

    /// Whether the files are read through a bare clone's object store
    /// alone (see [`GitHandle::open`]).
    #[cfg(test)]
    pub(super) fn through_store(&self) -> bool {
        matches!(self.objects, Objects::Store { .. })
    }

    /// The handle read through, its object cache with it (or, for a clone
    /// read through its object store alone, the repository opened in full).
    pub(super) fn into_repository(self) -> Option<gix::Repository> {
        match self.objects {
            Objects::Repository(repo) => Some(repo),
            Objects::Store { handle, .. } => handle.local().ok(),
        }
    }
}

fn open_repo(root: &Path) -> Result<gix::Repository, String> {
    // Isolated: ignore the user's and the system's git config and environment.
    gix::open_opts(root, gix::open::Options::isolated()).map_err(|e| e.to_string())
}

/// `handle`'s repository when there is one, else the repository at `root`
/// opened now.
pub(super) fn open_with(
    root: &Path,
    handle: Option<&GitHandle>,
) -> Result<gix::Repository, String> {
    match handle {
        Some(handle) => handle.local(),
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
    super::git_facts::read_known(root, authors)
        .or_else(|| Some(facts_of(&handle.local().ok()?)))
        .unwrap_or_default()
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
            && let Some((tree, facts)) = handle.head()
        {
            let cannot_open = |e| OpenError {
                message: format!("cannot open git repository `{}`: {e}", root.display()),
                hint: None,
            };
            let files = GitFiles {
                objects: handle.objects().map_err(cannot_open)?,
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
        let objects = Objects::Repository(repo);
        Ok((GitFiles { objects, tree }, facts))
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
        let objects = Objects::Repository(repo);
        Ok((GitFiles { objects, tree }, facts))
    }

    fn io(path: &str, e: impl std::fmt::Display) -> ReadError {
        ReadError::Io {
            path: path.to_string(),
            message: e.to_string(),
        }
    }

    /// The kind and id of the tree entry at `path`; `None` when a folder on
    /// the way has no such entry or is not a folder. Through a clone's
    /// object store alone, found folder by folder as
    /// `gix::Tree::lookup_entry_by_path` finds it; any failure there is
    /// asked of the repository opened in full, so that its error is gix's.
    fn lookup(&self, path: &str) -> Result<Option<(EntryKind, gix::ObjectId)>, ReadError> {
        match &self.objects {
            Objects::Repository(repo) => lookup_in(repo, self.tree, path),
            Objects::Store { handle, .. } => match self.lookup_in_store(path) {
                Some(found) => Ok(found),
                None => lookup_in(&self.full(handle, path)?, self.tree, path),
            },
        }
    }

    /// [`GitFiles::lookup`] through the object store; `None` on any failure.
    fn lookup_in_store(&self, path: &str) -> Option<Option<(EntryKind, gix::ObjectId)>> {
        let mut buf = Vec::new();
        let mut data = self.objects.find(&self.tree, &mut buf).ok()?;
        if data.kind != gix::object::Kind::Tree {
            return None;
        }
        let mut components = Path::new(path)
            .components()
            .map(|c| c.as_os_str().as_encoded_bytes())
            .peekable();
        loop {
            match gix::objs::tree::next_entry(&mut components, data) {
                std::ops::ControlFlow::Break(entry) => {
                    return Some(entry.map(|e| (e.mode.kind(), e.oid.to_owned())));
                }
                std::ops::ControlFlow::Continue(id) => {
                    data = self.objects.find(&id, &mut buf).ok()?;
                }
            }
        }
    }

    /// The repository opened in full, for what the object store alone
    /// could not answer.
    fn full(&self, handle: &GitHandle, path: &str) -> Result<gix::Repository, ReadError> {
        handle.local().map_err(|e| Self::io(path, e))
    }

    /// The bytes of the blob `id` at `path`, refused above [`MAX_FILE_BYTES`].
    /// Through a clone's object store alone, any failure is asked of the
    /// repository opened in full, so that its error is gix's.
    fn blob(&self, path: &str, id: gix::ObjectId) -> Result<Vec<u8>, ReadError> {
        match &self.objects {
            Objects::Repository(repo) => blob_in(repo, path, id),
            Objects::Store { objects, handle } => match self.blob_in_store(objects, path, id) {
                Some(read) => read,
                None => blob_in(&self.full(handle, path)?, path, id),
            },
        }
    }

    /// [`GitFiles::blob`] through the object store `objects`; `None` on
    /// any failure but a blob too large.
    fn blob_in_store(
        &self,
        objects: &gix::odb::HandleArc,
        path: &str,
        id: gix::ObjectId,
    ) -> Option<Result<Vec<u8>, ReadError>> {
        let size = stored_size(objects, &id)?;
        if size > MAX_FILE_BYTES {
            return Some(Err(ReadError::TooLarge {
                path: path.to_string(),
                bytes: size,
            }));
        }
        let mut buf = Vec::new();
        let data = self.objects.find(&id, &mut buf).ok()?;
        if data.kind != gix::object::Kind::Blob {
            return None;
        }
        // The store reads the object into the buffer whole, as `gix`'s
        // own `find_blob` relies on: the buffer is the blob, not copied.
        let (start, len) = (data.data.as_ptr() as usize, data.data.len());
        let offset = start.wrapping_sub(buf.as_ptr() as usize);
        match buf.get(offset..offset.saturating_add(len)) {
            Some(bytes) if offset > 0 || len < buf.len() => Some(Ok(bytes.to_vec())),
            Some(_) => Some(Ok(buf)),
            None => None,
        }
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
        let mut buf = Vec::new();
        'walk: while let Some((id, prefix)) = folders.pop() {
            let Ok(tree) = self.objects.find(&id, &mut buf) else {
                continue;
            };
            if tree.kind != gix::object::Kind::Tree {
                continue;
            }
            for entry in gix::objs::TreeRefIter::from_bytes(tree.data, HASH).flatten() {
                if !budget.spend() {
                    let waiting = folders.iter().map(|(_, folder)| folder.as_str());
                    super::ListingBudget::stopped(&mut listing, &prefix, waiting);
                    break 'walk;
                }
                let name = match safe_path::check_name(entry.filename) {
                    Ok(name) => name,
                    Err(reason) => {
                        super::ListingBudget::skip(&mut listing, || {
                            SkippedName::new(&prefix, entry.filename, reason)
                        });
                        continue;
                    }
                };
                let path = if prefix.is_empty() {
                    name.to_string()
                } else {
                    format!("{prefix}/{name}")
                };
                match entry.mode.kind() {
                    EntryKind::Tree if !(skip_vendored && is_skipped_dir(name)) => {
                        folders.push((entry.oid.to_owned(), path));
                    }
                    EntryKind::Blob | EntryKind::BlobExecutable | EntryKind::Link => {
                        let link = entry.mode.kind() == EntryKind::Link;
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

/// The kind and id of the tree entry at `path` under `tree`, read through
/// a repository opened in full.
fn lookup_in(
    repo: &gix::Repository,
    tree: gix::ObjectId,
    path: &str,
) -> Result<Option<(EntryKind, gix::ObjectId)>, ReadError> {
    let tree = repo.find_tree(tree).map_err(|e| GitFiles::io(path, e))?;
    let entry = tree
        .lookup_entry_by_path(path)
        .map_err(|e| GitFiles::io(path, e))?;
    Ok(entry.map(|e| (e.mode().kind(), e.object_id())))
}

/// The bytes of the blob `id` at `path`, read through a repository opened
/// in full; refused above [`MAX_FILE_BYTES`].
fn blob_in(repo: &gix::Repository, path: &str, id: gix::ObjectId) -> Result<Vec<u8>, ReadError> {
    let header = repo.find_header(id).map_err(|e| GitFiles::io(path, e))?;
    if header.size() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge {
            path: path.to_string(),
            bytes: header.size(),
        });
    }
    let blob = repo.find_blob(id).map_err(|e| GitFiles::io(path, e))?;
    Ok(blob.detach().data)
}
