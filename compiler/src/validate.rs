//! Validation of policy documents (SEMANTICS.md §1, V-rules) and their
//! normalisation into [`PolicyDocument`] (§2, N-rules): identity policies,
//! boundaries, session policies and SCPs (no principal, V6) and role trust
//! policies (a principal, no resource, role-assumption actions only: G1,
//! G6). All errors of a document are reported, in document order; a
//! document with errors is never evaluated (V15).
//!
//! Principals are classified here from their text alone; ARNs come out as
//! [`PrincipalValue::Other`] and `lower` resolves those naming principals of
//! the model.

use crate::codes;
use std::collections::HashMap;

use verdict_grammar::{self as ast, Span, Spanned, StringList};
use verdict_runtime::parts::{Operator as ConditionOperator, SetOp};

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{
    ConditionPair, Effect, Loc, Pattern, PolicyDocument, PolicyKind, PolicyVersion, PrincipalEntry,
    PrincipalSet, PrincipalValue, Statement,
};
use crate::source::FileId;

/// Which rules apply to a document besides the identity-policy ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocContext {
    pub kind: PolicyKind,
    /// Written in the DSL: a missing `version` means 2012-10-17 there.
    pub dsl: bool,
}

/// Partitions accepted in resource ARNs (V10).
pub const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// Condition operator base names (C2), canonical spelling, with the runtime
/// operator each one compiles to.
pub const CONDITION_OPERATORS: &[(&str, ConditionOperator)] = &[
    ("StringEquals", ConditionOperator::StringEquals),
    ("StringNotEquals", ConditionOperator::StringNotEquals),
    (
        "StringEqualsIgnoreCase",
        ConditionOperator::StringEqualsIgnoreCase,
    ),
    (
        "StringNotEqualsIgnoreCase",
        ConditionOperator::StringNotEqualsIgnoreCase,
    ),
    ("StringLike", ConditionOperator::StringLike),
    ("StringNotLike", ConditionOperator::StringNotLike),
    ("NumericEquals", ConditionOperator::NumericEquals),
    ("NumericNotEquals", ConditionOperator::NumericNotEquals),
    ("NumericLessThan", ConditionOperator::NumericLessThan),
    (
        "NumericLessThanEquals",
        ConditionOperator::NumericLessThanEquals,
    ),
    ("NumericGreaterThan", ConditionOperator::NumericGreaterThan),
    (
        "NumericGreaterThanEquals",
        ConditionOperator::NumericGreaterThanEquals,
    ),
    ("DateEquals", ConditionOperator::DateEquals),
    ("DateNotEquals", ConditionOperator::DateNotEquals),
    ("DateLessThan", ConditionOperator::DateLessThan),
    ("DateLessThanEquals", ConditionOperator::DateLessThanEquals),
    ("DateGreaterThan", ConditionOperator::DateGreaterThan),
    (
        "DateGreaterThanEquals",
        ConditionOperator::DateGreaterThanEquals,
    ),
    ("Bool", ConditionOperator::Bool),
    ("BinaryEquals", ConditionOperator::BinaryEquals),
    ("IpAddress", ConditionOperator::IpAddress),
    ("NotIpAddress", ConditionOperator::NotIpAddress),
    ("ArnEquals", ConditionOperator::ArnEquals),
    ("ArnLike", ConditionOperator::ArnLike),
    ("ArnNotEquals", ConditionOperator::ArnNotEquals),
    ("ArnNotLike", ConditionOperator::ArnNotLike),
    ("Null", ConditionOperator::Null),
];

/// Actions a role trust policy may name (SEMANTICS.md G1).
pub const TRUST_ACTIONS: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:TagSession",
    "sts:SetSourceIdentity",
];

/// Validates an identity policy (also used for boundaries, session policies
/// and SCPs: V-rules, no principal, V6). Returns the normalised document,
/// or `None` if it had errors.
pub fn identity_policy(
    policy: &ast::Policy,
    file: FileId,
    cx: DocContext,
    diags: &mut Diagnostics,
) -> Option<PolicyDocument> {
    document(policy, file, cx, false, diags)
}

/// Validates a role trust policy (SEMANTICS.md G1, G6, and the V-rules
/// that apply to every document): each statement names a principal
/// (`Principal` or `NotPrincipal`), has no `Resource`/`NotResource`, and its
/// actions are role-assumption actions. Principals come out classified by
/// their text ([`PrincipalValue::Other`] for every principal ARN).
pub fn trust_policy(
    policy: &ast::Policy,
    file: FileId,
    cx: DocContext,
    diags: &mut Diagnostics,
) -> Option<PolicyDocument> {
    document(policy, file, cx, true, diags)
}

