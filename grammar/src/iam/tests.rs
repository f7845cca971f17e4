//! Tests of the IAM policy reader: unit tests with a compact rendering, the
//! data-driven cases in `grammar/test_data/iam/{ok,err}`, every real AWS
//! managed policy in `examples/policies`, and property tests.

use std::{
    fmt::Write as _,
    fs,
    path::{Path as FsPath, PathBuf},
};

use proptest::prelude::*;

/// The policy reader with the default limits.
fn parse_policy(src: &str) -> Result<crate::Policy, Vec<crate::ParseError>> {
    super::parse_policy(src, &crate::ParseLimits::default())
}
use crate::{
    ast::{Policy, Principal, Statement},
    error::ParseError,
    span::Spanned,
    ParseErrorKind, MAX_INPUT_BYTES, MAX_JSON_DEPTH,
};

// ---------------------------------------------------------------------------
// Unit tests
// ---------------------------------------------------------------------------

fn sp<T>(s: &Spanned<T>) -> String {
    format!("@{}..{}", s.span.start, s.span.end)
}

fn list(l: &Spanned<Vec<Spanned<String>>>) -> String {
    let items: Vec<String> = l
        .node
        .iter()
        .map(|i| format!("{:?}{}", i.node, sp(i)))
        .collect();
    format!("{} [{}]", sp(l), items.join(", "))
}

/// A compact rendering of a policy, one field per line.
fn render(policy: &Policy) -> String {
    let mut out = format!("policy @{}..{}\n", policy.span.start, policy.span.end);
    if let Some(v) = &policy.version {
        let _ = writeln!(out, "version {:?}{}", v.node, sp(v));
    }
    if let Some(id) = &policy.id {
        let _ = writeln!(out, "id {:?}{}", id.node, sp(id));
    }
    if let Some(statements) = &policy.statements {
        let _ = writeln!(out, "statements{}", sp(statements));
        for st in &statements.node {
            render_statement(st, &mut out);
        }
    }
    out
}

fn render_statement(st: &Statement, out: &mut String) {
    let _ = writeln!(out, "  statement @{}..{}", st.span.start, st.span.end);
    let strings = [("sid", &st.sid), ("effect", &st.effect)];
    for (name, field) in strings {
        if let Some(f) = field {
            let _ = writeln!(out, "    {name} {:?}{}", f.node, sp(f));
        }
    }
    let lists = [
        ("action", &st.action),
        ("not_action", &st.not_action),
        ("resource", &st.resource),
        ("not_resource", &st.not_resource),
    ];
    for (name, field) in lists {
        if let Some(f) = field {
            let _ = writeln!(out, "    {name}{}", list(f));
        }
    }
    for (name, field) in [
        ("principal", &st.principal),
        ("not_principal", &st.not_principal),
    ] {
        if let Some(p) = field {
            match &p.node {
                Principal::Bare(s) => {
                    let _ = writeln!(out, "    {name}{} bare {:?}{}", sp(p), s.node, sp(s));
                }
                Principal::Map(entries) => {
                    let _ = writeln!(out, "    {name}{} map", sp(p));
                    for (k, v) in entries {
                        let _ = writeln!(out, "      {:?}{}{}", k.node, sp(k), list(v));
                    }
                }
            }
        }
    }
    if let Some(c) = &st.condition {
        let _ = writeln!(out, "    condition{}", sp(c));
        for op in &c.node.operators {
            let _ = writeln!(out, "      {}{}", op.name.node, sp(&op.name));
            for entry in &op.entries {
                let _ = writeln!(
                    out,
                    "        {}{}{}",
                    entry.key.node,
                    sp(&entry.key),
                    list(&entry.values)
                );
            }
        }
    }
}

fn render_errors(errors: &[ParseError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}..{}: {}\n", e.span.start, e.span.end, e))
        .collect()
}

