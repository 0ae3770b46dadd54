//! Scorecard pages in headless Chromium: an organisation of git
//! repositories with dated commits and release tags, built with
//! `--history`, crawled from `file://` and over HTTP under a sub-path. The
//! scorecard, rollup (owner, System, Domain) and entity pages with their
//! trends and Delivery cards must all be reachable from the home page,
//! and every link on them must resolve.

use crate::browser::{browser, open, serve_under_sub_path, start_driver};
use crate::browser_site::{crawl, file_path, html_pages, http_status};
use crate::support::{Org, git_at};
use fantoccini::{Client, Locator};
use std::path::Path;
use std::process::Command;

/// 2026-01-10: the build's day.
const TODAY: &str = "1768003200";

/// Writes `files` into `dir`, commits them on `date`, and tags the commit.
fn commit_on(dir: &Path, date: &str, files: &[(&str, &str)], tag: Option<&str>) {
    crate::support::commit_on(dir, date, files);
    if let Some(tag) = tag {
        git_at(dir, &format!("{date}T12:00:00+00:00"), &["tag", tag]);
    }
}

fn component(name: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  description: The {name} service.\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  system: shop\n"
    )
}

const ORG: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: shop
spec:
  owner: team-a
  domain: commerce
---
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata:
  name: commerce
spec:
  owner: team-a
";

/// Two services whose levels move over four weeks, with releases.
fn scorecard_org() -> (Org, std::path::PathBuf) {
    let org = Org::new();
    let repos = org.path().join("repos");
    commit_on(
        &repos.join("org"),
        "2025-12-10",
        &[("catalog-info.yaml", ORG)],
        None,
    );
    let a = repos.join("svc-a");
    commit_on(
        &a,
        "2025-12-15",
        &[("catalog-info.yaml", &component("svc-a"))],
        Some("v1.0.0"),
    );
    commit_on(&a, "2025-12-22", &[("README.md", "# svc-a\n")], None);
    commit_on(
        &a,
        "2026-01-05",
        &[("CODEOWNERS", "* @team-a\n")],
        Some("v1.1.0"),
    );
    let b = repos.join("svc-b");
    commit_on(
        &b,
        "2025-12-20",
        &[("catalog-info.yaml", &component("svc-b"))],
        None,
    );
    commit_on(
        &b,
        "2026-01-08",
        &[("README.md", "# svc-b\n")],
        Some("2.0.0"),
    );
    let site = org.path().join("site");
    let output = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args([
            "build",
            "repos",
            "--history",
            "4w",
            "--out",
            site.to_str().unwrap(),
        ])
        .current_dir(org.path())
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", TODAY)
        .output()
        .unwrap();
    assert!(
        output.status.code().unwrap_or(2) <= 1,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (org, site)
}

/// The scorecard pages a crawl must have reached, relative to the site.
const SCORECARD_PAGES: &[&str] = &[
    "scorecards/index.html",
    "scorecards/default/index.html",
    "scorecards/default/owners/default/group/team-a/index.html",
    "scorecards/default/parts/default/system/shop/index.html",
    "scorecards/default/parts/default/domain/commerce/index.html",
];

/// The trend and Delivery cards as the browser drew them.
async fn drawn(c: &Client, url: &str) -> (usize, usize) {
    open(c, url).await;
    let trends = c
        .find_all(Locator::Css("figure.trend svg[role=img] title"))
        .await
        .unwrap()
        .len();
    let delivery = c
        .find_all(Locator::Css(
            "div.scorecard.delivery:has(table.delivery-figures)",
        ))
        .await
        .unwrap()
        .len();
    (trends, delivery)
}

#[tokio::test(flavor = "multi_thread")]
async fn scorecard_rollup_and_delivery_pages_are_crawled_and_resolve() {
    let Some(driver) = start_driver() else { return };
    let (_org, site) = scorecard_org();
    let site = site.canonicalize().unwrap();
    for page in SCORECARD_PAGES {
        assert!(site.join(page).is_file(), "{page} was written");
    }
    let c = browser(&driver).await;

    let root = format!("file://{}/", site.display());
    let (pages, broken) = crawl(
        &c,
        &format!("{root}index.html"),
        |url| url.starts_with(&root),
        |url| Path::new(&file_path(url)).is_file(),
    )
    .await;
    assert!(
        broken.is_empty(),
        "broken from file://:\n{}",
        broken.join("\n")
    );
    assert_eq!(
        pages.len(),
        html_pages(&site),
        "every page is reachable from the home page"
    );
    for page in SCORECARD_PAGES {
        assert!(
            pages.contains(&format!("{root}{page}")),
            "{page} reached from the home page"
        );
    }
    // History drew trends: on the entity's card, the scorecard and each
    // rollup; the Delivery card on the Component and its owner.
    let entity = format!("{root}catalog/default/component/svc-a/index.html");
    let (trends, delivery) = drawn(&c, &entity).await;
    assert!(
        trends >= 1 && delivery == 1,
        "svc-a: {trends} trends, {delivery} delivery cards"
    );
    let owner = format!("{root}catalog/default/group/team-a/index.html");
    assert_eq!(drawn(&c, &owner).await.1, 1, "the owner's Delivery card");
    for page in &SCORECARD_PAGES[1..] {
        let (trends, _) = drawn(&c, &format!("{root}{page}")).await;
        assert!(trends >= 1, "{page} draws the trend");
    }
    let rollup = format!("{root}{}", SCORECARD_PAGES[2]);
    assert_eq!(
        drawn(&c, &rollup).await.1,
        1,
        "the owner rollup's Delivery card"
    );

    // Over HTTP under a sub-path, the same pages and no broken link.
    let port = serve_under_sub_path(&site);
    let http_root = format!("http://127.0.0.1:{port}/portal/");
    let (http_pages, broken) = crawl(
        &c,
        &format!("{http_root}index.html"),
        |url| url.starts_with(&format!("http://127.0.0.1:{port}/")),
        |url| http_status(port, url) == "200",
    )
    .await;
    assert!(
        broken.is_empty(),
        "broken over HTTP:\n{}",
        broken.join("\n")
    );
    assert_eq!(http_pages.len(), pages.len());
    for page in SCORECARD_PAGES {
        assert!(
            http_pages.contains(&format!("{http_root}{page}")),
            "{page} over HTTP"
        );
    }
    c.close().await.unwrap();
}
