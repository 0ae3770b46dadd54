//! Dependency rules: a package looked up in the lockfiles of the entity's
//! folder (or its parents': a workspace's lockfile sits at its root), read
//! through the rules' confined [`RepoFiles`]. A lockfile that cannot be
//! read fails the rule with the file and line at fault, and is reported as
//! a `lockfile-invalid` warning (see [`super::run`]).

use super::check::{DependencyCheck, DependencyTest};
use super::files::RepoFiles;
use super::folder;
use super::lockfiles::{self, Ecosystem, Format, Package};
use super::versions::Version;
use super::{Evidence, Verdict};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

pub fn check(
    files: Option<&dyn RepoFiles>,
    entity_folder: &str,
    check: &DependencyCheck,
) -> Verdict {
    let Some(files) = files else {
        return Verdict::not_applicable(Evidence::says(
            "the entity was not read from a repository",
        ));
    };
    let lockfiles = match &check.lockfile {
        Some(path) => {
            let path = folder::resolve(entity_folder, path);
            match Format::of_path(&path) {
                Some(format) => vec![(path, format)],
                // The reader refuses unknown names; kept total all the same.
                None => Vec::new(),
            }
        }
        None => nearest(files, entity_folder, check.ecosystem),
    };
    if lockfiles.is_empty() {
        return Verdict::not_applicable(Evidence::says(format!(
            "no {}lockfile in `{}` or a folder above it",
            check
                .ecosystem
                .map_or(String::new(), |e| format!("{} ", e.label())),
            if entity_folder.is_empty() {
                "/"
            } else {
                entity_folder
            }
        )));
    }
    let mut found: Vec<(String, Package)> = Vec::new();
    for (path, format) in &lockfiles {
        let text = match files.read_text(path) {
            Ok(text) => text,
            Err(e) => return Verdict::fail(Evidence::says(e.to_string()).at(path, None)),
        };
        match parsed(*format, &text).as_ref() {
            Ok(packages) => {
                let ecosystem = format.ecosystem();
                let wanted = ecosystem.normalize(&check.name);
                found.extend(
                    packages
                        .iter()
                        .filter(|p| ecosystem.normalize(&p.name) == wanted)
                        .map(|p| (path.clone(), p.clone())),
                );
            }
            Err(bad) => {
                let mut evidence = Evidence::says(format!(
                    "`{path}` could not be read as a lockfile: {}",
                    bad.message
                ))
                .at(path, Some(bad.line));
                evidence.unreadable = true;
                return Verdict::fail(evidence);
            }
        }
    }
    let names: Vec<&str> = lockfiles.iter().map(|(p, _)| p.as_str()).collect();
    judge(check, &found, &names.join("`, `"))
}

type Parsed = Arc<Result<Vec<Package>, lockfiles::Malformed>>;

thread_local! {
    /// Lockfiles parsed on this thread, by format and content hash: every
    /// rule of every Component of a monorepo reads the same root lockfile,
    /// and history reads it again at each week whose blob did not change.
    static PARSED: RefCell<HashMap<(Format, u128), Parsed>> = RefCell::new(HashMap::new());
}

/// Lockfiles kept per thread; past it the cache starts again.
const KEPT_LOCKFILES: usize = 32;

fn parsed(format: Format, text: &str) -> Parsed {
    let key = (format, xxhash_rust::xxh3::xxh3_128(text.as_bytes()));
    if let Some(kept) = PARSED.with(|p| p.borrow().get(&key).cloned()) {
        return kept;
    }
    #[cfg(test)]
    tests::PARSES.with(|n| n.set(n.get() + 1));
    let result: Parsed = Arc::new(lockfiles::parse(format, text));
    PARSED.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() >= KEPT_LOCKFILES {
            p.clear();
        }
        p.insert(key, result.clone());
    });
    result
}

