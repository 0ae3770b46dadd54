//! Lockfiles read as lists of packages: the name, the version locked (when
//! the file pins one) and the line it is written on. One parser per format,
//! each refusing what it cannot read with the line at fault, never
//! panicking: lockfiles come from the repositories, which are hostile input.
//! Reads go through the rules' confined [`RepoFiles`](super::files::RepoFiles)
//! (its size cap included); a file listing more than [`MAX_LOCKFILE_PACKAGES`]
//! packages is refused.
//!
//! | file | ecosystem | parser |
//! |---|---|---|
//! | `Cargo.lock`, `poetry.lock` | cargo, pypi | `toml_locks.rs` |
//! | `package-lock.json`, `npm-shrinkwrap.json`, `yarn.lock`, `pnpm-lock.yaml` | npm | `js.rs` |
//! | `go.mod` | go | `go.rs` |
//! | `requirements.txt` | pypi | `requirements.rs` |

mod go;
mod js;
mod requirements;
mod toml_locks;

pub use crate::limits::MAX_LOCKFILE_PACKAGES;

/// Which package registry a lockfile's names belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ecosystem {
    Cargo,
    Npm,
    Go,
    Pypi,
}

impl Ecosystem {
    pub const ALL: [(&'static str, Ecosystem); 4] = [
        ("cargo", Ecosystem::Cargo),
        ("npm", Ecosystem::Npm),
        ("go", Ecosystem::Go),
        ("pypi", Ecosystem::Pypi),
    ];

    pub fn label(self) -> &'static str {
        Ecosystem::ALL
            .iter()
            .find(|(_, e)| *e == self)
            .map_or("", |(n, _)| n)
    }

    /// The name as the registry tells names apart: PyPI ignores case and
    /// treats runs of `-`, `_` and `.` alike (PEP 503); the others compare
    /// names as written.
    pub fn normalize(self, name: &str) -> String {
        match self {
            Ecosystem::Pypi => {
                let mut out = String::with_capacity(name.len());
                for c in name.trim().chars() {
                    if matches!(c, '-' | '_' | '.') {
                        if !out.ends_with('-') {
                            out.push('-');
                        }
                    } else {
                        out.push(c.to_ascii_lowercase());
                    }
                }
                out
            }
            _ => name.trim().to_string(),
        }
    }
}

/// A lockfile format, known by the file's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    CargoLock,
    PackageLock,
    YarnLock,
    PnpmLock,
    GoMod,
    PoetryLock,
    Requirements,
}

impl Format {
    /// File names, in the order a folder's lockfiles are read.
    pub const FILES: [(&'static str, Format); 8] = [
        ("Cargo.lock", Format::CargoLock),
        ("package-lock.json", Format::PackageLock),
        ("npm-shrinkwrap.json", Format::PackageLock),
        ("yarn.lock", Format::YarnLock),
        ("pnpm-lock.yaml", Format::PnpmLock),
        ("go.mod", Format::GoMod),
        ("poetry.lock", Format::PoetryLock),
        ("requirements.txt", Format::Requirements),
    ];

    /// The format of a path, by its file name.
    pub fn of_path(path: &str) -> Option<Format> {
        let name = path.rsplit('/').next().unwrap_or(path);
        Format::FILES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| *f)
    }

    pub fn ecosystem(self) -> Ecosystem {
        match self {
            Format::CargoLock => Ecosystem::Cargo,
            Format::PackageLock | Format::YarnLock | Format::PnpmLock => Ecosystem::Npm,
            Format::GoMod => Ecosystem::Go,
            Format::PoetryLock | Format::Requirements => Ecosystem::Pypi,
        }
    }
}

/// One package entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    /// As written (compare through [`Ecosystem::normalize`]).
    pub name: String,
    /// `None` when the file does not pin one (`requests>=2` in
    /// `requirements.txt`).
    pub version: Option<String>,
    /// 1-based; `None` when the entry's line could not be told.
    pub line: Option<usize>,
}

/// Why a lockfile could not be read, and the line at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    pub line: usize,
    pub message: String,
}

impl Malformed {
    pub fn at(line: usize, message: impl Into<String>) -> Malformed {
        Malformed {
            line,
            message: message.into(),
        }
    }
}

/// Every package entry of a lockfile's text.
pub fn parse(format: Format, text: &str) -> Result<Vec<Package>, Malformed> {
    let packages = match format {
        Format::CargoLock | Format::PoetryLock => toml_locks::parse(text)?,
        Format::PackageLock => js::package_lock(text)?,
        Format::YarnLock => js::yarn_lock(text)?,
        Format::PnpmLock => js::pnpm_lock(text)?,
        Format::GoMod => go::go_mod(text)?,
        Format::Requirements => requirements::parse(text)?,
    };
    if packages.len() > MAX_LOCKFILE_PACKAGES {
        return Err(Malformed::at(
            1,
            format!(
                "{} packages, over the limit of {MAX_LOCKFILE_PACKAGES}",
                packages.len()
            ),
        ));
    }
    Ok(packages)
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
