//! Tests of the findings: every entry of the method list fires on a minimal
//! organisation that has it and is silent on each organisation that misses
//! one of its actions (generated from the data file, so no method goes
//! untested); admin equivalence and chains; the lint; pragmas.

use super::*;
use crate::{compile, Catalog, Compilation, Config, Input, MemoryLoader};

fn compile_with(catalog: &Catalog, text: &str) -> Compilation {
    let mut files = MemoryLoader::default();
    files.insert("org.vp", text);
    let config = Config {
        catalog: catalog.clone(),
        ..Config::default()
    };
    compile(&[Input::auto("org.vp")], &config, &mut files)
}

/// The findings of `text`, as (code, method, principal names, guarded).
fn findings_of(catalog: &Catalog, text: &str) -> Vec<(String, String, Vec<String>, bool)> {
    let out = compile_with(catalog, text);
    let table = out.table.unwrap_or_else(|| {
        panic!("{text}\n{:#?}", out.diagnostics);
    });
    let methods = methods().expect("methods");
    analyze(&table, &methods)
        .findings
        .iter()
        .map(|f| {
            (
                f.code.to_owned(),
                f.method.clone(),
                f.principals
                    .iter()
                    .map(|p| table.principal_name(*p).to_owned())
                    .collect(),
                f.guarded,
            )
        })
        .collect()
}

/// One action standing for a need: the action itself, or the first catalog
/// action of the level.
fn stand_in(catalog: &Catalog, need: &Need) -> String {
    match need {
        Need::Action(a) => a.clone(),
        Need::Level(level) => (0..catalog.universe())
            .find(|&i| catalog.access(i) == Some(*level))
            .and_then(|i| catalog.qualified_name(i))
            .expect("an action of the level")
            .to_owned(),
    }
}

fn org(actions: &[String], guarded: Option<&str>) -> String {
    let mut text = String::from("policy P {\n");
    for action in actions {
        if Some(action.as_str()) == guarded {
            text.push_str(&format!(
                "  allow {action} when {{ Bool aws:MultiFactorAuthPresent = true }}\n"
            ));
        } else {
            text.push_str(&format!("  allow {action}\n"));
        }
    }
    // A harmless read so the policy is never empty.
    text.push_str("}\nuser u { attach P }\n");
    text
}

fn has(found: &[(String, String, Vec<String>, bool)], method: &str) -> Option<bool> {
    found
        .iter()
        .find(|(_, m, who, _)| m == method && who.iter().any(|w| w == "user/u"))
        .map(|(_, _, _, guarded)| *guarded)
}

/// The `aws` catalog cut down to the actions the methods name, one action
/// of each access level and the tests' fillers: compiling a few hundred small
/// organisations over 22,000 actions would take minutes in a debug build.
fn small_aws(methods: &[Method]) -> Catalog {
    let full = Catalog::builtin("aws").expect("aws");
    let mut names: Vec<String> = vec!["sts:GetCallerIdentity".to_owned()];
    for method in methods.iter().filter(|m| m.catalog == "aws") {
        names.extend(method.all.iter().cloned());
        names.extend(method.any.iter().map(|n| stand_in(&full, n)));
    }
    for level in verdict_runtime::AccessLevel::ALL {
        names.extend(stand_in_opt(&full, level));
    }
    names.sort_unstable_by_key(|n| n.to_ascii_lowercase());
    names.dedup_by_key(|n| n.to_ascii_lowercase());
    let mut text = String::new();
    for name in &names {
        let idx = full.find(name).expect("a catalog action");
        let level = full.access(idx).expect("a level");
        let canonical = full.qualified_name(idx).expect("a name");
        text.push_str(&format!("{canonical}\t{}\n", level.as_str()));
    }
    Catalog::from_text("aws", &text).expect("the small catalog")
}

fn stand_in_opt(catalog: &Catalog, level: verdict_runtime::AccessLevel) -> Option<String> {
    (0..catalog.universe())
        .find(|&i| catalog.access(i) == Some(level))
        .and_then(|i| catalog.qualified_name(i))
        .map(str::to_owned)
}

