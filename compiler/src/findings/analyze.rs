//! The analysis: the method list over a table's class cells, the
//! admin-equivalent rows, and the assume-role graph searched backwards from
//! them. Work is per row class and per column class (a method is a handful of
//! column lookups per row), plus one backward breadth-first search per kind of
//! admin target; nothing is per principal × action.
//!
//! A cell counts as granted when it allows unconditionally or its residual
//! program always allows; as guarded when it is conditional and its outcome set
//! says it may allow (an inexact set counts as may-allow: fail closed, a
//! possible escalation is reported); otherwise as not granted. That is what the
//! CLI's audit commands show (`Shown` in `src/access.rs`).

use std::collections::{HashMap, HashSet};

use verdict_runtime::{AccessLevel, Assume, Cell, Decision, PrincipalId, Table};

use super::methods::{Category, Level, Method, Need};

/// How many action names a finding made of a whole access level keeps.
const MAX_LISTED_ACTIONS: usize = 12;

/// One finding: a method (or admin equivalence, or a chain to an admin) that a
/// set of principals with one row class have. Plain data; the CLI renders it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// `F00xx`, by category.
    pub code: &'static str,
    pub category: Category,
    /// The method's level, one lower when guarded.
    pub level: Level,
    /// The method id (`pass-role-lambda-invoke`), or `full-access`,
    /// `self-policy-edit`, `assume-role-chain` for admin findings.
    pub method: String,
    /// What it does, in a few words.
    pub name: String,
    /// The principals that have it (one row class; for `F0003`, one principal).
    pub principals: Vec<PrincipalId>,
    /// The row class, for row findings.
    pub row: Option<u32>,
    /// The actions that make it (for whole access levels, the first ones
    /// found).
    pub actions: Vec<String>,
    /// `actions` is a sample: more actions of the access level are allowed.
    pub truncated: bool,
    /// Some needed action is allowed only under a condition or for narrower
    /// resources (a conditional cell that may allow).
    pub guarded: bool,
    /// For `F0003`: the shortest chain, the principal first, the admin last.
    pub chain: Vec<PrincipalId>,
    /// The method list's source of the entry.
    pub source: String,
}

/// Every finding of a table, most serious first.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// The methods that apply to the table's catalog.
    pub n_methods: usize,
    /// Principals that are admin-equivalent (unguarded), and that reach one.
    pub n_admins: usize,
    pub n_reaching_admin: usize,
}

/// Whether a cell grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Grant {
    No,
    Guarded,
    Yes,
}

fn grant(table: &Table, row: u32, col: u32) -> Grant {
    match table.class_cell(row, col) {
        Cell::Allow => Grant::Yes,
        Cell::Deny | Cell::ImplicitDeny => Grant::No,
        Cell::Conditional => {
            let outcomes = table.cell_outcomes(row, col);
            if outcomes.single() == Some(Decision::Allow) {
                Grant::Yes
            } else if outcomes.may_allow() {
                Grant::Guarded
            } else {
                Grant::No
            }
        }
    }
}

/// The table's actions by access level, grouped by column class.
struct LevelIndex {
    /// level → (column class, its actions of that level).
    by_level: HashMap<AccessLevel, Vec<(u32, Vec<verdict_runtime::ActionId>)>>,
}

impl LevelIndex {
    fn of(table: &Table) -> LevelIndex {
        let mut grouped: HashMap<AccessLevel, HashMap<u32, Vec<verdict_runtime::ActionId>>> =
            HashMap::new();
        for a in table.actions() {
            grouped
                .entry(table.action_access(a))
                .or_default()
                .entry(table.col_class(a))
                .or_default()
                .push(a);
        }
        let by_level = grouped
            .into_iter()
            .map(|(level, cols)| {
                let mut cols: Vec<_> = cols.into_iter().collect();
                cols.sort_unstable_by_key(|(col, _)| *col);
                (level, cols)
            })
            .collect();
        LevelIndex { by_level }
    }
}

/// A method resolved against one table.
struct Resolved<'m> {
    method: &'m Method,
    /// (action name as the table spells it, column class)
    all: Vec<(String, u32)>,
    any_actions: Vec<(String, u32)>,
    any_levels: Vec<AccessLevel>,
}

