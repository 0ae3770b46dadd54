//! Where links point: classifying destinations and MkDocs' directory URLs.

use super::LinkTarget;

/// Where a destination points, or `None` for absolute URLs left alone.
pub(super) fn classify(dest: &str, page_src: &str) -> Option<LinkTarget> {
    if dest.is_empty() {
        return None;
    }
    if let Some(anchor) = dest.strip_prefix('#') {
        return Some(LinkTarget::Anchor(anchor.to_string()));
    }
    if dest.contains("://")
        || dest.starts_with("mailto:")
        || dest.starts_with("tel:")
        || dest.starts_with("//")
        // Only a query: MkDocs leaves it pointing at the page itself.
        || dest.starts_with('?')
    {
        return None;
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(a.to_string())),
        None => (dest, None),
    };
    let path = path.split('?').next().unwrap_or(path);
    let path = percent_decode(path);
    if let Some(rest) = path.strip_prefix("/docs/") {
        let mut parts = rest.splitn(4, '/');
        let (Some(namespace), Some(kind), Some(name)) = (parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        return Some(LinkTarget::OtherSite {
            namespace: namespace.to_lowercase(),
            kind: kind.to_lowercase(),
            name: name.to_string(),
            path: parts.next().unwrap_or("").to_string(),
            anchor,
        });
    }
    // A URL with a scheme is not a page of the site; `./adr:001.md` has
    // none (a scheme has no `/` or `.` before its colon), as Python's
    // `urlsplit` reads it for MkDocs.
    if path.starts_with('/') || crate::html::url_scheme(dest).is_some() {
        return None;
    }
    let base = crate::read::safe_path::parent(page_src);
    let resolved = match crate::read::safe_path::join(base, &path) {
        Ok(p) => p,
        Err(crate::read::safe_path::PathError::Empty) => String::new(),
        Err(_) => return Some(LinkTarget::Outside(dest.to_string())),
    };
    // MkDocs normalises the path first, so `page.md/` is `page.md`.
    let file = path.trim_end_matches('/');
    if crate::docs::site::is_markdown(file) {
        return Some(LinkTarget::Page {
            src: resolved,
            anchor,
        });
    }
    if path.ends_with('/') || path.is_empty() || resolved.is_empty() {
        // A folder link: its index page.
        let index = if resolved.is_empty() {
            "index.md".to_string()
        } else {
            format!("{resolved}/index.md")
        };
        return Some(LinkTarget::Page { src: index, anchor });
    }
    Some(LinkTarget::Asset { path: resolved })
}

/// `%XX` escapes decoded (invalid UTF-8 keeps the text as it was).
pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

pub(super) fn with_anchor(mut url: String, anchor: &Option<String>) -> String {
    if let Some(a) = anchor.as_deref().filter(|a| !a.is_empty()) {
        url.reserve(a.len() + 1);
        url.push('#');
        url.push_str(a);
    }
    url
}

/// MkDocs directory URLs: `a/b.md` → `a/b/`, `a/index.md` and
/// `a/README.md` → `a/`, `index.md` → `` (`readme.md` is a page of its
/// own: MkDocs compares the name as written).
pub fn page_url(src: &str) -> String {
    page_url_then(src, "")
}

/// The file of the page `src` (`a/b.md` → `a/b/index.html`): a link to a
/// page points at it (the nav of every page links to every page).
pub fn page_file(src: &str) -> String {
    page_url_then(src, "index.html")
}

/// [`page_url`] followed by `tail`, built in one allocation (`format!` of
/// the parts was 1.5 % of a build's instructions).
fn page_url_then(src: &str, tail: &str) -> String {
    let stem = crate::docs::site::markdown_stem(src).unwrap_or(src);
    let (dir, name) = stem.rsplit_once('/').map_or(("", stem), |(d, n)| (d, n));
    let is_index = name == "index" || name == "README";
    let mut url = String::with_capacity(stem.len() + 1 + tail.len());
    if !dir.is_empty() {
        url.push_str(dir);
        url.push('/');
    }
    if !is_index {
        url.push_str(name);
        url.push('/');
    }
    url.push_str(tail);
    url
}

