//! The `verdict` command line: argument parsing, file IO and the one
//! diagnostic renderer. Every subcommand is a function here taking parsed
//! arguments and an [`Io`]; `run` is the single entry point, used by the
//! binary and by the integration tests.
//!
//! Exit statuses (the contract of DESIGN.md):
//! - `check`: 0 allow, 1 deny or implicit-deny, 2 any error.
//! - `compile`: 0 compiled, 1 the inputs have errors, 2 usage or IO errors.
//! - `check --batch`: 0 when every line was answered (lines may carry
//!   `"decision":"error"`), 2 when the table or the batch cannot be read.
//! - `inspect`: 0, or 2 on errors.
#![forbid(unsafe_code)]

mod batch;
mod render;
pub mod residual;
pub mod synth;

use std::ffi::OsString;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};
use verdict_compiler::model::ScpLevel;
use verdict_compiler::{Catalog, Config, FileLoader, Input};
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
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Compile policies (.vp DSL, IAM JSON, account dumps) into a table file.
    #[command(
        after_help = "Exit status: 0 compiled, 1 the inputs have errors (no table written), 2 usage or IO errors."
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
        /// Print no warnings, only errors.
        #[arg(long, short = 'q')]
        quiet: bool,
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
    },
    /// Describe a table: principals, actions, classes, cells, size, format.
    Inspect {
        /// The table file.
        table: PathBuf,
        /// What to print.
        #[arg(long, value_enum, default_value = "all")]
        show: InspectPart,
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
        } => compile(
            &Sources {
                inputs: &inputs,
                dumps: &aws_account,
                scps: &scp,
                managed_policies: &managed_policies,
            },
            &catalog,
            &output,
            deny_warnings,
            quiet,
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
        } => match batch {
            Some(source) => batch::run(&table, &source, format, io),
            None => check(
                &table,
                principal.as_deref().unwrap_or_default(),
                action.as_deref().unwrap_or_default(),
                resource.as_deref(),
                &context,
                format,
                io,
            ),
        },
        Command::Inspect { table, show } => inspect(&table, show, format, io),
    }
}

/// Reads files for the compiler from the file system.
struct FsLoader;

impl FileLoader for FsLoader {
    fn load(&mut self, path: &str) -> Result<String, String> {
        let meta = std::fs::metadata(path).map_err(|e| io_reason(&e))?;
        if meta.len() > verdict_grammar::MAX_INPUT_BYTES as u64 {
            return Err(format!(
                "larger than {} bytes",
                verdict_grammar::MAX_INPUT_BYTES
            ));
        }
        let bytes = std::fs::read(path).map_err(|e| io_reason(&e))?;
        String::from_utf8(bytes)
            .map_err(|e| format!("not UTF-8 (byte {})", e.utf8_error().valid_up_to()))
    }
}

fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
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
    let text = FsLoader
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

fn compile(
    sources: &Sources<'_>,
    catalog: &str,
    output: &Path,
    deny_warnings: bool,
    quiet: bool,
    format: MessageFormat,
    io: &mut Io<'_>,
) -> i32 {
    if sources.inputs.is_empty() && sources.dumps.is_empty() {
        render::plain_error(
            io,
            format,
            "no inputs: give policy files, DSL files or --aws-account dumps",
        );
        return EXIT_ERROR;
    }
    let all = match sources.to_inputs() {
        Ok(all) => all,
        Err(why) => {
            render::plain_error(io, format, &why);
            return EXIT_ERROR;
        }
    };
    let catalog = match load_catalog(catalog) {
        Ok(c) => c,
        Err(why) => {
            render::plain_error(io, format, &why);
            return EXIT_ERROR;
        }
    };
    let config = Config { catalog };
    let out = verdict_compiler::compile(&all, &config, &mut FsLoader);
    let n_warnings = out.diagnostics.iter().filter(|d| !d.is_error()).count();
    let shown: Vec<_> = out
        .diagnostics
        .iter()
        .filter(|d| d.is_error() || !quiet)
        .cloned()
        .collect();
    render::diagnostics(io, format, &out.sources, &shown);
    let failed = out.has_errors() || (deny_warnings && n_warnings > 0);
    let Some(table) = out.table.filter(|_| !failed) else {
        let n_errors = out.diagnostics.iter().filter(|d| d.is_error()).count();
        let why = if n_errors > 0 {
            format!(
                "could not compile: {n_errors} error(s), {n_warnings} warning(s); no table written"
            )
        } else {
            format!("could not compile: {n_warnings} warning(s) denied by --deny-warnings; no table written")
        };
        render::plain_error(io, format, &why);
        return EXIT_DENY;
    };
    let bytes = table.as_bytes();
    if let Err(why) = write_atomically(output, bytes) {
        render::plain_error(
            io,
            format,
            &format!("cannot write `{}`: {why}", output.display()),
        );
        return EXIT_ERROR;
    }
    if format == MessageFormat::Human && !quiet {
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

/// Writes `bytes` to a temporary file beside `path`, syncs it, and renames it
/// over `path`: readers see the old table or the new one, never a part.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().ok_or("not a file name")?.to_string_lossy();
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp).map_err(|e| io_reason(&e))?;
        file.write_all(bytes).map_err(|e| io_reason(&e))?;
        file.sync_all().map_err(|e| io_reason(&e))?;
        std::fs::rename(&tmp, path).map_err(|e| io_reason(&e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

pub(crate) fn open_table(path: &Path) -> Result<Table, String> {
    Table::open(path).map_err(|e| format!("cannot load table `{}`: {e}", path.display()))
}

/// Parses `--context KEY=VALUE` options: a key given once is single-valued, a
/// key given twice or more (case-insensitively) multivalued (SEMANTICS C7).
pub(crate) fn parse_context(items: &[String]) -> Result<Context, String> {
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

fn check(
    table: &Path,
    principal: &str,
    action: &str,
    resource: Option<&str>,
    context: &[String],
    format: MessageFormat,
    io: &mut Io<'_>,
) -> i32 {
    let result = (|| {
        let context = parse_context(context)?;
        let table = open_table(table)?;
        let p = table.principal(principal).map_err(|e| e.to_string())?;
        let a = table.action(action).map_err(|e| e.to_string())?;
        let request = verdict_runtime::Request {
            resource: resource.unwrap_or("*"),
            context: &context,
        };
        Ok::<Decision, String>(table.check_with(p, a, &request))
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

fn cell_char(cell: verdict_runtime::Cell) -> char {
    match cell {
        verdict_runtime::Cell::Allow => 'A',
        verdict_runtime::Cell::Deny => 'D',
        verdict_runtime::Cell::ImplicitDeny => '.',
        verdict_runtime::Cell::Conditional => '?',
    }
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
            counts[table.check_ids(p, a) as usize] += 1;
        }
    }
    writeln!(out, "table: {}", path.display())?;
    writeln!(out, "format version: {}", table.format_version())?;
    writeln!(out, "bytes: {}", table.byte_len())?;
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
            c[table.check_ids(p, a) as usize] += 1;
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
                "  {id:>4}: {:>5} cells  {}",
                uses[id],
                residual::describe(residual, table.atoms())
            )?;
        }
    }
    writeln!(out, "\nclass grid (rows = row classes, columns = column classes; A allow, D deny, . implicit-deny, ? conditional):")?;
    for r in 0..n_rows {
        let line: String = (0..n_cols)
            .map(|c| cell_char(table.class_cell(r, c)))
            .collect();
        writeln!(out, "  {r:>4} {line}")?;
    }
    Ok(())
}
