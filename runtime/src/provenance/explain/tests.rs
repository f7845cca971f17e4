//! Tests of the derivation: each reason (P7, P1.1, P1, a missing step of
//! P1.2–P1.5, P8) with its deciding statements and their roles, atoms that
//! hold or fail, and through a loaded table: agreement with its cells, a
//! disagreement found, and a table without the section.

use super::*;
use crate::parts::{Atom, Condition, Operator, SetOp, TableParts};
use crate::provenance::{
    ActionRanges, Grant, ProvenanceGroup, ProvenancePolicy, ProvenanceStatement, StatementEval,
};
use crate::types::{AccessLevel, Cell};
use crate::{Context, ContextValue};

const OPS: u32 = 0;
const ALICE: u32 = 1;
const DELETE: u32 = 0;
const GET: u32 = 1;
const LIST_USERS: u32 = 2;
const CALLER_IDENTITY: u32 = 3;

fn statement(policy: u32, effect: Effect, line: u32) -> ProvenanceStatement {
    ProvenanceStatement {
        policy,
        sid: None,
        effect,
        file: 0,
        line,
        conditions: vec![],
        conditional: false,
        wildcard_only: ActionRanges::default(),
        resource_typed: ActionRanges::default(),
    }
}

fn policy(name: &str, kind: PolicyKind, line: u32) -> ProvenancePolicy {
    ProvenancePolicy {
        name: name.into(),
        kind,
        file: 0,
        line,
    }
}

/// role/Ops (a role session): SCP `Fence` at root, identity `Read`,
/// boundary `Guard` (GetMeeting only); role sessions never get GetMeeting.
/// user/alice: `Read` through group `Staff`, inline `NoDelete` denying
/// DeleteMeeting, managed `Net` allowing ListUsers from 10.0.0.0/8.
fn provenance() -> Provenance {
    Provenance {
        files: vec!["org.vp".into()],
        names: vec!["group/Staff".into(), "root".into()],
        groups: vec![ProvenanceGroup {
            name: 0,
            policies: vec![0],
        }],
        policies: vec![
            policy("Read", PolicyKind::Standalone, 1),
            policy("NoDelete", PolicyKind::Inline, 4),
            policy("Net", PolicyKind::Managed, 7),
            policy("Guard", PolicyKind::Standalone, 10),
            policy("Fence", PolicyKind::Scp, 13),
        ],
        statements: vec![
            ProvenanceStatement {
                sid: Some("ReadMeetings".into()),
                resource_typed: ActionRanges(vec![(DELETE, GET + 1)]),
                ..statement(0, Effect::Allow, 2)
            },
            ProvenanceStatement {
                resource_typed: ActionRanges(vec![(DELETE, DELETE + 1)]),
                ..statement(1, Effect::Deny, 5)
            },
            ProvenanceStatement {
                conditions: vec!["IpAddress aws:SourceIp [\"10.0.0.0/8\"]".into()],
                conditional: true,
                wildcard_only: ActionRanges(vec![(LIST_USERS, LIST_USERS + 1)]),
                ..statement(2, Effect::Allow, 8)
            },
            ProvenanceStatement {
                resource_typed: ActionRanges(vec![(GET, GET + 1)]),
                ..statement(3, Effect::Allow, 11)
            },
            ProvenanceStatement {
                resource_typed: ActionRanges(vec![(DELETE, GET + 1)]),
                wildcard_only: ActionRanges(vec![(LIST_USERS, LIST_USERS + 1)]),
                ..statement(4, Effect::Allow, 14)
            },
        ],
        atoms: vec![Atom::Condition(Condition {
            set: SetOp::None,
            op: Operator::IpAddress,
            if_exists: false,
            key: "aws:sourceip".into(),
            fixed: None,
            values: vec!["10.0.0.0/8".into()],
        })],
        profiles: vec![
            Profile {
                kind: CredentialKind::RoleSession,
                through: None,
                steps: vec![Step::Scp { level: 1 }, Step::Identity, Step::Boundary],
                grants: vec![
                    Grant {
                        step: 0,
                        source: GrantSource::Policy(4),
                    },
                    Grant {
                        step: 1,
                        source: GrantSource::Policy(0),
                    },
                    Grant {
                        step: 2,
                        source: GrantSource::Policy(3),
                    },
                ],
                evals: vec![],
            },
            Profile {
                kind: CredentialKind::User,
                through: None,
                steps: vec![Step::Identity],
                grants: vec![
                    Grant {
                        step: 0,
                        source: GrantSource::Group(0),
                    },
                    Grant {
                        step: 0,
                        source: GrantSource::Policy(1),
                    },
                    Grant {
                        step: 0,
                        source: GrantSource::Policy(2),
                    },
                ],
                evals: vec![StatementEval {
                    statement: 2,
                    wildcard_only: Some(vec![0]),
                    resource_typed: None,
                }],
            },
        ],
        principal_profile: vec![0, 1],
        caller_identity: Some(CALLER_IDENTITY),
        role_session_forbidden: ActionRanges(vec![(GET, GET + 1)]),
        federated_forbidden: ActionRanges::default(),
    }
}

