//! Where scorecards come from: `[scorecards] paths` (globs, relative to
//! `portico.toml`), else `scorecards/*.yaml` in each ROOT folder, else the
//! built-in default; and the external facts file. Definition files are read
//! through a confined plain-folder [`Snapshot`] (no symlink out, size capped).

use super::Scorecard;
use super::dates::Day;
use super::definition;
use super::facts::ExternalFacts;
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::limits::MAX_SCORECARD_FILE_BYTES;
use crate::read::{RepoKind, RepoSource, Snapshot};
use std::path::{Path, PathBuf};

/// The built-in scorecard (`portico scorecards --print-default`).
pub const DEFAULT: &str = include_str!("default.yaml");

/// Files one glob may match, and folders it may walk, at most.
const MAX_MATCHED_FILES: usize = 1_000;
const MAX_WALKED_ENTRIES: usize = 20_000;
const MAX_WALK_DEPTH: usize = 8;

/// `[scorecards]` settings, merged with the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Globs of definition files, relative to `base`; empty: the default places.
    pub paths: Vec<String>,
    /// The folder of `portico.toml`.
    pub base: PathBuf,
    /// `portico.toml` itself, when one was read: where `paths` are written.
    pub config_file: Option<PathBuf>,
    /// The ROOT folders, searched for `scorecards/*.yaml`.
    pub roots: Vec<PathBuf>,
    /// The external facts file.
    pub facts: Option<PathBuf>,
    /// The day dates are judged against.
    pub today: Day,
    /// Weeks of history (`--history`, `[scorecards] history`); `None`: none.
    pub history: Option<u32>,
    /// Release tags and the window of the delivery metrics.
    pub delivery: super::delivery::Settings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            paths: Vec::new(),
            base: PathBuf::new(),
            config_file: None,
            roots: Vec::new(),
            facts: None,
            today: Day(0),
            history: None,
            delivery: super::delivery::Settings::default(),
        }
    }
}

/// The scorecards to evaluate, and the names of those with mistakes.
pub fn definitions(
    settings: &Settings,
    out: &mut Vec<Diagnostic>,
) -> (Vec<Scorecard>, Vec<String>) {
    let files = if settings.paths.is_empty() {
        in_roots(settings)
    } else {
        let mut files = Vec::new();
        for pattern in &settings.paths {
            let found = matching(&settings.base, pattern);
            if found.is_empty() {
                let mut d = Diagnostic::warning(
                    "scorecard-not-found",
                    format!("[scorecards] paths: no file matches `{pattern}`"),
                )
                .with_hint("paths are globs relative to portico.toml, e.g. `scorecards/*.yaml`");
                // The file the setting is written in (SARIF points at it).
                if let Some(file) = &settings.config_file {
                    d.path = file.display().to_string();
                }
                out.push(d);
            }
            files.extend(found);
        }
        files
    };
    let mut cards: Vec<Scorecard> = Vec::new();
    let mut invalid = Vec::new();
    for (dir, name) in files {
        let Some(text) = read_confined(&dir, &name, out) else {
            // Reported; a file that cannot be read still means the built-in
            // card is not what was asked for.
            let stem = name
                .rsplit_once('.')
                .map_or(name.as_str(), |(stem, _)| stem);
            invalid.push(stem.to_string());
            continue;
        };
        let display = dir.display().to_string();
        let file = SourceFile {
            repo: "",
            repo_dir: &display,
            path: &name,
            text: &text,
            line_index: None,
        };
        match definition::parse(&file, out) {
            Some(card) if cards.iter().any(|c| c.name == card.name) => out.push(
                Diagnostic::error(
                    definition::CODE,
                    format!("a second scorecard named `{}`", card.name),
                )
                .in_file(&file, 1, 1)
                .with_hint("scorecard names are unique; rename one"),
            ),
            Some(card) => cards.push(card),
            None => invalid.push(name_in(&text).unwrap_or(name)),
        }
    }
    if cards.is_empty() && invalid.is_empty() {
        cards.extend(default_scorecard(out));
    }
    (cards, invalid)
}