fn resolve<'m>(table: &Table, method: &'m Method) -> Option<Resolved<'m>> {
    let builtin = ["aws", "chime"]
        .iter()
        .any(|c| c.eq_ignore_ascii_case(table.catalog()));
    if builtin && !method.catalog.eq_ignore_ascii_case(table.catalog()) {
        return None;
    }
    let find = |name: &str| {
        table
            .action(name)
            .ok()
            .map(|a| (table.action_name(a).to_owned(), table.col_class(a)))
    };
    let all = method
        .all
        .iter()
        .map(|name| find(name))
        .collect::<Option<Vec<_>>>()?;
    let mut any_actions = Vec::new();
    let mut any_levels = Vec::new();
    for need in &method.any {
        match need {
            Need::Action(name) => any_actions.extend(find(name)),
            Need::Level(level) => any_levels.push(*level),
        }
    }
    if !method.any.is_empty() && any_actions.is_empty() && any_levels.is_empty() {
        return None;
    }
    Some(Resolved {
        method,
        all,
        any_actions,
        any_levels,
    })
}

/// What one row has of one method: `None` if it misses a needed action.
fn evaluate(
    table: &Table,
    levels: &LevelIndex,
    method: &Resolved<'_>,
    row: u32,
) -> Option<(Vec<String>, bool, bool)> {
    let mut actions = Vec::new();
    let mut guarded = false;
    for (name, col) in &method.all {
        match grant(table, row, *col) {
            Grant::No => return None,
            Grant::Guarded => guarded = true,
            Grant::Yes => {}
        }
        actions.push(name.clone());
    }
    if method.any_actions.is_empty() && method.any_levels.is_empty() {
        return Some((actions, false, guarded));
    }
    let mut best = Grant::No;
    for (name, col) in &method.any_actions {
        let g = grant(table, row, *col);
        if g != Grant::No {
            best = best.max(g);
            actions.push(name.clone());
        }
    }
    // Whole access levels: the scan stops once an unconditional grant is
    // found and the list is full, so a row costs a few cells, not every
    // column of the level (the list is then a sample: `truncated`).
    let mut truncated = false;
    'levels: for level in &method.any_levels {
        for (col, ids) in levels.by_level.get(level).into_iter().flatten() {
            if best == Grant::Yes && actions.len() >= MAX_LISTED_ACTIONS {
                truncated = true;
                break 'levels;
            }
            let g = grant(table, row, *col);
            if g == Grant::No {
                continue;
            }
            best = best.max(g);
            let room = MAX_LISTED_ACTIONS.saturating_sub(actions.len());
            if ids.len() > room {
                truncated = true;
            }
            actions.extend(
                ids.iter()
                    .take(room)
                    .map(|a| table.action_name(*a).to_owned()),
            );
        }
    }
    match best {
        Grant::No => None,
        Grant::Guarded => Some((actions, truncated, true)),
        Grant::Yes => Some((actions, truncated, guarded)),
    }
}

/// The kind of principal a table name stands for, after an optional
/// `ACCOUNT:` prefix.
fn kind_of(name: &str) -> &str {
    let local = name.split_once(':').map_or(name, |(_, rest)| rest);
    local.split('/').next().unwrap_or("")
}

/// Self-edits that give a principal every permission (PMapper's admin test:
/// an inline or attached policy written onto oneself).
const SELF_EDITS: &[(&str, &[&str])] = &[
    ("user", &["iam:PutUserPolicy", "iam:AttachUserPolicy"]),
    ("role", &["iam:PutRolePolicy", "iam:AttachRolePolicy"]),
    (
        "assumed-role",
        &["iam:PutRolePolicy", "iam:AttachRolePolicy"],
    ),
];

