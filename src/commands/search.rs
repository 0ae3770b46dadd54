//! `portico search QUERY [--site DIR] [--kind K] [--owner O] [--limit N] [--json]`

use super::{EXIT_CLEAN, EXIT_PROBLEMS, fail};
use crate::cli::SearchArgs;
use crate::search::query::{self, Hit, SearchOptions};
use std::io::{IsTerminal, Write};

pub fn run(args: SearchArgs) -> u8 {
    let options = SearchOptions {
        limit: args.limit,
        kind: args.kind.clone(),
        owner: args.owner.clone(),
    };
    let text = args.query.join(" ");
    let hits = match query::search(&args.site, &text, &options) {
        Ok(hits) => hits,
        Err(e) => return fail(&e.to_string()),
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = serde_json::to_string_pretty(&hits).unwrap_or_else(|_| "[]".into());
        let _ = writeln!(out, "{json}");
    } else {
        let color = out.is_terminal() && std::env::var_os("NO_COLOR").is_none();
        for hit in &hits {
            let _ = writeln!(out, "{}", format_hit(hit, &args.site, color));
        }
        if hits.is_empty() {
            let _ = writeln!(out, "No results for {text:?}.");
        }
    }
    if hits.is_empty() {
        EXIT_PROBLEMS
    } else {
        EXIT_CLEAN
    }
}

/// Title, kind, breadcrumb, snippet (matches in bold on a terminal), path.
fn format_hit(hit: &Hit, site: &std::path::Path, color: bool) -> String {
    let (bold, reset) = if color {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("", "")
    };
    let mut snippet = String::new();
    let mut at = 0;
    for range in &hit.highlights {
        if range.start < at || range.end > hit.snippet.len() {
            continue;
        }
        snippet.push_str(&hit.snippet[at..range.start]);
        snippet.push_str(bold);
        snippet.push_str(&hit.snippet[range.clone()]);
        snippet.push_str(reset);
        at = range.end;
    }
    snippet.push_str(&hit.snippet[at..]);
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
    format!(
        "{bold}{}{reset} [{}] {}\n  {snippet}\n  {}{anchor}\n",
        hit.title,
        hit.kind,
        hit.breadcrumb,
        site.join(path).display()
    )
}
