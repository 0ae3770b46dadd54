//! Reading one repository's catalog files into entity documents.
//!
//! Starts from the repository's entry points (the configured catalog paths,
//! `catalog-info.yaml` by default, and any explicit Location files), then
//! follows Location entities' targets inside the repository, each file read
//! once. Targets that are web URLs are handed back to the pipeline, which
//! maps them onto other local repositories. Files that only serve as a
//! Template's skeleton are never read as entities.

use super::entity_ref::EntityRef;
use super::failed_reads::{AlsoRead, FailedRead, ReaderId, reader_id};
use super::location::RepoLocation;
use super::substitute::{self, ByteBudget, Context};
use super::validate::{self, Identity};
use super::{Rejection, RepoCommit};
use crate::diagnostics::{Diagnostic, LineIndex, SourceFile};
use crate::limits::MAX_REPO_CATALOG_BYTES;
use crate::read::{Listing, Snapshot, safe_path};
use crate::yaml::{self, Node, Pos};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

impl LoadedEntity {
    /// The entity's ref, from its identity.
    pub fn entity_ref(&self) -> EntityRef {
        let id = &self.identity;
        EntityRef::new(&id.kind, &id.namespace, &id.name)
    }

    /// Where the entity's name is written (its `metadata.name` value), else
    /// where its document starts: where problems with its identity point.
    pub fn name_position(&self) -> Pos {
        self.doc
            .get("metadata")
            .and_then(|m| m.get("name"))
            .map_or(self.doc.pos, |n| n.pos)
    }

    /// The file the entity was read from, for placing diagnostics.
    pub fn source_file(&self) -> SourceFile<'_> {
        SourceFile {
            repo: &self.repo,
            repo_dir: &self.repo_dir,
            path: &self.file,
            text: &self.text,
            line_index: Some(&self.line_index),
        }
    }
}

/// A catalog file to read, and what led to it.
#[derive(Clone, Debug)]
pub struct Entry {
    pub path: String,
    /// Found by a glob: dropped if it turns out to be template skeleton.
    pub by_glob: bool,
    /// `managed-by-origin-location` of what led here; `None` for entry points.
    pub origin: Option<String>,
    /// Where a Location names it (a diagnostic placed at the target's line),
    /// so a target that cannot be read is reported where it is named.
    pub named_at: Option<Box<Diagnostic>>,
    /// The Location that names it; `None` for entry points.
    pub reader: Option<ReaderId>,
}

/// A Location target that is a web URL, for the pipeline to map.
#[derive(Clone, Debug)]
pub struct RemoteTarget {
    pub url: String,
    pub optional: bool,
    pub origin: String,
    /// Where the target is written, for diagnostics about it.
    pub place: Diagnostic,
    /// The Location that names it.
    pub reader: ReaderId,
}

/// An entity document as read, before the catalog is assembled.
#[derive(Clone, Debug)]
pub struct LoadedEntity {
    pub identity: Identity,
    pub doc: Arc<Node>,
    /// The lines of its YAML document in the file.
    pub lines: std::ops::Range<usize>,
    pub repo: String,
    pub repo_dir: String,
    pub file: String,
    pub text: Arc<str>,
    /// `text`'s lines, for quoting them in diagnostics.
    pub line_index: Arc<LineIndex>,
    pub location: String,
    pub origin: String,
    /// `backstage.io/source-location`: web locations only.
    pub source_location: Option<String>,
    /// `view-url` and `edit-url` (no edit URL at a commit id): web locations only.
    pub view_edit: Option<(String, Option<String>)>,
    /// The commit the repository was read at (git repositories only).
    pub commit: Option<Arc<RepoCommit>>,
    /// Why Backstage would not accept this entity: the first error reported
    /// on its document (see [`super::Rejection`]), or the failure of the
    /// read that found it (`failed_reads`).
    pub rejected: Option<super::Rejection>,
    /// The Location whose target this file is; `None` for entry points.
    pub read_by: Option<ReaderId>,
}

