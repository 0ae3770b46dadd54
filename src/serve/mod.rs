//! `portico serve`: the portal previewed from memory, rebuilt as files
//! change, and reloaded in the browser.
//!
//! Three parts: the watcher ([`watch`]) reports changed paths; the builder
//! runs the same pipeline as `build` (pages rendered by an earlier build
//! are reused, see `docs::memo`) and swaps the new site in; the HTTP server
//! ([`http`]) serves the current site and tells open pages, over
//! server-sent events, which files changed. A build that brings new errors
//! keeps serving the last good version of any page it lost, and every page
//! shows the errors until they are fixed. Content errors never stop the
//! server.

mod events;
mod http;
mod scratch;
mod settings;
mod watch;

pub use settings::Settings;

use crate::config::Config;
use crate::diagnostics::{self, Diagnostic, Severity};
use crate::pipeline::{self, Fatal};
use crate::render::Look;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// Where and how to serve.
pub struct Options {
    pub host: String,
    pub port: u16,
    /// Open the preview in the default browser once it is served.
    pub open: bool,
    /// Print notes (info diagnostics) too.
    pub verbose: bool,
}

/// The site being served: replaced whole by each build.
#[derive(Debug, Default)]
pub struct Served {
    pub files: HashMap<String, Arc<[u8]>>,
    /// The number of the announcement that made it (see [`events`]): a
    /// page carries it, and is told what changed after it.
    pub event: u64,
    /// The last build's errors, shown over every page.
    pub problems: Vec<Diagnostic>,
    /// The paths of `files` made by `pipeline::preview_lists`, replaced
    /// after the pages are shown.
    pub lists: Arc<HashSet<String>>,
    /// The paths of `files` an earlier build made and a build since lost
    /// to its errors, with those errors: the last good version, kept while
    /// one of them remains, whatever else is saved meanwhile (an error
    /// elsewhere in the organisation does not keep it).
    pub kept: Arc<Kept>,
}

/// Pages kept from an earlier build, each with the errors that lost it.
pub type Kept = HashMap<String, Arc<Vec<Diagnostic>>>;

/// What the server's handlers share with the builder.
pub struct Shared {
    served: RwLock<Arc<Served>>,
    /// The numbered announcements of what changed, the last ones kept.
    log: std::sync::Mutex<events::Log>,
    /// Each announcement as it is made, for the open pages' streams.
    events: broadcast::Sender<Announcement>,
    /// This run's name, in every announcement's id.
    run: String,
    /// Becomes `true` when the server stops: the open pages' event streams
    /// end then, as the server waits for every response to end.
    stopping: tokio::sync::watch::Receiver<bool>,
    /// The address the server listens on, and whether only this machine
    /// may reach it: then a request must name it, or `localhost`, as its
    /// host (a page elsewhere whose name was pointed at 127.0.0.1, DNS
    /// rebinding, names its own).
    pub address: std::net::SocketAddr,
}

