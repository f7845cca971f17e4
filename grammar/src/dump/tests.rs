//! Tests of the account-dump reader: unit tests of errors and of the tree,
//! the data-driven cases in `grammar/test_data/dump/{ok,err}`, and property
//! tests.

use std::{fs, path::PathBuf};

use proptest::prelude::*;

/// The dump reader with the default limits.
fn parse(src: &str) -> Result<AccountDump, Vec<ParseError>> {
    super::parse(src, &crate::ParseLimits::default())
}
use crate::{ast::AccountDump, error::ParseError, iam::tests::expect_file};

fn render_errors(errors: &[ParseError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}..{}: {}\n", e.span.start, e.span.end, e))
        .collect()
}

/// A one-line-per-entity summary of a dump.
fn summary(dump: &AccountDump) -> String {
    let mut out = String::new();
    let names = |v: &[crate::Spanned<String>]| {
        v.iter()
            .map(|s| s.node.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    for u in &dump.users {
        out += &format!(
            "user {} groups=[{}] inline=[{}] attached=[{}] boundary={:?} tags=[{}]\n",
            u.name.node,
            names(&u.groups),
            u.inline_policies
                .iter()
                .map(|p| p.name.node.as_str())
                .collect::<Vec<_>>()
                .join(","),
            u.attached
                .iter()
                .map(|a| a.arn.node.as_str())
                .collect::<Vec<_>>()
                .join(","),
            u.boundary.as_ref().map(|b| b.arn.node.as_str()),
            u.tags
                .iter()
                .map(|(k, v)| format!("{}={}", k.node, v.node))
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    for g in &dump.groups {
        out += &format!(
            "group {} inline={} attached={}\n",
            g.name.node,
            g.inline_policies.len(),
            g.attached.len()
        );
    }
    for r in &dump.roles {
        out += &format!(
            "role {} trust={} inline={} attached={} boundary={}\n",
            r.name.node,
            r.trust_policy.is_some(),
            r.inline_policies.len(),
            r.attached.len(),
            r.boundary.is_some()
        );
    }
    for p in &dump.policies {
        let versions: Vec<String> = p
            .versions
            .iter()
            .map(|v| {
                format!(
                    "{}{}",
                    v.version_id.as_ref().map_or("?", |id| id.node.as_str()),
                    if v.is_default { "*" } else { "" }
                )
            })
            .collect();
        out += &format!(
            "policy {} {} default={:?} versions=[{}]\n",
            p.name.node,
            p.arn.node,
            p.default_version_id.as_ref().map(|d| d.node.as_str()),
            versions.join(",")
        );
    }
    out
}

/// Parses `input` as a dump and compares the summary (or the errors, one
/// `start..end: message` line each) with `expected`.
#[track_caller]
fn check(input: &str, expected: &str) {
    let actual = match parse(input) {
        Ok(dump) => summary(&dump),
        Err(errors) => render_errors(&errors),
    };
    let expected: String = expected
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("{}\n", l.trim_start()))
        .collect();
    assert_eq!(actual, expected, "input: {input}");
}

#[test]
fn minimal_entities() {
    check("{}", "");
    check(
        r#"{"UserDetailList":[{"UserName":"u","GroupList":["g"],"PermissionsBoundary":{"PermissionsBoundaryArn":"arn:b"}}],
"GroupDetailList":[{"GroupName":"g"}],"RoleDetailList":[{"RoleName":"r","AssumeRolePolicyDocument":{"Statement":[]}}],
"Policies":[{"PolicyName":"p","Arn":"arn:p","PolicyVersionList":[{"Document":{},"IsDefaultVersion":true}]}]}"#,
        r#"
        user u groups=[g] inline=[] attached=[] boundary=Some("arn:b") tags=[]
        group g inline=0 attached=0
        role r trust=true inline=0 attached=0 boundary=false
        policy p arn:p default=None versions=[?*]
        "#,
    );
}

#[test]
fn shape_errors() {
    check(r#""x""#, r#"0..3: `account dump` must be an object"#);
    check(
        r#"{"UserDetailList":{},"Policies":[{"Arn":1}]}"#,
        "
        18..20: `UserDetailList` must be an array
        33..34: missing key `PolicyName` in Policies entry
        40..41: `Policies[0].Arn` must be a string
        ",
    );
    // URL-encoded documents are decoded; their errors point into the encoded text.
    check(
        r#"{"RoleDetailList":[{"RoleName":"r","AssumeRolePolicyDocument":"%7B%22Statement%22:%7B%22Effect%22:1%7D%7D"}]}"#,
        "98..99: `RoleDetailList[0].AssumeRolePolicyDocument.Statement.Effect` must be a string",
    );
    check(
        r#"{"RoleDetailList":[{"RoleName":"r","AssumeRolePolicyDocument":"%7B%22Statement%22:%7B%7D"}]}"#,
        "88..88: expected `,` or `}`, found end of input",
    );
    check(
        r#"{"RoleDetailList":[{"RoleName":"r","AssumeRolePolicyDocument":"%7G"}]}"#,
        "63..66: invalid URL-encoded policy document: `%` must be followed by two hex digits",
    );
    check(
        r#"{"RoleDetailList":[{"RoleName":"r","AssumeRolePolicyDocument":5}]}"#,
        "62..63: `RoleDetailList[0].AssumeRolePolicyDocument` must be an object",
    );
    check(
        r#"{"Policies":[{"PolicyName":"p","Arn":"a","PolicyVersionList":[{"Document":{"Statement":{"Effect":1}}}]}]}"#,
        "97..98: `Policies[0].PolicyVersionList[0].Document.Statement.Effect` must be a string",
    );
    check(
        r#"{"GroupDetailList":[{"GroupName":"g","GroupName":"h","X":1,"X":2}],"GroupDetailList":[]}"#,
        "
        37..48: duplicate key `GroupName`
        67..84: duplicate key `GroupDetailList`
        ",
    );
}

#[test]
fn json_errors_are_reported_alone() {
    check(
        r#"{"UserDetailList":[}"#,
        "19..20: expected a value or `]`, found `}`",
    );
}

// ---------------------------------------------------------------------------
// Data-driven cases
// ---------------------------------------------------------------------------

/// Runs every `test_data/dump/ok/*.json` (must parse; `.ast` is the `{:#?}`
/// of the dump) and `test_data/dump/err/*.json` (must fail; `.err` has one
/// `start..end: message` line per error).
#[test]
fn data_driven() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test_data/dump");
    let mut failures = Vec::new();
    let mut n_cases = 0;
    for (dir, want_ok) in [("ok", true), ("err", false)] {
        let mut files: Vec<PathBuf> = fs::read_dir(root.join(dir))
            .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|ext| ext == "json"));
        files.sort();
        for path in files {
            n_cases += 1;
            let src = fs::read_to_string(&path).unwrap_or_default();
            match (parse(&src), want_ok) {
                (Ok(dump), true) => {
                    failures.extend(expect_file(
                        &path.with_extension("ast"),
                        &format!("{dump:#?}\n"),
                    ));
                }
                (Err(errors), false) => {
                    failures.extend(expect_file(
                        &path.with_extension("err"),
                        &render_errors(&errors),
                    ));
                }
                (Ok(_), false) => {
                    failures.push(format!("{}: parsed, expected errors", path.display()))
                }
                (Err(errors), true) => failures.push(format!(
                    "{}: expected to parse, got\n{}",
                    path.display(),
                    render_errors(&errors)
                )),
            }
        }
    }
    assert!(
        n_cases >= 10,
        "only {n_cases} cases found under {}",
        root.display()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn sample_account() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test_data/dump/ok/sample_account.json");
    let src = fs::read_to_string(path).unwrap_or_default();
    check(
        &src,
        r#"
        user alice groups=[Support,Admins] inline=[AliceMeetings] attached=[arn:aws:iam::111122223333:policy/ChimeReadOnly,arn:aws:iam::aws:policy/AmazonChimeReadOnly] boundary=Some("arn:aws:iam::111122223333:policy/ChimeReadOnly") tags=[team=blue,dept=hr]
        user bob groups=[] inline=[] attached=[] boundary=None tags=[]
        group Support inline=1 attached=1
        group Admins inline=0 attached=1
        role MeetingBot trust=true inline=1 attached=1 boundary=true
        role AWSServiceRoleForAmazonChimeVoiceConnector trust=true inline=0 attached=1 boundary=false
        policy ChimeReadOnly arn:aws:iam::111122223333:policy/ChimeReadOnly default=Some("v3") versions=[v3*,v2,v1]
        policy AmazonChimeReadOnly arn:aws:iam::aws:policy/AmazonChimeReadOnly default=Some("v1") versions=[v1*]
        "#,
    );
}

// ---------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------

proptest! {
    #[test]
    fn mutated_dumps_never_panic(edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test_data/dump/ok/sample_account.json");
        let mut bytes = fs::read(path).unwrap_or_default();
        for (idx, byte) in edits {
            let len = bytes.len().max(1);
            if let Some(slot) = bytes.get_mut(idx % len) {
                *slot = byte;
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Err(errors) = parse(&text) {
            prop_assert!(!errors.is_empty());
            prop_assert!(errors.windows(2).all(|w| w.first().map(|e| e.span.start) <= w.get(1).map(|e| e.span.start)));
        }
    }
}

#[test]
fn statement_limit_applies_to_embedded_documents() {
    let limits = crate::ParseLimits {
        statements: 1,
        ..crate::ParseLimits::default()
    };
    let st = r#"{"Effect":"Allow","Action":"chime:List*","Resource":"*"}"#;
    let src = format!(
        r#"{{"UserDetailList":[{{"UserName":"alice","UserPolicyList":[{{"PolicyName":"p","PolicyDocument":{{"Statement":[{st},{st}]}}}}]}}]}}"#
    );
    let errors = super::parse(&src, &limits).err().unwrap_or_default();
    assert_eq!(
        errors.iter().map(|e| e.kind.clone()).collect::<Vec<_>>(),
        [crate::ParseErrorKind::TooManyStatements(1)]
    );
    assert!(parse(&src).is_ok());
}

/// URL-encoded documents (as the raw API returns them) are parsed under the
/// dump's limits, with the error in the encoded text of the dump. (Their
/// strings are shorter than the encoded string holding them, which the
/// string limit already bounds; their nesting counts from the document.)
#[test]
fn limits_apply_to_url_encoded_documents() {
    let st = "%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22chime%3AList%2A%22%2C%22Resource%22%3A%22%2A%22%7D";
    let src = format!(
        r#"{{"RoleDetailList":[{{"RoleName":"r","AssumeRolePolicyDocument":"%7B%22Statement%22%3A%5B{st}%2C{st}%5D%7D"}}]}}"#
    );
    assert!(parse(&src).is_ok());
    let at = |limits: &crate::ParseLimits| -> Vec<(crate::ParseErrorKind, usize)> {
        super::parse(&src, limits)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.kind, e.span.start as usize))
            .collect()
    };
    let doc_start = src.find("%7B%22Statement").unwrap_or(0);
    let statements = at(&crate::ParseLimits {
        statements: 1,
        ..crate::ParseLimits::default()
    });
    assert!(
        matches!(statements.as_slice(), [(crate::ParseErrorKind::TooManyStatements(1), start)] if *start > doc_start),
        "{statements:?}"
    );
    // Nesting: the document's own, under the dump's `json_depth` (raised
    // here), not the default.
    let nested = format!(
        r#"{{"RoleDetailList":[{{"RoleName":"r","AssumeRolePolicyDocument":"%7B%22Statement%22%3A{}{}%7D"}}]}}"#,
        "%5B".repeat(70),
        "%5D".repeat(70)
    );
    let kinds = |limits: &crate::ParseLimits| -> Vec<crate::ParseErrorKind> {
        super::parse(&nested, limits)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.kind)
            .collect()
    };
    assert_eq!(
        kinds(&crate::ParseLimits::default()),
        [crate::ParseErrorKind::TooDeep(64)]
    );
    let deep = kinds(&crate::ParseLimits {
        json_depth: 100,
        ..crate::ParseLimits::default()
    });
    assert!(
        !deep.is_empty()
            && !deep
                .iter()
                .any(|k| matches!(k, crate::ParseErrorKind::TooDeep(_))),
        "{deep:?}"
    );
}
