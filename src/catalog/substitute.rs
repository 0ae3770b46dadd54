//! `$text`, `$json` and `$yaml` placeholders, as Backstage's
//! `PlaceholderProcessor` resolves them.
//!
//! A mapping whose only key is one of those is replaced by the content of the
//! file it names, relative to the catalog file and confined to the
//! repository. Any other mapping with a `$` key (JSON Schema's `$ref`, a
//! placeholder beside other keys, one whose value is no string) is left
//! alone, whatever it holds, as Backstage leaves it.
//! An absolute URL into the same repository (by its git remote) is read from
//! the local files; a URL anywhere else is an error, as Backstage rejects the
//! entity (`assertSameRepository` in its `PlaceholderProcessor`; a default
//! backend reads no other host). What placeholders add is budgeted: bytes
//! read per repository load, values per document.

use super::json::{self, JsonError};
use super::location::RepoLocation;
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::limits::{JSON_MAX_DEPTH, MAX_SUBSTITUTED_BYTES};
use crate::read::{Snapshot, safe_path};
use crate::yaml::{self, Node, Value};
use std::collections::HashMap;

/// One document's placeholders being resolved.
pub struct Context<'a> {
    pub snapshot: &'a Snapshot,
    /// The repository's web address, to tell URLs into it from others.
    pub links: &'a RepoLocation,
    pub file: SourceFile<'a>,
    /// What placeholders may still read in this repository load, shared by
    /// its documents.
    pub bytes: &'a mut ByteBudget,
    /// Values this document may still gain: [`yaml::Budget::max_nodes`]
    /// less its own ([`nodes_left`]).
    pub nodes_left: usize,
}

/// Bytes of files that placeholders may still read in one repository load
/// ([`MAX_SUBSTITUTED_BYTES`] to start with).
pub struct ByteBudget {
    left: u64,
    /// Sizes of the files read so far: once the budget runs low, a file
    /// named again is refused without being read again.
    sizes: HashMap<String, u64>,
}

impl Default for ByteBudget {
    fn default() -> Self {
        ByteBudget {
            left: MAX_SUBSTITUTED_BYTES,
            sizes: HashMap::new(),
        }
    }
}

impl ByteBudget {
    /// The size of `path` when it was read before and is more than is left.
    fn known_too_large(&self, path: &str) -> Option<u64> {
        self.sizes
            .get(path)
            .copied()
            .filter(|&size| size > self.left)
    }

    /// Takes the `size` bytes read from `path`; gives the size back as the
    /// error when that is more than is left.
    fn take(&mut self, path: &str, size: u64) -> Result<(), u64> {
        self.sizes.insert(path.to_string(), size);
        self.left = self.left.checked_sub(size).ok_or(size)?;
        Ok(())
    }
}

/// What a document of `size` values (see [`Node::size`]) may still gain.
pub fn nodes_left(size: usize) -> usize {
    yaml::Budget::default().max_nodes.saturating_sub(size)
}

/// Replaces every placeholder under `node`. Returns false if one failed.
pub fn substitute(node: &mut Node, ctx: &mut Context<'_>, out: &mut Vec<Diagnostic>) -> bool {
    if let Some((kind, target)) = placeholder(node) {
        let (line, column) = (node.pos.line, node.pos.column);
        return match resolve(&kind, &target, node, ctx) {
            Ok((value, warning)) => {
                out.extend(warning.map(|d| d.in_file(&ctx.file, line, column)));
                *node = value;
                true
            }
            Err(d) => {
                out.push(d.in_file(&ctx.file, line, column));
                false
            }
        };
    }
    let mut ok = true;
    match &mut node.value {
        Value::Seq(items) => {
            for item in items {
                ok &= substitute(item, ctx, out);
            }
        }
        // Backstage does not look inside a mapping with a `$` key.
        Value::Map(entries) if entries.iter().any(|(key, _)| key.name.starts_with('$')) => {}
        Value::Map(entries) => {
            for (_, value) in entries {
                ok &= substitute(value, ctx, out);
            }
        }
        _ => {}
    }
    ok
}

/// `{ $text: path }` → ("$text", "path").
fn placeholder(node: &Node) -> Option<(String, String)> {
    let [(key, value)] = node.as_map()? else {
        return None;
    };
    if !matches!(key.name.as_str(), "$text" | "$json" | "$yaml") {
        return None;
    }
    Some((key.name.clone(), value.as_str()?.to_string()))
}

