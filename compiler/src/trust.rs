//! The assume-role graph (SEMANTICS.md G2–G5, T6): for every principal row P
//! and every role R, whether P may call `sts:AssumeRole` on R, and under which
//! request conditions. The edges are a petgraph graph over the table's
//! principals, stored in the table as trust edges whose residual programs
//! share the table's atoms and residual list.
//!
//! Not here: reachability (role chaining is a search over the stored edges,
//! `verdict_runtime::Table::reachable`), and the permissions of the roles
//! reached (their rows, built by `build`; a row does not depend on the chain,
//! T6). [`naming`] says how a trust statement names a principal.

/* Design note: how an edge P → R is decided (G3).

The request is `sts:AssumeRole` on R's ARN with P's context. Its parts:
- the trust policy of R: Deny statements naming P, and Allow statements
  naming P, each with its way of naming P ([`Naming`]);
- P's side: Deny statements of its identity policies, boundary, session
  policies and SCPs; one Allow step per SCP level (P1.2, always); and the
  steps the naming asks for: none (direct), boundary and session policies
  (role ARN), or identity policies, boundary and session policies (account,
  or another account).

Every statement is partially evaluated exactly as `build` does it, by the
same `partial::Evaluator` (static keys of P decided by the runtime's
condition evaluator, request keys kept as atoms), against a one-action
catalog holding `sts:AssumeRole`. Resource atoms are then decided against
R's ARN with the runtime's resource matcher, since the resource of the
request is known; an atom over a request-key variable stays in the residual
and the runtime evaluates edge residuals with R's ARN as the resource. A role
whose ARN the model does not know (no account) cannot match a Resource
narrower than `"*"`: such an Allow does not apply and such a Deny does (fail
closed), with warning W0230.

Why not read P's side from the table's `sts:AssumeRole` column? The table
has that column only when the catalog has the action (the Chime catalog does
not), its cells are the full P1 chain while a trust naming P directly or by
its role ARN asks only for parts of it, and its Resource atoms would need the
same deciding against R's ARN. Evaluating the statements directly gives one
path for every catalog; a test checks it against the table's column where
both exist.

The edge is then: not (trust denies or P's side denies) and every SCP step
and (C_direct or C_role ∧ PB ∧ SP or C_account ∧ ID ∧ PB ∧ SP), where C_k is
the OR of the conditions of the trust Allows naming P in way k. The last
conjunct is distributed into one DNF (with a cap, W0231); the result is a
runtime `Residual` (deny, allow steps), or no residual when it is true, or no
edge when an allow step is false or the deny true.

Federated users have no edges (P8: no `sts:*` but GetCallerIdentity);
service-linked roles have no edges into them (G5). A role row stands for its
sessions, so an edge from it is an edge from every session of the role (G4);
a declared session has its own edges (its session policies). */

mod naming;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use verdict_runtime::parts::{Atom, Dnf, Lit, Part, Residual, TableParts};
use verdict_runtime::Request;

use crate::build::partial::{Conditional, Evaluator};
use crate::build::residual::{canonical, lits, renumber, simplify, Residuals};
use crate::catalog::Catalog;
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{
    Effect, Loc, Model, PermissionSet, PolicyDocument, PolicyId, Principal, RoleId,
};

/// The action a trust edge stands for.
pub(crate) const ASSUME_ROLE: &str = "sts:AssumeRole";

/// Most clauses the allow condition of one edge may have (W0231).
const MAX_CLAUSES: usize = 1024;

/// The assume-role graph: a node per principal row, in table order; an edge
/// P → R with `None` (unconditional) or the residual under which P may
/// assume R, its literals over [`AssumeGraph::atoms`].
pub(crate) struct AssumeGraph {
    pub graph: DiGraph<Principal, Option<Residual>>,
    /// Atoms of the edge residuals (the evaluator's numbering).
    pub atoms: Vec<Atom>,
}

/// Computes the assume-role graph and adds it to `parts` (built by `build`
/// for the same model): edges as `(from, to, residual)` over the principal
/// order of `parts`, residual programs interned into its residual list, new
/// atoms into its atom list, both renumbered canonically (T7).
pub(crate) fn add_trust_edges(model: &Model, parts: &mut TableParts, diags: &mut Diagnostics) {
    let principals = model.principals();
    let graph = assume_graph(model, &principals, diags);
    merge(parts, graph);
}

