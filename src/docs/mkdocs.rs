//! `mkdocs.yml`: the settings TechDocs reads, tolerant of Python-only tags.
//!
//! MkDocs files often hold `!ENV [VAR, default]`, `!!python/name:...` or
//! `!relative` tags. Portico never fails on them: `!ENV` gives its default
//! (builds must not depend on the machine's environment), every other tag
//! gives the plain value under it.

use super::markdown::slug::{Normalization, SlugCase, SlugSettings, SlugStyle};
use crate::yaml::{Node, Value};

/// The parts of `mkdocs.yml` Portico uses.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MkdocsConfig {
    pub site_name: Option<String>,
    pub site_description: Option<String>,
    pub repo_url: Option<String>,
    pub edit_uri: Option<String>,
    /// As written; default `docs`.
    pub docs_dir: String,
    /// `None` when the file has no `nav` (MkDocs then builds one).
    pub nav: Option<Node>,
    /// Plugin names, e.g. `techdocs-core`, `search`.
    pub plugins: Vec<(String, usize)>,
    /// Extension names with their line, e.g. `admonition`.
    pub markdown_extensions: Vec<(String, usize)>,
    /// Line of the `nav` key, for diagnostics about nav entries.
    pub nav_line: usize,
    /// The options of the Markdown extensions Portico follows.
    pub markdown: MarkdownSettings,
}

/// Extension options that change how pages render (every render's memo
/// key holds them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct MarkdownSettings {
    pub snippets: SnippetSettings,
    /// The `git-revision-date-localized` plugin's template tags.
    pub dates: DateSettings,
    /// `pymdownx.highlight`'s layout of code blocks.
    pub highlight: HighlightSettings,
    /// The `toc` extension's permalinks and depth.
    pub toc: TocSettings,
    /// `pymdownx.keys`' options; `None` when the site does not list it.
    pub keys: Option<KeysSettings>,
}

/// The `toc` extension's options over techdocs-core's (`permalink: true`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TocSettings {
    /// The permalink's text as HTML (`&para;` for `true`); `None` for none.
    pub permalink: Option<String>,
    /// Its `title` (`Permanent link`; empty for none).
    pub permalink_title: String,
    /// `toc_depth` as written (`3` or `2-4`), `None` when not set.
    pub depth: Option<(u8, u8)>,
    /// `slugify` and `separator`: how heading ids are made.
    pub slug: SlugSettings,
}

impl Default for TocSettings {
    fn default() -> TocSettings {
        TocSettings {
            permalink: Some("&para;".into()),
            permalink_title: "Permanent link".into(),
            depth: None,
            slug: SlugSettings::default(),
        }
    }
}

/// The longest `toc` `separator` taken (MkDocs sites use `-` or `_`).
const MAX_SEPARATOR_BYTES: usize = 8;

/// The longest `permalink` text or title taken.
const MAX_PERMALINK_BYTES: usize = 200;

impl TocSettings {
    fn read(options: Option<&Node>) -> TocSettings {
        let mut settings = TocSettings::default();
        let Some(options) = options else {
            return settings;
        };
        // These texts go into every heading of every page (a separator
        // once per space): longer than any real one, they are not taken.
        let short = |text: String, most: usize| (text.len() <= most).then_some(text);
        if let Some(node) = options.get("permalink") {
            settings.permalink = match &node.value {
                Value::Bool(true) => Some("&para;".into()),
                Value::Bool(false) => None,
                _ => string_value(node)
                    .and_then(|s| short(s, MAX_PERMALINK_BYTES))
                    .map(|s| crate::html::escape(&s)),
            };
        }
        if let Some(title) = options
            .get("permalink_title")
            .and_then(string_value)
            .and_then(|t| short(t, MAX_PERMALINK_BYTES))
        {
            settings.permalink_title = title;
        }
        if let Some(separator) = options
            .get("separator")
            .and_then(string_value)
            .and_then(|s| short(s, MAX_SEPARATOR_BYTES))
        {
            settings.slug.separator = separator;
        }
        if let Some(style) = options.get("slugify").and_then(slug_style) {
            settings.slug.style = style;
        }
        settings.depth = options
            .get("toc_depth")
            .and_then(string_value)
            .and_then(|d| {
                let (top, bottom) = d.split_once('-').unwrap_or(("1", &d));
                let (top, bottom) = (top.trim().parse().ok()?, bottom.trim().parse().ok()?);
                Some((top, bottom))
            });
        settings
    }

