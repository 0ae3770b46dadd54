//! Inline extensions on plain text: emoji, abbreviations, `==mark==`,
//! `^^insert^^`, `^sup^`, `~sub~`, `++keys++`, smart symbols and bare URLs.

use super::keys::{KeysSettings, keys_at};
use crate::html::{escape, escape_into};

/// Applies the inline extensions to `text`; `None` when nothing changed.
/// Plain runs are copied whole; only ASCII trigger bytes are looked at.
/// `in_link`: the text is a link's, where a URL is text, not another link
/// (magiclink leaves link text alone; a link inside a link would send the
/// reader to the text's address, not the author's).
pub(super) fn inline_extensions(
    text: &str,
    abbreviations: &[(String, String)],
    keys: Option<&KeysSettings>,
    in_link: bool,
) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut plain_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let candidate = matches!(
            b,
            b':' | b'=' | b'^' | b'~' | b'(' | b'+' | b'-' | b'<' | b'1' | b'3' | b'c'
        ) || (word_start
            && ((!in_link && matches!(b, b'h' | b'w'))
                || abbreviations
                    .iter()
                    .any(|(a, _)| a.as_bytes().first() == Some(&b))));
        // Candidates are ASCII, so `i` is a character boundary.
        // A match must consume something, or the scan would never move on.
        if candidate
            && let Some((html, consumed)) =
                extension_at(&text[i..], (word_start, !in_link), abbreviations, keys)
            && consumed > 0
        {
            if out.is_empty() {
                out.reserve(text.len() + 64);
            }
            escape_into(&mut out, &text[plain_start..i]);
            out.push_str(&html);
            i += consumed;
            plain_start = i;
            continue;
        }
        i += 1;
    }
    if plain_start == 0 {
        return None;
    }
    escape_into(&mut out, &text[plain_start..]);
    Some(out)
}

/// pymdownx.smartsymbols' replacements.
const SMART_SYMBOLS: &[(&str, &str, bool)] = &[
    ("(tm)", "™", false),
    ("(TM)", "™", false),
    ("(c)", "©", false),
    ("(C)", "©", false),
    ("(r)", "®", false),
    ("(R)", "®", false),
    ("+/-", "±", false),
    ("<-->", "↔", false),
    ("-->", "→", false),
    ("<--", "←", false),
    ("=/=", "≠", false),
    ("c/o", "℅", true),
    ("1/2", "½", true),
    ("1/4", "¼", true),
    ("3/4", "¾", true),
];

/// The extension starting at `rest`, as (HTML, bytes consumed).
/// `(word_start, urls)`: `rest` starts a word; bare URLs become links.
fn extension_at(
    rest: &str,
    (word_start, urls): (bool, bool),
    abbreviations: &[(String, String)],
    keys: Option<&KeysSettings>,
) -> Option<(String, usize)> {
    let ends_word = |len: usize| {
        rest[len..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric())
    };
    // Bare URLs (pymdownx.magiclink).
    if word_start
        && urls
        && let Some(len) = bare_url_len(rest)
    {
        let url = &rest[..len];
        let href = if url.starts_with("www.") {
            format!("http://{url}")
        } else {
            url.to_string()
        };
        return Some((
            format!("<a href=\"{}\">{}</a>", escape(&href), escape(url)),
            len,
        ));
    }
    // :shortcode: emoji.
    if let Some(code) = rest
        .strip_prefix(':')
        .and_then(|r| r.split_once(':'))
        .map(|(c, _)| c)
        && let Some(emoji) = emoji_for(code)
    {
        return Some((
            format!("<span class=\"emoji\" title=\":{code}:\">{emoji}</span>"),
            code.len() + 2,
        ));
    }
    // ==mark==, ^^insert^^, ^sup^, ~sub~ (pymdownx mark, caret, tilde).
    for (marker, tag, spaces) in [
        ("==", "mark", true),
        ("^^", "ins", true),
        ("^", "sup", false),
        ("~", "sub", false),
    ] {
        if let Some(after) = rest.strip_prefix(marker)
            && let Some(end) = after.find(marker)
            && end > 0
            && !after.starts_with(' ')
            && (spaces || !after[..end].contains(' '))
        {
            return Some((
                format!("<{tag}>{}</{tag}>", escape(&after[..end])),
                marker.len() * 2 + end,
            ));
        }
    }
    // ++ctrl+alt+del++ (pymdownx.keys, when the site enables it).
    if let Some(settings) = keys
        && let Some(found) = keys_at(rest, settings)
    {
        return Some(found);
    }
    for (symbol, replacement, whole_word) in SMART_SYMBOLS {
        if rest.starts_with(symbol) && (!whole_word || (word_start && ends_word(symbol.len()))) {
            return Some((replacement.to_string(), symbol.len()));
        }
    }
    if word_start
        && let Some((abbr, title)) = abbreviations
            .iter()
            .find(|(a, _)| rest.starts_with(a.as_str()) && ends_word(a.len()))
    {
        return Some((
            format!("<abbr title=\"{}\">{}</abbr>", escape(title), escape(abbr)),
            abbr.len(),
        ));
    }
    None
}

/// The emoji for a `:shortcode:`, if it is one.
fn emoji_for(code: &str) -> Option<&'static str> {
    let plausible = !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-'));
    plausible
        .then(|| emojis::get_by_shortcode(code))
        .flatten()
        .map(|e| e.as_str())
}

/// `:smile:` → the emoji itself, for heading ids (MkDocs slugs the rendered
/// emoji, which then drops out as non-ASCII).
pub(super) fn replace_emoji(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(':') {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(':') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        match after
            .split_once(':')
            .and_then(|(code, _)| emoji_for(code).map(|e| (code, e)))
        {
            Some((code, emoji)) => {
                out.push_str(emoji);
                rest = &after[code.len() + 1..];
            }
            None => {
                out.push(':');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.into()
}

fn bare_url_len(text: &str) -> Option<usize> {
    if !(text.starts_with("https://") || text.starts_with("http://") || text.starts_with("www.")) {
        return None;
    }
    let len = text
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | ')'))
        .unwrap_or(text.len());
    let url = text[..len].trim_end_matches(['.', ',', ';', ':', '!', '?']);
    let min = if url.starts_with("www.") {
        "www.x.y".len()
    } else {
        "https://x".len()
    };
    (url.len() >= min && url[4..].contains('.')).then_some(url.len())
}
