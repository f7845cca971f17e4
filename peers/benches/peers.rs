//! Criterion version of the peer comparison: per-check latency of verdict (by
//! ids and by names), a plain `HashMap`, Cedar and Casbin on the same request
//! stream, for each organisation size of `verdict_peers::SIZES`, and the setup
//! time of each at the smallest size. Every contender is first checked against
//! verdict on 10,000 random requests; a disagreement aborts the run.
//!
//! Run: `cargo bench --manifest-path peers/Cargo.toml`. Read ns/check as the
//! time per iteration divided by its elements (the throughput line).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use verdict_peers::casbin_peer::CasbinPeer;
use verdict_peers::cedar_peer::{ActionEncoding, CedarPeer};
use verdict_peers::{
    agree, id_requests, named_requests, Contenders, MapPeer, VerdictPeer, World, SEED, SIZES,
};
use verdict_runtime::Cell;

fn bench_check(c: &mut Criterion) {
    for size in SIZES {
        let world = World::new(size, SEED);
        let peers = Contenders::build(&world);
        let agreement = agree(&world, &peers, &world.requests(10_000, SEED));
        assert!(
            agreement.mismatches.is_empty(),
            "{} of {} requests disagree with verdict, e.g. {}",
            agreement.mismatches.len(),
            agreement.n_requests,
            agreement.mismatches[0]
        );
        let stream = world.requests(1024, SEED + 1);
        let names = named_requests(&world, &stream);
        let ids = id_requests(&peers.verdict.table, &names);
        let cedar_names: Vec<(String, String)> = stream
            .iter()
            .map(|&(u, a)| (world.org.users[u].name.clone(), world.actions[a].clone()))
            .collect();
        let table = &peers.verdict.table;
        let mut group = c.benchmark_group("check");
        group.throughput(Throughput::Elements(ids.len() as u64));
        group.bench_function(BenchmarkId::new("verdict_ids", size.users), |b| {
            b.iter(|| {
                ids.iter()
                    .filter(|&&(p, a)| table.cell(black_box(p), black_box(a)) == Cell::Allow)
                    .count()
            })
        });
        group.bench_function(BenchmarkId::new("verdict_names", size.users), |b| {
            b.iter(|| {
                names
                    .iter()
                    .filter(|(p, a)| peers.verdict.check(black_box(p), black_box(a)).is_allowed())
                    .count()
            })
        });
        group.bench_function(BenchmarkId::new("hashmap", size.users), |b| {
            b.iter(|| {
                names
                    .iter()
                    .filter(|(p, a)| peers.map.check(black_box(p), black_box(a)).is_allowed())
                    .count()
            })
        });
        let few = &cedar_names[..64];
        group.throughput(Throughput::Elements(few.len() as u64));
        group.bench_function(BenchmarkId::new("cedar_lists", size.users), |b| {
            b.iter(|| {
                few.iter()
                    .filter(|(u, a)| peers.cedar.check(black_box(u), black_box(a)))
                    .count()
            })
        });
        group.bench_function(BenchmarkId::new("cedar_groups", size.users), |b| {
            b.iter(|| {
                few.iter()
                    .filter(|(u, a)| peers.cedar_groups.check(black_box(u), black_box(a)))
                    .count()
            })
        });
        let few = &names[..4];
        group.throughput(Throughput::Elements(few.len() as u64));
        group.sample_size(10);
        group.bench_function(BenchmarkId::new("casbin", size.users), |b| {
            b.iter(|| {
                few.iter()
                    .filter(|(p, a)| peers.casbin.check(black_box(p), black_box(a)))
                    .count()
            })
        });
        group.finish();
    }
}

fn bench_setup(c: &mut Criterion) {
    let world = World::new(SIZES[0], SEED);
    let mut group = c.benchmark_group("setup");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    let users = SIZES[0].users;
    group.bench_function(BenchmarkId::new("verdict_compile_load", users), |b| {
        b.iter(|| VerdictPeer::build(&world).table.byte_len())
    });
    group.bench_function(BenchmarkId::new("hashmap", users), |b| {
        b.iter(|| MapPeer::build(&world).map.len())
    });
    group.bench_function(BenchmarkId::new("cedar_lists", users), |b| {
        b.iter(|| CedarPeer::build(&world, ActionEncoding::Lists).n_policies)
    });
    group.bench_function(BenchmarkId::new("cedar_groups", users), |b| {
        b.iter(|| CedarPeer::build(&world, ActionEncoding::Groups).n_policies)
    });
    group.bench_function(BenchmarkId::new("casbin", users), |b| {
        b.iter(|| CasbinPeer::build(&world).n_rows)
    });
    group.finish();
}

criterion_group!(benches, bench_check, bench_setup);
criterion_main!(benches);
