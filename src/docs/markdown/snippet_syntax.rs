//! pymdownx.snippets' syntax, read as the extension reads it: marker lines
//! (`--8<-- "file"` and the `--8<--` block), file specs with their
//! selectors (`file:12`, `file:3:5`, `file::5`, `file:-3`,
//! `file:1:3,7:9`, `file:name`) and named sections
//! (`--8<-- [start:name]` … `--8<-- [end:name]`).
//!
//! Pure functions over text: reading files and inlining them is
//! `preprocess`'s job, confining paths `docs::snippets`'.

/// Whether `text` may hold a snippet marker at all (markers are any
/// number of dashes around `8<`).
pub fn may_include_snippets(text: &str) -> bool {
    // Asked of every line of every page: a byte search for the rare `<`
    // first, not a substring searcher set up for each line.
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'<', bytes)
        .any(|i| i > 0 && bytes[i - 1] == b'8' && bytes.get(i + 1) == Some(&b'-'))
}

/// What a line is to the snippets extension.
#[derive(Debug, PartialEq, Eq)]
pub enum Marker<'a> {
    /// `--8<-- "file"`: the spec between the quotes, trimmed.
    Inline { indent: &'a str, spec: &'a str },
    /// `--8<--` alone: opens or closes a block of specs, one a line.
    Block,
    /// `;--8<-- …`: shown as written, less its first `;`.
    Escaped(String),
}

/// The marker `line` is, if any. The whole line must be the marker, with
/// nothing after it (not even spaces), as the extension's pattern says.
pub fn marker(line: &str) -> Option<Marker<'_>> {
    let rest = line.trim_start_matches([' ', '\t']);
    let indent = &line[..line.len() - rest.len()];
    let unescaped = rest.trim_start_matches(';');
    let escaped = unescaped.len() != rest.len();
    let after = scissors(unescaped)?;
    let found = if after.is_empty() {
        Marker::Block
    } else {
        let quoted = after.trim_start_matches([' ', '\t']);
        if quoted.len() == after.len() {
            return None;
        }
        Marker::Inline {
            indent,
            spec: quoted_spec(quoted)?,
        }
    };
    Some(if escaped {
        Marker::Escaped(line.replacen(';', "", 1))
    } else {
        found
    })
}

/// After `-+8<-+` at the start of `text`, the rest.
fn scissors(text: &str) -> Option<&str> {
    let dashes = text.len() - text.trim_start_matches('-').len();
    let rest = text[dashes..].strip_prefix("8<")?;
    let after = rest.trim_start_matches('-');
    (dashes > 0 && after.len() < rest.len()).then_some(after)
}

/// `"file"` or `'file'` ending the line: the text between, trimmed. A quote
/// inside must be escaped with a backslash (kept as written).
fn quoted_spec(text: &str) -> Option<&str> {
    let quote = text.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = text[1..].strip_suffix(quote)?;
    let mut previous = None;
    for c in inner.chars() {
        if c == quote && previous != Some('\\') {
            return None;
        }
        previous = Some(c);
    }
    (!inner.is_empty()).then(|| inner.trim())
}

/// Which lines of a file a spec takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    All,
    /// `start:end` pairs as written (1-based start, inclusive end; a
    /// negative number counts from the end; a missing one is open).
    Ranges(Vec<(Option<i64>, Option<i64>)>),
    /// The lines between `[start:name]` and `[end:name]`.
    Section(String),
}

/// A spec split into its file and its selection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec<'a> {
    /// Empty when the spec is only a selector (`:3`).
    pub file: &'a str,
    pub selection: Selection,
}

impl Spec<'_> {
    /// `http://` and `https://` specs: files to download, which Portico never does.
    pub fn is_url(&self) -> bool {
        let lower = self.file.get(..8).unwrap_or(self.file).to_ascii_lowercase();
        lower.starts_with("https://") || lower.starts_with("http://")
    }
}

