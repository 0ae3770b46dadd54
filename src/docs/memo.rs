//! Docs work kept between builds of one process (`portico serve`), each
//! unit by a hash of everything it read:
//!
//! - a page's render, by its text and name, the snippets it may include,
//!   the sanitising and Markdown settings, its site's depth when it may
//!   link to other sites, and Portico's version (so the same page in two
//!   versions of a site renders once);
//! - a page's whole output (its laid-out file, summary, link facts,
//!   problems), by its render's key and everything around it: the site's
//!   nav, the page's place and title, its git dates, the site's settings;
//! - a repository's docs, while none of its files changed.
//!
//! Renders are also kept on disk between runs of `portico build`
//! ([`SitePack`], under the same keys, in [`crate::cache`]).
//!
//! An edit then renders only the pages whose inputs changed, and lays out
//! again only the pages whose surroundings changed. Entries no build used
//! for [`KEPT_BUILDS`](crate::memo::KEPT_BUILDS) builds are dropped, so memory follows the site, not
//! the number of edits.

use super::markdown::{RenderedPage, SanitizeOptions};
use crate::cache::DiskCache;
use crate::memo::lock;
pub use crate::memo::{KEPT_BUILDS, Kept, Key, hasher, part};
use crate::read::{Listing, Snapshot};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Rendered pages, shared: a clone is a count.
pub type PageMemo = Kept<Arc<RenderedPage>>;

/// The page rendered for `key` (a copy the caller may change).
pub fn rendered(memo: &PageMemo, key: Key, render: impl FnOnce() -> RenderedPage) -> RenderedPage {
    RenderedPage::clone(&memo.get_or_make(key, || Arc::new(render())))
}

/// What the build cache counts page renders under (reused or made).
pub const DISK_KIND: &str = "page";

/// What a site's renders are kept under in the build cache: one entry per
/// docs site, so a build reads and writes one file per site, not one per
/// page.
const PACK_KIND: &str = "site-pages";

/// One docs site's renders in the build cache: those of the last build, and
/// those of this one, stored at the end if they differ. Pages with problems
/// are not kept (diagnostics are not stored), so they are rendered, and
/// report their problems, on every build.
pub struct SitePack {
    key: Key,
    last: Mutex<HashMap<Key, RenderedPage>>,
    last_keys: Vec<Key>,
    /// This build's renders, each encoded by the thread that made it (an
    /// element of the entry's list), so none is copied to be kept.
    this: Mutex<Vec<(Key, Vec<u8>)>>,
}

impl SitePack {
    /// The renders the cache holds for the site with `key`.
    pub fn load(disk: &DiskCache, key: Key) -> SitePack {
        let last: HashMap<Key, RenderedPage> = disk
            .get(PACK_KIND, key)
            .and_then(|bytes| crate::memo::decode::<Vec<(Key, RenderedPage)>>(&bytes))
            .unwrap_or_default()
            .into_iter()
            .collect();
        let mut last_keys: Vec<Key> = last.keys().copied().collect();
        last_keys.sort_unstable();
        SitePack {
            key,
            last: Mutex::new(last),
            last_keys,
            this: Mutex::default(),
        }
    }

    /// The page rendered for `key`: the last build's, or made now.
    pub fn rendered(
        &self,
        disk: &DiskCache,
        key: Key,
        render: impl FnOnce() -> RenderedPage,
    ) -> RenderedPage {
        let kept = lock(&self.last).remove(&key);
        disk.count(DISK_KIND, kept.is_some());
        let page = kept.unwrap_or_else(render);
        if page.problems.is_empty()
            && let Some(bytes) = crate::memo::encode(&(key, &page))
        {
            lock(&self.this).push((key, bytes));
        }
        page
    }

    /// Stores this build's renders, unless they are the last build's.
    pub fn store(self, disk: &DiskCache) {
        let mut this = self
            .this
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        this.sort_unstable_by_key(|(key, _)| *key);
        this.dedup_by_key(|(key, _)| *key);
        if this
            .iter()
            .map(|(key, _)| *key)
            .eq(self.last_keys.iter().copied())
        {
            return;
        }
        let elements: Vec<&[u8]> = this.iter().map(|(_, bytes)| bytes.as_slice()).collect();
        disk.put(PACK_KIND, self.key, &crate::memo::encode_list(&elements));
    }
}

