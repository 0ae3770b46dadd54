//! The whole-build entry: a build whose inputs are all the last build's
//! does no work after reading them.
//!
//! Every stage is a function of the files it reads and of the settings, so
//! when nothing it could read has changed since the last build into the
//! same `--out`, and that site is still exactly the one it swapped in, the
//! site is already the answer. [`Inputs::read`] stamps every input before
//! any stage reads it: the settings (`portico.toml` and the flags as
//! [`Config`] holds them, the day included), the working folder, the
//! repositories found (their order and kinds) with discovery's notes, and
//! every file of every repository: the work tree's files and its `.git`
//! folder (refs, `HEAD`, config, index: not its objects, logs or hooks,
//! which content ids and nothing else reach), a bare clone's folder the
//! same way, the theme folder, the logo, the scorecard definitions and
//! facts, git's own configuration files (and the files any configuration
//! includes) and `GIT_*` variables. Git facts
//! (HEAD's commit, its author and date, the remote) follow from those
//! files and immutable objects, so they are not read for the key: a build
//! that takes the entry opens no repository. A stamp is the file's type,
//! inode, length and modification and change times, as git's index
//! compares files. This is broader than what the stages read (a change to a
//! source file no stage reads still runs the build), which is what makes it
//! safe: no reader needs to record what it read for the entry to know.
//!
//! After a successful build, [`keep`] records the key with the diagnostics,
//! the summary's figures, the `--out` folder's identity and the hash of the
//! site's manifest (`output::Manifest`); [`check`] gives them back when the
//! key is the same, the folder is the same one and every file the manifest
//! lists is still there with its length and modification time.
//!
//! Not kept (the next build runs every stage): builds with `--location`
//! files, a work tree whose `.git` is a file (a linked work tree or
//! submodule: its refs live elsewhere), a git folder with a `commondir`,
//! a folder that cannot be listed, and inputs changed less than
//! [`RACY_NANOS`] before they were stamped (a change within the file
//! system's clock tick would not show in the stamp; a time of whole
//! seconds counts from the end of a two-second tick, for file systems
//! with coarse times such as FAT: `output::tick_end`).

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::memo::Key;
use crate::read::{RepoKind, RepoSource};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// What the build cache keeps the entry under (by `--out`).
const KIND: &str = "whole-build";

/// An input modified this close to the stamping (or later) keeps the
/// build from being recorded: a second change within the same clock tick
/// of the file system would leave the stamp as it is. A second is far
/// beyond a local file system's tick and absorbs a network one's skew.
pub const RACY_NANOS: i128 = 1_000_000_000;

/// Folders of a git folder whose files no stage reads by name: objects are
/// reached by id (fixed by the refs stamped), logs, hooks and Git LFS's
/// object cache not at all.
const GIT_UNREAD: [&str; 4] = ["objects", "logs", "hooks", "lfs"];

/// Whether builds may take the whole-build entry: not when
/// `PORTICO_EVERY_STAGE` is set (benchmarks of the stages, and tests of
/// the cache's other layers, run them with nothing changed). The inputs'
/// key is still worked out: the stages take each repository's share of
/// it ([`RepoFiles`]).
pub fn enabled() -> bool {
    std::env::var_os("PORTICO_EVERY_STAGE").is_none()
}

/// The key of every input of a build, read before any stage reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    key: Key,
    /// An input changed too recently for its stamp to be trusted.
    racy: bool,
    /// Folders read, and folders taken from the last walk's listings.
    pub folders: (usize, usize),
    /// Each repository's files as the walk stamped them ([`RepoFiles`]).
    pub repo_files: RepoFiles,
}

/// Each repository's own share of the inputs' key, by its display path:
/// every file of the repository stamped (its git folder's as the key
/// stamps them), with git's configuration files and variables, the
/// working folder and the repository's name, path and kind. Whatever a
/// stage reads of one repository (its files, its git facts and history)
/// is fixed by it, so a stage may keep its work on one repository under
/// it instead of stamping the files again (`docs::repo_cache`). Only
/// repositories whose stamps are settled (nothing changed in the last
/// [`RACY_NANOS`]) have one.
pub type RepoFiles = std::collections::HashMap<String, Key>;

/// What a build recorded for the next one into the same `--out`.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    key: [u64; 2],
    /// The `--out` folder's device and inode when the build ended.
    folder: (u64, u64),
    /// The hash of the site's manifest as the build cache holds it.
    manifest: [u64; 2],
    entities: usize,
    relations: usize,
    #[serde(with = "crate::diagnostics::whole_list")]
    diagnostics: Vec<Diagnostic>,
}

/// A build that had nothing to do: what it prints.
#[derive(Debug, Clone, Default)]
pub struct Unchanged {
    pub entities: usize,
    pub relations: usize,
    /// Files of the site found as the last build left them.
    pub files: usize,
}

