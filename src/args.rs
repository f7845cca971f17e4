//! The command line's shape, and nothing else: the clap types of `verdict`,
//! one `XArgs` struct per command, the groups several commands share
//! flattened into them, and the value enums of `--format`, `--layout`,
//! `--to` and `--show`. No command's work is done here; `run` (`lib.rs`)
//! hands each command its `Args` and an [`Io`](crate::Io).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::cmd::audit::FailOn as AuditFailOn;
use crate::cmd::diff::FailOn;
use crate::render::MessageFormat;

#[derive(Parser, Debug)]
#[command(
    name = "verdict",
    version,
    about = "Compile IAM policies into a decision table and answer checks from it"
)]
pub(crate) struct Cli {
    /// How diagnostics are printed.
    #[arg(long, value_enum, global = true, default_value = "human")]
    pub(crate) message_format: MessageFormat,
    /// Show every diagnostic in the human format (by default, after the
    /// first few of one code the rest are only counted).
    #[arg(long, global = true)]
    pub(crate) all_diagnostics: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Compile policies (.vp DSL, IAM JSON, account dumps) into a table file.
    #[command(
        after_help = "Exit status: 0 compiled, 1 the inputs have errors (no table written), 2 usage or IO errors (an input file that cannot be read included)."
    )]
    Compile(CompileArgs),
    /// Make an Ed25519 key pair for signing tables: KEY (private, mode 0600)
    /// and KEY.pub (public), both PEM.
    #[command(
        after_help = "Existing files are never overwritten.\nExit status: 0, or 2 on errors."
    )]
    Keygen(KeygenArgs),
    /// Check a table's signature (or its digest) before anything else of it is trusted.
    #[command(
        after_help = "Exit status: 0 verified, 1 not verified (unsigned, another key, a bad signature or digest, or damaged), 2 usage or IO errors."
    )]
    Verify(VerifyArgs),
    /// Print every finding (errors, warnings, policy lints) without writing a table.
    #[command(
        after_help = "Exit status: 0 no errors (warnings allowed), 1 errors, or warnings with --deny-warnings, 2 usage or IO errors (an input file that cannot be read included)."
    )]
    Lint(LintArgs),
    /// Show every permission gained and lost between two tables (or sources).
    #[command(
        after_help = "OLD and NEW are tables (files starting with the table magic) or sources (.vp, IAM JSON, account dumps). A side given as sources is compiled as `verdict compile` would, with the Inputs options: --aws-account, --scp and --managed-policies are added to each such side, and --catalog and --limit govern each; with two tables they are an error (README \"Inputs\").\n\
        Exit status: 0 no --fail-on condition matched, 1 a --fail-on condition matched, 2 any error."
    )]
    Diff(DiffArgs),
    /// List the principals allowed (or conditionally allowed) to perform an
    /// action, or each action a pattern matches.
    #[command(
        after_help = "Exit status: 0, or 1 with --fail-if-any when a principal no --except names may perform a matched action (said on stderr), 2 on errors (an unknown action, a pattern that matches none)."
    )]
    WhoCan(WhoCanArgs),
    /// List the actions a principal (or each principal a pattern matches) is
    /// allowed or conditionally allowed, by access level.
    #[command(
        after_help = "Exit status: 0, or 1 with --fail-if-any when a matched principal may perform an action no --except names (said on stderr), 2 on errors (an unknown principal, a pattern that matches none)."
    )]
    WhatCan(WhatCanArgs),
    /// Export the table: matrix as CSV or JSON, principal graph as DOT, or an HTML report.
    #[command(after_help = "Exit status: 0, or 2 on errors.")]
    Export(ExportArgs),
    /// Explain a decision: the statements that decided it, with policy, Sid, file and line.
    #[command(
        after_help = "Needs a table compiled with `verdict compile --explain`.\n\
        Exit status: 0 allow, 1 deny or implicit-deny, 2 any error (no provenance in the table included)."
    )]
    Explain(ExplainArgs),
    /// Answer one check (`allow`, `deny` or `implicit-deny`), or a batch.
    #[command(
        after_help = "Exit status: 0 allow, 1 deny or implicit-deny, 2 any error.\n\
        With --batch: 0 when every line was answered (a bad line gets \"decision\":\"error\"), 2 when the table or batch cannot be read."
    )]
    Check(CheckArgs),
    /// May a principal perform an action, directly or by assuming roles
    /// (transitively)? Prints the shortest chain.
    #[command(
        after_help = "Exit status: 0 allowed (directly or through a chain of roles), 1 not, 2 any error."
    )]
    Reach(ReachArgs),
    /// Describe a table: principals, actions, classes, cells, size, format.
    #[command(after_help = "Exit status: 0, or 2 on errors.")]
    Inspect(InspectArgs),
    /// Measure a table: load time and random checks (by names, by ids, conditional)
    /// against a hash map; or, with --generate, write a synthetic organisation.
    #[command(
        override_usage = "verdict bench TABLE [--checks N] [--seed S] [--format text|json]\n       \
        verdict bench --generate --users N [--groups G] [--policies P] [--roles R] [--seed S] [--catalog chime|aws|FILE] [--dump] -o FILE",
        after_help = "Timings are medians over batches of 1,024 checks; requests are deterministic by --seed.\nExit status: 0, or 2 on errors."
    )]
    Bench(BenchArgs),
    /// Security findings of a table: privilege escalation, who can become
    /// admin, exposure categories.
    Audit(AuditArgs),
    /// Lay out `.vp` files canonically, keeping every comment.
    #[command(
        after_help = "Files are rewritten in place (atomically), and only when they change; `-` formats standard input to standard output.\n\
        Exit status: 0 formatted (with --check: nothing would change), 1 with --check: some file would change (listed on stdout), 2 any error (syntax errors: nothing is written)."
    )]
    Fmt(FmtArgs),
    /// Convert policies between the DSL and IAM JSON, to standard output.
    #[command(
        after_help = "--to json: a .vp file with one policy prints its IAM JSON document; with several, choose one with --policy NAME or print {\"NAME\": document, ...} with --all. Inline policies are named KIND/ENTITY/POLICY, SCPs scp/NAME, `trust { ... }` policies trust/ROLE. Users, groups and roles have no IAM policy JSON form.\n\
        --to dsl: one IAM JSON policy document becomes `policy NAME { ... }`, NAME from the file name or --name.\n\
        Given any of the Inputs options (--aws-account, --scp, --managed-policies, --catalog, --limit), the file is first compiled with them as `verdict compile` would, and converted only without errors (README \"Inputs\").\n\
        Exit status: 0 converted, 1 the input has errors or cannot be expressed in the target language, 2 usage or IO errors."
    )]
    Convert(ConvertArgs),
    /// Print verdict's version, the table format it writes and how it was built.
    #[command(after_help = "`verdict --version` prints the version alone.\nExit status: 0.")]
    Version(VersionArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(
        after_help = "bash: `verdict completions bash > /etc/bash_completion.d/verdict`; zsh: into a folder of `$fpath` as `_verdict`; fish: `~/.config/fish/completions/verdict.fish`.\n\
        Exit status: 0, or 2 on errors."
    )]
    Completions(CompletionsArgs),
    /// Print the manual page, roff (`verdict man > verdict.1; man ./verdict.1`).
    #[command(after_help = "Exit status: 0, or 2 on errors.")]
    Man(ManArgs),
}

