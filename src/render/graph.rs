//! Relations graphs, drawn at build time as inline SVG: no client script,
//! readable from `file://`, styled by the page's CSS (light and dark).
//!
//! The entity sits in the middle; what it belongs to or relies on
//! (owner, system, parent, dependencies, consumed APIs) on the left; what
//! belongs to or relies on it (owned entities, parts, dependants, provided
//! APIs) on the right. Every node links to its entity's page.

use crate::html::escape;
use std::borrow::Cow;
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

/// Most boxes drawn in one column; the rest are counted in a last box.
pub const MAX_PER_SIDE: usize = 12;
const WIDTH: usize = 860;
const BOX_W: usize = 200;
const BOX_H: usize = 40;
const GAP: usize = 12;
const LABEL_CHARS: usize = 26;
/// Between columns of the relations graph: the curve, then a straight run
/// into the target that carries the label above it, off the curve.
const COL_GAP: usize = 170;
const STRAIGHT: usize = 96;

/// One relation of the centre: its target, and (for two hops) the
/// target's own relations on the same side.
#[derive(Clone, Debug)]
pub struct Related<'a> {
    pub relation: &'a str,
    /// Borrowed when made once per site for every page that draws it.
    pub node: Cow<'a, Node>,
    pub further: Vec<(&'a str, Cow<'a, Node>)>,
    /// The target's relations on its side beyond those in `further`, not
    /// made into boxes (a Group owning thousands): counted in the column's
    /// "+N more" box.
    pub further_unbuilt: usize,
}

/// Whether a drawing two hops out has more than one hop out: some target
/// has a relation of its own on its side of the centre.
pub fn has_second_hop(related: &[Related<'_>]) -> bool {
    related.iter().any(|r| {
        let side = side_of(r.relation);
        r.further_unbuilt > 0
            || r.further
                .iter()
                .any(|(relation, _)| side_of(relation) == side)
    })
}

/// A box placed in the drawing: its column (0 is the centre, -1 and -2 to
/// the left, 1 and 2 to the right), and the box it hangs from.
struct Placed<'n> {
    column: i32,
    node: &'n Node,
    /// `(index of the box nearer the centre, relation)`.
    from: Option<(usize, &'n str)>,
}

/// The graph of `center` and its relations, `depth` hops out (1 or 2; at
/// 2, each target's relations on its own side are drawn beyond it).
/// `id` makes the arrowhead's id unique in the page; `more_href` is where
/// a "+N more" box links to.
pub fn relations_svg(
    center: &Node,
    related: &[Related<'_>],
    depth: u8,
    id: &str,
    more_href: &str,
) -> String {
    let more = |n: usize| Node {
        label: format!("+{n} more"),
        kind: String::new(),
        href: Some(more_href.to_string()),
    };
    let mut extras: Vec<(i32, Node)> = Vec::new();
    let mut placed: Vec<Placed<'_>> = vec![Placed {
        column: 0,
        node: center,
        from: None,
    }];
    let mut seen: std::collections::HashSet<(&str, Option<&str>)> =
        std::collections::HashSet::from([(center.label.as_str(), center.href.as_deref())]);
    for side in [Side::Left, Side::Right] {
        let sign = if side == Side::Left { -1 } else { 1 };
        let near: Vec<&Related<'_>> = related
            .iter()
            .filter(|r| side_of(r.relation) == side)
            .collect();
        let shown = near.len().min(MAX_PER_SIDE);
        let mut near_index = Vec::new();
        for r in &near[..shown] {
            seen.insert((r.node.label.as_str(), r.node.href.as_deref()));
            near_index.push(placed.len());
            placed.push(Placed {
                column: sign,
                node: &r.node,
                from: Some((0, r.relation)),
            });
        }
        if near.len() > shown {
            extras.push((sign, more(near.len() - shown)));
        }
        if depth < 2 {
            continue;
        }
        let mut far = 0;
        let mut far_hidden = 0;
        for (r, &at) in near[..shown].iter().zip(&near_index) {
            far_hidden += r.further_unbuilt;
            for (relation, node) in &r.further {
                if side_of(relation) != side
                    || !seen.insert((node.label.as_str(), node.href.as_deref()))
                {
                    continue;
                }
                if far == MAX_PER_SIDE {
                    far_hidden += 1;
                    continue;
                }
                far += 1;
                placed.push(Placed {
                    column: 2 * sign,
                    node,
                    from: Some((at, relation)),
                });
            }
        }
        if far_hidden > 0 {
            extras.push((2 * sign, more(far_hidden)));
        }
    }
    // "+N more" boxes go at the foot of their column.
    for (column, node) in &extras {
        placed.push(Placed {
            column: *column,
            node,
            from: None,
        });
    }
    draw(&placed, center, id)
}

