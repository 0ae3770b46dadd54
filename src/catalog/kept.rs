//! Each repository's catalog load kept in the build cache (`portico
//! build`), so a repository whose catalog files did not change is neither
//! read nor parsed again: its entities, diagnostics, visited files and
//! web-URL Location targets are read back as the load made them.
//!
//! The key is what the load is made from besides the files: the catalog
//! paths and `--ref`, the repository's name, shown path, root and kind,
//! and its git facts (branch, commit, remote, the commit's author: edit
//! links and location annotations follow from them; for a bare clone the
//! commit fixes every file). For a work tree or plain folder the entry
//! also holds every answer the load was given about files
//! ([`crate::read::Probes`]: each path read or looked up, with its stamp,
//! and the repository's listing when a glob needed it): the load is
//! reused only while all of them hold, so an edited, added or removed
//! catalog file, `$text` file or Location target reads the repository
//! again. Loads with `--location` files are not kept (they are few).
//! Portico's own version is the cache folder's (see [`crate::cache`]).

use super::Rejection;
use super::failed_reads::{AlsoRead, FailedRead};
use super::load::{LoadedEntity, RemoteTarget, RepoLoad};
use super::validate::Identity;
use crate::cache::DiskCache;
use crate::diagnostics::{Diagnostic, LineIndex};
use crate::memo::Key;
use crate::read::{Probes, Snapshot};
use crate::yaml::Node;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// What a repository's load is kept under in the build cache.
const KIND: &str = "catalog-load";

/// How many kept loads held (reused) and how many were read again, for
/// the build's timings: `DiskCache::counts` of this.
pub const REUSED: &str = "catalog-load-reused";

/// Bumped when what is kept changes shape.
const FORMAT: u32 = 3;

/// A load as kept: the answers it was given, then the load by parts.
#[derive(Serialize, Deserialize)]
struct Pack {
    probes: Option<Probes>,
    /// Each file entities were read from: path and text.
    files: Vec<(String, String)>,
    entities: Vec<EntityPack>,
    #[serde(with = "crate::diagnostics::whole_list")]
    diagnostics: Vec<Diagnostic>,
    visited: Vec<String>,
    remote: Vec<RemotePack>,
    failed: Vec<FailedPack>,
    /// [`AlsoRead`]s: reader, repository folder, file.
    also_read: Vec<(String, String, String)>,
}

/// A [`FailedRead`] with its code as a string.
#[derive(Serialize, Deserialize)]
struct FailedPack {
    reader: Option<String>,
    repo_dir: String,
    file: String,
    line: usize,
    code: String,
    message: String,
}

