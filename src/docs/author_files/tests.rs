//! Author files: hostile SVG and HTML in, what a browser would get out.

use super::*;

#[test]
fn only_page_like_extensions_need_sanitizing() {
    for path in [
        "a.svg",
        "docs/img/Diagram.SVG",
        "x.html",
        "dir/page.HtM",
        "x.xhtml",
        "x.svgz",
        ".svg",
        "feed.xml",
        "style.XSL",
        "t.xslt",
        "page.shtml",
        "feed.RSS",
        "x.atom",
        "index.php",
        "main.rs",
    ] {
        assert!(needs_sanitizing(path), "{path}");
    }
    for path in [
        "a.png",
        "svg",
        "x.svg.png",
        "html/readme.md",
        "x.js",
        "a.css",
    ] {
        assert!(!needs_sanitizing(path), "{path}");
    }
}

#[test]
fn dispatch_by_extension() {
    let options = SanitizeOptions::default();
    assert_eq!(sanitize("a.png", b"\x89PNG", &options), None);
    let svg = sanitize(
        "x.SVG",
        br#"<svg xmlns="http://www.w3.org/2000/svg"/>"#,
        &options,
    );
    assert!(matches!(svg, Some(Sanitized::Clean(_))), "{svg:?}");
    let html = sanitize("x.htm", b"<p>hi</p>", &options);
    assert!(matches!(html, Some(Sanitized::Clean(_))), "{html:?}");
    // An XML file with XHTML elements runs their script when opened.
    let xhtml_in_xml =
        br#"<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>"#;
    for path in ["x.svgz", "x.xhtml", "x.xml", "x.xsl", "x.XSLT"] {
        let refused = sanitize(path, xhtml_in_xml, &options);
        assert!(
            matches!(refused, Some(Sanitized::Refused(_))),
            "{refused:?}"
        );
    }
}

/// Extensions served as HTML pages or run as programs are refused; those
/// served with an XML type are published only when nothing in them could
/// make the document a page that runs script.
#[test]
fn other_page_like_extensions() {
    let options = SanitizeOptions::default();
    let refused = |path: &str, bytes: &[u8]| {
        matches!(sanitize(path, bytes, &options), Some(Sanitized::Refused(_)))
    };
    assert!(refused("x.shtml", b"<p>hi</p>"));
    assert!(refused("x.PHP", b"<?php echo 1; ?>"));
    for attack in [
        &br#"<s:script xmlns:s="http://www.w3.org/1999/xhtml">alert(1)</s:script>"#[..],
        br#"<r xmlns:h="http&#58;//www.w3.org/1999/xhtml"><h:img src="x" onerror="alert(1)"/></r>"#,
        br#"<!DOCTYPE r [<!ENTITY a "http://www.w3.org/19">]><r/>"#,
        br#"<?xml-stylesheet type="text/xsl" href="x.xsl"?><r/>"#,
        br#"<r><svg:svg xmlns:svg="http://www.w3.org/2000/SVG"/></r>"#,
        br#"<feed><link href="JavaScript:alert(1)"/></feed>"#,
    ] {
        assert!(
            refused("feed.rss", attack),
            "{}",
            String::from_utf8_lossy(attack)
        );
    }
    // Plain feeds and source files are published as they are.
    let feed = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><description>All of it</description></channel></rss>"#;
    assert_eq!(
        sanitize("feed.rss", feed, &options),
        Some(Sanitized::Clean(feed.to_vec()))
    );
    let rust = b"/// The description.\nuse crate::scripts::run; // &#, <!doctype\nfn main() { let v: Vec<String> = Vec::new(); }\n";
    assert_eq!(
        sanitize("src/main.rs", rust, &options),
        Some(Sanitized::Clean(rust.to_vec()))
    );
    let mentions = br#"<feed><title>About a:script and b :script</title></feed>"#;
    assert!(!refused("feed.atom", mentions), "no element named so");
    // Markup the checks cannot read as ASCII.
    let mut utf16 = vec![0xff, 0xfe];
    for unit in
        "<s:script xmlns:s=\"http://www.w3.org/1999/xhtml\">alert(1)</s:script>".encode_utf16()
    {
        utf16.extend(unit.to_le_bytes());
    }
    assert!(refused("feed.rss", &utf16));
    assert!(refused(
        "feed.rss",
        b"<?xml version=\"1.0\" encoding=\"ISO-2022-JP\"?><r/>"
    ));
    assert!(refused("feed.rss", b"<r>\x1b$B</r>"));
    assert!(!refused(
        "feed.rss",
        b"\xef\xbb\xbf<?xml version='1.0' encoding='UTF-8'?><rss/>"
    ));
}

