#!/usr/bin/env python3
"""TechDocs fidelity: compare Portico's rendered docs pages with MkDocs + techdocs-core.

For every TechDocs site in the docs sets below, the site is built twice, once
by `portico build` and once by real MkDocs with the `mkdocs-techdocs-core`
plugin (Material theme), and the rendered content of each page is compared
feature by feature:

    headings  the `id` attributes of h1-h6
    code      the text of each <pre> (code cell only when MkDocs adds line numbers)
    tables    table count and the multiset of cell texts (code line-number tables excluded)
    admon     (kind, title) of each div.admonition and <details>
    images    image file names (basename of src; data: URIs count as "data:<mime>");
              emoji images are left out here and scored as `emoji`
    words     lower-cased alphanumeric word tokens of the whole content, without
              the headerlink pilcrow, line numbers, <svg>/<script>/<style> text and
              MkDocs-only UI (edit/view buttons, source-file footer)
    emoji     emoji shortcodes (the `title` of MkDocs' img.emojione and of any
              Portico element whose class contains "emoji"); emoji text is left
              out of `words`, table cells and admonition titles
    ids       every other `id` in the content (footnote refs and notes, tab
              inputs, ...): the link targets besides headings
    lists     one signature per <ul>/<ol>: tag, item count, and "loose" when an
              item holds a <p> (list splitting, tight/loose, lazy lists)

`ids` and `lists` are informational; the goal (and --strict) covers the others.

Pages are matched by URL path relative to the site root (MkDocs directory URLs,
"" for the home page). MkDocs content is `<article class="md-content__inner
md-typeset">`; Portico content is the page's `<article>`. Each feature is a
multiset compared with

    score = |mkdocs ∩ portico| / max(|mkdocs|, |portico|)     (1.0 when both empty)

so both missing and extra items cost (with no extras it is the plain recall
|∩| / |mkdocs|). `tables` is min(count score, cell score). A page that only
MkDocs produces scores as if Portico's page were empty; pages only Portico
produces are listed but not scored. Per site and per docs set the table shows
the mean over pages and, after the slash, the worst page.

Setup (once), outside the repository:

    python3 -m venv /tmp/fidelity-venv
    /tmp/fidelity-venv/bin/pip install mkdocs-techdocs-core
    cargo build --release

Run (any Python 3.9+; the script itself only needs the standard library):

    python3 bench/fidelity.py                       # table
    python3 bench/fidelity.py -v                    # plus per-page differences
    python3 bench/fidelity.py --strict              # exit 1 if a site is below 0.995
    python3 bench/fidelity.py --json out.json       # all scores and differences
    python3 bench/fidelity.py --set book --work /tmp/fid   # one docs set, keep builds
    python3 bench/fidelity.py --project ~/src/mkdocs        # plus a public MkDocs project

The corpus' docs-template skeleton (backstage-templates) is a cookiecutter
template whose mkdocs.yml MkDocs cannot load, so it is not a docs set here.
bench/README.md has the last run, with three public projects (mkdocs,
httpx, mkdocs-material) and the differences that remain.

The corpus is read from ../shared/corpus next to the repository, or from
$PORTICO_CORPUS; MkDocs from /tmp/fidelity-venv/bin/mkdocs, or $MKDOCS / --mkdocs.

PlantUML: techdocs-core runs `plantuml_markdown`, which needs a `plantuml`
binary (Java). For a deterministic run the script puts a stub `plantuml` first
on MkDocs' PATH that ignores its input and prints a tiny fixed SVG, so a
```plantuml block becomes `<img src="data:image/svg+xml;base64,...">` in MkDocs
(exactly the markup a real PlantUML gives, only the picture differs).

Explained exclusions: a difference that is inherent, not a rendering bug, is
taken out of both sides' features and counted instead, per construct, under
its reason; the main table is scored without them and a second table ("as
rendered") scores everything, so no page is dropped silently. Today there is
one: PlantUML diagrams (MkDocs' stub image, Portico's `language-plantuml`
source block and its words), which an offline build cannot draw without a
PlantUML binary or server (Portico draws them with `[docs] plantuml-server`).

The mkdocs.yaml files of techdocs-systems-techdocs carry `metadata:` and
`kind:` keys; MkDocs (non-strict) only warns about them. Should a MkDocs
version reject them, the script strips those keys from the temporary copy
used for the MkDocs build and says so.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("PORTICO_CORPUS", REPO.parent / "shared" / "corpus"))
FEATURES = ["headings", "code", "tables", "admon", "images", "words", "emoji", "ids", "lists"]
GOAL = 0.995
# The features the goal applies to (--strict, "below goal"); `ids` and `lists`
# are extra information. `emoji` is the emoji part of `images`, scored on its own.
GOAL_FEATURES = ["headings", "code", "tables", "admon", "images", "words", "emoji"]

PLANTUML_SVG = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?><svg xmlns="http://www.w3.org/2000/svg" '
    'width="10px" height="10px" style="width:10px;height:10px;" viewBox="0 0 10 10"></svg>'
)
PLANTUML_REASON = "PlantUML diagram: no renderer offline"
PLANTUML_STUB = """#!/bin/sh
# Stub for plantuml_markdown: ignore the diagram, print a fixed SVG.
cat >/dev/null
printf '%s' '<?xml version="1.0" encoding="UTF-8" standalone="no"?><svg xmlns="http://www.w3.org/2000/svg" width="10px" height="10px" style="width:10px;height:10px;" viewBox="0 0 10 10"></svg>'
"""

SYSTEM_CATALOG = """apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: {name}
  annotations:
    backstage.io/techdocs-ref: dir:.
