//! Tests of lowering: accounts and qualified names, declared sessions and
//! federated users, trust policies (G1, G2, G6), service-linked roles (G5),
//! SCPs (P1.2, P6, V2, V6, V14, D11), and the static facts of every kind of
//! principal (K-table). Each test lowers in-memory files and looks at the
//! model or at the diagnostics (`CODE file:line:col message`).

use super::Lowerer;
use crate::model::{
    CredentialKind, Edge, Model, Node, PolicyId, Principal, PrincipalValue, ScpLevel, StaticFact,
};
use crate::source::SourceMap;
use crate::{Input, MemoryLoader};

/// Lowers `files` (path, text); every `.vp` and `.json` file named in
/// `inputs` is an input, the others are there to be imported.
fn lower_inputs(files: &[(&str, &str)], inputs: &[Input]) -> (Model, SourceMap, Vec<String>) {
    let mut loader = MemoryLoader::default();
    for (path, text) in files {
        loader.insert(*path, *text);
    }
    let (model, sources, mut diags) = Lowerer::new(&mut loader).lower(inputs);
    // In source order, as `compile` reports them.
    diags.list.sort_by_key(|d| {
        d.primary
            .as_ref()
            .map_or((u32::MAX, u32::MAX), |l| (l.file.0, l.span.start))
    });
    let rendered = diags
        .list
        .iter()
        .map(|d| {
            let at = d
                .primary
                .as_ref()
                .map_or("-".to_string(), |l| sources.describe(l.file, l.span));
            format!("{} {at} {}", d.code, d.message)
        })
        .collect();
    (model, sources, rendered)
}

/// Lowers one DSL file `org.vp` (plus files to import).
fn lower(files: &[(&str, &str)]) -> (Model, Vec<String>) {
    let (model, _, diags) = lower_inputs(files, &[Input::auto(files[0].0)]);
    (model, diags)
}

/// Lowers and insists on no diagnostics at all.
#[track_caller]
fn lower_clean(src: &str) -> Model {
    let (model, diags) = lower(&[("org.vp", src)]);
    assert!(diags.is_empty(), "unexpected diagnostics: {diags:#?}");
    model
}

/// The diagnostics of lowering `src`, as `CODE line:col message`.
#[track_caller]
fn check_diags(src: &str, expected: &[&str]) {
    let (_, diags) = lower(&[("org.vp", src)]);
    let diags: Vec<String> = diags.iter().map(|d| d.replacen("org.vp:", "", 1)).collect();
    assert_eq!(diags, expected, "for:\n{src}");
}

fn principal(model: &Model, name: &str) -> Principal {
    model
        .find_principal(name)
        .unwrap_or_else(|| panic!("no principal `{name}` in {:?}", names(model)))
}

fn names(model: &Model) -> Vec<String> {
    model
        .principals()
        .into_iter()
        .map(|p| model.principal_name(p))
        .collect()
}

fn fact(model: &Model, who: &str, key: &str) -> StaticFact {
    model.static_fact(principal(model, who), key)
}

fn value(v: &str) -> StaticFact {
    StaticFact::Value(v.to_string())
}

fn policy_names(model: &Model, ids: &[PolicyId]) -> Vec<String> {
    ids.iter().map(|&p| model.policy(p).name.clone()).collect()
}

// ---------------------------------------------------------------------------
// Accounts and names
// ---------------------------------------------------------------------------

#[test]
fn a_dsl_account_gives_arns_and_static_account_keys() {
    let model = lower_clean(
        r#"account "111122223333"
           user alice { path "/eng/" }
           role Ops
           user bob { account "444455556666" }"#,
    );
    // Two accounts: names are qualified.
    assert_eq!(
        names(&model),
        [
            "111122223333:role/Ops",
            "111122223333:user/alice",
            "444455556666:user/bob"
        ]
    );
    let alice = "arn:aws:iam::111122223333:user/eng/alice";
    assert_eq!(
        principal(&model, alice),
        principal(&model, "111122223333:user/alice")
    );
    assert_eq!(fact(&model, alice, "aws:PrincipalArn"), value(alice));
    assert_eq!(
        fact(&model, alice, "AWS:principalaccount"),
        value("111122223333")
    );
    assert_eq!(
        fact(&model, "444455556666:user/bob", "aws:PrincipalAccount"),
        value("444455556666")
    );
    assert!(model.find_principal("user/alice").is_none());
}

