//! One file per command. Each `run` takes the command's parsed `Args`
//! (`crate::args`), the diagnostic settings when it renders diagnostics
//! ([`Shown`]), and the [`Io`](crate::Io); it returns the exit status, or a
//! [`CliError`](crate::CliError) that `crate::run` renders once. No argument
//! parsing happens here beyond reading those structs.

pub(crate) mod audit;
pub mod batch;
pub(crate) mod bench;
pub(crate) mod check;
pub(crate) mod compile;
pub(crate) mod completions;
pub(crate) mod convert;
pub(crate) mod diff;
pub mod explain;
pub(crate) mod export;
pub(crate) mod fmt;
pub(crate) mod inspect;
pub(crate) mod keygen;
pub(crate) mod lint;
pub(crate) mod man;
pub(crate) mod query;
pub mod reach;
pub(crate) mod verify;
pub(crate) mod version;

use crate::render::MessageFormat;

/// How diagnostics and errors are shown: the global `--message-format` and
/// `--all-diagnostics`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shown {
    pub(crate) format: MessageFormat,
    pub(crate) all_diagnostics: bool,
}
