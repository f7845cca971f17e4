//! Readers for the typed values of condition operators: decimal numbers (SEMANTICS
//! C9), dates (C10), booleans (C11), base64 (C12) and IP networks (C13), plus
//! [`validate_policy_value`], which the compiler calls to report malformed policy
//! values as errors.
//!
//! The same readers serve policy values (read once, when a table is loaded) and
//! request values (read at every check), so both sides always agree on what a
//! value means. Reading a request value never allocates, not even on failure:
//! [`ValueError`] carries only static text. There is no wildcard, variable or
//! string matching here; that lives in `glob` and `cond`.

/*
Design note: the choices this module makes where SEMANTICS leaves room

Numbers (C9) are compared exactly, as decimal digit strings: a sign, the integer
digits without leading zeros and the fraction digits without trailing zeros. So
"10" = "10.0" = "+010", "-0" = "0", and "0.1" + nothing is never rounded. There is
no size limit and no float anywhere. Accepted: an optional `+`/`-`, then digits
with an optional `.` and fraction ("5.", ".5" too, as Java's BigDecimal reads
them); at least one digit. Rejected: exponents ("1e3"), "NaN", "Infinity",
whitespace, `_`, and anything else. An exponent would be easy to add, but no IAM
source shows one and a rejected policy value is a clear compile error.

Dates (C10) become a `Timestamp`: seconds since 1970-01-01T00:00:00Z plus
nanoseconds. Forms: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (midnight UTC), and
`YYYY-MM-DDThh:mm[:ss[.f]]` with an optional zone `Z` or `±hh:mm` (no zone =
UTC); or integer epoch seconds with an optional `-`. Exactly four digits are a
year, not an epoch second: SEMANTICS lists `YYYY` as a form, and an epoch value
of 1000–9999 seconds is never meant (iam-simulate reads "2024" as epoch seconds;
we don't). The fraction has 1 to 9 digits (nanoseconds; more would have to be
rounded, so they are rejected). Fields are range-checked: month 1–12, day within
the month (Gregorian leap years), hour 0–23, minute and second 0–59 (no leap
second 60, no hour 24), zone offset up to 23:59. Years are 0000–9999. Lowercase
`t`/`z`, a zone without colon and week or ordinal dates are rejected.

IP addresses (C13) are read by `std::net` (so IPv4 is dotted decimal with no
leading zeros, IPv6 takes every RFC 4291 form including `::ffff:1.2.3.4`, which is
an IPv6 address here). A network is `address/prefix` or a bare address (/32 or
/128). Host bits below the prefix are cleared, as AWS and iam-simulate do:
`10.1.2.3/8` is the network `10.0.0.0/8`. IPv4 addresses are never inside IPv6
networks and vice versa, IPv4-mapped IPv6 included.

Base64 (C12) is the standard alphabet (`A-Z a-z 0-9 + /`). Padding with `=` may be
present (then the length is a multiple of 4) or absent (as Java's decoder allows);
a partial padding, `=` inside the text, whitespace, the URL-safe alphabet and a
final character with non-zero unused bits are rejected, so every byte string has
exactly one padded and one unpadded spelling and equal decoded bytes mean equal
canonical texts.

Booleans (C11) are `true`/`false`, ASCII case-insensitively.
*/

use std::cmp::Ordering;
use std::fmt;
use std::net::IpAddr;

use crate::parts::Operator;

/// Why a value could not be read as its operator's type.
///
/// Carries only static text, so failing to read a request value never allocates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueError {
    kind: Kind,
    reason: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Number,
    Date,
    Network,
    Base64,
}

impl ValueError {
    const fn new(kind: Kind, reason: &'static str) -> ValueError {
        ValueError { kind, reason }
    }

    /// What is wrong, e.g. `"month out of range"`.
    #[must_use]
    pub fn reason(&self) -> &'static str {
        self.reason
    }

    /// What the value should have been, e.g. `"a decimal number"`.
    #[must_use]
    pub fn expected(&self) -> &'static str {
        match self.kind {
            Kind::Number => "a decimal number",
            Kind::Date => "a date",
            Kind::Network => "an IPv4 or IPv6 network",
            Kind::Base64 => "base64",
        }
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not {} ({})", self.expected(), self.reason)
    }
}

impl std::error::Error for ValueError {}

