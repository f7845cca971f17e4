//! Tests of the printers: the JSON and DSL texts of a policy with every
//! construct, each construct the DSL cannot spell, and property tests that
//! printing a random policy tree and reading it back gives the same tree in
//! both languages (with the version default made explicit).

use proptest::prelude::*;

use super::*;
use crate::ast::{ConditionEntry, ConditionOperator, Item, PolicyBody};
use crate::erase::EraseSpans;
use crate::span::Spanned;

fn s(text: &str) -> Spanned<String> {
    Spanned::new(text.to_owned(), Span::default())
}

fn list(items: &[&str]) -> StringList {
    Spanned::new(items.iter().map(|t| s(t)).collect(), Span::default())
}

/// Reads a DSL text holding one inline policy: its name and tree, spans erased.
fn read_dsl(text: &str) -> Result<(String, Policy), String> {
    let file = crate::parse_dsl(text).map_err(|e| format!("{e}\n{text}"))?;
    match file.items.as_slice() {
        [Item::Policy(decl)] => match &decl.body {
            PolicyBody::Inline(policy) => {
                let mut policy = policy.clone();
                policy.erase_spans();
                write_implied_resources(&mut policy);
                Ok((decl.name.node.clone(), policy))
            }
            PolicyBody::Import(_) => Err("an import".to_owned()),
        },
        _ => Err(format!("not one policy:\n{text}")),
    }
}

/// Writes each implied DSL resource as the `Resource: ["*"]` it means in an
/// identity policy, so a DSL tree compares with its JSON twin by meaning.
fn write_implied_resources(policy: &mut Policy) {
    for st in policy.statements.iter_mut().flat_map(|s| &mut s.node) {
        if st.implied_resource.is_some() {
            st.resource = st.resource_or_implied();
            st.implied_resource = None;
        }
    }
}

fn read_json(text: &str) -> Result<Policy, String> {
    let mut policy = crate::parse_policy_json(text).map_err(|e| format!("{e:?}\n{text}"))?;
    policy.erase_spans();
    Ok(policy)
}

/// A policy with every construct the two languages share.
fn everything() -> Policy {
    let mut read = Statement::empty(Span::default());
    read.sid = Some(s("Read"));
    read.effect = Some(s("Allow"));
    read.action = Some(list(&["chime:Get*", "chime:List Users"]));
    read.resource = Some(list(&["arn:aws:chime::111122223333:meeting/*", "*"]));
    read.condition = Some(Spanned::new(
        Condition {
            operators: vec![
                ConditionOperator {
                    name: s("StringEquals"),
                    entries: vec![
                        ConditionEntry {
                            key: s("aws:PrincipalTag/team"),
                            values: list(&["red", "blue"]),
                        },
                        ConditionEntry {
                            key: s("aws:PrincipalAccount"),
                            values: list(&["111122223333"]),
                        },
                    ],
                },
                ConditionOperator {
                    name: s("Bool"),
                    entries: vec![ConditionEntry {
                        key: s("aws:SecureTransport"),
                        values: list(&["true"]),
                    }],
                },
                ConditionOperator {
                    name: s("Null"),
                    entries: vec![],
                },
            ],
        },
        Span::default(),
    ));
    let mut deny = Statement::empty(Span::default());
    deny.effect = Some(s("Deny"));
    deny.not_action = Some(list(&["not", "iam:*"]));
    deny.not_resource = Some(list(&["arn:aws:s3:::b/${aws:username}/*"]));
    let mut trust = Statement::empty(Span::default());
    trust.effect = Some(s("Allow"));
    trust.action = Some(list(&["sts:AssumeRole"]));
    trust.principal = Some(Spanned::new(
        Principal::Map(vec![
            (
                s("AWS"),
                list(&["arn:aws:iam::111122223333:root", "444455556666"]),
            ),
            (s("Service"), list(&["chime.amazonaws.com"])),
            (s("Federated"), list(&[])),
        ]),
        Span::default(),
    ));
    trust.not_principal = Some(Spanned::new(Principal::Bare(s("*")), Span::default()));
    trust.condition = Some(Spanned::new(Condition::default(), Span::default()));
    Policy {
        span: Span::default(),
        version: Some(s("2012-10-17")),
        id: Some(s("doc \"1\"")),
        statements: Some(Spanned::new(vec![read, deny, trust], Span::default())),
    }
}