fn document(
    policy: &ast::Policy,
    file: FileId,
    cx: DocContext,
    trust: bool,
    diags: &mut Diagnostics,
) -> Option<PolicyDocument> {
    let errors_before = diags.n_errors();
    let loc = |span: Span| Loc { file, span };

    let version = version(policy, file, cx, diags);
    if let Some(id) = &policy.id {
        id_of(id, file, trust, diags);
    }
    let statements = statement_list(policy, file, diags)?;

    let mut sids: HashMap<&str, Span> = HashMap::new();
    let mut out = Vec::with_capacity(statements.len());
    for stmt in statements {
        if let Some(sid) = &stmt.sid {
            sid_of(sid, &mut sids, file, diags);
        }
        let principal = if trust {
            trust_principal(stmt, file, diags)
        } else {
            no_principal(stmt, file, diags);
            None
        };
        let effect = effect(stmt, file, diags);
        let actions = one_of(
            &stmt.action,
            &stmt.not_action,
            ("Action", "NotAction"),
            codes::E0106,
            "policy statement must contain actions",
            stmt.span,
            file,
            diags,
        );
        // An implied DSL resource is `*` in an identity policy and nothing
        // in a trust policy.
        let resource = stmt.resource_or_implied();
        let resources = if trust {
            no_trust_resource(stmt, file, diags);
            Some((false, &[][..]))
        } else {
            one_of(
                &resource,
                &stmt.not_resource,
                ("Resource", "NotResource"),
                codes::E0107,
                "policy statement must contain resources",
                stmt.span,
                file,
                diags,
            )
        };
        if let Some((not_action, list)) = &actions {
            for a in *list {
                check_action(a, file, diags);
                if trust && !not_action {
                    check_trust_action(a, file, diags);
                }
            }
        }
        if let Some((_, list)) = &resources {
            for r in *list {
                check_resource(r, version, file, diags);
            }
        }
        let conditions = stmt
            .condition
            .as_ref()
            .map(|cond| conditions(&cond.node, version, file, diags))
            .unwrap_or_default();
        if let (Some(effect), Some((not_action, actions)), Some((not_resource, resources))) =
            (effect, actions, resources)
        {
            out.push(Statement {
                loc: loc(stmt.span),
                sid: stmt.sid.as_ref().map(|s| s.node.clone()),
                effect,
                not_action,
                actions: patterns(actions, file),
                not_resource,
                resources: patterns(resources, file),
                conditions,
                condition_loc: stmt.condition.as_ref().map(|c| loc(c.span)),
                principal,
            });
        }
    }
    if diags.n_errors() > errors_before {
        return None;
    }
    Some(PolicyDocument {
        version,
        statements: out,
    })
}

/// V2: the document's language version (E0101 for an unknown one); a
/// managed policy or SCP must be 2012-10-17 (E0102), any other document
/// gets a warning without it (W0101: policy variables are literal text).
fn version(
    policy: &ast::Policy,
    file: FileId,
    cx: DocContext,
    diags: &mut Diagnostics,
) -> PolicyVersion {
    let version = match &policy.version {
        None if cx.dsl => PolicyVersion::V2012_10_17,
        None => PolicyVersion::V2008_10_17,
        Some(v) if v.node == "2012-10-17" => PolicyVersion::V2012_10_17,
        Some(v) if v.node == "2008-10-17" => PolicyVersion::V2008_10_17,
        Some(v) => {
            diags.push(
                Diagnostic::error(codes::E0101, format!("invalid policy version `{}`", v.node))
                    .at(file, v.span, "not a policy language version")
                    .with_help("use \"2012-10-17\""),
            );
            PolicyVersion::V2012_10_17
        }
    };
    if version == PolicyVersion::V2008_10_17 {
        let span = policy.version.as_ref().map_or(policy.span, |v| v.span);
        let what = if policy.version.is_some() {
            "version 2008-10-17"
        } else {
            "no `Version`"
        };
        if matches!(cx.kind, PolicyKind::Managed | PolicyKind::Scp) {
            diags.push(
                Diagnostic::error(
                    codes::E0102,
                    "policy document must be version 2012-10-17 or greater",
                )
                .at(
                    file,
                    span,
                    match cx.kind {
                        PolicyKind::Scp => format!("SCP with {what}"),
                        _ => format!("managed policy with {what}"),
                    },
                )
                .with_help("add \"Version\": \"2012-10-17\""),
            );
        } else {
            diags.push(
                Diagnostic::warning(
                    codes::W0101,
                    format!("policy has {what}: policy variables are read as literal text"),
                )
                .at(file, span, "here")
                .with_help("add \"Version\": \"2012-10-17\""),
            );
        }
    }
    version
}

/// V3: `Id` is accepted with a warning in identity policies (W0102); its
/// characters follow V13.
fn id_of(id: &Spanned<String>, file: FileId, trust: bool, diags: &mut Diagnostics) {
    if !trust {
        diags.push(
            Diagnostic::warning(codes::W0102, "identity policies should not contain `Id`")
                .at(file, id.span, "ignored"),
        );
    }
    check_chars(&id.node, id.span, file, diags);
}

/// V4: `Statement` is required and not empty (E0103).
fn statement_list<'p>(
    policy: &'p ast::Policy,
    file: FileId,
    diags: &mut Diagnostics,
) -> Option<&'p [ast::Statement]> {
    match &policy.statements {
        None => {
            diags.push(
                Diagnostic::error(codes::E0103, "policy document has no `Statement`").at(
                    file,
                    policy.span,
                    "missing `Statement`",
                ),
            );
            None
        }
        Some(s) if s.node.is_empty() => {
            diags.push(
                Diagnostic::error(codes::E0103, "`Statement` must not be empty").at(
                    file,
                    s.span,
                    "empty statement list",
                ),
            );
            None
        }
        Some(s) => Some(&s.node),
    }
}

