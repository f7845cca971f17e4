//! `verdict lint`: the compiler's front end over the inputs, every finding
//! printed (errors, warnings and the `W04xx` policy lints), no table written.
//!
//! Findings go to standard output (they are the command's result), in the
//! `--message-format` chosen (the human one summarised per code unless
//! `--all-diagnostics`); a one-line count goes to standard error.

use verdict_compiler::Limits;

use crate::args::LintArgs;
use crate::cmd::Shown;
use crate::inputs::{compile_inputs, Compiled, Sources};
use crate::render::{self, MessageFormat};
use crate::{CmdResult, Io, EXIT_DENY, EXIT_ERROR, EXIT_OK};

/// Runs `verdict lint`. Exit status: 0 no errors (and no warnings with
/// `--deny-warnings`), 1 errors or denied warnings, 2 usage errors or a file
/// that cannot be read.
pub(crate) fn run(args: LintArgs, shown: Shown, io: &mut Io<'_>) -> CmdResult {
    let sources = Sources {
        inputs: &args.sources.inputs,
        dumps: &args.sources.aws_account,
        cfn_templates: &args.sources.cfn_template,
        templates: crate::inputs::template_settings(&args.sources)?,
        scps: &[],
        managed_policies: &[],
    };
    let Compiled {
        out, unreadable, ..
    } = compile_inputs(&sources, &args.catalog, &Limits::default(), false)?;
    {
        let mut unused = Vec::new();
        let mut to_stdout = Io {
            stdin: &mut *io.stdin,
            stdout: &mut unused,
            stderr: &mut *io.stdout,
            // `io.color` is about standard error; findings go to standard output.
            color: io.color && std::io::IsTerminal::is_terminal(&std::io::stdout()),
            progress: false,
        };
        render::diagnostics_with(
            &mut to_stdout,
            shown.format,
            &out.sources,
            &out.diagnostics,
            shown.all_diagnostics,
        );
    }
    let n_errors = out.diagnostics.iter().filter(|d| d.is_error()).count();
    let n_warnings = out.diagnostics.len() - n_errors;
    if shown.format == MessageFormat::Human {
        let n_files = out.sources.files().count();
        let _ = writeln!(
            io.stderr,
            "lint: {n_errors} error(s), {n_warnings} warning(s) in {n_files} file(s)"
        );
    }
    Ok(if unreadable {
        EXIT_ERROR
    } else if n_errors > 0 || (args.deny_warnings && n_warnings > 0) {
        EXIT_DENY
    } else {
        EXIT_OK
    })
}
