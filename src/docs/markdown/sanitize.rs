//! Sanitising pages that hold author-written HTML (ammonia, html5ever).
//!
//! Raw HTML is allowed in docs, as TechDocs allows it, but scripts, event
//! handlers, `javascript:` URLs and iframes from hosts not on the allowlist
//! (`portico.toml`, like TechDocs' `sanitizer.allowedIframeHosts`) are
//! removed. The markup Portico itself generates survives unchanged.

use crate::html::{UrlUse, allowed_url};
use std::collections::HashSet;

#[derive(Clone, Debug, Default)]
pub struct SanitizeOptions {
    /// Hosts iframes may load from, e.g. `www.youtube.com`.
    pub allowed_iframe_hosts: Vec<String>,
    /// PlantUML server that draws ```plantuml blocks in the browser
    /// (`[docs] plantuml-server`); without one they show as source.
    pub plantuml_server: Option<String>,
}

const EXTRA_TAGS: &[&str] = &[
    "details",
    "summary",
    "input",
    "label",
    "mark",
    "ins",
    "iframe",
    "figure",
    "figcaption",
    "abbr",
    "kbd",
    "span",
    "div",
    "section",
    "video",
    "source",
    "picture",
];
const GENERIC_ATTRIBUTES: &[&str] = &[
    "class",
    "id",
    "title",
    "lang",
    "dir",
    "align",
    "role",
    "aria-label",
    "aria-hidden",
    "data-tabs",
];

pub fn clean(html: &str, options: &SanitizeOptions) -> String {
    let tags: HashSet<&str> = EXTRA_TAGS.iter().copied().collect();
    let mut builder = ammonia::Builder::default();
    builder
        .add_tags(tags)
        .add_generic_attributes(GENERIC_ATTRIBUTES.iter().copied())
        .add_tag_attributes("input", ["type", "checked", "disabled", "name"])
        // `<a name="old-anchor">`: how older pages mark link targets,
        // which browsers scroll to. An `a`'s name names no property of
        // `window` or `document` (only `embed`, `form`, `iframe`, `img`
        // and `object` names do), so it cannot clobber the page's scripts.
        .add_tag_attributes("a", ["name"])
        .add_tag_attributes("label", ["for"])
        .add_tag_attributes("details", ["open"])
        .add_tag_attributes("img", ["width", "height", "loading"])
        .add_tag_attributes(
            "iframe",
            [
                "src",
                "width",
                "height",
                "allow",
                "allowfullscreen",
                "frameborder",
            ],
        )
        .add_tag_attributes("video", ["src", "controls", "width", "height", "poster"])
        .add_tag_attributes("source", ["src", "type", "srcset"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .link_rel(None)
        .id_prefix(None)
        .strip_comments(true)
        .url_schemes(crate::html::ALLOWED_SCHEMES.into_iter().collect());
    let hosts = options.allowed_iframe_hosts.clone();
    builder.attribute_filter(move |element, attribute, value| {
        if element == "iframe" && attribute == "src" {
            let host = value
                .strip_prefix("https://")
                .and_then(|rest| rest.split(['/', '?', '#']).next())
                .unwrap_or("");
            return hosts
                .iter()
                .any(|h| h.eq_ignore_ascii_case(host))
                .then(|| value.into());
        }
        if matches!(attribute, "href" | "src" | "poster" | "srcset") {
            // The same check as every other link Portico writes.
            let usage = if element == "a" {
                UrlUse::Link
            } else {
                UrlUse::Image
            };
            return allowed_url(value, usage).then(|| value.into());
        }
        if attribute == "style" {
            // Only text alignment in table cells (what tables extensions write).
            let v = value.trim().to_ascii_lowercase();
            return matches!(
                v.as_str(),
                "text-align: left;"
                    | "text-align: right;"
                    | "text-align: center;"
                    | "text-align: left"
                    | "text-align: right"
                    | "text-align: center"
            )
            .then(|| value.into());
        }
        Some(value.into())
    });
    builder.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean_default(html: &str) -> String {
        clean(
            html,
            &SanitizeOptions {
                allowed_iframe_hosts: vec!["www.youtube.com".into()],
                plantuml_server: None,
            },
        )
    }

    #[test]
    fn removes_scripts_handlers_and_script_urls() {
        let out = clean_default(
            "<p onclick=\"x()\">hi<script>alert(1)</script><a href=\"javascript:alert(1)\">a</a><img src=x onerror=alert(1)></p>",
        );
        assert!(!out.contains("script"), "{out}");
        assert!(
            !out.contains("onclick") && !out.contains("onerror"),
            "{out}"
        );
        assert!(out.contains(">hi"));
    }

    #[test]
    fn iframes_only_from_allowed_hosts() {
        let ok = clean_default("<iframe src=\"https://www.youtube.com/embed/x\"></iframe>");
        assert!(
            ok.contains("src=\"https://www.youtube.com/embed/x\""),
            "{ok}"
        );
        let bad = clean_default("<iframe src=\"https://evil.example/x\"></iframe>");
        assert!(!bad.contains("evil"), "{bad}");
    }

    #[test]
    fn keeps_generated_markup() {
        let html = "<div class=\"admonition note\"><p class=\"admonition-title\">T</p></div><details class=\"tip\" open=\"open\"><summary>S</summary></details><input checked=\"checked\" id=\"__tabbed_1_1\" name=\"__tabbed_1\" type=\"radio\"><label for=\"__tabbed_1_1\">A</label>";
        let out = clean_default(html);
        for part in [
            "class=\"admonition note\"",
            "open",
            "<summary>S</summary>",
            "type=\"radio\"",
            "for=\"__tabbed_1_1\"",
        ] {
            assert!(out.contains(part), "{part} missing in {out}");
        }
    }
}
