//! The fast hand-written lexer, for the languages that fill most docs
//! (Rust, Python, shells, YAML, JSON): one linear scan, no regular
//! expressions, about a hundred times cheaper than a grammar (see
//! [`super::FAST`] for the measured figures).
//!
//! It tells comments, strings, numbers, keywords, builtins, constants,
//! variables and mapping keys apart, with each language's own rules where
//! a simple scan gets them wrong: Python's triple-quoted strings span lines,
//! a YAML quote opens a string only at the start of a scalar (`it's` is
//! plain text), a shell quote opens a string only when it is closed (as
//! Pygments' bash lexer reads it), and `#` starts a comment only at the
//! start of a word. Tokens get Pygments' short class names.

use super::lexer::span;
use crate::html::escape_into;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Rust,
    Python,
    Shell,
    Yaml,
    Json,
}

pub struct Lang {
    kind: Kind,
    line_comment: &'static str,
    block_comment: Option<(&'static str, &'static str)>,
    /// Quote characters that open strings.
    quotes: &'static [u8],
    /// Words and their Pygments class.
    words: &'static [(&'static [&'static str], &'static str)],
    /// Words whose next word is a name of this class (`def` → `nf`).
    namers: &'static [(&'static str, &'static str)],
}

pub const RUST: Lang = Lang {
    kind: Kind::Rust,
    line_comment: "//",
    block_comment: Some(("/*", "*/")),
    quotes: b"\"",
    words: &[
        (
            &[
                "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else",
                "enum", "extern", "fn", "for", "if", "impl", "in", "loop", "match", "mod", "move",
                "mut", "pub", "ref", "return", "static", "struct", "super", "trait", "type",
                "union", "unsafe", "use", "where", "while",
            ],
            "k",
        ),
        (&["let"], "kd"),
        (&["true", "false"], "kc"),
        (&["self", "Self"], "bp"),
        (
            &[
                "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16",
                "i32", "i64", "i128", "isize", "f32", "f64",
            ],
            "kt",
        ),
        (
            &[
                "Some", "None", "Ok", "Err", "Box", "Option", "Result", "String", "Vec",
            ],
            "nb",
        ),
    ],
    namers: &[
        ("fn", "nf"),
        ("struct", "nc"),
        ("enum", "nc"),
        ("trait", "nc"),
        ("union", "nc"),
        ("type", "nc"),
        ("mod", "nn"),
    ],
};

pub const PYTHON: Lang = Lang {
    kind: Kind::Python,
    line_comment: "#",
    block_comment: None,
    quotes: b"\"'",
    words: &[
        (
            &[
                "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
                "elif", "else", "except", "finally", "for", "global", "if", "lambda", "nonlocal",
                "pass", "raise", "return", "try", "while", "with", "yield",
            ],
            "k",
        ),
        (&["import", "from"], "kn"),
        (&["and", "in", "is", "not", "or"], "ow"),
        (&["None", "True", "False"], "kc"),
        (&["self", "cls"], "bp"),
        (
            &[
                "print",
                "len",
                "range",
                "open",
                "isinstance",
                "super",
                "dict",
                "list",
                "set",
                "tuple",
                "str",
                "int",
                "float",
                "bool",
                "enumerate",
                "zip",
                "sorted",
                "type",
            ],
            "nb",
        ),
    ],
    namers: &[("def", "nf"), ("class", "nc")],
};

pub const SHELL: Lang = Lang {
    kind: Kind::Shell,
    line_comment: "#",
    block_comment: None,
    quotes: b"\"'",
    words: &[
        (
            &[
                "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case",
                "esac", "in", "function", "select",
            ],
            "k",
        ),
        (
            &[
                "alias", "cd", "echo", "eval", "exec", "exit", "export", "local", "printf", "read",
                "return", "set", "shift", "source", "test", "trap", "unset",
            ],
            "nb",
        ),
    ],
    namers: &[],
};

pub const YAML: Lang = Lang {
    kind: Kind::Yaml,
    line_comment: "#",
    block_comment: None,
    quotes: b"\"'",
    words: &[(
        &[
            "true", "false", "null", "True", "False", "Null", "TRUE", "FALSE", "NULL", "yes", "no",
            "on", "off",
        ],
        "kc",
    )],
    namers: &[],
};

pub const JSON: Lang = Lang {
    kind: Kind::Json,
    // JSONC and JSON5 have comments; plain JSON never has `//` or `/*`
    // outside its strings.
    line_comment: "//",
    block_comment: Some(("/*", "*/")),
    quotes: b"\"",
    words: &[(&["true", "false", "null"], "kc")],
    namers: &[],
};

