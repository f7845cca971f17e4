//! Signed tables and digest pins (features `verify` and `sign`): the SHA-256
//! [`Digest`] of a table, Ed25519 keys ([`VerifyingKey`], [`SigningKey`]) read
//! from PEM, DER or raw key files, and the [`Verifier`] a service loads with
//! ([`Table::from_bytes_verified`], [`Table::open_verified`],
//! [`TableHandle::open_verified`](crate::TableHandle::open_verified)).
//!
//! The layout of the signature section is `wire`'s; this file holds the
//! cryptography and the key formats, nothing of the table's meaning.

/* Design note.

What is signed. The signed part of a table is its header and body (with the
provenance section, if any), with header flag bit 1 set: everything before
the 104-byte signature section that closes the file. Its SHA-256 is the
table's digest (`verdict inspect` prints it; for an unsigned table it is the
SHA-256 of the whole file, what `sha256sum` prints). The signature is Ed25519
(RFC 8032, checked with `verify_strict`: no small-order keys, no
non-canonical encodings) over a domain-separation string followed by the
digest, so that hashing 100 MB is the only cost that grows with the table
and a signature made for anything else with the same key never passes.

Why a section in the file and not a detached file: a table and its signature
are written, copied and renamed together (the atomic writer makes both
visible at once), and a reload can never pair a new table with an old
signature. Why after the body and outside the CRC: the CRC covers the header
and body only, so signing does not change the signed bytes' meaning; the
section's own integrity is the signature. The flag bit is inside the signed
header, so a signed table cannot be passed off as an unsigned one to a
verifier (stripping the section fails as "not signed"; clearing the flag
changes the signed bytes).

Order. `from_bytes_verified` checks the size, then the digest or signature
over the raw bytes, and only then hands the bytes to `from_bytes` for the
header checks, decoding and validation: nothing of a table is read, decoded
or trusted before it is authenticated. Where the signed part ends is read
from the header flags before authentication; whatever they say, the digest
of the part chosen must then match, so they cannot be used to pass anything.

A plain `Table::from_bytes` accepts a signed table without verifying it
(checking only the section's shape): it gives exactly the trust an unsigned
table gives, and services that want authenticity load with a `Verifier`. */

use std::fmt;
use std::path::Path;

use sha2::{Digest as _, Sha256};

use crate::error::{LoadError, LoadErrorKind};
use crate::table::Table;
use crate::wire;

/// A SHA-256 digest: of a table's signed part ([`Table::digest`]) or of a
/// public key ([`VerifyingKey::fingerprint`]). Displayed and parsed as 64
/// lowercase hex digits (parsing also takes uppercase and a `sha256:` prefix).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    /// The SHA-256 of `bytes`.
    #[must_use]
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(Sha256::digest(bytes).into())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

impl std::str::FromStr for Digest {
    type Err = KeyError;

    fn from_str(text: &str) -> Result<Digest, KeyError> {
        let hex = text.strip_prefix("sha256:").unwrap_or(text);
        let bytes = hex.as_bytes();
        if bytes.len() != 64 {
            return Err(KeyError::new("a SHA-256 digest is 64 hex digits"));
        }
        let mut out = [0u8; 32];
        for (idx, pair) in bytes.chunks_exact(2).enumerate() {
            let digit = |b: u8| (b as char).to_digit(16);
            let (Some(hi), Some(lo)) = (
                pair.first().copied().and_then(digit),
                pair.get(1).copied().and_then(digit),
            ) else {
                return Err(KeyError::new("a SHA-256 digest is 64 hex digits"));
            };
            if let Some(slot) = out.get_mut(idx) {
                *slot = (hi * 16 + lo) as u8;
            }
        }
        Ok(Digest(out))
    }
}

/// A key file that could not be read as a key, or a digest that is not one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyError {
    what: String,
}

