//! `portico build --cache DIR`: a build that takes pages from the cache
//! writes exactly the site a build without it writes, after every kind of
//! edit, and a damaged or foreign cache never changes the output.

use crate::support::{
    Org, Run, bare_clone, commit_all, files_under, git, git_at, portico, portico_with_env,
};
use std::collections::BTreeMap;
use std::path::Path;

const COMPONENT: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: NAME\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n";

/// Every file of a site, search included (no build writes a tantivy
/// index, whose bytes differed between any two builds).
fn site(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files_under(dir)
}

/// Builds `root` with the cache and without, compares the two sites and
/// the diagnostics printed, and returns the cached build's run.
fn same_as_uncached(dir: &Path, edit: &str) -> Run {
    same_as_uncached_with(dir, edit, &[])
}

/// [`same_as_uncached`] with `env` set for both builds.
fn same_as_uncached_with(dir: &Path, edit: &str, env: &[(&str, &str)]) -> Run {
    // Every stage runs even when nothing changed: these tests are of the
    // layers below the whole-build entry (its own tests set no such thing).
    compared(dir, edit, &[], env, true)
}

/// [`same_as_uncached`] with `args` added to both builds' and `env` set
/// for both; with `every_stage`, the cached build runs every stage even
/// when nothing changed (`PORTICO_EVERY_STAGE`).
fn compared(dir: &Path, edit: &str, args: &[&str], env: &[(&str, &str)], every_stage: bool) -> Run {
    let mut cached_env = vec![("PORTICO_TIMINGS", "1")];
    if every_stage {
        cached_env.push(("PORTICO_EVERY_STAGE", "1"));
    }
    cached_env.extend_from_slice(env);
    let with = |mut base: Vec<&'static str>| {
        let mut all: Vec<&str> = std::mem::take(&mut base);
        all.extend_from_slice(args);
        all
    };
    let cached = portico_with_env(
        dir,
        &with(vec![
            "build", "repos", "--out", "cached", "--cache", "cache",
        ]),
        &cached_env,
    );
    let clean = portico_with_env(
        dir,
        &with(vec!["build", "repos", "--out", "clean", "--no-cache"]),
        env,
    );
    assert_eq!(
        cached.code, clean.code,
        "{edit}: the same exit code\n{}",
        cached.stderr
    );
    let (cached_site, clean_site) = (site(&dir.join("cached")), site(&dir.join("clean")));
    assert_eq!(
        cached_site.keys().collect::<Vec<_>>(),
        clean_site.keys().collect::<Vec<_>>(),
        "{edit}: the same files"
    );
    for (path, bytes) in &clean_site {
        assert!(
            &cached_site[path] == bytes,
            "{edit}: {path} differs from a build without the cache"
        );
    }
    let problems = |run: &Run| -> Vec<String> {
        run.stderr
            .lines()
            .filter(|l| {
                !l.starts_with("timing:") && !l.starts_with("Built ") && !l.starts_with("Open ")
            })
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        problems(&cached),
        problems(&clean),
        "{edit}: the same diagnostics"
    );
    cached
}

/// The first two numbers after `label` on the first line of `run`'s
/// output that holds it (the timing lines' figures), if a line does.
fn figures_after(run: &Run, label: &str) -> Option<(usize, usize)> {
    let line = run.stderr.lines().find(|l| l.contains(label))?;
    let rest = &line[line.find(label)? + label.len()..];
    let mut numbers = rest
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok());
    Some((numbers.next()?, numbers.next()?))
}

/// [`figures_after`], for a line that must be there.
fn figures(run: &Run, label: &str) -> (usize, usize) {
    figures_after(run, label).unwrap_or_else(|| panic!("no `{label}` figures in:\n{}", run.stderr))
}

/// (pages reused, pages rendered) from the docs timing line.
fn reuse(run: &Run) -> (usize, usize) {
    figures(run, "link check; cache: ")
}

#[test]
fn cached_builds_write_what_uncached_builds_write_after_every_edit() {
    let org = Org::new();
    org.file(
        "repos/alpha/catalog-info.yaml",
        &COMPONENT.replace("NAME", "alpha"),
    )
    .file(
        "repos/alpha/mkdocs.yml",
        "site_name: Alpha\nnav:\n  - Home: index.md\n  - Guide: guide.md\n  - Setup: setup.md\n",
    )
    .file(
        "repos/alpha/docs/index.md",
        "# Alpha\n\nSee [install](setup.md#install).\n\n--8<-- \"shared.md\"\n",
    )
    .file("repos/alpha/docs/guide.md", "# Guide\n\nText.\n")
    .file("repos/alpha/docs/setup.md", "# Setup\n\n## Install\n\nSteps.\n")
    .file("repos/alpha/shared.md", "Shared text.\n")
    .file("repos/beta/catalog-info.yaml", &COMPONENT.replace("NAME", "beta"))
    .file("repos/beta/mkdocs.yml", "site_name: Beta\n")
    .file(
        "repos/beta/docs/index.md",
        "# Beta\n\n[Alpha's setup](/docs/default/component/alpha/setup.md#install)\n\n--8<-- \"missing.md\"\n",
    );
    commit_all(&org.path().join("repos/beta"), "main", "beta");
    let dir = org.path();

    let first = same_as_uncached(dir, "the first build");
    assert_eq!(reuse(&first).0, 0, "an empty cache");
    let index = dir.join("cached/docs/default/component/alpha/index.html");
    let inode =
        |path: &Path| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(path).unwrap());
    let before = inode(&index);
    let again = same_as_uncached(dir, "no change");
    assert!(
        again
            .stderr
            .contains("nothing changed: the site was left as it was"),
        "{}",
        again.stderr
    );
    assert_eq!(inode(&index), before, "the site was not rewritten");
    // Both repositories are unchanged: their docs are read back whole,
    // problems included (beta's index names a missing snippet).
    assert_eq!(reuse(&again), (4, 0), "{}", again.stderr);

    let alpha = dir.join("repos/alpha");
    let edit = |path: &str, text: &str| std::fs::write(alpha.join(path), text).unwrap();
    edit("docs/guide.md", "# Guide\n\nEdited text.\n");
    let run = same_as_uncached(dir, "a page's text");
    // Alpha's other pages' renders are reused, the edited one rendered;
    // beta is read back whole.
    assert_eq!(reuse(&run), (3, 1), "{}", run.stderr);
    assert!(
        run.stderr.contains("unchanged files carried over"),
        "{}",
        run.stderr
    );
    assert_eq!(
        inode(&index),
        before,
        "an unchanged page is carried over, not written"
    );
    // A file of the site changed behind Portico's back is written again.
    std::fs::write(dir.join("cached/catalog.json"), "[]").unwrap();
    std::fs::write(&index, "tampered").unwrap();
    same_as_uncached(dir, "the site changed by hand");
    // Every page is laid out with the site's settings.
    std::fs::write(
        dir.join("portico.toml"),
        "[site]\ntitle = \"Other portal\"\n",
    )
    .unwrap();
    same_as_uncached(dir, "the site's title");
    std::fs::remove_file(dir.join("portico.toml")).unwrap();
    same_as_uncached(dir, "the site's title back");
    // A file no page includes yet: the repository is built again, and
    // gives the same site.
    edit("notes.txt", "Notes.\n");
    let run = same_as_uncached(dir, "another file in the repository");
    assert_eq!(reuse(&run), (4, 0), "page renders reused: {}", run.stderr);
    // The search indexes, carried while their documents are unchanged,
    // are made again when they change; a search finds the new words.
    edit("docs/guide.md", "# Guide\n\nEdited text about zeppelins.\n");
    same_as_uncached(dir, "a word to search for");
    let found = portico(dir, &["search", "zeppelins", "--site", "cached", "--json"]);
    assert!(
        found.stdout.contains("guide"),
        "{}{}",
        found.stdout,
        found.stderr
    );
    edit("docs/setup.md", "# Setup\n\n## Installing\n\nSteps.\n");
    same_as_uncached(dir, "a heading other pages link to");
    edit("shared.md", "Other shared text.\n");
    same_as_uncached(dir, "a snippet");
    edit(
        "mkdocs.yml",
        "site_name: Alpha\nnav:\n  - Setup: setup.md\n  - Home: index.md\n",
    );
    same_as_uncached(dir, "the nav");
    edit("docs/new.md", "# New\n");
    same_as_uncached(dir, "a new page");
    std::fs::remove_file(alpha.join("docs/new.md")).unwrap();
    same_as_uncached(dir, "a deleted page");
    std::fs::write(
        dir.join("repos/beta/catalog-info.yaml"),
        COMPONENT.replace("NAME", "beta-renamed"),
    )
    .unwrap();
    same_as_uncached(dir, "an entity renamed (its docs move)");
    std::fs::remove_dir_all(dir.join("repos/beta")).unwrap();
    same_as_uncached(dir, "a repository deleted");
}

/// A bare clone's docs are kept by the commit read: a push that changes a
/// page builds that repository again; one that changes nothing it reads
/// still gives the same site.
#[test]
fn bare_clones_are_kept_by_their_commit() {
    let org = Org::new();
    org.file(
        "src/gamma/catalog-info.yaml",
        &COMPONENT.replace("NAME", "gamma"),
    )
    .file("src/gamma/mkdocs.yml", "site_name: Gamma\n")
    .file("src/gamma/docs/index.md", "# Gamma\n\nFirst text.\n")
    .file("src/gamma/docs/other.md", "# Other\n");
    let dir = org.path();
    let work = dir.join("src/gamma");
    commit_all(&work, "main", "first");
    bare_clone(dir, &work, "repos/gamma.git");
    same_as_uncached(dir, "the first build");
    let again = same_as_uncached(dir, "no change");
    assert_eq!(reuse(&again), (2, 0), "{}", again.stderr);
    assert!(again.stderr.contains("nothing changed"), "{}", again.stderr);

    std::fs::write(work.join("docs/index.md"), "# Gamma\n\nPushed text.\n").unwrap();
    commit_all(&work, "main", "second");
    git(
        &work,
        &[
            "push",
            "-q",
            dir.join("repos/gamma.git").to_str().unwrap(),
            "main",
        ],
    );
    let pushed = same_as_uncached(dir, "a page changed by a push");
    assert_eq!(reuse(&pushed), (1, 1), "{}", pushed.stderr);
    let page = std::fs::read_to_string(dir.join("cached/docs/default/component/gamma/index.html"))
        .unwrap();
    assert!(page.contains("Pushed text."), "{page}");
}

/// An organisation of one repository, `alpha`, with TechDocs whose home
/// page is `index`.
fn alpha_docs(index: &str) -> Org {
    let org = Org::new();
    org.file(
        "repos/alpha/catalog-info.yaml",
        &COMPONENT.replace("NAME", "alpha"),
    )
    .file("repos/alpha/mkdocs.yml", "site_name: Alpha\n")
    .file("repos/alpha/docs/index.md", index);
    org
}

