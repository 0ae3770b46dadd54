//! End-to-end in a real browser: Debian's headless Chromium, driven through
//! chromedriver, opening the built site from `file://` (where only classic
//! `<script src>` loading works). Needs `chromium` and `chromium-driver`
//! (installed by `.ci/run`); without chromedriver the test is skipped
//! locally and fails under CI.

use crate::support::example_site;
use fantoccini::{Client, ClientBuilder, Locator};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A chromedriver process, killed when dropped.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_driver() -> Option<Driver> {
    let found = Command::new("chromedriver")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromedriver is missing under CI: .ci/run installs chromium-driver"
        );
        eprintln!(
            "skipped: chromedriver is not installed (apt-get install chromium chromium-driver)"
        );
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Driver { child, port })
}

pub async fn browser(driver: &Driver) -> Client {
    browser_with(driver, None).await
}

/// A browser session; `mobile`: Chromium's `mobileEmulation` settings (a
/// phone's screen).
pub async fn browser_with(driver: &Driver, mobile: Option<serde_json::Value>) -> Client {
    let mut options = serde_json::json!({
        "binary": "/usr/lib/chromium/chromium",
        // Never --allow-file-access-from-files: it would hide real file:// breakage.
        "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
    });
    if let Some(mobile) = mobile {
        options["mobileEmulation"] = mobile;
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a browser session");
    // Finding an element waits for it a while: on a loaded 2-core machine a
    // page's deferred script may not have made its controls yet when the
    // test looks (absence checks pay this wait once).
    let mut timeouts = fantoccini::wd::TimeoutConfiguration::default();
    timeouts.set_implicit(Some(std::time::Duration::from_secs(5)));
    client
        .update_timeouts(timeouts)
        .await
        .expect("the browser's timeouts");
    client
}

/// Goes to `url` and waits until its page has loaded. On a loaded machine
/// chromedriver may answer a navigation before the new document replaced
/// the old one, and a test read the old page (or the new one before its
/// deferred scripts ran): the old window is marked first, and the new one
/// waited for. Not for a move within a page (`#anchor`), which keeps the
/// window.
pub async fn open(c: &Client, url: &str) {
    // Fails only where no page is open yet (nothing to tell apart).
    let _ = c.execute("window.__portico_left = true;", vec![]).await;
    c.goto(url).await.unwrap();
    poll(
        c,
        "return window.__portico_left !== true && document.readyState === 'complete';",
        Duration::from_secs(20),
        |state| *state == true,
        |state| format!("{url} did not load: {state}"),
    )
    .await;
}

/// Runs `script` in the page every 50 ms until `done` accepts what it
/// returns, and gives that back; fails after `within` with `failure` of
/// the last answer. A script that fails (the window is between two
/// documents) answers its error as a string.
pub async fn poll(
    c: &Client,
    script: &str,
    within: Duration,
    done: impl Fn(&serde_json::Value) -> bool,
    failure: impl Fn(&serde_json::Value) -> String,
) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let state = match c.execute(script, vec![]).await {
            Ok(state) => state,
            Err(e) => serde_json::Value::String(format!("the script failed: {e}")),
        };
        if done(&state) {
            return state;
        }
        assert!(started.elapsed() < within, "{}", failure(&state));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Serves `site` under `/portal/` on 127.0.0.1. Each connection on its own
/// thread, with a read timeout: Chromium opens connections it may never
/// send a request on, and one of those must not hold up the others (it did,
/// on a loaded CI machine).
pub fn serve_under_sub_path(site: &Path) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let site: PathBuf = site.to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let site = site.clone();
            std::thread::spawn(move || answer(&stream, &site));
        }
    });
    port
}

/// One request of [`serve_under_sub_path`].
fn answer(stream: &std::net::TcpStream, site: &Path) {
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(10)));
    let mut reader = BufReader::new(stream);
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let path = request.split(' ').nth(1).unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("");
    let file = path
        .strip_prefix("/portal/")
        .filter(|p| !p.split('/').any(|part| part == ".."))
        .map(|p| site.join(p));
    let mut stream = stream;
    match file.and_then(|f| std::fs::read(&f).ok().map(|b| (f, b))) {
        Some((f, bytes)) => {
            let kind = match f.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript",
                Some("css") => "text/css",
                _ => "application/octet-stream",
            };
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                bytes.len()
            );
            let _ = stream.write_all(&bytes);
        }
        None => {
            let _ = write!(
                stream,
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn docs_pages_work_from_file_urls_in_chromium() {
    let Some(driver) = start_driver() else { return };
    let (site, _) = example_site();
    let page = site
        .join("docs/default/component/shipment-tracker/architecture/index.html")
        .canonicalize()
        .unwrap();
    let c = browser(&driver).await;
    open(&c, &format!("file://{}", page.display())).await;

    // The canary: from file://, fetch() must fail, so nothing may depend on it.
    let fetched = c
        .execute_async("const done = arguments[0]; fetch('../index.html').then(() => done('ok'), () => done('blocked'));", vec![])
        .await
        .unwrap();
    assert_eq!(
        fetched, "blocked",
        "the browser must treat file:// as it does for users"
    );

    // Mermaid, loaded with a classic <script src>, draws the diagram.
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("pre.mermaid svg"))
        .await
        .expect("mermaid renders from file://");
    // Code blocks get a copy button from portico.js.
    c.wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css("div.highlight button.copy"))
        .await
        .expect("copy buttons");

    // Following the nav lands on the next page.
    let next = c.find(Locator::Css("a[rel=next]")).await.unwrap();
    let href = next.attr("href").await.unwrap().unwrap();
    next.click().await.unwrap();
    let url = c.current_url().await.unwrap();
    assert!(
        url.as_str().ends_with("/index.html"),
        "{url} after following {href}"
    );
    assert!(c.find(Locator::Css("article h1")).await.is_ok());
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn content_tabs_switch_without_javascript_from_file_urls() {
    let Some(driver) = start_driver() else { return };
    let (site, _) = example_site();
    let page = site
        .join("docs/default/component/payment-gateway/guides/consuming-events/index.html")
        .canonicalize()
        .unwrap();
    let c = browser(&driver).await;
    open(&c, &format!("file://{}", page.display())).await;
    // The page has one tab set: kcat and kafka-console-consumer.
    let labels = c
        .find_all(Locator::Css(".tabbed-labels label"))
        .await
        .unwrap();
    assert_eq!(labels.len(), 2);
    let blocks = c.find_all(Locator::Css(".tabbed-block")).await.unwrap();
    assert!(blocks[0].is_displayed().await.unwrap());
    assert!(!blocks[1].is_displayed().await.unwrap());
    labels[1].click().await.unwrap();
    assert!(
        blocks[1].is_displayed().await.unwrap(),
        "the second tab shows after a click"
    );
    assert!(!blocks[0].is_displayed().await.unwrap());
    c.close().await.unwrap();
}
