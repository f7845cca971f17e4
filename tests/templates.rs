//! CloudFormation templates through the CLI: the committed CDK synth output
//! compiles without errors, a CDK change that adds an admin grant fails
//! `diff --fail-on gained` with `explain` pointing into the template, the
//! `examples/cloudformation` template and its change, `--parameter` and
//! `--account`, and the diagnostics of a template (YAML line and column).

use crate::cli::{run, TempDir};

fn example(path: &str) -> String {
    format!("{}/examples/{path}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_cdk_templates_compile_without_errors() {
    let dir = TempDir::new();
    for template in [
        "cdk/bucket-reader/BucketReader.template.json",
        "cdk/chime-ops/before.template.json",
        "cdk/chime-ops/after.template.json",
    ] {
        let table = dir.path("t.vt");
        let out = run(&[
            "compile",
            "--message-format",
            "short",
            "--cfn-template",
            &example(template),
            "-o",
            table.to_str().unwrap(),
        ]);
        assert_eq!(out.status, 0, "{template}: {}", out.stderr);
        assert!(!out.stderr.contains("error["), "{template}: {}", out.stderr);
    }
}

#[test]
fn a_cdk_admin_grant_fails_the_gate_with_the_template_line() {
    let before = example("cdk/chime-ops/before.template.json");
    let after = example("cdk/chime-ops/after.template.json");
    let out = run(&["diff", &before, &after, "--fail-on", "gained"]);
    assert_eq!(out.status, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("role/chime-ops gains"),
        "{}",
        out.stdout
    );
    // The same templates the other way round gain nothing.
    let out = run(&["diff", &after, &before, "--fail-on", "gained"]);
    assert_eq!(out.status, 0, "{}{}", out.stdout, out.stderr);

    let dir = TempDir::new();
    let table = dir.path("after.vt");
    let out = run(&[
        "compile",
        "--explain",
        &after,
        "-o",
        table.to_str().unwrap(),
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let out = run(&[
        "explain",
        table.to_str().unwrap(),
        "role/chime-ops",
        "chime:DeleteAccount",
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    // The statement `{"Action": "*", ...}` the change added, by its line.
    let text = std::fs::read_to_string(&after).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("\"Action\": \"*\""))
        .expect("the admin statement");
    // The statement's object opens on the line before its first key.
    let at = format!("after.template.json:{line}");
    assert!(out.stdout.contains(&at), "{at} in {}", out.stdout);
}

#[test]
fn the_cloudformation_example_compiles_and_its_change_is_gated() {
    let team = example("cloudformation/team.yaml");
    let dir = TempDir::new();
    let table = dir.path("team.vt");
    let out = run(&[
        "compile",
        "--cfn-template",
        &team,
        "--account",
        "111122223333",
        "--parameter",
        "Stage=prod",
        "-o",
        table.to_str().unwrap(),
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let check = |principal: &str, action: &str| {
        let out = run(&["check", table.to_str().unwrap(), principal, action]);
        out.stdout.trim().to_string()
    };
    assert_eq!(check("user/olga", "chime:ListUsers"), "allow");
    assert_eq!(check("role/chime-ops-prod", "chime:UpdateUser"), "allow");
    // Stage=prod narrows the role to two actions (`Fn::If`).
    assert_eq!(
        check("role/chime-ops-prod", "chime:CreateAccount"),
        "implicit-deny"
    );
    // The boundary's Deny.
    assert_eq!(check("role/chime-ops-prod", "chime:DeleteAccount"), "deny");
    let change = example("cloudformation/team.change.yaml");
    let out = run(&["diff", &team, &change, "--fail-on", "gained"]);
    assert_eq!(out.status, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("chime:DeleteAccount (conditional)"),
        "{}",
        out.stdout
    );
}

#[test]
fn bad_template_options_are_usage_errors() {
    let team = example("cloudformation/team.yaml");
    let out = run(&[
        "compile",
        "--cfn-template",
        &team,
        "--parameter",
        "Stage",
        "-o",
        "x.vt",
    ]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr
            .contains("invalid `--parameter Stage`: expected NAME=VALUE"),
        "{}",
        out.stderr
    );
    let out = run(&[
        "compile",
        "--cfn-template",
        &team,
        "--account",
        "12345",
        "-o",
        "x.vt",
    ]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("an account ID is 12 digits"),
        "{}",
        out.stderr
    );
}

#[test]
fn template_diagnostics_point_at_yaml_lines_and_columns() {
    let dir = TempDir::new();
    let template = dir.write(
        "t.yaml",
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n  Reader:\n    Type: AWS::IAM::User\n    Properties:\n      Policies:\n        - PolicyName: read\n          PolicyDocument:\n            Version: 2012-10-17\n            Statement:\n              - Effect: Allow\n                Action: !Sub 's3:${Bucket}'\n                Resource: !GetAtt Bucket.Arn\n",
    );
    let out = run(&[
        "lint",
        "--message-format",
        "short",
        template.to_str().unwrap(),
    ]);
    assert_eq!(out.status, 1);
    let root = dir.path("");
    let text = format!("{}{}", out.stdout, out.stderr).replace(root.to_str().unwrap(), "<dir>/");
    insta::assert_snapshot!("template_diagnostics_short", text);
}
