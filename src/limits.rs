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
