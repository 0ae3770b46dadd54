//! `==mark==` and `^^insert^^` spans that cross inline markup or lines
//! (`==a *b* c==`, a mark wrapped over two lines), as pymdownx.mark and
//! pymdownx.caret read them: Python-Markdown matches their patterns over a
//! paragraph's whole text, with the inline elements already made standing
//! in it as placeholders. The inline extensions read one text event at a
//! time (`inline::inline_extensions`) and see only spans inside one; this
//! pass pairs the rest before them. A span's tags are HTML events over no
//! source bytes: the renderer takes such an event as Portico's own.

use pulldown_cmark::{CowStr, Event, TagEnd};
use std::ops::Range;

/// The span markers and their tags.
const SPANS: [(&str, &str); 2] = [("==", "mark"), ("^^", "ins")];

/// Pairs markers across events within one block; `source` is the text the
/// events' ranges point into. Texts that are not as written there (an
/// entity, an escaped character) hold no marker, as in Python-Markdown.
pub(super) fn spanning<'a>(
    events: Vec<(Event<'a>, Range<usize>)>,
    source: &'a str,
) -> Vec<(Event<'a>, Range<usize>)> {
    // Most pages have no marker at all.
    if !SPANS.iter().any(|(marker, _)| source.contains(marker)) {
        return events;
    }
    let mut events = events;
    for (marker, tag) in SPANS {
        events = pair(events, source, marker, tag);
    }
    events
}

/// An opener waiting for its closer: the event holding it and its byte
/// in that text.
type Open = (usize, usize);

fn pair<'a>(
    events: Vec<(Event<'a>, Range<usize>)>,
    source: &'a str,
    marker: &str,
    tag: &str,
) -> Vec<(Event<'a>, Range<usize>)> {
    // (opener event, byte) → (closer event, byte), found first, applied after.
    let mut spans: Vec<(Open, Open)> = Vec::new();
    // The opener waiting at each inline depth: an element's text (inside
    // `*…*`) pairs its own markers, as Python-Markdown reads it.
    let mut open: Vec<Option<Open>> = vec![None];
    for (index, (event, range)) in events.iter().enumerate() {
        match event {
            Event::Start(t) if is_inline(t.to_end()) => open.push(None),
            Event::End(t) if is_inline(*t) => {
                open.pop();
                if open.is_empty() {
                    open.push(None);
                }
            }
            Event::Start(_) | Event::End(_) => {
                open.clear();
                open.push(None);
            }
            Event::Text(text) if as_written(text, range, source) => {
                let after_break = index.checked_sub(1).is_some_and(|last| {
                    matches!(events[last].0, Event::SoftBreak | Event::HardBreak)
                });
                let Some(waiting) = open.last_mut() else {
                    continue;
                };
                let mut from = 0;
                if let Some(opener) = *waiting
                    && let Some(at) = closer(text, marker, after_break)
                {
                    spans.push((opener, (index, at)));
                    *waiting = None;
                    from = at + marker.len();
                }
                // The first opener waits: a later one is text to its span.
                if waiting.is_none()
                    && let Some(at) = unpaired_opener(&text[from..], marker)
                {
                    *waiting = Some((index, from + at));
                }
            }
            _ => {}
        }
    }
    if spans.is_empty() {
        return events;
    }
    // Where each event is cut, and the tag put there.
    let mut cuts: Vec<(usize, usize, String)> = Vec::with_capacity(spans.len() * 2);
    for ((open_event, open_at), (close_event, close_at)) in spans {
        cuts.push((open_event, open_at, format!("<{tag}>")));
        cuts.push((close_event, close_at, format!("</{tag}>")));
    }
    cuts.sort_by_key(|(event, at, _)| (*event, *at));
    let mut out = Vec::with_capacity(events.len() + cuts.len() * 2);
    let mut cuts = cuts.into_iter().peekable();
    for (index, (event, range)) in events.into_iter().enumerate() {
        if cuts.peek().is_none_or(|(e, _, _)| *e != index) {
            out.push((event, range));
            continue;
        }
        // Only texts as written are cut: their bytes are the source's.
        let text = &source[range.clone()];
        let mut start = 0;
        while let Some((_, at, html)) = cuts.next_if(|(e, _, _)| *e == index) {
            if at > start {
                out.push(piece(text, start..at, range.start));
            }
            let here = range.start + at;
            out.push((Event::InlineHtml(html.into()), here..here));
            start = at + marker.len();
        }
        if start < text.len() {
            out.push(piece(text, start..text.len(), range.start));
        }
    }
    out
}

/// Part of a text event, as a text event over its own bytes.
fn piece<'a>(text: &'a str, part: Range<usize>, offset: usize) -> (Event<'a>, Range<usize>) {
    (
        Event::Text(CowStr::Borrowed(&text[part.clone()])),
        offset + part.start..offset + part.end,
    )
}

/// Whether a text event is its source bytes as written (not an entity or
/// an escaped character, which hold no marker).
fn as_written(text: &str, range: &Range<usize>, source: &str) -> bool {
    source.get(range.clone()) == Some(text) && !source.as_bytes()[..range.start].ends_with(b"\\")
}

/// The byte of the first marker in `text` that closes a span opened
/// before it: not after white space (`after_space`: the text follows a
/// line break) and not followed by a word character or another marker
/// character, as smart marks require.
fn closer(text: &str, marker: &str, after_space: bool) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find(marker) {
        let at = from + found;
        let before = text[..at].chars().next_back();
        let after = text[at + marker.len()..].chars().next();
        let spaced = before.map_or(after_space, |c| c.is_ascii_whitespace());
        let marker_before = before.is_some_and(|c| is_marker_char(c, marker));
        if !spaced && !marker_before && !after.is_some_and(|c| is_word_char(c, marker)) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// A character a smart marker may not touch on its outer side: a word's,
/// or the marker's own (`===`).
fn is_word_char(c: char, marker: &str) -> bool {
    c.is_alphanumeric() || c == '_' || is_marker_char(c, marker)
}

fn is_marker_char(c: char, marker: &str) -> bool {
    marker.starts_with(c)
}

/// The byte of an opener in `text` left without a closer in the same
/// text: the per-text pass (`inline::inline_extensions`) pairs markers
/// within one text, this pass only what runs past its end. An opener is
/// not after a word character or a marker character and not followed by
/// white space or a marker character.
fn unpaired_opener(text: &str, marker: &str) -> Option<usize> {
    let mut from = 0;
    let mut unpaired = None;
    while let Some(found) = text[from..].find(marker) {
        let at = from + found;
        let before = text[..at].chars().next_back();
        let after = text[at + marker.len()..].chars().next();
        let starts = !before.is_some_and(|c| is_word_char(c, marker))
            && after.is_none_or(|c| !c.is_whitespace() && !is_marker_char(c, marker));
        if !starts {
            from = at + 1;
            continue;
        }
        // Paired within this text: the per-text pass makes that span.
        match closer(&text[at + marker.len()..], marker, false) {
            Some(end) if end > 0 => {
                from = at + marker.len() * 2 + end;
                unpaired = None;
            }
            _ => {
                unpaired = Some(at);
                break;
            }
        }
    }
    unpaired
}

/// Whether an element (by its end, `Tag::to_end` for its start) is an
/// inline one, whose text pairs its own markers.
fn is_inline(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}
