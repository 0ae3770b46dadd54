//! `portico build --shard i/N` and `portico merge`: the merged site equals
//! a one-machine build of the same input byte for byte, search files
//! included, with the same problems reported; parts of
//! another version, another build or a missing shard are refused.

use crate::support::{
    Org, Run, bare_clone, commit_all, copy_dir, crate_dir, files_under, git, portico,
};
use std::collections::BTreeMap;
use std::path::Path;

/// Every file of a site, search files included.
fn site(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let files = files_under(dir);
    assert!(
        files.contains_key("index.html"),
        "a site in {}",
        dir.display()
    );
    files
}

/// The problems a run printed, without its summary lines.
fn problems(run: &Run) -> Vec<&str> {
    run.stderr
        .lines()
        .filter(|l| {
            !l.starts_with("Built ") && !l.starts_with("Merged ") && !l.starts_with("Open ")
        })
        .collect()
}

/// Builds `roots` in `dir` in `count` shards, then merges them into
/// `merged-<count>`; returns the merge's run.
fn build_sharded(dir: &Path, roots: &[&str], count: usize) -> Run {
    let mut parts = Vec::new();
    for index in 1..=count {
        let part = format!("part-{count}-{index}");
        let shard = format!("{index}/{count}");
        let mut args = vec!["build"];
        args.extend(roots);
        args.extend(["--shard", &shard, "--out", &part, "--no-cache"]);
        let run = portico(dir, &args);
        assert!(run.code < 2, "shard {shard}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!("Built shard {shard}")),
            "{}",
            run.stderr
        );
        parts.push(part);
    }
    let out = format!("merged-{count}");
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(String::as_str));
    args.extend(["--out", &out]);
    portico(dir, &args)
}

/// Merges in 1, 2, 3 and 8 shards equal the one-machine build.
fn assert_merges_equal_build(dir: &Path, roots: &[&str]) {
    let mut args = vec!["build"];
    args.extend(roots);
    args.extend(["--out", "single", "--no-cache"]);
    let single = portico(dir, &args);
    assert!(single.code < 2, "{}", single.stderr);
    let reference = site(&dir.join("single"));
    for count in [1, 2, 3, 8] {
        let merged = build_sharded(dir, roots, count);
        assert_eq!(
            merged.code, single.code,
            "{count} shards: {}",
            merged.stderr
        );
        assert_eq!(
            problems(&merged),
            problems(&single),
            "{count} shards: the same problems"
        );
        let files = site(&dir.join(format!("merged-{count}")));
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            reference.keys().collect::<Vec<_>>(),
            "{count} shards: the same files"
        );
        for (path, bytes) in &reference {
            assert!(
                &files[path] == bytes,
                "{count} shards: {path} differs from the single build"
            );
        }
        assert_same_search(dir, &format!("merged-{count}"));
    }
}

/// `portico search` over a merged site's documents (the parts' words and
/// documents gathered beside the merge's own) answers as over the single
/// build's: the same results, scores and order.
fn assert_same_search(dir: &Path, merged: &str) {
    let mut found = 0;
    for (query, filter) in [
        ("service", None),
        ("rollback", None),
        ("guide setup", None),
        ("\"rollback steps\"", None),
        ("pay", None),
        // The facets of docs whose entity is defined twice, in two shards.
        ("rollback", Some(["--owner", "team-0"])),
        ("rollback", Some(["--owner", "team-1"])),
        ("dup", Some(["--kind", "component"])),
        ("rollback", Some(["--level", "none"])),
    ] {
        let search = |site: &str| {
            let mut args = vec!["search", "--site", site, "--json", "--limit", "100"];
            args.extend(filter.iter().flatten());
            args.push(query);
            let run = portico(dir, &args);
            assert!(run.code < 2, "{site}: {query}: {}", run.stderr);
            run.stdout
        };
        let single = search("single");
        found += usize::from(single.contains("\"url\""));
        assert_eq!(
            search(merged),
            single,
            "{merged}: `portico search {query}` {filter:?}"
        );
    }
    assert!(found > 0, "some query finds something");
}