/// Splits a spec at the first `:` that starts a valid selector, as the
/// extension's lazy pattern does: `a.java:12` is `a.java` from line 12,
/// `docs/a:b.md` is a file name.
///
/// Linear in the spec: trying each `:` in turn and reading the rest from
/// there was quadratic (a 1 MB spec of `x:` took minutes). A range
/// selector can only start at one of the last two `:`s of a comma-separated
/// part that every later part follows as a valid `,a:b`, and a section
/// name only at the last `:`, so only those are tried.
pub fn parse_spec(spec: &str) -> Spec<'_> {
    let split = |at: usize, selection| Spec {
        file: spec[..at].trim(),
        selection,
    };
    let ranges_at = ranges_start(spec);
    let section_at = spec
        .rfind(':')
        .filter(|&at| section_name(&spec[at..]).is_some());
    // The earlier of the two, as the pattern's lazy file name takes it.
    let ranges_at = ranges_at.filter(|&at| section_at.is_none_or(|s| at < s));
    if let Some(at) = ranges_at
        && let Some(list) = ranges(&spec[at..])
    {
        return split(at, Selection::Ranges(list));
    }
    match section_at {
        Some(at) => split(at, Selection::Section(spec[at + 1..].to_string())),
        None => split(spec.len(), Selection::All),
    }
}

/// The first `:` from which the rest of `spec` is a range selector
/// ([`ranges`]), found in one pass over the comma-separated parts.
fn ranges_start(spec: &str) -> Option<usize> {
    // `a`, `a:b` with each number optional: one part of a selector.
    let numbers = |part: &str| {
        let mut items = part.split(':');
        let ok = items.next().is_some_and(|n| number(n).is_some())
            && items.next().is_none_or(|n| number(n).is_some());
        ok && items.next().is_none()
    };
    let parts: Vec<(usize, &str)> = spec
        .split(',')
        .scan(0, |offset, part| {
            let at = *offset;
            *offset += part.len() + 1;
            Some((at, part))
        })
        .collect();
    // Parts from `first` on may follow a selector's first part: each
    // starts with a number or `:`.
    let mut first = parts.len() - 1;
    while first > 0 {
        let part = parts[first].1;
        if !(part.starts_with(|c: char| c == '-' || c == ':' || c.is_ascii_digit())
            && numbers(part))
        {
            break;
        }
        first -= 1;
    }
    parts[first..].iter().find_map(|&(offset, part)| {
        let mut colons = part.rmatch_indices(':').map(|(at, _)| at);
        let last = colons.next()?;
        let before_last = colons.next();
        before_last
            .into_iter()
            .chain(std::iter::once(last))
            .find(|&at| numbers(&part[at + 1..]))
            .map(|at| offset + at)
    })
}

/// `:name` with a name of a letter then letters, digits, `-` and `_`.
fn section_name(rest: &str) -> Option<&str> {
    let name = rest.strip_prefix(':')?;
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')).then_some(name)
}

/// `:a`, `:a:b`, then any number of `,a` or `,a:b` (each number optional,
/// `-` allowed): the whole of `rest`, or `None`.
fn ranges(rest: &str) -> Option<Vec<(Option<i64>, Option<i64>)>> {
    let mut parts = rest.strip_prefix(':')?.split(',');
    let mut out = Vec::new();
    for (k, part) in parts.by_ref().enumerate() {
        // After a comma the pattern asks for a number or `:` to follow.
        if k > 0 && !part.starts_with(|c: char| c == '-' || c == ':' || c.is_ascii_digit()) {
            return None;
        }
        let mut numbers = part.split(':');
        let start = number(numbers.next()?)?;
        let end = match numbers.next() {
            Some(n) => number(n)?,
            None => None,
        };
        if numbers.next().is_some() {
            return None;
        }
        out.push((start, end));
    }
    Some(out)
}

/// `-?[0-9]*`: `Some(None)` for empty, `None` when not a number.
fn number(text: &str) -> Option<Option<i64>> {
    if text.is_empty() {
        return Some(None);
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Past i64 a line number means "beyond the end" either way.
    let value = digits.parse::<i64>().unwrap_or(i64::MAX);
    Some(Some(if text.starts_with('-') { -value } else { value }))
}

/// A snippet's lines as the extension reads a file: a final line ending
/// gives a last empty line (so an included file ends a paragraph).
pub fn file_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().collect();
    if text.ends_with('\n') {
        lines.push("");
    }
    lines
}

/// The lines `selection` takes from `text`; `Err` names a section the file
/// does not have. `dedent` is `dedent_subsections`: ranges and sections
/// lose their common indentation.
pub fn select(text: &str, selection: &Selection, dedent: bool) -> Result<Vec<String>, String> {
    let lines = file_lines(text);
    let picked: Vec<String> = match selection {
        Selection::All => return Ok(lines.into_iter().map(str::to_string).collect()),
        Selection::Ranges(ranges) => ranges
            .iter()
            .flat_map(|range| slice(&lines, *range))
            .map(|l| l.to_string())
            .collect(),
        Selection::Section(name) => section(&lines, name)?,
    };
    Ok(if dedent { dedent_lines(picked) } else { picked })
}

