//! Raw HTML blocks as Python-Markdown reads them, where CommonMark reads
//! them differently.
//!
//! Python-Markdown's HTML extractor (`markdown.htmlparser`) takes a
//! block-level start tag at a line's start and keeps everything up to the
//! end tag that closes it as one raw block, blank lines included; after
//! that end tag the page is Markdown again, on the next line or in the
//! rest of the same line. CommonMark ends such a block at the first blank
//! line and not before, so a README's
//!
//! ```text
//! <p align="center"><img src="logo.png"></p>
//! # Project
//! ```
//!
//! showed `# Project` as text (TechDocs shows a heading), and
//! `<div>\n\n# Title\n\n</div>` rendered the heading (TechDocs shows the
//! raw `# Title`). [`raw_block`] finds such a block's end so that the
//! preprocessor can end it as Python-Markdown does.

use super::preprocess::{fence_closes, fence_open};

/// Tags Python-Markdown treats as block-level (`BLOCK_LEVEL_ELEMENTS`)
/// that also open a CommonMark HTML block which a blank line ends (kind 6).
/// The few of Python-Markdown's that CommonMark has no block for
/// (`canvas`, `video`, …) are left to CommonMark's rules.
const BLANK_ENDED: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "center",
    "colgroup",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "html",
    "iframe",
    "legend",
    "li",
    "main",
    "menu",
    "nav",
    "ol",
    "option",
    "p",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Block-level tags whose CommonMark block ends at the line holding their
/// end tag (kind 1), not at a blank line.
const TAG_ENDED: &[&str] = &["pre", "script", "style", "textarea"];

/// Elements whose content is text to an HTML parser, tags included.
const RAW_TEXT: &[&str] = &["script", "style", "textarea"];

/// A raw HTML block found by [`raw_block`].
#[derive(Debug, PartialEq, Eq)]
pub struct RawBlock {
    /// Index of the line holding the end tag that closes the block.
    pub end: usize,
    /// Byte offset just past that end tag, when Markdown follows it on the
    /// same line (Python-Markdown's "tail").
    pub tail: Option<usize>,
    /// Whether CommonMark would end the block at a blank line inside it
    /// (such lines must be kept from doing so).
    pub blank_ended: bool,
    /// Code fences inside, as (opening line, closing line) indexes:
    /// Python-Markdown takes fences out before it reads HTML, so they are
    /// code, not HTML.
    pub fences: Vec<(usize, usize)>,
}

/// The raw HTML block opening at `lines[start]`, if that line starts (in
/// its first column) with a block-level start tag and an end tag closes it
/// within the lines `budget` still allows to be read (each line read is
/// taken off it, so a page of unclosed tags stays linear). A tag never
/// closed makes the rest of the page the block, as in Python-Markdown.
/// `None` leaves the lines to CommonMark's rules: no such tag, or the
/// budget spent.
pub fn raw_block<S: AsRef<str>>(lines: &[S], start: usize, budget: &mut usize) -> Option<RawBlock> {
    let first = lines.get(start)?.as_ref();
    if let Some(comment) = comment_block(lines, start, budget) {
        return Some(comment);
    }
    let name = start_tag_name(first)?;
    let blank_ended = BLANK_ENDED.contains(&name.as_str());
    if !blank_ended && !TAG_ENDED.contains(&name.as_str()) {
        return None;
    }
    let mut scan = Scanner::default();
    let mut fences = Vec::new();
    let mut fence: Option<(usize, (char, usize))> = None;
    for (index, line) in lines.iter().enumerate().skip(start) {
        if *budget == 0 {
            return None;
        }
        *budget -= 1;
        let line = line.as_ref();
        if let Some((opened, open)) = fence {
            if fence_closes(line, open) {
                fences.push((opened, index));
                fence = None;
            }
            continue;
        }
        if index > start
            && !scan.in_comment
            && scan.in_tag.is_none()
            && scan.raw_text.is_none()
            && let Some(open) = fence_open(line)
        {
            fence = Some((index, open));
            continue;
        }
        if let Some(after) = scan.line(line) {
            let rest = &line[after..];
            return Some(RawBlock {
                end: index,
                tail: (!rest.trim().is_empty()).then_some(after),
                blank_ended,
                fences,
            });
        }
    }
    // Never closed: Python-Markdown keeps the rest of the page raw (a
    // fence still open there is no fence to it either).
    Some(RawBlock {
        end: lines.len().checked_sub(1)?,
        tail: None,
        blank_ended,
        fences,
    })
}

