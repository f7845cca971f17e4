//! The optional provenance section of a table ([`Provenance`]): where each
//! statement of the compiled policies comes from (policy, Sid, file and line),
//! which catalog actions it names, and, per principal, how each policy applies
//! to it (attached, through a group, as boundary, session policy or SCP) and
//! what each of its conditional statements reduced to for it.
//!
//! `verdict explain` reads this section; checks never do. A table has it only
//! when compiled with `compile --explain`. Like [`TableParts`](crate::parts::TableParts),
//! the types here are plain data; [`validate`] checks every index, range and
//! atom when a table is loaded. The bytes are in `wire`; nothing here derives
//! `Serialize`.

/*
Design note: what is stored, and why this shape.

Statements are stored once, with the catalog actions they name: catalogs are
sorted by service and name, so a pattern such as `chime:List*` is one range of
action ids and `NotAction` a few; statements that list dozens of single actions
are stored as a bitset instead (the wire format picks the smaller). Matching was
done by the compiler's matcher at compile time, so `explain` agrees with the
table without a second matcher. Resource matching and conditions depend on the
request: for each conditional statement each profile holds the clause it
reduced to (atoms over request keys, decided at explain time by the runtime's
condition evaluator, the one `check_with` uses), or "never" when keys the
compiler knows (tags, names) already make it false.

Principals are not stored one by one: a `Profile` (credential kind, the steps of
its allow chain, the policies with how they apply, the clauses) is shared by
every principal with the same one, and principals only point at profiles.
Groups are stored once with their policies, and profiles grant a group by
reference, so a user in three groups costs three grants however many policies
the groups hold. In the synthetic organisation of 10,000 users (500 policies,
a policy or a boundary of their own now and then) there are about 4,100
profiles; the section is 383 kB beside the table's 554 kB.
*/

use crate::cond::{self, Program};
use crate::error::LoadError;
use crate::parts::Atom;

/// Where each statement came from and how each principal got its policies.
///
/// Rules (checked on load): indexes are in range; `statements` are grouped by
/// policy in increasing policy order; action ranges are sorted, non-empty,
/// non-adjacent and within the catalog; `principal_profile` has one entry per
/// principal; each profile has exactly one [`StatementEval`] per conditional
/// statement of the policies it grants, sorted by statement, and none other.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Provenance {
    /// Source file names, as given to the compiler.
    pub files: Vec<String>,
    /// Names referred to by groups and profiles: groups (`group/NAME`), SCP
    /// levels (`root`, `ou/NAME`, `account`), and the roles and users whose
    /// policies sessions and federated users have.
    pub names: Vec<String>,
    /// The groups some profile grants policies through.
    pub groups: Vec<ProvenanceGroup>,
    /// Every policy of the model.
    pub policies: Vec<ProvenancePolicy>,
    /// Every statement, grouped by policy.
    pub statements: Vec<ProvenanceStatement>,
    /// Atoms referenced by the profiles' clauses.
    pub atoms: Vec<Atom>,
    /// Distinct profiles.
    pub profiles: Vec<Profile>,
    /// Same length as the table's principals: the profile of each.
    pub principal_profile: Vec<u32>,
    /// `sts:GetCallerIdentity`, always allowed (SEMANTICS P7), if in the catalog.
    pub caller_identity: Option<u32>,
    /// Actions role sessions never get (P8).
    pub role_session_forbidden: ActionRanges,
    /// Actions federated users never get (P8).
    pub federated_forbidden: ActionRanges,
}

/// A group and the policies attached to it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProvenanceGroup {
    /// Index into [`Provenance::names`]: `group/NAME`.
    pub name: u32,
    /// Indexes into [`Provenance::policies`].
    pub policies: Vec<u32>,
}

/// A policy as the sources name it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProvenancePolicy {
    /// The policy name of the sources (inline policies: `OWNER/NAME`).
    pub name: String,
    /// Where it comes from.
    pub kind: PolicyKind,
    /// Index into [`Provenance::files`].
    pub file: u32,
    /// 1-based line of its declaration.
    pub line: u32,
}

/// Where a policy comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// A managed policy (DSL `managed`, or of an account dump).
    Managed,
    /// A DSL policy or an imported JSON file not declared managed.
    Standalone,
    /// An inline policy of a user, group, role or session.
    Inline,
    /// A service control policy.
    Scp,
}

