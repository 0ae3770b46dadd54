//! Documents' words, counted as tantivy's `en_stem` analyser counts them:
//! what the browser index's BM25 scores are made from, without indexing
//! the text into tantivy and reading it back (which was most of what the
//! search index added to a build).
//!
//! A word is a run of alphanumeric characters (tantivy's `SimpleTokenizer`)
//! of under 40 bytes (`RemoveLongFilter::limit(40)`, judged before
//! lower-casing), lower-cased character by character (`LowerCaser`: no
//! final-sigma rule), then stemmed with tantivy's English stemmer
//! (`index::stem_word`). A field's length, its fieldnorm, is its number of
//! words; a word's frequency in a field is how often it occurs there.

use super::SearchDoc;
use std::collections::HashMap;

/// The searched fields, by slot: title, heading, body (the browser index's
/// field bits 1, 2 and 4).
pub const SLOTS: usize = 3;

/// Tokens longer than this many bytes, less one, are not words
/// (`RemoveLongFilter::limit(40)` keeps tokens of under 40 bytes).
const LONGEST: usize = 40;

/// Words are short and not chosen to collide with each other's hashes
/// to any effect but a slower build: foldhash's fast, fixed hash.
type Hasher = foldhash::fast::FixedState;

/// Numbers the distinct stems of a run of documents: each token as met →
/// its stem's number, so a token seen before costs one lookup.
#[derive(Default)]
struct Words {
    /// Token (lower-cased) → its stem's number.
    numbers: HashMap<String, u32, Hasher>,
    /// Stem → its number.
    stem_numbers: HashMap<String, u32, Hasher>,
    /// The stems, by number.
    stems: Vec<String>,
    /// A token lower-cased, reused.
    lower: String,
}

impl Words {
    /// Calls `each` with the number of every word of `text`, in order.
    fn each(&mut self, text: &str, mut each: impl FnMut(u32)) {
        for token in tokens(text) {
            if token.len() >= LONGEST {
                continue;
            }
            let lower = if token
                .bytes()
                .any(|b| !b.is_ascii_lowercase() && !b.is_ascii_digit())
            {
                self.lower.clear();
                if token.is_ascii() {
                    self.lower.push_str(token);
                    self.lower.make_ascii_lowercase();
                } else {
                    for c in token.chars() {
                        self.lower.extend(c.to_lowercase());
                    }
                }
                self.lower.as_str()
            } else {
                token
            };
            if let Some(number) = self.numbers.get(lower) {
                each(*number);
                continue;
            }
            let stem = super::index::stem_word(lower);
            let next = self.stems.len() as u32;
            let number = *self.stem_numbers.entry(stem.clone()).or_insert(next);
            if number == next {
                self.stems.push(stem);
            }
            self.numbers.insert(lower.to_string(), number);
            each(number);
        }
    }
}

/// The runs of alphanumeric characters of `text`, as tantivy's
/// `SimpleTokenizer` cuts them.
pub fn tokens(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        let mut start = None;
        while at < bytes.len() {
            let (alphanumeric, width) = if bytes[at] < 0x80 {
                (bytes[at].is_ascii_alphanumeric(), 1)
            } else {
                // `at` is on a character boundary: every step is a whole
                // character.
                let c = text[at..].chars().next().unwrap_or(' ');
                (c.is_alphanumeric(), c.len_utf8())
            };
            match (alphanumeric, start) {
                (true, None) => start = Some(at),
                (false, Some(from)) => {
                    let token = &text[from..at];
                    at += width;
                    return Some(token);
                }
                _ => {}
            }
            at += width;
        }
        start.map(|from| &text[from..])
    })
}

/// A run of documents' words (a docs site's sections, or a batch of entity
/// documents): every word, in byte order, with its occurrences; and each
/// document's field lengths.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RunTerms {
    /// The words, sorted, each once.
    pub words: Vec<String>,
    /// Where each word's occurrences start in `occurrences`, and one more
    /// entry: where the last one's end.
    pub starts: Vec<u32>,
    /// (document in the run, slot, frequency), by word, then document,
    /// then slot, each packed in a number ([`pack`]): 8 bytes where the
    /// tuple took 12, and these are most of what a build holds for search
    /// until the export (about 11 million at 10,000 pages).
    pub occurrences: Vec<u64>,
    /// Each document's number of words in each field.
    pub lengths: Vec<[u32; SLOTS]>,
}

