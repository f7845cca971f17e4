//! `W0406`: one policy alone grants a privilege-escalation method, its
//! unconditional `Allow` statements on `Resource: "*"` naming every action the
//! method needs. The table's findings (`F0001`) say who ends up with a method
//! from all their policies together; this says which single policy is enough.
//! Like the other policy lints, not reported for AWS managed policies (they
//! cannot be edited) and not for policies used only as boundaries.

use crate::catalog::{ActionSet, Catalog};
use crate::codes;
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{Effect, PolicyDef};

use super::methods::{Category, Method, Need};

/// The catalog actions of a policy's unconditional `Allow`s on every resource.
fn granted(policy: &PolicyDef, catalog: &Catalog) -> Option<ActionSet> {
    let doc = policy.document.as_ref()?;
    let mut set = catalog.empty_set();
    for stmt in &doc.statements {
        let every_resource = !stmt.not_resource && stmt.resources.iter().any(|r| r.text == "*");
        if stmt.effect != Effect::Allow || !stmt.conditions.is_empty() || !every_resource {
            continue;
        }
        let mut own = catalog.empty_set();
        for pattern in &stmt.actions {
            catalog.match_pattern_into(&pattern.text, &mut own);
        }
        if stmt.not_action {
            own.complement_in_place();
        }
        set.union_with(&own);
    }
    Some(set)
}

/// Whether `set` holds every action `method` needs, in `catalog`.
fn has_method(set: &ActionSet, method: &Method, catalog: &Catalog) -> bool {
    let has = |name: &str| catalog.find(name).is_some_and(|i| set.contains(i));
    let all = method.all.iter().all(|a| has(a));
    let any = method.any.is_empty()
        || method.any.iter().any(|need| match need {
            Need::Action(a) => has(a),
            Need::Level(_) => false,
        });
    all && any
}

/// Adds a `W0406` for each escalation method one policy grants alone.
/// `lintable` says which policies the lints report on.
pub(crate) fn lint_policies(
    policies: &[PolicyDef],
    lintable: impl Fn(usize) -> bool,
    catalog: &Catalog,
    diags: &mut Diagnostics,
) {
    let Ok(methods) = super::methods() else {
        return;
    };
    let methods: Vec<&Method> = methods
        .iter()
        .filter(|m| m.category == Category::PrivilegeEscalation)
        .filter(|m| m.catalog.eq_ignore_ascii_case(catalog.name()))
        .collect();
    if methods.is_empty() {
        return;
    }
    for (idx, policy) in policies.iter().enumerate() {
        if !lintable(idx) {
            continue;
        }
        let Some(set) = granted(policy, catalog) else {
            continue;
        };
        let found: Vec<&&Method> = methods
            .iter()
            .filter(|m| has_method(&set, m, catalog))
            .collect();
        let Some(first) = found.first() else {
            continue;
        };
        let message = if let [only] = found.as_slice() {
            format!(
                "policy `{}` alone grants privilege escalation `{}`: {}",
                policy.name, only.id, only.name
            )
        } else {
            let ids: Vec<&str> = found.iter().take(3).map(|m| m.id.as_str()).collect();
            let more = found.len().saturating_sub(ids.len());
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            format!(
                "policy `{}` alone grants {} privilege-escalation methods: {}{more}",
                policy.name,
                found.len(),
                ids.join(", ")
            )
        };
        let actions = first.all.join(", ");
        diags.push(
            Diagnostic::warning(codes::W0406, message)
                .at(
                    policy.loc.file,
                    policy.loc.span,
                    if actions.is_empty() || found.len() > 1 {
                        "grants them on every resource".to_owned()
                    } else {
                        format!("allows {actions} on every resource")
                    },
                )
                .with_help(format!(
                    "narrow the `Resource` or add a `Condition` (source: {})",
                    first.source
                )),
        );
    }
}
