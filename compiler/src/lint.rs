//! Policy lints (`W04xx`): findings about policies that are valid IAM but
//! probably not what the author meant. They run on the lowered model, after
//! validation and before the table is built, and only add warnings: a lint
//! never changes a cell.
//!
//! | code  | finding                                                        |
//! |-------|----------------------------------------------------------------|
//! | W0401 | an `Allow` statement whose every action is denied unconditionally by the same policy |
//! | W0402 | `Allow` with `NotAction`                                       |
//! | W0403 | an `Allow` statement that allows only what another statement of the same policy already allows, with no narrower condition or resource |
//! | W0404 | an admin-equivalent grant: `Allow` of `*` or `service:*` on `Resource: "*"` without a condition |
//! | W0405 | a policy attached to nobody (neither as identity policy nor as boundary) |
//!
//! What is deliberately not here: unknown actions and wildcards that match
//! nothing (W0201–W0203, reported where patterns are matched, in `build`),
//! resource ARNs on wildcard-only actions (W0204, `build`), duplicate Sids
//! (E0111) and `Principal` in an identity policy (E0104, `validate`), and the
//! size quotas (E03xx/W0301, `lower`).

/* Design note.

Statement action sets here are "the catalog actions the Action/NotAction
patterns name", without the resource and condition analysis of `build`: a
lint must not depend on how residuals are compiled, and the comparisons it
makes (subset of an unconditional `Resource: "*"` deny; subset of a statement
with the same or no condition and the same or a `*` resource) are sound
whatever the resource does. A statement whose patterns match no catalog
action is skipped (W0201/W0202 already speak about it).

AWS managed policies (account `aws` in their ARN) cannot be edited, so only
W0404 is reported for them: attaching one that grants admin is a decision of
the account's owner. */

mod keys;

use crate::catalog::{ActionSet, Catalog};
use crate::codes;
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{Edge, Effect, Loc, Model, Node, PolicyDef, PolicyKind, Statement};

/// Runs every lint of this module over the model.
pub(crate) fn lint(model: &Model, catalog: &Catalog, diags: &mut Diagnostics) {
    keys::lint(model, catalog, diags);
    let has_entities =
        !(model.users.is_empty() && model.groups.is_empty() && model.roles.is_empty());
    // With an unresolved name (E0201) the attachments are incomplete: a
    // policy may look unused only because of a typo elsewhere.
    let attachments_known = !diags.list.iter().any(|d| d.code == codes::E0201);
    crate::findings::lint::lint_policies(
        &model.policies,
        |idx| {
            usage(model, idx) == Usage::Identity
                && model.policies.get(idx).is_some_and(|p| !aws_managed(p))
        },
        catalog,
        diags,
    );
    for (idx, policy) in model.policies.iter().enumerate() {
        let usage = usage(model, idx);
        if has_entities
            && attachments_known
            && usage == Usage::None
            && policy.kind != PolicyKind::Inline
            && !aws_managed(policy)
        {
            diags.push(
                Diagnostic::warning(
                    codes::W0405,
                    format!("policy `{}` is attached to nobody", policy.name),
                )
                .at(
                    policy.loc.file,
                    policy.loc.span,
                    "defined here, never attached",
                )
                .with_help(
                    "attach it to a user, group or role, use it as a boundary, or delete it",
                ),
            );
        }
        let Some(doc) = &policy.document else {
            continue;
        };
        let sets: Vec<ActionSet> = doc
            .statements
            .iter()
            .map(|s| actions_of(s, catalog))
            .collect();
        let editable = !aws_managed(policy);
        for (i, stmt) in doc.statements.iter().enumerate() {
            if stmt.effect != Effect::Allow {
                continue;
            }
            if usage != Usage::BoundaryOnly {
                admin_equivalent(stmt, diags);
            }
            if !editable {
                continue;
            }
            if stmt.not_action {
                let loc = first_action_loc(stmt);
                diags.push(
                    Diagnostic::warning(codes::W0402, "`Allow` with `NotAction` allows every action not listed")
                        .at(loc.file, loc.span, format!("allows {}", actions(sets.get(i).map_or(0, ActionSet::count))))
                        .with_help("list the allowed actions with `Action`: `NotAction` also allows every action a service adds later"),
                );
            }
            let Some(allowed) = sets.get(i).filter(|s| !s.is_empty()) else {
                continue;
            };
            if shadowed_by_deny(doc.statements.as_slice(), &sets, allowed, stmt, diags) {
                continue;
            }
            redundant_allow(doc.statements.as_slice(), &sets, i, diags);
        }
    }
}

/// How the model uses a policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Usage {
    None,
    /// Only ever a permissions boundary: its `Allow`s grant nothing.
    BoundaryOnly,
    Identity,
}

