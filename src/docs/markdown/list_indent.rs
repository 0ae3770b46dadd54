//! Nested list indentation as `mdx_truly_sane_lists` reads it: a nested
//! block is indented **2 spaces** more than its item's marker, whatever
//! the marker's width. CommonMark wants it under the item's text instead
//! (3 columns for `1. `, 4 for `10. `), so `1. a` followed by `  - b`
//! would end the numbered list there. Lines inside items are re-indented
//! from the first form to the second before pulldown-cmark reads the page;
//! no line is added or removed, so source lines stay where they were.
//!
//! Blocks indented more than that are not nested in TechDocs. With
//! `nested_indent: 2`, Python-Markdown takes 2 spaces off a block per list
//! level (`ListIndentProcessor`), and what is then still indented 4 spaces
//! is an indented code block (`CodeBlockProcessor`, whose tab stays 4),
//! holding a fence's text when the block is a fence. A list marker 4 or
//! more spaces past its item's marker, right under the item's text, is
//! more of that text (`OListProcessor.get_items`: only 2–3 spaces make a
//! nested item); after a blank line, one left indented 2–3 spaces after
//! the level's 2 is a paragraph (the list pattern allows 0–1). Portico
//! renders these as TechDocs does (the marker escaped, the code block
//! indented 4 past the item's text) and reports each at its line, so the
//! author can indent by 2 and get the nesting meant in both.

use crate::diagnostics::Diagnostic;
use std::borrow::Cow;

/// An open list item.
struct Item {
    /// Source column where its nested blocks start (marker column + 2).
    child: usize,
    /// Output column of its text, where CommonMark wants nested blocks.
    content: usize,
    /// Source column of its marker.
    marker: usize,
}

/// An open fenced code block inside an item: its fence and the columns
/// its lines move right by.
struct Fence {
    marker: u8,
    len: usize,
    shift: usize,
    /// Its indentation: pymdownx.superfences closes it only there.
    indent: usize,
}

/// What TechDocs makes of a block that looks nested but is indented past
/// `nested_indent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Literal {
    /// A fence shown as an indented code block holding its text.
    Fence,
    /// A list item shown as text (of the item above, or a paragraph), or
    /// as code when indented 4 more.
    SubList,
    /// A list indented 2–3 spaces under a paragraph, shown as text.
    List,
    /// An admonition, details or tab opener (`!!!`, `???`, `===`) that is
    /// not at its level's column: its line is text, its body code.
    Block,
}

/// A block TechDocs shows as literal text: the output line (0-based) it
/// starts at, what it is, and how many spaces more it is indented than
/// the column that nests it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct LiteralBlock {
    pub line: usize,
    pub kind: Literal,
    pub excess: usize,
}

