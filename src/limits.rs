//! Every budget Portico enforces on repository content, in one place.
//!
//! A repository is untrusted input: these bounds keep one hostile or broken
//! repository from exhausting memory, time or the stack, or from taking the
//! other repositories' pages down with it. Each is documented, with the
//! diagnostic it gives, in `book/docs/safety.md`; keep the two in step.

/// Largest file read from a repository (catalog files, `$text` targets,
/// Markdown, snippets, assets): `file-unreadable` / `docs-unreadable`.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Most files listed from one repository (for catalog globs and docs folders).
pub const MAX_LISTED_FILES: usize = 200_000;
/// Most entries (files, folders, names left out) a listing of one
/// repository looks at: a git tree whose folders name the same subtree
/// ten times over, ten deep, is 10¹⁰ entries from a few kilobytes.
pub const MAX_LISTED_ENTRIES: usize = 1_000_000;
/// Most names a listing reports as left out (unsafe names).
pub const MAX_SKIPPED_NAMES: usize = 1_000;

/// Symlinks followed in a row inside a repository before giving up (a loop).
pub const MAX_SYMLINK_HOPS: usize = 8;

/// YAML: deepest nesting of sequences and mappings (`yaml-syntax`).
pub const YAML_MAX_DEPTH: usize = 100;
/// YAML: values built in one document, aliases expanded included, so a
/// "billion laughs" bomb is refused in milliseconds (`yaml-syntax`). What
/// `$yaml` and `$json` placeholders add counts toward the same budget
/// (`substitution-failed` at the placeholder that would pass it).
pub const YAML_MAX_NODES: usize = 250_000;
/// YAML: documents in one file.
pub const YAML_MAX_DOCUMENTS: usize = 1_000;
/// YAML: values built in one file, all its documents together (the budget
/// of one document was once all a file of a thousand documents had).
pub const YAML_MAX_STREAM_NODES: usize = 4 * YAML_MAX_NODES;
/// YAML: bytes of keys and scalars built in one file, aliases expanded
/// included: an alias to a long string is one value but a copy of all its
/// bytes (200,000 aliases to a 1 MB string were 200 GB). Without aliases a
/// file builds at most its own size (`MAX_FILE_BYTES`).
pub const YAML_MAX_BYTES: usize = 32 * 1024 * 1024;

/// Bytes of catalog files one repository's load reads, all its files
/// together (`file-unreadable` at the first file past it): a git tree can
/// name one 10 MB blob at a hundred thousand paths.
pub const MAX_REPO_CATALOG_BYTES: u64 = 256 * 1024 * 1024;

/// `$json` placeholders: deepest nesting (`substitution-failed`).
pub const JSON_MAX_DEPTH: usize = 100;

/// `$text`, `$json` and `$yaml` placeholders: bytes of the files they read,
/// in total, per repository load, so a file embedded many times cannot fill
/// memory (`substitution-failed` at the first placeholder past it).
pub const MAX_SUBSTITUTED_BYTES: u64 = 16 * 1024 * 1024;

/// Rows of the "Entities it reads" table on a Location's page: one glob
/// target may match every entity of its repository, and every Location may
/// have one, so unbounded tables grew the site with the square of the
/// repository. The heading keeps the full count; a last row says how many
/// more there are (no diagnostic: nothing is wrong with the repository).
pub const MAX_LOCATION_ROWS: usize = 100;

/// Rounds of following web-URL Location targets into other local repositories.
pub const MAX_REMOTE_LOCATION_ROUNDS: usize = 8;

/// Commits walked per repository for last-changed dates.
pub const MAX_HISTORY_COMMITS: usize = 20_000;

/// Levels of snippets (`--8<--`) that may include snippets.
pub const MAX_SNIPPET_DEPTH: usize = 4;

/// Largest theme file.
pub const MAX_THEME_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Bytes of snippets (`--8<--`) included into one page, nested ones
/// counted (`snippet-budget`): a few small files including each other
/// many times cannot grow a page without bound.
pub const MAX_PAGE_SNIPPET_BYTES: usize = 16 * 1024 * 1024;

/// Admonitions, details, tabs and `markdown` HTML blocks nested in each
/// other (`nesting-too-deep`); deeper openers are shown as written.
pub const MAX_BLOCK_NESTING: usize = 32;

/// Bytes of snippets all pages of one repository's docs may include
/// (`snippet-budget`), shared out in page order before rendering.
pub const MAX_REPO_SNIPPET_BYTES: usize = 64 * 1024 * 1024;

/// Distinct snippet files read for one docs site.
pub const MAX_SNIPPET_FILES: usize = 1_000;

/// Author SVG files in a docs folder (`docs::author_files`): deepest element
/// nesting, counted while streaming, so a file of 100,000 nested `<g>` is
/// refused at once, never recursed into (`Sanitized::Refused`).
pub const SVG_MAX_DEPTH: usize = 256;

