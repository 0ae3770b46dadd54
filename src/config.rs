//! `portico.toml`: optional site settings.
//!
//! The file is parsed into [`RawConfig`] (every key known, unknown keys
//! refused with the list of valid ones), then merged with the command line
//! into [`Config`], the only form the rest of the code sees. Paths in the
//! file are relative to the file.

use crate::discover::DEFAULT_MAX_DEPTH;
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "portico.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub site: RawSite,
    /// Folders to search for repositories when none is given.
    pub roots: Option<Vec<String>>,
    #[serde(default)]
    pub discover: RawDiscover,
    #[serde(default)]
    pub catalog: RawCatalog,
    #[serde(default)]
    pub docs: RawDocs,
    #[serde(default)]
    pub scorecards: RawScorecards,
    #[serde(default)]
    pub mirror: RawMirror,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawMirror {
    /// Repository URLs `portico mirror` clones when no LIST is given.
    pub repos: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawScorecards {
    /// Scorecard definition files, globs relative to this file (default:
    /// `scorecards/*.yaml` in each ROOT, else the built-in scorecard).
    pub paths: Option<Vec<String>>,
    /// A JSON file of external facts by entity ref.
    pub facts: Option<String>,
    /// Weeks of history to evaluate, e.g. `"12w"`.
    pub history: Option<String>,
    /// Tags that are releases: a regular expression over tag names.
    pub release_tags: Option<String>,
    /// Days of the delivery metrics' window (default 90).
    pub delivery_window_days: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawDocs {
    /// Hosts iframes in docs may load from (TechDocs' `sanitizer.allowedIframeHosts`).
    pub allowed_iframe_hosts: Option<Vec<String>>,
    /// PlantUML server drawing ```plantuml blocks, e.g. `https://www.plantuml.com/plantuml`.
    pub plantuml_server: Option<String>,
    /// Tags every docs site is also built at, a glob such as `"v*"`.
    pub versions: Option<String>,
    /// Whether old docs versions are searched too (default: the latest only).
    pub search_versions: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSite {
    pub title: Option<String>,
    /// Where the site is published, e.g. `https://portal.example.com/dev/`.
    pub base_url: Option<String>,
    /// A theme folder layered over the default theme (relative to the file).
    pub theme: Option<String>,
    /// An image shown before the title in every page's header.
    pub logo: Option<String>,
    /// Annotation → URL template with `{value}`: shown as links on entity pages.
    pub annotation_links: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawDiscover {
    pub max_depth: Option<usize>,
    /// Commit read from bare repositories (default: HEAD).
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCatalog {
    /// Catalog files per repository, globs allowed (Backstage discovery's `catalogPath`).
    pub paths: Option<Vec<String>>,
    /// Location files read in addition, like Backstage's `catalog.locations`.
    pub locations: Option<Vec<String>>,
    /// Leave out entities Backstage would reject, as Backstage does (default:
    /// keep them, marked `portico.dev/invalid`, so the portal shows them).
    #[serde(rename = "backstage-exact")]
    pub backstage_exact: Option<bool>,
}

/// What the command line says; `None`/empty means "not given".
#[derive(Debug, Default, Clone)]
pub struct CliSettings {
    pub config: Option<PathBuf>,
    pub roots: Vec<PathBuf>,
    pub locations: Vec<PathBuf>,
    pub catalog_paths: Vec<String>,
    pub max_depth: Option<usize>,
    pub git_ref: Option<String>,
    /// `--backstage-exact`.
    pub backstage_exact: bool,
}

/// Settings after merging the file with the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub site_title: String,
    /// `[site] base-url`, ending with `/`.
    pub base_url: Option<String>,
    /// `[site] theme` (or `build --theme`): a folder layered over the default theme.
    pub theme: Option<PathBuf>,
    /// `[site] logo`.
    pub logo: Option<PathBuf>,
    /// Annotations shown as links on entity pages: (annotation, URL template).
    pub annotation_links: Vec<(String, String)>,
    pub roots: Vec<PathBuf>,
    pub locations: Vec<PathBuf>,
    pub catalog_paths: Vec<String>,
    /// `--backstage-exact` or `[catalog] backstage-exact`: entities Backstage
    /// would reject are left out instead of kept and marked.
    pub backstage_exact: bool,
    pub max_depth: usize,
    pub git_ref: Option<String>,
    pub allowed_iframe_hosts: Vec<String>,
    pub plantuml_server: Option<String>,
    /// `[docs] versions`: the tag pattern docs are also built at.
    pub docs_versions: Option<String>,
    /// `[docs] search-versions`.
    pub search_versions: bool,
    /// Whether `build` writes the search indexes and the search box.
    pub search: bool,
    /// `[scorecards]`: where definitions and facts come from, and the day.
    pub scorecards: crate::scorecards::load::Settings,
}

/// A configuration problem: always a usage error (exit code 2).
#[derive(Debug)]
pub struct ConfigError(pub String);

/// Reads `portico.toml` (the given one, or the one in the current folder)
/// and merges the command line over it.
pub fn load(cli: &CliSettings) -> Result<Config, ConfigError> {
    match &cli.config {
        Some(path) => load_with(cli, Some((path, &read_text(path)?))),
        None if Path::new(FILE_NAME).is_file() => {
            let path = Path::new(FILE_NAME);
            load_with(cli, Some((path, &read_text(path)?)))
        }
        None => load_with(cli, None),
    }
}

/// [`load`] with the configuration file already read: its path and text
/// (`None`: there is none), so a caller that compares the bytes it read
/// (`portico serve`) loads exactly those.
pub fn load_with(cli: &CliSettings, file: Option<(&Path, &str)>) -> Result<Config, ConfigError> {
    let (raw, base) = match file {
        Some((path, text)) => (
            parse(text).map_err(|e| ConfigError(format!("{}: {e}", path.display())))?,
            path.parent().unwrap_or(Path::new("")).to_path_buf(),
        ),
        None => (RawConfig::default(), PathBuf::new()),
    };
    let mut config = merge(raw, &base, cli)?;
    config.scorecards.today = build_day();
    config.scorecards.config_file = file.map(|(path, _)| path.to_path_buf());
    Ok(config)
}

/// The build's day: `SOURCE_DATE_EPOCH` (seconds, the reproducible-builds
/// convention) when set, else the clock. Read here, at the edge, so no rule
/// ever reads the clock.
/// `release-tags` compiled (size-capped like scorecard patterns) and the
/// window checked.
fn delivery_settings(
    raw: &RawScorecards,
) -> Result<crate::scorecards::delivery::Settings, ConfigError> {
    use crate::scorecards::delivery::{DEFAULT_RELEASE_TAGS, DEFAULT_WINDOW_DAYS, Settings};
    let pattern = raw.release_tags.as_deref().unwrap_or(DEFAULT_RELEASE_TAGS);
    let release_tags = regex::RegexBuilder::new(pattern)
        .size_limit(crate::limits::MAX_SCORECARD_REGEX_BYTES)
        .build()
        .map_err(|e| {
            ConfigError(format!(
                "[scorecards] release-tags: `{pattern}` is not a valid regular expression: {}",
                e.to_string().lines().last().unwrap_or("invalid").trim()
            ))
        })?;
    let window_days = raw.delivery_window_days.unwrap_or(DEFAULT_WINDOW_DAYS);
    if !(1..=3660).contains(&window_days) {
        return Err(ConfigError(format!(
            "[scorecards] delivery-window-days: {window_days} is not between 1 and 3660"
        )));
    }
    Ok(Settings {
        release_tags,
        window_days,
    })
}

pub fn build_day() -> crate::scorecards::dates::Day {
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    crate::scorecards::dates::Day::from_seconds(seconds)
}

/// `[mirror] repos` of the given `portico.toml` (or the one in the current
/// folder), with the file's path for diagnostics; `None` without a file.
pub fn mirror_repos(config: Option<&Path>) -> Result<Option<(Vec<String>, PathBuf)>, ConfigError> {
    let path = match config {
        Some(path) => path.to_path_buf(),
        None if Path::new(FILE_NAME).is_file() => PathBuf::from(FILE_NAME),
        None => return Ok(None),
    };
    let raw =
        parse(&read_text(&path)?).map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
    Ok(Some((raw.mirror.repos.unwrap_or_default(), path)))
}

fn read_text(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("cannot read `{}`: {e}", path.display())))
}

pub fn parse(text: &str) -> Result<RawConfig, String> {
    toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())
}

fn merge(raw: RawConfig, base: &Path, cli: &CliSettings) -> Result<Config, ConfigError> {
    let from_file = |paths: Option<Vec<String>>| -> Vec<PathBuf> {
        paths
            .unwrap_or_default()
            .into_iter()
            .map(|p| base.join(p))
            .collect()
    };
    let roots = if cli.roots.is_empty() {
        from_file(raw.roots)
    } else {
        cli.roots.clone()
    };
    let mut locations = from_file(raw.catalog.locations);
    locations.extend(cli.locations.iter().cloned());
    let catalog_paths = if !cli.catalog_paths.is_empty() {
        cli.catalog_paths.clone()
    } else {
        raw.catalog
            .paths
            .unwrap_or_else(|| vec!["catalog-info.yaml".into()])
    };
    for pattern in &catalog_paths {
        globset::Glob::new(pattern).map_err(|e| {
            ConfigError(format!("catalog path `{pattern}` is not a valid glob: {e}"))
        })?;
        if pattern.starts_with('/') || pattern.split('/').any(|p| p == "..") {
            return Err(ConfigError(format!(
                "catalog path `{pattern}` must be relative to the repository root"
            )));
        }
    }
    let delivery = delivery_settings(&raw.scorecards)?;
    let scorecard_paths = raw.scorecards.paths.unwrap_or_default();
    for pattern in &scorecard_paths {
        globset::Glob::new(pattern).map_err(|e| {
            ConfigError(format!(
                "[scorecards] paths: `{pattern}` is not a valid glob: {e}"
            ))
        })?;
    }
    let scorecards = crate::scorecards::load::Settings {
        paths: scorecard_paths,
        base: base.to_path_buf(),
        config_file: None,
        roots: roots.clone(),
        facts: raw.scorecards.facts.map(|f| base.join(f)),
        // Set by `load`, the edge that may read the environment and clock.
        today: crate::scorecards::dates::Day(0),
        history: raw
            .scorecards
            .history
            .as_deref()
            .map(crate::scorecards::history::parse_weeks)
            .transpose()
            .map_err(ConfigError)?,
        delivery,
    };
    if roots.is_empty() && locations.is_empty() {
        return Err(ConfigError(
            "no repositories to read: give a ROOT folder (e.g. `portico build example-org`), \
             a --location file, or `roots` in portico.toml"
                .into(),
        ));
    }
    if let Some(pattern) = &raw.docs.versions {
        crate::docs::versions::matcher(pattern)
            .map_err(|e| ConfigError(format!("[docs] versions: {e}")))?;
    }
    Ok(Config {
        site_title: raw.site.title.unwrap_or_else(|| "Developer portal".into()),
        base_url: base_url(raw.site.base_url)?,
        theme: raw.site.theme.map(|t| base.join(t)),
        logo: raw.site.logo.map(|l| base.join(l)),
        annotation_links: annotation_links(raw.site.annotation_links)?,
        search: true,
        roots,
        locations,
        catalog_paths,
        backstage_exact: cli.backstage_exact || raw.catalog.backstage_exact.unwrap_or(false),
        max_depth: cli
            .max_depth
            .or(raw.discover.max_depth)
            .unwrap_or(DEFAULT_MAX_DEPTH),
        git_ref: cli.git_ref.clone().or(raw.discover.git_ref),
        allowed_iframe_hosts: raw.docs.allowed_iframe_hosts.unwrap_or_default(),
        plantuml_server: raw.docs.plantuml_server,
        docs_versions: raw.docs.versions,
        search_versions: raw.docs.search_versions.unwrap_or(false),
        scorecards,
    })
}

/// Annotations every portal links (the file adds to them or replaces them).
/// SonarQube's Backstage plugin defaults to SonarCloud too; PagerDuty, Argo
/// CD, Jenkins and Grafana live on each organisation's own host, so they are
/// shown unlinked until the file says where.
const DEFAULT_ANNOTATION_LINKS: [(&str, &str); 3] = [
    ("github.com/project-slug", "https://github.com/{value}"),
    ("gitlab.com/project-slug", "https://gitlab.com/{value}"),
    (
        "sonarqube.org/project-key",
        "https://sonarcloud.io/dashboard?id={value}",
    ),
];

/// `[site.annotation-links]` over the defaults; each template an absolute
/// http(s) URL with `{value}` in it.
fn annotation_links(
    raw: Option<std::collections::BTreeMap<String, String>>,
) -> Result<Vec<(String, String)>, ConfigError> {
    let mut links: std::collections::BTreeMap<String, String> = DEFAULT_ANNOTATION_LINKS
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for (annotation, template) in raw.unwrap_or_default() {
        // `{value}` must come after the host, so a value cannot choose it.
        let host_end = template
            .find("://")
            .and_then(|s| template[s + 3..].find('/').map(|p| s + 3 + p));
        let value_at = template.find("{value}");
        if !is_http(&template)
            || value_at.is_none()
            || host_end.is_none_or(|end| value_at.is_some_and(|v| v < end))
        {
            return Err(ConfigError(format!(
                "[site.annotation-links] `{annotation}` = `{template}`: the link must be an http(s) URL \
                 with `{{value}}` where the annotation's value goes, in its path or query (after the host), e.g. \
                 \"https://acme.pagerduty.com/service-directory/{{value}}\""
            )));
        }
        links.insert(annotation, template);
    }
    Ok(links.into_iter().collect())
}

/// Whether a URL starts with `http://` or `https://`, in any letter case.
fn is_http(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// An absolute `http(s)://` URL with no query or fragment, ending with `/`.
fn base_url(raw: Option<String>) -> Result<Option<String>, ConfigError> {
    let Some(url) = raw else { return Ok(None) };
    let scheme_ok = is_http(&url);
    let host = url.split("://").nth(1).unwrap_or("");
    if !scheme_ok
        || host.is_empty()
        || host.starts_with('/')
        || url.contains(['?', '#', ' ', '"', '<', '>'])
    {
        return Err(ConfigError(format!(
            "[site] base-url `{url}` must be an absolute http(s) URL without query or fragment, \
             e.g. `https://portal.example.com/` or `https://example.github.io/portal/`"
        )));
    }
    Ok(Some(if url.ends_with('/') {
        url
    } else {
        format!("{url}/")
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_link_values_go_after_the_host() {
        let one = |k: &str, v: &str| {
            annotation_links(Some([(k.to_string(), v.to_string())].into_iter().collect()))
        };
        assert!(one("a/b", "https://x.example/s/{value}").is_ok());
        assert!(one("a/b", "https://x.example/?id={value}").is_ok());
        assert!(one("a/b", "https://{value}.pagerduty.com/").is_err());
        assert!(one("a/b", "https://x.example").is_err());
        assert!(one("a/b", "javascript:{value}").is_err());
        let defaults = one("a/b", "https://x.example/{value}").unwrap();
        assert!(defaults.iter().any(|(k, _)| k == "github.com/project-slug"));
    }

    #[test]
    fn base_urls_are_absolute_and_end_with_a_slash() {
        let ok = |u: &str| base_url(Some(u.to_string())).unwrap().unwrap();
        assert_eq!(
            ok("https://portal.example.com"),
            "https://portal.example.com/"
        );
        assert_eq!(ok("http://h/dev/"), "http://h/dev/");
        for bad in [
            "portal/",
            "/dev/",
            "https://",
            "ftp://h/",
            "https://h/?q=1",
            "https://h/#x",
        ] {
            assert!(base_url(Some(bad.to_string())).is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_keys_are_refused_with_the_valid_ones() {
        let err = parse("[site]\ntitel = \"x\"\n").unwrap_err();
        assert!(err.contains("unknown field `titel`"), "{err}");
        assert!(err.contains("title"), "{err}");
    }

    #[test]
    fn file_paths_are_relative_to_the_file_and_cli_wins() {
        let raw = parse("roots = [\"repos\"]\n[catalog]\nlocations = [\"central/all.yaml\"]\npaths = [\"**/catalog-info.yaml\"]\n").unwrap();
        let config = merge(raw, Path::new("/org"), &CliSettings::default()).unwrap();
        assert_eq!(config.roots, vec![PathBuf::from("/org/repos")]);
        assert_eq!(
            config.locations,
            vec![PathBuf::from("/org/central/all.yaml")]
        );
        assert_eq!(
            config.catalog_paths,
            vec!["**/catalog-info.yaml".to_string()]
        );
        let cli = CliSettings {
            roots: vec![PathBuf::from("x")],
            ..Default::default()
        };
        let config = merge(
            parse("roots = [\"repos\"]").unwrap(),
            Path::new("/org"),
            &cli,
        )
        .unwrap();
        assert_eq!(config.roots, vec![PathBuf::from("x")]);
    }

    #[test]
    fn nothing_to_read_is_a_usage_error() {
        assert!(merge(RawConfig::default(), Path::new(""), &CliSettings::default()).is_err());
    }

    #[test]
    fn catalog_paths_must_stay_in_the_repository() {
        let raw = parse("roots=[\".\"]\n[catalog]\npaths = [\"../x.yaml\"]").unwrap();
        assert!(merge(raw, Path::new(""), &CliSettings::default()).is_err());
    }
}