/// All a repository contributed.
#[derive(Clone, Debug, Default)]
pub struct RepoLoad {
    pub entities: Vec<LoadedEntity>,
    pub diagnostics: Vec<Diagnostic>,
    pub visited: HashSet<String>,
    pub remote_targets: Vec<RemoteTarget>,
    /// Reads that fail the Location that made them (see
    /// [`super::failed_reads`]).
    pub failed_reads: Vec<FailedRead>,
    /// Files a Location names that another read first.
    pub also_read: Vec<AlsoRead>,
}

fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '[', '{'])
}

/// Catalog paths as Backstage matches them (also used by the portal to
/// list what a Location read).
pub fn glob_set(patterns: &[&str]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        // `*` stops at `/`, as in Backstage's globs; `**` crosses folders.
        let glob = GlobBuilder::new(p)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("invalid glob `{p}`: {e}"))?;
        builder.add(glob);
    }
    builder.build().map_err(|e| e.to_string())
}

/// The part of a glob before its first special character: every path it
/// matches starts with it.
pub fn literal_prefix(pattern: &str) -> &str {
    &pattern[..pattern
        .find(['*', '?', '[', '{', '\\'])
        .unwrap_or(pattern.len())]
}

/// Files matching `patterns` in `listing`, skipping paths that are
/// clearly template placeholders (`{{ ... }}` in a folder or file name).
fn matching_files(listing: Listing, patterns: &[&str]) -> Result<Vec<String>, String> {
    let set = glob_set(patterns)?;
    Ok(listing
        .files
        .into_iter()
        .filter(|p| !p.contains("{{") && set.is_match(p))
        .collect())
}

/// The folder every path a glob matches is in (`""`: anywhere).
fn glob_folder(pattern: &str) -> &str {
    let literal = literal_prefix(pattern);
    literal.rfind('/').map_or("", |end| &literal[..end])
}

/// The warning for globs that may have missed files a listing cut short,
/// when any did: `what` says which files, given those globs (joined).
fn cut_glob(
    listing: &Listing,
    patterns: &[&str],
    what: impl Fn(&str) -> String,
) -> Option<Diagnostic> {
    let cut: Vec<&str> = patterns
        .iter()
        .copied()
        .filter(|p| listing.cut_under(glob_folder(p)))
        .collect();
    if cut.is_empty() {
        return None;
    }
    let what = what(&cut.join("`, `"));
    Some(
        Diagnostic::warning(
            "listing-truncated",
            format!(
                "the repository's files were listed only in part ({} files, or {} entries looked at): {what} past that are left out",
                crate::limits::MAX_LISTED_FILES,
                crate::limits::MAX_LISTED_ENTRIES,
            ),
        )
        .with_hint("keep generated or vendored files out of the repository, or start the glob with the folder it looks in (`services/**/catalog-info.yaml`)"),
    )
}

/// As [`matching_files`] for one pattern, in `files` (the repository's,
/// sorted): only the files starting with the pattern's literal part are
/// tried, so many glob targets do not each go through every file.
fn matching_listed_files(files: &[String], pattern: &str) -> Result<Vec<String>, String> {
    let set = glob_set(&[pattern])?;
    Ok(candidates(files, pattern)
        .iter()
        .filter(|p| !p.contains("{{") && set.is_match(p))
        .cloned()
        .collect())
}

/// The files of `files` (sorted) a glob could match: those starting with
/// its literal prefix, which are consecutive.
fn candidates<'a>(files: &'a [String], pattern: &str) -> &'a [String] {
    let literal = literal_prefix(pattern);
    let start = files.partition_point(|f| f.as_str() < literal);
    let length = files[start..].partition_point(|f| f.starts_with(literal));
    &files[start..start + length]
}

