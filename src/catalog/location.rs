//! Where an entity came from, written the way Backstage writes it.
//!
//! Backstage records an entity's origin in `backstage.io/managed-by-location`
//! (`url:` for files read from a host, `file:` for local files) and adds
//! `backstage.io/source-location`, `view-url` and `edit-url` for `url:`
//! locations only (`AnnotateLocationEntityProcessor`). When a repository has
//! a git remote on a known host, Portico builds the same `url:` forms from
//! the remote and branch, so entity pages can link to their source;
//! otherwise it writes `file:` locations.
//!
//! A file is registered as its `blob` URL (that is the origin), but Backstage
//! reads it through a Location whose target goes through the integration's
//! `resolveUrl`, which for GitHub rewrites `blob` to `tree`
//! (`GithubIntegration.resolveUrl` → `replaceGithubUrlType(…, "tree")`):
//! so `managed-by-location` and `view-url` are `tree` URLs. GitLab's
//! `resolveUrl` keeps `/-/blob/`.

use crate::read::Snapshot;

/// How to turn a repository path into a URL on its git host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoLocation {
    /// `https://github.com/org/repo`, when the remote is a web host.
    pub web_base: Option<String>,
    /// Branch, or commit id when detached.
    pub revision: String,
    /// Absolute path of the repository folder, for `file:` locations.
    pub root: String,
    gitlab: bool,
}

impl RepoLocation {
    pub fn of(snapshot: &Snapshot) -> RepoLocation {
        let git = snapshot.git.clone().unwrap_or_default();
        let web_base = git.remote_url.as_deref().and_then(web_url);
        let revision = git.branch.or(git.commit).unwrap_or_else(|| "HEAD".into());
        let root = snapshot.absolute_root().to_string();
        // GitLab (gitlab.com or a self-hosted gitlab.* host) puts `/-/` before blob paths.
        let gitlab = web_base.as_deref().is_some_and(is_gitlab);
        RepoLocation {
            web_base,
            revision,
            root,
            gitlab,
        }
    }

    fn blob_url(&self, base: &str, view: &str, path: &str) -> String {
        let sep = if self.gitlab { "/-/" } else { "/" };
        format!("{base}{sep}{view}/{}/{path}", self.revision)
    }

    /// How a file is registered (`managed-by-origin-location` of what is
    /// read from it first): its `blob` URL, or its `file:` path.
    pub fn registered_as(&self, path: &str) -> String {
        match &self.web_base {
            Some(base) => format!("url:{}", self.blob_url(base, "blob", path)),
            None => format!("file:{}/{path}", self.root),
        }
    }

    /// The URL a file is read at: `tree` on GitHub-like hosts, after
    /// `resolveUrl` (see the module comment), `blob` on GitLab.
    fn read_url(&self, base: &str, path: &str) -> String {
        let view = if self.gitlab { "blob" } else { "tree" };
        self.blob_url(base, view, path)
    }

    /// `backstage.io/managed-by-location` for a file.
    pub fn location_of(&self, path: &str) -> String {
        match &self.web_base {
            Some(base) => format!("url:{}", self.read_url(base, path)),
            None => format!("file:{}/{path}", self.root),
        }
    }

    /// `backstage.io/source-location`: the folder holding the file, for web
    /// locations only.
    pub fn source_of(&self, path: &str) -> Option<String> {
        let base = self.web_base.as_deref()?;
        let dir = crate::read::safe_path::parent(path);
        let dir = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        Some(format!("url:{}", self.blob_url(base, "tree", &dir)))
    }

    /// A file's view and edit URLs on its web host.
    pub fn view_and_edit(&self, path: &str) -> Option<(String, String)> {
        let base = self.web_base.as_deref()?;
        Some((self.read_url(base, path), self.blob_url(base, "edit", path)))
    }

