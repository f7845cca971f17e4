//! Tests of the reference evaluator through [`evaluate`], on small models
//! lowered from DSL and JSON sources (without building a table, which does
//! not support conditions yet). Rule ids are SEMANTICS.md's.

use verdict_runtime::{Context, Decision};

use super::*;
use crate::{Input, MemoryLoader};

const CATALOG: &str = "\
chime:ListUsers\tList\t
chime:CreateMeeting\tWrite\tmeeting
s3:GetObject\tRead\tobject
s3:ListAllMyBuckets\tList\t
sts:GetCallerIdentity\tRead\t
sts:GetSessionToken\tRead\t
";

fn catalog() -> Catalog {
    Catalog::from_text("test", CATALOG).expect("test catalog")
}

/// Lowers `main.vp` and the other files to a model; no table is built.
fn lower(files: &[(&str, &str)]) -> Model {
    let mut loader = MemoryLoader::default();
    for (path, text) in files {
        loader.insert(*path, *text);
    }
    let (model, _, diags) =
        crate::lower::Lowerer::new(&mut loader).lower(&[Input::auto("main.vp")]);
    assert!(!diags.has_errors(), "{:#?}", diags.list);
    model
}

/// Users `alice` (untagged) and `bob` (tag team=red) and role `ops`, each
/// with the policy document `policy` and nothing else.
fn setup(policy: &str) -> Model {
    lower(&[
        (
            "main.vp",
            r#"
            policy P from "p.json"
            user alice { attach P }
            user bob { attach P  tag team = red }
            role ops { attach P }
            "#,
        ),
        ("p.json", policy),
    ])
}

/// One 2012-10-17 statement allowing everything under `condition`.
fn allow_if(condition: &str) -> Model {
    setup(&format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{condition}}}}}"#
    ))
}

fn ask(
    model: &Model,
    principal: &str,
    action: &str,
    resource: &str,
    context: &Context,
) -> Result<Decision, ReferenceError> {
    evaluate(
        model,
        &catalog(),
        Request {
            principal,
            action,
            resource,
            context,
        },
    )
}

fn decide(
    model: &Model,
    principal: &str,
    action: &str,
    resource: &str,
    context: &Context,
) -> Decision {
    ask(model, principal, action, resource, context).expect("evaluates")
}

/// alice asks for chime:ListUsers.
fn alice(model: &Model, context: &Context) -> Decision {
    decide(model, "user/alice", "chime:ListUsers", "*", context)
}

