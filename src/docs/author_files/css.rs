//! CSS that authors wrote inside SVG files (`<style>` elements, `style` and
//! presentation attributes): nothing may load from elsewhere or run.
//!
//! Not a CSS parser: a linear scan that is conservative where CSS is
//! ambiguous. `url()` pointing into the same document (`#id`) or at inline
//! `data:` stays (a `data:` URL in CSS is only ever fetched as an image or a
//! font, never run); any other `url()` becomes `none` and `@import` rules
//! go, so the rest of the style survives. What could hide or run such a
//! load (CSS escapes, `expression()`, `javascript:`, the functions that take
//! a URL as a bare string) makes the whole style unusable: [`clean`] says
//! why and the caller drops it.

use super::shorten;

/// The style with external loads removed, and what was removed.
pub(super) struct CleanCss {
    pub css: String,
    pub removed: Vec<String>,
}

/// Substrings (of the lowercased CSS) that make a style unusable, with the
/// reason given. A backslash starts a CSS escape, which can spell `url(` or
/// `@import` in ways a scan cannot see (`\75 rl(`).
const REFUSED: &[(&str, &str)] = &[
    ("\\", "CSS escapes"),
    ("expression(", "expression()"),
    ("javascript:", "javascript: URL"),
    ("vbscript:", "vbscript: URL"),
    ("-moz-binding", "-moz-binding"),
    ("image-set(", "image-set()"),
    ("image(", "image()"),
    ("src(", "src()"),
];

/// `css` without external loads, or why it cannot be kept at all.
pub(super) fn clean(css: &str) -> Result<CleanCss, String> {
    // ASCII lowercasing keeps every byte offset, so positions found in
    // `lower` slice `css` too.
    let lower = css.to_ascii_lowercase();
    if let Some((_, why)) = REFUSED.iter().find(|(token, _)| lower.contains(token)) {
        return Err(why.to_string());
    }
    let bytes = lower.as_bytes();
    let mut out = String::with_capacity(css.len());
    let mut removed = Vec::new();
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at..].starts_with(b"@import") {
            let end = find_byte(bytes, b';', at).map_or(bytes.len(), |semicolon| semicolon + 1);
            out.push_str(&css[copied..at]);
            removed.push(format!("@import {}", shorten(css[at + 7..end].trim())));
            copied = end;
            at = end;
        } else if bytes[at..].starts_with(b"url(") {
            let (end, target) = url_target(css, at + 4);
            if !is_inline(target) {
                out.push_str(&css[copied..at]);
                out.push_str("none");
                removed.push(format!("external reference {}", shorten(target)));
                copied = end;
            }
            at = end;
        } else {
            at += 1;
        }
    }
    out.push_str(&css[copied..]);
    Ok(CleanCss { css: out, removed })
}

/// Where the `url(` argument starting at `from` ends (after its `)`) and
/// what it points at, quotes and spaces removed. Unterminated ones run to the
/// end, as they do in a browser.
fn url_target(css: &str, from: usize) -> (usize, &str) {
    let bytes = css.as_bytes();
    let start = from + count_leading_spaces(&bytes[from..]);
    let (target, after_target) = match bytes.get(start) {
        Some(&quote @ (b'"' | b'\'')) => {
            let close = find_byte(bytes, quote, start + 1).unwrap_or(bytes.len());
            (&css[start + 1..close], (close + 1).min(bytes.len()))
        }
        _ => {
            let close = find_byte(bytes, b')', start).unwrap_or(bytes.len());
            (css[start..close].trim_end(), close)
        }
    };
    let end = find_byte(bytes, b')', after_target).map_or(bytes.len(), |close| close + 1);
    (end, target)
}

/// A reference into the same document or inline data, which loads nothing.
fn is_inline(target: &str) -> bool {
    let target = target.trim_start();
    target.starts_with('#')
        || target
            .get(..5)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("data:"))
}

fn find_byte(bytes: &[u8], byte: u8, from: usize) -> Option<usize> {
    bytes
        .get(from..)?
        .iter()
        .position(|&b| b == byte)
        .map(|i| from + i)
}

fn count_leading_spaces(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| b.is_ascii_whitespace()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaned(css: &str) -> (String, Vec<String>) {
        let clean = clean(css).unwrap_or_else(|why| panic!("refused ({why}): {css}"));
        (clean.css, clean.removed)
    }

    #[test]
    fn same_document_and_data_references_stay() {
        for css in [
            ".a{fill:url(#grad)}",
            "fill: url( '#g' ) ; stroke:URL(\"#h\")",
            "@font-face{font-family:V;src:url(data:font/woff2;base64,AAAA)}",
            ".cls-1{fill:#fff;stroke:#000;stroke-width:2px}",
            "",
        ] {
            assert_eq!(cleaned(css), (css.to_string(), vec![]), "{css}");
        }
    }

    #[test]
    fn external_urls_become_none() {
        let (css, removed) =
            cleaned(".a{background:url(https://evil.example/x.png) no-repeat;fill:url(#ok)}");
        assert_eq!(css, ".a{background:none no-repeat;fill:url(#ok)}");
        assert_eq!(removed, ["external reference https://evil.example/x.png"]);
        let (css, _) = cleaned("fill: URL( \"//evil/x.svg#a\" )");
        assert_eq!(css, "fill: none");
        let (css, _) = cleaned("mask:url(x.svg#m);filter:url(/**/https://e)");
        assert_eq!(css, "mask:none;filter:none");
        let (css, _) = cleaned("fill:url('unterminated");
        assert_eq!(css, "fill:none");
    }

    #[test]
    fn import_rules_are_removed() {
        let (css, removed) = cleaned(
            "@import url(https://evil.example/a.css);\n@IMPORT 'b.css' screen;.a{fill:red}",
        );
        assert_eq!(css, "\n.a{fill:red}");
        assert_eq!(
            removed,
            [
                "@import url(https://evil.example/a.css);",
                "@import 'b.css' screen;"
            ]
        );
        assert_eq!(cleaned("@import 'x'").0, "");
    }

    #[test]
    fn styles_that_could_hide_a_load_are_refused() {
        for css in [
            r"a{background:\75 rl(https://evil)}",
            "a{width:expression(alert(1))}",
            "a{background:url(javascript:alert(1))}",
            "a{background:url(JaVaScRiPt:alert(1))}",
            "a{-moz-binding:url(x.xml#b)}",
            "a{background:image-set('https://evil/x.png' 1x)}",
            "a{background:-webkit-image-set('x.png' 1x)}",
        ] {
            assert!(clean(css).is_err(), "{css}");
        }
    }
}
