//! What a change touched: `check --changed-since REF`.
//!
//! For each repository, the files that differ between REF's tree and what
//! Portico reads: for a work tree, REF's tree against the index and the
//! index against the files on disk (staged, unstaged and untracked files,
//! as `git status` sees them with REF in place of HEAD; ignored files are
//! not part of a change); for a bare clone, REF's tree against the commit
//! read (HEAD or `--ref`). Renames count on both sides: the old path is
//! gone (pages linking to it break), the new one is new.
//!
//! The entities REF's versions of the changed YAML files defined are
//! noted too: a link to the docs of one the change renamed or took away
//! names no file left to be about.
//!
//! All through gix, never by running `git`: REF is resolved in each
//! repository the way `git rev-parse` would (`origin/main`, `HEAD~3`, a
//! tag, a commit id).

use crate::diagnostics::{self, Diagnostic};
use crate::read::{RepoKind, RepoSource};
use gix::bstr::ByteSlice;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashSet};

/// Every file a change touched, across the repositories compared.
#[derive(Debug, Default)]
pub struct ChangeSet {
    /// Display paths (`repo-dir/file`, as diagnostics carry them) of the
    /// files added, modified, deleted, or renamed (both names).
    touched: HashSet<String>,
    /// The docs folders ([`crate::address::docs_site_dir_of`]) of the
    /// entities REF's versions of the changed YAML files defined.
    entities_before: HashSet<String>,
}

/// One repository's changed files, and the docs folders of the entities
/// REF's versions of its changed YAML files defined.
type RepoChanges = (BTreeSet<String>, Vec<String>);

/// Why the change could not be computed: a usage error (exit status 2).
#[derive(Debug)]
pub struct ChangeError(pub String);

impl ChangeSet {
    /// Compares every repository with `rev`. Each must be a git repository
    /// in which `rev` names a commit: the repositories given are the ones
    /// being checked, so a REF that means nothing in one of them is a
    /// mistake, not an empty change.
    pub fn since(
        repos: &[RepoSource],
        rev: &str,
        git_ref: Option<&str>,
    ) -> Result<ChangeSet, ChangeError> {
        let results: Vec<Result<RepoChanges, ChangeError>> = repos
            .par_iter()
            .map(|repo| repo_changes(repo, rev, git_ref))
            .collect();
        let mut set = ChangeSet::default();
        for (repo, result) in repos.iter().zip(results) {
            let (files, entities) = result?;
            set.entities_before.extend(entities);
            set.touched.extend(
                files
                    .iter()
                    .map(|file| diagnostics::display_path(&repo.display, file)),
            );
        }
        Ok(set)
    }

    /// How many files changed in all.
    pub fn len(&self) -> usize {
        self.touched.len()
    }

    pub fn is_empty(&self) -> bool {
        self.touched.is_empty()
    }

    /// Whether the file at `path` (a display path) changed.
    pub fn touches(&self, path: &str) -> bool {
        self.touched.contains(path)
    }

    /// Whether `d` is about something the change touched: a problem in a
    /// changed file, or a problem elsewhere caused by one (a link to a
    /// page or heading that the change moved or removed). Problems about a
    /// whole repository (no file) and about no repository (the run itself,
    /// scorecard definitions) are always kept.
    pub fn reports(&self, d: &Diagnostic) -> bool {
        d.repo.is_empty()
            || d.file.is_empty()
            || self.touches(&d.path)
            || d.about.iter().any(|about| self.touches_at(about))
    }

    /// [`ChangeSet::touches`], where `about` ending in `/` is a folder:
    /// any file in it (a docs folder whose pages were all deleted).
    fn touches_at(&self, about: &str) -> bool {
        if let Some(site_dir) = about.strip_prefix(diagnostics::ABOUT_ENTITY_DOCS) {
            self.entities_before.contains(site_dir)
        } else if about.ends_with('/') {
            self.touched.iter().any(|path| path.starts_with(about))
        } else {
            self.touches(about)
        }
    }
}

