//! `verdict convert`: round trips keep the table (property tests on random
//! organisations; the AWS managed policies of `examples/policies`), and the
//! CLI contract: outputs (snapshots), policy selection, exit statuses and
//! errors.
//!
//! The table comparisons cover plain organisations (`props.rs`), organisations
//! with Condition blocks, resource ARNs and policy variables
//! (`conditions.rs`), and the 300 real AWS managed policies of
//! `tests/test_data/aws-managed`; the grammar crate's property tests cover
//! every construct at the tree level.

use proptest::prelude::*;
use verdict_compiler::{compile, Catalog, Config, FileLoader, Input, MemoryLoader};
use verdict_grammar::{parse_dsl, parse_policy_json, Item, Origin, PolicyBody};

use crate::cli::{run, run_with_stdin, TempDir};
use crate::props::{cases, materialize, org};

/// Table bytes of `org.vp` in `files`, or the sorted diagnostic codes.
pub(crate) fn table_or_codes(
    files: &mut MemoryLoader,
    catalog: &Catalog,
) -> Result<Vec<u8>, Vec<&'static str>> {
    let config = Config {
        catalog: catalog.clone(),
        limits: Default::default(),
        templates: Default::default(),
    };
    let out = compile(&[Input::auto("org.vp")], &config, files);
    match out.table {
        Some(table) => Ok(table.to_bytes()),
        None => {
            let mut codes: Vec<&'static str> = out.diagnostics.iter().map(|d| d.code).collect();
            codes.sort_unstable();
            Err(codes)
        }
    }
}

/// The lines of a generated `org.vp` that are not `policy … from` imports.
fn entity_lines(org: &str) -> String {
    org.lines()
        .filter(|l| !l.starts_with("policy "))
        .map(|l| format!("{l}\n"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(32), ..ProptestConfig::default() })]

    /// JSON → DSL gives the same table; that DSL → JSON gives it again; and
    /// formatting the DSL file changes nothing in the table.
    #[test]
    fn conversions_both_ways_keep_the_table(spec in org()) {
        let (mut json_files, catalog) = materialize(&spec);
        let want = table_or_codes(&mut json_files, &catalog);
        prop_assert!(want.is_ok(), "{:?}", want);
        let org = json_files.load("org.vp").unwrap();

        // JSON → DSL.
        let dsl = json_to_dsl(&mut json_files, spec.policies.len()) + &entity_lines(&org);
        let mut dsl_files = MemoryLoader::default();
        dsl_files.insert("org.vp", dsl.clone());
        prop_assert_eq!(&table_or_codes(&mut dsl_files, &catalog), &want, "{}", dsl);

        // DSL → JSON.
        let mut back = MemoryLoader::default();
        let imports = dsl_to_json(&dsl, &mut back);
        back.insert("org.vp", imports + &entity_lines(&org));
        prop_assert_eq!(&table_or_codes(&mut back, &catalog), &want);

        // fmt keeps the table, and formatting twice changes nothing.
        let formatted = verdict_grammar::format_dsl(&dsl).unwrap();
        prop_assert_eq!(verdict_grammar::format_dsl(&formatted).unwrap(), formatted.clone());
        let mut fmt_files = MemoryLoader::default();
        fmt_files.insert("org.vp", formatted);
        prop_assert_eq!(&table_or_codes(&mut fmt_files, &catalog), &want);
    }
}

/// `policy P{i} from "p{i}.json"` for `n` policies turned into DSL items;
/// then the DSL items turned back into JSON files and imports.
fn json_to_dsl(files: &mut MemoryLoader, n: usize) -> String {
    let mut dsl = String::new();
    for i in 0..n {
        let json = files.load(&format!("p{i}.json")).unwrap();
        let policy = parse_policy_json(&json).unwrap();
        dsl.push_str(
            &verdict_grammar::policy_to_dsl(&format!("P{i}"), &policy, Origin::Json).unwrap(),
        );
    }
    dsl
}

