//! Finding the repositories of an organisation.
//!
//! A root given on the command line is either a repository itself or a
//! folder searched for repositories, up to `max_depth` levels down. A
//! repository is a work tree (`.git` inside), a bare git directory (`HEAD`,
//! `objects/`, `refs/`) or a plain folder holding `catalog-info.yaml`. The
//! search stops at a repository: nested `node_modules`, `.git` and vendored
//! folders are never searched for more.

use crate::diagnostics::Diagnostic;
use crate::read::{RepoKind, RepoSource, is_skipped_dir};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

pub const DEFAULT_MAX_DEPTH: usize = 3;

/// A root that cannot be searched: a usage error, not a content problem.
#[derive(Debug)]
pub struct RootError(pub String);

/// What kind of repository `dir` is, if it is one.
pub fn classify(dir: &Path) -> Option<RepoKind> {
    if dir.join(".git").exists() {
        return Some(RepoKind::WorkTree);
    }
    if dir.join("HEAD").is_file() && dir.join("objects").is_dir() && dir.join("refs").is_dir() {
        return Some(RepoKind::Bare);
    }
    // Anything named so, not only a regular file: a FIFO or a link to
    // `/dev/zero` is a repository whose catalog file cannot be read, which
    // the catalog stage reports, instead of a folder silently skipped.
    if dir.join("catalog-info.yaml").symlink_metadata().is_ok() {
        return Some(RepoKind::Plain);
    }
    None
}

fn display(path: &Path) -> String {
    let s = path.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    let s = s.trim_end_matches('/');
    if s.is_empty() {
        ".".into()
    } else {
        s.to_string()
    }
}

/// The repository name: the folder name without a `.git` suffix.
fn repo_name(dir: &Path) -> String {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .or_else(|| {
            dir.canonicalize()
                .ok()?
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "repo".into());
    name.strip_suffix(".git")
        .map(str::to_string)
        .unwrap_or(name)
}

pub fn source(dir: &Path, kind: RepoKind) -> RepoSource {
    let name = if dir.as_os_str() == "." || dir.ends_with("..") {
        repo_name(&dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()))
    } else {
        repo_name(dir)
    };
    RepoSource {
        name,
        root: dir.to_path_buf(),
        real_root: None,
        display: display(dir),
        kind,
        git: None,
        handle: None,
    }
}

/// What discovery found under the roots.
#[derive(Debug, Default)]
pub struct Found {
    /// Sorted by path, each found once.
    pub repos: Vec<RepoSource>,
    /// Folders not searched, and why (notes).
    pub notes: Vec<Diagnostic>,
}

