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

fn with_highlight(markdown: &str, highlight: HighlightSettings) -> String {
    let settings = MarkdownSettings {
        highlight,
        ..MarkdownSettings::default()
    };
    render_page("index.md", markdown, &settings).html
}

#[test]
fn code_blocks_have_numbered_lines_as_techdocs_core_sets_them() {
    let fence = "```python title=\"a.py\" linenums=\"3\" hl_lines=\"1 3-4\"\n\na = 1\nb = 2\nc = '''x\ny'''\n\n```\n\n```\nplain\n```\n";
    insta::assert_snapshot!(html(fence));
}

#[test]
fn inline_numbers_anchors_and_numbers_off() {
    let fence = "```python title=\"a.py\" hl_lines=\"2\"\na = 1\nb = 2\n```\n\n```\nx\n```\n";
    let inline = HighlightSettings {
        linenums: true,
        linenums_style: "pymdownx-inline".into(),
        anchor_linenums: true,
    };
    insta::assert_snapshot!(with_highlight(fence, inline));
    let table_anchors = HighlightSettings {
        anchor_linenums: true,
        ..HighlightSettings::default()
    };
    let out = with_highlight("```\nx\n```\n", table_anchors);
    assert!(out.contains("<span class=\"normal\"><a href=\"#__codelineno-0-1\">1</a></span>"));
    assert!(
        out.contains("<code><a id=\"__codelineno-0-1\" name=\"__codelineno-0-1\"></a>x\n</code>")
    );
    let off = HighlightSettings {
        linenums: false,
        ..HighlightSettings::default()
    };
    assert_eq!(
        with_highlight("```py title=\"t\" hl_lines=\"1\"\nx\n```\n", off.clone()),
        "<div class=\"language-py highlight\"><span class=\"filename\">t</span><pre><span></span><code><span class=\"hll\">x\n</span></code></pre></div>\n"
    );
    // `linenums="2"` numbers one block when numbers are off, `"0"` turns them off.
    assert!(with_highlight("```linenums=\"2\"\nx\n```\n", off).contains(">2</span>"));
    assert!(!html("``` linenums=\"0\"\nx\n```\n").contains("linenos"));
}

#[test]
fn inline_code_in_a_language_is_highlighted() {
    insta::assert_snapshot!(html(
        "Run `#!python print(None)` or `:::js let x` but not `#!python`, `plain`.\n"
    ));
}

#[test]
fn blocks_indented_past_the_lists_nesting_render_as_in_techdocs() {
    // Each as mkdocs + techdocs-core renders it (mdx_truly_sane_lists,
    // nested_indent 2), and reported where it was written.
    let page = "\
* Errors
    * HTTPError

*   **analytics**: options.

    *   **gtag**: an ID.

        ```yaml
        gtag: G-1
        ```

1. Step

    !!! note
        Inside.

2. Next

  !!! tip
      Nested.

Intro.

  - __Not a list__

<!-- md:option toc.title -->

:   The title.

    ``` yaml
    title: On this page
    ```

<!-- md:option type:note -->

:   !!! note

        Lorem ipsum.
";
    let rendered = render_page("index.md", page, &MarkdownSettings::default());
    insta::assert_snapshot!(rendered.html);
    let mut problems: Vec<(usize, &str)> = rendered
        .problems
        .iter()
        .map(|(line, d)| (*line, d.code))
        .collect();
    problems.sort();
    assert_eq!(
        problems,
        [
            (2, "list-indent"),
            (6, "list-indent"),
            (8, "list-indent"),
            (14, "list-indent"),
            (24, "list-indent")
        ]
    );
}

#[test]
fn code_spans_lose_surrounding_spaces_as_in_python_markdown() {
    assert_eq!(
        html("Lines starting `$ `, `` `# ` `` or ` % ` and `a b`.\n"),
        "<p>Lines starting <code>$</code>, <code>`# `</code> or <code>%</code> and <code>a b</code>.</p>\n"
    );
}

#[test]
fn pipes_in_code_spans_stay_in_their_table_cell() {
    insta::assert_snapshot!(html(
        "| Flag | Values |\n|---|---|\n| `--mode` | `fast|slow` |\n| `a\\|b` | plain \\| pipe |\n\n`x|y` outside a table\n"
    ));
}

#[test]
fn critic_markup_shows_edits_as_pymdownx_critic_does() {
    let page = render_page(
        "index.md",
        "Keep {++new **bold**++} and {--old--}, {~~this~>that~~}, {==look==}{>>why <not><<}.\n\n`{++code++}`\n",
        &MarkdownSettings::default(),
    );
    insta::assert_snapshot!(page.html);
    assert!(page.problems.is_empty(), "{:?}", page.problems);
}