fn repo_changes(
    repo: &RepoSource,
    rev: &str,
    git_ref: Option<&str>,
) -> Result<RepoChanges, ChangeError> {
    // `what` says what went wrong in this repository; `then` what follows.
    let fail = |what: &str, then: String| {
        ChangeError(format!(
            "--changed-since `{rev}`: {what} in `{}`{then}",
            repo.display
        ))
    };
    if repo.kind == RepoKind::Plain {
        return Err(ChangeError(format!(
            "--changed-since `{rev}`: `{}` is not a git repository, so it has no history to compare with; \
             give only the repositories the change is in as ROOTs, and the rest of the organisation with --site",
            repo.display
        )));
    }
    let git = gix::open_opts(&repo.root, gix::open::Options::isolated())
        .map_err(|e| fail("cannot open the repository", format!(": {e}")))?;
    let base = tree_of(&git, rev).map_err(|e| {
        fail(
            "names no commit",
            format!(
                " ({e}); fetch it first (e.g. `git fetch --depth=1 origin main`), \
                 or give a branch, tag or commit that exists there"
            ),
        )
    })?;
    let files = match repo.kind {
        RepoKind::Bare => {
            let current = tree_of(&git, git_ref.unwrap_or("HEAD"))
                .map_err(|e| fail("the commit checked cannot be read", format!(": {e}")))?;
            trees(&git, base, current)
        }
        _ => work_tree(&git, base),
    };
    let files = files.map_err(|e| fail("the change cannot be worked out", format!(": {e}")))?;
    let entities = entities_at(&git, base, &files);
    Ok((files, entities))
}

/// The docs folders of the entities that REF's versions of the changed
/// YAML files define (`kind`, `metadata.name` and `.namespace` read from
/// each document; a file that does not parse gives what it held before
/// its mistake).
fn entities_at(
    git: &gix::Repository,
    base: gix::ObjectId,
    files: &BTreeSet<String>,
) -> Vec<String> {
    let Ok(tree) = git.find_tree(base) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for path in files
        .iter()
        .filter(|p| p.ends_with(".yaml") || p.ends_with(".yml"))
    {
        let Ok(Some(entry)) = tree.lookup_entry_by_path(path) else {
            continue;
        };
        let Ok(object) = entry.object() else {
            continue;
        };
        if object.data.len() as u64 > crate::limits::MAX_FILE_BYTES {
            continue;
        }
        let Ok(text) = std::str::from_utf8(&object.data) else {
            continue;
        };
        let stream = crate::yaml::parse_stream(text, crate::yaml::Budget::default());
        for root in stream.documents.iter().filter_map(|d| d.root.as_ref()) {
            let text_at =
                |keys: &[&str]| root.at(keys).and_then(|n| n.as_str().map(str::to_string));
            if let (Some(kind), Some(name)) = (text_at(&["kind"]), text_at(&["metadata", "name"])) {
                let namespace =
                    text_at(&["metadata", "namespace"]).unwrap_or_else(|| "default".into());
                found.push(crate::address::docs_site_dir_of(&namespace, &kind, &name));
            }
        }
    }
    found
}

/// The tree of the commit `rev` names.
fn tree_of(git: &gix::Repository, rev: &str) -> Result<gix::ObjectId, String> {
    let id = git.rev_parse_single(rev).map_err(|e| e.to_string())?;
    let commit = id
        .object()
        .map_err(|e| e.to_string())?
        .peel_to_commit()
        .map_err(|e| e.to_string())?;
    commit
        .tree_id()
        .map(|t| t.detach())
        .map_err(|e| e.to_string())
}

/// Renames and copies as git finds them by default (50 % similar).
fn rewrites() -> gix::diff::Rewrites {
    gix::diff::Rewrites::default()
}

/// The files that differ between two trees (bare clones).
fn trees(
    git: &gix::Repository,
    base: gix::ObjectId,
    current: gix::ObjectId,
) -> Result<BTreeSet<String>, String> {
    let mut files = BTreeSet::new();
    if base == current {
        return Ok(files);
    }
    let old = git.find_tree(base).map_err(|e| e.to_string())?;
    let new = git.find_tree(current).map_err(|e| e.to_string())?;
    // Full paths tracked (the default), renames found.
    let options = gix::diff::Options::default().with_rewrites(Some(rewrites()));
    let changes = git
        .diff_tree_to_tree(&old, &new, options)
        .map_err(|e| format!("cannot compare the trees: {e}"))?;
    for change in changes {
        use gix::object::tree::diff::ChangeDetached as Change;
        if change.entry_mode().is_tree() {
            continue;
        }
        if let Change::Rewrite {
            source_location, ..
        } = &change
        {
            files.insert(source_location.to_str_lossy().into_owned());
        }
        files.insert(change.location().to_str_lossy().into_owned());
    }
    Ok(files)
}

