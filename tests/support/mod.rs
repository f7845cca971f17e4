//! Shared helpers: compile in-memory sources, answer a request through the
//! table (in memory and after a bytes round trip) and through the reference
//! evaluator, and insist that they agree.

use verdict_compiler::reference::{self, Request};
use verdict_compiler::{compile, Catalog, Compilation, Config, Input, MemoryLoader};
use verdict_runtime::{Context, Table};

/// Compiles `files` (path, text); the first file is the input, the others
/// are there to be imported or included.
pub fn compile_files(files: &[(&str, &str)], catalog: Catalog) -> Compilation {
    let mut loader = MemoryLoader::default();
    for (path, text) in files {
        loader.insert(*path, *text);
    }
    let input = Input::auto(files[0].0);
    compile(
        &[input],
        &Config {
            catalog,
            limits: Default::default(),
            templates: Default::default(),
        },
        &mut loader,
    )
}

/// Compiles `files` (path, text), every one an input (several accounts),
/// and panics with the diagnostics if there are errors.
pub fn compile_inputs(files: &[(&str, &str)], catalog: Catalog) -> Compilation {
    let mut loader = MemoryLoader::default();
    for (path, text) in files {
        loader.insert(*path, *text);
    }
    let inputs: Vec<Input> = files.iter().map(|(path, _)| Input::auto(*path)).collect();
    let out = compile(
        &inputs,
        &Config {
            catalog,
            ..Config::default()
        },
        &mut loader,
    );
    assert!(
        !out.has_errors(),
        "unexpected errors: {:#?}",
        out.diagnostics
    );
    out
}

/// Compiles and panics with the diagnostics if there are errors.
pub fn compile_ok(files: &[(&str, &str)], catalog: Catalog) -> Compilation {
    let out = compile_files(files, catalog);
    assert!(
        !out.has_errors(),
        "unexpected errors: {:#?}",
        out.diagnostics
    );
    out
}

/// The decision word for (principal, action) from the table, after checking
/// that the table after a bytes round trip and the reference evaluator agree.
pub fn decide(out: &Compilation, catalog: &Catalog, principal: &str, action: &str) -> String {
    let plain = decide_with(out, catalog, principal, action, "*", &Context::new());
    let table = out.table.as_ref().expect("a table");
    assert_eq!(
        table
            .check(principal, action)
            .expect("known names")
            .to_string(),
        plain,
        "a plain check is the empty context on `*`"
    );
    plain
}

/// The decision word for a request with a resource and a context, from the
/// table (in memory and after a bytes round trip) and the reference
/// evaluator, which must agree.
pub fn decide_with(
    out: &Compilation,
    catalog: &Catalog,
    principal: &str,
    action: &str,
    resource: &str,
    context: &Context,
) -> String {
    let table = out.table.as_ref().expect("a table");
    let p = table.principal(principal).expect("known principal");
    let a = table.action(action).expect("known action");
    let request = verdict_runtime::Request { resource, context };
    let from_table = table.check_with(p, a, &request).to_string();
    let reloaded = Table::from_bytes(&table.to_bytes()).expect("round trip");
    assert_eq!(
        reloaded.check_with(p, a, &request).to_string(),
        from_table,
        "round trip differs"
    );
    let model = out.model.as_ref().expect("a model");
    let oracle = reference::evaluate(
        model,
        catalog,
        Request {
            principal,
            action,
            resource,
            context,
        },
    )
    .expect("reference decides");
    assert_eq!(
        oracle.to_string(),
        from_table,
        "table and reference differ for {principal} {action} on {resource} with {context:?}"
    );
    from_table
}

/// Codes of the diagnostics of a compilation, errors and warnings.
pub fn codes(out: &Compilation) -> Vec<&'static str> {
    out.diagnostics.iter().map(|d| d.code).collect()
}

/// A small catalog for hand-written cases: Chime plus a few other services.
pub fn mixed_catalog() -> Catalog {
    Catalog::from_text(
        "mixed",
        "chime:ListUsers\tList\t\nchime:ListAccounts\tList\t\nchime:GetUser\tRead\t\n\
         chime:DeleteAccount\tWrite\t\nchime:CreateBot\tWrite\t\nchime:CreateMeeting\tWrite\tmeeting\n\
         chime-sdk-meetings:CreateMeeting\tWrite\tmeeting\ns3:GetObject\tRead\tobject\n\
         s3:GetObjectAcl\tRead\tobject\ns3:ListAllMyBuckets\tList\t\niam:GetUser\tRead\tuser\n\
         iam:CreateUser\tWrite\tuser\nsts:GetCallerIdentity\tRead\t\n",
    )
    .expect("valid catalog")
}