#[test]
fn toc_permalink_text_and_title_follow_mkdocs_yml() {
    let settings = |permalink: Option<&str>, title: &str| MarkdownSettings {
        toc: TocSettings {
            permalink: permalink.map(str::to_string),
            permalink_title: title.into(),
            ..TocSettings::default()
        },
        ..MarkdownSettings::default()
    };
    let page = "## Set up\n";
    insta::assert_snapshot!(
        render_page("index.md", page, &settings(Some("#"), "Link to this")).html
    );
    assert_eq!(
        render_page("index.md", page, &settings(Some("&para;"), "")).html,
        "<h2 id=\"set-up\">Set up<a class=\"headerlink\" href=\"#set-up\">&para;</a></h2>\n"
    );
    assert_eq!(
        render_page("index.md", page, &settings(None, "x")).html,
        "<h2 id=\"set-up\">Set up</h2>\n"
    );
}

fn with_keys() -> MarkdownSettings {
    MarkdownSettings {
        keys: Some(KeysSettings::default()),
        ..MarkdownSettings::default()
    }
}

#[test]
fn keys_render_as_pymdownx_keys_does() {
    // Expected HTML: MkDocs 1.6.1 + pymdown-extensions 11.0.1 with
    // `pymdownx.keys` added to techdocs-core's extensions.
    let page = render_page(
        "index.md",
        "Press ++ctrl+alt+del++ now, ++\"Hello\"++ and ++Enter++ or ++enter++ and ++pg-up++ and ++unknownkey++.\n\n++ctrl++alt++ and +++a+++ and ++a+ and ++'single'++ and x++a++y.\n",
        &with_keys(),
    );
    assert_eq!(
        page.html,
        "<p>Press <span class=\"keys\"><kbd class=\"key-control\">Ctrl</kbd><span>+</span><kbd class=\"key-alt\">Alt</kbd><span>+</span><kbd class=\"key-delete\">Del</kbd></span> now, <span class=\"keys\"><kbd>Hello</kbd></span> and ++Enter++ or <span class=\"keys\"><kbd class=\"key-enter\">Enter</kbd></span> and <span class=\"keys\"><kbd class=\"key-page-up\">Page Up</kbd></span> and ++unknownkey++.</p>\n\
         <p><span class=\"keys\"><kbd class=\"key-control\">Ctrl</kbd></span>alt++ and +<span class=\"keys\"><kbd class=\"key-a\">A</kbd></span>+ and ++a+ and <span class=\"keys\"><kbd>single</kbd></span> and x<span class=\"keys\"><kbd class=\"key-a\">A</kbd></span>y.</p>\n"
    );
    // Block titles too.
    let title = render_page(
        "index.md",
        "!!! tip \"Press ++f1++\"\n\n    x\n",
        &with_keys(),
    );
    assert!(
        title.html.contains("<p class=\"admonition-title\">Press <span class=\"keys\"><kbd class=\"key-f1\">F1</kbd></span></p>"),
        "{}",
        title.html
    );
    // Without the extension in mkdocs.yml the text stays as written.
    assert_eq!(html("++ctrl+c++\n"), "<p>++ctrl+c++</p>\n");
}

#[test]
fn keys_options_change_the_markup() {
    let settings = MarkdownSettings {
        keys: Some(KeysSettings {
            separator: String::new(),
            strict: true,
            class: "keys big".into(),
            camel_case: true,
        }),
        ..MarkdownSettings::default()
    };
    let page = render_page("index.md", "++Shift+PageUp++ and `++ctrl++`\n", &settings);
    assert_eq!(
        page.html,
        "<p><kbd class=\"keys big\"><kbd class=\"key-shift\">Shift</kbd><kbd class=\"key-page-up\">Page Up</kbd></kbd> and <code>++ctrl++</code></p>\n"
    );
}

#[test]
fn keys_on_pathological_input_stay_bounded() {
    for text in [
        "+".repeat(1 << 20),
        "++\"".repeat(100_000),
        "++a+".repeat(100_000),
        "++ctrl".repeat(100_000),
    ] {
        let page = render_page("index.md", &text, &with_keys());
        // Every byte comes out once, escaped or inside a key's markup.
        assert!(page.html.len() > text.len() / 2);
        assert!(page.html.len() < text.len() * 20, "{}", page.html.len());
    }
}

