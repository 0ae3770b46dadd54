//! pymdownx.snippets as MkDocs renders it: selectors, sections and
//! indentation, input → HTML.

use super::*;

const JAVA: &str = "package demo;\n\n// --8<-- [start:main]\npublic class App {\n    public static void main(String[] args) {\n        // --8<-- [start:body]\n        System.out.println(\"hi\");\n        // --8<-- [end:body]\n    }\n}\n// --8<-- [end:main]\n";

fn render_with(markdown: &str, settings: &MarkdownSettings) -> RenderedPage {
    let pages: HashMap<String, String> = [("index.md".to_string(), String::new())].into();
    let sanitize = SanitizeOptions::default();
    let env = PageEnv {
        src: "index.md",
        url: "",
        site_depth: 4,
        page_urls: &pages,
        snippet: Some(&|f| match f {
            "App.java" => Ok(JAVA.into()),
            "steps.md" => Ok("1. one\n2. two\n".into()),
            "note.md" => Ok("Shared *note*.\n".into()),
            _ => Err(format!("snippet `{f}` was not found")),
        }),
        settings,
        dates: Default::default(),
        sanitize: &sanitize,
    };
    render(markdown, &env)
}

fn page(markdown: &str) -> RenderedPage {
    render_with(markdown, &MarkdownSettings::default())
}

fn codes(page: &RenderedPage) -> Vec<&'static str> {
    page.problems.iter().map(|(_, d)| d.code).collect()
}

#[test]
fn line_selectors_pick_lines_as_pymdownx_does() {
    let from_line = page("```java\n--8<-- \"App.java:7\"\n```\n");
    insta::assert_snapshot!(from_line.html);
    assert!(codes(&from_line).is_empty(), "{:?}", from_line.problems);
    let many = page("```\n--8<-- \"App.java:1:1,10:10\"\n```\n").html;
    assert!(many.contains("package demo;\n}\n</code>"), "{many}");
    let last = page("```\n--8<-- \"App.java:-3\"\n```\n").html;
    // The last three lines: `}`, a section marker (dropped) and the empty
    // line after the final newline (dropped with the code's blank ends).
    assert!(last.contains("<code>}\n</code>"), "{last}");
    let head = page("```\n--8<-- \"App.java::1\"\n```\n").html;
    assert!(head.contains("<code>package demo;\n</code>"), "{head}");
}

#[test]
fn named_sections_and_their_markers() {
    let section = page("```java\n--8<-- \"App.java:body\"\n```\n");
    insta::assert_snapshot!(section.html);
    // A whole file loses its section markers.
    let whole = page("```java\n--8<-- \"App.java\"\n```\n").html;
    assert!(!whole.contains("8&lt;"), "{whole}");
    assert!(!whole.contains("[start"), "{whole}");
    let missing = page("--8<-- \"App.java:nope\"\n");
    assert_eq!(codes(&missing), ["snippet-missing"]);
    assert!(missing.problems[0].1.message.contains("`nope`"));
}

#[test]
fn dedent_subsections_removes_the_common_indent() {
    let settings = MarkdownSettings {
        snippets: SnippetSettings {
            dedent_subsections: true,
            ..SnippetSettings::default()
        },
        ..MarkdownSettings::default()
    };
    let html = render_with("```java\n--8<-- \"App.java:body\"\n```\n", &settings).html;
    assert!(
        html.contains("<code><span class=\"nc\">System</span>"),
        "{html}"
    );
}

#[test]
fn snippets_keep_the_indentation_of_their_marker() {
    insta::assert_snapshot!(page(
        "!!! example\n    ```java\n    --8<-- \"App.java:main\"\n    ```\n\n=== \"Steps\"\n    --8<-- \"steps.md\"\n\n1. Item\n\n    --8<-- \"note.md\"\n"
    )
    .html);
}

#[test]
fn block_form_lists_files_each_at_its_own_indent() {
    let html = page("--8<--\nnote.md\n; commented.md\n\nsteps.md\n--8<--\n").html;
    assert_eq!(
        html,
        "<p>Shared <em>note</em>.</p>\n<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n"
    );
}

#[test]
fn urls_are_never_downloaded_and_check_paths_makes_misses_errors() {
    let url = page("--8<-- \"https://example.com/x.md\"\n");
    assert_eq!(codes(&url), ["snippet-url"]);
    assert_eq!(
        url.problems[0].1.severity,
        crate::diagnostics::Severity::Info
    );
    let strict = MarkdownSettings {
        snippets: SnippetSettings {
            check_paths: true,
            ..SnippetSettings::default()
        },
        ..MarkdownSettings::default()
    };
    let missing = render_with("--8<-- \"gone.md\"\n", &strict);
    assert_eq!(
        missing.problems[0].1.severity,
        crate::diagnostics::Severity::Error
    );
    let lenient = page("--8<-- \"gone.md\"\n");
    assert_eq!(
        lenient.problems[0].1.severity,
        crate::diagnostics::Severity::Warning
    );
}

#[test]
fn escaped_markers_show_as_text() {
    let html = page(";--8<-- \"note.md\"\n\n`;--8<-- [start:x]`\n").html;
    // MkDocs makes the `<--` an arrow too (smartsymbols runs after the
    // snippets pass has dropped the escape).
    assert_eq!(
        html,
        "<p>--8← &quot;note.md&quot;</p>\n<p><code>--8&lt;-- [start:x]</code></p>\n"
    );
}