impl Shared {
    fn current(&self) -> Arc<Served> {
        self.served
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn replace(&self, served: Served) {
        *self
            .served
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(served);
    }

    /// Swaps `served` in and tells the open pages what changed, in one
    /// step: a page served from it carries the number of the announcement
    /// of it, so no page is told of a change it already shows, and none
    /// misses one (nothing is sent when nothing changed).
    fn publish(&self, mut served: Served, changed: &[String], problems_changed: bool) {
        let changes = events::Changes::new(changed, problems_changed);
        let mut log = crate::memo::lock(&self.log);
        if changes.is_empty() {
            served.event = log.last();
            return self.replace(served);
        }
        let message = changes.message(|| problems_json(&served.problems));
        let number = log.record(changes);
        served.event = number;
        self.replace(served);
        // No open page is not an error.
        let _ = self.events.send(Announcement {
            number,
            message: message.into(),
        });
    }

    /// An announcement's id, as pages and event streams carry it.
    fn event_id(&self, number: u64) -> String {
        events::id(&self.run, number)
    }

    /// What a page missed after the announcement `seen` (the id it was
    /// served with or was last sent; a number when the stream itself
    /// knows it), as a message; with the number of the last announcement
    /// made, which the page has then seen.
    fn missed(&self, seen: Seen<'_>) -> (u64, Option<String>) {
        let log = crate::memo::lock(&self.log);
        let changes = match seen {
            Seen::Id(id) => log.since(events::number(&self.run, id)),
            Seen::Number(number) => log.since(Some(number)),
            Seen::Now => None,
        };
        // Read under the log's lock: the errors of the last announcement.
        let message = changes.map(|c| c.message(|| problems_json(&self.current().problems)));
        (log.last(), message)
    }
}

/// One announcement of what changed, numbered.
#[derive(Debug, Clone)]
pub struct Announcement {
    pub number: u64,
    pub message: Arc<str>,
}

/// The last announcement a page has seen.
pub enum Seen<'a> {
    /// An id it was served with, or sent back.
    Id(&'a str),
    Number(u64),
    /// Whichever is the last: the page asks only for what changes next.
    Now,
}

fn problems_json(problems: &[Diagnostic]) -> serde_json::Value {
    serde_json::to_value(problems).unwrap_or_else(|_| serde_json::Value::Array(Vec::new()))
}

/// Serves the organisation of `settings` until interrupted.
pub fn run(settings: Settings, options: Options) -> Result<(), Fatal> {
    let settings_read = settings.read();
    let config = settings.load(&settings_read).map_err(Fatal)?;
    // A mistyped ROOT is a usage error at start; one that goes away (or a
    // root `portico.toml` names later that does not exist yet) is shown
    // over the page and watched for.
    let given = config.roots.iter().chain(&config.locations);
    if let Some(missing) = given.chain(&config.theme).find(|p| !p.exists()) {
        return Err(Fatal(format!("`{}` does not exist", missing.display())));
    }
    let look = Look::load(config.theme.as_deref(), config.logo.as_deref()).map_err(Fatal)?;
    // The port first: a taken one is a usage error, before any work.
    let listener =
        std::net::TcpListener::bind((options.host.as_str(), options.port)).map_err(|e| {
            let fix = if e.kind() == std::io::ErrorKind::AddrInUse {
                "choose another port with --port (0 picks a free one)"
            } else {
                "check --host: an address of this machine, such as 127.0.0.1, ::1 or 0.0.0.0"
            };
            Fatal(format!(
                "cannot serve on {}:{}: {e}; {fix}",
                options.host, options.port
            ))
        })?;
    let address = listener
        .local_addr()
        .map_err(|e| Fatal(format!("cannot read the server's address: {e}")))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Fatal(format!("cannot start the server: {e}")))?;
    // Listened for from before the first build, so a Ctrl-C or SIGTERM at
    // any moment stops the server cleanly (and its scratch folder goes).
    let signals = {
        let _entered = runtime.enter();
        stop_signals()?
    };
    let (stopping, stopping_seen) = tokio::sync::watch::channel(false);
    let mut stop = Box::pin(async move {
        signals.await;
        let _ = stopping.send(true);
    });
    // Removed when `run` returns (Ctrl-C, SIGTERM); a killed server's is
    // removed by the next server started.
    let scratch = scratch::Scratch::create(&std::env::temp_dir()).map_err(Fatal)?;
    let theme_stamp = pipeline::unchanged::look_stamp(&config);
    let watched = settings.watched(&config);
    let mut builder = Builder {
        settings,
        settings_read,
        settings_problem: None,
        config: std::sync::Mutex::new(Arc::new(config)),
        look: std::sync::Mutex::new((theme_stamp, Arc::new(look))),
        memo: pipeline::Memo::for_preview(),
        index_dir: scratch.path().to_path_buf(),
        verbose: options.verbose,
        reported: std::sync::Mutex::new(HashSet::new()),
    };
    let (events, _) = broadcast::channel(64);
    let run = events::run_name();
    let shared = Arc::new(Shared {
        served: RwLock::new(Arc::new(Served::default())),
        log: std::sync::Mutex::new(events::Log::default()),
        events,
        run,
        stopping: stopping_seen,
        address,
    });
    let (changes, changed) = std::sync::mpsc::channel();
    let config = builder.config();
    // Watching from before the first build: an edit during it is not lost.
    let sent = Arc::new(AtomicU64::new(0));
    let mut watching = Watching {
        watcher: Some(
            watch::start(&watched, scratch.path(), changes.clone(), sent.clone()).map_err(Fatal)?,
        ),
        watched,
        scratch: scratch.path().to_path_buf(),
    };
    // A save made before the watcher started gave no event.
    if builder.reload_settings() {
        watching.follow(&builder, &changes, &sent);
    }
    builder.rebuild(&shared, Some(Duration::ZERO), &|| false);
    // Stopped during the first build: no "Serving" for a server that stops.
    if runtime
        .block_on(futures_util::future::poll_immediate(stop.as_mut()))
        .is_some()
    {
        drop(scratch);
        return Ok(());
    }
    let url = format!("http://{address}/");
    println!("Serving {url} (Ctrl-C to stop)");
    if config.search {
        println!(
            "Search it from the terminal: portico search --site {} QUERY",
            builder.site_dir().display()
        );
    }
    if options.open {
        open_browser(&url);
    }
    let builder_shared = shared.clone();
    // Set when the server stops: the builder ends after the build it is
    // in, before the scratch folder it writes to is removed.
    let builder_stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (wake, stop_seen, sent_seen) = (changes.clone(), builder_stop.clone(), sent.clone());
    let building = std::thread::spawn(move || {
        // Batches taken from the watcher so far.
        let mut received = 0u64;
        while let Ok(mut paths) = changed.recv() {
            if stop_seen.load(Ordering::SeqCst) {
                break;
            }
            received += 1;
            // An empty batch: the watcher lost events, anything may have changed.
            let mut lost = paths.is_empty();
            // Take whatever else arrived meanwhile: one build for a burst.
            while let Ok(more) = changed.try_recv() {
                received += 1;
                lost |= more.is_empty();
                paths.extend(more);
            }
            let started = Instant::now();
            builder.memo.versions.touch(if lost { &[] } else { &paths });
            if builder.reload_settings() || !watching.is_complete() {
                watching.follow(&builder, &changes, &sent);
            }
            // The lists (and the search index) of this build are given up
            // for a newer change's as soon as one waits: its pages are not
            // held up behind lists about to be replaced.
            let taken = received;
            let newer = || sent.load(Ordering::SeqCst) > taken;
            // On a worker of rayon's pool, not a thread beside them.
            crate::threads::on_pool(|| builder.rebuild(&builder_shared, None, &newer));
            if builder.verbose {
                eprintln!(
                    "({} changed paths, {:.0} ms)",
                    paths.len(),
                    started.elapsed().as_secs_f64() * 1000.0
                );
            }
        }
    });
    let served = serve_http(&runtime, listener, shared, stop);
    // A build under way is told a newer change waits (it leaves its lists
    // and search index), then finishes writing before its folder goes.
    builder_stop.store(true, Ordering::SeqCst);
    sent_seen.fetch_add(1, Ordering::SeqCst);
    let _ = wake.send(Vec::new());
    let _ = building.join();
    drop(scratch);
    served
}

