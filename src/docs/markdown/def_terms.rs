//! Definition terms made of an HTML comment, as Python-Markdown's
//! `def_list` reads them. There a comment block is a paragraph (its
//! placeholder), so a definition (`:   …`) after it takes it as its term:
//! mkdocs-material writes every option as `<!-- md:option name -->` then
//! `:   description`. CommonMark never makes an HTML block a term, so the
//! description would be a paragraph starting with `:` and its indented
//! blocks code. The comment line gets a zero-width space in front, which
//! makes it a paragraph (the term, shown empty, as in TechDocs). No line
//! is added or removed.

use std::borrow::Cow;

/// `text` with each comment line that is a definition's term made a
/// paragraph; borrowed when there is none.
pub(super) fn comment_terms(text: &str) -> Cow<'_, str> {
    if !text.contains("<!--") {
        return Cow::Borrowed(text);
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut terms = Vec::new();
    // An open fence and its indentation (closed only there).
    let mut fence: Option<(u8, usize, usize)> = None;
    for (i, line) in lines.iter().enumerate() {
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        if let Some((marker, len, at)) = fence {
            let run = body.bytes().take_while(|&b| b == marker).count();
            if indent == at && run >= len && body[run..].trim().is_empty() {
                fence = None;
            }
            continue;
        }
        let marker = body.bytes().next().unwrap_or(b' ');
        let run = body.bytes().take_while(|&b| b == marker).count();
        if matches!(marker, b'`' | b'~') && run >= 3 {
            fence = Some((marker, run, indent));
            continue;
        }
        let comment = body.trim_end();
        if indent <= 3
            && comment.starts_with("<!--")
            && comment.ends_with("-->")
            && comment.len() >= 7
            && !comment[4..comment.len() - 3].contains("-->")
        {
            let next = lines[i + 1..].iter().find(|l| !l.trim().is_empty());
            if next.is_some_and(|l| is_definition(l)) {
                terms.push(i);
            }
        }
    }
    if terms.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + terms.len() * 3);
    for (i, line) in lines.iter().enumerate() {
        if terms.binary_search(&i).is_ok() {
            let body = line.trim_start_matches(' ');
            out.push_str(&line[..line.len() - body.len()]);
            out.push('\u{200b}');
            out.push_str(body);
        } else {
            out.push_str(line);
        }
    }
    Cow::Owned(out)
}

/// `[ ]{0,3}:[ ]{1,3}(.*?)`, Python-Markdown's definition line: a colon
/// and a space, anything after.
fn is_definition(line: &str) -> bool {
    let body = line.trim_start_matches(' ');
    line.len() - body.len() <= 3 && body.starts_with(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comment_before_a_definition_is_its_term() {
        assert_eq!(
            comment_terms("<!-- md:option a -->\n\n:   <!-- x --> Text\n"),
            "\u{200b}<!-- md:option a -->\n\n:   <!-- x --> Text\n"
        );
        assert_eq!(
            comment_terms("<!-- a -->\n:  Text\n"),
            "\u{200b}<!-- a -->\n:  Text\n"
        );
        assert_eq!(
            comment_terms("<!-- a -->\n\n:     five spaces\n"),
            "\u{200b}<!-- a -->\n\n:     five spaces\n"
        );
    }

    #[test]
    fn other_comments_stay_as_written() {
        for text in [
            "<!-- a -->\n\nText\n",
            "```\n<!-- a -->\n```\n:   Text\n",
            "<!-- a --> b -->\n\n:   Text\n",
            "    <!-- a -->\n\n:   Text\n",
            "<!-- a -->\n\n:\n",
            "<!-- a -->\n\n:no space\n",
        ] {
            assert!(matches!(comment_terms(text), Cow::Borrowed(_)), "{text}");
        }
    }
}
