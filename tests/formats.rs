//! The machine formats CI reads: SARIF 2.1.0 (validated against the
//! published schema for every registered code, from real inputs for the
//! codes of [`FIRING`], and from `verdict audit`), GitHub workflow commands
//! and their escaping, the JSON of `check`, `inspect`, `fmt --check` and
//! `version`, and the completion scripts and manual page.
//!
//! With `VERDICT_SARIF_DIR` set, the SARIF logs made here are left in that
//! folder, for `.ci/run` to give to the SARIF Multitool's `validate`.

// why: tests may panic
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::OnceLock;

use serde_json::Value;
use verdict::sarif;
use verdict_compiler::{codes, findings, Diagnostic, SourceMap};
use verdict_grammar::Span;

use crate::cli::{run, run_with_stdin, TempDir};

const SCHEMA: &str = include_str!("test_data/sarif/sarif-schema-2.1.0.json");
const SCHEMA_ID: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

fn schema() -> &'static (boon::Schemas, boon::SchemaIndex) {
    static COMPILED: OnceLock<(boon::Schemas, boon::SchemaIndex)> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler
            .add_resource(SCHEMA_ID, serde_json::from_str(SCHEMA).unwrap())
            .unwrap();
        let index = compiler.compile(SCHEMA_ID, &mut schemas).unwrap();
        (schemas, index)
    })
}

/// Panics with the schema's complaint unless `log` is valid SARIF 2.1.0;
/// leaves it in `$VERDICT_SARIF_DIR/NAME.sarif` when that is set.
fn assert_valid(log: &Value, name: &str) {
    let (schemas, index) = schema();
    if let Err(err) = schemas.validate(log, *index) {
        panic!("{name}: not valid SARIF 2.1.0: {err:#}\n{log:#}");
    }
    if let Some(dir) = std::env::var_os("VERDICT_SARIF_DIR") {
        let path = std::path::Path::new(&dir).join(format!("{name}.sarif"));
        std::fs::write(path, format!("{log:#}")).unwrap();
    }
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().unwrap()
}

#[test]
fn the_schema_rejects_what_is_not_sarif() {
    // The validator is live: a wrong level and a line 0 are refused.
    let mut sources = SourceMap::default();
    let file = sources.add("a.vp", "policy p {}\n");
    let d = Diagnostic::warning(codes::W0405, "x").at(file, Span::new(0, 6), "here");
    let mut log = sarif::diagnostics_log(&sources, &[d], &sarif::Base::default());
    let (schemas, index) = schema();
    assert!(schemas.validate(&log, *index).is_ok());
    log["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(schemas.validate(&log, *index).is_err());
    log["runs"][0]["results"][0]["level"] = "warning".into();
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(schemas.validate(&log, *index).is_err());
}

#[test]
fn every_registered_code_makes_valid_sarif_with_its_rule() {
    // A diagnostic of each code of the registry and each finding code, with
    // a primary label, two related ones (one in another file) and help.
    let mut all: Vec<(&str, bool)> = codes::ALL
        .iter()
        .map(|c| (c.code, c.severity == verdict_compiler::Severity::Error))
        .collect();
    all.extend(findings::CODES.iter().map(|(c, _, _)| (*c, false)));
    let text = "policy p {\n  allow chime:ListUsers\n}\nuser é { attach p }\n";
    for (code, error) in all {
        let mut sources = SourceMap::default();
        let a = sources.add("policies/a b.vp", text);
        let b = sources.add("other,file.json", "{\"Statement\": []}");
        let d = if error {
            Diagnostic::error(code, format!("message of {code}"))
        } else {
            Diagnostic::warning(code, format!("message of {code}"))
        }
        .at(a, Span::new(19, 34), "the primary place")
        .with_related(a, Span::new(42, 44), "a related place")
        .with_related(b, Span::new(1, 12), "in another file")
        .with_help("a help text");
        let log = sarif::diagnostics_log(&sources, &[d], &sarif::Base::default());
        assert_valid(&log, &format!("code-{code}"));
        let result = &results(&log)[0];
        assert_eq!(result["ruleId"], code);
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        let rule = &log["runs"][0]["tool"]["driver"]["rules"][index];
        assert_eq!(rule["id"], code);
        let level = if error { "error" } else { "warning" };
        assert_eq!(rule["defaultConfiguration"]["level"], level);
        assert_eq!(result["level"], level);
        assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (
                &region["startLine"],
                &region["startColumn"],
                &region["endLine"],
                &region["endColumn"]
            ),
            (&2.into(), &9.into(), &2.into(), &24.into()),
            "{code}"
        );
        // `é` is one code point: the column after it is 7.
        let related = &result["relatedLocations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (&related["startColumn"], &related["endColumn"]),
            (&6.into(), &7.into())
        );
        assert_eq!(
            result["relatedLocations"][1]["physicalLocation"]["artifactLocation"]["uri"],
            "other%2Cfile.json"
        );
        assert!(result["message"]["text"]
            .as_str()
            .unwrap()
            .contains("a help text"));
    }
}