/// The assume-role graph over `principals` (the table's row order).
pub(crate) fn assume_graph(
    model: &Model,
    principals: &[Principal],
    diags: &mut Diagnostics,
) -> AssumeGraph {
    let mut edges = Edges::new(model);
    let mut graph = DiGraph::with_capacity(principals.len(), 0);
    let nodes: HashMap<Principal, NodeIndex> =
        principals.iter().map(|&p| (p, graph.add_node(p))).collect();
    // Which roles may have an edge from which principals: roles whose trust
    // Allows name only specific principals are looked at for those alone.
    let mut open_roles: Vec<RoleId> = Vec::new();
    let mut roles_for: HashMap<Principal, Vec<RoleId>> = HashMap::new();
    for (i, role) in model.roles.iter().enumerate() {
        let role_id = RoleId(i as u32);
        if role.service_linked {
            continue; // G5: nobody assumes a service-linked role
        }
        let allows = edges.trust_allows(role_id);
        let mut named = Vec::new();
        let mut open = false;
        for set in allows {
            match naming::named_principals(model, set) {
                Some(list) => named.extend(list),
                None => open = true,
            }
        }
        if open {
            open_roles.push(role_id);
        } else {
            for p in named {
                roles_for.entry(p).or_default().push(role_id);
            }
        }
    }
    for &p in principals {
        if matches!(p, Principal::FederatedUser(_)) {
            continue; // P8: federated users call no sts action but GetCallerIdentity
        }
        let mut roles = open_roles.clone();
        roles.extend(roles_for.get(&p).into_iter().flatten());
        roles.sort_unstable();
        roles.dedup();
        for role in roles {
            let Some(edge) = edges.edge(p, role) else {
                continue;
            };
            let (Some(&from), Some(&to)) = (nodes.get(&p), nodes.get(&Principal::Role(role)))
            else {
                continue;
            };
            graph.add_edge(from, to, edge);
        }
    }
    // The evaluator's findings on identity statements duplicate those of
    // `build`, which evaluated the same statements: keep only new ones.
    for d in edges.diags.list {
        let seen = diags
            .list
            .iter()
            .any(|old| old.code == d.code && old.primary == d.primary);
        if !seen {
            diags.push(d);
        }
    }
    AssumeGraph {
        graph,
        atoms: edges.evaluator.atoms.list,
    }
}

/// Adds the edges of `graph` to `parts`, merging atoms and residuals and
/// renumbering both canonically (T7).
fn merge(parts: &mut TableParts, graph: AssumeGraph) {
    // Atoms: the table's (distinct) first, then the graph's new ones.
    let mut atoms = std::mem::take(&mut parts.atoms);
    let mut atom_ids: HashMap<Atom, u32> = atoms
        .iter()
        .enumerate()
        .map(|(i, a)| (a.clone(), i as u32))
        .collect();
    let mut atom_map = Vec::with_capacity(graph.atoms.len());
    for atom in graph.atoms {
        let next = atoms.len() as u32;
        let id = *atom_ids.entry(atom.clone()).or_insert_with(|| {
            atoms.push(atom);
            next
        });
        atom_map.push(id);
    }
    // Residuals: the table's, then the edges', hash-consed.
    let mut residuals = Residuals::default();
    let table_ids: Vec<u32> = std::mem::take(&mut parts.residuals)
        .into_iter()
        .map(|r| residuals.intern(r))
        .collect();
    let remap = |dnf: &Dnf| renumber(dnf, &atom_map);
    let mut edges = Vec::with_capacity(graph.graph.edge_count());
    for edge in graph.graph.edge_references() {
        let residual = edge.weight().as_ref().map(|r| {
            residuals.intern(Residual {
                deny: remap(&r.deny),
                allow: r.allow.iter().map(remap).collect(),
            })
        });
        edges.push((
            edge.source().index() as u32,
            edge.target().index() as u32,
            residual,
        ));
    }
    let (atoms, list, map) = canonical(&atoms, &residuals.list);
    let new_id = |old: u32| map.get(old as usize).copied().unwrap_or(u32::MAX);
    for entry in &mut parts.conditional {
        entry.2 = new_id(table_ids.get(entry.2 as usize).copied().unwrap_or(u32::MAX));
    }
    parts.trust_edges = edges
        .into_iter()
        .map(|(from, to, residual)| (from, to, residual.map(new_id)))
        .collect();
    parts.atoms = atoms;
    parts.residuals = list;
}

/// The statements of a principal's policies that may apply to
/// `sts:AssumeRole`, by P1 step (indices into [`Edges::stmts`]).
struct Side {
    /// Deny statements of identity policies, boundary, session policies, SCPs.
    deny: Vec<usize>,
    /// Allow statements per SCP level (P1.2).
    scp: Vec<Vec<usize>>,
    /// Allow statements of the identity policies (P1.3).
    identity: Vec<usize>,
    /// Allow statements of the boundary, if there is one (P1.4).
    boundary: Option<Vec<usize>>,
    /// Allow statements of the session policies, if there are any (P1.5; a
    /// role session without session policies passes).
    session: Option<Vec<usize>>,
}

