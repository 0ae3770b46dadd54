//! One hostile repository per attack, each written into an organisation
//! folder by a builder, so the attack's own test and the hostile-org
//! fixture (every attack beside good repositories) build the same thing.

use crate::support::{Org, git};
use std::path::Path;

const DOCS_ENTITY: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: NAME\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n";

/// A plain-folder repository with one docs site at `dir` (its last part
/// names the entity): `files` are under `docs/` unless their path starts
/// with `/` (then at the repository root).
pub fn docs_repo(org: &Org, dir: &str, files: &[(&str, &str)]) {
    let name = dir.rsplit('/').next().unwrap_or(dir);
    org.file(
        &format!("{dir}/catalog-info.yaml"),
        &DOCS_ENTITY.replace("NAME", name),
    );
    org.file(
        &format!("{dir}/mkdocs.yml"),
        &format!("site_name: {name}\n"),
    );
    for (path, text) in files {
        match path.strip_prefix('/') {
            Some(at_root) => org.file(&format!("{dir}/{at_root}"), text),
            None => org.file(&format!("{dir}/docs/{path}"), text),
        };
    }
}

/// A catalog-only repository at `dir` whose catalog-info.yaml is `yaml`.
fn catalog_repo(org: &Org, dir: &str, yaml: &str) {
    org.file(&format!("{dir}/catalog-info.yaml"), yaml);
}

/// A Component named `name` with `extra` lines appended to its spec.
fn component(name: &str, extra: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n{extra}"
    )
}

/// Writes a blob into the repository at `dir`; returns its id.
fn blob(dir: &Path, content: &str) -> String {
    let file = dir.join(".blob-input");
    std::fs::write(&file, content).unwrap();
    let id = git(dir, &["hash-object", "-w", file.to_str().unwrap()]);
    std::fs::remove_file(file).unwrap();
    id.trim().to_string()
}

/// Writes a tree from `(mode, id, name)` entries with `git mktree`, which
/// takes names a checkout never would (`..`).
fn tree(dir: &Path, entries: &[(&str, &str, &str)]) -> String {
    let listing: String = entries
        .iter()
        .map(|(mode, id, name)| {
            let kind = if *mode == "040000" { "tree" } else { "blob" };
            format!("{mode} {kind} {id}\t{name}\n")
        })
        .collect();
    let input = dir.join(".mktree-input");
    std::fs::write(&input, listing).unwrap();
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("git mktree < {}", input.to_str().unwrap()))
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::remove_file(input).unwrap();
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// A bare repository at `dir` (ending in `.git`) whose docs folder is six
/// levels deep with six `..` tree entries under it: the asset's lexically
/// normalised path reads a real file at the repository root, and its
/// output path, built from the raw names, once climbed out of the staging
/// folder into `../tmp/x/PWNED.txt` from the site's parent.
pub fn dot_dot_tree_entries(org: &Org, dir: &str) {
    let repo = org.path().join(dir);
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "--bare"]);
    let pwned = blob(&repo, "PWNED\n");
    let x = tree(&repo, &[("100644", &pwned, "PWNED.txt")]);
    let tmp = tree(&repo, &[("040000", &x, "x")]);
    // Innermost first: the last `..` holds `tmp/x/PWNED.txt`.
    let mut up = tree(&repo, &[("040000", &tmp, "tmp")]);
    for _ in 0..5 {
        up = tree(&repo, &[("040000", &up, "..")]);
    }
    let page = blob(&repo, "# Evil\n\nHello.\n");
    let mut folder = tree(
        &repo,
        &[("100644", &page, "index.md"), ("040000", &up, "..")],
    );
    for name in ["f", "e", "d", "c", "b"] {
        folder = tree(&repo, &[("040000", &folder, name)]);
    }
    let name = dir.rsplit('/').next().unwrap().trim_end_matches(".git");
    let catalog = blob(&repo, &DOCS_ENTITY.replace("NAME", name));
    let mkdocs = blob(&repo, "site_name: Evil\ndocs_dir: a/b/c/d/e/f\n");
    let root = tree(
        &repo,
        &[
            ("040000", &folder, "a"),
            ("100644", &catalog, "catalog-info.yaml"),
            ("100644", &mkdocs, "mkdocs.yml"),
            ("040000", &tmp, "tmp"),
        ],
    );
    let commit = git(&repo, &["commit-tree", &root, "-m", "hostile"]);
    git(&repo, &["update-ref", "refs/heads/main", commit.trim()]);
    git(&repo, &["symbolic-ref", "HEAD", "refs/heads/main"]);
}