/// What discovery found, as the key needs it.
pub struct Found<'a> {
    pub repos: &'a [RepoSource],
    pub notes: &'a [Diagnostic],
}

impl Inputs {
    /// The key of every input of a build of `config` (see the module
    /// comment); `None` when one cannot be stamped. A folder `record` (the
    /// last walk's [`Listings`]) holds with the stamp it has now is not
    /// read again; the new listings come back when any folder was read.
    pub fn read(
        config: &Config,
        found: &Found<'_>,
        record: Option<&Listings>,
    ) -> Option<(Inputs, Option<Listings>)> {
        if !config.locations.is_empty() {
            return None;
        }
        let started = now_nanos();
        let walk = Walk { record, started };
        let mut hasher = crate::memo::hasher();
        let mut part = |bytes: &[u8]| crate::memo::part(&mut hasher, bytes);
        part(b"whole-build 2");
        part(format!("{config:?}").as_bytes());
        part(format!("{:?}", found.notes).as_bytes());
        // What every repository's files are read with: the working folder
        // (repositories' paths may be relative to it) and git's settings.
        let mut git = Stamps::new(&walk);
        git.bytes(std::env::current_dir().ok()?.as_os_str().as_encoded_bytes());
        // `vars_os`: a variable that is not UTF-8 is hashed, not a panic.
        let mut git_env: Vec<(std::ffi::OsString, std::ffi::OsString)> = std::env::vars_os()
            .filter(|(name, _)| name.as_encoded_bytes().starts_with(b"GIT_"))
            .collect();
        git_env.sort();
        for (name, value) in &git_env {
            git.bytes(name.as_encoded_bytes());
            git.bytes(value.as_encoded_bytes());
        }
        for file in git_configs() {
            git.git_config(&file, INCLUDE_DEPTH);
        }
        let mut stamps = Stamps::new(&walk);
        stamps.add(&git);
        for file in outside_files(config) {
            stamps.path(&file);
        }
        if let Some(theme) = &config.theme {
            stamps.theme(theme).ok()?;
        }
        let repos: Vec<Stamps> = crate::threads::one_job_each(found.repos)
            .map(|repo| repo_stamps(repo, &walk))
            .collect::<Option<_>>()?;
        for (repo, repo_stamps) in found.repos.iter().zip(&repos) {
            stamps.text(&repo.name);
            stamps.text(&repo.display);
            stamps.bytes(repo.root.as_os_str().as_encoded_bytes());
            stamps.text(repo.kind.label());
            stamps.add(repo_stamps);
        }
        part(&stamps.hasher.digest128().to_le_bytes());
        let read = stamps.read + repos.iter().map(|r| r.read).sum::<usize>();
        let walked = stamps.walked + repos.iter().map(|r| r.walked).sum::<usize>();
        let settled = |newest: i128| newest <= started - RACY_NANOS;
        let git_key = git.hasher.digest128();
        // A display path two repositories share names neither (whether
        // or not both are settled).
        let mut shown = std::collections::HashSet::new();
        let shown_twice: Vec<&String> = found
            .repos
            .iter()
            .filter(|repo| !shown.insert(&repo.display))
            .map(|repo| &repo.display)
            .collect();
        let mut repo_files = std::collections::HashMap::new();
        for (repo, files) in found.repos.iter().zip(&repos) {
            if !settled(git.newest) || !settled(files.newest) {
                continue;
            }
            let mut key = crate::memo::hasher();
            crate::memo::part(&mut key, b"repo-files 1");
            key.update(&git_key.to_le_bytes());
            crate::memo::part(&mut key, repo.name.as_bytes());
            crate::memo::part(&mut key, repo.display.as_bytes());
            crate::memo::part(&mut key, repo.root.as_os_str().as_encoded_bytes());
            crate::memo::part(&mut key, repo.kind.label().as_bytes());
            // Where discovery found the root to be (a stage reads through
            // it): a root link moved since is another repository.
            let real_root = repo.real_root.as_deref().unwrap_or(&repo.root);
            crate::memo::part(&mut key, real_root.as_os_str().as_encoded_bytes());
            key.update(&files.hasher.digest128().to_le_bytes());
            repo_files.insert(repo.display.clone(), key.digest128());
        }
        for display in shown_twice {
            repo_files.remove(display);
        }
        let inputs = Inputs {
            key: hasher.digest128(),
            racy: !settled(stamps.newest),
            folders: (read, walked - read),
            repo_files,
        };
        let listings = (read > 0 || record.is_none()).then(|| Listings {
            folders: stamps
                .listed
                .into_iter()
                .chain(repos.into_iter().flat_map(|r| r.listed))
                .collect(),
        });
        Some((inputs, listings))
    }
}

/// What the build cache keeps the walk's [`Listings`] under (by `--out`).
const LISTINGS_KIND: &str = "whole-build-listings";