spec:
  owner: user:x
"""


# --------------------------------------------------------------------------
# Docs sets
# --------------------------------------------------------------------------


@dataclass
class Site:
    name: str  # display name (the site's folder)
    source: Path  # folder with mkdocs.yml/.yaml and docs/
    config: str  # mkdocs.yml or mkdocs.yaml
    entity: str  # "<namespace>/<kind>/<name>" in Portico's docs/ tree
    mkdocs_out: Path | None = None
    portico_out: Path | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class DocsSet:
    name: str
    portico_roots: list[Path]  # folders passed to one `portico build`
    sites: list[Site]


def documented_docs(folder: Path):
    """The catalog documents in folder/catalog-info.yaml with a techdocs-ref."""
    text = (folder / "catalog-info.yaml").read_text(encoding="utf-8")
    for doc in re.split(r"^---\s*$", text, flags=re.M):
        if "backstage.io/techdocs-ref" in doc:
            yield doc


def catalog_name(folder: Path) -> str:
    """metadata.name of the first catalog document with a techdocs-ref."""
    for doc in documented_docs(folder):
        m = re.search(r"^metadata:\s*\n(?:[ \t]+.*\n|\s*\n)*?[ \t]+name:\s*['\"]?([^'\"\s#]+)", doc, re.M)
        if m:
            return m.group(1)
    raise SystemExit(f"fidelity: no entity with backstage.io/techdocs-ref in {folder}/catalog-info.yaml")


def catalog_kind(folder: Path) -> str:
    for doc in documented_docs(folder):
        m = re.search(r"^kind:\s*(\w+)", doc, re.M)
        if m:
            return m.group(1).lower()
    return "component"


def mkdocs_config_name(folder: Path) -> str:
    for name in ("mkdocs.yml", "mkdocs.yaml"):
        if (folder / name).exists():
            return name
    raise SystemExit(f"fidelity: no mkdocs.yml/mkdocs.yaml in {folder}")


def plain_site(folder: Path) -> Site:
    entity = f"default/{catalog_kind(folder)}/{catalog_name(folder)}"
    return Site(folder.name, folder, mkdocs_config_name(folder), entity)


# Extensions a public project's mkdocs.yml may list that the comparison keeps
# (without their options: options may name Python objects or files). Plugins
# and the theme are replaced by techdocs-core, as TechDocs would run them.
PROJECT_EXTENSIONS = {
    "abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "tables", "toc",
    "pymdownx.details", "pymdownx.superfences", "pymdownx.tabbed", "pymdownx.highlight",
    "pymdownx.inlinehilite", "pymdownx.snippets", "pymdownx.mark", "pymdownx.caret",
    "pymdownx.tilde", "pymdownx.tasklist", "pymdownx.magiclink", "pymdownx.smartsymbols",
    "pymdownx.critic", "pymdownx.keys", "pymdownx.betterem",
}


def project_set(source: Path, work: Path) -> DocsSet:
    """A public MkDocs project (`--project DIR`, a folder holding mkdocs.yml)
    as one TechDocs site: its docs_dir and the extensions above, techdocs-core
    as the only plugin, a Component entity with `techdocs-ref: dir:.`."""
    name = re.sub(r"[^a-z0-9-]", "-", source.name.lower()).strip("-") or "project"
    config = (source / mkdocs_config_name(source)).read_text(encoding="utf-8")
    docs_dir = re.search(r"^docs_dir:\s*['\"]?([^'\"\s#]+)", config, re.M)
    docs_dir = docs_dir.group(1) if docs_dir else "docs"
    listed = re.search(r"^markdown_extensions:\s*\n((?:[ \t]+.*\n|\s*\n)*)", config, re.M)
    names = re.findall(r"^\s{0,4}-\s+([\w.]+)", listed.group(1), re.M) if listed else []
    kept = [n for n in dict.fromkeys(names) if n in PROJECT_EXTENSIONS]
    dest = work / "src" / "projects" / name
    shutil.copytree(source / docs_dir, dest / "docs")
    # `template:` in front matter names the project's own theme overrides,
    # which the comparison does not have.
    for page in (dest / "docs").rglob("*.md"):
        text = page.read_text(encoding="utf-8", errors="replace")
        if text.startswith("---") and "\ntemplate:" in text.split("\n---", 2)[0]:
            page.write_text(re.sub(r"^template:.*\n", "", text, count=1, flags=re.M), encoding="utf-8")
    extensions = "".join(f"  - {n}\n" for n in kept)
    (dest / "mkdocs.yml").write_text(
        f"site_name: {name}\nplugins:\n  - techdocs-core\n"
        + (f"markdown_extensions:\n{extensions}" if kept else ""),
        encoding="utf-8",
    )
    (dest / "catalog-info.yaml").write_text(PROJECT_CATALOG.format(name=name), encoding="utf-8")
    site = plain_site(dest)
    site.notes.append(f"public project {source}: docs_dir {docs_dir}, extensions kept: {', '.join(kept) or 'none'}")
    return DocsSet(f"project-{name}", [dest], [site])


PROJECT_CATALOG = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {name}
  annotations:
    backstage.io/techdocs-ref: dir:.
spec:
  type: documentation
  lifecycle: production
  owner: guest
"""