/// `scorecards/*.yaml` in every ROOT, where definitions come from when
/// `paths` is empty.
fn in_roots(settings: &Settings) -> Vec<(PathBuf, String)> {
    settings
        .roots
        .iter()
        .flat_map(|r| in_folder(&r.join("scorecards")))
        .collect()
}

/// Every definition file [`definitions`] reads, found the same way (for
/// a key of them: `pipeline`'s whole-build entry).
pub fn definition_files(settings: &Settings) -> Vec<PathBuf> {
    let files = if settings.paths.is_empty() {
        in_roots(settings)
    } else {
        let base = &settings.base;
        settings
            .paths
            .iter()
            .flat_map(|pattern| matching(base, pattern))
            .collect()
    };
    files
        .into_iter()
        .map(|(dir, name)| dir.join(name))
        .collect()
}

/// The built-in default, parsed.
pub fn default_scorecard(out: &mut Vec<Diagnostic>) -> Option<Scorecard> {
    let file = SourceFile {
        repo: "",
        repo_dir: "",
        path: "built-in default scorecard",
        text: DEFAULT,
        line_index: None,
    };
    let mut card = definition::parse(&file, out)?;
    card.origin = "built-in".into();
    Some(card)
}

/// A broken file's `name:` (without a `# comment` after it), so the gate
/// can say it was not evaluated.
fn name_in(text: &str) -> Option<String> {
    text.lines().find_map(|l| l.strip_prefix("name:")).map(|n| {
        let value = n
            .find(" #")
            .or_else(|| n.find("\t#"))
            .map_or(n, |at| &n[..at]);
        value.trim().trim_matches(['"', '\'']).to_string()
    })
}

/// `(folder, file name)` of each `*.yaml`/`*.yml` in `dir`, sorted.
fn in_folder(dir: &Path) -> Vec<(PathBuf, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
        .take(MAX_MATCHED_FILES)
        .collect();
    names.sort();
    names.into_iter().map(|n| (dir.to_path_buf(), n)).collect()
}

/// Files under `base` matching `pattern`: the walk starts at the pattern's
/// literal folders and never follows a link to a folder.
fn matching(base: &Path, pattern: &str) -> Vec<(PathBuf, String)> {
    let parts: Vec<&str> = pattern.split('/').collect();
    let literal = parts
        .iter()
        .take_while(|p| !p.contains(['*', '?', '[', '{']))
        .count();
    let base = current_if_empty(base);
    if literal == parts.len() {
        let (dir, name) = pattern.rsplit_once('/').unwrap_or(("", pattern));
        return vec![(base.join(dir), name.to_string())];
    }
    let start = base.join(parts[..literal].join("/"));
    let rest = parts[literal..].join("/");
    let Ok(glob) = globset::GlobBuilder::new(&rest)
        .literal_separator(true)
        .build()
    else {
        return Vec::new();
    };
    let matcher = glob.compile_matcher();
    let mut found = Vec::new();
    let mut stack = vec![(String::new(), 0usize)];
    let mut walked = 0;
    while let Some((rel, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(start.join(&rel)) else {
            continue;
        };
        for entry in entries.flatten() {
            walked += 1;
            if walked > MAX_WALKED_ENTRIES || found.len() >= MAX_MATCHED_FILES {
                break;
            }
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            match entry.file_type() {
                Ok(t) if t.is_dir() && depth < MAX_WALK_DEPTH => stack.push((path, depth + 1)),
                Ok(t) if !t.is_dir() && matcher.is_match(&path) => {
                    found.push((start.clone(), path))
                }
                _ => {}
            }
        }
    }
    found.sort();
    found
}

/// `dir`, or the current folder for an empty one: paths named beside a
/// `portico.toml` in the current folder have an empty folder, which is
/// no path to open.
fn current_if_empty(dir: &Path) -> &Path {
    if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }
}

