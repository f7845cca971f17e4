//! What the command line hands the compiler and the runtime: `--limit
//! NAME=N` options; the one compile pipeline of `compile`, `lint`, `diff`,
//! `audit` and `convert` ([`Pipeline`]: files, dumps, `--scp [LEVEL=]FILE`,
//! `--managed-policies` folders, `--catalog`, `--limit`, compiled with a
//! spinner); and `--context KEY=VALUE` options made a request context.

use std::path::{Path, PathBuf};

use verdict_compiler::model::ScpLevel;
use verdict_compiler::{Config, FileLoader, Input, Limits, Sections, TemplateSettings};
use verdict_runtime::{Context, ContextValue};

use crate::args::CompileOptions;
use crate::cmd::batch;
use crate::files::{fsio, io_reason, load_catalog, path_text, FsLoader};
use crate::render::{self, MessageFormat};
use crate::{progress, CliError, Io, EXIT_ERROR};

/// Applies `--limit NAME=N` options through `set`.
pub(crate) fn apply_limits(
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

/// The one compile pipeline of the command line: the [`CompileOptions`] of
/// `compile`, `lint`, `diff`, `audit` and `convert`, checked (`--limit`
/// first, then `--scp` levels), and compiled over a command's files with
/// [`Pipeline::compile`]. Every command gets the same options, limits,
/// spinner and errors from here; README "Inputs" describes it.
pub(crate) struct Pipeline<'a> {
    options: &'a CompileOptions,
    pub(crate) limits: Limits,
    scps: Vec<(ScpLevel, String)>,
    /// `--parameter`, `--account`, `--region`.
    templates: TemplateSettings,
}

/// How one compile runs beyond its inputs.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Run {
    /// Show a spinner on standard error.
    pub(crate) progress: bool,
    /// Sections written into the table (provenance with `--explain`).
    pub(crate) sections: Sections,
}

/// A compilation of the command line's inputs.
pub(crate) struct Compiled {
    pub(crate) out: verdict_compiler::Compilation,
    /// Some file could not be read at all (missing, a directory, no
    /// permission): exit status 2, whatever the other diagnostics.
    pub(crate) unreadable: bool,
}

impl CompileOptions {
    /// The first option given (in this order), if any: they all shape a
    /// compile, so `diff` and `audit` refuse them when they are given
    /// tables only, and `convert` compiles its file with them first. A new
    /// input kind adds its option here.
    pub(crate) fn first_given(&self) -> Option<&'static str> {
        [
            (!self.aws_account.is_empty(), "--aws-account"),
            (!self.cfn_template.is_empty(), "--cfn-template"),
            (!self.parameter.is_empty(), "--parameter"),
            (self.account.is_some(), "--account"),
            (self.region.is_some(), "--region"),
            (!self.scp.is_empty(), "--scp"),
            (!self.managed_policies.is_empty(), "--managed-policies"),
            (self.catalog.is_some(), "--catalog"),
            (!self.limits.is_empty(), "--limit"),
        ]
        .into_iter()
        .find_map(|(given, name)| given.then_some(name))
    }

    /// Whether any input that can bring principals is given beside the
    /// positional files (a new input kind with principals adds itself).
    fn has_principal_sources(&self) -> bool {
        !self.aws_account.is_empty() || !self.cfn_template.is_empty()
    }
}

