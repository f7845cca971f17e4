//! Tests of table construction: static and residual cells (SEMANTICS.md T2,
//! T3), interning and determinism (T4, T7), resources and variables (R,
//! C-VAR), and the diagnostics of conditions.

use verdict_runtime::parts::{
    Atom, Condition, Grid, Lit, Operator, Part, Residual, SetOp, TableParts, Template,
};
use verdict_runtime::{Cell, Context, Decision, Request, Table};

use super::table_parts;
use crate::catalog::Catalog;
use crate::diag::Diagnostic;
use crate::lower::Lowerer;
use crate::model::Model;
use crate::reference;
use crate::{Input, MemoryLoader};

/// Wildcard-only Chime actions, resource-typed S3 and meeting actions, and
/// the STS actions of P7/P8.
fn catalog() -> Catalog {
    Catalog::from_text(
        "mixed",
        "chime:ListUsers\tList\t\nchime:DeleteAccount\tWrite\t\nchime:CreateMeeting\tWrite\tmeeting\n\
         s3:GetObject\tRead\tobject\ns3:PutObject\tWrite\tobject\ns3:ListAllMyBuckets\tList\t\n\
         sts:GetCallerIdentity\tRead\t\nsts:GetSessionToken\tRead\t\n",
    )
    .expect("valid catalog")
}

struct Built {
    model: Model,
    parts: TableParts,
    diagnostics: Vec<Diagnostic>,
}

impl Built {
    fn index(&self, principal: &str, action: &str) -> (usize, usize) {
        let p = self
            .parts
            .principals
            .iter()
            .position(|n| n == principal)
            .expect("principal");
        let a = self
            .parts
            .actions
            .iter()
            .position(|n| n == action)
            .expect("action");
        (
            self.parts.principal_row[p] as usize,
            self.parts.action_col[a] as usize,
        )
    }

    fn cell(&self, principal: &str, action: &str) -> Cell {
        let (row, col) = self.index(principal, action);
        self.parts.cells[row * self.parts.n_cols as usize + col]
    }

    /// The residual of a conditional cell, with atoms resolved.
    fn residual(&self, principal: &str, action: &str) -> Option<Resolved> {
        let (row, col) = self.index(principal, action);
        let id = self
            .parts
            .conditional
            .iter()
            .find(|(r, c, _)| *r as usize == row && *c as usize == col)?
            .2;
        Some(self.resolve(&self.parts.residuals[id as usize]))
    }

    fn residual_id(&self, principal: &str, action: &str) -> Option<u32> {
        let (row, col) = self.index(principal, action);
        self.parts
            .conditional
            .iter()
            .find(|(r, c, _)| *r as usize == row && *c as usize == col)
            .map(|e| e.2)
    }

    fn resolve(&self, residual: &Residual) -> Resolved {
        let dnf = |dnf: &Vec<Vec<Lit>>| -> Vec<Vec<Atom>> {
            dnf.iter()
                .map(|c| {
                    c.iter()
                        .map(|l| {
                            assert!(!l.negated);
                            self.parts.atoms[l.atom as usize].clone()
                        })
                        .collect()
                })
                .collect()
        };
        Resolved {
            deny: dnf(&residual.deny),
            allow: residual.allow.iter().map(dnf).collect(),
        }
    }

    fn codes(&self) -> Vec<&'static str> {
        self.diagnostics.iter().map(|d| d.code).collect()
    }

    /// Every principal × action × resource × context: the loaded table
    /// (after a bytes round trip) answers as the reference evaluator does.
    /// Returns how many requests were answered allow, deny, implicit deny.
    fn agrees_with_reference(&self, resources: &[&str], contexts: &[Context]) -> [usize; 3] {
        let catalog = catalog();
        let table = Table::from_parts(self.parts.clone()).expect("valid table");
        let table = Table::from_bytes(&table.to_bytes()).expect("round trip");
        let mut n = [0; 3];
        for principal in &self.parts.principals {
            for action in &self.parts.actions {
                for resource in resources {
                    for context in contexts {
                        let want = reference::evaluate(
                            &self.model,
                            &catalog,
                            reference::Request {
                                principal,
                                action,
                                resource,
                                context,
                            },
                        )
                        .expect("the reference evaluates");
                        let p = table.principal(principal).expect("principal");
                        let a = table.action(action).expect("action");
                        let got = table.check_with(p, a, &Request { resource, context });
                        assert_eq!(
                            got, want,
                            "{principal} {action} on {resource} with {context:?}"
                        );
                        n[match got {
                            Decision::Allow => 0,
                            Decision::Deny => 1,
                            Decision::ImplicitDeny => 2,
                        }] += 1;
                    }
                }
            }
        }
        n
    }
}

/// A residual with its atoms inlined.
#[derive(Debug, PartialEq)]
struct Resolved {
    deny: Vec<Vec<Atom>>,
    allow: Vec<Vec<Vec<Atom>>>,
}

fn build_files(files: &[(&str, &str)]) -> Built {
    let mut loader = MemoryLoader::default();
    for (path, text) in files {
        loader.insert(*path, *text);
    }
    let (model, _sources, mut diags) = Lowerer::new(&mut loader).lower(&[Input::auto("org.vp")]);
    let parts = unpacked(table_parts(&model, &catalog(), &mut diags));
    Built {
        model,
        parts,
        diagnostics: diags.list,
    }
}

/// The parts with the cells of the grid in `cells`.
fn unpacked((mut parts, grid): (TableParts, Grid)) -> TableParts {
    parts.cells = (0..grid.n_rows())
        .flat_map(|r| (0..grid.n_cols()).map(move |c| (r, c)))
        .map(|(r, c)| grid.get(r, c).expect("in range"))
        .collect();
    parts
}

