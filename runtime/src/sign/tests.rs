//! Signed tables: round trips, every byte of the signature section and of the
//! signed part damaged, the order of the checks, pins, key files (RFC 8032
//! and OpenSSL-made keys).

use super::*;
use crate::parts::TableParts;
use crate::types::{AccessLevel, Cell, Decision};
use crate::wire::test_util::fix_checksum;

fn table() -> Table {
    table_with(Cell::Deny)
}

/// The test table with `cell` for user/alice and chime:DeleteAccount.
fn table_with(cell: Cell) -> Table {
    Table::from_parts(TableParts {
        catalog: "chime".to_owned(),
        principals: vec!["user/alice".to_owned(), "user/bob".to_owned()],
        principal_arns: vec![String::new(), String::new()],
        actions: vec![
            "chime:ListUsers".to_owned(),
            "chime:DeleteAccount".to_owned(),
        ],
        action_access: vec![AccessLevel::List, AccessLevel::Write],
        action_wildcard_only: vec![true, true],
        principal_row: vec![0, 1],
        action_col: vec![0, 1],
        n_rows: 2,
        n_cols: 2,
        cells: vec![Cell::Allow, cell, Cell::Allow, Cell::ImplicitDeny],
        ..TableParts::default()
    })
    .unwrap()
}

/// RFC 8032, section 7.1, test 1.
const RFC_SEED: [u8; 32] =
    hex32("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
const RFC_PUBLIC: [u8; 32] =
    hex32("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");

const fn digit(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        _ => b - b'a' + 10,
    }
}

const fn hex32(text: &str) -> [u8; 32] {
    let bytes = text.as_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = digit(bytes[2 * i]) * 16 + digit(bytes[2 * i + 1]);
        i += 1;
    }
    out
}

fn key() -> SigningKey {
    SigningKey::from_seed(&RFC_SEED)
}

fn by_key() -> Verifier {
    Verifier::Key(key().verifying_key())
}

#[test]
fn the_rfc_8032_seed_gives_the_rfc_public_key() {
    assert_eq!(key().verifying_key().to_bytes(), RFC_PUBLIC);
}

#[test]
fn a_signed_table_loads_verified_and_plain_with_the_same_answers() {
    let plain = table();
    let signed = plain.to_signed_bytes(&key());
    assert_eq!(signed.len(), plain.as_bytes().len() + wire::SIGNATURE_LEN);
    let verified = Table::from_bytes_verified(&signed, &by_key()).unwrap();
    let unverified = Table::from_bytes(&signed).unwrap();
    for t in [&verified, &unverified] {
        assert!(t.is_signed());
        assert_eq!(t.signer(), Some(key().verifying_key()));
        assert_eq!(
            t.check("user/alice", "chime:ListUsers").unwrap(),
            Decision::Allow
        );
        assert_eq!(
            t.check("user/alice", "chime:DeleteAccount").unwrap(),
            Decision::Deny
        );
        assert_eq!(t.to_bytes(), signed);
    }
    assert!(!plain.is_signed());
    assert_eq!(plain.signer(), None);
    // The digest is of everything before the signature section.
    let digest = verified.digest();
    assert_eq!(
        digest,
        Digest::of(&signed[..signed.len() - wire::SIGNATURE_LEN])
    );
    Table::from_bytes_verified(&signed, &Verifier::Digest(digest)).unwrap();
    // An unsigned table's digest is the SHA-256 of its file.
    assert_eq!(plain.digest(), Digest::of(plain.as_bytes()));
    Table::from_bytes_verified(plain.as_bytes(), &Verifier::Digest(plain.digest())).unwrap();
    // Signing again replaces the section; the same key gives the same bytes.
    assert_eq!(verified.to_signed_bytes(&key()), signed);
}

#[test]
fn unsigned_and_other_keys_are_refused() {
    let plain = table();
    let err = Table::from_bytes_verified(plain.as_bytes(), &by_key()).unwrap_err();
    assert_eq!(err.to_string(), "table is not signed");
    let other = SigningKey::from_seed(&[7; 32]);
    let signed = plain.to_signed_bytes(&other);
    let err = Table::from_bytes_verified(&signed, &by_key()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "table is signed by another key (sha256:{})",
            other.verifying_key().fingerprint()
        )
    );
}

