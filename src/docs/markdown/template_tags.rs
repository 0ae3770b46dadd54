//! `{{ … }}` tags that plugins replace in a page's Markdown before it is
//! converted: `git-revision-date-localized`'s `{{ git_revision_date_localized }}`,
//! `{{ git_site_revision_date_localized }}` and (with `enable_creation_date`)
//! `{{ git_creation_date_localized }}`, as the plugin replaces them (any
//! spacing inside the braces, any case).
//!
//! The plugin writes the date inside a `<span>`; Portico writes the date as
//! text, so the tag can never be a way to put markup into a page. Dates are
//! in English and UTC.

/// A page's git dates (seconds since the epoch), when the repository has them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PageDates {
    /// The last commit that changed the page.
    pub revision: Option<i64>,
    /// The commit that added the page.
    pub creation: Option<i64>,
    /// The last commit that changed any page of the site.
    pub site_revision: Option<i64>,
}

/// How the plugin is set up in mkdocs.yml.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DateSettings {
    /// The plugin is listed under `plugins` (without it the tags are text).
    pub enabled: bool,
    /// `type`: `date` (the default), `datetime`, `iso_date`, `iso_datetime`,
    /// `timeago` (shown as `iso_date`, as without JavaScript) or `custom`.
    pub kind: String,
    /// `custom_format`, a strftime pattern (default `%d. %B %Y`).
    pub custom_format: String,
    /// `enable_creation_date`: without it the creation tag stays text.
    pub creation: bool,
}

/// Which of a page's dates a tag takes.
type DateOf = fn(&PageDates) -> Option<i64>;

/// The tags and which date each takes.
const TAGS: [(&str, DateOf); 3] = [
    ("git_revision_date_localized", |d| d.revision),
    ("git_site_revision_date_localized", |d| d.site_revision),
    ("git_creation_date_localized", |d| d.creation),
];

/// Whether `text` has a tag Portico replaces (the caller then hashes the
/// dates into the page's memo key).
pub fn uses_dates(text: &str, settings: &DateSettings) -> bool {
    settings.enabled
        && text.contains("{{")
        && tags(text).any(|(_, _, name)| is_replaced(name, settings))
}

/// Whether Portico replaces the tag `{{ name }}` under `settings`.
pub fn is_replaced(name: &str, settings: &DateSettings) -> bool {
    settings.enabled
        && TAGS.iter().any(|(tag, _)| tag.eq_ignore_ascii_case(name))
        && (settings.creation || !name.eq_ignore_ascii_case("git_creation_date_localized"))
}

/// Every `{{ name }}` in `text`: (start, end, name trimmed).
pub fn tags(text: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(found) = text[from..].find("{{") {
            let start = from + found;
            let inner_start = start + 2;
            let Some(close) = text[inner_start..].find("}}") else {
                from = text.len();
                return None;
            };
            let inner = &text[inner_start..inner_start + close];
            from = inner_start;
            if inner.contains('\n') || inner.contains("{{") {
                continue;
            }
            let end = inner_start + close + 2;
            from = end;
            return Some((start, end, inner.trim()));
        }
        None
    })
}

/// `text` with the plugin's tags replaced by the page's dates (a tag whose
/// date is unknown, as in a plain folder or an uncommitted file, becomes
/// empty, not today's date: builds do not depend on the day).
pub fn replace_dates<'t>(
    text: &'t str,
    dates: &PageDates,
    settings: &DateSettings,
) -> std::borrow::Cow<'t, str> {
    if !uses_dates(text, settings) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, end, name) in tags(text) {
        let Some((_, date)) = TAGS
            .iter()
            .find(|(tag, _)| tag.eq_ignore_ascii_case(name))
            .filter(|_| is_replaced(name, settings))
        else {
            continue;
        };
        out.push_str(&text[last..start]);
        if let Some(seconds) = date(dates) {
            out.push_str(&format_date(seconds, settings));
        }
        last = end;
    }
    out.push_str(&text[last..]);
    std::borrow::Cow::Owned(out)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// A moment in UTC, split into its parts.
struct Moment {
    year: i64,
    month: usize,
    day: i64,
    weekday: usize,
    day_of_year: i64,
    hour: i64,
    minute: i64,
    second: i64,
}

