//! Signed tables on the command line: `verdict keygen` (an Ed25519 key pair
//! in PEM), the key `compile --sign` reads, and `verdict verify TABLE --key
//! PUB | --digest SHA256` (exit 0 verified, 1 not, 2 errors).
//!
//! The cryptography and the key formats are the runtime's (`sign.rs`,
//! features `verify` and `sign`); here are only the files and the words.

use std::io::Read;
use std::path::{Path, PathBuf};

use verdict_runtime::{Digest, SigningKey, Table, Verifier, VerifyingKey};

use crate::{fsio, render, Io, MessageFormat, EXIT_DENY, EXIT_ERROR, EXIT_OK};

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

/// 32 bytes from the operating system's random source.
fn random_seed() -> Result<[u8; 32], String> {
    // A character device, so deliberately not through the bounded reader;
    // exactly 32 bytes are read.
    let mut seed = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut seed))
        .map_err(|e| format!("cannot read `/dev/urandom`: {}", crate::io_reason(&e)))?;
    Ok(seed)
}

/// The public key's file beside the private key's `KEY`: `KEY.pub`.
fn public_path(private: &Path) -> PathBuf {
    let mut name = private.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// `verdict keygen -o KEY`: writes a new private key to KEY (mode 0600) and
/// its public key to KEY.pub; never overwrites an existing key.
pub(crate) fn keygen(output: &Path, format: MessageFormat, io: &mut Io<'_>) -> i32 {
    let public = public_path(output);
    let result = (|| {
        for path in [output, public.as_path()] {
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(format!(
                    "`{}` already exists; keys are never overwritten",
                    path.display()
                ));
            }
        }
        let key = SigningKey::from_seed(&random_seed()?);
        let private_mode = private_permissions();
        fsio::write_new(output, private_mode, |file| {
            file.write_all(key.to_pem().as_bytes())
        })
        .map_err(|why| format!("cannot write `{}`: {why}", output.display()))?;
        // The private key is on disk; its public half goes beside it.
        let verifying = key.verifying_key();
        fsio::write_new(&public, None, |file| {
            file.write_all(verifying.to_pem().as_bytes())
        })
        .map_err(|why| format!("cannot write `{}`: {why}", public.display()))?;
        Ok(verifying)
    })();
    match result {
        Ok(verifying) => {
            let _ = writeln!(
                io.stderr,
                "wrote private key `{}` and public key `{}` (sha256:{})",
                output.display(),
                public.display(),
                verifying.fingerprint()
            );
            EXIT_OK
        }
        Err(why) => {
            render::plain_error(io, format, &why);
            EXIT_ERROR
        }
    }
}

#[cfg(unix)]
fn private_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn private_permissions() -> Option<std::fs::Permissions> {
    None
}

/// `verdict verify TABLE (--key PUB | --digest SHA256)`.
pub(crate) fn verify(
    table: &Path,
    key: Option<&Path>,
    digest: Option<&str>,
    format: MessageFormat,
    io: &mut Io<'_>,
) -> i32 {
    let verifier = match verifier(key, digest) {
        Ok(v) => v,
        Err(why) => {
            render::plain_error(io, format, &why);
            return EXIT_ERROR;
        }
    };
    if let Err(why) = fsio::open_regular(table) {
        render::plain_error(
            io,
            format,
            &format!("cannot load table `{}`: {why}", table.display()),
        );
        return EXIT_ERROR;
    }
    match Table::open_verified(table, &verifier) {
        Ok(loaded) => {
            let by = match (&verifier, loaded.signer()) {
                (Verifier::Key(_), Some(signer)) => {
                    format!("signed by sha256:{}", signer.fingerprint())
                }
                _ => "digest as pinned".to_string(),
            };
            let _ = writeln!(
                io.stdout,
                "verified `{}`: {by}, digest sha256:{}",
                table.display(),
                loaded.digest()
            );
            EXIT_OK
        }
        Err(err) => {
            render::plain_error(
                io,
                format,
                &format!("`{}` is not verified: {err}", table.display()),
            );
            EXIT_DENY
        }
    }
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
