//! Tests of the value readers: numbers (C9), dates (C10), booleans (C11), base64
//! (C12), IP networks (C13) and the compiler's policy-value check.

use std::cmp::Ordering;

use super::*;

fn num(text: &str) -> Decimal<'_> {
    Decimal::parse(text).unwrap_or_else(|err| panic!("{text:?}: {err}"))
}

fn cmp_num(a: &str, b: &str, expected: Ordering) {
    assert_eq!(num(a).cmp(&num(b)), expected, "{a} vs {b}");
    assert_eq!(num(b).cmp(&num(a)), expected.reverse(), "{b} vs {a}");
    assert_eq!(num(a) == num(b), expected == Ordering::Equal, "{a} == {b}");
}

#[test]
fn c9_numbers_compare_exactly() {
    use Ordering::*;
    cmp_num("10", "10.0", Equal);
    cmp_num("10", "+010.000", Equal);
    cmp_num("-0", "0", Equal);
    cmp_num("-0.0", "+.0", Equal);
    cmp_num("5.", "5", Equal);
    cmp_num(".5", "0.5", Equal);
    cmp_num("0.10", "0.2", Less);
    cmp_num("0.51", "0.6", Less);
    cmp_num("9", "10", Less);
    cmp_num("-10", "-9", Less);
    cmp_num("-0.5", "0", Less);
    cmp_num("-1", "1", Less);
    cmp_num("3600", "3600.0000000000000000000000000001", Less);
    // Beyond any float or i128: still exact.
    let big = "1".repeat(60);
    let bigger = format!("{big}.000000000000000000001");
    cmp_num(&big, &bigger, Less);
    cmp_num(
        "100000000000000000000000000000000000000000",
        "99999999999999999999999999999999999999999",
        Greater,
    );
}

#[test]
fn c9_number_digits_are_normalised() {
    assert_eq!(num("007.500").digits(), ("7", "5"));
    assert_eq!(num("-0.0").digits(), ("", ""));
    assert!(!num("-0.0").is_negative());
    assert!(num("-0.01").is_negative());
}

#[test]
fn c9_malformed_numbers() {
    for text in [
        "", "+", "-", ".", "+.", "1e3", "1E3", "NaN", "nan", "inf", "Infinity", " 1", "1 ",
        "1_000", "1,5", "1.2.3", "0x10", "--1", "+-1", "١", "½",
    ] {
        let err = Decimal::parse(text).expect_err(text);
        assert_eq!(err.expected(), "a decimal number");
    }
}

fn date(text: &str) -> (i64, u32) {
    let ts = Timestamp::parse(text).unwrap_or_else(|err| panic!("{text:?}: {err}"));
    (ts.unix_seconds(), ts.subsec_nanos())
}

#[test]
fn c10_iso_forms() {
    assert_eq!(date("1970"), (0, 0));
    assert_eq!(date("1970-01"), (0, 0));
    assert_eq!(date("1970-01-01"), (0, 0));
    assert_eq!(date("1970-01-01T00:00"), (0, 0));
    assert_eq!(date("1970-01-01T00:00Z"), (0, 0));
    assert_eq!(date("1970-01-01T00:00:00Z"), (0, 0));
    assert_eq!(date("2030-01-01T00:00:00Z"), (1_893_456_000, 0));
    assert_eq!(date("2030"), (1_893_456_000, 0));
    assert_eq!(date("2024-02-29"), (1_709_164_800, 0));
    assert_eq!(date("2000-03-01T12:34:56Z"), (951_914_096, 0));
    assert_eq!(date("1969-12-31T23:59:59Z"), (-1, 0));
    assert_eq!(date("0000-01-01"), (-62_167_219_200, 0));
    assert_eq!(date("9999-12-31T23:59:59Z"), (253_402_300_799, 0));
}

#[test]
fn c10_zones_and_fractions() {
    // Missing zone = UTC.
    assert_eq!(date("2020-06-01T10:00:00"), date("2020-06-01T10:00:00Z"));
    assert_eq!(
        date("2020-06-01T12:00:00+02:00"),
        date("2020-06-01T10:00:00Z")
    );
    assert_eq!(
        date("2020-06-01T05:30:00-04:30"),
        date("2020-06-01T10:00:00Z")
    );
    assert_eq!(
        date("2020-06-01T10:00:00-00:00"),
        date("2020-06-01T10:00:00Z")
    );
    // Crossing midnight and a year boundary.
    assert_eq!(
        date("2020-12-31T23:30:00-01:00"),
        date("2021-01-01T00:30:00Z")
    );
    assert_eq!(date("1970-01-01T00:00:00.5Z"), (0, 500_000_000));
    assert_eq!(date("1970-01-01T00:00:00.000000001Z"), (0, 1));
    assert_eq!(
        date("1970-01-01T00:00:00.123456789+00:00"),
        (0, 123_456_789)
    );
    assert_eq!(date("1969-12-31T23:59:59.75Z"), (-1, 750_000_000));
    let earlier = Timestamp::parse("2020-01-01T00:00:00.1Z").unwrap();
    let later = Timestamp::parse("2020-01-01T00:00:00.10000001Z").unwrap();
    assert!(earlier < later);
}