/// The running watcher and what it watches.
struct Watching {
    /// `None` when starting one for the last settings failed: the last one
    /// is dropped, and watching is tried again at the next change.
    watcher: Option<watch::Watcher>,
    watched: watch::Watched,
    /// The server's scratch folder, never a change.
    scratch: PathBuf,
}

impl Watching {
    /// Whether it watches all it should: else it is worked out again at
    /// each change (a new root or a logo's folder that did not exist yet).
    fn is_complete(&self) -> bool {
        self.watcher.is_some() && self.watched.complete && self.watched.still_there()
    }

    /// Watches what the builder's settings read (the roots, the theme, the
    /// files read from elsewhere), starting a watcher again when that
    /// moved. Events the last watcher held when it stopped are lost: the
    /// settings are read again after, and a repository edit among them is
    /// read by the next build (a changed configuration keeps nothing).
    fn follow(
        &mut self,
        builder: &Builder,
        changes: &std::sync::mpsc::Sender<Vec<PathBuf>>,
        sent: &Arc<AtomicU64>,
    ) {
        let watched = builder.settings.watched(&builder.config());
        if watched == self.watched && self.watcher.is_some() {
            return;
        }
        // Stopped first: one path watched by two watchers at once could
        // report an edit twice.
        self.watcher = None;
        match watch::start(&watched, &self.scratch, changes.clone(), sent.clone()) {
            Ok(watcher) => self.watcher = Some(watcher),
            Err(e) => eprintln!("warning: {e}; watching again at the next change"),
        }
        self.watched = watched;
    }
}

