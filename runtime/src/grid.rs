//! [`Grid`]: a cell grid packed as the table file stores it, for builders of
//! large tables (the compiler) that should not hold one byte per cell.
//!
//! Only the packing lives here; [`Table::from_parts_with_grid`](crate::Table::from_parts_with_grid)
//! checks a grid's dimensions against its parts, and the loader validates the
//! bytes like any other table.

use std::collections::HashMap;

use crate::hash;
use crate::types::Cell;
use crate::wire;

/// No block: the end of a chain of blocks with equal hashes.
const NO_BLOCK: u32 = u32::MAX;

/// `n_rows` × `n_cols` cells, packed as a table file stores them: two bits a
/// cell (its [`Cell::as_u8`] value), each row cut into blocks of
/// [`Grid::block_cells`] cells (cell `c` of a block at bits `(c % 4) * 2` of
/// byte `c / 4`, the last block of a row padded with zero bits), each distinct
/// block kept once and a row kept as the ids of its blocks.
///
/// Rows are deduplicated block by block as they are appended, so a grid costs
/// what its distinct blocks cost (plus a reference per block of each row),
/// never `n_rows * n_cols` cells; nothing is left to pack when the table is
/// encoded. A row given short is padded with [`Cell::ImplicitDeny`], cells
/// past `n_cols` are ignored.
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
#[derive(Clone, Debug, Default)]
pub struct Grid {
    n_cols: u32,
    n_rows: u32,
    /// Blocks of `2^shift` cells.
    shift: u32,
    per_row: usize,
    block_len: usize,
    /// INVARIANT: distinct blocks of `block_len` bytes, numbered by first
    /// appearance in `refs`, padding bits zero.
    blocks: Vec<u8>,
    /// INVARIANT: `n_rows * per_row` ids of `blocks` (unless `n_rows` saturated).
    refs: Vec<u32>,
    /// The hash of a block → the last block with that hash; earlier ones
    /// through `same_hash`.
    by_hash: HashMap<u64, u32>,
    /// For each block, the previous block with the same hash, or [`NO_BLOCK`].
    same_hash: Vec<u32>,
    /// One row's blocks, being filled.
    scratch: Vec<u8>,
}

/// A grid as the encoder writes it: the block shift, the width of a block
/// reference (0 for none, the dense layout), the blocks and the references.
#[derive(Debug, Default)]
pub(crate) struct WireGrid {
    pub(crate) shift: u32,
    pub(crate) ref_width: u32,
    pub(crate) blocks: Vec<u8>,
    pub(crate) refs: Vec<u8>,
}

impl PartialEq for Grid {
    /// Grids are equal iff they hold the same cells in the same blocks.
    fn eq(&self, other: &Grid) -> bool {
        (
            self.n_cols,
            self.n_rows,
            self.shift,
            &self.blocks,
            &self.refs,
        ) == (
            other.n_cols,
            other.n_rows,
            other.shift,
            &other.blocks,
            &other.refs,
        )
    }
}

impl Eq for Grid {}

impl Grid {
    /// The cells per block of [`Grid::new`]: 128, 32 bytes, chosen by
    /// measuring tables of 20,000 and 100,000 users against the AWS catalog
    /// (see the README's Performance section).
    pub const DEFAULT_BLOCK_CELLS: u32 = 1 << DEFAULT_SHIFT;

    /// An empty grid of rows of `n_cols` cells.
    #[must_use]
    pub fn new(n_cols: u32) -> Grid {
        Grid::with_block_cells(n_cols, Grid::DEFAULT_BLOCK_CELLS)
    }

    /// An empty grid with room for `n_rows` rows.
    #[must_use]
    pub fn with_capacity(n_cols: u32, n_rows: usize) -> Grid {
        let mut grid = Grid::new(n_cols);
        grid.refs.reserve(n_rows.saturating_mul(grid.per_row));
        grid
    }

