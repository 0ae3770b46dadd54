//! CriticMarkup, which techdocs-core turns on (`pymdownx.critic`, view
//! mode): `{++added++}`, `{--removed--}`, `{~~old~>new~~}`,
//! `{==highlighted==}` and `{>>comment<<}` on one line. The text inside
//! stays Markdown, except a comment's, which is shown as text. The tags are
//! written into the author's line, so the page goes through the sanitiser
//! like any author HTML. pymdownx.critic is a preprocessor, so MkDocs
//! applies the marks inside code spans too: such a span becomes `<code>`
//! HTML holding the marks, its text escaped.

use crate::html::escape;
use std::borrow::Cow;

const OPENERS: [(&str, &str); 5] = [
    ("{++", "++}"),
    ("{--", "--}"),
    ("{~~", "~~}"),
    ("{==", "==}"),
    ("{>>", "<<}"),
];

/// `line` with its critic marks as HTML; a code span holding marks becomes
/// a `<code>` element with them (as MkDocs shows it), other code spans stay
/// as written.
pub fn apply(line: &str) -> Cow<'_, str> {
    if !line.contains('{') || !OPENERS.iter().any(|(open, _)| line.contains(open)) {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 64);
    let mut rest = line;
    while let Some((start, end)) = code_span(rest) {
        out.push_str(&marks(&rest[..start], false));
        let run = rest[start..].bytes().take_while(|b| *b == b'`').count();
        // Python-Markdown strips the span's text of surrounding spaces.
        let inner = rest[start + run..end - run].trim();
        match marks(inner, true) {
            Cow::Owned(marked) => {
                // `|` written as a reference so a table row keeps its cells.
                out.push_str("<code>");
                out.push_str(&marked.replace('|', "&#124;"));
                out.push_str("</code>");
            }
            Cow::Borrowed(_) => out.push_str(&rest[start..end]),
        }
        rest = &rest[end..];
    }
    out.push_str(&marks(rest, false));
    Cow::Owned(out)
}

/// The first code span in `text` (its backticks included).
fn code_span(text: &str) -> Option<(usize, usize)> {
    let start = text.find('`')?;
    let run = text[start..].bytes().take_while(|b| *b == b'`').count();
    let mut from = start + run;
    while let Some(at) = text[from..].find('`').map(|p| from + p) {
        let len = text[at..].bytes().take_while(|b| *b == b'`').count();
        if len == run {
            return Some((start, at + len));
        }
        from = at + len;
    }
    None
}

/// The critic marks of `line` as HTML; borrowed when it has none. In
/// `code`, the text around and inside the marks is escaped (it is a code
/// span's text); elsewhere it stays Markdown.
fn marks(line: &str, code: bool) -> Cow<'_, str> {
    if !line.contains('{') {
        return Cow::Borrowed(line);
    }
    let text = |s: &str| if code { escape(s) } else { s.to_string() };
    let mut marked = false;
    let mut out = String::with_capacity(line.len() + 64);
    let mut rest = line;
    while let Some(at) = rest.find('{') {
        let after = &rest[at..];
        let Some((open, close)) = OPENERS.iter().find(|(open, _)| after.starts_with(open)) else {
            out.push_str(&text(&rest[..=at]));
            rest = &rest[at + 1..];
            continue;
        };
        let body_start = at + open.len();
        let Some(len) = rest[body_start..].find(close) else {
            out.push_str(&text(&rest[..=at]));
            rest = &rest[at + 1..];
            continue;
        };
        let body = &text(&rest[body_start..body_start + len]);
        out.push_str(&text(&rest[..at]));
        match *open {
            "{++" => out.push_str(&format!("<ins class=\"critic\">{body}</ins>")),
            "{--" => out.push_str(&format!("<del class=\"critic\">{body}</del>")),
            "{==" => out.push_str(&format!("<mark class=\"critic\">{body}</mark>")),
            "{>>" => out.push_str(&format!(
                "<span class=\"critic comment\">{}</span>",
                if code { body.to_string() } else { escape(body) }
            )),
            _ => match rest[body_start..body_start + len].split_once("~>") {
                Some((old, new)) => out.push_str(&format!(
                    "<del class=\"critic\">{}</del><ins class=\"critic\">{}</ins>",
                    text(old),
                    text(new)
                )),
                None => {
                    out.push_str(&text(&rest[at..body_start + len + close.len()]));
                    rest = &rest[body_start + len + close.len()..];
                    continue;
                }
            },
        }
        marked = true;
        rest = &rest[body_start + len + close.len()..];
    }
    if !marked {
        return Cow::Borrowed(line);
    }
    out.push_str(&text(rest));
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_mark_becomes_its_tags() {
        assert_eq!(
            apply("a {++added *x*++} {--gone--} {~~old~>new~~} {==hi==} {>>note <b><<} z"),
            "a <ins class=\"critic\">added *x*</ins> <del class=\"critic\">gone</del> <del class=\"critic\">old</del><ins class=\"critic\">new</ins> <mark class=\"critic\">hi</mark> <span class=\"critic comment\">note &lt;b&gt;</span> z"
        );
        assert_eq!(apply("{++ not closed"), "{++ not closed");
        assert_eq!(apply("{~~no arrow~~}"), "{~~no arrow~~}");
        assert!(matches!(apply("{ plain }"), Cow::Borrowed(_)));
        assert_eq!(
            apply("`{++a++}` {++b++} ``{--c`--}`` {--d--}"),
            "<code><ins class=\"critic\">a</ins></code> <ins class=\"critic\">b</ins> <code><del class=\"critic\">c`</del></code> <del class=\"critic\">d</del>"
        );
        // Code text is escaped; `|` stays inside its table cell; a span
        // without marks is left to the Markdown parser.
        assert_eq!(
            apply("| ` <a>{~~x|y~>z~~} ` | `{plain}` |"),
            "| <code>&lt;a&gt;<del class=\"critic\">x&#124;y</del><ins class=\"critic\">z</ins></code> | `{plain}` |"
        );
    }
}