/// An HTML comment opening `lines[start]` (up to 3 spaces in) with
/// Markdown after its `-->` on the line that ends it: Python-Markdown
/// keeps the comment as a raw block and reads that tail as Markdown, where
/// CommonMark keeps the whole line in its HTML block (`<!-- x --> *text*`
/// showed `*text*` as written). `None` for a comment with nothing after
/// it, which both read alike, and for one never closed.
fn comment_block<S: AsRef<str>>(lines: &[S], start: usize, budget: &mut usize) -> Option<RawBlock> {
    let first = lines.get(start)?.as_ref();
    let trimmed = first.trim_start_matches(' ');
    if first.len() - trimmed.len() > 3 || !trimmed.starts_with("<!--") {
        return None;
    }
    let mut from = first.len() - trimmed.len() + "<!--".len();
    for (index, line) in lines.iter().enumerate().skip(start) {
        if *budget == 0 {
            return None;
        }
        *budget -= 1;
        let line = line.as_ref();
        if let Some(at) = line.get(from..).and_then(|rest| rest.find("-->")) {
            let mut after = from + at + "-->".len();
            // Comments after it on the line are raw too (`<!-- a --> <!-- b --> *t*`).
            while let Some(next) =
                line[after..]
                    .trim_start()
                    .strip_prefix("<!--")
                    .and_then(|rest| {
                        rest.find("-->")
                            .map(|end| line.len() - rest.len() + end + 3)
                    })
            {
                after = next;
            }
            return (!line[after..].trim().is_empty()).then_some(RawBlock {
                end: index,
                tail: Some(after),
                blank_ended: false,
                fences: Vec::new(),
            });
        }
        from = 0;
    }
    None
}

/// The lower-cased name of the start tag `line` opens with, in column 0.
fn start_tag_name(line: &str) -> Option<String> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let rest = trimmed.strip_prefix('<')?;
    let len = tag_name_len(rest);
    if len == 0 {
        return None;
    }
    let after = rest[len..].chars().next();
    if !matches!(after, None | Some(' ' | '\t' | '>' | '/')) {
        return None;
    }
    Some(rest[..len].to_ascii_lowercase())
}

/// Tags CommonMark reads as an HTML block of their own (kinds 1 and 6)
/// besides [`BLANK_ENDED`] and [`TAG_ENDED`], and Python-Markdown's other
/// block-level tags: none of them is inline to both.
const NOT_INLINE: &[&str] = &[
    "base", "basefont", "caption", "col", "dialog", "dir", "frame", "frameset", "head", "link",
    "menuitem", "noframes", "optgroup", "param", "search", "title", "track", "canvas", "group",
    "math", "map", "noscript", "output", "object", "progress", "video",
];

/// Whether `line` is one inline tag alone (`<img src="logo.png">`,
/// `<a name="top">`, `</span>`), up to 3 spaces in: CommonMark opens an
/// HTML block there (kind 7) that runs to the next blank line, taking the
/// Markdown under it as HTML, where Python-Markdown reads the tag as the
/// start of a paragraph.
pub fn is_lone_inline_tag(line: &str) -> bool {
    let trimmed = line.trim_matches(' ');
    if line.len() - line.trim_start_matches(' ').len() > 3 || !trimmed.ends_with('>') {
        return false;
    }
    let Some(rest) = trimmed.strip_prefix('<') else {
        return false;
    };
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    let len = tag_name_len(rest);
    if len == 0 || !matches!(rest.as_bytes().get(len), Some(b' ' | b'\t' | b'>' | b'/')) {
        return false;
    }
    let name = rest[..len].to_ascii_lowercase();
    let known = |list: &[&str]| list.contains(&name.as_str());
    if known(BLANK_ENDED) || known(TAG_ENDED) || known(NOT_INLINE) {
        return false;
    }
    // One tag: no other `<` or `>` outside quoted attribute values.
    let mut quote = None;
    let body = &rest[len..rest.len() - 1];
    for b in body.bytes() {
        match (quote, b) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'<' | b'>') => return false,
            _ => {}
        }
    }
    quote.is_none()
}

