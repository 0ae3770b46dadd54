//! Line-level MkDocs extensions that CommonMark has no syntax for.
//!
//! `!!!` admonitions, `???` details and `===` tabs wrap an indented body.
//! They become HTML wrappers with the body dedented between blank lines, so
//! pulldown-cmark still parses the body as Markdown (nested blocks work, as
//! do fenced code blocks inside). Snippets (`--8<-- "file"`) are inlined,
//! abbreviation definitions collected, and attr_list's `{: ...}` on
//! headings turned into pulldown-cmark's heading attributes. Code fences
//! are copied untouched. Every output line remembers its source line, so
//! diagnostics point into the author's file, and whether Portico wrote it:
//! that flag travels beside the text, so no byte an author writes (in a
//! page or a snippet) can claim to be Portico's markup.

use super::critic;
use super::list_indent;
use super::raw_html;
use super::snippet_syntax::{
    Marker, SectionMarker, Selection, marker, may_include_snippets, parse_spec, section_marker,
    select,
};
use super::tables::{escape_code_pipes, is_delimiter_row};
use crate::diagnostics::Diagnostic;
use crate::docs::mkdocs::SnippetSettings;
use crate::html::{UrlUse, escape};
use crate::limits::{MAX_BLOCK_NESTING, MAX_PAGE_SNIPPET_BYTES, MAX_SNIPPET_DEPTH};
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

/// Reads an included file by its name as written after `--8<--`.
pub type SnippetReader<'a> = &'a dyn Fn(&str) -> Result<Arc<str>, String>;

/// Renders a block title's inline Markdown: its HTML, and the URLs of the
/// links and images it had to leave out.
pub type InlineRenderer<'a> = &'a dyn Fn(&str) -> (String, Vec<(String, UrlUse)>);

/// The preprocessed Markdown and what came out of it.
#[derive(Debug, Default)]
pub struct Preprocessed {
    pub text: String,
    /// Source line (1-based) of each output line.
    pub lines: Vec<usize>,
    /// `*[HTML]: Hyper Text Markup Language` definitions.
    pub abbreviations: Vec<(String, String)>,
    /// Problems found on the way (snippets not included, nesting too
    /// deep), each with its source line; the caller adds the file.
    pub problems: Vec<(usize, Diagnostic)>,
    /// Whether each output line is HTML the preprocessor wrote.
    pub generated: Vec<bool>,
}

/// One line on its way through the passes.
#[derive(Clone, Debug)]
struct Line<'a> {
    text: Cow<'a, str>,
    /// Source line (1-based); lines of a snippet carry its `--8<--` line.
    number: usize,
    /// HTML the preprocessor wrote, as opposed to the author's text.
    generated: bool,
}

impl AsRef<str> for Line<'_> {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl<'a> Line<'a> {
    fn author(text: Cow<'a, str>, number: usize) -> Line<'a> {
        Line {
            text,
            number,
            generated: false,
        }
    }

    fn html(text: String, number: usize) -> Line<'a> {
        Line {
            text: Cow::Owned(text),
            number,
            generated: true,
        }
    }

    fn blank(number: usize) -> Line<'a> {
        Line::author(Cow::Borrowed(""), number)
    }

    /// The line moved right by `pad` (blank lines stay empty).
    fn padded(self, pad: &str) -> Line<'a> {
        if self.text.is_empty() || pad.is_empty() {
            return self;
        }
        Line {
            text: Cow::Owned(format!("{pad}{}", self.text)),
            ..self
        }
    }
}

/// Problems of one page, each reported once per line.
#[derive(Default)]
struct Problems {
    list: Vec<(usize, Diagnostic)>,
    seen: HashSet<(usize, &'static str, String)>,
}

impl Problems {
    fn add(&mut self, line: usize, diagnostic: Diagnostic) {
        if self
            .seen
            .insert((line, diagnostic.code, diagnostic.message.clone()))
        {
            self.list.push((line, diagnostic));
        }
    }
}

/// What the block pass carries along.
struct State<'s> {
    abbreviations: Vec<(String, String)>,
    tab_sets: usize,
    /// Renders a title's inline Markdown (admonitions, details, tabs).
    inline: InlineRenderer<'s>,
    /// Blocks open around the lines being read.
    depth: usize,
    /// The nesting bound was passed (reported once per page).
    too_deep: bool,
    problems: Problems,
}

impl State<'_> {
    /// A title as HTML: inline Markdown, or plain text when it holds
    /// markup (titles never carry raw HTML). Links it may not hold are
    /// reported at `line`.
    fn title(&mut self, title: &str, line: usize) -> String {
        if title.contains('<') {
            return escape(title);
        }
        let (html, refused) = (self.inline)(title);
        for (url, usage) in refused {
            self.problems.add(line, super::unsafe_link(&url, usage));
        }
        html
    }

    /// Whether another block may open inside the current one; past the
    /// bound the opener stays text, reported once per page.
    fn may_nest(&mut self, line: usize) -> bool {
        if self.depth < MAX_BLOCK_NESTING {
            return true;
        }
        if std::mem::replace(&mut self.too_deep, true) {
            return false;
        }
        self.problems.add(
            line,
            Diagnostic::error(
                "nesting-too-deep",
                format!(
                    "blocks (admonitions, details, tabs, `markdown` HTML) nest more than \
                     {MAX_BLOCK_NESTING} levels deep at line {line}; deeper ones are shown as written"
                ),
            )
            .with_hint("flatten the page: no reader follows that many levels"),
        );
        false
    }
}

