//! Property tests: random catalogs, policies (wildcards, `?`, NotAction,
//! Deny, random letter case, NotResource), groups, memberships, roles and
//! boundaries → every cell of the compiled table, in memory and after a bytes
//! round trip, equals the reference evaluator's decision.
//!
//! Cases per property: 64 by default; `PROPTEST_CASES=2000` for a heavy run.

use proptest::prelude::*;
use verdict_compiler::reference::{self, Request};
use verdict_compiler::{compile, Catalog, Config, FileLoader, Input, MemoryLoader};
use verdict_runtime::Table;

const SERVICES: &[&str] = &["chime", "svc", "s3", "sts"];
const NAMES: &[&str] = &[
    "ListUsers",
    "ListAccounts",
    "GetUser",
    "GetUserSettings",
    "DeleteUser",
    "DeleteAccount",
    "CreateBot",
    "CreateMeeting",
    "GetObject",
    "GetObjectAcl",
    "PutItem",
    "TagResource",
    "UntagResource",
    "Get",
    "GetFederationToken",
    "GetSessionToken",
    "GetCallerIdentity",
];

#[derive(Clone, Debug)]
struct CatalogSpec {
    actions: Vec<(String, bool)>, // name, resource-typed
}

fn catalog_spec() -> impl Strategy<Value = CatalogSpec> {
    (
        proptest::collection::btree_set((0..SERVICES.len(), 0..NAMES.len()), 1..20),
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(|(set, typed, seed)| {
            let actions = set
                .into_iter()
                .enumerate()
                .map(|(i, (s, n))| {
                    (
                        format!("{}:{}", SERVICES[s], NAMES[n]),
                        typed && (seed >> (i % 64)) & 1 == 1,
                    )
                })
                .collect();
            CatalogSpec { actions }
        })
}

/// An action pattern derived from a catalog action or invented.
fn pattern(spec: &CatalogSpec) -> impl Strategy<Value = String> {
    let names: Vec<String> = spec.actions.iter().map(|(n, _)| n.clone()).collect();
    (0..names.len(), 0..10u8, any::<u64>()).prop_map(move |(i, kind, seed)| {
        let base = &names[i];
        let (svc, name) = base.split_once(':').unwrap();
        let cut = (seed as usize) % (name.len() + 1);
        let p = match kind {
            0 => "*".to_string(),
            1 => format!("{svc}:*"),
            2 => format!("{svc}:{}*", &name[..cut]),
            3 => format!("{svc}:*{}", &name[cut..]),
            4 if cut < name.len() => format!("{svc}:{}?{}", &name[..cut], &name[cut + 1..]),
            5 => format!("*:{name}"),
            6 => format!("{svc}:{name}X"),
            7 => format!("{svc}:*{}*", &name[cut / 2..cut]),
            _ => base.clone(),
        };
        // Random letter case (A3: case-insensitive).
        p.chars()
            .enumerate()
            .map(|(k, c)| {
                if (seed >> (k % 64)) & 1 == 1 {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    })
}

#[derive(Clone, Debug)]
pub(crate) struct StatementSpec {
    deny: bool,
    not_action: bool,
    patterns: Vec<String>,
    resource: u8,
}

fn statement(spec: &CatalogSpec) -> impl Strategy<Value = StatementSpec> {
    let typed = spec.actions.iter().any(|(_, t)| *t);
    let resources = if typed { 0..3u8 } else { 0..6u8 };
    (
        any::<bool>(),
        prop::bool::weighted(0.2),
        proptest::collection::vec(pattern(spec), 1..4),
        resources,
    )
        .prop_map(|(deny, not_action, patterns, resource)| StatementSpec {
            deny,
            not_action,
            patterns,
            resource,
        })
}

fn policy_json(statements: &[StatementSpec]) -> String {
    let stmts: Vec<String> = statements
        .iter()
        .map(|s| {
            let actions: Vec<String> = s.patterns.iter().map(|p| format!("{p:?}")).collect();
            let resource = match s.resource {
                0 => r#""Resource":"*""#,
                1 => r#""Resource":["arn:aws:svc:::x","*"]"#,
                2 => r#""NotResource":"*""#,
                3 => r#""Resource":"arn:aws:svc:::x""#,
                4 => r#""NotResource":"arn:aws:svc:::x""#,
                _ => r#""NotResource":["arn:aws:svc:::x","*"]"#,
            };
            format!(
                r#"{{"Effect":"{}","{}":[{}],{resource}}}"#,
                if s.deny { "Deny" } else { "Allow" },
                if s.not_action { "NotAction" } else { "Action" },
                actions.join(",")
            )
        })
        .collect();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        stmts.join(",")
    )
}

#[derive(Clone, Debug)]
pub(crate) struct OrgSpec {
    catalog: CatalogSpec,
    pub(crate) policies: Vec<Vec<StatementSpec>>,
    groups: Vec<Vec<usize>>,
    users: Vec<(Vec<usize>, Vec<usize>, Option<usize>)>, // groups, policies, boundary
    roles: Vec<(Vec<usize>, Option<usize>)>,
}

pub(crate) fn org() -> impl Strategy<Value = OrgSpec> {
    catalog_spec().prop_flat_map(|catalog| {
        let policies =
            proptest::collection::vec(proptest::collection::vec(statement(&catalog), 1..4), 1..6);
        (Just(catalog), policies).prop_flat_map(|(catalog, policies)| {
            let n = policies.len();
            let groups = proptest::collection::vec(proptest::collection::vec(0..n, 0..3), 0..3);
            (Just(catalog), Just(policies), groups).prop_flat_map(
                move |(catalog, policies, groups)| {
                    let g = groups.len().max(1);
                    let users = proptest::collection::vec(
                        (
                            proptest::collection::vec(0..g, 0..3),
                            proptest::collection::vec(0..n, 0..3),
                            proptest::option::weighted(0.3, 0..n),
                        ),
                        1..6,
                    );
                    let roles = proptest::collection::vec(
                        (
                            proptest::collection::vec(0..n, 0..3),
                            proptest::option::weighted(0.3, 0..n),
                        ),
                        0..3,
                    );
                    (Just(catalog), Just(policies), Just(groups), users, roles).prop_map(
                        |(catalog, policies, groups, users, roles)| OrgSpec {
                            catalog,
                            policies,
                            groups,
                            users,
                            roles,
                        },
                    )
                },
            )
        })
    })
}

fn names(prefix: &str, idx: &[usize]) -> String {
    idx.iter()
        .map(|i| format!("{prefix}{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The organisation as DSL + JSON files, and its catalog.
pub(crate) fn materialize(spec: &OrgSpec) -> (MemoryLoader, Catalog) {
    let mut files = MemoryLoader::default();
    let mut dsl = String::new();
    for (i, p) in spec.policies.iter().enumerate() {
        files.insert(format!("p{i}.json"), policy_json(p));
        dsl.push_str(&format!("policy P{i} from \"p{i}.json\"\n"));
    }
    let n_groups = spec.groups.len();
    for (i, g) in spec.groups.iter().enumerate() {
        let attach = if g.is_empty() {
            String::new()
        } else {
            format!("attach {}", names("P", g))
        };
        dsl.push_str(&format!("group G{i} {{ {attach} }}\n"));
    }
    for (i, (groups, policies, boundary)) in spec.users.iter().enumerate() {
        let groups: Vec<usize> = groups.iter().copied().filter(|&g| g < n_groups).collect();
        let mut body = String::new();
        if !groups.is_empty() {
            body.push_str(&format!(" member {}", names("G", &groups)));
        }
        if !policies.is_empty() {
            body.push_str(&format!(" attach {}", names("P", policies)));
        }
        if let Some(b) = boundary {
            body.push_str(&format!(" boundary P{b}"));
        }
        dsl.push_str(&format!("user u{i} {{{body} }}\n"));
    }
    for (i, (policies, boundary)) in spec.roles.iter().enumerate() {
        let mut body = String::new();
        if !policies.is_empty() {
            body.push_str(&format!(" attach {}", names("P", policies)));
        }
        if let Some(b) = boundary {
            body.push_str(&format!(" boundary P{b}"));
        }
        dsl.push_str(&format!("role r{i} {{{body} }}\n"));
    }
    files.insert("org.vp", dsl);
    let text: String = spec
        .catalog
        .actions
        .iter()
        .map(|(name, typed)| format!("{name}\tWrite\t{}\n", if *typed { "thing" } else { "" }))
        .collect();
    (
        files,
        Catalog::from_text("random", &text).expect("valid random catalog"),
    )
}

/// The number of cases of a property: `PROPTEST_CASES` when set (for heavy
/// runs), else the default given, sized for the README's test command.
pub(crate) fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    #[test]
    fn every_cell_equals_the_reference(spec in org()) {
        let (mut files, catalog) = materialize(&spec);
        let out = compile(&[Input::auto("org.vp")], &Config { catalog: catalog.clone(), limits: Default::default(), templates: Default::default() }, &mut files);
        prop_assert!(!out.has_errors(), "errors: {:#?}", out.diagnostics);
        let table = out.table.as_ref().unwrap();
        let reloaded = Table::from_bytes(&table.to_bytes()).unwrap();
        prop_assert_eq!(&reloaded, table);
        let model = out.model.as_ref().unwrap();
        for p in table.principals() {
            let principal = table.principal_name(p);
            for a in table.actions() {
                let action = table.action_name(a);
                let want = reference::evaluate(model, &catalog, Request { principal, action, resource: "*", context: &verdict_runtime::Context::new() }).unwrap();
                prop_assert_eq!(table.check(principal, action).unwrap(), want, "{} {}", principal, action);
                prop_assert_eq!(reloaded.check(principal, &action.to_ascii_uppercase()).unwrap(), want);
            }
        }
        // Row classes really are distinct rows.
        prop_assert!(table.n_row_classes() <= table.n_principals().max(1));
    }
}

/// The DSL spelling of a statement list (the twin of `policy_json`).
fn policy_dsl(name: &str, statements: &[StatementSpec]) -> String {
    let mut out = format!("policy {name} {{\n  version \"2012-10-17\"\n");
    for s in statements {
        let actions: Vec<String> = s.patterns.iter().map(|p| format!("{p:?}")).collect();
        let resource = match s.resource {
            0 => "on \"*\"",
            1 => "on \"arn:aws:svc:::x\", \"*\"",
            2 => "on not \"*\"",
            3 => "on \"arn:aws:svc:::x\"",
            4 => "on not \"arn:aws:svc:::x\"",
            _ => "on not \"arn:aws:svc:::x\", \"*\"",
        };
        out.push_str(&format!(
            "  {} {}{} {resource}\n",
            if s.deny { "deny" } else { "allow" },
            if s.not_action { "not " } else { "" },
            actions.join(", ")
        ));
    }
    out.push_str("}\n");
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(32), ..ProptestConfig::default() })]

    /// A DSL policy and its IAM JSON twin compile to identical tables.
    #[test]
    fn dsl_and_json_twins_compile_to_identical_tables(spec in org()) {
        let (mut json_files, catalog) = materialize(&spec);
        let mut dsl_files = MemoryLoader::default();
        let mut dsl = String::new();
        for (i, p) in spec.policies.iter().enumerate() {
            dsl.push_str(&policy_dsl(&format!("P{i}"), p));
        }
        // Same entities: reuse the generated DSL minus its `policy .. from` lines.
        let org = json_files.load("org.vp").unwrap();
        for line in org.lines().filter(|l| !l.starts_with("policy ")) {
            dsl.push_str(line);
            dsl.push('\n');
        }
        dsl_files.insert("org.vp", dsl);
        let config = Config { catalog, limits: Default::default(), templates: Default::default() };
        let from_json = compile(&[Input::auto("org.vp")], &config, &mut json_files);
        let from_dsl = compile(&[Input::auto("org.vp")], &config, &mut dsl_files);
        prop_assert!(!from_dsl.has_errors(), "dsl errors: {:#?}", from_dsl.diagnostics);
        prop_assert_eq!(from_json.table.unwrap().to_bytes(), from_dsl.table.unwrap().to_bytes());
    }
}

const EXAMPLE: &str = include_str!("../examples/chime-org.vp");
const FULL_ACCESS: &str = include_str!("../examples/policies/AmazonChimeFullAccess.json");
/// The policies `examples/chime-org.vp` imports from `policies/`.
pub(crate) const EXAMPLE_POLICIES: [&str; 6] = [
    "AmazonChimeFullAccess",
    "AmazonChimeReadOnly",
    "AmazonChimeUserManagement",
    "AmazonChimeSDK",
    "AmazonChimeSDKMediaPipelinesServiceLinkedRolePolicy",
    "AmazonChimeVoiceConnectorServiceLinkedRolePolicy",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(128), ..ProptestConfig::default() })]

    /// Damaged sources never panic the compiler: every outcome is a table or
    /// diagnostics, and every diagnostic location lies inside its file.
    #[test]
    fn damaged_sources_never_panic_and_diagnostics_stay_in_bounds(
        edits in proptest::collection::vec((any::<proptest::sample::Index>(), 0x20u8..0x7f, 0..3u8), 1..8),
        in_json in any::<bool>(),
    ) {
        let mut text = if in_json { FULL_ACCESS.as_bytes().to_vec() } else { EXAMPLE.as_bytes().to_vec() };
        for (at, byte, op) in edits {
            let i = at.index(text.len());
            match op {
                0 => text[i] = byte,
                1 => text.insert(i, byte),
                _ => { text.remove(i); }
            }
        }
        let text = String::from_utf8_lossy(&text).into_owned();
        let mut files = MemoryLoader::default();
        for name in EXAMPLE_POLICIES {
            let path = format!("{}/examples/policies/{name}.json", env!("CARGO_MANIFEST_DIR"));
            files.insert(format!("policies/{name}.json"), std::fs::read_to_string(path).unwrap());
        }
        if in_json {
            files.insert("policies/AmazonChimeFullAccess.json", text);
            files.insert("org.vp", EXAMPLE);
        } else {
            files.insert("org.vp", text);
        }
        let out = compile(&[Input::auto("org.vp")], &Config::default(), &mut files);
        prop_assert_eq!(out.table.is_some(), !out.has_errors());
        for d in &out.diagnostics {
            for label in d.primary.iter().chain(&d.related) {
                let file = out.sources.get(label.file).expect("label file exists");
                prop_assert!(label.span.start <= label.span.end && (label.span.end as usize) <= file.text.len(), "{:?}", d);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), ..ProptestConfig::default() })]

    /// The human renderer copes with whatever the compiler reports on
    /// damaged input: exit status 1 (or 0), never a panic; 2 only when the
    /// damage names an import that cannot be read.
    #[test]
    fn damaged_sources_render_in_every_format(
        edits in proptest::collection::vec((any::<proptest::sample::Index>(), 0x20u8..0x7f), 1..6),
    ) {
        let mut text = EXAMPLE.as_bytes().to_vec();
        for (at, byte) in edits {
            let i = at.index(text.len());
            text[i] = byte;
        }
        let dir = crate::cli::TempDir::new();
        std::fs::create_dir_all(dir.path("policies")).unwrap();
        for name in EXAMPLE_POLICIES {
            let from = format!("{}/examples/policies/{name}.json", env!("CARGO_MANIFEST_DIR"));
            std::fs::copy(from, dir.path(&format!("policies/{name}.json"))).unwrap();
        }
        let src = dir.write("org.vp", &String::from_utf8_lossy(&text));
        let table = dir.path("t.vdt");
        for format in ["human", "short", "json"] {
            let out = crate::cli::run(&["compile", src.to_str().unwrap(), "-o", table.to_str().unwrap(), "--message-format", format]);
            let unreadable = out.stderr.contains("cannot read `");
            prop_assert!(out.status == 0 || out.status == 1 || (out.status == 2 && unreadable), "{}", out.stderr);
            prop_assert_eq!(out.status == 0, table.exists());
            let _ = std::fs::remove_file(&table);
        }
    }
}
