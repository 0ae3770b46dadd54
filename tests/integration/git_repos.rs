//! Real git repositories made in a temporary folder: work trees, bare
//! clones read straight from git objects, HEAD on a non-default branch,
//! a Location tree, a dirty work tree, `--ref`, symlinks.

use crate::support::{Org, bare_clone, commit_all, entities, find, git};

/// An org with two work trees committed on `dev`, and bare clones of both.
fn org_with_clones() -> Org {
    let org = Org::new();
    org.copy_example("shipment-tracker", "work/shipment-tracker");
    org.copy_example("org-directory", "work/org-directory");
    for repo in ["shipment-tracker", "org-directory"] {
        let dir = org.path().join("work").join(repo);
        commit_all(&dir, "dev", "import");
        git(
            &dir,
            &[
                "remote",
                "add",
                "origin",
                &format!("git@github.com:acme/{repo}.git"),
            ],
        );
        bare_clone(org.path(), &dir, &format!("bare/{repo}.git"));
        let bare = org.path().join(format!("bare/{repo}.git"));
        git(
            &bare,
            &[
                "remote",
                "set-url",
                "origin",
                &format!("https://github.com/acme/{repo}.git"),
            ],
        );
    }
    org
}

#[test]
fn bare_clones_are_read_from_git_objects_on_their_head_branch() {
    let org = org_with_clones();
    // The bare clones have no files on disk to read: only objects.
    assert!(
        !org.path()
            .join("bare/shipment-tracker.git/catalog-info.yaml")
            .exists()
    );
    let run = org.run(&["build", "bare", "--out", "site"]);
    assert!(run.code <= 1, "{}", run.stderr);
    assert!(run.stderr.contains("from 2 repositories"), "{}", run.stderr);
    let all = entities(&org.path().join("site"));
    // The Location tree in org-directory is followed inside git objects too.
    find(&all, "group:default/shipping-team");
    find(&all, "system:default/shipping");
    let tracker = find(&all, "component:default/shipment-tracker");
    let annotations = &tracker["metadata"]["annotations"];
    // Registered by its blob URL; read (and viewed) at the tree URL GitHub's
    // resolveUrl makes of it, as Backstage writes them.
    assert_eq!(
        annotations["backstage.io/managed-by-origin-location"],
        "url:https://github.com/acme/shipment-tracker/blob/dev/catalog-info.yaml"
    );
    assert_eq!(
        annotations["backstage.io/managed-by-location"],
        "url:https://github.com/acme/shipment-tracker/tree/dev/catalog-info.yaml"
    );
    assert_eq!(
        annotations["backstage.io/view-url"],
        "https://github.com/acme/shipment-tracker/tree/dev/catalog-info.yaml"
    );
    assert_eq!(
        annotations["backstage.io/source-location"],
        "url:https://github.com/acme/shipment-tracker/tree/dev/"
    );
    assert_eq!(
        annotations["backstage.io/edit-url"],
        "https://github.com/acme/shipment-tracker/edit/dev/catalog-info.yaml"
    );
    let api = find(&all, "api:default/shipment-tracking-api");
    assert!(
        api["spec"]["definition"]
            .as_str()
            .unwrap()
            .starts_with("openapi:"),
        "$text read from the git tree"
    );
}

#[test]
fn work_trees_show_uncommitted_edits_and_bare_clones_do_not() {
    let org = org_with_clones();
    let file = org.path().join("work/shipment-tracker/catalog-info.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replacen("  description:", "  description: EDITED", 1),
    )
    .unwrap();

    org.run(&["build", "work", "--out", "work-site"]);
    let tracker = find(
        &entities(&org.path().join("work-site")),
        "component:default/shipment-tracker",
    )
    .clone();
    assert!(
        tracker["metadata"]["description"]
            .as_str()
            .unwrap()
            .starts_with("EDITED")
    );
    assert_eq!(
        tracker["metadata"]["annotations"]["backstage.io/managed-by-location"],
        "url:https://github.com/acme/shipment-tracker/tree/dev/catalog-info.yaml"
    );

    org.run(&["build", "bare", "--out", "bare-site"]);
    let tracker = find(
        &entities(&org.path().join("bare-site")),
        "component:default/shipment-tracker",
    )
    .clone();
    assert!(
        !tracker["metadata"]["description"]
            .as_str()
            .unwrap()
            .contains("EDITED")
    );
}

