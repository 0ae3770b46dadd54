//! `portico serve [ROOT...] [--port N] [--host H] [--open]`

use super::{EXIT_CLEAN, fail};
use crate::cli::ServeArgs;
use crate::serve::{self, Options, Settings};
use std::path::{Path, PathBuf};

pub fn run(mut args: ServeArgs) -> u8 {
    // Run inside a repository with no ROOT and no portico.toml, it previews
    // that repository (or the folder of repositories).
    let configured = args.source.config.is_some() || Path::new(crate::config::FILE_NAME).is_file();
    if args.source.roots.is_empty() && args.source.locations.is_empty() && !configured {
        args.source.roots.push(PathBuf::from("."));
    }
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