#[test]
fn one_account_keeps_names_short_and_without_account_keys_are_request_keys() {
    let model = lower_clean("account \"111122223333\"\nuser alice");
    assert_eq!(names(&model), ["user/alice"]);
    assert!(model
        .find_principal("arn:aws:iam::111122223333:user/alice")
        .is_some());
    let model = lower_clean("user alice");
    assert_eq!(
        fact(&model, "user/alice", "aws:PrincipalArn"),
        StaticFact::Request
    );
    assert_eq!(
        fact(&model, "user/alice", "aws:PrincipalAccount"),
        StaticFact::Request
    );
}

#[test]
fn equal_names_in_two_accounts_are_two_principals() {
    let a =
        "account \"111122223333\"\nuser alice { member G }\ngroup G\nrole Ops { trust user alice }";
    let b = "account \"444455556666\"\nuser alice\nrole Ops { trust user alice }";
    let (model, _, diags) = lower_inputs(
        &[("a.vp", a), ("b.vp", b)],
        &[Input::auto("a.vp"), Input::auto("b.vp")],
    );
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(
        names(&model),
        [
            "111122223333:role/Ops",
            "111122223333:user/alice",
            "444455556666:role/Ops",
            "444455556666:user/alice"
        ]
    );
    // `trust user alice` names the alice of the role's own account.
    for account in ["111122223333", "444455556666"] {
        let Principal::Role(ops) = principal(&model, &format!("{account}:role/Ops")) else {
            panic!("a role")
        };
        let Principal::User(alice) = principal(&model, &format!("{account}:user/alice")) else {
            panic!("a user")
        };
        let trust = model.role(ops).trust_policy.as_ref().unwrap();
        let entries = &trust.statements[0].principal.as_ref().unwrap().entries;
        assert_eq!(entries[0].value, PrincipalValue::User(alice));
    }
}

#[test]
fn with_several_accounts_every_entity_needs_one() {
    let a = "account \"111122223333\"\nuser alice";
    let b = "account \"444455556666\"\nuser alice";
    let c = "user bob\ngroup G";
    let (_, _, diags) = lower_inputs(
        &[("a.vp", a), ("b.vp", b), ("c.vp", c)],
        &[
            Input::auto("a.vp"),
            Input::auto("b.vp"),
            Input::auto("c.vp"),
        ],
    );
    assert_eq!(
        diags,
        [
            "E0209 c.vp:1:6 user `bob` has no account, but this compilation has principals of several accounts (111122223333, 444455556666)",
            "E0209 c.vp:2:7 group `G` has no account, but this compilation has principals of several accounts (111122223333, 444455556666)",
        ]
    );
}

#[test]
fn duplicate_names_say_which_account() {
    check_diags(
        "account \"111122223333\"\nuser alice { account \"444455556666\" }\nuser alice { account \"444455556666\" }\nuser alice",
        &["E0202 3:6 user `alice` is defined more than once in account 444455556666"],
    );
}

#[test]
fn account_ids_are_twelve_digits_once_per_file_and_entity() {
    check_diags(
        "account \"12345\"\nuser a",
        &["E0210 1:9 `12345` is not an AWS account id"],
    );
    check_diags(
        "account \"111122223333\"\naccount \"111122223333\"",
        &["E0210 2:9 a file declares its account at most once"],
    );
    check_diags(
        "user a { account \"111122223333\" account \"111122223333\" }",
        &["E0210 1:41 an entity has at most one `account`"],
    );
    check_diags(
        "role R { trust account \"1111\" }",
        &["E0210 1:24 `1111` is not an AWS account id"],
    );
}

// ---------------------------------------------------------------------------
// Sessions and federated users (P4, K-table)
// ---------------------------------------------------------------------------

const ORG: &str = r#"
account "111122223333"
policy Base { allow chime:* }
policy Narrow { allow chime:List* }
group Staff { attach Narrow }
user carol { member Staff  attach Base  boundary Base  tag Team = blue  tag site = berlin }
role Ops { attach Base  boundary Narrow  tag team = red  tag site = paris  trust user carol }
assumed-role Ops/standup {
  policy Session { allow chime:ListMeetings }
  attach Narrow
  tag TEAM = green
}
federated-user carol-fed {
  user carol
  attach Narrow
  tag team = yellow
}
federated-user bare { user carol }
"#;

