//! [`ActionSet`]: a fixed-universe bitset over catalog action indices, the
//! compiler's hot data structure (action patterns, NotAction complements,
//! column classes). It knows nothing about names; [`super::Catalog`] maps
//! patterns to sets.

use std::fmt;
use std::ops::{BitAnd, BitAndAssign, BitOr, BitOrAssign, Not, Range, Sub, SubAssign};

const BITS: u32 = u64::BITS;

/// A set of action indices `0..universe`, one bit per action.
///
/// Binary operations expect both sets to have the same universe (sets of one
/// catalog always do). With different universes they act on the common
/// prefix and keep `self`'s universe; a debug build asserts instead.
///
/// `Eq` and `Hash` compare the universe and the members.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActionSet {
    /// INVARIANT: `words.len() == universe.div_ceil(64)` and every bit at a
    /// position `>= universe` is zero (derived `Eq`/`Hash` rely on it).
    words: Vec<u64>,
    universe: u32,
}

impl ActionSet {
    /// The empty set over `0..universe`.
    pub fn empty(universe: u32) -> ActionSet {
        ActionSet {
            words: vec![0; word_count(universe)],
            universe,
        }
    }

    /// The set of all of `0..universe`.
    pub fn full(universe: u32) -> ActionSet {
        let mut set = ActionSet {
            words: vec![u64::MAX; word_count(universe)],
            universe,
        };
        set.clear_tail();
        set
    }

    /// The set of the given indices; indices `>= universe` are ignored.
    pub fn from_indices(universe: u32, indices: impl IntoIterator<Item = u32>) -> ActionSet {
        let mut set = ActionSet::empty(universe);
        for idx in indices {
            set.insert(idx);
        }
        set
    }

    /// The number of possible members (the catalog size), not the member count.
    pub fn universe(&self) -> u32 {
        self.universe
    }

    pub fn contains(&self, idx: u32) -> bool {
        self.words
            .get((idx / BITS) as usize)
            .is_some_and(|w| w & bit(idx) != 0)
    }

    /// Adds `idx`; returns whether it was newly added. Out of range: no-op, `false`.
    pub fn insert(&mut self, idx: u32) -> bool {
        if idx >= self.universe {
            return false;
        }
        match self.words.get_mut((idx / BITS) as usize) {
            Some(word) => {
                let fresh = *word & bit(idx) == 0;
                *word |= bit(idx);
                fresh
            }
            None => false,
        }
    }

    /// Removes `idx`; returns whether it was a member.
    pub fn remove(&mut self, idx: u32) -> bool {
        match self.words.get_mut((idx / BITS) as usize) {
            Some(word) => {
                let was = *word & bit(idx) != 0;
                *word &= !bit(idx);
                was
            }
            None => false,
        }
    }

    /// Adds every index of `range` (clamped to the universe), a word at a time.
    pub fn insert_range(&mut self, range: Range<u32>) {
        let start = range.start;
        let end = range.end.min(self.universe);
        if start >= end {
            return;
        }
        let (first, last) = ((start / BITS) as usize, ((end - 1) / BITS) as usize);
        let head = u64::MAX << (start % BITS);
        let tail = u64::MAX >> (BITS - 1 - (end - 1) % BITS);
        for (word_idx, word) in self.words.iter_mut().enumerate().take(last + 1).skip(first) {
            let mut mask = u64::MAX;
            if word_idx == first {
                mask &= head;
            }
            if word_idx == last {
                mask &= tail;
            }
            *word |= mask;
        }
    }

    /// Removes every member.
    pub fn clear(&mut self) {
        self.words.iter_mut().for_each(|w| *w = 0);
    }