/// The clap definition of the whole command line, for the completion
/// scripts and the manual page.
pub(crate) fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// `verdict version`.
#[derive(Args, Debug)]
pub(crate) struct VersionArgs {
    #[command(flatten)]
    pub(crate) format: QueryFormatArgs,
}

/// `verdict completions`.
#[derive(Args, Debug)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

/// `verdict man`.
#[derive(Args, Debug)]
pub(crate) struct ManArgs {}

/// The sources of a compile: policy files and account dumps, and how they
/// are read (`compile`, `lint`; `diff`, `audit` and `convert` take their
/// files their own way and flatten [`CompileOptions`]).
#[derive(Args, Debug)]
pub(crate) struct SourceArgs {
    /// Input files: `.vp` DSL files, IAM JSON policy documents, account dumps.
    pub(crate) inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) options: CompileOptions,
}

/// The options of every compile, the same for the five commands that
/// compile sources (`compile`, `lint`, `diff`, `audit`, `convert`; README
/// "Inputs"). `inputs::Pipeline` turns them into a compile.
///
/// Adding an input kind (a template, a plan): a field here, its inputs in
/// `Pipeline::inputs` (and in `CompileOptions::first_given` and, if it
/// brings principals, `CompileOptions::has_principal_sources` in
/// `inputs.rs`), a row of the README "Inputs" table, and a row of `OPTIONS`
/// in `tests/pipeline.rs`.
#[derive(Args, Debug, Clone, Default)]
pub(crate) struct CompileOptions {
    /// An AWS account dump (`aws iam get-account-authorization-details`);
    /// repeat for several accounts (principals are then `ACCOUNT:user/NAME`).
    #[arg(long = "aws-account", value_name = "FILE", help_heading = "Inputs")]
    pub(crate) aws_account: Vec<PathBuf>,
    /// A service control policy governing every account, attached at a
    /// level: `root` (the default), `ou/NAME` or `account`. SCPs at one
    /// level are alternatives; every level must allow.
    #[arg(long = "scp", value_name = "[LEVEL=]FILE", help_heading = "Inputs")]
    pub(crate) scp: Vec<String>,
    /// A folder of AWS managed policy documents, `NAME.json` each, for
    /// policies a dump attaches but does not include.
    #[arg(long = "managed-policies", value_name = "DIR", help_heading = "Inputs")]
    pub(crate) managed_policies: Vec<PathBuf>,
    /// Action catalog: `chime` (the default), `aws`, or a catalog file.
    #[arg(long, value_name = "NAME|FILE", help_heading = "Inputs")]
    pub(crate) catalog: Option<String>,
    /// Set a limit, e.g. `statements=100000` or `input-bytes=256MiB`;
    /// limits: input-bytes, json-depth, string-bytes, statements,
    /// policies, principals, files.
    #[arg(long = "limit", value_name = "NAME=N", help_heading = "Inputs")]
    pub(crate) limits: Vec<String>,
    /// A CloudFormation template, JSON or YAML (`cdk synth` output too): its
    /// IAM resources, read as an account dump; repeatable. A `.yaml`/`.yml`
    /// input, or a JSON input with `Resources` of `AWS::` types, is one too.
    #[arg(long = "cfn-template", value_name = "FILE", help_heading = "Inputs")]
    pub(crate) cfn_template: Vec<PathBuf>,
    /// A template parameter's value (over its `Default`); repeatable.
    #[arg(long = "parameter", value_name = "NAME=VALUE", help_heading = "Inputs")]
    pub(crate) parameter: Vec<String>,
    /// The account templates deploy to (`AWS::AccountId`, the ARNs of their
    /// resources); without it they name the stand-in `000000000000`.
    #[arg(long = "account", value_name = "ID", help_heading = "Inputs")]
    pub(crate) account: Option<String>,
    /// The region templates deploy to (`AWS::Region`); without it a
    /// template that reads `AWS::Region` where it decides is an error.
    #[arg(long = "region", value_name = "NAME", help_heading = "Inputs")]
    pub(crate) region: Option<String>,
}