#[test]
fn declared_sessions_have_the_role_s_policies_and_their_own() {
    let model = lower_clean(ORG);
    let session = principal(&model, "assumed-role/Ops/standup");
    assert_eq!(
        principal(&model, "arn:aws:sts::111122223333:assumed-role/Ops/standup"),
        session
    );
    let set = model.permission_set(session);
    let role_set = model.permission_set(principal(&model, "role/Ops"));
    assert_eq!(set.identity, role_set.identity);
    assert_eq!(set.boundary, role_set.boundary);
    assert_eq!(set.kind, CredentialKind::DeclaredSession);
    assert!(set.role_session);
    assert_eq!(role_set.kind, CredentialKind::RoleSession);
    assert!(role_set.session_policies.is_empty());
    // Sorted by id: Narrow was declared before the inline session policy.
    assert_eq!(
        policy_names(&model, &set.session_policies),
        ["Narrow", "assumed-role/Ops/standup/Session"]
    );
    let Principal::Session(s) = session else {
        panic!("a session")
    };
    let node = model.session_nodes[s.index()];
    let edges: Vec<Edge> = model.graph.edges(node).map(|e| *e.weight()).collect();
    assert!(edges.contains(&Edge::SessionOf));
    assert_eq!(
        edges.iter().filter(|e| **e == Edge::SessionPolicy).count(),
        2
    );
}

#[test]
fn federated_users_have_their_user_s_policies_and_their_own() {
    let model = lower_clean(ORG);
    let fed = principal(&model, "federated-user/carol-fed");
    let set = model.permission_set(fed);
    let carol = model.permission_set(principal(&model, "user/carol"));
    // P4: the IAM user's identity policies (groups included) and boundary.
    assert_eq!(policy_names(&model, &set.identity), ["Base", "Narrow"]);
    assert_eq!(set.identity, carol.identity);
    assert_eq!(set.boundary, carol.boundary);
    assert_eq!(set.kind, CredentialKind::FederatedUser);
    assert!(!set.role_session);
    assert_eq!(policy_names(&model, &set.session_policies), ["Narrow"]);
    // P1.5: no session policy is a permission set of its own.
    let bare = model.permission_set(principal(&model, "federated-user/bare"));
    assert!(bare.session_policies.is_empty());
    assert_ne!(bare, set);
    assert_eq!(
        model.principal_arn(fed),
        Some("arn:aws:sts::111122223333:federated-user/carol-fed")
    );
}

#[test]
fn static_facts_follow_the_k_table_for_every_kind() {
    let model = lower_clean(ORG);
    let user = "user/carol";
    let role = "role/Ops";
    let session = "assumed-role/Ops/standup";
    let fed = "federated-user/carol-fed";
    let role_arn = "arn:aws:iam::111122223333:role/Ops";
    // aws:username: users only.
    assert_eq!(fact(&model, user, "aws:username"), value("carol"));
    for who in [role, session, fed] {
        assert_eq!(
            fact(&model, who, "aws:username"),
            StaticFact::Absent,
            "{who}"
        );
    }
    // aws:PrincipalType.
    assert_eq!(fact(&model, user, "aws:PrincipalType"), value("User"));
    assert_eq!(
        fact(&model, role, "aws:PrincipalType"),
        value("AssumedRole")
    );
    assert_eq!(
        fact(&model, session, "aws:PrincipalType"),
        value("AssumedRole")
    );
    assert_eq!(
        fact(&model, fed, "aws:PrincipalType"),
        value("FederatedUser")
    );
    // aws:PrincipalArn: a session's is its role's ARN, not the session ARN.
    assert_eq!(fact(&model, session, "aws:PrincipalArn"), value(role_arn));
    assert_eq!(
        fact(&model, fed, "aws:PrincipalArn"),
        value("arn:aws:sts::111122223333:federated-user/carol-fed")
    );
    assert_eq!(
        fact(&model, session, "aws:PrincipalAccount"),
        value("111122223333")
    );
    // aws:userid: no unique ids in the DSL; a federated user's is ACCOUNT:NAME.
    assert_eq!(fact(&model, user, "aws:userid"), StaticFact::Request);
    assert_eq!(fact(&model, role, "aws:userid"), StaticFact::Request);
    assert_eq!(fact(&model, session, "aws:userid"), StaticFact::Request);
    assert_eq!(
        fact(&model, fed, "aws:userid"),
        value("111122223333:carol-fed")
    );
    // aws:PrincipalTag: session tags win, keys compared case-insensitively.
    assert_eq!(fact(&model, role, "aws:PrincipalTag/team"), value("red"));
    assert_eq!(
        fact(&model, session, "aws:PrincipalTag/Team"),
        value("green")
    );
    assert_eq!(
        fact(&model, session, "aws:PrincipalTag/site"),
        value("paris")
    );
    assert_eq!(fact(&model, fed, "aws:principaltag/TEAM"), value("yellow"));
    assert_eq!(fact(&model, fed, "aws:PrincipalTag/site"), value("berlin"));
    assert_eq!(
        fact(&model, fed, "aws:PrincipalTag/none"),
        StaticFact::Absent
    );
    // K3: everything else is a request key.
    assert_eq!(fact(&model, session, "aws:SourceIp"), StaticFact::Request);
}

