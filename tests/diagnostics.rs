//! Diagnostics that fit a terminal, for any input (issue 11, item 1): the
//! reproductions of the issue on generated one-line and pretty-printed
//! account dumps (the miette panic past column 65,535, distant labels, the
//! false E0205 errors under `--limit policies=10`, many findings of one
//! kind), the dump context (entity, policy, statement) in every format,
//! and snapshots of a windowed long-line diagnostic and a multi-label one.

use crate::cli::{run, Output, TempDir};
use verdict::synth::{self, Mix, Shape};
use verdict_compiler::Catalog;

const FORMATS: [&str; 3] = ["human", "short", "json"];

/// A generated organisation of `users` users as a one-line account dump.
fn org_dump(users: usize) -> String {
    let shape = Shape {
        users,
        roles: users / 100,
        groups: 20,
        policies: 100,
        seed: 7,
    };
    synth::generate(shape, Mix::default(), &Catalog::builtin("chime").unwrap())
        .to_dump("123456789012")
}

/// `dump` with one more user at the end, attaching `policies` (names of
/// customer managed policies the dump may lack), with an inline policy
/// naming an unknown action.
fn with_last_user(dump: &str, policies: &[&str]) -> String {
    let mut value: serde_json::Value = serde_json::from_str(dump).unwrap();
    let attached: Vec<serde_json::Value> = policies
        .iter()
        .map(|name| {
            serde_json::json!({
                "PolicyName": name,
                "PolicyArn": format!("arn:aws:iam::123456789012:policy/{name}"),
            })
        })
        .collect();
    let user = serde_json::json!({
        "UserName": "zed",
        "Arn": "arn:aws:iam::123456789012:user/zed",
        "AttachedManagedPolicies": attached,
        "UserPolicyList": [{
            "PolicyName": "ZedOwn",
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Sid": "First", "Effect": "Allow", "Action": "chime:ListUsers", "Resource": "*"},
                {"Sid": "Typo", "Effect": "Allow", "Action": "chime:ListUser", "Resource": "*"},
            ]},
        }],
    });
    value["UserDetailList"].as_array_mut().unwrap().push(user);
    value.to_string()
}

fn lines_within(out: &str, max_chars: usize) {
    for line in out.lines() {
        assert!(
            line.chars().count() <= max_chars,
            "a line of {} characters: {}…",
            line.chars().count(),
            line.chars().take(120).collect::<String>()
        );
    }
}