/// A git tree bomb: ten folders naming the same subtree, ten deep, a few
/// kilobytes of objects for 10¹⁰ files (the listing once walked them all).
pub fn tree_bomb(org: &Org, dir: &str) {
    tree_bomb_with(org, dir, &[]);
}

/// [`tree_bomb`] with more files (name, text) beside its catalog file.
pub fn tree_bomb_with(org: &Org, dir: &str, more: &[(&str, &str)]) {
    let repo = org.path().join(dir);
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "--bare"]);
    let page = blob(&repo, "# Page\n");
    let names: Vec<String> = (0..10).map(|n| format!("d{n}")).collect();
    let files: Vec<(&str, &str, &str)> = names
        .iter()
        .map(|name| ("100644", page.as_str(), name.as_str()))
        .collect();
    let mut level = tree(&repo, &files);
    for _ in 0..10 {
        let entries: Vec<(&str, &str, &str)> = names
            .iter()
            .map(|name| ("040000", level.as_str(), name.as_str()))
            .collect();
        level = tree(&repo, &entries);
    }
    let index = blob(&repo, "# Bomb\n\nHello.\n");
    let docs = tree(
        &repo,
        &[("100644", &index, "index.md"), ("040000", &level, "deep")],
    );
    let name = dir.rsplit('/').next().unwrap().trim_end_matches(".git");
    let catalog = blob(&repo, &DOCS_ENTITY.replace("NAME", name));
    let mkdocs = blob(&repo, "site_name: Bomb\n");
    let more: Vec<(String, &str)> = more
        .iter()
        .map(|(name, text)| (blob(&repo, text), *name))
        .collect();
    let mut entries = vec![
        ("040000", docs.as_str(), "docs"),
        ("100644", catalog.as_str(), "catalog-info.yaml"),
        ("100644", mkdocs.as_str(), "mkdocs.yml"),
    ];
    entries.extend(more.iter().map(|(id, name)| ("100644", id.as_str(), *name)));
    entries.sort_by_key(|(_, _, name)| *name);
    let root = tree(&repo, &entries);
    let commit = git(&repo, &["commit-tree", &root, "-m", "hostile"]);
    git(&repo, &["update-ref", "refs/heads/main", commit.trim()]);
    git(&repo, &["symbolic-ref", "HEAD", "refs/heads/main"]);
}

/// One 9 MB catalog file (an entity and megabytes of comments) at thirty
/// paths of a git tree, found by a Location's glob: stored once, read
/// thirty times.
pub fn catalog_bytes_amplified(org: &Org, dir: &str) {
    let repo = org.path().join(dir);
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "--bare"]);
    let comments = "# padding padding padding padding padding padding padding\n".repeat(160_000);
    let big = blob(&repo, &format!("{}{comments}", component("padded", "")));
    let folder = tree(&repo, &[("100644", &big, "catalog-info.yaml")]);
    let names: Vec<String> = (0..30).map(|n| format!("c{n:02}")).collect();
    let location = blob(
        &repo,
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: all\nspec:\n  targets: [\"./*/catalog-info.yaml\"]\n",
    );
    let mut entries: Vec<(&str, &str, &str)> = names
        .iter()
        .map(|name| ("040000", folder.as_str(), name.as_str()))
        .collect();
    entries.push(("100644", &location, "catalog-info.yaml"));
    let root = tree(&repo, &entries);
    let commit = git(&repo, &["commit-tree", &root, "-m", "hostile"]);
    git(&repo, &["update-ref", "refs/heads/main", commit.trim()]);
    git(&repo, &["symbolic-ref", "HEAD", "refs/heads/main"]);
}

