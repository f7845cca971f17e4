//! `verdict explain TABLE PRINCIPAL ACTION [--resource ARN] [--context K=V]...`:
//! the decision and every statement that decided it, read from the table's
//! provenance section (`compile --explain`).
//!
//! The decision printed is always the table's own (`check_with`). The
//! explanation is derived independently from the provenance section, by the
//! steps of SEMANTICS P1 with P7 and P8: which statements of the principal's
//! policies name the action, which of them apply to this request (conditions
//! and resources decided by the runtime's evaluator, through
//! `Table::provenance_atom`), and which step of the allow chain has no Allow.
//! Should the two ever disagree (a bug), a warning says so.

use std::path::Path;

use serde_json::json;
use verdict_runtime::parts::Atom;
use verdict_runtime::provenance::{
    CredentialKind, Effect, GrantSource, PolicyKind, Profile, Provenance, Step,
};
use verdict_runtime::{ActionId, Decision, PrincipalId, Request, Table};

use crate::query::QueryFormat;
use crate::{render, MessageFormat, EXIT_DENY, EXIT_ERROR, EXIT_OK};

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

/// A step of the allow chain, as it went for this request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepReport {
    /// `scp`, `identity`, `boundary` or `session`.
    pub kind: &'static str,
    /// The SCP level (`root`, `ou/NAME`, `account`); empty for other steps.
    pub level: String,
    /// The step's policies, in order.
    pub policies: Vec<String>,
    /// Some Allow of the step applies.
    pub allows: bool,
}

impl StepReport {
    /// E.g. "the permissions boundary `NoDeletes`", "the SCPs at `root`".
    pub fn describe(&self) -> String {
        let list = |names: &[String]| {
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self.kind {
            "scp" => format!("the SCPs at `{}` ({})", self.level, list(&self.policies)),
            "boundary" => format!("the permissions boundary {}", list(&self.policies)),
            "session" if self.policies.is_empty() => {
                "the session policies (there are none)".to_string()
            }
            "session" => format!("the session policies ({})", list(&self.policies)),
            _ if self.policies.is_empty() => "the identity policies (there are none)".to_string(),
            _ => format!("the identity policies ({})", list(&self.policies)),
        }
    }

    /// The rule of SEMANTICS P1 for this step.
    pub fn rule(&self) -> &'static str {
        match self.kind {
            "scp" => "P1.2",
            "identity" => "P1.3",
            "boundary" => "P1.4",
            _ => "P1.5",
        }
    }
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
    fn applies(self) -> bool {
        matches!(self, Applies::Always | Applies::Holds)
    }

    fn as_str(self) -> &'static str {
        match self {
            Applies::Always => "always",
            Applies::Holds => "holds",
            Applies::Fails => "fails",
            Applies::Never => "never",
        }
    }
}

/// A statement of the principal's policies that names the action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementReport {
    pub policy: String,
    pub policy_kind: PolicyKind,
    /// 1-based position in its policy.
    pub number: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub file: String,
    pub line: u32,
    /// Index into [`Explanation::steps`].
    pub step: usize,
    /// How the policy reaches the principal: `group/NAME` entries, or empty
    /// when attached to (or inline in) the entity itself.
    pub groups: Vec<String>,
    /// The policy is attached directly too (besides `groups`).
    pub direct: bool,
    pub applies: Applies,
    /// The Condition block as written.
    pub conditions: Vec<String>,
    /// What is left to decide per request, with its truth for this request.
    pub tests: Vec<(String, bool)>,
    /// Part of the reason for the decision.
    pub deciding: bool,
}

/// Everything `explain` prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub principal: String,
    pub action: String,
    pub resource: String,
    /// The table's decision (what `check` answers).
    pub decision: Decision,
    /// The decision the provenance section leads to; equal unless a bug.
    pub derived: Decision,
    pub reason: Reason,
    /// For sessions and federated users: whose identity policies they have.
    pub through: Option<String>,
    pub steps: Vec<StepReport>,
    pub statements: Vec<StatementReport>,
}

