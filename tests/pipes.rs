//! verdict in pipes and co-processes, with the real binary: `check --batch -`
//! answers each line before the next is written, and a closed standard output
//! (`| head -1`, EPIPE) ends every command quietly with the status its result
//! gives.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::cli::{run, TempDir};

const BIN: &str = env!("CARGO_BIN_EXE_verdict");

/// Long enough for any command of these tests on a loaded machine; only
/// there so that a broken test fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(120);

const ORG: &str = r#"policy Read {
  allow chime:List*, chime:Get*
}
policy Admin {
  allow chime:*
  deny chime:DeleteAccount
}
policy Office {
  allow chime:CreateMeeting when { IpAddress aws:SourceIp = "10.0.0.0/8" }
}
group Support { attach Read, Office }
user alice { member Support  attach Admin }
user bob { member Support }
role Bot { attach Read }
"#;

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// ORG and a variant (`after.vp`: bob becomes an admin) in a fresh folder,
/// ORG compiled with `--explain` into `t.vdt`.
fn org() -> (TempDir, PathBuf) {
    let dir = TempDir::new();
    let src = dir.write("org.vp", ORG);
    dir.write(
        "after.vp",
        &ORG.replace("user bob { member Support }", "user bob { attach Admin }"),
    );
    let table = dir.path("t.vdt");
    let out = run(&["compile", "--explain", s(&src), "-o", s(&table)]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    (dir, table)
}

/// Waits for `child` at most [`DEADLINE`], killing it after; its exit code.
fn wait(mut child: Child, what: &str) -> i32 {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Reads standard error to its end on a thread of its own (so a full pipe
/// never blocks the child).
fn collect(mut stream: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stream.read_to_string(&mut text);
        text
    })
}

#[test]
fn batch_answers_each_line_before_the_next_is_written() {
    let (_dir, table) = org();
    let mut child = Command::new(BIN)
        .args(["check", s(&table), "--batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = collect(child.stderr.take().unwrap());
    let (lines, answers) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines.send(line.unwrap()).is_err() {
                return;
            }
        }
    });
    let requests = [
        (
            r#"{"principal":"user/alice","action":"chime:ListUsers"}"#,
            "allow",
        ),
        (
            r#"{"principal":"user/alice","action":"chime:DeleteAccount"}"#,
            "deny",
        ),
        (
            r#"{"principal":"user/bob","action":"chime:CreateMeeting","context":{"aws:SourceIp":"10.1.2.3"}}"#,
            "allow",
        ),
        (
            r#"{"principal":"user/bob","action":"chime:CreateMeeting"}"#,
            "implicit-deny",
        ),
        (
            r#"{"principal":"user/nobody","action":"chime:ListUsers"}"#,
            "error",
        ),
    ];
    for (request, decision) in requests {
        // One line, then wait for its answer with standard input still open:
        // a batch that buffered its answers would never send it.
        writeln!(stdin, "{request}").unwrap();
        stdin.flush().unwrap();
        let answer = match answers.recv_timeout(DEADLINE) {
            Ok(answer) => answer,
            Err(why) => {
                let _ = child.kill();
                panic!("no answer to {request} ({why})");
            }
        };
        let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(answer["decision"], decision, "{request} → {answer}");
    }
    drop(stdin);
    assert_eq!(wait(child, "batch"), 0);
    assert!(
        answers.recv_timeout(DEADLINE).is_err(),
        "an answer too many"
    );
    assert_eq!(stderr.join().unwrap(), "");
}

/// Runs `args` with a standard output whose reader is already closed, so
/// that every write fails with EPIPE, and `stdin` as standard input; the
/// exit code and standard error.
fn with_closed_stdout(args: &[&str], stdin: &str) -> (i32, String) {
    // A pipe whose only reader is gone: the standard input of a process
    // that exits without reading it (Rust opens pipes close-on-exec, so this
    // process holds no read end).
    let mut reader = Command::new(BIN)
        .arg("--version")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let writer = reader.stdin.take().unwrap();
    assert_eq!(wait(reader, "verdict --version"), 0);
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = collect(child.stderr.take().unwrap());
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_string();
    // The child may stop reading early: a failed write is expected then.
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(stdin.as_bytes());
    });
    let code = wait(child, &args.join(" "));
    feeder.join().unwrap();
    (code, stderr.join().unwrap())
}

