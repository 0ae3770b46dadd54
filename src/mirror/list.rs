//! The list of repositories to mirror: one URL a line, `#` comments, or
//! `[mirror] repos` in `portico.toml`. The list is input Portico did not
//! write (often generated from an organisation listing), so every line is
//! checked before any network access: only the transports Portico speaks,
//! no control characters, no option-like hosts.

use super::credentials::redacted;
use crate::diagnostics::Diagnostic;

/// One repository to mirror, with where it was listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub url: String,
    /// 1-based line in the list file; 0 for `portico.toml`.
    pub line: usize,
}

/// Where the list came from, to place diagnostics.
#[derive(Clone, Copy, Debug)]
pub struct ListFile<'a> {
    /// The path as shown in diagnostics.
    pub path: &'a str,
}

impl ListFile<'_> {
    pub fn diagnostic(&self, d: Diagnostic, line: usize, text: &str) -> Diagnostic {
        let mut d = d.in_repo("", "", self.path);
        d.line = line;
        d.column = usize::from(line > 0);
        d.source_line = (line > 0).then(|| text.to_string());
        d
    }
}

/// The URL schemes Portico fetches over, all without a shell.
pub const SCHEMES: &[&str] = &["file", "git", "ssh", "http", "https"];

/// Reads a list file's text: URLs, blank lines and `#` comments.
pub fn parse_text(text: &str, file: ListFile<'_>) -> (Vec<Listed>, Vec<Diagnostic>) {
    // A byte order mark (PowerShell and Excel write one) is no text.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.split(" #").next().unwrap_or("").trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    check_all(lines.map(|(n, l)| (n, l.to_string())), file)
}

/// `[mirror] repos` from `portico.toml`.
pub fn from_config(repos: &[String], file: ListFile<'_>) -> (Vec<Listed>, Vec<Diagnostic>) {
    check_all(repos.iter().map(|r| (0, r.trim().to_string())), file)
}

fn check_all(
    lines: impl Iterator<Item = (usize, String)>,
    file: ListFile<'_>,
) -> (Vec<Listed>, Vec<Diagnostic>) {
    let mut listed: Vec<Listed> = Vec::new();
    let mut diagnostics = Vec::new();
    for (line, url) in lines {
        // gix reads schemes in lower case only.
        let url = match url.split_once("://") {
            Some((scheme, rest)) if scheme.bytes().any(|b| b.is_ascii_uppercase()) => {
                format!("{}://{rest}", scheme.to_ascii_lowercase())
            }
            _ => url,
        };
        let shown = redacted(&url);
        if let Err(why) = check_url(&url) {
            // A line that is not a URL may still hold a token: all before
            // its last `@` is hidden, wherever the line is shown.
            let refused = hide_user_part(&url);
            let why = redacted(&why.replace(&url, &refused));
            diagnostics.push(file.diagnostic(
                Diagnostic::error("mirror-url-invalid", format!("`{refused}` {why}")).with_hint(
                    "write one repository URL a line: file://, git://, ssh:// or https://",
                ),
                line,
                &refused,
            ));
        } else if listed
            .iter()
            .any(|l| super::git::normalised(&l.url) == super::git::normalised(&url))
        {
            diagnostics.push(
                file.diagnostic(
                    Diagnostic::warning(
                        "mirror-url-duplicate",
                        format!("`{shown}` is listed twice"),
                    )
                    .with_hint("the repository is mirrored once; remove the second line"),
                    line,
                    &shown,
                ),
            );
        } else {
            if shown != url {
                diagnostics.push(file.diagnostic(
                    Diagnostic::warning(
                        "mirror-url-password",
                        format!("`{shown}` has a password or token in it (`***`), which the mirror's configuration keeps in plain text"),
                    )
                    .with_hint(format!(
                        "list the URL without it and give the token in {} (`https://USER:TOKEN@HOST`, one a line): it is sent only to that host, over https",
                        super::credentials::VARIABLE
                    )),
                    line,
                    &shown,
                ));
            }
            listed.push(Listed { url, line });
        }
    }
    (listed, diagnostics)
}

/// `line` with all between its scheme (if any) and its last `@` hidden.
fn hide_user_part(line: &str) -> String {
    let Some(at) = line.rfind('@') else {
        return line.to_string();
    };
    let start = line.find("://").map_or(0, |s| s + 3).min(at);
    format!("{}***{}", &line[..start], &line[at..])
}

