//! Each Markdown feature of the techdocs-core set: input → HTML.

use super::*;

fn env_render(src: &str, markdown: &str) -> RenderedPage {
    let pages: HashMap<String, String> = [
        "index.md",
        "setup.md",
        "guides/deploy.md",
        "guides/index.md",
    ]
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
        snippet: Some(&|f| {
            if f == "snippets/note.md" {
                Ok("Snippet **text**.".into())
            } else {
                Err(format!("`{f}` not found"))
            }
        }),
        settings: &MarkdownSettings::default(),
        dates: Default::default(),
        sanitize: &sanitize,
    };
    render(markdown, &env)
}

fn html(markdown: &str) -> String {
    env_render("setup.md", markdown).html
}

#[test]
fn headings_get_mkdocs_ids_and_permalinks() {
    let page = env_render(
        "setup.md",
        "# Set up\n\n## Install it\n\n## Install it\n\n### `code` & more\n",
    );
    insta::assert_snapshot!(page.html);
    assert_eq!(
        crate::docs::title::page_title("# Set up\n\n## Install it\n").as_deref(),
        Some("Set up")
    );
    let ids: Vec<&str> = page.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(
        ids,
        vec!["set-up", "install-it", "install-it_1", "code-more"]
    );
}

#[test]
fn heading_attribute_lists_set_id_and_class() {
    let out = html("## Custom {: #my-id .wide }\n");
    assert!(
        out.starts_with("<h2 id=\"my-id\" class=\"wide\">Custom"),
        "{out}"
    );
}

