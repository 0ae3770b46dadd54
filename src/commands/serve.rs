//! `portico serve [ROOT...] [--port N] [--host H] [--open]`

use super::{EXIT_CLEAN, fail};
use crate::cli::ServeArgs;
use crate::serve::{self, Options, Settings};

pub fn run(args: ServeArgs) -> u8 {
    // With no ROOT and no portico.toml it previews the working folder: a
    // repository, or a folder of them (`Settings::load`).
    let settings = Settings {
        cli: super::cli_settings(&args.source),
        search: !args.no_search,
        theme: args.theme.clone(),
    };
    let options = Options {
        host: args.host,
        port: args.port,
        open: args.open,
        verbose: args.source.verbose,
    };
    match serve::run(settings, options) {
        Ok(()) => EXIT_CLEAN,
        Err(e) => fail(&e.0),
    }
}