fn usage(model: &Model, idx: usize) -> Usage {
    // SCPs govern every principal of their account (P6); they are not
    // attached through the graph.
    if model.scps.iter().any(|scp| scp.policy.index() == idx) {
        return Usage::Identity;
    }
    let Some(&node) = model.policy_nodes.get(idx) else {
        return Usage::None;
    };
    let mut usage = Usage::None;
    for edge in model
        .graph
        .edges_directed(node, petgraph::Direction::Incoming)
    {
        match edge.weight() {
            Edge::Attached | Edge::SessionPolicy => return Usage::Identity,
            Edge::Boundary => usage = Usage::BoundaryOnly,
            Edge::MemberOf | Edge::Trusts | Edge::SessionOf => {}
        }
    }
    // Policies are only ever targets of `Attached`, `Boundary` and
    // `SessionPolicy` edges.
    debug_assert!(matches!(
        model.graph.node_weight(node),
        Some(Node::Policy(_))
    ));
    usage
}

fn aws_managed(policy: &PolicyDef) -> bool {
    policy
        .arn
        .as_deref()
        .is_some_and(|arn| arn.split(':').nth(4) == Some("aws"))
}

/// The catalog actions the statement's Action/NotAction patterns name.
fn actions_of(stmt: &Statement, catalog: &Catalog) -> ActionSet {
    let mut set = catalog.empty_set();
    for pattern in &stmt.actions {
        catalog.match_pattern_into(&pattern.text, &mut set);
    }
    if stmt.not_action {
        set.complement_in_place();
    }
    set
}

/// `1 catalog action`, `3 catalog actions`.
fn actions(n: u32) -> String {
    format!("{n} catalog action{}", if n == 1 { "" } else { "s" })
}

fn first_action_loc(stmt: &Statement) -> Loc {
    stmt.actions.first().map_or(stmt.loc, |p| p.loc)
}

/// True when the statement's resources include `*` (every resource).
fn every_resource(stmt: &Statement) -> bool {
    !stmt.not_resource && stmt.resources.iter().any(|r| r.text == "*")
}

/// W0404: `Allow` of `*`, `*:*` or `service:*` on every resource, unconditionally.
fn admin_equivalent(stmt: &Statement, diags: &mut Diagnostics) {
    if stmt.not_action || !stmt.conditions.is_empty() || !every_resource(stmt) {
        return;
    }
    for pattern in &stmt.actions {
        let text = pattern.text.as_str();
        let whole = match text.split_once(':') {
            None if text == "*" => Some("every action of every service".to_string()),
            Some(("*", "*")) => Some("every action of every service".to_string()),
            Some((service, "*")) if !service.contains(['*', '?']) => {
                Some(format!("every `{service}` action"))
            }
            _ => None,
        };
        if let Some(what) = whole {
            diags.push(
                Diagnostic::warning(codes::W0404, format!("admin-equivalent grant: `{text}` on every resource"))
                    .at(pattern.loc.file, pattern.loc.span, format!("allows {what}"))
                    .with_help("grant the actions the principals need, or add a `Condition` or a narrower `Resource`"),
            );
        }
    }
}

/// W0401: every action the `Allow` statement names is denied by unconditional
/// `Deny` statements on every resource of the same policy.
fn shadowed_by_deny(
    statements: &[Statement],
    sets: &[ActionSet],
    allowed: &ActionSet,
    stmt: &Statement,
    diags: &mut Diagnostics,
) -> bool {
    let mut denied: Option<ActionSet> = None;
    let mut first_deny = None;
    for (other, set) in statements.iter().zip(sets) {
        if other.effect == Effect::Deny
            && other.conditions.is_empty()
            && every_resource(other)
            && !set.is_disjoint(allowed)
        {
            first_deny.get_or_insert(other.loc);
            match &mut denied {
                Some(d) => d.union_with(set),
                None => denied = Some(set.clone()),
            }
        }
    }
    let (Some(denied), Some(deny_loc)) = (denied, first_deny) else {
        return false;
    };
    if !allowed.is_subset(&denied) {
        return false;
    }
    let loc = first_action_loc(stmt);
    diags.push(
        Diagnostic::warning(
            codes::W0401,
            "statement allows nothing: every action it allows is denied by the same policy",
        )
        .at(
            loc.file,
            loc.span,
            format!("{}, all denied", actions(allowed.count())),
        )
        .with_related(deny_loc.file, deny_loc.span, "denied here")
        .with_help("remove the `Allow` statement, or narrow the `Deny`"),
    );
    true
}