/// Analyses a table with `methods` (the shipped list is
/// [`methods`](super::methods())).
///
/// Admin-equivalent (`F0002`): a principal allowed every action of the
/// table's catalog (`full-access`), or, in the `aws` catalog, a user allowed
/// `iam:PutUserPolicy` or `iam:AttachUserPolicy`, a role or role session
/// allowed `iam:PutRolePolicy` or `iam:AttachRolePolicy` (`self-policy-edit`:
/// it can grant itself everything). Guarded when some of it is only
/// conditional. `F0003`: a principal that is not admin-equivalent but can
/// assume, through a chain of roles, one that is: unconditional edges to an
/// unguarded admin, else (guarded) any edge that may allow to any admin.
#[must_use]
pub fn analyze(table: &Table, methods: &[Method]) -> Report {
    let n_rows = table.n_row_classes();
    let mut by_row: Vec<Vec<PrincipalId>> = vec![Vec::new(); n_rows];
    for p in table.principals() {
        if let Some(list) = by_row.get_mut(table.row_class(p) as usize) {
            list.push(p);
        }
    }
    let levels = LevelIndex::of(table);
    let resolved: Vec<Resolved<'_>> = methods.iter().filter_map(|m| resolve(table, m)).collect();
    let mut findings = Vec::new();
    let (admins, guarded_admins, full_rows) = admin_findings(table, &by_row, &mut findings);
    for (row, principals) in by_row.iter().enumerate() {
        if principals.is_empty() {
            continue;
        }
        let row = row as u32;
        // A row allowed everything has every escalation method; its `F0002`
        // says so once.
        let full = full_rows.contains(&row);
        for method in resolved
            .iter()
            .filter(|m| !(full && m.method.category == Category::PrivilegeEscalation))
        {
            let Some((actions, truncated, guarded)) = evaluate(table, &levels, method, row) else {
                continue;
            };
            let level = if guarded {
                method.method.level.lower()
            } else {
                method.method.level
            };
            findings.push(Finding {
                code: method.method.category.code(),
                category: method.method.category,
                level,
                method: method.method.id.clone(),
                name: method.method.name.clone(),
                principals: principals.clone(),
                row: Some(row),
                actions,
                truncated,
                guarded,
                chain: Vec::new(),
                source: method.method.source.clone(),
            });
        }
    }
    let n_admins = admins.len();
    let n_reaching_admin = chain_findings(table, &admins, &guarded_admins, &mut findings);
    findings.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then_with(|| rank(a.category).cmp(&rank(b.category)))
            .then_with(|| a.method.cmp(&b.method))
            .then_with(|| a.principals.first().cmp(&b.principals.first()))
    });
    Report {
        findings,
        n_methods: resolved.len(),
        n_admins,
        n_reaching_admin,
    }
}

fn rank(category: Category) -> usize {
    Category::ALL
        .iter()
        .position(|c| *c == category)
        .unwrap_or(usize::MAX)
}

