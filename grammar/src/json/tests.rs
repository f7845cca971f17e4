//! Tests of the JSON reader: trees with spans, every error kind with its span
//! and message, limits, and property tests (no panics, print → parse round
//! trip).

use proptest::prelude::*;

/// The reader with the default limits.
fn parse(src: &str) -> Result<crate::Json, crate::ParseError> {
    super::parse(src, &crate::ParseLimits::default())
}
use crate::{
    ast::{Json, JsonKind},
    span::Span,
    MAX_INPUT_BYTES, MAX_JSON_DEPTH,
};

/// A compact rendering of a tree with spans: `kind@start..end`, strings and
/// keys in Rust debug quoting, numbers as their text.
fn render(json: &Json) -> String {
    let span = format!("@{}..{}", json.span.start, json.span.end);
    match &json.kind {
        JsonKind::Null => format!("null{span}"),
        JsonKind::Bool(b) => format!("{b}{span}"),
        JsonKind::Number(n) => format!("{n}{span}"),
        JsonKind::String(s) => format!("{s:?}{span}"),
        JsonKind::Array(items) => {
            let items: Vec<String> = items.iter().map(render).collect();
            format!("[{}]{span}", items.join(", "))
        }
        JsonKind::Object(members) => {
            let members: Vec<String> = members
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{:?}@{}..{}: {}",
                        k.node,
                        k.span.start,
                        k.span.end,
                        render(v)
                    )
                })
                .collect();
            format!("{{{}}}{span}", members.join(", "))
        }
    }
}

/// Parses `input` and compares the rendered tree, or the error as
/// `start..end: message`, with `expected`.
#[track_caller]
fn check(input: &str, expected: &str) {
    let actual = match parse(input) {
        Ok(json) => render(&json),
        Err(e) => format!("{}..{}: {}", e.span.start, e.span.end, e),
    };
    assert_eq!(actual, expected, "input: {input:?}");
}

#[test]
fn scalars() {
    check("null", "null@0..4");
    check("true", "true@0..4");
    check("false", "false@0..5");
    check("\"\"", "\"\"@0..2");
    check("\"abc\"", "\"abc\"@0..5");
    check("0", "0@0..1");
    check("-0", "-0@0..2");
    check("-1.5e3", "-1.5e3@0..6");
    check("10E+2", "10E+2@0..5");
    check("1.25e-07", "1.25e-07@0..8");
    check(
        "123456789012345678901234567890",
        "123456789012345678901234567890@0..30",
    );
}

#[test]
fn containers_keep_order_and_repeats() {
    check("[]", "[]@0..2");
    check("{}", "{}@0..2");
    check("[ 1 , [ ] ]", "[1@2..3, []@6..9]@0..11");
    check(
        r#"{"b":1,"a":2,"b":3}"#,
        r#"{"b"@1..4: 1@5..6, "a"@7..10: 2@11..12, "b"@13..16: 3@17..18}@0..19"#,
    );
    check(
        "{ \"k\" : { \"x\" : [ null ] } }",
        r#"{"k"@2..5: {"x"@10..13: [null@18..22]@16..24}@8..26}@0..28"#,
    );
}

#[test]
fn whitespace_and_bom() {
    check(" \t\r\n 1 \n", "1@5..6");
    // The BOM is skipped but still counted: spans index the caller's text.
    check("\u{feff}[true]", "[true@4..8]@3..9");
    // Only the four JSON whitespace characters are whitespace.
    check("\u{a0}1", "0..2: expected a value, found character U+00A0");
    check(
        "[1,\u{b}2]",
        "3..4: expected a value, found control character U+000B",
    );
}

