//! `verdict version [--format json]`: verdict's version, the table format
//! version it writes (and the ones it reads), and how it was built (rustc,
//! target, profile; from `build.rs`).

use crate::args::{QueryFormat, VersionArgs};
use crate::{CmdResult, Io, EXIT_OK};

/// Runs `verdict version`: always 0.
pub(crate) fn run(args: VersionArgs, io: &mut Io<'_>) -> CmdResult {
    let version = env!("CARGO_PKG_VERSION");
    let format = verdict_runtime::FORMAT_VERSION;
    let (rustc, target, profile) = (
        env!("VERDICT_BUILD_RUSTC"),
        env!("VERDICT_BUILD_TARGET"),
        env!("VERDICT_BUILD_PROFILE"),
    );
    let _ = match args.format.format {
        QueryFormat::Text => writeln!(
            io.stdout,
            "verdict {version}\ntable format: {format}\nbuilt: {rustc}, {target}, {profile}{}",
            if cfg!(debug_assertions) {
                " (debug assertions)"
            } else {
                ""
            }
        ),
        QueryFormat::Json => writeln!(
            io.stdout,
            "{}",
            serde_json::json!({
                "name": "verdict",
                "version": version,
                "table_format_version": format,
                "build": {
                    "rustc": rustc,
                    "target": target,
                    "profile": profile,
                    "debug_assertions": cfg!(debug_assertions),
                },
            })
        ),
    };
    Ok(EXIT_OK)
}
