//! Definition terms made of an HTML comment, as Python-Markdown's
//! `def_list` reads them. There a comment block is a paragraph (its
//! placeholder), so a definition (`:   …`) after it takes it as its term:
//! mkdocs-material writes every option as `<!-- md:option name -->` then
//! `:   description`. CommonMark never makes an HTML block a term, so the
//! description would be a paragraph starting with `:` and its indented
//! blocks code. The comment line gets a zero-width space in front, which
//! makes it a paragraph (the term, shown empty, as in TechDocs). No line
//! is added or removed.

use std::borrow::Cow;

/// `text` with each comment line that is a definition's term made a
/// paragraph; borrowed when there is none.
pub(super) fn comment_terms(text: &str) -> Cow<'_, str> {
    if !text.contains("<!--") {
        return Cow::Borrowed(text);
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut terms = Vec::new();
    let mut fence = Fence::default();
    for (i, line) in lines.iter().enumerate() {
        let Some((indent, body)) = fence.outside(line) else {
            continue;
        };
        let comment = body.trim_end();
        if indent <= 3
            && comment.starts_with("<!--")
            && comment.ends_with("-->")
            && comment.len() >= 7
            && !comment[4..comment.len() - 3].contains("-->")
        {
            let next = lines[i + 1..].iter().find(|l| !l.trim().is_empty());
            if next.is_some_and(|l| is_definition(l)) {
                terms.push(i);
            }
        }
    }
    if terms.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + terms.len() * 3);
    for (i, line) in lines.iter().enumerate() {
        if terms.binary_search(&i).is_ok() {
            let body = line.trim_start_matches(' ');
            out.push_str(&line[..line.len() - body.len()]);
            out.push('\u{200b}');
            out.push_str(body);
        } else {
            out.push_str(line);
        }
    }
    Cow::Owned(out)
}

/// `text` with each line that starts with a colon not followed by a space
/// (`:warning: Do not…`) kept a paragraph: Python-Markdown's `def_list`
/// needs `:` and a space, while CommonMark's definition lists take any
/// colon, which made the paragraph before it a term and lost the emoji.
/// A zero-width space goes in front of the colon (taken out again as the
/// text is rendered); borrowed when there is none.
pub(super) fn colon_paragraphs(text: &str) -> Cow<'_, str> {
    if !text.contains("\n:") && !text.starts_with(':') && !text.contains("\n :") {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut fence = Fence::default();
    let mut copied = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let Some((indent, body)) = fence.outside(line) else {
            continue;
        };
        let after = body.strip_prefix(':').map(|r| r.bytes().next());
        if indent <= 3
            && matches!(after, Some(Some(b)) if !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            out.push_str(&text[copied..start + indent]);
            out.push(COLON_GUARD);
            copied = start + indent;
        }
    }
    if copied == 0 && out.is_empty() {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// What [`colon_paragraphs`] puts before a colon; a text starting with it
/// and a colon is rendered without it.
pub(super) const COLON_GUARD: char = '\u{200b}';

/// The fenced code block a walk over lines is in: its marker, length and
/// indentation (closed only by a fence as long, at that indentation).
#[derive(Default)]
struct Fence(Option<(u8, usize, usize)>);

impl Fence {
    /// `line`'s indentation and text when it is outside fenced code (not
    /// inside one, not opening or closing one).
    fn outside<'l>(&mut self, line: &'l str) -> Option<(usize, &'l str)> {
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        if let Some((marker, len, at)) = self.0 {
            let run = body.bytes().take_while(|&b| b == marker).count();
            if indent == at && run >= len && body[run..].trim().is_empty() {
                self.0 = None;
            }
            return None;
        }
        let marker = body.bytes().next().unwrap_or(b' ');
        let run = body.bytes().take_while(|&b| b == marker).count();
        if matches!(marker, b'`' | b'~') && run >= 3 {
            self.0 = Some((marker, run, indent));
            return None;
        }
        Some((indent, body))
    }
}

/// `[ ]{0,3}:[ ]{1,3}(.*?)`, Python-Markdown's definition line: a colon
/// and a space, anything after.
fn is_definition(line: &str) -> bool {
    let body = line.trim_start_matches(' ');
    line.len() - body.len() <= 3 && body.starts_with(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comment_before_a_definition_is_its_term() {
        assert_eq!(
            comment_terms("<!-- md:option a -->\n\n:   <!-- x --> Text\n"),
            "\u{200b}<!-- md:option a -->\n\n:   <!-- x --> Text\n"
        );
        assert_eq!(
            comment_terms("<!-- a -->\n:  Text\n"),
            "\u{200b}<!-- a -->\n:  Text\n"
        );
        assert_eq!(
            comment_terms("<!-- a -->\n\n:     five spaces\n"),
            "\u{200b}<!-- a -->\n\n:     five spaces\n"
        );
    }

    #[test]
    fn a_colon_without_a_space_starts_no_definition() {
        assert_eq!(
            colon_paragraphs("Deploy.\n\n:warning: Not on Fridays.\n"),
            "Deploy.\n\n\u{200b}:warning: Not on Fridays.\n"
        );
        assert_eq!(
            colon_paragraphs(":x: first\n  :y: b"),
            "\u{200b}:x: first\n  \u{200b}:y: b"
        );
        for text in [
            "Term\n:   definition\n",
            "Term\n: definition\n",
            "```\n:code\n```\n",
            "    :indented code\n",
            "Text\n:\n",
        ] {
            assert!(matches!(colon_paragraphs(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn other_comments_stay_as_written() {
        for text in [
            "<!-- a -->\n\nText\n",
            "```\n<!-- a -->\n```\n:   Text\n",
            "<!-- a --> b -->\n\n:   Text\n",
            "    <!-- a -->\n\n:   Text\n",
            "<!-- a -->\n\n:\n",
            "<!-- a -->\n\n:no space\n",
        ] {
            assert!(matches!(comment_terms(text), Cow::Borrowed(_)), "{text}");
        }
    }
}