def docs_sets(work: Path) -> list[DocsSet]:
    sets = []

    dc = CORPUS / "techdocs-backstage-documented-component"
    sets.append(DocsSet("documented-component", [dc], [plain_site(dc)]))

    # Three sites without a catalog entity: copy them into an org folder and
    # give each a System entity with techdocs-ref dir:.
    systems_src = CORPUS / "techdocs-systems-techdocs"
    org = work / "src" / "systems-org"
    systems = []
    for name in ["tanzu-developer-portal-system", "where-for-dinner-system", "where-for-dinner-ui"]:
        dest = org / name
        shutil.copytree(systems_src / name, dest)
        (dest / "catalog-info.yaml").write_text(SYSTEM_CATALOG.format(name=name), encoding="utf-8")
        systems.append(Site(name, systems_src / name, mkdocs_config_name(dest), f"default/system/{name}"))
    sets.append(DocsSet("systems-techdocs", [org], systems))

    example = REPO / "example-org"
    sets.append(
        DocsSet(
            "example-org",
            [example],
            [plain_site(example / n) for n in ["shipment-tracker", "route-planner", "payment-gateway", "legacy-billing"]],
        )
    )

    sets.append(DocsSet("book", [REPO / "book"], [plain_site(REPO / "book")]))
    return sets