    /// The number of members.
    pub fn count(&self) -> u32 {
        self.words.iter().map(|w| w.count_ones()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// Whether every index of the universe is a member.
    pub fn is_full(&self) -> bool {
        self.count() == self.universe
    }

    /// The smallest member.
    pub fn first(&self) -> Option<u32> {
        self.iter().next()
    }

    /// `self ∪= other`.
    pub fn union_with(&mut self, other: &ActionSet) {
        self.check_same_universe(other);
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// `self ∩= other`.
    pub fn intersect_with(&mut self, other: &ActionSet) {
        self.check_same_universe(other);
        for (idx, a) in self.words.iter_mut().enumerate() {
            *a &= other.words.get(idx).copied().unwrap_or(0);
        }
    }

    /// `self −= other`.
    pub fn difference_with(&mut self, other: &ActionSet) {
        self.check_same_universe(other);
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= !b;
        }
    }

    /// Replaces the set by its complement within the universe.
    pub fn complement_in_place(&mut self) {
        self.words.iter_mut().for_each(|w| *w = !*w);
        self.clear_tail();
    }

    pub fn union(&self, other: &ActionSet) -> ActionSet {
        let mut res = self.clone();
        res.union_with(other);
        res
    }

    pub fn intersection(&self, other: &ActionSet) -> ActionSet {
        let mut res = self.clone();
        res.intersect_with(other);
        res
    }

    pub fn difference(&self, other: &ActionSet) -> ActionSet {
        let mut res = self.clone();
        res.difference_with(other);
        res
    }

    /// The complement within the universe (NotAction, SEMANTICS.md A7).
    pub fn complement(&self) -> ActionSet {
        let mut res = self.clone();
        res.complement_in_place();
        res
    }

    /// Whether every member of `self` is a member of `other`.
    pub fn is_subset(&self, other: &ActionSet) -> bool {
        self.check_same_universe(other);
        self.words
            .iter()
            .enumerate()
            .all(|(idx, a)| a & !other.words.get(idx).copied().unwrap_or(0) == 0)
    }

    /// Whether the two sets have no member in common.
    pub fn is_disjoint(&self, other: &ActionSet) -> bool {
        self.check_same_universe(other);
        self.words.iter().zip(&other.words).all(|(a, b)| a & b == 0)
    }

    /// The members as bits, 64 to a word, little-endian: index `i` is bit
    /// `i % 64` of word `i / 64`. Bits at and above the universe are zero.
    pub fn as_words(&self) -> &[u64] {
        &self.words
    }

    /// The members in increasing order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            words: &self.words,
            word_idx: 0,
            current: self.words.first().copied().unwrap_or(0),
        }
    }

    fn clear_tail(&mut self) {
        let rem = self.universe % BITS;
        if rem != 0 {
            if let Some(last) = self.words.last_mut() {
                *last &= (1u64 << rem) - 1;
            }
        }
    }

    fn check_same_universe(&self, other: &ActionSet) {
        debug_assert_eq!(
            self.universe, other.universe,
            "action sets of different catalogs combined"
        );
    }
}

fn word_count(universe: u32) -> usize {
    universe.div_ceil(BITS) as usize
}

fn bit(idx: u32) -> u64 {
    1u64 << (idx % BITS)
}

impl fmt::Debug for ActionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActionSet({}/{}) ", self.count(), self.universe)?;
        f.debug_set().entries(self.iter()).finish()
    }
}

/// Iterator over the members of an [`ActionSet`], in increasing order.
#[derive(Clone, Debug)]
pub struct Iter<'a> {
    words: &'a [u64],
    word_idx: usize,
    /// The not yet visited bits of `words[word_idx]`.
    current: u64,
}

impl Iterator for Iter<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        while self.current == 0 {
            self.word_idx += 1;
            self.current = *self.words.get(self.word_idx)?;
        }
        let bit_idx = self.current.trailing_zeros();
        self.current &= self.current - 1;
        // Indices fit in u32 because the universe is a u32.
        u32::try_from(self.word_idx)
            .ok()
            .map(|w| w * BITS + bit_idx)
    }
}

