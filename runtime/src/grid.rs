//! [`Grid`]: a cell grid packed as the table file stores it, for builders of
//! large tables (the compiler) that should not hold one byte per cell.
//!
//! Only the packing lives here; [`Table::from_parts_with_grid`](crate::Table::from_parts_with_grid)
//! checks a grid's dimensions against its parts, and the loader validates the
//! bytes like any other table.

use crate::types::Cell;
use crate::wire;

/// Cells per `u64` word of [`Grid::push_row_words`].
const CELLS_PER_WORD: usize = 32;

/// `n_rows` × `n_cols` cells, packed as a table file stores them: two bits a
/// cell (its [`Cell::as_u8`] value), row-major, cell `c` of a row at bits
/// `(c % 4) * 2` of byte `c / 4`, each row padded with zero bits to whole
/// bytes.
///
/// A quarter of the memory of [`TableParts::cells`](crate::parts::TableParts::cells),
/// and nothing left to pack when the table is encoded. Rows are appended; a
/// row given short is padded with [`Cell::ImplicitDeny`], cells past `n_cols`
/// are ignored.
///
/// ```
/// use verdict_runtime::Cell;
/// use verdict_runtime::parts::Grid;
///
/// let mut grid = Grid::new(3);
/// grid.push_row([Cell::Allow, Cell::Deny, Cell::Conditional]);
/// // Cell c at bits (c % 32) * 2 of word c / 32: Deny, ImplicitDeny, Allow.
/// grid.push_row_words(&[0b01_00_10]);
/// assert_eq!(grid.n_rows(), 2);
/// assert_eq!(grid.get(0, 2), Some(Cell::Conditional));
/// assert_eq!(grid.get(1, 0), Some(Cell::Deny));
/// assert_eq!(grid.get(1, 2), Some(Cell::Allow));
/// assert_eq!(grid.get(2, 0), None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grid {
    n_cols: u32,
    n_rows: u32,
    /// INVARIANT: `n_rows * stride(n_cols)` bytes (unless `n_rows` saturated),
    /// padding bits zero.
    bytes: Vec<u8>,
}

impl Grid {
    /// An empty grid of rows of `n_cols` cells.
    #[must_use]
    pub fn new(n_cols: u32) -> Grid {
        Grid {
            n_cols,
            n_rows: 0,
            bytes: Vec::new(),
        }
    }

    /// An empty grid with room for `n_rows` rows.
    #[must_use]
    pub fn with_capacity(n_cols: u32, n_rows: usize) -> Grid {
        Grid {
            n_cols,
            n_rows: 0,
            bytes: Vec::with_capacity(n_rows.saturating_mul(wire::stride(n_cols))),
        }
    }

    /// The number of cells per row.
    #[must_use]
    pub fn n_cols(&self) -> u32 {
        self.n_cols
    }

    /// The number of rows.
    #[must_use]
    pub fn n_rows(&self) -> u32 {
        self.n_rows
    }

    /// Appends a row: the first `n_cols` cells of `cells`, then
    /// [`Cell::ImplicitDeny`] if there are fewer.
    pub fn push_row(&mut self, cells: impl IntoIterator<Item = Cell>) {
        let stride = wire::stride(self.n_cols);
        let start = self.bytes.len();
        self.bytes.resize(start.saturating_add(stride), 0);
        let row = self.bytes.get_mut(start..).unwrap_or_default();
        for (col, cell) in cells.into_iter().take(self.n_cols as usize).enumerate() {
            if let Some(byte) = row.get_mut(col / 4) {
                *byte |= cell.as_u8() << ((col % 4) * 2);
            }
        }
        self.n_rows = self.n_rows.saturating_add(1);
    }

