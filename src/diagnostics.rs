//! Problems found in repository content.
//!
//! A problem in someone's `catalog-info.yaml` never stops the build: it
//! becomes a [`Diagnostic`] that names the repository, file, line and column,
//! says what is wrong and, where we can tell, how to fix it. Diagnostics are
//! collected as plain values, printed once at the end, and `--strict` decides
//! the exit code there.

use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::IsTerminal;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One problem, with everything needed to show it without re-reading files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable kebab-case identifier, e.g. `invalid-name`, documented in the book.
    pub code: &'static str,
    /// Repository name, empty for problems outside any repository.
    pub repo: String,
    /// File path relative to the repository root, empty when not about a file.
    pub file: String,
    /// Path to show and click: the repository folder joined with `file`.
    pub path: String,
    /// 1-based; 0 when unknown.
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
    /// The offending source line, captured when the diagnostic was made.
    #[serde(skip)]
    pub source_line: Option<String>,
    /// Characters to underline from `column`; 0 means to the end of the value.
    #[serde(skip)]
    pub length: usize,
    /// The display path of another file the problem comes from (a broken
    /// link's target page), so `check --changed-since` reports the problem
    /// when that file changed.
    #[serde(skip)]
    pub about: Vec<String>,
    /// For a problem inside a catalog YAML document: the document's
    /// `spec.owner` as a full ref (`kind:namespace/name`), read even when the
    /// document is not a valid entity, so the problems page can file the
    /// problem under who should fix it.
    #[serde(skip)]
    pub owner: Option<String>,
}

/// What [`Diagnostic::about`] names for a problem about an entity's docs
/// as a whole (a link into a site that is not there): this, then its docs
/// folder (as the address module's `docs_site_dir_of` names it). `check --changed-since`
/// reports it when a change renamed the entity or took its docs away.
pub const ABOUT_ENTITY_DOCS: &str = "entity-docs:";

impl Diagnostic {
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            repo: String::new(),
            file: String::new(),
            path: String::new(),
            line: 0,
            column: 0,
            message: message.into(),
            hint: None,
            source_line: None,
            length: 0,
            about: Vec::new(),
            owner: None,
        }
    }

    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    pub fn info(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Info, code, message)
    }

    /// Underlines `length` characters instead of the rest of the value.
    pub fn with_length(mut self, length: usize) -> Self {
        self.length = length;
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Says which other file the problem comes from (see [`Diagnostic::about`]).
    pub fn about(mut self, path: Option<String>) -> Self {
        self.about.extend(path);
        self
    }

    /// [`Diagnostic::about`] each of `paths`: the problem is about any
    /// that changed (a link whose target may be any of several files).
    pub fn about_any(mut self, paths: impl IntoIterator<Item = String>) -> Self {
        self.about.extend(paths);
        self
    }

    /// Places the diagnostic in a file, capturing the source line for display.
    pub fn in_file(mut self, file: &SourceFile<'_>, line: usize, column: usize) -> Self {
        self.repo = file.repo.to_string();
        self.file = file.path.to_string();
        self.path = file.display_path();
        self.line = line;
        self.column = column;
        self.source_line = file.line(line).and_then(|text| quoted_line(text, column));
        self
    }

    /// Places the diagnostic in a repository when no file text is at hand.
    pub fn in_repo(mut self, repo: &str, repo_dir: &str, file: &str) -> Self {
        self.repo = repo.to_string();
        self.file = file.to_string();
        self.path = join_display(repo_dir, file);
        self
    }

    /// The same problem place with another severity, code and message.
    pub fn at_place_of(mut self, place: &Diagnostic) -> Self {
        self.repo = place.repo.clone();
        self.file = place.file.clone();
        self.path = place.path.clone();
        self.line = place.line;
        self.column = place.column;
        self.source_line = place.source_line.clone();
        self
    }

    /// `path:line:col`, as editors and terminals understand it.
    pub fn location(&self) -> String {
        match (self.path.is_empty(), self.line) {
            (true, _) => self.repo.clone(),
            (false, 0) => self.path.clone(),
            (false, line) => format!("{}:{}:{}", self.path, line, self.column.max(1)),
        }
    }
}

/// The most characters of a source line a diagnostic quotes: a line of a
/// megabyte with many problems on it was copied into each of them.
pub const MAX_QUOTED_LINE_CHARS: usize = 400;

