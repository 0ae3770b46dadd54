//! `portico mirror`: bare mirrors of a list of repositories in one folder,
//! which `portico build` then reads like any folder of bare clones.
//!
//! The run is: the list checked (`list`), the folder looked at (which
//! existing mirror has which URL), folders assigned (`folder`, a pure
//! function), then every repository cloned or fetched in parallel (`git`).
//! A new clone is made in a hidden folder and renamed into place, so a
//! failed or killed first clone leaves nothing a build would read; a failed
//! fetch leaves the previous mirror as it was (gix writes the pack, then
//! moves the refs), but for a ref the remote's answer could not update
//! while the others could: that one is reported, the others moved.

pub mod credentials;
pub mod folder;
pub mod git;
pub mod list;

use crate::diagnostics::Diagnostic;
use list::{ListFile, Listed};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use git::{Depth, Done};

/// Hidden, so discovery never reads a clone being made.
const WORK_DIR: &str = ".portico-mirror-new";

/// What to mirror, and how.
pub struct Request<'a> {
    pub repos: &'a [Listed],
    pub list: ListFile<'a>,
    pub into: &'a Path,
    pub jobs: usize,
    pub depth: Depth,
    /// How long one repository may take (`--timeout`): gix sets no read
    /// timeout, so a remote that accepts the connection and never answers
    /// would hold the run for ever.
    pub timeout: Duration,
    /// What `https://` remotes are given when they ask (`credentials`).
    pub credentials: &'a credentials::Credentials,
}

/// One repository's result.
#[derive(Debug)]
pub struct Outcome {
    pub url: String,
    /// The folder name inside `--into`.
    pub folder: String,
    pub result: Result<Done, String>,
}

/// A failure to use `--into` at all: a usage or I/O error, exit 2.
#[derive(Debug)]
pub struct MirrorError(pub String);

/// Mirrors every listed repository; per-repository failures are
/// diagnostics, returned beside the outcomes.
pub fn run(request: &Request<'_>) -> Result<(Vec<Outcome>, Vec<Diagnostic>), MirrorError> {
    // https through reqwest's rustls, whose crypto this process picks (an
    // error only says one is picked already): ring, deprecated by rustls
    // for having no post-quantum key exchange (X25519 and ECDHE remain),
    // as aws-lc, which has one, would make the binary 2 MB bigger.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let into = request.into;
    std::fs::create_dir_all(into)
        .map_err(|e| MirrorError(format!("cannot create `{}`: {e}", into.display())))?;
    // Held to the end: another run into the same folder would clear this
    // one's work folder and clone into the same names.
    let _lock = lock(into)?;
    let work = into.join(WORK_DIR);
    // Left by a killed run: ours by name, never read by a build.
    if work.exists() {
        std::fs::remove_dir_all(&work)
            .map_err(|e| MirrorError(format!("cannot clear `{}`: {e}", work.display())))?;
    }
    let (existing, taken) = look(into)?;
    let urls: Vec<String> = request
        .repos
        .iter()
        .map(|r| git::normalised(&r.url))
        .collect();
    let url_refs: Vec<&str> = urls.iter().map(String::as_str).collect();
    let folders = folder::assign(&url_refs, &existing, &taken);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(request.jobs.max(1))
        .build()
        .map_err(|e| MirrorError(format!("cannot start {} jobs: {e}", request.jobs)))?;
    let outcomes: Vec<Outcome> = pool.install(|| {
        request
            .repos
            .par_iter()
            .zip(folders.par_iter())
            .map(|(listed, folder)| Outcome {
                url: listed.url.clone(),
                folder: folder.clone(),
                result: within(request.timeout, {
                    let (url, into, folder) =
                        (listed.url.clone(), into.to_path_buf(), folder.clone());
                    let (exists, depth) = (existing_has(&existing, &folder), request.depth);
                    let credentials = request.credentials.clone();
                    move |given_up: &AtomicBool| {
                        let how = How {
                            depth,
                            credentials: &credentials,
                        };
                        one(&url, &into, &folder, exists, &how, given_up)
                    }
                }),
            })
            .collect()
    });
    let _ = std::fs::remove_dir_all(&work);
    let diagnostics = request
        .repos
        .iter()
        .zip(&outcomes)
        .filter_map(|(listed, outcome)| {
            let why = outcome.result.as_ref().err()?;
            Some(request.list.diagnostic(
                Diagnostic::error(
                    "mirror-failed",
                    format!(
                        "`{}` could not be mirrored: {}",
                        credentials::redacted(&listed.url),
                        credentials::redacted(why)
                    ),
                )
                .with_hint(match existing_has(&existing, &outcome.folder) {
                    true => "the mirror keeps its refs as they were, but for those the message names; check the URL and the access to it",
                    false => "check the URL and the access to it; nothing was written for it",
                }),
                listed.line,
                &credentials::redacted(&listed.url),
            ))
        })
        .collect();
    Ok((outcomes, diagnostics))
}