/// Parses `input` as a policy and compares the rendering (or the errors, one
/// `start..end: message` line each) with `expected`, ignoring leading
/// indentation of `expected`.
#[track_caller]
fn check(input: &str, expected: &str) {
    let actual = match parse_policy(input) {
        Ok(policy) => render(&policy),
        Err(errors) => render_errors(&errors),
    };
    let expected: String = expected
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("{}\n", l.strip_prefix("        ").unwrap_or(l)))
        .collect();
    assert_eq!(actual, expected, "input: {input}");
}

#[test]
fn statement_object_and_array() {
    // X12: a statement object is read as a one-element list.
    check(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"chime:List*","Resource":"*"}}"#,
        r#"
        policy @0..93
        version "2012-10-17"@11..23
        statements@36..92
          statement @36..92
            effect "Allow"@46..53
            action@63..76 ["chime:List*"@63..76]
            resource@88..91 ["*"@88..91]
        "#,
    );
    check(
        r#"{"Statement":[{"Effect":"Deny","NotAction":["a:b","c:*"],"NotResource":[]}]}"#,
        r#"
        policy @0..76
        statements@13..75
          statement @14..74
            effect "Deny"@24..30
            not_action@43..56 ["a:b"@44..49, "c:*"@50..55]
            not_resource@71..73 []
        "#,
    );
}

#[test]
fn syntax_level_oddities_parse() {
    // X11: an empty statement array; V4 is the compiler's.
    check(r#"{"Statement":[]}"#, "policy @0..16\nstatements@13..15");
    // No Statement at all, no Version: the compiler reports V4.
    check(r#"{"Id":"x"}"#, "policy @0..10\nid \"x\"@6..9");
    // X13 (both Action and NotAction), X14 (lowercase effect), V8 (empty
    // list), X15 (Principal in an identity policy): all the compiler's.
    check(
        r#"{"Statement":{"Effect":"allow","Action":[],"NotAction":"*","Principal":"*"}}"#,
        r#"
        policy @0..76
        statements@13..75
          statement @13..75
            effect "allow"@23..30
            action@40..42 []
            not_action@55..58 ["*"@55..58]
            principal@71..74 bare "*"@71..74
        "#,
    );
}

#[test]
fn principal_map_and_condition_values() {
    check(
        r#"{"Statement":{"Principal":{"AWS":["arn:a","arn:b"],"Service":"x.amazonaws.com"},
"Condition":{"NumericLessThan":{"k":10,"b":[true,false,"s",-1.5e3]},"Null":{}}}}"#,
        r#"
        policy @0..161
        statements@13..160
          statement @13..160
            principal@26..79 map
              "AWS"@27..32@33..50 ["arn:a"@34..41, "arn:b"@42..49]
              "Service"@51..60@61..78 ["x.amazonaws.com"@61..78]
            condition@93..159
              NumericLessThan@94..111
                k@113..116@117..119 ["10"@117..119]
                b@120..123@124..147 ["true"@125..129, "false"@130..135, "s"@136..139, "-1.5e3"@140..146]
              Null@149..155
        "#,
    );
}

#[test]
fn keys_are_checked() {
    // V1: unknown and lowercase keys, repeats at the second occurrence.
    check(
        r#"{"Version":"2012-10-17","statement":[],"Version":"x","Extra":1}"#,
        "
        24..35: unknown key `statement` in policy document
        39..48: duplicate key `Version`
        53..60: unknown key `Extra` in policy document
        ",
    );
    // V5: statement keys; repeats in statements, conditions, principals.
    check(
        r#"{"Statement":{"Effect":"Allow","Effect":"Deny","Actions":"*",
"Principal":{"AWS":"a","AWS":"b"},
"Condition":{"Bool":{"k":"1","k":"2"},"Bool":{}}}}"#,
        "
        31..39: duplicate key `Effect`
        47..56: unknown key `Actions` in statement
        85..90: duplicate key `AWS`
        126..129: duplicate key `k`
        135..141: duplicate key `Bool`
        ",
    );
}

