//! What authenticating a table costs: loading a 100 MB table with
//! `from_bytes` (CRC-32C and validation) against `from_bytes_verified` with a
//! signature (SHA-256 of the whole file, one Ed25519 verification, then the
//! same load) and with a digest pin, and SHA-256 alone, over the same bytes.
//!
//! The table is synthetic: 20,000 principals × 20,000 actions, each in its own
//! class, so that the packed grid alone is 100 MB (2 bits a cell); cells
//! cycle through allow, deny and implicit-deny. What verification costs
//! depends on the byte count only, not on what the table says.
//!
//! Run: `cargo bench --bench verify -- --warm-up-time 1 --measurement-time 2`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use verdict_runtime::parts::{Grid, TableParts};
use verdict_runtime::{AccessLevel, Digest, SigningKey, Table, Verifier};

const SIDE: u32 = 20_000;

fn big_table() -> Table {
    let principals: Vec<String> = (0..SIDE).map(|i| format!("user/u{i}")).collect();
    let actions: Vec<String> = (0..SIDE).map(|i| format!("svc:Action{i}")).collect();
    let mut grid = Grid::with_capacity(SIDE, SIDE as usize);
    let n_words = (SIDE as usize).div_ceil(32);
    for row in 0..SIDE {
        // Cells 0, 1, 2 (implicit-deny, allow, deny) in a row-dependent cycle.
        let words: Vec<u64> = (0..n_words)
            .map(|w| {
                let mut word = 0u64;
                for c in 0..32 {
                    let cell = (row as u64 + w as u64 * 32 + c) % 3;
                    word |= cell << (c * 2);
                }
                word
            })
            .collect();
        grid.push_row_words(&words);
    }
    let parts = TableParts {
        catalog: "synthetic".to_owned(),
        principal_arns: vec![String::new(); SIDE as usize],
        action_access: vec![AccessLevel::Read; SIDE as usize],
        action_wildcard_only: vec![true; SIDE as usize],
        principal_row: (0..SIDE).collect(),
        action_col: (0..SIDE).collect(),
        n_rows: SIDE,
        n_cols: SIDE,
        principals,
        actions,
        ..TableParts::default()
    };
    Table::from_parts_with_grid(parts, grid).unwrap()
}

fn verify(c: &mut Criterion) {
    let key = SigningKey::from_seed(&[7; 32]);
    let signed = big_table().to_signed_bytes(&key);
    let by_key = Verifier::Key(key.verifying_key());
    let pin = Verifier::Digest(Table::from_bytes(&signed).unwrap().digest());
    eprintln!("verify: table of {} bytes", signed.len());
    let mut group = c.benchmark_group("verify");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(signed.len() as u64));
    group.bench_function("from_bytes", |b| {
        b.iter(|| Table::from_bytes(black_box(&signed)).unwrap())
    });
    group.bench_function("from_bytes_verified/key", |b| {
        b.iter(|| Table::from_bytes_verified(black_box(&signed), &by_key).unwrap())
    });
    group.bench_function("from_bytes_verified/digest", |b| {
        b.iter(|| Table::from_bytes_verified(black_box(&signed), &pin).unwrap())
    });
    group.bench_function("sha256", |b| b.iter(|| Digest::of(black_box(&signed))));
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);
