//! `verdict reach` and `verdict who-can`: permissions through the assume-role
//! graph (SEMANTICS.md G3, G4, G5, X44, X45), through `verdict::run`, with
//! snapshots of the text and JSON outputs.

use std::path::{Path, PathBuf};

use crate::cli::{run, TempDir};

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Chains of length 0 (alice, ListUsers), 1 (bob → Ops, named directly,
/// X45), 3 (alice → Stage1 → Stage2 → Admin), a cycle Stage2 ↔ Stage3, the
/// account root trusted with (carol) and without (dave) an identity allow
/// (X44), an MFA-conditional trust (dave → Mfa), and a service-linked role
/// nobody may assume (G5).
const ORG: &str = r#"account "111122223333"
policy Read { allow chime:List* }
policy Admin { allow chime:*  deny chime:*VoiceConnector* }
policy DeleteOnly { allow chime:DeleteAccount }
policy AssumeAny { allow sts:AssumeRole }
managed policy VoicePolicy { allow chime:GetVoiceConnector* }

user alice { attach Read }
user bob
user carol { attach AssumeAny }
user dave
user erin { attach Admin, AssumeAny }

role Ops { attach Read  trust user bob, account "111122223333" }
role Stage1 { trust user alice }
role Stage2 { trust role Stage1, role Stage3 }
role Stage3 { trust role Stage2 }
role Admin { attach Admin  trust role Stage2 }
role Mfa {
  attach DeleteOnly
  trust { allow sts:AssumeRole principal aws "arn:aws:iam::111122223333:user/dave" when { Bool aws:MultiFactorAuthPresent = true } }
}
service-linked-role AWSServiceRoleForAmazonChimeVoiceConnector {
  service voiceconnector.chime.amazonaws.com
  attach VoicePolicy
}
"#;

fn compiled() -> (TempDir, PathBuf) {
    let dir = TempDir::new();
    let src = dir.write("org.vp", ORG);
    let table = dir.path("t.vdt");
    let out = run(&["compile", s(&src), "-o", s(&table)]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    (dir, table)
}

/// `reach` output and exit status, stderr empty.
fn reach(table: &Path, args: &[&str]) -> (String, i32) {
    let mut argv = vec!["reach", s(table)];
    argv.extend_from_slice(args);
    let out = run(&argv);
    assert_eq!(out.stderr, "", "{args:?}");
    (out.stdout, out.status)
}

#[test]
fn reach_prints_the_shortest_chain_of_length_0_1_and_3() {
    let (_dir, table) = compiled();
    for (args, expected, status) in [
        (
            &["user/alice", "chime:ListUsers"][..],
            "user/alice: allow\n",
            0,
        ),
        // X45: bob is named by Ops' trust policy and has no permission himself.
        (
            &["user/bob", "chime:ListUsers"],
            "user/bob → role/Ops: allow\n",
            0,
        ),
        (
            &["user/alice", "chime:DeleteAccount"],
            "user/alice → role/Stage1 → role/Stage2 → role/Admin: allow\n",
            0,
        ),
        // From inside the cycle.
        (
            &["role/Stage3", "CHIME:CREATEACCOUNT"],
            "role/Stage3 → role/Stage2 → role/Admin: allow\n",
            0,
        ),
        // X44: the account root is trusted, and carol may call sts:AssumeRole.
        (
            &["user/carol", "chime:ListUsers"],
            "user/carol → role/Ops: allow\n",
            0,
        ),
    ] {
        assert_eq!(
            reach(&table, args),
            (expected.to_string(), status),
            "{args:?}"
        );
    }
}

#[test]
fn reach_without_a_chain_exits_1_and_never_loops_on_cycles() {
    let (_dir, table) = compiled();
    // The cycle Stage2 ↔ Stage3 is walked once; nothing reached may do it.
    assert_eq!(
        reach(&table, &["user/alice", "chime:GetVoiceConnector"]),
        (
            "user/alice: implicit-deny (no role reachable from it allows chime:GetVoiceConnector for this request)\n"
                .to_string(),
            1
        )
    );
    // X44: dave may not call sts:AssumeRole, so the account trust of Ops
    // gives him no edge.
    assert_eq!(
        reach(&table, &["user/dave", "chime:ListUsers"]),
        (
            "user/dave: implicit-deny (no role reachable from it allows chime:ListUsers for this request)\n"
                .to_string(),
            1
        )
    );
}

#[test]
fn service_linked_roles_are_never_reached() {
    let (_dir, table) = compiled();
    // Only the service-linked role may get voice connectors; carol may call
    // sts:AssumeRole on any role, yet has no edge into it.
    let (text, status) = reach(&table, &["user/carol", "chime:GetVoiceConnector"]);
    assert_eq!(status, 1, "{text}");
    let out = run(&[
        "who-can",
        s(&table),
        "chime:GetVoiceConnector",
        "--via-roles",
    ]);
    assert_eq!(out.status, 0);
    assert_eq!(
        out.stdout,
        "role/AWSServiceRoleForAmazonChimeVoiceConnector: allow\n"
    );
}

#[test]
fn conditional_trust_is_reached_only_with_its_condition() {
    let (_dir, table) = compiled();
    let (without, status) = reach(&table, &["user/dave", "chime:DeleteAccount"]);
    assert_eq!(status, 1);
    let (with, status) = reach(
        &table,
        &[
            "user/dave",
            "chime:DeleteAccount",
            "--context",
            "aws:MultiFactorAuthPresent=true",
        ],
    );
    assert_eq!(status, 0);
    let (json, status) = reach(
        &table,
        &[
            "user/dave",
            "chime:DeleteAccount",
            "--format",
            "json",
            "--context",
            "aws:MultiFactorAuthPresent=true",
        ],
    );
    assert_eq!(status, 0);
    let (json_without, status) = reach(
        &table,
        &["user/dave", "chime:DeleteAccount", "--format", "json"],
    );
    assert_eq!(status, 1);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["decision"], "allow");
    assert_eq!(value["chain"][1], "role/Mfa");
    insta::assert_snapshot!(
        "reach_conditional",
        format!("$ reach user/dave chime:DeleteAccount\n{without}\n$ … --context aws:MultiFactorAuthPresent=true\n{with}\n$ … --format json --context …\n{json}\n$ … --format json\n{json_without}")
    );
}

#[test]
fn who_can_lists_principals_directly_and_via_roles() {
    let (_dir, table) = compiled();
    let direct = run(&["who-can", s(&table), "chime:DeleteAccount"]);
    assert_eq!(direct.status, 0);
    let via = run(&["who-can", s(&table), "chime:DeleteAccount", "--via-roles"]);
    assert_eq!(via.status, 0);
    let json = run(&[
        "who-can",
        s(&table),
        "chime:DeleteAccount",
        "--via-roles",
        "--format",
        "json",
    ]);
    assert_eq!(json.status, 0);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["action"], "chime:DeleteAccount");
    insta::assert_snapshot!(
        "who_can",
        format!(
            "$ who-can chime:DeleteAccount\n{}\n$ … --via-roles\n{}\n$ … --via-roles --format json\n{}",
            direct.stdout, via.stdout, json.stdout
        )
    );
}

