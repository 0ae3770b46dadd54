//! The command line, as clap types. Parsed here, validated in `config`.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "portico", version, about = "A static developer portal built from your organisation's git repositories", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the process's arguments, exiting on `--help` and on mistakes.
    /// An unknown subcommand is answered with the one subcommand it most
    /// likely meant (clap's own tip lists every close one: `serv` would
    /// offer `search` as well as `serve`).
    pub fn parse_args() -> Cli {
        match Cli::try_parse() {
            Ok(cli) => cli,
            Err(e) if e.kind() == ErrorKind::InvalidSubcommand => {
                let Some(ContextValue::String(typed)) = e.get(ContextKind::InvalidSubcommand)
                else {
                    e.exit()
                };
                let mut cmd = Cli::command();
                let names: Vec<String> = cmd
                    .get_subcommands()
                    .map(|c| c.get_name().to_string())
                    .collect();
                let tip = match closest_subcommand(typed, &names) {
                    Some(name) => format!("\n\n  tip: a similar subcommand exists: '{name}'"),
                    None => String::new(),
                };
                let usage = cmd.render_usage();
                eprintln!(
                    "error: unrecognized subcommand '{typed}'{tip}\n\n{usage}\n\nFor more information, try '--help'."
                );
                std::process::exit(2)
            }
            Err(e) => e.exit(),
        }
    }
}

/// The subcommand `typed` most likely meant: the only one it starts, else
/// the nearest by edit distance (at most 2 edits, and fewer than its length
/// allows to be a different word), none when two are equally near.
pub fn closest_subcommand<'a>(typed: &str, names: &'a [String]) -> Option<&'a str> {
    let typed = typed.to_lowercase();
    let prefixed: Vec<&String> = names.iter().filter(|n| n.starts_with(&typed)).collect();
    if typed.len() >= 2 && prefixed.len() == 1 {
        return Some(prefixed[0]);
    }
    let mut scored: Vec<(usize, &String)> = names
        .iter()
        .map(|n| (edit_distance(&typed, n), n))
        .filter(|&(d, n)| d <= 2 && d < n.len().min(typed.len()).max(1))
        .collect();
    scored.sort();
    match scored.as_slice() {
        [(best, name), rest @ ..] if rest.first().is_none_or(|(d, _)| d > best) => {
            Some(name.as_str())
        }
        _ => None,
    }
}

/// Levenshtein distance, counting a swap of two neighbours as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the portal site from the repositories under ROOT.
    #[command(after_help = BUILD_HELP)]
    Build(BuildArgs),
    /// Read and check the catalog without writing anything (for CI).
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
    /// Search a built site's catalog and docs from the terminal.
    #[command(after_help = SEARCH_HELP)]
    Search(SearchArgs),
    /// Preview the portal: serve it, rebuild it as files change, reload the browser.
    #[command(after_help = SERVE_HELP)]
    Serve(ServeArgs),
    /// Scorecards: print the built-in default to start your own from.
    #[command(after_help = SCORECARDS_HELP)]
    Scorecards(ScorecardsArgs),
    /// Clone or update bare mirrors of a list of repositories, for `build DIR`.
    #[command(after_help = MIRROR_HELP)]
    Mirror(MirrorArgs),
    /// Finish a sharded build: the parts of `build --shard` made into one site.
    #[command(after_help = MERGE_HELP)]
    Merge(MergeArgs),
}

// Examples and exit codes under each command's options (`--help`); the
// manual's pages `commands.md` and `search.md` say the same at length.

const BUILD_HELP: &str = "\
Examples:
  portico build example-org --out site         the README's organisation into site/
  portico build ~/src/acme --out public --strict
  portico build mirrors --format json > problems.json
  portico build mirrors --shard 2/4 --out part-2   one share of the docs, for merge

Exit status: 0 clean; 1 content errors (or warnings with --strict), the site
is still written; 2 usage or I/O failure, the previous site is untouched.";

const MERGE_HELP: &str = "\
Examples:
  portico build mirrors --shard 1/2 --out part-1     on one machine
  portico build mirrors --shard 2/2 --out part-2     on another
  portico merge part-1 part-2 --out site             with the repositories at the same paths

Exit status: 0 clean; 1 content errors (or warnings with --strict), the site
is still written; 2 usage or I/O failure (a missing part, parts of another
portico version or build), the previous site is untouched.";

