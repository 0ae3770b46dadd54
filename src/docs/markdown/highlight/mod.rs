//! Build-time syntax highlighting, as Pygments classes.
//!
//! The languages that fill most docs (Rust, Python, shells, YAML, JSON) are
//! highlighted by a fast hand-written lexer ([`fast`], chosen in [`FAST`]);
//! every other language by Sublime Text grammars ([`grammar`]: syntect with
//! bat's grammar set), the language found from the name after the fence as
//! MkDocs users write it ([`syntax_for`]). PowerShell, whose grammar needs
//! regular expressions fancy-regex cannot run, keeps the small hand-written
//! [`lexer`]. Unknown languages, and blocks past the
//! [`limits::MAX_HIGHLIGHT_BYTES`] and [`limits::MAX_HIGHLIGHT_LINE_BYTES`]
//! budgets, are escaped text.
//!
//! Tokens get Pygments' short class names (`c`, `s`, `m`, `k`, `kd`, `kt`,
//! `nf`, `nc`, `nt`, `na`, `p`, …), so the default theme and MkDocs themes
//! style them. Each thread keeps the blocks it highlighted by (language,
//! code), so a block repeated across pages and versions is highlighted once.

mod fast;
mod grammar;
mod lexer;
#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::collections::HashMap;

use syntect::parsing::SyntaxReference;
use xxhash_rust::xxh3::Xxh3;

use crate::html::escape_into;
use crate::limits;