/// The policies of `dsl` as JSON files `NAME.json` in `into`, and the
/// `policy NAME from "NAME.json"` lines importing them.
fn dsl_to_json(dsl: &str, into: &mut MemoryLoader) -> String {
    let mut imports = String::new();
    for item in parse_dsl(dsl).unwrap().items {
        if let Item::Policy(decl) = item {
            if let PolicyBody::Inline(policy) = &decl.body {
                let managed = if decl.managed { "managed " } else { "" };
                into.insert(
                    format!("{}.json", decl.name.node),
                    verdict_grammar::policy_to_json(policy, Origin::Dsl),
                );
                imports.push_str(&format!(
                    "{managed}policy {0} from \"{0}.json\"\n",
                    decl.name.node
                ));
            }
        }
    }
    imports
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), ..ProptestConfig::default() })]

    /// The same round trips on policies with Condition blocks (every
    /// operator family, set prefixes, `IfExists`), Resource and NotResource
    /// ARNs and policy variables: the table, conditional cells included,
    /// stays the same byte for byte.
    #[test]
    fn conditional_policies_convert_both_ways_with_the_same_table(spec in crate::conditions::org()) {
        let catalog = crate::conditions::catalog();
        let mut json_files = crate::conditions::materialize(&spec);
        let want = table_or_codes(&mut json_files, &catalog);
        prop_assert!(want.is_ok(), "{:?}", want);
        let org = json_files.load("org.vp").unwrap();

        // JSON → DSL.
        let dsl = json_to_dsl(&mut json_files, spec.n_policies()) + &entity_lines(&org);
        let mut dsl_files = MemoryLoader::default();
        dsl_files.insert("org.vp", dsl.clone());
        prop_assert_eq!(&table_or_codes(&mut dsl_files, &catalog), &want, "{}", dsl);

        // DSL → JSON.
        let mut back = MemoryLoader::default();
        let imports = dsl_to_json(&dsl, &mut back);
        back.insert("org.vp", imports + &entity_lines(&org));
        prop_assert_eq!(&table_or_codes(&mut back, &catalog), &want, "{}", dsl);

        // fmt.
        let formatted = verdict_grammar::format_dsl(&dsl).unwrap();
        prop_assert_eq!(verdict_grammar::format_dsl(&formatted).unwrap(), formatted.clone());
        let mut fmt_files = MemoryLoader::default();
        fmt_files.insert("org.vp", formatted);
        prop_assert_eq!(&table_or_codes(&mut fmt_files, &catalog), &want);
    }
}

/// The conditional organisations of the property above do reach the DSL's
/// `when` and `on` clauses.
#[test]
fn conditional_organisations_convert_to_when_and_on_clauses() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut when, mut on) = (0, 0);
    for _ in 0..32 {
        let spec = crate::conditions::org()
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let mut files = crate::conditions::materialize(&spec);
        let dsl = json_to_dsl(&mut files, spec.n_policies());
        when += usize::from(dsl.contains(" when {"));
        on += usize::from(dsl.contains(" on "));
    }
    assert!(when >= 16 && on >= 16, "when {when}, on {on} of 32");
}

