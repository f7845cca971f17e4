//! AWS account dumps (`get-account-authorization-details`) compiled end to
//! end: default policy versions, inline and attached policies, groups,
//! boundaries, ARN aliases, URL-encoded and string-wrapped documents,
//! several accounts at once, service-linked roles, trust policies, AWS
//! managed policies supplied separately, and located errors for malformed
//! dumps.

use verdict_compiler::model::{Principal, PrincipalValue, StaticFact};
use verdict_compiler::{compile, Catalog, Compilation, Config, Input, MemoryLoader};

use crate::support::decide;

const ACCOUNT: &str = include_str!("test_data/dumps/account.json");
/// Account 444455556666: URL-encoded documents (a Statement object among
/// them), a document as plain JSON text in a string, paths, entities with
/// only a name and an ARN, a service-linked role whose AWS managed policy is
/// not in the dump, a customer managed policy named like one of
/// account.json's, and `IsTruncated: true`.
const SECOND: &str = include_str!("test_data/dumps/second-account.json");
const VOICE_SLR_POLICY: &str =
    include_str!("../examples/policies/AmazonChimeVoiceConnectorServiceLinkedRolePolicy.json");
const VOICE_SLR_POLICY_PATH: &str =
    "policies/AmazonChimeVoiceConnectorServiceLinkedRolePolicy.json";

/// Compiles the dumps `(path, text)` with the voice connector SLR policy
/// supplied as `--managed-policies` would, plus `extra` inputs.
fn compile_dumps(dumps: &[(&str, &str)], extra: &[(&str, &str)]) -> Compilation {
    let mut files = MemoryLoader::default();
    files.insert(VOICE_SLR_POLICY_PATH, VOICE_SLR_POLICY);
    let mut inputs: Vec<Input> = Vec::new();
    for (path, text) in dumps {
        files.insert(*path, *text);
        inputs.push(Input::account_dump(*path));
    }
    for (path, text) in extra {
        files.insert(*path, *text);
        inputs.push(Input::auto(*path));
    }
    inputs.push(Input::managed_policy(VOICE_SLR_POLICY_PATH));
    compile(&inputs, &Config::default(), &mut files)
}

fn errors(out: &Compilation) -> Vec<String> {
    out.diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{} {}", d.code, d.message))
        .collect()
}

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