    /// Whether a heading of `level` is listed in the page's table of
    /// contents: levels 2 and 3 (Portico's layout) within `toc_depth`.
    pub fn lists(&self, level: u8) -> bool {
        match self.depth {
            Some((top, bottom)) => level >= top.max(2) && level <= bottom,
            None => (2..=3).contains(&level),
        }
    }
}

pub use super::markdown::HighlightSettings;
pub use super::markdown::KeysSettings;

/// The `slugify` a `toc` option names: `!!python/name:` a known function,
/// or `!!python/object/apply:pymdownx.slugs.slugify` with its `kwds`.
/// Another function is not known: ids are then Python-Markdown's default.
fn slug_style(node: &Node) -> Option<SlugStyle> {
    let tag = node.tag.as_deref()?;
    if let Some((_, function)) = tag.split_once("python/name:") {
        let pymdownx = |case, percent_encode| SlugStyle::Pymdownx {
            case,
            percent_encode,
            normalize: Normalization::Nfc,
        };
        return Some(match function {
            "markdown.extensions.toc.slugify" => SlugStyle::Markdown { unicode: false },
            "markdown.extensions.toc.slugify_unicode" => SlugStyle::Markdown { unicode: true },
            "pymdownx.slugs.uslugify" => pymdownx(SlugCase::Lower, false),
            "pymdownx.slugs.uslugify_encoded" => pymdownx(SlugCase::Lower, true),
            "pymdownx.slugs.uslugify_cased" => pymdownx(SlugCase::Kept, false),
            "pymdownx.slugs.uslugify_cased_encoded" => pymdownx(SlugCase::Kept, true),
            "pymdownx.slugs.gfm" => pymdownx(SlugCase::LowerAscii, false),
            "pymdownx.slugs.gfm_encoded" => pymdownx(SlugCase::LowerAscii, true),
            _ => return None,
        });
    }
    let (_, function) = tag.split_once("python/object/apply:")?;
    if function != "pymdownx.slugs.slugify" {
        return None;
    }
    let kwds = node.get("kwds");
    let option = |key: &str| kwds.and_then(|k| k.get(key));
    let case = match option("case").and_then(string_value).as_deref() {
        None | Some("none") => SlugCase::Kept,
        Some("lower") => SlugCase::Lower,
        Some("lower-ascii") => SlugCase::LowerAscii,
        Some("fold") => SlugCase::Fold,
        Some(_) => return None,
    };
    let normalize = match option("normalize").and_then(string_value).as_deref() {
        None | Some("NFC") => Normalization::Nfc,
        Some("NFD") => Normalization::Nfd,
        Some("NFKC") => Normalization::Nfkc,
        Some("NFKD") => Normalization::Nfkd,
        Some(_) => return None,
    };
    let percent_encode = matches!(
        option("percent_encode").map(|n| &n.value),
        Some(Value::Bool(true))
    );
    Some(SlugStyle::Pymdownx {
        case,
        percent_encode,
        normalize,
    })
}

/// `pymdownx.keys`' options, when `markdown_extensions` lists it.
fn keys_settings(root: &Node, listed: &[(String, usize)]) -> Option<KeysSettings> {
    if !listed.iter().any(|(name, _)| name == "pymdownx.keys") {
        return None;
    }
    let mut settings = KeysSettings::default();
    let Some(options) = extension_options(root, "pymdownx.keys") else {
        return Some(settings);
    };
    let flag = |key: &str| match options.get(key).map(|n| &n.value) {
        Some(Value::Bool(b)) => Some(*b),
        _ => None,
    };
    if let Some(separator) = options.get("separator").and_then(string_value) {
        settings.separator = separator;
    }
    if let Some(class) = options.get("class").and_then(string_value) {
        settings.class = class;
    }
    settings.strict = flag("strict").unwrap_or(settings.strict);
    settings.camel_case = flag("camel_case").unwrap_or(settings.camel_case);
    Some(settings)
}