/// Snippet bytes that once claimed to be Portico's markup (the in-band
/// marker was stripped from pages, not from snippets).
pub fn forged_snippet_markup(org: &Org, dir: &str) {
    docs_repo(
        org,
        dir,
        &[
            ("index.md", "# Forged\n\n--8<-- \"inc.md\"\n"),
            (
                "/inc.md",
                "\u{E000}<script>alert(1)</script>\n\u{E000}<img src=x onerror=alert(2)>\n",
            ),
        ],
    );
}

/// Blocks, HTML, lists and quotes nested thousands deep (once a stack
/// overflow: exit 134, no site), and 9 MB of nested list items (3 GB).
pub fn deep_nesting(org: &Org, dir: &str) {
    let admonitions: String = (0..2_000)
        .map(|d| format!("{}!!! note\n", " ".repeat(d * 4)))
        .collect();
    let tabs: String = (0..1_500)
        .map(|d| format!("{}=== \"t\"\n", " ".repeat(d * 4)))
        .collect();
    let divs = "<div markdown>\n".repeat(2_500) + &"</div>\n".repeat(2_500);
    let line = format!("{}x\n", "- ".repeat(3_000));
    let lists = line.repeat(9 * 1024 * 1024 / line.len());
    let quotes = format!("{}x\n", "> ".repeat(10_000));
    docs_repo(
        org,
        dir,
        &[
            ("index.md", "# Deep\n"),
            ("admonitions.md", &admonitions),
            ("tabs.md", &tabs),
            ("divs.md", &divs),
            ("lists.md", &lists),
            ("quotes.md", &quotes),
        ],
    );
}

/// Snippets including snippets: a 20-line file including itself (once
/// 3.2 M diagnostics and 4.2 GB), a chain multiplying by 20 at each level,
/// and a 9 MB file included under 1,000 spellings (out of memory).
pub fn snippet_amplification(org: &Org, dir: &str) {
    let self_include = "--8<-- \"docs/b.md\"\n".repeat(20);
    let chain = |next: &str| format!("--8<-- \"docs/{next}\"\n").repeat(20);
    let big = "x".repeat(9 * 1024 * 1024);
    let spellings: String = (0..1_000)
        .map(|i| format!("--8<-- \"{}big.txt\"\n", "./".repeat(i % 50)))
        .collect();
    docs_repo(
        org,
        dir,
        &[
            ("index.md", &self_include),
            ("b.md", &self_include),
            ("chain.md", &chain("c1.md")),
            ("c1.md", &chain("c2.md")),
            ("c2.md", &chain("c3.md")),
            ("c3.md", &chain("c4.md")),
            ("c4.md", &"0123456789".repeat(100)),
            ("big.md", &spellings),
            ("/big.txt", &big),
        ],
    );
}

/// `javascript:` links in admonition, details and tab titles (rendered as
/// inline Markdown that once skipped the URL check), and raw HTML brought
/// into a title by a line that looks like the definition of its `[label]`
/// (hidden from the page in a code block, so the page had no HTML of the
/// author's and was not sanitised).
pub fn script_links_in_titles(org: &Org, dir: &str) {
    docs_repo(
        org,
        dir,
        &[
            (
                "index.md",
                "# Titles\n\n!!! note \"[x](javascript:alert(1))\"\n    a\n\n??? tip \"[y](JaVaScRiPt:alert(2)) ![i](javascript:alert(3))\"\n    b\n\n=== \"[z](vbscript:msgbox)\"\n    c\n\n!!! info \"[ok](https://example.com/) and [rel](other.md)\"\n    d\n",
            ),
            ("other.md", "# Other\n"),
            (
                "html.md",
                "# Raw HTML\n\n!!! note \"[x]: z\"\n    Body.\n\n??? tip \"[w]: z\"\n    Body.\n\n=== \"[v]: z\"\n    Body.\n\n```text\n[x]: y <img src=x onerror=alert(document.domain)>\n[w]: y <script>alert(2)</script>\n[v]: y <b onmouseover=alert(3)>v</b>\n```\n\nAnd [ok][x].\n",
            ),
        ],
    );
}

/// Page file names that once became `javascript:` nav links, or broke
/// URLs (`#`, `?`).
pub fn script_file_names(org: &Org, dir: &str) {
    docs_repo(
        org,
        dir,
        &[
            ("index.md", "# Names\n\n[also](javascript:alert(1).md)\n"),
            ("javascript:alert(1).md", "# Evil name\n"),
            ("a#b?c.md", "# Hash and query\n"),
            ("café.md", "# Accents\n"),
        ],
    );
}

