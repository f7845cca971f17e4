//! Dates for the Date condition operators (SEMANTICS.md C10), read into an
//! exact instant (whole seconds since 1970-01-01T00:00:00Z plus the decimal
//! digits of the fraction), so that comparisons never round.
//!
//! Accepted, all ASCII and nothing around them:
//! - integer epoch seconds: an optional `-` and digits (`1700000000`), except
//!   that exactly four digits without a sign read as a year (`2030`);
//! - `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (midnight UTC at the start of that
//!   year, month or day);
//! - `YYYY-MM-DDThh:mm`, `YYYY-MM-DDThh:mm:ss`, `YYYY-MM-DDThh:mm:ss.f…`
//!   (one or more fraction digits), each followed by `Z`, `+hh:mm`,
//!   `-hh:mm` or nothing (UTC).
//!
//! Fields are range-checked: month 01–12, day within the month (leap years
//! per the Gregorian rule), hour 00–23, minute and second 00–59 (no leap
//! second, no `24:00`), zone offsets up to ±23:59. Upper-case `T` and `Z` only.

/* Design note.

Days are counted by walking years and months from 1970, the way one would on
paper, rather than with a closed-form civil-date formula: this module is part
of the test oracle, and the loop (at most ~8000 steps for years 0000–9999) is
easier to believe than the arithmetic. */

/// A point in time: `seconds` + 0.`fraction`.
///
/// The derived order is the order of time: `seconds` first, then the
/// fraction digits lexicographically, which is numeric order because
/// trailing zeros are removed (`5` > `45`, `` < `1`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Instant {
    seconds: i64,
    /// INVARIANT: ASCII digits without trailing `0`; the fraction is added
    /// to `seconds` (also for instants before 1970).
    fraction: String,
}

impl Instant {
    /// Reads `text` in one of the forms listed in the module docs.
    pub(super) fn parse(text: &str) -> Option<Instant> {
        parse_epoch(text).or_else(|| parse_iso(text))
    }
}

fn parse_epoch(text: &str) -> Option<Instant> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !negative && digits.len() == 4 {
        return None; // `YYYY`
    }
    let magnitude: i64 = digits.parse().ok()?;
    Some(Instant {
        seconds: if negative { -magnitude } else { magnitude },
        fraction: String::new(),
    })
}

/// A cursor over the ASCII bytes of a date.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    /// Exactly `n` digits, as a number.
    fn digits(&mut self, n: usize) -> Option<i64> {
        let field = self.bytes.get(self.pos..self.pos + n)?;
        if !field.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.pos += n;
        Some(
            field
                .iter()
                .fold(0, |acc, &b| acc * 10 + i64::from(b - b'0')),
        )
    }

    /// Consumes `byte` if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        let next = self.bytes.get(self.pos) == Some(&byte);
        if next {
            self.pos += 1;
        }
        next
    }

    fn at_end(&self) -> bool {
        self.pos == self.bytes.len()
    }
}

