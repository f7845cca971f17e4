//! Check latency: the table by ids and by names, against a plain
//! `HashMap<(String, String), Decision>` and the reference evaluator, over the
//! same request stream, for 10,000 principals × the Chime catalog at 10, 500
//! and 5,000 policies. The table's lines should stay flat as policies grow.
//!
//! A conditional group measures `check_with` on a two-key residual against the
//! reference evaluator. The lookup group splits a check by names into its two
//! lookups and the hashing of each name. The threads group checks one shared
//! table from one and from two threads: throughput should double. The
//! bounded group measures the costliest requests the default request limits
//! let through, against a typical request. The suggest group measures the
//! did-you-mean of an unknown principal on 101,000 principals (`verdict::lookup`)
//! against one pass over the names and against the same distance over every
//! name, without the kind and length window.
//!
//! The scale group (format version 4, issue 15) compiles 10,000 and 100,000
//! users against the AWS catalog and measures, in the same run, the table's
//! open (`Table::from_bytes`: checksum and validation) and random checks by
//! ids and by names beside a hand-written dense class grid (two bits a cell,
//! row and column class maps, `HashMap<String, u32>` name maps) and a
//! `HashMap<(String, String), Decision>` over the request stream's pairs
//! (the whole product would not fit in memory at 100,000 users, so the map
//! is smaller and warmer than the table: a flattering baseline). The table
//! and dense grid sizes are printed at setup.
//!
//! Run: `cargo bench --bench check`. Report ratios from one run.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use verdict_compiler::reference::{self, Request};
use verdict_compiler::{compile, Catalog, Compilation, Config, Input, MemoryLoader};
use verdict_runtime::{ActionId, Decision, PrincipalId, Table};

const PRINCIPALS: usize = 10_000;
const STREAM: usize = 1024;

fn build(policies: usize) -> (Compilation, Catalog) {
    let catalog = Catalog::builtin("chime").unwrap();
    let shape = verdict::synth::Shape {
        users: PRINCIPALS,
        roles: 0,
        groups: (policies / 2).max(1),
        policies,
        seed: 7,
    };
    let text = verdict::synth::organisation(shape, &catalog);
    let mut files = MemoryLoader::default();
    files.insert("org.vp", text);
    let out = compile(
        &[Input::auto("org.vp")],
        &Config {
            catalog: catalog.clone(),
            limits: Default::default(),
            templates: Default::default(),
        },
        &mut files,
    );
    assert!(!out.has_errors(), "{:?}", out.diagnostics.first());
    (out, catalog)
}

/// `STREAM` deterministic random (principal, action) requests of `table`,
/// by ids and by names.
type Stream = (Vec<(PrincipalId, ActionId)>, Vec<(String, String)>);

fn request_stream(table: &Table, seed: u64) -> Stream {
    let mut seed = seed;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    let stream: Vec<(PrincipalId, ActionId)> = (0..STREAM)
        .map(|_| {
            (
                table
                    .principal_at((next() % table.n_principals()) as u32)
                    .unwrap(),
                table
                    .action_at((next() % table.n_actions()) as u32)
                    .unwrap(),
            )
        })
        .collect();
    let names = stream
        .iter()
        .map(|&(p, a)| {
            (
                table.principal_name(p).to_string(),
                table.action_name(a).to_string(),
            )
        })
        .collect();
    (stream, names)
}

