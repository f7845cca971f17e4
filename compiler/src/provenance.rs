//! The provenance section of a table (`compile --explain`): for every
//! statement its policy, Sid, source line and the catalog actions it names;
//! for every principal how each policy of its allow chain applies to it
//! (attached, through a group, as boundary, session policy or SCP level) and
//! what each conditional statement reduced to for it.
//!
//! Built from the model, the sources and the catalog after the table's parts
//! and before their one encode, by [`build`] in the compile's own phase
//! (`Phase::Explain`, with `Sections::provenance`); [`attach`] adds it to a
//! table compiled without it, giving the same bytes. Nothing here runs during
//! an ordinary compile, and the build loop does not know this module exists. The statement shapes, the allow
//! chain and the partial evaluation are the build's own functions, so the
//! section describes exactly what decided the cells. `verdict explain` reads
//! the section back through `verdict_runtime::Table::provenance`.

use crate::codes;
use std::collections::HashMap;

use verdict_runtime::provenance::{
    ActionRanges, CredentialKind as Credentials, Effect as StatementEffect, Grant, GrantSource,
    PolicyKind as Source, Profile, Provenance, ProvenanceGroup, ProvenancePolicy,
    ProvenanceStatement, StatementEval, Step,
};
use verdict_runtime::Table;

use crate::build::partial::{Conditional, Evaluator};
use crate::build::{allow_chain, statement_shape, Specials};
use crate::catalog::{ActionSet, Catalog};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{
    CredentialKind, Effect, GroupId, Loc, Model, PolicyId, PolicyKind, Principal, ScpLevel,
};
use crate::source::SourceMap;
use crate::Compilation;

/// Replaces the table of `compilation` (if it has one) by the same table with
/// a provenance section.
///
/// Should that fail — the table does not match the model and the catalog, or
/// the section fails the runtime's validation, both compiler bugs — an
/// internal error (E0900) joins the diagnostics and the table is dropped, as
/// when [`compile`](crate::compile) fails to encode one.
pub fn attach(compilation: &mut Compilation, catalog: &Catalog) {
    let (Some(model), Some(table)) = (&compilation.model, &compilation.table) else {
        return;
    };
    let principals = model.principals();
    let same_principals = principals.len() == table.n_principals()
        && principals
            .iter()
            .zip(table.principals())
            .all(|(&p, id)| model.principal_name(p) == table.principal_name(id));
    let result = if !same_principals || table.n_actions() != catalog.len() {
        Err("the table does not match the model it was compiled from".to_string())
    } else {
        let mut parts = table.to_parts();
        parts.provenance = Some(build(model, &compilation.sources, catalog));
        Table::from_parts(parts)
            .map_err(|e| format!("the provenance section failed validation: {e}"))
    };
    match result {
        Ok(with) => compilation.table = Some(with),
        Err(why) => {
            compilation.diagnostics.push(Diagnostic::error(
                codes::E0900,
                format!("internal error: {why}"),
            ));
            compilation.table = None;
            compilation.model = None;
        }
    }
}

