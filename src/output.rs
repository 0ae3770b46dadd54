//! Writing the site: into a staging folder next to the target, then swapped
//! in, so a failed or interrupted build never leaves a half-written site
//! where the last good one was.

use rayon::prelude::*;
use std::fmt;
use std::path::{Path, PathBuf};

/// One file of the site, by its path relative to the site root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl OutputFile {
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        OutputFile {
            path: path.into(),
            bytes: bytes.into(),
        }
    }
}

/// Marks a folder as a Portico site, so rebuilding may replace it.
pub const MARKER: &str = ".portico-site";

#[derive(Debug)]
pub struct OutputError(String);

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> OutputError {
    OutputError(format!("cannot {what} `{}`: {e}", path.display()))
}

/// Refuses a target that holds something Portico did not write.
fn check_target(out_dir: &Path) -> Result<(), OutputError> {
    if !out_dir.exists() {
        return Ok(());
    }
    if !out_dir.is_dir() {
        return Err(OutputError(format!(
            "`{}` exists and is not a folder",
            out_dir.display()
        )));
    }
    let empty = std::fs::read_dir(out_dir)
        .map_err(|e| io_error("read", out_dir, e))?
        .next()
        .is_none();
    if empty || out_dir.join(MARKER).is_file() {
        return Ok(());
    }
    Err(OutputError(format!(
        "refusing to overwrite `{}`: it is not empty and was not created by Portico; remove it or choose another --out",
        out_dir.display()
    )))
}

/// The target's folder name and the folder it sits in.
fn name_and_parent(out_dir: &Path) -> (String, &Path) {
    let name = out_dir
        .file_name()
        .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
    let parent = out_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    (name, parent)
}

fn sibling(out_dir: &Path, suffix: &str) -> PathBuf {
    let (name, parent) = name_and_parent(out_dir);
    parent.join(format!(".{name}.portico-{suffix}-{}", std::process::id()))
}

/// A site being written: a folder next to the target that becomes the
/// target on [`Staging::commit`]. Dropped without a commit, it is deleted
/// and the last good site stays.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    out_dir: PathBuf,
    committed: bool,
}

impl Staging {
    /// Checks the target and creates an empty staging folder beside it.
    pub fn create(out_dir: &Path) -> Result<Staging, OutputError> {
        check_target(out_dir)?;
        remove_leftovers(out_dir);
        let dir = sibling(out_dir, "staging");
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| io_error("clear", &dir, e))?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| io_error("create", &dir, e))?;
        let staging = Staging {
            dir,
            out_dir: out_dir.to_path_buf(),
            committed: false,
        };
        // The marker goes first, so even a half-written staging folder is
        // recognisably ours and can be cleaned up after an interruption.
        staging.write(
            MARKER,
            b"This folder was written by `portico build`; rebuilding replaces it.\n",
        )?;
        Ok(staging)
    }

    /// Writes one file (path relative to the site root), creating folders.
    pub fn write(&self, path: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let full = self.dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error("create", parent, e))?;
        }
        std::fs::write(&full, bytes).map_err(|e| io_error("write", &full, e))
    }

    /// A folder in the site for a writer that needs a path (the search index).
    pub fn folder(&self, path: &str) -> Result<PathBuf, OutputError> {
        let full = self.dir.join(path);
        std::fs::create_dir_all(&full).map_err(|e| io_error("create", &full, e))?;
        Ok(full)
    }

    /// Writes many files in parallel.
    pub fn write_all(&self, files: &[OutputFile]) -> Result<(), OutputError> {
        files
            .par_iter()
            .try_for_each(|f| self.write(&f.path, &f.bytes))
    }

    /// Swaps the staging folder in as the site.
    pub fn commit(mut self) -> Result<(), OutputError> {
        swap_in(&self.dir, &self.out_dir)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Deletes staging folders an interrupted build (Ctrl-C, a crash) left
/// beside the target. The last good site itself is never touched here.
fn remove_leftovers(out_dir: &Path) {
    let (name, parent) = name_and_parent(out_dir);
    let prefixes = [
        format!(".{name}.portico-staging-"),
        format!(".{name}.portico-old-"),
    ];
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if prefixes.iter().any(|p| file_name.starts_with(p.as_str()))
            && entry.path().join(MARKER).is_file()
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Moves the old site aside, the new one in, then deletes the old one.
fn swap_in(staging: &Path, out_dir: &Path) -> Result<(), OutputError> {
    if !out_dir.exists() {
        return std::fs::rename(staging, out_dir)
            .map_err(|e| io_error("move the new site to", out_dir, e));
    }
    let old = sibling(out_dir, "old");
    std::fs::rename(out_dir, &old).map_err(|e| io_error("move aside", out_dir, e))?;
    if let Err(e) = std::fs::rename(staging, out_dir) {
        // Put the last good site back before reporting.
        let _ = std::fs::rename(&old, out_dir);
        return Err(io_error("move the new site to", out_dir, e));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `files` as the new content of `out_dir`.
    fn write_site(out_dir: &Path, files: &[OutputFile]) -> Result<(), OutputError> {
        let staging = Staging::create(out_dir)?;
        staging.write_all(files)?;
        staging.commit()
    }

    #[test]
    fn replaces_a_previous_site_and_refuses_foreign_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        write_site(&out, &[OutputFile::new("a/index.html", "one")]).unwrap();
        write_site(&out, &[OutputFile::new("b.html", "two")]).unwrap();
        assert!(!out.join("a/index.html").exists());
        assert_eq!(std::fs::read_to_string(out.join("b.html")).unwrap(), "two");
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("site")]);

        let foreign = tmp.path().join("docs");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("keep.txt"), "mine").unwrap();
        let err = write_site(&foreign, &[OutputFile::new("x.html", "x")]).unwrap_err();
        assert!(err.to_string().contains("refusing to overwrite"));

        // A staging folder left by an interrupted build is cleaned up next time.
        let stale = tmp.path().join(".site.portico-staging-99999");
        std::fs::create_dir(&stale).unwrap();
        std::fs::write(stale.join(MARKER), "").unwrap();
        write_site(&out, &[OutputFile::new("c.html", "three")]).unwrap();
        assert!(!stale.exists());
        assert_eq!(
            std::fs::read_to_string(foreign.join("keep.txt")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn a_failed_write_leaves_the_last_site() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        write_site(&out, &[OutputFile::new("index.html", "good")]).unwrap();
        // A file and a folder with the same path cannot both be written.
        let bad = [
            OutputFile::new("x", "file"),
            OutputFile::new("x/y", "in folder"),
        ];
        assert!(write_site(&out, &bad).is_err());
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "good"
        );
    }
}
