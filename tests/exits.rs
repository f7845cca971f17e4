//! The README's exit-status table, row by row: every status it names for a
//! command is reached here by the case it describes, and nothing else.

use std::io::Write;
use std::path::Path;

use crate::cli::{run_with_stdin, TempDir};

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

const ORG: &str = "policy Read { allow chime:List*, chime:Get* }
policy Admin {
  allow chime:*
  deny chime:DeleteAccount
}
user alice { attach Admin }
user bob { attach Read }
role Ops { attach Admin  trust user bob }
";

/// The fixtures of every row: sources, tables, a damaged table, a folder.
struct Files {
    dir: TempDir,
}

impl Files {
    fn new() -> Files {
        let dir = TempDir::new();
        dir.write("org.vp", ORG);
        dir.write("after.vp", &ORG.replace("attach Read }", "attach Admin }"));
        dir.write(
            "warn.vp",
            "policy P { allow chime:ListUser }\nuser a { attach P }\n",
        );
        dir.write("bad.vp", "policy P { allow chime:ListUsers\n");
        dir.write(
            "two.vp",
            "policy P {\n  allow chime:ListUsers\n  allow chime:GetUser\n}\n",
        );
        dir.write("messy.vp", "policy   P {allow chime:ListUsers}\n");
        dir.write("inc.vp", "include \"nothere.vp\"\n");
        dir.write("import.vp", "policy P from \"nothere.json\"\n");
        dir.write(
            "p.json",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"chime:ListUsers","Resource":"*"}]}"#,
        );
        dir.write(
            "noaction.json",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
        );
        dir.write("damaged.vdt", "VERDICT\0 but nothing after the magic");
        std::fs::create_dir(dir.path("folder")).unwrap();
        let files = Files { dir };
        let org = files.path("org.vp");
        for (args, table) in [(vec!["--explain"], "t.vdt"), (vec![], "plain.vdt")] {
            let out = files.run(
                &[
                    &["compile", org.as_str(), "-o", &files.path(table)],
                    &args[..],
                ]
                .concat(),
                "",
            );
            assert_eq!(out, 0, "compile {table}");
        }
        files
    }

    fn path(&self, name: &str) -> String {
        s(&self.dir.path(name)).to_string()
    }

    fn run(&self, args: &[&str], stdin: &str) -> i32 {
        run_with_stdin(args, stdin).status
    }
}

/// One row of the table: the command, then for each case the arguments
/// (`@NAME` is the fixture NAME), standard input and the status.
type Case = (&'static [&'static str], &'static str, i32);

fn check_row(files: &Files, row: &str, cases: &[Case]) {
    for (args, stdin, expected) in cases {
        let args: Vec<String> = args
            .iter()
            .map(|a| match a.strip_prefix('@') {
                Some(name) => files.path(name),
                None => (*a).to_string(),
            })
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run_with_stdin(&args, stdin);
        assert_eq!(
            out.status,
            *expected,
            "{row}: verdict {}\n{}{}",
            args.join(" "),
            out.stdout,
            out.stderr
        );
    }
}

