//! In-browser search in headless Chromium: typed into the page from
//! `file://` and over HTTP under a sub-path, and the same queries as the
//! relevance suite giving the same top results as `portico search`.

use crate::browser::{browser, open, serve_under_sub_path, start_driver};
use crate::relevance::{corpus_site, top3};
use crate::support::{crate_dir, example_site};
use fantoccini::{Client, Locator, key::Key};
use std::time::Duration;

/// Types `query` into the search box (focused with `/`) and returns the
/// result links once they are shown.
async fn type_query(c: &Client, query: &str) -> Vec<String> {
    let body = c.find(Locator::Css("body")).await.unwrap();
    body.send_keys("/").await.unwrap();
    let input = c.find(Locator::Css("form.search input")).await.unwrap();
    let focused = c
        .execute("return document.activeElement.id", vec![])
        .await
        .unwrap();
    assert_eq!(focused, "search-input", "`/` focuses the search box");
    input.clear().await.unwrap();
    input.send_keys(query).await.unwrap();
    result_links(c, query).await
}

/// The result links, once the results shown are those of `query`.
async fn result_links(c: &Client, query: &str) -> Vec<String> {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&format!(
            "form.search[data-query='{query}'] .search-hits a"
        )))
        .await
        .expect("results appear");
    let mut hrefs = Vec::new();
    for a in c.find_all(Locator::Css(".search-hits a")).await.unwrap() {
        hrefs.push(a.attr("href").await.unwrap().unwrap_or_default());
    }
    hrefs
}

