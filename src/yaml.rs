//! A YAML reader that keeps positions and enforces budgets.
//!
//! Catalog files come from repositories we do not control, so the reader must
//! never panic, never blow the stack and never expand an alias bomb. It turns
//! the event stream of `saphyr-parser` (a pure-Rust, YAML 1.2 parser) into a
//! small tree of [`Node`]s, each carrying its line and column, so every later
//! diagnostic can point at the exact field. Scalars are resolved with the YAML
//! 1.2 core schema, which is what Backstage's `yaml` npm package uses, so
//! `yes` stays a string and `1.0` a number. Duplicate keys are an error, as
//! they are there. Merge keys (`<<`) are plain keys, as with Backstage's
//! default `enableYamlMerge: false`.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Mappings with up to this many keys are searched key by key; larger ones
/// through a [`KeyIndex`], so a mapping with many keys is read in linear time.
const SMALL_MAPPING: usize = 8;

/// Position of a node in its file: 1-based line and column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// One YAML value with where it starts and its tag, if any (e.g. `!ENV`).
/// Kept in the build cache (postcard) with the catalog loads it is part of.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
    pub tag: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Seq(Vec<Node>),
    /// Keys are strings, as in the JSON model Backstage works on; order is kept.
    Map(Vec<(Key, Node)>),
}

/// A mapping key and where it was written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Key {
    pub name: String,
    pub pos: Pos,
}

/// Limits on what one file may make us build.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Deepest nesting of sequences and mappings.
    pub max_depth: usize,
    /// Nodes built, aliases expanded included (stops "billion laughs").
    pub max_nodes: usize,
    /// Documents in one stream.
    pub max_documents: usize,
    /// Nodes built in one stream, all its documents together.
    pub max_stream_nodes: usize,
    /// Bytes of keys and scalars built in one stream, aliases expanded
    /// included.
    pub max_bytes: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_depth: crate::limits::YAML_MAX_DEPTH,
            max_nodes: crate::limits::YAML_MAX_NODES,
            max_documents: crate::limits::YAML_MAX_DOCUMENTS,
            max_stream_nodes: crate::limits::YAML_MAX_STREAM_NODES,
            max_bytes: crate::limits::YAML_MAX_BYTES,
        }
    }
}

/// Why a file could not be read as YAML, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

/// The documents of one stream. `error` is set when reading stopped early;
/// documents completed before it are still returned (Backstage does the same).
#[derive(Debug, Default)]
pub struct Stream {
    pub documents: Vec<Document>,
    pub error: Option<YamlError>,
}

#[derive(Debug)]
pub struct Document {
    /// `None` for an empty document (`---` followed by nothing).
    pub root: Option<Node>,
    pub pos: Pos,
}

/// Reads every document of `text`.
pub fn parse_stream(text: &str, budget: Budget) -> Stream {
    let mut builder = Builder::new(budget);
    let mut parser = Parser::new_from_str(text);
    let mut stream = Stream::default();
    loop {
        match parser.next_event() {
            None => break,
            Some(Err(err)) => {
                let mark = err.marker();
                stream.error = Some(YamlError {
                    pos: Pos {
                        line: mark.line(),
                        column: mark.col() + 1,
                    },
                    message: match err.info() {
                        "recursion limit exceeded" => {
                            "nesting too deep (recursion limit exceeded)".to_string()
                        }
                        other => other.to_string(),
                    },
                });
                break;
            }
            Some(Ok((event, span))) => match builder.event(event, span) {
                Ok(Some(doc)) => {
                    if stream.documents.len() >= budget.max_documents {
                        stream.error = Some(YamlError {
                            pos: doc.pos,
                            message: format!(
                                "more than {} documents in one file",
                                budget.max_documents
                            ),
                        });
                        break;
                    }
                    stream.documents.push(doc);
                }
                Ok(None) => {}
                Err(err) => {
                    stream.error = Some(err);
                    break;
                }
            },
        }
    }
    stream
}

