//! Table construction: from the model to `verdict_runtime::parts::TableParts`.
//!
//! Work is done per distinct statement and per distinct row key, never per
//! principal × action × statement. Each policy's unconditional statements
//! become two action bitsets (what they allow and deny). The actions are
//! then partitioned into classes that no set tells apart (`classes`), and
//! every set is rewritten over classes: rows are computed over classes, not
//! over the catalog's actions (22,321 for `aws`). Statements with a
//! Condition, or with a Resource narrower than `"*"` on resource-typed
//! actions, are partially evaluated per principal (`partial`, memoised by the
//! static facts they read) into clauses over interned atoms. A row is
//! computed once per distinct (permission set, partial-evaluation results)
//! over the allow chain of P1 (a step per SCP level, the identity policies,
//! the boundary, the session policies; every policy a source of Deny):
//! cells of actions no residual statement touches come from bitset algebra;
//! the other actions are grouped by the residual clauses that touch them and
//! each group's residual is built once (`residual`, T3/T4). Rows are packed
//! two bits a cell and merged as they are made when equal (`grid`); classes
//! whose cells and residual ids agree in every row then share a column, and
//! atoms and residuals are numbered canonically (T7). Rows and columns are
//! numbered by first principal and first action, as before the classes
//! existed: the table is the same bytes.

/* Design note: why rows are keyed by evaluation results.

Two principals with the same permission set can still differ: a condition
on `aws:username` or a principal tag is decided per principal (K1). The row
key is therefore the permission set plus, for each conditional statement of
its policies, what that statement reduced to for the principal (`StmtEval`:
clauses of atom ids). Principals that a statement cannot tell apart (same
static facts, or facts that decide it the same way) share the key and the
row. The evaluation itself is memoised by the static facts the statement
reads, so ten thousand users with the same tags cost one evaluation. */

mod classes;
mod grid;
mod lints;
pub(crate) mod partial; // and `residual`: used by `crate::trust`
pub(crate) mod residual;
#[cfg(test)]
// why: a test fails by panicking; indexing and unwrapping say so shortest.
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests;

use crate::codes;
use std::collections::{BTreeSet, HashMap};

use verdict_runtime::parts::{Grid, Lit, TableParts};
use verdict_runtime::Cell;

use classes::ActionClasses;
use grid::{Gather, Row, UniqueRows};

use crate::catalog::{AccessLevel, ActionSet, Catalog};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{CredentialKind, Effect, Model, Pattern, PermissionSet, PolicyId, Statement};

use partial::{Conditional, Evaluator, StmtEval};
use residual::{Outcome, Residuals};

/// What the unconditional statements of one policy contribute, as action
/// sets over the catalog.
#[derive(Clone, Debug)]
pub(crate) struct PolicySets {
    pub allow: ActionSet,
    pub deny: ActionSet,
}

/// The catalog actions a statement may apply to, split by how its
/// Resource is decided (R1–R4, R7).
#[derive(Clone, Debug)]
pub(crate) struct Shape {
    /// Wildcard-only actions whose request resource `"*"` the Resource
    /// matches (R4): decided by the Condition alone.
    pub wo: ActionSet,
    /// Resource-typed actions the statement may apply to.
    pub rt: ActionSet,
    /// `rt` depends on the request resource (no `"*"` entry).
    pub scoped: bool,
}

