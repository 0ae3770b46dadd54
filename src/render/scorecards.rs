//! Scorecards in the site: `scorecards.json` and `scorecards.csv`, the
//! scorecards list, a page per scorecard (level distribution, entities ×
//! rules, worst first), a rollup page per owner, and the card on entity
//! pages. Everything shown from definitions or repositories is escaped;
//! hints are Markdown rendered without raw HTML, links through
//! `html::allowed_url`, then sanitised.

use super::Look;
use super::delivery::DeliveryIndex;
use super::pages::{layout, ref_link, with_code_spans};
use super::trend::{self, TrendPoint};
use crate::address;
use crate::catalog::Entity;
use crate::catalog::entity_ref::EntityRef;
use crate::docs::markdown::encode_path;
use crate::html::{UrlUse, allowed_url, escape};
use crate::output::OutputFile;
use crate::portal::Portal;
use crate::scorecards::rollup::{self, CardIndex, Rollup};
use crate::scorecards::{CardResult, EntityResult, RuleResult, Status};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Every scorecard file of the site. `stop` is asked between files and between cards (`portico serve` gives
/// up a build's lists for a newer edit's pages); `None` when it says stop.
pub(super) fn files_until(
    portal: &Portal,
    look: &Look,
    indexes: &[CardIndex<'_>],
    delivery: &DeliveryIndex<'_>,
    stop: &dyn Fn() -> bool,
) -> Option<Vec<OutputFile>> {
    let results = &portal.scorecards;
    let json = serde_json::to_vec_pretty(results).unwrap_or_default();
    if stop() {
        return None;
    }
    let mut files = vec![
        OutputFile::new(address::SCORECARDS_JSON, json),
        OutputFile::new(address::SCORECARDS_CSV, csv(&results.scorecards)),
        OutputFile::new(address::SCORECARDS, index(portal, look)),
    ];
    for index in indexes {
        if stop() {
            return None;
        }
        let card = index.card;
        files.push(OutputFile::new(
            address::scorecard_page(&card.name),
            card_page(portal, look, index),
        ));
        // Each rule's hint as HTML, made once for every rollup page.
        let hints: HashMap<&str, String> = card
            .rules
            .iter()
            .map(|rule| (rule.id.as_str(), hint_html(&rule.hint)))
            .collect();
        for kind in ["owner", "system", "domain"] {
            for r in index.rollups(kind) {
                let Some(group) = parse_ref(&r.owner) else {
                    continue;
                };
                let path = match kind {
                    "owner" => address::scorecard_owner_page(&card.name, &group),
                    _ => address::scorecard_part_page(&card.name, &group),
                };
                let page = RollupPage {
                    card,
                    rollup: &r,
                    group: &group,
                    kind,
                    members: index.members(kind, &r.owner),
                    hints: &hints,
                    delivery: match kind {
                        "owner" => delivery.owner_card(&r.owner, "Delivery"),
                        _ => String::new(),
                    },
                };
                files.push(OutputFile::new(
                    path.clone(),
                    rollup_page(portal, look, &page, &path),
                ));
            }
        }
    }
    Some(files)
}

fn parse_ref(text: &str) -> Option<EntityRef> {
    EntityRef::parse(text, None, "default").ok()
}

/// One row per entity and rule (RFC 4180 quoting).
pub(super) fn csv(cards: &[CardResult]) -> String {
    let field = super::csv::field;
    let mut out = String::from(
        "scorecard,entity,owner,level,score,rule,rule_level,weight,status,evidence,file,line,date\n",
    );
    for card in cards {
        for e in &card.entities {
            for r in &e.results {
                let row = [
                    card.name.as_str(),
                    &e.entity,
                    e.owner.as_deref().unwrap_or(""),
                    e.level.as_deref().unwrap_or(""),
                    &format!("{:.3}", e.score),
                    &r.rule,
                    &r.level,
                    &r.weight.to_string(),
                    r.status.label(),
                    &r.evidence.summary,
                    r.evidence.file.as_deref().unwrap_or(""),
                    &r.evidence.line.map(|l| l.to_string()).unwrap_or_default(),
                    r.evidence.date.as_deref().unwrap_or(""),
                ];
                let row: Vec<String> = row.iter().map(|v| field(v)).collect();
                out.push_str(&row.join(","));
                out.push('\n');
            }
        }
    }
    out
}

/// A hint's Markdown as safe HTML: raw HTML shown as text, links only to
/// allowed URLs, images left out, then ammonia over the result.
pub fn hint_html(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    // A link to a URL that is not allowed keeps its text, not a link (an
    // `href=""` still reloaded the page when clicked).
    let mut links_kept: Vec<bool> = Vec::new();
    let events = Parser::new(markdown).filter_map(|event| match event {
        Event::Html(h) | Event::InlineHtml(h) => Some(Event::Text(h)),
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::Link { ref dest_url, .. }) => {
            let kept = allowed_url(dest_url, UrlUse::Link);
            links_kept.push(kept);
            kept.then_some(event)
        }
        Event::End(TagEnd::Link) => links_kept.pop().unwrap_or(true).then_some(event),
        other => Some(other),
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    ammonia::clean(&html)
}

/// `bronze` in a badge; `none` below the first level.
fn badge(e: &EntityResult) -> String {
    let (class, text) = match (&e.level, e.level_index) {
        (Some(level), Some(i)) => (i + 1, level.as_str()),
        _ => (0, "none"),
    };
    format!(
        "<span class=\"level level-{class}\">{}</span>",
        escape(text)
    )
}

fn score(e: &EntityResult) -> String {
    format!("<span class=\"score\">{:.0}%</span>", e.score * 100.0)
}

fn mark(status: Status) -> &'static str {
    match status {
        Status::Pass => "✓",
        Status::Fail => "✗",
        Status::NotApplicable => "–",
    }
}

/// One rule result: mark, title, level, evidence (and the hint when it fails).
fn rule_item(out: &mut String, r: &RuleResult) {
    let _ = write!(
        out,
        "<li class=\"rule {}\"><strong>{} {}</strong> <span class=\"where\">{} · <code>{}</code></span><div class=\"evidence\">{}",
        r.status.label(),
        mark(r.status),
        escape(&r.title),
        escape(&r.level),
        escape(&r.rule),
        // Values quoted in backticks, as on the problems page.
        with_code_spans(&r.evidence.summary)
    );
    if let Some(place) = r.evidence.place() {
        let _ = write!(out, " <code>{}</code>", escape(&place));
    }
    out.push_str("</div>");
    if r.status == Status::Fail && !r.hint.is_empty() {
        let _ = write!(out, "<div class=\"hint\">{}</div>", hint_html(&r.hint));
    }
    out.push_str("</li>");
}

/// An entity's rule lists on one card, kept between builds of one process
/// (`portico serve`) by [`rule_lists_key`]: a catalog edit makes the card
/// of each of 13,000 entities again, and these lists were most of it.
pub(super) type RuleLists = crate::memo::Kept<std::sync::Arc<str>>;

/// One result's rules: the failing ones (lowest level first), then the
/// rest folded away.
fn rule_lists(e: &EntityResult) -> String {
    let mut body = String::new();
    let mut failing: Vec<&RuleResult> = e
        .results
        .iter()
        .filter(|r| r.status == Status::Fail)
        .collect();
    failing.sort_by_key(|r| r.level_index);
    failing.iter().for_each(|r| rule_item(&mut body, r));
    body.push_str("</ul>");
    let rest: Vec<&RuleResult> = e
        .results
        .iter()
        .filter(|r| r.status != Status::Fail)
        .collect();
    if !rest.is_empty() {
        let _ = write!(
            body,
            "<details><summary>{} more rules passing or not applicable</summary><ul class=\"rules\">",
            rest.len()
        );
        rest.iter().for_each(|r| rule_item(&mut body, r));
        body.push_str("</ul></details>");
    }
    body
}

/// A key of everything [`rule_lists`] shows of a result: each rule's
/// status, level, title, id, evidence, place and hint, in order. Written
/// into one buffer and hashed at once: fed to the hasher piece by piece
/// (11 rules of 8 pieces for each of 2,000 Components on every serve
/// build) it was most of the cards' cost.
fn rule_lists_key(e: &EntityResult) -> crate::memo::Key {
    fn part(bytes: &mut Vec<u8>, text: &[u8]) {
        bytes.extend_from_slice(&(text.len() as u64).to_le_bytes());
        bytes.extend_from_slice(text);
    }
    let mut bytes = Vec::with_capacity(2048);
    bytes.extend_from_slice(&(e.results.len() as u64).to_le_bytes());
    for r in &e.results {
        part(&mut bytes, r.status.label().as_bytes());
        bytes.extend_from_slice(&(r.level_index as u64).to_le_bytes());
        for text in [&r.title, &r.level, &r.rule, &r.evidence.summary, &r.hint] {
            part(&mut bytes, text.as_bytes());
        }
        match &r.evidence.file {
            Some(file) => {
                part(&mut bytes, b"file");
                part(&mut bytes, file.as_bytes());
            }
            None => part(&mut bytes, b""),
        }
        bytes.extend_from_slice(&r.evidence.line.map_or(u64::MAX, |l| l as u64).to_le_bytes());
    }
    let mut key = crate::memo::hasher();
    key.update(&bytes);
    key.digest128()
}

/// The section of an entity's page: its results on each scorecard, failing
/// rules first; for owners, the rollup of what they own.
/// `rules`: each result's rule lists kept by [`rule_lists_key`] between
/// builds of one process (`portico serve`).
pub(super) fn entity_section(
    indexes: &[CardIndex<'_>],
    delivery: &DeliveryIndex<'_>,
    entity: &Entity,
    root: &str,
    rules: Option<&RuleLists>,
) -> String {
    let own = entity.entity_ref.to_string();
    let mut body = String::new();
    for index in indexes {
        let card = index.card;
        if let Some(e) = index.entity(&own) {
            let _ = write!(
                body,
                "<div class=\"scorecard\"><h3><a href=\"{root}{}\">{}</a> {} {}</h3><ul class=\"rules\">",
                escape(&address::scorecard_page(&card.name)),
                escape(&card.title),
                badge(e),
                score(e)
            );
            body.push_str(&entity_trend(
                card,
                e,
                &format!("{} of {}, week by week", card.title, entity.name),
            ));
            match rules {
                Some(rules) => {
                    body.push_str(&rules.get_or_make(rule_lists_key(e), || rule_lists(e).into()))
                }
                None => body.push_str(&rule_lists(e)),
            }
            body.push_str("</div>");
        }
        let owned = index.members("owner", &own);
        if !owned.is_empty() {
            let _ = write!(
                body,
                "<div class=\"scorecard\"><h3>{}: what {} owns</h3>{}<p><a href=\"{root}{}\">Rollup: levels and the rules failing most</a></p></div>",
                escape(&card.title),
                escape(&entity.name),
                distribution(
                    &card.levels,
                    &rollup::distribution(card.levels.len(), owned)
                ),
                escape(&encode_path(&address::scorecard_owner_page(
                    &card.name,
                    &entity.entity_ref
                )))
            );
        }
    }
    body.push_str(&part_rollups(indexes, entity, root));
    match entity.entity_ref.kind.as_str() {
        "component" => body.push_str(&delivery.component_card(&own)),
        "group" | "user" => body.push_str(
            &delivery.owner_card(&own, &format!("Delivery of what {} owns", entity.name)),
        ),
        _ => {}
    }
    if body.is_empty() {
        return body;
    }
    format!(
        "<section aria-labelledby=\"scorecards\"><h2 id=\"scorecards\">Scorecards</h2>{body}</section>"
    )
}

/// On a System's or Domain's page: how what is part of it stands on each
/// scorecard, linked to its rollup.
fn part_rollups(indexes: &[CardIndex<'_>], entity: &Entity, root: &str) -> String {
    let kind = entity.entity_ref.kind.as_str();
    if !matches!(kind, "system" | "domain") {
        return String::new();
    }
    let own = entity.entity_ref.to_string();
    let mut body = String::new();
    for index in indexes {
        let card = index.card;
        let members = index.members(kind, &own);
        if members.is_empty() {
            continue;
        }
        let _ = write!(
            body,
            "<div class=\"scorecard\"><h3>{}: what is part of {}</h3>{}{}<p><a href=\"{root}{}\">Rollup: levels and the rules failing most</a></p></div>",
            escape(&card.title),
            escape(&entity.name),
            distribution(
                &card.levels,
                &rollup::distribution(card.levels.len(), members)
            ),
            group_trend(card, members, &format!("{} of {}", card.title, entity.name)),
            escape(&encode_path(&address::scorecard_part_page(
                &card.name,
                &entity.entity_ref
            )))
        );
    }
    body
}

/// `none 2 · bronze 3 · silver 1 · gold 0`.
fn distribution(levels: &[String], counts: &[usize]) -> String {
    let mut out = String::from("<ul class=\"counts\">");
    let names = std::iter::once("none").chain(levels.iter().map(String::as_str));
    for (i, (name, n)) in names.zip(counts).enumerate() {
        let _ = write!(out, "<li class=\"level-{i}\">{}: {n}</li>", escape(name));
    }
    out.push_str("</ul>");
    out
}

fn index(portal: &Portal, look: &Look) -> String {
    let mut body = String::from("<h1>Scorecards</h1>");
    let _ = write!(
        body,
        "<p class=\"lead\">Judged on {}. Also as <a href=\"../scorecards.json\">scorecards.json</a> and <a href=\"../scorecards.csv\">scorecards.csv</a>.</p>",
        escape(&portal.scorecards.today)
    );
    if portal.scorecards.scorecards.is_empty() {
        body.push_str("<p>No scorecard was evaluated (see the problems page).</p>");
    }
    for card in &portal.scorecards.scorecards {
        let all: Vec<&EntityResult> = card.entities.iter().collect();
        let _ = write!(
            body,
            "<h2><a href=\"{}/index.html\">{}</a></h2><p>{}</p>{}",
            escape(&card.name),
            escape(&card.title),
            escape(&card.description),
            distribution(&card.levels, &rollup::distribution(card.levels.len(), &all))
        );
    }
    layout(portal, look, "Scorecards", address::SCORECARDS, &body)
}

fn card_page(portal: &Portal, look: &Look, index: &CardIndex<'_>) -> String {
    let card = index.card;
    let path = address::scorecard_page(&card.name);
    let root = address::root_from(&path);
    let all: Vec<&EntityResult> = card.entities.iter().collect();
    let mut body = format!(
        "<p class=\"crumbs\"><a href=\"../index.html\">Scorecards</a></p><h1>{}</h1><p class=\"lead\">{}</p><p class=\"where\">From <code>{}</code>, judged on {}; levels, lowest first: {}.</p><h2>Levels</h2>{}",
        escape(&card.title),
        escape(&card.description),
        escape(&card.origin),
        escape(&portal.scorecards.today),
        escape(&card.levels.join(" < ")),
        distribution(&card.levels, &rollup::distribution(card.levels.len(), &all))
    );
    body.push_str(&group_trend(card, &all, &card.title));
    body.push_str("<h2>Rules</h2><table><thead><tr><th>Rule</th><th>Level</th><th>Weight</th><th>Failing</th><th>Hint</th></tr></thead><tbody>");
    let failing = rollup::most_failing(&all);
    for rule in &card.rules {
        let count = failing.iter().find(|f| f.0 == rule.id).map_or(0, |f| f.2);
        let _ = write!(
            body,
            "<tr><td>{} <code>{}</code></td><td>{}</td><td>{}</td><td>{count}</td><td>{}</td></tr>",
            escape(&rule.title),
            escape(&rule.id),
            escape(&rule.level),
            rule.weight,
            hint_html(&rule.hint)
        );
    }
    body.push_str("</tbody></table><h2>Entities, worst first</h2><div class=\"matrix\"><table><thead><tr><th>Entity</th><th>Owner</th><th>Level</th><th>Score</th>");
    for rule in &card.rules {
        let _ = write!(
            body,
            "<th title=\"{}\"><code>{}</code></th>",
            escape(&rule.title),
            escape(&rule.id)
        );
    }
    body.push_str("</tr></thead><tbody>");
    for e in rollup::worst_first(&card.entities) {
        let link = |text: &str| {
            parse_ref(text).map_or_else(|| escape(text), |r| ref_link(portal, &r, &root))
        };
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            link(&e.entity),
            e.owner.as_deref().map(link).unwrap_or_default(),
            badge(e),
            score(e)
        );
        for r in &e.results {
            // The reason is text of the cell, read out with its mark and
            // shown on hover or tap (portico.css): a `title` reached
            // neither screen readers nor touch.
            let _ = write!(
                body,
                "<td class=\"rule {}\">{}<span class=\"reason visually-hidden\"> {}: {}</span></td>",
                r.status.label(),
                mark(r.status),
                r.status.label(),
                escape(&r.evidence.summary),
            );
        }
        body.push_str("</tr>");
    }
    body.push_str("</tbody></table></div><h2>By owner</h2><table><thead><tr><th>Owner</th><th>Entities</th><th>Levels</th><th>Failing most</th></tr></thead><tbody>");
    for r in index.rollups("owner") {
        let owner = match parse_ref(&r.owner) {
            Some(o) => format!(
                "<a href=\"{root}{}\">{}</a>",
                escape(&encode_path(&address::scorecard_owner_page(&card.name, &o))),
                escape(&r.owner)
            ),
            None => "(no owner)".to_string(),
        };
        let top = r
            .failing
            .first()
            .map(|(id, _, n)| format!("<code>{}</code> ({n})", escape(id)))
            .unwrap_or_default();
        let _ = write!(
            body,
            "<tr><td>{owner}</td><td>{}</td><td>{}</td><td>{top}</td></tr>",
            r.entities,
            distribution(&card.levels, &r.per_level)
        );
    }
    body.push_str("</tbody></table>");
    layout(portal, look, &card.title, &path, &body)
}

/// One rollup: the scorecard, the group (owner, System or Domain) and the
/// entities in it.
struct RollupPage<'a> {
    card: &'a CardResult,
    rollup: &'a Rollup,
    group: &'a EntityRef,
    /// `owner`, `system` or `domain`.
    kind: &'a str,
    members: &'a [&'a EntityResult],
    /// Each rule's hint as HTML, by rule id.
    hints: &'a HashMap<&'a str, String>,
    /// The owner's delivery figures (owner rollups only).
    delivery: String,
}

fn rollup_page(portal: &Portal, look: &Look, page: &RollupPage<'_>, path: &str) -> String {
    let (card, r) = (page.card, page.rollup);
    let root = address::root_from(path);
    let role = match page.kind {
        "owner" => "Owner",
        "system" => "System",
        _ => "Domain",
    };
    let mut body = format!(
        "<p class=\"crumbs\"><a href=\"{root}{}\">{}</a></p><h1>{}: {}</h1><p>{role}: {}</p><h2>Levels</h2>{}{}<h2>Rules failing most</h2><ol>",
        escape(&address::scorecard_page(&card.name)),
        escape(&card.title),
        escape(&card.title),
        escape(&page.group.name),
        ref_link(portal, page.group, &root),
        distribution(&card.levels, &r.per_level),
        group_trend(
            card,
            page.members,
            &format!("{} of {}", card.title, page.group.name)
        )
    );
    for (id, title, n) in &r.failing {
        let hint = page.hints.get(id.as_str()).map_or("", String::as_str);
        let _ = write!(
            body,
            "<li><strong>{}</strong> <code>{}</code>: {n} failing<div class=\"hint\">{hint}</div></li>",
            escape(title),
            escape(id)
        );
    }
    body.push_str("</ol><h2>Entities, worst first</h2><table><thead><tr><th>Entity</th><th>Level</th><th>Score</th><th>Failing rules</th></tr></thead><tbody>");
    for e in rollup::worst_first_of(page.members) {
        let failing: Vec<String> = e
            .results
            .iter()
            .filter(|x| x.status == Status::Fail)
            .map(|x| format!("<code>{}</code>", escape(&x.rule)))
            .collect();
        let link =
            parse_ref(&e.entity).map_or_else(|| escape(&e.entity), |x| ref_link(portal, &x, &root));
        let _ = write!(
            body,
            "<tr><td>{link}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            badge(e),
            score(e),
            failing.join(" ")
        );
    }
    body.push_str("</tbody></table>");
    body.push_str(&page.delivery);
    layout(
        portal,
        look,
        &format!("{} · {}", card.title, page.group.name),
        path,
        &body,
    )
}

/// One entity's trend on a scorecard (empty without history).
fn entity_trend(card: &CardResult, e: &EntityResult, label: &str) -> String {
    let points: Vec<TrendPoint<'_>> = e
        .history
        .iter()
        .map(|p| TrendPoint {
            date: &p.date,
            level: p.level.as_deref(),
            level_index: p.level_index,
            score: p.score,
        })
        .collect();
    trend::svg(label, card.levels.len(), &points)
}

/// A group's trend: each week, the lowest level among the entities that
/// existed then and their mean score.
fn group_trend(card: &CardResult, members: &[&EntityResult], label: &str) -> String {
    let weeks: Vec<&str> = card.history.iter().map(|p| p.date.as_str()).collect();
    let mut points = Vec::new();
    for date in weeks {
        let at: Vec<&crate::scorecards::history::Point> = members
            .iter()
            .filter_map(|e| e.history.iter().find(|p| p.date == date))
            .collect();
        if at.is_empty() {
            continue;
        }
        let lowest = at
            .iter()
            .min_by_key(|p| p.level_index.map_or(0, |i| i + 1))
            .and_then(|p| p.level_index);
        let mean = at.iter().map(|p| p.score).sum::<f64>() / at.len() as f64;
        points.push(TrendPoint {
            date,
            level: lowest.map(|i| card.levels[i].as_str()),
            level_index: lowest,
            score: mean,
        });
    }
    if points.is_empty() {
        return String::new();
    }
    format!(
        "<h2>Trend</h2><p>Each week: the lowest level among the entities that existed then (thick line) and their mean score (thin line).</p>{}",
        trend::svg(label, card.levels.len(), &points)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scorecards::Evidence;

    #[test]
    fn a_rules_evidence_shows_backticked_values_as_code_and_escapes_the_rest() {
        let result = RuleResult {
            rule: "owner-exists".into(),
            title: "Owned by a Group".into(),
            level: "bronze".into(),
            level_index: 0,
            weight: 1,
            status: Status::Pass,
            evidence: Evidence {
                summary: "owned by `group:default/<team>`, a Group & more `".into(),
                ..Evidence::default()
            },
            hint: String::new(),
        };
        let mut html = String::new();
        rule_item(&mut html, &result);
        assert!(
            html.contains(
                "<div class=\"evidence\">owned by <code>group:default/&lt;team&gt;</code>, a Group &amp; more `</div>"
            ),
            "{html}"
        );
    }

    fn rule(id: &str, status: Status, level_index: usize) -> RuleResult {
        RuleResult {
            rule: id.into(),
            title: format!("Title of {id}"),
            level: format!("level {level_index}"),
            level_index,
            weight: 1,
            status,
            evidence: Evidence {
                summary: format!("found `{id}`"),
                file: Some("README.md".into()),
                line: Some(3),
                ..Evidence::default()
            },
            hint: format!("add **{id}**"),
        }
    }

    /// Every field the rule lists show changes their key, and a kept list
    /// is the list made again: a result that differs in anything shown is
    /// never given another result's lists.
    #[test]
    fn kept_rule_lists_follow_every_field_they_show() {
        let base = EntityResult {
            entity: "component:default/a".into(),
            owner: None,
            level: Some("level 0".into()),
            level_index: Some(0),
            score: 0.5,
            results: vec![
                rule("one", Status::Fail, 1),
                rule("two", Status::Pass, 0),
                rule("three", Status::Fail, 0),
                rule("four", Status::NotApplicable, 1),
            ],
            history: Vec::new(),
        };
        type Edit = fn(&mut EntityResult);
        let edits: Vec<(&str, Edit)> = vec![
            ("status", |e| e.results[1].status = Status::Fail),
            ("not applicable", |e| {
                e.results[1].status = Status::NotApplicable
            }),
            ("level order", |e| e.results[0].level_index = 0),
            ("title", |e| e.results[2].title.push('!')),
            ("level name", |e| e.results[3].level = "gold".into()),
            ("id", |e| e.results[0].rule = "uno".into()),
            ("summary", |e| e.results[1].evidence.summary.push('.')),
            ("file", |e| {
                e.results[1].evidence.file = Some("READ ME.md".into())
            }),
            ("no file", |e| e.results[1].evidence.file = None),
            ("line", |e| e.results[1].evidence.line = Some(4)),
            ("no line", |e| e.results[1].evidence.line = None),
            ("hint", |e| e.results[0].hint.push('.')),
            ("a rule more", |e| {
                e.results.push(rule("five", Status::Pass, 0))
            }),
            ("a rule less", |e| {
                e.results.pop();
            }),
            ("order", |e| e.results.swap(0, 2)),
        ];
        let kept = RuleLists::default();
        let lists = |e: &EntityResult| -> String {
            kept.get_or_make(rule_lists_key(e), || rule_lists(e).into())
                .to_string()
        };
        kept.start();
        assert_eq!(lists(&base), rule_lists(&base));
        for (name, edit) in edits {
            let mut edited = base.clone();
            edit(&mut edited);
            kept.start();
            assert_ne!(rule_lists_key(&edited), rule_lists_key(&base), "{name}");
            assert_eq!(lists(&edited), rule_lists(&edited), "{name}");
            assert_eq!(lists(&base), rule_lists(&base), "{name}: back");
            kept.finish();
        }
        // What the lists do not show (weights, the overall level) leaves
        // the key alone; the card around them shows those.
        let mut weighed = base.clone();
        weighed.results[0].weight = 5;
        weighed.score = 0.9;
        assert_eq!(rule_lists_key(&weighed), rule_lists_key(&base));
        assert_eq!(rule_lists(&weighed), rule_lists(&base));
    }
}
