//! The reference evaluator: a direct, slow, obviously-correct interpreter of
//! SEMANTICS.md for one request. It reads the model's policies statement by
//! statement and matches strings with `glob`; it shares no code with table
//! construction (no action sets, no expansion, no deduplication), so tests
//! can use it as the oracle and benchmarks as the baseline.
//!
//! Covered: A-rules, R-rules, E-rules, P1 (identity policies with groups,
//! boundaries), P7, and P8 for role sessions. Conditions (C-rules) are not interpreted yet: a request
//! that reaches a statement with a Condition is an error, never a guess.

use verdict_runtime::Decision;

use crate::catalog::Catalog;
use crate::glob::{glob, iglob};
use crate::model::{Effect, Model, PolicyId, Principal, Statement, ROLE_SESSION_FORBIDDEN};

/// One request: who, what, on which resource (`*` when none is given, R7).
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub principal: &'a str,
    pub action: &'a str,
    pub resource: &'a str,
}

/// Why the reference evaluator gives no decision.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("unknown principal `{0}`")]
    UnknownPrincipal(String),
    #[error("unknown action `{0}`")]
    UnknownAction(String),
    #[error("policy `{0}` has errors and cannot be evaluated")]
    InvalidPolicy(String),
    #[error("statement with a condition applies; conditions are not interpreted yet")]
    Condition,
}

/// Evaluates one request against the model (SEMANTICS.md P1).
///
/// # Errors
/// Unknown principal or action (fail closed), a policy with errors, or a
/// condition on an applicable statement.
pub fn evaluate(
    model: &Model,
    catalog: &Catalog,
    request: Request<'_>,
) -> Result<Decision, ReferenceError> {
    let principal = model
        .find_principal(request.principal)
        .ok_or_else(|| ReferenceError::UnknownPrincipal(request.principal.to_string()))?;
    let action_index = catalog
        .find(request.action)
        .ok_or_else(|| ReferenceError::UnknownAction(request.action.to_string()))?;
    let action = catalog.qualified_name(action_index).unwrap_or_default();
    // R4: a wildcard-only action is always requested on the resource `*`.
    let resource = if catalog.is_wildcard_only(action_index) {
        "*"
    } else {
        request.resource
    };

    // P7: always allowed, whatever denies.
    if action.eq_ignore_ascii_case("sts:GetCallerIdentity") {
        return Ok(Decision::Allow);
    }

    // N4: the identity policies of the principal, and its boundary.
    let (identity, boundary): (Vec<PolicyId>, Option<PolicyId>) = match principal {
        Principal::User(u) => {
            let user = &model.users[u.index()];
            let mut all = user.policies.clone();
            for g in &user.groups {
                all.extend(model.groups[g.index()].policies.iter().copied());
            }
            (all, user.boundary)
        }
        Principal::Role(r) => {
            let role = &model.roles[r.index()];
            (role.policies.clone(), role.boundary)
        }
        // phase 2: session principals (P1.5, P4, P8 for federated users).
        Principal::Session(_) | Principal::FederatedUser(_) => {
            return Err(ReferenceError::UnknownPrincipal(
                request.principal.to_string(),
            ))
        }
    };

    // P1.1: any applicable Deny anywhere → Deny.
    let mut every_policy = identity.clone();
    every_policy.extend(boundary);
    for &p in &every_policy {
        for stmt in statements(model, p)? {
            if stmt.effect == Effect::Deny && applies(stmt, action, resource)? {
                return Ok(Decision::Deny);
            }
        }
    }
    // P1.3: some Allow in the identity policies.
    if !any_allow(model, &identity, action, resource)? {
        return Ok(Decision::ImplicitDeny);
    }
    // P1.4: some Allow in the boundary, if there is one.
    if let Some(b) = boundary {
        if !any_allow(model, &[b], action, resource)? {
            return Ok(Decision::ImplicitDeny);
        }
    }
    // P8: role sessions cannot get federation or session tokens.
    let is_role = matches!(principal, Principal::Role(_));
    if is_role
        && ROLE_SESSION_FORBIDDEN
            .iter()
            .any(|f| f.eq_ignore_ascii_case(action))
    {
        return Ok(Decision::ImplicitDeny);
    }
    Ok(Decision::Allow)
}

