//! A page's title as MkDocs 1.6 takes it from the page (`Page.title`),
//! when `nav` gives none: `title` in its meta-data (YAML front matter, or
//! MultiMarkdown-style `Key: value` lines opening the page,
//! `mkdocs.utils.meta.get_data`), else the text of its first block when
//! that block is a level-1 heading (`_ExtractTitleTreeprocessor` looks at
//! the first element of the page only, as plain text). A page opening with
//! a badge, an HTML comment or an admonition has none: it is named by its
//! file (`nav::title_from_path`).

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Blocks looked at before giving up (link and footnote definitions
/// before the first heading are skipped, as MkDocs' Markdown moves or
/// drops them).
const MAX_BLOCKS: usize = 64;

/// The page's title from its text, if it gives one.
pub fn page_title(text: &str) -> Option<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let body = match yaml_front_matter(text) {
        Some((meta, rest)) => {
            if let Some(title) = meta_title(meta) {
                return Some(title);
            }
            rest
        }
        None => match multimarkdown_title(text) {
            Meta::Title(title) => return Some(title),
            Meta::Rest(rest) => rest,
        },
    };
    first_block_heading(body)
}

/// YAML front matter (`---`, its lines, `---` or `...`), when it is a
/// mapping: (the YAML, the text after it). MkDocs keeps a block that is
/// not a mapping in the page, and looks no further for meta-data.
fn yaml_front_matter(text: &str) -> Option<(&str, &str)> {
    let first = text.split_inclusive('\n').next()?;
    if !first.starts_with("---") || !first[3..].trim_matches([' ', '\t', '\n', '\r']).is_empty() {
        return None;
    }
    let mut at = first.len();
    for line in text[at..].split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        let is_end = (bare.starts_with("---") || bare.starts_with("..."))
            && bare[3..].trim_matches([' ', '\t']).is_empty();
        if is_end && line.ends_with('\n') {
            return Some((&text[first.len()..at], &text[at + line.len()..]));
        }
        at += line.len();
    }
    None
}

/// `title` of YAML front matter that is a mapping.
fn meta_title(yaml: &str) -> Option<String> {
    let node = crate::yaml::parse_single(yaml, crate::yaml::Budget::default()).ok()??;
    let title = node.get("title")?;
    title.as_str().map(str::to_string)
}

enum Meta<'a> {
    Title(String),
    /// The text after the meta-data (all of it when there is none).
    Rest(&'a str),
}

/// MultiMarkdown-style meta-data: `Key: value` lines opening the page (a
/// line indented by four spaces or a tab goes on with the last value),
/// ended by a blank line or the first line of another shape.
fn multimarkdown_title(text: &str) -> Meta<'_> {
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
    match title {
        Some(title) => Meta::Title(title),
        None if key.is_some() => Meta::Rest(&text[at..]),
        None => Meta::Rest(text),
    }
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

/// The text of the page's first block when it is a level-1 heading, as
/// plain text (emphasis, code and links reduced to their text, a trailing
/// `{#id .class}` dropped).
fn first_block_heading(body: &str) -> Option<String> {
    let options = Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TABLES;
    for block in blocks(body).take(MAX_BLOCKS) {
        // Abbreviations (`*[HTML]: …`) are taken out of the page.
        let kept: String = block
            .split_inclusive('\n')
            .filter(|line| !is_abbreviation(line))
            .collect();
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
                        Event::Text(text) | Event::Code(text) => title.push_str(&text),
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

/// The text's blocks: runs of lines between blank lines.
fn blocks(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = rest.len() - rest.trim_start_matches(['\n', '\r', ' ', '\t']).len();
        rest = &rest[start..];
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
        assert_eq!(
            page_title("\u{feff}# With a BOM\n").as_deref(),
            Some("With a BOM")
        );
    }
}
