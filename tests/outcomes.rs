//! Conditional cells by what they can become (issue 11, items 3 and 4),
//! through the CLI: a guard rail that can never allow is not a grant in
//! `diff`, `what-can`, `who-can` or any export; a widened condition is a gain
//! with a witness request that both tables are re-checked on; and, as a
//! property, every witness `diff --format json` prints for random pairs of
//! residual programs holds on both tables.

use std::path::Path;

use proptest::prelude::*;
use verdict_runtime::parts::{Atom, Condition, Dnf, Lit, Operator, Residual, SetOp, TableParts};
use verdict_runtime::{AccessLevel, Cell, Context, Decision, Request, Table};

use crate::cli::{run, TempDir};

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

const ALLOW_LIST: &str = "policy P { allow chime:ListUsers }\n";
const GUARD: &str =
    "policy Guard { deny chime:* when { NotIpAddress aws:SourceIp = \"10.0.0.0/8\" } }\n";

/// Compiles `text` to a table in `dir`.
fn compile(dir: &TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let src = dir.write(&format!("{name}.vp"), text);
    let table = dir.path(&format!("{name}.vdt"));
    let out = run(&["compile", s(&src), "-o", s(&table), "--quiet"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    table
}

fn guard_rail_pair(dir: &TempDir) -> (std::path::PathBuf, std::path::PathBuf) {
    let before = compile(
        dir,
        "before",
        &format!("{ALLOW_LIST}user alice {{ attach P }}\n"),
    );
    let after = compile(
        dir,
        "after",
        &format!("{ALLOW_LIST}{GUARD}user alice {{ attach P, Guard }}\n"),
    );
    (before, after)
}

/// The request of a witness in `diff --format json`.
fn witness_request(witness: &serde_json::Value) -> (String, Context) {
    let mut context = Context::new();
    for (key, value) in witness["context"].as_object().unwrap() {
        match value {
            serde_json::Value::String(v) => context = context.with(key.as_str(), v.as_str()),
            serde_json::Value::Array(vs) => {
                context = context.with_multi(
                    key.as_str(),
                    vs.iter().map(|v| v.as_str().unwrap().to_owned()),
                );
            }
            other => panic!("{other}"),
        }
    }
    (witness["resource"].as_str().unwrap().to_owned(), context)
}

fn decide(table: &Table, principal: &str, action: &str, witness: &serde_json::Value) -> Decision {
    let (resource, context) = witness_request(witness);
    let p = table.principal(principal).unwrap();
    let a = table.action(action).unwrap();
    table.check_with(
        p,
        a,
        &Request {
            resource: &resource,
            context: &context,
        },
    )
}

#[test]
fn a_guard_rail_is_no_gain() {
    let dir = TempDir::new();
    let (before, after) = guard_rail_pair(&dir);
    let out = run(&["diff", s(&before), s(&after), "--fail-on", "gained"]);
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("0 action grant(s) gained, 1 lost, 315 explicit deny change(s)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("deny under a condition"),
        "{}",
        out.stdout
    );
    // Allow → deny from outside the network: a loss, with its witness.
    let out = run(&["diff", s(&before), s(&after), "--fail-on", "lost"]);
    assert_eq!(out.status, 1);
    let out = run(&["diff", s(&before), s(&after), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["summary"]["gained"], 0);
    assert_eq!(json["summary"]["lost"], 1);
    let alice = &json["principals"][0];
    let lost = &alice["lost"][0];
    assert_eq!(lost["action"], "chime:ListUsers");
    let (old, new) = (Table::open(&before).unwrap(), Table::open(&after).unwrap());
    assert_eq!(
        decide(&old, "user/alice", "chime:ListUsers", &lost["witness"]),
        Decision::Allow
    );
    assert_eq!(
        decide(&new, "user/alice", "chime:ListUsers", &lost["witness"]),
        Decision::Deny
    );
    assert!(lost["after_condition"]
        .as_str()
        .unwrap()
        .contains("NotIpAddress"));
    let changed = alice["deny_changed"].as_array().unwrap();
    assert_eq!(changed.len(), 315);
    let first = &changed[0];
    let action = first["action"].as_str().unwrap();
    assert_eq!(
        decide(&new, "user/alice", action, &first["witness"]),
        Decision::Deny
    );
}

#[test]
fn a_guard_rail_is_never_listed_as_allowed() {
    let dir = TempDir::new();
    let (_, after) = guard_rail_pair(&dir);
    let out = run(&["what-can", s(&after), "user/alice"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with("user/alice: 1 action allowed, 1 of them conditionally\n"),
        "{}",
        out.stdout
    );
    let out = run(&["who-can", s(&after), "chime:CreateMeeting"]);
    assert!(
        out.stdout
            .starts_with("chime:CreateMeeting (Write): 0 principals allowed"),
        "{}",
        out.stdout
    );
    let out = run(&["who-can", s(&after), "chime:ListUsers"]);
    assert!(
        out.stdout.contains("user/alice  (conditional)"),
        "{}",
        out.stdout
    );
    let out = run(&["who-can", s(&after), "chime:CreateMeeting", "--via-roles"]);
    assert!(!out.stdout.contains("user/alice"), "{}", out.stdout);

    let out = run(&["export", s(&after), "--format", "csv"]);
    assert!(
        out.stdout
            .contains("user/alice,chime:CreateMeeting,Write,conditional-deny\n"),
        "{}",
        out.stdout
    );
    assert!(out
        .stdout
        .contains("user/alice,chime:ListUsers,List,conditional\n"));
    assert_eq!(out.stdout.matches(",conditional\n").count(), 1);
    let out = run(&["export", s(&after), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["cells"]["conditional"], 1);
    assert_eq!(json["cells"]["conditional-deny"], 315);
    let alice = &json["principals"][0];
    assert_eq!(alice["conditional"], serde_json::json!(["chime:ListUsers"]));
    assert_eq!(alice["conditional_deny"].as_array().unwrap().len(), 315);
    let out = run(&["export", s(&after), "--format", "dot"]);
    assert!(
        out.stdout
            .contains("conditional 1 · deny under a condition 315"),
        "{}",
        out.stdout
    );
    let out = run(&["export", s(&after), "--format", "html"]);
    // The embedded grid: one conditional cell class, the rest deny under a condition.
    let grid = out.stdout.split("\"grid\":[\"").nth(1).unwrap();
    let grid = grid.split('"').next().unwrap();
    assert_eq!(grid.matches('?').count(), 1, "{grid}");
    assert!(grid.contains('d') && !grid.contains('A'), "{grid}");
    let out = run(&["inspect", s(&after)]);
    assert!(
        out.stdout.contains("[can give deny or implicit-deny]"),
        "{}",
        out.stdout
    );
}

fn widening_pair(dir: &TempDir) -> (std::path::PathBuf, std::path::PathBuf) {
    let policy = |net: &str| {
        format!(
            "policy P {{ allow chime:ListUsers when {{ IpAddress aws:SourceIp = \"{net}\" }} }}\nuser alice {{ attach P }}\n"
        )
    };
    (
        compile(dir, "narrow", &policy("10.0.0.0/8")),
        compile(dir, "wide", &policy("0.0.0.0/0")),
    )
}

#[test]
fn a_widened_condition_is_a_gain_with_a_witness() {
    let dir = TempDir::new();
    let (narrow, wide) = widening_pair(&dir);
    let out = run(&["diff", s(&narrow), s(&wide), "--fail-on", "gained"]);
    assert_eq!(out.status, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("1 action grant(s) gained, 0 lost"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("chime:ListUsers (condition widened)"),
        "{}",
        out.stdout
    );
    assert!(out
        .stdout
        .contains("before: allow if IpAddress aws:sourceip [\"10.0.0.0/8\"]"));
    assert!(out
        .stdout
        .contains("now:    allow if IpAddress aws:sourceip [\"0.0.0.0/0\"]"));
    for fail_on in ["any", "list"] {
        let out = run(&["diff", s(&narrow), s(&wide), "--fail-on", fail_on]);
        assert_eq!(out.status, 1, "{fail_on}");
    }
    let out = run(&["diff", s(&narrow), s(&wide), "--fail-on", "lost"]);
    assert_eq!(out.status, 0);
    let out = run(&["diff", s(&narrow), s(&wide), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let gained = &json["principals"][0]["gained"][0];
    assert_eq!(gained["action"], "chime:ListUsers");
    let witness = &gained["witness"];
    assert_eq!(witness["before"], "implicit-deny");
    assert_eq!(witness["after"], "allow");
    let (old, new) = (Table::open(&narrow).unwrap(), Table::open(&wide).unwrap());
    assert_eq!(
        decide(&new, "user/alice", "chime:ListUsers", witness),
        Decision::Allow
    );
    assert_ne!(
        decide(&old, "user/alice", "chime:ListUsers", witness),
        Decision::Allow
    );
    // Narrowing back is a loss only.
    let out = run(&["diff", s(&wide), s(&narrow), "--fail-on", "gained"]);
    assert_eq!(out.status, 0, "{}", out.stdout);
    assert!(out.stdout.contains("condition narrowed"), "{}", out.stdout);
    // The same condition on both sides: no change.
    let out = run(&["diff", s(&narrow), s(&narrow), "--fail-on", "any"]);
    assert_eq!(out.status, 0);
    // Markdown carries the witness too.
    let out = run(&["diff", s(&narrow), s(&wide), "--format", "markdown"]);
    assert!(
        out.stdout
            .contains("```text\nchime:ListUsers: resource *, aws:sourceip = "),
        "{}",
        out.stdout
    );
}

#[test]
fn an_undecided_pair_fails_closed() {
    // Conditions that compare two request keys (a variable) are not decided
    // exactly: a narrowing whose gain cannot be ruled out counts as gained.
    let dir = TempDir::new();
    let policy = |condition: &str| {
        format!("policy P {{ allow chime:ListUsers when {{ {condition} }} }}\nuser alice {{ attach P }}\n")
    };
    let equals = compile(
        &dir,
        "equals",
        &policy("StringEquals aws:RequestTag/owner = \"${aws:SourceVpc}\""),
    );
    let like = compile(
        &dir,
        "like",
        &policy("StringLike aws:RequestTag/owner = \"${aws:SourceVpc}*\""),
    );
    let out = run(&["diff", s(&like), s(&equals), "--fail-on", "gained"]);
    assert_eq!(out.status, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("(possible gain: could not decide)"),
        "{}",
        out.stdout
    );
    assert!(out
        .stdout
        .contains("1 gained grant(s) could not be decided and count as gained"));
    let out = run(&["diff", s(&like), s(&equals), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["summary"]["gained_undecided"], 1);
    assert!(json["principals"][0]["gained"][0]["undecided"].is_string());
    // The widening direction is witnessed even so, and checks on both tables.
    let out = run(&["diff", s(&equals), s(&like), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let witness = &json["principals"][0]["gained"][0]["witness"];
    let (old, new) = (Table::open(&equals).unwrap(), Table::open(&like).unwrap());
    assert_eq!(
        decide(&new, "user/alice", "chime:ListUsers", witness),
        Decision::Allow
    );
    assert_ne!(
        decide(&old, "user/alice", "chime:ListUsers", witness),
        Decision::Allow
    );
}

// ---------------------------------------------------------------------------
// Property: witnesses of random pairs of programs hold on both tables.

fn atoms() -> Vec<Atom> {
    let cond = |op, key: &str, values: &[&str]| {
        Atom::Condition(Condition {
            set: SetOp::None,
            op,
            if_exists: false,
            key: key.to_owned(),
            fixed: None,
            values: values.iter().map(|&v| v.into()).collect(),
        })
    };
    vec![
        cond(Operator::IpAddress, "aws:sourceip", &["10.0.0.0/8"]),
        cond(Operator::IpAddress, "aws:sourceip", &["0.0.0.0/0"]),
        cond(Operator::NotIpAddress, "aws:sourceip", &["10.1.0.0/16"]),
        cond(Operator::Bool, "aws:multifactorauthpresent", &["true"]),
        cond(
            Operator::StringLike,
            "aws:principaltag/team",
            &["blue*", "red"],
        ),
        Atom::Condition(Condition {
            set: SetOp::ForAnyValue,
            op: Operator::StringEquals,
            if_exists: false,
            key: "aws:tagkeys".into(),
            fixed: None,
            values: vec!["a".into(), "b".into()],
        }),
        cond(Operator::NumericLessThan, "s3:max-keys", &["10"]),
        Atom::Resource {
            patterns: vec!["arn:aws:chime:*:*:meeting/*".into()],
            not: false,
        },
    ]
}

fn arb_dnf() -> impl Strategy<Value = Dnf> {
    proptest::collection::vec(
        proptest::collection::vec(
            (0u32..8, any::<bool>()).prop_map(|(atom, negated)| Lit { atom, negated }),
            0..3,
        ),
        0..3,
    )
}

fn arb_residual() -> impl Strategy<Value = Residual> {
    (arb_dnf(), proptest::collection::vec(arb_dnf(), 0..3))
        .prop_map(|(deny, allow)| Residual { deny, allow })
}

/// One principal and one action whose cell is `cell` (with `residual` when
/// conditional).
fn one_cell_table(cell: Cell, residual: Residual) -> Vec<u8> {
    let conditional = cell == Cell::Conditional;
    let parts = TableParts {
        catalog: "chime".to_owned(),
        principals: vec!["user/a".to_owned()],
        principal_arns: vec![String::new()],
        actions: vec!["chime:GetMeeting".to_owned()],
        action_access: vec![AccessLevel::Read],
        action_wildcard_only: vec![false],
        principal_row: vec![0],
        action_col: vec![0],
        n_rows: 1,
        n_cols: 1,
        cells: vec![cell],
        atoms: if conditional { atoms() } else { vec![] },
        residuals: if conditional { vec![residual] } else { vec![] },
        conditional: if conditional { vec![(0, 0, 0)] } else { vec![] },
        ..TableParts::default()
    };
    Table::from_parts(parts).unwrap().to_bytes()
}

fn arb_cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        4 => Just(Cell::Conditional),
        1 => Just(Cell::Allow),
        1 => Just(Cell::Deny),
        1 => Just(Cell::ImplicitDeny),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: crate::props::cases(48),
        ..ProptestConfig::default()
    })]

    #[test]
    fn prop_diff_witnesses_hold_on_both_tables(
        (old_cell, old_residual) in (arb_cell(), arb_residual()),
        (new_cell, new_residual) in (arb_cell(), arb_residual()),
    ) {
        let dir = TempDir::new();
        let old_path = dir.path("old.vdt");
        let new_path = dir.path("new.vdt");
        std::fs::write(&old_path, one_cell_table(old_cell, old_residual)).unwrap();
        std::fs::write(&new_path, one_cell_table(new_cell, new_residual)).unwrap();
        let old = Table::open(&old_path).unwrap();
        let new = Table::open(&new_path).unwrap();
        let out = run(&["diff", s(&old_path), s(&new_path), "--format", "json"]);
        prop_assert_eq!(out.status, 0, "{}", out.stderr);
        let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let gained = json["summary"]["gained"].as_u64().unwrap();
        let fail = run(&["diff", s(&old_path), s(&new_path), "--fail-on", "gained"]);
        prop_assert_eq!(fail.status, if gained > 0 { 1 } else { 0 });
        for entry in json["principals"].as_array().unwrap() {
            for (list, holds) in [
                ("gained", (|b: Decision, a: Decision| a.is_allowed() && !b.is_allowed()) as fn(Decision, Decision) -> bool),
                ("lost", |b, a| b.is_allowed() && !a.is_allowed()),
                ("deny_changed", |b, a| b != a && !a.is_allowed() && !b.is_allowed()),
            ] {
                for change in entry[list].as_array().unwrap() {
                    let witness = &change["witness"];
                    if witness.is_null() {
                        // Unconditional cells on both sides, or undecided (fail closed).
                        prop_assert!(
                            (old_cell != Cell::Conditional && new_cell != Cell::Conditional)
                                || change["undecided"].is_string(),
                            "{change}"
                        );
                        continue;
                    }
                    let before = decide(&old, "user/a", "chime:GetMeeting", witness);
                    let after = decide(&new, "user/a", "chime:GetMeeting", witness);
                    prop_assert!(holds(before, after), "{list}: {change}");
                    prop_assert_eq!(&witness["before"], &serde_json::json!(before.to_string()));
                    prop_assert_eq!(&witness["after"], &serde_json::json!(after.to_string()));
                }
            }
        }
        // Completeness on a sample: a request that is allowed only by the
        // new table means a reported gain.
        let sample = [("*", Context::new()),
            ("arn:aws:chime:us-east-1:1:meeting/m", Context::new().with("aws:SourceIp", "10.2.0.1")),
            ("*", Context::new().with("aws:SourceIp", "192.0.2.1").with("aws:MultiFactorAuthPresent", "true")),
            ("*", Context::new().with("aws:PrincipalTag/team", "blue-1").with_multi("aws:TagKeys", ["b"]).with("s3:max-keys", "3"))];
        for (resource, context) in &sample {
            let req = Request { resource, context };
            let p = old.principal("user/a").unwrap();
            let a = old.action("chime:GetMeeting").unwrap();
            let widened = new.check_with(p, a, &req).is_allowed() && !old.check_with(p, a, &req).is_allowed();
            prop_assert!(!widened || gained > 0, "{resource} {context:?}");
        }
    }
}
