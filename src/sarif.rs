//! Diagnostics as SARIF 2.1.0, the format GitHub code scanning (and most
//! code-review tools) read, so `portico check --format sarif` can put
//! annotations on a pull request's diff.
//!
//! Where results point (the book's "CI" page says the same for users):
//! every `artifactLocation.uri` is the file's path **inside its
//! repository**, and its `uriBaseId` names that repository's root. When the
//! run checked one repository (`portico check .` in a checkout, the case
//! code scanning is made for) the base is `%SRCROOT%`, which GitHub reads as
//! the root of the repository the SARIF is uploaded to. With several
//! repositories each gets its own base (`REPO-<name>`, made unique), so a
//! viewer can tell `billing/catalog-info.yaml` from `payments/...`; every
//! base is resolved in `originalUriBaseIds` to the absolute `file://` URI of
//! the folder Portico read. Files outside any repository (scorecard
//! definitions beside a ROOT) are relative to the working folder, `CWD`.

use crate::diagnostics::{Diagnostic, Severity};
use crate::read::RepoSource;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The base of a run over a single repository: GitHub's name for the root
/// of the repository being analysed.
pub const SRCROOT: &str = "%SRCROOT%";
/// The base of files that belong to no repository.
pub const CWD: &str = "CWD";
/// The key of Portico's own fingerprint; bump the version if what it hashes changes.
pub const FINGERPRINT_KEY: &str = "portico/v2";

/// The one-line descriptions of the codes, from the book's table of codes,
/// so the rules shown by a SARIF viewer say what the manual says.
const CODES_TABLE: &str = include_str!("../book/docs/diagnostics.md");

/// What a SARIF log is made from.
pub struct Input<'a> {
    pub diagnostics: &'a [Diagnostic],
    pub repos: &'a [RepoSource],
    /// The working folder, to make `originalUriBaseIds` absolute.
    pub cwd: &'a Path,
    /// Notes (`info`) are left out unless asked for, as in the other formats.
    pub include_notes: bool,
}