#[test]
fn every_row_of_the_exit_status_table() {
    let f = Files::new();
    check_row(
        &f,
        "compile",
        &[
            (&["compile", "@org.vp", "-o", "@out.vdt"], "", 0),
            (&["compile", "@warn.vp", "-o", "@out.vdt"], "", 0),
            (&["compile", "@bad.vp", "-o", "@out.vdt"], "", 1),
            (
                &["compile", "@warn.vp", "--deny-warnings", "-o", "@out.vdt"],
                "",
                1,
            ),
            (
                &[
                    "compile",
                    "@two.vp",
                    "--limit",
                    "statements=1",
                    "-o",
                    "@x.vdt",
                ],
                "",
                1,
            ),
            (&["compile", "@nothere.vp", "-o", "@x.vdt"], "", 2),
            (&["compile", "@folder", "-o", "@x.vdt"], "", 2),
            (&["compile", "@inc.vp", "-o", "@x.vdt"], "", 2),
            (&["compile", "@import.vp", "-o", "@x.vdt"], "", 2),
            (
                &[
                    "compile",
                    "@org.vp",
                    "--scp",
                    "@nothere.json",
                    "-o",
                    "@x.vdt",
                ],
                "",
                2,
            ),
            (
                &["compile", "--aws-account", "@nothere.json", "-o", "@x.vdt"],
                "",
                2,
            ),
            (
                &[
                    "compile",
                    "@org.vp",
                    "--managed-policies",
                    "@nothere",
                    "-o",
                    "@x.vdt",
                ],
                "",
                2,
            ),
            (
                &[
                    "compile",
                    "@org.vp",
                    "--catalog",
                    "@nothere.tsv",
                    "-o",
                    "@x.vdt",
                ],
                "",
                2,
            ),
            (
                &["compile", "@org.vp", "--limit", "bogus=1", "-o", "@x.vdt"],
                "",
                2,
            ),
            (&["compile", "@org.vp", "-o", "@folder/none/x.vdt"], "", 2),
            (&["compile", "@org.vp"], "", 2),
        ],
    );
    check_row(
        &f,
        "check",
        &[
            (&["check", "@t.vdt", "user/alice", "chime:ListUsers"], "", 0),
            (
                &["check", "@t.vdt", "user/alice", "chime:DeleteAccount"],
                "",
                1,
            ),
            (
                &["check", "@t.vdt", "user/bob", "chime:CreateAccount"],
                "",
                1,
            ),
            (
                &["check", "@t.vdt", "user/nobody", "chime:ListUsers"],
                "",
                2,
            ),
            (&["check", "@t.vdt", "user/alice", "chime:Nothing"], "", 2),
            (
                &["check", "@nothere.vdt", "user/alice", "chime:ListUsers"],
                "",
                2,
            ),
            (
                &["check", "@folder", "user/alice", "chime:ListUsers"],
                "",
                2,
            ),
            (
                &["check", "@damaged.vdt", "user/alice", "chime:ListUsers"],
                "",
                2,
            ),
            (
                &["check", "@org.vp", "user/alice", "chime:ListUsers"],
                "",
                2,
            ),
            (
                &[
                    "check",
                    "@t.vdt",
                    "user/alice",
                    "chime:ListUsers",
                    "--context",
                    "novalue",
                ],
                "",
                2,
            ),
            (
                &[
                    "check",
                    "@t.vdt",
                    "user/alice",
                    "chime:ListUsers",
                    "--context",
                    "a=b",
                    "--limit",
                    "context-keys=0",
                ],
                "",
                2,
            ),
            (&["check", "@t.vdt", "user/alice"], "", 2),
        ],
    );
    check_row(
        &f,
        "check --batch",
        &[
            (
                &["check", "@t.vdt", "--batch", "-"],
                "{\"principal\":\"user/alice\",\"action\":\"chime:ListUsers\"}\nnot json\n\n",
                0,
            ),
            (&["check", "@t.vdt", "--batch", "@nothere.jsonl"], "", 2),
            (&["check", "@t.vdt", "--batch", "@folder"], "", 2),
            (&["check", "@nothere.vdt", "--batch", "-"], "", 2),
            (&["check", "@damaged.vdt", "--batch", "-"], "", 2),
        ],
    );
    check_row(
        &f,
        "inspect",
        &[
            (&["inspect", "@t.vdt"], "", 0),
            (&["inspect", "@nothere.vdt"], "", 2),
            (&["inspect", "@damaged.vdt"], "", 2),
            (&["inspect", "@t.vdt", "--show", "bogus"], "", 2),
        ],
    );
    check_row(
        &f,
        "fmt",
        &[
            (&["fmt", "-"], ORG, 0),
            (&["fmt", "--check", "@two.vp"], "", 0),
            (&["fmt", "--check", "@messy.vp"], "", 1),
            (&["fmt", "--check", "@bad.vp"], "", 2),
            (&["fmt", "@bad.vp"], "", 2),
            (&["fmt", "@nothere.vp"], "", 2),
            (&["fmt", "--check", "@messy.vp", "@nothere.vp"], "", 2),
        ],
    );
    check_row(
        &f,
        "convert",
        &[
            (&["convert", "--to", "dsl", "@p.json"], "", 0),
            (&["convert", "--to", "json", "@two.vp"], "", 0),
            (&["convert", "--to", "json", "@bad.vp"], "", 1),
            (&["convert", "--to", "dsl", "@noaction.json"], "", 1),
            (&["convert", "--to", "json", "@nothere.vp"], "", 2),
            (&["convert", "--to", "dsl", "@org.vp"], "", 2),
            (
                &["convert", "--to", "json", "@org.vp", "--policy", "Nope"],
                "",
                2,
            ),
        ],
    );
    check_row(
        &f,
        "lint",
        &[
            (&["lint", "@org.vp"], "", 0),
            (&["lint", "@warn.vp"], "", 0),
            (&["lint", "@bad.vp"], "", 1),
            (&["lint", "@warn.vp", "--deny-warnings"], "", 1),
            (&["lint", "@nothere.vp"], "", 2),
            (&["lint", "@folder"], "", 2),
            (&["lint", "@inc.vp"], "", 2),
            (&["lint"], "", 2),
            (&["lint", "@org.vp", "--catalog", "@nothere.tsv"], "", 2),
        ],
    );
    check_row(
        &f,
        "diff",
        &[
            (&["diff", "@org.vp", "@after.vp"], "", 0),
            (
                &["diff", "@org.vp", "@after.vp", "--fail-on", "lost"],
                "",
                0,
            ),
            (
                &["diff", "@org.vp", "@after.vp", "--fail-on", "gained"],
                "",
                1,
            ),
            (&["diff", "@t.vdt", "@after.vp", "--fail-on", "any"], "", 1),
            (&["diff", "@nothere.vdt", "@after.vp"], "", 2),
            (&["diff", "@damaged.vdt", "@after.vp"], "", 2),
            (&["diff", "@bad.vp", "@after.vp"], "", 2),
            (
                &["diff", "@org.vp", "@after.vp", "--fail-on", "bogus"],
                "",
                2,
            ),
        ],
    );
    check_row(
        &f,
        "audit",
        &[
            (&["audit", "@org.vp"], "", 0),
            (&["audit", "@t.vdt", "--fail-on", "critical"], "", 0),
            (&["audit", "@t.vdt", "--fail-on", "high"], "", 1),
            (
                &["audit", "@org.vp", "--fail-on", "service-administration"],
                "",
                1,
            ),
            (&["audit", "@nothere.vdt"], "", 2),
            (&["audit", "@damaged.vdt"], "", 2),
            (&["audit", "@bad.vp"], "", 2),
            (&["audit", "@org.vp", "--fail-on", "bogus"], "", 2),
        ],
    );
    check_row(
        &f,
        "reach",
        &[
            (&["reach", "@t.vdt", "user/bob", "chime:ListUsers"], "", 0),
            (
                &["reach", "@t.vdt", "user/bob", "chime:CreateAccount"],
                "",
                0,
            ),
            (
                &["reach", "@t.vdt", "user/alice", "chime:DeleteAccount"],
                "",
                1,
            ),
            (
                &["reach", "@t.vdt", "user/nobody", "chime:ListUsers"],
                "",
                2,
            ),
            (
                &["reach", "@nothere.vdt", "user/bob", "chime:ListUsers"],
                "",
                2,
            ),
        ],
    );
    check_row(
        &f,
        "explain",
        &[
            (
                &["explain", "@t.vdt", "user/alice", "chime:ListUsers"],
                "",
                0,
            ),
            (
                &["explain", "@t.vdt", "user/alice", "chime:DeleteAccount"],
                "",
                1,
            ),
            (
                &["explain", "@t.vdt", "user/bob", "chime:CreateAccount"],
                "",
                1,
            ),
            (
                &["explain", "@plain.vdt", "user/alice", "chime:ListUsers"],
                "",
                2,
            ),
            (
                &["explain", "@t.vdt", "user/nobody", "chime:ListUsers"],
                "",
                2,
            ),
            (
                &["explain", "@damaged.vdt", "user/alice", "chime:ListUsers"],
                "",
                2,
            ),
        ],
    );
    check_row(
        &f,
        "who-can, what-can",
        &[
            (&["who-can", "@t.vdt", "chime:ListUsers"], "", 0),
            (&["who-can", "@t.vdt", "chime:List*"], "", 0),
            (
                &["who-can", "@t.vdt", "chime:DeleteAccount", "--fail-if-any"],
                "",
                0,
            ),
            (
                &[
                    "who-can",
                    "@t.vdt",
                    "chime:CreateMeeting",
                    "--fail-if-any",
                    "--except",
                    "role/*",
                ],
                "",
                1,
            ),
            (
                &[
                    "who-can",
                    "@t.vdt",
                    "chime:CreateMeeting",
                    "--fail-if-any",
                    "--except",
                    "user/alice",
                    "--except",
                    "role/*",
                ],
                "",
                0,
            ),
            (
                &[
                    "what-can",
                    "@t.vdt",
                    "user/bob",
                    "--fail-if-any",
                    "--except",
                    "chime:List*",
                ],
                "",
                1,
            ),
            (&["who-can", "@t.vdt", "chime:Nothing*"], "", 2),
            (&["what-can", "@t.vdt", "group/*"], "", 2),
            (
                &["who-can", "@t.vdt", "chime:ListUsers", "--via-roles"],
                "",
                0,
            ),
            (&["who-can", "@t.vdt", "chime:Nothing"], "", 2),
            (&["who-can", "@nothere.vdt", "chime:ListUsers"], "", 2),
            (&["what-can", "@t.vdt", "user/bob"], "", 0),
            (&["what-can", "@t.vdt", "user/nobody"], "", 2),
            (&["what-can", "@damaged.vdt", "user/bob"], "", 2),
        ],
    );
    check_row(
        &f,
        "export, bench",
        &[
            (&["export", "@t.vdt", "--format", "csv"], "", 0),
            (
                &["export", "@t.vdt", "--format", "html", "-o", "@r.html"],
                "",
                0,
            ),
            (&["export", "@nothere.vdt", "--format", "csv"], "", 2),
            (&["export", "@t.vdt", "--format", "pdf"], "", 2),
            (&["bench", "@t.vdt", "--checks", "1000"], "", 0),
            (&["bench", "--generate", "--users", "20", "-o", "-"], "", 0),
            (&["bench", "@nothere.vdt"], "", 2),
            (&["bench", "@damaged.vdt"], "", 2),
        ],
    );
    check_row(
        &f,
        "--help, --version",
        &[
            (&["--help"], "", 0),
            (&["--version"], "", 0),
            (&["check", "--help"], "", 0),
        ],
    );
    check_row(
        &f,
        "version, completions, man",
        &[
            (&["version"], "", 0),
            (&["version", "--format", "json"], "", 0),
            (&["completions", "zsh"], "", 0),
            (&["man"], "", 0),
            (&["completions", "tcsh"], "", 2),
            (&["version", "--format", "yaml"], "", 2),
        ],
    );
}

