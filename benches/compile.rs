//! Compile time for synthetic organisations of 100, 10,000 and 100,000
//! principals against the Chime catalog, and `Table::from_bytes` (load with
//! full validation) of the resulting tables.
//!
//! Run: `cargo bench --bench compile`. Peak memory is measured outside
//! criterion (see README, "Performance").

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use verdict_compiler::{compile, Catalog, Config, Input, MemoryLoader};
use verdict_runtime::Table;

fn bench_compile(c: &mut Criterion) {
    let catalog = Catalog::builtin("chime").unwrap();
    let mut group = c.benchmark_group("compile");
    for users in [100usize, 10_000, 100_000] {
        let policies = (users / 20).clamp(10, 5_000);
        let shape = verdict::synth::Shape {
            users,
            roles: users / 100,
            groups: (policies / 5).max(1),
            policies,
            seed: 11,
        };
        let text = verdict::synth::organisation(shape, &catalog);
        let mut files = MemoryLoader::default();
        files.insert("org.vp", text);
        let config = Config {
            catalog: catalog.clone(),
            limits: Default::default(),
        };
        group.bench_with_input(BenchmarkId::new("chime", users), &users, |b, _| {
            b.iter(|| {
                let out = compile(&[Input::auto("org.vp")], &config, &mut files);
                black_box(out.table.expect("compiles"))
            })
        });
        let table = compile(&[Input::auto("org.vp")], &config, &mut files)
            .table
            .unwrap();
        let bytes = table.to_bytes();
        group.bench_with_input(BenchmarkId::new("from_bytes", users), &bytes, |b, bytes| {
            b.iter(|| black_box(Table::from_bytes(black_box(bytes)).unwrap()))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(3));
    targets = bench_compile
}
criterion_main!(benches);