/// Writes a part's data file as if the shard had written it: its
/// checksum in `part.json` is changed to match, so the checks past the
/// checksum are reached.
fn rewrite_part_file(file: &Path, bytes: &[u8]) {
    std::fs::write(file, bytes).unwrap();
    let manifest = file.parent().unwrap().join("part.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let name = file.file_name().unwrap().to_str().unwrap();
    value["checksums"][name] = portico::shard::part::checksum(bytes).into();
    std::fs::write(&manifest, serde_json::to_vec_pretty(&value).unwrap()).unwrap();
}

/// The repositories a part holds, from its manifest.
fn part_repos(part: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(part.join("part.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    manifest["repos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn merged_example_org_equals_a_single_build() {
    let org = Org::new();
    copy_dir(
        &crate_dir().join("example-org"),
        &org.path().join("example-org"),
    );
    assert_merges_equal_build(org.path(), &["example-org"]);
}

const COMPONENT: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: NAME\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: group:team-OWNER\n  dependsOn: [component:NEXT]\n";

/// Twelve services, each depending on and linking to the next one's docs
/// (one link to an anchor that is not there) and to its own guide (one
/// broken anchor, one missing page: checked by the shards), teams defined in other
/// repositories, and the same entity defined in two repositories four
/// times over: across 2, 3 and 8 shards, relations, links and duplicates
/// span parts.
fn cross_shard_org(org: &Org) {
    let services = 12;
    for i in 0..services {
        let name = format!("svc-{i}");
        let next = format!("svc-{}", (i + 1) % services);
        let repo = format!("repos/{name}");
        org.file(
            &format!("{repo}/catalog-info.yaml"),
            &COMPONENT
                .replace("NAME", &name)
                .replace("NEXT", &next)
                .replace("OWNER", &(i % 3).to_string()),
        )
        .file(&format!("{repo}/mkdocs.yml"), &format!("site_name: Service {i}\n"))
        .file(
            &format!("{repo}/docs/index.md"),
            &format!(
                "# Service {i}\n\n## Usage\n\nCalls [{next}](/docs/default/component/{next}/guide.md#setup) \
                 and [its missing part](/docs/default/component/{next}/index.md#nowhere).\n\n\
                 [Guide](guide.md), [its missing part](guide.md#nowhere), [nothing](nothing.md).\n"
            ),
        )
        .file(
            &format!("{repo}/docs/guide.md"),
            &format!("# Guide of {name}\n\n## Setup\n\nRollback steps for {name}.\n"),
        );
    }
    for team in 0..3 {
        org.file(
            &format!("repos/team-{team}/catalog-info.yaml"),
            &format!(
                "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-{team}\nspec:\n  type: team\n  children: []\n"
            ),
        );
    }
    for pair in 0..4 {
        for side in ["a", "b"] {
            org.file(
                &format!("repos/dup-{pair}{side}/catalog-info.yaml"),
                // Each side a different owner and type: the search facets
                // of the docs come from whichever definition the whole
                // catalog keeps, which a shard cannot know.
                &COMPONENT
                    .replace("NAME", &format!("dup-{pair}"))
                    .replace("NEXT", "svc-0")
                    .replace("OWNER", if side == "a" { "0" } else { "1" })
                    .replace("type: service", &format!("type: {side}-side")),
            )
            .file(
                &format!("repos/dup-{pair}{side}/mkdocs.yml"),
                &format!("site_name: Dup {pair}{side}\n"),
            )
            .file(
                &format!("repos/dup-{pair}{side}/docs/index.md"),
                &format!("# Dup {pair}{side}\n\nRollback of dup {pair}{side}.\n"),
            );
        }
    }
    // One repository with history: its pages carry git dates.
    commit_all(&org.path().join("repos/svc-3"), "main", "svc-3");
}

#[test]
fn merged_cross_shard_org_equals_a_single_build() {
    let org = Org::new();
    cross_shard_org(&org);
    let dir = org.path();
    assert_merges_equal_build(dir, &["repos"]);
    // The filtered searches compared there find the duplicates' docs (the
    // kept definitions, the `a` sides, are owned by team-0).
    for filter in [["--owner", "team-0"], ["--kind", "component"]] {
        let mut args = vec!["search", "--site", "single", "--json", "--limit", "100"];
        args.extend(filter);
        args.push("dup");
        let found = portico(dir, &args).stdout;
        assert!(found.contains("dup-"), "{filter:?}: {found}");
    }
    let single = portico(dir, &["check", "repos", "--format", "json"]);
    let codes: Vec<String> = single.codes_with("code");
    assert!(
        codes.iter().any(|c| c.starts_with("duplicate-entity")),
        "the fixture has duplicates: {codes:?}"
    );
    // Across 8 shards, the duplicates and linked services really are split.
    let held: Vec<Vec<String>> = (1..=8)
        .map(|i| part_repos(&dir.join(format!("part-8-{i}"))))
        .collect();
    let part_of = |repo: &str| {
        held.iter()
            .position(|r| r.iter().any(|x| x.ends_with(repo)))
    };
    assert!((0..4).any(|p| part_of(&format!("dup-{p}a")) != part_of(&format!("dup-{p}b"))));
    assert!(
        (0..12).any(|i| part_of(&format!("svc-{i}")) != part_of(&format!("svc-{}", (i + 1) % 12)))
    );
    assert_eq!(
        held.iter().map(Vec::len).sum::<usize>(),
        12 + 3 + 8,
        "each repository in one part"
    );
    // Shares within one repository of each other (rendezvous hashing cut
    // these 23 into 16 + 7, 11 + 4 + 8, and 0 to 6 across 8 shards).
    for count in [2, 3, 8] {
        let sizes: Vec<usize> = (1..=count)
            .map(|i| part_repos(&dir.join(format!("part-{count}-{i}"))).len())
            .collect();
        let (least, most) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
        assert!(most - least <= 1, "{count} shards: {sizes:?}");
    }
}

/// Two parts of `repos` in `dir`.
fn two_parts(dir: &Path) {
    for shard in ["1/2", "2/2"] {
        let part = format!("part-{}", &shard[..1]);
        let run = portico(dir, &["build", "repos", "--shard", shard, "--out", &part]);
        assert!(run.code < 2, "{}", run.stderr);
    }
}

/// `portico merge part-1 part-2 --out site` in `dir`.
fn merge_parts(dir: &Path) -> Run {
    portico(dir, &["merge", "part-1", "part-2", "--out", "site"])
}

/// Builds [`two_parts`] of the organisation in `dir` and merges them once
/// (exit 1: the cross-shard duplicates are errors); returns the site's
/// files, to show a refused merge left them alone.
fn merged_once(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    two_parts(dir);
    assert_eq!(merge_parts(dir).code, 1, "the duplicates are errors");
    files_under(&dir.join("site"))
}

#[test]
fn parts_of_another_version_or_build_are_refused() {
    let org = Org::new();
    cross_shard_org(&org);
    let dir = org.path();
    two_parts(dir);
    let merge = |parts: &[&str]| {
        let mut args = vec!["merge"];
        args.extend(parts);
        args.extend(["--out", "site"]);
        portico(dir, &args)
    };
    assert_eq!(
        merge(&["part-1", "part-2"]).code,
        1,
        "the duplicates are errors"
    );
    let site_before = files_under(&dir.join("site"));

    let manifest = dir.join("part-2/part.json");
    let original = std::fs::read_to_string(&manifest).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    std::fs::write(
        &manifest,
        original.replace(&format!("\"{version}\""), "\"0.0.1\""),
    )
    .unwrap();
    let other = merge(&["part-1", "part-2"]);
    assert_eq!(other.code, 2, "{}", other.stderr);
    assert!(
        other
            .stderr
            .contains("`part-2` was written by portico 0.0.1")
            && other.stderr.contains(&format!("this is portico {version}"))
            && other.stderr.contains("with the same portico"),
        "{}",
        other.stderr
    );
    std::fs::write(
        &manifest,
        original.replace(
            &format!("\"format\": {}", portico::shard::part::FORMAT),
            "\"format\": 99",
        ),
    )
    .unwrap();
    let format = merge(&["part-1", "part-2"]);
    assert_eq!(format.code, 2);
    assert!(
        format.stderr.contains("part format 99"),
        "{}",
        format.stderr
    );
    std::fs::write(&manifest, &original).unwrap();

    // A files.bin that leaves out a page its docs.bin holds (from another
    // run, say): refused, not a site missing that page.
    let list_path = dir.join("part-1/files.bin");
    let list_bytes = std::fs::read(&list_path).unwrap();
    // Each site path with its length.
    let mut listed: Vec<(String, u64)> = postcard::from_bytes(&list_bytes).unwrap();
    let page = listed
        .iter()
        .position(|(p, _)| p.starts_with("docs/") && p.ends_with("/index.html"))
        .expect("part 1 holds a docs page");
    let (left_out, left_out_len) = listed.remove(page);
    rewrite_part_file(&list_path, &postcard::to_stdvec(&listed).unwrap());
    let short = merge(&["part-1", "part-2"]);
    assert_eq!(short.code, 2, "{}", short.stderr);
    assert!(
        short
            .stderr
            .contains(&format!("does not list `{left_out}`"))
            && short.stderr.contains("build the shard again"),
        "{}",
        short.stderr
    );
    rewrite_part_file(&list_path, &list_bytes);

    // A files.bin listing a file outside the part's own docs sites (a
    // script among the site's assets, another shard's page): refused.
    for stray in ["assets/evil.js", "index.html"] {
        let mut more = listed.clone();
        more.insert(0, (left_out.clone(), left_out_len));
        more.push((stray.to_string(), "alert(1)".len() as u64));
        more.sort();
        let file = dir.join("part-1/site").join(stray);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "alert(1)").unwrap();
        rewrite_part_file(&list_path, &postcard::to_stdvec(&more).unwrap());
        let stray_run = merge(&["part-1", "part-2"]);
        assert_eq!(stray_run.code, 2, "{}", stray_run.stderr);
        assert!(
            stray_run
                .stderr
                .contains(&format!("lists `{stray}`, outside its docs sites")),
            "{}",
            stray_run.stderr
        );
        std::fs::remove_file(&file).unwrap();
    }
    rewrite_part_file(&list_path, &list_bytes);
    assert_eq!(
        files_under(&dir.join("site")),
        site_before,
        "no refused merge touched the site"
    );

    // Search documents that are not a regular file: refused unread.
    let fragments = dir.join("part-2/fragments.bin");
    let kept_fragments = std::fs::read(&fragments).unwrap();
    std::fs::remove_file(&fragments).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &fragments).unwrap();
    let linked = merge(&["part-1", "part-2"]);
    assert_eq!(linked.code, 2, "{}", linked.stderr);
    assert!(
        linked.stderr.contains("part-2/fragments.bin")
            && linked.stderr.contains("not a regular file"),
        "{}",
        linked.stderr
    );
    std::fs::remove_file(&fragments).unwrap();
    std::fs::write(&fragments, kept_fragments).unwrap();

    let missing = merge(&["part-1"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("shard 2/2 is missing"),
        "{}",
        missing.stderr
    );
    let twice = merge(&["part-1", "part-1"]);
    assert_eq!(twice.code, 2);
    assert!(
        twice.stderr.contains("are both shard 1/2"),
        "{}",
        twice.stderr
    );
    let not_a_part = merge(&["repos", "part-2"]);
    assert_eq!(not_a_part.code, 2);
    assert!(
        not_a_part.stderr.contains("`repos` is not a part"),
        "{}",
        not_a_part.stderr
    );
    let run = portico(
        dir,
        &["build", "repos", "--shard", "1/3", "--out", "part-3"],
    );
    assert!(run.code < 2);
    let mixed = merge(&["part-3", "part-2"]);
    assert_eq!(mixed.code, 2);
    assert!(
        mixed.stderr.contains("same --shard count"),
        "{}",
        mixed.stderr
    );

    // A repository added after the shards were built.
    org.file(
        "repos/late/catalog-info.yaml",
        &COMPONENT
            .replace("NAME", "late")
            .replace("NEXT", "svc-0")
            .replace("OWNER", "0"),
    );
    let late = merge(&["part-1", "part-2"]);
    assert_eq!(late.code, 2);
    assert!(late.stderr.contains("is in no part"), "{}", late.stderr);
    // A shard that found it, merged with one that did not: the shares
    // were cut from different lists.
    let run = portico(
        dir,
        &["build", "repos", "--shard", "1/2", "--out", "part-late"],
    );
    assert!(run.code < 2, "{}", run.stderr);
    std::fs::remove_dir_all(dir.join("repos/late")).unwrap();
    let mixed_lists = merge(&["part-late", "part-2"]);
    assert_eq!(mixed_lists.code, 2, "{}", mixed_lists.stderr);
    assert!(
        mixed_lists.stderr.contains("build every shard again"),
        "{}",
        mixed_lists.stderr
    );
    // portico.toml changed under the shards.
    org.file("portico.toml", "[site]\ntitle = \"Other\"\n");
    let config = merge(&["part-1", "part-2"]);
    assert_eq!(config.code, 2);
    assert!(
        config
            .stderr
            .contains("not the one the shards were built with"),
        "{}",
        config.stderr
    );
    assert_site_unchanged(dir, &site_before);

    let bad_shard = portico(dir, &["build", "repos", "--shard", "3/2", "--out", "p"]);
    assert_eq!(bad_shard.code, 2);
    assert!(
        bad_shard.stderr.contains("counted from 1 to 2"),
        "{}",
        bad_shard.stderr
    );
}

/// Repositories that moved on between the shards' builds and the merge (a
/// work tree committed to, a mirror fetched again) are refused by name,
/// before the site is touched: the parts' pages are of the old commits.
#[test]
fn parts_built_from_other_commits_are_refused() {
    let org = Org::new();
    cross_shard_org(&org);
    let dir = org.path();
    org.file(
        "upstream/extra/catalog-info.yaml",
        &COMPONENT
            .replace("NAME", "extra")
            .replace("NEXT", "svc-0")
            .replace("OWNER", "0"),
    );
    commit_all(&dir.join("upstream/extra"), "main", "extra");
    bare_clone(dir, &dir.join("upstream/extra"), "repos/extra.git");
    let site_before = merged_once(dir);
    let merge = || merge_parts(dir);

    org.file(
        "repos/svc-3/docs/guide.md",
        "# Guide of svc-3\n\nChanged.\n",
    );
    commit_all(&dir.join("repos/svc-3"), "main", "guide changed");
    let moved = merge();
    assert_eq!(moved.code, 2, "{}", moved.stderr);
    assert!(
        moved
            .stderr
            .contains("repository `repos/svc-3` was at commit ")
            && moved.stderr.contains("build every shard again"),
        "{}",
        moved.stderr
    );
    assert!(files_under(&dir.join("site")) == site_before);
    two_parts(dir);
    assert_eq!(merge().code, 1, "parts of the new commit merge");

    org.file("upstream/extra/README.md", "More.\n");
    commit_all(&dir.join("upstream/extra"), "main", "more");
    git(
        &dir.join("repos/extra.git"),
        &["fetch", "-q", "origin", "+refs/heads/*:refs/heads/*"],
    );
    let fetched = merge();
    assert_eq!(fetched.code, 2, "{}", fetched.stderr);
    assert!(
        fetched.stderr.contains("repository `repos/extra"),
        "{}",
        fetched.stderr
    );
}

/// A part's search documents (`fragments.bin`) are merged as the shard
/// recorded them: a part without them, or with another part's, is refused
/// before the site is touched.
#[test]
fn parts_with_missing_or_foreign_search_documents_are_refused() {
    let org = Org::new();
    cross_shard_org(&org);
    let dir = org.path();
    let site_before = merged_once(dir);
    let merge = || merge_parts(dir);
    let fragments = dir.join("part-2/fragments.bin");
    let kept = dir.join("kept-fragments.bin");
    std::fs::rename(&fragments, &kept).unwrap();
    let missing = merge();
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing
            .stderr
            .contains("cannot read `part-2/fragments.bin`"),
        "{}",
        missing.stderr
    );
    std::fs::copy(dir.join("part-1/fragments.bin"), &fragments).unwrap();
    let foreign = merge();
    assert_eq!(foreign.code, 2, "{}", foreign.stderr);
    assert!(
        foreign
            .stderr
            .contains("part-2/fragments.bin` fails its checksum")
            && foreign.stderr.contains("build the shard again"),
        "{}",
        foreign.stderr
    );
    assert_site_unchanged(dir, &site_before);
    std::fs::remove_file(&fragments).unwrap();
    std::fs::rename(&kept, &fragments).unwrap();
    assert_eq!(merge().code, 1, "the part restored merges again");
}

/// A theme file changed between the shards (or before the merge) would
/// give a site of two looks: merge refuses it, status 2, naming the part.
#[test]
fn a_theme_changed_under_the_shards_is_refused() {
    let org = Org::new();
    cross_shard_org(&org);
    let dir = org.path();
    let base = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/base.html"),
    )
    .unwrap();
    org.file("portico.toml", "[site]\ntheme = \"theme\"\n");
    org.file(
        "theme/templates/base.html",
        &base.replace("</body>", "<footer>LOOK-A</footer></body>"),
    );
    let shard = |s: &str, out: &str| {
        let run = portico(dir, &["build", "repos", "--shard", s, "--out", out]);
        assert!(run.code < 2, "{}", run.stderr);
    };
    shard("1/2", "part-1");
    org.file(
        "theme/templates/base.html",
        &base.replace("</body>", "<footer>LOOK-B</footer></body>"),
    );
    shard("2/2", "part-2");
    let merged = portico(dir, &["merge", "part-1", "part-2", "--out", "site"]);
    assert_eq!(merged.code, 2, "{}", merged.stderr);
    assert!(
        merged
            .stderr
            .contains("the theme or logo is not the one `part-1` was built with"),
        "{}",
        merged.stderr
    );
    assert!(!dir.join("site").exists(), "no site of two looks");
    shard("1/2", "part-1");
    let merged = portico(dir, &["merge", "part-1", "part-2", "--out", "site"]);
    assert_eq!(merged.code, 1, "{}", merged.stderr);
}

/// A part's data file damaged in place (bytes flipped: before the
/// checksums, tantivy panicked on such a segment, and postcard would
/// decode other flips into wrong scores), and a huge part file (sparse,
/// 200 GiB) that aborted the merge asking for the memory: both are
/// refusals naming the part, status 2, the last site left alone.
#[test]
fn damaged_or_huge_part_files_are_refused() {
    let org = Org::new();
    cross_shard_org(&org);
    let dir = org.path();
    let site_before = merged_once(dir);
    let merge = || merge_parts(dir);
    let target = &dir.join("part-1/fragments.bin");
    let original = std::fs::read(target).unwrap();
    let mut flipped = original.clone();
    let middle = flipped.len() / 3;
    for b in &mut flipped[middle..middle + 6] {
        *b ^= 0xff;
    }
    // A new file in its place: the part's other links stay whole.
    std::fs::remove_file(target).unwrap();
    std::fs::write(target, &flipped).unwrap();
    let damaged = merge();
    assert_eq!(damaged.code, 2, "{}", damaged.stderr);
    assert!(
        damaged.stderr.contains("part-1/fragments.bin")
            && damaged.stderr.contains("fails its checksum")
            && !damaged.stderr.contains("panicked"),
        "{}",
        damaged.stderr
    );
    std::fs::remove_file(target).unwrap();
    std::fs::write(target, &original).unwrap();

    let docs = dir.join("part-2/docs.bin");
    let kept = std::fs::read(&docs).unwrap();
    std::fs::remove_file(&docs).unwrap();
    std::fs::File::create(&docs)
        .unwrap()
        .set_len(200 << 30)
        .unwrap();
    let huge = merge();
    assert_eq!(huge.code, 2, "{}", huge.stderr);
    assert!(
        huge.stderr.contains("docs.bin") && huge.stderr.contains("past the 16 GiB"),
        "{}",
        huge.stderr
    );
    assert_site_unchanged(dir, &site_before);
    std::fs::remove_file(&docs).unwrap();
    std::fs::write(&docs, kept).unwrap();

    // A page cut short (an artifact copied in part): refused by name
    // before anything is swapped in.
    let page_path = files_under(&dir.join("part-1/site"))
        .into_keys()
        .find(|path| path.ends_with(".html"))
        .expect("a page in part-1");
    let page = dir.join("part-1/site").join(&page_path);
    let whole = std::fs::read(&page).unwrap();
    std::fs::remove_file(&page).unwrap();
    std::fs::write(&page, &whole[..whole.len() / 2]).unwrap();
    let cut = merge();
    assert_eq!(cut.code, 2, "{}", cut.stderr);
    assert!(
        cut.stderr.contains(&page_path)
            && cut
                .stderr
                .contains("cut short or changed after it was written")
            && !cut.stderr.contains("panicked"),
        "{}",
        cut.stderr
    );
    assert_site_unchanged(dir, &site_before);
    std::fs::remove_file(&page).unwrap();
    std::fs::write(&page, &whole).unwrap();
    assert_eq!(merge().code, 1, "the part restored merges again");
}

/// That a refused merge left the site in `dir/site` as `before` was.
fn assert_site_unchanged(dir: &Path, before: &BTreeMap<String, Vec<u8>>) {
    assert!(
        files_under(&dir.join("site")) == *before,
        "a refused merge leaves the site alone"
    );
}

/// How many of a site's files share their bytes with another folder's
/// (hard links).
fn linked_files(dir: &Path) -> usize {
    use std::os::unix::fs::MetadataExt;
    files_under(dir)
        .keys()
        .filter(|path| {
            std::fs::symlink_metadata(dir.join(path)).is_ok_and(|m| m.is_file() && m.nlink() > 1)
        })
        .count()
}

/// The merged site links the parts' pages rather than copying them: no
/// rebuild, change or deletion of a part reaches the merged site, and no
/// later build of the site reaches the parts.
#[test]
fn a_merged_site_and_its_parts_change_independently() {
    let org = Org::new();
    cross_shard_org(&org);
    let dir = org.path();
    two_parts(dir);
    let merge = || portico(dir, &["merge", "part-1", "part-2", "--out", "site"]);
    assert_eq!(merge().code, 1, "the duplicates are errors");
    assert!(
        linked_files(&dir.join("site")) > 20,
        "the docs pages are linked from the parts"
    );
    let merged = files_under(&dir.join("site"));

    // Every page changed and every part rebuilt over the linked files.
    for i in 0..12 {
        org.file(
            &format!("repos/svc-{i}/docs/guide.md"),
            &format!("# Guide of svc-{i}, rewritten\n\n## Setup\n\nOther steps.\n"),
        );
    }
    let parts_before = [
        files_under(&dir.join("part-1")),
        files_under(&dir.join("part-2")),
    ];
    two_parts(dir);
    let parts_after = [
        files_under(&dir.join("part-1")),
        files_under(&dir.join("part-2")),
    ];
    assert_ne!(parts_before, parts_after, "the parts were rebuilt");
    assert!(
        files_under(&dir.join("site")) == merged,
        "rebuilding the parts leaves the merged site as it was"
    );

    // Builds into the merged site, the second with the cache carrying
    // unchanged files over from the first, leave the parts alone.
    assert_eq!(merge().code, 1);
    for round in 0..2 {
        org.file(
            "repos/svc-0/docs/index.md",
            &format!("# Service 0\n\nRound {round}.\n"),
        );
        let build = portico(dir, &["build", "repos", "--out", "site"]);
        assert_eq!(build.code, 1, "{}", build.stderr);
    }
    assert!(
        [
            files_under(&dir.join("part-1")),
            files_under(&dir.join("part-2"))
        ] == parts_after,
        "building the site leaves the parts as they were"
    );

    // Parts deleted after a merge: the site stands.
    assert_eq!(merge().code, 1);
    let merged = files_under(&dir.join("site"));
    std::fs::remove_dir_all(dir.join("part-1")).unwrap();
    std::fs::remove_dir_all(dir.join("part-2")).unwrap();
    assert!(files_under(&dir.join("site")) == merged);
}
