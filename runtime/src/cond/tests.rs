//! Tests of condition and resource atoms against SEMANTICS §4 and §5 (rule ids
//! cited), and of the edge cases X17–X26, X37–X41 at the residual level.

use super::*;
use crate::eval::decide;
use crate::parts::{Condition, Lit, Residual};
use crate::types::Decision;
use Operator as O;

/// A condition atom without set prefix or IfExists, with plain-text values.
fn atom(op: Operator, key: &str, values: &[&str]) -> Condition {
    Condition {
        set: SetOp::None,
        op,
        if_exists: false,
        key: key.to_lowercase(),
        fixed: None,
        values: values.iter().map(|&v| Template::from(v)).collect(),
    }
}

fn if_exists(mut cond: Condition) -> Condition {
    cond.if_exists = true;
    cond
}

fn for_all(mut cond: Condition) -> Condition {
    cond.set = SetOp::ForAllValues;
    cond
}

fn for_any(mut cond: Condition) -> Condition {
    cond.set = SetOp::ForAnyValue;
    cond
}

fn with_values(mut cond: Condition, values: Vec<Template>) -> Condition {
    cond.values = values;
    cond
}

fn program(cond: &Condition) -> Program {
    compile(&Atom::Condition(cond.clone())).unwrap_or_else(|err| panic!("{cond:?}: {err}"))
}

fn eval_in(cond: &Condition, ctx: &Context) -> bool {
    program(cond).eval(&Request {
        resource: "*",
        context: ctx,
    })
}

/// `cond` is `expected` in `ctx`.
#[track_caller]
fn check(cond: &Condition, ctx: &Context, expected: bool) {
    assert_eq!(eval_in(cond, ctx), expected, "{cond:?} in {ctx:?}");
}

fn one(key: &str, value: &str) -> Context {
    Context::new().with(key, value)
}

fn multi(key: &str, values: &[&str]) -> Context {
    Context::new().with_multi(key, values.iter().copied())
}

fn empty() -> Context {
    Context::new()
}

/// A valid policy value for each operator, and a request value that matches it
/// (matches the positive twin, for negated operators).
fn sample_value(op: Operator) -> (&'static str, &'static str) {
    match op {
        O::NumericLessThan => return ("10", "9"),
        O::NumericGreaterThan => return ("10", "11"),
        O::DateLessThan => return ("2030", "2029"),
        O::DateGreaterThan => return ("2030", "2031"),
        _ => {}
    }
    match value::value_type(op) {
        ValueType::String => ("v", "v"),
        ValueType::Number => ("10", "10"),
        ValueType::Date => ("2030-01-01T00:00:00Z", "2030-01-01T00:00:00Z"),
        ValueType::Bool => ("true", "true"),
        ValueType::Base64 => ("QQ==", "QQ=="),
        ValueType::Network => ("10.0.0.0/8", "10.1.2.3"),
        ValueType::Arn => ("arn:aws:s3:::b", "arn:aws:s3:::b"),
        ValueType::Null => ("false", "x"),
    }
}

const ALL_OPS: [Operator; 27] = [
    O::StringEquals,
    O::StringNotEquals,
    O::StringEqualsIgnoreCase,
    O::StringNotEqualsIgnoreCase,
    O::StringLike,
    O::StringNotLike,
    O::NumericEquals,
    O::NumericNotEquals,
    O::NumericLessThan,
    O::NumericLessThanEquals,
    O::NumericGreaterThan,
    O::NumericGreaterThanEquals,
    O::DateEquals,
    O::DateNotEquals,
    O::DateLessThan,
    O::DateLessThanEquals,
    O::DateGreaterThan,
    O::DateGreaterThanEquals,
    O::Bool,
    O::BinaryEquals,
    O::IpAddress,
    O::NotIpAddress,
    O::ArnEquals,
    O::ArnLike,
    O::ArnNotEquals,
    O::ArnNotLike,
    O::Null,
];

fn is_negated(op: Operator) -> bool {
    matches!(
        op,
        O::StringNotEquals
            | O::StringNotEqualsIgnoreCase
            | O::StringNotLike
            | O::NumericNotEquals
            | O::DateNotEquals
            | O::NotIpAddress
            | O::ArnNotEquals
            | O::ArnNotLike
    )
}

// ---------------------------------------------------------------------------
// Structure: C1, C4–C7.

#[test]
fn c1_c5_values_or_for_positive_and_nor_for_negated() {
    let dept = atom(O::StringEquals, "aws:PrincipalTag/dept", &["hr", "legal"]);
    check(&dept, &one("aws:PrincipalTag/dept", "hr"), true);
    check(&dept, &one("aws:PrincipalTag/dept", "legal"), true);
    check(&dept, &one("aws:PrincipalTag/dept", "it"), false);
    let not_dept = atom(
        O::StringNotEquals,
        "aws:PrincipalTag/dept",
        &["hr", "legal"],
    );
    check(&not_dept, &one("aws:PrincipalTag/dept", "hr"), false);
    check(&not_dept, &one("aws:PrincipalTag/dept", "legal"), false);
    check(&not_dept, &one("aws:PrincipalTag/dept", "it"), true);
    // An empty value list: nothing matches.
    check(&atom(O::StringEquals, "k", &[]), &one("k", "v"), false);
    check(&atom(O::StringNotEquals, "k", &[]), &one("k", "v"), true);
}

#[test]
fn c4_absent_key_is_false_for_positive_and_true_for_negated_operators() {
    for op in ALL_OPS {
        if op == O::Null {
            continue;
        }
        let (policy, request) = sample_value(op);
        let cond = atom(op, "aws:SomeKey", &[policy]);
        check(&cond, &empty(), is_negated(op));
        // Another key does not count (D3: StringNotLike too).
        check(&cond, &one("aws:OtherKey", request), is_negated(op));
    }
}

#[test]
fn c6_if_exists_is_true_when_absent_and_the_base_operator_when_present() {
    for op in ALL_OPS {
        if op == O::Null {
            continue;
        }
        let (policy, request) = sample_value(op);
        let cond = if_exists(atom(op, "k", &[policy]));
        check(&cond, &empty(), true);
        check(&cond, &one("k", request), !is_negated(op));
    }
    // The example of C6.
    let mfa = if_exists(atom(O::Bool, "aws:MultiFactorAuthPresent", &["false"]));
    check(&mfa, &empty(), true);
    check(&mfa, &one("aws:MultiFactorAuthPresent", "true"), false);
    check(&mfa, &one("aws:MultiFactorAuthPresent", "false"), true);
}

#[test]
fn c7_multivalued_keys_need_a_set_operator() {
    for op in ALL_OPS {
        if op == O::Null {
            continue;
        }
        let (policy, request) = sample_value(op);
        for ctx in [
            multi("k", &[request]),
            multi("k", &[request, request]),
            multi("k", &[]),
        ] {
            check(&atom(op, "k", &[policy]), &ctx, false);
            check(&if_exists(atom(op, "k", &[policy])), &ctx, false);
        }
    }
}

#[test]
fn c3_keys_are_case_insensitive() {
    let cond = atom(O::StringEquals, "aws:PrincipalTag/Team", &["blue"]);
    check(&cond, &one("AWS:principaltag/TEAM", "blue"), true);
    check(&cond, &one("aws:principaltag/team", "Blue"), false);
    // Unicode lower-casing, as for context keys.
    let greek = atom(O::StringEquals, "tag/ΣΟΦΙΑ", &["x"]);
    check(&greek, &one("TAG/σοφια", "x"), true);
    // A key that is not lower-cased in the table still matches.
    let mut upper = atom(O::StringEquals, "k", &["x"]);
    upper.key = "AWS:SourceVpc".into();
    check(&upper, &one("aws:sourcevpc", "x"), true);
}

