//! Entities Backstage drops because the read that found them failed.
//!
//! Backstage reads catalog files while it processes the Location that names
//! them (a registered file is the one target of a Location it makes for it).
//! Anything that goes wrong in that read fails the Location's processing as
//! a whole (`ProcessorOutputCollector`: a target that cannot be read, a YAML
//! error in any document, a document that is not a mapping or has no entity
//! envelope, annotations that are not a mapping), and the engine stores
//! nothing a failed processing emitted: none of the entities of any of its
//! targets, good ones included. A Location rejected for its own errors reads
//! nothing either. A file several Locations name is read by each of them:
//! it fails them all, and its entities stay while any of them holds.
//! Portico reads everything once, so it can show and check it, and marks
//! rejected here what Backstage leaves out, with one warning per failure
//! however deep the Locations it took with it nest.

use super::Rejection;
use super::load::LoadedEntity;
use crate::diagnostics::Diagnostic;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

/// Which Location read a file: its repository folder, file and document
/// line, joined (see [`reader_id`]).
pub type ReaderId = Arc<str>;

/// The [`ReaderId`] of the Location document at `line` of `file`.
pub fn reader_id(repo_dir: &str, file: &str, line: usize) -> ReaderId {
    format!("{repo_dir}\n{file}\n{line}").into()
}

/// A read that fails what made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedRead {
    /// The Location that read the file; `None`: the file is an entry point
    /// (its own root Location), and only its own entities are dropped.
    pub reader: Option<ReaderId>,
    /// The repository folder (display) and file that failed, and the line
    /// of the failure (0: the file).
    pub repo_dir: String,
    pub file: String,
    pub line: usize,
    /// The problem's code and message.
    pub code: &'static str,
    pub message: String,
}

/// A file a Location names that another Location (or the repository's
/// entry points) read first: Backstage reads it for this one too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlsoRead {
    pub reader: ReaderId,
    pub repo_dir: String,
    pub file: String,
}

impl FailedRead {
    /// The failure, as a clause to follow "because".
    fn what(&self) -> String {
        let file = match self.repo_dir.is_empty() {
            true => self.file.clone(),
            false => crate::diagnostics::display_path(&self.repo_dir, &self.file),
        };
        match self.line {
            0 => format!("`{file}` cannot be read ({})", self.message),
            n => format!("`{file}` line {n} has an error ({})", self.message),
        }
    }
}

/// What reads files: a Location, or an entry file (its own root Location).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Reader {
    Location(ReaderId),
    /// Repository folder and file.
    File(String, String),
}

impl Reader {
    /// What read `file` of `repo_dir`: the Location `read_by`, or with none
    /// the file itself, an entry point.
    fn of(read_by: Option<&ReaderId>, repo_dir: &str, file: &str) -> Reader {
        match read_by {
            Some(id) => Reader::Location(id.clone()),
            None => Reader::File(repo_dir.to_string(), file.to_string()),
        }
    }
}

/// A file, by repository folder and path.
type FileKey = (String, String);

/// One failure and what it took with it: a warning each.
struct Root {
    code: &'static str,
    /// The failure, as a clause to follow "because".
    what: String,
    /// The Location that failed (its index), if a Location did.
    location: Option<usize>,
    /// The entities it dropped, in the order found.
    dropped: Vec<usize>,
}

