//! Docs versions from git tags, as `mike` gives MkDocs sites: with
//! `[docs] versions = "v*"` or the entity annotation
//! `portico.dev/docs-versions: "v*"`, an entity's docs are also built at
//! each matching tag, read from git objects (no checkout), into
//! `docs/<ns>/<kind>/<name>/<version>/`; the default branch stays the
//! latest at the site's usual folder.
//!
//! This module chooses the versions (matching tags, newest first, capped,
//! folder names made safe), loads each one's docs source, and draws what
//! the layout shows: the version switcher and the old-version banner.
//! Problems of old versions are reported as notes naming the version: a
//! tag cannot be fixed, so they never fail a build.

use super::markdown;
use super::site::{self, DocSource};
use crate::catalog::Entity;
use crate::diagnostics::{Diagnostic, Severity, SourceFile};
use crate::limits::{MAX_DOCS_VERSIONS, MAX_VERSION_TAGS};
use crate::read::Snapshot;
use crate::read::tags::Tag;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// The entity annotation choosing the tags its docs are built at (over
/// `[docs] versions`); `""` or `none` builds none.
pub const ANNOTATION: &str = "portico.dev/docs-versions";

/// Longest version folder name.
const MAX_FOLDER_CHARS: usize = 100;

/// A tag pattern (`v*`, `{v*,release-*}`): a glob over whole tag names.
pub fn matcher(pattern: &str) -> Result<globset::GlobMatcher, String> {
    globset::Glob::new(pattern)
        .map(|glob| glob.compile_matcher())
        .map_err(|e| format!("`{pattern}` is not a tag pattern: {e}"))
}

/// One old version of a docs site, loaded and ready to build.
pub(super) struct OldVersion {
    pub(super) tag: String,
    pub(super) snapshot: Snapshot,
    pub(super) source: DocSource,
}

/// Every version of one docs site, for the switcher: the latest (the
/// default branch) and the old ones, newest first, each with its pages.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SiteVersions {
    /// How the latest is named: `latest (main)`.
    pub latest: String,
    pub latest_pages: Vec<String>,
    pub old: Vec<VersionEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VersionEntry {
    pub tag: String,
    /// The version's folder inside the site's (see [`folder_name`]).
    pub folder: String,
    /// Its pages' sources, sorted.
    pub pages: Vec<String>,
}

/// One entry of the version switcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionLink {
    pub label: String,
    /// Relative to the page: the same page in that version when it has
    /// one, else that version's home page.
    pub href: String,
    pub current: bool,
}

/// What an old version's pages say above their content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldVersionNote {
    pub version: String,
    pub latest: String,
    /// The latest's same page, or its home page.
    pub latest_href: String,
}

impl SiteVersions {
    /// The versions of `latest`'s site: the default branch (`branch`, when
    /// the repository is on one) and `old`.
    pub(super) fn of(branch: Option<&str>, latest: &DocSource, old: &[OldVersion]) -> SiteVersions {
        SiteVersions {
            latest: branch.map_or_else(|| "latest".to_string(), |b| format!("latest ({b})")),
            latest_pages: latest.pages.clone(),
            old: old
                .iter()
                .map(|v| VersionEntry {
                    tag: v.tag.clone(),
                    folder: v.source.request.version.clone().unwrap_or_default(),
                    pages: v.source.pages.clone(),
                })
                .collect(),
        }
    }

    /// The switcher of the page `src` (at the site-relative folder
    /// `page_url`) in the version `current` (`None`: the latest).
    pub fn links(&self, current: Option<usize>, src: &str, page_url: &str) -> Vec<VersionLink> {
        let to_root = self.to_site_root(current, page_url);
        let page_in = |pages: &[String]| {
            if pages.binary_search_by(|p| p.as_str().cmp(src)).is_ok() {
                markdown::encode_path(&markdown::page_url(src))
            } else {
                String::new()
            }
        };
        let mut links = vec![VersionLink {
            label: self.latest.clone(),
            href: format!("{to_root}{}index.html", page_in(&self.latest_pages)),
            current: current.is_none(),
        }];
        links.extend(self.old.iter().enumerate().map(|(i, v)| VersionLink {
            label: v.tag.clone(),
            href: format!(
                "{to_root}{}/{}index.html",
                markdown::encode_path(&v.folder),
                page_in(&v.pages)
            ),
            current: current == Some(i),
        }));
        links
    }