// ---------------------------------------------------------------------------
// Operator families: C8–C15.

#[test]
fn c8_string_equals_is_exact_and_has_no_wildcards() {
    let cond = atom(O::StringEquals, "k", &["10.*"]);
    check(&cond, &one("k", "10.1.1.1"), false);
    check(&cond, &one("k", "10.*"), true);
    check(
        &atom(O::StringEquals, "k", &["abc"]),
        &one("k", "ABC"),
        false,
    );
    check(&atom(O::StringEquals, "k", &[""]), &one("k", ""), true);
    check(
        &atom(O::StringNotEquals, "k", &["abc"]),
        &one("k", "ABC"),
        true,
    );
}

#[test]
fn c8_string_equals_ignore_case_uses_unicode_lower_casing() {
    let eq = |policy: &str, request: &str| {
        eval_in(
            &atom(O::StringEqualsIgnoreCase, "k", &[policy]),
            &one("k", request),
        )
    };
    assert!(eq("Admin", "aDMIN"));
    assert!(eq("ÉCOLE", "école"));
    assert!(eq("ΣΑΣ", "σασ"));
    // The Kelvin sign lower-cases to `k`.
    assert!(eq("\u{212A}ey", "key"));
    // ß is not ss, and composed is not decomposed.
    assert!(!eq("straße", "STRASSE"));
    assert!(!eq("é", "e\u{301}"));
    assert!(!eq("ab", "abc"));
    assert!(!eq("abc", "ab"));
    let not = atom(O::StringNotEqualsIgnoreCase, "k", &["Admin"]);
    check(&not, &one("k", "ADMIN"), false);
    check(&not, &one("k", "root"), true);
}

#[test]
fn c8_string_like_globs_case_sensitively() {
    let like = atom(O::StringLike, "k", &["home/*/docs?"]);
    check(&like, &one("k", "home/alice/docs1"), true);
    check(&like, &one("k", "home/a/b/docs1"), true);
    check(&like, &one("k", "home/alice/docs"), false);
    check(&like, &one("k", "HOME/alice/docs1"), false);
    let not_like = atom(O::StringNotLike, "k", &["a*", "*z"]);
    check(&not_like, &one("k", "abc"), false);
    check(&not_like, &one("k", "xyz"), false);
    check(&not_like, &one("k", "mmm"), true);
}

#[test]
fn c9_numbers_compare_numerically() {
    let n =
        |op, policy: &str, request: &str| eval_in(&atom(op, "k", &[policy]), &one("k", request));
    assert!(n(O::NumericEquals, "10", "10.0"));
    assert!(n(O::NumericEquals, "-0", "0"));
    assert!(!n(O::NumericEquals, "10", "10.5"));
    assert!(n(O::NumericNotEquals, "10", "10.5"));
    assert!(!n(O::NumericNotEquals, "10", "+10"));
    assert!(n(O::NumericLessThan, "3600", "3599.999"));
    assert!(!n(O::NumericLessThan, "3600", "3600"));
    assert!(n(O::NumericLessThanEquals, "3600", "3600.0"));
    assert!(!n(O::NumericLessThanEquals, "3600", "3600.01"));
    assert!(n(O::NumericGreaterThan, "3600", "3601"));
    assert!(!n(O::NumericGreaterThan, "3600", "3600"));
    assert!(n(O::NumericGreaterThanEquals, "-5", "-5"));
    assert!(!n(O::NumericGreaterThanEquals, "-5", "-6"));
}

#[test]
fn c_type_unreadable_request_values_are_false_even_for_negated_operators() {
    let cases = [
        (O::NumericEquals, "10", "ten"),
        (O::NumericNotEquals, "10", "ten"),
        (O::NumericLessThan, "10", "1e1"),
        (O::DateEquals, "2030", "tomorrow"),
        (O::DateNotEquals, "2030", "tomorrow"),
        (O::DateGreaterThan, "2030", "2030-02-30"),
        (O::Bool, "true", "yes"),
        (O::Bool, "false", ""),
        (O::BinaryEquals, "QQ==", "Q"),
        (O::IpAddress, "10.0.0.0/8", "10.0.0.0/8"),
        (O::NotIpAddress, "10.0.0.0/8", "not an ip"),
        (O::ArnLike, "*", "arn:aws:s3"),
        (O::ArnNotLike, "arn:aws:s3:::b", "b"),
        (O::ArnNotEquals, "arn:aws:s3:::b", "arn:aws:s3::"),
    ];
    for (op, policy, request) in cases {
        let cond = atom(op, "k", &[policy]);
        check(&cond, &one("k", request), false);
        check(&if_exists(cond.clone()), &one("k", request), false);
        // Also with no policy value to compare with (a negated operator would
        // otherwise be true).
        check(&atom(op, "k", &[]), &one("k", request), false);
        // Per value under set operators.
        check(&for_all(cond.clone()), &multi("k", &[request]), false);
        check(&for_any(cond), &multi("k", &[request]), false);
    }
}

#[test]
fn c10_dates_compare_as_instants() {
    let d = |op, policy: &str, request: &str| {
        eval_in(
            &atom(op, "aws:CurrentTime", &[policy]),
            &one("aws:CurrentTime", request),
        )
    };
    assert!(d(
        O::DateLessThan,
        "2030-01-01T00:00:00Z",
        "2029-12-31T23:59:59Z"
    ));
    assert!(!d(
        O::DateLessThan,
        "2030-01-01T00:00:00Z",
        "2030-01-01T00:00:00Z"
    ));
    assert!(d(
        O::DateLessThanEquals,
        "2030-01-01T00:00:00Z",
        "2030-01-01T01:00:00+01:00"
    ));
    assert!(d(O::DateEquals, "2030-01-01", "2030-01-01T00:00:00.000Z"));
    assert!(d(
        O::DateNotEquals,
        "2030-01-01",
        "2030-01-01T00:00:00.001Z"
    ));
    assert!(d(
        O::DateGreaterThan,
        "2030",
        "2030-01-01T00:00:00.000000001Z"
    ));
    assert!(d(O::DateGreaterThanEquals, "2030-06", "2030-06-01"));
    // Epoch seconds on either side (aws:EpochTime).
    assert!(d(O::DateLessThan, "1893456000", "2029-12-31T23:59:59Z"));
    assert!(d(O::DateGreaterThan, "2029-12-31T23:59:59Z", "1893456000"));
    assert!(d(O::DateEquals, "2030-01-01T00:00:00Z", "1893456000"));
}

#[test]
fn c11_bool_is_case_insensitive_and_other_policy_values_never_match() {
    let b = |policy: &str, request: &str| {
        eval_in(
            &atom(O::Bool, "aws:SecureTransport", &[policy]),
            &one("aws:SecureTransport", request),
        )
    };
    assert!(b("true", "TRUE"));
    assert!(b("False", "false"));
    assert!(!b("true", "false"));
    assert!(!b("maybe", "true"));
    assert!(!b("maybe", "maybe"));
    check(
        &atom(O::Bool, "k", &["true", "false"]),
        &one("k", "fAlSe"),
        true,
    );
}

#[test]
fn c12_binary_compares_decoded_bytes() {
    let cond = atom(O::BinaryEquals, "k", &["QUI=", "aGVsbG8="]);
    check(&cond, &one("k", "QUI="), true);
    check(&cond, &one("k", "QUI"), true);
    check(&cond, &one("k", "aGVsbG8"), true);
    check(&cond, &one("k", "QQ=="), false);
    check(&cond, &one("k", "QUJD"), false);
    check(&cond, &one("k", ""), false);
    check(&atom(O::BinaryEquals, "k", &[""]), &one("k", ""), true);
}