/// The action sets of a statement, with the lints on its patterns.
pub(crate) fn statement_shape(
    stmt: &Statement,
    catalog: &Catalog,
    diags: &mut Diagnostics,
) -> Shape {
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
    // R1, R4: the request resource of a wildcard-only action is `*`, matched
    // only by the entry `*`.
    let has_star = stmt.resources.iter().any(|r| r.text == "*");
    let matches_star = has_star != stmt.not_resource;
    let wildcard_only = catalog.wildcard_only();
    if !has_star && !stmt.not_resource {
        let never = matched.intersection(wildcard_only);
        if let Some(first) = never.iter().next() {
            let loc = stmt.resources.first().map_or(stmt.loc, |r| r.loc);
            diags.push(
                Diagnostic::warning(
                    codes::W0204,
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
    let wo = if matches_star {
        matched.intersection(wildcard_only)
    } else {
        catalog.empty_set()
    };
    // R1, R3: `NotResource` with `*` matches no resource at all.
    let rt = if has_star && stmt.not_resource {
        catalog.empty_set()
    } else {
        matched.difference(wildcard_only)
    };
    let scoped = !has_star && !rt.is_empty();
    Shape { wo, rt, scoped }
}

/// Every policy sorted into what bitsets decide and what needs partial
/// evaluation.
struct Prepared<'m> {
    /// Per policy (indexed like `Model::policies`): its unconditional statements.
    sets: Vec<PolicySets>,
    /// Per policy: indices into `conditionals` of its other statements.
    conditional_of: Vec<Vec<usize>>,
    conditionals: Vec<Conditional<'m>>,
}

impl Prepared<'_> {
    /// Every action set of the build, over catalog actions.
    fn sets(&self) -> impl Iterator<Item = &ActionSet> {
        self.sets
            .iter()
            .flat_map(|s| [&s.allow, &s.deny])
            .chain(self.conditionals.iter().flat_map(|c| [&c.wo, &c.rt]))
    }

    /// Rewrites every action set as the set of its classes.
    fn project(&mut self, classes: &ActionClasses) {
        for s in &mut self.sets {
            s.allow = classes.project(&s.allow);
            s.deny = classes.project(&s.deny);
        }
        for c in &mut self.conditionals {
            c.wo = classes.project(&c.wo);
            c.rt = classes.project(&c.rt);
        }
    }
}

fn prepare<'m>(model: &'m Model, catalog: &Catalog, diags: &mut Diagnostics) -> Prepared<'m> {
    let mut prepared = Prepared {
        sets: Vec::with_capacity(model.policies.len()),
        conditional_of: Vec::with_capacity(model.policies.len()),
        conditionals: Vec::new(),
    };
    for policy in &model.policies {
        let mut sets = PolicySets {
            allow: catalog.empty_set(),
            deny: catalog.empty_set(),
        };
        let mut mine = Vec::new();
        let Some(doc) = &policy.document else {
            prepared.sets.push(sets);
            prepared.conditional_of.push(mine);
            continue;
        };
        for stmt in &doc.statements {
            lints::lint_conditions(stmt, diags);
            let shape = statement_shape(stmt, catalog, diags);
            if stmt.conditions.is_empty() && !shape.scoped {
                let target = match stmt.effect {
                    Effect::Allow => &mut sets.allow,
                    Effect::Deny => &mut sets.deny,
                };
                target.union_with(&shape.wo);
                target.union_with(&shape.rt);
            } else if !shape.wo.is_empty() || !shape.rt.is_empty() {
                mine.push(prepared.conditionals.len());
                prepared.conditionals.push(Conditional::new(
                    stmt,
                    doc.version,
                    shape.wo,
                    shape.rt,
                    shape.scoped,
                ));
            }
        }
        prepared.sets.push(sets);
        prepared.conditional_of.push(mine);
    }
    prepared
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
            let mut d = Diagnostic::warning(
                codes::W0203,
                format!("unknown service `{vendor}` in `{text}`"),
            )
            .at(
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
            codes::W0202,
            format!("`{text}` matches no action of the catalog"),
        )
        .at(pattern.loc.file, pattern.loc.span, "matches nothing")
    } else {
        let mut d = Diagnostic::warning(codes::W0201, format!("unknown action `{text}`")).at(
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

/// The allow chain of a permission set (P1 steps 2–5), in the order of the
/// residual's `allow` list (T4): one step per SCP level (P1.2), the identity
/// policies (P1.3), the boundary if any (P1.4), the session policies (P1.5)
/// when the row has a session step. Each step lists its policies; a step
/// with none is false (a federated user without session policies). Every
/// policy of the chain is also a source of Deny (P1.1).
pub(crate) fn allow_chain(set: &PermissionSet) -> Vec<Vec<PolicyId>> {
    let mut steps: Vec<Vec<PolicyId>> = set.scp_levels.clone();
    steps.push(set.identity.clone());
    if let Some(b) = set.boundary {
        steps.push(vec![b]);
    }
    // P1.5: role sessions without session policies pass; federated users
    // without them get nothing; users have no session step.
    let session_step = match set.kind {
        CredentialKind::User => false,
        CredentialKind::RoleSession | CredentialKind::DeclaredSession => {
            !set.session_policies.is_empty()
        }
        CredentialKind::FederatedUser => true,
    };
    if session_step {
        steps.push(set.session_policies.clone());
    }
    steps
}

/// Where a residual clause goes in the P1 combination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Deny,
    /// An Allow of this step of the allow chain.
    Allow(usize),
}

/// One residual clause of a row: the statement applies to `actions` iff
/// `clause` holds.
struct Part<'a> {
    kind: Kind,
    actions: &'a ActionSet,
    clause: Vec<Lit>,
    /// A Deny scoped to resource ARNs (W0205): index into `conditionals`.
    hidden_deny: Option<usize>,
}

