//! `portico mirror LIST --into DIR [--jobs N] [--depth N]`: bare mirrors
//! of the listed repositories, cloned the first time and fetched after.

use super::{exit_code, fail, print_human};
use crate::cli::MirrorArgs;
use crate::config;
use crate::diagnostics::{self, Diagnostic};
use crate::mirror::{self, Done, list};
use std::io::Write;
use std::num::NonZeroU32;
use std::time::Instant;

pub fn run(args: MirrorArgs) -> u8 {
    let started = Instant::now();
    let (listed, mut problems, list_path) = match read_list(&args) {
        Ok(read) => read,
        Err(message) => return fail(&message),
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(4, std::num::NonZero::get));
    if jobs == 0 {
        return fail("--jobs must be at least 1");
    }
    if args.timeout == 0 {
        return fail("--timeout must be at least 1 (seconds)");
    }
    let credentials = match mirror::credentials::Credentials::from_env() {
        Ok(credentials) => credentials,
        Err(message) => return fail(&message),
    };
    let request = mirror::Request {
        repos: &listed,
        list: list::ListFile { path: &list_path },
        into: &args.into,
        jobs,
        depth: NonZeroU32::new(args.depth),
        timeout: std::time::Duration::from_secs(args.timeout),
        credentials: &credentials,
    };
    let (outcomes, failures) = match mirror::run(&request) {
        Ok(done) => done,
        Err(e) => return fail(&e.0),
    };
    problems.extend(failures);
    let mut stdout = std::io::stdout().lock();
    let (mut cloned, mut fetched) = (0, 0);
    for outcome in &outcomes {
        let what = match outcome.result {
            Ok(Done::Cloned) => "cloned",
            Ok(Done::Fetched(true)) => "updated",
            Ok(Done::Fetched(false)) => "up to date",
            Err(_) => "failed",
        };
        match outcome.result {
            Ok(Done::Cloned) => cloned += 1,
            Ok(Done::Fetched(_)) => fetched += 1,
            Err(_) => {}
        }
        let url = mirror::credentials::redacted(&outcome.url);
        let _ = writeln!(stdout, "{what:>10}  {}  {url}", outcome.folder);
    }
    diagnostics::sort(&mut problems);
    let mut stderr = std::io::stderr().lock();
    print_human(&mut stderr, &problems, false);
    let counts = diagnostics::count(&problems);
    let _ = writeln!(
        stdout,
        "Mirrored {} into {} in {:.1} s: {cloned} cloned, {fetched} fetched, {} failed",
        diagnostics::plural(outcomes.len(), "repository"),
        args.into.display(),
        started.elapsed().as_secs_f64(),
        outcomes.iter().filter(|o| o.result.is_err()).count(),
    );
    exit_code(counts, false)
}

/// The listed repositories, from LIST or `[mirror] repos`, with the
/// problems in the list and its path as shown.
fn read_list(args: &MirrorArgs) -> Result<(Vec<list::Listed>, Vec<Diagnostic>, String), String> {
    if let Some(path) = &args.list {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the list `{shown}`: {e}"))?;
        let (listed, problems) = list::parse_text(&text, list::ListFile { path: &shown });
        return Ok((listed, problems, shown));
    }
    match config::mirror_repos(args.config.as_deref()) {
        Ok(Some((repos, path))) if !repos.is_empty() => {
            let shown = path.display().to_string();
            let (listed, problems) = list::from_config(&repos, list::ListFile { path: &shown });
            Ok((listed, problems, shown))
        }
        Ok(_) => Err(
            "no repositories to mirror: give a LIST file or set `[mirror] repos` in portico.toml"
                .into(),
        ),
        Err(e) => Err(e.0),
    }
}
