//! The folder an entity's rules read files from. In a monorepo each
//! Component lives in its own folder, so `files`, `attestation` and
//! `dependency` paths are taken from there rather than from the repository
//! root (a leading `/` still means the root):
//!
//! 1. `backstage.io/source-location` when it points into a folder of the
//!    entity's own repository (the same web address as its
//!    `backstage.io/managed-by-location`, at any revision);
//! 2. otherwise the folder of the catalog file that defines the entity,
//!    which is where Backstage's own `source-location` points.

use crate::catalog::Entity;
use crate::read::safe_path;

pub const SOURCE_LOCATION: &str = "backstage.io/source-location";
const MANAGED_BY: &str = "backstage.io/managed-by-location";

/// The entity's folder, repository-relative (`""` for the root).
pub fn of(entity: &Entity) -> String {
    let catalog_dir = safe_path::parent(&entity.source.file).to_string();
    let (Some(source), Some(managed)) = (
        entity.annotation(SOURCE_LOCATION),
        entity.annotation(MANAGED_BY),
    ) else {
        return catalog_dir;
    };
    source_folder(source, managed, &entity.source.file).unwrap_or(catalog_dir)
}

/// The folder `source` names, when it is in the repository `managed` (the
/// location of `file`) is in.
fn source_folder(source: &str, managed: &str, file: &str) -> Option<String> {
    let root = managed.strip_suffix(file)?;
    let source = source.split(['?', '#']).next().unwrap_or(source);
    let rest = match source.strip_prefix(root) {
        Some(rest) => rest.to_string(),
        // `url:https://host/org/repo/tree/<rev>/`: the same repository at
        // another revision (`main` written, `HEAD` read) is still this one.
        None => {
            let (base, _) = split_revision(root)?;
            let (source_base, rest) = split_revision(source)?;
            (source_base.eq_ignore_ascii_case(base)).then_some(rest)?
        }
    };
    let rest = rest.trim_matches('/');
    if rest.is_empty() || rest == "." {
        return Some(String::new());
    }
    safe_path::normalize(rest).ok()
}

/// `url:https://h/o/r/tree/main/a/b` → (`url:https://h/o/r`, `a/b`);
/// GitLab's `/-/tree/` alike.
fn split_revision(url: &str) -> Option<(&str, String)> {
    if !url.starts_with("url:") {
        return None;
    }
    let at = ["/-/tree/", "/-/blob/", "/tree/", "/blob/"]
        .iter()
        .find_map(|m| url.find(m).map(|i| (i, m.len())))?;
    let (i, len) = at;
    let after = &url[i + len..];
    let path = after.split_once('/').map_or("", |(_, p)| p);
    Some((&url[..i], path.to_string()))
}

/// A rule's path, as written, made repository-relative: from the
/// repository root with a leading `/`, else from `folder`.
pub fn resolve(folder: &str, path: &str) -> String {
    match path.strip_prefix('/') {
        Some(from_root) => from_root.to_string(),
        None if folder.is_empty() => path.to_string(),
        None => format!("{folder}/{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANAGED: &str =
        "url:https://github.com/acme/mono/tree/HEAD/services/api/catalog-info.yaml";
    const FILE: &str = "services/api/catalog-info.yaml";

    #[test]
    fn source_location_into_the_same_repository() {
        let at = |s: &str| source_folder(s, MANAGED, FILE);
        assert_eq!(
            at("url:https://github.com/acme/mono/tree/HEAD/services/api/").as_deref(),
            Some("services/api")
        );
        // Another revision of the same repository.
        assert_eq!(
            at("url:https://github.com/acme/mono/tree/main/services/worker").as_deref(),
            Some("services/worker")
        );
        assert_eq!(
            at("url:https://github.com/acme/mono/tree/main/").as_deref(),
            Some("")
        );
        // Another repository, or a way out of this one: not a folder here.
        assert_eq!(at("url:https://github.com/acme/other/tree/main/x"), None);
        assert_eq!(
            at("url:https://github.com/acme/mono/tree/main/../../x"),
            None
        );
        assert_eq!(at("https://example.com/x"), None);
    }

    #[test]
    fn file_locations_compare_by_prefix() {
        let managed = "file:/org/mono/packages/a/catalog-info.yaml";
        let file = "packages/a/catalog-info.yaml";
        assert_eq!(
            source_folder("file:/org/mono/packages/b/", managed, file).as_deref(),
            Some("packages/b")
        );
    }

    #[test]
    fn paths_resolve_from_the_folder_or_the_root() {
        assert_eq!(resolve("packages/a", "Dockerfile"), "packages/a/Dockerfile");
        assert_eq!(resolve("packages/a", "/LICENSE"), "LICENSE");
        assert_eq!(resolve("", "README.md"), "README.md");
    }
}
