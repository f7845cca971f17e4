//! Why a table decides what it decides, derived from its provenance section
//! alone: the statements of the principal's policies that name the action,
//! which of them apply to the request, and which rule of SEMANTICS.md then
//! decides (P7, then P1.1, the steps P1.2–P1.5 of the allow chain, P8).
//!
//! [`derive`] is the derivation itself, plain data in (the section, a
//! principal's and an action's index, the truth of the section's atoms for
//! the request) and a [`Derivation`] out; [`explain`] runs it on a loaded
//! table, deciding atoms with the evaluator `check_with` uses, and sets the
//! table's own decision beside it. The two agree unless there is a bug, which
//! [`disagreements`] looks for over every cell. Rendering (words, JSON) is
//! the caller's: `verdict explain` prints it, bindings and `diff` may read it.

use std::fmt;

use super::{CredentialKind, Effect, GrantSource, PolicyKind, Profile, Provenance, Step};
use crate::{ActionId, Decision, PrincipalId, Request, Table};

/// Why the decision is what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// `sts:GetCallerIdentity` is always allowed (P7).
    CallerIdentity,
    /// A Deny statement applies (P1.1).
    ExplicitDeny,
    /// Every step of the allow chain has an Allow that applies (P1).
    Allowed,
    /// Every step allows, but these credentials never get this action (P8).
    Forbidden(CredentialKind),
    /// These steps (indexes into [`Explanation::steps`]) have no Allow that applies.
    NoAllow(Vec<usize>),
}

impl Reason {
    /// The rule of SEMANTICS.md that decides: `P7`, `P1.1`, `P1`, `P8`; for
    /// [`Reason::NoAllow`] `P1` (each missing step cites its own,
    /// [`StepKind::rule`]).
    #[must_use]
    pub fn rule(&self) -> &'static str {
        match self {
            Reason::CallerIdentity => "P7",
            Reason::ExplicitDeny => "P1.1",
            Reason::Allowed | Reason::NoAllow(_) => "P1",
            Reason::Forbidden(_) => "P8",
        }
    }

    /// The decision this reason gives.
    #[must_use]
    pub fn decision(&self) -> Decision {
        match self {
            Reason::CallerIdentity | Reason::Allowed => Decision::Allow,
            Reason::ExplicitDeny => Decision::Deny,
            Reason::Forbidden(_) | Reason::NoAllow(_) => Decision::ImplicitDeny,
        }
    }
}

/// The role of a step of the allow chain (SEMANTICS P1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepKind {
    /// The SCPs of one level (P1.2).
    Scp,
    /// The identity policies (P1.3).
    Identity,
    /// The permissions boundary (P1.4).
    Boundary,
    /// The session policies (P1.5).
    Session,
}

impl StepKind {
    /// `scp`, `identity`, `boundary` or `session`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Scp => "scp",
            StepKind::Identity => "identity",
            StepKind::Boundary => "boundary",
            StepKind::Session => "session",
        }
    }

    /// The rule of SEMANTICS P1 for this step.
    #[must_use]
    pub fn rule(self) -> &'static str {
        match self {
            StepKind::Scp => "P1.2",
            StepKind::Identity => "P1.3",
            StepKind::Boundary => "P1.4",
            StepKind::Session => "P1.5",
        }
    }
}

/// A step of the allow chain, as it went for this request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepReport {
    /// Its role in the chain.
    pub kind: StepKind,
    /// The SCP level (`root`, `ou/NAME`, `account`); empty for other steps.
    pub level: String,
    /// The step's policies, in order.
    pub policies: Vec<String>,
    /// Some Allow of the step applies.
    pub allows: bool,
}

/// Whether a statement applies to this request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applies {
    /// No condition and no resource narrower than `*`: it always applies.
    Always,
    /// Its conditions and resource hold for this request.
    Holds,
    /// A condition or its resource does not hold for this request.
    Fails,
    /// Keys the compiler knows for this principal (tags, names) make its
    /// condition false: it never applies to this principal.
    Never,
}

impl Applies {
    /// It applies to this request.
    #[must_use]
    pub fn applies(self) -> bool {
        matches!(self, Applies::Always | Applies::Holds)
    }

    /// `always`, `holds`, `fails` or `never`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Applies::Always => "always",
            Applies::Holds => "holds",
            Applies::Fails => "fails",
            Applies::Never => "never",
        }
    }
}

/// What is left of a conditional statement to decide per request: an atom
/// of the section, with its truth for this request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AtomTest {
    /// Index into [`Provenance::atoms`].
    pub atom: u32,
    /// Its truth for the request.
    pub holds: bool,
}

