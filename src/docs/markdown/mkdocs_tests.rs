//! Constructs seen on real TechDocs repositories, rendered as MkDocs with
//! techdocs-core renders them: input → HTML.

use super::*;

/// Renders `markdown` as `src` of a small site with `settings`.
fn render_page(src: &str, markdown: &str, settings: &MarkdownSettings) -> RenderedPage {
    let pages: HashMap<String, String> = ["index.md", "setup.md", "guides/deploy.md"]
        .iter()
        .map(|p| (p.to_string(), page_url(p)))
        .collect();
    let url = page_url(src);
    let sanitize = SanitizeOptions::default();
    let env = PageEnv {
        src,
        url: &url,
        site_depth: 4,
        page_urls: &pages,
        snippet: None,
        settings,
        dates: Default::default(),
        sanitize: &sanitize,
    };
    render(markdown, &env)
}

fn html(markdown: &str) -> String {
    render_page("index.md", markdown, &MarkdownSettings::default()).html
}

#[test]
fn links_with_a_slash_after_md_are_normalised_as_mkdocs_does() {
    let page = render_page(
        "guides/deploy.md",
        "[a](../setup.md/#install) [b](../setup.md/) [c](../index.md//)\n",
        &MarkdownSettings::default(),
    );
    insta::assert_snapshot!(page.html);
    let targets: Vec<&LinkTarget> = page.links.iter().map(|l| &l.target).collect();
    assert_eq!(
        targets,
        [
            &LinkTarget::Page {
                src: "setup.md".into(),
                anchor: Some("install".into())
            },
            &LinkTarget::Page {
                src: "setup.md".into(),
                anchor: None
            },
            &LinkTarget::Page {
                src: "index.md".into(),
                anchor: None
            },
        ]
    );
}

#[test]
fn date_plugin_tags_become_the_pages_dates() {
    let settings = MarkdownSettings {
        dates: template_tags::DateSettings {
            enabled: true,
            kind: "date".into(),
            custom_format: String::new(),
            creation: false,
        },
        ..MarkdownSettings::default()
    };
    let pages = HashMap::new();
    let sanitize = SanitizeOptions::default();
    let env = PageEnv {
        src: "index.md",
        url: "",
        site_depth: 4,
        page_urls: &pages,
        snippet: None,
        settings: &settings,
        dates: template_tags::PageDates {
            revision: Some(1_709_622_489),
            creation: Some(0),
            site_revision: None,
        },
        sanitize: &sanitize,
    };
    let page = render(
        "# Notes\n\n*Updated {{ git_revision_date_localized }}* ({{git_site_revision_date_localized}}), created {{ git_creation_date_localized }}.\n",
        &env,
    );
    insta::assert_snapshot!(page.html);
    // Without the plugin the tags are text, as MkDocs shows them.
    assert!(
        html("{{ git_revision_date_localized }}\n").contains("{{ git_revision_date_localized }}")
    );
}

#[test]
fn admonition_types_keep_python_markdowns_classes_and_titles() {
    let types = [
        "note",
        "abstract",
        "SUMMARY",
        "tldr",
        "info",
        "todo",
        "tip",
        "hint",
        "important",
        "success",
        "check",
        "done",
        "question",
        "help",
        "faq",
        "warning",
        "caution",
        "attention",
        "failure",
        "fail",
        "missing",
        "danger",
        "error",
        "bug",
        "example",
        "quote",
        "cite",
        "warn",
    ];
    let page: String = types
        .iter()
        .map(|t| format!("!!! {t}\n    Body.\n\n"))
        .collect();
    let out = html(&page);
    insta::assert_snapshot!(out);
    assert!(
        out.contains(
            "<div class=\"admonition summary\">\n<p class=\"admonition-title\">Summary</p>"
        )
    );
    assert_eq!(
        html("??? Danger custom\n    x\n"),
        "<details class=\"danger custom\">\n<summary>Danger</summary>\n<p>x</p>\n</details>\n"
    );
}
