//! The CLI contract of DESIGN.md, through `verdict::run`: printed words, exit
//! statuses, batch output, diagnostics (snapshots), atomic output, damaged
//! tables. A few tests run the real binary end to end.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh empty folder under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("verdict-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct Output {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the CLI in-process with `stdin` as standard input.
pub fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut input = std::io::Cursor::new(stdin.as_bytes().to_vec());
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let mut io = verdict::Io {
        stdin: &mut input,
        stdout: &mut stdout,
        stderr: &mut stderr,
        color: false,
        progress: false,
    };
    let mut argv = vec!["verdict"];
    argv.extend_from_slice(args);
    let status = verdict::run(argv, &mut io);
    Output {
        status,
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

pub fn run(args: &[&str]) -> Output {
    run_with_stdin(args, "")
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

const ORG: &str = r#"// test organisation
policy Read {
  allow chime:List*, chime:Get*
}
policy NoDelete {
  deny chime:DeleteAccount
}
policy Admin {
  allow chime:*
}
group Support { attach Read }
user alice { member Support  attach Admin, NoDelete }
user bob { member Support }
role Bot { attach Read }
"#;

/// Compiles ORG into `t.vdt` in a fresh folder.
fn compiled() -> (TempDir, PathBuf) {
    let dir = TempDir::new();
    let src = dir.write("org.vp", ORG);
    let table = dir.path("t.vdt");
    let out = run(&["compile", s(&src), "-o", s(&table)]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    (dir, table)
}

#[test]
fn check_prints_one_word_and_exits_by_decision() {
    let (_dir, table) = compiled();
    let t = s(&table);
    for (principal, action, word, status) in [
        ("user/alice", "chime:CreateMeeting", "allow", 0),
        ("user/alice", "chime:DeleteAccount", "deny", 1),
        ("user/bob", "chime:ListUsers", "allow", 0),
        ("user/bob", "chime:DeleteAccount", "implicit-deny", 1),
        ("role/Bot", "CHIME:LISTUSERS", "allow", 0),
    ] {
        let out = run(&["check", t, principal, action]);
        assert_eq!(
            (out.stdout.as_str(), out.status),
            (format!("{word}\n").as_str(), status),
            "{principal} {action}"
        );
        assert_eq!(out.stderr, "");
    }
}

#[test]
fn check_unknown_names_are_errors_with_status_2() {
    let (_dir, table) = compiled();
    let out = run(&["check", s(&table), "user/mallory", "chime:ListUsers"]);
    assert_eq!(out.status, 2);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("unknown principal `user/mallory`"),
        "{}",
        out.stderr
    );
    let out = run(&["check", s(&table), "user/alice", "chime:ListUser"]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("unknown action `chime:ListUser`"),
        "{}",
        out.stderr
    );
    let out = run(&["check", s(&table), "user/alice", "s3:GetObject"]);
    assert_eq!(out.status, 2);
}

#[test]
fn check_bad_arguments_and_missing_table_exit_2() {
    let out = run(&["check"]);
    assert_eq!(out.status, 2);
    let dir = TempDir::new();
    let out = run(&[
        "check",
        s(&dir.path("missing.vdt")),
        "user/a",
        "chime:ListUsers",
    ]);
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("cannot load table"), "{}", out.stderr);
}

#[test]
fn batch_answers_every_line_in_order_and_survives_bad_lines() {
    let (_dir, table) = compiled();
    let input = concat!(
        r#"{"principal":"user/alice","action":"chime:ListUsers"}"#,
        "\n",
        r#"{"principal":"user/alice","action":"chime:DeleteAccount","resource":"*","context":{"aws:SourceIp":"10.0.0.1","aws:PrincipalTag/team":["a","b"],"n":3,"b":true}}"#,
        "\n",
        "this is not json\n",
        r#"{"principal":"user/nobody","action":"chime:ListUsers"}"#,
        "\n",
        r#"{"principal":"user/bob","action":"chime:DeleteAccount"}"#,
        "\n",
        r#"{"principal":"user/bob"}"#,
        "\n",
        "\n",
        r#"{"principal":"role/Bot","action":"chime:getuser"}"#,
    );
    let out = run_with_stdin(&["check", s(&table), "--batch", "-"], input);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let lines: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 8);
    let decisions: Vec<&str> = lines
        .iter()
        .map(|l| l["decision"].as_str().unwrap())
        .collect();
    assert_eq!(
        decisions,
        [
            "allow",
            "deny",
            "error",
            "error",
            "implicit-deny",
            "error",
            "error",
            "allow"
        ]
    );
    assert_eq!(lines[0]["principal"], "user/alice");
    assert_eq!(lines[0]["action"], "chime:ListUsers");
    assert_eq!(lines[3]["principal"], "user/nobody");
    assert!(lines[3]["error"]
        .as_str()
        .unwrap()
        .contains("unknown principal"));
    assert!(lines[5]["error"].as_str().unwrap().contains("`action`"));
    assert_eq!(lines[7]["action"], "chime:getuser");
}