/// The table whose cells the section explains (ListUsers from no network:
/// implicit deny).
fn table() -> Table {
    use Cell::{Allow, Deny, ImplicitDeny};
    Table::from_parts(TableParts {
        catalog: "test".into(),
        principals: vec!["role/Ops".into(), "user/alice".into()],
        principal_arns: vec![String::new(), String::new()],
        actions: vec![
            "chime:DeleteMeeting".into(),
            "chime:GetMeeting".into(),
            "chime:ListUsers".into(),
            "sts:GetCallerIdentity".into(),
        ],
        action_access: vec![
            AccessLevel::Write,
            AccessLevel::Read,
            AccessLevel::List,
            AccessLevel::Read,
        ],
        action_wildcard_only: vec![false, false, true, false],
        principal_row: vec![0, 1],
        action_col: vec![0, 1, 2, 3],
        n_rows: 2,
        n_cols: 4,
        cells: vec![
            ImplicitDeny,
            ImplicitDeny,
            ImplicitDeny,
            Allow,
            Deny,
            Allow,
            ImplicitDeny,
            Allow,
        ],
        provenance: Some(provenance()),
        ..TableParts::default()
    })
    .unwrap()
}

fn derived(principal: u32, action: u32, atoms_hold: bool) -> Derivation {
    derive(&provenance(), principal, action, &mut |_| atoms_hold).unwrap()
}

fn deciding(d: &Derivation) -> Vec<(&str, Effect, StepKind)> {
    d.statements
        .iter()
        .filter(|s| s.deciding)
        .map(|s| (s.policy.as_str(), s.effect, d.steps[s.step].kind))
        .collect()
}

#[test]
fn an_allow_through_a_group_decides_with_its_statement() {
    let d = derived(ALICE, GET, false);
    assert_eq!(
        (d.reason.clone(), d.derived),
        (Reason::Allowed, Decision::Allow)
    );
    assert_eq!(d.reason.rule(), "P1");
    assert_eq!(deciding(&d), [("Read", Effect::Allow, StepKind::Identity)]);
    let read = &d.statements[0];
    assert_eq!(read.groups, ["group/Staff"]);
    assert!(!read.direct);
    assert_eq!(
        (read.sid.as_deref(), read.number, read.line),
        (Some("ReadMeetings"), 1, 2)
    );
    assert_eq!(read.applies, Applies::Always);
}

#[test]
fn an_explicit_deny_decides_over_the_allow() {
    let d = derived(ALICE, DELETE, false);
    assert_eq!(
        (d.reason.clone(), d.derived),
        (Reason::ExplicitDeny, Decision::Deny)
    );
    assert_eq!(d.reason.rule(), "P1.1");
    assert_eq!(
        deciding(&d),
        [("NoDelete", Effect::Deny, StepKind::Identity)]
    );
    // The Allow names the action too, but does not decide.
    assert_eq!(d.statements.len(), 2);
    assert!(d
        .statements
        .iter()
        .any(|s| s.policy == "Read" && !s.deciding));
}

