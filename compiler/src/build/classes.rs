//! Action classes: the coarsest partition of the catalog's actions that
//! every action set of a build respects, so that rows can be computed over
//! classes instead of actions.
//!
//! Two actions in the same class belong to exactly the same sets (each
//! policy's Allow and Deny sets, each conditional statement's action sets,
//! the sets P7 and P8 single out), so every row gives them the same cell and
//! the same residual. With the all-AWS catalog this turns rows of 22,321
//! cells into rows of a few thousand. Columns still have to be compared over
//! the rows (`grid`): classes that no row tells apart share a column.

use crate::catalog::ActionSet;

/// No class.
const NONE: u32 = u32::MAX;

/// A partition of `0..universe` into classes numbered by their first action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ActionClasses {
    /// The class of each action.
    of_action: Vec<u32>,
    /// The first (smallest) action of each class, increasing.
    first: Vec<u32>,
}

impl ActionClasses {
    /// The coarsest partition of `0..universe` such that each of `sets` is
    /// a union of classes (partition refinement, linear in the total size of
    /// the sets or of their complements, whichever is smaller).
    // why: the INVARIANT below: every class id in `class` is below
    // `size.len()`, `hits` and `moved_to` grow with `size`, and only actions
    // below `universe` (= `class.len()`) are read.
    #[allow(clippy::indexing_slicing)]
    pub fn refine<'s>(universe: u32, sets: impl IntoIterator<Item = &'s ActionSet>) -> Self {
        let n = universe as usize;
        // INVARIANT: `size[c]` is the number of actions with `class[a] == c`;
        // `hits` and `moved_to` are all 0 and NONE between two sets.
        let mut class = vec![0u32; n];
        let mut size: Vec<u32> = if n == 0 { Vec::new() } else { vec![universe] };
        let mut hits: Vec<u32> = vec![0; size.len()];
        let mut moved_to: Vec<u32> = vec![NONE; size.len()];
        let mut touched: Vec<u32> = Vec::new();
        for set in sets {
            // A set and its complement split the classes alike: walk the
            // smaller (NotAction statements give sets of nearly every action).
            let complement;
            let set = if set.count().saturating_mul(2) > universe {
                complement = set.complement();
                &complement
            } else {
                set
            };
            for a in set.iter().filter(|&a| a < universe) {
                let c = class[a as usize] as usize;
                if hits[c] == 0 {
                    touched.push(c as u32);
                }
                hits[c] += 1;
            }
            // A class the set covers only in part splits: its members in the
            // set move to a new class.
            let mut split = false;
            for &c in &touched {
                let c = c as usize;
                if hits[c] < size[c] {
                    moved_to[c] = size.len() as u32;
                    size.push(0);
                    hits.push(0);
                    moved_to.push(NONE);
                    split = true;
                }
            }
            if split {
                for a in set.iter().filter(|&a| a < universe) {
                    let c = class[a as usize] as usize;
                    let to = moved_to[c];
                    if to != NONE {
                        class[a as usize] = to;
                        size[c] -= 1;
                        size[to as usize] += 1;
                    }
                }
            }
            for &c in &touched {
                hits[c as usize] = 0;
                moved_to[c as usize] = NONE;
            }
            touched.clear();
        }
        // Number the classes by their first action.
        let mut renumber = vec![NONE; size.len()];
        let mut first = Vec::new();
        for (a, c) in class.iter_mut().enumerate() {
            let slot = &mut renumber[*c as usize];
            if *slot == NONE {
                *slot = first.len() as u32;
                first.push(a as u32);
            }
            *c = *slot;
        }
        ActionClasses {
            of_action: class,
            first,
        }
    }

    /// The number of classes.
    pub fn len(&self) -> u32 {
        self.first.len() as u32
    }

    /// The class of action `a` (`a` below the universe).
    pub fn of(&self, a: u32) -> u32 {
        self.of_action.get(a as usize).copied().unwrap_or(NONE)
    }

    /// The class of every action, in action order.
    pub fn of_actions(&self) -> &[u32] {
        &self.of_action
    }

    /// `set`, a union of classes, as the set of its classes.
    pub fn project(&self, set: &ActionSet) -> ActionSet {
        ActionSet::from_indices(self.len(), set.iter().map(|a| self.of(a)))
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
    use super::*;
    use proptest::prelude::*;

    fn set(universe: u32, members: &[u32]) -> ActionSet {
        ActionSet::from_indices(universe, members.iter().copied())
    }

    #[test]
    fn classes_are_the_atoms_of_the_sets_numbered_by_first_action() {
        let sets = [
            set(8, &[1, 2, 5]),
            set(8, &[2, 3]),
            set(8, &[0, 1, 2, 3, 4, 5, 6, 7]),
        ];
        let classes = ActionClasses::refine(8, &sets);
        // {0,4,6,7} in no set but the full one, {1,5} in the first, {2} in
        // both, {3} in the second.
        assert_eq!(classes.of_actions(), [0, 1, 2, 3, 0, 1, 0, 0]);
        assert_eq!(classes.len(), 4);
        assert_eq!(
            classes.project(&sets[0]),
            ActionSet::from_indices(4, [1, 2])
        );
    }

    #[test]
    fn no_sets_and_empty_universe() {
        let classes = ActionClasses::refine(5, []);
        assert_eq!(classes.of_actions(), [0; 5]);
        assert_eq!(classes.len(), 1);
        let classes = ActionClasses::refine(0, []);
        assert_eq!(classes.len(), 0);
    }

    proptest! {
        /// Two actions share a class iff every set has both or neither.
        #[test]
        fn same_class_iff_same_memberships(
            universe in 1u32..150,
            sets in proptest::collection::vec(proptest::collection::vec(0u32..150, 0..40), 0..12),
        ) {
            let sets: Vec<ActionSet> = sets.iter().map(|s| set(universe, s)).collect();
            let classes = ActionClasses::refine(universe, &sets);
            let signature = |a: u32| sets.iter().map(|s| s.contains(a)).collect::<Vec<_>>();
            for a in 0..universe {
                for b in 0..universe {
                    prop_assert_eq!(classes.of(a) == classes.of(b), signature(a) == signature(b));
                }
            }
            // Numbered by first action.
            let mut next = 0;
            for a in 0..universe {
                prop_assert!(classes.of(a) <= next);
                if classes.of(a) == next {
                    next += 1;
                }
            }
            prop_assert_eq!(next, classes.len());
            for s in &sets {
                let back: Vec<u32> = (0..universe).filter(|&a| classes.project(s).contains(classes.of(a))).collect();
                prop_assert_eq!(back, s.iter().collect::<Vec<_>>());
            }
        }
    }
}
