//! Tests of the provenance section: round trips, tables without it unchanged,
//! and the loader's rejection of damaged sections.

use super::*;
use crate::parts::{Condition, Operator, SetOp, TableParts};
use crate::types::{AccessLevel, Cell};
use crate::wire::test_util::fix_checksum;
use crate::{Context, Request, Table};

/// Two principals, three actions (the third wildcard-only); user/alice gets
/// `Read` through group `Staff` and a conditional `Net`; role/Ops has `Read`
/// directly and `Guard` as boundary.
fn parts() -> TableParts {
    TableParts {
        catalog: "chime".into(),
        principals: vec!["role/Ops".into(), "user/alice".into()],
        principal_arns: vec![String::new(), String::new()],
        actions: vec![
            "chime:GetMeeting".into(),
            "chime:ListMeetings".into(),
            "chime:ListUsers".into(),
        ],
        action_access: vec![AccessLevel::Read, AccessLevel::List, AccessLevel::List],
        action_wildcard_only: vec![false, false, true],
        principal_row: vec![0, 1],
        action_col: vec![0, 0, 1],
        n_rows: 2,
        n_cols: 2,
        cells: vec![Cell::Allow, Cell::ImplicitDeny, Cell::Allow, Cell::Allow],
        ..TableParts::default()
    }
}