const CONDITIONAL_ORG: &str = r#"
policy Office {
  allow chime:*
  deny * when { NotIpAddress aws:SourceIp = "10.0.0.0/8" }
  allow s3:GetObject on "arn:aws:s3:::reports/${aws:username}/*"
  allow chime:TagResource when { ForAllValues:StringEquals aws:TagKeys = [team, env] }
}
user alice { attach Office }
"#;

fn compiled_conditional() -> (TempDir, PathBuf) {
    let dir = TempDir::new();
    let src = dir.write("org.vp", CONDITIONAL_ORG);
    let table = dir.path("t.vdt");
    let out = run(&["compile", "--catalog", "aws", s(&src), "-o", s(&table)]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    (dir, table)
}

#[test]
fn check_evaluates_conditional_cells_with_resource_and_context() {
    let (_dir, table) = compiled_conditional();
    let t = s(&table);
    for (args, word) in [
        // No context: aws:SourceIp is absent, NotIpAddress is true (C4): deny.
        (vec!["user/alice", "chime:ListUsers"], "deny"),
        (
            vec![
                "user/alice",
                "chime:ListUsers",
                "--context",
                "aws:SourceIp=10.1.2.3",
            ],
            "allow",
        ),
        (
            vec![
                "user/alice",
                "chime:ListUsers",
                "--context",
                "AWS:SOURCEIP=192.0.2.1",
            ],
            "deny",
        ),
        (
            vec![
                "user/alice",
                "s3:GetObject",
                "--resource",
                "arn:aws:s3:::reports/alice/q3.pdf",
                "--context",
                "aws:SourceIp=10.1.2.3",
            ],
            "allow",
        ),
        (
            vec![
                "user/alice",
                "s3:GetObject",
                "--resource",
                "arn:aws:s3:::reports/bob/q3.pdf",
                "--context",
                "aws:SourceIp=10.1.2.3",
            ],
            "implicit-deny",
        ),
        // A key given twice is multivalued (C7, C16).
        (
            vec![
                "user/alice",
                "chime:TagResource",
                "--context",
                "aws:SourceIp=10.0.0.1",
                "--context",
                "aws:TagKeys=team",
                "--context",
                "aws:TagKeys=owner",
            ],
            "allow",
        ),
    ] {
        let mut full = vec!["check", t];
        full.extend(args.iter().copied());
        let out = run(&full);
        assert_eq!(out.stdout, format!("{word}\n"), "{args:?}: {}", out.stderr);
        assert_eq!(out.status, i32::from(word != "allow"), "{args:?}");
    }
    let out = run(&[
        "check",
        t,
        "user/alice",
        "chime:ListUsers",
        "--context",
        "novalue",
    ]);
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("KEY=VALUE"), "{}", out.stderr);
}

