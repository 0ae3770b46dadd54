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

/// An href for a URL written in repository content, or `None` when its
/// scheme is not one a portal should link to (`javascript:`, `data:`, ...).
pub fn safe_href(url: &str) -> Option<String> {
    let trimmed: String = url
        .chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .collect();
    let lower = trimmed.to_ascii_lowercase();
    ["https://", "http://", "mailto:"]
        .iter()
        .any(|s| lower.starts_with(s))
        .then(|| escape(url.trim()))
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
