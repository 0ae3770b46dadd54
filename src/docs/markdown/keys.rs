//! pymdownx.keys: `++ctrl+alt+del++` → `<kbd>` elements, as the extension
//! renders them: an outer `<span class="keys">` (a `<kbd>` when `strict`),
//! one `<kbd class="key-NAME">Label</kbd>` per key with a `<span>+</span>`
//! separator between them. Keys are names from its database (or their
//! aliases) or quoted text (`++"Hello"++`, no class); a sequence with an
//! unknown key stays text, as in MkDocs.

use super::keymap::{ALIASES, KEYS};
use crate::html::escape_into;

/// The extension's options (techdocs-core does not enable it; a site lists
/// `pymdownx.keys` in `markdown_extensions` to get it).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KeysSettings {
    /// Written between keys (`+`; empty for none).
    pub separator: String,
    /// `<kbd>` instead of `<span>` around the keys.
    pub strict: bool,
    /// The outer element's classes.
    pub class: String,
    /// `PageUp` is read as `page-up`.
    pub camel_case: bool,
}

impl Default for KeysSettings {
    fn default() -> KeysSettings {
        KeysSettings {
            separator: "+".into(),
            strict: false,
            class: "keys".into(),
            camel_case: false,
        }
    }
}

/// Quoted keys longer than this are not read as keys: a line of `++"`
/// openers without a closing quote would otherwise be scanned again from
/// every opener.
const MAX_QUOTED: usize = 256;

/// The `++…++` at the start of `rest` as (HTML, bytes consumed).
pub(super) fn keys_at(rest: &str, settings: &KeysSettings) -> Option<(String, usize)> {
    let body = rest.strip_prefix("++")?;
    let mut keys: Vec<(Option<&'static str>, String)> = Vec::new();
    let mut at = 0;
    loop {
        let (key, len) = key_at(&body[at..], settings)?;
        keys.push(key);
        at += len;
        let after = &body[at..];
        if after.starts_with("++") {
            at += 2;
            break;
        }
        if after.starts_with('+') {
            at += 1;
        } else {
            return None;
        }
    }
    let element = if settings.strict { "kbd" } else { "span" };
    let mut html = format!("<{element}");
    if !settings.class.trim().is_empty() {
        html.push_str(" class=\"");
        escape_into(&mut html, settings.class.trim());
        html.push('"');
    }
    html.push('>');
    for (i, (name, label)) in keys.iter().enumerate() {
        if i > 0 && !settings.separator.is_empty() {
            html.push_str("<span>");
            escape_into(&mut html, &settings.separator);
            html.push_str("</span>");
        }
        match name {
            Some(name) => {
                html.push_str("<kbd class=\"key-");
                escape_into(&mut html, name);
                html.push_str("\">");
            }
            None => html.push_str("<kbd>"),
        }
        escape_into(&mut html, label);
        html.push_str("</kbd>");
    }
    html.push_str(&format!("</{element}>"));
    Some((html, 2 + at))
}

/// A key read: ((class name, label), bytes consumed); quoted text has no
/// class name.
type Key = ((Option<&'static str>, String), usize);

/// One key at the start of `rest`.
fn key_at(rest: &str, settings: &KeysSettings) -> Option<Key> {
    if let Some(quote) = rest.chars().next().filter(|c| matches!(c, '"' | '\'')) {
        return quoted_at(rest, quote);
    }
    let len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    if len == 0 {
        return None;
    }
    let written = &rest[..len];
    let normalized = if settings.camel_case {
        camel_to_dashes(written)
    } else {
        written.to_string()
    };
    let canonical = lookup(ALIASES, &normalized).unwrap_or(&normalized);
    let (name, label) = KEYS
        .binary_search_by(|(k, _)| (*k).cmp(canonical))
        .ok()
        .map(|i| KEYS[i])?;
    Some(((Some(name), label.to_string()), len))
}

/// `"text"` (backslash escapes allowed): the text, trimmed, as the label.
fn quoted_at(rest: &str, quote: char) -> Option<Key> {
    let mut label = String::new();
    let mut chars = rest.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        if i > MAX_QUOTED {
            return None;
        }
        if c == '\\' {
            let (_, next) = chars.next()?;
            label.push(next);
        } else if c == quote {
            // At least one character between the quotes.
            return (i > 1).then(|| ((None, label.trim().to_string()), i + 1));
        } else {
            label.push(c);
        }
    }
    None
}

fn lookup(table: &[(&'static str, &'static str)], key: &str) -> Option<&'static str> {
    table
        .binary_search_by(|(k, _)| (*k).cmp(key))
        .ok()
        .map(|i| table[i].1)
}

/// `PageUp` → `page-up`: an upper-case letter starts a new dash-separated
/// part unless it follows a dash or starts the name.
fn camel_to_dashes(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    let mut last: Option<char> = None;
    for c in key.chars() {
        if c.is_uppercase() {
            if last.is_some_and(|l| l != '-') {
                out.push('-');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
        last = Some(c);
    }
    out
}