fn build(org: &str) -> Built {
    build_files(&[("org.vp", org)])
}

fn cond(op: Operator, key: &str, values: &[&str]) -> Atom {
    Atom::Condition(Condition {
        set: SetOp::None,
        op,
        if_exists: false,
        key: key.to_string(),
        fixed: None,
        values: values.iter().map(|v| Template::from(*v)).collect(),
    })
}

fn res(patterns: Vec<Template>, not: bool) -> Atom {
    Atom::Resource { patterns, not }
}

fn allow_if(atoms: Vec<Vec<Atom>>) -> Resolved {
    Resolved {
        deny: vec![],
        allow: vec![atoms],
    }
}

#[test]
fn t3_allow_on_a_request_key_is_conditional() {
    // X40-like: Allow iff the source IP is in 10/8 (C13).
    let b = build(
        r#"policy P { allow chime:* when { IpAddress aws:SourceIp = "10.0.0.0/8" } }
           user alice { attach P }"#,
    );
    assert_eq!(b.codes(), Vec::<&str>::new());
    let ip = cond(Operator::IpAddress, "aws:sourceip", &["10.0.0.0/8"]);
    for action in ["chime:ListUsers", "chime:DeleteAccount"] {
        assert_eq!(b.cell("user/alice", action), Cell::Conditional);
        assert_eq!(
            b.residual("user/alice", action),
            Some(allow_if(vec![vec![ip.clone()]]))
        );
    }
    // Resource-typed: the request resource is `*` for a Resource `*` (R1).
    assert_eq!(
        b.residual("user/alice", "chime:CreateMeeting"),
        Some(allow_if(vec![vec![ip]]))
    );
    assert_eq!(b.cell("user/alice", "s3:GetObject"), Cell::ImplicitDeny);
    // P7.
    assert_eq!(b.cell("user/alice", "sts:GetCallerIdentity"), Cell::Allow);
    // One atom, one residual, shared by both columns (one column class).
    assert_eq!(b.parts.atoms.len(), 1);
    assert_eq!(b.parts.residuals.len(), 1);
}

#[test]
fn t3_residual_deny_makes_allow_conditional() {
    // C6: Deny unless MFA, over an unconditional Allow.
    let b = build(
        r#"policy P {
             allow *
             deny * when { BoolIfExists aws:MultiFactorAuthPresent = false }
           }
           user alice { attach P }"#,
    );
    let mut mfa = cond(Operator::Bool, "aws:multifactorauthpresent", &["false"]);
    if let Atom::Condition(c) = &mut mfa {
        c.if_exists = true;
    }
    assert_eq!(
        b.residual("user/alice", "chime:ListUsers"),
        Some(Resolved {
            deny: vec![vec![mfa]],
            allow: vec![]
        })
    );
    // P7 beats the deny.
    assert_eq!(b.cell("user/alice", "sts:GetCallerIdentity"), Cell::Allow);
}

#[test]
fn t3_residual_deny_makes_implicit_deny_conditional() {
    // Deny vs implicit deny must stay apart (T3).
    let b = build(
        r#"policy P {
             allow chime:ListUsers
             deny chime:* when { Bool aws:SecureTransport = false }
           }
           user alice { attach P }"#,
    );
    let tls = cond(Operator::Bool, "aws:securetransport", &["false"]);
    assert_eq!(
        b.residual("user/alice", "chime:DeleteAccount"),
        Some(Resolved {
            deny: vec![vec![tls.clone()]],
            allow: vec![vec![]]
        })
    );
    assert_eq!(
        b.residual("user/alice", "chime:ListUsers"),
        Some(Resolved {
            deny: vec![vec![tls]],
            allow: vec![]
        })
    );
}

#[test]
fn t3_conditional_allow_under_unconditional_deny_is_deny() {
    let b = build(
        r#"policy P {
             allow chime:* when { IpAddress aws:SourceIp = "10.0.0.0/8" }
             deny chime:DeleteAccount
           }
           user alice { attach P }"#,
    );
    assert_eq!(b.cell("user/alice", "chime:DeleteAccount"), Cell::Deny);
    assert_eq!(b.cell("user/alice", "chime:ListUsers"), Cell::Conditional);
}

#[test]
fn p1_boundary_step_and_p8_role_sessions() {
    let b = build(
        r#"policy Id { allow * when { StringEquals aws:RequestedRegion = "eu-west-1" } }
           policy Pb { allow chime:*, sts:* }
           policy Deny { deny sts:* when { Bool aws:ViaAWSService = true } }
           user alice { attach Id  boundary Pb }
           role Ops { attach Id, Deny }"#,
    );
    let region = cond(
        Operator::StringEquals,
        "aws:requestedregion",
        &["eu-west-1"],
    );
    // ID conditional, PB true: one step (P3).
    assert_eq!(
        b.residual("user/alice", "chime:ListUsers"),
        Some(allow_if(vec![vec![region.clone()]]))
    );
    // PB false: implicit deny whatever the ID says.
    assert_eq!(b.cell("user/alice", "s3:GetObject"), Cell::ImplicitDeny);
    // P8: a role session never gets GetSessionToken; the residual deny stays.
    let via = cond(Operator::Bool, "aws:viaawsservice", &["true"]);
    assert_eq!(
        b.residual("role/Ops", "sts:GetSessionToken"),
        Some(Resolved {
            deny: vec![vec![via]],
            allow: vec![vec![]]
        })
    );
    assert_eq!(
        b.cell("user/alice", "sts:GetSessionToken"),
        Cell::Conditional
    );
}