    /// The banner of an old version's page; `None` on the latest's.
    pub fn note(
        &self,
        current: Option<usize>,
        src: &str,
        page_url: &str,
    ) -> Option<OldVersionNote> {
        let version = &self.old.get(current?)?.tag;
        let latest = self.links(current, src, page_url).swap_remove(0);
        Some(OldVersionNote {
            version: version.clone(),
            latest: self.latest.clone(),
            latest_href: latest.href,
        })
    }

    /// From a page's folder up to the latest site's folder.
    fn to_site_root(&self, current: Option<usize>, page_url: &str) -> String {
        let up = crate::address::root_from(page_url);
        match current {
            Some(_) => format!("{up}../"),
            None => up,
        }
    }
}

/// The tag pattern of an entity: its annotation, else the configured one.
/// `None`: no versions.
pub(super) fn pattern<'e>(
    entity: &'e Entity,
    configured: Option<&'e str>,
) -> Option<(&'e str, bool)> {
    let (value, annotated) = match entity.annotation(ANNOTATION) {
        Some(value) => (value.trim(), true),
        None => (configured?, false),
    };
    (!value.is_empty() && !value.eq_ignore_ascii_case("none")).then_some((value, annotated))
}

/// Loads the old versions of `latest`'s site: the tags matching the
/// entity's pattern, newest first, at most [`MAX_DOCS_VERSIONS`].
/// Problems choosing them go to `out`; problems inside a version's docs
/// to `old` with the version's tag.
pub(super) fn load(
    snapshot: &Snapshot,
    entity: &Entity,
    latest: &DocSource,
    configured: Option<&str>,
    out: &mut Vec<Diagnostic>,
    old: &mut Vec<(String, Diagnostic)>,
) -> Vec<OldVersion> {
    let Some((pattern, annotated)) = pattern(entity, configured) else {
        return Vec::new();
    };
    let repo = &snapshot.source;
    // Problems with the choice are placed at the annotation, or at the
    // site's mkdocs file when the pattern is the configured one.
    let place = |d: Diagnostic| {
        if annotated {
            let at = entity
                .doc
                .at(&["metadata", "annotations", ANNOTATION])
                .map_or(entity.doc.pos, |n| n.pos);
            d.in_file(&entity.source_file(), at.line, at.column)
        } else {
            let file = SourceFile {
                repo: &repo.name,
                repo_dir: &repo.display,
                path: &latest.config_file,
                text: &latest.config_text,
                line_index: None,
            };
            d.in_file(&file, 1, 1)
        }
    };
    let matcher = match matcher(pattern) {
        Ok(m) => m,
        Err(e) => {
            out.push(place(
                Diagnostic::error("docs-versions-invalid", e)
                    .with_hint("write a glob over tag names, e.g. `v*` or `{v*,release-*}`"),
            ));
            return Vec::new();
        }
    };
    let found = snapshot.tags(&|name| matcher.is_match(name));
    let mut tags = found.tags;
    newest_first(&mut tags);
    let matched = tags.len();
    if found.more || matched > MAX_DOCS_VERSIONS {
        let count = if found.more {
            format!("more than {MAX_VERSION_TAGS}")
        } else {
            matched.to_string()
        };
        out.push(place(
            Diagnostic::warning(
                "docs-versions-capped",
                format!("{count} tags match `{pattern}`; the docs were built at the newest {MAX_DOCS_VERSIONS} only"),
            )
            .with_hint("narrow the pattern (e.g. `v2.*`) to the versions readers need"),
        ));
    }
    let claimed = latest_paths(latest);
    let mut folders = HashSet::new();
    let mut versions = Vec::new();
    for tag in tags {
        if versions.len() == MAX_DOCS_VERSIONS {
            break;
        }
        let Some(folder) = folder_name(&tag.name) else {
            out.push(place(
                Diagnostic::warning(
                    "docs-version-skipped",
                    format!("tag `{}` makes no folder name; its docs were not built", tag.name),
                )
                .with_hint("version folders are made of the tag's letters, digits, `.`, `-` and `_`, and may not start with `.` or `_`"),
            ));
            continue;
        };
        let clash = if claimed.contains(folder.as_str()) {
            Some("a page or file of the latest docs is in that folder")
        } else if !folders.insert(folder.clone()) {
            Some("a newer tag has the same folder")
        } else {
            None
        };
        if let Some(why) = clash {
            out.push(place(
                Diagnostic::warning(
                    "docs-version-skipped",
                    format!(
                        "the docs of tag `{}` were not built: they would be in `{folder}/`, and {why}",
                        tag.name
                    ),
                )
                .with_hint("rename the docs folder or page, or narrow the tag pattern"),
            ));
            continue;
        }
        match open(snapshot, latest, &tag, folder) {
            Ok((version, problems)) => {
                old.extend(problems.into_iter().map(|d| (tag.name.clone(), d)));
                versions.extend(version);
            }
            Err(message) => out.push(place(Diagnostic::warning(
                "docs-version-skipped",
                format!("the docs of tag `{}` were not built: {message}", tag.name),
            ))),
        }
    }
    versions
}

