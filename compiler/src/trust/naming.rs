//! How a trust statement's `Principal` names a principal of the model
//! (SEMANTICS.md G2), and what that asks of the principal's own policies (G3).
//!
//! Only matching: no conditions, no policies. A statement names a principal
//! row or not; the way it names it decides which of the principal's policies
//! must also allow `sts:AssumeRole` ([`Naming`]).

use crate::model::{Model, Principal, PrincipalSet, PrincipalValue, RoleId};

/// How a trust statement names a principal, from the least to the most
/// demanding of the principal's side (G3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Naming {
    /// The user's ARN or the exact session ARN: the trust policy alone grants
    /// (no identity policy, boundary or session policy needed).
    Direct,
    /// The role ARN of the principal's session (a role row or a declared
    /// session of that role): its boundary and session policies must allow.
    RoleArn,
    /// The account (`…:root`, `"ACCOUNT"`), or any naming of a principal of
    /// another account: the principal's side must allow by P1.
    Account,
}

/// How `"*"` names `p`: as if its own ARN were named (G3) — a user or
/// federated user directly, a session (role row or declared session) by its
/// role's ARN.
fn as_if_named(p: Principal) -> Naming {
    match p {
        Principal::User(_) | Principal::FederatedUser(_) => Naming::Direct,
        Principal::Role(_) | Principal::Session(_) => Naming::RoleArn,
    }
}

/// How one entry names `p`, if it does (G2). An account the model does not
/// know for `p` (a DSL without `account`) is taken to be the one named.
fn entry_names(model: &Model, value: &PrincipalValue, p: Principal) -> Option<Naming> {
    match (value, p) {
        (PrincipalValue::Everyone, _) => Some(as_if_named(p)),
        (PrincipalValue::Account(account), _) => model
            .principal_account(p)
            .is_none_or(|own| own == account)
            .then_some(Naming::Account),
        (PrincipalValue::User(u), Principal::User(v)) if *u == v => Some(Naming::Direct),
        (PrincipalValue::Role(r), Principal::Role(q)) if *r == q => Some(Naming::RoleArn),
        (PrincipalValue::Role(r), Principal::Session(s)) if model.session(s).role == *r => {
            Some(Naming::RoleArn)
        }
        (PrincipalValue::Session(s), Principal::Session(t)) if *s == t => Some(Naming::Direct),
        (PrincipalValue::FederatedUser(f), Principal::FederatedUser(g)) if *f == g => {
            Some(Naming::Direct)
        }
        // A principal of no row of the model, a service, a web-identity or
        // SAML provider, a canonical user; or a principal of another kind.
        _ => None,
    }
}

/// How the statement with principal set `set` in the trust policy of `role`
/// names `p`: the least demanding of its matching entries; with
/// `NotPrincipal`, `p` is named as by `"*"` unless an entry matches it. A
/// principal of another account than the role's is always named as by
/// account (G3). Accounts the model does not know count as the same.
pub(crate) fn naming(
    model: &Model,
    set: &PrincipalSet,
    p: Principal,
    role: RoleId,
) -> Option<Naming> {
    let matched = set
        .entries
        .iter()
        .filter_map(|entry| entry_names(model, &entry.value, p))
        .min();
    let naming = if set.not {
        match matched {
            Some(_) => return None,
            None => as_if_named(p),
        }
    } else {
        matched?
    };
    let same_account = match (
        model.principal_account(p),
        model.role(role).account.as_deref(),
    ) {
        (Some(own), Some(theirs)) => own == theirs,
        _ => true,
    };
    Some(if same_account {
        naming
    } else {
        Naming::Account
    })
}

/// The principals an Allow statement of a trust policy can name at most, if
/// it names only specific principals: users, roles (and their declared
/// sessions), sessions and federated users. `None` if it may name any
/// principal (`"*"`, an account, `NotPrincipal`).
pub(crate) fn named_principals(model: &Model, set: &PrincipalSet) -> Option<Vec<Principal>> {
    if set.not {
        return None;
    }
    let mut out = Vec::new();
    for entry in &set.entries {
        match &entry.value {
            PrincipalValue::Everyone | PrincipalValue::Account(_) => return None,
            PrincipalValue::User(u) => out.push(Principal::User(*u)),
            PrincipalValue::Role(r) => {
                out.push(Principal::Role(*r));
                out.extend(
                    model
                        .sessions
                        .iter()
                        .enumerate()
                        .filter(|(_, s)| s.role == *r)
                        .map(|(i, _)| Principal::Session(crate::model::SessionId(i as u32))),
                );
            }
            PrincipalValue::Session(s) => out.push(Principal::Session(*s)),
            PrincipalValue::FederatedUser(f) => out.push(Principal::FederatedUser(*f)),
            PrincipalValue::Other(_)
            | PrincipalValue::Service(_)
            | PrincipalValue::Federated(_)
            | PrincipalValue::CanonicalUser(_) => {}
        }
    }
    Some(out)
}
