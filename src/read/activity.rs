//! A repository's delivery activity from git: its release tags (names
//! matching a pattern) with their dates, the lead time of every commit to
//! the first release tag that contains it, and recent commits' authors.
//!
//! Read once per repository from refs and commits (never the work tree).
//! Every walk is bounded by [`MAX_HISTORY_COMMITS`] commits in all, so a
//! huge or hostile history costs a bounded amount and yields partial
//! figures, marked as such.

use crate::limits::MAX_HISTORY_COMMITS;
use std::collections::{HashSet, VecDeque};

/// Release tags read per repository at most (newest kept).
pub const MAX_RELEASE_TAGS: usize = 2_000;

/// One release: a tag whose name matched the pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    /// The tag's name without `refs/tags/`.
    pub tag: String,
    /// The tagged commit (full hex).
    pub commit: String,
    /// When it was released: the tagger's time for an annotated tag, else
    /// the tagged commit's committer time (seconds since the epoch).
    pub seconds: i64,
}

/// A commit's way to its first release.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeadTime {
    /// The commit's committer time.
    pub committed: i64,
    /// The first release containing it (its `seconds`).
    pub released: i64,
}

/// One commit's author and committer time, for "distinct authors".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authored {
    /// Lower-cased e-mail address (the name when there is none).
    pub author: String,
    pub committed: i64,
}

/// What git says about a repository's delivery.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Activity {
    /// Oldest first; only tags dated at or before `until`.
    pub releases: Vec<Release>,
    /// One per commit reachable from a release, at its first release.
    pub lead_times: Vec<LeadTime>,
    /// Commits reachable from the commit read, committed within the look
    /// back window.
    pub authored: Vec<Authored>,
    /// A walk hit [`MAX_HISTORY_COMMITS`]: figures are partial.
    pub truncated: bool,
}

/// What to read: tags matching `tags`, and only what happened by `until`
/// (the end of the build's day) so a build judged on a past day is
/// reproducible; authors of commits after `authors_since`.
pub struct Wanted<'a> {
    pub tags: &'a regex::Regex,
    pub until: i64,
    pub authors_since: i64,
}

/// Opens a git repository (work tree or bare) and reads its activity from
/// the commit a build reads (`rev`, else HEAD); `None` for plain folders
/// and repositories that will not open.
pub fn of(source: &super::RepoSource, rev: Option<&str>, wanted: &Wanted<'_>) -> Option<Activity> {
    if source.kind == super::RepoKind::Plain {
        return None;
    }
    // Most repositories have no release tag: telling that from the ref
    // names alone spares opening the repository (config, refs, packs).
    let wants_authors = wanted.authors_since < wanted.until;
    if !wants_authors && !may_have_release(source, wanted.tags) {
        return Some(Activity::default());
    }
    let mut repo = super::git::open_with(&source.root, source.handle.as_ref()).ok()?;
    repo.object_cache_size(4 * 1024 * 1024);
    // A work tree is read at HEAD; `--ref` selects bare clones' commit.
    let rev = rev.filter(|_| source.kind == super::RepoKind::Bare);
    let start = match rev {
        Some(rev) => repo.rev_parse_single(rev).ok().map(|id| id.detach()),
        None => repo.head_id().ok().map(|id| id.detach()),
    };
    Some(read(&repo, start, wanted))
}

/// Whether any tag name in the repository's git folder matches `tags`
/// (loose tags under `refs/tags`, packed ones in `packed-refs`). `true`
/// when the git folder is not a plain `.git` directory or cannot be read
/// in full: then the repository is opened and asked properly.
fn may_have_release(source: &super::RepoSource, tags: &regex::Regex) -> bool {
    let git_dir = match source.kind {
        super::RepoKind::Bare => source.root.clone(),
        _ => source.root.join(".git"),
    };
    if !std::fs::symlink_metadata(&git_dir).is_ok_and(|m| m.is_dir()) {
        return true;
    }
    let packed = git_dir.join("packed-refs");
    match std::fs::symlink_metadata(&packed) {
        Ok(m) if m.is_file() && m.len() <= super::MAX_FILE_BYTES => {
            let Ok(text) = std::fs::read(&packed) else {
                return true;
            };
            let text = String::from_utf8_lossy(&text);
            let names = text
                .lines()
                .filter_map(|l| l.split_once(' ').map(|(_, name)| name))
                .filter_map(|name| name.strip_prefix("refs/tags/"));
            if names.into_iter().any(|name| tags.is_match(name)) {
                return true;
            }
        }
        Ok(_) => return true,
        Err(_) => {}
    }
    // Loose tags: folders walked breadth first, a bounded number of entries.
    let mut folders = vec![(git_dir.join("refs/tags"), String::new())];
    let mut seen = 0usize;
    while let Some((dir, prefix)) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            seen += 1;
            if seen > MAX_RELEASE_TAGS * 4 {
                return true;
            }
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            match entry.file_type() {
                Ok(t) if t.is_dir() => folders.push((entry.path(), format!("{name}/"))),
                Ok(t) if t.is_file() && tags.is_match(&name) => return true,
                Ok(t) if t.is_file() => {}
                _ => return true,
            }
        }
    }
    false
}

