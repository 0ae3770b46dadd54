//! Where `portico serve`'s settings come from: `portico.toml` and the
//! command line, as `build` reads them, with what `serve` changes. The
//! builder reads the file again on each change and loads exactly the bytes
//! it read (`Builder::reload_settings`).

use super::watch::Watched;
use crate::config::{CliSettings, Config};
use crate::pipeline;
use std::path::{Path, PathBuf};

/// The largest configuration file read: far more than any real
/// `portico.toml`.
const MAX_SETTINGS_BYTES: u64 = 1 << 20;

/// The configuration file as read: its bytes (`None`: there is none), or
/// why it cannot be read. Compared between builds.
pub type Read = Result<Option<Vec<u8>>, String>;

pub struct Settings {
    pub cli: CliSettings,
    /// Whether the search indexes are made (`serve --no-search`).
    pub search: bool,
    /// `serve --theme`, over `[site] theme`.
    pub theme: Option<PathBuf>,
}

impl Settings {
    /// The configuration file: `--config`, else `portico.toml` in the
    /// working folder (which may not exist).
    pub fn file(&self) -> PathBuf {
        self.cli
            .config
            .clone()
            .unwrap_or_else(|| PathBuf::from(crate::config::FILE_NAME))
    }

    /// The configuration file now. Opened without blocking and read only
    /// when it is a regular file (a FIFO would hold the builder for ever,
    /// a device fill memory).
    pub fn read(&self) -> Read {
        let path = self.file();
        match crate::files::read_regular(&path, MAX_SETTINGS_BYTES) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && self.cli.config.is_none() => {
                Ok(None)
            }
            Err(e) => Err(format!("cannot read `{}`: {e}", path.display())),
        }
    }

    /// The configuration for a preview, from the file as `read`. With no
    /// ROOT, no Location file and no configuration file, the working folder
    /// is previewed (a repository, or a folder of them): decided on every
    /// load, so a `portico.toml` made or deleted later counts as at start.
    /// Every error names the file.
    pub fn load(&self, read: &Read) -> Result<Config, String> {
        let path = self.file();
        let bytes = read.as_ref().map_err(Clone::clone)?;
        let text = match bytes {
            Some(bytes) => Some(
                std::str::from_utf8(bytes)
                    .map_err(|_| format!("{}: not UTF-8 text", path.display()))?,
            ),
            None => None,
        };
        let mut cli = self.cli.clone();
        if cli.roots.is_empty() && cli.locations.is_empty() && text.is_none() {
            let depth = cli.max_depth.unwrap_or(crate::discover::DEFAULT_MAX_DEPTH);
            cli.roots.push(default_root(depth));
        }
        let named = |message: String| {
            let shown = path.display().to_string();
            if message.contains(&shown) || text.is_none() {
                message
            } else {
                format!("{shown}: {message}")
            }
        };
        let mut config = crate::config::load_with(&cli, text.map(|text| (path.as_path(), text)))
            .map_err(|e| named(e.0))?;
        // History walks every repository's past on each rebuild: a preview
        // after an edit shows the present only.
        config.scorecards.history = None;
        config.search = self.search;
        if self.theme.is_some() {
            config.theme = self.theme.clone();
        }
        Ok(config)
    }

    /// What the watcher watches for `config`: the roots, Location files and
    /// theme; the folders of the files read from elsewhere (this
    /// configuration file, the logo, scorecard definitions and facts); and
    /// the folder each scorecard definition pattern starts from, so a
    /// definition added where none matched yet is seen.
    pub fn watched(&self, config: &Config) -> Watched {
        let mut paths: Vec<PathBuf> = config.roots.clone();
        paths.extend(config.locations.iter().cloned());
        paths.extend(config.theme.iter().cloned());
        let mut elsewhere = vec![self.file()];
        elsewhere.extend(pipeline::unchanged::outside_files(config));
        let scorecards = &config.scorecards;
        for pattern in &scorecards.paths {
            let (folder, below) = pattern_folder(&scorecards.base, pattern);
            if below && folder.is_dir() {
                paths.push(folder);
            } else {
                // Its folder is watched on its own, as a file's would be
                // (or, until it exists, looked for again on each change).
                elsewhere.push(folder.join("*"));
            }
        }
        Watched::new(&paths, &elsewhere)
    }
}

