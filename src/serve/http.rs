//! The preview's HTTP side: the current site from memory, the live-reload
//! script, its event stream, and the last build's problems. Only the site
//! is served: a path is decoded once, and any `..`, `.`, empty segment,
//! backslash or encoded slash is refused before the site is looked at (the
//! site is a map in memory, so no path ever reaches the file system).

use super::{Announcement, Seen, Served, Shared};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures_util::Stream;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

/// The script every served page loads: reloads on a change to it, keeps
/// the scroll position, shows the last build's problems.
const LIVE_SCRIPT: &str = include_str!("../../themes/default/static/live.js");
/// Where the preview's own endpoints live; no site path starts so.
pub const PREFIX: &str = "/__portico/";

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/__portico/events", get(events))
        .route("/__portico/live.js", get(live_script))
        .route("/__portico/problems.json", get(problems))
        .fallback(site_file)
        .layer(axum::middleware::map_response(every_response))
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            only_named_hosts,
        ))
        .with_state(shared)
}

/// What every response carries, whichever part of the server (or axum
/// itself: a 405) made it: never stored, never sniffed.
async fn every_response(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// A server only this machine can reach answers only requests naming it
/// (`localhost`, its address) as their host: a web page whose own name
/// was pointed at 127.0.0.1 (DNS rebinding) would otherwise read the
/// preview, and its problems' absolute paths, as its own.
async fn only_named_hosts(
    State(shared): State<Arc<Shared>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request
        .uri()
        .authority()
        .map(|a| a.as_str().to_string())
        .or_else(|| {
            let value = request.headers().get(header::HOST)?;
            value.to_str().ok().map(str::to_string)
        });
    if shared.address.ip().is_loopback()
        && !host
            .as_deref()
            .is_some_and(|h| is_own_host(h, shared.address))
    {
        return respond(
            StatusCode::MISDIRECTED_REQUEST,
            "text/plain; charset=utf-8",
            "this preview answers requests for localhost and its own address only\n",
        );
    }
    next.run(request).await
}

/// Whether `host` (a Host header: a name or address, and maybe a port)
/// names the loopback server at `address`.
pub fn is_own_host(host: &str, address: std::net::SocketAddr) -> bool {
    let (name, port) = match host.rsplit_once(':') {
        // `[::1]:8000`, `127.0.0.1:8000`, `localhost:8000`; not `::1` alone.
        Some((name, port)) if !name.contains(':') || name.ends_with(']') => (name, Some(port)),
        _ => (host, None),
    };
    if port.is_some_and(|p| p.parse::<u16>().ok() != Some(address.port())) {
        return false;
    }
    let name = name.trim_start_matches('[').trim_end_matches(']');
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip == address.ip() || ip.is_loopback())
}

/// What the preview sends with every response.
fn respond(status: StatusCode, content_type: &str, body: impl Into<Body>) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

async fn live_script() -> Response {
    respond(
        StatusCode::OK,
        "text/javascript; charset=utf-8",
        LIVE_SCRIPT,
    )
}

async fn problems(State(shared): State<Arc<Shared>>) -> Response {
    let served = shared.current();
    let json = serde_json::to_string(&served.problems).unwrap_or_else(|_| "[]".into());
    respond(StatusCode::OK, "application/json", json)
}

