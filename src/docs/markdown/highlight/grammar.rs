//! Highlighting with Sublime Text grammars (syntect, bat's grammar set
//! embedded by two-face), each token given the Pygments class its TextMate
//! scope stands for.
//!
//! The grammar set is read once, on the first block that needs it (a
//! `OnceLock`); it is `Sync`, and each block gets its own `ParseState` and
//! `ScopeStack`, so pages on every thread highlight at once without a lock.
//! Class names only ever come from [`SCOPE_CLASSES`], never from the code.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};

use crate::html::escape_into;

/// The grammar set, loaded on first use.
pub fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// What a scope says about the class of the text inside it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Role {
    /// This Pygments class.
    Class(&'static str),
    /// Whatever the enclosing scope says: the quote of a string is string,
    /// the `#` of a comment is comment.
    Inherit,
    /// Plain text, whatever encloses it: code embedded in a string or page.
    Plain,
    /// `storage.type`, which grammars give to types (`int`) and to
    /// declaring words (`fn`, `let`, `const`) alike: [`DECLARING`] words
    /// are `kd`, others `kt`.
    Storage,
}

use Role::{Class, Inherit, Plain, Storage};

/// Words that declare something, among those grammars scope `storage.type`.
const DECLARING: &[&str] = &[
    "alias",
    "async",
    "class",
    "const",
    "data",
    "def",
    "defn",
    "enum",
    "export",
    "extension",
    "extern",
    "fn",
    "func",
    "function",
    "impl",
    "interface",
    "let",
    "local",
    "macro",
    "mod",
    "module",
    "mut",
    "my",
    "namespace",
    "newtype",
    "object",
    "our",
    "package",
    "protocol",
    "record",
    "static",
    "struct",
    "template",
    "trait",
    "type",
    "typedef",
    "typename",
    "union",
    "using",
    "val",
    "var",
];

/// TextMate scope prefixes and what they mean, most specific first: the
/// first prefix of a scope decides. Scopes not listed inherit.
const SCOPE_CLASSES: &[(&str, Role)] = &[
    // Punctuation that opens or closes a token belongs to it.
    ("punctuation.definition.tag", Class("p")),
    ("punctuation.definition.variable", Class("nv")),
    ("punctuation.section.expansion.parameter", Class("nv")),
    ("punctuation.definition.annotation", Class("nd")),
    ("punctuation.terminator.entity", Inherit),
    ("punctuation.definition.inserted", Inherit),
    ("punctuation.definition.deleted", Inherit),
    ("punctuation.definition", Inherit),
    ("punctuation.section.interpolation", Class("si")),
    ("punctuation.section.embedded", Class("cp")),
    ("punctuation", Class("p")),
    ("invalid", Inherit),
    ("comment.block.documentation.python", Class("sd")),
    ("comment", Class("c")),
    ("meta.interpolation", Plain),
    ("meta.embedded", Plain),
    ("string.regexp", Class("sr")),
    ("constant.character.escape", Class("se")),
    ("constant.other.placeholder", Class("si")),
    ("string.quoted.other.lt-gt.include", Class("cpf")),
    ("string", Class("s")),
    ("constant.numeric", Class("m")),
    ("constant.language", Class("kc")),
    ("constant.character.entity", Class("ni")),
    ("constant.other.symbol", Class("ss")),
    ("constant.character", Class("sc")),
    ("constant.other.color", Class("m")),
    ("keyword.operator.word", Class("ow")),
    ("keyword.operator.logical.python", Class("ow")),
    ("keyword.operator", Class("o")),
    ("keyword.control.import.include", Class("cp")),
    ("keyword.control.import", Class("kn")),
    ("keyword.name.ini", Class("na")),
    ("keyword.declaration", Class("kd")),
    ("keyword", Class("k")),
    ("storage.type.annotation", Class("nd")),
    ("storage.type", Storage),
    ("storage.modifier", Class("kd")),
    ("storage", Class("k")),
    ("variable.annotation", Class("nd")),
    ("entity.name.function.decorator", Class("nd")),
    ("entity.name.function", Class("nf")),
    ("entity.name.class", Class("nc")),
    ("entity.name.struct", Class("nc")),
    ("entity.name.enum", Class("nc")),
    ("entity.name.union", Class("nc")),
    ("entity.name.trait", Class("nc")),
    ("entity.name.interface", Class("nc")),
    ("entity.name.impl", Class("nc")),
    ("entity.name.type", Class("nc")),
    ("entity.other.inherited-class", Class("nc")),
    ("entity.name.namespace", Class("nn")),
    ("entity.name.tag", Class("nt")),
    ("entity.name.table", Class("k")),
    ("entity.section.ini", Class("k")),
    ("entity.other.attribute-name", Class("na")),
    ("entity.name.constant", Class("no")),
    ("entity.name.label", Class("nl")),
    ("support.type.property-name.css", Class("k")),
    ("support.type.property-name", Class("nt")),
    ("support.function", Class("nb")),
    ("support.type", Class("kt")),
    ("support.class", Class("nc")),
    ("support.constant", Class("kc")),
    ("variable.parameter", Class("nv")),
    ("variable.language", Class("bp")),
    ("variable.other.readwrite.shell", Class("nv")),
    ("variable.other.php", Class("nv")),
    ("variable.other.readwrite.perl", Class("nv")),
    ("variable.other.readwrite.instance", Class("nv")),
    ("variable.other.readwrite.class", Class("nv")),
    ("variable.other.readwrite.global", Class("nv")),
    ("markup.heading", Class("gh")),
    ("markup.inserted", Class("gi")),
    ("markup.deleted", Class("gd")),
    ("meta.diff.range", Class("gu")),
    ("meta.diff.header", Class("gh")),
    ("markup.bold", Class("gs")),
    ("markup.italic", Class("ge")),
    // A language's root scope: nothing inside it was matched above.
    ("source", Plain),
    ("text", Plain),
];