/// Opens the repository at `tag` and loads the site's docs there. `None`
/// (with the problems saying why) when the tag has no docs at that place.
fn open(
    snapshot: &Snapshot,
    latest: &DocSource,
    tag: &Tag,
    folder: String,
) -> Result<(Option<OldVersion>, Vec<Diagnostic>), String> {
    let at = Snapshot::open_at(&snapshot.source, &tag.commit).map_err(|e| e.message)?;
    let files = at.list_all_files();
    let mut request = latest.request.clone();
    request.version = Some(folder);
    let mut problems = Vec::new();
    // An old version is what was published then: no drafts.
    let source = site::load(&at, &files, request, false, &mut problems);
    let version = source.map(|source| OldVersion {
        tag: tag.name.clone(),
        snapshot: at,
        source,
    });
    Ok((version, problems))
}

/// The first folder of every page and file the latest site publishes: an
/// old version's folder must not be one of them.
fn latest_paths(latest: &DocSource) -> HashSet<String> {
    let first = |path: &str| path.split('/').next().unwrap_or("").to_string();
    latest
        .pages
        .iter()
        .map(|src| first(&markdown::page_url(src)))
        .chain(latest.assets.iter().map(|a| first(a)))
        .collect()
}

/// A tag's folder name: its letters, digits, `.`, `-` and `_`, anything
/// else (a `/`, a space) made `-`. `None` for names that would be hidden
/// or Portico's own (starting with `.` or `_`), or longer than 100.
pub fn folder_name(tag: &str) -> Option<String> {
    let name: String = tag
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let refused =
        name.is_empty() || name.starts_with(['.', '_']) || name.chars().count() > MAX_FOLDER_CHARS;
    (!refused).then_some(name)
}

/// Orders tags newest first: by semantic version when every name is one
/// (`v1.2.3`, `1.2`, `2.0.0-rc.1`), else by date (ties by name).
pub fn newest_first(tags: &mut [Tag]) {
    let versions: Option<Vec<SemVer>> = tags.iter().map(|t| SemVer::parse(&t.name)).collect();
    match versions {
        Some(versions) => {
            let mut order: Vec<(SemVer, Tag)> =
                versions.into_iter().zip(tags.iter().cloned()).collect();
            order.sort_by(|(a, ta), (b, tb)| b.cmp(a).then_with(|| ta.name.cmp(&tb.name)));
            for (slot, (_, tag)) in tags.iter_mut().zip(order) {
                *slot = tag;
            }
        }
        None => tags.sort_by(|a, b| b.seconds.cmp(&a.seconds).then_with(|| a.name.cmp(&b.name))),
    }
}