fn existing_has(existing: &BTreeMap<String, String>, folder: &str) -> bool {
    existing.values().any(|f| f == folder)
}

/// `job` on a thread of its own, given up after `timeout`: its result,
/// or a failure saying so. A job given up is told: gix stops at its next
/// step (`given_up`), and its last step (a clone moved into place) is
/// taken under the same lock as the giving up, so a clone reported as
/// failed is never in place. A fetch moves its refs only with a whole
/// pack; one given up may still finish before the run ends. A job
/// blocked reading from its remote ends with the process.
fn within(
    timeout: Duration,
    job: impl FnOnce(&AtomicBool) -> Result<Finish, String> + Send + 'static,
) -> Result<Done, String> {
    let shared = Arc::new(Handover::default());
    let (sent, got) = std::sync::mpsc::channel();
    let theirs = shared.clone();
    let spawned = std::thread::Builder::new()
        .name("portico-mirror".into())
        .spawn(move || {
            let step = job(&theirs.given_up);
            let mut state = crate::memo::lock(&theirs.state);
            let result = if state.given_up {
                if let Ok(Finish::Move { temp, .. }) = &step {
                    let _ = std::fs::remove_dir_all(temp);
                }
                Err("given up".to_string())
            } else {
                step.and_then(Finish::complete)
            };
            state.result = Some(result);
            drop(state);
            let _ = sent.send(());
        });
    if let Err(e) = spawned {
        return Err(format!("cannot start a thread: {e}"));
    }
    let timed_out = matches!(
        got.recv_timeout(timeout),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout)
    );
    let mut state = crate::memo::lock(&shared.state);
    if let Some(result) = state.result.take() {
        // Done, if only just.
        return result;
    }
    if !timed_out {
        return Err("the mirroring thread ended without a result".into());
    }
    state.given_up = true;
    shared.given_up.store(true, Ordering::SeqCst);
    Err(format!(
        "not done within {} s (--timeout): the remote stopped answering or never answered, or the transfer needs a longer --timeout (a fetch under way moves refs only with a whole pack)",
        timeout.as_secs()
    ))
}

/// What a mirroring job and the run share.
#[derive(Default)]
struct Handover {
    /// Read by gix between its steps.
    given_up: AtomicBool,
    state: std::sync::Mutex<Handed>,
}

#[derive(Default)]
struct Handed {
    given_up: bool,
    result: Option<Result<Done, String>>,
}

/// A job's work, but for its last step.
enum Finish {
    Done(Done),
    /// A clone made in the work folder, to be moved into place.
    Move {
        temp: PathBuf,
        dest: PathBuf,
    },
}

impl Finish {
    fn complete(self) -> Result<Done, String> {
        match self {
            Finish::Done(done) => Ok(done),
            Finish::Move { temp, dest } => match std::fs::rename(&temp, &dest) {
                Ok(()) => Ok(Done::Cloned),
                Err(e) => {
                    let _ = std::fs::remove_dir_all(&temp);
                    Err(format!(
                        "cannot move the clone to `{}`: {e}",
                        dest.display()
                    ))
                }
            },
        }
    }
}

