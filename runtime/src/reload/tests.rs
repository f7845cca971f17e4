//! Tests of `TableHandle`: reloads that succeed, reloads that fail and keep
//! the old table, and readers checking while a writer reloads in a loop.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use super::*;
use crate::parts::TableParts;
use crate::{AccessLevel, Cell, Decision};

const ALICE: &str = "user/alice";
const LIST: &str = "chime:ListUsers";
const DELETE: &str = "chime:DeleteAccount";

/// One principal, two actions; `cells` are alice's cells for (ListUsers,
/// DeleteAccount).
fn table(cells: [Cell; 2]) -> Table {
    let parts = TableParts {
        catalog: "chime".into(),
        principals: vec![ALICE.into()],
        principal_arns: vec![String::new()],
        actions: vec![LIST.into(), DELETE.into()],
        action_access: vec![AccessLevel::List, AccessLevel::Write],
        action_wildcard_only: vec![true, true],
        principal_row: vec![0],
        action_col: vec![0, 1],
        n_rows: 1,
        n_cols: 2,
        cells: cells.to_vec(),
        ..TableParts::default()
    };
    match Table::from_parts(parts) {
        Ok(table) => table,
        Err(err) => unreachable!("test table is valid: {err}"),
    }
}

/// Table A: alice may list users, not delete the account.
fn table_a() -> Table {
    table([Cell::Allow, Cell::Deny])
}

/// Table B: the other way round.
fn table_b() -> Table {
    table([Cell::ImplicitDeny, Cell::Allow])
}

const ANSWERS_A: (Decision, Decision) = (Decision::Allow, Decision::Deny);
const ANSWERS_B: (Decision, Decision) = (Decision::ImplicitDeny, Decision::Allow);

/// Both probes, on one table.
fn probe(table: &Table) -> (Decision, Decision) {
    let answer = |action| match table.check(ALICE, action) {
        Ok(decision) => decision,
        Err(err) => unreachable!("a reader got an error: {err}"),
    };
    (answer(LIST), answer(DELETE))
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("verdict-reload-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert!(std::fs::create_dir_all(&dir).is_ok());
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes `bytes` to `path` the way a pipeline ships a table: a temporary
/// file renamed over the old one.
fn ship(path: &std::path::Path, bytes: &[u8]) {
    let tmp = path.with_extension("tmp");
    assert!(std::fs::write(&tmp, bytes).is_ok());
    assert!(std::fs::rename(&tmp, path).is_ok());
}

fn is_ok<T, E: std::fmt::Display>(res: &Result<T, E>) -> bool {
    match res {
        Ok(_) => true,
        Err(err) => {
            eprintln!("{err}");
            false
        }
    }
}

#[test]
fn reload_swaps_in_a_valid_table() {
    let dir = TempDir::new("swap");
    let path = dir.0.join("t.vdt");
    ship(&path, &table_a().to_bytes());
    let handle = TableHandle::open(&path);
    assert!(is_ok(&handle));
    let Ok(handle) = handle else { return };
    assert_eq!(handle.path(), Some(path.as_path()));
    assert_eq!(handle.generation(), 1);
    let before = handle.current();
    assert_eq!(probe(&before), ANSWERS_A);

    ship(&path, &table_b().to_bytes());
    assert_eq!(handle.reload().ok(), Some(2));
    assert_eq!(handle.generation(), 2);
    assert!(handle.last_error().is_none());
    assert_eq!(probe(&handle.current()), ANSWERS_B);
    assert_eq!(probe(&handle.snapshot()), ANSWERS_B);
    // A snapshot taken before the reload still answers from its table.
    assert_eq!(probe(&before), ANSWERS_A);
}

#[test]
fn failed_reload_keeps_serving_the_old_table_and_reports_why() {
    let dir = TempDir::new("fail");
    let path = dir.0.join("t.vdt");
    let a = table_a().to_bytes();
    ship(&path, &a);
    let Ok(handle) = TableHandle::open(&path) else {
        unreachable!("valid table")
    };
    let mut flipped = a.clone();
    if let Some(byte) = flipped.last_mut() {
        *byte ^= 0x01;
    }
    let bad: [(&[u8], &str); 4] = [
        (b"", "truncated"),
        (&a[..a.len() - 1], "truncated"),
        (&flipped, "checksum"),
        (
            b"not a table at all, but long enough to hold a header.....",
            "magic",
        ),
    ];
    for (bytes, why) in bad {
        ship(&path, bytes);
        let res = handle.reload();
        let Err(err) = res else {
            unreachable!("{why}: a damaged table was swapped in")
        };
        assert!(err.to_string().contains(why), "{why}: {err}");
        let kept = handle.last_error().map(|e| e.to_string());
        assert_eq!(kept, Some(err.to_string()));
        assert_eq!(handle.generation(), 1);
        assert_eq!(probe(&handle.current()), ANSWERS_A);
    }
    // A missing file, and a directory where the file was.
    assert!(std::fs::remove_file(&path).is_ok());
    assert!(handle.reload().is_err());
    assert!(std::fs::create_dir(&path).is_ok());
    let err = handle
        .reload()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("cannot read table"), "{err}");
    assert_eq!(probe(&handle.current()), ANSWERS_A);
    assert!(std::fs::remove_dir(&path).is_ok());
    // The next good file goes in and clears the error.
    ship(&path, &table_b().to_bytes());
    assert_eq!(handle.reload().ok(), Some(2));
    assert!(handle.last_error().is_none());
    assert_eq!(probe(&handle.current()), ANSWERS_B);
}

#[test]
fn open_fails_on_a_bad_file() {
    let dir = TempDir::new("open");
    let path = dir.0.join("t.vdt");
    assert!(TableHandle::open(&path).is_err());
    ship(&path, b"VERDICT\0");
    let err = TableHandle::open(&path).err().map(|e| e.to_string());
    assert!(err.is_some_and(|e| e.contains("truncated")));
}

#[test]
fn handles_without_a_file() {
    let handle = TableHandle::new(table_a());
    assert_eq!(handle.path(), None);
    let err = handle
        .reload()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("no file to reload from"), "{err}");
    assert_eq!(probe(&handle.current()), ANSWERS_A);
    assert!(handle.reload_from_bytes(b"VERDICT").is_err());
    assert_eq!(handle.generation(), 1);
    assert_eq!(
        handle.reload_from_bytes(&table_b().to_bytes()).ok(),
        Some(2)
    );
    assert_eq!(probe(&handle.current()), ANSWERS_B);
    assert!(handle.reload_from_bytes(b"").is_err());
    assert!(handle.last_error().is_some());
    assert_eq!(handle.replace(table_a()), 3);
    assert!(handle.last_error().is_none());
    assert_eq!(probe(&handle.snapshot()), ANSWERS_A);
}