/// What a diagnostic at `column` (1-based) quotes of `line`: the line, or
/// its first [`MAX_QUOTED_LINE_CHARS`] characters when the column falls in
/// them, else nothing (the place is still given as line and column).
pub fn quoted_line(line: &str, column: usize) -> Option<String> {
    if line.len() <= MAX_QUOTED_LINE_CHARS || line.chars().count() <= MAX_QUOTED_LINE_CHARS {
        return Some(line.to_string());
    }
    let cut = line
        .char_indices()
        .nth(MAX_QUOTED_LINE_CHARS)
        .map_or(line.len(), |(at, _)| at);
    (column <= MAX_QUOTED_LINE_CHARS * 3 / 4).then(|| line[..cut].to_string())
}

/// A file being read, so diagnostics about it can quote it.
#[derive(Clone, Copy)]
pub struct SourceFile<'a> {
    pub repo: &'a str,
    pub repo_dir: &'a str,
    pub path: &'a str,
    pub text: &'a str,
    /// `text`'s [`LineIndex`], for files that may get many diagnostics;
    /// without it, each diagnostic counts lines from the top of the file.
    pub line_index: Option<&'a LineIndex>,
}

impl SourceFile<'_> {
    pub fn display_path(&self) -> String {
        join_display(self.repo_dir, self.path)
    }

    /// Line `line` (1-based) of the text, without its line ending.
    pub fn line(&self, line: usize) -> Option<&str> {
        let n = line.checked_sub(1)?;
        match self.line_index {
            Some(index) => index.line(self.text, n),
            None => nth_line(self.text, n),
        }
    }
}

/// Lines between two marks of a [`LineIndex`].
const LINES_PER_MARK: usize = 64;

/// Where every 64th line of a text starts: any line is then found by
/// reading at most 64 lines, so quoting the lines of many diagnostics in a
/// large file is not quadratic. Small: one offset per 64 lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineIndex {
    /// `marks[k]`: where line `k * LINES_PER_MARK` (from 0) starts.
    marks: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut marks = vec![0];
        marks.extend(
            memchr::memchr_iter(b'\n', text.as_bytes())
                .map(|i| i + 1)
                .skip(LINES_PER_MARK - 1)
                .step_by(LINES_PER_MARK),
        );
        LineIndex { marks }
    }

    /// Line `n` (from 0) of `text`, the text indexed, as `str::lines` gives it.
    fn line<'t>(&self, text: &'t str, n: usize) -> Option<&'t str> {
        let start = *self.marks.get(n / LINES_PER_MARK)?;
        nth_line(text.get(start..)?, n % LINES_PER_MARK)
    }
}

/// `text.lines().nth(n)`, its line ends found with memchr: every link of
/// every docs page is placed on its line (a build of 2,000 pages looked up
/// 17,000 lines, 2 % of its instructions going line by line with `lines`).
fn nth_line(text: &str, n: usize) -> Option<&str> {
    let mut ends = memchr::memchr_iter(b'\n', text.as_bytes());
    let mut start = 0;
    for _ in 0..n {
        start = ends.next()? + 1;
    }
    // Nothing after the last line end: no line (as `lines` gives none).
    if start >= text.len() {
        return None;
    }
    Some(match ends.next() {
        Some(end) => {
            let line = &text[start..end];
            line.strip_suffix('\r').unwrap_or(line)
        }
        None => &text[start..],
    })
}

/// `dir/file`, without a leading `./` (GitHub matches annotation paths
/// against the diff literally): the `path` a diagnostic about `file` in
/// the repository shown as `dir` carries.
pub fn display_path(dir: &str, file: &str) -> String {
    join_display(dir, file)
}

fn join_display(dir: &str, file: &str) -> String {
    let dir = if dir == "." {
        ""
    } else {
        dir.strip_prefix("./").unwrap_or(dir)
    };
    match (dir.is_empty(), file.is_empty()) {
        (true, _) => file.to_string(),
        (false, true) => dir.to_string(),
        (false, false) => format!("{}/{}", dir.trim_end_matches('/'), file),
    }
}

/// How many problems of each severity a run found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

pub fn count(diagnostics: &[Diagnostic]) -> Counts {
    let mut counts = Counts::default();
    for d in diagnostics {
        match d.severity {
            Severity::Error => counts.errors += 1,
            Severity::Warning => counts.warnings += 1,
            Severity::Info => counts.infos += 1,
        }
    }
    counts
}

