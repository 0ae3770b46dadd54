//! A small hand-written lexer for the languages no grammar in the set can
//! run: PowerShell, whose Sublime grammar needs regular expressions
//! fancy-regex does not support. One linear scan tells comments, strings,
//! numbers, keywords and `$variables` apart (strings end at the line's end).

use super::fast::{is_ident, string_end, utf8_len};
use crate::html::escape_into;

pub struct Lang {
    line_comment: &'static str,
    block_comment: (&'static str, &'static str),
    /// Quote characters that open strings.
    quotes: &'static [u8],
    /// Lowercase: keywords are matched without case.
    keywords: &'static [&'static str],
}

const POWERSHELL: Lang = Lang {
    line_comment: "#",
    block_comment: ("<#", "#>"),
    quotes: b"\"'",
    keywords: &[
        "begin",
        "break",
        "catch",
        "class",
        "continue",
        "data",
        "do",
        "dynamicparam",
        "else",
        "elseif",
        "end",
        "enum",
        "exit",
        "filter",
        "finally",
        "for",
        "foreach",
        "function",
        "if",
        "in",
        "param",
        "process",
        "return",
        "switch",
        "throw",
        "trap",
        "try",
        "until",
        "using",
        "while",
    ],
};

/// The lexer for a (lowercase) language name, if it has one.
pub fn lang_for(name: &str) -> Option<&'static Lang> {
    match name {
        "powershell" | "ps1" | "psm1" | "pwsh" | "posh" => Some(&POWERSHELL),
        _ => None,
    }
}

pub fn span(out: &mut String, class: &str, text: &str) {
    out.push_str("<span class=\"");
    out.push_str(class);
    out.push_str("\">");
    escape_into(out, text);
    out.push_str("</span>");
}

/// Appends `code` to `out` as escaped HTML with token spans.
pub fn highlight(out: &mut String, code: &str, lang: &Lang) {
    let bytes = code.as_bytes();
    let mut i = 0;
    let mut plain_start = 0;
    let flush = |out: &mut String, from: usize, to: usize| {
        if from < to {
            escape_into(out, &code[from..to]);
        }
    };
    while i < bytes.len() {
        let rest = &code[i..];
        let b = bytes[i];
        let token = if rest.starts_with(lang.block_comment.0) {
            let (open, close) = lang.block_comment;
            let end = rest[open.len()..]
                .find(close)
                .map_or(bytes.len(), |e| i + open.len() + e + close.len());
            Some(("c", end))
        } else if rest.starts_with(lang.line_comment) {
            Some(("c", rest.find('\n').map_or(bytes.len(), |e| i + e)))
        } else if lang.quotes.contains(&b) {
            Some(("s", string_end(bytes, i, b'`')))
        } else if b == b'$' && bytes.get(i + 1).is_some_and(|&c| is_ident(c) || c == b'{') {
            let mut end = i + 1;
            if bytes[end] == b'{' {
                end = code[end..].find('}').map_or(bytes.len(), |e| end + e + 1);
            } else {
                while end < bytes.len() && (is_ident(bytes[end]) || bytes[end] == b':') {
                    end += 1;
                }
            }
            let name = code[i + 1..end].to_ascii_lowercase();
            let class = if matches!(name.as_str(), "true" | "false" | "null") {
                "kc"
            } else {
                "nv"
            };
            Some((class, end))
        } else if is_ident(b) && (i == 0 || !is_ident(bytes[i - 1]) && bytes[i - 1] != b'-') {
            let mut end = i;
            while end < bytes.len() && is_ident(bytes[end]) {
                end += 1;
            }
            let word = code[i..end].to_ascii_lowercase();
            if b.is_ascii_digit() && word.bytes().all(|c| c.is_ascii_digit() || c == b'_') {
                Some(("m", end))
            } else if lang.keywords.contains(&word.as_str()) {
                Some(("k", end))
            } else {
                flush(out, plain_start, end);
                plain_start = end;
                i = end;
                continue;
            }
        } else {
            None
        };
        match token {
            Some((class, end)) => {
                flush(out, plain_start, i);
                span(out, class, &code[i..end]);
                i = end;
                plain_start = i;
            }
            None => i += utf8_len(b),
        }
    }
    flush(out, plain_start, bytes.len());
}
