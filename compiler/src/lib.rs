//! The meaning of verdict policies: validation (SEMANTICS.md V-rules), name
//! resolution, the principal graph, the reference evaluator, and the
//! construction of decision tables.
//!
//! Input is text handed over by the caller through a [`FileLoader`]: this
//! crate never touches the file system, the environment or the terminal.
//! Output is a [`Compilation`]: the sources read, every diagnostic found,
//! and, when there were no errors, the [`Model`] and the
//! [`verdict_runtime::Table`].
//!
//! ```
//! use verdict_compiler::{compile, Config, Input, MemoryLoader};
//! let mut files = MemoryLoader::default();
//! files.insert("org.vp", r#"
//!     policy ReadOnly { allow chime:List*, chime:Get* }
//!     user alice { attach ReadOnly }
//! "#);
//! let out = compile(&[Input::auto("org.vp")], &Config::default(), &mut files);
//! let table = out.table.expect("compiles");
//! assert_eq!(table.check("user/alice", "chime:ListUsers").unwrap().to_string(), "allow");
//! assert_eq!(table.check("user/alice", "chime:DeleteAccount").unwrap().to_string(), "implicit-deny");
//! ```
//!
//! # Crate features
//! None.
#![forbid(unsafe_code)]

mod build;
pub mod catalog;
mod cfn;
pub mod codes;
pub mod diag;
pub mod findings;
pub mod glob;
mod limits;
mod lint;
mod lower;
pub mod model;
mod origin;
pub mod overlay;
pub mod provenance;
pub mod reference;
pub mod source;
mod terraform;
mod trust;
pub mod validate;

use std::collections::HashMap;

pub use catalog::Catalog;
pub use cfn::{TemplateSettings, STAND_IN_ACCOUNT};
pub use diag::{Diagnostic, Label, Origin, Severity};
pub use limits::Limits;
pub use model::Model;
pub use source::{FileId, SourceFile, SourceMap};

/// Supplies file contents by path. The CLI reads the file system; tests use
/// [`MemoryLoader`].
pub trait FileLoader {
    /// The text of the file at `path`, or a short reason why not.
    ///
    /// # Errors
    /// The file cannot be read or is not UTF-8.
    fn load(&mut self, path: &str) -> Result<String, String>;
}

/// Files held in memory, by path.
#[derive(Clone, Debug, Default)]
pub struct MemoryLoader {
    files: HashMap<String, String>,
}

impl MemoryLoader {
    pub fn insert(&mut self, path: impl Into<String>, text: impl Into<String>) {
        self.files.insert(path.into(), text.into());
    }
}

impl FileLoader for MemoryLoader {
    fn load(&mut self, path: &str) -> Result<String, String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| "no such file".to_string())
    }
}

/// How an input file is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// By name and content: `.vp` is DSL; JSON is a policy document, an
    /// account dump or a Terraform plan, told apart by its keys.
    Auto,
    Dsl,
    PolicyJson,
    AccountDump,
    /// A service control policy (IAM JSON) attached at this level of the
    /// organisation; it governs every account of the compilation.
    Scp(model::ScpLevel),
    /// An AWS managed policy document, `NAME.json`: read only if a dump
    /// attaches `arn:aws:iam::aws:policy/…/NAME` without including it, or
    /// the DSL attaches `NAME` and declares no policy of that name.
    ManagedPolicy,
    /// A CloudFormation template, JSON or YAML (CDK output included): its
    /// IAM resources, read as an account dump with [`Config::templates`].
    CfnTemplate,
    /// A Terraform plan (`terraform show -json PLAN`): the account as the
    /// plan leaves it, laid over the account dumps of the compilation (of
    /// its account), or over the plan's prior state when there are none.
    /// `account` names ARNs the plan knows only after apply.
    TerraformPlan {
        account: Option<String>,
    },
    /// The prior state of a Terraform plan: the account before the plan.
    TerraformPrior {
        account: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    pub path: String,
    pub kind: InputKind,
}

impl Input {
    pub fn auto(path: impl Into<String>) -> Input {
        Input {
            path: path.into(),
            kind: InputKind::Auto,
        }
    }

    pub fn account_dump(path: impl Into<String>) -> Input {
        Input {
            path: path.into(),
            kind: InputKind::AccountDump,
        }
    }

    pub fn scp(path: impl Into<String>, level: model::ScpLevel) -> Input {
        Input {
            path: path.into(),
            kind: InputKind::Scp(level),
        }
    }

    pub fn cfn_template(path: impl Into<String>) -> Input {
        Input {
            path: path.into(),
            kind: InputKind::CfnTemplate,
        }
    }

    pub fn terraform_plan(path: impl Into<String>, account: Option<String>) -> Input {
        Input {
            path: path.into(),
            kind: InputKind::TerraformPlan { account },
        }
    }

    pub fn terraform_prior(path: impl Into<String>, account: Option<String>) -> Input {
        Input {
            path: path.into(),
            kind: InputKind::TerraformPrior { account },
        }
    }

    pub fn managed_policy(path: impl Into<String>) -> Input {
        Input {
            path: path.into(),
            kind: InputKind::ManagedPolicy,
        }
    }
}

/// Compilation settings.
#[derive(Clone, Debug)]
pub struct Config {
    pub catalog: Catalog,
    /// Bounds on the inputs (file size, nesting, string length, counts).
    pub limits: Limits,
    /// What CloudFormation templates are deployed with (parameters,
    /// account, region).
    pub templates: TemplateSettings,
}