/// Ids attr_list gives links and emphasis are taken before headings get
/// theirs, as toc takes every id of the page first (checked with MkDocs
/// 1.6.1: `install_1`, `install`, `setup`, `setup_1`).
#[test]
fn inline_attribute_ids_are_reserved_before_heading_ids() {
    let out = html(
        "## Install\n\nSee **this**{ #install } and [x](https://e.x){ #setup }.\n\n## Setup\n",
    );
    let ids: Vec<&str> = out
        .match_indices(" id=\"")
        .map(|(at, _)| {
            let rest = &out[at + 5..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    assert_eq!(ids, ["install_1", "install", "setup", "setup_1"], "{out}");
}

#[test]
fn admonitions_details_and_tabs() {
    insta::assert_snapshot!(html(
        "!!! warning \"Mind the gap\"\n    Careful **now**.\n\n??? tip\n    Hidden tip.\n\n=== \"Linux\"\n    ```bash\n    make\n    ```\n=== \"macOS\"\n    Use brew.\n"
    ));
}

#[test]
fn code_blocks_are_highlighted_with_language_class_and_title() {
    insta::assert_snapshot!(html(
        "```python title=\"app.py\"\ndef main():\n    return 1  # one\n```\n\n```\nplain <text>\n```\n"
    ));
}

#[test]
fn mermaid_fences_stay_diagrams() {
    assert_eq!(
        html("```mermaid\ngraph TD; A-->B\n```\n"),
        "<pre class=\"mermaid\">graph TD; A--&gt;B\n</pre>\n"
    );
}

/// A colon after a `/` or `.` starts no scheme (`urlsplit` reads
/// `./adr:001.md` as a path): such a link is a page of the site, rewritten
/// and checked; `adr:001.md` stays a URL, as in MkDocs.
#[test]
fn a_colon_in_a_relative_link_is_no_scheme() {
    let page = env_render(
        "index.md",
        "[adr](./adr:001.md) [list](x,y:z.md) [scheme](adr:001.md)\n",
    );
    assert!(
        page.html.contains("href=\"adr%3A001/index.html\""),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("href=\"x%2Cy%3Az/index.html\""),
        "{}",
        page.html
    );
    let checked: Vec<String> = page
        .links
        .iter()
        .map(|l| format!("{:?}", l.target))
        .collect();
    assert_eq!(checked.len(), 2, "{checked:?}");
}

/// `##Installation` is a heading in MkDocs (Python-Markdown needs no space
/// after the `#`s): in the page, the TOC and as a link target.
#[test]
fn a_heading_without_a_space_is_a_heading() {
    let page = env_render(
        "index.md",
        "#Title\n\nText #not a heading.\n\n##Installation\n\n```\n#!/bin/sh\n```\n",
    );
    assert!(
        page.html.contains("<h1 id=\"title\">Title"),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("<h2 id=\"installation\">Installation"),
        "{}",
        page.html
    );
    assert!(page.html.contains("Text #not a heading."), "{}", page.html);
    assert!(page.html.contains("#!/bin/sh"), "{}", page.html);
}

#[test]
fn relative_links_become_page_urls_and_are_recorded() {
    let page = env_render(
        "guides/deploy.md",
        "[setup](../setup.md#install) [home](../index.md) [here](#top) [img](img/a.png) [site](https://example.com) [idx](./)\n\n```\n[not a link](nowhere.md)\n```\n",
    );
    assert!(
        page.html
            .contains("href=\"../../setup/index.html#install\""),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("href=\"../../index.html\""),
        "{}",
        page.html
    );
    assert!(page.html.contains("href=\"#top\""));
    assert!(
        page.html.contains("href=\"../img/a.png\""),
        "assets move with the page folder: {}",
        page.html
    );
    assert!(page.html.contains("href=\"https://example.com\""));
    assert!(
        page.html.contains("href=\"../index.html\">idx"),
        "{}",
        page.html
    );
    let targets: Vec<&LinkTarget> = page.links.iter().map(|l| &l.target).collect();
    assert_eq!(
        targets,
        vec![
            &LinkTarget::Page {
                src: "setup.md".into(),
                anchor: Some("install".into())
            },
            &LinkTarget::Page {
                src: "index.md".into(),
                anchor: None
            },
            &LinkTarget::Anchor("top".into()),
            &LinkTarget::Asset {
                path: "guides/img/a.png".into()
            },
            &LinkTarget::Page {
                src: "guides/index.md".into(),
                anchor: None
            },
        ],
        "links inside code blocks are not links"
    );
    assert!(page.links.iter().all(|l| l.line == 1));
}

#[test]
fn links_to_other_entities_docs_are_relative() {
    let page = env_render(
        "guides/deploy.md",
        "[api](/docs/default/Component/payments/reference.md#auth)\n",
    );
    assert!(
        page.html.contains(
            "href=\"../../../../../../docs/default/component/payments/reference/index.html#auth\""
        ),
        "{}",
        page.html
    );
}

#[test]
fn unsafe_links_and_raw_html_are_neutralised() {
    let out = html(
        "[x](javascript:alert(1)) <img src=x onerror=alert(1)> <script>alert(2)</script>\n\n<div onclick=\"x()\">ok</div>\n",
    );
    assert!(!out.contains("javascript:"), "{out}");
    assert!(
        !out.contains("onerror") && !out.contains("onclick") && !out.contains("<script"),
        "{out}"
    );
    assert!(out.contains("ok"));
}

#[test]
fn tables_footnotes_tasks_definitions_and_inline_marks() {
    insta::assert_snapshot!(html(
        "| a | b |\n|---|:-:|\n| 1 | 2 |\n\nText[^1] with ==marked== and ^^inserted^^ and ~~gone~~, H~2~O, x^2^.\n\n[^1]: The note.\n\n- [x] done\n- [ ] todo\n\nTerm\n: Definition\n"
    ));
}

#[test]
fn emoji_abbreviations_snippets_and_bare_urls() {
    let out = html(
        "*[API]: Application Programming Interface\n\nThe API is :smile: see https://example.com/x.\n\n--8<-- \"snippets/note.md\"\n",
    );
    assert!(
        out.contains("<abbr title=\"Application Programming Interface\">API</abbr>"),
        "{out}"
    );
    assert!(out.contains("😄"), "{out}");
    assert!(
        out.contains("<a href=\"https://example.com/x\">https://example.com/x</a>."),
        "{out}"
    );
    assert!(out.contains("Snippet <strong>text</strong>."), "{out}");
}

/// A URL written as a link's text stays that link's text (magiclink leaves
/// link text alone): a link inside it sent the reader to the text's
/// address. Autolinks are not doubled either.
#[test]
fn a_url_as_link_text_is_not_a_second_link() {
    let out = html(
        "The docs are at [www.example.com](https://intranet.example.com/handbook)\n\nSee [https://backstage.io/docs](https://backstage.io/docs) and <https://auto.example.com>.\n",
    );
    assert!(
        out.contains("<a href=\"https://intranet.example.com/handbook\">www.example.com</a>"),
        "{out}"
    );
    assert!(
        out.contains("<a href=\"https://backstage.io/docs\">https://backstage.io/docs</a>"),
        "{out}"
    );
    assert!(
        out.contains("<a href=\"https://auto.example.com\">https://auto.example.com</a>."),
        "{out}"
    );
    assert_eq!(out.matches("<a ").count(), 3, "{out}");
    // Other inline extensions still apply in link text.
    let out = html("[:smile: (c) go](https://x.example)");
    assert!(out.contains("😄</span> © go</a>"), "{out}");
}

/// A page saved with a byte order mark reads as MkDocs reads it
/// (`utf-8-sig`): the first heading and front matter are what they are.
#[test]
fn a_byte_order_mark_is_not_text() {
    let out = html("\u{feff}# BOM title\n\nText\n");
    assert!(out.contains("<h1 id=\"bom-title\">BOM title"), "{out}");
    assert!(!out.contains('\u{feff}'), "{out}");
    let out = html("\u{feff}---\ntitle: Front Title\n---\n\nBody\n");
    assert!(
        !out.contains("Front Title") && !out.contains("<h2"),
        "{out}"
    );
    assert!(out.contains("<p>Body</p>"), "{out}");
}

/// `:warning: …` after a paragraph is a paragraph with an emoji, as
/// def_list needs `:` and a space; `:   …` is still a definition.
#[test]
fn a_paragraph_opening_with_an_emoji_is_no_definition() {
    let out = html("Deploy with the pipeline.\n\n:warning: Do not deploy on Fridays.\n");
    assert!(out.contains("<p>Deploy with the pipeline.</p>"), "{out}");
    assert!(out.contains("title=\":warning:\">"), "{out}");
    assert!(!out.contains("<dl>") && !out.contains('\u{200b}'), "{out}");
    let out = html("Term\n:   Its definition.\n");
    assert!(
        out.contains("<dt>Term</dt>") && out.contains("Its definition."),
        "{out}"
    );
}

#[test]
fn image_attributes_and_button_links() {
    let out = html("![Logo](img/logo.png){ width=\"250\" } and [Go](setup.md){ .md-button }\n");
    assert!(
        out.contains("<img src=\"../img/logo.png\" alt=\"Logo\" width=\"250\" />"),
        "{out}"
    );
    assert!(
        out.contains("<a href=\"index.html\" class=\"md-button\">Go</a>"),
        "{out}"
    );
    assert!(!out.contains('{'), "{out}");
}

/// attr_list sets only the attributes on its allow-list: `name` would
/// make the image a property of `document` that shadows its own
/// (`document.currentScript`, which the search script reads).
#[test]
fn attr_list_sets_only_harmless_attributes() {
    let out = html(
        "![](x/assets/search.js){ name=currentScript NAME=x onclick=y formaction=z srcset=javascript:a ping=p popovertarget=t style=s Src=u href=h data-=d }\n\n\
         [Go](setup.md){ target=_blank rel=noopener title=\"Set up\" data-track=go aria-label=Go Loading=lazy }\n",
    );
    for refused in [
        "name=",
        "NAME",
        "onclick",
        "formaction",
        "srcset",
        "ping",
        "popovertarget",
        "style",
        "Src=",
        "href=\"h",
        "data-=",
    ] {
        assert!(!out.contains(refused), "{refused}: {out}");
    }
    assert!(
        out.contains(
            "<a href=\"index.html\" target=\"_blank\" rel=\"noopener\" title=\"Set up\" data-track=\"go\" aria-label=\"Go\" Loading=\"lazy\">Go</a>"
        ),
        "{out}"
    );
}

/// An attr_list is read across the pieces the parser cuts text into
/// (`_blank` could open emphasis), with quoted values holding spaces and
/// `}`, as Python-Markdown reads it; `{}` stays text.
#[test]
fn attr_lists_span_cut_text_and_quotes() {
    let out = html(
        "[A](https://x.org){:target=\"_blank\"} and [B](https://y.org){ target=_blank rel=noopener } \
         [C](https://z.org){ title='a}b c' } *em*{ .c } x {}\n",
    );
    assert_eq!(
        out,
        "<p><a href=\"https://x.org\" target=\"_blank\">A</a> and <a href=\"https://y.org\" target=\"_blank\" rel=\"noopener\">B</a> \
         <a href=\"https://z.org\" title=\"a}b c\">C</a> <em class=\"c\">em</em> x {}</p>\n"
    );
}

#[test]
fn github_alerts_become_admonitions() {
    let out = html("> [!WARNING]\n> Careful.\n");
    assert!(
        out.starts_with(
            "<div class=\"admonition warning\">\n<p class=\"admonition-title\">Warning</p>"
        ),
        "{out}"
    );
}

#[test]
fn front_matter_title_wins() {
    let text = "---\ntitle: From meta\n---\n\n# Heading\n";
    let page = env_render("setup.md", text);
    assert!(
        !page.html.contains("From meta"),
        "front matter is not shown"
    );
    assert_eq!(
        crate::docs::title::page_title(text).as_deref(),
        Some("From meta")
    );
}

#[test]
fn page_urls_and_relative_paths() {
    assert_eq!(page_url("index.md"), "");
    assert_eq!(page_url("a/README.md"), "a/");
    assert_eq!(page_url("a/b.md"), "a/b/");
    assert_eq!(relative("a/b/", "a/c/index.html"), "../c/index.html");
    assert_eq!(relative("", "a/index.html"), "a/index.html");
    assert_eq!(relative("a/", "a/img/x.png"), "img/x.png");
    assert_eq!(relative("a/b/", "index.html"), "../../index.html");
}

/// `page_url` and `page_file` build in one allocation what `format!` of
/// the parts gave.
#[test]
fn page_urls_are_the_formatted_parts() {
    let by_format = |src: &str| {
        let stem = crate::docs::site::markdown_stem(src).unwrap_or(src);
        let (dir, name) = stem.rsplit_once('/').map_or(("", stem), |(d, n)| (d, n));
        let is_index = name == "index" || name == "README";
        match (dir.is_empty(), is_index) {
            (true, true) => String::new(),
            (true, false) => format!("{name}/"),
            (false, true) => format!("{dir}/"),
            (false, false) => format!("{dir}/{name}/"),
        }
    };
    for src in [
        "",
        "index.md",
        "README.md",
        "readme.md",
        "a.md",
        "a/b.md",
        "a/index.md",
        "a/README.md",
        "a/b/c.markdown",
        "a/b/index.markdown",
        "notes.txt",
        "a/",
        "/x.md",
        "a//b.md",
        "é/ü.md",
        "index",
        "a/index",
    ] {
        assert_eq!(page_url(src), by_format(src), "{src:?}");
        assert_eq!(
            page_file(src),
            format!("{}index.html", by_format(src)),
            "{src:?}"
        );
    }
}

#[test]
fn smart_symbols_www_links_emoji_ids_and_download_links() {
    let page = env_render(
        "setup.md",
        "## Emoji :smile: heading\n\n(c) 2026 Acme(tm) +/- 1/2 --> www.example.org [get](img/a.png){: download }\n",
    );
    assert_eq!(
        page.headings[0].id, "emoji-heading",
        "emoji drop out of ids as in MkDocs"
    );
    assert!(page.html.contains("© 2026 Acme™ ± ½ →"), "{}", page.html);
    assert!(
        page.html
            .contains("<a href=\"http://www.example.org\">www.example.org</a>"),
        "{}",
        page.html
    );
    assert!(
        page.html
            .contains("<a href=\"../img/a.png\" download>get</a>"),
        "{}",
        page.html
    );
}

#[test]
fn footnotes_referenced_twice_get_numbered_back_links() {
    let out = html("a[^n] b[^n]\n\n[^n]: Note.\n");
    assert!(
        out.contains("<sup id=\"fnref:n\">") && out.contains("<sup id=\"fnref2:n\">"),
        "{out}"
    );
    assert!(
        out.contains("<p>Note.&#160;<a class=\"footnote-backref\" href=\"#fnref:n\""),
        "{out}"
    );
    assert!(out.contains("href=\"#fnref2:n\""), "{out}");
}

#[test]
fn plantuml_is_source_without_a_server_and_an_image_with_one() {
    assert!(html("```plantuml\nA -> B\n```\n").contains("language-plantuml"));
    let pages = HashMap::new();
    let sanitize = SanitizeOptions {
        plantuml_server: Some("https://plantuml.example/plantuml/".into()),
        ..Default::default()
    };
    let env = PageEnv {
        src: "index.md",
        url: "",
        site_depth: 4,
        page_urls: &pages,
        snippet: None,
        settings: &MarkdownSettings::default(),
        dates: Default::default(),
        sanitize: &sanitize,
    };
    let page = render("```plantuml alt=\"Flow\"\nA\n```\n", &env);
    assert_eq!(
        page.html,
        "<p><img class=\"uml\" src=\"https://plantuml.example/plantuml/svg/~h410a\" alt=\"Flow\" /></p>\n"
    );
}

#[test]
fn sections_cut_the_text_at_headings_for_search() {
    let page = env_render(
        "setup.md",
        "Intro text.\n\n# Setup\n\nRun `make`.\n\n## Rollback\n\nUndo it:\n\n```bash\nmake undo\n```\n",
    );
    let sections: Vec<(&str, &str, &str)> = page
        .sections
        .iter()
        .map(|s| (s.id.as_str(), s.heading.as_str(), s.text.trim()))
        .collect();
    assert_eq!(
        sections,
        vec![
            ("", "", "Intro text."),
            ("setup", "Setup", "Run make ."),
            ("rollback", "Rollback", "Undo it: make undo")
        ]
    );
}

/// Every prefix of every Markdown file in the corpus, example-org and the
/// book renders without a panic (truncated input ends blocks anywhere).
#[test]
fn truncated_markdown_never_panics() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stack = vec![
        root.join("../shared/corpus"),
        root.join("example-org"),
        root.join("book"),
    ];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files += 1;
                let text = std::fs::read_to_string(&path).unwrap();
                let cuts = (0..text.len())
                    .step_by(61)
                    .filter(|&i| text.is_char_boundary(i));
                for cut in cuts.chain([text.len()]) {
                    env_render("guides/deploy.md", &text[..cut]);
                }
            }
        }
    }
    assert!(files > 30, "{files} Markdown files");
}

