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

/// foldhash's fast hash, seeded at random for each run's maps: words come
/// from repositories, and a fixed seed would let a page be written to
/// collide (numbers are given in the order words are met, so the seed
/// changes nothing in the output).
type Hasher = foldhash::fast::RandomState;

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
    // `at` is always on a character boundary: every step is a whole
    // character. Two tight loops (to a token's start, then to its end)
    // rather than one with a state per byte: this runs over every byte of
    // every page.
    let step = move |at: usize| -> (bool, usize) {
        match bytes[at] {
            b if b < 0x80 => (b.is_ascii_alphanumeric(), 1),
            _ => {
                let c = text[at..].chars().next().unwrap_or(' ');
                (c.is_alphanumeric(), c.len_utf8())
            }
        }
    };
    std::iter::from_fn(move || {
        loop {
            if at >= bytes.len() {
                return None;
            }
            let (alphanumeric, width) = step(at);
            if alphanumeric {
                break;
            }
            at += width;
        }
        let from = at;
        while at < bytes.len() {
            let (alphanumeric, width) = step(at);
            if !alphanumeric {
                let token = &text[from..at];
                at += width;
                return Some(token);
            }
            at += width;
        }
        Some(&text[from..])
    })
}

/// A run of documents' words (a docs site's sections, or a batch of entity
/// documents): every word, in byte order, with its occurrences; and each
/// document's field lengths.
///
/// Every run of a build is held until the export, so it is kept compact:
/// the words one after another in one string, and the occurrences as
/// variable-length numbers, about 2 bytes each. As a `String` per word and
/// 8 bytes per occurrence, search's share of a 100,000-page build's peak
/// memory was 865 MB (tantivy's, 247 MB).
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct RunTerms {
    /// The words, sorted, each once, one after another.
    text: String,
    /// Where each word ends in `text`.
    ends: Vec<u32>,
    /// Where each word's occurrences start in `packed`, and one more
    /// entry: where the last one's end.
    starts: Vec<u32>,
    /// Each word's occurrences, by document, then slot: for each, the
    /// document's distance from the word's previous one (from 0 for the
    /// first), then slot + 4 × frequency, as [`varint`]s.
    #[serde(with = "crate::memo::bytes")]
    packed: Vec<u8>,
    /// Each document's number of words in each field.
    lengths: Vec<[u32; SLOTS]>,
    /// Known whole: made by [`RunTerms::of`] in this process (whole by
    /// construction), or read back and checked once ([`RunTerms::check`]).
    /// [`RunTerms::is_whole`] decodes only runs not known so: not the ones
    /// a clean build just counted (decoding those was 1 % of a build), nor
    /// a part's runs checked when its listings were read (checking them
    /// again in the export was 12 % of a merge). Never written (a forged
    /// file cannot set it), not compared.
    #[serde(skip)]
    known_whole: bool,
}

/// Runs are equal when their words, occurrences and lengths are: where a
/// run came from is no part of it.
impl PartialEq for RunTerms {
    fn eq(&self, other: &RunTerms) -> bool {
        self.text == other.text
            && self.ends == other.ends
            && self.starts == other.starts
            && self.packed == other.packed
            && self.lengths == other.lengths
    }
}