/// Whether `{op: {key: values}}` holds for alice with `context`.
fn holds(op: &str, key: &str, values: &str, context: &Context) -> bool {
    let model = allow_if(&format!(r#"{{"{op}":{{"{key}":{values}}}}}"#));
    alice(&model, context) == Decision::Allow
}

fn ctx() -> Context {
    Context::new()
}

use Decision::{Allow, Deny, ImplicitDeny};

// ---------------------------------------------------------------------------
// Actions (A), unchanged
// ---------------------------------------------------------------------------

#[test]
fn action_entries_match_per_a_rules() {
    assert!(action_matches("chime:list*", "chime:ListUsers")); // X1
    assert!(!action_matches(
        "chime:*",
        "chime-sdk-meetings:CreateMeeting"
    )); // X2
    assert!(action_matches("*", "s3:GetObject")); // X3
    assert!(!action_matches("s3:*Object", "s3:GetObjectAcl")); // X8
    assert!(action_matches("CHIME:LISTUSERS", "chime:listusers")); // X9
    assert!(!action_matches("chime:List Users", "chime:ListUsers")); // X10
    assert!(!action_matches("s3:GetObject ", "s3:GetObject")); // A5
    assert!(action_matches("*:ListUsers", "chime:ListUsers")); // V9 vendor `*`
    assert!(action_matches("s3:Get?bject", "s3:GetObject")); // A4
    assert!(action_matches("iam:*AccessKey*", "iam:ListAccessKeys")); // A4
}

// ---------------------------------------------------------------------------
// SEMANTICS §10 edge cases
// ---------------------------------------------------------------------------

#[test]
fn x17_deny_outside_a_network_also_denies_without_source_ip() {
    let m = setup(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"chime:*","Resource":"*"},
            {"Effect":"Deny","Action":"*","Resource":"*",
             "Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#,
    );
    assert_eq!(alice(&m, &ctx().with("aws:SourceIp", "10.1.2.3")), Allow);
    assert_eq!(alice(&m, &ctx().with("aws:SourceIp", "192.0.2.1")), Deny);
    assert_eq!(alice(&m, &ctx()), Deny); // VPC endpoint: key absent (C4, C13)
    assert_eq!(alice(&m, &ctx().with("aws:SourceIp", "2001:db8::1")), Deny); // C13
    assert_eq!(alice(&m, &ctx().with("aws:SourceIp", "not-an-ip")), Allow); // C-TYPE
}

#[test]
fn x18_bool_needs_the_key() {
    let m = allow_if(r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#);
    assert_eq!(alice(&m, &ctx()), ImplicitDeny); // C4
    assert_eq!(
        alice(&m, &ctx().with("aws:MultiFactorAuthPresent", "true")),
        Allow
    );
    assert_eq!(
        alice(&m, &ctx().with("aws:MultiFactorAuthPresent", "TRUE")),
        Allow
    ); // C11
    assert_eq!(
        alice(&m, &ctx().with("aws:MultiFactorAuthPresent", "false")),
        ImplicitDeny
    );
    assert_eq!(
        alice(&m, &ctx().with("aws:MultiFactorAuthPresent", "yes")),
        ImplicitDeny
    );
    // JSON booleans are their text (V12).
    let m = allow_if(r#"{"Bool":{"aws:MultiFactorAuthPresent":true}}"#);
    assert_eq!(
        alice(&m, &ctx().with("aws:MultiFactorAuthPresent", "true")),
        Allow
    );
}

#[test]
fn x19_bool_if_exists_passes_without_the_key() {
    let m = allow_if(r#"{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}"#);
    assert_eq!(alice(&m, &ctx()), Allow); // C6
    assert_eq!(
        alice(&m, &ctx().with("aws:MultiFactorAuthPresent", "false")),
        ImplicitDeny
    );
    // C6 example: deny unless MFA, if the key exists.
    let m = setup(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"*","Resource":"*",
             "Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}"#,
    );
    assert_eq!(alice(&m, &ctx()), Deny);
    assert_eq!(
        alice(&m, &ctx().with("aws:MultiFactorAuthPresent", "true")),
        Allow
    );
    assert_eq!(
        alice(&m, &ctx().with("aws:MultiFactorAuthPresent", "false")),
        Deny
    );
}

#[test]
fn x20_numeric_deny_never_fires_without_the_key() {
    let m = setup(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Deny","Action":"*","Resource":"*",
             "Condition":{"NumericGreaterThan":{"aws:MultiFactorAuthAge":3600}}},
            {"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    );
    assert_eq!(alice(&m, &ctx()), Allow); // C4
    assert_eq!(
        alice(&m, &ctx().with("aws:MultiFactorAuthAge", "3600")),
        Allow
    );
    assert_eq!(
        alice(&m, &ctx().with("aws:MultiFactorAuthAge", "3600.5")),
        Deny
    );
    assert_eq!(
        alice(&m, &ctx().with("aws:MultiFactorAuthAge", "3601")),
        Deny
    );
    assert_eq!(
        alice(&m, &ctx().with("aws:MultiFactorAuthAge", "soon")),
        Allow
    ); // C-TYPE
}

#[test]
fn x21_negated_operator_on_an_absent_tag_is_true() {
    let m = allow_if(r#"{"StringNotEquals":{"aws:PrincipalTag/team":"red"}}"#);
    assert_eq!(alice(&m, &ctx()), Allow); // C4
    assert_eq!(
        decide(&m, "user/bob", "chime:ListUsers", "*", &ctx()),
        ImplicitDeny
    );
    // K1: the model decides principal tags; the request cannot add one.
    assert_eq!(
        alice(&m, &ctx().with("aws:PrincipalTag/team", "red")),
        Allow
    );
    assert_eq!(
        decide(
            &m,
            "user/bob",
            "chime:ListUsers",
            "*",
            &ctx().with("aws:PrincipalTag/team", "blue")
        ),
        ImplicitDeny
    );
    // C3: the tag part of the key folds case too.
    let m = allow_if(r#"{"StringEquals":{"AWS:PRINCIPALTAG/TEAM":"red"}}"#);
    assert_eq!(
        decide(&m, "user/bob", "chime:ListUsers", "*", &ctx()),
        Allow
    );
}

#[test]
fn x22_for_all_values_without_the_key_is_true() {
    let m = allow_if(r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}"#);
    assert_eq!(alice(&m, &ctx()), Allow); // C16, D2
    assert_eq!(
        alice(&m, &ctx().with_multi("aws:TagKeys", Vec::<String>::new())),
        Allow
    );
    assert_eq!(alice(&m, &ctx().with_multi("aws:TagKeys", ["env"])), Allow);
    assert_eq!(
        alice(&m, &ctx().with_multi("aws:TagKeys", ["env", "owner"])),
        ImplicitDeny
    );
    // C16 example.
    let m = allow_if(r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["team","env"]}}"#);
    assert_eq!(alice(&m, &ctx().with_multi("aws:TagKeys", ["team"])), Allow);
    assert_eq!(
        alice(&m, &ctx().with_multi("aws:TagKeys", ["team", "owner"])),
        ImplicitDeny
    );
}

#[test]
fn x23_for_any_value_without_the_key_is_false() {
    let m = allow_if(r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}"#);
    assert_eq!(alice(&m, &ctx()), ImplicitDeny); // C17
    assert_eq!(
        alice(&m, &ctx().with_multi("aws:TagKeys", Vec::<String>::new())),
        ImplicitDeny
    );
    assert_eq!(
        alice(&m, &ctx().with_multi("aws:TagKeys", ["owner", "env"])),
        Allow
    );
    assert_eq!(
        alice(&m, &ctx().with_multi("aws:TagKeys", ["owner"])),
        ImplicitDeny
    );
}

#[test]
fn x24_multivalued_key_without_set_operator_is_false() {
    let tags = ctx().with_multi("aws:TagKeys", ["env"]);
    assert!(!holds("StringEquals", "aws:TagKeys", r#""env""#, &tags)); // C7
    assert!(!holds(
        "StringNotEquals",
        "aws:TagKeys",
        r#""other""#,
        &tags
    ));
    assert!(!holds(
        "StringEqualsIfExists",
        "aws:TagKeys",
        r#""env""#,
        &tags
    ));
    assert!(!holds("StringLike", "aws:TagKeys", r#""*""#, &tags));
    assert!(!holds(
        "StringEquals",
        "aws:TagKeys",
        r#""env""#,
        &ctx().with_multi("aws:TagKeys", Vec::<String>::new())
    ));
    // A JSON string is single-valued.
    assert!(holds(
        "StringEquals",
        "aws:TagKeys",
        r#""env""#,
        &ctx().with("aws:TagKeys", "env")
    ));
}

const HOME: &str = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*",
    "Resource":"arn:aws:s3:::home/${aws:username}/*"}}"#;

#[test]
fn x25_unresolved_variable_in_resource_matches_nothing() {
    let m = setup(HOME);
    assert_eq!(
        decide(
            &m,
            "role/ops",
            "s3:GetObject",
            "arn:aws:s3:::home/x/y",
            &ctx()
        ),
        ImplicitDeny
    );
    // K1: the request cannot supply a user name for a role.
    let claims = ctx().with("aws:username", "x");
    assert_eq!(
        decide(
            &m,
            "role/ops",
            "s3:GetObject",
            "arn:aws:s3:::home/x/y",
            &claims
        ),
        ImplicitDeny
    );
    // C-VAR-5 example: a user gets its own home.
    assert_eq!(
        decide(
            &m,
            "user/alice",
            "s3:GetObject",
            "arn:aws:s3:::home/alice/x",
            &ctx()
        ),
        Allow
    );
    assert_eq!(
        decide(
            &m,
            "user/alice",
            "s3:GetObject",
            "arn:aws:s3:::home/bob/x",
            &claims
        ),
        ImplicitDeny
    );
    assert_eq!(
        decide(&m, "user/alice", "s3:GetObject", "*", &ctx()),
        ImplicitDeny
    ); // R7
}

#[test]
fn x26_default_value_resolves_for_roles() {
    let m = setup(&HOME.replace("${aws:username}", "${aws:username, 'x'}"));
    assert_eq!(
        decide(
            &m,
            "role/ops",
            "s3:GetObject",
            "arn:aws:s3:::home/x/y",
            &ctx()
        ),
        Allow
    );
    assert_eq!(
        decide(
            &m,
            "user/alice",
            "s3:GetObject",
            "arn:aws:s3:::home/x/y",
            &ctx()
        ),
        ImplicitDeny
    );
    assert_eq!(
        decide(
            &m,
            "user/alice",
            "s3:GetObject",
            "arn:aws:s3:::home/alice/y",
            &ctx()
        ),
        Allow
    );
}

#[test]
fn x27_no_version_means_literal_variables() {
    let m = setup(
        r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::${aws:username}"}}"#,
    );
    assert_eq!(
        decide(
            &m,
            "user/alice",
            "s3:GetObject",
            "arn:aws:s3:::alice",
            &ctx()
        ),
        ImplicitDeny
    );
    assert_eq!(
        decide(
            &m,
            "user/alice",
            "s3:GetObject",
            "arn:aws:s3:::${aws:username}",
            &ctx()
        ),
        Allow
    );
    // Also in conditions (C-VAR-1), and `${*}` is four characters, `*` a wildcard.
    let m = setup(
        r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",
            "Condition":{"StringLike":{"k":"${*}"}}}}"#,
    );
    assert_eq!(alice(&m, &ctx().with("k", "*")), ImplicitDeny);
    assert_eq!(alice(&m, &ctx().with("k", "${anything}")), Allow);
}

#[test]
fn x28_x29_wildcard_only_actions_keep_r4_with_conditions() {
    let m = setup(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"chime:ListUsers",
            "Resource":"arn:aws:chime::111122223333:*","Condition":{}}}"#,
    );
    assert_eq!(
        decide(
            &m,
            "user/alice",
            "chime:ListUsers",
            "arn:aws:chime::111122223333:x",
            &ctx()
        ),
        ImplicitDeny
    );
    let m = setup(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"chime:ListUsers",
            "NotResource":"arn:aws:chime:*","Condition":{"StringEquals":{"k":"v"}}}}"#,
    );
    assert_eq!(alice(&m, &ctx().with("k", "v")), Allow);
    assert_eq!(alice(&m, &ctx()), ImplicitDeny);
}

#[test]
fn x37_string_like_star_still_needs_the_key() {
    let m = allow_if(r#"{"StringLike":{"aws:PrincipalTag/team":"*"}}"#);
    assert_eq!(alice(&m, &ctx()), ImplicitDeny);
    assert_eq!(
        decide(&m, "user/bob", "chime:ListUsers", "*", &ctx()),
        Allow
    );
}

#[test]
fn x38_null_true_asks_for_an_absent_key() {
    let m = allow_if(r#"{"Null":{"aws:TokenIssueTime":"true"}}"#);
    assert_eq!(alice(&m, &ctx()), Allow); // access keys
    assert_eq!(
        alice(
            &m,
            &ctx().with("aws:TokenIssueTime", "2024-01-01T00:00:00Z")
        ),
        ImplicitDeny
    );
    let m = allow_if(r#"{"Null":{"aws:TokenIssueTime":"false"}}"#);
    assert_eq!(alice(&m, &ctx()), ImplicitDeny);
    assert_eq!(
        alice(
            &m,
            &ctx().with("aws:TokenIssueTime", "2024-01-01T00:00:00Z")
        ),
        Allow
    );
}

#[test]
fn x39_date_less_than_current_time() {
    let m = allow_if(r#"{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}"#);
    let at = |t: &str| alice(&m, &ctx().with("aws:CurrentTime", t));
    assert_eq!(at("2029-12-31T23:59:59Z"), Allow);
    assert_eq!(at("2029-12-31T23:59:59.999Z"), Allow);
    assert_eq!(at("2030-01-01T00:00:00Z"), ImplicitDeny);
    assert_eq!(at("2030-01-01T00:59:59+01:00"), Allow); // C10 offsets
    assert_eq!(at("2029-12-31T19:00:00-05:00"), ImplicitDeny);
    assert_eq!(at("2029-12-31T23:59:59"), Allow); // missing zone = UTC
    assert_eq!(at("2029"), Allow);
    assert_eq!(at("1893455999"), Allow); // epoch seconds
    assert_eq!(at("1893456000"), ImplicitDeny);
    assert_eq!(at("tomorrow"), ImplicitDeny); // C-TYPE
    assert_eq!(alice(&m, &ctx()), ImplicitDeny); // C4
                                                 // Epoch policy values against ISO request values, and the other comparisons.
    let t = |op: &str, policy: &str, request: &str| {
        holds(
            op,
            "aws:EpochTime",
            &format!(r#""{policy}""#),
            &ctx().with("aws:EpochTime", request),
        )
    };
    assert!(t("DateEquals", "1893456000", "2030-01-01T00:00:00Z"));
    assert!(t("DateEquals", "2030-01-01", "2030-01-01T01:00:00+01:00"));
    assert!(!t(
        "DateNotEquals",
        "2030-01-01",
        "2030-01-01T00:00:00.000Z"
    ));
    assert!(t("DateNotEquals", "2030-01-01", "2030-01-01T00:00:00.001Z"));
    assert!(t("DateLessThanEquals", "2030", "2030-01-01T00:00:00Z"));
    assert!(t("DateGreaterThan", "2030-01", "2030-01-01T00:00:00.5Z"));
    assert!(!t(
        "DateGreaterThanEquals",
        "2030-01-02",
        "2030-01-01T23:59:59Z"
    ));
    assert!(!t("DateNotEquals", "2030-01-02", "garbage")); // C-TYPE, negated too
}

#[test]
fn x40_bare_ip_address_is_a_single_host() {
    let m = allow_if(r#"{"IpAddress":{"aws:SourceIp":"203.0.113.5"}}"#);
    assert_eq!(alice(&m, &ctx().with("aws:SourceIp", "203.0.113.5")), Allow);
    assert_eq!(
        alice(&m, &ctx().with("aws:SourceIp", "203.0.113.6")),
        ImplicitDeny
    );
}

#[test]
fn x41_string_equals_has_no_wildcards() {
    let m = allow_if(r#"{"StringEquals":{"aws:SourceIp":"10.*"}}"#);
    assert_eq!(
        alice(&m, &ctx().with("aws:SourceIp", "10.1.1.1")),
        ImplicitDeny
    );
    assert_eq!(alice(&m, &ctx().with("aws:SourceIp", "10.*")), Allow);
}

#[test]
fn x42_empty_condition_is_true() {
    assert_eq!(alice(&allow_if("{}"), &ctx()), Allow); // C1
    assert_eq!(alice(&allow_if(r#"{"StringEquals":{}}"#), &ctx()), Allow); // V12
}

// ---------------------------------------------------------------------------
// C1–C7: structure
// ---------------------------------------------------------------------------

#[test]
fn c1_and_over_keys_and_operators_or_over_values() {
    let m = allow_if(
        r#"{"StringEquals":{"aws:PrincipalTag/dept":["hr","legal"],"aws:PrincipalAccount":"123456789012"},
            "Bool":{"aws:SecureTransport":"true"}}"#,
    );
    let full = |dept: &str| {
        ctx()
            .with("aws:PrincipalTag/dept", dept)
            .with("aws:PrincipalAccount", "123456789012")
            .with("aws:SecureTransport", "true")
    };
    // alice has no tags in the model: the tag is absent whatever the request says.
    assert_eq!(alice(&m, &full("hr")), ImplicitDeny);
    let m = lower(&[
        (
            "main.vp",
            r#"policy P from "p.json"
               user hr { attach P  tag dept = hr }
               user it { attach P  tag dept = it }"#,
        ),
        (
            "p.json",
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",
                "Condition":{"StringEquals":{"aws:PrincipalTag/dept":["hr","legal"],"aws:PrincipalAccount":"123456789012"},
                             "Bool":{"aws:SecureTransport":"true"}}}}"#,
        ),
    ]);
    let ok = full("ignored");
    assert_eq!(decide(&m, "user/hr", "chime:ListUsers", "*", &ok), Allow);
    assert_eq!(
        decide(&m, "user/it", "chime:ListUsers", "*", &ok),
        ImplicitDeny
    );
    let no_tls = ok.clone().with("aws:SecureTransport", "false");
    assert_eq!(
        decide(&m, "user/hr", "chime:ListUsers", "*", &no_tls),
        ImplicitDeny
    );
    let other_account = ok.with("aws:PrincipalAccount", "999999999999");
    assert_eq!(
        decide(&m, "user/hr", "chime:ListUsers", "*", &other_account),
        ImplicitDeny
    );
}

#[test]
fn c3_condition_keys_fold_case_values_do_not() {
    assert!(holds(
        "StringEquals",
        "aws:SourceVpc",
        r#""vpc-1""#,
        &ctx().with("AWS:SOURCEVPC", "vpc-1")
    ));
    assert!(holds(
        "StringEquals",
        "AWS:sourcevpc",
        r#""vpc-1""#,
        &ctx().with("aws:SourceVpc", "vpc-1")
    ));
    assert!(!holds(
        "StringEquals",
        "aws:SourceVpc",
        r#""vpc-1""#,
        &ctx().with("aws:SourceVpc", "VPC-1")
    ));
}

#[test]
fn c4_c5_c6_absent_keys_and_negation() {
    let none = ctx();
    for (op, value) in [
        ("StringNotEquals", r#""a""#),
        ("StringNotEqualsIgnoreCase", r#""a""#),
        ("StringNotLike", r#""a*""#), // D3
        ("NumericNotEquals", "1"),
        ("DateNotEquals", r#""2030""#),
        ("NotIpAddress", r#""10.0.0.0/8""#),
        ("ArnNotEquals", r#""arn:aws:s3:::b""#),
        ("ArnNotLike", r#""arn:aws:s3:::*""#),
    ] {
        assert!(holds(op, "k", value, &none), "{op}: absent → true (C4)");
        assert!(
            holds(&format!("{op}IfExists"), "k", value, &none),
            "{op}IfExists (C6)"
        );
    }
    for (op, value) in [
        ("StringEquals", r#""a""#),
        ("StringEqualsIgnoreCase", r#""a""#),
        ("StringLike", r#""*""#),
        ("NumericEquals", "1"),
        ("NumericLessThan", "1"),
        ("NumericLessThanEquals", "1"),
        ("NumericGreaterThan", "1"),
        ("NumericGreaterThanEquals", "1"),
        ("DateEquals", r#""2030""#),
        ("DateLessThan", r#""2030""#),
        ("DateLessThanEquals", r#""2030""#),
        ("DateGreaterThan", r#""2030""#),
        ("DateGreaterThanEquals", r#""2030""#),
        ("Bool", r#""true""#),
        ("BinaryEquals", r#""Zm9v""#),
        ("IpAddress", r#""0.0.0.0/0""#),
        ("ArnEquals", r#""*""#),
        ("ArnLike", r#""*""#),
    ] {
        assert!(!holds(op, "k", value, &none), "{op}: absent → false (C4)");
        assert!(
            holds(&format!("{op}IfExists"), "k", value, &none),
            "{op}IfExists (C6)"
        );
    }
    // C5: NOR over the policy values.
    let v = |s: &str| ctx().with("k", s);
    assert!(holds("StringNotEquals", "k", r#"["a","b"]"#, &v("c")));
    assert!(!holds("StringNotEquals", "k", r#"["a","b"]"#, &v("b")));
    assert!(!holds(
        "NotIpAddress",
        "k",
        r#"["10.0.0.0/8","192.0.2.0/24"]"#,
        &v("192.0.2.7")
    ));
    assert!(holds(
        "NotIpAddress",
        "k",
        r#"["10.0.0.0/8","192.0.2.0/24"]"#,
        &v("198.51.100.1")
    ));
    // C6: present keys are evaluated normally.
    assert!(!holds("StringNotEqualsIfExists", "k", r#""a""#, &v("a")));
    assert!(holds("StringEqualsIfExists", "k", r#""a""#, &v("a")));
}

#[test]
fn operator_names_fold_case() {
    // C2, D9: accepted in any case.
    assert!(holds("stringequals", "k", r#""a""#, &ctx().with("k", "a")));
    assert!(holds(
        "forallvalues:STRINGEQUALSifexists",
        "k",
        r#""a""#,
        &ctx()
    ));
}

// ---------------------------------------------------------------------------
// C8–C15: operator families
// ---------------------------------------------------------------------------

#[test]
fn c8_strings() {
    let v = |s: &str| ctx().with("k", s);
    assert!(holds("StringEquals", "k", r#""Alice""#, &v("Alice")));
    assert!(!holds("StringEquals", "k", r#""Alice""#, &v("alice")));
    assert!(holds(
        "StringEqualsIgnoreCase",
        "k",
        r#""Alice""#,
        &v("aLICE")
    ));
    assert!(holds("StringEqualsIgnoreCase", "k", r#""ÄÖÜ""#, &v("äöü")));
    assert!(!holds("StringEqualsIgnoreCase", "k", r#""ß""#, &v("ss")));
    assert!(!holds(
        "StringEqualsIgnoreCase",
        "k",
        r#""é""#,
        &v("e\u{301}")
    ));
    assert!(!holds(
        "StringNotEqualsIgnoreCase",
        "k",
        r#""Alice""#,
        &v("ALICE")
    ));
    assert!(holds("StringLike", "k", r#""a*c?""#, &v("a/b:cd")));
    assert!(!holds("StringLike", "k", r#""a*c?""#, &v("A/b:cd")));
    assert!(holds("StringNotLike", "k", r#"["x*","y*"]"#, &v("zed")));
    assert!(!holds("StringNotLike", "k", r#"["x*","y*"]"#, &v("yes")));
    assert!(holds("StringEquals", "k", r#""""#, &v("")));
}

#[test]
fn c9_numbers() {
    let v = |s: &str| ctx().with("k", s);
    assert!(holds("NumericEquals", "k", r#""10""#, &v("10.0")));
    assert!(holds("NumericEquals", "k", "10", &v("+010")));
    assert!(!holds("NumericNotEquals", "k", r#""10.0""#, &v("10")));
    assert!(holds("NumericLessThan", "k", r#""-1.5""#, &v("-2")));
    assert!(holds("NumericLessThanEquals", "k", r#""3""#, &v("3.000")));
    assert!(holds(
        "NumericGreaterThanEquals",
        "k",
        r#""0.1""#,
        &v("0.10")
    ));
    assert!(holds("NumericGreaterThan", "k", r#"["100","2"]"#, &v("3"))); // OR
                                                                          // C-TYPE: an unreadable request value is false, negated or not.
    assert!(!holds("NumericEquals", "k", "1", &v("one")));
    assert!(!holds("NumericNotEquals", "k", "1", &v("one")));
    assert!(!holds("NumericNotEquals", "k", "1", &v("1e0")));
}

#[test]
fn c11_bool() {
    let v = |s: &str| ctx().with("k", s);
    assert!(holds("Bool", "k", r#""false""#, &v("False")));
    assert!(holds("Bool", "k", r#""TRUE""#, &v("true")));
    assert!(!holds("Bool", "k", r#""true""#, &v("1")));
    // Another literal value never matches.
    assert!(!holds("Bool", "k", r#""yes""#, &v("yes")));
    assert!(holds("Bool", "k", r#"["yes","true"]"#, &v("true")));
}

#[test]
fn c12_binary() {
    let v = |s: &str| ctx().with("k", s);
    assert!(holds("BinaryEquals", "k", r#""Zm9v""#, &v("Zm9v")));
    assert!(holds("BinaryEquals", "k", r#""Zm8=""#, &v("Zm8"))); // same bytes
    assert!(!holds("BinaryEquals", "k", r#""Zm9v""#, &v("Zm8=")));
    assert!(!holds("BinaryEquals", "k", r#""Zm9v""#, &v("not base64!")));
}

#[test]
fn c13_ip_addresses() {
    let v = |s: &str| ctx().with("k", s);
    assert!(holds(
        "IpAddress",
        "k",
        r#""2001:db8::/32""#,
        &v("2001:db8::5")
    ));
    assert!(!holds(
        "IpAddress",
        "k",
        r#""2001:db8::/32""#,
        &v("10.0.0.1")
    ));
    assert!(holds(
        "IpAddress",
        "k",
        r#"["10.0.0.0/8","2001:db8::/32"]"#,
        &v("2001:DB8::5")
    ));
    // An IPv6 caller is outside every IPv4 network.
    assert!(holds(
        "NotIpAddress",
        "k",
        r#"["10.0.0.0/8","0.0.0.0/0"]"#,
        &v("::1")
    ));
    assert!(!holds(
        "NotIpAddress",
        "k",
        r#""0.0.0.0/0""#,
        &v("10.0.0.1")
    ));
    // C-TYPE.
    assert!(!holds("IpAddress", "k", r#""0.0.0.0/0""#, &v("localhost")));
    assert!(!holds(
        "NotIpAddress",
        "k",
        r#""10.0.0.0/8""#,
        &v("localhost")
    ));
}

#[test]
fn c14_null() {
    let key = |v: &str| ctx().with("k", v);
    assert!(!holds("Null", "k", r#""true""#, &key(""))); // D6: "" is present
    assert!(holds("Null", "k", r#""false""#, &key("")));
    let empty = ctx().with_multi("k", Vec::<String>::new());
    assert!(holds("Null", "k", r#""true""#, &empty)); // empty list is absent
    assert!(!holds("Null", "k", r#""false""#, &empty));
    assert!(holds(
        "Null",
        "k",
        r#""false""#,
        &ctx().with_multi("k", ["a"])
    ));
    assert!(holds("Null", "k", r#"["true","false"]"#, &ctx()));
    assert!(holds("Null", "k", r#"["true","false"]"#, &key("x")));
    assert!(holds("Null", "k", "true", &ctx())); // JSON boolean
    assert!(holds("Null", "k", r#""TRUE""#, &ctx()));
    assert!(!holds("Null", "k", r#""maybe""#, &ctx()));
    // The set prefix is ignored.
    assert!(holds("ForAnyValue:Null", "k", r#""true""#, &ctx()));
    assert!(!holds("ForAllValues:Null", "k", r#""true""#, &key("x")));
    // No variables: `${k}` is not true or false.
    assert!(!holds("Null", "k", r#""${j}""#, &ctx().with("j", "true")));
}

#[test]
fn c15_arns() {
    let arn = |s: &str| ctx().with("aws:PrincipalArn", s);
    let admin = r#""arn:aws:iam::*:role/admin-*""#;
    assert!(holds(
        "ArnLike",
        "aws:PrincipalArn",
        admin,
        &arn("arn:aws:iam::123456789012:role/admin-ops")
    ));
    assert!(!holds(
        "ArnLike",
        "aws:PrincipalArn",
        admin,
        &arn("arn:aws:iam::123456789012:user/admin-x")
    ));
    assert!(holds(
        "ArnEquals",
        "aws:PrincipalArn",
        admin,
        &arn("arn:aws:iam::1:role/admin-")
    ));
    assert!(!holds(
        "ArnLike",
        "aws:PrincipalArn",
        admin,
        &arn("arn:aws:IAM::1:role/admin-x")
    )); // case-sensitive
        // `*` in fields 1–5 stays in its field; field 6 keeps its colons.
    assert!(!holds(
        "ArnLike",
        "k",
        r#""arn:aws:s3:*:x""#,
        &ctx().with("k", "arn:aws:s3:a:b:x")
    ));
    assert!(holds(
        "ArnLike",
        "k",
        r#""arn:aws:s3:::*""#,
        &ctx().with("k", "arn:aws:s3:::a:b")
    ));
    // Missing fields are `*` (as R6); `*` alone matches every ARN.
    assert!(holds(
        "ArnLike",
        "k",
        r#""*""#,
        &ctx().with("k", "arn:aws:s3:::b")
    ));
    assert!(holds(
        "ArnLike",
        "k",
        r#""arn:aws:s3""#,
        &ctx().with("k", "arn:aws:s3:r:1:b")
    ));
    // C-TYPE: not an ARN (fewer than 6 fields), for ArnNot* too.
    assert!(!holds("ArnLike", "k", r#""*""#, &ctx().with("k", "bucket")));
    assert!(!holds(
        "ArnNotLike",
        "k",
        r#""arn:aws:s3:::x""#,
        &ctx().with("k", "arn:aws:s3::x")
    ));
    assert!(holds(
        "ArnNotLike",
        "k",
        r#""arn:aws:s3:::x""#,
        &ctx().with("k", "arn:aws:s3:::y")
    ));
    assert!(!holds(
        "ArnNotEquals",
        "k",
        r#""arn:aws:s3:::*""#,
        &ctx().with("k", "arn:aws:s3:::y")
    ));
}

#[test]
fn c15_principal_arn_from_the_model() {
    let mut m = allow_if(r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin-*"}}"#);
    m.roles[0].arn = Some("arn:aws:iam::123456789012:role/admin-ops".into());
    assert_eq!(
        decide(&m, "role/ops", "chime:ListUsers", "*", &ctx()),
        Allow
    );
    m.roles[0].arn = Some("arn:aws:iam::123456789012:role/ops".into());
    let claim = ctx().with(
        "aws:PrincipalArn",
        "arn:aws:iam::123456789012:role/admin-ops",
    );
    assert_eq!(
        decide(&m, "role/ops", "chime:ListUsers", "*", &claim),
        ImplicitDeny
    ); // K1
}

// ---------------------------------------------------------------------------
// C16–C20: set operators
// ---------------------------------------------------------------------------

#[test]
fn c18_negated_bases_under_set_prefixes() {
    let set = |vs: &[&str]| ctx().with_multi("k", vs.iter().copied());
    let all = |c: &Context| holds("ForAllValues:StringNotEquals", "k", r#"["a","b"]"#, c);
    assert!(all(&ctx()));
    assert!(all(&set(&[])));
    assert!(all(&set(&["c", "d"])));
    assert!(!all(&set(&["c", "a"])));
    let any = |c: &Context| holds("ForAnyValue:StringNotEquals", "k", r#"["a","b"]"#, c);
    assert!(!any(&ctx()));
    assert!(!any(&set(&[])));
    assert!(any(&set(&["a", "c"])));
    assert!(!any(&set(&["a", "b"])));
    // C-TYPE per value: one unreadable value fails ForAllValues, is skipped by ForAnyValue.
    assert!(!holds(
        "ForAllValues:NumericNotEquals",
        "k",
        "5",
        &set(&["1", "x"])
    ));
    assert!(holds(
        "ForAnyValue:NumericNotEquals",
        "k",
        "5",
        &set(&["x", "1"])
    ));
    assert!(!holds(
        "ForAnyValue:NumericNotEquals",
        "k",
        "5",
        &set(&["x", "5"])
    ));
}

#[test]
fn c19_single_value_is_a_one_element_set() {
    let one = ctx().with("aws:PrincipalOrgID", "o-1");
    assert!(holds(
        "ForAllValues:StringEquals",
        "aws:PrincipalOrgID",
        r#"["o-1","o-2"]"#,
        &one
    ));
    assert!(holds(
        "ForAnyValue:StringEquals",
        "aws:PrincipalOrgID",
        r#"["o-1","o-2"]"#,
        &one
    ));
    assert!(!holds(
        "ForAnyValue:StringEquals",
        "aws:PrincipalOrgID",
        r#""o-3""#,
        &one
    ));
}

#[test]
fn c20_set_prefix_with_if_exists() {
    let op = "ForAnyValue:StringLikeIfExists";
    assert!(holds(op, "k", r#""a*""#, &ctx()));
    assert!(!holds(
        op,
        "k",
        r#""a*""#,
        &ctx().with_multi("k", Vec::<String>::new())
    ));
    assert!(holds(
        op,
        "k",
        r#""a*""#,
        &ctx().with_multi("k", ["x", "ab"])
    ));
    assert!(!holds(op, "k", r#""a*""#, &ctx().with_multi("k", ["x"])));
    assert!(holds(
        "ForAllValues:StringLikeIfExists",
        "k",
        r#""a*""#,
        &ctx()
    ));
    assert!(!holds(
        "ForAllValues:StringLikeIfExists",
        "k",
        r#""a*""#,
        &ctx().with_multi("k", ["x"])
    ));
}

#[test]
fn set_operators_over_other_families() {
    let set = |vs: &[&str]| ctx().with_multi("k", vs.iter().copied());
    assert!(holds(
        "ForAllValues:IpAddress",
        "k",
        r#""10.0.0.0/8""#,
        &set(&["10.0.0.1", "10.9.9.9"])
    ));
    assert!(!holds(
        "ForAllValues:IpAddress",
        "k",
        r#""10.0.0.0/8""#,
        &set(&["10.0.0.1", "::1"])
    ));
    assert!(holds(
        "ForAnyValue:NumericLessThan",
        "k",
        "3",
        &set(&["7", "2.5"])
    ));
    assert!(holds(
        "ForAnyValue:ArnLike",
        "k",
        r#""arn:aws:s3:::*""#,
        &set(&["x", "arn:aws:s3:::b"])
    ));
}

// ---------------------------------------------------------------------------
// C-VAR: policy variables in conditions
// ---------------------------------------------------------------------------

#[test]
fn c_var_in_string_and_arn_values() {
    // alice's user name is static (K1).
    assert!(holds(
        "StringEquals",
        "k",
        r#""home/${aws:username}""#,
        &ctx().with("k", "home/alice")
    ));
    assert!(holds(
        "StringLike",
        "k",
        r#""${aws:username}/*""#,
        &ctx().with("k", "alice/x")
    ));
    assert!(holds(
        "StringEqualsIgnoreCase",
        "k",
        r#""${aws:username}""#,
        &ctx().with("k", "ALICE")
    ));
    // A request key as a variable.
    let c = ctx()
        .with("aws:SourceArn", "arn:aws:s3:::b")
        .with("other", "arn:aws:s3:::b");
    assert!(holds("ArnEquals", "aws:SourceArn", r#""${other}""#, &c));
    // C-VAR-3: substituted `*` is literal, written `*` is a wildcard.
    let star = ctx().with("pat", "a*").with("k", "abc");
    assert!(!holds("StringLike", "k", r#""${pat}""#, &star));
    assert!(holds(
        "StringLike",
        "k",
        r#""${pat}""#,
        &star.clone().with("k", "a*")
    ));
    assert!(!holds(
        "ArnLike",
        "k",
        r#""arn:aws:s3:::${pat}""#,
        &ctx().with("pat", "*").with("k", "arn:aws:s3:::b")
    ));
    // C-VAR-4.
    assert!(holds(
        "StringEquals",
        "k",
        r#""${*}${?}${$}""#,
        &ctx().with("k", "*?$")
    ));
    assert!(holds(
        "StringLike",
        "k",
        r#""${*}*""#,
        &ctx().with("k", "*x")
    ));
    assert!(!holds(
        "StringLike",
        "k",
        r#""${*}*""#,
        &ctx().with("k", "x")
    ));
}

#[test]
fn c_var_5_unresolved_variables() {
    let k = ctx().with("k", "x");
    // Positive: that value never matches; negated: it counts as not equal (D4).
    assert!(!holds("StringEquals", "k", r#""${nope}""#, &k));
    assert!(!holds("StringLike", "k", r#""*${nope}""#, &k));
    assert!(holds("StringNotEquals", "k", r#""${nope}""#, &k));
    assert!(holds("StringNotLike", "k", r#""*${nope}""#, &k));
    assert!(holds(
        "ArnNotLike",
        "k",
        r#""${nope}""#,
        &ctx().with("k", "arn:aws:s3:::b")
    ));
    assert!(!holds("StringNotEquals", "k", r#"["${nope}","x"]"#, &k));
    assert!(holds("StringEquals", "k", r#"["${nope}","x"]"#, &k));
    // Defaults, and multivalued keys never resolve.
    assert!(holds("StringEquals", "k", r#""${nope, 'x'}""#, &k));
    let multi = k.clone().with_multi("m", ["x"]);
    assert!(!holds("StringEquals", "k", r#""${m}""#, &multi));
    assert!(holds("StringEquals", "k", r#""${m, 'x'}""#, &multi));
    // A role has no user name.
    let m = allow_if(r#"{"StringNotEquals":{"k":"${aws:username}"}}"#);
    assert_eq!(decide(&m, "role/ops", "chime:ListUsers", "*", &k), Allow);
    assert_eq!(
        decide(
            &m,
            "user/alice",
            "chime:ListUsers",
            "*",
            &ctx().with("k", "alice")
        ),
        ImplicitDeny
    );
}

#[test]
fn c_var_1_only_some_operators_take_variables() {
    // D5: Bool takes variables.
    assert!(holds(
        "Bool",
        "k",
        r#""${flag}""#,
        &ctx().with("k", "true").with("flag", "TRUE")
    ));
    assert!(!holds(
        "Bool",
        "k",
        r#""${nope}""#,
        &ctx().with("k", "true")
    ));
    // Numeric, Date, Binary, IpAddress: `${` is literal, so the value is not of
    // the type: the compiler rejects it (E0115) and the oracle never sees it.
    for (op, value) in [
        ("NumericEquals", "${n}"),
        ("DateEquals", "${n}"),
        ("BinaryEquals", "${n}"),
        ("IpAddress", "${n}"),
    ] {
        let (m, codes) = lower_with_errors(&format!(r#"{{"{op}":{{"k":"{value}"}}}}"#));
        assert_eq!(codes, ["E0115"], "{op}");
        let err = ask(&m, "user/alice", "chime:ListUsers", "*", &ctx());
        assert!(
            matches!(err, Err(ReferenceError::InvalidPolicy(_))),
            "{op}: {err:?}"
        );
    }
}

/// Like [`allow_if`] for a condition with errors: the model (the policy has
/// no document, V15) and the error codes.
fn lower_with_errors(condition: &str) -> (Model, Vec<&'static str>) {
    let mut loader = MemoryLoader::default();
    loader.insert(
        "main.vp",
        "policy P from \"p.json\"\nuser alice { attach P }\n",
    );
    loader.insert(
        "p.json",
        format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{condition}}}}}"#
        ),
    );
    let (model, _, diags) =
        crate::lower::Lowerer::new(&mut loader).lower(&[Input::auto("main.vp")]);
    let codes = diags
        .list
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code)
        .collect();
    (model, codes)
}

#[test]
fn invalid_policy_values_are_errors_wherever_they_are() {
    // C9/C10/C12/C13: compile-time errors (E0115), even in a statement that
    // does not apply to the request; a policy with errors is never evaluated.
    for (op, value) in [
        ("NumericEquals", "ten"),
        ("DateEquals", "2030-13-01"),
        ("IpAddress", "10.0.0.0/33"),
        ("BinaryEquals", "Zm9v="),
    ] {
        let (m, codes) = lower_with_errors(&format!(r#"{{"{op}":{{"k":"{value}"}}}}"#));
        assert_eq!(codes, ["E0115"], "{op}");
        assert!(
            ask(&m, "user/alice", "chime:ListUsers", "*", &ctx()).is_err(),
            "{op}"
        );
        // P7 answers before any policy is read.
        assert_eq!(
            decide(&m, "user/alice", "sts:GetCallerIdentity", "*", &ctx()),
            Allow
        );
    }
}

// ---------------------------------------------------------------------------
// R5, D7: variables in Resource / NotResource
// ---------------------------------------------------------------------------

#[test]
fn d7_unresolved_variable_in_not_resource_excludes_nothing() {
    let m = setup(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:*","Resource":"*"},
            {"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::home/${aws:username}/*"}]}"#,
    );
    let get = |who: &str, object: &str| decide(&m, who, "s3:GetObject", object, &ctx());
    assert_eq!(get("user/alice", "arn:aws:s3:::home/alice/x"), Allow);
    assert_eq!(get("user/alice", "arn:aws:s3:::home/bob/x"), Deny);
    assert_eq!(get("role/ops", "arn:aws:s3:::home/ops/x"), Deny); // R5, D7
                                                                  // R4: the wildcard-only s3:ListAllMyBuckets is on `*`, outside every ARN.
    assert_eq!(
        decide(
            &m,
            "user/alice",
            "s3:ListAllMyBuckets",
            "arn:aws:s3:::home/alice/x",
            &ctx()
        ),
        Deny
    );
}

#[test]
fn r5_variable_resolves_from_request_keys_too() {
    let m = setup(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*",
            "Resource":["arn:aws:s3:::${aws:PrincipalTag/team}/*","arn:aws:s3:::shared/${s3:prefix}"]}}"#,
    );
    let get = |who: &str, object: &str, c: &Context| decide(&m, who, "s3:GetObject", object, c);
    assert_eq!(get("user/bob", "arn:aws:s3:::red/x", &ctx()), Allow);
    assert_eq!(
        get(
            "user/alice",
            "arn:aws:s3:::red/x",
            &ctx().with("aws:PrincipalTag/team", "red")
        ),
        ImplicitDeny
    );
    assert_eq!(
        get(
            "user/alice",
            "arn:aws:s3:::shared/a*",
            &ctx().with("s3:prefix", "a*")
        ),
        Allow
    );
    assert_eq!(
        get(
            "user/alice",
            "arn:aws:s3:::shared/ab",
            &ctx().with("s3:prefix", "a*")
        ),
        ImplicitDeny
    );
}

// ---------------------------------------------------------------------------
// P-rules with conditions
// ---------------------------------------------------------------------------

#[test]
fn p3_boundary_allow_must_apply_with_its_condition() {
    let m = lower(&[
        (
            "main.vp",
            r#"policy All from "all.json"
               policy Bound from "bound.json"
               user alice { attach All  boundary Bound }"#,
        ),
        (
            "all.json",
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
        ),
        (
            "bound.json",
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}},
                {"Effect":"Deny","Action":"chime:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#,
        ),
    ]);
    let c = ctx().with("aws:RequestedRegion", "eu-west-1");
    assert_eq!(alice(&m, &c), Allow);
    assert_eq!(
        alice(&m, &ctx().with("aws:RequestedRegion", "us-east-1")),
        ImplicitDeny
    );
    assert_eq!(alice(&m, &c.with("aws:SecureTransport", "false")), Deny);
}

#[test]
fn p8_role_sessions_stay_restricted_under_conditions() {
    let m = allow_if(r#"{"StringEquals":{"aws:PrincipalType":"AssumedRole"}}"#);
    assert_eq!(
        decide(&m, "role/ops", "chime:ListUsers", "*", &ctx()),
        Allow
    );
    assert_eq!(
        decide(&m, "role/ops", "sts:GetSessionToken", "*", &ctx()),
        ImplicitDeny
    );
    assert_eq!(
        alice(&m, &ctx().with("aws:PrincipalType", "AssumedRole")),
        ImplicitDeny
    ); // K1
}
