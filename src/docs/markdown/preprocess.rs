//! Line-level MkDocs extensions that CommonMark has no syntax for.
//!
//! `!!!` admonitions, `???` details and `===` tabs wrap an indented body.
//! They become HTML wrappers with the body dedented between blank lines, so
//! pulldown-cmark still parses the body as Markdown (nested blocks work, as
//! do fenced code blocks inside). Snippets (`--8<-- "file"`) are inlined,
//! abbreviation definitions collected, and attr_list's `{: ...}` on
//! headings turned into pulldown-cmark's heading attributes. Code fences
//! are copied untouched. Every output line remembers its source line, so
//! diagnostics point into the author's file.

use crate::html::escape;
use std::borrow::Cow;

/// The preprocessed Markdown and what came out of it.
#[derive(Debug, Default)]
pub struct Preprocessed {
    pub text: String,
    /// Source line (1-based) of each output line.
    pub lines: Vec<usize>,
    /// `*[HTML]: Hyper Text Markup Language` definitions.
    pub abbreviations: Vec<(String, String)>,
    /// Snippets that could not be included: (line, message).
    pub snippet_errors: Vec<(usize, String)>,
    /// Whether each output line is HTML the preprocessor wrote.
    pub generated: Vec<bool>,
}

use crate::limits::MAX_SNIPPET_DEPTH;

/// A line and its source line number; unchanged lines borrow the source.
type Line<'a> = (Cow<'a, str>, usize);

/// Starts every line of HTML the preprocessor writes (before indentation
/// is counted), so the renderer can tell Portico's markup from the
/// author's. Removed from the source first, so it cannot be forged.
pub const GENERATED: char = '\u{E000}';

/// What the block pass carries along.
struct State<'s> {
    abbreviations: Vec<(String, String)>,
    tab_sets: usize,
    /// Renders a title's inline Markdown (admonitions, details, tabs).
    inline: &'s dyn Fn(&str) -> String,
}

impl State<'_> {
    /// A title as HTML: inline Markdown, or plain text when it holds
    /// markup (titles never carry raw HTML).
    fn title(&self, title: &str) -> String {
        if title.contains('<') {
            escape(title)
        } else {
            (self.inline)(title)
        }
    }
}

/// Runs every line-level extension. `snippet` reads an included file.
pub fn preprocess(
    source: &str,
    snippet: &dyn Fn(&str) -> Result<String, String>,
    inline: &dyn Fn(&str) -> String,
) -> Preprocessed {
    let mut result = Preprocessed::default();
    let cleaned;
    let source = if source.contains(GENERATED) {
        cleaned = source.replace(GENERATED, "\u{FFFD}");
        cleaned.as_str()
    } else {
        source
    };
    let lines: Vec<Line<'_>> = source
        .lines()
        .enumerate()
        .map(|(i, l)| (expand_tabs(l), i + 1))
        .collect();
    let lines = expand_snippets(lines, snippet, 0, &mut result.snippet_errors);
    let mut out = Vec::with_capacity(lines.len() + 16);
    let mut state = State {
        abbreviations: Vec::new(),
        tab_sets: 0,
        inline,
    };
    blocks(&lines, &mut out, &mut state);
    result.abbreviations = state.abbreviations;
    result.text.reserve(source.len() + 256);
    for (text, line) in out {
        let generated = text.trim_start().starts_with(GENERATED);
        if generated {
            result.text.push_str(&text.replacen(GENERATED, "", 1));
        } else {
            result.text.push_str(&text);
        }
        result.text.push('\n');
        result.lines.push(line);
        result.generated.push(generated);
    }
    result
}

/// Tabs to spaces with stops every 4 columns, as Python-Markdown does to
/// the whole page before parsing (code blocks included).
fn expand_tabs(line: &str) -> Cow<'_, str> {
    if !line.contains('\t') {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 8);
    let mut column = 0;
    for c in line.chars() {
        if c == '\t' {
            let spaces = 4 - column % 4;
            out.extend(std::iter::repeat_n(' ', spaces));
            column += spaces;
        } else {
            out.push(c);
            column += 1;
        }
    }
    Cow::Owned(out)
}

