//! Table construction: from the model to `verdict_runtime::TableParts`.
//!
//! Work is done per distinct statement and per distinct permission set, never
//! per principal × action × statement: each policy becomes two action
//! bitsets (what its statements allow and deny), each distinct permission set
//! one row of cells computed with bitset algebra, and principals sharing a
//! permission set share the row. Columns are then deduplicated.
//!
//! Not here yet: residual programs (conditions, resource ARNs narrower than
//! `*` on resource-typed actions) are rejected with E0190 / E0191.

use std::collections::HashMap;

use verdict_runtime::{Cell, TableParts};

use crate::catalog::{AccessLevel, ActionSet, Catalog};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{Effect, Model, Pattern, PermissionSet, PolicyDocument, Statement};

/// What one policy contributes, as action sets over the catalog.
#[derive(Clone, Debug)]
pub(crate) struct PolicySets {
    pub allow: ActionSet,
    pub deny: ActionSet,
}

/// The catalog actions a statement applies to, for every request (T2: True
/// for these, False for the others). Reports statements whose outcome would
/// depend on the request (residuals; not supported yet), and patterns that
/// match nothing.
pub(crate) fn statement_set(
    stmt: &Statement,
    catalog: &Catalog,
    diags: &mut Diagnostics,
) -> ActionSet {
    let mut matched = catalog.empty_set();
    for pattern in &stmt.actions {
        let one = catalog.match_pattern(&pattern.text);
        if one.is_empty() {
            lint_unmatched(pattern, catalog, diags);
        }
        matched.union_with(&one);
    }
    if stmt.not_action {
        matched = matched.complement();
    }
    if matched.is_empty() {
        return matched;
    }
    // Resource (R1, R4, R7): with no request resource, or for wildcard-only
    // actions, the request resource is `*`, matched only by the entry `*`.
    let has_star = stmt.resources.iter().any(|r| r.text == "*");
    let matches_star = has_star != stmt.not_resource;
    if !has_star && !stmt.not_resource {
        let never = matched.intersection(catalog.wildcard_only());
        if let Some(first) = never.iter().next() {
            let loc = stmt.resources.first().map_or(stmt.loc, |r| r.loc);
            diags.push(
                Diagnostic::warning(
                    "W0204",
                    format!(
                        "wildcard-only action scoped to a resource ARN {}: `{}` takes no resource ARN",
                        if stmt.effect == Effect::Allow { "grants nothing" } else { "denies nothing" },
                        catalog.qualified_name(first).unwrap_or_default()
                    ),
                )
                .at(loc.file, loc.span, format!("{} wildcard-only actions never match this", never.count()))
                .with_help("add `\"*\"` to `Resource` for actions that take no resource ARN (SEMANTICS.md R4)"),
            );
        }
    }
    let applies = if has_star {
        if matches_star {
            matched
        } else {
            catalog.empty_set()
        }
    } else {
        let wildcard_only = catalog.wildcard_only();
        let resource_typed = matched.difference(wildcard_only);
        if let Some(first) = resource_typed.iter().next() {
            let loc = stmt.resources.first().map_or(stmt.loc, |r| r.loc);
            diags.push(
                Diagnostic::error(
                    "E0191",
                    format!(
                        "resource-scoped statements are not supported yet: `{}` takes resource ARNs",
                        catalog.qualified_name(first).unwrap_or_default()
                    ),
                )
                .at(loc.file, loc.span, format!("{} resource-typed actions scoped here", resource_typed.count()))
                .with_help("use `\"Resource\": \"*\"` for now, or a catalog without resource-typed actions"),
            );
        }
        if matches_star {
            matched.intersection(wildcard_only)
        } else {
            catalog.empty_set()
        }
    };
    if !applies.is_empty() && !stmt.conditions.is_empty() {
        let loc = stmt.condition_loc.unwrap_or(stmt.loc);
        diags.push(
            Diagnostic::error("E0190", "conditions are not supported yet")
                .at(loc.file, loc.span, format!("condition on {} catalog actions", applies.count()))
                .with_help("remove the `Condition` block, or compile with a catalog this statement does not touch"),
        );
    }
    applies
}

pub(crate) fn policy_sets(
    doc: &PolicyDocument,
    catalog: &Catalog,
    diags: &mut Diagnostics,
) -> PolicySets {
    let mut sets = PolicySets {
        allow: catalog.empty_set(),
        deny: catalog.empty_set(),
    };
    for stmt in &doc.statements {
        let applies = statement_set(stmt, catalog, diags);
        match stmt.effect {
            Effect::Allow => sets.allow.union_with(&applies),
            Effect::Deny => sets.deny.union_with(&applies),
        }
    }
    sets
}

