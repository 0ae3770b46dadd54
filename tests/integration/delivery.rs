//! Delivery metrics and the git rules that read tags and authors, on
//! repositories made here with dated commits, several authors, and
//! lightweight and annotated tags.

use crate::support::{Org, portico_with_env};
use std::path::Path;
use std::process::Command;

/// 2024-03-01T12:00:00Z: the build's day.
const TODAY: &str = "1709294400";

/// Runs git in `dir` as `who` (`name <who@example.com>`) on `date` (noon UTC).
fn git_as(dir: &Path, who: &str, date: &str, args: &[&str]) {
    git_by(dir, who, Some(date), args);
}

/// Runs git in `dir` as `who`, on `date` (noon UTC) or, without one, now.
fn git_by(dir: &Path, who: &str, date: Option<&str>, args: &[&str]) {
    let email = format!("{who}@example.com");
    let mut command = Command::new("git");
    command
        .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", who)
        .env("GIT_AUTHOR_EMAIL", &email)
        .env("GIT_COMMITTER_NAME", who)
        .env("GIT_COMMITTER_EMAIL", &email);
    if let Some(date) = date {
        let when = format!("{date}T12:00:00+00:00");
        command
            .env("GIT_AUTHOR_DATE", &when)
            .env("GIT_COMMITTER_DATE", &when);
    }
    let output = command.output().expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A commit by `who` on `date` changing `file`.
fn commit(dir: &Path, who: &str, date: &str, file: &str) {
    std::fs::create_dir_all(dir).unwrap();
    if !dir.join(".git").exists() {
        git_as(dir, who, date, &["init", "-q", "-b", "main"]);
    }
    std::fs::write(dir.join(file), format!("{who} {date}\n")).unwrap();
    git_as(dir, who, date, &["add", "-A"]);
    git_as(dir, who, date, &["commit", "-q", "-m", date]);
}

fn component(name: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n"
    )
}

const CARD: &str = "\
name: delivery
title: Delivery
filter: { kind: [Component] }
levels: [released, shared]
rules:
  - id: released
    level: released
    check: { git: { released_within_days: 10 } }
  - id: authors
    level: shared
    check: { git: { distinct_authors: 3, within_days: 60 } }
";

/// `repos/svc`: v0.9.0 long ago; v1.0.0 (annotated, tagged 2024-02-10)
/// releasing bob's 02-01 and ada's 02-05 commits; v1.1.0 (lightweight, on
/// ada's 02-25 commit) releasing cy's 02-20 commit too; tags that are not
/// releases; and v2.0.0 after the build's day. `repos/lib`: one release.
/// `repos/plain`: no git. lib's tag is packed (`packed-refs`), svc's loose.
fn org() -> Org {
    let org = Org::new();
    let svc = org.path().join("repos/svc");
    std::fs::create_dir_all(&svc).unwrap();
    std::fs::write(svc.join("catalog-info.yaml"), component("svc")).unwrap();
    commit(&svc, "ada", "2023-10-02", "a.txt");
    git_as(&svc, "ada", "2023-10-02", &["tag", "v0.9.0"]);
    commit(&svc, "bob", "2024-02-01", "b.txt");
    commit(&svc, "ada", "2024-02-05", "a.txt");
    git_as(
        &svc,
        "ada",
        "2024-02-10",
        &["tag", "-a", "v1.0.0", "-m", "1.0"],
    );
    commit(&svc, "cy", "2024-02-20", "c.txt");
    git_as(&svc, "cy", "2024-02-20", &["tag", "nightly-2024-02-20"]);
    git_as(&svc, "cy", "2024-02-20", &["tag", "v1.1.0-rc1"]);
    commit(&svc, "ada", "2024-02-25", "a.txt");
    git_as(&svc, "ada", "2024-02-25", &["tag", "v1.1.0"]);
    commit(&svc, "ada", "2024-03-05", "a.txt");
    git_as(&svc, "ada", "2024-03-05", &["tag", "v2.0.0"]);
    let lib = org.path().join("repos/lib");
    std::fs::create_dir_all(&lib).unwrap();
    std::fs::write(lib.join("catalog-info.yaml"), component("lib")).unwrap();
    commit(&lib, "dan", "2024-01-10", "d.txt");
    git_as(&lib, "dan", "2024-01-10", &["tag", "3.0"]);
    // Packed, as clones and `git gc` leave tags: found all the same.
    git_as(&lib, "dan", "2024-01-10", &["pack-refs", "--all"]);
    assert!(!lib.join(".git/refs/tags/3.0").exists());
    org.file("repos/plain/catalog-info.yaml", &component("plain"))
        .file(
            "repos/org/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team\nspec:\n  type: team\n  children: []\n",
        )
        .file("config/cards/delivery.yaml", CARD)
        .file(
            "config/facts.json",
            r#"{"component:default/svc": {"deployment_frequency": {"value": 3.5, "at": "2024-02-28"}},
                "component:default/lib": {"deployment_frequency": {"value": 1, "at": "2024-02-28"}}}"#,
        )
        .file(
            "config/portico.toml",
            "roots = [\"../repos\"]\n[scorecards]\npaths = [\"cards/*.yaml\"]\nfacts = \"facts.json\"\n",
        );
    org
}