/// Explains the decision of `table` for principal `p`, action `a` and `request`.
///
/// # Errors
/// The table has no provenance section (compiled without `--explain`).
pub fn explain(
    table: &Table,
    p: PrincipalId,
    a: ActionId,
    request: &Request<'_>,
) -> Result<Explanation, String> {
    let prov = table.provenance().ok_or_else(|| {
        "the table has no provenance section: recompile it with `verdict compile --explain`"
            .to_string()
    })?;
    let name = |idx: u32| prov.names.get(idx as usize).cloned().unwrap_or_default();
    let profile: &Profile = prov
        .principal_profile
        .get(p.index() as usize)
        .and_then(|&idx| prov.profiles.get(idx as usize))
        .ok_or_else(|| format!("principal {} has no profile", p.index()))?;

    let mut steps: Vec<StepReport> = profile
        .steps
        .iter()
        .map(|step| {
            let (kind, level) = match *step {
                Step::Scp { level } => ("scp", name(level)),
                Step::Identity => ("identity", String::new()),
                Step::Boundary => ("boundary", String::new()),
                Step::Session => ("session", String::new()),
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
            let wildcard_only = stmt.wildcard_only.contains(a.index());
            if !wildcard_only && !stmt.resource_typed.contains(a.index()) {
                continue;
            }
            let (applies, tests) = if stmt.conditional {
                let eval = profile.eval(idx as u32);
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
                        let tests: Vec<(String, bool)> = atoms
                            .iter()
                            .map(|&atom| {
                                let text = prov
                                    .atoms
                                    .get(atom as usize)
                                    .map_or_else(|| format!("<atom {atom}>"), describe_atom);
                                (text, table.provenance_atom(atom, request) == Some(true))
                            })
                            .collect();
                        let holds = tests.iter().all(|(_, truth)| *truth);
                        (
                            if holds {
                                Applies::Holds
                            } else {
                                Applies::Fails
                            },
                            tests,
                        )
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
            prov.role_session_forbidden.contains(a.index())
        }
        CredentialKind::FederatedUser => prov.federated_forbidden.contains(a.index()),
    };
    let reason = if prov.caller_identity == Some(a.index()) {
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
    let derived = match reason {
        Reason::CallerIdentity | Reason::Allowed => Decision::Allow,
        Reason::ExplicitDeny => Decision::Deny,
        Reason::Forbidden(_) | Reason::NoAllow(_) => Decision::ImplicitDeny,
    };
    for stmt in &mut statements {
        stmt.deciding = stmt.applies.applies()
            && match reason {
                Reason::ExplicitDeny => stmt.effect == Effect::Deny,
                Reason::Allowed => stmt.effect == Effect::Allow,
                _ => false,
            };
    }
    Ok(Explanation {
        principal: table.principal_name(p).to_string(),
        action: table.action_name(a).to_string(),
        resource: request.resource.to_string(),
        decision: table.check_with(p, a, request),
        derived,
        reason,
        through: profile.through.map(name),
        steps,
        statements,
    })
}

fn describe_atom(atom: &Atom) -> String {
    crate::residual::atom_text(atom)
}

fn effect_str(effect: Effect) -> &'static str {
    match effect {
        Effect::Allow => "allow",
        Effect::Deny => "deny",
    }
}

fn kind_str(kind: PolicyKind) -> &'static str {
    match kind {
        PolicyKind::Managed => "managed",
        PolicyKind::Standalone => "policy",
        PolicyKind::Inline => "inline",
        PolicyKind::Scp => "scp",
    }
}

fn credentials_str(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::User => "user",
        CredentialKind::RoleSession => "role-session",
        CredentialKind::DeclaredSession => "declared-session",
        CredentialKind::FederatedUser => "federated-user",
    }
}

impl StatementReport {
    /// `ProtectAccounts statement 1` or `Office statement 2 (Sid "Corp")`.
    fn label(&self) -> String {
        match &self.sid {
            Some(sid) => format!("{} statement {} (Sid `{sid}`)", self.policy, self.number),
            None => format!("{} statement {}", self.policy, self.number),
        }
    }