/// Effect of a statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    /// `"Effect": "Allow"`.
    Allow,
    /// `"Effect": "Deny"`.
    Deny,
}

/// One statement of a policy.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProvenanceStatement {
    /// Index into [`Provenance::policies`].
    pub policy: u32,
    /// Its `Sid`, if any.
    pub sid: Option<String>,
    /// Allow or Deny.
    pub effect: Effect,
    /// Index into [`Provenance::files`]: the file the statement is written
    /// in (an imported JSON document, not the DSL file importing it).
    pub file: u32,
    /// 1-based line where the statement starts.
    pub line: u32,
    /// The Condition block as written, one `Operator key [values]` per pair.
    pub conditions: Vec<String>,
    /// Whether profiles hold a [`StatementEval`] for it: it has a Condition,
    /// or a Resource narrower than `"*"`, and names some action. Otherwise it
    /// applies to its actions whatever the request.
    pub conditional: bool,
    /// The wildcard-only actions it applies to (the request resource is `*`).
    pub wildcard_only: ActionRanges,
    /// The resource-typed actions it may apply to.
    pub resource_typed: ActionRanges,
}

/// A set of action ids as sorted half-open ranges `(start, end)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ActionRanges(pub Vec<(u32, u32)>);

impl ActionRanges {
    /// The ranges of a sorted sequence of distinct ids.
    pub fn from_sorted_ids(ids: impl IntoIterator<Item = u32>) -> ActionRanges {
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        for id in ids {
            let next = id.saturating_add(1);
            match ranges.last_mut() {
                Some((_, end)) if *end == id => *end = next,
                _ => ranges.push((id, next)),
            }
        }
        ActionRanges(ranges)
    }

    /// Whether `action` is in the set. Binary search.
    #[must_use]
    pub fn contains(&self, action: u32) -> bool {
        let after = self.0.partition_point(|&(start, _)| start <= action);
        after
            .checked_sub(1)
            .and_then(|idx| self.0.get(idx))
            .is_some_and(|&(_, end)| action < end)
    }

    /// Whether the set is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What the principals pointing at it share: the steps of their allow chain
/// (SEMANTICS P1), the policies of each step and how they got them, and what
/// their conditional statements reduced to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Profile {
    /// The kind of credentials (P8 depends on it).
    pub kind: CredentialKind,
    /// For a session or federated user: the role or user whose policies it
    /// has (`role/NAME`, `user/NAME`), index into [`Provenance::names`].
    pub through: Option<u32>,
    /// The allow chain, in order: SCP levels, identity, boundary, session.
    pub steps: Vec<Step>,
    /// The policies of the chain (or the groups that carry them), each with its step.
    pub grants: Vec<Grant>,
    /// One per conditional statement of the granted policies, by statement.
    pub evals: Vec<StatementEval>,
}

impl Profile {
    /// The evaluation of `statement` for this profile, if conditional.
    #[must_use]
    pub fn eval(&self, statement: u32) -> Option<&StatementEval> {
        self.evals
            .binary_search_by_key(&statement, |e| e.statement)
            .ok()
            .and_then(|idx| self.evals.get(idx))
    }
}

/// The kind of credentials of a profile (SEMANTICS P1.5, P4, P8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CredentialKind {
    /// An IAM user.
    User,
    /// A role row: any session of the role without session policies.
    RoleSession,
    /// A declared `assumed-role/ROLE/SESSION`.
    DeclaredSession,
    /// `federated-user/NAME`.
    FederatedUser,
}

/// A step of the allow chain; every step must allow (SEMANTICS P1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// The SCPs of one level (index into [`Provenance::names`]): any one allows.
    Scp {
        /// Index into [`Provenance::names`]: `root`, `ou/NAME` or `account`.
        level: u32,
    },
    /// The identity policies.
    Identity,
    /// The permissions boundary.
    Boundary,
    /// The session policies.
    Session,
}

/// A policy of a profile's chain, or a group whose policies all are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Grant {
    /// Index into [`Profile::steps`].
    pub step: u32,
    /// What is granted.
    pub source: GrantSource,
}

/// What a [`Grant`] grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GrantSource {
    /// A policy attached to the entity itself, or inline in it (index into
    /// [`Provenance::policies`]); also every boundary, session policy and SCP.
    Policy(u32),
    /// Every policy of a group the user is a member of (index into
    /// [`Provenance::groups`]).
    Group(u32),
}

