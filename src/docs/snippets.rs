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

use super::markdown::preprocess::{selected_lines, snippet_references, split_spec};
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
}

impl Snippets {
    /// Reads every snippet `pages` include, recursively. Snippet names are
    /// relative to the folder holding mkdocs.yml, as pymdownx.snippets'
    /// default `base_path` is.
    pub(super) fn read<'t>(
        snapshot: &Snapshot,
        base: &str,
        pages: impl Iterator<Item = &'t str>,
    ) -> Snippets {
        let mut snippets = Snippets::default();
        let mut pending: Vec<String> = pages
            .flat_map(snippet_references)
            .map(|spec| split_spec(spec).0.to_string())
            .collect();
        pending.reverse();
        while let Some(name) = pending.pop() {
            if snippets.paths.contains_key(&name) {
                continue;
            }
            let path = safe_path::join(base, &name).map_err(|e| format!("snippet {e}"));
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
                    pending.extend(nested.map(|spec| split_spec(spec).0.to_string()));
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
                    let (name, range) = split_spec(spec);
                    let bytes = match self.get(name) {
                        Ok(snippet) => {
                            let lines: Vec<&str> = selected_lines(&snippet, range).collect();
                            let own: usize = lines.iter().map(|l| l.len() + 1).sum();
                            own.saturating_add(self.added_at(&lines.join("\n"), depth + 1, memo))
                        }
                        Err(_) => 0,
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
        // a.md: 4 + 14 bytes of its own lines, then b.md's 6.
        assert_eq!(s.added_bytes("--8<-- \"a.md\"\n", &mut memo), 4 + 14 + 6);
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
