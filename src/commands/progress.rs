//! The progress line a person at a terminal sees while a long `build`,
//! `merge` or `check` runs: nothing for the first second (most builds are
//! done by then), then a spinner with what is running and the time so far,
//! on standard error. Never drawn when standard error is not a terminal
//! (CI logs, pipes, files), and cleared before the problems are printed.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a run goes before the line appears.
const QUIET_FOR: Duration = Duration::from_secs(1);

/// A running progress line; [`Progress::done`] clears it.
pub struct Progress {
    stop: Option<mpsc::Sender<()>>,
    shown: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts the clock for `what` ("Building site"); draws only when
    /// standard error is a terminal, and only once [`QUIET_FOR`] has passed.
    pub fn start(what: &str) -> Progress {
        Progress::start_on(what, std::io::stderr().is_terminal())
    }

    fn start_on(what: &str, terminal: bool) -> Progress {
        if !terminal {
            return Progress {
                stop: None,
                shown: None,
            };
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let what = what.to_string();
        let shown = std::thread::spawn(move || {
            // Done (or dropped) within the quiet second: nothing drawn.
            if stopped.recv_timeout(QUIET_FOR) != Err(mpsc::RecvTimeoutError::Timeout) {
                return;
            }
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
                .with_elapsed(QUIET_FOR);
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
                bar.set_style(style);
            }
            bar.set_message(what);
            bar.enable_steady_tick(Duration::from_millis(120));
            let _ = stopped.recv();
            bar.finish_and_clear();
        });
        Progress {
            stop: Some(stop),
            shown: Some(shown),
        }
    }

    /// Clears the line (if it was drawn) before anything else is printed.
    pub fn done(mut self) {
        self.finish();
    }

    fn finish(&mut self) {
        drop(self.stop.take());
        if let Some(shown) = self.shown.take() {
            let _ = shown.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn off_a_terminal_no_thread_is_started() {
        let progress = Progress::start_on("Building site", false);
        assert!(progress.stop.is_none() && progress.shown.is_none());
        progress.done();
    }

    #[test]
    fn a_run_done_within_the_quiet_second_returns_at_once() {
        let started = Instant::now();
        Progress::start_on("Building site", true).done();
        assert!(started.elapsed() < QUIET_FOR, "{:?}", started.elapsed());
    }

    #[test]
    fn a_line_shown_after_the_quiet_second_is_cleared_by_done() {
        let progress = Progress::start_on("Building site", true);
        std::thread::sleep(QUIET_FOR + Duration::from_millis(200));
        let started = Instant::now();
        progress.done();
        // The drawing thread ended (joined), promptly.
        assert!(started.elapsed() < QUIET_FOR, "{:?}", started.elapsed());
    }
}
