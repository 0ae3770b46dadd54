//! `portico serve` as a docs author uses it: the real binary on a
//! temporary organisation, fetched over HTTP while its files are edited.

use crate::support::Org;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `portico serve`, stopped when dropped.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`
    pub address: String,
    /// What it printed on stderr, read on a thread.
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM first, as `kill` or a service manager stops it: the server
        // removes its scratch folder. SIGKILL if it has not stopped in 5 s.
        stop(&mut self.child);
    }
}

/// Sends SIGTERM to `child` and waits for it (5 s), then kills it.
fn stop(child: &mut Child) -> Option<std::process::ExitStatus> {
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

impl Server {
    /// Starts `portico serve ARGS --port 0` in `dir` and waits for its address.
    pub fn start(dir: &std::path::Path, args: &[&str]) -> Server {
        Server::start_with(dir, args, &[])
    }

    /// [`Server::start`] with environment variables set.
    pub fn start_with(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_portico"))
            .arg("serve")
            .args(args)
            .args(["--port", "0"])
            .current_dir(dir)
            .envs(env.iter().copied())
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("portico serve starts");
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let address = first
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {first:?}: {}", log.lock().unwrap()))
            .to_string();
        std::thread::spawn(move || for _ in stdout.lines() {});
        Server {
            child,
            address,
            log,
        }
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// `GET path` (sent as written): (status, headers, body).
    pub fn get(&self, path: &str) -> (u16, String, String) {
        self.request("GET", path, &self.address)
    }

    /// `METHOD path` for `host` (both sent as written): (status, headers, body).
    pub fn request(&self, method: &str, path: &str, host: &str) -> (u16, String, String) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let response = String::from_utf8_lossy(&response).into_owned();
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, head.to_string(), body.to_string())
    }

    /// Fetches `path` until its body satisfies `test` (10 s at most).
    pub fn wait_for(&self, path: &str, what: &str, test: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let (_, _, body) = self.get(path);
            if test(&body) {
                return body;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{path} never showed {what}:\n{body}\n--- server log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

const COMPONENT: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: NAME\n  description: DESCRIPTION\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n";

fn component(name: &str, description: &str, extra: &str) -> String {
    COMPONENT
        .replace("NAME", name)
        .replace("DESCRIPTION", description)
        + extra
}

/// Two repositories with docs: `alpha` (depending on `beta`) and `beta`.
fn org() -> Org {
    let org = Org::new();
    org.file(
        "repos/alpha/catalog-info.yaml",
        &component("alpha", "The first", "  dependsOn:\n    - component:beta\n"),
    )
    .file("repos/alpha/mkdocs.yml", "site_name: Alpha\n")
    .file("repos/alpha/docs/index.md", "# Alpha\n\nFirst words.\n")
    .file("repos/alpha/docs/guide.md", "# Guide\n\nA guide.\n")
    .file(
        "repos/beta/catalog-info.yaml",
        &component("beta", "The second", ""),
    )
    .file("repos/beta/mkdocs.yml", "site_name: Beta\n")
    .file("repos/beta/docs/index.md", "# Beta\n\nBeta words.\n");
    org
}

const ALPHA_DOCS: &str = "/docs/default/component/alpha/";
const ALPHA_PAGE: &str = "/catalog/default/component/alpha/";
const BETA_PAGE: &str = "/catalog/default/component/beta/";

#[test]
fn edits_are_served_as_they_are_saved() {
    let org = org();
    let server = Server::start(org.path(), &["repos"]);
    let (status, head, body) = server.get(ALPHA_DOCS);
    assert_eq!(status, 200, "{head}");
    assert!(
        head.to_lowercase().contains("cache-control: no-store"),
        "{head}"
    );
    assert!(head.contains("text/html"), "{head}");
    assert!(body.contains("First words") && body.contains("/__portico/live.js"));
    let (_, _, alpha) = server.get(ALPHA_PAGE);
    assert!(alpha.contains("href=\"../../../../catalog/default/component/beta/index.html\""));

    // A Markdown page.
    org.file("repos/alpha/docs/index.md", "# Alpha\n\nEdited words.\n");
    server.wait_for(ALPHA_DOCS, "the edit", |b| b.contains("Edited words"));
    // A new page, then the page deleted.
    org.file("repos/alpha/docs/new.md", "# Brand new\n\nNew page.\n");
    server.wait_for(&format!("{ALPHA_DOCS}new/"), "the new page", |b| {
        b.contains("New page.")
    });
    server.wait_for(ALPHA_DOCS, "the new page in the nav", |b| {
        b.contains("Brand new")
    });
    std::fs::remove_file(org.path().join("repos/alpha/docs/new.md")).unwrap();
    server.wait_for(ALPHA_DOCS, "the nav without it", |b| {
        !b.contains("Brand new")
    });
    assert_eq!(server.get(&format!("{ALPHA_DOCS}new/")).0, 404);

    // A catalog change: the entity's own page, and its neighbour's.
    org.file(
        "repos/alpha/catalog-info.yaml",
        &component(
            "alpha",
            "A new description",
            "  dependsOn:\n    - component:beta\n    - component:gamma\n",
        ),
    );
    server.wait_for(ALPHA_PAGE, "the description", |b| {
        b.contains("A new description")
    });
    org.file(
        "repos/gamma/catalog-info.yaml",
        &component("gamma", "The third", "")
            .replace("    backstage.io/techdocs-ref: dir:.\n", "")
            .replace("  annotations:\n", ""),
    );
    server.wait_for(
        "/catalog/default/component/gamma/",
        "a new repository",
        |b| b.contains("The third") && b.contains("alpha"),
    );
    // A repository removed.
    std::fs::remove_dir_all(org.path().join("repos/beta")).unwrap();
    server.wait_for(BETA_PAGE, "beta gone", |b| b.contains("Page not found"));
    assert_eq!(server.get(BETA_PAGE).0, 404, "{}", server.log());
    let link_to_beta = "href=\"../../../../catalog/default/component/beta/index.html\"";
    server.wait_for(ALPHA_PAGE, "no link to beta", |b| !b.contains(link_to_beta));
}

/// Pages' texts are kept between rebuilds and read again only after the
/// watcher reports a change at the file or at a folder on its way: each
/// kind of change must still reach the page.
#[cfg(unix)]
#[test]
fn page_texts_are_read_again_after_every_change_that_reaches_them() {
    let org = org();
    let server = Server::start(org.path(), &["repos"]);
    let guide = format!("{ALPHA_DOCS}guide/");
    server.wait_for(&guide, "the guide", |b| b.contains("A guide."));
    for words in ["Edit one.", "Edit two."] {
        org.file(
            "repos/alpha/docs/guide.md",
            &format!("# Guide\n\n{words}\n"),
        );
        server.wait_for(&guide, words, |b| b.contains(words));
    }
    // Another page edited: the guide's kept text is the last one written.
    org.file("repos/alpha/docs/index.md", "# Alpha\n\nOther page.\n");
    server.wait_for(ALPHA_DOCS, "the other page", |b| b.contains("Other page."));
    assert!(server.get(&guide).2.contains("Edit two."));
    // The page replaced by a link inside the repository, then the link's
    // target edited: the change is reported at the target, not the page.
    org.file("repos/alpha/shared/guide.md", "# Guide\n\nLinked words.\n");
    let page = org.path().join("repos/alpha/docs/guide.md");
    std::fs::remove_file(&page).unwrap();
    std::os::unix::fs::symlink("../shared/guide.md", &page).unwrap();
    server.wait_for(&guide, "the linked text", |b| b.contains("Linked words."));
    org.file("repos/alpha/shared/guide.md", "# Guide\n\nLinked again.\n");
    server.wait_for(&guide, "the target's edit", |b| b.contains("Linked again."));
    // The page made a hard link of another file, which is then written in
    // place through its other name: the change is reported there.
    std::fs::remove_file(&page).unwrap();
    let other = org.path().join("repos/alpha/shared/other.md");
    std::fs::write(&other, "# Guide\n\nHard linked.\n").unwrap();
    std::fs::hard_link(&other, &page).unwrap();
    server.wait_for(&guide, "the hard link's text", |b| {
        b.contains("Hard linked.")
    });
    std::fs::OpenOptions::new()
        .append(true)
        .open(&other)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"\nWritten through the other name.\n"))
        .unwrap();
    server.wait_for(&guide, "the write through the other name", |b| {
        b.contains("Written through the other name.")
    });
    // The docs folder moved away and a new one made in its place.
    let docs = org.path().join("repos/alpha/docs");
    std::fs::rename(&docs, org.path().join("repos/alpha/docs-old")).unwrap();
    org.file("repos/alpha/docs/index.md", "# Alpha\n\nNew folder.\n")
        .file(
            "repos/alpha/docs/guide.md",
            "# Guide\n\nNew folder's guide.\n",
        );
    server.wait_for(ALPHA_DOCS, "the new folder's index", |b| {
        b.contains("New folder.")
    });
    server.wait_for(&guide, "the new folder's guide", |b| {
        b.contains("New folder's guide.")
    });
}

#[test]
fn a_mistake_is_shown_over_the_page_and_the_last_good_page_stays() {
    let org = org();
    let server = Server::start(org.path(), &["repos"]);
    let (_, _, problems) = server.get("/__portico/problems.json");
    assert_eq!(problems, "[]");
    org.file(
        "repos/beta/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: [beta\n",
    );
    let problems = server.wait_for("/__portico/problems.json", "the YAML error", |b| {
        b.contains("yaml-syntax")
    });
    assert!(
        problems.contains("\"path\":\"repos/beta/catalog-info.yaml\""),
        "{problems}"
    );
    assert!(problems.contains("\"hint\""), "{problems}");
    let (status, _, page) = server.get(BETA_PAGE);
    assert_eq!(status, 200, "the last good page stays");
    assert!(page.contains("The second"));
    assert!(server.log().contains("yaml-syntax"), "{}", server.log());
    // The last good entity stays in the catalog too (the lists, relations
    // and catalog.json lost it; only its own page stayed), as Backstage
    // keeps an entity whose file stops processing.
    std::thread::sleep(Duration::from_millis(1500));
    let (_, _, catalog) = server.get("/catalog.json");
    assert!(catalog.contains("The second"), "{catalog}");
    let (_, _, alpha) = server.get(ALPHA_PAGE);
    assert!(
        alpha.contains("component/beta/"),
        "alpha still links beta: {alpha}"
    );
    // The fix clears it.
    org.file(
        "repos/beta/catalog-info.yaml",
        &component("beta", "Fixed", ""),
    );
    server.wait_for("/__portico/problems.json", "no problem", |b| b == "[]");
    server.wait_for(BETA_PAGE, "the fix", |b| b.contains("Fixed"));
}

/// The theme is loaded again when a file of it changes: a stylesheet, a
/// template; a template that no longer loads is shown over the page and
/// the last good theme stays, until the fix.
#[test]
fn theme_edits_are_served_without_a_restart() {
    let org = org();
    org.file("theme/static/custom.css", "body { color: navy; }\n");
    let server = Server::start(org.path(), &["repos", "--theme", "theme"]);
    let (status, _, css) = server.get("/assets/custom.css");
    assert_eq!((status, css.as_str()), (200, "body { color: navy; }\n"));
    org.file("theme/static/custom.css", "body { color: teal; }\n");
    server.wait_for("/assets/custom.css", "the edited stylesheet", |b| {
        b.contains("teal")
    });
    // A template overriding the entity page.
    let entity = std::fs::read_to_string(
        crate::support::crate_dir().join("themes/default/templates/entity.html"),
    )
    .unwrap();
    org.file(
        "theme/templates/entity.html",
        &format!("<!-- our entity page -->\n{entity}"),
    );
    server.wait_for(ALPHA_PAGE, "the theme's template", |b| {
        b.contains("<!-- our entity page -->")
    });
    // A template that does not load: a problem, the last good theme kept.
    org.file("theme/templates/entity.html", "{% if %}broken");
    let problems = server.wait_for("/__portico/problems.json", "the theme error", |b| {
        b.contains("\"theme\"")
    });
    assert!(problems.contains("entity.html"), "{problems}");
    assert!(
        server
            .get(ALPHA_PAGE)
            .2
            .contains("<!-- our entity page -->")
    );
    org.file(
        "theme/templates/entity.html",
        &format!("<!-- fixed entity page -->\n{entity}"),
    );
    server.wait_for("/__portico/problems.json", "no problem", |b| b == "[]");
    server.wait_for(ALPHA_PAGE, "the fixed template", |b| {
        b.contains("<!-- fixed entity page -->")
    });
}

/// `portico.toml` is read again when it changes: a new title shows on every
/// page, a file that no longer loads is shown over the page with the last
/// good settings kept, new roots are built and watched, and a logo kept
/// outside the roots is watched too.
#[test]
fn settings_edits_are_served_without_a_restart() {
    let org = org();
    org.file(
        "portico.toml",
        "roots = [\"repos\"]\n[site]\ntitle = \"First Portal\"\n",
    )
    .file(
        "more/gamma/catalog-info.yaml",
        &component("gamma", "The third", ""),
    )
    .file("more/gamma/mkdocs.yml", "site_name: Gamma\n")
    .file("more/gamma/docs/index.md", "# Gamma\n")
    .file(
        "brand/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><title>one</title></svg>",
    );
    let server = Server::start(org.path(), &[]);
    assert!(server.get("/").2.contains("First Portal"));
    // Saved in place.
    org.file(
        "portico.toml",
        "roots = [\"repos\"]\n[site]\ntitle = \"Second Portal\"\n",
    );
    server.wait_for(ALPHA_DOCS, "the new title", |b| b.contains("Second Portal"));
    server.wait_for("/", "the new title", |b| b.contains("Second Portal"));
    // A key Portico does not know: an error, the last good settings kept.
    org.file(
        "portico.toml",
        "roots = [\"repos\"]\n[site]\ntitel = \"Typo\"\n",
    );
    let problems = server.wait_for("/__portico/problems.json", "the settings error", |b| {
        b.contains("\"config\"")
    });
    assert!(problems.contains("titel"), "{problems}");
    // Placed as other problems are: the file, line and column.
    assert!(
        problems.contains("\"path\":\"portico.toml\",\"line\":3,\"column\":1"),
        "{problems}"
    );
    assert!(server.get(ALPHA_PAGE).2.contains("Second Portal"));
    // Saved as editors do, a new file renamed over the old one: new roots
    // and a logo outside them.
    let saved = org.path().join("portico.toml.new");
    std::fs::write(
        &saved,
        "roots = [\"repos\", \"more\"]\n[site]\ntitle = \"Third Portal\"\nlogo = \"brand/logo.svg\"\n",
    )
    .unwrap();
    std::fs::rename(&saved, org.path().join("portico.toml")).unwrap();
    server.wait_for("/__portico/problems.json", "no problem", |b| b == "[]");
    server.wait_for(
        "/catalog/default/component/gamma/",
        "the new root's entity",
        |b| b.contains("The third") && b.contains("Third Portal"),
    );
    server.wait_for("/assets/logo.svg", "the logo", |b| {
        b.contains("<title>one</title>")
    });
    // The new root is watched, and so is the logo's folder.
    org.file(
        "more/gamma/catalog-info.yaml",
        &component("gamma", "The third, edited", ""),
    );
    server.wait_for(
        "/catalog/default/component/gamma/",
        "the edit in the new root",
        |b| b.contains("The third, edited"),
    );
    org.file(
        "brand/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><title>two</title></svg>",
    );
    server.wait_for("/assets/logo.svg", "the edited logo", |b| {
        b.contains("<title>two</title>")
    });
    // A root named before it exists: an error until it is made, then
    // built and watched.
    org.file(
        "portico.toml",
        "roots = [\"repos\", \"more\", \"later\"]\n[site]\ntitle = \"Third Portal\"\n",
    );
    server.wait_for("/__portico/problems.json", "the missing root", |b| {
        b.contains("later")
    });
    // A component without docs, described as given, is written and served.
    let delta = |description: &str, what: &str| {
        org.file(
            "later/delta/catalog-info.yaml",
            &component("delta", description, "")
                .replace("  annotations:\n    backstage.io/techdocs-ref: dir:.\n", ""),
        );
        server.wait_for("/catalog/default/component/delta/", what, |b| {
            b.contains(description)
        });
    };
    delta("The fourth", "the later root's entity");
    delta("The fourth, edited", "the edit in the later root");
    server.wait_for("/__portico/problems.json", "no problem", |b| b == "[]");
    assert!(
        server.log().contains("portico.toml changed"),
        "{}",
        server.log()
    );
}

#[test]
fn only_the_site_is_served() {
    let org = org();
    std::os::unix::fs::symlink("/etc", org.path().join("repos/alpha/docs/etc")).unwrap();
    let server = Server::start(org.path(), &["repos"]);
    for path in [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/docs/%2e%2e%2f%2e%2e%2fetc/passwd",
        "/docs/default/component/alpha/etc/passwd",
        "/docs/..%5c..%5cetc/passwd",
        "//etc/passwd",
    ] {
        let (status, _, body) = server.get(path);
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("root:"), "{path}");
    }
    let (status, head, _) = server.get("/assets/portico.css");
    assert_eq!(status, 200);
    assert!(head.contains("text/css"), "{head}");
    let (status, head, _) = server.get("/docs/default/component/alpha");
    assert_eq!(status, 301, "a folder without its slash is redirected");
    assert!(
        head.contains("location: /docs/default/component/alpha/"),
        "{head}"
    );
    let (_, head, _) = server.get("/docs/default/component/alpha?q=1");
    assert!(
        head.contains("location: /docs/default/component/alpha/?q=1"),
        "the query goes along: {head}"
    );
    let address = server.address.clone();
    for method in ["POST", "OPTIONS", "DELETE"] {
        let (status, head, _) = server.request(method, "/assets/portico.css", &address);
        assert_eq!(status, 405, "{method}");
        assert!(head.contains("allow: GET, HEAD"), "{method}: {head}");
    }
}

#[test]
fn open_pages_are_told_what_changed() {
    let org = org();
    let server = Server::start(org.path(), &["repos"]);
    // Let the stream open before the edit.
    let (mut reader, head) = open_events(&server);
    assert!(head.contains("200"), "{head}");
    let mut line = String::new();
    org.file("repos/alpha/docs/guide.md", "# Guide\n\nChanged guide.\n");
    let started = Instant::now();
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line.starts_with("data:")
            && line.contains("docs/default/component/alpha/guide/index.html")
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no event: {}",
            server.log()
        );
    }
}

/// The event id in a served page, and the event lines (`id:` and `data:`)
/// up to the first `data:` line of a stream.
pub fn page_since(page: &str) -> String {
    let start = page
        .find("data-since=\"")
        .expect("a page carries its event id")
        + 12;
    let end = start + page[start..].find('"').unwrap();
    page[start..end].to_string()
}

/// An event id's run and number (`RUN.N`).
pub fn event_number(id: &str) -> Option<(&str, u64)> {
    let (run, number) = id.rsplit_once('.')?;
    Some((run, number.parse().ok()?))
}

fn first_event(reader: &mut BufReader<TcpStream>) -> String {
    let mut event = String::new();
    loop {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the stream ended");
        if line.starts_with("id:") || line.starts_with("data:") {
            event.push_str(&line);
        }
        if line.starts_with("data:") {
            return event;
        }
    }
}

/// A page's stream opens a moment after the page loads: a build in that
/// moment was never told to it, and the page stayed old. Now the page
/// names the announcement of the site it is from, and its stream first
/// tells it what changed since; a reconnecting browser's `Last-Event-ID`
/// wins over it, and an id of another run of the server reloads every page.
#[test]
fn a_stream_opened_late_is_told_what_changed_since_its_page() {
    let org = org();
    let server = Server::start(org.path(), &["repos", "--no-search"]);
    let (_, _, page) = server.get("/docs/default/component/alpha/guide/");
    let since = page_since(&page);
    org.file("repos/alpha/docs/guide.md", "# Guide\n\nChanged guide.\n");
    let now = server.wait_for("/docs/default/component/alpha/guide/", "the edit", |b| {
        b.contains("Changed guide")
    });
    let (mut reader, head) =
        open_events_at(&server, &format!("/__portico/events?since={since}"), "");
    assert!(head.contains("200"), "{head}");
    let missed = first_event(&mut reader);
    assert!(
        missed.contains("\"docs/default/component/alpha/guide/index.html\""),
        "{missed}"
    );
    let told = missed
        .lines()
        .find_map(|l| l.strip_prefix("id:"))
        .unwrap()
        .trim()
        .to_string();
    // The site it caught up to: the page's now, or a later one (the lists
    // of the same build may come after).
    let now = page_since(&now);
    let (run, number) = event_number(&told).unwrap();
    let (now_run, now_number) = event_number(&now).unwrap();
    assert_eq!(run, now_run);
    assert!(number >= now_number, "{told} {now}");

    // Reconnecting with the id it was last sent: only what came after.
    org.file("repos/beta/docs/index.md", "# Beta\n\nEdited beta.\n");
    server.wait_for("/docs/default/component/beta/", "the edit", |b| {
        b.contains("Edited beta")
    });
    let (mut reader, _) = open_events_at(
        &server,
        &format!("/__portico/events?since={since}"),
        &format!("Last-Event-ID: {told}\r\n"),
    );
    let missed = first_event(&mut reader);
    assert!(missed.contains("component/beta/index.html"), "{missed}");
    assert!(!missed.contains("alpha/guide"), "{missed}");

    // A page of an earlier run of the server: anything may have changed.
    let (mut reader, _) = open_events_at(&server, "/__portico/events?since=0-1.3", "");
    let missed = first_event(&mut reader);
    assert!(missed.contains("\"changed\":\"*\""), "{missed}");
}

/// A stream opened with the id of the page as served is told nothing
/// first (a page told of its own content, or of everything, would reload
/// for ever), and then the next change.
#[test]
fn a_stream_opened_with_its_page_s_id_is_told_only_what_comes_next() {
    let org = org();
    let server = Server::start(org.path(), &["repos", "--no-search"]);
    let (_, _, page) = server.get("/docs/default/component/alpha/guide/");
    let since = page_since(&page);
    let (mut reader, head) =
        open_events_at(&server, &format!("/__portico/events?since={since}"), "");
    assert!(head.contains("200"), "{head}");
    org.file("repos/beta/docs/index.md", "# Beta\n\nNext words.\n");
    let next = first_event(&mut reader);
    assert!(next.contains("component/beta/index.html"), "{next}");
    assert!(!next.contains("\"*\""), "{next}");
    assert!(!next.contains("alpha/guide"), "{next}");
}

/// vim's save: the file renamed to its backup `guide.md~`, the new text
/// written, and the backup deleted once synced, later than the watcher's
/// quiet time. The backup was published for a moment (an extra build, and
/// a change every open page was told of).
#[test]
fn a_saves_backup_is_never_published() {
    let org = org();
    let server = Server::start(org.path(), &["repos", "--no-search"]);
    let (mut reader, head) = open_events(&server);
    assert!(head.contains("200"), "{head}");
    let docs = org.path().join("repos/alpha/docs");
    std::fs::rename(docs.join("guide.md"), docs.join("guide.md~")).unwrap();
    std::fs::write(docs.join("guide.md"), "# Guide\n\nSaved by vim.\n").unwrap();
    std::thread::sleep(Duration::from_millis(70));
    std::fs::remove_file(docs.join("guide.md~")).unwrap();
    let mut events = String::new();
    let started = Instant::now();
    let mut line = String::new();
    while !events.contains("alpha/guide/index.html") {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line.starts_with("data:") {
            events.push_str(&line);
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no event: {}",
            server.log()
        );
    }
    // Any later event of the same save comes within the watcher's time.
    reader
        .get_ref()
        .set_read_timeout(Some(Duration::from_millis(800)))
        .unwrap();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
        if line.starts_with("data:") {
            events.push_str(&line);
        }
        line.clear();
    }
    assert!(!events.contains("guide.md~"), "{events}");
}

#[test]
fn a_taken_port_is_a_usage_error() {
    let org = org();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let run = org.run(&["serve", "repos", "--port", &port]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("choose another port"), "{}", run.stderr);
}

/// The search index is written to a scratch folder in the temporary folder
/// (for `portico search --site`); SIGTERM stops the server cleanly, and the
/// folder goes with it.
#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_and_removes_its_scratch_folder() {
    let org = org();
    let mut child = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(["serve", "repos", "--port", "0"])
        .current_dir(org.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("portico serve starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let (mut serving, mut search) = (String::new(), String::new());
    stdout.read_line(&mut serving).unwrap();
    stdout.read_line(&mut search).unwrap();
    assert!(
        serving.starts_with("Serving http://127.0.0.1:"),
        "{serving}"
    );
    let site = search
        .trim()
        .strip_prefix("Search it from the terminal: portico search --site ")
        .and_then(|rest| rest.strip_suffix(" QUERY"))
        .unwrap_or_else(|| panic!("no site folder in {search:?}"));
    let scratch = std::path::Path::new(site).parent().unwrap().to_path_buf();
    let name = scratch.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("portico-serve-"), "{}", scratch.display());
    assert!(scratch.is_dir());
    // Stopped while the build of an edit may be writing its search index
    // there: the folder went before that build was done with it.
    org.file(
        "repos/beta/docs/index.md",
        "# Beta\n\nEdited just before.\n",
    );
    std::thread::sleep(std::time::Duration::from_millis(60));
    let status = stop(&mut child).expect("the server stops on SIGTERM");
    assert!(status.success(), "{status:?}");
    assert!(!scratch.exists(), "{} is left behind", scratch.display());
}

/// Pages `draft_docs` names are previewed, marked as drafts, as `mkdocs
/// serve` shows them; `portico build` leaves them out.
#[test]
fn drafts_are_previewed_and_marked_but_not_built() {
    let org = org();
    org.file(
        "repos/alpha/mkdocs.yml",
        "site_name: Alpha\ndraft_docs: |\n  wip.md\n",
    )
    .file(
        "repos/alpha/docs/wip.md",
        "# Work in progress\n\nNot yet.\n",
    );
    let server = Server::start(org.path(), &["repos"]);
    let (status, _, wip) = server.get(&format!("{ALPHA_DOCS}wip/"));
    assert_eq!(status, 200, "{}", server.log());
    assert!(wip.contains("Not yet.") && wip.contains("class=\"version-banner draft-banner\""));
    let (_, _, home) = server.get(ALPHA_DOCS);
    // As in `mkdocs serve`, a draft is no part of the nav MkDocs makes.
    assert!(!home.contains("Work in progress"), "{home}");
    assert!(!home.contains("draft-banner"), "{home}");
    // Published: the banner goes, the page stays, and joins the nav.
    org.file("repos/alpha/mkdocs.yml", "site_name: Alpha\n");
    server.wait_for(&format!("{ALPHA_DOCS}wip/"), "the page published", |b| {
        b.contains("Not yet.") && !b.contains("draft-banner")
    });
    server.wait_for(ALPHA_DOCS, "the page in the nav", |b| {
        b.contains("Work in progress")
    });
    drop(server);
    org.file(
        "repos/alpha/mkdocs.yml",
        "site_name: Alpha\ndraft_docs: |\n  wip.md\n",
    );
    org.run(&["build", "repos", "--out", "site"]);
    let site = org.path().join("site/docs/default/component/alpha");
    assert!(site.join("index.html").is_file());
    assert!(!site.join("wip").exists(), "a draft was built");
}

