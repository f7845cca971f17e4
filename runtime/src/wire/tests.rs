//! Tests of the wire format: header layout and errors, blob placement,
//! packing, determinism.

use super::codec::*;
use super::header::*;
use super::layout::*;
use super::test_util::*;
use crate::hash;
use crate::parts::TableParts;
use crate::types::{AccessLevel, Cell};
use crate::FORMAT_VERSION;

fn small_parts() -> TableParts {
    TableParts {
        catalog: "chime".into(),
        principals: vec!["user/alice".into()],
        principal_arns: vec![String::new()],
        actions: vec!["chime:ListUsers".into()],
        action_access: vec![AccessLevel::List],
        action_wildcard_only: vec![true],
        principal_row: vec![0],
        action_col: vec![0],
        n_rows: 1,
        n_cols: 1,
        cells: vec![Cell::Allow],
        ..TableParts::default()
    }
}

#[test]
fn header_layout() {
    let bytes = encode(small_parts()).unwrap();
    assert_eq!(&bytes[0..8], b"VERDICT\0");
    assert_eq!(&bytes[8..12], &[4, 3, 2, 1]);
    assert_eq!(&bytes[12..16], &FORMAT_VERSION.to_le_bytes());
    assert_eq!(&bytes[16..24], &[0; 8]);
    let body_len = u64::from_le_bytes(bytes[24..32].try_into().unwrap());
    assert_eq!(body_len as usize, bytes.len() - HEADER_LEN);
    assert_eq!(&bytes[36..40], &[0; 4]);
    let mut zeroed = bytes.clone();
    zeroed[32..36].fill(0);
    let crc = crate::crc32c::crc32c(&zeroed);
    assert_eq!(&bytes[32..36], &crc.to_le_bytes());
}

#[test]
fn body_starts_with_the_catalog_string() {
    // fixint: u64 LE length, then the bytes.
    let bytes = encode(small_parts()).unwrap();
    assert_eq!(&bytes[40..48], &5u64.to_le_bytes());
    assert_eq!(&bytes[48..53], b"chime");
}

#[test]
fn decode_finds_blobs_in_place() {
    let bytes = encode(small_parts()).unwrap();
    let decoded = decode(&bytes).unwrap();
    assert_eq!(decoded.catalog.of(&bytes), b"chime");
    assert_eq!(decoded.principal_names.of(&bytes), b"user/alice");
    assert_eq!(decoded.action_names.of(&bytes), b"chime:ListUsers");
    assert_eq!(
        decoded.principal_name_offsets.of(&bytes),
        &[0, 0, 0, 0, 10, 0, 0, 0]
    );
    assert_eq!(decoded.principal_arns, Region::default());
    assert_eq!(decoded.blocks.of(&bytes), &[1]);
    // Two empty slots: id u32::MAX, tag 0.
    assert_eq!(
        decoded.principal_arn_index.of(&bytes),
        &[0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]
    );
    // One entry (id 0, tag of its hash) and one empty slot.
    let hash = hash::hash_exact(b"user/alice");
    let mut expected = [hash::EMPTY_SLOT; 2];
    expected[hash::home_slot(hash, 2)] = hash::slot_word(0, hash::tag(hash));
    let expected: Vec<u8> = expected.into_iter().flat_map(u64::to_le_bytes).collect();
    assert_eq!(decoded.principal_index.of(&bytes), expected.as_slice());
}

#[test]
fn cells_are_packed_row_major_with_padded_rows() {
    use Cell::*;
    let cells = [
        Allow,
        Deny,
        Conditional,
        ImplicitDeny,
        Allow,
        Deny,
        Deny,
        Allow,
        Conditional,
        Allow,
    ];
    let grid = pack_cells(&cells, 5).unwrap();
    // Row 0: A D C I | A ; row 1: D D A C | A.
    assert_eq!(grid, vec![0b00_11_10_01, 0b01, 0b11_01_10_10, 0b01]);
    for (idx, &cell) in cells.iter().enumerate() {
        let (row, col) = (idx / 5, idx % 5);
        assert_eq!(cell_in_row(&grid[row * 2..row * 2 + 2], col), Some(cell));
    }
    assert_eq!(pack_cells(&[], 0).unwrap(), Vec::<u8>::new());
}