impl Inputs {
    /// [`Inputs::read`] with the last walk's listings from the build cache
    /// (by `--out`: `site`), and the new ones kept there.
    pub fn read_kept(
        config: &Config,
        found: &Found<'_>,
        disk: &crate::cache::DiskCache,
        site: Key,
    ) -> Option<Inputs> {
        let record = disk
            .get(LISTINGS_KIND, site)
            .and_then(|bytes| Listings::from_bytes(&bytes));
        let (inputs, listings) = Inputs::read(config, found, record.as_ref())?;
        if let Some(listings) = listings {
            disk.put(LISTINGS_KIND, site, &listings.to_bytes());
        }
        Some(inputs)
    }
}

/// What the key's walk found in each folder, by its path: its stamp,
/// taken before it was read, and its entries in name order. The next
/// build's walk takes a folder whose stamp is unchanged from here instead
/// of reading it (adding, removing or renaming an entry sets the folder's
/// modification and change times, and nothing sets a change time back);
/// its files are stamped all the same. Folders changed less than
/// [`RACY_NANOS`] before the walk started are left out.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Listings {
    folders: std::collections::HashMap<Vec<u8>, Listed>,
}

impl Listings {
    /// As the build cache keeps them ([`crate::memo::encode`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        crate::memo::encode(self).unwrap_or_default()
    }

    /// Read back; `None` for damaged bytes (every folder is then read).
    pub fn from_bytes(bytes: &[u8]) -> Option<Listings> {
        crate::memo::decode(bytes)
    }
}

/// One folder as the walk found it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Listed {
    stamp: FolderStamp,
    #[serde(with = "crate::memo::shared")]
    entries: std::sync::Arc<Vec<FolderEntry>>,
}

impl Listed {
    /// Whether each entry's name could be one of a real folder, in the
    /// order a listing gives them and none twice: the listings come from
    /// the build cache, which is not to be trusted with paths (a name `/`
    /// or `..` would send the walk outside the repository).
    fn names_are_entries(&self) -> bool {
        self.entries
            .iter()
            .all(|e| crate::files::entry_name(&e.name))
            && self.entries.windows(2).all(|w| w[0].name < w[1].name)
    }
}

/// A folder's device and inode and modification and change times
/// (nanoseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct FolderStamp {
    device: u64,
    inode: u64,
    modified: i128,
    changed: i128,
}

impl FolderStamp {
    /// Of a folder's stamp (`files::stamp`'s fields).
    fn of_stamp(stamp: [i64; 8]) -> FolderStamp {
        let [modified, changed] = crate::files::stamp_times(&stamp);
        FolderStamp {
            device: stamp[2] as u64,
            inode: stamp[1] as u64,
            modified,
            changed,
        }
    }

    /// Whether a listing taken after `started` may be trusted by this
    /// stamp later (see [`RACY_NANOS`]).
    fn settled(&self, started: i128) -> bool {
        let tick_end = crate::output::tick_end;
        tick_end(self.modified) <= started - RACY_NANOS
            && tick_end(self.changed) <= started - RACY_NANOS
    }
}

/// An entry of a folder: its name, its type as the folder gives it, and a
/// folder's inode (the only thing the key takes of a folder entry besides
/// its name; files are stamped on their own).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct FolderEntry {
    #[serde(with = "crate::memo::bytes")]
    name: Vec<u8>,
    kind: EntryKind,
    inode: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum EntryKind {
    Folder,
    Link,
    /// A file or anything else that is neither folder nor link.
    Other,
}

/// The walk of one build: the last walk's listings, and when it started.
struct Walk<'a> {
    record: Option<&'a Listings>,
    started: i128,
}

/// A stamp of the theme folder and the logo as the whole-build key takes
/// them (`portico serve` loads them again when it moves); `None` when the
/// theme folder cannot be walked (gone, say).
pub fn look_stamp(config: &Config) -> Option<u128> {
    let mut stamps = Stamps::new(&FRESH);
    if let Some(logo) = &config.logo {
        stamps.path(logo);
    }
    if let Some(theme) = &config.theme {
        stamps.theme(theme).ok()?;
    }
    Some(stamps.hasher.digest128())
}

/// A walk with no last listings: every folder read.
const FRESH: Walk<'static> = Walk {
    record: None,
    started: i128::MAX,
};

/// The files outside the repositories a build reads: the logo, the
/// scorecard definitions and facts.
pub(crate) fn outside_files(config: &Config) -> Vec<std::path::PathBuf> {
    let mut files: Vec<std::path::PathBuf> = config.logo.iter().cloned().collect();
    let scorecards = &config.scorecards;
    files.extend(crate::scorecards::load::definition_files(scorecards));
    files.extend(scorecards.facts.iter().cloned());
    for root in &scorecards.roots {
        files.push(root.join("scorecards"));
    }
    files
}