/// `verdict compile`.
#[derive(Args, Debug)]
pub(crate) struct CompileArgs {
    #[command(flatten)]
    pub(crate) sources: SourceArgs,
    /// Where to write the table.
    #[arg(short = 'o', long = "output", value_name = "TABLE")]
    pub(crate) output: PathBuf,
    /// Treat warnings as errors.
    #[arg(long)]
    pub(crate) deny_warnings: bool,
    /// Print no warnings, only errors, and no progress or summary.
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,
    /// Print how long each phase took (lower, lint, build, explain, encode, write) to stderr.
    #[arg(long)]
    pub(crate) timings: bool,
    /// Also write the provenance section, for `verdict explain`: where each
    /// statement comes from and how each principal got it.
    #[arg(long)]
    pub(crate) explain: bool,
    /// Sign the table with this Ed25519 private key (PEM PKCS#8, DER or a
    /// raw 32-byte seed; `verdict keygen` makes one).
    #[arg(long, value_name = "KEY")]
    pub(crate) sign: Option<PathBuf>,
}

/// `verdict keygen`.
#[derive(Args, Debug)]
pub(crate) struct KeygenArgs {
    /// Where to write the private key; the public key goes to KEY.pub.
    #[arg(short = 'o', long = "output", value_name = "KEY")]
    pub(crate) output: PathBuf,
}

