//! Code blocks laid out as pymdownx.highlight lays them out under
//! techdocs-core (which turns `linenums` on): a line-number table by
//! default, or numbers inline (`linenums_style`), highlighted lines
//! (`hl_lines`), a `title` and line anchors (`anchor_linenums`); and
//! inline code with a language (`` `#!python x` ``, pymdownx.inlinehilite).

use super::highlight::highlight_into;
use crate::html::{escape, escape_into};
use std::fmt::Write as _;

/// pymdownx.highlight's options Portico follows.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HighlightSettings {
    /// Number every block's lines (techdocs-core sets it).
    pub linenums: bool,
    /// `table` (the default), `inline` or `pymdownx-inline`.
    pub linenums_style: String,
    /// Numbers link to an anchor on their line.
    pub anchor_linenums: bool,
}

impl Default for HighlightSettings {
    fn default() -> HighlightSettings {
        HighlightSettings {
            linenums: true,
            linenums_style: "table".into(),
            anchor_linenums: false,
        }
    }
}

/// A fence's options: ```` ```python title="a.py" linenums="3" hl_lines="1 3-4" ````.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FenceOptions {
    pub lang: String,
    pub title: Option<String>,
    /// `linenums="N"`: the first line's number (0 turns numbers off).
    pub linenums: Option<i64>,
    /// Lines to highlight, 1-based positions in the block.
    pub hl_lines: Vec<usize>,
}

/// Reads a fence's info string (`python title="x"`, `{ .python }`).
pub fn fence_options(info: &str) -> FenceOptions {
    let info = info.trim();
    let info = info
        .strip_prefix('{')
        .and_then(|i| i.strip_suffix('}'))
        .unwrap_or(info)
        .trim();
    let first = info.split_whitespace().next().unwrap_or("");
    let lang = if first.contains('=') {
        String::new()
    } else {
        first.trim_start_matches('.').to_ascii_lowercase()
    };
    let attr = |name: &str| {
        let at = info.find(&format!("{name}=\""))?;
        let rest = &info[at + name.len() + 2..];
        rest.find('"').map(|end| rest[..end].to_string())
    };
    FenceOptions {
        lang,
        title: attr("title"),
        linenums: attr("linenums").and_then(|n| n.trim().parse().ok()),
        hl_lines: attr("hl_lines").map(|l| line_list(&l)).unwrap_or_default(),
    }
}

/// `1 3-4` → 1, 3, 4 (at most a bounded count: the list is the author's).
fn line_list(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    for part in text.split_whitespace() {
        let (start, end) = part.split_once('-').unwrap_or((part, part));
        if let (Ok(start), Ok(end)) = (start.parse::<usize>(), end.parse::<usize>()) {
            lines.extend((start..=end.min(start.saturating_add(10_000))).take(10_000));
        }
        if lines.len() > 100_000 {
            break;
        }
    }
    lines
}

