//! Bare mirrors through gix: a first clone, later fetches into it. No `git`
//! process runs for `git://` and `http(s)://` URLs; for `file://` and
//! `ssh://`, gix starts the other side (`git-upload-pack`, `ssh`) as git
//! itself does, so those need git (or ssh) installed.

use super::credentials::{Asked, Credentials};
use gix::remote::Direction;
use gix::remote::fetch::Shallow;
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::atomic::AtomicBool;

/// What happened to one repository.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Done {
    Cloned,
    /// Fetched; `true` when a ref moved.
    Fetched(bool),
}

/// `None`: full history; `Some(n)`: the last `n` commits of each branch.
pub type Depth = Option<NonZeroU32>;

/// Opens a repository ignoring the user's and system's git configuration,
/// so a mirror behaves the same on every machine.
fn open(path: &Path) -> Result<gix::Repository, String> {
    gix::open_opts(path, gix::open::Options::isolated()).map_err(explain)
}

/// An error with its causes (`Transport handshake failed` alone does not
/// say that the server answered 401, or that its certificate is expired),
/// each once.
fn explain(error: impl std::error::Error) -> String {
    let mut parts: Vec<String> = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

/// The fetch URL of an existing mirror's `origin`, if it is one.
pub fn origin_url(path: &Path) -> Option<String> {
    let repo = open(path).ok()?;
    let remote = repo.find_remote("origin").ok()?;
    let url = remote.url(Direction::Fetch)?;
    Some(url.to_bstring().to_string())
}

/// The URL as gix writes it into a mirror's config, to match listed URLs
/// with existing mirrors.
pub fn normalised(url: &str) -> String {
    let url = gix::url::parse(url)
        .map(|u| u.to_bstring().to_string())
        .unwrap_or_else(|_| url.to_string());
    // A `file://` path as the clone records it: `…/beta/`, `…//beta`,
    // `…/./beta` and `…/x/../beta` are one repository (else each run
    // cloned it again into a new folder). Its `%XX` escapes are decoded,
    // as git decodes them (`file:///srv/my%20repo` is `/srv/my repo`):
    // gix takes the path as written.
    match url.strip_prefix("file://") {
        Some(path) if path.starts_with('/') => {
            let path = file_path(path).unwrap_or_else(|_| path.to_string());
            format!("file://{}", lexical_path(&path))
        }
        _ => url,
    }
}

/// A `file://` URL's path with its `%XX` escapes decoded, or why it
/// cannot be: an escape that decodes to a control character or to bytes
/// that are not UTF-8.
pub fn file_path(path: &str) -> Result<String, String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        // A `%` not followed by two hex digits is itself, as in git.
        let escaped = path
            .get(i + 1..i + 3)
            .filter(|hex| bytes[i] == b'%' && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        if let Some(value) = escaped {
            out.push(value);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let decoded = String::from_utf8(out)
        .map_err(|_| "has `%` escapes that do not decode to UTF-8 text".to_string())?;
    if decoded.chars().any(char::is_control) {
        return Err("has a `%` escape of a control character".into());
    }
    Ok(decoded)
}

/// An absolute path with `.`, `..`, doubled and trailing `/` taken out.
fn lexical_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    format!("/{}", parts.join("/"))
}

/// A new bare mirror of `url` at `dest` (which must not exist). gix stops
/// at its next step once `given_up` is set.
pub fn clone(
    url: &str,
    dest: &Path,
    depth: Depth,
    credentials: &Credentials,
    given_up: &AtomicBool,
) -> Result<Done, String> {
    // A `file://` path as git reads it (`%XX` decoded); the mirror's
    // `origin` records it so, which `normalised` matches on the next run.
    let decoded;
    let url = match url.strip_prefix("file://") {
        Some(_) => {
            decoded = normalised(url);
            decoded.as_str()
        }
        None => url,
    };
    let asked = std::sync::Arc::new(Asked::default());
    let (credentials, noted) = (credentials.clone(), asked.clone());
    let refused = |e| asked.explain(explain(e));
    let mut prepare = gix::clone::PrepareFetch::new(
        url,
        dest,
        gix::create::Kind::Bare,
        gix::create::Options::default(),
        gix::open::Options::isolated(),
    )
    .map_err(explain)?
    .configure_connection(move |connection| {
        connection.set_credentials(noted.helper(&credentials));
        Ok(())
    });
    if let Some(depth) = depth {
        prepare = prepare.with_shallow(Shallow::DepthAtRemote(depth));
    }
    let (repo, _) = prepare
        .fetch_only(gix::progress::Discard, given_up)
        .map_err(refused)?;
    drop(repo);
    Ok(Done::Cloned)
}

/// New objects of `origin` fetched into the mirror at `path`; branches
/// follow the remote even when it was force-pushed. gix stops at its next
/// step once `given_up` is set (before the refs move, if it was waiting
/// for the pack).
pub fn fetch(
    path: &Path,
    depth: Depth,
    credentials: &Credentials,
    given_up: &AtomicBool,
) -> Result<Done, String> {
    let mut repo = open(path)?;
    // Reflog entries need a committer; the isolated config has none.
    repo.committer_or_set_generic_fallback().map_err(explain)?;
    let is_shallow = repo.is_shallow().map_err(explain)?;
    let mut remote = repo.find_remote("origin").map_err(explain)?;
    if remote.refspecs(Direction::Fetch).is_empty() {
        // A bare clone keeps no refspec (as with `git clone --bare`). A
        // mirror with a depth holds the default branch only, and keeps to
        // it (all branches came in at its first fetch, reported as an
        // update of a remote that had not changed); with `--depth 0` it
        // takes them all.
        let head = repo.head_name().ok().flatten();
        let spec = match (&head, depth.is_some()) {
            (Some(head), true) => format!("+{0}:{0}", head.as_bstr()),
            _ => "+refs/heads/*:refs/heads/*".to_string(),
        };
        remote = remote
            .with_refspecs([spec.as_str()], Direction::Fetch)
            .map_err(explain)?;
    }
    let shallow = match depth {
        Some(depth) if is_shallow => Shallow::DepthAtRemote(depth),
        // Asked for the whole history of a shallow mirror: deepen it all.
        None if is_shallow => Shallow::undo(),
        _ => Shallow::NoChange,
    };
    let asked = std::sync::Arc::new(Asked::default());
    let refused = |e| asked.explain(explain(e));
    let outcome = remote
        .connect(Direction::Fetch)
        .map_err(explain)?
        .with_credentials(asked.helper(credentials))
        .prepare_fetch(gix::progress::Discard, Default::default())
        .map_err(refused)?
        .with_shallow(shallow)
        .receive(gix::progress::Discard, given_up)
        .map_err(refused)?;
    use gix::remote::fetch::refs::update::Mode;
    let (gix::remote::fetch::Status::NoPackReceived { update_refs, .. }
    | gix::remote::fetch::Status::Change { update_refs, .. }) = &outcome.status;
    // `+` refspecs allow every update; a refusal means the mirror is stale.
    if let Some(refused) = update_refs.updates.iter().find(|u| {
        !matches!(
            u.mode,
            Mode::NoChangeNeeded
                | Mode::FastForward
                | Mode::Forced
                | Mode::New
                | Mode::ImplicitTagNotSentByRemote
        )
    }) {
        // The pack and the other refs are in place by now: said so (the
        // hint says the mirror keeps its refs but for those named).
        return Err(format!(
            "a ref was not updated ({}); the other refs were",
            refused.mode
        ));
    }
    let moved = update_refs
        .updates
        .iter()
        .any(|u| matches!(u.mode, Mode::FastForward | Mode::Forced | Mode::New));
    Ok(Done::Fetched(moved))
}