fn statements(model: &Model, policy: PolicyId) -> Result<&[Statement], ReferenceError> {
    let def = model.policy(policy);
    def.document
        .as_ref()
        .map(|d| d.statements.as_slice())
        .ok_or_else(|| ReferenceError::InvalidPolicy(def.name.clone()))
}

fn any_allow(
    model: &Model,
    policies: &[PolicyId],
    action: &str,
    resource: &str,
) -> Result<bool, ReferenceError> {
    for &p in policies {
        for stmt in statements(model, p)? {
            if stmt.effect == Effect::Allow && applies(stmt, action, resource)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// E1: Action/NotAction matches, Resource/NotResource matches, Condition true.
fn applies(stmt: &Statement, action: &str, resource: &str) -> Result<bool, ReferenceError> {
    let action_listed = stmt.actions.iter().any(|p| action_matches(&p.text, action));
    let action_ok = if stmt.not_action {
        !action_listed
    } else {
        action_listed
    };
    let resource_listed = stmt
        .resources
        .iter()
        .any(|p| resource_matches(&p.text, resource));
    let resource_ok = if stmt.not_resource {
        !resource_listed
    } else {
        resource_listed
    };
    if !(action_ok && resource_ok) {
        return Ok(false);
    }
    if stmt.conditions.is_empty() {
        Ok(true) // C1: an empty Condition is true
    } else {
        Err(ReferenceError::Condition)
    }
}

/// A2–A5: one Action entry against one request action `vendor:Name`.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let (Some((p_vendor, p_name)), Some((a_vendor, a_name))) =
        (pattern.split_once(':'), action.split_once(':'))
    else {
        return false;
    };
    if p_name.contains(':') || p_name.is_empty() || p_name.chars().any(char::is_whitespace) {
        return false;
    }
    (p_vendor == "*" || p_vendor.eq_ignore_ascii_case(a_vendor)) && iglob(p_name, a_name)
}

/// R1, R2, R6: one Resource entry against one request resource.
pub fn resource_matches(pattern: &str, resource: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if resource == "*" {
        return false; // R4, R7: only the entry `*` matches the resource `*`
    }
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let r: Vec<&str> = resource.splitn(6, ':').collect();
    if r.len() < 6 || p.first() != Some(&"arn") || r.first() != Some(&"arn") {
        return false;
    }
    let field = |i: usize| p.get(i).copied().unwrap_or("*"); // R6: pad with `*`
    (1..5).all(|i| iglob(field(i), r[i])) && glob(field(5), r[5])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_entries_match_per_a_rules() {
        assert!(action_matches("chime:list*", "chime:ListUsers")); // X1
        assert!(!action_matches(
            "chime:*",
            "chime-sdk-meetings:CreateMeeting"
        )); // X2
        assert!(action_matches("*", "s3:GetObject")); // X3
        assert!(!action_matches("s3:*Object", "s3:GetObjectAcl")); // X8
        assert!(action_matches("CHIME:LISTUSERS", "chime:listusers")); // X9
        assert!(!action_matches("chime:List Users", "chime:ListUsers")); // X10
        assert!(!action_matches("s3:GetObject ", "s3:GetObject")); // A5
        assert!(action_matches("*:ListUsers", "chime:ListUsers")); // V9 vendor `*`
        assert!(action_matches("s3:Get?bject", "s3:GetObject")); // A4
        assert!(action_matches("iam:*AccessKey*", "iam:ListAccessKeys")); // A4
    }

    #[test]
    fn resource_entries_match_per_r_rules() {
        assert!(resource_matches("*", "*"));
        assert!(!resource_matches("arn:aws:chime::111122223333:*", "*")); // X28
        assert!(!resource_matches("arn:*:*:*:*:*", "*")); // R4
        assert!(resource_matches(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/a/b/c"
        )); // R2
        assert!(!resource_matches(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket"
        ));
        assert!(!resource_matches(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::Bucket/a"
        ));
        assert!(resource_matches(
            "arn:AWS:S3:::bucket/*",
            "arn:aws:s3:::bucket/a"
        ));
        assert!(resource_matches("arn:aws:s3", "arn:aws:s3:::anything")); // R6
        assert!(!resource_matches("arn:aws:s3:*:*:x", "arn:aws:s3:us:1:a:x")); // `*` in field 4 cannot cross `:`
    }
}