#[test]
fn session_declarations_are_checked() {
    check_diags(
        "role Ops\nassumed-role Opz/s1\nassumed-role Ops\nassumed-role Ops/x\nassumed-role Ops/s1 { boundary P  member G  path \"/\" }",
        &[
            "E0201 2:14 unknown role `Opz`",
            "E0208 3:14 session `Ops` does not name its role",
            "E0208 4:14 invalid role session name `x`",
            "E0204 5:32 `boundary` is only allowed for users and roles",
            "E0204 5:42 `member` is only allowed for users",
            "E0204 5:50 `path` is only allowed for users, groups and roles",
        ],
    );
    check_diags(
        "user u\nfederated-user ff\nfederated-user gg { user v }\nfederated-user hh { user u user u }\nfederated-user ii { user u  policy A { allow * }  policy B { allow * } }\nfederated-user j { user u }",
        &[
            "E0212 2:16 federated user `ff` has no `user`",
            "E0201 3:26 unknown user `v`",
            "E0213 4:33 a federated user has exactly one `user`",
            "E0213 5:58 a session has at most one inline session policy",
            "E0208 6:16 invalid federated user name `j`",
        ],
    );
    check_diags(
        "user u { user u }\nrole R\nassumed-role R/ab\nassumed-role R/ab",
        &[
            "E0204 1:15 `user` is only allowed for federated users",
            "E0202 4:14 session `R/ab` is defined more than once",
        ],
    );
}

// ---------------------------------------------------------------------------
// Trust policies (G1, G2, G6)
// ---------------------------------------------------------------------------

