//! The HTML page around a rendered docs page: header, breadcrumbs, nav,
//! table of contents, previous/next, edit link. Every link is relative.

use super::Look;
use super::canonical_url;
use super::shell::LazyList;
use super::shell::PageView;
use crate::docs::DocPageView;
use crate::html::{escape, escape_into, external_link};
use crate::portal::Portal;
use minijinja::{Value, context};
use std::fmt::Write as _;

pub fn page(mut view: DocPageView, portal: &Portal, look: &Look) -> String {
    // The navigation and table of contents as HTML (what the default
    // template prints), then moved, not copied, into their data, built
    // only for a theme's template that loops over them.
    let nav_html = nav_html(&view);
    let toc_html = toc_html(&view);
    let nav_links = std::mem::take(&mut view.nav);
    let nav = LazyList::value(move || {
        nav_links
            .iter()
            .map(|link| {
                context! {
                    title => &link.title,
                    href => link.href.as_deref(),
                    depth => link.depth,
                    current => link.current,
                    section => link.href.is_none(),
                    external => link.external,
                    // External links go through the same check as content.
                    html => Value::from_safe_string(
                        link.href
                            .as_deref()
                            .filter(|_| link.external)
                            .map(|href| external_link(href, &link.title))
                            .unwrap_or_default(),
                    ),
                }
            })
            .collect()
    });
    let headings = std::mem::take(&mut view.toc);
    let toc = LazyList::value(move || {
        headings
            .iter()
            .map(|h| context! { level => h.level, id => &h.id, text => &h.text })
            .collect()
    });
    let link = |pair: &Option<(String, String)>| {
        pair.as_ref()
            .map(|(title, href)| context! { title => title, href => href })
    };
    let docs = context! {
        site_name => &view.site_name,
        entity_href => &view.entity_href,
        page_title => &view.page_title,
        breadcrumbs => &view.breadcrumbs,
        content => Value::from_safe_string(std::mem::take(&mut view.content)),
        nav => nav,
        toc => toc,
        nav_html => Value::from_safe_string(nav_html),
        toc_html => Value::from_safe_string(toc_html),
        updated => view
            .last_updated
            .as_ref()
            .map(|(date, author)| context! { date => date, author => author }),
        uncommitted => view.uncommitted,
        draft => view.draft,
        edit => view
            .edit_url
            .as_deref()
            .map(|url| Value::from_safe_string(edit_link(url))),
        previous => link(&view.previous),
        next => link(&view.next),
        versions => view
            .versions
            .iter()
            .map(|v| context! { label => &v.label, href => &v.href, current => v.current })
            .collect::<Vec<_>>(),
        version => view.versions.iter().find(|v| v.current).map(|v| &v.label),
        old_version => view.old_version.as_ref().map(|note| {
            context! {
                version => &note.version,
                latest => &note.latest,
                latest_href => &note.latest_href,
            }
        }),
    };
    let shell = PageView {
        description: super::pages::one_line(&view.description, 300),
        title: format!(
            "{} · {} · {}",
            view.page_title, view.site_name, portal.title
        ),
        root: &view.root,
        canonical: canonical_url(portal, &view.path),
        body_class: "docs",
        main_id: "content",
        mermaid: view.mermaid,
        downloads: false,
    };
    let html = look.shell.docs(&shell, docs);
    look.shell.render(portal, &shell, html)
}

/// "Edit this page", marked for the ReportIssue addon in `portico.js`,
/// which finds the repository's issue tracker from it.
fn edit_link(url: &str) -> String {
    match crate::html::safe_href(url) {
        Some(href) => {
            format!("<a class=\"edit-page\" href=\"{href}\" rel=\"noopener\">Edit this page</a>")
        }
        None => escape("Edit this page"),
    }
}

/// The site's navigation as HTML (what the default `docs.html` prints).
/// Written piece by piece into one buffer: every page lists the whole nav,
/// and a `format!` per item (and a string per escaped title) was 2 % of a
/// build's instructions.
fn nav_html(view: &DocPageView) -> String {
    let mut html = String::with_capacity(view.nav.len() * 112);
    for link in &view.nav {
        let indent = |html: &mut String| {
            html.push_str(" style=\"--depth:");
            match u8::try_from(link.depth) {
                Ok(depth) if depth < 10 => html.push(char::from(b'0' + depth)),
                _ => {
                    let _ = write!(html, "{}", link.depth);
                }
            }
            html.push('"');
        };
        match &link.href {
            None => {
                html.push_str("<li class=\"section\"");
                indent(&mut html);
                html.push('>');
                escape_into(&mut html, &link.title);
                html.push_str("</li>");
            }
            Some(href) if link.external => {
                html.push_str("<li");
                indent(&mut html);
                html.push('>');
                html.push_str(&external_link(href, &link.title));
                html.push_str("</li>");
            }
            Some(href) => {
                html.push_str(if link.current {
                    "<li class=\"current\""
                } else {
                    "<li"
                });
                indent(&mut html);
                html.push_str("><a href=\"");
                escape_into(&mut html, href);
                html.push_str(if link.current {
                    "\" aria-current=\"page\">"
                } else {
                    "\">"
                });
                escape_into(&mut html, &link.title);
                html.push_str("</a></li>");
            }
        }
    }
    html
}

/// The page's table of contents as HTML list items.
fn toc_html(view: &DocPageView) -> String {
    let mut html = String::new();
    for h in &view.toc {
        let _ = write!(
            html,
            "<li class=\"toc-h{}\"><a href=\"#{}\">{}</a></li>",
            h.level,
            escape(&h.id),
            escape(&h.text)
        );
    }
    html
}
