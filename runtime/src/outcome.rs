//! What a residual program can become: the set of decisions some request (a
//! resource and a context) makes it give ([`Outcomes`]), and whether one program
//! allows a request another does not ([`compare`]), each claim with a witness
//! request.
//!
//! Never on the check path: [`Table::residual_outcomes`] derives a program's set
//! the first time it is asked for and keeps it.

/*
Design note: witness search over representative values

A request is a resource and a context; each atom reads one "dimension" (the
resource, or one context key), except atoms whose values hold variables, which
also read the keys the variables name ("coupled" atoms). For each dimension,
`values` builds a finite set of candidate values that realises every
combination of truth values its atoms can take (absent, single values, the
empty list and lists of representatives, since the truth of a set operator over
a list depends only on which single-value behaviours the list contains). The
truth of every atom for each candidate is computed by the runtime's own
evaluator (`cond`), candidates with equal truth vectors are merged, and the
product of the dimensions is enumerated (bounded). A decision is claimed only
for a combination whose request, rebuilt in full, the table's own
`decide_residual` gives that decision: every claim is witnessed. Where the
construction cannot be shown complete (coupled atoms, two operator families on
one key, a bound reached), the result is inexact, and consumers assume every
decision that was not ruled out is possible.
*/

mod automaton;
mod values;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;
use std::ops::ControlFlow;

use crate::cond::{self, Program};
use crate::eval::{fold_key, Context, ContextValue, Request};
use crate::glob::{ArnPattern, Tok};
use crate::parts::{Atom, Condition, Dnf, Operator, Part, Residual, SetOp, Template};
use crate::table::Table;
use crate::types::{Cell, Decision};

/// Combinations of dimension values one search may enumerate.
const MAX_COMBINATIONS: usize = 200_000;
/// Literals one search may evaluate over all combinations: bounds the work for
/// large programs, beyond which the search is inexact.
const MAX_VISIT_WORK: usize = 50_000_000;
/// Values kept for a dimension that coupled atoms read (no merging there).
const MAX_COUPLED_CHOICES: usize = 48;
/// Single-value behaviours whose every subset is tried as a multivalued key.
const MAX_SUBSET_BASE: usize = 10;

/// The decisions a residual program (or a cell) can give, as far as witnessed
/// requests show, and whether that is known to be all of them.
///
/// A decision is *witnessed* only if a concrete request, evaluated by the check
/// path's evaluator, gives it. When the set is exact, no other decision is
/// possible; when it is not, consumers must assume the others may be
/// ([`Outcomes::may`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Outcomes {
    witnessed: u8,
    exact: bool,
}

const fn bit(decision: Decision) -> u8 {
    match decision {
        Decision::Allow => 1,
        Decision::Deny => 2,
        Decision::ImplicitDeny => 4,
    }
}

const ALL_DECISIONS: [Decision; 3] = [Decision::Allow, Decision::Deny, Decision::ImplicitDeny];

impl Outcomes {
    /// Exactly `decision`: what an unconditional cell gives.
    #[must_use]
    pub const fn only(decision: Decision) -> Outcomes {
        Outcomes {
            witnessed: bit(decision),
            exact: true,
        }
    }

    /// The outcomes of an unconditional cell; `None` for a conditional one.
    #[must_use]
    pub const fn of_cell(cell: Cell) -> Option<Outcomes> {
        match cell {
            Cell::Allow => Some(Outcomes::only(Decision::Allow)),
            Cell::Deny => Some(Outcomes::only(Decision::Deny)),
            Cell::ImplicitDeny => Some(Outcomes::only(Decision::ImplicitDeny)),
            Cell::Conditional => None,
        }
    }

    /// Whether some request was shown to give `decision`.
    #[must_use]
    pub const fn witnessed(self, decision: Decision) -> bool {
        self.witnessed & bit(decision) != 0
    }

    /// Whether `decision` may be given: witnessed, or not ruled out because the
    /// set is not exact (fail closed).
    #[must_use]
    pub const fn may(self, decision: Decision) -> bool {
        self.witnessed(decision) || !self.exact
    }