#[test]
fn trust_shorthand_and_blocks_make_one_trust_policy() {
    let model = lower_clean(
        r#"account "111122223333"
           user alice
           role Ops {
             trust {
               allow sts:AssumeRole, sts:TagSession
                 principal aws "arn:aws:iam::111122223333:user/alice", aws "arn:aws:iam::444455556666:root"
                 when { Bool aws:MultiFactorAuthPresent = true }
               deny sts:AssumeRole principal aws "arn:aws:iam::111122223333:role/Ops"
             }
             trust user alice, role Ops, account "555566667777", service "chime.amazonaws.com"
           }
           assumed-role Ops/s1
           role Other { trust { allow sts:AssumeRole principal aws "arn:aws:sts::111122223333:assumed-role/Ops/s1", aws "arn:aws:iam::999988887777:user/x", aws "*" } }"#,
    );
    let Principal::Role(ops) = principal(&model, "role/Ops") else {
        panic!("a role")
    };
    let Principal::User(alice) = principal(&model, "user/alice") else {
        panic!("a user")
    };
    let trust = model.role(ops).trust_policy.as_ref().unwrap();
    assert_eq!(trust.statements.len(), 3);
    let values = |i: usize| -> Vec<PrincipalValue> {
        trust.statements[i]
            .principal
            .as_ref()
            .unwrap()
            .entries
            .iter()
            .map(|e| e.value.clone())
            .collect()
    };
    assert_eq!(
        values(0),
        [
            PrincipalValue::User(alice),
            PrincipalValue::Account("444455556666".into())
        ]
    );
    assert_eq!(trust.statements[0].conditions.len(), 1);
    assert!(trust.statements[0].resources.is_empty());
    assert_eq!(values(1), [PrincipalValue::Role(ops)]);
    assert_eq!(
        values(2),
        [
            PrincipalValue::User(alice),
            PrincipalValue::Role(ops),
            PrincipalValue::Account("555566667777".into()),
            PrincipalValue::Service("chime.amazonaws.com".into()),
        ]
    );
    assert_eq!(trust.statements[2].actions[0].text, "sts:AssumeRole");
    let Principal::Role(other) = principal(&model, "role/Other") else {
        panic!("a role")
    };
    let Principal::Session(s1) = principal(&model, "assumed-role/Ops/s1") else {
        panic!("a session")
    };
    let other_trust = model.role(other).trust_policy.as_ref().unwrap();
    let entries: Vec<&PrincipalValue> = other_trust.statements[0]
        .principal
        .as_ref()
        .unwrap()
        .entries
        .iter()
        .map(|e| &e.value)
        .collect();
    assert_eq!(
        entries,
        [
            &PrincipalValue::Session(s1),
            &PrincipalValue::Other("arn:aws:iam::999988887777:user/x".into()),
            &PrincipalValue::Everyone,
        ]
    );
    // The graph: Ops trusts alice and itself directly (Allow entries), Other the session.
    let trusted = |role: crate::model::RoleId| -> Vec<Node> {
        let mut found: Vec<Node> = model
            .graph
            .edges(model.role_nodes[role.index()])
            .filter(|e| *e.weight() == Edge::Trusts)
            .map(|e| model.graph[petgraph::visit::EdgeRef::target(&e)])
            .collect();
        found.sort_by_key(|n| format!("{n:?}"));
        found.dedup();
        found
    };
    assert_eq!(trusted(ops), [Node::Role(ops), Node::User(alice)]);
    assert_eq!(trusted(other), [Node::Session(s1)]);
    // A role without trust clauses has no trust policy: nobody assumes it.
    let model = lower_clean("role Lonely");
    assert!(model.roles[0].trust_policy.is_none());
}

/// What a statement means, without locations.
fn meaning(doc: &crate::model::PolicyDocument) -> Vec<String> {
    doc.statements
        .iter()
        .map(|st| {
            let principal = st.principal.as_ref().map(|p| {
                let values: Vec<String> =
                    p.entries.iter().map(|e| format!("{:?}", e.value)).collect();
                format!("not={} {}", p.not, values.join(","))
            });
            let actions: Vec<&str> = st.actions.iter().map(|a| a.text.as_str()).collect();
            let conditions: Vec<String> = st
                .conditions
                .iter()
                .map(|c| format!("{} {} {:?}", c.operator, c.key, c.values))
                .collect();
            format!(
                "{:?} not_action={} {actions:?} resources={} {principal:?} {conditions:?}",
                st.effect,
                st.not_action,
                st.resources.len()
            )
        })
        .collect()
}

#[test]
fn a_dsl_trust_block_means_what_its_json_twin_means() {
    let dsl = r#"account "111122223333"
user alice
role FromDsl { trust {
  version "2012-10-17"
  sid Users allow sts:AssumeRole, sts:TagSession principal aws "arn:aws:iam::111122223333:user/alice", service chime.amazonaws.com
  deny not sts:AssumeRole not principal aws "111122223333" when { Bool aws:MultiFactorAuthPresent = false }
} }
role FromJson { trust from "trust.json" }"#;
    let json = r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "Users", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice", "Service": "chime.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]},
  {"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "NotAction": "sts:AssumeRole", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]}"#;
    let (model, diags) = lower(&[("org.vp", dsl), ("trust.json", json)]);
    assert!(diags.is_empty(), "{diags:#?}");
    let trust = |name: &str| {
        let Principal::Role(r) = principal(&model, name) else {
            panic!("a role")
        };
        meaning(model.role(r).trust_policy.as_ref().unwrap())
    };
    assert_eq!(trust("role/FromDsl"), trust("role/FromJson"));
    assert_eq!(trust("role/FromDsl").len(), 2);
}

