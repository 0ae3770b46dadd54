//! pymdownx.smartsymbols, pattern by pattern as its regular expressions
//! read (pymdownx 11): `(tm)`, `(c)`, `(r)` (lower case only), `+/-`,
//! `=/=`, arrows, fractions, ordinal numbers and `c/o`.

use std::borrow::Cow;

/// Fractions the extension replaces, with their characters.
const FRACTIONS: &[(&str, &str)] = &[
    ("1/4", "¼"),
    ("1/2", "½"),
    ("3/4", "¾"),
    ("1/3", "⅓"),
    ("2/3", "⅔"),
    ("1/5", "⅕"),
    ("2/5", "⅖"),
    ("3/5", "⅗"),
    ("4/5", "⅘"),
    ("1/6", "⅙"),
    ("5/6", "⅚"),
    ("1/8", "⅛"),
    ("3/8", "⅜"),
    ("5/8", "⅝"),
    ("7/8", "⅞"),
];

/// Whether a byte can start a symbol ([`symbol_at`] looks no further).
pub fn may_start(b: u8) -> bool {
    matches!(b, b'(' | b'+' | b'-' | b'<' | b'=' | b'c') || b.is_ascii_digit()
}

/// A regex `\w`: what a word boundary (`\b`) is between.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The symbol starting at byte `i` of `text` (a [`may_start`] byte), as
/// (HTML, bytes consumed); ordinal numbers (`1st` → `1<sup>st</sup>`)
/// only when `ordinals`. The text before `i` answers the patterns'
/// look-behinds.
pub fn symbol_at(text: &str, i: usize, ordinals: bool) -> Option<(Cow<'static, str>, usize)> {
    let rest = &text[i..];
    let prev = || text[..i].chars().next_back();
    let fixed = |s: &'static str, len: usize| Some((Cow::Borrowed(s), len));
    // By the first byte: this runs at every `c` and digit of a page.
    match rest.as_bytes()[0] {
        b'(' => [("(tm)", "™"), ("(c)", "©"), ("(r)", "®")]
            .into_iter()
            .find(|(pattern, _)| rest.starts_with(pattern))
            .and_then(|(pattern, symbol)| fixed(symbol, pattern.len())),
        b'+' if rest.starts_with("+/-") => fixed("±", 3),
        b'=' if rest.starts_with("=/=") => fixed("≠", 3),
        // `<-->`, `<--` before no `-`, `-->` after no `-`.
        b'<' if rest.starts_with("<-->") => fixed("↔", 4),
        b'<' if rest.starts_with("<--") && !rest[3..].starts_with('-') => fixed("←", 3),
        b'-' if rest.starts_with("-->") && prev() != Some('-') => fixed("→", 3),
        b'c' if rest.starts_with("c/o")
            && !rest[3..].starts_with(is_word)
            && prev().is_none_or(|c| !is_word(c)) =>
        {
            fixed("℅", 3)
        }
        b'0'..=b'9' => {
            let prev = prev();
            if prev.is_some_and(|c| c.is_ascii_digit()) {
                return None;
            }
            // Every fraction is `d/d`.
            let fraction = FRACTIONS.iter().find(|(fraction, _)| {
                rest.as_bytes().get(1) == Some(&b'/')
                    && rest.starts_with(fraction)
                    && !rest[fraction.len()..].starts_with(|c: char| c.is_ascii_digit())
            });
            if let Some((fraction, symbol)) = fraction {
                return fixed(symbol, fraction.len());
            }
            (ordinals && prev.is_none_or(|c| !is_word(c)))
                .then(|| ordinal(rest))
                .flatten()
        }
        _ => None,
    }
}

/// `1st`, `22nd`, `11th`, … at a word's start: the digits, then the
/// suffix raised.
fn ordinal(rest: &str) -> Option<(Cow<'static, str>, usize)> {
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let suffix = rest.get(digits..digits + 2)?;
    if digits == 0 || rest[digits + 2..].starts_with(is_word) {
        return None;
    }
    // A number of more than one digit starts with 1-9 (`01st` is none).
    let number = &rest[..digits];
    if digits > 1 && number.starts_with('0') {
        return None;
    }
    let last = number.as_bytes()[digits - 1];
    let teen = digits > 1 && number.as_bytes()[digits - 2] == b'1';
    let fits = match suffix {
        "st" => last == b'1',
        "nd" => last == b'2',
        "rd" => last == b'3',
        "th" => matches!(last, b'0' | b'4'..=b'9') || (teen && matches!(last, b'1'..=b'3')),
        _ => false,
    };
    fits.then(|| {
        (
            Cow::Owned(format!("{number}<sup>{suffix}</sup>")),
            digits + 2,
        )
    })
}

/// `text` with its symbols made, as plain text (ordinals left as they
/// are): a heading's text as MkDocs slugs it and lists it in the contents.
pub fn replaced(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut plain_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if may_start(bytes[i])
            && let Some((symbol, len)) = symbol_at(text, i, false)
        {
            out.push_str(&text[plain_start..i]);
            out.push_str(&symbol);
            i += len;
            plain_start = i;
            continue;
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    if plain_start == 0 {
        return text.into();
    }
    out.push_str(&text[plain_start..]);
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(text: &str) -> String {
        let mut out = String::new();
        let mut i = 0;
        while i < text.len() {
            if may_start(text.as_bytes()[i])
                && let Some((symbol, len)) = symbol_at(text, i, true)
            {
                out.push_str(&symbol);
                i += len;
                continue;
            }
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
        out
    }

    #[test]
    fn symbols_are_made_as_pymdownx_makes_them() {
        // Each checked against Python-Markdown 3.10.3 with pymdownx 11.0.1.
        assert_eq!(
            html("A <--> B, x <-- y, p ---> q, a --> b, c <--- d"),
            "A ↔ B, x ← y, p ---> q, a → b, c <--- d"
        );
        assert_eq!(html("(tm) (c) (r) (C) (TM) +/- =/="), "™ © ® (C) (TM) ± ≠");
        assert_eq!(
            html("Half1/2 3/8 2/3 x1/2 11/2 1/23"),
            "Half½ ⅜ ⅔ x½ 11/2 1/23"
        );
        assert_eq!(
            html("1st 2nd 3rd 4th 11th 12th 13th 21st 11st 1th 01st 1sts x1st 0th"),
            "1<sup>st</sup> 2<sup>nd</sup> 3<sup>rd</sup> 4<sup>th</sup> 11<sup>th</sup> \
             12<sup>th</sup> 13<sup>th</sup> 21<sup>st</sup> 11<sup>st</sup> 1th 01st 1sts x1st \
             0<sup>th</sup>"
        );
        assert_eq!(html("c/o, xc/o, c/od"), "℅, xc/o, c/od");
        assert_eq!(replaced("1st (c) 1/2"), "1st © ½");
    }
}