/// The most problems of one code and severity in one file the terminal
/// shows: past it, one `more-problems` line of that severity says how many
/// more there were. A file of a hundred thousand bad Location targets made
/// as many diagnostics; machine formats (JSON, SARIF) and the site list
/// every one.
pub const MAX_SHOWN_PER_FILE: usize = 100;

/// What a reader is shown of `diagnostics` (sorted): notes only when
/// `verbose`, and at most [`MAX_SHOWN_PER_FILE`] of one file, code and
/// severity, the rest counted on one line of that severity after them.
pub fn shown(diagnostics: &[Diagnostic], verbose: bool) -> Vec<Diagnostic> {
    let mut counts: HashMap<(&str, &str, &'static str, Severity), usize> = HashMap::new();
    let mut out = Vec::new();
    // Per group past the cap: where its note goes, and how many it stands for.
    let mut notes: HashMap<(&str, &str, &'static str, Severity), (usize, usize)> = HashMap::new();
    for d in diagnostics {
        if !verbose && d.severity == Severity::Info {
            continue;
        }
        if d.path.is_empty() && d.repo.is_empty() {
            out.push(d.clone());
            continue;
        }
        let key = (d.repo.as_str(), d.path.as_str(), d.code, d.severity);
        let count = counts.entry(key).or_default();
        *count += 1;
        if *count <= MAX_SHOWN_PER_FILE {
            out.push(d.clone());
            continue;
        }
        match notes.get_mut(&key) {
            Some((_, more)) => *more += 1,
            None => {
                let mut note = Diagnostic::new(d.severity, "more-problems", String::new())
                    .with_hint("fix those shown and build again to see the rest (`--format json` lists every one)");
                note.repo.clone_from(&d.repo);
                note.file.clone_from(&d.file);
                note.path.clone_from(&d.path);
                notes.insert(key, (out.len(), 1));
                out.push(note);
            }
        }
    }
    for ((_, _, code, _), (at, more)) in notes {
        out[at].message = format!(
            "{more} more `{code}` problems in this file are not shown (the first {MAX_SHOWN_PER_FILE} are)"
        );
    }
    out
}

/// Orders diagnostics by file and position so output is stable run to run.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.severity, a.code, &a.message)
            .cmp(&(&b.path, b.line, b.column, b.severity, b.code, &b.message))
    });
}

/// rustc-style text: header, location, the source line with a caret, hint.
pub fn render_human(d: &Diagnostic) -> String {
    render_human_styled(d, false)
}