/// `verdict verify`.
#[derive(Args, Debug)]
pub(crate) struct VerifyArgs {
    /// The table file.
    pub(crate) table: PathBuf,
    /// The signer's public key (PEM, DER or raw 32 bytes).
    #[arg(
        long,
        value_name = "PUB",
        required_unless_present = "digest",
        conflicts_with = "digest"
    )]
    pub(crate) key: Option<PathBuf>,
    /// The expected SHA-256 digest, as `verdict inspect` prints it.
    #[arg(long, value_name = "SHA256")]
    pub(crate) digest: Option<String>,
}

/// `verdict lint`.
#[derive(Args, Debug)]
pub(crate) struct LintArgs {
    #[command(flatten)]
    pub(crate) sources: SourceArgs,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub(crate) deny_warnings: bool,
}

/// `-o FILE` of the commands that print a report.
#[derive(Args, Debug)]
pub(crate) struct OutputArgs {
    /// Write to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

/// `verdict diff`.
#[derive(Args, Debug)]
pub(crate) struct DiffArgs {
    /// The table or source before the change.
    pub(crate) old: PathBuf,
    /// The table or source after the change.
    pub(crate) new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: DiffFormat,
    /// Exit 1 when: `gained` (any action gained), `lost`, `any` (any cell changed), or an access level (`write`, `permissions-management`, …: any action of that level gained). Repeatable.
    #[arg(long, value_name = "gained|lost|any|LEVEL", value_parser = FailOn::parse)]
    pub(crate) fail_on: Vec<FailOn>,
    /// How a side given as sources is compiled (both sides alike).
    #[command(flatten)]
    pub(crate) compile: CompileOptions,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// `--format text|json` of the query commands.
#[derive(Args, Debug)]
pub(crate) struct QueryFormatArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: QueryFormat,
}

/// `verdict who-can`.
#[derive(Args, Debug)]
pub(crate) struct WhoCanArgs {
    /// The table file.
    pub(crate) table: PathBuf,
    /// Action: `service:Action`, or a pattern with `*` and `?` such as
    /// `chime:Delete*` (case-insensitive, as policies match actions).
    pub(crate) action: String,
    /// Also principals that may perform it by assuming roles (transitively),
    /// with the shortest chain.
    #[arg(long)]
    pub(crate) via_roles: bool,
    #[command(flatten)]
    pub(crate) gate: GateArgs,
    /// With --fail-if-any: principals allowed to pass the gate, by name or
    /// ARN pattern (`role/Admin*`, `arn:aws:iam::*:role/BreakGlass`). Repeatable.
    #[arg(long, value_name = "PRINCIPAL-PATTERN", requires = "fail_if_any")]
    pub(crate) except: Vec<String>,
    #[command(flatten)]
    pub(crate) format: QueryFormatArgs,
}

/// `--fail-if-any` and `--ignore-conditional`, the access gate of
/// `who-can` and `what-can` (each has its own `--except`).
#[derive(Args, Debug)]
pub(crate) struct GateArgs {
    /// Exit 1 if anything is allowed that no --except names (a conditional
    /// allow counts: it is a possible grant).
    #[arg(long)]
    pub(crate) fail_if_any: bool,
    /// With --fail-if-any: fail only on unconditional allows (a conditional
    /// allow, or a chain with a conditional step, passes).
    #[arg(long, requires = "fail_if_any")]
    pub(crate) ignore_conditional: bool,
}

/// `verdict what-can`.
#[derive(Args, Debug)]
pub(crate) struct WhatCanArgs {
    /// The table file.
    pub(crate) table: PathBuf,
    /// Principal: `user/NAME`, `role/NAME`, its ARN, or a pattern with `*`
    /// and `?` over names (`role/*`) or ARNs (`arn:aws:iam::*:user/ci-*`).
    pub(crate) principal: String,
    /// Only actions of this access level (`list`, `read`, `write`, `permissions-management`, `tagging`).
    #[arg(long, value_name = "LEVEL", value_parser = crate::access::level_arg)]
    pub(crate) access_level: Option<verdict_runtime::AccessLevel>,
    #[command(flatten)]
    pub(crate) gate: GateArgs,
    /// With --fail-if-any: actions allowed to pass the gate, by pattern
    /// (`chime:List*`, `iam:PassRole`). Repeatable.
    #[arg(long, value_name = "ACTION-PATTERN", requires = "fail_if_any")]
    pub(crate) except: Vec<String>,
    #[command(flatten)]
    pub(crate) format: QueryFormatArgs,
}

/// `verdict export`.
#[derive(Args, Debug)]
pub(crate) struct ExportArgs {
    /// The table file.
    pub(crate) table: PathBuf,
    /// Output format.
    #[arg(long, value_enum)]
    pub(crate) format: ExportFormat,
    /// CSV layout: `long` (principal,action,access,decision for every cell but implicit-deny) or `wide` (a column per action).
    #[arg(long, value_enum, default_value = "long")]
    pub(crate) layout: CsvLayout,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// The request of a `check` or `explain` beyond its names: the resource and
/// the context (`check --batch` reads them from its lines instead).
#[derive(Args, Debug)]
pub(crate) struct RequestArgs {
    /// The resource ARN of the request (default `*`).
    #[arg(long, value_name = "ARN")]
    pub(crate) resource: Option<String>,
    /// Request context `KEY=VALUE`; a key given twice is multi-valued.
    #[arg(long, value_name = "KEY=VALUE")]
    pub(crate) context: Vec<String>,
}

/// `verdict explain`.
#[derive(Args, Debug)]
pub(crate) struct ExplainArgs {
    /// The table file (compiled with `--explain`).
    pub(crate) table: PathBuf,
    /// Principal: `user/NAME`, `role/NAME`, `assumed-role/ROLE/SESSION`,
    /// `federated-user/NAME`, or its ARN.
    pub(crate) principal: String,
    /// Action: `service:Action` (case-insensitive).
    pub(crate) action: String,
    #[command(flatten)]
    pub(crate) request: RequestArgs,
    #[command(flatten)]
    pub(crate) format: QueryFormatArgs,
}

/// `verdict check`.
#[derive(Args, Debug)]
pub(crate) struct CheckArgs {
    /// The table file.
    pub(crate) table: PathBuf,
    /// Principal: `user/NAME`, `role/NAME`, `assumed-role/ROLE/SESSION`,
    /// `federated-user/NAME` (as `ACCOUNT:user/NAME` in a table of several
    /// accounts), or its ARN.
    #[arg(required_unless_present = "batch")]
    pub(crate) principal: Option<String>,
    /// Action: `service:Action` (case-insensitive).
    #[arg(required_unless_present = "batch")]
    pub(crate) action: Option<String>,
    #[command(flatten)]
    pub(crate) request: RequestArgs,
    /// JSON lines of requests from FILE, or `-` for standard input.
    #[arg(long, value_name = "FILE|-", conflicts_with_all = ["principal", "action", "resource", "context"])]
    pub(crate) batch: Option<String>,
    /// Set a request limit, e.g. `context-keys=5000`; limits:
    /// line-bytes, context-keys, context-values, resource-bytes, value-bytes.
    #[arg(long = "limit", value_name = "NAME=N")]
    pub(crate) limits: Vec<String>,
    #[command(flatten)]
    pub(crate) trust: TrustArgs,
    /// Output format of a single check (`--batch` always answers JSON lines).
    #[command(flatten)]
    pub(crate) format: QueryFormatArgs,
}

/// What must vouch for a table before `check` uses it.
#[derive(Args, Debug)]
pub(crate) struct TrustArgs {
    /// Use the table only if it is signed by this public key.
    #[arg(long, value_name = "PUB", conflicts_with = "digest")]
    pub(crate) key: Option<PathBuf>,
    /// Use the table only if its SHA-256 digest is this one.
    #[arg(long, value_name = "SHA256")]
    pub(crate) digest: Option<String>,
}

/// `verdict reach`.
#[derive(Args, Debug)]
pub(crate) struct ReachArgs {
    /// The table file.
    pub(crate) table: PathBuf,
    /// Principal, as for `check`.
    pub(crate) principal: String,
    /// Action: `service:Action` (case-insensitive).
    pub(crate) action: String,
    /// The resource ARN of the request (default `*`); each role assumption
    /// is a request on the role's ARN.
    #[arg(long, value_name = "ARN")]
    pub(crate) resource: Option<String>,
    /// Request context `KEY=VALUE`, for the action and every role
    /// assumption; a key given twice is multi-valued.
    #[arg(long, value_name = "KEY=VALUE")]
    pub(crate) context: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: ReachFormat,
}

/// `verdict inspect`.
#[derive(Args, Debug)]
pub(crate) struct InspectArgs {
    /// The table file.
    pub(crate) table: PathBuf,
    /// What to print.
    #[arg(long, value_enum, default_value = "all")]
    pub(crate) show: InspectPart,
    #[command(flatten)]
    pub(crate) format: QueryFormatArgs,
}

/// `verdict bench` options.
#[derive(Args, Debug)]
pub(crate) struct BenchArgs {
    /// The table to measure.
    #[arg(required_unless_present = "generate", conflicts_with = "generate")]
    pub(crate) table: Option<PathBuf>,
    /// Random checks of each kind.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 100_000,
        conflicts_with = "generate"
    )]
    pub(crate) checks: usize,
    /// Seed of the random requests (and of `--generate`).
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub(crate) seed: u64,
    /// Report as text or as one JSON object.
    #[arg(long, value_enum, default_value = "text", conflicts_with = "generate")]
    pub(crate) format: ReportFormat,
    /// Write a synthetic organisation (DSL) instead of measuring a table.
    #[arg(long, requires_all = ["users", "output"])]
    pub(crate) generate: bool,
    /// Users of the synthetic organisation.
    #[arg(long, value_name = "N", requires = "generate")]
    pub(crate) users: Option<usize>,
    /// Groups (default: policies / 5).
    #[arg(long, value_name = "G", requires = "generate")]
    pub(crate) groups: Option<usize>,
    /// Policies (default: users / 20, between 10 and 5,000).
    #[arg(long, value_name = "P", requires = "generate")]
    pub(crate) policies: Option<usize>,
    /// Roles (default: users / 100).
    #[arg(long, value_name = "R", requires = "generate")]
    pub(crate) roles: Option<usize>,
    /// Catalog the actions are drawn from: `chime` (default), `aws`, or a catalog file.
    #[arg(long, value_name = "NAME|FILE", requires = "generate")]
    pub(crate) catalog: Option<String>,
    /// Where to write the organisation (`-` for standard output).
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        requires = "generate"
    )]
    pub(crate) output: Option<PathBuf>,
    /// Write the organisation as a one-line AWS account dump (JSON, account
    /// 123456789012) instead of DSL.
    #[arg(long, requires = "generate")]
    pub(crate) dump: bool,
}