#[test]
fn types_are_checked() {
    check(
        r#"[{"Statement":[]}]"#,
        "0..18: `policy document` must be an object",
    );
    check(
        r#"{"Version":2012,"Id":null,"Statement":"x"}"#,
        "
        11..15: `Version` must be a string
        21..25: `Id` must be a string
        38..41: `Statement` must be an object or an array of objects
        ",
    );
    check(
        r#"{"Statement":[{"Sid":1,"Effect":true,"Action":{},"Resource":["a",2,["b"]]},"x",
{"Principal":1,"NotPrincipal":{"AWS":[1]},"Condition":[]}]}"#,
        "
        21..22: `Statement[0].Sid` must be a string
        32..36: `Statement[0].Effect` must be a string
        46..48: `Statement[0].Action` must be a string or an array of strings
        65..66: `Statement[0].Resource[1]` must be a string
        67..72: `Statement[0].Resource[2]` must be a string
        75..78: `Statement[1]` must be an object
        93..94: `Statement[2].Principal` must be a string or an object
        118..119: `Statement[2].NotPrincipal.AWS[0]` must be a string
        134..136: `Statement[2].Condition` must be an object
        ",
    );
    // V12: nested arrays, objects and null are not condition values.
    check(
        r#"{"Statement":{"Condition":{"A":{"k":[["x"]],"l":{},"m":null,"n":[null,1]},"B":"x"}}}"#,
        "
        37..42: `Statement.Condition.A.k[0]` must be a string, a boolean or a number
        48..50: `Statement.Condition.A.l` must be a string, a boolean, a number or an array of those
        55..59: `Statement.Condition.A.m` must be a string, a boolean, a number or an array of those
        65..69: `Statement.Condition.A.n[0]` must be a string, a boolean or a number
        78..81: `Statement.Condition.B` must be an object
        ",
    );
}

#[test]
fn json_errors_come_first_and_alone() {
    check(
        r#"{"Statement":[]} x"#,
        "17..18: unexpected text after the end of the document",
    );
    check(
        r#"{"Version":"2012-10-17""#,
        "23..23: expected `,` or `}`, found end of input",
    );
    check(
        r#"{"Sid":"\ud800"}"#,
        "8..14: invalid escape sequence in string",
    );
    check("", "0..0: expected a value, found end of input");
}

#[test]
fn unicode_escapes_decode() {
    check(
        r#"{"Id":"caf\u00e9 \ud83d\ude00 \u2603"}"#,
        "policy @0..38\nid \"café 😀 ☃\"@6..37",
    );
}

