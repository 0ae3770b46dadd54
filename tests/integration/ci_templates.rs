//! The CI templates in `ci/`: `ci/local.sh` runs their steps (mirror, the
//! shards' builds, merge) on one machine and checks the merged site equals
//! a one-machine build; each template runs the same Portico commands.

use crate::support::{Org, commit_all, crate_dir};
use std::process::Command;

#[test]
fn the_local_run_of_the_ci_steps_merges_the_one_machine_site() {
    let org = Org::new();
    let mut urls = String::new();
    for (name, owner) in [
        ("alpha", "team"),
        ("beta", "team"),
        ("gamma", "ops"),
        ("team", ""),
    ] {
        let dir = org.path().join("sources").join(name);
        let entity = if owner.is_empty() {
            format!(
                "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {name}\nspec:\n  type: team\n  children: []\n"
            )
        } else {
            format!(
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n  dependsOn: [component:alpha]\n"
            )
        };
        org.file(&format!("sources/{name}/catalog-info.yaml"), &entity)
            .file(
                &format!("sources/{name}/mkdocs.yml"),
                &format!("site_name: {name}\n"),
            )
            .file(
                &format!("sources/{name}/docs/index.md"),
                &format!("# {name}\n\nSee [alpha](/docs/default/component/alpha/index.md).\n"),
            );
        commit_all(&dir, "main", name);
        urls.push_str(&format!("file://{}\n", dir.display()));
    }
    org.file("repos.txt", &urls);
    let output = Command::new("sh")
        .arg(crate_dir().join("ci/local.sh"))
        .args(["repos.txt", "3", "work"])
        .current_dir(org.path())
        .env("PORTICO", env!("CARGO_BIN_EXE_portico"))
        .env("NO_COLOR", "1")
        .env("XDG_CACHE_HOME", crate::support::test_cache_home())
        .output()
        .expect("sh runs");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("equals the one-machine build"), "{stdout}");
    let work = org.path().join("work");
    for i in 1..=3 {
        assert!(work.join(format!("part-{i}/part.json")).is_file());
    }
    assert!(
        work.join("site/docs/default/component/beta/index.html")
            .is_file()
    );
}

/// The Portico command lines of a file (continuation lines joined).
fn commands(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(crate_dir().join(path)).unwrap();
    let joined = text.replace("\\\n", " ");
    joined
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| {
            let at = l.find("portico ").or_else(|| l.find("\"$portico\" "))?;
            let command = &l[at..];
            ["mirror", "build", "merge"]
                .iter()
                .any(|c| command.split_whitespace().nth(1) == Some(c))
                .then(|| command.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .collect()
}

#[test]
fn every_template_runs_the_local_script_s_commands() {
    let local = commands("ci/local.sh");
    let shape = |commands: &[String], sub: &str, words: &[&str]| {
        commands.iter().any(|c| {
            c.split_whitespace().nth(1) == Some(sub) && words.iter().all(|w| c.contains(w))
        })
    };
    for file in [
        "ci/local.sh",
        "ci/github/portico-pages.yml",
        "ci/gitlab/portico-pages.gitlab-ci.yml",
    ] {
        let found = commands(file);
        assert!(
            shape(&found, "mirror", &["--into mirrors"]),
            "{file}: {found:?}"
        );
        assert!(
            shape(
                &found,
                "build",
                &["mirrors", "--shard", "--out", "part-", "--cache"]
            ),
            "{file}: {found:?}"
        );
        assert!(
            shape(&found, "merge", &["part-*", "--out"]),
            "{file}: {found:?}"
        );
    }
    assert!(!local.is_empty());
}
