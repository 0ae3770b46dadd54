//! A repository opened once per run ([`GitHandle`]), and what a bare
//! clone's objects are read through ([`Objects`]): the whole repository, or
//! for a bare clone in the plain layout its object store alone.

use super::RepoKind;
use super::git::{GitFacts, GitFiles, author_of};
use std::path::Path;

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
    root: std::path::PathBuf,
    kind: RepoKind,
    slots: gix::odb::store::init::Slots,
    /// The repository opened in full: when the handle is opened, or for a
    /// plain bare clone read through `store`, when a stage first needs it
    /// (a failed open is tried again by the next stage, as without a
    /// handle).
    repo: std::sync::Mutex<Option<gix::ThreadSafeRepository>>,
    /// A plain bare clone's object store, opened without the repository.
    store: Option<std::sync::Arc<gix::odb::Store>>,
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
    /// disk, never through its HEAD). A bare clone in the plain layout
    /// (see [`super::git_facts::read_bare_head`]) has its object store
    /// opened alone unless `whole` asks for the whole repository at once
    /// (history will walk it): the full open (config with its environment
    /// overrides, the refs store, ownership) was 11 % of `check`'s
    /// instructions over 2,000 packed clones.
    pub(super) fn open(
        root: &Path,
        kind: RepoKind,
        slots: gix::odb::store::init::Slots,
        whole: bool,
    ) -> Option<GitHandle> {
        if kind == RepoKind::Bare
            && !whole
            && let Some(handle) = GitHandle::open_store(root, slots)
        {
            return Some(handle);
        }
        let repo = open_full(root, kind, slots).ok()?;
        // Read through a cache like any other (peeling HEAD finds the
        // commit twice).
        let local = with_object_cache(&repo);
        let head = if local.is_bare() {
            GitFiles::at(local, None)
                .ok()
                .map(|(files, facts)| (files.tree_id(), facts))
        } else {
            None
        };
        Some(GitHandle(std::sync::Arc::new(Opened {
            root: root.to_path_buf(),
            kind,
            slots,
            repo: std::sync::Mutex::new(Some(repo)),
            store: None,
            head,
        })))
    }

    /// A plain bare clone's handle with only its object store open, its
    /// HEAD read from its files and its commit from the store; `None`
    /// when the clone is laid out otherwise or HEAD names no commit (the
    /// full open then reads it, or says why it cannot).
    fn open_store(root: &Path, slots: gix::odb::store::init::Slots) -> Option<GitHandle> {
        let head = super::git_facts::read_bare_head(root)?;
        let commit = head.commit?;
        // As `gix::open` makes it for this layout: no replacements (there
        // are no replacement refs), the default options otherwise.
        let options = gix::odb::store::init::Options {
            slots,
            ..Default::default()
        };
        let store =
            gix::odb::Store::at_opts(root.join("objects"), HASH, &mut std::iter::empty(), options)
                .ok()?;
        let store = std::sync::Arc::new(store);
        let objects = store_handle(&store);
        let mut buf = Vec::new();
        let data = gix::objs::Find::try_find(&objects, &commit, &mut buf).ok()??;
        // A branch naming a tag or a tree: the full open peels it, or
        // says why it cannot.
        if data.kind != gix::object::Kind::Commit {
            return None;
        }
        let tree = gix::objs::CommitRefIter::from_bytes(data.data, HASH)
            .tree_id()
            .ok()?;
        let commit_by = gix::objs::CommitRefIter::from_bytes(data.data, HASH)
            .author()
            .ok()
            .and_then(|author| author_of(author.trim()));
        let facts = GitFacts {
            branch: head.branch,
            commit: Some(commit.to_string()),
            remote_url: head.remote_url,
            commit_by,
        };
        Some(GitHandle(std::sync::Arc::new(Opened {
            root: root.to_path_buf(),
            kind: RepoKind::Bare,
            slots,
            repo: std::sync::Mutex::new(None),
            store: Some(store),
            head: Some((tree, facts)),
        })))
    }

    /// A handle to read through, with an object cache of its own: a
    /// stage looks each path up from the root tree, so without one the
    /// root tree of a bare clone with loose objects was opened, read and
    /// inflated again for every path (6 times per repository in `check`).
    /// A clone opened through its object store alone is opened in full
    /// now, once (its object store then mapped a second time); the error
    /// says why it would not open.
    pub(super) fn local(&self) -> Result<gix::Repository, String> {
        let opened = &self.0;
        let mut slot = crate::memo::lock(&opened.repo);
        let repo = match &mut *slot {
            Some(repo) => repo,
            empty => empty.insert(open_full(&opened.root, opened.kind, opened.slots)?),
        };
        Ok(with_object_cache(repo))
    }

    /// A bare clone's HEAD tree and facts as read at open.
    pub(super) fn head(&self) -> Option<&(gix::ObjectId, GitFacts)> {
        self.0.head.as_ref()
    }

    /// What a stage reads the handle's files through.
    pub(super) fn objects(&self) -> Result<Objects, String> {
        Ok(match &self.0.store {
            Some(store) => Objects::Store {
                objects: store_handle(store),
                handle: self.clone(),
            },
            None => Objects::Repository(self.local()?),
        })
    }
}

