//! Reachability over the assume-role graph (SEMANTICS G4, P5): which roles a
//! principal can become by assuming roles, transitively, with a shortest chain to
//! each; and, the other way round, which principals can reach a set of principals.
//!
//! Breadth-first searches over the table's trust edges: each principal is visited
//! once, so cycles in trust (A → B → A) are harmless, and the first chain found to a
//! principal is a shortest one. Ties are broken by principal id, so results are
//! deterministic. Nothing here decides a permission: callers check the cells of the
//! principals reached (a role's row does not depend on the chain that reached it,
//! T6).

use std::collections::{HashMap, VecDeque};

use crate::eval::Context;
use crate::parts::Residual;
use crate::table::Table;
use crate::types::{Decision, PrincipalId};

/// Which edges of the assume-role graph a search follows.
#[derive(Clone, Copy, Debug)]
pub enum Assume<'a> {
    /// Only unconditional edges.
    Always,
    /// Every edge whose residual program some request could satisfy: what any
    /// request might reach.
    Possibly,
    /// Unconditional edges, and conditional edges whose residual program decides
    /// Allow for this context (the request `sts:AssumeRole` on the role's ARN).
    With(&'a Context),
}

/// The principals reachable from one principal, nearest first, with a shortest chain
/// to each. Built by [`Table::reachable`].
#[derive(Clone, Debug)]
pub struct Reachable {
    /// Breadth-first order; the start first.
    order: Vec<PrincipalId>,
    /// Predecessor on a shortest chain, by principal id; the start has none.
    parent: HashMap<u32, u32>,
}

impl Reachable {
    /// The principal the search started from.
    #[must_use]
    pub fn start(&self) -> Option<PrincipalId> {
        self.order.first().copied()
    }

    /// Every principal reached, the start first, then by increasing chain length.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = PrincipalId> + '_ {
        self.order.iter().copied()
    }

    /// Number of principals reached, the start included.
    #[must_use]
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Never true: the start is always reached.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Whether `p` was reached.
    #[must_use]
    pub fn contains(&self, p: PrincipalId) -> bool {
        self.start() == Some(p) || self.parent.contains_key(&p.0)
    }

    /// A shortest chain from the start to `to`, both included; `None` if `to` was not
    /// reached.
    #[must_use]
    pub fn chain(&self, to: PrincipalId) -> Option<Vec<PrincipalId>> {
        if !self.contains(to) {
            return None;
        }
        let mut chain = vec![to];
        let mut at = to.0;
        // INVARIANT: parents form a tree rooted at the start; the bound is belt and
        // braces.
        for _ in 0..self.order.len() {
            match self.parent.get(&at) {
                Some(&up) => {
                    chain.push(PrincipalId(up));
                    at = up;
                }
                None => break,
            }
        }
        chain.reverse();
        Some(chain)
    }
}

/// The principals that can reach a set of target principals by assuming roles, with
/// the next step of a shortest chain for each. Built by [`Table::reaching`].
#[derive(Clone, Debug)]
pub struct Reaching {
    /// Breadth-first order: the targets first, then by increasing chain length.
    order: Vec<PrincipalId>,
    /// The next principal on a shortest chain to a target; targets have none.
    next: HashMap<u32, u32>,
    /// INVARIANT: sorted, deduplicated.
    targets: Vec<u32>,
}

impl Reaching {
    /// Every principal that reaches a target (the targets included), nearest first.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = PrincipalId> + '_ {
        self.order.iter().copied()
    }

    /// Whether `p` reaches a target (or is one).
    #[must_use]
    pub fn contains(&self, p: PrincipalId) -> bool {
        self.next.contains_key(&p.0) || self.targets.binary_search(&p.0).is_ok()
    }

    /// A shortest chain from `from` to a target, both included (`[from]` if `from`
    /// is a target); `None` if `from` reaches none.
    #[must_use]
    pub fn chain(&self, from: PrincipalId) -> Option<Vec<PrincipalId>> {
        if !self.contains(from) {
            return None;
        }
        let mut chain = vec![from];
        let mut at = from.0;
        for _ in 0..self.order.len() {
            match self.next.get(&at) {
                Some(&next) => {
                    chain.push(PrincipalId(next));
                    at = next;
                }
                None => break,
            }
        }
        Some(chain)
    }
}

impl Table {
    /// Whether a search under `assume` follows the edge into role `to`.
    fn follows(&self, to: PrincipalId, residual: Option<&Residual>, assume: Assume<'_>) -> bool {
        match (residual, assume) {
            (None, _) => true,
            (Some(_), Assume::Always) => false,
            (Some(residual), Assume::Possibly) => residual.may_allow(),
            (Some(residual), Assume::With(context)) => {
                self.decide_edge(to, residual, context) == Decision::Allow
            }
        }
    }

    /// Every principal `from` can become by assuming roles, transitively (role
    /// chaining, SEMANTICS G4, P5), following the edges `assume` selects; `from`
    /// itself first (a chain of length 0). Linear in the edges reached.
    #[must_use]
    pub fn reachable(&self, from: PrincipalId, assume: Assume<'_>) -> Reachable {
        let mut order = vec![from];
        let mut parent = HashMap::new();
        let mut queue = VecDeque::from([from]);
        while let Some(at) = queue.pop_front() {
            for (to, residual) in self.trust_edges_from(at) {
                if to == from || parent.contains_key(&to.0) || !self.follows(to, residual, assume) {
                    continue;
                }
                parent.insert(to.0, at.0);
                order.push(to);
                queue.push_back(to);
            }
        }
        Reachable { order, parent }
    }

    /// Every principal that can become one of `targets` by assuming roles,
    /// transitively, following the edges `assume` selects; the targets themselves
    /// included. One backward search from all targets at once: linear in the edges,
    /// plus sorting them once.
    #[must_use]
    pub fn reaching(
        &self,
        targets: impl IntoIterator<Item = PrincipalId>,
        assume: Assume<'_>,
    ) -> Reaching {
        let mut targets: Vec<u32> = targets.into_iter().map(|p| p.0).collect();
        targets.sort_unstable();
        targets.dedup();
        // Edges by target, sources in increasing order.
        let mut backward: Vec<(u32, u32, Option<&Residual>)> = self
            .trust_edges()
            .map(|edge| (edge.to.0, edge.from.0, self.trust_residual(edge)))
            .collect();
        backward.sort_unstable_by_key(|&(to, from, _)| (to, from));
        let mut order: Vec<PrincipalId> = targets.iter().map(|&t| PrincipalId(t)).collect();
        let mut next = HashMap::new();
        let mut queue: VecDeque<u32> = targets.iter().copied().collect();
        while let Some(at) = queue.pop_front() {
            let start = backward.partition_point(|&(to, _, _)| to < at);
            let run = backward.get(start..).unwrap_or_default();
            for &(to, from, residual) in run.iter().take_while(|&&(to, _, _)| to == at) {
                if next.contains_key(&from)
                    || targets.binary_search(&from).is_ok()
                    || !self.follows(PrincipalId(to), residual, assume)
                {
                    continue;
                }
                next.insert(from, at);
                order.push(PrincipalId(from));
                queue.push_back(from);
            }
        }
        Reaching {
            order,
            next,
            targets,
        }
    }
}