/// Runs every line-level extension. `snippet` reads an included file;
/// without one, `--8<--` lines are dropped (the page's share of the
/// repository's snippet budget is spent, which the caller reports).
pub fn preprocess(
    source: &str,
    snippet: Option<SnippetReader<'_>>,
    settings: &SnippetSettings,
    inline: InlineRenderer<'_>,
) -> Preprocessed {
    let source = normalize_line_ends(source);
    // `source` has no `\r` left: its lines are what `str::lines` gives.
    let lines: Vec<Line<'_>> = super::lines_inclusive(&source)
        .map(|line| line.strip_suffix('\n').unwrap_or(line))
        .enumerate()
        .map(|(i, l)| {
            // Python-Markdown's NormalizeWhitespace empties lines of only
            // spaces (fenced code included), after expanding tabs.
            let text = expand_tabs(l);
            let text = if i > 0 && !text.is_empty() && text.bytes().all(|b| b == b' ') {
                Cow::Borrowed("")
            } else {
                text
            };
            Line::author(text, i + 1)
        })
        .collect();
    let mut expansion = Expansion {
        read: snippet,
        settings,
        including: Vec::new(),
        bytes: 0,
        over_budget: snippet.is_none(),
        problems: Problems::default(),
    };
    let lines = expansion.expand(lines, false);
    let mut out = Vec::with_capacity(lines.len() + 16);
    let mut state = State {
        abbreviations: Vec::new(),
        tab_sets: 0,
        inline,
        depth: 0,
        too_deep: false,
        problems: expansion.problems,
    };
    blocks(&lines, &mut out, &mut state);
    let mut result = Preprocessed {
        abbreviations: state.abbreviations,
        problems: state.problems.list,
        ..Preprocessed::default()
    };
    result.text.reserve(source.len() + 256);
    for line in out {
        result.text.push_str(&line.text);
        result.text.push('\n');
        result.lines.push(line.number);
        result.generated.push(line.generated);
    }
    result
}

/// `\r\n` and lone `\r` become `\n`, as Python-Markdown normalises them
/// (a page saved with old Mac line ends is otherwise one long line).
fn normalize_line_ends(text: &str) -> Cow<'_, str> {
    if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Tabs to spaces with stops every 4 columns, as Python-Markdown does to
/// the whole page before parsing (code blocks included).
fn expand_tabs(line: &str) -> Cow<'_, str> {
    if memchr::memchr(b'\t', line.as_bytes()).is_none() {
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

/// What a page (or snippet) includes, as [`preprocess`] reads it: both
/// marker forms, each spec as written (`file.md` or `file.md:3:8`). Lets
/// the caller read every snippet before pages render in parallel.
pub fn snippet_references(text: &str) -> Vec<&str> {
    if !may_include_snippets(text) {
        return Vec::new();
    }
    let mut specs = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        match marker(line) {
            Some(Marker::Block) => in_block = !in_block,
            Some(Marker::Inline { spec, .. }) if !in_block => specs.push(spec),
            _ if in_block => {
                let spec = line.trim();
                if !spec.is_empty() && !spec.starts_with(';') {
                    specs.push(spec);
                }
            }
            _ => {}
        }
    }
    specs
}

/// Inlining snippets, within the page's budget.
struct Expansion<'s> {
    read: Option<SnippetReader<'s>>,
    settings: &'s SnippetSettings,
    /// Files being included, outermost first: one named again is a cycle.
    including: Vec<String>,
    /// Bytes included into the page so far.
    bytes: usize,
    over_budget: bool,
    problems: Problems,
}

impl Expansion<'_> {
    /// Inlines the snippets `lines` name. Section markers (`--8<--
    /// [start:x]`) are dropped, as the extension drops them from pages and
    /// whole files, unless the lines are a section (already without them).
    fn expand<'a>(&mut self, lines: Vec<Line<'a>>, is_section: bool) -> Vec<Line<'a>> {
        if !lines.iter().any(|l| may_include_snippets(&l.text)) {
            return lines;
        }
        let mut out = Vec::with_capacity(lines.len());
        let mut in_block = false;
        for line in lines {
            match marker(&line.text) {
                Some(Marker::Escaped(text)) => {
                    out.push(Line::author(Cow::Owned(text), line.number));
                }
                Some(Marker::Block) => in_block = !in_block,
                // An inline marker inside a block is ignored.
                Some(Marker::Inline { .. }) if in_block => {}
                Some(Marker::Inline { indent, spec }) => {
                    let (indent, spec) = (indent.to_string(), spec.to_string());
                    self.include(&spec, &indent, line.number, &mut out);
                }
                None if in_block => {
                    // One spec a line, each indented as its own line is;
                    // an empty line adds an empty line, `;` comments out.
                    let spec = line.text.trim();
                    if spec.is_empty() {
                        out.push(Line::blank(line.number));
                    } else if !spec.starts_with(';') {
                        let indent = line.text[..indent_width(&line.text)].to_string();
                        let spec = spec.to_string();
                        self.include(&spec, &indent, line.number, &mut out);
                    }
                }
                None => match section_marker(&line.text).filter(|_| !is_section) {
                    Some(SectionMarker {
                        escaped: Some(text),
                        ..
                    }) => out.push(Line::author(Cow::Owned(text), line.number)),
                    Some(_) => {}
                    None => out.push(line),
                },
            }
        }
        out
    }

    /// A missing file or section: an error when `check_paths` makes it one
    /// for MkDocs (the build fails), else a warning (MkDocs shows nothing).
    fn missing(&mut self, line: usize, message: String) {
        let diagnostic = if self.settings.check_paths {
            Diagnostic::error("snippet-missing", message)
                .with_hint("`check_paths` is on: MkDocs fails the build on a missing snippet")
        } else {
            Diagnostic::warning("snippet-missing", message)
        };
        self.problems.add(line, diagnostic);
    }

    fn include<'a>(&mut self, spec: &str, indent: &str, line: usize, out: &mut Vec<Line<'a>>) {
        let Some(read) = self.read.filter(|_| !self.over_budget) else {
            return;
        };
        if self.including.len() >= MAX_SNIPPET_DEPTH {
            self.problems.add(
                line,
                Diagnostic::warning(
                    "snippet-missing",
                    format!("snippet `{spec}` nests more than {MAX_SNIPPET_DEPTH} levels"),
                ),
            );
            return;
        }
        let parsed = parse_spec(spec);
        if parsed.file.is_empty() {
            self.missing(line, format!("snippet `{spec}` names no file"));
            return;
        }
        if parsed.is_url() {
            self.url(spec, line);
            return;
        }
        let file = parsed.file;
        // Spellings of one file (`./a.md`, `a.md`) are one file.
        let key = crate::read::safe_path::normalize(file).unwrap_or_else(|_| file.to_string());
        if self.including.contains(&key) {
            self.problems.add(
                line,
                Diagnostic::error(
                    "snippet-cycle",
                    format!(
                        "snippet `{file}` includes itself (through {}); it was not included again",
                        self.including.join(" → ")
                    ),
                )
                .with_hint("remove the `--8<--` line that leads back to the file"),
            );
            return;
        }
        let text = match read(file) {
            Ok(text) => text,
            Err(message) => return self.missing(line, message),
        };
        let text = normalize_line_ends(&text);
        let chosen = match select(&text, &parsed.selection, self.settings.dedent_subsections) {
            Ok(chosen) => chosen,
            Err(why) => return self.missing(line, format!("snippet `{file}` {why}")),
        };
        let selected: Vec<Line<'a>> = chosen
            .into_iter()
            .map(|l| {
                let indented = format!("{indent}{l}");
                let text = match expand_tabs(&indented) {
                    Cow::Owned(expanded) => expanded,
                    Cow::Borrowed(_) => indented,
                };
                Line::author(Cow::Owned(text), line)
            })
            .collect();
        let size: usize = selected.iter().map(|l| l.text.len() + 1).sum();
        if self.bytes + size > MAX_PAGE_SNIPPET_BYTES {
            self.over_budget = true;
            self.problems.add(
                line,
                Diagnostic::error(
                    "snippet-budget",
                    format!(
                        "snippets included into this page pass {} MB; `{file}` and every later snippet were not included",
                        MAX_PAGE_SNIPPET_BYTES / (1024 * 1024)
                    ),
                )
                .with_hint("include less (a line range, `file.md:3:8`) or split the page"),
            );
            return;
        }
        self.bytes += size;
        self.including.push(key);
        let is_section = matches!(parsed.selection, Selection::Section(_));
        let expanded = self.expand(selected, is_section);
        self.including.pop();
        out.extend(expanded);
    }

    /// A snippet to download: Portico never fetches, so it is left out. With
    /// `url_download` off MkDocs leaves it out too.
    fn url(&mut self, spec: &str, line: usize) {
        let message = format!(
            "snippet `{spec}` is a URL; Portico never downloads snippets, so it was left out"
        );
        let hint = "copy the file into the repository and include it by its path";
        let diagnostic = if self.settings.url_download {
            Diagnostic::warning("snippet-url", message)
        } else {
            Diagnostic::info("snippet-url", message)
        };
        self.problems.add(line, diagnostic.with_hint(hint));
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

/// `line[..i]`, still borrowing the source when the line does.
fn slice_to<'a>(line: &Cow<'a, str>, i: usize) -> Cow<'a, str> {
    match line {
        Cow::Borrowed(s) => Cow::Borrowed(&s[..i]),
        Cow::Owned(s) => Cow::Owned(s[..i].to_string()),
    }
}

