//! The built site crawled in headless Chromium: every page reachable from
//! the home page opened, every `<a href>` and asset reference resolved by
//! the browser and checked, from `file://` and over HTTP under a sub-path;
//! and hostile catalog text that must execute nothing.

use crate::browser::{browser, open, serve_under_sub_path, start_driver};
use crate::support::{Org, example_site, files_under};
use fantoccini::{Client, Locator};
use std::collections::{BTreeSet, VecDeque};
use std::path::Path;
use std::time::Duration;

/// Every link and asset URL of the open page, as the browser resolved them.
async fn references(c: &Client) -> Vec<String> {
    let found = c
        .execute(
            "return Array.from(document.querySelectorAll('a[href], link[href], script[src], img[src], iframe[src]'))
               .map(e => e.href || e.src)
               .filter(u => typeof u === 'string');",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

/// example-org's one deliberate broken docs link (its README lists it;
/// `portico build` reports it as `broken-link`): kept as written, as
/// MkDocs does. Everything else must resolve.
fn only_the_deliberate_broken_link(broken: &[String]) {
    let deliberate = "docs/default/component/billing-exporter/runbook/index.html";
    assert!(
        broken.len() == 1 && broken[0].ends_with(deliberate),
        "broken:\n{}",
        broken.join("\n")
    );
}

/// Splits `url#anchor`.
fn without_fragment(url: &str) -> (&str, Option<&str>) {
    match url.split_once('#') {
        Some((page, anchor)) => (page, Some(anchor)),
        None => (url, None),
    }
}

/// Crawls from `start`; `exists` says whether a URL of the site resolves.
/// Returns the pages visited and every broken reference (page → target).
pub async fn crawl(
    c: &Client,
    start: &str,
    inside: impl Fn(&str) -> bool,
    exists: impl Fn(&str) -> bool,
) -> (BTreeSet<String>, Vec<String>) {
    let mut queue = VecDeque::from([start.to_string()]);
    let mut seen = BTreeSet::from([start.to_string()]);
    let mut checked = BTreeSet::new();
    let mut broken = Vec::new();
    let mut pages = BTreeSet::new();
    while let Some(page) = queue.pop_front() {
        open(c, &page).await;
        pages.insert(page.clone());
        for url in references(c).await {
            let (target, anchor) = without_fragment(&url);
            if !inside(target) {
                continue;
            }
            if checked.insert(target.to_string()) && !exists(target) {
                broken.push(format!("{page} → {url}"));
                continue;
            }
            if target.ends_with(".html") && seen.insert(target.to_string()) {
                queue.push_back(target.to_string());
            }
            // An anchor must name an element of the page it points to.
            if let Some(anchor) = anchor.filter(|a| !a.is_empty())
                && target.ends_with(".html")
                && target == without_fragment(&page).0
            {
                let found = c
                    .execute(
                        "return !!document.getElementById(decodeURIComponent(arguments[0]));",
                        vec![serde_json::json!(anchor)],
                    )
                    .await
                    .unwrap();
                if found != serde_json::json!(true) {
                    broken.push(format!("{page} → #{anchor} (no such id)"));
                }
            }
        }
    }
    (pages, broken)
}

pub fn file_path(url: &str) -> String {
    let path = url.strip_prefix("file://").unwrap_or(url);
    portico::docs::markdown::percent_decode(path)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_link_resolves_in_chromium_from_file_urls() {
    let Some(driver) = start_driver() else { return };
    let (site, _) = example_site();
    let site = site.canonicalize().unwrap();
    let root = format!("file://{}/", site.display());
    let c = browser(&driver).await;
    let (pages, broken) = crawl(
        &c,
        &format!("{root}index.html"),
        |url| url.starts_with(&root),
        |url| Path::new(&file_path(url)).is_file(),
    )
    .await;
    println!("crawled {} pages from file://", pages.len());
    assert_eq!(
        pages.len(),
        html_pages(&site),
        "every page is reachable from the home page"
    );
    only_the_deliberate_broken_link(&broken);
    c.close().await.unwrap();
}

pub fn html_pages(site: &Path) -> usize {
    files_under(site)
        .keys()
        // 404.html is served by hosts for missing addresses, not linked.
        .filter(|p| p.ends_with(".html") && *p != "404.html")
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_link_resolves_over_http_under_a_sub_path() {
    let Some(driver) = start_driver() else { return };
    let (site, _) = example_site();
    let port = serve_under_sub_path(site);
    let root = format!("http://127.0.0.1:{port}/portal/");
    let c = browser(&driver).await;
    let (pages, broken) = crawl(
        &c,
        &format!("{root}index.html"),
        |url| url.starts_with(&format!("http://127.0.0.1:{port}/")),
        |url| http_status(port, url) == "200",
    )
    .await;
    println!("crawled {} pages over HTTP under /portal/", pages.len());
    assert_eq!(
        pages.len(),
        html_pages(site),
        "every page is reachable from the home page"
    );
    only_the_deliberate_broken_link(&broken);
    c.close().await.unwrap();
}

/// The status code the test server gives `url` (`200`, `404`...).
pub fn http_status(port: u16, url: &str) -> String {
    let rest = url
        .strip_prefix(&format!("http://127.0.0.1:{port}"))
        .unwrap_or("/");
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    use std::io::{Read, Write};
    write!(stream, "GET {rest} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut head = [0u8; 12];
    let _ = stream.read_exact(&mut head);
    String::from_utf8_lossy(&head[9..12]).into_owned()
}

/// Catalog text an attacker controls: a repository anyone can open a pull
/// request against ends up in every engineer's browser.
fn hostile_org() -> Org {
    let org = Org::new();
    org.file(
        "repos/evil/catalog-info.yaml",
        r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: evil
  title: "Evil <img src=x onerror=window.__pwned=1> zebra"
  description: "<script>window.__pwned=1</script> zebra constructor __proto__ toString \" onmouseover=\"window.__pwned=1"
  annotations:
    example.com/note: "<svg onload=window.__pwned=1>"
    backstage.io/techdocs-ref: dir:.
  links:
    - url: "javascript:window.__pwned=1"
      title: "\" onmouseover=\"window.__pwned=1"
    - url: "https://example.com/ok"
      title: "<b onmouseover=window.__pwned=1>hover</b>"
spec:
  type: "service\"><script>window.__pwned=1</script>"
  lifecycle: production
  owner: "team-a"
  system: evil-system
  providesApis: [evil-api]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: evil-api
  title: "<img src=x onerror=window.__pwned=1> API"
spec:
  type: asyncapi
  lifecycle: production
  owner: team-a
  system: evil-system
  definition: |
    asyncapi: 2.6.0
    info:
      title: "<script>window.__pwned=1</script>"
      version: "1"
      description: "[x](javascript:window.__pwned=1) <img src=x onerror=window.__pwned=1>"
    channels: {}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: evil-system
  title: "<svg onload=window.__pwned=1> system"
  description: "<iframe src=javascript:window.__pwned=1>"
spec:
  owner: team-a
  domain: evil-domain
---
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata:
  name: evil-domain
  description: "<script>window.__pwned=1</script>"
spec:
  owner: team-a
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
  title: "<b onmouseover=window.__pwned=1>Team A</b>"
spec:
  type: team
  profile:
    displayName: "<img src=x onerror=window.__pwned=1>"
    email: "a@example.com?subject=<script>window.__pwned=1</script>"
    picture: "javascript:window.__pwned=1"
  children: []
  members: [evil-user]
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: evil-user
spec:
  profile:
    displayName: "\" onmouseover=\"window.__pwned=1"
    email: "javascript:window.__pwned=1"
    picture: "data:text/html,<script>window.__pwned=1</script>"
  memberOf: [team-a]
"#,
    );
    org.file(
        "repos/evil/mkdocs.yml",
        "site_name: \"<script>window.__pwned=1</script>\"\n",
    );
    org.file(
        "repos/evil/docs/index.md",
        "# Zebra <img src=x onerror=window.__pwned=1>\n\n[click](javascript:window.__pwned=1) zebra\n\n<script>window.__pwned=1</script>\n",
    );
    org
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_catalog_text_executes_nothing_in_chromium() {
    let Some(driver) = start_driver() else { return };
    let org = hostile_org();
    let run = org.run(&["build", "repos", "--out", "site"]);
    assert!(run.code <= 1, "{}", run.stderr);
    let site = org.path().join("site").canonicalize().unwrap();
    let c = browser(&driver).await;
    let pwned = "return window.__pwned === undefined ? 'safe' : 'pwned';";
    for page in [
        "index.html",
        "catalog/default/component/evil/index.html",
        "catalog/default/api/evil-api/index.html",
        "catalog/default/group/team-a/index.html",
        "catalog/default/user/evil-user/index.html",
        "docs/default/component/evil/index.html",
        "problems/index.html",
        "apis/index.html",
        "docs/index.html",
        "org/index.html",
        "kinds/api/index.html",
        "scorecards/index.html",
        "scorecards/default/index.html",
        "scorecards/default/owners/default/group/team-a/index.html",
        "scorecards/default/parts/default/system/evil-system/index.html",
        "scorecards/default/parts/default/domain/evil-domain/index.html",
        "404.html",
    ] {
        // A page that is not there would open Chromium's error page and
        // pass for nothing.
        assert!(site.join(page).is_file(), "{page} is built");
        open(&c, &format!("file://{}/{page}", site.display())).await;
        // Hover and click every link: on* attributes and javascript: URLs
        // would run now.
        for link in c.find_all(Locator::Css("a")).await.unwrap() {
            let href = link.attr("href").await.unwrap().unwrap_or_default();
            assert!(
                !href.trim_start().to_lowercase().starts_with("javascript:"),
                "{page}: a javascript: link survived: {href}"
            );
            let _ = c
                .execute(
                    "arguments[0].dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));",
                    vec![serde_json::to_value(&link).unwrap()],
                )
                .await;
        }
        assert_eq!(c.execute(pwned, vec![]).await.unwrap(), "safe", "{page}");
    }
    // Search results draw titles and text from the index: type a word of
    // the hostile entity and look at the results.
    open(&c, &format!("file://{}/index.html", site.display())).await;
    let input = c.find(Locator::Css("form.search input")).await.unwrap();
    input.send_keys("zebra").await.unwrap();
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(
            "form.search[data-query='zebra'] .search-hits a",
        ))
        .await
        .expect("the hostile entity is found");
    let hits = c
        .find(Locator::Css(".search-hits"))
        .await
        .unwrap()
        .html(true)
        .await
        .unwrap();
    assert!(!hits.contains("<img"), "{hits}");
    assert!(!hits.contains("<script"), "{hits}");
    assert_eq!(
        c.execute(pwned, vec![]).await.unwrap(),
        "safe",
        "search results"
    );
    // Words that are names of JavaScript's object machinery are words too.
    for word in ["constructor", "__proto__", "tostring"] {
        input.clear().await.unwrap();
        input.send_keys(word).await.unwrap();
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(&format!(
                "form.search[data-query='{word}'] .search-hits a"
            )))
            .await
            .unwrap_or_else(|_| panic!("`{word}` finds the entity"));
    }
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_catalog_filters_change_the_visible_rows() {
    let Some(driver) = start_driver() else { return };
    let (site, _) = example_site();
    let c = browser(&driver).await;
    open(
        &c,
        &format!(
            "file://{}/index.html",
            site.canonicalize().unwrap().display()
        ),
    )
    .await;
    let visible = || async {
        let n = c
            .execute(
                "return Array.from(document.querySelectorAll('table.entities tbody tr')).filter(r => !r.hidden).length;",
                vec![],
            )
            .await
            .unwrap();
        n.as_u64().unwrap()
    };
    assert_eq!(visible().await, 48, "every entity before filtering");
    let kind = c
        .find(Locator::Css("select[data-facet=kind]"))
        .await
        .unwrap();
    // The menu counts each kind among the rows.
    let options = kind.html(true).await.unwrap();
    assert!(options.contains(">api (4)<"), "{options}");
    kind.select_by_value("api").await.unwrap();
    assert_eq!(visible().await, 4, "only the APIs");
    let output = c.find(Locator::Css("form.filters output")).await.unwrap();
    assert_eq!(output.text().await.unwrap(), "4 of 48");
    // Facets narrow each other: the owner menu now counts APIs only.
    let owner = c
        .find(Locator::Css("select[data-facet=owner]"))
        .await
        .unwrap();
    assert!(
        owner
            .html(true)
            .await
            .unwrap()
            .contains(">shipping-team (2)<")
    );
    let text = c
        .find(Locator::Css("form.filters input[data-filter=text]"))
        .await
        .unwrap();
    text.send_keys("kafka").await.unwrap();
    assert_eq!(visible().await, 1, "APIs mentioning kafka");
    // Sorting by name, descending then ascending.
    kind.select_by_value("").await.unwrap();
    text.clear().await.unwrap();
    c.execute(
        "document.querySelector('form.filters').dispatchEvent(new Event('input'));",
        vec![],
    )
    .await
    .unwrap();
    let name_header = c.find(Locator::Css("th button.sort")).await.unwrap();
    name_header.click().await.unwrap();
    name_header.click().await.unwrap();
    let first = c
        .execute(
            "return document.querySelector('table.entities tbody tr a').textContent;",
            vec![],
        )
        .await
        .unwrap();
    let last = c
        .execute(
            "const rows = document.querySelectorAll('table.entities tbody tr'); return rows[rows.length - 1].querySelector('a').textContent;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        first.as_str().unwrap().to_lowercase() > last.as_str().unwrap().to_lowercase(),
        "descending: {first} … {last}"
    );
    c.close().await.unwrap();
}
