//! Tests of the service-facing surface: load error classes from real bytes and
//! paths, `check_request`, ids by index and `cell`.

use super::*;
use crate::{CheckError, Context, LoadErrorClass};

/// A scratch directory of this test process, removed by the caller.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("verdict-runtime-api-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn class_of(bytes: &[u8]) -> LoadErrorClass {
    Table::from_bytes(bytes).unwrap_err().class()
}

#[test]
fn class_not_found_for_a_missing_file() {
    let dir = scratch("missing");
    let err = Table::open(dir.join("missing.vt")).unwrap_err();
    assert_eq!(err.class(), LoadErrorClass::NotFound, "{err}");
    assert_eq!(err.format_version_found(), None);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn class_not_a_table_for_other_bytes_empty_files_and_directories() {
    assert_eq!(
        class_of(b"{\"Version\": \"2012-10-17\"}"),
        LoadErrorClass::NotATable
    );
    assert_eq!(class_of(b""), LoadErrorClass::NotATable);
    let mut magic = sample().to_bytes();
    magic[..8].copy_from_slice(b"VERDICT2");
    assert_eq!(class_of(&magic), LoadErrorClass::NotATable);
    let dir = scratch("dir");
    let err = Table::open(&dir).unwrap_err();
    assert_eq!(err.class(), LoadErrorClass::NotATable, "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn class_unsupported_version_names_the_version() {
    for version in [1u32, 2, 3, 5, u32::MAX] {
        let mut bytes = sample().to_bytes();
        bytes[12..16].copy_from_slice(&version.to_le_bytes());
        fix_checksum(&mut bytes);
        let err = Table::from_bytes(&bytes).unwrap_err();
        assert_eq!(err.class(), LoadErrorClass::UnsupportedVersion, "{err}");
        assert_eq!(err.format_version_found(), Some(version));
    }
    // The other byte order: a table this build does not read, version unknown.
    let mut big_endian = sample().to_bytes();
    big_endian[8..12].copy_from_slice(&[1, 2, 3, 4]);
    let err = Table::from_bytes(&big_endian).unwrap_err();
    assert_eq!(err.class(), LoadErrorClass::UnsupportedVersion, "{err}");
    assert_eq!(err.format_version_found(), None);
}

#[test]
fn class_damaged_for_truncation_flipped_bits_and_bad_bodies() {
    let bytes = sample().to_bytes();
    // Every proper prefix that starts like a table is damaged, not "not a table".
    for len in 1..bytes.len() {
        assert_eq!(
            class_of(&bytes[..len]),
            LoadErrorClass::Damaged,
            "prefix {len}"
        );
    }
    // Every flipped bit after the magic and the version is damage.
    let mut copy = bytes.clone();
    for pos in 16..bytes.len() {
        copy[pos] ^= 0x10;
        let class = class_of(&copy);
        // A flipped flag bit is a flag of a newer writer; a body length over
        // the limit is too large, whatever the file holds.
        let expected = match pos {
            16..20 => LoadErrorClass::UnsupportedVersion,
            27..32 => LoadErrorClass::TooLarge,
            _ => LoadErrorClass::Damaged,
        };
        assert_eq!(class, expected, "byte {pos}");
        copy[pos] ^= 0x10;
    }
    // A body that decodes but breaks an invariant.
    let mut parts = sample_parts();
    parts.principal_row[0] = 7;
    let err = Table::from_parts(parts).unwrap_err();
    assert_eq!(err.class(), LoadErrorClass::Damaged, "{err}");
}

#[test]
fn class_too_large_for_a_declared_body_over_the_limit() {
    let mut bytes = sample().to_bytes();
    bytes[24..32].copy_from_slice(&(wire::MAX_BODY + 1).to_le_bytes());
    fix_checksum(&mut bytes);
    let err = Table::from_bytes(&bytes).unwrap_err();
    assert_eq!(err.class(), LoadErrorClass::TooLarge, "{err}");
}

#[test]
fn class_io_for_a_path_through_a_file() {
    let dir = scratch("io");
    let file = dir.join("plain");
    std::fs::write(&file, b"x").unwrap();
    // `plain/t.vt`: the parent is a file (ENOTDIR), not a missing file.
    let err = Table::open(file.join("t.vt")).unwrap_err();
    assert_eq!(err.class(), LoadErrorClass::Io, "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(feature = "verify")]
#[test]
fn class_unverified_for_an_unsigned_table_or_another_digest() {
    use crate::{Digest, Verifier};
    let bytes = sample().to_bytes();
    let other = Verifier::Digest(Digest([7; 32]));
    let err = Table::from_bytes_verified(&bytes, &other).unwrap_err();
    assert_eq!(err.class(), LoadErrorClass::Unverified, "{err}");
    let right = Verifier::Digest(sample().digest());
    assert!(Table::from_bytes_verified(&bytes, &right).is_ok());
}

#[test]
fn class_names_are_stable() {
    let names: Vec<&str> = [
        LoadErrorClass::NotFound,
        LoadErrorClass::NotATable,
        LoadErrorClass::UnsupportedVersion,
        LoadErrorClass::Damaged,
        LoadErrorClass::TooLarge,
        LoadErrorClass::Io,
        LoadErrorClass::Unverified,
    ]
    .iter()
    .map(|class| class.as_str())
    .collect();
    assert_eq!(
        names,
        [
            "not-found",
            "not-a-table",
            "unsupported-version",
            "damaged",
            "too-large",
            "io",
            "unverified"
        ]
    );
}

#[test]
fn check_request_answers_by_name_with_a_request() {
    let table = sample();
    let context = Context::new();
    let meeting = Request {
        resource: MEETING,
        context: &context,
    };
    // Conditional cell 0: alice on meetings of the account.
    assert_eq!(
        table.check_request("user/alice", "chime:CreateMeeting", &meeting),
        Ok(Decision::Allow)
    );
    assert_eq!(
        table.check_request(
            "user/alice",
            "chime:createmeeting",
            &Request::new(APP_INSTANCE)
        ),
        Ok(Decision::ImplicitDeny)
    );
    // Unconditional cells, by ARN as well as by name.
    assert_eq!(
        table.check_request(
            "arn:aws:iam::111122223333:user/alice",
            "chime:DeleteAccount",
            &meeting
        ),
        Ok(Decision::Deny)
    );
    // Every by-name answer equals the by-id one.
    for p in table.principals() {
        for a in table.actions() {
            assert_eq!(
                table.check_request(table.principal_name(p), table.action_name(a), &meeting),
                Ok(table.check_with(p, a, &meeting))
            );
        }
    }
}

#[test]
fn check_request_fails_closed() {
    let table = sample();
    let req = Request::default();
    assert_eq!(
        table.check_request("user/nobody", "chime:ListUsers", &req),
        Err(CheckError::UnknownPrincipal("user/nobody".into()))
    );
    assert_eq!(
        table.check_request("user/alice", "chime:Nope", &req),
        Err(CheckError::UnknownAction("chime:Nope".into()))
    );
    let long = "x".repeat(RequestLimits::DEFAULT.resource_bytes + 1);
    let err = table
        .check_request("user/alice", "chime:ListUsers", &Request::new(&long))
        .unwrap_err();
    assert!(matches!(err, CheckError::Request(_)), "{err}");
    assert!(
        err.to_string().starts_with("request over the limits: "),
        "{err}"
    );
    assert_eq!(
        CheckError::from(LookupError::UnknownAction("a".into())),
        CheckError::UnknownAction("a".into())
    );
}

#[test]
fn ids_by_index_are_range_checked() {
    let table = sample();
    for p in table.principals() {
        assert_eq!(table.principal_at(p.index()), Some(p));
    }
    for a in table.actions() {
        assert_eq!(table.action_at(a.index()), Some(a));
    }
    assert_eq!(table.principal_at(4), None);
    assert_eq!(table.principal_at(u32::MAX), None);
    assert_eq!(table.action_at(4), None);
    let alice = table.principal("user/alice").unwrap();
    let list = table.action("chime:ListUsers").unwrap();
    assert_eq!(alice.index(), 0);
    assert_eq!(table.principal_at(0), Some(alice));
    assert_eq!(table.cell(alice, list), Cell::Allow);
    let create = table.action_at(1).unwrap();
    assert_eq!(table.cell(alice, create), Cell::Conditional);
}