const CHECK_HELP: &str = "\
Examples:
  portico check example-org
  portico check ~/src/acme --strict --format github     annotations in GitHub Actions
  portico check repos --format sarif > portico.sarif    for code scanning
  portico check repos --scorecard default --min-level silver

Exit status: 0 clean; 1 content errors (or warnings with --strict), or an
entity below --min-level; 2 usage or I/O failure.";

const SEARCH_HELP: &str = "\
Examples:
  portico search rollback
  portico search --site public '\"roll back\"' --kind component
  portico search payments --owner payments-team --json

Exit status: 0 something found; 1 nothing found; 2 no index in --site, a
damaged index or a bad query.";

const SERVE_HELP: &str = "\
Examples:
  portico serve example-org --open
  portico serve ~/src/acme --port 0 --no-search

Exit status: 0 stopped with Ctrl-C; 2 usage failure or the port is taken.";

const SCORECARDS_HELP: &str = "\
Examples:
  portico scorecards --print-default > scorecards/default.yaml

Exit status: 0 printed; 2 usage failure.";

const MIRROR_HELP: &str = "\
Examples:
  portico mirror repos.txt --into mirrors && portico build mirrors --out site
  portico mirror --into mirrors --depth 0 --jobs 4
  export PORTICO_GIT_CREDENTIALS=\"https://x-access-token:$TOKEN@github.com\"

Private repositories over https: PORTICO_GIT_CREDENTIALS holds
`https://USER:TOKEN@HOST[/PATH]` lines; each is given only to its host, over
https, when the server asks.

Exit status: 0 every repository cloned or fetched; 1 some failed (they keep
their previous mirror); 2 usage failure (or a mistake in
PORTICO_GIT_CREDENTIALS).";

