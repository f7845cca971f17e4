//! Tests of the `.vp` parser: the data-driven corpus in
//! `grammar/test_data/dsl/{ok,err}` (`UPDATE_EXPECT=1` rewrites the expected
//! files), lowering to the same tree as IAM JSON, spans, and property tests
//! that no input makes the parser panic.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use proptest::prelude::*;

/// The DSL parser with the default limits.
fn parse(src: &str) -> Result<crate::File, ParseError> {
    super::parse(src, &crate::ParseLimits::default())
}
use crate::ast::{
    Clause, Condition, ConditionEntry, ConditionOperator, EntityKind, File, Item, Policy,
    PolicyBody, PolicyDecl, Principal, Statement, TrustKind,
};
use crate::error::{ParseError, ParseErrorKind};
use crate::span::{LineIndex, Span, Spanned};

pub(super) type TestResult = Result<(), String>;

// ---------------------------------------------------------------------------
// Data-driven corpus
// ---------------------------------------------------------------------------

fn test_data(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test_data/dsl")
        .join(sub)
}

/// `line:col: message` for an error in `src`.
fn render_error(src: &str, error: &ParseError) -> String {
    let (line, col) = LineIndex::new(src).line_col(src, error.span.start);
    format!("{line}:{col}: {error}\n")
}

/// Runs every `*.vp` in `test_data/dsl/{sub}` through `render` and compares
/// the result with the file of the same name and extension `ext`
/// (`UPDATE_EXPECT=1` writes it instead). Reports all mismatches at once.
pub(super) fn run_corpus(
    sub: &str,
    ext: &str,
    render: fn(&str) -> Result<String, String>,
) -> TestResult {
    let update = std::env::var_os("UPDATE_EXPECT").is_some_and(|v| v == "1");
    let dir = test_data(sub);
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "vp"))
        .collect();
    inputs.sort();
    if inputs.is_empty() {
        return Err(format!("no .vp files in {}", dir.display()));
    }
    let mut failures = String::new();
    for input in &inputs {
        let src =
            std::fs::read_to_string(input).map_err(|e| format!("{}: {e}", input.display()))?;
        let expected_path = input.with_extension(ext);
        let actual = match render(&src) {
            Ok(actual) => actual,
            Err(msg) => {
                let _ = writeln!(failures, "{}: {msg}", input.display());
                continue;
            }
        };
        if update {
            std::fs::write(&expected_path, &actual)
                .map_err(|e| format!("{}: {e}", expected_path.display()))?;
            continue;
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => {
                let line = expected
                    .lines()
                    .zip(actual.lines())
                    .position(|(e, a)| e != a)
                    .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
                let _ = writeln!(
                    failures,
                    "{}: differs from {} at line {} (UPDATE_EXPECT=1 to accept):\n  expected: {:?}\n  actual:   {:?}",
                    input.display(),
                    expected_path.display(),
                    line + 1,
                    expected.lines().nth(line).unwrap_or("<end>"),
                    actual.lines().nth(line).unwrap_or("<end>"),
                );
            }
            Err(e) => {
                let _ = writeln!(
                    failures,
                    "{}: {e} (UPDATE_EXPECT=1 to create)",
                    expected_path.display()
                );
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures)
    }
}

#[test]
fn ok_corpus() -> TestResult {
    run_corpus("ok", "ast", |src| match parse(src) {
        Ok(file) => Ok(format!("{file:#?}\n")),
        Err(e) => Err(format!(
            "unexpected error {}",
            render_error(src, &e).trim_end()
        )),
    })
}

#[test]
fn err_corpus() -> TestResult {
    run_corpus("err", "err", |src| match parse(src) {
        Ok(_) => Err("parsed without error".to_owned()),
        Err(e) => Ok(render_error(src, &e)),
    })
}

// ---------------------------------------------------------------------------
// Lowering: the DSL gives the same tree as IAM JSON
// ---------------------------------------------------------------------------

fn s(text: &str) -> Spanned<String> {
    Spanned::new(text.to_owned(), Span::default())
}

fn list(items: &[&str]) -> Spanned<Vec<Spanned<String>>> {
    Spanned::new(items.iter().map(|t| s(t)).collect(), Span::default())
}

fn entry(key: &str, values: &[&str]) -> ConditionEntry {
    ConditionEntry {
        key: s(key),
        values: list(values),
    }
}