/// Git's own configuration files, outside every repository.
fn git_configs() -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    if let Some(home) = std::env::var_os("HOME") {
        files.push(Path::new(&home).join(".gitconfig"));
        files.push(Path::new(&home).join(".config/git/config"));
    }
    if let Some(config) = std::env::var_os("XDG_CONFIG_HOME") {
        files.push(Path::new(&config).join("git/config"));
    }
    files.push("/etc/gitconfig".into());
    files
}

/// How deep `[include]`s are followed for their files' stamps.
const INCLUDE_DEPTH: usize = 4;

impl Stamps<'_> {
    /// A git configuration file and the files it includes (a remote's URL
    /// may come from one): every `path = …` value is stamped, relative to
    /// the file's folder, `~/` from `HOME` (more than `[include]`s hold:
    /// a stamp too many only runs a build).
    fn git_config(&mut self, file: &Path, depth: usize) {
        self.path(file);
        if depth == 0 {
            return;
        }
        let Ok(text) = std::fs::read_to_string(file) else {
            return;
        };
        for line in text.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            if !key.trim().eq_ignore_ascii_case("path") {
                continue;
            }
            let value = value.trim().trim_matches('"');
            let included = match value.strip_prefix("~/") {
                Some(rest) => match std::env::var_os("HOME") {
                    Some(home) => Path::new(&home).join(rest),
                    None => continue,
                },
                None => file.parent().unwrap_or(Path::new("")).join(value),
            };
            self.git_config(&included, depth - 1);
        }
    }
}

/// Every file of one repository, stamped; `None` when one cannot be.
fn repo_stamps<'w>(repo: &RepoSource, walk: &'w Walk<'w>) -> Option<Stamps<'w>> {
    let mut stamps = Stamps::new(walk);
    match repo.kind {
        RepoKind::WorkTree => {
            let dot_git = repo.root.join(".git");
            // A `.git` file points at a git folder elsewhere.
            let meta = std::fs::symlink_metadata(&dot_git).ok()?;
            if !meta.is_dir() {
                return None;
            }
            stamps.tree(&repo.root, false).ok()?;
            stamps.git_config(&dot_git.join("config"), INCLUDE_DEPTH);
        }
        RepoKind::Bare => {
            stamps.tree(&repo.root, true).ok()?;
            stamps.git_config(&repo.root.join("config"), INCLUDE_DEPTH);
        }
        RepoKind::Plain => stamps.tree(&repo.root, false).ok()?,
    }
    Some(stamps)
}

/// Stamps hashed in order, and the newest time seen.
struct Stamps<'w> {
    hasher: xxhash_rust::xxh3::Xxh3,
    /// Nanoseconds since the epoch of the newest modification or change.
    newest: i128,
    walk: &'w Walk<'w>,
    /// The folders listed, for the next walk ([`Listings`]).
    listed: Vec<(Vec<u8>, Listed)>,
    /// How many folders were walked, and how many of them were read (not
    /// taken from the last listings).
    walked: usize,
    read: usize,
    /// Devices whose folder times move when an entry comes or goes
    /// ([`crate::files::folder_times_move`]), asked once each.
    devices: Vec<(u64, bool)>,
}

impl<'w> Stamps<'w> {
    /// Whether a listing of `folder` (on `device`) may be taken by its
    /// stamp: not on a network or FUSE file system, whose folder times may
    /// not move when an entry is added (every folder is read there).
    fn listings_kept_on(&mut self, device: u64, folder: &Path) -> bool {
        if let Some((_, moves)) = self.devices.iter().find(|(d, _)| *d == device) {
            return *moves;
        }
        let moves = crate::files::folder_times_move(folder);
        self.devices.push((device, moves));
        moves
    }

