//! Calendar days, the unit every date rule works in. "Today" is an input
//! (the build's day, `SOURCE_DATE_EPOCH` when set), never the clock.

/// Days since 1970-01-01 (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i64);

impl Day {
    pub fn from_seconds(seconds: i64) -> Day {
        Day(seconds.div_euclid(86_400))
    }

    /// `YYYY-MM-DD`, or the first ten characters of a timestamp
    /// (`2025-01-02T10:00:00Z`); `None` for anything else.
    pub fn parse(text: &str) -> Option<Day> {
        let date = text.trim().get(..10)?;
        let bytes = date.as_bytes();
        if bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let number = |r: std::ops::Range<usize>| -> Option<i64> {
            let part = date.get(r)?;
            part.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| part.parse().ok())
                .flatten()
        };
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
            return None;
        }
        Some(Day(days_from_civil(year, month, day)))
    }

    /// `YYYY-MM-DD`.
    pub fn label(self) -> String {
        crate::read::history::date(self.0 * 86_400)
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Day) -> i64 {
        later.0 - self.0
    }

    /// How this day stands to `today`, for evidence: `12 days before
    /// 2025-02-14`, or, for a date after it (a clock set ahead),
    /// `5 days after 2025-02-14, the build's day`.
    pub fn before(self, today: Day) -> String {
        match self.days_until(today) {
            age if age >= 0 => format!("{age} days before {}", today.label()),
            ahead => format!("{} days after {}, the build's day", -ahead, today.label()),
        }
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's days-from-civil (the inverse of `history::date`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_bad_ones_are_refused() {
        for text in ["1970-01-01", "2000-02-29", "2026-01-02", "1999-12-31"] {
            assert_eq!(Day::parse(text).unwrap().label(), text);
        }
        assert_eq!(Day::parse("2026-01-02T10:00:00Z"), Day::parse("2026-01-02"));
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-1-01",
            "yesterday",
            "",
            "2025-01-0x",
        ] {
            assert_eq!(Day::parse(bad), None, "{bad}");
        }
        assert_eq!(Day::from_seconds(1_767_323_045).label(), "2026-01-02");
        let a = Day::parse("2025-12-31").unwrap();
        assert_eq!(a.days_until(Day::parse("2026-01-02").unwrap()), 2);
    }

    #[test]
    fn a_day_says_how_it_stands_to_today() {
        let today = Day::parse("2025-02-14").unwrap();
        assert_eq!(
            Day::parse("2025-02-02").unwrap().before(today),
            "12 days before 2025-02-14"
        );
        assert_eq!(
            Day::parse("2025-02-19").unwrap().before(today),
            "5 days after 2025-02-14, the build's day"
        );
    }
}
