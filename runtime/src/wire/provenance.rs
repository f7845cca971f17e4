//! The wire form of the optional provenance section (header flag bit 0), which
//! follows the body in the same bincode stream: serde mirror types of
//! [`Provenance`] and their conversions, action sets as ranges or a bitset.

use serde::{Deserialize, Serialize};

use crate::error::LoadError;
use crate::provenance::{
    ActionRanges, CredentialKind, Effect, Grant, GrantSource, PolicyKind, Profile, Provenance,
    ProvenanceGroup, ProvenancePolicy, ProvenanceStatement, StatementEval, Step,
};

use super::atoms::{atom_from_wire, atom_to_wire, position, WireAtom};

#[derive(Serialize, Deserialize)]
pub(super) struct WireProvenance {
    files: Vec<String>,
    names: Vec<String>,
    /// (name, policies).
    groups: Vec<(u32, Vec<u32>)>,
    policies: Vec<WirePolicy>,
    statements: Vec<WireStatement>,
    atoms: Vec<WireAtom>,
    profiles: Vec<WireProfile>,
    principal_profile: Vec<u32>,
    caller_identity: Option<u32>,
    role_session_forbidden: WireActions,
    federated_forbidden: WireActions,
}

/// A set of actions: as ranges, or as a bitset when that is smaller (a
/// pattern such as `chime:*tion` names many actions that are not adjacent).
/// Exactly one of the two encodings is valid for a given set: the smaller,
/// ranges on a tie.
#[derive(Serialize, Deserialize)]
pub(super) enum WireActions {
    /// Sorted half-open `(start, end)` ranges.
    Ranges(Vec<(u32, u32)>),
    /// `ceil(n_actions / 8)` bytes; action `a` is bit `a % 8` of byte `a / 8`;
    /// padding bits zero.
    Bits(Vec<u8>),
}

#[derive(Serialize, Deserialize)]
pub(super) struct WirePolicy {
    name: String,
    /// [`PolicyKind`] as its index in [`POLICY_KINDS`].
    kind: u8,
    file: u32,
    line: u32,
}

#[derive(Serialize, Deserialize)]
pub(super) struct WireStatement {
    policy: u32,
    sid: Option<String>,
    deny: bool,
    file: u32,
    line: u32,
    conditions: Vec<String>,
    conditional: bool,
    wildcard_only: WireActions,
    resource_typed: WireActions,
}

#[derive(Serialize, Deserialize)]
pub(super) struct WireProfile {
    /// [`CredentialKind`] as its index in [`CREDENTIAL_KINDS`].
    kind: u8,
    through: Option<u32>,
    steps: Vec<WireStep>,
    /// (step, source): a policy index, or a group index with [`GROUP_BIT`] set.
    grants: Vec<(u32, u32)>,
    evals: Vec<WireEval>,
}

/// (statement, wildcard-only clause, resource-typed clause).
pub(super) type WireEval = (u32, Option<Vec<u32>>, Option<Vec<u32>>);

#[derive(Serialize, Deserialize)]
pub(super) enum WireStep {
    Scp(u32),
    Identity,
    Boundary,
    Session,
}

/// Marks a grant's source as a group.
pub(super) const GROUP_BIT: u32 = 1 << 31;

pub(super) fn grant_source_to_wire(source: GrantSource) -> u32 {
    match source {
        GrantSource::Policy(policy) if policy < GROUP_BIT => policy,
        GrantSource::Group(group) if group < GROUP_BIT => group | GROUP_BIT,
        // No table has 2^31 policies or groups: an index that validation rejects.
        _ => u32::MAX,
    }
}

pub(super) fn grant_source_from_wire(source: u32) -> GrantSource {
    if source & GROUP_BIT == 0 {
        GrantSource::Policy(source)
    } else {
        GrantSource::Group(source & !GROUP_BIT)
    }
}

/// Policy kinds in their stored order.
pub(super) const POLICY_KINDS: [PolicyKind; 4] = [
    PolicyKind::Managed,
    PolicyKind::Standalone,
    PolicyKind::Inline,
    PolicyKind::Scp,
];

