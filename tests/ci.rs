//! The CI examples of `examples/ci/` run as a pipeline would run them: the
//! `verdict` command lines of the GitHub Actions workflow and of the GitLab
//! CI job are extracted (with the values of their `env:` / `variables:`
//! blocks), and run with the real binary on the before/after pair of
//! `examples/ci/` laid out as a checkout (`POLICIES` the head,
//! `.verdict-base/POLICIES` the base). Every gate must fail (exit status
//! 1, saying why) on the pair and pass on an unchanged head, every other
//! command must succeed, and every file the pipeline reads afterwards
//! (`sarif_file`, `--body-file`, `body@`, `hashFiles`, artifact paths) must
//! be there.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use crate::cli::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_verdict");

fn example(path: &str) -> String {
    let path = format!("{}/examples/ci/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The `KEY: value` lines of the `env:` or `variables:` blocks.
fn variables(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut block: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if trimmed == "env:" || trimmed == "variables:" {
            block = Some(indent);
            continue;
        }
        let Some(at) = block else { continue };
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if indent <= at {
            block = None;
            continue;
        }
        if let Some((key, value)) = trimmed.split_once(": ") {
            let value = value.trim().trim_matches('"').to_string();
            if !key.contains(' ') && !value.contains("${{") {
                out.insert(key.to_string(), value);
            }
        }
    }
    out
}

/// The `verdict …` command lines (a `run:` line, a line of a `run: |`
/// block, a `script:` item).
fn commands(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .map(|l| l.strip_prefix("- ").unwrap_or(l))
        .map(|l| l.strip_prefix("run: ").unwrap_or(l))
        .filter(|l| l.starts_with("verdict "))
        .map(str::to_string)
        .collect()
}

/// The files the pipeline reads after the commands ran.
fn consumed(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut paths_block: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if let Some(at) = paths_block {
            if indent > at && !trimmed.is_empty() {
                let item = trimmed.strip_prefix("- ").unwrap_or(trimmed);
                if !item.ends_with('/') {
                    out.insert(item.to_string());
                }
                continue;
            }
            paths_block = None;
        }
        if trimmed == "paths:" || trimmed == "path: |" {
            paths_block = Some(indent);
        }
        if let Some(file) = trimmed.strip_prefix("sarif_file: ") {
            out.insert(file.to_string());
        }
        for marker in ["--body-file ", "body@", "hashFiles('"] {
            for (i, _) in trimmed.match_indices(marker) {
                let rest = &trimmed[i + marker.len()..];
                let end = rest
                    .find(|c: char| c.is_whitespace() || c == '\'' || c == '"')
                    .unwrap_or(rest.len());
                out.insert(rest[..end].to_string());
            }
        }
    }
    out
}

