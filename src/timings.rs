//! Stage timings on stderr when `PORTICO_TIMINGS` is set (for `bench/`):
//! the wall time of each stage and, on Linux, the CPU time the whole
//! process spent in it (all threads, user and system), which a shared,
//! loaded machine disturbs far less than the wall time.

use std::time::Instant;

/// Prints the time since the last lap, when timings are on.
pub struct Timer {
    enabled: bool,
    last: Instant,
    last_cpu: Option<f64>,
}

impl Timer {
    pub fn new() -> Timer {
        let enabled = std::env::var_os("PORTICO_TIMINGS").is_some();
        Timer {
            enabled,
            last: Instant::now(),
            last_cpu: enabled.then(cpu_seconds).flatten(),
        }
    }

    pub fn lap(&mut self, stage: &str) {
        if self.enabled {
            let cpu = cpu_seconds();
            let spent = match (cpu, self.last_cpu) {
                (Some(now), Some(then)) => format!(" (cpu {:.0} ms)", (now - then) * 1000.0),
                _ => String::new(),
            };
            eprintln!(
                "timing: {stage}: {:.1} ms{spent}",
                self.last.elapsed().as_secs_f64() * 1000.0
            );
            self.last_cpu = cpu;
        }
        self.last = Instant::now();
    }
}

impl Default for Timer {
    fn default() -> Self {
        Timer::new()
    }
}

/// User and system CPU seconds of this process so far, from
/// `/proc/self/stat` (in clock ticks, 100 a second on Linux); `None`
/// elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    parse_stat(&stat)
}

/// `utime` and `stime` (fields 14 and 15) of a `/proc/PID/stat` line, in
/// seconds. The command name (field 2) is in parentheses and may hold
/// spaces, so fields are counted after its closing parenthesis.
fn parse_stat(stat: &str) -> Option<f64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_is_read_after_the_command_name() {
        let line =
            "4242 (port ico) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 75 0 0 20 0 3 0 100 1000 50";
        assert_eq!(parse_stat(line), Some(3.25));
        assert_eq!(parse_stat("4242 (x) S 1"), None);
        assert_eq!(parse_stat("no parenthesis"), None);
    }
}