#[test]
fn every_method_fires_with_all_its_actions_and_not_without_one() {
    let methods = methods().expect("methods");
    let aws = small_aws(&methods);
    let chime = Catalog::builtin("chime").expect("chime");
    for method in &methods {
        let catalog = if method.catalog == "chime" {
            &chime
        } else {
            &aws
        };
        let first_any: Vec<String> = method
            .any
            .first()
            .map(|n| stand_in(catalog, n))
            .into_iter()
            .collect();
        let full: Vec<String> = method
            .all
            .iter()
            .cloned()
            .chain(first_any.clone())
            .collect();
        let found = findings_of(catalog, &org(&full, None));
        assert_eq!(
            has(&found, &method.id),
            Some(false),
            "{}: {full:?} → {found:?}",
            method.id
        );
        let code = method.category.code();
        assert!(
            found
                .iter()
                .any(|(c, m, _, _)| c == code && *m == method.id),
            "{}: code {code}",
            method.id
        );
        // Guarded: its first action only under a condition.
        if let Some(first) = full.first() {
            let found = findings_of(catalog, &org(&full, Some(first)));
            assert_eq!(
                has(&found, &method.id),
                Some(true),
                "{} guarded: {found:?}",
                method.id
            );
        }
        // Missing one action of `all`.
        for missing in &method.all {
            let rest: Vec<String> = full.iter().filter(|a| *a != missing).cloned().collect();
            let rest = if rest.is_empty() {
                vec!["sts:GetCallerIdentity".to_owned()]
            } else {
                rest
            };
            let rest = if method.catalog == "chime" && rest == ["sts:GetCallerIdentity"] {
                vec!["chime:ListMeetings".to_owned()]
            } else {
                rest
            };
            let found = findings_of(catalog, &org(&rest, None));
            assert_eq!(
                has(&found, &method.id),
                None,
                "{} without {missing}: {found:?}",
                method.id
            );
        }
        // Missing every alternative of `any`.
        if !method.any.is_empty() {
            let mut rest = method.all.clone();
            if rest.is_empty() {
                rest.push(if method.catalog == "chime" {
                    "chime:ListMeetings".to_owned()
                } else {
                    "sts:GetCallerIdentity".to_owned()
                });
            }
            let found = findings_of(catalog, &org(&rest, None));
            assert_eq!(
                has(&found, &method.id),
                None,
                "{} without its alternatives: {found:?}",
                method.id
            );
        }
    }
}

#[test]
fn admin_equivalence_and_the_chain_to_it() {
    let aws = Catalog::builtin("aws").expect("aws");
    let text = "policy Admin { allow * }\n\
        policy Hop { allow sts:AssumeRole }\n\
        user boss { attach Admin }\n\
        user dev { attach Hop }\n\
        user nobody { attach Hop }\n\
        role Mid { attach Hop\n trust user dev }\n\
        role Top { attach Admin\n trust role Mid }\n";
    let found = findings_of(&aws, text);
    let admins: Vec<&Vec<String>> = found
        .iter()
        .filter(|(c, m, _, _)| c == "F0002" && m == "full-access")
        .map(|(_, _, who, _)| who)
        .collect();
    assert!(
        admins.iter().any(|w| w.contains(&"user/boss".to_owned())),
        "{found:?}"
    );
    assert!(
        admins.iter().any(|w| w.contains(&"role/Top".to_owned())),
        "{found:?}"
    );
    let chains: Vec<&Vec<String>> = found
        .iter()
        .filter(|(c, _, _, _)| c == "F0003")
        .map(|(_, _, who, _)| who)
        .collect();
    assert!(chains.contains(&&vec!["user/dev".to_owned()]), "{found:?}");
    assert!(chains.contains(&&vec!["role/Mid".to_owned()]), "{found:?}");
    assert!(
        !chains.iter().any(|w| w.contains(&"user/nobody".to_owned())),
        "{found:?}"
    );
    // The fix: Top trusts nobody any more; no chain is left.
    let fixed = text.replace(" trust role Mid", "");
    let found = findings_of(&aws, &fixed);
    assert!(!found.iter().any(|(c, _, _, _)| c == "F0003"), "{found:?}");
}

