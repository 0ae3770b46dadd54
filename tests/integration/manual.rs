//! The manual and the README against the binary: every command and flag the
//! book shows exists in `--help`, and the README's two commands are the ones
//! `.ci/run` runs.

use crate::support::{crate_dir, portico};
use std::collections::{BTreeMap, BTreeSet};

/// Every `portico SUB ... --flag` the book's Markdown shows, in code blocks
/// (`portico …` and `$ portico …` lines) and in inline code spans:
/// subcommand → flags, with the file and line each was first seen at.
fn documented_commands() -> BTreeMap<String, BTreeMap<String, String>> {
    let mut commands: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let docs = crate_dir().join("book/docs");
    let mut files: Vec<_> = std::fs::read_dir(&docs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    assert!(
        files.len() > 5,
        "the book's pages are in {}",
        docs.display()
    );
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let mut in_code = false;
        for (i, line) in text.lines().enumerate() {
            let place = format!("{name}:{}", i + 1);
            if line.trim_start().starts_with("```") {
                in_code = !in_code;
                continue;
            }
            let mut uses: Vec<&str> = Vec::new();
            if in_code {
                let command = line.trim_start().trim_start_matches("$ ");
                if command.starts_with("portico ") {
                    uses.push(command);
                }
            } else {
                // Inline spans: the odd parts between backticks.
                uses.extend(
                    line.split('`')
                        .skip(1)
                        .step_by(2)
                        .filter(|span| span.starts_with("portico ")),
                );
            }
            for command in uses {
                let command = command.split(" #").next().unwrap();
                let words: Vec<&str> = command.split_whitespace().collect();
                let Some(sub) = words.get(1) else { continue };
                // `portico --help`, and output such as `portico 0.1.0`.
                if !sub.starts_with(|c: char| c.is_ascii_lowercase()) {
                    continue;
                }
                // A shell pipeline or a second command ends the portico part.
                let flags = words[2..]
                    .iter()
                    .take_while(|w| !["|", "&&", ">", "2>&1", ";"].contains(w))
                    // `--` alone ends the options; it is not a flag.
                    .filter(|w| w.starts_with("--") && w.len() > 2)
                    .map(|w| {
                        w.split(['=', '`', ')', ']', ','])
                            .next()
                            .unwrap()
                            .to_string()
                    });
                let entry = commands.entry(sub.to_string()).or_default();
                for flag in flags {
                    entry.entry(flag).or_insert_with(|| place.clone());
                }
            }
        }
    }
    commands
}

#[test]
fn every_command_and_flag_in_the_book_is_in_help() {
    let dir = crate_dir();
    let top = portico(&dir, &["--help"]);
    assert_eq!(top.code, 0, "{}", top.stderr);
    let documented = documented_commands();
    for expected in ["build", "check", "search", "serve", "mirror", "scorecards"] {
        assert!(
            documented.contains_key(expected),
            "the book never shows `portico {expected}`: {:?}",
            documented.keys()
        );
    }
    let mut missing = BTreeSet::new();
    for (sub, flags) in &documented {
        let listed = top
            .stdout
            .lines()
            .any(|l| l.split_whitespace().next() == Some(sub));
        if !listed {
            missing.insert(format!("command `{sub}` (book) is not in `portico --help`"));
            continue;
        }
        let help = portico(&dir, &[sub, "--help"]);
        assert_eq!(help.code, 0, "portico {sub} --help: {}", help.stderr);
        for (flag, place) in flags {
            if flag == "--help" || flag == "--version" {
                continue;
            }
            let shown = help
                .stdout
                .split(|c: char| c.is_whitespace() || c == ',')
                .any(|w| w == flag || w.starts_with(&format!("{flag}=")));
            if !shown {
                missing.insert(format!(
                    "`portico {sub} {flag}` ({place}) is not in its --help"
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn every_subcommands_help_has_examples_and_exit_statuses() {
    for sub in ["build", "check", "search", "serve", "mirror", "scorecards"] {
        let help = portico(&crate_dir(), &[sub, "--help"]);
        assert_eq!(help.code, 0, "{}", help.stderr);
        assert!(
            help.stdout.contains("Examples:\n  portico "),
            "portico {sub} --help has no examples:\n{}",
            help.stdout
        );
        assert!(
            help.stdout.contains("Exit status: 0"),
            "portico {sub} --help does not give the exit statuses:\n{}",
            help.stdout
        );
    }
}

/// The lines of the README's "The two commands" block, comments dropped.
fn readme_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(crate_dir().join("README.md")).unwrap();
    let section = readme
        .split("## The two commands")
        .nth(1)
        .expect("README has `## The two commands`");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a ```sh block under it");
    block
        .lines()
        .map(|l| l.split('#').next().unwrap().trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn the_readmes_two_commands_are_the_ones_ci_runs() {
    let commands = readme_commands();
    assert_eq!(commands.len(), 2, "{commands:?}");
    let ci = std::fs::read_to_string(crate_dir().join(".ci/run")).unwrap();
    let ci_lines: Vec<&str> = ci
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .collect();
    for command in &commands {
        assert!(
            ci_lines.contains(&command.as_str()),
            "`{command}` (README) is not a line of .ci/run:\n{ci}"
        );
    }
}