/// `--8<-- "file"` (single line) or a `--8<--` block listing files.
fn snippet_marker(line: &str) -> Option<(&str, Option<&str>)> {
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    let rest = trimmed.strip_prefix("--8<--")?;
    let rest = rest.trim();
    if rest.is_empty() {
        return Some((indent, None));
    }
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = rest[1..].strip_suffix(quote)?;
    Some((indent, Some(inner)))
}

fn expand_snippets<'a>(
    lines: Vec<Line<'a>>,
    snippet: &dyn Fn(&str) -> Result<String, String>,
    depth: usize,
    errors: &mut Vec<(usize, String)>,
) -> Vec<Line<'a>> {
    if !lines.iter().any(|(l, _)| l.contains("--8<--")) {
        return lines;
    }
    let mut out = Vec::with_capacity(lines.len());
    let mut block: Option<(String, usize)> = None; // indent, line of an open `--8<--` block
    for (text, line) in lines {
        if let Some((indent, start)) = &block {
            if text.trim() == "--8<--" {
                block = None;
            } else if !text.trim().is_empty() {
                let (indent, start) = (indent.clone(), *start);
                include(
                    text.trim(),
                    &indent,
                    start,
                    snippet,
                    depth,
                    errors,
                    &mut out,
                );
            }
            continue;
        }
        if text.trim_start().starts_with(";--8<--") {
            // `;--8<--` is the escaped, literal form.
            out.push((Cow::Owned(text.replacen(";--8<--", "--8<--", 1)), line));
            continue;
        }
        match snippet_marker(&text) {
            Some((indent, None)) => block = Some((indent.to_string(), line)),
            Some((indent, Some(file))) => {
                let indent = indent.to_string();
                include(file, &indent, line, snippet, depth, errors, &mut out);
            }
            None => out.push((text, line)),
        }
    }
    out
}

fn include<'a>(
    spec: &str,
    indent: &str,
    line: usize,
    snippet: &dyn Fn(&str) -> Result<String, String>,
    depth: usize,
    errors: &mut Vec<(usize, String)>,
    out: &mut Vec<Line<'a>>,
) {
    if depth >= MAX_SNIPPET_DEPTH {
        errors.push((
            line,
            format!("snippet `{spec}` nests more than {MAX_SNIPPET_DEPTH} levels"),
        ));
        return;
    }
    // `file.md:3:8` selects lines 3 to 8.
    let (file, range) = match spec.rsplitn(3, ':').collect::<Vec<_>>().as_slice() {
        [end, start, file] if start.parse::<usize>().is_ok() && end.parse::<usize>().is_ok() => (
            *file,
            Some((
                start.parse::<usize>().unwrap_or(1),
                end.parse::<usize>().unwrap_or(usize::MAX),
            )),
        ),
        _ => (spec, None),
    };
    match snippet(file) {
        Ok(text) => {
            let selected: Vec<Line<'a>> = text
                .lines()
                .enumerate()
                .filter(|(i, _)| range.is_none_or(|(s, e)| *i + 1 >= s && *i < e))
                .map(|(_, l)| (Cow::Owned(format!("{indent}{l}")), line))
                .collect();
            out.extend(expand_snippets(selected, snippet, depth + 1, errors));
        }
        Err(message) => errors.push((line, message)),
    }
}

fn indent_width(line: &str) -> usize {
    let mut width = 0;
    for c in line.chars() {
        match c {
            ' ' => width += 1,
            '\t' => width += 4 - width % 4,
            _ => break,
        }
    }
    width
}

