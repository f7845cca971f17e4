//! Tests of CloudFormation templates: each IAM resource type, each intrinsic
//! function, diagnostics at their YAML line and column, hostile templates,
//! and a property test that an organisation written as an account dump and
//! as the equivalent template compile to identical tables.

use proptest::prelude::*;

use crate::{compile, Compilation, Config, Input, MemoryLoader, TemplateSettings};

fn settings(parameters: &[(&str, &str)]) -> TemplateSettings {
    TemplateSettings {
        parameters: parameters
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        account: Some("111122223333".to_string()),
        region: Some("eu-west-1".to_string()),
        ..TemplateSettings::default()
    }
}

fn compile_template(path: &str, text: &str, templates: TemplateSettings) -> Compilation {
    let mut loader = MemoryLoader::default();
    loader.insert(path, text);
    let config = Config {
        templates,
        ..Config::default()
    };
    compile(&[Input::auto(path)], &config, &mut loader)
}

/// The diagnostics as `CODE line:col message`.
fn diags(out: &Compilation) -> Vec<String> {
    out.diagnostics
        .iter()
        .map(|d| {
            let at = d
                .primary
                .as_ref()
                .map_or("-".to_string(), |l| out.sources.describe(l.file, l.span));
            format!("{} {at} {}", d.code, d.message)
        })
        .collect()
}

/// Compiles and insists on no error; returns `check` for principal, action.
#[track_caller]
fn clean(path: &str, text: &str, parameters: &[(&str, &str)]) -> impl Fn(&str, &str) -> String {
    let out = compile_template(path, text, settings(parameters));
    let errors: Vec<String> = diags(&out)
        .into_iter()
        .filter(|d| d.starts_with('E'))
        .collect();
    assert!(errors.is_empty(), "unexpected errors: {errors:#?}");
    let table = out.table.expect("a table");
    move |p: &str, a: &str| match table.check(p, a) {
        Ok(d) => d.to_string(),
        Err(e) => format!("error: {e}"),
    }
}

const TRUST_CHIME: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "chime.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#;

