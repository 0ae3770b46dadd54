//! HTML pages: the page's body cleaned by the ammonia policy that cleans raw
//! HTML in Markdown, inside a minimal new document whose
//! Content-Security-Policy forbids scripts even if something got through.
//!
//! The head is dropped (its title kept as text): its scripts, styles,
//! `<base>` and refreshes have no place in a page that must run nothing.
//! Ammonia cannot say what it removed, so a small tag scanner counts the
//! elements and attributes of the body before and after cleaning and
//! reports those that went (comments, also stripped, are not reported).
//! The scanner only finds the head and body and counts: whatever it gets
//! wrong in odd markup affects the report, never what is kept, which is
//! ammonia's decision alone.

use super::{Removals, Sanitized, shorten};
use crate::docs::markdown::{SanitizeOptions, sanitize_html};
use crate::limits::HTML_MAX_DEPTH;
use std::collections::BTreeMap;

const CONTENT_SECURITY_POLICY: &str = "default-src 'self' data: https:; script-src 'none'; \
                                       object-src 'none'; base-uri 'none'";

/// Elements the new document writes itself: not counted as removed.
const DOCUMENT_ELEMENTS: &[&str] = &["html", "head", "body"];

/// Elements that never nest (void) or that the parser closes by itself
/// when a sibling starts: they do not deepen the tree.
const UNNESTED_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead",
    "tbody", "tfoot", "colgroup", "caption", "rb", "rt", "rp", "rtc", "html", "head", "body",
];

/// Elements whose content is text to the HTML parser, not markup.
const RAW_TEXT_ELEMENTS: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
];

pub(super) fn sanitize(bytes: &[u8], options: &SanitizeOptions) -> Sanitized {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            return Sanitized::Refused(format!(
                "not UTF-8 (invalid byte at offset {}): save the page as UTF-8",
                error.valid_up_to()
            ));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if nesting_depth(text) > HTML_MAX_DEPTH {
        return Sanitized::Refused(format!(
            "elements are nested more than {HTML_MAX_DEPTH} deep"
        ));
    }
    let page = Page::split(text);
    let mut removals = Removals::default();
    for element in &page.head_removed {
        removals.note(format!("<{element}> element in <head>"));
    }
    for attribute in &page.body_attributes {
        removals.note(format!("{attribute} attribute on <body>"));
    }
    let body = sanitize_html(&page.body, options);
    note_removed_markup(&mut removals, &page.body, &body);
    let title = page
        .title
        .map(|title| ammonia::Builder::empty().clean(title).to_string())
        .unwrap_or_default();
    let document = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\
         <title>{}</title></head><body>{body}</body></html>",
        title.trim()
    );
    removals.into_sanitized(document.into_bytes())
}

/// An author's page cut into the parts the new document uses.
struct Page<'a> {
    /// The raw text of the first `<title>`.
    title: Option<&'a str>,
    /// The body's markup, before cleaning.
    body: String,
    /// Head elements that carried behaviour or looks (all but the title,
    /// `<meta charset>` and `<meta name>`).
    head_removed: Vec<String>,
    /// Attributes of the `<body>` tag, which the new document does not keep.
    body_attributes: Vec<String>,
}

