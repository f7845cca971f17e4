//! Condition-key lints (`W0240`–`W0245`), from the catalog's key data and
//! the global key data (`catalog::keys`): keys a service does not define,
//! keys no action of the statement supports, operators that do not fit the
//! key's type, set operators and multivalued keys, and roles trusted by a
//! service that uses no service roles. Warnings only: a lint never changes
//! a cell.
//!
//! A catalog without key data (a plain action list) gets none of the key
//! lints; W0245 reads the service facts, which are built in.

/* Design note.

"Never in a request" is said precisely: a pair on an absent key is false
for positive operators and `ForAnyValue:`, true for negated operators,
`…IfExists`, `ForAllValues:` and `Null: true` (SEMANTICS.md C4, C6, C14,
C16, C17, C20). So the message says whether the condition never holds (an
Allow never grants, a Deny never denies) or always holds (it restricts
nothing) rather than "never holds" for all.

A statement is reported for a key no action of it supports, not for one
that only some of its actions support; a service key is compared with the
statement's actions of that service only: `ec2:*` with `aws:ResourceTag/…` is
the usual way to write "tagged resources only", and AWS's own policies do
it. Global keys other than the tag family are in a request or not by the
global key data, whatever the action, so they are not checked per action.
Set operators on single-valued global keys keep their code W0207 (in
`build/lints.rs`); W0244 is the same finding on service keys. */

use crate::codes;
use verdict_runtime::parts::Operator as Op;

use crate::catalog::{
    closest_name, facts_of_principal, global_key, key_prefix, Catalog, ConditionKeys, KeyBase,
    KeyType, Presence,
};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{ConditionPair, Effect, Model, PrincipalValue, Statement};
use crate::validate::{parse_operator, Operator, SetPrefix};

/// Runs the key lints over every policy of the model and every trust policy.
pub(crate) fn lint(model: &Model, catalog: &Catalog, diags: &mut Diagnostics) {
    let documents = model
        .policies
        .iter()
        .filter_map(|p| p.document.as_ref())
        .chain(model.roles.iter().filter_map(|r| r.trust_policy.as_ref()));
    let statements: Vec<&Statement> = documents
        .flat_map(|d| d.statements.iter())
        .filter(|s| !s.conditions.is_empty())
        .collect();
    // Parses the built-in key data only when some condition needs it.
    if !statements.is_empty() {
        let keys = catalog.condition_keys();
        for stmt in statements {
            lint_statement(stmt, catalog, keys, diags);
        }
    }
    service_roles(model, diags);
}

/// What the data says of the key a pair names: its type, whether it is
/// checked per action (service keys and the tag family), whether global.
struct Resolved {
    ty: KeyType,
    per_action: bool,
    global: bool,
}

fn lint_statement(
    stmt: &Statement,
    catalog: &Catalog,
    keys: Option<&ConditionKeys>,
    diags: &mut Diagnostics,
) {
    for pair in &stmt.conditions {
        let Ok(op) = parse_operator(&pair.operator) else {
            continue;
        };
        let prefix = key_prefix(&pair.key);
        let resolved = if prefix.eq_ignore_ascii_case("aws") {
            // Unknown `aws:` keys are W0208's.
            let Some(global) = global_key(&pair.key) else {
                continue;
            };
            Resolved {
                ty: global.key.ty,
                per_action: keys.is_some() && is_tag_family(&global.key.name),
                global: true,
            }
        } else {
            let Some(keys) = keys else {
                continue;
            };
            // Keys a service adds to every request its credentials make.
            let everywhere =
                global_key(&pair.key).is_some_and(|g| g.presence == Presence::Credentials);
            match keys.find(&pair.key) {
                Some(def) => Resolved {
                    ty: def.ty,
                    per_action: !everywhere,
                    global: false,
                },
                None => {
                    // Only where the data covers the service: a catalog
                    // file may carry keys for some services only.
                    if keys.has_service(prefix) {
                        undefined_key(stmt, pair, &op, keys, diags);
                    }
                    continue;
                }
            }
        };
        if resolved.per_action && !stmt.not_action {
            if let Some(keys) = keys {
                let only_service = (!resolved.global).then_some(prefix);
                unsupported_key(stmt, pair, &op, catalog, keys, only_service, diags);
            }
        }
        type_mismatch(pair, &op, resolved.ty, diags);
        if op.op != Op::Null {
            if resolved.ty.multi && op.set.is_none() {
                diags.push(
                    Diagnostic::warning(
                        codes::W0243,
                        format!(
                            "`{}` on the multivalued key `{}` without a set prefix",
                            pair.operator, pair.key
                        ),
                    )
                    .at(
                        pair.loc.file,
                        pair.loc.span,
                        format!(
                            "an {} key: a request that carries it never matches (SEMANTICS.md C7)",
                            resolved.ty.name()
                        ),
                    )
                    .with_help(format!(
                        "write `ForAnyValue:{0}` (some value matches) or `ForAllValues:{0}` (every value matches)",
                        pair.operator
                    )),
                );
            } else if !resolved.ty.multi && op.set.is_some() && !resolved.global {
                diags.push(
                    Diagnostic::warning(
                        codes::W0244,
                        format!(
                            "set operator `{}` on the single-valued key `{}`",
                            pair.operator, pair.key
                        ),
                    )
                    .at(
                        pair.loc.file,
                        pair.loc.span,
                        format!(
                            "a {} key: the value is read as a one-element set",
                            resolved.ty.name()
                        ),
                    )
                    .with_help(format!(
                        "use `{}{}` without the set prefix (SEMANTICS.md C19)",
                        op.base,
                        if op.if_exists { "IfExists" } else { "" }
                    )),
                );
            }
        }
    }
}

