//! SVG images: rewritten through an allowlist so that, opened directly, they
//! are still the same picture and can run nothing.
//!
//! One streaming pass of quick-xml's namespace-aware reader, writing what
//! is kept as it goes; nothing is recursive, and nesting is capped at
//! [`SVG_MAX_DEPTH`].
//!
//! - Elements: the SVG elements that draw, in the SVG namespace (decided by
//!   namespace, not by prefix, so `<svg:script>` and `<x:script>` bound to
//!   XHTML are caught alike). Everything else goes with its whole subtree:
//!   `script`, animations (`animate`, `set`, … can rewrite `href` to
//!   `javascript:`), `iframe`, `embed`, `object` and any unknown element.
//! - `<foreignObject>` stays with formatting HTML only (`div`, `span`, `p`,
//!   `b`, `font`, `table`, …; `class`, `style` and a few presentational
//!   attributes): mermaid-cli and draw.io write every label that way, and
//!   dropping it would blank mermaid's flowcharts. Any other HTML element
//!   (`script`, `iframe`, `img`, `form`, `style`, …) goes with its subtree.
//! - Editors' metadata (Inkscape, Sodipodi, RDF licence blocks, Sketch,
//!   Affinity) is kept: browsers attach no behaviour to elements or
//!   attributes in those namespaces, and dropping them would report nearly
//!   every Inkscape file. Other namespaces are dropped.
//! - Attributes: every `on*` goes; `href`/`xlink:href` stays only as a
//!   fragment (`#id`) or, on `<image>`/`<feImage>`, a base64 PNG, JPEG, GIF
//!   or WebP `data:` URL; `xml:base` goes; CSS (`style`, `<style>`, any
//!   value with `url(`) goes through [`css::clean`]. Values are checked as
//!   the browser reads them: references resolved, whitespace normalised.
//! - The DOCTYPE goes (its entity declarations are never expanded: no XXE,
//!   no billion laughs); a reference to an undefined entity goes too.
//!   Processing instructions go (`<?xml-stylesheet?>` loads XSLT or CSS);
//!   the XML declaration is rewritten to say UTF-8. Comments stay (licence
//!   notices), unless malformed.
//! - Reported: everything removed that a browser would act on. Dropped
//!   silently, as no browser acts on them: a DOCTYPE without entity
//!   declarations, processing instructions other than `xml-stylesheet`
//!   (PlantUML writes `<?plantuml …?>`), malformed comments.
//! - Not UTF-8, malformed XML, an undeclared prefix, a root that is not
//!   `<svg>` in the SVG namespace, or nesting deeper than the cap: refused.

use super::{Removals, Sanitized, css, shorten};
use crate::limits::SVG_MAX_DEPTH;
use quick_xml::escape::partial_escape;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesCData, BytesDecl, BytesEnd, BytesRef, BytesStart, BytesText, Event};
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, Writer, XmlVersion};
use std::borrow::Cow;

const SVG_NAMESPACE: &str = "http://www.w3.org/2000/svg";
const XLINK_NAMESPACE: &str = "http://www.w3.org/1999/xlink";
const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";
const XHTML_NAMESPACE: &str = "http://www.w3.org/1999/xhtml";

/// Namespaces of editors' metadata, inert in every browser.
const EDITOR_NAMESPACES: &[&str] = &[
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://creativecommons.org/ns#",
    "http://web.resource.org/cc/",
    "http://purl.org/dc/elements/1.1/",
    "http://www.bohemiancoding.com/sketch/ns",
    "http://www.serif.com/",
];

/// SVG elements kept (local names in the SVG namespace): shapes, text,
/// structure, paint servers, clipping, masking, markers, filters, images and
/// styles, and `foreignObject` for HTML labels. Not here, so dropped:
/// `script`, the animation elements, `cursor`, fonts, and anything unknown.
const SVG_ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "symbol",
    "use",
    "switch",
    "a",
    "view",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "textPath",
    "title",
    "desc",
    "metadata",
    "style",
    "linearGradient",
    "radialGradient",
    "stop",
    "pattern",
    "clipPath",
    "mask",
    "marker",
    "image",
    "foreignObject",
    "filter",
    "feBlend",
    "feColorMatrix",
    "feComponentTransfer",
    "feComposite",
    "feConvolveMatrix",
    "feDiffuseLighting",
    "feDisplacementMap",
    "feDistantLight",
    "feDropShadow",
    "feFlood",
    "feFuncA",
    "feFuncB",
    "feFuncG",
    "feFuncR",
    "feGaussianBlur",
    "feImage",
    "feMerge",
    "feMergeNode",
    "feMorphology",
    "feOffset",
    "fePointLight",
    "feSpecularLighting",
    "feSpotLight",
    "feTile",
    "feTurbulence",
];