impl<'a> Page<'a> {
    /// The body is what follows `<body>`; without one, what follows
    /// `</head>`; without either, the whole page without its title.
    fn split(text: &'a str) -> Page<'a> {
        let mut title = None;
        let mut head_elements = Vec::new();
        let mut head_end = None;
        let mut body_start = None;
        for tag in Tags::new(text) {
            match (tag.closing, tag.name.as_str()) {
                (false, "body") => {
                    body_start = Some((tag.end, tag.attributes));
                    break;
                }
                (true, "head") => head_end = Some(tag.end),
                (false, "title") if title.is_none() => {
                    title = Some((tag.start, tag.raw_text, tag.raw_text_end));
                }
                (false, _) if head_end.is_none() => head_elements.push(tag),
                _ => {}
            }
        }
        let head_removed = if body_start.is_some() || head_end.is_some() {
            head_elements
                .into_iter()
                .filter(|tag| !is_kept_head_element(tag))
                .map(|tag| tag.name)
                .collect()
        } else {
            Vec::new()
        };
        let (body, body_attributes) = match (body_start, head_end, title) {
            (Some((start, attributes)), _, _) => (text[start..].to_string(), attributes),
            (None, Some(end), _) => (text[end..].to_string(), Vec::new()),
            (None, None, Some((start, _, end))) => {
                (format!("{}{}", &text[..start], &text[end..]), Vec::new())
            }
            (None, None, None) => (text.to_string(), Vec::new()),
        };
        Page {
            title: title.map(|(_, raw_text, _)| raw_text),
            body,
            head_removed,
            body_attributes,
        }
    }
}

fn is_kept_head_element(tag: &Tag<'_>) -> bool {
    match tag.name.as_str() {
        "title" | "html" | "head" => true,
        "meta" => tag
            .attributes
            .iter()
            .any(|attribute| attribute == "charset" || attribute == "name"),
        _ => false,
    }
}

/// How deep elements that need an end tag nest, at most: end tags close
/// whatever is innermost, as in well-formed pages.
pub(super) fn nesting_depth(html: &str) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0;
    for tag in Tags::new(html) {
        if UNNESTED_ELEMENTS.contains(&tag.name.as_str()) {
            continue;
        }
        if tag.closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}

/// Elements that run or load something, and attributes that do: what a
/// Markdown page's raw HTML losing to the sanitiser is worth telling.
const UNSAFE_ELEMENTS: &[&str] = &[
    "script", "iframe", "object", "embed", "frame", "frameset", "applet", "base", "form", "meta",
    "link", "style", "svg", "math",
];
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "srcdoc",
    "xlink:href",
];

/// The unsafe markup (see [`UNSAFE_ELEMENTS`], event handlers, URL
/// attributes) `after`, a sanitised copy of `before`, lost: each kind once.
pub(super) fn removed_unsafe_markup(before: &str, after: &str) -> Vec<String> {
    let mut removals = Removals::default();
    note_removed_markup(&mut removals, before, after);
    let removed = match removals.into_sanitized(Vec::new()) {
        Sanitized::Changed { removed, .. } => removed,
        _ => return Vec::new(),
    };
    removed
        .into_iter()
        .filter(|what| {
            let name = what.split_whitespace().next().unwrap_or("");
            let element = name.trim_start_matches('<').trim_end_matches('>');
            (what.ends_with(" element") && UNSAFE_ELEMENTS.contains(&element))
                || (what.contains(" attribute on ")
                    && (name.starts_with("on") || URL_ATTRIBUTES.contains(&name)))
        })
        .collect()
}

/// Notes each element and attribute of `before` that `after` has fewer of.
fn note_removed_markup(removals: &mut Removals, before: &str, after: &str) {
    let before = MarkupCounts::of(before);
    let after = MarkupCounts::of(after);
    let mut removed_elements = Vec::new();
    for (element, count) in &before.elements {
        if after.elements.get(element).unwrap_or(&0) < count {
            removals.note(format!("<{}> element", shorten(element)));
            removed_elements.push(element);
        }
    }
    for ((element, attribute), count) in &before.attributes {
        let gone = after
            .attributes
            .get(&(element.clone(), attribute.clone()))
            .unwrap_or(&0)
            < count;
        if gone && !removed_elements.contains(&element) {
            removals.note(format!(
                "{} attribute on <{}>",
                shorten(attribute),
                shorten(element)
            ));
        }
    }
}

/// How many of each element and each (element, attribute) some markup has.
#[derive(Default)]
struct MarkupCounts {
    elements: BTreeMap<String, usize>,
    attributes: BTreeMap<(String, String), usize>,
}

impl MarkupCounts {
    fn of(html: &str) -> MarkupCounts {
        let mut counts = MarkupCounts::default();
        for tag in Tags::new(html).filter(|tag| !tag.closing) {
            if DOCUMENT_ELEMENTS.contains(&tag.name.as_str()) {
                continue;
            }
            for attribute in tag.attributes {
                *counts
                    .attributes
                    .entry((tag.name.clone(), attribute))
                    .or_default() += 1;
            }
            *counts.elements.entry(tag.name).or_default() += 1;
        }
        counts
    }
}

/// One tag found by [`Tags`]; names lowercased.
struct Tag<'a> {
    name: String,
    closing: bool,
    attributes: Vec<String>,
    /// Where the tag starts (its `<`) and ends (after its `>`).
    start: usize,
    end: usize,
    /// For raw-text elements (`<title>`, `<script>`, …): their text, and
    /// where their closing tag ends.
    raw_text: &'a str,
    raw_text_end: usize,
}

