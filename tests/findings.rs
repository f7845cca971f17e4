//! `verdict audit` through `verdict::run`: findings of a small AWS
//! organisation (text snapshot, JSON listing all), `--fail-on`, suppressions
//! files, baselines written and read back, pragmas accepting findings, the
//! `W0406` lint in `lint`, and the shipped example passing
//! `compile --deny-warnings` with its W0404 accepted by a pragma.

use std::path::Path;

use crate::cli::{run, TempDir};

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Admins, an escalation through Lambda, a chain to an admin role, and a
/// guarded `iam:PassRole`.
const ORG: &str = r#"account "111122223333"
policy Admin { allow * }
policy Hop { allow sts:AssumeRole }
policy Lambda { allow iam:PassRole, lambda:CreateFunction, lambda:InvokeFunction }
policy GuardedLambda {
  allow iam:PassRole when { StringEquals iam:PassedToService = lambda.amazonaws.com }
  allow lambda:CreateFunction, lambda:InvokeFunction
}
policy Read { allow s3:ListAllMyBuckets }
user boss { attach Admin }
user dev { attach Hop }
user builder { attach Lambda }
user careful { attach GuardedLambda }
user reader { attach Read }
role Top { attach Admin  trust user dev }
"#;

fn audit(dir: &TempDir, args: &[&str]) -> crate::cli::Output {
    let org = dir.path("org.vp");
    if !org.exists() {
        dir.write("org.vp", ORG);
    }
    let mut all = vec!["audit", s(&org), "--catalog", "aws"];
    all.extend_from_slice(args);
    run(&all)
}