fn moment(seconds: i64) -> Moment {
    let days = seconds.div_euclid(86_400);
    let in_day = seconds.rem_euclid(86_400);
    let iso = crate::read::history::date(seconds);
    let mut parts = iso.split('-').map(|p| p.parse::<i64>().unwrap_or(1));
    let (year, month, day) = (
        parts.next().unwrap_or(1970),
        parts.next().unwrap_or(1),
        parts.next().unwrap_or(1),
    );
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let before: [i64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let month_index = usize::try_from(month - 1).unwrap_or(0).min(11);
    let day_of_year = before[month_index] + day + i64::from(leap && month > 2);
    Moment {
        year,
        month: month_index,
        day,
        // 1970-01-01 was a Thursday.
        weekday: usize::try_from((days + 4).rem_euclid(7)).unwrap_or(0),
        day_of_year,
        hour: in_day / 3600,
        minute: in_day % 3600 / 60,
        second: in_day % 60,
    }
}

/// The date as the plugin writes it for `settings.kind` (English, UTC):
/// `date` is Babel's long English date, `January 5, 2024`.
pub fn format_date(seconds: i64, settings: &DateSettings) -> String {
    let m = moment(seconds);
    let long = format!("{} {}, {}", MONTHS[m.month], m.day, m.year);
    let iso = format!("{:04}-{:02}-{:02}", m.year, m.month + 1, m.day);
    let time = format!("{:02}:{:02}:{:02}", m.hour, m.minute, m.second);
    match settings.kind.as_str() {
        "datetime" => format!("{long} {time}"),
        "iso_date" | "timeago" => iso,
        "iso_datetime" => format!("{iso} {time}"),
        "custom" => strftime(&m, &settings.custom_format),
        _ => long,
    }
}

/// The strftime directives the plugin maps to Babel; others are kept.
fn strftime(m: &Moment, pattern: &str) -> String {
    let mut out = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let unpadded = chars.next_if_eq(&'-').is_some();
        let Some(d) = chars.next() else {
            out.push('%');
            break;
        };
        let two = |n: i64| {
            if unpadded {
                n.to_string()
            } else {
                format!("{n:02}")
            }
        };
        match d {
            'd' => out.push_str(&two(m.day)),
            'e' => out.push_str(&m.day.to_string()),
            'm' => out.push_str(&two(m.month as i64 + 1)),
            'B' => out.push_str(MONTHS[m.month]),
            'b' => out.push_str(&MONTHS[m.month][..3]),
            'Y' => out.push_str(&m.year.to_string()),
            'y' => out.push_str(&format!("{:02}", m.year % 100)),
            'A' => out.push_str(WEEKDAYS[m.weekday]),
            'a' => out.push_str(&WEEKDAYS[m.weekday][..3]),
            'j' => out.push_str(&format!("{:03}", m.day_of_year)),
            'H' => out.push_str(&two(m.hour)),
            'M' => out.push_str(&two(m.minute)),
            'S' => out.push_str(&two(m.second)),
            '%' => out.push('%'),
            other => {
                out.push('%');
                if unpadded {
                    out.push('-');
                }
                out.push(other);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(kind: &str) -> DateSettings {
        DateSettings {
            enabled: true,
            kind: kind.into(),
            custom_format: "%d. %B %Y".into(),
            creation: false,
        }
    }

    // 2024-03-05 07:08:09 UTC, a Tuesday.
    const WHEN: i64 = 1_709_622_489;

    #[test]
    fn dates_are_written_in_each_type_of_the_plugin() {
        assert_eq!(format_date(WHEN, &settings("date")), "March 5, 2024");
        assert_eq!(
            format_date(WHEN, &settings("datetime")),
            "March 5, 2024 07:08:09"
        );
        assert_eq!(format_date(WHEN, &settings("iso_date")), "2024-03-05");
        assert_eq!(
            format_date(WHEN, &settings("iso_datetime")),
            "2024-03-05 07:08:09"
        );
        assert_eq!(format_date(WHEN, &settings("timeago")), "2024-03-05");
        assert_eq!(format_date(WHEN, &settings("custom")), "05. March 2024");
        let custom = DateSettings {
            custom_format: "%a %-d %b %y, day %j %H:%M %% %Q".into(),
            ..settings("custom")
        };
        assert_eq!(
            format_date(WHEN, &custom),
            "Tue 5 Mar 24, day 065 07:08 % %Q"
        );
    }

    #[test]
    fn tags_are_replaced_with_any_spacing_and_case() {
        let dates = PageDates {
            revision: Some(WHEN),
            creation: Some(0),
            site_revision: Some(WHEN + 86_400),
        };
        let text = "Updated {{git_revision_date_localized}}, site {{  GIT_SITE_REVISION_DATE_LOCALIZED }}, created {{ git_creation_date_localized }}, {{ other }}.";
        assert_eq!(
            replace_dates(text, &dates, &settings("date")),
            "Updated March 5, 2024, site March 6, 2024, created {{ git_creation_date_localized }}, {{ other }}."
        );
        let with_creation = DateSettings {
            creation: true,
            ..settings("iso_date")
        };
        assert!(replace_dates(text, &dates, &with_creation).contains("created 1970-01-01,"));
        let off = DateSettings::default();
        assert_eq!(replace_dates(text, &dates, &off), text);
        let unknown = replace_dates(
            "a {{ git_revision_date_localized }} b",
            &PageDates::default(),
            &settings("date"),
        );
        assert_eq!(unknown, "a  b");
    }

    #[test]
    fn tags_do_not_span_lines() {
        let found: Vec<&str> = tags("{{ a\n}} {{ b }} {{ {{ c }}")
            .map(|(_, _, n)| n)
            .collect();
        assert_eq!(found, ["b", "c"]);
    }
}