/// Runs the HTTP server on `listener` until `stop` completes.
fn serve_http(
    runtime: &tokio::runtime::Runtime,
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), Fatal> {
    runtime.block_on(async move {
        listener
            .set_nonblocking(true)
            .map_err(|e| Fatal(format!("cannot serve: {e}")))?;
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| Fatal(format!("cannot serve: {e}")))?;
        axum::serve(listener, http::router(shared))
            .with_graceful_shutdown(stop)
            .await
            .map_err(|e| Fatal(format!("the server stopped: {e}")))
    })
}

/// Completes on Ctrl-C, or SIGTERM (what service managers and `kill`
/// send). The handlers are installed when this is called (inside the
/// runtime), not when the future is first polled.
#[cfg(unix)]
fn stop_signals() -> Result<impl std::future::Future<Output = ()> + Send + 'static, Fatal> {
    use tokio::signal::unix::{SignalKind, signal};
    let listen =
        |kind| signal(kind).map_err(|e| Fatal(format!("cannot listen for signals to stop: {e}")));
    let mut interrupt = listen(SignalKind::interrupt())?;
    let mut terminate = listen(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn stop_signals() -> Result<impl std::future::Future<Output = ()> + Send + 'static, Fatal> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// Builds the site again and again, keeping what it can.
struct Builder {
    settings: Settings,
    /// The configuration file as read when the settings were last loaded.
    settings_read: settings::Read,
    /// Why the configuration file as now read does not load, with that
    /// read: shown over every page until fixed.
    settings_problem: Option<(settings::Read, Diagnostic)>,
    /// The settings, their day brought up to date for each build
    /// ([`Builder::config`]).
    config: std::sync::Mutex<Arc<Config>>,
    /// The theme and logo as loaded, with the stamp of their files then
    /// ([`Builder::look`]).
    look: std::sync::Mutex<(Option<u128>, Arc<Look>)>,
    memo: pipeline::Memo,
    /// Where the search index is written, for `portico search --site`.
    index_dir: PathBuf,
    verbose: bool,
    /// The last build's diagnostics (warnings too), by key: a rebuild
    /// prints those that are new, as a broken link just typed.
    reported: std::sync::Mutex<HashSet<ReportedKey>>,
}

impl Builder {
    /// The settings for the next build: the scorecards' day is the day the
    /// build runs (`config::build_day`), so a server left running past
    /// midnight judges a rule's age or an attestation's expiry by the new
    /// day, as a build would.
    fn config(&self) -> Arc<Config> {
        self.config_on(crate::config::build_day())
    }

    fn config_on(&self, today: crate::scorecards::dates::Day) -> Arc<Config> {
        let mut config = crate::memo::lock(&self.config);
        if config.scorecards.today != today {
            let mut next = Config::clone(&config);
            next.scorecards.today = today;
            *config = Arc::new(next);
        }
        Arc::clone(&config)
    }

    /// Reads the settings again when the configuration file's bytes
    /// changed. A configuration that changed starts the kept work over
    /// (every kept unit's key assumes the settings it was made with); one
    /// that no longer loads is a problem of the build (shown over the
    /// page), which keeps the last good settings. Returns whether the
    /// configuration changed.
    fn reload_settings(&mut self) -> bool {
        let read = self.settings.read();
        if read == self.settings_read {
            self.settings_problem = None;
            return false;
        }
        if self
            .settings_problem
            .as_ref()
            .is_some_and(|(broken, _)| *broken == read)
        {
            return false;
        }
        // The bytes compared are the bytes loaded: a save landing between
        // two reads cannot leave settings that match neither.
        let mut next = match self.settings.load(&read) {
            Ok(next) => next,
            Err(e) => {
                let problem = settings_problem(&self.settings.file(), e);
                self.settings_problem = Some((read, problem));
                return false;
            }
        };
        self.settings_read = read;
        self.settings_problem = None;
        let current = self.config();
        next.scorecards.today = current.scorecards.today;
        if next == *current {
            return false;
        }
        *crate::memo::lock(&self.config) = Arc::new(next);
        // Freeing a large organisation's kept work takes a while.
        let kept = std::mem::replace(&mut self.memo, pipeline::Memo::for_preview());
        std::thread::spawn(move || drop(kept));
        eprintln!(
            "{} changed: building everything again",
            self.settings.file().display()
        );
        true
    }

    /// The theme and logo for the next build: loaded again when a file of
    /// them changed (a template, a stylesheet, the logo), so an edit shows
    /// without a restart. A theme that no longer loads is a problem of the
    /// build (shown over the page), which keeps the last good one.
    fn look(&self, config: &Config) -> (Arc<Look>, Option<Diagnostic>) {
        // A theme that cannot be walked (gone) is loaded again, to say why.
        let stamp = pipeline::unchanged::look_stamp(config);
        let mut look = crate::memo::lock(&self.look);
        if stamp.is_some() && look.0 == stamp {
            return (look.1.clone(), None);
        }
        match Look::load(config.theme.as_deref(), config.logo.as_deref()) {
            Ok(loaded) => {
                *look = (stamp, Arc::new(loaded));
                (look.1.clone(), None)
            }
            Err(e) => (
                look.1.clone(),
                Some(
                    Diagnostic::error("theme", e)
                        .with_hint("fix the theme; the last theme that loaded is used until then"),
                ),
            ),
        }
    }

    /// The folder holding the served site's search index.
    fn site_dir(&self) -> PathBuf {
        self.index_dir.join("site")
    }

    /// One build: the site swapped in, open pages told, then the search
    /// indexes built and swapped in too.
    /// `newer`: whether a newer change waits (the lists and search index
    /// are then left to its build).
    fn rebuild(&self, shared: &Shared, first: Option<Duration>, newer: &dyn Fn() -> bool) {
        let started = Instant::now();
        let config = self.config();
        let (look, theme_problem) = self.look(&config);
        let mut preview = match pipeline::preview(&config, &look, &self.memo) {
            Ok(preview) => preview,
            Err(e) => {
                // No site at all (the roots are gone, say): keep the last one.
                eprintln!("error: {}", e.0);
                let old = shared.current();
                let problem = Diagnostic::error("build-failed", e.0).with_hint(
                    "the last site built stays served; fix the ROOTs or settings and it is built again",
                );
                let problems_changed = old.problems != std::slice::from_ref(&problem);
                let served = Served {
                    files: old.files.clone(),
                    // Numbered by `publish`.
                    event: 0,
                    problems: vec![problem],
                    lists: old.lists.clone(),
                    kept: old.kept.clone(),
                };
                shared.publish(served, &[], problems_changed);
                return;
            }
        };
        preview.outcome.diagnostics.extend(theme_problem);
        preview
            .outcome
            .diagnostics
            .extend(self.settings_problem.as_ref().map(|(_, d)| d.clone()));
        let old = shared.current();
        let problems = errors(&preview.outcome.diagnostics);
        // The errors this build brings: what a page it loses is kept for.
        let fresh: Arc<Vec<Diagnostic>> = Arc::new(
            problems
                .iter()
                .filter(|d| !old.problems.contains(d))
                .cloned()
                .collect(),
        );
        // First the docs and entity pages, beside the last build's lists
        // (taken, not copied: the lists below read only the outcome).
        let mut files = std::mem::take(&mut preview.files);
        let mut kept = Kept::new();
        for (path, bytes) in &old.files {
            if files.contains_key(path) {
                continue;
            }
            // The last good version of a page this build lost stays served
            // until the mistake is fixed: a build with new errors keeps
            // what it lost, for those errors; later builds keep it while
            // one of the errors it was kept for remains. The lists and
            // search files of the last build stay until the new ones are in.
            let cause = kept_for(old.kept.get(path), &fresh, &problems);
            let listed = old.lists.contains(path) || path.starts_with("_search/");
            if cause.is_some() || listed {
                files.insert(path.clone(), bytes.clone());
            }
            if let Some(cause) = cause.filter(|_| !listed) {
                kept.insert(path.clone(), cause);
            }
        }
        let problems_changed = problems != old.problems;
        // New errors are in the terminal by the time they are served.
        self.report(&preview.outcome.diagnostics, first.is_some());
        let changed = changed_paths(&old.files, &files);
        let served = Served {
            files,
            // Numbered by `publish`.
            event: 0,
            problems,
            lists: old.lists.clone(),
            kept: Arc::new(kept),
        };
        shared.publish(served, &changed, problems_changed);
        let served_in = started.elapsed();
        if first.is_none() {
            eprintln!(
                "Rebuilt in {:.0} ms: {}",
                served_in.as_secs_f64() * 1000.0,
                describe(&changed)
            );
        }
        if self.relist(shared, &preview, &look, &fresh, newer) && config.search && !newer() {
            self.reindex(shared, &preview.outcome);
        }
        // Freeing a large organisation's catalog (and the site this build
        // replaced) takes a while: not on the way to the next rebuild.
        std::thread::spawn(move || drop((preview, old)));
    }

    /// The lists of the served site (everything showing the whole catalog),
    /// swapped in when done; given up (`false`) when `newer` says a newer
    /// change waits (the last lists stay served until its build's are in).
    fn relist(
        &self,
        shared: &Shared,
        preview: &pipeline::Preview,
        look: &Look,
        fresh: &Arc<Vec<Diagnostic>>,
        newer: &dyn Fn() -> bool,
    ) -> bool {
        let started = Instant::now();
        let Some(lists) = pipeline::preview_lists_until(preview, look, newer) else {
            if self.verbose {
                eprintln!("(lists left to the next build: a newer change waits)");
            }
            return false;
        };
        let old = shared.current();
        let mut files = old.files.clone();
        let paths: HashSet<String> = lists.iter().map(|f| f.path.clone()).collect();
        let mut kept = Kept::clone(&old.kept);
        if !fresh.is_empty() {
            // A list page these errors lost (a kind's, say) is kept as a page is.
            kept.extend(
                old.lists
                    .difference(&paths)
                    .map(|path| (path.clone(), fresh.clone())),
            );
        } else {
            files.retain(|path, _| !old.lists.contains(path));
        }
        for file in lists {
            files.insert(file.path, file.bytes);
        }
        let changed = changed_paths(&old.files, &files);
        if self.verbose {
            eprintln!(
                "(lists in {:.0} ms: {})",
                started.elapsed().as_secs_f64() * 1000.0,
                describe(&changed)
            );
        }
        let served = Served {
            files,
            // Numbered by `publish`.
            event: 0,
            problems: old.problems.clone(),
            lists: Arc::new(paths),
            kept: Arc::new(kept),
        };
        shared.publish(served, &changed, false);
        true
    }

    /// The search indexes of the served site, swapped in when done.
    fn reindex(&self, shared: &Shared, outcome: &pipeline::Outcome) {
        let staging = match crate::output::Staging::create(&self.site_dir()) {
            Ok(staging) => staging,
            Err(e) => return eprintln!("warning: search not updated: {e}"),
        };
        let web = match pipeline::search_files(outcome) {
            Ok(web) => web,
            Err(e) => return eprintln!("warning: search not updated: {}", e.0),
        };
        // The documents `portico search --site` indexes (the browser's
        // files are served from memory only).
        let written = web
            .iter()
            .filter(|f| f.path == crate::address::SEARCH_DOCUMENTS_FILE)
            .try_for_each(|f| staging.write(&f.path, &f.bytes));
        if let Err(e) = written {
            return eprintln!("warning: search not updated: {e}");
        }
        if let Err(e) = staging.commit() {
            return eprintln!("warning: search not updated: {e}");
        }
        let old = shared.current();
        let mut files = old.files.clone();
        files.retain(|path, _| !path.starts_with("_search/"));
        for file in web {
            files.insert(file.path, file.bytes);
        }
        let changed = changed_paths(&old.files, &files);
        let served = Served {
            files,
            // Numbered by `publish`.
            event: 0,
            problems: old.problems.clone(),
            lists: old.lists.clone(),
            kept: old.kept.clone(),
        };
        shared.publish(served, &changed, false);
    }

    /// Prints the build's problems: all of them the first time, then the
    /// errors and warnings that are new (notes too with `--verbose`).
    fn report(&self, diagnostics: &[Diagnostic], first: bool) {
        let now: HashSet<ReportedKey> = diagnostics.iter().map(reported_key).collect();
        let before = std::mem::replace(&mut *crate::memo::lock(&self.reported), now);
        let shown: Vec<Diagnostic> = diagnostics
            .iter()
            .filter(|d| first || !before.contains(&reported_key(d)))
            .cloned()
            .collect();
        let mut stderr = std::io::stderr().lock();
        diagnostics::print_human(&mut stderr, &shown, self.verbose);
        if first {
            eprintln!(
                "Built the preview: {}",
                diagnostics::summary(diagnostics::count(diagnostics))
            );
        }
    }
}

/// A diagnostic as [`Builder::report`] tells old from new: keyed, not
/// compared whole (a large organisation has thousands).
type ReportedKey = (&'static str, String, usize, usize, String);

fn reported_key(d: &Diagnostic) -> ReportedKey {
    (d.code, d.path.clone(), d.line, d.column, d.message.clone())
}

/// A settings file that does not load, placed at the file, and at the
/// line and column TOML's message names (`… at line 4, column 1`), so the
/// box over the page says where as other problems do.
fn settings_problem(file: &std::path::Path, message: String) -> Diagnostic {
    let number = |text: &str| -> usize {
        text.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or(0)
    };
    let line = message.split(" at line ").nth(1).map_or(0, number);
    let column = message.split(", column ").nth(1).map_or(0, number);
    let mut d = Diagnostic::error("config", message)
        .with_hint("fix it; the settings it last held are used until then")
        .in_repo("", "", &file.display().to_string());
    d.line = line;
    d.column = column;
    d
}

/// What a page the build lost is kept for, if it is kept: the errors it
/// was kept for that remain (`problems`), and the build's `fresh` ones.
fn kept_for(
    before: Option<&Arc<Vec<Diagnostic>>>,
    fresh: &Arc<Vec<Diagnostic>>,
    problems: &[Diagnostic],
) -> Option<Arc<Vec<Diagnostic>>> {
    let remaining: Vec<&Diagnostic> = before
        .map(|cause| cause.iter().filter(|d| problems.contains(d)).collect())
        .unwrap_or_default();
    match (remaining.is_empty(), fresh.is_empty()) {
        (true, true) => None,
        (true, false) => Some(fresh.clone()),
        (false, true) if remaining.len() == before.map_or(0, |c| c.len()) => before.cloned(),
        _ => Some(Arc::new(
            remaining.into_iter().chain(fresh.iter()).cloned().collect(),
        )),
    }
}

/// The errors of a build, for the overlay.
fn errors(diagnostics: &[Diagnostic]) -> Vec<Diagnostic> {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect()
}

/// The paths whose bytes differ between two sites (added and removed too).
fn changed_paths(
    old: &HashMap<String, Arc<[u8]>>,
    new: &HashMap<String, Arc<[u8]>>,
) -> Vec<String> {
    let mut changed: Vec<String> = new
        .iter()
        // A page kept between builds is the same allocation: no need to
        // compare its bytes.
        .filter(|(path, bytes)| {
            old.get(*path)
                .is_none_or(|o| !Arc::ptr_eq(o, bytes) && o != *bytes)
        })
        .map(|(path, _)| path.clone())
        .collect();
    let removed: HashSet<&String> = old.keys().filter(|p| !new.contains_key(*p)).collect();
    changed.extend(removed.into_iter().cloned());
    changed.sort();
    changed
}

fn describe(changed: &[String]) -> String {
    match changed {
        [] => "no page changed".to_string(),
        [one] => format!("{one} changed"),
        many => format!("{} files changed", many.len()),
    }
}

/// Opens `url` in the default browser, if there is one.
fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(command)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_err()
    {
        eprintln!("could not open a browser ({command}); open {url} yourself");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A builder of `config` read from `settings`, with the default theme
    /// and no search folder.
    fn test_builder(settings: Settings, settings_read: settings::Read, config: Config) -> Builder {
        Builder {
            settings,
            settings_read,
            settings_problem: None,
            config: std::sync::Mutex::new(Arc::new(config)),
            look: std::sync::Mutex::new((None, Arc::new(Look::default()))),
            memo: pipeline::Memo::for_preview(),
            index_dir: PathBuf::new(),
            verbose: false,
            reported: std::sync::Mutex::new(HashSet::new()),
        }
    }

    /// A server running past midnight builds with the new day (a rule's
    /// age, an attestation's expiry); the settings are copied only when
    /// the day moved.
    #[test]
    fn each_build_takes_the_day_it_runs_on() {
        use crate::scorecards::dates::Day;
        let cli = crate::config::CliSettings {
            roots: vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("example-org")],
            ..Default::default()
        };
        let config = crate::config::load(&cli).unwrap();
        let started = config.scorecards.today;
        let settings = Settings {
            cli,
            search: true,
            theme: None,
        };
        let builder = test_builder(settings, Ok(None), config);
        let same = builder.config_on(started);
        assert!(
            Arc::ptr_eq(&same, &builder.config_on(started)),
            "not copied"
        );
        let next = builder.config_on(Day(started.0 + 1));
        assert_eq!(next.scorecards.today, Day(started.0 + 1));
        let mut rest = Config::clone(&next);
        rest.scorecards.today = started;
        assert_eq!(rest, *same, "only the day changed");
        assert!(Arc::ptr_eq(&next, &builder.config_on(Day(started.0 + 1))));
        assert_eq!(
            builder.config().scorecards.today,
            crate::config::build_day()
        );
    }

    #[test]
    fn changed_paths_are_the_differences() {
        let site = |files: &[(&str, &str)]| -> HashMap<String, Arc<[u8]>> {
            files
                .iter()
                .map(|(p, b)| (p.to_string(), Arc::from(b.as_bytes())))
                .collect()
        };
        let old = site(&[("a.html", "1"), ("b.html", "2"), ("gone.html", "x")]);
        let new = site(&[("a.html", "1"), ("b.html", "3"), ("new.html", "y")]);
        assert_eq!(
            changed_paths(&old, &new),
            vec!["b.html", "gone.html", "new.html"]
        );
    }

    /// The settings are read again only when the file's bytes change; a
    /// change starts the kept work over, a comment does not; a file that
    /// no longer loads is a problem until fixed, the last good settings
    /// kept meanwhile.
    #[test]
    fn settings_are_read_again_when_their_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("portico.toml");
        let write = |text: &str| std::fs::write(&file, text).unwrap();
        write("[site]\ntitle = \"One\"\n");
        let settings = Settings {
            cli: crate::config::CliSettings {
                config: Some(file.clone()),
                roots: vec![dir.path().to_path_buf()],
                ..Default::default()
            },
            search: false,
            theme: None,
        };
        let settings_read = settings.read();
        let config = settings.load(&settings_read).unwrap();
        let mut builder = test_builder(settings, settings_read, config);
        let title = |builder: &Builder| builder.config().site_title.clone();
        assert!(!builder.reload_settings(), "nothing changed");
        write("[site]\ntitle = \"One\" # the same\n");
        assert!(!builder.reload_settings(), "only a comment changed");
        let fresh = format!("{:?}", pipeline::Memo::for_preview());
        builder.memo.versions.touch(&[]);
        assert_ne!(format!("{:?}", builder.memo), fresh);
        write("[site]\ntitle = \"Two\"\n");
        assert!(builder.reload_settings());
        assert_eq!(title(&builder), "Two");
        assert_eq!(format!("{:?}", builder.memo), fresh, "nothing kept");
        assert!(!builder.config().search, "serve's own settings stay");
        write("[site]\ntitle = ");
        assert!(!builder.reload_settings());
        let problem = &builder.settings_problem.as_ref().unwrap().1;
        assert_eq!(problem.code, "config");
        assert_eq!(title(&builder), "Two", "the last good settings");
        assert!(!builder.reload_settings());
        assert!(builder.settings_problem.is_some(), "still broken");
        write("[site]\ntitle = \"Two\"\n");
        assert!(!builder.reload_settings(), "back to the settings in use");
        assert!(builder.settings_problem.is_none(), "fixed");
    }
}
