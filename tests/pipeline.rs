//! One compile pipeline (README "Inputs"): `compile`, `lint`, `diff`,
//! `audit` and `convert` take the same input options, each option reaches
//! the compile of every one of them, and the same bad input gives the same
//! error from each.
//!
//! The table is commands × options: for each option a good value, with
//! which every command succeeds, and a bad value, with which every command
//! fails with the same first error line. A bad value that reaches the
//! compiler (a missing file, an attached policy the folder must supply, a
//! limit) shows the option is used, not only parsed.

// why: tests may panic
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use crate::cli::{run, TempDir};

const BEFORE: &str =
    "policy Meet {\n  allow chime:CreateMeeting\n}\nuser pipeline-user { attach Meet }\n";
const AFTER: &str = "policy Meet {\n  allow chime:CreateMeeting, chime:DeleteAccount\n}\nuser pipeline-user { attach Meet }\n";
/// An SCP that allows everything but deleting accounts.
const SCP: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"chime:DeleteAccount","Resource":"*"}]}"#;
/// A dump with one user of its own and nothing attached that it lacks.
const DUMP: &str = r#"{"UserDetailList":[{"UserName":"dump-user","Arn":"arn:aws:iam::111122223333:user/dump-user","UserPolicyList":[{"PolicyName":"Own","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"chime:GetMeeting","Resource":"*"}]}}]}],"GroupDetailList":[],"RoleDetailList":[],"Policies":[]}"#;
/// A dump attaching an AWS managed policy it does not include (E0205
/// unless `--managed-policies` supplies it).
const ATTACHING_DUMP: &str = r#"{"UserDetailList":[{"UserName":"dump-user","Arn":"arn:aws:iam::111122223333:user/dump-user","AttachedManagedPolicies":[{"PolicyName":"AmazonChimeReadOnly","PolicyArn":"arn:aws:iam::aws:policy/AmazonChimeReadOnly"}]}],"GroupDetailList":[],"RoleDetailList":[],"Policies":[]}"#;
const CHIME_READ_ONLY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["chime:List*","chime:Get*"],"Resource":"*"}]}"#;

/// The files of the tests, in one folder.
struct Files {
    dir: TempDir,
}