/// One `start:end` range over `lines`, clamped as Python slices are.
fn slice<'l, 'a>(lines: &'l [&'a str], (start, end): (Option<i64>, Option<i64>)) -> &'l [&'a str] {
    let total = i64::try_from(lines.len()).unwrap_or(i64::MAX);
    let from = match start {
        Some(s) if s < 0 => total.saturating_add(s).clamp(0, total),
        Some(s) => (s - 1).clamp(0, total),
        None => 0,
    };
    let to = match end {
        Some(e) if e < 0 => total.saturating_add(1).saturating_add(e).clamp(0, total),
        Some(e) => e.min(total),
        None => total,
    };
    let (from, to) = (from as usize, to as usize);
    if from < to { &lines[from..to] } else { &[] }
}

/// A `--8<-- [start:name]` / `[end:name]` marker somewhere in a line.
#[derive(Debug, PartialEq, Eq)]
pub struct SectionMarker<'a> {
    pub start: bool,
    pub name: &'a str,
    /// The line with the marker's first `;` removed, when it was escaped.
    pub escaped: Option<String>,
}

/// The first section marker in `line`: text before it (a comment sign),
/// `;` to escape it, dashes around `8<`, a space, `[start:name]`.
pub fn section_marker(line: &str) -> Option<SectionMarker<'_>> {
    let mut from = 0;
    while let Some(found) = line[from..].find("8<") {
        let at = from + found;
        from = at + 2;
        let dashes_before = line[..at].len() - line[..at].trim_end_matches('-').len();
        if dashes_before == 0 {
            continue;
        }
        let begin = at - dashes_before;
        let Some(after) = scissors(&line[begin..]) else {
            continue;
        };
        let Some((start, name)) = section_tag(after) else {
            continue;
        };
        let semicolons = line[..begin].len() - line[..begin].trim_end_matches(';').len();
        let escaped = (semicolons > 0).then(|| {
            let first = begin - semicolons;
            format!("{}{}", &line[..first], &line[first + 1..])
        });
        return Some(SectionMarker {
            start,
            name,
            escaped,
        });
    }
    None
}

/// ` [start:name]` (spaces allowed inside the brackets) at the start.
fn section_tag(text: &str) -> Option<(bool, &str)> {
    let inner = text.trim_start_matches([' ', '\t']);
    if inner.len() == text.len() {
        return None;
    }
    let inner = inner.strip_prefix('[')?;
    let close = inner.find(']')?;
    let (kind, name) = inner[..close].split_once(':')?;
    let start = match kind.trim_matches([' ', '\t']) {
        "start" => true,
        "end" => false,
        _ => return None,
    };
    let name = name.trim_matches([' ', '\t']);
    section_name(&format!(":{name}"))?;
    Some((start, name))
}

/// The lines of section `name`: markers of other sections left out,
/// escaped ones shown less their `;`.
fn section(lines: &[&str], name: &str) -> Result<Vec<String>, String> {
    let mut found = false;
    let mut inside = false;
    let mut out = Vec::new();
    for line in lines {
        match section_marker(line) {
            Some(SectionMarker {
                escaped: Some(text),
                ..
            }) if inside => {
                out.push(text);
                continue;
            }
            Some(m) if m.name == name => {
                if m.start && !inside {
                    (inside, found) = (true, true);
                    continue;
                }
                if m.start {
                    continue; // a repeated start
                }
                break; // the end (or an end before any start)
            }
            Some(_) if inside => continue,
            _ => {}
        }
        if inside {
            out.push(line.to_string());
        }
    }
    if found {
        Ok(out)
    } else {
        Err(format!(
            "has no section `{name}` (no `--8<-- [start:{name}]` line)"
        ))
    }
}

