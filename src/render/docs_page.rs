//! The HTML page around a rendered docs page: header, breadcrumbs, nav,
//! table of contents, previous/next, edit link. Every link is relative.

use super::canonical_url;
use super::shell::PageView;
use crate::docs::DocPageView;
use crate::html::{escape, external_link};
use crate::pipeline::Portal;
use std::fmt::Write as _;

pub fn page(view: &DocPageView, portal: &Portal) -> String {
    let mut html = String::with_capacity(view.content.len() + 4096);
    html.push_str(
        "<div class=\"docs-layout\">\n<nav class=\"docs-nav\" aria-label=\"Documentation\">\n",
    );
    let _ = writeln!(
        html,
        "<p class=\"docs-site\"><a href=\"{}\">{}</a></p><ul>",
        escape(&view.entity_href),
        escape(&view.site_name)
    );
    for link in &view.nav {
        let class = if link.current {
            " class=\"current\""
        } else {
            ""
        };
        let indent = format!(" style=\"--depth:{}\"", link.depth);
        match &link.href {
            None => {
                let _ = write!(
                    html,
                    "<li class=\"section\"{indent}>{}</li>",
                    escape(&link.title)
                );
            }
            Some(href) if link.external => {
                let _ = write!(
                    html,
                    "<li{indent}>{}</li>",
                    external_link(href, &link.title)
                );
            }
            Some(href) => {
                let current = if link.current {
                    " aria-current=\"page\""
                } else {
                    ""
                };
                let _ = write!(
                    html,
                    "<li{class}{indent}><a href=\"{}\"{current}>{}</a></li>",
                    escape(href),
                    escape(&link.title)
                );
            }
        }
    }
    html.push_str("</ul>\n</nav>\n<main id=\"content\" class=\"docs-content\">\n");
    if !view.breadcrumbs.is_empty() {
        html.push_str("<p class=\"crumbs\">");
        html.push_str(
            &view
                .breadcrumbs
                .iter()
                .map(|b| escape(b))
                .collect::<Vec<_>>()
                .join(" › "),
        );
        html.push_str("</p>\n");
    }
    html.push_str("<article>\n");
    html.push_str(&view.content);
    html.push_str("</article>\n<footer class=\"docs-footer\">");
    if let Some((date, author)) = &view.last_updated {
        let _ = write!(
            html,
            "<p class=\"updated\">Last updated <time datetime=\"{date}\">{date}</time> by {}</p>",
            escape(author)
        );
    }
    if view.uncommitted {
        html.push_str(
            "<p class=\"uncommitted\">This page has uncommitted changes in the work tree.</p>",
        );
    }
    if let Some(edit) = &view.edit_url {
        let _ = write!(html, "<p>{}</p>", external_link(edit, "Edit this page"));
    }
    html.push_str("<nav class=\"pager\" aria-label=\"Previous and next pages\">");
    if let Some((title, href)) = &view.previous {
        let _ = write!(
            html,
            "<a rel=\"prev\" href=\"{}\">← {}</a>",
            escape(href),
            escape(title)
        );
    }
    if let Some((title, href)) = &view.next {
        let _ = write!(
            html,
            "<a rel=\"next\" href=\"{}\">{} →</a>",
            escape(href),
            escape(title)
        );
    }
    html.push_str("</nav></footer>\n</main>\n");
    if !view.toc.is_empty() {
        html.push_str("<nav class=\"toc\" aria-label=\"On this page\"><p>On this page</p><ul>");
        for h in &view.toc {
            let _ = write!(
                html,
                "<li class=\"toc-h{}\"><a href=\"#{}\">{}</a></li>",
                h.level,
                escape(&h.id),
                escape(&h.text)
            );
        }
        html.push_str("</ul></nav>\n");
    }
    html.push_str("</div>");
    let shell = PageView {
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
    portal.shell.render(portal, &shell, &html)
}