/// The replacement value, and a warning when it is only a stand-in.
fn resolve(
    kind: &str,
    target: &str,
    at: &Node,
    ctx: &mut Context<'_>,
) -> Result<(Node, Option<Diagnostic>), Box<Diagnostic>> {
    let pos = at.pos;
    // A URL into this repository names a path from its root.
    let (base, relative) = if target.contains("://") {
        let path = ctx
            .links
            .path_of_url(target)
            .ok_or_else(|| other_repository(kind, target))?;
        ("", path)
    } else {
        (safe_path::parent(ctx.file.path), target.to_string())
    };
    let failed = |message: String| Box::new(Diagnostic::error("substitution-failed", message));
    let path = safe_path::join(base, &relative).map_err(|e| {
        Box::new(
            failed(format!("`{kind}`: {e}"))
                .with_hint("placeholders may only name files inside the same repository"),
        )
    })?;
    if let Some(size) = ctx.bytes.known_too_large(&path) {
        return Err(too_many_bytes(kind, target, size, ctx.bytes.left));
    }
    let text = ctx
        .snapshot
        .read_text(&path)
        .map_err(|e| failed(format!("`{kind}`: {e}")))?;
    let left = ctx.bytes.left;
    ctx.bytes
        .take(&path, text.len() as u64)
        .map_err(|size| too_many_bytes(kind, target, size, left))?;
    let (value, size) = content(kind, target, text, pos, ctx.nodes_left)?;
    ctx.nodes_left = ctx
        .nodes_left
        .checked_sub(size)
        .ok_or_else(|| too_many_values(kind, target))?;
    Ok((
        Node {
            value,
            pos,
            tag: None,
        },
        None,
    ))
}

/// A placeholder file's text as the value it stands for, and the values
/// that takes of the document's budget (`nodes_left` of it are left).
fn content(
    kind: &str,
    target: &str,
    text: String,
    pos: yaml::Pos,
    nodes_left: usize,
) -> Result<(Value, usize), Box<Diagnostic>> {
    let failed = |message: String| Box::new(Diagnostic::error("substitution-failed", message));
    match kind {
        "$text" => Ok((Value::String(text), 1)),
        "$json" => {
            let (node, size) = json::parse(&text, pos, nodes_left).map_err(|e| match e {
                JsonError::Syntax(e) => failed(format!("`$json: {target}` is not valid JSON: {e}")),
                JsonError::TooDeep => failed(format!(
                    "`$json: {target}` is nested deeper than {JSON_MAX_DEPTH} levels"
                )),
                JsonError::TooLarge => too_many_values(kind, target),
            })?;
            Ok((node.value, size))
        }
        _ => {
            let node = yaml::parse_single(&text, yaml::Budget::default()).map_err(|e| {
                failed(format!(
                    "`$yaml: {target}` line {}: {}",
                    e.pos.line, e.message
                ))
            })?;
            // Backstage's words: an empty file (or only comments) holds no document.
            let mut node = node.ok_or_else(|| {
                failed(format!(
                    "Placeholder $yaml expected to find exactly one document of data at {target}, found 0"
                ))
            })?;
            relocate(&mut node, pos);
            let size = node.size();
            Ok((node.value, size))
        }
    }
}

/// A placeholder naming a URL outside the entity's repository.
fn other_repository(kind: &str, target: &str) -> Box<Diagnostic> {
    // PlaceholderProcessor's own words (`readTextLocation` wrapping
    // `assertSameRepository`), as Backstage reports them for a URL on a
    // repository host; a default backend reads no other host either.
    Box::new(
        Diagnostic::error(
            "remote-substitution",
            format!(
                "Backstage rejects this entity: Placeholder {kind} could not read location {target}, Error: Placeholder may only reference files from the same repository as the entity"
            ),
        )
        .with_hint("commit the file in this repository and name it by a relative path"),
    )
}

fn too_many_bytes(kind: &str, target: &str, size: u64, left: u64) -> Box<Diagnostic> {
    let mb = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    Box::new(
        Diagnostic::error(
            "substitution-failed",
            format!(
                "`{kind}: {target}` was not substituted: its file ({:.1} MB) is more than what \
                 is left ({:.1} MB) of the {:.0} MB that placeholders may read per repository",
                mb(size),
                mb(left),
                mb(MAX_SUBSTITUTED_BYTES)
            ),
        )
        .with_hint("embed large files once, or link to them (metadata.links) instead"),
    )
}