/// The repository at `root` opened in full (isolated, `slots` for its
/// object store).
fn open_full(
    root: &Path,
    kind: RepoKind,
    slots: gix::odb::store::init::Slots,
) -> Result<gix::ThreadSafeRepository, String> {
    // Discovery found a bare clone's `HEAD`, `objects` and `refs`:
    // gix need not look for `ROOT/.git` first (five failed look-ups
    // per clone).
    let options = gix::open::Options::isolated()
        .object_store_slots(slots)
        .open_path_as_is(kind == RepoKind::Bare);
    gix::ThreadSafeRepository::open_opts(root, options).map_err(|e| e.to_string())
}

/// A handle on `store` with the caches `gix` gives a repository's (see
/// `gix::repository::init::setup_objects`: a small pack cache) and
/// [`LOCAL_OBJECT_CACHE_BYTES`] of object cache.
fn store_handle(store: &std::sync::Arc<gix::odb::Store>) -> gix::odb::HandleArc {
    let mut objects = store.to_cache_arc();
    objects.set_pack_cache(|| Box::<gix::odb::pack::cache::lru::StaticLinkedList<64>>::default());
    objects.set_object_cache(|| {
        Box::new(gix::odb::pack::cache::object::MemoryCappedHashmap::new(
            LOCAL_OBJECT_CACHE_BYTES,
        ))
    });
    objects
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
        write!(f, "GitHandle({})", self.0.root.display())
    }
}

/// What a bare clone's objects are read through. Both variants are large
/// (a repository, or an object store handle with its caches); a snapshot
/// keeps its files boxed.
#[allow(clippy::large_enum_variant)]
pub(super) enum Objects {
    /// A repository opened in full.
    Repository(gix::Repository),
    /// The object store of a plain bare clone, opened alone (see
    /// [`GitHandle::open`]); `handle` opens the repository in full for a
    /// stage that needs more than its objects (refs, history).
    Store {
        objects: gix::odb::HandleArc,
        handle: GitHandle,
    },
}