pub(super) fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Appends `code` to `out` as escaped HTML with token spans.
pub fn highlight(out: &mut String, code: &str, lang: &Lang) {
    let bytes = code.as_bytes();
    let kind = lang.kind;
    let mut i = 0;
    let mut plain_start = 0;
    // At the start of a line, past indentation (and YAML's `- `).
    let mut line_start = true;
    // The class the next word gets (after `def`, `fn`, …).
    let mut name_class: Option<&str> = None;
    // Past this index, a shell quote has no closing quote (so the search
    // is not repeated for every quote of a long unclosed run).
    let mut unclosed = [usize::MAX; 2];
    let flush = |out: &mut String, from: usize, to: usize| {
        if from < to {
            escape_into(out, &code[from..to]);
        }
    };
    while i < bytes.len() {
        let rest = &code[i..];
        let b = bytes[i];
        let prev = if i == 0 { b'\n' } else { bytes[i - 1] };
        let token: Option<(&str, usize)> =
            if rest.starts_with(lang.line_comment) && comment_may_start(kind, prev) {
                Some(("c", rest.find('\n').map_or(bytes.len(), |e| i + e)))
            } else if let Some((open, close)) = lang.block_comment
                && rest.starts_with(open)
            {
                let end = rest[open.len()..]
                    .find(close)
                    .map_or(bytes.len(), |e| i + open.len() + e + close.len());
                Some(("c", end))
            } else if lang.quotes.contains(&b) {
                match kind {
                    Kind::Python if rest.starts_with("\"\"\"") || rest.starts_with("'''") => {
                        let end = rest[3..]
                            .find(&rest[..3])
                            .map_or(bytes.len(), |e| i + 3 + e + 3);
                        Some(("s", end))
                    }
                    Kind::Shell => {
                        let slot = usize::from(b == b'\'');
                        if i >= unclosed[slot] {
                            None
                        } else if let Some(end) = shell_string_end(bytes, i) {
                            Some(("s", end))
                        } else {
                            unclosed[slot] = i;
                            None
                        }
                    }
                    Kind::Yaml if !yaml_scalar_may_start(bytes, i) => None,
                    _ => {
                        let end = string_end(bytes, i, b'\\');
                        let key = match kind {
                            Kind::Yaml => followed_by_colon(bytes, end),
                            Kind::Json => bytes[end..]
                                .iter()
                                .find(|c| !is_space(**c))
                                .is_some_and(|c| *c == b':'),
                            _ => false,
                        };
                        Some((if key { "nt" } else { "s" }, end))
                    }
                }
            } else if kind == Kind::Shell
                && b == b'$'
                && bytes
                    .get(i + 1)
                    .is_some_and(|&c| is_ident(c) || matches!(c, b'{' | b'@' | b'#' | b'?'))
            {
                let mut end = i + 2;
                match bytes[i + 1] {
                    b'{' => end = code[end..].find('}').map_or(bytes.len(), |e| end + e + 1),
                    c if is_ident(c) && !c.is_ascii_digit() => {
                        while end < bytes.len() && is_ident(bytes[end]) {
                            end += 1;
                        }
                    }
                    _ => {}
                }
                Some(("nv", end))
            } else if is_ident(b) && !is_ident(prev) && !(kind == Kind::Shell && prev == b'-') {
                let mut end = i;
                while end < bytes.len()
                    && (is_ident(bytes[end])
                        || (kind == Kind::Yaml && matches!(bytes[end], b'-' | b'.' | b'/'))
                        || (b.is_ascii_digit()
                            && bytes[end] == b'.'
                            && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)))
                {
                    end += 1;
                }
                let word = &code[i..end];
                let class = if kind == Kind::Yaml && line_start && followed_by_colon(bytes, end) {
                    "nt"
                } else if b.is_ascii_digit() {
                    let alone = kind != Kind::Yaml || yaml_scalar_alone(bytes, i, end);
                    if alone && number(word, kind) { "m" } else { "" }
                } else if let Some(class) = name_class {
                    class
                } else if kind == Kind::Yaml && !yaml_scalar_alone(bytes, i, end) {
                    ""
                } else {
                    lang.words
                        .iter()
                        .find(|(words, _)| words.contains(&word))
                        .map_or("", |(_, class)| *class)
                };
                name_class = lang
                    .namers
                    .iter()
                    .find(|(namer, _)| *namer == word)
                    .map(|(_, class)| *class);
                line_start = false;
                if class.is_empty() {
                    i = end;
                    continue;
                }
                Some((class, end))
            } else {
                None
            };
        match token {
            Some((class, end)) => {
                flush(out, plain_start, i);
                span(out, class, &code[i..end]);
                i = end;
                plain_start = end;
                line_start = false;
            }
            None => {
                if b == b'\n' {
                    line_start = true;
                } else if !(matches!(b, b' ' | b'\t') || kind == Kind::Yaml && b == b'-') {
                    line_start = false;
                }
                if !matches!(b, b' ' | b'\t') {
                    name_class = None;
                }
                i += utf8_len(b);
            }
        }
    }
    flush(out, plain_start, bytes.len());
}