#[test]
fn t4_residuals_and_atoms_are_interned_table_wide() {
    let b = build(
        r#"policy A { allow chime:ListUsers when { IpAddress aws:SourceIp = ["10.0.0.0/8", "10.0.0.0/8"] } }
           policy B { allow chime:ListUsers when { IpAddress aws:SourceIp = "10.0.0.0/8" } }
           policy C { allow chime:DeleteAccount }
           user alice { attach A }
           user bob { attach B, C }"#,
    );
    assert_eq!(b.parts.atoms.len(), 1);
    assert_eq!(b.parts.residuals.len(), 1);
    let alice = b.residual_id("user/alice", "chime:ListUsers");
    assert!(alice.is_some());
    assert_eq!(alice, b.residual_id("user/bob", "chime:ListUsers"));
    // Values are a sorted set.
    assert_eq!(
        b.parts.atoms[0],
        cond(Operator::IpAddress, "aws:sourceip", &["10.0.0.0/8"])
    );
}

#[test]
fn t4_dedup_compares_residual_ids() {
    // Same cells (all conditional), different residuals: two rows, two columns.
    let b = build(
        r#"policy A { allow chime:ListUsers when { IpAddress aws:SourceIp = "10.0.0.0/8" }
                      allow chime:DeleteAccount when { IpAddress aws:SourceIp = "192.168.0.0/16" } }
           policy B { allow chime:ListUsers, chime:DeleteAccount when { IpAddress aws:SourceIp = "10.0.0.0/8" } }
           user alice { attach A }
           user bob { attach B }"#,
    );
    assert_ne!(
        b.index("user/alice", "chime:ListUsers").0,
        b.index("user/bob", "chime:ListUsers").0
    );
    assert_ne!(
        b.index("user/alice", "chime:ListUsers").1,
        b.index("user/alice", "chime:DeleteAccount").1
    );
    assert_eq!(b.parts.residuals.len(), 2);
}

#[test]
fn t7_byte_identical_and_independent_of_statement_order() {
    let one = r#"policy P {
                   allow s3:GetObject on "arn:aws:s3:::b/*"
                   allow chime:* when { IpAddress aws:SourceIp = "10.0.0.0/8" }
                   deny chime:DeleteAccount when { Bool aws:SecureTransport = false }
                 }
                 user alice { attach P }"#;
    let two = r#"policy P {
                   deny chime:DeleteAccount when { Bool aws:SecureTransport = false }
                   allow chime:* when { IpAddress aws:SourceIp = "10.0.0.0/8" }
                   allow s3:GetObject on "arn:aws:s3:::b/*"
                 }
                 user alice { attach P }"#;
    assert_eq!(build(one).parts, build(one).parts);
    assert_eq!(build(one).parts, build(two).parts);
    let atoms = build(one).parts.atoms;
    let mut sorted = atoms.clone();
    sorted.sort();
    assert_eq!(atoms, sorted);
}

#[test]
fn r2_resource_scoped_cells() {
    let b = build(
        r#"policy P {
             allow s3:* on "arn:aws:s3:::b/*"
             allow chime:CreateMeeting on not "arn:aws:chime:*:*:meeting/secret*"
           }
           user alice { attach P }"#,
    );
    assert_eq!(
        b.residual("user/alice", "s3:GetObject"),
        Some(allow_if(vec![vec![res(
            vec!["arn:aws:s3:::b/*".into()],
            false
        )]]))
    );
    // R4: the wildcard-only s3:ListAllMyBuckets is not matched by an ARN.
    assert_eq!(
        b.cell("user/alice", "s3:ListAllMyBuckets"),
        Cell::ImplicitDeny
    );
    assert_eq!(b.codes(), ["W0204"]);
    assert_eq!(
        b.residual("user/alice", "chime:CreateMeeting"),
        Some(allow_if(vec![vec![res(
            vec!["arn:aws:chime:*:*:meeting/secret*".into()],
            true
        )]]))
    );
}

#[test]
fn c_var_resource_variables_per_principal() {
    // X25, X26: `${aws:username}` per user; a role has none.
    let b = build(
        r#"policy P {
             allow s3:GetObject on "arn:aws:s3:::home/${aws:username}/*"
             allow s3:PutObject on "arn:aws:s3:::home/${aws:username, 'shared'}/*"
           }
           user alice { attach P }
           user bob { attach P }
           role Ops { attach P }"#,
    );
    let home = |name: &str| {
        res(
            vec![Template(vec![
                Part::Text("arn:aws:s3:::home/".into()),
                Part::Literal(name.into()),
                Part::Text("/*".into()),
            ])],
            false,
        )
    };
    assert_eq!(
        b.residual("user/alice", "s3:GetObject"),
        Some(allow_if(vec![vec![home("alice")]]))
    );
    assert_eq!(
        b.residual("user/bob", "s3:GetObject"),
        Some(allow_if(vec![vec![home("bob")]]))
    );
    // Unresolved: the entry matches nothing (C-VAR-5, R5).
    assert_eq!(b.cell("role/Ops", "s3:GetObject"), Cell::ImplicitDeny);
    assert_eq!(
        b.residual("role/Ops", "s3:PutObject"),
        Some(allow_if(vec![vec![home("shared")]]))
    );
    assert_ne!(
        b.index("user/alice", "s3:GetObject").0,
        b.index("user/bob", "s3:GetObject").0
    );
}

#[test]
fn r5_unresolved_not_resource_excludes_nothing() {
    let b = build(
        r#"policy P { allow s3:GetObject on not "arn:aws:s3:::home/${aws:username}/*" }
           role Ops { attach P }"#,
    );
    assert_eq!(b.cell("role/Ops", "s3:GetObject"), Cell::Allow);
}

