//! Real AWS managed policies (tests/test_data/aws-managed, 300 documents, 200
//! of them with Condition blocks) compile with the all-AWS catalog, and the
//! table agrees with the reference evaluator on requests built from each
//! policy's own conditions: contexts that satisfy, violate and omit each key,
//! on the resource ARNs the policy names and on `*`.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;
use verdict_compiler::reference::{self, Request};
use verdict_compiler::{compile, Catalog, Config, Input, MemoryLoader};
use verdict_runtime::{Context, ContextValue};

fn data_dir() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/test_data/aws-managed"
    ))
}

/// (policy name, document text), sorted by name.
fn policies() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(data_dir())
        .expect("test data")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json") && !p.ends_with("index.json"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("readable"))
        })
        .collect();
    out.sort();
    out
}

fn as_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
        Some(other) => vec![other.to_string()],
        None => Vec::new(),
    }
}

fn statements(doc: &Value) -> Vec<&Value> {
    match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(obj @ Value::Object(_)) => vec![obj],
        _ => Vec::new(),
    }
}

/// A value unlike `v`, of the same shape where it matters (IPs, numbers,
/// dates, booleans), so that the policy's condition is violated.
fn violate(v: &str) -> String {
    match v {
        "true" => "false".into(),
        "false" => "true".into(),
        _ if v.parse::<f64>().is_ok() => "999999999".into(),
        _ if v.contains('.')
            && v.split('/')
                .next()
                .is_some_and(|a| a.parse::<std::net::IpAddr>().is_ok()) =>
        {
            "203.0.113.99".into()
        }
        _ if v.starts_with("arn:") => "arn:aws:iam::000000000000:role/other".into(),
        _ => format!("{v}-other"),
    }
}

/// Requests for one policy: per condition key, a context with the policy's
/// own first value (single and multivalued), one with a violating value, and
/// the empty context; each on `*` and on the ARNs the policy names (with
/// wildcards replaced by a plausible segment).
fn requests(doc: &Value) -> Vec<(String, Context)> {
    let mut keys: Vec<(String, String)> = Vec::new();
    let mut resources: BTreeSet<String> = BTreeSet::from(["*".to_string()]);
    for stmt in statements(doc) {
        for r in as_list(stmt.get("Resource"))
            .into_iter()
            .chain(as_list(stmt.get("NotResource")))
        {
            resources.insert(r.replace('*', "x").replace('?', "y"));
        }
        if let Some(Value::Object(ops)) = stmt.get("Condition") {
            for pairs in ops.values() {
                if let Value::Object(pairs) = pairs {
                    for (k, v) in pairs {
                        let first = as_list(Some(v)).into_iter().next().unwrap_or_default();
                        keys.push((k.clone(), first));
                    }
                }
            }
        }
    }
    let mut contexts = vec![Context::new()];
    let all_satisfied = keys
        .iter()
        .fold(Context::new(), |ctx, (k, v)| ctx.with(k.clone(), v.clone()));
    contexts.push(all_satisfied);
    for (k, v) in keys.iter().take(6) {
        contexts.push(Context::new().with(k.clone(), v.clone()));
        contexts.push(Context::new().with(k.clone(), violate(v)));
        let mut multi = Context::new();
        multi.insert(k.clone(), ContextValue::Multi(vec![v.clone()]));
        contexts.push(multi);
    }
    let mut out = Vec::new();
    for r in resources.iter().take(6) {
        for c in &contexts {
            out.push((r.clone(), c.clone()));
        }
    }
    out
}

/// The catalog actions a policy's Action entries name (wildcards expanded by
/// the catalog), at most `limit`, plus a few it does not name.
fn actions(catalog: &Catalog, doc: &Value, limit: usize) -> Vec<String> {
    let mut out = BTreeSet::new();
    for stmt in statements(doc) {
        for pattern in as_list(stmt.get("Action"))
            .into_iter()
            .chain(as_list(stmt.get("NotAction")))
        {
            let set = catalog.match_pattern(&pattern);
            for a in set.iter().take(4) {
                if let Some(name) = catalog.qualified_name(a) {
                    out.insert(name.to_string());
                }
            }
        }
    }
    let mut out: Vec<String> = out.into_iter().take(limit).collect();
    out.extend(
        [
            "chime:ListUsers",
            "iam:CreateUser",
            "s3:GetObject",
            "sts:GetCallerIdentity",
        ]
        .map(String::from),
    );
    out
}

#[test]
fn real_managed_policies_compile_and_agree_with_the_reference() {
    let catalog = Catalog::builtin("aws").expect("built-in aws catalog");
    let policies = policies();
    assert_eq!(policies.len(), 300, "the test data set");
    let mut files = MemoryLoader::default();
    let mut dsl = String::new();
    for (i, (name, text)) in policies.iter().enumerate() {
        files.insert(format!("{name}.json"), text.as_str());
        dsl.push_str(&format!(
            "managed policy {name} from \"{name}.json\"\nuser u{i} {{ attach {name} }}\n"
        ));
    }
    files.insert("org.vp", dsl);
    let out = compile(
        &[Input::auto("org.vp")],
        &Config {
            catalog: catalog.clone(),
            limits: Default::default(),
        },
        &mut files,
    );
    let errors: Vec<_> = out.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "errors: {errors:#?}");
    let table = out.table.as_ref().expect("a table");
    let model = out.model.as_ref().expect("a model");
    assert!(
        table.n_conditional_cells() > 0,
        "real policies give conditional cells"
    );

    let mut checked = 0usize;
    for (i, (name, text)) in policies.iter().enumerate() {
        let doc: Value = serde_json::from_str(text).expect("valid JSON");
        let principal = format!("user/u{i}");
        let p = table.principal(&principal).expect("principal");
        let requests = requests(&doc);
        for action in actions(&catalog, &doc, 12) {
            let a = table.action(&action).expect("catalog action");
            for (resource, context) in &requests {
                let want = reference::evaluate(
                    model,
                    &catalog,
                    Request {
                        principal: &principal,
                        action: &action,
                        resource,
                        context,
                    },
                )
                .expect("reference decides");
                let got = table.check_with(p, a, &verdict_runtime::Request { resource, context });
                assert_eq!(
                    got, want,
                    "{name}: {principal} {action} on {resource} with {context:?}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 10_000, "only {checked} requests checked");
}
