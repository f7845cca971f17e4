//! Real AWS managed policies compile with the all-AWS catalog, and the table
//! agrees with the reference evaluator on requests built from each policy's
//! own conditions: contexts that satisfy, violate and omit each key, that set
//! the request keys its policy variables name, on the resource ARNs the policy
//! names and on `*`.
//!
//! Two data sets (tests/test_data/aws-managed/README.md): 300 documents as
//! files, attached one per user of a DSL organisation; and every AWS managed
//! policy (1,594, `all.jsonl`), attached to users, groups, roles and
//! service-linked roles of a one-line account dump compiled through the CLI.
//! The dump's decisions are compared with the reference on a sample of its
//! policies (all of those that compare a key the model fixes with a request-key
//! variable, and every n-th other one); `PROPTEST_CASES=2000` samples all.

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
    // The request keys of the policy variables in condition values: the
    // account (`${aws:ResourceAccount}` against `aws:PrincipalAccount`), a
    // value with wildcard characters (literal once substituted), another.
    let variables: BTreeSet<String> = statements(doc)
        .into_iter()
        .filter_map(|stmt| stmt.get("Condition"))
        .flat_map(|c| variable_names(&c.to_string()))
        .collect();
    for name in variables.iter().take(4) {
        for value in [ACCOUNT, "*", "other"] {
            contexts.push(all_satisfied.clone().with(name.clone(), value));
            contexts.push(Context::new().with(name.clone(), value));
        }
        let mut multi = all_satisfied.clone();
        multi.insert(name.clone(), ContextValue::Multi(vec![ACCOUNT.into()]));
        contexts.push(multi);
    }
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

/// The account of the principals that meet the policies.
const ACCOUNT: &str = "111122223333";

