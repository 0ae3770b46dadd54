//! `portico scorecards --print-default`

use super::{EXIT_CLEAN, EXIT_FAILURE};
use crate::cli::ScorecardsArgs;
use std::io::Write;

pub fn run(args: ScorecardsArgs) -> u8 {
    if !args.print_default {
        eprintln!(
            "error: nothing to do; `portico scorecards --print-default` prints the built-in scorecard"
        );
        return EXIT_FAILURE;
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(crate::scorecards::load::DEFAULT.as_bytes()) {
        Ok(()) => EXIT_CLEAN,
        Err(e) => super::fail(&format!("cannot write the scorecard: {e}")),
    }
}