/// Work trees' listings (`portico serve`), each with where the watcher's
/// reports stood when it was made. A listing is made again only when a
/// report since could change it: a path that is not a listed file or is no
/// longer a regular file (a file made, deleted, renamed; a folder; a link;
/// anything under `.git`). An edit to a page changes no listing.
#[derive(Debug, Default)]
pub struct ListingMemo {
    repos: Mutex<HashMap<std::path::PathBuf, (crate::memo::Mark, Arc<Listing>)>>,
}

impl ListingMemo {
    /// Every file of the work tree or folder `snapshot` reads: the one
    /// listed before while it holds, else listed now.
    pub fn listing(&self, snapshot: &Snapshot, versions: &crate::memo::Versions) -> Arc<Listing> {
        let root = &snapshot.source.root;
        // Before listing: a change during it is reported after the mark.
        let mark = versions.mark();
        let last = lock(&self.repos).get(root).cloned();
        if let Some((since, listing)) = last
            && let Some(reported) = versions.reported_since(root, since)
            && reported.iter().all(|(relative, path)| {
                listing.files.binary_search(relative).is_ok()
                    && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
            })
        {
            return listing;
        }
        let listing = Arc::new(snapshot.list_all_files());
        lock(&self.repos).insert(root.clone(), (mark, listing.clone()));
        listing
    }
}

/// Each repository's docs as last built, by a key of its version and the
/// entities whose docs it holds: what the build returned and the files it
/// wrote, given again to the next build while the key holds.
#[derive(Debug, Default)]
pub struct RepoMemo {
    repos: Mutex<HashMap<String, (Key, Arc<RepoBuilt>)>>,
}

/// One repository's docs, built.
#[derive(Debug)]
pub(super) struct RepoBuilt {
    pub(super) docs: super::build::RepoDocs,
    pub(super) files: Vec<(String, Arc<[u8]>)>,
}

impl RepoMemo {
    pub(super) fn get(&self, repo: &str, key: Key) -> Option<Arc<RepoBuilt>> {
        let repos = lock(&self.repos);
        repos
            .get(repo)
            .filter(|(k, _)| *k == key)
            .map(|(_, built)| built.clone())
    }

    pub(super) fn insert(&self, repo: &str, key: Key, built: RepoBuilt) {
        lock(&self.repos).insert(repo.to_string(), (key, Arc::new(built)));
    }
}

/// The key of what every page's render reads besides its own text: the
/// sanitising settings. (The names of the site's other pages are not read:
/// a link's page URL follows from the name it is written with, so a page
/// renders the same in every version of its site that has it.)
pub fn render_settings_key(sanitize: &SanitizeOptions) -> Key {
    let mut hasher = hasher();
    for host in &sanitize.allowed_iframe_hosts {
        part(&mut hasher, host.as_bytes());
    }
    part(
        &mut hasher,
        sanitize.plantuml_server.as_deref().unwrap_or("").as_bytes(),
    );
    hasher.digest128()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_rendered_once_and_dropped_when_unused() {
        let memo = PageMemo::default();
        let page = |html: &str| RenderedPage {
            html: html.to_string(),
            ..RenderedPage::default()
        };
        memo.start();
        assert_eq!(rendered(&memo, 1, || page("one")).html, "one");
        assert_eq!(rendered(&memo, 1, || page("again")).html, "one");
        assert_eq!(rendered(&memo, 2, || page("two")).html, "two");
        assert_eq!(memo.finish(), (1, 2));
        for _ in 0..=KEPT_BUILDS {
            memo.start();
            rendered(&memo, 2, || page("not rendered"));
            assert_eq!(memo.finish(), (1, 0));
        }
        memo.start();
        assert_eq!(
            rendered(&memo, 1, || page("new")).html,
            "new",
            "1 was dropped"
        );
    }

    #[test]
    fn keys_separate_their_parts() {
        let key = |parts: &[&str]| {
            let mut h = hasher();
            for p in parts {
                part(&mut h, p.as_bytes());
            }
            h.digest128()
        };
        assert_ne!(key(&["ab", "c"]), key(&["a", "bc"]));
        assert_eq!(key(&["a"]), key(&["a"]));
    }
}