    /// How the policy applies: `identity, via group/Staff`, `boundary`, …
    fn how(&self, steps: &[StepReport], through: Option<&str>) -> String {
        let step = steps.get(self.step);
        let mut how = match step.map(|s| s.kind) {
            Some("scp") => format!("SCP at {}", step.map_or("", |s| s.level.as_str())),
            Some("boundary") => "permissions boundary".to_string(),
            Some("session") => "session policy".to_string(),
            _ => {
                let mut how = String::from("identity policy");
                if let Some(through) = through {
                    how.push_str(&format!(" of {through}"));
                }
                let mut ways: Vec<String> = Vec::new();
                if self.direct {
                    ways.push(
                        if self.policy_kind == PolicyKind::Inline {
                            "inline"
                        } else {
                            "attached"
                        }
                        .to_string(),
                    );
                }
                ways.extend(self.groups.iter().map(|g| format!("via {g}")));
                if !ways.is_empty() {
                    how.push_str(", ");
                    how.push_str(&ways.join(", "));
                }
                how
            }
        };
        if self.policy_kind == PolicyKind::Managed {
            how.push_str(" (managed)");
        }
        how
    }
}

impl Explanation {
    /// The one-line reason.
    pub fn reason_text(&self) -> String {
        let action = &self.action;
        match &self.reason {
            Reason::CallerIdentity => {
                "sts:GetCallerIdentity is allowed to every principal, whatever the policies (P7)"
                    .to_string()
            }
            Reason::ExplicitDeny => "explicit deny: a Deny statement applies (P1.1)".to_string(),
            Reason::Allowed => {
                "allowed: no Deny applies and every step of the evaluation allows (P1)".to_string()
            }
            Reason::Forbidden(CredentialKind::FederatedUser) => format!(
                "implicit deny: federated users never get {action} (no iam:* and no sts:* \
                 but sts:GetCallerIdentity), whatever their policies allow (P8)"
            ),
            Reason::Forbidden(_) => format!(
                "implicit deny: role sessions can never call {action}, whatever their policies allow (P8)"
            ),
            Reason::NoAllow(missing) => {
                let parts: Vec<String> = missing
                    .iter()
                    .filter_map(|&i| self.steps.get(i))
                    .map(|s| {
                        format!(
                            "no statement in {} allows {action} ({})",
                            s.describe(),
                            s.rule()
                        )
                    })
                    .collect();
                format!("implicit deny: {}", parts.join("; "))
            }
        }
    }

    /// The explanation for people.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let on = if self.resource == "*" {
            String::new()
        } else {
            format!(" on {}", self.resource)
        };
        out.push_str(&format!(
            "{} {}{on}: {}\n",
            self.principal, self.action, self.decision
        ));
        out.push_str(&format!("{}\n", self.reason_text()));
        let through = self.through.as_deref();
        let write_statements = |out: &mut String, title: &str, list: &[&StatementReport]| {
            if list.is_empty() {
                return;
            }
            out.push_str(&format!("\n{title}:\n"));
            for stmt in list {
                out.push_str(&format!(
                    "  {:<5}  {}  {}:{}  {}\n",
                    effect_str(stmt.effect),
                    stmt.label(),
                    stmt.file,
                    stmt.line,
                    stmt.how(&self.steps, through)
                ));
                match stmt.applies {
                    Applies::Always => {}
                    Applies::Never if stmt.conditions.is_empty() => {
                        out.push_str(&format!(
                            "         never applies to {}: its Resource matches nothing for it (decided at compile time)\n",
                            self.principal
                        ));
                    }
                    Applies::Never => {
                        out.push_str(&format!(
                            "         never applies to {}: its condition is false for it (decided at compile time): {}\n",
                            self.principal,
                            stmt.conditions.join(", ")
                        ));
                    }
                    Applies::Holds | Applies::Fails => {
                        for (test, truth) in &stmt.tests {
                            out.push_str(&format!(
                                "         {} for this request: {test}\n",
                                if *truth { "holds" } else { "fails" }
                            ));
                        }
                    }
                }
            }
        };
        let deciding: Vec<&StatementReport> =
            self.statements.iter().filter(|s| s.deciding).collect();
        let others: Vec<&StatementReport> =
            self.statements.iter().filter(|s| !s.deciding).collect();
        write_statements(&mut out, "deciding statements", &deciding);
        let title = if deciding.is_empty() {
            "statements naming the action"
        } else {
            "other statements naming the action"
        };
        write_statements(&mut out, title, &others);
        if !self.steps.is_empty() {
            out.push_str("\nsteps (each must allow, P1):\n");
            for step in &self.steps {
                out.push_str(&format!(
                    "  {:<8}  {:<8}  {}\n",
                    step.kind,
                    if step.allows { "allows" } else { "no allow" },
                    step.describe()
                ));
            }
        }
        out
    }

    /// The explanation as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        let reason = match &self.reason {
            Reason::CallerIdentity => "caller-identity",
            Reason::ExplicitDeny => "explicit-deny",
            Reason::Allowed => "allowed",
            Reason::Forbidden(_) => "credential-restriction",
            Reason::NoAllow(_) => "no-allow",
        };
        let missing: Vec<usize> = match &self.reason {
            Reason::NoAllow(missing) => missing.clone(),
            _ => Vec::new(),
        };
        json!({
            "principal": self.principal,
            "action": self.action,
            "resource": self.resource,
            "decision": self.decision.to_string(),
            "reason": reason,
            "explanation": self.reason_text(),
            "through": self.through,
            "steps": self.steps.iter().enumerate().map(|(i, s)| json!({
                "step": s.kind,
                "level": if s.kind == "scp" { Some(&s.level) } else { None },
                "policies": s.policies,
                "allows": s.allows,
                "missing": missing.contains(&i),
            })).collect::<Vec<_>>(),
            "statements": self.statements.iter().map(|s| json!({
                "policy": s.policy,
                "policy_kind": kind_str(s.policy_kind),
                "statement": s.number,
                "sid": s.sid,
                "effect": effect_str(s.effect),
                "file": s.file,
                "line": s.line,
                "step": self.steps.get(s.step).map(|st| st.kind),
                "attached": s.direct,
                "groups": s.groups,
                "applies": s.applies.as_str(),
                "conditions": s.conditions,
                "tests": s.tests.iter().map(|(t, truth)| json!({"test": t, "holds": truth})).collect::<Vec<_>>(),
                "deciding": s.deciding,
            })).collect::<Vec<_>>(),
            "credentials": match &self.reason {
                Reason::Forbidden(kind) => Some(credentials_str(*kind)),
                _ => None,
            },
        })
    }
}