/// HTML nesting: deepest nesting of elements that need an end tag, counted
/// by a linear scan before the HTML parser runs (html5ever's work grows
/// with the square of the depth). Author HTML pages in a docs folder deeper
/// than this are refused (`docs::author_files`); a Markdown page whose HTML
/// is deeper shows its raw HTML as text (`html-too-deep`). 100,000 nested
/// `<div>` once took a minute.
pub const HTML_MAX_DEPTH: usize = 512;

/// Sanitised author files (`docs::author_files`): distinct kinds of removed
/// content named in the report; the rest are counted (`… and N more`), so a
/// hostile file cannot make the diagnostic as large as itself.
pub const AUTHOR_FILE_MAX_LISTED_REMOVALS: usize = 20;

/// Markdown elements (parser events: blocks, list items, spans) in one
/// page (`page-too-complex`: the page is shown as plain text). Bounds the
/// memory a page takes while it renders: a 9 MB page of nested list items
/// once took 3 GB.
pub const MAX_PAGE_EVENTS: usize = 2_000_000;

/// Lists and quotes one line may open at once (`- - - x`, `> > x`) before
/// the page is shown as plain text (`page-too-complex`).
pub const MAX_CONTAINERS_PER_LINE: usize = 64;

/// The largest `catalog.json` `check --site` reads (a 2,000-repository
/// organisation's is about 23 MB).
pub const MAX_SITE_CATALOG_BYTES: u64 = 512 * 1024 * 1024;

/// `portico search --limit`: most results one search gives. tantivy sizes its
/// result heap by the limit, so `0` and anything above this are refused by
/// the command line parser (a usage error, exit 2).
pub const MAX_SEARCH_RESULTS: usize = 1_000;

/// `portico search`: longest query, in bytes. A longer one is a usage error
/// (exit 2), not cut short.
pub const MAX_QUERY_BYTES: usize = 1_000;

/// `portico search`: most words (as the index splits them: `shipment-tracker`
/// is two) plus `"quoted phrases"` in a query. Each word becomes a clause with
/// prefix and typo expansions; more is a usage error (exit 2).
pub const MAX_QUERY_WORDS: usize = 32;

/// `portico search`: largest `meta.json` or `.managed.json` in a site's
/// search index, which tantivy reads whole. A larger one makes the index
/// "damaged" (exit 2); Portico's own are a few kilobytes.
pub const MAX_SEARCH_INDEX_META_BYTES: u64 = 16 * 1024 * 1024;

/// A docs nav level (a folder) with more items than this shows each page
/// only its neighbours (`NAV_NEIGHBOURS` on each side) and links to the
/// site's page of all pages: 5,000 pages in one folder once made every page
/// carry all 5,000 links (1.6 GB of HTML).
pub const MAX_NAV_SIBLINGS: usize = 30;
/// Nav items shown on each side of the way to the current page in a long
/// level.
pub const NAV_NEIGHBOURS: usize = 7;

/// Old versions of one docs site built from git tags (`docs-versions-capped`):
/// the newest ones are built, the older left out. Each version is a whole
/// site, so a repository with thousands of matching tags cannot multiply
/// the build by thousands.
pub const MAX_DOCS_VERSIONS: usize = 20;

/// Tags matching a docs versions pattern read (peeled, dated) per
/// repository before the newest [`MAX_DOCS_VERSIONS`] are chosen; past it
/// the rest are not looked at (`docs-versions-capped` says so).
pub const MAX_VERSION_TAGS: usize = 10_000;

/// Pages of one docs site (`docs-too-many-pages`): the first ones by path
/// are built, the rest left out.
pub const MAX_PAGES_PER_SITE: usize = 20_000;

/// Scorecards: files one `files` rule looks at (stats or reads) per
/// entity; the count says when more matched the glob.
pub const MAX_SCORECARD_FILES: usize = 200;

/// Scorecards: longest regular expression in a definition (`pattern-too-long`);
/// the `regex` crate matches in linear time, and this bounds its compiled size too.
pub const MAX_SCORECARD_PATTERN_BYTES: usize = 1_000;

/// Scorecards: compiled size of one regular expression (`regex`'s own limit),
/// so a short pattern such as `(a{1000}){1000}` is refused, not built.
pub const MAX_SCORECARD_REGEX_BYTES: usize = 1024 * 1024;

/// Scorecards: largest definition, attestations or facts file.
pub const MAX_SCORECARD_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Scorecards: rules in one definition, and checks nested in one rule.
pub const MAX_SCORECARD_RULES: usize = 500;
pub const MAX_SCORECARD_CHECK_DEPTH: usize = 16;

/// Scorecards: package entries one lockfile may list (a real monorepo's
/// `package-lock.json` has a few thousand).
pub const MAX_LOCKFILE_PACKAGES: usize = 200_000;

/// Code blocks: bytes of one block that build-time highlighting reads; a
/// larger block is shown as plain, escaped text (no diagnostic: the page is
/// fine). Grammars' regular expressions cost time with the size of the
/// block, and with the square of a line's length on hostile lines.
pub const MAX_HIGHLIGHT_BYTES: usize = 64 * 1024;
/// Code blocks: longest line of a highlighted block; a block with a longer
/// line (minified code, a generated table) is shown plain.
pub const MAX_HIGHLIGHT_LINE_BYTES: usize = 1024;