/// HTML elements kept inside `<foreignObject>`: text formatting, lists and
/// tables, which load and run nothing (links keep fragment `href`s only).
const FOREIGN_OBJECT_HTML_ELEMENTS: &[&str] = &[
    "div",
    "span",
    "p",
    "br",
    "hr",
    "b",
    "i",
    "u",
    "s",
    "strike",
    "em",
    "strong",
    "small",
    "big",
    "sub",
    "sup",
    "font",
    "center",
    "code",
    "pre",
    "kbd",
    "mark",
    "abbr",
    "q",
    "cite",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "caption",
    "colgroup",
    "col",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "a",
];

/// Attributes (without prefix) kept on those HTML elements, besides
/// `data-*` and `aria-*`; `href` follows the rule for every link.
const FOREIGN_OBJECT_HTML_ATTRIBUTES: &[&str] = &[
    "class",
    "id",
    "style",
    "title",
    "lang",
    "dir",
    "role",
    "align",
    "valign",
    "color",
    "face",
    "size",
    "width",
    "height",
    "border",
    "cellpadding",
    "cellspacing",
    "colspan",
    "rowspan",
    "span",
    "href",
];

/// Inline raster images an `<image>` may show.
const RASTER_DATA_URL_PREFIXES: &[&str] = &[
    "data:image/png;base64,",
    "data:image/jpeg;base64,",
    "data:image/jpg;base64,",
    "data:image/gif;base64,",
    "data:image/webp;base64,",
];

pub(super) fn sanitize(bytes: &[u8]) -> Sanitized {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            return Sanitized::Refused(format!(
                "not UTF-8 (invalid byte at offset {}): save the SVG as UTF-8",
                error.valid_up_to()
            ));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut pass = SvgPass::new(text);
    match pass.run() {
        Ok(()) => pass.removals.into_sanitized(pass.writer.into_inner()),
        Err(reason) => Sanitized::Refused(reason),
    }
}

/// Where an element's namespace puts it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ElementNamespace {
    Svg,
    /// HTML, kept only inside `<foreignObject>`.
    Xhtml,
    Editor,
    Other,
}

/// Where an attribute's namespace puts it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AttributeNamespace {
    /// No prefix: the element's own attributes.
    None,
    Xlink,
    Xml,
    Editor,
    Other,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Root {
    NotYet,
    Open,
    Closed,
}

/// A kept `<style>` element whose text is being collected, to be checked as
/// a whole when it closes.
struct PendingStyle {
    start: BytesStart<'static>,
    depth: usize,
    css: String,
}

struct SvgPass<'a> {
    text: &'a str,
    reader: NsReader<&'a [u8]>,
    writer: Writer<Vec<u8>>,
    removals: Removals,
    /// Elements open in the input, kept or not.
    depth: usize,
    /// The depth of the dropped element whose subtree is being skipped.
    skipping_from: Option<usize>,
    /// The depth of the outermost kept `<foreignObject>` open, inside
    /// which formatting HTML is kept.
    foreign_object_from: Option<usize>,
    style: Option<PendingStyle>,
    root: Root,
}

impl<'a> SvgPass<'a> {
    fn new(text: &'a str) -> Self {
        SvgPass {
            text,
            reader: NsReader::from_str(text),
            writer: Writer::new(Vec::with_capacity(text.len())),
            removals: Removals::default(),
            depth: 0,
            skipping_from: None,
            foreign_object_from: None,
            style: None,
            root: Root::NotYet,
        }
    }

    fn run(&mut self) -> Result<(), String> {
        loop {
            let (namespace, event) = match self.reader.read_resolved_event() {
                Ok((namespace, event)) => (element_namespace(&namespace), event),
                Err(error) => {
                    let position = self.reader.error_position();
                    return Err(self.refusal_at(position, &error.to_string()));
                }
            };
            match event {
                Event::Start(start) => self.open(namespace, start, false)?,
                Event::Empty(start) => self.open(namespace, start, true)?,
                Event::End(end) => self.close(end)?,
                Event::Text(text) => self.text(text)?,
                Event::CData(cdata) => self.cdata(cdata)?,
                Event::GeneralRef(reference) => self.reference(reference)?,
                Event::Comment(comment) => self.comment(comment)?,
                Event::Decl(declaration) => self.declaration(&declaration)?,
                Event::PI(instruction) => {
                    // The only one a browser acts on: it loads XSLT or CSS.
                    if instruction.target().eq_ignore_ascii_case("xml-stylesheet") {
                        self.removals
                            .note("<?xml-stylesheet?> processing instruction".to_string());
                    }
                }
                Event::DocType(doctype) => {
                    // A DOCTYPE naming an external DTD does nothing in a
                    // browser (none loads it); only entity declarations do.
                    if doctype.contains('[') {
                        self.removals
                            .note("DOCTYPE with entity declarations".to_string());
                    }
                }
                Event::Eof => return self.finish(),
            }
        }
    }