/// What decides the cell of an action touched by residual clauses.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct GroupKey<'a> {
    /// Indices of the parts whose actions include it.
    touched: &'a [u32],
    /// Per step of the allow chain: an unconditional Allow of it applies.
    steps_true: Vec<bool>,
    /// P8 forbids it for this row.
    forbidden: bool,
}

/// Row-independent facts of the catalog: over actions, then (after
/// [`Specials::project`]) over action classes.
pub(crate) struct Specials {
    /// P7.
    pub caller_identity: Option<u32>,
    /// P7 as a set, for the partition into classes.
    caller_identity_set: ActionSet,
    /// P8 for role sessions (role rows and declared sessions).
    pub role_session_forbidden: ActionSet,
    /// P8 for federated users: `iam:*`, and `sts:*` but GetCallerIdentity.
    pub federated_forbidden: ActionSet,
}

impl Specials {
    pub(crate) fn new(catalog: &Catalog) -> Specials {
        let caller_identity = catalog.find("sts:GetCallerIdentity");
        let mut federated_forbidden = catalog.match_pattern("iam:*");
        federated_forbidden.union_with(&catalog.match_pattern("sts:*"));
        if let Some(a) = caller_identity {
            federated_forbidden.remove(a);
        }
        Specials {
            caller_identity,
            caller_identity_set: ActionSet::from_indices(catalog.universe(), caller_identity),
            role_session_forbidden: ActionSet::from_indices(
                catalog.universe(),
                crate::model::ROLE_SESSION_FORBIDDEN
                    .iter()
                    .filter_map(|a| catalog.find(a)),
            ),
            federated_forbidden,
        }
    }

    fn sets(&self) -> [&ActionSet; 3] {
        [
            &self.caller_identity_set,
            &self.role_session_forbidden,
            &self.federated_forbidden,
        ]
    }

    /// Rewrites the sets over classes; `sts:GetCallerIdentity` is a class of
    /// its own since its set is one of [`Specials::sets`].
    fn project(&mut self, classes: &ActionClasses) {
        self.caller_identity = self.caller_identity.map(|a| classes.of(a));
        self.caller_identity_set = classes.project(&self.caller_identity_set);
        self.role_session_forbidden = classes.project(&self.role_session_forbidden);
        self.federated_forbidden = classes.project(&self.federated_forbidden);
    }

    /// The actions P8 forbids to a kind of credentials.
    fn forbidden(&self, kind: CredentialKind) -> Option<&ActionSet> {
        match kind {
            CredentialKind::User => None,
            CredentialKind::RoleSession | CredentialKind::DeclaredSession => {
                Some(&self.role_session_forbidden)
            }
            CredentialKind::FederatedUser => Some(&self.federated_forbidden),
        }
    }
}

/// A conditional statement of a row: its index into `conditionals`, the
/// step of the allow chain its policy sits in, and what it reduced to for
/// the row's principals.
type Member = (usize, usize, StmtEval);