#[test]
fn odd_documents_paths_and_missing_fields_compile() {
    let out = compile_dumps(&[("second.json", SECOND)], &[]);
    assert!(!out.has_errors(), "{:#?}", out.diagnostics);
    // W04xx policy lints (e.g. W0404 for an admin-like grant) are not the point here.
    let warnings: Vec<_> = out
        .diagnostics
        .iter()
        .map(|d| d.code)
        .filter(|c| !c.starts_with("W04"))
        .collect();
    assert_eq!(warnings, ["W0210"], "the dump says it is truncated");
    let catalog = Catalog::builtin("chime").unwrap();
    let cases = [
        // A URL-encoded inline policy whose Statement is an object.
        ("user/dana", "chime:CreateMeeting", "allow"),
        // The group's policy is JSON text in a string; its Deny reaches dana.
        ("user/dana", "chime:DeleteMeeting", "deny"),
        // The customer managed policy's default version is URL-encoded.
        ("user/dana", "chime:UpdateUser", "allow"),
        ("user/dana", "chime:CreateBot", "implicit-deny"),
        // Only a name and an ARN.
        ("user/erin", "chime:ListUsers", "implicit-deny"),
        ("role/Legacy", "chime:ListUsers", "implicit-deny"),
        ("role/Deployer", "chime:CreateBot", "allow"),
        // The SLR's policy came from --managed-policies.
        (
            "role/AWSServiceRoleForAmazonChimeVoiceConnector",
            "chime:GetVoiceConnector",
            "allow",
        ),
        (
            "role/AWSServiceRoleForAmazonChimeVoiceConnector",
            "chime:DeleteVoiceConnector",
            "implicit-deny",
        ),
    ];
    for (principal, action, want) in cases {
        assert_eq!(
            decide(&out, &catalog, principal, action),
            want,
            "{principal} {action}"
        );
    }
    let table = out.table.as_ref().unwrap();
    // Paths are in the ARNs, not in the names.
    for (arn, name) in [
        ("arn:aws:iam::444455556666:user/ops/team/dana", "user/dana"),
        (
            "arn:aws:iam::444455556666:role/deploy/Deployer",
            "role/Deployer",
        ),
    ] {
        let p = table.principal(arn).unwrap();
        assert_eq!(table.principal_name(p), name);
    }
    let model = out.model.as_ref().unwrap();
    let dana = model.find_principal("user/dana").unwrap();
    assert_eq!(
        model.static_fact(dana, "aws:userid"),
        StaticFact::Value("AIDAEXAMPLEDANA000001".into())
    );
    let Some(Principal::Role(slr)) =
        model.find_principal("role/AWSServiceRoleForAmazonChimeVoiceConnector")
    else {
        panic!("the service-linked role")
    };
    assert!(model.role(slr).service_linked);
    // The URL-encoded trust policy: dana by ARN (with path), and the account.
    let Some(Principal::Role(deployer)) = model.find_principal("role/Deployer") else {
        panic!("a role")
    };
    let Principal::User(dana_id) = dana else {
        panic!("a user")
    };
    let trust = model.role(deployer).trust_policy.as_ref().unwrap();
    let values: Vec<&PrincipalValue> = trust
        .statements
        .iter()
        .flat_map(|st| &st.principal.as_ref().unwrap().entries)
        .map(|e| &e.value)
        .collect();
    assert_eq!(
        values,
        [
            &PrincipalValue::User(dana_id),
            &PrincipalValue::Account("444455556666".into())
        ]
    );
    assert_eq!(trust.statements[1].conditions.len(), 1);
    // The trust policy's locations point into the encoded text of the dump.
    let loc = trust.statements[0].principal.as_ref().unwrap().entries[0].loc;
    let snippet = out.sources.get(loc.file).unwrap().snippet(loc.span);
    assert_eq!(
        snippet,
        "%22arn%3Aaws%3Aiam%3A%3A444455556666%3Auser%2Fops%2Fteam%2Fdana%22"
    );
}

#[test]
fn missing_aws_managed_policies_are_named_and_can_be_supplied() {
    let mut files = MemoryLoader::default();
    files.insert("second.json", SECOND);
    let out = compile(
        &[Input::account_dump("second.json")],
        &Config::default(),
        &mut files,
    );
    let missing: Vec<_> = out.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(missing.len(), 1, "{missing:#?}");
    assert_eq!(missing[0].code, "E0205");
    assert_eq!(
        missing[0].message,
        "AWS managed policy `arn:aws:iam::aws:policy/aws-service-role/AmazonChimeVoiceConnectorServiceLinkedRolePolicy` is attached but not in the dump"
    );
    let help = missing[0].help.as_deref().unwrap();
    assert!(
        help.contains("--managed-policies DIR")
            && help.contains("`AmazonChimeVoiceConnectorServiceLinkedRolePolicy.json`"),
        "{help}"
    );
    // A supplied file is read only when needed: an unused one may be missing.
    files.insert(VOICE_SLR_POLICY_PATH, VOICE_SLR_POLICY);
    let out = compile(
        &[
            Input::account_dump("second.json"),
            Input::managed_policy(VOICE_SLR_POLICY_PATH),
            Input::managed_policy("policies/NotThere.json"),
        ],
        &Config::default(),
        &mut files,
    );
    assert!(!out.has_errors(), "{:#?}", out.diagnostics);
}

#[test]
fn a_missing_policy_is_one_error_listing_where_it_is_attached() {
    // ChimeAdmin is attached to alice and to MeetingBot; the dump lost it.
    let text = ACCOUNT.replace(
        "\"Arn\": \"arn:aws:iam::111122223333:policy/ChimeAdmin\"",
        "\"Arn\": \"arn:aws:iam::111122223333:policy/Renamed\"",
    );
    assert_ne!(text, ACCOUNT);
    let out = compile_dump(&text);
    let errors: Vec<_> = out.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].code, "E0205");
    assert_eq!(errors[0].related.len(), 1);
    assert_eq!(errors[0].related[0].message, "also attached here");
    assert!(errors[0]
        .help
        .as_deref()
        .unwrap()
        .contains("LocalManagedPolicy"));
}

