//! The snippets (`--8<--`) of one repository's docs, read before its pages
//! render in parallel, and the share of the repository's snippet budget each
//! page may spend.
//!
//! Snippets let a few small files grow pages without bound (a file included
//! twenty times by a file included twenty times…). Each page has a budget of
//! its own, enforced while it expands (`markdown::preprocess`); the
//! repository's budget is shared out here, before rendering, in page order,
//! from what each page would include at most, so which pages get their
//! snippets does not depend on which thread renders first.

use super::markdown::preprocess::snippet_references;
use super::markdown::snippet_syntax::{parse_spec, select};
use super::mkdocs::SnippetSettings;
use crate::limits::{
    MAX_PAGE_SNIPPET_BYTES, MAX_REPO_SNIPPET_BYTES, MAX_SNIPPET_DEPTH, MAX_SNIPPET_FILES,
};
use crate::read::{Snapshot, safe_path};
use std::collections::HashMap;
use std::sync::Arc;

/// Snippet files read for a docs site, by the name written after `--8<--`.
#[derive(Default)]
pub(super) struct Snippets {
    /// Name as written → its path in the repository, or why it has none.
    paths: HashMap<String, Result<String, String>>,
    /// Path in the repository → text; each file is read once, however
    /// many spellings name it (`./a.md`, `a.md`).
    files: HashMap<String, Result<Arc<str>, String>>,
    settings: SnippetSettings,
}

impl Snippets {
    /// Reads every snippet `pages` include, recursively. Names are looked
    /// up in each `base_path` in turn (relative to `root`, the folder
    /// holding mkdocs.yml, where TechDocs runs MkDocs); URLs are never read.
    pub(super) fn read<'t>(
        snapshot: &Snapshot,
        root: &str,
        settings: &SnippetSettings,
        pages: impl Iterator<Item = &'t str>,
    ) -> Snippets {
        let mut snippets = Snippets {
            settings: settings.clone(),
            ..Snippets::default()
        };
        let file_of = |spec: &str| {
            let spec = parse_spec(spec);
            (!spec.file.is_empty() && !spec.is_url()).then(|| spec.file.to_string())
        };
        let mut pending: Vec<String> = pages
            .flat_map(snippet_references)
            .filter_map(file_of)
            .collect();
        pending.reverse();
        while let Some(name) = pending.pop() {
            if snippets.paths.contains_key(&name) {
                continue;
            }
            let path = find(snapshot, root, settings, &name);
            if let Ok(path) = &path
                && !snippets.files.contains_key(path)
            {
                let text = if snippets.files.len() >= MAX_SNIPPET_FILES {
                    Err(format!(
                        "snippet `{name}` was not read: these docs include more than {MAX_SNIPPET_FILES} files"
                    ))
                } else {
                    snapshot
                        .read_text(path)
                        .map(Arc::from)
                        .map_err(|e| format!("snippet: {e}"))
                };
                if let Ok(text) = &text {
                    let nested = snippet_references(text).into_iter().rev();
                    pending.extend(nested.filter_map(file_of));
                }
                snippets.files.insert(path.clone(), text);
            }
            snippets.paths.insert(name, path);
        }
        snippets
    }

    /// A hash of every snippet read (names, paths and texts), for the keys
    /// of the pages that include snippets.
    pub(super) fn key(&self) -> super::memo::Key {
        let mut names: Vec<(&String, &Result<String, String>)> = self.paths.iter().collect();
        names.sort();
        let mut hasher = super::memo::hasher();
        super::memo::part(&mut hasher, format!("{:?}", self.settings).as_bytes());
        for (name, path) in names {
            super::memo::part(&mut hasher, name.as_bytes());
            match path.as_ref().map(|p| (p, self.files.get(p))) {
                Ok((path, Some(Ok(text)))) => {
                    super::memo::part(&mut hasher, path.as_bytes());
                    super::memo::part(&mut hasher, text.as_bytes());
                }
                Ok((path, _)) => super::memo::part(&mut hasher, path.as_bytes()),
                Err(e) => super::memo::part(&mut hasher, e.as_bytes()),
            }
        }
        hasher.digest128()
    }

    /// The text of the snippet named `name`.
    pub(super) fn get(&self, name: &str) -> Result<Arc<str>, String> {
        match self.paths.get(name) {
            Some(Ok(path)) => self
                .files
                .get(path)
                .cloned()
                .unwrap_or_else(|| Err(format!("snippet `{name}` was not found"))),
            Some(Err(e)) => Err(e.clone()),
            None => Err(format!("snippet `{name}` was not found")),
        }
    }

    /// The most bytes `text`'s snippets would add to a page (nested ones
    /// included, as deep as expansion goes), capped at the page budget.
    fn added_bytes(&self, text: &str, memo: &mut HashMap<(String, usize), usize>) -> usize {
        self.added_at(text, 0, memo).min(MAX_PAGE_SNIPPET_BYTES + 1)
    }

    fn added_at(
        &self,
        text: &str,
        depth: usize,
        memo: &mut HashMap<(String, usize), usize>,
    ) -> usize {
        if depth >= MAX_SNIPPET_DEPTH {
            return 0;
        }
        let mut total = 0usize;
        for spec in snippet_references(text) {
            let key = (spec.to_string(), depth);
            let bytes = match memo.get(&key) {
                Some(bytes) => *bytes,
                None => {
                    // Stops a cycle from recursing until the depth bound.
                    memo.insert(key.clone(), 0);
                    let spec = parse_spec(spec);
                    let dedent = self.settings.dedent_subsections;
                    let lines = self
                        .get(spec.file)
                        .ok()
                        .and_then(|text| select(&text, &spec.selection, dedent).ok());
                    let bytes = match lines {
                        Some(lines) => {
                            let own: usize = lines.iter().map(|l| l.len() + 1).sum();
                            own.saturating_add(self.added_at(&lines.join("\n"), depth + 1, memo))
                        }
                        None => 0,
                    };
                    memo.insert(key, bytes);
                    bytes
                }
            };
            total = total.saturating_add(bytes);
            if total > MAX_PAGE_SNIPPET_BYTES {
                break;
            }
        }
        total
    }
}