#[test]
fn asterisks_inside_words_are_text_as_with_betterem() {
    // Expected HTML: MkDocs 1.6.1 + techdocs-core 1.7.1 (pymdownx.betterem
    // with smart_enable: all) on the same input.
    let input = "foo*bar*baz\n\nfoo_bar_baz\n\n**bold**text\n\n__bold__text\n\ntext**bold**\n\n*a **b** c*\n\n***strong em***\n\n___strong em___\n\nsnake_case_name and *emph*\n\n2*3*4\n\n**a*b**\n\n_a_b\n\n* not a list*\n\n**foo bar **\n\na * b * c\n\n__init__.py file\n\n*foo*bar\n\nfoo*bar*\n\n(*a*) and *a*. and \"*q*\"\n\n***a** b*\n\n**a *b***\n\n*a **b***\n\nx***a***y\n\nun*frigging*believable\n\n***a*** b\n\n**a**_b_\n\nsnake_*case*\n\n_foo_bar_\n\n__a__b\n\na**b**\n\n**Note:**Text\n";
    let expected = "<p>foo*bar*baz</p>\n<p>foo_bar_baz</p>\n<p>**bold**text</p>\n<p>__bold__text</p>\n<p>text**bold**</p>\n<p><em>a <strong>b</strong> c</em></p>\n<p><strong><em>strong em</em></strong></p>\n<p><strong><em>strong em</em></strong></p>\n<p>snake_case_name and <em>emph</em></p>\n<p>2*3*4</p>\n<p><strong>a*b</strong></p>\n<p>_a_b</p>\n<ul>\n<li>not a list*</li>\n</ul>\n<p>**foo bar **</p>\n<p>a * b * c</p>\n<p><strong>init</strong>.py file</p>\n<p>*foo*bar</p>\n<p>foo*bar*</p>\n<p>(<em>a</em>) and <em>a</em>. and \"<em>q</em>\"</p>\n<p><em><strong>a</strong> b</em></p>\n<p><strong>a <em>b</em></strong></p>\n<p><em>a <strong>b</strong></em></p>\n<p>x***a***y</p>\n<p>un*frigging*believable</p>\n<p><strong><em>a</em></strong> b</p>\n<p><strong>a</strong><em>b</em></p>\n<p>snake_<em>case</em></p>\n<p><em>foo_bar</em></p>\n<p>__a__b</p>\n<p>a**b**</p>\n<p>**Note:**Text</p>\n";
    assert_eq!(html(input), expected);
}

#[test]
fn emphasis_on_pathological_input_stays_bounded() {
    for text in [
        format!("x{}", "*".repeat(1 << 20)),
        format!("{}a{}", "*".repeat(100_000), "*".repeat(100_000)),
        "a*b*".repeat(100_000),
        "***a***b".repeat(50_000),
    ] {
        let out = html(&text);
        assert!(out.len() > text.len() / 2 && out.len() < text.len() * 20);
    }
}

/// HTML without the line breaks next to tags, which differ between
/// Python-Markdown's serialiser and Portico's and do not show.
fn without_breaks(html: &str) -> String {
    html.replace(">\n", ">").replace("\n<", "<")
}

#[test]
fn lists_are_laid_out_as_truly_sane_lists_does() {
    // Expected HTML: MkDocs 1.6.1 + techdocs-core 1.7.1 (which enables
    // mdx_truly_sane_lists 1.3) on the same input.
    let input = "- a\n\n- b\n- c\n\n1. a\n\n2. b\n3. c\n\n- a\n  - b\n    - c\n- d\n\n- a\n\n  - b\n\n- c\n\n1. x\n2. y\n\n    more\n\n3. z\n\n5. five\n6. six\n\n> - q1\n>\n> - q2\n\n\nend\n\n1. a\n  - b\n  - c\n2. d\n\n10. x\n  1. y\n\n    para\n\n  ```\n  code\n    indented\n  ```\n";
    let expected = "<ul>\n<li>a</li>\n</ul>\n<ul>\n<li>b</li>\n<li>c</li>\n</ul>\n<ol>\n<li>\n<p>a</p>\n</li>\n<li>\n<p>b</p>\n</li>\n<li>c</li>\n</ol>\n<ul>\n<li>a<ul>\n<li>b<ul>\n<li>c</li>\n</ul>\n</li>\n</ul>\n</li>\n<li>d</li>\n</ul>\n<ul>\n<li>\n<p>a</p>\n<ul>\n<li>b</li>\n</ul>\n</li>\n</ul>\n<ul>\n<li>c</li>\n</ul>\n<ol>\n<li>x</li>\n<li>\n<p>y</p>\n<p>more</p>\n</li>\n<li>\n<p>z</p>\n</li>\n<li>\n<p>five</p>\n</li>\n<li>six</li>\n</ol>\n<blockquote>\n<ul>\n<li>q1</li>\n</ul>\n<ul>\n<li>q2</li>\n</ul>\n</blockquote>\n<p>end</p>\n<ol>\n<li>a<ul>\n<li>b</li>\n<li>c</li>\n</ul>\n</li>\n<li>\n<p>d</p>\n</li>\n<li>\n<p>x</p>\n<ol>\n<li>\n<p>y</p>\n<p>para</p>\n</li>\n</ol>\n<div class=\"language-text highlight\"><table class=\"highlighttable\"><tr><td class=\"linenos\"><div class=\"linenodiv\"><pre><span></span><span class=\"normal\">1</span>\n<span class=\"normal\">2</span></pre></div></td><td class=\"code\"><div><pre><span></span><code>code\n  indented\n</code></pre></div></td></tr></table></div>\n</li>\n</ol>\n";
    assert_eq!(without_breaks(&html(input)), without_breaks(expected));
}