/// What a conditional statement reduced to for a profile: per action kind,
/// `None` when it never applies, else the conjunction of atoms (indexes into
/// [`Provenance::atoms`]) under which it applies; empty means always.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StatementEval {
    /// Index into [`Provenance::statements`].
    pub statement: u32,
    /// For its wildcard-only actions.
    pub wildcard_only: Option<Vec<u32>>,
    /// For its resource-typed actions.
    pub resource_typed: Option<Vec<u32>>,
}

impl Provenance {
    /// The policies `grant` grants: one, or those of its group.
    #[must_use]
    pub fn granted_policies<'a>(&'a self, grant: &'a Grant) -> &'a [u32] {
        match &grant.source {
            GrantSource::Policy(policy) => std::slice::from_ref(policy),
            GrantSource::Group(group) => self
                .groups
                .get(*group as usize)
                .map_or(&[], |g| g.policies.as_slice()),
        }
    }

    /// The statement indexes of `policy` (statements are grouped by policy).
    #[must_use]
    pub fn policy_statements(&self, policy: u32) -> std::ops::Range<usize> {
        let start = self.statements.partition_point(|s| s.policy < policy);
        let end = self.statements.partition_point(|s| s.policy <= policy);
        start..end.max(start)
    }
}

/// A validated provenance section with its atoms compiled for evaluation.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub(crate) data: Provenance,
    /// INVARIANT: `data.atoms` compiled, index for index.
    pub(crate) programs: Vec<Program>,
    /// Size of the section in the file.
    pub(crate) byte_len: usize,
}

fn invalid(what: impl std::fmt::Display) -> LoadError {
    LoadError::invalid(format!("provenance: {what}"))
}

fn ranges(what: &str, set: &ActionRanges, n_actions: u32) -> Result<(), LoadError> {
    let mut previous_end: Option<u32> = None;
    for &(start, end) in &set.0 {
        if start >= end || end > n_actions || previous_end.is_some_and(|p| start <= p) {
            return Err(invalid(format!(
                "{what} has action range {start}..{end}: empty, overlapping, out of order or beyond the {n_actions} actions"
            )));
        }
        previous_end = Some(end);
    }
    Ok(())
}

fn name_index(what: &str, idx: u32, n: usize) -> Result<(), LoadError> {
    if idx as usize >= n {
        return Err(invalid(format!(
            "{what} refers to name {idx}, but there are {n}"
        )));
    }
    Ok(())
}

