//! Markdown → HTML the way MkDocs with `mkdocs-techdocs-core` renders it.
//!
//! [`preprocess`] handles the line-level extensions; pulldown-cmark parses
//! the rest (tables, footnotes, task lists, definition lists, strikethrough,
//! sub/superscript, GitHub alerts, heading attributes, front matter); one
//! pass over its events then gives headings MkDocs' ids and permalinks,
//! rewrites relative links to page URLs and records them for checking,
//! highlights code, and applies inline extensions (emoji, abbreviations,
//! mark, insert, bare URLs). Pages holding author-written HTML are
//! sanitised with ammonia; the markup Portico generates is safe by
//! construction.

mod betterem;
mod casefold;
mod code_block;
mod critic;
mod def_terms;
mod highlight;
mod inline;
mod keymap;
mod keys;
mod list_indent;
pub mod preprocess;
mod raw_html;
mod sane_lists;
mod sanitize;
pub mod slug;
pub mod smart_symbols;
pub mod snippet_syntax;
mod spans;
mod tables;
pub mod template_tags;
mod urls;

use crate::diagnostics::Diagnostic;
pub use crate::docs::mkdocs::TocSettings;
pub use crate::docs::mkdocs::{MarkdownSettings, SnippetSettings};
use crate::html::{UrlUse, allowed_url, escape, escape_into};
use crate::limits::{HTML_MAX_DEPTH, MAX_CONTAINERS_PER_LINE, MAX_PAGE_EVENTS};
pub use code_block::HighlightSettings;
pub use keys::KeysSettings;
use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag,
    TagEnd,
};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

pub use highlight::highlight_into;
use inline::{inline_extensions, replace_emoji};
pub use sanitize::SanitizeOptions;
pub(crate) use sanitize::clean as sanitize_html;
use urls::{classify, with_anchor};
pub use urls::{encode_path, page_file, page_url, percent_decode, relative};

/// A heading of a page, for the table of contents and anchors.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// What a link or image in a page points to.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LinkTarget {
    /// Another page of this docs site (docs-relative source path).
    Page { src: String, anchor: Option<String> },
    /// A file under `docs_dir` (docs-relative path).
    Asset { path: String },
    /// `#anchor` in the same page.
    Anchor(String),
    /// `/docs/<namespace>/<kind>/<name>/<path>`: another entity's docs.
    OtherSite {
        namespace: String,
        kind: String,
        name: String,
        path: String,
        anchor: Option<String>,
    },
    /// A relative path that leaves the docs folder.
    Outside(String),
}

/// A link found in a page, where it was written.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LinkRef {
    pub target: LinkTarget,
    /// The destination as written.
    pub raw: String,
    pub line: usize,
    /// Where the destination starts: this many bytes before the end of its
    /// line in the text parsed (`None`: not found there, as for a
    /// reference link, whose destination is in its definition). Counted
    /// from the end, as preprocessing moves only a line's start (nested
    /// lists are indented further); the place is checked against the
    /// line as written before it is used.
    pub from_end: Option<u32>,
    pub is_image: bool,
}

/// One rendered page. Kept in the build cache (`docs::memo`) only when it
/// has no problems: diagnostics are not stored, so a page with problems is
/// rendered again and reports them again.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct RenderedPage {
    pub html: String,
    pub headings: Vec<Heading>,
    /// Every id in the page, for checking `page.md#anchor` links.
    pub ids: HashSet<String>,
    pub links: Vec<LinkRef>,
    /// Problems found while rendering (snippets, nesting, budgets), each
    /// with its source line; the caller adds the file.
    #[serde(skip)]
    pub problems: Vec<(usize, crate::diagnostics::Diagnostic)>,
    /// The page has ```mermaid diagrams (the layout then loads mermaid).
    pub has_mermaid: bool,
    /// The page's text cut at each heading, for search.
    pub sections: Vec<Section>,
}

/// A heading and the plain text under it (up to the next heading).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Section {
    /// Empty for the text before the first heading.
    pub id: String,
    pub heading: String,
    pub level: u8,
    pub text: String,
}

/// What a page needs to know about its site.
pub struct PageEnv<'a> {
    /// The page's source path relative to `docs_dir`, e.g. `guides/setup.md`.
    pub src: &'a str,
    /// The page's folder URL relative to the site root, e.g. `guides/setup/`.
    pub url: &'a str,
    /// Levels from the site root up to the whole portal's root (4 for
    /// `docs/<ns>/<kind>/<name>/`), for links to other entities' docs.
    pub site_depth: usize,
    /// Source path → folder URL of every page in the site.
    pub page_urls: &'a HashMap<String, String>,
    /// Reads a snippet file (`--8<--`), confined to the repository; `None`
    /// when the page may include none (its budget is spent).
    pub snippet: Option<preprocess::SnippetReader<'a>>,
    /// Extension options from mkdocs.yml.
    pub settings: &'a MarkdownSettings,
    /// The page's git dates, for the date plugin's template tags.
    pub dates: template_tags::PageDates,
    pub sanitize: &'a SanitizeOptions,
}

const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS)
    .union(Options::ENABLE_HEADING_ATTRIBUTES)
    .union(Options::ENABLE_YAML_STYLE_METADATA_BLOCKS)
    .union(Options::ENABLE_GFM)
    .union(Options::ENABLE_DEFINITION_LIST)
    // Single `~` is not strikethrough (pymdownx.tilde): `~sub~` is handled
    // with `^sup^` and `^^insert^^` among the inline extensions.
    .union(Options::ENABLE_SUBSCRIPT);

/// What becomes of raw HTML the author wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AuthorHtml {
    /// Kept, and the page sanitised.
    Sanitize,
    /// Shown as text (the page's HTML nests too deep to sanitise).
    Escape,
}

