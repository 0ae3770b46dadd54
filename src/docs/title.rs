//! A page's title as MkDocs 1.6 takes it from the page (`Page.title`),
//! when `nav` gives none: `title` in its meta-data (YAML front matter, or
//! MultiMarkdown-style `Key: value` lines opening the page,
//! `mkdocs.utils.meta.get_data`), else the text of its first block when
//! that block is a level-1 heading (`_ExtractTitleTreeprocessor` looks at
//! the first element of the page only, as plain text). A page opening with
//! a badge, an HTML comment or an admonition has none: it is named by its
//! file (`nav::title_from_path`).

use crate::docs::markdown::smart_symbols;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Blocks looked at before giving up (link and footnote definitions
/// before the first heading are skipped, as MkDocs' Markdown moves or
/// drops them).
const MAX_BLOCKS: usize = 64;

/// Bytes of a block looked at for a heading.
const MAX_BLOCK_BYTES: usize = 4096;

/// The page's title from its text, if it gives one.
#[cfg(test)]
pub fn page_title(text: &str) -> Option<String> {
    page_title_with(text, None)
}

/// [`page_title`], where a page opening with a snippet (`--8<--`) is read
/// as `expand` makes it (pymdownx.snippets includes files before MkDocs
/// looks for the first heading: a page that is `--8<-- "README.md"` is
/// titled by the README's heading).
pub fn page_title_with(text: &str, expand: Option<&dyn Fn(&str) -> String>) -> Option<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let body = match yaml_front_matter(text) {
        Some((meta, rest)) => match mapping(meta) {
            Some(meta) => match meta_title(&meta) {
                Some(title) => return Some(title),
                None => rest,
            },
            // Front matter that is no mapping (or no YAML) stays in the
            // page, as MkDocs keeps it: the page then opens with a rule.
            None => text,
        },
        None => match multimarkdown(text) {
            (Some(title), _) => return Some(title),
            (None, end) => &text[end..],
        },
    };
    // The first block of the page proper (definitions before it are
    // taken out of the page), as `first_block_heading` finds it.
    let Some(expand) = expand.filter(|_| body.contains("--8<--")) else {
        return first_block_heading(body);
    };
    let opens_with_snippet = blocks(body)
        .take(MAX_BLOCKS)
        .find(|block| !is_definitions_only(block))
        .is_some_and(|block| block.contains("--8<--"));
    if opens_with_snippet {
        first_block_heading(&expand(body))
    } else {
        first_block_heading(body)
    }
}

/// YAML front matter (`---`, its lines, `---` or `...`): (the YAML, the
/// text after it). Whether MkDocs takes it ([`mapping`]) or keeps it in
/// the page, it looks no further for meta-data.
fn yaml_front_matter(text: &str) -> Option<(&str, &str)> {
    let first = text.split_inclusive('\n').next()?;
    if !first.starts_with("---") || !first[3..].trim_matches([' ', '\t', '\n', '\r']).is_empty() {
        return None;
    }
    let mut at = first.len();
    // MkDocs' pattern wants a line between the two markers (`---\n---\n`
    // is no front matter).
    for (n, line) in text[at..].split_inclusive('\n').enumerate() {
        if n == 0 && is_marker(line) {
            return None;
        }
        if is_marker(line) && line.ends_with('\n') {
            return Some((&text[first.len()..at], &text[at + line.len()..]));
        }
        at += line.len();
    }
    None
}

/// A line ending front matter: `---` or `...`, then only spaces or tabs.
fn is_marker(line: &str) -> bool {
    let bare = line.trim_end_matches(['\n', '\r']);
    (bare.starts_with("---") || bare.starts_with("..."))
        && bare[3..].trim_matches([' ', '\t']).is_empty()
}

/// YAML front matter read as a mapping (`None`: not YAML, or no mapping).
fn mapping(yaml: &str) -> Option<crate::yaml::Node> {
    let node = crate::yaml::parse_single(yaml, crate::yaml::Budget::default()).ok()??;
    node.as_map().is_some().then_some(node)
}

/// `title` of front matter, as Python prints it: `2024`, `1.5`, `True`.
fn meta_title(meta: &crate::yaml::Node) -> Option<String> {
    use crate::yaml::Value;
    match &meta.get("title")?.value {
        Value::String(text) => Some(text.clone()),
        Value::Int(n) => Some(n.to_string()),
        Value::Float(x) if x.fract() == 0.0 && x.is_finite() => Some(format!("{x:.1}")),
        Value::Float(x) => Some(x.to_string()),
        Value::Bool(true) => Some("True".into()),
        Value::Bool(false) => Some("False".into()),
        _ => None,
    }
}

