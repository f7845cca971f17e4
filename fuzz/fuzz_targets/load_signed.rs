//! Fuzz target: the signed-table loader. Whatever the bytes, a verifying load
//! never panics and never accepts a table that the fuzzer could not have
//! signed; a verified table answers every check.
//!
//! Inputs whose first byte is even are loaded as they are (a valid signature
//! by the harness key is then a forgery: the assertion fails). Odd ones are
//! framed as the signer would: a header with the signed flag (and, by the
//! second bit, the provenance flag), a correct checksum, the rest as body,
//! and a signature section by the harness key over it, so that the checks
//! after the signature (header, decoding, validation) are reached; the third
//! bit then damages one byte, chosen by the next two input bytes, which must
//! make the load fail. Every input is also loaded with a digest pin.
#![no_main]

use ed25519_dalek::Signer;
use verdict_runtime::{Digest, SigningKey, Table, Verifier, FORMAT_VERSION};

const SEED: [u8; 32] = [42; 32];
const DOMAIN: &[u8] = b"verdict table signature v1, ed25519 over sha-256\0";

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

/// `body` framed and signed as `verdict compile --sign` would.
fn signed(body: &[u8], flags: u32) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(40 + body.len() + 104);
    bytes.extend_from_slice(b"VERDICT\0");
    bytes.extend_from_slice(&0x0102_0304u32.to_le_bytes());
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&(flags | 2).to_le_bytes());
    bytes.extend_from_slice(&0u32.to_le_bytes());
    bytes.extend_from_slice(&(body.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&0u32.to_le_bytes());
    bytes.extend_from_slice(&0u32.to_le_bytes());
    bytes.extend_from_slice(body);
    let sum = crc32c(&bytes);
    bytes[32..36].copy_from_slice(&sum.to_le_bytes());
    let key = ed25519_dalek::SigningKey::from_bytes(&SEED);
    let mut message = DOMAIN.to_vec();
    message.extend_from_slice(&Digest::of(&bytes).0);
    let signature = key.sign(&message).to_bytes();
    bytes.extend_from_slice(b"VSIG");
    bytes.extend_from_slice(&1u32.to_le_bytes());
    bytes.extend_from_slice(&key.verifying_key().to_bytes());
    bytes.extend_from_slice(&signature);
    bytes
}

fn exercise(table: &Table) {
    for p in table.principals() {
        for a in table.actions() {
            let _ = table.cell(p, a);
        }
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let key = SigningKey::from_seed(&SEED);
    let by_key = Verifier::Key(key.verifying_key());
    if mode & 1 == 0 {
        if let Ok(table) = Table::from_bytes_verified(data, &by_key) {
            // Only the harness key's own signature passes: re-signing gives
            // the same bytes, so the input was signed as the signer signs.
            assert!(table.to_signed_bytes(&key) == data);
            exercise(&table);
        }
        let pin = Verifier::Digest(Digest::of(data));
        if let Ok(table) = Table::from_bytes_verified(data, &pin) {
            exercise(&table);
        }
        return;
    }
    let (damage, body) = match rest {
        [hi, lo, body @ ..] if mode & 4 != 0 => (Some(usize::from(*hi) << 8 | usize::from(*lo)), body),
        _ => (None, rest),
    };
    let mut bytes = signed(body, u32::from((mode >> 1) & 1));
    let good = Table::from_bytes_verified(&bytes, &by_key);
    if let Ok(table) = &good {
        assert!(table.is_signed());
        assert!(table.to_bytes() == bytes);
        exercise(table);
    }
    if let Some(at) = damage {
        let at = at % bytes.len();
        bytes[at] ^= 0x01;
        assert!(Table::from_bytes_verified(&bytes, &by_key).is_err());
    }
});