#[test]
fn users_groups_roles_and_their_policies() {
    let text = format!(
        r#"{{
  "Resources": {{
    "Admins": {{"Type": "AWS::IAM::Group", "Properties": {{"GroupName": "admins",
      "Policies": [{{"PolicyName": "all", "PolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "chime:*", "Resource": "*"}}]}}}}]}}}},
    "Alice": {{"Type": "AWS::IAM::User", "Properties": {{"UserName": "alice", "Groups": [{{"Ref": "Admins"}}]}}}},
    "Bob": {{"Type": "AWS::IAM::User"}},
    "Carol": {{"Type": "AWS::IAM::User", "Properties": {{"UserName": "carol"}}}},
    "Ops": {{"Type": "AWS::IAM::Role", "Properties": {{"Path": "/ops/", "AssumeRolePolicyDocument": {TRUST_CHIME},
      "ManagedPolicyArns": [{{"Ref": "ReadOnly"}}]}}}},
    "ReadOnly": {{"Type": "AWS::IAM::ManagedPolicy", "Properties": {{"Users": [{{"Ref": "Bob"}}],
      "PolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": ["chime:List*", "chime:Get*"], "Resource": "*"}}]}}}}}},
    "Deleter": {{"Type": "AWS::IAM::Policy", "Properties": {{"PolicyName": "del", "Roles": [{{"Ref": "Ops"}}],
      "PolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "chime:DeleteAccount", "Resource": "*"}}]}}}}}},
    "CarolPolicy": {{"Type": "AWS::IAM::UserPolicy", "Properties": {{"PolicyName": "p", "UserName": {{"Ref": "Carol"}},
      "PolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "chime:ListUsers", "Resource": "*"}}]}}}}}},
    "CarolIn": {{"Type": "AWS::IAM::UserToGroupAddition", "Properties": {{"GroupName": {{"Ref": "Admins"}}, "Users": [{{"Ref": "Carol"}}]}}}},
    "Bucket": {{"Type": "AWS::S3::Bucket"}}
  }}
}}"#
    );
    let check = clean("t.json", &text, &[]);
    assert_eq!(check("user/alice", "chime:DeleteAccount"), "allow");
    assert_eq!(check("user/Bob", "chime:ListUsers"), "allow");
    assert_eq!(check("user/Bob", "chime:DeleteAccount"), "implicit-deny");
    assert_eq!(check("user/carol", "chime:DeleteAccount"), "allow");
    assert_eq!(check("role/Ops", "chime:GetAccount"), "allow");
    assert_eq!(check("role/Ops", "chime:DeleteAccount"), "allow");
    assert_eq!(check("role/Ops", "chime:CreateAccount"), "implicit-deny");
}

#[test]
fn role_and_group_policies_and_boundaries_in_yaml() {
    let text = r#"
Resources:
  Boundary:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: boundary
      PolicyDocument:
        Version: 2012-10-17
        Statement:
          - Effect: Allow
            Action: chime:List*
            Resource: '*'
  Dev:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement:
          - Effect: Allow
            Principal: {AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'}
            Action: sts:AssumeRole
      PermissionsBoundary: !Ref Boundary
  DevPolicy:
    Type: AWS::IAM::RolePolicy
    Properties:
      PolicyName: dev
      RoleName: !Ref Dev
      PolicyDocument:
        Version: 2012-10-17
        Statement:
          - Effect: Allow
            Action: ['chime:*']
            Resource: '*'
  Readers:
    Type: AWS::IAM::Group
  ReadersPolicy:
    Type: AWS::IAM::GroupPolicy
    Properties:
      GroupName: !Ref Readers
      PolicyName: read
      PolicyDocument:
        Version: 2012-10-17
        Statement:
          - Effect: Allow
            Action: chime:Get*
            Resource: '*'
  Dana:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref Readers]
  Linked:
    Type: AWS::IAM::ServiceLinkedRole
    Properties:
      AWSServiceName: chime.amazonaws.com
"#;
    let check = clean("t.yaml", text, &[]);
    assert_eq!(check("role/Dev", "chime:ListUsers"), "allow");
    assert_eq!(check("role/Dev", "chime:DeleteAccount"), "implicit-deny");
    assert_eq!(check("user/Dana", "chime:GetAccount"), "allow");
    assert_eq!(check("user/Dana", "chime:ListUsers"), "implicit-deny");
    assert_eq!(check("role/Linked", "chime:ListUsers"), "implicit-deny");
}

/// A template whose one user gets `ACTION` from `EXPR` (an intrinsic).
fn with_action(expr: &str) -> String {
    format!(
        r#"
Parameters:
  Service: {{Type: String, Default: chime}}
  Verbs: {{Type: CommaDelimitedList, Default: "List,Get"}}
  Stage: {{Type: String, Default: dev}}
Mappings:
  Actions:
    dev: {{verb: ListUsers}}
    prod: {{verb: GetAccount}}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsDev, !Or [!Equals [a, a], !Condition IsProd]]
Resources:
  U:
    Type: AWS::IAM::User
    Properties:
      UserName: u
      Policies:
        - PolicyName: p
          PolicyDocument:
            Version: 2012-10-17
            Statement:
              - Effect: Allow
                Action: {expr}
                Resource: '*'
"#
    )
}

#[test]
fn each_intrinsic_function() {
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case] = &[
        ("!Sub '${Service}:ListUsers'", &[], "chime:ListUsers"),
        (
            "!Sub ['${S}:ListUsers', {S: !Ref Service}]",
            &[],
            "chime:ListUsers",
        ),
        (
            "!Join [':', [!Ref Service, GetAccount]]",
            &[],
            "chime:GetAccount",
        ),
        (
            "!If [IsProd, 'chime:GetAccount', 'chime:ListUsers']",
            &[],
            "chime:ListUsers",
        ),
        (
            "!If [IsProd, 'chime:GetAccount', 'chime:ListUsers']",
            &[("Stage", "prod")],
            "chime:GetAccount",
        ),
        (
            "!If [Both, 'chime:GetAccount', 'chime:ListUsers']",
            &[],
            "chime:GetAccount",
        ),
        (
            "!Sub ['chime:${V}Users', {V: !Select [0, !Ref Verbs]}]",
            &[],
            "chime:ListUsers",
        ),
        (
            "!Select [1, !Split [',', 'chime:ListUsers,chime:GetAccount']]",
            &[],
            "chime:GetAccount",
        ),
        (
            "!Sub ['chime:${V}', {V: !FindInMap [Actions, !Ref Stage, verb]}]",
            &[],
            "chime:ListUsers",
        ),
        (
            "!Sub ['chime:${V}', {V: !FindInMap [Actions, !Ref Stage, verb]}]",
            &[("Stage", "prod")],
            "chime:GetAccount",
        ),
        (
            "[!Ref AWS::NoValue, 'chime:ListUsers']",
            &[],
            "chime:ListUsers",
        ),
    ];
    for (expr, parameters, granted) in cases {
        let text = with_action(expr);
        let check = clean("t.yaml", &text, parameters);
        assert_eq!(check("user/u", granted), "allow", "{expr} {parameters:?}");
        for other in ["chime:ListUsers", "chime:GetAccount"] {
            if other != *granted {
                assert_eq!(
                    check("user/u", other),
                    "implicit-deny",
                    "{expr} {parameters:?}"
                );
            }
        }
    }
}

#[test]
fn unresolved_values_are_errors_at_their_yaml_place() {
    let out = compile_template(
        "t.yaml",
        &with_action("!Sub '${Missing}:ListUsers'"),
        settings(&[]),
    );
    assert!(out.table.is_none());
    assert_eq!(
        diags(&out),
        ["E0251 t.yaml:25:25 `Ref` to `Missing`, which the template does not declare"]
    );
    let out = compile_template("t.yaml", &with_action("!GetAtt B.Arn"), settings(&[]));
    assert_eq!(
        diags(&out),
        ["E0251 t.yaml:25:25 `Fn::GetAtt` of `B`, which the template does not declare"]
    );
    let text = with_action("!ImportValue shared-action");
    let out = compile_template("t.yaml", &text, settings(&[]));
    assert_eq!(
        diags(&out),
        ["E0250 t.yaml:25:25 `Fn::ImportValue` cannot be resolved within the template"]
    );
    let related = &out.diagnostics[0].related;
    assert_eq!(related.len(), 1, "the statement is reported");
    assert_eq!(
        out.sources.describe(related[0].file, related[0].span),
        "t.yaml:24:17"
    );
    let text = with_action("!Ref Region")
        .replace("Parameters:\n", "Parameters:\n  Region: {Type: String}\n");
    let out = compile_template("t.yaml", &text, settings(&[]));
    assert_eq!(
        diags(&out),
        ["E0250 t.yaml:26:25 parameter `Region` has no value and no default"]
    );
    let mut no_region = settings(&[]);
    no_region.region = None;
    let out = compile_template(
        "t.yaml",
        &with_action("!Sub 'chime:${AWS::Region}'"),
        no_region,
    );
    assert_eq!(
        diags(&out),
        ["E0250 t.yaml:25:25 `AWS::Region` is not known"]
    );
}

#[test]
fn non_iam_resources_stand_in_only_in_resources() {
    let text = r#"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  U:
    Type: AWS::IAM::User
    Properties:
      Policies:
        - PolicyName: p
          PolicyDocument:
            Version: 2012-10-17
            Statement:
              - Effect: Allow
                Action: chime:ListUsers
                Resource: [!GetAtt Bucket.Arn, !Sub '${Bucket.Arn}/*', !Sub 'arn:aws:s3:::${Bucket}']
"#;
    let out = compile_template("t.yaml", text, settings(&[]));
    let got = diags(&out);
    assert!(
        got.contains(&"W0250 t.yaml:15:28 `Bucket` (`AWS::S3::Bucket`) is not an IAM resource: in resources and condition values it stands in as `arn:aws:s3:eu-west-1:111122223333:bucket/Bucket`".to_string()),
        "{got:#?}"
    );
    assert!(!got.iter().any(|d| d.starts_with('E')), "{got:#?}");
    let text = text.replace("Action: chime:ListUsers", "Action: !Ref Bucket");
    let out = compile_template("t.yaml", &text, settings(&[]));
    assert_eq!(
        diags(&out),
        ["E0250 t.yaml:14:25 `Ref Bucket` (`AWS::S3::Bucket`) is known only once it is deployed"]
    );
}

#[test]
fn resource_conditions_and_missing_entities() {
    let text = r#"
Parameters:
  WithAdmin: {Type: String, Default: "no"}
Conditions:
  Admin: !Equals [!Ref WithAdmin, "yes"]
Resources:
  U:
    Type: AWS::IAM::User
    Properties:
      UserName: u
  Grant:
    Type: AWS::IAM::Policy
    Condition: Admin
    Properties:
      PolicyName: admin
      Users: [!Ref U]
      PolicyDocument: {Version: 2012-10-17, Statement: [{Effect: Allow, Action: '*', Resource: '*'}]}
"#;
    assert_eq!(
        clean("t.yaml", text, &[])("user/u", "chime:ListUsers"),
        "implicit-deny"
    );
    assert_eq!(
        clean("t.yaml", text, &[("WithAdmin", "yes")])("user/u", "chime:ListUsers"),
        "allow"
    );
    let other = text.replace("Users: [!Ref U]", "Users: [someone]");
    let out = compile_template("t.yaml", &other, settings(&[("WithAdmin", "yes")]));
    assert_eq!(
        diags(&out),
        ["E0252 t.yaml:16:15 the template gives user `someone` a policy or group, but does not create it"]
    );
}

#[test]
fn template_errors_of_shape() {
    let cases = [
        (
            "Resources:\n  R:\n    Type: AWS::IAM::Role\n",
            "E0251 t.yaml:2:3 role `R` has no `AssumeRolePolicyDocument`",
        ),
        (
            "Conditions:\n  A: !Condition B\n  B: !Condition A\nResources:\n  U:\n    Type: AWS::IAM::User\n    Condition: A\n",
            "E0251 t.yaml:3:6 condition `A` depends on itself",
        ),
        (
            "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: p\n      PolicyDocument: {Statement: []}\n",
            "E0251 t.yaml:2:3 policy `P` names no `Users`, `Groups` or `Roles`",
        ),
    ];
    for (text, expected) in cases {
        let out = compile_template("t.yaml", text, settings(&[]));
        assert!(
            diags(&out).contains(&expected.to_string()),
            "{:#?}",
            diags(&out)
        );
    }
    let out = compile_template("t.yaml", "Resources:\n  U: !Bogus x\n", settings(&[]));
    assert_eq!(diags(&out), ["E0001 t.yaml:2:6 unknown YAML tag `!Bogus`"]);
}

#[test]
fn hostile_templates_error_cleanly() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        bomb += &format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 10].join(", ")
        );
    }
    bomb += "Resources: {}\n";
    let out = compile_template("bomb.yaml", &bomb, settings(&[]));
    assert!(out.table.is_none());
    assert!(diags(&out)[0].starts_with("E0003 "), "{:?}", diags(&out));
    let deep = format!("Resources: {}x{}\n", "[".repeat(500), "]".repeat(500));
    let out = compile_template("deep.yaml", &deep, settings(&[]));
    assert!(diags(&out)[0].starts_with("E0003 "), "{:?}", diags(&out));
    let huge = format!(
        "Resources:\n  U:\n    Type: AWS::IAM::User\n    Properties: {{UserName: {}}}\n",
        "x".repeat(100_000)
    );
    let out = compile_template("huge.yaml", &huge, settings(&[]));
    assert!(diags(&out)[0].starts_with("E0003 "), "{:?}", diags(&out));
    // Conditions naming each other twice at each level: evaluated once
    // each, and a chain too long is an error, not a stack overflow.
    let chain = |n: usize| {
        let mut chain = String::from("Conditions:\n  cond0: !Equals [a, a]\n");
        for i in 1..n {
            chain += &format!(
                "  cond{i}: !And [!Condition cond{}, !Condition cond{}]\n",
                i - 1,
                i - 1
            );
        }
        chain
            + &format!(
                "Resources:\n  U:\n    Type: AWS::IAM::User\n    Condition: cond{}\n",
                n - 1
            )
    };
    let out = compile_template("chain.yaml", &chain(60), settings(&[]));
    assert!(out.table.is_some(), "{:?}", diags(&out));
    let out = compile_template("chain.yaml", &chain(2000), settings(&[]));
    assert!(
        diags(&out)[0].contains("conditions nested deeper than 64 levels"),
        "{:?}",
        diags(&out)
    );
}

// ---------------------------------------------------------------------------
// The same organisation as a dump and as a template
// ---------------------------------------------------------------------------

const ACTIONS: [&str; 6] = [
    "chime:ListUsers",
    "chime:GetAccount",
    "chime:DeleteAccount",
    "chime:CreateAccount",
    "chime:List*",
    "chime:*",
];

/// A user: groups, attached policies, an inline (allow, actions).
type OrgUser = (Vec<usize>, Vec<usize>, Option<(bool, Vec<usize>)>);

/// A small organisation: users in groups, roles, managed policies.
#[derive(Clone, Debug)]
struct Org {
    /// Per managed policy: (effect is allow, actions).
    policies: Vec<(bool, Vec<usize>)>,
    /// Per group: attached policies.
    groups: Vec<Vec<usize>>,
    /// Per user: groups, attached policies, inline (allow, actions).
    users: Vec<OrgUser>,
    /// Per role: attached policies, boundary.
    roles: Vec<(Vec<usize>, Option<usize>)>,
}

fn org() -> impl Strategy<Value = Org> {
    let statement = (any::<bool>(), prop::collection::vec(0..ACTIONS.len(), 1..3));
    (
        prop::collection::vec(statement.clone(), 1..4),
        1..3usize,
        1..4usize,
        0..3usize,
    )
        .prop_flat_map(move |(policies, n_groups, n_users, n_roles)| {
            let np = policies.len();
            let picks = move |n: usize| {
                prop::collection::vec(0..n, 0..3).prop_map(|mut v| {
                    v.sort_unstable();
                    v.dedup();
                    v
                })
            };
            (
                Just(policies),
                prop::collection::vec(picks(np), n_groups),
                prop::collection::vec(
                    (
                        picks(n_groups),
                        picks(np),
                        prop::option::of(statement.clone()),
                    ),
                    n_users,
                ),
                prop::collection::vec((picks(np), prop::option::of(0..np)), n_roles),
            )
        })
        .prop_map(|(policies, groups, users, roles)| Org {
            policies,
            groups,
            users,
            roles,
        })
}

fn document(allow: bool, actions: &[usize]) -> String {
    let actions: Vec<String> = actions
        .iter()
        .map(|&a| format!("\"{}\"", ACTIONS[a]))
        .collect();
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "{}", "Action": [{}], "Resource": "*"}}]}}"#,
        if allow { "Allow" } else { "Deny" },
        actions.join(", ")
    )
}