/// Decides edges: the statements that may apply to `sts:AssumeRole`, their
/// partial evaluation, and the P1 combination of G3.
struct Edges<'m> {
    model: &'m Model,
    /// Every statement that may apply to `sts:AssumeRole` (memo index = position).
    stmts: Vec<Conditional<'m>>,
    /// Per policy (indexed like `Model::policies`): its Allow and Deny statements.
    policy_stmts: Vec<(Vec<usize>, Vec<usize>)>,
    /// Per role (indexed like `Model::roles`): its trust statements.
    trust_stmts: Vec<Vec<usize>>,
    evaluator: Evaluator<'m>,
    diags: Diagnostics,
    /// Resource atoms decided against role ARNs.
    resolved: HashMap<(u32, RoleId), bool>,
    /// P's side, per principal.
    sides: HashMap<Principal, Side>,
    /// Statements already reported (W0230) and roles whose edges were too
    /// complex (W0231).
    warned: HashSet<Loc>,
}

/// The one-action catalog statements are matched against (A2–A5).
fn assume_role_catalog() -> Option<Catalog> {
    Catalog::from_text("trust", &format!("{ASSUME_ROLE}\tWrite\trole\n")).ok()
}

/// Statement `stmt` as a conditional statement of the one-action catalog, if
/// it may apply to `sts:AssumeRole` (A6, A7, R1, R3). Trust statements have
/// no Resource (G1): the role is their resource.
fn relevant<'m>(
    stmt: &'m crate::model::Statement,
    doc: &PolicyDocument,
    catalog: &Catalog,
    trust: bool,
) -> Option<Conditional<'m>> {
    let mut matched = catalog.empty_set();
    for pattern in &stmt.actions {
        catalog.match_pattern_into(&pattern.text, &mut matched);
    }
    if stmt.not_action {
        matched = matched.complement();
    }
    if matched.is_empty() {
        return None;
    }
    let scoped = if trust {
        false
    } else {
        let has_star = stmt.resources.iter().any(|r| r.text == "*");
        if has_star && stmt.not_resource {
            return None; // R3: `NotResource: "*"` matches no resource
        }
        !has_star
    };
    Some(Conditional::new(
        stmt,
        doc.version,
        catalog.empty_set(),
        matched,
        scoped,
    ))
}

fn is_true(dnf: &Dnf) -> bool {
    dnf.iter().any(Vec::is_empty)
}

fn has_var(patterns: &[verdict_runtime::parts::Template]) -> bool {
    patterns
        .iter()
        .any(|t| t.0.iter().any(|p| matches!(p, Part::Var { .. })))
}

/// The AND of `factors`, each a DNF, as one DNF; `None` if it has more than
/// [`MAX_CLAUSES`] clauses.
fn product(factors: &[&Dnf]) -> Option<Dnf> {
    let mut acc: Dnf = vec![Vec::new()];
    for factor in factors {
        let mut next = Vec::with_capacity(acc.len().saturating_mul(factor.len()));
        for a in &acc {
            for b in *factor {
                let mut clause = a.clone();
                clause.extend(b.iter().copied());
                next.push(clause);
            }
        }
        acc = simplify(next);
        if acc.len() > MAX_CLAUSES {
            return None;
        }
    }
    Some(acc)
}