    /// Appends a row given as words of 32 cells: cell `c` at bits
    /// `(c % 32) * 2` of `words[c / 32]`, which is the packed layout read as
    /// little-endian `u64`s. Cells past `n_cols` are ignored (the padding
    /// stays zero); missing words are [`Cell::ImplicitDeny`].
    pub fn push_row_words(&mut self, words: &[u64]) {
        let n_cols = self.n_cols as usize;
        let stride = wire::stride(self.n_cols);
        let start = self.bytes.len();
        for &word in words.iter().take(n_cols.div_ceil(CELLS_PER_WORD)) {
            self.bytes.extend_from_slice(&word.to_le_bytes());
        }
        self.bytes.resize(start.saturating_add(stride), 0);
        // Clear the padding bits of the last byte.
        let used_bits = (n_cols % 4) * 2;
        if used_bits != 0 {
            if let Some(last) = self.bytes.last_mut() {
                *last &= (1u8 << used_bits) - 1;
            }
        }
        self.n_rows = self.n_rows.saturating_add(1);
    }

    /// The cell at (`row`, `col`), `None` out of range.
    #[must_use]
    pub fn get(&self, row: u32, col: u32) -> Option<Cell> {
        if row >= self.n_rows || col >= self.n_cols {
            return None;
        }
        let start = (row as usize).checked_mul(wire::stride(self.n_cols))?;
        wire::cell_in_row(self.bytes.get(start..)?, col as usize)
    }

    /// The packed bytes.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ALL: [Cell; 4] = [
        Cell::ImplicitDeny,
        Cell::Allow,
        Cell::Deny,
        Cell::Conditional,
    ];

    #[test]
    fn short_rows_are_padded_and_long_rows_cut() {
        let mut grid = Grid::new(5);
        grid.push_row([Cell::Allow]);
        grid.push_row([Cell::Deny; 9]);
        grid.push_row_words(&[]);
        grid.push_row_words(&[u64::MAX, u64::MAX]);
        assert_eq!(grid.n_rows(), 4);
        let row = |r| (0..5).map(|c| grid.get(r, c).unwrap()).collect::<Vec<_>>();
        assert_eq!(row(0)[1..], [Cell::ImplicitDeny; 4]);
        assert_eq!(row(1), [Cell::Deny; 5]);
        assert_eq!(row(2), [Cell::ImplicitDeny; 5]);
        assert_eq!(row(3), [Cell::Conditional; 5]);
        assert_eq!(grid.get(0, 5), None);
        // Two bytes a row; the padding bits of each row's second byte are zero.
        assert_eq!(grid.clone().into_bytes().len(), 8);
        assert_eq!(grid.into_bytes()[6..], [0xFF, 0b11]);
    }

    #[test]
    fn no_columns() {
        let mut grid = Grid::new(0);
        grid.push_row([Cell::Allow]);
        grid.push_row_words(&[1]);
        assert_eq!(grid.n_rows(), 2);
        assert_eq!(grid.get(0, 0), None);
        assert!(grid.into_bytes().is_empty());
    }

    proptest! {
        /// Both ways of appending give the bytes the encoder packs from cells.
        #[test]
        fn rows_pack_like_the_encoder(
            n_cols in 0u32..100,
            rows in proptest::collection::vec(proptest::collection::vec(0usize..4, 100), 0..5),
        ) {
            let mut by_cells = Grid::new(n_cols);
            let mut by_words = Grid::new(n_cols);
            let mut flat = Vec::new();
            for row in &rows {
                let cells: Vec<Cell> = row.iter().map(|&c| ALL[c]).take(n_cols as usize).collect();
                let mut words = vec![0u64; 4];
                for (c, cell) in cells.iter().enumerate() {
                    words[c / 32] |= u64::from(cell.as_u8()) << ((c % 32) * 2);
                }
                // Junk past n_cols is ignored.
                if let Some(w) = words.get_mut(n_cols as usize / 32) {
                    *w |= u64::MAX.checked_shl((n_cols % 32) * 2).unwrap_or(0);
                }
                by_cells.push_row(cells.iter().copied());
                by_words.push_row_words(&words);
                flat.extend(cells);
            }
            prop_assert_eq!(&by_cells, &by_words);
            for (r, row) in rows.iter().enumerate() {
                for c in 0..n_cols {
                    prop_assert_eq!(by_cells.get(r as u32, c), Some(ALL[row[c as usize]]));
                }
            }
            prop_assert_eq!(by_cells.into_bytes(), wire::test_util::pack_cells_for_tests(&flat, n_cols));
        }
    }
}