/// What a page reads that the repository's listing leaves out, and what
/// a history walk reads besides HEAD, reach a cached build: a snippet in a
/// nested checkout (a submodule) edited, an ancestor commit replaced
/// (`git replace`), a shallow bare clone deepened (`fetch --unshallow`,
/// `portico mirror --depth 0`): each kept the last site's text or dates.
#[test]
fn nested_checkouts_replacements_and_deepened_clones_reach_cached_builds() {
    let org = alpha_docs("# Alpha\n\n--8<-- \"shared/snip.md\"\n");
    org.file("repos/alpha/docs/guide.md", "# Guide\n");
    let dir = org.path();
    let alpha = dir.join("repos/alpha");
    git_at(
        &alpha,
        "2024-01-01T00:00:00+00:00",
        &["init", "-q", "-b", "main"],
    );
    git(&alpha, &["add", "-A"]);
    git_at(
        &alpha,
        "2024-01-01T00:00:00+00:00",
        &["commit", "-q", "-m", "first"],
    );
    std::fs::write(alpha.join("docs/guide.md"), "# Guide\n\nMore.\n").unwrap();
    git_at(
        &alpha,
        "2024-02-01T00:00:00+00:00",
        &["commit", "-q", "-am", "second"],
    );
    org.file("repos/alpha/shared/snip.md", "Snippet one.\n");
    commit_all(&alpha.join("shared"), "main", "shared");
    same_as_uncached(dir, "the first build");

    std::fs::write(alpha.join("shared/snip.md"), "Snippet two.\n").unwrap();
    same_as_uncached(dir, "a snippet in a nested checkout edited");
    let page = std::fs::read_to_string(dir.join("cached/docs/default/component/alpha/index.html"))
        .unwrap();
    assert!(page.contains("Snippet two."), "{page}");

    let tree = git(&alpha, &["rev-parse", "HEAD~1^{tree}"]);
    let graft = git_at(
        &alpha,
        "2023-03-03T00:00:00+00:00",
        &["commit-tree", tree.trim(), "-m", "grafted"],
    );
    git(&alpha, &["replace", "HEAD~1", graft.trim()]);
    same_as_uncached(dir, "an ancestor commit replaced");
    let page = std::fs::read_to_string(dir.join("cached/docs/default/component/alpha/index.html"))
        .unwrap();
    assert!(page.contains("2023-03-03"), "{page}");

    // A shallow bare clone of a repository with history, then deepened.
    std::fs::remove_dir_all(alpha.join("shared")).unwrap();
    std::fs::write(alpha.join("docs/index.md"), "# Alpha\n").unwrap();
    git(&alpha, &["replace", "-d", "HEAD~1"]);
    git_at(
        &alpha,
        "2024-03-01T00:00:00+00:00",
        &["commit", "-q", "-am", "third"],
    );
    let source = dir.join("source");
    std::fs::rename(&alpha, &source).unwrap();
    let url = format!("file://{}", source.display());
    git(
        dir,
        &[
            "clone",
            "-q",
            "--bare",
            "--depth",
            "1",
            &url,
            "repos/alpha.git",
        ],
    );
    same_as_uncached(dir, "a shallow bare clone");
    git(
        &dir.join("repos/alpha.git"),
        &["fetch", "-q", "--unshallow", &url, "main"],
    );
    same_as_uncached(dir, "the bare clone deepened");
    let page =
        std::fs::read_to_string(dir.join("cached/docs/default/component/alpha/guide/index.html"))
            .unwrap();
    assert!(page.contains("2024-02-01"), "{page}");
}

#[test]
fn a_damaged_cache_changes_nothing_and_is_repaired() {
    let org = Org::new();
    org.file(
        "repos/alpha/catalog-info.yaml",
        &COMPONENT.replace("NAME", "alpha"),
    )
    .file("repos/alpha/mkdocs.yml", "site_name: Alpha\n")
    .file("repos/alpha/docs/index.md", "# Alpha\n\nOriginal text.\n")
    .file("repos/alpha/docs/other.md", "# Other\n");
    let dir = org.path();
    same_as_uncached(dir, "the first build");
    // The site's renders are one entry, the repository's docs another:
    // both a bit flipped, then cut short.
    let entries: Vec<_> = files_under(&dir.join("cache"))
        .into_keys()
        .filter(|p| p.contains("/site-pages/") || p.contains("/repo-docs/"))
        .collect();
    assert_eq!(entries.len(), 2, "{entries:?}");
    type Damage = fn(&mut Vec<u8>);
    let damages: [(&str, Damage); 2] = [
        ("a bit flipped", |bytes| {
            let last = bytes.len() - 1;
            bytes[last] ^= 0x20;
        }),
        ("cut short", |bytes| bytes.truncate(5)),
    ];
    for (damage, apply) in damages {
        for entry in &entries {
            let path = dir.join("cache").join(entry);
            let mut bytes = std::fs::read(&path).unwrap();
            apply(&mut bytes);
            std::fs::write(&path, bytes).unwrap();
        }
        let run = same_as_uncached(dir, damage);
        assert_eq!(reuse(&run), (0, 2), "{damage}: {}", run.stderr);
        let run = same_as_uncached(dir, "the cache repaired");
        assert_eq!(reuse(&run), (2, 0), "after {damage}: {}", run.stderr);
    }
}

