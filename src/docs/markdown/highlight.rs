//! Build-time syntax highlighting: a small, fast lexer per language family.
//!
//! Why not syntect: its regex-based grammars cost milliseconds per block,
//! which would dominate a 2,000-page build. Code in docs needs comments,
//! strings, numbers and keywords told apart, not a full grammar, and a
//! single linear scan does that at memory speed. Tokens get Pygments' short
//! class names (`c`, `s`, `m`, `k`, `kc`, `nt`, `nv`, `gi`, `gd`, `gu`), so
//! a theme styles them the way MkDocs themes do. Unknown languages are
//! escaped, not guessed.

use crate::html::escape_into;

struct Lang {
    line_comments: &'static [&'static str],
    block_comment: Option<(&'static str, &'static str)>,
    /// Quote characters that open strings.
    quotes: &'static [u8],
    keywords: &'static [&'static str],
    constants: &'static [&'static str],
    /// `$name` variables (shells).
    dollar_vars: bool,
}

const C_LIKE_CONSTANTS: &[&str] = &[
    "true",
    "false",
    "null",
    "nil",
    "None",
    "True",
    "False",
    "undefined",
    "self",
    "this",
];

const RUST: Lang = Lang {
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    quotes: b"\"",
    keywords: &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
        "pub", "ref", "return", "static", "struct", "super", "trait", "type", "unsafe", "use",
        "where", "while", "Self", "Some", "Ok", "Err",
    ],
    constants: C_LIKE_CONSTANTS,
    dollar_vars: false,
};
const PYTHON: Lang = Lang {
    line_comments: &["#"],
    block_comment: None,
    quotes: b"\"'",
    keywords: &[
        "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is",
        "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with",
        "yield",
    ],
    constants: C_LIKE_CONSTANTS,
    dollar_vars: false,
};
const JS: Lang = Lang {
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    quotes: b"\"'`",
    keywords: &[
        "async",
        "await",
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "default",
        "delete",
        "do",
        "else",
        "export",
        "extends",
        "finally",
        "for",
        "from",
        "function",
        "if",
        "import",
        "in",
        "instanceof",
        "interface",
        "let",
        "new",
        "of",
        "return",
        "static",
        "switch",
        "throw",
        "try",
        "type",
        "typeof",
        "var",
        "void",
        "while",
        "yield",
        "implements",
        "enum",
        "readonly",
    ],
    constants: C_LIKE_CONSTANTS,
    dollar_vars: false,
};
const GO: Lang = Lang {
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    quotes: b"\"'`",
    keywords: &[
        "break",
        "case",
        "chan",
        "const",
        "continue",
        "default",
        "defer",
        "else",
        "fallthrough",
        "for",
        "func",
        "go",
        "goto",
        "if",
        "import",
        "interface",
        "map",
        "package",
        "range",
        "return",
        "select",
        "struct",
        "switch",
        "type",
        "var",
    ],
    constants: C_LIKE_CONSTANTS,
    dollar_vars: false,
};
const JAVA_LIKE: Lang = Lang {
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    quotes: b"\"'",
    keywords: &[
        "abstract",
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "data",
        "default",
        "do",
        "else",
        "enum",
        "extends",
        "final",
        "finally",
        "for",
        "fun",
        "if",
        "implements",
        "import",
        "in",
        "interface",
        "internal",
        "is",
        "namespace",
        "new",
        "object",
        "override",
        "package",
        "private",
        "protected",
        "public",
        "return",
        "sealed",
        "static",
        "struct",
        "switch",
        "throw",
        "throws",
        "try",
        "using",
        "val",
        "var",
        "void",
        "when",
        "while",
        "auto",
        "int",
        "char",
        "long",
        "double",
        "float",
        "bool",
        "unsigned",
        "typedef",
        "include",
        "define",
    ],
    constants: C_LIKE_CONSTANTS,
    dollar_vars: false,
};
const SHELL: Lang = Lang {
    line_comments: &["#"],
    block_comment: None,
    quotes: b"\"'",
    keywords: &[
        "if", "then", "else", "elif", "fi", "for", "while", "do", "done", "case", "esac", "in",
        "function", "return", "export", "local", "set", "unset", "source", "echo", "exit", "cd",
        "sudo",
    ],
    constants: &["true", "false"],
    dollar_vars: true,
};
const YAML: Lang = Lang {
    line_comments: &["#"],
    block_comment: None,
    quotes: b"\"'",
    keywords: &[],
    constants: &[
        "true", "false", "null", "True", "False", "Null", "yes", "no", "on", "off", "~",
    ],
    dollar_vars: false,
};
const JSON: Lang = Lang {
    line_comments: &[],
    block_comment: None,
    quotes: b"\"",
    keywords: &[],
    constants: &["true", "false", "null"],
    dollar_vars: false,
};
const TOML_INI: Lang = Lang {
    line_comments: &["#", ";"],
    block_comment: None,
    quotes: b"\"'",
    keywords: &[],
    constants: &["true", "false"],
    dollar_vars: false,
};
const SQL: Lang = Lang {
    line_comments: &["--"],
    block_comment: Some(("/*", "*/")),
    quotes: b"'\"",
    keywords: &[
        "select",
        "from",
        "where",
        "insert",
        "into",
        "values",
        "update",
        "set",
        "delete",
        "create",
        "table",
        "index",
        "drop",
        "alter",
        "add",
        "join",
        "left",
        "right",
        "inner",
        "outer",
        "on",
        "group",
        "by",
        "order",
        "having",
        "limit",
        "and",
        "or",
        "not",
        "as",
        "primary",
        "key",
        "references",
        "default",
        "unique",
        "begin",
        "commit",
        "rollback",
        "with",
        "union",
        "case",
        "when",
        "then",
        "else",
        "end",
        "SELECT",
        "FROM",
        "WHERE",
        "INSERT",
        "INTO",
        "VALUES",
        "UPDATE",
        "SET",
        "DELETE",
        "CREATE",
        "TABLE",
        "INDEX",
        "DROP",
        "ALTER",
        "ADD",
        "JOIN",
        "LEFT",
        "RIGHT",
        "INNER",
        "OUTER",
        "ON",
        "GROUP",
        "BY",
        "ORDER",
        "HAVING",
        "LIMIT",
        "AND",
        "OR",
        "NOT",
        "AS",
        "PRIMARY",
        "KEY",
        "REFERENCES",
        "DEFAULT",
        "UNIQUE",
        "BEGIN",
        "COMMIT",
        "ROLLBACK",
        "WITH",
        "UNION",
        "CASE",
        "WHEN",
        "THEN",
        "ELSE",
        "END",
    ],
    constants: &["null", "NULL", "true", "false", "TRUE", "FALSE"],
    dollar_vars: false,
};
const GRAPHQL_PROTO: Lang = Lang {
    line_comments: &["#", "//"],
    block_comment: Some(("/*", "*/")),
    quotes: b"\"",
    keywords: &[
        "type",
        "query",
        "mutation",
        "subscription",
        "schema",
        "input",
        "enum",
        "interface",
        "union",
        "scalar",
        "fragment",
        "on",
        "extend",
        "directive",
        "implements",
        "syntax",
        "package",
        "import",
        "option",
        "message",
        "service",
        "rpc",
        "returns",
        "stream",
        "repeated",
        "optional",
        "oneof",
        "map",
        "reserved",
    ],
    constants: &["true", "false", "null"],
    dollar_vars: false,
};
const HCL: Lang = Lang {
    line_comments: &["#", "//"],
    block_comment: Some(("/*", "*/")),
    quotes: b"\"",
    keywords: &[
        "resource",
        "data",
        "variable",
        "output",
        "module",
        "provider",
        "locals",
        "terraform",
        "for_each",
        "count",
        "depends_on",
        "FROM",
        "RUN",
        "CMD",
        "COPY",
        "ADD",
        "ENV",
        "ARG",
        "WORKDIR",
        "EXPOSE",
        "ENTRYPOINT",
        "USER",
        "LABEL",
        "VOLUME",
    ],
    constants: &["true", "false", "null"],
    dollar_vars: true,
};

