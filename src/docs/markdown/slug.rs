//! Heading ids exactly as MkDocs' `toc` extension makes them, so existing
//! `page.md#some-heading` links keep working.

use std::collections::{HashMap, HashSet};
use unicode_normalization::UnicodeNormalization;

/// How the `toc` extension makes heading ids: its `slugify` function and
/// `separator` (mkdocs.yml's `toc` options).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SlugSettings {
    pub style: SlugStyle,
    pub separator: String,
}

impl Default for SlugSettings {
    fn default() -> SlugSettings {
        SlugSettings {
            style: SlugStyle::Markdown { unicode: false },
            separator: "-".into(),
        }
    }
}

/// The `slugify` functions MkDocs sites name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SlugStyle {
    /// Python-Markdown's `toc.slugify` (ASCII), or `toc.slugify_unicode`.
    Markdown { unicode: bool },
    /// `pymdownx.slugs.slugify(case=…, percent_encode=…, normalize=…)`,
    /// and the older names that stand for one of its settings.
    Pymdownx {
        case: SlugCase,
        percent_encode: bool,
        normalize: Normalization,
    },
}

/// `pymdownx.slugs.slugify`'s `case`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SlugCase {
    /// As written (`none`).
    Kept,
    Lower,
    /// Only A-Z lower-cased (`lower-ascii`, GitHub's way).
    LowerAscii,
    /// `fold`: Python's `casefold` (`ß` → `ss`), see `super::casefold`.
    Fold,
}

/// `pymdownx.slugs.slugify`'s `normalize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Normalization {
    Nfc,
    Nfd,
    Nfkc,
    Nfkd,
}

/// Python's `\w` on text: letters, numbers, `_`.
static NOT_WORD_SPACE_OR_HYPHEN: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new(r"[^\p{L}\p{N}_\s-]").expect("valid"));
static NOT_WORD_HYPHEN_OR_SPACE_CHAR: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new(r"[^\p{L}\p{N}_\- ]").expect("valid"));
static TAG: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new(r"</?[^>]*>").expect("valid"));

/// A heading's id (before it is made unique) as the site's `slugify` makes
/// it.
pub fn slug(text: &str, settings: &SlugSettings) -> String {
    match settings.style {
        SlugStyle::Markdown { unicode } => markdown_slug(text, unicode, &settings.separator),
        SlugStyle::Pymdownx {
            case,
            percent_encode,
            normalize,
        } => {
            // toc hands the heading's text through `strip_tags`, which
            // joins runs of whitespace into one space.
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            pymdownx_slug(&text, case, percent_encode, normalize, &settings.separator)
        }
    }
}

/// Python-Markdown's `slugify(value, separator, unicode)`: without
/// `unicode`, NFKD and ASCII only (an ASCII heading, most of them, as it
/// is); drop what is not a word character, space or hyphen; lower-case;
/// runs of spaces and separators become one separator.
fn markdown_slug(text: &str, unicode: bool, separator: &str) -> String {
    let kept: std::borrow::Cow<'_, str> = if unicode {
        NOT_WORD_SPACE_OR_HYPHEN.replace_all(text, "")
    } else {
        let ascii: std::borrow::Cow<'_, str> = if text.is_ascii() {
            text.into()
        } else {
            text.nfkd()
                .filter(char::is_ascii)
                .collect::<String>()
                .into()
        };
        ascii
            .chars()
            .filter(|c| {
                c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || c.is_ascii_whitespace()
            })
            .collect::<String>()
            .into()
    };
    let lower = kept.trim().to_lowercase();
    // `[{separator}\s]+` becomes one separator.
    let mut slug = String::with_capacity(lower.len());
    let mut in_run = false;
    for c in lower.chars() {
        if c.is_whitespace() || separator.contains(c) {
            if !in_run {
                slug.push_str(separator);
            }
            in_run = true;
        } else {
            slug.push(c);
            in_run = false;
        }
    }
    slug
}

/// `pymdownx.slugs._uslugify`.
fn pymdownx_slug(
    text: &str,
    case: SlugCase,
    percent_encode: bool,
    normalize: Normalization,
    separator: &str,
) -> String {
    let normalized: String = match normalize {
        Normalization::Nfc => text.nfc().collect(),
        Normalization::Nfd => text.nfd().collect(),
        Normalization::Nfkc => text.nfkc().collect(),
        Normalization::Nfkd => text.nfkd().collect(),
    };
    let stripped = TAG.replace_all(&normalized, "");
    let stripped = stripped.trim();
    let cased = match case {
        SlugCase::Kept => stripped.to_string(),
        SlugCase::Lower => stripped.to_lowercase(),
        SlugCase::Fold => super::casefold::casefold(stripped),
        SlugCase::LowerAscii => stripped.to_ascii_lowercase(),
    };
    let slug = NOT_WORD_HYPHEN_OR_SPACE_CHAR
        .replace_all(&cased, "")
        .replace(' ', separator);
    if !percent_encode {
        return slug;
    }
    // `urllib.parse.quote`: letters, digits, `_.-~` and `/` stay.
    let mut quoted = String::with_capacity(slug.len());
    for byte in slug.bytes() {
        if byte.is_ascii_alphanumeric() || b"_.-~/".contains(&byte) {
            quoted.push(char::from(byte));
        } else {
            quoted.push_str(&format!("%{byte:02X}"));
        }
    }
    quoted
}