/// A standard output that refuses every write with an error other than a
/// closed pipe (a full disk).
struct Full;

impl Write for Full {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other("no space left on device"))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Err(std::io::Error::other("no space left on device"))
    }
}

#[test]
fn a_batch_whose_output_cannot_be_written_exits_2() {
    let f = Files::new();
    let line = "{\"principal\":\"user/alice\",\"action\":\"chime:ListUsers\"}\n";
    let mut stdin = std::io::Cursor::new(line.as_bytes().to_vec());
    let mut stderr = Vec::new();
    let mut io = verdict::Io {
        stdin: &mut stdin,
        stdout: &mut Full,
        stderr: &mut stderr,
        color: false,
        progress: false,
    };
    let table = f.path("t.vdt");
    let status = verdict::run(["verdict", "check", &table, "--batch", "-"], &mut io);
    assert_eq!(status, 2);
    let stderr = String::from_utf8(stderr).unwrap();
    assert!(stderr.contains("no space left on device"), "{stderr}");
}

/// `reach` and `explain` refuse a request over the default request limits
/// (exit status 2, naming the limit), as `check` does, rather than print the
/// runtime's fail-closed `deny`.
#[test]
fn reach_and_explain_refuse_requests_over_the_limits() {
    let f = Files::new();
    let table = f.path("t.vdt");
    let long = format!("aws:RequestTag/team={}", "v".repeat(4097));
    for command in ["reach", "explain", "check"] {
        let args = [
            command,
            &table,
            "user/alice",
            "chime:ListUsers",
            "--context",
            &long,
        ];
        let out = run_with_stdin(&args, "");
        assert_eq!(out.status, 2, "{command}: {}", out.stdout);
        assert!(
            out.stderr.contains("--limit value-bytes=N"),
            "{command}: {}",
            out.stderr
        );
        let at_limit = format!("aws:RequestTag/team={}", "v".repeat(4096));
        let args = [
            command,
            &table,
            "user/alice",
            "chime:ListUsers",
            "--context",
            &at_limit,
        ];
        assert_eq!(run_with_stdin(&args, "").status, 0, "{command}");
    }
}