fn lang_for(name: &str) -> Option<(&'static Lang, Flavour)> {
    let lang = match name.to_ascii_lowercase().as_str() {
        "rust" | "rs" => &RUST,
        "python" | "py" | "python3" | "py3" | "pycon" => &PYTHON,
        "javascript" | "js" | "typescript" | "ts" | "jsx" | "tsx" | "mjs" | "node" => &JS,
        "go" | "golang" => &GO,
        "java" | "kotlin" | "kt" | "c" | "cpp" | "c++" | "h" | "hpp" | "csharp" | "cs"
        | "scala" | "swift" | "dart" | "groovy" | "gradle" | "php" => &JAVA_LIKE,
        "bash" | "sh" | "shell" | "zsh" | "console" | "shell-session" | "ps1" | "powershell" => {
            &SHELL
        }
        "yaml" | "yml" => return Some((&YAML, Flavour::Yaml)),
        "json" | "jsonc" | "json5" => &JSON,
        "toml" | "ini" | "cfg" | "properties" | "conf" | "env" => &TOML_INI,
        "sql" | "postgresql" | "psql" | "mysql" => &SQL,
        "graphql" | "gql" | "proto" | "protobuf" => &GRAPHQL_PROTO,
        "hcl" | "terraform" | "tf" | "dockerfile" | "docker" | "makefile" | "make" => &HCL,
        "diff" | "patch" => return Some((&JSON, Flavour::Diff)),
        _ => return None,
    };
    Some((lang, Flavour::Code))
}