    /// `backstage.io/view-url` (the location's URL) and `edit-url`, for web
    /// locations only. No edit URL at a commit id (a 40-hex revision), as
    /// `AnnotateLocationEntityProcessor` leaves it out there.
    pub fn view_and_edit_annotations(&self, path: &str) -> Option<(String, Option<String>)> {
        let (view, edit) = self.view_and_edit(path)?;
        let at_commit = self.revision.len() >= 40
            && self
                .revision
                .bytes()
                .all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'));
        Some((view, (!at_commit).then_some(edit)))
    }

    /// The repository folder a web URL names (`""` for the root), if it is
    /// in this repository: `https://host/org/repo/tree/main/docs` → `docs`.
    pub fn dir_of_url(&self, url: &str) -> Option<String> {
        let url = url.trim_end_matches('/');
        let base = self.web_base.as_deref()?;
        let rest = strip_prefix_ignore_case(url, base)?;
        if rest.is_empty() {
            return Some(String::new());
        }
        let rest = rest.strip_prefix("/-").unwrap_or(rest);
        let rest = rest
            .strip_prefix("/tree/")
            .or_else(|| rest.strip_prefix("/blob/"))?;
        Some(
            rest.split_once('/')
                .map_or(String::new(), |(_, path)| path.to_string()),
        )
    }

    /// The repository path a web URL points to, if it is in this repository:
    /// `https://host/org/repo/blob/main/a/b.yaml` → `a/b.yaml`.
    pub fn path_of_url(&self, url: &str) -> Option<String> {
        let base = self.web_base.as_deref()?;
        let rest = strip_prefix_ignore_case(url, base)?;
        let rest = rest.strip_prefix("/-").unwrap_or(rest);
        let rest = rest
            .strip_prefix("/blob/")
            .or_else(|| rest.strip_prefix("/tree/"))
            .or_else(|| rest.strip_prefix("/raw/"))?;
        let (_revision, path) = rest.split_once('/')?;
        let path = path.split(['?', '#']).next().unwrap_or(path);
        (!path.is_empty()).then(|| path.to_string())
    }
}

/// GitLab (gitlab.com or a self-hosted `gitlab.*` host) puts `/-/` before blob paths.
fn is_gitlab(web_base: &str) -> bool {
    let host = web_base
        .strip_prefix("https://")
        .and_then(|r| r.split('/').next())
        .unwrap_or("");
    host.split('.').any(|part| part == "gitlab")
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix))
    .then(|| &s[prefix.len()..])
}