/// Renders one page.
pub fn render(markdown: &str, env: &PageEnv<'_>) -> RenderedPage {
    // MkDocs reads pages as `utf-8-sig`: a byte order mark is no text.
    let markdown = markdown.strip_prefix('\u{feff}').unwrap_or(markdown);
    // MultiMarkdown-style `Key: value` lines opening the page are its
    // meta-data, which MkDocs takes out before anything else reads the page;
    // blank lines keep the others' numbers.
    let meta = crate::docs::title::multimarkdown_meta_len(markdown);
    let without_meta;
    let markdown = if meta > 0 {
        without_meta = "\n".repeat(markdown[..meta].matches('\n').count()) + &markdown[meta..];
        without_meta.as_str()
    } else {
        markdown
    };
    // The plugin replaces its tags before Markdown is read (snippets are
    // part of reading, so their tags stay as written, as in MkDocs).
    let markdown = &*template_tags::replace_dates(markdown, &env.dates, &env.settings.dates);
    let definitions = reference_definitions(markdown);
    let keys = env.settings.keys.as_ref();
    let title = |text: &str| render_title(text, &definitions, keys);
    let pre = preprocess::preprocess(markdown, env.snippet, &env.settings.snippets, &title);
    let Some((mut page, html, author_html)) = render_preprocessed(&pre, env, AuthorHtml::Sanitize)
    else {
        let problem = Diagnostic::error(
            "page-too-complex",
            format!("the page has more than {MAX_PAGE_EVENTS} Markdown elements (blocks, list items, spans), or a line opening more than {MAX_CONTAINERS_PER_LINE} lists and quotes; it is shown as plain text"),
        )
        .with_hint("split the page, or flatten deeply nested lists and quotes");
        return plain_text_page(markdown, pre.problems, problem);
    };
    if !author_html {
        page.html = html;
    } else if crate::docs::author_files::html_nesting_depth(&html) <= HTML_MAX_DEPTH {
        page.html = sanitize::clean(&html, env.sanitize);
        let removed = crate::docs::author_files::removed_unsafe_markup(&html, &page.html);
        if !removed.is_empty() {
            page.problems.push((
                0,
                Diagnostic::warning(
                    "html-removed",
                    format!("the page's raw HTML was published without: {}", removed.join(", ")),
                )
                .with_hint("scripts, frames from hosts not allowed, event handlers and links that are not web addresses are removed from docs"),
            ));
        }
    } else if let Some((escaped, html, _)) = render_preprocessed(&pre, env, AuthorHtml::Escape) {
        page = escaped;
        page.html = html;
        page.problems.push((
            0,
            Diagnostic::error(
                "html-too-deep",
                format!("the page's HTML nests more than {HTML_MAX_DEPTH} elements deep; its raw HTML is shown as text"),
            )
            .with_hint("close the HTML elements you open, or write the content in Markdown"),
        ));
    }
    page
}

/// The link targets an author's HTML defines: every `id`, and the `name`
/// of each `<a>` (browsers scroll to `#x` at `<a name="x">`, and the
/// sanitiser keeps that attribute there only), quoted either way or not
/// at all. One pass: the tag each attribute is in is known as it is read.
/// `in_tag`: `html` starts inside a tag (`Some(true)` an `<a>`).
fn html_anchors(html: &str, in_tag: Option<bool>) -> Vec<String> {
    let bytes = html.as_bytes();
    let mut anchors = Vec::new();
    // Inside a tag (after its name), and whether it is an `<a>`.
    let mut in_tag = in_tag;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => {
                let name_len = bytes[i + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric())
                    .count();
                let is_a = name_len == 1 && bytes[i + 1].eq_ignore_ascii_case(&b'a');
                in_tag = (name_len > 0).then_some(is_a);
                i += 1 + name_len;
            }
            b'>' => {
                in_tag = None;
                i += 1;
            }
            b if b.is_ascii_whitespace() && in_tag.is_some() => {
                let name_len = bytes[i + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':'))
                    .count();
                let attribute = &html[i + 1..i + 1 + name_len];
                let mut j = i + 1 + name_len;
                while bytes.get(j).is_some_and(|b| *b == b' ') {
                    j += 1;
                }
                let wanted = attribute.eq_ignore_ascii_case("id")
                    || (attribute.eq_ignore_ascii_case("name") && in_tag == Some(true));
                if name_len == 0 || bytes.get(j) != Some(&b'=') {
                    i = j.max(i + 1);
                    continue;
                }
                j += 1;
                while bytes.get(j).is_some_and(|b| *b == b' ') {
                    j += 1;
                }
                // The value: quoted, or up to a space or the tag's end.
                let (value, next) = match bytes.get(j) {
                    Some(&q @ (b'"' | b'\'')) => match html[j + 1..].find(q as char) {
                        Some(len) => (&html[j + 1..j + 1 + len], j + 2 + len),
                        None => (&html[j + 1..], bytes.len()),
                    },
                    _ => {
                        let len = html[j..]
                            .find(|c: char| c.is_ascii_whitespace() || c == '>')
                            .unwrap_or(html.len() - j);
                        (&html[j..j + len], j + len)
                    }
                };
                if wanted && !value.is_empty() {
                    anchors.push(value.to_string());
                }
                i = next;
            }
            _ => i += 1,
        }
    }
    anchors
}

/// Whether a line opens more than [`MAX_CONTAINERS_PER_LINE`] lists and
/// quotes at once (`- - - … x`, `> > > … x`): two bytes a level, so a small
/// page could make the parser build millions of nested blocks before the
/// element budget is even counted. `line_starts`: where each line of
/// `text` starts ([`line_starts`]).
fn containers_too_deep(text: &str, line_starts: &[usize]) -> bool {
    let ends = line_starts.iter().skip(1).copied().chain([text.len()]);
    line_starts.iter().zip(ends).any(|(&start, end)| {
        // The line without its `\n` (preprocessing made every line end one).
        let line = &text.as_bytes()[start..end];
        let mut rest = line.strip_suffix(b"\n").unwrap_or(line);
        let mut depth = 0;
        loop {
            let trimmed = rest.trim_ascii_start();
            let marker = match trimmed {
                [b'>', ..] => 1,
                [b'-' | b'*' | b'+', b' ' | b'\t', ..] => 2,
                _ => {
                    let digits = trimmed.iter().take_while(|b| b.is_ascii_digit()).count();
                    match trimmed.get(digits..digits + 2) {
                        Some([b'.' | b')', b' ' | b'\t']) if (1..10).contains(&digits) => {
                            digits + 2
                        }
                        _ => break,
                    }
                }
            };
            depth += 1;
            if depth > MAX_CONTAINERS_PER_LINE {
                return true;
            }
            rest = &trimmed[marker..];
        }
        false
    })
}

/// A page that cannot be laid out (too big, or a bug in Portico): its text,
/// escaped, so nothing is lost, and `problem` saying why.
pub fn plain_text_page(
    markdown: &str,
    mut problems: Vec<(usize, Diagnostic)>,
    problem: Diagnostic,
) -> RenderedPage {
    problems.push((0, problem));
    let mut html = String::with_capacity(markdown.len() + 64);
    html.push_str("<pre class=\"plain-text-page\">");
    escape_into(&mut html, markdown);
    html.push_str("</pre>\n");
    RenderedPage {
        html,
        problems,
        sections: vec![Section {
            text: markdown.to_string(),
            ..Section::default()
        }],
        ..RenderedPage::default()
    }
}

/// `text`'s lines, each with its `\n` (the last one may have none), as
/// `str::split_inclusive('\n')` gives them: found with memchr, as the
/// preprocessing passes each walk every line of every page.
pub(super) fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    let mut ends = memchr::memchr_iter(b'\n', text.as_bytes());
    std::iter::from_fn(move || {
        let end = match ends.next() {
            Some(newline) => newline + 1,
            None if start < text.len() => text.len(),
            None => return None,
        };
        let line = &text[start..end];
        start = end;
        Some(line)
    })
}

/// Where each line of `text` starts: 0, and one past each `\n`.
fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::with_capacity(text.len() / 32 + 1);
    starts.push(0);
    starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
    starts
}