/// Checks a policy value of operator `op` as the compiler must (SEMANTICS C9, C10,
/// C12, C13): numbers, dates, networks and base64 must be readable.
///
/// String, Arn, Bool and Null values are never errors here (a Bool value other
/// than `true`/`false` only never matches, C11). The text is the value after
/// compile-time substitution; these operators take no variables (C-VAR-1).
///
/// # Errors
/// What the value should have been and why it is not, e.g. for `10.0.0.0/33`
/// `"not an IPv4 or IPv6 network (prefix length out of range)"`.
///
/// # Panics
/// Never.
///
/// ```
/// use verdict_runtime::parts::{validate_policy_value, Operator};
///
/// assert!(validate_policy_value(Operator::IpAddress, "10.0.0.0/8").is_ok());
/// let err = validate_policy_value(Operator::IpAddress, "10.0.0.0/33").unwrap_err();
/// assert_eq!(err.expected(), "an IPv4 or IPv6 network");
/// assert_eq!(err.reason(), "prefix length out of range");
/// ```
pub fn validate_policy_value(op: Operator, value: &str) -> Result<(), ValueError> {
    match value_type(op) {
        ValueType::Number => Decimal::parse(value).map(drop),
        ValueType::Date => Timestamp::parse(value).map(drop),
        ValueType::Network => IpNetwork::parse(value).map(drop),
        ValueType::Base64 => decode_base64_with(value, |_| ()),
        ValueType::String | ValueType::Arn | ValueType::Bool | ValueType::Null => Ok(()),
    }
}

/// The type of the values of an operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ValueType {
    String,
    Number,
    Date,
    Bool,
    Base64,
    Network,
    Arn,
    Null,
}

/// The type of `op`'s policy and request values.
pub(crate) fn value_type(op: Operator) -> ValueType {
    use Operator as O;
    match op {
        O::StringEquals
        | O::StringNotEquals
        | O::StringEqualsIgnoreCase
        | O::StringNotEqualsIgnoreCase
        | O::StringLike
        | O::StringNotLike => ValueType::String,
        O::NumericEquals
        | O::NumericNotEquals
        | O::NumericLessThan
        | O::NumericLessThanEquals
        | O::NumericGreaterThan
        | O::NumericGreaterThanEquals => ValueType::Number,
        O::DateEquals
        | O::DateNotEquals
        | O::DateLessThan
        | O::DateLessThanEquals
        | O::DateGreaterThan
        | O::DateGreaterThanEquals => ValueType::Date,
        O::Bool => ValueType::Bool,
        O::BinaryEquals => ValueType::Base64,
        O::IpAddress | O::NotIpAddress => ValueType::Network,
        O::ArnEquals | O::ArnLike | O::ArnNotEquals | O::ArnNotLike => ValueType::Arn,
        O::Null => ValueType::Null,
    }
}

// ---------------------------------------------------------------------------
// Numbers.

/// A decimal number read exactly (SEMANTICS C9), borrowing its digits from the text.
///
/// Equality and order are numeric: `"10"` = `"10.0"`, `"-0"` = `"0"`,
/// `"0.10"` < `"0.2"`. See [`Decimal::parse`] for the accepted forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Decimal<'a> {
    /// INVARIANT: false when the number is zero.
    negative: bool,
    /// INVARIANT: ASCII digits without leading zeros.
    int: &'a str,
    /// INVARIANT: ASCII digits without trailing zeros.
    frac: &'a str,
}

impl<'a> Decimal<'a> {
    /// Reads `[+-]digits[.digits]` (either side of the point may be empty, not
    /// both). No exponent, no whitespace, no `NaN` or infinity.
    ///
    /// # Errors
    /// The text is not of that form.
    ///
    /// # Panics
    /// Never.
    pub(crate) fn parse(text: &'a str) -> Result<Decimal<'a>, ValueError> {
        let err = |reason| ValueError::new(Kind::Number, reason);
        let (negative, unsigned) = match text.as_bytes().first() {
            Some(b'-') => (true, text.get(1..).unwrap_or("")),
            Some(b'+') => (false, text.get(1..).unwrap_or("")),
            _ => (false, text),
        };
        let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        if int.is_empty() && frac.is_empty() {
            return Err(err("no digits"));
        }
        if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(err("only digits, a sign and one `.` are allowed"));
        }
        Ok(Decimal::from_digits(negative, int, frac))
    }