fn too_many_values(kind: &str, target: &str) -> Box<Diagnostic> {
    let max = yaml::Budget::default().max_nodes;
    Box::new(
        Diagnostic::error(
            "substitution-failed",
            format!(
                "`{kind}: {target}` was not substituted: the document would hold more than \
                 {max} values with it"
            ),
        )
        .with_hint(format!(
            "a document and the files its placeholders embed hold at most {max} values \
             together: embed smaller files, or fewer"
        )),
    )
}

/// Gives nodes read from another file the placeholder's position, so later
/// diagnostics point at the line a reader can find.
fn relocate(node: &mut Node, pos: yaml::Pos) {
    node.pos = pos;
    match &mut node.value {
        Value::Seq(items) => {
            for item in items {
                relocate(item, pos);
            }
        }
        Value::Map(entries) => {
            for (key, value) in entries {
                key.pos = pos;
                relocate(value, pos);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::RepoKind;

    /// A plain-folder repository holding `files`.
    fn repo(files: &[(&str, &str)]) -> (tempfile::TempDir, Snapshot) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            std::fs::write(dir.path().join(path), text).unwrap();
        }
        let source = crate::discover::source(dir.path(), RepoKind::Plain);
        let snapshot = Snapshot::open(&source, None).unwrap();
        (dir, snapshot)
    }

    /// Substitutes the one document of `yaml` (catalog-info.yaml) with the
    /// budgets given; returns it and the diagnostics.
    fn run(
        snapshot: &Snapshot,
        yaml: &str,
        bytes: &mut ByteBudget,
        nodes_left: usize,
    ) -> (Node, Vec<Diagnostic>) {
        let mut root = yaml::parse_single(yaml, yaml::Budget::default())
            .unwrap()
            .unwrap();
        let file = SourceFile {
            repo: "r",
            repo_dir: "r",
            path: "catalog-info.yaml",
            text: yaml,
            line_index: None,
        };
        let links = RepoLocation::of(snapshot);
        let mut ctx = Context {
            snapshot,
            links: &links,
            file,
            bytes,
            nodes_left,
        };
        let mut out = Vec::new();
        substitute(&mut root, &mut ctx, &mut out);
        (root, out)
    }

    fn messages(out: &[Diagnostic]) -> Vec<String> {
        out.iter()
            .map(|d| format!("{} {}:{} {}", d.code, d.line, d.column, d.message))
            .collect()
    }

    #[test]
    fn placeholders_become_the_files_content_at_their_place() {
        let (_dir, snapshot) = repo(&[
            ("a.txt", "hello"),
            ("b.json", r#"{"k": [1, 2]}"#),
            ("c.yaml", "x: !tag y\n"),
        ]);
        let yaml = "t:\n  $text: a.txt\nj:\n  $json: ./b.json\ny:\n  $yaml: c.yaml\n";
        let (root, out) = run(&snapshot, yaml, &mut ByteBudget::default(), 1_000);
        assert!(out.is_empty(), "{out:?}");
        assert_eq!(
            root.to_json(),
            serde_json::json!({"t": "hello", "j": {"k": [1, 2]}, "y": {"x": "y"}})
        );
        let at = |path: &[&str]| root.at(path).unwrap().pos;
        assert_eq!(at(&["j", "k", "1"]), yaml::Pos { line: 4, column: 3 });
        assert_eq!(at(&["y", "x"]), yaml::Pos { line: 6, column: 3 });
    }

    /// As Backstage: nothing inside a mapping with a `$` key is resolved
    /// (a placeholder beside other keys, an unknown `$` key), and a `$yaml`
    /// file with no document is an error, not null.
    #[test]
    fn mappings_with_dollar_keys_are_left_alone_and_yaml_needs_a_document() {
        let (_dir, snapshot) = repo(&[("a.txt", "hello"), ("empty.yaml", "# nothing\n")]);
        let yaml = "r:\n  $ref: '#/x'\n  inner:\n    $text: a.txt\nu:\n  $foo:\n    $text: a.txt\nn:\n  $text: 5\nok:\n  deep:\n    $text: a.txt\n";
        let (root, out) = run(&snapshot, yaml, &mut ByteBudget::default(), 1_000);
        assert!(out.is_empty(), "{out:?}");
        assert_eq!(
            root.to_json(),
            serde_json::json!({
                "r": {"$ref": "#/x", "inner": {"$text": "a.txt"}},
                "u": {"$foo": {"$text": "a.txt"}},
                "n": {"$text": 5},
                "ok": {"deep": "hello"},
            })
        );
        let (_, out) = run(
            &snapshot,
            "e:\n  $yaml: empty.yaml\n",
            &mut ByteBudget::default(),
            1_000,
        );
        assert_eq!(
            messages(&out),
            [
                "substitution-failed 2:3 Placeholder $yaml expected to find exactly one document of data at empty.yaml, found 0"
            ]
        );
    }

    #[test]
    fn the_byte_budget_is_shared_by_the_documents_of_a_load() {
        let six_mb = "x".repeat(6 * 1024 * 1024);
        let (dir, snapshot) = repo(&[("big.txt", &six_mb), ("small.txt", "fine")]);
        let mut bytes = ByteBudget::default();
        let yaml = "a:\n  $text: big.txt\nb:\n  $text: big.txt\n";
        let (_, out) = run(&snapshot, yaml, &mut bytes, 1_000);
        assert!(out.is_empty(), "{out:?}");
        // A second document of the same load: 4 MB left.
        let yaml = "c:\n  $text: big.txt\nd:\n  $text: small.txt\n";
        let (root, out) = run(&snapshot, yaml, &mut bytes, 1_000);
        assert_eq!(
            messages(&out),
            [
                "substitution-failed 2:3 `$text: big.txt` was not substituted: its file (6.0 MB) \
              is more than what is left (4.0 MB) of the 16 MB that placeholders may read per \
              repository"
            ]
        );
        assert!(out[0].hint.as_deref().unwrap().contains("link to them"));
        assert_eq!(root.get("d").unwrap().as_str(), Some("fine"));
        assert!(root.at(&["c", "$text"]).is_some(), "the placeholder stays");
        // Known to be too large: refused without being read again.
        std::fs::remove_file(dir.path().join("big.txt")).unwrap();
        let (_, out) = run(&snapshot, yaml, &mut bytes, 1_000);
        assert!(messages(&out)[0].contains("was not substituted"), "{out:?}");
    }

    #[test]
    fn substituted_values_count_toward_the_documents_node_budget() {
        let (_dir, snapshot) = repo(&[("list.yaml", "[1, 2, 3]\n"), ("list.json", "[1, 2, 3]")]);
        let yaml = "a:\n  $yaml: list.yaml\nb:\n  $json: list.json\nc:\n  $yaml: list.yaml\n";
        let (root, out) = run(&snapshot, yaml, &mut ByteBudget::default(), 9);
        assert_eq!(root.at(&["a", "2"]).unwrap().value, Value::Int(3));
        assert_eq!(root.at(&["b", "2"]).unwrap().value, Value::Int(3));
        assert_eq!(
            messages(&out),
            [
                "substitution-failed 6:3 `$yaml: list.yaml` was not substituted: the document \
              would hold more than 250000 values with it"
            ]
        );
        let (_, out) = run(
            &snapshot,
            "b:\n  $json: list.json\n",
            &mut ByteBudget::default(),
            3,
        );
        assert!(messages(&out)[0].contains("`$json: list.json` was not substituted"));
    }

    /// 3.2 million `{}` in 9.6 MB: gigabytes through serde_json's `Value`
    /// before; now reading stops at the document's node budget.
    #[test]
    fn a_huge_json_file_stops_at_the_node_budget() {
        let empties = format!("[{}]", vec!["{}"; 3_200_000].join(","));
        let (_dir, snapshot) = repo(&[("big.json", &empties)]);
        let yaml = "kind: Component\nspec:\n  data:\n    $json: big.json\n";
        let nodes_left = nodes_left(
            yaml::parse_single(yaml, yaml::Budget::default())
                .unwrap()
                .unwrap()
                .size(),
        );
        let (_, out) = run(&snapshot, yaml, &mut ByteBudget::default(), nodes_left);
        assert_eq!(
            messages(&out),
            [
                "substitution-failed 4:5 `$json: big.json` was not substituted: the document \
              would hold more than 250000 values with it"
            ]
        );
    }

    #[test]
    fn json_errors_name_the_file() {
        let deep = format!("{}1{}", "[".repeat(101), "]".repeat(101));
        let (_dir, snapshot) = repo(&[("bad.json", "{\"a\": }"), ("deep.json", &deep)]);
        let yaml = "a:\n  $json: bad.json\nb:\n  $json: deep.json\n";
        let (_, out) = run(&snapshot, yaml, &mut ByteBudget::default(), 1_000);
        let messages = messages(&out);
        assert!(
            messages[0].starts_with("substitution-failed 2:3 `$json: bad.json` is not valid JSON: expected value at line 1"),
            "{messages:?}"
        );
        assert_eq!(
            messages[1],
            "substitution-failed 4:3 `$json: deep.json` is nested deeper than 100 levels"
        );
    }
}