/// The SARIF log: one run, one rule per code met, one result per diagnostic.
pub fn log(input: &Input<'_>) -> Value {
    let shown: Vec<&Diagnostic> = input
        .diagnostics
        .iter()
        .filter(|d| input.include_notes || d.severity != Severity::Info)
        .collect();
    let bases = Bases::new(input.repos, input.cwd);
    let rules = Rules::new(&shown);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let folders = RepoFolders::new(input.repos);
    let results: Vec<Value> = shown
        .iter()
        .map(|d| {
            let place = bases.place(d);
            let identity = fingerprint_text(d, &place, &folders);
            let occurrence = seen.entry(identity.clone()).or_insert(0);
            *occurrence += 1;
            result(d, &place, rules.index(d.code), &identity, *occurrence)
        })
        .collect();
    let mut driver = Map::new();
    driver.insert("name".into(), json!("Portico"));
    driver.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
    driver.insert("semanticVersion".into(), json!(env!("CARGO_PKG_VERSION")));
    if let Some(uri) = option_env!("CARGO_PKG_REPOSITORY").filter(|u| !u.is_empty()) {
        driver.insert("informationUri".into(), json!(uri));
    }
    driver.insert("rules".into(), Value::Array(rules.descriptors()));
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "originalUriBaseIds": bases.originals(),
            // Portico counts columns in characters, not UTF-16 units.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// Where one diagnostic's file is: a path relative to a base.
#[derive(Debug, PartialEq, Eq)]
struct Place {
    uri: String,
    base: Option<String>,
}

/// The `uriBaseId` of every repository, and where each base is.
struct Bases {
    /// Repository name → (folder as shown, base id), several per name when
    /// folders in different ROOTs share a name.
    by_name: HashMap<String, Vec<(String, String)>>,
    /// Base id → absolute folder URI.
    originals: BTreeMap<String, String>,
}

impl Bases {
    fn new(repos: &[RepoSource], cwd: &Path) -> Bases {
        let single = repos.len() == 1;
        let mut by_name: HashMap<String, Vec<(String, String)>> = HashMap::new();
        let mut originals = BTreeMap::new();
        originals.insert(CWD.to_string(), folder_uri(cwd));
        for repo in repos {
            let id = if single {
                SRCROOT.to_string()
            } else {
                unique_id(&format!("REPO-{}", base_id_text(&repo.name)), &originals)
            };
            // `./billing` and `.` read as folders, not as `/x/./billing`.
            let absolute: std::path::PathBuf = cwd
                .join(&repo.root)
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .collect();
            originals.insert(id.clone(), folder_uri(&absolute));
            by_name
                .entry(repo.name.clone())
                .or_default()
                .push((repo.display.clone(), id));
        }
        Bases { by_name, originals }
    }

    fn place(&self, d: &Diagnostic) -> Place {
        let repo_base = self.by_name.get(&d.repo).and_then(|candidates| {
            match candidates.as_slice() {
                [(_, id)] => Some(id),
                // Same name in two ROOTs: the one whose folder the path starts with.
                many => many
                    .iter()
                    .find(|(display, _)| {
                        let folder = display.trim_start_matches("./").trim_end_matches('/');
                        d.path == folder || d.path.starts_with(&format!("{folder}/"))
                    })
                    .map(|(_, id)| id),
            }
        });
        match repo_base {
            Some(id) => Place {
                uri: relative_uri_or_folder(&d.file),
                base: Some(id.clone()),
            },
            None if Path::new(&d.path).is_absolute() => Place {
                uri: folder_uri(Path::new(&d.path))
                    .trim_end_matches('/')
                    .to_string(),
                base: None,
            },
            None => Place {
                uri: relative_uri_or_folder(&d.path),
                base: Some(CWD.to_string()),
            },
        }
    }

    fn originals(&self) -> Value {
        let mut out = Map::new();
        for (id, uri) in &self.originals {
            let what = match id.as_str() {
                CWD => "The folder portico ran in.".to_string(),
                SRCROOT => "The root of the repository checked.".to_string(),
                _ => format!("The root of repository {}.", &id["REPO-".len()..]),
            };
            out.insert(
                id.clone(),
                json!({ "uri": uri, "description": { "text": what } }),
            );
        }
        Value::Object(out)
    }
}

/// A base id made of the name's safe characters.
fn base_id_text(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn unique_id(wanted: &str, taken: &BTreeMap<String, String>) -> String {
    if !taken.contains_key(wanted) {
        return wanted.to_string();
    }
    (2..)
        .map(|n| format!("{wanted}-{n}"))
        .find(|id| !taken.contains_key(id))
        .unwrap_or_else(|| wanted.to_string())
}

/// `file:///abs/folder/`: a base URI must end with a slash (SARIF §3.14.14).
fn folder_uri(dir: &Path) -> String {
    let text = dir.to_string_lossy().replace('\\', "/");
    let text = text.trim_end_matches('/');
    let lead = if text.starts_with('/') { "" } else { "/" };
    format!("file://{lead}{}/", encode_path(text))
}

/// A repository-relative path as a relative URI reference. A `:` is
/// encoded too: `a:b.yaml` as written would read as a URI of scheme `a`.
fn relative_uri(path: &str) -> String {
    encode_path(path.strip_prefix("./").unwrap_or(path)).replace(':', "%3A")
}

/// [`relative_uri`], or `.` (the base folder itself) for a problem with no
/// file: a whole repository's (`repo-unreadable`), or one about no file.
/// GitHub refuses a whole upload if any result has no location (the
/// upload action skips fingerprinting a folder, and takes it).
fn relative_uri_or_folder(path: &str) -> String {
    match relative_uri(path) {
        uri if uri.is_empty() => ".".to_string(),
        uri => uri,
    }
}

/// Percent-encodes what cannot stand in a URI path; `/` stays a separator.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte);
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// What makes a result the same result in the next run: its code, its
/// repository, its file and its message, but not its line, so an edit
/// above it does not make it a new alert. Identical results in one file are
/// told apart by their order. Nothing that depends on how Portico was run
/// goes in: not the base (`%SRCROOT%` alone, `REPO-x` beside other ROOTs),
/// not the folder a message names another file in (the ROOT as given,
/// absolute or not), not the lines and columns a message names.
fn fingerprint_text(d: &Diagnostic, place: &Place, folders: &RepoFolders) -> String {
    format!(
        "{}\0{}\0{}\0{}",
        d.code,
        d.repo,
        place.uri,
        without_places(&folders.named(&d.message))
    )
}

/// The repositories' folders as shown (`../org/billing`,
/// `/abs/org/billing`) and their names, longest folder first, so a
/// message naming a file in one reads the same however the ROOT was given.
struct RepoFolders(Vec<(String, String)>);

impl RepoFolders {
    fn new(repos: &[RepoSource]) -> RepoFolders {
        let mut folders: Vec<(String, String)> = repos
            .iter()
            .map(|r| (r.display.trim_end_matches('/').to_string(), r.name.clone()))
            // `.` and `` name no folder a message could be told by.
            .filter(|(display, name)| !matches!(display.as_str(), "" | ".") && display != name)
            .map(|(display, name)| (format!("{display}/"), format!("{name}/")))
            .collect();
        folders.sort_by_key(|(display, _)| std::cmp::Reverse(display.len()));
        RepoFolders(folders)
    }

    /// `message` with each repository folder it names (at the start of a
    /// word) written as the repository's name.
    fn named(&self, message: &str) -> String {
        let mut out = message.to_string();
        for (display, name) in &self.0 {
            let mut from = 0;
            while let Some(at) = out[from..].find(display.as_str()).map(|i| from + i) {
                let starts_word = out[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|c| c.is_whitespace() || "`'\"(<[".contains(c));
                if starts_word {
                    out.replace_range(at..at + display.len(), name);
                    from = at + name.len();
                } else {
                    from = at + display.len();
                }
            }
        }
        out
    }
}

/// `message` with every `:LINE` or `:LINE:COLUMN` after a file name
/// (`catalog-info.yaml:12:5`) written `:#`.
fn without_places(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars().peekable();
    let mut last = ' ';
    while let Some(c) = chars.next() {
        let after_name = last.is_alphanumeric() && !last.is_ascii_digit() || "._-/".contains(last);
        if c == ':' && after_name && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push_str(":#");
            // The line, then a `:COLUMN` if there is one.
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            let mut rest = chars.clone();
            if rest.next() == Some(':') && rest.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
            }
            last = '#';
            continue;
        }
        out.push(c);
        last = c;
    }
    out
}