/// The 300 real AWS managed policies of `tests/test_data/aws-managed` (200
/// with Condition blocks, many with resource ARNs), each attached to its own
/// user: JSON → DSL → JSON gives the same documents and, compiled together
/// under the `aws` catalog, the same table; formatting the DSL file keeps it.
#[test]
fn real_managed_policies_convert_both_ways_with_the_same_table() {
    let catalog = Catalog::builtin("aws").unwrap();
    let dir = format!("{}/tests/test_data/aws-managed", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".json")
                .map(str::to_owned)
        })
        .filter(|n| n != "index")
        .collect();
    names.sort();
    assert_eq!(names.len(), 300);
    let mut json_files = MemoryLoader::default();
    let mut imports = String::new();
    let mut dsl = String::new();
    let mut users = String::new();
    let mut conditional = 0;
    for (i, name) in names.iter().enumerate() {
        let json = std::fs::read_to_string(format!("{dir}/{name}.json")).unwrap();
        let mut policy = parse_policy_json(&json).unwrap();
        conditional += usize::from(json.contains("\"Condition\""));
        json_files.insert(format!("{name}.json"), json.as_str());
        imports.push_str(&format!("managed policy {name} from \"{name}.json\"\n"));
        let item = verdict_grammar::policy_to_dsl(name, &policy, Origin::Json).unwrap();
        dsl.push_str(&format!("managed {item}"));
        users.push_str(&format!("user u{i} {{ attach {name} }}\n"));

        // The DSL item reads back to the same document.
        let file = parse_dsl(&item).unwrap();
        let Some(Item::Policy(decl)) = file.items.first() else {
            panic!("{name}: {item}")
        };
        let PolicyBody::Inline(again) = &decl.body else {
            panic!("{name}: {item}")
        };
        let mut again =
            parse_policy_json(&verdict_grammar::policy_to_json(again, Origin::Dsl)).unwrap();
        verdict_grammar::EraseSpans::erase_spans(&mut policy);
        verdict_grammar::EraseSpans::erase_spans(&mut again);
        assert_eq!(again, policy, "{name}: the document changed");
    }
    assert!(conditional >= 200, "{conditional}");
    json_files.insert("org.vp", imports + &users);
    let want = table_or_codes(&mut json_files, &catalog);
    assert!(want.is_ok(), "{want:?}");

    let mut dsl_files = MemoryLoader::default();
    dsl_files.insert("org.vp", dsl.clone() + &users);
    assert!(
        table_or_codes(&mut dsl_files, &catalog) == want,
        "JSON → DSL changed the table"
    );

    let mut back = MemoryLoader::default();
    let imports = dsl_to_json(&dsl, &mut back);
    back.insert("org.vp", imports + &users);
    assert!(
        table_or_codes(&mut back, &catalog) == want,
        "DSL → JSON changed the table"
    );

    let formatted = verdict_grammar::format_dsl(&(dsl + &users)).unwrap();
    let mut fmt_files = MemoryLoader::default();
    fmt_files.insert("org.vp", formatted);
    assert!(
        table_or_codes(&mut fmt_files, &catalog) == want,
        "fmt changed the table"
    );
}

/// `examples/policies/NAME.json`.
fn example_policy(name: &str) -> String {
    let path = format!(
        "{}/examples/policies/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).unwrap()
}

fn example_policy_names() -> Vec<String> {
    let dir = format!("{}/examples/policies", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter_map(|n| n.strip_suffix(".json").map(str::to_owned))
        .filter(|n| n != "index")
        .collect();
    names.sort();
    names
}

/// Every AWS managed policy of `examples/policies`, through the CLI: JSON →
/// DSL → JSON, each compiled under the `aws` catalog with the same user and
/// role attached, gives the same table or the same diagnostics.
#[test]
fn example_managed_policies_convert_both_ways_with_the_same_table() {
    let catalog = Catalog::builtin("aws").unwrap();
    let entities = "user u { attach P }\nrole r { attach P }\n";
    let names = example_policy_names();
    assert!(names.len() >= 17, "{names:?}");
    let dir = TempDir::new();
    let mut compiled = 0;
    for name in &names {
        let json = example_policy(name);
        let mut files = MemoryLoader::default();
        files.insert("p.json", json.as_str());
        files.insert("org.vp", format!("policy P from \"p.json\"\n{entities}"));
        let want = table_or_codes(&mut files, &catalog);
        compiled += usize::from(want.is_ok());

        let src = dir.write(&format!("{name}.json"), &json);
        let out = run(&[
            "convert",
            "--to",
            "dsl",
            "--name",
            "P",
            src.to_str().unwrap(),
        ]);
        assert_eq!((out.status, out.stderr.as_str()), (0, ""), "{name}");
        let dsl = out.stdout;
        assert_eq!(
            verdict_grammar::format_dsl(&dsl).unwrap(),
            dsl,
            "{name}: not formatted"
        );
        let mut files = MemoryLoader::default();
        files.insert("org.vp", format!("{dsl}{entities}"));
        assert_eq!(
            table_or_codes(&mut files, &catalog),
            want,
            "{name}: JSON → DSL"
        );

        let vp = dir.write(&format!("{name}.vp"), &dsl);
        let out = run(&["convert", "--to", "json", vp.to_str().unwrap()]);
        assert_eq!((out.status, out.stderr.as_str()), (0, ""), "{name}");
        let mut files = MemoryLoader::default();
        files.insert("q.json", out.stdout.as_str());
        files.insert("org.vp", format!("policy P from \"q.json\"\n{entities}"));
        assert_eq!(
            table_or_codes(&mut files, &catalog),
            want,
            "{name}: DSL → JSON"
        );
        let mut original = parse_policy_json(&json).unwrap();
        let mut again = parse_policy_json(&out.stdout).unwrap();
        verdict_grammar::EraseSpans::erase_spans(&mut original);
        verdict_grammar::EraseSpans::erase_spans(&mut again);
        assert_eq!(again, original, "{name}: the document changed");
    }
    assert_eq!(compiled, names.len(), "every example compiles");
}

// ---------------------------------------------------------------------------
// The CLI
// ---------------------------------------------------------------------------

const TRUST_JSON: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": ["chime:List*", "chime:Get*"], "Resource": "*"},
    {"Effect": "Deny", "NotAction": "chime:*", "NotResource": ["arn:aws:chime::111122223333:meeting/*"],
     "Condition": {"Bool": {"aws:SecureTransport": false}, "NumericLessThan": {"aws:MultiFactorAuthAge": 3600},
                   "StringEquals": {"aws:PrincipalTag/team": ["red", "blue team"], "aws:RequestedRegion": "us-east-1"}}},
    {"Effect": "Allow", "Action": "sts:AssumeRole",
     "Principal": {"AWS": "arn:aws:iam::111122223333:root", "Service": ["chime.amazonaws.com", "ec2.amazonaws.com"]}}
  ]
}"#;

