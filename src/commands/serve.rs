//! `portico serve [ROOT...] [--port N] [--host H] [--open]`

use super::{EXIT_CLEAN, fail, load_config};
use crate::cli::ServeArgs;
use crate::serve::{self, Options};
use std::path::{Path, PathBuf};

pub fn run(mut args: ServeArgs) -> u8 {
    // Run inside a repository with no ROOT and no portico.toml, it previews
    // that repository (or the folder of repositories).
    let configured = args.source.config.is_some() || Path::new(crate::config::FILE_NAME).is_file();
    if args.source.roots.is_empty() && args.source.locations.is_empty() && !configured {
        args.source.roots.push(PathBuf::from("."));
    }
    let config = match load_config(&args.source) {
        Ok(mut config) => {
            // History walks every repository's past on each rebuild: a
            // preview after an edit shows the present only.
            config.scorecards.history = None;
            crate::config::Config {
                search: !args.no_search,
                theme: args.theme.clone().or(config.theme.clone()),
                ..config
            }
        }
        Err(code) => return code,
    };
    let options = Options {
        host: args.host,
        port: args.port,
        open: args.open,
        verbose: args.source.verbose,
    };
    match serve::run(config, options) {
        Ok(()) => EXIT_CLEAN,
        Err(e) => fail(&e.0),
    }
}