/// Whether a line comment may start after `prev`: Rust's `//` anywhere,
/// `#` only at the start of a word (`a#b`, `$#` and `http://x#y` are not
/// comments).
fn comment_may_start(kind: Kind, prev: u8) -> bool {
    match kind {
        Kind::Rust | Kind::Json => true,
        Kind::Python => prev != b'$',
        Kind::Shell => is_space(prev) || matches!(prev, b';' | b'|' | b'&' | b'(' | b')'),
        Kind::Yaml => is_space(prev),
    }
}

/// Whether a YAML quote at `i` starts a scalar (the line's start, after
/// `key: `, `- `, `? ` or in a flow collection), so it opens a string;
/// elsewhere it is part of plain text (`title: It's here`).
fn yaml_scalar_may_start(bytes: &[u8], i: usize) -> bool {
    let mut j = i;
    while j > 0 && matches!(bytes[j - 1], b' ' | b'\t') {
        j -= 1;
    }
    if j == 0 || bytes[j - 1] == b'\n' {
        return true;
    }
    match bytes[j - 1] {
        b'[' | b'{' | b',' => true,
        b':' | b'-' | b'?' => j < i,
        _ => false,
    }
}

/// Whether a YAML word runs from a scalar's start to its end (`on` in
/// `enabled: on`, not in `on call`), so it may be a constant.
fn yaml_scalar_alone(bytes: &[u8], start: usize, end: usize) -> bool {
    let after = bytes[end..]
        .iter()
        .position(|&c| !matches!(c, b' ' | b'\t'))
        .map_or(b'\n', |k| bytes[end + k]);
    let ends = matches!(after, b'\n' | b'\r' | b',' | b']' | b'}' | b'#');
    ends && yaml_scalar_may_start(bytes, start)
}

/// Whether a word starting with a digit is a number in this language.
fn number(word: &str, kind: Kind) -> bool {
    let word = word.as_bytes();
    if word.len() > 2 && word[0] == b'0' && matches!(word[1], b'x' | b'o' | b'b') {
        return word[2..]
            .iter()
            .all(|c| c.is_ascii_hexdigit() || *c == b'_');
    }
    let digits = word
        .iter()
        .take_while(|c| c.is_ascii_digit() || **c == b'_' || **c == b'.')
        .count();
    let suffix = &word[digits..];
    match kind {
        // 1u8, 2.5f64, 1e9
        Kind::Rust => {
            suffix.is_empty()
                || suffix[0] == b'e'
                || matches!(suffix[0], b'u' | b'i' | b'f')
                    && suffix[1..].iter().all(u8::is_ascii_digit)
        }
        Kind::Python => suffix.is_empty() || matches!(suffix, b"j" | b"J") || suffix[0] == b'e',
        _ => suffix.is_empty(),
    }
}

/// Length of the UTF-8 sequence starting with byte `b`.
pub(super) fn utf8_len(b: u8) -> usize {
    match b {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

/// Index just past the string starting at `start` (same line; `escape`
/// escapes the next character: `\`, or PowerShell's `` ` ``).
pub(super) fn string_end(bytes: &[u8], start: usize, escape: u8) -> usize {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            c if c == escape => i += 1 + bytes.get(i + 1).map_or(0, |&c| utf8_len(c)),
            b'\n' => return i,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Index just past the shell string starting at `start`, over lines as
/// the shell reads it (`\` escapes only in double quotes), or `None` when
/// it is not closed: Pygments' bash lexer then reads the quote as text,
/// so `echo don't` does not turn the rest of the block into a string.
fn shell_string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            c if c == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn followed_by_colon(bytes: &[u8], end: usize) -> bool {
    let mut j = end;
    while j < bytes.len() && bytes[j] == b' ' {
        j += 1;
    }
    bytes.get(j) == Some(&b':') && bytes.get(j + 1).is_none_or(|c| c.is_ascii_whitespace())
}