    /// An empty grid of rows of `n_cols` cells, cut into blocks of
    /// `block_cells` cells: the next power of two at or above it, at least 4.
    /// Any block size gives the same table answers; it only changes the bytes.
    #[must_use]
    pub fn with_block_cells(n_cols: u32, block_cells: u32) -> Grid {
        let shift = block_cells
            .checked_next_power_of_two()
            .map_or(wire::MAX_BLOCK_SHIFT, u32::trailing_zeros)
            .clamp(wire::MIN_BLOCK_SHIFT, wire::MAX_BLOCK_SHIFT);
        let (per_row, block_len) = wire::block_shape(n_cols, shift).unwrap_or_default();
        Grid {
            n_cols,
            shift,
            per_row,
            block_len,
            scratch: vec![0; per_row.saturating_mul(block_len)],
            ..Grid::default()
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

    /// The number of cells per block.
    #[must_use]
    pub fn block_cells(&self) -> u64 {
        1u64 << self.shift
    }

    /// The number of distinct blocks so far.
    #[must_use]
    pub fn n_blocks(&self) -> usize {
        self.blocks.len().checked_div(self.block_len).unwrap_or(0)
    }

    /// Appends a row: the first `n_cols` cells of `cells`, then
    /// [`Cell::ImplicitDeny`] if there are fewer.
    pub fn push_row(&mut self, cells: impl IntoIterator<Item = Cell>) {
        let mut row = std::mem::take(&mut self.scratch);
        row.fill(0);
        // The row's bytes are its blocks' bytes, back to back: a block holds
        // `4 * block_len` cells, except that the padding of the last block
        // (cells at and past `n_cols`) stays zero.
        for (col, cell) in cells.into_iter().take(self.n_cols as usize).enumerate() {
            if let Some(byte) = row.get_mut(col / 4) {
                *byte |= cell.as_u8() << ((col % 4) * 2);
            }
        }
        self.push_blocks(&row);
        self.scratch = row;
    }

    /// Appends a row given as words of 32 cells: cell `c` at bits
    /// `(c % 32) * 2` of `words[c / 32]`, which is the packed layout read as
    /// little-endian `u64`s. Cells past `n_cols` are ignored (the padding
    /// stays zero); missing words are [`Cell::ImplicitDeny`].
    pub fn push_row_words(&mut self, words: &[u64]) {
        let mut row = std::mem::take(&mut self.scratch);
        row.fill(0);
        let n_cols = self.n_cols as usize;
        for (chunk, word) in row.chunks_mut(8).zip(words) {
            let bytes = word.to_le_bytes();
            chunk.copy_from_slice(bytes.get(..chunk.len()).unwrap_or_default());
        }
        // Clear the bits of cells at and past `n_cols`.
        if let Some(tail) = row.get_mut(n_cols / 4..) {
            let used_bits = (n_cols % 4) * 2;
            let mut rest = tail.iter_mut();
            if used_bits != 0 {
                if let Some(first) = rest.next() {
                    *first &= (1u8 << used_bits) - 1;
                }
            }
            rest.for_each(|byte| *byte = 0);
        }
        self.push_blocks(&row);
        self.scratch = row;
    }

    /// Appends the row whose blocks are `row`, back to back.
    fn push_blocks(&mut self, row: &[u8]) {
        if self.block_len > 0 {
            for block in row.chunks_exact(self.block_len) {
                let id = self.intern(block);
                self.refs.push(id);
            }
        }
        self.n_rows = self.n_rows.saturating_add(1);
    }

    /// The id of `block`, added if new.
    fn intern(&mut self, block: &[u8]) -> u32 {
        let hash = hash::hash_exact(block);
        let mut id = self.by_hash.get(&hash).copied().unwrap_or(NO_BLOCK);
        while id != NO_BLOCK {
            if self.block(id as usize) == Some(block) {
                return id;
            }
            id = self.same_hash.get(id as usize).copied().unwrap_or(NO_BLOCK);
        }
        let id = u32::try_from(self.n_blocks()).unwrap_or(NO_BLOCK);
        let previous = self.by_hash.insert(hash, id).unwrap_or(NO_BLOCK);
        self.same_hash.push(previous);
        self.blocks.extend_from_slice(block);
        id
    }

    fn block(&self, id: usize) -> Option<&[u8]> {
        let start = id.checked_mul(self.block_len)?;
        self.blocks.get(start..start.checked_add(self.block_len)?)
    }

    /// The cell at (`row`, `col`), `None` out of range.
    #[must_use]
    pub fn get(&self, row: u32, col: u32) -> Option<Cell> {
        if row >= self.n_rows || col >= self.n_cols {
            return None;
        }
        let j = (u64::from(col) >> self.shift) as usize;
        let within = (u64::from(col) & (self.block_cells() - 1)) as usize;
        let index = (row as usize).checked_mul(self.per_row)?.checked_add(j)?;
        let id = *self.refs.get(index)?;
        wire::cell_in_row(self.block(id as usize)?, within)
    }

    /// The grid as the encoder writes it: the blocks and references, or the
    /// dense layout (one block per row, no references) when that is smaller.
    /// Which one is a function of the cells and the block size, so encoding
    /// is deterministic.
    pub(crate) fn into_wire(self) -> WireGrid {
        let width = wire::ref_width(self.n_blocks());
        let blocked = (width as usize)
            .saturating_mul(self.refs.len())
            .saturating_add(self.blocks.len());
        let stride = wire::stride(self.n_cols);
        let dense = (self.n_rows as usize).saturating_mul(stride);
        if blocked < dense {
            let mut refs = Vec::with_capacity(self.refs.len().saturating_mul(width as usize));
            for &id in &self.refs {
                let bytes = id.to_le_bytes();
                refs.extend_from_slice(bytes.get(..width as usize).unwrap_or_default());
            }
            return WireGrid {
                shift: self.shift,
                ref_width: width,
                blocks: self.blocks,
                refs,
            };
        }
        WireGrid {
            shift: wire::dense_shift(self.n_cols),
            ref_width: 0,
            blocks: self.dense_bytes(),
            refs: Vec::new(),
        }
    }

    /// The dense grid: each row's cells packed, padded to whole bytes, row
    /// after row.
    pub(crate) fn dense_bytes(&self) -> Vec<u8> {
        let stride = wire::stride(self.n_cols);
        let mut bytes = Vec::with_capacity((self.n_rows as usize).saturating_mul(stride));
        for row in self.refs.chunks(self.per_row.max(1)) {
            let start = bytes.len();
            for &id in row {
                bytes.extend_from_slice(self.block(id as usize).unwrap_or_default());
            }
            bytes.truncate(start.saturating_add(stride));
        }
        bytes
    }
}

/// The block shift of [`Grid::DEFAULT_BLOCK_CELLS`].
const DEFAULT_SHIFT: u32 = 7;

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
        // Four distinct rows: the dense layout is smaller than blocks and
        // references.
        assert_eq!(grid.n_blocks(), 4);
        let wire = grid.into_wire();
        assert_eq!((wire.shift, wire.ref_width, wire.refs.len()), (3, 0, 0));
        assert_eq!(wire.blocks.len(), 8);
        assert_eq!(wire.blocks[6..], [0xFF, 0b11]);
    }

