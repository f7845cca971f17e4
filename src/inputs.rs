//! What the command line hands the compiler and the runtime: `--limit
//! NAME=N` options, the sources of a compile (files, dumps, `--scp
//! [LEVEL=]FILE`, `--managed-policies` folders) compiled with a spinner, and
//! `--context KEY=VALUE` options made a request context.

use std::path::{Path, PathBuf};

use verdict_compiler::model::ScpLevel;
use verdict_compiler::{Config, Input, Limits, Sections, TemplateSettings};
use verdict_runtime::{Context, ContextValue};

use crate::cmd::batch;
use crate::files::{io_reason, load_catalog, path_text, FsLoader};
use crate::progress;

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

/// The inputs of `compile`, as given on the command line.
pub(crate) struct Sources<'a> {
    pub(crate) inputs: &'a [PathBuf],
    pub(crate) dumps: &'a [PathBuf],
    /// `[LEVEL=]FILE`.
    pub(crate) scps: &'a [String],
    pub(crate) managed_policies: &'a [PathBuf],
    /// `--cfn-template FILE`.
    pub(crate) cfn_templates: &'a [PathBuf],
    /// `--parameter`, `--account`, `--region`.
    pub(crate) templates: TemplateSettings,
}

/// The template settings of `--parameter NAME=VALUE`, `--account ID` and
/// `--region NAME`.
pub(crate) fn template_settings(
    args: &crate::args::SourceArgs,
) -> Result<TemplateSettings, String> {
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

impl Sources<'_> {
    /// The compiler's inputs: files in order, then dumps, SCPs, and the
    /// `.json` files of the managed-policy folders (sorted by name).
    pub(crate) fn to_inputs(&self) -> Result<Vec<Input>, String> {
        let mut all: Vec<Input> = self
            .inputs
            .iter()
            .map(|p| Input::auto(path_text(p)))
            .collect();
        all.extend(self.dumps.iter().map(|p| Input::account_dump(path_text(p))));
        all.extend(
            self.cfn_templates
                .iter()
                .map(|p| Input::cfn_template(path_text(p))),
        );
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

/// Runs the compiler over the inputs with the catalog `catalog`, showing a
/// spinner when `progress`. Errors are usage errors (no inputs, bad catalog).
pub(crate) fn compile_inputs(
    sources: &Sources<'_>,
    catalog: &str,
    limits: &Limits,
    progress: bool,
) -> Result<Compiled, String> {
    compile_inputs_with(sources, catalog, limits, progress, Sections::default())
}

/// A compilation of the command line's inputs.
pub(crate) struct Compiled {
    pub(crate) out: verdict_compiler::Compilation,
    /// Some file could not be read at all (missing, a directory, no
    /// permission): exit status 2, whatever the other diagnostics.
    pub(crate) unreadable: bool,
}

/// [`compile_inputs`], writing the optional `sections` (the provenance
/// section of `--explain`) into the table.
pub(crate) fn compile_inputs_with(
    sources: &Sources<'_>,
    catalog: &str,
    limits: &Limits,
    progress: bool,
    sections: Sections,
) -> Result<Compiled, String> {
    if sources.inputs.is_empty() && sources.dumps.is_empty() && sources.cfn_templates.is_empty() {
        return Err(
            "no inputs: give policy files, DSL files, --aws-account dumps or --cfn-template templates"
                .to_string(),
        );
    }
    let all = sources.to_inputs()?;
    let catalog = load_catalog(catalog)?;
    let config = Config {
        catalog,
        limits: *limits,
        templates: sources.templates.clone(),
    };
    let spinner = progress::Progress::new(progress);
    let mut loader = FsLoader::new(limits.input_bytes);
    let out = verdict_compiler::compile_with_sections(
        &all,
        &config,
        &mut loader,
        &mut |phase| spinner.phase(phase),
        sections,
    );
    spinner.finish();
    Ok(Compiled {
        out,
        unreadable: loader.unreadable,
    })
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
