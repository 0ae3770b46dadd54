//! Stage timings on stderr when `PORTICO_TIMINGS` is set (for `bench/`).

use std::time::Instant;

/// Prints the time since the last lap, when timings are on.
pub struct Timer {
    enabled: bool,
    last: Instant,
}

impl Timer {
    pub fn new() -> Timer {
        Timer {
            enabled: std::env::var_os("PORTICO_TIMINGS").is_some(),
            last: Instant::now(),
        }
    }

    pub fn lap(&mut self, stage: &str) {
        if self.enabled {
            eprintln!(
                "timing: {stage}: {:.1} ms",
                self.last.elapsed().as_secs_f64() * 1000.0
            );
        }
        self.last = Instant::now();
    }
}

impl Default for Timer {
    fn default() -> Self {
        Timer::new()
    }
}
