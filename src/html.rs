//! Small, safe pieces of HTML: escaping and link checks, shared by the
//! docs renderer and the site renderer.

use std::fmt::Write as _;

/// Escapes text for element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    escape_into(&mut out, text);
    out
}

/// Appends `text` escaped; copies unescaped runs whole (this is hot).
pub fn escape_into(out: &mut String, text: &str) {
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(entity);
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

/// Schemes a link or image from repository content may use. Everything
/// else (`javascript:`, `vbscript:`, `data:`, `file:`, …) is dropped.
pub const ALLOWED_SCHEMES: [&str; 5] = ["http", "https", "mailto", "tel", "ftp"];

/// What a URL is used for: images may also be `data:image/…` (an `<img>`
/// never runs script).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlUse {
    Link,
    Image,
}

/// The scheme of `url` as a browser reads it (lower-cased), or `None` for a
/// relative URL. Browsers drop leading and trailing spaces and control
/// characters and every tab and newline before they look, so
/// ` java\tscript:` is `javascript:` to them and to this.
pub fn url_scheme(url: &str) -> Option<String> {
    // Read in place: every link of every page passes here, and most are
    // relative, which the first `/` or `#` settles without a copy.
    let seen = || {
        url.trim_matches(|c: char| c <= ' ')
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
    };
    for (length, c) in seen().enumerate() {
        match c {
            ':' if length > 0 => {
                return Some(
                    seen()
                        .take(length)
                        .map(|c| c.to_ascii_lowercase())
                        .collect(),
                );
            }
            c if c.is_ascii_alphabetic() => {}
            '0'..='9' | '+' | '-' | '.' if length > 0 => {}
            // No scheme: a character no scheme has before the first `:`,
            // or a `:` first.
            _ => return None,
        }
    }
    // No `:` at all: a relative URL.
    None
}

/// The one check every URL from repository content passes before Portico
/// writes it into a page (docs links and images, titles, nav, edit links,
/// catalog links, annotation links): relative URLs and the
/// [`ALLOWED_SCHEMES`] only.
pub fn allowed_url(url: &str, usage: UrlUse) -> bool {
    match url_scheme(url) {
        None => true,
        Some(scheme) if ALLOWED_SCHEMES.contains(&scheme.as_str()) => true,
        Some(scheme) => {
            usage == UrlUse::Image
                && scheme == "data"
                && url
                    .trim_start()
                    .get(5..11)
                    .is_some_and(|kind| kind.eq_ignore_ascii_case("image/"))
        }
    }
}

/// An href for a URL written in repository content, or `None` when it may
/// not be linked to (see [`allowed_url`]).
pub fn safe_href(url: &str) -> Option<String> {
    allowed_url(url, UrlUse::Link).then(|| escape(url.trim()))
}

/// `<a href="...">text</a>`, or the escaped text alone for unsafe URLs.
pub fn external_link(url: &str, text: &str) -> String {
    match safe_href(url) {
        Some(href) => format!("<a href=\"{href}\" rel=\"noopener\">{}</a>", escape(text)),
        None => escape(text),
    }
}

/// A `<dl>` row when the value is present.
pub fn row(out: &mut String, term: &str, html_value: Option<String>) {
    if let Some(value) = html_value {
        let _ = write!(out, "<dt>{}</dt><dd>{value}</dd>", escape(term));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<script>\"x\"&'"),
            "&lt;script&gt;&quot;x&quot;&amp;&#39;"
        );
    }

    #[test]
    fn schemes_are_read_as_browsers_read_them() {
        assert_eq!(url_scheme("JavaScript:x").as_deref(), Some("javascript"));
        assert_eq!(
            url_scheme("\u{1}java\nscript:x").as_deref(),
            Some("javascript")
        );
        assert_eq!(url_scheme("./javascript:x"), None);
        assert_eq!(url_scheme("a/b:c"), None);
        assert_eq!(url_scheme("#top"), None);
        assert!(allowed_url("data:image/png;base64,AA", UrlUse::Image));
        assert!(!allowed_url("data:image/png;base64,AA", UrlUse::Link));
        assert!(!allowed_url("data:text/html,x", UrlUse::Image));
        assert!(!allowed_url("vbscript:x", UrlUse::Link));
        assert!(!allowed_url("file:///etc/passwd", UrlUse::Link));
        assert!(allowed_url("guide/index.html#x", UrlUse::Link));
        assert!(allowed_url("//cdn.example.com/x.png", UrlUse::Image));
    }

    /// The scheme as [`url_scheme`] read it before it read in place:
    /// the URL copied without what browsers drop, then cut at its first `:`.
    fn scheme_copied(url: &str) -> Option<String> {
        let cleaned: String = url
            .trim_matches(|c: char| c <= ' ')
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect();
        let scheme = &cleaned[..cleaned.find(':')?];
        let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        valid.then(|| scheme.to_ascii_lowercase())
    }

    #[test]
    fn schemes_read_in_place_are_the_copied_ones() {
        // Every string of up to four of these characters, and each with a
        // tail: every way the scan can stop or go on.
        let alphabet = [
            'a', 'Z', '1', '+', '.', ':', '/', '#', ' ', '\t', '\n', '\u{1}', 'é',
        ];
        let mut urls = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..4 {
            let next: Vec<String> = last
                .iter()
                .flat_map(|u| alphabet.iter().map(move |c| format!("{u}{c}")))
                .collect();
            urls.extend(next.iter().cloned());
            last = next;
        }
        for url in &urls {
            for tail in ["", "x", ":y", " \t"] {
                let url = format!("{url}{tail}");
                assert_eq!(url_scheme(&url), scheme_copied(&url), "{url:?}");
            }
        }
        for url in [
            "  JaVa\tscript:alert(1)",
            "https://x",
            "mailto:a@b",
            "../a.md#x",
            "c:\\x",
        ] {
            assert_eq!(url_scheme(url), scheme_copied(url), "{url:?}");
        }
    }

    #[test]
    fn drops_script_urls() {
        assert_eq!(safe_href("javascript:alert(1)"), None);
        assert_eq!(safe_href(" JaVa\tscript:alert(1)"), None);
        assert_eq!(safe_href("data:text/html,x"), None);
        assert_eq!(
            safe_href("https://example.com/?a=1&b=2").as_deref(),
            Some("https://example.com/?a=1&amp;b=2")
        );
        assert_eq!(external_link("javascript:x", "<b>"), "&lt;b&gt;");
    }
}