fn statement(effect: &str) -> Statement {
    Statement {
        effect: Some(s(effect)),
        ..Statement::empty(Span::default())
    }
}

/// Zeroes every span of a policy tree, so trees can be compared by content.
fn strip_policy(policy: &mut Policy) {
    fn text(t: &mut Spanned<String>) {
        t.span = Span::default();
    }
    fn texts(l: &mut Spanned<Vec<Spanned<String>>>) {
        l.span = Span::default();
        l.node.iter_mut().for_each(text);
    }
    fn principal(p: &mut Spanned<Principal>) {
        p.span = Span::default();
        match &mut p.node {
            Principal::Bare(t) => text(t),
            Principal::Map(map) => map.iter_mut().for_each(|(k, v)| {
                text(k);
                texts(v);
            }),
        }
    }
    policy.span = Span::default();
    policy.version.iter_mut().for_each(text);
    policy.id.iter_mut().for_each(text);
    if let Some(statements) = &mut policy.statements {
        statements.span = Span::default();
        for st in &mut statements.node {
            st.span = Span::default();
            // An implied resource means `Resource: ["*"]` in an identity
            // policy: compare with the JSON twin by that meaning.
            if st.implied_resource.is_some() {
                st.resource = st.resource_or_implied();
                st.implied_resource = None;
            }
            st.sid.iter_mut().for_each(text);
            st.effect.iter_mut().for_each(text);
            for l in [
                &mut st.action,
                &mut st.not_action,
                &mut st.resource,
                &mut st.not_resource,
            ] {
                l.iter_mut().for_each(texts);
            }
            st.principal.iter_mut().for_each(principal);
            st.not_principal.iter_mut().for_each(principal);
            if let Some(c) = &mut st.condition {
                c.span = Span::default();
                for op in &mut c.node.operators {
                    text(&mut op.name);
                    for e in &mut op.entries {
                        text(&mut e.key);
                        texts(&mut e.values);
                    }
                }
            }
        }
    }
}

/// The policies declared at the top level of `src`, spans zeroed.
fn policies(src: &str) -> Result<Vec<(String, Policy)>, String> {
    let file = parse(src).map_err(|e| render_error(src, &e))?;
    let mut out = Vec::new();
    for item in file.items {
        if let Item::Policy(PolicyDecl {
            name,
            body: PolicyBody::Inline(mut policy),
            ..
        }) = item
        {
            strip_policy(&mut policy);
            out.push((name.node, policy));
        }
    }
    Ok(out)
}