#[test]
fn json_of_every_construct() -> Result<(), String> {
    let json = policy_to_json(&everything(), Origin::Dsl);
    assert_eq!(
        json,
        r#"{
  "Version": "2012-10-17",
  "Id": "doc \"1\"",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Action": [
        "chime:Get*",
        "chime:List Users"
      ],
      "Resource": [
        "arn:aws:chime::111122223333:meeting/*",
        "*"
      ],
      "Condition": {
        "StringEquals": {
          "aws:PrincipalTag/team": [
            "red",
            "blue"
          ],
          "aws:PrincipalAccount": "111122223333"
        },
        "Bool": {
          "aws:SecureTransport": "true"
        },
        "Null": {}
      }
    },
    {
      "Effect": "Deny",
      "NotAction": [
        "not",
        "iam:*"
      ],
      "NotResource": "arn:aws:s3:::b/${aws:username}/*"
    },
    {
      "Effect": "Allow",
      "Principal": {
        "AWS": [
          "arn:aws:iam::111122223333:root",
          "444455556666"
        ],
        "Service": "chime.amazonaws.com",
        "Federated": []
      },
      "NotPrincipal": "*",
      "Action": "sts:AssumeRole",
      "Condition": {}
    }
  ]
}
"#
    );
    assert_eq!(read_json(&json)?, everything());
    Ok(())
}

