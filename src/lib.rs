//! The `verdict` command line: argument parsing, file IO and the one
//! diagnostic renderer. Every subcommand is a function here taking parsed
//! arguments and an [`Io`]; `run` is the single entry point, used by the
//! binary and by the integration tests.
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
//!
//! A closed standard output is no error for any command ([`closed_output`]).
//! - `diff`: 0 no `--fail-on` condition matched, 1 one matched, 2 errors.
//! - `who-can`, `what-can`, `export`: 0, or 2 on errors.
//! - `reach`: 0 when the principal may perform the action, directly or by
//!   assuming roles; 1 when not; 2 any error.
//! - `bench`: 0, or 2 on errors.
//! - `fmt`: 0 formatted; with `--check` 0 nothing would change, 1 some file
//!   would change; 2 any error (syntax error, unreadable or unwritable file).
//! - `convert`: 0 converted, 1 the input has errors or cannot be expressed in
//!   the target language, 2 usage or IO errors.
//! - `explain`: 0 allow, 1 deny or implicit-deny, 2 any error (a table
//!   without provenance included).
//!
//! `--limit NAME=N` (repeatable) sets the bounds on inputs: for `compile`
//! the compiler's [`Limits`](verdict_compiler::Limits), for `check` the
//! per-request [`batch::RequestLimits`].
#![forbid(unsafe_code)]

mod access;
pub mod batch;
mod bench;
mod convert;
mod diff;
pub mod explain;
mod export;
mod fmt;
mod fsio;
mod lint;
mod progress;
mod query;
pub mod reach;
pub mod render;
pub mod residual;
mod signing;
mod strict_json;
pub mod synth;

use std::ffi::OsString;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};
use verdict_compiler::model::ScpLevel;
use verdict_compiler::{Catalog, Config, FileLoader, Input, Limits};
use verdict_runtime::{Context, ContextValue, Decision, Table};

pub use render::MessageFormat;

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