/// How each repository is fetched.
struct How<'a> {
    depth: Depth,
    credentials: &'a credentials::Credentials,
}

/// Clones into the hidden work folder (to be moved into place), or
/// fetches.
fn one(
    url: &str,
    into: &Path,
    folder: &str,
    exists: bool,
    how: &How<'_>,
    given_up: &AtomicBool,
) -> Result<Finish, String> {
    let dest = into.join(folder);
    if exists {
        return git::fetch(&dest, how.depth, how.credentials, given_up).map(Finish::Done);
    }
    let work = into.join(WORK_DIR);
    std::fs::create_dir_all(&work)
        .map_err(|e| format!("cannot create `{}`: {e}", work.display()))?;
    let temp = work.join(folder);
    match git::clone(url, &temp, how.depth, how.credentials, given_up) {
        Ok(_) => Ok(Finish::Move { temp, dest }),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&temp);
            Err(e)
        }
    }
}

/// The mirrors already in `into` (URL → folder) and every name taken.
/// Only real folders count as mirrors: a link is never followed.
/// Takes `--into`'s lock (`.NAME.portico-mirror-lock` beside it, as a
/// build's lock is beside `--out`: the folder holds only mirrors), waiting
/// for another run that holds it. The file is never deleted: deleting it
/// would let two runs lock two different files.
fn lock(into: &Path) -> Result<std::fs::File, MirrorError> {
    let path = match (into.parent(), into.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            parent.join(format!(".{}.portico-mirror-lock", name.to_string_lossy()))
        }
        _ => into.join(".portico-mirror-lock"),
    };
    crate::files::lock_file(&path, || {
        eprintln!(
            "waiting for another portico mirror into {} to finish…",
            into.display()
        );
    })
    .map_err(|(_, e)| MirrorError(format!("cannot lock `{}`: {e}", path.display())))
}

fn look(into: &Path) -> Result<(BTreeMap<String, String>, BTreeSet<String>), MirrorError> {
    let entries = std::fs::read_dir(into)
        .map_err(|e| MirrorError(format!("cannot read `{}`: {e}", into.display())))?;
    let mut taken = BTreeSet::new();
    let mut candidates: Vec<(String, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && name.ends_with(".git") && !name.starts_with('.') {
            candidates.push((name.clone(), entry.path()));
        }
        taken.insert(name);
    }
    let existing = candidates
        .par_iter()
        .filter_map(|(name, path)| Some((git::origin_url(path)?, name.clone())))
        .collect();
    Ok((existing, taken))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clone that ends after its repository was given up is never moved
    /// into place (the run said it failed); one done in time is.
    #[test]
    fn a_clone_given_up_is_never_moved_into_place() {
        let dir = tempfile::tempdir().unwrap();
        let late = |name: &str, wait: Duration| {
            let (temp, dest) = (
                dir.path().join(format!("{name}.new")),
                dir.path().join(name),
            );
            std::fs::create_dir_all(&temp).unwrap();
            let job = {
                let (temp, dest) = (temp.clone(), dest.clone());
                move |given_up: &AtomicBool| {
                    std::thread::sleep(wait);
                    assert!(wait < Duration::from_millis(300) || given_up.load(Ordering::SeqCst));
                    Ok(Finish::Move { temp, dest })
                }
            };
            (within(Duration::from_millis(300), job), temp, dest)
        };
        let (result, temp, dest) = late("slow.git", Duration::from_millis(900));
        let message = result.unwrap_err();
        assert!(message.starts_with("not done within 0 s"), "{message}");
        // The job wakes up after the run gave it up, and cleans up.
        std::thread::sleep(Duration::from_millis(1200));
        assert!(!dest.exists(), "moved into place after being given up");
        assert!(!temp.exists(), "its clone left behind");

        let (result, temp, dest) = late("quick.git", Duration::ZERO);
        assert_eq!(result.unwrap(), Done::Cloned);
        assert!(dest.is_dir() && !temp.exists());
    }
}