/// For each line, whether it starts inside an HTML comment or a code span
/// that an earlier line opened: no line there is a [`is_lone_inline_tag`]
/// line (its tag is comment or code text). Fenced code is skipped.
pub fn opened_before<S: AsRef<str>>(lines: &[S]) -> Vec<bool> {
    let mut inside = Vec::with_capacity(lines.len());
    let mut comment = false;
    let mut ticks: Option<usize> = None;
    let mut fence: Option<(char, usize)> = None;
    for line in lines {
        let line = line.as_ref();
        inside.push(comment || ticks.is_some());
        if let Some(open) = fence {
            if fence_closes(line, open) {
                fence = None;
            }
            continue;
        }
        if !comment
            && ticks.is_none()
            && let Some(open) = fence_open(line)
        {
            fence = Some(open);
            continue;
        }
        if line.trim().is_empty() {
            // A code span ends with its paragraph.
            ticks = None;
            continue;
        }
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if comment {
                match bytes[i..].windows(3).position(|w| w == b"-->") {
                    Some(at) => {
                        comment = false;
                        i += at + 3;
                    }
                    None => break,
                }
                continue;
            }
            if bytes[i] == b'`' {
                let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
                ticks = match ticks {
                    Some(open) if open == run => None,
                    None => Some(run),
                    other => other,
                };
                i += run;
                continue;
            }
            // Bytes, not `str` slices: `i` steps over multi-byte characters.
            if ticks.is_none() && bytes[i..].starts_with(b"<!--") {
                comment = true;
                i += 4;
                continue;
            }
            i += 1;
        }
    }
    inside
}

/// Length of the tag name `text` starts with (a letter, then letters,
/// digits or hyphens), 0 if none.
fn tag_name_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    if !bytes.first().is_some_and(u8::is_ascii_alphabetic) {
        return 0;
    }
    bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
        .count()
}

/// The HTML read so far, across lines: open elements, as Python's
/// `HTMLParser` and Python-Markdown's stack see them.
#[derive(Default)]
struct Scanner {
    stack: Vec<String>,
    /// Inside `<!-- … -->`.
    in_comment: bool,
    /// Inside a start tag's attributes (`Some(quote)` inside a quoted value).
    in_tag: Option<Option<u8>>,
    /// The start tag being read, to push once its `>` is seen.
    pending: Option<String>,
    /// Inside a raw-text element: only its end tag counts.
    raw_text: Option<String>,
    /// The first tag was seen (the stack empty after it means closed).
    started: bool,
}

