//! SEMANTICS.md edge cases (§10, X-rules) and rule examples, each compiled
//! and answered by the table, the reloaded table and the reference
//! evaluator (see `support::decide`), with the expected decision.
//!
//! Conditional cases are checked with request resources and contexts through
//! `support::decide_with`. Declared sessions, federated users, SCPs and
//! service-linked roles (P1, P4, P6, P8, G5) are at the end; trust
//! evaluation (G3) is not in the table yet.

use crate::support::{codes, compile_files, compile_ok, decide, decide_with, mixed_catalog};
use verdict_compiler::Catalog;
use verdict_runtime::{Cell, Context};

/// alice with identity policy `policy` (JSON) and optional boundary.
fn alice(policy: &str, boundary: Option<&str>) -> Vec<(&'static str, String)> {
    let mut org = String::from("policy P from \"p.json\"\n");
    let mut files = vec![("org.vp", String::new()), ("p.json", policy.to_string())];
    if let Some(b) = boundary {
        org.push_str("policy B from \"b.json\"\nuser alice { attach P  boundary B }\n");
        files.push(("b.json", b.to_string()));
    } else {
        org.push_str("user alice { attach P }\n");
    }
    files[0].1 = org;
    files
}

fn stmt_policy(statements: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#)
}

/// Expected decisions for alice: (action, decision word).
fn check(policy: &str, boundary: Option<&str>, expected: &[(&str, &str)]) {
    let files = alice(policy, boundary);
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let catalog = mixed_catalog();
    let out = compile_ok(&borrowed, catalog.clone());
    for (action, want) in expected {
        assert_eq!(
            decide(&out, &catalog, "user/alice", action),
            *want,
            "{action}"
        );
    }
}

/// The codes of the errors a policy gets.
fn error_codes(policy: &str) -> Vec<&'static str> {
    let files = alice(policy, None);
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let out = compile_files(&borrowed, mixed_catalog());
    assert!(out.table.is_none(), "expected errors");
    out.diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code)
        .collect()
}

