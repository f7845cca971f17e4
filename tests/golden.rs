//! Golden tables protect the wire format: every committed table still loads
//! and answers as it did, and the current version's tables are reproduced
//! byte for byte from their sources. See tests/test_data/tables/README.md.

use std::path::{Path, PathBuf};

use verdict_compiler::{compile, Config, FileLoader, Input};
use verdict_runtime::{Context, ContextValue, Request, Table, FORMAT_VERSION};

pub(crate) fn tables_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/test_data/tables")
}

/// Reads files relative to a folder, as the CLI would.
struct DirLoader;

impl FileLoader for DirLoader {
    fn load(&mut self, path: &str) -> Result<String, String> {
        std::fs::read_to_string(path).map_err(|e| e.to_string())
    }
}

/// Checks every line of `{dir}/chime-org.expected` against the table:
/// `principal action decision [resource=ARN] [KEY=VALUE...]`; a key given
/// twice is multivalued, as with `verdict check --context`.
pub(crate) fn answers_as_recorded(dir: &Path, table: &Table) -> usize {
    let expected = std::fs::read_to_string(dir.join("chime-org.expected")).unwrap();
    let mut n = 0;
    for line in expected
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let parts: Vec<&str> = line.split(' ').collect();
        let [principal, action, decision, rest @ ..] = &parts[..] else {
            panic!("bad line {line:?}")
        };
        let mut resource = "*";
        let mut context = Context::new();
        for item in rest {
            if let Some(arn) = item.strip_prefix("resource=") {
                resource = arn;
                continue;
            }
            let (key, value) = item.split_once('=').expect("KEY=VALUE");
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
        let p = table.principal(principal).unwrap();
        let a = table.action(action).unwrap();
        let request = Request {
            resource,
            context: &context,
        };
        assert_eq!(
            table.check_with(p, a, &request).to_string(),
            *decision,
            "{line}"
        );
        n += 1;
    }
    n
}

#[test]
fn golden_tables_load_and_answer_as_recorded() {
    let v4 = tables_dir().join("v4");
    let table = Table::open(v4.join("chime-org.bin")).expect("golden v4 table loads");
    assert_eq!(table.format_version(), 4);
    assert!(
        table.n_residuals() > 0,
        "the v4 golden table has residual programs"
    );
    assert!(
        table.atoms().iter().any(|atom| matches!(
            atom,
            verdict_runtime::parts::Atom::Condition(c) if c.fixed.is_some()
        )),
        "the v4 golden table has atoms whose key the model fixes"
    );
    assert_eq!(answers_as_recorded(&v4, &table), 121);
    assert_eq!(edges_as_recorded(&v4, &table), 6);
    // Format version 4 is no larger than version 3 for the same sources.
    let v3 = std::fs::metadata(tables_dir().join("v3/chime-org.bin")).unwrap();
    assert!(
        table.byte_len() as u64 <= v3.len(),
        "{} > {}",
        table.byte_len(),
        v3.len()
    );
}

/// Checks the trust edges against `{dir}/chime-org.edges`: `from → to` or
/// `from → to: condition`, in the table's order, conditions in words.
fn edges_as_recorded(dir: &Path, table: &Table) -> usize {
    let expected = std::fs::read_to_string(dir.join("chime-org.edges")).unwrap();
    let expected: Vec<&str> = expected.lines().filter(|l| !l.starts_with('#')).collect();
    let found: Vec<String> = table
        .trust_edges()
        .map(|edge| {
            let condition = table
                .trust_residual(edge)
                .map(|r| format!(": {}", verdict::residual::describe(r, table.atoms())))
                .unwrap_or_default();
            format!(
                "{} → {}{condition}",
                table.principal_name(edge.from),
                table.principal_name(edge.to)
            )
        })
        .collect();
    assert_eq!(found, expected);
    found.len()
}

#[test]
fn the_golden_table_answers_through_role_chains() {
    let table = Table::open(tables_dir().join("v4/chime-org.bin")).unwrap();
    let ola = table.principal("user/ola").unwrap();
    let create = table.action("chime:CreateAccount").unwrap();
    let chain = |context: &Context| {
        let request = Request {
            resource: "*",
            context,
        };
        verdict::reach::allowed_chain(&table, ola, create, &request).map(|c| {
            c.principals
                .iter()
                .map(|&p| table.principal_name(p))
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(chain(&Context::new()), None);
    let mfa = Context::new().with("aws:MultiFactorAuthPresent", "true");
    assert_eq!(
        chain(&mfa),
        Some(vec!["user/ola", "role/OnCall", "role/Escalation"])
    );
}

#[test]
fn older_version_tables_are_rejected_with_the_supported_versions() {
    for version in [1, 2, 3] {
        let err = Table::open(tables_dir().join(format!("v{version}/chime-org.bin"))).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains(&format!("version {version} is not supported"))
                && message.contains("reads version 4"),
            "{message}"
        );
    }
}

#[test]
fn current_version_tables_are_reproduced_byte_for_byte() {
    let dir = tables_dir().join(format!("v{FORMAT_VERSION}"));
    let source = dir.join("src/chime-org.vp");
    let out = compile(
        &[Input::auto(source.to_str().unwrap())],
        &Config::default(),
        &mut DirLoader,
    );
    assert!(!out.has_errors(), "{:#?}", out.diagnostics);
    let golden = std::fs::read(dir.join("chime-org.bin")).unwrap();
    assert!(
        out.table.unwrap().to_bytes() == golden,
        "compiling the golden sources gave different bytes"
    );
}
