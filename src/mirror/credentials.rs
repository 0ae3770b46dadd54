//! Credentials for `https://` remotes, from the environment variable
//! [`VARIABLE`]: lines in git-credential-store's format
//! (`https://USER:PASSWORD@HOST`, optionally with a path the repositories'
//! paths must start with), so a CI secret is never written in the list, in
//! a mirror's config (which a CI cache keeps) or in a diagnostic.
//!
//! A credential is given only over `https://` (or plain `http://` to a
//! loopback address, where nothing crosses a network: a local test
//! server), only to the host it names (port included) and only under its
//! path: a list is often generated from
//! data others control, and a line naming another host must not receive
//! the token. Nothing else is asked: no credential helper runs and nobody
//! is prompted, so a remote that wants credentials Portico does not have
//! fails (`mirror-failed`) instead of waiting.

use gix::credentials::helper::{Action, NextAction};
use gix::credentials::protocol::{Context, Outcome};
use gix::sec::identity::Account;

/// Where the credentials are read from.
pub const VARIABLE: &str = "PORTICO_GIT_CREDENTIALS";

/// The credentials a run may give, by host.
#[derive(Clone, Default)]
pub struct Credentials {
    entries: Vec<Entry>,
    /// A proxy would carry plain http: no credential goes over it.
    http_proxied: bool,
}

#[derive(Clone)]
struct Entry {
    /// `https`, else `http` to a loopback address.
    secure: bool,
    /// `host` or `host:port`, lower-case.
    host: String,
    /// Path segments the repository's path must start with (none: any).
    path: Vec<String>,
    username: String,
    password: String,
}

// Never printed, not even by a `{:?}` in a test failure.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({} hosts)", self.entries.len())
    }
}

impl Credentials {
    /// The credentials in [`VARIABLE`] (none when it is unset or empty).
    pub fn from_env() -> Result<Credentials, String> {
        match std::env::var(VARIABLE) {
            Ok(text) => Credentials::parse(&text).map(|credentials| Credentials {
                http_proxied: http_proxied(),
                ..credentials
            }),
            Err(std::env::VarError::NotPresent) => Ok(Credentials::default()),
            Err(std::env::VarError::NotUnicode(_)) => Err(format!("{VARIABLE} is not UTF-8 text")),
        }
    }

    /// One credential a line, as git-credential-store writes them (user
    /// name and password percent-encoded); blank lines are skipped. A
    /// mistake names its line, never its text (it holds a secret).
    pub fn parse(text: &str) -> Result<Credentials, String> {
        let mut entries = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let entry = entry(line).map_err(|why| {
                format!(
                    "line {} of {VARIABLE} {why}: write `https://USER:TOKEN@HOST` (optionally followed by a path), one a line",
                    number + 1
                )
            })?;
            entries.push(entry);
        }
        Ok(Credentials {
            entries,
            http_proxied: false,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The credential for a remote's `context` as gix asks for it: over
    /// https, to its host, the longest path that holds the repository's.
    fn lookup(&self, context: &Context) -> Option<&Entry> {
        let host = context.host.as_deref()?.to_ascii_lowercase();
        let secure = match context.protocol.as_deref() {
            Some("https") => true,
            Some("http") if !self.http_proxied => false,
            _ => return None,
        };
        // A path a server or proxy could read as another (`acme/../evil`,
        // `acme%2F..%2Fevil`) is under no credential's path.
        let raw = context
            .url
            .as_ref()
            .map(|u| String::from_utf8_lossy(u).to_ascii_lowercase())
            .unwrap_or_default();
        if raw.contains("%2f") || raw.contains("%5c") {
            return None;
        }
        let path = context
            .path
            .as_ref()
            .map(|p| segments(&String::from_utf8_lossy(p)))
            .unwrap_or_default();
        if path
            .iter()
            .any(|s| s == "." || s == ".." || s.contains('\\'))
        {
            return None;
        }
        self.entries
            .iter()
            .filter(|e| e.secure == secure && e.host == host && path.starts_with(&e.path))
            .max_by_key(|e| e.path.len())
    }

    /// The callback gix asks for credentials through: the matching
    /// credential, or none (gix then fails the fetch with the server's
    /// refusal). Approvals and rejections are not stored anywhere.
    pub fn helper(&self) -> impl FnMut(Action) -> gix::Result<Option<Outcome>> + 'static {
        let credentials = self.clone();
        move |action| match action {
            Action::Get(mut context) => {
                // Host and path from the URL gix was given (the path
                // too, which git leaves out for http unless asked).
                context.destructure_url_in_place(true)?;
                let Some(entry) = credentials.lookup(&context) else {
                    return Ok(None);
                };
                context.username = Some(entry.username.clone());
                context.password = Some(entry.password.clone());
                Ok(Some(Outcome {
                    identity: Account {
                        username: entry.username.clone(),
                        password: entry.password.clone(),
                        oauth_refresh_token: None,
                    },
                    next: NextAction::from(context),
                }))
            }
            Action::Store(_) | Action::Erase(_) => Ok(None),
        }
    }
}

/// What a remote was told when it asked for credentials, to explain a
/// refusal better than gix's "No credentials were returned".
#[derive(Default)]
pub struct Asked(std::sync::atomic::AtomicU8);

// 0: not asked.
const NONE_GIVEN: u8 = 1;
const GIVEN: u8 = 2;

impl Asked {
    /// [`Credentials::helper`], noting here what it answered.
    pub fn helper(
        self: &std::sync::Arc<Self>,
        credentials: &Credentials,
    ) -> impl FnMut(Action) -> gix::Result<Option<Outcome>> + 'static {
        let (mut helper, asked) = (credentials.helper(), self.clone());
        move |action| {
            let get = matches!(action, Action::Get(_));
            let answer = helper(action)?;
            if get {
                let noted = if answer.is_some() { GIVEN } else { NONE_GIVEN };
                asked.0.store(noted, std::sync::atomic::Ordering::SeqCst);
            }
            Ok(answer)
        }
    }