/// Computes one row over `n_classes` action classes (P1, P7, P8; T2, T3).
fn compute_row(
    prepared: &Prepared<'_>,
    n_classes: u32,
    specials: &Specials,
    set: &PermissionSet,
    members: &[Member],
    residuals: &mut Residuals,
    hidden_denies: &mut BTreeSet<usize>,
) -> Row {
    let chain = allow_chain(set);
    // Unconditional statements: one allow set per step, one deny set.
    let mut deny = ActionSet::empty(n_classes);
    let mut step_allow: Vec<ActionSet> = Vec::with_capacity(chain.len());
    for policies in &chain {
        let mut allow = ActionSet::empty(n_classes);
        for s in policies.iter().filter_map(|p| prepared.sets.get(p.index())) {
            deny.union_with(&s.deny);
            allow.union_with(&s.allow);
        }
        step_allow.push(allow);
    }
    let mut parts: Vec<Part<'_>> = Vec::new();
    for (index, step, eval) in members {
        let Some(cond) = prepared.conditionals.get(*index) else {
            continue;
        };
        let kind = match cond.stmt.effect {
            Effect::Deny => Kind::Deny,
            Effect::Allow => Kind::Allow(*step),
        };
        for (actions, clause, resource_typed) in
            [(&cond.wo, &eval.wo, false), (&cond.rt, &eval.rt, true)]
        {
            let Some(clause) = clause else {
                continue;
            };
            if clause.is_empty() {
                // True for this principal: plain bitset algebra.
                let target = match kind {
                    Kind::Deny => Some(&mut deny),
                    Kind::Allow(step) => step_allow.get_mut(step),
                };
                if let Some(target) = target {
                    target.union_with(actions);
                }
            } else {
                let hidden =
                    kind == Kind::Deny && resource_typed && cond.scoped && !cond.stmt.not_resource;
                parts.push(Part {
                    kind,
                    actions,
                    clause: residual::lits(clause),
                    hidden_deny: hidden.then_some(*index),
                });
            }
        }
    }
    // P1: every step must allow.
    let mut allowed = ActionSet::full(n_classes);
    for step in &step_allow {
        allowed.intersect_with(step);
    }
    // P8: these credentials never get these; an explicit Deny stays.
    let forbidden = specials.forbidden(set.kind);
    if let Some(f) = forbidden {
        allowed.difference_with(f);
    }
    let mut row = Row::new(&deny, &allowed);
    if !parts.is_empty() {
        // The residual clauses touching each action class, by part index.
        let mut touching: Vec<Vec<u32>> = vec![Vec::new(); n_classes as usize];
        for (i, part) in parts.iter().enumerate() {
            for a in part.actions.iter() {
                if deny.contains(a) || Some(a) == specials.caller_identity {
                    continue; // decided: Deny, or P7
                }
                if let Some(list) = touching.get_mut(a as usize) {
                    list.push(i as u32);
                }
                if let Some(stmt) = part.hidden_deny {
                    hidden_denies.insert(stmt);
                }
            }
        }
        // Actions with the same clauses and the same static allow bits share
        // one residual.
        let mut groups: HashMap<GroupKey<'_>, (Cell, u32)> = HashMap::new();
        for (a, touched) in touching.iter().enumerate() {
            if touched.is_empty() {
                continue;
            }
            let a = a as u32;
            let key = GroupKey {
                touched,
                steps_true: step_allow.iter().map(|s| s.contains(a)).collect(),
                forbidden: forbidden.is_some_and(|f| f.contains(a)),
            };
            let (cell, id) = match groups.get(&key) {
                Some(&hit) => hit,
                None => {
                    let decided = group_cell(&key, &parts, residuals);
                    groups.insert(key, decided);
                    decided
                }
            };
            row.set(a, cell);
            if cell == Cell::Conditional {
                row.conditional.push((a, id));
            }
        }
    }
    // P7: sts:GetCallerIdentity is allowed to every authenticated principal.
    if let Some(a) = specials.caller_identity {
        row.set(a, Cell::Allow);
    }
    row
}

/// The cell (and residual id, `u32::MAX` for a static cell) of the actions
/// of one group: the Deny clauses, and per step of the allow chain either
/// true (an unconditional Allow) or the OR of its Allow clauses (T3, T4).
fn group_cell(key: &GroupKey<'_>, parts: &[Part<'_>], residuals: &mut Residuals) -> (Cell, u32) {
    let mut deny_clauses = Vec::new();
    let mut step_clauses: Vec<Vec<Vec<Lit>>> = vec![Vec::new(); key.steps_true.len()];
    for part in key.touched.iter().filter_map(|&i| parts.get(i as usize)) {
        let target = match part.kind {
            Kind::Deny => Some(&mut deny_clauses),
            Kind::Allow(step) => step_clauses.get_mut(step),
        };
        if let Some(target) = target {
            target.push(part.clause.clone());
        }
    }
    let steps = if key.forbidden {
        vec![Vec::new()] // P8: the allow chain is false
    } else {
        step_clauses
            .into_iter()
            .zip(&key.steps_true)
            .map(|(clauses, &truth)| if truth { vec![Vec::new()] } else { clauses })
            .collect()
    };
    match residual::decide(deny_clauses, steps) {
        Outcome::Static(cell) => (cell, u32::MAX),
        Outcome::Conditional(r) => (Cell::Conditional, residuals.intern(r)),
    }
}