#[test]
fn handle_is_send_and_sync() {
    fn assert_traits<T: Send + Sync>() {}
    assert_traits::<TableHandle>();
}

/// Readers check a pair of probes on one snapshot, continuously, while a
/// writer ships and reloads table A, a damaged file, table B, another
/// damaged file, … Every pair must be all-A or all-B (never a mix, never
/// from a damaged file) and no reader may ever get an error.
#[test]
fn readers_see_whole_valid_tables_while_a_writer_reloads() {
    const READERS: usize = 3;
    const ROUNDS: usize = 100;
    let dir = TempDir::new("concurrent");
    let path = dir.0.join("t.vdt");
    let a = table_a().to_bytes();
    let b = table_b().to_bytes();
    let mut corrupt = b.clone();
    if let Some(byte) = corrupt.get_mut(b.len() / 2) {
        *byte ^= 0x40;
    }
    let truncated = a.get(..a.len() / 2).unwrap_or_default().to_vec();
    ship(&path, &a);
    let Ok(handle) = TableHandle::open(&path) else {
        unreachable!("valid table")
    };
    let done = AtomicBool::new(false);
    let checks = AtomicUsize::new(0);
    let seen = [AtomicUsize::new(0), AtomicUsize::new(0)];
    let start = Barrier::new(READERS + 1);

    std::thread::scope(|scope| {
        for reader in 0..READERS {
            let (handle, done, checks, seen, start) = (&handle, &done, &checks, &seen, &start);
            scope.spawn(move || {
                start.wait();
                while !done.load(Ordering::Acquire) {
                    // Alternate between the two ways of reading.
                    let answers = if reader % 2 == 0 {
                        probe(&handle.current())
                    } else {
                        probe(&handle.snapshot())
                    };
                    let which = if answers == ANSWERS_A {
                        0
                    } else if answers == ANSWERS_B {
                        1
                    } else {
                        unreachable!("a mix of two tables: {answers:?}")
                    };
                    if let Some(count) = seen.get(which) {
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                    checks.fetch_add(1, Ordering::Release);
                }
            });
        }

        // Wait until the readers made some checks, so every table is read
        // while the next reload is under way (bounded: never hangs).
        // One deadline for all the waiting, so a starved machine makes the
        // test less thorough, never endless.
        let deadline = Instant::now() + Duration::from_secs(30);
        let let_readers_run = || {
            let target = checks.load(Ordering::Acquire) + 2 * READERS;
            while checks.load(Ordering::Acquire) < target && Instant::now() < deadline {
                std::thread::yield_now();
            }
        };
        start.wait();
        let mut good_reloads = 0;
        for round in 0..ROUNDS {
            let (good, expected) = if round % 2 == 0 {
                (&b, ANSWERS_B)
            } else {
                (&a, ANSWERS_A)
            };
            let bad = if round % 3 == 0 { &truncated } else { &corrupt };
            ship(&path, bad);
            assert!(
                handle.reload().is_err(),
                "round {round}: damaged table swapped in"
            );
            assert_eq!(
                probe(&handle.current()),
                if round % 2 == 0 { ANSWERS_A } else { ANSWERS_B }
            );
            let_readers_run();
            ship(&path, good);
            assert!(is_ok(&handle.reload()), "round {round}");
            good_reloads += 1;
            assert_eq!(probe(&handle.current()), expected);
            let_readers_run();
        }
        done.store(true, Ordering::Release);
        assert_eq!(handle.generation(), 1 + good_reloads);
    });

    assert!(handle.last_error().is_none());
    let [seen_a, seen_b] = seen.map(AtomicUsize::into_inner);
    assert!(
        seen_a > 0 && seen_b > 0,
        "readers saw A {seen_a} times, B {seen_b} times"
    );
    assert_eq!(seen_a + seen_b, checks.into_inner());
}
