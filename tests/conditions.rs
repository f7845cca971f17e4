//! Property tests of conditional cells: random Condition blocks (every
//! operator family, set prefixes, `IfExists`, policy variables), Resource and
//! NotResource patterns, principal tags, and random request contexts and
//! resources → `Table::check_with`, in memory and after a bytes round trip,
//! equals the reference evaluator on every sampled request.
//!
//! Values are drawn from small pools per type, with wrong-typed, malformed
//! and multivalued request values mixed in, so that the C-TYPE, C7, C14 and
//! C16–C20 corners are reached often.
//!
//! Keys the model fixes (the user name, principal type, tags, ARN and account)
//! compared with request-key variables get a property of their own, with
//! request values holding wildcard characters, so that a substituted `*` or `?`
//! is seen to stay literal (C-VAR-3).
//!
//! Cases per property: 48 by default; `PROPTEST_CASES=2000` for a heavy run.

use proptest::prelude::*;
use verdict_compiler::reference::{self, Request};
use verdict_compiler::{compile, Catalog, Config, Input, MemoryLoader};
use verdict_runtime::{Context, ContextValue, Table};

use crate::props::cases;

/// Condition keys with the type of value they carry.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Str,
    Ip,
    Num,
    Date,
    Bool,
    Arn,
    Bin,
}

const KEYS: &[(&str, Kind)] = &[
    // Static for every principal of the model (K1).
    ("aws:username", Kind::Str),
    ("aws:PrincipalType", Kind::Str),
    ("aws:PrincipalTag/team", Kind::Str),
    ("AWS:principaltag/Env", Kind::Str),
    // Request keys.
    ("aws:SourceIp", Kind::Ip),
    ("aws:MultiFactorAuthPresent", Kind::Bool),
    ("aws:MultiFactorAuthAge", Kind::Num),
    ("aws:CurrentTime", Kind::Date),
    ("aws:EpochTime", Kind::Date),
    ("aws:TagKeys", Kind::Str),
    ("aws:RequestTag/team", Kind::Str),
    ("aws:PrincipalArn", Kind::Arn),
    ("aws:SourceArn", Kind::Arn),
    ("svc:Blob", Kind::Bin),
    ("aws:SecureTransport", Kind::Bool),
    // Service keys against [`keyed_catalog`]: one a template defines, two the
    // service does not define (K3: never in a request, whatever the context).
    ("svc:ExistingObjectTag/team", Kind::Str),
    ("svc:Undefined", Kind::Str),
    ("SVC:undefinedbool", Kind::Bool),
];

const OPERATORS: &[(&str, Kind)] = &[
    ("StringEquals", Kind::Str),
    ("StringNotEquals", Kind::Str),
    ("StringEqualsIgnoreCase", Kind::Str),
    ("StringNotEqualsIgnoreCase", Kind::Str),
    ("StringLike", Kind::Str),
    ("StringNotLike", Kind::Str),
    ("NumericEquals", Kind::Num),
    ("NumericNotEquals", Kind::Num),
    ("NumericLessThan", Kind::Num),
    ("NumericLessThanEquals", Kind::Num),
    ("NumericGreaterThan", Kind::Num),
    ("NumericGreaterThanEquals", Kind::Num),
    ("DateEquals", Kind::Date),
    ("DateNotEquals", Kind::Date),
    ("DateLessThan", Kind::Date),
    ("DateLessThanEquals", Kind::Date),
    ("DateGreaterThan", Kind::Date),
    ("DateGreaterThanEquals", Kind::Date),
    ("Bool", Kind::Bool),
    ("BinaryEquals", Kind::Bin),
    ("IpAddress", Kind::Ip),
    ("NotIpAddress", Kind::Ip),
    ("ArnEquals", Kind::Arn),
    ("ArnLike", Kind::Arn),
    ("ArnNotEquals", Kind::Arn),
    ("ArnNotLike", Kind::Arn),
    ("Null", Kind::Bool),
];