#[test]
fn batch_reads_resource_and_context() {
    let (_dir, table) = compiled_conditional();
    let input = concat!(
        r#"{"principal":"user/alice","action":"chime:ListUsers","context":{"aws:SourceIp":"10.0.0.1"}}"#,
        "\n",
        r#"{"principal":"user/alice","action":"chime:ListUsers","context":{"aws:SourceIp":["10.0.0.1"]}}"#,
        "\n",
        r#"{"principal":"user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::reports/alice/x","context":{"aws:SourceIp":"10.0.0.1"}}"#,
        "\n",
        r#"{"principal":"user/alice","action":"chime:ListUsers","context":{"aws:SourceIp":"10.0.0.1","AWS:SourceIP":"10.0.0.2"}}"#,
        "\n",
    );
    let out = run_with_stdin(&["check", s(&table), "--batch", "-"], input);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let decisions: Vec<String> = out
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["decision"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    // A one-element array is multivalued: NotIpAddress without a set operator
    // is false for it (C7), so the deny does not fire.
    assert_eq!(decisions, ["allow", "allow", "allow", "error"]);
    assert!(out.stdout.contains("given twice"), "{}", out.stdout);
}

#[test]
fn inspect_lists_residual_programs() {
    let (_dir, table) = compiled_conditional();
    let out = run(&["inspect", s(&table)]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(out.stdout.contains("residual programs: "), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("deny if NotIpAddress aws:sourceip [\"10.0.0.0/8\"]"),
        "{}",
        out.stdout
    );
}

#[test]
fn batch_from_a_file() {
    let (dir, table) = compiled();
    let batch = dir.write(
        "req.jsonl",
        "{\"principal\":\"user/bob\",\"action\":\"chime:ListUsers\"}\n",
    );
    let out = run(&["check", s(&table), "--batch", s(&batch)]);
    assert_eq!(out.status, 0);
    assert_eq!(
        out.stdout,
        "{\"principal\":\"user/bob\",\"action\":\"chime:ListUsers\",\"decision\":\"allow\"}\n"
    );
}

#[test]
fn compile_errors_exit_1_and_write_nothing() {
    let dir = TempDir::new();
    let src = dir.write(
        "bad.vp",
        "policy P { allow chime:ListUsers }\nuser alice { attach Q }\n",
    );
    let table = dir.path("t.vdt");
    let out = run(&[
        "compile",
        s(&src),
        "-o",
        s(&table),
        "--message-format",
        "short",
    ]);
    assert_eq!(out.status, 1);
    assert!(!table.exists());
    assert!(
        out.stderr
            .contains("bad.vp:2:21: error[E0201]: unknown policy `Q`"),
        "{}",
        out.stderr
    );
}

#[test]
fn failed_compile_leaves_the_previous_table_untouched() {
    let (dir, table) = compiled();
    let before = std::fs::read(&table).unwrap();
    let src = dir.write("bad.vp", "user alice { attach Missing }\n");
    let out = run(&["compile", s(&src), "-o", s(&table)]);
    assert_eq!(out.status, 1);
    assert_eq!(std::fs::read(&table).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path(""))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert!(
        leftovers
            .iter()
            .all(|n| !n.to_string_lossy().contains(".tmp")),
        "{leftovers:?}"
    );
}

#[test]
fn diagnostics_in_json_are_one_object_per_line() {
    let dir = TempDir::new();
    let src = dir.write(
        "bad.vp",
        "policy P { allow chime:ListUser }\nuser alice { attach P, Q }\n",
    );
    let out = run(&[
        "compile",
        s(&src),
        "-o",
        s(&dir.path("t.vdt")),
        "--message-format",
        "json",
    ]);
    assert_eq!(out.status, 1);
    let lines: Vec<serde_json::Value> = out
        .stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let warning = lines
        .iter()
        .find(|l| l["code"] == "W0201")
        .expect("unknown-action warning");
    assert_eq!(warning["severity"], "warning");
    assert_eq!(warning["primary"]["line"], 1);
    assert_eq!(warning["primary"]["column"], 18);
    assert_eq!(warning["help"], "did you mean `chime:ListUsers`?");
    let error = lines
        .iter()
        .find(|l| l["code"] == "E0201")
        .expect("unknown-policy error");
    assert_eq!(error["primary"]["line"], 2);
    assert_eq!(error["message"], "unknown policy `Q`");
}

#[test]
fn human_diagnostics_snapshot() {
    let dir = TempDir::new();
    let src = dir.write(
        "org.vp",
        "policy P {\n  allow chime:ListUser\n}\nuser alice { attach P, Admn }\npolicy Admin { allow chime:* }\n",
    );
    let out = run(&[
        "compile",
        "--message-format",
        "human",
        s(&src),
        "-o",
        s(&dir.path("t.vdt")),
    ]);
    assert_eq!(out.status, 1);
    let text = out.stderr.replace(s(&src), "org.vp");
    insta::assert_snapshot!("human_diagnostics", text);
}

#[test]
fn json_policy_diagnostics_point_into_the_imported_file() {
    let dir = TempDir::new();
    dir.write("p.json", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"allow\", \"Action\": \"chime:*\", \"Resource\": \"*\"}]\n}\n");
    let src = dir.write(
        "org.vp",
        "policy P from \"p.json\"\nuser alice { attach P }\n",
    );
    let out = run(&[
        "compile",
        s(&src),
        "-o",
        s(&dir.path("t.vdt")),
        "--message-format",
        "short",
    ]);
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .contains("p.json:3:28: error[E0105]: invalid effect `allow`"),
        "{}",
        out.stderr
    );
}

#[test]
fn damaged_tables_are_rejected_with_status_2() {
    let (dir, table) = compiled();
    let bytes = std::fs::read(&table).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", bytes[..bytes.len() / 2].to_vec()),
        ("flipped", {
            let mut b = bytes.clone();
            let i = b.len() - 3;
            b[i] ^= 0x40;
            b
        }),
        ("magic", {
            let mut b = bytes.clone();
            b[0] = b'X';
            b
        }),
        ("version", {
            let mut b = bytes.clone();
            b[12] = 99;
            b
        }),
        ("empty", Vec::new()),
    ];
    for (name, damaged) in cases {
        let path = dir.path(&format!("{name}.vdt"));
        std::fs::write(&path, &damaged).unwrap();
        let out = run(&["check", s(&path), "user/alice", "chime:ListUsers"]);
        assert_eq!(out.status, 2, "{name}");
        assert_eq!(out.stdout, "", "{name}");
        assert!(
            out.stderr.starts_with("error: cannot load table"),
            "{name}: {}",
            out.stderr
        );
        let out = run(&["inspect", s(&path)]);
        assert_eq!(out.status, 2, "{name}");
    }
}