impl Objects {
    /// The object `id`, read into `buf`; an error when it is missing.
    /// The empty tree is known without a look-up, as `gix` knows it
    /// (`Repository::find_object`, and its `Find` a tree's path look-up
    /// reads the folders on the way through).
    pub(super) fn find<'b>(
        &self,
        id: &gix::oid,
        buf: &'b mut Vec<u8>,
    ) -> Result<gix::objs::Data<'b>, String> {
        use gix::objs::Find;
        if id == EMPTY_TREE.as_ref() {
            buf.clear();
            return Ok(gix::objs::Data::new(buf, gix::object::Kind::Tree, HASH));
        }
        let found = match self {
            Objects::Repository(repo) => repo.objects.try_find(id, buf),
            Objects::Store { objects, .. } => objects.try_find(id, buf),
        };
        match found {
            Ok(Some(data)) => Ok(data),
            Ok(None) => Err(format!("object {id} is missing")),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// The size of the object `id` in a clone's object store, without reading
/// all of it (the empty tree's known, as `gix` knows it); `None` when it
/// is missing or cannot be read.
pub(super) fn stored_size(objects: &gix::odb::HandleArc, id: &gix::oid) -> Option<u64> {
    use gix::objs::FindHeader;
    if id == EMPTY_TREE.as_ref() {
        return Some(0);
    }
    Some(objects.try_header(id).ok()??.size)
}

/// The object format of every repository Portico reads (gix is built
/// for SHA-1 alone).
pub(super) const HASH: gix::hash::Kind = gix::hash::Kind::Sha1;

/// The id of the empty tree, which `gix` reads without a look-up.
const EMPTY_TREE: gix::ObjectId = gix::ObjectId::empty_tree(HASH);

#[cfg(test)]
mod tests {
    use super::super::git::GitFiles;
    use super::super::git_facts::tests::git;
    use super::*;
    use gix::odb::store::init::Slots;

    /// The bare clone at `root` opened both ways: its object store alone
    /// (when its layout allows) and in full. Whichever way, HEAD's tree and
    /// facts are the same; says whether the store alone was opened.
    fn opened_both_ways(root: &Path) -> (bool, GitHandle, GitHandle) {
        let fast = GitHandle::open(root, RepoKind::Bare, Slots::default(), false).unwrap();
        let full = GitHandle::open(root, RepoKind::Bare, Slots::default(), true).unwrap();
        assert!(full.0.store.is_none());
        assert_eq!(fast.0.head, full.0.head, "{}", root.display());
        (fast.0.store.is_some(), fast, full)
    }

    /// Every file of HEAD read through `fast` is what `full` reads, and so
    /// is every failure; returns the listing.
    fn same_files(root: &Path, fast: &GitHandle, full: &GitHandle) -> Vec<String> {
        let (fast, _) = GitFiles::open(root, Some(fast), None).unwrap();
        let (full, _) = GitFiles::open(root, Some(full), None).unwrap();
        assert!(fast.through_store());
        assert!(!full.through_store());
        let listing = fast.list(false);
        let other = full.list(false);
        assert_eq!(listing.files, other.files);
        assert_eq!(listing.git_links, other.git_links);
        assert_eq!(fast.tree_id(), full.tree_id());
        let mut paths = listing.files.clone();
        paths.extend(
            [
                "missing.md",
                "docs/missing.md",
                "linked/index.md",
                "linked/deeper/page.md",
                "out.md",
                "docs",
                "docs/index.md/below",
                "",
            ]
            .map(String::from),
        );
        for path in &paths {
            assert_eq!(fast.read(path), full.read(path), "{path}");
            assert_eq!(fast.resolve(path), full.resolve(path), "{path}");
            assert_eq!(fast.folder_id(path), full.folder_id(path), "{path}");
        }
        listing.files
    }

    /// A work tree with folders, a symlink to a folder, a symlink out, an
    /// empty file and an executable, committed on `main`; and its bare clone.
    fn clone_of_a_full_tree(tmp: &Path) -> std::path::PathBuf {
        let work = tmp.join("work");
        std::fs::create_dir_all(work.join("docs/deeper")).unwrap();
        std::fs::write(work.join("catalog-info.yaml"), "kind: Component\n").unwrap();
        std::fs::write(work.join("docs/index.md"), "# Home\n").unwrap();
        std::fs::write(work.join("docs/deeper/page.md"), "# Deep\n").unwrap();
        std::fs::write(work.join("empty.md"), "").unwrap();
        std::fs::write(work.join("run.sh"), "#!/bin/sh\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::{PermissionsExt, symlink};
            std::fs::set_permissions(work.join("run.sh"), PermissionsExt::from_mode(0o755))
                .unwrap();
            symlink("docs", work.join("linked")).unwrap();
            symlink("../../etc/passwd", work.join("out.md")).unwrap();
        }
        git(&work, &["init", "-q"]);
        git(&work, &["add", "."]);
        git(&work, &["commit", "-q", "-m", "first"]);
        git(tmp, &["clone", "-q", "--bare", "work", "clone.git"]);
        tmp.join("clone.git")
    }

    #[test]
    fn a_plain_bare_clone_reads_the_same_through_its_object_store_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let clone = clone_of_a_full_tree(tmp.path());
        // Loose objects, loose refs.
        let (alone, fast, full) = opened_both_ways(&clone);
        assert!(alone, "the plain layout opens its object store alone");
        let files = same_files(&clone, &fast, &full);
        assert!(files.contains(&"docs/deeper/page.md".to_string()));
        let facts = &fast.0.head.as_ref().unwrap().1;
        assert_eq!(facts.branch.as_deref(), Some("main"));
        assert_eq!(
            facts.commit_by,
            Some(("2026-01-02".to_string(), "Ada Author".to_string()))
        );
        assert!(facts.remote_url.as_deref().unwrap().ends_with("work"));

        // Packed objects and packed refs.
        git(&clone, &["gc", "-q", "--aggressive"]);
        assert!(!clone.join("refs/heads/main").exists());
        let (alone, fast, full) = opened_both_ways(&clone);
        assert!(alone);
        same_files(&clone, &fast, &full);

        // A detached HEAD.
        let id = git(&clone, &["rev-parse", "HEAD"]);
        std::fs::write(clone.join("HEAD"), format!("{id}\n")).unwrap();
        let (alone, fast, full) = opened_both_ways(&clone);
        assert!(alone);
        assert_eq!(fast.0.head.as_ref().unwrap().1.branch, None);
        same_files(&clone, &fast, &full);

        // A stage that needs refs (a history walk, tags) gets the whole
        // repository, opened then.
        assert!(crate::memo::lock(&fast.0.repo).is_none());
        let repo = fast.local().unwrap();
        assert_eq!(repo.head_id().unwrap().to_string(), id);
        let (files, _) = GitFiles::open(&clone, Some(&fast), None).unwrap();
        assert!(files.into_repository().is_some());
    }

    #[test]
    fn other_layouts_are_opened_in_full() {
        let tmp = tempfile::tempdir().unwrap();
        let clone = clone_of_a_full_tree(tmp.path());
        let main = git(&clone, &["rev-parse", "HEAD"]);
        let in_full = |why: &str| {
            let (alone, fast, full) = opened_both_ways(&clone);
            assert!(!alone, "{why}: opened in full");
            assert!(fast.0.head.is_some(), "{why}: HEAD still read");
            same_files_in_full(&clone, &fast, &full);
        };

        // A branch naming an annotated tag: gix peels it to its commit.
        git(&clone, &["tag", "-a", "v1", "-m", "one", "main"]);
        let tag = git(&clone, &["rev-parse", "v1"]);
        // (git refuses to write it; a hostile clone has it anyway.)
        std::fs::write(clone.join("refs/heads/tagged"), format!("{tag}\n")).unwrap();
        git(&clone, &["symbolic-ref", "HEAD", "refs/heads/tagged"]);
        in_full("a tag");
        git(&clone, &["symbolic-ref", "HEAD", "refs/heads/main"]);

        // Replacement refs, loose or packed, change the objects read.
        git(&clone, &["update-ref", "refs/replace/x", &main]);
        in_full("a loose replacement ref");
        git(&clone, &["pack-refs", "--all"]);
        std::fs::remove_dir_all(clone.join("refs/replace")).ok();
        assert!(
            std::fs::read_to_string(clone.join("packed-refs"))
                .unwrap()
                .contains("refs/replace/x")
        );
        in_full("a packed replacement ref");
        git(&clone, &["update-ref", "-d", "refs/replace/x"]);
        // (git leaves the folder behind, empty: still refused, to be safe.)
        in_full("an empty replacement folder");
        std::fs::remove_dir(clone.join("refs/replace")).unwrap();
        let (alone, _, _) = opened_both_ways(&clone);
        assert!(alone, "back to the plain layout");

        // Alternates, a mirror's refspec, config the fast path does not know.
        std::fs::write(clone.join("objects/info/alternates"), "").unwrap();
        in_full("alternates");
        std::fs::remove_file(clone.join("objects/info/alternates")).unwrap();
        git(&clone, &["config", "remote.origin.mirror", "true"]);
        in_full("a mirror");
        git(&clone, &["config", "--unset", "remote.origin.mirror"]);
        git(&clone, &["config", "core.hooksPath", "elsewhere"]);
        in_full("an unknown core key");
    }

    #[test]
    fn packed_refs_are_read_as_gix_reads_them() {
        let tmp = tempfile::tempdir().unwrap();
        let clone = clone_of_a_full_tree(tmp.path());
        let first = git(&clone, &["rev-parse", "HEAD"]);
        let tree = git(&clone, &["rev-parse", "HEAD^{tree}"]);
        let second = git(
            &clone,
            &["commit-tree", &tree, "-p", &first, "-m", "second"],
        );
        git(&clone, &["pack-refs", "--all"]);
        assert!(!clone.join("refs/heads/main").exists());
        let header = "# pack-refs with: peeled fully-peeled sorted \n";
        let write = |text: String| std::fs::write(clone.join("packed-refs"), text).unwrap();
        let in_full = |why: &str| {
            let (alone, _, _) = opened_both_ways(&clone);
            assert!(!alone, "{why}: opened in full");
        };

        // A peeled id after a branch: gix takes it as the branch's commit.
        write(format!("{header}{first} refs/heads/main\n^{second}\n"));
        in_full("a peeled branch");
        let facts = GitHandle::open(&clone, RepoKind::Bare, Slots::default(), false).unwrap();
        assert_eq!(
            facts.head().unwrap().1.commit.as_deref(),
            Some(second.as_str())
        );

        // Files gix refuses, even with the branch a loose ref beside them.
        let main = format!("{first} refs/heads/main\n");
        for (why, text) in [
            (
                "a comment after the header",
                format!("{header}{main}# late\n"),
            ),
            (
                "a peeled id with no record",
                format!("{header}^{second}\n{main}"),
            ),
            (
                "a name git refuses",
                format!("{header}{main}{first} refs/heads/a b\n"),
            ),
        ] {
            write(text.clone());
            in_full(why);
            std::fs::write(clone.join("refs/heads/main"), format!("{first}\n")).unwrap();
            write(text);
            in_full(&format!("{why}, the branch loose"));
            std::fs::remove_file(clone.join("refs/heads/main")).unwrap();
        }

        // Sorted as said, or not sorted and said so: read alone.
        write(format!("{header}{main}"));
        let (alone, _, _) = opened_both_ways(&clone);
        assert!(alone);
        write(format!("{first} refs/tags/z\n{main}"));
        let (alone, _, _) = opened_both_ways(&clone);
        assert!(alone);
    }

    #[test]
    fn a_missing_object_fails_as_the_full_open_fails() {
        let tmp = tempfile::tempdir().unwrap();
        let clone = clone_of_a_full_tree(tmp.path());
        let blob = git(&clone, &["rev-parse", "HEAD:docs/index.md"]);
        let (folder, file) = blob.split_at(2);
        std::fs::remove_file(clone.join("objects").join(folder).join(file)).unwrap();
        let (alone, fast, full) = opened_both_ways(&clone);
        assert!(alone);
        let files = same_files(&clone, &fast, &full);
        assert!(files.contains(&"docs/index.md".to_string()));
        let (through_store, _) = GitFiles::open(&clone, Some(&fast), None).unwrap();
        let error = through_store.read("docs/index.md").unwrap_err();
        assert!(
            matches!(error, super::super::ReadError::Io { .. }),
            "{error:?}"
        );
    }

    #[test]
    fn precomposed_unicode_is_left_to_the_full_open() {
        let tmp = tempfile::tempdir().unwrap();
        let clone = clone_of_a_full_tree(tmp.path());
        git(&clone, &["config", "core.precomposeUnicode", "false"]);
        let (alone, _, _) = opened_both_ways(&clone);
        assert!(alone, "false changes nothing");
        git(&clone, &["config", "core.precomposeUnicode", "true"]);
        let (alone, _, _) = opened_both_ways(&clone);
        assert!(!alone, "true: the full open decides");
    }

    /// Both handles opened in full read the same.
    fn same_files_in_full(root: &Path, fast: &GitHandle, full: &GitHandle) {
        let (a, _) = GitFiles::open(root, Some(fast), None).unwrap();
        let (b, _) = GitFiles::open(root, Some(full), None).unwrap();
        assert_eq!(a.list(false).files, b.list(false).files);
        assert_eq!(a.read("docs/index.md"), b.read("docs/index.md"));
    }

    #[test]
    fn an_empty_bare_clone_says_why_it_has_no_files() {
        let tmp = tempfile::tempdir().unwrap();
        git(tmp.path(), &["init", "-q", "--bare", "empty.git"]);
        let root = tmp.path().join("empty.git");
        let handle = GitHandle::open(&root, RepoKind::Bare, Slots::default(), false).unwrap();
        assert!(handle.0.store.is_none(), "no commit: opened in full");
        assert!(handle.0.head.is_none());
        let error = GitFiles::open(&root, Some(&handle), None).err().unwrap();
        assert!(error.message.contains("HEAD does not point to a commit"));
    }
}