#[test]
fn c10_epoch_seconds() {
    assert_eq!(date("0"), (0, 0));
    assert_eq!(date("1700000000"), (1_700_000_000, 0));
    assert_eq!(date("-86400"), (-86_400, 0));
    assert_eq!(date("12345"), (12_345, 0));
    assert_eq!(date("123"), (123, 0));
    // Four digits are a year, not epoch seconds.
    assert_eq!(date("2024"), date("2024-01-01T00:00:00Z"));
    assert_eq!(date("9223372036854775807"), (i64::MAX, 0));
    assert!(Timestamp::parse("9223372036854775808").is_err());
    // Epoch and ISO forms compare with each other.
    assert_eq!(
        Timestamp::parse("1893456000"),
        Timestamp::parse("2030-01-01T00:00:00Z")
    );
}

#[test]
fn c10_malformed_dates() {
    for text in [
        "",
        "-",
        "+1700000000",
        "1.5",
        "2O20",
        "2020-1-01",
        "2020-13",
        "2020-00-01",
        "2021-02-29",
        "2020-04-31",
        "2020-01-00",
        "2020-01-01T",
        "2020-01-01T10",
        "2020-01-01T24:00:00Z",
        "2020-01-01T10:60:00Z",
        "2020-01-01T23:59:60Z",
        "2020-01-01T10:00:00.Z",
        "2020-01-01T10:00:00.1234567890Z",
        "2020-01-01T10:00:00z",
        "2020-01-01t10:00:00Z",
        "2020-01-01 10:00:00Z",
        "2020-01-01T10:00:00+0200",
        "2020-01-01T10:00:00+24:00",
        "2020-01-01T10:00:00+02:60",
        "2020-01-01T10:00:00ZZ",
        "2020-01-01Z",
        "2020-W01",
        "2020-001",
        "2020-0101",
        "２０２０",
        "10000-01-01",
    ] {
        let err = Timestamp::parse(text).expect_err(text);
        assert_eq!(err.expected(), "a date", "{text}");
    }
    assert_eq!(
        Timestamp::parse("2020-13-01").unwrap_err().reason(),
        "month out of range"
    );
    assert_eq!(
        Timestamp::parse("2020-01-01T23:59:60Z")
            .unwrap_err()
            .reason(),
        "second out of range"
    );
}

#[test]
fn c10_days_from_civil_agrees_with_counting() {
    // Count days one by one from 1970 forward and backward for a few centuries.
    let mut days = 0i64;
    for year in 1970u32..2400 {
        for month in 1..=12 {
            for day in 1..=days_in_month(year, month) {
                assert_eq!(days_from_civil(i64::from(year), month, day), days);
                days += 1;
            }
        }
    }
    let mut days = 0i64;
    for year in (1600u32..1970).rev() {
        for month in (1..=12).rev() {
            for day in (1..=days_in_month(year, month)).rev() {
                days -= 1;
                assert_eq!(days_from_civil(i64::from(year), month, day), days);
            }
        }
    }
}

#[test]
fn timestamp_new_checks_nanos() {
    assert_eq!(
        Timestamp::new(5, 999_999_999).map(Timestamp::subsec_nanos),
        Some(999_999_999)
    );
    assert_eq!(Timestamp::new(5, 1_000_000_000), None);
}

#[test]
fn c11_bools() {
    assert_eq!(parse_bool("true"), Some(true));
    assert_eq!(parse_bool("TRUE"), Some(true));
    assert_eq!(parse_bool("False"), Some(false));
    assert_eq!(parse_bool(""), None);
    assert_eq!(parse_bool("yes"), None);
    assert_eq!(parse_bool("1"), None);
    assert_eq!(parse_bool(" true"), None);
    // Unicode case folding does not apply: the Kelvin sign is not `k`.
    assert_eq!(parse_bool("tru\u{0130}"), None);
}