impl KeyError {
    fn new(what: impl Into<String>) -> KeyError {
        KeyError { what: what.into() }
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
}

impl std::error::Error for KeyError {}

/// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410), before the key.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];
/// DER prefix of an Ed25519 PKCS#8 v1 private key (RFC 8410), before the seed.
#[cfg(feature = "sign")]
const PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// An Ed25519 public key: what a service verifies tables with.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct VerifyingKey(ed25519_dalek::VerifyingKey);

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifyingKey(sha256:{})", self.fingerprint())
    }
}

impl VerifyingKey {
    /// The key of these 32 bytes (RFC 8032 encoding).
    ///
    /// # Errors
    /// The bytes are not a point of the curve.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<VerifyingKey, KeyError> {
        ed25519_dalek::VerifyingKey::from_bytes(bytes)
            .map(VerifyingKey)
            .map_err(|_| KeyError::new("not an Ed25519 public key"))
    }

    /// Reads a public key file: PEM (`-----BEGIN PUBLIC KEY-----`, as
    /// `openssl pkey -pubout` and `verdict keygen` write it), the DER
    /// SubjectPublicKeyInfo, or the raw 32 bytes.
    ///
    /// # Errors
    /// None of these, another algorithm than Ed25519, or an invalid key.
    pub fn from_key_file(bytes: &[u8]) -> Result<VerifyingKey, KeyError> {
        let der = pem_or_der(bytes, "PUBLIC KEY")?;
        let raw = match der.len() {
            32 => der.as_slice(),
            44 => der
                .strip_prefix(SPKI_PREFIX.as_slice())
                .ok_or_else(|| KeyError::new("not an Ed25519 public key (SubjectPublicKeyInfo)"))?,
            _ => {
                return Err(KeyError::new(
                    "not an Ed25519 public key: expected PEM, 44 bytes of DER or 32 raw bytes",
                ))
            }
        };
        let raw: [u8; 32] = raw
            .try_into()
            .map_err(|_| KeyError::new("not an Ed25519 public key"))?;
        VerifyingKey::from_bytes(&raw)
    }

    /// The 32 bytes of the key.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The key as a PEM SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`).
    #[must_use]
    pub fn to_pem(&self) -> String {
        let mut der = SPKI_PREFIX.to_vec();
        der.extend_from_slice(&self.to_bytes());
        pem("PUBLIC KEY", &der)
    }

    /// The SHA-256 of the key's 32 bytes, to name it.
    #[must_use]
    pub fn fingerprint(&self) -> Digest {
        Digest::of(&self.to_bytes())
    }
}

/// An Ed25519 private key: what `verdict compile --sign` signs with.
#[cfg(feature = "sign")]
#[derive(Clone)]
pub struct SigningKey(ed25519_dalek::SigningKey);

#[cfg(feature = "sign")]
impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SigningKey(public sha256:{})",
            self.verifying_key().fingerprint()
        )
    }
}

#[cfg(feature = "sign")]
impl SigningKey {
    /// The key of this 32-byte seed (RFC 8032 private key); draw the seed
    /// from the operating system's random source.
    #[must_use]
    pub fn from_seed(seed: &[u8; 32]) -> SigningKey {
        SigningKey(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    /// Reads a private key file: PEM PKCS#8 (`-----BEGIN PRIVATE KEY-----`,
    /// as `openssl genpkey -algorithm ed25519` and `verdict keygen` write
    /// it), its DER, or the raw 32-byte seed.
    ///
    /// # Errors
    /// None of these, or another algorithm than Ed25519.
    pub fn from_key_file(bytes: &[u8]) -> Result<SigningKey, KeyError> {
        let der = pem_or_der(bytes, "PRIVATE KEY")?;
        let seed = match der.len() {
            32 => der.as_slice(),
            48 => der.strip_prefix(PKCS8_PREFIX.as_slice()).ok_or_else(|| {
                KeyError::new("not an Ed25519 private key (PKCS#8 v1)")
            })?,
            _ => return Err(KeyError::new(
                "not an Ed25519 private key: expected PEM PKCS#8, 48 bytes of DER or a 32-byte seed",
            )),
        };
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| KeyError::new("not an Ed25519 private key"))?;
        Ok(SigningKey::from_seed(&seed))
    }

    /// The key as PEM PKCS#8 (`-----BEGIN PRIVATE KEY-----`).
    #[must_use]
    pub fn to_pem(&self) -> String {
        let mut der = PKCS8_PREFIX.to_vec();
        der.extend_from_slice(&self.0.to_bytes());
        pem("PRIVATE KEY", &der)
    }

    /// The public half.
    #[must_use]
    pub fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey(self.0.verifying_key())
    }
}