impl RunTerms {
    /// Counts the searched fields' words of `docs` (a title only where it
    /// is searched: `SearchDoc::title_searchable`).
    pub fn of<'a>(docs: impl IntoIterator<Item = &'a SearchDoc>) -> RunTerms {
        let mut words = Words::default();
        // By stem number: the (document, slot) it was last counted in and
        // where that count is; counts in the order they were started, so
        // by document, then slot.
        let mut last: Vec<(u32, u8, u32)> = Vec::new();
        let mut counted: Vec<(u32, u32, u8, u32)> = Vec::new();
        let mut lengths = Vec::new();
        for (document, d) in (0u32..).zip(docs) {
            let mut length = [0u32; SLOTS];
            let texts = [
                d.title_searchable.then_some(d.title.as_str()),
                Some(d.heading.as_str()),
                Some(d.body.as_str()),
            ];
            for (slot, text) in (0u8..).zip(texts) {
                let Some(text) = text else { continue };
                let length = &mut length[usize::from(slot)];
                words.each(text, |stem| {
                    *length += 1;
                    let i = stem as usize;
                    if i >= last.len() {
                        last.resize(i + 1, (u32::MAX, 0, 0));
                    }
                    let (in_document, in_slot, at) = last[i];
                    if in_document == document && in_slot == slot {
                        counted[at as usize].3 += 1;
                    } else {
                        last[i] = (document, slot, counted.len() as u32);
                        counted.push((stem, document, slot, 1));
                    }
                });
            }
            lengths.push(length);
        }
        let stems = words.stems;
        // Each stem's place in byte order.
        let mut sorted: Vec<u32> = (0..stems.len() as u32).collect();
        sorted.sort_unstable_by(|a, b| stems[*a as usize].cmp(&stems[*b as usize]));
        let mut place = vec![0u32; stems.len()];
        for (p, stem) in (0u32..).zip(&sorted) {
            place[*stem as usize] = p;
        }
        // A counting sort by place keeps each word's counts in the order
        // they were started: by document, then slot.
        let mut starts = vec![0u32; stems.len() + 1];
        for (stem, ..) in &counted {
            starts[place[*stem as usize] as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let mut occurrences = vec![0u64; counted.len()];
        for (stem, document, slot, frequency) in counted {
            let at = &mut next[place[stem as usize] as usize];
            occurrences[*at as usize] = pack(document, slot, frequency);
            *at += 1;
        }
        let mut stems = stems;
        let words = sorted
            .iter()
            .map(|stem| std::mem::take(&mut stems[*stem as usize]))
            .collect();
        RunTerms {
            words,
            starts,
            occurrences,
            lengths,
        }
    }

    /// The words whose first byte is `first`, as indexes into `words`.
    pub fn starting_with(&self, first: u8) -> std::ops::Range<usize> {
        let start = self
            .words
            .partition_point(|w| w.as_bytes().first() < Some(&first));
        let end = self
            .words
            .partition_point(|w| w.as_bytes().first() <= Some(&first));
        start..end
    }

    /// A word's occurrences, by its index in `words`: (document in the
    /// run, slot, frequency).
    pub fn occurrences_of(&self, word: usize) -> impl Iterator<Item = (u32, u8, u32)> + '_ {
        let from = self.starts.get(word).copied().unwrap_or(0) as usize;
        let to = self.starts.get(word + 1).copied().unwrap_or(0) as usize;
        let packed = self.occurrences.get(from..to).unwrap_or(&[]);
        packed.iter().map(|o| unpack(*o))
    }

    /// Whether the run's parts agree: `starts` rises from 0 to the
    /// occurrences' count, one per word and one more, and every occurrence
    /// is of a counted document and a slot.
    pub fn is_whole(&self) -> bool {
        self.starts.len() == self.words.len() + 1
            && self.starts.first() == Some(&0)
            && self.starts.last().map(|last| *last as usize) == Some(self.occurrences.len())
            && self.starts.windows(2).all(|w| w[0] <= w[1])
            && self.occurrences.iter().all(|o| {
                let (document, slot, _) = unpack(*o);
                (document as usize) < self.lengths.len() && usize::from(slot) < SLOTS
            })
    }

    /// How many documents the run counted.
    pub fn documents(&self) -> usize {
        self.lengths.len()
    }
}

/// The bits of a packed occurrence's frequency: far more than a field of
/// a capped page can hold (`limits`), so it never saturates in practice.
const FREQUENCY_BITS: u32 = 30;

