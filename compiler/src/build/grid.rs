//! Packed rows over action classes and the column classes they induce.
//!
//! A [`Row`] stores one 2-bit cell per action class (the runtime's cell
//! codes, 32 to a `u64`) and the residual ids of its conditional cells. It
//! is built from two bitsets (denied, allowed) a word at a time. Equal rows
//! are merged by hashing their words; equal columns are found by hashing
//! each class's column while streaming over the rows, and confirmed by
//! comparing the columns, so a hash collision costs time, never a wrong
//! merge. Nothing here is per action: `build` maps actions to classes.

use std::collections::HashMap;

use verdict_runtime::Cell;

use crate::catalog::ActionSet;

/// Cells per word of a packed row.
const CELLS_PER_WORD: usize = 32;

/// The multiplier of the word hashes (the FxHash constant).
const K: u64 = 0x517c_c1b7_2722_0a95;

/// One row over `n` action classes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Row {
    /// INVARIANT: `n.div_ceil(32)` words; the bits of cells at and above `n`
    /// are zero.
    cells: Vec<u64>,
    /// (class, residual id), strictly increasing in class: the conditional cells.
    pub conditional: Vec<(u32, u32)>,
}

impl Row {
    /// The row whose cells are Deny on `deny`, else Allow on `allow`, else
    /// ImplicitDeny. Both sets have the universe `n`.
    pub fn new(deny: &ActionSet, allow: &ActionSet) -> Row {
        let n = deny.universe() as usize;
        let mut cells = Vec::with_capacity(n.div_ceil(CELLS_PER_WORD));
        for (d, a) in deny.as_words().iter().zip(allow.as_words()) {
            let allow_only = a & !d;
            for half in [0, 32] {
                cells.push(spread((allow_only >> half) as u32) | spread((d >> half) as u32) << 1);
            }
        }
        cells.truncate(n.div_ceil(CELLS_PER_WORD));
        Row {
            cells,
            conditional: Vec::new(),
        }
    }

    /// The cell of class `c`; ImplicitDeny out of range.
    #[inline]
    pub fn get(&self, c: u32) -> Cell {
        let c = c as usize;
        let word = self.cells.get(c / CELLS_PER_WORD).copied().unwrap_or(0);
        Cell::from_bits((word >> ((c % CELLS_PER_WORD) * 2)) as u8)
    }

    /// Sets the cell of class `c`; out of range is a no-op.
    #[inline]
    pub fn set(&mut self, c: u32, cell: Cell) {
        let c = c as usize;
        if let Some(word) = self.cells.get_mut(c / CELLS_PER_WORD) {
            let shift = (c % CELLS_PER_WORD) * 2;
            *word = (*word & !(0b11 << shift)) | (u64::from(cell.as_u8()) << shift);
        }
    }

    /// The residual id of the conditional cell of class `c`, `u32::MAX` if
    /// it is static.
    fn residual(&self, c: u32) -> u32 {
        self.conditional
            .binary_search_by_key(&c, |&(class, _)| class)
            .ok()
            .and_then(|i| self.conditional.get(i))
            .map_or(u32::MAX, |&(_, id)| id)
    }

    /// A hash of the cells and residual ids (deterministic).
    pub fn hash_value(&self) -> u64 {
        let mut h = self.cells.len() as u64;
        for &w in &self.cells {
            h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &(c, id) in &self.conditional {
            h = (h.rotate_left(5) ^ (u64::from(c) << 32 | u64::from(id))).wrapping_mul(K);
        }
        h
    }

    /// The 32 cells from class `pos` on, as one word (zeros past the end).
    #[inline]
    fn word_at(&self, pos: usize) -> u64 {
        let (index, shift) = (pos / CELLS_PER_WORD, (pos % CELLS_PER_WORD) * 2);
        let low = self.cells.get(index).copied().unwrap_or(0) >> shift;
        if shift == 0 {
            low
        } else {
            low | self.cells.get(index + 1).copied().unwrap_or(0) << (64 - shift)
        }
    }
}

/// A bijective mix of 64 bits (SplitMix64's finaliser).
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The 32 bits of `x` at the even bit positions of a `u64`.
#[inline]
fn spread(x: u32) -> u64 {
    let mut x = u64::from(x);
    x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x << 2)) & 0x3333_3333_3333_3333;
    (x | (x << 1)) & 0x5555_5555_5555_5555
}