#[test]
fn to_dsl_spells_every_construct() {
    let dir = TempDir::new();
    let src = dir.write("Team Policy.json", TRUST_JSON);
    let out = run(&["convert", "--to", "dsl", src.to_str().unwrap()]);
    assert_eq!((out.status, out.stderr.as_str()), (0, ""));
    insta::assert_snapshot!("convert_to_dsl", out.stdout);
    let named = run(&[
        "convert",
        "--to",
        "dsl",
        "--name",
        "Other",
        src.to_str().unwrap(),
    ]);
    assert!(
        named.stdout.starts_with("policy Other {\n"),
        "{}",
        named.stdout
    );
}

#[test]
fn to_json_prints_the_only_policy_as_a_document() {
    let dir = TempDir::new();
    let src = dir.write(
        "one.vp",
        "// a comment\npolicy Team {\n  sid Read\n  allow chime:List*, chime:Get*\n  deny not chime:* on not \"arn:aws:chime::111122223333:meeting/*\"\n    when { Bool aws:SecureTransport = false  NumericLessThan aws:MultiFactorAuthAge = 3600 }\n}\n",
    );
    let out = run(&["convert", "--to", "json", src.to_str().unwrap()]);
    assert_eq!((out.status, out.stderr.as_str()), (0, ""));
    insta::assert_snapshot!("convert_to_json", out.stdout);
}

const ORG: &str = r#"policy Read { allow chime:List* }
managed policy Admin { version "2012-10-17" allow chime:* }
policy Imported from "imported.json"
user alice {
  attach Admin
  policy Inline { deny chime:DeleteAccount }
}
"#;

fn org_dir() -> (TempDir, String) {
    let dir = TempDir::new();
    dir.write(
        "imported.json",
        r#"{"Statement": {"Effect": "Allow", "Action": "chime:GetUser", "Resource": "*"}}"#,
    );
    let src = dir.write("org.vp", ORG);
    let src = src.to_str().unwrap().to_owned();
    (dir, src)
}

#[test]
fn to_json_with_several_policies_needs_a_choice() {
    let (_dir, src) = org_dir();
    let out = run(&["convert", "--to", "json", &src]);
    assert_eq!((out.status, out.stdout.as_str()), (2, ""));
    assert_eq!(
        out.stderr.replace(&src, "org.vp"),
        "error: `org.vp` declares 4 policies: choose one with `--policy NAME`, or convert all with `--all`; they are `Read`, `Admin`, `Imported`, `user/alice/Inline`\n"
    );
    let out = run(&[
        "convert",
        "--to",
        "json",
        &src,
        "--policy",
        "user/alice/Inline",
    ]);
    assert_eq!((out.status, out.stderr.as_str()), (0, ""));
    assert_eq!(
        out.stdout,
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Deny\",\n      \"Action\": \"chime:DeleteAccount\",\n      \"Resource\": \"*\"\n    }\n  ]\n}\n"
    );
    let out = run(&["convert", "--to", "json", &src, "--policy", "Nope"]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr
            .contains("declares no policy named `Nope`; it declares `Read`, `Admin`"),
        "{}",
        out.stderr
    );
}