fn allow(action: &str) -> String {
    format!(r#"{{"Effect":"Allow","Action":"{action}","Resource":"*"}}"#)
}

#[test]
fn x1_lowercase_wildcard_matches() {
    check(
        &stmt_policy(&allow("chime:list*")),
        None,
        &[
            ("chime:ListUsers", "allow"),
            ("chime:GetUser", "implicit-deny"),
        ],
    );
}

#[test]
fn x2_service_wildcard_stays_in_its_service() {
    check(
        &stmt_policy(&allow("chime:*")),
        None,
        &[
            ("chime-sdk-meetings:CreateMeeting", "implicit-deny"),
            ("chime:CreateBot", "allow"),
        ],
    );
}

#[test]
fn x3_star_matches_every_service() {
    check(
        &stmt_policy(&allow("*")),
        None,
        &[("s3:GetObject", "allow"), ("iam:CreateUser", "allow")],
    );
}

#[test]
fn x4_action_without_colon_is_an_error() {
    assert_eq!(error_codes(&stmt_policy(&allow("ListUsers"))), ["E0108"]);
}

#[test]
fn x5_x6_not_action_ranges_over_all_services() {
    let p = stmt_policy(r#"{"Effect":"Allow","NotAction":["chime:*"],"Resource":"*"}"#);
    check(
        &p,
        None,
        &[
            ("s3:GetObject", "allow"),
            ("iam:CreateUser", "allow"),
            ("chime:ListUsers", "implicit-deny"),
        ],
    );
}

#[test]
fn x7_deny_not_action_denies_everything_else() {
    let p = stmt_policy(&format!(
        "{},{}",
        allow("*"),
        r#"{"Effect":"Deny","NotAction":"iam:*","Resource":"*"}"#
    ));
    check(
        &p,
        None,
        &[("chime:ListUsers", "deny"), ("iam:GetUser", "allow")],
    );
}

#[test]
fn x8_wildcards_are_anchored() {
    check(
        &stmt_policy(&allow("s3:*Object")),
        None,
        &[
            ("s3:GetObjectAcl", "implicit-deny"),
            ("s3:GetObject", "allow"),
        ],
    );
}

#[test]
fn x9_action_case_is_ignored() {
    check(
        &stmt_policy(&allow("CHIME:LISTUSERS")),
        None,
        &[("chime:listusers", "allow"), ("CHIME:ListUsers", "allow")],
    );
}

#[test]
fn x10_whitespace_in_action_matches_nothing_with_a_warning() {
    let policy = stmt_policy(&allow("chime:List Users"));
    check(&policy, None, &[("chime:ListUsers", "implicit-deny")]);
    let files = alice(&policy, None);
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    assert!(codes(&compile_files(&borrowed, mixed_catalog())).contains(&"W0104"));
}

#[test]
fn x11_empty_statement_list_is_an_error() {
    assert_eq!(
        error_codes(r#"{"Version":"2012-10-17","Statement":[]}"#),
        ["E0103"]
    );
}

#[test]
fn x12_statement_object_is_a_one_element_array() {
    let object = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"chime:List*","Resource":"*"}}"#;
    check(
        object,
        None,
        &[
            ("chime:ListUsers", "allow"),
            ("chime:GetUser", "implicit-deny"),
        ],
    );
}

#[test]
fn x13_action_and_not_action_is_an_error() {
    let p =
        stmt_policy(r#"{"Effect":"Allow","Action":"chime:*","NotAction":"s3:*","Resource":"*"}"#);
    assert_eq!(error_codes(&p), ["E0106"]);
}

#[test]
fn x14_effect_is_case_sensitive_and_required() {
    assert_eq!(
        error_codes(&stmt_policy(
            r#"{"Effect":"allow","Action":"chime:*","Resource":"*"}"#
        )),
        ["E0105"]
    );
    assert_eq!(
        error_codes(&stmt_policy(r#"{"Action":"chime:*","Resource":"*"}"#)),
        ["E0105"]
    );
}

#[test]
fn x15_principal_in_identity_policy_is_an_error() {
    let p = stmt_policy(r#"{"Effect":"Allow","Principal":"*","Action":"chime:*","Resource":"*"}"#);
    assert_eq!(error_codes(&p), ["E0104"]);
}

#[test]
fn x16_sids_unique_within_a_policy_only() {
    let twice = stmt_policy(&format!(
        "{},{}",
        r#"{"Sid":"A","Effect":"Allow","Action":"chime:ListUsers","Resource":"*"}"#,
        r#"{"Sid":"A","Effect":"Allow","Action":"chime:GetUser","Resource":"*"}"#
    ));
    assert_eq!(error_codes(&twice), ["E0111"]);
    let one =
        stmt_policy(r#"{"Sid":"A","Effect":"Allow","Action":"chime:ListUsers","Resource":"*"}"#);
    check(&one, Some(&one), &[("chime:ListUsers", "allow")]);
}

/// alice's decisions for `action` under each (resource, context) of `cases`.
fn check_ctx(policy: &str, action: &str, cases: &[(&str, Context, &str)]) {
    check_org(&alice(policy, None), "user/alice", action, cases);
}

/// Decisions of `principal` in an organisation given as files.
fn check_org(
    files: &[(&str, String)],
    principal: &str,
    action: &str,
    cases: &[(&str, Context, &str)],
) {
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let catalog = mixed_catalog();
    let out = compile_ok(&borrowed, catalog.clone());
    for (resource, context, want) in cases {
        assert_eq!(
            decide_with(&out, &catalog, principal, action, resource, context),
            *want,
            "{principal} {action} on {resource} with {context:?}"
        );
    }
}

fn ctx(key: &str, value: &str) -> Context {
    Context::new().with(key, value)
}

fn multi(key: &str, values: &[&str]) -> Context {
    Context::new().with_multi(key, values.iter().copied())
}

fn none() -> Context {
    Context::new()
}

fn conditional(effect: &str, action: &str, condition: &str) -> String {
    format!(r#"{{"Effect":"{effect}","Action":"{action}","Resource":"*","Condition":{condition}}}"#)
}

#[test]
fn x17_deny_unless_source_ip_leaves_a_residual() {
    let p = stmt_policy(&format!(
        "{},{}",
        allow("chime:*"),
        conditional(
            "Deny",
            "*",
            r#"{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#
        )
    ));
    check_ctx(
        &p,
        "chime:ListUsers",
        &[
            ("*", ctx("aws:SourceIp", "10.1.1.1"), "allow"),
            ("*", ctx("aws:SourceIp", "192.0.2.1"), "deny"),
            // Through a VPC endpoint the key is absent: NotIpAddress is true (C4).
            ("*", none(), "deny"),
        ],
    );
}

#[test]
fn x18_bool_on_an_absent_key_is_false() {
    let p = stmt_policy(&conditional(
        "Allow",
        "*",
        r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#,
    ));
    check_ctx(
        &p,
        "chime:ListUsers",
        &[
            ("*", none(), "implicit-deny"),
            ("*", ctx("aws:MultiFactorAuthPresent", "true"), "allow"),
            ("*", ctx("aws:multifactorauthpresent", "TRUE"), "allow"),
        ],
    );
}

#[test]
fn x19_bool_if_exists_on_an_absent_key_is_true() {
    let p = stmt_policy(&conditional(
        "Allow",
        "*",
        r#"{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}"#,
    ));
    check_ctx(
        &p,
        "chime:ListUsers",
        &[
            ("*", none(), "allow"),
            (
                "*",
                ctx("aws:MultiFactorAuthPresent", "false"),
                "implicit-deny",
            ),
        ],
    );
}

#[test]
fn x20_numeric_deny_never_fires_without_the_key() {
    let p = stmt_policy(&format!(
        "{},{}",
        conditional(
            "Deny",
            "*",
            r#"{"NumericGreaterThan":{"aws:MultiFactorAuthAge":"3600"}}"#
        ),
        allow("*")
    ));
    check_ctx(
        &p,
        "chime:ListUsers",
        &[
            ("*", none(), "allow"),
            ("*", ctx("aws:MultiFactorAuthAge", "4000"), "deny"),
            ("*", ctx("aws:MultiFactorAuthAge", "3600.0"), "allow"),
            // C-TYPE: an unreadable number makes the pair false.
            ("*", ctx("aws:MultiFactorAuthAge", "soon"), "allow"),
        ],
    );
}

#[test]
fn x21_negated_operator_on_an_absent_tag_is_true() {
    let p = stmt_policy(&conditional(
        "Allow",
        "chime:ListUsers",
        r#"{"StringNotEquals":{"aws:PrincipalTag/team":"red"}}"#,
    ));
    check_ctx(&p, "chime:ListUsers", &[("*", none(), "allow")]);
    // Principal tags are static: alice tagged red is decided at compile time,
    // whatever the request says.
    let files = vec![
        (
            "org.vp",
            "policy P from \"p.json\"\nuser alice { attach P  tag team = red }\n".to_string(),
        ),
        ("p.json", p.clone()),
    ];
    check_org(
        &files,
        "user/alice",
        "chime:ListUsers",
        &[
            ("*", none(), "implicit-deny"),
            ("*", ctx("aws:PrincipalTag/team", "blue"), "implicit-deny"),
        ],
    );
}

#[test]
fn x22_for_all_values_on_an_absent_key_is_true() {
    let p = stmt_policy(&conditional(
        "Allow",
        "chime:ListUsers",
        r#"{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}"#,
    ));
    check_ctx(
        &p,
        "chime:ListUsers",
        &[
            ("*", none(), "allow"),
            ("*", multi("aws:TagKeys", &[]), "allow"),
            ("*", multi("aws:TagKeys", &["env"]), "allow"),
            (
                "*",
                multi("aws:TagKeys", &["env", "owner"]),
                "implicit-deny",
            ),
        ],
    );
}

#[test]
fn x23_for_any_value_on_an_absent_key_is_false() {
    let p = stmt_policy(&conditional(
        "Allow",
        "chime:ListUsers",
        r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}"#,
    ));
    check_ctx(
        &p,
        "chime:ListUsers",
        &[
            ("*", none(), "implicit-deny"),
            ("*", multi("aws:TagKeys", &[]), "implicit-deny"),
            ("*", multi("aws:TagKeys", &["owner", "env"]), "allow"),
        ],
    );
}

#[test]
fn x24_multivalued_key_without_set_operator_is_false() {
    let p = stmt_policy(&conditional(
        "Allow",
        "chime:ListUsers",
        r#"{"StringEquals":{"aws:TagKeys":"env"}}"#,
    ));
    check_ctx(
        &p,
        "chime:ListUsers",
        &[
            ("*", multi("aws:TagKeys", &["env"]), "implicit-deny"),
            ("*", ctx("aws:TagKeys", "env"), "allow"),
        ],
    );
}

/// alice and a role, both attached to P.
fn alice_and_role(policy: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "org.vp",
            "policy P from \"p.json\"\nuser alice { attach P }\nrole Bot { attach P }\n"
                .to_string(),
        ),
        ("p.json", policy.to_string()),
    ]
}

#[test]
fn x25_unresolved_username_in_a_resource_matches_nothing() {
    let files = alice_and_role(&stmt_policy(
        r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}"#,
    ));
    check_org(
        &files,
        "role/Bot",
        "s3:GetObject",
        &[
            ("arn:aws:s3:::home/x/y", none(), "implicit-deny"),
            (
                "arn:aws:s3:::home/${aws:username}/y",
                none(),
                "implicit-deny",
            ),
        ],
    );
    check_org(
        &files,
        "user/alice",
        "s3:GetObject",
        &[
            ("arn:aws:s3:::home/alice/x", none(), "allow"),
            ("arn:aws:s3:::home/bob/x", none(), "implicit-deny"),
            // R7: a resource-less check does not match an ARN pattern.
            ("*", none(), "implicit-deny"),
        ],
    );
}

#[test]
fn x26_variable_default_applies_to_roles() {
    let files = alice_and_role(&stmt_policy(
        r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username, 'x'}/*"}"#,
    ));
    check_org(
        &files,
        "role/Bot",
        "s3:GetObject",
        &[
            ("arn:aws:s3:::home/x/y", none(), "allow"),
            ("arn:aws:s3:::home/alice/y", none(), "implicit-deny"),
        ],
    );
    check_org(
        &files,
        "user/alice",
        "s3:GetObject",
        &[
            ("arn:aws:s3:::home/alice/y", none(), "allow"),
            ("arn:aws:s3:::home/x/y", none(), "implicit-deny"),
        ],
    );
}

#[test]
fn x27_variables_are_literal_without_version() {
    let p = r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::${aws:username}"}]}"#;
    check_ctx(
        p,
        "s3:GetObject",
        &[
            ("arn:aws:s3:::alice", none(), "implicit-deny"),
            ("arn:aws:s3:::${aws:username}", none(), "allow"),
        ],
    );
}

#[test]
fn x37_string_like_star_still_needs_the_key() {
    let p = stmt_policy(&conditional(
        "Allow",
        "chime:ListUsers",
        r#"{"StringLike":{"aws:PrincipalTag/team":"*"}}"#,
    ));
    check_ctx(&p, "chime:ListUsers", &[("*", none(), "implicit-deny")]);
    let files = vec![
        (
            "org.vp",
            "policy P from \"p.json\"\nuser alice { attach P  tag Team = \"\" }\n".to_string(),
        ),
        ("p.json", p.clone()),
    ];
    check_org(
        &files,
        "user/alice",
        "chime:ListUsers",
        &[("*", none(), "allow")],
    );
}

#[test]
fn x38_null_tests_presence() {
    let p = stmt_policy(&conditional(
        "Allow",
        "chime:ListUsers",
        r#"{"Null":{"aws:TokenIssueTime":"true"}}"#,
    ));
    check_ctx(
        &p,
        "chime:ListUsers",
        &[
            ("*", none(), "allow"),
            (
                "*",
                ctx("aws:TokenIssueTime", "2026-11-29T00:00:00Z"),
                "implicit-deny",
            ),
            // C14: a single value "" is present; an empty list is absent.
            ("*", ctx("aws:TokenIssueTime", ""), "implicit-deny"),
            ("*", multi("aws:TokenIssueTime", &[]), "allow"),
        ],
    );
}

#[test]
fn x39_date_condition_is_conditional_on_time() {
    let p = stmt_policy(&conditional(
        "Allow",
        "chime:ListUsers",
        r#"{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}"#,
    ));
    check_ctx(
        &p,
        "chime:ListUsers",
        &[
            ("*", ctx("aws:CurrentTime", "2029-12-31T23:59:59Z"), "allow"),
            (
                "*",
                ctx("aws:CurrentTime", "2030-01-01T01:00:00+02:00"),
                "allow",
            ),
            (
                "*",
                ctx("aws:CurrentTime", "2030-01-01T00:00:00Z"),
                "implicit-deny",
            ),
            ("*", ctx("aws:CurrentTime", "1893456000"), "implicit-deny"),
            ("*", none(), "implicit-deny"),
        ],
    );
    let files = alice(&p, None);
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let out = compile_ok(&borrowed, mixed_catalog());
    let table = out.table.as_ref().unwrap();
    let (p, a) = (
        table.principal("user/alice").unwrap(),
        table.action("chime:ListUsers").unwrap(),
    );
    assert_eq!(table.cell(p, a), Cell::Conditional);
    assert_eq!(table.n_residuals(), 1);
}

#[test]
fn x40_bare_ip_is_a_host_network() {
    let p = stmt_policy(&conditional(
        "Allow",
        "chime:ListUsers",
        r#"{"IpAddress":{"aws:SourceIp":"203.0.113.5"}}"#,
    ));
    check_ctx(
        &p,
        "chime:ListUsers",
        &[
            ("*", ctx("aws:SourceIp", "203.0.113.5"), "allow"),
            ("*", ctx("aws:SourceIp", "203.0.113.6"), "implicit-deny"),
            (
                "*",
                ctx("aws:SourceIp", "::ffff:203.0.113.5"),
                "implicit-deny",
            ),
            ("*", ctx("aws:SourceIp", "not an ip"), "implicit-deny"),
        ],
    );
}

#[test]
fn x41_star_is_literal_in_string_equals() {
    let p = stmt_policy(&conditional(
        "Allow",
        "chime:ListUsers",
        r#"{"StringEquals":{"aws:SourceIp":"10.*"}}"#,
    ));
    check_ctx(
        &p,
        "chime:ListUsers",
        &[
            ("*", ctx("aws:SourceIp", "10.1.1.1"), "implicit-deny"),
            ("*", ctx("aws:SourceIp", "10.*"), "allow"),
        ],
    );
}

#[test]
fn allow_with_a_condition_under_an_unconditional_deny_is_static() {
    let p = stmt_policy(&format!(
        "{},{}",
        conditional(
            "Allow",
            "chime:*",
            r#"{"Bool":{"aws:SecureTransport":"true"}}"#
        ),
        r#"{"Effect":"Deny","Action":"chime:DeleteAccount","Resource":"*"}"#
    ));
    let files = alice(&p, None);
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let out = compile_ok(&borrowed, mixed_catalog());
    let table = out.table.as_ref().unwrap();
    let alice = table.principal("user/alice").unwrap();
    assert_eq!(
        table.cell(alice, table.action("chime:DeleteAccount").unwrap()),
        Cell::Deny
    );
    assert_eq!(
        table.cell(alice, table.action("chime:ListUsers").unwrap()),
        Cell::Conditional
    );
    // Every conditional chime cell shares one residual program (T4 interning).
    assert_eq!(table.n_residuals(), 1);
}

#[test]
fn condition_on_a_username_is_decided_per_user() {
    let p = stmt_policy(&conditional(
        "Allow",
        "chime:ListUsers",
        r#"{"StringEquals":{"aws:username":"alice"}}"#,
    ));
    let files = [
        (
            "org.vp",
            "policy P from \"p.json\"\nuser alice { attach P }\nuser bob { attach P }\n"
                .to_string(),
        ),
        ("p.json", p),
    ];
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let out = compile_ok(&borrowed, mixed_catalog());
    let table = out.table.as_ref().unwrap();
    let list = table.action("chime:ListUsers").unwrap();
    assert_eq!(
        table.cell(table.principal("user/alice").unwrap(), list),
        Cell::Allow
    );
    assert_eq!(
        table.cell(table.principal("user/bob").unwrap(), list),
        Cell::ImplicitDeny
    );
    assert_eq!(table.n_conditional_cells(), 0);
}

#[test]
fn x42_empty_condition_is_true() {
    let p = stmt_policy(
        r#"{"Effect":"Allow","Action":"chime:ListUsers","Resource":"*","Condition":{}}"#,
    );
    check(&p, None, &[("chime:ListUsers", "allow")]);
}

#[test]
fn condition_on_statement_outside_the_catalog_is_harmless() {
    let p = stmt_policy(&format!(
        "{},{}",
        allow("chime:ListUsers"),
        r#"{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}"#
    ));
    check(&p, None, &[("chime:ListUsers", "allow")]);
}

#[test]
fn x28_wildcard_only_action_scoped_to_arn_grants_nothing() {
    let p = stmt_policy(
        r#"{"Effect":"Allow","Action":"chime:ListUsers","Resource":"arn:aws:chime::111122223333:*"}"#,
    );
    check(&p, None, &[("chime:ListUsers", "implicit-deny")]);
}

#[test]
fn x28_lint_warns_that_the_arn_grants_nothing() {
    let files = alice(
        &stmt_policy(
            r#"{"Effect":"Allow","Action":"chime:ListUsers","Resource":"arn:aws:chime::111122223333:*"}"#,
        ),
        None,
    );
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    assert_eq!(codes(&compile_files(&borrowed, mixed_catalog())), ["W0204"]);
}

#[test]
fn v12_condition_key_without_values_is_an_error() {
    let p = stmt_policy(
        r#"{"Effect":"Allow","Action":"chime:ListUsers","Resource":"*","Condition":{"StringEquals":{"aws:username":[]}}}"#,
    );
    assert_eq!(error_codes(&p), ["E0114"]);
}

#[test]
fn x29_not_resource_arn_matches_wildcard_only_action() {
    let p = stmt_policy(
        r#"{"Effect":"Allow","Action":"chime:ListUsers","NotResource":"arn:aws:chime:*"}"#,
    );
    check(&p, None, &[("chime:ListUsers", "allow")]);
}

#[test]
fn r4_not_resource_star_never_matches() {
    let p = stmt_policy(&format!(
        "{},{}",
        allow("chime:*"),
        r#"{"Effect":"Deny","Action":"chime:ListUsers","NotResource":["*"]}"#
    ));
    check(&p, None, &[("chime:ListUsers", "allow")]);
}

#[test]
fn resource_arn_on_resource_typed_action_is_a_residual() {
    let p = stmt_policy(
        r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}"#,
    );
    check_ctx(
        &p,
        "s3:GetObject",
        &[
            ("arn:aws:s3:::bucket/a/b", none(), "allow"),
            ("arn:aws:s3:::Bucket/a", none(), "implicit-deny"),
            ("arn:aws:s3:::bucket", none(), "implicit-deny"),
            ("*", none(), "implicit-deny"),
        ],
    );
}

#[test]
fn x30_boundary_intersects() {
    let id = stmt_policy(&allow("*"));
    let pb = stmt_policy(&allow("chime:List*"));
    check(
        &id,
        Some(&pb),
        &[
            ("chime:DeleteAccount", "implicit-deny"),
            ("chime:ListUsers", "allow"),
        ],
    );
}

#[test]
fn x31_deny_in_boundary_is_explicit() {
    let id = stmt_policy(&allow("*"));
    let pb = stmt_policy(&format!(
        "{},{}",
        allow("*"),
        r#"{"Effect":"Deny","Action":"chime:Delete*","Resource":"*"}"#
    ));
    check(
        &id,
        Some(&pb),
        &[
            ("chime:DeleteAccount", "deny"),
            ("chime:ListUsers", "allow"),
        ],
    );
}

#[test]
fn p3_boundary_never_grants() {
    let id = stmt_policy(&allow("chime:ListUsers"));
    let pb = stmt_policy(&allow("*"));
    check(
        &id,
        Some(&pb),
        &[
            ("chime:ListUsers", "allow"),
            ("chime:GetUser", "implicit-deny"),
        ],
    );
}

#[test]
fn x34_get_caller_identity_is_always_allowed() {
    let p = stmt_policy(r#"{"Effect":"Deny","Action":"sts:GetCallerIdentity","Resource":"*"}"#);
    check(&p, None, &[("sts:GetCallerIdentity", "allow")]);
}

#[test]
fn x43_empty_resource_list_is_an_error() {
    let p = stmt_policy(r#"{"Effect":"Allow","Action":"chime:ListUsers","Resource":[]}"#);
    assert_eq!(error_codes(&p), ["E0107"]);
}

#[test]
fn e2_deny_beats_allow_regardless_of_order() {
    let deny = r#"{"Effect":"Deny","Action":"chime:ListUsers","Resource":"*"}"#;
    check(
        &stmt_policy(&format!("{deny},{}", allow("chime:*"))),
        None,
        &[("chime:ListUsers", "deny")],
    );
    check(
        &stmt_policy(&format!("{},{deny}", allow("chime:*"))),
        None,
        &[("chime:ListUsers", "deny")],
    );
}

#[test]
fn e3_no_policies_means_implicit_deny() {
    let catalog = mixed_catalog();
    let out = compile_ok(&[("org.vp", "user nobody")], catalog.clone());
    assert_eq!(
        decide(&out, &catalog, "user/nobody", "chime:ListUsers"),
        "implicit-deny"
    );
}

#[test]
fn p2_group_policies_join_the_users() {
    let org = r#"
        policy Read from "read.json"
        policy NoUsers from "deny.json"
        group Readers { attach Read }
        group Careful { attach NoUsers }
        user alice { member Readers, Careful }
        user bob { member Readers }
    "#;
    let read = stmt_policy(&allow("chime:List*"));
    let deny = stmt_policy(r#"{"Effect":"Deny","Action":"chime:ListUsers","Resource":"*"}"#);
    let catalog = mixed_catalog();
    let out = compile_ok(
        &[("org.vp", org), ("read.json", &read), ("deny.json", &deny)],
        catalog.clone(),
    );
    assert_eq!(
        decide(&out, &catalog, "user/alice", "chime:ListUsers"),
        "deny"
    );
    assert_eq!(
        decide(&out, &catalog, "user/alice", "chime:ListAccounts"),
        "allow"
    );
    assert_eq!(
        decide(&out, &catalog, "user/bob", "chime:ListUsers"),
        "allow"
    );
}

#[test]
fn v2_managed_policy_needs_2012_version() {
    let org = "managed policy P from \"p.json\"\nuser alice { attach P }\n";
    let p = r#"{"Statement":[{"Effect":"Allow","Action":"chime:List*","Resource":"*"}]}"#;
    let out = compile_files(&[("org.vp", org), ("p.json", p)], mixed_catalog());
    assert_eq!(codes(&out), ["E0102"]);
    // Not managed: a warning only.
    let org = "policy P from \"p.json\"\nuser alice { attach P }\n";
    let out = compile_files(&[("org.vp", org), ("p.json", p)], mixed_catalog());
    assert_eq!(codes(&out), ["W0101"]);
}

#[test]
fn real_chime_managed_policies_compile_with_the_chime_catalog() {
    let catalog = Catalog::builtin("chime").unwrap();
    for name in [
        "AmazonChimeFullAccess",
        "AmazonChimeReadOnly",
        "AmazonChimeUserManagement",
        "AmazonChimeSDK",
    ] {
        let path = format!(
            "{}/examples/policies/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let org = "managed policy P from \"p.json\"\nuser alice { attach P }\n";
        let out = compile_ok(&[("org.vp", org), ("p.json", &text)], catalog.clone());
        let table = out.table.as_ref().unwrap();
        for a in table.actions() {
            decide(&out, &catalog, "user/alice", table.action_name(a));
        }
    }
}

#[test]
fn catalog_misses_are_warnings_with_suggestions() {
    let org = "policy P {\n  allow chime:ListUser, chime:Lst*, chmie:ListUsers, s3:GetObject\n}\nuser alice { attach P }\n";
    let out = compile_ok(&[("org.vp", org)], Catalog::builtin("chime").unwrap());
    let found: Vec<(&str, Option<&str>)> = out
        .diagnostics
        .iter()
        .map(|d| (d.code, d.help.as_deref()))
        .collect();
    assert_eq!(
        found,
        [
            ("W0201", Some("did you mean `chime:ListUsers`?")),
            ("W0202", None),
            ("W0203", Some("did you mean `chime`?")),
        ],
        "s3 is simply outside the chime catalog"
    );
    let out = compile_ok(
        &[(
            "org.vp",
            "policy P { allow nosuchservice:Get* }\nuser a { attach P }",
        )],
        Catalog::builtin("aws").unwrap(),
    );
    assert_eq!(codes(&out), ["W0203"]);
}

#[test]
fn names_are_resolved_with_locations_and_suggestions() {
    let org = "policy Read { allow chime:List* }\npolicy Read { allow chime:Get* }\ngroup G { attach Read }\nuser alice { member Gg  attach Reed }\nuser alice\nrole R { member G }\n";
    let out = compile_files(&[("org.vp", org)], Catalog::builtin("chime").unwrap());
    let found: Vec<(&str, String, Option<&str>)> = out
        .diagnostics
        .iter()
        .map(|d| {
            let label = d.primary.as_ref().unwrap();
            (
                d.code,
                out.sources.describe(label.file, label.span),
                d.help.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("E0202", "org.vp:2:8".to_string(), None),
            (
                "E0201",
                "org.vp:4:21".to_string(),
                Some("did you mean `G`?")
            ),
            (
                "E0201",
                "org.vp:4:32".to_string(),
                Some("did you mean `Read`?")
            ),
            ("E0202", "org.vp:5:6".to_string(), None),
            ("E0204", "org.vp:6:17".to_string(), None),
        ]
    );
    let dup = &out.diagnostics[0];
    assert_eq!(
        out.sources
            .describe(dup.related[0].file, dup.related[0].span),
        "org.vp:1:8"
    );
}

#[test]
fn include_cycles_are_errors_and_includes_resolve_relative_paths() {
    let files = [
        ("dir/a.vp", "include \"b.vp\"\nuser alice { attach P }\n"),
        (
            "dir/b.vp",
            "include \"sub/../a.vp\"\npolicy P { allow chime:ListUsers }\n",
        ),
    ];
    let out = compile_files(&files, Catalog::builtin("chime").unwrap());
    let cycle: Vec<_> = out
        .diagnostics
        .iter()
        .filter(|d| d.code == "E0203")
        .collect();
    assert_eq!(cycle.len(), 1, "{:#?}", out.diagnostics);
    let label = cycle[0].primary.as_ref().unwrap();
    assert_eq!(out.sources.describe(label.file, label.span), "dir/b.vp:1:9");
    // Without the cycle the same files compile, and the include is found.
    let files = [
        ("dir/a.vp", "include \"b.vp\"\nuser alice { attach P }\n"),
        ("dir/b.vp", "policy P { allow chime:ListUsers }\n"),
    ];
    let catalog = Catalog::builtin("chime").unwrap();
    let out = compile_ok(&files, catalog.clone());
    assert_eq!(
        decide(&out, &catalog, "user/alice", "chime:ListUsers"),
        "allow"
    );
}

#[test]
fn p8_role_sessions_cannot_get_tokens_but_explicit_denies_stay() {
    let org = r#"
        policy All { allow * }
        policy NoSts { deny sts:GetSessionToken }
        user alice { attach All }
        role Ops { attach All }
        role Locked { attach All, NoSts }
    "#;
    let catalog = Catalog::builtin("aws").unwrap();
    let out = compile_ok(&[("org.vp", org)], catalog.clone());
    assert_eq!(
        decide(&out, &catalog, "user/alice", "sts:GetFederationToken"),
        "allow"
    );
    assert_eq!(
        decide(&out, &catalog, "role/Ops", "sts:GetFederationToken"),
        "implicit-deny"
    );
    assert_eq!(
        decide(&out, &catalog, "role/Ops", "sts:GetSessionToken"),
        "implicit-deny"
    );
    assert_eq!(
        decide(&out, &catalog, "role/Ops", "sts:AssumeRole"),
        "allow"
    );
    assert_eq!(
        decide(&out, &catalog, "role/Locked", "sts:GetSessionToken"),
        "deny"
    );
    assert_eq!(
        decide(&out, &catalog, "role/Ops", "sts:GetCallerIdentity"),
        "allow"
    );
}

#[test]
fn managed_policy_inside_an_entity_is_declared_globally_and_attached() {
    let org = r#"
        user bob { attach Shared }
        user alice {
          managed policy Shared { allow chime:ListUsers }
          policy Own { allow chime:GetUser }
        }
        user carol { attach Own }
    "#;
    let out = compile_files(&[("org.vp", org)], Catalog::builtin("chime").unwrap());
    // `Own` is alice's inline policy: not attachable by name.
    assert_eq!(codes(&out), ["E0201"]);
    let org = org.replace("user carol { attach Own }", "");
    let catalog = Catalog::builtin("chime").unwrap();
    let out = compile_ok(&[("org.vp", &org)], catalog.clone());
    assert_eq!(
        decide(&out, &catalog, "user/alice", "chime:ListUsers"),
        "allow"
    );
    assert_eq!(
        decide(&out, &catalog, "user/alice", "chime:GetUser"),
        "allow"
    );
    assert_eq!(
        decide(&out, &catalog, "user/bob", "chime:ListUsers"),
        "allow"
    );
    assert_eq!(
        decide(&out, &catalog, "user/bob", "chime:GetUser"),
        "implicit-deny"
    );
}

// ---------------------------------------------------------------------------
// Sessions, federated users, SCPs, service-linked roles (P1, P4, P6, P8, G5)
// ---------------------------------------------------------------------------

/// Compiles a DSL organisation and checks (principal, action, decision)
/// triples through the table, the reloaded table and the reference.
fn check_dsl(org: &str, catalog: &Catalog, expected: &[(&str, &str, &str)]) {
    let out = compile_ok(&[("org.vp", org)], catalog.clone());
    for (principal, action, want) in expected {
        assert_eq!(
            decide(&out, catalog, principal, action),
            *want,
            "{principal} {action}"
        );
    }
}

#[test]
fn x32_session_policy_intersects_with_the_role() {
    let org = r#"
        policy RoleId { allow chime:ListUsers }
        role Ops { attach RoleId }
        assumed-role Ops/wide { policy S { allow * } }
        assumed-role Ops/plain
        assumed-role Ops/narrow { policy N { allow chime:List*, chime:CreateBot } }
        assumed-role Ops/deny-only { policy D { deny chime:CreateBot } }
    "#;
    check_dsl(
        org,
        &mixed_catalog(),
        &[
            // X32: the session policy never grants beyond the role (P4).
            ("assumed-role/Ops/wide", "chime:ListUsers", "allow"),
            ("assumed-role/Ops/wide", "chime:CreateBot", "implicit-deny"),
            // No session policy: the role's permissions unchanged (P1.5).
            ("assumed-role/Ops/plain", "chime:ListUsers", "allow"),
            ("role/Ops", "chime:ListUsers", "allow"),
            // Intersection both ways.
            ("assumed-role/Ops/narrow", "chime:ListUsers", "allow"),
            (
                "assumed-role/Ops/narrow",
                "chime:ListAccounts",
                "implicit-deny",
            ),
            (
                "assumed-role/Ops/narrow",
                "chime:CreateBot",
                "implicit-deny",
            ),
            // A non-empty session policy without an Allow grants nothing (P1.5);
            // its Deny is explicit (P1.1).
            (
                "assumed-role/Ops/deny-only",
                "chime:ListUsers",
                "implicit-deny",
            ),
            ("assumed-role/Ops/deny-only", "chime:CreateBot", "deny"),
            // P7 whatever the session policy says.
            (
                "assumed-role/Ops/deny-only",
                "sts:GetCallerIdentity",
                "allow",
            ),
        ],
    );
}

#[test]
fn x33_federated_user_without_session_policy_gets_nothing() {
    let org = r#"
        policy All { allow * }
        policy Guard { deny chime:DeleteAccount }
        user carol { attach All, Guard }
        federated-user bare { user carol }
        federated-user full { user carol  policy S { allow * } }
        federated-user list { user carol  attach Lists }
        managed policy Lists { version "2012-10-17"  allow chime:List* }
    "#;
    check_dsl(
        org,
        &mixed_catalog(),
        &[
            // X33 (P1.5, P4).
            ("federated-user/bare", "chime:ListUsers", "implicit-deny"),
            ("user/carol", "chime:ListUsers", "allow"),
            // The user's explicit Deny still denies.
            ("federated-user/bare", "chime:DeleteAccount", "deny"),
            ("federated-user/bare", "sts:GetCallerIdentity", "allow"),
            // With a session policy: the user's policies ∩ the session policy.
            ("federated-user/full", "chime:CreateBot", "allow"),
            ("federated-user/full", "chime:DeleteAccount", "deny"),
            ("federated-user/list", "chime:ListAccounts", "allow"),
            ("federated-user/list", "chime:CreateBot", "implicit-deny"),
        ],
    );
}

#[test]
fn federated_user_uses_its_iam_user_s_boundary_and_groups() {
    let org = r#"
        policy All { allow * }
        policy Chime { allow chime:* }
        group Staff { attach All }
        user carol { member Staff  boundary Chime }
        federated-user tool { user carol  policy S { allow chime:ListUsers, s3:GetObject } }
    "#;
    check_dsl(
        org,
        &mixed_catalog(),
        &[
            // P4: ID (through the group) ∩ PB ∩ SP.
            ("federated-user/tool", "chime:ListUsers", "allow"),
            ("federated-user/tool", "s3:GetObject", "implicit-deny"),
            ("federated-user/tool", "chime:CreateBot", "implicit-deny"),
        ],
    );
}

#[test]
fn p8_federated_users_get_no_iam_and_no_sts_but_caller_identity() {
    let org = r#"
        policy All { allow * }
        user carol { attach All }
        federated-user tool { user carol  policy S { allow *  deny iam:CreateUser } }
        role Ops { attach All }
        assumed-role Ops/s1 { policy S1 { allow * } }
    "#;
    let catalog = Catalog::builtin("aws").unwrap();
    check_dsl(
        org,
        &catalog,
        &[
            ("federated-user/tool", "chime:ListUsers", "allow"),
            // Every iam:* (P8): an Allow becomes ImplicitDeny, a Deny stays.
            ("federated-user/tool", "iam:GetUser", "implicit-deny"),
            ("federated-user/tool", "iam:CreateUser", "deny"),
            // Every sts:* except GetCallerIdentity.
            ("federated-user/tool", "sts:AssumeRole", "implicit-deny"),
            (
                "federated-user/tool",
                "sts:GetFederationToken",
                "implicit-deny",
            ),
            (
                "federated-user/tool",
                "sts:GetSessionToken",
                "implicit-deny",
            ),
            ("federated-user/tool", "sts:GetCallerIdentity", "allow"),
            ("user/carol", "iam:GetUser", "allow"),
            ("user/carol", "sts:GetFederationToken", "allow"),
            // Declared role sessions are role sessions (P8).
            (
                "assumed-role/Ops/s1",
                "sts:GetFederationToken",
                "implicit-deny",
            ),
            (
                "assumed-role/Ops/s1",
                "sts:GetSessionToken",
                "implicit-deny",
            ),
            ("assumed-role/Ops/s1", "sts:AssumeRole", "allow"),
            ("assumed-role/Ops/s1", "iam:GetUser", "allow"),
        ],
    );
}

#[test]
fn x35_every_scp_level_must_allow() {
    let org = r#"
        scp FullAWSAccess at root { allow * }
        scp OnlyS3 at ou Engineering { allow s3:* }
        policy All { allow * }
        user alice { attach All }
        role Ops { attach All }
        federated-user tool { user alice  policy S { allow * } }
    "#;
    let mut expected = Vec::new();
    for who in ["user/alice", "role/Ops", "federated-user/tool"] {
        // X35 (P1.2).
        expected.push((who, "chime:ListUsers", "implicit-deny"));
        expected.push((who, "s3:GetObject", "allow"));
        expected.push((who, "sts:GetCallerIdentity", "allow"));
    }
    check_dsl(org, &mixed_catalog(), &expected);
}

#[test]
fn scps_at_one_level_are_alternatives() {
    let org = r#"
        scp Chime at ou Engineering { allow chime:* }
        scp Storage at ou Engineering { allow s3:* }
        scp Lists at account { allow chime:List*, s3:* }
        policy All { allow * }
        user alice { attach All }
    "#;
    check_dsl(
        org,
        &mixed_catalog(),
        &[
            // OR within the OU level, AND with the account level.
            ("user/alice", "chime:ListUsers", "allow"),
            ("user/alice", "s3:GetObject", "allow"),
            ("user/alice", "chime:CreateBot", "implicit-deny"),
            ("user/alice", "iam:GetUser", "implicit-deny"),
        ],
    );
}

#[test]
fn scps_never_grant_and_their_denies_are_explicit() {
    let org = r#"
        scp Root { allow *  deny chime:DeleteAccount }
        policy Lists { allow chime:List* }
        user alice { attach Lists }
        user nobody
    "#;
    check_dsl(
        org,
        &mixed_catalog(),
        &[
            ("user/alice", "chime:ListUsers", "allow"),
            // An SCP Allow is no identity Allow (P1.3).
            ("user/alice", "chime:CreateBot", "implicit-deny"),
            ("user/nobody", "chime:ListUsers", "implicit-deny"),
            // P1.1: an SCP Deny denies even without an identity Allow.
            ("user/alice", "chime:DeleteAccount", "deny"),
            ("user/nobody", "chime:DeleteAccount", "deny"),
        ],
    );
}

#[test]
fn x36_service_linked_roles_are_exempt_from_scps() {
    let org = r#"
        scp Guard { allow *  deny chime:* }
        scp OnlyS3 at ou Engineering { allow s3:* }
        managed policy ChimeAll { version "2012-10-17"  allow chime:* }
        managed policy ChimeAll2 { version "2012-10-17"  allow chime:* }
        service-linked-role AWSServiceRoleForAmazonChime {
          service chime.amazonaws.com
          attach ChimeAll
        }
        assumed-role AWSServiceRoleForAmazonChime/vc1
        role Normal { attach ChimeAll2 }
    "#;
    check_dsl(
        org,
        &mixed_catalog(),
        &[
            // X36 (P6, G5): neither the SCP Deny nor the SCP allow chain applies.
            (
                "role/AWSServiceRoleForAmazonChime",
                "chime:ListUsers",
                "allow",
            ),
            (
                "assumed-role/AWSServiceRoleForAmazonChime/vc1",
                "chime:ListUsers",
                "allow",
            ),
            ("role/Normal", "chime:ListUsers", "deny"),
            (
                "role/AWSServiceRoleForAmazonChime",
                "s3:GetObject",
                "implicit-deny",
            ),
        ],
    );
}

#[test]
fn scps_govern_only_their_account() {
    let a = "account \"111122223333\"\nscp OnlyS3 { allow s3:* }\npolicy All { allow * }\nuser alice { attach All }";
    let b = "account \"444455556666\"\npolicy All2 { allow * }\nuser bob { attach All2 }";
    let catalog = mixed_catalog();
    let out = crate::support::compile_inputs(&[("a.vp", a), ("b.vp", b)], catalog.clone());
    assert_eq!(
        decide(&out, &catalog, "111122223333:user/alice", "chime:ListUsers"),
        "implicit-deny"
    );
    assert_eq!(
        decide(&out, &catalog, "444455556666:user/bob", "chime:ListUsers"),
        "allow"
    );
}

#[test]
fn scp_deny_condition_leaves_a_residual_across_steps() {
    let org = r#"
        scp Root { allow * when { StringEquals aws:RequestedRegion = eu-west-1 } }
        scp Guard at ou Engineering {
          allow *
          deny chime:* when { Bool aws:MultiFactorAuthPresent = false }
        }
        policy P { allow chime:*, s3:* when { IpAddress aws:SourceIp = "10.0.0.0/8" } }
        user alice { attach P }
    "#;
    let files = vec![("org.vp", org.to_string())];
    let region = |r: &str| ctx("aws:RequestedRegion", r);
    let full = |region: &str, mfa: &str, ip: &str| {
        Context::new()
            .with("aws:RequestedRegion", region)
            .with("aws:MultiFactorAuthPresent", mfa)
            .with("aws:SourceIp", ip)
    };
    check_org(
        &files,
        "user/alice",
        "chime:ListUsers",
        &[
            // Every step: the root SCP's region, the OU SCP (true), the ID's network.
            ("*", full("eu-west-1", "true", "10.1.1.1"), "allow"),
            ("*", full("us-east-1", "true", "10.1.1.1"), "implicit-deny"),
            ("*", full("eu-west-1", "true", "8.8.8.8"), "implicit-deny"),
            // The SCP's residual Deny wins over the whole chain.
            ("*", full("eu-west-1", "false", "10.1.1.1"), "deny"),
            ("*", full("us-east-1", "false", "8.8.8.8"), "deny"),
            // MFA absent: the Bool deny does not fire (C4); region absent: no SCP allow.
            ("*", ctx("aws:SourceIp", "10.1.1.1"), "implicit-deny"),
            ("*", region("eu-west-1"), "implicit-deny"),
        ],
    );
    check_org(
        &files,
        "user/alice",
        "chime:CreateBot",
        &[("*", full("eu-west-1", "true", "10.1.1.1"), "allow")],
    );
}

#[test]
fn session_policy_conditions_on_session_tags_are_static_and_on_requests_residual() {
    let org = r#"
        account "111122223333"
        policy All { allow * }
        role Ops { attach All  tag team = blue }
        assumed-role Ops/red {
          policy S { allow chime:* when { StringEquals aws:PrincipalTag/team = red } }
          tag team = red
        }
        assumed-role Ops/blue {
          policy S2 { allow chime:* when { StringEquals aws:PrincipalTag/team = red } }
        }
        federated-user tool {
          user carol
          policy S3 { allow chime:ListUsers when { IpAddress aws:SourceIp = "10.0.0.0/8" } }
        }
        user carol { attach All }
    "#;
    let catalog = mixed_catalog();
    let out = compile_ok(&[("org.vp", org)], catalog.clone());
    // K2: a declared session's tags are static, overlaying the role's.
    let table = out.table.as_ref().unwrap();
    let cell = |p: &str, a: &str| table.cell(table.principal(p).unwrap(), table.action(a).unwrap());
    assert_eq!(cell("assumed-role/Ops/red", "chime:ListUsers"), Cell::Allow);
    assert_eq!(
        cell("assumed-role/Ops/blue", "chime:ListUsers"),
        Cell::ImplicitDeny
    );
    assert_eq!(
        cell("federated-user/tool", "chime:ListUsers"),
        Cell::Conditional
    );
    assert_eq!(
        decide(&out, &catalog, "assumed-role/Ops/red", "chime:ListUsers"),
        "allow"
    );
    assert_eq!(
        decide(&out, &catalog, "assumed-role/Ops/red", "s3:GetObject"),
        "implicit-deny"
    );
    assert_eq!(
        decide(&out, &catalog, "assumed-role/Ops/blue", "chime:ListUsers"),
        "implicit-deny"
    );
    for (ip, want) in [("10.2.3.4", "allow"), ("8.8.8.8", "implicit-deny")] {
        assert_eq!(
            decide_with(
                &out,
                &catalog,
                "federated-user/tool",
                "chime:ListUsers",
                "*",
                &ctx("aws:SourceIp", ip)
            ),
            want
        );
    }
}

// ---------------------------------------------------------------------------
// K3: a service key the catalog does not define is never in a request.

/// alice's decision for `chime:CreateMeeting` under one statement with
/// `condition`, with the built-in Chime catalog (which defines no `chime:`
/// keys), per request context; table, reloaded table and reference agree.
fn k3_decisions(effect: &str, condition: &str, contexts: &[&Context]) -> Vec<String> {
    let mut statements = format!(
        r#"{{"Effect":"{effect}","Action":"chime:CreateMeeting","Resource":"*","Condition":{condition}}}"#
    );
    if effect == "Deny" {
        statements.push_str(r#",{"Effect":"Allow","Action":"chime:*","Resource":"*"}"#);
    }
    let files = alice(&stmt_policy(&statements), None);
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let catalog = Catalog::builtin("chime").expect("built-in");
    let out = compile_ok(&borrowed, catalog.clone());
    // W0240 names keys, not variables.
    let warned = out.diagnostics.iter().any(|d| d.code == "W0240");
    assert_eq!(warned, !condition.contains("${"), "W0240");
    contexts
        .iter()
        .map(|c| decide_with(&out, &catalog, "user/alice", "chime:CreateMeeting", "*", c))
        .collect()
}

fn region(key: &str, value: &str) -> Context {
    Context::new().with(key, value)
}

#[test]
fn k3_undefined_service_key_is_absent_even_when_the_request_sets_it() {
    let none = Context::new();
    let set = region("chime:MeetingRegion", "us-east-1");
    let other_case = region("CHIME:meetingregion", "us-east-1");
    let all = [&none, &set, &other_case];
    // An Allow on it never applies; a Deny never denies.
    let eq = r#"{"StringEquals":{"chime:MeetingRegion":"us-east-1"}}"#;
    assert_eq!(k3_decisions("Allow", eq, &all), ["implicit-deny"; 3]);
    assert_eq!(k3_decisions("Deny", eq, &all), ["allow"; 3]);
    // Negated-IfExists, Null: true and ForAllValues hold as on an absent key.
    for holds in [
        r#"{"StringNotEqualsIfExists":{"chime:MeetingRegion":"us-east-1"}}"#,
        r#"{"StringNotEquals":{"chime:MeetingRegion":"us-east-1"}}"#,
        r#"{"Null":{"chime:MeetingRegion":"true"}}"#,
        r#"{"ForAllValues:StringEquals":{"chime:MeetingRegion":"eu-west-1"}}"#,
    ] {
        assert_eq!(k3_decisions("Allow", holds, &all), ["allow"; 3], "{holds}");
    }
    for never in [
        r#"{"Null":{"chime:MeetingRegion":"false"}}"#,
        r#"{"ForAnyValue:StringEquals":{"chime:MeetingRegion":"us-east-1"}}"#,
        r#"{"StringLikeIfExists":{"chime:MeetingRegion":"eu-*"}}"#,
    ] {
        let want = if never.contains("IfExists") {
            "allow"
        } else {
            "implicit-deny"
        };
        assert_eq!(k3_decisions("Allow", never, &all), [want; 3], "{never}");
    }
    // As a policy variable it is absent too: no value to substitute.
    let var = r#"{"StringEquals":{"aws:RequestedRegion":"${chime:MeetingRegion}"}}"#;
    let both = region("chime:MeetingRegion", "us-east-1").with("aws:RequestedRegion", "us-east-1");
    assert_eq!(k3_decisions("Allow", var, &[&both]), ["implicit-deny"]);
}

#[test]
fn k3_keys_of_a_catalog_without_key_data_stay_request_keys() {
    let policy = stmt_policy(
        r#"{"Effect":"Allow","Action":"chime:CreateMeeting","Resource":"*","Condition":{"StringEquals":{"chime:MeetingRegion":"us-east-1"}}}"#,
    );
    let files = alice(&policy, None);
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let catalog = mixed_catalog();
    assert!(catalog.condition_keys().is_none());
    let out = compile_ok(&borrowed, catalog.clone());
    let set = region("chime:MeetingRegion", "us-east-1");
    assert_eq!(
        decide_with(
            &out,
            &catalog,
            "user/alice",
            "chime:CreateMeeting",
            "*",
            &set
        ),
        "allow"
    );
}