#[test]
fn lists_on_pathological_input_stay_bounded() {
    for text in [
        "- a\n\n".repeat(100_000),
        "1. a\n\n".repeat(100_000),
        "- a\n  - b\n    - c\n".repeat(30_000),
        format!("- a\n{}", "\n".repeat(1 << 20)),
        format!("{}x", "- ".repeat(100_000)),
    ] {
        let out = html(&text);
        assert!(
            out.len() > 4 && out.len() < text.len() * 20,
            "{}",
            out.len()
        );
    }
}

#[test]
fn attribute_lists_after_bold_and_italic_text() {
    // Expected HTML: MkDocs 1.6.1 + techdocs-core 1.7.1 (attr_list comes
    // with pymdownx.extra); seen in MkDocs' own docs.
    let page = render_page(
        "index.md",
        "*   **`locale`**{ #mkdocs-locale }: The locale\n\nSee *this*{ .note } and **x** {.y} and **z**{.q} rest **w**{ }\n\n# Title **b**{ #in-heading }\n",
        &MarkdownSettings::default(),
    );
    assert!(page.html.starts_with(
        "<ul>\n<li><strong id=\"mkdocs-locale\"><code>locale</code></strong>: The locale</li>\n</ul>\n\
         <p>See <em class=\"note\">this</em> and <strong>x</strong> {.y} and <strong class=\"q\">z</strong> rest <strong>w</strong>{ }</p>\n"
    ), "{}", page.html);
    assert!(page.ids.contains("mkdocs-locale"));
}

#[test]
fn heading_attribute_lists_with_key_value_ids() {
    // Material's changelog: `### 1.0.0 <small>…</small> { id="1.0.0" }`.
    // MkDocs 1.6.1 + techdocs-core 1.7.1 give these ids and classes.
    let page = render_page(
        "index.md",
        "### 1.0.0 <small>January 13, 2017</small> { id=\"1.0.0\" }\n\n## Two {: #two .c }\n\n## Three { class=\"x y\" data-a=\"b\" }\n",
        &MarkdownSettings::default(),
    );
    let ids: Vec<&str> = page.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["1.0.0", "two", "three"]);
    assert!(
        page.html.contains("<h2 id=\"three\" class=\"x y\">Three<"),
        "{}",
        page.html
    );
    assert!(
        page.html
            .contains("1.0.0 <small>January 13, 2017</small><a")
    );
}

#[test]
fn reference_links_in_block_titles_use_the_pages_definitions() {
    // Expected HTML: MkDocs 1.6.1 + techdocs-core 1.7.1 (Material's docs
    // write titles such as `!!! warning "[How we manage change requests]"`).
    let input = "!!! warning \"[How we manage change requests]\"\n\n    Body [x].\n\n??? tip \"Recommended: [configuration validation][schema]\"\n\n    B\n\n  [How we manage change requests]: https://example.com/a\n  [schema]: https://example.com/s\n  [x]: https://x.org\n";
    let expected = "<div class=\"admonition warning\">\n<p class=\"admonition-title\"><a href=\"https://example.com/a\">How we manage change requests</a></p>\n<p>Body <a href=\"https://x.org\">x</a>.</p>\n</div>\n<details class=\"tip\">\n<summary>Recommended: <a href=\"https://example.com/s\">configuration validation</a></summary>\n<p>B</p>\n</details>\n";
    assert_eq!(html(input), expected);
}

#[test]
fn many_titles_and_definitions_stay_bounded() {
    let mut text = String::new();
    for i in 0..5_000 {
        text.push_str(&format!("!!! note \"[l{i}] [l{}]\"\n\n    b\n\n", i + 1));
    }
    for i in 0..5_000 {
        text.push_str(&format!("[l{i}]: https://e.org/{i}\n"));
    }
    let out = html(&text);
    assert_eq!(out.matches("class=\"admonition-title\"").count(), 5_000);
    assert!(out.len() < text.len() * 20);
}