#[test]
fn c_var_request_key_variables_stay_variables() {
    let b = build(
        r#"policy P { allow s3:GetObject on "arn:aws:s3:::${aws:SourceIdentity}/*"
                      when { StringLike aws:RequestTag/owner = "${aws:SourceIdentity, 'x'}*" } }
           user alice { attach P }"#,
    );
    let var = |default: Option<&str>| Part::Var {
        key: "aws:sourceidentity".into(),
        default: default.map(str::to_string),
    };
    let tag = Atom::Condition(Condition {
        set: SetOp::None,
        op: Operator::StringLike,
        if_exists: false,
        key: "aws:requesttag/owner".into(),
        fixed: None,
        values: vec![Template(vec![var(Some("x")), Part::Text("*".into())])],
    });
    let resource = res(
        vec![Template(vec![
            Part::Text("arn:aws:s3:::".into()),
            var(None),
            Part::Text("/*".into()),
        ])],
        false,
    );
    let got = b
        .residual("user/alice", "s3:GetObject")
        .expect("conditional");
    assert_eq!(got.allow.len(), 1);
    assert_eq!(got.allow[0].len(), 1);
    let mut clause = got.allow[0][0].clone();
    clause.sort();
    let mut want = vec![tag, resource];
    want.sort();
    assert_eq!(clause, want);
}

#[test]
fn v2_variables_are_literal_in_2008_documents() {
    let b = build_files(&[
        (
            "org.vp",
            "policy P from \"p.json\"\nuser alice { attach P }\n",
        ),
        (
            "p.json",
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::${aws:username}",
                "Condition":{"StringEquals":{"aws:RequestTag/a":"${aws:username}"}}}]}"#,
        ),
    ]);
    let got = b
        .residual("user/alice", "s3:GetObject")
        .expect("conditional");
    let mut clause = got.allow[0][0].clone();
    clause.sort();
    let mut want = vec![
        cond(
            Operator::StringEquals,
            "aws:requesttag/a",
            &["${aws:username}"],
        ),
        res(vec!["arn:aws:s3:::${aws:username}".into()], false),
    ];
    want.sort();
    assert_eq!(clause, want);
}

#[test]
fn a_static_key_against_a_request_variable_is_an_atom_with_the_key_fixed() {
    let b = build(
        r#"policy P { allow chime:ListUsers when { StringEquals aws:username = "${aws:SourceIdentity}" } }
           user alice { attach P }
           user bob { attach P }
           role R { attach P }"#,
    );
    assert_eq!(b.codes(), Vec::<&str>::new());
    let fixed_to = |name: &str| {
        allow_if(vec![vec![Atom::Condition(Condition {
            set: SetOp::None,
            op: Operator::StringEquals,
            if_exists: false,
            key: "aws:username".into(),
            fixed: Some(name.into()),
            values: vec![Template(vec![Part::Var {
                key: "aws:sourceidentity".into(),
                default: None,
            }])],
        })]])
    };
    assert_eq!(
        b.residual("user/alice", "chime:ListUsers"),
        Some(fixed_to("alice"))
    );
    assert_eq!(
        b.residual("user/bob", "chime:ListUsers"),
        Some(fixed_to("bob"))
    );
    // A role has no `aws:username`: absent, the pair is false whatever its values (C4).
    assert_eq!(b.cell("role/R", "chime:ListUsers"), Cell::ImplicitDeny);
    let swapped = build(
        r#"policy P { allow chime:ListUsers when { StringEquals aws:SourceIdentity = "${aws:username}" } }
           user alice { attach P }"#,
    );
    assert_eq!(swapped.codes(), Vec::<&str>::new());
    assert_eq!(
        swapped.residual("user/alice", "chime:ListUsers"),
        Some(allow_if(vec![vec![Atom::Condition(Condition {
            set: SetOp::None,
            op: Operator::StringEquals,
            if_exists: false,
            key: "aws:sourceidentity".into(),
            fixed: None,
            values: vec![Template(vec![Part::Literal("alice".into())])],
        })]]))
    );
    // A static value that decides the pair whatever the variable is decided
    // now: an absent key under a negated operator is true (C4).
    let negated = build(
        r#"policy P { allow chime:ListUsers when { StringNotEquals aws:PrincipalTag/team = "${aws:SourceIdentity}" } }
           user alice { attach P }"#,
    );
    assert_eq!(negated.cell("user/alice", "chime:ListUsers"), Cell::Allow);
}

#[test]
fn w0205_resource_scoped_deny() {
    let b = build(
        r#"policy P { allow s3:*
                      deny s3:* on "arn:aws:s3:::secret/*" }
           user alice { attach P }"#,
    );
    // s3:ListAllMyBuckets is wildcard-only: W0204; the object actions: W0205.
    assert_eq!(b.codes(), ["W0204", "W0205"]);
    assert_eq!(b.cell("user/alice", "s3:GetObject"), Cell::Conditional);
    let fixed = build(
        r#"policy P { allow s3:*
                      deny s3:* on "*" }
           user alice { attach P }"#,
    );
    assert_eq!(fixed.codes(), Vec::<&str>::new());
}

#[test]
fn w0206_for_all_values_needs_a_null_companion() {
    let b = build(
        r#"policy P { allow chime:* when { ForAllValues:StringEquals aws:TagKeys = ["env"] } }
           user alice { attach P }"#,
    );
    assert_eq!(b.codes(), ["W0206"]);
    let fixed = build(
        r#"policy P { allow chime:* when { ForAllValues:StringEquals aws:TagKeys = ["env"]
                                           Null aws:TagKeys = false } }
           user alice { attach P }"#,
    );
    assert_eq!(fixed.codes(), Vec::<&str>::new());
    // A Deny is not widened by an absent key.
    let deny = build(
        r#"policy P { deny chime:* when { ForAllValues:StringEquals aws:TagKeys = ["env"] } }
           user alice { attach P }"#,
    );
    assert_eq!(deny.codes(), Vec::<&str>::new());
}