/// Removes `n` columns of indentation (tabs count to the next multiple of 4).
fn dedent<'a>(line: &Cow<'a, str>, n: usize) -> Cow<'a, str> {
    let mut width = 0;
    for (i, c) in line.char_indices() {
        if width >= n {
            return if width == n {
                slice_from(line, i)
            } else {
                Cow::Owned(format!("{}{}", " ".repeat(width - n), &line[i..]))
            };
        }
        match c {
            ' ' => width += 1,
            '\t' => width += 4 - width % 4,
            _ => return slice_from(line, i),
        }
    }
    Cow::Borrowed("")
}

/// `line[i..]`, still borrowing the source when the line does.
fn slice_from<'a>(line: &Cow<'a, str>, i: usize) -> Cow<'a, str> {
    match line {
        Cow::Borrowed(s) => Cow::Borrowed(&s[i..]),
        Cow::Owned(s) => Cow::Owned(s[i..].to_string()),
    }
}

/// A fence opener: (character, length).
fn fence_open(line: &str) -> Option<(char, usize)> {
    let t = line.trim_start();
    let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|x| *x == c).count();
    (n >= 3 && !(c == '`' && t[n..].contains('`'))).then_some((c, n))
}

fn fence_closes(line: &str, (c, n): (char, usize)) -> bool {
    let t = line.trim();
    t.chars().take_while(|x| *x == c).count() >= n && t.chars().all(|x| x == c)
}

/// The kind of wrapper a line opens.
enum Opener {
    Admonition {
        classes: String,
        title: Option<String>,
    },
    Details {
        classes: String,
        title: Option<String>,
        open: bool,
    },
    Tab {
        title: String,
        new_set: bool,
        selected: bool,
    },
}

/// `type [more classes] ["title"]`.
fn classes_and_title(rest: &str) -> Option<(String, Option<String>)> {
    let rest = rest.trim();
    let (classes, title) = match rest.find('"') {
        Some(q) => {
            let title = rest[q + 1..].strip_suffix('"')?;
            (rest[..q].trim(), Some(title.to_string()))
        }
        None => (rest, None),
    };
    let valid = !classes.is_empty()
        && classes.split_whitespace().all(|w| {
            w.chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        });
    valid.then(|| {
        (
            classes.split_whitespace().collect::<Vec<_>>().join(" "),
            title,
        )
    })
}

fn opener(line: &str) -> Option<Opener> {
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix("!!!") {
        let (classes, title) = classes_and_title(rest)?;
        return Some(Opener::Admonition { classes, title });
    }
    if let Some(rest) = t.strip_prefix("???") {
        let (open, rest) = rest.strip_prefix('+').map_or((false, rest), |r| (true, r));
        let (classes, title) = classes_and_title(rest)?;
        return Some(Opener::Details {
            classes,
            title,
            open,
        });
    }
    if let Some(rest) = t.strip_prefix("===") {
        let flags: String = rest
            .chars()
            .take_while(|c| *c == '!' || *c == '+')
            .collect();
        let rest = rest[flags.len()..].trim();
        let title = rest.strip_prefix('"')?.strip_suffix('"')?.to_string();
        return Some(Opener::Tab {
            title,
            new_set: flags.contains('!'),
            selected: flags.contains('+'),
        });
    }
    None
}

/// The title MkDocs shows when none is given: the first class, capitalised.
fn default_title(classes: &str) -> String {
    let first = classes.split_whitespace().next().unwrap_or("note");
    let mut chars = first.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// The indented body after an opener at `start`; returns (body, next index).
fn body<'a>(lines: &[Line<'a>], start: usize, indent: usize) -> (Vec<Line<'a>>, usize) {
    let mut end = start + 1;
    let mut last_content = start;
    while end < lines.len() {
        let text = &lines[end].0;
        if text.trim().is_empty() {
            end += 1;
            continue;
        }
        if indent_width(text) < indent + 4 {
            break;
        }
        last_content = end;
        end += 1;
    }
    let body = lines[start + 1..=last_content]
        .iter()
        .map(|(t, l)| (dedent(t, indent + 4), *l))
        .collect();
    (body, last_content + 1)
}

