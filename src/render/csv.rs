//! `catalog.csv`: the catalog as a spreadsheet, one entity per row
//! (RFC 4180 quoting), beside `catalog.json`.

use crate::catalog::{Catalog, Entity};
use rayon::prelude::*;

const COLUMNS: &[&str] = &[
    "ref",
    "kind",
    "namespace",
    "name",
    "title",
    "type",
    "lifecycle",
    "owner",
    "system",
    "tags",
    "description",
    "source",
];

/// A field quoted when it holds a comma, quote or line break. A field a
/// spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return: text from repositories, e.g. a description
/// `=HYPERLINK(...)`) gets a leading `'`, which makes it text (OWASP's
/// advice for CSV injection).
pub(super) fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn target(entity: &Entity, relation: &str, kind: Option<&str>) -> String {
    entity
        .relations
        .iter()
        .find(|r| r.kind == relation && kind.is_none_or(|k| r.target.kind == k))
        .map(|r| r.target.to_string())
        .unwrap_or_default()
}

/// How many rows are written between two asks of `stop`.
const RUN: usize = 1024;

/// `catalog.csv`, its rows written in parallel runs of [`RUN`] entities
/// with `stop` asked before each (`portico serve` gives up a build's lists
/// for a newer edit's pages); `None` when it says stop.
pub fn catalog_csv_until(catalog: &Catalog, stop: &dyn Fn() -> bool) -> Option<String> {
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    for run in catalog.entities.chunks(RUN) {
        if stop() {
            return None;
        }
        let rows: Vec<String> = run
            .par_chunks(64)
            .map(|few| {
                let mut rows = String::new();
                for entity in few {
                    push_row(&mut rows, entity);
                }
                rows
            })
            .collect();
        rows.iter().for_each(|few| out.push_str(few));
    }
    Some(out)
}

/// One entity's row, with its line break.
fn push_row(out: &mut String, e: &Entity) {
    let tags: Vec<&str> = e.metadata()["tags"]
        .as_array()
        .map(|t| t.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let source = format!("{}/{}", e.source.repo_dir, e.source.file);
    let row = [
        e.entity_ref.to_string(),
        e.kind.clone(),
        e.namespace.clone(),
        e.name.clone(),
        e.metadata_str("title").unwrap_or("").to_string(),
        e.spec_str("type").unwrap_or("").to_string(),
        e.spec_str("lifecycle").unwrap_or("").to_string(),
        target(e, "ownedBy", None),
        target(e, "partOf", Some("system")),
        tags.join(" "),
        e.metadata_str("description").unwrap_or("").to_string(),
        source,
    ];
    for (i, value) in row.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(value));
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Over example-org's entities, copied past two runs' worth: one row
    /// per entity in the catalog's order, whichever run wrote it, and a
    /// stop asked for gives up.
    #[test]
    fn rows_written_in_runs_keep_the_catalogs_order() {
        let outcome = crate::render::example_org();
        let examples = &outcome.portal.catalog.entities;
        let mut entities = Vec::new();
        while entities.len() < 2 * RUN + 3 {
            for e in examples {
                let mut copy = e.clone();
                copy.name = format!("{}-{}", e.name, entities.len());
                copy.entity_ref.name = copy.name.clone();
                entities.push(copy);
            }
        }
        let catalog = Catalog::of_entities(entities);
        let text = catalog_csv_until(&catalog, &|| false).unwrap();
        let mut expected = COLUMNS.join(",") + "\r\n";
        for e in &catalog.entities {
            push_row(&mut expected, e);
        }
        assert_eq!(text, expected);
        let refs: Vec<String> = text
            .split("\r\n")
            .skip(1)
            .filter(|row| !row.is_empty())
            .map(|row| row.split(',').next().unwrap().to_string())
            .collect();
        let wanted: Vec<String> = catalog
            .entities
            .iter()
            .map(|e| e.entity_ref.to_string())
            .collect();
        assert_eq!(refs, wanted);
        assert_eq!(catalog_csv_until(&catalog, &|| true), None);
    }

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn fields_a_spreadsheet_would_run_are_made_text() {
        assert_eq!(field("=1+1"), "'=1+1");
        assert_eq!(
            field("=HYPERLINK(\"http://evil\",\"x\")"),
            "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\""
        );
        assert_eq!(field("+cmd"), "'+cmd");
        assert_eq!(field("-2+3"), "'-2+3");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("\tx"), "'\tx");
        assert_eq!(field("a=b"), "a=b", "only a leading sign matters");
    }
}