fn bench_check(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.throughput(Throughput::Elements(STREAM as u64));
    for policies in [10usize, 500, 5_000] {
        let (out, catalog) = build(policies);
        let table = out.table.as_ref().unwrap();
        let model = out.model.as_ref().unwrap();
        let empty = verdict_runtime::Context::new();
        // The same deterministic request stream for every contender.
        let (stream, names) = request_stream(table, 0x5eed);
        let map: HashMap<(String, String), Decision> = table
            .principals()
            .flat_map(|p| table.actions().map(move |a| (p, a)))
            .map(|(p, a)| {
                let d = table
                    .check(table.principal_name(p), table.action_name(a))
                    .unwrap();
                (
                    (
                        table.principal_name(p).to_string(),
                        table.action_name(a).to_string(),
                    ),
                    d,
                )
            })
            .collect();

        group.bench_with_input(
            BenchmarkId::new("table_ids", policies),
            &stream,
            |b, stream| {
                b.iter(|| {
                    let mut allowed = 0usize;
                    for &(p, a) in stream {
                        allowed += (table.cell(black_box(p), black_box(a))
                            == verdict_runtime::Cell::Allow)
                            as usize;
                    }
                    allowed
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("table_names", policies),
            &names,
            |b, names| {
                b.iter(|| {
                    let mut allowed = 0usize;
                    for (p, a) in names {
                        allowed += (table.check(black_box(p), black_box(a)).unwrap()
                            == Decision::Allow) as usize;
                    }
                    allowed
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("hashmap_names", policies),
            &names,
            |b, names| {
                b.iter(|| {
                    let mut allowed = 0usize;
                    for (p, a) in names {
                        // The natural baseline: a (String, String) key, as a user would build it.
                        allowed += (map[&(black_box(p).clone(), black_box(a).clone())]
                            == Decision::Allow) as usize;
                    }
                    allowed
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("reference", policies),
            &names[..64],
            |b, names| {
                b.iter(|| {
                    let mut allowed = 0usize;
                    for (p, a) in names {
                        let r = Request {
                            principal: black_box(p),
                            action: black_box(a),
                            resource: "*",
                            context: &empty,
                        };
                        allowed += (reference::evaluate(model, &catalog, r).unwrap()
                            == Decision::Allow) as usize;
                    }
                    allowed
                })
            },
        );
    }
    group.finish();
}

/// A conditional check with a typical two-key residual ("deny unless from the
/// corporate network with MFA"): `check_with` on the table against the
/// reference evaluator on the same requests, which satisfy, violate and omit
/// the keys in turn.
fn bench_conditional(c: &mut Criterion) {
    let policy = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"chime:*","Resource":"*"},
        {"Effect":"Deny","Action":"chime:*","Resource":"*",
         "Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]},
                      "BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}"#;
    let catalog = Catalog::builtin("chime").unwrap();
    let mut files = MemoryLoader::default();
    files.insert("p.json", policy);
    files.insert(
        "org.vp",
        "policy P from \"p.json\"\nuser alice { attach P }\n",
    );
    let out = compile(
        &[Input::auto("org.vp")],
        &Config {
            catalog: catalog.clone(),
            limits: Default::default(),
            templates: Default::default(),
        },
        &mut files,
    );
    assert!(!out.has_errors(), "{:?}", out.diagnostics.first());
    let table = out.table.as_ref().unwrap();
    let model = out.model.as_ref().unwrap();
    let p = table.principal("user/alice").unwrap();
    let a = table.action("chime:CreateMeeting").unwrap();
    assert_eq!(table.cell(p, a), verdict_runtime::Cell::Conditional);
    let contexts: Vec<verdict_runtime::Context> = [
        ("10.1.2.3", Some("true")),
        ("203.0.113.7", Some("false")),
        ("192.168.4.4", None),
        ("2001:db8::1", Some("true")),
    ]
    .into_iter()
    .map(|(ip, mfa)| {
        let ctx = verdict_runtime::Context::new().with("aws:SourceIp", ip);
        match mfa {
            Some(m) => ctx.with("aws:MultiFactorAuthPresent", m),
            None => ctx,
        }
    })
    .collect();
    let mut group = c.benchmark_group("conditional");
    group.throughput(Throughput::Elements(contexts.len() as u64));
    group.bench_function("table_check_with", |b| {
        b.iter(|| {
            contexts
                .iter()
                .filter(|ctx| {
                    let req = verdict_runtime::Request {
                        resource: "*",
                        context: black_box(ctx),
                    };
                    table.check_with(p, a, &req) == Decision::Allow
                })
                .count()
        })
    });
    group.bench_function("reference", |b| {
        b.iter(|| {
            contexts
                .iter()
                .filter(|ctx| {
                    let r = Request {
                        principal: "user/alice",
                        action: "chime:CreateMeeting",
                        resource: "*",
                        context: black_box(ctx),
                    };
                    reference::evaluate(model, &catalog, r).unwrap() == Decision::Allow
                })
                .count()
        })
    });
    group.finish();
}

/// Where the time of a check by names goes: each name lookup alone, against
/// a std `HashMap<String, u32>` over the same names.
fn bench_lookup(c: &mut Criterion) {
    let (out, _) = build(10);
    let table = out.table.as_ref().unwrap();
    let mut group = c.benchmark_group("lookup");
    group.throughput(Throughput::Elements(STREAM as u64));
    let mut seed = 0x1234_u64;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    let principals: Vec<String> = (0..STREAM)
        .map(|_| {
            table
                .principal_name(
                    table
                        .principal_at((next() % table.n_principals()) as u32)
                        .unwrap(),
                )
                .to_string()
        })
        .collect();
    let actions: Vec<String> = (0..STREAM)
        .map(|_| {
            table
                .action_name(
                    table
                        .action_at((next() % table.n_actions()) as u32)
                        .unwrap(),
                )
                .to_string()
        })
        .collect();
    let principal_map: HashMap<String, u32> = table
        .principals()
        .map(|p| (table.principal_name(p).to_string(), p.index()))
        .collect();
    let action_map: HashMap<String, u32> = table
        .actions()
        .map(|a| (table.action_name(a).to_string(), a.index()))
        .collect();
    group.bench_function("table_principal", |b| {
        b.iter(|| {
            principals
                .iter()
                .map(|n| table.principal(black_box(n)).unwrap().index() as usize)
                .sum::<usize>()
        })
    });
    group.bench_function("hashmap_principal", |b| {
        b.iter(|| {
            principals
                .iter()
                .map(|n| principal_map[black_box(n.as_str())] as usize)
                .sum::<usize>()
        })
    });
    group.bench_function("hash_principal", |b| {
        b.iter(|| {
            principals
                .iter()
                .map(|n| verdict_runtime::name_hash(black_box(n), false) as usize)
                .fold(0usize, usize::wrapping_add)
        })
    });
    group.bench_function("table_action", |b| {
        b.iter(|| {
            actions
                .iter()
                .map(|n| table.action(black_box(n)).unwrap().index() as usize)
                .sum::<usize>()
        })
    });
    group.bench_function("hash_action", |b| {
        b.iter(|| {
            actions
                .iter()
                .map(|n| verdict_runtime::name_hash(black_box(n), true) as usize)
                .fold(0usize, usize::wrapping_add)
        })
    });
    group.bench_function("hashmap_action_exact_case", |b| {
        b.iter(|| {
            actions
                .iter()
                .map(|n| action_map[black_box(n.as_str())] as usize)
                .sum::<usize>()
        })
    });
    group.finish();
}

/// Checks from `threads` threads at once over one shared table, each thread
/// running `check` over the whole stream `iters` times; returns the wall time.
fn run_threads<T: Sync>(
    threads: usize,
    iters: u64,
    stream: &[T],
    check: impl Fn(&T) -> bool + Sync,
) -> Duration {
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut allowed = 0usize;
                for _ in 0..iters {
                    for request in stream {
                        allowed += usize::from(check(black_box(request)));
                    }
                }
                black_box(allowed)
            });
        }
    });
    start.elapsed()
}

/// One table shared by one and by two threads (`Table: Send + Sync`), by ids
/// and by names: elements per second should double with two threads on two
/// idle cores, as checks share nothing but read-only bytes.
fn bench_threads(c: &mut Criterion) {
    let (out, _) = build(500);
    let table: &Table = out.table.as_ref().unwrap();
    let (stream, names) = request_stream(table, 0x7712);
    let mut group = c.benchmark_group("threads");
    for threads in [1usize, 2] {
        group.throughput(Throughput::Elements((STREAM * threads) as u64));
        group.bench_function(BenchmarkId::new("ids", threads), |b| {
            b.iter_custom(|iters| {
                run_threads(threads, iters, &stream, |&(p, a)| {
                    table.cell(p, a) == verdict_runtime::Cell::Allow
                })
            })
        });
        group.bench_function(BenchmarkId::new("names", threads), |b| {
            b.iter_custom(|iters| {
                run_threads(threads, iters, &names, |(p, a)| {
                    table.check(p, a) == Ok(Decision::Allow)
                })
            })
        });
    }
    group.finish();
}

/// The worst a request within the default `RequestLimits` can cost against
/// policies within IAM's quotas, against a typical request on the same table
/// in the same run: a 4 KiB resource ARN against Resource patterns as large
/// as a role's 10,240-character inline policy allows, of every adversarial
/// shape (many `*`, many `?`, a long literal run that fails at its end), and
/// a multivalued key with the most values a batch line can carry against
/// `ForAnyValue:StringLike` patterns that never match.
fn bench_bounded(c: &mut Criterion) {
    const PATTERN: usize = 10_000;
    // Each has at most 4,096 characters other than `*` (more are refused at
    // once against a 4 KiB resource), padded with `*` to PATTERN characters.
    let pad = |core: String| {
        let stars = PATTERN.saturating_sub(core.len());
        core + &"*".repeat(stars)
    };
    let shapes = [
        ("stars", pad("**a".repeat(3_000))),
        ("questions", pad(format!("*{}b", "a?".repeat(2_000)))),
        // The costliest: a `?` segment half as long as the text, tried at
        // every start (O(text² / 4)).
        ("questions_half", pad(format!("*{}b", "a?".repeat(1_000)))),
        ("star_question", pad("*?".repeat(4_000))),
        ("literal_run", pad(format!("*{}b", "a".repeat(4_000)))),
        ("short_runs", pad(format!("*{}", "aaab*".repeat(800)))),
    ];
    let mut dsl = String::from(
        "policy Typical {\n  allow s3:GetObject on \"arn:aws:s3:::bucket/home/*\"\n}\n",
    );
    for (name, pattern) in &shapes {
        dsl += &format!(
            "policy {name} {{\n  allow s3:GetObjectAcl on \"arn:aws:s3:::bucket/{pattern}\"\n}}\nuser {name} {{ attach {name} }}\n"
        );
    }
    let tag_patterns: Vec<String> = (0..20)
        .map(|i| format!("\"*x{i}*{}\"", "y".repeat(400)))
        .collect();
    dsl += &format!(
        "policy Tags {{\n  allow s3:GetObject when {{ ForAnyValue:StringLike aws:TagKeys = [{}] }}\n}}\n",
        tag_patterns.join(", ")
    );
    dsl += "user typical { attach Typical }\nuser tags { attach Tags }\n";
    let catalog = Catalog::from_text(
        "s3",
        "s3:GetObject\tRead\tobject\ns3:GetObjectAcl\tRead\tobject\n",
    )
    .unwrap();
    let mut files = MemoryLoader::default();
    files.insert("org.vp", dsl);
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
    let table = out.table.unwrap();
    let limits = verdict_runtime::RequestLimits::DEFAULT;
    let get = table.action("s3:GetObject").unwrap();
    let acl = table.action("s3:GetObjectAcl").unwrap();
    let empty = verdict_runtime::Context::new();
    let typical = "arn:aws:s3:::bucket/home/alice/notes.txt";
    let longest = format!(
        "arn:aws:s3:::bucket/{}",
        "a".repeat(limits.resource_bytes - "arn:aws:s3:::bucket/".len())
    );
    assert_eq!(longest.len(), limits.resource_bytes);
    let mut group = c.benchmark_group("bounded");
    group.throughput(Throughput::Elements(1));
    let p = table.principal("user/typical").unwrap();
    group.bench_function("typical", |b| {
        let req = verdict_runtime::Request {
            resource: typical,
            context: &empty,
        };
        b.iter(|| table.check_with(p, get, black_box(&req)))
    });
    for (name, _) in &shapes {
        let p = table.principal(&format!("user/{name}")).unwrap();
        let req = verdict_runtime::Request {
            resource: &longest,
            context: &empty,
        };
        assert_eq!(
            table.try_check_with(p, acl, &req, &limits).map(|_| ()),
            Ok(())
        );
        group.bench_function(format!("arn_4KiB_vs_10k_pattern_{name}"), |b| {
            b.iter(|| table.check_with(p, acl, black_box(&req)))
        });
    }
    // As many values as a 1 MiB batch line holds within `context-values`.
    let values: Vec<String> = (0..limits.context_values)
        .map(|i| format!("y{i:0>90}"))
        .collect();
    let tags = verdict_runtime::Context::new().with_multi("aws:TagKeys", values);
    let p = table.principal("user/tags").unwrap();
    let req = verdict_runtime::Request {
        resource: "*",
        context: &tags,
    };
    assert_eq!(
        table.try_check_with(p, get, &req, &limits),
        Ok(Decision::ImplicitDeny)
    );
    group.bench_function("tagkeys_10000_values_vs_20_patterns", |b| {
        b.iter(|| table.check_with(p, get, black_box(&req)))
    });
    group.finish();
}

/// The did-you-mean of an unknown principal on a table of 100,000 users
/// and 1,000 roles: the windowed suggestion, against one pass over the
/// names (the floor of any suggestion that reads them) and the same
/// distance over every name (no kind or length window), in one run.
fn bench_suggest(c: &mut Criterion) {
    let catalog = Catalog::builtin("chime").unwrap();
    let shape = verdict::synth::Shape {
        users: 100_000,
        roles: 1_000,
        groups: 1_000,
        policies: 5_000,
        seed: 1,
    };
    let mut files = MemoryLoader::default();
    files.insert("org.vp", verdict::synth::organisation(shape, &catalog));
    let out = compile(
        &[Input::auto("org.vp")],
        &Config {
            catalog,
            ..Config::default()
        },
        &mut files,
    );
    let table = out.table.as_ref().unwrap();
    let names: Vec<&str> = table
        .principals()
        .map(|p| table.principal_name(p))
        .collect();
    let mut group = c.benchmark_group("suggest");
    group.sample_size(10);
    for query in ["user/u5432l", "usr/u54321", "role/r12"] {
        group.bench_function(BenchmarkId::new("windowed", query), |b| {
            b.iter(|| verdict::lookup::suggest_principal(black_box(table), black_box(query)))
        });
        group.bench_function(BenchmarkId::new("every name", query), |b| {
            b.iter(|| verdict_compiler::catalog::closest_name(black_box(&names), black_box(query)))
        });
        group.bench_function(BenchmarkId::new("one pass over the names", query), |b| {
            b.iter(|| {
                table
                    .principals()
                    .filter(|&p| table.principal_name(p).len() == black_box(query).len())
                    .count()
            })
        });
    }
    group.finish();
}

/// A hand-written dense decision table over classes: the baseline of the
/// block grid.
struct Dense {
    principal_row: Vec<u32>,
    action_col: Vec<u32>,
    stride: usize,
    cells: Vec<u8>,
    principals: HashMap<String, u32>,
    actions: HashMap<String, u32>,
}

impl Dense {
    fn of(table: &Table) -> Dense {
        let n_cols = table.n_col_classes();
        let stride = n_cols.div_ceil(4);
        let mut cells = vec![0u8; table.n_row_classes() * stride];
        for row in 0..table.n_row_classes() {
            for col in 0..n_cols {
                let cell = table.class_cell(row as u32, col as u32).as_u8();
                cells[row * stride + col / 4] |= cell << ((col % 4) * 2);
            }
        }
        Dense {
            principal_row: table.principals().map(|p| table.row_class(p)).collect(),
            action_col: table.actions().map(|a| table.col_class(a)).collect(),
            stride,
            cells,
            principals: table
                .principals()
                .map(|p| (table.principal_name(p).to_string(), p.index()))
                .collect(),
            actions: table
                .actions()
                .map(|a| (table.action_name(a).to_ascii_lowercase(), a.index()))
                .collect(),
        }
    }

    #[inline]
    fn cell(&self, p: u32, a: u32) -> u8 {
        let row = self.principal_row[p as usize] as usize;
        let col = self.action_col[a as usize] as usize;
        (self.cells[row * self.stride + col / 4] >> ((col % 4) * 2)) & 0b11
    }
}

fn bench_scale(c: &mut Criterion) {
    let catalog = Catalog::builtin("aws").unwrap();
    let mut group = c.benchmark_group("scale");
    group.throughput(Throughput::Elements(STREAM as u64));
    for users in [10_000usize, 100_000] {
        let shape = verdict::synth::Shape {
            users,
            roles: users / 100,
            groups: (users / 100).max(1),
            policies: (users / 20).clamp(10, 5_000),
            seed: 7,
        };
        let text = verdict::synth::organisation(shape, &catalog);
        let mut files = MemoryLoader::default();
        files.insert("org.vp", text);
        let out = compile(
            &[Input::auto("org.vp")],
            &Config {
                catalog: catalog.clone(),
                ..Config::default()
            },
            &mut files,
        );
        let table = out.table.unwrap();
        let bytes = table.to_bytes();
        let dense = Dense::of(&table);
        let stats = table.grid_stats();
        eprintln!(
            "scale/{users}: table {} bytes ({} row × {} column classes; grid {} bytes of blocks and references), dense grid {} bytes",
            bytes.len(),
            table.n_row_classes(),
            table.n_col_classes(),
            stats.block_bytes + stats.ref_bytes,
            dense.cells.len()
        );
        let (stream, names) = request_stream(&table, 0x5eed);
        let map: HashMap<(String, String), Decision> = names
            .iter()
            .map(|(p, a)| ((p.clone(), a.clone()), table.check(p, a).unwrap()))
            .collect();
        group.sample_size(10);
        group.bench_function(BenchmarkId::new("open_from_bytes", users), |b| {
            b.iter(|| Table::from_bytes(black_box(&bytes)).unwrap().n_principals())
        });
        group.bench_function(BenchmarkId::new("table_ids", users), |b| {
            b.iter(|| {
                let mut allowed = 0usize;
                for &(p, a) in &stream {
                    allowed += (table.cell(black_box(p), black_box(a))
                        == verdict_runtime::Cell::Allow) as usize;
                }
                allowed
            })
        });
        group.bench_function(BenchmarkId::new("dense_ids", users), |b| {
            b.iter(|| {
                let mut allowed = 0usize;
                for &(p, a) in &stream {
                    allowed +=
                        (dense.cell(black_box(p.index()), black_box(a.index())) == 1) as usize;
                }
                allowed
            })
        });
        group.bench_function(BenchmarkId::new("table_names", users), |b| {
            b.iter(|| {
                let mut allowed = 0usize;
                for (p, a) in &names {
                    allowed += (table.check(black_box(p), black_box(a)).unwrap() == Decision::Allow)
                        as usize;
                }
                allowed
            })
        });
        group.bench_function(BenchmarkId::new("dense_names", users), |b| {
            let mut folded = String::new();
            b.iter(|| {
                let mut allowed = 0usize;
                for (p, a) in &names {
                    folded.clear();
                    folded.push_str(black_box(a));
                    folded.make_ascii_lowercase();
                    let p = dense.principals[black_box(p)];
                    let a = dense.actions[&folded];
                    allowed += (dense.cell(p, a) == 1) as usize;
                }
                allowed
            })
        });
        group.bench_function(BenchmarkId::new("hashmap_names", users), |b| {
            b.iter(|| {
                let mut allowed = 0usize;
                for (p, a) in &names {
                    allowed += (map[&(black_box(p).clone(), black_box(a).clone())]
                        == Decision::Allow) as usize;
                }
                allowed
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = bench_check, bench_conditional, bench_lookup, bench_threads, bench_bounded, bench_suggest, bench_scale
}
criterion_main!(benches);
