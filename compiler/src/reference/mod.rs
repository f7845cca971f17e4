//! The reference evaluator: a direct, slow, obviously-correct interpreter of
//! SEMANTICS.md for one request. It reads the model's policies statement by
//! statement, string by string; it shares no code with table construction
//! (no action sets, no expansion, no deduplication) nor with the runtime's
//! residual evaluation, so tests can use it as the oracle and benchmarks as
//! the baseline. Only `glob`/`iglob` and the operator-name parser are shared.
//!
//! Covered: A-rules, R-rules (with policy variables, R5), C-rules (every
//! operator, set prefixes, IfExists, policy variables, C-TYPE), E-rules, P1
//! (identity policies with groups, boundaries, session policies of declared
//! sessions and federated users, SCPs by level with service-linked roles
//! exempt), P7 and P8. Not here: trust (G).
//!
//! Submodules: `condition` (one condition pair), `resource` (one Resource
//! entry), `vars` (policy variables and literal-aware globbing), and the
//! value readers `number`, `date`, `ip`, `base64`.

mod base64;
mod condition;
mod date;
mod ip;
mod number;
mod resource;
mod vars;

use verdict_runtime::{Context, ContextValue, Decision};

use vars::Lookup;

use crate::catalog::Catalog;
use crate::glob::iglob;
use crate::model::{
    Effect, Model, PolicyDocument, PolicyId, PolicyVersion, Principal, RoleId, ScpLevel, Statement,
    StaticFact, UserId, ROLE_SESSION_FORBIDDEN,
};

pub use resource::resource_matches;

/// One request: who, what, on which resource (`*` when none is given, R7),
/// with which request context.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// Table name of the principal: `user/NAME`, `role/NAME`,
    /// `assumed-role/ROLE/SESSION`, `federated-user/NAME`, or an ARN.
    pub principal: &'a str,
    pub action: &'a str,
    pub resource: &'a str,
    /// Condition keys of the request. Keys the model knows for the principal
    /// (`Model::static_fact`) are taken from the model instead.
    pub context: &'a Context,
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
    #[error("condition operator `{0}` is not valid")]
    InvalidOperator(String),
    #[error("value `{value}` of `{operator}` on key `{key}` is not of the operator's type")]
    InvalidConditionValue {
        operator: String,
        key: String,
        value: String,
    },
}

/// The effective request context (SEMANTICS K1): the request's keys, except
/// that every key the model decides for the principal (absent or a value)
/// is the model's. The request cannot say who the principal is. A service
/// key the catalog does not define for its service is never in a request
/// (K3): the request's value for it is ignored.
struct Facts<'a> {
    model: &'a Model,
    catalog: &'a Catalog,
    principal: Principal,
    context: &'a Context,
}

impl Facts<'_> {
    /// The value of condition key `key` (case-insensitive, C3); `None` = absent.
    fn get(&self, key: &str) -> Option<ContextValue> {
        match self.model.static_fact(self.principal, key) {
            StaticFact::Request => {
                let value = self.context.get(key)?;
                (!never_in_request(self.catalog, key)).then(|| value.clone())
            }
            StaticFact::Absent => None,
            StaticFact::Value(v) => Some(ContextValue::Single(v)),
        }
    }
}

/// K3, read straight off the catalog's key data: `key` is `service:name`
/// with `service` not `aws`, the data covers `service`, and no key it
/// declares with that prefix is `key` (case-insensitive, templates match).
/// Without key data every key may be in a request.
fn never_in_request(catalog: &Catalog, key: &str) -> bool {
    let service = key.split_once(':').map_or(key, |(service, _)| service);
    if service.eq_ignore_ascii_case("aws") {
        return false;
    }
    let Some(keys) = catalog.condition_keys() else {
        return false;
    };
    keys.has_service(service) && !keys.keys_with_prefix(service).any(|d| d.matches(key))
}