#[test]
fn limits() {
    let depth = MAX_JSON_DEPTH + 1;
    let deep = format!(
        r#"{{"Statement":{{"Condition":{}1{}}}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let errors = parse_policy(&deep).err().unwrap_or_default();
    assert_eq!(
        errors.iter().map(|e| &e.kind).collect::<Vec<_>>(),
        [&ParseErrorKind::TooDeep(MAX_JSON_DEPTH)]
    );

    let big = format!(r#"{{"Id":"{}"}}"#, "x".repeat(MAX_INPUT_BYTES));
    let errors = parse_policy(&big).err().unwrap_or_default();
    assert_eq!(
        errors.iter().map(|e| &e.kind).collect::<Vec<_>>(),
        [&ParseErrorKind::TooLarge(MAX_INPUT_BYTES)]
    );
}

#[test]
fn statement_limit() {
    let limits = crate::ParseLimits {
        statements: 2,
        ..crate::ParseLimits::default()
    };
    let st = r#"{"Effect":"Allow","Action":"chime:List*","Resource":"*"}"#;
    let doc = |n: usize| format!(r#"{{"Statement":[{}]}}"#, vec![st; n].join(","));
    assert!(super::parse_policy(&doc(2), &limits).is_ok());
    // A single statement object is one statement.
    assert!(super::parse_policy(&format!(r#"{{"Statement":{st}}}"#), &limits).is_ok());
    let src = doc(3);
    let errors = super::parse_policy(&src, &limits).err().unwrap_or_default();
    assert_eq!(
        errors.iter().map(|e| &e.kind).collect::<Vec<_>>(),
        [&ParseErrorKind::TooManyStatements(2)]
    );
    // The error points at the first statement over the limit.
    let third = src.rfind('{').unwrap_or(0);
    assert_eq!(errors.first().map(|e| e.span.start as usize), Some(third));
    assert_eq!(
        errors.first().map(ToString::to_string).as_deref(),
        Some("more than 2 statements in one policy")
    );
    // The default is generous.
    assert!(parse_policy(&doc(10_000)).is_ok());
    let errors = parse_policy(&doc(10_001)).err().unwrap_or_default();
    assert_eq!(
        errors.iter().map(|e| &e.kind).collect::<Vec<_>>(),
        [&ParseErrorKind::TooManyStatements(10_000)]
    );
}

#[test]
fn string_limit_in_a_policy() {
    let limits = crate::ParseLimits {
        string_bytes: 16,
        ..crate::ParseLimits::default()
    };
    let src =
        r#"{"Statement":{"Effect":"Allow","Action":"chime:ListUsersAndMore","Resource":"*"}}"#;
    let errors = super::parse_policy(src, &limits).err().unwrap_or_default();
    assert_eq!(
        errors
            .iter()
            .map(|e| (e.span.start, &e.kind))
            .collect::<Vec<_>>(),
        [(40, &ParseErrorKind::StringTooLong(16))]
    );
}

// ---------------------------------------------------------------------------
// Data-driven cases
// ---------------------------------------------------------------------------

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `*.json` files of `dir`, sorted.
fn json_files(dir: &FsPath) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Compares `actual` with the file `expected_path`, or rewrites the file when
/// `UPDATE_EXPECT` is set. Returns a description of the mismatch.
pub(crate) fn expect_file(expected_path: &FsPath, actual: &str) -> Option<String> {
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        return fs::write(expected_path, actual)
            .err()
            .map(|e| format!("{}: cannot write: {e}", expected_path.display()));
    }
    match fs::read_to_string(expected_path) {
        Ok(expected) if expected == actual => None,
        Ok(expected) => Some(format!(
            "{}: mismatch (rerun with UPDATE_EXPECT=1 to accept)\n--- expected\n{expected}\n--- actual\n{actual}",
            expected_path.display()
        )),
        Err(e) => Some(format!(
            "{}: {e} (run with UPDATE_EXPECT=1 to create it)",
            expected_path.display()
        )),
    }
}

/// Runs every `test_data/iam/ok/*.json` (must parse; `.ast` is the `{:#?}`
/// of the policy) and `test_data/iam/err/*.json` (must fail; `.err` has one
/// `start..end: message` line per error).
#[test]
fn data_driven() {
    let root = manifest_dir().join("test_data/iam");
    let mut failures = Vec::new();
    let mut n_cases = 0;
    for (dir, want_ok) in [("ok", true), ("err", false)] {
        for path in json_files(&root.join(dir)) {
            n_cases += 1;
            let src = fs::read_to_string(&path).unwrap_or_default();
            let (actual, ext) = match (parse_policy(&src), want_ok) {
                (Ok(policy), true) => (format!("{policy:#?}\n"), "ast"),
                (Err(errors), false) => (render_errors(&errors), "err"),
                (Ok(_), false) => {
                    failures.push(format!("{}: parsed, expected errors", path.display()));
                    continue;
                }
                (Err(errors), true) => {
                    failures.push(format!(
                        "{}: expected to parse, got\n{}",
                        path.display(),
                        render_errors(&errors)
                    ));
                    continue;
                }
            };
            failures.extend(expect_file(&path.with_extension(ext), &actual));
        }
    }
    assert!(
        n_cases >= 30,
        "only {n_cases} cases found under {}",
        root.display()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every real AWS managed policy in `examples/policies` parses, with the
/// statement count `index.json` records for it.
#[test]
fn real_managed_policies_parse() {
    let dir = manifest_dir().join("../examples/policies");
    let index = fs::read_to_string(dir.join("index.json")).unwrap_or_default();
    let index = crate::parse_json(&index).map_err(|e| e.to_string());
    let mut expected_counts = std::collections::HashMap::new();
    if let Ok(crate::Json {
        kind: crate::JsonKind::Object(members),
        ..
    }) = &index
    {
        for (key, value) in members {
            if let ("policies", crate::JsonKind::Array(entries)) = (key.node.as_str(), &value.kind)
            {
                for entry in entries {
                    let crate::JsonKind::Object(fields) = &entry.kind else {
                        continue;
                    };
                    let field = |name: &str| {
                        fields
                            .iter()
                            .find(|(k, _)| k.node == name)
                            .map(|(_, v)| v.kind.clone())
                    };
                    if let (
                        Some(crate::JsonKind::String(name)),
                        Some(crate::JsonKind::Number(count)),
                    ) = (field("name"), field("statement_count"))
                    {
                        expected_counts.insert(name, count.parse::<usize>().unwrap_or(0));
                    }
                }
            }
        }
    }
    assert_eq!(expected_counts.len(), 17, "index.json: {index:?}");

    let mut n_parsed = 0;
    for path in json_files(&dir) {
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if name == "index" {
            continue;
        }
        let src = fs::read_to_string(&path).unwrap_or_default();
        let policy = parse_policy(&src);
        let n_statements = policy
            .as_ref()
            .ok()
            .and_then(|p| p.statements.as_ref())
            .map(|s| s.node.len());
        assert_eq!(
            n_statements,
            expected_counts.get(name).copied(),
            "{name}: {:?}",
            policy.err()
        );
        n_parsed += 1;
    }
    assert_eq!(n_parsed, 17);
}

// ---------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------

const VALID: &str = r#"{
  "Version": "2012-10-17",
  "Id": "p\u00e9",
  "Statement": [
    {"Sid": "A1", "Effect": "Allow", "Action": ["chime:List*", "chime:Get*"], "Resource": "*",
     "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}, "Bool": {"aws:SecureTransport": true},
                   "NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}},
    {"Effect": "Deny", "NotAction": "iam:*", "NotResource": ["arn:aws:iam::*:user/x"],
     "Principal": {"AWS": ["arn:aws:iam::111122223333:root"], "Service": "chime.amazonaws.com"}}
  ]
}"#;

#[derive(Clone, Debug)]
enum Mutation {
    Set(usize, u8),
    Insert(usize, u8),
    Delete(usize),
}

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    let interesting = prop::sample::select(b"{}[]:,\"\\ 0aAtfn-.eu\x00\xc3\xe9".to_vec());
    let byte = prop_oneof![any::<u8>(), interesting];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<usize>(), byte).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Delete),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let len = bytes.len().max(1);
    match *mutation {
        Mutation::Set(i, b) => {
            if let Some(slot) = bytes.get_mut(i % len) {
                *slot = b;
            }
        }
        Mutation::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
        Mutation::Delete(i) => {
            if !bytes.is_empty() {
                bytes.remove(i % len);
            }
        }
    }
}

#[test]
fn valid_base_policy_parses() {
    assert!(parse_policy(VALID).is_ok());
}

proptest! {
    #[test]
    fn mutated_policies_never_panic(mutations in prop::collection::vec(arb_mutation(), 1..8)) {
        let mut bytes = VALID.as_bytes().to_vec();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Err(errors) = parse_policy(&text) {
            prop_assert!(!errors.is_empty());
            for e in &errors {
                prop_assert!(e.span.end as usize <= text.len());
            }
            // Document order.
            prop_assert!(errors.windows(2).all(|w| w.first().map(|e| e.span.start) <= w.get(1).map(|e| e.span.start)));
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = parse_policy(&text);
    }
}