    fn open(
        &mut self,
        namespace: Result<ElementNamespace, String>,
        start: BytesStart<'a>,
        empty: bool,
    ) -> Result<(), String> {
        if self.depth >= SVG_MAX_DEPTH {
            return Err(self.refusal(&format!(
                "elements are nested more than {SVG_MAX_DEPTH} deep"
            )));
        }
        if !empty {
            self.depth += 1;
        }
        if self.skipping_from.is_some() {
            return Ok(());
        }
        let namespace = namespace.map_err(|why| self.refusal(&why))?;
        let name = start.name().0;
        let local = start.local_name().into_inner();
        match self.root {
            Root::NotYet if namespace == ElementNamespace::Svg && local == "svg" => {
                self.root = if empty { Root::Closed } else { Root::Open };
            }
            Root::NotYet => {
                return Err(self.refusal(&format!(
                    "the root element <{}> is not an <svg> element in the SVG namespace \
                     (xmlns=\"{SVG_NAMESPACE}\")",
                    shorten(name)
                )));
            }
            Root::Closed => {
                return Err(self.refusal(&format!("a second root element <{}>", shorten(name))));
            }
            Root::Open => {}
        }
        let allowed = self.style.is_none()
            && match namespace {
                ElementNamespace::Svg => SVG_ELEMENTS.contains(&local),
                ElementNamespace::Xhtml => {
                    self.foreign_object_from.is_some()
                        && FOREIGN_OBJECT_HTML_ELEMENTS.contains(&local)
                }
                ElementNamespace::Editor => true,
                ElementNamespace::Other => false,
            };
        if !allowed {
            self.removals.note(format!("<{}> element", shorten(name)));
            if !empty {
                self.skipping_from = Some(self.depth);
            }
            return Ok(());
        }
        let kept = self.kept_start(&start, name, namespace)?;
        let is_svg = namespace == ElementNamespace::Svg;
        if is_svg && local == "foreignObject" && !empty && self.foreign_object_from.is_none() {
            self.foreign_object_from = Some(self.depth);
        }
        if empty {
            self.write(Event::Empty(kept))
        } else if is_svg && local == "style" {
            self.style = Some(PendingStyle {
                start: kept,
                depth: self.depth,
                css: String::new(),
            });
            Ok(())
        } else {
            self.write(Event::Start(kept))
        }
    }

    fn close(&mut self, end: BytesEnd<'a>) -> Result<(), String> {
        let depth = self.depth;
        self.depth = depth.saturating_sub(1);
        if let Some(from) = self.skipping_from {
            if depth == from {
                self.skipping_from = None;
            }
            return Ok(());
        }
        if self
            .style
            .as_ref()
            .is_some_and(|style| style.depth == depth)
        {
            return self.close_style(end);
        }
        if depth == 1 {
            self.root = Root::Closed;
        }
        if self.foreign_object_from == Some(depth) {
            self.foreign_object_from = None;
        }
        self.write(Event::End(end))
    }

    /// Writes the collected `<style>` if its CSS can be made safe.
    fn close_style(&mut self, end: BytesEnd<'a>) -> Result<(), String> {
        let Some(style) = self.style.take() else {
            return Ok(());
        };
        match css::clean(&style.css) {
            Ok(clean) => {
                for removed in clean.removed {
                    self.removals.note(format!("{removed} in <style>"));
                }
                self.write(Event::Start(style.start))?;
                let text = BytesText::from_escaped(partial_escape(clean.css.as_str()));
                self.write(Event::Text(text))?;
                self.write(Event::End(end))
            }
            Err(why) => {
                self.removals.note(format!("<style> element ({why})"));
                Ok(())
            }
        }
    }

    fn text(&mut self, text: BytesText<'a>) -> Result<(), String> {
        if self.skipping_from.is_some() {
            return Ok(());
        }
        if let Some(style) = &mut self.style {
            // Raw text holds no references: those come as their own events.
            style.css.push_str(&text);
            return Ok(());
        }
        if self.root != Root::Open && !is_xml_whitespace(&text) {
            return Err(self.refusal("text outside the root element"));
        }
        self.write(Event::Text(text))
    }