fn blocks<'a>(lines: &[Line<'a>], out: &mut Vec<Line<'a>>, state: &mut State<'_>) {
    let mut i = 0;
    let mut fence: Option<(char, usize)> = None;
    while i < lines.len() {
        let (text, line) = &lines[i];
        if let Some(open) = fence {
            if fence_closes(text, open) {
                fence = None;
            }
            out.push((text.clone(), *line));
            i += 1;
            continue;
        }
        if let Some(open) = fence_open(text) {
            fence = Some(open);
            out.push((text.clone(), *line));
            i += 1;
            continue;
        }
        if let Some(next) = markdown_in_html(lines, i, out, state) {
            i = next;
            continue;
        }
        let indent = indent_width(text);
        let pad = " ".repeat(indent);
        match opener(text) {
            Some(Opener::Tab { .. }) => {
                i = tab_set(lines, i, indent, out, state);
                continue;
            }
            Some(Opener::Admonition { classes, title }) => {
                let (inner, next) = body(lines, i, indent);
                let title = title.unwrap_or_else(|| default_title(&classes));
                out.push((
                    format!(
                        "{pad}{GENERATED}<div class=\"admonition {}\">",
                        escape(&classes)
                    )
                    .into(),
                    *line,
                ));
                if !title.is_empty() {
                    out.push((
                        format!(
                            "{pad}{GENERATED}<p class=\"admonition-title\">{}</p>",
                            state.title(&title)
                        )
                        .into(),
                        *line,
                    ));
                }
                wrap_body(&inner, &pad, *line, "</div>", out, state);
                i = next;
                continue;
            }
            Some(Opener::Details {
                classes,
                title,
                open,
            }) => {
                let (inner, next) = body(lines, i, indent);
                let title = title.unwrap_or_else(|| default_title(&classes));
                let open = if open { " open=\"open\"" } else { "" };
                out.push((
                    format!(
                        "{pad}{GENERATED}<details class=\"{}\"{open}>",
                        escape(&classes)
                    )
                    .into(),
                    *line,
                ));
                out.push((
                    Cow::Owned(format!(
                        "{pad}{GENERATED}<summary>{}</summary>",
                        state.title(&title)
                    )),
                    *line,
                ));
                wrap_body(&inner, &pad, *line, "</details>", out, state);
                i = next;
                continue;
            }
            None => {}
        }
        out.push((simple_line(text, &mut state.abbreviations), *line));
        i += 1;
    }
}