#[derive(Parser, Debug)]
#[command(
    name = "verdict",
    version,
    about = "Compile IAM policies into a decision table and answer checks from it"
)]
struct Cli {
    /// How diagnostics are printed.
    #[arg(long, value_enum, global = true, default_value = "human")]
    message_format: MessageFormat,
    /// Show every diagnostic in the human format (by default, after the
    /// first few of one code the rest are only counted).
    #[arg(long, global = true)]
    all_diagnostics: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Compile policies (.vp DSL, IAM JSON, account dumps) into a table file.
    #[command(
        after_help = "Exit status: 0 compiled, 1 the inputs have errors (no table written), 2 usage or IO errors (an input file that cannot be read included)."
    )]
    Compile {
        /// Input files: `.vp` DSL files, IAM JSON policy documents, account dumps.
        inputs: Vec<PathBuf>,
        /// An AWS account dump (`aws iam get-account-authorization-details`);
        /// repeat for several accounts (principals are then `ACCOUNT:user/NAME`).
        #[arg(long = "aws-account", value_name = "FILE")]
        aws_account: Vec<PathBuf>,
        /// A service control policy governing every account, attached at a
        /// level: `root` (the default), `ou/NAME` or `account`. SCPs at one
        /// level are alternatives; every level must allow.
        #[arg(long = "scp", value_name = "[LEVEL=]FILE")]
        scp: Vec<String>,
        /// A folder of AWS managed policy documents, `NAME.json` each, for
        /// policies a dump attaches but does not include.
        #[arg(long = "managed-policies", value_name = "DIR")]
        managed_policies: Vec<PathBuf>,
        /// Action catalog: `chime` (default), `aws`, or a catalog file.
        #[arg(long, value_name = "NAME|FILE", default_value = "chime")]
        catalog: String,
        /// Where to write the table.
        #[arg(short = 'o', long = "output", value_name = "TABLE")]
        output: PathBuf,
        /// Treat warnings as errors.
        #[arg(long)]
        deny_warnings: bool,
        /// Print no warnings, only errors, and no progress or summary.
        #[arg(long, short = 'q')]
        quiet: bool,
        /// Print how long each phase took (lower, lint, build, encode, explain, write) to stderr.
        #[arg(long)]
        timings: bool,
        /// Set a limit, e.g. `statements=100000` or `input-bytes=256MiB`;
        /// limits: input-bytes, json-depth, string-bytes, statements,
        /// policies, principals, files.
        #[arg(long = "limit", value_name = "NAME=N")]
        limits: Vec<String>,
        /// Also write the provenance section, for `verdict explain`: where each
        /// statement comes from and how each principal got it.
        #[arg(long)]
        explain: bool,
        /// Sign the table with this Ed25519 private key (PEM PKCS#8, DER or a
        /// raw 32-byte seed; `verdict keygen` makes one).
        #[arg(long, value_name = "KEY")]
        sign: Option<PathBuf>,
    },
    /// Make an Ed25519 key pair for signing tables: KEY (private, mode 0600)
    /// and KEY.pub (public), both PEM.
    #[command(
        after_help = "Existing files are never overwritten.\nExit status: 0, or 2 on errors."
    )]
    Keygen {
        /// Where to write the private key; the public key goes to KEY.pub.
        #[arg(short = 'o', long = "output", value_name = "KEY")]
        output: PathBuf,
    },
    /// Check a table's signature (or its digest) before anything else of it is trusted.
    #[command(
        after_help = "Exit status: 0 verified, 1 not verified (unsigned, another key, a bad signature or digest, or damaged), 2 usage or IO errors."
    )]
    Verify {
        /// The table file.
        table: PathBuf,
        /// The signer's public key (PEM, DER or raw 32 bytes).
        #[arg(
            long,
            value_name = "PUB",
            required_unless_present = "digest",
            conflicts_with = "digest"
        )]
        key: Option<PathBuf>,
        /// The expected SHA-256 digest, as `verdict inspect` prints it.
        #[arg(long, value_name = "SHA256")]
        digest: Option<String>,
    },
    /// Print every finding (errors, warnings, policy lints) without writing a table.
    #[command(
        after_help = "Exit status: 0 no errors (warnings allowed), 1 errors, or warnings with --deny-warnings, 2 usage or IO errors (an input file that cannot be read included)."
    )]
    Lint {
        /// Input files: `.vp` DSL files, IAM JSON policy documents, account dumps.
        inputs: Vec<PathBuf>,
        /// An AWS account dump (`aws iam get-account-authorization-details`).
        #[arg(long = "aws-account", value_name = "FILE")]
        aws_account: Vec<PathBuf>,
        /// Action catalog: `chime` (default), `aws`, or a catalog file.
        #[arg(long, value_name = "NAME|FILE", default_value = "chime")]
        catalog: String,
        /// Exit 1 on warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Show every permission gained and lost between two tables (or sources).
    #[command(
        after_help = "OLD and NEW are tables (files starting with the table magic) or sources (.vp, IAM JSON, account dumps) compiled with --catalog.\n\
        Exit status: 0 no --fail-on condition matched, 1 a --fail-on condition matched, 2 any error."
    )]
    Diff {
        /// The table or source before the change.
        old: PathBuf,
        /// The table or source after the change.
        new: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: diff::DiffFormat,
        /// Exit 1 when: `gained` (any action gained), `lost`, `any` (any cell changed), or an access level (`write`, `permissions-management`, …: any action of that level gained). Repeatable.
        #[arg(long, value_name = "gained|lost|any|LEVEL", value_parser = diff::FailOn::parse)]
        fail_on: Vec<diff::FailOn>,
        /// Catalog for sources compiled on the fly: `chime` (default), `aws`, or a file.
        #[arg(long, value_name = "NAME|FILE", default_value = "chime")]
        catalog: String,
        /// Write to FILE instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// List the principals allowed (or conditionally allowed) to perform an action.
    #[command(after_help = "Exit status: 0, or 2 on errors.")]
    WhoCan {
        /// The table file.
        table: PathBuf,
        /// Action: `service:Action` (case-insensitive).
        action: String,
        /// Also principals that may perform it by assuming roles (transitively),
        /// with the shortest chain.
        #[arg(long)]
        via_roles: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: query::QueryFormat,
    },
    /// List the actions a principal is allowed (or conditionally allowed), by access level.
    WhatCan {
        /// The table file.
        table: PathBuf,
        /// Principal: `user/NAME`, `role/NAME`, or its ARN.
        principal: String,
        /// Only actions of this access level (`list`, `read`, `write`, `permissions-management`, `tagging`).
        #[arg(long, value_name = "LEVEL", value_parser = access::level_arg)]
        access_level: Option<verdict_runtime::AccessLevel>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: query::QueryFormat,
    },
    /// Export the table: matrix as CSV or JSON, principal graph as DOT, or an HTML report.
    Export {
        /// The table file.
        table: PathBuf,
        /// Output format.
        #[arg(long, value_enum)]
        format: export::ExportFormat,
        /// CSV layout: `long` (principal,action,access,decision for every cell but implicit-deny) or `wide` (a column per action).
        #[arg(long, value_enum, default_value = "long")]
        layout: export::CsvLayout,
        /// Write to FILE instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Explain a decision: the statements that decided it, with policy, Sid, file and line.
    #[command(
        after_help = "Needs a table compiled with `verdict compile --explain`.\n\
        Exit status: 0 allow, 1 deny or implicit-deny, 2 any error (no provenance in the table included)."
    )]
    Explain {
        /// The table file (compiled with `--explain`).
        table: PathBuf,
        /// Principal: `user/NAME`, `role/NAME`, `assumed-role/ROLE/SESSION`,
        /// `federated-user/NAME`, or its ARN.
        principal: String,
        /// Action: `service:Action` (case-insensitive).
        action: String,
        /// The resource ARN of the request (default `*`).
        #[arg(long, value_name = "ARN")]
        resource: Option<String>,
        /// Request context `KEY=VALUE`; a key given twice is multi-valued.
        #[arg(long, value_name = "KEY=VALUE")]
        context: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: query::QueryFormat,
    },
    /// Answer one check (`allow`, `deny` or `implicit-deny`), or a batch.
    #[command(
        after_help = "Exit status: 0 allow, 1 deny or implicit-deny, 2 any error.\n\
        With --batch: 0 when every line was answered (a bad line gets \"decision\":\"error\"), 2 when the table or batch cannot be read."
    )]
    Check {
        /// The table file.
        table: PathBuf,
        /// Principal: `user/NAME`, `role/NAME`, `assumed-role/ROLE/SESSION`,
        /// `federated-user/NAME` (as `ACCOUNT:user/NAME` in a table of several
        /// accounts), or its ARN.
        #[arg(required_unless_present = "batch")]
        principal: Option<String>,
        /// Action: `service:Action` (case-insensitive).
        #[arg(required_unless_present = "batch")]
        action: Option<String>,
        /// The resource ARN of the request (default `*`).
        #[arg(long, value_name = "ARN", conflicts_with = "batch")]
        resource: Option<String>,
        /// Request context `KEY=VALUE`; a key given twice is multi-valued.
        #[arg(long, value_name = "KEY=VALUE", conflicts_with = "batch")]
        context: Vec<String>,
        /// JSON lines of requests from FILE, or `-` for standard input.
        #[arg(long, value_name = "FILE|-", conflicts_with_all = ["principal", "action"])]
        batch: Option<String>,
        /// Set a request limit, e.g. `context-keys=5000`; limits:
        /// line-bytes, context-keys, context-values, resource-bytes, value-bytes.
        #[arg(long = "limit", value_name = "NAME=N")]
        limits: Vec<String>,
        /// Use the table only if it is signed by this public key.
        #[arg(long, value_name = "PUB", conflicts_with = "digest")]
        key: Option<PathBuf>,
        /// Use the table only if its SHA-256 digest is this one.
        #[arg(long, value_name = "SHA256")]
        digest: Option<String>,
    },
    /// May a principal perform an action, directly or by assuming roles
    /// (transitively)? Prints the shortest chain.
    #[command(
        after_help = "Exit status: 0 allowed (directly or through a chain of roles), 1 not, 2 any error."
    )]
    Reach {
        /// The table file.
        table: PathBuf,
        /// Principal, as for `check`.
        principal: String,
        /// Action: `service:Action` (case-insensitive).
        action: String,
        /// The resource ARN of the request (default `*`); each role assumption
        /// is a request on the role's ARN.
        #[arg(long, value_name = "ARN")]
        resource: Option<String>,
        /// Request context `KEY=VALUE`, for the action and every role
        /// assumption; a key given twice is multi-valued.
        #[arg(long, value_name = "KEY=VALUE")]
        context: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: reach::OutputFormat,
    },
    /// Describe a table: principals, actions, classes, cells, size, format.
    Inspect {
        /// The table file.
        table: PathBuf,
        /// What to print.
        #[arg(long, value_enum, default_value = "all")]
        show: InspectPart,
    },
    /// Measure a table: load time and random checks (by names, by ids, conditional)
    /// against a hash map; or, with --generate, write a synthetic organisation.
    #[command(
        override_usage = "verdict bench TABLE [--checks N] [--seed S] [--format text|json]\n       \
        verdict bench --generate --users N [--groups G] [--policies P] [--roles R] [--seed S] [--catalog chime|aws|FILE] [--dump] -o FILE",
        after_help = "Timings are medians over batches of 1,024 checks; requests are deterministic by --seed.\nExit status: 0, or 2 on errors."
    )]
    Bench(bench::BenchArgs),
    /// Lay out `.vp` files canonically, keeping every comment.
    #[command(
        after_help = "Files are rewritten in place (atomically), and only when they change; `-` formats standard input to standard output.\n\
        Exit status: 0 formatted (with --check: nothing would change), 1 with --check: some file would change (listed on stdout), 2 any error (syntax errors: nothing is written)."
    )]
    Fmt {
        /// `.vp` files, or `-` for standard input.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
        /// Write nothing; list the files that would change.
        #[arg(long)]
        check: bool,
    },
    /// Convert policies between the DSL and IAM JSON, to standard output.
    #[command(
        after_help = "--to json: a .vp file with one policy prints its IAM JSON document; with several, choose one with --policy NAME or print {\"NAME\": document, ...} with --all. Inline policies are named KIND/ENTITY/POLICY, SCPs scp/NAME, `trust { ... }` policies trust/ROLE. Users, groups and roles have no IAM policy JSON form.\n\
        --to dsl: one IAM JSON policy document becomes `policy NAME { ... }`, NAME from the file name or --name.\n\
        Exit status: 0 converted, 1 the input has errors or cannot be expressed in the target language, 2 usage or IO errors."
    )]
    Convert {
        /// The language to convert to.
        #[arg(long, value_enum)]
        to: convert::Target,
        /// A `.vp` file (`--to json`) or an IAM JSON policy document (`--to dsl`); `-` for standard input.
        file: String,
        /// The policy of the `.vp` file to convert (`--to json`).
        #[arg(long, value_name = "NAME", conflicts_with = "all")]
        policy: Option<String>,
        /// Convert every policy of the `.vp` file into one JSON object (`--to json`).
        #[arg(long)]
        all: bool,
        /// The name of the DSL policy (`--to dsl`; default: the file name without extension).
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum InspectPart {
    /// Summary, principals, actions and the class grid.
    All,
    /// Only the summary.
    Summary,
}

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
    let format = cli.message_format;
    let all_diagnostics = cli.all_diagnostics;
    match cli.command {
        Command::Compile {
            inputs,
            aws_account,
            scp,
            managed_policies,
            catalog,
            output,
            deny_warnings,
            quiet,
            timings,
            limits,
            explain,
            sign,
        } => {
            let mut config = Limits::default();
            let set = |name: &str, value: usize| config.set(name, value);
            if let Err(why) = apply_limits(&limits, set) {
                render::plain_error(io, format, &why);
                return EXIT_ERROR;
            }
            compile(
                &Sources {
                    inputs: &inputs,
                    dumps: &aws_account,
                    scps: &scp,
                    managed_policies: &managed_policies,
                },
                &catalog,
                &output,
                &config,
                CompileFlags {
                    deny_warnings,
                    quiet,
                    timings,
                    explain,
                    all_diagnostics,
                    sign: sign.as_deref(),
                },
                format,
                io,
            )
        }
        Command::Lint {
            inputs,
            aws_account,
            catalog,
            deny_warnings,
        } => lint::run(
            &inputs,
            &aws_account,
            &catalog,
            deny_warnings,
            (format, all_diagnostics),
            io,
        ),
        Command::Diff {
            old,
            new,
            format: diff_format,
            fail_on,
            catalog,
            output,
        } => diff::run(
            &old,
            &new,
            &catalog,
            diff_format,
            &fail_on,
            output.as_deref(),
            format,
            io,
        ),
        Command::WhoCan {
            table,
            action,
            via_roles: false,
            format: out,
        } => query::run_who_can(&table, &action, out, format, io),
        Command::WhoCan {
            table,
            action,
            via_roles: true,
            format: out,
        } => {
            let out = match out {
                query::QueryFormat::Text => reach::OutputFormat::Text,
                query::QueryFormat::Json => reach::OutputFormat::Json,
            };
            reach::who_can_command(&table, &action, true, out, format, io)
        }
        Command::WhatCan {
            table,
            principal,
            access_level,
            format: out,
        } => query::run_what_can(&table, &principal, access_level, out, format, io),
        Command::Export {
            table,
            format: export_format,
            layout,
            output,
        } => export::run(&table, export_format, layout, output.as_deref(), format, io),
        Command::Explain {
            table,
            principal,
            action,
            resource,
            context,
            format: out,
        } => explain::run(
            &table,
            &principal,
            &action,
            resource.as_deref(),
            &context,
            out,
            format,
            io,
        ),
        Command::Check {
            table,
            principal,
            action,
            resource,
            context,
            batch,
            limits,
            key,
            digest,
        } => {
            let mut request_limits = batch::RequestLimits::default();
            let set = |name: &str, value: usize| request_limits.set(name, value);
            if let Err(why) = apply_limits(&limits, set) {
                render::plain_error(io, format, &why);
                return EXIT_ERROR;
            }
            let verifier = if key.is_some() || digest.is_some() {
                match signing::verifier(key.as_deref(), digest.as_deref()) {
                    Ok(verifier) => Some(verifier),
                    Err(why) => {
                        render::plain_error(io, format, &why);
                        return EXIT_ERROR;
                    }
                }
            } else {
                None
            };
            let table = TableSource {
                path: &table,
                verifier: verifier.as_ref(),
            };
            match batch {
                Some(source) => batch::run(table, &source, &request_limits, format, io),
                None => check(
                    table,
                    principal.as_deref().unwrap_or_default(),
                    action.as_deref().unwrap_or_default(),
                    resource.as_deref(),
                    &context,
                    &request_limits,
                    format,
                    io,
                ),
            }
        }
        Command::Inspect { table, show } => inspect(&table, show, format, io),
        Command::Keygen { output } => signing::keygen(&output, format, io),
        Command::Verify { table, key, digest } => {
            signing::verify(&table, key.as_deref(), digest.as_deref(), format, io)
        }
        Command::Reach {
            table,
            principal,
            action,
            resource,
            context,
            format: output,
        } => reach::reach(
            &table,
            &principal,
            &action,
            resource.as_deref(),
            &context,
            output,
            format,
            io,
        ),
        Command::Bench(args) => bench::run(args, format, io),
        Command::Fmt { files, check } => fmt::run(&files, check, format, io),
        Command::Convert {
            to,
            file,
            policy,
            all,
            name,
        } => {
            let request = convert::Request {
                to,
                file: &file,
                policy: policy.as_deref(),
                all,
                name: name.as_deref(),
            };
            convert::run(&request, format, io)
        }
    }
}