/// Computes every cell: the table parts, with the cells packed in the grid
/// (`TableParts::cells` is empty).
pub(crate) fn table_parts(
    model: &Model,
    catalog: &Catalog,
    diags: &mut Diagnostics,
) -> (TableParts, Grid) {
    let n_actions = catalog.len();
    let mut prepared = prepare(model, catalog, diags);
    let mut specials = Specials::new(catalog);
    let classes = ActionClasses::refine(catalog.universe(), prepared.sets().chain(specials.sets()));
    prepared.project(&classes);
    specials.project(&classes);
    let n_classes = classes.len();
    let mut evaluator = Evaluator::with_catalog(model, catalog);
    let mut residuals = Residuals::default();
    let mut hidden_denies = BTreeSet::new();

    // Rows over classes, computed once per distinct key and merged when equal.
    let principals = model.principals();
    let mut row_of_key: HashMap<(PermissionSet, Vec<StmtEval>), u32> = HashMap::new();
    let mut rows = UniqueRows::default();
    let mut principal_row = Vec::with_capacity(principals.len());
    for &principal in &principals {
        let set = model.permission_set(principal);
        let mut members: Vec<Member> = Vec::new();
        for (step, policies) in allow_chain(&set).iter().enumerate() {
            for policy in policies {
                for &index in prepared
                    .conditional_of
                    .get(policy.index())
                    .into_iter()
                    .flatten()
                {
                    if let Some(cond) = prepared.conditionals.get(index) {
                        let eval = evaluator.eval(index, cond, principal, diags);
                        members.push((index, step, eval));
                    }
                }
            }
        }
        let key = (set, members.iter().map(|(_, _, e)| e.clone()).collect());
        let row = match row_of_key.get(&key) {
            Some(&row) => row,
            None => {
                let row = rows.intern(compute_row(
                    &prepared,
                    n_classes,
                    &specials,
                    &key.0,
                    &members,
                    &mut residuals,
                    &mut hidden_denies,
                ));
                row_of_key.insert(key, row);
                row
            }
        };
        principal_row.push(row);
    }
    drop(row_of_key);
    for index in hidden_denies {
        if let Some(cond) = prepared.conditionals.get(index) {
            diags.push(hidden_deny(cond.stmt));
        }
    }
    let rows = rows.rows;

    // Classes that no row tells apart (cells and residual ids) share a column.
    let (column_of_class, first_class) = grid::columns(&rows, n_classes);
    let action_col: Vec<u32> = classes
        .of_actions()
        .iter()
        .map(|&c| column_of_class.get(c as usize).copied().unwrap_or(0))
        .collect();

    // Canonical atom and residual numbering (T7).
    let (atoms, residual_list, residual_map) =
        residual::canonical(&evaluator.atoms.list, &residuals.list);
    let n_rows = rows.len();
    let n_cols = first_class.len();
    let gather = Gather::new(&first_class);
    let mut grid = Grid::with_capacity(n_cols as u32, n_rows);
    let mut words = Vec::new();
    let mut conditional = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        gather.row_words(row, &mut words);
        grid.push_row_words(&words);
        for &(class, id) in &row.conditional {
            let col = column_of_class.get(class as usize).copied().unwrap_or(0);
            if first_class.get(col as usize) == Some(&class) {
                let id = residual_map.get(id as usize).copied().unwrap_or(u32::MAX);
                conditional.push((r as u32, col, id));
            }
        }
    }
    let parts = TableParts {
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
        cells: Vec::new(),
        atoms,
        residuals: residual_list,
        conditional,
        trust_edges: Vec::new(), // filled in by `crate::trust`
        provenance: None,
    };
    (parts, grid)
}

/// W0205 (R7): a Deny scoped to resource ARNs that a check without a
/// resource does not see.
fn hidden_deny(stmt: &Statement) -> Diagnostic {
    let loc = stmt.resources.first().map_or(stmt.loc, |r| r.loc);
    Diagnostic::warning(
        codes::W0205,
        "deny scoped to resource ARNs is not seen by checks without a resource",
    )
    .at(loc.file, loc.span, "a check on the resource `*` does not match this, so the deny does not apply")
    .with_help("check these actions with `--resource`, or add `\"*\"` to the Deny's `Resource` (SEMANTICS.md R7)")
}
