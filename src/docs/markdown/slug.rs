//! Heading ids exactly as MkDocs' `toc` extension makes them, so existing
//! `page.md#some-heading` links keep working.

use std::collections::{HashMap, HashSet};
use unicode_normalization::UnicodeNormalization;

/// Python-Markdown's default `slugify`: NFKD, ASCII only, drop what is not a
/// word character, space or hyphen, lower-case, runs of spaces and hyphens
/// become one hyphen.
pub fn slugify(text: &str) -> String {
    let ascii: std::borrow::Cow<'_, str> = if text.is_ascii() {
        text.into()
    } else {
        text.nfkd()
            .filter(char::is_ascii)
            .collect::<String>()
            .into()
    };
    let kept: String = ascii
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || c.is_ascii_whitespace())
        .collect();
    let mut slug = String::with_capacity(kept.len());
    let mut in_separator_run = false;
    for c in kept.trim().chars() {
        if c == '-' || c.is_ascii_whitespace() {
            if !in_separator_run {
                slug.push('-');
            }
            in_separator_run = true;
        } else {
            slug.push(c.to_ascii_lowercase());
            in_separator_run = false;
        }
    }
    slug
}

/// The ids of one page, made unique the way Python-Markdown's `unique`
/// does: `id`, then `id_1`, `id_2`, …; `x_7` goes on with `x_8`; an empty
/// id becomes `_1`.
#[derive(Debug, Default)]
pub struct UsedIds {
    ids: HashSet<String>,
    /// Per stem, where a search for a free number that started at the key
    /// may resume: every number in between is taken. Without it, 20,000
    /// headings named alike took 20,000²/2 steps.
    resume: HashMap<String, HashMap<u64, u64>>,
}

impl UsedIds {
    /// Records an id given explicitly (`{#id}`); false if it was taken.
    pub fn insert(&mut self, id: String) -> bool {
        self.ids.insert(id)
    }

    /// `id`, or the first free id of its sequence; recorded as taken.
    pub fn unique(&mut self, id: String) -> String {
        if !id.is_empty() && !self.ids.contains(&id) {
            self.ids.insert(id.clone());
            return id;
        }
        let (stem, start) = match id.rsplit_once('_') {
            Some((stem, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => (
                stem.to_string(),
                n.parse::<u64>().unwrap_or(0).saturating_add(1),
            ),
            _ => (id, 1),
        };
        let resume = self.resume.entry(stem.clone()).or_default();
        let mut n = start;
        loop {
            if let Some(&later) = resume.get(&n) {
                n = later;
                continue;
            }
            let candidate = format!("{stem}_{n}");
            if self.ids.insert(candidate.clone()) {
                // Everything from `start` to `n` is taken now.
                resume.insert(start, n + 1);
                resume.insert(n, n + 1);
                return candidate;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_python_markdown() {
        assert_eq!(slugify("Hello World"), "hello-world");
        assert_eq!(slugify("  Step 1: Install  "), "step-1-install");
        assert_eq!(slugify("Déjà vu — café"), "deja-vu-cafe");
        assert_eq!(slugify("What's new?"), "whats-new");
        assert_eq!(slugify("a - b"), "a-b");
        assert_eq!(slugify("snake_case_name"), "snake_case_name");
        assert_eq!(slugify("C++ & Rust"), "c-rust");
        assert_eq!(slugify("日本語"), "");
        assert_eq!(slugify("-leading and trailing-"), "-leading-and-trailing-");
    }

    #[test]
    fn repeats_get_numbered_suffixes() {
        let mut used = UsedIds::default();
        assert_eq!(used.unique("faq".into()), "faq");
        assert_eq!(used.unique("faq".into()), "faq_1");
        assert_eq!(used.unique("faq".into()), "faq_2");
        assert_eq!(used.unique(String::new()), "_1");
        assert_eq!(used.unique(String::new()), "_2");
        // Explicit ids take numbers out of the sequence.
        assert!(used.insert("faq_3".into()));
        assert_eq!(used.unique("faq".into()), "faq_4");
        assert_eq!(used.unique("faq_1".into()), "faq_5");
        assert_eq!(used.unique("x_9".into()), "x_9");
        assert_eq!(used.unique("x_9".into()), "x_10");
    }

    /// The reference: Python-Markdown's `unique`, step by step.
    fn unique_reference(id: String, used: &mut HashSet<String>) -> String {
        let mut id = id;
        while id.is_empty() || used.contains(&id) {
            id = match id.rsplit_once('_') {
                Some((stem, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                    format!("{stem}_{}", n.parse::<u64>().unwrap_or(0) + 1)
                }
                _ => format!("{id}_1"),
            };
        }
        used.insert(id.clone());
        id
    }

    #[test]
    fn agrees_with_the_reference_on_mixed_sequences() {
        let names = [
            "a", "a_1", "a", "a_2", "a", "", "_1", "a_1", "b_3", "b", "b", "b_3", "a",
        ];
        let mut fast = UsedIds::default();
        let mut reference = HashSet::new();
        for round in 0..40 {
            for (i, name) in names.iter().enumerate() {
                let name = if (round + i) % 3 == 0 {
                    format!("{name}_{round}")
                } else {
                    name.to_string()
                };
                assert_eq!(
                    fast.unique(name.clone()),
                    unique_reference(name, &mut reference)
                );
            }
        }
    }
}