/// Applies `--limit NAME=N` options through `set`.
fn apply_limits(
    options: &[String],
    mut set: impl FnMut(&str, usize) -> Result<(), String>,
) -> Result<(), String> {
    for option in options {
        let (name, value) = option
            .split_once('=')
            .ok_or_else(|| format!("invalid `--limit {option}`: expected NAME=N"))?;
        let value = parse_size(value)
            .map_err(|why| format!("invalid `--limit {option}`: `{value}` {why}"))?;
        set(name, value).map_err(|why| format!("invalid `--limit {option}`: {why}"))?;
    }
    Ok(())
}

/// A non-negative number, `_` allowed between digits, optionally followed by
/// `KiB`, `MiB` or `GiB`.
fn parse_size(text: &str) -> Result<usize, &'static str> {
    const NOT_A_NUMBER: &str = "is not a number (e.g. 100000, 1_000_000 or 256MiB)";
    let (digits, unit) = [("KiB", 1usize << 10), ("MiB", 1 << 20), ("GiB", 1 << 30)]
        .iter()
        .find_map(|&(suffix, unit)| text.strip_suffix(suffix).map(|d| (d, unit)))
        .unwrap_or((text, 1));
    let well_formed = !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    if !well_formed {
        return Err(NOT_A_NUMBER);
    }
    digits
        .replace('_', "")
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .ok_or("is too large")
}

