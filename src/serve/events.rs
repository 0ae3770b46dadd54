//! What changed, announcement after announcement, for the open pages.
//!
//! Every announcement is numbered and the last ones are kept, so a page is
//! told what changed since the site it shows, whenever its stream opens: a
//! page's stream opens a moment after the page loads (a build finished in
//! that moment was never told it, and the page stayed old), a hidden tab
//! closes its stream and opens it again when shown, and a dropped stream
//! reconnects by itself. A page carries the number of the site it was served
//! from; a stream sends each announcement with its number as the event id,
//! which the browser sends back (`Last-Event-ID`) when it reconnects.

use std::collections::VecDeque;

/// How many announcements are kept. A page further behind reloads (a build
/// makes at most three: its pages, its lists, its search index).
const KEPT: usize = 256;

/// More changed paths than this are "everything": a list of thousands helps
/// no page, which then reloads anyway.
const MOST_PATHS: usize = 1_000;

/// What one announcement (or several together) says changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    /// The site paths whose bytes changed, sorted; `None`: any may have.
    pub paths: Option<Vec<String>>,
    /// Whether the errors shown over the pages changed.
    pub problems: bool,
}

impl Changes {
    /// Anything may have changed: every page reloads.
    pub fn everything() -> Changes {
        Changes {
            paths: None,
            problems: true,
        }
    }

    pub fn new(paths: &[String], problems: bool) -> Changes {
        Changes {
            paths: (paths.len() <= MOST_PATHS).then(|| paths.to_vec()),
            problems,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.paths.as_ref().is_some_and(Vec::is_empty) && !self.problems
    }

    /// The message an open page reads: `{"changed": [paths] | "*"}`, with
    /// the errors (`problems_now`) when they changed, so a page shows them
    /// in build order rather than in the order its requests return.
    pub fn message(&self, problems_now: impl FnOnce() -> serde_json::Value) -> String {
        let paths = match &self.paths {
            Some(paths) => serde_json::Value::from(paths.clone()),
            None => serde_json::Value::from("*"),
        };
        let mut message = serde_json::json!({ "changed": paths });
        if self.problems {
            message["problems"] = problems_now();
        }
        message.to_string()
    }
}

/// The numbered announcements of one server run.
#[derive(Debug, Default)]
pub struct Log {
    /// The number of the last announcement; 0 before the first.
    last: u64,
    /// The last [`KEPT`] announcements, oldest first.
    kept: VecDeque<(u64, Changes)>,
}

impl Log {
    /// The number of the last announcement.
    pub fn last(&self) -> u64 {
        self.last
    }

    /// Numbers and keeps an announcement: its number.
    pub fn record(&mut self, changes: Changes) -> u64 {
        self.last += 1;
        if self.kept.len() == KEPT {
            self.kept.pop_front();
        }
        self.kept.push_back((self.last, changes));
        self.last
    }