/// The pass over the parsed page: its HTML before sanitising and whether
/// it holds the author's raw HTML; `None` past the element budget.
fn render_preprocessed(
    pre: &preprocess::Preprocessed,
    env: &PageEnv<'_>,
    author_html: AuthorHtml,
) -> Option<(RenderedPage, String, bool)> {
    // Same lines as `pre.text`: comment terms made paragraphs, nested list
    // blocks moved right.
    let terms = def_terms::comment_terms(&pre.text);
    let terms = def_terms::colon_paragraphs(&terms);
    let (reindented, literal_blocks) = list_indent::reindent_nested_lists(&terms);
    let text: &str = &reindented;
    let line_starts = line_starts(text);
    let output_line = |offset: usize| {
        line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    };
    // Raw HTML is Portico's own only when every line of it was generated.
    let is_generated = |range: &Range<usize>| {
        let (first, last) = (
            output_line(range.start),
            output_line(range.end.saturating_sub(1).max(range.start)),
        );
        (first..=last).all(|l| {
            pre.generated.get(l).copied().unwrap_or(false)
                || text[line_starts[l]..].starts_with('\n')
        })
    };
    let line_of = |offset: usize| {
        let index = line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        pre.lines.get(index).copied().unwrap_or(0)
    };
    if containers_too_deep(text, &line_starts) {
        return None;
    }
    // Sized for a page's usual events (about one per ten bytes): grown
    // from empty, the vector was copied a dozen times a page.
    let mut events: Vec<(Event<'_>, Range<usize>)> =
        Vec::with_capacity((text.len() / 10 + 16).min(MAX_PAGE_EVENTS + 1));
    events.extend(
        Parser::new_ext(text, OPTIONS)
            .into_offset_iter()
            .take(MAX_PAGE_EVENTS + 1),
    );
    if events.len() > MAX_PAGE_EVENTS {
        return None;
    }
    betterem::smart_emphasis(&mut events, text);
    let events = merge_texts(
        sane_lists::truly_sane_lists(events, text, &line_starts),
        text,
    );
    let events = spans::spanning(events, text);
    let mut pass = Pass {
        env,
        source: text,
        page: RenderedPage {
            problems: pre
                .problems
                .iter()
                .cloned()
                .chain(literal_blocks.iter().map(|block| {
                    let line = pre.lines.get(block.line).copied().unwrap_or(0);
                    (line, list_indent::literal_block_problem(block))
                }))
                .collect(),
            ..Default::default()
        },
        out: Vec::with_capacity(events.len()),
        used_ids: slug::UsedIds::default(),
        abbreviations: &pre.abbreviations,
        author_html: false,
        alerts: Vec::new(),
        footnotes: Vec::new(),
        footnote_names: HashMap::new(),
        is_generated: &is_generated,
        in_heading: false,
        escape_author_html: author_html == AuthorHtml::Escape,
        code_blocks: 0,
        open_spans: Vec::new(),
        in_link: false,
    };
    // Python-Markdown's toc takes the ids written in the page (`{#id}`)
    // before it makes any: `## Setup` before `## Later {#setup}` is
    // `setup_1`, not a second `setup`.
    // So does it the ids attr_list puts on links, images and emphasis
    // (`**x**{ #id }`): its treeprocessor runs before toc's.
    for (at, (event, _)) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Heading { id: Some(id), .. }) => {
                pass.used_ids.insert(id.to_string());
            }
            Event::End(TagEnd::Link | TagEnd::Image | TagEnd::Strong | TagEnd::Emphasis) => {
                for id in trailing_attr_ids(&events, at) {
                    pass.used_ids.insert(id);
                }
            }
            _ => {}
        }
    }
    pass.run(&events, &line_of);
    pass.footnote_list();
    let Pass {
        page,
        out,
        author_html,
        ..
    } = pass;
    let mut html = String::with_capacity(text.len() * 3 / 2 + 256);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    Some((page, html, author_html))
}

/// The state of one pass over a page's events.
struct Pass<'e, 'a> {
    env: &'e PageEnv<'a>,
    /// The text parsed: where links' destinations are found.
    source: &'e str,
    page: RenderedPage,
    out: Vec<Event<'a>>,
    used_ids: slug::UsedIds,
    abbreviations: &'e [(String, String)],
    author_html: bool,
    /// Open GitHub alerts, to close them as admonitions.
    alerts: Vec<bool>,
    /// Footnotes in order of first reference.
    footnotes: Vec<Footnote<'a>>,
    /// Index of each footnote in `footnotes`, by name.
    footnote_names: HashMap<String, usize>,
    /// Whether the source range holds only HTML the preprocessor wrote.
    is_generated: &'e dyn Fn(&Range<usize>) -> bool,
    /// Inside a heading: its text is the section's title, not its body.
    in_heading: bool,
    /// The author's raw HTML becomes text.
    escape_author_html: bool,
    /// Code blocks laid out so far (their line anchors are numbered).
    code_blocks: usize,
    /// Where in `out` each open `<strong>`/`<em>` starts, so attributes
    /// written after its end can still be put on it.
    open_spans: Vec<usize>,
    /// Inside a link's text: a URL there is text, not a link of its own.
    in_link: bool,
}

impl<'e, 'a> Pass<'e, 'a> {
    fn run(&mut self, events: &[(Event<'a>, Range<usize>)], line_of: &dyn Fn(usize) -> usize) {
        let mut i = 0;
        while i < events.len() {
            let (event, range) = &events[i];
            i = match event {
                Event::Start(Tag::Heading {
                    level, id, classes, ..
                }) => self.heading(events, i, *level, id.as_deref(), classes, line_of),
                Event::Start(Tag::CodeBlock(kind)) => self.code_block(events, i, kind),
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    ..
                }) => self.link(events, i, *link_type, dest_url, title, line_of(range.start)),
                Event::Start(Tag::Image {
                    dest_url, title, ..
                }) => self.image(events, i, dest_url, title, line_of(range.start)),
                Event::Start(Tag::MetadataBlock(_)) => self.front_matter(events, i),
                Event::Start(Tag::BlockQuote(kind)) => {
                    self.alert_start(*kind, event.clone());
                    i + 1
                }
                Event::End(TagEnd::BlockQuote(_)) => {
                    let alert = self.alerts.pop().unwrap_or(false);
                    self.out.push(if alert {
                        Event::Html("</div>\n".into())
                    } else {
                        event.clone()
                    });
                    i + 1
                }
                Event::Start(Tag::Strong | Tag::Emphasis) => {
                    self.open_spans.push(self.out.len());
                    self.out.push(event.clone());
                    i + 1
                }
                Event::End(end @ (TagEnd::Strong | TagEnd::Emphasis)) => {
                    self.span_end(events, i, *end)
                }
                Event::Text(text) => {
                    let before = range
                        .start
                        .checked_sub(1)
                        .map(|b| self.source.as_bytes()[b]);
                    self.text(text, before);
                    i + 1
                }
                Event::Html(html) | Event::InlineHtml(html) => {
                    // Over no source bytes: a span's tag (`spans`).
                    if range.is_empty() || (self.is_generated)(range) {
                        self.collect_ids(html);
                        self.out.push(event.clone());
                    } else if self.escape_author_html {
                        self.out.push(Event::Text(html.clone()));
                    } else {
                        self.author_html = true;
                        self.collect_ids(html);
                        self.out.push(event.clone());
                    }
                    i + 1
                }
                Event::FootnoteReference(name) => {
                    self.footnote_reference(name);
                    i + 1
                }
                Event::Start(Tag::FootnoteDefinition(name)) => {
                    self.footnote_definition(events, i, name, line_of)
                }
                Event::Code(code) => {
                    match code_block::inline_code(code) {
                        Some(html) => {
                            // The text a reader sees: the code without `#!lang `.
                            let shown = code.split_once(char::is_whitespace).map_or("", |(_, c)| c);
                            self.section_text(shown.trim_start());
                            self.out.push(Event::Html(html.into()));
                        }
                        None => {
                            // Python-Markdown strips a code span's text of
                            // surrounding whitespace (CommonMark keeps `$ `).
                            let trimmed = code.trim_matches(|c: char| c.is_ascii_whitespace());
                            self.section_text(trimmed);
                            self.out.push(if trimmed.len() == code.len() {
                                event.clone()
                            } else {
                                Event::Code(trimmed.to_string().into())
                            });
                        }
                    }
                    i + 1
                }
                _ => {
                    self.out.push(event.clone());
                    i + 1
                }
            };
        }
    }