/// Rows merged as they come: equal rows (cells and residual ids) get one id,
/// numbered by first appearance.
#[derive(Debug, Default)]
pub(crate) struct UniqueRows {
    pub rows: Vec<Row>,
    /// Row hash → ids of the rows with that hash.
    by_hash: HashMap<u64, Vec<u32>>,
}

impl UniqueRows {
    /// The id of `row`, adding it if new.
    pub fn intern(&mut self, row: Row) -> u32 {
        let ids = self.by_hash.entry(row.hash_value()).or_default();
        if let Some(&id) = ids
            .iter()
            .find(|&&id| self.rows.get(id as usize) == Some(&row))
        {
            return id;
        }
        let id = self.rows.len() as u32;
        ids.push(id);
        self.rows.push(row);
        id
    }
}

/// Copies the cells of each column's first class out of rows over classes,
/// in runs of consecutive classes: a few word operations per run instead of
/// one per cell.
#[derive(Debug)]
pub(crate) struct Gather {
    /// (first class, length) of each run of consecutive first classes.
    runs: Vec<(u32, u32)>,
}

impl Gather {
    /// For columns whose first classes are `first_class` (increasing).
    pub fn new(first_class: &[u32]) -> Gather {
        let mut runs: Vec<(u32, u32)> = Vec::new();
        for &c in first_class {
            match runs.last_mut() {
                Some((start, len)) if *start + *len == c => *len += 1,
                _ => runs.push((c, 1)),
            }
        }
        Gather { runs }
    }

    /// The cells of `row` at the first classes, as words of 32 cells.
    pub fn row_words(&self, row: &Row, out: &mut Vec<u64>) {
        out.clear();
        // INVARIANT: `filled < 32` cells of `acc` are set, above them zeros.
        let mut acc = 0u64;
        let mut filled = 0usize;
        for &(start, len) in &self.runs {
            let (mut pos, mut left) = (start as usize, len as usize);
            while left > 0 {
                let n = left.min(CELLS_PER_WORD);
                let mut cells = row.word_at(pos);
                if n < CELLS_PER_WORD {
                    cells &= (1u64 << (2 * n)) - 1;
                }
                acc |= cells << (2 * filled);
                if filled + n >= CELLS_PER_WORD {
                    out.push(acc);
                    let taken = CELLS_PER_WORD - filled;
                    acc = if taken == CELLS_PER_WORD {
                        0
                    } else {
                        cells >> (2 * taken)
                    };
                    filled = filled + n - CELLS_PER_WORD;
                } else {
                    filled += n;
                }
                pos += n;
                left -= n;
            }
        }
        if filled > 0 {
            out.push(acc);
        }
    }
}

/// Column classes: classes whose cells and residual ids are equal in every
/// row share a column. Returns the column of each class and the first class
/// of each column; columns are numbered by their first class.
pub(crate) fn columns(rows: &[Row], n_classes: u32) -> (Vec<u32>, Vec<u32>) {
    resolve_columns(rows, &column_hashes(rows, n_classes))
}

/// A hash of each class's column: the sum over rows of a pseudo-random value
/// of (row, cell) and, for a conditional cell, of (row, residual id). An
/// ImplicitDeny cell adds nothing, so only the other cells cost anything
/// (most cells of a large table are ImplicitDeny).
fn column_hashes(rows: &[Row], n_classes: u32) -> Vec<u64> {
    const LOW_BITS: u64 = 0x5555_5555_5555_5555;
    let mut hashes = vec![0u64; n_classes as usize];
    for (r, row) in rows.iter().enumerate() {
        let seed = mix(r as u64);
        let values = [0, mix(seed ^ 1), mix(seed ^ 2), mix(seed ^ 3)];
        for (chunk, &word) in hashes.chunks_mut(CELLS_PER_WORD).zip(&row.cells) {
            // The low bit of each cell that is not ImplicitDeny.
            let mut set = (word | word >> 1) & LOW_BITS;
            while set != 0 {
                let bit = set.trailing_zeros() as usize;
                let value = values.get(((word >> bit) & 0b11) as usize);
                if let (Some(h), Some(value)) = (chunk.get_mut(bit / 2), value) {
                    *h = h.wrapping_add(*value);
                }
                set &= set - 1;
            }
        }
        for &(c, id) in &row.conditional {
            if let Some(h) = hashes.get_mut(c as usize) {
                *h = h.wrapping_add(mix(seed ^ (u64::from(id) << 8)));
            }
        }
    }
    hashes
}

