//! Rules on the files of the entity's repository: a glob's matches counted
//! (from the entity's folder, or the repository root with a leading `/`),
//! optionally only those whose text matches a pattern. Every read goes
//! through the repository's confined [`Snapshot`] (no path out of the
//! repository, no symlink out of it, nothing over the size limit), and a
//! rule looks at no more than [`MAX_SCORECARD_FILES`] files.

use super::check::FilesCheck;
use super::{Evidence, Verdict};
use crate::limits::MAX_SCORECARD_FILES;
use crate::read::{ReadError, Snapshot};
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;

/// One repository's files as rules see them: a listing and confined reads.
/// History can hand the evaluator a past commit's files the same way.
pub trait RepoFiles {
    /// Every file path, repository-relative and sorted.
    fn paths(&self) -> &[String];
    /// Whether a regular file may be read at `path` (not a symlink out).
    fn check_file(&self, path: &str) -> Result<(), ReadError>;
    fn read_text(&self, path: &str) -> Result<String, ReadError>;
    /// Tallies of `files` checks already made on these files, by what they
    /// depend on (see [`check`]), when the files keep them: every entity of
    /// a repository asks the same root-relative checks, each of which lists
    /// every path and may read up to [`MAX_SCORECARD_FILES`] files.
    fn tallies(&self) -> Option<&RefCell<HashMap<String, Tally>>> {
        None
    }
}

/// What a `files` check found, before it is judged.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    candidates: usize,
    looked_at: usize,
    counted: usize,
    first: Option<(String, Option<usize>)>,
    refused: Option<String>,
}

/// A [`Snapshot`], listed once on first use.
pub struct SnapshotFiles {
    snapshot: Snapshot,
    /// Every file outside vendored folders: what rules look at.
    paths: OnceCell<crate::read::Listing>,
    /// Every file, vendored folders included, when asked for (docs), or
    /// as the docs stage listed it.
    all: OnceCell<std::sync::Arc<crate::read::Listing>>,
    tallies: RefCell<HashMap<String, Tally>>,
}

impl SnapshotFiles {
    pub fn new(snapshot: Snapshot) -> SnapshotFiles {
        SnapshotFiles {
            snapshot,
            paths: OnceCell::new(),
            all: OnceCell::new(),
            tallies: RefCell::default(),
        }
    }

    /// A [`Snapshot`] whose every file was listed already (by the docs
    /// stage, [`crate::read::Listings`]): it is not listed again.
    pub fn listed(snapshot: Snapshot, all: Option<std::sync::Arc<crate::read::Listing>>) -> Self {
        let files = SnapshotFiles::new(snapshot);
        if let Some(all) = all {
            let _ = files.all.set(all);
        }
        files
    }

    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    pub fn into_snapshot(self) -> Snapshot {
        self.snapshot
    }

    /// Every file with vendored folders (`Snapshot::list_all_files`),
    /// listed once; rules' paths are then taken from it, not listed again.
    pub fn all_files(&self) -> &crate::read::Listing {
        self.all
            .get_or_init(|| std::sync::Arc::new(self.snapshot.list_all_files()))
    }
}

impl RepoFiles for SnapshotFiles {
    fn paths(&self) -> &[String] {
        &self
            .paths
            .get_or_init(|| match self.all.get() {
                // The same paths `list_files` gives: no vendored folder on the way.
                Some(all) => {
                    let unvendored = |p: &&String| {
                        let folders = p.rsplit_once('/').map_or("", |(dir, _)| dir);
                        !folders.split('/').any(crate::read::is_skipped_dir)
                    };
                    crate::read::Listing {
                        files: all.files.iter().filter(unvendored).cloned().collect(),
                        skipped: Vec::new(),
                        git_links: all
                            .git_links
                            .as_ref()
                            .map(|links| links.iter().filter(unvendored).cloned().collect()),
                        unlisted: all.unlisted.clone(),
                        nested_checkouts: all.nested_checkouts.clone(),
                    }
                }
                None => self.snapshot.list_unvendored(),
            })
            .files
    }

    fn check_file(&self, path: &str) -> Result<(), ReadError> {
        // A blob of a listing is there: no walk from the root again.
        let listed = |l: Option<&crate::read::Listing>| l.is_some_and(|l| l.is_git_blob(path));
        if listed(self.paths.get()) || listed(self.all.get().map(|a| &**a)) {
            return Ok(());
        }
        self.snapshot.check_file(path)
    }

    fn read_text(&self, path: &str) -> Result<String, ReadError> {
        self.snapshot.read_text(path)
    }

    fn tallies(&self) -> Option<&RefCell<HashMap<String, Tally>>> {
        Some(&self.tallies)
    }
}

/// `folder`: the entity's folder, where a glob without a leading `/` starts.
pub fn check(files: Option<&dyn RepoFiles>, folder: &str, check: &FilesCheck) -> Verdict {
    let Some(files) = files else {
        return Verdict::not_applicable(Evidence::says(
            "the entity was not read from a repository",
        ));
    };
    let prefix = if check.from_root || folder.is_empty() {
        String::new()
    } else {
        format!("{folder}/")
    };
    // What the tally depends on: the folder it starts from, the glob and
    // the pattern (the same for every entity of the repository when the
    // glob starts from the root).
    let key = format!(
        "{prefix}\0{}\0{}",
        check.glob,
        check.matches.as_ref().map_or("", |p| p.as_str())
    );
    let kept = files
        .tallies()
        .and_then(|tallies| tallies.borrow().get(&key).cloned());
    let tally = kept.unwrap_or_else(|| {
        let tally = tally(files, &prefix, check);
        if let Some(tallies) = files.tallies() {
            tallies.borrow_mut().insert(key, tally.clone());
        }
        tally
    });
    judge(&tally, &prefix, folder, check)
}