# --------------------------------------------------------------------------
# Builds
# --------------------------------------------------------------------------


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def strip_top_level_keys(config: Path, keys: set[str]) -> None:
    """Drop top-level YAML keys (and their indented bodies) from a config file."""
    out, skipping = [], False
    for line in config.read_text(encoding="utf-8").splitlines(keepends=True):
        top = re.match(r"^([A-Za-z_][\w-]*):", line)
        if top:
            skipping = top.group(1) in keys
        elif line.strip() and not line[0].isspace():
            skipping = False
        if not skipping:
            out.append(line)
    config.write_text("".join(out), encoding="utf-8")


def build_mkdocs(site: Site, mkdocs: str, work: Path, env: dict) -> None:
    copy = work / "mkdocs-src" / site.name
    shutil.copytree(site.source, copy)
    out = work / "mkdocs-out" / site.name
    # Run inside the copy: pymdownx.snippets resolves against the working folder,
    # as it does under techdocs-cli.
    cmd = [mkdocs, "build", "-f", site.config, "-d", str(out)]
    res = run(cmd, cwd=copy, env=env)
    if res.returncode != 0 and re.search(r"^(metadata|kind):", (copy / site.config).read_text(), re.M):
        strip_top_level_keys(copy / site.config, {"metadata", "kind"})
        site.notes.append("mkdocs rejected top-level metadata:/kind:, stripped for the MkDocs build")
        res = run(cmd, cwd=copy, env=env)
    if res.returncode != 0:
        raise SystemExit(f"fidelity: mkdocs build failed for {site.name}:\n{res.stdout}")
    site.mkdocs_out = out


def build_portico(ds: DocsSet, portico: str, work: Path) -> None:
    out = work / "portico-out" / ds.name  # must not exist: portico refuses foreign non-empty folders
    res = run([portico, "build", *map(str, ds.portico_roots), "--out", str(out)])
    if res.returncode not in (0, 1) or not (out / "docs").is_dir():
        raise SystemExit(f"fidelity: portico build failed for {ds.name} (exit {res.returncode}):\n{res.stdout}")
    for site in ds.sites:
        site.portico_out = out / "docs" / site.entity
        if not site.portico_out.is_dir():
            raise SystemExit(f"fidelity: portico wrote no docs for {site.entity} in {out / 'docs'}")


def pages(root: Path) -> dict[str, Path]:
    """URL path (relative to the site root, '' for home) -> index.html."""
    found = {}
    for path in sorted(root.rglob("index.html")):
        rel = path.parent.relative_to(root).as_posix()
        found["" if rel == "." else rel + "/"] = path
    return found


# --------------------------------------------------------------------------
# HTML -> tree -> features
# --------------------------------------------------------------------------

BLOCK = {
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "img", "input", "label", "li",
    "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul",
}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}


class Node:
    __slots__ = ("tag", "attrs", "children", "parent")

    def __init__(self, tag: str, attrs: dict, parent: "Node | None"):
        self.tag, self.attrs, self.children, self.parent = tag, attrs, [], parent

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def text(self, skip=lambda n: False) -> str:
        """Text of the subtree; block elements are separated by a space."""
        parts = []

        def walk(node: Node) -> None:
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                elif not skip(child):
                    block = child.tag in BLOCK or "filename" in child.classes
                    if block:
                        parts.append(" ")
                    walk(child)
                    if block:
                        parts.append(" ")

        walk(self)
        return "".join(parts)

    def has_ancestor(self, pred) -> bool:
        node = self.parent
        while node is not None:
            if pred(node):
                return True
            node = node.parent
        return False


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def content_node(path: Path, mkdocs: bool) -> Node | None:
    builder = TreeBuilder()
    builder.feed(path.read_text(encoding="utf-8"))
    builder.close()
    for node in builder.root.iter():
        if node.tag == "article" and (not mkdocs or "md-content__inner" in node.classes):
            return node
    return None


