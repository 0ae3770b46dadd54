//! Integration tests: the real `portico` binary on fixture organisations,
//! the upstream corpus, and git repositories made in temporary folders.

mod architecture;
mod bad_input;
mod browser;
mod browser_hostile;
mod browser_narrow;
mod browser_portal;
mod browser_search;
mod browser_serve;
mod browser_site;
mod build_cache;
mod catalog_json;
mod changed_since;
mod corpus;
mod docs;
mod docs_markdown;
mod example_org;
mod git_repos;
mod hostile;
mod incremental;
mod interrupted;
mod json_schema;
mod manual;
mod mirror;
mod portal;
mod relevance;
mod sarif;
mod scorecard_history;
mod scorecards;
mod search;
mod serve;
mod site_links;
mod support;