/// Reads `name` inside `dir` as a plain folder would be read: confined to
/// it, no symlink out, nothing over the size limit.
fn read_confined(dir: &Path, name: &str, out: &mut Vec<Diagnostic>) -> Option<String> {
    let dir = current_if_empty(dir);
    let display = dir.display().to_string();
    let source = RepoSource {
        name: String::new(),
        root: dir.to_path_buf(),
        real_root: None,
        display: display.clone(),
        kind: RepoKind::Plain,
        git: None,
        handle: None,
    };
    let problem = |message: String| {
        Diagnostic::error("scorecard-unreadable", message)
            .in_repo("", &display, name)
            .with_hint("scorecard files are YAML text inside their folder")
    };
    let snapshot = match Snapshot::open(&source, None) {
        Ok(s) => s,
        Err(e) => {
            out.push(problem(e.message));
            return None;
        }
    };
    let text = snapshot
        .read_text(name)
        .map_err(|e| out.push(problem(e.to_string())))
        .ok()?;
    if text.len() as u64 > MAX_SCORECARD_FILE_BYTES {
        out.push(problem(format!(
            "`{name}` is over the {} MB limit for scorecard files",
            MAX_SCORECARD_FILE_BYTES >> 20
        )));
        return None;
    }
    Some(text)
}

/// The external facts, or none when no file is configured. A broken file
/// is an error diagnostic, and fact rules then fail for want of facts.
pub fn facts(settings: &Settings, out: &mut Vec<Diagnostic>) -> ExternalFacts {
    let Some(path) = &settings.facts else {
        return ExternalFacts::default();
    };
    let display = path.display().to_string();
    let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let unusable = ExternalFacts {
        origin: Some(display.clone()),
        ..ExternalFacts::default()
    };
    let Some(text) = read_confined(&dir, &name, out) else {
        return unusable;
    };
    match ExternalFacts::parse(&text, &display) {
        Ok(facts) => facts,
        Err(e) => {
            let file = SourceFile {
                repo: "",
                repo_dir: &dir.display().to_string(),
                path: &name,
                text: &text,
                line_index: None,
            };
            out.push(
                Diagnostic::error("invalid-facts", format!("facts file: {}", e.message))
                    .in_file(&file, e.line, e.column)
                    .with_hint("the file is {\"kind:namespace/name\": {\"fact\": {\"value\": ..., \"at\": \"YYYY-MM-DD\"}}}"),
            );
            unusable
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_file_s_name_is_read_without_its_comment() {
        assert_eq!(
            name_in("name: prod  # the production card\nrules: [").as_deref(),
            Some("prod")
        );
        assert_eq!(
            name_in("name: \"gold\"\t# quoted\n").as_deref(),
            Some("gold")
        );
        assert_eq!(name_in("levels: []\n"), None);
    }

    /// A definition file that cannot be read is reported, and the
    /// built-in card does not stand in for it.
    #[cfg(unix)]
    #[test]
    fn an_unreadable_definition_is_no_reason_for_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("org");
        std::fs::create_dir_all(root.join("scorecards")).unwrap();
        std::fs::write(dir.path().join("outside.yaml"), "name: outside\n").unwrap();
        std::os::unix::fs::symlink("../../outside.yaml", root.join("scorecards/outside.yaml"))
            .unwrap();
        let settings = Settings {
            roots: vec![root],
            ..Settings::default()
        };
        let mut out = Vec::new();
        let (cards, invalid) = definitions(&settings, &mut out);
        assert!(
            cards.is_empty(),
            "{:?}",
            cards.iter().map(|c| &c.name).collect::<Vec<_>>()
        );
        assert_eq!(invalid, ["outside"]);
        assert!(!out.is_empty());
    }
}