#[test]
fn trust_policies_follow_g1_and_g6() {
    check_diags(
        r#"role R { trust {
  allow sts:AssumeRole
  allow s3:GetObject principal aws "*"
  allow sts:AssumeRole principal aws "arn:aws:iam::*:role/x", aws "arn:aws:s3:::bucket", aws "bob"
  allow sts:AssumeRole principal aws "111122223333" on "*"
  allow sts:Assume* principal service "*.amazonaws.com", federated "cognito-identity.amazonaws.com"
  allow sts:AssumeRole principal "alice"
  allow sts:AssumeRole principal aws "AIDAJQABLZS4A3QDU576Q"
} }"#,
        &[
            "E0120 2:3 trust policy statement must contain a principal",
            "E0122 3:9 action `s3:GetObject` is not allowed in a trust policy",
            "E0123 4:38 invalid principal `arn:aws:iam::*:role/x`",
            "E0123 4:67 invalid principal `arn:aws:s3:::bucket`",
            "E0123 4:94 invalid principal `bob`",
            "E0121 5:56 trust policy statement has prohibited field `Resource`",
            "E0123 6:39 invalid principal `*.amazonaws.com`",
            "E0123 7:34 invalid principal `alice`",
            "W0120 8:38 trust policy names `AIDAJQABLZS4A3QDU576Q`, the unique id of a deleted principal",
        ],
    );
    // JSON trust policies: the same rules, and both Principal and NotPrincipal is an error.
    let (_, diags) = lower(&[
        (
            "org.vp",
            "role R { trust from \"trust.json\" }\nrole S { trust from \"s.json\" trust {} }",
        ),
        (
            "trust.json",
            r#"{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "*"}, "NotPrincipal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
                {"Effect": "Allow", "Principal": {"Role": "x"}, "Action": "sts:AssumeRole"}]}"#,
        ),
        (
            "s.json",
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}}"#,
        ),
    ]);
    assert_eq!(
        diags,
        [
            "E0213 org.vp:2:30 a role has at most one trust policy",
            "E0120 trust.json:2:80 statement has both `Principal` and `NotPrincipal`",
            "E0124 trust.json:3:51 unknown principal type `Role`",
        ]
    );
    // Principals are for trust policies only (V6).
    check_diags(
        "policy P { allow chime:* on * principal aws \"*\" }",
        &["E0104 1:41 policy document should not specify a principal"],
    );
}

// ---------------------------------------------------------------------------
// Service-linked roles (G5)
// ---------------------------------------------------------------------------

#[test]
fn service_linked_roles_are_trusted_by_their_service_and_exempt_from_scps() {
    let model = lower_clean(
        r#"account "111122223333"
           managed policy VoicePolicy { allow chime:GetVoiceConnector* }
           scp Guard { allow * deny chime:* }
           service-linked-role AWSServiceRoleForAmazonChimeVoiceConnector {
             service voiceconnector.chime.amazonaws.com
             attach VoicePolicy
           }
           role Normal
           assumed-role AWSServiceRoleForAmazonChimeVoiceConnector/vc1"#,
    );
    let slr = principal(&model, "role/AWSServiceRoleForAmazonChimeVoiceConnector");
    let Principal::Role(id) = slr else {
        panic!("a role")
    };
    let role = &model.role(id);
    assert!(role.service_linked);
    assert_eq!(
        role.path,
        "/aws-service-role/voiceconnector.chime.amazonaws.com/"
    );
    assert_eq!(
        role.arn.as_deref(),
        Some("arn:aws:iam::111122223333:role/aws-service-role/voiceconnector.chime.amazonaws.com/AWSServiceRoleForAmazonChimeVoiceConnector")
    );
    let trust = role.trust_policy.as_ref().unwrap();
    assert_eq!(
        trust.statements[0].principal.as_ref().unwrap().entries[0].value,
        PrincipalValue::Service("voiceconnector.chime.amazonaws.com".into())
    );
    // P6, G5: SCPs govern the normal role, not the SLR nor its sessions.
    let session = principal(
        &model,
        "assumed-role/AWSServiceRoleForAmazonChimeVoiceConnector/vc1",
    );
    assert!(model.permission_set(slr).scp_levels.is_empty());
    assert!(model.permission_set(session).scp_levels.is_empty());
    assert_eq!(
        model
            .permission_set(principal(&model, "role/Normal"))
            .scp_levels
            .len(),
        1
    );
}

