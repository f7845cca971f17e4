//! The cost of knowing what conditional cells can become: deriving the
//! outcome set of every residual program of a 2,000-principal table whose
//! principals each have their own conditions, against loading that table
//! (the baseline, in the same run), and comparing every program with its
//! widened twin of a second table (what `diff` does per changed cell).
//!
//! Run: `cargo bench --bench outcomes -- --warm-up-time 1 --measurement-time 2`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use verdict_compiler::{compile, Catalog, Config, Input, MemoryLoader};
use verdict_runtime::Table;

const PRINCIPALS: usize = 2_000;

/// Each user with their own network, project tag and MFA conditions, and a
/// guard rail; `wide` widens the network and the tag pattern.
fn organisation(wide: bool) -> String {
    let mut text = String::new();
    for i in 0..PRINCIPALS {
        let (a, b) = ((i / 256) % 256, i % 256);
        let net = if wide {
            format!("10.{a}.0.0/16")
        } else {
            format!("10.{a}.{b}.0/24")
        };
        let project = if wide {
            format!("p{}*", i % 100)
        } else {
            format!("p{i}-*")
        };
        text.push_str(&format!(
            "policy P{i} {{\n  allow chime:List* when {{ IpAddress aws:SourceIp = \"{net}\" }}\n  allow chime:Get* when {{ StringLike aws:RequestTag/project = \"{project}\"  Bool aws:MultiFactorAuthPresent = true }}\n  deny chime:Delete* when {{ NotIpAddress aws:SourceIp = \"10.0.0.0/8\" }}\n}}\nuser u{i} {{ attach P{i} }}\n"
        ));
    }
    text
}

fn table(wide: bool) -> Vec<u8> {
    let catalog = Catalog::builtin("chime").unwrap();
    let mut files = MemoryLoader::default();
    files.insert("org.vp", organisation(wide));
    let out = compile(
        &[Input::auto("org.vp")],
        &Config {
            catalog,
            limits: Default::default(),
            templates: Default::default(),
        },
        &mut files,
    );
    assert!(!out.has_errors(), "{:?}", out.diagnostics.first());
    out.table.unwrap().to_bytes()
}

fn outcomes(c: &mut Criterion) {
    let narrow = table(false);
    let wide = table(true);
    let mut group = c.benchmark_group("outcomes");
    group.sample_size(10);
    let loaded = Table::from_bytes(&narrow).unwrap();
    let n = loaded.n_residuals() as u32;
    eprintln!("{n} residual programs");
    group.bench_function("load (baseline)", |b| {
        b.iter(|| black_box(Table::from_bytes(black_box(&narrow)).unwrap()))
    });
    group.bench_function("load + derive every outcome set", |b| {
        b.iter(|| {
            let table = Table::from_bytes(black_box(&narrow)).unwrap();
            let may_allow = (0..n)
                .filter(|&i| table.residual_outcomes(i).may_allow())
                .count();
            black_box(may_allow)
        })
    });
    let old = Table::from_bytes(&narrow).unwrap();
    let new = Table::from_bytes(&wide).unwrap();
    let pairs = old.residuals().len().min(new.residuals().len());
    group.bench_function("compare every program with its widened twin", |b| {
        b.iter(|| {
            let mut gains = 0;
            for i in 0..pairs {
                let cmp = verdict_runtime::outcome::compare(
                    (&old, &old.residuals()[i]),
                    (&new, &new.residuals()[i]),
                );
                gains += usize::from(cmp.gain.is_possible());
            }
            black_box(gains)
        })
    });
    group.finish();
}

criterion_group!(benches, outcomes);
criterion_main!(benches);
