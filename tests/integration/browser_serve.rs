//! `portico serve` in Chromium: an open page reloads itself after an edit,
//! where it was scrolled to, and a mistake shows over the page.

use crate::browser::{browser, open, poll, start_driver};
use crate::serve::{Server, event_number, page_since};
use crate::support::Org;
use fantoccini::Locator;
use std::time::{Duration, Instant};

const COMPONENT: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: long\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n";

#[tokio::test(flavor = "multi_thread")]
async fn an_open_page_reloads_after_an_edit_and_keeps_its_place() {
    let Some(driver) = start_driver() else { return };
    let org = Org::new();
    let paragraphs: String = (0..200)
        .map(|i| format!("Paragraph {i} of a long page.\n\n"))
        .collect();
    org.file("repos/long/catalog-info.yaml", COMPONENT)
        .file("repos/long/mkdocs.yml", "site_name: Long\n")
        .file(
            "repos/long/docs/index.md",
            &format!("# Long\n\n{paragraphs}"),
        );
    let server = Server::start(org.path(), &["repos", "--no-search"]);
    let c = browser(&driver).await;
    let page = format!("http://{}/docs/default/component/long/", server.address);
    open(&c, &page).await;
    c.execute("window.scrollTo(0, 1500); window.__before = true;", vec![])
        .await
        .unwrap();
    // Saved at once: the page's event stream may not be open yet (it is
    // told what changed since the page when it opens). First caught
    // half-written (a page too short to scroll to where the reader was),
    // then whole: the reader is back where they were.
    org.file("repos/long/docs/index.md", "# Long\n\nHalf-written.\n");
    wait_for_reload(&c, &server, "__before", "Half-written").await;
    c.execute("window.__short = true;", vec![]).await.unwrap();
    org.file(
        "repos/long/docs/index.md",
        &format!("# Long\n\n{paragraphs}Reloaded text.\n"),
    );
    let y = wait_for_reload(&c, &server, "__short", "Reloaded text").await;
    assert!((y - 1500.0).abs() < 50.0, "the page kept its place: {y}");
    // The reader's own reload is the browser's to restore, as on any page
    // (the live reload's way of restoring is not left behind).
    c.execute("window.scrollTo(0, 1200); window.__mine = true;", vec![])
        .await
        .unwrap();
    c.refresh().await.unwrap();
    let y = wait_for_reload(&c, &server, "__mine", "Reloaded text").await;
    assert!(
        (y - 1200.0).abs() < 50.0,
        "the browser restored the place: {y}"
    );

    // A mistake: its place and hint show over the page, and go with the fix.
    org.file(
        "repos/long/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: [Component\n",
    );
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Id("portico-problems"))
        .await
        .expect("the error shows over the page");
    // The overlay is drawn again on every problems event: found afresh
    // until it shows the mistake (on a loaded machine a found element can
    // be replaced before its text is read).
    let started = Instant::now();
    let text = loop {
        let text = match c.find(Locator::Id("portico-problems")).await {
            Ok(overlay) => overlay.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text.contains("repos/long/catalog-info.yaml") && text.contains("yaml-syntax") {
            break text;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the overlay does not show the mistake: {text}\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(text.contains("help:"), "{text}");
    org.file("repos/long/catalog-info.yaml", COMPONENT);
    let started = Instant::now();
    while c.find(Locator::Id("portico-problems")).await.is_ok() {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the overlay stayed: {}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    c.close().await.unwrap();
}

/// Waits until the page has reloaded (the window's `marker` is gone) and
/// shows `text`, loaded (a page being parsed shows its text before its
/// scripts have run): its scroll position then.
async fn wait_for_reload(c: &fantoccini::Client, server: &Server, marker: &str, text: &str) -> f64 {
    let script = format!(
        "return [window.{marker} === true, document.readyState === 'complete' && document.body.innerText.indexOf({text:?}) >= 0, window.scrollY];"
    );
    let state = poll(
        c,
        &script,
        Duration::from_secs(15),
        |state| state[0] == false && state[1] == true,
        |state| {
            format!(
                "the page did not reload to show {text:?}: {state}\n{}",
                server.log()
            )
        },
    )
    .await;
    state[2].as_f64().unwrap()
}

/// Eight tabs of the preview open one after another all load, and the
/// first, shown again after an edit made while it was hidden, reloads: a
/// browser opens at most 6 connections to one server and each page's
/// event stream held one for good, so a 7th tab never loaded.
#[tokio::test(flavor = "multi_thread")]
async fn many_tabs_load_and_a_hidden_one_catches_up() {
    let Some(driver) = start_driver() else { return };
    let org = Org::new();
    org.file("repos/long/catalog-info.yaml", COMPONENT)
        .file("repos/long/mkdocs.yml", "site_name: Long\n")
        .file("repos/long/docs/index.md", "# Long\n\nFirst text.\n")
        .file(
            "repos/other/catalog-info.yaml",
            &COMPONENT.replace("name: long", "name: other"),
        );
    let server = Server::start(org.path(), &["repos", "--no-search"]);
    let c = browser(&driver).await;
    let page = format!("http://{}/docs/default/component/long/", server.address);
    open(&c, &page).await;
    let first = c.window().await.unwrap();
    c.execute("window.__first = true;", vec![]).await.unwrap();
    for tab in 1..8 {
        let opened = c.new_window(true).await.unwrap();
        c.switch_to_window(opened.handle).await.unwrap();
        // A page that cannot get a connection never ends loading.
        let loaded = tokio::time::timeout(Duration::from_secs(20), c.goto(&page)).await;
        assert!(
            matches!(loaded, Ok(Ok(()))),
            "tab {} did not load: {loaded:?}",
            tab + 1
        );
        let title = c
            .find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(title, "Long", "tab {}", tab + 1);
    }
    // Edited while the first tab is hidden behind the others.
    org.file("repos/long/docs/index.md", "# Long\n\nSecond text.\n");
    server.wait_for("/docs/default/component/long/", "the edit", |b| {
        b.contains("Second text")
    });
    c.switch_to_window(first).await.unwrap();
    // The first tab catches up.
    wait_for_reload(&c, &server, "__first", "Second text").await;

    // Another entity's description changes catalog.json and its own
    // pages, not this one: no reload (any file but a page reloaded every
    // open page).
    c.execute("window.__caught_up = true;", vec![])
        .await
        .unwrap();
    org.file(
        "repos/other/catalog-info.yaml",
        &COMPONENT.replace("name: long", "name: other").replace(
            "metadata:\n",
            "metadata:\n  description: Edited elsewhere\n",
        ),
    );
    server.wait_for("/catalog.json", "the other entity's edit", |b| {
        b.contains("Edited elsewhere")
    });
    // The page is told of the edit (the id of the site that has it, or a
    // later one's) and stays.
    let (_, _, now) = server.get("/docs/default/component/long/");
    let edited = page_since(&now);
    let number = |id: &str| event_number(id).map(|(_, n)| n);
    let state = poll(
        &c,
        "return [window.__caught_up === true, document.documentElement.getAttribute('data-portico-seen') || ''];",
        Duration::from_secs(15),
        |state| {
            state[0] != true || number(state[1].as_str().unwrap_or_default()) >= number(&edited)
        },
        |state| {
            format!(
                "the page was not told of the edit ({edited}): {state}\n{}",
                server.log()
            )
        },
    )
    .await;
    assert_eq!(
        state[0], true,
        "the page reloaded for another entity's edit"
    );
}