impl<'m> Edges<'m> {
    fn new(model: &'m Model) -> Edges<'m> {
        let mut edges = Edges {
            model,
            stmts: Vec::new(),
            policy_stmts: Vec::with_capacity(model.policies.len()),
            trust_stmts: Vec::with_capacity(model.roles.len()),
            evaluator: Evaluator::new(model),
            diags: Diagnostics::default(),
            resolved: HashMap::new(),
            sides: HashMap::new(),
            warned: HashSet::new(),
        };
        let Some(catalog) = assume_role_catalog() else {
            // The text above is a valid catalog (tested); without it, no edges.
            edges.policy_stmts = vec![(Vec::new(), Vec::new()); model.policies.len()];
            edges.trust_stmts = vec![Vec::new(); model.roles.len()];
            return edges;
        };
        for policy in &model.policies {
            let mut allow = Vec::new();
            let mut deny = Vec::new();
            if let Some(doc) = &policy.document {
                for stmt in &doc.statements {
                    if let Some(cond) = relevant(stmt, doc, &catalog, false) {
                        match stmt.effect {
                            Effect::Allow => allow.push(edges.stmts.len()),
                            Effect::Deny => deny.push(edges.stmts.len()),
                        }
                        edges.stmts.push(cond);
                    }
                }
            }
            edges.policy_stmts.push((allow, deny));
        }
        for role in &model.roles {
            let mut mine = Vec::new();
            if let Some(doc) = &role.trust_policy {
                for stmt in &doc.statements {
                    if stmt.principal.is_none() {
                        continue; // G6 made it an error
                    }
                    if let Some(cond) = relevant(stmt, doc, &catalog, true) {
                        mine.push(edges.stmts.len());
                        edges.stmts.push(cond);
                    }
                }
            }
            edges.trust_stmts.push(mine);
        }
        edges
    }

    /// The principal sets of the trust Allows of `role` that may apply to
    /// `sts:AssumeRole`.
    fn trust_allows(&self, role: RoleId) -> Vec<&'m crate::model::PrincipalSet> {
        self.trust_stmts
            .get(role.index())
            .into_iter()
            .flatten()
            .filter_map(|&i| self.stmts.get(i))
            .filter(|c| c.stmt.effect == Effect::Allow)
            .filter_map(|c| c.stmt.principal.as_ref())
            .collect()
    }

    fn side_of(&self, set: &PermissionSet) -> Side {
        let allows = |policies: &[PolicyId]| -> Vec<usize> {
            policies
                .iter()
                .filter_map(|p| self.policy_stmts.get(p.index()))
                .flat_map(|(allow, _)| allow.iter().copied())
                .collect()
        };
        let every = set
            .identity
            .iter()
            .chain(&set.boundary)
            .chain(&set.session_policies)
            .chain(set.scp_levels.iter().flatten());
        Side {
            deny: every
                .filter_map(|p| self.policy_stmts.get(p.index()))
                .flat_map(|(_, deny)| deny.iter().copied())
                .collect(),
            scp: set.scp_levels.iter().map(|level| allows(level)).collect(),
            identity: allows(&set.identity),
            boundary: set.boundary.map(|b| allows(&[b])),
            session: (!set.session_policies.is_empty()).then(|| allows(&set.session_policies)),
        }
    }

    /// The clause (atom ids) under which statement `index` applies to
    /// `sts:AssumeRole` by `p` on `role`; `None` if it never does.
    fn clause(&mut self, index: usize, p: Principal, role: RoleId) -> Option<Vec<u32>> {
        let cond = self.stmts.get(index)?;
        let eval = self.evaluator.eval(index, cond, p, &mut self.diags);
        let clause = eval.rt?;
        let arn = self.model.roles.get(role.index())?.arn.as_deref();
        let mut out = Vec::with_capacity(clause.len());
        for atom in clause {
            let Some(found @ Atom::Resource { patterns, .. }) =
                self.evaluator.atoms.list.get(atom as usize)
            else {
                out.push(atom);
                continue;
            };
            match arn {
                Some(arn) if !has_var(patterns) => {
                    let hit = *self
                        .resolved
                        .entry((atom, role))
                        .or_insert_with(|| found.evaluate(&Request::new(arn)).unwrap_or(false));
                    if !hit {
                        return None;
                    }
                }
                // A request-key variable: decided per request, on the role's ARN.
                Some(_) => out.push(atom),
                None => {
                    if self.warned.insert(cond.stmt.loc) {
                        self.diags
                            .push(unknown_role_arn(cond.stmt, self.model, role));
                    }
                    if cond.stmt.effect == Effect::Allow {
                        return None;
                    }
                }
            }
        }
        Some(out)
    }

    /// The OR of statements `indices` for `p` on `role`.
    fn dnf(&mut self, indices: &[usize], p: Principal, role: RoleId) -> Dnf {
        let clauses = indices
            .iter()
            .filter_map(|&i| self.clause(i, p, role))
            .map(|c| lits(&c))
            .collect();
        simplify(clauses)
    }

