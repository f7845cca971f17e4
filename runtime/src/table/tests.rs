//! Tests of `Table`: building, round trips, lookups, checks, and the loader's
//! rejection of every kind of bad input.

mod api;
mod blocks;

use proptest::prelude::*;

use super::*;
use crate::parts::Lit;
use crate::wire::test_util::{fix_checksum, fix_header, frame_raw};
use crate::Assume;
use Cell::{Allow as A, Conditional as C, Deny as D, ImplicitDeny as I};

const MEETING: &str = "arn:aws:chime:us-east-1:111122223333:meeting/m1";
const APP_INSTANCE: &str = "arn:aws:chime:us-east-1:111122223333:app-instance/a1";

/// Four principals in three row classes, four actions in three column classes.
///
/// | row \ col     | ListUsers | Create/GetMeeting | DeleteAccount |
/// |---------------|-----------|-------------------|---------------|
/// | 0 alice       | allow     | cond 0            | deny          |
/// | 1 bob, s1     | implicit  | implicit          | implicit      |
/// | 2 Ops         | allow     | allow             | cond 1        |
fn sample_parts() -> TableParts {
    TableParts {
        catalog: "chime".into(),
        principals: vec![
            "user/alice".into(),
            "user/bob".into(),
            "role/Ops".into(),
            "assumed-role/Ops/s1".into(),
        ],
        principal_arns: vec![
            "arn:aws:iam::111122223333:user/alice".into(),
            String::new(),
            "arn:aws:iam::111122223333:role/Ops".into(),
            String::new(),
        ],
        actions: vec![
            "chime:ListUsers".into(),
            "chime:CreateMeeting".into(),
            "chime:DeleteAccount".into(),
            "chime:GetMeeting".into(),
        ],
        action_access: vec![
            AccessLevel::List,
            AccessLevel::Write,
            AccessLevel::Write,
            AccessLevel::Read,
        ],
        action_wildcard_only: vec![true, false, true, false],
        principal_row: vec![0, 1, 2, 1],
        action_col: vec![0, 1, 2, 1],
        n_rows: 3,
        n_cols: 3,
        cells: vec![A, C, D, I, I, I, A, A, C],
        atoms: vec![
            Atom::Resource {
                patterns: vec!["arn:aws:chime:*:111122223333:meeting/*".into()],
                not: false,
            },
            Atom::Resource {
                patterns: vec!["*".into()],
                not: false,
            },
        ],
        residuals: vec![
            // Allow on meetings only (SEMANTICS R2).
            Residual {
                deny: vec![],
                allow: vec![vec![vec![Lit {
                    atom: 0,
                    negated: false,
                }]]],
            },
            // Deny on meetings, allow otherwise.
            Residual {
                deny: vec![vec![Lit {
                    atom: 0,
                    negated: false,
                }]],
                allow: vec![vec![vec![Lit {
                    atom: 1,
                    negated: false,
                }]]],
            },
        ],
        // Deliberately unsorted: from_parts sorts.
        conditional: vec![(2, 2, 1), (0, 1, 0)],
        ..TableParts::default()
    }
}

fn sample() -> Table {
    Table::from_parts(sample_parts()).expect("sample parts are valid")
}

fn check(table: &Table, principal: &str, action: &str, expected: Decision) {
    assert_eq!(
        table.check(principal, action),
        Ok(expected),
        "{principal} {action}"
    );
}

fn check_resource(
    table: &Table,
    principal: &str,
    action: &str,
    resource: &str,
    expected: Decision,
) {
    let p = table.principal(principal).unwrap();
    let a = table.action(action).unwrap();
    let req = Request::new(resource);
    assert_eq!(
        table.check_with(p, a, &req),
        expected,
        "{principal} {action} {resource}"
    );
}

/// The load error of `bytes`, as its `Debug` kind and its message.
fn load_err(bytes: &[u8]) -> (String, String) {
    let err = Table::from_bytes(bytes).expect_err("bytes must be rejected");
    (format!("{:?}", err.kind()), err.to_string())
}

fn invalid(bytes: &[u8], needle: &str) {
    let (kind, msg) = load_err(bytes);
    assert!(kind.starts_with("Invalid"), "{kind}: {msg}");
    assert!(msg.contains(needle), "{msg:?} should mention {needle:?}");
}

fn parts_invalid(parts: TableParts, needle: &str) {
    let err = Table::from_parts(parts).expect_err("parts must be rejected");
    let msg = err.to_string();
    assert!(msg.contains(needle), "{msg:?} should mention {needle:?}");
}

// ---------------------------------------------------------------------------
// Round trips and determinism.

#[test]
fn round_trip_through_bytes() {
    let table = sample();
    let bytes = table.to_bytes();
    let loaded = Table::from_bytes(&bytes).unwrap();
    assert_eq!(loaded, table);
    assert_eq!(loaded.to_bytes(), bytes);
    assert_eq!(loaded.as_bytes(), bytes.as_slice());
    assert_eq!(loaded.byte_len(), bytes.len());
}

#[test]
fn same_parts_same_bytes() {
    assert_eq!(sample().to_bytes(), sample().to_bytes());
    // The order of the conditional list does not matter.
    let mut parts = sample_parts();
    parts.conditional.reverse();
    assert_eq!(Table::from_parts(parts).unwrap(), sample());
}

#[test]
fn to_parts_round_trip() {
    let table = sample();
    let mut expected = sample_parts();
    expected.conditional.sort_unstable();
    assert_eq!(table.to_parts(), expected);
    assert_eq!(Table::from_parts(table.to_parts()).unwrap(), table);
}

#[test]
fn empty_table() {
    let table = Table::from_parts(TableParts::default()).unwrap();
    assert_eq!(table.n_principals(), 0);
    assert_eq!(table.n_actions(), 0);
    assert_eq!(table.catalog(), "");
    assert_eq!(
        table.principal("user/alice"),
        Err(LookupError::UnknownPrincipal("user/alice".into()))
    );
    assert_eq!(table.cell(PrincipalId(0), ActionId(0)), Cell::Deny);
    assert_eq!(Table::from_bytes(&table.to_bytes()).unwrap(), table);
}

// ---------------------------------------------------------------------------
// Lookups.

#[test]
fn principals_match_exactly() {
    let table = sample();
    for (idx, name) in sample_parts().principals.iter().enumerate() {
        let id = table.principal(name).unwrap();
        assert_eq!(id, PrincipalId(idx as u32));
        assert_eq!(table.principal_name(id), name);
    }
    for name in ["User/alice", "user/alice ", "user/", "", "alice"] {
        assert_eq!(
            table.principal(name),
            Err(LookupError::UnknownPrincipal(name.into()))
        );
    }
}

#[test]
fn principal_arns_are_aliases() {
    let table = sample();
    let alice = table
        .principal("arn:aws:iam::111122223333:user/alice")
        .unwrap();
    assert_eq!(alice, table.principal("user/alice").unwrap());
    assert_eq!(
        table.principal_arn(alice),
        "arn:aws:iam::111122223333:user/alice"
    );
    let ops = table
        .principal("arn:aws:iam::111122223333:role/Ops")
        .unwrap();
    assert_eq!(table.principal_name(ops), "role/Ops");
    // ARNs match exactly; an unknown ARN is not an alias of anything.
    assert!(table
        .principal("arn:aws:iam::111122223333:user/Alice")
        .is_err());
    let bob = table.principal("user/bob").unwrap();
    assert_eq!(table.principal_arn(bob), "");
}

