//! `verdict bench`: the measurement report (text and JSON shape, the decision
//! counts that make a run reproducible by seed, conditional cells measured or
//! reported absent) and `--generate` (deterministic organisations that
//! compile). No test asserts on a timing.

use std::path::{Path, PathBuf};

use serde_json::Value;
use verdict_runtime::parts::{Atom, Lit, Residual, TableParts, Template};
use verdict_runtime::{AccessLevel, Cell, Table};

use crate::cli::{run, TempDir};

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Generates and compiles a small synthetic organisation.
fn generated(dir: &TempDir, users: &str, seed: &str) -> PathBuf {
    let src = dir.path(&format!("org-{users}-{seed}.vp"));
    let out = run(&[
        "bench",
        "--generate",
        "--users",
        users,
        "--seed",
        seed,
        "-o",
        s(&src),
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.starts_with("generated "), "{}", out.stderr);
    let table = dir.path(&format!("org-{users}-{seed}.vdt"));
    let out = run(&["compile", s(&src), "-o", s(&table), "-q"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    table
}

fn bench_json(table: &Path, checks: &str, seed: &str) -> Value {
    let out = run(&[
        "bench",
        s(table),
        "--checks",
        checks,
        "--seed",
        seed,
        "--format",
        "json",
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    serde_json::from_str(&out.stdout).unwrap()
}

fn decision_total(timing: &Value) -> u64 {
    ["allow", "deny", "implicit-deny"]
        .iter()
        .map(|d| timing["decisions"][d].as_u64().unwrap())
        .sum()
}

#[test]
fn generate_is_deterministic_by_seed_and_compiles() {
    let dir = TempDir::new();
    let args = |seed: &'static str, out: &'static str| {
        vec![
            "bench",
            "--generate",
            "--users",
            "300",
            "--groups",
            "7",
            "--policies",
            "30",
            "--roles",
            "2",
            "--seed",
            seed,
            "-o",
            out,
        ]
    };
    let a = run(&args("5", "-"));
    let b = run(&args("5", "-"));
    let c = run(&args("6", "-"));
    assert_eq!(a.status, 0, "{}", a.stderr);
    assert_eq!(a.stdout, b.stdout);
    assert_ne!(a.stdout, c.stdout);
    assert_eq!(a.stdout.matches("\nuser u").count(), 300);
    assert_eq!(a.stdout.matches("\ngroup G").count(), 7);
    assert_eq!(a.stdout.matches("\npolicy P").count(), 30);
    assert_eq!(a.stdout.matches("\nrole r").count(), 2);
    // The file holds exactly what standard output got.
    let file = dir.path("org.vp");
    let mut with_file = args("5", "-");
    *with_file.last_mut().unwrap() = s(&file);
    assert_eq!(run(&with_file).status, 0);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), a.stdout);
    let table = dir.path("org.vdt");
    let out = run(&["compile", s(&file), "-o", s(&table), "-q"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(Table::open(&table).unwrap().n_principals(), 302);
}

#[test]
fn generate_draws_actions_from_the_chosen_catalog() {
    let out = run(&[
        "bench",
        "--generate",
        "--users",
        "20",
        "--policies",
        "40",
        "--catalog",
        "aws",
        "-o",
        "-",
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let services: std::collections::BTreeSet<&str> = out
        .stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("allow "))
        .flat_map(|l| l.split(", "))
        .filter_map(|p| p.trim_start_matches("not ").split_once(':'))
        .map(|(service, _)| service)
        .collect();
    assert!(services.len() > 5, "{services:?}");
}

#[test]
fn generate_usage_errors_exit_2() {
    let dir = TempDir::new();
    let table = dir.path("t.vdt");
    for args in [
        vec!["bench"],
        vec!["bench", "--generate", "-o", "-"],
        vec!["bench", "--generate", "--users", "3"],
        vec!["bench", "--users", "3", "-o", "-"],
        vec!["bench", s(&table), "--generate", "--users", "3", "-o", "-"],
        vec![
            "bench",
            "--generate",
            "--users",
            "3",
            "--checks",
            "5",
            "-o",
            "-",
        ],
        vec!["bench", "--generate", "--users", "99999999999", "-o", "-"],
        vec![
            "bench",
            "--generate",
            "--users",
            "3",
            "--catalog",
            "nope",
            "-o",
            "-",
        ],
    ] {
        let out = run(&args);
        assert_eq!(out.status, 2, "{args:?}: {}", out.stdout);
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn bench_json_reports_every_kind_and_is_reproducible_by_seed() {
    let dir = TempDir::new();
    let table = generated(&dir, "200", "3");
    let a = bench_json(&table, "3000", "9");
    assert_eq!(a["principals"], 202);
    assert_eq!(a["actions"], 316);
    assert_eq!(a["seed"], 9);
    assert!(a["bytes"].as_u64().unwrap() > 0);
    assert!(a["load"]["runs"].as_u64().unwrap() >= 5);
    assert!(a["load"]["median_ns"].as_f64().unwrap() > 0.0);
    for kind in ["by_names", "by_ids"] {
        assert_eq!(a[kind]["checks"], 3000, "{kind}");
        assert_eq!(decision_total(&a[kind]), 3000, "{kind}");
        assert!(a[kind]["median_ns_per_check"].as_f64().unwrap() >= 0.0);
        assert!(a[kind]["checks_per_s"].as_f64().is_some());
    }
    // The synthetic organisation has no conditions: said, not measured.
    assert_eq!(a["conditional"]["measured"], false);
    assert_eq!(
        a["conditional"]["reason"],
        "the table has no conditional cells"
    );
    // The map covers the whole table and answers exactly like the table by names.
    let map = &a["hashmap_names"];
    assert_eq!(map["principals"], 202);
    assert_eq!(map["entries"], 202 * 316);
    assert_eq!(map["timing"]["decisions"], a["by_names"]["decisions"]);
    assert!(map["ratio_to_by_names"].as_f64().is_some());
    // Same seed, same requests; another seed, other requests.
    let b = bench_json(&table, "3000", "9");
    assert_eq!(a["by_names"]["decisions"], b["by_names"]["decisions"]);
    assert_eq!(a["by_ids"]["decisions"], b["by_ids"]["decisions"]);
    let c = bench_json(&table, "3000", "10");
    assert_ne!(
        (&a["by_names"]["decisions"], &a["by_ids"]["decisions"]),
        (&c["by_names"]["decisions"], &c["by_ids"]["decisions"])
    );
}

#[test]
fn bench_text_names_each_measurement() {
    let dir = TempDir::new();
    let table = generated(&dir, "50", "1");
    let out = run(&["bench", s(&table), "--checks", "2000"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("table: "), "{}", out.stdout);
    assert!(
        lines[0].contains("(50 principals × 316 actions"),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("load (read + from_bytes), median of "));
    for what in [
        "by names (check)",
        "by ids (check_ids)",
        "HashMap<(String, String), Decision>",
    ] {
        let line = lines.iter().find(|l| l.trim_start().starts_with(what));
        let line = line.unwrap_or_else(|| panic!("no `{what}` in\n{}", out.stdout));
        assert!(
            line.contains(" ns/check ") && line.ends_with(" checks/s"),
            "{line}"
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l.trim_start().starts_with("conditional (check_with)")
                && l.ends_with(" none: the table has no conditional cells")),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("× the time of the table by names"));
    assert!(lines
        .last()
        .unwrap()
        .starts_with("decisions by names: allow "));
}

/// One principal, two actions; `chime:CreateMeeting` is conditional on the
/// resource (SEMANTICS T4): allowed for meetings of account 111122223333 only.
fn conditional_table() -> Table {
    Table::from_parts(TableParts {
        catalog: "chime".into(),
        principals: vec!["user/alice".into()],
        principal_arns: vec![String::new()],
        actions: vec!["chime:CreateMeeting".into(), "chime:ListMeetings".into()],
        action_access: vec![AccessLevel::Write, AccessLevel::List],
        action_wildcard_only: vec![false, true],
        principal_row: vec![0],
        action_col: vec![0, 1],
        n_rows: 1,
        n_cols: 2,
        cells: vec![Cell::Conditional, Cell::Allow],
        atoms: vec![Atom::Resource {
            patterns: vec![Template::from("arn:aws:chime::111122223333:meeting/*")],
            not: false,
        }],
        residuals: vec![Residual {
            deny: vec![],
            allow: vec![vec![vec![Lit {
                atom: 0,
                negated: false,
            }]]],
        }],
        conditional: vec![(0, 0, 0)],
        ..TableParts::default()
    })
    .unwrap()
}

#[test]
fn bench_measures_conditional_cells_when_the_table_has_them() {
    let dir = TempDir::new();
    let table = dir.path("cond.vdt");
    std::fs::write(&table, conditional_table().to_bytes()).unwrap();
    let a = bench_json(&table, "4000", "2");
    let cond = &a["conditional"];
    assert_eq!(cond["measured"], true, "{cond}");
    assert_eq!(cond["class_cells"], 1);
    assert_eq!(cond["checks"], 4000);
    assert_eq!(decision_total(cond), 4000);
    // Requests on `*`, on a foreign meeting and on the pattern's own account:
    // some are allowed and some are not, and none is an explicit deny.
    let d = &cond["decisions"];
    assert!(d["allow"].as_u64().unwrap() > 0, "{d}");
    assert!(d["implicit-deny"].as_u64().unwrap() > 0, "{d}");
    assert_eq!(d["deny"], 0);
    let text = run(&["bench", s(&table), "--checks", "1500"]);
    assert_eq!(text.status, 0, "{}", text.stderr);
    assert!(
        text.stdout.contains("over 1 conditional class cells"),
        "{}",
        text.stdout
    );
}

#[test]
fn bench_bad_tables_and_arguments_exit_2() {
    let dir = TempDir::new();
    let missing = dir.path("missing.vdt");
    let out = run(&["bench", s(&missing)]);
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("cannot load table"), "{}", out.stderr);
    let junk = dir.write("junk.vdt", "not a table");
    let out = run(&["bench", s(&junk), "--format", "json"]);
    assert_eq!(out.status, 2);
    assert_eq!(out.stdout, "");
    let table = generated(&dir, "10", "1");
    let out = run(&["bench", s(&table), "--checks", "0"]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("--checks must be between"),
        "{}",
        out.stderr
    );
    let out = run(&["bench", s(&table), "--format", "yaml"]);
    assert_eq!(out.status, 2);
}