#[test]
fn a_closed_standard_output_ends_every_command_quietly() {
    let (dir, table) = org();
    let t = s(&table);
    let before = dir.path("org.vp");
    let after = dir.path("after.vp");
    let batch: String =
        r#"{"principal":"user/alice","action":"chime:ListUsers"}"#.to_string() + "\n";
    let batch = batch.repeat(10_000);
    let mut cases: Vec<(Vec<&str>, &str, i32)> = vec![
        (vec!["check", t, "--batch", "-"], batch.as_str(), 0),
        (vec!["check", t, "user/alice", "chime:ListUsers"], "", 0),
        (vec!["check", t, "user/alice", "chime:DeleteAccount"], "", 1),
        (vec!["inspect", t], "", 0),
        (vec!["who-can", t, "chime:ListUsers"], "", 0),
        (vec!["who-can", t, "chime:ListUsers", "--via-roles"], "", 0),
        (vec!["what-can", t, "user/alice"], "", 0),
        (vec!["diff", s(&before), s(&after)], "", 0),
        (
            vec!["diff", s(&before), s(&after), "--format", "json"],
            "",
            0,
        ),
        (vec!["reach", t, "user/alice", "chime:ListUsers"], "", 0),
        (vec!["explain", t, "user/alice", "chime:ListUsers"], "", 0),
        (vec!["lint", s(&before)], "", 0),
        (vec!["fmt", "-"], ORG, 0),
        (vec!["convert", "--to", "json", s(&before), "--all"], "", 0),
        (vec!["bench", t, "--checks", "2000"], "", 0),
        (
            vec!["bench", "--generate", "--users", "50", "-o", "-"],
            "",
            0,
        ),
        (vec!["--help"], "", 0),
    ];
    for format in ["csv", "json", "dot", "html"] {
        cases.push((vec!["export", t, "--format", format], "", 0));
    }
    cases.push((
        vec!["export", t, "--format", "csv", "--layout", "wide"],
        "",
        0,
    ));
    // A gate keeps its verdict: the change it fails on is known before any
    // output, and a closed pipe must not turn a failing gate into a pass.
    cases.push((
        vec!["diff", s(&before), s(&after), "--fail-on", "gained"],
        "",
        1,
    ));
    for (args, stdin, expected) in cases {
        let (code, stderr) = with_closed_stdout(&args, stdin);
        let stderr: Vec<&str> = stderr
            .lines()
            .filter(|l| {
                !l.starts_with("verdict diff: failing on")
                    && !l.starts_with("lint: ")
                    && !l.starts_with("note: ")
            })
            .collect();
        assert_eq!(
            (code, stderr),
            (expected, Vec::<&str>::new()),
            "verdict {}",
            args.join(" ")
        );
    }
}

/// `verdict export … | head -1`: the reader takes one line and goes away
/// while verdict still has megabytes to write.
#[test]
fn export_into_head_stops_at_the_closed_pipe() {
    let dir = TempDir::new();
    let src = dir.path("big.vp");
    let out = run(&["bench", "--generate", "--users", "3000", "-o", s(&src)]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let table = dir.path("big.vdt");
    let out = run(&["compile", "-q", s(&src), "-o", s(&table)]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let mut child = Command::new(BIN)
        .args(["export", s(&table), "--format", "csv", "--layout", "wide"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = collect(child.stderr.take().unwrap());
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.starts_with("principal,"), "{first}");
    drop(stdout);
    assert_eq!(wait(child, "export | head -1"), 0);
    assert_eq!(stderr.join().unwrap(), "");
    // The whole export is far larger than any pipe buffer, so verdict did
    // meet the closed pipe.
    let whole = run(&["export", s(&table), "--format", "csv", "--layout", "wide"]);
    assert!(whole.stdout.len() > 4 << 20, "{}", whole.stdout.len());
}