/// `line[i..]`, still borrowing the source when the line does.
fn slice_from<'a>(line: &Cow<'a, str>, i: usize) -> Cow<'a, str> {
    match line {
        Cow::Borrowed(s) => Cow::Borrowed(&s[i..]),
        Cow::Owned(s) => Cow::Owned(s[i..].to_string()),
    }
}

/// The number of `#`s opening `text` when it is a heading to
/// Python-Markdown but not to CommonMark: one to six at the line's start,
/// then text with no space between (`##Install`).
fn unspaced_heading(text: &str) -> Option<usize> {
    let hashes = text.bytes().take_while(|&b| b == b'#').count();
    let next = text.as_bytes().get(hashes).copied()?;
    ((1..=6).contains(&hashes) && !matches!(next, b' ' | b'\t' | b'#' | b'\n' | b'\r'))
        .then_some(hashes)
}

/// A fence opener: (character, length).
pub(super) fn fence_open(line: &str) -> Option<(char, usize)> {
    let t = line.trim_start();
    let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|x| *x == c).count();
    (n >= 3 && !(c == '`' && t[n..].contains('`'))).then_some((c, n))
}

/// Whether the fence opened at `lines[start]` (indented `indent`) closes
/// at that indentation before a less indented line with text; `true` once
/// `budget` lines have been read.
fn fence_is_closed(
    lines: &[Line<'_>],
    start: usize,
    open: (char, usize),
    indent: usize,
    budget: &mut usize,
) -> bool {
    for line in &lines[start + 1..] {
        if *budget == 0 {
            return true;
        }
        *budget -= 1;
        if line.text.trim().is_empty() {
            continue;
        }
        let at = indent_width(&line.text);
        if at < indent {
            return false;
        }
        if at == indent && fence_closes(&line.text, open) {
            return true;
        }
    }
    false
}

/// Whether `line` closes a fence opened with `c` × `n`.
pub(super) fn fence_closes(line: &str, (c, n): (char, usize)) -> bool {
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

/// `type [more classes] ["title"]`; with `untyped`, also a title alone
/// (`??? "Title"`: pymdownx.details makes the type optional).
fn classes_and_title(rest: &str, untyped: bool) -> Option<(String, Option<String>)> {
    let rest = rest.trim();
    let (classes, title) = match rest.find('"') {
        Some(q) => {
            let title = rest[q + 1..].strip_suffix('"')?;
            (rest[..q].trim(), Some(title.to_string()))
        }
        None => (rest, None),
    };
    let untyped = untyped && classes.is_empty() && title.is_some() && rest.starts_with('"');
    let valid = (untyped || !classes.is_empty())
        && classes.split_whitespace().all(|w| {
            w.chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        });
    // Python-Markdown lowercases the type and classes (`!!! Note` is `note`).
    valid.then(|| {
        (
            classes
                .split_whitespace()
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
                .join(" "),
            title,
        )
    })
}

fn opener(line: &str) -> Option<Opener> {
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix("!!!") {
        let (classes, title) = classes_and_title(rest, false)?;
        return Some(Opener::Admonition { classes, title });
    }
    if let Some(rest) = t.strip_prefix("???") {
        let (open, rest) = rest.strip_prefix('+').map_or((false, rest), |r| (true, r));
        // The title alone needs a space before it (`???"T"` is text).
        let untyped = rest.starts_with(' ');
        let (classes, title) = classes_and_title(rest, untyped)?;
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

/// The title MkDocs shows when none is given: the first class as Python's
/// `str.capitalize` writes it (`tldr` → `Tldr`).
fn default_title(classes: &str) -> String {
    let first = classes.split_whitespace().next().unwrap_or("note");
    let mut chars = first.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect()
    })
}

/// The indented body after an opener at `start`; returns (body, next index).
fn body<'a>(lines: &[Line<'a>], start: usize, indent: usize) -> (Vec<Line<'a>>, usize) {
    let mut end = start + 1;
    let mut last_content = start;
    while end < lines.len() {
        let text = &lines[end].text;
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
        .map(|l| Line {
            text: dedent(&l.text, indent + 4),
            ..l.clone()
        })
        .collect();
    (body, last_content + 1)
}

fn blocks<'a>(lines: &[Line<'a>], out: &mut Vec<Line<'a>>, state: &mut State<'_>) {
    let mut i = 0;
    // An open fence and its indentation: pymdownx.superfences closes it
    // only at that same indentation.
    let mut fence: Option<((char, usize), usize)> = None;
    // Inside list items and definitions, openers count only at the column
    // mdx_truly_sane_lists nests blocks at.
    let columns = list_indent::block_columns(lines.iter().map(|l| &*l.text));
    // Lines inside an HTML comment or code span begun above them, read
    // when the first lone tag line is met.
    let in_comment_or_code = std::cell::OnceCell::new();
    // Lines the fence look-ahead may still read: linear in the page, so
    // many unclosed fences cannot make it quadratic (past it, a fence is
    // taken as closed).
    let mut scan_budget = 4 * lines.len() + 64;
    while i < lines.len() {
        let current = &lines[i];
        let (text, line) = (&current.text, current.number);
        if let Some((open, indent)) = fence {
            if indent_width(text) == indent && fence_closes(text, open) {
                fence = None;
            }
            out.push(current.clone());
            i += 1;
            continue;
        }
        if let Some(open) = fence_open(text) {
            let at = indent_width(text);
            if !fence_is_closed(lines, i, open, at, &mut scan_budget) {
                // pymdownx.superfences drops a fence a less indented line
                // (or the page's end) cuts off: its line is text.
                let escaped: String = text
                    .chars()
                    .flat_map(|c| {
                        let escape = c == open.0;
                        escape.then_some('\\').into_iter().chain(std::iter::once(c))
                    })
                    .collect();
                out.push(Line::author(Cow::Owned(escaped), line));
                i += 1;
                continue;
            }
            fence = Some((open, at));
            out.push(current.clone());
            i += 1;
            continue;
        }
        if let Some(next) = quoted_blocks(lines, i, out, state) {
            i = next;
            continue;
        }
        if let Some(hashes) = unspaced_heading(text) {
            // `##Installation` is a heading to Python-Markdown (no space
            // needed after the `#`s), not to CommonMark: the space is put in.
            let spaced = format!("{} {}", &text[..hashes], &text[hashes..]);
            out.push(Line::author(Cow::Owned(spaced), line));
            i += 1;
            continue;
        }
        if text.contains('|') && lines.get(i + 1).is_some_and(|l| is_delimiter_row(&l.text)) {
            // A table, to its first blank line.
            while i < lines.len() && !lines[i].text.trim().is_empty() {
                let row = &lines[i];
                out.push(Line::author(
                    escape_code_pipes(&row.text).into_owned().into(),
                    row.number,
                ));
                i += 1;
            }
            continue;
        }
        if let Some(next) = markdown_in_html(lines, i, out, state) {
            i = next;
            continue;
        }
        // Python-Markdown reads a block tag up to 3 spaces in as raw HTML,
        // but inside a list item that would end the list: only at the margin there.
        let in_list = columns.get(i).copied().flatten().is_some();
        if state.depth == 0
            && (!in_list || indent_width(text) == 0)
            && let Some(found) = raw_html::raw_block(lines, i, &mut scan_budget)
        {
            i = raw_html_block(lines, i, found, out, state);
            continue;
        }
        if let Some(next) = definition_block(lines, i, out, state) {
            i = next;
            continue;
        }
        let indent = indent_width(text);
        let pad = " ".repeat(indent);
        let opened = opener(text).filter(|_| match columns.get(i).copied().flatten() {
            Some(column) if column != indent => {
                let block = list_indent::LiteralBlock {
                    line,
                    kind: list_indent::Literal::Block,
                    excess: indent.saturating_sub(column),
                };
                state
                    .problems
                    .add(line, list_indent::literal_block_problem(&block));
                false
            }
            _ => state.may_nest(line),
        });
        if let Some(Opener::Tab { .. }) = opened {
            i = tab_set(lines, i, indent, out, state);
            continue;
        }
        if let Some(tags) = opened.and_then(|o| block_tags(o, &pad, &pad, line, state)) {
            let (inner, next) = body(lines, i, indent);
            write_block(tags, &inner, &pad, line, out, state);
            i = next;
            continue;
        }
        if is_reference_definition(text) && out.last().is_some_and(|l| is_paragraph_text(&l.text)) {
            // Python-Markdown takes a link definition out of the middle of
            // a paragraph, splitting it in two; CommonMark would read the
            // line as more of the paragraph's text.
            out.push(Line::blank(line));
        }
        if raw_html::is_lone_inline_tag(text)
            && !in_comment_or_code.get_or_init(|| raw_html::opened_before(lines))[i]
        {
            // Kept from opening a CommonMark HTML block (kind 7) that would
            // take the lines under it as HTML: a paragraph starts with the
            // tag, as in Python-Markdown. The comment is sanitised away.
            let kept = Cow::Owned(format!("{text}<!-- -->"));
            out.push(plain_line(&kept, line, state));
            i += 1;
            continue;
        }
        out.push(plain_line(text, line, state));
        i += 1;
    }
}