/// [`SCOPE_CLASSES`] as scopes, built once.
fn table() -> &'static [(Scope, Role)] {
    static TABLE: OnceLock<Vec<(Scope, Role)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        SCOPE_CLASSES
            .iter()
            .filter_map(|&(name, role)| Some((Scope::new(name).ok()?, role)))
            .collect()
    })
}

fn role_of(scope: Scope) -> Role {
    thread_local! {
        static ROLES: RefCell<HashMap<Scope, Role>> = RefCell::new(HashMap::new());
    }
    ROLES.with(|roles| {
        *roles.borrow_mut().entry(scope).or_insert_with(|| {
            table()
                .iter()
                .find(|(prefix, _)| prefix.is_prefix_of(scope))
                .map_or(Inherit, |&(_, role)| role)
        })
    })
}

/// The class of `text` inside `stack`: the innermost scope that says one.
fn class_of(stack: &[Scope], text: &str) -> Option<&'static str> {
    for &scope in stack.iter().rev() {
        match role_of(scope) {
            Class(class) => return Some(class),
            Storage if DECLARING.contains(&text.trim().trim_start_matches('@')) => {
                return Some("kd");
            }
            Storage => return Some("kt"),
            Plain => return None,
            Inherit => {}
        }
    }
    None
}

/// Writes spans, merging neighbours of one class and closing each span
/// before a line break (as Pygments writes them).
struct Spans<'o> {
    out: &'o mut String,
    open: Option<&'static str>,
}

impl Spans<'_> {
    fn text(&mut self, class: Option<&'static str>, text: &str) {
        for (k, part) in text.split('\n').enumerate() {
            if k > 0 {
                self.close();
                self.out.push('\n');
            }
            // Spaces around a name or keyword are not part of it (they are
            // in comments, strings and diff lines).
            if class.is_some_and(|c| !c.starts_with(['c', 's', 'g'])) {
                let rest = part.trim_start();
                let (lead, rest) = part.split_at(part.len() - rest.len());
                let (core, trail) = rest.split_at(rest.trim_end().len());
                if self.open == class {
                    self.word(class, lead);
                } else {
                    self.plain(lead);
                }
                self.word(class, core);
                self.plain(trail);
            } else {
                self.word(class, part);
            }
        }
    }

    fn plain(&mut self, text: &str) {
        if !text.is_empty() {
            self.close();
            escape_into(self.out, text);
        }
    }

    fn word(&mut self, class: Option<&'static str>, part: &str) {
        if part.is_empty() {
            return;
        }
        if self.open != class {
            self.close();
            if let Some(class) = class {
                self.out.push_str("<span class=\"");
                self.out.push_str(class);
                self.out.push_str("\">");
            }
            self.open = class;
        }
        escape_into(self.out, part);
    }

    fn close(&mut self) {
        if self.open.take().is_some() {
            self.out.push_str("</span>");
        }
    }
}

/// Appends `code` to `out` highlighted by `syntax`. A grammar error (a
/// context missing from the set) leaves the rest of the block plain.
pub fn highlight(out: &mut String, code: &str, syntax: &SyntaxReference) {
    let set = syntaxes();
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut spans = Spans { out, open: None };
    let mut lines = code.split_inclusive('\n');
    let mut ended = String::new();
    for line in lines.by_ref() {
        // The grammars expect each line to end with its line break: the
        // block's last line is read with one, and written without.
        let read = if line.ends_with('\n') {
            line
        } else {
            ended.clear();
            ended.push_str(line);
            ended.push('\n');
            &ended
        };
        let Ok(ops) = state.parse_line(read, set) else {
            spans.text(None, line);
            break;
        };
        let mut at = 0;
        for (index, op) in &ops {
            let index = (*index).min(line.len());
            if index > at
                && let Some(text) = line.get(at..index)
            {
                spans.text(class_of(stack.as_slice(), text), text);
                at = index;
            }
            if stack.apply(op).is_err() {
                break;
            }
        }
        if let Some(text) = line.get(at..) {
            spans.text(class_of(stack.as_slice(), text), text);
        }
    }
    for line in lines {
        spans.text(None, line);
    }
    spans.close();
}