impl Eq for RunTerms {}

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
        let mut occurrences = vec![(0u32, 0u8, 0u32); counted.len()];
        for (stem, document, slot, frequency) in counted {
            let at = &mut next[place[stem as usize] as usize];
            occurrences[*at as usize] = (document, slot, frequency);
            *at += 1;
        }
        // Each word's occurrences encoded, `starts` moved to the bytes.
        let mut packed = Vec::with_capacity(occurrences.len() * 2);
        let mut byte_starts = Vec::with_capacity(starts.len());
        byte_starts.push(0);
        for word in starts.windows(2) {
            let mut last = 0;
            for &(document, slot, frequency) in &occurrences[word[0] as usize..word[1] as usize] {
                varint(&mut packed, u64::from(document - last));
                varint(&mut packed, u64::from(slot & 3) | u64::from(frequency) << 2);
                last = document;
            }
            byte_starts.push(packed.len() as u32);
        }
        let mut text = String::new();
        let mut ends = Vec::with_capacity(sorted.len());
        for stem in &sorted {
            text.push_str(&stems[*stem as usize]);
            ends.push(text.len() as u32);
        }
        packed.shrink_to_fit();
        RunTerms {
            text,
            ends,
            starts: byte_starts,
            packed,
            lengths,
            known_whole: true,
        }
    }

    /// Each document's number of words in each field.
    pub fn lengths(&self) -> &[[u32; SLOTS]] {
        &self.lengths
    }

    /// The run as if read back from a file, its lengths cut to `count`:
    /// a damaged run, for tests of what refuses one.
    #[cfg(test)]
    pub fn with_lengths_cut(mut self, count: usize) -> RunTerms {
        self.lengths.truncate(count);
        self.known_whole = false;
        self
    }

    /// How many distinct words the run holds.
    pub fn word_count(&self) -> usize {
        self.ends.len()
    }

    /// The word at `index` (in byte order), empty past the last.
    pub fn word(&self, index: usize) -> &str {
        let start = match index {
            0 => 0,
            _ => self.ends.get(index - 1).copied().unwrap_or(0),
        };
        let end = self.ends.get(index).copied().unwrap_or(0);
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    /// The words whose first byte is `first`, as indexes (see [`Self::word`]).
    pub fn starting_with(&self, first: u8) -> std::ops::Range<usize> {
        let first_byte = |index: usize| self.word(index).as_bytes().first().copied();
        let point = |below: &dyn Fn(Option<u8>) -> bool| {
            // A binary search over the indexes (the words are sorted).
            let (mut low, mut high) = (0, self.word_count());
            while low < high {
                let middle = low + (high - low) / 2;
                if below(first_byte(middle)) {
                    low = middle + 1;
                } else {
                    high = middle;
                }
            }
            low
        };
        let start = point(&|b| b < Some(first));
        let end = point(&|b| b <= Some(first));
        start..end
    }

    /// A word's occurrences, by its index: (document in the run, slot,
    /// frequency). Damaged bytes end the list, never panic
    /// ([`Self::is_whole`] refuses them before a run is trusted).
    pub fn occurrences_of(&self, word: usize) -> impl Iterator<Item = (u32, u8, u32)> + '_ {
        let from = self.starts.get(word).copied().unwrap_or(0) as usize;
        let to = self.starts.get(word + 1).copied().unwrap_or(0) as usize;
        let mut bytes = self.packed.get(from..to).unwrap_or(&[]);
        let mut document = 0u32;
        std::iter::from_fn(move || {
            if bytes.is_empty() {
                return None;
            }
            let gap = read_varint(&mut bytes)?;
            let rest = read_varint(&mut bytes)?;
            document = document.checked_add(u32::try_from(gap).ok()?)?;
            let frequency = u32::try_from(rest >> 2).ok()?;
            Some((document, (rest & 3) as u8, frequency))
        })
    }

    /// A hash of everything counted: what the browser index's postings of
    /// these documents follow from (`web::kept_segments`).
    pub fn content_hash(&self) -> u128 {
        let mut hasher = crate::memo::hasher();
        crate::memo::part(&mut hasher, self.text.as_bytes());
        let mut numbers = Vec::with_capacity(4 * (self.ends.len() + self.starts.len()));
        for n in self.ends.iter().chain(&self.starts) {
            numbers.extend_from_slice(&n.to_le_bytes());
        }
        crate::memo::part(&mut hasher, &numbers);
        crate::memo::part(&mut hasher, &self.packed);
        numbers.clear();
        for n in self.lengths.iter().flatten() {
            numbers.extend_from_slice(&n.to_le_bytes());
        }
        crate::memo::part(&mut hasher, &numbers);
        hasher.digest128()
    }

    /// Whether the run's parts agree: the words end in order inside the
    /// text, on character boundaries, sorted; `starts` rises from 0 to the
    /// packed bytes' count, one per word and one more; and every word's
    /// bytes decode whole into occurrences of a counted document and a
    /// slot, documents rising.
    pub fn is_whole(&self) -> bool {
        if self.known_whole {
            return true;
        }
        let words = self.word_count();
        let words_whole = self.ends.windows(2).all(|w| w[0] < w[1])
            && self
                .ends
                .last()
                .map_or(self.text.is_empty(), |end| *end as usize == self.text.len())
            && (0..words).all(|w| {
                let start = if w == 0 { 0 } else { self.ends[w - 1] as usize };
                self.text.get(start..self.ends[w] as usize).is_some()
            })
            && (1..words).all(|w| self.word(w - 1) < self.word(w));
        let starts_whole = self.starts.len() == words + 1
            && self.starts.first() == Some(&0)
            && self.starts.last().map(|last| *last as usize) == Some(self.packed.len())
            && self.starts.windows(2).all(|w| w[0] <= w[1]);
        words_whole
            && starts_whole
            && (0..words).all(|w| {
                let mut bytes = &self.packed[self.starts[w] as usize..self.starts[w + 1] as usize];
                let mut last: Option<(u32, u8)> = None;
                while !bytes.is_empty() {
                    let (Some(gap), Some(rest)) =
                        (read_varint(&mut bytes), read_varint(&mut bytes))
                    else {
                        return false;
                    };
                    let document = u64::from(last.map_or(0, |(d, _)| d)) + gap;
                    let slot = (rest & 3) as u8;
                    let in_order = last.is_none_or(|(d, s)| u64::from(d) < document || s < slot);
                    if document >= self.lengths.len() as u64
                        || usize::from(slot) >= SLOTS
                        || rest >> 2 > u64::from(u32::MAX)
                        || !in_order
                    {
                        return false;
                    }
                    last = Some((document as u32, slot));
                }
                true
            })
    }

    /// [`Self::is_whole`], remembered when it is: a run read back is
    /// decoded whole once, however many readers ask.
    pub fn check(&mut self) -> bool {
        self.known_whole = self.is_whole();
        self.known_whole
    }

    /// How many documents the run counted.
    pub fn documents(&self) -> usize {
        self.lengths.len()
    }
}

