//! The top of an entity page, as Backstage's About card has it: the header
//! facts (owner, lifecycle, tags), `metadata.links` with their icons, and a
//! card per plugin annotation the entity has (GitHub, PagerDuty, SonarQube,
//! Kubernetes, Argo CD, Jenkins, Grafana, its source and edit links),
//! linked through `[site.annotation-links]` templates.

use super::icons;
use super::pages::{first_target, ref_link};
use crate::catalog::Entity;
use crate::html::{escape, safe_href};
use crate::portal::Portal;
use std::fmt::Write as _;

/// The plugin annotations Portico knows by name: (annotation, tool, icon).
/// Whether one is linked is up to `[site.annotation-links]` (GitHub, GitLab
/// and SonarCloud by default; the others live on each organisation's own
/// host).
pub const KNOWN_ANNOTATIONS: &[(&str, &str, &str)] = &[
    ("github.com/project-slug", "GitHub", "git"),
    ("gitlab.com/project-slug", "GitLab", "git"),
    ("pagerduty.com/service-id", "PagerDuty", "alert"),
    ("sonarqube.org/project-key", "SonarQube", "quality"),
    ("backstage.io/kubernetes-id", "Kubernetes", "cloud"),
    ("argocd/app-name", "Argo CD", "cloud"),
    ("jenkins.io/job-full-name", "Jenkins", "build"),
    ("grafana/dashboard-selector", "Grafana", "chart"),
];

/// Annotations whose value is the link itself.
const URL_ANNOTATIONS: &[(&str, &str, &str)] = &[
    ("backstage.io/view-url", "View source", "code"),
    ("backstage.io/edit-url", "Edit", "edit"),
];

/// The header's facts: owner, lifecycle and tags as HTML list items.
pub fn header_facts(portal: &Portal, entity: &Entity, root: &str) -> String {
    let mut html = String::new();
    if let Some(owner) = first_target(entity, "ownedBy") {
        let _ = write!(
            html,
            "<li><span class=\"fact\">Owner</span> {}</li>",
            ref_link(portal, owner, root)
        );
    }
    if let Some(lifecycle) = entity.spec_str("lifecycle") {
        let _ = write!(
            html,
            "<li><span class=\"fact\">Lifecycle</span> <span class=\"chip lifecycle-{}\">{}</span></li>",
            escape(&class_word(lifecycle)),
            escape(lifecycle)
        );
    }
    if let Some(email) = super::people::email_link(entity) {
        let _ = write!(html, "<li><span class=\"fact\">Email</span> {email}</li>");
    }
    let tags = tags(entity);
    if !tags.is_empty() {
        let _ = write!(html, "<li class=\"tags\">{tags}</li>");
    }
    html
}

/// The entity's `metadata.tags` as chips.
pub fn tags(entity: &Entity) -> String {
    entity.metadata()["tags"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|v| v.as_str())
                .map(|t| format!("<span class=\"tag\">{}</span>", escape(t)))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// A value as one lowercase class word: letters, digits and `-` only.
fn class_word(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// `metadata.links` as a list, each with its icon (Backstage's icon names:
/// `dashboard`, `docs`, `chat`, `github`, …). Links to URLs that may not be
/// linked are shown as text.
pub fn links(entity: &Entity) -> Option<String> {
    let items: Vec<String> = entity.metadata()["links"]
        .as_array()?
        .iter()
        .filter_map(|l| {
            let url = l["url"].as_str()?;
            let title = l["title"].as_str().unwrap_or(url);
            let icon = icons::svg(l["icon"].as_str().or(l["type"].as_str()).unwrap_or("link"));
            Some(match safe_href(url) {
                Some(href) => format!(
                    "<li><a href=\"{href}\" rel=\"noopener\">{icon}<span>{}</span></a></li>",
                    escape(title)
                ),
                None => format!("<li>{icon}<span>{}</span></li>", escape(title)),
            })
        })
        .collect();
    (!items.is_empty()).then(|| format!("<ul class=\"links\">{}</ul>", items.join("")))
}

/// A card per plugin annotation the entity has: the known ones, those
/// `[site.annotation-links]` adds, and the view and edit URLs.
pub fn tool_cards(portal: &Portal, entity: &Entity) -> String {
    let mut cards = String::new();
    let template_of = |annotation: &str| {
        portal
            .annotation_links
            .iter()
            .find(|(a, _)| a == annotation)
            .map(|(_, t)| t.as_str())
    };
    let configured = portal
        .annotation_links
        .iter()
        .filter(|(a, _)| !KNOWN_ANNOTATIONS.iter().any(|(k, _, _)| k == a))
        .map(|(a, _)| (a.as_str(), a.as_str(), "link"));
    for (annotation, tool, icon) in KNOWN_ANNOTATIONS.iter().copied().chain(configured) {
        let Some(value) = entity.annotation(annotation) else {
            continue;
        };
        let url = template_of(annotation).map(|t| t.replace("{value}", &url_component(value)));
        card(&mut cards, tool, icon, annotation, value, url.as_deref());
    }
    for (annotation, tool, icon) in URL_ANNOTATIONS {
        if let Some(url) = entity.annotation(annotation) {
            card(&mut cards, tool, icon, annotation, url, Some(url));
        }
    }
    if cards.is_empty() {
        return cards;
    }
    format!(
        "<section aria-labelledby=\"tools\"><h2 id=\"tools\">Tools</h2><ul class=\"cards tools\">{cards}</ul></section>\n"
    )
}

fn card(
    html: &mut String,
    tool: &str,
    icon: &str,
    annotation: &str,
    value: &str,
    url: Option<&str>,
) {
    let title = format!(
        "{}<span class=\"tool\">{}</span>",
        icons::svg(icon),
        escape(tool)
    );
    let head = match url.and_then(safe_href) {
        Some(href) => format!("<a class=\"head\" href=\"{href}\" rel=\"noopener\">{title}</a>"),
        None => format!("<span class=\"head\">{title}</span>"),
    };
    let _ = write!(
        html,
        "<li class=\"card\">{head}<code title=\"{}\">{}</code></li>",
        escape(annotation),
        escape(value)
    );
}

/// An annotation's value inside a URL: path separators kept (`org/repo`);
/// anything else that could change where the URL points (`:`, `@`, `?`,
/// `#`, a `..` segment) percent-encoded.
pub fn url_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (i, segment) in value.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if segment == ".." || segment == "." {
            out.push_str(&segment.replace('.', "%2E"));
            continue;
        }
        for b in segment.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                out.push(b as char);
            } else {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_values_cannot_redirect_their_links() {
        assert_eq!(
            url_component("acme/shipment-tracker"),
            "acme/shipment-tracker"
        );
        assert_eq!(url_component("../../evil"), "%2E%2E/%2E%2E/evil");
        assert_eq!(url_component("x@evil.example:80"), "x%40evil.example%3A80");
        assert_eq!(url_component("a b?c#d"), "a%20b%3Fc%23d");
    }

    #[test]
    fn lifecycle_classes_are_single_safe_words() {
        assert_eq!(class_word("Production"), "production");
        assert_eq!(class_word("a\" onclick=x"), "a--onclick-x");
    }
}