/// A semantic version (semver.org): `MAJOR.MINOR.PATCH[-PRE][+BUILD]`,
/// with a leading `v` and missing minor or patch numbers allowed, as tags
/// are written. Build metadata does not order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SemVer {
    core: [u64; 3],
    pre: Vec<PreId>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum PreId {
    // Numeric identifiers have lower precedence than alphanumeric ones.
    Number(u64),
    Text(String),
}

impl SemVer {
    fn parse(tag: &str) -> Option<SemVer> {
        let tag = tag.strip_prefix(['v', 'V']).unwrap_or(tag);
        let tag = tag.split_once('+').map_or(tag, |(v, _)| v);
        let (core, pre) = match tag.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (tag, None),
        };
        let number = |s: &str| {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u64>().ok())
                .flatten()
        };
        let parts: Vec<&str> = core.split('.').collect();
        if parts.len() > 3 {
            return None;
        }
        let mut numbers = [0; 3];
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            *slot = number(part)?;
        }
        let pre = match pre {
            None => Vec::new(),
            Some(pre) => pre
                .split('.')
                .map(|id| {
                    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    {
                        None
                    } else {
                        Some(number(id).map_or_else(|| PreId::Text(id.to_string()), PreId::Number))
                    }
                })
                .collect::<Option<Vec<_>>>()?,
        };
        Some(SemVer { core: numbers, pre })
    }
}

impl Ord for SemVer {
    fn cmp(&self, other: &Self) -> Ordering {
        self.core.cmp(&other.core).then_with(|| {
            match (self.pre.is_empty(), other.pre.is_empty()) {
                // A pre-release comes before its release.
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.pre.cmp(&other.pre),
            }
        })
    }
}

