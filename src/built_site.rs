//! A site built before (`check --site DIR`), read as the rest of the
//! organisation: the entities of its `catalog.json`, so refs from the
//! repositories checked to entities defined elsewhere resolve, and the docs
//! sites that links from the checked pages name (`/docs/ns/kind/name/…`),
//! read from its folders only when a link names them.
//!
//! Only each entity's kind, namespace, name and
//! `backstage.io/managed-by-location` are read; the rest of the file is
//! skipped. Entities the site says came from a repository being checked
//! are left out: the repository as it is now says what it defines (an
//! entity the change removes must stop resolving).

use crate::address::CATALOG_JSON;
use crate::catalog::entity_ref::EntityRef;
use crate::limits::MAX_SITE_CATALOG_BYTES;
use serde::Deserialize;
use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

/// The entities a built site knows, by key ([`EntityRef::key`]).
#[derive(Debug, Default)]
pub struct SiteEntities {
    pub keys: HashSet<String>,
    /// Entities of the site left out as defined by a repository checked.
    pub left_out: usize,
}

/// A repository being checked, as the site's locations would name it.
pub struct CheckedRepo {
    /// `https://github.com/org/repo`, from its git remote.
    pub web_base: Option<String>,
    /// Its absolute folder (for `file:` locations).
    pub root: String,
}

#[derive(Deserialize)]
struct Body {
    entities: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    kind: String,
    metadata: Metadata,
}

#[derive(Deserialize)]
struct Metadata {
    name: String,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    annotations: Annotations,
}

#[derive(Default, Deserialize)]
struct Annotations {
    #[serde(rename = "backstage.io/managed-by-location")]
    managed_by: Option<String>,
}

/// Reads `DIR/catalog.json`. A missing or unreadable file is a usage
/// error: the user asked for this context.
pub fn entities(site: &Path, checked: &[CheckedRepo]) -> Result<SiteEntities, String> {
    let path = site.join(CATALOG_JSON);
    let fail = |why: String| format!("--site: `{}` {why}", path.display());
    let file = std::fs::File::open(&path).map_err(|e| {
        fail(format!(
            "cannot be read: {e}; give the folder a `portico build` wrote (its --out)"
        ))
    })?;
    let mut bytes = Vec::new();
    file.take(MAX_SITE_CATALOG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(format!("cannot be read: {e}")))?;
    if bytes.len() as u64 > MAX_SITE_CATALOG_BYTES {
        return Err(fail(format!(
            "is over the {} MB limit",
            MAX_SITE_CATALOG_BYTES / (1024 * 1024)
        )));
    }
    let body: Body = serde_json::from_slice(&bytes).map_err(|e| {
        fail(format!(
            "is not a catalog Portico wrote ({e}); build the site again"
        ))
    })?;
    let mut out = SiteEntities::default();
    for item in body.entities {
        let from_checked = item
            .metadata
            .annotations
            .managed_by
            .as_deref()
            .is_some_and(|location| checked.iter().any(|repo| repo.defines(location)));
        if from_checked {
            out.left_out += 1;
            continue;
        }
        let namespace = item.metadata.namespace.as_deref().unwrap_or("default");
        let entity = EntityRef::new(&item.kind, namespace, &item.metadata.name);
        out.keys.insert(entity.key());
    }
    Ok(out)
}

/// The pages (with their ids) and files of the docs site in `folder`
/// (`docs/<ns>/<kind>/<name>/`) of the built site, for links from the
/// checked pages into docs built elsewhere; `None` when the site has no
/// such folder. Page `guide/index.html` is page `guide/index.md` (and
/// `guide.md`); its ids are those inside its `<article>`, the page's
/// content, not the layout around it.
pub fn docs_site(site: &Path, folder: &str) -> Option<crate::docs::links::SiteFiles> {
    let parts: Vec<&str> = folder.trim_end_matches('/').split('/').collect();
    let safe = parts
        .iter()
        .all(|p| !p.is_empty() && *p != "." && *p != ".." && !p.contains('\\'));
    if !safe {
        return None;
    }
    let root = site.join(folder);
    if !std::fs::symlink_metadata(&root).ok()?.is_dir() {
        return None;
    }
    let mut files = crate::docs::links::SiteFiles {
        dir: root.display().to_string(),
        ..Default::default()
    };
    let mut folders = vec![(root, String::new())];
    let mut seen = 0;
    while let Some((dir, prefix)) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            seen += 1;
            if seen > crate::limits::MAX_LISTED_FILES {
                return Some(files);
            }
            let (Ok(kind), Ok(name)) = (entry.file_type(), entry.file_name().into_string()) else {
                continue;
            };
            let path = format!("{prefix}{name}");
            if kind.is_dir() {
                folders.push((entry.path(), format!("{path}/")));
            } else if kind.is_file() && name == "index.html" {
                let ids = std::fs::read(entry.path())
                    .ok()
                    .filter(|b| b.len() as u64 <= crate::limits::MAX_FILE_BYTES)
                    .map(|b| content_ids(&String::from_utf8_lossy(&b)))
                    .unwrap_or_default();
                let page = prefix.trim_end_matches('/');
                // One name per page: links find a page by its address
                // (`links::SiteFiles::page_at`), whatever its file was.
                if page.is_empty() {
                    files.pages.insert("index.md".into(), ids);
                } else {
                    files.pages.insert(format!("{page}/index.md"), ids);
                }
            } else if kind.is_file() {
                files.assets.insert(path);
            }
        }
    }
    Some(files)
}