/// `verdict fmt`.
#[derive(Args, Debug)]
pub(crate) struct FmtArgs {
    /// `.vp` files, or `-` for standard input.
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<String>,
    /// Write nothing; list the files that would change.
    #[arg(long)]
    pub(crate) check: bool,
    /// How `--check` lists the files: `text` (the ones that would change,
    /// a line each) or `json` (every file, and whether it would change).
    #[arg(long, value_enum, default_value = "text", requires = "check")]
    pub(crate) format: QueryFormat,
}

/// `verdict convert`.
#[derive(Args, Debug)]
pub(crate) struct ConvertArgs {
    /// The language to convert to.
    #[arg(long, value_enum)]
    pub(crate) to: Target,
    /// A `.vp` file (`--to json`) or an IAM JSON policy document (`--to dsl`); `-` for standard input.
    pub(crate) file: String,
    /// The policy of the `.vp` file to convert (`--to json`).
    #[arg(long, value_name = "NAME", conflicts_with = "all")]
    pub(crate) policy: Option<String>,
    /// Convert every policy of the `.vp` file into one JSON object (`--to json`).
    #[arg(long)]
    pub(crate) all: bool,
    /// The name of the DSL policy (`--to dsl`; default: the file name without extension).
    #[arg(long, value_name = "NAME")]
    pub(crate) name: Option<String>,
    /// What the file is checked against before it is converted: given any
    /// of these options, it is compiled with them first.
    #[command(flatten)]
    pub(crate) compile: CompileOptions,
}