    /// The normalised number of a sign and digit strings (checked by the caller).
    pub(crate) fn from_digits(negative: bool, int: &'a str, frac: &'a str) -> Decimal<'a> {
        let int = int.trim_start_matches('0');
        let frac = frac.trim_end_matches('0');
        Decimal {
            negative: negative && !(int.is_empty() && frac.is_empty()),
            int,
            frac,
        }
    }

    /// The integer digits without leading zeros, and the fraction digits without
    /// trailing zeros (both may be empty).
    #[must_use]
    pub(crate) fn digits(&self) -> (&'a str, &'a str) {
        (self.int, self.frac)
    }

    /// True for numbers below zero.
    #[must_use]
    pub(crate) fn is_negative(&self) -> bool {
        self.negative
    }

    fn cmp_magnitude(&self, other: &Decimal<'_>) -> Ordering {
        // Without leading zeros, a longer integer part is a larger number; equal
        // lengths compare digit by digit, and so do fractions without trailing zeros
        // (a fraction that extends an equal prefix has a non-zero digit left).
        self.int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(other.int))
            .then_with(|| self.frac.cmp(other.frac))
    }
}

impl Ord for Decimal<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Decimal<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A [`Decimal`] that owns its digits: how a table keeps a policy value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OwnedDecimal {
    negative: bool,
    int: Box<str>,
    frac: Box<str>,
}

impl OwnedDecimal {
    pub(crate) fn new(decimal: Decimal<'_>) -> OwnedDecimal {
        OwnedDecimal {
            negative: decimal.negative,
            int: decimal.int.into(),
            frac: decimal.frac.into(),
        }
    }

    pub(crate) fn as_decimal(&self) -> Decimal<'_> {
        Decimal {
            negative: self.negative,
            int: &self.int,
            frac: &self.frac,
        }
    }
}

// ---------------------------------------------------------------------------
// Dates.

/// An instant: seconds since 1970-01-01T00:00:00Z and nanoseconds (SEMANTICS C10).
///
/// Ordered by time. See [`Timestamp::parse`] for the accepted forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Timestamp {
    secs: i64,
    /// INVARIANT: below 1_000_000_000.
    nanos: u32,
}

impl Timestamp {
    /// The instant `secs` seconds and `nanos` nanoseconds after the epoch; `None`
    /// if `nanos` is a second or more.
    #[must_use]
    pub(crate) const fn new(secs: i64, nanos: u32) -> Option<Timestamp> {
        if nanos < 1_000_000_000 {
            Some(Timestamp { secs, nanos })
        } else {
            None
        }
    }

    /// Reads the W3C profile of ISO 8601 (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`,
    /// `YYYY-MM-DDThh:mm[:ss[.fraction]][Z|±hh:mm]`, no zone = UTC) or integer
    /// epoch seconds (`[-]digits`, but not exactly four digits, which are a year).
    ///
    /// # Errors
    /// Any other form, a field out of range (month 13, February 30, second 60,
    /// hour 24), more than 9 fraction digits, or an epoch value beyond `i64`.
    ///
    /// # Panics
    /// Never.
    pub(crate) fn parse(text: &str) -> Result<Timestamp, ValueError> {
        let bytes = text.as_bytes();
        let is_year = bytes.len() == 4 && bytes.iter().all(u8::is_ascii_digit);
        let unsigned = text.strip_prefix('-').unwrap_or(text);
        if !is_year && !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
            return parse_epoch(text);
        }
        parse_iso(bytes).map_err(|reason| ValueError::new(Kind::Date, reason))
    }

    /// Whole seconds since the epoch (negative before 1970).
    #[must_use]
    pub(crate) const fn unix_seconds(self) -> i64 {
        self.secs
    }

    /// The nanoseconds within the second.
    #[must_use]
    pub(crate) const fn subsec_nanos(self) -> u32 {
        self.nanos
    }
}

fn parse_epoch(text: &str) -> Result<Timestamp, ValueError> {
    let secs = text
        .parse::<i64>()
        .map_err(|_| ValueError::new(Kind::Date, "epoch seconds out of range"))?;
    Ok(Timestamp { secs, nanos: 0 })
}

/// A cursor over the bytes of an ISO date.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl Cursor<'_> {
    /// Exactly `n` ASCII digits, as a number.
    fn digits(&mut self, n: usize, what: &'static str) -> Result<u32, &'static str> {
        let (head, rest) = self.rest.split_at_checked(n).ok_or(what)?;
        if !head.iter().all(u8::is_ascii_digit) {
            return Err(what);
        }
        self.rest = rest;
        Ok(head
            .iter()
            .fold(0u32, |acc, &b| acc * 10 + u32::from(b - b'0')))
    }

    /// Consumes `byte` if it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        match self.rest.split_first() {
            Some((&first, rest)) if first == byte => {
                self.rest = rest;
                true
            }
            _ => false,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    fn is_done(&self) -> bool {
        self.rest.is_empty()
    }
}