/// Opens the live-reload stream an open page holds: the stream, with the
/// response's head read.
fn open_events(server: &Server) -> (BufReader<TcpStream>, String) {
    open_events_at(server, "/__portico/events", "")
}

/// Opens `path`, a live-reload stream, with `headers` (each ending in
/// CRLF): the stream, with the response's head read.
fn open_events_at(server: &Server, path: &str, headers: &str) -> (BufReader<TcpStream>, String) {
    let mut stream = TcpStream::connect(&server.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {}\r\n{headers}\r\n",
        server.address
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    (reader, head)
}

/// An open page holds a live-reload stream: SIGTERM (or Ctrl-C) still
/// stops the server at once, instead of waiting for the page to close.
#[cfg(unix)]
#[test]
fn the_server_stops_with_pages_open() {
    let org = org();
    let mut server = Server::start(org.path(), &["repos"]);
    let (_open_page, head) = open_events(&server);
    assert!(head.contains("200"), "{head}");
    let status = stop(&mut server.child).expect("the server stops with a page open");
    assert!(status.success(), "{status:?}");
}

/// The last good pages of an entity whose catalog file broke stay served
/// until it is fixed, through other saves meanwhile.
#[test]
fn a_broken_entitys_pages_stay_through_other_saves() {
    let org = org();
    let server = Server::start(org.path(), &["repos"]);
    org.file(
        "repos/alpha/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: alpha\n  description: [unclosed\n",
    );
    server.wait_for("/__portico/problems.json", "the YAML error", |b| {
        b.contains("yaml-syntax")
    });
    for round in 1..=2 {
        org.file(
            "repos/beta/docs/index.md",
            &format!("# Beta\n\nBeta words, saved {round}.\n"),
        );
        server.wait_for("/docs/default/component/beta/", "the save", |b| {
            b.contains(&format!("saved {round}"))
        });
        for page in [ALPHA_PAGE, ALPHA_DOCS] {
            let (status, _, body) = server.get(page);
            assert_eq!(status, 200, "{page} after save {round}:\n{}", server.log());
            assert!(body.contains("First") || body.contains("Alpha"), "{body}");
        }
    }
    org.file(
        "repos/alpha/catalog-info.yaml",
        &component("alpha", "Fixed alpha", ""),
    );
    server.wait_for(ALPHA_PAGE, "the fix", |b| b.contains("Fixed alpha"));
}

/// A page kept for an error is dropped when that error is fixed, though
/// another repository's error remains: it stayed served for as long as
/// any error was left anywhere.
#[test]
fn a_kept_page_goes_when_its_own_error_is_fixed() {
    let org = org();
    org.file(
        "repos/alpha/mkdocs.yml",
        "site_name: Alpha\nnav:\n  - index.md\n  - guide.md\n",
    )
    .file(
        "repos/gamma/catalog-info.yaml",
        "metadata:\n  name: [gamma\n",
    );
    let server = Server::start(org.path(), &["repos"]);
    let guide = format!("{ALPHA_DOCS}guide/");
    assert_eq!(server.get(&guide).0, 200);
    std::fs::rename(
        org.path().join("repos/alpha/docs/guide.md"),
        org.path().join("repos/alpha/docs/manual.md"),
    )
    .unwrap();
    server.wait_for("/__portico/problems.json", "the nav error", |b| {
        b.contains("guide.md")
    });
    assert_eq!(server.get(&guide).0, 200, "kept while the nav is wrong");
    org.file(
        "repos/alpha/mkdocs.yml",
        "site_name: Alpha\nnav:\n  - index.md\n  - manual.md\n",
    );
    let problems = server.wait_for("/__portico/problems.json", "the nav fixed", |b| {
        !b.contains("guide.md")
    });
    assert!(problems.contains("yaml-syntax"), "{problems}");
    assert_eq!(server.get(&format!("{ALPHA_DOCS}manual/")).0, 200);
    assert_eq!(server.get(&guide).0, 404, "{}", server.log());
}

/// A warning a save brings (a broken link just typed) is printed, as
/// errors are: only errors were.
#[test]
fn new_warnings_are_printed() {
    let org = org();
    let server = Server::start(org.path(), &["repos"]);
    org.file(
        "repos/alpha/docs/guide.md",
        "# Guide\n\nA guide, see [missing](does-not-exist.md).\n",
    );
    server.wait_for(&format!("{ALPHA_DOCS}guide/"), "the save", |b| {
        b.contains("missing")
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !server.log().contains("does-not-exist.md") {
        assert!(std::time::Instant::now() < deadline, "{}", server.log());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        server.log().contains("warning[broken-link]"),
        "{}",
        server.log()
    );
}

/// A temporary folder inside a watched root (`TMPDIR=$HOME/tmp` serving
/// `~`) is the server's own: its search index written there rebuilt the
/// site for ever.
#[test]
fn the_servers_own_folder_inside_a_root_is_no_change() {
    let org = org();
    std::fs::create_dir_all(org.path().join("repos/tmp")).unwrap();
    let tmp = org.path().join("repos/tmp");
    let server = Server::start_with(org.path(), &["repos"], &[("TMPDIR", tmp.to_str().unwrap())]);
    std::thread::sleep(std::time::Duration::from_secs(2));
    let rebuilt = server.log().matches("Rebuilt").count();
    assert_eq!(rebuilt, 0, "{}", server.log());
    // Edits are still seen.
    org.file("repos/beta/docs/index.md", "# Beta\n\nStill watched.\n");
    server.wait_for("/docs/default/component/beta/", "the edit", |b| {
        b.contains("Still watched")
    });
}

/// With no site yet (no repository found), every path is a page that
/// shows the error and reloads once a build makes the site (it was a plain
/// `not found`, with no error and no reload); run in a repository's
/// `docs/` with no ROOT, the repository is previewed.
#[test]
fn no_site_yet_is_a_page_and_a_repositorys_subfolder_previews_it() {
    let org = Org::new();
    std::fs::create_dir_all(org.path().join("empty")).unwrap();
    let server = Server::start(&org.path().join("empty"), &[]);
    let (status, head, body) = server.get("/");
    assert_eq!(status, 404);
    assert!(head.contains("text/html"), "{head}");
    assert!(body.contains("/__portico/live.js"), "{body}");
    let (_, _, problems) = server.get("/__portico/problems.json");
    assert!(problems.contains("no repositories found"), "{problems}");
    org.file(
        "empty/svc/catalog-info.yaml",
        &component("svc", "Now here", ""),
    );
    server.wait_for(
        "/catalog/default/component/svc/",
        "the new repository",
        |b| b.contains("Now here"),
    );
    drop(server);

    let repo = org.path().join("repo");
    org.file("repo/catalog-info.yaml", &component("repo", "The repo", ""))
        .file("repo/mkdocs.yml", "site_name: Repo\n")
        .file("repo/docs/index.md", "# Repo\n\nFrom its docs folder.\n");
    crate::support::commit_all(&repo, "main", "first");
    let server = Server::start(&repo.join("docs"), &[]);
    server.wait_for(
        "/docs/default/component/repo/",
        "the repository's docs",
        |b| b.contains("From its docs folder"),
    );
}

/// Files beside `portico.toml` that no build reads are no change: the
/// server's own output logged there would otherwise rebuild the site for
/// every line it writes, for ever.
#[test]
fn a_log_beside_the_settings_is_no_change() {
    let org = org();
    let server = Server::start(org.path(), &["repos"]);
    for line in 0..10 {
        let mut log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(org.path().join("serve.log"))
            .unwrap();
        writeln!(log, "line {line}").unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(!server.log().contains("Rebuilt"), "{}", server.log());
    org.file("portico.toml", "[site]\ntitle = \"Renamed\"\n");
    server.wait_for("/", "the new title", |b| b.contains("Renamed"));
}

/// A root deleted and made again is watched again: an edit after shows.
#[test]
fn a_root_deleted_and_made_again_is_watched_again() {
    let org = org();
    let server = Server::start(org.path(), &["repos"]);
    crate::support::copy_dir(&org.path().join("repos"), &org.path().join("saved"));
    std::fs::remove_dir_all(org.path().join("repos")).unwrap();
    server.wait_for("/__portico/problems.json", "the missing root", |b| {
        b != "[]"
    });
    crate::support::copy_dir(&org.path().join("saved"), &org.path().join("repos"));
    server.wait_for("/__portico/problems.json", "no problem", |b| b == "[]");
    org.file(
        "repos/alpha/docs/guide.md",
        "# Guide\n\nAfter the root came back.\n",
    );
    server.wait_for("/docs/default/component/alpha/guide/", "the edit", |b| {
        b.contains("After the root came back")
    });
}

/// A preview on this machine answers only requests naming it as their
/// host (a page elsewhere could point its own name at 127.0.0.1), and
/// every response, axum's own included, is neither stored nor sniffed.
#[test]
fn only_requests_for_this_machine_are_answered_and_none_is_stored() {
    let org = org();
    let server = Server::start(org.path(), &["repos"]);
    let port = server.address.rsplit(':').next().unwrap().to_string();
    for host in [
        "evil.example",
        &format!("evil.example:{port}"),
        "127.0.0.1:1",
        "",
    ] {
        let (status, _, body) = server.request("GET", "/catalog.json", host);
        assert_eq!(status, 421, "Host: {host}");
        assert!(!body.contains("alpha"), "{body}");
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "localhost".into(),
    ] {
        let (status, _, _) = server.request("GET", "/catalog.json", &host);
        assert_eq!(status, 200, "Host: {host}");
    }
    let (status, head, _) = server.request("POST", "/__portico/problems.json", &server.address);
    assert_eq!(status, 405);
    assert!(
        head.to_lowercase().contains("cache-control: no-store"),
        "{head}"
    );
    let (_stream, head) = open_events(&server);
    assert!(
        head.to_lowercase().contains("cache-control: no-store"),
        "{head}"
    );
}
