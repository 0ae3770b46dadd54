//! Delivery metrics in the site: on a Component's page and on its owner's
//! pages (the Group's page and each owner rollup page), every figure with
//! its definition and where it comes from (`from git`, or the facts file).
//! Figures the facts file does not have are said to be missing, never
//! shown as zero.

use crate::html::escape;
use crate::scorecards::delivery::{
    self, ComponentDelivery, Delivery, GitFigures, OwnerDelivery, Reported,
};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// The figures by Component ref and by owner ref, made once per site.
#[derive(Default)]
pub struct DeliveryIndex<'a> {
    delivery: Option<&'a Delivery>,
    components: HashMap<&'a str, &'a ComponentDelivery>,
    owners: HashMap<&'a str, &'a OwnerDelivery>,
}

impl<'a> DeliveryIndex<'a> {
    pub fn new(delivery: Option<&'a Delivery>) -> DeliveryIndex<'a> {
        let Some(d) = delivery else {
            return DeliveryIndex::default();
        };
        DeliveryIndex {
            delivery,
            components: d
                .components
                .iter()
                .map(|c| (c.entity.as_str(), c))
                .collect(),
            owners: d.owners.iter().map(|o| (o.owner.as_str(), o)).collect(),
        }
    }

    /// The card for a Component's page (empty for other entities).
    pub fn component_card(&self, entity: &str) -> String {
        let (Some(d), Some(c)) = (self.delivery, self.components.get(entity)) else {
            return String::new();
        };
        let mut out = String::from("<div class=\"scorecard delivery\"><h3>Delivery</h3>");
        window(&mut out, d);
        match &c.git {
            Some(git) => git_table(&mut out, git, "this repository"),
            None => out.push_str(
                "<p>Not a git repository: release frequency and lead time are not known.</p>",
            ),
        }
        reported_table(&mut out, d, &c.reported);
        out.push_str("</div>");
        out
    }

    /// The section for an owner (a Group's or User's page, and each owner
    /// rollup page): its Components' repositories pooled.
    pub fn owner_card(&self, owner: &str, heading: &str) -> String {
        let (Some(d), Some(o)) = (self.delivery, self.owners.get(owner)) else {
            return String::new();
        };
        let mut out = format!(
            "<div class=\"scorecard delivery\"><h3>{}</h3>",
            escape(heading)
        );
        window(&mut out, d);
        let _ = write!(
            out,
            "<p>{} Components in {} git repositories; releases are summed over the repositories and lead times taken together.</p>",
            o.components, o.repositories
        );
        if let Some(git) = &o.git {
            git_table(&mut out, git, "these repositories");
        }
        let reported: BTreeMap<String, String> = o
            .reported
            .iter()
            .map(|(name, r)| {
                let median = r
                    .median
                    .map_or_else(|| "no number".to_string(), |m| m.to_string());
                (
                    name.clone(),
                    format!(
                        "median {median} over the {} of {} Components that report it",
                        r.components_reporting, o.components
                    ),
                )
            })
            .collect();
        reported_rows(&mut out, d, &reported);
        out.push_str("</div>");
        out
    }
}

fn window(out: &mut String, d: &Delivery) {
    let _ = write!(
        out,
        "<p>The {} days up to {} (after {}). Release tags: names matching <code>{}</code>.</p>",
        d.window_days,
        escape(&d.until),
        escape(&d.since),
        escape(&d.release_tags)
    );
}

fn git_table(out: &mut String, git: &GitFigures, whose: &str) {
    let last = git.last_release.as_ref().map_or_else(
        || "none".to_string(),
        |r| format!("<code>{}</code> on {}", escape(&r.tag), escape(&r.date)),
    );
    let lead = match (git.lead_time_median_days, git.lead_time_p90_days) {
        (Some(m), Some(p)) => format!(
            "median {m} days, 90th percentile {p} days, over {} commits",
            git.commits_released
        ),
        _ => "no commit was released in the window".to_string(),
    };
    let _ = write!(
        out,
        "<table class=\"delivery-figures\"><thead><tr><th>Figure</th><th>Value</th><th>Source</th><th>Definition</th></tr></thead><tbody>\
<tr><td>Release frequency</td><td>{} releases ({} per week); last: {last}</td><td>from git ({})</td><td>{}</td></tr>\
<tr><td>Lead time</td><td>{lead}</td><td>from git ({})</td><td>{}</td></tr>",
        git.releases,
        git.releases_per_week,
        escape(whose),
        escape(delivery::RELEASE_FREQUENCY),
        escape(whose),
        escape(delivery::LEAD_TIME),
    );
    out.push_str("</tbody></table>");
    if git.partial {
        out.push_str(
            "<p>The history walk stopped at its commit limit: these figures are partial.</p>",
        );
    }
}

fn reported_table(out: &mut String, d: &Delivery, reported: &BTreeMap<String, Reported>) {
    let rows: BTreeMap<String, String> = reported
        .iter()
        .map(|(name, r)| {
            let value = match &r.value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let at =
                r.at.as_ref()
                    .map_or_else(String::new, |a| format!(" (as of {a})"));
            (name.clone(), format!("{value}{at}"))
        })
        .collect();
    reported_rows(out, d, &rows);
}

/// The facts file's figures: each with its meaning; the missing ones named
/// as missing.
fn reported_rows(out: &mut String, d: &Delivery, shown: &BTreeMap<String, String>) {
    out.push_str("<table class=\"delivery-figures\"><thead><tr><th>Figure</th><th>Value</th><th>Source</th><th>Definition</th></tr></thead><tbody>");
    for (name, meaning) in &d.definitions.reported {
        let (value, source) = match shown.get(*name) {
            Some(v) => (escape(v), "facts file"),
            None => ("not reported".to_string(), "none: not measured from git"),
        };
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{value}</td><td>{source}</td><td>{}</td></tr>",
            escape(name),
            escape(meaning)
        );
    }
    out.push_str("</tbody></table>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scorecards::delivery::{Definitions, EXTERNAL, LastRelease};

    fn delivery() -> Delivery {
        Delivery {
            release_tags: "^v<1>".into(),
            window_days: 90,
            since: "2023-12-02".into(),
            until: "2024-03-01".into(),
            definitions: Definitions {
                release_frequency: delivery::RELEASE_FREQUENCY,
                lead_time: delivery::LEAD_TIME,
                reported: EXTERNAL.into_iter().collect(),
            },
            components: vec![ComponentDelivery {
                entity: "component:default/api".into(),
                owner: Some("group:default/team".into()),
                repository: "org/api".into(),
                git: Some(GitFigures {
                    source: "git",
                    releases: 3,
                    releases_per_week: 0.23,
                    last_release: Some(LastRelease {
                        tag: "v1.2<script>".into(),
                        date: "2024-02-20".into(),
                    }),
                    commits_released: 7,
                    lead_time_median_days: Some(2.5),
                    lead_time_p90_days: Some(9.0),
                    partial: false,
                }),
                reported: [(
                    "change_failure_rate".to_string(),
                    Reported {
                        source: "facts",
                        value: serde_json::json!(0.1),
                        at: Some("2024-02-01".into()),
                    },
                )]
                .into_iter()
                .collect(),
            }],
            owners: Vec::new(),
        }
    }

    #[test]
    fn a_component_card_marks_git_figures_and_names_missing_facts() {
        let d = delivery();
        let index = DeliveryIndex::new(Some(&d));
        let html = index.component_card("component:default/api");
        assert!(html.contains("3 releases (0.23 per week)"));
        assert!(html.contains("median 2.5 days, 90th percentile 9 days, over 7 commits"));
        assert!(html.contains("from git (this repository)"));
        assert!(html.contains("0.1 (as of 2024-02-01)</td><td>facts file"));
        // Not in the facts file: said so, not shown as 0.
        assert!(html.contains("<code>deployment_frequency</code></td><td>not reported"));
        // Tag names and patterns come from repositories and config: escaped.
        assert!(html.contains("v1.2&lt;script&gt;"));
        assert!(html.contains("^v&lt;1&gt;"));
        assert!(!html.contains("<script>"));
        assert_eq!(index.component_card("component:default/other"), "");
    }
}
