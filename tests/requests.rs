//! Bounded requests: the default limits on resources and context values
//! (`RequestLimits`), fail closed in `check_with` and visible in
//! `try_check_with` and in batch lines; and long patterns against long
//! resources and values (where the runtime matches by segments) against the
//! reference evaluator.

use proptest::prelude::*;
use verdict_runtime::{Context, ContextValue, Decision, Request, RequestLimits};

use crate::cli::{run, run_with_stdin, TempDir};
use crate::props::cases;
use crate::support::{compile_ok, decide_with, mixed_catalog};

const ORG: &str = r#"policy P {
  allow s3:GetObject on "arn:aws:s3:::bucket/*"
  allow s3:GetObjectAcl
  allow iam:GetUser when { StringLike aws:RequestTag/team = "a*" }
}
user alice { attach P }
"#;

fn arn(len: usize) -> String {
    let prefix = "arn:aws:s3:::bucket/";
    prefix.to_string() + &"k".repeat(len - prefix.len())
}

#[test]
fn check_with_denies_requests_over_the_default_limits_and_try_check_with_says_why() {
    let out = compile_ok(&[("org.vp", ORG)], mixed_catalog());
    let table = out.table.as_ref().unwrap();
    let alice = table.principal("user/alice").unwrap();
    let get = table.action("s3:GetObject").unwrap();
    let acl = table.action("s3:GetObjectAcl").unwrap();
    let user = table.action("iam:GetUser").unwrap();
    let defaults = RequestLimits::default();
    assert_eq!(defaults.resource_bytes, 4096);
    let empty = Context::new();
    let at = |resource, context| Request { resource, context };
    // At the limit: answered; one byte over: denied, even on a cell that
    // allows every request (s3:GetObjectAcl on `*`).
    let longest = arn(defaults.resource_bytes);
    let too_long = arn(defaults.resource_bytes + 1);
    assert_eq!(
        table.check_with(alice, get, &at(&longest, &empty)),
        Decision::Allow
    );
    assert_eq!(
        table.check_with(alice, acl, &at(&longest, &empty)),
        Decision::Allow
    );
    for action in [get, acl] {
        assert_eq!(
            table.check_with(alice, action, &at(&too_long, &empty)),
            Decision::Deny
        );
        let why = table
            .try_check_with(alice, action, &at(&too_long, &empty), &defaults)
            .unwrap_err();
        assert_eq!((why.limit_name(), why.limit()), ("resource-bytes", 4096));
        assert_eq!(why.to_string(), "resource longer than 4096 bytes");
    }
    let raised = RequestLimits {
        resource_bytes: 1 << 20,
        ..defaults
    };
    let huge = arn(1 << 20);
    assert_eq!(
        table.try_check_with(alice, get, &at(&huge, &empty), &raised),
        Ok(Decision::Allow)
    );
    // Context values: length, count of values and of keys.
    let value = |len| Context::new().with("aws:RequestTag/team", "a".repeat(len));
    let ok = value(defaults.value_bytes);
    assert_eq!(
        table.check_with(alice, user, &at("*", &ok)),
        Decision::Allow
    );
    let long = value(defaults.value_bytes + 1);
    assert_eq!(
        table.check_with(alice, user, &at("*", &long)),
        Decision::Deny
    );
    let why = table.try_check_with(alice, user, &at("*", &long), &defaults);
    assert_eq!(why.unwrap_err().limit_name(), "value-bytes");
    let many = Context::new().with_multi("aws:TagKeys", vec!["t"; defaults.context_values + 1]);
    let why = table.try_check_with(alice, acl, &at("*", &many), &defaults);
    assert_eq!(why.unwrap_err().limit_name(), "context-values");
    assert_eq!(
        table.check_with(alice, acl, &at("*", &many)),
        Decision::Deny
    );
    let mut keys = Context::new();
    for i in 0..=defaults.context_keys {
        keys.insert(format!("svc:k{i}"), ContextValue::Single("v".into()));
    }
    let why = table.try_check_with(alice, acl, &at("*", &keys), &defaults);
    assert_eq!(why.unwrap_err().limit_name(), "context-keys");
    let long_key = Context::new().with("k".repeat(defaults.value_bytes + 1), "v");
    assert_eq!(
        table.check_with(alice, acl, &at("*", &long_key)),
        Decision::Deny
    );
    // `check` by names uses `*` and no context: never over a limit.
    assert_eq!(
        table.check("user/alice", "s3:GetObjectAcl"),
        Ok(Decision::Allow)
    );
}

