//! The portal: everything read about the organisation, as plain data. The
//! stages after reading (docs, search, render) take it; none of their own
//! types live in it, so it can be kept, compared and handed between runs.

use crate::catalog::Catalog;
use crate::docs::DocSiteSummary;
use crate::read::RepoSource;

/// Everything known about the organisation after reading it.
#[derive(Debug, Default)]
pub struct Portal {
    pub title: String,
    pub repos: Vec<RepoSource>,
    pub catalog: Catalog,
    /// Built docs sites, sorted by folder.
    pub docs: Vec<std::sync::Arc<DocSiteSummary>>,
    /// Whether the site has search (pages carry the search box).
    pub search: bool,
    /// `[site] base-url`: canonical links, `sitemap.xml`, a 404 page that works at any depth.
    pub base_url: Option<String>,
    /// Annotations shown as links: (annotation, URL template with `{value}`).
    pub annotation_links: Vec<(String, String)>,
    /// Every scorecard's results (empty until the scorecards stage ran).
    pub scorecards: crate::scorecards::Results,
}