/// The files under `prefix` a check's glob matches, and how many of the
/// first [`MAX_SCORECARD_FILES`] count.
fn tally(files: &dyn RepoFiles, prefix: &str, check: &FilesCheck) -> Tally {
    // The paths are sorted: those under the folder are one run of them.
    let paths = files.paths();
    let start = paths.partition_point(|p| p.as_str() < prefix);
    let length = paths[start..].partition_point(|p| p.starts_with(prefix));
    let candidates: Vec<&String> = paths[start..start + length]
        .iter()
        .filter(|p| {
            p.strip_prefix(prefix)
                .is_some_and(|rest| check.matcher.is_match(rest))
        })
        .collect();
    let looked_at = candidates.len().min(MAX_SCORECARD_FILES);
    let mut counted = 0;
    let mut first: Option<(String, Option<usize>)> = None;
    let mut refused: Option<String> = None;
    for path in candidates.iter().take(looked_at) {
        let found = match &check.matches {
            None => files.check_file(path).map(|()| Some(None)),
            Some(pattern) => files.read_text(path).map(|text| {
                pattern
                    .find(&text)
                    .map(|m| Some(text[..m.start()].matches('\n').count() + 1))
            }),
        };
        match found {
            Ok(Some(line)) => {
                counted += 1;
                first.get_or_insert(((*path).clone(), line));
            }
            Ok(None) => {}
            Err(e) => {
                refused.get_or_insert(e.to_string());
            }
        }
    }
    Tally {
        candidates: candidates.len(),
        looked_at,
        counted,
        first,
        refused,
    }
}

/// The verdict of a check from its tally.
fn judge(tally: &Tally, prefix: &str, folder: &str, check: &FilesCheck) -> Verdict {
    let Tally {
        candidates,
        looked_at,
        counted,
        first,
        refused,
    } = tally.clone();
    let glob = if prefix.is_empty() {
        check.glob.clone()
    } else {
        format!("{}` in `{folder}", check.glob)
    };
    let what = match &check.matches {
        Some(p) => format!("matching `{glob}` with text matching `{}`", p.as_str()),
        None => format!("matching `{glob}`"),
    };
    let mut summary = match counted {
        0 => format!("no file {what}"),
        1 => format!("1 file {what}"),
        n => format!("{n} files {what}"),
    };
    if candidates > looked_at {
        summary.push_str(&format!(" (the first {looked_at} looked at"));
        if let Some(max) = check.max {
            summary.push_str(&format!(
                "; {} more not looked at count against max {max}",
                candidates - looked_at
            ));
        }
        summary.push(')');
    }
    if let Some(reason) = refused {
        summary.push_str(&format!("; not counted: {reason}"));
    }
    let mut evidence = Evidence::says(summary).value(counted.to_string());
    if let Some((file, line)) = first {
        evidence = evidence.at(file, line);
    }
    // Files past the first looked at may count: `min` is judged on those
    // counted, `max` on every one that might (300 files are not at most
    // 250 because 200 were looked at).
    let unexamined = candidates - looked_at;
    let ok = counted >= check.min && check.max.is_none_or(|max| counted + unexamined <= max);
    Verdict::when(ok, evidence)
}

#[cfg(test)]
pub(crate) mod fake {
    use super::*;
    use std::collections::BTreeMap;

    /// Files in memory; `Err` entries stand for files that may not be read.
    #[derive(Default)]
    pub struct FakeFiles {
        pub files: BTreeMap<String, Result<String, ReadError>>,
        listing: OnceCell<Vec<String>>,
        /// Every path read, in order.
        pub reads: std::cell::RefCell<Vec<String>>,
        /// Tallies kept, when the test asks for them.
        pub tallies: Option<RefCell<HashMap<String, Tally>>>,
    }

    impl FakeFiles {
        pub fn with(files: &[(&str, &str)]) -> FakeFiles {
            FakeFiles {
                files: files
                    .iter()
                    .map(|(p, t)| (p.to_string(), Ok(t.to_string())))
                    .collect(),
                listing: OnceCell::new(),
                reads: Default::default(),
                tallies: None,
            }
        }
    }

    impl RepoFiles for FakeFiles {
        fn paths(&self) -> &[String] {
            self.listing
                .get_or_init(|| self.files.keys().cloned().collect())
        }

        fn check_file(&self, path: &str) -> Result<(), ReadError> {
            match self.files.get(path) {
                Some(found) => found.clone().map(|_| ()),
                None => Err(ReadError::NotFound(path.to_string())),
            }
        }

        fn read_text(&self, path: &str) -> Result<String, ReadError> {
            self.reads.borrow_mut().push(path.to_string());
            self.files
                .get(path)
                .cloned()
                .unwrap_or_else(|| Err(ReadError::NotFound(path.to_string())))
        }

        fn tallies(&self) -> Option<&RefCell<HashMap<String, Tally>>> {
            self.tallies.as_ref()
        }
    }
}