#[test]
fn w0207_set_operator_on_single_valued_key() {
    let b = build(
        r#"policy P { allow chime:* when { ForAnyValue:IpAddress aws:SourceIp = "10.0.0.0/8" } }
           user alice { attach P }"#,
    );
    assert_eq!(b.codes(), ["W0207"]);
    let fixed = build(
        r#"policy P { allow chime:* when { ForAnyValue:StringEquals aws:CalledVia = "athena.amazonaws.com" } }
           user alice { attach P }"#,
    );
    assert_eq!(fixed.codes(), Vec::<&str>::new());
}

#[test]
fn w0208_unknown_global_key() {
    let b = build(
        r#"policy P { allow chime:* when { IpAddress aws:SourceIP4 = "10.0.0.0/8" } }
           user alice { attach P }"#,
    );
    assert_eq!(b.codes(), ["W0208"]);
    assert_eq!(
        b.diagnostics[0].help.as_deref(),
        Some("did you mean `aws:SourceIp`? (SEMANTICS.md §9)")
    );
    let fixed = build(
        r#"policy P { allow chime:* when { IpAddress aws:sourceip = "10.0.0.0/8"
                                           StringEquals chime:AccountId = "1" } }
           user alice { attach P }"#,
    );
    assert_eq!(fixed.codes(), Vec::<&str>::new());
}

#[test]
fn w0108_and_w0110_validate_values() {
    let b = build(
        r#"policy P { allow chime:* when { Bool aws:SecureTransport = yes
                                           ForAnyValue:Null aws:TagKeys = true } }
           user alice { attach P }"#,
    );
    assert_eq!(b.codes(), ["W0108", "W0110"]);
    let fixed = build(
        r#"policy P { allow chime:* when { Bool aws:SecureTransport = TRUE
                                           Null aws:TagKeys = true } }
           user alice { attach P }"#,
    );
    assert_eq!(fixed.codes(), Vec::<&str>::new());
}

// ---------------------------------------------------------------------------
// Static decisions (K1): keys the model knows are decided per principal.
// ---------------------------------------------------------------------------

#[test]
fn k1_username_is_decided_per_user() {
    let b = build(
        r#"policy P { allow chime:ListUsers when { StringEquals aws:username = alice } }
           user alice { attach P }
           user bob { attach P }
           role Ops { attach P }"#,
    );
    assert_eq!(b.cell("user/alice", "chime:ListUsers"), Cell::Allow);
    assert_eq!(b.cell("user/bob", "chime:ListUsers"), Cell::ImplicitDeny);
    // A role session has no aws:username (K1 table): absent, C4.
    assert_eq!(b.cell("role/Ops", "chime:ListUsers"), Cell::ImplicitDeny);
    assert!(b.parts.atoms.is_empty() && b.parts.residuals.is_empty());
    // bob and Ops end with equal rows.
    assert_eq!(
        b.index("user/bob", "chime:ListUsers").0,
        b.index("role/Ops", "chime:ListUsers").0
    );
}

#[test]
fn k1_principal_tags_decide_statically() {
    let b = build(
        r#"policy P {
             allow chime:ListUsers when { StringEquals aws:PrincipalTag/team = red }
             allow chime:DeleteAccount when { StringNotEquals aws:PrincipalTag/team = red }
             allow s3:ListAllMyBuckets when { StringLike aws:PrincipalTag/team = "*" }
           }
           user alice { attach P }
           user bob { attach P  tag Team = red }
           user carol { attach P  tag team = red }"#,
    );
    assert_eq!(b.cell("user/bob", "chime:ListUsers"), Cell::Allow); // C3: tag keys fold
    assert_eq!(b.cell("user/alice", "chime:ListUsers"), Cell::ImplicitDeny);
    assert_eq!(b.cell("user/alice", "chime:DeleteAccount"), Cell::Allow); // X21
    assert_eq!(
        b.cell("user/bob", "chime:DeleteAccount"),
        Cell::ImplicitDeny
    );
    assert_eq!(
        b.cell("user/alice", "s3:ListAllMyBuckets"),
        Cell::ImplicitDeny
    ); // X37
    assert_eq!(b.cell("user/bob", "s3:ListAllMyBuckets"), Cell::Allow);
    assert_eq!(
        b.index("user/bob", "chime:ListUsers").0,
        b.index("user/carol", "chime:ListUsers").0
    );
    assert!(b.parts.residuals.is_empty());
}

#[test]
fn k1_principal_type_tells_users_from_role_sessions() {
    let b = build(
        r#"policy P { allow chime:*
                      deny chime:DeleteAccount when { StringEquals aws:PrincipalType = AssumedRole } }
           user alice { attach P }
           role Ops { attach P }"#,
    );
    assert_eq!(b.cell("role/Ops", "chime:DeleteAccount"), Cell::Deny);
    assert_eq!(b.cell("user/alice", "chime:DeleteAccount"), Cell::Allow);
}

#[test]
fn k1_static_and_request_keys_in_one_condition() {
    let b = build(
        r#"policy P { allow chime:* when { StringEquals aws:PrincipalTag/team = red
                                           IpAddress aws:SourceIp = "10.0.0.0/8" } }
           user alice { attach P }
           user bob { attach P  tag team = red }"#,
    );
    assert_eq!(b.cell("user/alice", "chime:ListUsers"), Cell::ImplicitDeny);
    assert_eq!(
        b.residual("user/bob", "chime:ListUsers"),
        Some(allow_if(vec![vec![cond(
            Operator::IpAddress,
            "aws:sourceip",
            &["10.0.0.0/8"]
        )]]))
    );
}

