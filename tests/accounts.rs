//! Property tests of whole accounts: random users, groups, roles,
//! boundaries, declared role sessions (session policies, session tags),
//! federated users (with and without session policies), SCPs at up to three
//! levels (Deny and conditional statements among them) and a service-linked
//! role → for every principal × action, plainly and under a few random
//! request contexts and resources, the compiled table (in memory and after a
//! bytes round trip) answers as the reference evaluator (SEMANTICS.md P1,
//! P4, P6, P7, P8, G5, K2).
//!
//! Statements, condition pairs and requests come from the generators of
//! `conditions`; actions range over services that P8 treats specially.
//!
//! Cases per property: 48 by default; `PROPTEST_CASES=2000` for a heavy run.

use proptest::prelude::*;
use verdict_compiler::reference::{self, Request};
use verdict_compiler::{compile, Catalog, Config, Input, MemoryLoader};
use verdict_runtime::{Context, Table};

use crate::conditions::{context_of, pair, policy_json, req, Stmt, RESOURCES};
use crate::props::cases;

/// Action patterns of statements: the catalog's services, P8's `iam:*` and
/// `sts:*`, single actions and cross-service wildcards.
const ACTIONS: &[&str] = &[
    "*",
    "svc:*",
    "svc:Read",
    "svc:List",
    "chime:ListUsers",
    "iam:*",
    "iam:GetUser",
    "sts:*",
    "sts:Get*",
    "sts:AssumeRole",
    "*:List*",
];

pub(crate) fn catalog() -> Catalog {
    Catalog::from_text(
        "accounts",
        "svc:Read\tRead\tthing\nsvc:Write\tWrite\tthing\nsvc:List\tList\t\n\
         chime:ListUsers\tList\t\niam:GetUser\tRead\tuser\niam:CreateUser\tWrite\tuser\n\
         sts:AssumeRole\tWrite\trole\nsts:GetFederationToken\tRead\t\n\
         sts:GetSessionToken\tRead\t\nsts:GetCallerIdentity\tRead\t\n",
    )
    .expect("valid catalog")
}

/// A statement; half of them unconditional, half on the resource `*`, so
/// that bitset algebra and residuals both get work.
fn stmt(allow_bias: f64) -> impl Strategy<Value = Stmt> {
    (
        prop::bool::weighted(1.0 - allow_bias),
        proptest::collection::vec(prop::sample::select(ACTIONS), 1..3),
        prop_oneof![Just(0u8), 0..RESOURCES.len() as u8],
        prop_oneof![Just(Vec::new()), proptest::collection::vec(pair(), 1..3)],
    )
        .prop_map(|(deny, actions, resource, pairs)| Stmt {
            deny,
            actions,
            resource,
            pairs,
        })
}

fn stmts(allow_bias: f64) -> impl Strategy<Value = Vec<Stmt>> {
    proptest::collection::vec(stmt(allow_bias), 1..4)
}

/// An SCP: maybe `FullAWSAccess` (`Allow *`) first, then random statements.
fn scp() -> impl Strategy<Value = Vec<Stmt>> {
    (any::<bool>(), stmts(0.85)).prop_map(|(full, mut rest)| {
        if full {
            rest.insert(
                0,
                Stmt {
                    deny: false,
                    actions: vec!["*"],
                    resource: 0,
                    pairs: Vec::new(),
                },
            );
        }
        rest
    })
}

type Tag = Option<&'static str>;

fn tag() -> impl Strategy<Value = Tag> {
    proptest::option::of(prop::sample::select(&["red", "blue", "Red", "u0"][..]))
}

/// A session of a role or a federated user: whose (role or user index),
/// inline session policy, managed session policies (indices of versioned
/// policies), session tag `team` (spelled `TEAM` when the flag says so).
type SessionSpec = (usize, Option<Vec<Stmt>>, Vec<usize>, Tag, bool);

/// A user: groups, policies, boundary, `team` tag, `env` tag.
type UserSpec = (Vec<usize>, Vec<usize>, Option<usize>, Tag, Tag);

#[derive(Clone, Debug)]
pub(crate) struct Account {
    /// (versioned: declared `managed`, statements).
    policies: Vec<(bool, Vec<Stmt>)>,
    groups: Vec<Vec<usize>>,
    users: Vec<UserSpec>,
    /// policies, boundary, team tag.
    roles: Vec<(Vec<usize>, Option<usize>, Tag)>,
    /// The service-linked role's own policy, if there is one.
    slr: Option<Vec<Stmt>>,
    /// Role index (the service-linked role is the last one).
    sessions: Vec<SessionSpec>,
    federated: Vec<SessionSpec>,
    /// Per level in use (root, ou Eng, ou Team, account, in this order, the
    /// flags saying which), the SCPs attached there.
    scp_levels: [bool; 4],
    scps: Vec<Vec<Vec<Stmt>>>,
}

