//! A small builder for tests that run the real `portico` binary on fixture
//! organisations: plain folders, git work trees and bare clones made in a
//! temporary folder.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The crate root, where `example-org/` lives.
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/corpus`, the upstream test corpus.
pub fn corpus_dir() -> PathBuf {
    crate_dir().join("../shared/corpus")
}

/// What a run of the binary produced.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Parses `check --format json` output.
    /// Each `--format json` diagnostic as `"<code> <field>"`, e.g. the file.
    pub fn codes_with(&self, field: &str) -> Vec<String> {
        self.diagnostics()
            .iter()
            .map(|d| {
                format!(
                    "{} {}",
                    d["code"].as_str().unwrap(),
                    d[field].as_str().unwrap()
                )
            })
            .collect()
    }

    pub fn diagnostics(&self) -> Vec<serde_json::Value> {
        serde_json::from_str::<Vec<serde_json::Value>>(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not a JSON array ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// `(severity, code, file:line)` of each diagnostic, for compact asserts.
    pub fn codes(&self) -> Vec<(String, String, String)> {
        self.diagnostics()
            .iter()
            .map(|d| {
                (
                    d["severity"].as_str().unwrap().to_string(),
                    d["code"].as_str().unwrap().to_string(),
                    format!("{}:{}", d["file"].as_str().unwrap(), d["line"]),
                )
            })
            .collect()
    }
}

/// Runs `portico ARGS` in `dir`.
pub fn portico(dir: &Path, args: &[&str]) -> Run {
    portico_with_env(dir, args, &[])
}

/// The cache folder every `portico` the tests run keeps its terminal
/// search indexes in (`XDG_CACHE_HOME`): one for the test run, never the
/// user's own.
pub fn test_cache_home() -> &'static Path {
    static HOME: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    HOME.get_or_init(|| tempfile::tempdir().expect("a temporary folder"))
        .path()
}

/// Runs `portico ARGS` in `dir` with extra environment variables.
pub fn portico_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("XDG_CACHE_HOME", test_cache_home())
        .envs(env.iter().copied())
        .output()
        .expect("portico runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Reads `site/catalog.json` and returns its entities.
pub fn entities(site: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(site.join("catalog.json")).expect("catalog.json written");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["entities"].as_array().unwrap().clone()
}

/// `kind:namespace/name` of an entity from catalog.json.
pub fn entity_ref(e: &serde_json::Value) -> String {
    format!(
        "{}:{}/{}",
        e["kind"].as_str().unwrap().to_lowercase(),
        e["metadata"]["namespace"].as_str().unwrap(),
        e["metadata"]["name"].as_str().unwrap()
    )
}

/// An entity's relations as `"<type> <targetRef>"`, in catalog order.
pub fn relations(entity: &serde_json::Value) -> Vec<String> {
    entity["relations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["type"].as_str().unwrap(),
                r["targetRef"].as_str().unwrap()
            )
        })
        .collect()
}

pub fn find<'a>(entities: &'a [serde_json::Value], r: &str) -> &'a serde_json::Value {
    entities
        .iter()
        .find(|e| entity_ref(e) == r)
        .unwrap_or_else(|| {
            panic!(
                "{r} not in catalog: {:?}",
                entities.iter().map(entity_ref).collect::<Vec<_>>()
            )
        })
}

/// A temporary organisation folder.
pub struct Org {
    pub dir: tempfile::TempDir,
}

impl Org {
    pub fn new() -> Org {
        Org {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file, creating folders.
    pub fn file(&self, path: &str, content: &str) -> &Org {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
        self
    }

    /// `count` Location files in the repository folder `dir`: its
    /// catalog-info.yaml is `loc-0`, then `l1.yaml` … are `loc-1` …; the
    /// target of Location `i` is `target(i)`.
    pub fn locations(&self, dir: &str, count: usize, target: &dyn Fn(usize) -> String) -> &Org {
        let name = dir.rsplit('/').next().unwrap_or(dir);
        for i in 0..count {
            let path = match i {
                0 => format!("{dir}/catalog-info.yaml"),
                i => format!("{dir}/l{i}.yaml"),
            };
            self.file(
                &path,
                &format!(
                    "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: {name}-{i}\nspec:\n  target: {}\n",
                    target(i)
                ),
            );
        }
        self
    }

    /// Copies a folder of example-org into the organisation.
    pub fn copy_example(&self, repo: &str, to: &str) -> &Org {
        copy_dir(
            &crate_dir().join("example-org").join(repo),
            &self.path().join(to),
        );
        self
    }

    pub fn run(&self, args: &[&str]) -> Run {
        portico(self.path(), args)
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Runs git with a fixed identity and no user configuration.
pub fn git(dir: &Path, args: &[&str]) -> String {
    git_at(dir, "2026-01-02T03:04:05+00:00", args)
}

/// [`git`] with `date` (RFC 3339) as the author and committer date.
pub fn git_at(dir: &Path, date: &str, args: &[&str]) -> String {
    let output = Command::new("git")
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "core.autocrlf=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ada Author")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Author")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Makes `dir` a git repository with everything committed on `branch`.
/// Writes `files` into `dir` (a git work tree, made when missing) and
/// commits everything at noon on `date` (`YYYY-MM-DD`), an empty commit
/// when nothing changed.
pub fn commit_on(dir: &Path, date: &str, files: &[(&str, &str)]) {
    let git = |args: &[&str]| git_at(dir, &format!("{date}T12:00:00+00:00"), args);
    std::fs::create_dir_all(dir).unwrap();
    if !dir.join(".git").exists() {
        git(&["init", "-q", "-b", "main"]);
    }
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    git(&["add", "-A"]);
    git(&["commit", "-q", "--allow-empty", "-m", date]);
}

pub fn commit_all(dir: &Path, branch: &str, message: &str) {
    if !dir.join(".git").exists() {
        git(dir, &["init", "-q", "-b", branch]);
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

/// `git clone --bare SOURCE DEST` inside `org` (DEST relative to it).
pub fn bare_clone(org: &Path, source: &Path, dest: &str) {
    git(
        org,
        &["clone", "-q", "--bare", source.to_str().unwrap(), dest],
    );
}

/// example-org built once per test run (into a temp folder), for tests that
/// only read the site. The build's stderr is kept for assertions.
pub fn example_site() -> &'static (PathBuf, String) {
    static SITE: std::sync::OnceLock<(tempfile::TempDir, (PathBuf, String))> =
        std::sync::OnceLock::new();
    &SITE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let site = dir.path().join("site");
            let run = portico(
                &crate_dir(),
                &["build", "example-org", "--out", site.to_str().unwrap()],
            );
            assert_eq!(
                run.code, 1,
                "example-org's deliberate mistakes give exit 1\n{}",
                run.stderr
            );
            (dir, (site, run.stderr))
        })
        .1
}

/// Every file under `dir`, by path relative to it, with its bytes.
pub fn files_under(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}