/// The folder a definition pattern (relative to `base`) starts from: its
/// parts before the first with a wildcard; and whether files below that
/// folder's own can match (the pattern goes on past another `/`).
fn pattern_folder(base: &Path, pattern: &str) -> (PathBuf, bool) {
    let parts: Vec<&str> = pattern.split('/').collect();
    let literal = parts
        .iter()
        .take_while(|p| !p.contains(['*', '?', '[', '{']))
        .count()
        .min(parts.len() - 1);
    let folder = parts[..literal]
        .iter()
        .fold(base.to_path_buf(), |folder, part| folder.join(part));
    (folder, parts.len() - literal > 1)
}

/// The folder previewed with no ROOT: the working folder, or, when no
/// repository is found under it and it lies inside one (`portico serve`
/// run in a repository's `docs/`), that repository, as a path up (`..`).
fn default_root(max_depth: usize) -> PathBuf {
    let here = PathBuf::from(".");
    let found = crate::discover::repositories(std::slice::from_ref(&here), max_depth)
        .is_ok_and(|found| !found.repos.is_empty());
    let cwd = match here.canonicalize() {
        Ok(cwd) if !found => cwd,
        _ => return here,
    };
    let mut up = PathBuf::new();
    for ancestor in cwd.ancestors().skip(1) {
        up.push("..");
        if crate::discover::classify(ancestor).is_some() {
            return up;
        }
    }
    here
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_is_watched_from_its_literal_folder() {
        let base = Path::new("conf");
        assert_eq!(
            pattern_folder(base, "cards/*.yaml"),
            (PathBuf::from("conf/cards"), false)
        );
        assert_eq!(
            pattern_folder(base, "cards/**/*.yaml"),
            (PathBuf::from("conf/cards"), true)
        );
        assert_eq!(
            pattern_folder(base, "cards/gold.yaml"),
            (PathBuf::from("conf/cards"), false)
        );
        assert_eq!(
            pattern_folder(base, "*.yaml"),
            (PathBuf::from("conf"), false)
        );
        assert_eq!(
            pattern_folder(base, "*/x.yaml"),
            (PathBuf::from("conf"), true)
        );
    }

    fn settings(dir: &Path) -> Settings {
        Settings {
            cli: CliSettings {
                config: Some(dir.join("portico.toml")),
                roots: vec![dir.to_path_buf()],
                ..Default::default()
            },
            search: true,
            theme: None,
        }
    }

    /// The file is read only as a regular file of a bounded size, and
    /// every error names it.
    #[test]
    fn the_file_is_read_safely_and_named_in_errors() {
        let dir = tempfile::tempdir().unwrap();
        let settings = settings(dir.path());
        let file = dir.path().join("portico.toml");
        let missing = settings.read().unwrap_err();
        assert!(missing.contains("portico.toml"), "{missing}");
        std::fs::create_dir(&file).unwrap();
        assert!(settings.read().unwrap_err().contains("not a regular file"));
        std::fs::remove_dir(&file).unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(&file)
            .status()
            .unwrap();
        assert!(status.success());
        assert!(settings.read().unwrap_err().contains("not a regular file"));
        std::fs::remove_file(&file).unwrap();
        std::fs::write(&file, vec![b'#'; MAX_SETTINGS_BYTES as usize + 1]).unwrap();
        assert!(settings.read().unwrap_err().contains("larger than"));
        // A setting that does not hold is named with the file.
        std::fs::write(&file, "[scorecards]\ndelivery-window-days = 0\n").unwrap();
        let read = settings.read();
        let error = settings.load(&read).unwrap_err();
        assert!(error.starts_with(&file.display().to_string()), "{error}");
        std::fs::write(&file, [0xff, 0xfe]).unwrap();
        assert!(
            settings
                .load(&settings.read())
                .unwrap_err()
                .contains("UTF-8")
        );
    }

    /// With no ROOT, the working folder is previewed only while there is no
    /// configuration file: one made later gives the roots.
    #[test]
    fn the_working_folder_is_the_root_only_without_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("portico.toml");
        let settings = Settings {
            cli: CliSettings {
                config: Some(file.clone()),
                ..Default::default()
            },
            search: true,
            theme: None,
        };
        let config = settings.load(&Ok(None)).unwrap();
        assert_eq!(config.roots, vec![PathBuf::from(".")]);
        std::fs::write(&file, "roots = [\"repos\"]\n").unwrap();
        let config = settings.load(&settings.read()).unwrap();
        assert_eq!(config.roots, vec![dir.path().join("repos")]);
    }
}