/// Every repository under `roots`. A ROOT itself may be a link; links to
/// folders below a ROOT are not followed, so nothing outside the roots is
/// read (each one skipped is a note).
pub fn repositories(roots: &[PathBuf], max_depth: usize) -> Result<Found, RootError> {
    let mut found = Found::default();
    for root in roots {
        if !root.is_dir() {
            return Err(RootError(format!("`{}` is not a folder", root.display())));
        }
        match classify(root) {
            Some(kind) => found.repos.push(source(root, kind)),
            None => {
                let top = root.canonicalize().unwrap_or_else(|_| root.clone());
                let (repos, notes) = search(&top, root, &top, max_depth);
                found.repos.extend(repos);
                found.notes.extend(notes);
            }
        }
    }
    let mut seen = HashSet::new();
    found.repos.retain(|r| seen.insert(r.canonical_root()));
    found.repos.sort_by(|a, b| a.display.cmp(&b.display));
    found.notes.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

/// The last discovery of a long-running process (`portico serve`), with
/// where the watcher's reports stood when it began.
#[derive(Debug, Default)]
pub struct DiscoverMemo {
    last: std::sync::Mutex<Option<LastWalk>>,
}

#[derive(Debug)]
struct LastWalk {
    mark: crate::memo::Mark,
    roots: Vec<PathBuf>,
    max_depth: usize,
    found: Found,
}

/// [`repositories`], reusing the last walk of `memo` when the watcher
/// reported nothing since that could change what it found: every path
/// reported lies inside a repository found, and is not the repository's
/// folder itself; a path right under it that classifying reads (`.git`,
/// `HEAD`, `objects`, `refs`, `catalog-info.yaml`) has the repository
/// classified again, and kept only if its kind is the same. A path
/// anywhere else (a new folder beside the repositories, a link) starts a
/// new epoch in `versions`, and so does a lost event: the roots are
/// searched again.
pub fn repositories_kept(
    roots: &[PathBuf],
    max_depth: usize,
    memo: Option<(&DiscoverMemo, &crate::memo::Versions)>,
) -> Result<Found, RootError> {
    let Some((memo, versions)) = memo else {
        return repositories(roots, max_depth);
    };
    let mark = versions.mark();
    let mut last = crate::memo::lock(&memo.last);
    if let Some(kept) = last.as_mut()
        && kept.roots == roots
        && kept.max_depth == max_depth
        && unchanged(&kept.found.repos, kept.mark, versions)
    {
        // Every report up to `mark` (and some after it) was looked at.
        kept.mark = mark;
        return Ok(Found {
            repos: kept.found.repos.clone(),
            notes: kept.found.notes.clone(),
        });
    }
    let found = repositories(roots, max_depth)?;
    *last = Some(LastWalk {
        mark,
        roots: roots.to_vec(),
        max_depth,
        found: Found {
            repos: found.repos.clone(),
            notes: found.notes.clone(),
        },
    });
    Ok(found)
}

/// Whether the watcher reported nothing since `mark` that could change
/// which repositories there are or their kinds (see [`repositories_kept`]).
fn unchanged(
    repos: &[RepoSource],
    mark: crate::memo::Mark,
    versions: &crate::memo::Versions,
) -> bool {
    let Some(reported) = versions.all_reported_since(mark) else {
        return false;
    };
    if reported.is_empty() {
        return true;
    }
    let Some(canonical) = repos
        .iter()
        .map(|r| versions.canonical_root(&r.root))
        .collect::<Option<Vec<PathBuf>>>()
    else {
        return false;
    };
    reported.iter().all(|path| {
        // The innermost repository holding it (roots may nest: a ROOT
        // that is a repository beside one found under another ROOT).
        let holder = repos
            .iter()
            .zip(&canonical)
            .filter_map(|(repo, root)| Some((repo, path.strip_prefix(root).ok()?)))
            .max_by_key(|(_, relative)| std::cmp::Reverse(relative.components().count()));
        let Some((repo, relative)) = holder else {
            return false;
        };
        let Some(first) = relative.components().next() else {
            // The repository's folder itself: moved, deleted, replaced.
            return false;
        };
        // `.git` (a `gitdir:` file, `commondir`, `alternates`) decides
        // where git data is read from too: searched again.
        let classifying = ["HEAD", "objects", "refs", "catalog-info.yaml"];
        first.as_os_str() != ".git"
            && (!classifying.iter().any(|name| first.as_os_str() == *name)
                || classify(&repo.root) == Some(repo.kind))
    })
}

/// Searches the folders below `dir` (not `dir` itself), in parallel;
/// `top`: the ROOT searched, canonical; `real_dir`: `dir`'s canonical path
/// (`top` joined with the folders walked, none of them a link).
fn search(
    top: &Path,
    dir: &Path,
    real_dir: &Path,
    depth_left: usize,
) -> (Vec<RepoSource>, Vec<Diagnostic>) {
    if depth_left == 0 {
        return Default::default();
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Default::default();
    };
    let mut children = Vec::new();
    let mut notes = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || is_skipped_dir(&name) {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            children.push((entry.path(), real_dir.join(&*name)));
        } else if kind.is_symlink() && entry.path().is_dir() {
            notes.push(link_skipped(&entry.path()));
        }
    }
    let (repos, deeper) = children
        .par_iter()
        .map(|(child, real)| match classify(child) {
            Some(kind) => match git_data_outside(child, real, kind, top) {
                None => (
                    vec![RepoSource {
                        real_root: Some(real.clone()),
                        ..source(child, kind)
                    }],
                    Vec::new(),
                ),
                Some(why) => git_data_refused(child, kind, &why),
            },
            None => search(top, child, real, depth_left - 1),
        })
        .reduce(Default::default, |(mut repos, mut notes), (r, n)| {
            repos.extend(r);
            notes.extend(n);
            (repos, notes)
        });
    notes.extend(deeper);
    (repos, notes)
}

