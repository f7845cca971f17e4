//! Measures grid block sizes on a real table: for each block size, the bytes
//! of the blocks and references against the dense grid, and the time of
//! random `Table::cell` reads on the table re-encoded with that block size,
//! beside the dense layout, in the same run.
//!
//! `cargo run --release -p verdict-runtime --example blocks -- TABLE [CHECKS]`

use std::time::Instant;

use verdict_runtime::parts::Grid;
use verdict_runtime::{ActionId, PrincipalId, Table};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: blocks TABLE [CHECKS]")?;
    let checks: usize = args.next().map_or(Ok(2_000_000), |n| n.parse())?;
    let table = Table::open(&path)?;
    let (n_rows, n_cols) = (table.n_row_classes() as u32, table.n_col_classes() as u32);
    let dense = n_rows as usize * (n_cols as usize).div_ceil(4);
    println!(
        "{path}: {} bytes, {n_rows} row classes × {n_cols} column classes, dense grid {dense} bytes, stored {:?}",
        table.byte_len(),
        table.grid_stats()
    );
    let mut parts = table.to_parts();
    let cells = std::mem::take(&mut parts.cells);
    // The same random (principal, action) pairs for every layout.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let pairs: Vec<(PrincipalId, ActionId)> = (0..checks)
        .filter_map(|_| {
            let p = table.principal_at((next() % table.n_principals() as u64) as u32);
            let a = table.action_at((next() % table.n_actions() as u64) as u32);
            Some((p?, a?))
        })
        .collect();
    println!("| block cells | blocks | block bytes | reference bytes | grid bytes | of dense | table bytes | ns per cell |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for block_cells in [u32::MAX, 32, 64, 128, 256, 512, 1024] {
        let mut grid = Grid::with_block_cells(n_cols, block_cells);
        if n_cols > 0 {
            for row in cells.chunks(n_cols as usize) {
                grid.push_row(row.iter().copied());
            }
        }
        let built = Table::from_parts_with_grid(parts.clone(), grid)?;
        let stats = built.grid_stats();
        let grid_bytes = stats.block_bytes + stats.ref_bytes;
        let mut best = f64::MAX;
        let mut sink = 0usize;
        for _ in 0..5 {
            let start = Instant::now();
            for &(p, a) in &pairs {
                sink = sink.wrapping_add(built.cell(p, a) as usize);
            }
            best = best.min(start.elapsed().as_nanos() as f64 / pairs.len() as f64);
        }
        std::hint::black_box(sink);
        let label = if stats.ref_width == 0 {
            "dense".to_string()
        } else {
            stats.block_cells.to_string()
        };
        println!(
            "| {label} | {} | {} | {} | {grid_bytes} | {:.3} | {} | {best:.1} |",
            stats.n_blocks,
            stats.block_bytes,
            stats.ref_bytes,
            grid_bytes as f64 / dense.max(1) as f64,
            built.byte_len()
        );
    }
    Ok(())
}
