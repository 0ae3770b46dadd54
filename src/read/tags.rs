//! A repository's tags, read from git refs: each tag's name, the commit it
//! names (annotated tags peeled) and its date (the tagger's for annotated
//! tags, the commit's for lightweight ones). Docs versions are built from
//! them.

use crate::limits::MAX_VERSION_TAGS;

/// One tag naming a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    /// The name under `refs/tags/`.
    pub name: String,
    /// Full hex id of the commit.
    pub commit: String,
    /// Seconds since the epoch: when the tag was made (annotated) or the
    /// commit was (lightweight).
    pub seconds: i64,
}

/// The tags asked for, and whether more matched than were read.
#[derive(Debug, Default)]
pub struct Tags {
    pub tags: Vec<Tag>,
    /// More than [`MAX_VERSION_TAGS`] tags matched; the rest were not read.
    pub more: bool,
}

/// The tags of the repository at `root` whose names `wanted` accepts, in
/// ref order. Tags naming no commit (a tree, a blob) and names that are not
/// UTF-8 are left out.
pub(super) fn list(repo: &gix::Repository, wanted: &dyn Fn(&str) -> bool) -> Tags {
    let mut out = Tags::default();
    let Ok(platform) = repo.references() else {
        return out;
    };
    let Ok(refs) = platform.tags() else {
        return out;
    };
    for reference in refs.flatten() {
        let Ok(name) = std::str::from_utf8(reference.name().shorten()) else {
            continue;
        };
        if !wanted(name) {
            continue;
        }
        if out.tags.len() == MAX_VERSION_TAGS {
            out.more = true;
            break;
        }
        let name = name.to_string();
        if let Some(tag) = read(repo, reference, name) {
            out.tags.push(tag);
        }
    }
    out
}

fn read(repo: &gix::Repository, mut reference: gix::Reference<'_>, name: String) -> Option<Tag> {
    let tagged = reference.target().try_id().map(ToOwned::to_owned);
    let commit = reference.peel_to_commit().ok()?;
    let tagger_time = tagged
        .and_then(|id| repo.find_tag(id).ok())
        .and_then(|tag| {
            tag.tagger()
                .ok()
                .flatten()
                .and_then(|t| t.time().ok())
                .map(|t| t.seconds)
        });
    let seconds = tagger_time.or_else(|| {
        commit
            .committer()
            .ok()
            .and_then(|c| c.time().ok())
            .map(|t| t.seconds)
    })?;
    Some(Tag {
        name,
        commit: commit.id.to_string(),
        seconds,
    })
}
