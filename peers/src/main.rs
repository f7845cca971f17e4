//! Prints the peer comparison as a markdown table: for each organisation size,
//! setup time and median ns/check of verdict (by ids and by names), a plain
//! `HashMap`, Cedar and Casbin on the same request stream, after checking that
//! all of them agree with verdict on a random sample.
//!
//! ```sh
//! cargo run --release --manifest-path peers/Cargo.toml -- [--users 1000,10000] [--sample 10000] [--seed 42] [--budget-ms 2000]
//! ```
//!
//! Exits with status 1 (and prints the disagreements) if any contender
//! disagrees with verdict.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use verdict_peers::{
    agree, id_requests, named_requests, time_checks, Contenders, Size, World, SEED, SIZES,
};
use verdict_runtime::Cell;

struct Options {
    sizes: Vec<Size>,
    sample: usize,
    seed: u64,
    budget: Duration,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        sizes: SIZES.to_vec(),
        sample: 10_000,
        seed: SEED,
        budget: Duration::from_millis(2_000),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let number = |v: &str| {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: `{v}` is not a number"))
        };
        match flag.as_str() {
            "--users" => {
                options.sizes = value
                    .split(',')
                    .map(|v| Ok(Size::for_users(number(v)? as usize)))
                    .collect::<Result<_, String>>()?;
            }
            "--sample" => options.sample = number(&value)? as usize,
            "--seed" => options.seed = number(&value)?,
            "--budget-ms" => options.budget = Duration::from_millis(number(&value)?),
            _ => return Err(format!("unknown option `{flag}`")),
        }
    }
    if options.sample == 0 || options.sizes.iter().any(|s| s.users == 0) {
        return Err("--sample and --users must be positive".to_string());
    }
    Ok(options)
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1e3)
    } else if ms >= 10.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

fn ns(x: f64) -> String {
    if x >= 1e6 {
        format!("{:.2} ms", x / 1e6)
    } else if x >= 1e4 {
        format!("{:.1} µs", x / 1e3)
    } else if x >= 100.0 {
        format!("{x:.0} ns")
    } else {
        format!("{x:.1} ns")
    }
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(o) => o,
        Err(why) => {
            eprintln!("error: {why}");
            return ExitCode::from(2);
        }
    };
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for &size in &options.sizes {
        eprintln!(
            "building {} users, {} groups, {} policies…",
            size.users, size.groups, size.policies
        );
        let world = World::new(size, options.seed);
        let c = Contenders::build(&world);
        eprintln!("checking agreement on {} random requests…", options.sample);
        let sample = world.requests(options.sample, options.seed);
        let start = Instant::now();
        let agreement = agree(&world, &c, &sample);
        if !agreement.mismatches.is_empty() {
            eprintln!(
                "error: {} of {} requests disagree with verdict ({} users); first ones:",
                agreement.mismatches.len(),
                agreement.n_requests,
                size.users
            );
            for line in agreement.mismatches.iter().take(20) {
                eprintln!("  {line}");
            }
            return ExitCode::from(1);
        }
        let [allow, deny, implicit] = agreement.decisions;
        notes.push(format!(
            "{} users: all contenders agree with verdict on {} random requests (allow {allow}, deny {deny}, implicit-deny {implicit}; checked in {}); \
             verdict table {} bytes, {} row classes; HashMap {} entries; Cedar {} policies; Casbin {} `p` rows and {} `g` links",
            size.users,
            agreement.n_requests,
            ms(start.elapsed()),
            c.verdict.table.byte_len(),
            c.verdict.table.n_row_classes(),
            c.map.map.len(),
            c.cedar.n_policies,
            c.casbin.n_rows,
            c.casbin.n_links,
        ));

        let stream = world.requests(100_000, options.seed.wrapping_add(1));
        let names = named_requests(&world, &stream);
        let ids = id_requests(&c.verdict.table, &names);
        let cedar_names: Vec<(String, String)> = stream
            .iter()
            .map(|&(u, a)| (world.org.users[u].name.clone(), world.actions[a].clone()))
            .collect();
        let budget = options.budget;
        eprintln!("timing…");
        let table = &c.verdict.table;
        let by_ids = time_checks(&ids, budget, |&(p, a)| table.cell(p, a) == Cell::Allow);
        let by_names = time_checks(&names, budget, |(p, a)| c.verdict.check(p, a).is_allowed());
        let map = time_checks(&names, budget, |(p, a)| c.map.check(p, a).is_allowed());
        let cedar = time_checks(&cedar_names, budget, |(u, a)| c.cedar.check(u, a));
        let cedar_groups = time_checks(&cedar_names, budget, |(u, a)| c.cedar_groups.check(u, a));
        let casbin = time_checks(&names, budget, |(p, a)| c.casbin.check(p, a));
        let base = by_names.ns_per_check;
        let setup_verdict = format!(
            "{} (compile {} + load {})",
            ms(c.verdict.compile + c.verdict.load),
            ms(c.verdict.compile),
            ms(c.verdict.load)
        );
        for (name, setup, timing) in [
            ("verdict `check_ids`", setup_verdict.clone(), by_ids),
            ("verdict `check` (names)", setup_verdict, by_names),
            (
                "`HashMap<(String, String), Decision>`",
                ms(c.map.build),
                map,
            ),
            (
                "Cedar `is_authorized`, action lists",
                ms(c.cedar.build),
                cedar,
            ),
            (
                "Cedar `is_authorized`, action groups",
                ms(c.cedar_groups.build),
                cedar_groups,
            ),
            ("Casbin `enforce`", ms(c.casbin.build), casbin),
        ] {
            rows.push(format!(
                "| {} | {name} | {setup} | {} | {:.2}× |",
                size.users,
                ns(timing.ns_per_check),
                timing.ns_per_check / base
            ));
        }
        black_box(&c);
    }
    println!("| users | contender | setup | ns/check (median) | × verdict by names |");
    println!("|---:|---|---:|---:|---:|");
    for row in rows {
        println!("{row}");
    }
    println!();
    for note in notes {
        println!("- {note}");
    }
    ExitCode::SUCCESS
}