fn parse_iso(text: &str) -> Option<Instant> {
    let mut c = Cursor {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let year = c.digits(4)?;
    let (mut month, mut day) = (1, 1);
    let (mut hour, mut minute, mut second) = (0, 0, 0);
    let mut fraction = String::new();
    let mut offset = 0; // seconds east of UTC
    if !c.at_end() {
        if !c.eat(b'-') {
            return None;
        }
        month = c.digits(2)?;
        if !(1..=12).contains(&month) {
            return None;
        }
        if !c.at_end() {
            if !c.eat(b'-') {
                return None;
            }
            day = c.digits(2)?;
            if !(1..=days_in_month(year, month)).contains(&day) {
                return None;
            }
            if !c.at_end() {
                if !c.eat(b'T') {
                    return None;
                }
                hour = c.digits(2)?;
                if !c.eat(b':') {
                    return None;
                }
                minute = c.digits(2)?;
                if c.eat(b':') {
                    second = c.digits(2)?;
                    if c.eat(b'.') {
                        let start = c.pos;
                        while c.bytes.get(c.pos).is_some_and(u8::is_ascii_digit) {
                            c.pos += 1;
                        }
                        if c.pos == start {
                            return None;
                        }
                        fraction = text.get(start..c.pos)?.trim_end_matches('0').to_string();
                    }
                }
                if hour > 23 || minute > 59 || second > 59 {
                    return None;
                }
                // `Z`, or nothing at all, is UTC.
                if !c.eat(b'Z') && !c.at_end() {
                    let sign = if c.eat(b'+') {
                        1
                    } else if c.eat(b'-') {
                        -1
                    } else {
                        return None;
                    };
                    let zone_hours = c.digits(2)?;
                    if !c.eat(b':') {
                        return None;
                    }
                    let zone_minutes = c.digits(2)?;
                    if zone_hours > 23 || zone_minutes > 59 {
                        return None;
                    }
                    offset = sign * (zone_hours * 3600 + zone_minutes * 60);
                }
                if !c.at_end() {
                    return None;
                }
            }
        }
    }
    let local = days_since_epoch(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Some(Instant {
        seconds: local - offset,
        fraction,
    })
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_year(year: i64) -> i64 {
    if is_leap(year) {
        366
    } else {
        365
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to `year-month-day` (negative before 1970).
fn days_since_epoch(year: i64, month: i64, day: i64) -> i64 {
    let mut days = 0;
    if year >= 1970 {
        for y in 1970..year {
            days += days_in_year(y);
        }
    } else {
        for y in year..1970 {
            days -= days_in_year(y);
        }
    }
    for m in 1..month {
        days += days_in_month(year, m);
    }
    days + day - 1
}

#[cfg(test)]
// why: a test fails by panicking; indexing and unwrapping say so shortest.
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;

    fn at(text: &str) -> Instant {
        Instant::parse(text).unwrap_or_else(|| panic!("{text:?} parses"))
    }

    fn secs(seconds: i64) -> Instant {
        Instant {
            seconds,
            fraction: String::new(),
        }
    }

    #[test]
    fn c10_iso_forms_read_as_utc_instants() {
        assert_eq!(at("1970-01-01T00:00:00Z"), secs(0));
        assert_eq!(at("2030-01-01T00:00:00Z"), secs(1_893_456_000));
        assert_eq!(at("2000-03-01T00:00:00Z"), secs(951_868_800));
        assert_eq!(at("2024-02-29T12:34:56Z"), secs(1_709_210_096));
        assert_eq!(at("1969-12-31T23:59:59Z"), secs(-1));
        assert_eq!(at("1900-01-01"), secs(-2_208_988_800));
        // Shorter forms are the start of the period; a missing zone is UTC.
        assert_eq!(at("2030"), at("2030-01-01T00:00:00Z"));
        assert_eq!(at("2030-01"), at("2030-01-01T00:00Z"));
        assert_eq!(at("2030-01-01"), at("2030-01-01T00:00:00"));
        assert_eq!(at("2030-01-01T00:00"), secs(1_893_456_000));
    }

    #[test]
    fn c10_offsets_move_the_instant() {
        assert_eq!(at("2030-01-01T01:00:00+01:00"), at("2030-01-01T00:00:00Z"));
        assert_eq!(at("2029-12-31T19:00:00-05:00"), at("2030-01-01T00:00:00Z"));
        assert_eq!(
            at("2030-01-01T00:00:00+05:30"),
            secs(1_893_456_000 - 19_800)
        );
        assert!(at("2030-01-01T00:00:00+01:00") < at("2030-01-01T00:00:00Z"));
    }

    #[test]
    fn c10_epoch_seconds() {
        assert_eq!(at("1893456000"), at("2030-01-01T00:00:00Z"));
        assert_eq!(at("0"), secs(0));
        assert_eq!(at("-1"), at("1969-12-31T23:59:59Z"));
        assert_eq!(at("12345"), secs(12_345));
        // Four digits are a year, not 2024 seconds after the epoch.
        assert_eq!(at("2024"), at("2024-01-01T00:00:00Z"));
        assert_eq!(at("-2024"), secs(-2024));
        // Other lengths are epoch seconds.
        assert_eq!(at("203"), secs(203));
        assert_eq!(at("20300"), secs(20_300));
        assert_eq!(at("02024"), secs(2024));
    }

    #[test]
    fn fractions_compare_exactly() {
        assert_eq!(at("2030-01-01T00:00:00.500Z"), at("2030-01-01T00:00:00.5Z"));
        assert_eq!(at("2030-01-01T00:00:00.000Z"), at("2030-01-01T00:00:00Z"));
        assert!(at("2030-01-01T00:00:00.5Z") > at("2030-01-01T00:00:00.45Z"));
        assert!(at("2030-01-01T00:00:00.000000001Z") > at("2030-01-01T00:00:00Z"));
        assert!(at("2030-01-01T00:00:00.999Z") < at("2030-01-01T00:00:01Z"));
        assert!(at("1969-12-31T23:59:59.5Z") < at("1970-01-01T00:00:00Z"));
    }

    #[test]
    fn malformed_dates_are_rejected() {
        for bad in [
            "",
            "-",
            "--1",
            "2030-1",
            "2030-01-1",
            "2030-13-01",
            "2030-00-01",
            "2030-01-00",
            "2030-01-32",
            "2023-02-29",
            "1900-02-29",
            "2030-04-31",
            "2030-01-01T",
            "2030-01-01T24:00:00Z",
            "2030-01-01T23:60:00Z",
            "2030-01-01T23:59:60Z",
            "2030-01-01T00Z",
            "2030-01-01T00:00:00.Z",
            "2030-01-01T00:00:00ZZ",
            "2030-01-01T00:00:00+0100",
            "2030-01-01T00:00:00+24:00",
            "2030-01-01T00:00:00+01",
            "2030-01-01t00:00:00z",
            "2030-01-01 00:00:00Z",
            "2030-01-01Z",
            " 2030",
            "1.5",
            "+5",
            "99999999999999999999",
            "２０３０",
        ] {
            assert_eq!(Instant::parse(bad), None, "{bad:?}");
        }
        assert!(Instant::parse("2000-02-29").is_some());
        assert!(Instant::parse("2030-01-01T00:00:00.5").is_some());
        assert!(Instant::parse("2030-01-01T00:00+01:00").is_some());
    }
}