fn parse_iso(bytes: &[u8]) -> Result<Timestamp, &'static str> {
    const SHAPE: &str =
        "expected YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss[.f]][Z|±hh:mm] or epoch seconds";
    let mut cur = Cursor { rest: bytes };
    let year = cur.digits(4, SHAPE)?;
    let (mut month, mut day) = (1, 1);
    let (mut hour, mut minute, mut second, mut nanos) = (0, 0, 0, 0);
    let mut offset_secs = 0i64;
    if cur.eat(b'-') {
        month = cur.digits(2, SHAPE)?;
        if cur.eat(b'-') {
            day = cur.digits(2, SHAPE)?;
            if cur.eat(b'T') {
                hour = cur.digits(2, SHAPE)?;
                if !cur.eat(b':') {
                    return Err(SHAPE);
                }
                minute = cur.digits(2, SHAPE)?;
                if cur.eat(b':') {
                    second = cur.digits(2, SHAPE)?;
                    if cur.eat(b'.') {
                        nanos = fraction(&mut cur)?;
                    }
                }
                offset_secs = zone(&mut cur)?;
            }
        }
    }
    if !cur.is_done() {
        return Err(SHAPE);
    }
    if !(1..=12).contains(&month) {
        return Err("month out of range");
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err("day out of range");
    }
    if hour > 23 {
        return Err("hour out of range");
    }
    if minute > 59 {
        return Err("minute out of range");
    }
    if second > 59 {
        return Err("second out of range");
    }
    let days = days_from_civil(i64::from(year), month, day);
    let secs = days * 86_400 + i64::from(hour) * 3_600 + i64::from(minute) * 60 + i64::from(second)
        - offset_secs;
    Ok(Timestamp { secs, nanos })
}

/// 1 to 9 fraction digits, as nanoseconds.
fn fraction(cur: &mut Cursor<'_>) -> Result<u32, &'static str> {
    let n_digits = cur.rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if n_digits == 0 {
        return Err("no digits after the decimal point of the seconds");
    }
    if n_digits > 9 {
        return Err("more than 9 fraction digits");
    }
    let value = cur.digits(n_digits, "fraction")?;
    let scale = 10u32.pow(9 - n_digits as u32);
    Ok(value * scale)
}

/// The zone designator: nothing (UTC), `Z`, or `±hh:mm`; as seconds east of UTC.
fn zone(cur: &mut Cursor<'_>) -> Result<i64, &'static str> {
    const ZONE: &str = "expected the time zone as Z or ±hh:mm";
    let sign = match cur.peek() {
        None => return Ok(0),
        Some(b'Z') => {
            cur.eat(b'Z');
            return Ok(0);
        }
        Some(b'+') => 1,
        Some(b'-') => -1,
        Some(_) => return Err(ZONE),
    };
    cur.rest = cur.rest.get(1..).unwrap_or_default();
    let hours = cur.digits(2, ZONE)?;
    if !cur.eat(b':') {
        return Err(ZONE);
    }
    let minutes = cur.digits(2, ZONE)?;
    if hours > 23 || minutes > 59 {
        return Err("time zone offset out of range");
    }
    Ok(sign * (i64::from(hours) * 3_600 + i64::from(minutes) * 60))
}

fn is_leap(year: u32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

// ---------------------------------------------------------------------------
// Booleans.

/// `Some(true)` for `true`, `Some(false)` for `false` (ASCII case-insensitive),
/// `None` otherwise (SEMANTICS C11).
#[must_use]
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------
// Base64.

/// Decodes standard base64, padded or not (SEMANTICS C12; see the module's design
/// note for what is rejected).
///
/// # Errors
/// A character outside the alphabet, misplaced or partial padding, a length that
/// no encoding has, or non-zero unused bits in the last character.
///
/// # Panics
/// Never.
pub(crate) fn decode_base64(text: &str) -> Result<Vec<u8>, ValueError> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    decode_base64_with(text, |byte| out.push(byte))?;
    Ok(out)
}

/// Decodes base64, handing each byte to `emit` as it is decoded. On error, some
/// bytes may have been emitted already.
pub(crate) fn decode_base64_with(text: &str, mut emit: impl FnMut(u8)) -> Result<(), ValueError> {
    let err = |reason| ValueError::new(Kind::Base64, reason);
    let bytes = text.as_bytes();
    let unpadded = bytes
        .strip_suffix(b"==")
        .or_else(|| bytes.strip_suffix(b"="))
        .unwrap_or(bytes);
    let n_padding = bytes.len() - unpadded.len();
    if n_padding > 0 && bytes.len() % 4 != 0 {
        return Err(err("padding does not complete a group of 4 characters"));
    }
    if unpadded.len() % 4 == 1 {
        return Err(err("a length no encoding has"));
    }
    if n_padding > 0 && unpadded.len() % 4 == 0 {
        return Err(err("padding after a complete group"));
    }
    let mut chunks = unpadded.chunks_exact(4);
    for chunk in &mut chunks {
        let mut group = 0u32;
        for &c in chunk {
            group = group << 6 | sextet(c).ok_or_else(|| err(BAD_CHAR))?;
        }
        emit((group >> 16) as u8);
        emit((group >> 8) as u8);
        emit(group as u8);
    }
    let tail = chunks.remainder();
    if tail.is_empty() {
        return Ok(());
    }
    let mut group = 0u32;
    for &c in tail {
        group = group << 6 | sextet(c).ok_or_else(|| err(BAD_CHAR))?;
    }
    // 2 characters: 12 bits, 1 byte and 4 unused bits; 3: 18 bits, 2 bytes, 2 unused.
    let (n_bytes, unused) = if tail.len() == 2 { (1, 4) } else { (2, 2) };
    if group & ((1 << unused) - 1) != 0 {
        return Err(err("non-zero unused bits in the last character"));
    }
    let group = group >> unused;
    if n_bytes == 2 {
        emit((group >> 8) as u8);
    }
    emit(group as u8);
    Ok(())
}

const BAD_CHAR: &str = "a character outside the standard base64 alphabet";

fn sextet(c: u8) -> Option<u32> {
    let value = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(value))
}

/// Whether `text` is base64 (as [`decode_base64`] reads it) of exactly `expected`.
/// Does not allocate.
pub(crate) fn base64_equals(text: &str, expected: &[u8]) -> Option<bool> {
    let mut pos = 0usize;
    let mut equal = true;
    decode_base64_with(text, |byte| {
        equal &= expected.get(pos) == Some(&byte);
        pos += 1;
    })
    .ok()?;
    Some(equal && pos == expected.len())
}

// ---------------------------------------------------------------------------
// IP networks.

/// An IPv4 or IPv6 network (SEMANTICS C13), with its host bits cleared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct IpNetwork {
    /// INVARIANT: no bit set below the prefix.
    addr: IpAddr,
    /// INVARIANT: at most 32 for IPv4, 128 for IPv6.
    prefix_len: u8,
}