#[test]
fn inspect_reports_the_table() {
    let (_dir, table) = compiled();
    let out = run(&["inspect", s(&table)]);
    assert_eq!(out.status, 0);
    assert!(out.stdout.contains("format version: 4"), "{}", out.stdout);
    assert!(out.stdout.contains("catalog: chime (316 actions)"));
    assert!(out.stdout.contains("principals: 3"));
    assert!(
        out.stdout.contains("row classes: 2"),
        "bob and role/Bot share a row"
    );
    assert!(out.stdout.contains("user/alice"));
    assert!(out.stdout.contains("chime:ListUsers"));
    assert!(out.stdout.contains("class grid"));
    // Two rows of a handful of column classes: dense beats block references.
    assert!(
        out.stdout
            .contains("grid storage: dense, one block per row class ("),
        "{}",
        out.stdout
    );
}

#[test]
fn the_example_compiles_and_answers() {
    let dir = TempDir::new();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/chime-org.vp");
    let table = dir.path("org.vdt");
    let out = run(&["compile", example, "-o", s(&table)]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let t = s(&table);
    assert_eq!(
        run(&["check", t, "user/alice", "chime:CreateAccount"]).stdout,
        "allow\n"
    );
    assert_eq!(
        run(&["check", t, "user/alice", "chime:DeleteAccount"]).stdout,
        "deny\n"
    );
    assert_eq!(
        run(&["check", t, "user/ines", "chime:ListUsers"]).stdout,
        "allow\n"
    );
    assert_eq!(
        run(&["check", t, "user/ines", "chime:UpdateUser"]).stdout,
        "implicit-deny\n"
    );
    assert_eq!(
        run(&["check", t, "role/MeetingBot", "chime:CreateMeeting"]).stdout,
        "allow\n"
    );
    // The service-linked roles have their real AWS managed policies.
    assert_eq!(
        run(&[
            "check",
            t,
            "role/AWSServiceRoleForAmazonChimeVoiceConnector",
            "chime:GetVoiceConnectorStreamingConfiguration"
        ])
        .stdout,
        "allow\n"
    );
    assert_eq!(
        run(&[
            "check",
            t,
            "role/AWSServiceRoleForAmazonChimeSDKMediaPipelines",
            "chime:CreateAttendee"
        ])
        .stdout,
        "allow\n"
    );
    assert_eq!(
        run(&[
            "check",
            t,
            "role/AWSServiceRoleForAmazonChimeSDKMediaPipelines",
            "chime:DeleteMeeting"
        ])
        .stdout,
        "implicit-deny\n"
    );
    assert_eq!(
        run(&["check", t, "role/MeetingBot", "chime:ListUsers"]).stdout,
        "implicit-deny\n"
    );
}

#[test]
fn the_real_binary_runs_end_to_end() {
    let dir = TempDir::new();
    let src = dir.write("org.vp", ORG);
    let table = dir.path("t.vdt");
    let bin = env!("CARGO_BIN_EXE_verdict");
    let status = std::process::Command::new(bin)
        .args(["compile", s(&src), "-o", s(&table)])
        .status()
        .unwrap();
    assert!(status.success());
    let out = std::process::Command::new(bin)
        .args(["check", s(&table), "user/bob", "chime:DeleteAccount"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "implicit-deny\n");
    let mut child = std::process::Command::new(bin)
        .args(["check", s(&table), "--batch", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(
            stdin,
            r#"{{"principal":"user/alice","action":"chime:ListUsers"}}"#
        )
        .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "{\"principal\":\"user/alice\",\"action\":\"chime:ListUsers\",\"decision\":\"allow\"}\n"
    );
}