/// Every byte of the signature section (magic, algorithm, key, signature),
/// each damaged: a verifying load fails, and never with a table.
#[test]
fn every_byte_of_the_signature_section_matters() {
    let signed = table().to_signed_bytes(&key());
    let start = signed.len() - wire::SIGNATURE_LEN;
    for at in start..signed.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut bad = signed.clone();
            bad[at] ^= flip;
            assert!(
                Table::from_bytes_verified(&bad, &by_key()).is_err(),
                "byte {at} ^ {flip:#x}"
            );
        }
    }
}

/// Every byte of the signed part damaged, the checksum then fixed (a
/// deliberate edit, which the CRC cannot catch): the signature and the pin
/// both refuse it. Reproduction 4 of issue 18 is the Deny cell flipped to
/// Allow: the plain load accepts it and answers differently.
#[test]
fn every_byte_of_the_signed_part_matters() {
    let good = Table::from_bytes(&table().to_signed_bytes(&key())).unwrap();
    let signed = good.to_bytes();
    let pin = Verifier::Digest(good.digest());
    let end = signed.len() - wire::SIGNATURE_LEN;
    for at in 0..end {
        let mut bad = signed.clone();
        bad[at] ^= 0x01;
        if !(32..36).contains(&at) {
            fix_checksum(&mut bad[..end]);
        }
        assert!(
            Table::from_bytes_verified(&bad, &by_key()).is_err(),
            "byte {at}"
        );
        assert!(Table::from_bytes_verified(&bad, &pin).is_err(), "byte {at}");
    }
    // The reproduction: flip user/alice's DeleteAccount cell from Deny to
    // Allow, the byte where the two tables differ (beside the checksum).
    let allowed = table_with(Cell::Allow).to_bytes();
    let mut edited = signed.clone();
    let mut n_changed = 0;
    for (at, (&a, &b)) in allowed.iter().zip(table().as_bytes()).enumerate() {
        if a != b && !(32..36).contains(&at) {
            edited[at] = a;
            n_changed += 1;
        }
    }
    assert_eq!(n_changed, 1);
    fix_checksum(&mut edited[..end]);
    let tampered = Table::from_bytes(&edited).unwrap();
    assert_eq!(
        tampered.check("user/alice", "chime:DeleteAccount").unwrap(),
        Decision::Allow
    );
    let err = Table::from_bytes_verified(&edited, &by_key()).unwrap_err();
    assert_eq!(err.to_string(), "table signature does not verify");
    let err = Table::from_bytes_verified(&edited, &pin).unwrap_err();
    assert!(
        err.to_string().starts_with("table digest mismatch"),
        "{err}"
    );
}

/// Every byte of a pinned digest damaged: refused.
#[test]
fn every_byte_of_the_pin_matters() {
    let plain = table();
    for at in 0..32 {
        let mut digest = plain.digest();
        digest.0[at] ^= 0x01;
        let err = Table::from_bytes_verified(plain.as_bytes(), &Verifier::Digest(digest));
        assert!(err.is_err(), "byte {at}");
    }
}

/// The signature is checked before anything else: a damaged magic, version
/// or checksum in a signed table is reported as a bad signature, not as
/// what `from_bytes` would have said, and stripping or clearing the flag does
/// not turn a signed table into an acceptable unsigned one.
#[test]
fn the_signature_is_checked_before_the_header() {
    let signed = table().to_signed_bytes(&key());
    let bad_signature = "table signature does not verify";
    for (at, flip, expected) in [
        (0usize, 0x04u8, bad_signature),   // magic
        (12, 0x04, bad_signature),         // version
        (16, 0x04, bad_signature),         // an unknown flag bit
        (16, 0x02, "table is not signed"), // the signed flag cleared
        (24, 0x04, bad_signature),         // body length
        (32, 0x04, bad_signature),         // checksum
        (40, 0x04, bad_signature),         // body
    ] {
        let mut bad = signed.clone();
        bad[at] ^= flip;
        let err = Table::from_bytes_verified(&bad, &by_key()).unwrap_err();
        assert_eq!(err.to_string(), expected, "byte {at} ^ {flip:#x}");
    }
    let stripped = &signed[..signed.len() - wire::SIGNATURE_LEN];
    assert!(Table::from_bytes_verified(stripped, &by_key()).is_err());
    assert!(Table::from_bytes(stripped).is_err());
}