/// Sources writing one output path: an author `index.html` that once
/// replaced the rendered page, README.md beside index.md, foo.md beside
/// foo/index.md, a file where a page needs a folder, Portico's own
/// metadata file, and page names that make no folder (`...md` wrote
/// outside the docs folder).
pub fn clashing_outputs(org: &Org, dir: &str) {
    docs_repo(
        org,
        dir,
        &[
            ("index.md", "# The real page\n"),
            ("index.html", "<p>an impostor</p>"),
            ("README.md", "# Readme\n"),
            ("foo.md", "# Foo\n"),
            ("foo/index.md", "# Foo index\n"),
            ("guide.md", "# Guide\n"),
            ("guide", "a file where the page needs a folder"),
            ("techdocs_metadata.json", "{}"),
            ("...md", "# Dots\n"),
            (".md", "# Nothing\n"),
        ],
    );
}

/// Author `.html` and `.svg` files, which run on the portal's origin when
/// opened directly.
pub fn author_html_and_svg(org: &Org, dir: &str) {
    docs_repo(
        org,
        dir,
        &[
            (
                "index.md",
                "# Pages\n\n![d](diagram.svg) [p](page.html) [b](broken.svg)\n",
            ),
            (
                "page.html",
                "<p onclick=\"x()\">hi</p><script>alert(1)</script>",
            ),
            (
                "diagram.svg",
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"1\" height=\"1\"/></svg>",
            ),
            (
                "broken.svg",
                "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><g></svg>",
            ),
            // Served as a page (`text/html`) or as XML by common servers.
            ("server.shtml", "<script>alert(1)</script>"),
            (
                "feed.rss",
                "<s:script xmlns:s=\"http://www.w3.org/1999/xhtml\">alert(1)</s:script>",
            ),
            (
                "plain.rss",
                "<rss><channel><title>News</title></channel></rss>",
            ),
        ],
    );
}

/// 1,500 pages in one folder: each page once carried the whole folder's
/// nav (5,000 pages: 1.6 GB of HTML).
pub fn huge_folder(org: &Org, dir: &str) {
    let pages: Vec<(String, String)> = huge_folder_pages();
    let files: Vec<(&str, &str)> = pages
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    docs_repo(org, dir, &files);
}

/// The pages of [`huge_folder`], by docs-relative path.
pub fn huge_folder_pages() -> Vec<(String, String)> {
    (0..1_500)
        .map(|i| {
            (
                format!("page-{i:04}.md"),
                format!("# Page {i}\n\nSome text about page {i}.\n"),
            )
        })
        .collect()
}

/// Headings, footnotes and HTML that once took quadratic time: 20,000
/// headings named alike (49 s), 100,000 footnotes (over a minute),
/// 100,000 nested `<div>` (57 s).
pub fn quadratic_markdown(org: &Org, dir: &str) {
    let notes: String = (0..100_000)
        .map(|i| format!("x[^n{i}]\n\n"))
        .collect::<String>()
        + &(0..100_000)
            .map(|i| format!("[^n{i}]: note {i}\n\n"))
            .collect::<String>();
    docs_repo(
        org,
        dir,
        &[
            ("index.md", &"# h\n\n".repeat(20_000)),
            ("notes.md", &notes),
            (
                "divs.md",
                &("<div>\n".repeat(100_000) + &"</div>\n".repeat(100_000)),
            ),
        ],
    );
}

/// Catalog files that are not files: a FIFO (reading it would hang) and a
/// link to `/dev/zero` (endless); both once dropped their repository
/// without a word. Two repositories: `{dir}-fifo` and `{dir}-zero`.
pub fn special_catalog_files(org: &Org, dir: &str) {
    let fifo = org.path().join(format!("{dir}-fifo"));
    std::fs::create_dir_all(&fifo).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(fifo.join("catalog-info.yaml"))
        .status()
        .unwrap();
    assert!(made.success());
    let zero = org.path().join(format!("{dir}-zero"));
    std::fs::create_dir_all(&zero).unwrap();
    std::os::unix::fs::symlink("/dev/zero", zero.join("catalog-info.yaml")).unwrap();
}