/// V11: a `Sid` is alpha-numeric (E0110) and, when not empty, unique in
/// its policy (E0111); `sids` holds the ones seen so far.
fn sid_of<'p>(
    sid: &'p Spanned<String>,
    sids: &mut HashMap<&'p str, Span>,
    file: FileId,
    diags: &mut Diagnostics,
) {
    if !sid.node.chars().all(|c| c.is_ascii_alphanumeric()) {
        diags.push(
            Diagnostic::error(codes::E0110, "statement ids (Sid) must be alpha-numeric").at(
                file,
                sid.span,
                "invalid `Sid`",
            ),
        );
    } else if !sid.node.is_empty() {
        if let Some(first) = sids.get(sid.node.as_str()) {
            diags.push(
                Diagnostic::error(
                    codes::E0111,
                    format!("duplicate statement id `{}`", sid.node),
                )
                .at(file, sid.span, "used again here")
                .with_related(file, *first, "first used here")
                .with_help("statement ids must be unique within one policy"),
            );
        } else {
            sids.insert(&sid.node, sid.span);
        }
    }
}

/// V6: no `Principal` or `NotPrincipal` outside trust policies (E0104).
fn no_principal(stmt: &ast::Statement, file: FileId, diags: &mut Diagnostics) {
    for (principal, what) in [
        (&stmt.principal, "Principal"),
        (&stmt.not_principal, "NotPrincipal"),
    ] {
        if let Some(p) = principal {
            diags.push(
                Diagnostic::error(
                    codes::E0104,
                    "policy document should not specify a principal",
                )
                .at(
                    file,
                    p.span,
                    format!("`{what}` is only allowed in trust policies"),
                ),
            );
        }
    }
}

/// V7: `Effect` is exactly `Allow` or `Deny` (E0105).
fn effect(stmt: &ast::Statement, file: FileId, diags: &mut Diagnostics) -> Option<Effect> {
    match &stmt.effect {
        Some(e) if e.node == "Allow" => Some(Effect::Allow),
        Some(e) if e.node == "Deny" => Some(Effect::Deny),
        Some(e) => {
            let help = match e.node.to_ascii_lowercase().as_str() {
                "allow" => "write `Allow` (effects are case-sensitive)",
                "deny" => "write `Deny` (effects are case-sensitive)",
                _ => "the effect is `Allow` or `Deny`",
            };
            diags.push(
                Diagnostic::error(codes::E0105, format!("invalid effect `{}`", e.node))
                    .at(file, e.span, "not `Allow` or `Deny`")
                    .with_help(help),
            );
            None
        }
        None => {
            diags.push(
                Diagnostic::error(codes::E0105, "statement has no `Effect`").at(
                    file,
                    stmt.span,
                    "missing `Effect`",
                ),
            );
            None
        }
    }
}

/// G6: a trust statement has no `Resource` or
/// `NotResource` (E0121).
fn no_trust_resource(stmt: &ast::Statement, file: FileId, diags: &mut Diagnostics) {
    // An implied DSL resource is not written, so it is never reported.
    for (list, what) in [
        (&stmt.resource, "Resource"),
        (&stmt.not_resource, "NotResource"),
    ] {
        if let Some(list) = list {
            diags.push(
                Diagnostic::error(
                    codes::E0121,
                    format!("trust policy statement has prohibited field `{what}`"),
                )
                .at(file, list.span, "not allowed in a trust policy")
                .with_help("a trust policy's resource is its role; remove the field"),
            );
        }
    }
}

/// V12: each condition operator (C2), key and value (V13, C9–C13): empty
/// value lists are errors (E0114). Returns the statement's condition pairs.
fn conditions(
    cond: &ast::Condition,
    version: PolicyVersion,
    file: FileId,
    diags: &mut Diagnostics,
) -> Vec<ConditionPair> {
    let loc = |span: Span| Loc { file, span };
    let mut conditions = Vec::new();
    for op in &cond.operators {
        let parsed = check_operator(&op.name, file, diags);
        for entry in &op.entries {
            if entry.values.node.is_empty() {
                diags.push(
                    Diagnostic::error(
                        codes::E0114,
                        format!("condition key `{}` has no values", entry.key.node),
                    )
                    .at(file, entry.values.span, "empty list")
                    .with_help("give at least one value, or remove the key"),
                );
            }
            check_chars(&entry.key.node, entry.key.span, file, diags);
            for v in &entry.values.node {
                if check_chars(&v.node, v.span, file, diags) {
                    if let Some(parsed) = &parsed {
                        check_condition_value(parsed, v, version, file, diags);
                    }
                }
            }
            conditions.push(ConditionPair {
                operator: op.name.node.clone(),
                key: entry.key.node.clone(),
                values: entry.values.node.iter().map(|v| v.node.clone()).collect(),
                loc: loc(entry.key.span.to(entry.values.span)),
            });
        }
    }
    conditions
}

