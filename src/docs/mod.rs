//! TechDocs: every entity's docs rendered as TechDocs would, from unchanged
//! `mkdocs.yml` and Markdown.

pub mod markdown;
pub mod mkdocs;