#[test]
fn dsl_of_every_construct() -> Result<(), String> {
    let dsl =
        policy_to_dsl("Every Thing", &everything(), Origin::Json).map_err(|e| e.to_string())?;
    assert_eq!(
        dsl,
        r#"policy "Every Thing" {
  version 2012-10-17
  id "doc \"1\""
  sid Read
  allow chime:Get*, "chime:List Users"
    on arn:aws:chime::111122223333:meeting/*, *
    when {
      StringEquals {
        aws:PrincipalTag/team = [red, blue]
        aws:PrincipalAccount = 111122223333
      }
      Bool aws:SecureTransport = true
      Null {}
    }

  deny not "not", iam:* on not "arn:aws:s3:::b/${aws:username}/*"

  allow sts:AssumeRole
    when {}
    principal
      aws [arn:aws:iam::111122223333:root, 444455556666],
      service chime.amazonaws.com,
      federated []
    not principal *
}
"#
    );
    assert_eq!(read_dsl(&dsl)?, ("Every Thing".to_owned(), everything()));
    Ok(())
}

#[test]
fn an_absent_version_becomes_the_default_of_the_source_language() -> Result<(), String> {
    let mut policy = everything();
    policy.version = None;
    let json = policy_to_json(&policy, Origin::Dsl);
    assert!(
        json.starts_with("{\n  \"Version\": \"2012-10-17\",\n"),
        "{json}"
    );
    assert_eq!(policy_to_json(&policy, Origin::Json), {
        let mut j = json.clone();
        j = j.replace("  \"Version\": \"2012-10-17\",\n", "");
        j
    });
    let dsl = policy_to_dsl("P", &policy, Origin::Json).map_err(|e| e.to_string())?;
    assert!(
        dsl.starts_with("policy P {\n  version 2008-10-17\n"),
        "{dsl}"
    );
    let dsl = policy_to_dsl("P", &policy, Origin::Dsl).map_err(|e| e.to_string())?;
    assert!(dsl.starts_with("policy P {\n  id "), "{dsl}");
    Ok(())
}

/// The policy `{"Statement": [st]}` with spans from `at` on, so the error
/// span can be checked.
fn one(st: Statement) -> Policy {
    Policy {
        span: Span::new(0, 100),
        version: None,
        id: None,
        statements: Some(Spanned::new(vec![st], Span::default())),
    }
}

fn at(text: &str, start: usize) -> Spanned<String> {
    Spanned::new(text.to_owned(), Span::new(start, start + text.len()))
}

#[test]
fn what_the_dsl_cannot_spell_is_an_error_at_its_place() -> Result<(), String> {
    let base = || {
        let mut st = Statement::empty(Span::new(1, 50));
        st.effect = Some(at("Allow", 2));
        st.action = Some(Spanned::new(vec![at("a:b", 10)], Span::new(10, 13)));
        st.resource = Some(Spanned::new(vec![at("*", 20)], Span::new(20, 21)));
        st
    };
    let check = |st: Statement, span: Span, message: &str| {
        let got = policy_to_dsl("P", &one(st), Origin::Json).map_err(|e| (e.span, e.message));
        assert_eq!(got, Err((span, message.to_owned())));
    };
    assert!(policy_to_dsl("P", &one(base()), Origin::Json).is_ok());
    let mut st = base();
    st.effect = Some(at("allow", 2));
    check(
        st,
        Span::new(2, 7),
        "the effect `allow` is neither `Allow` nor `Deny`, which the DSL cannot express",
    );
    let mut st = base();
    st.effect = None;
    check(
        st,
        Span::new(1, 50),
        "the statement has no `Effect`, which the DSL cannot express",
    );
    let mut st = base();
    st.not_action = st.action.clone();
    check(
        st,
        Span::new(1, 50),
        "the statement has both `Action` and `NotAction`, which the DSL cannot express",
    );
    let mut st = base();
    st.action = None;
    check(
        st,
        Span::new(1, 50),
        "the statement has neither `Action` nor `NotAction`, which the DSL cannot express",
    );
    let mut st = base();
    st.resource = Some(Spanned::new(vec![], Span::new(20, 22)));
    check(
        st,
        Span::new(20, 22),
        "the `Resource` list is empty, which the DSL cannot express",
    );
    let mut st = base();
    st.resource = None;
    check(
        st,
        Span::new(1, 50),
        "the statement has no `Resource` (nor `NotResource` or `Principal`), which the DSL cannot express",
    );
    let mut st = base();
    st.principal = Some(Spanned::new(
        Principal::Map(vec![(at("aws", 30), list(&["x"]))]),
        Span::new(29, 40),
    ));
    check(
        st,
        Span::new(30, 33),
        "the principal type `aws` is none of `AWS`, `Service`, `Federated` and `CanonicalUser`, which the DSL cannot express",
    );
    let mut st = base();
    st.principal = Some(Spanned::new(Principal::Map(vec![]), Span::new(29, 31)));
    check(
        st,
        Span::new(29, 31),
        "the principal object is empty, which the DSL cannot express",
    );
    let no_statement = Policy {
        statements: None,
        ..one(base())
    };
    let got = policy_to_dsl("P", &no_statement, Origin::Json).map_err(|e| e.span);
    assert_eq!(got, Err(Span::new(0, 100)));
    Ok(())
}

#[test]
fn a_resource_of_star_alone_is_left_to_the_default() -> Result<(), String> {
    let mut st = Statement::empty(Span::default());
    st.effect = Some(s("Allow"));
    st.action = Some(list(&["a:b"]));
    st.resource = Some(list(&["*"]));
    let dsl = policy_to_dsl("P", &one(st.clone()), Origin::Dsl).map_err(|e| e.to_string())?;
    assert_eq!(dsl, "policy P {\n  allow a:b\n}\n");
    st.principal = Some(Spanned::new(Principal::Bare(s("*")), Span::default()));
    let dsl = policy_to_dsl("P", &one(st), Origin::Dsl).map_err(|e| e.to_string())?;
    assert_eq!(dsl, "policy P {\n  allow a:b on * principal *\n}\n");
    Ok(())
}

#[test]
fn texts_are_spelled_as_words_or_json_strings() {
    assert_eq!(dsl_text("chime:List*"), "chime:List*");
    assert_eq!(dsl_text("arn:aws:s3:::b/*"), "arn:aws:s3:::b/*");
    assert_eq!(dsl_text(""), "\"\"");
    assert_eq!(dsl_text("a b"), "\"a b\"");
    assert_eq!(dsl_text("//x"), "\"//x\"");
    assert_eq!(dsl_text("/*x"), "\"/*x\"");
    assert_eq!(dsl_text("x/*"), "x/*");
    assert_eq!(dsl_text("é"), "\"é\"");
    assert_eq!(
        quoted("q\"\\\n\r\t\u{8}\u{c}\u{1}\u{7f}é"),
        r#""q\"\\\n\r\t\b\f\u0001\u007fé""#
    );
}

// ---------------------------------------------------------------------------
// Property tests: random trees round trip through both languages
// ---------------------------------------------------------------------------

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(vec![
            "a", "*", "chime:List*", "not", "on", "allow", "true", "10", "-1.5e3", "a b", "",
            "//x", "/*y", "q\"t", "${aws:username}", "arn:aws:s3:::b/*", "StringEquals",
        ])
        .prop_map(str::to_owned),
        1 => "\\PC{0,6}",
        1 => "[\\x00-\\x1f\\x7f\"\\\\a]{0,4}",
    ]
}

fn texts(min: usize, max: usize) -> impl Strategy<Value = StringList> {
    proptest::collection::vec(text(), min..max)
        .prop_map(|v| Spanned::new(v.into_iter().map(|t| s(&t)).collect(), Span::default()))
}

fn principal() -> impl Strategy<Value = Spanned<Principal>> {
    prop_oneof![
        text().prop_map(|t| Principal::Bare(s(&t))),
        (
            proptest::sample::subsequence(
                vec!["AWS", "Service", "Federated", "CanonicalUser"],
                1..=4
            ),
            proptest::collection::vec(texts(0, 3), 4),
        )
            .prop_map(|(kinds, values)| {
                Principal::Map(
                    kinds
                        .into_iter()
                        .zip(values)
                        .map(|(k, v)| (s(k), v))
                        .collect(),
                )
            }),
    ]
    .prop_map(|p| Spanned::new(p, Span::default()))
}

fn condition() -> impl Strategy<Value = Spanned<Condition>> {
    proptest::collection::btree_map(
        text(),
        proptest::collection::btree_map(text(), texts(0, 4), 0..3),
        0..4,
    )
    .prop_map(|ops| {
        let operators = ops
            .into_iter()
            .map(|(name, entries)| ConditionOperator {
                name: s(&name),
                entries: entries
                    .into_iter()
                    .map(|(key, values)| ConditionEntry {
                        key: s(&key),
                        values,
                    })
                    .collect(),
            })
            .collect();
        Spanned::new(Condition { operators }, Span::default())
    })
}

fn statement() -> impl Strategy<Value = Statement> {
    (
        proptest::option::of(text()),
        any::<bool>(),
        any::<bool>(),
        texts(1, 4),
        proptest::option::of(texts(1, 3)),
        proptest::option::of(texts(1, 3)),
        proptest::option::weighted(0.3, principal()),
        proptest::option::weighted(0.2, principal()),
        proptest::option::weighted(0.4, condition()),
    )
        .prop_map(
            |(
                sid,
                deny,
                not,
                actions,
                resource,
                not_resource,
                principal,
                not_principal,
                condition,
            )| {
                let mut st = Statement::empty(Span::default());
                st.sid = sid.map(|t| s(&t));
                st.effect = Some(s(if deny { "Deny" } else { "Allow" }));
                if not {
                    st.not_action = Some(actions);
                } else {
                    st.action = Some(actions);
                }
                st.resource = resource;
                st.not_resource = not_resource;
                st.principal = principal;
                st.not_principal = not_principal;
                st.condition = condition;
                let no_resource = st.resource.is_none() && st.not_resource.is_none();
                if no_resource && st.principal.is_none() && st.not_principal.is_none() {
                    st.resource = Some(list(&["*"]));
                }
                st
            },
        )
}

fn policy() -> impl Strategy<Value = Policy> {
    (
        proptest::option::of(prop_oneof![
            Just("2012-10-17".to_owned()),
            Just("2008-10-17".to_owned()),
            text()
        ]),
        proptest::option::weighted(0.2, text()),
        proptest::collection::vec(statement(), 0..4),
    )
        .prop_map(|(version, id, statements)| Policy {
            span: Span::default(),
            version: version.map(|t| s(&t)),
            id: id.map(|t| s(&t)),
            statements: Some(Spanned::new(statements, Span::default())),
        })
}

/// `policy` with an absent version replaced by `origin`'s default.
fn explicit(policy: &Policy, origin: Origin) -> Policy {
    let mut policy = policy.clone();
    if policy.version.is_none() {
        policy.version = Some(s(origin.default_version()));
    }
    policy
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]

    /// JSON → DSL → tree, DSL → JSON → tree, and DSL → JSON → DSL: every
    /// step gives the same tree, and the DSL text is already formatted.
    #[test]
    fn policies_round_trip_through_both_languages(policy in policy(), name in text()) {
        let from_json = policy_to_dsl(&name, &policy, Origin::Json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(read_dsl(&from_json).map_err(TestCaseError::fail)?, (name.clone(), explicit(&policy, Origin::Json)));
        prop_assert_eq!(crate::format_dsl(&from_json).ok(), Some(from_json.clone()));

        let from_dsl = policy_to_dsl(&name, &policy, Origin::Dsl).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(read_dsl(&from_dsl).map_err(TestCaseError::fail)?, (name.clone(), policy.clone()));

        let json = policy_to_json(&policy, Origin::Dsl);
        prop_assert_eq!(read_json(&json).map_err(TestCaseError::fail)?, explicit(&policy, Origin::Dsl));
        let json = policy_to_json(&policy, Origin::Json);
        prop_assert_eq!(read_json(&json).map_err(TestCaseError::fail)?, policy.clone());
        let back = policy_to_dsl(&name, &read_json(&json).map_err(TestCaseError::fail)?, Origin::Json)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, from_json);
    }
}
