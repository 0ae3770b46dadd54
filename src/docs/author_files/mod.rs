//! Author files in a docs folder that a browser would run as a page of the
//! portal: `.html`, `.htm` and `.svg`.
//!
//! Opened directly, such a file runs its scripts on the portal's origin, so
//! it is never copied raw: [`sanitize`] rewrites it through an allowlist and
//! says what it removed, or refuses it. Pure functions, no I/O; the docs
//! build decides what to publish and which diagnostic to give.
//!
//! - SVG ([`sanitize_svg`]) stays a standalone XML image: known SVG elements
//!   only, no event handlers, references to the same document (or raster
//!   `data:` images) only, CSS without external loads, no DTD.
//! - HTML ([`sanitize_html`]) becomes a minimal new document around the
//!   page's body cleaned by the same ammonia policy as raw HTML in Markdown,
//!   with a Content-Security-Policy that forbids scripts.

mod css;
mod html;
mod svg;

use crate::docs::markdown::SanitizeOptions;
use crate::limits::AUTHOR_FILE_MAX_LISTED_REMOVALS;
use std::collections::HashSet;

/// What became of an author file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sanitized {
    /// Nothing a browser acts on was removed. The bytes are the file as the
    /// sanitiser wrote it back: the same picture or page, not always byte
    /// for byte (an SVG loses an external DOCTYPE and inert processing
    /// instructions; a page gets the new head).
    Clean(Vec<u8>),
    /// Unsafe or unknown parts were removed. `removed` names each kind of
    /// thing once, human-readable (`<script> element`, `onload attribute`,
    /// `external reference https://…`), at most
    /// [`AUTHOR_FILE_MAX_LISTED_REMOVALS`] of them and then `… and N more`.
    Changed {
        bytes: Vec<u8>,
        removed: Vec<String>,
    },
    /// The file cannot be made safe (not UTF-8, malformed, nested too deep,
    /// compressed): nothing should be published. The text says why.
    Refused(String),
}

impl Sanitized {
    /// The bytes to publish, `None` when the file was refused.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Sanitized::Clean(bytes) | Sanitized::Changed { bytes, .. } => Some(bytes),
            Sanitized::Refused(_) => None,
        }
    }
}

/// Whether a docs file at `path` is one a browser could open as a page, so
/// it must go through [`sanitize`] instead of being copied (by extension,
/// case-insensitive: `.html`, `.htm`, `.svg`; `.xhtml`, `.xht`, `.svgz`,
/// `.xml`, `.xsl`, `.xslt`, other extensions served as HTML, and server
/// scripts such as `.php`, which are refused; extensions served with an
/// XML type, checked).
pub fn needs_sanitizing(path: &str) -> bool {
    kind(path).is_some()
}

/// Sanitizes the author file at `path` by its extension; `None` when it is
/// not a kind that needs it (see [`needs_sanitizing`]) and may be copied.
pub fn sanitize(path: &str, bytes: &[u8], options: &SanitizeOptions) -> Option<Sanitized> {
    Some(match kind(path)? {
        AuthorFileKind::Svg => sanitize_svg(bytes),
        AuthorFileKind::Html => sanitize_html(bytes, options),
        AuthorFileKind::XmlTyped if xml_could_run_script(bytes) => Sanitized::Refused(
            "web servers serve this extension as XML, and it holds what could make it a page that runs script (the XHTML or SVG namespace, a script, a stylesheet, a DTD): show it in a Markdown code block, or publish it as .txt".to_string(),
        ),
        AuthorFileKind::XmlTyped => Sanitized::Clean(bytes.to_vec()),
        AuthorFileKind::Refused(why) => Sanitized::Refused(why.to_string()),
    })
}

/// An SVG image rewritten through the SVG allowlist (see `svg.rs`).
pub fn sanitize_svg(bytes: &[u8]) -> Sanitized {
    svg::sanitize(bytes)
}

/// An HTML page rewritten as a minimal document around its cleaned body
/// (see `html.rs`).
pub fn sanitize_html(bytes: &[u8], options: &SanitizeOptions) -> Sanitized {
    html::sanitize(bytes, options)
}

/// How deep elements that need an end tag nest in `html`, at most, by a
/// linear scan (no parser): html5ever's work grows with the square of the
/// depth, so deeper HTML is never handed to it.
pub fn html_nesting_depth(html: &str) -> usize {
    html::nesting_depth(html)
}

/// What dangerous markup a Markdown page's raw HTML lost to the sanitiser
/// (`before` and `after` it): scripts, frames, event handlers, refused
/// URLs, each kind once.
pub fn removed_unsafe_markup(before: &str, after: &str) -> Vec<String> {
    html::removed_unsafe_markup(before, after)
}