/// Runs `verdict explain`.
#[expect(clippy::too_many_arguments, reason = "one per command-line option")]
pub fn run(
    path: &Path,
    principal: &str,
    action: &str,
    resource: Option<&str>,
    context: &[String],
    out_format: QueryFormat,
    format: MessageFormat,
    io: &mut crate::Io<'_>,
) -> i32 {
    let result = (|| {
        let context = crate::parse_context(context, &crate::batch::RequestLimits::default())?;
        let table = crate::open_table(path)?;
        let p = table.principal(principal).map_err(|e| e.to_string())?;
        let a = table.action(action).map_err(|e| e.to_string())?;
        let request = Request {
            resource: resource.unwrap_or("*"),
            context: &context,
        };
        // Over the default limits the runtime would deny: say why instead.
        verdict_runtime::RequestLimits::DEFAULT
            .check(&request)
            .map_err(|why| crate::batch::over_limit(&why))?;
        explain(&table, p, a, &request)
    })();
    let explanation = match result {
        Ok(explanation) => explanation,
        Err(why) => {
            render::plain_error(io, format, &why);
            return EXIT_ERROR;
        }
    };
    if explanation.derived != explanation.decision {
        let _ = writeln!(
            io.stderr,
            "warning: the provenance section leads to `{}`, the table decides `{}`; the table's decision stands",
            explanation.derived, explanation.decision
        );
    }
    let text = match out_format {
        QueryFormat::Text => explanation.to_text(),
        QueryFormat::Json => format!("{:#}\n", explanation.to_json()),
    };
    let _ = io.stdout.write_all(text.as_bytes());
    if explanation.decision == Decision::Allow {
        EXIT_OK
    } else {
        EXIT_DENY
    }
}

/// Every principal × action of `table`, explained against `request`: the
/// decisions the provenance section leads to that differ from the table's, as
/// `(principal, action, table, provenance)`. Empty for a correct table.
pub fn disagreements(
    table: &Table,
    request: &Request<'_>,
) -> Result<Vec<(String, String, Decision, Decision)>, String> {
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

/// The provenance section of `table`, if any (for `inspect`).
pub fn summary(table: &Table) -> Option<String> {
    let prov: &Provenance = table.provenance()?;
    Some(format!(
        "{} bytes: {} files, {} policies, {} statements, {} profiles, {} atoms",
        table.provenance_byte_len(),
        prov.files.len(),
        prov.policies.len(),
        prov.statements.len(),
        prov.profiles.len(),
        prov.atoms.len()
    ))
}