/// An occurrence packed: document (high 32 bits), slot (2 bits),
/// frequency (30 bits, saturated).
fn pack(document: u32, slot: u8, frequency: u32) -> u64 {
    (u64::from(document) << 32)
        | (u64::from(slot & 3) << FREQUENCY_BITS)
        | u64::from(frequency.min((1 << FREQUENCY_BITS) - 1))
}

/// [`pack`] undone.
fn unpack(packed: u64) -> (u32, u8, u32) {
    (
        (packed >> 32) as u32,
        ((packed >> FREQUENCY_BITS) & 3) as u8,
        (packed & ((1 << FREQUENCY_BITS) - 1)) as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::TokenStream;

    /// What tantivy's `en_stem` (as Portico registers it) makes of `text`.
    fn tantivy_words(text: &str) -> Vec<String> {
        let index = tantivy::Index::create_in_ram(super::super::index::schema().0);
        super::super::index::register_tokenizers(&index);
        let mut analyzer = index.tokenizers().get("en_stem").unwrap();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    fn our_words(text: &str) -> Vec<String> {
        let mut words = Words::default();
        let mut numbers = Vec::new();
        words.each(text, |n| numbers.push(n));
        numbers
            .into_iter()
            .map(|n| words.stems[n as usize].clone())
            .collect()
    }

    #[test]
    fn words_are_en_stems() {
        let texts = [
            "Deploying the Payments-API: runs 3 retries, then DEPLOYS again.",
            "ΟΔΥΣΣΕΥΣ Σίσυφος straße İstanbul ǅemal ﬁle ＡＢＣ１２３ x²",
            "snake_case kebab-case CamelCase 3.14 v2beta1 Ⅻ ٣ 日本語のテキスト",
            "a-very-long-token-thatisexactlythirtynineletterslong00 \
             abcdefghijklmnopqrstuvwxyzabcdefghijklm abcdefghijklmnopqrstuvwxyzabcdefghijklmn",
            "éééééééééééééééééééé ééééééééééééééééééé ÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉ",
            "  leading and trailing\t\n\u{00a0}spaces\u{200b}zero width ",
            "",
            "🙂 emoji🙂between ✓ marks",
            "running runners ran easily fairly generously",
        ];
        for text in texts {
            assert_eq!(our_words(text), tantivy_words(text), "{text:?}");
        }
    }

    #[test]
    fn words_are_en_stems_on_random_text() {
        // A fixed generator: the same cases every run.
        let alphabet: Vec<char> = "aZ9 _-.éÉßΣσİıǅ日🙂\u{0301}\t\u{00a0}xyzQ"
            .chars()
            .collect();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2_000 {
            let mut text = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let length = (seed % 60) as usize;
            for _ in 0..length {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            assert_eq!(our_words(&text), tantivy_words(&text), "{text:?}");
        }
    }

    fn doc(title: &str, searchable: bool, heading: &str, body: &str) -> SearchDoc {
        SearchDoc {
            title: title.into(),
            title_searchable: searchable,
            heading: heading.into(),
            body: body.into(),
            ..crate::search::test_doc("a", "docs", "page", 0)
        }
    }

    #[test]
    fn runs_count_each_field_apart() {
        let docs = [
            doc(
                "Deploy guide",
                true,
                "Deploying",
                "deploy deploys and rolls back",
            ),
            doc("Deploy guide", false, "Rollback", "roll back: deploy"),
        ];
        let run = RunTerms::of(&docs);
        assert_eq!(run.lengths, vec![[2, 1, 5], [0, 1, 3]]);
        let mut sorted = run.words.clone();
        sorted.sort();
        assert_eq!(run.words, sorted);
        let deploy = run.words.iter().position(|w| w == "deploy").unwrap();
        assert_eq!(
            run.occurrences_of(deploy).collect::<Vec<_>>(),
            [(0, 0, 1), (0, 1, 1), (0, 2, 2), (1, 2, 1)]
        );
        let guide = run.words.iter().position(|w| w == "guid").unwrap();
        assert_eq!(run.occurrences_of(guide).collect::<Vec<_>>(), [(0, 0, 1)]);
        // Packing keeps every part, a frequency past its bits saturated.
        assert_eq!(unpack(pack(u32::MAX, 2, 7)), (u32::MAX, 2, 7));
        assert_eq!(
            unpack(pack(3, 1, u32::MAX)),
            (3, 1, (1 << FREQUENCY_BITS) - 1)
        );
        assert_eq!(*run.starts.last().unwrap() as usize, run.occurrences.len());
        let b = run.starting_with(b'b');
        assert_eq!(&run.words[b], &["back".to_string()]);
        assert!(run.starting_with(b'q').is_empty());
    }
}