/// The repository's entry points: configured catalog paths (globs allowed)
/// and explicit Location files; and a `listing-truncated` warning (for the
/// repository) when a glob may have missed files past a listing's cut.
pub fn entry_points(
    snapshot: &Snapshot,
    catalog_paths: &[String],
    explicit: &[String],
) -> (Vec<Entry>, Option<Diagnostic>) {
    let mut entries: Vec<Entry> = explicit
        .iter()
        .map(|p| Entry {
            path: p.clone(),
            by_glob: false,
            origin: None,
            named_at: None,
            reader: None,
        })
        .collect();
    let (globs, exact): (Vec<&str>, Vec<&str>) = catalog_paths
        .iter()
        .map(String::as_str)
        .partition(|p| is_glob(p));
    for path in exact {
        if snapshot.exists(path) {
            entries.push(Entry {
                path: path.to_string(),
                by_glob: false,
                origin: None,
                named_at: None,
                reader: None,
            });
        }
    }
    let mut cut = None;
    if !globs.is_empty() {
        let listing = snapshot.list_files_cut();
        cut = cut_glob(&listing, &globs, |g| {
            format!("catalog files matching `{g}`")
        });
        // Patterns were checked when the configuration was read.
        for path in matching_files(listing, &globs).unwrap_or_default() {
            entries.push(Entry {
                path,
                by_glob: true,
                origin: None,
                named_at: None,
                reader: None,
            });
        }
    }
    (entries, cut)
}

/// Reads `entries` and everything their Locations lead to in this repository.
pub fn load(snapshot: &Snapshot, entries: Vec<Entry>, already_read: &HashSet<String>) -> RepoLoad {
    let links = RepoLocation::of(snapshot);
    let mut out = RepoLoad::default();
    let mut queue: VecDeque<Entry> = VecDeque::new();
    let repo_dir = snapshot.source.display.as_str();
    enqueue(
        &mut queue,
        (&mut out.visited, &mut out.also_read),
        (already_read, repo_dir),
        entries,
    );
    let mut from_glob: Vec<String> = Vec::new();
    let mut shared = Shared {
        skeletons: Vec::new(),
        placeholder_bytes: ByteBudget::default(),
        files: None,
        catalog_bytes: 0,
    };
    while let Some(entry) = queue.pop_front() {
        let next = read_file(snapshot, &links, &entry, &mut out, &mut shared);
        if entry.by_glob {
            from_glob.push(entry.path.clone());
        }
        enqueue(
            &mut queue,
            (&mut out.visited, &mut out.also_read),
            (already_read, repo_dir),
            next,
        );
    }
    drop_skeleton_files(&mut out, &from_glob, &shared.skeletons);
    out
}

/// Queues the entries whose files are neither read nor queued yet (and
/// marks them visited), so many Locations naming the same files do not
/// fill the queue with copies. The first entry to name a file is the one
/// that reads it, as it would be the first taken from the queue; another
/// Location naming it is recorded as reading it too (`also_read`: Backstage
/// reads it again for each, so it fails with the file, and the file's
/// entities stay while any of them holds).
fn enqueue(
    queue: &mut VecDeque<Entry>,
    (visited, also_read): (&mut HashSet<String>, &mut Vec<AlsoRead>),
    (already_read, repo_dir): (&HashSet<String>, &str),
    entries: Vec<Entry>,
) {
    for entry in entries {
        if !already_read.contains(&entry.path) && visited.insert(entry.path.clone()) {
            queue.push_back(entry);
        } else if let Some(reader) = entry.reader {
            also_read.push(AlsoRead {
                reader,
                repo_dir: repo_dir.to_string(),
                file: entry.path,
            });
        }
    }
}

