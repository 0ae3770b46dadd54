//! Inline extensions on plain text: emoji, abbreviations, `==mark==`,
//! `^^insert^^`, `^sup^`, `~sub~`, `++keys++`, smart symbols and bare URLs.

use super::keys::{KeysSettings, keys_at};
use super::smart_symbols;
use crate::html::{escape, escape_into};

/// Where the span `after` an opening `marker` ends: the first `marker`
/// past a character at least and not after white space, as pymdownx's
/// patterns end (`(?<!\s)`: in `==a ==b==` the mark is `a ==b`).
fn span_end(after: &str, marker: &str) -> Option<usize> {
    let mut from = after.chars().next()?.len_utf8();
    loop {
        let end = from + after.get(from..)?.find(marker)?;
        if !after[..end].ends_with(char::is_whitespace) {
            return Some(end);
        }
        from = end + 1;
    }
}

/// Applies the inline extensions to `text`; `None` when nothing changed.
/// Plain runs are copied whole; only ASCII trigger bytes are looked at.
/// `in_link`: the text is a link's, where a URL is text, not another link
/// (magiclink leaves link text alone; a link inside a link would send the
/// reader to the text's address, not the author's).
pub(super) fn inline_extensions(
    text: &str,
    before: Option<u8>,
    abbreviations: &[(String, String)],
    keys: Option<&KeysSettings>,
    in_link: bool,
) -> Option<String> {
    let bytes = text.as_bytes();
    // E-mail addresses are looked for only in text that has an `@`.
    let mail = !in_link && bytes.contains(&b'@');
    // Starts before this cannot begin an address: they are in the local
    // part a failed try read to its end, and would fail the same way.
    let mut mail_from = 0;
    let mut out = String::new();
    let mut plain_start = 0;
    // A text right after a backslash starts with the character it escapes,
    // which Python-Markdown keeps out of every inline pattern (`\==x==`).
    let mut i = usize::from(before == Some(b'\\'));
    // Without addresses or abbreviations, only these bytes start anything.
    let only_triggers = !mail && abbreviations.is_empty();
    while i < bytes.len() {
        let b = bytes[i];
        if only_triggers && !TRIGGERS[usize::from(b)] {
            i += 1;
            continue;
        }
        let word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let mail_here = mail && i >= mail_from && mail_may_start(bytes, i, before);
        // What may start here: one of [`extension_at`]'s, a smart symbol.
        let extension = matches!(b, b':' | b'=' | b'^' | b'~' | b'+')
            || (word_start
                && ((!in_link && matches!(b, b'h' | b'w'))
                    || abbreviations
                        .iter()
                        .any(|(a, _)| a.as_bytes().first() == Some(&b))));
        let smart = smart_symbols::may_start(b);
        // Candidates are ASCII, so `i` is a character boundary.
        // A match must consume something, or the scan would never move on.
        if (extension || smart || mail_here)
            && let Some((html, consumed)) = extension
                .then(|| extension_at(&text[i..], (word_start, !in_link), abbreviations, keys))
                .flatten()
                .or_else(|| {
                    // Bare e-mail addresses (pymdownx.magiclink's `magic-mail`),
                    // after URLs.
                    if !mail_here {
                        return None;
                    }
                    match bare_mail_len(&text[i..]) {
                        Ok(len) => {
                            let address = escape(&text[i..i + len]);
                            Some((format!("<a href=\"mailto:{address}\">{address}</a>"), len))
                        }
                        Err(read) => {
                            mail_from = i + read;
                            None
                        }
                    }
                })
                .or_else(|| {
                    // Smart symbols look behind `i` (`-->` after no `-`).
                    smart
                        .then(|| smart_symbols::symbol_at(text, i, true))
                        .flatten()
                        .map(|(html, len)| (html.into_owned(), len))
                })
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

/// Bytes that may start an extension or a smart symbol (URLs at `h`/`w`).
const TRIGGERS: [bool; 256] = {
    let mut table = [false; 256];
    let bytes = b":=^~+(-<chw0123456789";
    let mut k = 0;
    while k < bytes.len() {
        table[bytes[k] as usize] = true;
        k += 1;
    }
    table
};

/// Whether an e-mail address may start at `bytes[i]` as magiclink's
/// pattern reads it: a local-part character not preceded by one of
/// `-/+@`, an ASCII letter or digit, or `_`.
/// `before`: the byte before the text in the page (an emphasis `_`
/// around `_a@b.com_` is one, as magiclink reads the page before emphasis).
fn mail_may_start(bytes: &[u8], i: usize, before: Option<u8>) -> bool {
    let is_local = is_mail_local;
    let prev = if i == 0 { before } else { Some(bytes[i - 1]) };
    is_local(bytes[i]) && prev.is_none_or(|p| !(is_local(p) || matches!(p, b'/' | b'@')))
}

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
            && let Some(end) = span_end(after, marker)
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

/// A character of an address's local part other than a dot.
fn is_mail_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'_')
}

/// The length of the e-mail address `text` starts with, as magiclink's
/// `RE_MAIL` matches it: a local part of letters, digits, `-+_` and single
/// dots (not ending in one), `@`, then a domain of letters, digits, `-_`
/// and single dots with at least one dot, ending in a letter at a word's
/// end that no `-` or `@` follows. `Err` gives how far the local part
/// went: no address starts before that either.
fn bare_mail_len(text: &str) -> Result<usize, usize> {
    let bytes = text.as_bytes();
    let is_local = is_mail_local;
    let is_domain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_');
    let single_dot = |i: usize| bytes[i] == b'.' && bytes.get(i + 1) != Some(&b'.');
    let mut i = 0;
    while i < bytes.len() && (is_local(bytes[i]) || (i > 0 && single_dot(i))) {
        i += 1;
    }
    let read = i.max(1);
    if i == 0 || bytes[i - 1] == b'.' || bytes.get(i) != Some(&b'@') {
        return Err(read);
    }
    let domain = i + 1;
    // The domain's first label, then its dot.
    let mut j = domain;
    while j < bytes.len() && is_domain(bytes[j]) {
        j += 1;
    }
    if j == domain || bytes.get(j) != Some(&b'.') {
        return Err(read);
    }
    // The rest of the domain: the longest run, then back to its last
    // letter that ends a word with no `-` or `@` after it.
    let mut end = j + 1;
    while end < bytes.len()
        && (is_domain(bytes[end])
            || (bytes[end] == b'.' && bytes[end - 1] != b'.' && single_dot(end)))
    {
        end += 1;
    }
    (j + 1..=end)
        .rev()
        .find(|&k| {
            k > j + 1 && bytes[k - 1].is_ascii_alphabetic() && {
                let next = text[k..].chars().next();
                next.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '@'))
            }
        })
        .ok_or(read)
}