    /// CDATA is written back as escaped text, never as CDATA.
    fn cdata(&mut self, cdata: BytesCData<'a>) -> Result<(), String> {
        if self.skipping_from.is_some() {
            return Ok(());
        }
        if let Some(style) = &mut self.style {
            style.css.push_str(&cdata);
            return Ok(());
        }
        if self.root != Root::Open {
            return Err(self.refusal("CDATA outside the root element"));
        }
        self.write(Event::Text(BytesText::new(&cdata)))
    }

    /// Character references and the five predefined entities stay; any
    /// other entity was declared in the (removed) DTD or nowhere.
    fn reference(&mut self, reference: BytesRef<'a>) -> Result<(), String> {
        if self.skipping_from.is_some() {
            return Ok(());
        }
        if self.root != Root::Open {
            return Err(self.refusal("an entity reference outside the root element"));
        }
        let Some(character) = resolve_reference(&reference) else {
            self.removals
                .note(format!("undefined entity &{};", shorten(&reference)));
            return Ok(());
        };
        if let Some(style) = &mut self.style {
            style.css.push(character);
            return Ok(());
        }
        self.write(Event::GeneralRef(reference))
    }

    fn comment(&mut self, comment: BytesText<'a>) -> Result<(), String> {
        let well_formed = !comment.contains("--") && !comment.ends_with('-');
        if self.skipping_from.is_some() || self.style.is_some() || !well_formed {
            return Ok(());
        }
        self.write(Event::Comment(comment))
    }

    fn declaration(&mut self, declaration: &BytesDecl<'a>) -> Result<(), String> {
        if self.root != Root::NotYet || !self.writer.get_ref().is_empty() {
            return Err(self.refusal("an XML declaration that is not at the start"));
        }
        let version = match declaration.version() {
            Ok(version) if version == "1.1" => "1.1",
            _ => "1.0",
        };
        // The text was read as UTF-8 and is written as UTF-8, whatever the
        // declaration said.
        self.write(Event::Decl(BytesDecl::new(version, Some("UTF-8"), None)))
    }

    fn finish(&mut self) -> Result<(), String> {
        match self.root {
            Root::Closed => Ok(()),
            Root::NotYet => Err("no root element: the file is empty or not XML".to_string()),
            Root::Open => Err(self.refusal("the root element is not closed")),
        }
    }

    /// The start tag with only the attributes that are safe, their values
    /// as the browser will read them.
    fn kept_start(
        &mut self,
        start: &BytesStart<'a>,
        element: &str,
        namespace: ElementNamespace,
    ) -> Result<BytesStart<'static>, String> {
        let mut kept = BytesStart::new(element.to_string());
        for attribute in start.attributes() {
            let attribute = attribute.map_err(|error| self.refusal(&error.to_string()))?;
            if let Some(value) = self.kept_value(&attribute, element, namespace)? {
                kept.push_attribute(Attribute {
                    key: attribute.key,
                    value: Cow::Owned(escape_attribute(&value)),
                });
            }
        }
        Ok(kept)
    }

    /// The value of an attribute to keep, or `None` when it goes.
    fn kept_value(
        &mut self,
        attribute: &Attribute<'_>,
        element: &str,
        element_namespace: ElementNamespace,
    ) -> Result<Option<String>, String> {
        let name = attribute.key.0;
        if attribute.key.as_namespace_binding().is_some() {
            // The reader resolves namespaces on the raw value: it must be
            // what the browser sees too.
            if attribute.value.contains('&') {
                return Err(self.refusal(&format!(
                    "the namespace declaration {name} uses an entity or character reference"
                )));
            }
            return Ok(Some(attribute.value.to_string()));
        }
        let (namespace, local) = self.reader.resolver().resolve_attribute(attribute.key);
        let namespace = match attribute_namespace(&namespace) {
            Ok(namespace) => namespace,
            Err(why) => return Err(self.refusal(&why)),
        };
        let local = local.into_inner();
        let is_event_handler = local
            .get(..2)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("on"));
        let is_unknown_html_attribute = element_namespace == ElementNamespace::Xhtml
            && namespace == AttributeNamespace::None
            && !is_foreign_object_html_attribute(local);
        if is_event_handler
            || is_unknown_html_attribute
            || namespace == AttributeNamespace::Other
            || (namespace == AttributeNamespace::Xml && local == "base")
        {
            self.removals.note(format!("{} attribute", shorten(name)));
            return Ok(None);
        }
        let Ok(value) = attribute.normalized_value(XmlVersion::Implicit1_0) else {
            self.removals.note(format!(
                "{} attribute with an undefined entity",
                shorten(name)
            ));
            return Ok(None);
        };
        let is_link = local == "href"
            && matches!(
                namespace,
                AttributeNamespace::None | AttributeNamespace::Xlink
            );
        if is_link {
            if is_allowed_reference(element, &value) {
                return Ok(Some(value.into_owned()));
            }
            self.removals.note(format!(
                "external reference {} ({name} on <{element}>)",
                shorten(value.trim())
            ));
            return Ok(None);
        }
        let is_style = local == "style" && namespace == AttributeNamespace::None;
        if !is_style && !contains_ignore_ascii_case(&value, "url(") {
            return Ok(Some(value.into_owned()));
        }
        match css::clean(&value) {
            Ok(clean) => {
                for removed in clean.removed {
                    self.removals.note(format!("{removed} in {name} attribute"));
                }
                Ok(Some(clean.css))
            }
            Err(why) => {
                self.removals.note(format!("{name} attribute ({why})"));
                Ok(None)
            }
        }
    }

    fn write(&mut self, event: Event<'_>) -> Result<(), String> {
        self.writer
            .write_event(event)
            .map_err(|error| format!("writing the sanitised SVG failed: {error}"))
    }

    /// Why the file is refused, at the reader's current position.
    fn refusal(&self, why: &str) -> String {
        let position = self.reader.buffer_position();
        self.refusal_at(position, why)
    }

    fn refusal_at(&self, position: u64, why: &str) -> String {
        let position = usize::try_from(position)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        let before = self.text.as_bytes().get(..position).unwrap_or_default();
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        format!("line {line}, column {column}: {why}")
    }
}

