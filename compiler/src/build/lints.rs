//! Condition lints of table construction, once per statement: ForAllValues
//! in an Allow without a `Null` companion (W0206, C16), set operators on
//! single-valued global keys (W0207, C19), unknown `aws:` keys (W0208, K3),
//! and the resource-scoped Deny that resource-less checks cannot see
//! (W0205, R7; raised by the table builder where a cell uses it).
//!
//! Validation of single values (W0108, W0110, E0115) is in `validate`.

use verdict_runtime::parts::Operator as ConditionOperator;

use crate::catalog::closest_name;
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{Effect, Statement};
use crate::validate::{parse_operator, SetPrefix};

/// The global condition keys of SEMANTICS.md §9, canonical spelling, with
/// whether they are single-valued; then other documented AWS global keys
/// (request keys for the table, K3), so that real keys such as
/// `aws:SourceIdentity` (T5) are not reported as unknown.
const GLOBAL_KEYS: &[(&str, bool)] = &[
    ("aws:username", true),
    ("aws:userid", true),
    ("aws:PrincipalType", true),
    ("aws:PrincipalArn", true),
    ("aws:PrincipalAccount", true),
    ("aws:PrincipalOrgID", true),
    ("aws:PrincipalOrgPaths", false),
    ("aws:MultiFactorAuthPresent", true),
    ("aws:MultiFactorAuthAge", true),
    ("aws:TokenIssueTime", true),
    ("aws:SourceIp", true),
    ("aws:CurrentTime", true),
    ("aws:EpochTime", true),
    ("aws:SecureTransport", true),
    ("aws:RequestedRegion", true),
    ("aws:ViaAWSService", true),
    ("aws:CalledVia", false),
    ("aws:CalledViaFirst", true),
    ("aws:CalledViaLast", true),
    ("aws:SourceVpc", true),
    ("aws:SourceVpce", true),
    ("aws:VpcSourceIp", true),
    ("aws:TagKeys", false),
    ("aws:UserAgent", true),
    ("aws:referer", true),
    // Not in §9.
    ("aws:SourceIdentity", true),
    ("aws:SourceAccount", true),
    ("aws:SourceArn", true),
    ("aws:SourceOrgID", true),
    ("aws:SourceOrgPaths", false),
    ("aws:SourceVpcArn", true),
    ("aws:ResourceAccount", true),
    ("aws:ResourceOrgID", true),
    ("aws:ResourceOrgPaths", false),
    ("aws:PrincipalIsAWSService", true),
    ("aws:PrincipalServiceName", true),
    ("aws:PrincipalServiceNamesList", false),
    ("aws:FederatedProvider", true),
    ("aws:Ec2InstanceSourceVpc", true),
    ("aws:Ec2InstanceSourcePrivateIPv4", true),
    ("aws:VpceAccount", true),
    ("aws:VpceOrgID", true),
    ("aws:VpceOrgPaths", false),
];

/// Key prefixes of §9 (single-valued tag keys).
const GLOBAL_PREFIXES: &[&str] = &["aws:PrincipalTag/", "aws:RequestTag/", "aws:ResourceTag/"];

/// `Some(single_valued)` for a known global key, `None` otherwise.
fn global_key(key: &str) -> Option<bool> {
    if let Some((_, single)) = GLOBAL_KEYS
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
    {
        return Some(*single);
    }
    GLOBAL_PREFIXES
        .iter()
        .any(|p| {
            key.get(..p.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(p))
                && key.len() > p.len()
        })
        .then_some(true)
}

/// The condition lints of one statement.
pub(crate) fn lint_conditions(stmt: &Statement, diags: &mut Diagnostics) {
    for pair in &stmt.conditions {
        let Ok(op) = parse_operator(&pair.operator) else {
            continue;
        };
        let known = global_key(&pair.key);
        let is_aws = pair
            .key
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("aws:"));
        if is_aws && known.is_none() {
            let mut d = Diagnostic::warning(
                "W0208",
                format!("unknown global condition key `{}`", pair.key),
            )
            .at(
                pair.loc.file,
                pair.loc.span,
                "read as a request key; absent unless the request sets it",
            );
            d = match suggest_key(&pair.key) {
                Some(s) => d.with_help(format!("did you mean `{s}`? (SEMANTICS.md §9)")),
                None => d.with_help(
                    "check the spelling against the global condition keys (SEMANTICS.md §9, K3)",
                ),
            };
            diags.push(d);
        }
        if op.set.is_some() && op.op != ConditionOperator::Null && known == Some(true) {
            diags.push(
                Diagnostic::warning(
                    "W0207",
                    format!(
                        "set operator `{}` on the single-valued key `{}`",
                        pair.operator, pair.key
                    ),
                )
                .at(
                    pair.loc.file,
                    pair.loc.span,
                    "the value is read as a one-element set",
                )
                .with_help(format!(
                    "use `{}{}` without the set prefix (SEMANTICS.md C19)",
                    op.base,
                    if op.if_exists { "IfExists" } else { "" }
                )),
            );
        }
        if stmt.effect == Effect::Allow
            && op.set == Some(SetPrefix::ForAllValues)
            && op.op != ConditionOperator::Null
            && !has_null_false(stmt, &pair.key)
        {
            diags.push(
                Diagnostic::warning(
                    "W0206",
                    format!(
                        "`{}` allows requests without `{}`",
                        pair.operator, pair.key
                    ),
                )
                .at(pair.loc.file, pair.loc.span, "true when the key is absent or empty")
                .with_help(format!(
                    "add `\"Null\": {{\"{}\": \"false\"}}` to the same Condition (SEMANTICS.md C16)",
                    pair.key
                )),
            );
        }
    }
}

/// Whether the statement also requires `key` to be present: `Null` with the
/// value `false` (C14).
fn has_null_false(stmt: &Statement, key: &str) -> bool {
    stmt.conditions.iter().any(|pair| {
        pair.key.eq_ignore_ascii_case(key)
            && parse_operator(&pair.operator).is_ok_and(|op| op.op == ConditionOperator::Null)
            && pair.values.iter().any(|v| v.eq_ignore_ascii_case("false"))
    })
}

fn suggest_key(key: &str) -> Option<String> {
    if let Some(slash) = key.find('/') {
        let head = key.get(..=slash)?;
        let tail = key.get(slash + 1..)?;
        return closest_name(GLOBAL_PREFIXES, head).map(|p| format!("{p}{tail}"));
    }
    let names: Vec<&str> = GLOBAL_KEYS.iter().map(|(k, _)| *k).collect();
    closest_name(&names, key).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_keys_per_section_9() {
        assert_eq!(global_key("AWS:SOURCEIP"), Some(true));
        assert_eq!(global_key("aws:TagKeys"), Some(false));
        assert_eq!(global_key("aws:PrincipalTag/team"), Some(true));
        assert_eq!(global_key("aws:PrincipalTag/"), None);
        assert_eq!(global_key("aws:SourceIP4"), None);
        assert_eq!(
            suggest_key("aws:SourceIP4").as_deref(),
            Some("aws:SourceIp")
        );
        assert_eq!(
            suggest_key("aws:PrincipalTags/team").as_deref(),
            Some("aws:PrincipalTag/team")
        );
    }
}