/// Reads files for the compiler from the file system through the bounded
/// reader: regular files only, at most `max_bytes`.
struct FsLoader {
    max_bytes: usize,
    /// Some load failed because the file could not be opened at all
    /// (missing, a directory, a special file, no permission), rather than
    /// refused for its size or content, which the inputs' errors report.
    unreadable: bool,
}

impl FsLoader {
    fn new(max_bytes: usize) -> FsLoader {
        FsLoader {
            max_bytes,
            unreadable: false,
        }
    }
}

impl FileLoader for FsLoader {
    fn load(&mut self, path: &str) -> Result<String, String> {
        let file = fsio::open_regular(Path::new(path)).inspect_err(|_| self.unreadable = true)?;
        fsio::read_text_from(file, self.max_bytes, " (raise with --limit input-bytes=N)")
    }
}

/// `res`, except that a closed standard output (its reader went away, as
/// with `| head -1`: EPIPE, since Rust programs ignore SIGPIPE) is not an
/// error: the command stops writing and ends quietly.
pub(crate) fn closed_output(res: std::io::Result<()>) -> std::io::Result<()> {
    match res {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "is a directory".to_string(),
        std::io::ErrorKind::NotADirectory => "a parent is not a directory".to_string(),
        _ => err.to_string().to_lowercase(),
    }
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Loads a catalog by built-in name or from a file.
fn load_catalog(spec: &str) -> Result<Catalog, String> {
    if let Some(builtin) = Catalog::builtin(spec) {
        return Ok(builtin);
    }
    if !Path::new(spec).exists() {
        return Err(format!(
            "unknown catalog `{spec}`: not `chime`, `aws`, or an existing file"
        ));
    }
    let max_bytes = verdict_grammar::MAX_INPUT_BYTES;
    let text = FsLoader::new(max_bytes)
        .load(spec)
        .map_err(|why| format!("cannot read catalog `{spec}`: {why}"))?;
    let name = Path::new(spec)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(spec);
    Catalog::from_text(name, &text).map_err(|e| format!("invalid catalog `{spec}`: {e}"))
}

/// The inputs of `compile`, as given on the command line.
struct Sources<'a> {
    inputs: &'a [PathBuf],
    dumps: &'a [PathBuf],
    /// `[LEVEL=]FILE`.
    scps: &'a [String],
    managed_policies: &'a [PathBuf],
}