/// A one-line link reference definition as Python-Markdown's
/// `ReferenceProcessor` matches it: up to 3 spaces, `[label]:` (no
/// brackets inside), a URL without spaces, then optionally a title in
/// quotes or parentheses, and nothing else.
fn is_reference_definition(text: &str) -> bool {
    let indent = text.bytes().take_while(|&b| b == b' ').count();
    let Some(rest) = text[indent..].strip_prefix('[').filter(|_| indent <= 3) else {
        return false;
    };
    let Some((label, rest)) = rest.split_once("]:") else {
        return false;
    };
    // `[^1]: …` is a footnote, which the footnotes extension reads.
    if label.contains('[') || label.contains(']') || label.starts_with('^') {
        return false;
    }
    let rest = rest.trim_start_matches(' ');
    let url_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
    if url_len == 0 {
        return false;
    }
    let title = rest[url_len..].trim_matches(' ');
    title.is_empty()
        || matches!(
            (title.chars().next(), title.chars().last()),
            (Some('"'), Some('"')) | (Some('\''), Some('\'')) | (Some('('), Some(')'))
        ) && title.len() >= 2
}

/// Whether a definition line after this output line would continue it in
/// CommonMark (as a paragraph's text, lazily in a list item or quote too),
/// where Python-Markdown takes the definition out of the block.
fn is_paragraph_text(text: &str) -> bool {
    !text.trim().is_empty() && !is_reference_definition(text)
}