def is_emoji(node: Node) -> bool:
    return any("emoji" in c for c in node.classes)


# Subtrees whose text is not page content: permalink anchors, line numbers,
# inline SVG, scripts, emoji (scored on their own), and Material's UI inside
# the article.
MKDOCS_UI = {"md-content__button", "md-source-file", "md-tags"}


def not_content(node: Node) -> bool:
    if node.tag in ("svg", "script", "style", "template") or is_emoji(node):
        return True
    cls = node.classes
    return bool({"headerlink", "linenos", "linenodiv"} & cls or MKDOCS_UI & cls)


def squash(text: str) -> str:
    return " ".join(text.split())


def image_name(src: str) -> str:
    if src.startswith("data:"):
        return src.split(";", 1)[0].split(",", 1)[0]
    return unquote(urlsplit(src).path.rstrip("/").rsplit("/", 1)[-1])


def plantuml_stub_image(node: Node) -> bool:
    """MkDocs' image of a PlantUML diagram drawn by the stub `plantuml`."""
    src = node.attrs.get("src", "")
    if node.tag != "img" or not src.startswith("data:image/svg+xml;base64,"):
        return False
    try:
        return base64.b64decode(src.split(",", 1)[1]).decode("utf-8", "replace") == PLANTUML_SVG
    except ValueError:
        return False


def plantuml_source(node: Node) -> bool:
    """Portico's PlantUML block shown as source (no `plantuml-server`)."""
    return node.tag == "div" and "language-plantuml" in node.classes


def features(article: Node | None, explain: bool = True) -> dict[str, list[str]]:
    """The page's features; with `explain`, explained exclusions are taken
    out and listed under "excluded" as (feature, reason) items."""
    f: dict[str, list[str]] = {k: [] for k in FEATURES}
    f["table_count"] = []
    f["excluded"] = []
    if article is None:
        return f
    excluded = (lambda n: plantuml_stub_image(n) or plantuml_source(n)) if explain else (lambda n: False)
    for node in article.iter():
        tag, cls = node.tag, node.classes
        if excluded(node) or node.has_ancestor(excluded):
            if plantuml_stub_image(node):
                f["excluded"].append(f"images: {PLANTUML_REASON}")
            elif tag == "pre":
                f["excluded"].append(f"code: {PLANTUML_REASON}")
            continue
        if re.fullmatch(r"h[1-6]", tag) and node.attrs.get("id"):
            f["headings"].append(node.attrs["id"])
        elif tag == "pre":
            if node.has_ancestor(lambda a: "linenos" in a.classes):
                continue
            f["code"].append(node.text().strip())
        elif tag == "table" and "highlighttable" not in cls:
            f["table_count"].append("table")
            for cell in node.iter():
                if cell.tag in ("td", "th"):
                    f["tables"].append(squash(cell.text(not_content)))
        elif tag == "div" and "admonition" in cls:
            title = next((n for n in node.iter() if n.tag == "p" and "admonition-title" in n.classes), None)
            kind = " ".join(sorted(cls - {"admonition"}))
            f["admon"].append(f"admonition.{kind} | {squash(title.text(not_content)) if title else ''}")
        elif tag == "details":
            summary = next((n for n in node.iter() if n.tag == "summary"), None)
            kind = " ".join(sorted(cls))
            f["admon"].append(f"details.{kind} | {squash(summary.text(not_content)) if summary else ''}")
        elif tag in ("ul", "ol"):
            items = [c for c in node.children if isinstance(c, Node) and c.tag == "li"]
            loose = any(isinstance(g, Node) and g.tag == "p" for li in items for g in li.children)
            f["lists"].append(f"{tag}[{len(items)}]{' loose' if loose else ''}")
        elif tag == "img" and not is_emoji(node):
            f["images"].append(image_name(node.attrs.get("src", "")))
        if is_emoji(node) and node.attrs.get("title"):
            f["emoji"].append(node.attrs["title"])
        if node.attrs.get("id") and not re.fullmatch(r"h[1-6]", tag):
            f["ids"].append(node.attrs["id"])
    f["words"] = re.findall(r"[^\W_]+", article.text(lambda n: not_content(n) or excluded(n)).lower())
    if explain:
        dropped = sum(len(re.findall(r"[^\W_]+", n.text(not_content))) for n in article.iter() if excluded(n))
        f["excluded"] += [f"words: {PLANTUML_REASON}"] * dropped
    return f


