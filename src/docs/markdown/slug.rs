//! Heading ids exactly as MkDocs' `toc` extension makes them, so existing
//! `page.md#some-heading` links keep working.

use std::collections::HashSet;
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

/// Makes `id` unique among `used` the way Python-Markdown's `unique` does:
/// `id`, then `id_1`, `id_2`, ...; an empty id becomes `_1`.
pub fn unique(id: String, used: &mut HashSet<String>) -> String {
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
        let mut used = HashSet::new();
        assert_eq!(unique("faq".into(), &mut used), "faq");
        assert_eq!(unique("faq".into(), &mut used), "faq_1");
        assert_eq!(unique("faq".into(), &mut used), "faq_2");
        assert_eq!(unique(String::new(), &mut used), "_1");
        assert_eq!(unique(String::new(), &mut used), "_2");
    }
}