#[test]
fn ref_selects_another_commit_of_bare_clones() {
    let org = Org::new();
    org.file("src/svc/catalog-info.yaml", &component("svc", "first"));
    let src = org.path().join("src/svc");
    commit_all(&src, "main", "first");
    git(&src, &["checkout", "-q", "-b", "dev"]);
    org.file("src/svc/catalog-info.yaml", &component("svc", "second"));
    commit_all(&src, "dev", "second");
    bare_clone(org.path(), &src, "bare/svc.git");

    let description = |args: &[&str]| {
        let run = org.run(args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let run = org.run(&[args, &["--format", "json"]].concat());
        assert!(
            run.codes()
                .iter()
                .all(|(severity, _, _)| severity != "error"),
            "{:?}",
            run.codes()
        );
        let out = org.run(&[&["build"], &args[1..], &["--out", "site"]].concat());
        assert_eq!(out.code, 0, "{}", out.stderr);
        find(&entities(&org.path().join("site")), "component:default/svc")["metadata"]["description"].clone()
    };
    assert_eq!(description(&["check", "bare"]), "second", "HEAD is dev");
    assert_eq!(description(&["check", "bare", "--ref", "main"]), "first");

    let run = org.run(&["check", "bare", "--ref", "no-such-branch"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("error[repo-unreadable]") && run.stderr.contains("no-such-branch"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_empty_bare_repository_is_reported_and_the_rest_still_builds() {
    let org = Org::new();
    git(org.path(), &["init", "-q", "--bare", "repos/empty.git"]);
    org.file("repos/svc/catalog-info.yaml", &component("svc", "ok"));
    let run = org.run(&["build", "repos", "--out", "site"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("error[repo-unreadable]"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("repos/empty.git"), "{}", run.stderr);
    find(&entities(&org.path().join("site")), "component:default/svc");
}

#[test]
fn symlinks_out_of_a_repository_are_refused_in_git_and_on_disk() {
    let org = Org::new();
    org.file("secret.yaml", &component("stolen", "outside the repo"));
    org.file("repos/linked/README.md", "x");
    let linked = org.path().join("repos/linked");
    std::os::unix::fs::symlink("../../secret.yaml", linked.join("catalog-info.yaml")).unwrap();
    commit_all(&linked, "main", "link");
    bare_clone(org.path(), &linked, "bare/linked.git");
    org.file("repos/inside/real.yaml", &component("inside", "ok"));
    let inside = org.path().join("repos/inside");
    std::os::unix::fs::symlink("real.yaml", inside.join("catalog-info.yaml")).unwrap();
    commit_all(&inside, "main", "link inside");
    bare_clone(org.path(), &inside, "bare/inside.git");

    for root in ["repos", "bare"] {
        let run = org.run(&["check", root, "--format", "json"]);
        let errors: Vec<serde_json::Value> = run
            .diagnostics()
            .into_iter()
            .filter(|d| d["severity"] == "error")
            .collect();
        assert_eq!(errors.len(), 1, "{root}: {errors:?}");
        assert_eq!(errors[0]["code"], "file-unreadable");
        assert_eq!(errors[0]["repo"], "linked");
        let message = errors[0]["message"].as_str().unwrap();
        assert!(
            message.contains("points outside the repository"),
            "{message}"
        );
        let out = org.run(&["build", root, "--out", &format!("site-{root}")]);
        let all = entities(&org.path().join(format!("site-{root}")));
        find(&all, "component:default/inside");
        assert!(
            all.iter().all(|e| e["metadata"]["name"] != "stolen"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn web_url_location_targets_resolve_to_local_clones() {
    let org = Org::new();
    org.file(
        "repos/central/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: all\nspec:\n  type: url\n  targets:\n    - https://github.com/acme/svc/blob/main/catalog-info.yaml\n    - https://github.com/acme/elsewhere/blob/main/catalog-info.yaml\n    - https://github.com/acme/svc/blob/main/./docs/../catalog-info.yaml\n    - https://github.com/acme/svc/blob/main/../../etc/passwd\n",
    );
    // svc's own catalog file is only reachable through the central Location.
    org.file("repos/svc/.keep", "");
    org.file("repos/svc/catalog-info.yaml", &component("svc", "ok"));
    let svc = org.path().join("repos/svc");
    commit_all(&svc, "main", "svc");
    git(
        &svc,
        &["remote", "add", "origin", "git@github.com:acme/svc.git"],
    );
    commit_all(&org.path().join("repos/central"), "main", "central");
    git(
        &org.path().join("repos/central"),
        &["remote", "add", "origin", "https://github.com/acme/central"],
    );

    let run = org.run(&[
        "build",
        "repos",
        "--catalog-path",
        "none.yaml",
        "--location",
        "repos/central/catalog-info.yaml",
        "--out",
        "site",
    ]);
    let all = entities(&org.path().join("site"));
    let svc = find(&all, "component:default/svc");
    assert_eq!(
        svc["metadata"]["annotations"]["backstage.io/managed-by-origin-location"],
        "url:https://github.com/acme/central/blob/main/catalog-info.yaml"
    );
    assert!(
        run.stderr.contains("warning[remote-target-not-local]"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("acme/elsewhere"), "{}", run.stderr);
    // Another spelling of the same file is the same file, read once; a
    // path out of the repository is a problem at the Location.
    assert!(!run.stderr.contains("duplicate"), "{}", run.stderr);
    assert!(
        run.stderr.contains("error[location-target-outside]")
            && run.stderr.contains("blob/main/../../etc/passwd"),
        "{}",
        run.stderr
    );
}

pub fn component(name: &str, description: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  description: {description}\nspec:\n  type: service\n  lifecycle: production\n  owner: user:someone\n"
    )
}

/// Git data that leads outside the ROOT searched (a `gitdir:` file, object
/// `alternates`) is never followed: a work tree is read as a plain folder,
/// a bare clone not at all, each with a warning. Git data inside the ROOT
/// (a `.git` link to a sibling's git folder) is read as usual.
#[test]
fn git_data_outside_the_root_is_not_followed() {
    let org = Org::new();
    // A repository outside the ROOT, holding what must not be read.
    org.file(
        "outside/secret/catalog-info.yaml",
        &component("stolen", "secret"),
    );
    let secret = org.path().join("outside/secret");
    commit_all(&secret, "main", "secret");
    let secret_git = secret.join(".git").canonicalize().unwrap();
    // A folder whose `.git` file names it.
    org.file(
        "org/plain/catalog-info.yaml",
        &component("plainfolder", "ok"),
    );
    org.file(
        "org/plain/.git",
        &format!("gitdir: {}\n", secret_git.display()),
    );
    // A bare clone whose objects borrow the secret's.
    let alt = org.path().join("org/alt.git");
    std::fs::create_dir_all(&alt).unwrap();
    git(&alt, &["init", "-q", "--bare"]);
    org.file(
        "org/alt.git/objects/info/alternates",
        &format!("{}\n", secret_git.join("objects").display()),
    );
    let head = git(&secret, &["rev-parse", "HEAD"]);
    git(&alt, &["update-ref", "refs/heads/main", head.trim()]);
    git(&alt, &["symbolic-ref", "HEAD", "refs/heads/main"]);
    // A work tree whose `.git` links to git data inside the ROOT.
    org.file("org/inner/catalog-info.yaml", &component("inner", "ok"));
    let inner = org.path().join("org/inner");
    commit_all(&inner, "main", "inner");
    std::fs::rename(inner.join(".git"), org.path().join("org/inner.gitdata")).unwrap();
    std::os::unix::fs::symlink("../inner.gitdata", inner.join(".git")).unwrap();

    let run = org.run(&["check", "org", "--format", "json"]);
    let outside: Vec<String> = run
        .diagnostics()
        .into_iter()
        .filter(|d| d["code"] == "git-outside-root")
        .map(|d| d["path"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(outside, ["org/alt.git", "org/plain"], "{}", run.stdout);
    let built = org.run(&["build", "org", "--out", "site"]);
    let all = entities(&org.path().join("site"));
    assert!(
        all.iter().all(|e| e["metadata"]["name"] != "stolen"),
        "{}",
        built.stderr
    );
    let plain = find(&all, "component:default/plainfolder");
    assert!(
        plain["metadata"]["annotations"]
            .get("backstage.io/source-location")
            .is_none_or(|s| !s.as_str().unwrap_or("").contains("secret")),
        "{plain}"
    );
    find(&all, "component:default/inner");
}
