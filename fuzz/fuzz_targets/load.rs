//! Fuzz target: loading arbitrary table bytes never panics, and a table that
//! loads answers every lookup, check and assume-role search without
//! panicking.
//!
//! Most random bytes die at the header; to reach the body decoder and the
//! validator, half of the inputs are given a valid header with a correct
//! checksum in front of the fuzzer's bytes (the first input byte chooses; its
//! second bit sets the provenance flag, so the provenance decoder and its
//! validation are reached too).
#![no_main]

use verdict_runtime::{Assume, Context, Table, FORMAT_VERSION};

/// CRC-32C, bytewise: the fuzz harness's own copy, so it needs no access to
/// the runtime's private one.
fn crc32c(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0x82F6_3B78
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn with_header(body: &[u8], flags: u32) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(40 + body.len());
    bytes.extend_from_slice(b"VERDICT\0");
    bytes.extend_from_slice(&0x0102_0304u32.to_le_bytes());
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&flags.to_le_bytes());
    bytes.extend_from_slice(&0u32.to_le_bytes()); // reserved
    bytes.extend_from_slice(&(body.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&0u32.to_le_bytes()); // checksum, filled below
    bytes.extend_from_slice(&0u32.to_le_bytes()); // padding
    bytes.extend_from_slice(body);
    let sum = crc32c(&bytes);
    bytes[32..36].copy_from_slice(&sum.to_le_bytes());
    bytes
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = if mode & 1 == 1 {
        with_header(rest, u32::from((mode >> 1) & 1))
    } else {
        rest.to_vec()
    };
    if let Ok(table) = Table::from_bytes(&bytes) {
        assert_eq!(table.to_bytes(), bytes);
        for p in table.principals() {
            let name = table.principal_name(p).to_string();
            assert_eq!(table.principal(&name).ok(), Some(p));
            for a in table.actions() {
                let _ = table.cell(p, a);
                let _ = table.check(&name, table.action_name(a));
            }
            // The assume-role graph: every edge answers, searches end.
            for (to, _) in table.trust_edges_from(p) {
                let _ = table.assume(p, to, &Context::new());
            }
            let reached = table.reachable(p, Assume::Possibly);
            for q in reached.iter() {
                assert!(reached.chain(q).is_some());
            }
        }
        let _ = table.reaching(table.principals(), Assume::Always);
        if let Some(provenance) = table.provenance() {
            let request = verdict_runtime::Request::default();
            for atom in 0..provenance.atoms.len() as u32 {
                assert!(table.provenance_atom(atom, &request).is_some());
            }
        }
    }
});