    fn new(walk: &'w Walk<'w>) -> Stamps<'w> {
        Stamps {
            hasher: xxhash_rust::xxh3::Xxh3::new(),
            newest: i128::MIN,
            walk,
            listed: Vec::new(),
            walked: 0,
            read: 0,
            devices: Vec::new(),
        }
    }

    fn bytes(&mut self, bytes: &[u8]) {
        crate::memo::part(&mut self.hasher, bytes);
    }

    fn text(&mut self, text: &str) {
        self.bytes(text.as_bytes());
    }

    fn add(&mut self, other: &Stamps<'_>) {
        self.bytes(&other.hasher.digest128().to_le_bytes());
        self.newest = self.newest.max(other.newest);
    }

    /// A path's own stamp and the stamp of what it leads to (missing: a
    /// stamp too, so a file that appears is seen).
    fn path(&mut self, path: &Path) {
        self.bytes(path.as_os_str().as_encoded_bytes());
        self.meta(std::fs::symlink_metadata(path).ok().as_ref());
        self.meta(std::fs::metadata(path).ok().as_ref());
    }

    fn meta(&mut self, meta: Option<&std::fs::Metadata>) {
        self.stamp(meta.map(crate::files::stamp));
    }

    /// An entry's stamp (`files::stamp`'s fields), or that there is none.
    fn stamp(&mut self, stamp: Option<[i64; 8]>) {
        let Some(stamp) = stamp else {
            self.bytes(&[0]);
            return;
        };
        for field in stamp {
            self.hasher.update(&field.to_le_bytes());
        }
        for time in crate::files::stamp_times(&stamp) {
            self.newest = self.newest.max(crate::output::tick_end(time));
        }
    }

    /// The theme folder, and its `static` and `templates` folders when
    /// they are links: `render::theme` reads through them, the walk
    /// follows no link.
    fn theme(&mut self, theme: &Path) -> Result<(), ()> {
        self.tree(theme, false)?;
        for folder in ["static", "templates"] {
            let folder = theme.join(folder);
            if folder.is_symlink() && folder.is_dir() {
                self.tree(&folder, false)?;
            }
        }
        Ok(())
    }

    /// Every entry below `root`, in name order: folders by type and inode,
    /// files and links by their stamps (a link's target's too). Links to
    /// folders are not followed. A git folder's (`.git`, or `root` itself
    /// when `git`) own `objects`, `logs`, `hooks` and `lfs` are left out but
    /// for `objects/info/alternates`, and so are those of its submodules'
    /// git folders (below its `modules`, each holding a `HEAD`). Fails on a
    /// folder that cannot be listed and on a git folder with a `commondir`
    /// (its refs live elsewhere).
    fn tree(&mut self, root: &Path, git: bool) -> Result<(), ()> {
        self.path(root);
        // Entries are stamped from `root` held open: the kernel then walks
        // only their paths below it (the path walk from `/` was two thirds
        // of each stamp).
        let below = crate::files::Below::open(root);
        // (folder, its path below `root`, inside a git folder, the git
        // folder itself, below its `modules`)
        let mut stack = vec![(
            root.to_path_buf(),
            std::path::PathBuf::new(),
            git,
            git,
            false,
        )];
        while let Some((folder, relative, in_git, git_root, in_modules)) = stack.pop() {
            if git_root {
                if folder.join("commondir").exists() {
                    return Err(());
                }
                self.path(&folder.join("objects/info/alternates"));
            }
            let entries = self.entries(&folder, below.stamp(&relative, true))?;
            // A submodule's git folder: its objects are as unread as the
            // repository's own (refs never live below `modules`, so no
            // branch name can make a folder look like one).
            let git_folder = git_root
                || (in_modules
                    && entries
                        .iter()
                        .any(|e| e.kind != EntryKind::Folder && e.name == b"HEAD"));
            self.bytes(folder.as_os_str().as_encoded_bytes());
            self.hasher.update(&(entries.len() as u64).to_le_bytes());
            // Folders are walked after this one's entries, in reverse on
            // the stack so the walk stays in name order.
            let mut folders = Vec::new();
            for entry in entries.iter() {
                let name = std::ffi::OsStr::from_bytes(&entry.name);
                let path = relative.join(name);
                if entry.kind == EntryKind::Folder {
                    // Only a git folder's own (`GIT_UNREAD`), never a
                    // folder of that name deeper down: a branch may be
                    // named `fix/logs/rotation` (`refs/heads/fix/logs/`).
                    if git_folder && GIT_UNREAD.iter().any(|n| name == *n) {
                        continue;
                    }
                    self.bytes(name.as_encoded_bytes());
                    self.hasher.update(&[2]);
                    self.hasher.update(&entry.inode.to_le_bytes());
                    let modules = in_modules || (git_root && name == "modules");
                    let git_root = !in_git && name == ".git";
                    folders.push((
                        folder.join(name),
                        path,
                        in_git || git_root,
                        git_root,
                        modules,
                    ));
                } else {
                    self.bytes(name.as_encoded_bytes());
                    // The entry's own `lstat`.
                    self.stamp(below.stamp(&path, false));
                    if entry.kind == EntryKind::Link {
                        self.stamp(below.stamp(&path, true));
                    }
                }
            }
            stack.extend(folders.into_iter().rev());
        }
        Ok(())
    }
}