/// The files that differ between `base` and a work tree: REF's tree
/// against the index, then the index against the disk, untracked files
/// listed one by one.
fn work_tree(git: &gix::Repository, base: gix::ObjectId) -> Result<BTreeSet<String>, String> {
    use gix::status::index_worktree::Item as Disk;
    use gix::status::plumbing::index_as_worktree::EntryStatus;
    let status = git
        .status(gix::progress::Discard)
        .map_err(|e| format!("cannot read the status: {e}"))?
        .head_tree(base)
        .tree_index_track_renames(gix::status::tree_index::TrackRenames::Given(rewrites()))
        .index_worktree_rewrites(rewrites())
        .untracked_files(gix::status::UntrackedFiles::Files)
        // Repositories are compared in parallel already: one thread each.
        .index_worktree_options_mut(|options| options.thread_limit = Some(1))
        .index_worktree_submodules(gix::status::Submodule::Given {
            ignore: gix::submodule::config::Ignore::All,
            check_dirty: false,
        })
        .into_iter(None)
        .map_err(|e| format!("cannot read the status: {e}"))?;
    let mut files = BTreeSet::new();
    let mut add = |path: &gix::bstr::BStr| {
        files.insert(path.to_str_lossy().into_owned());
    };
    for item in status {
        let item = item.map_err(|e| format!("cannot read the status: {e}"))?;
        match &item {
            gix::status::Item::TreeIndex(change) => {
                if let gix::diff::index::ChangeRef::Rewrite {
                    source_location, ..
                } = change
                {
                    add(source_location.as_ref());
                }
                add(change.location());
            }
            gix::status::Item::IndexWorktree(disk) => match disk {
                // Only the stat data differs, or nothing is staged yet:
                // the content is the index's.
                Disk::Modification {
                    status: EntryStatus::NeedsUpdate(_) | EntryStatus::IntentToAdd,
                    ..
                } => {}
                Disk::Rewrite { source, .. } => {
                    add(source.rela_path());
                    add(disk.rela_path());
                }
                Disk::DirectoryContents { entry, .. }
                    if entry.status == gix::dir::entry::Status::Untracked =>
                {
                    add(disk.rela_path());
                }
                Disk::DirectoryContents { .. } => {}
                Disk::Modification { .. } => add(disk.rela_path()),
            },
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changed(paths: &[&str]) -> ChangeSet {
        ChangeSet {
            touched: paths.iter().map(|p| p.to_string()).collect(),
            entities_before: HashSet::new(),
        }
    }

    fn at(repo: &str, path: &str) -> Diagnostic {
        let mut d = Diagnostic::warning("broken-link", "x");
        d.repo = repo.into();
        d.file = path.rsplit_once('/').map_or(path, |(_, f)| f).into();
        d.path = path.into();
        d
    }

    #[test]
    fn problems_are_reported_by_their_file_or_the_file_they_come_from() {
        let set = changed(&["pay/docs/guide.md"]);
        assert!(set.reports(&at("pay", "pay/docs/guide.md")));
        assert!(!set.reports(&at("pay", "pay/docs/index.md")));
        assert!(
            set.reports(&at("pay", "pay/docs/index.md").about(Some("pay/docs/guide.md".into())))
        );
        assert!(
            !set.reports(&at("pay", "pay/docs/index.md").about(Some("pay/docs/other.md".into())))
        );
        // About any of several files; about a folder: any file in it.
        let either = ["pay/docs/guide/index.md".into(), "pay/docs/guide.md".into()];
        assert!(set.reports(&at("pay", "bill/docs/index.md").about_any(either)));
        assert!(set.reports(&at("pay", "pay/mkdocs.yml").about(Some("pay/docs/".into()))));
        assert!(!set.reports(&at("pay", "pay/mkdocs.yml").about(Some("pay/doc/".into()))));
        // About a whole repository, or about no repository: always.
        let mut whole = Diagnostic::error("repo-unreadable", "x");
        whole.repo = "pay".into();
        assert!(set.reports(&whole));
        let mut definition = Diagnostic::error("scorecard-invalid", "x");
        definition.file = "scorecards/prod.yaml".into();
        definition.path = "scorecards/prod.yaml".into();
        assert!(set.reports(&definition));
    }
}