/// A line no block pass took: abbreviations, heading attributes, CriticMarkup.
fn plain_line<'a>(text: &Cow<'a, str>, line: usize, state: &mut State<'_>) -> Line<'a> {
    let text = simple_line(text, &mut state.abbreviations);
    let text = match critic::apply(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(marked) => Cow::Owned(marked),
    };
    Line::author(text, line)
}

/// Writes the raw HTML block [`raw_html::raw_block`] found at
/// `lines[start]` so that CommonMark ends it where Python-Markdown does:
/// its lines as written (no Markdown inside, as Python-Markdown stashes
/// them), a blank line inside one made a comment (CommonMark would end
/// the block there), a code fence inside left to be code, and a blank
/// line after its end tag (CommonMark would
/// go on reading the next line as HTML). Markdown after the end tag on the
/// same line goes on a line of its own. Returns the index after the block.
fn raw_html_block<'a>(
    lines: &[Line<'a>],
    start: usize,
    found: raw_html::RawBlock,
    out: &mut Vec<Line<'a>>,
    state: &mut State<'_>,
) -> usize {
    let mut fences = found.fences.iter().peekable();
    let mut k = start;
    while k < found.end {
        let current = &lines[k];
        if let Some(&(open, close)) = fences.next_if(|(open, _)| *open == k) {
            // A fence is code between HTML blocks, as Python-Markdown, which
            // takes fences out first, shows it.
            out.push(Line::blank(current.number));
            out.extend(lines[open..=close].iter().cloned());
            out.push(Line::blank(lines[close].number));
            k = close + 1;
            continue;
        }
        if found.blank_ended && current.text.trim().is_empty() {
            out.push(Line::html("<!-- -->".to_string(), current.number));
        } else {
            out.push(current.clone());
        }
        k += 1;
    }
    let closing = &lines[found.end];
    let next = found.end + 1;
    match found.tail {
        Some(at) => {
            let head = slice_to(&closing.text, at);
            out.push(Line::author(head, closing.number));
            out.push(Line::blank(closing.number));
            let spaces = closing.text[at..].len() - closing.text[at..].trim_start().len();
            let tail = slice_from(&closing.text, at + spaces);
            out.push(plain_line(&tail, closing.number, state));
        }
        None => {
            out.push(closing.clone());
            if lines.get(next).is_some_and(|l| !l.text.trim().is_empty()) {
                out.push(Line::blank(closing.number));
            }
        }
    }
    next
}

/// A block quote as Python-Markdown reads it: quotes separated only by
/// blank lines are one, and one holding an admonition, details or tabs
/// (`> !!! note`) has them open inside, as Python-Markdown parses a quote's
/// content as a page of its own. The run of `>` lines is read without its
/// markers, its blocks written, and the markers put back; a quote with no
/// such block is written as it is. `None` past the nesting bound. Returns
/// the index after the run.
fn quoted_blocks<'a>(
    lines: &[Line<'a>],
    start: usize,
    out: &mut Vec<Line<'a>>,
    state: &mut State<'_>,
) -> Option<usize> {
    let unquoted = |line: &Line<'a>| -> Option<Cow<'a, str>> {
        // Up to 3 spaces, then `>`: every line of a page is asked.
        let at = line.text.bytes().take(4).position(|b| b != b' ')?;
        if line.text.as_bytes()[at] != b'>' {
            return None;
        }
        let after = at + 1 + usize::from(line.text[at + 1..].starts_with(' '));
        Some(slice_from(&line.text, after))
    };
    unquoted(&lines[start])?;
    if state.depth >= MAX_BLOCK_NESTING {
        return None;
    }
    // The quote's own indentation (inside a list item), kept when the
    // markers are put back.
    let pad = " ".repeat(indent_width(&lines[start].text));
    // The quote's lines: `>` lines, the lines right under them (in the
    // quote to Python-Markdown, which reads a block to its blank line),
    // and blank lines before another `>` line, which Python-Markdown adds
    // to the quote before it where CommonMark starts a new one.
    let mut inner = Vec::new();
    let mut i = start;
    while i < lines.len() {
        let line = &lines[i];
        if line.text.trim().is_empty() {
            let after = lines[i..].iter().position(|l| !l.text.trim().is_empty());
            match after.map(|n| i + n) {
                Some(j)
                    if unquoted(&lines[j]).is_some()
                        && indent_width(&lines[j].text) == pad.len() =>
                {
                    inner.extend(lines[i..j].iter().map(|l| Line::blank(l.number)));
                    i = j;
                    continue;
                }
                _ => break,
            }
        }
        let text = match unquoted(line) {
            Some(text) => text,
            // A line right under the quote that other passes read (a fence,
            // HTML, a table) ends it here, as CommonMark ends it; so does an
            // opener (Python-Markdown's admonitions look for theirs in the
            // whole block before the quote's pass runs).
            None if fence_open(&line.text).is_some()
                || opener(&line.text).is_some()
                // Left of a quote in a list item: the list's next line.
                || indent_width(&line.text) < pad.len()
                || line.text.trim_start().starts_with('<')
                || line.text.contains('|') =>
            {
                break;
            }
            None => line.text.clone(),
        };
        inner.push(Line {
            text,
            number: line.number,
            generated: line.generated,
        });
        i += 1;
    }
    let next = i;
    let opens_block = |text: &str| {
        let text = text.trim_start_matches(['>', ' ']);
        opener(text).is_some()
    };
    if !inner.iter().any(|l| opens_block(&l.text)) {
        // The whole run as the line pass writes quote lines (a blank one
        // inside as an empty quote line), so that it is not read again
        // from each of its lines (quadratic).
        for (k, (line, content)) in lines[start..next].iter().zip(&inner).enumerate() {
            let under_text = k > 0 && is_paragraph_text(&inner[k - 1].text);
            if line.text.trim().is_empty() || (under_text && is_reference_definition(&content.text))
            {
                // An empty quote line: between quotes merged into one, and
                // before a link definition taken out of a paragraph.
                out.push(Line::author(Cow::Owned(format!("{pad}>")), line.number));
            }
            if !line.text.trim().is_empty() {
                out.push(plain_line(&line.text, line.number, state));
            }
        }
        return Some(next);
    }
    state.depth += 1;
    let mut nested = Vec::new();
    blocks(&inner, &mut nested, state);
    state.depth -= 1;
    out.extend(nested.into_iter().map(|l| Line {
        text: if l.text.is_empty() {
            Cow::Owned(format!("{pad}>"))
        } else {
            Cow::Owned(format!("{pad}> {}", l.text))
        },
        ..l
    }));
    Some(next)
}