/// The lockfiles of the nearest folder holding any, from `start` up to the
/// repository root (only `ecosystem`'s when given).
fn nearest(
    files: &dyn RepoFiles,
    start: &str,
    ecosystem: Option<Ecosystem>,
) -> Vec<(String, Format)> {
    let paths = files.paths();
    let mut dir = start;
    loop {
        let here: Vec<(String, Format)> = Format::FILES
            .iter()
            .filter(|(_, f)| ecosystem.is_none_or(|e| f.ecosystem() == e))
            .map(|(name, f)| (folder::resolve(dir, name), *f))
            .filter(|(path, _)| paths.binary_search(path).is_ok())
            .collect();
        if !here.is_empty() || dir.is_empty() {
            return here;
        }
        dir = crate::read::safe_path::parent(dir);
    }
}

fn judge(check: &DependencyCheck, found: &[(String, Package)], where_: &str) -> Verdict {
    let name = &check.name;
    let shown = |(path, p): &(String, Package)| {
        let version = p.version.as_deref().unwrap_or("(no version pinned)");
        Evidence::says(format!("`{}` {version} in `{path}`", p.name))
            .value(p.version.clone().unwrap_or_default())
            .at(path.clone(), p.line)
    };
    let Some(first) = found.first() else {
        let evidence = Evidence::says(format!("no `{name}` in `{where_}`"));
        return match check.test {
            DependencyTest::Absent => Verdict::pass(evidence),
            _ => Verdict::fail(evidence),
        };
    };
    match &check.test {
        DependencyTest::Present => Verdict::pass(shown(first)),
        DependencyTest::Absent => Verdict::fail(shown(first)),
        DependencyTest::Version(range) => {
            // Every copy counts: an old one still ships.
            for entry in found {
                let Some(text) = entry.1.version.as_deref() else {
                    let mut e = shown(entry);
                    e.summary = format!(
                        "{}: no version to compare with `{}`",
                        e.summary,
                        range.as_str()
                    );
                    return Verdict::fail(e);
                };
                let ok = Version::parse(text).is_some_and(|v| range.contains(&v));
                if !ok {
                    let mut e = shown(entry);
                    e.summary = format!("{}, not `{}`", e.summary, range.as_str());
                    return Verdict::fail(e);
                }
            }
            let mut versions: Vec<&str> = Vec::new();
            for v in found.iter().filter_map(|(_, p)| p.version.as_deref()) {
                if !versions.contains(&v) {
                    versions.push(v);
                }
            }
            if versions.len() > 5 {
                let more = format!("and {} more", versions.len() - 4);
                versions.truncate(4);
                return pass_with(first, &versions, &more, range.as_str());
            }
            pass_with(first, &versions, "", range.as_str())
        }
    }
}

