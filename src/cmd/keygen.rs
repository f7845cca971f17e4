//! `verdict keygen -o KEY`: a new Ed25519 key pair, the private key in KEY
//! (PEM PKCS#8, mode 0600) and the public key in KEY.pub (PEM); existing
//! files are never overwritten.

use std::io::Read;
use std::path::{Path, PathBuf};

use verdict_runtime::SigningKey;

use crate::args::KeygenArgs;
use crate::files::{fsio, io_reason};
use crate::{CmdResult, Io, EXIT_OK};

/// 32 bytes from the operating system's random source.
fn random_seed() -> Result<[u8; 32], String> {
    // A character device, so deliberately not through the bounded reader;
    // exactly 32 bytes are read.
    let mut seed = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut seed))
        .map_err(|e| format!("cannot read `/dev/urandom`: {}", io_reason(&e)))?;
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
pub(crate) fn run(args: KeygenArgs, io: &mut Io<'_>) -> CmdResult {
    let output = args.output.as_path();
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
    let verifying = result?;
    let _ = writeln!(
        io.stderr,
        "wrote private key `{}` and public key `{}` (sha256:{})",
        output.display(),
        public.display(),
        verifying.fingerprint()
    );
    Ok(EXIT_OK)
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