/// Minimal inputs (file name, text) that make a code fire, run through
/// `verdict lint --message-format sarif`.
const FIRING: &[(&str, &str, &str)] = &[
    (codes::E0001, "a.vp", "policy p {\n  allow\n"),
    (
        codes::E0105,
        "p.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Maybe\", \"Action\": \"chime:ListUsers\", \"Resource\": \"*\"}]}",
    ),
    (codes::E0201, "a.vp", "user alice { attach Nope }\n"),
    (
        codes::E0202,
        "a.vp",
        "policy p { allow chime:ListUsers }\npolicy p { allow chime:GetUser }\nuser u { attach p }\n",
    ),
    (
        codes::W0201,
        "a.vp",
        "policy p {\n  allow chime:ListUserz\n}\nuser alice { attach p }\n",
    ),
    (
        codes::W0404,
        "admin.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}",
    ),
    (
        codes::W0402,
        "na.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"NotAction\": \"chime:DeleteAccount\", \"Resource\": \"*\"}]}",
    ),
    (
        codes::W0405,
        "a.vp",
        "policy unused { allow chime:ListUsers }\nuser u {}\n",
    ),
];

#[test]
fn lint_sarif_from_real_inputs_is_valid_and_names_the_code() {
    for (code, name, text) in FIRING {
        let dir = TempDir::new();
        let path = dir.write(name, text);
        let out = run(&["lint", path.to_str().unwrap(), "--message-format", "sarif"]);
        assert_ne!(out.status, 2, "{code}: {}", out.stderr);
        let log: Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("{code}: not one JSON document ({e}): {}", out.stdout));
        assert_valid(&log, &format!("lint-{code}"));
        let fired: Vec<&Value> = results(&log)
            .iter()
            .filter(|r| r["ruleId"] == *code)
            .collect();
        assert!(!fired.is_empty(), "{code} did not fire: {}", out.stdout);
        let location = &fired[0]["locations"][0]["physicalLocation"];
        assert!(location["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with(name));
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
    }
}

#[test]
fn compile_sarif_is_one_document_even_when_it_fails() {
    let dir = TempDir::new();
    let path = dir.write("a.vp", "user alice { attach Nope }\n");
    let table = dir.path("t.vdt");
    let out = run(&[
        "--message-format",
        "sarif",
        "compile",
        path.to_str().unwrap(),
        "-o",
        table.to_str().unwrap(),
    ]);
    assert_eq!(out.status, 1);
    let log: Value = serde_json::from_str(&out.stderr).unwrap();
    assert_valid(&log, "compile-E0201");
    assert_eq!(results(&log)[0]["ruleId"], codes::E0201);
    // A plain error is a log of a failed invocation.
    let out = run(&[
        "--message-format",
        "sarif",
        "compile",
        "missing.vp",
        "--limit",
        "nope=1",
        "-o",
        "x",
    ]);
    assert_eq!(out.status, 2);
    let log: Value = serde_json::from_str(&out.stderr).unwrap();
    assert_valid(&log, "compile-usage-error");
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
}

#[test]
fn fingerprints_survive_unrelated_lines_moving() {
    let before = "policy p {\n  allow chime:ListUserz\n}\nuser alice { attach p }\n";
    let after = "// a comment\n\npolicy q { allow chime:GetUser }\nuser bob { attach q }\npolicy p {\n  allow chime:ListUserz\n}\nuser alice { attach p }\n";
    // The same file, before and after an edit.
    let dir = TempDir::new();
    let print = |text: &str| {
        let path = dir.write("a.vp", text);
        let out = run(&["lint", path.to_str().unwrap(), "--message-format", "sarif"]);
        let log: Value = serde_json::from_str(&out.stdout).unwrap();
        let r = results(&log)
            .iter()
            .find(|r| r["ruleId"] == codes::W0201)
            .cloned()
            .unwrap();
        (
            r["partialFingerprints"][sarif::FINGERPRINT_KEY].clone(),
            r["locations"][0]["physicalLocation"]["region"]["startLine"].clone(),
        )
    };
    let (a, line_a) = print(before);
    let (b, line_b) = print(after);
    assert_ne!(line_a, line_b, "the result moved");
    assert_eq!(a, b, "and kept its fingerprint");
    let (c, _) = print(&before.replace("ListUserz", "ListUzers"));
    assert_ne!(a, c, "another action is another result");
}

#[test]
fn audit_sarif_is_valid_with_a_result_per_finding() {
    let root = env!("CARGO_MANIFEST_DIR");
    let input = format!("{root}/tests/test_data/audit/after.vp");
    let catalog = format!("{root}/tests/test_data/audit/mini-catalog.tsv");
    let json = run(&["audit", &input, "--catalog", &catalog, "--format", "json"]);
    let sarif_out = run(&["audit", &input, "--catalog", &catalog, "--format", "sarif"]);
    assert_eq!(sarif_out.status, 0, "{}", sarif_out.stderr);
    let log: Value = serde_json::from_str(&sarif_out.stdout).unwrap();
    assert_valid(&log, "audit");
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    let listed = report["findings"].as_array().unwrap();
    assert!(!listed.is_empty(), "the example has findings");
    assert_eq!(results(&log).len(), listed.len());
    for (result, finding) in results(&log).iter().zip(listed) {
        assert_eq!(result["ruleId"], finding["code"]);
        assert!(result["ruleId"].as_str().unwrap().starts_with('F'));
        assert!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("after.vp")
        );
    }
    let prints: std::collections::HashSet<String> = results(&log)
        .iter()
        .map(|r| r["partialFingerprints"][sarif::FINGERPRINT_KEY].to_string())
        .collect();
    assert_eq!(prints.len(), listed.len(), "fingerprints are distinct");
}

