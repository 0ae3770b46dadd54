//! Relations graphs, drawn at build time as inline SVG: no client script,
//! readable from `file://`, styled by the page's CSS (light and dark).
//!
//! The entity sits in the middle; what it belongs to or relies on
//! (owner, system, parent, dependencies, consumed APIs) on the left; what
//! belongs to or relies on it (owned entities, parts, dependants, provided
//! APIs) on the right. Every node links to its entity's page.

use crate::html::escape;
use std::fmt::Write as _;

/// One box of the graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Shown in the box (shortened when long; the full text is its tooltip).
    pub label: String,
    /// The kind, shown small above the label.
    pub kind: String,
    /// Relative link to the entity's page; `None` for a target missing
    /// from the catalog (drawn dashed).
    pub href: Option<String>,
}

/// Which side of the centre a relation's target goes.
pub fn side_of(relation: &str) -> Side {
    match relation {
        "ownedBy" | "partOf" | "childOf" | "memberOf" | "dependsOn" | "consumesApi" => Side::Left,
        _ => Side::Right,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Left,
    Right,
}

/// Most boxes drawn on one side; the rest are counted in a last box.
const MAX_PER_SIDE: usize = 12;
const WIDTH: usize = 860;
const BOX_W: usize = 200;
const BOX_H: usize = 40;
const GAP: usize = 12;
const LABEL_CHARS: usize = 26;

/// The graph of `center` and its relations (`(relation, target)`, in the
/// order to draw them). `more_href` is where a "+N more" box links to.
pub fn relations_svg(center: &Node, related: &[(&str, Node)], more_href: &str) -> String {
    let mut sides: [Vec<(&str, &Node)>; 2] = [Vec::new(), Vec::new()];
    for (relation, node) in related {
        let slot = usize::from(side_of(relation) == Side::Right);
        sides[slot].push((relation, node));
    }
    let rows = sides
        .iter()
        .map(|s| s.len().min(MAX_PER_SIDE + 1))
        .max()
        .unwrap_or(0)
        .max(1);
    let height = rows * (BOX_H + GAP) + GAP + 16;
    let mut svg = String::with_capacity(4096);
    let _ = write!(
        svg,
        "<svg class=\"graph\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" \
         role=\"img\" aria-label=\"Relations of {}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(&center.label)
    );
    let center_x = (WIDTH - BOX_W) / 2;
    let center_y = (height - BOX_H) / 2;
    let columns = [GAP, WIDTH - BOX_W - GAP];
    for (slot, side) in sides.iter().enumerate() {
        let shown = side.len().min(MAX_PER_SIDE);
        let extra = side.len() - shown;
        let count = shown + usize::from(extra > 0);
        if count == 0 {
            continue;
        }
        // Centre the column on the middle box.
        let top = (height - (count * (BOX_H + GAP) - GAP)) / 2;
        for (i, (relation, node)) in side.iter().take(shown).enumerate() {
            let y = top + i * (BOX_H + GAP);
            edge(
                &mut svg,
                slot,
                columns[slot],
                y,
                center_x,
                center_y,
                relation,
            );
            node_box(&mut svg, columns[slot], y, node, false);
        }
        if extra > 0 {
            let y = top + shown * (BOX_H + GAP);
            let more = Node {
                label: format!("+{extra} more"),
                kind: String::new(),
                href: Some(more_href.to_string()),
            };
            node_box(&mut svg, columns[slot], y, &more, false);
        }
    }
    node_box(&mut svg, center_x, center_y, center, true);
    svg.push_str("</svg>");
    svg
}

/// A curve from a side box to the centre box, labelled with the relation.
fn edge(svg: &mut String, slot: usize, x: usize, y: usize, cx: usize, cy: usize, relation: &str) {
    let (from_x, to_x) = if slot == 0 {
        (x + BOX_W, cx)
    } else {
        (x, cx + BOX_W)
    };
    let (from_y, to_y) = (y + BOX_H / 2, cy + BOX_H / 2);
    let mid_x = (from_x + to_x) / 2;
    let _ = write!(
        svg,
        "<path d=\"M{from_x} {from_y} C{mid_x} {from_y} {mid_x} {to_y} {to_x} {to_y}\"/>"
    );
    // The label sits just outside the side box, on its edge's start.
    let (label_x, anchor) = if slot == 0 {
        (from_x + 4, "start")
    } else {
        (from_x - 4, "end")
    };
    let _ = write!(
        svg,
        "<text class=\"rel\" x=\"{label_x}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
        from_y - 4,
        escape(relation)
    );
}

fn node_box(svg: &mut String, x: usize, y: usize, node: &Node, center: bool) {
    let class = match (center, &node.href) {
        (true, _) => "node center",
        (false, Some(_)) => "node",
        (false, None) => "node missing",
    };
    let short = shorten(&node.label);
    let mut inner = format!(
        "<title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"6\"/>",
        escape(&if node.kind.is_empty() {
            node.label.clone()
        } else {
            format!("{} ({})", node.label, node.kind)
        })
    );
    if node.kind.is_empty() {
        let _ = write!(
            inner,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x + BOX_W / 2,
            y + BOX_H / 2 + 5,
            escape(&short)
        );
    } else {
        let _ = write!(
            inner,
            "<text class=\"kind\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x + BOX_W / 2,
            y + 15,
            escape(&node.kind),
            x + BOX_W / 2,
            y + 32,
            escape(&short)
        );
    }
    match (&node.href, center) {
        // Links in the graph repeat the relations list below it, so they
        // are left out of the tab order.
        (Some(href), false) => {
            let _ = write!(
                svg,
                "<a class=\"{class}\" href=\"{}\" tabindex=\"-1\">{inner}</a>",
                escape(href)
            );
        }
        _ => {
            let _ = write!(svg, "<g class=\"{class}\">{inner}</g>");
        }
    }
}

/// At most [`LABEL_CHARS`] characters, an ellipsis marking a cut.
fn shorten(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_string();
    }
    let mut short: String = label.chars().take(LABEL_CHARS - 1).collect();
    short.push('…');
    short
}

