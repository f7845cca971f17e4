//! Shared by the C ABI's tests and benchmarks: the two fixture tables, the
//! broken files, and compiling a C program against the static library.
#![allow(dead_code, reason = "each test binary uses part of it")]

use std::path::{Path, PathBuf};
use std::process::Command;

use verdict_runtime::parts::{Atom, Condition, Lit, Operator, Residual, SetOp, TableParts};
use verdict_runtime::{AccessLevel, Cell, Decision, Table};

/// Principals `user/p0` … of the fixtures.
pub const N_PRINCIPALS: usize = 4;
/// Actions `svc:A0` … of the fixtures.
pub const N_ACTIONS: usize = 6;

/// A fresh scratch folder under the target directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("verdict-c-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|err| panic!("{}: {err}", dir.display()));
    dir
}

/// Table A (`flip` false) or B (`flip` true): the same names; in rows 1 to 3
/// every cell is one of allow, deny, implicit-deny and B's is the next one; in
/// row 0 actions 0 to 2 are conditional (the same in both: aws:SourceIp in
/// 10.0.0.0/8, a resource under `arn:aws:s3:::bucket/`, aws:TagKeys with
/// `team`) and actions 3 to 5 differ as in the other rows.
pub fn fixture(flip: bool) -> Table {
    let plain = [Cell::Allow, Cell::Deny, Cell::ImplicitDeny];
    let mut cells = Vec::new();
    for row in 0..N_PRINCIPALS {
        for col in 0..N_ACTIONS {
            if row == 0 && col < 3 {
                cells.push(Cell::Conditional);
            } else {
                cells.push(plain[(row + col + usize::from(flip)) % 3]);
            }
        }
    }
    let condition = |set, op, key: &str, value: &str| {
        Atom::Condition(Condition {
            set,
            op,
            if_exists: false,
            key: key.to_owned(),
            fixed: None,
            values: vec![value.into()],
        })
    };
    let only = |atom| Residual {
        deny: vec![],
        allow: vec![vec![vec![Lit {
            atom,
            negated: false,
        }]]],
    };
    let parts = TableParts {
        catalog: "test".to_owned(),
        principals: (0..N_PRINCIPALS).map(|p| format!("user/p{p}")).collect(),
        principal_arns: vec![String::new(); N_PRINCIPALS],
        actions: (0..N_ACTIONS).map(|a| format!("svc:A{a}")).collect(),
        action_access: vec![AccessLevel::Read; N_ACTIONS],
        action_wildcard_only: vec![false; N_ACTIONS],
        principal_row: (0..N_PRINCIPALS as u32).collect(),
        action_col: (0..N_ACTIONS as u32).collect(),
        n_rows: N_PRINCIPALS as u32,
        n_cols: N_ACTIONS as u32,
        cells,
        atoms: vec![
            condition(
                SetOp::None,
                Operator::IpAddress,
                "aws:sourceip",
                "10.0.0.0/8",
            ),
            Atom::Resource {
                patterns: vec!["arn:aws:s3:::bucket/*".into()],
                not: false,
            },
            condition(
                SetOp::ForAnyValue,
                Operator::StringEquals,
                "aws:tagkeys",
                "team",
            ),
        ],
        residuals: vec![only(0), only(1), only(2)],
        conditional: vec![(0, 0, 0), (0, 1, 1), (0, 2, 2)],
        ..TableParts::default()
    };
    Table::from_parts(parts).unwrap_or_else(|err| panic!("fixture: {err}"))
}