pub(crate) fn account() -> impl Strategy<Value = Account> {
    (
        proptest::collection::vec((prop::bool::weighted(0.8), stmts(0.75)), 1..5),
        prop::option::weighted(0.6, stmts(0.85)),
        any::<[bool; 4]>(),
        proptest::collection::vec(proptest::collection::vec(scp(), 1..3), 4),
    )
        .prop_flat_map(|(policies, slr, mut scp_levels, scps)| {
            // At most three levels.
            if scp_levels.iter().all(|&l| l) {
                scp_levels[1] = false;
            }
            let n = policies.len();
            let versioned: Vec<usize> = (0..n).filter(|&i| policies[i].0).collect();
            let groups = proptest::collection::vec(proptest::collection::vec(0..n, 0..3), 0..3);
            let users = proptest::collection::vec(
                (
                    proptest::collection::vec(0..3usize, 0..3),
                    proptest::collection::vec(0..n, 0..3),
                    proptest::option::weighted(0.25, 0..n),
                    tag(),
                    tag(),
                ),
                1..4,
            );
            let roles = proptest::collection::vec(
                (
                    proptest::collection::vec(0..n, 0..3),
                    proptest::option::weighted(0.25, 0..n),
                    tag(),
                ),
                1..3,
            );
            let session = move || {
                let managed = if versioned.is_empty() {
                    Just(Vec::new()).boxed()
                } else {
                    proptest::collection::vec(prop::sample::select(versioned.clone()), 0..2).boxed()
                };
                (
                    0..4usize,
                    prop::option::weighted(0.6, stmts(0.8)),
                    managed,
                    tag(),
                    any::<bool>(),
                )
            };
            let sessions = proptest::collection::vec(session(), 0..4);
            let federated = proptest::collection::vec(session(), 0..3);
            (
                Just((policies, slr, scp_levels, scps)),
                groups,
                users,
                roles,
                sessions,
                federated,
            )
        })
        .prop_map(
            |((policies, slr, scp_levels, scps), groups, users, roles, sessions, federated)| {
                Account {
                    policies,
                    groups,
                    users,
                    roles,
                    slr,
                    sessions,
                    federated,
                    scp_levels,
                    scps,
                }
            },
        )
}