/// `aws:RequestTag/…`, `aws:ResourceTag/…`, `aws:TagKeys`: global keys the
/// catalog lists per action.
fn is_tag_family(name: &str) -> bool {
    ["aws:RequestTag/", "aws:ResourceTag/"].iter().any(|p| {
        name.get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p))
    }) || name.eq_ignore_ascii_case("aws:TagKeys")
}

/// Whether the pair holds on a request without the key (C4, C6, C14, C16,
/// C17, C20).
fn holds_when_absent(op: &Operator, values: &[String]) -> bool {
    if op.op == Op::Null {
        return values.iter().any(|v| v.eq_ignore_ascii_case("true"));
    }
    if op.if_exists {
        return true;
    }
    match op.set {
        Some(SetPrefix::ForAllValues) => true,
        Some(SetPrefix::ForAnyValue) => false,
        None => negated(op.op),
    }
}

fn negated(op: Op) -> bool {
    matches!(
        op,
        Op::StringNotEquals
            | Op::StringNotEqualsIgnoreCase
            | Op::StringNotLike
            | Op::NumericNotEquals
            | Op::DateNotEquals
            | Op::NotIpAddress
            | Op::ArnNotEquals
            | Op::ArnNotLike
    )
}

/// What a pair on a key that is never in the request does to its statement.
fn consequence(effect: Effect, op: &Operator, values: &[String]) -> &'static str {
    match (holds_when_absent(op, values), effect) {
        (false, Effect::Allow) => "so this condition never holds and the Allow never applies",
        (false, Effect::Deny) => "so this condition never holds and the Deny never applies",
        (true, Effect::Allow) => {
            "so this condition always holds: it restricts nothing, the Allow applies as if it were not there"
        }
        (true, Effect::Deny) => {
            "so this condition always holds: it restricts nothing, the Deny applies to every request"
        }
    }
}

/// W0240: a key with a service's prefix that the service does not define.
fn undefined_key(
    stmt: &Statement,
    pair: &ConditionPair,
    op: &Operator,
    keys: &ConditionKeys,
    diags: &mut Diagnostics,
) {
    let prefix = key_prefix(&pair.key).to_ascii_lowercase();
    let names: Vec<&str> = keys
        .keys_with_prefix(&prefix)
        .map(|k| k.name.as_str())
        .collect();
    let message = if names.is_empty() {
        format!(
            "`{prefix}` defines no condition keys: `{}` is never in a request",
            pair.key
        )
    } else {
        format!("`{prefix}` defines no condition key `{}`", pair.key)
    };
    let mut d = Diagnostic::warning(codes::W0240, message).at(
        pair.loc.file,
        pair.loc.span,
        format!(
            "never in a request, {}",
            consequence(stmt.effect, op, &pair.values)
        ),
    );
    d = match closest_name(&names, &pair.key) {
        Some(near) => d.with_help(format!("did you mean `{near}`?")),
        None if names.is_empty() => d.with_help(format!(
            "`{prefix}` actions can be conditioned only on global `aws:` keys (SEMANTICS.md K3)"
        )),
        None => d.with_help(format!(
            "`{prefix}` defines {} condition key{}; check the spelling (SEMANTICS.md K3)",
            names.len(),
            if names.len() == 1 { "" } else { "s" }
        )),
    };
    diags.push(d);
}