    /// [`Outcomes::may`] for Allow: what every "could this be allowed?" asks.
    #[must_use]
    pub const fn may_allow(self) -> bool {
        self.may(Decision::Allow)
    }

    /// Whether the witnessed decisions are all the decisions possible.
    #[must_use]
    pub const fn is_exact(self) -> bool {
        self.exact
    }

    /// The decisions that may be given, in the order allow, deny, implicit-deny.
    pub fn possible(self) -> impl Iterator<Item = Decision> {
        ALL_DECISIONS.into_iter().filter(move |&d| self.may(d))
    }

    /// The one decision possible, if there is only one.
    #[must_use]
    pub fn single(self) -> Option<Decision> {
        let mut possible = self.possible();
        let first = possible.next()?;
        possible.next().is_none().then_some(first)
    }
}

impl fmt::Display for Outcomes {
    /// `allow or implicit-deny`, `deny or implicit-deny`, …; an inexact set names
    /// what was witnessed and says the rest could not be decided.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |ds: Vec<Decision>| -> String {
            let words: Vec<String> = ds.iter().map(ToString::to_string).collect();
            match words.as_slice() {
                [] => "nothing".to_owned(),
                [one] => one.clone(),
                [init @ .., last] => format!("{} or {last}", init.join(", ")),
            }
        };
        let witnessed: Vec<Decision> = ALL_DECISIONS
            .into_iter()
            .filter(|&d| self.witnessed(d))
            .collect();
        if self.exact {
            f.write_str(&list(witnessed))
        } else {
            write!(
                f,
                "{} (seen; could not decide whether more is possible)",
                list(witnessed)
            )
        }
    }
}

/// A request that owns its resource and context: a witness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedRequest {
    /// The resource ARN, or `"*"`.
    pub resource: String,
    /// The condition keys.
    pub context: Context,
}

impl OwnedRequest {
    /// The request to check.
    #[must_use]
    pub fn as_request(&self) -> Request<'_> {
        Request {
            resource: &self.resource,
            context: &self.context,
        }
    }
}

/// One direction of a [`Comparison`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No request does it (decided exactly).
    None,
    /// This request does it (checked on both sides).
    Witness(OwnedRequest),
    /// Could not be decided; the reason. Consumers fail closed.
    Unknown(String),
}

impl Verdict {
    /// Whether it may happen: witnessed or undecided.
    #[must_use]
    pub fn is_possible(&self) -> bool {
        !matches!(self, Verdict::None)
    }
}

/// What one residual program allows that another does not, the reverse, and
/// whether they tell deny from implicit-deny differently.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    /// A request the new program allows and the old one does not.
    pub gain: Verdict,
    /// A request the old program allows and the new one does not.
    pub loss: Verdict,
    /// A request neither allows but they decide differently (deny against
    /// implicit-deny).
    pub deny_changed: Verdict,
}

/// A program that gives `decision` for every request: how an unconditional cell
/// is compared with a conditional one.
#[must_use]
pub fn constant_residual(decision: Decision) -> Residual {
    match decision {
        Decision::Allow => Residual {
            deny: vec![],
            allow: vec![],
        },
        Decision::Deny => Residual {
            deny: vec![vec![]],
            allow: vec![],
        },
        Decision::ImplicitDeny => Residual {
            deny: vec![],
            allow: vec![vec![]],
        },
    }
}