/// G1: a trust statement's action must be a role-assumption action (a
/// pattern matching at least one of [`TRUST_ACTIONS`]).
fn check_trust_action(action: &Spanned<String>, file: FileId, diags: &mut Diagnostics) {
    let text = action.node.as_str();
    let matches_one = TRUST_ACTIONS.iter().any(|allowed| {
        text == "*"
            || text.split_once(':').is_some_and(|(vendor, name)| {
                let (_, allowed_name) = allowed.split_once(':').unwrap_or(("", allowed));
                (vendor == "*" || vendor.eq_ignore_ascii_case("sts"))
                    && crate::glob::iglob(name, allowed_name)
            })
    });
    if !matches_one {
        diags.push(
            Diagnostic::error(
                codes::E0122,
                format!("action `{text}` is not allowed in a trust policy"),
            )
            .at(file, action.span, "not a role-assumption action")
            .with_help(format!(
                "trust policies allow {}",
                TRUST_ACTIONS
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
    }
}

/// G1, G2, G6: the `Principal` / `NotPrincipal` of a trust statement,
/// classified by its text.
fn trust_principal(
    stmt: &ast::Statement,
    file: FileId,
    diags: &mut Diagnostics,
) -> Option<PrincipalSet> {
    let (not, principal) = match (&stmt.principal, &stmt.not_principal) {
        (Some(p), None) => (false, p),
        (None, Some(n)) => (true, n),
        (Some(p), Some(n)) => {
            diags.push(
                Diagnostic::error(
                    codes::E0120,
                    "statement has both `Principal` and `NotPrincipal`",
                )
                .at(file, n.span, "`NotPrincipal` here")
                .with_related(file, p.span, "`Principal` here")
                .with_help("a statement takes exactly one of them"),
            );
            return None;
        }
        (None, None) => {
            diags.push(
                Diagnostic::error(codes::E0120, "trust policy statement must contain a principal")
                    .at(file, stmt.span, "no `Principal` or `NotPrincipal`")
                    .with_help("name who may assume the role, e.g. `\"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}`"),
            );
            return None;
        }
    };
    let mut found: Vec<(Option<PrincipalValue>, &Spanned<String>)> = Vec::new();
    let mut ok = true;
    match &principal.node {
        ast::Principal::Bare(text) => {
            let value = if text.node == "*" {
                Some(PrincipalValue::Everyone)
            } else {
                diags.push(
                    Diagnostic::error(codes::E0123, format!("invalid principal `{}`", text.node))
                        .at(file, text.span, "not `*` or an object")
                        .with_help("write `\"*\"` or an object such as `{\"AWS\": \"arn:aws:iam::111122223333:root\"}`"),
                );
                None
            };
            found.push((value, text));
        }
        ast::Principal::Map(map) => {
            for (kind, values) in map {
                if !matches!(
                    kind.node.as_str(),
                    "AWS" | "Service" | "Federated" | "CanonicalUser"
                ) {
                    diags.push(
                        Diagnostic::error(
                            codes::E0124,
                            format!("unknown principal type `{}`", kind.node),
                        )
                        .at(file, kind.span, "not a principal type")
                        .with_help(
                            "principal types are `AWS`, `Service`, `Federated` and `CanonicalUser`",
                        ),
                    );
                    ok = false;
                    continue;
                }
                if values.node.is_empty() {
                    diags.push(
                        Diagnostic::error(
                            codes::E0123,
                            format!("`{}` principal list must not be empty", kind.node),
                        )
                        .at(file, values.span, "empty list"),
                    );
                    ok = false;
                }
                for value in &values.node {
                    found.push((principal_value(&kind.node, value, file, diags), value));
                }
            }
        }
    }
    let mut entries = Vec::with_capacity(found.len());
    for (value, text) in found {
        match value {
            Some(value) => entries.push(PrincipalEntry {
                value,
                text: text.node.clone(),
                loc: Loc {
                    file,
                    span: text.span,
                },
            }),
            None => ok = false,
        }
    }
    ok.then_some(PrincipalSet { not, entries })
}

/// One principal value of type `kind` (`AWS`, `Service`, …), per G2 and G6.
fn principal_value(
    kind: &str,
    value: &Spanned<String>,
    file: FileId,
    diags: &mut Diagnostics,
) -> Option<PrincipalValue> {
    let text = value.node.as_str();
    if !check_chars(text, value.span, file, diags) {
        return None;
    }
    let invalid = |diags: &mut Diagnostics, label: &str, help: &str| {
        diags.push(
            Diagnostic::error(codes::E0123, format!("invalid principal `{text}`"))
                .at(file, value.span, label)
                .with_help(help),
        );
        None
    };
    let wildcard = text != "*" && text.contains(['*', '?']);
    if wildcard {
        return invalid(
            diags,
            "wildcards are not allowed inside principals",
            "only the whole value `*` is a wildcard (SEMANTICS.md G6); name principals exactly",
        );
    }
    if text.is_empty() {
        return invalid(diags, "empty", "name a principal");
    }
    match kind {
        "Service" => Some(PrincipalValue::Service(text.to_string())),
        "Federated" => Some(PrincipalValue::Federated(text.to_string())),
        "CanonicalUser" => Some(PrincipalValue::CanonicalUser(text.to_string())),
        _ if text == "*" => Some(PrincipalValue::Everyone),
        _ if is_account_id(text) => Some(PrincipalValue::Account(text.to_string())),
        _ if text.starts_with("arn:") => {
            let fields: Vec<&str> = text.splitn(6, ':').collect();
            let (partition, service, region, account, resource) = match fields.as_slice() {
                [_, partition, service, region, account, resource] => {
                    (*partition, *service, *region, *account, *resource)
                }
                _ => return invalid(diags, "not a principal ARN", PRINCIPAL_ARN_HELP),
            };
            let known = PARTITIONS.contains(&partition)
                && region.is_empty()
                && is_account_id(account)
                && match service {
                    "iam" => {
                        resource == "root"
                            || resource.starts_with("user/")
                            || resource.starts_with("role/")
                    }
                    "sts" => {
                        resource.starts_with("assumed-role/")
                            || resource.starts_with("federated-user/")
                    }
                    _ => false,
                };
            if !known {
                return invalid(diags, "not a principal ARN", PRINCIPAL_ARN_HELP);
            }
            if service == "iam" && resource == "root" {
                return Some(PrincipalValue::Account(account.to_string()));
            }
            Some(PrincipalValue::Other(text.to_string()))
        }
        _ if is_unique_id(text) => {
            diags.push(
                Diagnostic::warning(
                    codes::W0120,
                    format!("trust policy names `{text}`, the unique id of a deleted principal"),
                )
                .at(file, value.span, "matches nobody")
                .with_help("IAM shows a unique id where the principal a trust policy named was deleted; remove it or name the principal again"),
            );
            Some(PrincipalValue::Other(text.to_string()))
        }
        _ => invalid(
            diags,
            "not an account id, principal ARN or `*`",
            PRINCIPAL_ARN_HELP,
        ),
    }
}

const PRINCIPAL_ARN_HELP: &str = "AWS principals are `*`, an account id, `arn:aws:iam::ACCOUNT:root`, `arn:aws:iam::ACCOUNT:user/NAME`, `arn:aws:iam::ACCOUNT:role/NAME`, `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` or `arn:aws:sts::ACCOUNT:federated-user/NAME`";

/// An AWS account id: exactly 12 ASCII digits.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// An IAM unique id such as `AIDAJQABLZS4A3QDU576Q` or `AROA…`: `A`, three
/// upper-case letters, then at least twelve upper-case letters or digits.
fn is_unique_id(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 16
        && bytes.first() == Some(&b'A')
        && bytes.iter().skip(1).take(3).all(u8::is_ascii_uppercase)
        && bytes
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Exactly one of two fields, non-empty (V8). Returns `(is_not, values)`.
#[expect(
    clippy::too_many_arguments,
    reason = "one call per field pair; a struct would only rename them"
)]
fn one_of<'a>(
    positive: &'a Option<StringList>,
    negative: &'a Option<StringList>,
    names: (&str, &str),
    code: &'static str,
    missing: &str,
    stmt_span: Span,
    file: FileId,
    diags: &mut Diagnostics,
) -> Option<(bool, &'a [Spanned<String>])> {
    let (is_not, list) = match (positive, negative) {
        (Some(p), None) => (false, p),
        (None, Some(n)) => (true, n),
        (Some(p), Some(n)) => {
            diags.push(
                Diagnostic::error(
                    code,
                    format!("statement has both `{}` and `{}`", names.0, names.1),
                )
                .at(file, n.span, format!("`{}` here", names.1))
                .with_related(file, p.span, format!("`{}` here", names.0))
                .with_help("a statement takes exactly one of them"),
            );
            return None;
        }
        (None, None) => {
            diags.push(Diagnostic::error(code, missing.to_string()).at(
                file,
                stmt_span,
                format!("no `{}` or `{}`", names.0, names.1),
            ));
            return None;
        }
    };
    if list.node.is_empty() {
        let name = if is_not { names.1 } else { names.0 };
        diags.push(
            Diagnostic::error(code, format!("`{name}` must not be an empty list")).at(
                file,
                list.span,
                "empty list",
            ),
        );
        return None;
    }
    Some((is_not, &list.node))
}

fn patterns(list: &[Spanned<String>], file: FileId) -> Vec<Pattern> {
    list.iter()
        .map(|s| Pattern {
            text: s.node.clone(),
            loc: Loc { file, span: s.span },
        })
        .collect()
}

/// V13: only TAB, LF, CR and U+0020–U+00FF.
fn check_chars(text: &str, span: Span, file: FileId, diags: &mut Diagnostics) -> bool {
    if let Some(c) = text
        .chars()
        .find(|&c| !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}'))
    {
        diags.push(
            Diagnostic::error(
                codes::E0113,
                format!("policy contains the character {c:?} (U+{:04X})", c as u32),
            )
            .at(
                file,
                span,
                "only tab, line breaks and U+0020 to U+00FF are allowed",
            ),
        );
        return false;
    }
    true
}

/// V9 (and A5): the shape of one action string.
fn check_action(action: &Spanned<String>, file: FileId, diags: &mut Diagnostics) {
    let text = action.node.as_str();
    if !check_chars(text, action.span, file, diags) || text == "*" {
        return;
    }
    let Some((vendor, name)) = text.split_once(':') else {
        diags.push(
            Diagnostic::error(
                codes::E0108,
                format!("action `{text}` has no service prefix"),
            )
            .at(file, action.span, "expected `service:Action`")
            .with_help("actions must be prefaced by a vendor, e.g. `chime:ListUsers`"),
        );
        return;
    };
    if name.contains(':') {
        diags.push(
            Diagnostic::error(
                codes::E0108,
                format!("action `{text}` contains more than one colon"),
            )
            .at(file, action.span, "expected `service:Action`"),
        );
        return;
    }
    if vendor == "*" {
        diags.push(
            Diagnostic::warning(codes::W0103, format!("action `{text}` has the vendor `*`")).at(
                file,
                action.span,
                "matches this action name in every service",
            ),
        );
    } else if vendor.is_empty()
        || !vendor
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        diags.push(
            Diagnostic::error(codes::E0108, format!("vendor `{vendor}` is not valid")).at(
                file,
                action.span,
                "service prefixes are letters, digits, `.` and `-`",
            ),
        );
        return;
    }
    if name.is_empty() || name.chars().any(char::is_whitespace) {
        diags.push(
            Diagnostic::warning(codes::W0104, format!("action `{text}` matches nothing"))
                .at(file, action.span, "empty or contains white space")
                .with_help("IAM does not trim action names; remove the white space"),
        );
        return;
    }
    if let Some(c) = name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '*' | '?' | '-')))
    {
        diags.push(
            Diagnostic::error(
                codes::E0108,
                format!("action `{text}` contains the character `{c}`"),
            )
            .at(
                file,
                action.span,
                "action names are letters, digits, `-`, `*` and `?`",
            ),
        );
    }
}

