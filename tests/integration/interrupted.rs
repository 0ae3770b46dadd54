//! Builds that stop halfway or overlap: two builds into one `--out` at once,
//! a full disk, SIGKILL at any moment. The last good site must survive
//! whole (or be replaced whole), and the next build must clean up after.

use crate::support::{Org, files_under};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A Component with TechDocs of `pages` pages (and its owner), so a build
/// spends most of its time rendering and writing docs.
fn docs_org(pages: usize, words: &str) -> Org {
    let org = Org::new();
    org.file(
        "svc/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: user:ada\n---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: ada\nspec:\n  memberOf: []\n",
    )
    .file("svc/mkdocs.yml", "site_name: Svc\n")
    .file("svc/docs/index.md", &format!("# Home\n\n{words}\n"));
    for i in 0..pages {
        org.file(
            &format!("svc/docs/page{i}.md"),
            &format!(
                "# Page {i}\n\nDeploying service {i}: {words}.\n\n## Rollback\n\nMore words about page {i}.\n"
            ),
        );
    }
    org
}

/// Starts `portico build ORG --out OUT` without waiting for it.
fn spawn_build(org: &Path, out: &Path, stderr: Stdio) -> Child {
    spawn_build_with(org, out, stderr, &[])
}

fn spawn_build_with(org: &Path, out: &Path, stderr: Stdio, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_portico"))
        .args([
            "build",
            org.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .args(extra)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("portico starts")
}

/// Builds and waits; returns the exit code and stderr.
fn build(org: &Path, out: &Path) -> (i32, String) {
    wait(spawn_build(org, out, Stdio::piped()))
}

/// [`build`] without the build cache, which would otherwise share the
/// small disk with the site and fill it first.
fn build_uncached(org: &Path, out: &Path) -> (i32, String) {
    wait(spawn_build_with(org, out, Stdio::piped(), &["--no-cache"]))
}

fn wait(child: Child) -> (i32, String) {
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code().unwrap_or(-1), stderr)
}

/// The site's files, the search documents among them: two builds of one
/// organisation agree byte for byte (no tantivy index is written, whose
/// segment names were random).
fn site_files(site: &Path) -> BTreeMap<String, Vec<u8>> {
    let files = files_under(site);
    assert!(
        files.contains_key("_search/terminal/documents.bin"),
        "the search documents are there"
    );
    files
}

/// What a build keeps beside the target, other than the lock file and the
/// kept folder (with the build cache, the site last swapped out: the next
/// build's base, always one folder).
fn leftovers(out: &Path) -> Vec<String> {
    let name = out.file_name().unwrap().to_string_lossy();
    let prefix = format!(".{name}.portico-");
    std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&prefix) && !n.ends_with("-lock") && !n.ends_with("-kept"))
        .collect()
}

#[test]
fn two_builds_into_one_out_at_once_take_turns() {
    let org = docs_org(300, "the same words");
    let tmp = tempfile::tempdir().unwrap();
    let (site, reference) = (tmp.path().join("site"), tmp.path().join("reference"));
    assert_eq!(build(org.path(), &reference).0, 0);

    // Without the lock, the second build deleted the first's staging folder
    // as a leftover, and the first then failed or swapped in a broken site.
    let first = spawn_build(org.path(), &site, Stdio::piped());
    let second = spawn_build(org.path(), &site, Stdio::piped());
    let mut waited = 0;
    for child in [first, second] {
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        if stderr.contains(&format!(
            "waiting for another Portico build writing {} to finish…",
            site.display()
        )) {
            waited += 1;
        }
    }
    assert_eq!(waited, 1, "one build waited for the other");
    for part in [".portico-site", "catalog.json", "_search", "docs"] {
        assert!(site.join(part).exists(), "{part} missing");
    }
    assert!(site_files(&site) == site_files(&reference));
    assert_eq!(build(org.path(), &site).0, 0, "a third build");
    assert_eq!(leftovers(&site), Vec::<String>::new());
    assert!(
        tmp.path().join(".site.portico-lock").is_file(),
        "the lock file stays"
    );
}

/// A tmpfs mounted for one test, unmounted when dropped (even on failure).
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Result<Tmpfs, String> {
        std::fs::create_dir_all(dir).unwrap();
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
        }
        Ok(Tmpfs {
            dir: dir.to_path_buf(),
        })
    }

    fn resize(&self, size: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.dir)
            .status()
            .unwrap();
        assert!(status.success(), "remount {size}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.dir).status();
    }
}