#[test]
fn github_annotations_escape_hostile_messages_and_paths() {
    assert_eq!(
        verdict::render::github_data("100% done\r\nnext: a,b"),
        "100%25 done%0D%0Anext: a,b"
    );
    assert_eq!(
        verdict::render::github_property("dir:a,b/100%\nx.vp"),
        "dir%3Aa%2Cb/100%25%0Ax.vp"
    );
    let mut sources = SourceMap::default();
    let file = sources.add("evil,title=X::y%\n.vp", "policy p {}\n");
    let d = Diagnostic::error(codes::E0201, "unknown `a::b`\n::error::forged 50%")
        .at(file, Span::new(7, 8), "here")
        .with_help("fix, then: retry");
    let line = verdict::render::github(&sources, &d);
    assert_eq!(
        line,
        "::error file=evil%2Ctitle=X%3A%3Ay%25%0A.vp,line=1,col=8,endLine=1,endColumn=9,title=E0201::\
         unknown `a::b`%0A::error::forged 50%25 (help: fix, then: retry)"
    );
    assert_eq!(line.lines().count(), 1, "one command, no forged second one");
    // Through the CLI, on a real file.
    let dir = TempDir::new();
    let path = dir.write(
        "a.vp",
        "policy p {\n  allow chime:ListUserz\n}\nuser u { attach p }\n",
    );
    let out = run(&["lint", path.to_str().unwrap(), "--message-format", "github"]);
    assert!(
        out.stdout
            .contains(",line=2,col=9,endLine=2,endColumn=24,title=W0201::unknown action"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.starts_with("::warning file="));
    let out = run(&["--message-format", "github", "inspect", "missing.vdt"]);
    assert_eq!(out.status, 2);
    assert!(out.stderr.starts_with("::error::"), "{}", out.stderr);
}

const ORG: &str = "policy Read { allow chime:List* }\nuser alice { attach Read }\n";

#[test]
fn check_inspect_fmt_and_version_print_json() {
    let dir = TempDir::new();
    let src = dir.write("org.vp", ORG);
    let table = dir.path("t.vdt");
    let t = table.to_str().unwrap();
    assert_eq!(run(&["compile", src.to_str().unwrap(), "-o", t]).status, 0);

    let out = run(&[
        "check",
        t,
        "user/alice",
        "chime:listusers",
        "--format",
        "json",
    ]);
    assert_eq!(out.status, 0);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["decision"], "allow");
    assert_eq!(v["action"], "chime:ListUsers");
    let out = run(&[
        "check",
        t,
        "user/alice",
        "chime:DeleteAccount",
        "--format",
        "json",
    ]);
    assert_eq!(out.status, 1);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["decision"], "implicit-deny");

    let out = run(&["inspect", t, "--format", "json"]);
    assert_eq!(out.status, 0);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["principals_total"], 1);
    assert_eq!(v["principals"][0]["name"], "user/alice");
    assert_eq!(v["format_version"], verdict_runtime::FORMAT_VERSION);
    assert!(v["cells"]["allow"].as_u64().unwrap() > 0);
    let summary = run(&["inspect", t, "--format", "json", "--show", "summary"]);
    let s: Value = serde_json::from_str(&summary.stdout).unwrap();
    assert!(s.get("principals").is_none() && s["row_classes"] == v["row_classes"]);

    let tidy = run_with_stdin(&["fmt", "-"], ORG).stdout;
    let messy = dir.write("messy.vp", "policy  Read {allow chime:List*}\n");
    let clean = dir.write("clean.vp", &tidy);
    let out = run(&[
        "fmt",
        "--check",
        "--format",
        "json",
        messy.to_str().unwrap(),
        clean.to_str().unwrap(),
    ]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["would_change"], true);
    assert_eq!(v["files"][0]["changed"], true);
    assert_eq!(v["files"][1]["changed"], false);
    assert_eq!(
        std::fs::read_to_string(&messy).unwrap(),
        "policy  Read {allow chime:List*}\n",
        "--check writes nothing"
    );
    assert_eq!(
        run(&["fmt", "--format", "json", messy.to_str().unwrap()]).status,
        2,
        "json needs --check"
    );

    let out = run(&["version", "--format", "json"]);
    assert_eq!(out.status, 0);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["table_format_version"], verdict_runtime::FORMAT_VERSION);
    assert!(!v["build"]["rustc"].as_str().unwrap().is_empty());
}