/// How a service authenticates a table before using it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verifier {
    /// The table must carry a valid signature by this key.
    Key(VerifyingKey),
    /// The table's [`Digest`] must be this one (for deployers without keys:
    /// pin the digest `verdict inspect` printed when the table was made).
    Digest(Digest),
}

/// Checks `bytes` against `verifier` before anything in them is trusted.
pub(crate) fn verify(bytes: &[u8], verifier: &Verifier) -> Result<(), LoadError> {
    let len = bytes.len() as u64;
    if len > wire::MAX_FILE {
        return Err(LoadError::new(LoadErrorKind::TooLarge {
            len,
            limit: wire::MAX_FILE,
        }));
    }
    let signed = bytes.get(..wire::signed_len(bytes)).unwrap_or_default();
    match verifier {
        Verifier::Digest(expected) => {
            let found = Digest::of(signed);
            if found != *expected {
                return Err(LoadError::new(LoadErrorKind::DigestMismatch {
                    expected: expected.to_string(),
                    found: found.to_string(),
                }));
            }
        }
        Verifier::Key(key) => {
            let Some((signer, signature)) = wire::signature_of(bytes) else {
                return Err(LoadError::new(LoadErrorKind::NotSigned));
            };
            if signer != key.to_bytes() {
                return Err(LoadError::new(LoadErrorKind::WrongKey {
                    fingerprint: Digest::of(&signer).to_string(),
                }));
            }
            let message = signed_message(&Digest::of(signed));
            let signature = ed25519_dalek::Signature::from_bytes(&signature);
            key.0
                .verify_strict(&message, &signature)
                .map_err(|_| LoadError::new(LoadErrorKind::BadSignature))?;
        }
    }
    Ok(())
}

/// What the signature signs: the domain string, then the digest.
fn signed_message(digest: &Digest) -> Vec<u8> {
    let mut message = wire::SIGNATURE_DOMAIN.to_vec();
    message.extend_from_slice(&digest.0);
    message
}

impl Table {
    /// [`Table::from_bytes`], after checking `bytes` against `verifier`: a
    /// valid signature by its key, or its digest. Nothing of the bytes is
    /// decoded before they are authenticated.
    ///
    /// # Errors
    /// Too large, not signed, signed by another key, a signature or digest
    /// that does not match, or any error of [`Table::from_bytes`].
    ///
    /// # Panics
    /// Never, whatever the bytes.
    pub fn from_bytes_verified(bytes: &[u8], verifier: &Verifier) -> Result<Table, LoadError> {
        verify(bytes, verifier)?;
        Table::from_bytes(bytes)
    }

    /// [`Table::open`], checking the file's bytes against `verifier` before
    /// anything else (see [`Table::from_bytes_verified`]).
    ///
    /// # Errors
    /// Any error of [`Table::open`] or [`Table::from_bytes_verified`].
    ///
    /// # Panics
    /// Never.
    pub fn open_verified(path: impl AsRef<Path>, verifier: &Verifier) -> Result<Table, LoadError> {
        let bytes = crate::table::read_file(path.as_ref())?;
        verify(&bytes, verifier)?;
        Table::from_shared_bytes(bytes)
    }