impl<'a> Pipeline<'a> {
    /// Checks the options that need no file: `--limit`, then the levels of
    /// `--scp`.
    pub(crate) fn new(options: &'a CompileOptions) -> Result<Pipeline<'a>, String> {
        let mut limits = Limits::default();
        apply_limits(&options.limits, |name, value| limits.set(name, value))?;
        let scps = options
            .scp
            .iter()
            .map(|spec| parse_scp_spec(spec))
            .collect::<Result<_, _>>()?;
        let templates = template_settings(options)?;
        Ok(Pipeline {
            options,
            limits,
            scps,
            templates,
        })
    }

    /// The catalog named by `--catalog` (`chime` when absent).
    pub(crate) fn catalog_spec(&self) -> &str {
        self.options.catalog.as_deref().unwrap_or("chime")
    }

    /// The compiler's inputs: `files` in order, then the dumps, the SCPs,
    /// and the `.json` files of the managed-policy folders (sorted by name).
    /// A new input kind adds its inputs here.
    fn inputs(&self, files: Vec<Input>) -> Result<Vec<Input>, String> {
        let mut all = files;
        all.extend(
            self.options
                .aws_account
                .iter()
                .map(|p| Input::account_dump(path_text(p))),
        );
        all.extend(
            self.options
                .cfn_template
                .iter()
                .map(|p| Input::cfn_template(path_text(p))),
        );
        for (level, path) in &self.scps {
            all.push(Input::scp(path.clone(), level.clone()));
        }
        for dir in &self.options.managed_policies {
            let entries = std::fs::read_dir(dir).map_err(|e| {
                format!(
                    "cannot read `--managed-policies {}`: {}",
                    dir.display(),
                    io_reason(&e)
                )
            })?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
                .collect();
            found.sort();
            all.extend(found.iter().map(|p| Input::managed_policy(path_text(p))));
        }
        Ok(all)
    }

    /// Compiles `files` with the options. Errors are usage errors (no
    /// inputs, an unreadable `--managed-policies` folder, a bad catalog);
    /// the inputs' own errors are diagnostics of the compilation.
    pub(crate) fn compile(&self, files: &[PathBuf], run: Run) -> Result<Compiled, String> {
        let mut loader = FsLoader::new(self.limits.input_bytes);
        self.compile_with(auto(files), run, &mut loader)
    }

    /// [`Pipeline::compile`] of `files` as they are given (a kind chosen)
    /// reading through `loader` (standard input served from memory, for
    /// `convert -`).
    pub(crate) fn compile_with(
        &self,
        files: Vec<Input>,
        run: Run,
        loader: &mut dyn Loader,
    ) -> Result<Compiled, String> {
        if files.is_empty() && !self.options.has_principal_sources() {
            return Err(
                "no inputs: give policy files, DSL files, --aws-account dumps or --cfn-template templates"
                    .to_string(),
            );
        }
        let all = self.inputs(files)?;
        let catalog = load_catalog(self.catalog_spec())?;
        let config = Config {
            catalog,
            limits: self.limits,
            templates: self.templates.clone(),
        };
        let spinner = progress::Progress::new(run.progress);
        let out = verdict_compiler::compile_with_sections(
            &all,
            &config,
            loader.as_file_loader(),
            &mut |phase| spinner.phase(phase),
            run.sections,
        );
        spinner.finish();
        Ok(Compiled {
            out,
            unreadable: loader.unreadable(),
        })
    }

    /// Compiles `files` for a command that needs only the table (`diff`,
    /// `audit`, `convert`): the errors are rendered (warnings are `lint`'s),
    /// and a compile with errors is the error `cannot compile `FILES`: N
    /// error(s)`, with exit status 2 when a file could not be read at all
    /// and `status` otherwise.
    pub(crate) fn compile_quietly(
        &self,
        files: &[PathBuf],
        run: Run,
        status: i32,
        format: MessageFormat,
        io: &mut Io<'_>,
    ) -> Result<Compiled, CliError> {
        let mut loader = FsLoader::new(self.limits.input_bytes);
        self.compile_quietly_with(auto(files), run, status, format, io, &mut loader)
    }

    /// [`Pipeline::compile_quietly`] reading through `loader`.
    pub(crate) fn compile_quietly_with(
        &self,
        files: Vec<Input>,
        run: Run,
        status: i32,
        format: MessageFormat,
        io: &mut Io<'_>,
        loader: &mut dyn Loader,
    ) -> Result<Compiled, CliError> {
        let names: Vec<String> = files.iter().map(|input| input.path.clone()).collect();
        let compiled = self.compile_with(files, run, loader)?;
        let errors: Vec<_> = compiled
            .out
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        if errors.is_empty() && compiled.out.table.is_some() {
            return Ok(compiled);
        }
        render::diagnostics(io, format, &compiled.out.sources, &errors);
        let status = if compiled.unreadable {
            EXIT_ERROR
        } else {
            status
        };
        Err(CliError::with_status(
            status,
            format!(
                "cannot compile `{}`: {} error(s)",
                names.join(" "),
                errors.len()
            ),
        ))
    }
}

/// Files given on the command line, their kinds told by name and content.
fn auto(files: &[PathBuf]) -> Vec<Input> {
    files.iter().map(|p| Input::auto(path_text(p))).collect()
}

/// A file loader that remembers whether a file could not be read at all.
pub(crate) trait Loader {
    fn as_file_loader(&mut self) -> &mut dyn FileLoader;
    fn unreadable(&self) -> bool;
}

impl Loader for FsLoader {
    fn as_file_loader(&mut self) -> &mut dyn FileLoader {
        self
    }
    fn unreadable(&self) -> bool {
        self.unreadable
    }
}

/// One file's text served from memory (standard input, or a file read
/// already), every other file from the file system.
pub(crate) struct Overlay {
    pub(crate) path: String,
    pub(crate) text: String,
    pub(crate) fs: FsLoader,
}

impl FileLoader for Overlay {
    fn load(&mut self, path: &str) -> Result<String, String> {
        if path == self.path {
            return Ok(self.text.clone());
        }
        self.fs.load(path)
    }
}

impl Loader for Overlay {
    fn as_file_loader(&mut self) -> &mut dyn FileLoader {
        self
    }
    fn unreadable(&self) -> bool {
        self.fs.unreadable
    }
}

/// Whether `path` is a table (it starts with the table magic): a file that
/// cannot be read is no table, so the compile reports it as every command
/// does (`E0002`).
pub(crate) fn is_table(path: &Path) -> bool {
    fsio::read_head(path, TABLE_MAGIC.len()).is_ok_and(|head| head.starts_with(TABLE_MAGIC))
}

/// The table file magic; anything else is read as sources.
pub(crate) const TABLE_MAGIC: &[u8] = b"VERDICT\0";

/// The template settings of `--parameter NAME=VALUE`, `--account ID` and
/// `--region NAME`.
pub(crate) fn template_settings(args: &CompileOptions) -> Result<TemplateSettings, String> {
    let mut parameters = Vec::new();
    for item in &args.parameter {
        let (name, value) = item
            .split_once('=')
            .filter(|(name, _)| !name.is_empty())
            .ok_or_else(|| format!("invalid `--parameter {item}`: expected NAME=VALUE"))?;
        parameters.push((name.to_string(), value.to_string()));
    }
    if let Some(account) = &args.account {
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "invalid `--account {account}`: an account ID is 12 digits"
            ));
        }
    }
    Ok(TemplateSettings {
        parameters,
        account: args.account.clone(),
        region: args.region.clone(),
        ..TemplateSettings::default()
    })
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
