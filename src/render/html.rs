//! Small, safe pieces of HTML: escaping and link checks.

use std::fmt::Write as _;

/// Escapes text for element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
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