#[test]
fn removals_are_deduplicated_and_capped() {
    let mut removals = Removals::default();
    removals.note("<script> element".into());
    removals.note("<script> element".into());
    assert_eq!(
        removals.into_sanitized(vec![]),
        Sanitized::Changed {
            bytes: vec![],
            removed: vec!["<script> element".into()]
        }
    );
    let mut removals = Removals::default();
    for i in 0..AUTHOR_FILE_MAX_LISTED_REMOVALS + 5 {
        removals.note(format!("<x{i}> element"));
    }
    let Sanitized::Changed { removed, .. } = removals.into_sanitized(vec![]) else {
        panic!("expected Changed");
    };
    assert_eq!(removed.len(), AUTHOR_FILE_MAX_LISTED_REMOVALS + 1);
    assert_eq!(removed.last().unwrap(), "… and 5 more");
}

#[test]
fn shorten_cuts_long_text_on_a_char_boundary() {
    assert_eq!(shorten("short"), "short");
    let long = "é".repeat(100);
    assert_eq!(shorten(&long).chars().count(), 81);
}

mod svg {
    use super::*;
    use quick_xml::Reader;
    use quick_xml::events::Event;
    use std::time::{Duration, Instant};

    const SVG_OPEN: &str =
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">"#;

    fn svg(body: &str) -> String {
        format!("{SVG_OPEN}{body}</svg>")
    }

    /// The sanitised text and the removals; panics if refused.
    fn sanitized(input: &str) -> (String, Vec<String>) {
        match sanitize_svg(input.as_bytes()) {
            Sanitized::Clean(bytes) => (String::from_utf8(bytes).unwrap(), vec![]),
            Sanitized::Changed { bytes, removed } => (String::from_utf8(bytes).unwrap(), removed),
            Sanitized::Refused(why) => panic!("refused ({why}): {input}"),
        }
    }

    fn refusal(input: &[u8]) -> String {
        match sanitize_svg(input) {
            Sanitized::Refused(why) => why,
            other => panic!("not refused: {other:?}"),
        }
    }

    /// The document as a reader sees it, one line per element (name and
    /// attributes as read) or run of text (references resolved); comments,
    /// declarations and whitespace between elements left out.
    fn structure(xml: &str) -> Vec<String> {
        let mut reader = Reader::from_str(xml);
        let mut lines = Vec::new();
        let mut text = String::new();
        let flush = |text: &mut String, lines: &mut Vec<String>| {
            if !text.trim().is_empty() {
                lines.push(format!("text {text}"));
            }
            text.clear();
        };
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) | Event::Empty(e) => {
                    flush(&mut text, &mut lines);
                    let mut attributes: Vec<String> = e
                        .attributes()
                        .map(|a| {
                            let a = a.unwrap();
                            let value = a
                                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .unwrap();
                            format!("{}={value:?}", a.key.0)
                        })
                        .collect();
                    attributes.sort();
                    lines.push(format!("<{}> {}", e.name().0, attributes.join(" ")));
                }
                Event::End(e) => {
                    flush(&mut text, &mut lines);
                    lines.push(format!("</{}>", e.name().0));
                }
                Event::Text(e) => text.push_str(&e),
                Event::CData(e) => text.push_str(&e),
                Event::GeneralRef(e) => {
                    let c = e.resolve_char_ref().unwrap().unwrap_or(match &*e {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        other => panic!("entity {other}"),
                    });
                    text.push(c);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        lines
    }

    fn element_count(xml: &str) -> usize {
        structure(xml)
            .iter()
            .filter(|line| line.starts_with('<') && !line.starts_with("</"))
            .count()
    }

    #[test]
    fn real_world_samples_come_out_unchanged() {
        for (name, input) in [
            ("inkscape", include_str!("testdata/inkscape.svg")),
            ("mermaid", include_str!("testdata/mermaid.svg")),
            ("plantuml", include_str!("testdata/plantuml.svg")),
        ] {
            let (output, removed) = sanitized(input);
            assert_eq!(removed, Vec::<String>::new(), "{name}");
            assert_eq!(structure(&output), structure(input), "{name}");
            assert!(element_count(&output) > 10, "{name}");
        }
    }