#[test]
fn c13_ip_networks() {
    let ip = atom(
        O::IpAddress,
        "aws:SourceIp",
        &["10.0.0.0/8", "2001:db8::/32"],
    );
    check(&ip, &one("aws:SourceIp", "10.200.1.1"), true);
    check(&ip, &one("aws:SourceIp", "2001:db8::7"), true);
    check(&ip, &one("aws:SourceIp", "11.0.0.1"), false);
    check(&ip, &one("aws:SourceIp", "::ffff:10.0.0.1"), false);
    // NotIpAddress with only IPv4 networks is true for an IPv6 caller.
    let not_v4 = atom(
        O::NotIpAddress,
        "aws:SourceIp",
        &["10.0.0.0/8", "192.0.2.0/24"],
    );
    check(&not_v4, &one("aws:SourceIp", "2001:db8::1"), true);
    check(&not_v4, &one("aws:SourceIp", "192.0.2.77"), false);
    check(&not_v4, &one("aws:SourceIp", "198.51.100.1"), true);
    // A VPC-endpoint request has no aws:SourceIp: IpAddress false, NotIpAddress true.
    check(&ip, &empty(), false);
    check(&not_v4, &empty(), true);
    // Host bits in a policy network are cleared.
    check(
        &atom(O::IpAddress, "k", &["10.1.2.3/8"]),
        &one("k", "10.9.9.9"),
        true,
    );
}

#[test]
fn c14_null_tests_absence() {
    let absent = atom(O::Null, "aws:TokenIssueTime", &["true"]);
    let present = atom(O::Null, "aws:TokenIssueTime", &["false"]);
    let both = atom(O::Null, "aws:TokenIssueTime", &["true", "false"]);
    let odd = atom(O::Null, "aws:TokenIssueTime", &["maybe"]);
    let time = one("aws:TokenIssueTime", "2030-01-01T00:00:00Z");
    check(&absent, &empty(), true);
    check(&absent, &time, false);
    check(&present, &empty(), false);
    check(&present, &time, true);
    check(&both, &empty(), true);
    check(&both, &time, true);
    check(&odd, &empty(), false);
    check(&odd, &time, false);
    // Values are read like Bool values.
    check(&atom(O::Null, "k", &["TRUE"]), &empty(), true);
    // D6: a single "" is present; an empty list is absent; a non-empty list present.
    check(&absent, &one("aws:TokenIssueTime", ""), false);
    check(&absent, &multi("aws:TokenIssueTime", &[]), true);
    check(&present, &multi("aws:TokenIssueTime", &[]), false);
    check(&present, &multi("aws:TokenIssueTime", &["a", "b"]), true);
    // A set prefix on Null is ignored.
    for set_cond in [for_all(absent.clone()), for_any(absent.clone())] {
        check(&set_cond, &empty(), true);
        check(&set_cond, &time, false);
        check(&set_cond, &multi("aws:TokenIssueTime", &[]), true);
    }
}

#[test]
fn c15_arn_fields_glob_case_sensitively() {
    let admin = atom(
        O::ArnLike,
        "aws:PrincipalArn",
        &["arn:aws:iam::*:role/admin-*"],
    );
    check(
        &admin,
        &one(
            "aws:PrincipalArn",
            "arn:aws:iam::123456789012:role/admin-ops",
        ),
        true,
    );
    check(
        &admin,
        &one("aws:PrincipalArn", "arn:aws:iam::123456789012:user/admin-x"),
        false,
    );
    check(
        &admin,
        &one(
            "aws:PrincipalArn",
            "arn:aws:IAM::123456789012:role/admin-ops",
        ),
        false,
    );
    // A `*` in fields 1-5 cannot cross a colon; in field 6 it can.
    let region = atom(O::ArnEquals, "k", &["arn:aws:s3:us-*:1:b"]);
    check(&region, &one("k", "arn:aws:s3:us-east-1:1:b"), true);
    check(&region, &one("k", "arn:aws:s3:us-east:1:1:b"), false);
    let rest = atom(O::ArnEquals, "k", &["arn:aws:sns:*:1:topic*"]);
    check(
        &rest,
        &one("k", "arn:aws:sns:us-east-1:1:topic:sub:x"),
        true,
    );
    // Field 1 globs too.
    check(
        &atom(O::ArnLike, "k", &["*:aws:s3:::b"]),
        &one("k", "xyz:aws:s3:::b"),
        true,
    );
    // A short policy value is padded with `*` fields, like a Resource entry (R6).
    check(
        &atom(O::ArnLike, "k", &["*"]),
        &one("k", "arn:aws:s3:::b"),
        true,
    );
    check(
        &atom(O::ArnLike, "k", &["arn:aws:s3"]),
        &one("k", "arn:aws:s3:::b"),
        true,
    );
    check(
        &atom(O::ArnLike, "k", &["arn:aws:s3"]),
        &one("k", "arn:aws:ec2:::b"),
        false,
    );
    // Negated: NOR; a non-ARN request is false (C-TYPE).
    let not = atom(O::ArnNotLike, "k", &["arn:aws:iam::*:role/admin-*"]);
    check(&not, &one("k", "arn:aws:iam::1:role/admin-a"), false);
    check(&not, &one("k", "arn:aws:iam::1:role/dev"), true);
    check(&not, &one("k", "role/dev"), false);
}

// ---------------------------------------------------------------------------
// Set operators: C16–C20.

#[test]
fn c16_for_all_values() {
    let cond = for_all(atom(O::StringEquals, "aws:TagKeys", &["team", "env"]));
    check(&cond, &multi("aws:TagKeys", &["team"]), true);
    check(&cond, &multi("aws:TagKeys", &["team", "env"]), true);
    check(&cond, &multi("aws:TagKeys", &["team", "owner"]), false);
    check(&cond, &multi("aws:TagKeys", &[]), true);
    check(&cond, &empty(), true);
}

#[test]
fn c17_for_any_value() {
    let cond = for_any(atom(O::StringEquals, "aws:TagKeys", &["team", "env"]));
    check(&cond, &multi("aws:TagKeys", &["owner", "env"]), true);
    check(&cond, &multi("aws:TagKeys", &["owner"]), false);
    check(&cond, &multi("aws:TagKeys", &[]), false);
    check(&cond, &empty(), false);
}

#[test]
fn c18_negated_operators_under_set_prefixes() {
    let all_not = for_all(atom(O::StringNotEquals, "k", &["a", "b"]));
    check(&all_not, &multi("k", &["c", "d"]), true);
    check(&all_not, &multi("k", &["c", "a"]), false);
    check(&all_not, &empty(), true);
    let any_not = for_any(atom(O::StringNotEquals, "k", &["a", "b"]));
    check(&any_not, &multi("k", &["a", "c"]), true);
    check(&any_not, &multi("k", &["a", "b"]), false);
    check(&any_not, &empty(), false);
    check(&any_not, &multi("k", &[]), false);
}

#[test]
fn c19_a_single_value_is_a_one_element_set() {
    let all = for_all(atom(O::StringEquals, "aws:PrincipalOrgID", &["o-1", "o-2"]));
    check(&all, &one("aws:PrincipalOrgID", "o-1"), true);
    check(&all, &one("aws:PrincipalOrgID", "o-3"), false);
    let any = for_any(atom(O::StringEquals, "aws:PrincipalOrgID", &["o-1", "o-2"]));
    check(&any, &one("aws:PrincipalOrgID", "o-2"), true);
    check(&any, &one("aws:PrincipalOrgID", "o-3"), false);
}

#[test]
fn c20_set_prefix_with_if_exists() {
    let any = if_exists(for_any(atom(O::StringLike, "k", &["a*"])));
    check(&any, &empty(), true);
    check(&any, &multi("k", &[]), false);
    check(&any, &multi("k", &["b", "ab"]), true);
    check(&any, &multi("k", &["b"]), false);
    let all = if_exists(for_all(atom(O::StringLike, "k", &["a*"])));
    check(&all, &empty(), true);
    check(&all, &multi("k", &[]), true);
    check(&all, &multi("k", &["b", "ab"]), false);
}

