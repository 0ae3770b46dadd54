use std::time::Instant;

use super::*;

/// Highlighted HTML in a short form for reading: `[class text]` for each
/// span, entities turned back into characters.
fn tokens(lang: &str, code: &str) -> String {
    let mut html = String::new();
    highlight_into(&mut html, code, lang);
    html.replace("<span class=\"", "[")
        .replace("\">", " ")
        .replace("</span>", "]")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The text of highlighted HTML: tags dropped, entities read.
fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        rest = &rest[open + rest[open..].find('>').expect("tag closed") + 1..];
    }
    text.push_str(rest);
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// One small idiomatic sample per language of the docs corpus and of the
/// 40 most used on GitHub, and the tokens expected (Pygments classes).
const SAMPLES: &[(&str, &str, &str)] = &[
    (
        "python",
        "def f(x):\n    \"\"\"Doc\n    spans lines.\"\"\"\n    return x or None  # done",
        "[k def] [nf f](x):\n    [s \"\"\"Doc\n    spans lines.\"\"\"]\n    [k return] x [ow or] [kc None]  [c # done]",
    ),
    (
        "javascript",
        "const a = `t${b}`; // c\nfunction f(n) { return n * 2; }",
        "[kd const] a [o =] [s `t][si ${]b[si }][s `][p ;] [c // c]\n[kd function] [nf f][p (][nv n][p )] [p {] [k return] n [o *] [m 2][p ;] [p }]",
    ),
    (
        "typescript",
        "interface P { name: string }\nlet n: number = 0x1F;",
        "[kd interface] [nc P] { name[o :] [kt string] }\n[kd let] n[o :] [kt number] [o =] [m 0x1F][p ;]",
    ),
    (
        "java",
        "public class A {\n  @Override\n  int f() { return 1; }\n}",
        "[kd public] [kd class] [nc A] [p {]\n  [nd @Override]\n  [kt int] [nf f][p ()] [p {] [k return] [m 1][p ;] [p }]\n[p }]",
    ),
    (
        "csharp",
        "using System;\nclass A { string s = \"x\"; }",
        "[kn using] System[p ;]\n[kd class] [nc A] [p {] [kt string] s [o =] [s \"x\"][p ;] [p }]",
    ),
    (
        "cpp",
        "#include <vector>\ntemplate <typename T> T max(T a) { return a; }",
        "[cp #include] [cpf <vector>]\n[kd template] [p <][kd typename] T[p >] T [nf max][p (]T [nv a][p )] [p {] [k return] a[p ;] [p }]",
    ),
    (
        "c",
        "#include <stdio.h>\nint main(void) { printf(\"%d\", 1); }",
        "[cp #include] [cpf <stdio.h>]\n[kt int] [nf main][p (][kt void][p )] [p {] [nb printf][p (][s \"][si %d][s \"][p ,] [m 1][p );] [p }]",
    ),
    (
        "php",
        "<?php\n$name = 'x'; // c\necho \"hi $name\";",
        "[cp <?php]\n[nv $name] [o =] [s 'x'][p ;] [c // c]\n[nb echo] [s \"hi ][nv $name][s \"][p ;]",
    ),
    (
        "bash",
        "# c\nexport NAME=\"x y\" # it's fine\necho ${HOME} $1",
        "[c # c]\n[nb export] NAME=[s \"x y\"] [c # it's fine]\n[nb echo] [nv ${HOME}] [nv $1]",
    ),
    ("shell", "echo it's", "[nb echo] it's"),
    (
        "console",
        "$ portico build --out site",
        "[gp $ ]portico build --out site",
    ),
    (
        "ruby",
        "def greet(name)\n  puts \"Hi #{name}\" # c\nend",
        "[kd def] [nf greet]([nv name])\n  [nb puts] [s \"Hi ][si #{][nb name][si }][s \"] [c # c]\n[k end]",
    ),
    (
        "go",
        "package main\nfunc main() { fmt.Println(\"hi\") }",
        "[k package] main\n[kd func] [nf main][p ()] [p {] fmt[p .]Println[p (][s \"hi\"][p )] [p }]",
    ),
    (
        "kotlin",
        "fun main() {\n  val x: Int = 1\n}",
        "[k fun] [nf main]() {\n  [k val] x[o :] [kt Int] [o =] [m 1]\n}",
    ),
    (
        "swift",
        "func f(a: Int) -> String { return \"\\(a)\" }",
        "[kd func] f(a: [kt Int]) [o ->] [kt String] { [k return] [s \"]\\(a)[s \"] }",
    ),
    (
        "rust",
        "fn main() { let x = \"a<b\"; // hi\n}",
        "[k fn] [nf main]() { [kd let] x = [s \"a<b\"]; [c // hi]\n}",
    ),
    (
        "dart",
        "void main() { var s = 'x'; }",
        "[kt void] [nf main]() { [kd var] s [o =] [s 'x'][p ;] }",
    ),
    (
        "scala",
        "object A { def f(x: Int): Int = x }",
        "[kd object] [nc A] [p {] [kd def] [nf f][p (][nv x][p :] [kt Int][p ):] [kt Int] [o =] x [p }]",
    ),
    (
        "html",
        "<a href=\"x\">t &amp; u</a><!-- c -->",
        "[p <][nt a] [na href][p =][s \"x\"][p >]t [ni &amp;] u[p </][nt a][p >][c <!-- c -->]",
    ),
    (
        "css",
        "a:hover { color: #fff; margin: 0 1px; }",
        "[nt a]:hover [p {] [k color][p :] [m #fff][p ;] [k margin][p :] [m 0] [m 1][k px][p ;] [p }]",
    ),
    (
        "sql",
        "SELECT name FROM t WHERE id = 1; -- c",
        "[k SELECT] name [k FROM] t [k WHERE] id [o =] [m 1]; [c -- c]",
    ),
    (
        "powershell",
        "# c\n$x = Get-Item \"a\" # b\nif ($x -eq $true) { Write-Host 'y' }",
        "[c # c]\n[nv $x] = Get-Item [s \"a\"] [c # b]\n[k if] ([nv $x] -eq [kc $true]) { Write-Host [s 'y'] }",
    ),
    (
        "lua",
        "local function f(x) return x .. \"s\" end -- c",
        "[kd local] [kd function] [nf f][p (][nv x][p )] [k return] x [o ..] [s \"s\"] [k end] [c -- c]",
    ),
    (
        "r",
        "f <- function(x) { x + 1 } # c",
        "[nf f] [o <-] [kd function][p (][nv x][p )] [p {] x [o +] [m 1] [p }] [c # c]",
    ),
    (
        "perl",
        "my $x = \"a\"; # c\nprint \"$x\n\";",
        "[kd my] [nv $x] [o =] [s \"a\"][p ;] [c # c]\n[nb print] [s \"][nv $x]\n[s \"][p ;]",
    ),
    (
        "objective-c",
        "@interface A : NSObject\n- (void)f;\n@end",
        "[kt @][kd interface] [nc A] : [nc NSObject]\n- ([kt void])[nf f][p ;]\n[kt @end]",
    ),
    (
        "groovy",
        "def x = \"a\" // c",
        "[kd def] x [o =] [s \"a\"] [c // c]",
    ),
    (
        "haskell",
        "main :: IO ()\nmain = putStrLn \"hi\" -- c",
        "[nf main] [k ::] [kt IO] [kc ()]\nmain [o =] putStrLn [s \"hi\"] [c -- c]",
    ),
    (
        "elixir",
        "defmodule A do\n  def f(x), do: :ok # c\nend",
        "[k defmodule] [nc A] [k do]\n  [k def] [nf f](x[p ),] do: [ss :ok] [c # c]\n[k end]",
    ),
    (
        "clojure",
        "(defn f [x] (str \"a\" x)) ; c",
        "[p (][kd defn] [nf f] [p []x[p ]] [p (]str [s \"a\"] x[p ))] [c ; c]",
    ),
    (
        "julia",
        "function f(x)\n  \"s\" # c\nend",
        "[kd function] [nf f][p (]x[p )]\n  [s \"s\"] [c # c]\n[k end]",
    ),
    (
        "matlab",
        "x = [1 2]; % c",
        "x [o =] [p [][m 1] [m 2][p ]]; [c % c]",
    ),
    (
        "vue",
        "<template><p>{{ msg }}</p></template>",
        "[p <][nt template][p ><][nt p][p >]{{ msg }}[p </][nt p][p ></][nt template][p >]",
    ),
    (
        "yaml",
        "name: web # the app\ntitle: It's here\nreplicas: 3\nenabled: true",
        "[nt name]: web [c # the app]\n[nt title]: It's here\n[nt replicas]: [m 3]\n[nt enabled]: [kc true]",
    ),
    (
        "json",
        "{\"a\": [1, true, null], \"b\": \"x\"}",
        "{[nt \"a\"]: [[m 1], [kc true], [kc null]], [nt \"b\"]: [s \"x\"]}",
    ),
    (
        "dockerfile",
        "FROM rust:1 AS build\nRUN cargo build # c\nENV A=b",
        "[k FROM] rust:[nc 1] [k AS] build\n[k RUN] cargo build [c # c]\n[k ENV] A=b",
    ),
    (
        "makefile",
        "all: build\n\tcargo build # c",
        "[nf all][o :] [s build]\n\tcargo build [c # c]",
    ),
    (
        "hcl",
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\" # c\n}",
        "[kt resource] [s \"aws_s3_bucket\"] [s \"b\"] [p {]\n  bucket [o =] [s \"x\"] [c # c]\n[p }]",
    ),
    (
        "toml",
        "[package]\nname = \"x\" # c\nversion = 1",
        "[[k package]]\n[nt name] = [s \"x\"] [c # c]\n[nt version] = [m 1]",
    ),
    (
        "xml",
        "<?xml version=\"1.0\"?>\n<a b=\"c\">t</a>",
        "[p <?][nt xml] [na version][p =][s \"1.0\"][p ?>]\n[p <][nt a] [na b][p =][s \"c\"][p >]t[p </][nt a][p >]",
    ),
    (
        "markdown",
        "# Title\n*em* and `code`",
        "[gh # Title]\n[ge *em*] and `code`",
    ),
    (
        "diff",
        "--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new",
        "[gh --- a]\n[gh +++ b]\n[gu @@ -1 +1 @@]\n[gd -old]\n[gi +new]",
    ),
    (
        "graphql",
        "type Query { user(id: ID!): User }",
        "[kd type] [nc Query] [p {] user[p (][nv id][p :] [kt ID][kd !][p ):] User [p }]",
    ),
    (
        "proto",
        "syntax = \"proto3\";\nmessage A { string name = 1; }",
        "[k syntax] [o =] [s \"proto3\"][p ;]\n[kt message] [nc A] { [kt string] name [o =] [m 1][p ;] }",
    ),
    (
        "ini",
        "[core]\nname = x ; c",
        "[[k core]]\n[na name] = [s x] [c ; c]",
    ),
    (
        "pycon",
        ">>> print(\"a\")\na",
        "[gp >>> ][nb print]([s \"a\"])\n[go a]",
    ),
];

