//! Hostile environments (issue 18): planted links and stale temporaries around
//! outputs, special files and growing files as inputs, duplicate keys in
//! batch requests. Each reproduction of the issue is a test here.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::cli::{run, run_with_stdin, TempDir};

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

const ORG: &str = "policy Read { allow chime:List*, chime:Get* }\n\
                   policy Admin { allow chime:*  deny chime:DeleteAccount }\n\
                   user alice { attach Admin }\nuser bob { attach Read }\n";

const VICTIM: &str = "precious, not a table\n";

/// The entries of `dir` whose names start with `prefix`.
fn entries_starting(dir: &Path, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort();
    names
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path)
        .unwrap()
        .file_type()
        .is_symlink()
}

#[track_caller]
fn assert_valid_table(path: &Path) {
    assert!(!is_link(path), "{} is a link", path.display());
    verdict_runtime::Table::open(path).unwrap();
}

/// Reproduction 1 of issue 18: the old temporary name `.NAME.tmp<PID>` was
/// predictable and opened with `File::create`, so a link planted there had
/// the table written into its target, and the output became that link.
#[test]
fn compile_output_never_follows_planted_links() {
    let dir = TempDir::new();
    let src = dir.write("org.vp", ORG);
    let victim = dir.write("victim", VICTIM);
    let out_path = dir.path("out.vdt");
    let pid = std::process::id();
    for name in [
        format!(".out.vdt.tmp{pid}"),
        format!(".out.vdt.verdict-{pid}-0000000000000000.tmp"),
    ] {
        std::os::unix::fs::symlink(&victim, dir.path(&name)).unwrap();
    }
    let out = run(&["compile", s(&src), "-o", s(&out_path), "-q"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), VICTIM);
    assert_valid_table(&out_path);

    // A link at the output itself is replaced, never written through.
    let other = dir.write("other-victim", VICTIM);
    let linked = dir.path("linked.vdt");
    std::os::unix::fs::symlink(&other, &linked).unwrap();
    let out = run(&["compile", s(&src), "-o", s(&linked), "-q"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&other).unwrap(), VICTIM);
    assert_valid_table(&linked);
    // No temporary of ours is left beside the outputs.
    assert_eq!(
        entries_starting(&dir.path(""), ".linked.vdt"),
        Vec::<String>::new()
    );
}

/// `fmt`'s in-place rewrite had the same predictable `.NAME.fmt<PID>`.
#[test]
fn fmt_in_place_never_follows_planted_links() {
    let dir = TempDir::new();
    let file = dir.write("org.vp", "policy   Read {allow chime:List*}\n");
    let victim = dir.write("victim", VICTIM);
    let pid = std::process::id();
    std::os::unix::fs::symlink(&victim, dir.path(&format!(".org.vp.fmt{pid}"))).unwrap();
    let out = run(&["fmt", s(&file)]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), VICTIM);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("policy Read {"), "{text}");
    assert!(!is_link(&file));
}

/// The PID of a process that has exited and been reaped.
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[test]
fn stale_temporaries_of_gone_writers_are_removed_and_nothing_else() {
    let dir = TempDir::new();
    let src = dir.write("org.vp", ORG);
    let victim = dir.write("victim", VICTIM);
    let dead = dead_pid();
    let stale = dir.write(
        &format!(".out.vdt.verdict-{dead}-0123456789abcdef.tmp"),
        "x",
    );
    // A link of the same pattern: neither followed nor removed.
    let link = dir.path(&format!(".out.vdt.verdict-{dead}-fedcba9876543210.tmp"));
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    // A temporary of a live writer (PID 1 is always alive), another output's
    // temporary, and names that only look alike stay.
    let live = dir.write(".out.vdt.verdict-1-0123456789abcdef.tmp", "x");
    let other = dir.write(
        &format!(".other.vdt.verdict-{dead}-0123456789abcdef.tmp"),
        "x",
    );
    let alike = dir.write(
        &format!(".out.vdt.verdict-{dead}-0123456789abcdef.tmp~"),
        "x",
    );
    let out_path = dir.path("out.vdt");
    let out = run(&["compile", s(&src), "-o", s(&out_path), "-q"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(!stale.exists(), "the stale temporary is still there");
    assert!(is_link(&link));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), VICTIM);
    for kept in [&live, &other, &alike] {
        assert!(kept.exists(), "{} was removed", kept.display());
    }
    assert_valid_table(&out_path);
}