    #[test]
    fn real_world_samples_keep_what_draws_them() {
        let (inkscape, _) = sanitized(include_str!("testdata/inkscape.svg"));
        for part in [
            "<!-- Created with Inkscape (http://www.inkscape.org/) -->",
            r##"xlink:href="#linearGradient1""##,
            r##"style="fill:url(#linearGradient3);stroke:#204a87;stroke-width:0.8;filter:url(#filter1)""##,
            r#"xlink:href="data:image/png;base64,iVBOR"#,
            "API &amp; gateway",
            r#"<cc:license rdf:resource="http://creativecommons.org/licenses/by/4.0/"/>"#,
        ] {
            assert!(inkscape.contains(part), "{part} missing in {inkscape}");
        }
        assert!(inkscape.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?>"#));
        let (mermaid, _) = sanitized(include_str!("testdata/mermaid.svg"));
        assert!(mermaid.contains("<p>Start</p>"), "{mermaid}");
        assert!(mermaid.contains("@keyframes dash{to{stroke-dashoffset:0;}}"));
        let (plantuml, _) = sanitized(include_str!("testdata/plantuml.svg"));
        assert!(plantuml.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?><svg"#));
        assert!(!plantuml.contains("<?plantuml"));
    }

    #[test]
    fn drawio_keeps_its_help_link() {
        let input = include_str!("testdata/drawio.svg");
        let (output, removed) = sanitized(input);
        assert!(removed.is_empty(), "{removed:?}");
        assert!(output.contains("https://www.drawio.com/doc/faq/svg-export-text-problems"));
        assert_eq!(element_count(&output), element_count(input));
        assert!(
            output.contains(r##"<font color="#cc0000" face="Courier">Service</font><br/>API"##)
        );
        assert!(!output.contains("<!DOCTYPE"));
    }

    #[test]
    fn scripts_go_in_every_spelling() {
        for (body, removed) in [
            ("<script>alert(1)</script>", "<script> element"),
            (
                "<script type=\"text/ecmascript\"><![CDATA[alert(1)]]></script>",
                "<script> element",
            ),
            (
                r#"<svg:script xmlns:svg="http://www.w3.org/2000/svg">alert(1)</svg:script>"#,
                "<svg:script> element",
            ),
            (
                r#"<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>"#,
                "<h:script> element",
            ),
            ("<SCRIPT>alert(1)</SCRIPT>", "<SCRIPT> element"),
            (
                r#"<g xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></g>"#,
                "<g> element",
            ),
        ] {
            let (output, got) = sanitized(&svg(&format!("<rect/>{body}")));
            assert_eq!(got, [removed], "{body}");
            assert_eq!(output, svg("<rect/>"), "{body}");
        }
    }

    #[test]
    fn event_handlers_go() {
        let (output, removed) = sanitized(
            r#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect onClick="x()" ONMOUSEOVER='y()' width="2"/></svg>"#,
        );
        assert_eq!(
            output,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><rect width="2"/></svg>"#
        );
        assert_eq!(
            removed,
            [
                "onload attribute",
                "onClick attribute",
                "ONMOUSEOVER attribute"
            ]
        );
    }

    #[test]
    fn links_keep_fragments_only() {
        let (output, removed) = sanitized(&svg(concat!(
            r##"<a href="#top"><text>ok</text></a>"##,
            r#"<a href="javascript:alert(1)"><text>1</text></a>"#,
            r#"<a xlink:href="JaVaScRiPt:alert(2)"><text>2</text></a>"#,
            r#"<a xlink:href="&#106;avascript:alert(3)"><text>3</text></a>"#,
            r#"<a href=" java&#x0A;script:alert(4)"><text>4</text></a>"#,
            r#"<a href="data:text/html,&lt;script&gt;alert(5)&lt;/script&gt;"><text>5</text></a>"#,
            r#"<use href="https://evil.example/x.svg#a"/>"#,
            r#"<use xlink:href="other.svg#a"/>"#,
        )));
        assert_eq!(
            output,
            svg(concat!(
                r##"<a href="#top"><text>ok</text></a>"##,
                "<a><text>1</text></a><a><text>2</text></a><a><text>3</text></a>",
                "<a><text>4</text></a><a><text>5</text></a><use/><use/>",
            ))
        );
        assert_eq!(removed.len(), 7, "{removed:?}");
        assert!(removed.contains(
            &"external reference https://evil.example/x.svg#a (href on <use>)".to_string()
        ));
        assert!(
            removed.contains(
                &"external reference javascript:alert(3) (xlink:href on <a>)".to_string()
            )
        );
    }

    #[test]
    fn images_keep_inline_raster_data_only() {
        let png = "data:image/png;base64,iVBORw0KGgo=";
        let (output, removed) = sanitized(&svg(&format!(
            r#"<image href="{png}"/><image xlink:href="data:image/svg+xml;base64,PHN2Zz4="/><image href="https://evil.example/track.png"/><rect href="{png}"/>"#
        )));
        assert_eq!(
            output,
            svg(&format!(r#"<image href="{png}"/><image/><image/><rect/>"#))
        );
        assert_eq!(removed.len(), 3, "{removed:?}");
    }

    #[test]
    fn css_loads_nothing_from_elsewhere() {
        let (output, removed) = sanitized(&svg(concat!(
            "<style>@import url(https://evil.example/x.css);.a{fill:url(#g)}</style>",
            r#"<rect style="fill:url(https://evil.example/p.svg#p);stroke:red" fill="url(//evil.example/q#q)"/>"#,
            r"<style>.b{background:\75 rl(https://evil.example)}</style>",
            "<style><![CDATA[.c{fill:red}]]></style>",
        )));
        assert_eq!(
            output,
            svg(concat!(
                "<style>.a{fill:url(#g)}</style>",
                r#"<rect style="fill:none;stroke:red" fill="none"/>"#,
                "<style>.c{fill:red}</style>",
            ))
        );
        assert_eq!(
            removed,
            [
                "@import url(https://evil.example/x.css); in <style>",
                "external reference https://evil.example/p.svg#p in style attribute",
                "external reference //evil.example/q#q in fill attribute",
                "<style> element (CSS escapes)",
            ]
        );
    }

    #[test]
    fn foreign_object_keeps_formatting_html_only() {
        let (output, removed) = sanitized(&svg(concat!(
            r#"<foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml" style="color:red" onclick="x()">"#,
            r#"<b>label</b><script>alert(1)</script><iframe src="https://evil.example"></iframe>"#,
            r#"<img src="x" onerror="alert(1)"/><a href="https://evil.example" target="_blank">link</a>"#,
            r#"<form action="https://evil.example"><input name="q"/></form><style>*{x:1}</style>"#,
            r#"<span formaction="x" class="k">k</span></div></foreignObject>"#,
            r#"<div xmlns="http://www.w3.org/1999/xhtml">outside</div>"#,
        )));
        assert_eq!(
            output,
            svg(concat!(
                r#"<foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml" style="color:red">"#,
                r#"<b>label</b><a href="https://evil.example">link</a><span class="k">k</span></div></foreignObject>"#,
            ))
        );
        for part in [
            "onclick attribute",
            "<script> element",
            "<iframe> element",
            "<img> element",
            "<form> element",
            "<style> element",
            "formaction attribute",
            "target attribute",
            "<div> element",
        ] {
            assert!(removed.contains(&part.to_string()), "{part}: {removed:?}");
        }
    }

    #[test]
    fn animations_go_whole() {
        let (output, removed) = sanitized(&svg(concat!(
            r#"<a><set attributeName="href" to="javascript:alert(1)"/>"#,
            r#"<animate attributeName="xlink:href" values="javascript:alert(2)"/><text>x</text></a>"#,
            r#"<rect><animateTransform attributeName="transform" type="rotate" from="0" to="90" dur="1s"/></rect>"#,
        )));
        assert_eq!(output, svg("<a><text>x</text></a><rect></rect>"));
        assert_eq!(
            removed,
            [
                "<set> element",
                "<animate> element",
                "<animateTransform> element"
            ]
        );
    }

    #[test]
    fn other_namespaces_and_xml_base_go_editor_metadata_stays() {
        let (output, removed) = sanitized(concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:foo="urn:foo" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" xml:base="https://evil.example/">"#,
            r#"<rect foo:bar="1" inkscape:label="box" xml:space="preserve"/><foo:thing><rect/></foo:thing></svg>"#,
        ));
        assert_eq!(
            output,
            concat!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:foo="urn:foo" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape">"#,
                r#"<rect inkscape:label="box" xml:space="preserve"/></svg>"#,
            )
        );
        assert_eq!(
            removed,
            [
                "xml:base attribute",
                "foo:bar attribute",
                "<foo:thing> element"
            ]
        );
    }

    #[test]
    fn doctype_entities_are_never_expanded() {
        let mut bomb = String::from("<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY lol \"lol\">");
        for i in 1..10 {
            let previous = if i == 1 {
                "lol".to_string()
            } else {
                format!("lol{}", i - 1)
            };
            bomb.push_str(&format!(
                "<!ENTITY lol{i} \"{}\">",
                format!("&{previous};").repeat(10)
            ));
        }
        bomb.push_str("<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>");
        bomb.push_str(&svg("<text>&lol9;&xxe;&amp;&#x41;</text>"));
        let started = Instant::now();
        let (output, removed) = sanitized(&bomb);
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(
            output,
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>{}",
                svg("<text>&amp;&#x41;</text>")
            )
        );
        assert_eq!(
            removed,
            [
                "DOCTYPE with entity declarations",
                "undefined entity &lol9;",
                "undefined entity &xxe;"
            ]
        );
    }

    #[test]
    fn undefined_entities_in_attributes_drop_the_attribute() {
        let (output, removed) =
            sanitized(&svg(r#"<text class="a&nbsp;b" x="1&amp;">t&nbsp;</text>"#));
        assert_eq!(output, svg(r#"<text x="1&amp;">t</text>"#));
        assert_eq!(
            removed,
            [
                "class attribute with an undefined entity",
                "undefined entity &nbsp;"
            ]
        );
    }

    #[test]
    fn stylesheet_processing_instructions_go() {
        let (output, removed) = sanitized(&format!(
            "<?xml version=\"1.0\"?>\n<?xml-stylesheet type=\"text/xsl\" href=\"evil.xsl\"?>\n{}",
            svg("<rect/>")
        ));
        assert_eq!(
            output,
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n{}",
                svg("<rect/>")
            )
        );
        assert_eq!(removed, ["<?xml-stylesheet?> processing instruction"]);
    }

    #[test]
    fn declared_encoding_and_bom_become_plain_utf8() {
        let input = format!(
            "\u{feff}<?xml version=\"1.0\" encoding=\"ISO-8859-1\" standalone=\"yes\"?>{}",
            svg("<text>é</text>")
        );
        let (output, _) = sanitized(&input);
        assert_eq!(
            output,
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>{}",
                svg("<text>é</text>")
            )
        );
    }

    #[test]
    fn deep_nesting_is_refused_fast() {
        let depth = 100_000;
        let input = format!(
            "{SVG_OPEN}{}{}</svg>",
            "<g>".repeat(depth),
            "</g>".repeat(depth)
        );
        let started = Instant::now();
        let why = refusal(input.as_bytes());
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(why.contains("nested more than 256 deep"), "{why}");

        let deepest = |levels: usize| {
            format!(
                "{SVG_OPEN}{}{}</svg>",
                "<g>".repeat(levels),
                "</g>".repeat(levels)
            )
        };
        assert!(matches!(
            sanitize_svg(deepest(crate::limits::SVG_MAX_DEPTH - 1).as_bytes()),
            Sanitized::Clean(_)
        ));
        refusal(deepest(crate::limits::SVG_MAX_DEPTH).as_bytes());
        // Inside a dropped subtree too.
        let hidden = format!(
            "{SVG_OPEN}<script>{}{}</script></svg>",
            "<g>".repeat(depth),
            "</g>".repeat(depth)
        );
        refusal(hidden.as_bytes());
    }

    #[test]
    fn malformed_input_is_refused_with_its_place() {
        let why = refusal(format!("{SVG_OPEN}\n<g>\n<rect></g>\n</svg>").as_bytes());
        assert!(why.starts_with("line 3"), "{why}");
        for input in [
            "",
            "   ",
            "not xml",
            "<svg xmlns=\"http://www.w3.org/2000/svg\">",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect a=\"1\" a=\"2\"/></svg>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>a & b</text></svg>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/><svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>trailing",
            // Not an SVG image.
            "<svg><rect/></svg>",
            "<html xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(1)</script></html>",
            "<script xmlns=\"http://www.w3.org/2000/svg\">alert(1)</script>",
            // Namespaces the reader and a browser could disagree on.
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><x:rect/></svg>",
            "<!DOCTYPE svg [<!ENTITY ns \"http://www.w3.org/2000/svg\">]><svg xmlns=\"&ns;\"/>",
        ] {
            refusal(input.as_bytes());
        }
    }

    #[test]
    fn non_utf8_is_refused() {
        let why = refusal(b"<svg xmlns=\"http://www.w3.org/2000/svg\"><text>\xe9</text></svg>");
        assert!(why.contains("UTF-8"), "{why}");
        refusal(b"\xff\xfe<\x00s\x00v\x00g\x00/\x00>\x00");
    }

    #[test]
    fn output_never_carries_script_in_any_nasty_input() {
        let nasty = [
            "<script>alert(1)</script>",
            "<Script>alert(1)</Script>",
            "<script><![CDATA[alert(1)]]></script>",
            "<text><![CDATA[<script>alert(1)</script>]]></text>",
            r#"<svg:script xmlns:svg="http://www.w3.org/2000/svg">alert(1)</svg:script>"#,
            r#"<a:script xmlns:a="http://www.w3.org/2000/svg">alert(1)</a:script>"#,
            r#"<x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>"#,
            r#"<g onload="alert(1)" OnClick="alert(1)" onfocusin ="alert(1)"/>"#,
            r#"<a xlink:href="javascript:alert(1)"><text>x</text></a>"#,
            r#"<a href="  JAVASCRIPT:alert(1)"><text>x</text></a>"#,
            r#"<a href="java&#x09;script:alert(1)"><text>x</text></a>"#,
            r#"<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1)"/>"#,
            r#"<set attributeName="onload" to="alert(1)"/>"#,
            r#"<animate attributeName="href" values="javascript:alert(1)"/>"#,
            r#"<foreignObject><div xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script><img src="x" onerror="alert(1)"/></div></foreignObject>"#,
            r#"<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:alert(1)"/></foreignObject>"#,
            r#"<foreignObject><body xmlns="http://www.w3.org/1999/xhtml" onload="alert(1)"/></foreignObject>"#,
            r#"<style>a{background:url(javascript:alert(1))}</style>"#,
            r#"<rect style="background:url('javascript:alert(1)')"/>"#,
            r#"<rect fill="url(javascript:alert(1))"/>"#,
            r#"<image href="javascript:alert(1)"/>"#,
            r#"<handler xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="load">alert(1)</handler>"#,
            r#"<iframe src="javascript:alert(1)"/>"#,
            r#"<embed src="javascript:alert(1)"/><object data="javascript:alert(1)"/>"#,
        ];
        for body in nasty {
            let input = svg(body);
            let Some(bytes) = sanitize_svg(input.as_bytes()).bytes().map(<[u8]>::to_vec) else {
                continue;
            };
            let output = String::from_utf8(bytes).unwrap().to_ascii_lowercase();
            assert!(!output.contains("<script"), "{body} -> {output}");
            assert!(!output.contains(":script"), "{body} -> {output}");
            assert!(!output.contains("javascript:"), "{body} -> {output}");
            for line in structure(&output) {
                let attributes = line.split_once(' ').map_or("", |(_, rest)| rest);
                assert!(
                    !attributes
                        .split(' ')
                        .any(|attribute| attribute.starts_with("on")),
                    "{body} -> {output}"
                );
            }
        }
    }
}

mod html {
    use super::*;
    use std::time::{Duration, Instant};

    fn options() -> SanitizeOptions {
        SanitizeOptions {
            allowed_iframe_hosts: vec!["www.youtube.com".into()],
            plantuml_server: None,
        }
    }

    fn sanitized(input: &str) -> (String, Vec<String>) {
        match sanitize_html(input.as_bytes(), &options()) {
            Sanitized::Clean(bytes) => (String::from_utf8(bytes).unwrap(), vec![]),
            Sanitized::Changed { bytes, removed } => (String::from_utf8(bytes).unwrap(), removed),
            Sanitized::Refused(why) => panic!("refused ({why}): {input}"),
        }
    }

    fn document(title: &str, body: &str) -> String {
        format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self' data: https:; script-src 'none'; object-src 'none'; base-uri 'none'\"><title>{title}</title></head><body>{body}</body></html>"
        )
    }

    #[test]
    fn a_plain_page_is_clean() {
        let (output, removed) = sanitized(concat!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
            "<meta name=\"viewport\" content=\"width=device-width\">\n",
            "<title>Runbook &amp; notes</title>\n</head>\n<body>\n",
            "<h1 id=\"top\">Runbook</h1><p>Hello <b>world</b>, <a href=\"https://example.com/x\">x</a>.</p>",
            "<table><tr><td>1</td></tr></table><br/>\n</body>\n</html>\n",
        ));
        assert_eq!(removed, Vec::<String>::new());
        assert_eq!(
            output,
            document(
                "Runbook &amp; notes",
                "\n<h1 id=\"top\">Runbook</h1><p>Hello <b>world</b>, <a href=\"https://example.com/x\">x</a>.</p><table><tbody><tr><td>1</td></tr></tbody></table><br>\n\n\n"
            )
        );
    }

    #[test]
    fn scripts_handlers_and_head_go_and_are_reported() {
        let (output, removed) = sanitized(concat!(
            "<html><head><title>T</title><meta charset=\"utf-8\">",
            "<link rel=\"stylesheet\" href=\"https://evil.example/x.css\">",
            "<script src=\"https://evil.example/x.js\"></script>",
            "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\"></head>",
            "<body onload=\"alert(1)\"><p onclick=\"x()\">hi</p><script>alert('<b>')</script>",
            "<a href=\"javascript:alert(1)\">a</a><a href=\"data:text/html,x\">b</a>",
            "<img src=\"x.png\" onerror=\"alert(1)\">",
            "<iframe src=\"https://evil.example/\"></iframe>",
            "<iframe src=\"https://www.youtube.com/embed/x\"></iframe>",
            "<form action=\"https://evil.example\"><button>go</button></form></body></html>",
        ));
        assert_eq!(
            output,
            document(
                "T",
                "<p>hi</p><a>a</a><a>b</a><img src=\"x.png\"><iframe></iframe><iframe src=\"https://www.youtube.com/embed/x\"></iframe>go"
            )
        );
        assert_eq!(
            removed,
            [
                "<link> element in <head>",
                "<script> element in <head>",
                "<meta> element in <head>",
                "onload attribute on <body>",
                "<button> element",
                "<form> element",
                "<script> element",
                "href attribute on <a>",
                "src attribute on <iframe>",
                "onerror attribute on <img>",
                "onclick attribute on <p>",
            ]
        );
    }

    #[test]
    fn title_is_text_only() {
        let (output, _) = sanitized("<title>A &lt;b&gt; &amp; \"c\"</title><p>x</p>");
        assert_eq!(output, document("A &lt;b&gt; &amp; \"c\"", "<p>x</p>"));
        let (output, removed) = sanitized("<title><script>alert(1)</script></title><p>x</p>");
        assert!(!output.contains("<script"), "{output}");
        assert_eq!(removed, Vec::<String>::new());
    }

    #[test]
    fn pages_without_head_or_body() {
        assert_eq!(sanitized("").0, document("", ""));
        assert_eq!(sanitized("<p>only</p>").0, document("", "<p>only</p>"));
        let (output, removed) =
            sanitized("<html><head><style>p{}</style></head><p>after head</p></html>");
        assert_eq!(output, document("", "<p>after head</p>"));
        assert_eq!(removed, ["<style> element in <head>"]);
    }

    #[test]
    fn non_utf8_is_refused() {
        let refused = sanitize_html(b"<p>caf\xe9</p>", &options());
        assert!(
            matches!(&refused, Sanitized::Refused(why) if why.contains("UTF-8")),
            "{refused:?}"
        );
    }

    #[test]
    fn deep_nesting_is_refused_fast() {
        let nested = |depth: usize| format!("{}x{}", "<div>".repeat(depth), "</div>".repeat(depth));
        let started = Instant::now();
        let refused = sanitize_html(nested(100_000).as_bytes(), &options());
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(
            matches!(&refused, Sanitized::Refused(why) if why.contains("nested more than 512 deep")),
            "{refused:?}"
        );
        let deepest = nested(crate::limits::HTML_MAX_DEPTH);
        assert!(matches!(
            sanitize_html(deepest.as_bytes(), &options()),
            Sanitized::Clean(_)
        ));
    }

    #[test]
    fn elements_without_end_tags_do_not_count_as_nesting() {
        let items = "<li>item".repeat(10_000);
        let paragraphs = "<p>text<br><img src=\"x.png\">".repeat(10_000);
        let input = format!("<ul>{items}</ul>{paragraphs}");
        assert!(
            sanitize_html(input.as_bytes(), &options())
                .bytes()
                .is_some()
        );
    }
}