/// MultiMarkdown-style meta-data: `Key: value` lines opening the page (a
/// line indented by four spaces or a tab goes on with the last value),
/// ended by a blank line (taken with them) or the first line of another
/// shape. Returns its `title`, and how many bytes it takes (0: none).
fn multimarkdown(text: &str) -> (Option<String>, usize) {
    let mut title: Option<String> = None;
    let mut key: Option<String> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare.trim().is_empty() {
            at += line.len();
            break;
        }
        if let Some((name, value)) = meta_line(bare) {
            let name = name.to_ascii_lowercase();
            if name == "title" {
                title = Some(match title {
                    Some(before) => format!("{before} {}", value.trim()),
                    None => value.trim().to_string(),
                });
            }
            key = Some(name);
        } else if key.is_some() && (bare.starts_with("    ") || bare.starts_with('\t')) {
            if key.as_deref() == Some("title") {
                let more = bare.trim();
                title = title.map(|t| format!("{t} {more}"));
            }
        } else {
            break;
        }
        at += line.len();
    }
    (title, if key.is_some() { at } else { 0 })
}

/// How many bytes of `text` open it as MultiMarkdown-style meta-data,
/// which MkDocs takes out of the page (`meta.get_data`), with the blank
/// line ending them: 0 when there are none, or when the page has YAML front
/// matter (MkDocs then looks no further).
pub fn multimarkdown_meta_len(text: &str) -> usize {
    if yaml_front_matter(text).is_some() {
        return 0;
    }
    multimarkdown(text).1
}

/// `key: value` as MkDocs' `META_RE` reads it: up to three spaces, a key of
/// letters, digits, `_` and `-`, a colon.
fn meta_line(line: &str) -> Option<(&str, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let (key, value) = line[indent..].split_once(':')?;
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    plain.then_some((key, value))
}

/// Whether a block holds only definitions (links, footnotes,
/// abbreviations), which MkDocs' Markdown takes out of the page.
fn is_definitions_only(block: &str) -> bool {
    matches!(
        Parser::new_ext(&block_head(block), Options::ENABLE_FOOTNOTES).next(),
        None | Some(Event::Start(Tag::FootnoteDefinition(_)))
    )
}

/// What of a block is looked at: its first few KB (a heading is short, and
/// a block of a million nested quotes is never handed to the parser
/// whole), abbreviations (`*[HTML]: …`) taken out, as MkDocs takes them
/// out of the page.
fn block_head(block: &str) -> String {
    let mut cut = block.len().min(MAX_BLOCK_BYTES);
    while !block.is_char_boundary(cut) {
        cut -= 1;
    }
    block[..cut]
        .split_inclusive('\n')
        .filter(|line| !is_abbreviation(line))
        .collect()
}

/// The text of the page's first block when it is a level-1 heading, as
/// plain text (emphasis, code and links reduced to their text, a trailing
/// `{#id .class}` dropped).
fn first_block_heading(body: &str) -> Option<String> {
    let options = Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TABLES;
    for block in blocks(body).take(MAX_BLOCKS) {
        let kept = block_head(block);
        let mut events = Parser::new_ext(&kept, options);
        match events.next() {
            // Only definitions: nothing of the page yet.
            None => continue,
            Some(Event::Start(Tag::FootnoteDefinition(_))) => continue,
            Some(Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            })) => {
                let mut title = String::new();
                for event in events {
                    match event {
                        Event::End(TagEnd::Heading(_)) => break,
                        // MkDocs takes the title after smart symbols
                        // (`(c)` is `©`), code as written.
                        Event::Text(text) => title.push_str(&smart_symbols::replaced(&text)),
                        Event::Code(text) => title.push_str(&text),
                        Event::SoftBreak | Event::HardBreak => title.push(' '),
                        _ => {}
                    }
                }
                let title = title.trim();
                return (!title.is_empty()).then(|| title.to_string());
            }
            Some(_) => return None,
        }
    }
    None
}

/// The text's blocks: runs of lines between blank lines, each from its
/// first line's start (an indented first line is a code block).
fn blocks(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        while let Some(line) = rest.split_inclusive('\n').next()
            && line.trim().is_empty()
        {
            rest = &rest[line.len()..];
        }
        if rest.is_empty() {
            return None;
        }
        let mut end = 0;
        for line in rest.split_inclusive('\n') {
            if line.trim().is_empty() {
                break;
            }
            end += line.len();
        }
        let (block, after) = rest.split_at(end);
        rest = after;
        Some(block)
    })
}