fn compile(dir: &TempDir, format: &str, dump: &std::path::Path, extra: &[&str]) -> Output {
    let out = dir.path("t.vdt");
    let mut args = vec![
        "compile",
        "--message-format",
        format,
        "--aws-account",
        dump.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// The issue's first reproduction: a diagnostic past column 65,535 of a
/// one-line dump made miette panic (exit 101) in `compile` and `lint`.
#[test]
fn a_diagnostic_past_column_65535_renders_in_every_format() {
    let dir = TempDir::new();
    let text = with_last_user(&org_dump(1_000), &["Missing"]);
    assert!(text.len() > 100_000 && !text.contains('\n'));
    let dump = dir.write("dump.json", &text);
    for format in FORMATS {
        let out = compile(&dir, format, &dump, &[]);
        assert_eq!(out.status, 1, "{format}: {}", out.stderr);
        assert!(out.stderr.contains("E0205"), "{format}: {}", out.stderr);
        assert!(out.stderr.contains("W0201"), "{format}: {}", out.stderr);
        let lint = run(&["--message-format", format, "lint", dump.to_str().unwrap()]);
        assert_eq!(lint.status, 1, "{format}: {}", lint.stderr);
        assert!(lint.stdout.contains("E0205"), "{format}");
        if format == "human" {
            lines_within(&out.stderr, 200);
            lines_within(&lint.stdout, 200);
            // The real column (of the string's opening quote), not one of
            // the excerpt.
            let col = text
                .find("\"arn:aws:iam::123456789012:policy/Missing")
                .unwrap()
                + 1;
            assert!(col > 65_535);
            assert!(out.stderr.contains(&format!(":1:{col}]")), "{}", out.stderr);
        }
    }
}

/// One error whose labels are in distant places printed every line
/// between them; now each label gets its own few lines.
#[test]
fn distant_labels_get_their_own_excerpts() {
    let dir = TempDir::new();
    let compact = org_dump(300);
    let mut value: serde_json::Value = serde_json::from_str(&compact).unwrap();
    let users = value["UserDetailList"].as_array_mut().unwrap();
    let n_users = users.len();
    for idx in [0, n_users / 2, n_users - 1] {
        users[idx]["AttachedManagedPolicies"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "PolicyName": "Gone",
                "PolicyArn": "arn:aws:iam::123456789012:policy/Gone",
            }));
    }
    let pretty = serde_json::to_string_pretty(&value).unwrap();
    assert!(pretty.lines().count() > 5_000);
    let dump = dir.write("dump.json", &pretty);
    let out = compile(&dir, "human", &dump, &[]);
    assert_eq!(out.status, 1);
    assert_eq!(out.stderr.matches("× ").count(), 1, "{}", out.stderr);
    // Three places, each with a line of context either side, in three
    // snippets: a few dozen lines, not the thousands between them.
    let e0205 = section(&out.stderr, "E0205");
    assert_eq!(e0205.matches("╭─[").count(), 3, "{e0205}");
    assert!(e0205.lines().count() < 30, "{e0205}");
    lines_within(&out.stderr, 200);
    // The same on one line: three excerpts of line 1.
    let one_line = dir.write("one-line.json", &value.to_string());
    let out = compile(&dir, "human", &one_line, &[]);
    let e0205 = section(&out.stderr, "E0205");
    assert_eq!(e0205.matches("╭─[").count(), 3, "{e0205}");
    assert!(e0205.lines().count() < 30, "{e0205}");
    lines_within(&out.stderr, 200);
}

/// With `--limit policies=10`, the dropped policies made every attachment
/// of theirs an E0205 error before the real E0003.
#[test]
fn a_limit_error_stops_the_front_end() {
    let dir = TempDir::new();
    let dump = dir.write("dump.json", &org_dump(500));
    for format in FORMATS {
        let out = compile(&dir, format, &dump, &["--limit", "policies=10"]);
        assert_eq!(out.status, 1, "{}", out.stderr);
        assert!(!out.stderr.contains("E0205"), "{format}: {}", out.stderr);
        assert_eq!(out.stderr.matches("E0003").count(), 1, "{}", out.stderr);
        assert!(out.stderr.contains("policies=N"), "{}", out.stderr);
    }
}

/// Many findings of one kind: the human format shows the first few per
/// code and counts the rest; `--all-diagnostics`, `short` and `json` list
/// every one.
#[test]
fn many_findings_are_summarised_in_the_human_format() {
    let dir = TempDir::new();
    let dump = dir.write("dump.json", &org_dump(2_000));
    let lint = |args: &[&str]| {
        let mut argv = args.to_vec();
        argv.extend(["lint", dump.to_str().unwrap()]);
        run(&argv)
    };
    let short = lint(&["--message-format", "short"]);
    let all: Vec<&str> = short.stdout.lines().collect();
    let json = lint(&["--message-format", "json"]);
    assert_eq!(json.stdout.lines().count(), all.len());
    let mut per_code = std::collections::BTreeMap::<&str, usize>::new();
    for line in &all {
        let code = line.split('[').nth(1).unwrap().split(']').next().unwrap();
        *per_code.entry(code).or_default() += 1;
    }
    let many = per_code.iter().filter(|(_, n)| **n > 5).count();
    assert!(many > 0, "the organisation has a code with many findings");
    let human = lint(&[]);
    assert_eq!(human.status, short.status);
    let shown: usize = per_code.values().map(|n| (*n).min(5)).sum();
    let n_reports = |text: &str| text.lines().filter(|l| is_code_line(l)).count();
    assert_eq!(n_reports(&human.stdout), shown, "{}", human.stdout);
    let hidden = all.len() - shown;
    assert!(
        human.stdout.contains(&format!(
            "note: {} more diagnostic(s) not shown",
            thousands(hidden)
        )),
        "{}",
        human.stdout
    );
    for (code, n) in per_code.iter().filter(|(_, n)| **n > 5) {
        assert!(
            human
                .stdout
                .contains(&format!("{code}: {} more", thousands(n - 5))),
            "{code}: {}",
            human.stdout
        );
    }
    assert!(human.stdout.contains("--all-diagnostics"));
    let every = lint(&["--all-diagnostics"]);
    assert_eq!(n_reports(&every.stdout), all.len());
    assert!(!every.stdout.contains("not shown"));
}