/// An admonition or details opened on a definition's line
/// (`:   !!! note`), as Python-Markdown reads it: `def_list` parses the
/// text after the colon as the definition's first block, so the opener
/// counts there, and its body is the lines after indented 6 (2 for the
/// definition, 4 for the block). The definition line is written as the
/// block's opening tag, the body dedented to the definition's column.
/// Returns the index after the body.
fn definition_block<'a>(
    lines: &[Line<'a>],
    start: usize,
    out: &mut Vec<Line<'a>>,
    state: &mut State<'_>,
) -> Option<usize> {
    let (text, line) = (&lines[start].text, lines[start].number);
    let body_text = text.trim_start_matches(' ');
    let rest = body_text.strip_prefix(':')?;
    let spaces = rest.bytes().take_while(|&b| b == b' ').count();
    if text.len() - body_text.len() > 3 || !(1..=3).contains(&spaces) {
        return None;
    }
    let rest = &rest[spaces..];
    if !(rest.starts_with("!!!") || rest.starts_with("???")) {
        return None;
    }
    let opened = opener(rest).filter(|_| state.may_nest(line))?;
    // The definition's column as mdx_truly_sane_lists nests it (2), which
    // the list pass then moves under the definition's text.
    let pad = "  ";
    let tags = block_tags(opened, ":   ", pad, line, state)?;
    let (inner, next) = body(lines, start, 2);
    write_block(tags, &inner, pad, line, out, state);
    Some(next)
}

/// An admonition's or details block's lines around its body: the opening
/// tag after `lead`, the title line after `pad` (none for an admonition
/// whose title is empty) and the closing tag. `None` for a tab, which is
/// no such block.
fn block_tags(
    opened: Opener,
    lead: &str,
    pad: &str,
    line: usize,
    state: &mut State<'_>,
) -> Option<(String, Option<String>, &'static str)> {
    match opened {
        Opener::Admonition { classes, title } => {
            let title = title.unwrap_or_else(|| default_title(&classes));
            let title = (!title.is_empty()).then(|| {
                format!(
                    "{pad}<p class=\"admonition-title\">{}</p>",
                    state.title(&title, line)
                )
            });
            Some((
                format!("{lead}<div class=\"admonition {}\">", escape(&classes)),
                title,
                "</div>",
            ))
        }
        Opener::Details {
            classes,
            title,
            open,
        } => {
            let title = title.unwrap_or_else(|| default_title(&classes));
            let open = if open { " open=\"open\"" } else { "" };
            let class = if classes.is_empty() {
                String::new()
            } else {
                format!(" class=\"{}\"", escape(&classes))
            };
            Some((
                format!("{lead}<details{class}{open}>"),
                Some(format!(
                    "{pad}<summary>{}</summary>",
                    state.title(&title, line)
                )),
                "</details>",
            ))
        }
        Opener::Tab { .. } => None,
    }
}