/// One block's HTML. `index` is the block's place among the page's code
/// blocks (line anchors are `__codelineno-<index>-<n>`).
pub fn code_block(
    html: &mut String,
    code: &str,
    fence: &FenceOptions,
    settings: &HighlightSettings,
    index: usize,
) {
    // Pygments' `stripnl`: blank lines around the code are dropped.
    let code = code.trim_matches('\n');
    // Room for the spans of a typical highlighted line (grown by
    // reallocating, the copies were a fifth of a code block's cost).
    let mut highlighted = String::with_capacity(code.len() * 4);
    highlight_into(&mut highlighted, code, &fence.lang);
    let lines = balanced_lines(&highlighted);
    let start = match fence.linenums {
        Some(n) if n != 0 => Some(n.max(1)),
        Some(_) => None,
        None => settings.linenums.then_some(1),
    };
    // The lines, each with its numbers and anchors when it has them.
    let per_line = if start.is_some() { 160 } else { 8 };
    html.reserve(highlighted.len() + lines.len() * per_line + 256);
    let lang = if fence.lang.is_empty() {
        "text"
    } else {
        &fence.lang
    };
    html.push_str(&format!(
        "<div class=\"language-{} highlight\">",
        escape(lang)
    ));
    let title = fence
        .title
        .as_deref()
        .map(|t| format!("<span class=\"filename\">{}</span>", escape(t.trim())));
    // Written straight into `html` (sized above): a string per line for
    // each anchor and number was most of a numbered block's cost.
    let anchor = |n: i64| Anchor { index, n };
    let hl = |k: usize| fence.hl_lines.contains(&(k + 1));
    let number = |k: usize| start.unwrap_or(1).saturating_add(k as i64);
    let anchors = settings.anchor_linenums && start.is_some();
    let table = start.is_some() && settings.linenums_style == "table";
    if table {
        html.push_str("<table class=\"highlighttable\">");
        if let Some(title) = &title {
            html.push_str(&format!(
                "<tr><th colspan=\"2\" class=\"filename\">{title}</th></tr>"
            ));
        }
        html.push_str("<tr><td class=\"linenos\"><div class=\"linenodiv\"><pre><span></span>");
        for k in 0..lines.len() {
            if k > 0 {
                html.push('\n');
            }
            let n = number(k);
            if anchors {
                let _ = write!(
                    html,
                    "<span class=\"normal\"><a href=\"#{}\">{n}</a></span>",
                    anchor(n)
                );
            } else {
                let _ = write!(html, "<span class=\"normal\">{n}</span>");
            }
        }
        html.push_str("</pre></div></td><td class=\"code\"><div>");
    } else if let Some(title) = &title {
        html.push_str(title);
    }
    html.push_str("<pre><span></span><code>");
    let width = number(lines.len().saturating_sub(1)).to_string().len();
    for (k, line) in lines.iter().enumerate() {
        let n = number(k);
        if anchors {
            let _ = write!(html, "<a id=\"{0}\" name=\"{0}\"></a>", anchor(n));
        }
        if hl(k) {
            html.push_str("<span class=\"hll\">");
        }
        if let (Some(_), false) = (start, table) {
            if anchors {
                let _ = write!(html, "<a href=\"#{}\">", anchor(n));
            }
            if settings.linenums_style == "pymdownx-inline" {
                let _ = write!(
                    html,
                    "<span class=\"linenos\" data-linenos=\"{n:>width$} \"></span>"
                );
            } else {
                let _ = write!(html, "<span class=\"linenos\">{n:>width$}</span>");
            }
            if anchors {
                html.push_str("</a>");
            }
        }
        html.push_str(line);
        html.push('\n');
        if hl(k) {
            html.push_str("</span>");
        }
    }
    html.push_str("</code></pre>");
    if table {
        html.push_str("</div></td></tr></table>");
    }
    html.push_str("</div>\n");
}

/// Highlighted HTML cut into lines, each with its spans closed at its end
/// and opened again on the next line (as Pygments writes lines), so a line
/// can be wrapped or numbered on its own.
fn balanced_lines(html: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut open: Vec<&str> = Vec::new();
    let mut line = String::new();
    let mut rest = html;
    while !rest.is_empty() {
        if rest.starts_with("<span") {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            open.push(&rest[..end]);
            line.push_str(&rest[..end]);
            rest = &rest[end..];
        } else if let Some(after) = rest.strip_prefix("</span>") {
            open.pop();
            line.push_str("</span>");
            rest = after;
        } else if let Some(after) = rest.strip_prefix('\n') {
            for _ in 0..open.len() {
                line.push_str("</span>");
            }
            // The next line starts with room for one like this one.
            let next = String::with_capacity(line.len());
            lines.push(std::mem::replace(&mut line, next));
            line.extend(open.iter().copied());
            rest = after;
        } else {
            // Text up to the next tag or line end; the first character may
            // be of any width (both looked for are ASCII: a byte search).
            let first = rest.chars().next().map_or(1, char::len_utf8);
            let next = memchr::memchr2(b'<', b'\n', &rest.as_bytes()[first..])
                .map_or(rest.len(), |n| n + first);
            line.push_str(&rest[..next]);
            rest = &rest[next..];
        }
    }
    lines.push(line);
    lines
}