impl Sources<'_> {
    /// The compiler's inputs: files in order, then dumps, SCPs, and the
    /// `.json` files of the managed-policy folders (sorted by name).
    fn to_inputs(&self) -> Result<Vec<Input>, String> {
        let mut all: Vec<Input> = self
            .inputs
            .iter()
            .map(|p| Input::auto(path_text(p)))
            .collect();
        all.extend(self.dumps.iter().map(|p| Input::account_dump(path_text(p))));
        for spec in self.scps {
            let (level, path) = parse_scp_spec(spec)?;
            all.push(Input::scp(path, level));
        }
        for dir in self.managed_policies {
            let entries = std::fs::read_dir(dir).map_err(|e| {
                format!(
                    "cannot read `--managed-policies {}`: {}",
                    dir.display(),
                    io_reason(&e)
                )
            })?;
            let mut files: Vec<PathBuf> = entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
                .collect();
            files.sort();
            all.extend(files.iter().map(|p| Input::managed_policy(path_text(p))));
        }
        Ok(all)
    }
}

/// `--scp [LEVEL=]FILE`: LEVEL is `root`, `ou/NAME` or `account`; without
/// one (or when the text before `=` is no level but the whole is a file),
/// the root.
fn parse_scp_spec(spec: &str) -> Result<(ScpLevel, String), String> {
    let Some((level, path)) = spec.split_once('=') else {
        return Ok((ScpLevel::Root, spec.to_string()));
    };
    let level = match level {
        "root" => ScpLevel::Root,
        "account" => ScpLevel::Account,
        _ => match level.strip_prefix("ou/").filter(|ou| !ou.is_empty()) {
            Some(ou) => ScpLevel::Ou(ou.to_string()),
            None if Path::new(spec).is_file() => return Ok((ScpLevel::Root, spec.to_string())),
            None => {
                return Err(format!(
                    "`--scp {spec}`: unknown level `{level}`; levels are `root`, `ou/NAME` and `account`"
                ))
            }
        },
    };
    Ok((level, path.to_string()))
}