/// Evaluates one request against the model (SEMANTICS.md P1).
///
/// # Errors
/// Unknown principal or action (fail closed), a policy with errors, or a
/// condition that cannot be evaluated (invalid operator, or a Numeric, Date,
/// Binary or IpAddress policy value that does not parse) in any policy of
/// the principal, whether or not its statement applies.
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

    let policies = Policies::of(model, principal);
    let facts = Facts {
        model,
        catalog,
        principal,
        context: request.context,
    };
    let req = Req {
        action,
        resource,
        facts: &facts,
    };

    let mut every_policy = policies.identity.clone();
    every_policy.extend(policies.boundary);
    every_policy.extend(policies.session.iter().copied());
    every_policy.extend(
        policies
            .scps
            .iter()
            .flat_map(|(_, scps)| scps.iter().copied()),
    );
    // A condition that cannot be read is an error whichever statement it is
    // in and whatever the request: check them all before deciding anything.
    for &p in &every_policy {
        let doc = document(model, p)?;
        for stmt in &doc.statements {
            for pair in &stmt.conditions {
                condition::check(pair, doc.version, &facts)?;
            }
        }
    }
    // P1.1: any applicable Deny anywhere (ID, PB, SP, every SCP) → Deny.
    for &p in &every_policy {
        let doc = document(model, p)?;
        for stmt in &doc.statements {
            if stmt.effect == Effect::Deny && applies(stmt, doc.version, &req)? {
                return Ok(Decision::Deny);
            }
        }
    }
    // P1.2: at every SCP level, some Allow of an SCP attached there.
    for (_, scps) in &policies.scps {
        if !any_allow(model, scps, &req)? {
            return Ok(Decision::ImplicitDeny);
        }
    }
    // P1.3: some Allow in the identity policies.
    if !any_allow(model, &policies.identity, &req)? {
        return Ok(Decision::ImplicitDeny);
    }
    // P1.4: some Allow in the boundary, if there is one.
    if let Some(b) = policies.boundary {
        if !any_allow(model, &[b], &req)? {
            return Ok(Decision::ImplicitDeny);
        }
    }
    // P1.5: session principals need a session-policy Allow when they have
    // session policies; without any, role sessions pass and federated users
    // get nothing.
    let session_ok = match principal {
        Principal::User(_) => true,
        Principal::Role(_) | Principal::Session(_) => {
            policies.session.is_empty() || any_allow(model, &policies.session, &req)?
        }
        Principal::FederatedUser(_) => {
            !policies.session.is_empty() && any_allow(model, &policies.session, &req)?
        }
    };
    if !session_ok {
        return Ok(Decision::ImplicitDeny);
    }
    // P8: credential-type restrictions.
    let forbidden = match principal {
        Principal::User(_) => false,
        // Role sessions cannot get federation or session tokens.
        Principal::Role(_) | Principal::Session(_) => ROLE_SESSION_FORBIDDEN
            .iter()
            .any(|f| f.eq_ignore_ascii_case(action)),
        // Federated users: no IAM at all, no STS but GetCallerIdentity
        // (answered by P7 above).
        Principal::FederatedUser(_) => {
            let vendor = action.split_once(':').map_or("", |(v, _)| v);
            vendor.eq_ignore_ascii_case("iam") || vendor.eq_ignore_ascii_case("sts")
        }
    };
    if forbidden {
        return Ok(Decision::ImplicitDeny);
    }
    Ok(Decision::Allow)
}

/// The policy lists of one principal, read from its entities.
struct Policies {
    /// N4, P2, P4: the identity policies of the user (with its groups') or
    /// role; a session's are its role's, a federated user's its IAM user's.
    identity: Vec<PolicyId>,
    /// P3, P4: the boundary of that user or role.
    boundary: Option<PolicyId>,
    /// P4: the session policies of a declared session or federated user.
    session: Vec<PolicyId>,
    /// P1.2, P6: the SCPs that govern the principal, by level.
    scps: Vec<(ScpLevel, Vec<PolicyId>)>,
}