    /// The edge `p` → `role` (G3): `None` if there is none, `Some(None)` if it
    /// is unconditional, else its residual.
    fn edge(&mut self, p: Principal, role: RoleId) -> Option<Option<Residual>> {
        let model = self.model;
        if model.roles.get(role.index())?.service_linked || matches!(p, Principal::FederatedUser(_))
        {
            return None; // G5, P8
        }
        // The trust policy: Denies naming p, and Allows by way of naming.
        let mut deny: Vec<Vec<Lit>> = Vec::new();
        let mut named: [Vec<Vec<Lit>>; 3] = Default::default();
        let trust = self
            .trust_stmts
            .get(role.index())
            .cloned()
            .unwrap_or_default();
        for index in trust {
            let Some(cond) = self.stmts.get(index) else {
                continue;
            };
            let effect = cond.stmt.effect;
            let Some(set) = &cond.stmt.principal else {
                continue;
            };
            let Some(way) = naming::naming(model, set, p, role) else {
                continue;
            };
            let Some(clause) = self.clause(index, p, role) else {
                continue;
            };
            match effect {
                Effect::Deny => deny.push(lits(&clause)),
                Effect::Allow => {
                    if let Some(list) = named.get_mut(way as usize) {
                        list.push(lits(&clause));
                    }
                }
            }
        }
        if named.iter().all(Vec::is_empty) {
            return None;
        }
        let [direct, by_role, by_account] = named.map(simplify);
        if direct.is_empty() && by_role.is_empty() && by_account.is_empty() {
            return None;
        }
        // P's side.
        if !self.sides.contains_key(&p) {
            let side = self.side_of(&model.permission_set(p));
            self.sides.insert(p, side);
        }
        let side = self.sides.get(&p)?;
        let (side_deny, side_scp, side_id, side_pb, side_sp) = (
            side.deny.clone(),
            side.scp.clone(),
            side.identity.clone(),
            side.boundary.clone(),
            side.session.clone(),
        );
        deny.extend(self.dnf(&side_deny, p, role));
        let deny = simplify(deny);
        if is_true(&deny) {
            return None;
        }
        let mut steps: Vec<Dnf> = Vec::new();
        for level in &side_scp {
            let step = self.dnf(level, p, role);
            if step.is_empty() {
                return None; // P1.2
            }
            if !is_true(&step) {
                steps.push(step);
            }
        }
        let mut allow = direct;
        let pb = side_pb.map(|b| self.dnf(&b, p, role));
        let sp = side_sp.map(|s| self.dnf(&s, p, role));
        let mut required: Vec<(Dnf, Vec<&Dnf>)> = Vec::new();
        if !by_role.is_empty() {
            required.push((by_role, Vec::new()));
        }
        let identity;
        if !by_account.is_empty() {
            identity = self.dnf(&side_id, p, role);
            required.push((by_account, vec![&identity]));
        }
        for (condition, mut factors) in required {
            factors.extend(pb.iter().chain(&sp));
            factors.insert(0, &condition);
            match product(&factors) {
                Some(dnf) => allow.extend(dnf),
                None => {
                    let loc = model.roles.get(role.index())?.loc;
                    if self.warned.insert(loc) {
                        self.diags.push(too_complex(model, role, p));
                    }
                    return None;
                }
            }
        }
        let allow = simplify(allow);
        if allow.is_empty() {
            return None;
        }
        if !is_true(&allow) {
            steps.push(allow);
        }
        if deny.is_empty() && steps.is_empty() {
            return Some(None);
        }
        Some(Some(Residual { deny, allow: steps }))
    }
}

/// W0230: a statement scoped to role ARNs, checked against a role whose ARN
/// is unknown.
fn unknown_role_arn(stmt: &crate::model::Statement, model: &Model, role: RoleId) -> Diagnostic {
    let name = model
        .roles
        .get(role.index())
        .map_or("", |r| r.name.as_str());
    let loc = stmt.resources.first().map_or(stmt.loc, |r| r.loc);
    let effect = match stmt.effect {
        Effect::Allow => "taken not to allow assuming it",
        Effect::Deny => "taken to deny assuming it",
    };
    Diagnostic::warning(
        "W0230",
        format!("role `{name}` has no ARN, so this `sts:AssumeRole` resource cannot be matched against it: {effect}"),
    )
    .at(loc.file, loc.span, "a resource narrower than `*`")
    .with_help("give the role an account (`account \"ID\"`) so that it has an ARN, or use `Resource: \"*\"`")
}

/// W0231: an edge whose condition is too large to compile.
fn too_complex(model: &Model, role: RoleId, p: Principal) -> Diagnostic {
    let r = model.roles.get(role.index());
    let mut d = Diagnostic::warning(
        "W0231",
        format!(
            "the conditions under which `{}` may assume role `{}` are too complex to compile; the edge is left out",
            model.principal_name(p),
            r.map_or("", |r| r.name.as_str())
        ),
    )
    .with_help("simplify the conditions of the trust policy or of the `sts:AssumeRole` statements");
    if let Some(r) = r {
        d = d.at(r.loc.file, r.loc.span, "this role");
    }
    d
}