fn is_abbreviation(line: &str) -> bool {
    line.strip_prefix("*[")
        .and_then(|rest| rest.split_once("]:"))
        .is_some_and(|(name, _)| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_headings_title_has_its_smart_symbols_as_mkdocs_takes_it() {
        // MkDocs 1.6.1 + techdocs-core: `<title>Brand © ½ → (c) x - FX</title>`.
        assert_eq!(
            page_title("# Brand (c) 1/2 --> `(c)` x\n").as_deref(),
            Some("Brand © ½ → (c) x")
        );
    }

    #[test]
    fn titles_come_from_meta_data_then_a_first_level_one_heading() {
        let cases: [(&str, Option<&str>); 14] = [
            ("---\ntitle: 'Meta'\n---\n# H\n", Some("Meta")),
            (
                "---\nauthor: x\n---\n\n# From the heading\n",
                Some("From the heading"),
            ),
            (
                "Title: Multi\n    Markdown\nAuthor: x\n\n# H\n",
                Some("Multi Markdown"),
            ),
            ("Author: x\n\n# After meta\n", Some("After meta")),
            (
                "# Deploying **fast** with [`tool`](x.md) {#id}\n",
                Some("Deploying fast with tool"),
            ),
            ("Title\n=====\n\nText.\n", Some("Title")),
            (
                "[ref]: https://example.com\n\n# After a definition\n",
                Some("After a definition"),
            ),
            (
                "*[HTML]: Hyper Text\n# After an abbreviation\n",
                Some("After an abbreviation"),
            ),
            (
                "[^1]: A note.\n\n# After a footnote\n",
                Some("After a footnote"),
            ),
            ("![badge](b.svg)\n\n# Not first\n", None),
            ("<!-- comment -->\n\n# Not first\n", None),
            ("!!! note\n    x\n\n# Not first\n", None),
            ("## A second level\n\n# Not first\n", None),
            ("```\n# not a heading\n```\n# Real\n", None),
        ];
        for (text, title) in cases {
            assert_eq!(page_title(text).as_deref(), title, "{text:?}");
        }
        assert_eq!(page_title("no heading"), None);
        // A page opening with a snippet is titled as the snippet makes it;
        // its own front matter still comes first.
        let expand =
            |text: &str| text.replace("--8<-- \"README.md\"", "# From the README\n\nText.");
        let expand = Some(&expand as &dyn Fn(&str) -> String);
        let titled = |text: &str| page_title_with(text, expand);
        assert_eq!(
            titled("--8<-- \"README.md\"\n").as_deref(),
            Some("From the README")
        );
        assert_eq!(
            titled("---\ntitle: Own\n---\n--8<-- \"README.md\"\n").as_deref(),
            Some("Own")
        );
        assert_eq!(titled("Intro.\n\n--8<-- \"README.md\"\n"), None);
        assert_eq!(
            titled("[ref]: http://x\n\n--8<-- \"README.md\"\n").as_deref(),
            Some("From the README")
        );
        assert_eq!(page_title("--8<-- \"README.md\"\n"), None);
        // Titles that YAML reads as other scalars print as Python prints them.
        assert_eq!(
            page_title("---\ntitle: 2024\n---\n").as_deref(),
            Some("2024")
        );
        assert_eq!(page_title("---\ntitle: 1.0\n---\n").as_deref(), Some("1.0"));
        assert_eq!(
            page_title("---\ntitle: true\n---\n").as_deref(),
            Some("True")
        );
        // Front matter that is no mapping stays in the page: no title.
        assert_eq!(page_title("---\n- a\n---\n# H\n"), None);
        assert_eq!(page_title("---\ntitle: a: b\n---\n# H\n"), None);
        // `---` right after `---` is no front matter: a rule, no title.
        assert_eq!(page_title("---\n---\n# H\n"), None);
        // An indented first line is a code block.
        assert_eq!(page_title("    # install deps\n\n# Real\n"), None);
        assert_eq!(
            page_title("\n\n   # Three spaces\n").as_deref(),
            Some("Three spaces")
        );
        let quotes = format!("{}x\n\n# After\n", "> ".repeat(100_000));
        assert_eq!(page_title(&quotes), None);
        assert_eq!(
            page_title("\u{feff}# With a BOM\n").as_deref(),
            Some("With a BOM")
        );
    }
}