/// `<tag markdown>` (md_in_html): the element's content is Markdown. The
/// tags stay the author's (sanitised later); the content, dedented and
/// between blank lines, is parsed like the rest of the page. Returns the
/// index after the closing tag.
fn markdown_in_html<'a>(
    lines: &[Line<'a>],
    start: usize,
    out: &mut Vec<Line<'a>>,
    state: &mut State<'_>,
) -> Option<usize> {
    let (text, line) = &lines[start];
    let t = text.trim_start();
    let rest = t.strip_prefix('<')?;
    let name_len = rest.find(|c: char| !c.is_ascii_alphanumeric() && c != '-')?;
    let name = &rest[..name_len];
    let close_at = rest.find('>')?;
    let attrs = &rest[name_len..close_at];
    if name.is_empty()
        || !attrs
            .split_whitespace()
            .any(|a| a == "markdown" || a.starts_with("markdown="))
    {
        return None;
    }
    let kept: Vec<&str> = attrs
        .split_whitespace()
        .filter(|a| *a != "markdown" && !a.starts_with("markdown="))
        .collect();
    let open = if kept.is_empty() {
        format!("<{name}>")
    } else {
        format!("<{name} {}>", kept.join(" "))
    };
    let closing = format!("</{name}>");
    let pad = " ".repeat(indent_width(text));
    // The content: after the opening tag, up to the matching closing tag.
    let mut inner: Vec<Line<'a>> = Vec::new();
    let mut depth = 1usize;
    let mut first = rest[close_at + 1..].to_string();
    let mut i = start;
    loop {
        let current = if i == start {
            std::mem::take(&mut first)
        } else {
            lines[i].0.to_string()
        };
        let opens = current.matches(&format!("<{name}")).count();
        if let Some(at) = find_close(&current, &closing, depth + opens) {
            let before = &current[..at];
            if !before.trim().is_empty() {
                inner.push((Cow::Owned(before.to_string()), lines[i].1));
            }
            break;
        }
        depth += opens;
        depth -= current.matches(&closing).count();
        if !current.trim().is_empty() || i != start {
            inner.push((Cow::Owned(current), lines[i].1));
        }
        i += 1;
        if i >= lines.len() {
            return None; // no closing tag: leave it to the HTML parser
        }
    }
    let common = inner
        .iter()
        .filter(|(l, _)| !l.trim().is_empty())
        .map(|(l, _)| indent_width(l))
        .min()
        .unwrap_or(0);
    let inner: Vec<Line<'a>> = inner.iter().map(|(l, n)| (dedent(l, common), *n)).collect();
    out.push((Cow::Owned(format!("{pad}{open}")), *line));
    out.push((Cow::Borrowed(""), *line));
    let mut nested = Vec::new();
    blocks(&inner, &mut nested, state);
    out.extend(nested.into_iter().map(|(t, l)| {
        (
            if t.is_empty() {
                t
            } else {
                Cow::Owned(format!("{pad}{t}"))
            },
            l,
        )
    }));
    out.push((Cow::Borrowed(""), lines[i].1));
    out.push((Cow::Owned(format!("{pad}{closing}")), lines[i].1));
    out.push((Cow::Borrowed(""), lines[i].1));
    Some(i + 1)
}

/// Where the closing tag that ends nesting level `depth` starts in `line`.
fn find_close(line: &str, closing: &str, depth: usize) -> Option<usize> {
    let mut seen = 0;
    for (at, _) in line.match_indices(closing) {
        seen += 1;
        if seen == depth {
            return Some(at);
        }
    }
    None
}

/// Emits a wrapper's body between blank lines, then its closing tag.
fn wrap_body<'a>(
    inner: &[Line<'a>],
    pad: &str,
    line: usize,
    close: &str,
    out: &mut Vec<Line<'a>>,
    state: &mut State<'_>,
) {
    out.push((Cow::Borrowed(""), line));
    let mut nested = Vec::new();
    blocks(inner, &mut nested, state);
    out.extend(nested.into_iter().map(|(t, l)| {
        (
            if t.is_empty() {
                t
            } else {
                Cow::Owned(format!("{pad}{t}"))
            },
            l,
        )
    }));
    out.push((Cow::Borrowed(""), line));
    out.push((Cow::Owned(format!("{pad}{GENERATED}{close}")), line));
    out.push((Cow::Borrowed(""), line));
}