fn provenance() -> Provenance {
    let from_corp = Atom::Condition(Condition {
        set: SetOp::None,
        op: Operator::IpAddress,
        if_exists: false,
        key: "aws:sourceip".into(),
        fixed: None,
        values: vec!["10.0.0.0/8".into()],
    });
    Provenance {
        files: vec!["org.vp".into()],
        names: vec!["group/Staff".into()],
        groups: vec![ProvenanceGroup {
            name: 0,
            policies: vec![0],
        }],
        policies: vec![
            ProvenancePolicy {
                name: "Read".into(),
                kind: PolicyKind::Standalone,
                file: 0,
                line: 1,
            },
            ProvenancePolicy {
                name: "Net".into(),
                kind: PolicyKind::Managed,
                file: 0,
                line: 4,
            },
            ProvenancePolicy {
                name: "Guard".into(),
                kind: PolicyKind::Standalone,
                file: 0,
                line: 7,
            },
        ],
        statements: vec![
            ProvenanceStatement {
                policy: 0,
                sid: Some("ReadMeetings".into()),
                effect: Effect::Allow,
                file: 0,
                line: 2,
                conditions: vec![],
                conditional: false,
                wildcard_only: ActionRanges::default(),
                resource_typed: ActionRanges(vec![(0, 2)]),
            },
            ProvenanceStatement {
                policy: 1,
                sid: None,
                effect: Effect::Allow,
                file: 0,
                line: 5,
                conditions: vec!["IpAddress aws:SourceIp [\"10.0.0.0/8\"]".into()],
                conditional: true,
                wildcard_only: ActionRanges(vec![(2, 3)]),
                resource_typed: ActionRanges::default(),
            },
            ProvenanceStatement {
                policy: 2,
                sid: None,
                effect: Effect::Allow,
                file: 0,
                line: 8,
                conditions: vec![],
                conditional: false,
                wildcard_only: ActionRanges::default(),
                resource_typed: ActionRanges(vec![(0, 1)]),
            },
        ],
        atoms: vec![from_corp],
        profiles: vec![
            Profile {
                kind: CredentialKind::RoleSession,
                through: None,
                steps: vec![Step::Identity, Step::Boundary],
                grants: vec![
                    Grant {
                        step: 0,
                        source: GrantSource::Policy(0),
                    },
                    Grant {
                        step: 1,
                        source: GrantSource::Policy(2),
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
                ],
                evals: vec![StatementEval {
                    statement: 1,
                    wildcard_only: Some(vec![0]),
                    resource_typed: None,
                }],
            },
        ],
        principal_profile: vec![0, 1],
        caller_identity: None,
        role_session_forbidden: ActionRanges::default(),
        federated_forbidden: ActionRanges(vec![(1, 2)]),
    }
}

fn with(edit: impl FnOnce(&mut Provenance)) -> TableParts {
    let mut p = provenance();
    edit(&mut p);
    TableParts {
        provenance: Some(p),
        ..parts()
    }
}

fn rejected(edit: impl FnOnce(&mut Provenance), needle: &str) {
    let err = Table::from_parts(with(edit)).expect_err("damaged provenance must be rejected");
    let msg = err.to_string();
    assert!(
        msg.starts_with("invalid table: provenance: ") && msg.contains(needle),
        "{msg:?} should mention {needle:?}"
    );
}

#[test]
fn round_trip_keeps_the_section() {
    let table = Table::from_parts(with(|_| {})).unwrap();
    assert_eq!(table.provenance(), Some(&provenance()));
    assert!(table.provenance_byte_len() > 0);
    let reloaded = Table::from_bytes(&table.to_bytes()).unwrap();
    assert_eq!(reloaded, table);
    assert_eq!(Table::from_parts(table.to_parts()).unwrap(), table);
    // The flag bit is set.
    assert_eq!(table.as_bytes()[16], 1);
}

#[test]
fn tables_without_the_section_are_unchanged() {
    let plain = Table::from_parts(parts()).unwrap();
    assert_eq!(plain.provenance(), None);
    assert_eq!(plain.provenance_byte_len(), 0);
    assert_eq!(plain.as_bytes()[16], 0);
    // Dropping the section gives back exactly the bytes of the plain table.
    let mut stripped = Table::from_parts(with(|_| {})).unwrap().to_parts();
    stripped.provenance = None;
    assert_eq!(
        Table::from_parts(stripped).unwrap().to_bytes(),
        plain.to_bytes()
    );
    // The plain body is a prefix of the body with the section.
    let full = Table::from_parts(with(|_| {})).unwrap();
    assert_eq!(
        full.as_bytes()[40..plain.byte_len()],
        plain.as_bytes()[40..]
    );
}

#[test]
fn checks_do_not_change_with_the_section() {
    let plain = Table::from_parts(parts()).unwrap();
    let full = Table::from_parts(with(|_| {})).unwrap();
    for p in plain.principals() {
        for a in plain.actions() {
            assert_eq!(plain.cell(p, a), full.cell(p, a));
        }
    }
}

#[test]
fn atoms_evaluate_like_checks() {
    let table = Table::from_parts(with(|_| {})).unwrap();
    let corp = Context::new().with("aws:SourceIp", "10.1.2.3");
    let home = Context::new().with("aws:SourceIp", "192.0.2.1");
    let at = |context| Request {
        resource: "*",
        context,
    };
    assert_eq!(table.provenance_atom(0, &at(&corp)), Some(true));
    assert_eq!(table.provenance_atom(0, &at(&home)), Some(false));
    assert_eq!(table.provenance_atom(1, &at(&home)), None);
    let plain = Table::from_parts(parts()).unwrap();
    assert_eq!(plain.provenance_atom(0, &at(&corp)), None);
}

#[test]
fn lookups_of_statements_and_evals() {
    let p = provenance();
    assert_eq!(p.policy_statements(0), 0..1);
    assert_eq!(p.policy_statements(1), 1..2);
    assert_eq!(p.policy_statements(7), 3..3);
    let alice = &p.profiles[1];
    assert_eq!(alice.eval(1).map(|e| e.statement), Some(1));
    assert!(alice.eval(0).is_none());
}

#[test]
fn rejects_indexes_out_of_range() {
    rejected(|p| p.policies[1].file = 1, "policy 1 is in file 1");
    rejected(
        |p| p.statements[2].policy = 3,
        "statement 2 belongs to policy 3",
    );
    rejected(
        |p| p.profiles[0].grants[1].source = GrantSource::Policy(9),
        "profile 0 grants policy 9",
    );
    rejected(
        |p| p.profiles[1].grants[0].source = GrantSource::Group(1),
        "profile 1 grants group 1",
    );
    rejected(|p| p.groups[0].policies.push(3), "group 0 has policy 3");
    rejected(|p| p.groups[0].name = 1, "group 0 refers to name 1");
    rejected(
        |p| p.profiles[1].grants[0].source = GrantSource::Group(u32::MAX >> 1),
        "grants group 2147483647",
    );
    rejected(
        |p| p.profiles[0].grants[1].step = 2,
        "in step 2, but it has 2 steps",
    );
    rejected(|p| p.profiles[1].through = Some(5), "refers to name 5");
    rejected(
        |p| p.profiles[1].steps[0] = Step::Scp { level: 3 },
        "refers to name 3",
    );
    rejected(
        |p| p.profiles[1].evals[0].wildcard_only = Some(vec![1]),
        "refers to atom 1",
    );
    rejected(|p| p.principal_profile[1] = 2, "principal 1 has profile 2");
    rejected(|p| p.caller_identity = Some(3), "caller identity action 3");
}

#[test]
fn rejects_wrong_lengths_and_orders() {
    rejected(
        |p| p.principal_profile.truncate(1),
        "1 principal profiles for 2 principals",
    );
    rejected(
        |p| p.statements.swap(0, 2),
        "statement 1 is not grouped with its policy",
    );
    rejected(
        |p| p.statements[0].resource_typed = ActionRanges(vec![(0, 4)]),
        "statement 0 has action range 0..4",
    );
    rejected(
        |p| p.federated_forbidden = ActionRanges(vec![(1, 2), (0, 1)]),
        "the federated-user exclusions",
    );
}

#[test]
fn rejects_missing_extra_and_foreign_evaluations() {
    rejected(
        |p| p.profiles[1].evals.clear(),
        "profile 1 has 0 statement evaluations, its policies have 1",
    );
    // Statement 1 belongs to a policy role/Ops's profile does not grant.
    rejected(
        |p| {
            let eval = p.profiles[1].evals[0].clone();
            p.profiles[0].evals.push(eval);
        },
        "profile 0 evaluates statement 1, not a conditional statement of its policies",
    );
    rejected(
        |p| {
            let eval = p.profiles[1].evals[0].clone();
            p.profiles[1].evals.push(eval);
        },
        "profile 1 evaluates statement 1 twice or out of order",
    );
    rejected(
        |p| p.statements[1].conditional = false,
        "profile 1 evaluates statement 1, not a conditional",
    );
}

#[test]
fn rejects_malformed_atoms() {
    rejected(
        |p| {
            p.atoms[0] = Atom::Condition(Condition {
                set: SetOp::None,
                op: Operator::IpAddress,
                if_exists: false,
                key: "aws:sourceip".into(),
                fixed: None,
                values: vec!["not a network".into()],
            });
        },
        "atom 0",
    );
}

#[test]
fn rejects_flag_and_section_mismatches() {
    let full = Table::from_parts(with(|_| {})).unwrap().to_bytes();
    // The section without the flag: trailing bytes in the body.
    let mut no_flag = full.clone();
    no_flag[16] = 0;
    fix_checksum(&mut no_flag);
    let err = Table::from_bytes(&no_flag).unwrap_err();
    assert!(
        err.to_string().starts_with("cannot decode table body"),
        "{err}"
    );
    // An unknown enum value inside the section.
    let plain_len = Table::from_parts(parts()).unwrap().byte_len();
    let policies_kind = find_kind_byte(&full, plain_len);
    let mut bad_kind = full.clone();
    bad_kind[policies_kind] = 9;
    fix_checksum(&mut bad_kind);
    let err = Table::from_bytes(&bad_kind).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid table: provenance: unknown policy kind 9"
    );
}