/// The provenance section of the table compiled from `model` with `catalog`.
pub fn build(model: &Model, sources: &SourceMap, catalog: &Catalog) -> Provenance {
    // Lints and partial-evaluation errors were reported by the build already.
    let mut scratch = Diagnostics::default();
    let line = |loc: Loc| {
        sources.get(loc.file).map_or(0, |f| {
            u32::try_from(f.line_col(loc.span.start).0).unwrap_or(u32::MAX)
        })
    };
    let policies = model
        .policies
        .iter()
        .map(|p| ProvenancePolicy {
            name: p.name.clone(),
            kind: match p.kind {
                PolicyKind::Managed => Source::Managed,
                PolicyKind::Standalone => Source::Standalone,
                PolicyKind::Inline => Source::Inline,
                PolicyKind::Scp => Source::Scp,
            },
            file: p.loc.file.0,
            line: line(p.loc),
        })
        .collect();

    let mut statements = Vec::new();
    // Parallel to `statements`: the partial evaluation input of conditional ones.
    let mut conditionals: Vec<Option<Conditional<'_>>> = Vec::new();
    // Per policy: its conditional statements.
    let mut conditional_of: Vec<Vec<u32>> = vec![Vec::new(); model.policies.len()];
    for (policy_idx, policy) in model.policies.iter().enumerate() {
        let Some(doc) = &policy.document else {
            continue;
        };
        for stmt in &doc.statements {
            let shape = statement_shape(stmt, catalog, &mut scratch);
            // As `build::prepare` sorts them.
            let conditional = (!stmt.conditions.is_empty() || shape.scoped)
                && !(shape.wo.is_empty() && shape.rt.is_empty());
            let index = statements.len() as u32;
            statements.push(ProvenanceStatement {
                policy: policy_idx as u32,
                sid: stmt.sid.clone(),
                effect: match stmt.effect {
                    Effect::Allow => StatementEffect::Allow,
                    Effect::Deny => StatementEffect::Deny,
                },
                file: stmt.loc.file.0,
                line: line(stmt.loc),
                conditions: stmt
                    .conditions
                    .iter()
                    .map(|pair| {
                        let values: Vec<String> = pair.values.iter().map(|v| quoted(v)).collect();
                        format!("{} {} [{}]", pair.operator, pair.key, values.join(", "))
                    })
                    .collect(),
                conditional,
                wildcard_only: ranges(&shape.wo),
                resource_typed: ranges(&shape.rt),
            });
            if conditional {
                if let Some(list) = conditional_of.get_mut(policy_idx) {
                    list.push(index);
                }
                conditionals.push(Some(Conditional::new(
                    stmt,
                    doc.version,
                    shape.wo,
                    shape.rt,
                    shape.scoped,
                )));
            } else {
                conditionals.push(None);
            }
        }
    }

    let mut names = Names::default();
    let mut groups = Groups::default();
    let mut evaluator = Evaluator::with_catalog(model, catalog);
    let mut profiles: Vec<Profile> = Vec::new();
    let mut profile_ids: HashMap<Profile, u32> = HashMap::new();
    let mut principal_profile = Vec::new();
    for principal in model.principals() {
        let mut profile = profile_shape(model, principal, &mut names, &mut groups);
        let mut granted: Vec<u32> = profile
            .grants
            .iter()
            .flat_map(|g| match g.source {
                GrantSource::Policy(p) => vec![p],
                GrantSource::Group(g) => groups
                    .list
                    .get(g as usize)
                    .map(|g| g.policies.clone())
                    .unwrap_or_default(),
            })
            .collect();
        granted.sort_unstable();
        granted.dedup();
        for policy in granted {
            for &index in conditional_of.get(policy as usize).into_iter().flatten() {
                let Some(Some(cond)) = conditionals.get(index as usize) else {
                    continue;
                };
                let eval = evaluator.eval(index as usize, cond, principal, &mut scratch);
                profile.evals.push(StatementEval {
                    statement: index,
                    wildcard_only: eval.wo,
                    resource_typed: eval.rt,
                });
            }
        }
        profile.evals.sort_by_key(|e| e.statement);
        let next = profiles.len() as u32;
        let id = *profile_ids.entry(profile.clone()).or_insert_with(|| {
            profiles.push(profile);
            next
        });
        principal_profile.push(id);
    }

    let specials = Specials::new(catalog);
    Provenance {
        files: sources.files().map(|(_, f)| f.path.clone()).collect(),
        names: names.list,
        groups: groups.list,
        policies,
        statements,
        atoms: evaluator.atoms.list,
        profiles,
        principal_profile,
        caller_identity: specials.caller_identity,
        role_session_forbidden: ranges(&specials.role_session_forbidden),
        federated_forbidden: ranges(&specials.federated_forbidden),
    }
}

/// A principal's steps and grants (its evaluations are added by the caller).
fn profile_shape(
    model: &Model,
    principal: Principal,
    names: &mut Names,
    groups: &mut Groups,
) -> Profile {
    let set = model.permission_set(principal);
    let chain = allow_chain(&set);
    let levels = scp_level_names(model, principal);
    let mut steps: Vec<Step> = Vec::with_capacity(chain.len());
    for idx in 0..set.scp_levels.len() {
        let label = match levels.get(idx) {
            Some(label) if levels.len() == set.scp_levels.len() => label.clone(),
            _ => format!("level {}", idx + 1),
        };
        steps.push(Step::Scp {
            level: names.id(label),
        });
    }
    steps.push(Step::Identity);
    if set.boundary.is_some() {
        steps.push(Step::Boundary);
    }
    if chain.len() > steps.len() {
        steps.push(Step::Session);
    }
    // Whose identity policies these are: the user's or role's own, a
    // session's role's, a federated user's IAM user's.
    let (owner, through) = match principal {
        Principal::User(u) => (Principal::User(u), None),
        Principal::Role(r) => (Principal::Role(r), None),
        Principal::Session(s) => {
            let role = Principal::Role(model.session(s).role);
            (role, Some(role))
        }
        Principal::FederatedUser(f) => {
            let user = Principal::User(model.federated_user(f).user);
            (user, Some(user))
        }
    };
    let mut grants = Vec::new();
    for (step_idx, (step, policies)) in steps.iter().zip(&chain).enumerate() {
        let step_idx = step_idx as u32;
        if *step == Step::Identity {
            identity_grants(model, owner, policies, step_idx, names, groups, &mut grants);
        } else {
            grants.extend(policies.iter().map(|p| Grant {
                step: step_idx,
                source: GrantSource::Policy(p.0),
            }));
        }
    }
    Profile {
        kind: match set.kind {
            CredentialKind::User => Credentials::User,
            CredentialKind::RoleSession => Credentials::RoleSession,
            CredentialKind::DeclaredSession => Credentials::DeclaredSession,
            CredentialKind::FederatedUser => Credentials::FederatedUser,
        },
        through: through.map(|p| names.id(model.principal_name(p))),
        steps,
        grants,
        evals: Vec::new(),
    }
}

