//! Tests of the YAML template reader: scalars, short-form tags, spans in
//! bytes, and hostile texts (deep nesting, alias bombs, long strings) that
//! stop with an error.

use crate::{
    ast::{Json, JsonKind},
    error::{ParseError, ParseErrorKind},
    limits::ParseLimits,
};

fn parse(src: &str) -> Result<Json, ParseError> {
    super::parse(src, &ParseLimits::default())
}

/// A compact JSON-like rendering: strings quoted, numbers bare.
fn show(json: &Json) -> String {
    match &json.kind {
        JsonKind::Null => "null".to_string(),
        JsonKind::Bool(b) => b.to_string(),
        JsonKind::Number(n) => n.clone(),
        JsonKind::String(s) => format!("{s:?}"),
        JsonKind::Array(items) => {
            let items: Vec<String> = items.iter().map(show).collect();
            format!("[{}]", items.join(","))
        }
        JsonKind::Object(members) => {
            let members: Vec<String> = members
                .iter()
                .map(|(k, v)| format!("{:?}:{}", k.node, show(v)))
                .collect();
            format!("{{{}}}", members.join(","))
        }
    }
}

fn read(src: &str) -> String {
    match parse(src) {
        Ok(json) => show(&json),
        Err(e) => format!("error {}..{}: {}", e.span.start, e.span.end, e),
    }
}

#[test]
fn scalars_follow_the_json_schema() {
    assert_eq!(
        read("a: 1\nb: true\nc: ~\nd: 2012-10-17\ne: '1'\nf: \"x\"\ng: 1.5e3\nh: 0777\ni: False\n"),
        r#"{"a":1,"b":true,"c":null,"d":"2012-10-17","e":"1","f":"x","g":1.5e3,"h":"0777","i":false}"#
    );
    assert_eq!(read("a: !!str 12\n"), r#"{"a":"12"}"#);
    assert_eq!(read("a: |\n  x\n  y\n"), "{\"a\":\"x\\ny\\n\"}");
}

#[test]
fn short_forms_are_their_long_form() {
    assert_eq!(read("a: !Ref Role\n"), r#"{"a":{"Ref":"Role"}}"#);
    assert_eq!(
        read("a: !GetAtt Role.Arn\n"),
        r#"{"a":{"Fn::GetAtt":["Role","Arn"]}}"#
    );
    assert_eq!(
        read("a: !GetAtt [Role, Arn]\n"),
        r#"{"a":{"Fn::GetAtt":["Role","Arn"]}}"#
    );
    assert_eq!(
        read("a: !Sub 'arn:${AWS::Partition}:x'\n"),
        r#"{"a":{"Fn::Sub":"arn:${AWS::Partition}:x"}}"#
    );
    assert_eq!(
        read("a: !If [C, !Join ['', [x, !Ref P]], !Ref AWS::NoValue]\n"),
        r#"{"a":{"Fn::If":["C",{"Fn::Join":["",["x",{"Ref":"P"}]]},{"Ref":"AWS::NoValue"}]}}"#
    );
    for (short, long) in super::SHORT_FORMS {
        let text = format!("a: !{short} x\n");
        assert!(read(&text).contains(&format!("{{\"{long}\":")), "{short}");
    }
    assert_eq!(
        read("a: !Equals [!Ref P, x]\nb: !Condition C\n"),
        r#"{"a":{"Fn::Equals":[{"Ref":"P"},"x"]},"b":{"Condition":"C"}}"#
    );
}

#[test]
fn unknown_tags_are_errors() {
    assert_eq!(
        read("a: !Reff x\n"),
        "error 3..10: unknown YAML tag `!Reff`"
    );
}

#[test]
fn spans_are_bytes_and_point_at_the_node() {
    let src = "Résumé: é\nKey:\n  - !Ref Thing\n";
    let Ok(json) = parse(src) else {
        panic!("parses");
    };
    let JsonKind::Object(members) = &json.kind else {
        panic!("an object");
    };
    let texts: Vec<(&str, &str)> = members
        .iter()
        .map(|(k, v)| (&src[k.span.start as usize..k.span.end as usize], v))
        .map(|(k, v)| (k, &src[v.span.start as usize..v.span.end as usize]))
        .collect();
    assert_eq!(texts, vec![("Résumé", "é"), ("Key", "- !Ref Thing")]);
}

#[test]
fn syntax_errors_have_a_place() {
    let got = read("a: [1, 2\nb: 3\n");
    assert!(got.starts_with("error "), "{got}");
    assert!(got.contains("invalid YAML"), "{got}");
    assert_eq!(
        read(""),
        "error 0..0: expected a YAML document, found an empty text"
    );
    assert_eq!(
        read("a: 1\n---\nb: 2\n"),
        "error 5..8: unexpected text after the end of the document"
    );
    assert_eq!(
        read("? [a]\n: 1\n"),
        "error 2..5: expected a scalar key, found a collection"
    );
}

#[test]
fn deep_nesting_stops_at_the_depth_limit() {
    let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
    let Err(e) = parse(&deep) else {
        panic!("too deep");
    };
    assert_eq!(e.kind, ParseErrorKind::TooDeep(crate::MAX_JSON_DEPTH));
    // Far deeper, the parser's own bound stops it first: an error all the same.
    let deeper = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(
        parse(&deeper).map_err(|e| e.kind),
        Err(ParseErrorKind::TooDeep(crate::MAX_JSON_DEPTH))
    );
    let block: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    assert!(matches!(
        parse(&block).map_err(|e| e.kind),
        Err(ParseErrorKind::TooDeep(_))
    ));
    let tags = format!("a: {}x{}\n", "!Not [".repeat(40), "]".repeat(40));
    assert!(matches!(
        parse(&tags).map_err(|e| e.kind),
        Err(ParseErrorKind::TooDeep(_))
    ));
}

#[test]
fn alias_bombs_stop_at_the_expansion_bound() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = i - 1;
        bomb += &format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{prev}"); 10].join(", ")
        );
    }
    let Err(e) = parse(&bomb) else {
        panic!("the bomb is defused");
    };
    assert!(
        matches!(e.kind, ParseErrorKind::AliasExpansion(n) if n == bomb.len() + super::NODE_ALLOWANCE),
        "{e:?}"
    );
    // A few aliases are fine.
    assert_eq!(read("a: &x [1, 2]\nb: *x\n"), r#"{"a":[1,2],"b":[1,2]}"#);
}

#[test]
fn long_strings_and_large_inputs_are_errors() {
    let limits = ParseLimits {
        string_bytes: 16,
        ..ParseLimits::default()
    };
    let long = format!("a: {}\n", "x".repeat(17));
    assert_eq!(
        super::parse(&long, &limits).map_err(|e| e.kind),
        Err(ParseErrorKind::StringTooLong(16))
    );
    let limits = ParseLimits {
        input_bytes: 4,
        ..ParseLimits::default()
    };
    assert_eq!(
        super::parse("a: 12345\n", &limits).map_err(|e| e.kind),
        Err(ParseErrorKind::TooLarge(4))
    );
}

#[test]
fn json_numbers() {
    for yes in ["0", "-1", "1.5", "1e9", "1.5E-3"] {
        assert!(super::is_json_number(yes), "{yes}");
    }
    for no in ["", "-", "01", "1.", ".5", "1e", "0x1F", "+1", "1_000"] {
        assert!(!super::is_json_number(no), "{no}");
    }
}