    /// Index of the `End` matching the `Start` at `start`.
    fn end_of(events: &[(Event<'a>, Range<usize>)], start: usize) -> usize {
        let mut depth = 0usize;
        for (j, (event, _)) in events.iter().enumerate().skip(start) {
            match event {
                Event::Start(_) => depth += 1,
                Event::End(_) => {
                    depth -= 1;
                    if depth == 0 {
                        return j;
                    }
                }
                _ => {}
            }
        }
        events.len() - 1
    }

    fn heading(
        &mut self,
        events: &[(Event<'a>, Range<usize>)],
        start: usize,
        level: HeadingLevel,
        explicit_id: Option<&str>,
        classes: &[CowStr<'a>],
        line_of: &dyn Fn(usize) -> usize,
    ) -> usize {
        let end = Self::end_of(events, start);
        let text = heading_text(&events[start + 1..end]);
        let id = match explicit_id {
            Some(id) => {
                self.used_ids.insert(id.to_string());
                id.to_string()
            }
            None => self.used_ids.unique(slug::slug(
                &replace_emoji(&text),
                &self.env.settings.toc.slug,
            )),
        };
        let level = level as u8;
        // Written piece by piece: a page's headings are many, and a
        // `format!` per piece (with a string per escaped id) added up.
        let mut open = String::with_capacity(id.len() + 16);
        open.push_str("<h");
        open.push(char::from(b'0' + level.min(9)));
        open.push_str(" id=\"");
        escape_into(&mut open, &id);
        open.push('"');
        if !classes.is_empty() {
            let classes: Vec<&str> = classes.iter().map(|c| c.as_ref()).collect();
            open.push_str(" class=\"");
            escape_into(&mut open, &classes.join(" "));
            open.push('"');
        }
        open.push('>');
        self.out.push(Event::Html(open.into()));
        // The heading's own inline content: links and text extensions apply.
        self.in_heading = true;
        self.run(&events[start + 1..end], line_of);
        self.in_heading = false;
        let toc = &self.env.settings.toc;
        let mut close = String::new();
        if let Some(text) = &toc.permalink {
            close.reserve(id.len() + text.len() + 48);
            close.push_str("<a class=\"headerlink\" href=\"#");
            escape_into(&mut close, &id);
            if !toc.permalink_title.is_empty() {
                close.push_str("\" title=\"");
                escape_into(&mut close, &toc.permalink_title);
            }
            close.push_str("\">");
            close.push_str(text);
            close.push_str("</a>");
        }
        close.push_str("</h");
        close.push(char::from(b'0' + level.min(9)));
        close.push_str(">\n");
        self.out.push(Event::Html(close.into()));
        self.page.ids.insert(id.clone());
        self.page.sections.push(Section {
            id: id.clone(),
            heading: text.clone(),
            level,
            text: String::new(),
        });
        self.page.headings.push(Heading { level, id, text });
        end + 1
    }

    fn code_block(
        &mut self,
        events: &[(Event<'a>, Range<usize>)],
        start: usize,
        kind: &CodeBlockKind<'a>,
    ) -> usize {
        let end = Self::end_of(events, start);
        let mut code = String::new();
        for (event, _) in &events[start + 1..end] {
            if let Event::Text(t) = event {
                code.push_str(t);
            }
        }
        let info = match kind {
            CodeBlockKind::Fenced(info) => info.as_ref(),
            CodeBlockKind::Indented => "",
        };
        let fence = code_block::fence_options(info);
        let lang = fence.lang.as_str();
        let mut html = String::with_capacity(code.len() * 2 + 96);
        if (lang == "plantuml" || lang == "puml")
            && let Some(server) = &self.env.sanitize.plantuml_server
        {
            self.out
                .push(Event::Html(plantuml_image(server, &code, info).into()));
            return end + 1;
        }
        if lang == "mermaid" {
            self.page.has_mermaid = true;
            // mermaid reads the element's HTML: no <code> wrapper.
            html.push_str("<pre class=\"mermaid\">");
            escape_into(&mut html, &code);
            html.push_str("</pre>\n");
        } else {
            // Untagged fences are `text`, as pymdownx.highlight names them.
            code_block::code_block(
                &mut html,
                &code,
                &fence,
                &self.env.settings.highlight,
                self.code_blocks,
            );
            self.code_blocks += 1;
            self.section_text(&code);
        }
        self.out.push(Event::Html(html.into()));
        end + 1
    }

    /// How far the destination `dest` of the link or image written at
    /// `range` starts before the end of its line ([`LinkRef::from_end`]):
    /// searched after the `](` that ends the text, so a link whose text
    /// is its destination (`[a.md](a.md)`), or the second link on a line,
    /// is placed at its own.
    fn dest_from_end(&self, range: &Range<usize>, dest: &str) -> Option<u32> {
        // Byte searches (`](` and the line's end are ASCII; a match of
        // `dest`, which is whole UTF-8, starts on a character): a `str`
        // search of a pattern sets up a searcher each call.
        let written = self.source.get(range.clone())?.as_bytes();
        let after = memchr::memmem::rfind(written, b"](").map_or(0, |i| i + 2);
        let at =
            range.start + after + memchr::memmem::find(written.get(after..)?, dest.as_bytes())?;
        let line_end = memchr::memchr(b'\n', &self.source.as_bytes()[at..])
            .map_or(self.source.len(), |i| at + i);
        u32::try_from(line_end - at).ok()
    }

    /// Resolves a destination; records it for checking (with its line
    /// and [`LinkRef::from_end`]); returns the href.
    fn resolve(
        &mut self,
        dest: &str,
        (line, from_end): (usize, Option<u32>),
        is_image: bool,
    ) -> Option<String> {
        let target = classify(dest, self.env.src);
        let href = match &target {
            None => return Some(dest.to_string()),
            Some(LinkTarget::Outside(_)) => dest.to_string(),
            Some(LinkTarget::Anchor(a)) => format!("#{a}"),
            Some(LinkTarget::Page { src, anchor }) => {
                let url = self
                    .env
                    .page_urls
                    .get(src)
                    .cloned()
                    .unwrap_or_else(|| page_url(src));
                let query = urls::query_of(dest);
                with_anchor(
                    relative(self.env.url, &(url + "index.html")) + query,
                    anchor,
                )
            }
            Some(LinkTarget::Asset { path }) => {
                // The query and the fragment kept (`file.pdf#page=2`).
                let fragment = dest.split_once('#').map(|(_, f)| format!("#{f}"));
                relative(self.env.url, path)
                    + urls::query_of(dest)
                    + fragment.as_deref().unwrap_or("")
            }
            Some(LinkTarget::OtherSite {
                namespace,
                kind,
                name,
                path,
                anchor,
            }) => {
                let up = "../".repeat(self.env.site_depth + self.env.url.matches('/').count());
                let url = if path.is_empty() || path.ends_with('/') {
                    format!("{path}index.html")
                } else if path == "index.html" || path.ends_with("/index.html") {
                    path.clone()
                } else if crate::docs::site::is_markdown(path) {
                    page_file(path)
                } else {
                    format!("{path}/index.html")
                };
                let path = format!(
                    "{}{url}",
                    crate::address::docs_site_dir_of(namespace, kind, name)
                );
                let query = urls::query_of(dest);
                with_anchor(format!("{up}{}{query}", encode_path(&path)), anchor)
            }
        };
        if let Some(target) = target {
            self.page.links.push(LinkRef {
                target,
                raw: dest.to_string(),
                line,
                from_end,
                is_image,
            });
        }
        Some(href)
    }

    fn link(
        &mut self,
        events: &[(Event<'a>, Range<usize>)],
        start: usize,
        link_type: LinkType,
        dest: &str,
        title: &str,
        line: usize,
    ) -> usize {
        let end = Self::end_of(events, start);
        let dest = if link_type == LinkType::Email {
            format!("mailto:{dest}")
        } else {
            dest.to_string()
        };
        let href = if allowed_url(&dest, UrlUse::Link) {
            let from_end = self.dest_from_end(&events[start].1, &dest);
            self.resolve(&dest, (line, from_end), false)
        } else {
            self.page
                .problems
                .push((line, unsafe_link(&dest, UrlUse::Link)));
            None
        };
        let (attrs, consumed) = trailing_attrs(events, end);
        self.collect_attribute_ids(&attrs);
        if let Some(href) = &href {
            let mut open = String::with_capacity(href.len() + title.len() + attrs.len() + 24);
            open.push_str("<a href=\"");
            escape_into(&mut open, href);
            open.push('"');
            if !title.is_empty() {
                open.push_str(" title=\"");
                escape_into(&mut open, title);
                open.push('"');
            }
            open.push_str(&attrs);
            open.push('>');
            self.out.push(Event::Html(open.into()));
        }
        let outer = std::mem::replace(&mut self.in_link, true);
        self.run(&events[start + 1..end], &|_| line);
        self.in_link = outer;
        if href.is_some() {
            self.out.push(Event::Html("</a>".into()));
        }
        self.push_rest_after_attrs(events, end, consumed)
    }

    fn image(
        &mut self,
        events: &[(Event<'a>, Range<usize>)],
        start: usize,
        dest: &str,
        title: &str,
        line: usize,
    ) -> usize {
        let end = Self::end_of(events, start);
        let alt = plain_text(&events[start + 1..end]);
        let (attrs, consumed) = trailing_attrs(events, end);
        self.collect_attribute_ids(&attrs);
        if !allowed_url(dest, UrlUse::Image) {
            self.page
                .problems
                .push((line, unsafe_link(dest, UrlUse::Image)));
        } else if let Some(src) = {
            let from_end = self.dest_from_end(&events[start].1, dest);
            self.resolve(dest, (line, from_end), true)
        } {
            let mut tag = format!("<img src=\"{}\" alt=\"{}\"", escape(&src), escape(&alt));
            if !title.is_empty() {
                tag.push_str(&format!(" title=\"{}\"", escape(title)));
            }
            tag.push_str(&attrs);
            tag.push_str(" />");
            self.out.push(Event::Html(tag.into()));
        }
        self.push_rest_after_attrs(events, end, consumed)
    }

    /// The end of `**bold**` or `*em*`; with attr_list's `{ #id .class }`
    /// right after it, the attributes go on the element, as in MkDocs.
    fn span_end(&mut self, events: &[(Event<'a>, Range<usize>)], at: usize, end: TagEnd) -> usize {
        let open = self.open_spans.pop();
        let (attrs, consumed) = trailing_attrs(events, at);
        // The start must be this element's own (headings lay out their
        // text elsewhere, so a stray end may not have one).
        let own_start = |open: &usize| {
            matches!(
                (self.out.get(*open), end),
                (Some(Event::Start(Tag::Strong)), TagEnd::Strong)
                    | (Some(Event::Start(Tag::Emphasis)), TagEnd::Emphasis)
            )
        };
        let Some(open) = open.filter(|o| consumed.is_some() && !attrs.is_empty() && own_start(o))
        else {
            self.out.push(Event::End(end));
            return at + 1;
        };
        self.collect_attribute_ids(&attrs);
        let tag = if end == TagEnd::Strong {
            "strong"
        } else {
            "em"
        };
        self.out[open] = Event::Html(format!("<{tag}{attrs}>").into());
        self.out.push(Event::Html(format!("</{tag}>").into()));
        self.push_rest_after_attrs(events, at, consumed)
    }

    /// After the element ending at `end` and its attr_list `{ .class }`
    /// (ending at `list_end`), emits the rest of the text the attr_list
    /// ends in and returns where to go on.
    fn push_rest_after_attrs(
        &mut self,
        events: &[(Event<'a>, Range<usize>)],
        end: usize,
        list_end: Option<AttrListEnd>,
    ) -> usize {
        let Some(AttrListEnd { event, bytes }) = list_end else {
            return end + 1;
        };
        if let Some((Event::Text(text), _)) = events.get(event) {
            let rest = &text[bytes..];
            if !rest.is_empty() {
                self.text(&CowStr::from(rest.to_string()), None);
            }
        }
        event + 1
    }

    /// `<sup id="fnref:x"><a class="footnote-ref" href="#fn:x">1</a></sup>`, as Python-Markdown writes it.
    /// Later references to the same note get `fnref2:x`, `fnref3:x`.
    /// Adds plain text to the current section's body.
    fn section_text(&mut self, text: &str) {
        if self.in_heading {
            return;
        }
        if self.page.sections.is_empty() {
            self.page.sections.push(Section::default());
        }
        if let Some(section) = self.page.sections.last_mut() {
            if !section.text.is_empty() && !section.text.ends_with(char::is_whitespace) {
                section.text.push(' ');
            }
            section.text.push_str(text);
        }
    }

    /// The footnote named `name`, added (in order of first mention) if new.
    fn footnote_index(&mut self, name: &str) -> usize {
        if let Some(&i) = self.footnote_names.get(name) {
            return i;
        }
        self.footnotes.push(Footnote {
            name: name.to_string(),
            body: None,
            references: 0,
        });
        self.footnote_names
            .insert(name.to_string(), self.footnotes.len() - 1);
        self.footnotes.len() - 1
    }

    fn footnote_reference(&mut self, name: &str) {
        let index = self.footnote_index(name);
        self.footnotes[index].references += 1;
        let (number, nth) = (index + 1, self.footnotes[index].references);
        let name = escape(name);
        let id = if nth == 1 {
            format!("fnref:{name}")
        } else {
            format!("fnref{nth}:{name}")
        };
        self.out.push(Event::Html(
            format!(
                "<sup id=\"{id}\"><a class=\"footnote-ref\" href=\"#fn:{name}\">{number}</a></sup>"
            )
            .into(),
        ));
        self.page.ids.insert(id);
    }

    /// Renders a definition aside; it is listed at the end of the page.
    fn footnote_definition(
        &mut self,
        events: &[(Event<'a>, Range<usize>)],
        start: usize,
        name: &str,
        line_of: &dyn Fn(usize) -> usize,
    ) -> usize {
        let end = Self::end_of(events, start);
        let outer = std::mem::take(&mut self.out);
        self.run(&events[start + 1..end], line_of);
        let body = std::mem::replace(&mut self.out, outer);
        let index = self.footnote_index(name);
        self.footnotes[index].body = Some(body);
        end + 1
    }

    /// `<div class="footnote"><hr /><ol><li id="fn:x">…</li></ol></div>`.
    fn footnote_list(&mut self) {
        let notes: Vec<(usize, Footnote<'a>)> = std::mem::take(&mut self.footnotes)
            .into_iter()
            .enumerate()
            .filter(|(_, f)| f.body.is_some())
            .collect();
        if notes.is_empty() {
            return;
        }
        self.out.push(Event::Html(
            "<div class=\"footnote\">\n<hr />\n<ol>\n".into(),
        ));
        for (index, note) in notes {
            let name = escape(&note.name);
            self.page.ids.insert(format!("fn:{name}"));
            self.out
                .push(Event::Html(format!("<li id=\"fn:{name}\">\n").into()));
            // Back links go inside the note's last paragraph, as Python-Markdown puts them.
            let mut backrefs = String::from("&#160;");
            for nth in 1..=note.references.max(1) {
                let target = if nth == 1 {
                    format!("fnref:{name}")
                } else {
                    format!("fnref{nth}:{name}")
                };
                backrefs.push_str(&format!(
                    "<a class=\"footnote-backref\" href=\"#{target}\" title=\"Jump back to footnote {} in the text\">&#8617;</a>",
                    index + 1
                ));
            }
            let mut body = note.body.unwrap_or_default();
            match body
                .iter()
                .rposition(|e| matches!(e, Event::End(TagEnd::Paragraph)))
            {
                Some(at) => body.insert(at, Event::Html(backrefs.into())),
                None => body.push(Event::Html(backrefs.into())),
            }
            self.out.extend(body);
            self.out.push(Event::Html("</li>\n".into()));
        }
        self.out.push(Event::Html("</ol>\n</div>\n".into()));
    }

    /// YAML front matter: not shown (the page's title is read from it
    /// before the page renders, `docs::title`).
    fn front_matter(&mut self, events: &[(Event<'a>, Range<usize>)], start: usize) -> usize {
        Self::end_of(events, start) + 1
    }

    /// GitHub alerts (`> [!NOTE]`) render as admonitions, as gh-admonitions does.
    fn alert_start(&mut self, kind: Option<BlockQuoteKind>, event: Event<'a>) {
        let Some(kind) = kind else {
            self.alerts.push(false);
            self.out.push(event);
            return;
        };
        let (class, title) = match kind {
            BlockQuoteKind::Note => ("note", "Note"),
            BlockQuoteKind::Tip => ("tip", "Tip"),
            BlockQuoteKind::Important => ("important", "Important"),
            BlockQuoteKind::Warning => ("warning", "Warning"),
            BlockQuoteKind::Caution => ("danger", "Caution"),
        };
        self.alerts.push(true);
        self.out.push(Event::Html(
            format!(
                "<div class=\"admonition {class}\">\n<p class=\"admonition-title\">{title}</p>\n"
            )
            .into(),
        ));
    }

    fn collect_ids(&mut self, html: &str) {
        self.page.ids.extend(html_anchors(html, None));
    }

    /// [`Self::collect_ids`] for the attributes of one tag (an attribute
    /// list's, ` id="x" class="y"`), not a whole tag.
    fn collect_attribute_ids(&mut self, attributes: &str) {
        self.page.ids.extend(html_anchors(attributes, Some(false)));
    }

    /// Inline extensions on plain text: emoji, abbreviations, `==mark==`,
    /// `^^insert^^`, keys, bare URLs. Untouched text stays a text event.
    /// `before`: the page's byte before the text, if any.
    fn text(&mut self, text: &CowStr<'a>, before: Option<u8>) {
        let guarded = text
            .strip_prefix(def_terms::COLON_GUARD)
            .filter(|rest| rest.starts_with(':'));
        let unguarded;
        let text = match guarded {
            Some(rest) => {
                unguarded = CowStr::from(rest.to_string());
                &unguarded
            }
            None => text,
        };
        self.section_text(text);
        let keys = self.env.settings.keys.as_ref();
        let before = if guarded.is_some() { None } else { before };
        match inline_extensions(text, before, self.abbreviations, keys, self.in_link) {
            Some(html) => self.out.push(Event::Html(html.into())),
            None => self.out.push(Event::Text(text.clone())),
        }
    }
}

/// A footnote: its rendered body (once its definition is seen) and how
/// often the page refers to it.
struct Footnote<'a> {
    name: String,
    body: Option<Vec<Event<'a>>>,
    references: usize,
}

/// The page's link reference definitions (`[label]: url`), by lower-cased
/// label: a block title is parsed on its own, and its `[label]` links
/// resolve against the page's definitions, as in MkDocs.
fn reference_definitions(markdown: &str) -> HashMap<String, &str> {
    // Every definition has a `]:`; most pages have none, and one search
    // of the page says so.
    if memchr::memmem::find(markdown.as_bytes(), b"]:").is_none() {
        return HashMap::new();
    }
    markdown
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let (label, _) = line.strip_prefix('[')?.split_once("]:")?;
            let usable =
                !label.trim().is_empty() && !label.starts_with('^') && !label.contains(['[', ']']);
            usable.then(|| (label.trim().to_lowercase(), line))
        })
        .collect()
}

/// A block title's HTML, with the page's definitions of the `[labels]`
/// it mentions.
fn render_title(
    text: &str,
    definitions: &HashMap<String, &str>,
    keys: Option<&KeysSettings>,
) -> (String, Vec<(String, UrlUse)>) {
    if definitions.is_empty() || !text.contains('[') {
        return render_inline(text, keys);
    }
    // Only lines that are definitions: one that is not would be a
    // paragraph of the title's (a line hidden in a code block, say).
    let used: Vec<&str> = text
        .split('[')
        .skip(1)
        .filter_map(|after| after.split_once(']'))
        .filter_map(|(label, _)| definitions.get(&label.trim().to_lowercase()).copied())
        .filter(|line| Parser::new_ext(line, OPTIONS).next().is_none())
        .collect();
    if used.is_empty() {
        return render_inline(text, keys);
    }
    render_inline(&format!("{text}\n\n{}", used.join("\n")), keys)
}

/// A title's inline Markdown as HTML (admonitions, details, tabs): emphasis,
/// code, links, emoji; without the paragraph around it, on one line (the
/// title's line is marked as Portico's own markup, so it is not sanitised
/// with the page). Raw HTML in it is text. Links and images pass the same
/// URL check as the page's own: a refused one keeps its text, and its URL
/// is returned.
fn render_inline(text: &str, keys: Option<&KeysSettings>) -> (String, Vec<(String, UrlUse)>) {
    // Per open link or image: whether its tags are written.
    let mut open: Vec<bool> = Vec::new();
    let mut refused = Vec::new();
    let mut check = |url: &str, usage: UrlUse| {
        let allowed = allowed_url(url, usage);
        if !allowed {
            refused.push((url.to_string(), usage));
        }
        allowed
    };
    let events = Parser::new_ext(text, OPTIONS).filter_map(|event| match event {
        Event::Text(t) => Some(
            match inline_extensions(&t, None, &[], keys, !open.is_empty()) {
                Some(html) => Event::Html(html.into()),
                None => Event::Text(t),
            },
        ),
        Event::Start(Tag::Link { ref dest_url, .. }) => {
            open.push(check(dest_url, UrlUse::Link));
            open.last().copied().unwrap_or(false).then_some(event)
        }
        Event::Start(Tag::Image { ref dest_url, .. }) => {
            open.push(check(dest_url, UrlUse::Image));
            open.last().copied().unwrap_or(false).then_some(event)
        }
        Event::End(TagEnd::Link | TagEnd::Image) => open.pop().unwrap_or(false).then_some(event),
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        other => Some(other),
    });
    let mut html = String::with_capacity(text.len() + 16);
    pulldown_cmark::html::push_html(&mut html, events);
    let html = html.trim_end();
    let html = html
        .strip_prefix("<p>")
        .and_then(|h| h.strip_suffix("</p>"))
        .unwrap_or(html)
        .replace('\n', " ");
    (html, refused)
}

/// A link or image whose URL may not be written (see `html::allowed_url`).
fn unsafe_link(url: &str, usage: UrlUse) -> Diagnostic {
    let shown: String = url.chars().take(80).collect();
    let message = match usage {
        UrlUse::Link => {
            format!("link `{shown}` is not a web, mail or relative address; it was left as text")
        }
        UrlUse::Image => {
            format!("image `{shown}` is not a web, relative or data:image address; it was left out")
        }
    };
    Diagnostic::warning("unsafe-link", message).with_hint(
        "docs may link to pages, files, http(s), mailto, tel and ftp addresses, and show data:image images",
    )
}

/// The text inside a run of inline events.
/// Runs of text events made one: pulldown-cmark splits text where markup
/// might have started (`A <--> B` comes as `A `, `<`, `--> B`), and the
/// inline extensions read text a run at a time (`<-->` is one arrow).
/// Only text written as it reads, each part right after the last, is
/// merged: an entity (`&#61;`) or an escape (`\=`, which pulldown-cmark
/// hands over without its backslash) stays a part of its own, as
/// Python-Markdown keeps them out of its inline patterns (`&#61;=x=&#61;`
/// and `\=\=x\=\=` are no marks).
fn merge_texts<'a>(
    events: Vec<(Event<'a>, Range<usize>)>,
    source: &str,
) -> Vec<(Event<'a>, Range<usize>)> {
    // Written as it reads: pulldown-cmark lends the very bytes of the page
    // (compared by address, not byte by byte: this runs on every text),
    // and no backslash before (an escaped character starts the text after it).
    let is_literal = |event: &Event<'_>, range: &Range<usize>| {
        matches!(event, Event::Text(CowStr::Borrowed(b))
            if b.as_ptr() == source[range.start..].as_ptr() && b.len() == range.len())
            && !source.as_bytes()[..range.start].ends_with(b"\\")
    };
    // Most pages have no such run: give them back as they are.
    if !events.windows(2).any(|w| {
        w[0].1.end == w[1].1.start && is_literal(&w[0].0, &w[0].1) && is_literal(&w[1].0, &w[1].1)
    }) {
        return events;
    }
    let mut out: Vec<(Event<'a>, Range<usize>)> = Vec::with_capacity(events.len());
    // The text run being merged, once it has more than one part.
    let mut merged: Option<String> = None;
    // Whether the last event is text written as it reads.
    let mut last_literal = false;
    for (event, range) in events {
        let literal = is_literal(&event, &range);
        if literal
            && last_literal
            && let Event::Text(part) = &event
            && let Some((Event::Text(first), last_range)) = out.last_mut()
            // Right after the last: an escape's backslash leaves a gap.
            && last_range.end == range.start
        {
            merged
                .get_or_insert_with(|| first.to_string())
                .push_str(part);
            last_range.end = range.end;
            continue;
        }
        if let (Some(text), Some((last, _))) = (merged.take(), out.last_mut()) {
            *last = Event::Text(text.into());
        }
        last_literal = literal;
        out.push((event, range));
    }
    if let (Some(text), Some((last, _))) = (merged.take(), out.last_mut()) {
        *last = Event::Text(text.into());
    }
    out
}

/// A heading's text as MkDocs reads it for its id and the contents:
/// [`plain_text`] with smart symbols made (`(c)` is `©`, which a slug
/// leaves out), code as written.
fn heading_text(events: &[(Event<'_>, Range<usize>)]) -> String {
    let mut text = String::new();
    for (event, _) in events {
        match event {
            Event::Text(t) => text.push_str(&smart_symbols::replaced(t)),
            Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text
}

fn plain_text(events: &[(Event<'_>, Range<usize>)]) -> String {
    let mut text = String::new();
    for (event, _) in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text
}

/// A ```plantuml block as an image drawn by a PlantUML server. The `~h`
/// form sends the diagram hex-encoded, so no compression is needed.
fn plantuml_image(server: &str, code: &str, info: &str) -> String {
    let hex: String = code.bytes().map(|b| format!("{b:02x}")).collect();
    let attr = |name: &str| {
        info.find(&format!("{name}=\"")).and_then(|at| {
            let rest = &info[at + name.len() + 2..];
            rest.find('"').map(|end| rest[..end].to_string())
        })
    };
    let mut img = format!(
        "<p><img class=\"uml\" src=\"{}/svg/~h{hex}\"",
        escape(server.trim_end_matches('/'))
    );
    for name in ["alt", "title", "width", "height"] {
        if let Some(value) = attr(name) {
            img.push_str(&format!(" {name}=\"{}\"", escape(&value)));
        }
    }
    img.push_str(" /></p>\n");
    img
}

/// `{ width="250" .md-button #id }` right after a link or image.
/// The ids `{ #id }` right after the element ending at `end` gives it
/// (the `#` tokens [`trailing_attrs`] reads).
fn trailing_attr_ids(events: &[(Event<'_>, Range<usize>)], end: usize) -> Vec<String> {
    attr_list_after(events, end).map_or_else(Vec::new, |(inner, _)| {
        attr_tokens(&inner)
            .into_iter()
            .filter_map(|(key, value)| match (key.strip_prefix('#'), value) {
                (Some(id), None) => Some(id.to_string()),
                _ => None,
            })
            .collect()
    })
}

/// Where an attr_list ends: the event holding its `}`, and how many bytes
/// of that event's text it takes.
#[derive(Clone, Copy, Debug)]
struct AttrListEnd {
    event: usize,
    bytes: usize,
}

/// Text events an attr_list may span: the parser cuts text at characters
/// that could open emphasis (`target=_blank` is three events).
const MAX_ATTR_LIST_EVENTS: usize = 64;

/// The attr_list `{ ... }` opening the text right after the element ending
/// at `end`, on that line: what is inside it (a leading `:` dropped), and
/// where it ends. A `}` inside quotes (`title="a}b"`) does not end it.
fn attr_list_after(
    events: &[(Event<'_>, Range<usize>)],
    end: usize,
) -> Option<(String, AttrListEnd)> {
    let first = end + 1;
    let (Event::Text(text), _) = events.get(first)? else {
        return None;
    };
    if !text.starts_with('{') {
        return None;
    }
    let mut inner = String::new();
    let mut quote = None;
    for (index, (event, _)) in events
        .iter()
        .enumerate()
        .skip(first)
        .take(MAX_ATTR_LIST_EVENTS)
    {
        let Event::Text(text) = event else {
            return None;
        };
        let skip = usize::from(index == first);
        for (at, c) in text[skip..].char_indices() {
            match (quote, c) {
                (_, '\n') => return None,
                (Some(open), c) if c == open => quote = None,
                (None, '"' | '\'') => quote = Some(c),
                (None, '}') => {
                    let inside = inner.strip_prefix(':').unwrap_or(&inner).trim();
                    // `{}` and `{: }` are text, as in Python-Markdown.
                    if inside.is_empty() {
                        return None;
                    }
                    let end = AttrListEnd {
                        event: index,
                        bytes: skip + at + 1,
                    };
                    return Some((inside.to_string(), end));
                }
                _ => {}
            }
            inner.push(c);
        }
    }
    None
}

/// An attr_list's inside as attr_list reads it: `.class`, `#id`, `key`,
/// `key=value`, `key="a value"` or `key='a value'`, apart at spaces
/// outside quotes. Each is (the word or key, the value).
fn attr_tokens(inner: &str) -> Vec<(&str, Option<&str>)> {
    let mut tokens = Vec::new();
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        let mut quote = None;
        let mut end = rest.len();
        for (at, c) in rest.char_indices() {
            match (quote, c) {
                (Some(open), c) if c == open => quote = None,
                (None, '"' | '\'') => quote = Some(c),
                (None, c) if c.is_whitespace() => {
                    end = at;
                    break;
                }
                _ => {}
            }
        }
        let token = &rest[..end];
        rest = rest[end..].trim_start();
        tokens.push(match token.split_once('=') {
            Some((key, value)) => {
                let unquoted = ['"', '\'']
                    .iter()
                    .find_map(|q| value.strip_prefix(*q)?.strip_suffix(*q));
                (key, Some(unquoted.unwrap_or(value)))
            }
            None => (token, None),
        });
    }
    tokens
}

/// The attributes an attr_list `{ key=value }` may set on a link, an
/// image or emphasis: an allow-list, as an attribute that is harmless on
/// its own can still be turned against the page. `name` makes an `<img>` a
/// property of `document` that shadows its own (`{ name=currentScript }`
/// pointed the search script at the page's own scripts), `formaction`,
/// `ping` and `popovertarget` act, and `href`, `src`, `srcset` and `style`
/// take URLs no link check saw. Names are matched in lower case, as HTML
/// reads them.
fn attr_list_key_allowed(key: &str) -> bool {
    const ALLOWED: &[&str] = &[
        "align",
        "alt",
        "decoding",
        "dir",
        "height",
        "hreflang",
        "lang",
        "loading",
        "referrerpolicy",
        "rel",
        "role",
        "tabindex",
        "target",
        "title",
        "type",
        "width",
    ];
    let key = key.to_ascii_lowercase();
    let own_data = |prefix: &str| {
        key.strip_prefix(prefix).is_some_and(|rest| {
            !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
    };
    ALLOWED.contains(&key.as_str()) || own_data("data-") || own_data("aria-")
}

/// The attributes of the attr_list right after the element ending at
/// `end` (empty when there is none), and where the attr_list ends.
fn trailing_attrs(
    events: &[(Event<'_>, Range<usize>)],
    end: usize,
) -> (String, Option<AttrListEnd>) {
    let Some((inner, list_end)) = attr_list_after(events, end) else {
        return (String::new(), None);
    };
    let mut classes = Vec::new();
    let mut attrs = String::new();
    for (key, value) in attr_tokens(&inner) {
        match (key.strip_prefix('.'), key.strip_prefix('#'), value) {
            (Some(class), _, None) => classes.push(class),
            (_, Some(id), None) => attrs.push_str(&format!(" id=\"{}\"", escape(id))),
            _ if key == "download" && value.is_none() => attrs.push_str(" download"),
            // A word alone is an attribute with itself as value.
            _ if attr_list_key_allowed(key) => {
                attrs.push_str(&format!(" {key}=\"{}\"", escape(value.unwrap_or(key))));
            }
            _ => {}
        }
    }
    if !classes.is_empty() {
        attrs.push_str(&format!(" class=\"{}\"", escape(&classes.join(" "))));
    }
    (attrs, Some(list_end))
}

#[cfg(test)]
mod mkdocs_tests;
#[cfg(test)]
mod snippet_tests;
#[cfg(test)]
mod tests;
