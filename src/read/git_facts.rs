//! A work tree's git facts (branch, commit, remote, author) read straight
//! from the files of its `.git` folder, without a full `gix::open`.
//!
//! `portico check` and `build` read these facts once per work tree; a full
//! open (repository config with its trust and ownership checks, the refs
//! store, the object store, replacement refs) was most of that, 14 % of a
//! `check` over 2,000 work trees. Here only the few files that make the
//! facts are read: `HEAD`, the branch's loose ref or `packed-refs`, the
//! commit's loose object and `config`. The facts must be the ones the
//! full open gives, byte for byte, so [`read_known`] answers only for the plain
//! layout it understands and returns `None` for anything else (a `.git`
//! file, a linked work tree, replacement refs, config includes, URL
//! rewrites, extensions, a packed or missing commit, a remote with push
//! URLs or unusual refspecs, a repository not owned by this user); the
//! caller then opens git in full, as before.

use super::git::{GitFacts, author_of};
use super::kept_authors::CommitAuthors;
use gix::bstr::{BStr, ByteSlice};
use std::path::Path;

/// Config sections whose keys cannot change the facts read here; any
/// other section (`include`, `url`, `extensions`, `gitoxide`, ...) may,
/// and sends the repository to the full open.
const KNOWN_SECTIONS: &[&str] = &["core", "remote", "branch"];

/// The `core` keys `git init` and `git clone` write, all booleans: gix
/// checks some core values as it opens a repository (and fails on a bad
/// one), so any other key, or a value that is not `true`/`false`, goes to
/// the full open. `repositoryformatversion` must be 0.
const KNOWN_CORE_KEYS: &[&str] = &[
    "filemode",
    "bare",
    "logallrefupdates",
    "ignorecase",
    "symlinks",
];

/// A `core` key known only when `false`: set, gix precomposes the git
/// folder's path (macOS's decomposed names) and may read another folder.
const KNOWN_WHEN_FALSE: &[&str] = &["precomposeunicode"];

/// [`read_known`] with no authors kept.
#[cfg(test)]
pub(super) fn read(root: &Path) -> Option<GitFacts> {
    read_known(root, None)
}

/// The facts of the work tree at `root`, or `None` when its layout is not
/// the plain one this reads (the caller then opens git in full). The
/// commit's author is taken from `authors` when an earlier build read it
/// and its loose object is still there (see [`super::kept_authors`]);
/// an author read is recorded there.
pub(super) fn read_known(root: &Path, authors: Option<&CommitAuthors>) -> Option<GitFacts> {
    let git_dir = root.join(".git");
    // A `.git` file (linked work tree, submodule) or a symlink: full open.
    if !std::fs::symlink_metadata(&git_dir).ok()?.is_dir() {
        return None;
    }
    let head = read_head(&git_dir, &[root, git_dir.as_path()])?;
    let (commit, commit_by) = match head.commit {
        Some(id) => {
            let hex = id.to_string();
            let known = authors
                .filter(|_| loose_object(&git_dir, &hex))
                .and_then(|authors| authors.known(&hex));
            let by = match known {
                Some(by) => by,
                None => {
                    let by = commit_by(&git_dir, &id)?;
                    if let Some(authors) = authors {
                        authors.read(&hex, &by);
                    }
                    by
                }
            };
            (Some(hex), by)
        }
        None => (None, None),
    };
    Some(GitFacts {
        branch: head.branch,
        commit,
        remote_url: head.remote_url,
        commit_by,
    })
}

/// What the files of a plain git folder say about its HEAD.
pub(super) struct PlainHead {
    /// The branch HEAD names, shortened; `None` when detached.
    pub(super) branch: Option<String>,
    /// The id the branch (or a detached HEAD) holds; `None` on an unborn
    /// branch. Not yet known to be a commit.
    pub(super) commit: Option<gix::ObjectId>,
    /// The fetch URL of the `origin` remote (or of the only remote).
    pub(super) remote_url: Option<String>,
}