/// W0241: a service key or tag-family key that no action of the statement
/// supports, so no request the statement applies to carries it.
fn unsupported_key(
    stmt: &Statement,
    pair: &ConditionPair,
    op: &Operator,
    catalog: &Catalog,
    keys: &ConditionKeys,
    only_service: Option<&str>,
    diags: &mut Diagnostics,
) {
    let mut set = catalog.empty_set();
    for pattern in &stmt.actions {
        catalog.match_pattern_into(&pattern.text, &mut set);
    }
    // A service key is checked against that service's actions only: what
    // other services' requests carry (`glue:RoleAssumedBy` on
    // `ec2:CreateNetworkInterface`, `lambda:SourceFunctionArn` anywhere) the
    // data does not say.
    if let Some(service) = only_service {
        match catalog.service_range(service) {
            Some(range) => {
                let mut mine = catalog.empty_set();
                mine.insert_range(range);
                set.intersect_with(&mine);
            }
            None => return,
        }
    }
    let mut any = false;
    let mut first = None;
    for idx in set.iter() {
        let Some(action) = catalog.get(idx) else {
            continue;
        };
        any = true;
        match keys.action_supports(action, &pair.key) {
            // Not covered by the data: assume it may.
            None | Some(true) => return,
            Some(false) => {
                first.get_or_insert(action);
            }
        }
    }
    let (true, Some(action)) = (any, first) else {
        return;
    };
    let count = set.count();
    let subject = if count == 1 {
        format!("`{}:{}`", action.service, action.name)
    } else {
        format!("none of the {count} actions of this statement")
    };
    let label = format!(
        "a request for {} never carries it, {}",
        if count == 1 { "it" } else { "them" },
        consequence(stmt.effect, op, &pair.values)
    );
    let mut d = Diagnostic::warning(
        codes::W0241,
        if count == 1 {
            format!(
                "{subject} does not support the condition key `{}`",
                pair.key
            )
        } else {
            format!("{subject} supports the condition key `{}`", pair.key)
        },
    )
    .at(pair.loc.file, pair.loc.span, label);
    let supported: Vec<&str> = {
        let mut names: Vec<&str> = keys
            .action_keys(action)
            .into_iter()
            .map(|k| k.name.as_str())
            .collect();
        names.sort_unstable_by_key(|n| n.to_ascii_lowercase());
        names.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
        names
    };
    let tags = facts_note(&action.service, &pair.key);
    d = match closest_name(&supported, &pair.key) {
        Some(near) if !near.eq_ignore_ascii_case(&pair.key) => {
            d.with_help(format!("did you mean `{near}`?{tags}"))
        }
        _ if supported.is_empty() => d.with_help(format!(
            "`{}:{}` supports no condition keys of its own or of its resource types{tags}",
            action.service, action.name
        )),
        _ => d.with_help(format!(
            "`{}:{}` supports {}{tags}",
            action.service,
            action.name,
            supported
                .iter()
                .take(4)
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
                + if supported.len() > 4 { ", …" } else { "" }
        )),
    };
    diags.push(d);
}

/// For a tag key on a service whose tag support is recorded: a note.
fn facts_note(service: &str, key: &str) -> String {
    if !is_tag_family(key) {
        return String::new();
    }
    match crate::catalog::service_facts()
        .iter()
        .find(|f| f.service.eq_ignore_ascii_case(service))
        .and_then(|f| f.tag_authorization)
    {
        Some(true) => format!(
            " (`{service}` supports authorization by tags only for the actions the catalog lists tag keys for)"
        ),
        Some(false) => format!(" (`{service}` does not support authorization by tags)"),
        None => String::new(),
    }
}

