//! Which folder of `--into` holds which repository. Names come from URLs,
//! which are hostile input: a name is made of `[A-Za-z0-9._-]` only, never
//! starts with `.` (so never `..` and never hidden), has no separator, and
//! is short. A folder that already mirrors a URL keeps it, so adding a
//! repository whose name collides never renames (and refetches) another.

use std::collections::{BTreeMap, BTreeSet};

/// Longest folder name made from a URL, `.git` included.
const MAX_NAME: usize = 100;

/// Folders for `urls` (in order), given the folders already present:
/// `existing` maps each mirror's URL to its folder, `taken` holds every
/// name in `--into` (mirrors, other files, links).
pub fn assign(
    urls: &[&str],
    existing: &BTreeMap<String, String>,
    taken: &BTreeSet<String>,
) -> Vec<String> {
    // Compared without case: on macOS and Windows `Billing.git` and
    // `billing.git` are one folder, and two clones into it undo each other.
    let mut used: BTreeSet<String> = taken.iter().map(|n| n.to_ascii_lowercase()).collect();
    let mut out = Vec::with_capacity(urls.len());
    // Existing mirrors first: their folders are theirs whatever the order.
    let mut chosen: BTreeMap<usize, String> = BTreeMap::new();
    for (i, url) in urls.iter().enumerate() {
        if let Some(folder) = existing.get(*url) {
            chosen.insert(i, folder.clone());
        }
    }
    for (i, url) in urls.iter().enumerate() {
        let folder = match chosen.remove(&i) {
            Some(folder) => folder,
            None => {
                let folder = candidates(url)
                    .into_iter()
                    .find(|c| !used.contains(&c.to_ascii_lowercase()))
                    .unwrap_or_else(|| numbered(&candidates(url)[0], &used));
                used.insert(folder.to_ascii_lowercase());
                folder
            }
        };
        out.push(folder);
    }
    out
}

/// `billing.git`, then `acme-billing.git`, then `host-acme-billing.git`.
fn candidates(url: &str) -> Vec<String> {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    // Never a user name or password (a token) in a folder's name.
    let path = match super::credentials::authority(path).rfind('@') {
        Some(at) => &path[at + 1..],
        None => path,
    };
    let parts: Vec<&str> = path
        .split(['/', ':', '\\'])
        .map(|p| p.rsplit('@').next().unwrap_or(p))
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
        .collect();
    let last = parts.len().saturating_sub(1);
    let mut out = Vec::new();
    for from in (0..=last).rev().take(3) {
        let joined = parts.get(from..=last).unwrap_or_default().join("-");
        let name = folder_name(&joined);
        if !out.contains(&name) {
            out.push(name);
        }
    }
    if out.is_empty() {
        out.push(folder_name(""));
    }
    out
}

/// `name-2.git`, `name-3.git`, … the first one free (`used`: lower-case).
fn numbered(base: &str, used: &BTreeSet<String>) -> String {
    let stem = base.strip_suffix(".git").unwrap_or(base);
    (2..)
        .map(|n| format!("{stem}-{n}.git"))
        .find(|c| !used.contains(&c.to_ascii_lowercase()))
        .unwrap_or_else(|| base.to_string())
}

/// A safe folder name ending in `.git` for a URL path part.
pub fn folder_name(raw: &str) -> String {
    let raw = raw.strip_suffix(".git").unwrap_or(raw);
    let mut name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    // No leading dots: not hidden (discovery skips those), never `..`.
    name = name.trim_start_matches(['.', '-']).to_string();
    name.truncate(MAX_NAME - ".git".len());
    let name = name.trim_end_matches(['.', '-']);
    let name = if name.is_empty() { "repository" } else { name };
    format!("{name}.git")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(urls: &[&str]) -> Vec<String> {
        assign(urls, &BTreeMap::new(), &BTreeSet::new())
    }

    #[test]
    fn names_come_from_the_last_part() {
        assert_eq!(
            names(&["https://github.com/acme/billing.git", "git://h/x/payments"]),
            ["billing.git", "payments.git"]
        );
    }

    #[test]
    fn collisions_take_the_owner_then_a_number() {
        assert_eq!(
            names(&[
                "https://github.com/acme/billing.git",
                "https://gitlab.com/acme/billing",
                "https://github.com/other/billing.git",
                "https://github.com/acme/billing/",
            ]),
            [
                "billing.git",
                "acme-billing.git",
                "other-billing.git",
                "github.com-acme-billing.git"
            ]
        );
        assert_eq!(
            names(&[
                "file:///a/b",
                "file:///c/b",
                "file:///c/b/",
                "file:///d/c/b"
            ]),
            ["b.git", "c-b.git", "b-2.git", "d-c-b.git"]
        );
    }

    #[test]
    fn hostile_parts_make_plain_names() {
        for (url, name) in [
            ("file:///srv/..", "srv.git"),
            ("file:///..", "repository.git"),
            ("git://h/.hidden", "hidden.git"),
            ("git://h/a%2F..%2Fb", "a-2F..-2Fb.git"),
            ("git://h/-rf", "rf.git"),
            ("git://h/ünï", "n.git"),
        ] {
            assert_eq!(names(&[url]), [name], "{url}");
        }
        // A token never becomes part of a name, however the names collide.
        let taken = names(&["https://h/r", "https://h2/h/r", "https://u:SECRET:x@h/r"]);
        assert!(taken.iter().all(|n| !n.contains("SECRET")), "{taken:?}");
        let long = format!("git://h/{}", "x".repeat(500));
        assert_eq!(names(&[&long])[0].len(), MAX_NAME);
    }

    /// Names that differ only in case are one folder on macOS and
    /// Windows: never given to two repositories.
    #[test]
    fn names_differing_only_in_case_are_never_both_given() {
        assert_eq!(
            names(&[
                "git://h/a/Billing",
                "git://h/b/billing",
                "git://h/c/BILLING"
            ]),
            ["Billing.git", "b-billing.git", "c-BILLING.git"]
        );
        let taken = BTreeSet::from(["Notes.git".to_string()]);
        assert_eq!(
            assign(&["git://h/x/notes"], &BTreeMap::new(), &taken),
            ["x-notes.git"]
        );
        let taken = BTreeSet::from([
            "Notes.git".into(),
            "X-notes.git".into(),
            "h-x-NOTES.git".into(),
        ]);
        assert_eq!(
            assign(&["git://h/x/notes"], &BTreeMap::new(), &taken),
            ["notes-2.git"]
        );
    }

    #[test]
    fn an_existing_mirror_keeps_its_folder_and_others_go_around_it() {
        let existing = BTreeMap::from([("git://h/b/billing".to_string(), "billing.git".into())]);
        let taken = BTreeSet::from(["billing.git".to_string(), "notes.git".to_string()]);
        assert_eq!(
            assign(
                &["git://h/a/billing", "git://h/b/billing", "git://h/notes"],
                &existing,
                &taken
            ),
            ["a-billing.git", "billing.git", "h-notes.git"]
        );
    }
}