/// HEAD of the bare clone at `root` read from its files, or `None` when
/// its layout is not the plain one (see [`read_head`]), it has
/// alternates (their paths are resolved by the object store gix opens),
/// or any replacement ref (which would change the objects read).
pub(super) fn read_bare_head(root: &Path) -> Option<PlainHead> {
    if std::fs::symlink_metadata(root.join("objects/info/alternates")).is_ok() {
        return None;
    }
    read_head(root, &[root])
}

/// HEAD, its branch's id and the remote of the plain git folder
/// `git_dir`, `owners` being the folders whose ownership gix checks; `None`
/// for any layout other than the plain one (see the module's comment).
fn read_head(git_dir: &Path, owners: &[&Path]) -> Option<PlainHead> {
    // What gix requires of a git dir (else the open fails: no facts at
    // all), and nothing of a linked work tree's.
    if !git_dir.join("objects").is_dir()
        || !git_dir.join("refs").is_dir()
        || git_dir.join("commondir").exists()
        || git_dir.join("refs/replace").exists()
    {
        return None;
    }
    let packed = packed_refs(git_dir)?;
    // A repository owned by someone else has its config only partly
    // trusted by gix (its remotes are not read).
    for path in owners {
        if gix::sec::Trust::from_path_ownership(path).ok()? != gix::sec::Trust::Full {
            return None;
        }
    }
    let config = read_plain(&git_dir.join("config"), MAX_CONFIG_BYTES).ok()?;
    let remote_url = remote_url(&config)?;
    let head = read_plain(&git_dir.join("HEAD"), MAX_REF_BYTES).ok()?;
    let (branch, commit) = head_commit(git_dir, &head, packed.as_ref())?;
    Some(PlainHead {
        branch,
        commit,
        remote_url,
    })
}

/// The branch HEAD names (shortened, `None` when detached) and the commit
/// it points to (`None` on an unborn branch); `None` when HEAD is anything
/// else (a symbolic ref outside `refs/heads/`, a ref to a ref). `packed`:
/// the folder's `packed-refs`, when it has one (see [`packed_refs`]).
fn head_commit(
    git_dir: &Path,
    head: &[u8],
    packed: Option<&gix::refs::packed::Buffer>,
) -> Option<(Option<String>, Option<gix::ObjectId>)> {
    let head = head.strip_suffix(b"\n").unwrap_or(head);
    let Some(target) = head.strip_prefix(b"ref: ") else {
        // Detached: HEAD holds the commit id itself.
        return Some((None, Some(object_id(head)?)));
    };
    let name = gix::refs::FullName::try_from(target.as_bstr()).ok()?;
    if !name.as_bstr().starts_with(b"refs/heads/") {
        return None;
    }
    let branch = Some(name.shorten().to_string());
    let path = git_dir.join(name.as_bstr().to_str().ok()?);
    let commit = match read_plain(&path, MAX_REF_BYTES) {
        Ok(content) => {
            let content = content.strip_suffix(b"\n").unwrap_or(&content);
            Some(object_id(content)?)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => packed_id(packed, name.as_bstr())?,
        Err(_) => return None,
    };
    Some((branch, commit))
}

/// The folder's `packed-refs` as gix reads it (its own parser): `Some(None)`
/// when there is none; `None` when it cannot be read, does not parse,
/// holds a record that does not parse or a replacement ref. Read even when
/// the branch is a loose ref: gix loads `packed-refs` before any ref
/// look-up (and finds no branch at all in a file it refuses), and
/// replacement refs change the objects read.
fn packed_refs(git_dir: &Path) -> Option<Option<gix::refs::packed::Buffer>> {
    let bytes = match read_plain(&git_dir.join("packed-refs"), MAX_PACKED_REFS_BYTES) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(None),
        Err(_) => return None,
    };
    let buffer = gix::refs::packed::Buffer::from_bytes(&bytes, gix::hash::Kind::Sha1).ok()?;
    for record in buffer.iter().ok()? {
        if record.ok()?.name.as_bstr().starts_with(b"refs/replace/") {
            return None;
        }
    }
    Some(Some(buffer))
}