impl IpNetwork {
    /// Reads `address/prefix` or a bare address (a /32 or /128 network). Host bits
    /// below the prefix are cleared (`10.1.2.3/8` is `10.0.0.0/8`).
    ///
    /// # Errors
    /// An address `std::net` does not read, a prefix that is not 1 to 3 decimal
    /// digits, or a prefix longer than the address.
    ///
    /// # Panics
    /// Never.
    pub(crate) fn parse(text: &str) -> Result<IpNetwork, ValueError> {
        let err = |reason| ValueError::new(Kind::Network, reason);
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| err("not an IP address"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix_len = match prefix {
            None => max,
            Some(prefix) => {
                if prefix.is_empty()
                    || prefix.len() > 3
                    || !prefix.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(err("the prefix length is not a decimal number"));
                }
                let len: u8 = prefix
                    .parse()
                    .map_err(|_| err("prefix length out of range"))?;
                if len > max {
                    return Err(err("prefix length out of range"));
                }
                len
            }
        };
        let addr = match addr {
            IpAddr::V4(v4) => IpAddr::V4((u32::from(v4) & mask32(prefix_len)).into()),
            IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & mask128(prefix_len)).into()),
        };
        Ok(IpNetwork { addr, prefix_len })
    }

    /// The network address (host bits cleared).
    #[must_use]
    pub(crate) fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The prefix length.
    #[must_use]
    pub(crate) fn prefix_len(&self) -> u8 {
        self.prefix_len
    }

    /// Whether `ip` lies in this network; never across IPv4 and IPv6.
    #[must_use]
    pub(crate) fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                u32::from(ip) & mask32(self.prefix_len) == u32::from(net)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                u128::from(ip) & mask128(self.prefix_len) == u128::from(net)
            }
            _ => false,
        }
    }
}

fn mask32(prefix_len: u8) -> u32 {
    u32::MAX
        .checked_shl(32 - u32::from(prefix_len.min(32)))
        .unwrap_or(0)
}

fn mask128(prefix_len: u8) -> u128 {
    u128::MAX
        .checked_shl(128 - u32::from(prefix_len.min(128)))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests;