enum AuthorFileKind {
    Svg,
    Html,
    /// An extension web servers serve with an XML type (below): published
    /// only when nothing in it could make the document a page that runs
    /// script ([`xml_could_run_script`]).
    XmlTyped,
    Refused(&'static str),
}

/// Extensions that web servers and upload tools serve with an XML media
/// type (`…+xml`, `text/xml`, `application/xml`), from the media types
/// database Apache, Python's `mimetypes` (so `aws s3 sync`) and most Linux
/// servers read (`/etc/mime.types`): a browser opens such a file as a
/// document, where elements in the XHTML or SVG namespace run their
/// scripts. Some are also source files (`.rs`, `.cl`): those are published
/// when they hold nothing of the kind.
const XML_TYPED_EXTENSIONS: &[&str] = &[
    "1km",
    "apxml",
    "atom",
    "atomcat",
    "atomdeleted",
    "atomsrv",
    "atomsvc",
    "bmml",
    "ccmp",
    "ccxml",
    "cdxml",
    "cellml",
    "cl",
    "clue",
    "cml",
    "cpl",
    "csl",
    "dae",
    "davmount",
    "dd2",
    "ddf",
    "dist",
    "distz",
    "dwd",
    "emma",
    "emotionml",
    "es3",
    "et3",
    "fdt",
    "fo",
    "gml",
    "grxml",
    "gsheet",
    "hal",
    "held",
    "ink",
    "inkml",
    "irp",
    "its",
    "kml",
    "lasxml",
    "lbe",
    "lgr",
    "link66",
    "lostsyncxml",
    "lostxml",
    "mads",
    "maei",
    "meta4",
    "mets",
    "mml",
    "mods",
    "moml",
    "mpd",
    "mpkg",
    "mrcx",
    "musd",
    "mxml",
    "obgx",
    "odd",
    "opf",
    "osm",
    "pkg",
    "provx",
    "pskcxml",
    "rapd",
    "rdf",
    "relo",
    "rfcxml",
    "rif",
    "rl",
    "rld",
    "rs",
    "rsat",
    "rsheet",
    "rss",
    "rusd",
    "scl",
    "sdkd",
    "sdkm",
    "senmlx",
    "sensmlx",
    "shf",
    "sls",
    "smi",
    "smil",
    "sml",
    "sru",
    "srx",
    "ssml",
    "stpx",
    "swidtag",
    "td",
    "tei",
    "teicorpus",
    "tfi",
    "ttml",
    "uis",
    "uo",
    "uoml",
    "uvt",
    "uvvt",
    "vxml",
    "wadl",
    "wbs",
    "wif",
    "wsdl",
    "wspolicy",
    "x3d",
    "x3dz",
    "xav",
    "xca",
    "xcs",
    "xdf",
    "xdm",
    "xdp",
    "xdssc",
    "xel",
    "xer",
    "xhvml",
    "xlf",
    "xmls",
    "xns",
    "xop",
    "xsf",
    "xsm",
    "xspf",
    "xul",
    "xvm",
    "xvml",
    "yin",
    "zaz",
    "zmm",
];

/// Whether an XML-typed file could be a page that runs script, opened by a
/// browser. A file whose first character (after a UTF-8 byte-order mark
/// and white space) is not `<` is no XML document: the browser stops at
/// its first byte (a Rust or Lisp source file). One that is must be UTF-8
/// (a UTF-16 or ISO-2022-JP file spells its markup in bytes no check here
/// reads as ASCII) and hold none of: the XHTML or SVG namespace, a
/// stylesheet that transforms it, a `<script` or `<prefix:script` element,
/// a `javascript:` URL, a DTD (whose entities can spell a namespace out of
/// parts), a character reference. Asked case-insensitively; a false alarm
/// refuses a file, never publishes one.
fn xml_could_run_script(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let Some(first) = text.iter().find(|b| !b.is_ascii_whitespace()) else {
        return false;
    };
    if *first != b'<' {
        // UTF-16 byte-order marks and other encodings start with other bytes.
        return text.starts_with(b"\xff\xfe") || text.starts_with(b"\xfe\xff");
    }
    if std::str::from_utf8(text).is_err() || text.contains(&0) || text.contains(&0x1b) {
        return true;
    }
    let lower = text.to_ascii_lowercase();
    let has = |marker: &[u8]| lower.windows(marker.len()).any(|w| w == marker);
    const MARKERS: [&[u8]; 8] = [
        b"1999/xhtml",
        b"2000/svg",
        b"xml-stylesheet",
        b"<script",
        b"javascript:",
        b"<!doctype",
        b"<!entity",
        b"&#",
    ];
    if MARKERS.iter().any(|marker| has(marker)) {
        return true;
    }
    namespaced_script(&lower) || declares_another_encoding(&lower)
}

/// Whether `lower` holds `<prefix:script` (a script element in a namespace
/// the document may bind to XHTML's or SVG's).
fn namespaced_script(lower: &[u8]) -> bool {
    let name = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    lower.windows(7).enumerate().any(|(at, w)| {
        w == b":script" && {
            let before = &lower[..at];
            let prefix = before.iter().rev().take_while(|b| name(b)).count();
            prefix > 0 && before.len() > prefix && before[before.len() - prefix - 1] == b'<'
        }
    })
}

/// Whether the XML declaration of `lower` names an encoding other than
/// UTF-8 (or ASCII, a part of it): the browser would read the bytes in it.
fn declares_another_encoding(lower: &[u8]) -> bool {
    let Some(declaration) = lower
        .strip_prefix(b"<?xml")
        .and_then(|rest| rest.split(|b| *b == b'>').next())
    else {
        return false;
    };
    let Some(at) = declaration.windows(8).position(|w| w == b"encoding") else {
        return false;
    };
    let value: Vec<u8> = declaration[at + 8..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace() || matches!(b, b'=' | b'"' | b'\''))
        .take_while(|b| !(b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'?')))
        .copied()
        .collect();
    !matches!(
        value.as_slice(),
        b"utf-8" | b"utf8" | b"us-ascii" | b"ascii"
    )
}

