//! `verdict compile`: the sources compiled into a table file, with the
//! diagnostics rendered, `--timings` per phase, the provenance section with
//! `--explain`, and a signature with `--sign`. The file is written
//! atomically; nothing is written when the inputs have errors.

use verdict_compiler::Sections;

use crate::args::CompileArgs;
use crate::cmd::Shown;
use crate::files::write_atomically;
use crate::inputs::{Compiled, Pipeline, Run};
use crate::render::{self, MessageFormat};
use crate::{progress, signing, CliError, CmdResult, Io, EXIT_DENY, EXIT_ERROR, EXIT_OK};

/// Runs `verdict compile`: 0 compiled, 1 the inputs have errors, 2 usage or
/// IO errors (an unreadable input included).
pub(crate) fn run(args: CompileArgs, shown: Shown, io: &mut Io<'_>) -> CmdResult {
    let pipeline = Pipeline::new(&args.sources.options)?;
    // The key is read first: a bad key fails before a long compile.
    let key = args
        .sign
        .as_deref()
        .map(signing::read_signing_key)
        .transpose()?;
    let run = Run {
        progress: io.progress && !args.quiet,
        sections: Sections {
            provenance: args.explain,
        },
    };
    let Compiled { out, unreadable } = pipeline.compile(&args.sources.inputs, run)?;
    let n_warnings = out.diagnostics.iter().filter(|d| !d.is_error()).count();
    let shown_diagnostics: Vec<_> = out
        .diagnostics
        .iter()
        .filter(|d| d.is_error() || !args.quiet)
        .cloned()
        .collect();
    render::diagnostics_with(
        io,
        shown.format,
        &out.sources,
        &shown_diagnostics,
        shown.all_diagnostics,
    );
    let mut phases: Vec<(&str, std::time::Duration)> =
        out.timings.iter().map(|(p, d)| (p.name(), *d)).collect();
    let failed = out.has_errors() || (args.deny_warnings && n_warnings > 0);
    let Some(table) = out.table.filter(|_| !failed) else {
        if args.timings {
            let _ = write!(io.stderr, "{}", progress::timings(&phases));
        }
        let n_errors = out.diagnostics.iter().filter(|d| d.is_error()).count();
        let why = if n_errors > 0 {
            format!(
                "could not compile: {n_errors} error(s), {n_warnings} warning(s); no table written"
            )
        } else {
            format!("could not compile: {n_warnings} warning(s) denied by --deny-warnings; no table written")
        };
        let status = if unreadable { EXIT_ERROR } else { EXIT_DENY };
        if shown.format == MessageFormat::Sarif {
            // The log above is the whole report: a second document would
            // make standard error no SARIF file.
            return Err(CliError::reported(status));
        }
        return Err(CliError::with_status(status, why));
    };
    let start = std::time::Instant::now();
    let signed = key.map(|key| table.to_signed_bytes(&key));
    let bytes = signed.as_deref().unwrap_or(table.as_bytes());
    let output = &args.output;
    let written = write_atomically(output, bytes);
    phases.push(("write", start.elapsed()));
    if args.timings {
        let _ = write!(io.stderr, "{}", progress::timings(&phases));
    }
    written.map_err(|why| format!("cannot write `{}`: {why}", output.display()))?;
    if shown.format == MessageFormat::Human && !args.quiet {
        let _ = writeln!(
            io.stderr,
            "compiled {} principals × {} actions into `{}` ({} row classes, {} column classes, {} bytes)",
            table.n_principals(),
            table.n_actions(),
            output.display(),
            table.n_row_classes(),
            table.n_col_classes(),
            bytes.len()
        );
    }
    Ok(EXIT_OK)
}
