//! Residual programs of conditional cells (SEMANTICS.md T3, T4): Kleene
//! combination of statement clauses per P1, simplification to a canonical
//! DNF, hash-consing, and the final canonical numbering of atoms and
//! residuals (T7).

use std::collections::HashMap;

use verdict_runtime::parts::{Atom, Dnf, Lit, Residual};
use verdict_runtime::Cell;

use super::partial::Clause;

/// Canonical DNF of the OR of `clauses` (T4): literals of a clause sorted and
/// deduplicated; a true (empty) clause makes the whole DNF true (`[[]]`);
/// duplicate and subsumed clauses removed (a clause containing another is
/// implied by it); clauses in sorted order. No clauses: false (`[]`).
pub(crate) fn simplify(clauses: Vec<Vec<Lit>>) -> Dnf {
    let mut clauses: Vec<Vec<Lit>> = clauses
        .into_iter()
        .map(|mut c| {
            c.sort_unstable();
            c.dedup();
            c
        })
        .collect();
    if clauses.iter().any(Vec::is_empty) {
        return vec![Vec::new()];
    }
    clauses.sort_unstable_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    clauses.dedup();
    let mut kept: Vec<Vec<Lit>> = Vec::with_capacity(clauses.len());
    for clause in clauses {
        if !kept.iter().any(|k| is_subset(k, &clause)) {
            kept.push(clause);
        }
    }
    kept.sort_unstable();
    kept
}

/// Both sorted.
fn is_subset(small: &[Lit], big: &[Lit]) -> bool {
    let mut big = big.iter();
    small.iter().all(|s| big.any(|b| b == s))
}

fn is_true(dnf: &Dnf) -> bool {
    dnf.iter().any(Vec::is_empty)
}

/// Literals of a statement clause (atoms are never negated here).
pub(crate) fn lits(clause: &Clause) -> Vec<Lit> {
    clause
        .iter()
        .map(|&atom| Lit {
            atom,
            negated: false,
        })
        .collect()
}

/// What a cell is after partial evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Static(Cell),
    Conditional(Residual),
}

/// The cell for a deny condition and the allow chain of P1 (T3): `deny` is
/// the OR of the applicable Deny clauses, `steps` one OR of Allow clauses per
/// step (identity policies, boundary), all of which must hold.
pub(crate) fn decide(deny: Vec<Vec<Lit>>, steps: Vec<Vec<Vec<Lit>>>) -> Outcome {
    let deny = simplify(deny);
    if is_true(&deny) {
        return Outcome::Static(Cell::Deny);
    }
    let mut allow: Vec<Dnf> = Vec::with_capacity(steps.len());
    for step in steps {
        let step = simplify(step);
        if step.is_empty() {
            // A false step decides the allow chain: only the deny is left.
            if deny.is_empty() {
                return Outcome::Static(Cell::ImplicitDeny);
            }
            return Outcome::Conditional(Residual {
                deny,
                allow: vec![Vec::new()],
            });
        }
        if !is_true(&step) {
            allow.push(step);
        }
    }
    if deny.is_empty() && allow.is_empty() {
        return Outcome::Static(Cell::Allow);
    }
    Outcome::Conditional(Residual { deny, allow })
}

/// Residuals hash-consed table-wide: identical residuals get one id.
#[derive(Debug, Default)]
pub(crate) struct Residuals {
    pub list: Vec<Residual>,
    index: HashMap<Residual, u32>,
}

impl Residuals {
    pub fn intern(&mut self, residual: Residual) -> u32 {
        if let Some(&id) = self.index.get(&residual) {
            return id;
        }
        let id = self.list.len() as u32;
        self.list.push(residual.clone());
        self.index.insert(residual, id);
        id
    }
}

/// The atoms and residuals in canonical order (T7): only the atoms the
/// residuals use, sorted; residuals rewritten to the new atom ids,
/// re-canonicalised and sorted. Returns them with the map from old residual
/// ids to new ones.
/// `dnf` with every atom id `a` replaced by `atom_map[a]` (an id outside the
/// map becomes `u32::MAX`, which validation rejects), simplified again since
/// renumbering changes the canonical order.
pub(crate) fn renumber(dnf: &Dnf, atom_map: &[u32]) -> Dnf {
    simplify(
        dnf.iter()
            .map(|clause| {
                clause
                    .iter()
                    .map(|lit| Lit {
                        atom: atom_map.get(lit.atom as usize).copied().unwrap_or(u32::MAX),
                        negated: lit.negated,
                    })
                    .collect()
            })
            .collect(),
    )
}