/// Writes a block [`block_tags`] made, with `inner` as its Markdown body.
fn write_block<'a>(
    (open, title, close): (String, Option<String>, &'static str),
    inner: &[Line<'a>],
    pad: &str,
    line: usize,
    out: &mut Vec<Line<'a>>,
    state: &mut State<'_>,
) {
    out.push(Line::html(open, line));
    if let Some(title) = title {
        out.push(Line::html(title, line));
    }
    wrap_body(inner, pad, line, close, out, state);
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
    let (text, line) = (&lines[start].text, lines[start].number);
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
        || !state.may_nest(line)
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
    let opening = format!("<{name}");
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
            lines[i].text.to_string()
        };
        let number = lines[i].number;
        let opens = current.matches(&opening).count();
        if let Some(at) = find_close(&current, &closing, depth + opens) {
            let before = &current[..at];
            if !before.trim().is_empty() {
                inner.push(Line::author(Cow::Owned(before.to_string()), number));
            }
            break;
        }
        depth += opens;
        depth -= current.matches(&closing).count();
        if !current.trim().is_empty() || i != start {
            inner.push(Line::author(Cow::Owned(current), number));
        }
        i += 1;
        if i >= lines.len() {
            return None; // no closing tag: leave it to the HTML parser
        }
    }
    let common = inner
        .iter()
        .filter(|l| !l.text.trim().is_empty())
        .map(|l| indent_width(&l.text))
        .min()
        .unwrap_or(0);
    let inner: Vec<Line<'a>> = inner
        .iter()
        .map(|l| Line::author(dedent(&l.text, common), l.number))
        .collect();
    let end = lines[i].number;
    out.push(Line::author(Cow::Owned(format!("{pad}{open}")), line));
    out.push(Line::blank(line));
    state.depth += 1;
    let mut nested = Vec::new();
    blocks(&inner, &mut nested, state);
    state.depth -= 1;
    out.extend(nested.into_iter().map(|l| l.padded(&pad)));
    out.push(Line::blank(end));
    out.push(Line::author(Cow::Owned(format!("{pad}{closing}")), end));
    out.push(Line::blank(end));
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
    out.push(Line::blank(line));
    state.depth += 1;
    let mut nested = Vec::new();
    blocks(inner, &mut nested, state);
    state.depth -= 1;
    out.extend(nested.into_iter().map(|l| l.padded(pad)));
    out.push(Line::blank(line));
    out.push(Line::html(format!("{pad}{close}"), line));
    out.push(Line::blank(line));
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
        let text = &lines[i].text;
        if text.trim().is_empty() && !tabs.is_empty() {
            // Blank lines between tabs keep the set going.
            let next = lines[i..]
                .iter()
                .position(|l| !l.text.trim().is_empty())
                .map(|p| i + p);
            match next.map(|n| (n, opener(&lines[n].text))) {
                Some((n, Some(Opener::Tab { new_set: false, .. })))
                    if indent_width(&lines[n].text) == indent =>
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
    let line = lines[start].number;
    let pad = " ".repeat(indent);
    let checked = tabs
        .iter()
        .position(|(_, selected, _)| *selected)
        .unwrap_or(0);
    let mut head = format!(
        "{pad}<div class=\"tabbed-set tabbed-alternate\" data-tabs=\"{set}:{}\">",
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
            state.title(title, line)
        ));
    }
    head.push_str("</div>");
    out.push(Line::html(head, line));
    out.push(Line::html(
        format!("{pad}<div class=\"tabbed-content\">"),
        line,
    ));
    for (_, _, inner) in &tabs {
        out.push(Line::html(
            format!("{pad}<div class=\"tabbed-block\">"),
            line,
        ));
        wrap_body(inner, &pad, line, "</div>", out, state);
    }
    out.push(Line::html(format!("{pad}</div>"), line));
    out.push(Line::html(format!("{pad}</div>"), line));
    out.push(Line::blank(line));
    i
}

/// Abbreviation definitions, heading and block attribute lists.
fn simple_line<'a>(text: &Cow<'a, str>, abbreviations: &mut Vec<(String, String)>) -> Cow<'a, str> {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix("*[")
        && let Some((abbr, definition)) = rest.split_once("]:")
    {
        // `*[]: x` defines nothing (an empty name would match everywhere).
        if !abbr.trim().is_empty() {
            abbreviations.push((abbr.to_string(), definition.trim().to_string()));
        }
        return Cow::Borrowed("");
    }
    if t.starts_with("{:") && t.ends_with('}') {
        // A block attribute list on its own line: nothing to attach it to here.
        return Cow::Borrowed("");
    }
    if t.starts_with('#')
        && t.ends_with('}')
        && let Some(at) = text.rfind('{')
        && let Some(attrs) = heading_attrs(text[at + 1..].trim_end().trim_end_matches('}'))
    {
        return Cow::Owned(format!("{}{{{attrs}}}", &text[..at]));
    }
    text.clone()
}

