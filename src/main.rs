//! The `portico` binary: parse the command line, run, exit.

use std::process::ExitCode;

/// mimalloc, not glibc's malloc: a build frees millions of small blocks
/// from many threads, and `portico serve` builds again and again in one
/// process; glibc merged those blocks during the next edit's build (see
/// the dependency's comment in Cargo.toml for the figures).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = portico::cli::Cli::parse_args();
    ExitCode::from(portico::commands::run(cli))
}