/// The lines of nested list blocks re-indented as above, and the blocks
/// TechDocs shows as literal text; borrowed when nothing moves.
pub(super) fn reindent_nested_lists(text: &str) -> (Cow<'_, str>, Vec<LiteralBlock>) {
    let mut out = String::new();
    let mut copied = 0;
    let mut stack: Vec<Item> = Vec::new();
    let mut fence: Option<Fence> = None;
    let mut literals = Vec::new();
    // An indented code block in an item: the columns its lines need and
    // their shift.
    let mut code: Option<(usize, usize)> = None;
    // A paragraph whose list markers are text (until the next blank line).
    let mut text_block = false;
    // The paragraph's markers shown as text are reported (once).
    let mut reported = false;
    // The last line with text outside lists: its indent, and whether it
    // was paragraph text.
    let mut outer = (0usize, false);
    // A list TechDocs shows as text (indented 2–3 spaces at the top):
    // the column of its markers.
    let mut text_list: Option<usize> = None;
    let mut previous_blank = true;
    let mut offset = 0;
    for (number, line) in super::lines_inclusive(text).enumerate() {
        let start = offset;
        offset += line.len();
        let indent = line.bytes().take_while(|&b| b == b' ').count();
        let body = &line[indent..];
        let blank = body.trim().is_empty();
        let mut escape_marker = false;
        let shift = if let Some(open) = &fence {
            let shift = open.shift;
            if indent == open.indent && fence_closes(body, open) {
                fence = None;
            }
            shift
        } else if let Some((needs, shift)) = code.filter(|&(needs, _)| blank || indent >= needs) {
            code = Some((needs, shift));
            shift
        } else if blank {
            text_block = false;
            reported = false;
            0
        } else {
            code = None;
            let marker = list_marker(body);
            if marker.is_some() || previous_blank {
                while stack.last().is_some_and(|item| indent < item.child) {
                    stack.pop();
                }
            }
            // Python-Markdown's columns: 2 per list level taken off, from
            // the column the outermost list starts at.
            let base = stack.first().map_or(0, |item| item.marker);
            let detab = base + 2 * (indent.saturating_sub(base) / 2).min(stack.len());
            let past = indent.saturating_sub(detab);
            let literal = match stack.last() {
                Some(_) if previous_blank && past >= 4 => {
                    // An indented code block: 4 past the item's text.
                    let item = stack.last().expect("matched Some");
                    let target = item.content + past;
                    code = Some((detab + 4, target.saturating_sub(indent)));
                    let kind = if marker.is_some() {
                        Some(Literal::SubList)
                    } else {
                        fence_open(body).map(|_| Literal::Fence)
                    };
                    if let Some(kind) = kind {
                        literals.push(LiteralBlock {
                            line: number,
                            kind,
                            excess: past,
                        });
                    }
                    previous_blank = false;
                    emit(
                        &mut out,
                        &mut copied,
                        text,
                        start,
                        offset,
                        target.saturating_sub(indent),
                        false,
                    );
                    continue;
                }
                Some(_) if marker.is_some() && previous_blank && past >= 2 => {
                    text_block = true;
                    true
                }
                Some(item) if marker.is_some() && !previous_blank && indent >= item.marker + 4 => {
                    true
                }
                // A list starts at most 1 space in (`UListProcessor`): one
                // indented 2–3 spaces under a paragraph is a paragraph.
                None if marker.is_some()
                    && previous_blank
                    && (text_list == Some(indent)
                        || (outer.1 && (outer.0 + 2..outer.0 + 4).contains(&indent))) =>
                {
                    // Reported once, at the list's first item.
                    reported |= text_list.replace(indent).is_some();
                    text_block = true;
                    true
                }
                _ => false,
            };
            if text_list.is_some_and(|column| indent < column) {
                text_list = None;
            }
            if literal && !std::mem::replace(&mut reported, true) {
                let (kind, nested_at) = match stack.last() {
                    None => (Literal::List, outer.0),
                    Some(_) if previous_blank => (Literal::SubList, detab),
                    Some(item) => (Literal::SubList, item.marker + 2),
                };
                literals.push(LiteralBlock {
                    line: number,
                    kind,
                    excess: indent.saturating_sub(nested_at),
                });
            }
            if stack.is_empty() && text_list.is_none() {
                outer = (indent, paragraph_text(body));
            }
            escape_marker = marker.is_some() && (literal || text_block);
            // Lazy continuation lines (less indented, no blank line before)
            // stay as written.
            let target = match stack.last() {
                Some(item) if indent >= item.child => item.content + (indent - item.child),
                _ => indent,
            };
            // A definition (`:   `) nests its blocks like a list item.
            let definition = definition_marker(body).filter(|_| stack.is_empty() && indent <= 3);
            if let (Some(width), false) = (marker.or(definition), escape_marker) {
                stack.push(Item {
                    child: indent + 2,
                    content: target + width,
                    marker: indent,
                });
            }
            if let (Some((marker, len)), false) = (fence_open(body), escape_marker) {
                fence = Some(Fence {
                    marker,
                    len,
                    shift: target.saturating_sub(indent),
                    indent,
                });
            }
            target.saturating_sub(indent)
        };
        previous_blank = blank && fence.is_none();
        if !blank {
            emit(
                &mut out,
                &mut copied,
                text,
                start,
                offset,
                shift,
                escape_marker,
            );
        }
    }
    if copied == 0 {
        return (Cow::Borrowed(text), literals);
    }
    out.push_str(&text[copied..]);
    (Cow::Owned(out), literals)
}