// ---------------------------------------------------------------------------
// Variables: C-VAR-3 to C-VAR-5.

fn text(s: &str) -> Part {
    Part::Text(s.into())
}

fn literal(s: &str) -> Part {
    Part::Literal(s.into())
}

fn var(key: &str, default: Option<&str>) -> Part {
    Part::Var {
        key: key.into(),
        default: default.map(Into::into),
    }
}

fn template(parts: Vec<Part>) -> Template {
    Template(parts)
}

#[test]
fn c_var_3_resolution() {
    // "team-${aws:PrincipalTag/team, 'none'}"
    let cond = with_values(
        atom(O::StringEquals, "aws:ResourceTag/owner", &[]),
        vec![template(vec![
            text("team-"),
            var("aws:principaltag/team", Some("none")),
        ])],
    );
    let ctx = |team: Option<ContextValue>, owner: &str| {
        let mut ctx = Context::new().with("aws:ResourceTag/owner", owner);
        if let Some(team) = team {
            ctx.insert("AWS:PrincipalTag/Team", team);
        }
        ctx
    };
    let single = |v: &str| Some(ContextValue::Single(v.into()));
    let multi = |vs: &[&str]| {
        Some(ContextValue::Multi(
            vs.iter().map(|v| (*v).into()).collect(),
        ))
    };
    // Single value.
    check(&cond, &ctx(single("red"), "team-red"), true);
    check(&cond, &ctx(single("red"), "team-none"), false);
    // Multivalued keys never resolve: the default applies.
    check(&cond, &ctx(multi(&["red"]), "team-red"), false);
    check(&cond, &ctx(multi(&["red"]), "team-none"), true);
    // Absent: the default.
    check(&cond, &ctx(None, "team-none"), true);
    // An empty single value is a value.
    check(&cond, &ctx(single(""), "team-"), true);
}

#[test]
fn c_var_3_substituted_values_are_literal() {
    let like = with_values(
        atom(O::StringLike, "k", &[]),
        vec![template(vec![
            text("home/"),
            var("aws:username", None),
            text("/*"),
        ])],
    );
    let ctx = |user: &str, value: &str| Context::new().with("aws:username", user).with("k", value);
    check(&like, &ctx("alice", "home/alice/x"), true);
    check(&like, &ctx("alice", "home/bob/x"), false);
    // `*` and `?` in the value are literal.
    check(&like, &ctx("a*", "home/a*/x"), true);
    check(&like, &ctx("a*", "home/abc/x"), false);
    check(&like, &ctx("?", "home/x/x"), false);
    check(&like, &ctx("?", "home/?/x"), true);
    // Also in defaults.
    let defaulted = with_values(
        atom(O::StringLike, "k", &[]),
        vec![template(vec![var("aws:username", Some("*"))])],
    );
    check(&defaulted, &one("k", "*"), true);
    check(&defaulted, &one("k", "anything"), false);
}

#[test]
fn c_var_4_literal_parts_are_never_wildcards() {
    // "a${*}b${?}" as the compiler emits it.
    let like = with_values(
        atom(O::StringLike, "k", &[]),
        vec![template(vec![
            text("a"),
            literal("*"),
            text("b"),
            literal("?"),
            text("*"),
        ])],
    );
    check(&like, &one("k", "a*b?"), true);
    check(&like, &one("k", "a*b?tail"), true);
    check(&like, &one("k", "axb?"), false);
    check(&like, &one("k", "a*bx"), false);
    // Literal and text parts of a plain value concatenate for every operator.
    let eq = with_values(
        atom(O::StringEquals, "k", &[]),
        vec![template(vec![text("a"), literal("$"), text("*")])],
    );
    check(&eq, &one("k", "a$*"), true);
    let num = with_values(
        atom(O::NumericEquals, "k", &[]),
        vec![template(vec![text("1"), literal("0")])],
    );
    check(&num, &one("k", "10"), true);
}

#[test]
fn c_var_5_unresolved_values() {
    let values = vec![template(vec![var("aws:sourceidentity", None)])];
    let ctx = one("k", "x");
    // Positive: never matches.
    for op in [
        O::StringEquals,
        O::StringEqualsIgnoreCase,
        O::StringLike,
        O::ArnLike,
        O::Bool,
    ] {
        check(
            &with_values(atom(op, "k", &[]), values.clone()),
            &ctx,
            false,
        );
    }
    // Negated: "not equal", so the operator is true.
    for op in [
        O::StringNotEquals,
        O::StringNotEqualsIgnoreCase,
        O::StringNotLike,
    ] {
        check(&with_values(atom(op, "k", &[]), values.clone()), &ctx, true);
    }
    let arn = one("k", "arn:aws:s3:::b");
    check(
        &with_values(atom(O::ArnNotLike, "k", &[]), values.clone()),
        &arn,
        true,
    );
    // Alongside a resolved value: only that one counts.
    let mixed = with_values(
        atom(O::StringNotEquals, "k", &[]),
        vec![template(vec![var("aws:sourceidentity", None)]), "x".into()],
    );
    check(&mixed, &ctx, false);
    check(&mixed, &one("k", "y"), true);
    // A multivalued key without default does not resolve either.
    let multi_var = with_values(atom(O::StringEquals, "k", &[]), values);
    let ctx = Context::new()
        .with("k", "x")
        .with_multi("aws:SourceIdentity", ["x"]);
    check(&multi_var, &ctx, false);
}

#[test]
fn variables_in_ignore_case_arn_and_bool_values() {
    let ctx = |key: &str, value: &str| {
        Context::new()
            .with("aws:username", "Alice")
            .with(key, value)
    };
    let fold = with_values(
        atom(O::StringEqualsIgnoreCase, "k", &[]),
        vec![template(vec![text("USER-"), var("aws:username", None)])],
    );
    check(&fold, &ctx("k", "user-alice"), true);
    check(&fold, &ctx("k", "user-alic"), false);
    check(&fold, &ctx("k", "user-alicee"), false);
    let arn = with_values(
        atom(O::ArnLike, "aws:SourceArn", &[]),
        vec![template(vec![
            text("arn:aws:iam::*:user/"),
            var("aws:username", None),
        ])],
    );
    check(
        &arn,
        &ctx("aws:SourceArn", "arn:aws:iam::1:user/Alice"),
        true,
    );
    check(
        &arn,
        &ctx("aws:SourceArn", "arn:aws:iam::1:user/alice"),
        false,
    );
    // A resolved value with colons is split into fields like policy text.
    let whole = with_values(
        atom(O::ArnEquals, "aws:SourceArn", &[]),
        vec![template(vec![var("aws:principalarn", None)])],
    );
    let ctx2 = Context::new()
        .with("aws:PrincipalArn", "arn:aws:iam::1:role/r")
        .with("aws:SourceArn", "arn:aws:iam::1:role/r");
    check(&whole, &ctx2, true);
    // D5: Bool takes variables.
    let flag = with_values(
        atom(O::Bool, "aws:SecureTransport", &[]),
        vec![template(vec![var("aws:viaawsservice", None)])],
    );
    let ctx3 = Context::new()
        .with("aws:ViaAWSService", "TRUE")
        .with("aws:SecureTransport", "true");
    check(&flag, &ctx3, true);
    check(&flag, &one("aws:SecureTransport", "true"), false);
}

// ---------------------------------------------------------------------------
// Resource atoms with templates: R5.

fn resource(patterns: Vec<Template>, not: bool) -> Program {
    compile(&Atom::Resource { patterns, not }).unwrap()
}

