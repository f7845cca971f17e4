//! Hostile and damaged inputs through the CLI (issue 7): fail closed with a
//! reason and exit status 2 for tables that are missing, directories,
//! truncated or of another format version; `--limit` options and the limit
//! errors; compile output that cannot be written; request limits in batches.

use std::path::{Path, PathBuf};

use crate::cli::{run, run_with_stdin, TempDir};

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

const ORG: &str = "policy Read { allow chime:List*, chime:Get* }\n\
                   policy Admin { allow chime:*  deny chime:DeleteAccount }\n\
                   user alice { attach Admin }\nuser bob { attach Read }\nrole Bot { attach Read }\n";

/// Compiles ORG into `t.vdt` in a fresh folder.
fn compiled() -> (TempDir, PathBuf) {
    let dir = TempDir::new();
    let src = dir.write("org.vp", ORG);
    let table = dir.path("t.vdt");
    let out = run(&["compile", s(&src), "-o", s(&table)]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    (dir, table)
}

/// `check`, `check --batch` and `inspect` on `table` all fail with status 2,
/// print nothing on standard output, and say `why` on standard error.
#[track_caller]
fn rejected(table: &Path, why: &str) {
    let t = s(table);
    let line = "{\"principal\":\"user/alice\",\"action\":\"chime:ListUsers\"}\n";
    for args in [
        vec!["check", t, "user/alice", "chime:ListUsers"],
        vec!["check", t, "--batch", "-"],
        vec!["inspect", t],
    ] {
        let out = run_with_stdin(&args, line);
        assert_eq!(out.status, 2, "{args:?}");
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(
            out.stderr
                .starts_with(&format!("error: cannot load table `{t}`: {why}")),
            "{args:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn missing_and_directory_tables_are_errors_that_say_why() {
    let dir = TempDir::new();
    rejected(&dir.path("missing.vdt"), "no such file");
    let folder = dir.path("folder.vdt");
    std::fs::create_dir(&folder).unwrap();
    rejected(&folder, "is a directory");
}

#[test]
fn truncated_tables_are_rejected_at_every_length() {
    let (dir, table) = compiled();
    let bytes = std::fs::read(&table).unwrap();
    let path = dir.path("cut.vdt");
    // The header at every length, then the body at a spread of lengths (the
    // runtime's own tests cover every length of a small table).
    let lengths = (0..64).chain((64..bytes.len()).step_by(bytes.len() / 50 + 1));
    for len in lengths {
        std::fs::write(&path, &bytes[..len]).unwrap();
        let out = run(&["check", s(&path), "user/alice", "chime:ListUsers"]);
        assert_eq!((out.status, out.stdout.as_str()), (2, ""), "length {len}");
        assert!(
            out.stderr.starts_with("error: cannot load table"),
            "length {len}: {}",
            out.stderr
        );
    }
}

#[test]
fn another_format_version_names_the_supported_ones() {
    let (dir, table) = compiled();
    let mut bytes = std::fs::read(&table).unwrap();
    // The format version is the u32 at offset 12 of the header.
    let other = verdict_runtime::FORMAT_VERSION + 7;
    bytes[12..16].copy_from_slice(&other.to_le_bytes());
    let path = dir.path("future.vdt");
    std::fs::write(&path, &bytes).unwrap();
    let why = format!(
        "table format version {other} is not supported (this build reads version {}); recompile the table",
        verdict_runtime::FORMAT_VERSION
    );
    rejected(&path, &why);
}

#[test]
fn unknown_names_never_allow() {
    let (_dir, table) = compiled();
    let t = s(&table);
    for (principal, action, why) in [
        (
            "user/mallory",
            "chime:ListUsers",
            "unknown principal `user/mallory`",
        ),
        ("alice", "chime:ListUsers", "unknown principal `alice`"),
        ("", "chime:ListUsers", "unknown principal ``"),
        (
            "user/alice",
            "chime:ListUser",
            "unknown action `chime:ListUser`",
        ),
        ("user/alice", "chime:*", "unknown action `chime:*`"),
        ("user/alice", "", "unknown action ``"),
    ] {
        let out = run(&["check", t, principal, action]);
        assert_eq!(
            (out.status, out.stdout.as_str()),
            (2, ""),
            "{principal} {action}"
        );
        assert!(
            out.stderr.contains(why),
            "{principal} {action}: {}",
            out.stderr
        );
    }
    let out = run(&[
        "check",
        t,
        "user/alice",
        "chime:ListUsers",
        "--context",
        "novalue",
    ]);
    assert_eq!((out.status, out.stdout.as_str()), (2, ""));
    assert!(
        out.stderr.contains("context `novalue` is not KEY=VALUE"),
        "{}",
        out.stderr
    );
}

#[test]
fn compile_to_a_path_that_cannot_be_written_fails_cleanly() {
    let dir = TempDir::new();
    let src = dir.write("org.vp", ORG);
    let folder = dir.path("out");
    std::fs::create_dir(&folder).unwrap();
    let file = dir.write("plain.txt", "x");
    for (output, why) in [
        (s(&folder).to_string(), "is a directory"),
        (format!("{}/t.vdt", s(&file)), "a parent is not a directory"),
        (
            s(&dir.path("no/such/dir/t.vdt")).to_string(),
            "no such file",
        ),
    ] {
        let out = run(&["compile", s(&src), "-o", &output]);
        assert_eq!(out.status, 2, "{output}");
        assert!(
            out.stderr
                .contains(&format!("cannot write `{output}`: {why}")),
            "{output}: {}",
            out.stderr
        );
    }
    // Nothing was left behind: no temporary files, the folder still empty.
    let mut left: Vec<String> = std::fs::read_dir(dir.path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["org.vp", "out", "plain.txt"]);
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
}

#[test]
fn a_failed_compile_leaves_the_previous_table_byte_identical() {
    let (dir, table) = compiled();
    let before = std::fs::read(&table).unwrap();
    // Errors in the inputs, a limit exceeded, an input that cannot be read.
    let bad = dir.write("bad.vp", "user alice { attach Missing }\n");
    let ok = dir.path("org.vp");
    for args in [
        vec!["compile", s(&bad), "-o", s(&table)],
        vec![
            "compile",
            s(&ok),
            "--limit",
            "principals=2",
            "-o",
            s(&table),
        ],
        vec!["compile", s(&dir.path("gone.vp")), "-o", s(&table)],
        vec!["compile", s(&ok), "--limit", "bogus=1", "-o", s(&table)],
    ] {
        let out = run(&args);
        assert_ne!(out.status, 0, "{args:?}");
        assert_eq!(std::fs::read(&table).unwrap(), before, "{args:?}");
    }
}

#[test]
fn limits_are_set_with_limit_options() {
    let (dir, table) = compiled();
    let src = dir.path("org.vp");
    let out = run(&[
        "compile",
        s(&src),
        "--limit",
        "statements=1",
        "--message-format",
        "short",
        "-o",
        s(&table),
    ]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    let where_ = format!(
        "{}:2:31: error[E0003]: more than 1 statements in one policy",
        s(&src)
    );
    assert!(out.stderr.contains(&where_), "{}", out.stderr);
    // Raised again, it compiles; sizes take underscores and binary units.
    for setting in [
        "statements=2",
        "statements=1_000",
        "input-bytes=1MiB",
        "string-bytes=2KiB",
    ] {
        let out = run(&["compile", s(&src), "--limit", setting, "-o", s(&table)]);
        assert_eq!(out.status, 0, "{setting}: {}", out.stderr);
    }
    // The human rendering says how to raise it.
    let out = run(&["compile", s(&src), "--limit", "policies=1", "-o", s(&table)]);
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.contains("more than 1 policies"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--limit policies=N"), "{}", out.stderr);
    let out = run(&[
        "compile",
        s(&src),
        "--limit",
        "input-bytes=10",
        "-o",
        s(&table),
    ]);
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.contains("larger than 10 bytes"),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_limit_options_are_usage_errors() {
    let (dir, table) = compiled();
    let src = dir.path("org.vp");
    for (setting, why) in [
        ("statements", "expected NAME=N"),
        (
            "statements=many",
            "`many` is not a number (e.g. 100000, 1_000_000 or 256MiB)",
        ),
        ("statements=_1", "`_1` is not a number"),
        ("statements=", "`` is not a number"),
        ("statements=-1", "`-1` is not a number"),
        ("statements=1e3", "`1e3` is not a number"),
        (
            "statement=10",
            "unknown limit `statement` (limits: input-bytes,",
        ),
        ("json-depth=100000", "`json-depth` can be at most"),
        ("context-keys=1", "unknown limit `context-keys`"),
        (
            "input-bytes=99999999999GiB",
            "`99999999999GiB` is too large",
        ),
    ] {
        let out = run(&["compile", s(&src), "--limit", setting, "-o", s(&table)]);
        assert_eq!(out.status, 2, "{setting}");
        assert!(
            out.stderr
                .contains(&format!("invalid `--limit {setting}`: {why}")),
            "{setting}: {}",
            out.stderr
        );
    }
    let out = run(&[
        "check",
        s(&table),
        "user/alice",
        "chime:ListUsers",
        "--limit",
        "statements=1",
    ]);
    assert_eq!((out.status, out.stdout.as_str()), (2, ""));
    assert!(out.stderr.contains("unknown limit `statements` (limits of `check`: line-bytes, context-keys, context-values, resource-bytes, value-bytes)"), "{}", out.stderr);
}

#[test]
fn request_limits_in_checks_and_batches() {
    let (_dir, table) = compiled();
    let t = s(&table);
    let ctx = r#"{"principal":"user/alice","action":"chime:ListUsers","context":{"a":"1","b":["2","3"]}}"#;
    let long = format!(
        "{{\"principal\":\"user/alice\",\"action\":\"chime:ListUsers\",\"resource\":\"{}\"}}",
        "x".repeat(200)
    );
    let input = format!("{ctx}\n{long}\n");
    let decisions = |args: &[&str]| -> Vec<String> {
        let out = run_with_stdin(args, &input);
        assert_eq!(out.status, 0, "{}", out.stderr);
        out.stdout
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                match v["error"].as_str() {
                    Some(e) => format!("error: {e}"),
                    None => v["decision"].as_str().unwrap().to_string(),
                }
            })
            .collect()
    };
    assert_eq!(decisions(&["check", t, "--batch", "-"]), ["allow", "allow"]);
    assert_eq!(
        decisions(&[
            "check",
            t,
            "--batch",
            "-",
            "--limit",
            "context-keys=1",
            "--limit",
            "line-bytes=100"
        ]),
        [
            "error: more than 1 context keys (raise with --limit context-keys=N)",
            "error: line longer than 100 bytes (raise with --limit line-bytes=N)"
        ]
    );
    assert_eq!(
        decisions(&["check", t, "--batch", "-", "--limit", "context-values=2"]),
        [
            "error: more than 2 context values (raise with --limit context-values=N)",
            "allow"
        ]
    );
    // One check: the same limits on `--context` options (a key given twice
    // is one key with two values).
    let args = [
        "check",
        t,
        "user/alice",
        "chime:ListUsers",
        "--context",
        "k=1",
        "--context",
        "K=2",
    ];
    assert_eq!(run(&args).status, 0);
    let mut limited = args.to_vec();
    limited.extend(["--limit", "context-values=1"]);
    let out = run(&limited);
    assert_eq!((out.status, out.stdout.as_str()), (2, ""));
    assert!(
        out.stderr.contains("more than 1 context values"),
        "{}",
        out.stderr
    );
    let mut limited = args.to_vec();
    limited.extend(["--limit", "context-keys=1"]);
    assert_eq!(run(&limited).status, 0);
}
