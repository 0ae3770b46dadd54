//! MkDocs' `exclude_docs`, `draft_docs` and `not_in_nav`: which files of a
//! docs folder are left out of the site, and which pages are meant to stay
//! out of its nav.
//!
//! Each setting is a multi-line string of gitignore-style patterns, read as
//! MkDocs reads it: with Python's `pathspec` `GitIgnoreSpec`, matched
//! against each file's path relative to `docs_dir`. `exclude_docs` comes
//! after MkDocs' own patterns (`.*` and `/templates/`), so `!` can take one
//! of those back. As in `GitIgnoreSpec` (pathspec 1.x, what installing
//! MkDocs gets), the last pattern matching the file itself decides; a
//! pattern matching only through a folder (`drafts/`) decides when none
//! does, so `!drafts/keep.md` keeps that page whatever their order.
//!
//! Every pattern of a setting is compiled into one [`regex::RegexSet`], so
//! a file is looked at once whatever the number of patterns; only the
//! patterns that matched are looked at again, for how they matched.

use crate::yaml::{Node, Value};

/// Portico's own limits (MkDocs has none): patterns at most in one
/// setting, and bytes at most in all its patterns, so a hostile
/// `mkdocs.yml` cannot make each of a repository's files cost much.
pub const MAX_PATTERNS: usize = 200;
pub const MAX_PATTERN_BYTES: usize = 8 * 1024;
/// The compiled patterns of one setting, at most (the `regex` crate's
/// measure).
const MAX_COMPILED_BYTES: usize = 1024 * 1024;

/// The matching one site's settings may cost: bytes of paths times the
/// patterns' weight (one per pattern and one per wildcard in it, which is
/// what makes a pattern slow to match). A docs folder of 20,000 files of
/// 80 bytes with 30 plain patterns is half of it. Past it the site is
/// refused (`mkdocs-invalid`), as past the other limits.
pub const MAX_MATCH_WORK: usize = 100_000_000;

/// MkDocs' own exclusions, always first (`files._default_exclude`).
const DEFAULT_EXCLUDE: &str = ".*\n/templates/\n";

/// [`DEFAULT_EXCLUDE`] compiled once: most sites set no `exclude_docs`,
/// and compiling it for each was a twentieth of a `check`.
static DEFAULT_SPEC: std::sync::LazyLock<PathSpec> = std::sync::LazyLock::new(|| {
    PathSpec::parse(DEFAULT_EXCLUDE).expect("MkDocs' own patterns compile")
});

/// The name of the capture group marking a match through a folder.
const FOLDER_MARK: &str = "folder";

/// What becomes of one file of the docs folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inclusion {
    /// Left out of the site (`exclude_docs`, MkDocs' defaults).
    Excluded,
    /// Left out of the built site (`draft_docs`).
    Draft,
    /// Built, and not expected in the nav (`not_in_nav`).
    NotInNav,
    Included,
}

/// One setting's patterns, compiled.
#[derive(Clone, Debug)]
pub struct PathSpec {
    set: regex::RegexSet,
    /// Per pattern of `set`: the same regex (for how it matched), and
    /// whether a match puts the file in (`false` for a `!` pattern).
    patterns: Vec<(regex::Regex, bool)>,
    /// What matching one byte of a path costs, in [`MAX_MATCH_WORK`]'s
    /// units.
    weight: usize,
}

/// A setting that could not be read, with the line to point at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingError {
    pub line: usize,
    pub message: String,
    /// Whether MkDocs would read it (it is over Portico's own limits).
    pub over_limits: bool,
}

/// Why a setting's patterns were refused.
enum Refused {
    /// MkDocs refuses them too.
    Invalid(String),
    /// Over Portico's own limits.
    OverLimits(String),
}

