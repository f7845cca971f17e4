//! Prints a deterministic synthetic organisation in the DSL, for measuring
//! compile time and memory at scale:
//!
//! ```sh
//! cargo run --release --example synth -- [--catalog aws] USERS [POLICIES] [GROUPS] [SEED] > org.vp
//! /usr/bin/time -v target/release/verdict compile --catalog aws org.vp -o org.vdt
//! ```
//!
//! With `--catalog aws` the patterns are drawn from the whole AWS catalog
//! (`s3:Get*`, `ec2:Describe*`, `iam:*`, exact names), and every 25th policy
//! also gets a cross-service read statement (`*:List*`, `*:Get*` or
//! `*:Describe*`), as read-only policies have.

use std::io::Write;

#[path = "support/cross_service.rs"]
mod support;

fn main() {
    let mut catalog_name = "chime".to_string();
    let mut numbers: Vec<usize> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--catalog" {
            catalog_name = args.next().expect("--catalog NAME");
        } else {
            numbers.push(arg.parse().expect("numbers"));
        }
    }
    let users = numbers.first().copied().unwrap_or(1_000);
    let policies = numbers
        .get(1)
        .copied()
        .unwrap_or((users / 20).clamp(10, 5_000));
    let groups = numbers.get(2).copied().unwrap_or((policies / 5).max(1));
    let seed = numbers.get(3).copied().unwrap_or(11) as u64;
    let catalog = verdict_compiler::Catalog::builtin(&catalog_name).expect("built-in catalog");
    let shape = verdict::synth::Shape {
        users,
        roles: users / 100,
        groups,
        policies,
        seed,
    };
    let mut text = verdict::synth::organisation(shape, &catalog);
    if catalog_name == "aws" {
        text = support::cross_service(&text);
    }
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .expect("stdout");
}