#[test]
fn a_cache_that_cannot_be_used_is_a_note_not_a_failure() {
    let org = Org::new();
    org.file(
        "repos/alpha/catalog-info.yaml",
        &COMPONENT.replace("NAME", "alpha"),
    )
    .file("repos/alpha/mkdocs.yml", "site_name: Alpha\n")
    .file("repos/alpha/docs/index.md", "# Alpha\n")
    .file("not-a-folder", "");
    let run = portico(
        org.path(),
        &[
            "build",
            "repos",
            "--out",
            "site",
            "--cache",
            "not-a-folder/cache",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("note: building without the cache: cannot create the cache folder"),
        "{}",
        run.stderr
    );
    assert!(
        org.path()
            .join("site/docs/default/component/alpha/index.html")
            .is_file()
    );
    // By default the cache sits beside --out.
    let run = portico(org.path(), &["build", "repos", "--out", "out/site"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(org.path().join("out/.portico-cache").is_dir());
    let run = portico(
        org.path(),
        &["build", "repos", "--out", "other", "--no-cache"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!org.path().join(".portico-cache").exists());
}

/// (entity pages drawn, carried over) from the catalog pages' timing line.
fn entity_pages(run: &Run) -> (usize, usize) {
    figures(run, "catalog pages (")
}

/// Catalog edits that change other repositories' pages (a rename, an
/// owner changed, a new entity, a repository deleted) give the site a
/// build without the cache gives; unchanged entity pages are carried
/// over, not drawn.
#[test]
fn catalog_edits_across_repositories_give_the_uncached_site() {
    let org = Org::new();
    org.file(
        "repos/teams/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team\nspec:\n  type: team\n  children: []\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: other-team\n  description: The other team.\nspec:\n  type: team\n  children: []\n---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: ada\nspec:\n  memberOf: [team]\n",
    )
    .file(
        "repos/alpha/catalog-info.yaml",
        &COMPONENT.replace("NAME", "alpha").replace(
            "  owner: team\n",
            "  owner: team\n  dependsOn: [component:beta]\n  providesApis: [alpha-api]\n---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: alpha-api\n  description: Alpha's API.\nspec:\n  type: grpc\n  lifecycle: production\n  owner: team\n  definition: \"syntax = \\\"proto3\\\";\"\n",
        ),
    )
    .file("repos/alpha/mkdocs.yml", "site_name: Alpha\n")
    .file("repos/alpha/docs/index.md", "# Alpha\n")
    .file(
        "repos/beta/catalog-info.yaml",
        &COMPONENT
            .replace("NAME", "beta")
            .replace("  owner: team\n", "  owner: team\n  consumesApis: [alpha-api]\n"),
    )
    .file("repos/beta/mkdocs.yml", "site_name: Beta\n")
    .file("repos/beta/docs/index.md", "# Beta\n")
    .file(
        "repos/gamma/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: gamma-db\nspec:\n  type: database\n  owner: team\n",
    );
    let dir = org.path();
    let first = same_as_uncached(dir, "the first build");
    let (drawn, carried) = entity_pages(&first);
    assert_eq!(carried, 0, "an empty cache: {}", first.stderr);
    let again = same_as_uncached(dir, "no change");
    let (always, carried) = entity_pages(&again);
    assert_eq!(always + carried, drawn);
    assert!(carried >= 7, "every page with a key: {}", again.stderr);

    let write =
        |path: &str, text: &str| std::fs::write(dir.join("repos").join(path), text).unwrap();
    let read = |path: &str| std::fs::read_to_string(dir.join("repos").join(path)).unwrap();
    // A description neighbours show.
    write(
        "teams/catalog-info.yaml",
        &read("teams/catalog-info.yaml").replace("The other team.", "Another team."),
    );
    let run = same_as_uncached(dir, "a Group's description");
    let (drawn, _) = entity_pages(&run);
    assert!(drawn > always, "the Group's page is drawn: {}", run.stderr);
    // An owner changed: both Groups' pages and the owned entity's change.
    write(
        "gamma/catalog-info.yaml",
        &read("gamma/catalog-info.yaml").replace("owner: team", "owner: other-team"),
    );
    same_as_uncached(dir, "an owner changed");
    // A rename others refer to: their relations now point at no entity.
    write(
        "beta/catalog-info.yaml",
        &read("beta/catalog-info.yaml").replace("name: beta", "name: beta-renamed"),
    );
    same_as_uncached(dir, "an entity others depend on renamed");
    // A new entity that others' refs now find.
    write(
        "gamma/catalog-info.yaml",
        &format!(
            "{}---\n{}",
            read("gamma/catalog-info.yaml"),
            COMPONENT.replace("NAME", "beta")
        ),
    );
    same_as_uncached(dir, "a new entity");
    // A YAML mistake, then its fix.
    write("gamma/catalog-info.yaml", "kind: [\n");
    same_as_uncached(dir, "a YAML mistake");
    write(
        "gamma/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: gamma-db\nspec:\n  type: database\n  owner: team\n",
    );
    same_as_uncached(dir, "the mistake fixed");
    // The theme changes every page.
    std::fs::create_dir_all(dir.join("theme/templates")).unwrap();
    let entity = std::fs::read_to_string(
        crate::support::crate_dir().join("themes/default/templates/entity.html"),
    )
    .unwrap();
    std::fs::write(
        dir.join("theme/templates/entity.html"),
        format!("<!-- a theme's entity page -->\n{entity}"),
    )
    .unwrap();
    std::fs::write(dir.join("portico.toml"), "[site]\ntheme = \"theme\"\n").unwrap();
    let run = same_as_uncached(dir, "a theme");
    assert_eq!(
        entity_pages(&run).1,
        0,
        "a theme draws every page: {}",
        run.stderr
    );
    std::fs::remove_dir_all(dir.join("repos/alpha")).unwrap();
    same_as_uncached(dir, "a repository deleted");
    // The site's manifest (with the pages' keys) damaged: every page drawn.
    let entries: Vec<_> = files_under(&dir.join("cache"))
        .into_keys()
        .filter(|p| p.contains("/site/"))
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let path = dir.join("cache").join(&entries[0]);
    flip_middle_byte(&path);
    let run = same_as_uncached(dir, "the site's manifest damaged");
    assert_eq!(entity_pages(&run).1, 0, "{}", run.stderr);
    let run = same_as_uncached(dir, "the manifest repaired");
    assert!(entity_pages(&run).1 > 0, "{}", run.stderr);
}

/// Entity pages' keys take in of a neighbour only what pages show of it,
/// and of what lies two hops out only its node: each edit here changes one
/// such field, and the cached site must still be the uncached one (a key
/// too narrow would carry over a stale page).
#[test]
fn edits_to_what_neighbours_show_give_the_uncached_site() {
    let org = Org::new();
    org.file(
        "repos/teams/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team\nspec:\n  type: team\n  profile:\n    displayName: The Team\n  children: []\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: other-team\nspec:\n  type: team\n  children: []\n  members: [carol]\n---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: ada\nspec:\n  profile:\n    displayName: Ada L\n  memberOf: [team]\n",
    )
    .file(
        "repos/shop/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: shop\n  description: The shop.\nspec:\n  owner: team\n",
    )
    .file(
        "repos/alpha/catalog-info.yaml",
        &COMPONENT.replace("NAME", "alpha").replace(
            "  owner: team\n",
            "  owner: team\n  system: shop\n  dependsOn: [component:beta]\n  providesApis: [alpha-api]\n---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: alpha-api\n  description: Alpha's API.\nspec:\n  type: grpc\n  lifecycle: production\n  owner: team\n  system: shop\n  definition: \"syntax = \\\"proto3\\\";\"\n",
        ),
    )
    .file(
        "repos/beta/catalog-info.yaml",
        &COMPONENT
            .replace("NAME", "beta")
            .replace("metadata:\n", "metadata:\n  description: Beta.\n")
            .replace(
                "  owner: team\n",
                "  owner: team\n  system: shop\n  consumesApis: [alpha-api]\n",
            ),
    )
    .file(
        "repos/gamma/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: gamma-db\nspec:\n  type: database\n  owner: team\n",
    );
    let dir = org.path();
    same_as_uncached(dir, "the first build");
    let all = entity_pages(&same_as_uncached(dir, "no change")).0;
    let write =
        |path: &str, text: &str| std::fs::write(dir.join("repos").join(path), text).unwrap();
    let read = |path: &str| std::fs::read_to_string(dir.join("repos").join(path)).unwrap();
    let change = |path: &str, from: &str, to: &str| {
        let text = read(path);
        assert!(text.contains(from), "{path} has no {from:?}");
        write(path, &text.replacen(from, to, 1));
    };
    // A neighbour's description: its own page and its neighbours' tables
    // (the System's components, the Group's owned components), not every
    // page two hops out.
    change("beta/catalog-info.yaml", "Beta.", "Beta, edited.");
    let run = same_as_uncached(dir, "a neighbour's description");
    let (drawn, carried) = entity_pages(&run);
    assert!(
        carried > 0,
        "pages two hops out are carried: {}",
        run.stderr
    );
    assert!(
        drawn > all,
        "beta's and its neighbours' pages: {}",
        run.stderr
    );
    // A neighbour's lifecycle and type (the System's and Group's tables).
    change(
        "beta/catalog-info.yaml",
        "lifecycle: production",
        "lifecycle: deprecated",
    );
    same_as_uncached(dir, "a neighbour's lifecycle");
    change("gamma/catalog-info.yaml", "type: database", "type: queue");
    same_as_uncached(dir, "a neighbour's type");
    // A title: a node in graphs two hops out.
    change(
        "alpha/catalog-info.yaml",
        "  name: alpha-api\n",
        "  name: alpha-api\n  title: Alpha API\n",
    );
    same_as_uncached(dir, "a title shown two hops out");
    // A person's display name: the Group's members, graphs two hops out.
    change("teams/catalog-info.yaml", "Ada L", "Ada Lovelace");
    same_as_uncached(dir, "a member's display name");
    // A Group member's other group, shown on the first group's members table.
    change(
        "teams/catalog-info.yaml",
        "memberOf: [team]",
        "memberOf: [team, other-team]",
    );
    same_as_uncached(dir, "a member's groups");
    // A group's email: the member's groups table.
    change(
        "teams/catalog-info.yaml",
        "  name: other-team\nspec:\n",
        "  name: other-team\nspec:\n  profile:\n    email: other@example.com\n",
    );
    same_as_uncached(dir, "a group's email");
    // A member the group names comes into the catalog: the group's member
    // count on the member's page (a two-hop entity's existence).
    change(
        "gamma/catalog-info.yaml",
        "  owner: team\n",
        "  owner: team\n---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: carol\nspec:\n  memberOf: []\n",
    );
    same_as_uncached(dir, "a group's member added");
    // A System's diagram: a link between two of its parts.
    change(
        "beta/catalog-info.yaml",
        "  consumesApis: [alpha-api]\n",
        "  consumesApis: [alpha-api]\n  dependsOn: [resource:gamma-db]\n",
    );
    same_as_uncached(dir, "a dependency outside the System");
    change(
        "alpha/catalog-info.yaml",
        "dependsOn: [component:beta]",
        "dependsOn: [component:beta, api:alpha-api]",
    );
    same_as_uncached(dir, "a link in the System's diagram");
    // A two-hop entity renamed: it leaves graphs as a missing ref.
    change(
        "gamma/catalog-info.yaml",
        "name: gamma-db",
        "name: gamma-store",
    );
    same_as_uncached(dir, "a two-hop entity renamed");
}

/// `portico search --json` answers the same over the cached and the clean site.
fn same_search(dir: &Path, edit: &str, queries: &[&str]) {
    for query in queries {
        let cached = portico(dir, &["search", query, "--site", "cached", "--json"]);
        let clean = portico(dir, &["search", query, "--site", "clean", "--json"]);
        assert!(cached.code <= 1, "{edit}: {query}: {}", cached.stderr);
        assert_eq!(
            cached.code, clean.code,
            "{edit}: {query}: {}",
            cached.stderr
        );
        assert_eq!(cached.stdout, clean.stdout, "{edit}: {query}");
    }
}

/// An organisation of `count` repositories, each with a docs site of two
/// pages.
fn docs_org(count: usize) -> Org {
    let org = Org::new();
    for n in 0..count {
        let name = format!("svc{n}");
        org.file(
            &format!("repos/{name}/catalog-info.yaml"),
            &COMPONENT.replace("NAME", &name),
        )
        .file(
            &format!("repos/{name}/mkdocs.yml"),
            &format!("site_name: Service {n}\n"),
        )
        .file(
            &format!("repos/{name}/docs/index.md"),
            &format!("# Service {n}\n\nDeploy the service with a rollback plan.\n\n## Install\n\nRun install step {n}.\n"),
        )
        .file(
            &format!("repos/{name}/docs/runbook.md"),
            "# Runbook\n\nPage the owner; restart the deploy.\n",
        );
    }
    org
}

const QUERIES: [&str; 5] = [
    "rollback",
    "deploy",
    "install",
    "runbook restart",
    "zeppelin",
];

/// After an edit only the edited site's search documents are made again,
/// and `portico search` answers over the cached site as over a clean one;
/// a repository moved out, deleted and moved back in.
#[test]
fn a_page_edit_makes_only_its_sites_documents_and_searches_alike() {
    let org = docs_org(12);
    let dir = org.path();
    let first = same_as_uncached(dir, "the first build");
    assert_eq!(sites_searched(&first), (0, 12), "{}", first.stderr);
    same_search(dir, "the first build", &QUERIES);

    std::fs::write(
        dir.join("repos/svc3/docs/runbook.md"),
        "# Runbook\n\nPage the owner; restart the deploy from the zeppelin.\n",
    )
    .unwrap();
    let run = same_as_uncached(dir, "one page edited");
    assert_eq!(sites_searched(&run), (11, 1), "{}", run.stderr);
    same_search(dir, "one page edited", &QUERIES);

    std::fs::rename(dir.join("repos/svc5"), dir.join("svc5-moved")).unwrap();
    let run = same_as_uncached(dir, "a repository moved out");
    assert_eq!(sites_searched(&run), (11, 0), "{}", run.stderr);
    same_search(dir, "a repository moved out", &QUERIES);
    std::fs::remove_dir_all(dir.join("repos/svc7")).unwrap();
    let run = same_as_uncached(dir, "a repository deleted");
    assert_eq!(sites_searched(&run), (10, 0), "{}", run.stderr);
    same_search(dir, "a repository deleted", &QUERIES);
    std::fs::rename(dir.join("svc5-moved"), dir.join("repos/svc5")).unwrap();
    same_as_uncached(dir, "a repository moved back");
    same_search(dir, "a repository moved back", &QUERIES);
}

/// A kept site's search documents damaged in the cache (each entry changed
/// in place) are not taken: every site makes its documents again, and the
/// site and `portico search` are a clean build's.
#[test]
fn damaged_kept_search_documents_are_made_again() {
    let org = docs_org(6);
    let dir = org.path();
    same_as_uncached(dir, "the first build");
    let files: Vec<_> = files_under(&dir.join("cache"))
        .into_keys()
        .filter(|p| p.contains("/search-site/"))
        .collect();
    assert_eq!(files.len(), 6, "one entry per docs site: {files:?}");
    for entry in &files {
        flip_middle_byte(&dir.join("cache").join(entry));
    }
    let page = dir.join("repos/svc0/docs/index.md");
    let mut text = std::fs::read_to_string(&page).unwrap();
    text.push_str("\nA line about gliders.\n");
    std::fs::write(&page, &text).unwrap();
    let run = same_as_uncached(dir, "damaged kept documents");
    assert_eq!(sites_searched(&run), (0, 6), "{}", run.stderr);
    same_search(dir, "damaged kept documents", &["gliders", "rollback"]);
}

/// The timing line of a build run again after a damaged entry
/// (`pipeline::DAMAGED_ENTRY_LAP`).
const DAMAGED_ENTRY_LAP: &str = "an entry read late was damaged (removed); the build runs again";

/// What `run` printed once it ran again after a damaged entry.
fn run_again(run: &Run) -> Run {
    let at = run.stderr.find(DAMAGED_ENTRY_LAP).unwrap_or_else(|| {
        panic!("the build did not run again:\n{}", run.stderr);
    });
    Run {
        code: run.code,
        stdout: run.stdout.clone(),
        stderr: run.stderr[at..].to_string(),
    }
}

/// A repository's page sections damaged in the cache: read only when a
/// site's search documents are made (here, with the kept ones gone),
/// found damaged then, removed, and the build runs again and builds the
/// repository: the site and `portico search` are a clean build's.
#[test]
fn damaged_page_sections_are_found_when_read_and_built_again() {
    let org = docs_org(3);
    let dir = org.path();
    same_as_uncached(dir, "the first build");
    let entries = |kind: &str| -> Vec<std::path::PathBuf> {
        files_under(&dir.join("cache"))
            .into_keys()
            .filter(|p| p.contains(kind))
            .map(|p| dir.join("cache").join(p))
            .collect()
    };
    let sections = entries("/repo-sections/");
    assert_eq!(sections.len(), 3, "one entry per repository: {sections:?}");
    for entry in &sections {
        flip_middle_byte(entry);
    }
    let damaged: Vec<Vec<u8>> = sections.iter().map(|e| std::fs::read(e).unwrap()).collect();
    // Not needed (the search indexes carried over): not read, not noticed.
    let run = same_as_uncached(dir, "sections damaged, documents kept");
    assert!(!run.stderr.contains(DAMAGED_ENTRY_LAP), "{}", run.stderr);
    for (entry, bytes) in sections.iter().zip(&damaged) {
        assert_eq!(&std::fs::read(entry).unwrap(), bytes, "{entry:?} not read");
    }
    // The sites' kept documents and the docs' search key gone: the
    // documents are made again from the sections.
    for entry in entries("/search-site/")
        .into_iter()
        .chain(entries("/search-docs-key/"))
    {
        std::fs::remove_file(entry).unwrap();
    }
    run_again(&same_as_uncached(dir, "sections damaged and read"));
    same_search(dir, "sections damaged and read", &["rollback"]);
    // Every repository built again: its sections written anew, whole.
    let written = entries("/repo-sections/");
    assert_eq!(written.len(), 3, "{written:?}");
    for entry in &written {
        let bytes = std::fs::read(entry).unwrap();
        let sum = u128::from_le_bytes(bytes[..16].try_into().unwrap());
        assert_eq!(sum, xxhash_rust::xxh3::xxh3_128(&bytes[16..]), "{entry:?}");
    }
    let run = same_as_uncached(dir, "the cache repaired");
    assert!(!run.stderr.contains(DAMAGED_ENTRY_LAP), "{}", run.stderr);
}

/// A page that is a link to another file of the repository: an edit of
/// the link's target, or the link pointed elsewhere, builds the repository
/// again (its key stamps a link and, followed, its target).
#[test]
fn a_page_through_a_link_is_built_again_when_its_target_changes() {
    let org = alpha_docs("# Alpha\n\nSee [the guide](guide.md).\n");
    org.file("repos/alpha/texts/guide.md", "# Guide\n\nFirst text.\n")
        .file("repos/alpha/texts/other.md", "# Other\n\nOther text.\n");
    let alpha = org.path().join("repos/alpha");
    std::os::unix::fs::symlink("../texts/guide.md", alpha.join("docs/guide.md")).unwrap();
    let dir = org.path();
    same_as_uncached(dir, "the first build");
    let run = same_as_uncached(dir, "no change");
    assert_eq!(reuse(&run), (2, 0), "{}", run.stderr);
    std::fs::write(
        alpha.join("texts/guide.md"),
        "# Guide\n\nSecond, longer text.\n",
    )
    .unwrap();
    let run = same_as_uncached(dir, "the link's target edited");
    assert_eq!(reuse(&run), (1, 1), "{}", run.stderr);
    std::fs::remove_file(alpha.join("docs/guide.md")).unwrap();
    std::os::unix::fs::symlink("../texts/other.md", alpha.join("docs/guide.md")).unwrap();
    let run = same_as_uncached(dir, "the link pointed at another file");
    assert_eq!(reuse(&run), (1, 1), "{}", run.stderr);
    let cached =
        std::fs::read_to_string(dir.join("cached/docs/default/component/alpha/guide/index.html"))
            .unwrap();
    assert!(cached.contains("Other text."), "the new target's text");
}

/// (kept, made) of the docs' search key from the search timing line, when
/// the last site's indexes were carried over.
fn docs_search_key(run: &Run) -> Option<(usize, usize)> {
    figures_after(run, "docs' key: ")
}

/// With nothing changed, the docs' part of the search key is taken from
/// the cache (no search document made); an edit makes it again, and the
/// indexes follow the edit.
#[test]
fn the_docs_search_key_is_kept_only_while_every_repository_is() {
    let org = Org::new();
    org.file(
        "repos/alpha/catalog-info.yaml",
        &COMPONENT.replace("NAME", "alpha"),
    )
    .file("repos/alpha/mkdocs.yml", "site_name: Alpha\n")
    .file("repos/alpha/docs/index.md", "# Alpha\n\nFirst words.\n")
    .file(
        "repos/beta/catalog-info.yaml",
        &COMPONENT.replace("NAME", "beta"),
    )
    .file("repos/beta/mkdocs.yml", "site_name: Beta\n")
    .file("repos/beta/docs/index.md", "# Beta\n\nBeta words.\n");
    let dir = org.path();
    same_as_uncached(dir, "the first build");
    let run = same_as_uncached(dir, "no change");
    assert_eq!(docs_search_key(&run), Some((0, 1)), "{}", run.stderr);
    let run = same_as_uncached(dir, "no change again");
    assert_eq!(docs_search_key(&run), Some((1, 0)), "{}", run.stderr);
    std::fs::write(
        dir.join("repos/alpha/docs/index.md"),
        "# Alpha\n\nWords about zeppelins.\n",
    )
    .unwrap();
    let run = same_as_uncached(dir, "a page edited");
    assert_eq!(
        docs_search_key(&run),
        None,
        "indexes made again: {}",
        run.stderr
    );
    let found = portico(dir, &["search", "zeppelins", "--site", "cached", "--json"]);
    assert!(
        found.stdout.contains("alpha"),
        "{}{}",
        found.stdout,
        found.stderr
    );
    // The owner an entity's sections show is read from the catalog.
    std::fs::write(
        dir.join("repos/beta/catalog-info.yaml"),
        COMPONENT
            .replace("NAME", "beta")
            .replace("owner: team", "owner: other-team"),
    )
    .unwrap();
    let run = same_as_uncached(dir, "an owner changed");
    assert_eq!(
        docs_search_key(&run),
        None,
        "indexes made again: {}",
        run.stderr
    );
    // The build after the edit made (and kept) the new sum.
    let run = same_as_uncached(dir, "no change after the edits");
    assert_eq!(docs_search_key(&run), Some((1, 0)), "{}", run.stderr);
}

/// A scorecard result changed and nothing else: the docs' search key is
/// still kept, but the entity documents (which carry each entity's level)
/// changed, so the index is made again: every docs bucket kept, the
/// entity documents indexed, and the site and searches as a clean build's.
#[test]
fn a_level_change_keeps_every_docs_sites_documents() {
    let org = docs_org(6);
    let facts = |incidents: u32| {
        format!(r#"{{"component:default/svc2": {{"incidents": {{"value": {incidents}}}}}}}"#)
    };
    org.file(
        "card.yaml",
        "name: plain\nlevels: [one]\nrules:\n  - id: incidents\n    level: one\n    check: { fact: { name: incidents, lte: 2 } }\n",
    )
    .file("facts.json", &facts(1))
    .file(
        "portico.toml",
        "[scorecards]\npaths = [\"card.yaml\"]\nfacts = \"facts.json\"\n",
    );
    let dir = org.path();
    same_as_uncached(dir, "the first build");
    let run = same_as_uncached(dir, "no change");
    assert_eq!(docs_search_key(&run), Some((0, 1)), "{}", run.stderr);
    std::fs::write(dir.join("facts.json"), facts(5)).unwrap();
    let run = same_as_uncached(dir, "a level changed");
    // Only an entity document changed: every docs site's documents are kept.
    assert_eq!(sites_searched(&run), (6, 0), "{}", run.stderr);
    same_search(dir, "a level changed", &QUERIES);
    let level = portico(
        dir,
        &[
            "search", "rollback", "--site", "cached", "--level", "none", "--json",
        ],
    );
    let clean = portico(
        dir,
        &[
            "search", "rollback", "--site", "clean", "--level", "none", "--json",
        ],
    );
    assert_eq!(level.stdout, clean.stdout, "{}", level.stderr);
    assert!(
        level.stdout.contains("svc2"),
        "{}{}",
        level.stdout,
        level.stderr
    );
}

/// (repositories whose link problems were kept, checked) from the docs
/// timing line.
fn link_problems(run: &Run) -> (usize, usize) {
    figures(run, "; links: ")
}

/// Each repository's link problems are kept under its docs and the sites
/// its links are looked up in: a heading renamed in one repository gives
/// the broken anchor in another, unchanged one; the fix clears it; a
/// deleted repository's sites are missed; an edit that leaves a site's
/// pages and ids alone checks only its own repository's links again; and
/// kept problems are reported on every build.
#[test]
fn link_problems_are_kept_only_while_every_site_they_read_is() {
    let org = Org::new();
    let docs = |name: &str, index: &str| {
        org.file(
            &format!("repos/{name}/catalog-info.yaml"),
            &COMPONENT.replace("NAME", name),
        )
        .file(
            &format!("repos/{name}/mkdocs.yml"),
            &format!("site_name: {name}\n"),
        )
        .file(&format!("repos/{name}/docs/index.md"), index);
    };
    docs("alpha", "# Alpha\n\n## Install\n\nSteps.\n");
    docs(
        "beta",
        "# Beta\n\nSee [Alpha's install](/docs/default/component/alpha/index.md#install).\n",
    );
    docs(
        "gamma",
        "# Gamma\n\nSee [Beta](/docs/default/component/beta/index.md) and [gone](/docs/default/component/beta/gone.md).\n",
    );
    let dir = org.path();
    let alpha = dir.join("repos/alpha/docs/index.md");
    let run = same_as_uncached(dir, "the first build");
    assert_eq!(link_problems(&run), (0, 3), "{}", run.stderr);
    let gone = "the docs of component:default/beta have no page `gone.md`";
    assert!(run.stderr.contains(gone), "{}", run.stderr);

    let run = same_as_uncached(dir, "no change");
    assert_eq!(link_problems(&run), (3, 0), "{}", run.stderr);
    assert!(
        run.stderr.contains(gone),
        "kept problems are reported again"
    );

    std::fs::write(&alpha, "# Alpha\n\n## Installing\n\nSteps.\n").unwrap();
    let run = same_as_uncached(dir, "a heading another repository links to renamed");
    // Alpha changed; beta links into it; gamma reads only beta's site.
    assert_eq!(link_problems(&run), (1, 2), "{}", run.stderr);
    let broken = "that page has no heading or id `install`";
    assert!(run.stderr.contains(broken), "{}", run.stderr);
    let run = same_as_uncached(dir, "no change after the rename");
    assert_eq!(link_problems(&run), (3, 0), "{}", run.stderr);
    assert!(run.stderr.contains(broken), "{}", run.stderr);

    std::fs::write(&alpha, "# Alpha\n\n## Install\n\nSteps.\n").unwrap();
    let run = same_as_uncached(dir, "the heading back");
    assert!(!run.stderr.contains(broken), "{}", run.stderr);

    std::fs::write(&alpha, "# Alpha\n\n## Install\n\nOther steps.\n").unwrap();
    let run = same_as_uncached(dir, "a page's text, its ids unchanged");
    assert_eq!(link_problems(&run), (2, 1), "{}", run.stderr);

    std::fs::remove_dir_all(dir.join("repos/alpha")).unwrap();
    let run = same_as_uncached(dir, "the linked repository deleted");
    assert_eq!(link_problems(&run), (1, 1), "{}", run.stderr);
    let missing = "component:default/alpha has no docs in this portal";
    assert!(run.stderr.contains(missing), "{}", run.stderr);
    let run = same_as_uncached(dir, "no change after the deletion");
    assert_eq!(link_problems(&run), (2, 0), "{}", run.stderr);
    assert!(run.stderr.contains(missing), "{}", run.stderr);
}

/// A repository's link facts or link problems damaged or gone in the
/// cache: the build gives the same site and problems, and writes the entry
/// again: link facts by building the repository again (its problems, kept
/// under the same key, are still good), problems by checking its links.
#[test]
fn damaged_link_entries_are_made_again() {
    let org = Org::new();
    org.file(
        "repos/alpha/catalog-info.yaml",
        &COMPONENT.replace("NAME", "alpha"),
    )
    .file("repos/alpha/mkdocs.yml", "site_name: Alpha\n")
    .file(
        "repos/alpha/docs/index.md",
        "# Alpha\n\nSee [nowhere](nowhere.md) and [here](#alpha).\n",
    );
    let dir = org.path();
    same_as_uncached(dir, "the first build");
    let run = same_as_uncached(dir, "no change");
    assert_eq!(link_problems(&run), (1, 0), "{}", run.stderr);
    let entry = |kind: &str| {
        let entries: Vec<_> = files_under(&dir.join("cache"))
            .into_keys()
            .filter(|p| p.contains(kind))
            .collect();
        assert_eq!(entries.len(), 1, "{kind}: {entries:?}");
        dir.join("cache").join(&entries[0])
    };
    let damage = |path: &Path| {
        let mut damaged = std::fs::read(path).unwrap();
        let last = damaged.len() - 1;
        damaged[last] ^= 0x20;
        std::fs::write(path, &damaged).unwrap();
        damaged
    };
    // (entry kind, link problems (kept, checked) once it is damaged)
    for (kind, figures) in [("/link-problems/", (0, 1)), ("/repo-links/", (1, 0))] {
        let path = entry(kind);
        let damaged = damage(&path);
        let run = same_as_uncached(dir, kind);
        assert_eq!(link_problems(&run), figures, "{kind}: {}", run.stderr);
        assert!(run.stderr.contains("nowhere.md"), "{}", run.stderr);
        if kind == "/repo-links/" {
            // Link facts are read only for links checked (`cache::Later`):
            // with the problems kept, nobody read them.
            assert_eq!(std::fs::read(&path).unwrap(), damaged, "{kind} not read");
            // Checked, they are read, found damaged and removed, and the
            // build runs again: the repository is built again.
            std::fs::remove_file(entry("/link-problems/")).unwrap();
            let run = run_again(&same_as_uncached(dir, "link facts damaged and read"));
            assert_eq!(link_problems(&run), (0, 1), "{}", run.stderr);
            assert!(run.stderr.contains("nowhere.md"), "{}", run.stderr);
        }
        assert_ne!(
            std::fs::read(&path).unwrap(),
            damaged,
            "{kind} written again"
        );
        std::fs::remove_file(&path).unwrap();
        let run = same_as_uncached(dir, kind);
        assert_eq!(link_problems(&run), figures, "{kind} gone: {}", run.stderr);
        assert!(path.is_file(), "{kind} written again");
        let run = same_as_uncached(dir, "the cache repaired");
        assert_eq!(link_problems(&run), (1, 0), "after {kind}: {}", run.stderr);
    }
}

/// The cached site's scorecard pages.
fn scorecard_pages(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = site(&dir.join("cached"));
    files.retain(|path, _| path.starts_with("scorecards"));
    files
}

/// The scorecards' file rules read each docs repository's listing the docs
/// stage made in the same run: a file added since the last build (a
/// licence, a CI workflow, one under a vendored folder) is seen, in a
/// repository whose docs are kept as in one built again, and the site is
/// the one a build without the cache writes.
#[test]
fn file_rules_see_the_files_of_this_build_not_the_last() {
    let org = Org::new();
    org.file(
        "repos/alpha/catalog-info.yaml",
        &COMPONENT.replace("NAME", "alpha"),
    )
    .file("repos/alpha/mkdocs.yml", "site_name: Alpha\n")
    .file("repos/alpha/docs/index.md", "# Alpha\n\nText.\n")
    .file(
        "repos/beta/catalog-info.yaml",
        &COMPONENT.replace("NAME", "beta"),
    )
    .file("repos/beta/mkdocs.yml", "site_name: Beta\n")
    .file("repos/beta/docs/index.md", "# Beta\n");
    commit_all(&org.path().join("repos/beta"), "main", "beta");
    let dir = org.path();
    same_as_uncached(dir, "the first build");
    let before = scorecard_pages(dir);
    assert!(!before.is_empty(), "the default scorecard's pages");
    // A licence beside the docs: alpha's docs are built again (a new file).
    std::fs::write(dir.join("repos/alpha/LICENSE"), "MIT\n").unwrap();
    same_as_uncached(dir, "a licence added");
    let licensed = scorecard_pages(dir);
    assert_ne!(before, licensed, "the licence rule saw the new file");
    // A CI workflow in beta's git work tree, committed.
    let beta = dir.join("repos/beta");
    std::fs::create_dir_all(beta.join(".github/workflows")).unwrap();
    std::fs::write(beta.join(".github/workflows/ci.yml"), "on: push\n").unwrap();
    commit_all(&beta, "main", "ci");
    same_as_uncached(dir, "a workflow committed");
    assert_ne!(
        licensed,
        scorecard_pages(dir),
        "the CI rule saw the new file"
    );
    // A README only under a vendored folder is not the entity's README.
    std::fs::create_dir_all(dir.join("repos/alpha/node_modules/x")).unwrap();
    std::fs::write(dir.join("repos/alpha/node_modules/x/README.md"), "x\n").unwrap();
    same_as_uncached(dir, "a vendored README");
    let vendored = scorecard_pages(dir);
    std::fs::write(dir.join("repos/alpha/README.md"), "# Alpha\n").unwrap();
    same_as_uncached(dir, "a README added");
    assert_ne!(
        vendored,
        scorecard_pages(dir),
        "the README rule saw the new file"
    );
}

/// (repositories taken by their files' stamps, repositories with a
/// settled stamp) from the docs timing line.
fn taken_by_files(run: &Run) -> (usize, usize) {
    figures(run, "repositories taken by their files' stamps: ")
}

/// A repository whose files all have the stamps they had when its docs'
/// key was last worked out takes that key and its listing back without
/// listing or stamping its files (`docs::repo_cache::by_files`). Any
/// change it could read is seen: a page edited, a file added (a file
/// rule's), a commit, git's own configuration; a repository changed just
/// now has no stamp to take. Every site is a clean build's.
#[test]
fn repositories_are_taken_by_their_files_stamps_only_while_every_file_is_as_stamped() {
    let org = docs_org(3);
    let dir = org.path();
    let svc2 = dir.join("repos/svc2");
    commit_all(&svc2, "main", "first");
    settle();
    let run = same_as_uncached(dir, "the first build");
    assert_eq!(taken_by_files(&run), (0, 3), "{}", run.stderr);
    let run = same_as_uncached(dir, "nothing changed");
    assert_eq!(taken_by_files(&run), (3, 3), "{}", run.stderr);

    write_runbook(dir, 1, "Page the owner; roll the deploy back.");
    settle();
    let run = same_as_uncached(dir, "a page edited");
    assert_eq!(taken_by_files(&run), (2, 3), "{}", run.stderr);

    let before = scorecard_pages(dir);
    std::fs::write(dir.join("repos/svc0/LICENSE"), "MIT\n").unwrap();
    settle();
    let run = same_as_uncached(dir, "a licence added");
    assert_eq!(taken_by_files(&run), (2, 3), "{}", run.stderr);
    assert_ne!(
        before,
        scorecard_pages(dir),
        "the licence rule saw the new file"
    );

    std::fs::write(svc2.join("README.md"), "# Service 2\n").unwrap();
    commit_all(&svc2, "main", "readme");
    settle();
    let run = same_as_uncached(dir, "a commit");
    assert_eq!(taken_by_files(&run), (2, 3), "{}", run.stderr);
    git(&svc2, &["commit", "-q", "--allow-empty", "-m", "nothing"]);
    settle();
    let run = same_as_uncached(dir, "a commit that changed no file");
    assert_eq!(taken_by_files(&run), (2, 3), "{}", run.stderr);

    // A page added and removed again leaves every file as it was, but not
    // its folder's times: a build that listed the page in between must
    // not be taken as the listing now.
    let page = dir.join("repos/svc1/docs/draft.md");
    std::fs::write(&page, "# Draft\n").unwrap();
    std::fs::remove_file(&page).unwrap();
    settle();
    let run = same_as_uncached(dir, "a page added and removed");
    assert_eq!(taken_by_files(&run), (2, 3), "{}", run.stderr);

    // git's own configuration is every repository's input (a remote's
    // URL may come from it).
    let home = tempfile::tempdir().unwrap();
    let home_path = home.path().to_str().unwrap();
    std::fs::write(home.path().join(".gitconfig"), "[user]\n\tname = A\n").unwrap();
    settle();
    let env = [("HOME", home_path)];
    let run = same_as_uncached_with(dir, "git's configuration elsewhere", &env);
    assert_eq!(taken_by_files(&run), (0, 3), "{}", run.stderr);
    let run = same_as_uncached_with(dir, "nothing changed again", &env);
    assert_eq!(taken_by_files(&run), (3, 3), "{}", run.stderr);
    std::fs::write(home.path().join(".gitconfig"), "[user]\n\tname = B\n").unwrap();
    settle();
    let run = same_as_uncached_with(dir, "git's configuration edited", &env);
    assert_eq!(taken_by_files(&run), (0, 3), "{}", run.stderr);

    // Changed just now: no stamp to take, the edit seen.
    write_runbook(dir, 0, "Page the owner at once.");
    let run = same_as_uncached_with(dir, "a page edited just now", &env);
    assert_eq!(taken_by_files(&run), (2, 2), "{}", run.stderr);
}

/// `docs_org`'s runbook of service `n`, rewritten to hold `text`.
fn write_runbook(dir: &Path, n: usize, text: &str) {
    std::fs::write(
        dir.join(format!("repos/svc{n}/docs/runbook.md")),
        format!("# Runbook\n\n{text}\n"),
    )
    .unwrap();
}

/// (files that stayed, files linked in) from the swap's timing line, when
/// the site swapped in was the kept folder brought up to date.
fn kept_folder(run: &Run) -> Option<(usize, usize)> {
    figures_after(run, "the kept folder brought up to date: ")
}

#[test]
fn the_kept_folder_gives_the_uncached_site_whatever_was_done_to_it() {
    let org = docs_org(6);
    let dir = org.path();
    let kept = dir.join(".cached.portico-kept");
    let edit = |n: usize, text: &str| write_runbook(dir, n, text);
    same_as_uncached(dir, "the first build");
    edit(1, "Restart the deploy.");
    let run = same_as_uncached(dir, "a second build");
    assert_eq!(kept_folder(&run), None, "nothing kept yet: {}", run.stderr);
    assert!(kept.join(".portico-site").is_file(), "the first site, kept");

    // From the third build on, the site swapped in is the kept folder,
    // most of its files the last site's own.
    edit(2, "Roll back the zeppelin.");
    let run = same_as_uncached(dir, "one page edited");
    let (stayed, linked) = kept_folder(&run).unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(stayed > linked, "{}", run.stderr);
    same_search(dir, "one page edited", &QUERIES);

    // A page of the site edited by hand (the kept folder shares its file),
    // a file added to the site and to the kept folder, a page deleted from
    // the kept folder, a folder of it replaced by a file.
    let page = "docs/default/component/svc3/runbook/index.html";
    std::fs::write(dir.join("cached").join(page), "edited by hand").unwrap();
    std::fs::write(dir.join("cached/stray.html"), "stray").unwrap();
    std::fs::write(kept.join("stray.html"), "stray").unwrap();
    std::fs::remove_file(kept.join("docs/default/component/svc4/index.html")).unwrap();
    std::fs::remove_dir_all(kept.join("docs/default/component/svc5/runbook")).unwrap();
    std::fs::write(kept.join("docs/default/component/svc5/runbook"), "a file").unwrap();
    edit(0, "Page the owner.");
    let run = same_as_uncached(dir, "the site and the kept folder changed by hand");
    assert!(kept_folder(&run).is_some(), "{}", run.stderr);
    edit(0, "Page the owner twice.");
    let run = same_as_uncached(dir, "the stray file's site as the kept folder");
    assert!(kept_folder(&run).is_some(), "{}", run.stderr);
    same_search(dir, "changed by hand", &QUERIES);

    // The site deleted: built whole, the kept folder (an older site) not
    // used; the next build uses it again.
    std::fs::remove_dir_all(dir.join("cached")).unwrap();
    edit(3, "Drain the node.");
    let run = same_as_uncached(dir, "the site deleted");
    assert_eq!(kept_folder(&run), None, "{}", run.stderr);
    edit(3, "Drain the node again.");
    let run = same_as_uncached(dir, "after the site was deleted");
    assert!(kept_folder(&run).is_some(), "{}", run.stderr);

    // A build without the cache into the same folder deletes it.
    let run = portico(dir, &["build", "repos", "--out", "cached", "--no-cache"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!kept.exists());
}

/// Whether the lists (`catalog.json`, kind, problems and scorecard
/// pages) were carried over from the last site rather than made.
fn lists_carried(run: &Run) -> bool {
    run.stderr.contains("lists carried over")
}

/// (catalog loads kept, catalog loads read) from the read timing line.
fn loads(run: &Run) -> (usize, usize) {
    figures(run, "catalog loads: ")
}

/// A repository's catalog load is kept in the cache while every file it
/// read or looked for is unchanged: an edit, a `$text` file, a Location
/// target that appears, a file a Location's glob now finds, a commit (the
/// pages show it), a push to a bare clone each read that repository
/// again, and only it; a kept load still reports its problems.
#[test]
fn catalog_loads_are_kept_only_while_every_file_they_read_is() {
    let org = Org::new();
    org.file(
        "repos/teams/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team\n  description:\n    $text: ./about.txt\nspec:\n  type: team\n  children: []\n",
    )
    .file("repos/teams/about.txt", "The team.")
    .file(
        "repos/alpha/catalog-info.yaml",
        &COMPONENT
            .replace("NAME", "alpha")
            .replace("  owner: team\n", "  owner: team\n  dependsOn: [component:beta]\n"),
    )
    .file(
        "repos/beta/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: beta-files\nspec:\n  targets: [./beta.yaml, ./later.yaml, ./more/*.yaml]\n",
    )
    .file(
        "repos/beta/beta.yaml",
        &COMPONENT.replace("NAME", "beta").replace("  lifecycle: production\n", "  lifecycle: [oops]\n"),
    )
    .file("repos/beta/more/one.yaml", &COMPONENT.replace("NAME", "one"));
    let dir = org.path();
    commit_all(&dir.join("repos/alpha"), "main", "first");
    let first = same_as_uncached(dir, "the first build");
    assert_eq!(loads(&first), (0, 3), "{}", first.stderr);
    assert!(
        first.stderr.contains("later.yaml") && first.stderr.contains("lifecycle"),
        "a missing target and a bad field: {}",
        first.stderr
    );
    let again = same_as_uncached(dir, "no change (the problems still reported)");
    assert_eq!(loads(&again), (3, 0), "{}", again.stderr);
    assert!(lists_carried(&again), "{}", again.stderr);
    assert!(
        again.stderr.contains("pages' keys kept"),
        "every page carried by its kept key: {}",
        again.stderr
    );

    let write =
        |path: &str, text: &str| std::fs::write(dir.join("repos").join(path), text).unwrap();
    let read = |path: &str| std::fs::read_to_string(dir.join("repos").join(path)).unwrap();
    let only_one = |edit: &str| {
        let run = same_as_uncached(dir, edit);
        assert_eq!(loads(&run), (2, 1), "{edit}: {}", run.stderr);
        assert!(!lists_carried(&run), "{edit}: {}", run.stderr);
    };
    // Each edit below must reach the site (the sites are compared).
    write("teams/about.txt", "The team, rewritten.");
    only_one("a `$text` file changed");
    write(
        "beta/beta.yaml",
        &read("beta/beta.yaml").replace("[oops]", "production"),
    );
    only_one("a Location's target edited");
    write("beta/later.yaml", &COMPONENT.replace("NAME", "later"));
    only_one("a missing Location target created");
    write("beta/more/two.yaml", &COMPONENT.replace("NAME", "two"));
    only_one("a file a Location's glob finds added");
    // Another day: the scorecards judge dates against it (and their
    // pages say it), so the lists are made again; no load is read.
    let day = same_as_uncached_with(dir, "another day", &[("SOURCE_DATE_EPOCH", "1893456000")]);
    assert_eq!(loads(&day), (3, 0), "{}", day.stderr);
    assert!(!lists_carried(&day), "{}", day.stderr);
    let back = same_as_uncached(dir, "today again");
    assert!(!lists_carried(&back), "{}", back.stderr);
    write("beta/unrelated.txt", "no catalog file reads this");
    // A listing saw it: read again (the site is the same either way).
    same_as_uncached(dir, "a file added beside the glob's");
    let run = same_as_uncached(dir, "no change after it");
    assert_eq!(loads(&run), (3, 0), "{}", run.stderr);
    write(
        "alpha/catalog-info.yaml",
        &read("alpha/catalog-info.yaml")
            .replace("dependsOn: [component:beta]", "dependsOn: [component:two]"),
    );
    only_one("a relation across repositories changed");
    commit_all(&dir.join("repos/alpha"), "main", "second");
    only_one("a commit: the entity's commit is on its page");
    std::fs::remove_dir_all(dir.join("repos/beta")).unwrap();
    let run = same_as_uncached(dir, "a repository deleted");
    assert_eq!(loads(&run), (2, 0), "{}", run.stderr);

    // A bare clone: kept by its commit, read again after a push.
    let work = dir.join("src/gamma");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(
        work.join("catalog-info.yaml"),
        COMPONENT.replace("NAME", "gamma"),
    )
    .unwrap();
    commit_all(&work, "main", "first");
    bare_clone(dir, &work, "repos/gamma.git");
    same_as_uncached(dir, "a bare clone added");
    let run = same_as_uncached(dir, "no change");
    assert_eq!(loads(&run), (3, 0), "{}", run.stderr);
    std::fs::write(
        work.join("catalog-info.yaml"),
        COMPONENT
            .replace("NAME", "gamma")
            .replace("lifecycle: production", "lifecycle: experimental"),
    )
    .unwrap();
    commit_all(&work, "main", "second");
    git(
        &work,
        &[
            "push",
            "-q",
            dir.join("repos/gamma.git").to_str().unwrap(),
            "main",
        ],
    );
    only_one("a push to a bare clone");
}

/// (docs sites whose search documents were kept, made) from the search
/// index's timing line.
fn sites_searched(run: &Run) -> (usize, usize) {
    figures(run, "docs sites' search documents: ")
}

/// A docs site's search documents are kept under its repository's docs
/// key and its entity (`search::kept_sites`): after each edit only the
/// sites it touched make theirs again, and the site, its browser index and
/// `portico search` are a clean build's.
#[test]
fn a_sites_search_documents_are_kept_only_while_its_repository_and_entity_are() {
    let org = docs_org(8);
    let dir = org.path();
    let first = same_as_uncached(dir, "the first build");
    assert_eq!(sites_searched(&first), (0, 8), "{}", first.stderr);
    let queries = ["rollback", "zeppelin", "gliders", "owner", "kites"];
    let owner_changed = COMPONENT
        .replace("NAME", "svc0")
        .replace("owner: team", "owner: kites-team");
    let edits = [
        (
            "a page edited",
            "repos/svc3/docs/runbook.md",
            Some("# Runbook\n\nPage the owner; restart the zeppelin.\n"),
        ),
        (
            "a heading renamed",
            "repos/svc4/docs/index.md",
            Some(
                "# Service 4\n\nDeploy the service with a rollback plan.\n\n## Gliders\n\nRun install step 4.\n",
            ),
        ),
        ("a page deleted", "repos/svc1/docs/runbook.md", None),
        (
            "a page added",
            "repos/svc2/docs/kites.md",
            Some("# Kites\n\nFly the kites after the rollback.\n"),
        ),
        (
            "an owner changed",
            "repos/svc0/catalog-info.yaml",
            Some(owner_changed.as_str()),
        ),
    ];
    for (edit, path, text) in edits {
        match text {
            Some(text) => std::fs::write(dir.join(path), text).unwrap(),
            None => std::fs::remove_file(dir.join(path)).unwrap(),
        }
        let run = same_as_uncached(dir, edit);
        assert_eq!(sites_searched(&run), (7, 1), "{edit}: {}", run.stderr);
        same_search(dir, edit, &queries);
    }
    std::fs::remove_dir_all(dir.join("repos/svc6")).unwrap();
    let run = same_as_uncached(dir, "a repository deleted");
    assert_eq!(sites_searched(&run), (7, 0), "{}", run.stderr);
    same_search(dir, "a repository deleted", &queries);

    // Damaged kept blocks: the sites are made again, the site unchanged.
    let cache = dir.join("cache");
    for entry in files_under(&cache).into_keys() {
        if entry.contains("/search-fragments/") {
            flip_middle_byte(&cache.join(&entry));
        }
    }
    std::fs::write(
        dir.join("repos/svc5/docs/index.md"),
        "# Service 5\n\nNo rollback here.\n",
    )
    .unwrap();
    let run = same_as_uncached(dir, "damaged blocks");
    assert_eq!(sites_searched(&run), (0, 7), "{}", run.stderr);
    same_search(dir, "damaged blocks", &queries);

    // Another Portico version's cache folder is not read.
    let ours = std::fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with('v'))
        .unwrap()
        .path();
    std::fs::rename(&ours, cache.join("v0.0.0-0000000000000000")).unwrap();
    std::fs::write(
        dir.join("repos/svc5/docs/index.md"),
        "# Service 5\n\nA rollback after all.\n",
    )
    .unwrap();
    let run = same_as_uncached(dir, "another version's cache");
    assert_eq!(sites_searched(&run), (0, 7), "{}", run.stderr);
    same_search(dir, "another version's cache", &queries);
    let run = same_as_uncached(dir, "nothing changed since");
    assert!(figures_after(&run, "docs sites' search documents: ").is_none());
    std::fs::write(
        dir.join("repos/svc7/docs/runbook.md"),
        "# Runbook\n\nGliders.\n",
    )
    .unwrap();
    let run = same_as_uncached(dir, "one more page edited");
    assert_eq!(sites_searched(&run), (6, 1), "{}", run.stderr);
    same_search(dir, "one more page edited", &queries);
}

/// Damages a cache file as a bad disk would: one bit of its middle byte.
fn flip_middle_byte(path: &std::path::Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x20;
    std::fs::write(path, bytes).unwrap();
}

// The whole-build entry (`pipeline::unchanged`): a build whose every input
// is the last build's, into the site that build left, does nothing else.

/// The timing line of a build that took the whole-build entry.
const WHOLE_BUILD: &str = "whole build: every input as the last build's";

/// Waits until the inputs just written are older than the time a build
/// trusts their stamps after (`pipeline::unchanged::RACY_NANOS`), so the
/// next build records its entry.
fn settle() {
    std::thread::sleep(std::time::Duration::from_millis(1100));
}

/// The inputs of the whole-build tests' builds: arguments and variables.
struct Steps<'d> {
    dir: &'d Path,
    args: Vec<&'static str>,
    env: Vec<(&'static str, &'static str)>,
}

impl Steps<'_> {
    /// A cached build compared with a clean one (site, diagnostics, exit
    /// code); whether it took the whole-build entry.
    fn build(&self, edit: &str) -> (bool, Run) {
        let run = compared(self.dir, edit, &self.args, &self.env, false);
        (run.stderr.contains(WHOLE_BUILD), run)
    }

    /// After `edit`, the next build runs every stage and gives the clean
    /// site; once the inputs are settled, a build records the entry and
    /// the one after it takes it, with the same site and diagnostics as a
    /// clean build.
    fn not_taken_after(&self, edit: &str) {
        let (taken, run) = self.build(edit);
        assert!(
            !taken,
            "{edit}: the whole-build entry was taken:\n{}",
            run.stderr
        );
        // An input changed within the last second: that build recorded
        // nothing (its stamps could miss a second change), this one does
        // (or takes what a build after a change to the site recorded).
        settle();
        let mut args = vec!["build", "repos", "--out", "cached", "--cache", "cache"];
        args.extend_from_slice(&self.args);
        portico_with_env(self.dir, &args, &self.env);
        self.taken(&format!("{edit}, then nothing changed"));
    }

    /// Nothing changed: the entry is taken, the site is the clean one.
    fn taken(&self, edit: &str) {
        let (taken, run) = self.build(edit);
        assert!(
            taken,
            "{edit}: the whole-build entry was not taken:\n{}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("timing: docs"),
            "{edit}: no stage ran:\n{}",
            run.stderr
        );
    }
}

/// alpha (a work tree: a `$text` description, a Location target, docs
/// with a broken link, an invalid name) and beta (a bare clone of
/// `source/beta`), built until the whole-build entry is taken.
fn whole_build_org() -> Org {
    let org = Org::new();
    org.file(
        "repos/alpha/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: alpha\n  description:\n    $text: ./description.txt\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n  owner-typo: team\n---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: alpha-more\nspec:\n  targets:\n    - ./more.yaml\n",
    )
    .file("repos/alpha/description.txt", "Alpha's description.\n")
    .file(
        "repos/alpha/more.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: alpha-db\nspec:\n  type: database\n  owner: team\n---\napiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: Alpha Cache\nspec:\n  type: cache\n  owner: team\n",
    )
    .file("repos/alpha/mkdocs.yml", "site_name: Alpha\n")
    .file(
        "repos/alpha/docs/index.md",
        "# Alpha\n\n[Broken](missing.md)\n",
    )
    .file("source/beta/catalog-info.yaml", &COMPONENT.replace("NAME", "beta"))
    .file("source/beta/mkdocs.yml", "site_name: Beta\n")
    .file("source/beta/docs/index.md", "# Beta\n\nText.\n");
    let dir = org.path();
    let (alpha, source) = (dir.join("repos/alpha"), dir.join("source/beta"));
    commit_all(&alpha, "main", "alpha");
    commit_all(&source, "main", "beta");
    bare_clone(dir, &source, "repos/beta.git");
    let steps = Steps::new(dir);
    let (taken, first) = steps.build("the first build");
    assert!(!taken, "{}", first.stderr);
    assert_eq!(first.code, 1, "an invalid name: exit 1");
    // Its inputs had just been written: nothing recorded.
    settle();
    let (taken, run) = steps.build("the org settled");
    assert!(!taken, "{}", run.stderr);
    steps.taken("nothing changed");
    org
}

impl<'d> Steps<'d> {
    fn new(dir: &'d Path) -> Steps<'d> {
        Steps {
            dir,
            args: Vec::new(),
            env: vec![("SOURCE_DATE_EPOCH", "1767312000")],
        }
    }
}

#[test]
fn whole_build_taken_when_nothing_changed_and_not_after_an_edit() {
    let org = whole_build_org();
    let dir = org.path();
    let steps = Steps::new(dir);
    // Taken again, the site left as it is, the diagnostics the same in
    // every format, and the exit code (`--strict` too).
    let page = dir.join("cached/docs/default/component/alpha/index.html");
    let stamp = |path: &Path| {
        let meta = std::fs::metadata(path).unwrap();
        (
            std::os::unix::fs::MetadataExt::ino(&meta),
            meta.modified().unwrap(),
        )
    };
    let before = stamp(&page);
    steps.taken("nothing changed, again");
    assert_eq!(stamp(&page), before, "the site was not written");
    for format in ["json", "sarif", "github"] {
        let run = |out: &str, cache: &str| {
            let env = [
                ("SOURCE_DATE_EPOCH", "1767312000"),
                ("PORTICO_TIMINGS", "1"),
            ];
            let mut args = vec![
                "build", "repos", "--out", out, "--format", format, "--strict",
            ];
            args.extend(match cache {
                "" => vec!["--no-cache"],
                cache => vec!["--cache", cache],
            });
            portico_with_env(dir, &args, &env)
        };
        let (cached, clean) = (run("cached", "cache"), run("clean", ""));
        assert!(cached.stderr.contains(WHOLE_BUILD), "{}", cached.stderr);
        assert_eq!(cached.stdout, clean.stdout, "the same {format} diagnostics");
        assert_eq!(cached.code, clean.code, "the same exit code");
    }

    let alpha = dir.join("repos/alpha");
    let replace = |path: &str, from: &str, to: &str| {
        let text = std::fs::read_to_string(alpha.join(path)).unwrap();
        assert!(text.contains(from), "{path}: {from}");
        std::fs::write(alpha.join(path), text.replace(from, to)).unwrap();
    };
    replace("catalog-info.yaml", "production", "experimental");
    steps.not_taken_after("a catalog file edited");
    replace("description.txt", "Alpha's", "Alpha's new");
    steps.not_taken_after("a $text file edited");
    replace("more.yaml", "database", "queue");
    steps.not_taken_after("a Location target edited");
    replace("catalog-info.yaml", "./more.yaml", "./other.yaml");
    org.file(
        "repos/alpha/other.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: alpha-queue\nspec:\n  type: queue\n  owner: team\n",
    );
    steps.not_taken_after("a Location's target changed");
    replace("docs/index.md", "missing.md", "gone.md");
    steps.not_taken_after("a docs page edited");
    replace("mkdocs.yml", "Alpha", "Alpha Docs");
    steps.not_taken_after("mkdocs.yml edited");
}

#[test]
fn whole_build_not_taken_after_a_repository_or_git_change() {
    let org = whole_build_org();
    let dir = org.path();
    let steps = Steps::new(dir);
    let (alpha, source) = (dir.join("repos/alpha"), dir.join("source/beta"));
    org.file(
        "repos/gamma/catalog-info.yaml",
        &COMPONENT.replace("NAME", "gamma"),
    );
    steps.not_taken_after("a new repository");
    std::fs::remove_dir_all(dir.join("repos/gamma")).unwrap();
    steps.not_taken_after("a repository deleted");
    std::fs::write(alpha.join("notes.txt"), "not read by any stage\n").unwrap();
    steps.not_taken_after("a file no stage reads (every file counts)");
    commit_all(&alpha, "main", "notes");
    steps.not_taken_after("committed (the files as they were)");
    git(&alpha, &["commit", "-q", "--allow-empty", "-m", "empty"]);
    steps.not_taken_after("a commit with the same files");
    git(&alpha, &["tag", "v1.0.0"]);
    steps.not_taken_after("a tag");
    std::fs::write(source.join("docs/index.md"), "# Beta\n\nPushed text.\n").unwrap();
    commit_all(&source, "main", "pushed");
    let bare = dir.join("repos/beta.git");
    git(&source, &["push", "-q", bare.to_str().unwrap(), "main"]);
    steps.not_taken_after("a bare clone pushed to");
}

#[test]
fn whole_build_not_taken_after_a_settings_or_site_change() {
    let org = whole_build_org();
    let dir = org.path();
    let mut steps = Steps::new(dir);
    steps.env = vec![("SOURCE_DATE_EPOCH", "1767398400")];
    steps.not_taken_after("another day");
    org.file("portico.toml", "[site]\ntitle = \"Our portal\"\n");
    steps.not_taken_after("portico.toml changed");
    steps.args = vec!["--no-search"];
    steps.not_taken_after("--no-search");
    steps.args = Vec::new();
    steps.not_taken_after("search again");
    org.file("theme/static/extra.css", "body { color: black; }\n");
    steps.args = vec!["--theme", "theme"];
    steps.not_taken_after("a theme");
    org.file("theme/static/extra.css", "body { color: navy; }\n");
    steps.not_taken_after("a theme's file edited");
    // The theme given as a link to its folder: a file added at its top,
    // then that file edited in place (the link's own stamp never moves,
    // the folder's does: a listing kept by the link's stamp would miss
    // the file for good).
    std::os::unix::fs::symlink(dir.join("theme"), dir.join("theme-link")).unwrap();
    steps.args = vec!["--theme", "theme-link"];
    steps.not_taken_after("the theme given as a link");
    org.file("theme/NOTES.md", "Our colours.\n");
    steps.not_taken_after("a file added at the top of a linked theme");
    org.file("theme/NOTES.md", "Our colours, again.\n");
    steps.not_taken_after("that file edited in place");
    // A theme whose `static` folder is a link to shared assets elsewhere
    // (read through by the theme, not followed by the walk): a file below
    // it edited in place, its length the same.
    org.file("brand/static/assets/brand.css", "a { color: red; }\n");
    org.file("theme2/NOTES.md", "Linked assets.\n");
    std::os::unix::fs::symlink(dir.join("brand/static"), dir.join("theme2/static")).unwrap();
    steps.args = vec!["--theme", "theme2"];
    steps.not_taken_after("a theme whose static folder is a link");
    org.file("brand/static/assets/brand.css", "a { color: tan; }\n");
    steps.not_taken_after("a file below a linked static folder edited");
    steps.args = Vec::new();
    org.file("repos/scorecards/basics.yaml", "name: basics\n");
    steps.not_taken_after("a scorecard definition added");
    org.file("repos/scorecards/basics.yaml", "name: basics\nrules: []\n");
    steps.not_taken_after("a scorecard definition edited");

    let page = dir.join("cached/docs/default/component/alpha/index.html");
    let bytes = std::fs::read(&page).unwrap();
    std::fs::remove_file(&page).unwrap();
    steps.not_taken_after("a page of the site deleted");
    std::fs::write(&page, &bytes).unwrap();
    steps.not_taken_after("a page of the site written again (the same bytes)");
    let copy = dir.join("copy");
    let status = std::process::Command::new("cp")
        .args([
            "-a",
            dir.join("cached").to_str().unwrap(),
            copy.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::remove_dir_all(dir.join("cached")).unwrap();
    std::fs::rename(&copy, dir.join("cached")).unwrap();
    steps.not_taken_after("the site replaced by a copy (times kept)");
    // Another binary's entries are in another folder of the cache: a
    // folder that is not this binary's is not read (and is deleted).
    let cache = dir.join("cache");
    let ours = std::fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.is_dir())
        .unwrap();
    std::fs::rename(&ours, cache.join("v0.0.0-0000000000000000")).unwrap();
    steps.not_taken_after("the cache of another Portico binary");
}

#[test]
fn whole_build_not_kept_for_builds_with_location_files() {
    let org = Org::new();
    org.file("repos/alpha/catalog-info.yaml", &COMPONENT.replace("NAME", "alpha"))
        .file(
            "extra.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team\nspec:\n  type: team\n  children: []\n",
        );
    let mut steps = Steps::new(org.path());
    steps.args = vec!["--location", "extra.yaml"];
    settle();
    for build in ["first", "second", "third"] {
        let (taken, run) = steps.build(&format!("the {build} build with --location"));
        assert!(!taken, "{}", run.stderr);
    }
}

// Parts of the lists kept apart (the scorecard pages) and the entity
// documents' search buckets.

/// Whether the lists were made with the scorecard pages carried over from
/// the last site (their own key unchanged).
fn scorecard_pages_carried(run: &Run) -> bool {
    run.stderr.contains("site: scorecard pages (carried over)")
}

/// (kinds whose list pages were carried over, kinds) when the lists were
/// made.
fn kinds_carried(run: &Run) -> (usize, usize) {
    figures(run, "site: kind pages (")
}

const RESOURCE: &str = "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: NAME\nspec:\n  type: database\n  owner: team\n";

/// An organisation judged by one scorecard whose only rule reads
/// `spec.lifecycle`, so catalog edits elsewhere leave every result as it
/// was: two Groups, two Systems, two Components in repositories of their
/// own, a Resource in alpha's catalog file and one in a repository of its
/// own.
fn scorecard_org() -> Org {
    let component = |name: &str, description: &str| {
        COMPONENT
            .replace("NAME", name)
            .replace("  owner: team\n", "  owner: team\n  system: shop\n")
            .replace(
                "metadata:\n",
                &format!("metadata:\n  description: {description}\n"),
            )
    };
    let org = Org::new();
    org.file(
        "repos/teams/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team\nspec:\n  type: team\n  children: []\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: other-team\nspec:\n  type: team\n  children: []\n",
    )
    .file(
        "repos/shop/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: shop\nspec:\n  owner: team\n---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: shop2\nspec:\n  owner: team\n",
    )
    .file(
        "repos/alpha/catalog-info.yaml",
        &format!(
            "{}---\n{}",
            component("alpha", "Alpha answers zeppelin questions."),
            RESOURCE.replace("NAME", "alpha-cache")
        ),
    )
    .file("repos/store/catalog-info.yaml", &RESOURCE.replace("NAME", "db"))
    .file("repos/alpha/mkdocs.yml", "site_name: Alpha\n")
    .file("repos/alpha/docs/index.md", "# Alpha\n\nRollback notes.\n")
    .file("repos/beta/catalog-info.yaml", &component("beta", "Beta."))
    .file(
        "card.yaml",
        "name: plain\nlevels: [one]\nfilter:\n  kind: [Component]\nrules:\n  - id: lifecycle\n    level: one\n    check: { field: { path: spec.lifecycle } }\n",
    )
    .file("portico.toml", "[scorecards]\npaths = [\"card.yaml\"]\n");
    org
}

/// When a catalog edit makes the lists again, each kind's list pages and
/// the scorecard pages are carried over only while their own keys hold
/// (a kind's: its entities' own keys, levels and the entities their owner
/// and System links find; the scorecard pages': every result, each
/// entity's ref and `partOf` targets; both: the theme and settings):
/// edits that change what they show, though not the entities or results
/// they list, make them again, and every build equals a build without the
/// cache.
#[test]
fn list_parts_are_carried_only_while_what_they_read_is_unchanged() {
    let org = scorecard_org();
    let dir = org.path();
    let first = same_as_uncached(dir, "the first build");
    assert!(!scorecard_pages_carried(&first), "{}", first.stderr);
    let run = same_as_uncached(dir, "no change");
    assert!(lists_carried(&run), "{}", run.stderr);

    let write =
        |path: &str, text: &str| std::fs::write(dir.join("repos").join(path), text).unwrap();
    let read = |path: &str| std::fs::read_to_string(dir.join("repos").join(path)).unwrap();
    let edit = |path: &str, from: &str, to: &str| {
        let text = read(path);
        assert!(text.contains(from), "{path}: {from}");
        write(path, &text.replacen(from, to, 1));
    };
    let made = |run: &Run, edit: &str| {
        assert!(!lists_carried(run), "{edit}: lists made: {}", run.stderr);
        assert!(
            !scorecard_pages_carried(run),
            "{edit}: scorecard pages made: {}",
            run.stderr
        );
    };
    let carried = |run: &Run, edit: &str| {
        assert!(
            scorecard_pages_carried(run),
            "{edit}: scorecard pages carried: {}",
            run.stderr
        );
    };

    // No result changes: the lists are made, the scorecard pages carried.
    edit(
        "alpha/catalog-info.yaml",
        "answers zeppelin questions",
        "answers glider questions",
    );
    let run = same_as_uncached(dir, "a description edited");
    carried(&run, "a description edited");
    // Components' list made again; Groups', Systems' and Resources' (one
    // in the edited file) carried over.
    assert_eq!(kinds_carried(&run), (3, 4), "{}", run.stderr);
    same_search(
        dir,
        "a description edited",
        &["glider", "zeppelin", "alpha"],
    );
    edit(
        "alpha/catalog-info.yaml",
        "  system: shop\n",
        "  system: shop\n  dependsOn: [resource:db]\n",
    );
    let run = same_as_uncached(dir, "a dependency across repositories");
    carried(&run, "a dependency across repositories");
    assert_eq!(kinds_carried(&run), (2, 4), "{}", run.stderr);
    // The dependency renamed away: alpha's row shows a problem now,
    // though alpha did not change.
    edit("store/catalog-info.yaml", "name: db\n", "name: db2\n");
    same_as_uncached(dir, "a dependency's target renamed");
    edit("store/catalog-info.yaml", "name: db2\n", "name: db\n");
    same_as_uncached(dir, "a dependency's target back");

    // What the pages show changes, though no result does.
    edit(
        "alpha/catalog-info.yaml",
        "system: shop\n",
        "system: shop2\n",
    );
    let run = same_as_uncached(dir, "moved to another System");
    made(&run, "moved to another System");
    // The System alpha is in renamed: the Components' list links it no
    // more, though no Component changed (the Systems' and the owning
    // Group's lists change too: the Group's relations name the System).
    edit("shop/catalog-info.yaml", "name: shop2\n", "name: shop3\n");
    let run = same_as_uncached(dir, "a linked System renamed");
    assert_eq!(kinds_carried(&run), (1, 4), "{}", run.stderr);
    edit("shop/catalog-info.yaml", "name: shop3\n", "name: shop2\n");
    same_as_uncached(dir, "the System's name back");
    // Spelled otherwise: refs still find it (case-insensitively), and the
    // link shows its name as spelled now.
    edit("shop/catalog-info.yaml", "name: shop2\n", "name: Shop2\n");
    same_as_uncached(dir, "a linked System's name spelled otherwise");
    // The owners' Group renamed (as many entities as before): the owner
    // links become missing refs.
    let teams = read("teams/catalog-info.yaml");
    edit("teams/catalog-info.yaml", "name: team\n", "name: squad\n");
    let run = same_as_uncached(dir, "the owning Group renamed");
    made(&run, "the owning Group renamed");
    write("teams/catalog-info.yaml", &teams);
    let run = same_as_uncached(dir, "the owning Group back");
    made(&run, "the owning Group back");

    // Results change.
    edit("beta/catalog-info.yaml", "owner: team", "owner: other-team");
    let run = same_as_uncached(dir, "an owner changed");
    made(&run, "an owner changed");
    edit("beta/catalog-info.yaml", "name: beta", "name: beta-renamed");
    let run = same_as_uncached(dir, "an entity renamed");
    made(&run, "an entity renamed");
    edit(
        "alpha/catalog-info.yaml",
        "lifecycle: production",
        "lifecycle: ''",
    );
    let run = same_as_uncached(dir, "a rule's input changed");
    made(&run, "a rule's input changed");
    org.file(
        "repos/gamma/catalog-info.yaml",
        &COMPONENT.replace("NAME", "gamma"),
    );
    let run = same_as_uncached(dir, "a new entity");
    made(&run, "a new entity");
    let run = same_as_uncached_with(dir, "another day", &[("SOURCE_DATE_EPOCH", "1893456000")]);
    made(&run, "another day");
    std::fs::remove_dir_all(dir.join("repos/beta")).unwrap();
    let run = same_as_uncached_with(
        dir,
        "a repository deleted",
        &[("SOURCE_DATE_EPOCH", "1893456000")],
    );
    made(&run, "a repository deleted");
    let run = same_as_uncached_with(
        dir,
        "nothing changed since",
        &[("SOURCE_DATE_EPOCH", "1893456000")],
    );
    assert!(lists_carried(&run), "{}", run.stderr);
    same_search(dir, "nothing changed since", &["glider", "alpha", "gamma"]);
}

// The kept folder's listing recorded (`output::kept::Recorded`): the build
// that uses the kept folder reads only the folders changed since the build
// that last brought it up to date.

/// (folders read, folders taken as recorded) from the swap's timing line.
fn kept_folders(run: &Run) -> Option<(usize, usize)> {
    figures_after(run, "its folders: ")
}

#[test]
fn a_recorded_kept_listing_still_finds_what_was_done_by_hand() {
    let org = docs_org(6);
    let dir = org.path();
    let kept = dir.join(".cached.portico-kept");
    let edit = |n: usize, text: &str| write_runbook(dir, n, text);
    // Two sites (the live one and the kept one), each brought up to date
    // once with its folders settled, so each has a record.
    for (n, text) in [
        "Restart the deploy.",
        "Roll back.",
        "Page the owner.",
        "Drain.",
    ]
    .into_iter()
    .enumerate()
    {
        edit(n, text);
        settle();
        same_as_uncached(dir, text);
    }
    edit(4, "Scale up.");
    settle();
    let run = same_as_uncached(dir, "one page edited, both records there");
    let (read, recorded) = kept_folders(&run).unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(recorded > 3 * read, "mostly as recorded: {}", run.stderr);

    // By hand, in the live site (the next build's kept folder) and in the
    // kept folder: files planted in a folder deep down, a page replaced
    // by a rename, a page deleted, a folder replaced by a file, a link.
    let page = "docs/default/component/svc3/runbook";
    std::fs::write(dir.join("cached").join(page).join("stray.html"), "stray").unwrap();
    std::fs::write(kept.join(page).join("stray.html"), "stray").unwrap();
    std::fs::write(kept.join(page).join("new.html"), "replaced").unwrap();
    std::fs::rename(
        kept.join(page).join("new.html"),
        kept.join(page).join("index.html"),
    )
    .unwrap();
    std::fs::remove_file(kept.join("docs/default/component/svc4/index.html")).unwrap();
    std::fs::remove_dir_all(kept.join("docs/default/component/svc5/runbook")).unwrap();
    std::fs::write(kept.join("docs/default/component/svc5/runbook"), "a file").unwrap();
    std::os::unix::fs::symlink("/etc/hostname", kept.join("docs/default/component/svc1/x"))
        .unwrap();
    // Settled: found by the folders' stamps, not by their being new.
    settle();
    edit(0, "Page the owner twice.");
    let run = same_as_uncached(dir, "the kept folder changed by hand");
    let (read, recorded) = kept_folders(&run).unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(read >= 5 && recorded > read, "{}", run.stderr);
    settle();
    edit(0, "Page the owner again.");
    let run = same_as_uncached(dir, "the live site changed by hand, now kept");
    assert!(kept_folders(&run).is_some(), "{}", run.stderr);
    same_search(dir, "changed by hand", &QUERIES);

    // A damaged record is a listing read whole.
    let entries: Vec<_> = walk_files(&dir.join("cache"))
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("kept-listing"))
        .collect();
    assert!(!entries.is_empty(), "records kept");
    entries.iter().for_each(|p| flip_middle_byte(p));
    settle();
    edit(1, "Restart twice.");
    let run = same_as_uncached(dir, "damaged records");
    let (_, recorded) = kept_folders(&run).unwrap_or_else(|| panic!("{}", run.stderr));
    assert_eq!(recorded, 0, "{}", run.stderr);
}

/// Every file below `dir`.
fn walk_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

// The whole-build key's walk takes the folders whose stamps are unchanged
// from the last walk's listings (`pipeline::unchanged::Listings`).

/// (folders read, folders as the last walk listed them) from the inputs'
/// key's timing line.
fn walk_folders(run: &Run) -> (usize, usize) {
    figures(run, "stamped; folders: ")
}

#[test]
fn whole_build_walk_reads_only_changed_folders_and_sees_settled_changes() {
    let org = whole_build_org();
    let dir = org.path();
    let steps = Steps::new(dir);
    let alpha = dir.join("repos/alpha");
    settle();
    let (taken, run) = steps.build("settled, nothing changed");
    assert!(taken, "{}", run.stderr);
    let (read, listed) = walk_folders(&run);
    assert!(listed > 10 * read.max(1), "{}", run.stderr);
    // Each change is older than a second when the build stamps it: only
    // the folder's stamp, not its age, says it must be read again.
    let after = |what: &str, change: &dyn Fn()| {
        change();
        settle();
        let (taken, run) = steps.build(what);
        assert!(
            !taken,
            "{what}: the whole-build entry was taken:\n{}",
            run.stderr
        );
        let (read, listed) = walk_folders(&run);
        // A deleted repository's folders are not walked: none is read.
        let inside = !what.contains("deleted");
        assert!(
            read >= usize::from(inside) && listed > read,
            "{what}: {}",
            run.stderr
        );
        steps.taken(&format!("{what}, then nothing changed"));
    };
    after("a file added in a folder", &|| {
        std::fs::write(alpha.join("docs/extra.md"), "# Extra\n").unwrap();
    });
    after("a file replaced by a rename", &|| {
        std::fs::write(alpha.join("docs/new.md"), "# Renamed over\n").unwrap();
        std::fs::rename(alpha.join("docs/new.md"), alpha.join("docs/extra.md")).unwrap();
    });
    after("a file removed", &|| {
        std::fs::remove_file(alpha.join("docs/extra.md")).unwrap();
    });
    after("a folder replaced by one of the same name", &|| {
        std::fs::create_dir(alpha.join("docs/more")).unwrap();
        std::fs::write(alpha.join("docs/more/a.md"), "# A\n").unwrap();
    });
    after("a folder made again", &|| {
        std::fs::remove_dir_all(alpha.join("docs/more")).unwrap();
        std::fs::create_dir(alpha.join("docs/more")).unwrap();
        std::fs::write(alpha.join("docs/more/a.md"), "# A\n").unwrap();
    });
    after("a tag", &|| {
        git(&alpha, &["tag", "v2.0.0"]);
    });
    after("a new repository", &|| {
        org.file(
            "repos/gamma/catalog-info.yaml",
            &COMPONENT.replace("NAME", "gamma"),
        );
    });
    after("a repository deleted", &|| {
        std::fs::remove_dir_all(dir.join("repos/gamma")).unwrap();
    });
    // A file edited in place leaves its folder's stamp: its own is read.
    let text = std::fs::read_to_string(alpha.join("description.txt")).unwrap();
    std::fs::write(
        alpha.join("description.txt"),
        text.replace("Alpha's", "Alpha's own"),
    )
    .unwrap();
    settle();
    let (taken, run) = steps.build("a file edited in place, settled");
    assert!(!taken, "{}", run.stderr);
    let (read, _) = walk_folders(&run);
    assert_eq!(read, 0, "no folder changed: {}", run.stderr);
}