#[test]
fn plain_loads_check_the_shape_of_the_section() {
    let signed = table().to_signed_bytes(&key());
    let start = signed.len() - wire::SIGNATURE_LEN;
    // Magic and algorithm: refused by a plain load too.
    for at in start..start + 8 {
        let mut bad = signed.clone();
        bad[at] ^= 0x01;
        assert!(Table::from_bytes(&bad).is_err(), "byte {at}");
    }
    // Truncated anywhere in the section: refused.
    for len in start..signed.len() {
        assert!(Table::from_bytes(&signed[..len]).is_err(), "length {len}");
    }
}

/// An OpenSSL-made key pair (`openssl genpkey -algorithm ed25519`,
/// `openssl pkey -pubout`).
const OPENSSL_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----\n\
MC4CAQAwBQYDK2VwBCIEIEuppJFH00+r+jOtFSQ/aoE1F1BQ3nMEcMJHABh0g9bI\n\
-----END PRIVATE KEY-----\n";
const OPENSSL_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----\n\
MCowBQYDK2VwAyEA3n0PFMfxKCQVKs4sojtzTLV6Qis8k31B/FIRecCM/RE=\n\
-----END PUBLIC KEY-----\n";

#[test]
fn key_files_in_pem_der_and_raw() {
    let private = SigningKey::from_key_file(OPENSSL_PRIVATE.as_bytes()).unwrap();
    let public = VerifyingKey::from_key_file(OPENSSL_PUBLIC.as_bytes()).unwrap();
    assert_eq!(private.verifying_key(), public);
    assert_eq!(
        public.to_bytes(),
        hex32("de7d0f14c7f12824152ace2ca23b734cb57a422b3c937d41fc521179c08cfd11")
    );
    // Our PEM is OpenSSL's, byte for byte.
    assert_eq!(private.to_pem(), OPENSSL_PRIVATE);
    assert_eq!(public.to_pem(), OPENSSL_PUBLIC);
    // DER and raw forms.
    let der =
        decode_base64("MCowBQYDK2VwAyEA3n0PFMfxKCQVKs4sojtzTLV6Qis8k31B/FIRecCM/RE=").unwrap();
    assert_eq!(VerifyingKey::from_key_file(&der).unwrap(), public);
    assert_eq!(
        VerifyingKey::from_key_file(&public.to_bytes()).unwrap(),
        public
    );
    assert_eq!(
        SigningKey::from_key_file(&RFC_SEED)
            .unwrap()
            .verifying_key()
            .to_bytes(),
        RFC_PUBLIC
    );
}

#[test]
fn malformed_key_files_are_errors() {
    let cases: [&[u8]; 8] = [
        b"",
        b"short",
        OPENSSL_PRIVATE.as_bytes(), // a private key where a public one is expected
        b"-----BEGIN PUBLIC KEY-----\nMCow!!!!\n-----END PUBLIC KEY-----\n",
        b"-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA3n0PFMfxKCQVKs4sojtzTLV6Qis8k31B/FIRecCM/RE=\n",
        b"-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA3n0PFMfxKCQVKs4sojtzTLV6Qis8k31B/FIRecCM/RF=\n-----END PUBLIC KEY-----\n",
        // An X25519 key (OID 1.3.101.110), not Ed25519.
        b"-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VuAyEA3n0PFMfxKCQVKs4sojtzTLV6Qis8k31B/FIRecCM/RE=\n-----END PUBLIC KEY-----\n",
        &[0u8; 44],
    ];
    for case in cases {
        assert!(
            VerifyingKey::from_key_file(case).is_err(),
            "{}",
            String::from_utf8_lossy(case)
        );
    }
    assert!(SigningKey::from_key_file(OPENSSL_PUBLIC.as_bytes()).is_err());
    assert!(SigningKey::from_key_file(&[1u8; 33]).is_err());
}

