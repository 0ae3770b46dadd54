//! A repository's files as the rules read them, kept between builds of one
//! process (`portico serve`) while the repository's version holds (see
//! `memo::Versions`). A catalog edit re-evaluates every entity; with this,
//! it does so without opening and listing every repository again.
//!
//! What is kept is a record of answers: the listing and each file checked
//! or read. A question the record cannot answer (a rule that now applies
//! to an entity it did not before) opens the repository then, and the
//! answer joins the record.

use super::files::{RepoFiles, SnapshotFiles};
use crate::memo::{Versions, lock};
use crate::read::{ReadError, RepoSource, Snapshot};
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Each repository's record, by the repository's shown path, with the
/// version it holds for.
#[derive(Debug, Default)]
pub struct FilesMemo {
    repos: Mutex<HashMap<String, (u64, Arc<FileRecord>)>>,
}

/// Answers the rules were given about one repository's files.
#[derive(Clone, Debug, Default)]
pub struct FileRecord {
    /// `false`: the repository could not be opened (no file rule applies).
    opened: bool,
    paths: Option<Vec<String>>,
    checks: HashMap<String, Result<(), ReadError>>,
    texts: HashMap<String, Result<String, ReadError>>,
}

/// One repository's files for one build: answers from the kept record,
/// else from the repository, opened on the first question the record
/// cannot answer.
pub struct RecordingFiles<'a> {
    source: &'a RepoSource,
    git_ref: Option<&'a str>,
    /// The repository's version when this build began reading it.
    version: Option<u64>,
    /// Whether a kept record was found (else this build read it first).
    from_record: bool,
    kept: Arc<FileRecord>,
    snapshot: OnceCell<Option<SnapshotFiles>>,
    paths: OnceCell<Vec<String>>,
    checks: RefCell<HashMap<String, Result<(), ReadError>>>,
    texts: RefCell<HashMap<String, Result<String, ReadError>>>,
}

impl FilesMemo {
    /// The files of `source` for this build; `None` when the repository
    /// cannot be opened. Hand the result back with [`FilesMemo::keep`].
    pub fn files<'a>(
        &self,
        versions: &Versions,
        source: &'a RepoSource,
        git_ref: Option<&'a str>,
        listed: Option<Arc<crate::read::Listing>>,
    ) -> Option<RecordingFiles<'a>> {
        // The version before any read: an edit during this build leaves
        // what it read kept under the old version, never the new one.
        let version = versions.of(&source.root);
        let kept = version.and_then(|version| {
            let repos = lock(&self.repos);
            repos
                .get(&source.display)
                .filter(|(kept, _)| *kept == version)
                .map(|(_, record)| record.clone())
        });
        match kept {
            Some(record) if !record.opened => None,
            Some(record) => Some(RecordingFiles::new(source, git_ref, version, record, None)),
            None => {
                // Opened now, as without a memo: whether it opens decides
                // whether file rules apply.
                let Some(snapshot) = Snapshot::open_files(source, git_ref)
                    .ok()
                    .map(|s| SnapshotFiles::listed(s, listed))
                else {
                    self.put(version, source, FileRecord::default());
                    return None;
                };
                let record = Arc::new(FileRecord {
                    opened: true,
                    ..FileRecord::default()
                });
                Some(RecordingFiles::new(
                    source,
                    git_ref,
                    version,
                    record,
                    Some(snapshot),
                ))
            }
        }
    }

    /// Keeps what `files` learnt, under the version it was read at.
    pub fn keep(&self, files: RecordingFiles<'_>) {
        let (source, version) = (files.source, files.version);
        if files.from_record && files.learnt_nothing() {
            // The kept record answered everything: it stays as it is.
            return;
        }
        let record = files.into_record();
        self.put(version, source, record);
    }

    fn put(&self, version: Option<u64>, source: &RepoSource, record: FileRecord) {
        if let Some(version) = version {
            lock(&self.repos).insert(source.display.clone(), (version, Arc::new(record)));
        }
    }
}