/// Draws placed boxes in their columns: only the columns that have boxes,
/// each centred on the middle.
fn draw(placed: &[Placed<'_>], center: &Node, id: &str) -> String {
    let mut columns: Vec<i32> = placed.iter().map(|p| p.column).collect();
    columns.sort_unstable();
    columns.dedup();
    let count_in = |column: i32| placed.iter().filter(|p| p.column == column).count();
    let rows = columns.iter().map(|&c| count_in(c)).max().unwrap_or(1);
    let width = columns.len() * BOX_W + (columns.len() - 1) * COL_GAP + 2 * GAP;
    let height = rows * (BOX_H + GAP) + GAP;
    let mut at = vec![(0, 0); placed.len()];
    for (i_column, &column) in columns.iter().enumerate() {
        let x = GAP + i_column * (BOX_W + COL_GAP);
        let members: Vec<usize> = (0..placed.len())
            .filter(|&i| placed[i].column == column)
            .collect();
        let top = (height - (members.len() * (BOX_H + GAP) - GAP)) / 2;
        for (row, i) in members.into_iter().enumerate() {
            at[i] = (x, top + row * (BOX_H + GAP));
        }
    }
    let mut svg = String::with_capacity(4096);
    let _ = write!(
        svg,
        "<svg class=\"graph\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" \
         role=\"group\" aria-label=\"Relations of {}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(&center.label)
    );
    arrow_marker(&mut svg, id);
    for (i, p) in placed.iter().enumerate() {
        if let Some((from, relation)) = p.from {
            edge(&mut svg, at[from], at[i], p.column > 0, relation, id);
        }
    }
    for (i, p) in placed.iter().enumerate() {
        node_box(
            &mut svg,
            at[i].0,
            at[i].1,
            p.node,
            i == 0,
            p.column.abs() == 2,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The arrowhead every edge of one drawing ends with.
fn arrow_marker(svg: &mut String, id: &str) {
    let _ = write!(
        svg,
        "<defs><marker id=\"arrow-{id}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" \
         markerHeight=\"7\" orient=\"auto-start-reverse\"><path class=\"arrowhead\" d=\"M0 1L10 5L0 9z\"/></marker></defs>"
    );
}

/// A curve from the box `a` (nearer the centre) to the box `b`, arriving
/// along a straight run that carries the relation's name above it.
fn edge(
    svg: &mut String,
    a: (usize, usize),
    b: (usize, usize),
    rightwards: bool,
    relation: &str,
    id: &str,
) {
    let (from_x, to_x, straight_x) = if rightwards {
        (a.0 + BOX_W, b.0, b.0 - STRAIGHT)
    } else {
        (a.0, b.0 + BOX_W, b.0 + BOX_W + STRAIGHT)
    };
    let (from_y, to_y) = (a.1 + BOX_H / 2, b.1 + BOX_H / 2);
    let mid_x = (from_x + straight_x) / 2;
    let _ = write!(
        svg,
        "<path d=\"M{from_x} {from_y} C{mid_x} {from_y} {mid_x} {to_y} {straight_x} {to_y} H{to_x}\" \
         marker-end=\"url(#arrow-{id})\"/>"
    );
    let _ = write!(
        svg,
        "<text class=\"rel\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        (straight_x + to_x) / 2,
        to_y - 6,
        escape(relation)
    );
}

fn node_box(svg: &mut String, x: usize, y: usize, node: &Node, center: bool, far: bool) {
    let class = match (center, &node.href, far) {
        (true, _, _) => "node center",
        (false, Some(_), false) => "node",
        (false, Some(_), true) => "node far",
        (false, None, false) => "node missing",
        (false, None, true) => "node missing far",
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
    // Only the columns that have parts, spread over the width.
    let present: Vec<usize> = (0..3).filter(|&c| !columns[c].is_empty()).collect();
    let spots: &[usize] = match present.len() {
        1 => &[(WIDTH - BOX_W) / 2],
        2 => &[GAP + 30, WIDTH - BOX_W - GAP],
        _ => &[GAP + 30, (WIDTH - BOX_W) / 2, WIDTH - BOX_W - GAP],
    };
    let mut xs = [0; 3];
    for (spot, &column) in present.iter().enumerate() {
        xs[column] = spots[spot];
    }
    // Where each drawn box is.
    let mut place: Vec<Option<(usize, usize)>> = vec![None; boxes.len()];
    for (column, list) in columns.iter().enumerate() {
        for (row, i) in list.iter().take(MAX_PER_COLUMN).enumerate() {
            place[*i] = Some((xs[column], 24 + GAP + row * (BOX_H + GAP)));
        }
    }
    let mut svg = format!(
        "<svg class=\"graph system\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" \
         role=\"group\" aria-label=\"Parts of {}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(title)
    );
    arrow_marker(&mut svg, "system");
    for (column, label) in ["Components", "APIs", "Resources"].iter().enumerate() {
        if columns[column].is_empty() {
            continue;
        }
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
            "<path class=\"{class}\" d=\"{d}\" marker-end=\"url(#arrow-system)\"><title>{}</title></path>",
            escape(&format!(
                "{} {} {}",
                boxes[link.from].0.label, link.relation, boxes[link.to].0.label
            ))
        );
    }
    for (i, (node, _)) in boxes.iter().enumerate() {
        if let Some(Some((x, y))) = place.get(i) {
            node_box(&mut svg, *x, *y, node, false, false);
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

    fn one(relation: &'static str, n: Node) -> Related<'static> {
        Related {
            relation,
            node: Cow::Owned(n),
            further: Vec::new(),
            further_unbuilt: 0,
        }
    }

    #[test]
    fn nodes_link_to_their_pages_and_text_is_escaped() {
        let svg = relations_svg(
            &node("<script>alert(1)</script>", None),
            &[
                one("ownedBy", node("team", Some("../team/index.html"))),
                one("dependsOn", node("gone", None)),
            ],
            1,
            "g",
            "#relations",
        );
        assert!(svg.contains("href=\"../team/index.html\""));
        assert!(svg.contains("class=\"node missing\""));
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains(">ownedBy</text>"));
    }

    #[test]
    fn every_edge_has_an_arrowhead_and_its_label_sits_on_its_straight_end() {
        let svg = relations_svg(
            &node("centre", None),
            &[
                one("ownedBy", node("team", Some("t/index.html"))),
                one("consumesApi", node("api", Some("a/index.html"))),
                one("providesApi", node("other", Some("o/index.html"))),
            ],
            1,
            "g",
            "#relations",
        );
        assert_eq!(svg.matches("<marker id=\"arrow-g\"").count(), 1);
        let paths: Vec<&str> = svg.split("<path d=\"").skip(1).collect();
        assert_eq!(paths.len(), 3);
        let labels: Vec<&str> = svg.split("<text class=\"rel\" ").skip(1).collect();
        for (path, label) in paths.iter().zip(&labels) {
            assert!(path.contains("marker-end=\"url(#arrow-g)\""));
            // `… C… {x} {y} H{end}`: the run from x to end at height y.
            let d = &path[..path.find('"').unwrap()];
            let (curve, end) = d.rsplit_once(" H").unwrap();
            let mut tail = curve.rsplit(' ');
            let y: usize = tail.next().unwrap().parse().unwrap();
            let x: usize = tail.next().unwrap().parse().unwrap();
            let end: usize = end.parse().unwrap();
            let field = |name: &str| -> usize {
                let at = label.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                label[at..at + label[at..].find('"').unwrap()]
                    .parse()
                    .unwrap()
            };
            assert_eq!(field("x"), (x + end) / 2, "centred on the straight run");
            assert!(field("y") < y, "above the line, not through it");
            assert!(x.abs_diff(end) >= STRAIGHT);
        }
    }

    #[test]
    fn two_hops_draw_each_sides_further_relations_beyond_it() {
        let owner = Related {
            relation: "ownedBy",
            node: Cow::Owned(node("team", Some("t/index.html"))),
            further: vec![
                (
                    "childOf",
                    Cow::Owned(node("department", Some("d/index.html"))),
                ),
                // Further relations on the other side are not drawn.
                (
                    "parentOf",
                    Cow::Owned(node("sub-team", Some("s/index.html"))),
                ),
            ],
            further_unbuilt: 0,
        };
        let related = [owner, one("providesApi", node("api", Some("a/index.html")))];
        let near = relations_svg(&node("c", None), &related, 1, "a", "#r");
        let far = relations_svg(&node("c", None), &related, 2, "b", "#r");
        assert!(has_second_hop(&related));
        assert!(!has_second_hop(&related[1..]));
        assert!(!near.contains("department"));
        assert!(far.contains("<a class=\"node far\" href=\"d/index.html\""));
        assert!(!far.contains("sub-team"));
        assert!(far.contains(">childOf</text>"));
        // Four columns with boxes (department, team, centre, api): no empty
        // column on the right.
        let width = |svg: &str| -> usize {
            let at = svg.find("width=\"").unwrap() + 7;
            svg[at..at + svg[at..].find('"').unwrap()].parse().unwrap()
        };
        assert_eq!(width(&far), 4 * BOX_W + 3 * COL_GAP + 2 * GAP);
        assert_eq!(width(&near), 3 * BOX_W + 2 * COL_GAP + 2 * GAP);
    }

    #[test]
    fn a_crowded_side_ends_with_a_count() {
        let related: Vec<Related<'_>> = (0..20)
            .map(|i| one("ownerOf", node(&format!("c{i}"), Some("x/index.html"))))
            .collect();
        let svg = relations_svg(&node("team", None), &related, 1, "g", "#relations");
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
        assert_eq!(svg.matches("marker-end=\"url(#arrow-system)\"").count(), 4);
    }

    #[test]
    fn system_diagrams_leave_out_columns_without_parts() {
        let boxes = vec![
            (node("web", Some("web/index.html")), 0),
            (node("db", Some("db/index.html")), 2),
        ];
        let svg = system_svg("s", &boxes, &[]);
        assert!(svg.contains(">Components</text>"));
        assert!(svg.contains(">Resources</text>"));
        assert!(!svg.contains(">APIs</text>"));
        // Two columns at the two sides, none in the middle.
        assert!(!svg.contains(&format!("x=\"{}\"", (WIDTH - BOX_W) / 2)));
    }

    #[test]
    fn long_labels_are_shortened_with_the_full_text_as_tooltip() {
        let long = "a-very-long-component-name-that-goes-on-and-on";
        let svg = relations_svg(&node(long, None), &[], 1, "g", "#relations");
        assert!(svg.contains(&format!("<title>{long} (component)</title>")));
        assert!(svg.contains("a-very-long-component-name…") || svg.contains('…'));
    }
}