/// As [`render_human`], with ANSI colours on the header when `color` is set.
pub fn render_human_styled(d: &Diagnostic, color: bool) -> String {
    let d = &visible(d);
    let header = format!("{}[{}]", d.severity.label(), d.code);
    let header = match (color, d.severity) {
        (false, _) => header,
        (true, Severity::Error) => format!("\x1b[1;31m{header}\x1b[0m"),
        (true, Severity::Warning) => format!("\x1b[1;33m{header}\x1b[0m"),
        (true, Severity::Info) => format!("\x1b[1;36m{header}\x1b[0m"),
    };
    let mut out = format!("{header}: {}\n", d.message);
    if !d.path.is_empty() || !d.repo.is_empty() {
        let _ = writeln!(out, "  --> {}", d.location());
    }
    if let Some(src) = &d.source_line {
        let number = d.line.to_string();
        let pad = " ".repeat(number.len());
        let src = src.trim_end();
        let column = d.column.max(1);
        let lead: String = src
            .chars()
            .take(column - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        // Underline the value: up to a trailing comment or the end of the line.
        let rest: String = src.chars().skip(column - 1).collect();
        let rest = rest.split(" #").next().unwrap_or("").trim_end();
        // Never past the line (a diagnostic read back from a part or the
        // cache could claim any length).
        let width = match d.length {
            0 => rest.chars().count().max(1),
            n => n.min(rest.chars().count().max(1)),
        };
        let _ = writeln!(out, " {pad} |");
        let _ = writeln!(out, " {number} | {src}");
        let _ = writeln!(out, " {pad} | {lead}{}", "^".repeat(width));
    }
    if let Some(hint) = &d.hint {
        let _ = writeln!(out, "   = help: {hint}");
    }
    out
}

/// GitHub Actions workflow commands, one line each, shown as annotations on the PR.
pub fn render_github(d: &Diagnostic) -> String {
    let d = &visible(d);
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut props = Vec::new();
    if !d.path.is_empty() {
        props.push(format!("file={}", escape_property(&d.path)));
    }
    if d.line > 0 {
        props.push(format!("line={}", d.line));
        props.push(format!("col={}", d.column.max(1)));
    }
    props.push(format!("title={}", escape_property(d.code)));
    let mut message = d.message.clone();
    if let Some(hint) = &d.hint {
        message.push_str("\nhelp: ");
        message.push_str(hint);
    }
    format!("::{command} {}::{}", props.join(","), escape_data(&message))
}

/// The diagnostic with control characters from repository content shown
/// as escapes, so a value cannot drive the terminal or a CI log.
fn visible(d: &Diagnostic) -> Diagnostic {
    // Copied whole unless it holds a control character (a string per
    // character was most of printing a diagnostic).
    let hidden = |c: char| c.is_control() && c != '\n' && c != '\t';
    let clean = |s: &str| -> String {
        if !s.chars().any(hidden) {
            return s.to_string();
        }
        let mut out = String::with_capacity(s.len() + 16);
        for c in s.chars() {
            if hidden(c) {
                out.extend(c.escape_unicode());
            } else {
                out.push(c);
            }
        }
        out
    };
    Diagnostic {
        message: no_commands(clean(&d.message)),
        hint: d.hint.as_deref().map(clean).map(no_commands),
        source_line: d.source_line.as_deref().map(clean),
        path: no_commands(clean(&d.path)),
        ..d.clone()
    }
}

/// `text` with every line after the first that starts with `::` (white
/// space aside) shown as `\::`: CI runners (GitHub Actions) read such a line
/// on standard output or error as a workflow command, so a name holding
/// `\n::error file=…::` in a repository would forge annotations, mask
/// secrets or stop command processing.
fn no_commands(text: String) -> String {
    if !text.contains('\n') {
        return text;
    }
    text.split('\n')
        .enumerate()
        .map(|(n, line)| {
            let rest = line.trim_start();
            if n > 0 && rest.starts_with("::") {
                format!("{}\\{rest}", &line[..line.len() - rest.len()])
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The one-line tally printed at the end of a run.
pub fn summary(counts: Counts) -> String {
    format!(
        "{}, {}",
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning")
    )
}

/// `1 error`, `2 errors`, `2 entities`.
pub fn plural(n: usize, word: &str) -> String {
    match (n, word.strip_suffix('y')) {
        (1, _) => format!("{n} {word}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        (_, None) => format!("{n} {word}s"),
    }
}

/// Writes human-readable diagnostics, notes only when asked for.
/// Colours only for a terminal, and never when `NO_COLOR` is set.
pub fn print_human(
    out: &mut (impl std::io::Write + IsTerminal),
    diagnostics: &[Diagnostic],
    verbose: bool,
) {
    let color = out.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    for d in shown(diagnostics, verbose) {
        let _ = writeln!(out, "{}", render_human_styled(&d, color));
    }
}

/// A diagnostic whole, every field kept (the JSON format leaves out the
/// quoted line and the fields only Portico uses): how a shard's part
/// carries its problems to `portico merge`. For `#[serde(with)]`.
pub mod whole {
    use super::{Diagnostic, Severity};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Whole {
        severity: Severity,
        code: String,
        repo: String,
        file: String,
        path: String,
        line: usize,
        column: usize,
        message: String,
        hint: Option<String>,
        source_line: Option<String>,
        length: usize,
        about: Vec<String>,
        owner: Option<String>,
    }

    pub fn serialize<S: Serializer>(d: &Diagnostic, serializer: S) -> Result<S::Ok, S::Error> {
        Whole {
            severity: d.severity,
            code: d.code.to_string(),
            repo: d.repo.clone(),
            file: d.file.clone(),
            path: d.path.clone(),
            line: d.line,
            column: d.column,
            message: d.message.clone(),
            hint: d.hint.clone(),
            source_line: d.source_line.clone(),
            length: d.length,
            about: d.about.clone(),
            owner: d.owner.clone(),
        }
        .serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Diagnostic, D::Error> {
        let w = Whole::deserialize(deserializer)?;
        let code = intern(w.code).ok_or_else(|| {
            serde::de::Error::custom("a problem code that is not one of Portico's")
        })?;
        Ok(Diagnostic {
            severity: w.severity,
            code,
            repo: w.repo,
            file: w.file,
            path: w.path,
            line: w.line,
            column: w.column,
            message: w.message,
            hint: w.hint,
            // Quoted within the same bound as when made.
            source_line: w
                .source_line
                .and_then(|line| super::quoted_line(&line, w.column)),
            length: w.length,
            about: w.about,
            owner: w.owner,
        })
    }

    /// Codes are `&'static str`: each distinct code read is kept for the
    /// rest of the process (a few dozen, so a few hundred bytes). At most
    /// [`MAX_CODES`] of them, each a short name: a damaged or forged file
    /// (a shard's part) naming a million is refused, not kept.
    pub(crate) fn intern(code: String) -> Option<&'static str> {
        static CODES: std::sync::Mutex<Option<std::collections::HashSet<&'static str>>> =
            std::sync::Mutex::new(None);
        let mut codes = crate::memo::lock(&CODES);
        let codes = codes.get_or_insert_with(Default::default);
        if let Some(known) = codes.get(code.as_str()) {
            return Some(known);
        }
        let plain = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
        if codes.len() >= MAX_CODES
            || code.is_empty()
            || code.len() > 64
            || !code.chars().all(plain)
        {
            return None;
        }
        let code: &'static str = Box::leak(code.into_boxed_str());
        codes.insert(code);
        Some(code)
    }

    /// Distinct codes [`intern`] keeps.
    const MAX_CODES: usize = 1024;
}

/// [`whole`] for a list of diagnostics.
pub mod whole_list {
    use super::Diagnostic;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct One(#[serde(with = "super::whole")] Diagnostic);

    pub fn serialize<S: Serializer>(list: &[Diagnostic], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(list.iter().map(|d| One(d.clone())))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Diagnostic>, D::Error> {
        Ok(Vec::<One>::deserialize(deserializer)?
            .into_iter()
            .map(|One(d)| d)
            .collect())
    }
}

/// [`whole`] for a list of diagnostics each with a label (an old docs
/// version's tag, say).
pub mod labelled_list {
    use super::Diagnostic;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct One(String, #[serde(with = "super::whole")] Diagnostic);

    pub fn serialize<S: Serializer>(
        list: &[(String, Diagnostic)],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(list.iter().map(|(l, d)| One(l.clone(), d.clone())))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<(String, Diagnostic)>, D::Error> {
        Ok(Vec::<One>::deserialize(deserializer)?
            .into_iter()
            .map(|One(l, d)| (l, d))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    /// A line of repository text cannot start a CI workflow command in the
    /// terminal output.
    #[test]
    fn content_cannot_start_a_workflow_command() {
        let mut d = Diagnostic::error(
            "invalid-name",
            "`metadata.name` \"x\n::error file=src/main.rs,line=1::LGTM\" is not valid",
        )
        .with_hint("fix\n  ::add-mask::secret");
        d.path = "r/a\n::stop-commands::t".into();
        let shown = render_human(&d);
        for line in shown.lines() {
            assert!(!line.trim_start().starts_with("::"), "{line:?} in {shown}");
        }
        assert!(shown.contains("\\::error file=src/main.rs"), "{shown}");
    }

    /// Past the cap the terminal counts a file's problems of one code and
    /// severity on one line of that severity; other codes, severities and
    /// files are shown in full, notes only when verbose.
    #[test]
    fn the_terminal_shows_a_bounded_number_per_file_and_code() {
        let at = |severity, code, line| {
            let mut d = Diagnostic::new(severity, code, format!("bad {line}"));
            d.repo = "r".into();
            d.file = "f.yaml".into();
            d.path = "r/f.yaml".into();
            d.line = line;
            d
        };
        let mut list: Vec<Diagnostic> = (1..=150)
            .map(|n| at(Severity::Warning, "bad-target", n))
            .collect();
        list.push(at(Severity::Error, "bad-target", 151));
        list.extend((1..=3).map(|n| at(Severity::Info, "other", n)));
        list.push(Diagnostic::error("config", "no file"));
        let shown_now = shown(&list, false);
        let count = |list: &[Diagnostic], code, severity| {
            list.iter()
                .filter(|d| d.code == code && d.severity == severity)
                .count()
        };
        assert_eq!(
            count(&shown_now, "bad-target", Severity::Warning),
            MAX_SHOWN_PER_FILE
        );
        assert_eq!(
            count(&shown_now, "bad-target", Severity::Error),
            1,
            "another severity"
        );
        assert_eq!(
            count(&shown_now, "other", Severity::Info),
            0,
            "notes only when verbose"
        );
        assert_eq!(count(&shown_now, "config", Severity::Error), 1);
        let note: Vec<&Diagnostic> = shown_now
            .iter()
            .filter(|d| d.code == "more-problems")
            .collect();
        assert_eq!(note.len(), 1);
        assert_eq!(
            note[0].severity,
            Severity::Warning,
            "shown as what it stands for"
        );
        assert!(
            note[0].message.starts_with("50 more `bad-target`"),
            "{}",
            note[0].message
        );
        assert_eq!(count(&shown(&list, true), "other", Severity::Info), 3);
    }

    #[test]
    fn long_lines_are_quoted_in_part_or_not_at_all() {
        let long = "x".repeat(MAX_QUOTED_LINE_CHARS * 10);
        assert_eq!(quoted_line("short", 3).as_deref(), Some("short"));
        assert_eq!(quoted_line(&long, 5).unwrap().len(), MAX_QUOTED_LINE_CHARS);
        assert_eq!(quoted_line(&long, MAX_QUOTED_LINE_CHARS * 5), None);
    }

    use super::*;

    fn sample() -> Diagnostic {
        let file = SourceFile {
            repo: "billing",
            repo_dir: "org/billing",
            path: "catalog-info.yaml",
            text: "kind: Component\nmetadata:\n  name: Legacy Billing\n",
            line_index: None,
        };
        Diagnostic::error("invalid-name", "bad name")
            .with_hint("use dashes")
            .in_file(&file, 3, 9)
    }

    #[test]
    fn human_output_quotes_the_line_and_points_at_the_column() {
        let text = render_human(&sample());
        assert_eq!(
            text,
            "error[invalid-name]: bad name\n  --> org/billing/catalog-info.yaml:3:9\n   |\n 3 |   name: Legacy Billing\n   |         ^^^^^^^^^^^^^^\n   = help: use dashes\n"
        );
    }

    #[test]
    fn github_output_escapes_newlines_and_commas() {
        let text = render_github(&sample());
        assert_eq!(
            text,
            "::error file=org/billing/catalog-info.yaml,line=3,col=9,title=invalid-name::bad name%0Ahelp: use dashes"
        );
    }

    #[test]
    fn control_characters_from_content_are_escaped() {
        let d = Diagnostic::error("x", "name \u{1b}[31mred");
        assert!(render_human(&d).contains("\\u{1b}[31mred"));
        assert!(!render_github(&d).contains('\u{1b}'));
    }

    #[test]
    fn paths_under_the_current_folder_have_no_dot_slash() {
        let d = Diagnostic::warning("x", "m").in_repo("r", ".", "catalog-info.yaml");
        assert_eq!(d.path, "catalog-info.yaml");
        let d = Diagnostic::warning("x", "m").in_repo("r", "./org/r", "a.yaml");
        assert_eq!(d.path, "org/r/a.yaml");
    }

    #[test]
    fn location_without_line_is_the_path() {
        let d = Diagnostic::warning("x", "m").in_repo("r", "dir/r", "a.yaml");
        assert_eq!(d.location(), "dir/r/a.yaml");
    }

    /// An indexed file quotes the lines `str::lines` gives, ends and
    /// `\r\n` included.
    #[test]
    fn indexed_lines_are_the_lines_of_the_text() {
        let long: String = (0..300).map(|i| format!("line {i}\r\n")).collect();
        let mixed: String = (0..200)
            .map(|i| ["x\r\n", "\n", "\r", "y\r\r\n", "é\n"][i % 5])
            .collect();
        for text in [
            "",
            "\n",
            "\r\n",
            "\n\n",
            "a",
            "a\n",
            "a\r",
            "a\r\nb",
            "a\n\nb\r",
            "\r\r\n\n",
            long.as_str(),
            mixed.as_str(),
        ] {
            let index = LineIndex::new(text);
            let file = |line_index| SourceFile {
                repo: "r",
                repo_dir: "r",
                path: "f",
                text,
                line_index,
            };
            for line in 0..=text.lines().count() + 2 {
                let expected = line.checked_sub(1).and_then(|n| text.lines().nth(n));
                assert_eq!(
                    file(Some(&index)).line(line),
                    expected,
                    "{text:?} line {line}"
                );
                assert_eq!(file(None).line(line), expected, "{text:?} line {line}");
            }
        }
    }
}