/// Server-sent events: an event per announcement of what changed, with
/// its id, until the server stops (an open page's stream would otherwise
/// hold a stopping server up for as long as the page stays open). First,
/// what the page missed after the announcement it names: the
/// `Last-Event-ID` its browser sends when reconnecting, else `?since=`,
/// the id it was served with. A stream naming none is told what changes
/// from now on.
async fn events(
    State(shared): State<Arc<Shared>>,
    headers: axum::http::HeaderMap,
    uri: Uri,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let last_event = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .filter(|id| !id.is_empty());
    let seen = last_event
        .or_else(|| query_value(uri.query(), "since"))
        .filter(|id| !id.is_empty());
    // Subscribed before the missed changes are worked out: an
    // announcement made in between is received, and skipped as seen.
    let receiver = shared.events.subscribe();
    let (delivered, missed) = shared.missed(seen.map_or(Seen::Now, Seen::Id));
    let stream = futures_util::stream::unfold(
        PageStream {
            shared: shared.clone(),
            receiver,
            stopping: shared.stopping.clone(),
            delivered,
            missed,
        },
        |mut state| async move {
            let event = state.next().await?;
            Some((Ok(event), state))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// One open page's event stream.
struct PageStream {
    shared: Arc<Shared>,
    receiver: tokio::sync::broadcast::Receiver<Announcement>,
    stopping: tokio::sync::watch::Receiver<bool>,
    /// The number of the last announcement the page has been told of.
    delivered: u64,
    /// What the page missed, to be sent first.
    missed: Option<String>,
}

impl PageStream {
    /// The next event to send; `None` when the server stops.
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(message) = self.missed.take() {
                return Some(self.event(self.delivered, &message));
            }
            if *self.stopping.borrow() {
                return None;
            }
            let received = tokio::select! {
                received = self.receiver.recv() => received,
                _ = self.stopping.changed() => return None,
            };
            match received {
                // Told already, with what was missed.
                Ok(announced) if announced.number <= self.delivered => {}
                Ok(announced) => {
                    self.delivered = announced.number;
                    return Some(self.event(announced.number, &announced.message));
                }
                // Announcements were dropped from the channel: what they
                // said is in the log.
                Err(RecvError::Lagged(_)) => {
                    (self.delivered, self.missed) =
                        self.shared.missed(Seen::Number(self.delivered));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }

    fn event(&self, number: u64, message: &str) -> Event {
        Event::default()
            .id(self.shared.event_id(number))
            .data(message)
    }
}

/// The value of `name` in a query string (`a=1&since=x`), undecoded: the
/// values read here are ids, never escaped.
fn query_value<'q>(query: Option<&'q str>, name: &str) -> Option<&'q str> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

async fn site_file(State(shared): State<Arc<Shared>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut response = respond(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            "only GET and HEAD\n",
        );
        // A 405 says what is allowed (RFC 9110, 15.5.6).
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let served = shared.current();
    let Some(path) = site_path(uri.path()) else {
        return not_found(&shared, &served);
    };
    match served.files.get(&path) {
        Some(bytes) if path.ends_with(".html") => {
            let since = shared.event_id(served.event);
            respond(
                StatusCode::OK,
                content_type(&path),
                with_live_script(bytes, &since),
            )
        }
        Some(bytes) => respond(StatusCode::OK, content_type(&path), bytes.to_vec()),
        // `guide` for `guide/`: the folder's page, with the slash its links need.
        None if served.files.contains_key(&format!("{path}/index.html")) => {
            let mut response = respond(StatusCode::MOVED_PERMANENTLY, "text/plain", "");
            // The query goes along (`/docs?x=1` is `/docs/?x=1`).
            let query = uri.query().map_or(String::new(), |q| format!("?{q}"));
            if let Ok(location) = HeaderValue::from_str(&format!("{}/{query}", uri.path())) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        None => not_found(&shared, &served),
    }
}

/// What every path shows while no build has made a site (no repository
/// found, a root gone at start): a page, so the live script shows the
/// errors over it and reloads it once a build makes the site.
const NO_SITE_YET: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>No preview yet</title></head><body><h1>No preview yet</h1><p>No build has made a site yet: the errors are shown below and in the terminal. This page reloads when a build succeeds.</p></body></html>";

fn not_found(shared: &Shared, served: &Served) -> Response {
    let since = shared.event_id(served.event);
    match served.files.get("404.html") {
        Some(page) => respond(
            StatusCode::NOT_FOUND,
            "text/html; charset=utf-8",
            with_live_script(page, &since),
        ),
        None if served.files.is_empty() => respond(
            StatusCode::NOT_FOUND,
            "text/html; charset=utf-8",
            with_live_script(NO_SITE_YET.as_bytes(), &since),
        ),
        None => respond(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "not found\n",
        ),
    }
}

/// The site path a request path names, or `None` when it may not name one:
/// decoded once; no `.` or `..` or empty segment, no backslash, no
/// encoded slash or NUL; a folder means its `index.html`.
pub fn site_path(request: &str) -> Option<String> {
    let raw = request.strip_prefix('/')?;
    let lower = raw.to_ascii_lowercase();
    if raw.contains('\\') || ["%2f", "%5c", "%00"].iter().any(|e| lower.contains(e)) {
        return None;
    }
    let decoded = percent_decode(raw)?;
    let mut path = decoded.clone();
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    let safe = path
        .split('/')
        .all(|part| !part.is_empty() && part != "." && part != "..")
        && !path.contains('\0');
    safe.then_some(path)
}

/// `%XX` decoded; `None` when the result is not UTF-8 or an escape is broken.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The page with the live-reload script in its head, and the id of the
/// announcement of the site it is from (`since`: the script asks for what
/// changed after it; an id is letters, digits, `-` and `.`).
fn with_live_script(page: &[u8], since: &str) -> Vec<u8> {
    let tag = format!("<script src=\"{PREFIX}live.js\" data-since=\"{since}\" defer></script>");
    let text = String::from_utf8_lossy(page);
    let at = text
        .find("</head>")
        .or_else(|| text.find("</body>"))
        .unwrap_or(text.len());
    let mut out = String::with_capacity(text.len() + tag.len());
    out.push_str(&text[..at]);
    out.push_str(&tag);
    out.push_str(&text[at..]);
    out.into_bytes()
}

fn content_type(path: &str) -> &'static str {
    let extension = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "xml" => "application/xml",
        "csv" => "text/csv; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        // Modules and WebAssembly run only with their own types.
        "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "avif" => "image/avif",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "ogg" | "oga" => "audio/ogg",
        "ogv" => "video/ogg",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_site_paths_are_served() {
        assert_eq!(site_path("/").as_deref(), Some("index.html"));
        assert_eq!(
            site_path("/docs/default/component/x/").as_deref(),
            Some("docs/default/component/x/index.html")
        );
        assert_eq!(
            site_path("/docs/caf%C3%A9/index.html").as_deref(),
            Some("docs/café/index.html")
        );
        for bad in [
            "/../etc/passwd",
            "/a/../../x",
            "/%2e%2e/x",
            "/a/%2E%2E/%2e%2e/x",
            "/a%2f..%2fb",
            "/a%5cb",
            "/a\\b",
            "/a//b",
            "/./a",
            "/a%00",
            "/%ff",
            "/%zz",
        ] {
            assert_eq!(site_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_loopback_server_is_named_by_localhost_or_its_address() {
        let v4: std::net::SocketAddr = "127.0.0.1:8000".parse().unwrap();
        let v6: std::net::SocketAddr = "[::1]:8000".parse().unwrap();
        for host in [
            "localhost:8000",
            "LOCALHOST",
            "localhost.:8000",
            "127.0.0.1:8000",
            "127.0.0.1",
            "docs.localhost:8000",
        ] {
            assert!(is_own_host(host, v4), "{host}");
        }
        for host in ["[::1]:8000", "[::1]", "localhost:8000"] {
            assert!(is_own_host(host, v6), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:8000",
            "127.0.0.1:8001",
            "",
            "localhost.evil.example",
            "127.0.0.1.nip.io:8000",
        ] {
            assert!(!is_own_host(host, v4), "{host}");
        }
    }

    #[test]
    fn pages_get_the_live_script_in_their_head() {
        let page = with_live_script(
            b"<html><head><title>x</title></head><body></body></html>",
            "18f-2a.3",
        );
        let page = String::from_utf8(page).unwrap();
        assert!(page.contains(
            "<script src=\"/__portico/live.js\" data-since=\"18f-2a.3\" defer></script></head>"
        ));
    }
}
