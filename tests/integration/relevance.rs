//! The relevance suite: `tests/relevance/queries.tsv`, run against the sites
//! of example-org and of the upstream corpus; precision@3 must stay above
//! the bar.

use crate::support::{corpus_dir, crate_dir, example_site, portico};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The suite's bar: the mean precision@3 over every query.
const MIN_PRECISION_AT_3: f64 = 0.9;

pub fn corpus_site() -> &'static PathBuf {
    static SITE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &SITE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let site = dir.path().join("site");
            let corpus = corpus_dir();
            let all = corpus.join("backstage-examples/all.yaml");
            let acme = corpus.join("backstage-examples/acme-corp.yaml");
            let documented = corpus.join("techdocs-backstage-documented-component");
            let run = portico(
                &crate_dir(),
                &[
                    "build",
                    "--location",
                    all.to_str().unwrap(),
                    "--location",
                    acme.to_str().unwrap(),
                    documented.to_str().unwrap(),
                    "--out",
                    site.to_str().unwrap(),
                ],
            );
            assert!(run.code <= 1, "{}", run.stderr);
            (dir, site)
        })
        .1
}

/// The top three result URLs for `query` (words, then flags).
pub fn top3(site: &std::path::Path, query: &str) -> Vec<String> {
    let site = site.to_str().unwrap().to_string();
    let mut args = vec![
        "search".to_string(),
        "--site".into(),
        site,
        "--json".into(),
        "--limit".into(),
        "3".into(),
    ];
    // Quoted phrases stay one argument; the CLI joins words with spaces.
    args.extend(query.split(' ').map(str::to_string));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = portico(&crate_dir(), &args);
    let hits: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap_or_default();
    hits.iter()
        .map(|h| h["url"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn precision_at_3_stays_above_the_bar() {
    let text = std::fs::read_to_string(crate_dir().join("tests/relevance/queries.tsv")).unwrap();
    let mut scores = Vec::new();
    let mut report = String::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let [site, category, query, expected] = cols[..] else {
            panic!("bad line: {line}");
        };
        let site = if site == "org" {
            &example_site().0
        } else {
            corpus_site()
        };
        let expected: Vec<&str> = expected.split(' ').collect();
        let top = top3(site, query);
        let found = top
            .iter()
            .filter(|u| expected.contains(&u.as_str()))
            .count();
        let precision = found as f64 / expected.len().min(3) as f64;
        scores.push(precision);
        report.push_str(&format!(
            "{precision:.2}  {category:<12} {query:<32} top: {top:?}\n"
        ));
    }
    let mean = scores.iter().sum::<f64>() / scores.len() as f64;
    println!(
        "relevance: {} queries, precision@3 = {mean:.3}\n{report}",
        scores.len()
    );
    assert!(scores.len() >= 30, "the suite has at least 30 queries");
    assert!(
        mean >= MIN_PRECISION_AT_3,
        "precision@3 {mean:.3} is below {MIN_PRECISION_AT_3}\n{report}"
    );
}
