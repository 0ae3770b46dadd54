//! Portico: a static developer portal built from an organisation's git
//! repositories.
//!
//! The build is a pipeline of stages, each taking plain data and returning
//! plain data (see `ARCHITECTURE.md`):
//!
//! ```text
//! discover ─► read ─► catalog ─► render ─► output
//!   repos     files   entities    pages     site folder (staged, swapped in)
//! ```
//!
//! [`pipeline`] is the one place that knows the order.

pub mod address;
pub mod built_site;
pub mod cache;
pub mod catalog;
pub mod changes;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diagnostics;
pub mod discover;
pub mod docs;
pub mod files;
pub mod html;
pub mod limits;
pub mod memo;
pub mod mirror;
pub mod output;
pub mod pipeline;
pub mod portal;
pub mod read;
pub mod render;
pub mod sarif;
pub mod scorecards;
pub mod search;
pub mod serve;
pub mod shard;
pub mod threads;
pub mod timings;
pub mod yaml;