/// File names that are not UTF-8 (once skipped silently) or hold
/// backslashes (`a\..\b.md` was read as `b.md`).
pub fn unsafe_file_names(org: &Org, dir: &str) {
    use std::os::unix::ffi::OsStrExt;
    docs_repo(
        org,
        dir,
        &[
            ("index.md", "# Names\n"),
            ("b.md", "# B\n"),
            ("a\\..\\b.md", "# Not b\n"),
        ],
    );
    let bad = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
    std::fs::write(org.path().join(dir).join("docs").join(bad), "# Latin-1\n").unwrap();
}

/// A link at `dir` to a repository outside every folder the tests search
/// (`outside/…` at the top of the organisation): discovery once followed it.
pub fn link_out_of_the_root(org: &Org, dir: &str) {
    let target = format!("outside/{}", dir.replace('/', "-"));
    docs_repo(
        org,
        &format!("{target}/secret"),
        &[("index.md", "# Secret\n")],
    );
    let link = org.path().join(dir);
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(org.path().join(target).join("secret"), link).unwrap();
}

/// YAML that once took quadratic time (100,000 keys under `spec`: 41 s)
/// or exploded (a billion-laughs alias bomb).
pub fn yaml_bombs(org: &Org, dir: &str) {
    let keys: String = (0..100_000).map(|i| format!("  k{i}: v\n")).collect();
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
            p = i - 1
        ));
    }
    catalog_repo(
        org,
        dir,
        &format!(
            "{}{keys}---\n{bomb}",
            component(&format!("{}-keys", dir.rsplit('/').next().unwrap()), "")
        ),
    );
}

/// A Location whose targets once fanned out before anything was
/// deduplicated: one glob named 20,000 times through an alias, 200
/// distinct globs, and 10,000 targets outside the repository (each a
/// problem quoting the whole line).
pub fn location_fan_out(org: &Org, dir: &str) {
    for n in 0..50 {
        org.file(
            &format!("{dir}/c{n}/catalog-info.yaml"),
            &component(&format!("fan-{n}"), ""),
        );
    }
    let aliases = vec!["*g"; 20_000].join(", ");
    let globs: Vec<String> = (0..200).map(|n| format!("\"./c{n}*/*.yaml\"")).collect();
    let outside = vec!["*o"; 10_000].join(", ");
    org.file(
        &format!("{dir}/catalog-info.yaml"),
        &format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: fan\nspec:\n  targets: [&g \"./c*/*.yaml\", {aliases}, {}]\n---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: out\nspec:\n  targets: [&o \"../../etc/passwd\", {outside}, {}]\n",
            globs.join(", "),
            (0..500).map(|n| format!("\"../x{n}\"")).collect::<Vec<_>>().join(", ")
        ),
    );
}

/// Placeholders that once filled memory: 300 `$text` of a 9 MB file
/// (out of memory) and one 9.6 MB `$json` (3 GB).
pub fn substitution_amplification(org: &Org, dir: &str) {
    let name = dir.rsplit('/').next().unwrap();
    org.file(&format!("{dir}/big.txt"), &"x".repeat(9 * 1024 * 1024));
    org.file(
        &format!("{dir}/big.json"),
        &format!("[{}]", vec!["{}"; 3_200_000].join(",")),
    );
    let texts: String = (0..300)
        .map(|i| format!("  text{i}:\n    $text: ./big.txt\n"))
        .collect();
    catalog_repo(
        org,
        dir,
        &format!(
            "{}---\n{}",
            component(&format!("{name}-text"), &texts),
            component(&format!("{name}-json"), "  data:\n    $json: ./big.json\n")
        ),
    );
}

/// A chain of 2,500 Locations, each a glob target leading to the next
/// (10,000 once took 31 s), and a last one that is missing.
pub fn location_chain(org: &Org, dir: &str) {
    let files = 2_500;
    org.locations(dir, files, &|i| match i + 1 {
        last if last == files => "./missing.yaml".to_string(),
        next => format!("./l{next}.y*ml"),
    });
}

