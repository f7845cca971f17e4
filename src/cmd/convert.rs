//! `verdict convert --to json|dsl FILE`: policies from the DSL to IAM JSON
//! and back, to standard output, exact in meaning (the same table either
//! way; see `verdict_grammar::print`).
//!
//! `--to json` takes a `.vp` file. Its policies are the top-level `policy`
//! items, the policies declared inside entities (an inline policy is named
//! `KIND/ENTITY/POLICY`, e.g. `user/alice/Inline` or
//! `assumed-role/Ops/standup/Narrow`, as in diagnostics; a `managed policy`
//! inside an entity keeps its own name), the SCPs (`scp/NAME`) and the trust
//! policies written out with `trust { … }` or `trust from` (`trust/ROLE`).
//! A file with one policy prints that policy's document; with several, pick
//! one with `--policy NAME`, or print all with `--all` as one JSON object
//! `{"NAME": document, ...}` in file order. `… from "p.json"` prints the
//! imported document. Entities themselves, trust shorthands (`trust user
//! alice`) and `account` items have no IAM policy JSON form of their own and
//! are not converted; included files are not followed.
//!
//! `--to dsl` takes one IAM JSON policy document and prints
//! `policy NAME { ... }`, named after the file (`--name` to choose). An
//! absent `Version` is made explicit, because the two languages default
//! differently.
//!
//! Exit status: 0 converted, 1 the input has errors or cannot be expressed
//! in the target language, 2 usage or IO errors.

use std::path::{Path, PathBuf};
use verdict_compiler::codes;

use verdict_compiler::{Diagnostic, FileLoader, Input, InputKind, SourceMap};
use verdict_grammar::{ast, print::quoted, Origin};

use crate::args::{ConvertArgs, Target};
use crate::cmd::fmt::syntax_error;
use crate::cmd::Shown;
use crate::files::{read_stdin, read_text, FsLoader};
use crate::inputs::{Overlay, Pipeline, Run};
use crate::render::{self, MessageFormat};
use crate::{CliError, CmdResult, Io, EXIT_DENY, EXIT_ERROR, EXIT_OK};

/// The command line of `verdict convert`, borrowed.
struct Request<'a> {
    file: &'a str,
    /// `--policy NAME`.
    policy: Option<&'a str>,
    /// `--all`.
    all: bool,
    /// `--name NAME`.
    name: Option<&'a str>,
}