/// `pymdownx.highlight`'s options over techdocs-core's (`linenums: true`).
fn highlight_settings(options: Option<&Node>) -> HighlightSettings {
    let mut settings = HighlightSettings::default();
    let Some(options) = options else {
        return settings;
    };
    let flag = |key: &str| match options.get(key).map(|n| &n.value) {
        Some(Value::Bool(b)) => Some(*b),
        _ => None,
    };
    settings.linenums = flag("linenums").unwrap_or(settings.linenums);
    settings.anchor_linenums = flag("anchor_linenums").unwrap_or(false);
    if let Some(style) = options.get("linenums_style").and_then(string_value)
        && ["table", "inline", "pymdownx-inline"].contains(&style.as_str())
    {
        settings.linenums_style = style;
    }
    settings
}

pub use super::markdown::template_tags::DateSettings;

/// The `git-revision-date-localized` plugin's options (its defaults when
/// it is listed without any).
fn date_settings(root: &Node) -> DateSettings {
    const NAME: &str = "git-revision-date-localized";
    let listed = names(root.get("plugins")).iter().any(|(n, _)| n == NAME);
    let options = list_item_options(root.get("plugins"), NAME);
    let text = |key: &str| options.and_then(|o| o.get(key)).and_then(string_value);
    let flag = |key: &str, default: bool| text(key).map_or(default, |v| v == "true");
    DateSettings {
        enabled: listed && flag("enabled", true),
        kind: text("type").unwrap_or_else(|| "date".into()),
        custom_format: text("custom_format").unwrap_or_else(|| "%d. %B %Y".into()),
        creation: flag("enable_creation_date", false),
    }
}

/// The options of `pymdownx.snippets` Portico follows, with the
/// extension's defaults.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SnippetSettings {
    /// Folders (or single files) snippet names are relative to, relative
    /// to the folder holding mkdocs.yml (where TechDocs runs MkDocs).
    pub base_path: Vec<String>,
    /// A name may not leave its base folder (techdocs-core forces it on).
    pub restrict_base_path: bool,
    /// A missing snippet fails MkDocs' build (an error here).
    pub check_paths: bool,
    /// Line ranges and sections lose their common indentation.
    pub dedent_subsections: bool,
    /// MkDocs would download `https://` snippets; Portico never does.
    pub url_download: bool,
}

impl Default for SnippetSettings {
    fn default() -> SnippetSettings {
        SnippetSettings {
            base_path: vec![".".into()],
            restrict_base_path: true,
            check_paths: false,
            dedent_subsections: false,
            url_download: false,
        }
    }
}

impl SnippetSettings {
    /// Reads the options under `pymdownx.snippets:`; a value of the wrong
    /// type keeps the default.
    fn read(options: Option<&Node>) -> SnippetSettings {
        let mut settings = SnippetSettings::default();
        let Some(options) = options else {
            return settings;
        };
        let flag = |key: &str, default: bool| match options.get(key).map(|n| &n.value) {
            Some(Value::Bool(b)) => *b,
            _ => default,
        };
        // techdocs-core forces `restrict_base_path: true` over the file's.
        settings.restrict_base_path = true;
        settings.check_paths = flag("check_paths", false);
        settings.dedent_subsections = flag("dedent_subsections", false);
        settings.url_download = flag("url_download", false);
        if let Some(base) = options.get("base_path") {
            let paths: Vec<String> = match base.as_seq() {
                Some(items) => items.iter().filter_map(string_value).collect(),
                None => string_value(base).into_iter().collect(),
            };
            if !paths.is_empty() {
                settings.base_path = paths;
            }
        }
        settings
    }
}

/// The options of Markdown extension `name` (`- name: {options}`).
fn extension_options<'n>(root: &'n Node, name: &str) -> Option<&'n Node> {
    list_item_options(root.get("markdown_extensions"), name)
}

/// The options of item `name` of a `plugins` or `markdown_extensions` list.
fn list_item_options<'n>(list: Option<&'n Node>, name: &str) -> Option<&'n Node> {
    let list = list?;
    if let Some(map) = list.as_map() {
        return map.iter().find(|(k, _)| k.name == name).map(|(_, v)| v);
    }
    list.as_seq()?.iter().find_map(|item| {
        let (key, value) = item.as_map()?.first()?;
        (key.name == name).then_some(value)
    })
}