/// Heading ids follow the site's `toc` `slugify` and `separator`, so links
/// written against the TechDocs site keep their anchors.
#[test]
fn heading_ids_follow_the_sites_slugify() {
    use crate::docs::markdown::slug::{Normalization, SlugCase, SlugSettings, SlugStyle};
    let settings = MarkdownSettings {
        toc: TocSettings {
            slug: SlugSettings {
                style: SlugStyle::Pymdownx {
                    case: SlugCase::Lower,
                    percent_encode: false,
                    normalize: Normalization::Nfc,
                },
                separator: "-".into(),
            },
            ..TocSettings::default()
        },
        ..MarkdownSettings::default()
    };
    let page = render_page(
        "index.md",
        "## Café au lait\n\n## 日本語\n\n## 日本語\n",
        &settings,
    );
    assert!(page.html.contains("id=\"café-au-lait\""), "{}", page.html);
    assert!(page.html.contains("id=\"日本語\""), "{}", page.html);
    assert!(page.html.contains("id=\"日本語_1\""), "{}", page.html);
    let plain = render_page(
        "index.md",
        "## Café au lait\n",
        &MarkdownSettings::default(),
    );
    assert!(plain.html.contains("id=\"cafe-au-lait\""), "{}", plain.html);
}

#[test]
fn raw_html_blocks_end_at_their_end_tag_as_python_markdown_ends_them() {
    // A README's centred logo, then the title on the very next line.
    let out = html("<p align=\"center\">\n  <img src=\"logo.png\">\n</p>\n# Project\n\nText.\n");
    assert!(out.contains("<h1 id=\"project\">Project"), "{out}");
    // Markdown right after the end tag, on its line or the next.
    let out = html("<div>one</div> tail *x*\nnext *y*\n\n<div>\nx\n</div>\nAfter *em*.\n");
    assert!(
        out.contains("<p>tail <em>x</em>\nnext <em>y</em></p>"),
        "{out}"
    );
    assert!(out.contains("<p>After <em>em</em>.</p>"), "{out}");
    // A block runs to its end tag over blank lines, its Markdown kept as
    // written (TechDocs shows `# Inside` and `*em*` as typed).
    let out = html("<div align=\"center\">\n\n# Inside\n\n*em*\n\n</div>\n\n# After\n");
    assert!(out.contains("# Inside"), "{out}");
    assert!(out.contains("*em*"), "{out}");
    assert!(!out.contains("id=\"inside\""), "{out}");
    assert!(out.contains("<h1 id=\"after\">After"), "{out}");
    // `<pre>` keeps its blank lines; `<hr>` is a block of its own.
    let out = html("<pre>\na\n\nb\n</pre>\nAfter.\n<hr>\nText.\n");
    assert!(out.contains("a\n\nb\n</pre>"), "{out}");
    assert!(
        out.contains("<p>After.</p>") && out.contains("<p>Text.</p>"),
        "{out}"
    );
    // Markup the author wrote inside a block is still sanitised.
    let out = html("<div onclick=\"x()\">\n\n<script>alert(1)</script>\n\n</div>\n");
    assert!(
        !out.contains("onclick") && !out.contains("<script"),
        "{out}"
    );
}

#[test]
fn a_name_anchors_are_kept_and_are_link_targets() {
    let page = render_page(
        "index.md",
        "<a name=\"legacy-anchor\"></a>\n\n## Real\n\n<span id='single'>x</span> \
         <img name=\"img-name\" src=\"a.png\"> <A NAME=\"upper\">u</A>\n",
        &MarkdownSettings::default(),
    );
    assert!(
        page.html.contains("<a name=\"legacy-anchor\"></a>"),
        "{}",
        page.html
    );
    // Only an `a` keeps its name: an image's would name a `document` property.
    assert!(!page.html.contains("img-name"), "{}", page.html);
    let unquoted = render_page(
        "index.md",
        "<a name=unq>x</a> <div id=foo>y</div> <p data-id=\"no\" title=\"id=no\" data-x=\"a id=no\">z</p>\n",
        &MarkdownSettings::default(),
    );
    for id in ["unq", "foo"] {
        assert!(unquoted.ids.contains(id), "{id} not in {:?}", unquoted.ids);
    }
    assert!(!unquoted.ids.contains("no"), "{:?}", unquoted.ids);
    for id in ["legacy-anchor", "single", "upper", "real"] {
        assert!(page.ids.contains(id), "{id} not in {:?}", page.ids);
    }
    assert!(!page.ids.contains("img-name"), "{:?}", page.ids);
}