#[test]
fn reach_and_who_can_errors_exit_2() {
    let (_dir, table) = compiled();
    for args in [
        vec!["reach", s(&table), "user/nobody", "chime:ListUsers"],
        vec!["reach", s(&table), "user/alice", "chime:NoSuchAction"],
        vec![
            "reach",
            s(&table),
            "user/alice",
            "chime:ListUsers",
            "--context",
            "novalue",
        ],
        vec![
            "reach",
            "/nonexistent/t.vdt",
            "user/alice",
            "chime:ListUsers",
        ],
        vec!["who-can", s(&table), "chime:NoSuchAction"],
        vec!["who-can", "/nonexistent/t.vdt", "chime:ListUsers"],
    ] {
        let out = run(&args);
        assert_eq!(out.status, 2, "{args:?}");
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn inspect_lists_the_trust_edges() {
    let (_dir, table) = compiled();
    let out = run(&["inspect", s(&table)]);
    assert_eq!(out.status, 0);
    let edges: Vec<&str> = out
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("trust edges ("))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(
        edges,
        [
            "  role/Stage1 → role/Stage2",
            "  role/Stage2 → role/Admin",
            "  role/Stage2 → role/Stage3",
            "  role/Stage3 → role/Stage2",
            "  user/alice → role/Stage1",
            "  user/bob → role/Ops",
            "  user/carol → role/Ops",
            "  user/dave → role/Mfa: allow if Bool aws:multifactorauthpresent [\"true\"]",
            "  user/erin → role/Ops",
        ]
    );
    assert!(
        out.stdout.contains("trust edges: 9 (1 conditional)"),
        "{}",
        out.stdout
    );
}

/// `compile --explain` writes the provenance section after the trust edges:
/// the edges, checks and chains are those of the plain table, `inspect`
/// reports both, and the section explains every cell as the table decides it.
#[test]
fn the_provenance_section_keeps_the_trust_edges() {
    let (dir, plain_path) = compiled();
    let src = dir.path("org.vp");
    let with_path = dir.path("explained.vdt");
    let out = run(&["compile", s(&src), "-o", s(&with_path), "--explain"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let plain = verdict_runtime::Table::open(&plain_path).unwrap();
    let with = verdict_runtime::Table::open(&with_path).unwrap();
    assert!(plain.provenance().is_none());
    assert!(with.provenance().is_some());
    assert_eq!(with.n_trust_edges(), 9);
    assert!(with.trust_edges().eq(plain.trust_edges()));
    let mut stripped = with.to_parts();
    stripped.provenance = None;
    assert_eq!(verdict_runtime::Table::from_parts(stripped).unwrap(), plain);
    let chain = ["user/alice", "chime:DeleteAccount"];
    assert_eq!(reach(&plain_path, &chain), reach(&with_path, &chain));

    let inspect = run(&["inspect", s(&with_path), "--show", "summary"]);
    assert_eq!(inspect.status, 0);
    assert!(
        inspect.stdout.contains("trust edges: 9 (1 conditional)"),
        "{}",
        inspect.stdout
    );
    assert!(
        inspect.stdout.contains(&format!(
            "provenance: {} bytes:",
            with.provenance_byte_len()
        )),
        "{}",
        inspect.stdout
    );
    let request = verdict_runtime::Request::default();
    assert_eq!(
        verdict::explain::disagreements(&with, &request).unwrap(),
        []
    );
}