fn list(prefix: &str, idx: &[usize]) -> String {
    idx.iter()
        .map(|i| format!("{prefix}{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The account as DSL + JSON files.
pub(crate) fn materialize(spec: &Account) -> MemoryLoader {
    let mut files = MemoryLoader::default();
    let mut dsl = String::new();
    for (i, (versioned, stmts)) in spec.policies.iter().enumerate() {
        files.insert(format!("p{i}.json"), policy_json(*versioned, stmts));
        let managed = if *versioned { "managed " } else { "" };
        dsl.push_str(&format!("{managed}policy P{i} from \"p{i}.json\"\n"));
    }
    const LEVELS: [&str; 4] = ["root", "ou Eng", "ou Team", "account"];
    for (l, level) in LEVELS.iter().enumerate() {
        if !spec.scp_levels[l] {
            continue;
        }
        for (k, scp) in spec.scps[l].iter().enumerate() {
            files.insert(format!("scp{l}_{k}.json"), policy_json(true, scp));
            dsl.push_str(&format!(
                "scp S{l}_{k} at {level} from \"scp{l}_{k}.json\"\n"
            ));
        }
    }
    let n_groups = spec.groups.len();
    for (i, g) in spec.groups.iter().enumerate() {
        let attach = if g.is_empty() {
            String::new()
        } else {
            format!("attach {}", list("P", g))
        };
        dsl.push_str(&format!("group G{i} {{ {attach} }}\n"));
    }
    let tags = |team: &Tag, env: &Tag, team_key: &str| {
        let mut out = String::new();
        if let Some(t) = team {
            out.push_str(&format!(" tag {team_key} = {t}"));
        }
        if let Some(e) = env {
            out.push_str(&format!(" tag env = {e}"));
        }
        out
    };
    for (i, (groups, policies, boundary, team, env)) in spec.users.iter().enumerate() {
        let groups: Vec<usize> = groups.iter().copied().filter(|&g| g < n_groups).collect();
        let mut body = String::new();
        if !groups.is_empty() {
            body.push_str(&format!(" member {}", list("G", &groups)));
        }
        if !policies.is_empty() {
            body.push_str(&format!(" attach {}", list("P", policies)));
        }
        if let Some(b) = boundary {
            body.push_str(&format!(" boundary P{b}"));
        }
        body.push_str(&tags(team, env, "team"));
        dsl.push_str(&format!("user u{i} {{{body} }}\n"));
    }
    let mut role_names: Vec<String> = Vec::new();
    for (i, (policies, boundary, team)) in spec.roles.iter().enumerate() {
        let mut body = String::new();
        if !policies.is_empty() {
            body.push_str(&format!(" attach {}", list("P", policies)));
        }
        if let Some(b) = boundary {
            body.push_str(&format!(" boundary P{b}"));
        }
        body.push_str(&tags(team, &None, "team"));
        dsl.push_str(&format!("role r{i} {{{body} }}\n"));
        role_names.push(format!("r{i}"));
    }
    if let Some(stmts) = &spec.slr {
        files.insert("slr.json", policy_json(true, stmts));
        dsl.push_str("managed policy SlrPolicy from \"slr.json\"\n");
        dsl.push_str(
            "service-linked-role AWSServiceRoleForSvc { service svc.amazonaws.com  attach SlrPolicy  tag team = red }\n",
        );
        role_names.push("AWSServiceRoleForSvc".to_string());
    }
    let session_body = |name: &str,
                        inline: &Option<Vec<Stmt>>,
                        managed: &[usize],
                        team: &Tag,
                        upper: bool,
                        files: &mut MemoryLoader| {
        let mut body = String::new();
        if let Some(stmts) = inline {
            files.insert(format!("{name}.json"), policy_json(true, stmts));
            body.push_str(&format!(" policy SP from \"{name}.json\""));
        }
        if !managed.is_empty() {
            body.push_str(&format!(" attach {}", list("P", managed)));
        }
        body.push_str(&tags(team, &None, if upper { "TEAM" } else { "team" }));
        body
    };
    for (i, (role, inline, managed, team, upper)) in spec.sessions.iter().enumerate() {
        let role = &role_names[role % role_names.len()];
        let body = session_body(&format!("s{i}"), inline, managed, team, *upper, &mut files);
        dsl.push_str(&format!("assumed-role {role}/s{i} {{{body} }}\n"));
    }
    for (i, (user, inline, managed, team, upper)) in spec.federated.iter().enumerate() {
        let user = user % spec.users.len();
        let body = session_body(&format!("f{i}"), inline, managed, team, *upper, &mut files);
        dsl.push_str(&format!("federated-user f{i} {{ user u{user}{body} }}\n"));
    }
    files.insert("org.vp", dsl);
    files
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    #[test]
    fn every_principal_and_action_equals_the_reference(
        spec in account(),
        reqs in proptest::collection::vec(req(), 1..4),
    ) {
        let mut files = materialize(&spec);
        let catalog = catalog();
        let out = compile(&[Input::auto("org.vp")], &Config { catalog: catalog.clone(), ..Default::default() }, &mut files);
        prop_assert!(!out.has_errors(), "errors: {:#?}", out.diagnostics);
        let table = out.table.as_ref().unwrap();
        let reloaded = Table::from_bytes(&table.to_bytes()).unwrap();
        prop_assert_eq!(&reloaded, table);
        let model = out.model.as_ref().unwrap();
        let empty = Context::new();
        for p in table.principals() {
            let principal = table.principal_name(p);
            for a in table.actions() {
                let action = table.action_name(a);
                let plain = reference::evaluate(
                    model,
                    &catalog,
                    Request { principal, action, resource: "*", context: &empty },
                )
                .unwrap();
                prop_assert_eq!(table.check(principal, action).unwrap(), plain, "{} {} plain", principal, action);
                prop_assert_eq!(reloaded.check(principal, action).unwrap(), plain);
                for r in &reqs {
                    let context = context_of(r);
                    let want = reference::evaluate(
                        model,
                        &catalog,
                        Request { principal, action, resource: r.resource, context: &context },
                    )
                    .unwrap();
                    let request = verdict_runtime::Request { resource: r.resource, context: &context };
                    prop_assert_eq!(
                        table.check_with(p, a, &request), want,
                        "{} {} on {} with {:?}", principal, action, r.resource, context
                    );
                    prop_assert_eq!(reloaded.check_with(p, a, &request), want);
                }
            }
        }
    }
}
