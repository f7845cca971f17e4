//! `verdict explain TABLE PRINCIPAL ACTION [--resource ARN] [--context K=V]...`:
//! the decision and every statement that decided it, read from the table's
//! provenance section (`compile --explain`).
//!
//! The derivation is the runtime's
//! ([`verdict_runtime::provenance::explain`]): the decision printed is
//! always the table's own (`check_with`), the explanation derived from the
//! provenance section by the steps of SEMANTICS P1 with P7 and P8. This file
//! only puts it in words and JSON; should the two ever disagree (a bug), a
//! warning says so.

use serde_json::json;
use verdict_runtime::provenance::explain::{
    Applies, AtomTest, ExplainError, Explanation, StatementReport, StepKind, StepReport,
};
use verdict_runtime::provenance::{CredentialKind, Effect, PolicyKind, Provenance};
use verdict_runtime::{Decision, Request, Table};

use crate::args::{ExplainArgs, QueryFormat};
use crate::cmd::batch::{over_limit, RequestLimits};
use crate::files::open_table;
use crate::inputs::parse_context;
use crate::lookup;
use crate::{CmdResult, Io, EXIT_DENY, EXIT_OK};

pub use verdict_runtime::provenance::explain::{disagreements, explain, Reason};

/// Runs `verdict explain`: 0 allow, 1 deny or implicit-deny, 2 any error
/// (a table without provenance included).
pub(crate) fn run(args: ExplainArgs, io: &mut Io<'_>) -> CmdResult {
    let context = parse_context(&args.request.context, &RequestLimits::default())?;
    let table = open_table(&args.table)?;
    let p = lookup::principal(&table, &args.principal)?;
    let a = lookup::action(&table, &args.action)?;
    let request = Request {
        resource: args.request.resource.as_deref().unwrap_or("*"),
        context: &context,
    };
    // Over the default limits the runtime would deny: say why instead.
    verdict_runtime::RequestLimits::DEFAULT
        .check(&request)
        .map_err(|why| over_limit(&why))?;
    let explanation = explain(&table, p, a, &request).map_err(|e| match e {
        ExplainError::NoProvenance => {
            format!("{e}: recompile it with `verdict compile --explain`")
        }
        other => other.to_string(),
    })?;
    // Present: the explanation was derived from it.
    let prov = table
        .provenance()
        .ok_or("the table has no provenance section")?;
    if explanation.derived != explanation.decision {
        let _ = writeln!(
            io.stderr,
            "warning: the provenance section leads to `{}`, the table decides `{}`; the table's decision stands",
            explanation.derived, explanation.decision
        );
    }
    let text = match args.format.format {
        QueryFormat::Text => text(&explanation, prov),
        QueryFormat::Json => format!("{:#}\n", json(&explanation, prov)),
    };
    let _ = io.stdout.write_all(text.as_bytes());
    Ok(if explanation.decision == Decision::Allow {
        EXIT_OK
    } else {
        EXIT_DENY
    })
}