fn kind(path: &str) -> Option<AuthorFileKind> {
    let file_name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let (_, extension) = file_name.rsplit_once('.')?;
    Some(match extension.to_ascii_lowercase().as_str() {
        "svg" => AuthorFileKind::Svg,
        "html" | "htm" => AuthorFileKind::Html,
        // Gzip: its XML cannot be checked without inflating it first.
        "svgz" => AuthorFileKind::Refused("it is compressed SVG (.svgz): save it as a plain .svg"),
        // Served as XML, where the HTML sanitiser's output does not parse.
        "xhtml" | "xht" => AuthorFileKind::Refused(
            "it is an XHTML page: save it as .html, or write it in Markdown",
        ),
        // A browser opens XML as a document: elements in the XHTML
        // namespace run their scripts, and an `<?xml-stylesheet?>` XSLT can
        // produce any page, so neither is published.
        "xml" | "xsl" | "xslt" => AuthorFileKind::Refused(
            "a browser opens XML and XSLT files as pages that can run script: show the file in a Markdown code block, or publish it as .txt",
        ),
        // Served as HTML pages (`text/html`, or XHTML) by common servers,
        // but not sanitised as `.html` is.
        "shtml" | "shtm" | "xhtm" | "stml" | "s1h" => AuthorFileKind::Refused(
            "web servers serve this extension as an HTML page: save it as .html, or write it in Markdown",
        ),
        // A web server with the module loaded runs them as programs.
        "php" | "php3" | "php4" | "php5" | "php7" | "php8" | "phtml" | "phar" | "asp" | "aspx"
        | "jsp" | "cgi" => AuthorFileKind::Refused(
            "a web server may run this file as a program: show it in a Markdown code block, or publish it as .txt",
        ),
        other if XML_TYPED_EXTENSIONS.contains(&other) => AuthorFileKind::XmlTyped,
        _ => return None,
    })
}

/// What a sanitiser removed: each kind once, in the order first met.
#[derive(Default)]
struct Removals {
    seen: HashSet<String>,
    listed: Vec<String>,
    unlisted: usize,
}

impl Removals {
    fn note(&mut self, what: String) {
        if self.seen.contains(&what) {
            return;
        }
        if self.listed.len() < AUTHOR_FILE_MAX_LISTED_REMOVALS {
            self.listed.push(what.clone());
        } else {
            self.unlisted += 1;
        }
        self.seen.insert(what);
    }

    fn into_sanitized(self, bytes: Vec<u8>) -> Sanitized {
        if self.listed.is_empty() {
            return Sanitized::Clean(bytes);
        }
        let mut removed = self.listed;
        if self.unlisted > 0 {
            removed.push(format!("… and {} more", self.unlisted));
        }
        Sanitized::Changed { bytes, removed }
    }
}

/// `text` cut to a length fit for a message (URLs can be megabytes of
/// `data:`).
fn shorten(text: &str) -> String {
    const MAX_CHARS: usize = 80;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests;