#[test]
fn a_conditional_statement_applies_only_when_its_atoms_hold() {
    let d = derived(ALICE, LIST_USERS, true);
    assert_eq!(d.reason, Reason::Allowed);
    let net = &d.statements[0];
    assert_eq!(
        (net.policy.as_str(), net.applies, net.tests.as_slice()),
        (
            "Net",
            Applies::Holds,
            &[AtomTest {
                atom: 0,
                holds: true
            }][..]
        )
    );
    assert!(net.deciding);

    let d = derived(ALICE, LIST_USERS, false);
    assert_eq!(
        (d.reason.clone(), d.derived),
        (Reason::NoAllow(vec![0]), Decision::ImplicitDeny)
    );
    assert_eq!(d.statements[0].applies, Applies::Fails);
    assert!(deciding(&d).is_empty());
}

#[test]
fn a_missing_boundary_allow_is_named_by_its_step() {
    let d = derived(OPS, DELETE, true);
    assert_eq!(d.reason, Reason::NoAllow(vec![2]));
    assert_eq!(
        d.steps
            .iter()
            .map(|s| (s.kind, s.allows))
            .collect::<Vec<_>>(),
        [
            (StepKind::Scp, true),
            (StepKind::Identity, true),
            (StepKind::Boundary, false)
        ]
    );
    assert_eq!(d.steps[0].level, "root");
    assert_eq!(d.steps[0].policies, ["Fence"]);
    assert_eq!(d.steps[2].kind.rule(), "P1.4");
    assert!(deciding(&d).is_empty());
}

#[test]
fn role_sessions_never_get_a_forbidden_action() {
    let d = derived(OPS, GET, true);
    assert!(d.steps.iter().all(|s| s.allows));
    assert_eq!(
        (d.reason.clone(), d.derived),
        (
            Reason::Forbidden(CredentialKind::RoleSession),
            Decision::ImplicitDeny
        )
    );
    assert_eq!(d.reason.rule(), "P8");
}

#[test]
fn caller_identity_is_allowed_whatever_the_policies() {
    for p in [OPS, ALICE] {
        let d = derived(p, CALLER_IDENTITY, false);
        assert_eq!(
            (d.reason.clone(), d.derived),
            (Reason::CallerIdentity, Decision::Allow)
        );
        assert_eq!(d.reason.rule(), "P7");
        assert!(d.statements.is_empty());
    }
}

#[test]
fn a_principal_without_a_profile_is_an_error() {
    let err = derive(&provenance(), 7, GET, &mut |_| true).unwrap_err();
    assert_eq!(err, ExplainError::NoProfile(7));
    assert_eq!(err.to_string(), "principal 7 has no profile");
}

#[test]
fn through_the_table_the_section_agrees_with_every_cell() {
    let table = table();
    let none = Context::new();
    let plain = Request {
        resource: "*",
        context: &none,
    };
    assert_eq!(disagreements(&table, &plain).unwrap(), []);
    let alice = table.principal("user/alice").unwrap();
    let get = table.action("chime:GetMeeting").unwrap();
    let e = explain(&table, alice, get, &plain).unwrap();
    assert_eq!(
        (e.principal.as_str(), e.action.as_str(), e.resource.as_str()),
        ("user/alice", "chime:GetMeeting", "*")
    );
    assert_eq!((e.decision, e.derived), (Decision::Allow, Decision::Allow));

    // From the corporate network the section allows ListUsers, which this
    // table's cell denies: the disagreement is found.
    let mut corp = Context::new();
    corp.insert("aws:SourceIp", ContextValue::Single("10.1.2.3".into()));
    let from_corp = Request {
        resource: "*",
        context: &corp,
    };
    assert_eq!(
        disagreements(&table, &from_corp).unwrap(),
        [(
            "user/alice".to_string(),
            "chime:ListUsers".to_string(),
            Decision::ImplicitDeny,
            Decision::Allow
        )]
    );
}

#[test]
fn a_table_without_the_section_cannot_be_explained() {
    let mut parts = table().to_parts();
    parts.provenance = None;
    let table = Table::from_parts(parts).unwrap();
    let none = Context::new();
    let request = Request {
        resource: "*",
        context: &none,
    };
    let (p, a) = (
        table.principal("role/Ops").unwrap(),
        table.action("chime:GetMeeting").unwrap(),
    );
    assert_eq!(
        explain(&table, p, a, &request).unwrap_err(),
        ExplainError::NoProvenance
    );
    assert_eq!(
        disagreements(&table, &request).unwrap_err(),
        ExplainError::NoProvenance
    );
}