impl PathSpec {
    /// The patterns of `text`, one a line; blank lines, `#` comments and a
    /// pattern with an unclosed `[` match nothing.
    pub fn parse(text: &str) -> Result<PathSpec, String> {
        PathSpec::parse_after("", text).map_err(|refused| match refused {
            Refused::Invalid(m) | Refused::OverLimits(m) => m,
        })
    }

    /// The patterns of `first` (trusted: MkDocs' own), then those of
    /// `text`, to which the limits apply.
    fn parse_after(first: &str, text: &str) -> Result<PathSpec, Refused> {
        let mut sources = Vec::new();
        let mut includes = Vec::new();
        let mut own = 0;
        let mut own_bytes = 0;
        let mut weight = 0;
        for (line, counted) in split_lines(first)
            .map(|l| (l, false))
            .chain(split_lines(text).map(|l| (l, true)))
        {
            weight += 1 + line.matches(['*', '?', '[']).count();
            let Some((source, include)) = translate(line).map_err(Refused::Invalid)? else {
                continue;
            };
            if counted {
                own += 1;
                own_bytes += line.len();
                if own > MAX_PATTERNS || own_bytes > MAX_PATTERN_BYTES {
                    return Err(Refused::OverLimits(format!(
                        "it has more than {MAX_PATTERNS} patterns or {MAX_PATTERN_BYTES} bytes of them, Portico's limits"
                    )));
                }
            }
            sources.push(source);
            includes.push(include);
        }
        // The whole set first: what is too big to match fails here, before
        // each pattern is compiled on its own.
        let set = regex::RegexSetBuilder::new(&sources)
            .size_limit(MAX_COMPILED_BYTES)
            .build()
            .map_err(|e| match e {
                regex::Error::CompiledTooBig(_) => Refused::OverLimits(format!(
                    "its patterns are too many or too complex to match (over Portico's limit of {} KiB compiled)",
                    MAX_COMPILED_BYTES / 1024
                )),
                e => Refused::Invalid(format!("its patterns cannot be matched: {e}")),
            })?;
        let mut patterns = Vec::with_capacity(sources.len());
        for (source, include) in sources.iter().zip(includes) {
            let regex = regex::RegexBuilder::new(source)
                .size_limit(MAX_COMPILED_BYTES)
                .build()
                .map_err(|e| Refused::OverLimits(format!("a pattern cannot be matched: {e}")))?;
            patterns.push((regex, include));
        }
        Ok(PathSpec {
            set,
            patterns,
            weight,
        })
    }

    /// Whether `path` (relative to `docs_dir`, `/`-separated) is in the
    /// set the patterns describe.
    pub fn matches(&self, path: &str) -> bool {
        let mut by_file = None;
        let mut by_folder = None;
        for i in self.set.matches(path).iter() {
            let (regex, include) = &self.patterns[i];
            let through_folder = regex
                .captures(path)
                .is_some_and(|c| c.name(FOLDER_MARK).is_some());
            if through_folder {
                by_folder = Some(*include);
            } else {
                by_file = Some(*include);
            }
        }
        by_file.or(by_folder).unwrap_or(false)
    }
}

/// The lines of a setting as Python's `str.splitlines` cuts them.
fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let breaks = [
        '\n', '\r', '\x0b', '\x0c', '\x1c', '\x1d', '\x1e', '\u{85}', '\u{2028}', '\u{2029}',
    ];
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let Some(at) = rest.find(breaks) else {
            return Some(std::mem::take(&mut rest));
        };
        let line = &rest[..at];
        let after = &rest[at..];
        let width = if after.starts_with("\r\n") {
            2
        } else {
            after.chars().next().map_or(1, char::len_utf8)
        };
        rest = &after[width..];
        Some(line)
    })
}