/// The `id="…"` values inside a page's `<article>` (the whole text when it
/// has none: a theme of one's own may lay pages out otherwise).
fn content_ids(html: &str) -> HashSet<String> {
    let content = match (html.find("<article"), html.rfind("</article>")) {
        (Some(start), Some(end)) if start < end => &html[start..end],
        _ => html,
    };
    content
        .split(" id=\"")
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(id, _)| id))
        .map(|id| {
            id.replace("&amp;", "&")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
        })
        .collect()
}

impl CheckedRepo {
    /// Whether a `managed-by-location` names a file of this repository.
    fn defines(&self, location: &str) -> bool {
        if let Some(url) = location.strip_prefix("url:") {
            return self.web_base.as_deref().is_some_and(|base| {
                url.get(..base.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(base))
                    && url[base.len()..].starts_with('/')
            });
        }
        location
            .strip_prefix("file:")
            .and_then(|path| path.strip_prefix(self.root.as_str()))
            .is_some_and(|rest| rest.starts_with('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> CheckedRepo {
        CheckedRepo {
            web_base: Some("https://github.com/acme/payments".into()),
            root: "/ci/payments".into(),
        }
    }

    #[test]
    fn a_location_in_the_checked_repository_is_its_own() {
        let repo = repo();
        assert!(repo.defines("url:https://github.com/acme/payments/blob/main/catalog-info.yaml"));
        assert!(repo.defines("url:https://GitHub.com/acme/payments/tree/main/"));
        assert!(repo.defines("file:/ci/payments/catalog-info.yaml"));
        assert!(!repo.defines("url:https://github.com/acme/payments-api/blob/main/c.yaml"));
        assert!(!repo.defines("file:/ci/payments-api/catalog-info.yaml"));
        assert!(!repo.defines("url:https://github.com/acme/billing/blob/main/c.yaml"));
    }

    #[test]
    fn entities_of_checked_repositories_are_left_out() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CATALOG_JSON),
            r#"{"entities": [
                {"kind": "Group", "metadata": {"name": "Team-X", "namespace": "default",
                  "annotations": {"backstage.io/managed-by-location": "url:https://github.com/acme/org/blob/main/groups.yaml"}},
                 "spec": {"type": "team"}, "relations": []},
                {"kind": "Component", "metadata": {"name": "old",
                  "annotations": {"backstage.io/managed-by-location": "url:https://github.com/acme/payments/blob/main/catalog-info.yaml"}}}
            ]}"#,
        )
        .unwrap();
        let site = entities(dir.path(), &[repo()]).unwrap();
        assert_eq!(
            site.keys,
            HashSet::from(["group:default/team-x".to_string()])
        );
        assert_eq!(site.left_out, 1);
    }

    #[test]
    fn a_docs_site_of_the_built_site_is_read_from_its_folders() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("docs/default/component/billing");
        std::fs::create_dir_all(folder.join("guide")).unwrap();
        std::fs::write(
            folder.join("index.html"),
            r#"<nav id="nav"></nav><article><h1 id="billing">Billing</h1></article>"#,
        )
        .unwrap();
        std::fs::write(
            folder.join("guide/index.html"),
            r#"<article><h2 id="set-up">Set up</h2><p id="a&amp;b"></p></article>"#,
        )
        .unwrap();
        std::fs::write(folder.join("logo.png"), "png").unwrap();
        let site = docs_site(dir.path(), "docs/default/component/billing/").unwrap();
        assert_eq!(
            site.pages["index.md"],
            HashSet::from(["billing".to_string()])
        );
        assert_eq!(
            site.pages["guide/index.md"],
            HashSet::from(["set-up".to_string(), "a&b".to_string()])
        );
        assert_eq!(
            site.page_at("guide.md"),
            Some(&"guide/index.md".to_string())
        );
        assert!(site.assets.contains("logo.png"));
        assert!(docs_site(dir.path(), "docs/default/component/nope/").is_none());
        // A folder named by a link cannot lead out of the site's docs.
        assert!(docs_site(dir.path(), "docs/default/component/../").is_none());
        assert!(docs_site(&folder, "../billing/").is_none());
    }

    #[test]
    fn a_missing_or_foreign_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let e = entities(dir.path(), &[]).unwrap_err();
        assert!(e.contains("catalog.json` cannot be read"), "{e}");
        std::fs::write(dir.path().join(CATALOG_JSON), "[1, 2]").unwrap();
        let e = entities(dir.path(), &[]).unwrap_err();
        assert!(e.contains("is not a catalog Portico wrote"), "{e}");
    }
}