/// The web address of a git remote, for https, ssh and scp-like remotes.
/// Local paths and `file://` remotes have none.
pub fn web_url(remote: &str) -> Option<String> {
    let remote = remote.trim();
    let (host, path) = if let Some(rest) = remote
        .strip_prefix("https://")
        .or_else(|| remote.strip_prefix("http://"))
        .or_else(|| remote.strip_prefix("ssh://"))
        .or_else(|| remote.strip_prefix("git://"))
    {
        let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
        let (host, path) = rest.split_once('/')?;
        // ssh://git@host:2222/org/repo: drop the port.
        (host.split(':').next()?.to_string(), path.to_string())
    } else if !remote.contains("://") && remote.contains(':') && !remote.starts_with('/') {
        // scp-like: git@github.com:org/repo.git
        let rest = remote.rsplit_once('@').map_or(remote, |(_, r)| r);
        let (host, path) = rest.split_once(':')?;
        (host.to_string(), path.to_string())
    } else {
        return None;
    };
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    if host.is_empty() || !host.contains('.') || path.is_empty() {
        return None;
    }
    Some(format!("https://{host}/{path}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_become_web_urls() {
        assert_eq!(
            web_url("git@github.com:acme/shipping.git").as_deref(),
            Some("https://github.com/acme/shipping")
        );
        assert_eq!(
            web_url("https://github.com/acme/shipping.git").as_deref(),
            Some("https://github.com/acme/shipping")
        );
        assert_eq!(
            web_url("https://user:tok@gitlab.com/g/sub/r").as_deref(),
            Some("https://gitlab.com/g/sub/r")
        );
        assert_eq!(
            web_url("ssh://git@git.acme.io:2222/team/r.git").as_deref(),
            Some("https://git.acme.io/team/r")
        );
        assert_eq!(web_url("/srv/git/r.git"), None);
        assert_eq!(web_url("file:///srv/git/r.git"), None);
        assert_eq!(web_url("../other"), None);
    }

    fn github() -> RepoLocation {
        RepoLocation {
            web_base: Some("https://github.com/acme/shipping".into()),
            revision: "dev".into(),
            root: "/x/shipping".into(),
            gitlab: false,
        }
    }

    /// Registered as `blob`, read (and viewed) as `tree` after GitHub's
    /// `resolveUrl`; GitLab keeps `/-/blob/`.
    #[test]
    fn locations_use_blob_and_tree_urls() {
        let loc = github();
        assert_eq!(
            loc.registered_as("catalog-info.yaml"),
            "url:https://github.com/acme/shipping/blob/dev/catalog-info.yaml"
        );
        assert_eq!(
            loc.location_of("catalog-info.yaml"),
            "url:https://github.com/acme/shipping/tree/dev/catalog-info.yaml"
        );
        assert_eq!(
            loc.view_and_edit_annotations("a/b.yaml"),
            Some((
                "https://github.com/acme/shipping/tree/dev/a/b.yaml".to_string(),
                Some("https://github.com/acme/shipping/edit/dev/a/b.yaml".to_string())
            ))
        );
        assert_eq!(
            loc.source_of("catalog-info.yaml").as_deref(),
            Some("url:https://github.com/acme/shipping/tree/dev/")
        );
        assert_eq!(
            loc.source_of("pkg/a/catalog-info.yaml").as_deref(),
            Some("url:https://github.com/acme/shipping/tree/dev/pkg/a/")
        );
        let gitlab = RepoLocation {
            web_base: Some("https://gitlab.com/g/r".into()),
            gitlab: true,
            ..github()
        };
        assert_eq!(
            gitlab.location_of("c.yaml"),
            "url:https://gitlab.com/g/r/-/blob/dev/c.yaml"
        );
    }

    #[test]
    fn no_edit_url_at_a_commit_id() {
        let loc = RepoLocation {
            revision: "0123456789abcdef0123456789abcdef01234567".into(),
            ..github()
        };
        let (view, edit) = loc.view_and_edit_annotations("c.yaml").unwrap();
        assert!(view.contains("/tree/0123456789abcdef"), "{view}");
        assert_eq!(edit, None);
    }

    #[test]
    fn gitlab_is_recognised_by_host_only() {
        let gitlab = |remote: &str| web_url(remote).as_deref().is_some_and(is_gitlab);
        assert!(gitlab("git@gitlab.com:g/r.git"));
        assert!(gitlab("https://gitlab.acme.io/g/r"));
        assert!(!gitlab("git@github.com:acme/gitlab-tools.git"));
    }

    #[test]
    fn local_repositories_use_file_locations() {
        let loc = RepoLocation {
            web_base: None,
            ..github()
        };
        assert_eq!(
            loc.location_of("a/catalog-info.yaml"),
            "file:/x/shipping/a/catalog-info.yaml"
        );
        assert_eq!(loc.source_of("catalog-info.yaml"), None);
        assert_eq!(loc.view_and_edit_annotations("catalog-info.yaml"), None);
    }

    #[test]
    fn web_urls_map_back_to_paths() {
        let loc = github();
        assert_eq!(
            loc.path_of_url("https://github.com/acme/shipping/blob/main/a/catalog-info.yaml")
                .as_deref(),
            Some("a/catalog-info.yaml")
        );
        assert_eq!(
            loc.path_of_url("https://github.com/acme/other/blob/main/x.yaml"),
            None
        );
    }
}