fn matches_resource(atom: &Program, resource: &str, ctx: &Context) -> bool {
    atom.eval(&Request {
        resource,
        context: ctx,
    })
}

#[test]
fn r5_variables_in_resource_entries() {
    // X25/X26 at the atom level.
    let home = vec![template(vec![
        text("arn:aws:s3:::home/"),
        var("aws:username", None),
        text("/*"),
    ])];
    let atom = resource(home.clone(), false);
    let alice = one("aws:username", "alice");
    assert!(matches_resource(&atom, "arn:aws:s3:::home/alice/x", &alice));
    assert!(!matches_resource(&atom, "arn:aws:s3:::home/bob/x", &alice));
    assert!(!matches_resource(&atom, "*", &alice));
    // Unresolved: matches nothing.
    assert!(!matches_resource(&atom, "arn:aws:s3:::home/x/y", &empty()));
    let shared = resource(
        vec![template(vec![
            text("arn:aws:s3:::home/"),
            var("aws:username", Some("x")),
            text("/*"),
        ])],
        false,
    );
    assert!(matches_resource(&shared, "arn:aws:s3:::home/x/y", &empty()));
    // The value is literal.
    let star = one("aws:username", "*");
    assert!(!matches_resource(&atom, "arn:aws:s3:::home/bob/x", &star));
    assert!(matches_resource(&atom, "arn:aws:s3:::home/*/x", &star));
    // D7: inside NotResource an unresolved entry excludes nothing.
    let not = resource(home, true);
    assert!(matches_resource(&not, "arn:aws:s3:::home/x/y", &empty()));
    assert!(!matches_resource(&not, "arn:aws:s3:::home/alice/y", &alice));
    assert!(matches_resource(&not, "arn:aws:s3:::home/bob/y", &alice));
}

#[test]
fn resource_entries_with_literal_parts() {
    // `${*}` as a whole entry is a literal `*`, not R1's `"*"`.
    let literal_star = resource(vec![template(vec![literal("*")])], false);
    assert!(!matches_resource(&literal_star, "*", &empty()));
    assert!(!matches_resource(&literal_star, "arn:aws:s3:::b", &empty()));
    let literal_key = resource(
        vec![template(vec![text("arn:aws:s3:::b/"), literal("*")])],
        false,
    );
    assert!(matches_resource(&literal_key, "arn:aws:s3:::b/*", &empty()));
    assert!(!matches_resource(
        &literal_key,
        "arn:aws:s3:::b/k",
        &empty()
    ));
    // Empty entry sets (R5: entries dropped as unresolved by the compiler).
    assert!(!matches_resource(&resource(vec![], false), "*", &empty()));
    assert!(matches_resource(&resource(vec![], true), "*", &empty()));
}

// ---------------------------------------------------------------------------
// Keys fixed by the model, compared with request-key variables (K1, C-VAR-3).

fn fixed(mut cond: Condition, value: &str) -> Condition {
    cond.fixed = Some(value.into());
    cond
}

#[test]
fn a_fixed_key_is_the_subject_and_its_values_come_from_the_request() {
    // `"StringEquals": {"aws:PrincipalAccount": "${aws:ResourceAccount}"}` for a
    // principal of account 111122223333.
    let same_account = fixed(
        with_values(
            atom(O::StringEquals, "aws:principalaccount", &[]),
            vec![template(vec![var("aws:resourceaccount", None)])],
        ),
        "111122223333",
    );
    check(
        &same_account,
        &one("aws:ResourceAccount", "111122223333"),
        true,
    );
    check(
        &same_account,
        &one("aws:ResourceAccount", "444455556666"),
        false,
    );
    // The request cannot say what the model fixed.
    let claims =
        one("aws:ResourceAccount", "444455556666").with("aws:PrincipalAccount", "444455556666");
    check(&same_account, &claims, false);
    // C-VAR-5: unresolved (absent or multivalued) never matches; negated: true.
    check(&same_account, &empty(), false);
    check(
        &same_account,
        &multi("aws:ResourceAccount", &["111122223333"]),
        false,
    );
    let other_account = Condition {
        op: O::StringNotEquals,
        ..same_account.clone()
    };
    check(&other_account, &empty(), true);
    check(
        &other_account,
        &one("aws:ResourceAccount", "111122223333"),
        false,
    );
    check(&other_account, &one("aws:ResourceAccount", "1"), true);
    // A default resolves an absent key (C-VAR-3).
    let with_default = with_values(
        same_account.clone(),
        vec![template(vec![var(
            "aws:resourceaccount",
            Some("111122223333"),
        )])],
    );
    check(&with_default, &empty(), true);
    // The key is present: IfExists changes nothing, set prefixes see one value (C19).
    for cond in [
        if_exists(same_account.clone()),
        for_all(same_account.clone()),
        for_any(same_account.clone()),
        for_any(if_exists(same_account.clone())),
    ] {
        check(&cond, &empty(), false);
        check(&cond, &one("aws:ResourceAccount", "111122223333"), true);
    }
    check(&for_all(other_account.clone()), &empty(), true);
    check(
        &if_exists(other_account),
        &one("aws:ResourceAccount", "111122223333"),
        false,
    );
}

#[test]
fn a_fixed_key_under_like_matches_the_resolved_pattern_with_literal_variable_text() {
    // The policy value is the pattern: its Text parts are wildcards, the text a
    // variable brings is literal (C-VAR-3).
    let like = fixed(
        with_values(
            atom(O::StringLike, "aws:username", &[]),
            vec![template(vec![var("aws:sourceidentity", None), text("-*")])],
        ),
        "ann-admin",
    );
    check(&like, &one("aws:SourceIdentity", "ann"), true);
    check(&like, &one("aws:SourceIdentity", "an"), false);
    // `*` coming from the request is literal: `a*` does not match `ann`.
    check(&like, &one("aws:SourceIdentity", "a*"), false);
    let star = fixed(like.clone(), "a*-x");
    check(&star, &one("aws:SourceIdentity", "a*"), true);
    let not_like = Condition {
        op: O::StringNotLike,
        ..like.clone()
    };
    check(&not_like, &one("aws:SourceIdentity", "a*"), true);
    check(&not_like, &empty(), true);
    // IgnoreCase folds both sides.
    let ignore_case = fixed(
        with_values(
            atom(O::StringEqualsIgnoreCase, "aws:principaltag/team", &[]),
            vec![template(vec![
                text("Team-"),
                var("aws:requesttag/team", None),
            ])],
        ),
        "team-BLUE",
    );
    check(&ignore_case, &one("aws:RequestTag/team", "blue"), true);
    check(&ignore_case, &one("aws:RequestTag/team", "red"), false);
    // Arn: the resolved value is an ARN pattern, the fixed value the ARN.
    let arn = fixed(
        with_values(
            atom(O::ArnLike, "aws:principalarn", &[]),
            vec![template(vec![
                text("arn:aws:iam::"),
                var("aws:resourceaccount", None),
                text(":role/*"),
            ])],
        ),
        "arn:aws:iam::111122223333:role/Ops",
    );
    check(&arn, &one("aws:ResourceAccount", "111122223333"), true);
    check(&arn, &one("aws:ResourceAccount", "*"), false);
    check(&arn, &one("aws:ResourceAccount", "2"), false);
    let arn_not = Condition {
        op: O::ArnNotLike,
        ..arn.clone()
    };
    check(&arn_not, &one("aws:ResourceAccount", "2"), true);
    // C-TYPE: a fixed value that is not an ARN is false for ArnNot* too.
    check(
        &fixed(arn_not, "not-an-arn"),
        &one("aws:ResourceAccount", "2"),
        false,
    );
    // Bool: the resolved value is read as a boolean.
    let flag = fixed(
        with_values(
            atom(O::Bool, "aws:principaltag/admin", &[]),
            vec![template(vec![var("aws:requesttag/admin", None)])],
        ),
        "TRUE",
    );
    check(&flag, &one("aws:RequestTag/admin", "true"), true);
    check(&flag, &one("aws:RequestTag/admin", "false"), false);
    check(
        &fixed(flag, "yes"),
        &one("aws:RequestTag/admin", "true"),
        false,
    );
}