fn fingerprint(identity: &str, occurrence: usize) -> String {
    let hash = xxhash_rust::xxh3::xxh3_128(format!("{identity}\0{occurrence}").as_bytes());
    format!("{hash:032x}")
}

fn result(d: &Diagnostic, place: &Place, rule: usize, identity: &str, occurrence: usize) -> Value {
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    let mut text = d.message.clone();
    if let Some(hint) = &d.hint {
        text.push_str("\nhelp: ");
        text.push_str(hint);
    }
    let mut out = Map::new();
    out.insert("ruleId".into(), json!(d.code));
    out.insert("ruleIndex".into(), json!(rule));
    out.insert("level".into(), json!(level));
    out.insert("message".into(), json!({ "text": text }));
    // Every result points somewhere: GitHub refuses a whole log if one
    // does not (a whole repository's problem points at its folder).
    let mut artifact = Map::new();
    artifact.insert("uri".into(), json!(place.uri));
    if let Some(base) = &place.base {
        artifact.insert("uriBaseId".into(), json!(base));
    }
    let mut physical = Map::new();
    physical.insert("artifactLocation".into(), Value::Object(artifact));
    if d.line > 0 {
        let mut region = Map::new();
        region.insert("startLine".into(), json!(d.line));
        if d.column > 0 {
            region.insert("startColumn".into(), json!(d.column));
        }
        physical.insert("region".into(), Value::Object(region));
    }
    out.insert(
        "locations".into(),
        json!([{ "physicalLocation": Value::Object(physical) }]),
    );
    out.insert(
        "partialFingerprints".into(),
        json!({ FINGERPRINT_KEY: fingerprint(identity, occurrence) }),
    );
    if !d.repo.is_empty() {
        out.insert("properties".into(), json!({ "repository": d.repo }));
    }
    Value::Object(out)
}

/// One rule per code met, in code order.
struct Rules<'a> {
    /// Code → (index, the first hint met with it).
    codes: BTreeMap<&'static str, Option<&'a str>>,
    index: HashMap<&'static str, usize>,
}