/// Python's `textwrap.dedent`: the indentation every non-blank line shares
/// removed; blank lines become empty.
fn dedent_lines(lines: Vec<String>) -> Vec<String> {
    let mut common: Option<&str> = None;
    for line in lines.iter().filter(|l| !l.trim().is_empty()) {
        let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
        common = Some(match common {
            None => indent,
            Some(c) => {
                let shared = c
                    .bytes()
                    .zip(indent.bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                &c[..shared]
            }
        });
    }
    let common = common.unwrap_or("").len();
    lines
        .into_iter()
        .map(|l| {
            if l.trim().is_empty() {
                String::new()
            } else {
                l[common..].to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_is_found_wherever_the_substring_is() {
        for text in [
            "",
            "8<-",
            "--8<--",
            "x8<-y",
            "8<",
            "<-",
            "8 <-",
            "<8<-",
            "8<<-",
            "a<b 8<-",
            "é8<-é",
            "8<x8<-",
            "<",
            "8",
            "-8<",
            ";--8<-- \"a.md\"",
        ] {
            assert_eq!(may_include_snippets(text), text.contains("8<-"), "{text:?}");
        }
    }

    fn lines(spec: &str, text: &str) -> Vec<String> {
        select(text, &parse_spec(spec).selection, false).unwrap()
    }

    #[test]
    fn markers_are_whole_lines_with_any_number_of_dashes() {
        assert_eq!(
            marker("  --8<-- \"a.md\""),
            Some(Marker::Inline {
                indent: "  ",
                spec: "a.md"
            })
        );
        assert_eq!(
            marker("-8<- 'b c.md '"),
            Some(Marker::Inline {
                indent: "",
                spec: "b c.md"
            })
        );
        assert_eq!(marker("---8<---"), Some(Marker::Block));
        assert_eq!(
            marker(";--8<-- \"a.md\""),
            Some(Marker::Escaped("--8<-- \"a.md\"".into()))
        );
        // Trailing spaces, text after the quotes, a bare quote inside.
        for line in [
            "--8<-- \"a.md\" ",
            "--8<-- ",
            "--8<-- \"a.md\" x",
            "--8<-- \"a\"b.md\"",
            "--8<--\"a.md\"",
            "8<-- \"a.md\"",
            "--8< \"a.md\"",
        ] {
            assert_eq!(marker(line), None, "{line}");
        }
        assert_eq!(
            marker(r#"--8<-- "a\"b.md""#),
            Some(Marker::Inline {
                indent: "",
                spec: r#"a\"b.md"#
            })
        );
    }

    /// The first way of splitting a spec, `:` by `:` (quadratic): the
    /// reference the linear [`parse_spec`] must agree with.
    fn parse_spec_by_each_colon(spec: &str) -> Spec<'_> {
        for (at, _) in spec.match_indices(':') {
            let rest = &spec[at..];
            let selection = ranges(rest)
                .map(Selection::Ranges)
                .or_else(|| section_name(rest).map(|n| Selection::Section(n.to_string())));
            if let Some(selection) = selection {
                return Spec {
                    file: spec[..at].trim(),
                    selection,
                };
            }
        }
        Spec {
            file: spec.trim(),
            selection: Selection::All,
        }
    }

    #[test]
    fn specs_split_as_colon_by_colon_on_every_short_spec() {
        // Every spec of up to 6 characters from an alphabet of the
        // characters that matter.
        let alphabet = [':', ',', '-', '1', 'a', '.'];
        let mut specs = vec![String::new()];
        let mut checked = 0;
        for _ in 0..6 {
            let mut longer = Vec::new();
            for spec in &specs {
                for c in alphabet {
                    let mut s = spec.clone();
                    s.push(c);
                    assert_eq!(parse_spec(&s), parse_spec_by_each_colon(&s), "spec {s:?}");
                    checked += 1;
                    longer.push(s);
                }
            }
            specs = longer;
        }
        assert!(checked > 50_000);
    }

    #[test]
    fn long_specs_split_as_colon_by_colon_does() {
        let specs = |n: usize| {
            [
                format!("a{}", "x:".repeat(n)),
                format!("a{}:1:1:1", ":1,1".repeat(n)),
                format!("a{}", ":".repeat(n)),
                format!("a{}", ":1,".repeat(n)),
            ]
        };
        for spec in specs(300) {
            assert_eq!(parse_spec(&spec), parse_spec_by_each_colon(&spec));
        }
        // Colon by colon, specs of 1-4 MB took minutes; these are read a
        // few times each.
        let [xs, ranges, colons, commas] = specs(1_000_000);
        let one = |a, b| Selection::Ranges(vec![(a, b)]);
        assert_eq!(parse_spec(&xs).selection, one(None, None));
        assert_eq!(parse_spec(&xs).file.len(), xs.len() - 1);
        assert_eq!(parse_spec(&ranges).selection, one(Some(1), Some(1)));
        assert_eq!(parse_spec(&ranges).file.len(), ranges.len() - 4);
        assert_eq!(parse_spec(&colons).selection, one(None, None));
        assert_eq!(parse_spec(&commas).selection, Selection::All);
    }

    #[test]
    fn specs_split_at_the_first_valid_selector() {
        let spec = |s| {
            let p = parse_spec(s);
            (p.file, p.selection)
        };
        assert_eq!(spec("a.md"), ("a.md", Selection::All));
        assert_eq!(
            spec("A.java:12"),
            ("A.java", Selection::Ranges(vec![(Some(12), None)]))
        );
        assert_eq!(
            spec("f:3:5"),
            ("f", Selection::Ranges(vec![(Some(3), Some(5))]))
        );
        assert_eq!(
            spec("f::5"),
            ("f", Selection::Ranges(vec![(None, Some(5))]))
        );
        assert_eq!(
            spec("f:-3"),
            ("f", Selection::Ranges(vec![(Some(-3), None)]))
        );
        assert_eq!(
            spec("f:1:3,7:9"),
            (
                "f",
                Selection::Ranges(vec![(Some(1), Some(3)), (Some(7), Some(9))])
            )
        );
        assert_eq!(
            spec("f.py:Main_2"),
            ("f.py", Selection::Section("Main_2".into()))
        );
        assert_eq!(spec("docs/a:b.md"), ("docs/a:b.md", Selection::All));
        assert_eq!(spec(":3"), ("", Selection::Ranges(vec![(Some(3), None)])));
        assert_eq!(
            spec("f:1:2:3"),
            ("f:1", Selection::Ranges(vec![(Some(2), Some(3))]))
        );
        assert_eq!(spec("f:1,x"), ("f:1,x", Selection::All));
        assert!(parse_spec("HTTPS://x/y.md").is_url());
        assert!(!parse_spec("https.md").is_url());
    }

    #[test]
    fn ranges_select_as_python_slices_do() {
        let text = "1\n2\n3\n4\n5\n";
        assert_eq!(lines("f:4", text), ["4", "5", ""]);
        assert_eq!(lines("f:2:3", text), ["2", "3"]);
        assert_eq!(lines("f::2", text), ["1", "2"]);
        // The file's final line ending counts as a last, empty line.
        assert_eq!(lines("f:-3", text), ["4", "5", ""]);
        assert_eq!(lines("f:1:1,4:4", text), ["1", "4"]);
        assert_eq!(lines("f:2:-2", text), ["2", "3", "4", "5"]);
        assert_eq!(lines("f:9", text), Vec::<String>::new());
        assert_eq!(lines("f:4:2", text), Vec::<String>::new());
        assert_eq!(lines("f:0:1", text), ["1"]);
        assert_eq!(lines("f:99999999999999999999", text), Vec::<String>::new());
        assert_eq!(lines("f", "a\nb"), ["a", "b"]);
        assert_eq!(lines("f", ""), Vec::<String>::new());
    }

    #[test]
    fn sections_take_the_lines_between_their_markers() {
        let text = "head\n# --8<-- [start:main]\n    a\n    // --8<-- [start:inner]\n    b\n    // --8<-- [end:inner]\n    ;--8<-- [end:main]\n# --8<-- [end:main]\ntail\n";
        assert_eq!(
            lines("f:main", text),
            ["    a", "    b", "    --8<-- [end:main]"]
        );
        assert_eq!(lines("f:inner", text), ["    b"]);
        let dedented = select(text, &Selection::Section("main".into()), true).unwrap();
        assert_eq!(dedented, ["a", "b", "--8<-- [end:main]"]);
        let missing = select(text, &Selection::Section("nope".into()), false);
        assert!(missing.unwrap_err().contains("`nope`"));
        assert!(select("--8<-- [end:x]\n", &Selection::Section("x".into()), false).is_err());
    }

    #[test]
    fn section_markers_are_found_anywhere_in_a_line() {
        let m = section_marker("  # ---8<--- [ start : a-b ] trailing").unwrap();
        assert!(m.start && m.name == "a-b" && m.escaped.is_none());
        let m = section_marker("x ;;--8<-- [end:a]").unwrap();
        assert_eq!(m.escaped.as_deref(), Some("x ;--8<-- [end:a]"));
        assert_eq!(section_marker("--8<-- [start:1a]"), None);
        assert_eq!(section_marker("--8<--[start:a]"), None);
        assert_eq!(section_marker("8<-- [start:a]"), None);
        assert_eq!(section_marker("--8<-- [begin:a]"), None);
    }
}
