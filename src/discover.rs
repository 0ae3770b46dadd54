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
                let (repos, notes) = search(root, max_depth);
                found.repos.extend(repos);
                found.notes.extend(notes);
            }
        }
    }
    let mut seen = HashSet::new();
    found
        .repos
        .retain(|r| seen.insert(r.root.canonicalize().unwrap_or_else(|_| r.root.clone())));
    found.repos.sort_by(|a, b| a.display.cmp(&b.display));
    found.notes.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

/// Searches the folders below `dir` (not `dir` itself), in parallel.
fn search(dir: &Path, depth_left: usize) -> (Vec<RepoSource>, Vec<Diagnostic>) {
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
            children.push(entry.path());
        } else if kind.is_symlink() && entry.path().is_dir() {
            notes.push(link_skipped(&entry.path()));
        }
    }
    let (repos, deeper) = children
        .par_iter()
        .map(|child| match classify(child) {
            Some(kind) => (vec![source(child, kind)], Vec::new()),
            None => search(child, depth_left - 1),
        })
        .reduce(Default::default, |(mut repos, mut notes), (r, n)| {
            repos.extend(r);
            notes.extend(n);
            (repos, notes)
        });
    notes.extend(deeper);
    (repos, notes)
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
        let inside = |repo: &RepoSource| {
            repo.root
                .canonicalize()
                .ok()
                .filter(|root| canonical.starts_with(root))
        };
        let (index, root) = match repos
            .iter()
            .enumerate()
            .find_map(|(i, r)| inside(r).map(|root| (i, root)))
        {
            Some(hit) => hit,
            None => {
                let repo = enclosing(&canonical);
                let root = repo
                    .root
                    .canonicalize()
                    .map_err(|e| RootError(format!("`{}`: {e}", repo.root.display())))?;
                repos.push(repo);
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
}