#[test]
fn to_json_all_prints_every_policy_by_name() {
    let (_dir, src) = org_dir();
    let out = run(&["convert", "--to", "json", &src, "--all"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr.replace(&src, "org.vp"),
        "note: the users, groups and roles of `org.vp` are not converted: they have no IAM policy JSON form\n"
    );
    insta::assert_snapshot!("convert_to_json_all", out.stdout);
    let parsed: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let names: Vec<&str> = parsed
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(names, ["Read", "Admin", "Imported", "user/alice/Inline"]);
    // An imported document keeps its (absent) version: it is 2008-10-17 either way.
    assert!(parsed["Imported"].get("Version").is_none());
    assert_eq!(parsed["Read"]["Version"], "2012-10-17");
}

const ACCOUNTS_ORG: &str = r#"account "111122223333"
scp Guard at ou Engineering { deny chime:DeleteAccount }
scp Base from "base.json"
role Ops {
  trust { allow sts:AssumeRole principal aws "arn:aws:iam::111122223333:root" when { Bool aws:MultiFactorAuthPresent = true } }
  trust user alice
  policy Inline { allow chime:List* }
}
service-linked-role AWSServiceRoleForChime { service chime.amazonaws.com  policy Own { allow chime:Get* } }
assumed-role Ops/standup { policy Narrow { allow chime:CreateMeeting } }
federated-user carol-fed { user carol  policy Session { allow chime:List* } }
"#;

/// SCPs, written-out trust policies and the inline policies of every kind
/// of entity are converted, named as the README says; `trust` shorthands
/// and `account` items are not.
#[test]
fn to_json_converts_scps_trust_policies_and_session_policies() {
    let dir = TempDir::new();
    dir.write(
        "base.json",
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
    );
    let src = dir.write("accounts.vp", ACCOUNTS_ORG);
    let out = run(&["convert", "--to", "json", src.to_str().unwrap(), "--all"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let parsed: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let names: Vec<&str> = parsed
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        names,
        [
            "scp/Guard",
            "scp/Base",
            "trust/Ops",
            "role/Ops/Inline",
            "role/AWSServiceRoleForChime/Own",
            "assumed-role/Ops/standup/Narrow",
            "federated-user/carol-fed/Session",
        ]
    );
    let trust = &parsed["trust/Ops"]["Statement"][0];
    assert_eq!(trust["Principal"]["AWS"], "arn:aws:iam::111122223333:root");
    assert_eq!(
        trust["Condition"]["Bool"]["aws:MultiFactorAuthPresent"],
        "true"
    );
    assert!(trust.get("Resource").is_none(), "{trust}");
    assert_eq!(parsed["scp/Base"]["Statement"][0]["Action"], "*");

    // One of them by name, and back to the DSL inside a `trust` block.
    let out = run(&[
        "convert",
        "--to",
        "json",
        src.to_str().unwrap(),
        "--policy",
        "trust/Ops",
    ]);
    assert_eq!((out.status, out.stderr.as_str()), (0, ""));
    let doc = dir.write("trust.json", &out.stdout);
    let out = run(&["convert", "--to", "dsl", doc.to_str().unwrap()]);
    assert_eq!((out.status, out.stderr.as_str()), (0, ""));
    assert_eq!(
        out.stdout,
        "policy trust {\n  version 2012-10-17\n  allow sts:AssumeRole\n    when { Bool aws:MultiFactorAuthPresent = true }\n    principal aws arn:aws:iam::111122223333:root\n}\n"
    );
}

#[test]
fn entities_alone_have_no_json_form() {
    let dir = TempDir::new();
    let src = dir.write("people.vp", "user alice { attach P }\ngroup g\n");
    let out = run(&["convert", "--to", "json", src.to_str().unwrap()]);
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.ends_with(
            "declares no policy; users, groups and roles have no IAM policy JSON form\n"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn what_the_dsl_cannot_spell_is_a_located_error() {
    let dir = TempDir::new();
    let src = dir.write(
        "bad.json",
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"allow\", \"Action\": \"chime:List*\", \"Resource\": \"*\"}\n  ]\n}\n",
    );
    let out = run(&["convert", "--to", "dsl", src.to_str().unwrap()]);
    assert_eq!((out.status, out.stdout.as_str()), (1, ""));
    insta::assert_snapshot!(
        "convert_not_expressible",
        out.stderr.replace(src.to_str().unwrap(), "bad.json")
    );
    let out = run(&[
        "convert",
        "--to",
        "dsl",
        "--message-format",
        "short",
        src.to_str().unwrap(),
    ]);
    assert_eq!(
        out.stderr.replace(src.to_str().unwrap(), "bad.json"),
        "bad.json:4:16: error[E0010]: the effect `allow` is neither `Allow` nor `Deny`, which the DSL cannot express (help: IAM rejects this too; fix the document first)\n"
    );
}

#[test]
fn syntax_errors_are_reported_like_compile_does() {
    let dir = TempDir::new();
    let json = dir.write("bad.json", "{\"Statement\": [}\n");
    let out = run(&[
        "convert",
        "--to",
        "dsl",
        "--message-format",
        "short",
        json.to_str().unwrap(),
    ]);
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .starts_with(&format!("{}:1:16: error[E0001]: ", json.display())),
        "{}",
        out.stderr
    );
    let vp = dir.write("bad.vp", "policy P { allow }\n");
    let out = run(&[
        "convert",
        "--to",
        "json",
        "--message-format",
        "short",
        vp.to_str().unwrap(),
    ]);
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stderr,
        format!(
            "{}:1:18: error[E0001]: expected `not` or an action, found `}}`\n",
            vp.display()
        )
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = TempDir::new();
    let json = dir.write("p.json", TRUST_JSON);
    let vp = dir.write("p.vp", "policy P { allow * }\n");
    let dump = dir.write("dump.json", r#"{"UserDetailList": [], "Policies": []}"#);
    let (json, vp, dump) = (
        json.to_str().unwrap(),
        vp.to_str().unwrap(),
        dump.to_str().unwrap(),
    );
    for (args, message) in [
        (vec!["convert", "--to", "json", json], "is IAM JSON already"),
        (vec!["convert", "--to", "dsl", vp], "is DSL already"),
        (vec!["convert", "--to", "dsl", dump], "is an account dump"),
        (
            vec!["convert", "--to", "json", "--name", "X", vp],
            "`--name` names",
        ),
        (
            vec!["convert", "--to", "dsl", "--all", json],
            "`--policy` and `--all`",
        ),
        (
            vec!["convert", "--to", "json", "missing.vp"],
            "cannot read `missing.vp`: no such file",
        ),
        (vec!["convert", "--to", "yaml", vp], "invalid value 'yaml'"),
        (
            vec!["convert", "--to", "json", "--all", "--policy", "P", vp],
            "cannot be used with",
        ),
    ] {
        let out = run(&args);
        assert_eq!(out.status, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(message), "{args:?}: {}", out.stderr);
        assert_eq!(out.stdout, "");
    }
}

#[test]
fn standard_input_works_both_ways() {
    let out = run_with_stdin(&["convert", "--to", "dsl", "-"], TRUST_JSON);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("policy Policy {\n"),
        "{}",
        out.stdout
    );
    let back = run_with_stdin(&["convert", "--to", "json", "-"], &out.stdout);
    assert_eq!(back.status, 0, "{}", back.stderr);
    let mut a = parse_policy_json(TRUST_JSON).unwrap();
    let mut b = parse_policy_json(&back.stdout).unwrap();
    verdict_grammar::EraseSpans::erase_spans(&mut a);
    verdict_grammar::EraseSpans::erase_spans(&mut b);
    assert_eq!(a, b);
}
