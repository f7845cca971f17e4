//! AWS account dumps (`get-account-authorization-details`) compiled end to
//! end: default policy versions, inline and attached policies, groups,
//! boundaries, ARN aliases, and located errors for malformed dumps.

use verdict_compiler::{compile, Catalog, Config, Input, MemoryLoader};

use crate::support::decide;

const ACCOUNT: &str = include_str!("test_data/dumps/account.json");

fn compile_dump(text: &str) -> verdict_compiler::Compilation {
    let mut files = MemoryLoader::default();
    files.insert("account.json", text);
    compile(
        &[Input::account_dump("account.json")],
        &Config::default(),
        &mut files,
    )
}

#[test]
fn dump_compiles_with_default_versions_groups_and_boundaries() {
    let out = compile_dump(ACCOUNT);
    assert!(!out.has_errors(), "{:#?}", out.diagnostics);
    let catalog = Catalog::builtin("chime").unwrap();
    let cases = [
        // ChimeAdmin v2 (chime:*) is in force, not v1 (*); the boundary denies account changes.
        ("user/alice", "chime:CreateBot", "allow"),
        ("user/alice", "chime:CreateAccount", "deny"),
        // The group's inline Deny reaches its members.
        ("user/alice", "chime:DeleteAccount", "deny"),
        ("user/bob", "chime:ListUsers", "allow"),
        ("user/bob", "chime:DeleteAccount", "deny"),
        ("user/bob", "chime:CreateBot", "implicit-deny"),
        ("user/carol", "chime:ListUsers", "implicit-deny"),
        ("role/MeetingBot", "chime:DeleteAccount", "allow"),
    ];
    for (principal, action, want) in cases {
        assert_eq!(
            decide(&out, &catalog, principal, action),
            want,
            "{principal} {action}"
        );
    }
    let table = out.table.unwrap();
    // Full ARNs are aliases, paths included.
    let bob = table
        .principal("arn:aws:iam::111122223333:user/contractors/bob")
        .unwrap();
    assert_eq!(table.principal_name(bob), "user/bob");
    assert_eq!(table.principal("user/bob").unwrap(), bob);
}

#[test]
fn dump_and_cli_flag_agree() {
    let dir = crate::cli::TempDir::new();
    let dump = dir.write("account.json", ACCOUNT);
    let table = dir.path("t.vdt");
    let out = crate::cli::run(&[
        "compile",
        "--aws-account",
        dump.to_str().unwrap(),
        "-o",
        table.to_str().unwrap(),
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let out = crate::cli::run(&[
        "check",
        table.to_str().unwrap(),
        "arn:aws:iam::111122223333:user/alice",
        "chime:CreateBot",
    ]);
    assert_eq!((out.stdout.as_str(), out.status), ("allow\n", 0));
}

#[test]
fn attached_policy_missing_from_the_dump_is_an_error() {
    let text = ACCOUNT.replace(
        "arn:aws:iam::aws:policy/AmazonChimeReadOnly\"}",
        "arn:aws:iam::aws:policy/AmazonChimeSDK\"}",
    );
    let out = compile_dump(&text);
    let errors: Vec<_> = out.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].code, "E0205");
    assert!(errors[0]
        .message
        .contains("arn:aws:iam::aws:policy/AmazonChimeSDK"));
    let label = errors[0].primary.as_ref().unwrap();
    let (line, _) = out
        .sources
        .get(label.file)
        .unwrap()
        .line_col(label.span.start);
    assert_eq!(line, 57);
}

#[test]
fn malformed_dumps_get_located_errors() {
    for (text, want) in [
        (
            r#"{"UserDetailList": [{"UserName": 5}]}"#,
            "UserDetailList[0].UserName",
        ),
        (r#"{"UserDetailList": [{"Path": "/"}]}"#, "UserName"),
        (r#"{"UserDetailList": [ }"#, "expected"),
    ] {
        let out = compile_dump(text);
        assert!(out.table.is_none());
        let first = out
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .expect("an error");
        assert!(
            first.message.contains(want),
            "{:?} for {text}",
            first.message
        );
        assert!(first.primary.is_some(), "located");
    }
}

/// A document of about `n` characters (without white space).
fn big_policy(n: usize) -> String {
    let actions: Vec<String> = (0..n / 20)
        .map(|i| format!("\"chime:Get{i:09}\""))
        .collect();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":[{}],"Resource":"*"}}]}}"#,
        actions.join(",")
    )
}

#[test]
fn v14_quotas_are_errors_in_dumps_and_warnings_elsewhere() {
    let big = big_policy(7_000);
    let text = ACCOUNT.replacen(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "chime:*", "Resource": "*"}]}"#,
        &big,
        1,
    );
    assert_ne!(text, ACCOUNT);
    let out = compile_dump(&text);
    let quota: Vec<_> = out
        .diagnostics
        .iter()
        .filter(|d| d.code.ends_with("0301"))
        .collect();
    assert_eq!(quota.len(), 1, "{:#?}", out.diagnostics);
    assert!(quota[0].is_error());
    assert!(
        quota[0]
            .message
            .starts_with("managed policy `ChimeAdmin` has 7433 characters"),
        "{}",
        quota[0].message
    );
    // The same document as a free-standing managed policy in the DSL: a warning.
    let mut files = MemoryLoader::default();
    files.insert(
        "org.vp",
        "managed policy Big from \"big.json\"\nuser a { attach Big }\n",
    );
    files.insert("big.json", big);
    let out = compile(&[Input::auto("org.vp")], &Config::default(), &mut files);
    let codes: Vec<_> = out.diagnostics.iter().map(|d| d.code).collect();
    assert!(codes.contains(&"W0301"), "{codes:?}");
    assert!(out.table.is_some());
    // AWS managed policies are exempt: the same document under an AWS ARN is fine.
    let text = ACCOUNT.replacen(
        r#"{"Version": "2012-10-17", "Statement": [{"Action": ["chime:List*", "chime:Get*", "chime:Describe*", "chime:SearchAvailablePhoneNumbers"], "Effect": "Allow", "Resource": "*"}]}"#,
        &big_policy(7_000),
        1,
    );
    assert_ne!(text, ACCOUNT);
    let out = compile_dump(&text);
    assert!(
        !out.diagnostics.iter().any(|d| d.code.ends_with("0301")),
        "{:#?}",
        out.diagnostics
    );
}

#[test]
fn v14_user_inline_quota_counts_all_inline_policies_of_the_user() {
    let padded = big_policy(2_100).replace("\"Version\":\"2012-10-17\",", "");
    let inline = format!(r#""PolicyDocument": {padded}"#);
    let text = ACCOUNT.replacen(
        r#""PolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Sid": "Meetings", "Effect": "Allow", "Action": ["chime:CreateMeeting", "chime:GetMeeting"], "Resource": "*"}]
          }"#,
        &inline,
        1,
    );
    assert_ne!(text, ACCOUNT);
    let out = compile_dump(&text);
    let quota: Vec<_> = out
        .diagnostics
        .iter()
        .filter(|d| d.code == "E0301")
        .collect();
    assert_eq!(quota.len(), 1, "{:#?}", out.diagnostics);
    assert!(
        quota[0]
            .message
            .starts_with("inline policies of user `alice`"),
        "{}",
        quota[0].message
    );
}