/// The start and end tags of some HTML, in order, skipping comments,
/// doctypes and the content of raw-text elements: a linear scan, not a
/// parser.
struct Tags<'a> {
    html: &'a str,
    at: usize,
}

impl<'a> Tags<'a> {
    fn new(html: &'a str) -> Self {
        Tags { html, at: 0 }
    }
}

impl<'a> Iterator for Tags<'a> {
    type Item = Tag<'a>;

    fn next(&mut self) -> Option<Tag<'a>> {
        let bytes = self.html.as_bytes();
        loop {
            let start = self.at + self.html.get(self.at..)?.find('<')?;
            let rest = &bytes[start + 1..];
            if rest.starts_with(b"!--") {
                self.at = find(self.html, "-->", start + 4).map_or(bytes.len(), |end| end + 3);
                continue;
            }
            if rest.starts_with(b"!") || rest.starts_with(b"?") {
                self.at = find(self.html, ">", start).map_or(bytes.len(), |end| end + 1);
                continue;
            }
            let closing = rest.starts_with(b"/");
            let name_start = start + 1 + usize::from(closing);
            if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
                self.at = start + 1;
                continue;
            }
            let name_end = scan(bytes, name_start, |b| {
                !b.is_ascii_whitespace() && b != b'/' && b != b'>'
            });
            let name = self.html[name_start..name_end].to_ascii_lowercase();
            let (attributes, end) = attributes(self.html, name_end);
            let mut tag = Tag {
                name,
                closing,
                attributes,
                start,
                end,
                raw_text: "",
                raw_text_end: end,
            };
            self.at = end;
            if !closing && RAW_TEXT_ELEMENTS.contains(&tag.name.as_str()) {
                let close = format!("</{}", tag.name);
                let text_end =
                    find_ignore_ascii_case(self.html, &close, end).unwrap_or(bytes.len());
                tag.raw_text = &self.html[end..text_end];
                tag.raw_text_end = find(self.html, ">", text_end).map_or(bytes.len(), |gt| gt + 1);
                self.at = text_end;
            }
            return Some(tag);
        }
    }
}

/// The lowercased attribute names of a tag whose name ends at `from`, and
/// where the tag ends (after its `>`).
fn attributes(html: &str, from: usize) -> (Vec<String>, usize) {
    let bytes = html.as_bytes();
    let mut names = Vec::new();
    let mut at = from;
    loop {
        at = scan(bytes, at, |b| b.is_ascii_whitespace() || b == b'/');
        match bytes.get(at) {
            None => return (names, bytes.len()),
            Some(b'>') => return (names, at + 1),
            Some(_) => {}
        }
        let name_end = scan(bytes, at + 1, |b| {
            !b.is_ascii_whitespace() && !matches!(b, b'/' | b'>' | b'=')
        });
        names.push(html[at..name_end].to_ascii_lowercase());
        at = scan(bytes, name_end, |b| b.is_ascii_whitespace());
        if bytes.get(at) != Some(&b'=') {
            continue;
        }
        at = scan(bytes, at + 1, |b| b.is_ascii_whitespace());
        at = match bytes.get(at) {
            Some(&quote @ (b'"' | b'\'')) => {
                find(html, if quote == b'"' { "\"" } else { "'" }, at + 1)
                    .map_or(bytes.len(), |close| close + 1)
            }
            _ => scan(bytes, at, |b| !b.is_ascii_whitespace() && b != b'>'),
        };
    }
}

/// The first position from `from` whose byte does not satisfy `keep`.
fn scan(bytes: &[u8], from: usize, keep: impl Fn(u8) -> bool) -> usize {
    let from = from.min(bytes.len());
    from + bytes[from..].iter().take_while(|&&b| keep(b)).count()
}

fn find(html: &str, needle: &str, from: usize) -> Option<usize> {
    html.get(from..)?.find(needle).map(|i| from + i)
}

fn find_ignore_ascii_case(html: &str, needle: &str, from: usize) -> Option<usize> {
    let bytes = html.as_bytes();
    let needle = needle.as_bytes();
    (from..=bytes.len().checked_sub(needle.len())?)
        .find(|&i| bytes[i..i + needle.len()].eq_ignore_ascii_case(needle))
}