/// Searches the open page for a docs heading, checks the first result,
/// follows it, and checks the browser landed on that heading.
async fn search_lands_on_heading(c: &Client) {
    let hrefs = type_query(c, "incident respon").await;
    assert!(
        hrefs[0].ends_with(
            "docs/default/component/shipment-tracker/runbooks/incident-response/index.html#incident-response"
        ),
        "first result {hrefs:?}"
    );
    let hit = c
        .find(Locator::Css(".search-hits a"))
        .await
        .unwrap()
        .html(true)
        .await
        .unwrap();
    assert!(hit.contains("<mark>"), "the match is highlighted: {hit}");
    c.find(Locator::Css(".search-hits a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let url = c.current_url().await.unwrap();
    assert_eq!(url.fragment(), Some("incident-response"), "{url}");
    assert!(
        c.find(Locator::Id("incident-response")).await.is_ok(),
        "the anchor exists on the page it landed on"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn search_from_file_urls_finds_and_lands_on_the_heading() {
    let Some(driver) = start_driver() else { return };
    let (site, _) = example_site();
    let page = site
        .join("docs/default/component/payment-gateway/index.html")
        .canonicalize()
        .unwrap();
    let c = browser(&driver).await;
    open(&c, &format!("file://{}", page.display())).await;

    // An entity by name, then the kind facet narrows the results. The
    // facets start collapsed.
    let hrefs = type_query(&c, "payment").await;
    assert!(hrefs.len() > 1, "{hrefs:?}");
    let open = c
        .execute(
            "return document.querySelector('details.facets-box').open",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(open, false, "facets are collapsed at first");
    open_facets(&c).await;
    press_facet(&c, "kind", "api").await;
    let kinds = c
        .find_all(Locator::Css(".search-hits .hit-kind"))
        .await
        .unwrap();
    assert!(!kinds.is_empty());
    for kind in kinds {
        assert_eq!(kind.text().await.unwrap(), "api");
    }
    facet_off(&c).await;
    search_lands_on_heading(&c).await;
    c.close().await.unwrap();
}

async fn facet_off(c: &Client) {
    c.find(Locator::Css(".facet button[aria-pressed=true]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Escape closes the panel and keeps the box focused.
    c.find(Locator::Css("form.search input"))
        .await
        .unwrap()
        .send_keys(&Key::Escape.to_string())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn search_over_http_under_a_sub_path() {
    let Some(driver) = start_driver() else { return };
    let (site, _) = example_site();
    let port = serve_under_sub_path(site);
    let c = browser(&driver).await;
    open(
        &c,
        &format!(
            "http://127.0.0.1:{port}/portal/catalog/default/component/route-planner/index.html"
        ),
    )
    .await;
    let hrefs = type_query(&c, "paymnet gateway").await;
    assert_eq!(
        hrefs[0],
        format!(
            "http://127.0.0.1:{port}/portal/catalog/default/component/payment-gateway/index.html"
        ),
        "a typo still finds the entity, under the sub-path"
    );
    search_lands_on_heading(&c).await;
    assert!(
        c.current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/portal/docs/"),
        "stayed under the sub-path"
    );
    c.close().await.unwrap();
}

/// The browser's top three for `query` (flags become facet filters).
async fn browser_top3(c: &Client, query: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut filters = serde_json::Map::new();
    let mut parts = query.split(' ');
    while let Some(part) = parts.next() {
        match part {
            "--kind" | "--owner" => {
                let value = parts.next().unwrap_or_default().to_lowercase();
                filters.insert(part[2..].to_string(), serde_json::json!([value]));
            }
            word => words.push(word),
        }
    }
    let found = c
        .execute_async(
            "const done = arguments[2];
             window.porticoSearchQuery(arguments[0], {limit: 3, filters: arguments[1]})
               .then(hits => done(hits.map(h => h.url)), e => done(['error: ' + e]));",
            vec![
                serde_json::json!(words.join(" ")),
                serde_json::Value::Object(filters),
            ],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_browser_ranks_like_portico_search() {
    let Some(driver) = start_driver() else { return };
    let c = browser(&driver).await;
    let suite = std::fs::read_to_string(crate_dir().join("tests/relevance/queries.tsv")).unwrap();
    let mut differences = Vec::new();
    let mut compared = 0;
    for site_name in ["org", "corpus"] {
        let site = if site_name == "org" {
            &example_site().0
        } else {
            corpus_site()
        };
        let index = site.join("index.html").canonicalize().unwrap();
        open(&c, &format!("file://{}", index.display())).await;
        for line in suite.lines().filter(|l| l.starts_with(site_name)) {
            let query = line.split('\t').nth(2).unwrap();
            let cli = top3(site, query);
            let web = browser_top3(&c, query).await;
            compared += 1;
            if cli != web {
                differences.push(format!("{query}\n  cli: {cli:?}\n  web: {web:?}"));
            }
        }
    }
    println!(
        "browser vs CLI: {compared} queries, {} differ",
        differences.len()
    );
    assert!(compared >= 30);
    assert!(
        differences.is_empty(),
        "top 3 differ:\n{}",
        differences.join("\n")
    );
    c.close().await.unwrap();
}

/// A search can be linked: `?q=` runs as the page opens, and typing puts
/// the query in the address (over HTTP; from file:// the linked search
/// still runs).
#[tokio::test(flavor = "multi_thread")]
async fn the_query_is_in_the_address_so_searches_can_be_linked() {
    let Some(driver) = start_driver() else { return };
    let (site, _) = example_site();
    let c = browser(&driver).await;
    let file_page = site.join("index.html").canonicalize().unwrap();
    open(&c, &format!("file://{}?q=rollback", file_page.display())).await;
    let hrefs = result_links(&c, "rollback").await;
    assert!(
        hrefs[0].contains("shipment-tracker/deploy/index.html#rollback"),
        "a linked search from file:// runs on open: {hrefs:?}"
    );

    let port = serve_under_sub_path(site);
    open(&c, &format!("http://127.0.0.1:{port}/portal/index.html")).await;
    type_query(&c, "incident").await;
    let url = c.current_url().await.unwrap();
    assert_eq!(url.query(), Some("q=incident"), "{url}");
    let value = c
        .execute(
            "return document.getElementById('search-input').value",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(value, "incident");
    // The address, opened again, shows the same results.
    let shown = result_links(&c, "incident").await;
    open(&c, url.as_str()).await;
    assert_eq!(result_links(&c, "incident").await, shown);
    c.close().await.unwrap();
}

/// `portico search --json --limit 10 QUERY` as (url, partial) pairs.
fn cli_with_partial(query: &str) -> Vec<(String, bool)> {
    let site = example_site().0.to_str().unwrap().to_string();
    let mut args = vec!["search", "--site", &site, "--json", "--limit", "10"];
    args.extend(query.split(' '));
    let run = crate::support::portico(&crate_dir(), &args);
    let hits: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    hits.iter()
        .map(|h| (h["url"].as_str().unwrap().to_string(), h["partial"] == true))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn with_few_pages_having_every_word_the_browser_falls_back_like_the_cli() {
    let Some(driver) = start_driver() else { return };
    let (site, _) = example_site();
    let c = browser(&driver).await;
    let page = site.join("index.html").canonicalize().unwrap();
    open(&c, &format!("file://{}", page.display())).await;
    for query in ["who owns shipments-db", "incident response error rate"] {
        let found = c
            .execute_async(
                "const done = arguments[1];
                 window.porticoSearchQuery(arguments[0], {limit: 10})
                   .then(hits => done(hits.map(h => [h.url, h.partial])), e => done(String(e)));",
                vec![serde_json::json!(query)],
            )
            .await
            .unwrap();
        let web: Vec<(String, bool)> = serde_json::from_value(found).unwrap();
        let cli = cli_with_partial(query);
        assert!(cli.iter().any(|(_, partial)| *partial), "{cli:?}");
        assert_eq!(web, cli, "{query}");
    }
    // The page says which results lack some word.
    open(
        &c,
        &format!("file://{}?q=who+owns+shipments-db", page.display()),
    )
    .await;
    let hrefs = result_links(&c, "who owns shipments-db").await;
    assert!(
        hrefs
            .iter()
            .take(3)
            .any(|h| h.ends_with("catalog/default/resource/shipments-db/index.html")),
        "{hrefs:?}"
    );
    let label = c
        .find(Locator::Css(".search-hits li.search-partial"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        label,
        "No result has every word; results with most of them:"
    );
    c.close().await.unwrap();
}

/// `portico search QUERY --level LEVEL` on `site`: the hits' addresses.
fn cli_urls_at_level(site: &std::path::Path, query: &str, level: &str) -> Vec<String> {
    let run = crate::support::portico(
        site,
        &[
            "search", "--site", ".", "--limit", "50", "--level", level, "--json", query,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let hits: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    hits.iter()
        .map(|h| h["url"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_level_facet_narrows_the_results_like_portico_search_level() {
    let Some(driver) = start_driver() else { return };
    let (site, _) = example_site();
    let page = site.join("index.html").canonicalize().unwrap();
    let c = browser(&driver).await;
    open(&c, &format!("file://{}", page.display())).await;

    // "service" is in Components at every level of the default scorecard.
    let all = type_query(&c, "service").await;
    open_facets(&c).await;
    let mut offered = Vec::new();
    for button in c
        .find_all(Locator::Css(".facet button[data-facet=level]"))
        .await
        .unwrap()
    {
        offered.push(button.attr("data-value").await.unwrap().unwrap_or_default());
    }
    offered.sort();
    assert_eq!(
        offered,
        ["bronze", "gold", "none", "silver"],
        "the level facet's values"
    );

    press_facet(&c, "level", "bronze").await;
    let mut shown = Vec::new();
    for a in c.find_all(Locator::Css(".search-hits a")).await.unwrap() {
        let href = a.attr("href").await.unwrap().unwrap_or_default();
        let root = format!("file://{}/", site.canonicalize().unwrap().display());
        shown.push(href.strip_prefix(&root).unwrap_or(&href).to_string());
    }
    let mut cli = cli_urls_at_level(site, "service", "bronze");
    shown.sort();
    cli.sort();
    assert!(
        !cli.is_empty() && shown.len() < all.len(),
        "{shown:?} of {all:?}"
    );
    assert_eq!(
        shown, cli,
        "the page's bronze results are portico search --level bronze's"
    );
    assert!(
        shown
            .iter()
            .all(|u| !u.contains("shipment-tracker") && !u.contains("payment-gateway")),
        "gold and silver Components are filtered out: {shown:?}"
    );
    facet_off(&c).await;

    // The same through the page's query function, for each level.
    for level in ["gold", "silver", "none"] {
        let found = c
            .execute_async(
                "const done = arguments[2];
                 window.porticoSearchQuery(arguments[0], {limit: 50, filters: {level: [arguments[1]]}})
                   .then(hits => done(hits.map(h => h.url)), e => done(['error: ' + e]));",
                vec![serde_json::json!("service"), serde_json::json!(level)],
            )
            .await
            .unwrap();
        let mut browser: Vec<String> = serde_json::from_value(found).unwrap();
        let mut cli = cli_urls_at_level(site, "service", level);
        browser.sort();
        cli.sort();
        assert_eq!(browser, cli, "level {level}");
    }
    c.close().await.unwrap();
}

/// How many results `portico search --json --limit 1000 --FLAG VALUE QUERY`
/// gives.
fn cli_count(query: &str, flag: &str, value: &str) -> usize {
    let site = example_site().0.to_str().unwrap().to_string();
    let flag = format!("--{flag}");
    let mut args = vec!["search", "--site", &site, "--json", "--limit", "1000"];
    args.extend([flag.as_str(), value]);
    args.extend(query.split(' '));
    let run = crate::support::portico(&crate_dir(), &args);
    let hits: Vec<serde_json::Value> =
        serde_json::from_str(&run.stdout).unwrap_or_else(|_| panic!("{args:?}: {}", run.stderr));
    hits.len()
}

/// The facet buttons the open panel shows: (facet, value, count).
async fn shown_facets(c: &Client) -> Vec<(String, String, usize)> {
    let found = c
        .execute(
            "return Array.from(document.querySelectorAll('.facet button')).map(b =>
               [b.dataset.facet, b.dataset.value, Number(b.querySelector('.count').textContent)]);",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

/// The number of results the page's own query function gives with `filters`.
async fn browser_count(c: &Client, query: &str, filters: serde_json::Value) -> usize {
    let found = c
        .execute_async(
            "const done = arguments[2];
             window.porticoSearchQuery(arguments[0], {limit: 1000, filters: arguments[1]})
               .then(hits => done(hits.length), e => done('error: ' + e));",
            vec![serde_json::json!(query), filters],
        )
        .await
        .unwrap();
    found.as_u64().unwrap_or_else(|| panic!("{query}: {found}")) as usize
}

/// Each facet value's count is the number of results choosing it gives: in
/// the page, through its query function, and in `portico search` with
/// `--kind`, `--owner` or `--level`; also for queries answered by the
/// fallback to partial matches, whose results once had no facets at all.
#[tokio::test(flavor = "multi_thread")]
async fn facet_counts_are_the_number_of_results_each_value_gives() {
    let Some(driver) = start_driver() else { return };
    let (site, _) = example_site();
    let page = site.join("index.html").canonicalize().unwrap();
    let c = browser(&driver).await;
    let mut checked = 0;
    for (query, fallback) in [
        ("shipment", false),
        ("payment", false),
        ("who owns shipments-db", true),
        ("rollback kafka zebra", true),
    ] {
        let address = format!("file://{}?q={}", page.display(), query.replace(' ', "%20"));
        open(&c, &address).await;
        result_links(&c, query).await;
        let partial = c.find_all(Locator::Css(".search-partial")).await.unwrap();
        assert_eq!(!partial.is_empty(), fallback, "{query}: partial matches");
        let facets = shown_facets(&c).await;
        assert!(
            facets.iter().any(|f| f.0 == "kind") && facets.iter().any(|f| f.0 == "owner"),
            "{query}: kind and owner facets shown: {facets:?}"
        );
        for (facet, value, count) in &facets {
            let filters = serde_json::json!({ facet.as_str(): [value] });
            assert_eq!(
                browser_count(&c, query, filters).await,
                *count,
                "{query}: {facet} {value}"
            );
            if ["kind", "owner", "level"].contains(&facet.as_str()) {
                assert_eq!(
                    cli_count(query, facet, value),
                    *count,
                    "{query}: portico search --{facet} {value}"
                );
            }
            checked += 1;
        }
        // Choosing a value: the status line says its count, and the other
        // facets count among the chosen value's results.
        let (facet, value, count) = facets.iter().find(|f| f.0 == "kind").unwrap().clone();
        open_facets(&c).await;
        press_facet(&c, &facet, &value).await;
        let status = c
            .find(Locator::Css(".search-status"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let plural = if count == 1 { "" } else { "s" };
        assert_eq!(
            status,
            format!("{count} result{plural}"),
            "{query}: {value}"
        );
        for (other, v, n) in shown_facets(&c).await {
            if other == facet {
                continue;
            }
            let filters = serde_json::json!({ facet.as_str(): [value.as_str()], other.as_str(): [v.as_str()] });
            assert_eq!(
                browser_count(&c, query, filters).await,
                n,
                "{query}: {facet} {value}, then {other} {v}"
            );
        }
    }
    // Nothing found: the status says why.
    open(&c, &format!("file://{}?q=zzzqqqxxx", page.display())).await;
    let status = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(
            "form.search[data-query='zzzqqqxxx'] .search-status",
        ))
        .await
        .expect("a status for a search with no result")
        .text()
        .await
        .unwrap();
    assert!(
        status.starts_with("No results: no entity or docs page has any of these words"),
        "{status}"
    );
    println!("{checked} facet counts checked");
    assert!(checked > 40, "only {checked} facet counts");
    c.close().await.unwrap();
}

/// Opens the search panel's facets box (collapsed at first).
async fn open_facets(c: &Client) {
    c.find(Locator::Css("details.facets-box > summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Waits (10 s at most) until the page shown is one whose path holds
/// `part`; `what` says what did not happen otherwise.
async fn wait_for_path(c: &Client, part: &str, what: &str) {
    let started = std::time::Instant::now();
    loop {
        let url = c.current_url().await.unwrap();
        if url.path().contains(part) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{what}: the page is {url}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Presses the search box's facet button for `value` of `facet` and waits
/// until it shows as pressed.
async fn press_facet(c: &fantoccini::Client, facet: &str, value: &str) {
    c.find(Locator::Css(&format!(
        ".facet button[data-facet={facet}][data-value={value}]"
    )))
    .await
    .unwrap_or_else(|e| panic!("no {facet} facet for {value}: {e}"))
    .click()
    .await
    .unwrap();
    c.wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css(&format!(
            ".facet button[data-facet={facet}][data-value={value}][aria-pressed=true]"
        )))
        .await
        .unwrap();
}

/// The keyboard and odd queries: a query with no word (a lone `"`, the
/// first key of a phrase) says there is no result; Escape closes the
/// list even from a result; Enter typed right after a new query opens
/// that query's first result, not the first of the results still shown.
#[tokio::test(flavor = "multi_thread")]
async fn the_keyboard_and_wordless_queries_do_what_the_book_says() {
    let Some(driver) = start_driver() else { return };
    let (site, _) = example_site();
    let page = site.join("index.html").canonicalize().unwrap();
    let c = browser(&driver).await;
    open(&c, &format!("file://{}", page.display())).await;
    let panel_text = || async {
        c.execute(
            "return document.getElementById('search-results').textContent",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or("")
        .to_string()
    };
    let input = c.find(Locator::Css("form.search input")).await.unwrap();
    for wordless in ["\"", "..."] {
        input.clear().await.unwrap();
        input.send_keys(wordless).await.unwrap();
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(&format!(
                "form.search[data-query='{wordless}']"
            )))
            .await
            .expect("the query is answered");
        let text = panel_text().await;
        assert!(!text.contains("unavailable"), "{wordless}: {text}");
        assert!(text.contains("No results"), "{wordless}: {text}");
    }
    // Escape from a result.
    type_query(&c, "payment").await;
    for _ in 0..2 {
        c.active_element()
            .await
            .unwrap()
            .send_keys(&Key::Down.to_string())
            .await
            .unwrap();
    }
    c.active_element()
        .await
        .unwrap()
        .send_keys(&Key::Escape.to_string())
        .await
        .unwrap();
    let hidden = c
        .execute(
            "return document.getElementById('search-results').hidden",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(hidden, true, "Escape closes the list");
    // Enter at once after typing a new query.
    let input = c.find(Locator::Css("form.search input")).await.unwrap();
    input.clear().await.unwrap();
    input
        .send_keys(&format!("incident respon{}", Key::Enter))
        .await
        .unwrap();
    wait_for_path(
        &c,
        "incident-response",
        "Enter opened another page than the first result of the query typed",
    )
    .await;
    c.close().await.unwrap();
}

/// Keyboard focus stays where the reader is: a facet chosen keeps the
/// focus on its button (the redrawn panel sent it to the page's body), and
/// Tab past the last result closes the panel (focus went to the links it
/// covers). A query typed decomposed (`e` + U+0301) finds what the
/// composed one finds, and a user is found under their display name.
#[tokio::test(flavor = "multi_thread")]
async fn focus_stays_with_the_reader_and_queries_are_composed() {
    let Some(driver) = start_driver() else { return };
    let (site, _) = example_site();
    let page = site.join("index.html").canonicalize().unwrap();
    let c = browser(&driver).await;
    open(&c, &format!("file://{}", page.display())).await;

    type_query(&c, "payment").await;
    open_facets(&c).await;
    press_facet(&c, "kind", "api").await;
    let focused = c
        .execute(
            "return [document.activeElement.dataset.facet, document.activeElement.dataset.value];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        focused,
        serde_json::json!(["kind", "api"]),
        "focus stays on the facet"
    );
    facet_off(&c).await;

    // Tab from the last result leaves the panel: it closes.
    type_query(&c, "kafka").await;
    c.execute(
        "const all = document.querySelectorAll('.search-hits a'); all[all.length - 1].focus();",
        vec![],
    )
    .await
    .unwrap();
    let last = c.active_element().await.unwrap();
    last.send_keys(&Key::Tab.to_string()).await.unwrap();
    let hidden = c
        .execute(
            "return [document.getElementById('search-results').hidden, document.getElementById('search-results').contains(document.activeElement)];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        hidden,
        serde_json::json!([true, false]),
        "the panel closes behind the focus"
    );

    // Composed and decomposed spellings find the same, by display name.
    let query = |q: &str| {
        format!(
            "return window.porticoSearchQuery({}).then(h => h.map(x => x.title));",
            serde_json::to_string(q).unwrap()
        )
    };
    let composed = c.execute(&query("Gonz\u{e1}lez"), vec![]).await.unwrap();
    let decomposed = c.execute(&query("Gonza\u{301}lez"), vec![]).await.unwrap();
    assert_eq!(composed, decomposed);
    assert!(
        composed.to_string().contains("Mar\u{ed}a Gonz\u{e1}lez"),
        "a user shows under their display name: {composed}"
    );
    // Typed decomposed into the box: its results answer what was typed,
    // and Enter opens the first (the box's text is what Enter compares).
    let hrefs = type_query(&c, "Gonza\u{301}lez").await;
    assert!(hrefs[0].contains("catalog/default/user/"), "{hrefs:?}");
    c.find(Locator::Css("form.search input"))
        .await
        .unwrap()
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    wait_for_path(&c, "/user/", "Enter opened nothing").await;
    c.close().await.unwrap();
}