#[test]
fn two_accounts_qualify_principal_names() {
    let out = compile_dumps(&[("first.json", ACCOUNT), ("second.json", SECOND)], &[]);
    assert!(!out.has_errors(), "{:#?}", out.diagnostics);
    // The AWS managed policy both dumps include is one policy, and the same.
    assert!(!out.diagnostics.iter().any(|d| d.code == "W0211"));
    let catalog = Catalog::builtin("chime").unwrap();
    let cases = [
        ("111122223333:user/alice", "chime:CreateBot", "allow"),
        ("111122223333:user/bob", "chime:ListUsers", "allow"),
        (
            "111122223333:role/MeetingBot",
            "chime:DeleteAccount",
            "allow",
        ),
        ("444455556666:user/dana", "chime:UpdateUser", "allow"),
        ("444455556666:user/dana", "chime:CreateBot", "implicit-deny"),
        ("444455556666:user/erin", "chime:ListUsers", "implicit-deny"),
    ];
    for (principal, action, want) in cases {
        assert_eq!(
            decide(&out, &catalog, principal, action),
            want,
            "{principal} {action}"
        );
    }
    let table = out.table.as_ref().unwrap();
    assert!(table.principal("user/alice").is_err());
    let alice = table
        .principal("arn:aws:iam::111122223333:user/alice")
        .unwrap();
    assert_eq!(table.principal_name(alice), "111122223333:user/alice");
}

#[test]
fn policy_names_of_two_accounts_are_attached_by_arn() {
    let ambiguous = "account \"444455556666\"\nuser zed { attach ChimeAdmin }";
    let out = compile_dumps(
        &[("first.json", ACCOUNT), ("second.json", SECOND)],
        &[("org.vp", ambiguous)],
    );
    assert_eq!(
        errors(&out),
        ["E0211 policy name `ChimeAdmin` is ambiguous"]
    );
    let help = out
        .diagnostics
        .iter()
        .find(|d| d.code == "E0211")
        .and_then(|d| d.help.as_deref())
        .unwrap();
    assert!(
        help.contains("`arn:aws:iam::111122223333:policy/ChimeAdmin`")
            && help.contains("`arn:aws:iam::444455556666:policy/ChimeAdmin`"),
        "{help}"
    );
    let by_arn =
        "account \"444455556666\"\nuser zed { attach \"arn:aws:iam::444455556666:policy/ChimeAdmin\" }";
    let out = compile_dumps(
        &[("first.json", ACCOUNT), ("second.json", SECOND)],
        &[("org.vp", by_arn)],
    );
    assert!(!out.has_errors(), "{:#?}", out.diagnostics);
    let catalog = Catalog::builtin("chime").unwrap();
    // Account 444455556666's ChimeAdmin: List, Get, Update; not account 1111's chime:*.
    assert_eq!(
        decide(&out, &catalog, "444455556666:user/zed", "chime:UpdateUser"),
        "allow"
    );
    assert_eq!(
        decide(&out, &catalog, "444455556666:user/zed", "chime:CreateBot"),
        "implicit-deny"
    );
}

#[test]
fn copies_of_a_policy_that_differ_are_reported() {
    let changed = SECOND.replace(
        "\"chime:SearchAvailablePhoneNumbers\"",
        "\"chime:SearchAvailablePhoneNumbers\", \"chime:ListUsers\"",
    );
    assert_ne!(changed, SECOND);
    let out = compile_dumps(&[("first.json", ACCOUNT), ("second.json", &changed)], &[]);
    let w: Vec<_> = out
        .diagnostics
        .iter()
        .filter(|d| d.code == "W0211")
        .collect();
    assert_eq!(w.len(), 1, "{:#?}", out.diagnostics);
    assert_eq!(
        w[0].message,
        "managed policy `arn:aws:iam::aws:policy/AmazonChimeReadOnly` differs between dumps; the first one is used"
    );
}