/// Runs `verdict convert`: 0 converted, 1 the input has errors or cannot be
/// expressed in the target language, 2 usage or IO errors.
pub(crate) fn run(args: ConvertArgs, shown_as: Shown, io: &mut Io<'_>) -> CmdResult {
    let format = shown_as.format;
    let request = Request {
        file: &args.file,
        policy: args.policy.as_deref(),
        all: args.all,
        name: args.name.as_deref(),
    };
    match args.to {
        Target::Json if request.name.is_some() => {
            return Err("`--name` names the DSL policy of `--to dsl`".into())
        }
        Target::Dsl if request.policy.is_some() || request.all => {
            return Err(
                "`--policy` and `--all` choose among the policies of a `.vp` file for `--to json`"
                    .into(),
            )
        }
        _ => {}
    }
    let pipeline = Pipeline::new(&args.compile)?;
    let stdin = request.file == "-";
    let shown = if stdin { "<stdin>" } else { request.file };
    let mut fs = FsLoader::new(pipeline.limits.input_bytes);
    let text = if stdin {
        read_stdin(io)?
    } else {
        // Read as the compile reads: the same bound and the same error.
        match fs.load(request.file) {
            Ok(text) => text,
            Err(why) => {
                let unreadable = Diagnostic::error(
                    codes::E0002,
                    format!("cannot read `{}`: {why}", request.file),
                );
                render::diagnostics(io, format, &SourceMap::default(), &[unreadable]);
                let status = if fs.unreadable { EXIT_ERROR } else { EXIT_DENY };
                return Err(CliError::reported(status));
            }
        }
    };
    if args.compile.first_given().is_some() {
        // Checked against the organisation and catalog it is meant for
        // before it is converted: errors exactly as `compile` has them.
        let mut overlay = Overlay {
            path: shown.to_string(),
            text: text.clone(),
            fs,
        };
        let kind = match language(request.file, &text) {
            Language::Dsl => InputKind::Dsl,
            Language::Json => InputKind::PolicyJson,
        };
        let input = Input {
            path: shown.to_string(),
            kind,
        };
        pipeline.compile_quietly_with(
            vec![input],
            Run::default(),
            EXIT_DENY,
            format,
            io,
            &mut overlay,
        )?;
    }
    let out = match (args.to, language(request.file, &text)) {
        (Target::Json, Language::Dsl) => to_json(&request, shown, &text, format, io)?,
        (Target::Dsl, Language::Json) => to_dsl(&request, shown, &text, format, io)?,
        (Target::Json, Language::Json) => {
            return Err(format!("`{shown}` is IAM JSON already; `--to json` converts a `.vp` file").into())
        }
        (Target::Dsl, Language::Dsl) => {
            return Err(format!("`{shown}` is DSL already; `--to dsl` converts an IAM JSON policy document (`verdict fmt` lays out DSL)").into())
        }
    };
    let _ = io.stdout.write_all(out.as_bytes());
    Ok(EXIT_OK)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Language {
    Dsl,
    Json,
}

/// `.vp` is DSL and `.json` is JSON; otherwise a text starting with `{` is
/// JSON (a DSL file cannot start with a brace).
fn language(path: &str, text: &str) -> Language {
    match Path::new(path).extension().and_then(|e| e.to_str()) {
        Some("vp") => Language::Dsl,
        Some("json") => Language::Json,
        _ if text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{') =>
        {
            Language::Json
        }
        _ => Language::Dsl,
    }
}

// ---------------------------------------------------------------------------
// DSL → JSON
// ---------------------------------------------------------------------------

/// The policies of a `.vp` file, in file order, with their names.
fn policies(file: &ast::File) -> Vec<(String, &ast::PolicyBody)> {
    let mut out = Vec::new();
    for item in &file.items {
        match item {
            ast::Item::Policy(decl) => out.push((decl.name.node.clone(), &decl.body)),
            ast::Item::Scp(decl) => out.push((format!("scp/{}", decl.name.node), &decl.body)),
            ast::Item::Entity(entity) => {
                // As diagnostics name owners: a service-linked role is a role.
                let kind = match entity.kind {
                    ast::EntityKind::User => "user",
                    ast::EntityKind::Group => "group",
                    ast::EntityKind::Role | ast::EntityKind::ServiceLinkedRole => "role",
                    ast::EntityKind::Session => "assumed-role",
                    ast::EntityKind::FederatedUser => "federated-user",
                };
                for clause in &entity.clauses {
                    match clause {
                        ast::Clause::Inline(decl) => {
                            let name = if decl.managed {
                                decl.name.node.clone()
                            } else {
                                format!("{kind}/{}/{}", entity.name.node, decl.name.node)
                            };
                            out.push((name, &decl.body));
                        }
                        ast::Clause::TrustPolicy { body, .. } => {
                            out.push((format!("trust/{}", entity.name.node), body));
                        }
                        _ => {}
                    }
                }
            }
            ast::Item::Include(_) | ast::Item::Account(_) => {}
        }
    }
    out
}

fn to_json(
    request: &Request<'_>,
    shown: &str,
    text: &str,
    format: MessageFormat,
    io: &mut Io<'_>,
) -> Result<String, CliError> {
    let file = verdict_grammar::parse_dsl(text).map_err(|err| {
        syntax_error(io, format, shown, text, &err);
        CliError::reported(EXIT_DENY)
    })?;
    let all = policies(&file);
    let has_entities = file
        .items
        .iter()
        .any(|item| matches!(item, ast::Item::Entity(_)));
    let names = || {
        all.iter()
            .map(|(name, _)| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let chosen: Vec<&(String, &ast::PolicyBody)> = match request.policy {
        Some(wanted) => match all.iter().find(|(name, _)| name == wanted) {
            Some(found) => vec![found],
            None if all.is_empty() => {
                return Err(format!(
                    "`{shown}` declares no policy named `{wanted}`: it declares none"
                )
                .into());
            }
            None => {
                return Err(format!(
                    "`{shown}` declares no policy named `{wanted}`; it declares {}",
                    names()
                )
                .into());
            }
        },
        None if request.all => all.iter().collect(),
        None if all.len() == 1 => all.iter().collect(),
        None if all.is_empty() => {
            let why = if has_entities {
                format!("`{shown}` declares no policy; users, groups and roles have no IAM policy JSON form")
            } else {
                format!("`{shown}` declares no policy")
            };
            return Err(CliError::with_status(EXIT_DENY, why));
        }
        None => {
            return Err(format!(
                "`{shown}` declares {} policies: choose one with `--policy NAME`, or convert all with `--all`; they are {}",
                all.len(),
                names()
            )
            .into());
        }
    };
    let base = match request.file {
        "-" => PathBuf::new(),
        path => Path::new(path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
    };
    let mut documents = Vec::with_capacity(chosen.len());
    let mut failed = false;
    for (name, body) in &chosen {
        match document(body, &base, format, io) {
            Ok(doc) => documents.push((name.as_str(), doc)),
            Err(()) => failed = true,
        }
    }
    if failed {
        return Err(CliError::reported(EXIT_DENY));
    }
    if has_entities && request.policy.is_none() && format == MessageFormat::Human {
        let _ = writeln!(
            io.stderr,
            "note: the users, groups and roles of `{shown}` are not converted: they have no IAM policy JSON form"
        );
    }
    if !request.all {
        if let [(_, doc)] = documents.as_slice() {
            return Ok(doc.clone());
        }
    }
    Ok(json_map(&documents))
}

/// The IAM JSON document of one DSL policy: written in the DSL, or read from
/// the JSON file it imports (`base` is the folder of the `.vp` file).
fn document(
    body: &ast::PolicyBody,
    base: &Path,
    format: MessageFormat,
    io: &mut Io<'_>,
) -> Result<String, ()> {
    match body {
        ast::PolicyBody::Inline(policy) => Ok(verdict_grammar::policy_to_json(policy, Origin::Dsl)),
        ast::PolicyBody::Import(path) => {
            let path = base.join(&path.node);
            let shown = path.display().to_string();
            let text = read_text(&path).map_err(|why| render::plain_error(io, format, &why))?;
            let policy = verdict_grammar::parse_policy_json(&text).map_err(|errs| {
                let mut sources = SourceMap::default();
                let file = sources.add(&shown, text.as_str());
                let list: Vec<Diagnostic> = errs
                    .iter()
                    .map(|e| {
                        Diagnostic::error(codes::E0001, e.kind.to_string()).at(file, e.span, "here")
                    })
                    .collect();
                render::diagnostics(io, format, &sources, &list);
            })?;
            Ok(verdict_grammar::policy_to_json(&policy, Origin::Json))
        }
    }
}

/// `{"NAME": document, ...}`, documents indented one level.
fn json_map(documents: &[(&str, String)]) -> String {
    if documents.is_empty() {
        return "{}\n".to_owned();
    }
    let members: Vec<String> = documents
        .iter()
        .map(|(name, doc)| {
            let body = doc.trim_end().replace('\n', "\n  ");
            format!("  {}: {body}", quoted(name))
        })
        .collect();
    format!("{{\n{}\n}}\n", members.join(",\n"))
}

// ---------------------------------------------------------------------------
// JSON → DSL
// ---------------------------------------------------------------------------

/// Keys only an account dump has at its top level.
const DUMP_KEYS: &[&str] = &[
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
];

fn to_dsl(
    request: &Request<'_>,
    shown: &str,
    text: &str,
    format: MessageFormat,
    io: &mut Io<'_>,
) -> Result<String, CliError> {
    if let Ok(ast::Json {
        kind: ast::JsonKind::Object(members),
        ..
    }) = verdict_grammar::parse_json(text)
    {
        if members
            .iter()
            .any(|(key, _)| DUMP_KEYS.contains(&key.node.as_str()))
        {
            return Err(format!(
                "`{shown}` is an account dump; `convert` takes one IAM JSON policy document"
            )
            .into());
        }
    }
    let mut sources = SourceMap::default();
    let file = sources.add(shown, text);
    let policy = verdict_grammar::parse_policy_json(text).map_err(|errs| {
        let list: Vec<Diagnostic> = errs
            .iter()
            .map(|e| Diagnostic::error(codes::E0001, e.kind.to_string()).at(file, e.span, "here"))
            .collect();
        render::diagnostics(io, format, &sources, &list);
        CliError::reported(EXIT_DENY)
    })?;
    let stem = Path::new(request.file)
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|_| request.file != "-");
    let name = request.name.or(stem).unwrap_or("Policy");
    verdict_grammar::policy_to_dsl(name, &policy, Origin::Json).map_err(|err| {
        let diagnostic = Diagnostic::error(codes::E0010, err.message)
            .at(file, err.span, "here")
            .with_help("IAM rejects this too; fix the document first");
        render::diagnostics(io, format, &sources, &[diagnostic]);
        CliError::reported(EXIT_DENY)
    })
}
