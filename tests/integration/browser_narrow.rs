//! Phones: every page of example-org's site and of a corpus site opened in
//! headless Chromium at a 390 px wide viewport must not scroll sideways.
//! Wide tables, graphs and code may scroll inside their own box; the page
//! itself may not.

use crate::browser::{Driver, open, start_driver};
use crate::support::{corpus_dir, crate_dir, example_site, files_under, portico};
use fantoccini::Client;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const PHONE_WIDTH: u32 = 390;

/// Chromium emulating a 390 × 844 phone screen (device metrics, so the
/// layout viewport is exactly 390 CSS pixels wide).
async fn phone(driver: &Driver) -> Client {
    screen(driver, PHONE_WIDTH).await
}

/// Chromium with a screen `width` CSS pixels wide.
async fn screen(driver: &Driver, width: u32) -> Client {
    let metrics = serde_json::json!({
        "deviceMetrics": {"width": width, "height": 844, "pixelRatio": 1.0}
    });
    crate::browser::browser_with(driver, Some(metrics)).await
}

/// The page's width against the viewport's, and when it is wider, the
/// elements sticking out the furthest (outside any box that scrolls).
const MEASURE: &str = r#"
const inner = document.documentElement.clientWidth;
const width = document.documentElement.scrollWidth;
const scrolls = (el) => {
  for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    const o = getComputedStyle(a).overflowX;
    if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
  }
  return false;
};
const out = [];
if (width > inner) {
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > inner + 0.5 && r.width > 0 && !scrolls(el)) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
      out.push([Math.round(r.right), name + ' "' + (el.textContent || '').trim().slice(0, 40) + '"']);
    }
  }
  out.sort((a, b) => b[0] - a[0]);
}
return {inner, width, offenders: out.slice(0, 5).map(o => o[0] + 'px ' + o[1])};
"#;

/// Waits until the page is loaded and its stylesheet applied (the theme sets
/// the body's margin to 0): measured any earlier, on a loaded machine, an
/// unstyled page is as wide as its widest graph.
async fn styled(c: &Client, page: &str) {
    for _ in 0..100 {
        let ready = c
            .execute(
                "return document.readyState === 'complete' && getComputedStyle(document.body).marginTop === '0px';",
                vec![],
            )
            .await
            .unwrap();
        if ready == serde_json::json!(true) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{page}: the stylesheet never applied");
}

/// Opens every HTML page of `site` and returns one line per page wider
/// than the viewport. Also checks the viewport really is a phone's.
async fn too_wide_pages(c: &Client, site: &Path, screen_width: u32) -> (usize, Vec<String>) {
    let site = site.canonicalize().unwrap();
    let pages: Vec<String> = files_under(&site)
        .into_keys()
        // 404.html links its stylesheet from the host's root (`/assets/`),
        // which a file:// page cannot reach; hosts serve it, not links.
        .filter(|p| p.ends_with(".html") && *p != "404.html")
        .collect();
    let mut wide = Vec::new();
    // The measure itself: a page made wider on purpose must be caught.
    open(c, &format!("file://{}/index.html", site.display())).await;
    let probe = c
        .execute(
            &format!(
                "const d = document.createElement('div'); d.style.width = '900px'; d.textContent = 'wide'; \
                 document.querySelector('main').appendChild(d); {MEASURE}"
            ),
            vec![],
        )
        .await
        .unwrap();
    assert!(
        probe["width"].as_u64() > Some(u64::from(screen_width))
            && probe["offenders"].to_string().contains("div"),
        "a 900 px element is not caught: {probe}"
    );
    for page in &pages {
        open(c, &format!("file://{}/{page}", site.display())).await;
        styled(c, page).await;
        let m = c.execute(MEASURE, vec![]).await.unwrap();
        assert_eq!(
            m["inner"], screen_width,
            "the viewport is the screen's: {m}"
        );
        if m["width"].as_u64() > m["inner"].as_u64() {
            wide.push(format!(
                "{page}: {} px wide; {}",
                m["width"],
                m["offenders"]
                    .as_array()
                    .map(|o| o
                        .iter()
                        .map(|v| v.as_str().unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join(" | "))
                    .unwrap_or_default()
            ));
        }
    }
    (pages.len(), wide)
}

/// Every folder of `../shared/corpus` read at once, with Backstage's two
/// example Location trees: long names, wide API definitions, images, tabs.
fn whole_corpus_site() -> &'static PathBuf {
    static SITE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &SITE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let site = dir.path().join("site");
            let corpus = corpus_dir();
            let all = corpus.join("backstage-examples/all.yaml");
            let acme = corpus.join("backstage-examples/acme-corp.yaml");
            let run = portico(
                &crate_dir(),
                &[
                    "build",
                    corpus.to_str().unwrap(),
                    "--location",
                    all.to_str().unwrap(),
                    "--location",
                    acme.to_str().unwrap(),
                    "--out",
                    site.to_str().unwrap(),
                ],
            );
            assert!(run.code <= 1, "{}", run.stderr);
            (dir, site)
        })
        .1
}

#[tokio::test(flavor = "multi_thread")]
async fn no_page_of_example_org_scrolls_sideways_on_a_phone() {
    let Some(driver) = start_driver() else { return };
    let (site, _) = example_site();
    let c = phone(&driver).await;
    let (pages, wide) = too_wide_pages(&c, site, PHONE_WIDTH).await;
    c.close().await.unwrap();
    println!("{pages} pages at {PHONE_WIDTH} px");
    assert!(pages > 60, "only {pages} pages");
    assert!(
        wide.is_empty(),
        "pages wider than the phone:\n{}",
        wide.join("\n")
    );
}