#[test]
fn chains_are_shortest_and_guarded_edges_are_marked() {
    let aws = Catalog::builtin("aws").expect("aws");
    let text = "account \"111122223333\"\n\
        policy Admin { allow * }\n\
        policy Hop { allow sts:AssumeRole }\n\
        user dev { attach Hop }\n\
        role Top { attach Admin\n trust { allow sts:AssumeRole principal aws \"arn:aws:iam::111122223333:user/dev\" when { Bool aws:MultiFactorAuthPresent = true } } }\n";
    let out = compile_with(&aws, text);
    let table = out.table.expect("table");
    let report = analyze(&table, &methods().expect("methods"));
    let chain = report
        .findings
        .iter()
        .find(|f| f.code == "F0003")
        .expect("a chain");
    assert!(chain.guarded);
    let names: Vec<&str> = chain
        .chain
        .iter()
        .map(|p| table.principal_name(*p))
        .collect();
    assert_eq!(names, ["user/dev", "role/Top"]);
}

#[test]
fn self_policy_edits_are_admin_equivalent() {
    let aws = Catalog::builtin("aws").expect("aws");
    let found = findings_of(
        &aws,
        "policy P { allow iam:PutUserPolicy }\nuser u { attach P }\n",
    );
    assert!(
        found
            .iter()
            .any(|(c, m, _, _)| c == "F0002" && m == "self-policy-edit"),
        "{found:?}"
    );
    // A role with the user edit cannot grant itself anything.
    let found = findings_of(
        &aws,
        "policy P { allow iam:PutUserPolicy }\nrole r { attach P\n trust account 111122223333 }\n",
    );
    assert!(!found.iter().any(|(c, _, _, _)| c == "F0002"), "{found:?}");
}

#[test]
fn chime_catalog_reports_chime_risks() {
    let chime = Catalog::builtin("chime").expect("chime");
    let found = findings_of(&chime, "policy P { allow chime:* }\nuser u { attach P }\n");
    for (code, method) in [
        ("F0002", "full-access"),
        ("F0020", "chime-account-administration"),
        ("F0020", "chime-user-administration"),
        ("F0013", "chime-infrastructure-modification"),
    ] {
        assert!(
            found.iter().any(|(c, m, _, _)| c == code && m == method),
            "{code} {method}: {found:?}"
        );
    }
    // No AWS entry applies to the Chime catalog.
    assert!(!found.iter().any(|(c, _, _, _)| c == "F0001"), "{found:?}");
    let found = findings_of(
        &chime,
        "policy P { allow chime:GetMeeting }\nuser u { attach P }\n",
    );
    assert!(found.is_empty(), "{found:?}");
}

fn codes(out: &Compilation) -> Vec<&'static str> {
    out.diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn w0406_one_policy_alone_grants_a_method() {
    let aws = Catalog::builtin("aws").expect("aws");
    let out = compile_with(
        &aws,
        "policy P { allow iam:PassRole, lambda:CreateFunction, lambda:InvokeFunction }\nuser u { attach P }\n",
    );
    assert!(codes(&out).contains(&"W0406"), "{:?}", out.diagnostics);
    // Split over two policies: each alone is harmless (the table's F0001 still
    // sees the user with both).
    let out = compile_with(
        &aws,
        "policy P { allow iam:PassRole }\npolicy Q { allow lambda:CreateFunction, lambda:InvokeFunction }\nuser u { attach P, Q }\n",
    );
    assert!(!codes(&out).contains(&"W0406"), "{:?}", out.diagnostics);
    // A narrower resource is no grant on every resource.
    let out = compile_with(
        &aws,
        "policy P { allow iam:PassRole on arn:aws:iam::111122223333:role/lambda-*\n allow lambda:CreateFunction, lambda:InvokeFunction }\nuser u { attach P }\n",
    );
    assert!(!codes(&out).contains(&"W0406"), "{:?}", out.diagnostics);
}