/// W0403: another `Allow` of the same policy allows a superset of the
/// statement's actions, with no condition or the same one, on every resource
/// or the same resources. Of two equal statements only the later is reported.
fn redundant_allow(
    statements: &[Statement],
    sets: &[ActionSet],
    i: usize,
    diags: &mut Diagnostics,
) {
    let (Some(stmt), Some(mine)) = (statements.get(i), sets.get(i)) else {
        return;
    };
    for (j, (other, theirs)) in statements.iter().zip(sets).enumerate() {
        if j == i || other.effect != Effect::Allow || !mine.is_subset(theirs) {
            continue;
        }
        let same_condition = other.conditions.is_empty() || other.conditions == stmt.conditions;
        let same_resources = every_resource(other)
            || (other.not_resource == stmt.not_resource
                && other
                    .resources
                    .iter()
                    .map(|r| &r.text)
                    .eq(stmt.resources.iter().map(|r| &r.text)));
        if !(same_condition && same_resources) {
            continue;
        }
        // Equal statements cover each other: report the later one only.
        let mutual = theirs.is_subset(mine)
            && other.conditions == stmt.conditions
            && other.not_resource == stmt.not_resource
            && other
                .resources
                .iter()
                .map(|r| &r.text)
                .eq(stmt.resources.iter().map(|r| &r.text));
        if mutual && j > i {
            continue;
        }
        let loc = first_action_loc(stmt);
        diags.push(
            Diagnostic::warning(
                codes::W0403,
                "statement is redundant: another statement of the policy already allows all of it",
            )
            .at(
                loc.file,
                loc.span,
                format!("{}, all allowed again", actions(mine.count())),
            )
            .with_related(other.loc.file, other.loc.span, "already allowed here")
            .with_help("remove the redundant statement"),
        );
        return;
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
mod tests {
    use crate::{compile, Config, Input, MemoryLoader};

    /// The codes of the `W04xx` findings of compiling `text` as `org.vp`.
    fn check(text: &str) -> Vec<&'static str> {
        let mut files = MemoryLoader::default();
        files.insert("org.vp", text);
        let out = compile(&[Input::auto("org.vp")], &Config::default(), &mut files);
        out.diagnostics
            .iter()
            .filter(|d| d.code.starts_with("W04"))
            .map(|d| d.code)
            .collect()
    }

    #[test]
    fn w0401_allow_fully_denied_by_the_same_policy() {
        let bad = "policy P { allow chime:DeleteAccount  deny chime:Delete* }\nuser u { attach P }";
        assert_eq!(check(bad), ["W0401"]);
        let fixed = "policy P { allow chime:DeleteAccount, chime:ListUsers  deny chime:Delete* }\nuser u { attach P }";
        assert_eq!(check(fixed), Vec::<&str>::new());
    }

    #[test]
    fn w0401_ignores_conditional_denies() {
        let text = r#"policy P {
            allow chime:DeleteAccount
            deny chime:DeleteAccount when { Bool aws:MultiFactorAuthPresent = false }
        }
        user u { attach P }"#;
        assert!(!check(text).contains(&"W0401"));
    }

    #[test]
    fn w0402_allow_with_not_action() {
        let bad = "policy P { allow not chime:DeleteAccount }\nuser u { attach P }";
        assert!(check(bad).contains(&"W0402"), "{:?}", check(bad));
        let fixed = "policy P { allow chime:ListUsers }\nuser u { attach P }";
        assert_eq!(check(fixed), Vec::<&str>::new());
        let deny = "policy P { allow chime:List*  deny not chime:ListUsers }\nuser u { attach P }";
        assert!(!check(deny).contains(&"W0402"));
    }

    #[test]
    fn w0403_statement_allowed_again() {
        let bad = "policy P { allow chime:List*  allow chime:ListUsers }\nuser u { attach P }";
        assert_eq!(check(bad), ["W0403"]);
        let fixed = "policy P { allow chime:List*  allow chime:GetUser }\nuser u { attach P }";
        assert_eq!(check(fixed), Vec::<&str>::new());
        let twice =
            "policy P { allow chime:ListUsers  allow chime:ListUsers }\nuser u { attach P }";
        assert_eq!(
            check(twice),
            ["W0403"],
            "one finding for two equal statements"
        );
    }

    #[test]
    fn w0404_admin_equivalent() {
        for bad in ["allow chime:*", "allow *", "allow *:*"] {
            let text = format!("policy P {{ {bad} }}\nuser u {{ attach P }}");
            assert!(check(&text).contains(&"W0404"), "{bad}: {:?}", check(&text));
        }
        let fixed = "policy P { allow chime:Get*, chime:List* }\nuser u { attach P }";
        assert_eq!(check(fixed), Vec::<&str>::new());
    }

    #[test]
    fn w0404_not_for_boundaries() {
        let text = "policy B { allow chime:* }\npolicy P { allow chime:ListUsers }\nuser u { attach P  boundary B }";
        assert_eq!(check(text), Vec::<&str>::new());
    }

    #[test]
    fn w0405_policy_attached_to_nobody() {
        let bad = "policy P { allow chime:ListUsers }\npolicy Q { allow chime:GetUser }\nuser u { attach P }";
        assert_eq!(check(bad), ["W0405"]);
        let fixed = "policy P { allow chime:ListUsers }\npolicy Q { allow chime:GetUser }\nuser u { attach P, Q }";
        assert_eq!(check(fixed), Vec::<&str>::new());
        let alone = "policy Q { allow chime:GetUser }";
        assert_eq!(
            check(alone),
            Vec::<&str>::new(),
            "a file of policies only is a library"
        );
    }
}