#[test]
fn c12_base64() {
    let ok = |text: &str, bytes: &[u8]| {
        assert_eq!(decode_base64(text).as_deref(), Ok(bytes), "{text}");
        assert_eq!(base64_equals(text, bytes), Some(true), "{text}");
    };
    ok("", b"");
    ok("QQ==", b"A");
    ok("QQ", b"A");
    ok("QUI=", b"AB");
    ok("QUI", b"AB");
    ok("QUJD", b"ABC");
    ok("aGVsbG8gd29ybGQ=", b"hello world");
    ok("+/8=", &[0xFB, 0xFF]);
    ok("AAECAwQFBgcICQoLDA0ODw==", &(0u8..16).collect::<Vec<_>>());
    for text in [
        "Q", "QQ=", "Q===", "QQ==QQ==", "=", "==", "QUJD=", "QUJD==", "QQ== ", " QQ==", "QQ\n==",
        "-_8=", "QR==", "QUJ=", "QUK", "é", "QQ=\u{0}",
    ] {
        let err = decode_base64(text).expect_err(text);
        assert_eq!(err.expected(), "base64");
        assert_eq!(base64_equals(text, b"A"), None, "{text}");
    }
    assert_eq!(base64_equals("QUI=", b"A"), Some(false));
    assert_eq!(base64_equals("QQ==", b"AB"), Some(false));
    assert_eq!(base64_equals("QUI=", b"AC"), Some(false));
}

#[test]
fn c12_base64_round_trips_every_short_byte_string() {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    fn encode(bytes: &[u8]) -> String {
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let group = chunk.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b))
                << (8 * (3 - chunk.len()));
            for idx in 0..=chunk.len() {
                out.push(ALPHABET[(group >> (18 - 6 * idx) & 63) as usize] as char);
            }
            out.push_str(&"=".repeat(3 - chunk.len()));
        }
        out
    }
    for len in 0..3usize {
        for seed in 0u32..300 {
            let bytes: Vec<u8> = (0..len)
                .map(|i| (seed.wrapping_mul(2_654_435_761) >> (8 * i)) as u8)
                .collect();
            let padded = encode(&bytes);
            assert_eq!(decode_base64(&padded).unwrap(), bytes, "{padded}");
            let unpadded = padded.trim_end_matches('=');
            assert_eq!(decode_base64(unpadded).unwrap(), bytes, "{unpadded}");
        }
    }
}