/// The switches of `compile`.
#[derive(Clone, Copy, Debug)]
struct CompileFlags<'a> {
    deny_warnings: bool,
    quiet: bool,
    timings: bool,
    /// Write the provenance section.
    explain: bool,
    /// Show every diagnostic in the human format.
    all_diagnostics: bool,
    /// Sign the table with the private key in this file.
    sign: Option<&'a Path>,
}

/// Runs the compiler over the inputs with the catalog `catalog`, showing a
/// spinner when `progress`. Errors are usage errors (no inputs, bad catalog).
pub(crate) fn compile_inputs(
    sources: &Sources<'_>,
    catalog: &str,
    limits: &Limits,
    progress: bool,
) -> Result<Compiled, String> {
    compile_inputs_with(sources, catalog, limits, progress, false)
}

/// A compilation of the command line's inputs.
pub(crate) struct Compiled {
    pub(crate) out: verdict_compiler::Compilation,
    /// Some file could not be read at all (missing, a directory, no
    /// permission): exit status 2, whatever the other diagnostics.
    pub(crate) unreadable: bool,
    /// How long the provenance section took, with `--explain`.
    explain_took: Option<std::time::Duration>,
}

/// [`compile_inputs`], adding the provenance section when `explain` (and
/// timing it).
fn compile_inputs_with(
    sources: &Sources<'_>,
    catalog: &str,
    limits: &Limits,
    progress: bool,
    explain: bool,
) -> Result<Compiled, String> {
    if sources.inputs.is_empty() && sources.dumps.is_empty() {
        return Err("no inputs: give policy files, DSL files or --aws-account dumps".to_string());
    }
    let all = sources.to_inputs()?;
    let catalog = load_catalog(catalog)?;
    let config = Config {
        catalog,
        limits: *limits,
    };
    let spinner = progress::Progress::new(progress);
    let mut loader = FsLoader::new(limits.input_bytes);
    let mut out = verdict_compiler::compile_observed(&all, &config, &mut loader, &mut |phase| {
        spinner.phase(phase)
    });
    let mut took = None;
    if explain && out.table.is_some() {
        spinner.message("recording provenance");
        let start = std::time::Instant::now();
        verdict_compiler::provenance::attach(&mut out, &config.catalog);
        took = Some(start.elapsed());
    }
    spinner.finish();
    Ok(Compiled {
        out,
        unreadable: loader.unreadable,
        explain_took: took,
    })
}

fn compile(
    sources: &Sources<'_>,
    catalog: &str,
    output: &Path,
    limits: &Limits,
    flags: CompileFlags<'_>,
    format: MessageFormat,
    io: &mut Io<'_>,
) -> i32 {
    // The key is read first: a bad key fails before a long compile.
    let key = match flags.sign.map(signing::read_signing_key).transpose() {
        Ok(key) => key,
        Err(why) => {
            render::plain_error(io, format, &why);
            return EXIT_ERROR;
        }
    };
    let show_progress = io.progress && !flags.quiet;
    let Compiled {
        out,
        unreadable,
        explain_took,
    } = match compile_inputs_with(sources, catalog, limits, show_progress, flags.explain) {
        Ok(compiled) => compiled,
        Err(why) => {
            render::plain_error(io, format, &why);
            return EXIT_ERROR;
        }
    };
    let n_warnings = out.diagnostics.iter().filter(|d| !d.is_error()).count();
    let shown: Vec<_> = out
        .diagnostics
        .iter()
        .filter(|d| d.is_error() || !flags.quiet)
        .cloned()
        .collect();
    render::diagnostics_with(io, format, &out.sources, &shown, flags.all_diagnostics);
    let mut phases: Vec<(&str, std::time::Duration)> =
        out.timings.iter().map(|(p, d)| (p.name(), *d)).collect();
    if let Some(took) = explain_took {
        phases.push(("explain", took));
    }
    let failed = out.has_errors() || (flags.deny_warnings && n_warnings > 0);
    let Some(table) = out.table.filter(|_| !failed) else {
        if flags.timings {
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
        render::plain_error(io, format, &why);
        return if unreadable { EXIT_ERROR } else { EXIT_DENY };
    };
    let start = std::time::Instant::now();
    let signed = key.map(|key| table.to_signed_bytes(&key));
    let bytes = signed.as_deref().unwrap_or(table.as_bytes());
    let written = write_atomically(output, bytes);
    phases.push(("write", start.elapsed()));
    if flags.timings {
        let _ = write!(io.stderr, "{}", progress::timings(&phases));
    }
    if let Err(why) = written {
        render::plain_error(
            io,
            format,
            &format!("cannot write `{}`: {why}", output.display()),
        );
        return EXIT_ERROR;
    }
    if format == MessageFormat::Human && !flags.quiet {
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
    EXIT_OK
}

/// Writes a command's output, produced by `write`, to `path` (atomically)
/// or to standard output. Output is streamed: exports and diffs of large
/// tables are never held in memory whole.
pub(crate) fn write_output(
    path: Option<&Path>,
    io: &mut Io<'_>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    match path {
        Some(path) => write_atomically_with(path, write)
            .map_err(|why| format!("cannot write `{}`: {why}", path.display())),
        None => closed_output(write(io.stdout).and_then(|()| io.stdout.flush()))
            .map_err(|e| format!("cannot write to standard output: {}", io_reason(&e))),
    }
}

/// Writes `bytes` to a temporary file beside `path`, syncs it, and renames it
/// over `path`: readers see the old table or the new one, never a part.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    write_atomically_with(path, |file| file.write_all(bytes))
}