/// A gitignore pattern as the regex `pathspec` makes of it, and whether a
/// match puts the file in; `None` for a line that matches nothing.
fn translate(line: &str) -> Result<Option<(String, bool)>, String> {
    // Trailing spaces go, unless the last is escaped; leading ones stay.
    let pattern = if line.ends_with("\\ ") {
        line
    } else {
        line.trim_end()
    };
    if pattern.is_empty() || pattern.starts_with('#') || pattern == "/" {
        return Ok(None);
    }
    let (pattern, include) = match pattern.strip_prefix('!') {
        Some(rest) => (rest, false),
        None => (pattern, true),
    };
    let invalid = || format!("`{}` is not a valid pattern", line.trim());
    let folder_only = pattern.ends_with('/');
    let mut segments: Vec<&str> = pattern.split('/').collect();
    if segments[0].is_empty() {
        // `/name`: from the docs folder's top.
        segments.remove(0);
    } else if segments.len() == 1 || (segments.len() == 2 && segments[1].is_empty()) {
        // `name` or `name/`: at any depth.
        if segments[0] != "**" {
            segments.insert(0, "**");
        }
    }
    let Some(last) = segments.last_mut() else {
        return Err(invalid());
    };
    if last.is_empty() {
        // `name/`: everything under it.
        *last = "**";
    }
    segments.dedup_by(|a, b| *a == "**" && *b == "**");
    let folder_mark = format!("(?P<{FOLDER_MARK}>/)");
    let special = match segments.as_slice() {
        ["**"] if folder_only => Some(folder_mark.clone()),
        ["**"] | ["**", "*"] => Some(".".to_string()),
        ["**", "*", "**"] if folder_only => Some(folder_mark.clone()),
        ["**", "*", "**"] => Some("/".to_string()),
        _ => None,
    };
    if let Some(regex) = special {
        return Ok(Some((regex, include)));
    }
    let mut regex = String::new();
    let mut need_slash = false;
    let mut invalid_set = None;
    let end = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        if *segment == "**" {
            if i == 0 {
                regex.push_str("^(?:.+/)?");
            } else if i < end {
                regex.push_str("(?:/.+)?");
                need_slash = true;
            } else if folder_only {
                regex.push_str(&folder_mark);
            } else {
                regex.push('/');
            }
            continue;
        }
        if i == 0 {
            regex.push('^');
        }
        if need_slash {
            regex.push('/');
        }
        if *segment == "*" {
            regex.push_str("[^/]+");
        } else {
            match segment_glob(segment) {
                Glob::Regex(r) => regex.push_str(&r),
                Glob::Unclosed => return Ok(None),
                Glob::InvalidSet(e) => {
                    invalid_set.get_or_insert(e);
                }
                Glob::TrailingEscape => return Err(invalid()),
            }
        }
        if i == end {
            regex.push_str(&format!("(?:{folder_mark}|$)"));
        }
        need_slash = true;
    }
    if let Some(e) = invalid_set {
        return Err(format!(
            "`{}` has a set of characters that cannot be matched: {e}",
            line.trim()
        ));
    }
    Ok(Some((regex, include)))
}

enum Glob {
    Regex(String),
    /// A `[` with no `]`: the pattern matches nothing (pathspec discards it).
    Unclosed,
    /// A set no regex can hold (`[z-a]`): MkDocs stops with Python's
    /// `re.error`.
    InvalidSet(String),
    TrailingEscape,
}