impl<'a> Rules<'a> {
    fn new(shown: &[&'a Diagnostic]) -> Rules<'a> {
        let mut codes: BTreeMap<&'static str, Option<&'a str>> = BTreeMap::new();
        for d in shown {
            let hint = codes.entry(d.code).or_default();
            if hint.is_none() {
                *hint = d.hint.as_deref();
            }
        }
        let index = codes.keys().enumerate().map(|(i, c)| (*c, i)).collect();
        Rules { codes, index }
    }

    fn index(&self, code: &str) -> usize {
        self.index.get(code).copied().unwrap_or(0)
    }

    fn descriptors(&self) -> Vec<Value> {
        self.codes
            .iter()
            .map(|(code, hint)| {
                let short = short_description(code)
                    .unwrap_or_else(|| format!("Portico diagnostic `{code}`."));
                let mut rule = Map::new();
                rule.insert("id".into(), json!(code));
                rule.insert("name".into(), json!(code));
                rule.insert("shortDescription".into(), json!({ "text": short }));
                if let Some(hint) = hint {
                    rule.insert("help".into(), json!({ "text": hint }));
                }
                Value::Object(rule)
            })
            .collect()
    }
}

/// The "In short" column of the book's table of codes, as plain text.
fn short_description(code: &str) -> Option<String> {
    let plain = format!("| `{code}` |");
    let linked = format!("| [`{code}`](");
    let row = CODES_TABLE
        .lines()
        .find(|l| l.starts_with(&plain) || l.starts_with(&linked))?;
    let text = row.trim_end().trim_end_matches('|').rsplit(" | ").next()?;
    Some(strip_links(text.trim()))
}

/// `[Scorecards](scorecards.md)` → `Scorecards`.
fn strip_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|i| open + i) else {
            break;
        };
        let Some(end) = rest[close..].find(')').map(|i| close + i) else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..close]);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::RepoKind;
    use std::path::PathBuf;

    fn repo(name: &str, display: &str) -> RepoSource {
        RepoSource {
            name: name.into(),
            root: PathBuf::from(display),
            real_root: None,
            display: display.into(),
            kind: RepoKind::WorkTree,
            git: None,
            handle: None,
        }
    }

    fn diag(repo: &str, dir: &str, file: &str, line: usize) -> Diagnostic {
        let mut d = Diagnostic::error("invalid-name", "bad name")
            .with_hint("use dashes")
            .in_repo(repo, dir, file);
        d.line = line;
        d.column = 3;
        d
    }

    fn sarif(diagnostics: &[Diagnostic], repos: &[RepoSource]) -> Value {
        log(&Input {
            diagnostics,
            repos,
            cwd: Path::new("/work/ci"),
            include_notes: false,
        })
    }

    #[test]
    fn one_repository_is_the_source_root() {
        let out = sarif(
            &[diag("billing", ".", "catalog-info.yaml", 4)],
            &[repo("billing", ".")],
        );
        let run = &out["runs"][0];
        let location = &run["results"][0]["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "catalog-info.yaml");
        assert_eq!(location["artifactLocation"]["uriBaseId"], SRCROOT);
        assert_eq!(location["region"]["startLine"], 4);
        assert_eq!(
            run["originalUriBaseIds"][SRCROOT]["uri"],
            "file:///work/ci/"
        );
        assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "invalid-name");
        assert_eq!(
            run["tool"]["driver"]["rules"][0]["help"]["text"],
            "use dashes"
        );
    }

    #[test]
    fn several_repositories_get_a_base_each_even_with_one_name() {
        let repos = [
            repo("billing", "a/billing"),
            repo("billing", "a/billing-old/billing"),
        ];
        let out = sarif(
            &[
                diag("billing", "a/billing", "x.yaml", 1),
                diag("billing", "a/billing-old/billing", "x.yaml", 1),
            ],
            &repos,
        );
        let run = &out["runs"][0];
        let base = |i: usize| {
            run["results"][i]["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"]
                .clone()
        };
        assert_eq!(base(0), "REPO-billing");
        assert_eq!(base(1), "REPO-billing-2");
        assert_eq!(
            run["originalUriBaseIds"]["REPO-billing-2"]["uri"],
            "file:///work/ci/a/billing-old/billing/"
        );
    }

    #[test]
    fn fingerprints_ignore_lines_and_tell_twins_apart() {
        let repos = [repo("billing", ".")];
        let first = sarif(&[diag("billing", ".", "c.yaml", 4)], &repos);
        let moved = sarif(&[diag("billing", ".", "c.yaml", 9)], &repos);
        let print = |v: &Value, i: usize| v["runs"][0]["results"][i]["partialFingerprints"].clone();
        assert_eq!(print(&first, 0), print(&moved, 0));
        let twins = sarif(
            &[
                diag("billing", ".", "c.yaml", 4),
                diag("billing", ".", "c.yaml", 8),
            ],
            &repos,
        );
        assert_eq!(print(&twins, 0), print(&first, 0));
        assert_ne!(print(&twins, 0), print(&twins, 1));
    }

    /// A fingerprint does not depend on how Portico was run: the other
    /// ROOTs given (the base), the ROOT's spelling, nor the line a message
    /// names another file at.
    #[test]
    fn fingerprints_ignore_the_run_and_the_lines_messages_name() {
        let print = |v: &Value| v["runs"][0]["results"][0]["partialFingerprints"].clone();
        let duplicate = |root: &str, line: usize| {
            let mut d = Diagnostic::error(
                "duplicate-entity",
                format!("`component:default/a` is also defined at {root}/alpha/c.yaml:{line}:3"),
            )
            .in_repo("beta", &format!("{root}/beta"), "c.yaml");
            d.line = line;
            d
        };
        let repos = |root: &str| {
            [
                repo("beta", &format!("{root}/beta")),
                repo("alpha", &format!("{root}/alpha")),
            ]
        };
        let first = sarif(&[duplicate("org", 1)], &repos("org"));
        let lines_added = sarif(&[duplicate("org", 7)], &repos("org"));
        let absolute = sarif(&[duplicate("/ci/work/org", 1)], &repos("/ci/work/org"));
        assert_eq!(print(&first), print(&lines_added));
        assert_eq!(print(&first), print(&absolute));
        let plain = [diag("beta", "org/beta", "c.yaml", 2)];
        let alone = sarif(&plain, &repos("org")[..1]);
        let beside = sarif(&plain, &repos("org"));
        assert_eq!(print(&alone), print(&beside), "%SRCROOT% or REPO-beta");
        let other_file = sarif(
            &[Diagnostic::error(
                "duplicate-entity",
                "`component:default/a` is also defined at org/gamma/c.yaml:1:3",
            )
            .in_repo("beta", "org/beta", "c.yaml")],
            &repos("org"),
        );
        assert_ne!(print(&first), print(&other_file));
        assert_eq!(
            without_places("at a/c.yaml:12:5, b.md:3 and 12:30"),
            "at a/c.yaml:#, b.md:# and 12:30"
        );
    }

    /// GitHub refuses a whole log if one result has no location: a
    /// problem with no file points at its repository's folder, or at the
    /// working folder.
    #[test]
    fn problems_with_no_file_point_at_a_folder() {
        let whole_repo =
            Diagnostic::error("repo-unreadable", "unreadable").in_repo("r", "org/r", "");
        let nowhere = Diagnostic::warning("scorecard-not-found", "no file matches");
        let out = sarif(
            &[whole_repo, nowhere],
            &[repo("r", "org/r"), repo("s", "org/s")],
        );
        let artifact = |i: usize| {
            out["runs"][0]["results"][i]["locations"][0]["physicalLocation"]["artifactLocation"]
                .clone()
        };
        assert_eq!(artifact(0), json!({ "uri": ".", "uriBaseId": "REPO-r" }));
        assert_eq!(artifact(1), json!({ "uri": ".", "uriBaseId": CWD }));
    }

    #[test]
    fn odd_characters_in_paths_are_percent_encoded() {
        assert_eq!(relative_uri("./docs/a b#?.md"), "docs/a%20b%23%3F.md");
        assert_eq!(relative_uri("é.md"), "%C3%A9.md");
        assert_eq!(relative_uri("a:b.yaml"), "a%3Ab.yaml", "not a scheme");
    }

    #[test]
    fn every_code_in_the_book_has_a_short_description() {
        assert_eq!(
            short_description("invalid-scorecard").as_deref(),
            Some(
                "A scorecard definition has a mistake (at its line and column); the scorecard is not evaluated. See Scorecards."
            )
        );
        assert_eq!(
            short_description("invalid-tag").as_deref(),
            Some("A tag is malformed.")
        );
        assert_eq!(short_description("no-such-code"), None);
    }

    #[test]
    fn notes_are_left_out_unless_asked_for() {
        let note = Diagnostic::info("no-catalog-file", "none").in_repo("r", ".", "");
        let out = sarif(&[note], &[repo("r", ".")]);
        assert_eq!(out["runs"][0]["results"].as_array().map(Vec::len), Some(0));
    }
}