/// Reads a stream that must hold exactly one document (`$yaml`, mkdocs.yml).
pub fn parse_single(text: &str, budget: Budget) -> Result<Option<Node>, YamlError> {
    let stream = parse_stream(text, budget);
    if let Some(err) = stream.error {
        return Err(err);
    }
    let mut docs = stream.documents.into_iter();
    let first = docs.next();
    if let Some(second) = docs.next() {
        return Err(YamlError {
            pos: second.pos,
            message: "expected a single YAML document, found several".into(),
        });
    }
    Ok(first.and_then(|d| d.root))
}

/// What a node costs to build: its nodes and the bytes of its keys and
/// scalars, the node's own included.
#[derive(Debug, Default, Clone, Copy)]
struct Size {
    nodes: usize,
    bytes: usize,
}

impl Size {
    fn plus(self, other: Size) -> Size {
        Size {
            nodes: self.nodes.saturating_add(other.nodes),
            bytes: self.bytes.saturating_add(other.bytes),
        }
    }
}

/// A container being filled: a sequence, or a mapping waiting for a key or value.
struct Open {
    node: Node,
    anchor: usize,
    /// What it holds, itself included, so an alias to it is charged in full.
    size: Size,
    /// For mappings: the key read, waiting for its value.
    key: Option<Key>,
    /// For mappings: the keys so far, to find duplicates.
    keys: KeyIndex,
}

struct Builder {
    budget: Budget,
    stack: Vec<Open>,
    anchors: HashMap<usize, (Node, Size)>,
    /// Nodes built in the current document.
    nodes: usize,
    /// Built in the whole stream.
    built: Size,
    doc_pos: Pos,
    root: Option<Node>,
}

fn pos_of(span: Span) -> Pos {
    Pos {
        line: span.start.line(),
        column: span.start.col() + 1,
    }
}

fn err(pos: Pos, message: impl Into<String>) -> YamlError {
    YamlError {
        pos,
        message: message.into(),
    }
}

fn tag_name(tag: Option<std::borrow::Cow<'_, saphyr_parser::Tag>>) -> Option<String> {
    tag.map(|t| format!("{}{}", t.handle, t.suffix))
}

impl Builder {
    fn new(budget: Budget) -> Self {
        Builder {
            budget,
            stack: Vec::new(),
            anchors: HashMap::new(),
            nodes: 0,
            built: Size::default(),
            doc_pos: Pos::default(),
            root: None,
        }
    }