/// V10 (and R5, R6): the shape of one resource string.
fn check_resource(
    resource: &Spanned<String>,
    version: PolicyVersion,
    file: FileId,
    diags: &mut Diagnostics,
) {
    let text = resource.node.as_str();
    if !check_chars(text, resource.span, file, diags) || text == "*" {
        return;
    }
    if !text.starts_with("arn:") {
        diags.push(
            Diagnostic::error(
                codes::E0109,
                format!("resource `{text}` must be in ARN format or `*`"),
            )
            .at(file, resource.span, "not an ARN")
            .with_help("write `*` or an ARN such as `arn:aws:chime::111122223333:meeting/*`"),
        );
        return;
    }
    let fields: Vec<&str> = text.splitn(6, ':').collect();
    let partition = fields.get(1).copied().unwrap_or("");
    if partition != "*" && !PARTITIONS.contains(&partition) {
        diags.push(
            Diagnostic::error(
                codes::E0109,
                format!("partition `{partition}` is not valid for resource `{text}`"),
            )
            .at(file, resource.span, "unknown partition")
            .with_help("partitions are `aws`, `aws-cn`, `aws-us-gov`, … or `*`"),
        );
        return;
    }
    if let Some(service) = fields.get(2) {
        if service.contains(['*', '?']) || service.contains("${") {
            diags.push(
                Diagnostic::error(
                    codes::E0109,
                    "resource vendor must be fully qualified and cannot contain regexes",
                )
                .at(file, resource.span, format!("service `{service}`")),
            );
            return;
        }
    }
    if fields.len() < 6 {
        diags.push(
            Diagnostic::warning(
                codes::W0105,
                format!("resource `{text}` has fewer than 6 ARN fields"),
            )
            .at(file, resource.span, "missing fields are read as `*`"),
        );
    }
    if version == PolicyVersion::V2012_10_17 {
        let head_len = fields.iter().take(5).map(|f| f.len() + 1).sum::<usize>();
        if text
            .get(..head_len.min(text.len()))
            .is_some_and(|head| head.contains("${"))
        {
            diags.push(
                Diagnostic::warning(
                    codes::W0106,
                    "policy variable before the resource part of an ARN",
                )
                .at(file, resource.span, "read as literal text"),
            );
        }
    }
}