impl Stamps<'_> {
    /// The entries of `folder` in name order: from the last walk's
    /// listings when its stamp (taken first) is the one they hold, else
    /// read. Recorded for the next walk when its stamp is settled.
    /// `followed` is the folder's stamp, a final link followed: a walk's
    /// first folder (a ROOT, a repository or the theme as given) may be a
    /// link to it, whose own stamp no change inside moves. (The walk
    /// follows no other link.)
    fn entries(
        &mut self,
        folder: &Path,
        followed: Option<[i64; 8]>,
    ) -> Result<std::sync::Arc<Vec<FolderEntry>>, ()> {
        use std::os::unix::fs::DirEntryExt;
        self.walked += 1;
        // The stamp of the folder, taken before it is read.
        let fields = followed.ok_or(())?;
        let stamp = FolderStamp::of_stamp(fields);
        // The folder's own stamp, its times with it: a file added and
        // removed again leaves every entry as it was, but not the folder's
        // times (a stage that listed the folder in between must not be
        // taken as listing it now).
        self.stamp(Some(fields));
        let settled =
            stamp.settled(self.walk.started) && self.listings_kept_on(stamp.device, folder);
        let key = folder.as_os_str().as_encoded_bytes();
        let recorded = self
            .walk
            .record
            .and_then(|r| r.folders.get(key))
            .filter(|listed| settled && listed.stamp == stamp && listed.names_are_entries());
        let entries: std::sync::Arc<Vec<FolderEntry>> = match recorded {
            Some(listed) => listed.entries.clone(),
            None => {
                self.read += 1;
                let mut entries: Vec<std::fs::DirEntry> = std::fs::read_dir(folder)
                    .map_err(|_| ())?
                    .collect::<Result<_, _>>()
                    .map_err(|_| ())?;
                entries.sort_by_key(std::fs::DirEntry::file_name);
                entries
                    .iter()
                    .map(|entry| {
                        let kind = entry.file_type().map_err(|_| ())?;
                        Ok(FolderEntry {
                            name: entry.file_name().into_vec(),
                            kind: if kind.is_dir() {
                                EntryKind::Folder
                            } else if kind.is_symlink() {
                                EntryKind::Link
                            } else {
                                EntryKind::Other
                            },
                            inode: if kind.is_dir() { entry.ino() } else { 0 },
                        })
                    })
                    .collect::<Result<Vec<_>, ()>>()?
                    .into()
            }
        };
        if settled {
            self.listed.push((
                key.to_vec(),
                Listed {
                    stamp,
                    entries: entries.clone(),
                },
            ));
        }
        Ok(entries)
    }
}

fn now_nanos() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

/// The `--out` folder's device and inode.
fn folder_id(out_dir: &Path) -> Option<(u64, u64)> {
    let meta = std::fs::symlink_metadata(out_dir).ok()?;
    meta.is_dir().then(|| (meta.dev(), meta.ino()))
}

fn halves(key: u128) -> [u64; 2] {
    crate::output::halves(key)
}

/// The last build's diagnostics and figures, when its inputs were
/// `inputs` and the site in `out_dir` is still the one it left.
pub fn check(
    disk: &crate::cache::DiskCache,
    site: Key,
    inputs: &Inputs,
    out_dir: &Path,
    manifest_kind: &str,
) -> Option<(Vec<Diagnostic>, Unchanged)> {
    let entry: Entry = crate::memo::decode(&disk.get(KIND, site)?)?;
    if entry.key != halves(inputs.key) || Some(entry.folder) != folder_id(out_dir) {
        return None;
    }
    let bytes = disk.get(manifest_kind, site)?;
    if halves(xxhash_rust::xxh3::xxh3_128(&bytes)) != entry.manifest {
        return None;
    }
    let manifest = crate::output::Manifest::from_bytes(&bytes)?;
    let whole = manifest
        .files
        .par_iter()
        .all(|(path, facts)| facts.still_at(&out_dir.join(path)));
    whole.then(|| {
        let figures = Unchanged {
            entities: entry.entities,
            relations: entry.relations,
            files: manifest.files.len(),
        };
        (entry.diagnostics, figures)
    })
}

