//! Access gates and names through `verdict::run`: `who-can` and `what-can`
//! with action and principal patterns (grouped answers, every match in
//! JSON, a pattern that matches nothing is exit 2 with a did-you-mean),
//! `--fail-if-any` with `--except`, `--ignore-conditional` and
//! `--via-roles` (the failing set compared with the table's cells read
//! through the runtime), and the one did-you-mean of unknown principals
//! and actions in every command that takes them.

use std::path::{Path, PathBuf};

use verdict_runtime::{Cell, Table};

use crate::cli::{run, run_with_stdin, TempDir};

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

const ORG: &str = r#"account "111122223333"
policy Read { allow chime:List*, chime:Get* }
policy Admin {
  allow chime:*
  deny chime:DeleteAccount
}
policy Root { allow chime:* }
policy MfaDelete {
  allow chime:DeleteAccount, chime:DeleteUser when { Bool aws:MultiFactorAuthPresent = true }
}
user alice { attach Admin }
user bob { attach Read }
user carol { attach Read, MfaDelete }
role BreakGlass { attach Root  trust user bob }
role Auditor { attach Read }
"#;

/// ORG compiled with `--explain` into a fresh folder.
fn compiled() -> (TempDir, PathBuf) {
    let dir = TempDir::new();
    let src = dir.write("org.vp", ORG);
    let table = dir.path("t.vdt");
    let out = run(&["compile", s(&src), "-o", s(&table), "--explain", "-q"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    (dir, table)
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn strings(value: &serde_json::Value, key: &str) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v[key].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn who_can_takes_action_patterns_case_insensitively() {
    let (_dir, table) = compiled();
    let t = s(&table);
    let opened = Table::open(&table).unwrap();
    // The matches, found here by a plain case-folded prefix test.
    let expected: Vec<String> = opened
        .actions()
        .map(|a| opened.action_name(a).to_string())
        .filter(|n| n.to_ascii_lowercase().starts_with("chime:delete"))
        .collect();
    assert!(expected.len() > 10, "{expected:?}");
    for pattern in ["chime:Delete*", "CHIME:delete*"] {
        let out = run(&["who-can", t, pattern, "--format", "json"]);
        assert_eq!(out.status, 0, "{}", out.stderr);
        let value = json(&out.stdout);
        assert_eq!(value["pattern"], pattern);
        assert_eq!(strings(&value["actions"], "action"), expected);
        let account = value["actions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["action"] == "chime:DeleteAccount")
            .unwrap();
        assert_eq!(
            strings(&account["principals"], "principal"),
            ["role/BreakGlass", "user/carol"]
        );
        assert_eq!(account["principals"][1]["decision"], "conditional");
    }
    let text = run(&["who-can", t, "chime:Delete*"]);
    assert_eq!(text.status, 0);
    assert!(
        text.stdout.starts_with(&format!(
            "chime:Delete*: {} actions matched, {} with principals allowed\n",
            expected.len(),
            expected.len()
        )),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains(
            "\nchime:DeleteAccount (Write): 2 principals allowed, 1 of them conditionally\nrole/BreakGlass\nuser/carol  (conditional)\n"
        ),
        "{}",
        text.stdout
    );
    // `?` is one character.
    let out = run(&["who-can", t, "chime:?etUser", "--format", "json"]);
    assert_eq!(
        strings(&json(&out.stdout)["actions"], "action"),
        ["chime:GetUser"]
    );
    // An exact name keeps the one-action answer.
    let out = run(&["who-can", t, "chime:DeleteAccount", "--format", "json"]);
    let value = json(&out.stdout);
    assert_eq!(value["action"], "chime:DeleteAccount");
    assert!(value.get("pattern").is_none());
}

#[test]
fn what_can_takes_principal_patterns_over_names_and_arns() {
    let (_dir, table) = compiled();
    let t = s(&table);
    for pattern in ["role/*", "arn:aws:iam::111122223333:role/*", "role/?*"] {
        let out = run(&["what-can", t, pattern, "--format", "json"]);
        assert_eq!(out.status, 0, "{pattern}: {}", out.stderr);
        let value = json(&out.stdout);
        assert_eq!(value["pattern"], pattern);
        assert_eq!(
            strings(&value["principals"], "principal"),
            ["role/Auditor", "role/BreakGlass"],
            "{pattern}"
        );
        let single = run(&["what-can", t, "role/Auditor", "--format", "json"]);
        assert_eq!(value["principals"][0], json(&single.stdout), "{pattern}");
    }
    let out = run(&["what-can", t, "user/?o*", "--access-level", "write"]);
    assert_eq!(out.status, 0);
    assert!(
        out.stdout
            .starts_with("user/?o*: 1 principal matched\n\nuser/bob: 0 Write actions allowed\n"),
        "{}",
        out.stdout
    );
    // Principal names match exactly, as `check` looks them up.
    let out = run(&["what-can", t, "ROLE/*"]);
    assert_eq!(out.status, 2);
}

#[test]
fn a_pattern_that_matches_nothing_is_an_error_with_a_did_you_mean() {
    let (_dir, table) = compiled();
    let t = s(&table);
    for (args, message) in [
        (
            vec!["who-can", t, "chime:Delte*"],
            "error: no action matches `chime:Delte*`; did you mean `chime:Delet*`?\n",
        ),
        (
            vec!["who-can", t, "chmie:Delete*"],
            "error: no action matches `chmie:Delete*`; did you mean `chime:Delete*`?\n",
        ),
        (
            vec!["who-can", t, "s3:Get*", "--via-roles"],
            "error: no action matches `s3:Get*`\n",
        ),
        (
            vec!["what-can", t, "rol/*"],
            "error: no principal matches `rol/*`; did you mean `role/*`?\n",
        ),
        (
            vec!["what-can", t, "group/*"],
            "error: no principal matches `group/*`\n",
        ),
    ] {
        let out = run(&args);
        assert_eq!(
            (out.status, out.stdout.as_str(), out.stderr.as_str()),
            (2, "", message),
            "{args:?}"
        );
    }
}

/// The (principal, action) pairs the runtime says may be allowed: an
/// allow cell, or a conditional one whose outcome set holds `allow`.
fn may_allow(table: &Table, actions: &str, unconditional_only: bool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for a in table.actions() {
        let name = table.action_name(a);
        if !name.to_ascii_lowercase().starts_with(actions) {
            continue;
        }
        for p in table.principals() {
            let allowed = match table.cell(p, a) {
                Cell::Allow => true,
                Cell::Conditional => {
                    !unconditional_only
                        && table
                            .cell_outcomes(table.row_class(p), table.col_class(a))
                            .may_allow()
                }
                _ => false,
            };
            if allowed {
                out.push((table.principal_name(p).to_string(), name.to_string()));
            }
        }
    }
    out.sort();
    out
}

fn failing(value: &serde_json::Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = value["gate"]["failing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["principal"].as_str().unwrap().to_string(),
                g["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn fail_if_any_fails_on_every_grant_not_excepted() {
    let (_dir, table) = compiled();
    let t = s(&table);
    let opened = Table::open(&table).unwrap();
    for (unconditional_only, extra) in [(false, vec![]), (true, vec!["--ignore-conditional"])] {
        let expected: Vec<(String, String)> =
            may_allow(&opened, "chime:delete", unconditional_only)
                .into_iter()
                .filter(|(p, _)| p != "role/BreakGlass")
                .collect();
        let mut args = vec![
            "who-can",
            t,
            "chime:Delete*",
            "--fail-if-any",
            "--except",
            "role/Break*",
            "--format",
            "json",
        ];
        args.extend(extra);
        let out = run(&args);
        let value = json(&out.stdout);
        assert_eq!(failing(&value), expected, "{args:?}");
        assert_eq!(value["gate"]["failed"], !expected.is_empty());
        assert_eq!(out.status, if expected.is_empty() { 0 } else { 1 });
    }
}

#[test]
fn the_gate_says_what_failed_it() {
    let (_dir, table) = compiled();
    let t = s(&table);
    // Nobody but BreakGlass may delete accounts unconditionally.
    let base = ["who-can", t, "chime:DeleteAccount", "--fail-if-any"];
    let out = run(&base);
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stderr,
        "verdict who-can: failing: 2 principals not excepted may perform `chime:DeleteAccount`:\n  role/BreakGlass: chime:DeleteAccount\n  user/carol: chime:DeleteAccount (conditional)\n"
    );
    // The listing is printed as without the gate.
    assert_eq!(out.stdout, run(&base[..3]).stdout);
    let out = run(&[&base[..], &["--except", "role/BreakGlass"]].concat());
    assert_eq!(
        out.status, 1,
        "carol's conditional grant is a possible grant"
    );
    let out = run(&[
        &base[..],
        &["--except", "role/BreakGlass", "--ignore-conditional"],
    ]
    .concat());
    assert_eq!((out.status, out.stderr.as_str()), (0, ""));
    // Through role chains bob reaches BreakGlass.
    let out = run(&[
        &base[..],
        &[
            "--except",
            "role/BreakGlass",
            "--ignore-conditional",
            "--via-roles",
        ],
    ]
    .concat());
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stderr,
        "verdict who-can: failing: 1 principal not excepted may perform `chime:DeleteAccount` unconditionally:\n  user/bob: chime:DeleteAccount\n"
    );
    let out = run(&[
        &base[..],
        &[
            "--except",
            "role/BreakGlass",
            "--except",
            "arn:aws:iam::111122223333:user/bob",
            "--ignore-conditional",
            "--via-roles",
        ],
    ]
    .concat());
    assert_eq!(out.status, 0, "{}", out.stderr);
    // An exception that names nobody is said, and excepts nobody.
    let out = run(&[&base[..], &["--except", "role/BreakGlas"]].concat());
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.starts_with(
            "warning: --except: no principal matches `role/BreakGlas`; did you mean `role/BreakGlass`?\n"
        ),
        "{}",
        out.stderr
    );
    // An action nobody may perform passes.
    let out = run(&[
        "who-can",
        t,
        "chime:CreateAccount",
        "--fail-if-any",
        "--except",
        "role/*",
        "--except",
        "user/alice",
    ]);
    assert_eq!((out.status, out.stderr.as_str()), (0, ""));
    // --except and --ignore-conditional need the gate.
    let out = run(&["who-can", t, "chime:DeleteAccount", "--except", "role/*"]);
    assert_eq!(out.status, 2);
}

#[test]
fn what_can_fail_if_any_excepts_actions() {
    let (_dir, table) = compiled();
    let t = s(&table);
    let read_only = [
        "what-can",
        t,
        "user/bob",
        "--fail-if-any",
        "--except",
        "chime:List*",
        "--except",
        "chime:get*",
    ];
    let out = run(&read_only);
    assert_eq!((out.status, out.stderr.as_str()), (0, ""));
    let out = run(&read_only[..4]);
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .starts_with("verdict what-can: failing: 1 principal of `user/bob` may perform actions not excepted:\n  user/bob: chime:List"),
        "{}",
        out.stderr
    );
    let out = run(&[
        "what-can",
        t,
        "user/*",
        "--access-level",
        "write",
        "--fail-if-any",
        "--format",
        "json",
    ]);
    assert_eq!(out.status, 1);
    let value = json(&out.stdout);
    let who: std::collections::BTreeSet<String> =
        failing(&value).into_iter().map(|f| f.0).collect();
    assert_eq!(
        who.into_iter().collect::<Vec<_>>(),
        ["user/alice", "user/carol"]
    );
}

#[test]
fn every_command_taking_names_says_what_was_meant() {
    let (_dir, table) = compiled();
    let t = s(&table);
    let principal = "unknown principal `user/alcie`; did you mean `user/alice`?";
    let action = "unknown action `chime:ListUser`; did you mean `chime:ListUsers`?";
    for args in [
        vec!["check", t, "user/alcie", "chime:ListUsers"],
        vec!["explain", t, "user/alcie", "chime:ListUsers"],
        vec!["reach", t, "user/alcie", "chime:ListUsers"],
        vec!["what-can", t, "user/alcie"],
    ] {
        let out = run(&args);
        assert_eq!(
            (out.status, out.stderr.as_str()),
            (2, format!("error: {principal}\n").as_str()),
            "{args:?}"
        );
    }
    for args in [
        vec!["check", t, "user/alice", "chime:ListUser"],
        vec!["explain", t, "user/alice", "chime:ListUser"],
        vec!["reach", t, "user/alice", "chime:ListUser"],
        vec!["who-can", t, "chime:ListUser"],
        vec!["who-can", t, "chime:ListUser", "--via-roles"],
    ] {
        let out = run(&args);
        assert_eq!(
            (out.status, out.stderr.as_str()),
            (2, format!("error: {action}\n").as_str()),
            "{args:?}"
        );
    }
    // Kinds and bare names.
    for (name, message) in [
        ("usr/alice", "did you mean `user/alice`?"),
        ("alice", "did you mean `user/alice`?"),
        ("role/breakglass", "did you mean `role/BreakGlass`?"),
        (
            "arn:aws:iam::111122223333:user/alcie",
            "did you mean `arn:aws:iam::111122223333:user/alice`?",
        ),
    ] {
        let out = run(&["check", t, name, "chime:ListUsers"]);
        assert!(out.stderr.contains(message), "{name}: {}", out.stderr);
    }
    let out = run(&["check", t, "user/mallory", "chime:ListUsers"]);
    assert_eq!(out.stderr, "error: unknown principal `user/mallory`\n");
    // A batch says it per line, and goes on.
    let out = run_with_stdin(
        &["check", t, "--batch", "-"],
        "{\"principal\":\"user/alcie\",\"action\":\"chime:ListUsers\"}\n{\"principal\":\"user/alice\",\"action\":\"chime:ListUser\"}\n{\"principal\":\"user/bob\",\"action\":\"chime:ListUsers\"}\n",
    );
    assert_eq!(out.status, 0);
    let lines: Vec<serde_json::Value> = out.stdout.lines().map(json).collect();
    assert_eq!(lines[0]["error"], principal);
    assert_eq!(lines[1]["error"], action);
    assert_eq!(lines[2]["decision"], "allow");
}