// ---------------------------------------------------------------------------
// Load-time checks (C2, C-VAR-1, C9, C10, C12, C13).

fn compile_err(cond: Condition) -> String {
    compile(&Atom::Condition(cond))
        .expect_err("must be rejected")
        .to_string()
}

#[test]
fn atom_errors_are_typed() {
    let err = compile(&Atom::Condition(atom(O::IpAddress, "k", &["10.0.0.0/33"]))).unwrap_err();
    let AtomError::Value { value, error } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(value, "10.0.0.0/33");
    assert_eq!(error.expected(), "an IPv4 or IPv6 network");
    assert!(std::error::Error::source(&err).is_some());
    let cond = with_values(
        atom(O::DateLessThan, "k", &[]),
        vec![template(vec![var("aws:username", None)])],
    );
    assert_eq!(
        Atom::Condition(cond).evaluate(&Request::default()),
        Err(AtomError::VariablesNotAllowed(O::DateLessThan))
    );
    assert_eq!(
        if_exists(atom(O::Null, "k", &["true"])).evaluate(&Context::new()),
        Err(AtomError::NullIfExists)
    );
}

#[test]
fn malformed_atoms_are_rejected() {
    assert_eq!(
        compile_err(if_exists(atom(O::Null, "k", &["true"]))),
        "`Null` cannot take `IfExists`"
    );
    for op in [
        O::NumericEquals,
        O::DateLessThan,
        O::BinaryEquals,
        O::IpAddress,
        O::Null,
    ] {
        let cond = with_values(
            atom(op, "k", &[]),
            vec![template(vec![var("aws:username", None)])],
        );
        assert_eq!(
            compile_err(cond),
            format!("`{op:?}` values cannot contain variables")
        );
    }
    assert_eq!(
        compile_err(atom(O::NumericEquals, "k", &["1", "ten"])),
        "`ten` is not a decimal number (only digits, a sign and one `.` are allowed)"
    );
    assert_eq!(
        compile_err(atom(O::DateGreaterThan, "k", &["2030-02-30"])),
        "`2030-02-30` is not a date (day out of range)"
    );
    assert_eq!(
        compile_err(atom(O::NotIpAddress, "k", &["10.0.0.0/33"])),
        "`10.0.0.0/33` is not an IPv4 or IPv6 network (prefix length out of range)"
    );
    assert!(compile_err(atom(O::BinaryEquals, "k", &["Q"])).starts_with("`Q` is not base64"));
    // A fixed key takes a variable-taking operator and a value with a variable.
    let account = vec![template(vec![var("aws:resourceaccount", None)])];
    assert_eq!(
        compile_err(fixed(atom(O::StringEquals, "k", &["1"]), "1")),
        "a fixed key needs a value with a request-key variable"
    );
    assert_eq!(
        compile_err(fixed(atom(O::Null, "k", &["true"]), "1")),
        "`Null` cannot compare a fixed key"
    );
    assert_eq!(
        compile_err(fixed(atom(O::NumericEquals, "k", &["1"]), "1")),
        "`NumericEquals` cannot compare a fixed key"
    );
    for op in [
        O::StringNotLike,
        O::ArnEquals,
        O::Bool,
        O::StringEqualsIgnoreCase,
    ] {
        let cond = fixed(with_values(atom(op, "k", &[]), account.clone()), "1");
        assert!(compile(&Atom::Condition(cond)).is_ok());
    }
    // Bool, String, Arn and Null values are never malformed.
    for op in [O::Bool, O::StringEquals, O::ArnLike, O::Null] {
        assert!(compile(&Atom::Condition(atom(op, "k", &["%%%", ""]))).is_ok());
    }
    // IfExists with every other operator, set prefixes with every operator.
    for op in ALL_OPS {
        let (policy, _) = sample_value(op);
        let base = atom(op, "k", &[policy]);
        assert!(compile(&Atom::Condition(for_all(base.clone()))).is_ok());
        assert!(compile(&Atom::Condition(for_any(base.clone()))).is_ok());
        assert_eq!(
            compile(&Atom::Condition(if_exists(base))).is_ok(),
            op != O::Null
        );
    }
}

// ---------------------------------------------------------------------------
// Edge cases of SEMANTICS §10 at the residual level (one Allow step; a Deny).

fn lit(atom: u32) -> Lit {
    Lit {
        atom,
        negated: false,
    }
}

/// `Allow *` if every condition holds (one statement, one allow step).
fn allow_if(conds: &[Condition]) -> (Residual, Vec<Program>) {
    let clause = (0..conds.len() as u32).map(lit).collect();
    (
        Residual {
            deny: vec![],
            allow: vec![vec![clause]],
        },
        conds.iter().map(program).collect(),
    )
}

/// `Allow *` unconditionally and `Deny *` if the condition holds.
fn deny_if(cond: &Condition) -> (Residual, Vec<Program>) {
    (
        Residual {
            deny: vec![vec![lit(0)]],
            allow: vec![vec![vec![]]],
        },
        vec![program(cond)],
    )
}

#[track_caller]
fn decides(program: &(Residual, Vec<Program>), ctx: &Context, expected: Decision) {
    let req = Request {
        resource: "*",
        context: ctx,
    };
    assert_eq!(decide(&program.0, &program.1, &req), expected, "{ctx:?}");
}

#[test]
fn x17_deny_outside_the_corporate_network() {
    let p = deny_if(&atom(O::NotIpAddress, "aws:SourceIp", &["10.0.0.0/8"]));
    decides(&p, &one("aws:SourceIp", "10.1.1.1"), Decision::Allow);
    decides(&p, &one("aws:SourceIp", "192.0.2.1"), Decision::Deny);
    // VPC endpoint: no aws:SourceIp.
    decides(&p, &empty(), Decision::Deny);
}

#[test]
fn x18_x19_mfa_with_and_without_if_exists() {
    let mfa = atom(O::Bool, "aws:MultiFactorAuthPresent", &["true"]);
    let with_mfa = one("aws:MultiFactorAuthPresent", "true");
    let p = allow_if(std::slice::from_ref(&mfa));
    decides(&p, &empty(), Decision::ImplicitDeny);
    decides(&p, &with_mfa, Decision::Allow);
    let p = allow_if(&[if_exists(mfa)]);
    decides(&p, &empty(), Decision::Allow);
    decides(
        &p,
        &one("aws:MultiFactorAuthPresent", "false"),
        Decision::ImplicitDeny,
    );
}

#[test]
fn x20_numeric_deny_never_fires_without_the_key() {
    let p = deny_if(&atom(
        O::NumericGreaterThan,
        "aws:MultiFactorAuthAge",
        &["3600"],
    ));
    decides(&p, &empty(), Decision::Allow);
    decides(&p, &one("aws:MultiFactorAuthAge", "3601"), Decision::Deny);
    decides(
        &p,
        &one("aws:MultiFactorAuthAge", "3600.0"),
        Decision::Allow,
    );
}

#[test]
fn x21_string_not_equals_on_an_untagged_principal() {
    let p = allow_if(&[atom(O::StringNotEquals, "aws:PrincipalTag/team", &["red"])]);
    decides(&p, &empty(), Decision::Allow);
    decides(
        &p,
        &one("aws:PrincipalTag/team", "red"),
        Decision::ImplicitDeny,
    );
    decides(&p, &one("aws:PrincipalTag/team", "blue"), Decision::Allow);
}