#[test]
fn service_linked_roles_cannot_be_edited_or_shared() {
    check_diags(
        r#"managed policy SLRPolicy { allow chime:* }
service-linked-role S {
  service chime.amazonaws.com
  attach SLRPolicy
  boundary SLRPolicy
  policy Mine { allow * }
  trust user u
  path "/x/"
}
service-linked-role T
user u { attach SLRPolicy }"#,
        &[
            "E0221 5:12 a service-linked role cannot have a permissions boundary",
            "E0221 6:10 a service-linked role cannot have an inline policy",
            "E0222 7:9 the trust policy of a service-linked role is defined by its service",
            "E0221 8:8 the path of a service-linked role is fixed",
            "E0212 10:21 service-linked role `T` has no `service`",
            "E0220 11:6 `SLRPolicy` is the policy of a service-linked role and cannot be attached to user `u`",
        ],
    );
}

// ---------------------------------------------------------------------------
// SCPs (P1.2, P6, V2, V6, V14, D11)
// ---------------------------------------------------------------------------

#[test]
fn scps_apply_by_level_and_account() {
    let a = r#"account "111122223333"
scp AllowAll { allow * }
scp AlsoRoot at root { deny chime:DeleteAccount }
scp Eng at ou Engineering { allow chime:*, s3:* }
scp Guard at account { deny chime:Delete* }
user alice"#;
    let b = "account \"444455556666\"\nuser bob";
    let (model, _, diags) = lower_inputs(
        &[
            ("a.vp", a),
            ("b.vp", b),
            (
                "everyone.json",
                r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
            ),
        ],
        &[
            Input::auto("a.vp"),
            Input::auto("b.vp"),
            Input::scp("everyone.json", ScpLevel::Ou("Engineering".into())),
        ],
    );
    assert!(diags.is_empty(), "{diags:#?}");
    let levels = |who: &str| -> Vec<Vec<String>> {
        model
            .permission_set(principal(&model, who))
            .scp_levels
            .iter()
            .map(|level| policy_names(&model, level))
            .collect()
    };
    // Root, then the OU, then the account; an SCP without account governs both accounts.
    assert_eq!(
        levels("111122223333:user/alice"),
        [
            vec!["AllowAll", "AlsoRoot"],
            vec!["everyone", "Eng"],
            vec!["Guard"]
        ]
    );
    assert_eq!(levels("444455556666:user/bob"), [vec!["everyone"]]);
    // No SCPs at all: step P1.2 passes.
    let model = lower_clean("user alice");
    assert!(model
        .permission_set(model.principals()[0])
        .scp_levels
        .is_empty());
}

#[test]
fn scps_are_validated_as_scps() {
    // D11: NotAction, NotResource and Condition in Allow and Deny are fine.
    lower_clean(
        r#"scp Fine {
             allow not iam:* on not "arn:aws:s3:::secret/*" when { StringEquals aws:RequestedRegion = eu-west-1 }
             deny not chime:* when { Bool aws:SecureTransport = false }
           }"#,
    );
    let (_, _, diags) = lower_inputs(
        &[
            ("org.vp", "scp P { allow * principal aws \"*\" }\nscp P { allow * }\nscp Old from \"old.json\""),
            ("old.json", r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#),
        ],
        &[Input::auto("org.vp")],
    );
    assert_eq!(
        diags,
        [
            // A DSL statement with a principal gets no default `Resource`.
            "E0107 org.vp:1:9 policy statement must contain resources",
            "E0104 org.vp:1:27 policy document should not specify a principal",
            "E0202 org.vp:2:5 SCP `P` is defined more than once",
            "E0102 old.json:1:1 policy document must be version 2012-10-17 or greater",
        ]
    );
}