/// Every IAM construct in one DSL policy, against the tree the JSON reader
/// builds for its twin:
///
/// ```json
/// {"Version": "2012-10-17", "Id": "doc-1", "Statement": [
///   {"Sid": "Read", "Effect": "Allow", "Action": ["chime:Get*", "chime:List Users"],
///    "Resource": ["arn:aws:chime::111122223333:meeting/*", "*"],
///    "Condition": {
///      "StringEquals": {"aws:PrincipalTag/team": ["red", "blue"], "aws:PrincipalAccount": 111122223333},
///      "Bool": {"aws:MultiFactorAuthPresent": true},
///      "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": "team*"},
///      "NumericLessThan": {}}},
///   {"Effect": "Deny", "NotAction": "chime:Get*", "NotResource": "arn:aws:chime:::x"},
///   {"Effect": "Allow", "Action": "sts:AssumeRole",
///    "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "222233334444"],
///                  "Service": "chime.amazonaws.com", "Federated": [], "CanonicalUser": "abc"},
///    "NotPrincipal": "*"},
///   {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {}}]}
/// ```
#[test]
fn lowering_matches_iam_json_twin() -> TestResult {
    let src = r#"
        policy Twin {
          version "2012-10-17"
          id "doc-1"
          sid Read allow chime:Get*, "chime:List Users"
            on "arn:aws:chime::111122223333:meeting/*", *
            when {
              StringEquals aws:PrincipalTag/team = ["red", "blue"]
              Bool aws:MultiFactorAuthPresent = true
              StringEquals aws:PrincipalAccount = 111122223333
              ForAnyValue:StringLikeIfExists aws:TagKeys = "team*"
              NumericLessThan { }
            }
          deny not chime:Get* on not "arn:aws:chime:::x";
          allow sts:AssumeRole
            principal aws "arn:aws:iam::111122223333:root", service "chime.amazonaws.com",
                      aws ["222233334444"], federated [], canonical_user abc
            not principal *
          deny * when {}
        }
    "#;
    let mut read = statement("Allow");
    read.sid = Some(s("Read"));
    read.action = Some(list(&["chime:Get*", "chime:List Users"]));
    read.resource = Some(list(&["arn:aws:chime::111122223333:meeting/*", "*"]));
    read.condition = Some(Spanned::new(
        Condition {
            operators: vec![
                ConditionOperator {
                    name: s("StringEquals"),
                    entries: vec![
                        entry("aws:PrincipalTag/team", &["red", "blue"]),
                        entry("aws:PrincipalAccount", &["111122223333"]),
                    ],
                },
                ConditionOperator {
                    name: s("Bool"),
                    entries: vec![entry("aws:MultiFactorAuthPresent", &["true"])],
                },
                ConditionOperator {
                    name: s("ForAnyValue:StringLikeIfExists"),
                    entries: vec![entry("aws:TagKeys", &["team*"])],
                },
                ConditionOperator {
                    name: s("NumericLessThan"),
                    entries: vec![],
                },
            ],
        },
        Span::default(),
    ));
    let mut deny = statement("Deny");
    deny.not_action = Some(list(&["chime:Get*"]));
    deny.not_resource = Some(list(&["arn:aws:chime:::x"]));
    let mut trust = statement("Allow");
    trust.action = Some(list(&["sts:AssumeRole"]));
    trust.principal = Some(Spanned::new(
        Principal::Map(vec![
            (
                s("AWS"),
                list(&["arn:aws:iam::111122223333:root", "222233334444"]),
            ),
            (s("Service"), list(&["chime.amazonaws.com"])),
            (s("Federated"), list(&[])),
            (s("CanonicalUser"), list(&["abc"])),
        ]),
        Span::default(),
    ));
    trust.not_principal = Some(Spanned::new(Principal::Bare(s("*")), Span::default()));
    let mut deny_all = statement("Deny");
    deny_all.action = Some(list(&["*"]));
    deny_all.resource = Some(list(&["*"]));
    deny_all.condition = Some(Spanned::new(Condition::default(), Span::default()));
    let twin = Policy {
        span: Span::default(),
        version: Some(s("2012-10-17")),
        id: Some(s("doc-1")),
        statements: Some(Spanned::new(
            vec![read, deny, trust, deny_all],
            Span::default(),
        )),
    };
    assert_eq!(policies(src)?, vec![("Twin".to_owned(), twin)]);
    Ok(())
}

/// The DESIGN.md illustration parses to the model it describes.
#[test]
fn design_illustration() -> TestResult {
    let src = r#"
policy ChimeReadOnly {
  allow chime:Get*, chime:List*, chime:Retrieve*
}
policy ChimeAdmin from "policies/AmazonChimeFullAccess.json"
group Support { attach ChimeReadOnly }
user alice { member Support  attach ChimeAdmin  boundary ChimeReadOnly }
role MeetingBot { attach ChimeReadOnly  trust user alice }
"#;
    let file = parse(src).map_err(|e| render_error(src, &e))?;
    let mut summary = Vec::new();
    for item in &file.items {
        match item {
            Item::Policy(p) => summary.push(format!("policy {}", p.name.node)),
            Item::Entity(e) => {
                let clauses: Vec<String> = e
                    .clauses
                    .iter()
                    .map(|c| match c {
                        Clause::Attach(n) => format!("attach {}", n.len()),
                        Clause::Member(n) => format!("member {}", n.len()),
                        Clause::Boundary(n) => format!("boundary {}", n.node),
                        Clause::Trust(t) => format!("trust {:?}", t.first().map(|t| t.kind)),
                        other => format!("{other:?}"),
                    })
                    .collect();
                summary.push(format!(
                    "{:?} {} [{}]",
                    e.kind,
                    e.name.node,
                    clauses.join(", ")
                ));
            }
            Item::Include(p) => summary.push(format!("include {}", p.node)),
            other => summary.push(format!("{other:?}")),
        }
    }
    assert_eq!(
        summary,
        [
            "policy ChimeReadOnly",
            "policy ChimeAdmin",
            "Group Support [attach 1]",
            "User alice [member 1, attach 1, boundary ChimeReadOnly]",
            "Role MeetingBot [attach 1, trust Some(User)]",
        ]
    );
    let imported = file.items.get(1).and_then(|item| match item {
        Item::Policy(PolicyDecl {
            body: PolicyBody::Import(path),
            ..
        }) => Some(path.node.as_str()),
        _ => None,
    });
    assert_eq!(imported, Some("policies/AmazonChimeFullAccess.json"));
    Ok(())
}