#[derive(Debug, Args)]
pub struct MirrorArgs {
    /// A file of repository URLs, one a line (`#` comments); without it,
    /// `[mirror] repos` from portico.toml.
    #[arg(value_name = "LIST")]
    pub list: Option<PathBuf>,
    /// The folder holding the mirrors (created if needed).
    #[arg(long, value_name = "DIR")]
    pub into: PathBuf,
    /// Repositories fetched at once (default: the number of CPUs).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Commits of history kept per branch; 0 keeps the whole history.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub depth: u32,
    /// Seconds one repository may take before it is reported as failed
    /// (a remote that stops answering would otherwise hold the run).
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub timeout: u64,
    /// The settings file (default: ./portico.toml if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ScorecardsArgs {
    /// Print the built-in default scorecard (YAML) to standard output.
    #[arg(long)]
    pub print_default: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Port to serve on; 0 picks a free one.
    #[arg(long, value_name = "N", default_value_t = 8000)]
    pub port: u16,
    /// Address to serve on (loopback by default: the preview is for you).
    #[arg(long, value_name = "HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Open the preview in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Leave out search: no index, no search box.
    #[arg(long)]
    pub no_search: bool,
    /// A theme folder layered over the default theme (overrides `[site] theme`).
    #[arg(long, value_name = "DIR")]
    pub theme: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to find; the last one may be a prefix; "quoted words" are a phrase.
    #[arg(value_name = "QUERY", required = true, num_args = 1..)]
    pub query: Vec<String>,
    /// The built site (the --out of `portico build`).
    #[arg(long, value_name = "DIR", default_value = "site")]
    pub site: std::path::PathBuf,
    /// Only this entity kind (e.g. component, api).
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Only entities (and their docs) owned by this group or user name.
    #[arg(long, value_name = "OWNER")]
    pub owner: Option<String>,
    /// Only entities (and their docs) at this level of the first scorecard
    /// (`none`: below its first level), as the catalog lists show it.
    #[arg(long, value_name = "LEVEL")]
    pub level: Option<String>,
    /// How many results at most (1 to 1000).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 10,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new()
            .range(1..=crate::limits::MAX_SEARCH_RESULTS as u64)
    )]
    pub limit: usize,
    /// Print a JSON array instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Where to read the organisation from.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Repositories, or folders to search for repositories.
    #[arg(value_name = "ROOT")]
    pub roots: Vec<PathBuf>,
    /// Settings file (default: ./portico.toml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A Location (or any catalog) file to read as well, like Backstage's `catalog.locations`.
    #[arg(long = "location", value_name = "PATH")]
    pub locations: Vec<PathBuf>,
    /// Catalog files to read in each repository; globs allowed (default: catalog-info.yaml).
    #[arg(long = "catalog-path", value_name = "GLOB")]
    pub catalog_paths: Vec<String>,
    /// How many folder levels below a ROOT to search for repositories [default: 3].
    #[arg(long, value_name = "N")]
    pub max_depth: Option<usize>,
    /// Commit to read from bare repositories (a branch, tag or commit) [default: HEAD].
    #[arg(long = "ref", value_name = "REF")]
    pub git_ref: Option<String>,
    /// Leave out entities Backstage would reject, as its catalog does, instead of keeping them
    /// marked `portico.dev/invalid` (config: `[catalog] backstage-exact`).
    #[arg(long)]
    pub backstage_exact: bool,
    /// Show notes (info diagnostics) too.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Folder to write the site to; replaced as a whole when the build succeeds.
    #[arg(long, value_name = "DIR", default_value = "site")]
    pub out: PathBuf,
    /// Exit with status 1 on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// How to print diagnostics: human on standard error, the others on standard output.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Leave out search: no index, no search box (a faster build).
    #[arg(long)]
    pub no_search: bool,
    /// A theme folder layered over the default theme (overrides `[site] theme`).
    #[arg(long, value_name = "DIR")]
    pub theme: Option<PathBuf>,
    /// The build cache: renders kept between builds, so unchanged pages are
    /// not rendered again [default: `.portico-cache` beside --out].
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache: Option<PathBuf>,
    /// Build without the cache (neither read nor written).
    #[arg(long)]
    pub no_cache: bool,
    /// Scorecard history: re-evaluate every scorecard at one commit per
    /// week, this many weeks back, e.g. `12w` (at most 52; overrides
    /// `[scorecards] history`).
    #[arg(long, value_name = "WEEKS", value_parser = crate::scorecards::history::parse_weeks)]
    pub history: Option<u32>,
    /// Render only this share of the repositories' docs, into a part in
    /// --out for `portico merge` (e.g. 2/4: the second of four).
    #[arg(long, value_name = "I/N")]
    pub shard: Option<crate::shard::Shard>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The parts `build --shard` wrote, one per shard.
    #[arg(value_name = "PART", required = true, num_args = 1..)]
    pub parts: Vec<PathBuf>,
    /// Folder to write the site to; replaced as a whole when the merge succeeds.
    #[arg(long, value_name = "DIR", default_value = "site")]
    pub out: PathBuf,
    /// Exit with status 1 on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// How to print diagnostics: human on standard error, the others on standard output.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Show notes (info diagnostics) too.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Exit with status 1 on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// How to print diagnostics: human on standard error, the others on standard output.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Gate on this scorecard: entities below --min-level fail the check.
    #[arg(long, value_name = "NAME", requires = "min_level")]
    pub scorecard: Option<String>,
    /// The level every entity the scorecard applies to must reach.
    #[arg(long, value_name = "LEVEL", requires = "scorecard")]
    pub min_level: Option<String>,
    /// Gate only this entity (e.g. component:default/payment-gateway).
    #[arg(long, value_name = "REF", requires = "scorecard")]
    pub entity: Option<String>,
    /// Report only problems in the files changed since this commit (a
    /// branch, tag or commit, e.g. origin/main), uncommitted edits
    /// included, and in pages linking to what they moved or removed.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
    /// A site `portico build` wrote: its catalog.json stands for the rest
    /// of the organisation, so refs to entities defined elsewhere resolve.
    #[arg(long, value_name = "DIR")]
    pub site: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style messages with the source line.
    Human,
    /// A JSON array of diagnostics.
    Json,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect()
    }

    #[test]
    fn an_unknown_subcommand_gets_the_one_it_most_likely_meant() {
        let names = names();
        assert_eq!(closest_subcommand("serv", &names), Some("serve"));
        assert_eq!(closest_subcommand("sevre", &names), Some("serve"));
        assert_eq!(closest_subcommand("serach", &names), Some("search"));
        assert_eq!(closest_subcommand("biuld", &names), Some("build"));
        assert_eq!(closest_subcommand("scorecard", &names), Some("scorecards"));
        assert_eq!(closest_subcommand("chekc", &names), Some("check"));
        assert_eq!(closest_subcommand("mirorr", &names), Some("mirror"));
    }

    #[test]
    fn far_or_ambiguous_words_get_no_tip() {
        let names = names();
        assert_eq!(closest_subcommand("deploy", &names), None);
        assert_eq!(closest_subcommand("x", &names), None);
        // `se` starts both search and serve.
        assert_eq!(closest_subcommand("se", &names), None);
    }
}
