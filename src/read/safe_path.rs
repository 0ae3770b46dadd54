//! Paths inside a repository, kept inside it.
//!
//! Every path Portico reads is a repository-relative path with `/`
//! separators. Relative references in content (`$text: ../api.yaml`,
//! Location targets, later docs links) are resolved lexically here, and a
//! result that would climb above the repository root is refused before any
//! file is touched. Symlinks are checked by the readers.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathError {
    /// `/etc/passwd`, `C:\...`: only repository-relative paths are allowed.
    Absolute(String),
    /// `../../outside`: climbs above the repository root.
    Escapes(String),
    /// `a\b`: a backslash is not a folder separator in a repository, and a
    /// file name holding one would be read as another file on Windows.
    Backslash(String),
    Empty,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathError::Absolute(p) => write!(
                f,
                "`{p}` is an absolute path; only paths relative to the file, inside the repository, are allowed"
            ),
            PathError::Escapes(p) => write!(f, "`{p}` leads outside the repository"),
            PathError::Backslash(p) => write!(
                f,
                "`{p}` holds a backslash; paths in a repository separate folders with `/`"
            ),
            PathError::Empty => write!(f, "the path is empty"),
        }
    }
}

/// The folder part of a repository-relative file path (`""` for the root).
pub fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// Joins `target` onto the folder `base_dir` and normalises `.` and `..`.
pub fn join(base_dir: &str, target: &str) -> Result<String, PathError> {
    if target.is_empty() {
        return Err(PathError::Empty);
    }
    if target.starts_with('/') || target.starts_with('\\') || has_drive_letter(target) {
        return Err(PathError::Absolute(target.to_string()));
    }
    if target.contains('\\') {
        return Err(PathError::Backslash(target.to_string()));
    }
    let mut parts: Vec<&str> = base_dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(PathError::Escapes(target.to_string()));
                }
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return Err(PathError::Empty);
    }
    Ok(parts.join("/"))
}

/// Normalises a path already relative to the repository root.
pub fn normalize(path: &str) -> Result<String, PathError> {
    join("", path)
}

/// Checks one file or folder name as stored in a repository (a directory
/// entry on disk, an entry of a git tree). Git trees may hold names that no
/// file system would (`..`, `a/b`, empty); such a name must never become part
/// of a path Portico reads or writes.
pub fn check_name(name: &[u8]) -> Result<&str, &'static str> {
    let name = std::str::from_utf8(name).map_err(|_| "its name is not UTF-8")?;
    match name {
        "" => Err("its name is empty"),
        "." | ".." => Err("its name is `.` or `..`"),
        _ if name.contains(['/', '\\', '\0']) => {
            Err("its name holds `/`, a backslash or a NUL character")
        }
        _ => Ok(name),
    }
}

fn has_drive_letter(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_relative_targets() {
        assert_eq!(
            join("apis", "./petstore.yaml").unwrap(),
            "apis/petstore.yaml"
        );
        assert_eq!(join("a/b", "../c/d.yaml").unwrap(), "a/c/d.yaml");
        assert_eq!(join("", "x.yaml").unwrap(), "x.yaml");
    }

    #[test]
    fn refuses_paths_that_climb_out() {
        assert_eq!(
            join("a", "../../outside"),
            Err(PathError::Escapes("../../outside".into()))
        );
        assert!(matches!(
            join("", "/etc/passwd"),
            Err(PathError::Absolute(_))
        ));
        assert!(matches!(join("", "C:\\x"), Err(PathError::Absolute(_))));
        assert!(matches!(
            join("docs", "a\\..\\b.md"),
            Err(PathError::Backslash(_))
        ));
    }

    #[test]
    fn names_that_cannot_be_a_path_part_are_refused() {
        assert_eq!(check_name(b"guide.md"), Ok("guide.md"));
        for bad in [&b""[..], b".", b"..", b"a/b", b"a\\b", b"a\0b", b"\xff.md"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn parent_of_root_file_is_empty() {
        assert_eq!(parent("catalog-info.yaml"), "");
        assert_eq!(parent("a/b/c.yaml"), "a/b");
    }
}