def score(a: list[str], b: list[str]) -> float:
    if not a and not b:
        return 1.0
    inter = sum((Counter(a) & Counter(b)).values())
    return inter / max(len(a), len(b))


def compare(mk: dict, po: dict) -> tuple[dict[str, float], dict[str, dict]]:
    scores, diffs = {}, {}
    for feat in FEATURES:
        scores[feat] = score(mk[feat], po[feat])
        if feat == "tables":
            scores[feat] = min(scores[feat], score(mk["table_count"], po["table_count"]))
        if scores[feat] < 1.0:
            a, b = Counter(mk[feat]), Counter(po[feat])
            diffs[feat] = {
                "mkdocs_only": sorted((a - b).elements()),
                "portico_only": sorted((b - a).elements()),
            }
            if feat == "tables":
                diffs[feat]["counts"] = [len(mk["table_count"]), len(po["table_count"])]
    return scores, diffs


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def summarise(page_scores: list[tuple[str, dict]]) -> dict[str, tuple[float, float, str]]:
    out = {}
    for feat in FEATURES:
        values = [(s[feat], p) for p, s in page_scores]
        if not values:
            out[feat] = (1.0, 1.0, "")
            continue
        worst = min(values, key=lambda v: (v[0], v[1]))
        out[feat] = (statistics.fmean(v for v, _ in values), worst[0], worst[1])
    return out


def table(rows: list[tuple[str, int, dict]]) -> str:
    head = ["set / site", "pages"] + FEATURES
    body = [[name, str(n)] + [f"{s[f][0]:.3f}/{s[f][1]:.2f}" for f in FEATURES] for name, n, s in rows]
    widths = [max(len(r[i]) for r in [head] + body) for i in range(len(head))]
    fmt = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    lines = [fmt(head), "  ".join("-" * w for w in widths)]
    for r in body:
        lines.append(fmt(r))
    return "\n".join(lines)


def shorten(item: str, n: int = 100) -> str:
    item = item.replace("\n", "⏎")
    return item if len(item) <= n else item[: n - 1] + "…"


def versions(mkdocs: str) -> str:
    """Versions of the MkDocs side, read with the venv's own Python."""
    python = Path(mkdocs).resolve().parent / "python"
    names = ["mkdocs", "mkdocs-techdocs-core", "mkdocs-material", "pymdown-extensions", "Markdown"]
    code = "import importlib.metadata as m, sys\nfor n in sys.argv[1:]:\n    print(n, m.version(n))"
    res = run([str(python), "-c", code, *names]) if python.exists() else None
    if res is None or res.returncode != 0:
        return "(unknown)"
    return ", ".join(res.stdout.split("\n")[:-1])


