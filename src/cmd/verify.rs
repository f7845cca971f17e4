//! `verdict verify TABLE (--key PUB | --digest SHA256)`: the table's
//! signature (or digest) checked before anything else of it is trusted;
//! 0 verified, 1 not (unsigned, another key, a bad signature, damaged),
//! 2 usage or IO errors.

use verdict_runtime::{Table, Verifier};

use crate::args::VerifyArgs;
use crate::files::fsio;
use crate::signing::verifier;
use crate::{CliError, CmdResult, Io, EXIT_DENY, EXIT_OK};

/// `verdict verify TABLE (--key PUB | --digest SHA256)`.
pub(crate) fn run(args: VerifyArgs, io: &mut Io<'_>) -> CmdResult {
    let table = args.table.as_path();
    let verifier = verifier(args.key.as_deref(), args.digest.as_deref())?;
    fsio::open_regular(table)
        .map_err(|why| format!("cannot load table `{}`: {why}", table.display()))?;
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
            Ok(EXIT_OK)
        }
        Err(err) => Err(CliError::with_status(
            EXIT_DENY,
            format!("`{}` is not verified: {err}", table.display()),
        )),
    }
}