/// Credential kinds in their stored order.
pub(super) const CREDENTIAL_KINDS: [CredentialKind; 4] = [
    CredentialKind::User,
    CredentialKind::RoleSession,
    CredentialKind::DeclaredSession,
    CredentialKind::FederatedUser,
];

/// Bytes of the bitset of a catalog of `n_actions`.
pub(super) fn bits_len(n_actions: u32) -> usize {
    n_actions.div_ceil(8) as usize
}

/// Whether `n_ranges` ranges take more bytes than a bitset over `n_actions`.
pub(super) fn bits_are_smaller(n_ranges: usize, n_actions: u32) -> bool {
    bits_len(n_actions) < n_ranges.saturating_mul(8)
}

pub(super) fn actions_to_wire(set: ActionRanges, n_actions: u32) -> WireActions {
    // Ranges a bitset cannot hold stay ranges, for validation to reject.
    let valid = set
        .0
        .iter()
        .all(|&(start, end)| start < end && end <= n_actions)
        && set.0.windows(2).all(|w| matches!(w, [a, b] if a.1 < b.0));
    if !valid || !bits_are_smaller(set.0.len(), n_actions) {
        return WireActions::Ranges(set.0);
    }
    let mut bits = vec![0u8; bits_len(n_actions)];
    for (start, end) in set.0 {
        for action in start..end {
            if let Some(byte) = bits.get_mut((action / 8) as usize) {
                *byte |= 1 << (action % 8);
            }
        }
    }
    WireActions::Bits(bits)
}

pub(super) fn actions_from_wire(
    set: WireActions,
    n_actions: u32,
) -> Result<ActionRanges, LoadError> {
    let bits = match set {
        WireActions::Ranges(ranges) => {
            // Ranges a bitset cannot hold are left for validation to reject.
            let fits = ranges
                .iter()
                .all(|&(start, end)| start < end && end <= n_actions)
                && ranges.windows(2).all(|w| matches!(w, [a, b] if a.1 < b.0));
            if fits && bits_are_smaller(ranges.len(), n_actions) {
                return Err(LoadError::invalid(
                    "provenance: action ranges where a bitset is smaller",
                ));
            }
            return Ok(ActionRanges(ranges));
        }
        WireActions::Bits(bits) => bits,
    };
    if bits.len() != bits_len(n_actions) {
        return Err(LoadError::invalid(format!(
            "provenance: action bitset of {} bytes for {n_actions} actions",
            bits.len()
        )));
    }
    let used = n_actions % 8;
    if used != 0 && bits.last().is_some_and(|&last| last >> used != 0) {
        return Err(LoadError::invalid(
            "provenance: padding bits of an action bitset are not zero",
        ));
    }
    let ids = bits.iter().enumerate().flat_map(|(idx, &byte)| {
        (0..8u32)
            .filter(move |bit| byte & (1 << bit) != 0)
            .map(move |bit| (idx as u32) * 8 + bit)
    });
    let set = ActionRanges::from_sorted_ids(ids);
    if !bits_are_smaller(set.0.len(), n_actions) {
        return Err(LoadError::invalid(
            "provenance: an action bitset where ranges are as small",
        ));
    }
    Ok(set)
}