/// What the files of one load share, beside its output.
struct Shared {
    /// Folders holding Template skeletons, found so far.
    skeletons: Vec<String>,
    /// What placeholders may still read.
    placeholder_bytes: ByteBudget,
    /// The repository's files, sorted; listed once, when a glob target
    /// first needs them.
    files: Option<Listing>,
    /// Bytes of catalog files read so far (`MAX_REPO_CATALOG_BYTES`).
    catalog_bytes: u64,
}

/// Removes what was read from glob-found files inside template skeletons.
fn drop_skeleton_files(out: &mut RepoLoad, from_glob: &[String], skeletons: &[String]) {
    let skeletons: HashSet<&str> = skeletons.iter().map(String::as_str).collect();
    // Looked up by the path's folders, so many Templates cost no more per file.
    let in_skeleton = |path: &str| {
        skeletons.contains("")
            || path
                .match_indices('/')
                .any(|(i, _)| skeletons.contains(&path[..i]))
    };
    let template_files: HashSet<&str> = out
        .entities
        .iter()
        .filter(|e| e.identity.kind == "Template")
        .map(|e| e.file.as_str())
        .collect();
    let dropped: HashSet<String> = from_glob
        .iter()
        .map(String::as_str)
        .filter(|p| in_skeleton(p) && !template_files.contains(p))
        .map(str::to_string)
        .collect();
    if dropped.is_empty() {
        return;
    }
    out.entities.retain(|e| !dropped.contains(e.file.as_str()));
    out.failed_reads
        .retain(|f| !dropped.contains(f.file.as_str()));
    out.also_read.retain(|a| !dropped.contains(a.file.as_str()));
    out.diagnostics
        .retain(|d| !dropped.contains(d.file.as_str()));
}

/// The commit a repository was read at, for entity pages.
pub(crate) fn repo_commit(snapshot: &Snapshot) -> Option<Arc<RepoCommit>> {
    let git = snapshot.git.as_ref()?;
    let id = git.commit.clone()?;
    let (date, author) = git.commit_by.clone().unwrap_or_default();
    Some(Arc::new(RepoCommit {
        id,
        date,
        author,
        branch: git.branch.clone(),
    }))
}

