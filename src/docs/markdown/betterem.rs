//! pymdownx.betterem as techdocs-core configures it (`smart_enable: all`):
//! `*` inside a word is a plain asterisk, as `_` already is in CommonMark.
//! `foo*bar*baz`, `2*3*4`, `**bold**text` and `text**bold**` stay as
//! written in MkDocs, where CommonMark makes emphasis of them; and
//! `***both***` is `<strong><em>` (Python-Markdown's order), not
//! `<em><strong>`.
//!
//! pulldown-cmark has already paired the delimiters, so this pass only
//! undoes pairs betterem would not make: a pair whose `*` opener follows a
//! letter or digit, or whose closer is followed by one, becomes its
//! delimiters as text.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use std::ops::Range;

/// How far past a run of asterisks a word character is looked for.
const RUN_LOOKAROUND: usize = 16;

/// Applies the rules above to a page's events; `source` is the text they
/// were parsed from (their ranges point into it).
pub(super) fn smart_emphasis(events: &mut [(Event<'_>, Range<usize>)], source: &str) {
    let mut open: Vec<usize> = Vec::new();
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (index, (event, _)) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Emphasis | Tag::Strong) => open.push(index),
            Event::End(TagEnd::Emphasis | TagEnd::Strong) => {
                if let Some(start) = open.pop() {
                    pairs.push((start, index));
                }
            }
            _ => {}
        }
    }
    for &(start, end) in &pairs {
        let range = events[start].1.clone();
        if source.as_bytes().get(range.start) != Some(&b'*') {
            continue;
        }
        // Letters and digits only (`snake_*case*` is emphasis); the whole
        // run of asterisks counts (`x***a***y` is text), looked at over a
        // few characters so nested pairs in a long run stay linear.
        let word_char = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let before = source
            .get(..range.start)
            .and_then(|s| s.chars().rev().take(RUN_LOOKAROUND).find(|&c| c != '*'));
        let after = source
            .get(range.end..)
            .and_then(|s| s.chars().take(RUN_LOOKAROUND).find(|&c| c != '*'));
        if word_char(before) || word_char(after) {
            let delimiter = match events[start].0 {
                Event::Start(Tag::Strong) => "**",
                _ => "*",
            };
            events[start].0 = Event::Text(CowStr::Borrowed(delimiter));
            events[end].0 = Event::Text(CowStr::Borrowed(delimiter));
        }
    }
    strong_outside_emphasis(events, &pairs);
}

/// `***x***`: an emphasis whose only child spans all but one delimiter on
/// each side is written `<strong><em>`, as Python-Markdown nests them.
fn strong_outside_emphasis(events: &mut [(Event<'_>, Range<usize>)], pairs: &[(usize, usize)]) {
    for &(start, end) in pairs {
        if start + 1 >= end {
            continue;
        }
        let outer = &events[start];
        let inner = &events[start + 1];
        let nested = matches!(outer.0, Event::Start(Tag::Emphasis))
            && matches!(inner.0, Event::Start(Tag::Strong))
            && matches!(events[end - 1].0, Event::End(TagEnd::Strong))
            && inner.1.start == outer.1.start + 1
            && inner.1.end + 1 == outer.1.end;
        if nested {
            events[start].0 = Event::Start(Tag::Strong);
            events[start + 1].0 = Event::Start(Tag::Emphasis);
            events[end - 1].0 = Event::End(TagEnd::Emphasis);
            events[end].0 = Event::End(TagEnd::Strong);
        }
    }
}