/// The id `name` has in `packed` (see [`packed_refs`]): `Some(None)` when
/// it is not there (or there is no `packed-refs`: an unborn branch), `None`
/// when the look-up fails or gives `name` a peeled id (gix takes that id,
/// not the record's, as the branch's commit): the full open decides.
fn packed_id(
    packed: Option<&gix::refs::packed::Buffer>,
    name: &BStr,
) -> Option<Option<gix::ObjectId>> {
    let Some(buffer) = packed else {
        return Some(None);
    };
    match buffer.try_find(name).ok()? {
        None => Some(None),
        Some(found) if found.object.is_some() => None,
        Some(found) => Some(Some(found.target())),
    }
}

/// Caps on what the fast path reads (a bigger file goes to the full open,
/// which has its own rules): a ref or HEAD is one line, a config a few.
const MAX_REF_BYTES: u64 = 4 * 1024;
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;
const MAX_PACKED_REFS_BYTES: u64 = 16 * 1024 * 1024;

/// A regular file's bytes, up to `max`. A symlink (which could point
/// outside the repository, or at a device that never ends), anything
/// that is not a plain file, or a bigger file is an error other than
/// `NotFound`, so the callers fall back to the full open.
fn read_plain(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    if !std::fs::symlink_metadata(path)?.is_file() {
        return Err(std::io::Error::other("not a small plain file"));
    }
    crate::files::read_regular(path, max)
}

/// A full hex SHA-1 id, nothing around it.
fn object_id(hex: &[u8]) -> Option<gix::ObjectId> {
    if hex.len() != 40 {
        return None;
    }
    gix::ObjectId::from_hex(hex).ok()
}

/// Whether the object `hex` (full hex id) is a loose object, a plain file.
fn loose_object(git_dir: &Path, hex: &str) -> bool {
    let (folder, file) = hex.split_at(2);
    std::fs::symlink_metadata(git_dir.join("objects").join(folder).join(file))
        .is_ok_and(|meta| meta.is_file())
}

/// The commit's author, read from its loose object; `None` (full open)
/// when the commit is packed, missing or not a commit.
fn commit_by(git_dir: &Path, id: &gix::ObjectId) -> Option<Option<(String, String)>> {
    let store = gix::odb::loose::Store::at(git_dir.join("objects"), gix::hash::Kind::Sha1);
    let mut buf = Vec::new();
    let data = store.try_find(id, &mut buf).ok()??;
    if data.kind != gix::object::Kind::Commit {
        return None;
    }
    Some(
        gix::objs::CommitRefIter::from_bytes(data.data, gix::hash::Kind::Sha1)
            .author()
            .ok()
            .and_then(|a| author_of(a.trim())),
    )
}

/// Whether a `core` section holds only what `git init` writes (see
/// [`KNOWN_CORE_KEYS`]).
fn usual_core(section: &gix::config::file::SectionRef<'_>) -> bool {
    section.value_names().all(|key| {
        let values = section.values(&key);
        if key.eq_ignore_ascii_case("repositoryformatversion") {
            return values.iter().all(|v| v == "0");
        }
        if KNOWN_WHEN_FALSE.iter().any(|k| key.eq_ignore_ascii_case(k)) {
            return values.iter().all(|v| v == "false");
        }
        KNOWN_CORE_KEYS.iter().any(|k| key.eq_ignore_ascii_case(k))
            && values.iter().all(|v| v == "true" || v == "false")
    })
}

