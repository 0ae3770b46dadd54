//! `catalog.csv`: the catalog as a spreadsheet, one entity per row
//! (RFC 4180 quoting), beside `catalog.json`.

use crate::catalog::{Catalog, Entity};

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

pub fn catalog_csv(catalog: &Catalog) -> String {
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    for e in &catalog.entities {
        let tags: Vec<&str> = e.json["metadata"]["tags"]
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
        out.push_str(&row.iter().map(|v| field(v)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::field;

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