    /// `why` a fetch failed, said in terms of the credentials it had.
    pub fn explain(&self, why: String) -> String {
        match self.0.load(std::sync::atomic::Ordering::SeqCst) {
            NONE_GIVEN => format!(
                "the server asks for credentials, and none it accepts were given ({VARIABLE} has none for this host and path, over https or http to this machine; a token in the URL, if any, was refused)"
            ),
            GIVEN if about_access(&why) => {
                format!("{why} (the credentials {VARIABLE} gives for this host were refused)")
            }
            // GitHub answers 404, not 403, to a token that cannot read.
            GIVEN if why.contains("status 404") => format!(
                "{why} (or the credentials {VARIABLE} gives for this host cannot read it: some forges answer so)"
            ),
            _ => why,
        }
    }
}

/// Whether a failure is the server refusing access (not a redirect, a
/// missing repository or a broken answer, which credentials do not cause),
/// judged on its words with the URLs it names left out (a port `14030`
/// or a path `auth-svc/` says nothing).
fn about_access(why: &str) -> bool {
    let words: Vec<&str> = why
        .split_whitespace()
        .filter(|word| !word.contains("://"))
        .collect();
    let why = words.join(" ").to_ascii_lowercase();
    [
        "status 401",
        "status 403",
        "401 unauthorized",
        "403 forbidden",
        "credentials",
        "authentication",
    ]
    .iter()
    .any(|word| why.contains(word))
}

/// One line: `https://USER:PASSWORD@HOST[:PORT][/PATH]` (or `http://` to
/// a loopback address).
fn entry(line: &str) -> Result<Entry, &'static str> {
    let (secure, rest) = match (line.strip_prefix("https://"), line.strip_prefix("http://")) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        (None, None) => {
            return Err("is not an https:// URL (credentials are only given over https)");
        }
    };
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let Some((user_info, host)) = authority.rsplit_once('@') else {
        return Err("has no `USER:TOKEN@` before its host");
    };
    let Some((username, password)) = user_info.split_once(':') else {
        return Err("has a user name but no `:TOKEN`");
    };
    let (username, password) = (decode(username)?, decode(password)?);
    if username.is_empty() || password.is_empty() {
        return Err("has an empty user name or token");
    }
    if host.is_empty() || host.starts_with('-') || host.contains(['?', '#']) {
        return Err("has no host");
    }
    if path.contains(['?', '#']) {
        return Err("has a query or fragment after its path");
    }
    // gix leaves the default port out of the host it asks for.
    let host = host.to_ascii_lowercase();
    let host = host
        .strip_suffix(if secure { ":443" } else { ":80" })
        .unwrap_or(&host);
    if !secure && !is_loopback(host) {
        return Err(
            "is not an https:// URL (credentials are only given over https, or over http to 127.0.0.1, [::1] or localhost)",
        );
    }
    Ok(Entry {
        secure,
        host: host.to_string(),
        path: segments(path),
        username,
        password,
    })
}

