//! Nested list indentation as `mdx_truly_sane_lists` reads it: a nested
//! block is indented **2 spaces** more than its item's marker, whatever
//! the marker's width. CommonMark wants it under the item's text instead
//! (3 columns for `1. `, 4 for `10. `), so `1. a` followed by `  - b`
//! would end the numbered list there. Lines inside items are re-indented
//! from the first form to the second before pulldown-cmark reads the page;
//! no line is added or removed, so source lines stay where they were.

use std::borrow::Cow;

/// An open list item.
struct Item {
    /// Source column where its nested blocks start (marker column + 2).
    child: usize,
    /// Output column of its text, where CommonMark wants nested blocks.
    content: usize,
}

/// An open fenced code block inside an item: its fence and the columns
/// its lines move right by.
struct Fence {
    marker: u8,
    len: usize,
    shift: usize,
}

/// `text` with the lines of nested list blocks re-indented; borrowed when
/// nothing moves (a page without numbered lists or wide markers).
pub(super) fn reindent_nested_lists(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
    let mut stack: Vec<Item> = Vec::new();
    let mut fence: Option<Fence> = None;
    let mut previous_blank = true;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let indent = line.bytes().take_while(|&b| b == b' ').count();
        let body = &line[indent..];
        let blank = body.trim().is_empty();
        let shift = if let Some(open) = &fence {
            let shift = open.shift;
            if fence_closes(body, open) {
                fence = None;
            }
            shift
        } else if blank {
            0
        } else {
            let marker = list_marker(body);
            if marker.is_some() || previous_blank {
                while stack.last().is_some_and(|item| indent < item.child) {
                    stack.pop();
                }
            }
            // Lazy continuation lines (less indented, no blank line before)
            // stay as written.
            let target = match stack.last() {
                Some(item) if indent >= item.child => item.content + (indent - item.child),
                _ => indent,
            };
            if let Some(width) = marker {
                stack.push(Item {
                    child: indent + 2,
                    content: target + width,
                });
            }
            if let Some((marker, len)) = fence_open(body) {
                fence = Some(Fence {
                    marker,
                    len,
                    shift: target.saturating_sub(indent),
                });
            }
            target.saturating_sub(indent)
        };
        previous_blank = blank && fence.is_none();
        if shift > 0 && !blank {
            if out.is_empty() {
                out.reserve(text.len() + 64);
            }
            out.push_str(&text[copied..start]);
            out.extend(std::iter::repeat_n(' ', shift));
            out.push_str(line);
            copied = offset;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
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

    #[test]
    fn nested_blocks_move_under_the_items_text() {
        assert_eq!(
            reindent_nested_lists("1. a\n  - b\n    - c\n2. d\n"),
            "1. a\n   - b\n     - c\n2. d\n"
        );
        assert_eq!(
            reindent_nested_lists("10. a\n  1. b\n\n  text\n"),
            "10. a\n    1. b\n\n    text\n"
        );
        // Fenced code keeps its own indentation, moved as a whole.
        assert_eq!(
            reindent_nested_lists("1. a\n\n  ```\n    x\n  1. not a list\n  ```\n"),
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
                matches!(reindent_nested_lists(text), Cow::Borrowed(_)),
                "{text}"
            );
        }
    }

    #[test]
    fn deep_nesting_stays_linear_in_output() {
        let text: String = (0..20_000)
            .map(|i| format!("{}1. x\n", " ".repeat((i % 200) * 2)))
            .collect();
        let out = reindent_nested_lists(&text);
        assert_eq!(out.lines().count(), 20_000);
        // Each level adds one column: at most 200 more per line.
        assert!(out.len() <= text.len() + 20_000 * 200);
    }
}