fn read_file(
    snapshot: &Snapshot,
    links: &RepoLocation,
    entry: &Entry,
    out: &mut RepoLoad,
    shared: &mut Shared,
) -> Vec<Entry> {
    let repo = &snapshot.source;
    let commit = repo_commit(snapshot);
    if shared.catalog_bytes > MAX_REPO_CATALOG_BYTES {
        return Vec::new();
    }
    // A failure of this read, at `line` (0: the file), for the Location
    // that made it (see `super::failed_reads`).
    let failed = |line: usize, code: &'static str, message: String| FailedRead {
        reader: entry.reader.clone(),
        repo_dir: repo.display.clone(),
        file: entry.path.clone(),
        line,
        code,
        message,
    };
    let read = snapshot.read_text(&entry.path).and_then(|text| {
        shared.catalog_bytes += text.len() as u64;
        if shared.catalog_bytes > MAX_REPO_CATALOG_BYTES {
            return Err(crate::read::ReadError::Io {
                path: entry.path.clone(),
                message: format!(
                    "this repository's catalog files pass {} MB together: it and the catalog files after it were not read",
                    MAX_REPO_CATALOG_BYTES / (1024 * 1024)
                ),
            });
        }
        Ok(text)
    });
    let text: Arc<str> = match read {
        Ok(text) => text.into(),
        Err(e) => {
            let d = match &entry.named_at {
                // Where the Location names it; about the file too (`--changed-since`).
                Some(place) => Diagnostic::error(
                    "file-unreadable",
                    format!("this Location's target cannot be read: {e}"),
                )
                .at_place_of(place)
                .about(Some(crate::diagnostics::display_path(
                    &repo.display,
                    &entry.path,
                ))),
                None => Diagnostic::error("file-unreadable", e.to_string()).in_repo(
                    &repo.name,
                    &repo.display,
                    &entry.path,
                ),
            };
            if entry.reader.is_some() {
                out.failed_reads.push(failed(0, d.code, d.message.clone()));
            }
            out.diagnostics.push(d.with_hint(
                "catalog files are UTF-8 text files (at most 10 MB) inside the repository, not in `.git`, not reached through a symlink out",
            ));
            return Vec::new();
        }
    };
    let line_index = Arc::new(LineIndex::new(&text));
    let file = SourceFile {
        repo: &repo.name,
        repo_dir: &repo.display,
        path: &entry.path,
        text: &text,
        line_index: Some(&line_index),
    };
    let location = links.location_of(&entry.path);
    let origin = entry
        .origin
        .clone()
        .unwrap_or_else(|| links.registered_as(&entry.path));
    let stream = yaml::parse_stream(&text, yaml::Budget::default());
    let mut next = Vec::new();
    // Each document owns the lines up to the next one, for placing diagnostics.
    let starts: Vec<usize> = stream.documents.iter().map(|d| d.pos.line).collect();
    for (i, doc) in stream.documents.into_iter().enumerate() {
        let lines = doc.pos.line..starts.get(i + 1).copied().unwrap_or(usize::MAX);
        let Some(mut root) = doc.root else { continue };
        let first_problem = out.diagnostics.len();
        // Judged as Backstage's reader passes it on: before placeholders.
        let envelope = validate::envelope_problem(&root);
        if root.as_map().is_some() {
            let mut ctx = Context {
                snapshot,
                links,
                file,
                bytes: &mut shared.placeholder_bytes,
                nodes_left: substitute::nodes_left(root.size()),
            };
            substitute::substitute(&mut root, &mut ctx, &mut out.diagnostics);
        }
        let identity = validate::validate(&root, &file, &mut out.diagnostics);
        if let Some(owner) = declared_owner(&root) {
            for d in &mut out.diagnostics[first_problem..] {
                d.owner = Some(owner.to_string());
            }
        }
        if let Some(problem) = envelope {
            let own = out.diagnostics[first_problem..]
                .iter()
                .find(|d| d.severity == crate::diagnostics::Severity::Error);
            let (line, code, message) = match own {
                Some(d) => (d.line, d.code, format!("{problem}: {}", d.message)),
                None => (root.pos.line, "invalid-entity", problem.to_string()),
            };
            out.failed_reads.push(failed(line, code, message));
        }
        let Some(identity) = identity else {
            continue;
        };
        match identity.kind.as_str() {
            "Location" => next.extend(targets(
                snapshot,
                &mut shared.files,
                &root,
                &file,
                (&origin, &reader_id(&repo.display, &entry.path, lines.start)),
                out,
            )),
            "Template" => shared
                .skeletons
                .extend(skeleton_dirs(&root, &identity, &entry.path)),
            _ => {}
        }
        let rejected = Rejection::first_of(&out.diagnostics[first_problem..]);
        out.entities.push(LoadedEntity {
            identity,
            doc: Arc::new(root),
            lines,
            repo: repo.name.clone(),
            repo_dir: repo.display.clone(),
            file: entry.path.clone(),
            text: text.clone(),
            line_index: line_index.clone(),
            location: location.clone(),
            origin: origin.clone(),
            source_location: links.source_of(&entry.path),
            view_edit: links.view_and_edit_annotations(&entry.path),
            commit: commit.clone(),
            rejected,
            read_by: entry.reader.clone(),
        });
    }
    if let Some(err) = stream.error {
        let message = format!("invalid YAML: {}", err.message);
        out.failed_reads
            .push(failed(err.pos.line, "yaml-syntax", message.clone()));
        out.diagnostics.push(
            Diagnostic::error("yaml-syntax", message)
                .with_hint("fix the YAML syntax; Portico read the documents before this point, Backstage reads none of the file")
                .in_file(&file, err.pos.line, err.pos.column),
        );
    }
    next
}