/// The byte of the first policy's kind: after its name, `Read` (a u64
/// length, then the bytes), the first such name after `start`.
fn find_kind_byte(bytes: &[u8], start: usize) -> usize {
    let mut needle = 4u64.to_le_bytes().to_vec();
    needle.extend_from_slice(b"Read");
    let at = start
        + bytes[start..]
            .windows(needle.len())
            .position(|w| w == needle)
            .expect("the first policy's name");
    let at = at + needle.len();
    assert_eq!(bytes[at], 1, "the first policy is standalone");
    at
}

#[test]
fn scattered_action_sets_are_stored_as_bitsets() {
    // 3 actions: a bitset takes 1 byte, so any range list is larger.
    let scattered = ActionRanges(vec![(0, 1), (2, 3)]);
    let table =
        Table::from_parts(with(|p| p.statements[0].resource_typed = scattered.clone())).unwrap();
    let loaded = Table::from_bytes(&table.to_bytes()).unwrap();
    assert_eq!(
        loaded.provenance().unwrap().statements[0].resource_typed,
        scattered
    );
    assert_eq!(Table::from_parts(loaded.to_parts()).unwrap(), table);
    // Out-of-range ranges are kept as ranges, and rejected.
    rejected(
        |p| p.statements[0].resource_typed = ActionRanges(vec![(0, 1), (2, 9)]),
        "statement 0 has action range 2..9",
    );
}