#[test]
fn an_over_limit_batch_line_is_an_error_naming_the_limit_and_the_batch_goes_on() {
    let dir = TempDir::new();
    let src = dir.write("org.vp", ORG);
    let catalog = dir.write(
        "catalog.tsv",
        "s3:GetObject\tRead\tobject\ns3:GetObjectAcl\tRead\tobject\niam:GetUser\tRead\tuser\n",
    );
    let table = dir.path("t.vdt");
    let t = table.to_str().unwrap();
    let out = run(&[
        "compile",
        src.to_str().unwrap(),
        "--catalog",
        catalog.to_str().unwrap(),
        "-o",
        t,
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let line = |resource: &str, team: &str| {
        serde_json::json!({
            "principal": "user/alice",
            "action": "s3:GetObject",
            "resource": resource,
            "context": {"aws:RequestTag/team": team},
        })
        .to_string()
            + "\n"
    };
    let input = [
        line(&arn(4096), "a"),
        line(&arn(4097), "a"),
        line(&arn(100), &"a".repeat(4097)),
        line(&arn(100), "a"),
    ]
    .concat();
    let out = run_with_stdin(&["check", t, "--batch", "-"], &input);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let answers: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let decisions: Vec<&str> = answers
        .iter()
        .map(|a| a["decision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["allow", "error", "error", "allow"]);
    assert_eq!(
        answers[1]["error"],
        "resource longer than 4096 bytes (raise with --limit resource-bytes=N)"
    );
    assert_eq!(
        answers[2]["error"],
        "a context key or value longer than 4096 bytes (raise with --limit value-bytes=N)"
    );
    assert_eq!(answers[1]["principal"], "user/alice");
    // Raised, the same lines are answered.
    let out = run_with_stdin(
        &[
            "check",
            t,
            "--batch",
            "-",
            "--limit",
            "resource-bytes=8KiB",
            "--limit",
            "value-bytes=8KiB",
        ],
        &input,
    );
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(!out.stdout.contains("error"), "{}", out.stdout);
    // One check: exit status 2 with the same message.
    let long = arn(4097);
    let out = run(&[
        "check",
        t,
        "user/alice",
        "s3:GetObject",
        "--resource",
        &long,
    ]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("--limit resource-bytes=N"),
        "{}",
        out.stderr
    );
    let out = run(&[
        "check",
        t,
        "user/alice",
        "s3:GetObject",
        "--resource",
        &long,
        "--limit",
        "resource-bytes=4097",
    ]);
    assert_eq!((out.status, out.stdout.as_str()), (0, "allow\n"));
}

/// A wildcard text over a small alphabet, `*` and `?` included.
fn pattern_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec!["a", "b", "ab", "*", "?", "/"]),
        0..max,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), ..ProptestConfig::default() })]

    /// Patterns and texts long enough that the runtime matches by segments
    /// (pattern × text above its threshold): Resource ARNs, StringLike values
    /// and a template repeating a variable, against the reference evaluator.
    #[test]
    fn long_patterns_agree_with_the_reference(
        resource_pattern in pattern_text(150),
        like in pattern_text(150),
        unit in "[ab/]{1,6}",
        repeat in 20usize..120,
        value in "[ab]{0,4}",
        value_repeat in 1usize..150,
    ) {
        let policy = format!(
            "policy P {{\n  allow s3:GetObject on \"arn:aws:s3:::b/{resource_pattern}\"\n  \
             allow iam:GetUser when {{ StringLike aws:RequestTag/team = \"{like}\" }}\n  \
             allow iam:CreateUser on \"arn:aws:iam::1:user/${{aws:RequestTag/team}}*${{aws:RequestTag/team}}\"\n}}\n\
             user alice {{ attach P }}\n"
        );
        let out = compile_ok(&[("org.vp", policy.as_str())], mixed_catalog());
        let catalog = mixed_catalog();
        let key = unit.repeat(repeat);
        let team = value.repeat(value_repeat);
        let context = Context::new().with("aws:RequestTag/team", team.clone());
        let requests = [
            ("s3:GetObject", format!("arn:aws:s3:::b/{key}")),
            ("iam:GetUser", "*".to_string()),
            ("iam:CreateUser", format!("arn:aws:iam::1:user/{team}{key}{team}")),
            ("iam:CreateUser", format!("arn:aws:iam::1:user/{team}{key}")),
        ];
        for (action, resource) in &requests {
            decide_with(&out, &catalog, "user/alice", action, resource, &context);
        }
        // The same value as the StringLike pattern's text.
        let context = Context::new().with("aws:RequestTag/team", key);
        decide_with(&out, &catalog, "user/alice", "iam:GetUser", "*", &context);
    }
}