const ACCOUNT: &str = "111122223333";

fn as_dump(org: &Org) -> String {
    let arn = |p: usize| format!("\"arn:aws:iam::{ACCOUNT}:policy/p{p}\"");
    let attached = |ps: &[usize]| {
        ps.iter()
            .map(|&p| format!("{{\"PolicyName\": \"p{p}\", \"PolicyArn\": {}}}", arn(p)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let policies: Vec<String> = org.policies.iter().enumerate().map(|(i, (allow, actions))| format!(
        r#"{{"PolicyName": "p{i}", "Arn": {}, "Path": "/", "DefaultVersionId": "v1", "PolicyVersionList": [{{"VersionId": "v1", "IsDefaultVersion": true, "Document": {}}}]}}"#,
        arn(i), document(*allow, actions))).collect();
    let groups: Vec<String> = org.groups.iter().enumerate().map(|(i, ps)| format!(
        r#"{{"GroupName": "g{i}", "Path": "/", "Arn": "arn:aws:iam::{ACCOUNT}:group/g{i}", "GroupPolicyList": [], "AttachedManagedPolicies": [{}]}}"#,
        attached(ps))).collect();
    let users: Vec<String> = org.users.iter().enumerate().map(|(i, (gs, ps, inline))| {
        let gs: Vec<String> = gs.iter().map(|g| format!("\"g{g}\"")).collect();
        let inline = inline.as_ref().map_or(String::new(), |(allow, actions)| format!(
            r#"{{"PolicyName": "inline", "PolicyDocument": {}}}"#, document(*allow, actions)));
        format!(
            r#"{{"UserName": "u{i}", "Path": "/", "Arn": "arn:aws:iam::{ACCOUNT}:user/u{i}", "GroupList": [{}], "UserPolicyList": [{inline}], "AttachedManagedPolicies": [{}]}}"#,
            gs.join(", "), attached(ps))
    }).collect();
    let roles: Vec<String> = org.roles.iter().enumerate().map(|(i, (ps, boundary))| {
        let boundary = boundary.map_or(String::new(), |b| format!(
            r#", "PermissionsBoundary": {{"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": {}}}"#, arn(b)));
        format!(
            r#"{{"RoleName": "r{i}", "Path": "/", "Arn": "arn:aws:iam::{ACCOUNT}:role/r{i}", "AssumeRolePolicyDocument": {TRUST_CHIME}, "RolePolicyList": [], "AttachedManagedPolicies": [{}]{boundary}}}"#,
            attached(ps))
    }).collect();
    format!(
        r#"{{"UserDetailList": [{}], "GroupDetailList": [{}], "RoleDetailList": [{}], "Policies": [{}]}}"#,
        users.join(", "),
        groups.join(", "),
        roles.join(", "),
        policies.join(", ")
    )
}

/// The same organisation as a template, in the ways a template can say it:
/// attachments from the entity or from the policy, inline policies in the
/// entity or as `AWS::IAM::UserPolicy`, groups in the user or added.
fn as_template(org: &Org, style: u8) -> String {
    let mut resources = Vec::new();
    for (i, (allow, actions)) in org.policies.iter().enumerate() {
        let mut props = format!(
            r#""ManagedPolicyName": "p{i}", "PolicyDocument": {}"#,
            document(*allow, actions)
        );
        if style & 1 == 1 {
            // Attached from the policy's side.
            let users: Vec<String> = org
                .users
                .iter()
                .enumerate()
                .filter(|(_, u)| u.1.contains(&i))
                .map(|(u, _)| format!("{{\"Ref\": \"U{u}\"}}"))
                .collect();
            let groups: Vec<String> = org
                .groups
                .iter()
                .enumerate()
                .filter(|(_, g)| g.contains(&i))
                .map(|(g, _)| format!("\"g{g}\""))
                .collect();
            let roles: Vec<String> = org
                .roles
                .iter()
                .enumerate()
                .filter(|(_, r)| r.0.contains(&i))
                .map(|(r, _)| format!("{{\"Ref\": \"R{r}\"}}"))
                .collect();
            props += &format!(
                r#", "Users": [{}], "Groups": [{}], "Roles": [{}]"#,
                users.join(", "),
                groups.join(", "),
                roles.join(", ")
            );
        }
        resources.push(format!(
            r#""P{i}": {{"Type": "AWS::IAM::ManagedPolicy", "Properties": {{{props}}}}}"#
        ));
    }
    let arns = |ps: &[usize]| {
        if style & 1 == 1 {
            return String::new();
        }
        let refs: Vec<String> = ps
            .iter()
            .map(|p| format!("{{\"Ref\": \"P{p}\"}}"))
            .collect();
        format!(r#", "ManagedPolicyArns": [{}]"#, refs.join(", "))
    };
    for (i, ps) in org.groups.iter().enumerate() {
        resources.push(format!(
            r#""G{i}": {{"Type": "AWS::IAM::Group", "Properties": {{"GroupName": "g{i}"{}}}}}"#,
            arns(ps)
        ));
    }
    for (i, (gs, ps, inline)) in org.users.iter().enumerate() {
        let gs: Vec<String> = gs
            .iter()
            .map(|g| format!("{{\"Ref\": \"G{g}\"}}"))
            .collect();
        let mut props = format!(r#""UserName": {{"Fn::Sub": "u{i}"}}{}"#, arns(ps));
        if style & 2 == 0 {
            props += &format!(r#", "Groups": [{}]"#, gs.join(", "));
        } else if !gs.is_empty() {
            for (k, g) in gs.iter().enumerate() {
                resources.push(format!(r#""Add{i}x{k}": {{"Type": "AWS::IAM::UserToGroupAddition", "Properties": {{"GroupName": {g}, "Users": [{{"Ref": "U{i}"}}]}}}}"#));
            }
        }
        if let Some((allow, actions)) = inline {
            if style & 4 == 0 {
                props += &format!(
                    r#", "Policies": [{{"PolicyName": "inline", "PolicyDocument": {}}}]"#,
                    document(*allow, actions)
                );
            } else {
                resources.push(format!(r#""UP{i}": {{"Type": "AWS::IAM::UserPolicy", "Properties": {{"UserName": {{"Ref": "U{i}"}}, "PolicyName": "inline", "PolicyDocument": {}}}}}"#, document(*allow, actions)));
            }
        }
        resources.push(format!(
            r#""U{i}": {{"Type": "AWS::IAM::User", "Properties": {{{props}}}}}"#
        ));
    }
    for (i, (ps, boundary)) in org.roles.iter().enumerate() {
        let boundary = boundary.map_or(String::new(), |b| {
            format!(r#", "PermissionsBoundary": {{"Ref": "P{b}"}}"#)
        });
        resources.push(format!(r#""R{i}": {{"Type": "AWS::IAM::Role", "Properties": {{"RoleName": "r{i}", "AssumeRolePolicyDocument": {TRUST_CHIME}{}{boundary}}}}}"#, arns(ps)));
    }
    format!(
        "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {{{}}}}}",
        resources.join(",\n")
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn a_dump_and_its_template_compile_to_the_same_table(org in org(), style in 0u8..8) {
        let mut loader = MemoryLoader::default();
        loader.insert("dump.json", as_dump(&org));
        let dump = compile(&[Input::account_dump("dump.json")], &Config::default(), &mut loader);
        let template = compile_template("t.json", &as_template(&org, style), TemplateSettings {
            account: Some(ACCOUNT.to_string()),
            ..TemplateSettings::default()
        });
        prop_assert!(dump.table.is_some(), "{:?}", dump.diagnostics);
        prop_assert!(template.table.is_some(), "{:?}", diags(&template));
        let (a, b) = (dump.table.unwrap(), template.table.unwrap());
        prop_assert_eq!(a.to_bytes(), b.to_bytes());
    }
}