/// `` `#!python print(1)` `` or `` `:::python x` ``: inline code in a
/// language, as pymdownx.inlinehilite writes it. `None` for plain code.
pub fn inline_code(code: &str) -> Option<String> {
    let rest = code
        .strip_prefix("#!")
        .or_else(|| code.strip_prefix(":::"))?;
    let lang_len = rest
        .find(|c: char| !(c.is_alphanumeric() || "_#.+-".contains(c)))
        .unwrap_or(rest.len());
    let (lang, body) = rest.split_at(lang_len);
    let body = body.strip_prefix(char::is_whitespace)?.trim_start();
    let lang = lang.to_ascii_lowercase();
    let class = if lang.is_empty() { "text" } else { &lang };
    let mut html = format!("<code class=\"language-{} highlight\">", escape(class));
    let mut highlighted = String::new();
    highlight_into(&mut highlighted, body, &lang);
    if highlighted.is_empty() {
        escape_into(&mut html, body);
    } else {
        html.push_str(&highlighted);
    }
    html.push_str("</code>");
    Some(html)
}

/// A code line's anchor, `__codelineno-BLOCK-LINE`, written where it is
/// used.
struct Anchor {
    index: usize,
    n: i64,
}

impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "__codelineno-{}-{}", self.index, self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fence_options_are_read_from_the_info_string() {
        assert_eq!(
            fence_options("Python title=\"a b.py\" linenums=\"3\" hl_lines=\"1 3-4\""),
            FenceOptions {
                lang: "python".into(),
                title: Some("a b.py".into()),
                linenums: Some(3),
                hl_lines: vec![1, 3, 4],
            }
        );
        assert_eq!(fence_options("{ .yaml }").lang, "yaml");
        assert_eq!(fence_options("title=\"x\"").lang, "");
        assert!(line_list("1-999999999999").len() <= 10_001);
    }

    #[test]
    fn spans_are_closed_and_reopened_at_line_ends() {
        assert_eq!(
            balanced_lines("<span class=\"c\">/* a\nb */</span> x\ny"),
            [
                "<span class=\"c\">/* a</span>",
                "<span class=\"c\">b */</span> x",
                "y"
            ]
        );
    }

    #[test]
    fn lines_of_any_characters_are_cut_at_char_boundaries() {
        assert_eq!(balanced_lines("├── es\n│   └─ é"), ["├── es", "│   └─ é"]);
        let mut html = String::new();
        code_block(
            &mut html,
            "├── a\n└── b\n",
            &fence_options("text hl_lines=\"2\""),
            &HighlightSettings::default(),
            0,
        );
        assert!(
            html.contains("├── a\n<span class=\"hll\">└── b\n</span>"),
            "{html}"
        );
    }

    #[test]
    fn huge_first_line_numbers_do_not_overflow() {
        let mut html = String::new();
        let fence = fence_options("linenums=\"9223372036854775807\"");
        code_block(
            &mut html,
            "a\nb\n",
            &fence,
            &HighlightSettings::default(),
            0,
        );
        assert!(html.contains(">9223372036854775807</span>"), "{html}");
    }

    #[test]
    fn inline_code_with_a_language() {
        assert_eq!(
            inline_code("#!python None").as_deref(),
            Some("<code class=\"language-python highlight\"><span class=\"kc\">None</span></code>")
        );
        assert_eq!(
            inline_code(":::nothing <b>").as_deref(),
            Some("<code class=\"language-nothing highlight\">&lt;b&gt;</code>")
        );
        assert_eq!(inline_code("#!python"), None);
        assert_eq!(inline_code("plain"), None);
    }
}
