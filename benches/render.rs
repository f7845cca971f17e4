//! Printing diagnostics: the same 10,000 warnings (two per policy of a
//! 5,000-policy account dump) located and rendered when the dump is one
//! line of 2.5 MB (as `jq -c` writes it) and when it is pretty-printed, the
//! baseline. Locating a diagnostic must not depend on the length of its
//! line: before the line index kept character-count checkpoints, `short`
//! on the one-line dump was quadratic, and the human format panicked past
//! column 65,535. Groups: `render/short`, `render/json`, `render/human`
//! (every diagnostic, `--all-diagnostics`), `render/human-summary` (the
//! default terminal output), and `render/compile`, the compile that found
//! them, for scale.
//!
//! Run: `cargo bench --bench render -- --warm-up-time 1 --measurement-time 2`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use verdict::render::{self, MessageFormat};
use verdict::Io;
use verdict_compiler::{compile, Compilation, Config, Input, MemoryLoader};

/// Policies of the dump; each has an unknown action (W0201) and is
/// attached to nobody but the first (W0405).
const POLICIES: usize = 5_000;

/// The account dump, on one line or pretty-printed.
fn dump(pretty: bool) -> String {
    let policies: Vec<serde_json::Value> = (0..POLICIES)
        .map(|i| {
            serde_json::json!({
                "PolicyName": format!("P{i}"),
                "Arn": format!("arn:aws:iam::123456789012:policy/P{i}"),
                "DefaultVersionId": "v1",
                "PolicyVersionList": [{
                    "VersionId": "v1",
                    "IsDefaultVersion": true,
                    "Document": {"Version": "2012-10-17", "Statement": [
                        {"Sid": "Read", "Effect": "Allow", "Action": ["chime:ListUsers", "chime:GetUser"], "Resource": "*"},
                        {"Sid": "Typo", "Effect": "Allow", "Action": "chime:ListUser", "Resource": "*"},
                    ]},
                }],
            })
        })
        .collect();
    let value = serde_json::json!({
        "UserDetailList": [{
            "UserName": "alice",
            "Arn": "arn:aws:iam::123456789012:user/alice",
            "AttachedManagedPolicies": [{"PolicyName": "P0", "PolicyArn": "arn:aws:iam::123456789012:policy/P0"}],
        }],
        "Policies": policies,
    });
    if pretty {
        serde_json::to_string_pretty(&value).unwrap()
    } else {
        value.to_string()
    }
}

fn compiled(text: &str) -> Compilation {
    let mut files = MemoryLoader::default();
    files.insert("dump.json", text);
    compile(
        &[Input::account_dump("dump.json")],
        &Config::default(),
        &mut files,
    )
}

/// Renders every diagnostic of `out` into memory; returns the bytes written.
fn render_all(out: &Compilation, format: MessageFormat, all: bool) -> usize {
    let mut stdin = std::io::empty();
    let mut stdin = std::io::BufReader::new(&mut stdin);
    let mut stdout = Vec::new();
    let mut stderr = Vec::with_capacity(1 << 20);
    let mut io = Io {
        stdin: &mut stdin,
        stdout: &mut stdout,
        stderr: &mut stderr,
        color: false,
        progress: false,
    };
    render::diagnostics_with(&mut io, format, &out.sources, &out.diagnostics, all);
    stderr.len()
}

fn bench_render(c: &mut Criterion) {
    let texts = [("one-line", dump(false)), ("pretty", dump(true))];
    let outs: Vec<(&str, Compilation)> = texts
        .iter()
        .map(|(name, text)| (*name, compiled(text)))
        .collect();
    for (_, out) in &outs {
        assert_eq!(out.diagnostics.len(), 2 * POLICIES - 1);
    }
    let formats = [
        ("short", MessageFormat::Short, true),
        ("json", MessageFormat::Json, true),
        ("human", MessageFormat::Human, true),
        ("human-summary", MessageFormat::Human, false),
    ];
    for (group_name, format, all) in formats {
        let mut group = c.benchmark_group(format!("render/{group_name}"));
        group.sample_size(10);
        for (name, out) in &outs {
            group.bench_with_input(BenchmarkId::from_parameter(name), out, |b, out| {
                b.iter(|| black_box(render_all(black_box(out), format, all)));
            });
        }
        group.finish();
    }
    let mut group = c.benchmark_group("render/compile");
    group.sample_size(10);
    for (name, text) in &texts {
        group.bench_with_input(BenchmarkId::from_parameter(name), text, |b, text| {
            b.iter(|| black_box(compiled(black_box(text)).diagnostics.len()));
        });
    }
    group.finish();
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