/// Marks rejected every entity only failed reads or rejected Locations read
/// (and what those read in turn), and the Locations whose reads failed;
/// returns one warning per failure that took entities with it.
pub fn reject_under_failed(
    entities: &mut [LoadedEntity],
    failed: &[FailedRead],
    also_read: &[AlsoRead],
) -> Vec<Diagnostic> {
    if failed.is_empty()
        && !entities
            .iter()
            .any(|e| is_location(e) && e.rejected.is_some())
    {
        return Vec::new();
    }
    // Who reads each file, what each reader reads, and each file's entities.
    let mut readers_of: HashMap<FileKey, Vec<Reader>> = HashMap::new();
    let mut files_of: HashMap<Reader, Vec<FileKey>> = HashMap::new();
    let mut entities_of: HashMap<FileKey, Vec<usize>> = HashMap::new();
    let mut locations: HashMap<ReaderId, usize> = HashMap::new();
    let mut reads = |file: FileKey, reader: Reader| {
        let readers = readers_of.entry(file.clone()).or_default();
        if !readers.contains(&reader) {
            readers.push(reader.clone());
            files_of.entry(reader).or_default().push(file);
        }
    };
    for (i, e) in entities.iter().enumerate() {
        let file: FileKey = (e.repo_dir.clone(), e.file.clone());
        let reader = Reader::of(e.read_by.as_ref(), &e.repo_dir, &e.file);
        reads(file.clone(), reader);
        entities_of.entry(file).or_default().push(i);
        if is_location(e) {
            locations.insert(own_id(e), i);
        }
    }
    for a in also_read {
        reads(
            (a.repo_dir.clone(), a.file.clone()),
            Reader::Location(a.reader.clone()),
        );
    }

    // Each failed reader once, under the first failure that reached it.
    let mut roots: Vec<Root> = Vec::new();
    let mut failed_by: HashMap<Reader, usize> = HashMap::new();
    let mut queue: VecDeque<Reader> = VecDeque::new();
    for f in failed {
        let own = Reader::of(f.reader.as_ref(), &f.repo_dir, &f.file);
        // Every reader of a file that fails fails with it.
        let others = readers_of
            .get(&(f.repo_dir.clone(), f.file.clone()))
            .cloned()
            .unwrap_or_default();
        for reader in std::iter::once(own).chain(others) {
            if failed_by.contains_key(&reader) {
                continue;
            }
            let location = match &reader {
                Reader::Location(id) => locations.get(id).copied(),
                Reader::File(..) => None,
            };
            roots.push(Root {
                code: f.code,
                what: f.what(),
                location,
                dropped: Vec::new(),
            });
            fail(reader, roots.len() - 1, (&mut failed_by, &mut queue));
        }
    }
    for (i, e) in entities.iter().enumerate() {
        if let (true, Some(r)) = (is_location(e), &e.rejected) {
            let reader = Reader::Location(own_id(e));
            if !failed_by.contains_key(&reader) {
                roots.push(Root {
                    code: r.code,
                    what: format!("it is rejected itself ({}: {})", r.code, r.message),
                    location: Some(i),
                    dropped: Vec::new(),
                });
                fail(reader, roots.len() - 1, (&mut failed_by, &mut queue));
            }
        }
    }

    // What Backstage stores: the files reached from the entry files that
    // did not fail, through Locations that did not fail. A file a failed
    // Location reads is still stored when another one reaches it; a cycle
    // of Locations under a failed one is not.
    let mut reached: HashSet<&FileKey> = HashSet::new();
    let mut alive: VecDeque<Reader> = readers_of
        .values()
        .flatten()
        .filter(|r| matches!(r, Reader::File(..)) && !failed_by.contains_key(*r))
        .cloned()
        .collect();
    let mut alive_seen: HashSet<Reader> = alive.iter().cloned().collect();
    while let Some(reader) = alive.pop_front() {
        for file in files_of.get(&reader).into_iter().flatten() {
            if !reached.insert(file) {
                continue;
            }
            for &c in entities_of.get(file).into_iter().flatten() {
                let next = Reader::Location(own_id(&entities[c]));
                if is_location(&entities[c])
                    && !failed_by.contains_key(&next)
                    && alive_seen.insert(next.clone())
                {
                    alive.push_back(next);
                }
            }
        }
    }

    // What each failure took with it: the files it leads to that nothing
    // alive reaches, Location by Location.
    while let Some(reader) = queue.pop_front() {
        let root = failed_by[&reader];
        // A Location failed by a read of its targets is rejected for it.
        if let Reader::Location(id) = &reader
            && let Some(&l) = locations.get(id)
            && entities[l].rejected.is_none()
        {
            entities[l].rejected = Some(Rejection {
                code: roots[root].code,
                message: format!(
                    "Backstage rejects this Location because {}",
                    roots[root].what
                ),
            });
        }
        for file in files_of.get(&reader).into_iter().flatten() {
            if reached.contains(file) {
                continue;
            }
            for &c in entities_of.get(file).into_iter().flatten() {
                if is_location(&entities[c]) {
                    // Not stored, it reads nothing: what it read goes too,
                    // as the same failure's (unless a failure of its own
                    // got there first).
                    fail(
                        Reader::Location(own_id(&entities[c])),
                        root,
                        (&mut failed_by, &mut queue),
                    );
                }
                if entities[c].rejected.is_some() {
                    // Rejected on its own.
                    continue;
                }
                let message = match roots[root].location {
                    Some(l) => format!(
                        "Backstage drops this entity: {} reads it (directly or through other Locations) and fails because {}",
                        entity_name(&entities[l]),
                        roots[root].what
                    ),
                    None => format!(
                        "Backstage drops this entity: its file fails because {}",
                        roots[root].what
                    ),
                };
                entities[c].rejected = Some(Rejection {
                    code: DROPPED,
                    message,
                });
                roots[root].dropped.push(c);
            }
        }
    }
    roots
        .iter()
        .filter(|root| !root.dropped.is_empty())
        .map(|root| warning(entities, root))
        .collect()
}

/// Records `reader` as failed by `root`, to be worked through, unless a
/// failure reached it already.
fn fail(
    reader: Reader,
    root: usize,
    (failed_by, queue): (&mut HashMap<Reader, usize>, &mut VecDeque<Reader>),
) {
    if !failed_by.contains_key(&reader) {
        failed_by.insert(reader.clone(), root);
        queue.push_back(reader);
    }
}

/// The code of entities dropped with what read them.
pub const DROPPED: &str = "location-failed";