/// Compares `old` and `new`, each a residual program over its table's atoms
/// (use [`constant_residual`] for an unconditional cell): a request `new` allows
/// and `old` does not (a gain), the reverse (a loss), and one both refuse but
/// one with an explicit deny (a deny change). Every witness was
/// evaluated on both tables with the check path's evaluator.
#[must_use]
pub fn compare(old: (&Table, &Residual), new: (&Table, &Residual)) -> Comparison {
    let mut problem = Problem::default();
    let old_local = problem.intern(old.0.atoms(), old.1);
    let new_local = problem.intern(new.0.atoms(), new.1);
    let (mut gain, mut loss, mut deny_changed) = (None, None, None);
    let cost = size(&old_local) + size(&new_local);
    let search = problem.explore(cost, |truth, combo| {
        let before = decide(&old_local, truth);
        let after = decide(&new_local, truth);
        let slot = match (before, after) {
            _ if before == after => None,
            (_, Decision::Allow) => Some(&mut gain),
            (Decision::Allow, _) => Some(&mut loss),
            _ => Some(&mut deny_changed),
        };
        if let Some(slot) = slot {
            if slot.is_none() {
                let request = combo.request();
                // End to end: both tables' own evaluators agree.
                let checked_before = old.0.decide_residual(old.1, &request.as_request());
                let checked_after = new.0.decide_residual(new.1, &request.as_request());
                if checked_before == before && checked_after == after {
                    *slot = Some(request);
                } else {
                    combo.mismatch();
                }
            }
        }
        if gain.is_some() && loss.is_some() && deny_changed.is_some() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    let verdict = |found: Option<OwnedRequest>| match found {
        Some(request) => Verdict::Witness(request),
        None => match &search.reason {
            None => Verdict::None,
            Some(reason) => Verdict::Unknown(reason.clone()),
        },
    };
    Comparison {
        gain: verdict(gain),
        loss: verdict(loss),
        deny_changed: verdict(deny_changed),
    }
}

/// The outcomes of `residual` over `table`'s atoms, with a witness per
/// witnessed decision (allow, deny, implicit-deny).
pub(crate) fn outcomes_of(
    table: &Table,
    residual: &Residual,
) -> (Outcomes, [Option<OwnedRequest>; 3]) {
    let mut problem = Problem::default();
    let local = problem.intern(table.atoms(), residual);
    let mut found: [Option<OwnedRequest>; 3] = [None, None, None];
    let search = problem.explore(size(&local), |truth, combo| {
        let decision = decide(&local, truth);
        let at = ALL_DECISIONS
            .iter()
            .position(|&d| d == decision)
            .unwrap_or(0);
        if let Some(slot) = found.get_mut(at) {
            if slot.is_none() {
                let request = combo.request();
                if table.decide_residual(residual, &request.as_request()) == decision {
                    *slot = Some(request);
                } else {
                    combo.mismatch();
                }
            }
        }
        if found.iter().all(Option::is_some) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    let mut witnessed = 0;
    for (decision, slot) in ALL_DECISIONS.iter().zip(&found) {
        if slot.is_some() {
            witnessed |= bit(*decision);
        }
    }
    (
        Outcomes {
            witnessed,
            // All three found: nothing is left to rule out.
            exact: search.reason.is_none() || witnessed == 7,
        },
        found,
    )
}

impl Table {
    /// The decisions residual program `residual` (an index into
    /// [`Table::residuals`]) can give; derived on first use and kept. An index
    /// out of range gives `Deny` only, as a check would.
    #[must_use]
    pub fn residual_outcomes(&self, residual: u32) -> Outcomes {
        let Some(program) = self.residuals().get(residual as usize) else {
            return Outcomes::only(Decision::Deny);
        };
        match self.outcome_cache().get(residual as usize) {
            Some(cell) => *cell.get_or_init(|| outcomes_of(self, program).0),
            None => outcomes_of(self, program).0,
        }
    }

    /// A request for which residual program `residual` gives `decision`, if one
    /// was found (recomputed, not kept).
    #[must_use]
    pub fn residual_witness(&self, residual: u32, decision: Decision) -> Option<OwnedRequest> {
        let program = self.residuals().get(residual as usize)?;
        let [allow, deny, implicit] = outcomes_of(self, program).1;
        match decision {
            Decision::Allow => allow,
            Decision::Deny => deny,
            Decision::ImplicitDeny => implicit,
        }
    }

    /// The decisions the class cell (`row`, `col`) can give: its own for an
    /// unconditional cell, its residual program's for a conditional one.
    #[must_use]
    pub fn cell_outcomes(&self, row: u32, col: u32) -> Outcomes {
        let cell = self.class_cell(row, col);
        if let Some(outcomes) = Outcomes::of_cell(cell) {
            return outcomes;
        }
        match self.residual_index(row, col) {
            Some(idx) => self.residual_outcomes(idx),
            None => Outcomes::only(Decision::Deny),
        }
    }
}

/// The literals of a program, plus one: the cost of deciding it once.
fn size(residual: &Residual) -> usize {
    let dnf = |d: &Dnf| d.iter().map(|c| c.len() + 1).sum::<usize>();
    1 + dnf(&residual.deny) + residual.allow.iter().map(dnf).sum::<usize>()
}

/// The decision of a residual over local atom truths.
fn decide(residual: &Residual, truth: &[bool]) -> Decision {
    let holds = |dnf: &Dnf| {
        dnf.iter().any(|clause| {
            clause
                .iter()
                .all(|lit| truth.get(lit.atom as usize).copied().unwrap_or(false) != lit.negated)
        })
    };
    if holds(&residual.deny) {
        Decision::Deny
    } else if residual.allow.iter().all(holds) {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

/// The atoms of the programs compared, numbered locally.
#[derive(Default)]
struct Problem {
    atoms: Vec<Atom>,
    programs: Vec<Option<Program>>,
    index: HashMap<Atom, u32>,
}

/// What a dimension of the request is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Dim {
    Resource,
    /// A folded context key.
    Key(String),
}

/// A value of one dimension.
#[derive(Clone, Debug, PartialEq, Eq)]
enum DimValue {
    Absent,
    Single(String),
    Multi(Vec<String>),
}

/// The candidate values of one dimension, with the truth of the atoms that read
/// only this dimension.
struct DimSpace {
    dim: Dim,
    choices: Vec<(DimValue, Vec<(usize, bool)>)>,
}

/// How a search ended.
struct Search {
    /// Why it is not exact, if it is not.
    reason: Option<String>,
}

/// The combination being visited.
struct Combo<'a> {
    dims: &'a [DimSpace],
    at: &'a [usize],
    mismatch: std::cell::Cell<bool>,
}

impl Combo<'_> {
    fn request(&self) -> OwnedRequest {
        build_request(self.dims, self.at)
    }

    /// The check path disagreed with the search about this combination: the
    /// search is then inexact.
    fn mismatch(&self) {
        self.mismatch.set(true);
    }
}

fn build_request(dims: &[DimSpace], at: &[usize]) -> OwnedRequest {
    let mut request = OwnedRequest {
        resource: "*".to_owned(),
        context: Context::new(),
    };
    for (space, &i) in dims.iter().zip(at) {
        let Some((value, _)) = space.choices.get(i) else {
            continue;
        };
        match (&space.dim, value) {
            (Dim::Resource, DimValue::Single(text)) => request.resource.clone_from(text),
            (Dim::Resource, _) | (Dim::Key(_), DimValue::Absent) => {}
            (Dim::Key(key), DimValue::Single(text)) => {
                request
                    .context
                    .insert(key.clone(), ContextValue::Single(text.clone()));
            }
            (Dim::Key(key), DimValue::Multi(list)) => {
                request
                    .context
                    .insert(key.clone(), ContextValue::Multi(list.clone()));
            }
        }
    }
    request
}

/// The keys named by variables in `templates`, folded.
fn var_keys<'t>(templates: impl IntoIterator<Item = &'t Template>, out: &mut Vec<Dim>) {
    for template in templates {
        for part in &template.0 {
            if let Part::Var { key, .. } = part {
                out.push(Dim::Key(fold_key(key)));
            }
        }
    }
}

/// The dimensions `atom` reads: its own first, then those its variables name.
///
/// With a condition whose key the model fixes (its value known at compile time,
/// the request read only through variables), the own dimension would be left out.
fn dims_of(atom: &Atom) -> Vec<Dim> {
    let mut vars = Vec::new();
    let own = match atom {
        Atom::Resource { patterns, .. } => {
            var_keys(patterns, &mut vars);
            Dim::Resource
        }
        Atom::Condition(cond) => {
            var_keys(&cond.values, &mut vars);
            if cond.fixed.is_some() {
                // A key the model fixes is no dimension of the request: the
                // atom reads only the keys its variables name, and compares
                // them with a value of its own, so it is coupled.
                vars.sort();
                vars.dedup();
                let Some(first) = vars.first().cloned() else {
                    // Load validation requires a variable; without one the
                    // atom reads nothing of the request.
                    return vec![Dim::Resource, Dim::Resource];
                };
                let mut dims = vars;
                dims.push(first);
                return dims;
            }
            Dim::Key(fold_key(&cond.key))
        }
    };
    vars.sort();
    vars.dedup();
    vars.retain(|dim| *dim != own);
    let coupled_with_itself = matches!(atom, Atom::Condition(c) if c.values.iter().any(values::has_var))
        || matches!(atom, Atom::Resource { patterns, .. } if patterns.iter().any(values::has_var));
    let mut dims = vec![own.clone()];
    dims.extend(vars);
    // A variable over the atom's own key still makes its truth depend on more
    // than one value's shape: count it as coupled (a repeated dimension).
    if coupled_with_itself && dims.len() == 1 {
        dims.push(own);
    }
    dims
}

impl Problem {
    /// `residual` over local atom numbers, interning `atoms`' atoms it uses.
    fn intern(&mut self, atoms: &[Atom], residual: &Residual) -> Residual {
        let mut map = |dnf: &Dnf| -> Dnf {
            dnf.iter()
                .map(|clause| {
                    clause
                        .iter()
                        .map(|lit| {
                            let local = match atoms.get(lit.atom as usize) {
                                Some(atom) => self.local(atom),
                                // Dangling: an atom no request satisfies, which a
                                // check would not evaluate either (Deny); the
                                // search treats it as unknown.
                                None => u32::MAX,
                            };
                            crate::parts::Lit {
                                atom: local,
                                negated: lit.negated,
                            }
                        })
                        .collect()
                })
                .collect()
        };
        Residual {
            deny: map(&residual.deny),
            allow: residual.allow.iter().map(&mut map).collect(),
        }
    }

    fn local(&mut self, atom: &Atom) -> u32 {
        if let Some(&i) = self.index.get(atom) {
            return i;
        }
        let i = u32::try_from(self.atoms.len()).unwrap_or(u32::MAX);
        self.atoms.push(atom.clone());
        self.programs.push(cond::compile(atom).ok());
        self.index.insert(atom.clone(), i);
        i
    }

    /// Enumerates the combinations of dimension values, calling `visit` with the
    /// truth of every atom until it breaks.
    fn explore(
        &self,
        cost_per_visit: usize,
        mut visit: impl FnMut(&[bool], &Combo<'_>) -> ControlFlow<()>,
    ) -> Search {
        let mut reason: Option<String> = None;
        let mut inexact = |why: &str| {
            if reason.is_none() {
                reason = Some(why.to_owned());
            }
        };
        if self.programs.iter().any(Option::is_none) {
            inexact("an atom could not be compiled");
        }
        // Dimensions and which atoms read them.
        let atom_dims: Vec<Vec<Dim>> = self.atoms.iter().map(dims_of).collect();
        let coupled: Vec<usize> = (0..self.atoms.len())
            .filter(|&i| atom_dims.get(i).is_some_and(|d| d.len() > 1))
            .collect();
        if !coupled.is_empty() {
            inexact("a condition compares with another key's value (a variable)");
        }
        let mut all_dims: Vec<Dim> = atom_dims.iter().flatten().cloned().collect();
        all_dims.sort();
        all_dims.dedup();
        // Texts the coupled atoms compare with: candidates for every dimension
        // they read, so that equal values can meet.
        let mut pool: Vec<String> = Vec::new();
        for &i in &coupled {
            let templates: Vec<&Template> = match self.atoms.get(i) {
                Some(Atom::Resource { patterns, .. }) => patterns.iter().collect(),
                Some(Atom::Condition(cond)) => {
                    // The value a fixed key compares with is what the
                    // variables' keys must meet.
                    pool.extend(cond.fixed.clone());
                    cond.values.iter().collect()
                }
                None => vec![],
            };
            for template in templates {
                for part in &template.0 {
                    match part {
                        Part::Text(t) | Part::Literal(t) => pool.push(t.clone()),
                        Part::Var { default, .. } => pool.extend(default.clone()),
                    }
                }
            }
        }
        pool.push("v".to_owned());
        pool.sort();
        pool.dedup();

        let mut dims: Vec<DimSpace> = Vec::new();
        for dim in all_dims {
            let own: Vec<usize> = (0..self.atoms.len())
                .filter(|&i| atom_dims.get(i).and_then(|d| d.first()) == Some(&dim))
                .collect();
            let touched_by_coupled = coupled
                .iter()
                .any(|&i| atom_dims.get(i).is_some_and(|d| d.contains(&dim)));
            let single_dim: Vec<usize> = own
                .iter()
                .copied()
                .filter(|i| !coupled.contains(i))
                .collect();
            let (space, why) = self.dim_space(&dim, &own, &single_dim, touched_by_coupled, &pool);
            if let Some(why) = why {
                inexact(&why);
            }
            dims.push(space);
        }

        // The product, in mixed radix.
        let mut total: usize = 1;
        for space in &dims {
            total = total.saturating_mul(space.choices.len().max(1));
        }
        let bound = MAX_COMBINATIONS
            .min(MAX_VISIT_WORK / cost_per_visit.max(1))
            .max(1);
        if total > bound {
            inexact("too many combinations of request values to try");
        }
        let mut at = vec![0usize; dims.len()];
        let mut truth = vec![false; self.atoms.len()];
        let mut mismatch = false;
        for _ in 0..total.min(bound) {
            for (space, &i) in dims.iter().zip(&at) {
                if let Some((_, values)) = space.choices.get(i) {
                    for &(atom, value) in values {
                        if let Some(t) = truth.get_mut(atom) {
                            *t = value;
                        }
                    }
                }
            }
            if !coupled.is_empty() {
                let request = build_request(&dims, &at);
                for &i in &coupled {
                    let value = self
                        .programs
                        .get(i)
                        .and_then(Option::as_ref)
                        .is_some_and(|p| p.eval(&request.as_request()));
                    if let Some(t) = truth.get_mut(i) {
                        *t = value;
                    }
                }
            }
            let combo = Combo {
                dims: &dims,
                at: &at,
                mismatch: std::cell::Cell::new(false),
            };
            let flow = visit(&truth, &combo);
            mismatch |= combo.mismatch.get();
            if flow.is_break() {
                break;
            }
            // Next combination.
            for (digit, space) in at.iter_mut().zip(&dims) {
                *digit += 1;
                if *digit < space.choices.len() {
                    break;
                }
                *digit = 0;
            }
        }
        if mismatch {
            inexact("the check path disagreed with the search (a bug)");
        }
        Search { reason }
    }

    /// The candidate values of `dim`, with the truth of the atoms in `single_dim`
    /// (those that read only `dim`) for each; merged by truth unless coupled atoms
    /// read `dim`.
    fn dim_space(
        &self,
        dim: &Dim,
        own: &[usize],
        single_dim: &[usize],
        touched_by_coupled: bool,
        pool: &[String],
    ) -> (DimSpace, Option<String>) {
        let mut candidates = match dim {
            Dim::Resource => {
                let mut patterns = Vec::new();
                let mut exact = true;
                for atom in own.iter().filter_map(|&i| self.atoms.get(i)) {
                    if let Atom::Resource {
                        patterns: entries, ..
                    } = atom
                    {
                        for entry in entries {
                            if values::has_var(entry) {
                                exact = false;
                                continue;
                            }
                            let mut toks = Vec::new();
                            for part in &entry.0 {
                                match part {
                                    Part::Text(s) => crate::glob::push_text(&mut toks, s),
                                    Part::Literal(s) => crate::glob::push_literal(&mut toks, s),
                                    Part::Var { .. } => {}
                                }
                            }
                            if toks != [Tok::Star] {
                                patterns.push(ArnPattern::new(&toks));
                            }
                        }
                    }
                }
                let mut out = values::Candidates {
                    exact,
                    ..values::Candidates::default()
                };
                if !exact {
                    out.reason = Some("a resource entry holds a variable".to_owned());
                }
                values::arns(&patterns, true, &mut out);
                out
            }
            Dim::Key(_) => {
                let conds: Vec<&Condition> = own
                    .iter()
                    .filter_map(|&i| match self.atoms.get(i) {
                        Some(Atom::Condition(cond)) => Some(cond),
                        _ => None,
                    })
                    .collect();
                values::key_candidates(&conds)
            }
        };
        if touched_by_coupled {
            candidates.texts.extend(pool.iter().cloned());
        }
        let why = if candidates.exact {
            None
        } else {
            candidates.reason.clone()
        };
        let eval = |value: &DimValue, atoms: &[usize]| -> Vec<(usize, bool)> {
            let request = build_request(
                &[DimSpace {
                    dim: dim.clone(),
                    choices: vec![(value.clone(), vec![])],
                }],
                &[0],
            );
            atoms
                .iter()
                .map(|&i| {
                    let truth = self
                        .programs
                        .get(i)
                        .and_then(Option::as_ref)
                        .is_some_and(|p| p.eval(&request.as_request()));
                    (i, truth)
                })
                .collect()
        };
        let mut values: Vec<DimValue> = Vec::new();
        let mut why = why;
        match dim {
            Dim::Resource => {
                values.extend(candidates.texts.iter().cloned().map(DimValue::Single));
            }
            Dim::Key(_) => {
                values.push(DimValue::Absent);
                values.extend(candidates.texts.iter().cloned().map(DimValue::Single));
                values.push(DimValue::Multi(vec![]));
                // Lists: by the single-value behaviour of each element under the
                // set operators.
                let set_atoms: Vec<usize> = single_dim
                    .iter()
                    .copied()
                    .filter(|&i| {
                        matches!(self.atoms.get(i), Some(Atom::Condition(c))
                            if c.set != SetOp::None && c.op != Operator::Null)
                    })
                    .collect();
                let mut reps: Vec<String> = Vec::new();
                let mut seen: Vec<Vec<(usize, bool)>> = Vec::new();
                for text in &candidates.texts {
                    let behaviour = eval(&DimValue::Multi(vec![text.clone()]), &set_atoms);
                    if !seen.contains(&behaviour) {
                        seen.push(behaviour);
                        reps.push(text.clone());
                    }
                }
                if set_atoms.is_empty() || touched_by_coupled {
                    values.extend(
                        reps.iter()
                            .take(2)
                            .map(|r| DimValue::Multi(vec![r.clone()])),
                    );
                } else if reps.len() <= MAX_SUBSET_BASE {
                    for mask in 1u32..(1 << reps.len()) {
                        let list: Vec<String> = reps
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| mask >> i & 1 == 1)
                            .map(|(_, r)| r.clone())
                            .collect();
                        values.push(DimValue::Multi(list));
                    }
                } else {
                    why.get_or_insert_with(|| {
                        "a multivalued key has too many kinds of values to combine".to_owned()
                    });
                    for (i, a) in reps.iter().enumerate() {
                        values.push(DimValue::Multi(vec![a.clone()]));
                        for b in reps.iter().skip(i + 1) {
                            values.push(DimValue::Multi(vec![a.clone(), b.clone()]));
                        }
                    }
                    values.push(DimValue::Multi(reps.clone()));
                }
            }
        }
        let mut choices: Vec<(DimValue, Vec<(usize, bool)>)> = Vec::new();
        for value in values {
            let truth = eval(&value, single_dim);
            if touched_by_coupled {
                if choices.len() < MAX_COUPLED_CHOICES {
                    choices.push((value, truth));
                }
            } else if !choices.iter().any(|(_, t)| *t == truth) {
                choices.push((value, truth));
            }
        }
        (
            DimSpace {
                dim: dim.clone(),
                choices,
            },
            why,
        )
    }
}