fn element_namespace(namespace: &ResolveResult<'_>) -> Result<ElementNamespace, String> {
    Ok(match namespace {
        ResolveResult::Bound(namespace) if namespace.0 == SVG_NAMESPACE => ElementNamespace::Svg,
        ResolveResult::Bound(namespace) if namespace.0 == XHTML_NAMESPACE => {
            ElementNamespace::Xhtml
        }
        ResolveResult::Bound(namespace) if EDITOR_NAMESPACES.contains(&namespace.0) => {
            ElementNamespace::Editor
        }
        ResolveResult::Bound(_) | ResolveResult::Unbound => ElementNamespace::Other,
        ResolveResult::Unknown(prefix) => {
            return Err(format!(
                "the namespace prefix `{}` is not declared",
                shorten(prefix)
            ));
        }
    })
}

fn attribute_namespace(namespace: &ResolveResult<'_>) -> Result<AttributeNamespace, String> {
    Ok(match namespace {
        ResolveResult::Unbound => AttributeNamespace::None,
        ResolveResult::Bound(namespace) => match namespace.0 {
            XLINK_NAMESPACE => AttributeNamespace::Xlink,
            XML_NAMESPACE => AttributeNamespace::Xml,
            other if EDITOR_NAMESPACES.contains(&other) => AttributeNamespace::Editor,
            _ => AttributeNamespace::Other,
        },
        ResolveResult::Unknown(prefix) => {
            return Err(format!(
                "the namespace prefix `{}` is not declared",
                shorten(prefix)
            ));
        }
    })
}

fn is_foreign_object_html_attribute(local: &str) -> bool {
    FOREIGN_OBJECT_HTML_ATTRIBUTES.contains(&local)
        || local.starts_with("data-")
        || local.starts_with("aria-")
}

/// A same-document fragment, a link a person follows (`<a>`: the same URL
/// check as every other link Portico writes), or an inline raster image on
/// the elements that show one. Nothing else may load from elsewhere.
fn is_allowed_reference(element: &str, value: &str) -> bool {
    let url = value.trim_matches(|c: char| c.is_ascii_whitespace());
    if url.starts_with('#') {
        return true;
    }
    let local = element.rsplit(':').next().unwrap_or(element);
    if local == "a" {
        return crate::html::allowed_url(url, crate::html::UrlUse::Link);
    }
    matches!(local, "image" | "feImage")
        && RASTER_DATA_URL_PREFIXES.iter().any(|prefix| {
            url.get(..prefix.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
        })
}

/// The character a reference stands for, if it is a valid character
/// reference or one of XML's five predefined entities.
fn resolve_reference(reference: &BytesRef<'_>) -> Option<char> {
    if reference.is_char_ref() {
        return reference
            .resolve_char_ref()
            .ok()
            .flatten()
            .filter(|&c| is_xml_char(c));
    }
    match &**reference {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    }
}

/// XML 1.0's `Char` production.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn is_xml_whitespace(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Escapes an attribute value for double quotes, keeping tabs and newlines
/// as references so the browser does not turn them into spaces.
fn escape_attribute(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
    out
}