/// The string value of a node, reading `!ENV` defaults.
pub fn string_value(node: &Node) -> Option<String> {
    if node.tag.as_deref() == Some("!ENV") {
        return match &node.value {
            // `!ENV [VAR, VAR2, default]`: the last item is the default.
            Value::Seq(items) if items.len() > 1 => items.last().and_then(string_value),
            _ => None,
        };
    }
    match &node.value {
        Value::String(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Names from a list whose items are `name` or `{name: {options}}`.
fn names(node: Option<&Node>) -> Vec<(String, usize)> {
    let Some(items) = node.and_then(Node::as_seq) else {
        // A mapping form (`plugins: {search: {}}`) is accepted too.
        return node
            .and_then(Node::as_map)
            .map(|m| {
                m.iter()
                    .map(|(k, _)| (k.name.clone(), k.pos.line))
                    .collect()
            })
            .unwrap_or_default();
    };
    items
        .iter()
        .filter_map(|item| match &item.value {
            Value::String(s) => Some((s.clone(), item.pos.line)),
            Value::Map(entries) => entries.first().map(|(k, _)| (k.name.clone(), k.pos.line)),
            _ => None,
        })
        .collect()
}

pub fn parse(root: &Node) -> MkdocsConfig {
    let text = |key: &str| {
        root.get(key)
            .and_then(string_value)
            .filter(|s| !s.trim().is_empty())
    };
    let nav_line = root
        .as_map()
        .and_then(|m| m.iter().find(|(k, _)| k.name == "nav"))
        .map_or(0, |(k, _)| k.pos.line);
    let extensions = names(root.get("markdown_extensions"));
    MkdocsConfig {
        site_name: text("site_name"),
        site_description: text("site_description"),
        repo_url: text("repo_url"),
        edit_uri: text("edit_uri"),
        docs_dir: text("docs_dir").unwrap_or_else(|| "docs".into()),
        nav: root.get("nav").filter(|n| n.as_seq().is_some()).cloned(),
        plugins: names(root.get("plugins")),
        markdown_extensions: extensions.clone(),
        nav_line,
        markdown: MarkdownSettings {
            snippets: SnippetSettings::read(extension_options(root, "pymdownx.snippets")),
            dates: date_settings(root),
            highlight: highlight_settings(extension_options(root, "pymdownx.highlight")),
            toc: TocSettings::read(extension_options(root, "toc")),
            keys: keys_settings(root, &extensions),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Budget, parse_single};

    #[test]
    fn keys_are_on_only_when_listed() {
        let read = |text: &str| parse(&parse_single(text, Budget::default()).unwrap().unwrap());
        assert_eq!(
            read("markdown_extensions:\n  - admonition\n").markdown.keys,
            None
        );
        assert_eq!(
            read("markdown_extensions:\n  - pymdownx.keys\n")
                .markdown
                .keys,
            Some(KeysSettings::default())
        );
        let keys = read(
            "markdown_extensions:\n  - pymdownx.keys:\n      separator: ''\n      strict: true\n      camel_case: true\n      class: kb\n",
        )
        .markdown
        .keys
        .unwrap();
        assert_eq!(
            keys,
            KeysSettings {
                separator: String::new(),
                strict: true,
                class: "kb".into(),
                camel_case: true
            }
        );
    }

    #[test]
    fn reads_settings_and_tolerates_python_tags() {
        let text = "site_name: !ENV [SITE_NAME, 'Docs']\nrepo_url: https://github.com/a/b\ndocs_dir: content\n\
                    markdown_extensions:\n  - admonition\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n\
                    plugins:\n  - techdocs-core\n  - search\nnav:\n  - Home: index.md\n";
        let root = parse_single(text, Budget::default()).unwrap().unwrap();
        let config = parse(&root);
        assert_eq!(config.site_name.as_deref(), Some("Docs"));
        assert_eq!(config.docs_dir, "content");
        assert_eq!(config.repo_url.as_deref(), Some("https://github.com/a/b"));
        let ext: Vec<&str> = config
            .markdown_extensions
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(ext, vec!["admonition", "pymdownx.emoji"]);
        assert_eq!(config.plugins.len(), 2);
        assert!(config.nav.is_some());
        assert_eq!(config.nav_line, 11);
    }

    #[test]
    fn snippet_options_are_read_with_the_extension_defaults() {
        let config = |text: &str| parse(&parse_single(text, Budget::default()).unwrap().unwrap());
        let plain = config("markdown_extensions:\n  - pymdownx.snippets\n");
        assert_eq!(plain.markdown.snippets, SnippetSettings::default());
        assert_eq!(plain.markdown.snippets.base_path, ["."]);
        let set = config(
            "markdown_extensions:\n  - pymdownx.snippets:\n      base_path: docs/snips\n      check_paths: true\n      restrict_base_path: false\n      url_download: yes-please\n",
        );
        let s = &set.markdown.snippets;
        assert_eq!(s.base_path, ["docs/snips"]);
        assert!(s.check_paths && !s.dedent_subsections);
        assert!(s.restrict_base_path, "techdocs-core forces it on");
        assert!(
            !s.url_download,
            "a value of the wrong type keeps the default"
        );
        let mapping = config(
            "markdown_extensions:\n  pymdownx.snippets:\n    base_path: [a, b]\n    dedent_subsections: true\n",
        );
        assert_eq!(mapping.markdown.snippets.base_path, ["a", "b"]);
        assert!(mapping.markdown.snippets.dedent_subsections);
    }

    #[test]
    fn toc_options_set_permalinks_and_depth() {
        let config = |text: &str| parse(&parse_single(text, Budget::default()).unwrap().unwrap());
        let plain = config("site_name: x\n").markdown.toc;
        assert_eq!(plain, TocSettings::default());
        assert!(plain.lists(2) && plain.lists(3) && !plain.lists(4) && !plain.lists(1));
        let set = config(
            "markdown_extensions:\n  - toc:\n      permalink: \"#\"\n      permalink_title: Link <here>\n      toc_depth: 2-4\n",
        )
        .markdown
        .toc;
        assert_eq!(set.permalink.as_deref(), Some("#"));
        assert_eq!(set.permalink_title, "Link <here>");
        assert!(set.lists(4) && !set.lists(5) && !set.lists(1));
        let off =
            config("markdown_extensions:\n  - toc:\n      permalink: false\n      toc_depth: 2\n")
                .markdown
                .toc;
        assert_eq!(off.permalink, None);
        assert!(off.lists(2) && !off.lists(3));
    }

    #[test]
    fn toc_slugify_functions_are_read_from_their_python_tags() {
        let slug = |options: &str| {
            let text = format!("markdown_extensions:\n  - toc:\n{options}");
            parse(&parse_single(&text, Budget::default()).unwrap().unwrap())
                .markdown
                .toc
                .slug
        };
        let applied = slug(
            "      slugify: !!python/object/apply:pymdownx.slugs.slugify\n        kwds:\n          case: lower\n          percent_encode: true\n      separator: _\n",
        );
        assert_eq!(
            applied,
            SlugSettings {
                style: SlugStyle::Pymdownx {
                    case: SlugCase::Lower,
                    percent_encode: true,
                    normalize: Normalization::Nfc
                },
                separator: "_".into()
            }
        );
        let named = slug("      slugify: !!python/name:markdown.extensions.toc.slugify_unicode\n");
        assert_eq!(named.style, SlugStyle::Markdown { unicode: true });
        let old = slug("      slugify: !!python/name:pymdownx.slugs.gfm\n");
        assert!(matches!(
            old.style,
            SlugStyle::Pymdownx {
                case: SlugCase::LowerAscii,
                percent_encode: false,
                ..
            }
        ));
        // A separator longer than any real one is not taken.
        let long = slug(&format!("      separator: {}\n", "x".repeat(9)));
        assert_eq!(long.separator, "-");
        // A function Portico does not know: Python-Markdown's default.
        let unknown = slug("      slugify: !!python/name:my.own.slugify\n");
        assert_eq!(unknown, SlugSettings::default());
    }

    #[test]
    fn env_without_default_is_unset() {
        let root = parse_single("site_name: !ENV SITE\n", Budget::default())
            .unwrap()
            .unwrap();
        assert_eq!(parse(&root).site_name, None);
    }
}