/// The warning for a block TechDocs shows as literal text.
pub(super) fn literal_block_problem(block: &LiteralBlock) -> Diagnostic {
    let (what, shown) = match block.kind {
        Literal::Fence => ("fence", "as code holding the fence's own text"),
        Literal::SubList => ("sub-list", "as text (or code, when indented 4 more)"),
        Literal::List => (
            "list",
            "as paragraphs of text: Python-Markdown starts a list at most 1 space in",
        ),
        Literal::Block => (
            "block (admonition, details or tab)",
            "as text and its body as code",
        ),
    };
    Diagnostic::warning(
        "list-indent",
        format!(
            "TechDocs shows this {what} {shown}, not nested in the list item above: it is indented \
             {} spaces more than mdx_truly_sane_lists (nested_indent 2, which techdocs-core sets) \
             nests blocks, 2 spaces per list level",
            block.excess
        ),
    )
    .with_hint(format!(
        "indent it {} spaces less to nest it in TechDocs and in Portico alike; Portico shows it \
         as TechDocs does",
        block.excess
    ))
}

/// For each line, the column Python-Markdown reads a block at when the
/// line is inside a list item or a definition (`:   `): the outermost
/// list's column plus 2 per level (`nested_indent: 2`); `None` outside
/// lists, on blank lines and in fenced code. Block openers (`!!!`, `???`,
/// `===`) are recognised in TechDocs only at that column.
pub(super) fn block_columns<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<Option<usize>> {
    let mut columns = Vec::new();
    let mut markers: Vec<usize> = Vec::new();
    let mut fence: Option<Fence> = None;
    let mut previous_blank = true;
    for line in lines {
        let indent = line.bytes().take_while(|&b| b == b' ').count();
        let body = &line[indent..];
        let blank = body.trim().is_empty();
        if let Some(open) = &fence {
            if indent == open.indent && fence_closes(body, open) {
                fence = None;
            }
            columns.push(None);
            continue;
        }
        if blank {
            previous_blank = true;
            columns.push(None);
            continue;
        }
        let marker = list_marker(body).is_some()
            || (indent <= 3 && body.starts_with(": ") && markers.is_empty());
        if marker || previous_blank {
            while markers.last().is_some_and(|&m| indent < m + 2) {
                markers.pop();
            }
        }
        columns.push(
            markers
                .first()
                .map(|&base| base + 2 * (indent.saturating_sub(base) / 2).min(markers.len())),
        );
        if marker {
            markers.push(indent);
        }
        if let Some((marker, len)) = fence_open(body) {
            fence = Some(Fence {
                marker,
                len,
                shift: 0,
                indent,
            });
        }
        previous_blank = false;
    }
    columns
}

/// The width of a definition's `:` and the spaces after it, as pulldown-
/// cmark reads the definition's text (up to 4 spaces; more is code).
fn definition_marker(body: &str) -> Option<usize> {
    let rest = body.strip_prefix(':')?;
    let spaces = rest.bytes().take_while(|&b| b == b' ').count();
    match spaces {
        0 => None,
        1..=4 if !rest[spaces..].trim().is_empty() => Some(1 + spaces),
        _ => Some(2),
    }
}

/// Whether a line starts paragraph text (not a block of another kind).
fn paragraph_text(body: &str) -> bool {
    list_marker(body).is_none()
        && !body.starts_with([
            '<', '#', '|', '`', '~', '>', '!', '?', '=', ':', '-', '*', '+', '[',
        ])
}