/// A [`LoadedEntity`] without what its repository gives every entity
/// (repository name and folder, commit) and with its file by index.
#[derive(Serialize, Deserialize)]
struct EntityPack {
    api_version: String,
    kind: String,
    namespace: String,
    name: String,
    doc: Node,
    lines: (usize, usize),
    file: usize,
    location: String,
    origin: String,
    source_location: Option<String>,
    view_edit: Option<(String, Option<String>)>,
    /// The rejection's code and message.
    rejected: Option<(String, String)>,
    read_by: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct RemotePack {
    url: String,
    optional: bool,
    origin: String,
    #[serde(with = "crate::diagnostics::whole")]
    place: Diagnostic,
    reader: String,
}

/// The key of everything a load of `snapshot` is made from but its files.
pub(super) fn key(snapshot: &Snapshot, catalog_paths: &[String], git_ref: Option<&str>) -> Key {
    let repo = &snapshot.source;
    let mut key = crate::memo::hasher();
    key.update(&FORMAT.to_le_bytes());
    key.update(&(catalog_paths.len() as u64).to_le_bytes());
    for path in catalog_paths {
        crate::memo::part(&mut key, path.as_bytes());
    }
    crate::memo::part(&mut key, &[u8::from(git_ref.is_some())]);
    crate::memo::part(&mut key, git_ref.unwrap_or("").as_bytes());
    crate::memo::part(&mut key, repo.name.as_bytes());
    crate::memo::part(&mut key, repo.display.as_bytes());
    crate::memo::part(&mut key, repo.root.as_os_str().as_encoded_bytes());
    crate::memo::part(&mut key, repo.kind.label().as_bytes());
    crate::memo::part(&mut key, format!("{:?}", snapshot.git).as_bytes());
    key.digest128()
}

/// The load kept under `key`, when every answer it was given about the
/// repository's files still holds in `snapshot`.
pub(super) fn reuse(disk: &DiskCache, key: Key, snapshot: &Snapshot) -> Option<RepoLoad> {
    let pack: Option<Pack> = disk.get_decoded(KIND, key, crate::memo::decode);
    let pack = pack.filter(|pack| match &pack.probes {
        Some(probes) => probes.hold(snapshot),
        // Only a git tree is kept without answers: its commit is in the key.
        None => snapshot.tree_id().is_some(),
    });
    disk.count(REUSED, pack.is_some());
    Some(unpack(pack?, snapshot))
}

/// Keeps `load` under `key` with the answers it was given (`None`: a git
/// tree, fixed by its commit).
pub(super) fn store(disk: &DiskCache, key: Key, probes: Option<Probes>, load: &RepoLoad) {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut places: HashMap<&str, usize> = HashMap::new();
    let entities = load
        .entities
        .iter()
        .map(|e| {
            let file = *places.entry(e.file.as_str()).or_insert_with(|| {
                files.push((e.file.clone(), e.text.to_string()));
                files.len() - 1
            });
            EntityPack {
                api_version: e.identity.api_version.clone(),
                kind: e.identity.kind.clone(),
                namespace: e.identity.namespace.clone(),
                name: e.identity.name.clone(),
                doc: (*e.doc).clone(),
                lines: (e.lines.start, e.lines.end),
                file,
                location: e.location.clone(),
                origin: e.origin.clone(),
                source_location: e.source_location.clone(),
                view_edit: e.view_edit.clone(),
                rejected: e
                    .rejected
                    .as_ref()
                    .map(|r| (r.code.to_string(), r.message.clone())),
                read_by: e.read_by.as_deref().map(str::to_string),
            }
        })
        .collect();
    let mut visited: Vec<String> = load.visited.iter().cloned().collect();
    visited.sort();
    let pack = Pack {
        probes,
        files,
        entities,
        diagnostics: load.diagnostics.clone(),
        visited,
        remote: load
            .remote_targets
            .iter()
            .map(|t| RemotePack {
                url: t.url.clone(),
                optional: t.optional,
                origin: t.origin.clone(),
                place: t.place.clone(),
                reader: t.reader.to_string(),
            })
            .collect(),
        failed: load
            .failed_reads
            .iter()
            .map(|f| FailedPack {
                reader: f.reader.as_deref().map(str::to_string),
                repo_dir: f.repo_dir.clone(),
                file: f.file.clone(),
                line: f.line,
                code: f.code.to_string(),
                message: f.message.clone(),
            })
            .collect(),
        also_read: load
            .also_read
            .iter()
            .map(|a| (a.reader.to_string(), a.repo_dir.clone(), a.file.clone()))
            .collect(),
    };
    if let Some(bytes) = crate::memo::encode(&pack) {
        disk.put(KIND, key, &bytes);
    }
}

/// The load a pack holds, as [`super::load::load`] made it from `snapshot`.
fn unpack(pack: Pack, snapshot: &Snapshot) -> RepoLoad {
    let repo = &snapshot.source;
    let commit = super::load::repo_commit(snapshot);
    let files: Vec<(String, Arc<str>, Arc<LineIndex>)> = pack
        .files
        .into_iter()
        .map(|(path, text)| {
            let index = Arc::new(LineIndex::new(&text));
            (path, Arc::from(text), index)
        })
        .collect();
    let entities = pack
        .entities
        .into_iter()
        .filter_map(|e| {
            let (file, text, line_index) = files.get(e.file)?;
            let rejected = match e.rejected {
                Some((code, message)) => Some(Rejection {
                    code: crate::diagnostics::whole::intern(code)?,
                    message,
                }),
                None => None,
            };
            Some(LoadedEntity {
                identity: Identity {
                    api_version: e.api_version,
                    kind: e.kind,
                    namespace: e.namespace,
                    name: e.name,
                },
                doc: Arc::new(e.doc),
                lines: e.lines.0..e.lines.1,
                repo: repo.name.clone(),
                repo_dir: repo.display.clone(),
                file: file.clone(),
                text: text.clone(),
                line_index: line_index.clone(),
                location: e.location,
                origin: e.origin,
                source_location: e.source_location,
                view_edit: e.view_edit,
                commit: commit.clone(),
                rejected,
                read_by: e.read_by.map(Arc::from),
            })
        })
        .collect();
    RepoLoad {
        entities,
        diagnostics: pack.diagnostics,
        visited: pack.visited.into_iter().collect(),
        remote_targets: pack
            .remote
            .into_iter()
            .map(|t| RemoteTarget {
                url: t.url,
                optional: t.optional,
                origin: t.origin,
                place: t.place,
                reader: t.reader.into(),
            })
            .collect(),
        failed_reads: pack
            .failed
            .into_iter()
            .filter_map(|f| {
                Some(FailedRead {
                    reader: f.reader.map(Arc::from),
                    repo_dir: f.repo_dir,
                    file: f.file,
                    line: f.line,
                    code: crate::diagnostics::whole::intern(f.code)?,
                    message: f.message,
                })
            })
            .collect(),
        also_read: pack
            .also_read
            .into_iter()
            .map(|(reader, repo_dir, file)| AlsoRead {
                reader: reader.into(),
                repo_dir,
                file,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::RepoKind;
    use std::collections::HashSet;

    /// What a load holds, in an order that does not depend on hashing.
    fn shown(load: &RepoLoad) -> String {
        let mut visited: Vec<&String> = load.visited.iter().collect();
        visited.sort();
        format!(
            "{:#?}\n{:#?}\n{visited:?}\n{:#?}\n{:#?}",
            load.entities, load.diagnostics, load.remote_targets, load.failed_reads
        )
    }

    /// A load read back from the cache is the load made from the files:
    /// entities (documents, lines, texts, locations, rejections), problems,
    /// visited files and web-URL targets; a file changed is not reused.
    #[test]
    fn a_kept_load_is_the_load_made_from_the_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("more")).unwrap();
        let files = [
            (
                "catalog-info.yaml",
                "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: here\nspec:\n  targets: [./a.yaml, ./missing.yaml, ./more/*.yaml, https://github.com/o/r/blob/main/x.yaml]\n",
            ),
            (
                "a.yaml",
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n  description:\n    $text: ./about.txt\nspec:\n  type: service\n  lifecycle: [bad]\n  owner: team\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team\nspec:\n  type: team\n  children: []\n",
            ),
            ("about.txt", "About a."),
            ("more/b.yaml", "kind: [\n"),
        ];
        for (path, text) in files {
            std::fs::write(root.join(path), text).unwrap();
        }
        let source = crate::discover::source(&root, RepoKind::Plain);
        let disk = DiskCache::open(&dir.path().join("cache")).unwrap();
        let paths = vec!["catalog-info.yaml".to_string()];
        let fresh = || {
            let mut snapshot = Snapshot::open(&source, None).unwrap();
            snapshot.record_probes();
            let (entries, _) = super::super::load::entry_points(&snapshot, &paths, &[]);
            let load = super::super::load::load(&snapshot, entries, &HashSet::new());
            (load, snapshot.take_probes())
        };
        let (load, probes) = fresh();
        assert!(load.entities.len() >= 3 && !load.diagnostics.is_empty());
        assert!(load.entities.iter().any(|e| e.rejected.is_some()));
        assert_eq!(load.remote_targets.len(), 1);
        assert!(
            !load.failed_reads.is_empty(),
            "more/b.yaml fails its Location"
        );
        let snapshot = Snapshot::open(&source, None).unwrap();
        let key = key(&snapshot, &paths, None);
        store(&disk, key, probes, &load);
        let kept = reuse(&disk, key, &snapshot).expect("kept while nothing changed");
        assert_eq!(shown(&kept), shown(&load));

        std::fs::write(root.join("about.txt"), "About a, changed.").unwrap();
        let snapshot = Snapshot::open(&source, None).unwrap();
        assert!(
            reuse(&disk, key, &snapshot).is_none(),
            "a `$text` file changed"
        );
        let (changed, _) = fresh();
        assert_ne!(shown(&changed), shown(&load));
    }
}