#[test]
fn a_dump_of_two_accounts_is_an_error() {
    let mixed = SECOND.replace(
        "arn:aws:iam::444455556666:user/erin",
        "arn:aws:iam::777788889999:user/erin",
    );
    let out = compile_dumps(&[("second.json", &mixed)], &[]);
    assert_eq!(
        errors(&out),
        ["E0210 the dump mixes accounts 444455556666 and 777788889999"]
    );
}

#[test]
fn service_linked_roles_in_dumps_follow_g5() {
    let slr_arn =
        "arn:aws:iam::aws:policy/aws-service-role/AmazonChimeVoiceConnectorServiceLinkedRolePolicy";
    // An SLR with an inline policy and a trust naming a user; a user with the SLR's policy.
    let edited = SECOND
        .replace(
            "\"Service\": \"voiceconnector.chime.amazonaws.com\"\n",
            "\"Service\": \"voiceconnector.chime.amazonaws.com\", \"AWS\": \"arn:aws:iam::444455556666:user/erin\"\n",
        )
        .replace(
            "\"RolePolicyList\": [],",
            "\"RolePolicyList\": [{\"PolicyName\": \"Extra\", \"PolicyDocument\": {\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}}}],",
        )
        .replace(
            "{\n      \"UserName\": \"erin\",",
            &format!("{{\n      \"AttachedManagedPolicies\": [{{\"PolicyName\": \"X\", \"PolicyArn\": \"{slr_arn}\"}}],\n      \"UserName\": \"erin\","),
        );
    assert_eq!(edited.matches("erin").count(), 3, "all three edits applied");
    let out = compile_dumps(&[("second.json", &edited)], &[]);
    let mut found = errors(&out);
    found.sort();
    assert_eq!(
        found,
        [
            "E0220 `AmazonChimeVoiceConnectorServiceLinkedRolePolicy` is the policy of a service-linked role and cannot be attached to user `erin`",
            "E0221 a service-linked role cannot have an inline policy",
            "E0222 service-linked role `AWSServiceRoleForAmazonChimeVoiceConnector` trusts `arn:aws:iam::444455556666:user/erin`, which is not a service",
        ]
    );
}

#[test]
fn cli_takes_several_accounts_scps_and_managed_policy_folders() {
    let dir = crate::cli::TempDir::new();
    let first = dir.write("first.json", ACCOUNT);
    let second = dir.write("second.json", SECOND);
    std::fs::create_dir_all(dir.path("managed")).unwrap();
    dir.write(
        "managed/AmazonChimeVoiceConnectorServiceLinkedRolePolicy.json",
        VOICE_SLR_POLICY,
    );
    dir.write("managed/README.md", "not a policy");
    let scp = dir.write(
        "scp.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#,
    );
    let table = dir.path("t.vdt");
    let managed = dir.path("managed");
    let scp_arg = format!("ou/Engineering={}", scp.display());
    let args = [
        "compile",
        "--aws-account",
        first.to_str().unwrap(),
        "--aws-account",
        second.to_str().unwrap(),
        "--managed-policies",
        managed.to_str().unwrap(),
        "--scp",
        scp.to_str().unwrap(),
        "--scp",
        &scp_arg,
        "-o",
        table.to_str().unwrap(),
    ];
    let out = crate::cli::run(&args);
    // scp.json twice: the same file is one SCP name.
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("SCP `scp` is defined more than once"),
        "{}",
        out.stderr
    );
    let mut args = args.to_vec();
    args.truncate(args.len() - 4);
    args.extend(["-o", table.to_str().unwrap()]);
    let out = crate::cli::run(&args);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let out = crate::cli::run(&[
        "check",
        table.to_str().unwrap(),
        "444455556666:role/AWSServiceRoleForAmazonChimeVoiceConnector",
        "chime:GetVoiceConnector",
    ]);
    assert_eq!(
        (out.stdout.as_str(), out.status),
        ("allow\n", 0),
        "{}",
        out.stderr
    );
    // Usage errors: exit status 2.
    for bad in [
        vec![
            "compile",
            first.to_str().unwrap(),
            "--scp",
            "region=x.json",
            "-o",
            "t.vdt",
        ],
        vec![
            "compile",
            first.to_str().unwrap(),
            "--managed-policies",
            "/no/such/dir",
            "-o",
            "t.vdt",
        ],
    ] {
        let out = crate::cli::run(&bad);
        assert_eq!(out.status, 2, "{bad:?}: {}", out.stderr);
    }
}