/// Python-Markdown's default `slugify`: NFKD, ASCII only, drop what is not a
/// word character, space or hyphen, lower-case, runs of spaces and hyphens
/// become one hyphen (the default [`SlugSettings`]).
#[cfg(test)]
fn slugify(text: &str) -> String {
    markdown_slug(text, false, "-")
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
    resume: HashMap<String, HashMap<u128, u128>>,
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
                // u128: a number a page writes (up to u64::MAX here) plus
                // one per heading never overflows, and counts on as
                // Python's big integers do.
                n.parse::<u64>().map_or(0, u128::from) + 1,
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

    /// Expected values from Python-Markdown 3.10 and pymdown-extensions
    /// 11, each run there (the functions called as toc calls them).
    #[test]
    fn other_slugify_functions_match_theirs() {
        let style = |style: SlugStyle, separator: &str| SlugSettings {
            style,
            separator: separator.into(),
        };
        let pymdownx = |case, percent_encode| SlugStyle::Pymdownx {
            case,
            percent_encode,
            normalize: Normalization::Nfc,
        };
        let unicode = style(SlugStyle::Markdown { unicode: true }, "-");
        assert_eq!(slug("Déjà vu — Café", &unicode), "déjà-vu-café");
        assert_eq!(slug("日本語 の 見出し", &unicode), "日本語-の-見出し");
        let underscore = style(SlugStyle::Markdown { unicode: false }, "_");
        assert_eq!(slug("Hello  World-x", &underscore), "hello_world-x");
        let lower = style(pymdownx(SlugCase::Lower, false), "-");
        // Through toc, as MkDocs makes ids: runs of spaces are one.
        assert_eq!(slug("Déjà  Vu <b>x</b>?", &lower), "déjà-vu-x");
        assert_eq!(slug("日本語 見出し", &lower), "日本語-見出し");
        let kept = style(pymdownx(SlugCase::Kept, false), "-");
        assert_eq!(slug("Hello World", &kept), "Hello-World");
        let github = style(pymdownx(SlugCase::LowerAscii, false), "-");
        assert_eq!(slug("Ünïcode ABC", &github), "Ünïcode-abc");
        let encoded = style(pymdownx(SlugCase::Lower, true), "-");
        assert_eq!(slug("Café au lait", &encoded), "caf%C3%A9-au-lait");
        // Runs of spaces are one, as toc's `strip_tags` leaves them.
        let underscore = style(pymdownx(SlugCase::Lower, false), "_");
        assert_eq!(slug("Straße  GROß", &underscore), "straße_groß");
        // Python's `\w` has no combining marks (Rust's `is_alphanumeric` has).
        assert_eq!(slug("हिन्दी", &lower), "हनद");
        // `fold` is Python's casefold (ids checked with MkDocs 1.6.1 and
        // pymdown-extensions 11).
        let fold = style(pymdownx(SlugCase::Fold, false), "-");
        assert_eq!(slug("Straße Maße", &fold), "strasse-masse");
        assert_eq!(slug("ΣΊΣΥΦΟΣ Σ", &fold), "σίσυφοσ-σ");
        assert_eq!(slug("ﬁle µ ſ", &fold), "file-μ-s");
        assert_eq!(slug("İstanbul", &fold), "istanbul");
        assert_eq!(slug("हिन्दी", &unicode), "हनद");
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
                    format!("{stem}_{}", n.parse::<u64>().map_or(0, u128::from) + 1)
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

    /// For any sequence of ids, some given explicitly: every id `unique`
    /// returns is non-empty, new (neither returned nor inserted before) and
    /// the reference's. Numbers near `u64::MAX`: the next test.
    #[test]
    fn unique_ids_are_new_non_empty_and_agree_with_the_reference() {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};
        let stem = prop_oneof![
            Just(""),
            Just("a"),
            Just("b"),
            Just("a_b"),
            Just("_"),
            Just("x-y"),
        ];
        let suffix = prop_oneof![
            Just(String::new()),
            (0u64..6).prop_map(|n| format!("_{n}")),
            Just("_007".to_string()),
            Just("_".to_string()),
            Just("_1000000000000000000".to_string()),
        ];
        let id = (stem, suffix).prop_map(|(stem, suffix)| format!("{stem}{suffix}"));
        let explicit = prop::bool::weighted(0.2);
        let ops = prop::collection::vec((explicit, id), 0..60);
        let config = Config {
            cases: 500,
            failure_persistence: None,
            ..Config::default()
        };
        TestRunner::new(config)
            .run(&ops, |ops| {
                let mut fast = UsedIds::default();
                let mut reference = HashSet::new();
                let mut taken = HashSet::new();
                for (explicit, id) in ops {
                    if explicit {
                        prop_assert_eq!(fast.insert(id.clone()), reference.insert(id.clone()));
                        taken.insert(id);
                    } else {
                        let got = fast.unique(id.clone());
                        prop_assert!(!got.is_empty());
                        prop_assert!(taken.insert(got.clone()), "`{}` given out twice", got);
                        prop_assert_eq!(got, unique_reference(id, &mut reference));
                    }
                }
                Ok(())
            })
            .unwrap();
    }

    /// Fuzzing finding (a seed of the `markdown` fuzz target: two headings
    /// `x_18446744073709551614`): the next number of the sequence is
    /// `u64::MAX`, and counting on from it overflowed (a panic with overflow
    /// checks; in release builds the third such heading got `x_0`).
    /// Python-Markdown counts with big integers, and so does this now.
    #[test]
    fn numbers_at_the_top_of_u64_go_on_counting() {
        let mut used = UsedIds::default();
        let id = "x_18446744073709551614".to_string();
        assert_eq!(used.unique(id.clone()), id);
        assert_eq!(used.unique(id.clone()), "x_18446744073709551615");
        assert_eq!(used.unique(id), "x_18446744073709551616");
    }
}