/// Writes `value` in 7-bit groups, low first, the high bit set on all
/// but the last.
fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads a [`varint`] off the front of `bytes`; None when cut short or
/// longer than a `u64` holds.
fn read_varint(bytes: &mut &[u8]) -> Option<u64> {
    // One byte, the usual case (a small gap, a frequency under 32).
    if let Some((&first, rest)) = bytes.split_first()
        && first < 0x80
    {
        *bytes = rest;
        return Some(u64::from(first));
    }
    let mut value = 0u64;
    for (i, byte) in bytes.iter().enumerate().take(10) {
        let low = u64::from(byte & 0x7f);
        let shift = 7 * i as u32;
        if shift == 63 && low > 1 {
            return None;
        }
        value |= low << shift;
        if byte & 0x80 == 0 {
            *bytes = &bytes[i + 1..];
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The old one-loop tokenizer, the reference [`tokens`] must match.
    fn tokens_by_state(text: &str) -> Vec<&str> {
        let bytes = text.as_bytes();
        let mut at = 0;
        let mut out = Vec::new();
        let mut start = None;
        while at < bytes.len() {
            let (alphanumeric, width) = if bytes[at] < 0x80 {
                (bytes[at].is_ascii_alphanumeric(), 1)
            } else {
                let c = text[at..].chars().next().unwrap_or(' ');
                (c.is_alphanumeric(), c.len_utf8())
            };
            match (alphanumeric, start) {
                (true, None) => start = Some(at),
                (false, Some(from)) => {
                    out.push(&text[from..at]);
                    start = None;
                }
                _ => {}
            }
            at += width;
        }
        out.extend(start.map(|from| &text[from..]));
        out
    }

    #[test]
    fn tokens_are_the_runs_the_one_loop_tokenizer_cut() {
        let pieces = [
            "a", "Zz9", " ", "--", "é", "日本", "\u{2003}", "ß", "x_y", "\n", "٣", "🙂", "",
        ];
        let mut texts = vec![String::new()];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    texts.push(format!("{a}{b}{c}"));
                }
            }
        }
        for text in &texts {
            assert_eq!(
                tokens(text).collect::<Vec<_>>(),
                tokens_by_state(text),
                "{text:?}"
            );
        }
    }
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
        let words: Vec<&str> = (0..run.word_count()).map(|w| run.word(w)).collect();
        let mut sorted = words.clone();
        sorted.sort();
        assert_eq!(words, sorted);
        let deploy = words.iter().position(|w| *w == "deploy").unwrap();
        assert_eq!(
            run.occurrences_of(deploy).collect::<Vec<_>>(),
            [(0, 0, 1), (0, 1, 1), (0, 2, 2), (1, 2, 1)]
        );
        let guide = words.iter().position(|w| *w == "guid").unwrap();
        assert_eq!(run.occurrences_of(guide).collect::<Vec<_>>(), [(0, 0, 1)]);
        assert!(run.is_whole());
        let b = run.starting_with(b'b');
        assert_eq!(b.clone().map(|w| run.word(w)).collect::<Vec<_>>(), ["back"]);
        assert!(run.starting_with(b'q').is_empty());
        assert_eq!(run.word(run.word_count()), "", "past the last word");
    }

    /// A run read back is decoded whole once: a whole one is known so
    /// after its check, a damaged one never.
    #[test]
    fn a_run_read_back_is_checked_once() {
        let docs = vec![doc("Deploy", true, "Deploying", "deploy and roll back")];
        let run = RunTerms::of(&docs);
        let bytes = crate::memo::encode(&run).unwrap();
        let mut read: RunTerms = crate::memo::decode(&bytes).unwrap();
        assert!(!read.known_whole, "a run read back is not known whole");
        assert_eq!(read, run);
        assert!(read.check() && read.known_whole);
        let mut damaged: RunTerms = crate::memo::decode(&bytes).unwrap();
        damaged.lengths.clear();
        assert!(!damaged.check() && !damaged.known_whole);
        assert!(!damaged.is_whole());
    }

    /// Numbers past one byte, and every way a run's parts can disagree:
    /// refused by `is_whole`, and never a panic in reading them.
    #[test]
    fn packed_runs_come_back_whole_and_damage_is_refused() {
        let mut body = "rare ".to_string();
        body.push_str(&"common ".repeat(300));
        let mut docs = vec![doc("T", true, "", &body)];
        for n in 0..200 {
            docs.push(doc(
                "T",
                false,
                "",
                if n == 199 { "rare" } else { "common" },
            ));
        }
        let run = RunTerms::of(&docs);
        assert!(run.is_whole());
        let words: Vec<&str> = (0..run.word_count()).map(|w| run.word(w)).collect();
        let common = words.iter().position(|w| *w == "common").unwrap();
        let found: Vec<_> = run.occurrences_of(common).collect();
        assert_eq!(found[0], (0, 2, 300), "a frequency past 7 bits");
        assert_eq!(found.len(), 200);
        let rare = words.iter().position(|w| *w == "rare").unwrap();
        let found: Vec<_> = run.occurrences_of(rare).collect();
        assert_eq!(found, [(0, 2, 1), (200, 2, 1)], "a gap past 7 bits");
        let mut varints = Vec::new();
        for value in [0, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            varint(&mut varints, value);
        }
        let mut bytes = varints.as_slice();
        for value in [0, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(read_varint(&mut bytes), Some(value));
        }
        assert_eq!(
            read_varint(&mut [0x80u8, 0x80].as_slice()),
            None,
            "cut short"
        );
        assert_eq!(read_varint(&mut [0xffu8; 11].as_slice()), None, "too long");

        let damaged = |change: &dyn Fn(&mut RunTerms)| {
            let mut copy = run.clone();
            // Damaged as if read back from a file.
            copy.known_whole = false;
            change(&mut copy);
            for w in 0..copy.word_count() + 1 {
                let _ = copy.occurrences_of(w).count();
                let _ = copy.word(w);
            }
            let _ = copy.starting_with(b'c');
            copy.is_whole()
        };
        assert!(
            !damaged(&|r| r.lengths.truncate(100)),
            "a document not counted"
        );
        assert!(!damaged(&|r| r.packed.truncate(r.packed.len() - 1)));
        assert!(
            !damaged(&|r| *r.packed.last_mut().unwrap() |= 0x80),
            "cut varint"
        );
        assert!(!damaged(&|r| r.starts.swap(1, 2)));
        assert!(!damaged(&|r| {
            r.starts.pop();
        }));
        assert!(!damaged(&|r| r.ends.swap(0, 1)));
        assert!(!damaged(&|r| r.ends[0] += 1000));
        assert!(!damaged(&|r| r.text = "ü".repeat(r.text.len() / 2 + 1)));
        assert!(!damaged(&|r| r.packed[1] = 3), "a slot past the fields");
        assert!(
            !damaged(&|r| {
                r.packed = [vec![0, 2, 0, 2], r.packed.clone()].concat();
                for start in r.starts.iter_mut().skip(1) {
                    *start += 4;
                }
            }),
            "one document and slot given twice"
        );
    }
}