#[test]
fn scp_size_counts_white_space() {
    // 5,121 characters with white space, far fewer without.
    let doc = |padding: &str| {
        format!(
            r#"{{"Version": "2012-10-17",{padding}"Statement": {{"Effect": "Allow", "Action": "*", "Resource": "*"}}}}"#
        )
    };
    let doc = doc(&" ".repeat(5_121 - doc("").chars().count()));
    assert_eq!(doc.chars().count(), 5_121);
    let (_, _, diags) = lower_inputs(
        &[("org.vp", "scp Big from \"big.json\""), ("big.json", &doc)],
        &[
            Input::auto("org.vp"),
            Input::scp("big.json", ScpLevel::Root),
        ],
    );
    assert_eq!(
        diags,
        [
            "W0301 org.vp:1:5 SCP `Big` has 5121 characters, white space included; the quota is 5120",
            "E0301 big.json:1:1 SCP `big` has 5121 characters, white space included; the quota is 5120",
        ]
    );
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

#[test]
fn paths_normalize_lexically() {
    use std::path::Path;
    assert_eq!(
        super::read::normalize(Path::new("a/./b/../c.json")),
        "a/c.json"
    );
    assert_eq!(super::read::normalize(Path::new("../x/y")), "../x/y");
}

#[test]
fn closest_names_are_likely_typos() {
    use super::closest;
    let names = ["ChimeAdmin".to_string(), "Support".to_string()];
    assert_eq!(closest("chimeadmn", names.iter()), Some("ChimeAdmin"));
    assert_eq!(closest("Totally", names.iter()), None);
    // Ties go to the first name in sorted order, whatever the input order.
    let tied = ["Bb".to_string(), "Ab".to_string()];
    assert_eq!(closest("Xb", tied.iter()), Some("Ab"));
    // Huge names get no suggestion instead of quadratic work.
    assert_eq!(closest(&"a".repeat(100_000), names.iter()), None);
}

/// V14: managed policies attached to users, groups and roles, and groups per
/// user — in a DSL (a model, not a real account) they are warnings.
#[test]
fn managed_policy_and_group_quotas_are_checked_per_entity() {
    let mut src = String::new();
    for i in 0..21 {
        src.push_str(&format!(
            "managed policy M{i} {{ version \"2012-10-17\" allow chime:ListUsers }}\n"
        ));
    }
    let list = |n: usize| {
        (0..n)
            .map(|i| format!("M{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for g in 0..11 {
        src.push_str(&format!("group G{g}\n"));
    }
    let groups = (0..11)
        .map(|g| format!("G{g}"))
        .collect::<Vec<_>>()
        .join(", ");
    src.push_str(&format!("user eleven {{ attach {} }}\n", list(11)));
    src.push_str(&format!(
        "user many {{ attach {}  member {groups} }}\n",
        list(21)
    ));
    src.push_str(&format!("group Big {{ attach {} }}\n", list(11)));
    src.push_str(&format!("role Ten {{ attach {} }}\n", list(10)));
    src.push_str(&format!("role Twelve {{ attach {} }}\n", list(12)));
    let (_, diags) = lower(&[("org.vp", &src)]);
    let quotas: Vec<&str> = diags
        .iter()
        .filter(|d| d.starts_with("W0301") || d.starts_with("E0301"))
        .map(|d| d.split_once(' ').map_or("", |(_, rest)| rest))
        .map(|rest| rest.split_once(' ').map_or("", |(_, message)| message))
        .collect();
    assert_eq!(
        quotas,
        [
            "user `eleven` has 11 managed policies attached; the default quota is 10 (raisable to 20)",
            "user `many` has 21 managed policies attached; the quota is 20",
            "user `many` is in 11 groups; the quota is 10",
            "group `Big` has 11 managed policies attached; the quota is 10",
            "role `Twelve` has 12 managed policies attached; the default quota is 10 (raisable to 20)",
        ],
        "{diags:#?}"
    );
}

#[test]
fn a_principal_has_at_most_one_boundary() {
    let two = "policy A { allow chime:* }\npolicy B { allow chime:List* }\nuser u { boundary A  boundary B }\n";
    let (_, diags) = lower(&[("org.vp", two)]);
    let codes: Vec<&str> = diags.iter().filter_map(|d| d.split(' ').next()).collect();
    assert_eq!(codes, ["E0206"], "{diags:?}");
    lower_clean("policy A { allow chime:* }\nuser u { boundary A }\n");
}