fn build(org: &Org, extra: &[&str]) -> serde_json::Value {
    let out = org.path().join("site");
    let mut args = vec![
        "build",
        "--config",
        "config/portico.toml",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let run = portico_with_env(org.path(), &args, &[("SOURCE_DATE_EPOCH", TODAY)]);
    assert!(run.code <= 1, "{}", run.stderr);
    let text = std::fs::read_to_string(out.join("scorecards.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn component_figures<'a>(json: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    json["delivery"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["entity"] == format!("component:default/{name}"))
        .unwrap_or_else(|| panic!("{name} in {json:#}"))
}

fn rule<'a>(json: &'a serde_json::Value, entity: &str, id: &str) -> &'a serde_json::Value {
    let e = json["scorecards"][0]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity"] == format!("component:default/{entity}"))
        .unwrap();
    e["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == id)
        .unwrap()
}

#[test]
fn release_frequency_and_lead_time_come_from_tags_and_commits() {
    let org = org();
    let json = build(&org, &[]);
    let d = &json["delivery"];
    assert_eq!(d["window_days"], 90);
    assert_eq!(d["until"], "2024-03-01");
    assert!(
        d["definitions"]["lead_time"]
            .as_str()
            .unwrap()
            .contains("committer date")
    );
    let svc = &component_figures(&json, "svc")["git"];
    assert_eq!(svc["source"], "git");
    // v1.0.0 and v1.1.0: v0.9.0 is older than 90 days, v2.0.0 is after the
    // day, and nightly/rc tags do not match the release pattern.
    assert_eq!(svc["releases"], 2, "{svc:#}");
    assert_eq!(svc["releases_per_week"], 0.16);
    assert_eq!(svc["last_release"]["tag"], "v1.1.0");
    assert_eq!(svc["last_release"]["date"], "2024-02-25");
    // bob 9 days and ada 5 days to v1.0.0's tagger date; cy 5 days and
    // ada 0 days to v1.1.0's commit date.
    assert_eq!(svc["commits_released"], 4);
    assert_eq!(svc["lead_time_median_days"], 5.0);
    assert_eq!(svc["lead_time_p90_days"], 9.0);
    // A plain folder has no git figures, and nothing is invented for it.
    let plain = component_figures(&json, "plain");
    assert!(plain.get("git").is_none(), "{plain:#}");
    assert!(plain.get("reported").is_none(), "{plain:#}");
    // The facts file's figure, marked as reported, with its date.
    let reported = &component_figures(&json, "svc")["reported"]["deployment_frequency"];
    assert_eq!(reported["source"], "facts");
    assert_eq!(reported["value"], 3.5);
    assert_eq!(reported["at"], "2024-02-28");
    assert!(
        component_figures(&json, "svc")["reported"]
            .get("change_failure_rate")
            .is_none()
    );
    // The owner pools svc and lib (two git repositories, three Components).
    let team = d["owners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["owner"] == "group:default/team")
        .unwrap();
    assert_eq!(team["components"], 3);
    assert_eq!(team["repositories"], 2);
    assert_eq!(team["git"]["releases"], 3);
    assert_eq!(team["git"]["commits_released"], 5);
    assert_eq!(
        team["reported"]["deployment_frequency"]["components_reporting"],
        2
    );
    // The pages: the Component's card and the owner's, marked "from git".
    let site = org.path().join("site");
    let page =
        std::fs::read_to_string(site.join("catalog/default/component/svc/index.html")).unwrap();
    assert!(page.contains("2 releases (0.16 per week)"), "{page}");
    assert!(page.contains("from git (this repository)"));
    assert!(page.contains("<code>change_failure_rate</code></td><td>not reported"));
    let plain_page =
        std::fs::read_to_string(site.join("catalog/default/component/plain/index.html")).unwrap();
    assert!(plain_page.contains("Not a git repository"));
    let group =
        std::fs::read_to_string(site.join("catalog/default/group/team/index.html")).unwrap();
    assert!(group.contains("Delivery of what team owns"));
    assert!(group.contains("3 releases"));
    let rollup = std::fs::read_to_string(
        site.join("scorecards/delivery/owners/default/group/team/index.html"),
    )
    .unwrap();
    assert!(rollup.contains("from git (these repositories)"), "{rollup}");
}

#[test]
fn release_and_author_rules_pass_fail_and_skip_plain_folders() {
    let org = org();
    let json = build(&org, &[]);
    assert_eq!(rule(&json, "svc", "released")["status"], "pass");
    assert_eq!(
        rule(&json, "svc", "released")["evidence"]["value"],
        "v1.1.0"
    );
    // lib's only release is 51 days old.
    assert_eq!(rule(&json, "lib", "released")["status"], "fail");
    assert_eq!(rule(&json, "plain", "released")["status"], "not-applicable");
    // bob, cy and ada in the 60 days up to the day (v2.0.0's commit is later).
    assert_eq!(rule(&json, "svc", "authors")["status"], "pass");
    assert_eq!(rule(&json, "svc", "authors")["evidence"]["value"], "3");
    assert_eq!(rule(&json, "lib", "authors")["status"], "fail");
}

#[test]
fn history_judges_tags_and_authors_as_of_each_week() {
    let org = org();
    let json = build(&org, &["--history", "4w"]);
    let e = json["scorecards"][0]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity"] == "component:default/svc")
        .unwrap();
    let levels: Vec<(String, String)> = e["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["date"].as_str().unwrap().to_string(),
                p["level"].as_str().unwrap_or("none").to_string(),
            )
        })
        .collect();
    let expected = [
        // Last release v0.9.0 (October).
        ("2024-02-09", "none"),
        // v1.0.0 six days old; only ada and bob in 60 days.
        ("2024-02-16", "released"),
        // v1.0.0 thirteen days old; v1.1.0 not yet made.
        ("2024-02-23", "none"),
        ("2024-03-01", "shared"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(d, l)| (d.to_string(), l.to_string()))
        .collect();
    assert_eq!(levels, expected);
}

/// Git as an author at work now (no dates set: the commit and a
/// lightweight tag on it fall inside today's window).
fn git_now(dir: &Path, args: &[&str]) {
    git_by(dir, "ada", None, args);
}

/// `portico serve` keeps each repository's tags and authors between
/// builds (`scorecards::kept_activity`): a release tag pushed while it
/// serves reaches the Component's Delivery card, and a catalog edit in
/// another repository keeps it.
#[test]
fn a_tag_made_while_serving_reaches_the_delivery_card() {
    let org = Org::new();
    let svc = org.path().join("repos/svc");
    std::fs::create_dir_all(&svc).unwrap();
    std::fs::write(svc.join("catalog-info.yaml"), component("svc")).unwrap();
    git_now(&svc, &["init", "-q", "-b", "main"]);
    git_now(&svc, &["add", "-A"]);
    git_now(&svc, &["commit", "-q", "-m", "first"]);
    org.file(
        "repos/org/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team\n  description: before\nspec:\n  type: team\n  children: []\n",
    );
    let server = crate::serve::Server::start(org.path(), &["repos"]);
    let page = "/catalog/default/component/svc/";
    let card = |body: &str| -> String {
        let start = body.find("<div class=\"scorecard delivery\">").unwrap_or(0);
        body[start..].chars().take(2_000).collect()
    };
    let before = server.wait_for(page, "the Delivery card", |b| b.contains("Delivery"));
    assert!(!card(&before).contains("v1.0.0"), "{}", card(&before));
    git_now(&svc, &["tag", "v1.0.0"]);
    let tagged = server.wait_for(page, "the new release", |b| card(b).contains("v1.0.0"));
    // An edit elsewhere: the kept activity still shows the release.
    org.file(
        "repos/org/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team\n  description: after\nspec:\n  type: team\n  children: []\n",
    );
    server.wait_for("/catalog/default/group/team/", "the edit", |b| {
        b.contains("after")
    });
    let (_, _, after) = server.get(page);
    assert_eq!(card(&after), card(&tagged));
}
