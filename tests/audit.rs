//! The audit commands through `verdict::run`: `diff` on hand-made
//! before/after pairs (tables, sources, conditional cells), its `--fail-on`
//! exit statuses, `who-can`, `what-can`, `export` in every format, `lint`
//! with each lint code firing on a minimal example and not on its fixed
//! version, and `compile --timings`. Outputs are insta snapshots.

use std::path::{Path, PathBuf};

use verdict_runtime::parts::{Atom, Lit, Residual, TableParts};
use verdict_runtime::{AccessLevel, Cell, Table};

use crate::cli::{run, TempDir};

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn data(name: &str) -> String {
    format!(
        "{}/tests/test_data/audit/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Compiles `tests/test_data/audit/{name}.vp` with the small test catalog
/// (Chime and IAM actions of every access level) into `dir`.
fn compile_audit(dir: &TempDir, name: &str) -> PathBuf {
    let table = dir.path(&format!("{name}.vdt"));
    let out = run(&[
        "compile",
        &data(&format!("{name}.vp")),
        "--catalog",
        &data("mini-catalog.tsv"),
        "-o",
        s(&table),
        "--quiet",
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    table
}

/// The before/after pair, compiled.
fn pair() -> (TempDir, PathBuf, PathBuf) {
    let dir = TempDir::new();
    let before = compile_audit(&dir, "before");
    let after = compile_audit(&dir, "after");
    (dir, before, after)
}

/// Replaces the temp folder in output with `<dir>`.
fn scrub(text: &str, dir: &TempDir) -> String {
    let root = dir.path("");
    text.replace(s(&root), "<dir>/")
        .replace("<dir>//", "<dir>/")
}

#[test]
fn diff_text_snapshot() {
    let (dir, before, after) = pair();
    let out = run(&["diff", s(&before), s(&after)]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    insta::assert_snapshot!("diff_text", scrub(&out.stdout, &dir));
}

#[test]
fn diff_markdown_snapshot() {
    let (dir, before, after) = pair();
    let out = run(&["diff", s(&before), s(&after), "--format", "markdown"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    insta::assert_snapshot!("diff_markdown", scrub(&out.stdout, &dir));
}

#[test]
fn diff_json_snapshot_lists_every_change() {
    let (dir, before, after) = pair();
    let out = run(&["diff", s(&before), s(&after), "--format", "json"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    // Exact lists, even where the text compresses (`chime:Delete* (4)`).
    let bob = json["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["principal"] == "user/bob")
        .unwrap();
    let gained: Vec<&str> = bob["gained"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        gained,
        [
            "chime:DeleteAccount",
            "chime:DeleteMeeting",
            "chime:DeleteRoom",
            "chime:DeleteUser",
            "chime:UpdateUser",
            "iam:AttachUserPolicy"
        ]
    );
    insta::assert_snapshot!("diff_json", scrub(&out.stdout, &dir));
}

#[test]
fn diff_compiles_sources_on_the_fly() {
    let (_dir, before, after) = pair();
    let tables = run(&["diff", s(&before), s(&after), "--format", "json"]);
    let sources = run(&[
        "diff",
        &data("before.vp"),
        &data("after.vp"),
        "--catalog",
        &data("mini-catalog.tsv"),
        "--format",
        "json",
    ]);
    assert_eq!(sources.status, 0, "{}", sources.stderr);
    let principals = |text: &str| {
        let json: serde_json::Value = serde_json::from_str(text).unwrap();
        json["principals"].clone()
    };
    assert_eq!(principals(&tables.stdout), principals(&sources.stdout));
    // Mixed: a table on one side, a source on the other.
    let mixed = run(&[
        "diff",
        s(&before),
        &data("after.vp"),
        "--catalog",
        &data("mini-catalog.tsv"),
        "--format",
        "json",
    ]);
    assert_eq!(principals(&tables.stdout), principals(&mixed.stdout));
}

#[test]
fn diff_source_errors_exit_2() {
    let dir = TempDir::new();
    let bad = dir.write("bad.vp", "user alice { attach Missing }\n");
    let out = run(&["diff", s(&bad), s(&bad), "--message-format", "short"]);
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("error[E0201]"), "{}", out.stderr);
    assert!(out.stderr.contains("cannot compile"), "{}", out.stderr);
    let out = run(&["diff", s(&dir.path("missing.vdt")), s(&bad)]);
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("no such file"), "{}", out.stderr);
}

#[test]
fn diff_fail_on_exit_statuses() {
    let (_dir, before, after) = pair();
    for (fail_on, status) in [
        (&[][..], 0),
        (&["gained"][..], 1),
        (&["lost"][..], 1),
        (&["any"][..], 1),
        (&["write"][..], 1),
        (&["permissions-management"][..], 1),
        (&["Permissions management"][..], 1),
        (&["tagging"][..], 0),
        (&["list"][..], 1), // carol is new and gains List actions
        (&["tagging", "lost"][..], 1),
    ] {
        let mut args = vec!["diff", s(&before), s(&after)];
        for f in fail_on {
            args.extend(["--fail-on", f]);
        }
        let out = run(&args);
        assert_eq!(out.status, status, "--fail-on {fail_on:?}: {}", out.stderr);
        if status == 1 {
            assert!(
                out.stderr.starts_with("verdict diff: failing on "),
                "{}",
                out.stderr
            );
        }
    }
    // The same table on both sides: nothing matches.
    let out = run(&["diff", s(&before), s(&before), "--fail-on", "any"]);
    assert_eq!(out.status, 0);
    assert!(out.stdout.ends_with("no changes\n"), "{}", out.stdout);
    // Reversed, the gains are losses.
    let out = run(&["diff", s(&after), s(&before), "--fail-on", "gained"]);
    assert_eq!(out.status, 1, "dora comes back with meetings");
    let out = run(&["diff", s(&before), s(&after), "--fail-on", "admin"]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("not `gained`, `lost`, `any`"),
        "{}",
        out.stderr
    );
}

/// A table of two principals and four actions, with conditional cells, from
/// parts (the compiler does not write conditional cells yet).
fn parts_table(cells_a: [Cell; 4], cells_b: [Cell; 4]) -> Vec<u8> {
    let mut cells = Vec::new();
    cells.extend(cells_a);
    cells.extend(cells_b);
    let mut conditional = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        if *cell == Cell::Conditional {
            conditional.push(((i / 4) as u32, (i % 4) as u32, 0));
        }
    }
    let residuals = if conditional.is_empty() {
        Vec::new()
    } else {
        vec![Residual {
            deny: Vec::new(),
            allow: vec![vec![vec![Lit {
                atom: 0,
                negated: false,
            }]]],
        }]
    };
    let atoms = if conditional.is_empty() {
        Vec::new()
    } else {
        vec![Atom::Resource {
            patterns: vec!["arn:aws:chime:*:*:meeting/*".into()],
            not: false,
        }]
    };
    let parts = TableParts {
        catalog: "chime".to_owned(),
        principals: vec!["user/a".to_owned(), "user/b".to_owned()],
        principal_arns: vec![String::new(), String::new()],
        actions: vec![
            "chime:ListUsers".to_owned(),
            "chime:GetMeeting".to_owned(),
            "chime:DeleteMeeting".to_owned(),
            "chime:TagResource".to_owned(),
        ],
        action_access: vec![
            AccessLevel::List,
            AccessLevel::Read,
            AccessLevel::Write,
            AccessLevel::Tagging,
        ],
        action_wildcard_only: vec![true, false, false, false],
        principal_row: vec![0, 1],
        action_col: vec![0, 1, 2, 3],
        n_rows: 2,
        n_cols: 4,
        cells,
        atoms,
        residuals,
        conditional,
        ..TableParts::default()
    };
    Table::from_parts(parts).unwrap().to_bytes()
}

#[test]
fn diff_shows_conditional_cells_as_such() {
    use Cell::{Allow as A, Conditional as C, Deny as D, ImplicitDeny as I};
    let dir = TempDir::new();
    let before = dir.path("before.vdt");
    let after = dir.path("after.vdt");
    std::fs::write(&before, parts_table([A, C, I, D], [A, I, A, I])).unwrap();
    std::fs::write(&after, parts_table([C, A, C, I], [A, C, A, D])).unwrap();
    let out = run(&["diff", s(&before), s(&after)]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    insta::assert_snapshot!("diff_conditional", scrub(&out.stdout, &dir));
    let out = run(&["diff", s(&before), s(&after), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let a = &json["principals"][0];
    assert_eq!(a["principal"], "user/a");
    assert_eq!(a["lost"][0]["action"], "chime:ListUsers");
    assert_eq!(a["lost"][0]["before"], "allow");
    assert_eq!(a["lost"][0]["after"], "conditional");
    assert_eq!(a["gained"][0]["action"], "chime:GetMeeting");
    assert_eq!(a["gained"][0]["before"], "conditional");
    assert_eq!(a["deny_changed"][0]["action"], "chime:TagResource");
    // allow → conditional is a loss for --fail-on.
    let out = run(&["diff", s(&before), s(&after), "--fail-on", "lost"]);
    assert_eq!(out.status, 1);
    // An explicit deny added is `any`, not `gained` or `lost`.
    let only_deny_before = dir.path("d1.vdt");
    let only_deny_after = dir.path("d2.vdt");
    std::fs::write(&only_deny_before, parts_table([A, A, A, I], [A, A, A, I])).unwrap();
    std::fs::write(&only_deny_after, parts_table([A, A, A, D], [A, A, A, I])).unwrap();
    for (fail_on, status) in [("gained", 0), ("lost", 0), ("any", 1)] {
        let out = run(&[
            "diff",
            s(&only_deny_before),
            s(&only_deny_after),
            "--fail-on",
            fail_on,
        ]);
        assert_eq!(out.status, status, "{fail_on}");
    }
}

#[test]
fn diff_across_catalogs_counts_missing_actions_as_implicit_deny() {
    let dir = TempDir::new();
    let src = dir.write(
        "org.vp",
        "policy P { allow chime:ListUsers }\nuser u { attach P }\n",
    );
    let small = dir.path("small.vdt");
    let full = dir.path("full.vdt");
    let out = run(&[
        "compile",
        s(&src),
        "--catalog",
        &data("mini-catalog.tsv"),
        "-o",
        s(&small),
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let out = run(&["compile", s(&src), "-o", s(&full)]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let out = run(&["diff", s(&small), s(&full), "--format", "json"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["old"]["catalog"], "mini-catalog");
    assert_eq!(json["new"]["catalog"], "chime");
    assert_eq!(json["summary"]["gained"], 0);
    assert_eq!(json["summary"]["lost"], 0);
    assert!(json["summary"]["actions_compared"].as_u64().unwrap() > 316);
}

#[test]
fn who_can_snapshots() {
    let (dir, _before, after) = pair();
    let t = s(&after);
    let text = run(&["who-can", t, "chime:deleteaccount"]);
    assert_eq!(text.status, 0, "{}", text.stderr);
    let json = run(&["who-can", t, "iam:AttachUserPolicy", "--format", "json"]);
    assert_eq!(json.status, 0);
    let nobody = run(&["who-can", t, "chime:TagResource"]);
    insta::assert_snapshot!(
        "who_can",
        scrub(
            &format!("{}\n{}\n{}", text.stdout, json.stdout, nobody.stdout),
            &dir
        )
    );
    let out = run(&["who-can", t, "chime:Nope"]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("unknown action `chime:Nope`"),
        "{}",
        out.stderr
    );
}

#[test]
fn who_can_marks_conditional_principals() {
    use Cell::{Allow as A, Conditional as C, ImplicitDeny as I};
    let dir = TempDir::new();
    let table = dir.path("t.vdt");
    std::fs::write(&table, parts_table([A, C, I, I], [A, A, I, I])).unwrap();
    let out = run(&["who-can", s(&table), "chime:GetMeeting"]);
    assert_eq!(
        out.stdout,
        "chime:GetMeeting (Read): 2 principals allowed, 1 of them conditionally\nuser/a  (conditional)\nuser/b\n"
    );
}

#[test]
fn what_can_snapshots() {
    let (dir, _before, after) = pair();
    let t = s(&after);
    let all = run(&["what-can", t, "user/bob"]);
    assert_eq!(all.status, 0, "{}", all.stderr);
    let write = run(&["what-can", t, "user/bob", "--access-level", "write"]);
    let pm = run(&[
        "what-can",
        t,
        "user/bob",
        "--access-level",
        "permissions-management",
        "--format",
        "json",
    ]);
    insta::assert_snapshot!(
        "what_can",
        scrub(
            &format!("{}\n{}\n{}", all.stdout, write.stdout, pm.stdout),
            &dir
        )
    );
    let out = run(&["what-can", t, "user/mallory"]);
    assert_eq!(out.status, 2);
    let out = run(&["what-can", t, "user/bob", "--access-level", "admin"]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("unknown access level `admin`"),
        "{}",
        out.stderr
    );
}

#[test]
fn what_can_agrees_with_check_on_every_cell() {
    let (_dir, before, _after) = pair();
    let table = Table::open(&before).unwrap();
    for p in table.principals() {
        let name = table.principal_name(p);
        let out = run(&["what-can", s(&before), name, "--format", "json"]);
        let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let listed: Vec<&str> = json["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["action"].as_str().unwrap())
            .collect();
        for a in table.actions() {
            let allowed = table.cell(p, a) == Cell::Allow;
            assert_eq!(
                listed.contains(&table.action_name(a)),
                allowed,
                "{name} {}",
                table.action_name(a)
            );
            let who = run(&[
                "who-can",
                s(&before),
                table.action_name(a),
                "--format",
                "json",
            ]);
            let who: serde_json::Value = serde_json::from_str(&who.stdout).unwrap();
            let found = who["principals"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["principal"] == name);
            assert_eq!(found, allowed, "who-can {} {name}", table.action_name(a));
        }
    }
}

#[test]
fn export_snapshots() {
    let (dir, before, _after) = pair();
    let t = s(&before);
    for (name, args) in [
        ("export_csv_long", &["--format", "csv"][..]),
        (
            "export_csv_wide",
            &["--format", "csv", "--layout", "wide"][..],
        ),
        ("export_json", &["--format", "json"][..]),
        ("export_dot", &["--format", "dot"][..]),
    ] {
        let mut argv = vec!["export", t];
        argv.extend_from_slice(args);
        let out = run(&argv);
        assert_eq!(out.status, 0, "{name}: {}", out.stderr);
        insta::assert_snapshot!(name, scrub(&out.stdout, &dir));
    }
}

#[test]
fn export_csv_long_has_one_line_per_non_implicit_cell() {
    let (_dir, before, _after) = pair();
    let table = Table::open(&before).unwrap();
    let expected = table
        .principals()
        .flat_map(|p| table.actions().map(move |a| (p, a)))
        .filter(|&(p, a)| table.cell(p, a) != Cell::ImplicitDeny)
        .count();
    let out = run(&["export", s(&before), "--format", "csv"]);
    assert_eq!(out.stdout.lines().count(), expected + 1);
    assert!(out
        .stdout
        .contains("user/alice,chime:DeleteAccount,Write,deny\n"));
}

#[test]
fn export_html_is_self_contained_and_written_to_a_file() {
    let (dir, before, _after) = pair();
    let file = dir.path("report.html");
    let out = run(&["export", s(&before), "--format", "html", "-o", s(&file)]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<title>verdict: before.vdt</title>"));
    for remote in ["http://", "https://", "src=", "<link"] {
        assert!(!html.contains(remote), "loads something: {remote}");
    }
    assert!(
        html.contains("\"principals\":[\"role/Bot\",\"user/alice\",\"user/bob\",\"user/dora\"]")
    );
    let out = run(&["export", s(&before), "--format", "html"]);
    insta::assert_snapshot!("export_html", out.stdout);
}

#[test]
fn export_escapes_names_in_the_embedded_data() {
    let dir = TempDir::new();
    let src = dir.write(
        "org.vp",
        "policy P { allow chime:ListUsers }\nuser \"</script><b>x\" { attach P }\n",
    );
    let table = dir.path("t.vdt");
    let out = run(&["compile", s(&src), "-o", s(&table)]);
    if out.status != 0 {
        // The DSL may reject the name; then there is nothing to escape.
        return;
    }
    let out = run(&["export", s(&table), "--format", "html"]);
    assert!(!out.stdout.contains("</script><b>"), "raw name in the page");
    assert!(out.stdout.contains("\\u003c/script\\u003e\\u003cb\\u003ex"));
}

#[test]
fn export_errors_exit_2() {
    let dir = TempDir::new();
    let out = run(&["export", s(&dir.path("missing.vdt")), "--format", "csv"]);
    assert_eq!(out.status, 2);
    let (_dir, before, _after) = pair();
    let out = run(&["export", s(&before), "--format", "pdf"]);
    assert_eq!(out.status, 2);
    let out = run(&["export", s(&before)]);
    assert_eq!(out.status, 2, "--format is required");
}

/// One lint case: the code, the files of a minimal example that fires it,
/// and the files of its fixed version. The first file is the input.
struct LintCase {
    code: &'static str,
    bad: Vec<(&'static str, String)>,
    fixed: Vec<(&'static str, String)>,
}

fn vp(text: &str) -> Vec<(&'static str, String)> {
    vec![("org.vp", text.to_string())]
}

fn lint_cases() -> Vec<LintCase> {
    let catalog = verdict_compiler::Catalog::builtin("chime").unwrap();
    let many: Vec<String> = catalog
        .actions()
        .iter()
        .take(120)
        .map(|a| format!("{}:{}", a.service, a.name))
        .collect();
    let json_policy = |principal: bool| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow",{}"Action":"chime:ListUsers","Resource":"*"}}]}}"#,
            if principal { r#""Principal":"*","# } else { "" }
        )
    };
    vec![
        LintCase {
            code: "W0201",
            bad: vp("policy P { allow chime:ListUser }\nuser u { attach P }"),
            fixed: vp("policy P { allow chime:ListUsers }\nuser u { attach P }"),
        },
        LintCase {
            code: "W0202",
            bad: vp("policy P { allow chime:Lizt* }\nuser u { attach P }"),
            fixed: vp("policy P { allow chime:List* }\nuser u { attach P }"),
        },
        LintCase {
            code: "W0204",
            bad: vp("policy P { allow chime:ListUsers on \"arn:aws:chime::111122223333:meeting/m\" }\nuser u { attach P }"),
            fixed: vp("policy P { allow chime:ListUsers }\nuser u { attach P }"),
        },
        LintCase {
            code: "E0104",
            bad: vec![
                ("org.vp", "policy P from \"p.json\"\nuser u { attach P }".to_string()),
                ("p.json", json_policy(true)),
            ],
            fixed: vec![
                ("org.vp", "policy P from \"p.json\"\nuser u { attach P }".to_string()),
                ("p.json", json_policy(false)),
            ],
        },
        LintCase {
            code: "E0111",
            bad: vp("policy P { sid A allow chime:ListUsers  sid A allow chime:GetUser }\nuser u { attach P }"),
            fixed: vp("policy P { sid A allow chime:ListUsers  sid B allow chime:GetUser }\nuser u { attach P }"),
        },
        LintCase {
            code: "W0301",
            bad: vp(&format!(
                "user u {{ policy Big {{ allow {} }} }}",
                many.join(", ")
            )),
            fixed: vp("user u { policy Big { allow chime:List* } }"),
        },
        LintCase {
            code: "W0401",
            bad: vp("policy P { allow chime:DeleteAccount  deny chime:Delete* }\nuser u { attach P }"),
            fixed: vp("policy P { allow chime:DeleteAccount, chime:ListUsers  deny chime:Delete* }\nuser u { attach P }"),
        },
        LintCase {
            code: "W0402",
            bad: vp("policy P { allow not chime:DeleteAccount }\nuser u { attach P }"),
            fixed: vp("policy P { allow chime:ListUsers }\nuser u { attach P }"),
        },
        LintCase {
            code: "W0403",
            bad: vp("policy P { allow chime:List*  allow chime:ListUsers }\nuser u { attach P }"),
            fixed: vp("policy P { allow chime:List*  allow chime:GetUser }\nuser u { attach P }"),
        },
        LintCase {
            code: "W0404",
            bad: vp("policy P { allow chime:* }\nuser u { attach P }"),
            fixed: vp("policy P { allow chime:Get*, chime:List* }\nuser u { attach P }"),
        },
        LintCase {
            code: "W0405",
            bad: vp("policy P { allow chime:ListUsers }\npolicy Q { allow chime:GetUser }\nuser u { attach P }"),
            fixed: vp("policy P { allow chime:ListUsers }\npolicy Q { allow chime:GetUser }\nuser u { attach P, Q }"),
        },
    ]
}

/// Runs `verdict lint` over the files (the first is the input).
fn lint_files(files: &[(&str, String)], extra: &[&str]) -> crate::cli::Output {
    let dir = TempDir::new();
    for (name, text) in files {
        dir.write(name, text);
    }
    let input = dir.path(files[0].0);
    let mut args = vec!["lint", s(&input), "--message-format", "short"];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn each_lint_fires_on_its_example_and_not_on_the_fixed_version() {
    for case in lint_cases() {
        let tag = format!("[{}]", case.code);
        let bad = lint_files(&case.bad, &[]);
        assert!(
            bad.stdout.contains(&tag),
            "{} does not fire: {}",
            case.code,
            bad.stdout
        );
        let line = bad.stdout.lines().find(|l| l.contains(&tag)).unwrap();
        assert!(
            line.contains("org.vp:") || line.contains("p.json:"),
            "{}: no location: {line}",
            case.code
        );
        // The policy lints all carry a fix hint (W0202, in `build`, has none yet).
        if case.code.starts_with("W04") {
            assert!(
                line.contains("(help: "),
                "{}: no fix hint: {line}",
                case.code
            );
        }
        let fixed = lint_files(&case.fixed, &["--deny-warnings"]);
        assert_eq!(
            (fixed.status, fixed.stdout.as_str()),
            (0, ""),
            "{}: the fixed version has findings",
            case.code
        );
    }
}

#[test]
fn lint_exit_statuses() {
    let clean = vp("policy P { allow chime:ListUsers }\nuser u { attach P }");
    let warning = vp("policy P { allow chime:ListUser }\nuser u { attach P }");
    let error = vp("user u { attach Missing }");
    assert_eq!(lint_files(&clean, &[]).status, 0);
    assert_eq!(lint_files(&warning, &[]).status, 0);
    assert_eq!(lint_files(&warning, &["--deny-warnings"]).status, 1);
    assert_eq!(lint_files(&error, &[]).status, 1);
    assert_eq!(run(&["lint"]).status, 2, "no inputs");
    assert_eq!(lint_files(&clean, &["--catalog", "nope"]).status, 2);
}

#[test]
fn lint_prints_findings_on_stdout_and_writes_no_table() {
    let dir = TempDir::new();
    let src = dir.write(
        "org.vp",
        "policy Admin {\n  allow chime:*\n  allow chime:ListUsers\n}\npolicy Unused { allow chime:GetUser }\nuser alice { attach Admin }\n",
    );
    let out = run(&["lint", s(&src)]);
    assert_eq!(out.status, 0);
    let before: Vec<_> = std::fs::read_dir(dir.path("")).unwrap().collect();
    assert_eq!(before.len(), 1, "lint writes nothing");
    assert_eq!(out.stderr, "lint: 0 error(s), 3 warning(s) in 1 file(s)\n");
    insta::assert_snapshot!("lint_human", scrub(&out.stdout, &dir));
}

#[test]
fn compile_timings_and_quiet() {
    let dir = TempDir::new();
    let src = dir.write(
        "org.vp",
        "policy P { allow chime:ListUsers }\nuser u { attach P }\n",
    );
    let table = dir.path("t.vdt");
    let out = run(&["compile", s(&src), "-o", s(&table), "--timings"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let phases: Vec<&str> = out
        .stderr
        .lines()
        .skip_while(|l| *l != "timings:")
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        phases,
        ["lower", "lint", "build", "encode", "write", "total"]
    );
    let out = run(&["compile", s(&src), "-o", s(&table), "--quiet"]);
    assert_eq!((out.status, out.stderr.as_str()), (0, ""));
}

/// `compile` on a terminal draws a spinner from another thread; it once
/// deadlocked on the standard error lock held by `main`. `script` (util-linux)
/// gives the real binary a pseudo-terminal.
#[test]
fn compile_with_progress_on_a_terminal_finishes() {
    let Ok(status) = std::process::Command::new("script")
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .status()
    else {
        eprintln!("NOTICE: compile_with_progress_on_a_terminal_finishes skipped: no `script` (util-linux)");
        return;
    };
    assert!(status.success());
    let dir = TempDir::new();
    let src = dir.write(
        "org.vp",
        "policy P { allow chime:List* }\nuser u { attach P }\n",
    );
    let table = dir.path("t.vdt");
    let log = dir.path("tty.log");
    // The `aws` catalog takes long enough to parse for the spinner to draw.
    let command = format!(
        "{} compile {} --catalog aws -o {}",
        env!("CARGO_BIN_EXE_verdict"),
        s(&src),
        s(&table)
    );
    let mut child = std::process::Command::new("script")
        .args(["-qec", &command, s(&log)])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("compile on a terminal did not finish within 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success());
    assert!(Table::open(&table).is_ok());
    let screen = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(screen.contains("compiled 1 principals"), "{screen}");
}