/// Policy values per type: all valid policy values (malformed policy values
/// are compile errors, tested elsewhere).
fn policy_values(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Str => &[
            "red",
            "blue",
            "Red",
            "r*",
            "*",
            "",
            "u0",
            "User",
            "env",
            "${aws:username}",
            "${aws:PrincipalTag/team}",
            "${aws:RequestTag/team, 'red'}",
            "team-${aws:username}",
            "${*}",
        ],
        Kind::Ip => &[
            "10.0.0.0/8",
            "10.1.2.3",
            "192.168.0.0/16",
            "2001:db8::/32",
            "::1",
        ],
        Kind::Num => &["0", "10", "10.0", "3600", "-1", "0.5"],
        Kind::Date => &[
            "2030-01-01T00:00:00Z",
            "2020-06-01",
            "1700000000",
            "2024-02-29T12:00:00+02:00",
        ],
        Kind::Bool => &["true", "false"],
        Kind::Arn => &[
            "arn:aws:iam::111122223333:user/u*",
            "arn:aws:iam::*:role/r?",
            "arn:aws:svc:*:*:thing/${aws:username}",
            "arn:aws:iam::111122223333:user/u0",
        ],
        Kind::Bin => &["aGVsbG8=", "d29ybGQ="],
    }
}

/// Request values per type, with malformed ones (C-TYPE).
fn request_values(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Str => &["red", "RED", "blue", "rx", "", "u0", "env", "*", "${*}"],
        Kind::Ip => &[
            "10.9.8.7",
            "10.1.2.3",
            "192.168.1.1",
            "8.8.8.8",
            "2001:db8::5",
            "not-an-ip",
        ],
        Kind::Num => &["10", "10.00", "3599", "3601", "-1", "abc", "0.5"],
        Kind::Date => &[
            "2025-01-01T00:00:00Z",
            "2031-05-05",
            "1600000000",
            "2024-02-29T10:00:00Z",
            "yesterday",
        ],
        Kind::Bool => &["true", "false", "TRUE", "yes"],
        Kind::Arn => &[
            "arn:aws:iam::111122223333:user/u0",
            "arn:aws:iam::999:role/r1",
            "arn:aws:svc:us-east-1:1:thing/u1",
            "not:an:arn",
        ],
        Kind::Bin => &["aGVsbG8=", "d29ybGQ=", "!!"],
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Pair {
    operator: String,
    key: &'static str,
    values: Vec<&'static str>,
}

pub(crate) fn pair() -> impl Strategy<Value = Pair> {
    (
        0..OPERATORS.len(),
        any::<prop::sample::Index>(),
        0..3u8,
        prop::bool::weighted(0.25),
        prop::bool::weighted(0.15),
        proptest::collection::vec(any::<prop::sample::Index>(), 1..3),
    )
        .prop_map(|(op, key_pick, set, if_exists, mistyped, picks)| {
            let (base, kind) = OPERATORS[op];
            // Mostly a key of the operator's type; sometimes any key (C-TYPE);
            // any key for Null.
            let candidates: Vec<usize> = (0..KEYS.len())
                .filter(|&k| {
                    mistyped
                        || base == "Null"
                        || std::mem::discriminant(&KEYS[k].1) == std::mem::discriminant(&kind)
                })
                .collect();
            let key_index = candidates[key_pick.index(candidates.len())];
            let key = KEYS[key_index].0;
            let pool = policy_values(kind);
            // Static keys meet request-key variables here too (`${aws:RequestTag/team,
            // 'red'}`); `static_key_pairs` below aims at them.
            let values = picks.iter().map(|i| pool[i.index(pool.len())]).collect();
            let prefix = match set {
                1 => "ForAllValues:",
                2 => "ForAnyValue:",
                _ => "",
            };
            let suffix = if if_exists && base != "Null" {
                "IfExists"
            } else {
                ""
            };
            Pair {
                operator: format!("{prefix}{base}{suffix}"),
                key,
                values,
            }
        })
}

#[derive(Clone, Debug)]
pub(crate) struct Stmt {
    pub(crate) deny: bool,
    pub(crate) actions: Vec<&'static str>,
    /// Index into [`RESOURCES`].
    pub(crate) resource: u8,
    pub(crate) pairs: Vec<Pair>,
}

const ACTIONS: &[&str] = &["svc:Read", "svc:Write", "svc:List", "svc:*", "*"];
pub(crate) const RESOURCES: &[&str] = &[
    r#""Resource":"*""#,
    r#""Resource":"arn:aws:svc:*:*:thing/*""#,
    r#""Resource":["arn:aws:svc:us-east-1:1:thing/${aws:username}","arn:aws:svc:*:*:other/x"]"#,
    r#""NotResource":"arn:aws:svc:*:*:thing/secret*""#,
    r#""NotResource":["arn:aws:svc:*:*:thing/${aws:username}"]"#,
    r#""Resource":"arn:aws:svc:*:*:thing/${aws:RequestTag/team, 'u1'}""#,
];

fn stmt() -> impl Strategy<Value = Stmt> {
    (
        prop::bool::weighted(0.3),
        proptest::collection::vec(prop::sample::select(ACTIONS), 1..3),
        0..RESOURCES.len() as u8,
        proptest::collection::vec(pair(), 0..3),
    )
        .prop_map(|(deny, actions, resource, pairs)| Stmt {
            deny,
            actions,
            resource,
            pairs,
        })
}

/// The keys of one condition operator with their values.
type KeyValues = Vec<(String, Vec<&'static str>)>;

/// A user: attached policies, boundary, `team` tag, `env` tag.
type UserSpec = (
    Vec<usize>,
    Option<usize>,
    Option<&'static str>,
    Option<&'static str>,
);

pub(crate) fn policy_json(version: bool, stmts: &[Stmt]) -> String {
    let stmts: Vec<String> = stmts
        .iter()
        .map(|s| {
            // Group pairs by operator; a repeated (operator, key) keeps the first.
            let mut ops: Vec<(String, KeyValues)> = Vec::new();
            for p in &s.pairs {
                let entry = match ops.iter_mut().find(|(o, _)| *o == p.operator) {
                    Some(e) => e,
                    None => {
                        ops.push((p.operator.clone(), Vec::new()));
                        ops.last_mut().unwrap()
                    }
                };
                if !entry.1.iter().any(|(k, _)| k.eq_ignore_ascii_case(p.key)) {
                    entry.1.push((p.key.to_string(), p.values.clone()));
                }
            }
            let condition = if ops.is_empty() {
                String::new()
            } else {
                let ops: Vec<String> = ops
                    .iter()
                    .map(|(op, keys)| {
                        let keys: Vec<String> = keys
                            .iter()
                            .map(|(k, vs)| format!("{k:?}:{}", serde_json::to_string(vs).unwrap()))
                            .collect();
                        format!("{op:?}:{{{}}}", keys.join(","))
                    })
                    .collect();
                format!(r#","Condition":{{{}}}"#, ops.join(","))
            };
            format!(
                r#"{{"Effect":"{}","Action":{},{}{condition}}}"#,
                if s.deny { "Deny" } else { "Allow" },
                serde_json::to_string(&s.actions).unwrap(),
                RESOURCES[s.resource as usize],
            )
        })
        .collect();
    let version = if version {
        r#""Version":"2012-10-17","#
    } else {
        ""
    };
    format!(r#"{{{version}"Statement":[{}]}}"#, stmts.join(","))
}

#[derive(Clone, Debug)]
pub(crate) struct Org {
    policies: Vec<(bool, Vec<Stmt>)>,
    users: Vec<UserSpec>,
    roles: Vec<(Vec<usize>, Option<&'static str>)>,
}

impl Org {
    /// The number of policies, `p0.json` … in [`materialize`]'s files.
    pub(crate) fn n_policies(&self) -> usize {
        self.policies.len()
    }
}

pub(crate) fn org() -> impl Strategy<Value = Org> {
    org_of(stmt())
}

/// Organisations whose policies have statements drawn from `stmt`.
fn org_of(stmt: impl Strategy<Value = Stmt>) -> impl Strategy<Value = Org> {
    proptest::collection::vec(
        (
            prop::bool::weighted(0.85),
            proptest::collection::vec(stmt, 1..4),
        ),
        1..4,
    )
    .prop_flat_map(|policies| {
        let n = policies.len();
        let tag = proptest::option::of(prop::sample::select(&["red", "blue", "Red", "u0"][..]));
        let users = proptest::collection::vec(
            (
                proptest::collection::vec(0..n, 1..3),
                proptest::option::weighted(0.25, 0..n),
                tag.clone(),
                tag.clone(),
            ),
            1..4,
        );
        let roles = proptest::collection::vec((proptest::collection::vec(0..n, 1..3), tag), 0..2);
        (Just(policies), users, roles).prop_map(|(policies, users, roles)| Org {
            policies,
            users,
            roles,
        })
    })
}

pub(crate) fn materialize(org: &Org) -> MemoryLoader {
    materialize_with(org, "")
}

/// [`materialize`], with `header` at the top of `org.vp` (e.g. an account).
fn materialize_with(org: &Org, header: &str) -> MemoryLoader {
    let mut files = MemoryLoader::default();
    let mut dsl = header.to_string();
    for (i, (version, stmts)) in org.policies.iter().enumerate() {
        files.insert(format!("p{i}.json"), policy_json(*version, stmts));
        dsl.push_str(&format!("policy P{i} from \"p{i}.json\"\n"));
    }
    let list = |idx: &[usize]| {
        idx.iter()
            .map(|i| format!("P{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (i, (attach, boundary, team, env)) in org.users.iter().enumerate() {
        let mut body = format!("attach {}", list(attach));
        if let Some(b) = boundary {
            body.push_str(&format!(" boundary P{b}"));
        }
        if let Some(t) = team {
            body.push_str(&format!(" tag team = {t}"));
        }
        if let Some(e) = env {
            body.push_str(&format!(" tag env = {e}"));
        }
        dsl.push_str(&format!("user u{i} {{ {body} }}\n"));
    }
    for (i, (attach, team)) in org.roles.iter().enumerate() {
        let mut body = format!("attach {}", list(attach));
        if let Some(t) = team {
            body.push_str(&format!(" tag team = {t}"));
        }
        dsl.push_str(&format!("role r{i} {{ {body} }}\n"));
    }
    files.insert("org.vp", dsl);
    files
}

pub(crate) fn catalog() -> Catalog {
    Catalog::from_text(
        "svc",
        "svc:Read\tRead\tthing\nsvc:Write\tWrite\tthing\nsvc:List\tList\t\n\
         sts:GetCallerIdentity\tRead\t\n",
    )
    .expect("valid catalog")
}

/// [`catalog`] with key data for `svc`: `svc:Blob` and the template
/// `svc:ExistingObjectTag/<key>` are defined, every other `svc:` key is not
/// (K3).
pub(crate) fn keyed_catalog() -> Catalog {
    Catalog::from_text(
        "svc",
        "action\taccess_level\tresource_types\n\
         svc:Read\tRead\tthing\nsvc:Write\tWrite\tthing\nsvc:List\tList\t\n\
         sts:GetCallerIdentity\tRead\t\n\
         service\tsvc\n\
         key\tsvc:Blob\tBinary\n\
         key\tsvc:ExistingObjectTag/<key>\tString\n\
         resource\tthing\t0,1\n",
    )
    .expect("valid catalog")
}

/// A random request: resource and context.
#[derive(Clone, Debug)]
pub(crate) struct Req {
    pub(crate) resource: &'static str,
    context: Vec<(usize, u8, Vec<prop::sample::Index>)>,
}

const REQUEST_RESOURCES: &[&str] = &[
    "*",
    "arn:aws:svc:us-east-1:1:thing/u0",
    "arn:aws:svc:us-east-1:1:thing/u1",
    "arn:aws:svc:eu-west-1:2:thing/secret-x",
    "arn:aws:svc:us-east-1:1:other/x",
    "arn:aws:svc:us-east-1:1:thing/red",
    "not-an-arn",
];

pub(crate) fn req() -> impl Strategy<Value = Req> {
    (
        prop::sample::select(REQUEST_RESOURCES),
        proptest::collection::vec(
            (
                0..KEYS.len(),
                0..4u8,
                proptest::collection::vec(any::<prop::sample::Index>(), 0..3),
            ),
            0..6,
        ),
    )
        .prop_map(|(resource, context)| Req { resource, context })
}

pub(crate) fn context_of(req: &Req) -> Context {
    let mut ctx = Context::new();
    for (key, shape, picks) in &req.context {
        let (name, kind) = KEYS[*key];
        let pool = request_values(kind);
        let values: Vec<String> = picks
            .iter()
            .map(|i| pool[i.index(pool.len())].to_string())
            .collect();
        // Key spelling varies in case (C3).
        let name = if shape % 2 == 0 {
            name.to_string()
        } else {
            name.to_ascii_lowercase()
        };
        let value = match (shape, values.first()) {
            (0 | 1, Some(v)) => ContextValue::Single(v.clone()),
            _ => ContextValue::Multi(values),
        };
        ctx.insert(name, value);
    }
    ctx
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    #[test]
    fn conditional_cells_equal_the_reference(
        org in org(),
        reqs in proptest::collection::vec(req(), 1..12),
    ) {
        let mut files = materialize(&org);
        let catalog = keyed_catalog();
        prop_assert!(catalog.condition_keys().is_some_and(|k| k.has_service("svc") && k.find("svc:undefined").is_none()));
        let out = compile(&[Input::auto("org.vp")], &Config { catalog: catalog.clone(), limits: Default::default(), templates: Default::default() }, &mut files);
        prop_assert!(!out.has_errors(), "errors: {:#?}", out.diagnostics);
        let table = out.table.as_ref().unwrap();
        let reloaded = Table::from_bytes(&table.to_bytes()).unwrap();
        let model = out.model.as_ref().unwrap();
        let empty = Context::new();
        for p in table.principals() {
            let principal = table.principal_name(p);
            for a in table.actions() {
                let action = table.action_name(a);
                // A plain check is the empty context on resource "*" (issue 3, item 4).
                let plain = reference::evaluate(
                    model,
                    &catalog,
                    Request { principal, action, resource: "*", context: &empty },
                )
                .unwrap();
                prop_assert_eq!(table.check(principal, action).unwrap(), plain, "{} {} plain", principal, action);
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

    #[test]
    fn identical_inputs_give_identical_bytes(org in org()) {
        let catalog = catalog();
        let first = compile(&[Input::auto("org.vp")], &Config { catalog: catalog.clone(), limits: Default::default(), templates: Default::default() }, &mut materialize(&org));
        let second = compile(&[Input::auto("org.vp")], &Config { catalog, limits: Default::default(), templates: Default::default() }, &mut materialize(&org));
        prop_assert!(!first.has_errors());
        prop_assert_eq!(
            first.table.as_ref().unwrap().to_bytes(),
            second.table.as_ref().unwrap().to_bytes()
        );
    }
}

// ---------------------------------------------------------------------------
// Keys the model fixes compared with request-key variables (K1, C-VAR-3).

/// The account of every principal of [`static_key_pairs`]' organisations.
const ACCOUNT: &str = "111122223333";

/// Keys the model fixes for every principal when the account is known
/// (`aws:username` only for users; absent for roles).
const FIXED_KEYS: &[&str] = &[
    "aws:username",
    "aws:PrincipalType",
    "aws:PrincipalTag/team",
    "AWS:principaltag/Env",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
];

/// The operators that take variables (C-VAR-1).
const VARIABLE_OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Bool",
];

/// Policy values with request-key variables: alone, with defaults, inside
/// surrounding text and wildcards, beside static variables; and plain ones.
const VARIABLE_VALUES: &[&str] = &[
    "${aws:RequestTag/team}",
    "${aws:RequestTag/team, 'red'}",
    "${aws:SourceIdentity}",
    "u${aws:SourceIdentity}",
    "${aws:SourceIdentity}*",
    "${aws:SourceIdentity, 'u?'}",
    "team-${aws:RequestTag/team}-x",
    "${aws:ResourceAccount}",
    "${aws:ResourceAccount, '111122223333'}",
    "arn:aws:iam::${aws:ResourceAccount}:user/*",
    "arn:aws:iam::${aws:ResourceAccount}:${aws:SourceIdentity}",
    "arn:aws:iam::*:${aws:SourceIdentity, 'role/r0'}",
    "${aws:username}${aws:SourceIdentity}",
    "${*}${aws:SourceIdentity}",
    "${aws:RequestTag/flag, 'true'}",
    "red",
    "User",
];

/// The request keys of [`VARIABLE_VALUES`], and two keys the model fixes (a
/// request cannot override them).
const VARIABLE_KEYS: &[&str] = &[
    "aws:RequestTag/team",
    "aws:SourceIdentity",
    "aws:ResourceAccount",
    "aws:RequestTag/flag",
    "aws:PrincipalAccount",
    "aws:username",
];

/// Request values that make the variables match, and values with wildcard
/// characters that must stay literal once substituted.
const VARIABLE_REQUEST_VALUES: &[&str] = &[
    "red",
    "Red",
    "blue",
    "u0",
    "0",
    "1",
    "",
    "*",
    "?",
    "u*",
    "r?d",
    "111122223333",
    "1111222233*",
    "999",
    "user/u0",
    "user/*",
    "role/r0",
    "true",
    "${*}",
    "User",
];

fn static_key_pair() -> impl Strategy<Value = Pair> {
    (
        prop::sample::select(VARIABLE_OPERATORS),
        prop::sample::select(FIXED_KEYS),
        0..3u8,
        prop::bool::weighted(0.3),
        proptest::collection::vec(prop::sample::select(VARIABLE_VALUES), 1..3),
    )
        .prop_map(|(base, key, set, if_exists, values)| {
            let prefix = match set {
                1 => "ForAllValues:",
                2 => "ForAnyValue:",
                _ => "",
            };
            let suffix = if if_exists { "IfExists" } else { "" };
            Pair {
                operator: format!("{prefix}{base}{suffix}"),
                key,
                values,
            }
        })
}

/// Statements with one or two pairs on fixed keys, sometimes beside an
/// ordinary pair.
fn static_key_stmt() -> impl Strategy<Value = Stmt> {
    (
        prop::bool::weighted(0.3),
        proptest::collection::vec(prop::sample::select(ACTIONS), 1..3),
        prop::sample::select(&[0u8, 0, 1, 3, 5][..]),
        proptest::collection::vec(static_key_pair(), 1..3),
        proptest::collection::vec(pair(), 0..2),
    )
        .prop_map(|(deny, actions, resource, mut pairs, others)| {
            pairs.extend(others);
            Stmt {
                deny,
                actions,
                resource,
                pairs,
            }
        })
}

/// A request over the variables' keys: absent, single or multivalued.
fn variable_context() -> impl Strategy<Value = Vec<(&'static str, u8, Vec<&'static str>)>> {
    proptest::collection::vec(
        (
            prop::sample::select(VARIABLE_KEYS),
            0..4u8,
            proptest::collection::vec(prop::sample::select(VARIABLE_REQUEST_VALUES), 0..3),
        ),
        0..5,
    )
}

fn variable_context_of(spec: &[(&'static str, u8, Vec<&'static str>)]) -> Context {
    let mut ctx = Context::new();
    for (key, shape, values) in spec {
        let value = match (shape, values.first()) {
            (0 | 1, Some(v)) => ContextValue::Single(v.to_string()),
            _ => ContextValue::Multi(values.iter().map(|v| v.to_string()).collect()),
        };
        ctx.insert(*key, value);
    }
    ctx
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    /// Every operator family that takes variables, with set prefixes and
    /// IfExists, on keys the model fixes: the table (in memory and reloaded)
    /// decides every sampled request as the reference evaluator does.
    #[test]
    fn static_keys_against_request_variables_equal_the_reference(
        org in org_of(static_key_stmt()),
        contexts in proptest::collection::vec(variable_context(), 1..10),
        resources in proptest::collection::vec(prop::sample::select(REQUEST_RESOURCES), 1..3),
    ) {
        let mut files = materialize_with(&org, &format!("account \"{ACCOUNT}\"\n"));
        let catalog = catalog();
        let out = compile(&[Input::auto("org.vp")], &Config { catalog: catalog.clone(), limits: Default::default(), templates: Default::default() }, &mut files);
        prop_assert!(!out.has_errors(), "errors: {:#?}", out.diagnostics);
        let table = out.table.as_ref().unwrap();
        let reloaded = Table::from_bytes(&table.to_bytes()).unwrap();
        let model = out.model.as_ref().unwrap();
        for p in table.principals() {
            let principal = table.principal_name(p);
            for a in table.actions() {
                let action = table.action_name(a);
                for spec in &contexts {
                    let context = variable_context_of(spec);
                    for &resource in &resources {
                        let want = reference::evaluate(
                            model,
                            &catalog,
                            Request { principal, action, resource, context: &context },
                        )
                        .unwrap();
                        let request = verdict_runtime::Request { resource, context: &context };
                        prop_assert_eq!(
                            table.check_with(p, a, &request), want,
                            "{} {} on {} with {:?}", principal, action, resource, context
                        );
                        prop_assert_eq!(reloaded.check_with(p, a, &request), want);
                    }
                }
            }
        }
    }
}

/// The cases the property aims at do occur: a principal of a known account
/// gets atoms whose key is fixed, and they decide requests as AWS's own
/// managed policies mean them.
#[test]
fn fixed_key_atoms_are_compiled_for_known_accounts() {
    let mut files = MemoryLoader::default();
    files.insert(
        "same-account.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"svc:*","Resource":"*",
            "Condition":{"StringEquals":{"aws:PrincipalAccount":"${aws:ResourceAccount}"},
                         "ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/${aws:SourceIdentity}"}}}]}"#,
    );
    files.insert(
        "org.vp",
        format!(
            "account \"{ACCOUNT}\"\npolicy P from \"same-account.json\"\nuser u0 {{ attach P }}\n"
        ),
    );
    let out = compile(
        &[Input::auto("org.vp")],
        &Config {
            catalog: catalog(),
            limits: Default::default(),
            templates: Default::default(),
        },
        &mut files,
    );
    assert!(!out.has_errors(), "{:#?}", out.diagnostics);
    let table = out.table.unwrap();
    let fixed: Vec<(&str, &str)> = table
        .atoms()
        .iter()
        .filter_map(|atom| match atom {
            verdict_runtime::parts::Atom::Condition(c) => {
                Some((c.key.as_str(), c.fixed.as_deref()?))
            }
            verdict_runtime::parts::Atom::Resource { .. } => None,
        })
        .collect();
    assert_eq!(
        fixed,
        [
            ("aws:principalaccount", ACCOUNT),
            ("aws:principalarn", "arn:aws:iam::111122223333:user/u0"),
        ]
    );
    let check = |pairs: &[(&str, &str)]| {
        let context = pairs
            .iter()
            .fold(Context::new(), |ctx, (k, v)| ctx.with(*k, *v));
        let request = verdict_runtime::Request {
            resource: "*",
            context: &context,
        };
        let p = table.principal("user/u0").unwrap();
        let a = table.action("svc:List").unwrap();
        table.check_with(p, a, &request).to_string()
    };
    let own = [
        ("aws:ResourceAccount", ACCOUNT),
        ("aws:SourceIdentity", "u0"),
    ];
    assert_eq!(check(&own), "allow");
    assert_eq!(
        check(&[
            ("aws:ResourceAccount", "444455556666"),
            ("aws:SourceIdentity", "u0")
        ]),
        "implicit-deny"
    );
    // `*` from the request is literal in the ArnLike pattern.
    assert_eq!(
        check(&[
            ("aws:ResourceAccount", ACCOUNT),
            ("aws:SourceIdentity", "*")
        ]),
        "implicit-deny"
    );
    assert_eq!(check(&[("aws:SourceIdentity", "u0")]), "implicit-deny");
}
