//! Byte layout helpers: where a blob lives in a table's buffer ([`Region`]),
//! reading little-endian integers, names and packed cells in place, and
//! building those blobs (names with offsets, u32 arrays, hash indexes, the
//! packed grid) for the encoder.

use crate::error::{LoadError, LoadErrorKind};
use crate::hash;
use crate::types::Cell;

use super::header::MAX_BODY;

/// A byte range inside a table's owned buffer, checked to be in bounds on load.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Region {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Region {
    /// The bytes of this region; empty if out of bounds (impossible once validated).
    #[inline]
    pub(crate) fn of(self, bytes: &[u8]) -> &[u8] {
        bytes.get(self.start..self.end).unwrap_or_default()
    }

    pub(crate) fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// The region of `part`, a subslice of `base`.
    pub(super) fn within(base: &[u8], part: &[u8]) -> Result<Region, LoadError> {
        if part.is_empty() {
            return Ok(Region::default());
        }
        let start = (part.as_ptr() as usize)
            .checked_sub(base.as_ptr() as usize)
            .ok_or_else(|| LoadError::invalid("blob outside the table"))?;
        let end = start
            .checked_add(part.len())
            .filter(|&end| end <= base.len())
            .ok_or_else(|| LoadError::invalid("blob outside the table"))?;
        Ok(Region { start, end })
    }
}

/// The little-endian u32 at index `idx` of `blob`.
#[inline]
pub(crate) fn u32_at(blob: &[u8], idx: usize) -> Option<u32> {
    let start = idx.checked_mul(4)?;
    blob.get(start..)?
        .first_chunk::<4>()
        .map(|b| u32::from_le_bytes(*b))
}

/// The little-endian u64 at index `idx` of `blob`.
#[inline]
pub(crate) fn u64_at(blob: &[u8], idx: usize) -> Option<u64> {
    let start = idx.checked_mul(8)?;
    blob.get(start..)?
        .first_chunk::<8>()
        .map(|b| u64::from_le_bytes(*b))
}

/// Name `idx` of a names blob with its `n + 1` u32 offsets; `None` if out of range.
#[inline]
pub(crate) fn name_at<'b>(blob: &'b [u8], offsets: &[u8], idx: u32) -> Option<&'b [u8]> {
    // Offsets `idx` and `idx + 1` are adjacent: read both with one slice.
    let at = (idx as usize).checked_mul(4)?;
    let pair = u64::from_le_bytes(*offsets.get(at..)?.first_chunk::<8>()?);
    blob.get(pair as u32 as usize..(pair >> 32) as usize)
}

/// Bytes per row of a grid with `n_cols` columns.
#[inline]
pub(crate) fn stride(n_cols: u32) -> usize {
    (n_cols as usize).div_ceil(4)
}

/// The smallest block shift of a grid of `n_cols` columns stored one block
/// per row (the dense layout): `2^shift >= n_cols`, and at least 2.
pub(crate) fn dense_shift(n_cols: u32) -> u32 {
    u64::from(n_cols)
        .next_power_of_two()
        .trailing_zeros()
        .max(MIN_BLOCK_SHIFT)
}

/// The smallest block shift: a block holds at least 4 cells, one byte.
pub(crate) const MIN_BLOCK_SHIFT: u32 = 2;
/// The largest block shift: a block of 2^32 cells covers any row.
pub(crate) const MAX_BLOCK_SHIFT: u32 = 32;

/// The width in bytes of a block reference when a grid has `n_blocks`
/// distinct blocks: the narrowest of 1, 2 and 4 that holds every id.
pub(crate) fn ref_width(n_blocks: usize) -> u32 {
    if n_blocks <= 1 << 8 {
        1
    } else if n_blocks <= 1 << 16 {
        2
    } else {
        4
    }
}

/// How a grid is stored (format version 4): each row of `n_cols` cells cut
/// into `per_row` blocks of `2^shift` cells, each block `block_len` bytes
/// packed like a row (the last block of a row padded with zero bits); the
/// distinct blocks once each in `blocks`; a row as `per_row` block ids of
/// `ref_width` bytes in `refs`, or, when `ref_width` is 0, block `r * per_row
/// + j` for block `j` of row `r` (the dense layout, no references).
///
/// A cell is then two reads after its row and column classes: the block
/// reference, then the byte in the block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct GridLayout {
    pub(crate) shift: u32,
    pub(crate) per_row: usize,
    pub(crate) block_len: usize,
    pub(crate) ref_width: u32,
    pub(crate) blocks: Region,
    pub(crate) refs: Region,
}

impl GridLayout {
    /// The layout of a grid of `n_cols` columns with blocks of `2^shift` cells;
    /// `None` for a shift out of range.
    pub(crate) fn new(
        n_cols: u32,
        shift: u32,
        ref_width: u32,
        blocks: Region,
        refs: Region,
    ) -> Option<GridLayout> {
        let (per_row, block_len) = block_shape(n_cols, shift)?;
        Some(GridLayout {
            shift,
            per_row,
            block_len,
            ref_width,
            blocks,
            refs,
        })
    }

