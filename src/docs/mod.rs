//! TechDocs: every entity's docs rendered as TechDocs would, from unchanged
//! `mkdocs.yml` and Markdown.
//!
//! [`site`] finds each entity's `mkdocs.yml` and docs folder from its
//! `backstage.io/techdocs-ref`; [`nav`] builds the navigation; [`markdown`]
//! renders pages; [`build`] streams pages and assets to the output as they
//! are rendered; [`links`] then checks every link and anchor across sites.
//! [`author_files`] sanitises the HTML and SVG files authors put in docs
//! folders, which a browser would otherwise run as pages of the portal.
//! [`versions`] builds old versions of a site from git tags.

pub mod author_files;
pub mod build;
mod exclusions;
pub mod links;
pub mod markdown;
pub mod memo;
pub use memo::DISK_KIND as PAGE_CACHE_KIND;
pub use repo_cache::BY_FILES_TAKEN as REPOS_BY_FILES_TAKEN;
pub mod mkdocs;
pub mod nav;
mod page;
mod pages;
mod repo_cache;
pub mod site;
mod snippets;
mod title;
pub mod versions;

pub use build::{
    DocPageView, DocSiteSummary, DocsMemo, DocsOptions, DocsOutcome, KeptSections, NavLink, build,
};