/// Parsed condition operator name (N3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    pub set: Option<SetPrefix>,
    /// Canonical base name, e.g. `StringLike`.
    pub base: &'static str,
    /// The runtime operator of `base`.
    pub op: ConditionOperator,
    pub if_exists: bool,
}

impl Operator {
    /// The runtime set prefix. A prefix on `Null` is accepted and ignored
    /// (C14, warning W0110), so it becomes [`SetOp::None`].
    pub fn set_op(&self) -> SetOp {
        match self.set {
            _ if self.op == ConditionOperator::Null => SetOp::None,
            None => SetOp::None,
            Some(SetPrefix::ForAllValues) => SetOp::ForAllValues,
            Some(SetPrefix::ForAnyValue) => SetOp::ForAnyValue,
        }
    }

    /// Whether policy variables are substituted in this operator's values in a
    /// `2012-10-17` document: String*, Arn* and Bool (C-VAR-1, §12 D5). In the
    /// values of every other operator `${` is literal text.
    pub fn takes_variables(&self) -> bool {
        use ConditionOperator as O;
        matches!(
            self.op,
            O::StringEquals
                | O::StringNotEquals
                | O::StringEqualsIgnoreCase
                | O::StringNotEqualsIgnoreCase
                | O::StringLike
                | O::StringNotLike
                | O::ArnEquals
                | O::ArnLike
                | O::ArnNotEquals
                | O::ArnNotLike
                | O::Bool
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetPrefix {
    ForAllValues,
    ForAnyValue,
}

/// Parses an operator name per C2, case-insensitively. `Err` says why not.
pub fn parse_operator(name: &str) -> Result<Operator, String> {
    let (set, rest) = match name.split_once(':') {
        Some((prefix, rest)) => {
            let set = if prefix.eq_ignore_ascii_case("ForAllValues") {
                SetPrefix::ForAllValues
            } else if prefix.eq_ignore_ascii_case("ForAnyValue") {
                SetPrefix::ForAnyValue
            } else {
                return Err(format!("unknown set operator prefix `{prefix}`"));
            };
            if rest.contains(':') {
                return Err("an operator takes at most one set prefix".to_string());
            }
            (Some(set), rest)
        }
        None => (None, name),
    };
    let (base_text, if_exists) = match rest.len().checked_sub("IfExists".len()) {
        Some(cut) if rest.is_char_boundary(cut) && rest[cut..].eq_ignore_ascii_case("IfExists") => {
            (&rest[..cut], true)
        }
        _ => (rest, false),
    };
    let (base, op) = CONDITION_OPERATORS
        .iter()
        .find(|(b, _)| b.eq_ignore_ascii_case(base_text))
        .ok_or_else(|| format!("unknown condition operator `{name}`"))?;
    if *op == ConditionOperator::Null && if_exists {
        return Err("`Null` does not take `IfExists`".to_string());
    }
    Ok(Operator {
        set,
        base,
        op: *op,
        if_exists,
    })
}

/// C2: the operator name must be known; non-canonical case is a warning, and
/// so is a set prefix on `Null` (C14).
fn check_operator(
    name: &Spanned<String>,
    file: FileId,
    diags: &mut Diagnostics,
) -> Option<Operator> {
    match parse_operator(&name.node) {
        Ok(op) => {
            let canonical = format!(
                "{}{}{}",
                match op.set {
                    Some(SetPrefix::ForAllValues) => "ForAllValues:",
                    Some(SetPrefix::ForAnyValue) => "ForAnyValue:",
                    None => "",
                },
                op.base,
                if op.if_exists { "IfExists" } else { "" }
            );
            if canonical != name.node {
                diags.push(
                    Diagnostic::warning(
                        codes::W0107,
                        format!(
                            "condition operator `{}` is not spelled canonically",
                            name.node
                        ),
                    )
                    .at(file, name.span, format!("read as `{canonical}`")),
                );
            }
            if op.op == ConditionOperator::Null && op.set.is_some() {
                diags.push(
                    Diagnostic::warning(
                        codes::W0110,
                        format!(
                            "set operator prefix on `Null` is ignored in `{}`",
                            name.node
                        ),
                    )
                    .at(file, name.span, "read as `Null`")
                    .with_help(
                        "write `Null`: it tests whether the key is present (SEMANTICS.md C14)",
                    ),
                );
            }
            Some(op)
        }
        Err(why) => {
            diags.push(Diagnostic::error(codes::E0112, why).at(
                file,
                name.span,
                "not a condition operator",
            ));
            None
        }
    }
}

/// One policy value of a condition operator: typed values (numbers, dates,
/// networks, base64; C9, C10, C12, C13) are read by the runtime's own parser,
/// so the compiler rejects exactly what a table could not hold (E0115); and
/// C11 for `Bool` (W0108).
fn check_condition_value(
    op: &Operator,
    value: &Spanned<String>,
    version: PolicyVersion,
    file: FileId,
    diags: &mut Diagnostics,
) {
    let text = value.node.as_str();
    if let Err(why) = verdict_runtime::parts::validate_policy_value(op.op, text) {
        diags.push(
            Diagnostic::error(
                codes::E0115,
                format!("invalid `{}` value: `{text}` is {why}", op.base),
            )
            .at(file, value.span, "cannot be read")
            .with_help(value_help(op.op)),
        );
        return;
    }
    let has_variable =
        version == PolicyVersion::V2012_10_17 && op.takes_variables() && text.contains("${");
    if op.op == ConditionOperator::Bool
        && !has_variable
        && !text.eq_ignore_ascii_case("true")
        && !text.eq_ignore_ascii_case("false")
    {
        diags.push(
            Diagnostic::warning(
                codes::W0108,
                format!("`Bool` value `{text}` is neither `true` nor `false`"),
            )
            .at(file, value.span, "this value never matches")
            .with_help("write \"true\" or \"false\" (SEMANTICS.md C11)"),
        );
    }
}

/// What a value of a typed operator looks like.
fn value_help(op: ConditionOperator) -> &'static str {
    use ConditionOperator as O;
    match op {
        O::NumericEquals
        | O::NumericNotEquals
        | O::NumericLessThan
        | O::NumericLessThanEquals
        | O::NumericGreaterThan
        | O::NumericGreaterThanEquals => "write a decimal number such as `3600` or `-1.5` (SEMANTICS.md C9)",
        O::DateEquals
        | O::DateNotEquals
        | O::DateLessThan
        | O::DateLessThanEquals
        | O::DateGreaterThan
        | O::DateGreaterThanEquals => {
            "write an ISO 8601 date such as `2030-01-01T00:00:00Z`, or epoch seconds (SEMANTICS.md C10)"
        }
        O::IpAddress | O::NotIpAddress => {
            "write an IPv4 or IPv6 address or network such as `203.0.113.0/24` (SEMANTICS.md C13)"
        }
        O::BinaryEquals => "write base64 such as `QmluYXJ5` (SEMANTICS.md C12)",
        _ => "see SEMANTICS.md C2",
    }
}

#[cfg(test)]
// why: a test fails by panicking; indexing and unwrapping say so shortest.
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;

    #[test]
    fn operators_parse_per_c2() {
        let op = parse_operator("ForAnyValue:StringLikeIfExists").unwrap();
        assert_eq!(
            op,
            Operator {
                set: Some(SetPrefix::ForAnyValue),
                base: "StringLike",
                op: ConditionOperator::StringLike,
                if_exists: true
            }
        );
        assert_eq!(parse_operator("stringequals").unwrap().base, "StringEquals");
        assert!(parse_operator("NullIfExists").is_err());
        assert!(parse_operator("ForAllValues:ForAnyValue:StringLike").is_err());
        assert!(parse_operator("StringMatches").is_err());
        assert!(parse_operator("Sometimes:StringLike").is_err());
        assert!(parse_operator("ForAllValues:Null").is_ok());
    }

    /// Every diagnostic code of compiling `policy` as user alice's
    /// policy (a JSON document attached in the DSL).
    fn codes_of(policy: &str) -> Vec<&'static str> {
        let mut files = crate::MemoryLoader::default();
        files.insert(
            "org.vp",
            "policy P from \"p.json\"\nuser alice { attach P }\n",
        );
        files.insert("p.json", policy);
        let out = crate::compile(
            &[crate::Input::auto("org.vp")],
            &crate::Config::default(),
            &mut files,
        );
        out.diagnostics.iter().map(|d| d.code).collect()
    }