#[test]
fn string_escapes() {
    check(r#""\"\\\/\b\f\n\r\t""#, r#""\"\\/\u{8}\u{c}\n\r\t"@0..18"#);
    check(r#""\u0041\u00e9\u20AC""#, r#""Aé€"@0..20"#);
    check(r#""\ud83d\ude00""#, r#""😀"@0..14"#);
    check(r#""\u0000""#, r#""\0"@0..8"#);
    check("\"é😀\"", "\"é😀\"@0..8");
    // Lone or misordered surrogates.
    check(r#""\ud83d""#, "1..7: invalid escape sequence in string");
    check(r#""\ud83dx""#, "1..7: invalid escape sequence in string");
    check(
        r#""a\ude00\ud83d""#,
        "2..8: invalid escape sequence in string",
    );
    check(
        r#""\ud83d\u0041""#,
        "1..7: invalid escape sequence in string",
    );
    // Malformed escapes.
    check(r#""\x""#, "1..3: invalid escape sequence in string");
    check(r#""\é""#, "1..4: invalid escape sequence in string");
    check(r#""\u12G4""#, "1..7: invalid escape sequence in string");
    check(r#""\u12""#, "1..5: invalid escape sequence in string");
    check(r#""\U0041""#, "1..3: invalid escape sequence in string");
}

#[test]
fn string_errors() {
    check("\"abc", "0..1: unterminated string");
    check("[\"abc\\", "1..2: unterminated string");
    check(
        "\"a\nb\"",
        "2..3: expected `\"` or a string character, found control character U+000A",
    );
    check(
        "\"a\tb\"",
        "2..3: expected `\"` or a string character, found control character U+0009",
    );
    // DEL and C1 controls are allowed unescaped by RFC 8259.
    check("\"\u{7f}\u{85}\"", "\"\\u{7f}\\u{85}\"@0..5");
}

#[test]
fn number_errors() {
    check("01", "0..2: invalid number");
    check("-", "0..1: invalid number");
    check("1.", "0..2: invalid number");
    check("1.e5", "0..4: invalid number");
    check("1e", "0..2: invalid number");
    check("1e+", "0..3: invalid number");
    check("[1,-]", "3..4: invalid number");
    check("-Infinity", "0..9: invalid number");
    check("0x10", "0..4: invalid number");
    check("1.5.3", "0..5: invalid number");
    check("+1", "0..1: expected a value, found `+`");
    check(".5", "0..1: expected a value, found `.`");
    check("NaN", "0..3: expected a value, found `NaN`");
}

#[test]
fn syntax_errors() {
    check("", "0..0: expected a value, found end of input");
    check("   ", "3..3: expected a value, found end of input");
    check("[", "1..1: expected a value or `]`, found end of input");
    check("[1", "2..2: expected `,` or `]`, found end of input");
    check("[1}", "2..3: expected `,` or `]`, found `}`");
    check("[1,]", "3..4: expected a value, found `]`");
    check("[1 2]", "3..4: expected `,` or `]`, found `2`");
    check(
        "{",
        "1..1: expected a string key or `}`, found end of input",
    );
    check("{\"a\":1]", "6..7: expected `,` or `}`, found `]`");
    check("{\"a\":1,}", "7..8: expected a string key, found `}`");
    check("{a:1}", "1..2: expected a string key or `}`, found `a`");
    check("{'a':1}", "1..2: expected a string key or `}`, found `'`");
    check("{\"a\" 1}", "5..6: expected `:`, found `1`");
    check("{\"a\":}", "5..6: expected a value, found `}`");
    check("{\"a\"", "4..4: expected `:`, found end of input");
    check("[True]", "1..5: expected a value or `]`, found `True`");
    check("[truex]", "1..6: expected a value or `]`, found `truex`");
    check("[nul]", "1..4: expected a value or `]`, found `nul`");
    check("[`]", "1..2: expected a value or `]`, found `` ` ``");
    check("// c\n1", "0..1: expected a value, found `/`");
}

#[test]
fn trailing_text() {
    check(
        "{} x",
        "3..4: unexpected text after the end of the document",
    );
    check("1 2", "2..3: unexpected text after the end of the document");
    check("[]]", "2..3: unexpected text after the end of the document");
    check(
        "{}{}",
        "2..3: unexpected text after the end of the document",
    );
    check("nulll", "0..5: expected a value, found `nulll`");
    check(
        "\"a\"\"b\"",
        "3..4: unexpected text after the end of the document",
    );
    check(
        "1\u{0}",
        "1..2: unexpected text after the end of the document",
    );
}

fn nested(depth: usize) -> String {
    "[".repeat(depth) + &"]".repeat(depth)
}

#[test]
fn depth_limit() {
    assert!(parse(&nested(MAX_JSON_DEPTH)).is_ok());
    let deep_objects = "{\"a\":".repeat(MAX_JSON_DEPTH) + "1" + &"}".repeat(MAX_JSON_DEPTH);
    assert!(parse(&deep_objects).is_ok());

    let too_deep = nested(MAX_JSON_DEPTH + 1);
    let err = parse(&too_deep).err();
    let at = MAX_JSON_DEPTH;
    assert_eq!(
        err.map(|e| format!("{}..{}: {}", e.span.start, e.span.end, e)),
        Some(format!("{at}..{}: nesting deeper than 64 levels", at + 1))
    );
    // Far deeper than any stack could recurse: still a plain error.
    let huge = nested(1_000_000);
    assert!(matches!(
        parse(&huge).map_err(|e| e.kind),
        Err(crate::ParseErrorKind::TooDeep(_))
    ));
    let huge = "{\"a\":[".repeat(200_000);
    assert!(matches!(
        parse(&huge).map_err(|e| e.kind),
        Err(crate::ParseErrorKind::TooDeep(_))
    ));
}

#[test]
fn size_limit() {
    let mut big = String::with_capacity(MAX_INPUT_BYTES + 1);
    big.push_str(&" ".repeat(MAX_INPUT_BYTES - 1));
    big.push('1');
    assert!(parse(&big).is_ok());
    big.push(' ');
    check_err_kind(&big, crate::ParseErrorKind::TooLarge(MAX_INPUT_BYTES));
}

fn with_limits(src: &str, limits: crate::ParseLimits) -> Result<crate::Json, crate::ParseError> {
    super::parse(src, &limits)
}

#[test]
fn configured_size_limit() {
    let limits = crate::ParseLimits {
        input_bytes: 10,
        ..crate::ParseLimits::default()
    };
    assert!(with_limits("[1,2,3,45]", limits).is_ok());
    let err = with_limits("[1,2,3,456]", limits).err();
    assert_eq!(
        err.map(|e| e.kind),
        Some(crate::ParseErrorKind::TooLarge(10))
    );
}

#[test]
fn string_limit_counts_decoded_bytes_of_values_and_keys() {
    let limits = crate::ParseLimits {
        string_bytes: 4,
        ..crate::ParseLimits::default()
    };
    let kind = |src: &str| with_limits(src, limits).err().map(|e| (e.span, e.kind));
    assert!(with_limits(r#"{"abcd":"wxyz","k":"\u00e9\u00e9"}"#, limits).is_ok());
    let too_long = crate::ParseErrorKind::StringTooLong(4);
    assert_eq!(
        kind(r#"["abcde"]"#),
        Some((Span::new(1, 2), too_long.clone()))
    );
    assert_eq!(
        kind(r#"{"k":1, "abcde":1}"#),
        Some((Span::new(8, 9), too_long.clone()))
    );
    // Escapes count as what they decode to: `\u00e9` is two bytes.
    assert_eq!(
        kind(r#"["ab\u00e9é"]"#),
        Some((Span::new(1, 2), too_long.clone()))
    );
    assert!(with_limits(r#"["a\n\tb"]"#, limits).is_ok());
    assert_eq!(kind(r#"["a\n\tbc"]"#), Some((Span::new(1, 2), too_long)));
    // The default is generous: 64 KiB.
    let long = format!("\"{}\"", "a".repeat(64 * 1024));
    assert!(parse(&long).is_ok());
    let longer = format!("\"{}\"", "a".repeat(64 * 1024 + 1));
    assert_eq!(
        parse(&longer).err().map(|e| e.kind),
        Some(crate::ParseErrorKind::StringTooLong(64 * 1024))
    );
}

#[test]
fn depth_limit_is_configurable_up_to_the_ceiling() {
    use crate::JSON_DEPTH_CEILING;
    let raised = crate::ParseLimits {
        json_depth: 100,
        ..crate::ParseLimits::default()
    };
    assert!(with_limits(&nested(100), raised).is_ok());
    let err = with_limits(&nested(101), raised).err().map(|e| e.kind);
    assert_eq!(err, Some(crate::ParseErrorKind::TooDeep(100)));
    // However high the configuration, the reader's recursion stays bounded
    // (this runs on a test thread's small stack, in a debug build).
    let unbounded = crate::ParseLimits {
        json_depth: usize::MAX,
        ..crate::ParseLimits::default()
    };
    assert!(with_limits(&nested(JSON_DEPTH_CEILING), unbounded).is_ok());
    let err = with_limits(&nested(JSON_DEPTH_CEILING + 1), unbounded)
        .err()
        .map(|e| e.kind);
    assert_eq!(
        err,
        Some(crate::ParseErrorKind::TooDeep(JSON_DEPTH_CEILING))
    );
    let deep_objects = "{\"a\":".repeat(JSON_DEPTH_CEILING) + "1" + &"}".repeat(JSON_DEPTH_CEILING);
    assert!(with_limits(&deep_objects, unbounded).is_ok());
}

#[track_caller]
fn check_err_kind(input: &str, expected: crate::ParseErrorKind) {
    assert_eq!(parse(input).map_err(|e| e.kind).err(), Some(expected));
}

#[test]
fn long_inputs_are_fine() {
    // Many members and long strings: linear work, no recursion per member.
    let members: Vec<String> = (0..50_000)
        .map(|i| format!("\"k{i}\":[{i},\"v\\n\"]"))
        .collect();
    let text = format!("{{{}}}", members.join(","));
    let Ok(Json {
        kind: JsonKind::Object(members),
        ..
    }) = parse(&text)
    else {
        unreachable!("a valid object")
    };
    assert_eq!(members.len(), 50_000);
}

// ---------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------

/// A JSON value without spans, for comparing trees modulo spans.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

fn strip(json: &Json) -> Value {
    match &json.kind {
        JsonKind::Null => Value::Null,
        JsonKind::Bool(b) => Value::Bool(*b),
        JsonKind::Number(n) => Value::Number(n.clone()),
        JsonKind::String(s) => Value::String(s.clone()),
        JsonKind::Array(items) => Value::Array(items.iter().map(strip).collect()),
        JsonKind::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| (k.node.clone(), strip(v)))
                .collect(),
        ),
    }
}

/// Prints `value` as JSON; `style` picks whitespace and escape spellings, so
/// the same tree is printed many ways.
fn print(value: &Value, style: u64, out: &mut String) {
    let pad = |out: &mut String, n: u64| {
        out.push_str(match n % 5 {
            0 => "",
            1 => " ",
            2 => "\n  ",
            3 => "\t",
            _ => "\r\n",
        });
    };
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(n),
        Value::String(s) => print_string(s, style, out),
        Value::Array(items) => {
            out.push('[');
            for (idx, item) in items.iter().enumerate() {
                if idx > 0 {
                    out.push(',');
                }
                pad(out, style.rotate_left(idx as u32 * 3));
                print(item, style.rotate_right(idx as u32 + 1), out);
                pad(out, style >> 7);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (idx, (key, value)) in members.iter().enumerate() {
                if idx > 0 {
                    out.push(',');
                }
                pad(out, style.rotate_left(idx as u32 * 5));
                print_string(key, style, out);
                pad(out, style >> 3);
                out.push(':');
                pad(out, style >> 5);
                print(value, style.rotate_right(idx as u32 + 7), out);
            }
            pad(out, style >> 11);
            out.push('}');
        }
    }
}

fn print_string(s: &str, style: u64, out: &mut String) {
    out.push('"');
    for (idx, c) in s.chars().enumerate() {
        let escape_all = style.rotate_left(idx as u32) & 1 == 1;
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' if !escape_all => out.push_str("\\n"),
            '/' if escape_all => out.push_str("\\/"),
            c if c < ' ' || escape_all => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn arb_number() -> impl Strategy<Value = String> {
    proptest::string::string_regex("-?(0|[1-9][0-9]{0,20})(\\.[0-9]{1,5})?([eE][+-]?[0-9]{1,3})?")
        .unwrap_or_else(|_| unreachable!("a valid regex"))
}

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        arb_number().prop_map(Value::Number),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(8, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((any::<String>(), inner), 0..6).prop_map(Value::Object),
        ]
    })
}

proptest! {
    #[test]
    fn print_then_parse_gives_the_same_tree(value in arb_value(), style in any::<u64>()) {
        let mut text = String::new();
        print(&value, style, &mut text);
        let parsed = parse(&text).map(|json| strip(&json));
        prop_assert_eq!(parsed, Ok(value));
    }

    #[test]
    fn spans_cover_their_text(value in arb_value(), style in any::<u64>()) {
        let mut text = String::new();
        print(&value, style, &mut text);
        let json = parse(&text).map_err(|e| e.to_string());
        prop_assert!(json.is_ok());
        if let Ok(json) = json {
            // Re-parsing the text under each span gives the same subtree.
            let mut stack = vec![&json];
            while let Some(node) = stack.pop() {
                let sub = text.get(node.span.start as usize..node.span.end as usize);
                prop_assert!(sub.is_some());
                let reparsed = parse(sub.unwrap_or("")).map(|j| strip(&j));
                prop_assert_eq!(reparsed, Ok(strip(node)));
                match &node.kind {
                    JsonKind::Array(items) => stack.extend(items),
                    JsonKind::Object(members) => stack.extend(members.iter().map(|(_, v)| v)),
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = parse(&text);
    }

    #[test]
    fn json_like_text_never_panics(text in "[\\[\\]{}:,\"\\\\ u0-9a-fA-Ftrueflsn.eE+-]{0,64}") {
        // Errors always have a span inside the text (or empty at its end).
        if let Err(e) = parse(&text) {
            prop_assert!(e.span.start <= e.span.end);
            prop_assert!(e.span.end as usize <= text.len());
        }
    }
}