/// A fuzzing finding: an abbreviation with an empty name matched zero bytes
/// wherever an inline extension may start, and the scan never moved on (the
/// page rendered forever while its HTML grew without bound).
#[test]
fn an_empty_abbreviation_defines_nothing_and_renders() {
    for page in ["*[]: x\n\n:\n", "*[ ]: x\n\n(a) -- b :smile:\n"] {
        let out = html(page);
        assert!(!out.contains("<abbr"), "{out}");
    }
    assert_eq!(
        super::inline::inline_extensions(
            "a : b",
            None,
            &[(String::new(), "x".into())],
            None,
            false
        ),
        None,
        "a zero-length match is no match"
    );
}

/// Ids written in the page are taken before any is made, as
/// Python-Markdown's toc does: the made one moves aside.
#[test]
fn written_ids_are_taken_before_made_ones() {
    let page = html("## Setup\n\n## Later {#setup}\n");
    assert!(page.contains("<h2 id=\"setup_1\""), "{page}");
    assert!(page.contains("<h2 id=\"setup\""), "{page}");
}

/// Queries and fragments stay on the links MkDocs rewrites; a link that is
/// only a query is left as written.
#[test]
fn queries_and_fragments_stay_on_rewritten_links() {
    let page = env_render(
        "guides/deploy.md",
        "[a](img.png?raw=true) [b](../setup.md?tab=2#install) [c](?x=1) [d](files/spec.pdf#page=2) [e](/docs/default/component/pay/guide.md?v=1#top)\n",
    );
    assert!(
        page.html
            .contains("docs/default/component/pay/guide/index.html?v=1#top\""),
        "{}",
        page.html
    );
    for href in [
        "href=\"../img.png?raw=true\"",
        "href=\"../../setup/index.html?tab=2#install\"",
        "href=\"?x=1\"",
        "href=\"../files/spec.pdf#page=2\"",
    ] {
        assert!(page.html.contains(href), "{href} in {}", page.html);
    }
}

