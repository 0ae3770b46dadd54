//! `portico mirror`: bare mirrors over `file://` and `git://` (a local
//! `git daemon`), a second run that fetches, a failing remote beside good
//! ones, a force-pushed branch, and the mirrors built into a portal.

use super::support::{Org, commit_all, git, portico};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn component(name: &str, description: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  description: {description}\nspec:\n  type: service\n  lifecycle: production\n  owner: group:default/team\n"
    )
}

/// A work tree `sources/<name>` with one committed component.
fn source(org: &Org, name: &str, description: &str) -> PathBuf {
    org.file(
        &format!("sources/{name}/catalog-info.yaml"),
        &component(name, description),
    );
    let dir = org.path().join("sources").join(name);
    commit_all(&dir, "main", "first");
    dir
}

fn file_url(dir: &Path) -> String {
    format!("file://{}", dir.display())
}

/// The commit `refs/heads/main` points at in a mirror.
fn mirrored_main(mirror: &Path) -> String {
    git(mirror, &["rev-parse", "refs/heads/main"])
        .trim()
        .to_string()
}

fn head(dir: &Path) -> String {
    git(dir, &["rev-parse", "HEAD"]).trim().to_string()
}

#[test]
fn mirrors_clone_then_fetch_new_and_force_pushed_commits() {
    let org = Org::new();
    let billing = source(&org, "billing", "Bills.");
    let payments = source(&org, "payments", "Pays.");
    org.file(
        "repos.txt",
        &format!(
            "# the organisation\n{}\n\n{}  # the second one\n",
            file_url(&billing),
            file_url(&payments)
        ),
    );
    let first = org.run(&["mirror", "repos.txt", "--into", "mirrors", "--jobs", "2"]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    assert!(
        first.stdout.contains("2 cloned, 0 fetched, 0 failed"),
        "{}",
        first.stdout
    );
    let mirrors = org.path().join("mirrors");
    assert_eq!(mirrored_main(&mirrors.join("billing.git")), head(&billing));
    assert_eq!(
        git(
            &mirrors.join("billing.git"),
            &["rev-parse", "--is-bare-repository"]
        )
        .trim(),
        "true"
    );
    assert!(!mirrors.join(".portico-mirror-new").exists());

    // The mirrors are a folder `portico build` reads.
    let built = org.run(&["build", "mirrors", "--out", "site"]);
    assert!(built.code == 0 || built.code == 1, "{}", built.stderr);
    let site = std::fs::read_to_string(org.path().join("site/catalog.json")).unwrap();
    assert!(site.contains("\"billing\"") && site.contains("\"payments\""));

    // A new commit, and a rewritten history pushed over the old one.
    org.file(
        "sources/billing/catalog-info.yaml",
        &component("billing", "Bills, again."),
    );
    commit_all(&billing, "main", "second");
    org.file("sources/payments/README.md", "rewritten\n");
    git(&payments, &["add", "-A"]);
    git(&payments, &["commit", "-q", "--amend", "-m", "rewritten"]);
    let second = org.run(&["mirror", "repos.txt", "--into", "mirrors"]);
    assert_eq!(second.code, 0, "{}{}", second.stdout, second.stderr);
    assert!(
        second.stdout.contains("0 cloned, 2 fetched"),
        "{}",
        second.stdout
    );
    assert_eq!(mirrored_main(&mirrors.join("billing.git")), head(&billing));
    assert_eq!(
        mirrored_main(&mirrors.join("payments.git")),
        head(&payments)
    );
    let built = org.run(&["build", "mirrors", "--out", "site"]);
    assert!(built.code == 0 || built.code == 1, "{}", built.stderr);
    let site = std::fs::read_to_string(org.path().join("site/catalog.json")).unwrap();
    assert!(site.contains("Bills, again."), "the fetched commit is read");

    // Nothing new: nothing moves.
    let third = org.run(&["mirror", "repos.txt", "--into", "mirrors"]);
    assert_eq!(third.code, 0);
    assert_eq!(
        third.stdout.matches("up to date").count(),
        2,
        "{}",
        third.stdout
    );
}

/// A mirror with a depth (the default) holds the default branch and keeps
/// to it: the run after its clone is "up to date" while the remote did not
/// change (its first fetch took every branch and said "updated"); with
/// `--depth 0` every branch comes.
#[test]
fn a_shallow_mirror_keeps_to_the_default_branch() {
    let org = Org::new();
    let billing = source(&org, "billing", "Bills.");
    git(&billing, &["branch", "dev"]);
    org.file("repos.txt", &format!("{}\n", file_url(&billing)));
    let run = || org.run(&["mirror", "repos.txt", "--into", "mirrors"]);
    assert!(run().stdout.contains("cloned"));
    let again = run();
    assert!(
        again.stdout.contains("up to date  billing.git"),
        "{}",
        again.stdout
    );
    let mirror = org.path().join("mirrors/billing.git");
    let branches = || {
        git(
            &mirror,
            &["for-each-ref", "--format=%(refname)", "refs/heads"],
        )
    };
    assert_eq!(branches(), "refs/heads/main\n");
    let deep = org.run(&["mirror", "repos.txt", "--into", "mirrors", "--depth", "0"]);
    assert_eq!(deep.code, 0, "{}", deep.stderr);
    assert_eq!(branches(), "refs/heads/dev\nrefs/heads/main\n");
}

/// Two runs into one folder take turns (the second cleared the first's
/// half-made clones): a run waits while another holds the folder's lock.
#[test]
fn runs_into_one_folder_take_turns() {
    let org = Org::new();
    let billing = source(&org, "billing", "Bills.");
    org.file("repos.txt", &format!("{}\n", file_url(&billing)));
    let into = org.path().join("mirrors");
    std::fs::create_dir_all(&into).unwrap();
    let held = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(org.path().join(".mirrors.portico-mirror-lock"))
        .unwrap();
    held.lock().unwrap();
    let mut waiting = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(["mirror", "repos.txt", "--into", "mirrors"])
        .current_dir(org.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(
        waiting.try_wait().unwrap().is_none(),
        "it waits for the lock"
    );
    assert!(
        !into.join("billing.git").exists(),
        "nothing cloned meanwhile"
    );
    drop(held);
    let out = waiting.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("waiting for another portico mirror into mirrors to finish"),
        "{stderr}"
    );
    assert!(into.join("billing.git").is_dir());
}

#[test]
fn a_failing_remote_is_a_diagnostic_and_keeps_its_previous_mirror() {
    let org = Org::new();
    let billing = source(&org, "billing", "Bills.");
    let doomed = source(&org, "doomed", "Soon gone.");
    let missing = org.path().join("sources/never-existed");
    org.file(
        "repos.txt",
        &format!("{}\n{}\n", file_url(&billing), file_url(&doomed)),
    );
    assert_eq!(org.run(&["mirror", "repos.txt", "--into", "m"]).code, 0);
    let kept = mirrored_main(&org.path().join("m/doomed.git"));
    std::fs::remove_dir_all(&doomed).unwrap();
    org.file(
        "repos.txt",
        &format!(
            "{}\n{}\n{}\n",
            file_url(&billing),
            file_url(&doomed),
            file_url(&missing)
        ),
    );
    let run = org.run(&["mirror", "repos.txt", "--into", "m"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("1 fetched, 2 failed"), "{}", run.stdout);
    for url in [file_url(&doomed), file_url(&missing)] {
        assert!(
            run.stderr.contains(&format!(
                "error[mirror-failed]: `{url}` could not be mirrored"
            )),
            "{}",
            run.stderr
        );
    }
    assert!(run.stderr.contains("--> repos.txt:3:1"), "{}", run.stderr);
    assert_eq!(mirrored_main(&org.path().join("m/doomed.git")), kept);
    assert!(
        !org.path().join("m/never-existed.git").exists(),
        "no half clone"
    );
}

/// A remote that accepts the connection and never answers is reported
/// after `--timeout`, and the others are mirrored all the same.
#[test]
fn a_remote_that_stops_answering_is_given_up_after_the_timeout() {
    let org = Org::new();
    let billing = source(&org, "billing", "Bills.");
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    // Accepts connections and holds them, reading nothing, sending nothing.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in silent.incoming() {
            held.push(stream);
        }
    });
    let mute = format!("git://127.0.0.1:{port}/mute.git");
    org.file("repos.txt", &format!("{mute}\n{}\n", file_url(&billing)));
    let started = std::time::Instant::now();
    let run = org.run(&[
        "mirror",
        "repos.txt",
        "--into",
        "m",
        "--timeout",
        "2",
        "--jobs",
        "2",
    ]);
    let took = started.elapsed();
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(took < std::time::Duration::from_secs(60), "took {took:?}");
    assert!(
        run.stdout.contains("1 cloned, 0 fetched, 1 failed"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains(&format!(
            "`{mute}` could not be mirrored: not done within 2 s"
        )),
        "{}",
        run.stderr
    );
    assert!(org.path().join("m/billing.git").is_dir());
    assert!(!org.path().join("m/mute.git").exists(), "no half clone");
}

