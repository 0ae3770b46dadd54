//! CriticMarkup, which techdocs-core turns on (`pymdownx.critic`, view
//! mode): `{++added++}`, `{--removed--}`, `{~~old~>new~~}`,
//! `{==highlighted==}` and `{>>comment<<}` on one line. The text inside
//! stays Markdown, except a comment's, which is shown as text. The tags are
//! written into the author's line, so the page goes through the sanitiser
//! like any author HTML.

use crate::html::escape;
use std::borrow::Cow;

const OPENERS: [(&str, &str); 5] = [
    ("{++", "++}"),
    ("{--", "--}"),
    ("{~~", "~~}"),
    ("{==", "==}"),
    ("{>>", "<<}"),
];

/// `line` with its critic marks as HTML; marks inside inline code are
/// left as written.
pub fn apply(line: &str) -> Cow<'_, str> {
    if !line.contains('{') || !OPENERS.iter().any(|(open, _)| line.contains(open)) {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 64);
    let mut rest = line;
    while let Some((start, end)) = code_span(rest) {
        out.push_str(&marks(&rest[..start]));
        out.push_str(&rest[start..end]);
        rest = &rest[end..];
    }
    out.push_str(&marks(rest));
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

/// The critic marks of text outside code.
fn marks(line: &str) -> Cow<'_, str> {
    if !line.contains('{') {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 64);
    let mut rest = line;
    while let Some(at) = rest.find('{') {
        let after = &rest[at..];
        let Some((open, close)) = OPENERS.iter().find(|(open, _)| after.starts_with(open)) else {
            out.push_str(&rest[..=at]);
            rest = &rest[at + 1..];
            continue;
        };
        let body_start = at + open.len();
        let Some(len) = rest[body_start..].find(close) else {
            out.push_str(&rest[..=at]);
            rest = &rest[at + 1..];
            continue;
        };
        let body = &rest[body_start..body_start + len];
        out.push_str(&rest[..at]);
        match *open {
            "{++" => out.push_str(&format!("<ins class=\"critic\">{body}</ins>")),
            "{--" => out.push_str(&format!("<del class=\"critic\">{body}</del>")),
            "{==" => out.push_str(&format!("<mark class=\"critic\">{body}</mark>")),
            "{>>" => out.push_str(&format!(
                "<span class=\"critic comment\">{}</span>",
                escape(body)
            )),
            _ => match body.split_once("~>") {
                Some((old, new)) => out.push_str(&format!(
                    "<del class=\"critic\">{old}</del><ins class=\"critic\">{new}</ins>"
                )),
                None => out.push_str(&rest[at..body_start + len + close.len()]),
            },
        }
        rest = &rest[body_start + len + close.len()..];
    }
    out.push_str(rest);
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
            "`{++a++}` <ins class=\"critic\">b</ins> ``{--c`--}`` <del class=\"critic\">d</del>"
        );
    }
}