/// Why a repository found under the ROOT `top` (canonical) leads git
/// outside it, if it does. A work tree's `.git` may be a link or a
/// `gitdir:` file (submodules, `git worktree`), and a git folder may name a
/// `commondir` and object `alternates`: git, and gix, read what they name.
/// Git itself never makes these point outside a clone, but a folder that
/// arrived another way (an unpacked archive) could name another
/// repository's git folder on the machine, whose files Portico would then
/// read and publish. `real`: `dir`'s canonical path.
fn git_data_outside(dir: &Path, real: &Path, kind: RepoKind, top: &Path) -> Option<String> {
    let inside = |path: &Path, what: &str| -> Result<PathBuf, String> {
        let real = path
            .canonicalize()
            .map_err(|e| format!("its {what} `{}` cannot be resolved: {e}", path.display()))?;
        if real.starts_with(top) {
            Ok(real)
        } else {
            Err(format!(
                "its {what} is `{}`, outside the ROOT",
                real.display()
            ))
        }
    };
    // Canonical from here on: a folder below `real` that is no link is
    // canonical with it (`canonicalize`, which reads each folder of the
    // path as a link, only runs for links and named paths).
    let check = || -> Result<(), String> {
        let git_dir = match kind {
            RepoKind::Plain => return Ok(()),
            RepoKind::Bare => real.to_path_buf(),
            RepoKind::WorkTree => {
                let dot_git = dir.join(".git");
                let meta = std::fs::symlink_metadata(&dot_git).map_err(|e| e.to_string())?;
                if meta.is_file() {
                    let text = small_file(&dot_git)?.unwrap_or_default();
                    let named = text
                        .lines()
                        .find_map(|l| l.strip_prefix("gitdir:"))
                        .map(str::trim)
                        .ok_or("its `.git` file names no `gitdir:`")?;
                    inside(&dir.join(named), "`.git` file's gitdir")?
                } else if meta.is_dir() {
                    real.join(".git")
                } else {
                    inside(&dot_git, "`.git`")?
                }
            }
        };
        let common = match small_file(&git_dir.join("commondir")) {
            Ok(Some(named)) => inside(&git_dir.join(named.trim()), "commondir")?,
            _ => git_dir,
        };
        // An objects folder that is a link is followed by git as any
        // other: it must stay inside too (none at all: git cannot open it).
        let objects = common.join("objects");
        let objects = match std::fs::symlink_metadata(&objects) {
            Err(_) => None,
            Ok(meta) if meta.is_dir() => Some(objects),
            Ok(_) => Some(inside(&objects, "objects folder")?),
        };
        if let Some(objects) = objects
            && let Ok(Some(alternates)) = small_file(&objects.join("info/alternates"))
        {
            for line in alternates.lines().map(str::trim) {
                if !line.is_empty() && !line.starts_with('#') {
                    inside(&objects.join(line), "object alternates")?;
                }
            }
        }
        Ok(())
    };
    check().err()
}

/// A small text file of git's (`.git`, `commondir`, `alternates`), read
/// only as a regular file of at most 64 KB. `Ok(None)`: there is none.
fn small_file(path: &Path) -> Result<Option<String>, String> {
    match crate::files::read_regular(path, 64 * 1024) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| format!("`{}` is not UTF-8 text", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("`{}` cannot be read: {e}", path.display())),
    }
}