/// The warning for a failure that took entities with it: at the Location
/// that failed or, for an entry file, at its first dropped entity.
fn warning(entities: &[LoadedEntity], root: &Root) -> Diagnostic {
    const SHOWN: usize = 3;
    let dropped = &root.dropped;
    let mut names: Vec<String> = dropped
        .iter()
        .take(SHOWN)
        .map(|&i| entity_name(&entities[i]))
        .collect();
    if dropped.len() > SHOWN {
        names.push(format!("{} more", dropped.len() - SHOWN));
    }
    let names = names.join(", ");
    let (at, whose) = match root.location {
        Some(l) => (l, "every entity this Location reads"),
        None => (dropped[0], "every entity of this file"),
    };
    let e = &entities[at];
    let file = e.source_file();
    let mut about: Vec<String> = dropped
        .iter()
        .map(|&i| crate::diagnostics::display_path(&entities[i].repo_dir, &entities[i].file))
        .collect();
    about.sort();
    about.dedup();
    Diagnostic::warning(
        DROPPED,
        format!("Backstage drops {whose} because {}: {names}", root.what),
    )
    .with_hint("fix that problem: Backstage stores nothing from a Location whose processing fails, good entities included")
    .in_file(&file, e.doc.pos.line.max(1), e.doc.pos.column.max(1))
    .about_any(about)
}

/// The rejection code of a Location document read by a Location of its
/// own ref ([`mark_self_named`]).
pub const SELF_NAMED: &str = "location-self-named";

/// Marks rejected each Location a Location of the same ref reads (a file
/// whose Location names itself as the one that points at the file), and
/// warns of each. Backstage's `ProcessorOutputCollector` ignores an
/// emitted entity whose ref is the one being processed: it is never
/// stored and reads nothing, so what only it reads is read by nothing
/// ([`reject_under_failed`] then drops that). The caller removes the
/// marked documents after: not a duplicate of the Location that read
/// them, and not in the catalog.
pub fn mark_self_named(entities: &mut [LoadedEntity]) -> Vec<Diagnostic> {
    let key = |e: &LoadedEntity| e.entity_ref().key();
    let locations: HashMap<ReaderId, String> = entities
        .iter()
        .filter(|e| is_location(e))
        .map(|e| (own_id(e), key(e)))
        .collect();
    if locations.is_empty() {
        return Vec::new();
    }
    let mut warnings = Vec::new();
    for e in entities.iter_mut() {
        let reader_key = e.read_by.as_ref().and_then(|r| locations.get(r));
        if !is_location(e) || reader_key != Some(&key(e)) {
            continue;
        }
        let name = entity_name(e);
        let message = format!(
            "{name} is the Location that reads this file: Backstage ignores this copy and reads none of its targets"
        );
        let at = e.name_position();
        let file = e.source_file();
        warnings.push(
            Diagnostic::warning(SELF_NAMED, message)
                .with_hint(
                    "remove this document, or give it a name of its own if it is another Location",
                )
                .in_file(&file, at.line.max(1), at.column.max(1)),
        );
        e.rejected = Some(Rejection {
            code: SELF_NAMED,
            message: format!("{name} is read by a Location of the same name"),
        });
    }
    warnings
}

/// Marks rejected each Location another of the same ref comes before, in
/// the order the catalog keeps the first of duplicates in (repository
/// folder, file, place: `catalog::unique_entities`, which reports the
/// copy): Backstage stores one of two Locations of one ref, and the other
/// reads nothing, so what only it reads is dropped ([`reject_under_failed`]).
/// Copies [`mark_self_named`] marked are not counted.
pub fn mark_duplicate_locations(entities: &mut [LoadedEntity]) {
    let key = |e: &LoadedEntity| e.entity_ref().key();
    let mut order: Vec<usize> = (0..entities.len())
        .filter(|&i| {
            is_location(&entities[i])
                && entities[i]
                    .rejected
                    .as_ref()
                    .is_none_or(|r| r.code != SELF_NAMED)
        })
        .collect();
    if order.len() < 2 {
        return;
    }
    order.sort_by(|&a, &b| {
        let (a, b) = (&entities[a], &entities[b]);
        (&a.repo_dir, &a.file, a.doc.pos).cmp(&(&b.repo_dir, &b.file, b.doc.pos))
    });
    let mut seen: HashMap<String, usize> = HashMap::new();
    for i in order {
        let k = key(&entities[i]);
        match seen.get(&k) {
            None => {
                seen.insert(k, i);
            }
            Some(&first) if entities[i].rejected.is_none() => {
                let kept = &entities[first];
                let message = format!(
                    "{} is defined first in {}, the Location Backstage keeps; this copy reads nothing",
                    entity_name(&entities[i]),
                    crate::diagnostics::display_path(&kept.repo_dir, &kept.file)
                );
                entities[i].rejected = Some(Rejection {
                    code: "duplicate-entity",
                    message,
                });
            }
            Some(_) => {}
        }
    }
}

fn is_location(e: &LoadedEntity) -> bool {
    e.identity.kind.eq_ignore_ascii_case("location")
}

/// The [`ReaderId`] a Location entity gives what it reads.
fn own_id(e: &LoadedEntity) -> ReaderId {
    reader_id(&e.repo_dir, &e.file, e.lines.start)
}

fn entity_name(e: &LoadedEntity) -> String {
    e.entity_ref().to_string()
}