#[test]
fn rejects_non_canonical_or_padded_bitsets() {
    let table = Table::from_parts(with(|p| {
        p.statements[0].resource_typed = ActionRanges(vec![(0, 1), (2, 3)]);
    }))
    .unwrap();
    let mut bytes = table.to_bytes();
    // The bitset is `u32 tag 1, u64 length 1, byte 0b101`. Cleared, it is the
    // empty set, which only ranges may encode.
    let needle = [1u8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0b101];
    let at = bytes
        .windows(needle.len())
        .rposition(|w| w == needle)
        .expect("the bitset is in the bytes")
        + needle.len()
        - 1;
    for (byte, message) in [
        (0b1101, "padding bits of an action bitset are not zero"),
        (0, "an action bitset where ranges are as small"),
    ] {
        bytes[at] = byte;
        fix_checksum(&mut bytes);
        let err = Table::from_bytes(&bytes).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("invalid table: provenance: {message}")
        );
    }
}

#[test]
fn rejects_groups_that_expand_beyond_the_budget() {
    let grants = |n| {
        (0..n)
            .map(|_| Grant {
                step: 0,
                source: GrantSource::Group(0),
            })
            .collect::<Vec<_>>()
    };
    // 70,000 policy ids (280 kB) granted 20 times: 1.4 million ids to expand,
    // more than four per byte of the section.
    rejected(
        |p| {
            p.groups[0].policies = vec![0; 70_000];
            p.profiles[1].grants = grants(20);
        },
        "profiles grant groups of too many policies",
    );
    // Granted 3 times it is within the budget (and valid).
    let ok = Table::from_parts(with(|p| {
        p.groups[0].policies = vec![0; 70_000];
        p.profiles[1].grants = grants(3);
        p.profiles[1].evals.clear();
    }));
    assert!(ok.is_ok(), "{ok:?}");
}

#[test]
fn any_byte_of_the_section_changed_loads_or_fails_cleanly() {
    let full = Table::from_parts(with(|_| {})).unwrap().to_bytes();
    let plain_len = Table::from_parts(parts()).unwrap().byte_len();
    let request = Request::default();
    for at in plain_len..full.len() {
        for new in [0u8, 1, 0x7F, 0xFF, full[at] ^ 0x10] {
            let mut bytes = full.clone();
            bytes[at] = new;
            fix_checksum(&mut bytes);
            // Never a panic; a table that loads answers for every atom.
            if let Ok(table) = Table::from_bytes(&bytes) {
                let p = table.provenance().unwrap();
                for atom in 0..p.atoms.len() as u32 {
                    assert!(table.provenance_atom(atom, &request).is_some());
                }
                assert_eq!(Table::from_parts(table.to_parts()).unwrap(), table);
            }
        }
    }
}