/// Every copy in the range: their distinct versions (the first few).
fn pass_with(first: &(String, Package), versions: &[&str], more: &str, range: &str) -> Verdict {
    let (path, package) = first;
    let mut listed = versions.join(", ");
    if !more.is_empty() {
        listed = format!("{listed} {more}");
    }
    Verdict::pass(
        Evidence::says(format!(
            "`{}` {listed} in `{path}`, within `{range}`",
            package.name
        ))
        .value(package.version.clone().unwrap_or_default())
        .at(path.clone(), package.line),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scorecards::Status;
    use crate::scorecards::files::fake::FakeFiles;
    use crate::scorecards::versions::Range;
    use std::cell::Cell;

    thread_local! {
        /// Lockfiles parsed on this thread (each test runs on its own).
        pub(super) static PARSES: Cell<usize> = const { Cell::new(0) };
    }

    fn dep(name: &str, test: DependencyTest) -> DependencyCheck {
        DependencyCheck {
            name: name.to_string(),
            ecosystem: None,
            lockfile: None,
            test,
        }
    }

    fn version(range: &str) -> DependencyTest {
        DependencyTest::Version(Range::parse(range).unwrap())
    }

    const CARGO: &str = "version = 4\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.219\"\n\n[[package]]\nname = \"openssl\"\nversion = \"0.10.55\"\n\n[[package]]\nname = \"openssl\"\nversion = \"0.10.66\"\n";

    #[test]
    fn present_absent_and_versions_with_their_lines() {
        let files = FakeFiles::with(&[("Cargo.lock", CARGO)]);
        let run = |c: DependencyCheck| check(Some(&files), "", &c);

        let v = run(dep("serde", DependencyTest::Present));
        assert_eq!(v.status, Status::Pass);
        assert_eq!(v.evidence.place().as_deref(), Some("Cargo.lock:4"));
        assert_eq!(v.evidence.value.as_deref(), Some("1.0.219"));

        assert_eq!(
            run(dep("tokio", DependencyTest::Present)).status,
            Status::Fail
        );
        assert_eq!(
            run(dep("tokio", DependencyTest::Absent)).status,
            Status::Pass
        );
        let v = run(dep("openssl", DependencyTest::Absent));
        assert_eq!((v.status, v.evidence.line), (Status::Fail, Some(8)));

        assert_eq!(run(dep("serde", version(">=1.0.200"))).status, Status::Pass);
        // One old copy of two fails the rule, at its line.
        let v = run(dep("openssl", version(">=0.10.60")));
        assert_eq!(v.status, Status::Fail);
        assert_eq!(v.evidence.line, Some(8));
        assert!(v.evidence.summary.contains("0.10.55"), "{:?}", v.evidence);
        assert_eq!(run(dep("tokio", version(">=1"))).status, Status::Fail);
    }

    #[test]
    fn a_pass_names_each_distinct_version_once() {
        let lock = "{\"lockfileVersion\": 3, \"packages\": {\"node_modules/ms\": {\"version\": \"2.1.3\"}, \"node_modules/a/node_modules/ms\": {\"version\": \"2.1.3\"}, \"node_modules/b/node_modules/ms\": {\"version\": \"2.0.0\"}}}";
        let files = FakeFiles::with(&[("package-lock.json", lock)]);
        let v = check(Some(&files), "", &dep("ms", version(">=2")));
        assert_eq!(v.status, Status::Pass);
        assert!(
            v.evidence
                .summary
                .starts_with("`ms` 2.1.3, 2.0.0 in `package-lock.json`"),
            "{:?}",
            v.evidence
        );
        // The same file parsed once per thread: a second rule reuses it.
        let again = check(Some(&files), "", &dep("ms", DependencyTest::Present));
        assert_eq!(again.status, Status::Pass);
    }

    #[test]
    fn the_nearest_folder_with_a_lockfile_is_read() {
        let files = FakeFiles::with(&[
            ("Cargo.lock", CARGO),
            (
                "web/package-lock.json",
                "{\"lockfileVersion\": 3, \"packages\": {\"node_modules/react\": {\"version\": \"18.2.0\"}}}",
            ),
            ("web/src/app.js", ""),
        ]);
        // The workspace root's lockfile serves a crate in a sub-folder.
        let v = check(
            Some(&files),
            "crates/api",
            &dep("serde", DependencyTest::Present),
        );
        assert_eq!(v.status, Status::Pass);
        let v = check(Some(&files), "web/src", &dep("react", version("^18")));
        assert_eq!(v.status, Status::Pass);
        assert_eq!(v.evidence.file.as_deref(), Some("web/package-lock.json"));
        // `web` has a lockfile, so the root's is not read for it...
        let v = check(Some(&files), "web", &dep("serde", DependencyTest::Present));
        assert_eq!(v.status, Status::Fail);
        // ...unless the rule asks for cargo's, or names the file.
        let mut cargo = dep("serde", DependencyTest::Present);
        cargo.ecosystem = Some(Ecosystem::Cargo);
        assert_eq!(check(Some(&files), "web", &cargo).status, Status::Pass);
        let mut named = dep("serde", DependencyTest::Present);
        named.lockfile = Some("/Cargo.lock".into());
        assert_eq!(check(Some(&files), "web", &named).status, Status::Pass);
    }

    #[test]
    fn no_lockfile_is_not_applicable_and_a_broken_one_fails_at_its_line() {
        let none = FakeFiles::with(&[("README.md", "hi")]);
        let v = check(Some(&none), "", &dep("serde", DependencyTest::Present));
        assert_eq!(v.status, Status::NotApplicable);
        assert_eq!(
            check(None, "", &dep("serde", DependencyTest::Present)).status,
            Status::NotApplicable
        );

        let broken =
            FakeFiles::with(&[("go.mod", "module m\n\nrequire (\n\tgolang.org/x/net\n)\n")]);
        let v = check(
            Some(&broken),
            "",
            &dep("golang.org/x/net", DependencyTest::Present),
        );
        assert_eq!(v.status, Status::Fail);
        assert_eq!(v.evidence.place().as_deref(), Some("go.mod:4"));
        assert!(v.evidence.unreadable);
    }

    #[test]
    fn python_names_compare_as_pypi_does_and_unpinned_versions_fail() {
        let files = FakeFiles::with(&[("requirements.txt", "Django==4.2.14\ngunicorn>=22\n")]);
        let v = check(Some(&files), "", &dep("django", version(">=4.2,<5")));
        assert_eq!(v.status, Status::Pass);
        let v = check(Some(&files), "", &dep("gunicorn", version(">=22")));
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.evidence.summary.contains("no version"),
            "{:?}",
            v.evidence
        );
    }

    #[test]
    fn without_an_ecosystem_only_the_lockfiles_present_are_read_each_parsed_once() {
        let files = FakeFiles::with(&[
            ("Cargo.lock", CARGO),
            ("requirements.txt", "Django==4.2.14\n"),
            ("src/main.rs", ""),
            // Another folder's lockfile: not the nearest, never read.
            ("web/package-lock.json", "{"),
        ]);
        let before = PARSES.with(Cell::get);
        let verdicts: Vec<Status> = ["serde", "django", "left-pad"]
            .into_iter()
            .map(|name| check(Some(&files), "src", &dep(name, DependencyTest::Present)).status)
            .collect();
        assert_eq!(verdicts, [Status::Pass, Status::Pass, Status::Fail]);
        // Each rule reads the two lockfiles the listing holds (no other
        // name of `Format::FILES` is tried), and each is parsed once.
        let reads = files.reads.borrow().clone();
        assert_eq!(reads, ["Cargo.lock", "requirements.txt"].repeat(3));
        assert_eq!(PARSES.with(Cell::get) - before, 2);
        // A changed text is parsed again, never taken for the old one.
        let changed = FakeFiles::with(&[("Cargo.lock", &CARGO.replace("1.0.219", "1.0.100"))]);
        let v = check(Some(&changed), "", &dep("serde", version(">=1.0.200")));
        assert_eq!(v.status, Status::Fail);
        assert_eq!(PARSES.with(Cell::get) - before, 3);
    }

    #[test]
    fn a_go_replacement_is_judged_at_its_version_and_line() {
        let files = FakeFiles::with(&[(
            "go.mod",
            "module m\n\nrequire golang.org/x/net v0.20.0\n\nreplace golang.org/x/net => golang.org/x/net v0.26.0\n",
        )]);
        let v = check(
            Some(&files),
            "",
            &dep("golang.org/x/net", version(">=0.23.0")),
        );
        assert_eq!(v.status, Status::Pass, "{:?}", v.evidence);
        assert_eq!(v.evidence.place().as_deref(), Some("go.mod:5"));
        let conflicting = FakeFiles::with(&[(
            "go.mod",
            "module m\nrequire a.com/b v1.0.0\nreplace a.com/b => a.com/c v1.0.0\nreplace a.com/b => a.com/d v1.0.0\n",
        )]);
        let v = check(
            Some(&conflicting),
            "",
            &dep("a.com/b", DependencyTest::Present),
        );
        assert_eq!(v.status, Status::Fail);
        assert_eq!(v.evidence.place().as_deref(), Some("go.mod:4"));
        assert!(v.evidence.unreadable);
    }
}