/// Reads the activity of `repo` from `start` (the commit read).
pub fn read(repo: &gix::Repository, start: Option<gix::ObjectId>, wanted: &Wanted<'_>) -> Activity {
    let mut activity = Activity::default();
    let mut budget = MAX_HISTORY_COMMITS;
    activity.releases = release_tags(repo, wanted);
    activity.lead_times = lead_times(repo, &activity.releases, &mut budget);
    if let Some(start) = start {
        activity.authored = authors(repo, start, wanted, &mut budget);
    }
    activity.truncated = budget == 0;
    activity
}

fn release_tags(repo: &gix::Repository, wanted: &Wanted<'_>) -> Vec<Release> {
    let Ok(platform) = repo.references() else {
        return Vec::new();
    };
    let Ok(tags) = platform.tags() else {
        return Vec::new();
    };
    let mut releases = Vec::new();
    for reference in tags.flatten() {
        let name = reference.name().shorten().to_string();
        if !wanted.tags.is_match(&name) {
            continue;
        }
        let Some(release) = release_of(repo, reference, name) else {
            continue;
        };
        if release.seconds <= wanted.until {
            releases.push(release);
        }
    }
    releases.sort_by(|a, b| a.seconds.cmp(&b.seconds).then_with(|| a.tag.cmp(&b.tag)));
    if releases.len() > MAX_RELEASE_TAGS {
        releases.drain(..releases.len() - MAX_RELEASE_TAGS);
    }
    releases
}

/// The tag's commit and date; `None` for a tag of something not a commit.
fn release_of(
    repo: &gix::Repository,
    mut reference: gix::Reference<'_>,
    tag: String,
) -> Option<Release> {
    let target = reference.target().try_id()?.to_owned();
    let object = repo.find_object(target).ok()?;
    let tagger_seconds = match object.kind {
        gix::object::Kind::Tag => object
            .to_tag_ref_iter()
            .tagger()
            .ok()
            .flatten()
            .and_then(|s| s.time().ok())
            .map(|t| t.seconds),
        _ => None,
    };
    drop(object);
    let commit = reference.peel_to_commit().ok()?;
    let seconds = match tagger_seconds {
        Some(s) => s,
        None => commit.time().ok()?.seconds,
    };
    Some(Release {
        tag,
        commit: commit.id.to_string(),
        seconds,
    })
}

/// Releases oldest first: every commit reachable from a release and from
/// no earlier one is first released by it.
fn lead_times(repo: &gix::Repository, releases: &[Release], budget: &mut usize) -> Vec<LeadTime> {
    let mut seen: HashSet<gix::ObjectId> = HashSet::new();
    let mut out = Vec::new();
    for release in releases {
        let Ok(tip) = gix::ObjectId::from_hex(release.commit.as_bytes()) else {
            continue;
        };
        let mut queue = VecDeque::from([tip]);
        while let Some(id) = queue.pop_front() {
            if *budget == 0 {
                return out;
            }
            if !seen.insert(id) {
                continue;
            }
            *budget -= 1;
            let Ok(commit) = repo.find_commit(id) else {
                continue;
            };
            if let Ok(time) = commit.time() {
                out.push(LeadTime {
                    committed: time.seconds,
                    released: release.seconds,
                });
            }
            queue.extend(commit.parent_ids().map(|p| p.detach()));
        }
    }
    out
}

/// Authors of the commits reachable from `start` committed after
/// `authors_since`. The walk stops [`OLD_COMMITS_WALKED_PAST`] commits
/// past the window on each path, as `git log --since` does (commit times
/// mostly grow along history, but one commit with a skewed clock must not
/// hide the commits in the window behind it); the budget bounds the rest.
fn authors(
    repo: &gix::Repository,
    start: gix::ObjectId,
    wanted: &Wanted<'_>,
    budget: &mut usize,
) -> Vec<Authored> {
    let mut seen: HashSet<gix::ObjectId> = HashSet::new();
    // Each commit with how many commits before the window led to it.
    let mut queue = VecDeque::from([(start, 0)]);
    let mut out = Vec::new();
    while let Some((id, old_run)) = queue.pop_front() {
        if *budget == 0 {
            break;
        }
        if !seen.insert(id) {
            continue;
        }
        *budget -= 1;
        let Ok(commit) = repo.find_commit(id) else {
            continue;
        };
        let Ok(committed) = commit.time().map(|t| t.seconds) else {
            continue;
        };
        if committed <= wanted.authors_since {
            if old_run < OLD_COMMITS_WALKED_PAST {
                queue.extend(commit.parent_ids().map(|p| (p.detach(), old_run + 1)));
            }
            continue;
        }
        if committed <= wanted.until
            && let Ok(author) = commit.author()
        {
            let email = author.email.to_string().to_lowercase();
            out.push(Authored {
                author: if email.is_empty() {
                    author.name.to_string()
                } else {
                    email
                },
                committed,
            });
        }
        queue.extend(commit.parent_ids().map(|p| (p.detach(), 0)));
    }
    out
}

/// How many commits older than the window a walk goes on through, as
/// git's `--since` (its `SLOP`).
const OLD_COMMITS_WALKED_PAST: usize = 5;