#[test]
fn pragmas_accept_warnings_with_a_reason() {
    let chime = Catalog::builtin("chime").expect("chime");
    let bare = "policy Wide { allow chime:* }\nuser u { attach Wide }\n";
    assert!(codes(&compile_with(&chime, bare)).contains(&"W0404"));
    let accepted = format!("# verdict: allow W0404 \"chime admins; reviewed\"\n{bare}");
    let out = compile_with(&chime, &accepted);
    assert!(!codes(&out).contains(&"W0404"), "{:?}", out.diagnostics);
    assert!(out.table.is_some());
    // On the statement line too.
    let on_statement = "policy Wide {\n  // verdict: allow W0404 \"reviewed\"\n  allow chime:*\n}\nuser u { attach Wide }\n";
    assert!(!codes(&compile_with(&chime, on_statement)).contains(&"W0404"));
    // Another code accepts nothing.
    let other = format!("# verdict: allow W0405 \"not this one\"\n{bare}");
    assert!(codes(&compile_with(&chime, &other)).contains(&"W0404"));
    // Without a reason: an error, and no table.
    let bad = format!("# verdict: allow W0404\n{bare}");
    let out = compile_with(&chime, &bad);
    assert!(codes(&out).contains(&"E0130"), "{:?}", out.diagnostics);
    assert!(out.table.is_none());
    // Bound to nothing.
    let dangling = format!("{bare}# verdict: allow W0404 \"why\"\n");
    assert!(codes(&compile_with(&chime, &dangling)).contains(&"E0130"));
}

#[test]
fn pragmas_on_entities_accept_their_findings() {
    let chime = Catalog::builtin("chime").expect("chime");
    let text = "policy Wide { allow chime:* }\n# verdict: allow F0002 \"the break-glass user\"\nuser u { attach Wide }\nuser v { attach Wide }\n";
    let out = compile_with(&chime, text);
    let model = out.model.as_ref().expect("model");
    let (pragmas, errors) = pragma::collect(&out.sources, model);
    assert!(errors.is_empty(), "{errors:?}");
    let accepted = pragma::accepted_findings(&pragmas, model);
    assert_eq!(
        accepted,
        vec![(
            "F0002".to_owned(),
            "user/u".to_owned(),
            "the break-glass user".to_owned()
        )]
    );
}

#[test]
fn suppressions_and_baselines() {
    let chime = Catalog::builtin("chime").expect("chime");
    let out = compile_with(
        &chime,
        "policy Wide { allow chime:* }\nuser u { attach Wide }\nuser v { attach Wide }\n",
    );
    let table = out.table.expect("table");
    let report = analyze(&table, &methods().expect("methods"));
    let n = report.findings.len();
    let suppress = [accept::Suppression {
        code: "F0002".to_owned(),
        method: None,
        principal: Some("user/u".to_owned()),
        reason: "r".to_owned(),
    }];
    let accepted = accept::accept(&table, report.findings.clone(), &suppress, None);
    assert_eq!(accepted.findings.len(), n);
    assert_eq!(accepted.n_suppressed, 1);
    let admin = accepted
        .findings
        .iter()
        .find(|f| f.code == "F0002")
        .expect("F0002");
    assert_eq!(admin.principals.len(), 1);
    // A baseline of everything: nothing is new; without v's keys, v's are.
    let all: std::collections::HashSet<accept::Key> = report
        .findings
        .iter()
        .flat_map(|f| accept::keys(&table, f).collect::<Vec<_>>())
        .collect();
    let accepted = accept::accept(&table, report.findings.clone(), &[], Some(&all));
    assert!(accepted.new.iter().all(|new| !new));
    let without_v: std::collections::HashSet<accept::Key> = all
        .iter()
        .filter(|k| k.principal != "user/v")
        .cloned()
        .collect();
    let accepted = accept::accept(&table, report.findings, &[], Some(&without_v));
    assert!(accepted.new.iter().all(|new| *new));
}