/// One arrow of a system diagram: `from` → `to` (indexes into the boxes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    pub from: usize,
    pub to: usize,
    /// `providesApi`, `consumesApi` or `dependsOn`: drawn solid, dashed, dotted.
    pub relation: &'static str,
}

/// Most boxes in one column of a system diagram.
const MAX_PER_COLUMN: usize = 20;

/// A system's parts in three columns (components, APIs, resources: the
/// `column` of each box) with arrows for who provides, consumes or depends
/// on what. Links to boxes past a column's limit are left out.
pub fn system_svg(title: &str, boxes: &[(Node, usize)], links: &[Link]) -> String {
    let mut columns: [Vec<usize>; 3] = Default::default();
    for (i, (_, column)) in boxes.iter().enumerate() {
        if let Some(list) = columns.get_mut(*column) {
            list.push(i);
        }
    }
    let rows = columns
        .iter()
        .map(|c| c.len().min(MAX_PER_COLUMN))
        .max()
        .unwrap_or(0)
        .max(1);
    let height = rows * (BOX_H + GAP) + GAP + 24;
    let xs = [GAP + 30, (WIDTH - BOX_W) / 2, WIDTH - BOX_W - GAP];
    // Where each drawn box is.
    let mut place: Vec<Option<(usize, usize)>> = vec![None; boxes.len()];
    for (column, list) in columns.iter().enumerate() {
        for (row, i) in list.iter().take(MAX_PER_COLUMN).enumerate() {
            place[*i] = Some((xs[column], 24 + GAP + row * (BOX_H + GAP)));
        }
    }
    let mut svg = format!(
        "<svg class=\"graph system\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" \
         role=\"img\" aria-label=\"Parts of {}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(title)
    );
    for (column, label) in ["Components", "APIs", "Resources"].iter().enumerate() {
        let extra = columns[column].len().saturating_sub(MAX_PER_COLUMN);
        let _ = write!(
            svg,
            "<text class=\"rel\" x=\"{}\" y=\"16\" text-anchor=\"middle\">{label}{}</text>",
            xs[column] + BOX_W / 2,
            if extra > 0 {
                format!(" (+{extra} not shown)")
            } else {
                String::new()
            }
        );
    }
    for link in links {
        let (Some(Some(a)), Some(Some(b))) = (place.get(link.from), place.get(link.to)) else {
            continue;
        };
        let (ay, by) = (a.1 + BOX_H / 2, b.1 + BOX_H / 2);
        let d = if a.0 == b.0 {
            // Same column: an arc out to the left.
            let bend = a.0.saturating_sub(28);
            format!("M{} {ay} C{bend} {ay} {bend} {by} {} {by}", a.0, b.0)
        } else {
            let (from_x, to_x) = if a.0 < b.0 {
                (a.0 + BOX_W, b.0)
            } else {
                (a.0, b.0 + BOX_W)
            };
            let mid = (from_x + to_x) / 2;
            format!("M{from_x} {ay} C{mid} {ay} {mid} {by} {to_x} {by}")
        };
        let class = match link.relation {
            "providesApi" => "provides",
            "consumesApi" => "consumes",
            _ => "depends",
        };
        let _ = write!(
            svg,
            "<path class=\"{class}\" d=\"{d}\"><title>{}</title></path>",
            escape(&format!(
                "{} {} {}",
                boxes[link.from].0.label, link.relation, boxes[link.to].0.label
            ))
        );
    }
    for (i, (node, _)) in boxes.iter().enumerate() {
        if let Some(Some((x, y))) = place.get(i) {
            node_box(&mut svg, *x, *y, node, false);
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(label: &str, href: Option<&str>) -> Node {
        Node {
            label: label.into(),
            kind: "component".into(),
            href: href.map(str::to_string),
        }
    }

    #[test]
    fn owners_go_left_and_owned_things_right() {
        assert_eq!(side_of("ownedBy"), Side::Left);
        assert_eq!(side_of("dependsOn"), Side::Left);
        assert_eq!(side_of("ownerOf"), Side::Right);
        assert_eq!(side_of("providesApi"), Side::Right);
    }

    #[test]
    fn nodes_link_to_their_pages_and_text_is_escaped() {
        let svg = relations_svg(
            &node("<script>alert(1)</script>", None),
            &[
                ("ownedBy", node("team", Some("../team/index.html"))),
                ("dependsOn", node("gone", None)),
            ],
            "#relations",
        );
        assert!(svg.contains("href=\"../team/index.html\""));
        assert!(svg.contains("class=\"node missing\""));
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains(">ownedBy</text>"));
    }

    #[test]
    fn a_crowded_side_ends_with_a_count() {
        let related: Vec<(&str, Node)> = (0..20)
            .map(|i| ("ownerOf", node(&format!("c{i}"), Some("x/index.html"))))
            .collect();
        let svg = relations_svg(&node("team", None), &related, "#relations");
        assert!(svg.contains(">+8 more</text>"));
        assert_eq!(svg.matches("<a class=\"node\"").count(), 13);
    }

    #[test]
    fn system_diagrams_put_parts_in_columns_with_styled_arrows() {
        let boxes = vec![
            (node("web", Some("web/index.html")), 0),
            (node("orders-api", Some("api/index.html")), 1),
            (node("orders-db", Some("db/index.html")), 2),
            (node("worker", Some("worker/index.html")), 0),
        ];
        let links = [
            Link {
                from: 0,
                to: 1,
                relation: "providesApi",
            },
            Link {
                from: 3,
                to: 1,
                relation: "consumesApi",
            },
            Link {
                from: 0,
                to: 2,
                relation: "dependsOn",
            },
            Link {
                from: 3,
                to: 0,
                relation: "dependsOn",
            },
        ];
        let svg = system_svg("Orders <system>", &boxes, &links);
        assert!(svg.contains("aria-label=\"Parts of Orders &lt;system&gt;\""));
        assert_eq!(svg.matches("<path class=\"provides\"").count(), 1);
        assert_eq!(svg.matches("<path class=\"consumes\"").count(), 1);
        assert_eq!(svg.matches("<path class=\"depends\"").count(), 2);
        assert!(svg.contains("<title>web providesApi orders-api</title>"));
        assert_eq!(svg.matches("<a class=\"node\"").count(), 4);
    }

    #[test]
    fn long_labels_are_shortened_with_the_full_text_as_tooltip() {
        let long = "a-very-long-component-name-that-goes-on-and-on";
        let svg = relations_svg(&node(long, None), &[], "#relations");
        assert!(svg.contains(&format!("<title>{long} (component)</title>")));
        assert!(svg.contains("a-very-long-component-name…") || svg.contains('…'));
    }
}