#[test]
fn header_errors_in_order() {
    let good = encode(small_parts()).unwrap();
    let kind = |bytes: &[u8]| format!("{:?}", decode(bytes).unwrap_err().kind());

    assert!(kind(b"").starts_with("Truncated"));
    assert!(kind(b"VERD").starts_with("Truncated"));
    assert_eq!(kind(b"VERX"), "BadMagic");
    assert_eq!(
        kind(b"\x7fELF\x02\x01\x01\x00 and more bytes than a header needs"),
        "BadMagic"
    );

    let mut big_endian = good.clone();
    big_endian[8..12].copy_from_slice(&ENDIAN_MARKER.to_be_bytes());
    assert!(kind(&big_endian).starts_with("WrongEndianness"));

    for version in [1u32, 2, 3, 5, u32::MAX] {
        let mut other = good.clone();
        other[12..16].copy_from_slice(&version.to_le_bytes());
        fix_checksum(&mut other);
        let err = decode(&other).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "table format version {version} is not supported (this build reads \
                 version 4); recompile the table"
            )
        );
    }

    let mut flags = good.clone();
    flags[16] = 4;
    fix_checksum(&mut flags);
    assert!(kind(&flags).starts_with("UnknownFlags"));
    // Bit 1 (signed) is known: the body's last bytes are no signature
    // section.
    let mut signed = good.clone();
    signed[16] = 2;
    fix_checksum(&mut signed);
    assert!(decode(&signed).is_err());
    // Bit 0 (provenance) is known: the missing section is a decode error.
    let mut provenance = good.clone();
    provenance[16] = 1;
    fix_checksum(&mut provenance);
    assert!(kind(&provenance).starts_with("Decode"));

    let mut reserved = good.clone();
    reserved[20] = 1;
    fix_checksum(&mut reserved);
    assert_eq!(kind(&reserved), "ReservedNotZero");
    let mut padding = good.clone();
    padding[39] = 1;
    fix_checksum(&mut padding);
    assert_eq!(kind(&padding), "ReservedNotZero");

    let mut huge = good.clone();
    huge[24..32].copy_from_slice(&(MAX_BODY + 1).to_le_bytes());
    assert!(kind(&huge).starts_with("TooLarge"));

    let mut trailing = good.clone();
    trailing.push(0);
    assert!(kind(&trailing).starts_with("BodyLengthMismatch"));

    assert!(kind(&good[..good.len() - 1]).starts_with("Truncated"));

    let mut flipped = good.clone();
    *flipped.last_mut().unwrap() ^= 1;
    assert!(kind(&flipped).starts_with("ChecksumMismatch"));
}

#[test]
fn trailing_bytes_inside_the_body_are_rejected() {
    let mut bytes = encode(small_parts()).unwrap();
    bytes.push(0);
    fix_header(&mut bytes);
    assert!(format!("{:?}", decode(&bytes).unwrap_err().kind()).starts_with("Decode"));
}

#[test]
fn blob_lengths_beyond_the_body_are_decode_errors() {
    // A catalog claiming u64::MAX bytes.
    let mut body = u64::MAX.to_le_bytes().to_vec();
    body.extend_from_slice(b"chime");
    let bytes = frame_raw(&body);
    let err = decode(&bytes).unwrap_err();
    assert!(
        err.to_string().starts_with("cannot decode table body"),
        "{err}"
    );
}

#[test]
fn encoding_is_deterministic() {
    let mut parts = small_parts();
    parts.principals.push("role/Ops".into());
    parts.principal_arns.push("arn:aws:iam::1:role/Ops".into());
    parts.principal_row.push(0);
    assert_eq!(encode(parts.clone()).unwrap(), encode(parts).unwrap());
}