/// Reproduction 1 of issue 18, second half: a writer killed mid-write left
/// its temporary forever. The real binary compiles a large synthetic
/// organisation and is killed as soon as its temporary appears; the next
/// compile of the same output removes it.
#[test]
fn a_killed_writer_leaves_nothing_after_the_next_write() {
    let dir = TempDir::new();
    let src = dir.path("big.vp");
    let out = run(&[
        "bench",
        "--generate",
        "--users",
        "20000",
        "--seed",
        "7",
        "-o",
        s(&src),
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let small = dir.write("small.vp", ORG);
    let out_path = dir.path("out.vdt");
    let bin = env!("CARGO_BIN_EXE_verdict");
    let mut killed_mid_write = false;
    for _ in 0..3 {
        let mut child = Command::new(bin)
            .args(["compile", s(&src), "-o", s(&out_path), "-q"])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        loop {
            if !entries_starting(&dir.path(""), ".out.vdt").is_empty() {
                child.kill().unwrap();
                child.wait().unwrap();
                killed_mid_write = true;
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        if killed_mid_write {
            break;
        }
        let _ = std::fs::remove_file(&out_path);
    }
    if killed_mid_write {
        // Killed between create and rename: no output, one temporary.
        assert!(!out_path.exists());
        assert_eq!(entries_starting(&dir.path(""), ".out.vdt").len(), 1);
    }
    let out = run(&["compile", s(&small), "-o", s(&out_path), "-q"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(
        entries_starting(&dir.path(""), ".out.vdt"),
        Vec::<String>::new()
    );
    assert_valid_table(&out_path);
}

/// Makes a FIFO at `path` with `mkfifo`.
fn fifo(path: &Path) -> PathBuf {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
    path.to_path_buf()
}

/// Runs `args` in a thread and fails if it does not return within a minute
/// (a blocked open would never return). Not a timing assertion: a minute is
/// a hang detector, the runs take milliseconds.
fn run_bounded(args: Vec<String>) -> crate::cli::Output {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let _ = send.send(run_with_stdin(&args, ""));
    });
    receive
        .recv_timeout(Duration::from_secs(60))
        .expect("the command blocked")
}

fn args(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Reproduction 2 of issue 18: special files were read without a bound
/// (`/dev/zero` grew to gigabytes) and a FIFO blocked forever. Every file
/// read refuses them at once, saying what they are.
#[test]
fn special_files_are_refused_wherever_a_file_is_read() {
    let dir = TempDir::new();
    let src = dir.write("org.vp", ORG);
    let table = dir.path("t.vdt");
    assert_eq!(run(&["compile", s(&src), "-o", s(&table), "-q"]).status, 0);
    let pipe = fifo(&dir.path("pipe"));
    let folder = dir.path("folder");
    std::fs::create_dir(&folder).unwrap();
    let out_path = dir.path("out.vdt");
    for (special, what) in [
        ("/dev/zero", "not a regular file (a character device)"),
        ("/dev/urandom", "not a regular file (a character device)"),
        (s(&pipe), "not a regular file (a FIFO)"),
        (s(&folder), "is a directory"),
    ] {
        let include = dir.write("inc.vp", &format!("include \"{special}\"\n{ORG}"));
        let from = dir.write(
            "from.vp",
            &format!("policy P from \"{special}\"\nuser u {{ attach P }}\n"),
        );
        let runs = [
            args(&["compile", special, "-o", s(&out_path)]),
            args(&["compile", s(&include), "-o", s(&out_path)]),
            args(&["compile", s(&from), "-o", s(&out_path)]),
            args(&["compile", s(&src), "--catalog", special, "-o", s(&out_path)]),
            args(&["compile", "--aws-account", special, "-o", s(&out_path)]),
            args(&["check", special, "user/alice", "chime:ListUsers"]),
            args(&["inspect", special]),
            args(&["check", s(&table), "--batch", special]),
            args(&["fmt", special]),
            args(&["convert", "--to", "json", special]),
            args(&["diff", special, s(&table)]),
            args(&["bench", special, "--checks", "10"]),
        ];
        for argv in runs {
            let out = run_bounded(argv.clone());
            assert_ne!(out.status, 0, "{argv:?}");
            assert!(out.stderr.contains(what), "{argv:?}: {}", out.stderr);
            assert!(!out_path.exists(), "{argv:?}");
        }
    }
}

/// The runtime's own `Table::open` refuses special files without blocking.
#[test]
fn table_open_refuses_special_files_without_blocking() {
    let dir = TempDir::new();
    let pipe = fifo(&dir.path("pipe"));
    for (path, what) in [
        (PathBuf::from("/dev/zero"), "not a regular file"),
        (pipe, "not a regular file"),
        (dir.path(""), "is a directory"),
    ] {
        let (send, receive) = std::sync::mpsc::channel();
        let opened = path.clone();
        std::thread::spawn(move || {
            let _ = send.send(verdict_runtime::Table::open(&opened).map(|_| ()));
        });
        let err = receive
            .recv_timeout(Duration::from_secs(60))
            .expect("Table::open blocked")
            .unwrap_err();
        assert!(err.to_string().contains(what), "{}: {err}", path.display());
    }
}

/// A regular file whose metadata says 0 bytes (`/proc`) is read for what it
/// holds, bounded: here it is no table.
#[test]
fn table_open_reads_what_a_file_holds_not_what_its_metadata_says() {
    let path = Path::new("/proc/self/status");
    assert_eq!(std::fs::metadata(path).unwrap().len(), 0);
    let err = verdict_runtime::Table::open(path).unwrap_err();
    assert_eq!(err.to_string(), "not a verdict table (bad magic bytes)");
}

/// A file that grows while it is read is read up to the limit plus one byte,
/// whatever its length was when it was opened.
#[test]
fn a_file_growing_while_read_stops_at_the_limit() {
    use std::io::Write;
    let dir = TempDir::new();
    let path = dir.path("growing.vp");
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(b"// a comment that never ends\n").unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = std::sync::Arc::clone(&stop);
        std::thread::spawn(move || {
            let chunk = vec![b'/'; 64 * 1024];
            let started = Instant::now();
            // Grows to at most 256 MiB (a hang guard, not a measurement).
            let mut written = 0usize;
            while !stop.load(std::sync::atomic::Ordering::Relaxed)
                && written < 256 << 20
                && started.elapsed() < Duration::from_secs(60)
            {
                file.write_all(&chunk).unwrap();
                written += chunk.len();
            }
        })
    };
    // Wait until the file is past the limit, so that the read must stop at it.
    while std::fs::metadata(&path).unwrap().len() < 2 << 20 {
        std::thread::yield_now();
    }
    let out_path = dir.path("out.vdt");
    let out = run(&[
        "compile",
        s(&path),
        "-o",
        s(&out_path),
        "--limit",
        "input-bytes=1MiB",
    ]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("larger than 1048576 bytes"),
        "{}",
        out.stderr
    );
    assert!(!out_path.exists());
}

fn batch(table: &Path, lines: &str) -> Vec<serde_json::Value> {
    let out = run_with_stdin(&["check", s(table), "--batch", "-"], lines);
    assert_eq!(out.status, 0, "{}", out.stderr);
    out.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Reproduction 3 of issue 18: a batch line naming `principal` twice was
/// answered for the last one. Every field, and keys inside the context, are
/// refused when repeated: the line is an error, never a decision.
#[test]
fn batch_lines_with_duplicate_keys_are_errors() {
    let dir = TempDir::new();
    let src = dir.write("org.vp", ORG);
    let table = dir.path("t.vdt");
    assert_eq!(run(&["compile", s(&src), "-o", s(&table), "-q"]).status, 0);
    let reproduction =
        r#"{"principal":"user/nobody","principal":"user/alice","action":"chime:ListUsers"}"#;
    let cases = [
        ("principal", reproduction),
        (
            "action",
            r#"{"principal":"user/alice","action":"chime:DeleteAccount","action":"chime:ListUsers"}"#,
        ),
        (
            "resource",
            r#"{"principal":"user/alice","action":"chime:ListUsers","resource":"arn:x","resource":"*"}"#,
        ),
        (
            "context",
            r#"{"principal":"user/alice","action":"chime:ListUsers","context":{},"context":{}}"#,
        ),
        (
            "aws:SourceIp",
            r#"{"principal":"user/alice","action":"chime:ListUsers","context":{"aws:SourceIp":"10.0.0.1","aws:SourceIp":"10.0.0.2"}}"#,
        ),
    ];
    let mut lines = String::new();
    for (_, line) in &cases {
        lines.push_str(line);
        lines.push('\n');
    }
    let answers = batch(&table, &lines);
    assert_eq!(answers.len(), cases.len());
    for ((key, line), answer) in cases.iter().zip(&answers) {
        assert_eq!(answer["decision"], "error", "{line}: {answer}");
        let error = answer["error"].as_str().unwrap();
        assert!(
            error.contains(&format!("duplicate key `{key}`")),
            "{line}: {error}"
        );
    }
    // Without the duplicate, the same requests are answered.
    let single = batch(
        &table,
        "{\"principal\":\"user/alice\",\"action\":\"chime:ListUsers\"}\n",
    );
    assert_eq!(single[0]["decision"], "allow");
}