/// `spec.owner` as Backstage resolves it (default kind Group, the
/// document's namespace), read straight from the document so that even an
/// invalid entity's problems have someone to go to.
fn declared_owner(root: &Node) -> Option<EntityRef> {
    let owner = root.get("spec")?.get("owner")?.as_str()?;
    let namespace = root
        .get("metadata")
        .and_then(|m| m.get("namespace"))
        .and_then(Node::as_str)
        .filter(|ns| validate::is_valid_dns_label(ns))
        .unwrap_or("default");
    EntityRef::parse(owner, Some("group"), namespace).ok()
}

/// The files a Location entity points to, inside this repository.
/// `files`: the repository's files, listed here when a glob first needs them.
fn targets(
    snapshot: &Snapshot,
    files: &mut Option<Listing>,
    root: &Node,
    file: &SourceFile<'_>,
    (origin, reader): (&str, &ReaderId),
    out: &mut RepoLoad,
) -> Vec<Entry> {
    let Some(spec) = root.get("spec") else {
        return Vec::new();
    };
    let location_type = spec.get("type").and_then(Node::as_str);
    let optional = spec.get("presence").and_then(Node::as_str) == Some("optional");
    // A target Portico will not read (outside the repository, a broken
    // glob): Backstage reads it somewhere else, finds nothing and, the files
    // being optional, goes on: then no failure of the Location.
    let unread_target = match optional {
        true => crate::diagnostics::Severity::Warning,
        false => crate::diagnostics::Severity::Error,
    };
    let mut nodes: Vec<&Node> = spec.get("target").into_iter().collect();
    nodes.extend(
        spec.get("targets")
            .and_then(Node::as_seq)
            .unwrap_or_default(),
    );
    if let Some(t) = location_type.filter(|t| !matches!(*t, "url" | "file")) {
        // DefaultCatalogProcessingOrchestrator `runSpecialLocationStep`: no
        // default processor reads other types, and the first target fails
        // the whole Location (nothing under it is read).
        if let Some(first) = nodes.iter().find_map(|n| n.as_str()) {
            let at = spec.get("type").map_or(root.pos, |n| n.pos);
            out.diagnostics.push(
                Diagnostic::error(
                    "unsupported-location-type",
                    format!(
                        "Backstage rejects this Location: No processor was able to handle reading of {t}:{first}"
                    ),
                )
                .with_hint(
                    "Backstage reads `url` and `file` Locations (a `dir` target is not a catalog file); list catalog files with `type: url` or leave `type` out",
                )
                .in_file(file, at.line, at.column),
            );
        }
        return Vec::new();
    }
    let mut found = Vec::new();
    // Each target once, each file once, and a bounded amount of glob
    // matching (each glob against the files its literal part allows): a target
    // list of aliases (`[&g "**", *g, *g, …]`) made a hundred thousand
    // times every file before anything was deduplicated.
    let mut targets_seen: HashSet<&str> = HashSet::new();
    let mut paths_found: HashSet<String> = HashSet::new();
    let mut glob_checks = 0usize;
    for node in nodes {
        let Some(target) = node.as_str() else {
            continue;
        };
        if !targets_seen.insert(target) {
            continue;
        }
        let place = |d: Diagnostic| d.in_file(file, node.pos.line, node.pos.column);
        if target.contains("://") {
            out.remote_targets.push(RemoteTarget {
                url: target.to_string(),
                optional,
                origin: origin.to_string(),
                place: place(Diagnostic::info("location-target", "")),
                reader: reader.clone(),
            });
            continue;
        }
        let path = match safe_path::join(safe_path::parent(file.path), target) {
            Ok(path) => path,
            Err(e) => {
                out.diagnostics.push(place(
                    Diagnostic::new(unread_target, "location-target-outside", format!("Location target: {e}"))
                        .with_hint("targets must be files inside the same repository, relative to the Location file"),
                ));
                continue;
            }
        };
        let paths = if is_glob(&path) {
            let listing = files.get_or_insert_with(|| snapshot.list_files_cut());
            let files = &listing.files;
            if glob_checks > MAX_LOCATION_GLOB_CHECKS {
                continue;
            }
            glob_checks += candidates(files, &path).len();
            if glob_checks > MAX_LOCATION_GLOB_CHECKS {
                out.diagnostics.push(place(
                    Diagnostic::error(
                        "location-target-invalid",
                        format!("this Location's glob targets would be matched against more than {MAX_LOCATION_GLOB_CHECKS} files in all: this one and the globs after it are not read"),
                    )
                    .with_hint("use fewer globs, each starting with the folder it looks in (`teams/payments/**/catalog-info.yaml`), or one wide glob (`**/catalog-info.yaml`)"),
                ));
                continue;
            }
            let what = |g: &str| format!("files matching this target (`{g}`)");
            let cut = cut_glob(listing, &[path.as_str()], what);
            let listed_whole = cut.is_none();
            if let Some(cut) = cut {
                out.diagnostics.push(place(cut));
            }
            match matching_listed_files(files, &path) {
                // Backstage's readers: no match is "not found", which fails
                // the Location unless the files may be missing.
                Ok(found) if found.is_empty() && !optional && listed_whole => {
                    out.diagnostics.push(place(
                        Diagnostic::error(
                            "location-target-missing",
                            format!(
                                "Location target `{target}` matches no file (looked for `{path}`)"
                            ),
                        )
                        .with_hint(
                            "fix the pattern, or add `presence: optional` to the Location's spec",
                        ),
                    ));
                    Vec::new()
                }
                Ok(found) => found,
                Err(e) => {
                    out.diagnostics.push(place(Diagnostic::new(
                        unread_target,
                        "location-target-invalid",
                        e,
                    )));
                    Vec::new()
                }
            }
        } else if snapshot.exists(&path) {
            vec![path]
        } else {
            if !optional {
                out.diagnostics.push(place(
                    Diagnostic::error(
                        "location-target-missing",
                        format!("Location target `{target}` does not exist (looked for `{path}`)"),
                    )
                    .with_hint("fix the path, or add `presence: optional` to the Location's spec"),
                ));
            }
            Vec::new()
        };
        found.extend(
            paths
                .into_iter()
                .filter(|path| paths_found.insert(path.clone()))
                .map(|path| Entry {
                    path,
                    by_glob: false,
                    origin: Some(origin.to_string()),
                    named_at: Some(Box::new(place(Diagnostic::info("location-target", "")))),
                    reader: Some(reader.clone()),
                }),
        );
    }
    found
}