    /// Whether this table, already loaded, passes `verifier` (as
    /// [`Table::from_bytes_verified`] would have checked it).
    ///
    /// # Errors
    /// As [`Table::from_bytes_verified`].
    pub fn verify(&self, verifier: &Verifier) -> Result<(), LoadError> {
        verify(self.as_bytes(), verifier)
    }

    /// The SHA-256 of the table's signed part: its header and body, without
    /// the signature section. For an unsigned table, of the whole file.
    #[must_use]
    pub fn digest(&self) -> Digest {
        let bytes = self.as_bytes();
        Digest::of(bytes.get(..wire::signed_len(bytes)).unwrap_or_default())
    }

    /// The key whose signature the table carries (not verified: see
    /// [`Table::verify`]), if it is signed.
    #[must_use]
    pub fn signer(&self) -> Option<VerifyingKey> {
        let (key, _) = wire::signature_of(self.as_bytes())?;
        VerifyingKey::from_bytes(&key).ok()
    }

    /// The table's bytes signed by `key`: the signed flag set, the checksum
    /// recomputed, a signature section appended (replacing any earlier one).
    /// [`Table::from_bytes_verified`] with `key`'s public half accepts them.
    #[cfg(feature = "sign")]
    #[must_use]
    pub fn to_signed_bytes(&self, key: &SigningKey) -> Vec<u8> {
        use ed25519_dalek::Signer as _;
        let mut out = wire::to_be_signed(self.as_bytes());
        let message = signed_message(&Digest::of(&out));
        let signature = key.0.sign(&message).to_bytes();
        wire::append_signature(&mut out, &key.verifying_key().to_bytes(), &signature);
        out
    }
}

/// The DER inside a PEM block labelled `label`, or `bytes` themselves when
/// they are not PEM text.
fn pem_or_der(bytes: &[u8], label: &str) -> Result<Vec<u8>, KeyError> {
    let Some(text) = std::str::from_utf8(bytes)
        .ok()
        .filter(|t| t.trim_start().starts_with("-----BEGIN "))
    else {
        return Ok(bytes.to_vec());
    };
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or_default();
    if first != begin {
        return Err(KeyError::new(format!(
            "expected a PEM `{label}` block, found `{first}`"
        )));
    }
    let mut body = String::new();
    for line in lines.by_ref() {
        if line == end {
            if lines.next().is_some() {
                return Err(KeyError::new("text after the PEM block"));
            }
            return decode_base64(&body).ok_or_else(|| KeyError::new("invalid base64 in PEM"));
        }
        body.push_str(line);
    }
    Err(KeyError::new(format!("no `{end}` line")))
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding, strictly: no other characters, unused bits zero.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let n_pad = bytes.iter().rev().take_while(|&&b| b == b'=').count();
    if n_pad > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let mut acc = 0u32;
    let data = bytes.get(..bytes.len() - n_pad)?;
    for (idx, &b) in data.iter().enumerate() {
        let value = BASE64.iter().position(|&c| c == b)? as u32;
        acc = (acc << 6) | value;
        if idx % 4 == 3 {
            out.extend_from_slice(&acc.to_be_bytes()[1..]);
            acc = 0;
        }
    }
    match n_pad {
        0 => {}
        1 => {
            // 18 bits: two bytes, two zero bits.
            if acc & 0b11 != 0 {
                return None;
            }
            out.extend_from_slice(&((acc >> 2) as u16).to_be_bytes());
        }
        _ => {
            // 12 bits: one byte, four zero bits.
            if acc & 0b1111 != 0 {
                return None;
            }
            out.push((acc >> 4) as u8);
        }
    }
    Some(out)
}

fn encode_base64(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let acc = (b(0) << 16) | (b(1) << 8) | b(2);
        for i in 0..4 {
            if i <= chunk.len() {
                let idx = ((acc >> (18 - 6 * i)) & 63) as usize;
                out.push(BASE64.get(idx).map_or('A', |&c| c as char));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = encode_base64(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
#[cfg(feature = "sign")]
mod tests;