/// Why a listed URL is refused, if it is.
pub fn check_url(url: &str) -> Result<(), String> {
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("contains spaces or control characters".into());
    }
    let Some((scheme, _)) = url.split_once("://") else {
        // scp-like `host:path` would be ssh with a host that could be an
        // option; ask for the explicit form instead.
        return Err("is not a URL with a scheme (like `https://host/org/repo.git`)".into());
    };
    if !SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()) {
        return Err(format!(
            "uses `{scheme}`, which Portico does not fetch over"
        ));
    }
    if let Some(path) = url.strip_prefix("file://") {
        super::git::file_path(path)?;
    }
    // The host as gix will read it (its authority ends at `/`, `?` or
    // `#`), and the error without the URL's secrets, which gix repeats.
    let parsed = gix::url::parse(url)
        .map_err(|e| format!("is not a valid URL: {}", redacted(&e.to_string())))?;
    let host = parsed.host().unwrap_or("");
    if host.starts_with('-') {
        return Err("has a host that starts with `-`".into());
    }
    if !scheme.eq_ignore_ascii_case("file") && host.is_empty() {
        return Err("has no host".into());
    }
    // Over http(s), an `@` past the host gix reads is a token with a `/`,
    // `?` or `#` in it: gix would read part of it as the host (and resolve
    // it, and send the rest as a path). Elsewhere (`file:///srv/a@b`,
    // ssh's keys) a URL holds no token.
    let web = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    let after_scheme = &url[scheme.len() + 3..];
    let authority = super::credentials::authority(after_scheme);
    if web && after_scheme[authority.len()..].contains('@') {
        return Err("has an `@` after its host: write a token's `/`, `?`, `#` and `@` percent-encoded (`%2F`, `%3F`, `%23`, `%40`)".into());
    }
    if redacted(url) != url && scheme.eq_ignore_ascii_case("http") {
        if !super::credentials::is_loopback(host) {
            return Err(
                "would send its user name or password in clear over http: use https://".into(),
            );
        }
        if super::credentials::http_proxied() {
            return Err("would send its user name or password in clear to the http proxy the environment names".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: ListFile<'static> = ListFile { path: "repos.txt" };

    /// A list saved with a byte order mark (PowerShell, Excel) reads its
    /// first line as the others (it panicked); `file://` spellings of one
    /// path are one repository, listed twice (each run cloned the other
    /// spelling again into a new folder).
    #[test]
    fn a_byte_order_mark_and_file_path_spellings() {
        let text = "\u{feff}file:///srv/b\r\nfile:///srv/b/\nfile:///srv//x/../b\n";
        let (listed, diagnostics) = parse_text(text, FILE);
        assert_eq!(
            listed,
            [Listed {
                url: "file:///srv/b".into(),
                line: 1
            }]
        );
        let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["mirror-url-duplicate", "mirror-url-duplicate"]);
    }

    #[test]
    fn comments_blank_lines_and_duplicates() {
        let text = "# the org\n\ngit://host/a.git\nfile:///srv/b  # trailing\ngit://host/a.git\n";
        let (listed, diagnostics) = parse_text(text, FILE);
        assert_eq!(
            listed,
            [
                Listed {
                    url: "git://host/a.git".into(),
                    line: 3
                },
                Listed {
                    url: "file:///srv/b".into(),
                    line: 4
                },
            ]
        );
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, "mirror-url-duplicate");
        assert_eq!(diagnostics[0].location(), "repos.txt:5:1");
    }

    /// gix's own error repeats the URL: its secret is hidden there too,
    /// and in a line that is not a URL at all.
    #[test]
    fn a_refused_url_never_shows_its_secret() {
        for url in [
            "https://u:secret2@ho^st/r.git",
            "https://u:secret3@host:99999999/r.git",
            "git://u:secret6@host",
        ] {
            let why = check_url(url).unwrap_err();
            assert!(!why.contains("secret"), "{url}: {why}");
        }
        let text = "git://u:pa/SECRETf@host/r\nhttps:/u:SECRETj@github.com/o/r.git\nx-access-token:SECRETm@github.com/o/r.git\n";
        let (listed, diagnostics) = parse_text(text, FILE);
        assert!(listed.is_empty());
        assert_eq!(diagnostics.len(), 3);
        for d in &diagnostics {
            let shown = format!("{} {:?}", d.message, d.source_line);
            assert!(!shown.contains("SECRET"), "{shown}");
        }
        // Upper-case schemes are read as gix reads them.
        let (listed, _) = parse_text("FILE:///srv/b.git\nHTTPS://h/o/r.git\n", FILE);
        let urls: Vec<&str> = listed.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(urls, ["file:///srv/b.git", "https://h/o/r.git"]);
    }

    #[test]
    fn hostile_urls_are_refused() {
        for url in [
            "ext::sh -c touch% /tmp/pwned",
            "ssh://-oProxyCommand=touch/x",
            "host:org/repo",
            "ftp://host/repo",
            "git://host/a\u{1b}[31m",
            "https:///no-host",
            "http://u:p@git.example.com/r.git",
            "http://u:p@192.0.2.2:18081?@127.0.0.1/r.git",
            "http://u:p@192.0.2.2:18081#@127.0.0.1/r.git",
            "http://ghp_token@192.0.2.2/acme/r.git",
            "http://u:18401/SECRET@127.0.0.1:18403/repo.git",
            "https://AKIA:wJal/rXUtn+FEMI@git-codecommit.invalid/v1/repos/r",
            "https://u:sec#ret@host/r",
        ] {
            assert!(check_url(url).is_err(), "{url} accepted");
        }
        for url in [
            "https://github.com/o/r.git",
            "git://127.0.0.1:9418/r",
            "file:///tmp/r",
            "https://u:p@git.example.com/r.git",
            "http://u:p@127.0.0.1:8080/r.git",
            "FILE:///srv/b.git",
            "file:///srv/with@sign/b.git",
            "https://AKIA:wJal%2FrXUtn+FEMI@git-codecommit.invalid/v1/repos/r",
        ] {
            assert_eq!(check_url(url), Ok(()), "{url}");
        }
    }
}
