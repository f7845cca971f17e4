//! Prints a deterministic synthetic organisation in the DSL, for measuring
//! compile time and memory at scale:
//!
//! ```sh
//! cargo run --release --example synth -- USERS [POLICIES] [GROUPS] [SEED] > org.vp
//! /usr/bin/time -v target/release/verdict compile org.vp -o org.vdt
//! ```

use std::io::Write;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers"))
        .collect();
    let users = args.first().copied().unwrap_or(1_000);
    let policies = args
        .get(1)
        .copied()
        .unwrap_or((users / 20).clamp(10, 5_000));
    let groups = args.get(2).copied().unwrap_or((policies / 5).max(1));
    let seed = args.get(3).copied().unwrap_or(11) as u64;
    let catalog = verdict_compiler::Catalog::builtin("chime").expect("built-in catalog");
    let shape = verdict::synth::Shape {
        users,
        roles: users / 100,
        groups,
        policies,
        seed,
    };
    let text = verdict::synth::organisation(shape, &catalog);
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .expect("stdout");
}