/// `--show` of `inspect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum InspectPart {
    /// Summary, principals, actions and the class grid.
    All,
    /// Only the summary.
    Summary,
}

/// `--format` of `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffFormat {
    /// Grouped lines for people.
    Text,
    /// Every change, exactly.
    Json,
    /// A summary table and details, for a pull-request comment.
    Markdown,
}

/// `--format` of the query commands (`who-can`, `what-can`, `explain`), and
/// of `check`, `inspect`, `fmt --check` and `version`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum QueryFormat {
    /// Lines for people (and `grep`).
    Text,
    /// One JSON document.
    Json,
}

/// `--format` of `reach` (and of `who-can --via-roles`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReachFormat {
    /// Lines for people.
    Text,
    /// One JSON document.
    Json,
}

/// `--format` of `export`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportFormat {
    Csv,
    Json,
    Dot,
    Html,
}

/// `--layout` of the CSV export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum CsvLayout {
    /// `principal,action,access,decision` for every cell but `implicit-deny`.
    Long,
    /// One row per principal, one column per action.
    Wide,
}

/// `--format` of `bench`'s report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    Text,
    Json,
}

/// `--to` of `convert`: the language to convert to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Target {
    /// The verdict DSL (`.vp`).
    Dsl,
    /// An IAM JSON policy document.
    Json,
}