// ---------------------------------------------------------------------------
// Spans and small cases
// ---------------------------------------------------------------------------

/// The first statement of the first top-level policy of `src`, spans kept.
fn first_statement(src: &str) -> Result<Statement, String> {
    let file = parse(src).map_err(|e| render_error(src, &e))?;
    file.items
        .into_iter()
        .find_map(|item| match item {
            Item::Policy(PolicyDecl {
                body: PolicyBody::Inline(policy),
                ..
            }) => policy.statements.and_then(|s| s.node.into_iter().next()),
            _ => None,
        })
        .ok_or_else(|| "no statement".to_owned())
}

fn text_at(src: &str, span: Span) -> &str {
    src.get(span.start as usize..span.end as usize)
        .unwrap_or("<bad span>")
}

#[test]
fn missing_resource_defaults_to_star_at_the_effect_keyword() -> TestResult {
    let src = "policy P {\n  deny  chime:*\n}";
    let st = first_statement(src)?;
    assert_eq!(st.resource, None);
    assert_eq!(st.implied_resource.map(|at| text_at(src, at)), Some("deny"));
    let resource = st.resource_or_implied().ok_or("no resource")?;
    assert_eq!(text_at(src, resource.span), "deny");
    let star: Vec<(&str, &str)> = resource
        .node
        .iter()
        .map(|r| (r.node.as_str(), text_at(src, r.span)))
        .collect();
    assert_eq!(star, [("*", "deny")]);
    assert_eq!(
        st.effect.map(|e| (e.node, text_at(src, e.span).to_owned())),
        Some(("Deny".to_owned(), "deny".to_owned()))
    );
    assert_eq!(text_at(src, st.span), "deny  chime:*");
    Ok(())
}

#[test]
fn principal_suppresses_the_default_resource() -> TestResult {
    let st = first_statement(
        "policy T { allow sts:AssumeRole principal service \"ec2.amazonaws.com\" }",
    )?;
    assert_eq!(st.resource, None);
    assert_eq!(st.not_resource, None);
    assert_eq!(st.implied_resource, None);
    let st = first_statement("policy T { allow sts:AssumeRole not principal * }")?;
    assert_eq!(st.resource, None);
    assert_eq!(st.implied_resource, None);
    let st = first_statement("policy T { allow sts:AssumeRole principal * on * }")?;
    assert_eq!(st.resource.map(|r| r.node.len()), Some(1));
    Ok(())
}