impl<'a> RecordingFiles<'a> {
    fn new(
        source: &'a RepoSource,
        git_ref: Option<&'a str>,
        version: Option<u64>,
        kept: Arc<FileRecord>,
        snapshot: Option<SnapshotFiles>,
    ) -> RecordingFiles<'a> {
        let opened = OnceCell::new();
        let from_record = snapshot.is_none();
        if let Some(snapshot) = snapshot {
            let _ = opened.set(Some(snapshot));
        }
        RecordingFiles {
            source,
            git_ref,
            version,
            from_record,
            kept,
            snapshot: opened,
            paths: OnceCell::new(),
            checks: RefCell::default(),
            texts: RefCell::default(),
        }
    }

    fn snapshot(&self) -> Option<&SnapshotFiles> {
        self.snapshot
            .get_or_init(|| {
                Snapshot::open_files(self.source, self.git_ref)
                    .ok()
                    .map(SnapshotFiles::new)
            })
            .as_ref()
    }

    fn unopened(&self, path: &str) -> ReadError {
        ReadError::Io {
            path: path.to_string(),
            message: format!(
                "the repository `{}` could not be opened",
                self.source.display
            ),
        }
    }

    fn learnt_nothing(&self) -> bool {
        self.paths.get().is_none()
            && self.checks.borrow().is_empty()
            && self.texts.borrow().is_empty()
    }

    /// The kept record with this build's answers added.
    fn into_record(self) -> FileRecord {
        let mut record = Arc::unwrap_or_clone(self.kept);
        record.opened = true;
        record.paths = record.paths.or(self.paths.into_inner());
        record.checks.extend(self.checks.into_inner());
        record.texts.extend(self.texts.into_inner());
        record
    }
}

impl RepoFiles for RecordingFiles<'_> {
    fn paths(&self) -> &[String] {
        if let Some(paths) = &self.kept.paths {
            return paths;
        }
        self.paths.get_or_init(|| {
            self.snapshot()
                .map(|s| s.paths().to_vec())
                .unwrap_or_default()
        })
    }

    fn check_file(&self, path: &str) -> Result<(), ReadError> {
        if let Some(answer) = self.kept.checks.get(path) {
            return answer.clone();
        }
        if let Some(answer) = self.checks.borrow().get(path) {
            return answer.clone();
        }
        let answer = match self.snapshot() {
            Some(s) => s.check_file(path),
            None => Err(self.unopened(path)),
        };
        self.checks
            .borrow_mut()
            .insert(path.to_string(), answer.clone());
        answer
    }

    fn read_text(&self, path: &str) -> Result<String, ReadError> {
        if let Some(answer) = self.kept.texts.get(path) {
            return answer.clone();
        }
        if let Some(answer) = self.texts.borrow().get(path) {
            return answer.clone();
        }
        let answer = match self.snapshot() {
            Some(s) => s.read_text(path),
            None => Err(self.unopened(path)),
        };
        self.texts
            .borrow_mut()
            .insert(path.to_string(), answer.clone());
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::RepoKind;

    fn repo(dir: &std::path::Path) -> RepoSource {
        crate::discover::source(dir, RepoKind::Plain)
    }

    #[test]
    fn answers_are_kept_while_the_version_holds() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("svc");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("CODEOWNERS"), "* @team").unwrap();
        let source = repo(&dir);
        let (memo, versions) = (FilesMemo::default(), Versions::default());

        let files = memo.files(&versions, &source, None, None).unwrap();
        assert_eq!(files.paths(), ["CODEOWNERS"]);
        assert_eq!(files.read_text("CODEOWNERS").unwrap(), "* @team");
        memo.keep(files);

        // The file changes without the watcher saying so: the record
        // answers, proof that the repository was not read again.
        std::fs::write(dir.join("CODEOWNERS"), "* @other").unwrap();
        std::fs::write(dir.join("LICENSE"), "MIT").unwrap();
        let files = memo.files(&versions, &source, None, None).unwrap();
        assert_eq!(files.paths(), ["CODEOWNERS"]);
        assert_eq!(files.read_text("CODEOWNERS").unwrap(), "* @team");
        // A question the record cannot answer opens the repository.
        assert!(files.check_file("LICENSE").is_ok());
        memo.keep(files);
        // ... and its answer joins the record.
        std::fs::remove_file(dir.join("LICENSE")).unwrap();
        let files = memo.files(&versions, &source, None, None).unwrap();
        assert!(files.check_file("LICENSE").is_ok());
        assert!(files.learnt_nothing());
        memo.keep(files);

        // The watcher reports the change: everything is read again.
        versions.touch(&[dir.canonicalize().unwrap().join("CODEOWNERS")]);
        let files = memo.files(&versions, &source, None, None).unwrap();
        assert_eq!(files.paths(), ["CODEOWNERS"]);
        assert_eq!(files.read_text("CODEOWNERS").unwrap(), "* @other");
        assert!(files.check_file("LICENSE").is_err());
    }

    #[test]
    fn a_repository_that_cannot_be_opened_has_no_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("gone");
        std::fs::create_dir_all(&dir).unwrap();
        let source = repo(&dir);
        std::fs::remove_dir(&dir).unwrap();
        let (memo, versions) = (FilesMemo::default(), Versions::default());
        assert!(memo.files(&versions, &source, None, None).is_none());
        assert!(memo.files(&versions, &source, None, None).is_none());
    }
}