/// The provenance section of `table`, if any (for `inspect`).
pub(crate) fn summary(table: &Table) -> Option<String> {
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

/// What an atom test of a statement reads, in words.
fn test_text(prov: &Provenance, test: &AtomTest) -> String {
    prov.atoms.get(test.atom as usize).map_or_else(
        || format!("<atom {}>", test.atom),
        crate::residual::atom_text,
    )
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

/// E.g. "the permissions boundary `NoDeletes`", "the SCPs at `root`".
fn describe_step(step: &StepReport) -> String {
    let list = |names: &[String]| {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match step.kind {
        StepKind::Scp => format!("the SCPs at `{}` ({})", step.level, list(&step.policies)),
        StepKind::Boundary => format!("the permissions boundary {}", list(&step.policies)),
        StepKind::Session if step.policies.is_empty() => {
            "the session policies (there are none)".to_string()
        }
        StepKind::Session => format!("the session policies ({})", list(&step.policies)),
        StepKind::Identity if step.policies.is_empty() => {
            "the identity policies (there are none)".to_string()
        }
        StepKind::Identity => format!("the identity policies ({})", list(&step.policies)),
    }
}

/// `ProtectAccounts statement 1` or `Office statement 2 (Sid "Corp")`.
fn label(stmt: &StatementReport) -> String {
    match &stmt.sid {
        Some(sid) => format!("{} statement {} (Sid `{sid}`)", stmt.policy, stmt.number),
        None => format!("{} statement {}", stmt.policy, stmt.number),
    }
}

/// How the policy applies: `identity, via group/Staff`, `boundary`, …
fn how(stmt: &StatementReport, steps: &[StepReport], through: Option<&str>) -> String {
    let step = steps.get(stmt.step);
    let mut how = match step.map(|s| s.kind) {
        Some(StepKind::Scp) => format!("SCP at {}", step.map_or("", |s| s.level.as_str())),
        Some(StepKind::Boundary) => "permissions boundary".to_string(),
        Some(StepKind::Session) => "session policy".to_string(),
        Some(StepKind::Identity) | None => {
            let mut how = String::from("identity policy");
            if let Some(through) = through {
                how.push_str(&format!(" of {through}"));
            }
            let mut ways: Vec<String> = Vec::new();
            if stmt.direct {
                ways.push(
                    if stmt.policy_kind == PolicyKind::Inline {
                        "inline"
                    } else {
                        "attached"
                    }
                    .to_string(),
                );
            }
            ways.extend(stmt.groups.iter().map(|g| format!("via {g}")));
            if !ways.is_empty() {
                how.push_str(", ");
                how.push_str(&ways.join(", "));
            }
            how
        }
    };
    if stmt.policy_kind == PolicyKind::Managed {
        how.push_str(" (managed)");
    }
    how
}

/// The one-line reason.
fn reason_text(e: &Explanation) -> String {
    let action = &e.action;
    match &e.reason {
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
                .filter_map(|&i| e.steps.get(i))
                .map(|s| {
                    format!(
                        "no statement in {} allows {action} ({})",
                        describe_step(s),
                        s.kind.rule()
                    )
                })
                .collect();
            format!("implicit deny: {}", parts.join("; "))
        }
    }
}

/// The explanation for people; `prov` is the section it was derived from
/// (for the words of its atoms).
fn text(e: &Explanation, prov: &Provenance) -> String {
    let mut out = String::new();
    let on = if e.resource == "*" {
        String::new()
    } else {
        format!(" on {}", e.resource)
    };
    out.push_str(&format!(
        "{} {}{on}: {}\n",
        e.principal, e.action, e.decision
    ));
    out.push_str(&format!("{}\n", reason_text(e)));
    let through = e.through.as_deref();
    let write_statements = |out: &mut String, title: &str, list: &[&StatementReport]| {
        if list.is_empty() {
            return;
        }
        out.push_str(&format!("\n{title}:\n"));
        for stmt in list {
            out.push_str(&format!(
                "  {:<5}  {}  {}:{}  {}\n",
                effect_str(stmt.effect),
                label(stmt),
                stmt.file,
                stmt.line,
                how(stmt, &e.steps, through)
            ));
            match stmt.applies {
                Applies::Always => {}
                Applies::Never if stmt.conditions.is_empty() => {
                    out.push_str(&format!(
                        "         never applies to {}: its Resource matches nothing for it (decided at compile time)\n",
                        e.principal
                    ));
                }
                Applies::Never => {
                    out.push_str(&format!(
                        "         never applies to {}: its condition is false for it (decided at compile time): {}\n",
                        e.principal,
                        stmt.conditions.join(", ")
                    ));
                }
                Applies::Holds | Applies::Fails => {
                    for test in &stmt.tests {
                        out.push_str(&format!(
                            "         {} for this request: {}\n",
                            if test.holds { "holds" } else { "fails" },
                            test_text(prov, test)
                        ));
                    }
                }
            }
        }
    };
    let deciding: Vec<&StatementReport> = e.statements.iter().filter(|s| s.deciding).collect();
    let others: Vec<&StatementReport> = e.statements.iter().filter(|s| !s.deciding).collect();
    write_statements(&mut out, "deciding statements", &deciding);
    let title = if deciding.is_empty() {
        "statements naming the action"
    } else {
        "other statements naming the action"
    };
    write_statements(&mut out, title, &others);
    if !e.steps.is_empty() {
        out.push_str("\nsteps (each must allow, P1):\n");
        for step in &e.steps {
            out.push_str(&format!(
                "  {:<8}  {:<8}  {}\n",
                step.kind.as_str(),
                if step.allows { "allows" } else { "no allow" },
                describe_step(step)
            ));
        }
    }
    out
}

/// The explanation as JSON; `prov` as for [`text`].
fn json(e: &Explanation, prov: &Provenance) -> serde_json::Value {
    let reason = match &e.reason {
        Reason::CallerIdentity => "caller-identity",
        Reason::ExplicitDeny => "explicit-deny",
        Reason::Allowed => "allowed",
        Reason::Forbidden(_) => "credential-restriction",
        Reason::NoAllow(_) => "no-allow",
    };
    let missing: Vec<usize> = match &e.reason {
        Reason::NoAllow(missing) => missing.clone(),
        _ => Vec::new(),
    };
    json!({
        "principal": e.principal,
        "action": e.action,
        "resource": e.resource,
        "decision": e.decision.to_string(),
        "reason": reason,
        "explanation": reason_text(e),
        "through": e.through,
        "steps": e.steps.iter().enumerate().map(|(i, s)| json!({
            "step": s.kind.as_str(),
            "level": if s.kind == StepKind::Scp { Some(&s.level) } else { None },
            "policies": s.policies,
            "allows": s.allows,
            "missing": missing.contains(&i),
        })).collect::<Vec<_>>(),
        "statements": e.statements.iter().map(|s| json!({
            "policy": s.policy,
            "policy_kind": kind_str(s.policy_kind),
            "statement": s.number,
            "sid": s.sid,
            "effect": effect_str(s.effect),
            "file": s.file,
            "line": s.line,
            "step": e.steps.get(s.step).map(|st| st.kind.as_str()),
            "attached": s.direct,
            "groups": s.groups,
            "applies": s.applies.as_str(),
            "conditions": s.conditions,
            "tests": s.tests.iter().map(|t| json!({"test": test_text(prov, t), "holds": t.holds})).collect::<Vec<_>>(),
            "deciding": s.deciding,
        })).collect::<Vec<_>>(),
        "credentials": match &e.reason {
            Reason::Forbidden(kind) => Some(credentials_str(*kind)),
            _ => None,
        },
    })
}