/// The names of the variables `${name}` / `${name, 'default'}` in `text`.
fn variable_names(text: &str) -> Vec<String> {
    text.split("${")
        .skip(1)
        .filter_map(|rest| {
            let end = rest.find(['}', ','])?;
            let name = rest[..end].trim();
            (!name.is_empty() && !matches!(name, "*" | "?" | "$")).then(|| name.to_string())
        })
        .collect()
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
            templates: Default::default(),
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

/// One AWS managed policy of `all.jsonl`.
struct Managed {
    name: String,
    arn: String,
    version: String,
    /// The document's JSON text, as the package gives it.
    document: String,
}

/// Every AWS managed policy, sorted by name.
fn all_managed() -> Vec<Managed> {
    let text = std::fs::read_to_string(data_dir().join("all.jsonl")).expect("test data");
    text.lines()
        .map(|line| {
            let meta: Value = serde_json::from_str(line).expect("a JSON line");
            let field = |k: &str| meta[k].as_str().expect(k).to_string();
            // `document` is the last field of each line: its text, unchanged.
            let at = line.find(r#""document":"#).expect("a document") + r#""document":"#.len();
            Managed {
                name: field("name"),
                arn: field("arn"),
                version: field("version"),
                document: line[at..line.len() - 1].to_string(),
            }
        })
        .collect()
}

/// A one-line account dump (as `jq -c` writes one) holding every AWS managed
/// policy: those for service-linked roles (`/aws-service-role/` ARNs) each on
/// a service-linked role of its own, the others ten at a time on users, on
/// groups (with one member each) and on roles. Returns the dump and, per
/// policy, the principal it reaches.
fn account_dump(policies: &[Managed]) -> (String, Vec<String>) {
    let mut reaches = vec![String::new(); policies.len()];
    let attached = |idx: &[usize]| {
        let list: Vec<String> = idx
            .iter()
            .map(|&i| {
                format!(
                    r#"{{"PolicyName":{},"PolicyArn":{}}}"#,
                    Value::from(policies[i].name.as_str()),
                    Value::from(policies[i].arn.as_str())
                )
            })
            .collect();
        format!("[{}]", list.join(","))
    };
    let trust_account = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    let (mut users, mut groups, mut roles) = (Vec::new(), Vec::new(), Vec::new());
    let (slr, other): (Vec<usize>, Vec<usize>) =
        (0..policies.len()).partition(|&i| policies[i].arn.contains(":policy/aws-service-role/"));
    for (n, chunk) in other.chunks(10).enumerate() {
        let principal = match n % 3 {
            0 => {
                users.push(format!(
                    r#"{{"Path":"/","UserName":"u{n}","Arn":"arn:aws:iam::{ACCOUNT}:user/u{n}","GroupList":[],"UserPolicyList":[],"AttachedManagedPolicies":{},"Tags":[{{"Key":"team","Value":"red"}}]}}"#,
                    attached(chunk)
                ));
                format!("user/u{n}")
            }
            1 => {
                groups.push(format!(
                    r#"{{"Path":"/","GroupName":"g{n}","Arn":"arn:aws:iam::{ACCOUNT}:group/g{n}","GroupPolicyList":[],"AttachedManagedPolicies":{}}}"#,
                    attached(chunk)
                ));
                users.push(format!(
                    r#"{{"Path":"/","UserName":"m{n}","Arn":"arn:aws:iam::{ACCOUNT}:user/m{n}","GroupList":["g{n}"],"UserPolicyList":[],"AttachedManagedPolicies":[]}}"#
                ));
                format!("user/m{n}")
            }
            _ => {
                roles.push(format!(
                    r#"{{"Path":"/","RoleName":"r{n}","Arn":"arn:aws:iam::{ACCOUNT}:role/r{n}","AssumeRolePolicyDocument":{trust_account},"RolePolicyList":[],"AttachedManagedPolicies":{},"Tags":[]}}"#,
                    attached(chunk)
                ));
                format!("role/r{n}")
            }
        };
        for &i in chunk {
            reaches[i] = principal.clone();
        }
    }
    for (n, &i) in slr.iter().enumerate() {
        let service = format!("svc{n}.amazonaws.com");
        roles.push(format!(
            r#"{{"Path":"/aws-service-role/{service}/","RoleName":"AWSServiceRoleFor{n}","Arn":"arn:aws:iam::{ACCOUNT}:role/aws-service-role/{service}/AWSServiceRoleFor{n}","AssumeRolePolicyDocument":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{service}"}},"Action":"sts:AssumeRole"}}]}},"RolePolicyList":[],"AttachedManagedPolicies":{},"Tags":[]}}"#,
            attached(&[i])
        ));
        reaches[i] = format!("role/AWSServiceRoleFor{n}");
    }
    let listed: Vec<String> = policies
        .iter()
        .map(|p| {
            let path = p.arn.split(":policy").nth(1).unwrap_or("/");
            let path = &path[..path.rfind('/').unwrap_or(0) + 1];
            format!(
                r#"{{"PolicyName":{},"Arn":{},"Path":{},"DefaultVersionId":{},"IsAttachable":true,"PolicyVersionList":[{{"Document":{},"VersionId":{},"IsDefaultVersion":true}}]}}"#,
                Value::from(p.name.as_str()),
                Value::from(p.arn.as_str()),
                Value::from(path),
                Value::from(p.version.as_str()),
                p.document,
                Value::from(p.version.as_str()),
            )
        })
        .collect();
    let dump = format!(
        r#"{{"UserDetailList":[{}],"GroupDetailList":[{}],"RoleDetailList":[{}],"Policies":[{}],"IsTruncated":false}}"#,
        users.join(","),
        groups.join(","),
        roles.join(","),
        listed.join(",")
    );
    (dump + "\n", reaches)
}

/// Whether a policy compares a key the model fixes with a request-key
/// variable: what E0192 refused (13 policies of this data set).
fn compares_a_fixed_key_with_a_variable(doc: &Value) -> bool {
    statements(doc).into_iter().any(|stmt| {
        let Some(Value::Object(ops)) = stmt.get("Condition") else {
            return false;
        };
        ops.values()
            .filter_map(Value::as_object)
            .flatten()
            .any(|(key, values)| {
                let key = key.to_lowercase();
                let fixed = matches!(
                    key.as_str(),
                    "aws:principalaccount"
                        | "aws:principalarn"
                        | "aws:username"
                        | "aws:principaltype"
                ) || key.starts_with("aws:principaltag/");
                fixed && values.to_string().contains("${")
            })
    })
}

#[test]
fn every_aws_managed_policy_compiles_in_a_one_line_account_dump() {
    let policies = all_managed();
    assert_eq!(
        policies.len(),
        1594,
        "every AWS managed policy of the package"
    );
    let (dump, reaches) = account_dump(&policies);
    assert_eq!(dump.lines().count(), 1, "a one-line dump");

    // Through the CLI with the human format, warnings rendered: no error, no
    // panic (the one-line dump puts them past column 65,535), and the
    // thousands of warnings summarised to a bounded report.
    let dir = crate::cli::TempDir::new();
    let path = dir.write("account.json", &dump);
    let table_path = dir.path("t.vdt");
    let out = crate::cli::run(&[
        "compile",
        "--catalog",
        "aws",
        "--aws-account",
        path.to_str().unwrap(),
        "-o",
        table_path.to_str().unwrap(),
        "--message-format",
        "human",
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    // miette marks an error with `×` (a warning with `⚠`).
    assert!(
        !out.stderr.lines().any(|line| line.starts_with("  × ")),
        "{}",
        out.stderr
    );
    assert!(out.stderr.lines().any(|line| line.starts_with("  ⚠ ")));
    assert!(
        out.stderr.contains("more diagnostic(s) not shown"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.len() < 200_000,
        "{} bytes of diagnostics",
        out.stderr.len()
    );
    let reloaded = verdict_runtime::Table::open(&table_path).expect("the CLI's table loads");

    let catalog = Catalog::builtin("aws").expect("built-in aws catalog");
    let mut files = MemoryLoader::default();
    files.insert("account.json", dump.as_str());
    let out = compile(
        &[Input::account_dump("account.json")],
        &Config {
            catalog: catalog.clone(),
            limits: Default::default(),
            templates: Default::default(),
        },
        &mut files,
    );
    let errors: Vec<_> = out.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "errors: {errors:#?}");
    assert!(
        out.diagnostics.len() > 1000,
        "warnings are found, only not printed"
    );
    let table = out.table.as_ref().expect("a table");
    let model = out.model.as_ref().expect("a model");
    assert!(
        table == &reloaded,
        "the CLI wrote the table the compiler built"
    );
    let fixed = table
        .atoms()
        .iter()
        .filter(
            |atom| matches!(atom, verdict_runtime::parts::Atom::Condition(c) if c.fixed.is_some()),
        )
        .count();
    // One atom for all of them: they compare `aws:PrincipalAccount` with
    // `${aws:ResourceAccount}`, and every principal is of one account.
    assert!(fixed >= 1, "no atom with a fixed key");

    // Sample: every policy comparing a fixed key with a variable, and every
    // n-th other one.
    let docs: Vec<Value> = policies
        .iter()
        .map(|p| serde_json::from_str(&p.document).expect("valid JSON"))
        .collect();
    let stride = (policies.len() / crate::props::cases(40) as usize).max(1);
    let mut n_fixed = 0;
    let mut checked = 0usize;
    for (i, (policy, doc)) in policies.iter().zip(&docs).enumerate() {
        let aimed = compares_a_fixed_key_with_a_variable(doc);
        n_fixed += usize::from(aimed);
        if !aimed && i % stride != 0 {
            continue;
        }
        let principal = reaches[i].as_str();
        let p = table.principal(principal).expect("principal");
        let requests = requests(doc);
        for action in actions(&catalog, doc, 6) {
            let a = table.action(&action).expect("catalog action");
            for (resource, context) in &requests {
                let want = reference::evaluate(
                    model,
                    &catalog,
                    Request {
                        principal,
                        action: &action,
                        resource,
                        context,
                    },
                )
                .expect("reference decides");
                let request = verdict_runtime::Request { resource, context };
                let got = table.check_with(p, a, &request);
                assert_eq!(
                    got, want,
                    "{}: {principal} {action} on {resource} with {context:?}",
                    policy.name
                );
                assert_eq!(reloaded.check_with(p, a, &request), want);
                checked += 1;
            }
        }
    }
    assert!(
        n_fixed >= 12,
        "only {n_fixed} policies compare a fixed key with a variable"
    );
    assert!(checked > 5_000, "only {checked} requests checked");
}