/// [`write_atomically`] with the content written by `write`, buffered.
fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    fsio::write_atomically(path, None, write)
}

/// Loads a table file; every failure (missing, a directory, unreadable,
/// damaged, another format version) is an error saying why.
/// A table file to load, and what must vouch for it (`check --key` or
/// `--digest`) before it is used.
#[derive(Clone, Copy)]
pub(crate) struct TableSource<'a> {
    pub(crate) path: &'a Path,
    pub(crate) verifier: Option<&'a verdict_runtime::Verifier>,
}

impl TableSource<'_> {
    /// The table, verified first when a verifier is given: a table that
    /// fails verification is never used.
    pub(crate) fn open(self) -> Result<Table, String> {
        let path = self.path;
        let cannot =
            |why: &dyn std::fmt::Display| format!("cannot load table `{}`: {why}", path.display());
        // The bounded reader's refusals, in its words; `Table::open` then
        // reads the file with the same care (regular files only, bounded,
        // never blocking) straight into the table's buffer.
        fsio::open_regular(path).map_err(|why| cannot(&why))?;
        match self.verifier {
            None => Table::open(path).map_err(|e| cannot(&e)),
            Some(verifier) => Table::open_verified(path, verifier)
                .map_err(|err| format!("`{}` is not verified: {err}", path.display())),
        }
    }
}

/// The table file at `path`, unverified.
pub(crate) fn open_table(path: &Path) -> Result<Table, String> {
    TableSource {
        path,
        verifier: None,
    }
    .open()
}

/// Parses `--context KEY=VALUE` options: a key given once is single-valued, a
/// key given twice or more (case-insensitively) multivalued (SEMANTICS C7).
pub(crate) fn parse_context(
    items: &[String],
    limits: &batch::RequestLimits,
) -> Result<Context, String> {
    let mut keys = std::collections::HashSet::new();
    for item in items {
        if let Some((key, _)) = item.split_once('=') {
            keys.insert(key.to_ascii_lowercase());
        }
    }
    limits.check_context(keys.len(), items.len())?;
    let mut context = Context::new();
    for item in items {
        let (key, value) = item
            .split_once('=')
            .ok_or_else(|| format!("context `{item}` is not KEY=VALUE"))?;
        if key.is_empty() {
            return Err(format!("context `{item}` has an empty key"));
        }
        let value = match context.get(key) {
            None => ContextValue::Single(value.to_string()),
            Some(ContextValue::Single(first)) => {
                ContextValue::Multi(vec![first.clone(), value.to_string()])
            }
            Some(ContextValue::Multi(values)) => {
                let mut values = values.clone();
                values.push(value.to_string());
                ContextValue::Multi(values)
            }
        };
        context.insert(key, value);
    }
    Ok(context)
}

#[expect(
    clippy::too_many_arguments,
    reason = "one parameter per command-line option"
)]
fn check(
    table: TableSource<'_>,
    principal: &str,
    action: &str,
    resource: Option<&str>,
    context: &[String],
    limits: &batch::RequestLimits,
    format: MessageFormat,
    io: &mut Io<'_>,
) -> i32 {
    let result = (|| {
        let context = parse_context(context, limits)?;
        let table = table.open()?;
        let p = table.principal(principal).map_err(|e| e.to_string())?;
        let a = table.action(action).map_err(|e| e.to_string())?;
        let request = verdict_runtime::Request {
            resource: resource.unwrap_or("*"),
            context: &context,
        };
        table
            .try_check_with(p, a, &request, &limits.runtime())
            .map_err(|why| batch::over_limit(&why))
    })();
    match result {
        Ok(decision) => {
            let _ = writeln!(io.stdout, "{decision}");
            if decision == Decision::Allow {
                EXIT_OK
            } else {
                EXIT_DENY
            }
        }
        Err(why) => {
            render::plain_error(io, format, &why);
            EXIT_ERROR
        }
    }
}