#[test]
fn hostile_lists_are_refused_line_by_line_and_names_stay_inside() {
    let org = Org::new();
    let a = source(&org, "a/billing", "A.");
    let b = source(&org, "b/billing", "B.");
    let dots = source(&org, "c/..x", "Dots.");
    org.file(
        "repos.txt",
        &format!(
            "ext::sh -c 'touch pwned'\nssh://-oProxyCommand=x/r\n{}\n{}\n{}\n",
            file_url(&a),
            file_url(&b),
            file_url(&dots)
        ),
    );
    let run = org.run(&["mirror", "repos.txt", "--into", "m"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stderr.matches("error[mirror-url-invalid]").count(),
        2,
        "{}",
        run.stderr
    );
    assert!(!org.path().join("pwned").exists());
    let mut names: Vec<String> = std::fs::read_dir(org.path().join("m"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["b-billing.git", "billing.git", "x.git"]);
}

#[test]
fn mirror_reads_the_list_from_portico_toml_and_refuses_unknown_keys() {
    let org = Org::new();
    let billing = source(&org, "billing", "Bills.");
    org.file(
        "portico.toml",
        &format!("[mirror]\nrepos = [\"{}\"]\n", file_url(&billing)),
    );
    let run = org.run(&["mirror", "--into", "m"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(org.path().join("m/billing.git").is_dir());
    org.file("portico.toml", "[mirror]\nrepo = []\n");
    let run = org.run(&["mirror", "--into", "m"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("unknown field `repo`"),
        "{}",
        run.stderr
    );
    std::fs::remove_file(org.path().join("portico.toml")).unwrap();
    let run = org.run(&["mirror", "--into", "m"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no repositories to mirror"),
        "{}",
        run.stderr
    );
}

/// `git daemon` serving `base` on a free port of 127.0.0.1; killed on drop.
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn daemon(base: &Path) -> Option<(Daemon, u16)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let child = Command::new("git")
        .args([
            "daemon",
            "--reuseaddr",
            "--export-all",
            "--listen=127.0.0.1",
            &format!("--port={port}"),
            &format!("--base-path={}", base.display()),
            &base.display().to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let daemon = Daemon(child);
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some((daemon, port));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    None
}

#[test]
fn mirrors_over_git_protocol_from_a_local_daemon() {
    let available = Command::new("git")
        .args(["daemon", "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !available {
        eprintln!("skipped: `git daemon` is not installed, so git:// is not tested");
        return;
    }
    let org = Org::new();
    let billing = source(&org, "billing", "Bills.");
    let Some((_daemon, port)) = daemon(&org.path().join("sources")) else {
        eprintln!("skipped: `git daemon` did not start on 127.0.0.1");
        return;
    };
    org.file(
        "repos.txt",
        &format!("git://127.0.0.1:{port}/billing\ngit://127.0.0.1:{port}/nothing-here\n"),
    );
    let run = org.run(&["mirror", "repos.txt", "--into", "m", "--depth", "1"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("1 cloned, 0 fetched, 1 failed"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("nothing-here"), "{}", run.stderr);
    assert_eq!(
        mirrored_main(&org.path().join("m/billing.git")),
        head(&billing)
    );
    fetches_a_new_commit(
        &org,
        &billing,
        &["repos.txt", "--into", "m", "--depth", "1"],
    );
    let built = portico(org.path(), &["check", "m", "--format", "json"]);
    assert_eq!(
        built.code, 0,
        "only a warning, the unresolved owner: {}",
        built.stdout
    );
    assert!(
        built.stdout.contains("m/billing.git/catalog-info.yaml"),
        "{}",
        built.stdout
    );
}

/// After a new commit in `billing`, `portico mirror ARGS` (into `m`)
/// fetches it into the mirror it made before.
fn fetches_a_new_commit(org: &Org, billing: &Path, args: &[&str]) {
    org.file("sources/billing/more.md", "x\n");
    commit_all(billing, "main", "more");
    let mut all = vec!["mirror"];
    all.extend(args);
    let again = org.run(&all);
    assert!(
        again.stdout.contains("0 cloned, 1 fetched"),
        "{}",
        again.stdout
    );
    assert_eq!(
        mirrored_main(&org.path().join("m/billing.git")),
        head(billing)
    );
}

/// An org with the work tree `sources/billing`, when `git http-backend`
/// can serve it (else the test says it is skipped).
fn billing_for_http() -> Option<(Org, PathBuf)> {
    if !super::git_http::available() {
        eprintln!("skipped: `git http-backend` is not installed, so http(s):// is not tested");
        return None;
    }
    let org = Org::new();
    let billing = source(&org, "billing", "Bills.");
    Some((org, billing))
}

/// `http://` through gix's HTTP client against a smart-HTTP server
/// (`git http-backend`): a public repository cloned then fetched; one that
/// wants credentials fails without them, is cloned with the ones
/// `PORTICO_GIT_CREDENTIALS` gives for its host and port, and a server on
/// another port is never sent them. A token written in the list is hidden
/// wherever the URL is shown.
#[test]
fn mirrors_over_http_with_credentials_for_their_host_only() {
    let Some((org, billing)) = billing_for_http() else {
        return;
    };
    let sources = org.path().join("sources");
    let public = super::git_http::serve(&sources, None);
    let private = super::git_http::serve(&sources, Some(("bot", "s3cret")));
    let other = super::git_http::serve(&sources, Some(("bot", "s3cret")));
    org.file(
        "public.txt",
        &format!("http://127.0.0.1:{}/billing\n", public.port),
    );
    let run = org.run(&["mirror", "public.txt", "--into", "m"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("1 cloned"), "{}", run.stdout);
    assert_eq!(
        mirrored_main(&org.path().join("m/billing.git")),
        head(&billing)
    );
    fetches_a_new_commit(&org, &billing, &["public.txt", "--into", "m"]);

    let list = format!(
        "http://127.0.0.1:{}/billing\nhttp://127.0.0.1:{}/billing\n",
        private.port, other.port
    );
    org.file("private.txt", &list);
    let refused = org.run(&["mirror", "private.txt", "--into", "p"]);
    assert_eq!(refused.code, 1, "{}{}", refused.stdout, refused.stderr);
    assert!(
        refused.stdout.contains("0 cloned, 0 fetched, 2 failed"),
        "{}",
        refused.stdout
    );
    assert!(
        refused
            .stderr
            .contains("PORTICO_GIT_CREDENTIALS has none for this host"),
        "{}",
        refused.stderr
    );
    assert!(!org.path().join("p/billing.git").exists());
    let credentials = format!("http://bot:s3cret@127.0.0.1:{}\n", private.port);
    let given = super::support::portico_with_env(
        org.path(),
        &["mirror", "private.txt", "--into", "p"],
        &[("PORTICO_GIT_CREDENTIALS", &credentials)],
    );
    assert_eq!(given.code, 1, "{}{}", given.stdout, given.stderr);
    assert!(
        given.stdout.contains("1 cloned, 0 fetched, 1 failed"),
        "{}{} {:?}",
        given.stdout,
        given.stderr,
        private.seen.lock().unwrap()
    );
    let expected = format!("Basic {}", super::git_http::base64("bot:s3cret"));
    assert!(private.seen.lock().unwrap().contains(&expected));
    assert!(
        other.seen.lock().unwrap().is_empty(),
        "another port is another host: {:?}",
        other.seen.lock().unwrap()
    );
    let mirrors: Vec<String> = std::fs::read_dir(org.path().join("p"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(mirrors.len(), 1, "{mirrors:?}");
    let config =
        std::fs::read_to_string(org.path().join("p").join(&mirrors[0]).join("config")).unwrap();
    assert!(
        !config.contains("s3cret"),
        "the token stays out of the mirror: {config}"
    );

    // A token in the list works, is warned about and never shown.
    org.file(
        "token.txt",
        &format!("http://bot:s3cret@127.0.0.1:{}/billing\n", private.port),
    );
    let listed = org.run(&["mirror", "token.txt", "--into", "t"]);
    assert_eq!(listed.code, 0, "{}{}", listed.stdout, listed.stderr);
    assert!(
        listed.stderr.contains("mirror-url-password"),
        "{}",
        listed.stderr
    );
    assert!(
        !listed.stdout.contains("s3cret") && !listed.stderr.contains("s3cret"),
        "{}{}",
        listed.stdout,
        listed.stderr
    );
    org.file(
        "wrong.txt",
        &format!("http://bot:wr0ngtoken@127.0.0.1:{}/billing\n", private.port),
    );
    let wrong = org.run(&["mirror", "wrong.txt", "--into", "w"]);
    assert_eq!(wrong.code, 1, "{}{}", wrong.stdout, wrong.stderr);
    assert!(
        wrong
            .stderr
            .contains("the server asks for credentials, and none it accepts were given"),
        "the cause is told: {}",
        wrong.stderr
    );
    assert!(
        !wrong.stdout.contains("wr0ngtoken") && !wrong.stderr.contains("wr0ngtoken"),
        "{}{}",
        wrong.stdout,
        wrong.stderr
    );
    let wrong = format!("http://bot:nope@127.0.0.1:{}\n", private.port);
    let refused = super::support::portico_with_env(
        org.path(),
        &["mirror", "private.txt", "--into", "r"],
        &[("PORTICO_GIT_CREDENTIALS", &wrong)],
    );
    assert!(
        refused
            .stderr
            .contains("(the credentials PORTICO_GIT_CREDENTIALS gives for this host were refused)"),
        "{}",
        refused.stderr
    );
    let bad = super::support::portico_with_env(
        org.path(),
        &["mirror", "public.txt", "--into", "m"],
        &[("PORTICO_GIT_CREDENTIALS", "https://bot@host\n")],
    );
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("line 1 of PORTICO_GIT_CREDENTIALS"),
        "{}",
        bad.stderr
    );
}

/// https end to end: the same server behind TLS. Its certificate is not
/// one the system trusts: the mirror fails on it, having sent nothing;
/// trusted through `SSL_CERT_FILE`, the repository is cloned with the
/// credentials `PORTICO_GIT_CREDENTIALS` gives for `https://127.0.0.1:PORT`.
#[test]
fn mirrors_over_https_only_to_a_trusted_certificate() {
    let Some((org, billing)) = billing_for_http() else {
        return;
    };
    let private = super::git_http::serve(&org.path().join("sources"), Some(("bot", "s3cret")));
    let Some(port) = super::git_http::tls_in_front(&private, org.path()) else {
        eprintln!("skipped: the `openssl` command could not make a certificate");
        return;
    };
    org.file("tls.txt", &format!("https://127.0.0.1:{port}/billing\n"));
    let credentials = format!("https://bot:s3cret@127.0.0.1:{port}\n");
    let cert = org.path().join("cert.pem");
    let untrusted = super::support::portico_with_env(
        org.path(),
        &["mirror", "tls.txt", "--into", "u"],
        &[("PORTICO_GIT_CREDENTIALS", &credentials)],
    );
    assert_eq!(
        untrusted.code, 1,
        "{}{}",
        untrusted.stdout, untrusted.stderr
    );
    assert!(
        untrusted.stderr.to_lowercase().contains("certificate"),
        "the reason is told: {}",
        untrusted.stderr
    );
    assert!(private.seen.lock().unwrap().is_empty(), "nothing sent");
    let trusted = super::support::portico_with_env(
        org.path(),
        &["mirror", "tls.txt", "--into", "t"],
        &[
            ("PORTICO_GIT_CREDENTIALS", &credentials),
            ("SSL_CERT_FILE", cert.to_str().unwrap()),
        ],
    );
    assert_eq!(trusted.code, 0, "{}{}", trusted.stdout, trusted.stderr);
    assert_eq!(
        mirrored_main(&org.path().join("t/billing.git")),
        head(&billing)
    );
    let expected = format!("Basic {}", super::git_http::base64("bot:s3cret"));
    assert!(private.seen.lock().unwrap().contains(&expected));
}

/// A `file://` path is percent-decoded as git decodes it: `my%20repo` is
/// the folder `my repo` (it failed, gix reading the `%20` as written), the
/// mirror is named after the decoded path, and the second run finds it
/// (its `origin` records the decoded path). A `%` not followed by two hex
/// digits is itself, as in git; an escape of a control character is
/// refused before anything is fetched.
#[test]
fn file_urls_are_percent_decoded_as_git_decodes_them() {
    let org = Org::new();
    let spaced = source(&org, "my repo", "Spaced.");
    let percent = source(&org, "50%off", "Percent.");
    let listed = |dir: &Path| file_url(dir).replace(' ', "%20");
    org.file(
        "repos.txt",
        &format!(
            "{}\n{}\nfile:///srv/a%0Ab\n",
            listed(&spaced),
            file_url(&percent)
        ),
    );
    let first = org.run(&["mirror", "repos.txt", "--into", "mirrors"]);
    assert_eq!(first.code, 1, "{}{}", first.stdout, first.stderr);
    assert!(
        first
            .stderr
            .contains("has a `%` escape of a control character"),
        "{}",
        first.stderr
    );
    assert!(
        first.stdout.contains("2 cloned, 0 fetched, 0 failed"),
        "{}{}",
        first.stdout,
        first.stderr
    );
    let mirrors = org.path().join("mirrors");
    assert_eq!(mirrored_main(&mirrors.join("my-repo.git")), head(&spaced));
    assert_eq!(mirrored_main(&mirrors.join("50-off.git")), head(&percent));

    let second = org.run(&["mirror", "repos.txt", "--into", "mirrors"]);
    assert!(
        second.stdout.contains("0 cloned, 2 fetched"),
        "{}{}",
        second.stdout,
        second.stderr
    );
    let folders = std::fs::read_dir(&mirrors).unwrap().count();
    assert_eq!(folders, 2, "no second clone of a decoded path");
}