    /// The id of block `j` of row `row`; `None` out of range (impossible once
    /// validated, for `j < per_row` and a row in range).
    #[inline]
    pub(crate) fn block_of(&self, bytes: &[u8], row: u32, j: usize) -> Option<usize> {
        let index = (row as usize).checked_mul(self.per_row)?.checked_add(j)?;
        if self.ref_width == 0 {
            return Some(index);
        }
        ref_at(self.refs.of(bytes), self.ref_width, index)
    }

    /// The cell at (`row`, `col`); the caller checks both against the grid's
    /// dimensions.
    #[inline]
    pub(crate) fn cell(&self, bytes: &[u8], row: u32, col: u32) -> Option<Cell> {
        let col = u64::from(col);
        let j = col.checked_shr(self.shift).unwrap_or(0) as usize;
        let within = (col & block_mask(self.shift)) as usize;
        let id = self.block_of(bytes, row, j)?;
        let start = id.checked_mul(self.block_len)?;
        cell_in_row(self.blocks.of(bytes).get(start..)?, within)
    }
}

/// `2^shift - 1`.
fn block_mask(shift: u32) -> u64 {
    1u64.checked_shl(shift).map_or(u64::MAX, |b| b - 1)
}

/// Blocks per row and bytes per block of a grid of `n_cols` columns cut into
/// blocks of `2^shift` cells; `None` for a shift out of range.
pub(crate) fn block_shape(n_cols: u32, shift: u32) -> Option<(usize, usize)> {
    if !(MIN_BLOCK_SHIFT..=MAX_BLOCK_SHIFT).contains(&shift) {
        return None;
    }
    let cells = 1u64.checked_shl(shift)?;
    let n = u64::from(n_cols);
    let per_row = usize::try_from(n.div_ceil(cells)).ok()?;
    let block_len = usize::try_from(n.min(cells).div_ceil(4)).ok()?;
    Some((per_row, block_len))
}

/// Block reference `index` of `refs`, `width` bytes each (1, 2 or 4).
#[inline]
pub(crate) fn ref_at(refs: &[u8], width: u32, index: usize) -> Option<usize> {
    match width {
        1 => refs.get(index).map(|&b| usize::from(b)),
        2 => {
            let at = index.checked_mul(2)?;
            let pair = refs.get(at..)?.first_chunk::<2>()?;
            Some(usize::from(u16::from_le_bytes(*pair)))
        }
        4 => u32_at(refs, index).map(|v| v as usize),
        _ => None,
    }
}

/// The cell in column `col` of a packed grid row.
#[inline]
pub(crate) fn cell_in_row(row: &[u8], col: usize) -> Option<Cell> {
    let byte = row.get(col / 4)?;
    Some(Cell::from_bits(byte >> ((col % 4) * 2)))
}

pub(super) fn too_large(len: usize) -> LoadError {
    LoadError::new(LoadErrorKind::TooLarge {
        len: len as u64,
        limit: MAX_BODY,
    })
}

pub(super) fn count(len: usize) -> Result<u32, LoadError> {
    u32::try_from(len).map_err(|_| too_large(len))
}

/// Concatenated names and their `n + 1` u32 offsets.
pub(super) fn names_blob(names: &[String]) -> Result<(Vec<u8>, Vec<u8>), LoadError> {
    let total = names
        .iter()
        .try_fold(0usize, |acc, name| acc.checked_add(name.len()));
    let total = total.ok_or_else(|| too_large(usize::MAX))?;
    count(total)?;
    let mut blob = Vec::with_capacity(total);
    let mut offsets = Vec::with_capacity(names.len().saturating_add(1).saturating_mul(4));
    offsets.extend_from_slice(&0u32.to_le_bytes());
    for name in names {
        blob.extend_from_slice(name.as_bytes());
        offsets.extend_from_slice(&count(blob.len())?.to_le_bytes());
    }
    Ok((blob, offsets))
}

pub(super) fn u32_blob(values: impl IntoIterator<Item = u32>) -> Vec<u8> {
    values.into_iter().flat_map(u32::to_le_bytes).collect()
}

pub(super) fn index_blob(entries: &[(u32, u64)]) -> Result<Vec<u8>, LoadError> {
    let slots = hash::build_index(entries).ok_or_else(|| too_large(entries.len()))?;
    Ok(slots.into_iter().flat_map(u64::to_le_bytes).collect())
}

/// The dense packed grid of `cells` (`n_rows * n_cols`, row-major; checked by
/// the caller): what tests compare a grid's rows with.
#[cfg(test)]
pub(super) fn pack_cells(cells: &[Cell], n_cols: u32) -> Result<Vec<u8>, LoadError> {
    let stride = stride(n_cols);
    if stride == 0 {
        return Ok(Vec::new());
    }
    let n_rows = cells.len() / (n_cols as usize);
    let len = n_rows
        .checked_mul(stride)
        .ok_or_else(|| too_large(usize::MAX))?;
    let mut grid = vec![0u8; len];
    for (row_cells, row_bytes) in cells
        .chunks_exact(n_cols as usize)
        .zip(grid.chunks_exact_mut(stride))
    {
        // A byte at a time: four cells, the last byte of a row padded with zeros.
        for (quad, byte) in row_cells.chunks(4).zip(row_bytes.iter_mut()) {
            *byte = quad
                .iter()
                .rev()
                .fold(0, |acc, cell| (acc << 2) | cell.as_u8());
        }
    }
    Ok(grid)
}