    fn one_statement(version: &str, statement: &str) -> String {
        format!(r#"{{"Version":"{version}","Statement":[{statement}]}}"#)
    }

    /// Each V-rule code fires on its statement, and the fixed statement
    /// compiles without any diagnostic.
    #[test]
    fn v_rule_codes_fire_and_are_silent_on_the_fix() {
        let ok = r#"{"Effect":"Allow","Action":"chime:ListUsers","Resource":"*"}"#;
        let cases: &[(&str, &str, &str, &str)] = &[
            // (code, version, statement, fixed statement); the fixed one
            // is read with version 2012-10-17.
            ("E0101", "2013-01-01", ok, ok),
            (
                "E0109",
                "2012-10-17",
                r#"{"Effect":"Allow","Action":"chime:ListUsers","Resource":"chime-users"}"#,
                ok,
            ),
            (
                "E0110",
                "2012-10-17",
                r#"{"Sid":"read-users","Effect":"Allow","Action":"chime:ListUsers","Resource":"*"}"#,
                r#"{"Sid":"ReadUsers","Effect":"Allow","Action":"chime:ListUsers","Resource":"*"}"#,
            ),
            (
                "E0112",
                "2012-10-17",
                r#"{"Effect":"Allow","Action":"chime:ListUsers","Resource":"*","Condition":{"StringMatches":{"aws:username":"alice"}}}"#,
                r#"{"Effect":"Allow","Action":"chime:ListUsers","Resource":"*","Condition":{"StringEquals":{"aws:username":"alice"}}}"#,
            ),
            (
                "E0113",
                "2012-10-17",
                "{\"Effect\":\"Allow\",\"Action\":\"chime:ListUsers\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:username\":\"al\u{2013}ice\"}}}",
                r#"{"Effect":"Allow","Action":"chime:ListUsers","Resource":"*","Condition":{"StringEquals":{"aws:username":"al-ice"}}}"#,
            ),
            (
                "W0103",
                "2012-10-17",
                r#"{"Effect":"Allow","Action":"*:ListUsers","Resource":"*"}"#,
                ok,
            ),
            (
                "W0105",
                "2012-10-17",
                r#"{"Effect":"Deny","Action":"chime:ListUsers","Resource":"arn:aws:chime"}"#,
                r#"{"Effect":"Deny","Action":"chime:ListUsers","Resource":"*"}"#,
            ),
            (
                "W0106",
                "2012-10-17",
                r#"{"Effect":"Allow","Action":"chime:BatchCreateAttendee","Resource":"arn:aws:chime:${aws:username}:111122223333:meeting/*"}"#,
                r#"{"Effect":"Allow","Action":"chime:BatchCreateAttendee","Resource":"arn:aws:chime:us-east-1:111122223333:meeting/${aws:username}"}"#,
            ),
            (
                "W0107",
                "2012-10-17",
                r#"{"Effect":"Allow","Action":"chime:ListUsers","Resource":"*","Condition":{"stringequals":{"aws:username":"alice"}}}"#,
                r#"{"Effect":"Allow","Action":"chime:ListUsers","Resource":"*","Condition":{"StringEquals":{"aws:username":"alice"}}}"#,
            ),
        ];
        for (code, version, bad, fixed) in cases {
            let codes = codes_of(&one_statement(version, bad));
            assert!(codes.contains(code), "{code}: {codes:?} for {bad}");
            let codes = codes_of(&one_statement("2012-10-17", fixed));
            assert!(codes.is_empty(), "{code} fixed: {codes:?} for {fixed}");
        }
        // W0102: `Id` belongs in resource policies.
        let with_id = format!(r#"{{"Version":"2012-10-17","Id":"x","Statement":[{ok}]}}"#);
        assert_eq!(codes_of(&with_id), ["W0102"]);
        assert!(codes_of(&one_statement("2012-10-17", ok)).is_empty());
    }
}