def compare_site(site: Site) -> tuple[list[tuple[str, dict]], list[tuple[str, dict]], dict]:
    """Score every page MkDocs built for the site; returns (page scores with
    explained exclusions taken out, page scores as rendered, report)."""
    mk_pages, po_pages = pages(site.mkdocs_out), pages(site.portico_out)
    scored, raw_scored, report = [], [], {"notes": site.notes, "pages": {}}
    for url, mk_path in mk_pages.items():
        mk_article = content_node(mk_path, mkdocs=True)
        if mk_article is None:  # not a content page (e.g. a redirect stub)
            continue
        po_path = po_pages.get(url)
        po_article = content_node(po_path, mkdocs=False) if po_path else None
        mk, po = features(mk_article), features(po_article)
        scores, diffs = compare(mk, po)
        raw_scores, _ = compare(features(mk_article, explain=False), features(po_article, explain=False))
        scored.append((f"{site.name}/{url}", scores))
        raw_scored.append((f"{site.name}/{url}", raw_scores))
        report["pages"][url or "(home)"] = {
            "missing_in_portico": po_path is None,
            "scores": scores,
            "scores_as_rendered": raw_scores,
            "diffs": diffs,
            "excluded": {"mkdocs": dict(Counter(mk["excluded"])), "portico": dict(Counter(po["excluded"]))},
        }
    report["portico_only_pages"] = sorted(set(po_pages) - set(mk_pages))
    report["summary"] = summarise(scored)
    report["summary_as_rendered"] = summarise(raw_scored)
    return scored, raw_scored, report


def print_exclusions(report: dict) -> None:
    """Explained exclusions per construct and reason: items on each side, pages."""
    totals: dict[str, list] = {}
    for sites in report["sets"].values():
        for site_name, site_report in sites.items():
            for url, page in site_report["pages"].items():
                for side, items in page["excluded"].items():
                    for item, n in items.items():
                        entry = totals.setdefault(item, [0, 0, set()])
                        entry[0 if side == "mkdocs" else 1] += n
                        entry[2].add(f"{site_name}/{'' if url == '(home)' else url}")
    if not totals:
        return
    print("\nexplained exclusions (taken out of both sides before scoring; the 'as rendered' table keeps them):")
    for item, (mk, po, where) in sorted(totals.items()):
        print(f"  {item}: {mk} MkDocs, {po} Portico, on {', '.join(sorted(where))}")


def print_notes(report: dict) -> None:
    for sites in report["sets"].values():
        for site_name, site_report in sites.items():
            for note in site_report["notes"]:
                print(f"note: {site_name}: {note}")
            missing = [u for u, p in site_report["pages"].items() if p["missing_in_portico"]]
            if missing:
                print(f"note: {site_name}: pages MkDocs builds but Portico does not: {', '.join(missing)}")
            if site_report["portico_only_pages"]:
                print(f"note: {site_name}: pages only Portico builds: {', '.join(site_report['portico_only_pages'])}")


def print_differences(report: dict) -> None:
    for sites in report["sets"].values():
        for site_name, site_report in sites.items():
            for url, page in site_report["pages"].items():
                if not page["diffs"]:
                    continue
                print(f"\n== {site_name}/{'' if url == '(home)' else url}")
                for feat, d in page["diffs"].items():
                    counts = f" (tables: {d['counts'][0]} vs {d['counts'][1]})" if "counts" in d else ""
                    print(f"  {feat} {page['scores'][feat]:.3f}{counts}")
                    for side in ("mkdocs_only", "portico_only"):
                        items = sorted(Counter(d[side]).items())
                        if items:
                            shown = [shorten(k) + (f" ×{c}" if c > 1 else "") for k, c in items]
                            print(f"    {side}: " + " · ".join(shown[:40]) + (" · …" if len(shown) > 40 else ""))


SET_NAMES = ["documented-component", "systems-techdocs", "example-org", "book"]