/// attr_list's `{: #id .class }` or `{ id="1.0" class="a b" }` after a
/// heading, in the `{#id .class}` form pulldown-cmark reads; `None` when
/// it is not an attribute list (other `key=value` pairs are dropped, as
/// headings only take their id and classes from it).
fn heading_attrs(inner: &str) -> Option<String> {
    let inner = inner.strip_prefix(':').unwrap_or(inner).trim();
    if inner.is_empty() || inner.contains('{') {
        return None;
    }
    let mut out = Vec::new();
    let mut rest = inner;
    while !rest.is_empty() {
        // One token: up to a space outside quotes.
        let mut quote = None;
        let end = rest
            .char_indices()
            .find(|&(_, c)| match quote {
                Some(q) if c == q => {
                    quote = None;
                    false
                }
                Some(_) => false,
                None if c == '"' || c == '\'' => {
                    quote = Some(c);
                    false
                }
                None => c.is_whitespace(),
            })
            .map_or(rest.len(), |(i, _)| i);
        let token = &rest[..end];
        rest = rest[end..].trim_start();
        if token.starts_with('#') || token.starts_with('.') {
            out.push(token.to_string());
        } else if let Some((key, value)) = token.split_once('=') {
            let value = value.trim_matches(|c| c == '"' || c == '\'');
            match key {
                "id" if !value.is_empty() && !value.contains(char::is_whitespace) => {
                    out.push(format!("#{value}"))
                }
                "class" => out.extend(value.split_whitespace().map(|c| format!(".{c}"))),
                _ => {}
            }
        } else {
            return None;
        }
    }
    Some(out.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(source: &str) -> Preprocessed {
        preprocess(
            source,
            Some(&|f| match f {
                "inc.md" => Ok("included *text*\n".into()),
                // Author bytes that once claimed to be Portico's markup.
                "forged.md" => Ok("\u{E000}<script>alert(1)</script>\n".into()),
                _ => Err(format!("`{f}` not found")),
            }),
            &SnippetSettings::default(),
            &|t| (t.to_string(), Vec::new()),
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
        // A fence closes only at its own indentation (superfences): an
        // indented fence inside is its text.
        let page = "```\n=== \"C\"\n\n    ``` c\n    int x;\n    ```\n```\n\n!!! note\n    x\n";
        let p = run(page);
        assert!(
            p.text
                .starts_with("```\n=== \"C\"\n\n    ``` c\n    int x;\n    ```\n```\n"),
            "{}",
            p.text
        );
        assert!(
            p.text.contains("<div class=\"admonition note\">"),
            "{}",
            p.text
        );
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
        let problems: Vec<(usize, &str)> = p
            .problems
            .iter()
            .map(|(line, d)| (*line, d.message.as_str()))
            .collect();
        assert_eq!(problems, vec![(2, "`missing.md` not found")]);
        assert_eq!(
            p.abbreviations,
            vec![(
                "API".to_string(),
                "Application Programming Interface".to_string()
            )]
        );
        assert!(p.text.contains("## Title {#custom .wide}"), "{}", p.text);
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
        let p = run(
            "!!! note \"T\"\n    body\n\u{E000}<div class=\"admonition x\" onclick=\"y\">\n--8<-- \"forged.md\"\n",
        );
        assert!(p.generated[0] && p.generated[1]);
        let author: Vec<&str> = p
            .text
            .lines()
            .zip(&p.generated)
            .filter(|(l, _)| l.contains("onclick") || l.contains("<script>"))
            .map(|(l, generated)| {
                assert!(!generated, "author bytes claimed to be Portico's: {l}");
                l
            })
            .collect();
        assert_eq!(author.len(), 2, "{}", p.text);
    }

    #[test]
    fn snippets_cycles_and_budget() {
        let reader = |f: &str| -> Result<Arc<str>, String> {
            match f {
                "self.md" => Ok("a\n--8<-- \"./self.md\"\nb\n".into()),
                "big.md" => Ok("x".repeat(1024 * 1024).into()),
                _ => Err(format!("`{f}` not found")),
            }
        };
        let p = preprocess(
            "--8<-- \"self.md\"\n",
            Some(&reader),
            &SnippetSettings::default(),
            &|t| (t.to_string(), Vec::new()),
        );
        // The file's final line ending gives a last, empty line, as in MkDocs.
        assert_eq!(p.text, "a\nb\n\n");
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].1.code, "snippet-cycle");
        let page = "--8<-- \"big.md\"\n".repeat(40);
        let p = preprocess(&page, Some(&reader), &SnippetSettings::default(), &|t| {
            (t.to_string(), Vec::new())
        });
        assert!(p.text.len() <= MAX_PAGE_SNIPPET_BYTES, "{}", p.text.len());
        let codes: Vec<&str> = p.problems.iter().map(|(_, d)| d.code).collect();
        assert_eq!(codes, vec!["snippet-budget"]);
    }

    #[test]
    fn deep_nesting_stops_at_the_bound_without_recursing() {
        let mut page = String::new();
        for depth in 0..2_000 {
            page.push_str(&" ".repeat(depth * 4));
            page.push_str("!!! note\n");
        }
        let p = run(&page);
        let codes: Vec<&str> = p.problems.iter().map(|(_, d)| d.code).take(3).collect();
        assert_eq!(codes, vec!["nesting-too-deep"]);
        let divs = "<div markdown>\n".repeat(3_000) + &"</div>\n".repeat(3_000);
        assert_eq!(run(&divs).problems.len(), 1);
        let tabs: String = (0..1_500)
            .map(|d| format!("{}=== \"t\"\n", " ".repeat(d * 4)))
            .collect();
        assert_eq!(run(&tabs).problems.len(), 1);
    }

    #[test]
    fn lone_carriage_returns_end_lines() {
        let p = run("# Title\rText\r\n## Next\r");
        assert_eq!(p.text, "# Title\nText\n## Next\n");
        assert_eq!(p.lines, vec![1, 2, 3]);
    }

    #[test]
    fn references_are_read_as_expansion_reads_them() {
        assert_eq!(
            snippet_references(
                "--8<-- \"a.md\"\n--8<--\nb.md\nc.md:1:3\n--8<--\n;--8<-- \"no.md\"\n"
            ),
            vec!["a.md", "b.md", "c.md:1:3"]
        );
    }

    #[test]
    fn lines_of_only_spaces_are_emptied_as_python_markdown_does() {
        assert_eq!(run("```\na\n  \n\t\nb\n```\n").text, "```\na\n\n\nb\n```\n");
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
        // mdx_truly_sane_lists nests blocks 2 spaces in.
        let p = run("1. Step\n\n  !!! note\n      Inside the item.\n");
        assert!(
            p.text.contains("  <div class=\"admonition note\">\n"),
            "{}",
            p.text
        );
        assert!(p.text.contains("\n  Inside the item.\n"), "{}", p.text);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
    }

    #[test]
    fn an_admonition_on_a_definitions_line_wraps_the_lines_indented_under_it() {
        let p = run("Term\n\n:   !!! note \"Hi\"\n\n        Body.\n\nAfter.\n");
        assert_eq!(
            p.text,
            "Term\n\n:   <div class=\"admonition note\">\n  <p class=\"admonition-title\">Hi</p>\n\n\n    Body.\n\n  </div>\n\n\nAfter.\n"
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        // Not a definition: four spaces after the colon, or more than three
        // before it.
        for text in [":    !!! note\n", "    :   !!! note\n"] {
            assert!(!run(text).text.contains("admonition"), "{text}");
        }
    }

    #[test]
    fn a_fence_never_closed_at_its_indentation_is_text() {
        // mkdocs-material's insiders/upgrade page: a stray fence at the end
        // of a tab; the next tab still opens.
        let p = run("=== \"A\"\n\n    text\n    ```\n\n=== \"B\"\n\n    more\n");
        assert!(p.text.contains("\n\\`\\`\\`\n"), "{}", p.text);
        assert_eq!(
            p.text.matches("class=\"tabbed-block\"").count(),
            2,
            "{}",
            p.text
        );
        assert_eq!(run("```\nnever closed\n").text, "\\`\\`\\`\nnever closed\n");
        // Many unclosed fences stay linear.
        let page = "````\n```\n".repeat(50_000);
        let started = std::time::Instant::now();
        let p = run(&page);
        assert_eq!(p.text.lines().count(), 100_000);
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    }

    #[test]
    fn admonitions_indented_4_in_list_items_are_text_as_in_techdocs() {
        let p = run("1. Step\n\n    !!! note\n        Inside the item.\n");
        assert!(!p.text.contains("admonition"), "{}", p.text);
        assert!(p.text.contains("\n    !!! note\n"), "{}", p.text);
        let problems: Vec<(usize, &str)> = p.problems.iter().map(|(l, d)| (*l, d.code)).collect();
        assert_eq!(problems, [(3, "list-indent")]);
        assert!(
            p.problems[0].1.message.contains("indented 2 spaces more"),
            "{}",
            p.problems[0].1.message
        );
    }
}
