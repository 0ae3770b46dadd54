//! The tantivy index `portico build` writes for `portico search`.

use super::SearchDoc;
use std::path::Path;
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, TantivyDocument};

/// The index's fields, by role.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub title: Field,
    pub heading: Field,
    pub body: Field,
    pub breadcrumb: Field,
    pub url: Field,
    pub entity_ref: Field,
    pub doc_type: Field,
    pub kind: Field,
    pub spec_type: Field,
    pub owner: Field,
    pub lifecycle: Field,
    pub tag: Field,
    pub namespace: Field,
}

/// English stemming (`deploying` finds `deploy`), positions for phrases.
fn stemmed_text() -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer("en_stem")
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    TextOptions::default()
        .set_indexing_options(indexing)
        .set_stored()
}

pub fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        title: builder.add_text_field("title", stemmed_text()),
        heading: builder.add_text_field("heading", stemmed_text()),
        body: builder.add_text_field("body", stemmed_text()),
        breadcrumb: builder.add_text_field("breadcrumb", STORED),
        url: builder.add_text_field("url", STORED),
        entity_ref: builder.add_text_field("entity_ref", STRING | STORED),
        doc_type: builder.add_text_field("doc_type", STRING | STORED),
        kind: builder.add_text_field("kind", STRING | STORED),
        spec_type: builder.add_text_field("type", STRING | STORED),
        owner: builder.add_text_field("owner", STRING | STORED),
        lifecycle: builder.add_text_field("lifecycle", STRING | STORED),
        tag: builder.add_text_field("tag", STRING | STORED),
        namespace: builder.add_text_field("namespace", STRING | STORED),
    };
    (builder.build(), fields)
}

/// Fields Portico looks up again by name when it opens an index.
pub fn fields_of(schema: &Schema) -> tantivy::Result<Fields> {
    let get = |name: &str| schema.get_field(name);
    Ok(Fields {
        title: get("title")?,
        heading: get("heading")?,
        body: get("body")?,
        breadcrumb: get("breadcrumb")?,
        url: get("url")?,
        entity_ref: get("entity_ref")?,
        doc_type: get("doc_type")?,
        kind: get("kind")?,
        spec_type: get("type")?,
        owner: get("owner")?,
        lifecycle: get("lifecycle")?,
        tag: get("tag")?,
        namespace: get("namespace")?,
    })
}

/// Writes every document into a new index in `dir` (created).
pub fn write(dir: &Path, docs: &[SearchDoc]) -> tantivy::Result<()> {
    std::fs::create_dir_all(dir)?;
    let (schema, f) = schema();
    let index = Index::create_in_dir(dir, schema)?;
    let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 50_000_000)?;
    for d in docs {
        let mut doc = TantivyDocument::default();
        doc.add_text(f.title, &d.title);
        doc.add_text(f.heading, &d.heading);
        doc.add_text(f.body, &d.body);
        doc.add_text(f.breadcrumb, &d.breadcrumb);
        doc.add_text(f.url, &d.url);
        doc.add_text(f.entity_ref, &d.entity_ref);
        doc.add_text(f.doc_type, d.doc_type);
        // Filter fields compare lower-cased, so `--owner Platform-Team` works.
        doc.add_text(f.kind, d.kind.to_lowercase());
        doc.add_text(f.spec_type, d.spec_type.to_lowercase());
        doc.add_text(f.owner, d.owner.to_lowercase());
        doc.add_text(f.lifecycle, d.lifecycle.to_lowercase());
        for tag in &d.tags {
            doc.add_text(f.tag, tag.to_lowercase());
        }
        doc.add_text(f.namespace, d.namespace.to_lowercase());
        writer.add_document(doc)?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(())
}