/// The fetch URL of the `origin` remote (or of the only remote), as gix
/// gives it: `Some(None)` when there is none, `None` when the config holds
/// anything that gix might read differently from this.
fn remote_url(config: &[u8]) -> Option<Option<String>> {
    let file = gix::config::File::from_bytes_no_includes(
        config,
        gix::config::file::Metadata::from(gix::config::Source::Local),
        gix::config::file::init::Options::default(),
    )
    .ok()?;
    let mut names = std::collections::BTreeSet::new();
    for section in file.sections() {
        let header = section.header();
        let known = KNOWN_SECTIONS
            .iter()
            .any(|k| header.name().eq_ignore_ascii_case(k.as_bytes()));
        if !known {
            return None;
        }
        if header.name().eq_ignore_ascii_case(b"core") && !usual_core(&section) {
            return None;
        }
        if header.name().eq_ignore_ascii_case(b"remote") {
            names.insert(header.subsection_name()?.to_owned());
        }
    }
    let name = match names.len() {
        0 => return Some(None),
        1 => names.into_iter().next()?,
        _ if names.iter().any(|n| n == "origin") => "origin".into(),
        _ => return Some(None),
    };
    let mut urls = Vec::new();
    for section in file.sections_by_name("remote")? {
        if section.header().subsection_name() != Some(name.as_bstr()) {
            continue;
        }
        for key in section.value_names() {
            if key.eq_ignore_ascii_case("url") {
                continue;
            }
            if key.eq_ignore_ascii_case("fetch") {
                continue;
            }
            // Push URLs, tag options, proxies...: full open.
            return None;
        }
        for value in section.values("url") {
            if value.is_empty() {
                urls.clear();
            } else {
                urls.push(value);
            }
        }
        for fetch in section.values("fetch") {
            let usual = format!("+refs/heads/*:refs/remotes/{name}/*");
            if fetch != usual.as_bytes() {
                return None;
            }
        }
    }
    match urls.as_slice() {
        [url] => Some(Some(
            gix::url::parse(url.as_bstr())
                .ok()?
                .to_bstring()
                .to_string(),
        )),
        _ => None,
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::git::facts_of_work_tree_opened;
    use super::*;
    use std::path::Path;
    use std::process::Command;

    /// Runs git in `dir` with a fixed identity and date, no user config.
    pub(in crate::read) fn git(dir: &Path, args: &[&str]) -> String {
        let output = Command::new("git")
            .args([
                "-c",
                "init.defaultBranch=main",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Ada Author")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Ada Author")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .env("GIT_AUTHOR_DATE", "2026-01-02T03:04:05+00:00")
            .env("GIT_COMMITTER_DATE", "2026-01-02T03:04:05+00:00")
            .output()
            .expect("git runs");
        assert!(output.status.success(), "git {args:?}: {output:?}");
        String::from_utf8(output.stdout).unwrap().trim().to_string()
    }

    /// A work tree with one commit on `main`.
    fn repo(tmp: &Path) -> std::path::PathBuf {
        let root = tmp.join("repo");
        std::fs::create_dir(&root).unwrap();
        git(&root, &["init", "-q"]);
        std::fs::write(root.join("README.md"), "# hi\n").unwrap();
        git(&root, &["add", "."]);
        git(&root, &["commit", "-q", "-m", "first"]);
        root
    }

    /// Read without opening git, and equal to what the full open reads.
    fn fast(root: &Path) -> GitFacts {
        let facts = read(root).expect("read without a full open");
        assert_eq!(Some(&facts), facts_of_work_tree_opened(root).as_ref());
        facts
    }

    /// Left to the full open, which still reads facts there.
    fn full(root: &Path) -> GitFacts {
        assert_eq!(read(root), None, "not read without a full open");
        let facts = facts_of_work_tree_opened(root).expect("the full open reads facts");
        assert_eq!(
            super::super::git::facts_of_work_tree(root),
            Some(facts.clone())
        );
        facts
    }

    #[test]
    fn branch_commit_and_author_of_a_loose_commit() {
        let tmp = tempfile::tempdir().unwrap();
        let root = repo(tmp.path());
        let facts = fast(&root);
        assert_eq!(facts.branch.as_deref(), Some("main"));
        assert_eq!(facts.commit, Some(git(&root, &["rev-parse", "HEAD"])));
        assert_eq!(
            facts.commit_by,
            Some(("2026-01-02".to_string(), "Ada Author".to_string()))
        );
        assert_eq!(facts.remote_url, None);
    }

    #[test]
    fn detached_head_and_nested_branch_names() {
        let tmp = tempfile::tempdir().unwrap();
        let root = repo(tmp.path());
        git(&root, &["checkout", "-q", "-b", "feature/a-b"]);
        assert_eq!(fast(&root).branch.as_deref(), Some("feature/a-b"));
        git(&root, &["checkout", "-q", "--detach"]);
        let facts = fast(&root);
        assert_eq!(facts.branch, None);
        assert_eq!(facts.commit, Some(git(&root, &["rev-parse", "HEAD"])));
    }

    #[test]
    fn packed_refs_and_unborn_branches() {
        let tmp = tempfile::tempdir().unwrap();
        let root = repo(tmp.path());
        git(&root, &["tag", "-a", "v1", "-m", "one"]);
        git(&root, &["pack-refs", "--all"]);
        assert!(!root.join(".git/refs/heads/main").exists());
        let facts = fast(&root);
        assert_eq!(facts.commit, Some(git(&root, &["rev-parse", "HEAD"])));
        // An unborn branch next to packed refs: a branch, no commit.
        git(&root, &["checkout", "-q", "--orphan", "empty"]);
        let facts = fast(&root);
        assert_eq!(facts.branch.as_deref(), Some("empty"));
        assert_eq!((facts.commit, facts.commit_by), (None, None));
        // A repository with no commit and no packed-refs at all.
        let fresh = tmp.path().join("fresh");
        std::fs::create_dir(&fresh).unwrap();
        git(&fresh, &["init", "-q"]);
        assert_eq!(fast(&fresh).branch.as_deref(), Some("main"));
    }

    #[test]
    fn remotes_as_gix_reads_them() {
        let tmp = tempfile::tempdir().unwrap();
        let root = repo(tmp.path());
        git(
            &root,
            &["remote", "add", "fork", "git@github.com:me/repo.git"],
        );
        let only = fast(&root).remote_url;
        assert_eq!(only.as_deref(), Some("git@github.com:me/repo.git"));
        git(
            &root,
            &["remote", "add", "upstream", "https://example.com/a.git"],
        );
        assert_eq!(fast(&root).remote_url, None, "two remotes, no origin");
        git(
            &root,
            &["remote", "add", "origin", "https://example.com/o.git"],
        );
        let origin = fast(&root).remote_url;
        assert_eq!(origin.as_deref(), Some("https://example.com/o.git"));
        // Push URLs and URL rewrites are gix's to read.
        git(
            &root,
            &["remote", "set-url", "--push", "origin", "/tmp/push"],
        );
        full(&root);
        git(&root, &["config", "--unset", "remote.origin.pushurl"]);
        fast(&root);
        git(
            &root,
            &[
                "config",
                "url.https://x.test/.insteadOf",
                "https://example.com/",
            ],
        );
        assert_eq!(
            full(&root).remote_url.as_deref(),
            Some("https://x.test/o.git")
        );
    }

    #[test]
    fn unusual_layouts_go_to_the_full_open() {
        let tmp = tempfile::tempdir().unwrap();
        let root = repo(tmp.path());
        // A linked work tree: `.git` is a file.
        let linked = tmp.path().join("linked");
        git(
            &root,
            &[
                "worktree",
                "add",
                "-q",
                "-b",
                "side",
                linked.to_str().unwrap(),
            ],
        );
        assert_eq!(full(&linked).branch.as_deref(), Some("side"));
        // A packed commit.
        git(&root, &["gc", "-q", "--prune=now"]);
        assert!(full(&root).commit.is_some());
        // Includes in the repository config.
        let other = tmp.path().join("other");
        std::fs::create_dir(&other).unwrap();
        let other = repo(&other);
        git(&other, &["config", "include.path", "/dev/null"]);
        full(&other);
        git(&other, &["config", "--unset", "include.path"]);
        fast(&other);
        // Core settings gix checks as it opens (an abbreviation length),
        // a repository format it may refuse, and user settings.
        for (key, value, before) in [
            ("core.abbrev", "12", None),
            ("core.repositoryformatversion", "1", Some("0")),
            ("core.filemode", "yes", Some("true")),
            ("user.name", "Someone", None),
        ] {
            git(&other, &["config", key, value]);
            full(&other);
            match before {
                Some(before) => git(&other, &["config", key, before]),
                None => git(&other, &["config", "--unset", key]),
            };
            fast(&other);
        }
    }

    #[test]
    fn hostile_heads_are_not_trusted() {
        let tmp = tempfile::tempdir().unwrap();
        let root = repo(tmp.path());
        let head = root.join(".git/HEAD");
        for content in [
            "ref: refs/heads/../../../etc/passwd\n",
            "ref: refs/remotes/origin/main\n",
            "ref: HEAD\n",
            "0123\n",
            "",
            "not a head at all",
        ] {
            std::fs::write(&head, content).unwrap();
            assert_eq!(read(&root), None, "{content:?}");
        }
        // A packed-refs file gix would not parse.
        std::fs::write(&head, "ref: refs/heads/packed\n").unwrap();
        let id = git(&root, &["rev-parse", "refs/heads/main"]);
        for packed in [
            format!("{id} refs/heads/packed\nnot a line\n"),
            format!("{id} refs/heads/packed\n^0123\n"),
            format!("{id}\n"),
        ] {
            std::fs::write(root.join(".git/packed-refs"), &packed).unwrap();
            assert_eq!(read(&root), None, "{packed:?}");
        }
        // A CRLF line end gix reads (its own parser reads the file here).
        std::fs::write(
            root.join(".git/packed-refs"),
            format!("{id} refs/heads/packed\r\n"),
        )
        .unwrap();
        assert_eq!(fast(&root).commit, Some(id.clone()));
        std::fs::write(
            root.join(".git/packed-refs"),
            format!("{id} refs/heads/packed\n"),
        )
        .unwrap();
        assert_eq!(fast(&root).commit, Some(id));
        // A loose ref that is a symbolic ref itself.
        std::fs::write(&head, "ref: refs/heads/main\n").unwrap();
        std::fs::write(root.join(".git/refs/heads/main"), "ref: refs/heads/x\n").unwrap();
        assert_eq!(read(&root), None);
    }

    #[test]
    fn links_and_oversized_files_in_git_are_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let root = repo(tmp.path());
        let outside = tmp.path().join("outside");
        let id = git(&root, &["rev-parse", "HEAD"]);
        std::fs::write(&outside, format!("{id}\n")).unwrap();
        // HEAD, the branch's ref and the config, each a link to a file
        // outside the repository (or to a device that never ends): left to
        // the full open, never read here.
        for (file, target) in [
            ("HEAD", outside.as_path()),
            ("refs/heads/main", outside.as_path()),
            ("config", Path::new("/dev/zero")),
        ] {
            let path = root.join(".git").join(file);
            let kept = std::fs::read(&path).unwrap();
            std::fs::remove_file(&path).unwrap();
            std::os::unix::fs::symlink(target, &path).unwrap();
            assert_eq!(read(&root), None, "{file}");
            std::fs::remove_file(&path).unwrap();
            std::fs::write(&path, kept).unwrap();
        }
        fast(&root);
        // A config past its cap.
        let config = root.join(".git/config");
        let mut big = std::fs::read(&config).unwrap();
        big.extend(std::iter::repeat_n(b'#', (MAX_CONFIG_BYTES + 1) as usize));
        std::fs::write(&config, big).unwrap();
        assert_eq!(read(&root), None);
    }
}