/// Copies `text[start..end]` (one line) moved right by `shift`, its list
/// marker escaped when `escape` (so it is text, as in TechDocs).
fn emit(
    out: &mut String,
    copied: &mut usize,
    text: &str,
    start: usize,
    end: usize,
    shift: usize,
    escape: bool,
) {
    if shift == 0 && !escape {
        return;
    }
    if out.is_empty() {
        out.reserve(text.len() + 64);
    }
    out.push_str(&text[*copied..start]);
    out.extend(std::iter::repeat_n(' ', shift));
    let line = &text[start..end];
    if escape {
        let indent = line.bytes().take_while(|&b| b == b' ').count();
        // `\-`, `\*`, `\+` or `1\.`: the marker's last character.
        let at = indent
            + line[indent..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
        out.push_str(&line[..at]);
        out.push('\\');
        out.push_str(&line[at..]);
    } else {
        out.push_str(line);
    }
    *copied = end;
}

/// The width of a list marker and the spaces after it (`- `, `1. `,
/// `10.  `) starting `body`, as Python-Markdown recognises markers: `*`,
/// `+`, `-` or digits and `.`, then at least one space.
fn list_marker(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let marker = match bytes.first()? {
        b'*' | b'+' | b'-' => 1,
        b'0'..=b'9' => {
            let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits > 9 || bytes.get(digits) != Some(&b'.') {
                return None;
            }
            digits + 1
        }
        _ => return None,
    };
    let spaces = bytes[marker..].iter().take_while(|&&b| b == b' ').count();
    // `-  ` up to 4 spaces is the text's column; more is code in the item.
    match spaces {
        0 => None,
        1..=4 if bytes.len() > marker + spaces && bytes[marker + spaces] != b'\n' => {
            Some(marker + spaces)
        }
        _ => Some(marker + 1),
    }
}

fn fence_open(body: &str) -> Option<(u8, usize)> {
    let marker = *body.as_bytes().first()?;
    if !matches!(marker, b'`' | b'~') {
        return None;
    }
    let len = body.bytes().take_while(|&b| b == marker).count();
    (len >= 3).then_some((marker, len))
}

fn fence_closes(body: &str, fence: &Fence) -> bool {
    let len = body.bytes().take_while(|&b| b == fence.marker).count();
    len >= fence.len && body[len..].trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moved(text: &str) -> String {
        reindent_nested_lists(text).0.into_owned()
    }

    fn literals(text: &str) -> Vec<(usize, Literal, usize)> {
        reindent_nested_lists(text)
            .1
            .iter()
            .map(|l| (l.line, l.kind, l.excess))
            .collect()
    }

    #[test]
    fn nested_blocks_move_under_the_items_text() {
        assert_eq!(
            moved("1. a\n  - b\n    - c\n2. d\n"),
            "1. a\n   - b\n     - c\n2. d\n"
        );
        assert_eq!(
            moved("10. a\n  1. b\n\n  text\n"),
            "10. a\n    1. b\n\n    text\n"
        );
        // Fenced code keeps its own indentation, moved as a whole.
        assert_eq!(
            moved("1. a\n\n  ```\n    x\n  1. not a list\n  ```\n"),
            "1. a\n\n   ```\n     x\n   1. not a list\n   ```\n"
        );
    }

    #[test]
    fn pages_without_nested_numbered_items_are_untouched() {
        for text in [
            "- a\n  - b\n    - c\n",
            "text\n  indented\n",
            "1. a\n2. b\n",
            "1. a\nlazy\n",
        ] {
            assert!(
                matches!(reindent_nested_lists(text).0, Cow::Borrowed(_)),
                "{text}"
            );
        }
    }

    #[test]
    fn deep_nesting_stays_linear_in_output() {
        let text: String = (0..20_000)
            .map(|i| format!("{}1. x\n", " ".repeat((i % 200) * 2)))
            .collect();
        let out = moved(&text);
        assert_eq!(out.lines().count(), 20_000);
        // Each level adds one column: at most 200 more per line.
        assert!(out.len() <= text.len() + 20_000 * 200);
    }

    #[test]
    fn sub_lists_indented_4_are_text_as_in_techdocs() {
        // Right under the item's text: more of that text (httpx's
        // exceptions page).
        assert_eq!(
            moved("* a\n    * b\n        * c\n"),
            "* a\n    \\* b\n        \\* c\n"
        );
        assert_eq!(
            literals("* a\n    * b\n        * c\n"),
            [(1, Literal::SubList, 2)]
        );
        // 2 or 3 spaces nest, as before.
        assert_eq!(moved("- a\n  - b\n   - c\n"), "- a\n  - b\n   - c\n");
        assert!(literals("- a\n  - b\n   - c\n").is_empty());
        // After a blank line: a paragraph, its markers text.
        assert_eq!(
            moved("- a\n\n    - b\n    - c\n"),
            "- a\n\n    \\- b\n    \\- c\n"
        );
        assert_eq!(
            literals("- a\n\n    - b\n    - c\n"),
            [(2, Literal::SubList, 2)]
        );
        assert_eq!(moved("1. a\n\n    10. b\n"), "1. a\n\n     10\\. b\n");
    }

    #[test]
    fn any_mix_of_markers_fences_and_indents_keeps_every_line() {
        // A small generator over the pieces the pass looks at.
        let pieces = [
            "- a",
            "* b",
            "1. c",
            "10.  d",
            ": e",
            ":    f",
            "```",
            "~~~~",
            "```yaml",
            "!!! note",
            "=== \"t\"",
            "text",
            "",
            "<!-- c -->",
            "-",
            "1.",
            ":",
        ];
        let mut seed: u64 = 42;
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as usize
        };
        for _ in 0..300 {
            let page: String = (0..40)
                .map(|_| {
                    format!(
                        "{}{}\n",
                        " ".repeat(next() % 11),
                        pieces[next() % pieces.len()]
                    )
                })
                .collect();
            let (out, literals) = reindent_nested_lists(&page);
            assert_eq!(out.lines().count(), page.lines().count(), "{page}");
            assert!(literals.iter().all(|l| l.line < page.lines().count()));
            assert_eq!(block_columns(page.lines()).len(), page.lines().count());
        }
    }

    #[test]
    fn definitions_nest_like_list_items() {
        // mkdocs-material's option pages: a tab opener 4 spaces in is text,
        // and the fence under it, 6 past the definition's level, is code
        // keeping 2 spaces of its indentation.
        let page =
            "Term\n\n:   Text.\n\n    === \"Tab\"\n\n        ``` yaml\n        a: 1\n        ```\n";
        assert_eq!(
            moved(page),
            "Term\n\n:   Text.\n\n      === \"Tab\"\n\n          ``` yaml\n          a: 1\n          ```\n"
        );
        assert_eq!(literals(page), [(6, Literal::Fence, 6)]);
        // A fence 4 spaces in is the definition's.
        assert!(literals("Term\n\n:   Text.\n\n    ```\n    a\n    ```\n").is_empty());
    }

    #[test]
    fn block_columns_are_2_per_level_from_the_outermost_list() {
        let page = "- a\n\n    !!! note\n\n  !!! tip\n  - b\n\n    x\n\nTerm\n\n:   def\n\n    y\n";
        assert_eq!(
            block_columns(page.lines()),
            [
                None,
                None,
                Some(2),
                None,
                Some(2),
                Some(2),
                None,
                Some(4),
                None,
                None,
                None,
                None,
                None,
                Some(2)
            ]
        );
    }

    #[test]
    fn lists_indented_2_under_a_paragraph_are_text_as_in_techdocs() {
        // mkdocs-material's contributing page.
        let page = "Text.\n\n  - a\n  more\n\n  - b\n\n    code\n\n- c\n";
        assert_eq!(
            moved(page),
            "Text.\n\n  \\- a\n  more\n\n  \\- b\n\n    code\n\n- c\n"
        );
        assert_eq!(literals(page), [(2, Literal::List, 2)]);
        // Under markup (an HTML wrapper's padded content), or at 0–1
        // spaces, a list is a list.
        for page in ["<div>\n\n  - a\n", "Text.\n\n - a\n", "# H\n\n  - a\n"] {
            assert!(literals(page).is_empty(), "{page}");
            assert!(
                matches!(reindent_nested_lists(page).0, Cow::Borrowed(_)),
                "{page}"
            );
        }
    }

    #[test]
    fn fences_indented_4_past_the_level_are_code_as_in_techdocs() {
        // mkdocs' choosing-your-theme page: a sub-item indented 4 is text,
        // and the fence under it, 6 past the item's level, is code that
        // runs on over the paragraph after it.
        let page = "*   a\n\n    *   b\n\n        ```yaml\n        x: 1\n        ```\n\n        more\n\n* c\n";
        assert_eq!(
            moved(page),
            "*   a\n\n      \\*   b\n\n          ```yaml\n          x: 1\n          ```\n\n          more\n\n* c\n"
        );
        assert_eq!(
            literals(page),
            [(2, Literal::SubList, 2), (4, Literal::Fence, 6)]
        );
        // Levels count from the column the outermost list starts at.
        assert_eq!(
            moved("  -   a\n\n      ---\n\n      text\n"),
            "  -   a\n\n        ---\n\n        text\n"
        );
        assert!(literals("  -   a\n\n      ---\n").is_empty());
        // 2 past the level: a fence in the item, nothing reported.
        assert!(literals("- a\n\n    ```\n    x\n    ```\n").is_empty());
        // Lines of the code block are never list items or fences.
        assert_eq!(
            moved("- a\n\n      ```\n      - x\n\n      ```\n- b\n"),
            "- a\n\n      ```\n      - x\n\n      ```\n- b\n"
        );
    }
}
