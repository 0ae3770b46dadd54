//! The layering of the crate: no import cycle between top-level modules
//! (`catalog`, `docs`, `render`, …). A cycle means two stages know each
//! other, which the pipeline's design (plain data handed down the stages)
//! forbids; this test names it the day it appears.

use crate::support::crate_dir;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The top-level modules each top-level module uses (tests excluded).
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = crate_dir().join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let module = top_module(&src, &path);
                if module == "main" || module == "lib" {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                // Tests sit at the bottom of each file and may use anything.
                let code = text.split("#[cfg(test)]").next().unwrap_or("");
                let used = graph.entry(module.clone()).or_default();
                used.extend(crate_paths(code).into_iter().filter(|m| *m != module));
            }
        }
    }
    graph
}

fn top_module(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap();
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_string()
}

/// The first segment of every `crate::…` path in `code`, braces included
/// (`use crate::{a, b::c}` names `a` and `b`).
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut part = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.insert(first_segment(&part));
                        part.clear();
                        continue;
                    }
                    _ => {}
                }
                part.push(c);
            }
            found.insert(first_segment(&part));
        } else {
            found.insert(first_segment(rest));
        }
    }
    found.retain(|m| !m.is_empty());
    found
}

fn first_segment(path: &str) -> String {
    path.trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// A cycle through `start`, if there is one.
fn cycle_from(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![(start.to_string(), vec![start.to_string()])];
    let mut seen = BTreeSet::new();
    while let Some((module, path)) = stack.pop() {
        for next in graph.get(&module).into_iter().flatten() {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(start.to_string());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

#[test]
fn top_level_modules_have_no_import_cycle() {
    let graph = module_graph();
    assert!(
        graph["pipeline"].contains("render"),
        "the graph is read: {graph:#?}"
    );
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|m| cycle_from(&graph, m))
        .map(|c| c.join(" → "))
        .collect();
    assert!(cycles.is_empty(), "import cycles: {cycles:#?}\n{graph:#?}");
}

#[test]
fn crate_paths_are_read_in_both_forms() {
    let code = "use crate::{a::b, c, d::{e, f}};\nlet x = crate::g::h();";
    let found: Vec<String> = crate_paths(code).into_iter().collect();
    assert_eq!(found, vec!["a", "c", "d", "g"]);
}