/// Records a successful build of `inputs` for the next build into the
/// same `--out` (nothing when its inputs changed as they were stamped).
pub fn keep(
    disk: &crate::cache::DiskCache,
    site: Key,
    inputs: &Inputs,
    out_dir: &Path,
    manifest: Option<u128>,
    outcome: &super::Outcome,
) {
    let (Some(manifest), Some(folder)) = (manifest, folder_id(out_dir)) else {
        return;
    };
    if inputs.racy {
        return;
    }
    let entry = Entry {
        key: halves(inputs.key),
        folder,
        manifest: halves(manifest),
        entities: outcome.portal.catalog.entities.len(),
        relations: outcome.portal.catalog.relation_count(),
        diagnostics: outcome.diagnostics.clone(),
    };
    if let Some(bytes) = crate::memo::encode(&entry) {
        disk.put(KIND, site, &bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder's listing is trusted a second after its last change, but
    /// a change stamped in whole seconds (a file system with coarse times:
    /// FAT's tick is two seconds) only after the end of its tick.
    #[test]
    fn coarse_folder_times_wait_for_the_end_of_their_tick() {
        const S: i128 = 1_000_000_000;
        let stamp = |modified: i128, changed: i128| FolderStamp {
            device: 1,
            inode: 2,
            modified,
            changed,
        };
        let fine = 100 * S + 123;
        assert!(!stamp(fine, fine).settled(fine + S / 2));
        assert!(stamp(fine, fine).settled(fine + S));
        let whole = 100 * S;
        assert!(!stamp(whole, whole).settled(whole + S));
        assert!(!stamp(whole, fine).settled(whole + 2 * S));
        assert!(stamp(whole, fine).settled(whole + 3 * S));
        assert!(!stamp(fine, whole).settled(whole + 2 * S + S / 2));
    }

    fn tree(root: &Path, git: bool) -> Option<u128> {
        let mut stamps = Stamps::new(&FRESH);
        stamps.tree(root, git).ok()?;
        Some(stamps.hasher.digest128())
    }

    /// The key of `root`'s tree as a walk with `record` makes it, the
    /// listings it leaves and how many folders it read.
    fn walked(root: &Path, record: Option<&Listings>) -> (u128, Listings, usize) {
        walked_at(root, record, now_nanos())
    }

    /// [`walked`] as if it started at `started`.
    fn walked_at(root: &Path, record: Option<&Listings>, started: i128) -> (u128, Listings, usize) {
        let walk = Walk { record, started };
        let mut stamps = Stamps::new(&walk);
        stamps.tree(root, false).unwrap();
        let key = stamps.hasher.digest128();
        let listings = Listings {
            folders: stamps.listed.into_iter().collect(),
        };
        (key, listings, stamps.read)
    }

    /// A walk that takes folders from the last walk's listings makes the
    /// key a walk reading every folder makes, and still sees every change:
    /// a file added deep down, one edited, one replaced by a rename, a
    /// folder replaced by a file, a link.
    #[test]
    fn the_last_walks_listings_give_the_same_key_and_miss_no_change() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for folder in [".git/refs/heads", "docs/img"] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
        }
        let write = |path: &str, text: &str| std::fs::write(root.join(path), text).unwrap();
        write("docs/index.md", "# Home\n");
        write("docs/img/a.png", "png");
        write(".git/refs/heads/main", "1111\n");
        let (first, fresh, read) = walked(root, None);
        assert_eq!(read, 6);
        assert!(fresh.folders.is_empty(), "changed just now: not recorded");
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let (key, record, read) = walked(root, None);
        assert_eq!((key, read), (first, 6));
        assert_eq!(record.folders.len(), 6, "settled: every folder recorded");
        let record = Listings::from_bytes(&record.to_bytes()).unwrap();
        let (again, _, read) = walked(root, Some(&record));
        assert_eq!((again, read), (first, 0), "nothing read, the same key");

        let check = |what: &str, changed: &dyn Fn()| {
            changed();
            // As if long after the change: the folders' stamps alone decide.
            let later = now_nanos() + 10 * RACY_NANOS;
            let (by_record, _, _) = walked_at(root, Some(&record), later);
            let (by_reading, _, _) = walked(root, None);
            assert_eq!(by_record, by_reading, "{what}: the same key either way");
            assert_ne!(by_record, first, "{what}: seen");
        };
        check("a file edited", &|| write("docs/index.md", "# Home!\n"));
        check("a file added deep down", &|| write("docs/img/b.png", "png"));
        check("a branch moved", &|| {
            write(".git/refs/heads/main", "2222\n")
        });
        check("a file replaced by a rename", &|| {
            write("docs/new.md", "new");
            std::fs::rename(root.join("docs/new.md"), root.join("docs/index.md")).unwrap();
        });
        check("a folder replaced by a file", &|| {
            std::fs::remove_dir_all(root.join("docs/img")).unwrap();
            write("docs/img", "a file");
        });
        check("a link", &|| {
            std::os::unix::fs::symlink("index.md", root.join("docs/link.md")).unwrap();
        });
    }

    /// A listing from the cache (untrusted) naming an entry `/`, `..` or
    /// a path, or out of order, is not taken: the folder is read.
    #[test]
    fn a_listing_with_names_no_folder_has_is_read_instead() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("docs")).unwrap();
        std::fs::write(root.join("docs/index.md"), "# Home\n").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let (first, record, _) = walked(root, None);
        let top = root.as_os_str().as_encoded_bytes().to_vec();
        let forged: [&[u8]; 5] = [b"/", b"..", b".", b"", b"docs/../.."];
        for name in forged {
            let mut record = Listings::from_bytes(&record.to_bytes()).unwrap();
            let listed = record.folders.get_mut(&top).unwrap();
            let mut entries = (*listed.entries).clone();
            entries.push(FolderEntry {
                name: name.to_vec(),
                kind: EntryKind::Folder,
                inode: 1,
            });
            entries.sort_by(|a, b| a.name.cmp(&b.name));
            listed.entries = std::sync::Arc::new(entries);
            let (key, _, read) = walked(root, Some(&record));
            assert_eq!((key, read), (first, 1), "{name:?}: the root read again");
        }
        let mut record = Listings::from_bytes(&record.to_bytes()).unwrap();
        let listed = record.folders.get_mut(&top).unwrap();
        let mut entries = (*listed.entries).clone();
        entries.push(entries[0].clone());
        listed.entries = std::sync::Arc::new(entries);
        let (key, _, read) = walked(root, Some(&record));
        assert_eq!((key, read), (first, 1), "an entry twice");
    }

    /// A work tree's stamp changes with any file of it and with its git
    /// folder's refs, not with objects, logs or hooks; a git folder whose
    /// refs live elsewhere cannot be stamped.
    #[test]
    fn a_tree_stamp_changes_with_what_a_build_could_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for folder in [".git/objects/ab", ".git/refs/heads", ".git/logs", "docs"] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
        }
        let write = |path: &str, text: &str| std::fs::write(root.join(path), text).unwrap();
        write("docs/index.md", "# Home\n");
        write(".git/HEAD", "ref: refs/heads/main\n");
        write(".git/refs/heads/main", "1111\n");
        let first = tree(root, false).unwrap();
        assert_eq!(
            tree(root, false),
            Some(first),
            "the same files: the same stamp"
        );

        write(".git/objects/ab/cdef", "object");
        write(".git/logs/HEAD", "log");
        assert_eq!(
            tree(root, false),
            Some(first),
            "objects and logs are not read by name"
        );

        write(".git/refs/heads/main", "2222\n");
        let moved = tree(root, false).unwrap();
        assert_ne!(moved, first, "a branch moved");
        write("docs/new.md", "new");
        let added = tree(root, false).unwrap();
        assert_ne!(added, moved, "a file added");
        std::fs::remove_file(root.join("docs/new.md")).unwrap();
        assert_ne!(tree(root, false), Some(added), "a file removed");
        write("docs/index.md", "# Home!\n");
        assert_ne!(tree(root, false), Some(moved), "a file edited");

        // A submodule's git folder: its objects, logs and hooks as unread
        // as the repository's own; Git LFS's object cache too.
        for folder in [
            ".git/modules/lib/objects/ab",
            ".git/modules/lib/logs",
            ".git/lfs/objects/12",
        ] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
        }
        write(".git/modules/lib/HEAD", "ref: refs/heads/main\n");
        let with_module = tree(root, false).unwrap();
        write(".git/modules/lib/objects/ab/cdef", "object");
        write(".git/modules/lib/logs/HEAD", "log");
        write(".git/lfs/objects/12/3456", "big file");
        assert_eq!(
            tree(root, false),
            Some(with_module),
            "a submodule's objects are not read"
        );
        write(".git/modules/lib/HEAD", "ref: refs/heads/next\n");
        assert_ne!(
            tree(root, false),
            Some(with_module),
            "a submodule's HEAD moved"
        );

        // A branch whose name has a part named like a skipped folder.
        for folder in ["logs", "objects", "hooks"] {
            let branch = format!(".git/refs/heads/fix/{folder}");
            std::fs::create_dir_all(root.join(&branch)).unwrap();
            write(&format!("{branch}/rotation"), "3333\n");
            let made = tree(root, false).unwrap();
            write(&format!("{branch}/rotation"), "4444\n");
            assert_ne!(
                tree(root, false),
                Some(made),
                "the branch fix/{folder}/rotation moved"
            );
        }

        write(".git/commondir", "../..\n");
        assert_eq!(tree(root, false), None, "refs elsewhere: no stamp");
        // A bare clone is a git folder itself.
        std::fs::remove_file(root.join(".git/commondir")).unwrap();
        let bare = tree(&root.join(".git"), true).unwrap();
        write(".git/objects/ab/other", "object");
        assert_eq!(tree(&root.join(".git"), true), Some(bare));
    }

    /// A file a git configuration includes is stamped with it.
    #[test]
    fn included_git_configuration_is_stamped() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::write(&config, "[include]\n\tpath = remote.conf\n").unwrap();
        std::fs::write(dir.path().join("remote.conf"), "[remote \"origin\"]\n").unwrap();
        let stamp = || {
            let mut stamps = Stamps::new(&FRESH);
            stamps.git_config(&config, INCLUDE_DEPTH);
            stamps.hasher.digest128()
        };
        let first = stamp();
        assert_eq!(stamp(), first);
        std::fs::write(dir.path().join("remote.conf"), "[remote \"upstream\"]\n").unwrap();
        assert_ne!(stamp(), first, "the included file changed");
    }

    /// Inputs changed just now are not trusted.
    #[test]
    fn inputs_changed_just_now_are_racy() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("catalog-info.yaml");
        std::fs::write(&file, "kind: Component\n").unwrap();
        let mut stamps = Stamps::new(&FRESH);
        stamps.path(&file);
        assert!(stamps.newest > now_nanos() - RACY_NANOS, "just written");
        // A missing file has no time: it never makes the inputs racy.
        let mut missing = Stamps::new(&FRESH);
        missing.path(&dir.path().join("missing.yaml"));
        assert!(missing.newest < now_nanos() - RACY_NANOS);
    }
}
