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
}

/// Diagnostic codes that count as a broken link.
pub const BROKEN_LINK_CODES: [&str; 2] = ["broken-link", "broken-anchor"];

pub fn check(docs: DocsFacts<'_>, today: Day, check: DocsCheck) -> Verdict {
    let Some(site) = docs.site else {
        let none =
            Evidence::says("no TechDocs (no `backstage.io/techdocs-ref`, or they did not build)");
        return match check {
            DocsCheck::Present | DocsCheck::MinPages(_) => Verdict::fail(none),
            _ => Verdict::not_applicable(none),
        };
    };
    let pages = site.pages.len();
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
                    "docs last changed {} ({age} days before {}), expected within {days} days",
                    newest.label(),
                    today.label()
                ))
                .dated(newest.label()),
            )
        }
    }
}