impl Scanner {
    /// Reads one line; the byte offset just past the end tag that closes
    /// the block, if it is on this line.
    fn line(&mut self, line: &str) -> Option<usize> {
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if self.in_comment {
                match line[i..].find("-->") {
                    Some(at) => {
                        self.in_comment = false;
                        i += at + 3;
                        continue;
                    }
                    None => return None,
                }
            }
            if let Some(quote) = self.in_tag {
                match (quote, bytes[i]) {
                    (Some(q), b) if b == q => self.in_tag = Some(None),
                    (Some(_), _) => {}
                    (None, b @ (b'"' | b'\'')) => self.in_tag = Some(Some(b)),
                    (None, b'>') => {
                        self.in_tag = None;
                        let self_closing = i > 0 && bytes[i - 1] == b'/';
                        if self.open(self_closing) {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
                continue;
            }
            let at = line[i..].find('<')?;
            i += at;
            let rest = &line[i + 1..];
            if let Some(raw) = &self.raw_text {
                let closes = rest
                    .strip_prefix('/')
                    .filter(|r| {
                        let len = tag_name_len(r);
                        len > 0 && r[..len].eq_ignore_ascii_case(raw)
                    })
                    .is_some();
                if !closes {
                    i += 1;
                    continue;
                }
                self.raw_text = None;
            }
            if rest.starts_with("!--") {
                self.in_comment = true;
                i += 4;
                continue;
            }
            if let Some(end) = rest.strip_prefix('/') {
                let len = tag_name_len(end);
                let Some(close) = end[len..].find('>').filter(|_| len > 0) else {
                    i += 1;
                    continue;
                };
                let name = end[..len].to_ascii_lowercase();
                i += 2 + len + close + 1;
                if let Some(at) = self.stack.iter().rposition(|open| *open == name) {
                    self.stack.truncate(at);
                    if self.stack.is_empty() {
                        return Some(i);
                    }
                }
                continue;
            }
            let len = tag_name_len(rest);
            if len == 0 {
                i += 1;
                continue;
            }
            self.pending = Some(rest[..len].to_ascii_lowercase());
            self.in_tag = Some(None);
            i += 1 + len;
        }
        None
    }

    /// A start tag's `>` was read: push it. True when that ends the block
    /// (a first tag that is empty).
    fn open(&mut self, self_closing: bool) -> bool {
        let Some(name) = self.pending.take() else {
            return false;
        };
        let first = !std::mem::replace(&mut self.started, true);
        // `<hr>` is empty to Python-Markdown, and `<x/>` to HTMLParser.
        if name == "hr" || self_closing {
            return first;
        }
        if RAW_TEXT.contains(&name.as_str()) {
            self.raw_text = Some(name.clone());
        }
        self.stack.push(name);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str) -> Option<RawBlock> {
        let lines: Vec<&str> = text.lines().collect();
        raw_block(&lines, 0, &mut 1000)
    }

    #[test]
    fn a_block_ends_at_the_end_tag_that_closes_its_first_tag() {
        let found = block("<p align=\"center\">\n  <img src=\"a.png\">\n</p>\n# Title\n").unwrap();
        assert_eq!((found.end, found.tail), (2, None));
        assert!(found.blank_ended);
        // Nested tags of the same name, blank lines inside.
        let found = block("<div>\n<div>\n\n</div>\n# not yet\n</div>\ntext").unwrap();
        assert_eq!(found.end, 5);
        // One line, with Markdown after the end tag.
        let found = block("<div>one</div> tail *x*").unwrap();
        assert_eq!((found.end, found.tail), (0, Some(14)));
        // Attributes over several lines, `>` inside a quoted value.
        let found = block("<div title=\"a > b\"\n  class='x'>\n</div>").unwrap();
        assert_eq!(found.end, 2);
        // Comments and raw text hide tags.
        let found = block("<div><!-- </div> -->\n<script>\"</div>\"</script></div>").unwrap();
        assert_eq!(found.end, 1);
        // An end tag closes the elements opened after its own (`<img>`).
        assert_eq!(block("<p><img src=x><br>\n</p>").unwrap().end, 1);
        assert_eq!(block("<hr>\ntext").unwrap().end, 0);
        assert!(!block("<pre>\n\n</pre>").unwrap().blank_ended);
        // A fence inside is code: its `</div>` closes nothing.
        let found = block("<details>\n\n```html\n</details>\n```\n\n</details>\n*after*").unwrap();
        assert_eq!((found.end, found.fences), (6, vec![(2, 4)]));
    }

    #[test]
    fn a_tag_never_closed_runs_to_the_pages_end() {
        let found = block("<div>\nno end\n# T").unwrap();
        assert_eq!((found.end, found.tail), (2, None));
        // An end tag inside a fence closes nothing.
        let found = block("<div>\n```\n</div>\n```\nrest").unwrap();
        assert_eq!((found.end, found.fences), (4, vec![(1, 3)]));
    }

    #[test]
    fn what_python_markdown_reads_otherwise_is_left_alone() {
        // Not block-level, not in the first column.
        assert_eq!(block("<span>x</span>\n# T"), None);
        assert_eq!(block("    <div>x</div>\n# T"), None);
        assert_eq!(block("<divx>a</divx>"), None);
        assert_eq!(block("<video>a</video>\n# T"), None);
    }

    #[test]
    fn lone_inline_tags_are_told_from_blocks_and_text() {
        for lone in [
            "<img src=\"a.png\">",
            "  <a name=\"top\">",
            "</span>",
            "<img alt='a > b'/>",
        ] {
            assert!(is_lone_inline_tag(lone), "{lone}");
        }
        for other in [
            "<div>",
            "<p align=center>",
            "<video src=x>",
            "<a name=x></a>",
            "<img src=x> text",
            "    <img src=x>",
            "<3>",
            "<img alt=\"x>",
        ] {
            assert!(!is_lone_inline_tag(other), "{other}");
        }
    }

    #[test]
    fn lines_inside_comments_and_code_spans_are_known() {
        let lines = [
            "<!--",
            "<img src=old.png>",
            "-->",
            "<img src=new.png>",
            "text `code",
            "<br>",
            "end` more",
            "```",
            "<!--",
            "```",
            "<img src=x>",
            "é<!-- é",
            "<img src=x>",
        ];
        assert_eq!(
            opened_before(&lines),
            [
                false, true, true, false, false, true, true, false, false, false, false, false,
                true
            ]
        );
    }

    #[test]
    fn the_budget_bounds_the_lines_read() {
        let lines = vec!["<div>"; 50];
        let mut budget = 10;
        assert_eq!(raw_block(&lines, 0, &mut budget), None);
        assert_eq!(budget, 0);
        assert_eq!(raw_block(&lines, 1, &mut budget), None);
    }
}