fn inspect(path: &Path, show: InspectPart, format: MessageFormat, io: &mut Io<'_>) -> i32 {
    let table = match open_table(path) {
        Ok(t) => t,
        Err(why) => {
            render::plain_error(io, format, &why);
            return EXIT_ERROR;
        }
    };
    let _ = write_inspection(&table, path, show, io.stdout);
    EXIT_OK
}

fn write_inspection(
    table: &Table,
    path: &Path,
    show: InspectPart,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    use verdict_runtime::Cell;
    let n_rows = table.n_row_classes() as u32;
    let n_cols = table.n_col_classes() as u32;
    let mut counts = [0usize; 4];
    for p in table.principals() {
        for a in table.actions() {
            counts[table.cell(p, a) as usize] += 1;
        }
    }
    writeln!(out, "table: {}", path.display())?;
    writeln!(out, "format version: {}", table.format_version())?;
    writeln!(out, "bytes: {}", table.byte_len())?;
    for line in signing::inspection(table) {
        writeln!(out, "{line}")?;
    }
    writeln!(
        out,
        "catalog: {} ({} actions)",
        table.catalog(),
        table.n_actions()
    )?;
    writeln!(out, "principals: {}", table.n_principals())?;
    writeln!(out, "row classes: {n_rows}")?;
    writeln!(out, "column classes: {n_cols}")?;
    writeln!(
        out,
        "cells: {} (allow {}, deny {}, implicit-deny {}, conditional {})",
        table.n_principals() * table.n_actions(),
        counts[Cell::Allow as usize],
        counts[Cell::Deny as usize],
        counts[Cell::ImplicitDeny as usize],
        counts[Cell::Conditional as usize]
    )?;
    writeln!(
        out,
        "class grid: {n_rows} × {n_cols} cells, {} conditional",
        table.n_conditional_cells()
    )?;
    writeln!(out, "residual programs: {}", table.n_residuals())?;
    let n_conditional_edges = table.trust_edges().filter(|e| e.residual.is_some()).count();
    writeln!(
        out,
        "trust edges: {} ({n_conditional_edges} conditional)",
        table.n_trust_edges()
    )?;
    writeln!(
        out,
        "provenance: {}",
        explain::summary(table).unwrap_or_else(|| "none (compile with --explain)".to_string())
    )?;
    if show == InspectPart::Summary {
        return Ok(());
    }
    writeln!(
        out,
        "\nprincipals (row class: allow/deny/implicit-deny actions):"
    )?;
    for p in table.principals() {
        let mut c = [0usize; 4];
        for a in table.actions() {
            c[table.cell(p, a) as usize] += 1;
        }
        writeln!(
            out,
            "  {:<40} row {:>4}  allow {:>5}  deny {:>5}  implicit-deny {:>5}",
            table.principal_name(p),
            table.row_class(p),
            c[Cell::Allow as usize],
            c[Cell::Deny as usize],
            c[Cell::ImplicitDeny as usize]
        )?;
    }
    writeln!(out, "\nactions (column class, access level):")?;
    for a in table.actions() {
        writeln!(
            out,
            "  {:<60} col {:>4}  {}",
            table.action_name(a),
            table.col_class(a),
            table.action_access(a)
        )?;
    }
    if table.n_residuals() > 0 {
        writeln!(
            out,
            "\nresidual programs (id: class-grid cells using it: program):"
        )?;
        let mut uses = vec![0usize; table.n_residuals()];
        for (_, _, id) in table.conditional_cells() {
            if let Some(n) = uses.get_mut(id as usize) {
                *n += 1;
            }
        }
        for (id, residual) in table.residuals().iter().enumerate() {
            writeln!(
                out,
                "  {id:>4}: {:>5} cells  {}  [can give {}]",
                uses[id],
                residual::describe(residual, table.atoms()),
                table.residual_outcomes(id as u32)
            )?;
        }
    }
    if table.n_trust_edges() > 0 {
        writeln!(out, "\ntrust edges (who may assume which role):")?;
        for edge in table.trust_edges() {
            let condition = table
                .trust_residual(edge)
                .map(|r| format!(": {}", residual::describe(r, table.atoms())))
                .unwrap_or_default();
            writeln!(
                out,
                "  {} → {}{condition}",
                table.principal_name(edge.from),
                table.principal_name(edge.to)
            )?;
        }
    }
    writeln!(out, "\nclass grid (rows = row classes, columns = column classes; A allow, D deny, . implicit-deny, ? conditional, d deny or implicit-deny under a condition):")?;
    for r in 0..n_rows {
        let line: String = (0..n_cols)
            .map(|c| access::Shown::of(table, r, c).char())
            .collect();
        writeln!(out, "  {r:>4} {line}")?;
    }
    Ok(())
}