fn net(text: &str) -> IpNetwork {
    IpNetwork::parse(text).unwrap_or_else(|err| panic!("{text:?}: {err}"))
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[test]
fn c13_networks() {
    let ten = net("10.0.0.0/8");
    assert_eq!(ten.prefix_len(), 8);
    assert!(ten.contains(ip("10.1.2.3")));
    assert!(ten.contains(ip("10.255.255.255")));
    assert!(!ten.contains(ip("11.0.0.0")));
    // A bare address is a /32 (X40).
    let host = net("203.0.113.5");
    assert_eq!(host.prefix_len(), 32);
    assert!(host.contains(ip("203.0.113.5")));
    assert!(!host.contains(ip("203.0.113.6")));
    // /0 contains every address of its family only.
    assert!(net("0.0.0.0/0").contains(ip("255.1.2.3")));
    assert!(!net("0.0.0.0/0").contains(ip("::1")));
    assert!(net("::/0").contains(ip("2001:db8::1")));
    assert!(!net("::/0").contains(ip("10.0.0.1")));
    // IPv6 forms.
    let v6 = net("2001:DB8::/32");
    assert!(v6.contains(ip("2001:db8:ffff::1")));
    assert!(!v6.contains(ip("2001:db9::1")));
    assert_eq!(net("::1").prefix_len(), 128);
    assert!(net("::1").contains(ip("0:0:0:0:0:0:0:1")));
    assert!(net("2001:db8:0:0:0:0:0:0/64").contains(ip("2001:db8::abcd")));
    // IPv4-mapped IPv6 is IPv6: never in an IPv4 network, and the reverse.
    assert!(!ten.contains(ip("::ffff:10.0.0.1")));
    assert!(net("::ffff:10.0.0.0/104").contains(ip("::ffff:10.0.0.1")));
    assert!(!net("::ffff:10.0.0.0/104").contains(ip("10.0.0.1")));
}

#[test]
fn c13_host_bits_are_cleared() {
    let net8 = net("10.1.2.3/8");
    assert_eq!(net8, net("10.0.0.0/8"));
    assert_eq!(net8.addr(), ip("10.0.0.0"));
    assert!(net8.contains(ip("10.200.0.1")));
    assert_eq!(net("2001:db8::1/32").addr(), ip("2001:db8::"));
    assert_eq!(net("1.2.3.4/0").addr(), ip("0.0.0.0"));
}

#[test]
fn c13_malformed_networks() {
    for text in [
        "",
        "/8",
        "10.0.0.0/",
        "10.0.0.0/33",
        "10.0.0.0/-1",
        "10.0.0.0/+8",
        "10.0.0.0/8/8",
        "10.0.0.0/ 8",
        "10.0.0.0/0008",
        "10.0.0/8",
        "10.0.0.256",
        "010.0.0.1",
        "10.0.0.0 /8",
        "::/129",
        "fe80::1%eth0",
        "[::1]",
        "2001:db8:::1",
        "localhost",
    ] {
        let err = IpNetwork::parse(text).expect_err(text);
        assert_eq!(err.expected(), "an IPv4 or IPv6 network", "{text}");
    }
    assert_eq!(net("10.0.0.0/08").prefix_len(), 8);
}

/// The message a policy value's error gives, as the compiler and a table load
/// word it.
fn value_error(op: Operator, value: &str) -> Result<(), String> {
    validate_policy_value(op, value).map_err(|err| format!("`{value}` is {err}"))
}

#[test]
fn policy_values_are_checked_by_type() {
    use Operator as O;
    assert_eq!(validate_policy_value(O::NumericLessThan, "3600"), Ok(()));
    assert_eq!(
        value_error(O::NumericEquals, "ten"),
        Err("`ten` is not a decimal number (only digits, a sign and one `.` are allowed)".into())
    );
    assert_eq!(
        validate_policy_value(O::DateLessThan, "2030-01-01T00:00:00Z"),
        Ok(())
    );
    assert_eq!(
        value_error(O::DateNotEquals, "2030-13-01"),
        Err("`2030-13-01` is not a date (month out of range)".into())
    );
    assert_eq!(validate_policy_value(O::IpAddress, "10.0.0.0/8"), Ok(()));
    assert_eq!(
        value_error(O::NotIpAddress, "10.0.0.0/33"),
        Err("`10.0.0.0/33` is not an IPv4 or IPv6 network (prefix length out of range)".into())
    );
    assert_eq!(validate_policy_value(O::BinaryEquals, "QQ=="), Ok(()));
    assert!(validate_policy_value(O::BinaryEquals, "Q").is_err());
    // Strings, ARNs, Bool and Null values are never errors here.
    for op in [O::StringEquals, O::StringLike, O::ArnLike, O::Bool, O::Null] {
        assert_eq!(
            validate_policy_value(op, "${not a number: 10.0.0.0/33"),
            Ok(())
        );
        assert_eq!(validate_policy_value(op, ""), Ok(()));
    }
}

#[test]
fn error_messages_are_lowercase_without_period() {
    use Operator as O;
    let cases = [
        (O::NumericEquals, ""),
        (O::NumericEquals, "1e3"),
        (O::DateEquals, "x"),
        (O::DateEquals, "2020-02-30"),
        (O::DateEquals, "2020-01-01T00:00:00.0000000001Z"),
        (O::DateEquals, "99999999999999999999"),
        (O::IpAddress, "x"),
        (O::IpAddress, "1.2.3.4/x"),
        (O::BinaryEquals, "Q"),
        (O::BinaryEquals, "QR=="),
        (O::BinaryEquals, "QQ="),
    ];
    for (op, value) in cases {
        let msg = value_error(op, value).unwrap_err();
        assert!(msg.starts_with('`'), "{msg}");
        assert!(!msg.ends_with('.'), "{msg}");
        assert!(!msg.contains('\n'), "{msg}");
        let err_text = msg.split(" is not ").nth(1).unwrap();
        assert!(err_text.chars().next().unwrap().is_lowercase(), "{msg}");
    }
    let err = Decimal::parse("x").unwrap_err();
    assert_eq!(
        err.to_string(),
        "not a decimal number (only digits, a sign and one `.` are allowed)"
    );
}

#[test]
fn value_types_of_operators() {
    use Operator as O;
    assert_eq!(value_type(O::StringNotLike), ValueType::String);
    assert_eq!(value_type(O::NumericGreaterThanEquals), ValueType::Number);
    assert_eq!(value_type(O::DateNotEquals), ValueType::Date);
    assert_eq!(value_type(O::Bool), ValueType::Bool);
    assert_eq!(value_type(O::BinaryEquals), ValueType::Base64);
    assert_eq!(value_type(O::NotIpAddress), ValueType::Network);
    assert_eq!(value_type(O::ArnNotLike), ValueType::Arn);
    assert_eq!(value_type(O::Null), ValueType::Null);
}

#[test]
fn owned_decimals_keep_their_value() {
    let owned = OwnedDecimal::new(num("-0012.3400"));
    assert_eq!(owned.as_decimal(), num("-12.34"));
    assert!(owned.as_decimal().is_negative());
}