impl PartialOrd for SemVer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The problems of old versions as notes naming the versions: a problem
/// the latest also has is not repeated, and one several versions share is
/// reported once, naming them all (newest first).
pub(super) fn report_old(latest: &[Diagnostic], old: Vec<(String, Diagnostic)>) -> Vec<Diagnostic> {
    type Same = (&'static str, String, String, usize, String);
    let same = |d: &Diagnostic| -> Same {
        (
            d.code,
            d.repo.clone(),
            d.file.clone(),
            d.line,
            d.message.clone(),
        )
    };
    let in_latest: HashSet<Same> = latest.iter().map(same).collect();
    let mut grouped: Vec<(Diagnostic, Vec<String>)> = Vec::new();
    let mut at: HashMap<Same, usize> = HashMap::new();
    for (tag, d) in old {
        // Notes about an old version's docs are not news.
        if d.severity == Severity::Info {
            continue;
        }
        let key = same(&d);
        if in_latest.contains(&key) {
            continue;
        }
        match at.get(&key) {
            Some(&i) => {
                if !grouped[i].1.contains(&tag) {
                    grouped[i].1.push(tag);
                }
            }
            None => {
                at.insert(key, grouped.len());
                grouped.push((d, vec![tag]));
            }
        }
    }
    grouped
        .into_iter()
        .map(|(mut d, tags)| {
            let names: Vec<String> = tags.iter().map(|t| format!("`{t}`")).collect();
            let which = if names.len() == 1 {
                "version"
            } else {
                "versions"
            };
            d.message = format!("in docs {which} {}: {}", names.join(", "), d.message);
            d.severity = Severity::Info;
            d
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(name: &str, seconds: i64) -> Tag {
        Tag {
            name: name.to_string(),
            commit: String::new(),
            seconds,
        }
    }

    fn names(tags: &[Tag]) -> Vec<&str> {
        tags.iter().map(|t| t.name.as_str()).collect()
    }

    #[test]
    fn semantic_versions_order_by_precedence_not_by_date_or_text() {
        let mut tags = vec![
            tag("v1.10.0", 1),
            tag("v1.2.0", 5),
            tag("v2.0.0-rc.1", 9),
            tag("v2.0.0", 2),
            tag("v2.0.0-beta.11", 3),
            tag("v2.0.0-beta.2", 4),
            tag("v2.0.0-alpha", 6),
            tag("v1.2", 7),
        ];
        newest_first(&mut tags);
        assert_eq!(
            names(&tags),
            vec![
                "v2.0.0",
                "v2.0.0-rc.1",
                "v2.0.0-beta.11",
                "v2.0.0-beta.2",
                "v2.0.0-alpha",
                "v1.10.0",
                "v1.2",
                "v1.2.0"
            ]
        );
    }

    #[test]
    fn other_names_order_by_date() {
        let mut tags = vec![tag("v1.0.0", 1), tag("release-spring", 3), tag("v0.9", 2)];
        newest_first(&mut tags);
        assert_eq!(names(&tags), vec!["release-spring", "v0.9", "v1.0.0"]);
    }

    #[test]
    fn semver_parsing_refuses_what_is_not_one() {
        for bad in [
            "v1.2.3.4",
            "v",
            "1..2",
            "v1.x",
            "1.0.0-",
            "1.0.0-a..b",
            "latest",
        ] {
            assert_eq!(SemVer::parse(bad), None, "{bad}");
        }
        assert_eq!(
            SemVer::parse("V3.1.4+build.7").map(|v| v.core),
            Some([3, 1, 4])
        );
    }

    #[test]
    fn folder_names_are_safe_path_parts() {
        assert_eq!(folder_name("v1.0.0").as_deref(), Some("v1.0.0"));
        assert_eq!(
            folder_name("release/2024 spring").as_deref(),
            Some("release-2024-spring")
        );
        assert_eq!(folder_name("..").as_deref(), None);
        assert_eq!(folder_name(".hidden"), None);
        assert_eq!(folder_name("_pages"), None);
        assert_eq!(folder_name(&"v".repeat(101)), None);
        assert_eq!(folder_name("é").as_deref(), Some("-"));
    }

    #[test]
    fn the_switcher_links_the_same_page_where_it_exists() {
        let versions = SiteVersions {
            latest: "latest (main)".into(),
            latest_pages: vec!["guide.md".into(), "index.md".into(), "new.md".into()],
            old: vec![VersionEntry {
                tag: "v1.0.0".into(),
                folder: "v1.0.0".into(),
                pages: vec!["guide.md".into(), "index.md".into()],
            }],
        };
        let hrefs = |current, src, url| -> Vec<(String, bool)> {
            versions
                .links(current, src, url)
                .into_iter()
                .map(|l| (l.href, l.current))
                .collect()
        };
        assert_eq!(
            hrefs(None, "guide.md", "guide/"),
            vec![
                ("../guide/index.html".to_string(), true),
                ("../v1.0.0/guide/index.html".to_string(), false)
            ]
        );
        assert_eq!(
            hrefs(None, "new.md", "new/"),
            vec![
                ("../new/index.html".to_string(), true),
                ("../v1.0.0/index.html".to_string(), false)
            ],
            "v1.0.0 has no such page: its home"
        );
        assert_eq!(
            hrefs(Some(0), "index.md", ""),
            vec![
                ("../index.html".to_string(), false),
                ("../v1.0.0/index.html".to_string(), true)
            ]
        );
        let note = versions.note(Some(0), "guide.md", "guide/").unwrap();
        assert_eq!(note.latest_href, "../../guide/index.html");
        assert_eq!(note.version, "v1.0.0");
        assert_eq!(versions.note(None, "guide.md", "guide/"), None);
    }

    #[test]
    fn old_problems_are_notes_once_and_not_the_latests_again() {
        let broken = |page: &str| {
            let mut d = Diagnostic::warning("link-broken", format!("`{page}` is missing"));
            d.file = "docs/index.md".into();
            d.line = 3;
            d
        };
        let latest = vec![broken("a.md")];
        let old = vec![
            ("v2".to_string(), broken("a.md")),
            ("v2".to_string(), broken("b.md")),
            ("v1".to_string(), broken("b.md")),
            ("v1".to_string(), Diagnostic::info("page-not-in-nav", "x")),
        ];
        let notes = report_old(&latest, old);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(notes[0].severity, Severity::Info);
        assert_eq!(
            notes[0].message,
            "in docs versions `v2`, `v1`: `b.md` is missing"
        );
    }
}
