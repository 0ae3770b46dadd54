//! The portal's scripts in headless Chromium from `file://`: list filters
//! kept in the address, starred entities in `localStorage`, and the docs
//! reader's addons (text size, the folding navigation, the lightbox, report
//! an issue).

use crate::browser::{browser, open, start_driver};
use crate::support::example_site;
use fantoccini::{Client, Locator};
use serde_json::Value;

fn site_url(page: &str) -> String {
    let (site, _) = example_site();
    format!("file://{}/{page}", site.canonicalize().unwrap().display())
}

async fn run(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

/// Opens `url` until `script` returns `expected` there (at most 10 s).
/// Chromium hands a page's `localStorage` writes to other pages a moment
/// later (it batches them); a test that writes and at once opens another
/// page may see the old value. A user never clicks that fast.
async fn goto_until(c: &Client, url: &str, script: &str, expected: Value) -> Value {
    let started = std::time::Instant::now();
    loop {
        open(c, url).await;
        let got = run(c, script).await;
        if got == expected || started.elapsed() > std::time::Duration::from_secs(10) {
            return got;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

const VISIBLE_ROWS: &str = "return Array.from(document.querySelectorAll('table.entities tbody tr')).filter(r => !r.hidden).length;";

async fn visible_rows(c: &Client) -> u64 {
    run(c, VISIBLE_ROWS).await.as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn list_filters_come_from_and_go_to_the_address() {
    let Some(driver) = start_driver() else { return };
    let c = browser(&driver).await;
    open(
        &c,
        &format!("{}?kind=api&text=kafka", site_url("index.html")),
    )
    .await;
    assert_eq!(visible_rows(&c).await, 1, "APIs mentioning kafka");
    assert_eq!(
        run(
            &c,
            "return document.querySelector('select[data-facet=kind]').value;"
        )
        .await,
        "api"
    );
    assert_eq!(
        run(
            &c,
            "return document.querySelector('input[data-filter=text]').value;"
        )
        .await,
        "kafka"
    );
    // A change is written back into the address, other filters kept.
    let text = c
        .find(Locator::Css("input[data-filter=text]"))
        .await
        .unwrap();
    text.clear().await.unwrap();
    let owner = c
        .find(Locator::Css("select[data-facet=owner]"))
        .await
        .unwrap();
    owner.select_by_value("shipping-team").await.unwrap();
    let search = run(&c, "return window.location.search;").await;
    let search = search.as_str().unwrap();
    assert!(search.contains("kind=api"), "{search}");
    assert!(search.contains("owner=shipping-team"), "{search}");
    assert!(!search.contains("text="), "{search}");
    assert_eq!(visible_rows(&c).await, 2, "shipping-team's APIs");
    // Reopening the address gives the same view.
    let again = run(&c, "return window.location.href;").await;
    open(&c, again.as_str().unwrap()).await;
    assert_eq!(visible_rows(&c).await, 2);
    // A tag with a space (Backstage rejects it; the portal still lists it)
    // filters as one tag, not two words.
    open(&c, &format!("{}?tag=PDF%20Reports", site_url("index.html"))).await;
    assert_eq!(
        run(
            &c,
            "return Array.from(document.querySelectorAll('table.entities tbody tr')).filter(r => !r.hidden).map(r => r.getAttribute('data-ref')).join();"
        )
        .await,
        "component:default/invoice-renderer"
    );
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn starred_entities_are_kept_in_local_storage_from_file_urls() {
    let Some(driver) = start_driver() else { return };
    let c = browser(&driver).await;
    open(&c, &site_url("kinds/api/index.html")).await;
    run(
        &c,
        "window.localStorage.removeItem('portico.starred'); return 0;",
    )
    .await;
    open(&c, &site_url("kinds/api/index.html")).await;
    let all = visible_rows(&c).await;
    assert!(all > 1);
    // Star the first row.
    let star = c
        .find(Locator::Css("table.entities tbody tr button.star"))
        .await
        .unwrap();
    assert_eq!(
        star.attr("aria-pressed").await.unwrap().as_deref(),
        Some("false")
    );
    star.click().await.unwrap();
    assert_eq!(
        star.attr("aria-pressed").await.unwrap().as_deref(),
        Some("true")
    );
    let first_ref = run(
        &c,
        "return document.querySelector('table.entities tbody tr').getAttribute('data-ref');",
    )
    .await;
    let stored = run(&c, "return window.localStorage.getItem('portico.starred');").await;
    assert_eq!(
        serde_json::from_str::<Vec<String>>(stored.as_str().unwrap()).unwrap(),
        [first_ref.as_str().unwrap()]
    );
    // Another page of the site sees the star: the starred switch keeps it
    // alone, from the address too.
    let starred = format!("{}?starred=1", site_url("index.html"));
    assert_eq!(
        goto_until(&c, &starred, VISIBLE_ROWS, Value::from(1)).await,
        1
    );
    let shown = run(
        &c,
        "return Array.from(document.querySelectorAll('table.entities tbody tr')).find(r => !r.hidden).getAttribute('data-ref');",
    )
    .await;
    assert_eq!(shown, first_ref);
    // The entity's page shows it starred; unstarring there empties the list.
    let href = run(
        &c,
        "return Array.from(document.querySelectorAll('table.entities tbody tr')).find(r => !r.hidden).querySelector('td a:not(.has-problems)').href;",
    )
    .await;
    goto_until(
        &c,
        href.as_str().unwrap(),
        "return document.querySelector('.entity-head button.star').getAttribute('aria-pressed');",
        Value::from("true"),
    )
    .await;
    let page_star = c
        .find(Locator::Css(".entity-head button.star"))
        .await
        .unwrap();
    assert_eq!(
        page_star.attr("aria-pressed").await.unwrap().as_deref(),
        Some("true")
    );
    page_star.click().await.unwrap();
    assert_eq!(
        goto_until(&c, &starred, VISIBLE_ROWS, Value::from(0)).await,
        0
    );
    c.close().await.unwrap();
}

const DOCS_PAGE: &str = "docs/default/component/shipment-tracker/architecture/index.html";

#[tokio::test(flavor = "multi_thread")]
async fn the_docs_reader_addons_work_from_file_urls() {
    let Some(driver) = start_driver() else { return };
    let c = browser(&driver).await;
    open(&c, &site_url(DOCS_PAGE)).await;
    run(
        &c,
        "window.localStorage.removeItem('portico.textSize'); window.localStorage.removeItem('portico.navHidden'); return 0;",
    )
    .await;
    open(&c, &site_url(DOCS_PAGE)).await;
    // Text size: larger twice, kept across pages.
    let larger = c
        .find(Locator::Css(".text-size button[title='Larger text']"))
        .await
        .unwrap();
    larger.click().await.unwrap();
    larger.click().await.unwrap();
    let size = "return document.querySelector('main article').style.fontSize;";
    assert_eq!(run(&c, size).await, "120%");
    let other_page = site_url("docs/default/component/shipment-tracker/index.html");
    assert_eq!(
        goto_until(&c, &other_page, size, Value::from("120%")).await,
        "120%"
    );
    assert_eq!(
        run(
            &c,
            "return document.querySelector('.text-size output').textContent;"
        )
        .await,
        "120%"
    );
    // The navigation folds away, and stays folded.
    let toggle = c.find(Locator::Css("button.nav-toggle")).await.unwrap();
    toggle.click().await.unwrap();
    let nav_shown =
        "return getComputedStyle(document.querySelector('.docs-nav')).display !== 'none';";
    assert_eq!(run(&c, nav_shown).await, false);
    assert_eq!(
        goto_until(&c, &site_url(DOCS_PAGE), nav_shown, Value::from(false)).await,
        false
    );
    c.find(Locator::Css("button.nav-toggle"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(run(&c, nav_shown).await, true);
    // LightBox: the architecture image opens over the page; Escape closes it.
    let img = c.find(Locator::Css("main article img")).await.unwrap();
    img.click().await.unwrap();
    let boxed = "return document.querySelectorAll('.lightbox img').length;";
    assert_eq!(run(&c, boxed).await, 1);
    c.find(Locator::Css(".lightbox-close"))
        .await
        .unwrap()
        .send_keys("\u{e00c}")
        .await
        .unwrap();
    assert_eq!(run(&c, boxed).await, 0);
    // ReportIssue: selected text offers a new GitHub issue quoting it.
    let href = run(
        &c,
        "const p = Array.from(document.querySelectorAll('main article p')).find(p => p.textContent.trim().length > 20);
         const range = document.createRange(); range.selectNodeContents(p);
         const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
         return new Promise(done => setTimeout(() => {
           const a = document.querySelector('a.report-issue');
           done(a && !a.hidden ? a.href : null);
         }, 200));",
    )
    .await;
    let href = href.as_str().expect("the report link shows");
    assert!(
        href.starts_with(
            "https://github.com/acme-logistics/shipment-tracker/issues/new?title=Documentation%20feedback%3A%20"
        ),
        "{href}"
    );
    assert!(
        href.contains(
            "github.com%2Facme-logistics%2Fshipment-tracker%2Fblob%2Fmain%2Fdocs%2Farchitecture.md"
        ),
        "{href}"
    );
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn large_sites_fold_their_navigation_sections_but_the_current_one() {
    let Some(driver) = start_driver() else { return };
    let org = crate::support::Org::new();
    org.file(
        "big/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: big\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec: {type: service, lifecycle: production, owner: team}\n",
    )
    .file("big/mkdocs.yml", "site_name: Big\n")
    .file("big/docs/index.md", "# Big\n");
    for section in ["alpha", "beta"] {
        for n in 0..20 {
            org.file(
                &format!("big/docs/{section}/p{n:02}.md"),
                &format!("# {section} {n}\n"),
            );
        }
    }
    let built = org.run(&["build", ".", "--out", "site"]);
    assert!(built.code <= 1, "{}", built.stderr);
    let site = org.path().join("site").canonicalize().unwrap();
    let c = browser(&driver).await;
    open(
        &c,
        &format!(
            "file://{}/docs/default/component/big/beta/p03/index.html",
            site.display()
        ),
    )
    .await;
    // The folds are made by the page's script: wait for them (a loaded
    // machine may answer before it ran).
    c.wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(Locator::Css("button.nav-section"))
        .await
        .expect("the navigation's sections fold");
    let hidden = "return Array.from(document.querySelectorAll('.docs-nav li')).filter(li => li.hidden).map(li => li.textContent.trim());";
    let folded = run(&c, hidden).await;
    let folded: Vec<String> = serde_json::from_value(folded).unwrap();
    assert_eq!(folded.len(), 20, "alpha's pages: {folded:?}");
    assert!(folded.iter().all(|t| t.starts_with("alpha")), "{folded:?}");
    let buttons = c
        .find_all(Locator::Css("button.nav-section"))
        .await
        .unwrap();
    assert_eq!(buttons.len(), 2);
    assert_eq!(
        buttons[1].attr("aria-expanded").await.unwrap().as_deref(),
        Some("true"),
        "the current page's section is open"
    );
    buttons[0].click().await.unwrap();
    let folded: Vec<String> = serde_json::from_value(run(&c, hidden).await).unwrap();
    assert!(folded.is_empty(), "{folded:?}");
    c.close().await.unwrap();
}
