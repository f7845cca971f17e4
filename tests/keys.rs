//! The condition-key lints (W0240–W0245) through `verdict lint` and
//! `compile`: each fires on a minimal example, with a location and a hint,
//! and is silent on its fix; their human rendering as an insta snapshot;
//! user catalogs with and without key data; and the AWS managed policies
//! with `--catalog aws`, whose counts per code are a snapshot (AWS's own
//! policies are mostly right: a flood there means a lint is wrong).

use std::collections::BTreeMap;
use std::path::Path;

use crate::cli::{run, TempDir};

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A one-statement IAM JSON policy `p.json` attached by `org.vp`.
fn statement(effect: &str, action: &str, condition: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "org.vp",
            "policy P from \"p.json\"\nuser u { attach P }\n".to_string(),
        ),
        (
            "p.json",
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"{effect}","Action":"{action}","Resource":"*","Condition":{condition}}}]}}"#
            ),
        ),
    ]
}

struct Case {
    code: &'static str,
    catalog: &'static str,
    bad: Vec<(&'static str, String)>,
    fixed: Vec<(&'static str, String)>,
}

fn cases() -> Vec<Case> {
    let vp = |text: &str| vec![("org.vp", text.to_string())];
    vec![
        // The issue's example: Chime defines no condition keys.
        Case {
            code: "W0240",
            catalog: "chime",
            bad: statement(
                "Allow",
                "chime:CreateMeeting",
                r#"{"StringEquals":{"chime:MeetingRegion":"us-east-1"}}"#,
            ),
            fixed: statement(
                "Allow",
                "chime:CreateMeeting",
                r#"{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}"#,
            ),
        },
        // A misspelt key of a service that has keys: did you mean.
        Case {
            code: "W0240",
            catalog: "aws",
            bad: statement(
                "Allow",
                "s3:ListBucket",
                r#"{"StringLike":{"s3:prefixes":"home/*"}}"#,
            ),
            fixed: statement(
                "Allow",
                "s3:ListBucket",
                r#"{"StringLike":{"s3:prefix":"home/*"}}"#,
            ),
        },
        // Chime's ListUsers takes no tags.
        Case {
            code: "W0241",
            catalog: "chime",
            bad: statement(
                "Deny",
                "chime:ListUsers",
                r#"{"StringEquals":{"aws:ResourceTag/team":"blue"}}"#,
            ),
            fixed: statement(
                "Deny",
                "chime:DeleteMeeting",
                r#"{"StringEquals":{"aws:ResourceTag/team":"blue"}}"#,
            ),
        },
        // A service key of another action of the same service.
        Case {
            code: "W0241",
            catalog: "aws",
            bad: statement(
                "Allow",
                "s3:GetObject",
                r#"{"StringLike":{"s3:prefix":"home/*"}}"#,
            ),
            fixed: statement(
                "Allow",
                "s3:ListBucket",
                r#"{"StringLike":{"s3:prefix":"home/*"}}"#,
            ),
        },
        Case {
            code: "W0242",
            catalog: "chime",
            bad: statement(
                "Allow",
                "chime:CreateMeeting",
                r#"{"DateLessThan":{"aws:RequestTag/expiry":"2030-01-01"}}"#,
            ),
            fixed: statement(
                "Allow",
                "chime:CreateMeeting",
                r#"{"StringEquals":{"aws:RequestTag/expiry":"2030-01-01"}}"#,
            ),
        },
        Case {
            code: "W0242",
            catalog: "chime",
            bad: statement(
                "Allow",
                "chime:ListUsers",
                r#"{"Bool":{"aws:MultiFactorAuthAge":"true"}}"#,
            ),
            fixed: statement(
                "Allow",
                "chime:ListUsers",
                r#"{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}"#,
            ),
        },
        Case {
            code: "W0242",
            catalog: "aws",
            bad: statement(
                "Allow",
                "s3:ListBucket",
                r#"{"IpAddress":{"s3:prefix":"10.0.0.0/8"}}"#,
            ),
            fixed: statement(
                "Allow",
                "s3:ListBucket",
                r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#,
            ),
        },
        Case {
            code: "W0243",
            catalog: "chime",
            bad: statement(
                "Allow",
                "chime:CreateMeeting",
                r#"{"StringEquals":{"aws:TagKeys":"team"}}"#,
            ),
            fixed: statement(
                "Allow",
                "chime:CreateMeeting",
                r#"{"ForAnyValue:StringEquals":{"aws:TagKeys":"team"}}"#,
            ),
        },
        Case {
            code: "W0244",
            catalog: "aws",
            bad: statement(
                "Allow",
                "s3:ListBucket",
                r#"{"ForAnyValue:StringLike":{"s3:prefix":"home/*"}}"#,
            ),
            fixed: statement(
                "Allow",
                "s3:ListBucket",
                r#"{"StringLike":{"s3:prefix":"home/*"}}"#,
            ),
        },
        // Trust policies are linted too.
        Case {
            code: "W0243",
            catalog: "chime",
            bad: vp("role R { trust { allow sts:AssumeRole principal aws \"111122223333\" when { StringLike aws:PrincipalOrgPaths = \"o-1/*\" } } }\n"),
            fixed: vp("role R { trust { allow sts:AssumeRole principal aws \"111122223333\" when { ForAnyValue:StringLike aws:PrincipalOrgPaths = \"o-1/*\" } } }\n"),
        },
        // Chime uses no service roles; its service-linked role is fine.
        Case {
            code: "W0245",
            catalog: "chime",
            bad: vp("role R { trust service voiceconnector.chime.amazonaws.com }\n"),
            fixed: vp("service-linked-role AWSServiceRoleForAmazonChimeVoiceConnector {\n  service voiceconnector.chime.amazonaws.com\n}\n"),
        },
    ]
}

fn lint(files: &[(&str, String)], extra: &[&str]) -> (TempDir, crate::cli::Output) {
    lint_as("short", files, extra)
}

fn lint_as(
    format: &str,
    files: &[(&str, String)],
    extra: &[&str],
) -> (TempDir, crate::cli::Output) {
    let dir = TempDir::new();
    for (name, text) in files {
        dir.write(name, text);
    }
    let input = dir.path(files[0].0);
    let mut args = vec!["lint", s(&input), "--message-format", format];
    args.extend_from_slice(extra);
    let out = run(&args);
    (dir, out)
}

#[test]
fn each_key_lint_fires_on_its_example_and_not_on_the_fixed_version() {
    for case in cases() {
        let tag = format!("warning[{}]", case.code);
        let (_dir, bad) = lint(&case.bad, &["--catalog", case.catalog]);
        let line = bad
            .stdout
            .lines()
            .find(|l| l.contains(&tag))
            .unwrap_or_else(|| panic!("{} does not fire: {}", case.code, bad.stdout));
        assert!(
            line.contains("p.json:1:") || line.contains("org.vp:"),
            "{}: no location: {line}",
            case.code
        );
        assert!(line.contains("(help: "), "{}: no hint: {line}", case.code);
        let (_dir, fixed) = lint(&case.fixed, &["--catalog", case.catalog, "--deny-warnings"]);
        assert_eq!(
            (fixed.status, fixed.stdout.as_str()),
            (0, ""),
            "{}: the fixed version has findings",
            case.code
        );
    }
}

#[test]
fn key_lints_locate_the_key_and_say_what_never_in_a_request_means() {
    let mut text = String::new();
    for case in cases() {
        let (dir, out) = lint_as("human", &case.bad, &["--catalog", case.catalog]);
        let root = s(&dir.path("")).to_string();
        text.push_str(&format!("--- {} ({})\n", case.code, case.catalog));
        text.push_str(
            &out.stdout
                .replace(&root, "<dir>/")
                .replace("<dir>//", "<dir>/"),
        );
    }
    insta::assert_snapshot!("key_lints_human", text);
}

#[test]
fn absent_key_consequences_follow_the_operator_and_the_effect() {
    let labels = |effect: &str, condition: &str| {
        let (_dir, out) = lint_as(
            "json",
            &statement(effect, "chime:CreateMeeting", condition),
            &["--catalog", "chime"],
        );
        let line = out
            .stdout
            .lines()
            .find(|l| l.contains("W0240"))
            .unwrap_or_default()
            .to_string();
        line
    };
    let never_allow = labels("Allow", r#"{"StringEquals":{"chime:X":"a"}}"#);
    assert!(
        never_allow.contains("never holds and the Allow never applies"),
        "{never_allow}"
    );
    let never_deny = labels("Deny", r#"{"ForAnyValue:StringEquals":{"chime:X":"a"}}"#);
    assert!(
        never_deny.contains("never holds and the Deny never applies"),
        "{never_deny}"
    );
    for always in [
        r#"{"StringEqualsIfExists":{"chime:X":"a"}}"#,
        r#"{"StringNotEquals":{"chime:X":"a"}}"#,
        r#"{"ForAllValues:StringEquals":{"chime:X":"a"}}"#,
        r#"{"Null":{"chime:X":"true"}}"#,
    ] {
        let deny = labels("Deny", always);
        assert!(
            deny.contains("always holds") && deny.contains("the Deny applies to every request"),
            "{always}: {deny}"
        );
    }
    let null_false = labels("Allow", r#"{"Null":{"chime:X":"false"}}"#);
    assert!(null_false.contains("never holds"), "{null_false}");
}

#[test]
fn compile_reports_key_lints_and_deny_warnings_fails_on_them() {
    let dir = TempDir::new();
    let files = statement(
        "Allow",
        "chime:CreateMeeting",
        r#"{"StringEquals":{"chime:MeetingRegion":"us-east-1"}}"#,
    );
    for (name, text) in &files {
        dir.write(name, text);
    }
    let table = dir.path("t.vdt");
    let input = dir.path("org.vp");
    let args = [
        "compile",
        s(&input),
        "-o",
        s(&table),
        "--message-format",
        "short",
    ];
    let out = run(&args);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(out.stderr.contains("warning[W0240]"), "{}", out.stderr);
    let mut strict = args.to_vec();
    strict.push("--deny-warnings");
    assert_eq!(run(&strict).status, 1);
}

#[test]
fn user_catalogs_without_key_data_get_no_key_lints_and_with_it_do() {
    let dir = TempDir::new();
    dir.write(
        "old.tsv",
        "chime:CreateMeeting\tWrite\nchime:ListUsers\tList\n",
    );
    dir.write(
        "new.tsv",
        "chime:CreateMeeting\tWrite\nchime:ListUsers\tList\nservice\tchime\nkey\taws:RequestTag/${TagKey}\tString\naction\tCreateMeeting\t0\n",
    );
    let files = statement(
        "Allow",
        "chime:ListUsers",
        r#"{"StringEquals":{"chime:MeetingRegion":"x","aws:RequestTag/t":"y"}}"#,
    );
    for (name, text) in &files {
        dir.write(name, text);
    }
    let lint_with = |catalog: &str| {
        run(&[
            "lint",
            s(&dir.path("org.vp")),
            "--catalog",
            s(&dir.path(catalog)),
            "--message-format",
            "short",
        ])
    };
    let old = lint_with("old.tsv");
    assert_eq!(
        (old.status, old.stdout.as_str()),
        (0, ""),
        "keys unknown: no key lints"
    );
    let new = lint_with("new.tsv");
    let codes: Vec<&str> = new
        .stdout
        .lines()
        .filter_map(|l| l.split("warning[").nth(1)?.get(..5))
        .collect();
    assert_eq!(codes, ["W0240", "W0241"], "{}", new.stdout);
}

/// Every AWS managed policy of the corpus, each in its own file, linted with
/// `--catalog aws`: the number of findings of each key lint.
#[test]
fn managed_policies_give_few_key_findings() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/test_data/aws-managed/all.jsonl"
    ))
    .expect("test data");
    let dir = TempDir::new();
    let mut inputs = Vec::new();
    for line in text.lines() {
        let meta: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let name = meta["name"].as_str().expect("name");
        let doc = match &meta["document"] {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        inputs.push(dir.write(&format!("{name}.json"), &doc));
    }
    assert_eq!(inputs.len(), 1594);
    let mut args = vec!["lint", "--catalog", "aws", "--message-format", "short"];
    args.extend(inputs.iter().map(|p| s(p)));
    let out = run(&args);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for line in out.stdout.lines() {
        if let Some(code) = line.split("warning[").nth(1).and_then(|r| r.get(..5)) {
            if ("W0240"..="W0245").contains(&code) {
                *counts.entry(code).or_default() += 1;
            }
        }
    }
    insta::assert_debug_snapshot!("key_lints_managed_counts", counts);
    assert!(counts.values().sum::<usize>() < 80, "{counts:?}");
}