impl Files {
    fn new() -> Files {
        let dir = TempDir::new();
        dir.write("before.vp", BEFORE);
        dir.write("after.vp", AFTER);
        dir.write("scp.json", SCP);
        dir.write("dump.json", DUMP);
        dir.write("attaching.json", ATTACHING_DUMP);
        std::fs::create_dir_all(dir.path("managed")).unwrap();
        dir.write("managed/AmazonChimeReadOnly.json", CHIME_READ_ONLY);
        dir.write("bad.vp", "policy P { allow }\n");
        Files { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path(name).to_str().unwrap().to_string()
    }

    /// The five commands over `input` (the NEW side of `diff` is
    /// `after.vp`), each with its status on success.
    fn commands(&self, input: &str) -> Vec<(&'static str, Vec<String>)> {
        let out = self.path("out.vdt");
        let after = self.path("after.vp");
        let v = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        vec![
            ("compile", v(&["compile", input, "-o", &out])),
            ("lint", v(&["lint", input])),
            ("diff", v(&["diff", input, &after])),
            ("audit", v(&["audit", input])),
            ("convert", v(&["convert", "--to", "json", input])),
        ]
    }

    /// Runs `args` with `--message-format short` and the options: the
    /// status and the first line that reports an error, with the folder
    /// made `DIR`.
    fn first_error(&self, args: &[String], options: &[String]) -> (i32, Option<String>) {
        let mut all: Vec<&str> = vec!["--message-format", "short"];
        all.extend(args.iter().map(String::as_str));
        all.extend(options.iter().map(String::as_str));
        let out = run(&all);
        let dir = self.dir.path("");
        let dir = dir.to_str().unwrap();
        let line = out
            .stdout
            .lines()
            .chain(out.stderr.lines())
            .find(|line| line.contains("error"))
            .map(|line| line.replace(dir, "DIR/").replace("DIR//", "DIR/"));
        (out.status, line)
    }
}

/// One row of the table: an option's good value and a bad one, and what the
/// bad one's error says.
struct Row {
    option: &'static str,
    good: Vec<String>,
    bad: Vec<String>,
    error: &'static str,
}

fn rows(files: &Files) -> Vec<Row> {
    let s = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let dump = files.path("dump.json");
    let attaching = files.path("attaching.json");
    let managed = files.path("managed");
    let scp = files.path("scp.json");
    let missing = files.path("missing.json");
    let root_scp = format!("root={scp}");
    let bogus_scp = format!("bogus={scp}");
    vec![
        Row {
            option: "--aws-account",
            good: s(&["--aws-account", &dump]),
            bad: s(&["--aws-account", &missing]),
            error: "error[E0002]: cannot read `DIR/missing.json`: no such file",
        },
        Row {
            option: "--scp",
            good: s(&["--scp", &scp]),
            bad: s(&["--scp", &missing]),
            error: "error[E0002]: cannot read `DIR/missing.json`: no such file",
        },
        Row {
            option: "--scp LEVEL=",
            good: s(&["--scp", &root_scp]),
            bad: s(&["--scp", &bogus_scp]),
            error: "unknown level `bogus`; levels are `root`, `ou/NAME` and `account`",
        },
        Row {
            option: "--managed-policies",
            good: s(&["--aws-account", &attaching, "--managed-policies", &managed]),
            bad: s(&["--aws-account", &attaching]),
            error: "error[E0205]: AWS managed policy `arn:aws:iam::aws:policy/AmazonChimeReadOnly` is attached but not in the dump",
        },
        Row {
            option: "--managed-policies (folder)",
            good: s(&["--managed-policies", &managed]),
            bad: s(&["--managed-policies", &missing]),
            error: "error: cannot read `--managed-policies DIR/missing.json`: no such file",
        },
        Row {
            option: "--catalog",
            good: s(&["--catalog", "aws"]),
            bad: s(&["--catalog", "no-such-catalog"]),
            error: "unknown catalog `no-such-catalog`",
        },
        Row {
            option: "--limit",
            good: s(&["--limit", "statements=100"]),
            bad: s(&["--limit", "statements=0"]),
            error: "error[E0003]: more than 0 statements in one policy",
        },
        Row {
            option: "--limit input-bytes",
            good: s(&["--limit", "input-bytes=1MiB"]),
            bad: s(&["--limit", "input-bytes=8"]),
            error: "error[E0002]: cannot read `DIR/before.vp`: larger than 8 bytes",
        },
        Row {
            option: "--limit NAME",
            good: s(&["--limit", "files=100"]),
            bad: s(&["--limit", "bogus=1"]),
            error: "error: invalid `--limit bogus=1`: unknown limit `bogus`",
        },
    ]
}

#[test]
fn every_command_accepts_every_option_and_fails_alike_on_a_bad_value() {
    let files = Files::new();
    let before = files.path("before.vp");
    for row in rows(&files) {
        let mut errors = Vec::new();
        for (command, args) in files.commands(&before) {
            let (status, line) = files.first_error(&args, &row.good);
            assert_eq!(
                (status, line.as_deref()),
                (0, None),
                "{command} {}: a good value",
                row.option
            );
            let (status, line) = files.first_error(&args, &row.bad);
            assert_ne!(status, 0, "{command} {}: a bad value", row.option);
            let line = line.unwrap_or_else(|| panic!("{command} {}: no error", row.option));
            assert!(line.contains(row.error), "{command} {}: {line}", row.option);
            errors.push((command, line));
        }
        let (first_command, first) = &errors[0];
        for (command, line) in &errors {
            assert_eq!(
                line, first,
                "{}: {command} and {first_command} differ",
                row.option
            );
        }
    }
}

#[test]
fn a_bad_input_is_the_same_error_from_every_command() {
    let files = Files::new();
    for (input, error, statuses) in [
        (
            files.path("missing.vp"),
            "error[E0002]: cannot read `DIR/missing.vp`: no such file",
            [2, 2, 2, 2, 2],
        ),
        (
            files.path("bad.vp"),
            "DIR/bad.vp:1:18: error[E0001]: expected `not` or an action, found `}`",
            // The inputs have errors: 1 for compile, lint and convert, 2 for
            // diff and audit (their contracts).
            [1, 1, 2, 2, 1],
        ),
    ] {
        for ((command, args), status) in files.commands(&input).into_iter().zip(statuses) {
            for options in [vec![], vec!["--catalog".to_string(), "chime".to_string()]] {
                let (got, line) = files.first_error(&args, &options);
                assert_eq!(got, status, "{command} {input} {options:?}");
                assert_eq!(
                    line.as_deref(),
                    Some(error),
                    "{command} {input} {options:?}"
                );
            }
        }
    }
}

#[test]
fn diff_compiles_both_sides_under_the_shared_options() {
    let files = Files::new();
    let (before, after) = (files.path("before.vp"), files.path("after.vp"));
    let plain = run(&["diff", &before, &after, "--fail-on", "gained"]);
    assert_eq!(plain.status, 1, "{}", plain.stderr);
    assert!(
        plain.stdout.contains("chime:DeleteAccount"),
        "{}",
        plain.stdout
    );
    // The SCP denies the one gain, on both sides.
    let scp = files.path("scp.json");
    let governed = run(&[
        "diff",
        &before,
        &after,
        "--fail-on",
        "gained",
        "--scp",
        &scp,
    ]);
    assert_eq!(governed.status, 0, "{}", governed.stderr);
    assert!(
        governed.stdout.contains("no changes"),
        "{}",
        governed.stdout
    );
    // A dump given once is part of both sides: its user is no change.
    let dump = files.path("dump.json");
    let with_dump = run(&["diff", &before, &after, "--aws-account", &dump]);
    assert_eq!(with_dump.status, 0, "{}", with_dump.stderr);
    assert!(
        with_dump.stdout.contains("2 principals"),
        "{}",
        with_dump.stdout
    );
    assert!(
        !with_dump.stdout.contains("dump-user"),
        "{}",
        with_dump.stdout
    );
}

#[test]
fn options_given_with_tables_only_are_an_error() {
    let files = Files::new();
    let table = files.path("before.vdt");
    let compiled = run(&["compile", &files.path("before.vp"), "-o", &table]);
    assert_eq!(compiled.status, 0, "{}", compiled.stderr);
    let scp = files.path("scp.json");
    let out = run(&["diff", &table, &table, "--scp", &scp]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr
            .contains("`--scp` applies to sides given as sources"),
        "{}",
        out.stderr
    );
    let out = run(&["audit", &table, "--catalog", "aws"]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("`--catalog` applies to sources"),
        "{}",
        out.stderr
    );
    // One side a table, the other sources: the options govern the sources.
    let out = run(&["diff", &table, &files.path("after.vp"), "--scp", &scp]);
    assert_eq!(out.status, 0, "{}", out.stderr);
}

#[test]
fn convert_checks_its_file_with_the_options_and_reads_standard_input() {
    let files = Files::new();
    let people = files.dir.write(
        "people.vp",
        "user alice { attach Missing }\npolicy P { allow chime:GetMeeting }\n",
    );
    // Without options, convert converts what it can, unchecked, as before.
    let out = run(&[
        "convert",
        "--to",
        "json",
        "--policy",
        "P",
        people.to_str().unwrap(),
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    // With them, it compiles the file first: the error `compile` reports.
    let out = run(&[
        "convert",
        "--to",
        "json",
        "--policy",
        "P",
        people.to_str().unwrap(),
        "--catalog",
        "chime",
    ]);
    assert_eq!((out.status, out.stdout.as_str()), (1, ""), "{}", out.stderr);
    let compiled = run(&[
        "compile",
        people.to_str().unwrap(),
        "-o",
        &files.path("p.vdt"),
    ]);
    let first = |text: &str| text.lines().next().unwrap_or_default().to_string();
    assert_eq!(first(&out.stderr), first(&compiled.stderr));
    // Standard input is checked as `<stdin>`.
    let out = crate::cli::run_with_stdin(
        &["convert", "--to", "json", "-", "--limit", "statements=0"],
        BEFORE,
    );
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(out.stderr.contains("<stdin>"), "{}", out.stderr);
    assert!(out.stderr.contains("E0003"), "{}", out.stderr);
}