def main() -> int:
    ap = argparse.ArgumentParser(
        description="Compare Portico's TechDocs rendering with MkDocs + mkdocs-techdocs-core, page by page.",
        epilog="Cells are 'mean over pages/worst page' per feature. The module docstring has the setup and the "
        "feature definitions.",
    )
    ap.add_argument("--mkdocs", default=os.environ.get("MKDOCS", "/tmp/fidelity-venv/bin/mkdocs"),
                    help="mkdocs executable of a venv with mkdocs-techdocs-core (default: $MKDOCS or %(default)s)")
    ap.add_argument("--portico", default=str(REPO / "target" / "release" / "portico"),
                    help="portico binary (default: %(default)s)")
    ap.add_argument("--work", type=Path,
                    help="work folder to create and keep (default: a temp folder, removed unless --keep)")
    ap.add_argument("--keep", action="store_true", help="keep the temp work folder with both sides' builds")
    ap.add_argument("--set", action="append", dest="only", choices=SET_NAMES, help="only this docs set (repeatable)")
    ap.add_argument("--project", action="append", type=Path, default=[], metavar="DIR",
                    help="also compare a public MkDocs project (a folder holding mkdocs.yml), repeatable")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each page's differences")
    ap.add_argument("--json", type=Path, metavar="FILE", help="write all scores and differences as JSON")
    ap.add_argument("--strict", action="store_true",
                    help=f"exit 1 if any site's mean is below {GOAL} on a goal feature (all but ids, lists)")
    args = ap.parse_args()

    for exe in (args.mkdocs, args.portico):
        if not (Path(exe).exists() or shutil.which(exe)):
            ap.error(f"{exe} not found (see the setup in the module docstring)")

    if args.work:
        args.work.mkdir(parents=True)
        work = args.work
    else:
        work = Path(tempfile.mkdtemp(prefix="portico-fidelity-"))
    try:
        bin_dir = work / "bin"
        bin_dir.mkdir()
        (bin_dir / "plantuml").write_text(PLANTUML_STUB)
        (bin_dir / "plantuml").chmod(0o755)
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")

        report: dict = {"goal": GOAL, "versions": versions(args.mkdocs), "sets": {}}
        rows, all_pages, failing = [], [], []
        raw_rows, all_raw = [], []
        projects = [project_set(p.resolve(), work) for p in args.project]
        for ds in docs_sets(work) + projects:
            if args.only and ds.name not in args.only and not ds.name.startswith("project-"):
                continue
            build_portico(ds, args.portico, work)
            set_pages, set_raw = [], []
            for site in ds.sites:
                build_mkdocs(site, args.mkdocs, work, env)
                scored, raw_scored, site_report = compare_site(site)
                set_raw += raw_scored
                report["sets"].setdefault(ds.name, {})[site.name] = site_report
                summary = site_report["summary"]
                rows.append((f"  {site.name}", len(scored), summary))
                set_pages += scored
                failing += [f"{site.name}:{f}={summary[f][0]:.3f}" for f in GOAL_FEATURES if summary[f][0] < GOAL]
            rows.append((ds.name, len(set_pages), summarise(set_pages)))
            raw_rows.append((ds.name, len(set_raw), summarise(set_raw)))
            all_pages += set_pages
            all_raw += set_raw
        overall = summarise(all_pages)
        rows.append(("ALL", len(all_pages), overall))
        raw_rows.append(("ALL", len(all_raw), summarise(all_raw)))
        report["overall"] = overall
        report["overall_as_rendered"] = raw_rows[-1][2]

        print(f"MkDocs side: {report['versions']}\n")
        print(table(rows))
        print(f"\ncells: mean over pages/worst page; goal: mean >= {GOAL} for every site on "
              + ", ".join(GOAL_FEATURES) + " (ids, lists: informational)")
        print("worst pages: " + ", ".join(
            f"{f}={overall[f][1]:.2f} {overall[f][2]}" for f in FEATURES if overall[f][1] < 1))
        print_exclusions(report)
        print("\nas rendered (explained exclusions kept in):\n")
        print(table(raw_rows))
        print_notes(report)
        if args.verbose:
            print_differences(report)
        if failing:
            print(f"\nbelow {GOAL}: " + ", ".join(failing))
        if args.json:
            args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
        if args.keep or args.work:
            print(f"\nbuilds kept in {work}")
        return 1 if (args.strict and failing) else 0
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