#[test]
fn every_language_has_its_tokens() {
    let mut wrong = Vec::new();
    for (lang, code, expected) in SAMPLES {
        let got = tokens(lang, code);
        if got != *expected {
            wrong.push(format!(
                "{lang}:\n  expected {expected:?}\n       got {got:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn highlighting_keeps_the_text_and_escapes_it() {
    for (lang, code, _) in SAMPLES {
        let mut html = String::new();
        highlight_into(&mut html, code, lang);
        assert_eq!(text_of(&html), *code, "{lang}");
        // Only span tags are written: every `<` of the code is escaped.
        let tags = html.matches('<').count();
        assert_eq!(tags, html.matches("<span class=\"").count() * 2, "{lang}");
    }
    let mut html = String::new();
    highlight_into(&mut html, "<script>alert(1)</script>", "html");
    assert!(!html.contains("<script"), "{html}");
}

#[test]
fn fixed_holes_of_the_old_lexer() {
    // A docstring is one string over its lines, with either quote.
    assert_eq!(
        tokens("python", "x = \"\"\"a\nit's\nb\"\"\" # c\ny = '''d\n'''"),
        "x = [s \"\"\"a\nit's\nb\"\"\"] [c # c]\ny = [s '''d\n''']"
    );
    // An unclosed docstring runs to the end, as Python reads it.
    assert_eq!(tokens("python", "'''a\nb"), "[s '''a\nb]");
    // An apostrophe in a YAML plain scalar opens no string; a quote at a
    // scalar's start does, and `#` inside a word is not a comment.
    assert_eq!(
        tokens(
            "yaml",
            "a: it's # c\nb: 'x'\n- \"y\"\nurl: http://h/#top\nc: x # it's"
        ),
        "[nt a]: it's [c # c]\n[nt b]: [s 'x']\n- [s \"y\"]\n[nt url]: http://h/#top\n[nt c]: x [c # it's]"
    );
    assert_eq!(
        tokens("yaml", "on: on call\nx: on"),
        "[nt on]: on call\n[nt x]: [kc on]"
    );
    // A shell quote opens a string only when it is closed (Pygments' bash
    // lexer); in a comment it is comment.
    assert_eq!(
        tokens("bash", "echo it's\necho x"),
        "[nb echo] it's\n[nb echo] x"
    );
    assert_eq!(
        tokens("bash", "# it's\necho 'x'"),
        "[c # it's]\n[nb echo] [s 'x']"
    );
    assert_eq!(
        tokens("bash", "echo don't\necho \"a\nb\" it's x#y"),
        "[nb echo] don[s 't\necho \"a\nb\" it']s x#y"
    );
    assert_eq!(
        tokens("sh", "echo \"a \\\" b\" ${#a} $?"),
        "[nb echo] [s \"a \\\" b\"] [nv ${#a}] [nv $?]"
    );
    // Numbers as each language writes them; not inside words or versions.
    assert_eq!(
        tokens("rust", "let x: u8 = 0xFF + 2.5f64 + 1_000u32; x2"),
        "[kd let] x: [kt u8] = [m 0xFF] + [m 2.5f64] + [m 1_000u32]; x2"
    );
    assert_eq!(
        tokens("yaml", "image: nginx:1.25\nn: 1.5"),
        "[nt image]: nginx:1.25\n[nt n]: [m 1.5]"
    );
    // JSON keys, and the comments of JSONC.
    assert_eq!(
        tokens("jsonc", "{ \"k\" : 1 // c\n}"),
        "{ [nt \"k\"] : [m 1] [c // c]\n}"
    );
    // Each language its own keywords.
    assert!(!tokens("c", "fun x").contains("[k fun]"));
    assert_eq!(tokens("kotlin", "fun x() {}"), "[k fun] [nf x]() {}");
    // Dockerfile and Makefile are not HCL.
    assert_eq!(
        tokens("dockerfile", "FROM a\nRUN make"),
        "[k FROM] a\n[k RUN] make"
    );
    assert_eq!(tokens("makefile", "resource:"), "[nf resource][o :]");
}

#[test]
fn the_dominant_languages_take_the_fast_lexer() {
    for name in [
        "rust", "rs", "Python", "py", "bash", "sh", "shell", "zsh", "yaml", "yml", "json",
    ] {
        assert!(
            matches!(highlighter_for(name), Some(Highlighter::Fast(_))),
            "{name}"
        );
    }
    for name in ["console", "pycon"] {
        match highlighter_for(name) {
            Some(Highlighter::Session(commands, _)) => {
                assert!(matches!(*commands, Highlighter::Fast(_)), "{name}")
            }
            _ => panic!("{name} is not a session"),
        }
    }
    for name in [
        "go",
        "html",
        "css",
        "ruby",
        "c",
        "typescript",
        "dockerfile",
        "sql",
        "toml",
    ] {
        assert!(
            matches!(highlighter_for(name), Some(Highlighter::Grammar(_))),
            "{name}"
        );
    }
}

#[test]
fn names_are_read_as_users_write_them() {
    assert_eq!(tokens("Python", "None"), tokens("py", "None"));
    assert_eq!(tokens("YML", "a: 1"), tokens("yaml", "a: 1"));
    assert_eq!(tokens("golang", "func"), "[kd func]");
    assert_eq!(tokens("rb", "nil"), "[kc nil]");
    for (names, grammar) in ALIASES {
        assert!(
            grammar::syntaxes().find_syntax_by_name(grammar).is_some(),
            "{grammar} ({names:?}) is not in the grammar set"
        );
    }
    for (names, commands, _) in SESSIONS {
        assert!(highlighter_for(commands).is_some(), "{names:?}");
    }
}

#[test]
fn unknown_languages_and_plain_text_are_only_escaped() {
    assert_eq!(tokens("brainfuck", "<b>if</b>"), "<b>if</b>");
    let mut html = String::new();
    highlight_into(&mut html, "<b>if 'x'</b>", "text");
    assert_eq!(html, "&lt;b&gt;if &#39;x&#39;&lt;/b&gt;");
    assert_eq!(tokens("", "if x"), "if x");
}

#[test]
fn blocks_past_the_budgets_are_plain() {
    let long_line = format!("x = \"{}\"", "a".repeat(limits::MAX_HIGHLIGHT_LINE_BYTES));
    assert_eq!(tokens("python", &long_line), long_line);
    let many_lines = "x = 1\n".repeat(limits::MAX_HIGHLIGHT_BYTES / 6 + 1);
    assert!(!tokens("python", &many_lines).contains('['));
    assert!(tokens("python", "x = 1\n").contains("[m 1]"));
}

#[test]
fn hostile_blocks_end_quickly() {
    // Lines just under the budget made to make regular expressions work
    // hard: unclosed brackets, quotes and comments, long runs of one
    // character, deep nesting, in every sampled language.
    let n = limits::MAX_HIGHLIGHT_LINE_BYTES / 2 - 8;
    let nasty = [
        "(".repeat(n),
        "\"\\".repeat(n / 2),
        "a".repeat(n),
        "/*".repeat(n / 2),
        "<a ".repeat(n / 3),
        "${".repeat(n / 2),
        "'".repeat(n),
        "#{".repeat(n / 2),
        "- [".repeat(n / 3),
        "1.".repeat(n / 2),
    ];
    let start = Instant::now();
    let mut slowest = Vec::new();
    for (lang, _, _) in SAMPLES {
        for line in &nasty {
            let code = format!("x\n{line}");
            let mut html = String::new();
            let one = Instant::now();
            highlight_into(&mut html, &code, lang);
            slowest.push((one.elapsed(), *lang, &line[..4]));
            assert_eq!(text_of(&html), code, "{lang}");
        }
    }
    slowest.sort();
    eprintln!("slowest: {:?}", &slowest[slowest.len() - 8..]);
    // Generous for a debug build on a loaded machine; a release build takes
    // well under a second.
    assert!(start.elapsed().as_secs() < 120, "{:?}", start.elapsed());
    eprintln!("hostile blocks: {:?}", start.elapsed());
}

#[test]
fn a_block_seen_before_is_not_highlighted_again() {
    let code = "func main() { once := 1 }";
    let first = tokens("go", code);
    let mut again = String::new();
    remembered(&mut again, code, "Go", |_| panic!("highlighted twice"));
    assert_eq!(
        again
            .replace("<span class=\"", "[")
            .replace("\">", " ")
            .replace("</span>", "]"),
        first
    );
}

#[test]
fn powershell_keeps_the_small_lexer() {
    assert_eq!(
        tokens(
            "powershell",
            "<# doc #>\nIf ($x -eq $TRUE) { Get-Item 'a' } # c"
        ),
        "[c <# doc #>]\n[k If] ([nv $x] -eq [kc $TRUE]) { Get-Item [s 'a'] } [c # c]"
    );
}

#[test]
fn embedded_grammars_are_under_permissive_licences() {
    use two_face::acknowledgement::LicenseType;
    let listing = two_face::acknowledgement::listing();
    assert!(!listing.for_syntaxes().is_empty());
    for licence in listing.for_syntaxes() {
        assert!(
            matches!(
                licence.ty,
                LicenseType::Sublime
                    | LicenseType::Mit
                    | LicenseType::Apache2
                    | LicenseType::Bsd2Clause
                    | LicenseType::Bsd2ClauseFreeBsd
                    | LicenseType::Bsd3Clause
            ),
            "{:?} for {} (licenses/syntax-grammars.md)",
            licence.ty,
            licence.rel_path.display()
        );
    }
}