/// Whether operator `op` compares values the way a key of type `base`
/// holds them. String and ARN operators fit both String and ARN keys (AWS
/// allows String operators on ARN keys, and its own policies compare
/// String keys holding ARNs, `kms:EncryptionContext:aws:s3:arn`, with
/// `ArnLike`).
fn fits(op: Op, base: KeyBase) -> bool {
    use KeyBase as B;
    match family(op) {
        Family::Null => true,
        _ if base == B::Unknown => true,
        Family::String => matches!(base, B::String | B::Arn),
        Family::Numeric => matches!(base, B::Numeric | B::DateOrNumeric),
        Family::Date => matches!(base, B::Date | B::DateOrNumeric),
        Family::Bool => base == B::Bool,
        Family::Binary => base == B::Binary,
        Family::Ip => base == B::IpAddress,
        Family::Arn => matches!(base, B::Arn | B::String),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

fn family(op: Op) -> Family {
    match op {
        Op::StringEquals
        | Op::StringNotEquals
        | Op::StringEqualsIgnoreCase
        | Op::StringNotEqualsIgnoreCase
        | Op::StringLike
        | Op::StringNotLike => Family::String,
        Op::NumericEquals
        | Op::NumericNotEquals
        | Op::NumericLessThan
        | Op::NumericLessThanEquals
        | Op::NumericGreaterThan
        | Op::NumericGreaterThanEquals => Family::Numeric,
        Op::DateEquals
        | Op::DateNotEquals
        | Op::DateLessThan
        | Op::DateLessThanEquals
        | Op::DateGreaterThan
        | Op::DateGreaterThanEquals => Family::Date,
        Op::Bool => Family::Bool,
        Op::BinaryEquals => Family::Binary,
        Op::IpAddress | Op::NotIpAddress => Family::Ip,
        Op::ArnEquals | Op::ArnLike | Op::ArnNotEquals | Op::ArnNotLike => Family::Arn,
        Op::Null => Family::Null,
    }
}

/// The operators to use for a key type, for the help text.
fn operators_for(base: KeyBase) -> &'static str {
    match base {
        KeyBase::String | KeyBase::Unknown => "`StringEquals`, `StringLike` and their negations",
        KeyBase::Arn => "`ArnLike`, `ArnEquals` (or the String operators)",
        KeyBase::Numeric => "the `Numeric…` operators",
        KeyBase::Date => "the `Date…` operators",
        KeyBase::DateOrNumeric => "the `Date…` or `Numeric…` operators",
        KeyBase::Bool => "`Bool`",
        KeyBase::IpAddress => "`IpAddress` or `NotIpAddress`",
        KeyBase::Binary => "`BinaryEquals`",
    }
}

/// W0242: an operator whose type is not the key's.
fn type_mismatch(pair: &ConditionPair, op: &Operator, ty: KeyType, diags: &mut Diagnostics) {
    if fits(op.op, ty.base) {
        return;
    }
    let what = match family(op.op) {
        Family::String => "strings",
        Family::Numeric => "numbers",
        Family::Date => "dates",
        Family::Bool => "booleans",
        Family::Binary => "base64 bytes",
        Family::Ip => "IP addresses",
        Family::Arn => "ARNs",
        Family::Null => "presence",
    };
    diags.push(
        Diagnostic::warning(
            codes::W0242,
            format!(
                "`{}` does not fit `{}`, a key of type {}",
                pair.operator,
                pair.key,
                ty.name()
            ),
        )
        .at(
            pair.loc.file,
            pair.loc.span,
            format!("compares the key's values as {what}; a value that does not read as one makes the pair false (SEMANTICS.md C-TYPE)"),
        )
        .with_help(format!("for a {} key use {}", ty.name(), operators_for(ty.base))),
    );
}

/// W0245: a role (not service-linked) whose trust policy allows a service
/// principal of a service that uses no service roles.
fn service_roles(model: &Model, diags: &mut Diagnostics) {
    for role in model.roles.iter().filter(|r| !r.service_linked) {
        let Some(trust) = &role.trust_policy else {
            continue;
        };
        for stmt in trust
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Allow)
        {
            let Some(set) = stmt.principal.as_ref().filter(|p| !p.not) else {
                continue;
            };
            for entry in &set.entries {
                let PrincipalValue::Service(principal) = &entry.value else {
                    continue;
                };
                let Some(facts) =
                    facts_of_principal(principal).filter(|f| f.service_roles == Some(false))
                else {
                    continue;
                };
                let mut d = Diagnostic::warning(
                    codes::W0245,
                    format!(
                        "role `{}` is trusted by `{principal}`, but `{}` uses no service roles",
                        role.name, facts.service
                    ),
                )
                .at(
                    entry.loc.file,
                    entry.loc.span,
                    "the service never assumes an ordinary role: this trust grants nothing",
                );
                d = if facts.service_linked_roles == Some(true) {
                    d.with_help(format!(
                        "`{}` acts through its service-linked roles (DSL `service-linked-role NAME {{ service {principal} }}`, created by the service); remove this trust",
                        facts.service
                    ))
                } else {
                    d.with_help("remove this trust")
                };
                diags.push(d);
            }
        }
    }
}