/// How a language is highlighted.
enum Highlighter {
    Fast(&'static fast::Lang),
    Grammar(&'static SyntaxReference),
    Lexer(&'static lexer::Lang),
    /// A terminal session: lines starting with one of the prompts are
    /// commands in the inner highlighter's language, the others are output.
    Session(Box<Highlighter>, &'static [&'static str]),
}

/// Languages the fast lexer highlights instead of their grammar. These are
/// the ones that fill most docs (on the org50 benchmark, about 950 blocks
/// each of Rust, YAML, shell and Python of 3,782), and the grammars cost
/// about 1.2 ms of CPU per block there (fancy-regex matching: the docs
/// stage went from 0.7 s to 3.0 s); with these on the fast lexer it is back
/// to 0.5 s, as fast as the all-lexer build (bench/README.md, "Hybrid
/// highlighting"). Its rules for these languages are good enough (see the
/// tests). To give
/// a language back to its grammar, take its row out: the grammar names
/// below in [`ALIASES`] stay.
const FAST: &[(&[&str], &fast::Lang)] = &[
    (&["rust", "rs"], &fast::RUST),
    (&["python", "py", "python3", "py3", "gyp"], &fast::PYTHON),
    (&["bash", "sh", "shell", "zsh", "ksh"], &fast::SHELL),
    (&["yaml", "yml"], &fast::YAML),
    (&["json", "jsonc", "json5", "jsonl", "geojson"], &fast::JSON),
];

/// Names after the fence, as Pygments and GitHub spell them, and the
/// grammar each means (by its name in the set). Other names are looked up
/// among the grammars' names and file extensions (`rb`, `kt`, `Lua`, …).
/// Names in [`FAST`] do not get here.
const ALIASES: &[(&[&str], &str)] = &[
    (&["python", "py", "python3", "py3", "gyp"], "Python"),
    (
        &["javascript", "js", "mjs", "cjs", "node", "jsx"],
        "JavaScript",
    ),
    (&["typescript", "ts", "mts", "cts"], "TypeScript"),
    (&["tsx"], "TypeScriptReact"),
    (&["c++", "cpp", "cxx", "cc", "hpp"], "C++"),
    (&["c#", "csharp", "cs"], "C#"),
    (&["c", "h"], "C"),
    (
        &["objective-c", "objc", "obj-c", "objectivec"],
        "Objective-C",
    ),
    (
        &["objective-c++", "objc++", "objectivec++"],
        "Objective-C++",
    ),
    (&["go", "golang"], "Go"),
    (&["rust", "rs"], "Rust"),
    (
        &["bash", "sh", "shell", "zsh", "ksh"],
        "Bourne Again Shell (bash)",
    ),
    (&["yaml", "yml"], "YAML"),
    (&["json", "jsonc", "json5", "jsonl", "geojson"], "JSON"),
    (&["toml"], "TOML"),
    (&["ini", "cfg", "conf", "dosini", "editorconfig"], "INI"),
    (&["properties", "jproperties"], "Java Properties"),
    (&["env", "dotenv"], "DotENV"),
    (&["hcl", "terraform", "tf", "tfvars"], "Terraform"),
    (
        &["dockerfile", "docker", "containerfile"],
        "Dockerfile (with bash)",
    ),
    (&["makefile", "make", "mf", "bsdmake", "mk"], "Makefile"),
    (&["diff", "patch", "udiff"], "Diff"),
    (&["html", "htm", "xhtml"], "HTML"),
    (
        &["xml", "svg", "xsd", "xsl", "xslt", "plist", "csproj"],
        "XML",
    ),
    (&["markdown", "md", "mkd"], "Markdown"),
    (&["graphql", "gql"], "GraphQL"),
    (&["proto", "protobuf"], "Protocol Buffer"),
    (
        &[
            "sql",
            "postgresql",
            "postgres",
            "psql",
            "mysql",
            "sqlite",
            "plpgsql",
            "tsql",
        ],
        "SQL",
    ),
    (&["ruby", "rb", "duby", "gemfile"], "Ruby"),
    (&["perl", "pl", "pm"], "Perl"),
    (&["r", "rscript", "splus"], "R"),
    (&["matlab", "octave"], "MATLAB"),
    (&["haskell", "hs"], "Haskell"),
    (&["elixir", "ex", "exs"], "Elixir"),
    (&["clojure", "clj", "cljs", "edn"], "Clojure"),
    (&["julia", "jl"], "Julia"),
    (&["vue"], "Vue Component"),
    (&["kotlin", "kt", "kts"], "Kotlin"),
    (&["groovy", "gradle"], "Groovy"),
    (
        &["batch", "bat", "cmd", "batchfile", "dosbatch", "winbatch"],
        "Batch File",
    ),
    (&["nginx", "nginxconf"], "nginx"),
    (&["jinja", "jinja2", "j2", "django"], "Jinja2"),
    (&["viml", "vim"], "VimL"),
    (&["erlang", "erl"], "Erlang"),
    (&["fsharp", "f#"], "F#"),
    (&["ocaml", "ml"], "OCaml"),
    (&["scss"], "SCSS"),
    (&["sass"], "Sass"),
    (&["less"], "Less"),
    (&["css"], "CSS"),
    (&["cmake"], "CMake"),
    (&["tex", "latex"], "LaTeX"),
    (&["regex", "regexp"], "Regular Expression"),
    (&["rst", "restructuredtext"], "reStructuredText"),
];

/// Terminal sessions, as Pygments names them: the names, the language of
/// the commands (a fence name: both are in [`FAST`]) and the prompts (kept
/// with their space).
const SESSIONS: &[(&[&str], &str, &[&str])] = &[
    (
        &[
            "console",
            "shell-session",
            "shellsession",
            "sh-session",
            "bash-session",
        ],
        "bash",
        &["$ ", "# ", "% "],
    ),
    (&["pycon", "python-console"], "python", &[">>> ", "... "]),
];

/// Names that mean plain text (pymdownx.highlight's `text` for untagged
/// fences): escaped, no grammar loaded.
const PLAIN: &[&str] = &[
    "",
    "text",
    "txt",
    "plain",
    "plaintext",
    "none",
    "output",
    "log",
];

fn highlighter_for(name: &str) -> Option<Highlighter> {
    let name = name.to_ascii_lowercase();
    if PLAIN.contains(&name.as_str()) {
        return None;
    }
    if let Some((_, lang)) = FAST
        .iter()
        .find(|(names, _)| names.contains(&name.as_str()))
    {
        return Some(Highlighter::Fast(lang));
    }
    if let Some(lang) = lexer::lang_for(&name) {
        return Some(Highlighter::Lexer(lang));
    }
    if let Some((_, commands, prompts)) = SESSIONS
        .iter()
        .find(|(names, ..)| names.contains(&name.as_str()))
    {
        let commands = highlighter_for(commands)?;
        return Some(Highlighter::Session(Box::new(commands), prompts));
    }
    syntax_for(&name).map(Highlighter::Grammar)
}

/// The grammar for a (lowercase) language name.
fn syntax_for(name: &str) -> Option<&'static SyntaxReference> {
    let set = grammar::syntaxes();
    match ALIASES.iter().find(|(names, _)| names.contains(&name)) {
        Some((_, grammar)) => set.find_syntax_by_name(grammar),
        None => set
            .find_syntax_by_token(name)
            .filter(|s| s.name != "Plain Text"),
    }
}

/// Whether a block is small enough to highlight: past these budgets, the
/// grammars' regular expressions could take seconds (a minified file, a
/// generated table on one line).
fn within_budget(code: &str) -> bool {
    code.len() <= limits::MAX_HIGHLIGHT_BYTES
        && code
            .split('\n')
            .all(|line| line.len() <= limits::MAX_HIGHLIGHT_LINE_BYTES)
}

/// Appends `code` to `out` as escaped HTML with token spans.
pub fn highlight_into(out: &mut String, code: &str, lang: &str) {
    if !within_budget(code) {
        return escape_into(out, code);
    }
    match highlighter_for(lang) {
        None => escape_into(out, code),
        Some(highlighter) => highlight_with(out, code, &highlighter),
    }
}

fn highlight_with(out: &mut String, code: &str, highlighter: &Highlighter) {
    match highlighter {
        Highlighter::Fast(lang) => fast::highlight(out, code, lang),
        Highlighter::Lexer(lang) => lexer::highlight(out, code, lang),
        Highlighter::Grammar(syntax) => remembered(out, code, &syntax.name, |html| {
            grammar::highlight(html, code, syntax)
        }),
        Highlighter::Session(commands, prompts) => session(out, code, commands, prompts),
    }
}

/// A terminal session as Pygments' `console` writes it: prompts `gp`,
/// commands highlighted (each on its own), output `go`.
fn session(out: &mut String, code: &str, commands: &Highlighter, prompts: &[&str]) {
    for (k, line) in code.split('\n').enumerate() {
        if k > 0 {
            out.push('\n');
        }
        match prompts.iter().find(|prompt| line.starts_with(**prompt)) {
            Some(prompt) => {
                lexer::span(out, "gp", prompt);
                highlight_with(out, &line[prompt.len()..], commands);
            }
            None if line.is_empty() => {}
            None => lexer::span(out, "go", line),
        }
    }
}

/// Bytes of highlighted HTML each thread keeps; past it, the thread starts
/// again with an empty map (a `serve` session keeps its threads).
const REMEMBERED_BYTES: usize = 32 * 1024 * 1024;

/// Appends the highlighted HTML of `code` in `grammar`: from this thread's
/// map when the same block was highlighted before, or made by `make`.
fn remembered(out: &mut String, code: &str, grammar: &str, make: impl FnOnce(&mut String)) {
    thread_local! {
        static BLOCKS: RefCell<(HashMap<u128, Box<str>>, usize)> = RefCell::default();
    }
    let mut hasher = Xxh3::new();
    hasher.update(grammar.as_bytes());
    hasher.update(&[0]);
    hasher.update(code.as_bytes());
    let key = hasher.digest128();
    let found = BLOCKS.with(|blocks| {
        let blocks = blocks.borrow();
        blocks.0.get(&key).map(|html| out.push_str(html)).is_some()
    });
    if found {
        return;
    }
    let mut html = String::with_capacity(code.len() * 3);
    make(&mut html);
    out.push_str(&html);
    BLOCKS.with(|blocks| {
        let (map, bytes) = &mut *blocks.borrow_mut();
        if *bytes + html.len() > REMEMBERED_BYTES {
            map.clear();
            *bytes = 0;
        }
        *bytes += html.len();
        map.insert(key, html.into_boxed_str());
    });
}
