//! The command line, as clap types. Parsed here, validated in `config`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "portico", version, about = "A static developer portal built from your organisation's git repositories", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the portal site from the repositories under ROOT.
    Build(BuildArgs),
    /// Read and check the catalog without writing anything (for CI).
    Check(CheckArgs),
    /// Search a built site's catalog and docs from the terminal.
    Search(SearchArgs),
    /// Preview the portal: serve it, rebuild it as files change, reload the browser.
    Serve(ServeArgs),
    /// Scorecards: print the built-in default to start your own from.
    Scorecards(ScorecardsArgs),
    /// Clone or update bare mirrors of a list of repositories, for `build DIR`.
    Mirror(MirrorArgs),
}

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
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Exit with status 1 on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// How to print diagnostics.
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