    fn count(&mut self, size: Size, pos: Pos) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(size.nodes);
        self.built = self.built.plus(size);
        let too_large = |what: String| {
            err(
                pos,
                format!("{what} once aliases are expanded (a YAML bomb?)"),
            )
        };
        if self.nodes > self.budget.max_nodes {
            return Err(too_large(format!(
                "document is too large: more than {} values",
                self.budget.max_nodes
            )));
        }
        if self.built.nodes > self.budget.max_stream_nodes {
            return Err(too_large(format!(
                "file is too large: more than {} values in its documents together",
                self.budget.max_stream_nodes
            )));
        }
        if self.built.bytes > self.budget.max_bytes {
            return Err(too_large(format!(
                "file is too large: more than {} MB of text",
                self.budget.max_bytes / (1024 * 1024)
            )));
        }
        Ok(())
    }

    fn event(&mut self, event: Event<'_>, span: Span) -> Result<Option<Document>, YamlError> {
        let pos = pos_of(span);
        match event {
            Event::DocumentStart(_) => {
                self.doc_pos = pos;
                self.root = None;
                self.anchors.clear();
                self.nodes = 0;
            }
            Event::DocumentEnd => {
                // `---` with nothing (or `null`) after it is a null document.
                let root = self
                    .root
                    .take()
                    .filter(|r| !(r.value == Value::Null && r.tag.is_none()));
                return Ok(Some(Document {
                    root,
                    pos: self.doc_pos,
                }));
            }
            Event::Scalar(text, style, anchor, tag) => {
                let size = Size {
                    nodes: 1,
                    bytes: text.len(),
                };
                self.count(size, pos)?;
                let tag = tag_name(tag);
                let value = resolve_scalar(&text, style, tag.as_deref());
                let node = Node { value, pos, tag };
                if anchor > 0 {
                    self.anchors.insert(anchor, (node.clone(), size));
                }
                self.attach(node, size)?;
            }
            Event::Alias(id) => {
                let Some((node, size)) = self.anchors.get(&id).cloned() else {
                    return Err(err(pos, "alias to an unknown anchor"));
                };
                self.count(size, pos)?;
                self.attach(node, size)?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(Value::Seq(Vec::new()), anchor, tag_name(tag), pos)?
            }
            Event::MappingStart(anchor, tag) => {
                self.open(Value::Map(Vec::new()), anchor, tag_name(tag), pos)?
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = self.stack.pop() else {
                    return Err(err(pos, "unbalanced end of a collection"));
                };
                if open.anchor > 0 {
                    self.anchors
                        .insert(open.anchor, (open.node.clone(), open.size));
                }
                self.attach(open.node, open.size)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(None)
    }

    fn open(
        &mut self,
        value: Value,
        anchor: usize,
        tag: Option<String>,
        pos: Pos,
    ) -> Result<(), YamlError> {
        self.count(Size { nodes: 1, bytes: 0 }, pos)?;
        if self.stack.len() >= self.budget.max_depth {
            return Err(err(
                pos,
                format!("nesting deeper than {} levels", self.budget.max_depth),
            ));
        }
        self.stack.push(Open {
            node: Node { value, pos, tag },
            anchor,
            size: Size { nodes: 1, bytes: 0 },
            key: None,
            keys: KeyIndex::default(),
        });
        Ok(())
    }

    /// Puts a finished node into the open container, or makes it the document root.
    fn attach(&mut self, node: Node, size: Size) -> Result<(), YamlError> {
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        parent.size = parent.size.plus(size);
        let node_pos = node.pos;
        match &mut parent.node.value {
            Value::Seq(items) => items.push(node),
            Value::Map(entries) => match parent.key.take() {
                None => parent.key = Some(key_of(node)?),
                Some(key) => {
                    if parent.keys.position(entries, &key.name).is_some() {
                        return Err(err(
                            key.pos,
                            format!("duplicate key `{}`: map keys must be unique", key.name),
                        ));
                    }
                    entries.push((key, node));
                }
            },
            _ => return Err(err(node_pos, "a value was found inside a scalar")),
        }
        Ok(())
    }
}

/// Finds a key among a mapping's entries as the mapping is built (entries
/// are only appended, and their keys are unique). Small mappings are
/// scanned; past [`SMALL_MAPPING`] keys the names are indexed, so checking
/// every key of a mapping stays linear however many it has.
#[derive(Debug, Default)]
pub struct KeyIndex {
    /// Key name → entry index, for the first `by_name.len()` entries.
    by_name: HashMap<String, usize>,
}

impl KeyIndex {
    /// Where `name` is among `entries`, which must be the entries this
    /// index was used with, possibly with new ones appended since.
    pub fn position(&mut self, entries: &[(Key, Node)], name: &str) -> Option<usize> {
        if entries.len() <= SMALL_MAPPING {
            return entries.iter().position(|(k, _)| k.name == name);
        }
        let indexed = self.by_name.len();
        for (i, (key, _)) in entries.iter().enumerate().skip(indexed) {
            self.by_name.insert(key.name.clone(), i);
        }
        self.by_name.get(name).copied()
    }
}

/// Mapping keys become strings, as they do in JavaScript objects.
fn key_of(node: Node) -> Result<Key, YamlError> {
    let name = match node.value {
        Value::String(s) => s,
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Seq(_) | Value::Map(_) => {
            return Err(err(
                node.pos,
                "a mapping key must be a plain value, not a collection",
            ));
        }
    };
    Ok(Key {
        name,
        pos: node.pos,
    })
}

/// YAML 1.2 core schema resolution of one scalar.
fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    let core = |name: &str| {
        tag.is_some_and(|t| t == format!("!!{name}") || t == format!("tag:yaml.org,2002:{name}"))
    };
    if core("str") {
        return Value::String(text.to_string());
    }
    if core("null") {
        return Value::Null;
    }
    // An explicit core tag reads even a quoted scalar by its rules
    // (`!!int "7"` is 7), as Backstage's YAML reader does; text the tag
    // cannot read stays text.
    if core("int") {
        return parse_int(text).unwrap_or_else(|| Value::String(text.to_string()));
    }
    if core("float") {
        let number = parse_int(text)
            .and_then(|v| match v {
                Value::Int(i) => Some(i as f64),
                Value::Float(f) => Some(f),
                _ => None,
            })
            .or_else(|| {
                is_core_float(text)
                    .then(|| text.parse::<f64>().ok())
                    .flatten()
            });
        return number.map_or_else(|| Value::String(text.to_string()), Value::Float);
    }
    if core("bool") {
        return match text {
            "true" | "True" | "TRUE" => Value::Bool(true),
            "false" | "False" | "FALSE" => Value::Bool(false),
            _ => Value::String(text.to_string()),
        };
    }
    if style != ScalarStyle::Plain {
        return Value::String(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    if let Some(v) = parse_int(text) {
        return v;
    }
    if is_core_float(text)
        && let Ok(f) = text.parse::<f64>()
    {
        return Value::Float(f);
    }
    Value::String(text.to_string())
}

fn parse_int(text: &str) -> Option<Value> {
    // Too large for an integer: a number all the same, as JavaScript
    // reads it (`0xFFFFFFFFFFFFFFFFFF` is 4.72e21).
    let radix = |digits: &str, radix: u32| {
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
        Some(match i64::from_str_radix(digits, radix) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Float(digits.chars().fold(0.0, |n, c| {
                n * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0))
            })),
        })
    };
    if let Some(hex) = text.strip_prefix("0x") {
        return radix(hex, 16);
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return radix(oct, 8);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(match text.parse::<i64>() {
        Ok(i) => Value::Int(i),
        // Too large for an integer: JavaScript would read it as a number too.
        Err(_) => Value::Float(text.parse::<f64>().ok()?),
    })
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_core_float(text: &str) -> bool {
    let s = text.strip_prefix(['-', '+']).unwrap_or(text).as_bytes();
    let mut i = 0;
    let int_digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if s.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if matches!(s.get(i), Some(b'e') | Some(b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'-') | Some(b'+')) {
            i += 1;
        }
        let exp = s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == s.len()
}

impl Node {
    /// The value under `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// Follows a path of keys and sequence indexes, e.g. `["spec", "owner"]`.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        let mut node = self;
        for part in path {
            node = match &node.value {
                Value::Map(_) => node.get(part)?,
                Value::Seq(items) => items.get(part.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The JSON form Backstage stores: key order kept, NaN and infinities as null.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::String(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// Values in this tree, mapping keys included: what it takes of a
    /// [`Budget`]'s `max_nodes`.
    pub fn size(&self) -> usize {
        1 + match &self.value {
            Value::Seq(items) => items.iter().map(Node::size).sum(),
            Value::Map(entries) => entries.iter().map(|(_, value)| 1 + value.size()).sum(),
            _ => 0,
        }
    }

    /// A short name for the type of value, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::String(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        parse_single(text, Budget::default()).unwrap().unwrap()
    }

    #[test]
    fn resolves_scalars_with_the_core_schema() {
        let doc = one(
            "a: yes\nb: true\nc: 0x1F\nd: 1.5\ne: ~\nf: '12'\ng: 1e3\nh: .inf\ni: 012\nj: 1.2.3\n",
        );
        let get = |k: &str| doc.get(k).unwrap().value.clone();
        assert_eq!(get("a"), Value::String("yes".into()));
        assert_eq!(get("b"), Value::Bool(true));
        assert_eq!(get("c"), Value::Int(31));
        assert_eq!(get("d"), Value::Float(1.5));
        assert_eq!(get("e"), Value::Null);
        assert_eq!(get("f"), Value::String("12".into()));
        assert_eq!(get("g"), Value::Float(1000.0));
        assert_eq!(get("h"), Value::Float(f64::INFINITY));
        assert_eq!(get("i"), Value::Int(12));
        assert_eq!(get("j"), Value::String("1.2.3".into()));
    }

    /// An explicit core tag reads even a quoted scalar by its rules, as
    /// Backstage's YAML reader does; a hex integer past i64 is a number.
    #[test]
    fn explicit_core_tags_read_quoted_scalars() {
        let doc = one(
            "a: !!int \"7\"\nb: !!float \"1.5\"\nc: !!bool \"true\"\nd: !!float 2\ne: !!int \"x\"\nf: 0xFFFFFFFFFFFFFFFFFF\ng: !!str 7\n",
        );
        let get = |k: &str| doc.get(k).unwrap().value.clone();
        assert_eq!(get("a"), Value::Int(7));
        assert_eq!(get("b"), Value::Float(1.5));
        assert_eq!(get("c"), Value::Bool(true));
        assert_eq!(get("d"), Value::Float(2.0));
        assert_eq!(get("e"), Value::String("x".into()));
        assert_eq!(get("f"), Value::Float(4722366482869645213695.0));
        assert_eq!(get("g"), Value::String("7".into()));
    }

    #[test]
    fn keeps_positions_and_tags() {
        let doc = one("kind: Component\nmetadata:\n  name: x\nsite: !ENV [SITE, default]\n");
        let name = doc.at(&["metadata", "name"]).unwrap();
        assert_eq!(name.pos, Pos { line: 3, column: 9 });
        assert_eq!(doc.get("site").unwrap().tag.as_deref(), Some("!ENV"));
    }

    #[test]
    fn reads_every_document_and_skips_nothing_silently() {
        let stream = parse_stream("a: 1\n---\n---\nb: 2\n", Budget::default());
        assert!(stream.error.is_none());
        assert_eq!(stream.documents.len(), 3);
        assert!(stream.documents[1].root.is_none());
        assert_eq!(stream.documents[2].pos.line, 3);
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse_single("a: 1\nb: 2\na: 3\n", Budget::default()).unwrap_err();
        assert!(err.message.contains("duplicate key `a`"), "{}", err.message);
        assert_eq!(err.pos.line, 3);
    }

    /// Took half a minute with a scan per key (100k keys); now linear.
    #[test]
    fn many_keys_are_checked_for_duplicates_in_linear_time() {
        let keys: String = (0..50_000).map(|i| format!("  k{i}: v\n")).collect();
        let doc = one(&format!("spec:\n{keys}"));
        assert_eq!(doc.get("spec").unwrap().as_map().unwrap().len(), 50_000);
        let text = format!("spec:\n{keys}  k49999: again\n");
        let err = parse_single(&text, Budget::default()).unwrap_err();
        assert!(
            err.message.contains("duplicate key `k49999`"),
            "{}",
            err.message
        );
        assert_eq!(
            err.pos,
            Pos {
                line: 50_002,
                column: 3
            }
        );
    }

    #[test]
    fn key_index_finds_keys_in_small_and_large_mappings() {
        let entry = |name: &str| {
            let pos = Pos::default();
            let key = Key {
                name: name.into(),
                pos,
            };
            (
                key,
                Node {
                    value: Value::Null,
                    pos,
                    tag: None,
                },
            )
        };
        let mut entries = Vec::new();
        let mut index = KeyIndex::default();
        for i in 0..20 {
            assert_eq!(index.position(&entries, &format!("k{i}")), None);
            entries.push(entry(&format!("k{i}")));
            assert_eq!(index.position(&entries, "k0"), Some(0));
            assert_eq!(index.position(&entries, &format!("k{i}")), Some(i));
        }
    }

    #[test]
    fn aliases_expand_and_merge_keys_stay_plain() {
        let doc = one("base: &b {x: 1}\nuse: *b\nm:\n  <<: *b\n");
        assert_eq!(
            doc.get("use").unwrap().to_json(),
            serde_json::json!({"x": 1})
        );
        assert_eq!(
            doc.get("m").unwrap().to_json(),
            serde_json::json!({"<<": {"x": 1}})
        );
    }

    #[test]
    fn refuses_alias_bombs_quickly() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
        {
            let refs = vec![format!("*{prev}"); 9].join(",");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        let stream = parse_stream(&text, Budget::default());
        let err = stream.error.expect("bomb refused");
        assert!(err.message.contains("YAML bomb"), "{}", err.message);
    }

    /// An alias to a long string is one value but a copy of its bytes:
    /// the bytes count too.
    #[test]
    fn refuses_string_alias_bombs() {
        let long = "x".repeat(1024 * 1024);
        let aliases = vec!["*a"; 200_000].join(",");
        let text = format!("a: &a \"{long}\"\nb: [{aliases}]\n");
        let started = std::time::Instant::now();
        let err = parse_stream(&text, Budget::default())
            .error
            .expect("bomb refused");
        assert!(err.message.contains("MB of text"), "{}", err.message);
        assert_eq!(err.pos.line, 2);
        // Not a timing test: a build of 200 GB would never get here.
        assert!(started.elapsed().as_secs() < 60);
        // Without aliases a file's text is its own size, well within.
        let plain = format!("a: \"{long}\"\nb: \"{long}\"\n");
        assert!(parse_stream(&plain, Budget::default()).error.is_none());
    }

    /// The budget of values is also one for a whole file: a thousand
    /// documents do not each get their own.
    #[test]
    fn a_file_of_many_documents_shares_one_budget() {
        let budget = Budget {
            max_nodes: 100,
            max_stream_nodes: 250,
            ..Budget::default()
        };
        let document = format!("x: [{}]\n", vec!["1"; 60].join(","));
        let two = format!("---\n{document}---\n{document}");
        assert!(parse_stream(&two, budget).error.is_none());
        let five = format!("---\n{document}").repeat(5);
        let err = parse_stream(&five, budget)
            .error
            .expect("over the file's budget");
        assert!(
            err.message.contains("documents together"),
            "{}",
            err.message
        );
    }

    #[test]
    fn refuses_deep_nesting_without_overflowing_the_stack() {
        let text = "[".repeat(200_000);
        let stream = parse_stream(&text, Budget::default());
        let err = stream.error.expect("too deep");
        assert!(err.message.contains("nesting"), "{}", err.message);
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let stream = parse_stream("a: 1\n---\nb: [1, 2\nc: 3\n", Budget::default());
        assert_eq!(stream.documents.len(), 1, "the first document is kept");
        let err = stream.error.unwrap();
        assert!(err.pos.line >= 3, "{err:?}");
    }

    #[test]
    fn size_counts_what_the_budget_counts() {
        let text = "a: &x [1, {b: 2}]\nc: *x\n";
        let doc = one(text);
        assert_eq!(doc.size(), 1 + 2 * (1 + 5));
        let budget = |max_nodes| Budget {
            max_nodes,
            ..Budget::default()
        };
        assert!(parse_single(text, budget(doc.size())).is_ok());
        assert!(parse_single(text, budget(doc.size() - 1)).is_err());
    }

    #[test]
    fn json_conversion_keeps_key_order() {
        let doc = one("z: 1\na: [true, null]\n");
        assert_eq!(
            serde_json::to_string(&doc.to_json()).unwrap(),
            r#"{"z":1,"a":[true,null]}"#
        );
    }
}