/// Warnings for an action pattern that matched nothing in the catalog.
fn lint_unmatched(pattern: &Pattern, catalog: &Catalog, diags: &mut Diagnostics) {
    let text = pattern.text.as_str();
    let Some((vendor, name)) = text.split_once(':') else {
        return;
    };
    if name.is_empty() || name.chars().any(char::is_whitespace) {
        return; // W0104 already said it matches nothing
    }
    if vendor == "*" {
        return;
    }
    if catalog.service_range(vendor).is_none() {
        // Other services are simply outside a one-service catalog, unless
        // the name looks like a typo of one it has, or the catalog claims
        // every service.
        let suggestion = catalog.suggest_service(vendor);
        if suggestion.is_some() || catalog.name() == "aws" {
            let mut d =
                Diagnostic::warning("W0203", format!("unknown service `{vendor}` in `{text}`")).at(
                    pattern.loc.file,
                    pattern.loc.span,
                    format!("not in the `{}` catalog", catalog.name()),
                );
            if let Some(s) = suggestion {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
            diags.push(d);
        }
        return;
    }
    let d = if text.contains(['*', '?']) {
        Diagnostic::warning(
            "W0202",
            format!("`{text}` matches no action of the catalog"),
        )
        .at(pattern.loc.file, pattern.loc.span, "matches nothing")
    } else {
        let mut d = Diagnostic::warning("W0201", format!("unknown action `{text}`")).at(
            pattern.loc.file,
            pattern.loc.span,
            format!("not in the `{}` catalog", catalog.name()),
        );
        if let Some(s) = catalog.suggest(text) {
            d = d.with_help(format!("did you mean `{s}`?"));
        }
        d
    };
    diags.push(d);
}

/// Computes every cell and packs the table parts.
pub(crate) fn table_parts(model: &Model, catalog: &Catalog, diags: &mut Diagnostics) -> TableParts {
    let n_actions = catalog.len();
    let sets: Vec<Option<PolicySets>> = model
        .policies
        .iter()
        .map(|p| {
            p.document
                .as_ref()
                .map(|doc| policy_sets(doc, catalog, diags))
        })
        .collect();
    let empty = PolicySets {
        allow: catalog.empty_set(),
        deny: catalog.empty_set(),
    };
    let get = |id: crate::model::PolicyId| sets[id.index()].as_ref().unwrap_or(&empty);

    // P7: sts:GetCallerIdentity is allowed to every authenticated principal.
    let caller_identity = catalog.find("sts:GetCallerIdentity");
    let role_session_forbidden: Vec<u32> = crate::model::ROLE_SESSION_FORBIDDEN
        .iter()
        .filter_map(|a| catalog.find(a))
        .collect();

    let principals = model.principals();
    let mut row_of_set: HashMap<PermissionSet, u32> = HashMap::new();
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut principal_row = Vec::with_capacity(principals.len());
    for &principal in &principals {
        // phase 2: use `set.kind`, `set.session_policies` (P1.5, P4, P8) and `set.scp_levels` (P1.2).
        let set = model.permission_set(principal);
        let next = rows.len() as u32;
        let row = *row_of_set.entry(set.clone()).or_insert_with(|| {
            let mut deny = catalog.empty_set();
            let mut allow = catalog.empty_set();
            for &p in &set.identity {
                deny.union_with(&get(p).deny);
                allow.union_with(&get(p).allow);
            }
            if let Some(b) = set.boundary {
                deny.union_with(&get(b).deny);
                allow = allow.intersection(&get(b).allow);
            }
            let mut cells: Vec<Cell> = (0..n_actions)
                .map(|a| {
                    if deny.contains(a as u32) {
                        Cell::Deny
                    } else if allow.contains(a as u32) {
                        Cell::Allow
                    } else {
                        Cell::ImplicitDeny
                    }
                })
                .collect();
            if set.role_session {
                for a in &role_session_forbidden {
                    if cells[*a as usize] == Cell::Allow {
                        cells[*a as usize] = Cell::ImplicitDeny;
                    }
                }
            }
            if let Some(a) = caller_identity {
                cells[a as usize] = Cell::Allow;
            }
            rows.push(cells);
            next
        });
        // Distinct permission sets can still give equal rows.
        principal_row.push(row);
    }
    // Merge equal rows.
    let mut row_class_of: HashMap<&[Cell], u32> = HashMap::new();
    let mut row_remap = Vec::with_capacity(rows.len());
    let mut unique_rows: Vec<&[Cell]> = Vec::new();
    for row in &rows {
        let next = unique_rows.len() as u32;
        let class = *row_class_of.entry(row.as_slice()).or_insert_with(|| {
            unique_rows.push(row.as_slice());
            next
        });
        row_remap.push(class);
    }
    let principal_row: Vec<u32> = principal_row
        .iter()
        .map(|&r| row_remap[r as usize])
        .collect();
    // Deduplicate columns over the unique rows.
    let mut col_class_of: HashMap<Vec<Cell>, u32> = HashMap::new();
    let mut columns: Vec<Vec<Cell>> = Vec::new();
    let mut action_col = Vec::with_capacity(n_actions);
    for a in 0..n_actions {
        let column: Vec<Cell> = unique_rows.iter().map(|row| row[a]).collect();
        let next = columns.len() as u32;
        let class = *col_class_of.entry(column.clone()).or_insert_with(|| {
            columns.push(column);
            next
        });
        action_col.push(class);
    }
    let n_rows = unique_rows.len();
    let n_cols = columns.len();
    let mut cells = Vec::with_capacity(n_rows * n_cols);
    for r in 0..n_rows {
        for column in &columns {
            cells.push(column[r]);
        }
    }
    TableParts {
        catalog: catalog.name().to_string(),
        principals: principals
            .iter()
            .map(|&p| model.principal_name(p))
            .collect(),
        principal_arns: principals
            .iter()
            .map(|&p| model.principal_arn(p).unwrap_or("").to_string())
            .collect(),
        actions: (0..n_actions as u32)
            .map(|a| catalog.qualified_name(a).unwrap_or_default().to_string())
            .collect(),
        action_access: (0..n_actions as u32)
            .map(|a| catalog.access(a).unwrap_or(AccessLevel::Unknown))
            .collect(),
        action_wildcard_only: (0..n_actions as u32)
            .map(|a| catalog.is_wildcard_only(a))
            .collect(),
        principal_row,
        action_col,
        n_rows: n_rows as u32,
        n_cols: n_cols as u32,
        cells,
        atoms: Vec::new(),
        residuals: Vec::new(),
        conditional: Vec::new(),
    }
}
