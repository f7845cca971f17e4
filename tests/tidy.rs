//! Tidy checks over the repository's own sources: every `.rs` file starts
//! with a `//!` module doc (STYLE.md §4); bincode is called from one file;
//! the diagnostic codes of `verdict_compiler::codes` are documented in the
//! README, spelled through the registry's constants, and each made to fire by
//! a test.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if !matches!(name.as_ref(), "target" | ".git" | "corpus" | "artifacts")
                && !name.starts_with("target")
            {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_rust_file_starts_with_a_module_doc() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        "src", "grammar", "compiler", "runtime", "tests", "benches", "fuzz", "peers", "bindings",
    ] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 10);
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .map(|f| f.strip_prefix(root).unwrap_or(f).display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "files without a `//!` module doc: {missing:?}"
    );
}

/// The lines of `text` outside inline test modules (`#[cfg(test)]` at
/// column 0, maybe further attributes and comments, then `mod NAME {`, up
/// to the next `}` at column 0).
fn non_test_lines(text: &str) -> Vec<(usize, &str)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        // `#[cfg(test)]`, maybe more attributes and comments, `mod NAME {`.
        let mut head = i + 1;
        while lines.get(head).is_some_and(|l| {
            l.starts_with("//") || l.starts_with("#[") || l.starts_with(' ') || l.starts_with(")]")
        }) {
            head += 1;
        }
        let opens_tests = lines[i].trim_end() == "#[cfg(test)]"
            && lines
                .get(head)
                .is_some_and(|next| next.starts_with("mod ") && next.trim_end().ends_with('{'));
        if opens_tests {
            i = head + 1;
            while i < lines.len() && lines[i].trim_end() != "}" {
                i += 1;
            }
        } else {
            out.push((i + 1, lines[i]));
        }
        i += 1;
    }
    out
}

/// The diagnostic codes quoted as string literals in `line` (`"E0101"`).
fn quoted_codes(line: &str) -> Vec<&str> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    for (at, window) in bytes.windows(7).enumerate() {
        if window[0] == b'"'
            && window[6] == b'"'
            && matches!(window[1], b'E' | b'W' | b'N')
            && window[2..6].iter().all(u8::is_ascii_digit)
        {
            out.push(&line[at + 1..at + 6]);
        }
    }
    out
}

/// The README's code table: `| CODE | level | meaning |` rows.
fn readme_code_table() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            match cells.as_slice() {
                ["", code, level, _meaning, ""]
                    if code.len() == 5 && matches!(*level, "error" | "warning") =>
                {
                    Some((code.to_string(), level.to_string()))
                }
                _ => None,
            }
        })
        .collect()
}

#[test]
fn every_registered_code_is_in_the_readme_table_with_its_level() {
    use verdict_compiler::{codes, Severity};
    let table = readme_code_table();
    let mut problems = Vec::new();
    for info in codes::ALL {
        let level = match info.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let rows: Vec<_> = table.iter().filter(|(c, _)| c == info.code).collect();
        match rows.as_slice() {
            [(_, l)] if l == level => {}
            [] => problems.push(format!("{} is not in the README's code table", info.code)),
            _ => problems.push(format!(
                "{}: README rows {rows:?}, registry {level}",
                info.code
            )),
        }
    }
    for (code, _) in &table {
        if codes::info(code).is_none() {
            problems.push(format!("README documents {code}, which the registry lacks"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn no_code_literal_outside_the_registry_and_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "grammar/src", "compiler/src", "runtime/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 10);
    let mut found = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(root).unwrap_or(file);
        let is_test = rel.file_name().is_some_and(|n| n == "tests.rs")
            || rel.components().any(|c| c.as_os_str() == "tests");
        if is_test || rel == Path::new("compiler/src/codes.rs") {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in non_test_lines(&text) {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for code in quoted_codes(line) {
                found.push(format!("{}:{n}: \"{code}\"", rel.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "use the constants of `verdict_compiler::codes` (python3 codes-replace.py): {found:#?}"
    );
}

/// Whether `word` occurs in `text` with no letter, digit or `_` either side.
fn mentions_word(text: &str, word: &str) -> bool {
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    text.match_indices(word).any(|(at, _)| {
        let before = text.as_bytes().get(at.wrapping_sub(1)).copied();
        let after = text.as_bytes().get(at + word.len()).copied();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// Codes no test makes fire, each with why. The list may only shrink: a
/// code listed here that a test does make fire fails the check below.
const CODES_WITHOUT_A_FIRING_TEST: &[(&str, &str)] = &[];

#[test]
fn every_code_has_a_test_that_makes_it_fire() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    for dir in ["src", "grammar", "compiler", "runtime", "tests"] {
        rust_files(&root.join(dir), &mut sources);
    }
    let mut test_text = String::new();
    for file in &sources {
        let rel = file.strip_prefix(root).unwrap_or(file);
        if rel == Path::new("tests/tidy.rs") || rel == Path::new("compiler/src/codes.rs") {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        let whole_file_is_tests = rel.starts_with("tests")
            || rel.file_name().is_some_and(|n| n == "tests.rs")
            || rel.components().any(|c| c.as_os_str() == "tests");
        if whole_file_is_tests {
            test_text.push_str(&text);
        } else {
            // Only the inline test modules count.
            let kept: std::collections::HashSet<usize> =
                non_test_lines(&text).into_iter().map(|(n, _)| n).collect();
            for (n, line) in text.lines().enumerate() {
                if !kept.contains(&(n + 1)) {
                    test_text.push_str(line);
                    test_text.push('\n');
                }
            }
        }
    }
    if let Ok(entries) = std::fs::read_dir(root.join("tests/snapshots")) {
        for entry in entries.flatten() {
            test_text.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
    }
    let mut untested = Vec::new();
    let mut listed_but_tested = Vec::new();
    for info in verdict_compiler::codes::ALL {
        let fired = mentions_word(&test_text, info.code);
        let excused = CODES_WITHOUT_A_FIRING_TEST
            .iter()
            .any(|(c, _)| *c == info.code);
        match (fired, excused) {
            (false, false) => untested.push(info.code),
            (true, true) => listed_but_tested.push(info.code),
            _ => {}
        }
    }
    assert!(
        untested.is_empty(),
        "codes no test or snapshot mentions: {untested:?}"
    );
    assert!(
        listed_but_tested.is_empty(),
        "tested now, remove from CODES_WITHOUT_A_FIRING_TEST: {listed_but_tested:?}"
    );
}

/// bincode is unmaintained and pinned: it is called from one file of the
/// runtime only, so that swapping the codec is a format version bump.
#[test]
fn bincode_is_called_from_the_runtime_codec_only() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "grammar", "compiler", "runtime", "benches"] {
        rust_files(&root.join(dir), &mut files);
    }
    let mut callers: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            text.lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .any(|line| line.contains("bincode::"))
        })
        .map(|f| f.strip_prefix(root).unwrap_or(f).display().to_string())
        .collect();
    callers.sort();
    assert_eq!(callers, ["runtime/src/wire/codec.rs"]);
}