/// A repository whose git data leads outside its ROOT: a work tree is read
/// as a plain folder (its files, without git) when it has a catalog file,
/// a bare clone not at all; either way a warning says why.
fn git_data_refused(dir: &Path, kind: RepoKind, why: &str) -> (Vec<RepoSource>, Vec<Diagnostic>) {
    let plain =
        kind == RepoKind::WorkTree && dir.join("catalog-info.yaml").symlink_metadata().is_ok();
    let what = if plain {
        "it is read as a plain folder, without git"
    } else {
        "it is not read"
    };
    let mut note = Diagnostic::warning(
        "git-outside-root",
        format!("`{}`: {why}; {what}", display(dir)),
    )
    .with_hint("clone the repository with git (a clone's git data is its own), or pass the folder it names as a ROOT too");
    note.path = display(dir);
    let repos = if plain {
        vec![source(dir, RepoKind::Plain)]
    } else {
        Vec::new()
    };
    (repos, vec![note])
}

/// A link to a folder met while searching a ROOT.
fn link_skipped(link: &Path) -> Diagnostic {
    let target = std::fs::read_link(link)
        .map(|t| format!(" (it points to `{}`)", t.display()))
        .unwrap_or_default();
    let mut note = Diagnostic::warning(
        "link-not-followed",
        format!(
            "`{}` is a link to a folder{target}; discovery does not follow links, so nothing outside the roots is read",
            link.display()
        ),
    )
    .with_hint("pass the linked folder as a ROOT of its own to read it");
    note.path = display(link);
    note
}

/// The repository holding `file` (a canonical path): the nearest enclosing
/// git repository, or the file's own folder as a plain folder. Shown
/// relative to the current folder when it can be.
pub fn enclosing(file: &Path) -> RepoSource {
    let folder = file.parent().unwrap_or(Path::new("/"));
    let found = folder.ancestors().find_map(|d| match classify(d) {
        Some(kind @ (RepoKind::WorkTree | RepoKind::Bare)) => Some((d, kind)),
        _ => None,
    });
    let (dir, kind) = found.unwrap_or((folder, RepoKind::Plain));
    let shown = std::env::current_dir()
        .ok()
        .and_then(|cwd| cwd.canonicalize().ok())
        .map_or_else(|| dir.to_path_buf(), |cwd| relative_to(dir, &cwd));
    RepoSource {
        root: shown.clone(),
        display: display(&shown),
        ..source(dir, kind)
    }
}

/// `path` relative to `base`, with `..` where needed (both canonical).
fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let path_parts: Vec<_> = path.components().collect();
    let base_parts: Vec<_> = base.components().collect();
    let common = path_parts
        .iter()
        .zip(&base_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common <= 1 {
        return path.to_path_buf();
    }
    let mut relative = PathBuf::new();
    for _ in common..base_parts.len() {
        relative.push("..");
    }
    for part in &path_parts[common..] {
        relative.push(part);
    }
    if relative.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        relative
    }
}

