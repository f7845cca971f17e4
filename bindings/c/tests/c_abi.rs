//! Compiles `tests/abi.c` against `include/verdict.h` and the static library
//! with the system C compiler (`cc`, or `$CC`) and runs it on two tables built
//! here: every function of the header, its error paths, and concurrent reload.
//!
//! Also runs the same program under valgrind when `VERDICT_VALGRIND=1` (and
//! valgrind is installed), with 20 reloads instead of 300: no invalid read or
//! write, no definite leak.
#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

mod support;

use std::path::Path;
use std::process::Command;

#[test]
fn the_c_program_passes() {
    let dir = support::scratch("abi");
    support::write_fixtures(&dir);
    let exe = support::compile_c("abi", &[Path::new("tests/abi.c")], &dir);
    let out = Command::new(&exe)
        .arg(&dir)
        .output()
        .unwrap_or_else(|err| panic!("cannot run {}: {err}", exe.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "abi failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    assert!(
        stdout.contains("concurrent reload: 300 reloads (30 refused)"),
        "{stdout}"
    );

    if std::env::var_os("VERDICT_VALGRIND").is_some() {
        let out = Command::new("valgrind")
            .args([
                "--error-exitcode=99",
                "--leak-check=full",
                "--errors-for-leak-kinds=definite",
                "--quiet",
            ])
            .arg(&exe)
            .arg(&dir)
            .arg("20")
            .output()
            .unwrap_or_else(|err| panic!("cannot run valgrind: {err}"));
        assert!(
            out.status.success(),
            "abi under valgrind failed ({}):\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
