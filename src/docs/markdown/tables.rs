//! Python-Markdown's tables split cells at `|` outside code only: a `|`
//! inside backticks (`` `a|b` ``) stays in its cell. CommonMark's tables
//! split there too unless the pipe is escaped, so rows of a table get their
//! code-span pipes escaped before pulldown-cmark reads them.

use std::borrow::Cow;

/// `|---|:--:|` or `--- | ---`: the line under a table's header.
pub fn is_delimiter_row(line: &str) -> bool {
    let t = line.trim();
    t.contains('-')
        && t.contains('|')
        && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
        && t.split('|')
            .map(str::trim)
            .filter(|cell| !cell.is_empty())
            .all(|cell| cell.trim_matches(':').chars().all(|c| c == '-') && cell.contains('-'))
}

/// The row with every `|` inside a code span written `\|`.
pub fn escape_code_pipes(line: &str) -> Cow<'_, str> {
    if !line.contains('`') || !line.contains('|') {
        return Cow::Borrowed(line);
    }
    let bytes = line.as_bytes();
    let mut out = String::with_capacity(line.len() + 8);
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let run = bytes[i..].iter().take_while(|b| **b == b'`').count();
        let body = i + run;
        // The closing run: the same number of backticks, no more, no less.
        let mut j = body;
        let close = loop {
            let Some(at) = line[j..].find('`').map(|p| j + p) else {
                break None;
            };
            let len = bytes[at..].iter().take_while(|b| **b == b'`').count();
            if len == run {
                break Some(at);
            }
            j = at + len;
        };
        let Some(close) = close else {
            i = body;
            continue;
        };
        out.push_str(&line[copied..body]);
        let code = &line[body..close];
        // Every pipe, escaped or not: Python-Markdown shows `\|` in code as
        // written, and the parser reads `\\|` back as `\|`.
        out.push_str(&code.replace('|', "\\|"));
        copied = close;
        i = close + run;
    }
    if copied == 0 {
        return Cow::Borrowed(line);
    }
    out.push_str(&line[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_rows() {
        for row in ["|---|---|", "--- | :---:", "| :-- |"] {
            assert!(is_delimiter_row(row), "{row}");
        }
        for row in ["---", "| a | b |", "|-a-|", ""] {
            assert!(!is_delimiter_row(row), "{row}");
        }
    }

    #[test]
    fn pipes_in_code_are_escaped_and_others_kept() {
        assert_eq!(escape_code_pipes("| `a|b` | c |"), "| `a\\|b` | c |");
        assert_eq!(
            escape_code_pipes("| ``x|`y`` | `\\|` |"),
            "| ``x\\|`y`` | `\\\\|` |"
        );
        assert_eq!(escape_code_pipes("| `open | b |"), "| `open | b |");
        assert_eq!(escape_code_pipes("| \\`a|b\\` |"), "| \\`a|b\\` |");
        assert!(matches!(escape_code_pipes("| a | b |"), Cow::Borrowed(_)));
    }
}
