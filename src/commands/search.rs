//! `portico search QUERY [--site DIR] [--kind K] [--owner O] [--limit N] [--json]`

use super::{EXIT_CLEAN, EXIT_PROBLEMS, fail};
use crate::cli::SearchArgs;
use crate::search::query::{self, Hit, SearchOptions};
use std::io::{IsTerminal, Write};
use std::path::Path;

pub fn run(args: SearchArgs) -> u8 {
    let options = SearchOptions {
        limit: args.limit,
        kind: args.kind.clone(),
        owner: args.owner.clone(),
        level: args.level.clone(),
        index_cache: None,
    };
    let text = args.query.join(" ");
    if text.trim().is_empty() {
        return fail("no query: give the words to find, e.g. `portico search deploy`");
    }
    let mut found = query::search(&args.site, &text, &options);
    // A site being swapped in (`portico serve` replacing its index after an
    // edit) can show a folder half old, half new for an instant: the
    // search is tried once more before the index is called damaged.
    if matches!(found, Err(query::SearchError::Damaged { .. })) {
        std::thread::sleep(std::time::Duration::from_millis(200));
        found = query::search(&args.site, &text, &options);
    }
    let hits = match found {
        Ok(hits) => hits,
        Err(e) => return fail(&e.to_string()),
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = serde_json::to_string_pretty(&hits).unwrap_or_else(|_| "[]".into());
        let _ = writeln!(out, "{json}");
    } else {
        let color = out.is_terminal() && std::env::var_os("NO_COLOR").is_none();
        for (i, hit) in hits.iter().enumerate() {
            if hit.partial && (i == 0 || !hits[i - 1].partial) {
                let _ = writeln!(out, "{}", partial_label(i));
            }
            let _ = writeln!(out, "{}", format_hit(hit, &args.site, color));
        }
        if hits.is_empty() {
            let _ = writeln!(out, "{}", no_results(&text, &options));
        }
    }
    if hits.is_empty() {
        EXIT_PROBLEMS
    } else {
        EXIT_CLEAN
    }
}

/// Why nothing was found: with fewer than every word matching, the
/// results with some of them are shown, so nothing means no word matched,
/// or the filters left nothing.
fn no_results(text: &str, options: &SearchOptions) -> String {
    let filters: Vec<String> = [
        ("--kind", &options.kind),
        ("--owner", &options.owner),
        ("--level", &options.level),
    ]
    .into_iter()
    .filter_map(|(flag, value)| value.as_ref().map(|v| format!("{flag} {v}")))
    .collect();
    if filters.is_empty() {
        format!(
            "No results for {text:?}: no entity or docs page has any of its words (one typo is forgiven). Check the spelling, or try other words."
        )
    } else {
        format!(
            "No results for {text:?} with {}: try without the filters.",
            filters.join(" ")
        )
    }
}

/// The line above the first result lacking some word, `shown` results
/// (with every word) after the first.
fn partial_label(shown: usize) -> &'static str {
    if shown == 0 {
        "No result has every word; results with most of them:\n"
    } else {
        "Results with only some of the words:\n"
    }
}

/// Title, kind, breadcrumb, snippet (matches in bold on a terminal), path.
/// Everything shown comes from the index, so from repositories: control
/// characters are escaped (see [`one_line`]).
fn format_hit(hit: &Hit, site: &Path, color: bool) -> String {
    let (bold, reset) = if color {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("", "")
    };
    let mut snippet = String::new();
    let mut at = 0;
    for range in &hit.highlights {
        // Ranges out of order, past the end or inside a character are skipped.
        let (Some(before), Some(matched)) = (
            hit.snippet.get(at..range.start),
            hit.snippet.get(range.clone()),
        ) else {
            continue;
        };
        snippet.push_str(&one_line(before));
        snippet.push_str(bold);
        snippet.push_str(&one_line(matched));
        snippet.push_str(reset);
        at = range.end;
    }
    snippet.push_str(&one_line(hit.snippet.get(at..).unwrap_or_default()));
    let snippet: String = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
    let (path, anchor) = hit
        .url
        .split_once('#')
        .map_or((hit.url.as_str(), ""), |(p, a)| (p, a));
    let anchor = if anchor.is_empty() {
        String::new()
    } else {
        format!("#{anchor}")
    };
    // The URL's path is percent-encoded; the file on disk is not.
    let path = crate::docs::markdown::percent_decode(path);
    let path = format!("{}{anchor}", site.join(path).display());
    format!(
        "{bold}{}{reset} [{}] {}\n  {snippet}\n  {}\n",
        one_line(&hit.title),
        one_line(&hit.kind),
        one_line(&hit.breadcrumb),
        one_line(&path)
    )
}

/// `text` fit for one line of a terminal: whitespace as spaces, and other
/// control characters escaped (`\u{1b}`), as in diagnostics, so a title
/// from a repository cannot recolour the terminal or move the cursor.
fn one_line(text: &str) -> String {
    let mut line = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_whitespace() {
            line.push(' ');
        } else if c.is_control() {
            line.extend(c.escape_unicode());
        } else {
            line.push(c);
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(snippet: &str, highlights: Vec<std::ops::Range<usize>>) -> Hit {
        Hit {
            title: "Title".into(),
            url: "docs/a/index.html#b".into(),
            entity_ref: "component:default/a".into(),
            kind: "docs".into(),
            section: String::new(),
            snippet: snippet.into(),
            score: 1.0,
            partial: false,
            breadcrumb: "A".into(),
            highlights,
        }
    }

    #[test]
    fn highlights_that_do_not_fit_the_snippet_are_skipped() {
        // `é` is bytes 3..5, so 4..5 ends inside it; 7..6 runs backwards;
        // 11..99 goes past the end. Only 6..8 (`na`) is shown in bold.
        #[allow(clippy::reversed_empty_ranges)]
        let ranges = vec![4..5, 7..6, 11..99, 6..8];
        let shown = format_hit(&hit("café naïve", ranges), Path::new("site"), true);
        assert!(
            shown.contains("\n  café \x1b[1mna\x1b[0mïve\n"),
            "{shown:?}"
        );
    }

    #[test]
    fn control_characters_from_the_index_are_escaped() {
        let mut evil = hit("a\x1b]0;pwned\x07 b\nc", Vec::new());
        evil.title = "\x1b[31mRed\x1b[0m".into();
        evil.breadcrumb = "x\ry".into();
        let shown = format_hit(&evil, Path::new("site"), false);
        assert!(!shown.contains('\x1b') && !shown.contains('\x07') && !shown.contains('\r'));
        assert!(
            shown.starts_with("\\u{1b}[31mRed\\u{1b}[0m [docs] x y\n"),
            "{shown:?}"
        );
        assert!(
            shown.contains("\n  a\\u{1b}]0;pwned\\u{7} b c\n"),
            "{shown:?}"
        );
    }
}