#[test]
fn bare_e_mail_addresses_become_mailto_links_as_magiclink_makes_them() {
    let out = html(
        "Mail someone@example.com, first.last+tag@mail.example.co.uk. \
         Not: a..b@x.com a.@x.com x@localhost x@host.c0 me@x.com-y @user \
         path/u@x.com [link me@x.com](https://example.com) `code@x.com` \
         me@y.com- é@x.org ab_c@d_e.fg\n",
    );
    for linked in [
        "someone@example.com",
        "first.last+tag@mail.example.co.uk",
        // `a..b@x.com`: the address starts after the double dot, as in magiclink.
        "b@x.com",
        "me@x.com-y",
        "ab_c@d_e.fg",
    ] {
        assert!(
            out.contains(&format!("<a href=\"mailto:{linked}\">{linked}</a>")),
            "{linked} in {out}"
        );
    }
    // Checked against Python-Markdown 3.10.3 with pymdownx 11.0.1 magiclink.
    for plain in [
        "a.@x.com",
        "x@localhost",
        "x@host.c0",
        "u@x.com",
        "code@x.com",
        "me@y.com",
        "@x.org",
    ] {
        assert!(
            !out.contains(&format!("mailto:{plain}")),
            "{plain} in {out}"
        );
    }
    // Link text stays text: no link inside a link.
    assert!(!out.contains("mailto:me@x.com\""), "{out}");
    // magiclink reads the page before emphasis: `_` before an address is
    // part of a word to it (`*` is not).
    let out = html("Contact _support@example.com_, __ops@example.com__ or *dev@example.com*.\n");
    assert!(
        !out.contains("mailto:support@") && !out.contains("mailto:ops@"),
        "{out}"
    );
    assert!(
        out.contains("<em><a href=\"mailto:dev@example.com\">"),
        "{out}"
    );
}

#[test]
fn blocks_open_inside_block_quotes_and_details_may_have_a_title_alone() {
    let out = html(
        "> !!! note\n>     In a quote.\n>\n> After *it*.\n\n> > ??? tip \"Deep\"\n> >     Body.\n",
    );
    assert!(
        out.contains(
            "<blockquote>\n<div class=\"admonition note\">\n<p class=\"admonition-title\">Note</p>\n<p>In a quote.</p>\n</div>\n<p>After <em>it</em>.</p>\n<blockquote>"
        ),
        "{out}"
    );
    assert!(
        out.contains("<details class=\"tip\">\n<summary>Deep</summary>\n<p>Body.</p>\n</details>"),
        "{out}"
    );
    // pymdownx.details: the type is optional when a title is given.
    let out =
        html("??? \"Just a title\"\n    Body.\n\n???+ \"Open\"\n    Body.\n\n???\"No space\"\n");
    assert!(
        out.contains("<details>\n<summary>Just a title</summary>\n<p>Body.</p>\n</details>"),
        "{out}"
    );
    assert!(
        out.contains("<details open=\"open\">\n<summary>Open</summary>"),
        "{out}"
    );
    assert!(
        out.contains("???&quot;No space&quot;") || out.contains("???\"No space\""),
        "{out}"
    );
    // An admonition still needs its type.
    assert!(!html("!!! \"Title\"\n    Body.\n").contains("admonition"));
}

#[test]
fn heading_ids_are_slugged_after_smart_symbols_as_mkdocs_slugs_them() {
    let page = render_page(
        "index.md",
        "## Copyright (c) and --> arrows\n\n## Brand(tm) `(c) code`\n\n## 1/2 and c/o (r)\n",
        &MarkdownSettings::default(),
    );
    let ids: Vec<&str> = page.headings.iter().map(|h| h.id.as_str()).collect();
    // As MkDocs 1.6.1 with techdocs-core 1.7.1 writes them.
    assert_eq!(ids, ["copyright-and-arrows", "brandtm-c-code", "12-and-co"]);
    assert!(
        page.html.contains("Copyright © and → arrows"),
        "{}",
        page.html
    );
}

#[test]
fn a_link_definition_under_a_paragraph_line_is_taken_out_as_python_markdown_does() {
    let out = html(
        "Para text\n[ref]: https://example.com/ref \"Title\"\nUse [it][ref].\n\n\
         - item\n[other]: https://example.com/other\n\n[not]: a definition with words\n\n\
         [Docs][ref] first\n[a]: https://example.com/a\n[b]: https://example.com/b\n[A][a] [B][b]\n",
    );
    assert!(out.contains("<p>Para text</p>"), "{out}");
    assert!(
        out.contains("<p>Use <a href=\"https://example.com/ref\" title=\"Title\">it</a>.</p>"),
        "{out}"
    );
    assert!(!out.contains("https://example.com/ref \""), "{out}");
    assert!(out.contains("<ul>\n<li>item</li>\n</ul>"), "{out}");
    assert!(out.contains("[not]: a definition with words"), "{out}");
    assert!(
        out.contains(
            "<p><a href=\"https://example.com/a\">A</a> <a href=\"https://example.com/b\">B</a></p>"
        ),
        "{out}"
    );
}