/// A relative URL from the folder `from` (e.g. `a/b/`) to the file `to`
/// (both from the site root, as file paths). The path is percent-encoded,
/// so a file name never reads as a scheme (`javascript:x.md`) or a query.
///
/// Called for every nav item of every page and every link: it walks both
/// paths once and allocates only its answer.
pub fn relative(from: &str, to: &str) -> String {
    // Split as bytes: `str::split` sets up a searcher per call, and this
    // runs 220 times per page.
    let from_parts = from
        .as_bytes()
        .split(|&b| b == b'/')
        .filter(|p| !p.is_empty());
    // The last segment of `to` is its file, never a shared folder.
    let to_folders = to.bytes().filter(|&b| b == b'/').count();
    let mut common = 0;
    let mut rest = to;
    for (a, b) in from_parts.clone().zip(to.as_bytes().split(|&b| b == b'/')) {
        if common == to_folders || a != b {
            break;
        }
        common += 1;
        rest = &rest[b.len() + 1..];
    }
    let ups = from_parts.count() - common;
    let mut out = String::with_capacity(3 * ups + rest.len());
    for _ in 0..ups {
        out.push_str("../");
    }
    encode_path_into(rest, &mut out);
    out
}

/// A file path as a URL path: every byte but letters, digits, `_.-~` and
/// the `/` between segments percent-encoded, as MkDocs quotes page URLs
/// (Python's `urllib.parse.quote`).
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    encode_path_into(path, &mut out);
    out
}

fn encode_path_into(path: &str, out: &mut String) {
    let keep = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'~' | b'/');
    if path.bytes().all(keep) {
        out.push_str(path);
        return;
    }
    for b in path.bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// The query of a destination, with its `?` (empty without one): MkDocs
/// keeps it on the link it rewrites (`img.png?raw=true`).
pub fn query_of(dest: &str) -> &str {
    let before_anchor = dest.split('#').next().unwrap_or(dest);
    before_anchor
        .find('?')
        .map_or("", |at| &before_anchor[at..])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `relative` as it was written first (vectors of segments), to hold
    /// the allocation-light one against.
    fn relative_by_vectors(from: &str, to: &str) -> String {
        let from_parts: Vec<&str> = from.split('/').filter(|p| !p.is_empty()).collect();
        let to_parts: Vec<&str> = to.split('/').collect();
        let common = from_parts
            .iter()
            .zip(&to_parts)
            .take_while(|(a, b)| a == b)
            .count();
        let common = common.min(to_parts.len().saturating_sub(1));
        let mut out = "../".repeat(from_parts.len() - common);
        out.push_str(&encode_path(&to_parts[common..].join("/")));
        out
    }

    #[test]
    fn relative_urls_agree_with_the_segment_by_segment_rule() {
        let paths = [
            "",
            "/",
            "//",
            "a",
            "a/",
            "/a",
            "a//",
            "a/b",
            "a/b/",
            "a//b/",
            "a/b/c/",
            "b/",
            "a/b/index.html",
            "a/index.html",
            "index.html",
            "a/b/c/index.html",
            "x y/é.html",
            "a/b/c",
            "a/bc/",
            "ab/c/",
            "a/b/c/d/e/",
            "a/a/a/",
        ];
        for from in paths {
            for to in paths {
                assert_eq!(
                    relative(from, to),
                    relative_by_vectors(from, to),
                    "from {from:?} to {to:?}"
                );
            }
        }
        assert_eq!(relative("a/b/", "a/c/index.html"), "../c/index.html");
        assert_eq!(relative("a/b/", "a/b/index.html"), "index.html");
        assert_eq!(relative("", "a b/index.html"), "a%20b/index.html");
    }
}