/// The repository path of snippet `name`: the first base holding it.
/// With `restrict_base_path` (the default) a name may not leave its base;
/// without, it may go anywhere in the repository. A base that is a file
/// lets only that file be named, by its name.
fn find(
    snapshot: &Snapshot,
    root: &str,
    settings: &SnippetSettings,
    name: &str,
) -> Result<String, String> {
    let mut refused = None;
    for base in &settings.base_path {
        let Ok(base) = safe_path::join(root, base).or_else(|e| match e {
            safe_path::PathError::Empty => Ok(String::new()),
            e => Err(e),
        }) else {
            continue;
        };
        let folder = if snapshot.is_file(&base) {
            safe_path::parent(&base).to_string()
        } else {
            base.clone()
        };
        let path = match safe_path::join(&folder, name) {
            Ok(path) => path,
            Err(e) => {
                refused.get_or_insert(format!("snippet {e}"));
                continue;
            }
        };
        let inside = if snapshot.is_file(&base) {
            path == base
        } else {
            !settings.restrict_base_path || base.is_empty() || path.starts_with(&format!("{base}/"))
        };
        if !inside {
            refused.get_or_insert(format!(
                "snippet `{name}` leaves its base folder `{}` (pymdownx.snippets' `restrict_base_path`)",
                if base.is_empty() { "." } else { &base }
            ));
            continue;
        }
        if snapshot.exists(&path) {
            return Ok(path);
        }
    }
    Err(refused.unwrap_or_else(|| {
        format!(
            "snippet `{name}` was not found in {}",
            settings
                .base_path
                .iter()
                .map(|b| format!("`{b}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }))
}

/// The repository's snippet budget, shared out page by page in the order
/// pages are given (sites in order, pages sorted within each).
pub(super) struct Budget {
    left: usize,
    memo: HashMap<(String, usize), usize>,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            left: MAX_REPO_SNIPPET_BYTES,
            memo: HashMap::new(),
        }
    }
}

impl Budget {
    /// Whether the page whose text is `text` may include its snippets;
    /// when it may, what they add is taken from the budget. A page over its
    /// own budget is let through: it stops at that budget while expanding.
    pub(super) fn grant(&mut self, snippets: &Snippets, text: &str) -> bool {
        let bytes = snippets.added_bytes(text, &mut self.memo);
        if bytes > self.left {
            return false;
        }
        self.left -= bytes;
        true
    }

    /// A new site: its snippets are other files.
    pub(super) fn next_site(&mut self) {
        self.memo.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snippets(files: &[(&str, &str)]) -> Snippets {
        let mut s = Snippets::default();
        for (name, text) in files {
            s.paths.insert(name.to_string(), Ok(name.to_string()));
            s.files.insert(name.to_string(), Ok(Arc::from(*text)));
        }
        s
    }

    #[test]
    fn added_bytes_count_nested_and_ranged_includes() {
        let s = snippets(&[
            ("a.md", "one\n--8<-- \"b.md\"\n"),
            ("b.md", "1\n2\n3\n"),
            ("self.md", "--8<-- \"self.md\"\n"),
        ]);
        let mut memo = HashMap::new();
        // a.md: 4 + 14 + 1 bytes of its own lines (a final line ending
        // gives a last, empty line), then b.md's 7.
        assert_eq!(
            s.added_bytes("--8<-- \"a.md\"\n", &mut memo),
            4 + 14 + 1 + 7
        );
        assert_eq!(s.added_bytes("--8<-- \"b.md:2:3\"\n", &mut memo), 4);
        assert!(s.added_bytes("--8<-- \"self.md\"\n", &mut memo) < 100);
    }

    #[test]
    fn the_repository_budget_goes_to_pages_in_order() {
        let big = "x".repeat(MAX_PAGE_SNIPPET_BYTES - 1);
        let s = snippets(&[("big.md", &big)]);
        let mut budget = Budget::default();
        let page = "--8<-- \"big.md\"\n";
        for _ in 0..MAX_REPO_SNIPPET_BYTES / MAX_PAGE_SNIPPET_BYTES {
            assert!(budget.grant(&s, page));
        }
        assert!(!budget.grant(&s, page), "the next page is over the budget");
        assert!(budget.grant(&s, "no snippets"));
    }
}
