//! `verdict explain` through `verdict::run`, on `tests/test_data/explain/`:
//! the statement named for an explicit deny, an allow through a group, an
//! implicit deny with no statement, a boundary cut, an SCP cut, session
//! policies, P7 and P8, conditions and resources that a request satisfies or
//! violates, a condition decided at compile time; text and JSON snapshots;
//! the error for a table compiled without `--explain`. Then properties: for
//! every cell of the golden organisation and of random accounts (sessions,
//! federated users, SCP levels, conditions), what the provenance section
//! leads to is the table's decision.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use verdict::explain::{disagreements, explain, Reason};
use verdict_compiler::{compile, provenance, Config, FileLoader, Input};
use verdict_runtime::{Context, Decision, Request, Table};

use crate::cli::{run, TempDir};
use crate::props::cases;

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn data(name: &str) -> String {
    format!(
        "{}/tests/test_data/explain/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Paths in outputs, relative to the repository.
fn scrub(text: &str) -> String {
    text.replace(concat!(env!("CARGO_MANIFEST_DIR"), "/"), "")
}

/// `tests/test_data/explain/org.vp` compiled into `dir`, with provenance
/// when `explain`.
fn compile_org(dir: &TempDir, explain: bool) -> PathBuf {
    let table = dir.path(if explain { "org.vdt" } else { "plain.vdt" });
    let mut args = vec![
        "compile".to_string(),
        data("org.vp"),
        "--catalog".to_string(),
        data("catalog.tsv"),
        "-o".to_string(),
        s(&table).to_string(),
        "--quiet".to_string(),
    ];
    if explain {
        args.push("--explain".to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args);
    assert_eq!(out.status, 0, "{}", out.stderr);
    table
}

/// Runs `verdict explain` on the test organisation; returns the exit status
/// and standard output (paths scrubbed).
fn explain_org(args: &[&str]) -> (i32, String) {
    let dir = TempDir::new();
    let table = compile_org(&dir, true);
    let mut all = vec!["explain", s(&table)];
    all.extend_from_slice(args);
    let out = run(&all);
    assert_eq!(
        out.stderr, "",
        "explain agrees with the table, so it warns nothing"
    );
    (out.status, scrub(&out.stdout))
}

/// The lines of the section `title` of a text explanation.
fn section<'t>(text: &'t str, title: &str) -> Vec<&'t str> {
    text.lines()
        .skip_while(|l| *l != format!("{title}:"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect()
}

#[test]
fn explicit_deny_names_the_deny_statement() {
    let (status, text) = explain_org(&["user/alice", "chime:DeleteAccount"]);
    assert_eq!(status, 1);
    assert_eq!(
        section(&text, "deciding statements"),
        ["  deny   Admin statement 2 (Sid `NoAccountDeletes`)  tests/test_data/explain/org.vp:10  identity policy, attached"]
    );
    insta::assert_snapshot!("explain_deny", text);
}

#[test]
fn allow_through_a_group_names_the_group() {
    let (status, text) = explain_org(&["user/bob", "chime:ListUsers"]);
    assert_eq!(status, 0);
    assert!(
        text.starts_with("user/bob chime:ListUsers: allow\n"),
        "{text}"
    );
    let deciding = section(&text, "deciding statements");
    assert!(
        deciding.contains(
            &"  allow  ReadOnly statement 1 (Sid `ReadAll`)  tests/test_data/explain/org.vp:4  identity policy, attached, via group/Support (managed)"
        ),
        "{text}"
    );
    // Every step's Allow is named: both SCP levels and the identity policy.
    assert_eq!(deciding.len(), 3, "{text}");
    insta::assert_snapshot!("explain_allow_via_group", text);
}

#[test]
fn implicit_deny_without_any_statement() {
    let (status, text) = explain_org(&["user/bob", "chime:DeleteUser"]);
    assert_eq!(status, 1);
    assert_eq!(
        text.lines().nth(1),
        Some("implicit deny: no statement in the identity policies (`ReadOnly`, `FromOffice`, `RedTeamOnly`) allows chime:DeleteUser (P1.3)")
    );
    assert!(section(&text, "deciding statements").is_empty());
}

#[test]
fn implicit_deny_by_a_boundary_names_the_boundary() {
    let (status, text) = explain_org(&["user/carol", "chime:DeleteUser"]);
    assert_eq!(status, 1);
    assert_eq!(
        text.lines().nth(1),
        Some("implicit deny: no statement in the permissions boundary `MeetingsOnly` allows chime:DeleteUser (P1.4)")
    );
    // The identity policy did allow it.
    assert!(
        section(&text, "statements naming the action").contains(
            &"  allow  Admin statement 1  tests/test_data/explain/org.vp:9  identity policy, attached"
        ),
        "{text}"
    );
    insta::assert_snapshot!("explain_boundary_cut", text);
}

#[test]
fn implicit_deny_by_an_scp_level_names_the_level() {
    let (status, text) = explain_org(&["user/alice", "iam:AttachUserPolicy"]);
    assert_eq!(status, 1);
    assert_eq!(
        text.lines().nth(1),
        Some("implicit deny: no statement in the SCPs at `ou/Eng` (`NoIam`) allows iam:AttachUserPolicy (P1.2)")
    );
    assert!(text.contains("  scp       no allow  the SCPs at `ou/Eng` (`NoIam`)\n"));
}

#[test]
fn conditions_are_decided_against_the_given_context() {
    let (status, text) = explain_org(&[
        "user/bob",
        "chime:UpdateUser",
        "--context",
        "aws:SourceIp=10.1.2.3",
    ]);
    assert_eq!(status, 0);
    assert_eq!(
        section(&text, "deciding statements")[2..],
        [
            "  allow  FromOffice statement 1 (Sid `OfficeOnly`)  tests/test_data/explain/org.vp:19  identity policy, via group/Support",
            "         holds for this request: IpAddress aws:sourceip [\"10.0.0.0/8\"]",
        ]
    );
    let (status, text) = explain_org(&[
        "user/bob",
        "chime:UpdateUser",
        "--context",
        "aws:SourceIp=192.0.2.1",
    ]);
    assert_eq!(status, 1);
    assert!(
        text.contains("         fails for this request: IpAddress aws:sourceip [\"10.0.0.0/8\"]\n")
    );
    insta::assert_snapshot!("explain_condition_fails", text);
    // No context: the key is absent (C4), the condition fails.
    let (status, _) = explain_org(&["user/bob", "chime:UpdateUser"]);
    assert_eq!(status, 1);
}

#[test]
fn resources_are_matched_against_the_given_resource() {
    let (status, text) = explain_org(&[
        "user/bob",
        "chime:GetMeeting",
        "--resource",
        "arn:aws:chime:us-east-1:111122223333:meeting/bob-1",
    ]);
    assert_eq!(status, 0);
    assert!(text.contains(
        "         holds for this request: resource matches [\"arn:aws:chime:*:*:meeting/bob-*\"]\n"
    ));
    let (status, text) = explain_org(&[
        "user/bob",
        "chime:GetMeeting",
        "--resource",
        "arn:aws:chime:us-east-1:111122223333:meeting/alice-1",
    ]);
    // ReadOnly's `chime:Get*` on `*` allows it all the same.
    assert_eq!(status, 0);
    assert!(text.contains("         fails for this request: resource matches"));
}

#[test]
fn a_key_the_model_fixes_against_a_request_variable_is_decided_per_request() {
    let dir = TempDir::new();
    let table = dir.path("golden.vdt");
    let source = format!(
        "{}/tests/test_data/tables/v3/src/chime-org.vp",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = run(&["compile", &source, "-o", s(&table), "--explain", "-q"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let explain = |identity: &str| {
        let context = format!("aws:SourceIdentity={identity}");
        let out = run(&[
            "explain",
            s(&table),
            "user/pia",
            "chime:UpdateUser",
            "--context",
            &context,
        ]);
        assert_eq!(out.stderr, "");
        (out.status, out.stdout)
    };
    let test = "StringNotLike aws:username (= \"pia\") [\"${aws:sourceidentity, 'nobody'}*\"]";
    let (status, text) = explain("x");
    assert_eq!(status, 1);
    assert!(
        text.contains(&format!("holds for this request: {test}\n")),
        "{text}"
    );
    // `p*` matches `pia`: the Deny does not apply.
    let (status, text) = explain("p");
    assert_eq!(status, 0);
    assert!(
        text.contains(&format!("fails for this request: {test}\n")),
        "{text}"
    );
}

#[test]
fn conditions_on_known_keys_are_decided_per_principal() {
    // bob is tagged red: the Deny never applies to him.
    let (status, text) = explain_org(&["user/bob", "chime:TagResource"]);
    assert_eq!(status, 1);
    assert!(text.contains("         never applies to user/bob: its condition is false for it (decided at compile time): StringNotEquals aws:PrincipalTag/team [\"red\"]\n"), "{text}");
    // carol is tagged blue: it always does.
    let (status, text) = explain_org(&["user/carol", "chime:TagResource"]);
    assert_eq!(status, 1);
    assert_eq!(
        section(&text, "deciding statements"),
        ["  deny   RedTeamOnly statement 1  tests/test_data/explain/org.vp:26  identity policy, via group/Support"]
    );
}

#[test]
fn session_policies_are_a_step_of_their_own() {
    let (status, text) = explain_org(&["assumed-role/Bot/nightly", "chime:DeleteUser"]);
    assert_eq!(status, 1);
    assert_eq!(
        text.lines().nth(1),
        Some("implicit deny: no statement in the session policies (`assumed-role/Bot/nightly/Narrow`) allows chime:DeleteUser (P1.5)")
    );
    assert!(
        text.contains("identity policy of role/Bot, attached"),
        "{text}"
    );
    let (status, text) = explain_org(&["assumed-role/Bot/nightly", "chime:ListUsers"]);
    assert_eq!(status, 0);
    assert!(section(&text, "deciding statements").contains(
        &"  allow  assumed-role/Bot/nightly/Narrow statement 1  tests/test_data/explain/org.vp:45  session policy"
    ), "{text}");
    insta::assert_snapshot!("explain_session", text);
}

#[test]
fn credential_restrictions_and_caller_identity() {
    let (status, text) = explain_org(&["federated-user/alice-tool", "sts:GetSessionToken"]);
    assert_eq!(status, 1);
    assert_eq!(
        text.lines().nth(1),
        Some("implicit deny: federated users never get sts:GetSessionToken (no iam:* and no sts:* but sts:GetCallerIdentity), whatever their policies allow (P8)")
    );
    let (status, text) = explain_org(&["role/Ops", "sts:GetSessionToken"]);
    assert_eq!(status, 1);
    assert!(
        text.contains("role sessions can never call sts:GetSessionToken"),
        "{text}"
    );
    let (status, text) = explain_org(&["role/Bot", "sts:GetCallerIdentity"]);
    assert_eq!(status, 0);
    assert_eq!(
        text.lines().nth(1),
        Some("sts:GetCallerIdentity is allowed to every principal, whatever the policies (P7)")
    );
}

#[test]
fn json_lists_every_statement_with_its_provenance() {
    let (status, text) = explain_org(&[
        "user/bob",
        "chime:UpdateUser",
        "--context",
        "aws:SourceIp=192.0.2.1",
        "--format",
        "json",
    ]);
    assert_eq!(status, 1);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["decision"], "implicit-deny");
    assert_eq!(json["reason"], "no-allow");
    let office = json["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sid"] == "OfficeOnly")
        .unwrap();
    assert_eq!(office["groups"], serde_json::json!(["group/Support"]));
    assert_eq!(office["applies"], "fails");
    assert_eq!(office["line"], 19);
    assert_eq!(office["tests"][0]["holds"], false);
    insta::assert_snapshot!("explain_json", text);
}

#[test]
fn a_table_without_provenance_is_an_error_that_says_how_to_fix_it() {
    let dir = TempDir::new();
    let plain = compile_org(&dir, false);
    let out = run(&["explain", s(&plain), "user/bob", "chime:ListUsers"]);
    assert_eq!(out.status, 2);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains(
            "the table has no provenance section: recompile it with `verdict compile --explain`"
        ),
        "{}",
        out.stderr
    );
    let with = compile_org(&dir, true);
    for (args, needle) in [
        (
            vec!["user/nobody", "chime:ListUsers"],
            "unknown principal `user/nobody`",
        ),
        (
            vec!["user/bob", "chime:Nope"],
            "unknown action `chime:Nope`",
        ),
        (
            vec!["user/bob", "chime:ListUsers", "--context", "novalue"],
            "not KEY=VALUE",
        ),
    ] {
        let mut all = vec!["explain", s(&with)];
        all.extend(args);
        let out = run(&all);
        assert_eq!(out.status, 2, "{all:?}");
        assert!(out.stderr.contains(needle), "{}", out.stderr);
    }
}

#[test]
fn the_section_changes_no_answer_and_inspect_reports_it() {
    let dir = TempDir::new();
    let plain = Table::open(compile_org(&dir, false)).unwrap();
    let with_path = compile_org(&dir, true);
    let with = Table::open(&with_path).unwrap();
    assert!(plain.provenance().is_none());
    assert!(with.byte_len() > plain.byte_len());
    assert_eq!(
        with.byte_len() - plain.byte_len(),
        with.provenance_byte_len()
    );
    let mut stripped = with.to_parts();
    stripped.provenance = None;
    assert_eq!(Table::from_parts(stripped).unwrap(), plain);
    for p in plain.principals() {
        for a in plain.actions() {
            assert_eq!(plain.cell(p, a), with.cell(p, a));
        }
    }
    let out = run(&["inspect", s(&with_path), "--show", "summary"]);
    assert!(
        out.stdout.contains(&format!(
            "provenance: {} bytes: 1 files, 10 policies, 12 statements,",
            with.provenance_byte_len()
        )),
        "{}",
        out.stdout
    );
}

/// Reads files from the file system, as the CLI does.
struct DirLoader;

impl FileLoader for DirLoader {
    fn load(&mut self, path: &str) -> Result<String, String> {
        std::fs::read_to_string(path).map_err(|e| e.to_string())
    }
}

#[test]
fn every_cell_of_the_golden_organisation_is_explained_as_decided() {
    let source = format!(
        "{}/tests/test_data/tables/v3/src/chime-org.vp",
        env!("CARGO_MANIFEST_DIR")
    );
    let config = Config::default();
    let mut out = compile(&[Input::auto(source)], &config, &mut DirLoader);
    provenance::attach(&mut out, &config.catalog);
    assert!(!out.has_errors(), "{:#?}", out.diagnostics);
    let table = out.table.unwrap();
    let corp = Context::new()
        .with("aws:SourceIp", "10.1.2.3")
        .with("aws:MultiFactorAuthPresent", "true");
    let tags = Context::new().with_multi("aws:TagKeys", ["team", "cost-center"]);
    let requests = [
        Request::default(),
        Request {
            resource: "*",
            context: &corp,
        },
        Request {
            resource: "*",
            context: &tags,
        },
        Request {
            resource: "arn:aws:chime:us-east-1:111122223333:meeting/alice-1",
            context: &corp,
        },
    ];
    for request in &requests {
        assert_eq!(disagreements(&table, request).unwrap(), []);
    }
    // Every explicit deny names a Deny statement; every allow an Allow per step.
    for p in table.principals() {
        for a in table.actions() {
            let e = explain(&table, p, a, &requests[1]).unwrap();
            match e.reason {
                Reason::ExplicitDeny | Reason::Allowed => {
                    assert!(e.statements.iter().any(|s| s.deciding), "{e:?}");
                }
                _ => assert!(e.statements.iter().all(|s| !s.deciding), "{e:?}"),
            }
            if e.reason == Reason::Allowed {
                for step in 0..e.steps.len() {
                    assert!(
                        e.statements.iter().any(|s| s.deciding && s.step == step),
                        "{e:?}"
                    );
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(32), ..ProptestConfig::default() })]

    #[test]
    fn random_accounts_are_explained_as_decided(
        spec in crate::accounts::account(),
        reqs in proptest::collection::vec(crate::conditions::req(), 1..3),
    ) {
        let mut files = crate::accounts::materialize(&spec);
        let catalog = crate::accounts::catalog();
        let config = Config { catalog: catalog.clone(), ..Config::default() };
        let mut out = compile(&[Input::auto("org.vp")], &config, &mut files);
        prop_assert!(!out.has_errors(), "errors: {:#?}", out.diagnostics);
        provenance::attach(&mut out, &catalog);
        prop_assert!(!out.has_errors(), "errors: {:#?}", out.diagnostics);
        let table = Table::from_bytes(&out.table.unwrap().to_bytes()).unwrap();
        prop_assert_eq!(disagreements(&table, &Request::default()).unwrap(), []);
        for r in &reqs {
            let context = crate::conditions::context_of(r);
            let request = Request { resource: r.resource, context: &context };
            prop_assert_eq!(disagreements(&table, &request).unwrap(), []);
        }
    }
}

#[test]
fn decisions_are_the_tables_even_when_explained() {
    // The printed decision is `check`'s, word for word.
    let dir = TempDir::new();
    let table = compile_org(&dir, true);
    for (principal, action) in [
        ("user/alice", "chime:DeleteAccount"),
        ("user/bob", "chime:ListUsers"),
        ("user/carol", "chime:DeleteUser"),
    ] {
        let check = run(&["check", s(&table), principal, action]);
        let explained = run(&["explain", s(&table), principal, action]);
        assert_eq!(check.status, explained.status);
        let decision = check.stdout.trim();
        assert!(
            explained
                .stdout
                .starts_with(&format!("{principal} {action}: {decision}\n")),
            "{}",
            explained.stdout
        );
        assert_eq!(decision == Decision::Allow.to_string(), check.status == 0);
    }
}

#[test]
fn compile_times_the_provenance_as_its_own_phase() {
    let dir = TempDir::new();
    let table = dir.path("t.vdt");
    let out = run(&[
        "compile",
        &data("org.vp"),
        "--catalog",
        &data("catalog.tsv"),
        "-o",
        s(&table),
        "--quiet",
        "--explain",
        "--timings",
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let phases: Vec<&str> = out
        .stderr
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        phases,
        ["lower", "lint", "build", "encode", "explain", "write", "total"]
    );
}