#[test]
fn audit_text_is_a_bounded_summary() {
    let dir = TempDir::new();
    let out = audit(&dir, &["--top", "4"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let text = out.stdout.replace(s(&dir.path("org.vp")), "org.vp");
    insta::assert_snapshot!("audit_text", text);
    assert!(text.contains("more finding(s); --format json lists every one"));
}

#[test]
fn audit_json_lists_every_finding_with_its_principals() {
    let dir = TempDir::new();
    let out = audit(&dir, &["--format", "json"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("one JSON document");
    let findings = doc["findings"].as_array().expect("findings");
    assert_eq!(
        findings.len() as u64,
        doc["findings_total"].as_u64().unwrap()
    );
    let with = |code: &str, method: &str| -> Vec<&serde_json::Value> {
        findings
            .iter()
            .filter(|f| f["code"] == code && f["method"] == method)
            .collect()
    };
    let lambda = with("F0001", "pass-role-lambda-invoke");
    let builder = lambda
        .iter()
        .find(|f| f["principals"] == serde_json::json!(["user/builder"]))
        .expect("builder's Lambda escalation");
    assert_eq!(builder["guarded"], false);
    assert_eq!(builder["severity"], "high");
    assert_eq!(
        builder["actions"],
        serde_json::json!([
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:InvokeFunction"
        ])
    );
    let careful = lambda
        .iter()
        .find(|f| f["principals"] == serde_json::json!(["user/careful"]))
        .expect("careful's guarded Lambda escalation");
    assert_eq!(careful["guarded"], true);
    assert_eq!(careful["severity"], "medium");
    let chain = with("F0003", "assume-role-chain");
    assert_eq!(chain.len(), 1, "{chain:?}");
    assert_eq!(
        chain[0]["chain"],
        serde_json::json!(["user/dev", "role/Top"])
    );
    let admins: Vec<&serde_json::Value> = with("F0002", "full-access")
        .into_iter()
        .flat_map(|f| f["principals"].as_array().unwrap())
        .collect();
    assert!(
        admins.contains(&&serde_json::json!("user/boss")),
        "{admins:?}"
    );
    assert!(
        admins.contains(&&serde_json::json!("role/Top")),
        "{admins:?}"
    );
    // The reader has nothing that matters.
    assert!(
        !findings.iter().any(|f| f["principals"]
            .as_array()
            .unwrap()
            .contains(&"user/reader".into())
            && f["code"] != "F0013"),
        "{findings:?}"
    );
}

#[test]
fn fail_on_and_suppressions() {
    let dir = TempDir::new();
    assert_eq!(
        audit(&dir, &["--fail-on", "privilege-escalation"]).status,
        1
    );
    assert_eq!(audit(&dir, &["--fail-on", "F0003"]).status, 1);
    // Accept the chain and both admins' findings: no critical finding is left.
    dir.write(
        "s.json",
        r#"{"suppressions": [
            {"code": "F0003", "principal": "user/dev", "reason": "dev is on call"},
            {"code": "F0002", "reason": "break-glass principals"}
        ]}"#,
    );
    let suppressions = dir.path("s.json");
    let out = audit(
        &dir,
        &["--fail-on", "critical", "--suppressions", s(&suppressions)],
    );
    assert_eq!(out.status, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("suppressed"), "{}", out.stdout);
    // Without a reason, or with an unknown field: an error.
    for bad in [
        r#"[{"code": "F0003"}]"#,
        r#"[{"code": "F0003", "reason": " "}]"#,
        r#"[{"code": "F0003", "reason": "r", "princpal": "user/dev"}]"#,
        r#"[{"code": "X9999", "reason": "r"}]"#,
    ] {
        dir.write("bad.json", bad);
        let out = audit(&dir, &["--suppressions", s(&dir.path("bad.json"))]);
        assert_eq!(out.status, 2, "{bad}: {}", out.stderr);
    }
}

#[test]
fn a_baseline_gates_only_on_new_findings() {
    let dir = TempDir::new();
    let baseline = dir.path("baseline.json");
    let out = audit(&dir, &["--write-baseline", s(&baseline)]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(&baseline).unwrap();
    assert!(
        text.contains(
            r#""code":"F0001","method":"pass-role-lambda-invoke","principal":"user/builder""#
        ),
        "{text}"
    );
    // Stable: the same inputs write the same baseline.
    let again = dir.path("again.json");
    audit(&dir, &["--write-baseline", s(&again)]);
    assert_eq!(std::fs::read_to_string(&again).unwrap(), text);
    let out = audit(&dir, &["--fail-on", "info", "--baseline", s(&baseline)]);
    assert_eq!(out.status, 0, "{}{}", out.stdout, out.stderr);
    // A new escalation: the reader gets the Lambda policy.
    dir.write(
        "org.vp",
        &ORG.replace(
            "user reader { attach Read }",
            "user reader { attach Read, Lambda }",
        ),
    );
    let out = audit(
        &dir,
        &[
            "--fail-on",
            "privilege-escalation",
            "--baseline",
            s(&baseline),
        ],
    );
    assert_eq!(out.status, 1, "{}", out.stdout);
    let out = audit(&dir, &["--format", "json", "--baseline", s(&baseline)]);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let new: Vec<&serde_json::Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["new"] == true)
        .collect();
    assert!(!new.is_empty());
    assert!(
        new.iter().all(|f| f["principals"]
            .as_array()
            .unwrap()
            .contains(&"user/reader".into())),
        "{new:?}"
    );
    // A damaged baseline is an error.
    dir.write("damaged.json", r#"{"findings": []}"#);
    assert_eq!(
        audit(&dir, &["--baseline", s(&dir.path("damaged.json"))]).status,
        2
    );
}

#[test]
fn pragmas_accept_findings_of_their_principal() {
    let dir = TempDir::new();
    dir.write(
        "org.vp",
        &ORG.replace(
            "user dev { attach Hop }",
            "# verdict: allow F0003 \"dev runs the deploys\"\nuser dev { attach Hop }",
        ),
    );
    assert_eq!(audit(&dir, &["--fail-on", "F0003"]).status, 0);
    dir.write(
        "org.vp",
        &ORG.replace(
            "user dev { attach Hop }",
            "# verdict: allow F0003\nuser dev { attach Hop }",
        ),
    );
    let out = audit(&dir, &[]);
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(out.stderr.contains("E0130"), "{}", out.stderr);
}

#[test]
fn lint_reports_a_policy_that_alone_escalates() {
    let dir = TempDir::new();
    let org = dir.write("org.vp", ORG);
    let out = run(&[
        "lint",
        s(&org),
        "--catalog",
        "aws",
        "--message-format",
        "short",
    ]);
    let w0406: Vec<&str> = out.stdout.lines().filter(|l| l.contains("W0406")).collect();
    assert_eq!(w0406.len(), 2, "{}", out.stdout);
    assert!(
        w0406.iter().any(|l| l.contains(
            "policy `Lambda` alone grants privilege escalation `pass-role-lambda-invoke`"
        )),
        "{w0406:?}"
    );
    assert!(
        w0406
            .iter()
            .any(|l| l.contains("policy `Admin` alone grants ")
                && l.contains(" privilege-escalation methods: ")),
        "{w0406:?}"
    );
    // Fixed: PassRole only for Lambda's own roles.
    let fixed = ORG.replace(
        "policy Lambda { allow iam:PassRole, lambda:CreateFunction, lambda:InvokeFunction }",
        "policy Lambda {\n  allow iam:PassRole on arn:aws:iam::111122223333:role/lambda-*\n  allow lambda:CreateFunction, lambda:InvokeFunction\n}",
    );
    let org = dir.write("fixed.vp", &fixed);
    let out = run(&[
        "lint",
        s(&org),
        "--catalog",
        "aws",
        "--message-format",
        "short",
    ]);
    assert!(
        !out.stdout.contains("policy `Lambda` alone"),
        "{}",
        out.stdout
    );
}

#[test]
fn the_example_passes_deny_warnings_with_its_finding_accepted() {
    let dir = TempDir::new();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/chime-org.vp");
    let out = run(&[
        "compile",
        example,
        "--deny-warnings",
        "-o",
        s(&dir.path("t.vdt")),
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    // The pragma is what accepts it: without it the warning is back.
    let text = std::fs::read_to_string(example).unwrap();
    assert!(text.contains("# verdict: allow W0404 \""));
    let policies = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/policies");
    let bare: String = text
        .lines()
        .filter(|l| !l.starts_with("# verdict:"))
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .replace(" from policies/", &format!(" from {policies}/"));
    let src = dir.write("bare.vp", &bare);
    let out = run(&[
        "compile",
        s(&src),
        "--deny-warnings",
        "-o",
        s(&dir.path("u.vdt")),
    ]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(out.stderr.contains("W0404"), "{}", out.stderr);
}