/// A statement of the principal's policies that names the action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementReport {
    /// The policy's name.
    pub policy: String,
    /// Where the policy comes from.
    pub policy_kind: PolicyKind,
    /// 1-based position in its policy.
    pub number: usize,
    /// Its `Sid`, if any.
    pub sid: Option<String>,
    /// Allow or Deny.
    pub effect: Effect,
    /// The file it is written in.
    pub file: String,
    /// 1-based line where it starts.
    pub line: u32,
    /// Index into [`Explanation::steps`]: its role in the chain.
    pub step: usize,
    /// How the policy reaches the principal: `group/NAME` entries, or empty
    /// when attached to (or inline in) the entity itself.
    pub groups: Vec<String>,
    /// The policy is attached directly too (besides `groups`).
    pub direct: bool,
    /// Whether it applies to the request.
    pub applies: Applies,
    /// The Condition block as written.
    pub conditions: Vec<String>,
    /// What is left to decide per request, with its truth for this request.
    pub tests: Vec<AtomTest>,
    /// Part of the reason for the decision.
    pub deciding: bool,
}

/// What the provenance section leads to for one principal, action and
/// request ([`derive`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Derivation {
    /// The decision the section leads to.
    pub derived: Decision,
    /// Why.
    pub reason: Reason,
    /// For sessions and federated users: whose identity policies they have.
    pub through: Option<String>,
    /// The allow chain, step by step.
    pub steps: Vec<StepReport>,
    /// The statements naming the action, in chain order.
    pub statements: Vec<StatementReport>,
}

/// A decision of a table explained ([`explain`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// The principal's name.
    pub principal: String,
    /// The action's name.
    pub action: String,
    /// The resource of the request.
    pub resource: String,
    /// The table's decision (what `check` answers).
    pub decision: Decision,
    /// The decision the provenance section leads to; equal unless a bug.
    pub derived: Decision,
    /// Why.
    pub reason: Reason,
    /// For sessions and federated users: whose identity policies they have.
    pub through: Option<String>,
    /// The allow chain, step by step.
    pub steps: Vec<StepReport>,
    /// The statements naming the action, in chain order.
    pub statements: Vec<StatementReport>,
}

/// Why a decision cannot be explained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExplainError {
    /// The table was compiled without the section.
    NoProvenance,
    /// The section has no profile for this principal index (a section that
    /// passed validation always has).
    NoProfile(u32),
}

impl fmt::Display for ExplainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExplainError::NoProvenance => write!(f, "the table has no provenance section"),
            ExplainError::NoProfile(p) => write!(f, "principal {p} has no profile"),
        }
    }
}

impl std::error::Error for ExplainError {}