/// One `===` tab set: consecutive tabs at the same indentation.
fn tab_set<'a>(
    lines: &[Line<'a>],
    start: usize,
    indent: usize,
    out: &mut Vec<Line<'a>>,
    state: &mut State<'_>,
) -> usize {
    let mut tabs: Vec<(String, bool, Vec<Line<'a>>)> = Vec::new();
    let mut i = start;
    while i < lines.len() {
        let text = &lines[i].0;
        if text.trim().is_empty() && !tabs.is_empty() {
            // Blank lines between tabs keep the set going.
            let next = lines[i..]
                .iter()
                .position(|(t, _)| !t.trim().is_empty())
                .map(|p| i + p);
            match next.map(|n| (n, opener(&lines[n].0))) {
                Some((n, Some(Opener::Tab { new_set: false, .. })))
                    if indent_width(&lines[n].0) == indent =>
                {
                    i = n
                }
                _ => break,
            }
            continue;
        }
        match opener(text) {
            Some(Opener::Tab {
                title,
                new_set,
                selected,
            }) if indent_width(text) == indent && (tabs.is_empty() || !new_set) => {
                let (inner, next) = body(lines, i, indent);
                tabs.push((title, selected, inner));
                i = next;
            }
            _ => break,
        }
    }
    state.tab_sets += 1;
    let set = state.tab_sets;
    let line = lines[start].1;
    let pad = " ".repeat(indent);
    let checked = tabs
        .iter()
        .position(|(_, selected, _)| *selected)
        .unwrap_or(0);
    let mut head = format!(
        "{pad}{GENERATED}<div class=\"tabbed-set tabbed-alternate\" data-tabs=\"{set}:{}\">",
        tabs.len()
    );
    for (k, _) in tabs.iter().enumerate() {
        let checked = if k == checked {
            "checked=\"checked\" "
        } else {
            ""
        };
        head.push_str(&format!(
            "<input {checked}id=\"__tabbed_{set}_{n}\" name=\"__tabbed_{set}\" type=\"radio\" />",
            n = k + 1
        ));
    }
    head.push_str("<div class=\"tabbed-labels\">");
    for (k, (title, _, _)) in tabs.iter().enumerate() {
        head.push_str(&format!(
            "<label for=\"__tabbed_{set}_{}\">{}</label>",
            k + 1,
            state.title(title)
        ));
    }
    head.push_str("</div>");
    out.push((head.into(), line));
    out.push((
        Cow::Owned(format!("{pad}{GENERATED}<div class=\"tabbed-content\">")),
        line,
    ));
    for (_, _, inner) in &tabs {
        out.push((
            Cow::Owned(format!("{pad}{GENERATED}<div class=\"tabbed-block\">")),
            line,
        ));
        wrap_body(inner, &pad, line, "</div>", out, state);
    }
    out.push((Cow::Owned(format!("{pad}{GENERATED}</div>")), line));
    out.push((Cow::Owned(format!("{pad}{GENERATED}</div>")), line));
    out.push((Cow::Borrowed(""), line));
    i
}

/// Abbreviation definitions, heading and block attribute lists.
fn simple_line<'a>(text: &Cow<'a, str>, abbreviations: &mut Vec<(String, String)>) -> Cow<'a, str> {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix("*[")
        && let Some((abbr, definition)) = rest.split_once("]:")
    {
        abbreviations.push((abbr.to_string(), definition.trim().to_string()));
        return Cow::Borrowed("");
    }
    if t.starts_with("{:") && t.ends_with('}') {
        // A block attribute list on its own line: nothing to attach it to here.
        return Cow::Borrowed("");
    }
    if t.starts_with('#')
        && t.ends_with('}')
        && let Some(at) = text.rfind("{:")
    {
        return Cow::Owned(format!("{}{{{}", &text[..at], &text[at + 2..]));
    }
    text.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(source: &str) -> Preprocessed {
        preprocess(
            source,
            &|f| {
                if f == "inc.md" {
                    Ok("included *text*\n".into())
                } else {
                    Err(format!("`{f}` not found"))
                }
            },
            &|t| t.to_string(),
        )
    }

    #[test]
    fn admonitions_wrap_a_dedented_body() {
        let p = run("!!! note \"Be careful\"\n    Body **text**.\n\n    More.\nAfter\n");
        assert_eq!(
            p.text,
            "<div class=\"admonition note\">\n<p class=\"admonition-title\">Be careful</p>\n\nBody **text**.\n\nMore.\n\n</div>\n\nAfter\n"
        );
        assert_eq!(p.lines[3], 2, "body keeps its source line");
        assert_eq!(p.lines.last(), Some(&5));
    }

    #[test]
    fn details_and_default_titles() {
        let p = run("???+ warning\n    Hidden.\n");
        assert!(p.text.starts_with(
            "<details class=\"warning\" open=\"open\">\n<summary>Warning</summary>\n"
        ));
        let p = run("!!! tip \"\"\n    No title.\n");
        assert!(!p.text.contains("admonition-title"));
    }

    #[test]
    fn nested_blocks_and_fences_inside() {
        let p = run(
            "!!! note\n    ??? info \"Inner\"\n        ```yaml\n        !!! not: an admonition\n        ```\n",
        );
        assert!(p.text.contains("<details class=\"info\">"), "{}", p.text);
        assert!(
            p.text.contains("```yaml\n!!! not: an admonition\n```"),
            "{}",
            p.text
        );
    }

    #[test]
    fn code_fences_are_left_alone() {
        let p = run("```\n!!! note\n    x\n```\n");
        assert_eq!(p.text, "```\n!!! note\n    x\n```\n");
    }

    #[test]
    fn tabs_make_one_set_with_css_only_switching() {
        let p = run("=== \"One\"\n    first\n\n=== \"Two\"\n    second\n\nafter\n");
        assert!(p.text.starts_with("<div class=\"tabbed-set tabbed-alternate\" data-tabs=\"1:2\"><input checked=\"checked\" id=\"__tabbed_1_1\""), "{}", p.text);
        assert!(p.text.contains("<label for=\"__tabbed_1_2\">Two</label>"));
        assert!(p.text.contains("\nfirst\n") && p.text.contains("\nsecond\n"));
        assert!(p.text.ends_with("after\n"));
    }

    #[test]
    fn snippets_abbreviations_and_heading_attributes() {
        let p = run(
            "--8<-- \"inc.md\"\n--8<-- \"missing.md\"\n*[API]: Application Programming Interface\n## Title {: #custom .wide }\n",
        );
        assert!(p.text.starts_with("included *text*\n"));
        assert_eq!(
            p.snippet_errors,
            vec![(2, "`missing.md` not found".to_string())]
        );
        assert_eq!(
            p.abbreviations,
            vec![(
                "API".to_string(),
                "Application Programming Interface".to_string()
            )]
        );
        assert!(p.text.contains("## Title { #custom .wide }"), "{}", p.text);
    }

    #[test]
    fn markdown_inside_html_elements_is_parsed() {
        let p = run(
            "<figure markdown>\n  ![Cap](a.png)\n  <figcaption>Top</figcaption>\n</figure>\nafter\n",
        );
        assert_eq!(
            p.text,
            "<figure>\n\n![Cap](a.png)\n<figcaption>Top</figcaption>\n\n</figure>\n\nafter\n"
        );
        let p = run("<div markdown=\"1\" class=\"x\">**bold**</div>\n");
        assert_eq!(p.text, "<div class=\"x\">\n\n**bold**\n\n</div>\n\n");
        assert!(
            p.generated.iter().all(|g| !g),
            "the author's tags are not Portico's"
        );
    }

    #[test]
    fn generated_lines_are_marked_and_cannot_be_forged() {
        let p =
            run("!!! note \"T\"\n    body\n\u{E000}<div class=\"admonition x\" onclick=\"y\">\n");
        assert!(p.generated[0] && p.generated[1]);
        assert!(!p.generated[p.generated.len() - 1]);
        assert!(!p.text.contains('\u{E000}'));
    }

    #[test]
    fn tabs_expand_to_four_columns() {
        assert_eq!(
            run("```\n\tif x {\na\tb\n```\n").text,
            "```\n    if x {\na   b\n```\n"
        );
    }

    #[test]
    fn admonitions_in_list_items_keep_their_indent() {
        let p = run("1. Step\n\n    !!! note\n        Inside the item.\n");
        assert!(
            p.text.contains("    <div class=\"admonition note\">\n"),
            "{}",
            p.text
        );
        assert!(p.text.contains("\n    Inside the item.\n"), "{}", p.text);
    }
}