/// A table of `n_principals` `user/uN` × `n_actions` `svc:ActionN` over
/// `n_rows` × `n_cols` classes of random unconditional cells, for benchmarks.
pub fn synthetic(n_principals: u32, n_actions: u32, n_rows: u32, n_cols: u32, seed: u64) -> Table {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let plain = [
        Cell::Allow,
        Cell::Deny,
        Cell::ImplicitDeny,
        Cell::ImplicitDeny,
    ];
    let parts = TableParts {
        catalog: "synthetic".to_owned(),
        principals: (0..n_principals).map(|p| format!("user/u{p}")).collect(),
        principal_arns: vec![String::new(); n_principals as usize],
        actions: (0..n_actions).map(|a| format!("svc:Action{a}")).collect(),
        action_access: vec![AccessLevel::Read; n_actions as usize],
        action_wildcard_only: vec![false; n_actions as usize],
        principal_row: (0..n_principals).map(|p| p % n_rows).collect(),
        action_col: (0..n_actions).map(|a| a % n_cols).collect(),
        n_rows,
        n_cols,
        cells: (0..n_rows * n_cols)
            .map(|_| plain[(next() % 4) as usize])
            .collect(),
        ..TableParts::default()
    };
    Table::from_parts(parts).unwrap_or_else(|err| panic!("synthetic: {err}"))
}

/// The C code of a decision.
pub fn code(decision: Decision) -> i32 {
    match decision {
        Decision::Allow => 1,
        Decision::Deny => 2,
        Decision::ImplicitDeny => 3,
    }
}

/// Writes `a.vdt`, `b.vdt`, the broken files and `expect.txt` into `dir`.
pub fn write_fixtures(dir: &Path) {
    let a = fixture(false);
    let b = fixture(true);
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(dir.join(name), bytes).unwrap_or_else(|err| panic!("{name}: {err}"));
    };
    let bytes = a.to_bytes();
    write("a.vdt", &bytes);
    write("b.vdt", &b.to_bytes());
    write("text.vdt", b"this is not a table\n");
    let mut damaged = bytes.clone();
    let middle = damaged.len() / 2 + 20;
    if let Some(byte) = damaged.get_mut(middle) {
        *byte ^= 0x5a;
    }
    write("damaged.vdt", &damaged);
    write(
        "truncated.vdt",
        bytes.get(..bytes.len() / 2).unwrap_or_default(),
    );
    let mut version = bytes.clone();
    if let Some(field) = version.get_mut(12..16) {
        field.copy_from_slice(&99u32.to_le_bytes());
    }
    write("version.vdt", &version);
    let mut expect = String::new();
    for p in 0..N_PRINCIPALS {
        for act in 0..N_ACTIONS {
            let (principal, action) = (format!("user/p{p}"), format!("svc:A{act}"));
            let decide = |table: &Table| match table.check(&principal, &action) {
                Ok(decision) => code(decision),
                Err(err) => panic!("{err}"),
            };
            expect.push_str(&format!(
                "{p} {act} {principal} {action} {} {}\n",
                decide(&a),
                decide(&b)
            ));
        }
    }
    write("expect.txt", expect.as_bytes());
}

/// The static library built with this test: cargo leaves it beside the test
/// binary in `target/PROFILE/deps` (and copies it to `target/PROFILE` only
/// for `cargo build`).
pub fn static_lib() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|err| panic!("{err}"));
    let deps = exe.parent().unwrap_or_else(|| Path::new("."));
    deps.join("libverdict_c.a")
}

/// Compiles `sources` (relative to the crate) with the static library into
/// `dir/name`, and returns the executable's path.
pub fn compile_c(name: &str, sources: &[&Path], dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib = static_lib();
    assert!(lib.exists(), "{} is missing", lib.display());
    let exe = dir.join(name);
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let mut command = Command::new(&cc);
    command
        .args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-O2",
        ])
        .arg("-pthread")
        .arg("-I")
        .arg(root.join("include"));
    for source in sources {
        command.arg(root.join(source));
    }
    command
        .arg(&lib)
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&exe);
    let out = command
        .output()
        .unwrap_or_else(|err| panic!("cannot run `{cc}` (a C compiler is needed): {err}"));
    assert!(
        out.status.success(),
        "compiling {name} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}