#[test]
fn spans_cover_their_text() -> TestResult {
    let src = r#"policy P { sid "S1" allow not a:B, "c:D" on not "arn:x" when { Bool k = [true, "1"] } ; }"#;
    let st = first_statement(src)?;
    assert_eq!(
        text_at(src, st.span),
        r#"sid "S1" allow not a:B, "c:D" on not "arn:x" when { Bool k = [true, "1"] }"#
    );
    assert_eq!(
        st.sid.map(|s| text_at(src, s.span).to_owned()),
        Some(r#""S1""#.to_owned())
    );
    let actions = st.not_action.ok_or("no NotAction")?;
    assert_eq!(text_at(src, actions.span), r#"a:B, "c:D""#);
    let shown: Vec<&str> = actions.node.iter().map(|a| text_at(src, a.span)).collect();
    assert_eq!(shown, ["a:B", r#""c:D""#]);
    let resources = st.not_resource.ok_or("no NotResource")?;
    assert_eq!(text_at(src, resources.span), r#""arn:x""#);
    let condition = st.condition.ok_or("no Condition")?;
    assert_eq!(text_at(src, condition.span), r#"{ Bool k = [true, "1"] }"#);
    let values = condition
        .node
        .operators
        .first()
        .and_then(|op| op.entries.first())
        .map(|e| text_at(src, e.values.span));
    assert_eq!(values, Some(r#"[true, "1"]"#));
    Ok(())
}

#[test]
fn strings_take_json_escapes() -> TestResult {
    let st = first_statement(r#"policy P { allow "a\"b\\c\/d\b\f\n\r\te\u00e9\ud83d\ude00" }"#)?;
    let action = st
        .action
        .and_then(|a| a.node.into_iter().next())
        .map(|a| a.node);
    assert_eq!(
        action.as_deref(),
        Some("a\"b\\c/d\u{8}\u{c}\n\r\te\u{e9}\u{1f600}")
    );
    Ok(())
}

#[test]
fn error_spans_cover_the_bad_text() {
    let cases = [
        (
            "user \"al\r\nice\"",
            ParseErrorKind::UnterminatedString,
            "\"al",
        ),
        ("user \"al", ParseErrorKind::UnterminatedString, "\"al"),
        ("user \"a\\qb\"", ParseErrorKind::InvalidEscape, "\\q"),
        ("user \"a\\é\"", ParseErrorKind::InvalidEscape, "\\é"),
        ("user \"a\\u12\"", ParseErrorKind::InvalidEscape, "\\u12"),
        (
            "user \"a\\ud800\\u0041\"",
            ParseErrorKind::InvalidEscape,
            "\\ud800",
        ),
        (
            "user \"a\\udc00\"",
            ParseErrorKind::InvalidEscape,
            "\\udc00",
        ),
        (
            "user a /* x",
            ParseErrorKind::Expected {
                expected: "`*/` to close this comment".to_owned(),
                found: "end of input".to_owned(),
            },
            "/*",
        ),
    ];
    for (src, kind, text) in cases {
        let error = parse(src)
            .err()
            .map(|e| (e.kind, text_at(src, e.span).to_owned()));
        assert_eq!(error, Some((kind, text.to_owned())), "{src:?}");
    }
}

#[test]
fn entities_and_trust_targets() -> TestResult {
    let src = r#"role R { trust user alice, role "Ops Team", account 111122223333, service chime.amazonaws.com }"#;
    let file = parse(src).map_err(|e| render_error(src, &e))?;
    let Some(Item::Entity(role)) = file.items.first() else {
        return Err(format!("not an entity: {file:?}"));
    };
    assert_eq!(role.kind, EntityKind::Role);
    let Some(Clause::Trust(targets)) = role.clauses.first() else {
        return Err(format!("not a trust clause: {role:?}"));
    };
    let shown: Vec<(TrustKind, &str, &str)> = targets
        .iter()
        .map(|t| (t.kind, t.name.node.as_str(), text_at(src, t.span)))
        .collect();
    assert_eq!(
        shown,
        [
            (TrustKind::User, "alice", "user alice"),
            (TrustKind::Role, "Ops Team", r#"role "Ops Team""#),
            (TrustKind::Account, "111122223333", "account 111122223333"),
            (
                TrustKind::Service,
                "chime.amazonaws.com",
                "service chime.amazonaws.com"
            ),
        ]
    );
    assert_eq!(text_at(src, role.span), src);
    Ok(())
}

#[test]
fn empty_and_comment_only_files_have_no_items() -> TestResult {
    for src in ["", "  \n\t", "// c", "# c\n", "/* c */", "\u{feff}// bom"] {
        let file = parse(src).map_err(|e| render_error(src, &e))?;
        assert_eq!(file, File::default(), "{src:?}");
    }
    Ok(())
}

#[test]
fn too_large_input_is_an_error() {
    let src = " ".repeat(crate::MAX_INPUT_BYTES + 1);
    let error = parse(&src).err();
    assert_eq!(
        error.map(|e| e.kind),
        Some(ParseErrorKind::TooLarge(crate::MAX_INPUT_BYTES))
    );
}

// ---------------------------------------------------------------------------
// Property tests: nothing panics, errors point into the input
// ---------------------------------------------------------------------------

/// Parses `src`; on error, checks the span lies within the input on
/// character boundaries and the message renders.
fn check_no_panic(src: &str) -> Result<(), TestCaseError> {
    if let Err(e) = parse(src) {
        let (start, end) = (e.span.start as usize, e.span.end as usize);
        prop_assert!(
            start <= end && end <= src.len(),
            "span {:?} outside input of {} bytes",
            e.span,
            src.len()
        );
        prop_assert!(
            src.is_char_boundary(start) && src.is_char_boundary(end),
            "span {:?} not on char boundaries",
            e.span
        );
        prop_assert!(!e.to_string().is_empty());
        let _ = render_error(src, &e);
    }
    Ok(())
}

pub(super) const ORG: &str = include_str!("../../test_data/dsl/ok/org.vp");

/// Tokens and token fragments of the DSL, for token soups.
pub(super) const SOUP: &[&str] = &[
    "include",
    "managed",
    "policy",
    "from",
    "version",
    "id",
    "sid",
    "allow",
    "deny",
    "not",
    "on",
    "when",
    "principal",
    "aws",
    "service",
    "federated",
    "canonical_user",
    "user",
    "group",
    "role",
    "member",
    "attach",
    "boundary",
    "trust",
    "account",
    "tag",
    "path",
    "{",
    "}",
    "[",
    "]",
    ",",
    "=",
    ";",
    "*",
    "chime:List*",
    "StringEquals",
    "aws:SourceIp",
    "\"x\"",
    "\"\\u12\"",
    "\"",
    "//",
    "/*",
    "*/",
    "#",
    "\n",
    "é",
    "\"\\ud800\"",
    "true",
    "10",
    "scp",
    "at",
    "root",
    "ou",
    "service-linked-role",
    "assumed-role",
    "federated-user",
    "Ops/standup",
];

proptest! {
    #[test]
    fn random_text_never_panics(src in "\\PC{0,200}") {
        check_no_panic(&src)?;
    }

    #[test]
    fn random_bytes_as_text_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        check_no_panic(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn token_soups_never_panic(
        tokens in proptest::collection::vec((0..SOUP.len(), prop::bool::ANY), 0..60),
    ) {
        let mut src = String::new();
        for (idx, glue) in tokens {
            src.push_str(SOUP.get(idx).copied().unwrap_or(""));
            if glue {
                src.push(' ');
            }
        }
        check_no_panic(&src)?;
    }

    #[test]
    fn mutated_org_file_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..3, 0x20u8..0x7f), 1..8),
    ) {
        let mut src = ORG.as_bytes().to_vec();
        for (at, op, byte) in edits {
            let at = at.index(src.len() + 1);
            match op {
                0 => src.insert(at, byte),
                1 if at < src.len() => { src.remove(at); }
                _ if at < src.len() => { if let Some(b) = src.get_mut(at) { *b = byte; } }
                _ => src.push(byte),
            }
        }
        check_no_panic(&String::from_utf8_lossy(&src))?;
    }
}

#[test]
fn token_and_statement_limits() {
    let limits = crate::ParseLimits {
        string_bytes: 16,
        statements: 2,
        ..crate::ParseLimits::default()
    };
    let parse_with = |src: &str| super::parse(src, &limits).err().map(|e| (e.span, e.kind));
    assert_eq!(
        parse_with("policy P { allow chime:ListUsers\n allow chime:GetUser }"),
        None
    );
    // A word over the limit, then a string over the limit (decoded bytes).
    assert_eq!(
        parse_with("policy P { allow chime:ListUsersAndMore }"),
        Some((Span::new(17, 18), ParseErrorKind::StringTooLong(16)))
    );
    assert_eq!(
        parse_with(r#"policy P { allow "chime:\u0041\u0042CDEFGHIJK" }"#),
        Some((Span::new(17, 18), ParseErrorKind::StringTooLong(16)))
    );
    assert_eq!(
        parse_with(r#"policy P { allow "chime:\u0041\u0042CDEFGHIJ" }"#),
        None
    );
    // The third statement of a block is reported, on that statement.
    let src = "policy P {\n allow a:B\n allow a:C\n deny a:D on \"*\"\n}";
    let third = src.find("deny").unwrap_or(0);
    let end = src.rfind('"').unwrap_or(0) + 1;
    assert_eq!(
        parse_with(src),
        Some((Span::new(third, end), ParseErrorKind::TooManyStatements(2)))
    );
    // The limit is per policy.
    assert_eq!(
        parse_with("policy P { allow a:B allow a:C }\npolicy Q { allow a:B allow a:C }"),
        None
    );
}