#[test]
fn actions_match_ascii_case_insensitively() {
    // SEMANTICS A3: action names are case-insensitive.
    let table = sample();
    let list = table.action("chime:ListUsers").unwrap();
    for name in ["chime:listusers", "CHIME:LISTUSERS", "Chime:ListUSERS"] {
        assert_eq!(table.action(name), Ok(list), "{name}");
    }
    assert_eq!(
        table.action_name(table.action("CHIME:getmeeting").unwrap()),
        "chime:GetMeeting"
    );
    for name in [
        "chime:ListUser",
        "chime:ListUsers ",
        "chime:*",
        "ListUsers",
        "",
    ] {
        assert_eq!(
            table.action(name),
            Err(LookupError::UnknownAction(name.into()))
        );
    }
}

#[test]
fn check_reports_unknown_names() {
    let table = sample();
    assert_eq!(
        table.check("user/nobody", "chime:ListUsers"),
        Err(LookupError::UnknownPrincipal("user/nobody".into()))
    );
    assert_eq!(
        table.check("user/alice", "chime:Nope"),
        Err(LookupError::UnknownAction("chime:Nope".into()))
    );
}

#[test]
fn many_names_are_all_found() {
    let n = 3000;
    let principals: Vec<String> = (0..n).map(|i| format!("user/u{i}")).collect();
    let actions: Vec<String> = (0..n).map(|i| format!("svc{}:Action{i}", i % 7)).collect();
    let parts = TableParts {
        catalog: "many".into(),
        principal_arns: principals
            .iter()
            .map(|p| format!("arn:aws:iam::1:{p}"))
            .collect(),
        principals: principals.clone(),
        actions: actions.clone(),
        action_access: vec![AccessLevel::Unknown; n],
        action_wildcard_only: vec![false; n],
        principal_row: vec![0; n],
        action_col: vec![0; n],
        n_rows: 1,
        n_cols: 1,
        cells: vec![A],
        ..TableParts::default()
    };
    let table = Table::from_parts(parts).unwrap();
    for (idx, name) in principals.iter().enumerate() {
        assert_eq!(table.principal(name), Ok(PrincipalId(idx as u32)));
        assert_eq!(
            table.principal(&format!("arn:aws:iam::1:{name}")),
            Ok(PrincipalId(idx as u32))
        );
    }
    for (idx, name) in actions.iter().enumerate() {
        assert_eq!(
            table.action(&name.to_ascii_uppercase()),
            Ok(ActionId(idx as u32))
        );
    }
    assert!(table.principal("user/u3000").is_err());
}

// ---------------------------------------------------------------------------
// Checks.

#[test]
fn check_each_cell_kind() {
    let table = sample();
    let id = |p: &str, a: &str| table.cell(table.principal(p).unwrap(), table.action(a).unwrap());
    assert_eq!(id("user/alice", "chime:ListUsers"), Cell::Allow);
    assert_eq!(id("user/alice", "chime:DeleteAccount"), Cell::Deny);
    assert_eq!(id("user/bob", "chime:ListUsers"), Cell::ImplicitDeny);
    assert_eq!(id("user/alice", "chime:CreateMeeting"), Cell::Conditional);
    assert_eq!(id("user/alice", "chime:GetMeeting"), Cell::Conditional);

    check(&table, "user/alice", "chime:ListUsers", Decision::Allow);
    check(&table, "user/alice", "chime:DeleteAccount", Decision::Deny);
    check(
        &table,
        "user/bob",
        "chime:DeleteAccount",
        Decision::ImplicitDeny,
    );
    check(
        &table,
        "assumed-role/Ops/s1",
        "chime:ListUsers",
        Decision::ImplicitDeny,
    );
    check(&table, "role/Ops", "chime:CreateMeeting", Decision::Allow);
    check(
        &table,
        "arn:aws:iam::111122223333:role/Ops",
        "CHIME:LISTUSERS",
        Decision::Allow,
    );
}

#[test]
fn conditional_cells_evaluate_resource_atoms() {
    let table = sample();
    // Residual 0: allow on meeting ARNs only; `check` uses the resource "*" (R7).
    check(
        &table,
        "user/alice",
        "chime:CreateMeeting",
        Decision::ImplicitDeny,
    );
    check_resource(
        &table,
        "user/alice",
        "chime:CreateMeeting",
        MEETING,
        Decision::Allow,
    );
    check_resource(
        &table,
        "user/alice",
        "chime:GetMeeting",
        MEETING,
        Decision::Allow,
    );
    check_resource(
        &table,
        "user/alice",
        "chime:CreateMeeting",
        APP_INSTANCE,
        Decision::ImplicitDeny,
    );
    check_resource(
        &table,
        "user/alice",
        "chime:CreateMeeting",
        "*",
        Decision::ImplicitDeny,
    );
    // Residual 1: a resource-scoped deny (R7: a resource-less check does not see it).
    check(&table, "role/Ops", "chime:DeleteAccount", Decision::Allow);
    check_resource(
        &table,
        "role/Ops",
        "chime:DeleteAccount",
        MEETING,
        Decision::Deny,
    );
    check_resource(
        &table,
        "role/Ops",
        "chime:DeleteAccount",
        APP_INSTANCE,
        Decision::Allow,
    );
    // Unconditional cells ignore the request.
    check_resource(
        &table,
        "user/alice",
        "chime:ListUsers",
        MEETING,
        Decision::Allow,
    );
    check_resource(
        &table,
        "user/alice",
        "chime:DeleteAccount",
        "*",
        Decision::Deny,
    );
}

#[test]
fn out_of_range_ids_fail_closed() {
    let table = sample();
    let (p, a) = (PrincipalId(0), ActionId(0));
    for (p, a) in [
        (PrincipalId(4), a),
        (p, ActionId(4)),
        (PrincipalId(u32::MAX), ActionId(u32::MAX)),
    ] {
        assert_eq!(table.cell(p, a), Cell::Deny);
        assert_eq!(table.check_with(p, a, &Request::default()), Decision::Deny);
    }
    assert_eq!(table.principal_name(PrincipalId(4)), "");
    assert_eq!(table.principal_arn(PrincipalId(99)), "");
    assert_eq!(table.action_name(ActionId(4)), "");
    assert_eq!(table.action_access(ActionId(4)), AccessLevel::Unknown);
    assert!(!table.action_wildcard_only(ActionId(4)));
    assert_eq!(table.row_class(PrincipalId(4)), u32::MAX);
    assert_eq!(table.col_class(ActionId(4)), u32::MAX);
    assert_eq!(table.class_cell(3, 0), Cell::Deny);
    assert_eq!(table.class_cell(0, 3), Cell::Deny);
    assert_eq!(table.residual_of(1, 1), None);
}

#[test]
fn introspection() {
    let table = sample();
    assert_eq!(table.catalog(), "chime");
    assert_eq!(table.format_version(), crate::FORMAT_VERSION);
    assert_eq!((table.n_principals(), table.n_actions()), (4, 4));
    assert_eq!((table.n_row_classes(), table.n_col_classes()), (3, 3));
    assert_eq!(table.n_conditional_cells(), 2);
    assert_eq!(table.n_residuals(), 2);
    assert_eq!(table.atoms().len(), 2);
    assert_eq!(table.residual_of(0, 1), Some(&sample_parts().residuals[0]));
    assert_eq!(table.residual_of(2, 2), Some(&sample_parts().residuals[1]));
    assert_eq!(
        table.conditional_cells().collect::<Vec<_>>(),
        vec![(0, 1, 0), (2, 2, 1)]
    );
    let ids: Vec<_> = table.principals().collect();
    assert_eq!(ids, (0..4).map(PrincipalId).collect::<Vec<_>>());
    assert_eq!(table.actions().len(), 4);
    let get_meeting = table.action("chime:GetMeeting").unwrap();
    assert_eq!(table.action_access(get_meeting), AccessLevel::Read);
    assert!(!table.action_wildcard_only(get_meeting));
    assert!(table.action_wildcard_only(table.action("chime:ListUsers").unwrap()));
    assert_eq!(table.row_class(PrincipalId(3)), 1);
    assert_eq!(table.col_class(get_meeting), 1);
    assert_eq!(table.class_cell(2, 2), Cell::Conditional);
    let debug = format!("{table:?}");
    assert!(
        debug.contains("catalog: \"chime\"") && debug.len() < 400,
        "{debug}"
    );
}

