//! The script routes of hostile docs, opened in Chromium: author HTML and
//! SVG files opened directly, snippet bytes that once claimed to be
//! Portico's markup, links in block titles and file names that once became
//! `javascript:` URLs. Nothing may run.

use crate::browser::{browser, open, start_driver};
use crate::support::Org;
use fantoccini::{Client, Locator};

const ENTITY: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: evil\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n";

fn hostile_docs() -> Org {
    let org = Org::new();
    org.file("evil/catalog-info.yaml", ENTITY)
        .file("evil/mkdocs.yml", "site_name: Evil\n")
        .file(
            "evil/docs/index.md",
            "# Evil\n\n--8<-- \"inc.md\"\n\n!!! note \"[t](javascript:window.__pwned=1)\"\n    a\n\n[page](javascript:window.__pwned=2.md)\n\n!!! note \"[x]: z\"\n    b\n\n```text\n[x]: y <img src=x onerror=window.__pwned=14>\n```\n\n<a id=\"porticoStem\">clobbering</a> searchable words\n",
        )
        .file(
            "evil/inc.md",
            "\u{E000}<img src=x onerror=window.__pwned=3>\n\u{E000}<script>window.__pwned=4</script>\n",
        )
        .file("evil/docs/javascript:window.__pwned=5.md", "# Named\n")
        .file(
            "evil/docs/page.html",
            "<html><head><title>T</title><script>window.__pwned=6</script></head><body onload=\"window.__pwned=7\"><p>hi</p><img src=x onerror=\"window.__pwned=8\"><a href=\"javascript:window.__pwned=9\">x</a></body></html>",
        )
        .file(
            "evil/docs/image.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" onload=\"window.__pwned=10\"><script>window.__pwned=11</script><a xlink:href=\"javascript:window.__pwned=12\"><rect width=\"10\" height=\"10\"/></a><foreignObject width=\"9\" height=\"9\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><img src=\"x\" onerror=\"window.__pwned=13\"/></div></foreignObject></svg>",
        );
    org
}

/// Opens `url`, hovers and clicks every link, and says whether any script
/// of the page's author ran.
async fn runs_nothing(c: &Client, url: &str) {
    open(c, url).await;
    let links = c.find_all(Locator::Css("a")).await.unwrap_or_default();
    for link in links {
        let _ = c
            .execute(
                "arguments[0].dispatchEvent(new MouseEvent('mouseover', {bubbles: true})); \
                 var h = arguments[0].getAttribute('href') || arguments[0].getAttribute('xlink:href') || ''; \
                 if (/^\\s*javascript:/i.test(h)) { window.__pwned = 'href ' + h; }",
                vec![serde_json::to_value(&link).unwrap()],
            )
            .await;
    }
    let state = c
        .execute(
            "return window.__pwned === undefined ? 'safe' : String(window.__pwned);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(state, "safe", "{url}");
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_docs_execute_nothing_in_chromium() {
    let Some(driver) = start_driver() else { return };
    let org = hostile_docs();
    let run = org.run(&["build", ".", "--out", "site"]);
    assert!(run.code <= 1, "{}", run.stderr);
    let site = org.path().join("site").canonicalize().unwrap();
    let docs = site.join("docs/default/component/evil");
    for file in ["page.html", "image.svg"] {
        assert!(
            docs.join(file).is_file(),
            "{file} published\n{}",
            run.stderr
        );
    }
    let c = browser(&driver).await;
    for page in [
        "index.html",
        "javascript%3Awindow.__pwned%3D5/index.html",
        "page.html",
        "image.svg",
    ] {
        runs_nothing(&c, &format!("file://{}/{page}", docs.display())).await;
    }
    // An element named like a global of search.js does not break search.
    open(&c, &format!("file://{}/index.html", docs.display())).await;
    let found = c
        .execute_async(
            "const done = arguments[0];
             window.porticoSearchQuery('searchable', {limit: 3})
               .then(hits => done(hits.map(h => h.url)), e => done(String(e)));",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        found.as_array().is_some_and(|hits| !hits.is_empty()),
        "{found}"
    );
    c.close().await.unwrap();
}
