//! Tests of the assume-role graph: each way a trust policy names a principal
//! and what it asks of the principal's side (SEMANTICS.md G2, G3, X44, X45),
//! conditional edges (G4, T6), cycles, service-linked roles (G5), federated
//! users (P8), SCPs (P1.2), and agreement with the table's own
//! `sts:AssumeRole` column.

use petgraph::algo::has_path_connecting;
use verdict_runtime::parts::{Atom, Dnf, Residual};
use verdict_runtime::{Context, Decision, Request, Table};

use crate::catalog::Catalog;
use crate::diag::Diagnostic;
use crate::{compile, Config, Input, MemoryLoader};

/// A few Chime actions and the STS actions, `sts:AssumeRole` resource-typed.
fn sts_catalog() -> Catalog {
    Catalog::from_text(
        "mixed",
        "chime:ListUsers\tList\t\nchime:DeleteAccount\tWrite\t\n\
         sts:AssumeRole\tWrite\trole\nsts:GetCallerIdentity\tRead\t\n",
    )
    .expect("valid catalog")
}

fn build(src: &str, catalog: Catalog) -> (Table, Vec<Diagnostic>) {
    let mut files = MemoryLoader::default();
    files.insert("org.vp", src);
    let out = compile(
        &[Input::auto("org.vp")],
        &Config {
            catalog,
            ..Config::default()
        },
        &mut files,
    );
    assert!(!out.has_errors(), "{:#?}", out.diagnostics);
    (out.table.expect("a table"), out.diagnostics)
}

fn atom_text(atom: &Atom) -> String {
    match atom {
        Atom::Resource { patterns, not } => {
            format!("resource{} {patterns:?}", if *not { " not" } else { "" })
        }
        Atom::Condition(c) => {
            let values: Vec<String> = c.values.iter().map(|v| format!("{:?}", v.0)).collect();
            let if_exists = if c.if_exists { "IfExists" } else { "" };
            format!("{:?}{if_exists} {}={}", c.op, c.key, values.join(","))
        }
    }
}

