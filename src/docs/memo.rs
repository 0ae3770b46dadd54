//! Docs work kept between builds of one process (`portico serve`), each
//! unit by a hash of everything it read:
//!
//! - a page's render, by its text, the names of every page of its site
//!   (which fix its links), the snippets it may include, the sanitising
//!   settings and Portico's version;
//! - a page's whole output (its laid-out file, summary, link facts,
//!   problems), by its render's key and everything around it: the site's
//!   nav, the page's place and title, its git dates, the site's settings;
//! - a repository's docs, while none of its files changed.
//!
//! Renders are also kept on disk between runs of `portico build`
//! ([`rendered_on_disk`], under the same keys, in [`crate::cache`]).
//!
//! An edit then renders only the pages whose inputs changed, and lays out
//! again only the pages whose surroundings changed. Entries no build used
//! for [`KEPT_BUILDS`](crate::memo::KEPT_BUILDS) builds are dropped, so memory follows the site, not
//! the number of edits.

use super::markdown::{RenderedPage, SanitizeOptions};
use crate::cache::DiskCache;
pub use crate::memo::{KEPT_BUILDS, Kept, Key, hasher, part};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Rendered pages, shared: a clone is a count.
pub type PageMemo = Kept<Arc<RenderedPage>>;

/// The page rendered for `key` (a copy the caller may change).
pub fn rendered(memo: &PageMemo, key: Key, render: impl FnOnce() -> RenderedPage) -> RenderedPage {
    RenderedPage::clone(&memo.get_or_make(key, || Arc::new(render())))
}

/// What pages are kept under in the build cache on disk.
pub const DISK_KIND: &str = "page";

/// The page rendered for `key`, read from the build cache when it holds it,
/// else rendered and stored there. Pages with problems are not stored (their
/// diagnostics are not kept), so they are rendered and reported each build.
pub fn rendered_on_disk(
    disk: &DiskCache,
    key: Key,
    render: impl FnOnce() -> RenderedPage,
) -> RenderedPage {
    if let Some(page) = disk
        .get(DISK_KIND, key)
        .and_then(|bytes| serde_json::from_slice::<RenderedPage>(&bytes).ok())
    {
        return page;
    }
    let page = render();
    if page.problems.is_empty()
        && let Ok(bytes) = serde_json::to_vec(&page)
    {
        disk.put(DISK_KIND, key, &bytes);
    }
    page
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
        let repos = self.repos.lock().unwrap_or_else(PoisonError::into_inner);
        repos
            .get(repo)
            .filter(|(k, _)| *k == key)
            .map(|(_, built)| built.clone())
    }

    pub(super) fn insert(&self, repo: &str, key: Key, built: RepoBuilt) {
        self.repos
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(repo.to_string(), (key, Arc::new(built)));
    }
}

/// The key of what every page of a site shares: its pages' names and the
/// sanitising settings.
pub fn site_key(pages: &[String], sanitize: &SanitizeOptions) -> Key {
    let mut hasher = hasher();
    for page in pages {
        part(&mut hasher, page.as_bytes());
    }
    part(&mut hasher, b"--");
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
