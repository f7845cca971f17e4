//! `verdict lint`: the compiler's front end over the inputs, every finding
//! printed (errors, warnings and the `W04xx` policy lints), no table written.
//!
//! Findings go to standard output (they are the command's result), in the
//! `--message-format` chosen (the human one summarised per code unless
//! `--all-diagnostics`); a one-line count goes to standard error.

use std::path::PathBuf;

use crate::render;
use crate::{MessageFormat, EXIT_DENY, EXIT_ERROR, EXIT_OK};

/// Runs `verdict lint`. Exit status: 0 no errors (and no warnings with
/// `--deny-warnings`), 1 errors or denied warnings, 2 usage errors or a file
/// that cannot be read.
pub fn run(
    inputs: &[PathBuf],
    dumps: &[PathBuf],
    catalog: &str,
    deny_warnings: bool,
    (format, all_diagnostics): (MessageFormat, bool),
    io: &mut crate::Io<'_>,
) -> i32 {
    let sources = crate::Sources {
        inputs,
        dumps,
        scps: &[],
        managed_policies: &[],
    };
    let crate::Compiled {
        out, unreadable, ..
    } = match crate::compile_inputs(
        &sources,
        catalog,
        &verdict_compiler::Limits::default(),
        false,
    ) {
        Ok(out) => out,
        Err(why) => {
            render::plain_error(io, format, &why);
            return EXIT_ERROR;
        }
    };
    {
        let mut unused = Vec::new();
        let mut to_stdout = crate::Io {
            stdin: &mut *io.stdin,
            stdout: &mut unused,
            stderr: &mut *io.stdout,
            // `io.color` is about standard error; findings go to standard output.
            color: io.color && std::io::IsTerminal::is_terminal(&std::io::stdout()),
            progress: false,
        };
        render::diagnostics_with(
            &mut to_stdout,
            format,
            &out.sources,
            &out.diagnostics,
            all_diagnostics,
        );
    }
    let n_errors = out.diagnostics.iter().filter(|d| d.is_error()).count();
    let n_warnings = out.diagnostics.len() - n_errors;
    if format == MessageFormat::Human {
        let n_files = out.sources.files().count();
        let _ = writeln!(
            io.stderr,
            "lint: {n_errors} error(s), {n_warnings} warning(s) in {n_files} file(s)"
        );
    }
    if unreadable {
        EXIT_ERROR
    } else if n_errors > 0 || (deny_warnings && n_warnings > 0) {
        EXIT_DENY
    } else {
        EXIT_OK
    }
}