impl<'a> IntoIterator for &'a ActionSet {
    type Item = u32;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl BitOrAssign<&ActionSet> for ActionSet {
    fn bitor_assign(&mut self, rhs: &ActionSet) {
        self.union_with(rhs);
    }
}

impl BitAndAssign<&ActionSet> for ActionSet {
    fn bitand_assign(&mut self, rhs: &ActionSet) {
        self.intersect_with(rhs);
    }
}

impl SubAssign<&ActionSet> for ActionSet {
    fn sub_assign(&mut self, rhs: &ActionSet) {
        self.difference_with(rhs);
    }
}

impl BitOr for &ActionSet {
    type Output = ActionSet;
    fn bitor(self, rhs: &ActionSet) -> ActionSet {
        self.union(rhs)
    }
}

impl BitAnd for &ActionSet {
    type Output = ActionSet;
    fn bitand(self, rhs: &ActionSet) -> ActionSet {
        self.intersection(rhs)
    }
}

impl Sub for &ActionSet {
    type Output = ActionSet;
    fn sub(self, rhs: &ActionSet) -> ActionSet {
        self.difference(rhs)
    }
}

impl Not for &ActionSet {
    type Output = ActionSet;
    fn not(self) -> ActionSet {
        self.complement()
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
    use std::collections::BTreeSet;
    use std::hash::{BuildHasher, RandomState};

    fn members(set: &ActionSet) -> Vec<u32> {
        set.iter().collect()
    }

    #[test]
    fn empty_and_full() {
        for universe in [0, 1, 63, 64, 65, 128, 130] {
            let empty = ActionSet::empty(universe);
            let full = ActionSet::full(universe);
            assert!(empty.is_empty());
            assert_eq!(empty.count(), 0);
            assert_eq!(full.count(), universe);
            assert!(full.is_full());
            assert_eq!(members(&full), (0..universe).collect::<Vec<_>>());
            assert_eq!(empty.complement(), full);
            assert_eq!(full.complement(), empty);
            assert_eq!(empty.universe(), universe);
        }
    }

    #[test]
    fn insert_remove_contains() {
        let mut set = ActionSet::empty(100);
        assert!(set.insert(0));
        assert!(set.insert(64));
        assert!(set.insert(99));
        assert!(!set.insert(99));
        assert!(!set.insert(100), "out of range is ignored");
        assert!(!set.contains(100));
        assert!(set.contains(64));
        assert_eq!(members(&set), [0, 64, 99]);
        assert!(set.remove(64));
        assert!(!set.remove(64));
        assert!(!set.remove(1000));
        assert_eq!(members(&set), [0, 99]);
        assert_eq!(set.as_words(), [1, 1 << 35]);
        assert_eq!(set.first(), Some(0));
        set.clear();
        assert!(set.is_empty());
        assert_eq!(set.first(), None);
    }

    #[test]
    #[expect(
        clippy::reversed_empty_ranges,
        reason = "tests that a reversed range is a no-op"
    )]
    fn insert_range_fills_words_and_clamps() {
        let mut set = ActionSet::empty(200);
        set.insert_range(60..130);
        assert_eq!(members(&set), (60..130).collect::<Vec<_>>());
        set.insert_range(190..500);
        assert_eq!(set.count(), 70 + 10);
        set.insert_range(5..5);
        set.insert_range(7..3);
        assert_eq!(set.count(), 80);
        let mut exact = ActionSet::empty(128);
        exact.insert_range(0..128);
        assert!(exact.is_full());
        let mut one = ActionSet::empty(128);
        one.insert_range(64..65);
        assert_eq!(members(&one), [64]);
    }

    #[test]
    fn equal_sets_hash_equally() {
        let a = ActionSet::from_indices(70, [1, 69]);
        let mut b = ActionSet::full(70);
        b -= &ActionSet::from_indices(70, [1, 69]).complement();
        assert_eq!(a, b);
        let state = RandomState::new();
        assert_eq!(state.hash_one(&a), state.hash_one(&b));
        assert_ne!(ActionSet::empty(3), ActionSet::empty(4));
    }

    #[test]
    fn debug_lists_members() {
        let set = ActionSet::from_indices(10, [2, 3]);
        assert_eq!(format!("{set:?}"), "ActionSet(2/10) {2, 3}");
    }

    fn arb_pair() -> impl Strategy<Value = (u32, BTreeSet<u32>, BTreeSet<u32>)> {
        (0u32..300).prop_flat_map(|universe| {
            let elems = proptest::collection::btree_set(0..universe.max(1), 0..40);
            (Just(universe), elems.clone(), elems)
        })
    }

    proptest! {
        #[test]
        fn agrees_with_btreeset((universe, a, b) in arb_pair()) {
            let a: BTreeSet<u32> = a.into_iter().filter(|&x| x < universe).collect();
            let b: BTreeSet<u32> = b.into_iter().filter(|&x| x < universe).collect();
            let sa = ActionSet::from_indices(universe, a.iter().copied());
            let sb = ActionSet::from_indices(universe, b.iter().copied());
            let all: BTreeSet<u32> = (0..universe).collect();
            prop_assert_eq!(members(&(&sa | &sb)), a.union(&b).copied().collect::<Vec<_>>());
            prop_assert_eq!(members(&(&sa & &sb)), a.intersection(&b).copied().collect::<Vec<_>>());
            prop_assert_eq!(members(&(&sa - &sb)), a.difference(&b).copied().collect::<Vec<_>>());
            prop_assert_eq!(members(&!&sa), all.difference(&a).copied().collect::<Vec<_>>());
            prop_assert_eq!(sa.count() as usize, a.len());
            prop_assert_eq!(sa.is_empty(), a.is_empty());
            prop_assert_eq!(sa.is_subset(&sb), a.is_subset(&b));
            prop_assert_eq!(sa.is_disjoint(&sb), a.is_disjoint(&b));
            prop_assert_eq!(sa == sb, a == b);
            for x in 0..universe {
                prop_assert_eq!(sa.contains(x), a.contains(&x));
            }
        }
    }
}