/// Checks `data` against a table of `n_principals` and `n_actions`; compiles its atoms.
pub(crate) fn validate(
    data: Provenance,
    n_principals: u32,
    n_actions: u32,
    byte_len: usize,
) -> Result<Loaded, LoadError> {
    let n_files = data.files.len();
    let n_names = data.names.len();
    let n_policies = data.policies.len();
    let n_statements = data.statements.len();
    for (idx, policy) in data.policies.iter().enumerate() {
        if policy.file as usize >= n_files {
            return Err(invalid(format!(
                "policy {idx} is in file {}, but there are {n_files}",
                policy.file
            )));
        }
    }
    for (idx, group) in data.groups.iter().enumerate() {
        let what = format!("group {idx}");
        name_index(&what, group.name, n_names)?;
        if let Some(&policy) = group.policies.iter().find(|&&p| p as usize >= n_policies) {
            return Err(invalid(format!(
                "{what} has policy {policy}, but there are {n_policies}"
            )));
        }
    }
    // Conditional statements per policy, for the completeness of the evals.
    let mut n_conditional = vec![0usize; n_policies];
    let mut previous_policy = 0u32;
    for (idx, stmt) in data.statements.iter().enumerate() {
        let what = format!("statement {idx}");
        let count = n_conditional.get_mut(stmt.policy as usize).ok_or_else(|| {
            invalid(format!(
                "{what} belongs to policy {}, but there are {n_policies}",
                stmt.policy
            ))
        })?;
        if stmt.file as usize >= n_files {
            return Err(invalid(format!(
                "{what} is in file {}, but there are {n_files}",
                stmt.file
            )));
        }
        if stmt.policy < previous_policy {
            return Err(invalid(format!("{what} is not grouped with its policy")));
        }
        previous_policy = stmt.policy;
        if stmt.conditional {
            *count = count.saturating_add(1);
        }
        ranges(&what, &stmt.wildcard_only, n_actions)?;
        ranges(&what, &stmt.resource_typed, n_actions)?;
    }
    let programs = data
        .atoms
        .iter()
        .enumerate()
        .map(|(idx, atom)| cond::compile(atom).map_err(|msg| invalid(format!("atom {idx}: {msg}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let n_atoms = data.atoms.len();
    let mut granted: Vec<u32> = Vec::new();
    // Groups are stored once and granted by reference: bound the work (and the
    // memory) of expanding them, so a crafted section cannot make loading
    // quadratic. Real sections expand to well under one policy per byte.
    let mut budget = byte_len.saturating_mul(4).saturating_add(1 << 16);
    for (idx, profile) in data.profiles.iter().enumerate() {
        let what = format!("profile {idx}");
        if let Some(through) = profile.through {
            name_index(&what, through, n_names)?;
        }
        for step in &profile.steps {
            if let Step::Scp { level } = *step {
                name_index(&what, level, n_names)?;
            }
        }
        granted.clear();
        for grant in &profile.grants {
            match grant.source {
                GrantSource::Policy(policy) if policy as usize >= n_policies => {
                    return Err(invalid(format!(
                        "{what} grants policy {policy}, but there are {n_policies}"
                    )));
                }
                GrantSource::Group(group) if group as usize >= data.groups.len() => {
                    return Err(invalid(format!(
                        "{what} grants group {group}, but there are {}",
                        data.groups.len()
                    )));
                }
                _ => {}
            }
            if grant.step as usize >= profile.steps.len() {
                return Err(invalid(format!(
                    "{what} grants a policy in step {}, but it has {} steps",
                    grant.step,
                    profile.steps.len()
                )));
            }
            let policies = data.granted_policies(grant);
            budget = budget
                .checked_sub(policies.len())
                .ok_or_else(|| invalid("profiles grant groups of too many policies"))?;
            granted.extend_from_slice(policies);
        }
        granted.sort_unstable();
        granted.dedup();
        let mut previous: Option<u32> = None;
        for eval in &profile.evals {
            if previous.is_some_and(|p| eval.statement <= p) {
                return Err(invalid(format!(
                    "{what} evaluates statement {} twice or out of order",
                    eval.statement
                )));
            }
            previous = Some(eval.statement);
            let known = data
                .statements
                .get(eval.statement as usize)
                .is_some_and(|s| s.conditional && granted.binary_search(&s.policy).is_ok());
            if !known {
                return Err(invalid(format!(
                    "{what} evaluates statement {}, not a conditional statement of its policies (of {n_statements})",
                    eval.statement
                )));
            }
            for atom in eval
                .wildcard_only
                .iter()
                .chain(eval.resource_typed.iter())
                .flatten()
            {
                if *atom as usize >= n_atoms {
                    return Err(invalid(format!(
                        "{what} refers to atom {atom}, but there are {n_atoms}"
                    )));
                }
            }
        }
        // Unique, each of a granted policy, as many as they have: complete.
        let expected = granted
            .iter()
            .map(|&p| n_conditional.get(p as usize).copied().unwrap_or(0))
            .fold(0usize, usize::saturating_add);
        if expected != profile.evals.len() {
            return Err(invalid(format!(
                "{what} has {} statement evaluations, its policies have {expected} conditional statements",
                profile.evals.len()
            )));
        }
    }
    if data.principal_profile.len() != n_principals as usize {
        return Err(invalid(format!(
            "{} principal profiles for {n_principals} principals",
            data.principal_profile.len()
        )));
    }
    if let Some((idx, profile)) = data
        .principal_profile
        .iter()
        .enumerate()
        .find(|(_, &p)| p as usize >= data.profiles.len())
    {
        return Err(invalid(format!(
            "principal {idx} has profile {profile}, but there are {}",
            data.profiles.len()
        )));
    }
    if let Some(action) = data.caller_identity.filter(|&a| a >= n_actions) {
        return Err(invalid(format!(
            "caller identity action {action} is beyond the {n_actions} actions"
        )));
    }
    ranges(
        "the role-session exclusions",
        &data.role_session_forbidden,
        n_actions,
    )?;
    ranges(
        "the federated-user exclusions",
        &data.federated_forbidden,
        n_actions,
    )?;
    Ok(Loaded {
        data,
        programs,
        byte_len,
    })
}

#[cfg(test)]
mod tests;