#[test]
fn x22_x23_x24_tag_keys() {
    let p = allow_if(&[for_all(atom(O::StringEquals, "aws:TagKeys", &["env"]))]);
    decides(&p, &empty(), Decision::Allow);
    let p = allow_if(&[for_any(atom(O::StringEquals, "aws:TagKeys", &["env"]))]);
    decides(&p, &empty(), Decision::ImplicitDeny);
    let p = allow_if(&[atom(O::StringEquals, "aws:TagKeys", &["env"])]);
    decides(&p, &multi("aws:TagKeys", &["env"]), Decision::ImplicitDeny);
}

#[test]
fn x37_string_like_star_still_needs_the_key() {
    let p = allow_if(&[atom(O::StringLike, "aws:PrincipalTag/team", &["*"])]);
    decides(&p, &empty(), Decision::ImplicitDeny);
    decides(&p, &one("aws:PrincipalTag/team", ""), Decision::Allow);
}

#[test]
fn x38_null_token_issue_time() {
    let p = allow_if(&[atom(O::Null, "aws:TokenIssueTime", &["true"])]);
    decides(&p, &empty(), Decision::Allow);
    decides(
        &p,
        &one("aws:TokenIssueTime", "2024-05-01T10:00:00Z"),
        Decision::ImplicitDeny,
    );
}

#[test]
fn x39_date_less_than_current_time() {
    let p = allow_if(&[atom(
        O::DateLessThan,
        "aws:CurrentTime",
        &["2030-01-01T00:00:00Z"],
    )]);
    decides(
        &p,
        &one("aws:CurrentTime", "2029-06-01T12:00:00Z"),
        Decision::Allow,
    );
    decides(
        &p,
        &one("aws:CurrentTime", "2030-01-01T00:00:00Z"),
        Decision::ImplicitDeny,
    );
    decides(
        &p,
        &one("aws:CurrentTime", "2031-01-01T00:00:00+05:00"),
        Decision::ImplicitDeny,
    );
    decides(&p, &empty(), Decision::ImplicitDeny);
}

#[test]
fn x40_bare_address_is_a_host() {
    let p = allow_if(&[atom(O::IpAddress, "aws:SourceIp", &["203.0.113.5"])]);
    decides(&p, &one("aws:SourceIp", "203.0.113.5"), Decision::Allow);
    decides(
        &p,
        &one("aws:SourceIp", "203.0.113.6"),
        Decision::ImplicitDeny,
    );
}

#[test]
fn x41_star_is_literal_in_string_equals() {
    let p = allow_if(&[atom(O::StringEquals, "aws:SourceIp", &["10.*"])]);
    decides(&p, &one("aws:SourceIp", "10.1.1.1"), Decision::ImplicitDeny);
}

#[test]
fn two_conditions_and_and_a_deny_that_needs_both() {
    // Allow if MFA and tag; Deny if not TLS.
    let mfa = atom(O::Bool, "aws:MultiFactorAuthPresent", &["true"]);
    let team = atom(O::StringEquals, "aws:PrincipalTag/team", &["blue"]);
    let tls = atom(O::Bool, "aws:SecureTransport", &["true"]);
    let programs: Vec<Program> = [&mfa, &team, &tls].into_iter().map(program).collect();
    let residual = Residual {
        deny: vec![vec![Lit {
            atom: 2,
            negated: true,
        }]],
        allow: vec![vec![vec![lit(0), lit(1)]]],
    };
    let p = (residual, programs);
    let full = Context::new()
        .with("aws:MultiFactorAuthPresent", "true")
        .with("aws:PrincipalTag/team", "blue")
        .with("aws:SecureTransport", "true");
    decides(&p, &full, Decision::Allow);
    let no_tls = full.clone().with("aws:SecureTransport", "false");
    decides(&p, &no_tls, Decision::Deny);
    let red = full.with("aws:PrincipalTag/team", "red");
    decides(&p, &red, Decision::ImplicitDeny);
    decides(&p, &empty(), Decision::Deny);
}

// ---------------------------------------------------------------------------
// Property tests.

mod props {
    use proptest::prelude::*;

    use super::*;
    use crate::parts::TableParts;
    use crate::types::{AccessLevel, Cell};
    use crate::Table;

    const KEYS: [&str; 4] = ["k", "aws:sourceip", "aws:tagkeys", "tag/σας"];

    /// Request values of every type, valid and not.
    const REQUEST_VALUES: [&str; 16] = [
        "10",
        "10.0",
        "-3",
        "abc",
        "",
        "2030-01-01T00:00:00Z",
        "1700000000",
        "10.1.2.3",
        "2001:db8::1",
        "QQ==",
        "arn:aws:s3:::b/a",
        "arn:aws:iam::1:role/a*",
        "TRUE",
        "false",
        "a*",
        "ΣΑΣ",
    ];

    fn arb_text() -> impl Strategy<Value = String> {
        "[ab*?:/ς]{0,6}"
    }

    fn arb_part() -> impl Strategy<Value = Part> {
        prop_oneof![
            3 => arb_text().prop_map(Part::Text),
            1 => arb_text().prop_map(Part::Literal),
            1 => (
                proptest::sample::select(&KEYS[..]),
                proptest::option::of("[ab*]{0,2}"),
            )
                .prop_map(|(key, default)| Part::Var {
                    key: key.to_owned(),
                    default,
                }),
        ]
    }

    fn arb_template() -> impl Strategy<Value = Template> {
        prop_oneof![
            proptest::collection::vec(arb_part(), 0..4).prop_map(Template),
            proptest::sample::select(&REQUEST_VALUES[..]).prop_map(Template::from),
            Just(Template::from("arn:aws:s3:::b/*")),
            Just(Template::from("*")),
        ]
    }

