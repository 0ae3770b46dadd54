//! Rules on an entity's TechDocs, from what the docs stage built: the site,
//! its pages and their last commit dates, and the broken links and anchors
//! the link check reported in its pages.

use super::check::DocsCheck;
use super::dates::Day;
use super::{Evidence, Verdict};
use crate::diagnostics::Diagnostic;
use crate::docs::DocSiteSummary;

/// What the docs stage knows of one entity's docs.
#[derive(Clone, Copy, Default)]
pub struct DocsFacts<'a> {
    pub site: Option<&'a DocSiteSummary>,
    /// `broken-link` and `broken-anchor` diagnostics in the site's pages.
    pub broken: &'a [&'a Diagnostic],
    /// At a past commit (history): what was found without building the
    /// docs. `None` for the current build.
    pub past: Option<PastDocs>,
}

/// An entity's docs at a past commit, found without rendering: the
/// `mkdocs.yml` its annotation points to and the Markdown pages of its docs
/// folder, as they were at that commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PastDocs {
    /// Markdown pages found; `None` when no docs site was found.
    pub pages: Option<usize>,
}

/// The docs rules at a past commit: `present` and `min_pages` from the
/// files as they were; links and freshness need the docs built (and the
/// link check run) at that commit, which history does not do, so they are
/// not applicable there rather than guessed.
fn check_past(past: PastDocs, check: DocsCheck) -> Verdict {
    let found = |pages: usize| {
        Evidence::says(format!("{pages} Markdown pages at that commit")).value(pages.to_string())
    };
    match (check, past.pages) {
        (DocsCheck::Present, Some(pages)) => Verdict::when(pages > 0, found(pages)),
        (DocsCheck::MinPages(min), Some(pages)) => Verdict::when(pages >= min, found(pages)),
        (DocsCheck::Present | DocsCheck::MinPages(_), None) => Verdict::fail(Evidence::says(
            "no TechDocs at that commit (no `backstage.io/techdocs-ref`, or no mkdocs file)",
        )),
        (DocsCheck::NoBrokenLinks | DocsCheck::UpdatedWithinDays(_), _) => {
            Verdict::not_applicable(Evidence::says(
                "docs are built and link-checked for the current commit only; not judged at past commits",
            ))
        }
    }
}

/// Diagnostic codes that count as a broken link.
pub const BROKEN_LINK_CODES: [&str; 2] = ["broken-link", "broken-anchor"];

pub fn check(docs: DocsFacts<'_>, today: Day, check: DocsCheck) -> Verdict {
    if let Some(past) = docs.past {
        return check_past(past, check);
    }
    let Some(site) = docs.site else {
        let none =
            Evidence::says("no TechDocs (no `backstage.io/techdocs-ref`, or they did not build)");
        return match check {
            DocsCheck::Present | DocsCheck::MinPages(_) => Verdict::fail(none),
            _ => Verdict::not_applicable(none),
        };
    };
    // A preview's drafts are not counted: the built site has none.
    let pages = site.pages.iter().filter(|p| !p.draft).count();
    match check {
        DocsCheck::Present => Verdict::when(
            pages > 0,
            Evidence::says(format!("TechDocs `{}` with {pages} pages", site.site_name))
                .value(site.url.clone()),
        ),
        DocsCheck::MinPages(min) => Verdict::when(
            pages >= min,
            Evidence::says(format!("{pages} pages, expected at least {min}"))
                .value(pages.to_string()),
        ),
        DocsCheck::NoBrokenLinks => match docs.broken.first() {
            None => Verdict::pass(Evidence::says(format!("no broken link in {pages} pages"))),
            Some(d) => Verdict::fail(
                Evidence::says(format!(
                    "{} broken links or anchors, the first: {}",
                    docs.broken.len(),
                    d.message
                ))
                .value(docs.broken.len().to_string())
                .at(d.file.clone(), (d.line > 0).then_some(d.line)),
            ),
        },
        DocsCheck::UpdatedWithinDays(days) => {
            let newest = site
                .pages
                .iter()
                .filter(|p| !p.draft)
                .filter_map(|p| p.last_updated.as_deref().and_then(Day::parse))
                .max();
            let Some(newest) = newest else {
                return Verdict::not_applicable(Evidence::says(
                    "no page has a commit date (not a git repository, or not committed)",
                ));
            };
            let age = newest.days_until(today);
            Verdict::when(
                age <= i64::from(days),
                Evidence::says(format!(
                    "docs last changed {} ({}), expected within {days} days",
                    newest.label(),
                    newest.before(today)
                ))
                .dated(newest.label()),
            )
        }
    }
}