impl Default for Config {
    // why: the built-in catalog is embedded at build time and a test reads it.
    #[allow(clippy::expect_used)]
    fn default() -> Config {
        Config {
            catalog: Catalog::builtin("chime")
                .expect("the built-in chime catalog is valid (tested)"),
            limits: Limits::default(),
            templates: TemplateSettings::default(),
        }
    }
}

/// A phase of [`compile_observed`], in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Read, parse and validate the sources, resolve names, build the model.
    Lower,
    /// The policy lints (`W04xx`).
    Lint,
    /// Compute every cell and deduplicate rows and columns.
    Build,
    /// Build the provenance section (only when [`Sections::provenance`]).
    Explain,
    /// Encode the table and validate its bytes.
    Encode,
}

impl Phase {
    /// A short lowercase name, e.g. `lower`.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Lower => "lower",
            Phase::Lint => "lint",
            Phase::Build => "build",
            Phase::Explain => "explain",
            Phase::Encode => "encode",
        }
    }
}

/// Everything one compilation produced.
#[derive(Debug)]
pub struct Compilation {
    pub sources: SourceMap,
    /// Errors and warnings, in the order found.
    pub diagnostics: Vec<Diagnostic>,
    /// Present when there were no errors.
    pub model: Option<Model>,
    /// Present when there were no errors.
    pub table: Option<verdict_runtime::Table>,
    /// How long each phase that ran took, in order.
    pub timings: Vec<(Phase, std::time::Duration)>,
}

impl Compilation {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Compiles the inputs into a decision table.
///
/// Never panics on any input; every problem is a diagnostic.
pub fn compile(inputs: &[Input], config: &Config, loader: &mut dyn FileLoader) -> Compilation {
    compile_observed(inputs, config, loader, &mut |_| {})
}

/// The optional sections a compilation writes into the table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sections {
    /// The provenance section (`compile --explain`), built in its own
    /// [`Phase::Explain`] before the one encode.
    pub provenance: bool,
}

/// [`compile`], calling `on_phase` as each [`Phase`] starts (for progress
/// displays; this crate never prints).
pub fn compile_observed(
    inputs: &[Input],
    config: &Config,
    loader: &mut dyn FileLoader,
    on_phase: &mut dyn FnMut(Phase),
) -> Compilation {
    compile_with_sections(inputs, config, loader, on_phase, Sections::default())
}

/// [`compile_observed`], writing the optional `sections` too. The table is
/// encoded once, with them: its bytes are those [`provenance::attach`] gives.
pub fn compile_with_sections(
    inputs: &[Input],
    config: &Config,
    loader: &mut dyn FileLoader,
    on_phase: &mut dyn FnMut(Phase),
    sections: Sections,
) -> Compilation {
    let mut timings = Vec::new();
    let mut timed =
        |phase: Phase, start: std::time::Instant| timings.push((phase, start.elapsed()));
    on_phase(Phase::Lower);
    let start = std::time::Instant::now();
    let lower::Lowered {
        model,
        sources,
        mut diags,
        origins,
        limit_hit,
    } = lower::Lowerer::with_limits(loader, &config.limits)
        .with_templates(&config.templates)
        .lower_all(inputs);
    timed(Phase::Lower, start);
    // A limit error ends the compilation with the front end: what follows
    // would only report what the limit dropped.
    let mut built = None;
    if !limit_hit {
        on_phase(Phase::Lint);
        let start = std::time::Instant::now();
        lint::lint(&model, &config.catalog, &mut diags);
        timed(Phase::Lint, start);
        on_phase(Phase::Build);
        let start = std::time::Instant::now();
        let (mut parts, grid) = build::table_parts(&model, &config.catalog, &mut diags);
        trust::add_trust_edges(&model, &mut parts, &mut diags);
        timed(Phase::Build, start);
        built = Some((parts, grid));
    }
    if !limit_hit {
        let (pragmas, errors) = findings::pragma::collect(&sources, &model);
        for error in errors {
            diags.push(error);
        }
        findings::pragma::apply(&pragmas, &model, &mut diags.list);
    }
    origins.annotate(&mut diags.list);
    // Report in source order: by file, then position; unlocated ones last.
    diags.list.sort_by_key(|d| {
        d.primary
            .as_ref()
            .map_or((u32::MAX, u32::MAX), |l| (l.file.0, l.span.start))
    });
    let Some((mut parts, grid)) = built.filter(|_| !diags.has_errors()) else {
        return Compilation {
            sources,
            diagnostics: diags.list,
            model: None,
            table: None,
            timings,
        };
    };
    if sections.provenance {
        on_phase(Phase::Explain);
        let start = std::time::Instant::now();
        parts.provenance = Some(provenance::build(&model, &sources, &config.catalog));
        timed(Phase::Explain, start);
    }
    on_phase(Phase::Encode);
    let start = std::time::Instant::now();
    let table = verdict_runtime::Table::from_parts_with_grid(parts, grid);
    timed(Phase::Encode, start);
    match table {
        Ok(table) => Compilation {
            sources,
            diagnostics: diags.list,
            model: Some(model),
            table: Some(table),
            timings,
        },
        Err(err) => {
            diags.push(Diagnostic::error(
                codes::E0900,
                format!("internal error: the table failed validation: {err}"),
            ));
            Compilation {
                sources,
                diagnostics: diags.list,
                model: None,
                table: None,
                timings,
            }
        }
    }
}