/// Adds the `F0002` findings; returns the unguarded and the guarded admins,
/// and the rows allowed every action unconditionally.
fn admin_findings(
    table: &Table,
    by_row: &[Vec<PrincipalId>],
    findings: &mut Vec<Finding>,
) -> (Vec<PrincipalId>, Vec<PrincipalId>, HashSet<u32>) {
    let mut full_rows = HashSet::new();
    let mut admins = Vec::new();
    let mut guarded_admins = Vec::new();
    let n_cols = table.n_col_classes() as u32;
    let self_edit_cols: Vec<(&str, Vec<(String, u32)>)> = if table.catalog() == "aws" {
        SELF_EDITS
            .iter()
            .map(|(kind, names)| {
                let cols = names
                    .iter()
                    .filter_map(|n| table.action(n).ok())
                    .map(|a| (table.action_name(a).to_owned(), table.col_class(a)))
                    .collect();
                (*kind, cols)
            })
            .collect()
    } else {
        Vec::new()
    };
    // Columns only of actions no role session may perform (P8): a role
    // allowed everything else is allowed everything it can be.
    let mut excused = vec![true; n_cols as usize];
    for a in table.actions() {
        let forbidden = crate::model::ROLE_SESSION_FORBIDDEN
            .iter()
            .any(|f| f.eq_ignore_ascii_case(table.action_name(a)));
        if !forbidden {
            if let Some(slot) = excused.get_mut(table.col_class(a) as usize) {
                *slot = false;
            }
        }
    }
    for (row, principals) in by_row.iter().enumerate() {
        if principals.is_empty() {
            continue;
        }
        let row = row as u32;
        // The weakest grant over the columns, stopping at the first refusal
        // (most rows stop within a few cells).
        let mut full = Grant::Yes;
        for col in (0..n_cols).filter(|col| !excused.get(*col as usize).copied().unwrap_or(false)) {
            full = full.min(grant(table, row, col));
            if full == Grant::No {
                break;
            }
        }
        let mut push = |principals: Vec<PrincipalId>,
                        method: &str,
                        name: &str,
                        actions: Vec<String>,
                        guarded: bool| {
            if guarded {
                guarded_admins.extend(principals.iter().copied());
            } else {
                admins.extend(principals.iter().copied());
            }
            findings.push(Finding {
                code: Category::AdminEquivalent.code(),
                category: Category::AdminEquivalent,
                level: if guarded {
                    Level::High
                } else {
                    Level::Critical
                },
                method: method.to_owned(),
                name: name.to_owned(),
                principals,
                row: Some(row),
                actions,
                truncated: false,
                guarded,
                chain: Vec::new(),
                source: "PMapper (principalmapper/graphing/gathering.py, admin test)".to_owned(),
            });
        };
        if full == Grant::Yes {
            full_rows.insert(row);
        }
        if full != Grant::No {
            let name = format!(
                "allowed every action of the catalog ({})",
                table.n_actions()
            );
            push(
                principals.clone(),
                "full-access",
                &name,
                vec!["*".to_owned()],
                full == Grant::Guarded,
            );
            continue;
        }
        for (kind, cols) in &self_edit_cols {
            let best = cols
                .iter()
                .map(|(name, col)| (grant(table, row, *col), name))
                .max();
            let Some((g, name)) = best.filter(|(g, _)| *g != Grant::No) else {
                continue;
            };
            let of_kind: Vec<PrincipalId> = principals
                .iter()
                .copied()
                .filter(|p| kind_of(table.principal_name(*p)) == *kind)
                .collect();
            if of_kind.is_empty() {
                continue;
            }
            push(
                of_kind,
                "self-policy-edit",
                "can write or attach any policy onto itself",
                vec![name.clone()],
                g == Grant::Guarded,
            );
        }
    }
    admins.sort_unstable();
    admins.dedup();
    guarded_admins.sort_unstable();
    guarded_admins.dedup();
    guarded_admins.retain(|p| admins.binary_search(p).is_err());
    (admins, guarded_admins, full_rows)
}

/// Adds the `F0003` findings; returns how many principals reach an admin.
fn chain_findings(
    table: &Table,
    admins: &[PrincipalId],
    guarded_admins: &[PrincipalId],
    findings: &mut Vec<Finding>,
) -> usize {
    if table.n_trust_edges() == 0 || (admins.is_empty() && guarded_admins.is_empty()) {
        return 0;
    }
    let is_admin: HashSet<PrincipalId> = admins.iter().chain(guarded_admins).copied().collect();
    let mut seen: HashSet<PrincipalId> = HashSet::new();
    let mut push = |p: PrincipalId, chain: Vec<PrincipalId>, guarded: bool| {
        findings.push(Finding {
            code: Category::AdminViaRoles.code(),
            category: Category::AdminViaRoles,
            level: if guarded {
                Level::High
            } else {
                Level::Critical
            },
            method: "assume-role-chain".to_owned(),
            name: "can become an admin-equivalent role by sts:AssumeRole".to_owned(),
            principals: vec![p],
            row: None,
            actions: vec!["sts:AssumeRole".to_owned()],
            truncated: false,
            guarded,
            chain,
            source: "PMapper (query \"preset privesc\", sts_edges)".to_owned(),
        });
    };
    let always = table.reaching(admins.iter().copied(), Assume::Always);
    for p in always.iter() {
        if admins.binary_search(&p).is_ok() {
            continue;
        }
        if let Some(chain) = always.chain(p).filter(|c| c.len() > 1) {
            seen.insert(p);
            push(p, chain, false);
        }
    }
    let possibly = table.reaching(
        admins.iter().chain(guarded_admins).copied(),
        Assume::Possibly,
    );
    for p in possibly.iter() {
        if is_admin.contains(&p) || seen.contains(&p) {
            continue;
        }
        if let Some(chain) = possibly.chain(p).filter(|c| c.len() > 1) {
            seen.insert(p);
            push(p, chain, true);
        }
    }
    seen.len()
}