#[derive(Clone, Copy, PartialEq)]
enum Flavour {
    Code,
    /// Also marks mapping keys.
    Yaml,
    /// Whole lines by their first character.
    Diff,
}

/// Appends `code` to `out` as escaped HTML with token spans.
pub fn highlight_into(out: &mut String, code: &str, lang: &str) {
    match lang_for(lang) {
        None => escape_into(out, code),
        Some((_, Flavour::Diff)) => diff(out, code),
        Some((spec, flavour)) => scan(out, code, spec, flavour == Flavour::Yaml),
    }
}

fn span(out: &mut String, class: &str, text: &str) {
    out.push_str("<span class=\"");
    out.push_str(class);
    out.push_str("\">");
    escape_into(out, text);
    out.push_str("</span>");
}

fn diff(out: &mut String, code: &str) {
    for line in code.split_inclusive('\n') {
        let class = match line.as_bytes().first() {
            Some(b'+') => "gi",
            Some(b'-') => "gd",
            Some(b'@') => "gu",
            _ => "",
        };
        if class.is_empty() {
            escape_into(out, line);
        } else {
            let (body, newline) = line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n"));
            span(out, class, body);
            out.push_str(newline);
        }
    }
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn scan(out: &mut String, code: &str, lang: &Lang, yaml: bool) {
    let bytes = code.as_bytes();
    let mut i = 0;
    let mut plain_start = 0;
    let mut line_start = true;
    let flush = |out: &mut String, from: usize, to: usize| {
        if from < to {
            escape_into(out, &code[from..to]);
        }
    };
    while i < bytes.len() {
        let rest = &code[i..];
        let b = bytes[i];
        // Comments run to the end of the line (or of the block comment).
        if let Some(marker) = lang.line_comments.iter().find(|m| rest.starts_with(**m)) {
            let at_word_start = i == 0 || !is_ident(bytes[i - 1]) || marker.starts_with('/');
            if at_word_start
                && !(marker == &"#" && lang.dollar_vars && i > 0 && bytes[i - 1] == b'$')
            {
                let end = rest.find('\n').map_or(bytes.len(), |e| i + e);
                flush(out, plain_start, i);
                span(out, "c", &code[i..end]);
                i = end;
                plain_start = i;
                continue;
            }
        }
        if let Some((open, close)) = lang.block_comment
            && rest.starts_with(open)
        {
            let end = rest[open.len()..]
                .find(close)
                .map_or(bytes.len(), |e| i + open.len() + e + close.len());
            flush(out, plain_start, i);
            span(out, "c", &code[i..end]);
            i = end;
            plain_start = i;
            continue;
        }
        if lang.quotes.contains(&b) {
            let end = string_end(bytes, i);
            flush(out, plain_start, i);
            let class = if yaml && followed_by_colon(bytes, end) {
                "nt"
            } else {
                "s"
            };
            span(out, class, &code[i..end]);
            i = end;
            plain_start = i;
            line_start = false;
            continue;
        }
        if lang.dollar_vars
            && b == b'$'
            && bytes.get(i + 1).is_some_and(|&c| is_ident(c) || c == b'{')
        {
            let mut end = i + 1;
            if bytes[end] == b'{' {
                end = code[end..].find('}').map_or(bytes.len(), |e| end + e + 1);
            } else {
                while end < bytes.len() && is_ident(bytes[end]) {
                    end += 1;
                }
            }
            flush(out, plain_start, i);
            span(out, "nv", &code[i..end]);
            i = end;
            plain_start = i;
            continue;
        }
        if is_ident(b) && (i == 0 || !is_ident(bytes[i - 1])) {
            let mut end = i;
            while end < bytes.len()
                && (is_ident(bytes[end]) || (yaml && matches!(bytes[end], b'-' | b'.')))
            {
                end += 1;
            }
            let word = &code[i..end];
            let class = if yaml && line_start && followed_by_colon(bytes, end) {
                "nt"
            } else if b.is_ascii_digit()
                && word
                    .bytes()
                    .all(|c| c.is_ascii_digit() || c == b'_' || c == b'.')
            {
                "m"
            } else if lang.keywords.contains(&word) {
                "k"
            } else if lang.constants.contains(&word) {
                "kc"
            } else {
                ""
            };
            if !class.is_empty() {
                flush(out, plain_start, i);
                span(out, class, word);
                plain_start = end;
            }
            i = end;
            line_start = false;
            continue;
        }
        if b == b'\n' {
            line_start = true;
        } else if !matches!(b, b' ' | b'\t' | b'-') {
            line_start = false;
        }
        i += utf8_len(b);
    }
    flush(out, plain_start, bytes.len());
}

/// Length of the UTF-8 sequence starting with byte `b`.
fn utf8_len(b: u8) -> usize {
    match b {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

/// Index just past the string starting at `start` (same line, `\` escapes).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1 + bytes.get(i + 1).map_or(0, |&c| utf8_len(c)),
            b'\n' if quote != b'`' => return i,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn followed_by_colon(bytes: &[u8], end: usize) -> bool {
    let mut j = end;
    while j < bytes.len() && bytes[j] == b' ' {
        j += 1;
    }
    bytes.get(j) == Some(&b':') && bytes.get(j + 1).is_none_or(|c| c.is_ascii_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hl(code: &str, lang: &str) -> String {
        let mut out = String::new();
        highlight_into(&mut out, code, lang);
        out
    }

    #[test]
    fn rust_tokens() {
        assert_eq!(
            hl("fn main() { let x = \"a<b\"; // hi\n}", "rust"),
            "<span class=\"k\">fn</span> main() { <span class=\"k\">let</span> x = <span class=\"s\">&quot;a&lt;b&quot;</span>; <span class=\"c\">// hi</span>\n}"
        );
    }

    #[test]
    fn yaml_keys_values_and_comments() {
        assert_eq!(
            hl("name: web # the app\nreplicas: 3\nenabled: true\n", "yaml"),
            "<span class=\"nt\">name</span>: web <span class=\"c\"># the app</span>\n<span class=\"nt\">replicas</span>: <span class=\"m\">3</span>\n<span class=\"nt\">enabled</span>: <span class=\"kc\">true</span>\n"
        );
    }

    #[test]
    fn shell_variables_are_not_comments() {
        assert_eq!(
            hl("echo $# ${HOME}", "bash"),
            "<span class=\"k\">echo</span> $# <span class=\"nv\">${HOME}</span>"
        );
    }

    #[test]
    fn unknown_languages_are_only_escaped() {
        assert_eq!(hl("<b>if</b>", "brainfuck"), "&lt;b&gt;if&lt;/b&gt;");
    }

    #[test]
    fn diff_lines() {
        assert_eq!(
            hl("+a\n-b\n c", "diff"),
            "<span class=\"gi\">+a</span>\n<span class=\"gd\">-b</span>\n c"
        );
    }

    #[test]
    fn unterminated_strings_and_comments_end_safely() {
        assert_eq!(hl("\"abc", "rust"), "<span class=\"s\">&quot;abc</span>");
        assert_eq!(hl("/* open", "go"), "<span class=\"c\">/* open</span>");
        assert!(hl("'\\", "python").contains("span"));
        assert_eq!(
            hl("\"\\é\" é ü", "rust"),
            "<span class=\"s\">&quot;\\é&quot;</span> é ü"
        );
    }
}
