//! Compile time for synthetic organisations of 100, 10,000 and 100,000
//! principals against the Chime catalog (316 actions) and of 10,000 and
//! 100,000 against the all-AWS catalog (22,321 actions); then loading the
//! resulting tables: `Table::from_bytes` (full validation, bytes already in
//! memory) and `Table::open` plus the first check (what a process pays
//! before its first answer), against reading the file and then loading the
//! bytes.
//!
//! Building the built-in catalogs, with and without their condition-key data
//! (`-- catalog`).
//!
//! Run: `cargo bench --bench compile`, or `-- load` for the loads only. Peak
//! memory is measured outside criterion (see README, "Performance").

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use verdict_compiler::{compile, Catalog, Config, Input, MemoryLoader};
use verdict_runtime::{Decision, Table};

#[path = "../examples/support/cross_service.rs"]
mod support;

/// The organisations: catalog and principals, as `examples/synth.rs`
/// generates them (`-- --catalog aws 100000` for the last one).
const ORGS: [(&str, usize); 5] = [
    ("chime", 100),
    ("chime", 10_000),
    ("chime", 100_000),
    ("aws", 10_000),
    ("aws", 100_000),
];

/// The organisation text, compiler configuration and input files.
fn org(catalog: &str, users: usize) -> (Config, MemoryLoader) {
    let catalog = Catalog::builtin(catalog).unwrap();
    let policies = (users / 20).clamp(10, 5_000);
    let shape = verdict::synth::Shape {
        users,
        roles: users / 100,
        groups: (policies / 5).max(1),
        policies,
        seed: 11,
    };
    let mut text = verdict::synth::organisation(shape, &catalog);
    if catalog.name() == "aws" {
        text = support::cross_service(&text);
    }
    let mut files = MemoryLoader::default();
    files.insert("org.vp", text);
    (
        Config {
            catalog,
            limits: Default::default(),
            templates: Default::default(),
        },
        files,
    )
}

fn compile_table(config: &Config, files: &mut MemoryLoader) -> Table {
    let out = compile(&[Input::auto("org.vp")], config, files);
    out.table.expect("compiles")
}

fn bench_compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    for (catalog, users) in ORGS {
        let (config, mut files) = org(catalog, users);
        group.bench_function(BenchmarkId::new(catalog, users), |b| {
            b.iter(|| black_box(compile_table(&config, &mut files)))
        });
    }
    group.finish();
}

fn bench_load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    let dir = std::env::temp_dir();
    for (catalog, users) in ORGS {
        let (config, mut files) = org(catalog, users);
        let table = compile_table(&config, &mut files);
        let label = format!("{catalog}-{users}");
        let bytes = table.to_bytes();
        group.bench_with_input(
            BenchmarkId::new("from_bytes", &label),
            &bytes,
            |b, bytes| b.iter(|| black_box(Table::from_bytes(black_box(bytes)).unwrap())),
        );
        let path = dir.join(format!("verdict-bench-{}-{label}.vdt", std::process::id()));
        std::fs::write(&path, &bytes).unwrap();
        // A principal and an action from the middle of the table.
        let principal = table
            .principal_name(table.principal_at(table.n_principals() as u32 / 2).unwrap())
            .to_string();
        let action = table
            .action_name(table.action_at(table.n_actions() as u32 / 2).unwrap())
            .to_string();
        group.bench_with_input(BenchmarkId::new("open_check", &label), &path, |b, path| {
            b.iter(|| {
                let table = Table::open(black_box(path)).unwrap();
                table.check(&principal, &action).unwrap() == Decision::Allow
            })
        });
        // Baseline: read the file, then load the bytes (one more copy).
        group.bench_with_input(
            BenchmarkId::new("read_from_bytes_check", &label),
            &path,
            |b, path| {
                b.iter(|| {
                    let bytes = std::fs::read(black_box(path)).unwrap();
                    let table = Table::from_bytes(&bytes).unwrap();
                    table.check(&principal, &action).unwrap() == Decision::Allow
                })
            },
        );
        std::fs::remove_file(&path).unwrap();
    }
    group.finish();
}

/// Building the built-in catalogs: the actions alone (what every compile
/// pays), and with the condition-key data, which the key lints parse on
/// first use when a policy has a condition.
fn bench_catalog(c: &mut Criterion) {
    let mut group = c.benchmark_group("catalog");
    for name in ["chime", "aws"] {
        group.bench_function(BenchmarkId::new("actions", name), |b| {
            b.iter(|| black_box(Catalog::builtin(name).unwrap()))
        });
        group.bench_function(BenchmarkId::new("actions+keys", name), |b| {
            b.iter(|| {
                let catalog = Catalog::builtin(name).unwrap();
                black_box(catalog.condition_keys().map(|k| k.counts()));
                catalog
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = bench_compile, bench_load, bench_catalog
}
criterion_main!(benches);