/// One path segment's glob as a regex: `*` and `?` stop at `/`, `[...]`
/// is a set of characters (`!` or `^` first negates it), `\` escapes.
fn segment_glob(glob: &str) -> Glob {
    let chars: Vec<char> = glob.chars().collect();
    let mut regex = String::new();
    let mut invalid = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '\\' => match chars.get(i) {
                Some(next) => {
                    regex.push_str(&regex::escape(&next.to_string()));
                    i += 1;
                }
                None => return Glob::TrailingEscape,
            },
            '*' => regex.push_str("[^/]*"),
            '?' => regex.push_str("[^/]"),
            '[' => {
                // Where the set ends, as pathspec finds it: past a leading
                // `!` or `^`, then a leading `]`, the next `]`.
                let mut j = i;
                if matches!(chars.get(j), Some('!' | '^')) {
                    j += 1;
                }
                if chars.get(j) == Some(&']') {
                    j += 1;
                }
                while j < chars.len() && chars[j] != ']' {
                    j += 1;
                }
                if j == chars.len() {
                    return Glob::Unclosed;
                }
                let negated = matches!(chars[i], '!' | '^');
                let members = &chars[i + usize::from(negated)..j];
                match char_set(members, negated) {
                    Ok(set) => regex.push_str(&set),
                    // Python's `re` refuses it only once the whole pattern
                    // is made: an unclosed `[` later discards it first.
                    Err(e) => {
                        invalid.get_or_insert(e);
                    }
                }
                i = j + 1;
            }
            _ => regex.push_str(&regex::escape(&c.to_string())),
        }
    }
    match invalid {
        Some(e) => Glob::InvalidSet(e),
        None => Glob::Regex(regex),
    }
}

/// A set's members as Python's `re` reads them (pathspec hands it the
/// glob's text, backslashes doubled so they stand for themselves): `a-z`
/// is a range, a `-` first or last is itself, and `]` first is itself.
/// Written out for the `regex` crate, every character escaped, so none of
/// its own set syntax (`[`, `&&`, `--`, `~~`) applies.
fn char_set(members: &[char], negated: bool) -> Result<String, String> {
    let escaped = |c: char| format!("\\x{{{:X}}}", u32::from(c));
    let mut set = String::from(if negated { "[^" } else { "[" });
    let mut k = 0;
    while k < members.len() {
        let low = members[k];
        k += 1;
        if members.get(k) == Some(&'-') && k + 1 < members.len() {
            let high = members[k + 1];
            k += 2;
            if high < low {
                return Err(format!("bad character range {low}-{high}"));
            }
            set.push_str(&format!("{}-{}", escaped(low), escaped(high)));
        } else {
            set.push_str(&escaped(low));
        }
    }
    set.push(']');
    Ok(set)
}

/// Whether MkDocs leaves a file of the docs folder out of every site, as
/// it does whatever `exclude_docs` says (`files._default_exclude`, the
/// patterns `.*` and `/templates/`): anything whose name, or a folder's on
/// its way, starts with a dot (`.snippets/`, `.pages`, `.DS_Store`), and
/// the `templates` folder at the docs folder's top.
pub fn excluded_by_default(path: &str) -> bool {
    DEFAULT_SPEC.matches(path)
}

/// A docs site's three settings, compiled.
#[derive(Clone, Debug)]
pub struct Exclusions {
    exclude: PathSpec,
    drafts: Option<PathSpec>,
    not_in_nav: Option<PathSpec>,
    /// The line of the setting that weighs most (1 with none set): where
    /// a site over the work limit is told to look.
    heaviest_line: usize,
}

impl Default for Exclusions {
    fn default() -> Exclusions {
        Exclusions {
            exclude: DEFAULT_SPEC.clone(),
            drafts: None,
            not_in_nav: None,
            heaviest_line: 1,
        }
    }
}

impl Exclusions {
    /// The settings of an `mkdocs.yml` (its top-level mapping).
    pub fn read(root: &Node) -> Result<Exclusions, SettingError> {
        // A setting's patterns after `first`; `None` when it is unset.
        let compiled =
            |key: &str, first: &str| -> Result<Option<(PathSpec, usize)>, SettingError> {
                let Some((line, text)) = setting(root, key)?.filter(|(_, text)| !text.is_empty())
                else {
                    return Ok(None);
                };
                PathSpec::parse_after(first, &text)
                    .map(|spec| Some((spec, line)))
                    .map_err(|refused| {
                        let (message, over_limits) = match refused {
                            Refused::Invalid(m) => (m, false),
                            Refused::OverLimits(m) => (m, true),
                        };
                        SettingError {
                            line,
                            message: format!("`{key}`: {message}"),
                            over_limits,
                        }
                    })
            };
        let exclude = compiled("exclude_docs", DEFAULT_EXCLUDE)?;
        let drafts = compiled("draft_docs", "")?;
        let not_in_nav = compiled("not_in_nav", "")?;
        let heaviest_line = [&exclude, &drafts, &not_in_nav]
            .into_iter()
            .flatten()
            .max_by_key(|(spec, line)| (spec.weight, std::cmp::Reverse(*line)))
            .map_or(1, |(_, line)| *line);
        Ok(Exclusions {
            // Unset: MkDocs' own patterns alone, compiled once.
            exclude: exclude.map_or_else(|| DEFAULT_SPEC.clone(), |(spec, _)| spec),
            drafts: drafts.map(|(spec, _)| spec),
            not_in_nav: not_in_nav.map(|(spec, _)| spec),
            heaviest_line,
        })
    }

