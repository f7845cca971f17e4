//! Key files and words of signed tables: the private key `compile --sign`
//! reads, the verifier of `--key PUB | --digest SHA256` (`check`, `verify`)
//! and the lines `inspect` prints about authenticity. The commands
//! themselves are `cmd/keygen.rs` and `cmd/verify.rs`.
//!
//! The cryptography and the key formats are the runtime's (`sign.rs`,
//! features `verify` and `sign`); here are only the files and the words.

use std::path::Path;

use verdict_runtime::{Digest, SigningKey, Table, Verifier, VerifyingKey};

use crate::files::fsio;

/// Key files are small; anything larger is not a key.
const MAX_KEY_BYTES: usize = 64 << 10;

/// Reads the private key at `path` (PEM PKCS#8, DER or a raw 32-byte seed).
pub(crate) fn read_signing_key(path: &Path) -> Result<SigningKey, String> {
    let cannot =
        |why: &dyn std::fmt::Display| format!("cannot read key `{}`: {why}", path.display());
    let bytes = fsio::read_bounded(path, MAX_KEY_BYTES).map_err(|e| cannot(&e.reason("")))?;
    SigningKey::from_key_file(&bytes).map_err(|e| cannot(&e))
}

/// Reads the public key at `path` (PEM SubjectPublicKeyInfo, DER or raw).
pub(crate) fn read_verifying_key(path: &Path) -> Result<VerifyingKey, String> {
    let cannot =
        |why: &dyn std::fmt::Display| format!("cannot read key `{}`: {why}", path.display());
    let bytes = fsio::read_bounded(path, MAX_KEY_BYTES).map_err(|e| cannot(&e.reason("")))?;
    VerifyingKey::from_key_file(&bytes).map_err(|e| cannot(&e))
}

/// The verifier of `--key PUB` or `--digest SHA256` (exactly one is given).
pub(crate) fn verifier(key: Option<&Path>, digest: Option<&str>) -> Result<Verifier, String> {
    match (key, digest) {
        (Some(path), None) => read_verifying_key(path).map(Verifier::Key),
        (None, Some(text)) => text
            .parse::<Digest>()
            .map(Verifier::Digest)
            .map_err(|e| format!("invalid `--digest {text}`: {e}")),
        _ => Err("give exactly one of `--key PUB` and `--digest SHA256`".to_string()),
    }
}

/// The `inspect` lines about authenticity: the digest, and the signature if any.
pub(crate) fn inspection(table: &Table) -> [String; 2] {
    let signature = match table.signer() {
        Some(key) => format!(
            "ed25519 by key sha256:{} (not verified here: `verdict verify TABLE --key PUB`)",
            key.fingerprint()
        ),
        None => "none (compile with --sign KEY)".to_string(),
    };
    [
        format!("digest: sha256:{}", table.digest()),
        format!("signature: {signature}"),
    ]
}