/// The subcommands, as `verdict --help` lists them.
fn subcommands() -> Vec<String> {
    let help = run(&["--help"]).stdout;
    let list: Vec<String> = help
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| *w != "help")
        .map(str::to_owned)
        .collect();
    assert!(
        list.len() > 15 && list.contains(&"who-can".to_owned()),
        "{list:?}"
    );
    list
}

#[test]
fn completion_scripts_know_every_command_and_bash_accepts_its_own() {
    let commands = subcommands();
    for shell in ["bash", "zsh", "fish"] {
        let out = run(&["completions", shell]);
        assert_eq!(out.status, 0, "{}", out.stderr);
        for command in &commands {
            assert!(
                out.stdout.contains(command.as_str()),
                "{shell}: no `{command}`"
            );
        }
    }
    let script = run(&["completions", "bash"]).stdout;
    assert!(script.contains("--message-format") && script.contains("sarif"));
    match std::process::Command::new("bash")
        .arg("-n")
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        Ok(mut child) => {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(script.as_bytes())
                .unwrap();
            let done = child.wait_with_output().unwrap();
            assert!(
                done.status.success(),
                "bash -n: {}",
                String::from_utf8_lossy(&done.stderr)
            );
        }
        Err(e) => panic!("bash is needed for this test: {e}"),
    }
    assert_eq!(run(&["completions", "tcsh"]).status, 2);
}

#[test]
fn the_man_page_documents_every_command_and_the_exit_statuses() {
    let out = run(&["man"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let page = out.stdout;
    assert!(page.starts_with(".ie") || page.starts_with(".TH"), "roff");
    assert!(page.contains(".TH verdict 1"));
    for command in subcommands() {
        let roff_name = command.replace('-', "\\-");
        assert!(
            page.contains(&format!(".SS \"verdict {roff_name}\"")),
            "no section for `{command}`"
        );
        assert!(
            page.contains(&format!("\\fBverdict {roff_name}\\fR")),
            "no exit status for `{command}`"
        );
    }
    let exit = page
        .split(".SH \"EXIT STATUS\"")
        .nth(1)
        .expect("an EXIT STATUS section");
    assert!(
        exit.contains("0 allow, 1 deny or implicit"),
        "check's statuses"
    );
    assert!(
        exit.contains("1 a \\-\\-fail\\-on condition matched"),
        "diff's and audit's"
    );
    // No line a roff reader would take for a request it does not know.
    for line in page.lines() {
        if let Some(rest) = line.strip_prefix('.') {
            let request = rest.split_whitespace().next().unwrap_or("");
            assert!(
                [
                    "TH", "SH", "SS", "TP", "PP", "ie", "el", "B", "IP", "RS", "RE", "br", "sp",
                    "nf", "fi", "in"
                ]
                .contains(&request),
                "unexpected roff request: {line}"
            );
        }
    }
}