/// A command line as the shell would split it, up to the first `||`,
/// `&&`, `;` or `|`: its words (quotes removed, `$VAR`/`${VAR}` expanded
/// outside single quotes) and the file of a `>` redirection.
fn split(line: &str, vars: &BTreeMap<String, String>) -> (Vec<String>, Option<String>) {
    let mut words: Vec<String> = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars().peekable();
    let (mut single, mut double) = (false, false);
    while let Some(c) = chars.next() {
        match c {
            '\'' if !double => {
                single = !single;
                word.get_or_insert_with(String::new);
            }
            '"' if !single => {
                double = !double;
                word.get_or_insert_with(String::new);
            }
            '$' if !single => {
                let braced = chars.peek() == Some(&'{');
                if braced {
                    chars.next();
                }
                let mut name = String::new();
                while let Some(&n) = chars.peek() {
                    if n.is_ascii_alphanumeric() || n == '_' {
                        name.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                if braced {
                    assert_eq!(chars.next(), Some('}'), "{line}");
                }
                let value = vars
                    .get(&name)
                    .unwrap_or_else(|| panic!("`${name}` has no value in {line}"));
                word.get_or_insert_with(String::new).push_str(value);
            }
            c if c.is_whitespace() && !single && !double => {
                words.extend(word.take());
            }
            '|' | '&' | ';' if !single && !double => break,
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word.take());
    let mut redirect = None;
    if let Some(at) = words.iter().position(|w| w == ">") {
        redirect = words.get(at + 1).cloned();
        words.truncate(at);
    }
    (words, redirect)
}

fn is_gate(words: &[String]) -> bool {
    let has = |flag: &str| words.iter().any(|w| w == flag);
    match words.get(1).map(String::as_str) {
        Some("diff") => has("--fail-on"),
        Some("who-can" | "what-can") => has("--fail-if-any"),
        _ => false,
    }
}

/// Runs the pipeline `file` on a checkout whose base is `before.vp` and
/// whose head is `head`; `changed` says whether the gates must fail.
fn run_pipeline(file: &str, head: &str, changed: bool) {
    let text = example(file);
    let vars = variables(&text);
    let policies = vars
        .get("POLICIES")
        .unwrap_or_else(|| panic!("{file}: no POLICIES"));
    let dir = TempDir::new();
    let root = dir.path("");
    let write = |path: &Path, text: &str| {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        &root.join(".verdict-base").join(policies),
        &example("before.vp"),
    );
    write(&root.join(policies), &example(head));
    let lines = commands(&text);
    assert!(lines.len() >= 5, "{file}: {lines:?}");
    let mut gates = 0;
    for line in &lines {
        let (words, redirect) = split(line, &vars);
        assert_eq!(words[0], "verdict", "{line}");
        let mut command = Command::new(BIN);
        command.args(&words[1..]).current_dir(&root);
        let out = command.output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        if let Some(file) = redirect {
            std::fs::write(root.join(file), out.stdout.as_slice()).unwrap();
        }
        let status = out.status.code().unwrap();
        let expected = i32::from(is_gate(&words) && changed);
        assert_eq!(
            status, expected,
            "{file}, head {head}: {line}\n{stdout}{stderr}"
        );
        if is_gate(&words) {
            gates += 1;
            if changed {
                assert!(stderr.contains("failing"), "{line}: {stderr}");
            }
        }
    }
    assert!(gates >= 2, "{file}: the diff and an access gate");
    for needed in consumed(&text) {
        let path = root.join(&needed);
        let size = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{file}: `{needed}` is read but not written: {e}"))
            .len();
        assert!(size > 0, "{file}: `{needed}` is empty");
    }
    let diff = std::fs::read_to_string(root.join("verdict-diff.md")).unwrap();
    assert!(diff.starts_with("### verdict diff"), "{diff}");
    assert_eq!(diff.contains("`role/Deployer`"), changed, "{diff}");
}

#[test]
fn the_github_workflow_runs_on_the_example_pair() {
    run_pipeline("github/verdict.yml", "after.vp", true);
    run_pipeline("github/verdict.yml", "before.vp", false);
}

#[test]
fn the_gitlab_job_runs_on_the_example_pair() {
    run_pipeline("gitlab/.gitlab-ci.yml", "after.vp", true);
    run_pipeline("gitlab/.gitlab-ci.yml", "before.vp", false);
}

#[test]
fn the_extraction_reads_what_the_files_say() {
    let github = example("github/verdict.yml");
    let vars = variables(&github);
    assert_eq!(vars["POLICIES"], "policies/org.vp");
    assert_eq!(vars["CATALOG"], "aws");
    let needed = consumed(&github);
    for file in ["verdict.sarif", "verdict-diff.md", "head.vdt"] {
        assert!(needed.contains(file), "{needed:?}");
    }
    let (words, redirect) = split(
        "verdict who-can t.vdt 'iam:*' --except \"$CATALOG/x\" > out.txt || status=$?",
        &vars,
    );
    assert_eq!(
        words,
        ["verdict", "who-can", "t.vdt", "iam:*", "--except", "aws/x"]
    );
    assert_eq!(redirect.as_deref(), Some("out.txt"));
    let gitlab = example("gitlab/.gitlab-ci.yml");
    assert!(consumed(&gitlab).contains("verdict.sarif"));
    assert_eq!(variables(&gitlab)["CATALOG"], "aws");
}
