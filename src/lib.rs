//! The `verdict` command line. [`run`] parses the arguments (`args.rs`),
//! hands the command's `Args` to its file under `cmd/`, and renders the
//! error a command returns, once; `main.rs` and the integration tests call
//! it with an [`Io`].
//!
//! The rooms: `args.rs` the clap types; `cmd/` one file per command, each
//! `run(args, …, io) -> Result<status, CliError>`; `files.rs` every file read
//! and written (over the bounded `files/fsio.rs`); `inputs.rs` what the
//! command line hands the compiler and the runtime (sources, `--limit`,
//! `--context`); `render.rs` the one diagnostic renderer (and `sarif.rs` its
//! SARIF logs); the rest are helpers of several commands (`access.rs`,
//! `lookup.rs`, `residual.rs`, `progress.rs`, `signing.rs`,
//! `strict_json.rs`, `synth.rs`).
//!
//! Exit statuses (the contract of DESIGN.md):
//! - `check`: 0 allow, 1 deny or implicit-deny, 2 any error.
//! - `compile`: 0 compiled, 1 the inputs have errors, 2 usage or IO errors
//!   (a file that cannot be read at all, an include or import too).
//! - `check --batch`: 0 when every line was answered (lines may carry
//!   `"decision":"error"`), 2 when the table or the batch cannot be read.
//! - `inspect`: 0, or 2 on errors.
//! - `lint`: 0 no errors (and no warnings with `--deny-warnings`), 1 errors
//!   or denied warnings, 2 usage or IO errors (as `compile`).
//! - `diff`: 0 no `--fail-on` condition matched, 1 one matched, 2 errors.
//! - `who-can`, `what-can`: 0, or 1 when the `--fail-if-any` gate fails,
//!   2 on errors; `export`: 0, or 2 on errors.
//! - `reach`: 0 when the principal may perform the action, directly or by
//!   assuming roles; 1 when not; 2 any error.
//! - `bench`: 0, or 2 on errors.
//! - `fmt`: 0 formatted; with `--check` 0 nothing would change, 1 some file
//!   would change; 2 any error (syntax error, unreadable or unwritable file).
//! - `convert`: 0 converted, 1 the input has errors or cannot be expressed in
//!   the target language, 2 usage or IO errors.
//! - `explain`: 0 allow, 1 deny or implicit-deny, 2 any error (a table
//!   without provenance included).
//! - `keygen`: 0, or 2 on errors; `verify`: 0 verified, 1 not, 2 errors.
//! - `audit`: 0 no `--fail-on` condition matched, 1 one matched, 2 errors.
//! - `version`: 0; `completions`, `man`: 0, or 2 on errors.
//!
//! A closed standard output is no error for any command
//! (`files::closed_output`).
//!
//! `--limit NAME=N` (repeatable) sets the bounds on inputs: for `compile`
//! the compiler's [`Limits`](verdict_compiler::Limits), for `check` the
//! per-request `RequestLimits` of `cmd/batch.rs`.
#![forbid(unsafe_code)]

mod access;
mod args;
mod cmd;
mod files;
mod inputs;
pub mod lookup;
mod progress;
pub mod render;
pub mod residual;
pub mod sarif;
mod signing;
mod strict_json;
pub mod synth;

pub use cmd::{batch, explain, reach};
pub use render::MessageFormat;

use std::ffi::OsString;
use std::io::{BufRead, Write};

use clap::Parser;

use args::{Cli, Command};

/// Exit status: the check allowed / the command succeeded.
pub const EXIT_OK: i32 = 0;
/// Exit status: the check denied (explicitly or implicitly) / the inputs have errors.
pub const EXIT_DENY: i32 = 1;
/// Exit status: any error (bad arguments, unreadable or invalid table, unknown names).
pub const EXIT_ERROR: i32 = 2;

/// The standard streams of one run.
pub struct Io<'a> {
    pub stdin: &'a mut dyn BufRead,
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    /// Colour in human diagnostics.
    pub color: bool,
    /// Draw progress spinners on the process's real standard error (the
    /// binary sets it when standard error is a terminal; tests leave it off).
    pub progress: bool,
}

/// A command's failure: the message [`run`] renders (in the
/// `--message-format` chosen), and the exit status.
#[derive(Debug)]
pub(crate) struct CliError {
    /// `None` when the command reported the failure itself (diagnostics
    /// rendered with their sources).
    message: Option<String>,
    status: i32,
}

impl CliError {
    /// A failure with exit status `status` (1 for "the inputs have errors",
    /// 2 for usage and IO errors).
    pub(crate) fn with_status(status: i32, message: impl Into<String>) -> CliError {
        CliError {
            message: Some(message.into()),
            status,
        }
    }

    /// A failure the command has reported already, as diagnostics: only
    /// the exit status is left.
    pub(crate) fn reported(status: i32) -> CliError {
        CliError {
            message: None,
            status,
        }
    }
}

/// A plain message is an error of exit status 2.
impl From<String> for CliError {
    fn from(message: String) -> CliError {
        CliError::with_status(EXIT_ERROR, message)
    }
}

impl From<&str> for CliError {
    fn from(message: &str) -> CliError {
        CliError::from(message.to_string())
    }
}

/// What a command returns: its exit status, or the error `run` renders.
pub(crate) type CmdResult = Result<i32, CliError>;

/// Runs the command line and returns the exit status.
pub fn run<I, T>(args: I, io: &mut Io<'_>) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let status = if err.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_OK
            };
            let text = err.render().to_string();
            let out: &mut dyn Write = if err.use_stderr() {
                io.stderr
            } else {
                io.stdout
            };
            let _ = write!(out, "{text}");
            return status;
        }
    };
    let shown = cmd::Shown {
        format: cli.message_format,
        all_diagnostics: cli.all_diagnostics,
    };
    let result = match cli.command {
        Command::Compile(args) => cmd::compile::run(args, shown, io),
        Command::Lint(args) => cmd::lint::run(args, shown, io),
        Command::Diff(args) => cmd::diff::run(args, shown, io),
        Command::WhoCan(args) => cmd::query::run_who_can(args, io),
        Command::WhatCan(args) => cmd::query::run_what_can(args, io),
        Command::Export(args) => cmd::export::run(args, io),
        Command::Explain(args) => cmd::explain::run(args, io),
        Command::Check(args) => cmd::check::run(args, io),
        Command::Inspect(args) => cmd::inspect::run(args, io),
        Command::Keygen(args) => cmd::keygen::run(args, io),
        Command::Verify(args) => cmd::verify::run(args, io),
        Command::Reach(args) => cmd::reach::run(args, io),
        Command::Bench(args) => cmd::bench::run(args, io),
        Command::Audit(args) => cmd::audit::run(args, shown, io),
        Command::Fmt(args) => cmd::fmt::run(args, shown, io),
        Command::Convert(args) => cmd::convert::run(args, shown, io),
        Command::Version(args) => cmd::version::run(args, io),
        Command::Completions(args) => cmd::completions::run(args, io),
        Command::Man(args) => cmd::man::run(args, io),
    };
    match result {
        Ok(status) => status,
        Err(err) => {
            if let Some(message) = &err.message {
                render::plain_error(io, shown.format, message);
            }
            err.status
        }
    }
}