fn dnf_text(dnf: &Dnf, atoms: &[Atom]) -> String {
    dnf.iter()
        .map(|clause| {
            clause
                .iter()
                .map(|lit| atom_text(&atoms[lit.atom as usize]))
                .collect::<Vec<_>>()
                .join(" & ")
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

fn residual_text(residual: &Residual, atoms: &[Atom]) -> String {
    let mut out = Vec::new();
    if !residual.allow.is_empty() {
        let steps: Vec<String> = residual.allow.iter().map(|s| dnf_text(s, atoms)).collect();
        out.push(format!("if {}", steps.join(" ; ")));
    }
    if !residual.deny.is_empty() {
        out.push(format!("unless {}", dnf_text(&residual.deny, atoms)));
    }
    out.join(" ")
}

/// Every edge of the table, `from → to`, followed by its residual.
fn edges_of(table: &Table) -> Vec<String> {
    table
        .trust_edges()
        .map(|edge| {
            let mut line = format!(
                "{} → {}",
                table.principal_name(edge.from),
                table.principal_name(edge.to)
            );
            if let Some(residual) = table.trust_residual(edge) {
                line.push(' ');
                line.push_str(&residual_text(residual, table.atoms()));
            }
            line
        })
        .collect()
}

#[track_caller]
fn check(src: &str, expected: &[&str]) {
    let (table, _) = build(src, Catalog::builtin("chime").expect("built in"));
    assert_eq!(edges_of(&table), expected);
}

#[track_caller]
fn check_sts(src: &str, expected: &[&str]) -> Table {
    let (table, _) = build(src, sts_catalog());
    assert_eq!(edges_of(&table), expected);
    table
}

const MFA: &str = r#"Bool aws:multifactorauthpresent=[Text("true")]"#;

// ---------------------------------------------------------------------------
// How the trust policy names the principal (G2, G3).

#[test]
fn a_user_named_directly_needs_no_permission_x45() {
    check(
        r#"account "111122223333"
           user alice
           user bob
           role Ops { trust user alice }"#,
        &["user/alice → role/Ops"],
    );
    // The same by ARN in a trust block, and even with a boundary that allows nothing.
    check(
        r#"account "111122223333"
           policy Nothing { allow chime:ListUsers }
           user alice { boundary Nothing }
           role Ops { trust { allow sts:AssumeRole principal aws "arn:aws:iam::111122223333:user/alice" } }"#,
        &["user/alice → role/Ops"],
    );
}

#[test]
fn the_account_root_needs_an_identity_allow_x44() {
    let org = |alice: &str| {
        format!(
            r#"account "111122223333"
               user alice {{ {alice} }}
               role Ops {{ trust {{ allow sts:AssumeRole principal aws "arn:aws:iam::111122223333:root" }} }}
               role Dev {{ trust account "111122223333" }}"#
        )
    };
    check(&org(""), &[]);
    check(
        &org(r#"policy A { allow sts:AssumeRole on "arn:aws:iam::111122223333:role/Ops" }"#),
        &["user/alice → role/Ops"],
    );
    check(
        &org("policy A { allow sts:Assume* }"),
        &["user/alice → role/Dev", "user/alice → role/Ops"],
    );
    check(
        &org("policy A { allow sts:* on \"arn:aws:iam::*:role/D*\" }"),
        &["user/alice → role/Dev"],
    );
    // NotAction, NotResource.
    check(
        &org("policy A { allow not chime:* on not \"arn:aws:iam::111122223333:role/Dev\" }"),
        &["user/alice → role/Ops"],
    );
    // A Deny of the principal's side wins, even over direct naming.
    check(
        r#"account "111122223333"
           user alice { policy A { allow * deny sts:AssumeRole on "arn:aws:iam::111122223333:role/Ops" } }
           role Ops { trust user alice }
           role Dev { trust account "111122223333" }"#,
        &["user/alice → role/Dev"],
    );
    // The boundary must allow too.
    check(
        r#"account "111122223333"
           policy B { allow chime:* }
           user alice { policy A { allow * }  boundary B }
           role Dev { trust account "111122223333" }"#,
        &[],
    );
}

#[test]
fn a_role_arn_asks_for_boundary_and_session_policies_only() {
    let org = r#"account "111122223333"
        policy Chime { allow chime:* }
        policy Assume { allow sts:AssumeRole }
        role Worker
        role Bounded { boundary Chime }
        role Allowed { boundary Assume }
        assumed-role Worker/plain
        assumed-role Worker/narrow { policy S { allow chime:* } }
        assumed-role Worker/wide { policy S { allow * } }
        role Target { trust role Worker, role Bounded, role Allowed }
        role Exact { trust { allow sts:AssumeRole principal aws "arn:aws:sts::111122223333:assumed-role/Worker/narrow" } }"#;
    check(
        org,
        &[
            // Declared sessions: their session policies must allow, unless
            // named by their exact session ARN.
            "assumed-role/Worker/narrow → role/Exact",
            "assumed-role/Worker/plain → role/Target",
            "assumed-role/Worker/wide → role/Target",
            // The role row needs no identity allow; its boundary must allow.
            "role/Allowed → role/Target",
            "role/Worker → role/Target",
        ],
    );
}

#[test]
fn everyone_is_named_as_if_by_its_own_arn() {
    check(
        r#"account "111122223333"
           policy Chime { allow chime:* }
           user alice { boundary Chime }
           role Worker { boundary Chime }
           role Free
           federated-user fed { user alice  policy S { allow * } }
           role Open { trust { allow sts:AssumeRole principal "*" } }"#,
        // alice: direct (her boundary does not matter); Worker: by role ARN
        // (its boundary must allow); federated users never (P8).
        &[
            "role/Free → role/Open",
            "role/Open → role/Open",
            "user/alice → role/Open",
        ],
    );
}

#[test]
fn not_principal_names_everyone_else() {
    check(
        r#"account "111122223333"
           user alice
           user bob
           role Open { trust { allow sts:AssumeRole not principal aws "arn:aws:iam::111122223333:user/bob" } }"#,
        &["role/Open → role/Open", "user/alice → role/Open"],
    );
}

#[test]
fn other_accounts_need_the_identity_allow_even_when_named() {
    let org = |alice: &str| {
        format!(
            r#"user alice {{ account "111122223333" {alice} }}
               role Ops {{ account "444455556666"  trust {{ allow sts:AssumeRole principal aws "arn:aws:iam::111122223333:user/alice" }} }}"#
        )
    };
    check(&org(""), &[]);
    check(
        &org("policy A { allow sts:AssumeRole }"),
        &["111122223333:user/alice → 444455556666:role/Ops"],
    );
}

#[test]
fn principals_the_model_does_not_know_and_services_name_nobody() {
    check(
        r#"account "111122223333"
           user alice { policy A { allow * } }
           role Ops { trust { allow sts:AssumeRole principal aws "arn:aws:iam::999988887777:user/x", service chime.amazonaws.com, federated "arn:aws:iam::111122223333:saml-provider/idp" } }"#,
        &[],
    );
}

// ---------------------------------------------------------------------------
// Conditions (G4, T6).

#[test]
fn trust_conditions_on_request_keys_make_conditional_edges() {
    check(
        r#"account "111122223333"
           user alice
           role Admin { trust { allow sts:AssumeRole principal aws "arn:aws:iam::111122223333:user/alice" when { Bool aws:MultiFactorAuthPresent = true } } }"#,
        &[&format!("user/alice → role/Admin if {MFA}")],
    );
    // A Deny on a request key: deny-unless.
    check(
        r#"account "111122223333"
           user alice
           role Admin { trust {
             allow sts:AssumeRole principal aws "arn:aws:iam::111122223333:user/alice"
             deny sts:AssumeRole principal "*" when { StringNotEquals sts:ExternalId = secret }
           } }"#,
        &[r#"user/alice → role/Admin unless StringNotEquals sts:externalid=[Text("secret")]"#],
    );
}

#[test]
fn trust_conditions_on_static_keys_are_decided_per_principal() {
    check(
        r#"account "111122223333"
           user alice { tag team = blue }
           user bob { tag team = red }
           user carol
           role Blue { trust { allow sts:AssumeRole principal "*" when { StringEquals aws:PrincipalTag/team = blue } } }"#,
        &["user/alice → role/Blue"],
    );
}

#[test]
fn conditions_on_both_sides_combine_per_p1() {
    // Account trust with MFA; alice's own allow needs a source network; bob's
    // side holds without condition; carol's denies outside the network.
    let table = check_sts(
        r#"account "111122223333"
           user alice { policy A { allow sts:AssumeRole when { IpAddress aws:SourceIp = "10.0.0.0/8" } } }
           user bob { policy A { allow sts:AssumeRole } }
           user carol { policy A { allow sts:AssumeRole  deny * when { NotIpAddress aws:SourceIp = "10.0.0.0/8" } } }
           role Ops { trust { allow sts:AssumeRole principal aws "111122223333" when { Bool aws:MultiFactorAuthPresent = true } } }"#,
        &[
            &format!(
                r#"user/alice → role/Ops if {MFA} & IpAddress aws:sourceip=[Text("10.0.0.0/8")]"#
            ),
            &format!("user/bob → role/Ops if {MFA}"),
            &format!(
                r#"user/carol → role/Ops if {MFA} unless NotIpAddress aws:sourceip=[Text("10.0.0.0/8")]"#
            ),
        ],
    );
    let alice = table.principal("user/alice").unwrap();
    let ops = table.principal("role/Ops").unwrap();
    let at = |ip: &str, mfa: &str| {
        Context::new()
            .with("aws:SourceIp", ip)
            .with("aws:MultiFactorAuthPresent", mfa)
    };
    assert_eq!(
        table.assume(alice, ops, &at("10.1.1.1", "true")),
        Decision::Allow
    );
    assert_eq!(
        table.assume(alice, ops, &at("10.1.1.1", "false")),
        Decision::ImplicitDeny
    );
    assert_eq!(
        table.assume(alice, ops, &at("192.0.2.1", "true")),
        Decision::ImplicitDeny
    );
    let carol = table.principal("user/carol").unwrap();
    assert_eq!(
        table.assume(carol, ops, &at("192.0.2.1", "true")),
        Decision::Deny
    );
}

#[test]
fn edge_atoms_are_the_table_s_atoms() {
    // The same MFA pair in an identity policy and in a trust policy: one atom (T4).
    let table = check_sts(
        r#"account "111122223333"
           user alice { policy A { allow chime:DeleteAccount when { Bool aws:MultiFactorAuthPresent = true } } }
           role Ops { trust { allow sts:AssumeRole principal aws "arn:aws:iam::111122223333:user/alice" when { Bool aws:MultiFactorAuthPresent = true } } }"#,
        &[&format!("user/alice → role/Ops if {MFA}")],
    );
    assert_eq!(table.atoms().len(), 1);
    // Identical residuals are stored once too.
    assert_eq!(table.n_residuals(), 1);
    let alice = table.principal("user/alice").unwrap();
    let delete = table.action("chime:DeleteAccount").unwrap();
    let mfa = Context::new().with("aws:MultiFactorAuthPresent", "true");
    assert_eq!(
        table.check_with(
            alice,
            delete,
            &Request {
                resource: "*",
                context: &mfa
            }
        ),
        Decision::Allow
    );
}

// ---------------------------------------------------------------------------
// Who never gets an edge: service-linked roles (G5), federated users (P8),
// SCPs (P1.2).

#[test]
fn service_linked_roles_are_never_assumed_and_federated_users_assume_nothing() {
    check(
        r#"account "111122223333"
           managed policy VoicePolicy { allow chime:GetVoiceConnector* }
           user alice { policy A { allow * } }
           federated-user fed { user alice  policy S { allow * } }
           service-linked-role AWSServiceRoleForAmazonChimeVoiceConnector {
             service voiceconnector.chime.amazonaws.com
             attach VoicePolicy
           }
           role Ops { trust account "111122223333" }"#,
        &["user/alice → role/Ops"],
    );
}

#[test]
fn scps_apply_to_every_way_of_naming() {
    let org = |scp: &str| {
        format!(
            r#"account "111122223333"
               {scp}
               user alice
               role Ops {{ trust user alice }}"#
        )
    };
    check(&org("scp Full { allow * }"), &["user/alice → role/Ops"]);
    check(&org("scp Guard { allow * deny sts:AssumeRole }"), &[]);
    check(&org("scp ChimeOnly { allow chime:* }"), &[]);
    check(
        &org("scp Mfa { allow * when { Bool aws:MultiFactorAuthPresent = true } }"),
        &[&format!("user/alice → role/Ops if {MFA}")],
    );
}

// ---------------------------------------------------------------------------
// Role chaining and cycles (G4, P5).

#[test]
fn cycles_are_edges_like_any_other() {
    let (table, _) = build(
        r#"account "111122223333"
           user alice
           role A { trust user alice, role B }
           role B { trust role A }
           role C { trust role B }"#,
        Catalog::builtin("chime").expect("built in"),
    );
    assert_eq!(
        edges_of(&table),
        [
            "role/A → role/B",
            "role/B → role/A",
            "role/B → role/C",
            "user/alice → role/A",
        ]
    );
    let id = |n: &str| table.principal(n).unwrap();
    let reached = table.reachable(id("user/alice"), verdict_runtime::Assume::Always);
    assert_eq!(
        reached.chain(id("role/C")),
        Some(vec![
            id("user/alice"),
            id("role/A"),
            id("role/B"),
            id("role/C")
        ])
    );
    assert_eq!(reached.len(), 4);
}

#[test]
fn the_graph_is_a_petgraph_graph_over_the_rows() {
    let src = r#"account "111122223333"
        user alice
        role A { trust user alice, role B }
        role B { trust role A }
        role Z"#;
    let mut files = MemoryLoader::default();
    files.insert("org.vp", src);
    let out = compile(&[Input::auto("org.vp")], &Config::default(), &mut files);
    let model = out.model.expect("a model");
    let principals = model.principals();
    let mut diags = crate::diag::Diagnostics::default();
    let graph = super::assume_graph(&model, &principals, &mut diags).graph;
    let node = |name: &str| {
        let p = model.find_principal(name).unwrap();
        petgraph::graph::NodeIndex::new(principals.iter().position(|&q| q == p).unwrap())
    };
    assert!(has_path_connecting(
        &graph,
        node("user/alice"),
        node("role/B"),
        None
    ));
    assert!(has_path_connecting(
        &graph,
        node("role/B"),
        node("role/A"),
        None
    ));
    assert!(!has_path_connecting(
        &graph,
        node("role/A"),
        node("user/alice"),
        None
    ));
    assert!(!has_path_connecting(
        &graph,
        node("user/alice"),
        node("role/Z"),
        None
    ));
}

// ---------------------------------------------------------------------------
// Resources and diagnostics.

#[test]
fn roles_without_arns_match_only_star_w0230() {
    let (table, diags) = build(
        r#"user alice { policy A { allow sts:AssumeRole on "arn:aws:iam::*:role/Ops" } }
           user bob { policy A { allow sts:AssumeRole  deny sts:AssumeRole on "arn:aws:iam::*:role/Ops" } }
           user carol { policy A { allow sts:AssumeRole } }
           role Ops { trust account "111122223333" }"#,
        Catalog::builtin("chime").expect("built in"),
    );
    assert_eq!(edges_of(&table), ["user/carol → role/Ops"]);
    let w: Vec<&str> = diags.iter().map(|d| d.code).collect();
    assert_eq!(w, ["W0230", "W0230"]);
    assert!(
        diags[0].message.contains("role `Ops` has no ARN"),
        "{}",
        diags[0].message
    );
}

#[test]
fn resource_variables_over_request_keys_stay_in_the_residual() {
    check_sts(
        r#"account "111122223333"
           user alice { policy A { allow sts:AssumeRole on "arn:aws:iam::111122223333:role/${aws:RequestTag/role}" } }
           role Ops { trust account "111122223333" }"#,
        &[
            r#"user/alice → role/Ops if resource [Template([Text("arn:aws:iam::111122223333:role/"), Var { key: "aws:requesttag/role", default: None }])]"#,
        ],
    );
}

// ---------------------------------------------------------------------------
// Agreement with the table's `sts:AssumeRole` column (G3, account naming).

#[test]
fn account_edges_agree_with_the_table_s_assume_role_cells() {
    let table = check_sts(
        r#"account "111122223333"
           user a1 { policy A { allow sts:AssumeRole on "arn:aws:iam::111122223333:role/Ops" } }
           user a2 { policy A { allow sts:* on "arn:aws:iam::111122223333:role/*" } }
           user a3 { policy A { allow * deny sts:AssumeRole on "arn:aws:iam::111122223333:role/D*" } }
           user a4 { policy A { allow sts:AssumeRole when { Bool aws:MultiFactorAuthPresent = true } } }
           user a5 { policy A { allow sts:AssumeRole  deny sts:AssumeRole when { BoolIfExists aws:MultiFactorAuthPresent = false } } }
           user a6 { policy A { allow sts:GetCallerIdentity } }
           user a7 { policy A { allow sts:AssumeRole on not "arn:aws:iam::111122223333:role/Ops" } }
           policy Chime { allow chime:* }
           user a8 { policy A { allow sts:AssumeRole }  boundary Chime }
           role Ops { trust account "111122223333" }
           role Dev { trust account "111122223333" }"#,
        &[
            "user/a1 → role/Ops",
            "user/a2 → role/Dev",
            "user/a2 → role/Ops",
            "user/a3 → role/Ops",
            &format!("user/a4 → role/Dev if {MFA}"),
            &format!("user/a4 → role/Ops if {MFA}"),
            r#"user/a5 → role/Dev unless BoolIfExists aws:multifactorauthpresent=[Text("false")]"#,
            r#"user/a5 → role/Ops unless BoolIfExists aws:multifactorauthpresent=[Text("false")]"#,
            "user/a7 → role/Dev",
        ],
    );
    let assume = table.action("sts:AssumeRole").unwrap();
    let contexts = [
        Context::new(),
        Context::new().with("aws:MultiFactorAuthPresent", "true"),
        Context::new().with("aws:MultiFactorAuthPresent", "false"),
    ];
    let mut n_allowed = 0;
    for p in table
        .principals()
        .filter(|&p| table.principal_name(p).starts_with("user/"))
    {
        for role in ["role/Ops", "role/Dev"] {
            let r = table.principal(role).unwrap();
            let arn = table.principal_arn(r);
            for context in &contexts {
                let cell = table.check_with(
                    p,
                    assume,
                    &Request {
                        resource: arn,
                        context,
                    },
                );
                let edge = table.assume(p, r, context);
                assert_eq!(
                    edge == Decision::Allow,
                    cell == Decision::Allow,
                    "{} → {role} with {context:?}",
                    table.principal_name(p)
                );
                n_allowed += usize::from(cell == Decision::Allow);
            }
        }
    }
    // Five unconditional edges in every context; a4 and a5 with MFA only.
    assert_eq!(n_allowed, 5 * 3 + 2 + 2);
}

#[test]
fn compiling_twice_gives_the_same_bytes() {
    let src = r#"account "111122223333"
        user alice { tag team = blue }
        user bob { policy A { allow sts:AssumeRole when { IpAddress aws:SourceIp = "10.0.0.0/8" } } }
        role A { trust { allow sts:AssumeRole principal "*" when { Bool aws:MultiFactorAuthPresent = true } } }
        role B { trust account "111122223333", role A }"#;
    let (first, _) = build(src, sts_catalog());
    let (second, _) = build(src, sts_catalog());
    assert_eq!(first.to_bytes(), second.to_bytes());
    assert!(first.n_trust_edges() > 0);
}

#[test]
fn conditions_too_large_to_distribute_leave_the_edge_out_w0231() {
    // 30 trust conditions × 40 identity conditions: 1,200 clauses.
    let trust: String = (0..30)
        .map(|i| format!("allow sts:AssumeRole principal aws \"111122223333\" when {{ StringEquals sts:ExternalId = e{i} }}\n"))
        .collect();
    let identity: String = (0..40)
        .map(|i| format!("allow sts:AssumeRole when {{ StringEquals aws:SourceVpc = v{i} }}\n"))
        .collect();
    let src = format!(
        "account \"111122223333\"\nuser alice {{ policy A {{ {identity} }} }}\nrole Ops {{ trust {{ {trust} }} }}"
    );
    let (table, diags) = build(&src, Catalog::builtin("chime").expect("built in"));
    assert_eq!(table.n_trust_edges(), 0);
    let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
    assert!(codes.contains(&"W0231"), "{codes:?}");
}