/// The human report of the first diagnostic of `code` in `out`: from the
/// line with the code to the next report's code line (or the end).
fn section(out: &str, code: &str) -> String {
    let mut lines = out.lines().skip_while(|l| *l != code);
    let mut section = vec![lines.next().unwrap_or_else(|| panic!("no {code}: {out}"))];
    section.extend(lines.take_while(|l| !is_code_line(l) && !l.starts_with("error: ")));
    section.join("\n")
}

/// A line holding only a diagnostic code (`W0201`), as miette starts a report.
fn is_code_line(line: &str) -> bool {
    line.len() == 5
        && line.starts_with(['E', 'W'])
        && line.chars().skip(1).all(|c| c.is_ascii_digit())
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (idx, c) in digits.chars().enumerate() {
        if idx > 0 && (digits.len() - idx) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Diagnostics inside a dump name the entity, policy and statement.
#[test]
fn dump_diagnostics_name_their_entity_policy_and_statement() {
    let dir = TempDir::new();
    let dump = dir.write("dump.json", &with_last_user(&org_dump(50), &[]));
    let path = dump.to_str().unwrap();
    let short = run(&["--message-format", "short", "lint", path]);
    let typo = short
        .stdout
        .lines()
        .find(|l| l.contains("W0201"))
        .unwrap_or_else(|| panic!("{}", short.stdout));
    assert!(
        typo.contains(r#"(in policy ZedOwn, statement 2 (Sid "Typo") of user zed)"#),
        "{typo}"
    );
    let json = run(&["--message-format", "json", "lint", path]);
    let typo: serde_json::Value = json
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["code"] == "W0201")
        .unwrap();
    assert_eq!(typo["entity_kind"], "user");
    assert_eq!(typo["entity"], "zed");
    assert_eq!(typo["policy"], "ZedOwn");
    assert_eq!(typo["statement"], 2);
    assert_eq!(typo["sid"], "Typo");
    let human = run(&["--all-diagnostics", "lint", path]);
    assert!(
        human
            .stdout
            .contains(r#"in policy ZedOwn, statement 2 (Sid "Typo") of user zed"#),
        "{}",
        human.stdout
    );
}

/// Snapshots: a diagnostic deep in a one-line dump (windowed, with the
/// real column), and one with several labels.
#[test]
fn windowed_and_multi_label_snapshots() {
    let dir = TempDir::new();
    let text = with_last_user(&org_dump(200), &["Missing"]);
    let dump = dir.write("dump.json", &text);
    let lint = run(&["--message-format", "human", "lint", dump.to_str().unwrap()]);
    let path = dump.to_str().unwrap();
    let pick = |code: &str| section(&lint.stdout, code).replace(path, "dump.json");
    insta::assert_snapshot!("windowed_long_line", pick("W0201"));
    // Several labels: a policy missing from the dump, attached in distant
    // places of a pretty-printed dump and of the same line.
    let mut value: serde_json::Value = serde_json::from_str(&org_dump(40)).unwrap();
    for idx in [0, 1, 39] {
        value["UserDetailList"][idx]["AttachedManagedPolicies"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "PolicyName": "Gone",
                "PolicyArn": "arn:aws:iam::123456789012:policy/Gone",
            }));
    }
    let pretty = dir.write(
        "pretty.json",
        &serde_json::to_string_pretty(&value).unwrap(),
    );
    let out = compile(&dir, "human", &pretty, &[]);
    let text = out.stderr.replace(pretty.to_str().unwrap(), "pretty.json");
    insta::assert_snapshot!("multi_label", section(&text, "E0205"));
}