impl Policies {
    fn of(model: &Model, principal: Principal) -> Policies {
        let user_policies = |u: UserId| {
            let user = &model.user(u);
            let mut all = user.policies.clone();
            for g in &user.groups {
                all.extend(model.group(*g).policies.iter().copied());
            }
            (all, user.boundary)
        };
        let role_policies = |r: RoleId| {
            let role = &model.role(r);
            (role.policies.clone(), role.boundary)
        };
        let ((identity, boundary), session, account, slr) = match principal {
            Principal::User(u) => (
                user_policies(u),
                Vec::new(),
                model.user(u).account.clone(),
                false,
            ),
            Principal::Role(r) => {
                let role = &model.role(r);
                (
                    role_policies(r),
                    Vec::new(),
                    role.account.clone(),
                    role.service_linked,
                )
            }
            Principal::Session(s) => {
                let session = &model.session(s);
                let role = &model.role(session.role);
                (
                    role_policies(session.role),
                    session.policies.clone(),
                    role.account.clone(),
                    role.service_linked,
                )
            }
            Principal::FederatedUser(f) => {
                let fed = &model.federated_user(f);
                (
                    user_policies(fed.user),
                    fed.policies.clone(),
                    model.user(fed.user).account.clone(),
                    false,
                )
            }
        };
        // P6, G5: service-linked roles (and their sessions) are not governed
        // by SCPs; every other principal by those attached for its account
        // or for every account. SCPs at one level are alternatives.
        let mut scps: Vec<(ScpLevel, Vec<PolicyId>)> = Vec::new();
        if !slr {
            for attachment in &model.scps {
                if attachment.account.is_some() && attachment.account != account {
                    continue;
                }
                match scps
                    .iter_mut()
                    .find(|(level, _)| *level == attachment.level)
                {
                    Some((_, list)) => list.push(attachment.policy),
                    None => scps.push((attachment.level.clone(), vec![attachment.policy])),
                }
            }
        }
        Policies {
            identity,
            boundary,
            session,
            scps,
        }
    }
}

/// What a statement is matched against.
struct Req<'a> {
    action: &'a str,
    /// After R4.
    resource: &'a str,
    facts: &'a Facts<'a>,
}

fn document(model: &Model, policy: PolicyId) -> Result<&PolicyDocument, ReferenceError> {
    let def = model.policy(policy);
    def.document
        .as_ref()
        .ok_or_else(|| ReferenceError::InvalidPolicy(def.name.clone()))
}

fn any_allow(model: &Model, policies: &[PolicyId], req: &Req<'_>) -> Result<bool, ReferenceError> {
    for &p in policies {
        let doc = document(model, p)?;
        for stmt in &doc.statements {
            if stmt.effect == Effect::Allow && applies(stmt, doc.version, req)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// E1: Action/NotAction matches, Resource/NotResource matches, Condition true.
fn applies(
    stmt: &Statement,
    version: PolicyVersion,
    req: &Req<'_>,
) -> Result<bool, ReferenceError> {
    let action_listed = stmt
        .actions
        .iter()
        .any(|p| action_matches(&p.text, req.action));
    let action_ok = action_listed != stmt.not_action; // A6, A7
                                                      // R5, C-VAR-1: variables only in 2012-10-17 documents.
    let lookup = |name: &str| req.facts.get(name);
    let variables: Option<Lookup<'_>> = (version == PolicyVersion::V2012_10_17).then_some(&lookup);
    let resource_listed = stmt
        .resources
        .iter()
        .any(|p| resource::entry_matches(&p.text, req.resource, variables));
    let resource_ok = resource_listed != stmt.not_resource; // R3
    if !(action_ok && resource_ok) {
        return Ok(false);
    }
    // C1: AND over every (operator, key) pair; an empty Condition is true.
    for pair in &stmt.conditions {
        if !condition::holds(pair, version, req.facts)? {
            return Ok(false);
        }
    }
    Ok(true)
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

#[cfg(test)]
// why: a test fails by panicking; indexing and unwrapping say so shortest.
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests;