#[test]
fn a_full_disk_leaves_the_last_site_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let disk = match Tmpfs::mount(&tmp.path().join("disk"), "2m") {
        Ok(disk) => disk,
        Err(reason) => {
            eprintln!("skipped: cannot mount a 2 MiB tmpfs to fill (needs root): {reason}");
            return;
        }
    };
    let site = disk.dir.join("site");
    let org = docs_org(0, "hello");
    assert_eq!(build_uncached(org.path(), &site).0, 0);
    let last_good = files_under(&site);

    // A docs asset larger than the disk: the write that fails is named.
    org.file("svc/docs/big.bin", &"x".repeat(3 << 20));
    let (code, stderr) = build_uncached(org.path(), &site);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("cannot write `docs/default/component/svc/big.bin`")
            && stderr.contains("No space left on device")
            && stderr.contains("was left as it was"),
        "{stderr}"
    );
    assert!(files_under(&site) == last_good, "the site is unchanged");
    assert_eq!(leftovers(&site), Vec::<String>::new());

    // A page that fits, with a search index that does not: the file named.
    std::fs::remove_file(org.path().join("svc/docs/big.bin")).unwrap();
    // Distinct, poorly compressible words make the index larger than the page.
    let words: Vec<String> = (0..100_000u32)
        .map(|i| format!("{:08x}", i.wrapping_mul(2_654_435_761).rotate_left(13)))
        .collect();
    org.file(
        "svc/docs/words.md",
        &format!("# Words\n\n{}\n", words.join(" ")),
    );
    let (code, stderr) = build_uncached(org.path(), &site);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("cannot write `_search/")
            && stderr.contains("No space left on device")
            && stderr.contains("was left as it was")
            && stderr.matches("was left as it was").count() == 1,
        "{stderr}"
    );
    assert!(files_under(&site) == last_good, "the site is unchanged");

    // With room again, the next build succeeds and nothing is left beside.
    disk.resize("64m");
    let (code, stderr) = build_uncached(org.path(), &site);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        site.join("docs/default/component/svc/words/index.html")
            .is_file()
    );
    assert_eq!(leftovers(&site), Vec::<String>::new());
}

#[test]
fn a_build_killed_at_any_moment_leaves_a_whole_site() {
    let (old_org, new_org) = (docs_org(300, "old words"), docs_org(320, "new words"));
    let tmp = tempfile::tempdir().unwrap();
    let (site, reference) = (tmp.path().join("site"), tmp.path().join("reference"));
    assert_eq!(build(new_org.path(), &reference).0, 0);
    // A rebuild over an existing site, timed, to aim the kills.
    let started = Instant::now();
    assert_eq!(build(new_org.path(), &reference).0, 0);
    let full = started.elapsed();
    let new_site = site_files(&reference);

    let fractions = [0.5, 0.8, 0.9, 0.95, 0.99];
    let delays = [5, 20, 50, 100, 200]
        .map(Duration::from_millis)
        .into_iter()
        .chain(fractions.map(|f| full.mul_f64(f)));
    let mut outcomes = Vec::new();
    for delay in delays {
        if !site.exists() || site_files(&site) == new_site {
            assert_eq!(build(old_org.path(), &site).0, 0);
        }
        let last_good = files_under(&site);
        let mut child = spawn_build(new_org.path(), &site, Stdio::null());
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();
        let outcome = if !site.exists() {
            // Killed between the swap's two renames: the last good site is
            // aside, whole, and the next build puts it back.
            let old: Vec<String> = leftovers(&site)
                .into_iter()
                .filter(|n| n.contains("-old-"))
                .collect();
            assert_eq!(old.len(), 1, "{:?}", leftovers(&site));
            assert!(files_under(&tmp.path().join(&old[0])) == last_good);
            assert_eq!(build(old_org.path(), &site).0, 0);
            "in the swap"
        } else if files_under(&site) == last_good {
            let staged = leftovers(&site)
                .iter()
                .any(|n| n.contains("-staging-") && tmp.path().join(n).join("docs").exists());
            if staged {
                "the last good site (killed mid-write)"
            } else {
                "the last good site"
            }
        } else {
            assert!(
                site_files(&site) == new_site,
                "killed after {delay:?}: neither the last good site nor the whole new one"
            );
            if leftovers(&site).iter().any(|n| n.contains("-trash-")) {
                "the new site (killed deleting the old one)"
            } else {
                "the new site"
            }
        };
        outcomes.push(format!("{} ms: {outcome}", delay.as_millis()));
    }
    eprintln!(
        "a full build takes {} ms; killed at {outcomes:?}",
        full.as_millis()
    );

    let (code, stderr) = build(new_org.path(), &site);
    assert_eq!(code, 0, "{stderr}");
    assert!(site_files(&site) == new_site);
    assert_eq!(leftovers(&site), Vec::<String>::new());
}