#[test]
fn dsl_sessions_of_dump_roles_get_static_keys_from_the_dump() {
    // One account: the DSL file (no `account`) shares the dump's names.
    let dsl = "assumed-role Deployer/nightly { tag TEAM = night }\nfederated-user dana-tool { user dana }";
    let out = compile_dumps(&[("second.json", SECOND)], &[("org.vp", dsl)]);
    assert!(!out.has_errors(), "{:#?}", out.diagnostics);
    let model = out.model.as_ref().unwrap();
    let session = model
        .find_principal("assumed-role/Deployer/nightly")
        .unwrap();
    // The session ARN has no path; the role ARN (aws:PrincipalArn) has.
    assert_eq!(
        model.find_principal("arn:aws:sts::444455556666:assumed-role/Deployer/nightly"),
        Some(session)
    );
    let fact = |key: &str| model.static_fact(session, key);
    let value = |v: &str| StaticFact::Value(v.to_string());
    assert_eq!(fact("aws:userid"), value("AROAEXAMPLEDEPLOYER01:nightly"));
    assert_eq!(
        fact("aws:PrincipalArn"),
        value("arn:aws:iam::444455556666:role/deploy/Deployer")
    );
    assert_eq!(fact("aws:PrincipalAccount"), value("444455556666"));
    assert_eq!(fact("aws:PrincipalTag/team"), value("night"));
    let fed = model.find_principal("federated-user/dana-tool").unwrap();
    assert_eq!(
        model.principal_arn(fed),
        Some("arn:aws:sts::444455556666:federated-user/dana-tool")
    );
    assert_eq!(
        model.static_fact(fed, "aws:userid"),
        value("444455556666:dana-tool")
    );
    assert_eq!(
        model.static_fact(fed, "aws:PrincipalTag/team"),
        value("ops")
    );
    let table = out.table.as_ref().unwrap();
    assert!(table.principal("assumed-role/Deployer/nightly").is_ok());
}

#[test]
fn managed_policy_versions_need_a_default_and_at_most_five() {
    let clean = errors(&compile_dump(ACCOUNT));
    assert!(clean.is_empty(), "{clean:?}");
    let default = "\"VersionId\": \"v2\",\n          \"IsDefaultVersion\": true";
    assert!(ACCOUNT.contains(default));
    // Neither a version marked default nor one named by `DefaultVersionId`.
    let none = ACCOUNT
        .replacen(default, &default.replace("true", "false"), 1)
        .replacen(
            "\"DefaultVersionId\": \"v2\"",
            "\"DefaultVersionId\": \"v9\"",
            1,
        );
    assert_eq!(
        errors(&compile_dump(&none)),
        ["E0207 managed policy `ChimeAdmin` has no default version"]
    );
    let v1 = r#"{
          "Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
          "VersionId": "v1",
          "IsDefaultVersion": false,
          "CreateDate": "2024-01-01T00:00:00+00:00"
        }"#;
    assert!(ACCOUNT.contains(v1));
    let many = |n: usize| ACCOUNT.replacen(v1, &vec![v1; n].join(",\n        "), 1);
    // Five versions are IAM's quota; six are one too many.
    assert!(errors(&compile_dump(&many(4))).is_empty());
    assert_eq!(
        errors(&compile_dump(&many(5))),
        ["E0302 managed policy `ChimeAdmin` has 6 versions; IAM keeps at most 5"]
    );
}
