//! Lists as `mdx_truly_sane_lists` (which techdocs-core enables) makes
//! Python-Markdown lay them out, applied to pulldown-cmark's CommonMark
//! lists:
//!
//! - A blank line before a bulleted item ends the list: the item starts a
//!   new `<ul>`. Items are never loose because of the blank lines between
//!   them, so none gets a `<p>` for it.
//! - In a numbered list a blank line keeps the list going, and only the
//!   items next to it get a `<p>` (the one before and the one after).
//! - An item whose own blocks are separated by a blank line (`- a`, blank,
//!   an indented paragraph) has `<p>`s, in both kinds.
//! - Numbered lists start at 1 whatever their first number (`lazy_ol`).
//!
//! CommonMark instead makes a whole list loose when any blank line sits
//! between its items, and keeps the first number.

use pulldown_cmark::{Event, Tag, TagEnd};
use std::ops::Range;

type Spanned<'a> = (Event<'a>, Range<usize>);

/// Rewrites every list of a page; `source` is the text the events were
/// parsed from.
/// `line_starts`: where each of its lines starts ([`super::line_starts`]).
pub(super) fn truly_sane_lists<'a>(
    events: Vec<Spanned<'a>>,
    source: &str,
    line_starts: &[usize],
) -> Vec<Spanned<'a>> {
    if !events
        .iter()
        .any(|(e, _)| matches!(e, Event::Start(Tag::List(_))))
    {
        return events;
    }
    let lines = Lines {
        source,
        starts: line_starts,
    };
    let mut edits = Edits {
        drop: vec![false; events.len()],
        split_before: vec![false; events.len()],
    };
    // Each list's start, innermost last; one linear walk for all lists.
    let mut open: Vec<ListScan> = Vec::new();
    let mut depth = 0usize;
    for (index, (event, range)) in events.iter().enumerate() {
        match event {
            Event::Start(tag) => {
                if let Some(list) = open.last_mut() {
                    list.child_start(index, depth, range, tag);
                }
                depth += 1;
                if let Tag::List(first) = tag {
                    open.push(ListScan::new(first.is_some(), depth));
                }
            }
            Event::End(tag) => {
                depth -= 1;
                if matches!(tag, TagEnd::List(_))
                    && let Some(list) = open.pop()
                {
                    list.finish(&lines, &mut edits);
                }
                if let Some(list) = open.last_mut() {
                    list.child_end(index, depth, range, tag);
                }
            }
            _ => {
                if let Some(list) = open.last_mut() {
                    list.leaf(depth, range);
                }
            }
        }
    }
    let mut out = Vec::with_capacity(events.len() + 8);
    for (index, (event, range)) in events.into_iter().enumerate() {
        if edits.split_before[index] {
            out.push((Event::End(TagEnd::List(false)), range.clone()));
            out.push((Event::Start(Tag::List(None)), range.clone()));
        }
        if edits.drop[index] {
            continue;
        }
        let event = match event {
            Event::Start(Tag::List(Some(_))) => Event::Start(Tag::List(Some(1))),
            other => other,
        };
        out.push((event, range));
    }
    out
}

struct Edits {
    /// Paragraph starts and ends of tight items.
    drop: Vec<bool>,
    /// Items that open a new `<ul>`.
    split_before: Vec<bool>,
}

/// One item of a list being walked.
struct ItemScan {
    /// Index of its `Start(Item)` event.
    start: usize,
    /// Where its text starts in the source.
    offset: usize,
    /// Source ranges of its direct children, in order.
    children: Vec<Range<usize>>,
    /// Indexes of its direct paragraphs' start and end events.
    paragraphs: Vec<usize>,
}

struct ListScan {
    ordered: bool,
    /// Nesting depth of the list's own events' children (its items).
    depth: usize,
    items: Vec<ItemScan>,
}

impl ListScan {
    fn new(ordered: bool, depth: usize) -> ListScan {
        ListScan {
            ordered,
            depth,
            items: Vec::new(),
        }
    }

    /// A start event at `depth` (before it is entered) inside this list.
    fn child_start(&mut self, index: usize, depth: usize, range: &Range<usize>, tag: &Tag<'_>) {
        if depth == self.depth && matches!(tag, Tag::Item) {
            self.items.push(ItemScan {
                start: index,
                offset: range.start,
                children: Vec::new(),
                paragraphs: Vec::new(),
            });
        } else if depth == self.depth + 1
            && let Some(item) = self.items.last_mut()
        {
            item.children.push(range.clone());
            if matches!(tag, Tag::Paragraph) {
                item.paragraphs.push(index);
            }
        }
    }

    /// An end event, `depth` being the level it closes back to.
    fn child_end(&mut self, index: usize, depth: usize, _range: &Range<usize>, tag: &TagEnd) {
        if depth == self.depth + 1
            && matches!(tag, TagEnd::Paragraph)
            && let Some(item) = self.items.last_mut()
        {
            item.paragraphs.push(index);
        }
    }

    /// A text or other single event at `depth`.
    fn leaf(&mut self, depth: usize, range: &Range<usize>) {
        if depth == self.depth + 1
            && let Some(item) = self.items.last_mut()
        {
            item.children.push(range.clone());
        }
    }

    fn finish(self, lines: &Lines<'_>, edits: &mut Edits) {
        let blank_before: Vec<bool> = self
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| i > 0 && lines.previous_blank(item.offset))
            .collect();
        for (i, item) in self.items.iter().enumerate() {
            let inner_blank = item
                .children
                .windows(2)
                .any(|pair| lines.blank_between(pair[0].end, pair[1].start));
            let loose = inner_blank
                || (self.ordered
                    && (blank_before[i] || blank_before.get(i + 1).copied().unwrap_or(false)));
            if !loose {
                for &p in &item.paragraphs {
                    edits.drop[p] = true;
                }
            }
            if !self.ordered && blank_before[i] {
                edits.split_before[item.start] = true;
            }
        }
    }
}

/// Start offsets of the source's lines, to tell which lines lie between
/// two events.
struct Lines<'s> {
    source: &'s str,
    starts: &'s [usize],
}

impl Lines<'_> {
    /// The line holding byte `offset`.
    fn index(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    fn is_blank(&self, line: usize) -> bool {
        let start = self.starts[line];
        let end = self.starts.get(line + 1).map_or(self.source.len(), |&e| e);
        self.source
            .get(start..end)
            .is_some_and(|text| text.chars().all(|c| c.is_whitespace() || c == '>'))
    }

    /// Whether the line before the one holding `offset` is blank (a line
    /// of only `>` quote markers counts as blank).
    fn previous_blank(&self, offset: usize) -> bool {
        let line = self.index(offset);
        line > 0 && self.is_blank(line - 1)
    }

    /// Whether a blank line lies between the event ending at `end` and the
    /// one starting at `start`.
    fn blank_between(&self, end: usize, start: usize) -> bool {
        let first = self.index(end.saturating_sub(1));
        let last = self.index(start);
        // Gaps between siblings do not overlap, so each line of a page is
        // looked at about once.
        (first + 1..last).any(|line| self.is_blank(line))
    }
}
