//! Compiles `benches/bench.c` against the static library of this profile and
//! runs it on a synthetic table of 1,010 principals × 316 actions (48 row ×
//! 74 column classes, the shape of a generated 1,000-user Chime organisation)
//! with a stream of 100,000 random requests: ns per check from C by names,
//! by ids, with a context, and against hsearch(3). `cargo bench -p verdict-c`.
#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a benchmark fails by panicking"
)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

fn main() {
    // `cargo bench -- FILTER` and `--no-run` builds pass arguments; any
    // `--bench` run does the work.
    let dir = support::scratch("bench");
    let table = support::synthetic(1_010, 316, 48, 74, 7);
    let table_path = dir.join("bench.vdt");
    std::fs::write(&table_path, table.to_bytes()).unwrap_or_else(|err| panic!("{err}"));
    let mut state = 0x1234_5678_9abc_def0_u64;
    let mut stream = String::new();
    for _ in 0..100_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let p = (state % 1_010) as u32;
        let a = ((state >> 32) % 316) as u32;
        let _ = writeln!(stream, "user/u{p}\tsvc:Action{a}");
    }
    let stream_path = dir.join("stream.txt");
    std::fs::write(&stream_path, stream).unwrap_or_else(|err| panic!("{err}"));
    let exe = support::compile_c("bench", &[Path::new("benches/bench.c")], &dir);
    let out = Command::new(&exe)
        .arg(&table_path)
        .arg(&stream_path)
        .output()
        .unwrap_or_else(|err| panic!("{err}"));
    print!("{}", String::from_utf8_lossy(&out.stdout));
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "bench failed: {}", out.status);
    let _ = std::fs::remove_dir_all(&dir);
}
