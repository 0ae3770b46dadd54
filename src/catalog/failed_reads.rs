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
//! nothing either. Portico reads them all, so it can show and check them,
//! and marks them rejected here, with one warning per failed read saying
//! which entities Backstage leaves out.

use super::Rejection;
use super::load::LoadedEntity;
use crate::diagnostics::{Diagnostic, SourceFile};
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
    pub repo_dir: String,
    /// The file that failed, and the line of the failure (0: the file).
    pub file: String,
    pub line: usize,
    /// The problem's code and message.
    pub code: &'static str,
    pub message: String,
}

impl FailedRead {
    /// The failure, for messages: an error in `file` (line N).
    fn what(&self) -> String {
        match self.line {
            0 => format!("an error reading `{}` ({})", self.file, self.message),
            n => format!("an error in `{}` line {n} ({})", self.file, self.message),
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

/// Why a reader failed: a read of its own, or its Location's rejection.
#[derive(Clone, Debug)]
struct Cause {
    code: &'static str,
    /// The failure, to follow "because of": "an error in `b.yaml` line 3
    /// (invalid YAML: …)".
    what: String,
}

/// Marks rejected every entity read through a failed read or a rejected
/// Location (and what those read in turn), and the Locations whose reads
/// failed; returns one warning per failed reader that took entities with it.
pub fn reject_under_failed(
    entities: &mut [LoadedEntity],
    failed: &[FailedRead],
) -> Vec<Diagnostic> {
    if failed.is_empty()
        && !entities
            .iter()
            .any(|e| is_location(e) && e.rejected.is_some())
    {
        return Vec::new();
    }
    // Entities by what read them: a Location, or their own entry file.
    let mut children: HashMap<Reader, Vec<usize>> = HashMap::new();
    let mut locations: HashMap<ReaderId, usize> = HashMap::new();
    for (i, e) in entities.iter().enumerate() {
        let reader = match &e.read_by {
            Some(id) => Reader::Location(id.clone()),
            None => Reader::File(e.repo_dir.clone(), e.file.clone()),
        };
        children.entry(reader).or_default().push(i);
        if is_location(e) {
            locations.insert(own_id(e), i);
        }
    }

    // Each failed reader once, with its first failure.
    let mut queue: VecDeque<(Reader, Cause)> = VecDeque::new();
    let mut seen: HashSet<Reader> = HashSet::new();
    for f in failed {
        let reader = match &f.reader {
            Some(id) => Reader::Location(id.clone()),
            None => Reader::File(f.repo_dir.clone(), f.file.clone()),
        };
        if seen.insert(reader.clone()) {
            let cause = Cause {
                code: f.code,
                what: f.what(),
            };
            queue.push_back((reader, cause));
        }
    }
    for e in entities.iter().filter(|e| is_location(e)) {
        if let Some(r) = &e.rejected {
            let reader = Reader::Location(own_id(e));
            if seen.insert(reader.clone()) {
                let what = format!("its own error ({}: {})", r.code, r.message);
                queue.push_back((reader, Cause { code: r.code, what }));
            }
        }
    }

    let mut warnings = Vec::new();
    while let Some((reader, cause)) = queue.pop_front() {
        let location = match &reader {
            Reader::Location(id) => locations.get(id).copied(),
            Reader::File(..) => None,
        };
        // A Location failed by a read of its targets is rejected for it.
        if let Some(l) = location
            && entities[l].rejected.is_none()
        {
            entities[l].rejected = Some(Rejection {
                code: cause.code,
                message: format!("Backstage rejects this Location because of {}", cause.what),
            });
        }
        let reader_named = match (&reader, location) {
            (Reader::Location(_), Some(l)) => {
                format!("the Location that reads it ({})", entity_name(&entities[l]))
            }
            (Reader::Location(_), None) => "the Location that reads it".to_string(),
            (Reader::File(..), _) => "its file".to_string(),
        };
        let mut dropped = Vec::new();
        for &c in children.get(&reader).into_iter().flatten() {
            if entities[c].rejected.is_some() {
                // Rejected on its own; what a Location of them read is
                // already queued.
                continue;
            }
            entities[c].rejected = Some(Rejection {
                code: DROPPED,
                message: format!(
                    "Backstage drops this entity: {reader_named} fails because of {}",
                    cause.what
                ),
            });
            dropped.push(c);
            if is_location(&entities[c]) {
                let dropped_reader = Reader::Location(own_id(&entities[c]));
                if seen.insert(dropped_reader.clone()) {
                    // Dropped, it reads nothing: what it read goes too
                    // (said once however deep the Locations nest).
                    let what = match cause.what.starts_with(UPSTREAM) {
                        true => cause.what.clone(),
                        false => format!("{UPSTREAM}, {}", cause.what),
                    };
                    let cause = Cause {
                        code: DROPPED,
                        what,
                    };
                    queue.push_back((dropped_reader, cause));
                }
            }
        }
        if let Some(&first) = dropped.first() {
            warnings.push(warning(entities, location, first, &dropped, &cause));
        }
    }
    warnings
}

/// The code of entities dropped with what read them.
pub const DROPPED: &str = "location-failed";

/// The cause of a Location dropped with what read it, for what it reads.
const UPSTREAM: &str = "the failure of what reads it";

/// The warning for a reader that took `dropped` with it: at the Location
/// (`location`) or, for an entry file, at its first dropped entity.
fn warning(
    entities: &[LoadedEntity],
    location: Option<usize>,
    first: usize,
    dropped: &[usize],
    cause: &Cause,
) -> Diagnostic {
    const SHOWN: usize = 3;
    let mut names: Vec<String> = dropped
        .iter()
        .take(SHOWN)
        .map(|&i| entity_name(&entities[i]))
        .collect();
    if dropped.len() > SHOWN {
        names.push(format!("{} more", dropped.len() - SHOWN));
    }
    let names = names.join(", ");
    let (at, whose) = match location {
        Some(l) => (l, "every entity this Location reads"),
        None => (first, "every entity of this file"),
    };
    let e = &entities[at];
    let file = SourceFile {
        repo: &e.repo,
        repo_dir: &e.repo_dir,
        path: &e.file,
        text: &e.text,
        line_index: Some(&e.line_index),
    };
    let about = dropped
        .iter()
        .map(|&i| crate::diagnostics::display_path(&entities[i].repo_dir, &entities[i].file));
    Diagnostic::warning(
        DROPPED,
        format!("Backstage drops {whose} because of {}: {names}", cause.what),
    )
    .with_hint("fix the failure: Backstage stores nothing from a Location whose processing fails, good entities included")
    .in_file(&file, e.doc.pos.line.max(1), e.doc.pos.column.max(1))
    .about_any(about)
}

fn is_location(e: &LoadedEntity) -> bool {
    e.identity.kind.eq_ignore_ascii_case("location")
}

/// The [`ReaderId`] a Location entity gives what it reads.
fn own_id(e: &LoadedEntity) -> ReaderId {
    reader_id(&e.repo_dir, &e.file, e.lines.start)
}

fn entity_name(e: &LoadedEntity) -> String {
    super::entity_ref::EntityRef::new(&e.identity.kind, &e.identity.namespace, &e.identity.name)
        .to_string()
}