/// Whether `host` (with any port) names this machine.
pub(super) fn is_loopback(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None if host.parse::<std::net::IpAddr>().is_ok() => host,
        None => host.split(':').next().unwrap_or(""),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A path's non-empty segments, without a `.git` suffix on the last, so
/// `org` holds `org/repo.git` and `org/repo` holds it too.
fn segments(path: &str) -> Vec<String> {
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Percent-decoding, as git-credential-store encodes user names and
/// passwords; control characters are refused (git's credential protocol
/// is line-based).
fn decode(text: &str) -> Result<String, &'static str> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .ok_or("has a `%` not followed by two hex digits")?;
            let hex = std::str::from_utf8(hex).map_err(|_| "has a broken `%` escape")?;
            let byte = u8::from_str_radix(hex, 16)
                .map_err(|_| "has a `%` not followed by two hex digits")?;
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let text = String::from_utf8(out).map_err(|_| "is not UTF-8 once decoded")?;
    if text.chars().any(char::is_control) {
        return Err("has a control character in its user name or token");
    }
    Ok(text)
}

/// `text` (a URL, or a message naming URLs) with every URL's secrets
/// replaced by `***`: a password, and over http(s) a user name with no
/// password (GitHub takes a token there alone). A list line may hold a
/// token despite the advice, and errors name the URL they were fetching.
/// A URL's authority ends where gix's does, at `/`, `?`, `#` (or a space),
/// so `http://u:p@evil?@127.0.0.1/` shows the host it really names.
pub fn redacted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        // After the last character that cannot be in a scheme (a byte
        // index past it: it may be more than one byte, a BOM say).
        let scheme_start = before[..at]
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let web = matches!(
            before[scheme_start..at].to_ascii_lowercase().as_str(),
            "http" | "https"
        );
        // In a message, a URL also ends at a space.
        let word_end = after.find(char::is_whitespace).unwrap_or(after.len());
        let end = authority(&after[..word_end]).len();
        let (authority, tail) = after.split_at(end);
        // A token with a `/`, `?` or `#` written as it is ends the
        // authority early: over http(s), an `@` further on (before a
        // space) is taken as the end of a user part, to hide all of it.
        if web
            && !authority.contains('@')
            && let Some(at) = after[..word_end].rfind('@')
        {
            out.push_str("***@");
            rest = &after[at + 1..];
            continue;
        }
        match authority.rsplit_once('@') {
            Some((user_info, host)) => match user_info.split_once(':') {
                Some((user, _)) => out.push_str(&format!("{user}:***@{host}")),
                // Azure DevOps writes its organisation there, as the
                // path's first part, and Bitbucket its user: names, not
                // tokens.
                None if web
                    && looks_like_token(user_info)
                    && !tail.starts_with(&format!("/{user_info}/")) =>
                {
                    out.push_str(&format!("***@{host}"));
                }
                None => out.push_str(authority),
            },
            None => out.push_str(authority),
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// The authority of a URL's text after `scheme://`, as gix reads it: up
/// to the first `/`, `?` or `#`. Where a user part (a token) and the host
/// are, for the list's checks, folder names and what is shown.
pub fn authority(after_scheme: &str) -> &str {
    let end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    &after_scheme[..end]
}

/// Whether a user name written alone before a host's `@` may be a token
/// (GitHub and GitLab take one there): their tokens' prefixes, a long word
/// with a digit in it (a generated token), or anything percent-encoded. A
/// person's or an organisation's name is shown.
fn looks_like_token(user: &str) -> bool {
    const PREFIXES: [&str; 7] = [
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
        "github_pat_",
        "glpat-",
    ];
    PREFIXES.iter().any(|prefix| user.starts_with(prefix))
        || (user.len() >= 20 && user.bytes().any(|b| b.is_ascii_digit()))
        || user.contains('%')
}

/// Whether an `http://` request may go through a proxy the environment
/// names (reqwest reads these), which would see a plain-http credential.
pub fn http_proxied() -> bool {
    ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(url: &str) -> Context {
        let mut context = Context {
            url: Some(url.into()),
            ..Context::default()
        };
        context.destructure_url_in_place(true).unwrap();
        context
    }

    fn user_for(credentials: &Credentials, url: &str) -> Option<String> {
        credentials
            .lookup(&context(url))
            .map(|e| format!("{}:{}", e.username, e.password))
    }

    /// A character of several bytes just before `://` (a byte order mark
    /// opening a list, any letter) is not part of the scheme: it panicked
    /// at a byte that is no character boundary.
    #[test]
    fn redaction_takes_any_character_before_a_scheme() {
        assert_eq!(
            redacted("\u{feff}https://user:secret@example.com/r"),
            "\u{feff}https://user:***@example.com/r"
        );
        assert_eq!(redacted("é://x/y"), "é://x/y");
        assert_eq!(redacted("ü:https://u:secret@h/x"), "ü:https://u:***@h/x");
    }

    #[test]
    fn credentials_go_to_their_host_and_path_over_https_only() {
        let credentials = Credentials::parse(
            "https://x-access-token:ghs_abc@github.com\n\n  https://bot:p%40ss@git.example.com:8443/acme/\nhttps://team:t2@github.com/acme/billing.git\n",
        )
        .unwrap();
        assert_eq!(
            user_for(&credentials, "https://github.com/other/repo.git").as_deref(),
            Some("x-access-token:ghs_abc")
        );
        assert_eq!(
            user_for(&credentials, "https://GitHub.com/acme/billing").as_deref(),
            Some("team:t2"),
            "the longest path wins"
        );
        assert_eq!(
            user_for(&credentials, "https://git.example.com:8443/acme/a.git").as_deref(),
            Some("bot:p@ss")
        );
        // Paths a server or proxy could read as another are under none.
        for sneaky in [
            "https://github.com/acme/billing.git/../../evil/r.git",
            "https://github.com/acme%2Fbilling/r.git",
            "https://github.com/acme/billing%5c..%5cevil.git",
        ] {
            assert_ne!(
                user_for(&credentials, sneaky).as_deref(),
                Some("team:t2"),
                "{sneaky}"
            );
        }
        assert_eq!(
            user_for(&credentials, "https://github.com/acme%2Fx/r.git"),
            None
        );
        let local = Credentials::parse("http://t:s@127.0.0.1:9999").unwrap();
        let proxied = Credentials {
            http_proxied: true,
            ..local.clone()
        };
        assert_eq!(user_for(&proxied, "http://127.0.0.1:9999/r.git"), None);
        assert!(is_loopback("::1") && is_loopback("[::1]:80") && is_loopback("LOCALHOST"));
        assert!(!is_loopback("127.0.0.1.nip.io") && !is_loopback("localhost.evil.test"));
        assert_eq!(
            user_for(&local, "http://127.0.0.1:9999/r.git").as_deref(),
            Some("t:s")
        );
        assert_eq!(user_for(&local, "https://127.0.0.1:9999/r.git"), None);
        for other in [
            "http://github.com/acme/billing.git",
            "ssh://git@github.com/acme/billing.git",
            "https://github.com.evil.test/acme/billing.git",
            "https://git.example.com/acme/a.git",
            "https://git.example.com:8443/acmeco/a.git",
        ] {
            assert_eq!(user_for(&credentials, other), None, "{other}");
        }
    }

    #[test]
    fn a_bad_line_is_named_by_number_without_its_secret() {
        for (text, why) in [
            ("http://u:secret@host", "is not an https:// URL"),
            (
                "http://u:secret@127.0.0.2.evil.test",
                "over http to 127.0.0.1",
            ),
            ("git://u:secret@host", "is not an https:// URL"),
            ("https://secret@host", "no `:TOKEN`"),
            ("https://host/org", "no `USER:TOKEN@`"),
            ("https://u:@host", "empty user name or token"),
            (
                "https://u:se%2cret%zz@host",
                "not followed by two hex digits",
            ),
            ("https://u:se%0acret@host", "control character"),
            ("https://u:secret@", "has no host"),
        ] {
            let error = Credentials::parse(&format!("\n{text}\n")).unwrap_err();
            assert!(
                error.starts_with("line 2 of PORTICO_GIT_CREDENTIALS"),
                "{error}"
            );
            assert!(error.contains(why), "{text}: {error}");
            assert!(
                !error.contains("secret") && !error.contains("cret"),
                "{error}"
            );
        }
        assert!(Credentials::parse("").unwrap().is_empty());
        assert_eq!(
            format!("{:?}", Credentials::parse("https://u:secret@h").unwrap()),
            "Credentials(1 hosts)"
        );
    }

    #[test]
    fn the_helper_answers_gix_with_the_identity_and_nothing_else() {
        let credentials = Credentials::parse("https://x-access-token:tok@github.com").unwrap();
        let mut helper = credentials.helper();
        let asked = Action::get_for_url("https://github.com/acme/billing.git");
        let outcome = helper(asked).unwrap().expect("an identity");
        assert_eq!(
            (
                outcome.identity.username.as_str(),
                outcome.identity.password.as_str()
            ),
            ("x-access-token", "tok")
        );
        let elsewhere = Action::get_for_url("https://gitlab.com/acme/billing.git");
        assert!(helper(elsewhere).unwrap().is_none());
        assert!(helper(Action::Store("x".into())).unwrap().is_none());
    }

    /// Only a refusal of access is blamed on the credentials given: not
    /// a 404 whose URL happens to hold `403` or `auth`.
    #[test]
    fn only_refusals_blame_the_credentials() {
        let given = std::sync::Arc::new(Asked::default());
        let credentials = Credentials::parse("http://t:s@127.0.0.1:14030").unwrap();
        let mut helper = given.helper(&credentials);
        assert!(
            helper(Action::get_for_url("http://127.0.0.1:14030/r.git"))
                .unwrap()
                .is_some()
        );
        let refused =
            given.explain("Received HTTP status 401 for url (http://127.0.0.1:14030/r.git)".into());
        assert!(refused.ends_with("were refused)"), "{refused}");
        let missing = given.explain(
            "Received HTTP status 404: Not Found for url (http://127.0.0.1:14030/auth-credentials/missing.git)".into(),
        );
        assert!(!missing.contains("were refused"), "{missing}");
        assert!(missing.contains("cannot read it"), "{missing}");
        let other = given.explain("an unexpected answer for url (http://127.0.0.1:14030/x)".into());
        assert_eq!(
            other,
            "an unexpected answer for url (http://127.0.0.1:14030/x)"
        );
    }

    #[test]
    fn passwords_are_hidden_when_urls_are_shown() {
        assert_eq!(
            redacted("https://x-access-token:ghs_abc@github.com/a/b.git"),
            "https://x-access-token:***@github.com/a/b.git"
        );
        assert_eq!(redacted("ssh://git@host/a@b.git"), "ssh://git@host/a@b.git");
        assert_eq!(redacted("https://u:p@ss@host/x"), "https://u:***@host/x");
        assert_eq!(redacted("file:///srv/a.git"), "file:///srv/a.git");
        assert_eq!(
            redacted("https://ghp_TOKEN@github.com/a/b.git and ssh://alice@host/x"),
            "https://***@github.com/a/b.git and ssh://alice@host/x"
        );
        assert_eq!(
            redacted("`http://u:p@evil:1?@127.0.0.1/r.git`"),
            "`http://u:***@evil:1?@127.0.0.1/r.git`"
        );
        assert_eq!(redacted("(https://u:a)b@h/x)"), "(https://u:***@h/x)");
        assert_eq!(
            redacted("`https://AKIA:wJal/rXUtn+FEMI@git-codecommit.invalid/v1/repos/r` is"),
            "`https://***@git-codecommit.invalid/v1/repos/r` is"
        );
        assert_eq!(
            redacted("http://[::1]:8080/r and more"),
            "http://[::1]:8080/r and more"
        );
        let azure = "https://acme@dev.azure.com/acme/shipping/_git/billing";
        assert_eq!(redacted(azure), azure);
        let bitbucket = "https://alice@bitbucket.org/acme/billing.git";
        assert_eq!(redacted(bitbucket), bitbucket);
        assert_eq!(
            redacted("https://0123456789abcdef0123456789abcdef01234567@gitea.example/a/b.git"),
            "https://***@gitea.example/a/b.git"
        );
        assert_eq!(
            redacted("failed for url (https://bot:tok@h/a.git/info/refs?x=1), then `git://u:p@h2`"),
            "failed for url (https://bot:***@h/a.git/info/refs?x=1), then `git://u:***@h2`"
        );
    }
}