    /// The line of the setting that weighs most (1 when none is set).
    pub fn heaviest_line(&self) -> usize {
        self.heaviest_line
    }

    /// What matching one byte of a path against every setting costs, in
    /// [`MAX_MATCH_WORK`]'s units.
    pub fn weight(&self) -> usize {
        self.exclude.weight
            + self.drafts.as_ref().map_or(0, |d| d.weight)
            + self.not_in_nav.as_ref().map_or(0, |n| n.weight)
    }

    /// What becomes of the file at `path` (relative to `docs_dir`), in the
    /// order MkDocs asks (`files.set_exclusions`).
    pub fn inclusion(&self, path: &str) -> Inclusion {
        if self.exclude.matches(path) {
            Inclusion::Excluded
        } else if self.drafts.as_ref().is_some_and(|d| d.matches(path)) {
            Inclusion::Draft
        } else if self.not_in_nav.as_ref().is_some_and(|n| n.matches(path)) {
            Inclusion::NotInNav
        } else {
            Inclusion::Included
        }
    }
}

/// A pattern setting's text and line: a string, as MkDocs requires
/// (`config_options.PathSpec`); nothing when unset or null.
fn setting(root: &Node, key: &str) -> Result<Option<(usize, String)>, SettingError> {
    let Some((line, node)) = root
        .as_map()
        .and_then(|m| m.iter().find(|(k, _)| k.name == key))
        .map(|(k, node)| (k.pos.line, node))
    else {
        return Ok(None);
    };
    let text = match &node.value {
        Value::Null => return Ok(None),
        // `!ENV` gives its default (builds do not read the machine's
        // environment); with none, the setting is unset, as for MkDocs.
        _ if node.tag.as_deref() == Some("!ENV") => match super::mkdocs::string_value(node) {
            None => return Ok(None),
            text => text,
        },
        Value::String(text) => Some(text.clone()),
        _ => None,
    };
    match text {
        Some(text) => Ok(Some((line, text))),
        None => Err(SettingError {
            line,
            over_limits: false,
            message: format!(
                "`{key}` is {}, and MkDocs takes only a multi-line string of patterns (`{key}: |` and a pattern a line)",
                node.type_name()
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> PathSpec {
        PathSpec::parse(text).unwrap()
    }

    /// Expected values from Python's `pathspec.GitIgnoreSpec.from_lines`,
    /// pathspec 1.1.1 (each checked there).
    #[test]
    fn patterns_match_as_gitignore_spec_does() {
        let cases: &[(&str, &[&str], &[&str])] = &[
            ("*.py", &["a.py", "x/y/a.py"], &["a.pyc", "a.md"]),
            (
                "/requirements.txt",
                &["requirements.txt"],
                &["x/requirements.txt"],
            ),
            (
                "api-config.json",
                &["api-config.json", "a/api-config.json"],
                &["api-config.jsonx"],
            ),
            (
                "drafts/",
                &["drafts/a.md", "x/drafts/b/c.md"],
                &["drafts", "drafts.md"],
            ),
            ("/drafts/", &["drafts/a.md"], &["x/drafts/a.md"]),
            ("a/*.md", &["a/b.md"], &["a/b/c.md", "x/a/b.md"]),
            ("a/**/b.md", &["a/b.md", "a/x/y/b.md"], &["b.md"]),
            (
                "**/secret",
                &["secret", "x/secret", "x/secret/y"],
                &["secrets"],
            ),
            ("*", &["a", "a/b"], &[]),
            ("*/", &["a/b"], &["a"]),
            ("**", &["a", "a/b"], &[]),
            ("ab?.md", &["abc.md"], &["ab.md", "ab/.md"]),
            ("[abc].md", &["a.md", "c.md"], &["d.md"]),
            ("[!abc].md", &["d.md"], &["a.md"]),
            ("\\#x", &["#x"], &["x"]),
            ("\\!x", &["!x"], &["x"]),
            ("# comment", &[], &["# comment"]),
            ("[][!]x", &["]x", "[x", "!x"], &["ax"]),
            ("[]-]x", &["]x", "-x"], &["ax"]),
            ("[!]a-]x", &["bx"], &["]x", "ax", "-x"]),
            ("[[:alpha:]]x", &["a]x", "[]x"], &["ax"]),
            ("[a&&b]x", &["ax", "&x"], &["cx"]),
            ("[a~~b]x", &["ax", "~x"], &["cx"]),
            ("x\\ ", &["x "], &["x"]),
            (" x", &[" x"], &["x"]),
            ("a\\*b", &["a*b"], &["axb"]),
            ("**/", &["a/b"], &["a"]),
            ("a/**", &["a/b", "a/b/c"], &["a"]),
            ("a/**/", &["a/b", "a/b/c"], &["a"]),
            ("**/a/**/b/**", &["a/b/c", "x/a/y/b/z"], &["a/b"]),
            ("é*.md", &["é1.md"], &["e1.md"]),
            ("[é]x", &["éx"], &["ex"]),
            ("a?", &["ab", "aé"], &["a/"]),
            ("A.md", &["A.md"], &["a.md"]),
            ("[+--]x", &["+x", "-x", ",x"], &["ax"]),
            ("[]-z]x", &["]x", "ax", "_x"], &["-x", "Ax"]),
            ("[a-c--b]x", &["ax", "-x", "Bx"], &["~x"]),
            ("[|-&][]x", &[], &["|x"]),
            ("[a\\]x", &["ax", "\\x"], &["bx"]),
            ("[unclosed", &[], &["[unclosed"]),
            ("a[", &[], &["a["]),
            ("trailing.md   ", &["trailing.md"], &[]),
            ("/", &[], &["a"]),
        ];
        for (pattern, yes, no) in cases {
            let spec = spec(pattern);
            for path in *yes {
                assert!(spec.matches(path), "{pattern:?} should match {path:?}");
            }
            for path in *no {
                assert!(!spec.matches(path), "{pattern:?} should not match {path:?}");
            }
        }
    }

    #[test]
    fn later_patterns_win_but_a_folder_gives_way_only_to_the_file() {
        let spec = spec("*.md\n!keep.md\n");
        assert!(spec.matches("a.md"));
        assert!(!spec.matches("keep.md"));
        // A file taken back from an excluded folder (git itself would not).
        let spec = self::spec("drafts/\n!drafts/keep.md\n");
        assert!(spec.matches("drafts/a.md"));
        assert!(!spec.matches("drafts/keep.md"));
        // Whatever the order: the file's own pattern decides.
        let spec = self::spec("!drafts/keep.md\ndrafts/\n");
        assert!(!spec.matches("drafts/keep.md"));
        assert!(spec.matches("drafts/other.md"));
        // A `!folder/` does not take back what a file pattern excluded.
        let spec = self::spec("*.md\n!drafts/\n");
        assert!(spec.matches("drafts/a.md"));
    }

    fn exclusions(yaml: &str) -> Result<Exclusions, SettingError> {
        let root = crate::yaml::parse_single(yaml, crate::yaml::Budget::default())
            .unwrap()
            .unwrap();
        Exclusions::read(&root)
    }

    #[test]
    fn mkdocs_defaults_come_first_and_can_be_taken_back() {
        let plain = exclusions("site_name: x\n").unwrap();
        assert_eq!(plain.inclusion(".well-known/a.txt"), Inclusion::Excluded);
        assert_eq!(plain.inclusion("templates/a.md"), Inclusion::Excluded);
        assert_eq!(plain.inclusion("a/templates/a.md"), Inclusion::Included);
        let kept = exclusions("exclude_docs: |\n  !.well-known/\n  *.py\n").unwrap();
        assert_eq!(kept.inclusion(".well-known/a.txt"), Inclusion::Included);
        assert_eq!(kept.inclusion(".git/x"), Inclusion::Excluded);
        assert_eq!(kept.inclusion("tools/gen.py"), Inclusion::Excluded);
    }

    #[test]
    fn exclusion_then_draft_then_not_in_nav() {
        let e = exclusions(
            "exclude_docs: |\n  secret/\ndraft_docs: |\n  wip-*.md\n  secret/\nnot_in_nav: |\n  /orphans/\n  wip-*.md\n",
        )
        .unwrap();
        assert_eq!(e.inclusion("secret/a.md"), Inclusion::Excluded);
        assert_eq!(e.inclusion("wip-b.md"), Inclusion::Draft);
        assert_eq!(e.inclusion("orphans/c.md"), Inclusion::NotInNav);
        assert_eq!(e.inclusion("index.md"), Inclusion::Included);
    }

    #[test]
    fn settings_must_be_strings_of_valid_patterns() {
        assert!(exclusions("exclude_docs:\n").is_ok());
        let list = exclusions("site_name: x\nexclude_docs:\n  - a.md\n").unwrap_err();
        assert_eq!(list.line, 2);
        assert!(list.message.contains("a list"), "{}", list.message);
        let escape = exclusions("not_in_nav: 'a\\'\n").unwrap_err();
        assert!(
            escape.message.contains("`not_in_nav`"),
            "{}",
            escape.message
        );
        let range = exclusions("exclude_docs: '[z-a].md'\n").unwrap_err();
        assert!(
            range.message.contains("cannot be matched"),
            "{}",
            range.message
        );
        let bare = exclusions("draft_docs: '!'\n").unwrap_err();
        assert!(
            bare.message.contains("not a valid pattern"),
            "{}",
            bare.message
        );
        let bad_range = exclusions("exclude_docs: '[a--b]'\n").unwrap_err();
        assert!(!bad_range.over_limits);
        // `!ENV` with no default: unset, as for MkDocs.
        assert!(
            exclusions("draft_docs: !ENV [DRAFTS]\n")
                .unwrap()
                .drafts
                .is_none()
        );
        assert!(
            exclusions("draft_docs: !ENV [DRAFTS, 'wip/']\n")
                .unwrap()
                .drafts
                .is_some()
        );
        // Portico's own limits, on the site's patterns only (not MkDocs'
        // two, not comments).
        let many = "x\n".repeat(MAX_PATTERNS);
        assert!(PathSpec::parse(&many).is_ok());
        let yaml = |text: &str| {
            let block: String = text.lines().map(|l| format!("  {l}\n")).collect();
            exclusions(&format!("exclude_docs: |\n{block}"))
        };
        assert!(yaml(&many).is_ok());
        assert!(yaml(&format!("{many}y\n")).unwrap_err().over_limits);
        assert!(yaml(&format!("#{}\nx\n", "c".repeat(MAX_PATTERN_BYTES))).is_ok());
        assert!(
            yaml(&"a".repeat(MAX_PATTERN_BYTES + 1))
                .unwrap_err()
                .over_limits
        );
        let complex = "**/*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a\n".repeat(150);
        assert!(yaml(&complex).unwrap_err().over_limits);
    }
}