pub(crate) fn canonical(
    atoms: &[Atom],
    residuals: &[Residual],
) -> (Vec<Atom>, Vec<Residual>, Vec<u32>) {
    let mut used = vec![false; atoms.len()];
    for r in residuals {
        for lit in r.deny.iter().chain(r.allow.iter().flatten()).flatten() {
            if let Some(u) = used.get_mut(lit.atom as usize) {
                *u = true;
            }
        }
    }
    let mut order: Vec<u32> = (0..atoms.len() as u32)
        .filter(|&a| used.get(a as usize).copied().unwrap_or(false))
        .collect();
    order.sort_by(|&a, &b| atoms.get(a as usize).cmp(&atoms.get(b as usize)));
    let mut atom_map = vec![u32::MAX; atoms.len()];
    for (new, &old) in order.iter().enumerate() {
        if let Some(slot) = atom_map.get_mut(old as usize) {
            *slot = new as u32;
        }
    }
    let new_atoms: Vec<Atom> = order
        .iter()
        .filter_map(|&a| atoms.get(a as usize).cloned())
        .collect();
    let remap = |dnf: &Dnf| renumber(dnf, &atom_map);
    let rewritten: Vec<Residual> = residuals
        .iter()
        .map(|r| Residual {
            deny: remap(&r.deny),
            allow: r.allow.iter().map(remap).collect(),
        })
        .collect();
    let mut by_value: Vec<u32> = (0..rewritten.len() as u32).collect();
    by_value.sort_by(|&a, &b| rewritten.get(a as usize).cmp(&rewritten.get(b as usize)));
    let mut residual_map = vec![0; rewritten.len()];
    for (new, &old) in by_value.iter().enumerate() {
        if let Some(slot) = residual_map.get_mut(old as usize) {
            *slot = new as u32;
        }
    }
    let new_residuals = by_value
        .iter()
        .filter_map(|&r| rewritten.get(r as usize).cloned())
        .collect();
    (new_atoms, new_residuals, residual_map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(atom: u32) -> Lit {
        Lit {
            atom,
            negated: false,
        }
    }

    #[test]
    fn simplification_per_t4() {
        // Subsumed and duplicate clauses go, order is canonical.
        assert_eq!(
            simplify(vec![vec![l(2), l(1)], vec![l(1)], vec![l(3)], vec![l(1)]]),
            vec![vec![l(1)], vec![l(3)]]
        );
        // An empty clause is true.
        assert_eq!(simplify(vec![vec![l(1)], vec![]]), vec![Vec::<Lit>::new()]);
        // No clause is false.
        assert_eq!(simplify(vec![]), Dnf::new());
        assert!(is_subset(&[l(1), l(3)], &[l(1), l(2), l(3)]));
        assert!(!is_subset(&[l(1), l(4)], &[l(1), l(2), l(3)]));
    }

    #[test]
    fn decisions_per_t3() {
        // deny true wins over everything.
        assert_eq!(
            decide(vec![vec![]], vec![vec![vec![]]]),
            Outcome::Static(Cell::Deny)
        );
        // deny false, every step true: allow.
        assert_eq!(
            decide(vec![], vec![vec![vec![]], vec![vec![]]]),
            Outcome::Static(Cell::Allow)
        );
        // deny false, a step false: implicit deny, whatever the other steps.
        assert_eq!(
            decide(vec![], vec![vec![vec![l(0)]], vec![]]),
            Outcome::Static(Cell::ImplicitDeny)
        );
        // Residual deny over a false step: deny vs implicit deny.
        assert_eq!(
            decide(vec![vec![l(0)]], vec![vec![]]),
            Outcome::Conditional(Residual {
                deny: vec![vec![l(0)]],
                allow: vec![vec![]]
            })
        );
        // True steps are dropped.
        assert_eq!(
            decide(vec![], vec![vec![vec![]], vec![vec![l(1)]]]),
            Outcome::Conditional(Residual {
                deny: vec![],
                allow: vec![vec![vec![l(1)]]]
            })
        );
    }

    #[test]
    fn canonical_numbering_sorts_and_drops_unused_atoms() {
        let atoms = vec![
            Atom::Resource {
                patterns: vec!["arn:aws:s3:::b/*".into()],
                not: false,
            },
            Atom::Resource {
                patterns: vec!["arn:aws:s3:::unused".into()],
                not: false,
            },
            Atom::Resource {
                patterns: vec!["arn:aws:s3:::a/*".into()],
                not: false,
            },
        ];
        let residuals = vec![
            Residual {
                deny: vec![],
                allow: vec![vec![vec![l(0)], vec![l(2)]]],
            },
            Residual {
                deny: vec![vec![l(0)]],
                allow: vec![],
            },
        ];
        let (new_atoms, new_residuals, map) = canonical(&atoms, &residuals);
        assert_eq!(new_atoms, vec![atoms[2].clone(), atoms[0].clone()]);
        assert_eq!(
            new_residuals,
            vec![
                Residual {
                    deny: vec![],
                    allow: vec![vec![vec![l(0)], vec![l(1)]]],
                },
                Residual {
                    deny: vec![vec![l(1)]],
                    allow: vec![],
                },
            ]
        );
        assert_eq!(map, vec![0, 1]);
    }
}