#[test]
fn c_var_condition_values_take_static_variables() {
    let b = build(
        r#"policy P { allow chime:ListUsers when { StringEquals aws:PrincipalTag/owner = "${aws:username}" } }
           user alice { attach P  tag owner = alice }
           user bob { attach P  tag owner = alice }
           role Ops { attach P  tag owner = Ops }"#,
    );
    assert_eq!(b.cell("user/alice", "chime:ListUsers"), Cell::Allow);
    assert_eq!(b.cell("user/bob", "chime:ListUsers"), Cell::ImplicitDeny);
    // The role has no aws:username: the only value is unresolved (C-VAR-5).
    assert_eq!(b.cell("role/Ops", "chime:ListUsers"), Cell::ImplicitDeny);
}

// ---------------------------------------------------------------------------
// The table against the reference evaluator, request by request.
// ---------------------------------------------------------------------------

fn contexts() -> Vec<Context> {
    vec![
        Context::new(),
        Context::new()
            .with("aws:SourceIp", "10.1.2.3")
            .with("aws:MultiFactorAuthPresent", "true"),
        Context::new()
            .with("aws:SourceIp", "203.0.113.9")
            .with("aws:MultiFactorAuthPresent", "false")
            .with("aws:SecureTransport", "true"),
        Context::new()
            .with_multi("aws:TagKeys", ["env"])
            .with("aws:SourceIdentity", "alice")
            .with("aws:RequestTag/owner", "alice-x"),
        Context::new().with_multi("aws:TagKeys", ["env", "owner"]),
    ]
}

const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::home/alice/x",
    "arn:aws:s3:::home/bob/x",
    "arn:aws:s3:::home/shared/x",
    "arn:aws:s3:::secret/x",
    "arn:aws:chime:us-east-1:111122223333:meeting/m1",
    "arn:aws:chime:us-east-1:111122223333:meeting/secret1",
    "arn:aws:s3:::alice/y",
];

#[test]
fn table_agrees_with_reference_on_conditions_and_resources() {
    let org = r#"
        policy Base {
          allow chime:* when { IpAddress aws:SourceIp = "10.0.0.0/8" }
          allow s3:GetObject on "arn:aws:s3:::home/${aws:username}/*"
          allow s3:PutObject on "arn:aws:s3:::home/${aws:username, 'shared'}/*"
          allow s3:ListAllMyBuckets when { ForAllValues:StringEquals aws:TagKeys = ["env"] }
          allow chime:CreateMeeting on not "arn:aws:chime:*:*:meeting/secret*"
          deny s3:* on "arn:aws:s3:::secret/*"
          deny chime:DeleteAccount when { BoolIfExists aws:MultiFactorAuthPresent = false }
          allow sts:* when { StringEquals aws:PrincipalTag/team = red }
        }
        policy Tagged {
          allow s3:GetObject on "arn:aws:s3:::${aws:SourceIdentity}/*"
          allow chime:ListUsers when { StringLike aws:RequestTag/owner = "${aws:username}-*" }
          deny sts:GetSessionToken when { Bool aws:SecureTransport = true }
        }
        policy Bound {
          allow chime:*, s3:* when { StringNotEquals aws:PrincipalType = AssumedRole }
          allow sts:*
        }
        user alice { attach Base, Tagged  tag team = red }
        user bob { attach Base  boundary Bound }
        user carol { attach Tagged }
        role Ops { attach Base, Tagged  tag team = red }
        role Bounded { attach Base  boundary Bound }
    "#;
    let b = build(org);
    assert!(
        !b.diagnostics.iter().any(Diagnostic::is_error),
        "{:#?}",
        b.diagnostics
    );
    assert!(b.parts.residuals.len() > 5);
    let n = b.agrees_with_reference(RESOURCES, &contexts());
    assert_eq!(
        n.iter().sum::<usize>(),
        5 * 8 * RESOURCES.len() * contexts().len()
    );
    assert!(n.iter().all(|&k| k > 100), "{n:?}");
}

#[test]
fn semantics_examples_agree_with_reference() {
    // X17 to X24, X38 to X42, through table and oracle.
    let org = r#"
        policy X17 { allow chime:*
                     deny * when { NotIpAddress aws:SourceIp = "10.0.0.0/8" } }
        policy X18 { allow * when { Bool aws:MultiFactorAuthPresent = true } }
        policy X19 { allow * when { BoolIfExists aws:MultiFactorAuthPresent = true } }
        policy X20 { allow *
                     deny * when { NumericGreaterThan aws:MultiFactorAuthAge = 3600 } }
        policy X22 { allow * when { ForAllValues:StringEquals aws:TagKeys = env } }
        policy X23 { allow * when { ForAnyValue:StringEquals aws:TagKeys = env } }
        policy X24 { allow * when { StringEquals aws:TagKeys = env } }
        policy X38 { allow * when { Null aws:TokenIssueTime = true } }
        policy X41 { allow * when { StringEquals aws:SourceIp = "10.*" } }
        user u17 { attach X17 }
        user u18 { attach X18 }
        user u19 { attach X19 }
        user u20 { attach X20 }
        user u22 { attach X22 }
        user u23 { attach X23 }
        user u24 { attach X24 }
        user u38 { attach X38 }
        user u41 { attach X41 }
        role r38 { attach X38 }
    "#;
    let b = build(org);
    assert!(
        !b.diagnostics.iter().any(Diagnostic::is_error),
        "{:#?}",
        b.diagnostics
    );
    let n = b.agrees_with_reference(&["*"], &contexts());
    assert!(n.iter().all(|&k| k > 20), "{n:?}");
}