/// Every `href`/`src`/`action` value in the built site's HTML and SVG
/// files, with the file.
pub fn site_urls(site: &Path) -> Vec<(String, String)> {
    let mut urls = Vec::new();
    for (path, bytes) in crate::support::files_under(site) {
        if !path.ends_with(".html") && !path.ends_with(".svg") {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        for attr in ["href=", "src=", "action="] {
            for (at, _) in text.match_indices(attr) {
                let rest = text[at + attr.len()..].trim_start();
                let value: String = match rest.chars().next() {
                    Some(q @ ('"' | '\'')) => rest[1..].chars().take_while(|c| *c != q).collect(),
                    _ => rest
                        .chars()
                        .take_while(|c| !c.is_whitespace() && *c != '>')
                        .collect(),
                };
                urls.push((path.clone(), value));
            }
        }
    }
    urls
}

/// No `href`/`src` in the site may run script, however it is spelled.
pub fn assert_no_script_urls(site: &Path) {
    for (file, url) in site_urls(site) {
        let cleaned: String = url
            .replace("&#x09;", "")
            .replace("&#9;", "")
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .collect();
        for scheme in ["javascript:", "vbscript:", "data:text/html"] {
            assert!(!cleaned.starts_with(scheme), "{file}: {url}");
        }
    }
}

/// The only scripts in the site's pages are Portico's own files; SVGs
/// have none.
pub fn assert_only_portico_scripts(site: &Path) {
    for (file, bytes) in crate::support::files_under(site) {
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        if file.ends_with(".svg") {
            assert!(!text.contains("<script"), "{file}");
        }
        if !file.ends_with(".html") {
            continue;
        }
        for (at, _) in text.match_indices("<script") {
            let tag = &text[at..text[at..].find("</script>").map_or(text.len(), |e| at + e)];
            let src = tag
                .strip_prefix("<script src=\"")
                .and_then(|rest| rest.split_once('"'))
                .map(|(src, rest)| (src.trim_start_matches("../"), rest));
            let ours = matches!(
                src,
                Some(("assets/portico.js" | "assets/search.js", " defer>"))
                    | Some(("assets/mermaid.min.js", " async>"))
            );
            assert!(ours, "{file}: {tag}");
        }
    }
}

/// Catalog values the portal's newer pages print: profile pictures,
/// emails and display names (group, user and org pages), plugin annotation
/// values and link icons (tool cards), API descriptions as Markdown, and
/// the lists of APIs and docs sites. One invalid tag makes it an error.
pub fn hostile_catalog_values(org: &Org, dir: &str) {
    org.file(
        &format!("{dir}/catalog-info.yaml"),
        r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: valued
  tags: ["Bad Tag"]
  annotations:
    backstage.io/techdocs-ref: dir:.
    pagerduty.com/service-id: "\"><script>alert(1)</script>"
    github.com/project-slug: "../../javascript:alert(1)"
    backstage.io/edit-url: "javascript:alert(1)"
  links:
    - url: "javascript:alert(1)"
      title: "<script>alert(1)</script>"
      icon: "\"><script>alert(1)</script>"
spec:
  type: service
  lifecycle: "x\" onmouseover=\"alert(1)"
  owner: valued-team
  providesApis: [valued-api]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: valued-api
spec:
  type: openapi
  lifecycle: production
  owner: valued-team
  definition: |
    openapi: 3.0.0
    info:
      title: "<script>alert(1)</script>"
      version: "1"
      description: "<script>alert(1)</script> [x](javascript:alert(1)) ![i](javascript:alert(2))"
    paths: {}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: valued-team
spec:
  type: team
  profile:
    displayName: "<script>alert(1)</script>"
    email: "javascript:alert(1)"
    picture: "javascript:alert(1)"
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: valued-user
spec:
  profile:
    displayName: "\" onmouseover=\"alert(1)"
    email: "a@example.com\"><script>alert(1)</script>"
    picture: "data:text/html,<script>alert(1)</script>"
  memberOf: [valued-team]
"#,
    );
    org.file(
        &format!("{dir}/mkdocs.yml"),
        "site_name: \"<script>alert(1)</script>\"\n",
    );
    org.file(&format!("{dir}/docs/index.md"), "# Valued\n");
}