#[test]
fn block_quotes_separated_by_blank_lines_are_one_as_in_python_markdown() {
    let out = html("> first\n\n> second\nlazy line\n\n\n> third\n\nPara.\n\n> alone\n");
    assert_eq!(
        out.matches("<blockquote>").count(),
        2,
        "one quote, a paragraph, one quote: {out}"
    );
    assert!(
        out.contains(
            "<blockquote>\n<p>first</p>\n<p>second\nlazy line</p>\n<p>third</p>\n</blockquote>"
        ),
        "{out}"
    );
    // A fence right under a quote is not in it, and its code is left alone.
    let out = html("> quote\n```\n{++x++}\n```\n");
    assert!(out.contains("{++x++}"), "{out}");
    assert!(
        out.contains("</blockquote>\n<div class=\"language-text highlight\">"),
        "{out}"
    );
    // An admonition right under a quote ends it (MkDocs 1.6.1 renders
    // `> q2\n!!! note` so).
    let out = html("> q\n\n> q2\n!!! note\n    body\n");
    assert!(
        out.contains("<p>q2</p>\n</blockquote>\n<div class=\"admonition note\">"),
        "{out}"
    );
}

#[test]
fn smart_symbols_read_text_split_at_markup_characters_as_one() {
    // pulldown-cmark hands `A <--> B` over in three parts.
    assert_eq!(
        html("A <--> B, x <-- y, 21st.\n"),
        "<p>A ↔ B, x ← y, 21<sup>st</sup>.</p>\n"
    );
}

#[test]
fn entities_and_escapes_stay_out_of_inline_patterns_when_text_is_merged() {
    // MkDocs shows these as written: the `=` from an entity or an escape
    // does not make a mark.
    let out = html("<code>&#123;&#61;=highlighted=&#61;}</code> and \\==x==\n");
    assert!(!out.contains("<mark>highlighted"), "{out}");
    assert!(out.contains("{==highlighted==}"), "{out}");
    assert!(!out.contains("<mark>"), "{out}");
    // Each as MkDocs 1.6.1 shows it: written out, no mark, sign or emoji.
    let out = html("\\=\\=not\\=\\= H\\~2\\~O \\^\\^no\\^\\^ \\:smile\\: (c\\) -\\->\n");
    assert_eq!(out, "<p>==not== H~2~O ^^no^^ :smile: (c) --&gt;</p>\n");
    let page = render_page(
        "index.md",
        "## Copyright \\(c\\) notes\n",
        &MarkdownSettings::default(),
    );
    assert_eq!(page.headings[0].id, "copyright-c-notes");
}

#[test]
fn a_quote_in_a_list_item_stays_in_it_and_footnotes_are_no_link_definitions() {
    let out = html("1. Step\n   > !!! warning\n   >     careful\n2. Next\n");
    assert_eq!(out.matches("<ol>").count(), 1, "{out}");
    assert!(
        out.contains("<li>\n<p>Step</p>\n<blockquote>") || out.contains("<li>Step\n<blockquote>"),
        "{out}"
    );
    assert!(out.contains("<div class=\"admonition warning\">"), "{out}");
    // A one-word footnote, then a link definition: MkDocs links `guide`.
    let out = html(
        "See the spec[^1] and the [guide].\n\n[^1]: https://example.com/spec\n[guide]: https://example.com/guide\n",
    );
    assert!(
        out.contains("<a href=\"https://example.com/guide\">guide</a>"),
        "{out}"
    );
}

#[test]
fn a_code_fence_inside_a_raw_html_block_is_code() {
    // The README's collapsible example, as MkDocs 1.6.1 renders it.
    let out = html(
        "<details>\n<summary>Click</summary>\n\nSome *text*\n\n```bash\necho hi\n```\n\n</details>\n*after*\n",
    );
    assert!(out.contains("Some *text*"), "{out}");
    assert!(out.contains("<code>") && out.contains("echo"), "{out}");
    assert!(out.contains("</details>\n<p><em>after</em></p>"), "{out}");
}