pub(super) fn provenance_to_wire(p: Provenance, n_actions: u32) -> WireProvenance {
    WireProvenance {
        files: p.files,
        names: p.names,
        groups: p.groups.into_iter().map(|g| (g.name, g.policies)).collect(),
        policies: p
            .policies
            .into_iter()
            .map(|policy| WirePolicy {
                name: policy.name,
                kind: position(&POLICY_KINDS, &policy.kind),
                file: policy.file,
                line: policy.line,
            })
            .collect(),
        statements: p
            .statements
            .into_iter()
            .map(|stmt| WireStatement {
                policy: stmt.policy,
                sid: stmt.sid,
                deny: stmt.effect == Effect::Deny,
                file: stmt.file,
                line: stmt.line,
                conditions: stmt.conditions,
                conditional: stmt.conditional,
                wildcard_only: actions_to_wire(stmt.wildcard_only, n_actions),
                resource_typed: actions_to_wire(stmt.resource_typed, n_actions),
            })
            .collect(),
        atoms: p.atoms.into_iter().map(atom_to_wire).collect(),
        profiles: p
            .profiles
            .into_iter()
            .map(|profile| WireProfile {
                kind: position(&CREDENTIAL_KINDS, &profile.kind),
                through: profile.through,
                steps: profile
                    .steps
                    .into_iter()
                    .map(|step| match step {
                        Step::Scp { level } => WireStep::Scp(level),
                        Step::Identity => WireStep::Identity,
                        Step::Boundary => WireStep::Boundary,
                        Step::Session => WireStep::Session,
                    })
                    .collect(),
                grants: profile
                    .grants
                    .into_iter()
                    .map(|g| (g.step, grant_source_to_wire(g.source)))
                    .collect(),
                evals: profile
                    .evals
                    .into_iter()
                    .map(|e| (e.statement, e.wildcard_only, e.resource_typed))
                    .collect(),
            })
            .collect(),
        principal_profile: p.principal_profile,
        caller_identity: p.caller_identity,
        role_session_forbidden: actions_to_wire(p.role_session_forbidden, n_actions),
        federated_forbidden: actions_to_wire(p.federated_forbidden, n_actions),
    }
}

pub(super) fn provenance_from_wire(
    w: WireProvenance,
    n_actions: u32,
) -> Result<Provenance, LoadError> {
    let policies = w
        .policies
        .into_iter()
        .map(|policy| {
            Ok(ProvenancePolicy {
                name: policy.name,
                kind: *POLICY_KINDS.get(usize::from(policy.kind)).ok_or_else(|| {
                    LoadError::invalid(format!("provenance: unknown policy kind {}", policy.kind))
                })?,
                file: policy.file,
                line: policy.line,
            })
        })
        .collect::<Result<_, LoadError>>()?;
    let profiles = w
        .profiles
        .into_iter()
        .map(|profile| {
            Ok(Profile {
                kind: *CREDENTIAL_KINDS
                    .get(usize::from(profile.kind))
                    .ok_or_else(|| {
                        LoadError::invalid(format!(
                            "provenance: unknown credential kind {}",
                            profile.kind
                        ))
                    })?,
                through: profile.through,
                steps: profile
                    .steps
                    .into_iter()
                    .map(|step| match step {
                        WireStep::Scp(level) => Step::Scp { level },
                        WireStep::Identity => Step::Identity,
                        WireStep::Boundary => Step::Boundary,
                        WireStep::Session => Step::Session,
                    })
                    .collect(),
                grants: profile
                    .grants
                    .into_iter()
                    .map(|(step, source)| Grant {
                        step,
                        source: grant_source_from_wire(source),
                    })
                    .collect(),
                evals: profile
                    .evals
                    .into_iter()
                    .map(|(statement, wildcard_only, resource_typed)| StatementEval {
                        statement,
                        wildcard_only,
                        resource_typed,
                    })
                    .collect(),
            })
        })
        .collect::<Result<_, LoadError>>()?;
    Ok(Provenance {
        files: w.files,
        names: w.names,
        groups: w
            .groups
            .into_iter()
            .map(|(name, policies)| ProvenanceGroup { name, policies })
            .collect(),
        policies,
        statements: w
            .statements
            .into_iter()
            .map(|stmt| {
                Ok(ProvenanceStatement {
                    policy: stmt.policy,
                    sid: stmt.sid,
                    effect: if stmt.deny {
                        Effect::Deny
                    } else {
                        Effect::Allow
                    },
                    file: stmt.file,
                    line: stmt.line,
                    conditions: stmt.conditions,
                    conditional: stmt.conditional,
                    wildcard_only: actions_from_wire(stmt.wildcard_only, n_actions)?,
                    resource_typed: actions_from_wire(stmt.resource_typed, n_actions)?,
                })
            })
            .collect::<Result<_, LoadError>>()?,
        atoms: w
            .atoms
            .into_iter()
            .map(atom_from_wire)
            .collect::<Result<_, _>>()?,
        profiles,
        principal_profile: w.principal_profile,
        caller_identity: w.caller_identity,
        role_session_forbidden: actions_from_wire(w.role_session_forbidden, n_actions)?,
        federated_forbidden: actions_from_wire(w.federated_forbidden, n_actions)?,
    })
}