/// The arguments of `verdict audit`.
#[derive(Args, Debug)]
#[command(
    after_help = "TABLE is a table file (starting with the table magic); anything else is compiled as sources (.vp, IAM JSON, account dumps) as `verdict compile` would, with the Inputs options (README \"Inputs\"); with a table they are an error.\n\
    Exit status: 0 no --fail-on condition matched, 1 a --fail-on condition matched (by a finding neither suppressed nor in the --baseline), 2 any error."
)]
pub(crate) struct AuditArgs {
    /// A table file, or source files.
    #[arg(required = true, value_name = "TABLE|SOURCES")]
    pub(crate) inputs: Vec<PathBuf>,
    /// How sources are compiled.
    #[command(flatten)]
    pub(crate) compile: CompileOptions,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: AuditFormat,
    /// Exit 1 when a finding matches: a severity (`critical`, `high`,
    /// `medium`, `low`, `info`: that or above), a category
    /// (`privilege-escalation`, `admin-equivalent`, …) or a code (`F0001`). Repeatable.
    #[arg(long, value_name = "CATEGORY|SEVERITY|CODE", value_parser = AuditFailOn::parse)]
    pub(crate) fail_on: Vec<AuditFailOn>,
    /// Accepted findings: a JSON file of `{"code", "method"?, "principal"?, "reason"}` entries.
    #[arg(long, value_name = "FILE")]
    pub(crate) suppressions: Option<PathBuf>,
    /// Gate only on findings not recorded in this baseline (`--write-baseline` makes one).
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// Record the findings (after suppressions) as a baseline in FILE.
    #[arg(long, value_name = "FILE")]
    pub(crate) write_baseline: Option<PathBuf>,
    /// How many findings the text format shows (the rest are counted).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub(crate) top: usize,
    /// Write to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

/// `--format` of `audit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum AuditFormat {
    /// A summary and the most serious findings, for people.
    Text,
    /// Every finding, one JSON document.
    Json,
    /// A SARIF 2.1.0 log, for code scanning: one result per finding.
    Sarif,
}
