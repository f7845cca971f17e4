//! `verdict fmt`: the example organisation is formatted and formats to a
//! fixed point with the same table, and the CLI contract: rewriting in place
//! only when the text changes, `--check` (lists files, exit 1), syntax errors
//! (reported like `compile`, file untouched, exit 2), standard input.
//!
//! Random files in random layouts are the grammar crate's property tests
//! (`grammar/src/dsl/format/tests.rs`); random organisations through fmt and
//! the compiler are in `convert.rs`.

use std::path::Path;
use std::time::{Duration, SystemTime};

use verdict_compiler::{compile, Config, Input, MemoryLoader};

use crate::cli::{run, run_with_stdin, TempDir};

const EXAMPLE: &str = include_str!("../examples/chime-org.vp");

/// The example organisation with `org.vp` replaced by `text`, compiled.
fn example_table(text: &str) -> Vec<u8> {
    let mut files = MemoryLoader::default();
    for name in crate::props::EXAMPLE_POLICIES {
        let path = format!(
            "{}/examples/policies/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        files.insert(
            format!("policies/{name}.json"),
            std::fs::read_to_string(path).unwrap(),
        );
    }
    files.insert("org.vp", text);
    let out = compile(&[Input::auto("org.vp")], &Config::default(), &mut files);
    assert!(!out.has_errors(), "{:#?}", out.diagnostics);
    out.table.unwrap().to_bytes()
}

#[test]
fn the_example_formats_to_a_fixed_point_with_the_same_table() {
    let once = verdict_grammar::format_dsl(EXAMPLE).unwrap();
    let twice = verdict_grammar::format_dsl(&once).unwrap();
    assert_eq!(once, twice);
    // The example is kept formatted (`verdict fmt --check` passes on it).
    assert_eq!(once, EXAMPLE, "examples/chime-org.vp is not formatted");
    assert_eq!(example_table(&once), example_table(EXAMPLE));
    // Every comment is still there, in order.
    let comments = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.find("//").map(|at| l[at..].trim_end().to_owned()))
            .collect()
    };
    assert_eq!(comments(&once), comments(EXAMPLE));
}

const MESSY: &str = "// Support staff.\npolicy Read{allow \"chime:List*\",chime:Get* ;deny chime:Delete*}\n\n\n\nuser alice {member Support   attach Read} // the first\ngroup Support {}\n";

fn set_old_mtime(path: &Path) -> SystemTime {
    let old = SystemTime::now() - Duration::from_secs(3600);
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(old).unwrap();
    std::fs::metadata(path).unwrap().modified().unwrap()
}

#[test]
fn fmt_rewrites_changed_files_in_place_and_leaves_formatted_ones_alone() {
    let dir = TempDir::new();
    let messy = dir.write("messy.vp", MESSY);
    let tidy = dir.write("tidy.vp", "user bob\n");
    let tidy_mtime = set_old_mtime(&tidy);
    let out = run(&["fmt", messy.to_str().unwrap(), tidy.to_str().unwrap()]);
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    let formatted = std::fs::read_to_string(&messy).unwrap();
    insta::assert_snapshot!("fmt_messy", formatted);
    assert_eq!(
        std::fs::metadata(&tidy).unwrap().modified().unwrap(),
        tidy_mtime
    );
    assert_eq!(std::fs::read_to_string(&tidy).unwrap(), "user bob\n");
    // No temporary files are left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    // Formatting again changes nothing.
    let messy_mtime = set_old_mtime(&messy);
    let out = run(&["fmt", messy.to_str().unwrap()]);
    assert_eq!(out.status, 0);
    assert_eq!(
        std::fs::metadata(&messy).unwrap().modified().unwrap(),
        messy_mtime
    );
}

#[cfg(unix)]
#[test]
fn fmt_keeps_the_file_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new();
    let file = dir.write("org.vp", MESSY);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = run(&["fmt", file.to_str().unwrap()]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

#[test]
fn fmt_check_lists_what_would_change_and_writes_nothing() {
    let dir = TempDir::new();
    let messy = dir.write("messy.vp", MESSY);
    let tidy = dir.write("tidy.vp", "user bob\n");
    let (messy, tidy) = (messy.to_str().unwrap(), tidy.to_str().unwrap());
    let out = run(&["fmt", "--check", messy, tidy]);
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (1, format!("{messy}\n").as_str(), "")
    );
    assert_eq!(std::fs::read_to_string(messy).unwrap(), MESSY);
    let out = run(&["fmt", "--check", tidy]);
    assert_eq!((out.status, out.stdout.as_str()), (0, ""));
}

#[test]
fn syntax_errors_are_reported_and_the_file_is_left_alone() {
    let dir = TempDir::new();
    let bad_text = "policy P {\n  allow chime:List* on\n}\n";
    let bad = dir.write("bad.vp", bad_text);
    let messy = dir.write("messy.vp", MESSY);
    let (bad, messy) = (bad.to_str().unwrap(), messy.to_str().unwrap());
    let out = run(&["fmt", bad, messy]);
    assert_eq!(out.status, 2);
    insta::assert_snapshot!("fmt_syntax_error", out.stderr.replace(bad, "bad.vp"));
    assert_eq!(std::fs::read_to_string(bad).unwrap(), bad_text);
    // The other file was still formatted.
    assert_ne!(std::fs::read_to_string(messy).unwrap(), MESSY);
    // With --check, errors win over "would change": status 2.
    std::fs::write(messy, MESSY).unwrap();
    let out = run(&["fmt", "--check", "--message-format", "short", bad, messy]);
    assert_eq!(out.status, 2);
    assert_eq!(out.stdout, format!("{messy}\n"));
    assert_eq!(
        out.stderr,
        format!("{bad}:3:1: error[E0001]: expected `not` or a resource, found `}}`\n")
    );
}

#[test]
fn unreadable_inputs_exit_2() {
    let dir = TempDir::new();
    let missing = dir.path("missing.vp");
    let out = run(&["fmt", missing.to_str().unwrap()]);
    assert_eq!(out.status, 2);
    assert_eq!(
        out.stderr,
        format!("error: cannot read `{}`: no such file\n", missing.display())
    );
    let out = run(&["fmt", dir.path("").to_str().unwrap()]);
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("is a directory"), "{}", out.stderr);
    let out = run(&["fmt"]);
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("<FILE>..."), "{}", out.stderr);
}

#[test]
fn standard_input_formats_to_standard_output() {
    let out = run_with_stdin(&["fmt", "-"], MESSY);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout, verdict_grammar::format_dsl(MESSY).unwrap());
    let out = run_with_stdin(&["fmt", "--check", "-"], MESSY);
    assert_eq!((out.status, out.stdout.as_str()), (1, "<stdin>\n"));
    let out = run_with_stdin(&["fmt", "-"], "policy {");
    assert_eq!((out.status, out.stdout.as_str()), (2, ""));
    assert!(out.stderr.contains("E0001"), "{}", out.stderr);
}
