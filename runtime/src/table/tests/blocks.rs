//! Tests of the block grid of format version 4: tables stored as distinct
//! blocks and block references answer like their cells, and every damage to
//! the blocks, the references or their shape is rejected with an error.

use super::*;

/// 20 columns in blocks of 8 cells (three blocks a row, the last of 4 cells),
/// 8 row classes built from two patterns per block position, so the blocks
/// and references are smaller than the dense grid. Conditional cells in one
/// pattern of the middle block.
fn blocked_parts() -> (TableParts, Grid) {
    let (n_rows, n_cols) = (8u32, 20u32);
    let first = [[A, A, I, I, D, I, I, I], [I, I, I, I, I, I, I, A]];
    let middle = [[I, C, I, I, I, I, I, I], [D, D, D, D, A, A, A, A]];
    let last = [[I, I, I, A], [D, I, I, I]];
    let mut cells = Vec::new();
    let mut conditional = Vec::new();
    let mut grid = Grid::with_block_cells(n_cols, 8);
    for r in 0..n_rows {
        let (i, j, k) = (
            (r % 2) as usize,
            ((r / 2) % 2) as usize,
            ((r / 4) % 2) as usize,
        );
        let row: Vec<Cell> = first[i]
            .iter()
            .chain(&middle[j])
            .chain(&last[k])
            .copied()
            .collect();
        for (c, &cell) in row.iter().enumerate() {
            if cell == C {
                conditional.push((r, c as u32, 0));
            }
        }
        grid.push_row(row.iter().copied());
        cells.extend(row);
    }
    let base = sample_parts();
    let parts = TableParts {
        catalog: "chime".into(),
        principals: (0..n_rows).map(|r| format!("user/u{r}")).collect(),
        principal_arns: vec![String::new(); n_rows as usize],
        actions: (0..n_cols).map(|c| format!("chime:Action{c}")).collect(),
        action_access: vec![AccessLevel::Read; n_cols as usize],
        action_wildcard_only: vec![false; n_cols as usize],
        principal_row: (0..n_rows).collect(),
        action_col: (0..n_cols).collect(),
        n_rows,
        n_cols,
        cells,
        atoms: base.atoms,
        residuals: base.residuals,
        conditional,
        ..TableParts::default()
    };
    (parts, grid)
}

fn blocked() -> Table {
    let (mut parts, grid) = blocked_parts();
    parts.cells.clear();
    Table::from_parts_with_grid(parts, grid).unwrap()
}

/// The bytes of `table`'s parts encoded again, in blocks of 8 cells.
fn reencoded(table: &Table) -> Vec<u8> {
    let mut parts = table.to_parts();
    let mut grid = Grid::with_block_cells(parts.n_cols, 8);
    for row in parts.cells.chunks(parts.n_cols as usize) {
        grid.push_row(row.iter().copied());
    }
    parts.cells.clear();
    Table::from_parts_with_grid(parts, grid).unwrap().to_bytes()
}

#[test]
fn blocked_tables_answer_like_their_cells() {
    let (parts, _) = blocked_parts();
    let table = blocked();
    let stats = table.grid_stats();
    assert_eq!(
        (stats.block_cells, stats.blocks_per_row, stats.ref_width),
        (8, 3, 1)
    );
    assert_eq!(stats.n_blocks, 6);
    assert_eq!((stats.block_bytes, stats.ref_bytes), (12, 24));
    assert_eq!(stats.dense_bytes, 40);
    for row in 0..parts.n_rows {
        for col in 0..parts.n_cols {
            let cell = parts.cells[(row * parts.n_cols + col) as usize];
            assert_eq!(table.class_cell(row, col), cell, "({row}, {col})");
        }
    }
    assert_eq!(table.class_cell(8, 0), Cell::Deny);
    assert_eq!(table.class_cell(0, 20), Cell::Deny);
    assert_eq!(table.n_conditional_cells(), 4);
    // Re-encoding gives the bytes back, and so does encoding the cells with
    // the same block size.
    assert_eq!(reencoded(&table), table.to_bytes());
}

#[test]
fn small_grids_are_stored_dense() {
    // The sample's three distinct rows of three cells: references would cost
    // more than they save.
    let stats = sample().grid_stats();
    assert_eq!(
        (stats.ref_width, stats.ref_bytes, stats.blocks_per_row),
        (0, 0, 1)
    );
    assert_eq!(stats.block_bytes, stats.dense_bytes);
}

/// The region of a blocked table's bytes that holds the byte `back` bytes
/// before the blocks blob's length prefix: the block shift (2) or the
/// reference width (1).
fn shape_field(table: &Table, back: usize) -> Region {
    let start = table.grid.blocks.start - 8 - back;
    Region {
        start,
        end: start + 1,
    }
}

#[test]
fn rejects_damaged_block_shapes() {
    let table = blocked();
    for shift in [0u8, 1, 33, u8::MAX] {
        let bytes = tamper_table(&table, |t| shape_field(t, 2), |b| b[0] = shift);
        invalid(&bytes, "grid block shift");
    }
    // Blocks of 16 cells: the bytes no longer make whole blocks of 4.
    let bytes = tamper_table(&table, |t| shape_field(t, 2), |b| b[0] = 4);
    invalid(
        &bytes,
        "bytes of grid block references for 8 row classes of 2 blocks",
    );
    for width in [0u8, 2, 3, 4, 8] {
        let bytes = tamper_table(&table, |t| shape_field(t, 1), |b| b[0] = width);
        let (kind, msg) = load_err(&bytes);
        assert!(kind.starts_with("Invalid"), "{width}: {kind}: {msg}");
        assert!(msg.contains("grid"), "{width}: {msg}");
    }
}