/// Files one Location's glob targets are matched against, all together
/// (each glob against the files starting with its literal part): a
/// hundred globs by folder are cheap, a hundred `**` globs over a big
/// repository are not.
const MAX_LOCATION_GLOB_CHECKS: usize = 5_000_000;

/// Folders holding a Template's skeleton, whose files are not entities.
fn skeleton_dirs(root: &Node, identity: &Identity, path: &str) -> Vec<String> {
    let dir = safe_path::parent(path);
    let spec = root.get("spec");
    let mut dirs = Vec::new();
    if identity.api_version == "backstage.io/v1alpha1"
        || identity.api_version == "backstage.io/v1beta1"
    {
        // Cookiecutter-era templates keep their content next to the file.
        let content = spec
            .and_then(|s| s.get("path"))
            .and_then(Node::as_str)
            .unwrap_or(".");
        dirs.extend(safe_path::join(dir, "skeleton").ok());
        dirs.extend(safe_path::join(dir, "template").ok());
        if content != "." {
            dirs.extend(safe_path::join(dir, content).ok());
        }
    }
    let steps = spec
        .and_then(|s| s.get("steps"))
        .and_then(Node::as_seq)
        .unwrap_or_default();
    for step in steps {
        let action = step.get("action").and_then(Node::as_str).unwrap_or("");
        if !action.starts_with("fetch:") {
            continue;
        }
        let input = step.get("input").or_else(|| step.get("parameters"));
        let Some(url) = input.and_then(|i| i.get("url")).and_then(Node::as_str) else {
            continue;
        };
        if url.contains("://") || url.contains("${{") {
            continue;
        }
        if let Ok(p) = safe_path::join(dir, url) {
            dirs.push(p);
        } else if url == "." || url == "./" {
            dirs.push(dir.to_string());
        }
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_globs_literal_prefix_starts_every_match() {
        assert_eq!(literal_prefix("teams/a*.yaml"), "teams/a");
        assert_eq!(literal_prefix("l1.y?ml"), "l1.y");
        assert_eq!(literal_prefix("{a,b}/x.yaml"), "");
        assert_eq!(literal_prefix("a/[bc].yaml"), "a/");
        assert_eq!(literal_prefix("plain/file.yaml"), "plain/file.yaml");
    }

    /// Matching only the files after the literal prefix finds what matching
    /// every file finds.
    #[test]
    fn listed_files_match_as_a_full_scan_does() {
        let mut files: Vec<String> = [
            "a.yaml",
            "l1.yaml",
            "l10.yaml",
            "l1.yml",
            "teams/a.yaml",
            "teams/ab.yaml",
            "teams/deep/a.yaml",
            "teams/{{x}}.yaml",
            "teamsx.yaml",
        ]
        .map(String::from)
        .to_vec();
        files.sort();
        for pattern in [
            "l1.y*ml",
            "teams/*.yaml",
            "teams/**/*.yaml",
            "*.yaml",
            "t*/a.yaml",
        ] {
            let set = glob_set(&[pattern]).unwrap();
            let scanned: Vec<&String> = files
                .iter()
                .filter(|p| !p.contains("{{") && set.is_match(p.as_str()))
                .collect();
            let listed = matching_listed_files(&files, pattern).unwrap();
            assert_eq!(listed.iter().collect::<Vec<_>>(), scanned, "{pattern}");
        }
        assert!(matching_listed_files(&files, "a[.yaml").is_err());
        // A glob is matched only against the files its literal part allows.
        let sorted: Vec<String> = ["a/x.yaml", "b/c/x.yaml", "b/d.yaml", "bz.yaml", "c.yaml"]
            .map(String::from)
            .to_vec();
        assert_eq!(candidates(&sorted, "b/**/*.yaml"), &sorted[1..3]);
        assert_eq!(candidates(&sorted, "**/x.yaml").len(), 5);
        assert!(candidates(&sorted, "d/*.yaml").is_empty());
    }

    #[test]
    fn files_under_many_skeletons_are_dropped_by_folder() {
        let mut out = RepoLoad::default();
        let kept = Diagnostic::error("x", "").in_repo("r", "r", "services/a.yaml");
        let dropped = Diagnostic::error("x", "").in_repo("r", "r", "tpl/7/skeleton/a.yaml");
        out.diagnostics = vec![kept.clone(), dropped];
        let skeletons: Vec<String> = (0..10_000).map(|i| format!("tpl/{i}/skeleton")).collect();
        let from_glob = [
            "services/a.yaml",
            "tpl/7/skeleton/a.yaml",
            "tpl/7/skeletons.yaml",
        ]
        .map(String::from);
        drop_skeleton_files(&mut out, &from_glob, &skeletons);
        assert_eq!(out.diagnostics, vec![kept]);
        // A skeleton at the root holds every file found by glob.
        out.diagnostics
            .push(Diagnostic::error("x", "").in_repo("r", "r", "services/a.yaml"));
        drop_skeleton_files(&mut out, &from_glob, &[String::new()]);
        assert!(out.diagnostics.is_empty());
    }
}