/// A tablet or a narrow desktop window: wider than the phone layout (720
/// px), too narrow for a catalog list's columns, which once pushed the
/// home page to 942 px at 800.
#[tokio::test(flavor = "multi_thread")]
async fn no_page_of_example_org_scrolls_sideways_in_a_narrow_window() {
    let Some(driver) = start_driver() else { return };
    let (site, _) = example_site();
    let c = screen(&driver, 800).await;
    let (pages, wide) = too_wide_pages(&c, site, 800).await;
    // The search panel too, open with its facets (it starts at the search
    // box, far from the window's left edge here).
    let home = site.canonicalize().unwrap().join("index.html");
    search_panel_fits(&c, &format!("file://{}?q=shipment", home.display())).await;
    c.close().await.unwrap();
    println!("{pages} pages at 800 px");
    assert!(pages > 60, "only {pages} pages");
    assert!(
        wide.is_empty(),
        "pages wider than the window:\n{}",
        wide.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_page_of_the_corpus_site_scrolls_sideways_on_a_phone() {
    let Some(driver) = start_driver() else { return };
    let site = whole_corpus_site();
    let c = phone(&driver).await;
    let (pages, wide) = too_wide_pages(&c, site, PHONE_WIDTH).await;
    c.close().await.unwrap();
    println!("{pages} pages at {PHONE_WIDTH} px");
    assert!(pages > 50, "only {pages} pages");
    assert!(
        wide.is_empty(),
        "pages wider than the phone:\n{}",
        wide.join("\n")
    );
}

/// The catalog list on a phone: the menus fold behind one "Filters" button
/// so the table starts on the first screen (the filters once filled it),
/// and open at once when the address chose one; the "starred" switch is a
/// small box beside its word (it was once a box stretched across half the
/// screen, its word pushed to the far edge); and the search panel, facets
/// open, no wider than the screen.
#[tokio::test(flavor = "multi_thread")]
async fn the_list_filters_and_search_results_fit_a_phone() {
    let Some(driver) = start_driver() else { return };
    let (site, _) = example_site();
    let site = site.canonicalize().unwrap();
    let c = phone(&driver).await;
    open(&c, &format!("file://{}/index.html", site.display())).await;
    styled(&c, "index.html").await;
    let layout = "const box = document.querySelector('form.filters input[data-filter=starred]').getBoundingClientRect();
         const word = document.querySelector('form.filters label.starred-only span').getBoundingClientRect();
         const more = document.querySelector('form.filters button.filters-more');
         return {width: box.width, gap: word.left - box.right,
                 middles: Math.abs((box.top + box.bottom) / 2 - (word.top + word.bottom) / 2),
                 right: Math.max(box.right, word.right), inner: document.documentElement.clientWidth,
                 first_row: document.querySelector('table.entities tbody tr').getBoundingClientRect().top,
                 screen: window.innerHeight,
                 menus: document.querySelectorAll('form.filters select').length,
                 menus_shown: Array.from(document.querySelectorAll('form.filters select')).filter(s => s.offsetParent).length,
                 expanded: more.getAttribute('aria-expanded'), more: more.textContent};";
    let folded = c.execute(layout, vec![]).await.unwrap();
    let number = |m: &serde_json::Value, k: &str| m[k].as_f64().unwrap();
    assert!(
        number(&folded, "width") <= 32.0,
        "the box stays small: {folded}"
    );
    assert!(
        (0.0..=16.0).contains(&number(&folded, "gap")) && number(&folded, "middles") < 6.0,
        "its word is right beside it: {folded}"
    );
    assert!(
        number(&folded, "right") <= number(&folded, "inner"),
        "{folded}"
    );
    assert!(
        number(&folded, "menus") >= 5.0 && number(&folded, "menus_shown") == 0.0,
        "the menus are folded: {folded}"
    );
    assert!(
        number(&folded, "first_row") < number(&folded, "screen"),
        "the list starts on the first screen: {folded}"
    );
    assert_eq!(folded["expanded"], "false", "{folded}");
    c.find(fantoccini::Locator::Css("form.filters button.filters-more"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let unfolded = c.execute(layout, vec![]).await.unwrap();
    assert!(
        unfolded["menus_shown"] == unfolded["menus"] && unfolded["expanded"] == "true",
        "the button unfolds the menus: {unfolded}"
    );
    // A filtered address opens with its menus unfolded, the count on the button.
    open(
        &c,
        &format!("file://{}/index.html?kind=api", site.display()),
    )
    .await;
    styled(&c, "index.html?kind=api").await;
    let chosen = c.execute(layout, vec![]).await.unwrap();
    assert!(
        chosen["menus_shown"] == chosen["menus"] && chosen["more"] == "Filters (1)",
        "{chosen}"
    );

    search_panel_fits(
        &c,
        &format!("file://{}/index.html?q=shipment", site.display()),
    )
    .await;
    c.close().await.unwrap();
}

/// Opens `url` (a search for "shipment"), unfolds the results' facets and
/// asserts the page does not scroll sideways with the panel open.
async fn search_panel_fits(c: &fantoccini::Client, url: &str) {
    open(c, url).await;
    c.wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(fantoccini::Locator::Css(
            "form.search[data-query='shipment'] .search-hits a",
        ))
        .await
        .expect("results appear");
    c.find(fantoccini::Locator::Css("details.facets-box > summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let m = c.execute(MEASURE, vec![]).await.unwrap();
    assert!(
        m["width"].as_u64() <= m["inner"].as_u64(),
        "the search results scroll sideways: {m}"
    );
}