    /// What changed after the announcement numbered `seen` (a page's, or
    /// the last its stream was sent): `None` when nothing did. Everything
    /// when `seen` is unknown (`None`: an id of another run, say), not yet
    /// made, or older than the announcements kept.
    pub fn since(&self, seen: Option<u64>) -> Option<Changes> {
        let Some(seen) = seen.filter(|n| *n <= self.last) else {
            return Some(Changes::everything());
        };
        if seen == self.last {
            return None;
        }
        let oldest = self.kept.front().map_or(self.last + 1, |(n, _)| *n);
        if seen + 1 < oldest {
            return Some(Changes::everything());
        }
        // Gathered as a set, and given up past MOST_PATHS: this runs under
        // the log's lock, which the next site's swap waits for.
        let mut paths: Option<std::collections::BTreeSet<&str>> = Some(Default::default());
        let mut problems = false;
        for (_, changes) in self.kept.iter().filter(|(n, _)| *n > seen) {
            problems |= changes.problems;
            if let (Some(all), Some(more)) = (&mut paths, &changes.paths) {
                all.extend(more.iter().map(String::as_str));
            }
            if changes.paths.is_none() || paths.as_ref().is_some_and(|all| all.len() > MOST_PATHS) {
                paths = None;
            }
        }
        let paths = paths.map(|all| all.into_iter().map(str::to_string).collect());
        Some(Changes { paths, problems })
    }
}

/// An announcement's id, as pages and event streams carry it: the run's
/// name and its number. A page left open across a restart holds an id of
/// another run, which says nothing of this one's numbers.
pub fn id(run: &str, number: u64) -> String {
    format!("{run}.{number}")
}

/// The number in `id`, when the run `run` gave it.
pub fn number(run: &str, id: &str) -> Option<u64> {
    id.strip_prefix(run)?.strip_prefix('.')?.parse().ok()
}

/// A name for this run of the server, unlike any earlier run's: its start
/// time and process.
pub fn run_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos:x}-{:x}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(list: &[&str]) -> Vec<String> {
        list.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn a_page_is_told_what_changed_after_the_site_it_shows() {
        let mut log = Log::default();
        let start = Some(log.last());
        assert_eq!(log.since(start), None);
        log.record(Changes::new(&paths(&["b.html", "a.html"]), false));
        let after_first = Some(log.last());
        log.record(Changes::new(&paths(&["a.html", "c.css"]), true));
        log.record(Changes::new(&paths(&[]), false));
        assert_eq!(
            log.since(start),
            Some(Changes {
                paths: Some(paths(&["a.html", "b.html", "c.css"])),
                problems: true,
            })
        );
        assert_eq!(
            log.since(after_first),
            Some(Changes {
                paths: Some(paths(&["a.html", "c.css"])),
                problems: true,
            })
        );
        assert_eq!(log.since(Some(log.last())), None);
    }

    #[test]
    fn an_unknown_or_forgotten_announcement_means_everything() {
        let mut log = Log::default();
        log.record(Changes::new(&paths(&["a.html"]), false));
        for id in [
            "other.0", "other.1", "run.2", "run.x", "run", "", "run.-1", "run.1.1",
        ] {
            let seen = number("run", id);
            assert_eq!(log.since(seen), Some(Changes::everything()), "{id}");
        }
        assert_eq!(number("run", &id("run", 1)), Some(1));
        for _ in 0..KEPT {
            log.record(Changes::new(&paths(&["a.html"]), false));
        }
        // Announcement 1 is forgotten: what came after 0 is unknown.
        assert_eq!(log.since(Some(0)), Some(Changes::everything()));
        assert_eq!(
            log.since(Some(1)),
            Some(Changes::new(&paths(&["a.html"]), false))
        );
    }

    #[test]
    fn everything_once_is_everything_together() {
        let mut log = Log::default();
        log.record(Changes::new(&paths(&["a.html"]), false));
        log.record(Changes::everything());
        log.record(Changes::new(&paths(&["b.html"]), false));
        assert_eq!(log.since(Some(0)), Some(Changes::everything()));
        let many: Vec<String> = (0..=MOST_PATHS).map(|i| format!("{i}.html")).collect();
        let mut log = Log::default();
        log.record(Changes::new(&many[..MOST_PATHS / 2], false));
        log.record(Changes::new(&many[MOST_PATHS / 2..], false));
        assert_eq!(log.since(Some(0)).unwrap().paths, None);
    }

    #[test]
    fn messages_carry_the_errors_only_when_they_changed() {
        let problems = || serde_json::json!([{"code": "x"}]);
        assert_eq!(
            Changes::new(&paths(&["a.html"]), false).message(problems),
            r#"{"changed":["a.html"]}"#
        );
        assert_eq!(
            Changes::everything().message(problems),
            r#"{"changed":"*","problems":[{"code":"x"}]}"#
        );
    }
}