#[test]
fn table_is_send_sync_clone() {
    fn assert_traits<T: Send + Sync + Clone + PartialEq + fmt::Debug>() {}
    assert_traits::<Table>();
    let table = sample();
    assert_eq!(table.clone(), table);
}

#[test]
fn open_reads_files_and_reports_io_errors() {
    let dir = std::env::temp_dir().join(format!("verdict-runtime-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sample.vt");
    std::fs::write(&path, sample().to_bytes()).unwrap();
    assert_eq!(Table::open(&path).unwrap(), sample());
    let err = Table::open(dir.join("missing.vt")).unwrap_err();
    assert!(err.to_string().starts_with("cannot read table `"), "{err}");
    assert!(err.to_string().contains("missing.vt"), "{err}");
    std::fs::write(&path, b"VERDICT\0").unwrap();
    assert!(Table::open(&path)
        .unwrap_err()
        .to_string()
        .contains("truncated"));
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// The loader rejects corrupted bytes.

#[test]
fn rejects_every_truncation() {
    let bytes = sample().to_bytes();
    for len in 0..bytes.len() {
        assert!(
            Table::from_bytes(&bytes[..len]).is_err(),
            "prefix of {len} bytes accepted"
        );
    }
}

#[test]
fn rejects_every_single_byte_change() {
    let bytes = sample().to_bytes();
    let mut copy = bytes.clone();
    for pos in 0..bytes.len() {
        for mask in [0x01, 0xFF] {
            copy[pos] ^= mask;
            assert!(
                Table::from_bytes(&copy).is_err(),
                "byte {pos} ^ {mask:#x} accepted"
            );
            copy[pos] ^= mask;
        }
    }
    assert_eq!(copy, bytes);
}

#[test]
fn rejects_bad_headers() {
    let bytes = sample().to_bytes();

    let mut magic = bytes.clone();
    magic[..8].copy_from_slice(b"VERDICT2");
    assert_eq!(load_err(&magic).0, "BadMagic");

    // Version 1 tables (resource atoms only), version 2 tables (no fixed keys)
    // and version 3 tables (a dense grid) are not read: recompile them.
    for version in [1u32, 2, 3] {
        let mut old = bytes.clone();
        old[12..16].copy_from_slice(&version.to_le_bytes());
        fix_checksum(&mut old);
        let (kind, msg) = load_err(&old);
        assert!(kind.starts_with("UnsupportedVersion"), "{kind}");
        assert_eq!(
            msg,
            format!(
                "table format version {version} is not supported (this build reads \
                 version 4); recompile the table"
            )
        );
    }

    let mut future = bytes.clone();
    future[12..16].copy_from_slice(&5u32.to_le_bytes());
    fix_checksum(&mut future);
    let (kind, msg) = load_err(&future);
    assert!(kind.starts_with("UnsupportedVersion"), "{kind}");
    assert!(msg.contains("this build reads version 4"), "{msg}");

    let mut big_endian = bytes.clone();
    big_endian[8..12].copy_from_slice(&[1, 2, 3, 4]);
    fix_checksum(&mut big_endian);
    let (kind, msg) = load_err(&big_endian);
    assert!(kind.starts_with("WrongEndianness"), "{kind}");
    assert!(msg.contains("big-endian"), "{msg}");

    let mut trailing = bytes.clone();
    trailing.extend_from_slice(b"junk");
    assert!(load_err(&trailing).0.starts_with("BodyLengthMismatch"));

    // Trailing bytes counted in the body: bincode rejects them.
    let mut inside = bytes.clone();
    inside.extend_from_slice(b"junk");
    fix_header(&mut inside);
    assert!(load_err(&inside).0.starts_with("Decode"));
}

/// Tampers with the bytes of one blob of the sample table, fixes the checksum and
/// returns the result.
fn tamper(region: impl Fn(&Table) -> Region, edit: impl FnOnce(&mut [u8])) -> Vec<u8> {
    tamper_table(&sample(), region, edit)
}

/// Like [`tamper`], for any table.
fn tamper_table(
    table: &Table,
    region: impl Fn(&Table) -> Region,
    edit: impl FnOnce(&mut [u8]),
) -> Vec<u8> {
    let region = region(table);
    let mut bytes = table.to_bytes();
    edit(&mut bytes[region.start..region.end]);
    fix_checksum(&mut bytes);
    bytes
}

#[test]
fn rejects_row_and_column_classes_out_of_range() {
    let bytes = tamper(
        |t| t.principal_row,
        |blob| blob[4..8].copy_from_slice(&3u32.to_le_bytes()),
    );
    invalid(
        &bytes,
        "principal 1 has row class 3, but the table has 3 row classes",
    );
    let bytes = tamper(|t| t.action_col, |blob| blob[12] = 0xFF);
    invalid(&bytes, "action 3 has column class");
}

#[test]
fn rejects_bad_utf8_names() {
    let bytes = tamper(|t| t.principal_names.blob, |blob| blob[0] = 0xFF);
    invalid(&bytes, "principal names are not valid utf-8");
    let bytes = tamper(|t| t.action_names.blob, |blob| blob[2] = 0xC3);
    invalid(&bytes, "action names are not valid utf-8");
}

#[test]
fn rejects_offsets_inside_characters_or_out_of_order() {
    let mut parts = sample_parts();
    parts.principals[0] = "user/élise".into();
    let table = Table::from_parts(parts).unwrap();
    let mut bytes = table.to_bytes();
    // Offset 1 points into the two-byte `é` (end of "user/é" minus one).
    let offsets = table.principal_names.offsets;
    bytes[offsets.start + 4..offsets.start + 8].copy_from_slice(&6u32.to_le_bytes());
    fix_checksum(&mut bytes);
    invalid(&bytes, "inside a character");

    // Out of bounds (the names blob has 69 bytes), then out of order (40 > 34).
    let bytes = tamper(
        |t| t.action_names.offsets,
        |blob| blob[4..8].copy_from_slice(&200u32.to_le_bytes()),
    );
    invalid(&bytes, "action offset 1 (200)");
    let bytes = tamper(
        |t| t.action_names.offsets,
        |blob| blob[4..8].copy_from_slice(&40u32.to_le_bytes()),
    );
    invalid(&bytes, "action offset 2 (34)");
    let bytes = tamper(|t| t.action_names.offsets, |blob| blob[0] = 1);
    invalid(&bytes, "do not start at 0");
}

#[test]
fn rejects_nonzero_padding_bits() {
    // Three columns: the top two bits of each row byte are padding.
    let bytes = tamper(|t| t.grid.blocks, |blob| blob[1] |= 0b1000_0000);
    invalid(&bytes, "padding bits of cell row 1 are not zero");
}

#[test]
fn rejects_bad_access_levels_and_flags() {
    let bytes = tamper(|t| t.action_access, |blob| blob[1] = 6);
    invalid(&bytes, "action 1 has invalid access level 6");
    // Four actions: the top four bits of the one flag byte are padding.
    let bytes = tamper(|t| t.action_wildcard_only, |blob| blob[0] |= 0x10);
    invalid(
        &bytes,
        "padding bits of the wildcard-only flags are not zero",
    );
}

#[test]
fn rejects_cells_that_disagree_with_the_conditional_list() {
    // Row 1 becomes [conditional, ...] without an entry.
    let bytes = tamper(|t| t.grid.blocks, |blob| blob[1] |= 0b11);
    invalid(&bytes, "conditional entries for 3 conditional cells");
    // Cell (0, 1) stops being conditional: same count only if another one appears.
    let bytes = tamper(
        |t| t.grid.blocks,
        |blob| {
            blob[0] = (blob[0] & !0b1100) | 0b0100; // (0,1) = allow
            blob[1] |= 0b11; // (1,0) = conditional
        },
    );
    invalid(&bytes, "conditional entry (0, 1) is not a conditional cell");
}

#[test]
fn conditional_cells_are_counted_across_the_whole_grid() {
    // 5 rows of 37 columns: a 50-byte grid, so the count goes through whole 8-byte
    // words and a 2-byte remainder.
    let (n_rows, n_cols) = (5u32, 37u32);
    let mut cells = vec![A; (n_rows * n_cols) as usize];
    let mut conditional = Vec::new();
    for (row, col) in [(0, 0), (0, 3), (1, 36), (2, 17), (4, 31), (4, 36)] {
        cells[(row * n_cols + col) as usize] = C;
        conditional.push((row, col, 0));
    }
    let parts = TableParts {
        principals: vec!["p".into()],
        principal_arns: vec![String::new()],
        principal_row: vec![0],
        n_rows,
        n_cols,
        cells,
        atoms: sample_parts().atoms,
        residuals: sample_parts().residuals,
        conditional,
        ..TableParts::default()
    };
    let table = Table::from_parts(parts).unwrap();
    assert_eq!(table.n_conditional_cells(), 6);
    // One more conditional cell in a whole word (byte 1), then in the remainder
    // (byte 48, column 32 of the last row): one entry short.
    for byte in [1, 48] {
        let bytes = tamper_table(&table, |t| t.grid.blocks, |grid| grid[byte] |= 0b11);
        invalid(
            &bytes,
            "72 bytes of conditional entries for 7 conditional cells",
        );
    }
}

#[test]
fn rejects_bad_conditional_entries() {
    // Entry 1 (2, 2) becomes (0, 1): a duplicate.
    let bytes = tamper(
        |t| t.conditional,
        |blob| {
            blob[12..16].copy_from_slice(&0u32.to_le_bytes());
            blob[16..20].copy_from_slice(&1u32.to_le_bytes());
        },
    );
    invalid(
        &bytes,
        "conditional entry (0, 1) is a duplicate or out of order",
    );
    let bytes = tamper(|t| t.conditional, |blob| blob[8] = 2);
    invalid(&bytes, "refers to residual 2, but the table has 2");
}

// ---------------------------------------------------------------------------
// The assume-role graph (SEMANTICS G3, G4, T6).

/// `aws:MultiFactorAuthPresent` is `true`.
fn mfa_atom() -> Atom {
    Atom::Condition(crate::parts::Condition {
        set: crate::parts::SetOp::None,
        op: crate::parts::Operator::Bool,
        if_exists: false,
        key: "aws:multifactorauthpresent".into(),
        fixed: None,
        values: vec!["true".into()],
    })
}

/// A user and four roles with one action, `svc:Act`, allowed to `role/D` only:
/// `a → A → B → A` (a cycle), `B → C` with MFA, `C → D`, `a → C` with MFA.
fn graph_parts() -> TableParts {
    let names = ["user/a", "role/A", "role/B", "role/C", "role/D"];
    TableParts {
        catalog: "graph".into(),
        principals: names.iter().map(|n| n.to_string()).collect(),
        principal_arns: names
            .iter()
            .map(|n| format!("arn:aws:iam::111122223333:{n}"))
            .collect(),
        actions: vec!["svc:Act".into()],
        action_access: vec![AccessLevel::Write],
        action_wildcard_only: vec![true],
        principal_row: vec![0, 0, 0, 0, 1],
        action_col: vec![0],
        n_rows: 2,
        n_cols: 1,
        cells: vec![I, A],
        atoms: vec![mfa_atom()],
        residuals: vec![Residual {
            deny: vec![],
            allow: vec![vec![vec![Lit {
                atom: 0,
                negated: false,
            }]]],
        }],
        conditional: vec![],
        // Deliberately unsorted: from_parts sorts.
        trust_edges: vec![
            (3, 4, None),
            (0, 1, None),
            (2, 1, None),
            (1, 2, None),
            (2, 3, Some(0)),
            (0, 3, Some(0)),
        ],
        ..TableParts::default()
    }
}

fn ids(table: &Table, names: &[&str]) -> Vec<PrincipalId> {
    names.iter().map(|n| table.principal(n).unwrap()).collect()
}

#[test]
fn trust_edges_round_trip_sorted() {
    let table = Table::from_parts(graph_parts()).unwrap();
    assert_eq!(table.n_trust_edges(), 6);
    let mut expected = graph_parts();
    expected.trust_edges.sort_unstable();
    assert_eq!(table.to_parts(), expected);
    let mut shuffled = graph_parts();
    shuffled.trust_edges.reverse();
    assert_eq!(Table::from_parts(shuffled).unwrap(), table);
    assert_eq!(Table::from_bytes(&table.to_bytes()).unwrap(), table);
    let edges: Vec<TrustEdge> = table.trust_edges().collect();
    assert_eq!(
        edges[0],
        TrustEdge {
            from: PrincipalId(0),
            to: PrincipalId(1),
            residual: None
        }
    );
    assert_eq!(edges[1].residual, Some(0));
    assert!(format!("{table:?}").contains("n_trust_edges: 6"));
}

#[test]
fn trust_edges_from_and_to() {
    let table = Table::from_parts(graph_parts()).unwrap();
    let [a, ra, rb, rc, rd] = ids(&table, &["user/a", "role/A", "role/B", "role/C", "role/D"])[..]
    else {
        unreachable!()
    };
    let mfa = &table.residuals()[0];
    let from_a: Vec<_> = table.trust_edges_from(a).collect();
    assert_eq!(from_a, vec![(ra, None), (rc, Some(mfa))]);
    assert_eq!(table.trust_edges_from(rd).count(), 0);
    let into_c: Vec<_> = table.trust_edges_to(rc).collect();
    assert_eq!(into_c, vec![(a, Some(mfa)), (rb, Some(mfa))]);
    let into_a: Vec<_> = table.trust_edges_to(ra).map(|(p, _)| p).collect();
    assert_eq!(into_a, vec![a, rb]);
    // Out of range: nothing, no panic.
    assert_eq!(table.trust_edges_from(PrincipalId(99)).count(), 0);

    let none = Context::new();
    let with_mfa = Context::new().with("aws:MultiFactorAuthPresent", "true");
    assert_eq!(table.assume(a, ra, &none), Decision::Allow);
    assert_eq!(table.assume(a, rc, &none), Decision::ImplicitDeny);
    assert_eq!(table.assume(a, rc, &with_mfa), Decision::Allow);
    assert_eq!(table.assume(a, rd, &with_mfa), Decision::ImplicitDeny);
}

#[test]
fn reachability_follows_chains_and_survives_cycles() {
    let table = Table::from_parts(graph_parts()).unwrap();
    let [a, ra, rb, rc, rd] = ids(&table, &["user/a", "role/A", "role/B", "role/C", "role/D"])[..]
    else {
        unreachable!()
    };
    // Unconditional edges only: a, A, B (the cycle A → B → A is visited once).
    let always = table.reachable(a, Assume::Always);
    assert_eq!(always.iter().collect::<Vec<_>>(), vec![a, ra, rb]);
    assert_eq!(always.chain(rb), Some(vec![a, ra, rb]));
    assert_eq!(always.chain(a), Some(vec![a]));
    assert_eq!(always.chain(rd), None);
    assert!(!always.contains(rc));
    assert_eq!(always.start(), Some(a));
    // Conditional edges as possible: the shortest chain to D goes a → C → D.
    let possibly = table.reachable(a, Assume::Possibly);
    assert_eq!(possibly.len(), 5);
    assert_eq!(possibly.chain(rd), Some(vec![a, rc, rd]));
    // With a context: the MFA edges hold or not.
    let none = Context::new();
    assert_eq!(table.reachable(a, Assume::With(&none)).len(), 3);
    let with_mfa = Context::new().with("aws:MultiFactorAuthPresent", "true");
    let reached = table.reachable(a, Assume::With(&with_mfa));
    assert_eq!(reached.chain(rd), Some(vec![a, rc, rd]));
    // From inside the cycle.
    assert_eq!(
        table
            .reachable(rb, Assume::Always)
            .iter()
            .collect::<Vec<_>>(),
        vec![rb, ra]
    );
}

#[test]
fn reaching_searches_backwards_from_every_target() {
    let table = Table::from_parts(graph_parts()).unwrap();
    let [a, ra, rb, rc, rd] = ids(&table, &["user/a", "role/A", "role/B", "role/C", "role/D"])[..]
    else {
        unreachable!()
    };
    let always = table.reaching([rd], Assume::Always);
    assert_eq!(always.iter().collect::<Vec<_>>(), vec![rd, rc]);
    assert_eq!(always.chain(rc), Some(vec![rc, rd]));
    assert_eq!(always.chain(a), None);
    let possibly = table.reaching([rd, rd], Assume::Possibly);
    assert_eq!(possibly.chain(a), Some(vec![a, rc, rd]));
    assert_eq!(possibly.chain(ra), Some(vec![ra, rb, rc, rd]));
    assert_eq!(possibly.chain(rd), Some(vec![rd]));
    assert!(possibly.contains(rb));
    // Several targets: the nearest wins.
    let both = table.reaching([rb, rd], Assume::Always);
    assert_eq!(both.chain(a), Some(vec![a, ra, rb]));
}

#[test]
fn rejects_bad_trust_edges() {
    // Through parts: residual out of range, duplicate pair.
    let mut parts = graph_parts();
    parts.trust_edges.push((4, 0, Some(1)));
    parts_invalid(
        parts,
        "trust edge (4, 0) refers to residual 1, but the table has 1",
    );
    let mut parts = graph_parts();
    parts.trust_edges.push((0, 1, Some(0)));
    parts_invalid(
        parts,
        "trust edge `user/a` → `role/A` is a duplicate or out of order",
    );
    // Through bytes (sorted edges: a→A, a→C, A→B, B→A, B→C, C→D).
    let table = Table::from_parts(graph_parts()).unwrap();
    let bytes = tamper_table(&table, |t| t.trust_edges, |blob| blob[4] = 5);
    invalid(
        &bytes,
        "trust edge (0, 5) refers to a principal out of range, but the table has 5",
    );
    let bytes = tamper_table(&table, |t| t.trust_edges, |blob| blob[16] = 0);
    invalid(
        &bytes,
        "trust edge `user/a` → `user/a` is a duplicate or out of order",
    );
    let bytes = tamper_table(&table, |t| t.trust_edges, |blob| blob[16] = 1);
    invalid(
        &bytes,
        "trust edge `user/a` → `role/A` is a duplicate or out of order",
    );
    let bytes = tamper_table(&table, |t| t.trust_edges, |blob| blob[20] = 7);
    invalid(
        &bytes,
        "trust edge `user/a` → `role/C` refers to residual 7, but the table has 1",
    );
    // The unconditional mark is u32::MAX exactly.
    let bytes = tamper_table(&table, |t| t.trust_edges, |blob| blob[8] = 0xFE);
    invalid(&bytes, "refers to residual");
}

/// The positions of the occupied slots of an index.
fn occupied_slots(slots: &[u8]) -> Vec<usize> {
    (0..slots.len() / hash::SLOT_LEN)
        .filter(|&i| hash::slot_at(slots, i) != Some(hash::EMPTY_SLOT))
        .collect()
}

/// The byte range of slot `pos`.
fn slot_bytes(pos: usize) -> std::ops::Range<usize> {
    pos * hash::SLOT_LEN..(pos + 1) * hash::SLOT_LEN
}

#[test]
fn rejects_index_slots_out_of_range_or_missing() {
    let table = sample();
    let occupied = occupied_slots(table.principal_index.of(table.as_bytes()))[0];
    let bytes = tamper(
        |t| t.principal_index,
        |blob| blob[occupied * 8..occupied * 8 + 4].copy_from_slice(&7u32.to_le_bytes()),
    );
    invalid(
        &bytes,
        "principal index refers to principal 7, out of range",
    );
    // Dropping an entry (id and tag) leaves its name unreachable... and the count short.
    let bytes = tamper(
        |t| t.action_index,
        |blob| {
            let pos = occupied_slots(blob)[0];
            blob[slot_bytes(pos)].copy_from_slice(&hash::EMPTY_SLOT.to_le_bytes());
        },
    );
    invalid(&bytes, "action index has 3 entries, expected 4");
    // Emptying only the id leaves a tag on an empty slot: not the one encoding.
    let bytes = tamper(
        |t| t.action_index,
        |blob| {
            let pos = occupied_slots(blob)[0];
            blob[pos * 8..pos * 8 + 4].fill(0xFF);
        },
    );
    invalid(&bytes, "action index slot");
    invalid(&bytes, "is empty but has tag");
}

#[test]
fn rejects_empty_slots_with_a_tag() {
    let table = sample();
    let slots = table.principal_arn_index.of(table.as_bytes());
    let empty = (0..slots.len() / 8)
        .find(|&i| hash::slot_at(slots, i) == Some(hash::EMPTY_SLOT))
        .unwrap();
    let bytes = tamper(|t| t.principal_arn_index, |blob| blob[empty * 8 + 4] = 1);
    invalid(
        &bytes,
        &format!("principal arn index slot {empty} is empty but has tag 0x1"),
    );
}

#[test]
fn rejects_slots_whose_tag_is_not_their_names_tag() {
    // Flipping one tag bit of every occupied slot, one at a time: the slot is still
    // reachable, but with a wrong tag a lookup would pass over it.
    let table = sample();
    for (index, what) in [
        (
            (|t: &Table| t.principal_index) as fn(&Table) -> Region,
            "principal",
        ),
        (|t: &Table| t.principal_arn_index, "principal arn"),
        (|t: &Table| t.action_index, "action"),
    ] {
        for pos in occupied_slots(index(&table).of(table.as_bytes())) {
            for bit in [0, 31] {
                let bytes = tamper(index, |blob| {
                    let tag_at = pos * 8 + 4;
                    let mut tag = u32::from_le_bytes(blob[tag_at..tag_at + 4].try_into().unwrap());
                    tag ^= 1 << bit;
                    blob[tag_at..tag_at + 4].copy_from_slice(&tag.to_le_bytes());
                });
                invalid(&bytes, &format!("in the {what} index, expected 0x"));
            }
        }
    }
}

/// Two principal names with the same tag and the same home slot in a 2-slot index
/// (a 33-bit collision: about 2^16.5 names to try).
fn tag_collision() -> (String, String) {
    let mut seen = std::collections::HashMap::new();
    for i in 0u32.. {
        let name = format!("user/t{i}");
        let hash = hash::hash_exact(name.as_bytes());
        let key = (hash::tag(hash), hash::home_slot(hash, 2));
        if let Some(other) = seen.insert(key, name.clone()) {
            return (other, name);
        }
    }
    unreachable!("u32 names run out before a 33-bit collision")
}

#[test]
fn equal_tags_do_not_make_equal_names() {
    let (a, b) = tag_collision();
    let parts = |names: Vec<String>| TableParts {
        principal_arns: vec![String::new(); names.len()],
        principal_row: vec![0; names.len()],
        principals: names,
        n_rows: 1,
        ..TableParts::default()
    };
    // Probing for `b` meets `a`'s slot first, with an equal tag: the name decides.
    let table = Table::from_parts(parts(vec![a.clone()])).unwrap();
    assert_eq!(table.principal(&a), Ok(PrincipalId(0)));
    assert_eq!(
        table.principal(&b),
        Err(LookupError::UnknownPrincipal(b.clone()))
    );
    // Both in one index: equal tags, different names, not duplicates.
    let table = Table::from_parts(parts(vec![a.clone(), b.clone()])).unwrap();
    assert_eq!(table.principal(&a), Ok(PrincipalId(0)));
    assert_eq!(table.principal(&b), Ok(PrincipalId(1)));
}

#[test]
fn rejects_swapped_index_slots() {
    // Two occupied slots exchanged: counts are right, but (unless both names share a
    // home slot) some name is no longer reachable from its home slot.
    let table = sample();
    let occupied = occupied_slots(table.action_index.of(table.as_bytes()));
    let (first, last) = (occupied[0], occupied[occupied.len() - 1]);
    let bytes = tamper(
        |t| t.action_index,
        |blob| {
            let (a, b) = (
                blob[slot_bytes(first)].to_vec(),
                blob[slot_bytes(last)].to_vec(),
            );
            blob[slot_bytes(first)].copy_from_slice(&b);
            blob[slot_bytes(last)].copy_from_slice(&a);
        },
    );
    invalid(&bytes, "is not reachable through the action index");
}

#[test]
fn rejects_duplicate_names_after_tampering() {
    // The index was built for "user/a1" and "user/a2"; renaming the second to
    // "user/a1" puts the first on its probe path.
    let parts = TableParts {
        principals: vec!["user/a1".into(), "user/a2".into()],
        principal_arns: vec![String::new(), String::new()],
        principal_row: vec![0, 0],
        n_rows: 1,
        ..TableParts::default()
    };
    let table = Table::from_parts(parts).unwrap();
    let bytes = tamper_table(&table, |t| t.principal_names.blob, |blob| blob[13] = b'1');
    invalid(&bytes, "duplicate principal `user/a1`");
}

#[test]
fn rejects_names_moved_away_from_their_home_slot() {
    // Renaming role/Ops to role/Opx (a new name) leaves it in the slot of the old one.
    // The hash is fixed by the format, so which check fires is deterministic.
    let bytes = tamper(
        |t| t.principal_names.blob,
        |blob| {
            let pos = blob.windows(8).position(|w| w == b"role/Ops").unwrap();
            blob[pos + 7] = b'x';
        },
    );
    invalid(
        &bytes,
        "principal `role/Opx` is not reachable through the principal index",
    );
}

#[test]
fn rejects_indexes_too_clustered_to_validate_in_linear_time() {
    // 300 names that all hash to slot 0 of the 1024-slot index: probing them costs
    // 300 * 299 / 2 steps, far over the budget of 16 per name + 4096. (Honest names
    // hash uniformly; this costs about 300,000 hash evaluations to find.)
    let names: Vec<String> = (0u32..)
        .map(|i| format!("user/c{i}"))
        .filter(|name| hash::home_slot(hash::hash_exact(name.as_bytes()), 1024) == 0)
        .take(300)
        .collect();
    let parts = TableParts {
        principal_arns: vec![String::new(); names.len()],
        principal_row: vec![0; names.len()],
        principals: names,
        n_rows: 1,
        ..TableParts::default()
    };
    parts_invalid(parts, "principal index is too clustered");
}

#[test]
fn condition_atoms_load_and_dangling_literals_do_not() {
    // Format version 2: condition atoms are valid.
    let mut parts = sample_parts();
    parts.atoms.push(Atom::Condition(crate::parts::Condition {
        set: crate::parts::SetOp::None,
        op: crate::parts::Operator::Bool,
        if_exists: false,
        key: "aws:securetransport".into(),
        fixed: None,
        values: vec!["true".into()],
    }));
    // Format version 3: and so are those whose key the model fixes.
    parts.atoms.push(Atom::Condition(crate::parts::Condition {
        set: crate::parts::SetOp::ForAnyValue,
        op: crate::parts::Operator::StringLike,
        if_exists: true,
        key: "aws:principalaccount".into(),
        fixed: Some("111122223333".into()),
        values: vec![crate::parts::Template(vec![crate::parts::Part::Var {
            key: "aws:resourceaccount".into(),
            default: Some("*".into()),
        }])],
    }));
    let table = Table::from_parts(parts.clone()).unwrap();
    parts.conditional.sort_unstable();
    assert_eq!(table.to_parts(), parts);
    let reloaded = Table::from_bytes(&table.to_bytes()).unwrap();
    assert_eq!(reloaded.to_parts(), parts);

    let mut parts = sample_parts();
    parts.residuals[1].allow[0][0][0].atom = 5;
    parts_invalid(parts, "residual 1 refers to atom 5, but the table has 2");
}

#[test]
fn malformed_atoms_are_load_errors() {
    // SEMANTICS C2, C-VAR-1, C9-C13: checked once at load, so checks stay total.
    let cond = |op, if_exists, values: Vec<crate::parts::Template>| {
        Atom::Condition(crate::parts::Condition {
            set: crate::parts::SetOp::None,
            op,
            if_exists,
            key: "k".into(),
            fixed: None,
            values,
        })
    };
    let var = crate::parts::Template(vec![crate::parts::Part::Var {
        key: "aws:username".into(),
        default: None,
    }]);
    let fixed = |atom: Atom| match atom {
        Atom::Condition(c) => Atom::Condition(crate::parts::Condition {
            fixed: Some("111122223333".into()),
            ..c
        }),
        other => other,
    };
    let cases = [
        (
            cond(crate::parts::Operator::Null, true, vec!["true".into()]),
            "invalid table: atom 2: `Null` cannot take `IfExists`",
        ),
        (
            cond(crate::parts::Operator::NumericEquals, false, vec![var]),
            "invalid table: atom 2: `NumericEquals` values cannot contain variables",
        ),
        (
            cond(
                crate::parts::Operator::IpAddress,
                false,
                vec!["10.0.0.0/33".into()],
            ),
            "invalid table: atom 2: `10.0.0.0/33` is not an IPv4 or IPv6 network \
             (prefix length out of range)",
        ),
        (
            cond(
                crate::parts::Operator::DateEquals,
                false,
                vec!["2030-01-01T24:00".into()],
            ),
            "invalid table: atom 2: `2030-01-01T24:00` is not a date (hour out of range)",
        ),
        // Format version 3: a fixed key needs a value with a request-key variable
        // and an operator that takes variables.
        (
            fixed(cond(
                crate::parts::Operator::StringEquals,
                false,
                vec!["a".into()],
            )),
            "invalid table: atom 2: a fixed key needs a value with a request-key variable",
        ),
        (
            fixed(cond(
                crate::parts::Operator::Null,
                false,
                vec!["true".into()],
            )),
            "invalid table: atom 2: `Null` cannot compare a fixed key",
        ),
    ];
    for (atom, expected) in cases {
        let mut parts = sample_parts();
        parts.atoms.push(atom);
        let err = Table::from_parts(parts).expect_err("malformed atom");
        assert!(format!("{:?}", err.kind()).starts_with("Invalid"));
        assert_eq!(err.to_string(), expected);
    }
}

#[test]
fn random_bodies_after_a_valid_header_are_rejected_without_panic() {
    // A few handcrafted bodies; proptest below covers random ones.
    for body in [&[][..], &[0; 8], &[0xFF; 64], &[0; 200]] {
        assert!(Table::from_bytes(&frame_raw(body)).is_err());
    }
}

// ---------------------------------------------------------------------------
// from_parts rejects invalid parts.

#[test]
fn from_parts_rejects_length_mismatches() {
    let mut parts = sample_parts();
    parts.principal_arns.pop();
    parts_invalid(parts, "3 principal arns for 4 principals");
    let mut parts = sample_parts();
    parts.principal_row.push(0);
    parts_invalid(parts, "5 principal rows for 4 principals");
    let mut parts = sample_parts();
    parts.action_access.pop();
    parts_invalid(parts, "3 access levels for 4 actions");
    let mut parts = sample_parts();
    parts.action_wildcard_only.clear();
    parts_invalid(parts, "0 wildcard-only flags for 4 actions");
    let mut parts = sample_parts();
    parts.action_col.pop();
    parts_invalid(parts, "3 action columns for 4 actions");
    let mut parts = sample_parts();
    parts.cells.pop();
    parts_invalid(parts, "8 cells for 3 row classes and 3 column classes");
}

#[test]
fn from_parts_rejects_duplicate_names() {
    let mut parts = sample_parts();
    parts.principals[3] = "user/bob".into();
    parts_invalid(parts, "duplicate principal `user/bob`");

    let mut parts = sample_parts();
    parts.actions[3] = "CHIME:listusers".into();
    parts_invalid(parts, "duplicate action `");
    let mut parts = sample_parts();
    parts.actions[3] = "CHIME:listusers".into();
    parts_invalid(parts, "(action names are case-insensitive)");

    let mut parts = sample_parts();
    parts.principal_arns[3] = parts.principal_arns[0].clone();
    parts_invalid(
        parts,
        "duplicate principal arn `arn:aws:iam::111122223333:user/alice`",
    );

    // An ARN that is another principal's id would make lookups ambiguous.
    let mut parts = sample_parts();
    parts.principal_arns[1] = "role/Ops".into();
    parts_invalid(
        parts,
        "arn `role/Ops` of principal `user/bob` is the id of principal `role/Ops`",
    );
    // Its own id is fine.
    let mut parts = sample_parts();
    parts.principal_arns[1] = "user/bob".into();
    assert!(Table::from_parts(parts).is_ok());
}

#[test]
fn from_parts_rejects_bad_classes_and_conditional_lists() {
    let mut parts = sample_parts();
    parts.principal_row[2] = 3;
    parts_invalid(parts, "principal 2 has row class 3");
    let mut parts = sample_parts();
    parts.action_col[0] = 9;
    parts_invalid(parts, "action 0 has column class 9");

    let mut parts = sample_parts();
    parts.conditional.pop();
    parts_invalid(parts, "for 2 conditional cells");
    let mut parts = sample_parts();
    parts.conditional.push((0, 1, 1));
    parts_invalid(parts, "conditional entries for 2 conditional cells");
    let mut parts = sample_parts();
    parts.conditional[0] = (0, 1, 1);
    parts_invalid(
        parts,
        "conditional entry (0, 1) is a duplicate or out of order",
    );
    let mut parts = sample_parts();
    parts.conditional[0] = (0, 0, 1);
    parts_invalid(parts, "conditional entry (0, 0) is not a conditional cell");
    let mut parts = sample_parts();
    parts.conditional[0] = (5, 0, 1);
    parts_invalid(parts, "conditional entry (5, 0) is outside the grid");
    let mut parts = sample_parts();
    parts.conditional[1] = (0, 1, 7);
    parts_invalid(parts, "refers to residual 7");
}

#[test]
fn grids_of_every_width_round_trip() {
    for n_cols in 0..10u32 {
        let n_rows = 3u32;
        let cells: Vec<Cell> = (0..n_rows * n_cols)
            .map(|i| Cell::from_bits((i % 3) as u8))
            .collect();
        let parts = TableParts {
            principals: vec!["p".into()],
            principal_arns: vec![String::new()],
            principal_row: vec![n_rows - 1],
            n_rows,
            n_cols,
            cells: cells.clone(),
            ..TableParts::default()
        };
        let table = Table::from_parts(parts).unwrap();
        for row in 0..n_rows {
            for col in 0..n_cols {
                assert_eq!(
                    table.class_cell(row, col),
                    cells[(row * n_cols + col) as usize]
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Property tests.

/// Random valid parts: unique names (some differing only in case from nothing else),
/// random classes and cells, one residual per conditional cell drawn from a small pool.
fn arb_parts() -> impl Strategy<Value = TableParts> {
    (0usize..8, 0usize..8, 1u32..5, 1u32..7).prop_flat_map(|(n_p, n_a, n_rows, n_cols)| {
        let n_cells = (n_rows * n_cols) as usize;
        (
            proptest::collection::vec(0..n_rows, n_p),
            proptest::collection::vec(0..n_cols, n_a),
            proptest::collection::vec(0u8..4, n_cells),
            proptest::collection::vec(0u8..6, n_a),
            proptest::collection::vec(any::<bool>(), n_a),
            proptest::collection::vec(any::<bool>(), n_p),
            proptest::collection::vec("[a-zA-Z/:*é]{0,6}", n_p + n_a),
            proptest::collection::btree_map((0..8u32, 0..8u32), 0u32..3, 0..6),
        )
            .prop_map(
                move |(rows, cols, cells, access, wildcard, has_arn, suffixes, edges)| {
                    // Unique (from, to) pairs among the principals; residual 2 = none.
                    let n = n_p as u32;
                    let trust_edges: Vec<(u32, u32, Option<u32>)> = edges
                        .into_iter()
                        .filter(|&((from, to), _)| from < n && to < n)
                        .map(|((from, to), r)| (from, to, (r < 2).then_some(r)))
                        .collect();
                    let principals: Vec<String> = (0..n_p)
                        .map(|i| format!("user/{i}{}", suffixes[i]))
                        .collect();
                    let actions: Vec<String> = (0..n_a)
                        .map(|i| format!("svc:A{i}x{}", suffixes[n_p + i]))
                        .collect();
                    let cells: Vec<Cell> = cells.into_iter().map(Cell::from_bits).collect();
                    let atoms = vec![
                        Atom::Resource {
                            patterns: vec!["arn:aws:svc:::thing/*".into()],
                            not: false,
                        },
                        Atom::Resource {
                            patterns: vec!["*".into()],
                            not: true,
                        },
                    ];
                    let residuals = vec![
                        Residual {
                            deny: vec![],
                            allow: vec![vec![vec![Lit {
                                atom: 0,
                                negated: false,
                            }]]],
                        },
                        Residual {
                            deny: vec![vec![Lit {
                                atom: 1,
                                negated: true,
                            }]],
                            allow: vec![],
                        },
                    ];
                    let mut conditional = Vec::new();
                    for row in 0..n_rows {
                        for col in 0..n_cols {
                            if cells[(row * n_cols + col) as usize] == Cell::Conditional {
                                conditional.push((row, col, (row + col) % 2));
                            }
                        }
                    }
                    TableParts {
                        catalog: "prop".into(),
                        principal_arns: principals
                            .iter()
                            .zip(&has_arn)
                            .map(|(p, &has)| {
                                if has {
                                    format!("arn:aws:iam::1:{p}")
                                } else {
                                    String::new()
                                }
                            })
                            .collect(),
                        principals,
                        actions,
                        action_access: access
                            .into_iter()
                            .filter_map(AccessLevel::from_u8)
                            .collect(),
                        action_wildcard_only: wildcard,
                        principal_row: rows,
                        action_col: cols,
                        n_rows,
                        n_cols,
                        cells,
                        atoms,
                        residuals,
                        conditional,
                        trust_edges,
                        ..TableParts::default()
                    }
                },
            )
    })
}

/// The number of cases of a property: `PROPTEST_CASES` when set (for heavy
/// runs), else the default given, sized for the README's test command.
pub(crate) fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(128), ..ProptestConfig::default() })]

    #[test]
    fn prop_round_trip_and_cells(parts in arb_parts()) {
        let table = Table::from_parts(parts.clone()).unwrap();
        let loaded = Table::from_bytes(&table.to_bytes()).unwrap();
        prop_assert_eq!(&loaded, &table);
        prop_assert_eq!(Table::from_parts(parts.clone()).unwrap().to_bytes(), table.to_bytes());
        prop_assert_eq!(loaded.to_parts(), parts.clone());
        for (p_idx, name) in parts.principals.iter().enumerate() {
            let p = loaded.principal(name).unwrap();
            prop_assert_eq!(p, PrincipalId(p_idx as u32));
            for (a_idx, action) in parts.actions.iter().enumerate() {
                let a = loaded.action(&action.to_ascii_lowercase()).unwrap();
                prop_assert_eq!(a, ActionId(a_idx as u32));
                let row = parts.principal_row[p_idx];
                let col = parts.action_col[a_idx];
                let cell = parts.cells[(row * parts.n_cols + col) as usize];
                prop_assert_eq!(loaded.cell(p, a), cell);
            }
        }
    }

    #[test]
    fn prop_random_body_never_panics(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Table::from_bytes(&frame_raw(&body));
    }

    #[test]
    fn prop_random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
        prop_assert!(Table::from_bytes(&bytes).is_err());
    }

    #[test]
    fn prop_tampered_body_never_panics(
        parts in arb_parts(),
        edits in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = Table::from_parts(parts).unwrap().to_bytes();
        let body_len = bytes.len() - crate::wire::HEADER_LEN;
        for (pos, value) in edits {
            bytes[crate::wire::HEADER_LEN + pos.index(body_len)] = value;
        }
        fix_checksum(&mut bytes);
        if let Ok(table) = Table::from_bytes(&bytes) {
            // Whatever survived validation is usable: every name is found again and
            // every check answers.
            for p in table.principals() {
                prop_assert_eq!(table.principal(table.principal_name(p)), Ok(p));
                for a in table.actions() {
                    prop_assert_eq!(table.action(table.action_name(a)), Ok(a));
                    let _ = table.check_with(p, a, &Request::new("arn:aws:svc:::thing/x"));
                }
            }
        }
    }
}

/// Exhaustive over the file and over byte values: every single-byte change
/// of the sample table (all 255 other values at every offset, header and
/// body alike) is rejected, and every proper prefix and every extension by
/// one byte too. The sample has conditional cells, atoms and residual
/// programs, so every section of the format is covered.
#[test]
fn rejects_every_value_of_every_byte_and_every_length() {
    let bytes = sample().to_bytes();
    assert!(
        bytes.len() > crate::wire::HEADER_LEN + 100,
        "{}",
        bytes.len()
    );
    let mut copy = bytes.clone();
    for pos in 0..bytes.len() {
        for mask in 1..=0xFFu8 {
            copy[pos] ^= mask;
            assert!(
                Table::from_bytes(&copy).is_err(),
                "byte {pos} ^ {mask:#04x} accepted"
            );
            copy[pos] ^= mask;
        }
    }
    assert_eq!(copy, bytes);
    for len in 0..bytes.len() {
        let (kind, msg) = load_err(&bytes[..len]);
        assert!(
            kind.starts_with("Truncated") || kind.starts_with("BadMagic"),
            "length {len}: {kind}: {msg}"
        );
    }
    let mut longer = bytes.clone();
    for extra in [0u8, 0xFF] {
        longer.push(extra);
        assert!(Table::from_bytes(&longer).is_err(), "extra byte {extra:#x}");
        longer.pop();
    }
}

/// A table of any other format version is rejected before its body is
/// read, with a message that names every version this runtime reads.
#[test]
fn other_format_versions_name_the_supported_ones() {
    let supported: Vec<String> = crate::wire::SUPPORTED_VERSIONS
        .iter()
        .map(u32::to_string)
        .collect();
    let versions = if supported.len() == 1 {
        "version"
    } else {
        "versions"
    };
    let supported = format!("{versions} {}", supported.join(", "));
    let bytes = sample().to_bytes();
    for version in [0, crate::FORMAT_VERSION + 1, 1000, u32::MAX] {
        if crate::wire::SUPPORTED_VERSIONS.contains(&version) {
            continue;
        }
        let mut other = bytes.clone();
        other[12..16].copy_from_slice(&version.to_le_bytes());
        fix_checksum(&mut other);
        let (kind, msg) = load_err(&other);
        assert!(kind.starts_with("UnsupportedVersion"), "{kind}");
        assert_eq!(
            msg,
            format!(
                "table format version {version} is not supported (this build reads {supported}); \
                 recompile the table"
            )
        );
    }
}

#[test]
fn a_packed_grid_builds_the_same_table_as_cells() {
    let parts = sample_parts();
    let mut grid = Grid::new(parts.n_cols);
    for row in parts.cells.chunks(parts.n_cols as usize) {
        grid.push_row(row.iter().copied());
    }
    let packed = TableParts {
        cells: Vec::new(),
        ..parts.clone()
    };
    let table = Table::from_parts_with_grid(packed.clone(), grid.clone()).unwrap();
    assert_eq!(table, Table::from_parts(parts.clone()).unwrap());

    let err = Table::from_parts_with_grid(parts, grid.clone()).unwrap_err();
    assert!(
        err.to_string().contains("9 cells beside a packed grid"),
        "{err}"
    );
    let mut short = Grid::new(grid.n_cols());
    short.push_row([A]);
    let err = Table::from_parts_with_grid(packed.clone(), short).unwrap_err();
    assert!(
        err.to_string()
            .contains("a grid of 1 rows and 3 columns for 3 row classes and 3 column classes"),
        "{err}"
    );
    // The loader still checks what the grid says: a conditional cell without
    // a conditional entry.
    let mut grid = Grid::new(3);
    for _ in 0..3 {
        grid.push_row([C, C, C]);
    }
    let err = Table::from_parts_with_grid(packed, grid).unwrap_err();
    assert!(err.to_string().contains("conditional"), "{err}");
}