    #[test]
    fn no_columns() {
        let mut grid = Grid::new(0);
        grid.push_row([Cell::Allow]);
        grid.push_row_words(&[1]);
        assert_eq!(grid.n_rows(), 2);
        assert_eq!(grid.get(0, 0), None);
        let wire = grid.into_wire();
        assert!(wire.blocks.is_empty() && wire.refs.is_empty());
    }

    #[test]
    fn equal_blocks_are_stored_once() {
        // 300 columns in blocks of 128: three blocks a row, the last one of 44
        // cells. 100 rows that differ only in their middle block, two ways.
        let mut grid = Grid::new(300);
        for r in 0..100u32 {
            let mut row = vec![Cell::ImplicitDeny; 300];
            row[0] = Cell::Allow;
            row[128 + (r % 2) as usize] = Cell::Deny;
            row[299] = Cell::Conditional;
            grid.push_row(row);
        }
        assert_eq!(grid.block_cells(), 128);
        assert_eq!(grid.n_blocks(), 4);
        assert_eq!(grid.get(99, 129), Some(Cell::Deny));
        assert_eq!(grid.get(98, 129), Some(Cell::ImplicitDeny));
        assert_eq!(grid.get(7, 299), Some(Cell::Conditional));
        let dense = grid.dense_bytes();
        assert_eq!(dense.len(), 100 * 75);
        let wire = grid.into_wire();
        // Four blocks of 32 bytes and 300 one-byte references.
        assert_eq!((wire.shift, wire.ref_width), (7, 1));
        assert_eq!((wire.blocks.len(), wire.refs.len()), (128, 300));
        assert_eq!(wire.refs[..6], [0, 1, 2, 0, 3, 2]);
    }

    #[test]
    fn block_sizes_are_powers_of_two_of_at_least_four_cells() {
        assert_eq!(Grid::with_block_cells(10, 0).block_cells(), 4);
        assert_eq!(Grid::with_block_cells(10, 5).block_cells(), 8);
        assert_eq!(Grid::with_block_cells(10, 64).block_cells(), 64);
        assert_eq!(Grid::with_block_cells(10, u32::MAX).block_cells(), 1 << 32);
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
            prop_assert_eq!(by_cells.dense_bytes(), wire::test_util::pack_cells_for_tests(&flat, n_cols));
        }
    }
}