/// The grants of the identity step of `owner` (a user or role), whose
/// identity policies are `policies`: its own policies one by one, then its
/// groups (each standing for all of the group's policies).
fn identity_grants(
    model: &Model,
    owner: Principal,
    policies: &[PolicyId],
    step: u32,
    names: &mut Names,
    groups: &mut Groups,
    grants: &mut Vec<Grant>,
) {
    let (own, member_of): (&[PolicyId], &[GroupId]) = match owner {
        Principal::User(u) => {
            let user = &model.user(u);
            (&user.policies, &user.groups)
        }
        Principal::Role(r) => (&model.role(r).policies, &[]),
        Principal::Session(_) | Principal::FederatedUser(_) => (&[], &[]),
    };
    let mut covered: Vec<PolicyId> = Vec::new();
    for &policy in policies.iter().filter(|p| own.contains(p)) {
        grants.push(Grant {
            step,
            source: GrantSource::Policy(policy.0),
        });
        covered.push(policy);
    }
    // In group order, so that members of the same groups share a profile
    // whatever order their memberships were declared in.
    let mut member: Vec<GroupId> = member_of
        .iter()
        .copied()
        .filter(|g| !model.group(*g).policies.is_empty())
        .collect();
    member.sort_unstable();
    member.dedup();
    for g in member {
        grants.push(Grant {
            step,
            source: GrantSource::Group(groups.id(model, g, names)),
        });
        covered.extend_from_slice(&model.group(g).policies);
    }
    // INVARIANT: `policies` are read from the same lists; should one be missed,
    // it is still granted, without its group.
    for &policy in policies.iter().filter(|p| !covered.contains(p)) {
        grants.push(Grant {
            step,
            source: GrantSource::Policy(policy.0),
        });
    }
}

/// `group/NAME`, qualified like principal names when the model has several accounts.
fn group_name(model: &Model, g: GroupId) -> String {
    let group = &model.group(g);
    match &group.account {
        Some(account) if model.qualified_names => format!("{account}:group/{}", group.name),
        _ => format!("group/{}", group.name),
    }
}

/// The SCP levels governing `principal`, in the order of
/// `Model::scp_levels`: `root`, `ou/NAME`, `account`.
fn scp_level_names(model: &Model, principal: Principal) -> Vec<String> {
    let account = model.principal_account(principal);
    let mut levels: Vec<&ScpLevel> = model
        .scps
        .iter()
        .filter(|scp| scp.account.is_none() || scp.account.as_deref() == account)
        .map(|scp| &scp.level)
        .collect();
    levels.sort();
    levels.dedup();
    levels
        .into_iter()
        .map(|level| match level {
            ScpLevel::Root => "root".to_string(),
            ScpLevel::Ou(name) => format!("ou/{name}"),
            ScpLevel::Account => "account".to_string(),
        })
        .collect()
}

fn ranges(set: &ActionSet) -> ActionRanges {
    ActionRanges::from_sorted_ids(set.iter())
}

fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The groups granted through, indexed as in the section.
#[derive(Default)]
struct Groups {
    list: Vec<ProvenanceGroup>,
    ids: HashMap<GroupId, u32>,
}

impl Groups {
    fn id(&mut self, model: &Model, g: GroupId, names: &mut Names) -> u32 {
        if let Some(&id) = self.ids.get(&g) {
            return id;
        }
        let id = self.list.len() as u32;
        let mut policies: Vec<u32> = Vec::new();
        for p in &model.group(g).policies {
            if !policies.contains(&p.0) {
                policies.push(p.0);
            }
        }
        self.list.push(ProvenanceGroup {
            name: names.id(group_name(model, g)),
            policies,
        });
        self.ids.insert(g, id);
        id
    }
}

/// Interned names.
#[derive(Default)]
struct Names {
    list: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Names {
    fn id(&mut self, name: String) -> u32 {
        if let Some(&id) = self.ids.get(&name) {
            return id;
        }
        let id = self.list.len() as u32;
        self.list.push(name.clone());
        self.ids.insert(name, id);
        id
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
mod tests;
