//! Scorecard trends as inline SVG: no script, a `<title>` and `<desc>` for
//! screen readers, and the same figures as a table in a `<details>` for
//! anyone who cannot see the drawing.

use crate::html::escape;
use std::fmt::Write as _;

/// One week: its day, the level reached (name, index) and the score.
pub struct TrendPoint<'a> {
    pub date: &'a str,
    pub level: Option<&'a str>,
    pub level_index: Option<usize>,
    /// 0.0 to 1.0.
    pub score: f64,
}

const WIDTH: f64 = 240.0;
const HEIGHT: f64 = 48.0;
const PAD: f64 = 4.0;

/// A line of the score (0 to 100 %) and steps of the level, week by week.
/// `levels`: how many levels the scorecard has. Empty without points.
pub fn svg(label: &str, levels: usize, points: &[TrendPoint<'_>]) -> String {
    if points.is_empty() {
        return String::new();
    }
    let n = points.len();
    let x = |i: usize| {
        if n == 1 {
            WIDTH / 2.0
        } else {
            PAD + (WIDTH - 2.0 * PAD) * i as f64 / (n - 1) as f64
        }
    };
    let y = |share: f64| PAD + (HEIGHT - 2.0 * PAD) * (1.0 - share.clamp(0.0, 1.0));
    let level_share = |p: &TrendPoint<'_>| {
        p.level_index
            .map_or(0.0, |i| (i + 1) as f64 / levels.max(1) as f64)
    };
    let mut score_line = String::new();
    let mut level_line = String::new();
    for (i, p) in points.iter().enumerate() {
        let _ = write!(score_line, "{:.1},{:.1} ", x(i), y(p.score));
        let _ = write!(level_line, "{:.1},{:.1} ", x(i), y(level_share(p)));
    }
    let (first, last) = (&points[0], &points[n - 1]);
    let describe = |p: &TrendPoint<'_>| {
        format!(
            "{} on {} ({:.0}%)",
            p.level.unwrap_or("none"),
            p.date,
            p.score * 100.0
        )
    };
    let desc = format!(
        "{n} weekly points from {} to {}; level and score went from {} to {}.",
        first.date,
        last.date,
        describe(first),
        describe(last)
    );
    let mut out = format!(
        "<figure class=\"trend\"><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\"><title>{}</title><desc>{}</desc>",
        escape(label),
        escape(&desc)
    );
    let _ = write!(
        out,
        "<polyline class=\"trend-level\" fill=\"none\" stroke=\"currentColor\" stroke-opacity=\"0.35\" stroke-width=\"6\" points=\"{}\"/><polyline class=\"trend-score\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" points=\"{}\"/></svg>",
        level_line.trim_end(),
        score_line.trim_end()
    );
    let _ = write!(
        out,
        "<figcaption>{}</figcaption><details><summary>Trend as a table</summary><table><thead><tr><th>Week of</th><th>Level</th><th>Score</th></tr></thead><tbody>",
        escape(&desc)
    );
    for p in points {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{:.0}%</td></tr>",
            escape(p.date),
            escape(p.level.unwrap_or("none")),
            p.score * 100.0
        );
    }
    out.push_str("</tbody></table></details></figure>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trend_has_a_title_a_description_and_a_table() {
        let points = [
            TrendPoint {
                date: "2026-01-01",
                level: None,
                level_index: None,
                score: 0.25,
            },
            TrendPoint {
                date: "2026-01-08",
                level: Some("gold <b>"),
                level_index: Some(1),
                score: 1.0,
            },
        ];
        let svg = svg("a & b", 2, &points);
        assert!(svg.contains("<title>a &amp; b</title>"));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("none on 2026-01-01 (25%)"));
        assert!(svg.contains("<td>gold &lt;b&gt;</td><td>100%</td>"));
        assert!(!svg.contains("<script"));
        assert_eq!(super::svg("x", 2, &[]), "");
    }
}
