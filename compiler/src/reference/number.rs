//! Decimal numbers for the Numeric condition operators (SEMANTICS.md C9),
//! read and compared exactly: no floating point, no size limit.
//!
//! Accepted: an optional sign (`+` or `-`), one or more ASCII digits, and
//! optionally a `.` followed by one or more ASCII digits. Nothing else: no
//! white space, no exponent, no `.5` or `5.`, no `NaN`/`Infinity`.

use std::cmp::Ordering;

/// A decimal number in normal form, so that equal numbers are equal values
/// (`10` = `10.0` = `+010`, `-0` = `0`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Number {
    /// INVARIANT: `false` when the number is zero.
    negative: bool,
    /// Digits before the point. INVARIANT: no leading `0`.
    integer: String,
    /// Digits after the point. INVARIANT: no trailing `0`.
    fraction: String,
}

impl Number {
    /// Reads `text`; `None` if it is not a decimal number as described above.
    pub(super) fn parse(text: &str) -> Option<Number> {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (integer, fraction) = match rest.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (rest, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(integer) || !fraction.is_none_or(all_digits) {
            return None;
        }
        let integer = integer.trim_start_matches('0').to_string();
        let fraction = fraction.unwrap_or("").trim_end_matches('0').to_string();
        let zero = integer.is_empty() && fraction.is_empty();
        Some(Number {
            negative: negative && !zero,
            integer,
            fraction,
        })
    }

    /// Compares absolute values.
    fn cmp_magnitude(&self, other: &Number) -> Ordering {
        // Without leading zeros, a longer integer part is a larger number;
        // digit strings of equal length compare like the numbers. Without
        // trailing zeros, fractions compare lexicographically (`5` > `45`).
        self.integer
            .len()
            .cmp(&other.integer.len())
            .then_with(|| self.integer.cmp(&other.integer))
            .then_with(|| self.fraction.cmp(&other.fraction))
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> Ordering {
        match (self.negative, other.negative) {
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
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
    use proptest::prelude::*;

    fn n(text: &str) -> Number {
        Number::parse(text).unwrap_or_else(|| panic!("{text:?} parses"))
    }

    #[test]
    fn accepts_decimals_with_sign_and_fraction() {
        for ok in [
            "0", "10", "-10", "+10", "10.0", "0.5", "-0.0", "007", "1.000", "3600",
        ] {
            assert!(Number::parse(ok).is_some(), "{ok:?}");
        }
        for bad in [
            "", "-", "+", ".5", "5.", "1e3", " 1", "1 ", "1,5", "--1", "+-1", "0x10", "NaN",
            "Infinity", "1.2.3", "١٢",
        ] {
            assert_eq!(Number::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn c9_equal_numbers_are_equal() {
        assert_eq!(n("10"), n("10.0")); // C9
        assert_eq!(n("10"), n("+010.000"));
        assert_eq!(n("-0"), n("0.0"));
        assert_ne!(n("10"), n("10.01"));
        assert_ne!(n("-1"), n("1"));
    }

    #[test]
    fn order_is_numeric() {
        let sorted = [
            "-100", "-10.5", "-10", "-9.99", "-0.5", "0", "0.45", "0.5", "1", "9", "10", "10.01",
            "100",
        ];
        for pair in sorted.windows(2) {
            assert!(n(pair[0]) < n(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        // Beyond any machine integer or float precision.
        assert!(n("100000000000000000000000000000.1") > n("100000000000000000000000000000"));
        assert!(n("0.30000000000000000000000000001") > n("0.3"));
    }

    proptest! {
        #[test]
        fn agrees_with_integer_order(a in -100_000i64..100_000, b in -100_000i64..100_000) {
            prop_assert_eq!(n(&a.to_string()).cmp(&n(&b.to_string())), a.cmp(&b));
            let scaled = |x: i64| format!("{}{}.{:03}", if x < 0 { "-" } else { "" }, x.abs() / 1000, x.abs() % 1000);
            prop_assert_eq!(n(&scaled(a)).cmp(&n(&scaled(b))), a.cmp(&b));
        }
    }
}