/// Derives, from `prov` alone, what decides action `action` (an index into
/// the table's actions) for principal `principal` (an index into its
/// principals): the steps of its allow chain, every statement of its
/// policies that names the action, which of them apply, and the reason.
/// `holds` gives the truth of an atom of the section for the request.
///
/// # Errors
/// [`ExplainError::NoProfile`] when `principal` has no profile in `prov`.
pub fn derive(
    prov: &Provenance,
    principal: u32,
    action: u32,
    holds: &mut dyn FnMut(u32) -> bool,
) -> Result<Derivation, ExplainError> {
    let name = |idx: u32| prov.names.get(idx as usize).cloned().unwrap_or_default();
    let profile: &Profile = prov
        .principal_profile
        .get(principal as usize)
        .and_then(|&idx| prov.profiles.get(idx as usize))
        .ok_or(ExplainError::NoProfile(principal))?;

    let mut steps: Vec<StepReport> = profile
        .steps
        .iter()
        .map(|step| {
            let (kind, level) = match *step {
                Step::Scp { level } => (StepKind::Scp, name(level)),
                Step::Identity => (StepKind::Identity, String::new()),
                Step::Boundary => (StepKind::Boundary, String::new()),
                Step::Session => (StepKind::Session, String::new()),
            };
            StepReport {
                kind,
                level,
                policies: Vec::new(),
                allows: false,
            }
        })
        .collect();

    // Grants merged per (step, policy), in order of first appearance.
    let mut merged: Vec<(u32, u32, Vec<String>, bool)> = Vec::new();
    for grant in &profile.grants {
        let group = match grant.source {
            GrantSource::Group(g) => prov.groups.get(g as usize).map(|g| name(g.name)),
            GrantSource::Policy(_) => None,
        };
        for &policy in prov.granted_policies(grant) {
            let idx = match merged
                .iter()
                .position(|(step, p, _, _)| *step == grant.step && *p == policy)
            {
                Some(idx) => idx,
                None => {
                    merged.push((grant.step, policy, Vec::new(), false));
                    merged.len() - 1
                }
            };
            let Some(entry) = merged.get_mut(idx) else {
                continue;
            };
            match &group {
                Some(group) => entry.2.push(group.clone()),
                None => entry.3 = true,
            }
        }
    }

    let mut statements = Vec::new();
    for (step, policy, groups, direct) in merged {
        let Some(policy_def) = prov.policies.get(policy as usize) else {
            continue;
        };
        if let Some(report) = steps.get_mut(step as usize) {
            if !report.policies.contains(&policy_def.name) {
                report.policies.push(policy_def.name.clone());
            }
        }
        let range = prov.policy_statements(policy);
        let first = range.start;
        for idx in range {
            let Some(stmt) = prov.statements.get(idx) else {
                continue;
            };
            let wildcard_only = stmt.wildcard_only.contains(action);
            if !wildcard_only && !stmt.resource_typed.contains(action) {
                continue;
            }
            let (applies, tests) = if stmt.conditional {
                let eval = u32::try_from(idx).ok().and_then(|i| profile.eval(i));
                let clause = eval.and_then(|e| {
                    if wildcard_only {
                        e.wildcard_only.as_ref()
                    } else {
                        e.resource_typed.as_ref()
                    }
                });
                match clause {
                    None => (Applies::Never, Vec::new()),
                    Some(atoms) => {
                        let tests: Vec<AtomTest> = atoms
                            .iter()
                            .map(|&atom| AtomTest {
                                atom,
                                holds: holds(atom),
                            })
                            .collect();
                        let all = tests.iter().all(|t| t.holds);
                        (if all { Applies::Holds } else { Applies::Fails }, tests)
                    }
                }
            } else {
                (Applies::Always, Vec::new())
            };
            statements.push(StatementReport {
                policy: policy_def.name.clone(),
                policy_kind: policy_def.kind,
                number: idx - first + 1,
                sid: stmt.sid.clone(),
                effect: stmt.effect,
                file: prov
                    .files
                    .get(stmt.file as usize)
                    .cloned()
                    .unwrap_or_default(),
                line: stmt.line,
                step: step as usize,
                groups: groups.clone(),
                direct,
                applies,
                conditions: stmt.conditions.clone(),
                tests,
                deciding: false,
            });
        }
    }

    for stmt in &statements {
        if stmt.effect == Effect::Allow && stmt.applies.applies() {
            if let Some(step) = steps.get_mut(stmt.step) {
                step.allows = true;
            }
        }
    }
    let denied = statements
        .iter()
        .any(|s| s.effect == Effect::Deny && s.applies.applies());
    let missing: Vec<usize> = steps
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.allows)
        .map(|(i, _)| i)
        .collect();
    let forbidden = match profile.kind {
        CredentialKind::User => false,
        CredentialKind::RoleSession | CredentialKind::DeclaredSession => {
            prov.role_session_forbidden.contains(action)
        }
        CredentialKind::FederatedUser => prov.federated_forbidden.contains(action),
    };
    let reason = if prov.caller_identity == Some(action) {
        Reason::CallerIdentity
    } else if denied {
        Reason::ExplicitDeny
    } else if !missing.is_empty() {
        Reason::NoAllow(missing)
    } else if forbidden {
        Reason::Forbidden(profile.kind)
    } else {
        Reason::Allowed
    };
    for stmt in &mut statements {
        stmt.deciding = stmt.applies.applies()
            && match reason {
                Reason::ExplicitDeny => stmt.effect == Effect::Deny,
                Reason::Allowed => stmt.effect == Effect::Allow,
                _ => false,
            };
    }
    Ok(Derivation {
        derived: reason.decision(),
        reason,
        through: profile.through.map(name),
        steps,
        statements,
    })
}

/// Explains the decision of `table` for principal `p`, action `a` and
/// `request`: [`derive`] on its provenance section, atoms decided by the
/// evaluator `check_with` uses, beside the table's own decision.
///
/// # Errors
/// The table has no provenance section (compiled without `--explain`).
pub fn explain(
    table: &Table,
    p: PrincipalId,
    a: ActionId,
    request: &Request<'_>,
) -> Result<Explanation, ExplainError> {
    let prov = table.provenance().ok_or(ExplainError::NoProvenance)?;
    let mut holds = |atom: u32| table.provenance_atom(atom, request) == Some(true);
    let Derivation {
        derived,
        reason,
        through,
        steps,
        statements,
    } = derive(prov, p.index(), a.index(), &mut holds)?;
    Ok(Explanation {
        principal: table.principal_name(p).to_string(),
        action: table.action_name(a).to_string(),
        resource: request.resource.to_string(),
        decision: table.check_with(p, a, request),
        derived,
        reason,
        through,
        steps,
        statements,
    })
}

/// Every principal × action of `table`, explained against `request`: the
/// decisions the provenance section leads to that differ from the table's, as
/// `(principal, action, table, provenance)`. Empty for a correct table.
///
/// # Errors
/// The table has no provenance section.
pub fn disagreements(
    table: &Table,
    request: &Request<'_>,
) -> Result<Vec<(String, String, Decision, Decision)>, ExplainError> {
    let mut out = Vec::new();
    for p in table.principals() {
        for a in table.actions() {
            let e = explain(table, p, a, request)?;
            if e.decision != e.derived {
                out.push((e.principal, e.action, e.decision, e.derived));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
