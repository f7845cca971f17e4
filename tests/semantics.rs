//! SEMANTICS.md edge cases (§10, X-rules) and rule examples, each compiled
//! and answered by the table, the reloaded table and the reference
//! evaluator (see `support::decide`), with the expected decision.
//!
//! Cases that need conditions, sessions, SCPs or trust evaluation are
//! asserted as today's behaviour (a clear E0190 / E0191 error) with a FIXME
//! naming the issue that implements them.

use crate::support::{codes, compile_files, compile_ok, decide, mixed_catalog};
use verdict_compiler::Catalog;

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

#[test]
fn x17_to_x26_conditions_are_rejected_until_issue_3() {
    // FIXME(issue 3): conditions compile to residual programs.
    let p = stmt_policy(
        r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}"#,
    );
    assert_eq!(error_codes(&p), ["E0190"]);
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
fn resource_arn_on_resource_typed_action_is_rejected_until_issue_3() {
    // FIXME(issue 3): resource patterns compile to residual programs.
    let p = stmt_policy(
        r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}"#,
    );
    assert_eq!(error_codes(&p), ["E0191"]);
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