/// Places each `--location` file in the repository that holds it (adding
/// that repository if discovery did not find it). Returns repository index →
/// repository-relative paths.
pub fn place_files(
    files: &[PathBuf],
    repos: &mut Vec<RepoSource>,
) -> Result<HashMap<usize, Vec<String>>, RootError> {
    let mut explicit: HashMap<usize, Vec<String>> = HashMap::new();
    // Known from the walk for the repositories it found (no resolving).
    let mut roots: Vec<PathBuf> = if files.is_empty() {
        Vec::new()
    } else {
        repos.iter().map(RepoSource::canonical_root).collect()
    };
    for file in files {
        let canonical = file
            .canonicalize()
            .map_err(|e| RootError(format!("location file `{}`: {e}", file.display())))?;
        if !canonical.is_file() {
            return Err(RootError(format!(
                "location `{}` is not a file",
                file.display()
            )));
        }
        let (index, root) = match roots
            .iter()
            .enumerate()
            .find(|(_, root)| canonical.starts_with(root))
        {
            Some((i, root)) => (i, root.clone()),
            None => {
                let repo = enclosing(&canonical);
                let root = repo
                    .root
                    .canonicalize()
                    .map_err(|e| RootError(format!("`{}`: {e}", repo.root.display())))?;
                repos.push(repo);
                roots.push(root.clone());
                (repos.len() - 1, root)
            }
        };
        let relative = canonical.strip_prefix(&root).map_err(|_| {
            RootError(format!(
                "location `{}` is outside its repository",
                file.display()
            ))
        })?;
        let relative = relative.to_string_lossy().replace('\\', "/");
        explicit.entry(index).or_default().push(relative);
    }
    Ok(explicit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_plain_work_tree_and_bare_repositories_and_stops_inside_them() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("team/plain")).unwrap();
        std::fs::write(root.join("team/plain/catalog-info.yaml"), "").unwrap();
        std::fs::create_dir_all(root.join("work/.git")).unwrap();
        std::fs::create_dir_all(root.join("work/nested")).unwrap();
        std::fs::write(root.join("work/nested/catalog-info.yaml"), "").unwrap();
        std::fs::create_dir_all(root.join("bare.git/objects")).unwrap();
        std::fs::create_dir_all(root.join("bare.git/refs")).unwrap();
        std::fs::write(root.join("bare.git/HEAD"), "ref: refs/heads/main\n").unwrap();
        std::fs::create_dir_all(root.join("node_modules/x")).unwrap();
        std::fs::write(root.join("node_modules/x/catalog-info.yaml"), "").unwrap();
        std::fs::create_dir_all(root.join("a/b/c/too-deep")).unwrap();
        std::fs::write(root.join("a/b/c/too-deep/catalog-info.yaml"), "").unwrap();

        let repos = repositories(&[root.to_path_buf()], 3).unwrap().repos;
        let found: Vec<(String, RepoKind)> =
            repos.iter().map(|r| (r.name.clone(), r.kind)).collect();
        assert_eq!(
            found,
            vec![
                ("bare".to_string(), RepoKind::Bare),
                ("plain".to_string(), RepoKind::Plain),
                ("work".to_string(), RepoKind::WorkTree),
            ]
        );
        let deeper = repositories(&[root.to_path_buf()], 4).unwrap().repos;
        assert!(deeper.iter().any(|r| r.name == "too-deep"));
    }

    #[test]
    fn a_repository_found_by_the_walk_knows_its_canonical_root() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(real.join("org/work/.git/objects")).unwrap();
        std::fs::create_dir_all(real.join("org/bare.git/objects")).unwrap();
        std::fs::create_dir_all(real.join("org/bare.git/refs")).unwrap();
        std::fs::write(real.join("org/bare.git/HEAD"), "ref: refs/heads/main\n").unwrap();
        // The ROOT is a link: the walk's paths go through it, the
        // canonical ones do not.
        std::os::unix::fs::symlink(real.join("org"), real.join("link")).unwrap();
        let found = repositories(&[real.join("link")], 3).unwrap();
        assert!(found.notes.is_empty(), "{:?}", found.notes);
        for repo in &found.repos {
            assert!(repo.root.starts_with(real.join("link")), "{:?}", repo.root);
            assert_eq!(
                repo.real_root.as_ref(),
                Some(&repo.root.canonicalize().unwrap()),
                "{}",
                repo.name
            );
        }
        assert_eq!(found.repos.len(), 2);

        // A git folder or objects folder that is a link is still resolved,
        // and refused when it leads outside the ROOT.
        let outside = real.join("outside");
        std::fs::create_dir_all(outside.join("objects")).unwrap();
        std::fs::remove_dir_all(real.join("org/bare.git/objects")).unwrap();
        std::os::unix::fs::symlink(outside.join("objects"), real.join("org/bare.git/objects"))
            .unwrap();
        std::fs::remove_dir_all(real.join("org/work/.git")).unwrap();
        std::os::unix::fs::symlink(&outside, real.join("org/work/.git")).unwrap();
        let found = repositories(&[real.join("link")], 3).unwrap();
        let refused: Vec<&str> = found.notes.iter().map(|n| n.message.as_str()).collect();
        assert_eq!(refused.len(), 2, "{refused:?}");
        assert!(
            refused
                .iter()
                .any(|m| m.contains("bare.git") && m.contains("objects folder"))
        );
        assert!(
            refused
                .iter()
                .any(|m| m.contains("work") && m.contains("`.git`"))
        );
    }

    #[test]
    fn relative_paths_climb_with_dot_dot() {
        assert_eq!(
            relative_to(Path::new("/a/b/c"), Path::new("/a/x")),
            PathBuf::from("../b/c")
        );
        assert_eq!(
            relative_to(Path::new("/a/b"), Path::new("/a/b")),
            PathBuf::from(".")
        );
        assert_eq!(
            relative_to(Path::new("/a/b/c"), Path::new("/a")),
            PathBuf::from("b/c")
        );
    }

    #[test]
    fn a_missing_root_is_an_error() {
        assert!(repositories(&[PathBuf::from("/definitely/not/here")], 3).is_err());
    }

    /// With a memo, each discovery equals a fresh one after every kind of
    /// change the watcher reports: a file edited in a repository (the walk
    /// reused: a folder made meanwhile without a report is not seen), a
    /// new folder (a path in no repository), a plain folder's catalog file
    /// deleted, a work tree's `.git` removed, a repository deleted, lost
    /// events.
    #[test]
    fn a_kept_walk_is_reused_only_while_nothing_reported_can_change_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let make = |path: &str| {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "kind: Component\n").unwrap();
        };
        make("plain/catalog-info.yaml");
        make("work/catalog-info.yaml");
        std::fs::create_dir_all(root.join("work/.git")).unwrap();
        make("gone/catalog-info.yaml");
        let roots = vec![root.clone()];
        let memo = DiscoverMemo::default();
        let versions = crate::memo::Versions::default();
        let names = |found: &Found| -> Vec<(String, RepoKind)> {
            found
                .repos
                .iter()
                .map(|r| (r.name.clone(), r.kind))
                .collect()
        };
        let discover = || {
            let kept = repositories_kept(&roots, 3, Some((&memo, &versions))).unwrap();
            for repo in &kept.repos {
                versions.of(&repo.root);
            }
            kept
        };
        let fresh = || names(&repositories(&roots, 3).unwrap());
        assert_eq!(names(&discover()), fresh());
        // An edit inside repositories (a classifying file of a work tree
        // too): the walk is reused, so a folder made meanwhile that no
        // report names is not seen.
        make("unreported/catalog-info.yaml");
        versions.touch(&[
            root.join("work/catalog-info.yaml"),
            root.join("plain/docs/a.md"),
        ]);
        assert!(!names(&discover()).iter().any(|(n, _)| n == "unreported"));
        // The new folder reported: found.
        versions.touch(&[root.join("unreported")]);
        assert_eq!(names(&discover()), fresh());
        // A plain folder's catalog file deleted: it is no repository.
        std::fs::remove_file(root.join("plain/catalog-info.yaml")).unwrap();
        versions.touch(&[root.join("plain/catalog-info.yaml")]);
        assert_eq!(names(&discover()), fresh());
        assert!(!names(&discover()).iter().any(|(n, _)| n == "plain"));
        // A work tree's `.git` removed: a plain folder now.
        std::fs::remove_dir(root.join("work/.git")).unwrap();
        versions.touch(&[root.join("work/.git")]);
        assert_eq!(names(&discover()), fresh());
        assert!(names(&discover()).contains(&("work".into(), RepoKind::Plain)));
        // A repository deleted.
        std::fs::remove_dir_all(root.join("gone")).unwrap();
        versions.touch(&[root.join("gone")]);
        assert_eq!(names(&discover()), fresh());
        // Lost events.
        make("after-loss/catalog-info.yaml");
        versions.touch(&[]);
        assert_eq!(names(&discover()), fresh());
        assert!(names(&discover()).iter().any(|(n, _)| n == "after-loss"));
    }
}