#[test]
fn base64_round_trips_and_is_strict() {
    for len in 0..40 {
        let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
        assert_eq!(decode_base64(&encode_base64(&bytes)).unwrap(), bytes);
    }
    for bad in [
        "A", "AB=", "A===", "AB=C", "QQ==QQ==", "QR==", "QUJ=", "Q\nQ==",
    ] {
        assert_eq!(decode_base64(bad), None, "{bad}");
    }
}

#[test]
fn digests_parse_from_hex() {
    let digest = table().digest();
    let text = digest.to_string();
    assert_eq!(text.len(), 64);
    assert_eq!(text.parse::<Digest>().unwrap(), digest);
    assert_eq!(format!("sha256:{text}").parse::<Digest>().unwrap(), digest);
    assert_eq!(text.to_uppercase().parse::<Digest>().unwrap(), digest);
    for bad in [
        "",
        "00",
        &text[1..],
        &format!("{}g", &text[1..]),
        &format!("{text}0"),
    ] {
        assert!(bad.parse::<Digest>().is_err(), "{bad}");
    }
}

/// A verifying handle never serves a table that fails verification: not at
/// open, not on reload (file or bytes), not on replace.
#[test]
fn a_verifying_handle_never_swaps_in_a_failing_table() {
    use crate::TableHandle;
    let dir = std::env::temp_dir().join(format!("verdict-sign-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("t.vdt");
    let signed = table().to_signed_bytes(&key());
    std::fs::write(&path, &signed).unwrap();
    let handle = TableHandle::open_verified(&path, by_key()).unwrap();
    assert_eq!(handle.generation(), 1);

    // A re-checksummed edit (alice's Deny cell made Allow), an unsigned
    // table, a table signed by another key: each refused, the old one serving.
    let mut edited = table_with(Cell::Allow).to_bytes();
    edited = {
        // The signed layout of the edited table, with the good signature.
        let mut out = Table::from_bytes(&edited).unwrap().to_signed_bytes(&key());
        let section = signed.len() - wire::SIGNATURE_LEN;
        out.truncate(section);
        out.extend_from_slice(&signed[section..]);
        out
    };
    let other = table_with(Cell::Allow).to_signed_bytes(&SigningKey::from_seed(&[9; 32]));
    for bad in [&edited, &table_with(Cell::Allow).to_bytes(), &other] {
        std::fs::write(&path, bad).unwrap();
        assert!(handle.reload().is_err());
        assert!(handle.reload_from_bytes(bad).is_err());
        assert!(handle.last_error().is_some());
        let unverified = Table::from_bytes(bad).unwrap();
        assert_eq!(handle.replace(unverified), 1);
        assert_eq!(handle.generation(), 1);
        assert_eq!(
            handle
                .current()
                .check("user/alice", "chime:DeleteAccount")
                .unwrap(),
            Decision::Deny
        );
    }
    // A properly signed new table is swapped in.
    let good = table_with(Cell::Allow).to_signed_bytes(&key());
    std::fs::write(&path, &good).unwrap();
    assert_eq!(handle.reload().unwrap(), 2);
    assert_eq!(
        handle
            .current()
            .check("user/alice", "chime:DeleteAccount")
            .unwrap(),
        Decision::Allow
    );
    assert!(handle.last_error().is_none());
    // Pinned by digest: only that table.
    let pinned = TableHandle::new_verified(
        Table::from_bytes(&good).unwrap(),
        Verifier::Digest(Table::from_bytes(&good).unwrap().digest()),
    )
    .unwrap();
    assert!(pinned.reload_from_bytes(&signed).is_err());
    assert_eq!(pinned.reload_from_bytes(&good).unwrap(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}