// ---------------------------------------------------------------------------
// Random organisations from a pool of statements, table against reference.
// ---------------------------------------------------------------------------

/// Statements mixing static keys, request keys, variables and resources.
const POOL: &[&str] = &[
    "allow chime:*",
    "allow s3:*",
    "deny chime:DeleteAccount",
    r#"allow chime:* when { IpAddress aws:SourceIp = "10.0.0.0/8" }"#,
    r#"deny * when { NotIpAddress aws:SourceIp = "10.0.0.0/8" }"#,
    "deny * when { BoolIfExists aws:MultiFactorAuthPresent = false }",
    "allow * when { StringEquals aws:PrincipalTag/team = red }",
    "deny s3:* when { StringNotEquals aws:PrincipalTag/team = red }",
    "allow chime:ListUsers when { StringEquals aws:username = alice }",
    "deny chime:* when { StringEquals aws:PrincipalType = AssumedRole }",
    r#"allow s3:GetObject on "arn:aws:s3:::home/${aws:username}/*""#,
    r#"allow s3:PutObject on "arn:aws:s3:::home/${aws:username, 'shared'}/*""#,
    r#"deny s3:* on "arn:aws:s3:::secret/*""#,
    r#"deny s3:GetObject on not "arn:aws:s3:::home/*""#,
    r#"allow chime:CreateMeeting on not "arn:aws:chime:*:*:meeting/secret*""#,
    r#"allow s3:GetObject on "arn:aws:s3:::${aws:SourceIdentity}/*""#,
    r#"allow sts:* when { StringLike aws:RequestTag/owner = "${aws:username}-*" }"#,
    r#"allow * when { ForAllValues:StringEquals aws:TagKeys = ["env"] Null aws:TagKeys = false }"#,
    "deny sts:* when { Bool aws:SecureTransport = true  StringEquals aws:PrincipalTag/team = blue }",
    r#"allow s3:* on "arn:aws:s3:::home/*" when { StringEquals aws:PrincipalTag/team = "${aws:username}" }"#,
];

fn org_strategy() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let policy = proptest::collection::vec(0..POOL.len(), 1..4);
    let entity = (
        proptest::collection::vec(0..3usize, 0..3),
        proptest::option::of(0..3usize),
        proptest::option::of(prop_oneof![Just("red"), Just("blue"), Just("alice")]),
    );
    (
        proptest::collection::vec(policy, 3),
        proptest::collection::vec(entity, 4),
    )
        .prop_map(|(policies, entities)| {
            let mut org = String::new();
            for (i, stmts) in policies.iter().enumerate() {
                org.push_str(&format!("policy P{i} {{\n"));
                for s in stmts {
                    org.push_str(POOL[*s]);
                    org.push('\n');
                }
                org.push_str("}\n");
            }
            let names = ["user alice", "user bob", "role Ops", "role Dev"];
            for (name, (attach, boundary, team)) in names.iter().zip(entities) {
                org.push_str(&format!("{name} {{"));
                let attach: Vec<String> = attach.iter().map(|p| format!("P{p}")).collect();
                if !attach.is_empty() {
                    org.push_str(&format!(" attach {}", attach.join(", ")));
                }
                if let Some(b) = boundary {
                    org.push_str(&format!(" boundary P{b}"));
                }
                if let Some(t) = team {
                    org.push_str(&format!(" tag team = {t}"));
                }
                org.push_str(" }\n");
            }
            org
        })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    #[test]
    fn random_conditional_orgs_agree_with_reference(org in org_strategy()) {
        let b = build(&org);
        proptest::prop_assert!(
            !b.diagnostics.iter().any(Diagnostic::is_error),
            "{:#?}",
            b.diagnostics
        );
        b.agrees_with_reference(RESOURCES, &contexts());
        // Deterministic.
        proptest::prop_assert_eq!(&build(&org).parts, &b.parts);
    }
}

#[test]
fn e0115_malformed_typed_values() {
    let b = build(
        r#"policy P { allow chime:* when { NumericLessThan aws:MultiFactorAuthAge = ten
                                           DateLessThan aws:CurrentTime = "2030-13-01"
                                           IpAddress aws:SourceIp = "10.0.0.0/33"
                                           BinaryEquals k = "Zm9v=" } }
           user alice { attach P }"#,
    );
    assert_eq!(b.codes(), ["E0115", "E0115", "E0115", "E0115"]);
    let fixed = build(
        r#"policy P { allow chime:* when { NumericLessThan aws:MultiFactorAuthAge = "10.5"
                                           DateLessThan aws:CurrentTime = "2030-12-01"
                                           IpAddress aws:SourceIp = "10.0.0.0/8"
                                           BinaryEquals k = "Zm9v" } }
           user alice { attach P }"#,
    );
    assert_eq!(fixed.codes(), Vec::<&str>::new());
    assert_eq!(
        fixed.cell("user/alice", "chime:ListUsers"),
        Cell::Conditional
    );
}