/// The column classes of [`columns`], given a hash of each class's column.
/// Classes with equal hashes are taken to be equal and then confirmed all
/// at once in one pass over the rows; should any pair differ (a collision),
/// the classes are compared pairwise instead. Either way the result depends
/// only on the columns, never on the hash.
fn resolve_columns(rows: &[Row], hashes: &[u64]) -> (Vec<u32>, Vec<u32>) {
    let same_cell = |row: &Row, a: u32, b: u32| {
        let cell = row.get(a);
        cell == row.get(b) && (cell != Cell::Conditional || row.residual(a) == row.residual(b))
    };
    // Each class joins the first class with its hash.
    let mut first_of_hash: HashMap<u64, u32> = HashMap::new();
    let tentative: Vec<u32> = hashes
        .iter()
        .enumerate()
        .map(|(c, &h)| *first_of_hash.entry(h).or_insert(c as u32))
        .collect();
    let pairs: Vec<(u32, u32)> = tentative
        .iter()
        .enumerate()
        .filter(|&(c, &first)| c as u32 != first)
        .map(|(c, &first)| (c as u32, first))
        .collect();
    let confirmed = rows
        .iter()
        .all(|row| pairs.iter().all(|&(c, first)| same_cell(row, c, first)));
    let mut column_of = Vec::with_capacity(hashes.len());
    let mut first_class: Vec<u32> = Vec::new();
    if confirmed {
        let mut column_of_first: HashMap<u32, u32> = HashMap::new();
        for (c, &first) in tentative.iter().enumerate() {
            let col = *column_of_first.entry(first).or_insert_with(|| {
                first_class.push(c as u32);
                first_class.len() as u32 - 1
            });
            column_of.push(col);
        }
        return (column_of, first_class);
    }
    // A collision: compare each class with the first class of every column
    // of its hash.
    let mut by_hash: HashMap<u64, Vec<u32>> = HashMap::new();
    for (c, &h) in hashes.iter().enumerate() {
        let c = c as u32;
        let candidates = by_hash.entry(h).or_default();
        let found = candidates.iter().copied().find(|&col| {
            first_class
                .get(col as usize)
                .is_some_and(|&first| rows.iter().all(|row| same_cell(row, first, c)))
        });
        let col = found.unwrap_or_else(|| {
            first_class.push(c);
            candidates.push(first_class.len() as u32 - 1);
            first_class.len() as u32 - 1
        });
        column_of.push(col);
    }
    (column_of, first_class)
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

    fn cells_of(row: &Row, n: u32) -> Vec<Cell> {
        (0..n).map(|c| row.get(c)).collect()
    }

    #[test]
    fn row_from_sets_deny_wins_then_allow() {
        let n = 70;
        let deny = ActionSet::from_indices(n, [1, 2, 69]);
        let allow = ActionSet::from_indices(n, [2, 3, 40, 69]);
        let mut row = Row::new(&deny, &allow);
        let expect = |c: u32| match c {
            1 | 2 | 69 => Cell::Deny,
            3 | 40 => Cell::Allow,
            _ => Cell::ImplicitDeny,
        };
        assert_eq!(cells_of(&row, n), (0..n).map(expect).collect::<Vec<_>>());
        assert_eq!(row.cells.len(), 3);
        row.set(40, Cell::Conditional);
        row.set(3, Cell::ImplicitDeny);
        row.set(500, Cell::Allow);
        assert_eq!(row.get(40), Cell::Conditional);
        assert_eq!(row.get(3), Cell::ImplicitDeny);
        assert_eq!(row.get(500), Cell::ImplicitDeny);
        assert_eq!(row.get(2), Cell::Deny);
    }

    #[test]
    fn unique_rows_compare_residual_ids() {
        let n = 4;
        let empty = ActionSet::empty(n);
        let mut a = Row::new(&empty, &empty);
        a.set(1, Cell::Conditional);
        a.conditional = vec![(1, 7)];
        let mut b = a.clone();
        b.conditional = vec![(1, 8)];
        let mut rows = UniqueRows::default();
        assert_eq!(rows.intern(a.clone()), 0);
        assert_eq!(rows.intern(b), 1);
        assert_eq!(rows.intern(a), 0);
        assert_eq!(rows.rows.len(), 2);
    }

    #[test]
    fn columns_merge_equal_classes_and_keep_residuals_apart() {
        let n = 5;
        let allow = ActionSet::from_indices(n, [0, 2, 3, 4]);
        let mut r0 = Row::new(&ActionSet::empty(n), &allow);
        r0.set(3, Cell::Conditional);
        r0.set(4, Cell::Conditional);
        r0.conditional = vec![(3, 1), (4, 2)];
        let r1 = Row::new(&ActionSet::from_indices(n, [1]), &allow);
        let (column_of, first) = columns(&[r0, r1], n);
        // 0 and 2 are alike; 3 and 4 differ only by their residual.
        assert_eq!(column_of, [0, 1, 0, 2, 3]);
        assert_eq!(first, [0, 1, 3, 4]);
        assert_eq!(columns(&[], 3), (vec![0, 0, 0], vec![0]));
    }

    proptest! {
        #[test]
        fn gather_copies_the_cells_of_the_chosen_classes(
            cells in proptest::collection::vec(0u8..4, 0..200),
            keep in proptest::collection::vec(proptest::bool::ANY, 200),
        ) {
            let n = cells.len() as u32;
            let mut row = Row::new(&ActionSet::empty(n), &ActionSet::empty(n));
            for (c, &bits) in cells.iter().enumerate() {
                row.set(c as u32, Cell::from_bits(bits));
            }
            let chosen: Vec<u32> = (0..n).filter(|&c| keep[c as usize]).collect();
            let mut words = Vec::new();
            Gather::new(&chosen).row_words(&row, &mut words);
            prop_assert_eq!(words.len(), chosen.len().div_ceil(32));
            for (k, &c) in chosen.iter().enumerate() {
                let bits = (words[k / 32] >> ((k % 32) * 2)) & 0b11;
                prop_assert_eq!(Cell::from_bits(bits as u8), row.get(c));
            }
            // Nothing past the last chosen cell.
            if !chosen.len().is_multiple_of(32) {
                prop_assert_eq!(words.last().copied().unwrap_or(0) >> ((chosen.len() % 32) * 2), 0);
            }
        }

        #[test]
        fn columns_are_the_classes_of_equal_columns(
            rows in proptest::collection::vec(proptest::collection::vec(0u8..4, 40), 0..6),
        ) {
            let n = 40u32;
            let rows: Vec<Row> = rows
                .iter()
                .map(|cells| {
                    let mut row = Row::new(&ActionSet::empty(n), &ActionSet::empty(n));
                    for (c, &bits) in cells.iter().enumerate() {
                        row.set(c as u32, Cell::from_bits(bits));
                        if bits == 3 {
                            row.conditional.push((c as u32, u32::from(bits) + c as u32 % 2));
                        }
                    }
                    row
                })
                .collect();
            let (column_of, first) = columns(&rows, n);
            let column = |c: u32| rows.iter().map(|r| (r.get(c), r.residual(c))).collect::<Vec<_>>();
            for a in 0..n {
                for b in 0..n {
                    prop_assert_eq!(column_of[a as usize] == column_of[b as usize], column(a) == column(b));
                }
            }
            for (col, &c) in first.iter().enumerate() {
                prop_assert_eq!(column_of[c as usize], col as u32);
                prop_assert!(column_of[..c as usize].iter().all(|&k| k < col as u32));
            }
            // Weak hashes of the columns (constant, or the number of Allow
            // cells) collide and change nothing.
            let zeros = vec![0; n as usize];
            prop_assert_eq!(resolve_columns(&rows, &zeros), (column_of.clone(), first.clone()));
            let allows: Vec<u64> = (0..n)
                .map(|c| rows.iter().filter(|r| r.get(c) == Cell::Allow).count() as u64)
                .collect();
            prop_assert_eq!(resolve_columns(&rows, &allows), (column_of, first));
        }
    }
}