#[test]
fn rejects_block_references_out_of_range_or_out_of_order() {
    let table = blocked();
    // Reference 0 is block 0; block 6 does not exist.
    let bytes = tamper_table(&table, |t| t.grid.refs, |refs| refs[5] = 6);
    invalid(&bytes, "refers to grid block 6");
    let bytes = tamper_table(&table, |t| t.grid.refs, |refs| refs[23] = 0xFF);
    invalid(&bytes, "refers to grid block 255");
    // The first row may only use blocks 0, 1, 2 in that order.
    let bytes = tamper_table(&table, |t| t.grid.refs, |refs| refs[0] = 1);
    invalid(&bytes, "row class 0 refers to grid block 1, but 0 blocks");
    // Row 1 reuses block 0 for its first block: block 3 is never used.
    let bytes = tamper_table(
        &table,
        |t| t.grid.refs,
        |refs| {
            assert_eq!(refs[3], 3);
            refs[3] = 0;
        },
    );
    let (kind, msg) = load_err(&bytes);
    assert!(kind.starts_with("Invalid"), "{kind}: {msg}");
}

#[test]
fn rejects_equal_blocks_and_padding_bits() {
    let table = blocked();
    // Block 3 made equal to block 0 (both first blocks, no conditional cells).
    let bytes = tamper_table(
        &table,
        |t| t.grid.blocks,
        |blocks| {
            let (a, b) = (blocks[0], blocks[1]);
            blocks[6] = a;
            blocks[7] = b;
        },
    );
    invalid(&bytes, "grid blocks 0 and 3 are equal");
    // Block 2 is a last block of 4 cells in a byte of... 2 bytes: its second
    // byte is padding.
    let bytes = tamper_table(&table, |t| t.grid.blocks, |blocks| blocks[5] = 1);
    invalid(
        &bytes,
        "padding bits of grid block 2, the last of row class 0",
    );
    // A new conditional cell without an entry.
    let bytes = tamper_table(&table, |t| t.grid.blocks, |blocks| blocks[0] |= 0b11);
    invalid(&bytes, "conditional entries for");
}

/// Every bit of the blocks and references flipped, re-checksummed: rejected,
/// or a table that is what its encoder writes for its cells (one encoding per
/// table) and answers every cell without panicking.
#[test]
fn every_flipped_bit_of_blocks_and_references_is_rejected_or_canonical() {
    let table = blocked();
    let bytes = table.to_bytes();
    for region in [table.grid.blocks, table.grid.refs] {
        for pos in region.start..region.end {
            for bit in 0..8 {
                let mut copy = bytes.clone();
                copy[pos] ^= 1 << bit;
                fix_checksum(&mut copy);
                let Ok(loaded) = Table::from_bytes(&copy) else {
                    continue;
                };
                for p in loaded.principals() {
                    for a in loaded.actions() {
                        let _ = loaded.check_with(p, a, &Request::default());
                    }
                }
                assert_eq!(reencoded(&loaded), copy, "byte {pos} bit {bit}");
            }
        }
    }
    // Every truncation, without and with a fixed header.
    for len in 0..bytes.len() {
        assert!(Table::from_bytes(&bytes[..len]).is_err(), "length {len}");
        let mut short = bytes[..len].to_vec();
        fix_header(&mut short);
        assert!(Table::from_bytes(&short).is_err(), "length {len}, fixed");
    }
}

proptest! {
    /// Any block size gives a table with the same cells as the dense one.
    #[test]
    fn every_block_size_gives_the_same_cells(
        n_cols in 1u32..70,
        shift in 2u32..9,
        patterns in proptest::collection::vec(proptest::collection::vec(0u8..3, 70), 1..4),
        picks in proptest::collection::vec(0usize..4, 1..12),
    ) {
        let rows: Vec<Vec<Cell>> = picks
            .iter()
            .map(|&i| patterns[i % patterns.len()][..n_cols as usize].iter().map(|&b| Cell::from_bits(b)).collect())
            .collect();
        let n_rows = rows.len() as u32;
        let mut grid = Grid::with_block_cells(n_cols, 1 << shift);
        for row in &rows {
            grid.push_row(row.iter().copied());
        }
        let parts = TableParts {
            catalog: "chime".into(),
            principals: vec!["user/p".into()],
            principal_arns: vec![String::new()],
            actions: vec!["chime:A".into()],
            action_access: vec![AccessLevel::Read],
            action_wildcard_only: vec![false],
            principal_row: vec![0],
            action_col: vec![0],
            n_rows,
            n_cols,
            ..TableParts::default()
        };
        let table = Table::from_parts_with_grid(parts, grid).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, &cell) in row.iter().enumerate() {
                prop_assert_eq!(table.class_cell(r as u32, c as u32), cell);
            }
        }
    }
}