/// MultiMarkdown-style meta-data opening a page is taken out of it, as
/// MkDocs does; the lines after keep their numbers.
#[test]
fn multimarkdown_meta_data_is_not_shown() {
    let page = env_render(
        "guides/deploy.md",
        "Title: Deploying\nAuthor: Ops\n    and friends\n\n# Deploy\n\n[x](missing.md)\n",
    );
    assert!(!page.html.contains("Author"), "{}", page.html);
    assert!(!page.html.contains("friends"), "{}", page.html);
    assert!(page.html.contains("<h1 id=\"deploy\""), "{}", page.html);
    assert_eq!(page.links[0].line, 7, "line numbers kept");
    let plain = html("Note that this is text.\n");
    assert!(
        plain.contains("Note that this is text."),
        "no colon: no meta-data"
    );
    let yaml = html("---\ntitle: x\n---\nKey: kept\n");
    assert!(yaml.contains("Key: kept"), "after front matter: {yaml}");
}

#[test]
fn lines_found_with_memchr_are_split_inclusive_lines() {
    for text in [
        "",
        "\n",
        "a",
        "a\n",
        "a\nb",
        "a\n\nb\n",
        "\n\n",
        "é\nü\r\nx",
        "  - x\n    y",
    ] {
        let found: Vec<&str> = lines_inclusive(text).collect();
        let expected: Vec<&str> = text.split_inclusive('\n').collect();
        assert_eq!(found, expected, "{text:?}");
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        assert_eq!(line_starts(text), starts, "{text:?}");
    }
}