#[test]
fn a_lone_inline_tag_starts_a_paragraph_and_block_tags_may_be_indented() {
    // As MkDocs 1.6.1 renders them: the heading under a logo is a heading.
    let out = html("<img src=\"logo.png\" alt=\"x\">\n# Title\n\n<span>x</span>\n**bold**\n");
    assert!(
        out.contains("<p><img src=\"logo.png\" alt=\"x\"></p>"),
        "{out}"
    );
    assert!(out.contains("<h1 id=\"title\">Title"), "{out}");
    assert!(
        out.contains("<span>x</span>\n<strong>bold</strong>"),
        "{out}"
    );
    let out = html("  <p align=\"center\">\n  <b>x</b>\n  </p>\n*after*\n");
    assert!(out.contains("<p><em>after</em></p>"), "{out}");
    // In a list item, an indented block tag stays in the item.
    let out = html("- item\n  <div>x</div>\n- next\n");
    assert_eq!(out.matches("<ul>").count(), 1, "{out}");
}

#[test]
fn a_link_definition_in_a_quote_is_taken_out_of_its_paragraph() {
    let out = html("> text\n> [d]: https://example.com/d\n> see [it][d]\n");
    assert!(!out.contains("[d]:"), "{out}");
    assert!(
        out.contains("<a href=\"https://example.com/d\">it</a>"),
        "{out}"
    );
}

#[test]
fn a_lone_tag_inside_a_comment_or_code_span_is_left_alone() {
    // As MkDocs 1.6.1 shows them: nothing of the comment, the code as written.
    let out = html("<!--\n<img src=\"old.png\">\nOld text\n-->\n\nText `foo\n<br>\nbar` end\n");
    assert!(
        !out.contains("Old text") && !out.contains("old.png"),
        "{out}"
    );
    assert!(out.contains("<code>foo &lt;br&gt; bar</code>"), "{out}");
}

#[test]
fn marks_span_inline_markup_and_lines() {
    // As MkDocs 1.6.1 with pymdownx 11 renders them.
    let out = html("==a *b* c==\n\n==across\nlines==\n\n^^ins *x* y^^\n");
    assert!(out.contains("<mark>a <em>b</em> c</mark>"), "{out}");
    assert!(out.contains("<mark>across\nlines</mark>"), "{out}");
    assert!(out.contains("<ins>ins <em>x</em> y</ins>"), "{out}");
    // A closer is never after white space; the first opener waits.
    let out = html("==a ==b==\n\n==open *a* ==nested *b* c== d==\n");
    assert!(out.contains("<mark>a ==b</mark>"), "{out}");
    assert!(
        out.contains("<mark>open <em>a</em> ==nested <em>b</em> c</mark> d=="),
        "{out}"
    );
    // Inside a word, in code or escaped: no span; after a line break, no
    // closer (the line break is white space).
    let out = html("word==a *b* c==\n\n==first\n==second==\n\n`==code` text==\n\n\\==a *b* c==\n");
    assert!(out.contains("word==a <em>b</em> c=="), "{out}");
    assert!(out.contains("<mark>first\n==second</mark>"), "{out}");
    assert!(out.contains("<code>==code</code> text=="), "{out}");
    assert!(
        out.contains("==a <em>b</em> c==") && !out.contains("<mark>a <em>"),
        "{out}"
    );
}

#[test]
fn markdown_after_a_comment_on_its_line_is_read() {
    // As MkDocs 1.6.1 renders them: the comment raw, the rest Markdown.
    let out =
        html("<!-- x --> *text*\n\n<!--\nmulti\n--> *t3*\nmore\n\n<!-- a --> <!-- b --> *t4*\n");
    assert!(out.contains("<p><em>text</em></p>"), "{out}");
    assert!(out.contains("<p><em>t3</em>\nmore</p>"), "{out}");
    assert!(out.contains("<p><em>t4</em></p>"), "{out}");
    assert!(!out.contains("*text*") && !out.contains("*t4*"), "{out}");
}

#[test]
fn a_block_tag_never_closed_keeps_the_rest_of_the_page_raw() {
    // As MkDocs 1.6.1 renders them: the heading after it is text.
    for page in [
        "<div class=\"x\">\n\n## Heading inside\n\n*emph*\n",
        "<p align=\"center\">\n<img src=\"x.png\">\n\n## After p\n",
        "<details>\n<summary>S</summary>\n\n## In details\n",
    ] {
        let out = html(page);
        assert!(!out.contains("<h2"), "{out}");
        assert!(out.contains("## "), "{out}");
    }
    // A closed one ends where it closes; `<hr>` has no end tag.
    let out = html("<div>\n<div>inner</div>\n</div>\n\n## After\n\n<hr>\n\n## Rule\n");
    assert!(
        out.contains("<h2 id=\"after\">") && out.contains("<h2 id=\"rule\">"),
        "{out}"
    );
}