#[test]
fn t4_one_allow_step_per_scp_level_identity_boundary_and_session() {
    let b = build(
        r#"scp Root { allow * when { StringEquals aws:RequestedRegion = "eu-west-1" } }
           scp Guard at ou Eng {
             allow *
             deny chime:* when { Bool aws:MultiFactorAuthPresent = "false" }
           }
           scp Other at account { allow chime:*, s3:* when { Bool aws:SecureTransport = "true" } }
           policy Id { allow * when { IpAddress aws:SourceIp = "10.0.0.0/8" } }
           policy Pb { allow chime:* }
           role Ops { attach Id  boundary Pb }
           assumed-role Ops/s1 { policy S { allow chime:ListUsers when { Bool aws:ViaAWSService = "false" } } }
           managed policy Plain { version "2012-10-17" allow * }
           service-linked-role Slr { service chime.amazonaws.com  attach Plain }"#,
    );
    assert_eq!(b.codes(), Vec::<&str>::new(), "{:#?}", b.diagnostics);
    let region = cond(
        Operator::StringEquals,
        "aws:requestedregion",
        &["eu-west-1"],
    );
    let mfa = cond(Operator::Bool, "aws:multifactorauthpresent", &["false"]);
    let tls = cond(Operator::Bool, "aws:securetransport", &["true"]);
    let ip = cond(Operator::IpAddress, "aws:sourceip", &["10.0.0.0/8"]);
    let via = cond(Operator::Bool, "aws:viaawsservice", &["false"]);
    // Steps in order: root SCP, OU SCP (true: dropped), account SCP, ID;
    // PB true (dropped); no session step for the role row.
    assert_eq!(
        b.residual("role/Ops", "chime:ListUsers"),
        Some(Resolved {
            deny: vec![vec![mfa.clone()]],
            allow: vec![
                vec![vec![region.clone()]],
                vec![vec![tls.clone()]],
                vec![vec![ip.clone()]],
            ],
        })
    );
    // The declared session adds its session-policy step.
    assert_eq!(
        b.residual("assumed-role/Ops/s1", "chime:ListUsers"),
        Some(Resolved {
            deny: vec![vec![mfa.clone()]],
            allow: vec![
                vec![vec![region.clone()]],
                vec![vec![tls]],
                vec![vec![ip]],
                vec![vec![via]],
            ],
        })
    );
    // A false step (no session Allow): only the residual deny is left.
    assert_eq!(
        b.residual("assumed-role/Ops/s1", "chime:DeleteAccount"),
        Some(Resolved {
            deny: vec![vec![mfa]],
            allow: vec![vec![]],
        })
    );
    // The service-linked role is not governed by SCPs (P6, G5).
    assert_eq!(b.cell("role/Slr", "chime:ListUsers"), Cell::Allow);
    let contexts = [
        Context::new(),
        Context::new()
            .with("aws:RequestedRegion", "eu-west-1")
            .with("aws:SecureTransport", "true")
            .with("aws:SourceIp", "10.1.2.3")
            .with("aws:ViaAWSService", "false"),
        Context::new()
            .with("aws:RequestedRegion", "eu-west-1")
            .with("aws:MultiFactorAuthPresent", "false"),
    ];
    let [allow, deny, _] = b.agrees_with_reference(&["*"], &contexts);
    assert!(allow > 0 && deny > 0);
}

/// With the all-AWS catalog, rows are computed over action classes: every
/// action still gets the cell the reference evaluator gives it, actions no
/// policy tells apart share a column, and the others do not.
#[test]
fn aws_catalog_action_classes_agree_with_reference() {
    let org = r#"
        policy Read {
          allow *:List*, s3:Get*, ec2:Describe*
          deny ec2:DescribeRegions
        }
        policy NotIam {
          allow not iam:*, sts:*
          deny s3:Delete*
        }
        policy Conditional {
          allow s3:PutObject on "arn:aws:s3:::home/${aws:username}/*"
          allow ec2:TerminateInstances when { IpAddress aws:SourceIp = "10.0.0.0/8" }
          deny *:List* when { Bool aws:SecureTransport = false }
        }
        policy Unused { allow lambda:Invoke* }
        user alice { attach Read, Conditional }
        user bob { attach NotIam  boundary Read }
        role Ops { attach NotIam, Conditional }
    "#;
    let catalog = Catalog::builtin("aws").expect("aws catalog");
    let mut loader = MemoryLoader::default();
    loader.insert("org.vp", org);
    let (model, _sources, mut diags) = Lowerer::new(&mut loader).lower(&[Input::auto("org.vp")]);
    let parts = unpacked(table_parts(&model, &catalog, &mut diags));
    assert!(!diags.has_errors(), "{:#?}", diags.list);
    assert_eq!(parts.actions.len(), catalog.len());
    // Far fewer columns than actions: most actions are in no set, or only
    // in the NotAction complement.
    assert!(parts.n_cols < 2_000, "{} columns", parts.n_cols);
    let col = |name: &str| parts.action_col[catalog.find(name).expect("action") as usize];
    // `lambda:InvokeFunction` is told apart only by a policy nobody uses.
    assert_eq!(col("lambda:InvokeFunction"), col("lambda:CreateFunction"));
    assert_ne!(col("ec2:DescribeRegions"), col("ec2:DescribeInstances"));
    assert_ne!(col("s3:GetObject"), col("s3:PutObject"));

    let table = Table::from_parts(parts.clone()).expect("valid table");
    let services = ["s3:", "ec2:", "iam:", "sts:", "lambda:"];
    let contexts = [
        Context::new(),
        Context::new()
            .with("aws:SourceIp", "10.1.2.3")
            .with("aws:SecureTransport", "false"),
    ];
    let resources = ["*", "arn:aws:s3:::home/alice/x"];
    let mut checked = 0;
    for (a, action) in parts.actions.iter().enumerate() {
        if a % 101 != 0 && !services.iter().any(|s| action.starts_with(s)) {
            continue;
        }
        for principal in &parts.principals {
            for resource in resources {
                for context in &contexts {
                    let want = reference::evaluate(
                        &model,
                        &catalog,
                        reference::Request {
                            principal,
                            action,
                            resource,
                            context,
                        },
                    )
                    .expect("the reference evaluates");
                    let p = table.principal(principal).expect("principal");
                    let id = table.action(action).expect("action");
                    let got = table.check_with(p, id, &Request { resource, context });
                    assert_eq!(
                        got, want,
                        "{principal} {action} on {resource} with {context:?}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 10_000, "{checked}");
}