    /// A valid policy value of a typed operator.
    fn arb_typed(value_type: ValueType) -> BoxedStrategy<Template> {
        let pool: &'static [&'static str] = match value_type {
            ValueType::Number => &["10", "-0.5", "3600", "10.000", ".5"],
            ValueType::Date => &[
                "2030",
                "2030-01-01T00:00:00Z",
                "1700000000",
                "2029-12-31T23:00:00-01:00",
            ],
            ValueType::Network => &["10.0.0.0/8", "10.1.2.3", "2001:db8::/32", "0.0.0.0/0"],
            ValueType::Base64 => &["QQ==", "QUI", ""],
            _ => &["true", "false", "maybe"],
        };
        proptest::sample::select(pool)
            .prop_map(Template::from)
            .boxed()
    }

    fn arb_condition() -> impl Strategy<Value = Condition> {
        (
            proptest::sample::select(&ALL_OPS[..]),
            0usize..3,
            any::<bool>(),
            proptest::sample::select(&KEYS[..]),
        )
            .prop_flat_map(|(op, set, if_exists, key)| {
                let values = match value::value_type(op) {
                    ValueType::String | ValueType::Arn | ValueType::Bool => {
                        proptest::collection::vec(arb_template(), 0..3).boxed()
                    }
                    other => proptest::collection::vec(arb_typed(other), 0..3).boxed(),
                };
                values.prop_map(move |values| Condition {
                    set: [SetOp::None, SetOp::ForAllValues, SetOp::ForAnyValue][set],
                    op,
                    if_exists: if_exists && op != O::Null,
                    key: key.to_owned(),
                    fixed: None,
                    values,
                })
            })
    }

    /// A condition whose key is fixed to a value, when the atom can take one.
    fn arb_fixed_condition() -> impl Strategy<Value = Condition> {
        (arb_condition(), arb_value()).prop_map(|(mut cond, value)| {
            let takes = matches!(
                value::value_type(cond.op),
                ValueType::String | ValueType::Arn | ValueType::Bool
            ) && cond.op != O::Null;
            if takes && cond.values.iter().any(has_var) {
                cond.fixed = Some(value);
            }
            cond
        })
    }

    fn arb_atom() -> impl Strategy<Value = Atom> {
        prop_oneof![
            3 => arb_condition().prop_map(Atom::Condition),
            1 => arb_fixed_condition().prop_map(Atom::Condition),
            1 => (proptest::collection::vec(arb_template(), 0..3), any::<bool>())
                .prop_map(|(patterns, not)| Atom::Resource { patterns, not }),
        ]
    }

    fn arb_value() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(&REQUEST_VALUES[..]).prop_map(str::to_owned),
            arb_text(),
        ]
    }

    fn arb_context() -> impl Strategy<Value = Context> {
        proptest::collection::vec(
            (
                proptest::sample::select(
                    &["K", "aws:SourceIp", "aws:TagKeys", "TAG/ΣΑΣ", "other"][..],
                ),
                prop_oneof![
                    arb_value().prop_map(ContextValue::Single),
                    proptest::collection::vec(arb_value(), 0..3).prop_map(ContextValue::Multi),
                ],
            ),
            0..5,
        )
        .prop_map(|entries| {
            let mut ctx = Context::new();
            for (key, value) in entries {
                ctx.insert(key, value);
            }
            ctx
        })
    }

    fn arb_resource() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(&["*", "arn:aws:s3:::b/a", "arn:aws:s3:::b", "b"][..])
                .prop_map(str::to_owned),
            "arn:[ab*]{0,2}:s3:::[ab*?/:]{0,5}",
        ]
    }

    /// One principal, one action, one conditional cell whose allow step is the
    /// disjunction of all atoms and whose deny is the first atom negated.
    fn table_of(atoms: Vec<Atom>) -> TableParts {
        let n_atoms = atoms.len() as u32;
        TableParts {
            catalog: "prop".into(),
            principals: vec!["user/p".into()],
            principal_arns: vec![String::new()],
            actions: vec!["svc:Act".into()],
            action_access: vec![AccessLevel::Read],
            action_wildcard_only: vec![false],
            principal_row: vec![0],
            action_col: vec![0],
            n_rows: 1,
            n_cols: 1,
            cells: vec![Cell::Conditional],
            atoms,
            residuals: vec![Residual {
                deny: (0..n_atoms.min(1))
                    .map(|atom| {
                        vec![Lit {
                            atom,
                            negated: true,
                        }]
                    })
                    .collect(),
                allow: vec![(0..n_atoms).map(|atom| vec![lit(atom)]).collect()],
            }],
            conditional: vec![(0, 0, 0)],
            ..TableParts::default()
        }
    }

    /// The negated twin of a positive operator with one.
    fn twin(op: Operator) -> Option<Operator> {
        Some(match op {
            O::StringEquals => O::StringNotEquals,
            O::StringEqualsIgnoreCase => O::StringNotEqualsIgnoreCase,
            O::StringLike => O::StringNotLike,
            O::NumericEquals => O::NumericNotEquals,
            O::DateEquals => O::DateNotEquals,
            O::IpAddress => O::NotIpAddress,
            O::ArnLike => O::ArnNotLike,
            O::ArnEquals => O::ArnNotEquals,
            _ => return None,
        })
    }

    /// Whether a request value can be read as `op`'s type (C-TYPE).
    fn readable(op: Operator, v: &str) -> bool {
        match value::value_type(op) {
            ValueType::String => true,
            ValueType::Number => Decimal::parse(v).is_ok(),
            ValueType::Date => Timestamp::parse(v).is_ok(),
            ValueType::Bool => parse_bool(v).is_some(),
            ValueType::Base64 => value::decode_base64(v).is_ok(),
            ValueType::Network => v.parse::<IpAddr>().is_ok(),
            ValueType::Arn => glob::split_arn(v).is_some(),
            ValueType::Null => true,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: crate::table::tests::cases(256), ..ProptestConfig::default() })]

        #[test]
        fn prop_atoms_round_trip_through_bytes(atoms in proptest::collection::vec(arb_atom(), 0..6)) {
            let parts = table_of(atoms);
            let table = Table::from_parts(parts.clone()).unwrap();
            prop_assert_eq!(table.to_parts(), parts.clone());
            let loaded = Table::from_bytes(&table.to_bytes()).unwrap();
            prop_assert_eq!(&loaded, &table);
            prop_assert_eq!(loaded.atoms(), &parts.atoms[..]);
        }

        #[test]
        fn prop_random_requests_never_panic(
            atoms in proptest::collection::vec(arb_atom(), 1..6),
            ctx in arb_context(),
            resource in arb_resource(),
        ) {
            let table = Table::from_parts(table_of(atoms)).unwrap();
            let p = table.principal("user/p").unwrap();
            let a = table.action("svc:Act").unwrap();
            let req = Request { resource: &resource, context: &ctx };
            let decision = table.check_with(p, a, &req);
            // Deterministic, and the same through a bytes round trip.
            prop_assert_eq!(table.check_with(p, a, &req), decision);
            let loaded = Table::from_bytes(&table.to_bytes()).unwrap();
            prop_assert_eq!(loaded.check_with(p, a, &req), decision);
        }

        /// A fixed key evaluates as the same atom over a request whose key holds
        /// the fixed value, whatever the request says about that key.
        #[test]
        fn prop_a_fixed_key_is_its_value_in_the_request(
            cond in arb_fixed_condition(),
            ctx in arb_context(),
        ) {
            let Some(value) = cond.fixed.clone() else { return Ok(()) };
            let reads_itself = cond.values.iter().flat_map(|t| &t.0).any(|part| {
                matches!(part, Part::Var { key, .. } if fold_key(key) == fold_key(&cond.key))
            });
            prop_assume!(!reads_itself);
            let unfixed = Condition { fixed: None, ..cond.clone() };
            let mut substituted = ctx.clone();
            substituted.insert(cond.key.clone(), ContextValue::Single(value));
            prop_assert_eq!(eval_in(&cond, &ctx), eval_in(&unfixed, &substituted));
        }

        #[test]
        fn prop_c6_if_exists(cond in arb_condition(), ctx in arb_context()) {
            prop_assume!(cond.op != O::Null);
            let base = Condition { if_exists: false, ..cond.clone() };
            let with = Condition { if_exists: true, ..cond };
            let expected = ctx.get(&base.key).is_none() || eval_in(&base, &ctx);
            prop_assert_eq!(eval_in(&with, &ctx), expected);
        }

        #[test]
        fn prop_c5_negated_twins(cond in arb_condition(), v in arb_value()) {
            let Some(negated) = twin(cond.op) else { return Ok(()) };
            let positive = Condition { set: SetOp::None, ..cond };
            let negative = Condition { op: negated, ..positive.clone() };
            let ctx = Context::new().with(positive.key.clone(), v.clone()).with("other", "b");
            let pos = eval_in(&positive, &ctx);
            let neg = eval_in(&negative, &ctx);
            if readable(positive.op, &v) {
                prop_assert_eq!(neg, !pos);
            } else {
                prop_assert!(!pos && !neg);
            }
        }

        #[test]
        fn prop_c16_c17_set_operators_are_dual(
            cond in arb_condition(),
            values in proptest::collection::vec(arb_value(), 1..4),
        ) {
            let Some(negated) = twin(cond.op) else { return Ok(()) };
            prop_assume!(values.iter().all(|v| readable(cond.op, v)));
            let any = Condition { set: SetOp::ForAnyValue, ..cond };
            let all_not = Condition { set: SetOp::ForAllValues, op: negated, ..any.clone() };
            let ctx = Context::new().with_multi(any.key.clone(), values);
            prop_assert_eq!(eval_in(&any, &ctx), !eval_in(&all_not, &ctx));
        }
    }
}
